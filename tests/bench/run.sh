#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/run.sh: `make bench`. Runs every tests/bench/*.sh except itself,
# one after the other, and says which failed. It does NOT hold the test lock
# (/tmp/.nslab-tests.lock) itself: each benchmark takes it around the part that
# touches the kernel, and a lock held here would deadlock a benchmark that
# opens the lock file again.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
self=$(basename "${BASH_SOURCE[0]}")
pass=0 fail=0 failed=()
for b in "$here"/*.sh; do
	[ "$(basename "$b")" = "$self" ] && continue
	[ -e "$b" ] || continue
	echo "=== bench: ${b#"$here"/}"
	if bash "$b"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed+=("$(basename "$b")"); fi
done
[ "$fail" -eq 0 ] || echo "bench: FAILED: ${failed[*]}"
echo "bench: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
