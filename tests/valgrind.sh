#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# valgrind.sh: one script-mode session (labs, help, a uts lab walked with
# `do`, the namespace tables, stop, quit) under memcheck. Fails on any
# memory error in nslab or in its forked lab agents (they run plugin code in
# nslab's address space), on a definite or possible leak in nslab, and if
# the session itself fails. Needs root (the uts lab clones a namespace).
set -u
cd "$(dirname "$0")/.." || exit 2
NSLAB=${NSLAB:-build/nslab}
logs=$(mktemp -d /tmp/nslab-valgrind.XXXXXX)
trap 'rm -rf "$logs"' EXIT

# Agents are forked, not exec'ed, so memcheck follows them whatever
# --trace-children says; each process logs to its own file. Agents are
# SIGKILLed at stop and print no summary, so errors are found by marker.
script='labs
help
start uts
do
check
ns
ns --all
stop
quit
'
# The suites' machine-wide lock, unless a caller already holds it (see run-suite.sh).
lock=(flock /tmp/.nslab-tests.lock)
[ -n "${NSLAB_TESTS_LOCKED:-}" ] && lock=()
printf '%s' "$script" | "${lock[@]}" \
	valgrind --leak-check=full --error-exitcode=1 --trace-children=no \
	--suppressions=tests/valgrind.supp --error-markers=NSLAB-VG-ERROR,NSLAB-VG-END \
	--log-file="$logs/vg.%p.log" "$NSLAB" --script - >"$logs/session.out" 2>&1
rc=$?
errors=$(cat "$logs"/vg.*.log | grep -c '^==[0-9]*== NSLAB-VG-ERROR$')
summary=$(grep -h 'ERROR SUMMARY\|definitely lost\|possibly lost' "$logs"/vg.*.log | sed 's/^==[0-9]*== *//')
echo "valgrind: session exit $rc, $errors error(s) in $(find "$logs" -name "vg.*.log" | wc -l) process(es)"
echo "$summary"
if [ "$rc" -ne 0 ] || [ "$errors" -ne 0 ]; then
	for f in "$logs"/vg.*.log; do
		grep -q 'NSLAB-VG-ERROR$\|lost: [1-9]' "$f" && cat "$f"
	done
	[ "$rc" -ne 0 ] && tail -n 20 "$logs/session.out"
	echo "valgrind: FAILED"
	exit 1
fi
echo "valgrind: ok"
