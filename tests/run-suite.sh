#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run-suite.sh NAME TEST...: runs each test (a cmocka driver or a test-*.sh),
# one at a time under a machine-wide lock, since root suites share one kernel.
# Prints a closing "N passed, N failed" line; exits 1 if any failed.
# The body is one function, read whole before it runs: editing this file
# while a suite is running cannot break that run.
set -u
main() {
	local name=$1
	shift
	# A suite started under the lock (make check -> make unit) must not wait for it.
	if [ -z "${NSLAB_TESTS_LOCKED:-}" ]; then
		exec 9>/tmp/.nslab-tests.lock
		flock 9
		export NSLAB_TESTS_LOCKED=1
	fi
	local pass=0 fail=0 failed=() t
	for t in "$@"; do
		[ -e "$t" ] || continue
		echo "=== $name: $t"
		if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed+=("$t"); fi
	done
	[ "$fail" -eq 0 ] || printf '%s: FAILED: %s\n' "$name" "${failed[*]}"
	echo "$name: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
main "$@"
exit
