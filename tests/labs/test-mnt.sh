#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-mnt.sh: the mount namespace lab against the real kernel (root).
# shellcheck source=tests/lib/common.sh disable=SC2016
# (REPL lines in single quotes are expanded by the shell inside nslab, not here.)
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=tests/lib/byhand.sh
. "$(dirname "$0")/../lib/byhand.sh"

require_nslab

# --- mnt ---
before=$(host_state)
walk_lab mnt
lab_ns_differs mnt mnt

out=$( { done_script mnt; printf 'run grep -c nslab-demo /proc/self/mountinfo\nhost grep -c nslab-demo /proc/self/mountinfo\nrun cat data/hello.txt\nhost ls -A /run/nslab/$PPID/mnt/data | wc -l\nstop\n'; } | nslab_script - 2>&1)
expect "mnt: the tmpfs is in the lab's mountinfo" test "$(get 'run grep -c nslab-demo \/proc\/self\/mountinfo')" = 1
expect "mnt: the tmpfs is not in the host's mountinfo" test "$(get 'host grep -c nslab-demo \/proc\/self\/mountinfo')" = 0
expect "mnt: the lab reads its file" test "$(get 'run cat data\/hello.txt')" = "hello from the lab's mount namespace"
same_fingerprint "$before" "mnt: after the lab"

# Skipping "make private": the mount propagates out, and the check says so;
# stop takes it down again.
out=$(printf 'start mnt\nmntns\nstep 3\nrun mount -t tmpfs -o size=1m nslab-demo data\ncheck\nstop\n' | nslab_script - 2>&1)
expect "mnt: a shared copy propagates, and the check names it" grep -q 'missing: .*propagated out' <<<"$out"
same_fingerprint "$before" "mnt: after the propagation demo"

# By hand: each step's own task lines (unshare(1) --mount, mount), fresh and after reset.
byhand_walk mnt
same_fingerprint "$before" "mnt: after the walk by hand"

# The real tool started on the host side (`host ... &`, in the lab cgroup;
# cd to the lab's directory, as `run` starts there).
out=$(printf '%s\n' 'start mnt' check 'host unshare --mount --propagation unchanged sleep 3631 &' 'host sleep 0.3' check next \
	check "host unshare --mount sh -c 'sleep 3632' &" 'host sleep 0.3' check next \
	check "host cd \$NSLAB_LAB_DIR && unshare --mount sh -c 'mount -t tmpfs nslab-demo data; sleep 3633' &" 'host sleep 0.3' check next \
	check "host cd \$NSLAB_LAB_DIR && unshare --mount sh -c 'mount -t tmpfs nslab-demo data; echo hi > data/f; sleep 3634' &" 'host sleep 0.3' check \
	stop | nslab_script - 2>&1)
expect "mnt: host unshare ... &: each check fails before, passes after ($(check_results "$out"))" \
	test "$(check_results "$out")" = nononono
expect "mnt: host unshare ... &: the sleeps are gone after stop" bash -c '! pgrep -f "sleep 363[1234]"'
same_fingerprint "$before" "mnt: after the host & path"

# A process started outside nslab (a second terminal) that mounts a tmpfs on
# the lab's data directory in a mount namespace of its own, shown by `watch PID`.
sess_start
sess_send "start mnt" "step 3" check 'host echo STARTED-MNT'
if sess_wait '^STARTED-MNT'; then
	wd=/run/nslab/$SESS_PID/mnt
	unshare --mount sh -c "mount -t tmpfs nslab-demo $wd/data && echo hi > $wd/data/f; exec sleep 3635" 9>&- &
	outside=$!
	sleep 0.3
	sess_send "watch $outside" check 'step 4' check "unwatch $outside" check 'host echo END-MNT'
	sess_wait '^END-MNT' || true
	res=$(check_results "$(cat "$SESS_DIR/out")")
	expect "mnt: watch PID: step 3 fails before the watch, passes after; step 4 passes, fails after unwatch ($res)" \
		test "$res" = noon
	expect "mnt: watch PID: the host does not see the outside tmpfs" bash -c "! grep -q ' $wd/data ' /proc/self/mountinfo"
	kill -KILL "$outside"
	wait "$outside" 2>/dev/null
	gone "$outside"
else
	not_ok "mnt: the lab did not start for the watch PID test"
fi
sess_stop
same_fingerprint "$before" "mnt: after the watched outside process"

kill_mid_lab mnt 3 "$before"
finish
