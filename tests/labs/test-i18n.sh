#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-i18n.sh: nslab in Korean (root; run through tests/run-suite.sh).
# Under LC_ALL=C everything is English; under ko_KR.UTF-8 `--help`, `help`,
# `labs` and the uts lab's texts and check messages are Korean, while the
# checks behave as in English (fail before `do`, pass after), the task
# lines shown in Korean are still commands that pass the check, and what
# scripts read (status, ns --json, record files) stays English.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
require_nslab

KO=ko_KR.UTF-8
# Hangul syllables are U+AC00..U+D7A3: UTF-8 lead bytes 0xEA..0xED.
has_hangul() { LC_ALL=C grep -q $'[\xea-\xed]' <<<"$1"; }
no_hangul() { ! has_hangul "$1"; }
ko() { env -u LANGUAGE LC_ALL=$KO "$@"; }
en() { env -u LANGUAGE LC_ALL=C "$@"; }
# has_all TEXT PATTERN...: every (basic) regex matches a line of TEXT.
has_all() {
	local text=$1 p
	shift
	for p in "$@"; do grep -q -- "$p" <<<"$text" || return 1; done
}
is_json() { python3 -c 'import json, sys; json.loads(sys.stdin.read())' <<<"$1"; }
lacks() { ! grep -q -- "$2" <<<"$1"; } # lacks TEXT PATTERN
file_has_no_hangul() { ! LC_ALL=C grep -q $'[\xea-\xed]' "$1"; }

before=$(fingerprint)
host_name=$(hostname)

# --- English stays English ---
out=$(en "$NSLAB" --help)
expect "LC_ALL=C: --help is English" grep -q '^Usage:' <<<"$out"
expect "LC_ALL=C: --help has no Hangul" no_hangul "$out"
out=$(printf 'help\nlabs\n' | en "$NSLAB" --script - 2>&1)
expect "LC_ALL=C: help and labs are English" grep -q 'UTS namespace: hostname' <<<"$out"
expect "LC_ALL=C: help and labs have no Hangul" no_hangul "$out"
out=$(printf 'start uts\nstep\nstop\n' | LANG=en_US.UTF-8 LC_ALL='' LANGUAGE='' "$NSLAB" --script - 2>&1)
expect "LANG=en_US.UTF-8 (no catalogue): the uts task is English" grep -q 'A new UTS namespace starts' <<<"$out"

if ! locale -a 2>/dev/null | grep -qix 'ko_KR\.utf-\?8'; then
	not_ok "the $KO locale is missing (make deps generates it)"
	finish
fi

# --- Korean ---
out=$(ko "$NSLAB" --help)
expect "$KO: --help is Korean" grep -q '^사용법:' <<<"$out"
expect "$KO: --help keeps the option names" grep -q -- '--script FILE' <<<"$out"
out=$(printf 'help\n' | ko "$NSLAB" --script - 2>&1)
expect "$KO: help is Korean" grep -q '실습을 시작합니다' <<<"$out"
expect "$KO: help keeps the command names" grep -q '^  start LAB ' <<<"$out"
out=$(printf 'labs\n' | ko "$NSLAB" --script - 2>&1)
expect "$KO: labs shows the uts lab's Korean title" grep -q '^  uts .*UTS 네임스페이스: 호스트 이름' <<<"$out"
out=$(printf 'help start\n' | ko "$NSLAB" --script - 2>&1)
expect "$KO: help CMD is Korean" grep -q '사용법: start LAB' <<<"$out"
out=$(printf 'nosuchcommand\n' | ko "$NSLAB" --script - 2>&1)
expect "$KO: an unknown command is said in Korean" grep -q "알 수 없는 명령 'nosuchcommand'" <<<"$out"

# Before `do`: the check fails, its message in the lab's own (Korean) domain.
out=$(printf 'start uts\ncheck\nstop\n' | ko "$NSLAB" --script - 2>&1)
st=$?
expect "$KO: a failing check still fails the script (status $st)" test "$st" = 1
expect "$KO: check says 'not yet' in Korean" grep -q '^확인: 아직 - 1/3단계: 실습의 이름 바꾸기' <<<"$out"
expect "$KO: the lab's missing line is Korean" grep -q '아직 안 됨: 자기만의 호스트 이름을 가진 실습 프로세스가 없습니다' <<<"$out"
expect "$KO: the lab's title and task are Korean" \
	has_all "$out" '^== UTS 네임스페이스: 호스트 이름 ==' '새 UTS 네임스페이스는 부모의 이름을'

# The whole lab by `do`: every check passes, as in English.
out=$(printf 'start uts\ndo\ncheck\nnext\ndo\ncheck\nnext\ndo\ncheck\nhint\nexplain\nstop\n' | ko "$NSLAB" --script - 2>&1)
st=$?
expect "$KO: uts walked with do/check/next passes (status $st)" test "$st" = 0
expect "$KO: three checks pass" test "$(grep -c '^확인: 통과 - ' <<<"$out")" = 3
expect "$KO: hint and explain are Korean" \
	has_all "$out" '^힌트: 리다이렉션은' '저장소가 아니라 보기 창입니다'
expect "$KO: do's traces stay syscalls" grep -q 'sethostname("nslab-lab", 9) = 0' <<<"$out"
expect "$KO: the host kept its hostname" test "$(hostname)" = "$host_name"

