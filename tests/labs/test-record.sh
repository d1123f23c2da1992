#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-record.sh: record and replay on the real kernel (root; run through
# tests/run-suite.sh). A session that walks two steps of the uts lab with
# check/do/next is recorded with --record, as root under sudo for nobody: the
# file is nobody's, holds the commands in order with a '#' line per step, and
# replayed with --script and with --demo (keys from a pipe) it gives the same
# check results. `record FILE` / `record stop` in the REPL record only what
# lies between them. A symlink, a FIFO, or a directory nobody cannot write
# is refused in one line, and the session goes on.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
require_nslab

before=$(fingerprint)
W=$(mktemp -d /tmp/nslab-test-record.XXXXXX)
chmod 755 "$W"
mkdir "$W/nobody"
chown 65534:65534 "$W/nobody"
trap 'rm -rf "$XDG_STATE_HOME" "$W"' EXIT
export SUDO_UID=65534 SUDO_GID=65534
REC=$W/nobody/session.nslab

# checks OUTPUT: the check verdicts in order, one a line.
checks() { grep -oE '^check: (ok|not yet) - step [0-9]+/[0-9]+' <<<"$1"; }

session='start uts
check
do
check
next
check
do
check
bogus-command
next'
out=$(printf '%s\n' "$session" | XDG_STATE_HOME=$W/nobody "$NSLAB" --record "$REC" --script - 2>&1)
recorded=$(checks "$out")
echo "$recorded" | sed 's/^/# recorded: /'
expect "the session checked two steps, each failing then passing" test "$(tr '\n' ' ' <<<"$recorded")" = \
	"check: not yet - step 1/3 check: ok - step 1/3 check: not yet - step 2/3 check: ok - step 2/3 "
expect "the recording belongs to the learner (nobody)" test "$(stat -c %u:%g "$REC")" = 65534:65534
sed 's/^/# file: /' "$REC"
expect "the recording holds every command, in order, without the unknown one" \
	test "$(grep -v '^#' "$REC" | tr '\n' ' ')" = "start uts check do check next check do check next "
expect "a narration line for step 1, after start" test "$(sed -n '/^start uts$/{n;p}' "$REC" | cut -c1-10)" = "# uts 1/3:"
expect "a narration line for step 2, after next" grep -q '^# uts 2/3: ' "$REC"
expect "a narration line for step 3 at the end" test "$(tail -1 "$REC" | cut -c1-10)" = "# uts 3/3:"

# Replayed as a script: the same checks, the same verdicts.
out=$(XDG_STATE_HOME=$W/nobody "$NSLAB" --script "$REC" 2>&1)
expect "--script replay gives the same check verdicts" test "$(checks "$out")" = "$recorded"
# Replayed as a demo, keys from a pipe: the narration is shown, the same checks pass.
out=$(yes '' | head -50 | XDG_STATE_HOME=$W/nobody timeout 120 "$NSLAB" --demo "$REC" 2>&1)
rc=$?
expect "--demo replay exits 0" test "$rc" = 0
expect "--demo replay gives the same check verdicts" test "$(checks "$out")" = "$recorded"
expect "--demo shows the step narration" grep -q '^# uts 2/3: ' <<<"$out"

# In the REPL: only what lies between `record FILE` and `record stop`.
out=$(printf '%s\n' "start uts" "do" "record $W/nobody/part.nslab" "record" "check" "next" "record stop" "do" "stop" |
	XDG_STATE_HOME=$W/nobody "$NSLAB" --script - 2>&1)
expect "record says where it writes" grep -q "^recording to $W/nobody/part.nslab" <<<"$out"
expect "record stop says how to play it" grep -q "nslab --demo $W/nobody/part.nslab" <<<"$out"
sed 's/^/# part: /' "$W/nobody/part.nslab"
expect "only the commands between record and record stop" \
	test "$(grep -v '^#' "$W/nobody/part.nslab" | tr '\n' ' ')" = "check next "
expect "it starts with the step it was at" test "$(sed -n 2p "$W/nobody/part.nslab" | cut -c1-10)" = "# uts 1/3:"
expect "that file is nobody's too" test "$(stat -c %u "$W/nobody/part.nslab")" = 65534

# Refusals: one line each, the session goes on, nothing written through.
echo precious >"$W/target"
ln -s "$W/target" "$W/nobody/link.nslab"
mkfifo "$W/nobody/fifo.nslab"
chown 65534:65534 "$W/nobody/fifo.nslab" # the learner's own FIFO: open would block without O_NONBLOCK
mkdir -m 755 "$W/rootonly"
out=$(printf '%s\n' "record $W/nobody/link.nslab" "record $W/nobody/fifo.nslab" "record $W/rootonly/x.nslab" "labs" |
	XDG_STATE_HOME=$W/nobody timeout 30 "$NSLAB" --script - 2>&1)
echo "$out" | grep record | sed 's/^/# /'
expect "a symlink is refused" grep -q "record: cannot write $W/nobody/link.nslab: Too many levels of symbolic links" <<<"$out"
expect "the symlink's target is untouched" test "$(cat "$W/target")" = precious
expect "a FIFO is refused (no hang)" grep -q "record: cannot write $W/nobody/fifo.nslab: not a regular file" <<<"$out"
expect "a directory only root may write is refused: written as the learner" \
	grep -q "record: cannot write $W/rootonly/x.nslab: Permission denied" <<<"$out"
expect "nothing was made there" test ! -e "$W/rootonly/x.nslab"
expect "the session went on" grep -q '^  uts ' <<<"$out"
out=$(printf 'labs\n' | XDG_STATE_HOME=$W/nobody "$NSLAB" --record "$W/rootonly/y.nslab" --script - 2>&1)
expect "--record to a place the learner cannot write: one line, the session goes on" \
	test "$(grep -c 'cannot write' <<<"$out")/$(grep -c '^  uts ' <<<"$out")" = 1/1

same_as_before "host fingerprint unchanged"
finish
