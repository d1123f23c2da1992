#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-ipc.sh: the IPC namespace lab against the real kernel (root).
# shellcheck source=tests/lib/common.sh disable=SC2016
# (REPL lines in single quotes are expanded by the shell inside nslab, not here.)
. "$(dirname "$0")/../lib/common.sh"

require_nslab

# --- ipc ---
before=$(host_state)
walk_lab ipc
lab_ns_differs ipc ipc

out=$( { done_script ipc; printf 'run ipcs -m | grep -c " 2000 "\nhost ipcs -m | grep -c " 2000 "\nhost ipcs -m | grep -c " 1000 "\nrun ipcs -m | grep -c " 1000 "\nstop\n'; } | nslab_script - 2>&1)
expect "ipc: the lab lists its 2000-byte segment" test "$(get 'run ipcs -m | grep -c " 2000 "')" = 1
expect "ipc: the host does not list it" test "$(get 'host ipcs -m | grep -c " 2000 "')" = 0
expect "ipc: the host lists its 1000-byte segment" test "$(get 'host ipcs -m | grep -c " 1000 "')" = 1
expect "ipc: the lab does not list the host's" test "$(get 'run ipcs -m | grep -c " 1000 "')" = 0
same_fingerprint "$before" "ipc: after the lab (no IPC object left)"

kill_mid_lab ipc 3 "$before"
finish
