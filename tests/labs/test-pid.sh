#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-pid.sh: the PID namespace lab against the real kernel (root).
# shellcheck source=tests/lib/common.sh disable=SC2016
# (REPL lines in single quotes are expanded by the shell inside nslab, not here.)
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=tests/lib/byhand.sh
. "$(dirname "$0")/../lib/byhand.sh"

require_nslab

# --- pid ---
before=$(host_state)
orphans() { pgrep -cxf 'sleep 3141'; }
walk_lab pid
lab_ns_differs pid pid

out=$( { done_script pid; printf 'host grep NSpid /proc/$NSLAB_LAB_PID/status\nrun ps -e -o pid= | wc -l\nrun ps -o ppid= -C sleep\nstop\n'; } | nslab_script - 2>&1)
expect "pid: NSpid of the main process ends in 1" grep -qP '^NSpid:\t[0-9]+\t1$' <<<"$(get 'host grep NSpid \/proc\/$NSLAB_LAB_PID\/status')"
nps=$(get 'run ps -e -o pid= | wc -l')
expect "pid: ps inside lists only the lab ($nps processes)" test "${nps:-99}" -le 8
expect "pid: the orphan's parent is PID 1" test "$(get 'run ps -o ppid= -C sleep' | tr -d ' ')" = 1
expect "pid: PID 1 gone, its orphans are gone too" test "$(orphans)" = 0
same_fingerprint "$before" "pid: after the lab"

# By hand: each step's own task lines, fresh and after reset.
byhand_walk pid
expect "pid: by hand: no orphan left after stop" test "$(orphans)" = 0
same_fingerprint "$before" "pid: after the walk by hand"

# The seed's commands started on the host side (`host ... &`, in the lab cgroup).
out=$(printf '%s\n' 'start pid' check 'host unshare --mount sleep 3641 &' 'host sleep 0.3' check next \
	check 'host unshare --pid --fork --mount-proc sleep 3642 &' 'host sleep 0.3' check next \
	check "host unshare --pid --fork --mount-proc sh -c '(sleep 3141 &); sleep 3643'  &" 'host sleep 0.3' check next \
	check 'host unshare --pid --fork unshare --pid --fork sleep 3644 &' 'host sleep 0.3' check stop | nslab_script - 2>&1)
expect "pid: host unshare ... &: each check fails before, passes after ($(check_results "$out"))" \
	test "$(check_results "$out")" = nononono
expect "pid: host unshare ... &: the sleeps are gone after stop" bash -c '! pgrep -f "sleep 364[1234]"'

# A process started outside nslab (a second terminal), shown by `watch PID`:
# the PID 1 that unshare --fork made.
unshare --pid --fork --mount-proc sh -c '(sleep 3141 &); exec sleep 3645' 9>&- &
outside=$!
sleep 0.3
init=$(pgrep -P "$outside" | head -1)
out=$(printf '%s\n' 'start pid' 'step 2' check "watch $init" check 'step 3' check "unwatch $init" check stop |
	nslab_script - 2>&1)
expect "pid: watch PID: step 2 fails before the watch, passes after; step 3 passes, fails after unwatch ($(check_results "$out"))" \
	test "$(check_results "$out")" = noon
# SIGKILL: PID 1 of a namespace gets SIGTERM only if it handles it
kill -KILL "$init" "$outside" 2>/dev/null
wait "$outside" 2>/dev/null
gone "$init"
expect "pid: the outside namespace's orphan died with its PID 1" test "$(orphans)" = 0
same_fingerprint "$before" "pid: after the real-tool paths"

kill_mid_lab pid 3 "$before"
expect "pid: no orphan left after SIGKILL" test "$(orphans)" = 0
finish