# The Korean task's command lines are commands: typed as shown, they pass step 1.
task=$(printf 'start uts\nstop\n' | ko "$NSLAB" --script - 2>&1 | sed -n '/^-- 1\/3단계/,/^nslab/p' |
	grep -E '^  (run|host) ' | sed 's/^  //')
expect "$KO: step 1's task shows its 5 command lines" test "$(grep -c . <<<"$task")" = 5
out=$(printf 'start uts\n%s\ncheck\nstop\n' "$task" | ko "$NSLAB" --script - 2>&1)
st=$?
expect "$KO: step 1's Korean task lines, typed as shown, pass its check (status $st)" test "$st" = 0
expect "$KO: the real-tool path left the host's hostname" test "$(hostname)" = "$host_name"

# What scripts read stays English: status, ns --json, the record file.
rec=$(mktemp /tmp/nslab-i18n-record.XXXXXX)
chmod 666 "$rec"
out=$(printf 'start uts\nstatus\nns --json\nrecord %s\nrun hostname\nnext\nrecord stop\nstop\n' "$rec" |
	ko "$NSLAB" --script - 2>&1)
expect "$KO: status keys stay English" has_all "$out" '^lab: uts$' '^step: 1/3$'
json=$(sed -n '/> ns --json$/,/^nslab/p' <<<"$out" | sed '1d;$d')
expect "$KO: ns --json has no Hangul" no_hangul "$json"
expect "$KO: ns --json is JSON" is_json "$json"
expect "$KO: the record file names the step in English" grep -q '^# uts 1/3: Rename the lab$' "$rec"
expect "$KO: the record file has no Hangul" file_has_no_hangul "$rec"
rm -f "$rec"

# Every lab with a Korean catalogue, walked in Korean: the same checks as in
# English (each fails before `do` and passes after), its title and texts in
# Korean, and the command lines of its tasks still commands (no Hangul). The
# cpu lab is left out: its checks measure CPU shares (test-cpu.sh walks it).
translated=0
for po in "$TOP"/labs/po/*/ko.po; do
	[ -f "$po" ] || continue
	id=$(basename "$(dirname "$po")")
	[ "$id" = cpu ] && continue
	translated=$((translated + 1))
	n=$(lab_steps "$id")
	if [ -z "$n" ]; then
		not_ok "$KO: lab $id could not start"
		continue
	fi
	script="start $id"$'\n'
	for ((i = 1; i <= n; i++)); do script+="check"$'\n'"do"$'\n'"check"$'\n'"step"$'\n'"next"$'\n'; done
	out=$(printf '%sstop\n' "$script" | ko "$NSLAB" --script - 2>&1)
	res=$(grep -E '^확인: (통과|아직) - ' <<<"$out" | awk '{ printf "%s", ($2 == "통과") ? "o" : "n" }')
	want=$(for ((i = 1; i <= n; i++)); do printf no; done)
	expect "$KO: lab $id walked in Korean: each check fails before do, passes after ($res)" test "$res" = "$want"
	title=$(grep -m1 -E '^== .* ==$' <<<"$out")
	expect "$KO: lab $id's title is Korean ($title)" has_hangul "$title"
	cmds=$(grep -E '^  (run|host|peer|c1|c2|try) ' <<<"$out" | sort -u)
	expect "$KO: lab $id's task command lines have no Hangul" no_hangul "$cmds"
done
expect "$KO: found translated labs ($translated)" test "$translated" -ge 1

# A demo's narration: "# ko: ..." lines replace the block's others in Korean,
# and are left out in any other language (here C and German).
demo=$(mktemp /tmp/nslab-i18n-demo.XXXXXX)
printf '%s\n' '# Two names, one kernel.' '# ko: 이름은 둘, 커널은 하나.' '# de: Zwei Namen.' help >"$demo"
chmod 644 "$demo"
out=$(printf ' ' | en "$NSLAB" --demo "$demo" 2>&1)
expect "demo in C: the untagged narration only" has_all "$out" '^# Two names, one kernel.$'
expect "demo in C: no tagged line" no_hangul "$out"
expect "demo in C: no other language's line" lacks "$out" Zwei
out=$(printf ' ' | ko "$NSLAB" --demo "$demo" 2>&1)
expect "demo in $KO: the ko narration" has_all "$out" '^# 이름은 둘, 커널은 하나.$' '^명령:$'
expect "demo in $KO: the English narration is replaced" lacks "$out" 'Two names'
rm -f "$demo"

# A shared helper's message (nslab-lab-util.h, in nslab's own catalogue) is
# Korean too: the memory lab's first check says no cgroup is there yet.
out=$(printf 'start memory\ncheck\nstop\n' | ko "$NSLAB" --script - 2>&1)
expect "$KO: the cgroup helpers' messages are Korean" grep -q '^  아직 안 됨: 아직 .* 아래에 cgroup이 없습니다' <<<"$out"

# A lab's own root has no locales: a bash started there in Korean (capsh runs
# /bin/bash) must not warn that it cannot set LC_ALL.
out=$(printf 'start capabilities\nrun capsh --drop=cap_net_admin -- -c "echo in-lab"\nstop\n' | ko "$NSLAB" --script - 2>&1)
expect "$KO: a bash in the lab's root ran" grep -q '^in-lab$' <<<"$out"
expect "$KO: ... without a setlocale warning" lacks "$out" 'setlocale'

same_as_before "host fingerprint unchanged after the Korean runs"
finish
