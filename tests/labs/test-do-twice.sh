#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-do-twice.sh: `do` typed again on a step whose check already passes says
# so and changes nothing, so a script that walks a lab twice over still exits 0
# (root; run through tests/run-suite.sh). Before, pid step 4 failed with
# unshare(CLONE_NEWPID) EINVAL and cgroupns step 3 with mount EBUSY.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
require_nslab

before=$(host_state)
for id in pid cgroupns uts; do
	n=$(lab_steps "$id")
	script=$(printf 'start %s\n' "$id"; for ((i = 1; i <= n; i++)); do printf 'do\ndo\ncheck\nnext\n'; done; printf 'stop\n')
	out=$(printf '%s\n' "$script" | nslab_script - 2>&1)
	st=$?
	expect "$id: every step done twice, script exits 0 (exit $st)" test "$st" -eq 0
	expect "$id: the second do says the step is already done" \
		test "$(grep -c 'is already done' <<<"$out")" -eq "$n"
	expect "$id: every check passes" test "$(grep -c '^check: ok' <<<"$out")" -eq "$n"
	[ "$st" -eq 0 ] || printf '%s\n' "$out" | grep -iE 'error|fail|not yet' | sed 's/^/#   /' | head -5
done
same_fingerprint "$before" "do twice: host unchanged"
finish
