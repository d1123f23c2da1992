#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-uts.sh: the uts lab on the real kernel (root; run through tests/run-suite.sh).
# Each step's check fails before `do` and passes after; the lab process has its own
# UTS namespace and hostname while the host keeps its own; the host is left as found,
# also after nslab is SIGKILLed mid-lab and `nslab --cleanup` runs.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=tests/lib/byhand.sh
. "$(dirname "$0")/../lib/byhand.sh"

before=$(fingerprint)
host_name=$(hostname)

walk_lab uts

# By hand: each step's own task lines (the real unshare(1)), fresh and after reset.
byhand_walk uts
expect "by hand: the host kept its hostname" test "$(hostname)" = "$host_name"
same_as_before "host fingerprint unchanged after the walk by hand"

# The real tool started on the host side (`host ... &`, in the lab cgroup):
# each step's check fails before and passes after.
out=$(printf '%s\n' 'start uts' check "host unshare --uts sh -c 'hostname nslab-lab; sleep 3611' &" 'host sleep 0.3' check next \
	check "host unshare --uts sh -c 'domainname nslab.test; sleep 3612' &" 'host sleep 0.3' check next \
	check "host unshare --uts sh -c 'echo nslab-proc > /proc/sys/kernel/hostname; sleep 3613' &" 'host sleep 0.3' check stop |
	nslab_script - 2>&1)
expect "host unshare ... &: each check fails before, passes after ($(check_results "$out"))" \
	test "$(check_results "$out")" = nonono
expect "host unshare ... &: the sleeps are gone after stop" bash -c '! pgrep -f "sleep 361[123]"'
expect "host unshare ... &: the host kept its hostname" test "$(hostname)" = "$host_name"

# A process started outside nslab (the learner's second terminal), shown to
# nslab by `watch PID`: before the watch the check fails, after it passes.
# exec: the watched PID is the sleep itself, and killing it ends the namespace;
# 9>&-: it must not hold run-suite's lock (fd 9) should it outlive the test.
unshare --uts sh -c 'hostname nslab-outside; echo nslab-proc > /proc/sys/kernel/hostname; exec sleep 3614' 9>&- &
outside=$!
sleep 0.3
out=$(printf '%s\n' 'start uts' check "watch $outside" check 'step 3' check "unwatch $outside" check stop |
	nslab_script - 2>&1)
expect "watch PID: step 1 fails before the watch, passes after; step 3 passes, then fails after unwatch ($(check_results "$out"))" \
	test "$(check_results "$out")" = noon
kill -KILL "$outside"
wait "$outside" 2>/dev/null
gone "$outside"
expect "watch PID: the host kept its hostname" test "$(hostname)" = "$host_name"
same_as_before "host fingerprint unchanged after the real-tool paths"

# The lab process lives in a UTS namespace of its own; renaming it leaves the host alone.
sess_start
sess_send "start uts" status
if sess_wait '^cgroup:'; then
	lab_pid=$(sess_field pid)
	expect "lab process $lab_pid is alive" test -d "/proc/$lab_pid"
	lab_ns=$(readlink "/proc/$lab_pid/ns/uts")
	if [ -n "$lab_ns" ] && [ "$lab_ns" != "$(readlink /proc/1/ns/uts)" ] &&
		[ "$lab_ns" != "$(readlink /proc/self/ns/uts)" ]; then
		ok "lab's uts namespace ($lab_ns) differs from the host's"
	else
		not_ok "lab's uts namespace ($lab_ns) differs from the host's"
	fi
	sess_send "run hostname nslab-test-name" "run hostname" "check"
	sess_wait '^check:' || true
	expect "run hostname prints the new name" grep -qx 'nslab-test-name' "$SESS_DIR/out"
	expect "check passes after the rename" grep -q '^check: ok - step 1/3' "$SESS_DIR/out"
	expect "the host kept its hostname" test "$(hostname)" = "$host_name"
	expect "nsenter sees the lab's name" test "$(nsenter -t "$lab_pid" -u hostname)" = nslab-test-name
else
	not_ok "uts lab did not start"
fi
sess_stop

# A wrong move is caught: renaming the HOST must not pass the check.
out=$(printf 'start uts\nhost hostname nslab-wrong\ncheck\nhost hostname %s\nstop\n' "$host_name" |
	nslab_script - 2>&1)
expect "check names a changed host hostname" grep -q 'missing: the HOST' <<<"$out"
hostname "$host_name" # belt and braces, should the line above have failed
expect "host hostname restored" test "$(hostname)" = "$host_name"

same_as_before "host fingerprint unchanged after the lab"

# SIGKILL mid-lab, then --cleanup: nothing may remain.
sess_start
sess_send "start uts" "do" "next" "do" status
if sess_wait '^cgroup:'; then
	lab_pid=$(sess_field pid)
	sess_kill
	"$NSLAB" --cleanup >/dev/null 2>&1
	gone "$lab_pid"
	expect "lab process $lab_pid is gone after SIGKILL + --cleanup" test ! -d "/proc/$lab_pid"
else
	not_ok "uts lab did not start for the SIGKILL test"
	sess_kill
	"$NSLAB" --cleanup >/dev/null 2>&1
fi
same_as_before "host fingerprint unchanged after SIGKILL + --cleanup"
expect "host hostname unchanged" test "$(hostname)" = "$host_name"

finish
