#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-ipc.sh: the IPC namespace lab against the real kernel (root).
# shellcheck source=tests/lib/common.sh disable=SC2016
# (REPL lines in single quotes are expanded by the shell inside nslab, not here.)
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=tests/lib/byhand.sh
. "$(dirname "$0")/../lib/byhand.sh"

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

# By hand: each step's own task lines (unshare(1) --ipc, ipcmk), fresh and after reset.
byhand_walk ipc
same_fingerprint "$before" "ipc: after the walk by hand (no IPC object left)"

# The real tool started on the host side (`host ... &`, in the lab cgroup).
out=$(printf '%s\n' 'start ipc' check "host unshare --ipc sleep 3621 &" 'host sleep 0.3' check next \
	check "host unshare --ipc sh -c 'ipcmk -M 2000; sleep 3622' &" 'host sleep 0.3' check next \
	check 'host ipcmk -M 1000' check next \
	check "host unshare --ipc sh -c 'ipcmk -Q; ipcmk -S 1; sleep 3623' &" 'host sleep 0.3' check stop | nslab_script - 2>&1)
expect "ipc: host unshare ... &: each check fails before, passes after ($(check_results "$out"))" \
	test "$(check_results "$out")" = nononono
expect "ipc: host unshare ... &: the sleeps are gone after stop" bash -c '! pgrep -f "sleep 362[123]"'
same_fingerprint "$before" "ipc: after the host & path"

# Step 3 with the real tool: a 1000-byte segment already on the host before
# the lab started does not pass it; `host ipcmk -M 1000` does, and nslab
# removes that segment at stop (the older one stays: it is not the lab's).
older=$(ipcmk -M 1000 | sed -n 's/^Shared memory id: //p')
out=$(printf '%s\n' 'start ipc' 'run unshare --ipc sleep 3625 &' 'host sleep 0.3' 'step 3' check \
	'host ipcmk -M 1000' check stop | nslab_script - 2>&1)
expect "ipc: host ipcmk -M 1000: step 3 fails with only an older segment, passes after ($(check_results "$out"))" \
	test "$(check_results "$out")" = no
expect "ipc: the check says the 1000-byte segment there is older" grep -q 'since the lab started (the ones there are older)' <<<"$out"
expect "ipc: the older segment is still there after stop" bash -c "ipcs -m | awk '\$2 == ${older:-x}' | grep -q ."
made=$(sed -n 's/^Shared memory id: //p' <<<"$out" | head -1)
expect "ipc: the segment host ipcmk made ($made) is gone after stop" bash -c "[ -n '$made' ] && ! ipcs -m | awk '\$2 == $made' | grep -q ."
ipcrm -m "$older"
same_fingerprint "$before" "ipc: after the real ipcmk path"

# A process started outside nslab (a second terminal), shown by `watch PID`.
unshare --ipc sh -c 'ipcmk -M 2000 >/dev/null; ipcmk -Q >/dev/null; ipcmk -S 1 >/dev/null; exec sleep 3624' 9>&- &
outside=$!
sleep 0.3
out=$(printf '%s\n' 'start ipc' 'step 2' check "watch $outside" check 'step 4' check "unwatch $outside" check stop |
	nslab_script - 2>&1)
expect "ipc: watch PID: step 2 fails before the watch, passes after; step 4 passes, fails after unwatch ($(check_results "$out"))" \
	test "$(check_results "$out")" = noon
kill -KILL "$outside"
wait "$outside" 2>/dev/null
gone "$outside"
same_fingerprint "$before" "ipc: after the watched outside process (its namespace and objects gone)"

kill_mid_lab ipc 3 "$before"
finish
