#!/usr/bin/env bash
# test-chroot-escape.sh: the chroot-escape lab on the real kernel (root; run through
# tests/run-suite.sh). Each step's check fails before `do` and passes after; setup
# chroots the lab process into the jail; `escape` leaves a process whose root is the
# host's /; the manual escape moves the lab process itself out; the host is left as
# found, also after nslab is SIGKILLed with an escaped process running and
# `nslab --cleanup` runs.
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

walk_lab chroot-escape

# dev:inode of a path, following links (/proc/PID/root included).
id_of() { stat -L -c '%d:%i' "$1" 2>/dev/null; }

sess_start
sess_send "start chroot-escape" status
if sess_wait '^cgroup:'; then
	lab_pid=$(awk '/^pid:/ { print $2; exit }' "$SESS_DIR/out")
	lab_root=$(awk '/^root:/ { print $2; exit }' "$SESS_DIR/out")
	expect "the jail holds the static escape program" test -x "$lab_root/nslab-escape"
	expect "the lab process is chrooted into the jail" \
		test "$(id_of "/proc/$lab_pid/root")" = "$(id_of "$lab_root")"
	expect "the lab process's root is not the host's /" \
		test "$(id_of "/proc/$lab_pid/root")" != "$(id_of /)"
	sess_send "run ls /" "run /nslab-escape ls /" "escape"
	sess_wait 'escaped: its root is' || true
	expect "inside, ls / lists the jail" grep -qx 'nslab-escape' "$SESS_DIR/out"
	expect "the escape program lists the host's / (usr, etc, proc)" \
		bash -c "grep -qx usr '$SESS_DIR/out' && grep -qx etc '$SESS_DIR/out' && grep -qx proc '$SESS_DIR/out'"
	esc_pid=$(sed -n 's/^PID \([0-9]*\) (.*) escaped: .*/\1/p' "$SESS_DIR/out" | head -1)
	if [ -n "$esc_pid" ]; then
		expect "escaped process $esc_pid: root is the host's /" \
			test "$(id_of "/proc/$esc_pid/root")" = "$(id_of /)"
		expect "escaped process $esc_pid: readlink of its root is /" test "$(readlink "/proc/$esc_pid/root")" = /
		expect "escaped process $esc_pid is a child of the lab process" \
			test "$(awk '/^PPid:/ { print $2 }' "/proc/$esc_pid/status")" = "$lab_pid"
		expect "the lab process itself is still in the jail" \
			test "$(id_of "/proc/$lab_pid/root")" = "$(id_of "$lab_root")"
	else
		not_ok "escape printed the escaped PID"
	fi
	# The manual escape: the lab process itself ends up with the host's / as its root.
	sess_send "run mkdir -p /out" "chroot /out" "cd ../../../../../../../.." "chroot ." "cd /" "check"
	sess_wait '^check:' || true
	expect "after chroot /out, cd .., chroot .: the lab process's root is the host's /" \
		test "$(id_of "/proc/$lab_pid/root")" = "$(id_of /)"
else
	not_ok "chroot-escape lab did not start"
fi
sess_stop
[ -n "${esc_pid:-}" ] && gone "$esc_pid"
expect "the escaped process is gone after stop" test ! -d "/proc/${esc_pid:-0}"
same_as_before "host fingerprint unchanged after the lab"

# SIGKILL mid-lab with an escaped process running, then --cleanup: nothing may remain.
sess_start
sess_send "start chroot-escape" "escape" status
if sess_wait '^cgroup:' && sess_wait 'escaped: its root is'; then
	lab_pid=$(awk '/^pid:/ { print $2; exit }' "$SESS_DIR/out")
	esc_pid=$(sed -n 's/^PID \([0-9]*\) (.*) escaped: .*/\1/p' "$SESS_DIR/out" | head -1)
	sess_kill
	"$NSLAB" --cleanup >/dev/null 2>&1
	gone "$lab_pid"
	gone "$esc_pid"
	expect "lab process $lab_pid is gone after SIGKILL + --cleanup" test ! -d "/proc/$lab_pid"
	expect "escaped process $esc_pid is gone after SIGKILL + --cleanup" test ! -d "/proc/$esc_pid"
else
	not_ok "chroot-escape lab did not start for the SIGKILL test"
	sess_kill
	"$NSLAB" --cleanup >/dev/null 2>&1
fi
same_as_before "host fingerprint unchanged after SIGKILL + --cleanup"

finish
