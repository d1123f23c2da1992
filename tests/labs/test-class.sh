#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-class.sh: the class view on the real kernel (root; run through
# tests/run-suite.sh). Two learners' sessions run at once, as root under sudo
# for the user nobody (SUDO_UID), at different steps of the uts lab, with
# NSLAB_CLASS_DIR (and --class-dir) pointing at one sticky shared directory:
# `nslab --class DIR` shows both (plain and --json) with their steps, failed
# checks and hints; their files belong to nobody; a learner who quits is
# shown as left, one SIGKILLed as stale; a status that sat on its step past
# five minutes comes first as stuck; hostile files in the directory (a
# symlink, a FIFO, a huge file, bad JSON, a hard link, escape sequences) are
# skipped with one line each or cleaned, never a crash or a hang; a symlink
# planted under a learner's file name is never written through.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
require_nslab

before=$(fingerprint)
CLASS=$(mktemp -d /tmp/nslab-test-class.XXXXXX)
chmod 1777 "$CLASS" # as /tmp: every learner may add a file, none remove another's
LEARN_HOME=$(mktemp -d /tmp/nslab-test-learners.XXXXXX)
chmod 755 "$LEARN_HOME"
mkdir "$LEARN_HOME/alice" "$LEARN_HOME/bob" "$LEARN_HOME/carol"
chown 65534:65534 "$LEARN_HOME"/*
trap 'rm -rf "$XDG_STATE_HOME" "$CLASS" "$LEARN_HOME"' EXIT
export SUDO_UID=65534 SUDO_GID=65534

# learner_start NAME [--class-dir]: a script session of learner NAME fed
# through a fifo on fd 7 (alice) or 6 (bob); NSLAB_CLASS_DIR or --class-dir.
learner_start() {
	local name=$1 dir=$LEARN_HOME/$1
	mkfifo "$dir/in"
	if [ "${2:-}" = --class-dir ]; then
		XDG_STATE_HOME=$dir NSLAB_LEARNER=$name "$NSLAB" --class-dir "$CLASS" --script - \
			<"$dir/in" >"$dir/out" 2>&1 &
	else
		XDG_STATE_HOME=$dir NSLAB_LEARNER=$name NSLAB_CLASS_DIR=$CLASS "$NSLAB" --script - \
			<"$dir/in" >"$dir/out" 2>&1 &
	fi
	eval "${name}_pid=$!"
}
# wait_file NAME REGEX: the status file of NAME comes to match (15 s).
wait_file() {
	local i
	for ((i = 0; i < 150; i++)); do
		grep -qE "$2" "$CLASS/$1.json" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "# $1.json never matched /$2/:"; sed 's/^/#   /' "$CLASS/$1.json" 2>/dev/null
	sed 's/^/#   out: /' "$LEARN_HOME/$1/out"
	return 1
}
# field JSON LEARNER KEY: a member of a learner's row in `--class --json`.
field() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(next((str(l[sys.argv[3]]) for l in d["learners"] if l["learner"] == sys.argv[2]), "none"))' "$@"
}

learner_start alice
exec 7>"$LEARN_HOME/alice/in"
learner_start bob --class-dir
exec 6>"$LEARN_HOME/bob/in"
printf '%s\n' "start uts" "do" "check" "next" >&7
printf '%s\n' "start uts" "check" "hint" "check" >&6
expect "alice's status reaches step 2" wait_file alice '"step": 2'
expect "bob's status counts two failed checks" wait_file bob '"checks_failed": 2'

for f in alice bob; do
	expect "$f.json belongs to the learner (nobody), not root" test "$(stat -c %u:%g "$CLASS/$f.json")" = 65534:65534
	expect "$f.json is readable by the instructor (0644)" test "$(stat -c %a "$CLASS/$f.json")" = 644
done
expect "no temp files left in the class dir" test -z "$(find "$CLASS" -name '.*' -type f)"

plain=$("$NSLAB" --class "$CLASS" 2>&1)
echo "$plain" | sed 's/^/# /'
expect "plain: a header like lsns" grep -qE '^LEARNER +LAB +STEP +DONE' <<<"$plain"
expect "plain: alice on uts 2/3, active" grep -qE '^alice +uts +2/3 +1/3 .* active$' <<<"$plain"
expect "plain: bob on uts 1/3 with 2 failed checks and a hint" grep -qE '^bob +uts +1/3 +0/3 +[0-9]+s +2 +1 +0 ' <<<"$plain"
expect "plain: the lab's summary line" grep -qx 'uts: 0 done, 1 on step 1, 1 on step 2' <<<"$plain"

"$NSLAB" --class "$CLASS" --json >"$LEARN_HOME/class.json" 2>"$LEARN_HOME/class.err"
expect "--json is valid JSON" python3 -m json.tool "$LEARN_HOME/class.json" >/dev/null
expect "--json: alice at step 2" test "$(field "$LEARN_HOME/class.json" alice step)" = 2
expect "--json: alice did one step" test "$(field "$LEARN_HOME/class.json" alice dos)" = 1
expect "--json: bob at step 1, 2 failed checks, 1 hint" \
	test "$(field "$LEARN_HOME/class.json" bob step)/$(field "$LEARN_HOME/class.json" bob checks_failed)/$(field "$LEARN_HOME/class.json" bob hints)" = 1/2/1
expect "--json: both active" test "$(field "$LEARN_HOME/class.json" alice state)$(field "$LEARN_HOME/class.json" bob state)" = activeactive
expect "--json: the summary" grep -q '"summary": "uts: 0 done, 1 on step 1, 1 on step 2"' "$LEARN_HOME/class.json"
expect "--json: nothing skipped, nothing on stderr" test ! -s "$LEARN_HOME/class.err"

# A learner on one step for ten minutes (a status forged for this shell, so
# that its PID and start time are alive): stuck, and listed first.
start=$(awk '{ sub(/.*\) /, ""); print $20 }' /proc/$$/stat)
boot=$(cat /proc/sys/kernel/random/boot_id)
now=$(date +%s)
cat >"$CLASS/dave.json" <<JSON
{"version": 1, "learner": "dave", "host": "h", "boot_id": "$boot", "pid": $$, "start": $start,
 "lab": "uts", "title": "t", "step": 3, "steps": 3, "done": 2, "since": $((now - 600)),
 "last_command": $((now - 30)), "updated": $now, "checks_failed": 7, "hints": 3, "dos": 0, "left": false}
JSON
# Another VM's learner not heard of for an hour: stale; one heard of now: active.
for who in erin:$((now - 3600)) frank:$now; do
	cat >"$CLASS/${who%%:*}.json" <<JSON
{"version": 1, "learner": "${who%%:*}", "boot_id": "another-vm", "pid": 1, "start": 1, "lab": "uts",
 "step": 1, "steps": 3, "since": ${who#*:}, "updated": ${who#*:}}
JSON
done
plain=$("$NSLAB" --class "$CLASS" 2>&1)
echo "$plain" | sed 's/^/# /'
expect "the stuck learner comes first" test "$(sed -n 2p <<<"$plain" | awk '{ print $1, $NF }')" = "dave stuck"
expect "another VM's learner silent for an hour is stale" grep -qE '^erin .* stale$' <<<"$plain"
expect "another VM's learner heard of now is active" grep -qE '^frank .* active$' <<<"$plain"
expect "summary counts the stuck one" grep -qx 'uts: 0 done, 2 on step 1, 1 on step 2, 1 on step 3, 1 stuck > 5 min, 1 left' <<<"$plain"

# On a terminal: the live table, stuck first, read again while it is up; q leaves.
if command -v tmux >/dev/null; then
	tsock=nslab-test-class-$$
	tmux -L "$tsock" new-session -d -x 100 -y 30 \
		"env TERM=xterm-256color '$NSLAB' --class '$CLASS'; echo \$? >'$LEARN_HOME/tui.status'; sleep 30"
	screen_has() { # REGEX: within 6 s
		local i
		for ((i = 0; i < 60; i++)); do
			tmux -L "$tsock" capture-pane -p -t 0 | grep -Eq -- "$1" && return 0
			sleep 0.1
		done
		tmux -L "$tsock" capture-pane -p -t 0 | sed 's/^/# screen: /'
		return 1
	}
	expect "live view: a title line" screen_has '^nslab class view: .* 5 learners'
	expect "live view: the stuck learner is the first row" \
		test "$(tmux -L "$tsock" capture-pane -p -t 0 | sed -n 4p | awk '{ print $1, $NF }')" = "dave stuck"
	expect "live view: the summary line" screen_has '^uts: 0 done, .*1 stuck > 5 min'
	cat >"$CLASS/zoe.json" <<JSON
{"version": 1, "learner": "zoe", "boot_id": "another-vm", "lab": "uts", "step": 2, "steps": 3, "since": $now, "updated": $(date +%s)}
JSON
	expect "live view: a learner who joins appears without a key press" screen_has '^zoe +uts +2/3'
	tmux -L "$tsock" send-keys -t 0 q
	for ((i = 0; i < 50; i++)); do [ -s "$LEARN_HOME/tui.status" ] && break; sleep 0.1; done
	expect "live view: q leaves, exit 0" test "$(cat "$LEARN_HOME/tui.status" 2>/dev/null)" = 0
	tmux -L "$tsock" kill-server 2>/dev/null
	rm -f "$CLASS/zoe.json"
else
	ok "# SKIP tmux is not installed (live view not tested)"
fi

# alice quits mid-lab: left, at the step she was on. bob is SIGKILLed: his file still says active, but his
# PID is gone, so the view says stale.
printf '%s\n' "quit" >&7
exec 7>&-
wait "$alice_pid"
expect "alice's file says she left" grep -q '"left": true' "$CLASS/alice.json"
expect "alice's left file keeps her lab and step" grep -q '"step": 2' "$CLASS/alice.json"
kill -9 "$bob_pid"
exec 6>&-
wait "$bob_pid" 2>/dev/null
"$NSLAB" --cleanup >/dev/null 2>&1
expect "bob's file still says active (he never said goodbye)" grep -q '"left": false' "$CLASS/bob.json"
plain=$("$NSLAB" --class "$CLASS" 2>&1)
expect "the view shows alice as left" grep -qE '^alice .* left$' <<<"$plain"
expect "the view shows the killed bob as stale" grep -qE '^bob .* stale$' <<<"$plain"

# Hostile files: skipped with one line each, the rest still shown, no hang.
ln -s /etc/shadow "$CLASS/shadow.json"
mkfifo "$CLASS/fifo.json"
head -c 200000 /dev/zero | tr '\0' ' ' >"$CLASS/huge.json"
printf '{"version": 1, "learner": ' >"$CLASS/bad.json"
printf '{"version": 1, "learner": "x", "lab": {"nested": 1}}' >"$CLASS/nested.json"
ln "$CLASS/frank.json" "$CLASS/frank2.json"
printf '{"version": 1, "learner": "\\u001b]0;pwned\\u0007mallory\\u001b[2J", "lab": "uts", "step": 1, "steps": 3}' \
	>"$CLASS/mallory.json"
plain=$(timeout 20 "$NSLAB" --class "$CLASS" 2>"$LEARN_HOME/err")
rc=$?
sed 's/^/# err: /' "$LEARN_HOME/err"
expect "the view survives hostile files (exit 0)" test "$rc" = 0
expect "a symlink is skipped, said" grep -q "shadow.json: skipped: a symlink" "$LEARN_HOME/err"
expect "a FIFO is skipped, said (no hang)" grep -q "fifo.json: skipped: not a regular file" "$LEARN_HOME/err"
expect "a huge file is skipped, said" grep -q "huge.json: skipped: too big (200000 bytes)" "$LEARN_HOME/err"
expect "bad JSON is skipped, said" grep -q "bad.json: skipped: expected a value" "$LEARN_HOME/err"
expect "nested JSON is skipped, said" grep -q "nested.json: skipped: nested value" "$LEARN_HOME/err"
expect "a hard link is skipped, said" grep -q "frank2.json: skipped: a hard link" "$LEARN_HOME/err"
expect "one line per skipped file" test "$(wc -l <"$LEARN_HOME/err")" = 7 # frank.json has two names now
expect "escape sequences never reach the terminal" bash -c '! grep -q $'"'"'\e'"'"' <<<"$1"' _ "$plain"
expect "the cleaned name is still shown" grep -q '?\]0;pwned?mallory?\[2J' <<<"$plain"
expect "good files are still shown" grep -qE '^(dave|alice|bob) ' <<<"$plain"
"$NSLAB" --class "$CLASS" --json >"$LEARN_HOME/class.json" 2>/dev/null
expect "--json lists the skipped files with reasons" \
	test "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["skipped"]))' "$LEARN_HOME/class.json")" = 7

# A symlink planted under a learner's file name is never written through:
# the rename cannot replace root's link in a sticky dir, so carol is told.
echo precious >"$LEARN_HOME/target"
ln -s "$LEARN_HOME/target" "$CLASS/carol.json"
out=$(printf 'labs\nquit\n' | XDG_STATE_HOME=$LEARN_HOME/carol NSLAB_LEARNER=carol NSLAB_CLASS_DIR=$CLASS "$NSLAB" --script - 2>&1)
expect "the symlink's target is untouched" test "$(cat "$LEARN_HOME/target")" = precious
expect "carol is told, once, in one line" test "$(grep -c 'class view: cannot write' <<<"$out")" = 1
expect "carol's session went on" grep -q 'uts' <<<"$out"

# The directory itself: a symlink, or missing, is one line and exit 1.
ln -s "$CLASS" "$LEARN_HOME/link"
out=$("$NSLAB" --class "$LEARN_HOME/link" 2>&1)
expect "--class through a symlink: exit 1, one line" test "$?/$(wc -l <<<"$out")" = 1/1
out=$("$NSLAB" --class /nonexistent-class 2>&1)
expect "--class of a missing dir says so" grep -qx 'nslab: cannot read /nonexistent-class: No such file or directory' <<<"$out"
out=$("$NSLAB" --json 2>&1)
expect "--json without --class is a usage error (exit 2)" test "$?" = 2

same_as_before "host fingerprint unchanged"
finish
