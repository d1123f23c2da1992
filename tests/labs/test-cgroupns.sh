#!/usr/bin/env bash
# test-cgroupns.sh: the cgroupns lab on the real kernel (root; run through
# tests/run-suite.sh). Each step's check fails before `do` and passes after; the lab
# process ends in its own cgroup and cgroup namespace, reads its cgroup as "/"
# while the host reads the full path, and a cgroup filesystem mounted inside shows
# only its subtree and never appears on the host; the host is left as found, also
# after SIGKILL + `nslab --cleanup`.
# shellcheck disable=SC1091
. "$(dirname "$0")/../lib/common.sh"

# A live nslab --script session fed through a fifo, so the test can look at the
# kernel while the lab runs. sess_start; sess_send CMD...; sess_wait REGEX; sess_stop/sess_kill.
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
	for ((i = 0; i < ${2:-150}; i++)); do
		grep -qE "$1" "$SESS_DIR/out" && return 0
		sleep 0.1
	done
	echo "# timed out waiting for /$1/; output so far:"; sed 's/^/#   /' "$SESS_DIR/out"
	return 1
}
sess_stop() { sess_send stop quit; exec 8>&-; wait "$SESS_PID" 2>/dev/null; rm -rf "$SESS_DIR"; }
sess_kill() { kill -9 "$SESS_PID"; exec 8>&-; wait "$SESS_PID" 2>/dev/null; rm -rf "$SESS_DIR"; }
sess_field() { awk -v k="$1:" '$1 == k { print $2; exit }' "$SESS_DIR/out"; }
# gone PID: wait up to 5 s for a process to disappear.
gone() {
	local i
	for ((i = 0; i < 50; i++)); do [ -d "/proc/$1" ] || return 0; sleep 0.1; done
	return 1
}
# same_as_before LABEL: the fingerprint must come back to $before (retry 5 s:
# killed processes may take a moment to be reaped).
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
# ns_differs PID TYPE: /proc/PID/ns/TYPE is not the host's. The host reference is
# PID 1, or this test shell where PID 1's links are unreadable (some VMs).
NSREF=1
readlink /proc/1/ns/net >/dev/null 2>&1 || NSREF=$$
ns_differs() {
	local a b
	a=$(readlink "/proc/$1/ns/$2") && b=$(readlink "/proc/$NSREF/ns/$2") && [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]
}
ns_same() {
	local a b
	a=$(readlink "/proc/$1/ns/$2") && b=$(readlink "/proc/$NSREF/ns/$2") && [ -n "$a" ] && [ "$a" = "$b" ]
}
# killed_cleanup LABEL: SIGKILL the session, run nslab --cleanup, compare.
killed_cleanup() {
	local pids
	pids=$(pgrep -P "$SESS_PID" | tr '\n' ' ')
	sess_kill
	for p in $pids; do gone "$p" || not_ok "$1: process $p survived nslab's SIGKILL"; done
	"$NSLAB" --cleanup >/dev/null 2>&1
	same_as_before "$1: host unchanged after SIGKILL + nslab --cleanup"
}

# The cpu hierarchy's line of a /proc/.../cgroup file: "N:...cpu...:PATH", else "0::PATH".
cpu_line() { awk -F: '$2 ~ /(^|,)cpu(,|$)/ { print $3; f = 1; exit } $1 == 0 { v2 = $3 } END { if (!f) print v2 }' "$1"; }

"$NSLAB" --cleanup >/dev/null 2>&1 # leftovers of earlier crashed runs would spoil the comparison
before=$(fingerprint)
host_cg_mounts=$(awk '$5 == "/sys/fs/cgroup"' /proc/self/mountinfo | wc -l)

walk_lab cgroupns

sess_start
sess_send "start cgroupns" status
if sess_wait '^cgroup:'; then
	lab=$(sess_field pid)
	expect "the lab process starts in the host's cgroup namespace" ns_same "$lab" cgroup
	expect "the lab process has its own mount namespace" ns_differs "$lab" mnt
	sess_send "do" next "do" next "do" check status "run cat /proc/self/cgroup" "run ls /sys/fs/cgroup" "run echo END"
	if sess_wait '^END$'; then
		cg=$(awk '/^cgroup:/ { p = $2 } END { print p }' "$SESS_DIR/out")
		expect "check passes after the three steps" grep -q '^check: ok - step 3/3' "$SESS_DIR/out"
		expect "the lab process has its own cgroup namespace" ns_differs "$lab" cgroup
		expect "its cgroup is nslab/<pid>/lab ($cg)" bash -c "[[ '$cg' == /nslab/*/lab ]]"
		expect "the host reads the full path" test "$(cpu_line "/proc/$lab/cgroup")" = "$cg"
		expect "inside, the lab reads its cgroup as /" \
			grep -qE '^[0-9]+:([^:]*,)?cpu(,[^:]*)?:/$|^0::/$' "$SESS_DIR/out"
		expect "inside, the full path appears nowhere" \
			bash -c "! sed -n '/^nslab.*> run cat .proc.self.cgroup/,/^.exit/p' '$SESS_DIR/out' | grep -q '$cg'"
		expect "the cgroup fs inside shows the lab's own files (cgroup.procs)" grep -qx 'cgroup.procs' "$SESS_DIR/out"
		expect "the cgroup fs inside has no nslab/ directory" bash -c "! grep -qx nslab '$SESS_DIR/out'"
		expect "the lab's /sys/fs/cgroup is a cgroup fs" \
			bash -c "nsenter -t $lab -m stat -f -c %T /sys/fs/cgroup | grep -q cgroup"
		expect "the host's /sys/fs/cgroup is not" bash -c "[ \"\$(stat -f -c %T /sys/fs/cgroup)\" != \"\$(nsenter -t $lab -m stat -f -c %T /sys/fs/cgroup)\" ] || [ \"\$(stat -f -c %T /sys/fs/cgroup)\" = cgroup2fs ]"
		expect "the inside mount is absent from the host's mount table" \
			test "$(awk '$5 == "/sys/fs/cgroup"' /proc/self/mountinfo | wc -l)" = "$host_cg_mounts"
	fi
fi
sess_stop
same_as_before "host unchanged after the lab"

# SIGKILL with the lab in its cgroup and cgroup namespace.
sess_start
sess_send "start cgroupns" "do" next "do" check
sess_wait '^check: (ok|not yet) - step 2/3' && ok "mid-lab state reached before SIGKILL"
killed_cleanup "cgroupns"
finish
