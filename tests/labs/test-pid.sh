#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-pid.sh: the PID namespace lab against the real kernel (root).
# shellcheck source=tests/lib/common.sh disable=SC2016
# (REPL lines in single quotes are expanded by the shell inside nslab, not here.)
. "$(dirname "$0")/../lib/common.sh"

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

kill_mid_lab pid 3 "$before"
expect "pid: no orphan left after SIGKILL" test "$(orphans)" = 0
finish
