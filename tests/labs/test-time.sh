#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-time.sh: the time namespace lab against the real kernel (root).
# shellcheck source=tests/lib/common.sh disable=SC2016
# (REPL lines in single quotes are expanded by the shell inside nslab, not here.)
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=tests/lib/byhand.sh
. "$(dirname "$0")/../lib/byhand.sh"

require_nslab

# --- time ---
if [ ! -e /proc/self/ns/time ]; then
	echo "$(basename "$0"): skip: this kernel has no time namespaces"
	exit 0
fi
before=$(host_state)
walk_lab time
lab_ns_differs time time

out=$( { done_script time; printf 'run cat /proc/uptime\nhost cat /proc/uptime\nrun date +%%s\nhost date +%%s\nstop\n'; } | nslab_script - 2>&1)
lab_up=$(get 'run cat \/proc\/uptime' | awk '{ print $1 }')
host_up=$(get 'host cat \/proc\/uptime' | awk '{ print $1 }')
expect "time: uptime inside is ten days ahead ($lab_up vs $host_up)" awk -v a="${lab_up:-0}" -v b="${host_up:-0}" 'BEGIN { d = a - b - 864000; exit !(d < 1 && d > -1) }'
lab_rt=$(get 'run date +%s'); host_rt=$(get 'host date +%s')
expect "time: the wall clock is the same ($lab_rt vs $host_rt)" awk -v a="${lab_rt:-0}" -v b="${host_rt:-9}" 'BEGIN { d = a - b; exit !(d <= 1 && d >= -1) }'
# Offsets freeze once a process is inside.
out=$( { done_script time; printf 'host echo "boottime 1 0" > /proc/$NSLAB_LAB_PID/timens_offsets || echo FROZEN\nstop\n'; } | nslab_script - 2>&1)
expect "time: offsets are frozen after the first process entered" grep -q '^FROZEN' <<<"$out"
same_fingerprint "$before" "time: after the lab"

# By hand: each step's own task lines (unshare(1) --time), fresh and after reset.
byhand_walk time
same_fingerprint "$before" "time: after the walk by hand"

# The real tool started on the host side (`host ... &`, in the lab cgroup).
# unshare(1) writes the offsets and forks a process inside in one command,
# so step 3 is done on arrival by step 2's command.
out=$(printf '%s\n' 'start time' check 'host unshare --time --fork sleep 3661 &' 'host sleep 0.3' check next \
	check 'host unshare --time --monotonic 864000 --boottime 864000 --fork sleep 3662 &' 'host sleep 0.3' check next \
	check stop | nslab_script - 2>&1)
expect "time: host unshare --time ... &: steps 1 and 2 fail before, pass after; step 3 passes with step 2's command ($(check_results "$out"))" \
	test "$(check_results "$out")" = nonoo
expect "time: host unshare --time ... &: the sleeps are gone after stop" bash -c '! pgrep -f "sleep 366[12]"'

# A process started outside nslab (a second terminal), shown by `watch PID`.
unshare --time --monotonic 864000 --boottime 864000 --fork sleep 3664 9>&- &
outside=$!
sleep 0.3
inside=$(pgrep -P "$outside" | head -1)
out=$(printf '%s\n' 'start time' 'step 3' check "watch $inside" check "unwatch $inside" check stop | nslab_script - 2>&1)
expect "time: watch PID: step 3 fails before the watch, passes after, fails after unwatch ($(check_results "$out"))" \
	test "$(check_results "$out")" = non
kill -KILL "$inside" "$outside" 2>/dev/null
wait "$outside" 2>/dev/null
same_fingerprint "$before" "time: after the real-tool paths"

kill_mid_lab time 2 "$before"
finish
