#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The demo scripts under scripts/demos run cleanly in --demo mode driven by
# piped key presses, `b` shows the previous output, `q` stops, and the host
# is left as it was.
source "$(dirname "$0")/../lib/common.sh"

before=$(fingerprint)
for demo in "$TOP"/scripts/demos/*.nslab; do
	name=$(basename "$demo")
	n=$(grep -cvE '^[[:space:]]*(#|$)' "$demo")
	out=$(yes ' ' | head -n "$n" | tr -d '\n' | timeout 300 "$NSLAB" --demo "$demo" 2>&1)
	st=$?
	expect "$name: exits 0 after all $n commands" test "$st" -eq 0
	if grep -qE '^nslab: (unknown command|usage:)' <<<"$out"; then
		not_ok "$name: every command is known and well formed"
		grep -E '^nslab: (unknown command|usage:)' <<<"$out" | head -3
	else
		ok "$name: every command is known and well formed"
	fi
	long=$(awk 'length > 78 { print FNR ": " length }' "$demo" | paste -sd' ')
	expect "$name: every line fits an 80-column screen${long:+ (too long: $long)}" test -z "$long"
	case $name in
	01-*)
		# the whole story: the escape, after the detach, lists only the lab's /
		expect "$name: narration lines stay apart" grep -q 'a way out of it,$' <<<"$out"
		tail_out=$(sed -n '/run cat \/escape.txt/,$p' <<<"$out")
		expect "$name: the detach step ran before the last escape" grep -q 'umount2\|put_old' <<<"$out"
		expect "$name: the escape after the detach lists the lab's / (escape.txt)" grep -qx 'escape.txt' <<<"$tail_out"
		expect "$name: ... and nothing of the host's / (no etc, usr)" bash -c '! grep -qxE "etc|usr" <<<"$1"' _ "$tail_out"
		;;
	02-*)
		# root inside, nobody outside: after the uid_map step
		expect "$name: uid 0 inside after the mapping" grep -q 'uid=0(' <<<"$out"
		expect "$name: the host still sees the unprivileged uid" grep -qE '^Uid:[[:space:]]+65534' <<<"$out"
		;;
	esac
done

# Keys: run the first command, go back, quit.
out=$(printf ' bq' | timeout 60 "$NSLAB" --demo "$TOP/scripts/demos/02-namespaces.nslab" 2>&1)
expect "b shows the previous output again" grep -q -- '--- again: start uts' <<<"$out"
expect "q quits before the next command runs" test "$(grep -c 'nslab\[uts' <<<"$out")" -le 2
out=$(printf 'q' | "$NSLAB" --demo "$TOP/scripts/demos/02-namespaces.nslab" 2>&1)
expect "q at once runs nothing" bash -c '! grep -q "== UTS" <<<"$1"' _ "$out"
expect "a missing demo file is one clear error" bash -c '"$1" --demo /nonexistent 2>&1 | grep -q "^nslab: cannot open /nonexistent"' _ "$NSLAB"

# Korean narration: every block of narration has its "# ko: ..." lines, and
# under ko_KR.UTF-8 the first block shows them instead of the English (q at
# once: nothing runs), while C shows the English and no Hangul.
# has_lines LINES TEXT: every line of LINES is a whole line of TEXT.
has_lines() { ! grep -qvxF -f <(printf '%s\n' "$2") <<<"$1"; }
no_line_of() { ! grep -qxF -- "$1" <<<"$2"; } # no_line_of LINES TEXT
no_hangul() { ! LC_ALL=C grep -q $'[\xea-\xed]' <<<"$1"; }
for demo in "$TOP"/scripts/demos/*.nslab; do
	name=$(basename "$demo")
	untranslated=$(awk '/^[[:space:]]*$/ { next } /^#/ { if (/^# ko: /) ko = 1; else en = 1; next }
		{ if (en && !ko) print FNR; en = ko = 0 }' "$demo" | paste -sd' ')
	expect "$name: every narration block has Korean lines${untranslated:+ (none before line $untranslated)}" \
		test -z "$untranslated"
	first_ko=$(awk '!/^#/ { exit } /^# ko: / { print "# " substr($0, 7) }' "$demo")
	first_en=$(awk '!/^#/ { exit } !/^# ko: / { print }' "$demo")
	out=$(printf q | env -u LANGUAGE LC_ALL=ko_KR.UTF-8 "$NSLAB" --demo "$demo" 2>&1)
	expect "$name: in Korean the first narration is its ko lines" has_lines "$first_ko" "$out"
	expect "$name: ... and none of the English ones" no_line_of "$first_en" "$out"
	out=$(printf q | env -u LANGUAGE LC_ALL=C "$NSLAB" --demo "$demo" 2>&1)
	expect "$name: in C the first narration is the English lines" has_lines "$first_en" "$out"
	expect "$name: ... and no Hangul" no_hangul "$out"
done

sleep 0.5
after=$(fingerprint)
if [ "$before" = "$after" ]; then ok "host fingerprint unchanged"; else
	not_ok "host fingerprint unchanged"; diff <(echo "$before") <(echo "$after") | head; fi
finish
