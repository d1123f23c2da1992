#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-catchup.sh: `catchup N` brings a lab to the start of its step N by
# performing and checking every earlier step, one line each, from a fresh
# start and again after `reset`; the step it lands on is not done for the
# learner. Root; run through tests/run-suite.sh. The cpu lab is left out: its
# checks measure CPU shares, which a loaded machine cannot promise (its steps
# are walked by test-cpu.sh).
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
require_nslab

before=$(host_state)
for id in chroot chroot-escape pivot-root overlay mnt uts ipc pid net bridge user capabilities seccomp cgroupns time nsenter memory pids container; do
	n=$(lab_steps "$id")
	[ -n "$n" ] || { not_ok "$id: cannot read its number of steps"; continue; }
	out=$(printf '%s\n' "start $id" "catchup $n" status reset "catchup $n" status stop | nslab_script - 2>&1)
	st=$?
	caught=$(grep -cE "^catchup: step [0-9]+/$n .*: (done by .do.|already done)$" <<<"$out")
	expect "$id: catchup $n performs steps 1-$((n - 1)), fresh and after reset ($caught lines, exit $st)" \
		test "$caught" -eq $((2 * (n - 1))) -a "$st" -eq 0
	expect "$id: it lands on step $n both times" test "$(grep -c "^step: $n/$n" <<<"$out")" -eq 2
	expect "$id: nothing failed on the way" bash -c "! grep -qE 'did not reach|^nslab: ' <<<\"\$1\"" _ "$out"
	[ "$caught" -eq $((2 * (n - 1))) ] || printf '%s\n' "$out" | grep -E 'catchup|nslab:|missing' | sed 's/^/#   /' | head -8
done

# The default goes to the first step not done by the learner's progress
# (a progress of its own: the loop above marked uts steps 1-2 done).
fresh=$(mktemp -d /tmp/nslab-test-state.XXXXXX)
out=$(printf '%s\n' 'start uts' 'do' check catchup status stop | XDG_STATE_HOME=$fresh nslab_script - 2>&1)
rm -rf "$fresh"
expect "catchup without N goes to the first step not done (uts step 2)" grep -q '^step: 2/' <<<"$out"
out=$(printf '%s\n' 'start uts' 'catchup 9' stop | nslab_script - 2>&1)
expect "catchup past the last step says the range" grep -q 'catchup: step must be 1 to 3' <<<"$out"
same_fingerprint "$before" "catchup: host unchanged"
finish
