#!/usr/bin/env bash
# test-uts.sh: the uts lab on the real kernel (root; run through tests/run-suite.sh).
# Each step's check fails before `do` and passes after; the lab process has its own
# UTS namespace and hostname while the host keeps its own; the host is left as found,
# also after nslab is SIGKILLed mid-lab and `nslab --cleanup` runs.
# shellcheck disable=SC1091
. "$(dirname "$0")/../lib/common.sh"

# A live nslab --script session fed through a fifo, so the test can look at the
# kernel while the lab runs. sess_start; sess_send CMD...; sess_wait REGEX; sess_kill.
sess_start() {
	SESS_DIR=$(mktemp -d /tmp/nslab-test-sess.XXXXXX)
	mkfifo "$SESS_DIR/in"
	"$NSLAB" --script - <"$SESS_DIR/in" >"$SESS_DIR/out" 2>&1 &
	SESS_PID=$!
	exec 8>"$SESS_DIR/in"
}
sess_send() { printf '%s\n' "$@" >&8; }
sess_wait() { # REGEX [TIMEOUT_TENTHS]: wait until the output matches
	local i
	for ((i = 0; i < ${2:-100}; i++)); do
		grep -qE "$1" "$SESS_DIR/out" && return 0
		sleep 0.1
	done
	echo "# timed out waiting for /$1/; output so far:"; sed 's/^/#   /' "$SESS_DIR/out"
	return 1
}
sess_stop() { sess_send stop quit; exec 8>&-; wait "$SESS_PID" 2>/dev/null; rm -rf "$SESS_DIR"; }
sess_kill() { kill -9 "$SESS_PID"; exec 8>&-; wait "$SESS_PID" 2>/dev/null; rm -rf "$SESS_DIR"; }
# gone PID: wait up to 5 s for a process (or its zombie) to disappear.
gone() {
	local i
	for ((i = 0; i < 50; i++)); do [ -d "/proc/$1" ] || return 0; sleep 0.1; done
	return 1
}
# same_as_before LABEL: the fingerprint must come back to $before (dead processes
# may take a moment to be reaped by init, so retry for up to 5 s).
same_as_before() {
	local i after
	for ((i = 0; i < 50; i++)); do
		after=$(fingerprint)
		[ "$before" = "$after" ] && { ok "$1"; return; }
		sleep 0.1
	done
	not_ok "$1"
	diff <(echo "$before") <(echo "$after") | sed 's/^/#   /'
}

before=$(fingerprint)
host_name=$(hostname)

walk_lab uts

# The lab process lives in a UTS namespace of its own; renaming it leaves the host alone.
sess_start
sess_send "start uts" status
if sess_wait '^cgroup:'; then
	lab_pid=$(awk '/^pid:/ { print $2; exit }' "$SESS_DIR/out")
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
	lab_pid=$(awk '/^pid:/ { print $2; exit }' "$SESS_DIR/out")
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
