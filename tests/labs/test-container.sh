#!/usr/bin/env bash
# test-container.sh: the capstone on the real kernel (root; run through
# tests/run-suite.sh). Each step's check fails before `do` and passes after; after
# `build` the container's main process differs from the host in all ten rows of
# /proc/PID/ns, its / is a tmpfs holding the image with a fresh /proc where it is
# PID 1, root inside is an ordinary uid outside, its cgroup has a CPU quota that
# throttled the busy loop, and it reads that cgroup as "/"; the host is left as
# found, also after SIGKILL + `nslab --cleanup`.
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

cpu_line() { awk -F: '$2 ~ /(^|,)cpu(,|$)/ { print $3; f = 1; exit } $1 == 0 { v2 = $3 } END { if (!f) print v2 }' "$1"; }

"$NSLAB" --cleanup >/dev/null 2>&1 # leftovers of earlier crashed runs would spoil the comparison
before=$(fingerprint)
host_name=$(hostname)
U=${SUDO_UID:-0}
[ "$U" -eq 0 ] && U=65534

walk_lab container

sess_start
sess_send "start container" status
if sess_wait '^cgroup:'; then
	lab=$(sess_field pid)
	for t in ipc mnt net pid pid_for_children user uts; do
		expect "born in a new $t namespace" ns_differs "$lab" "$t"
	done
	sess_send build check status "run ps" "run hostname" "run ls /" "run cat /proc/self/cgroup" ns "run echo END"
	if sess_wait '^END$' 300; then
		rows=(cgroup ipc mnt net pid pid_for_children time time_for_children user uts)
		[ -e /proc/self/ns/time ] || rows=(cgroup ipc mnt net pid pid_for_children user uts)
		for t in "${rows[@]}"; do
			expect "after build: the $t row differs from the host" ns_differs "$lab" "$t"
		done
		expect "\`ns\` marks all ${#rows[@]} rows as differing" test "$(grep -c '<- differs' "$SESS_DIR/out")" -ge "${#rows[@]}"
		expect "the last step's check passes after build" grep -q '^check: ok' "$SESS_DIR/out"
		expect "its / is a tmpfs" test "$(stat -f -c %T "/proc/$lab/root/")" = tmpfs
		expect "its / holds the image (bin/sh, bin/ps)" test -x "/proc/$lab/root/bin/sh" -a -x "/proc/$lab/root/bin/ps"
		expect "the host's tree is gone from it (no /run/nslab, no /usr)" \
			bash -c "[ ! -e /proc/$lab/root/run/nslab ] && [ ! -e /proc/$lab/root/usr ]"
		expect "its /proc is a fresh proc" test "$(stat -f -c %T "/proc/$lab/root/proc")" = proc
		expect "it is PID 1 inside (NSpid)" bash -c "grep '^NSpid:' /proc/$lab/status | grep -qE '[[:space:]]1$'"
		expect "ps inside lists PID 1 and only the container's processes" \
			bash -c "sed -n '/^nslab.*> run ps/,/^.exit/p' '$SESS_DIR/out' | awk '\$1 ~ /^[0-9]+$/' | awk '\$1 == 1 { one = 1 } END { exit !(one && NR <= 4) }'"
		expect "its hostname is container" test "$(nsenter -t "$lab" -u hostname)" = container
		expect "the host's hostname is unchanged" test "$(hostname)" = "$host_name"
		expect "root inside is uid $U on the host" test "$(awk '/^Uid:/ { print $2 }' "/proc/$lab/status")" = "$U"
		expect "uid_map is \"0 $U 1\"" test "$(awk '{ print $1, $2, $3 }' "/proc/$lab/uid_map")" = "0 $U 1"
		cg=$(cpu_line "/proc/$lab/cgroup")
		expect "it is in cgroup nslab/<pid>/container ($cg)" bash -c "[[ '$cg' == /nslab/*/container ]]"
		dir=""
		while read -r m; do
			[ -f "$m$cg/cpu.stat" ] && { [ -f "$m$cg/cpu.cfs_quota_us" ] || [ -f "$m$cg/cpu.max" ]; } && dir=$m$cg
		done < <(awk '$3 ~ /^cgroup2?$/ { print $2 }' /proc/self/mounts)
		if [ -f "$dir/cpu.cfs_quota_us" ]; then
			expect "its CPU quota is 50000 us per 100000 us" \
				test "$(cat "$dir/cpu.cfs_quota_us") $(cat "$dir/cpu.cfs_period_us")" = "50000 100000"
		else
			expect "its cpu.max is 50000 100000" test "$(cat "$dir/cpu.max" 2>/dev/null)" = "50000 100000"
		fi
		expect "the busy loop was throttled (nr_throttled > 0)" \
			test "$(awk '$1 == "nr_throttled" { print $2 }' "$dir/cpu.stat" 2>/dev/null)" -gt 0
		pct=$(sed -n 's/^A busy loop in the container got \([0-9]*\)% .*/\1/p' "$SESS_DIR/out" | head -1)
		expect "the busy loop got about half a CPU (${pct:-?}%)" test "${pct:-999}" -le 60
		expect "inside, it reads its cgroup as /" grep -qE '^[0-9]+:([^:]*,)?cpu(,[^:]*)?:/$|^0::/$' "$SESS_DIR/out"
		if [ -e /proc/self/ns/time ]; then
			up_in=$(nsenter -t "$lab" -T cat /proc/uptime | cut -d. -f1)
			up_host=$(cut -d. -f1 /proc/uptime)
			expect "its boot time is ten days ahead" test $((up_in - up_host - 864000)) -ge -2 -a $((up_in - up_host - 864000)) -le 2
		fi
	fi
fi
sess_stop
same_as_before "host unchanged after the lab"

# SIGKILL a built container.
sess_start
sess_send "start container" build "run echo BUILT"
sess_wait '^BUILT$' 300 && ok "container built before SIGKILL"
killed_cleanup "container"
finish
