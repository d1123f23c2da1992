#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-net.sh: the net lab on the real kernel (root; run through tests/run-suite.sh).
# Each step's check fails before `do` and passes after; the lab and its peer each
# have their own network namespace; the veth pair, the addresses and the ping stay
# inside those namespaces; the host is left as found, also after nslab is
# SIGKILLed mid-lab and `nslab --cleanup` runs.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=tests/lib/byhand.sh
. "$(dirname "$0")/../lib/byhand.sh"

# echo_reps FILE: InEchoReps from a /proc/.../net/snmp file (looked up by name).
echo_reps() { awk '/^Icmp:/ { if (++n == 1) { for (i = 2; i <= NF; i++) if ($i == "InEchoReps") c = i } else print $c }' "$1"; }

"$NSLAB" --cleanup >/dev/null 2>&1 # leftovers of earlier crashed runs would spoil the comparison
before=$(fingerprint)
host_replies=$(echo_reps /proc/net/snmp)

walk_lab net

sess_start
sess_send "start net" status peer
if sess_wait '^peer: PID'; then
	lab=$(sess_field pid)
	peer=$(sed -n 's/^peer: PID \([0-9]*\),.*/\1/p' "$SESS_DIR/out" | head -1)
	expect "the lab process has its own network namespace" ns_differs "$lab" net
	expect "the peer has its own network namespace" ns_differs "$peer" net
	expect "lab and peer namespaces differ" test "$(readlink "/proc/$lab/ns/net")" != "$(readlink "/proc/$peer/ns/net")"
	expect "a new network namespace holds only lo" \
		test "$(nsenter -t "$lab" -n ip -o link | awk -F': ' '{ print $2 }')" = lo
	expect "... and lo is down" bash -c "nsenter -t $lab -n ip -o link show lo | grep -qv ',UP'"
	sess_send "do" next "do" next "do" next "do" check
	if sess_wait '^check: (ok|not yet) - step 4/4'; then
		expect "check passes after the four steps" grep -q '^check: ok - step 4/4' "$SESS_DIR/out"
		expect "the ping got 2 of 2 replies" grep -q '2 packets transmitted, 2 received' "$SESS_DIR/out"
		expect "lo is up in the lab" bash -c "nsenter -t $lab -n ip -o link show lo | grep -q ',UP'"
		expect "veth0 in the lab holds 10.200.0.1/30" \
			bash -c "nsenter -t $lab -n ip -o addr show dev veth0 | grep -q 'inet 10.200.0.1/30'"
		expect "veth1 in the peer holds 10.200.0.2/30" \
			bash -c "nsenter -t $peer -n ip -o addr show dev veth1 | grep -q 'inet 10.200.0.2/30'"
		expect "the lab's InEchoReps counted the replies" \
			test "$(echo_reps "/proc/$lab/net/snmp")" -ge 2
		expect "neither veth end is in the host's namespace" \
			bash -c '! ip link show veth0 >/dev/null 2>&1 && ! ip link show veth1 >/dev/null 2>&1'
		expect "the host has no route to 10.200.0.0/30" bash -c '! ip route | grep -q "^10\.200\.0\."'
		expect "the host's InEchoReps did not count the lab's ping" \
			test "$(echo_reps /proc/net/snmp)" = "$host_replies"
	fi
	sess_send "peer ip -o addr show dev veth1"
	expect "\`peer CMD\` runs in the peer's namespace" sess_wait 'veth1 +inet 10\.200\.0\.2/30'
fi
sess_stop
same_as_before "host unchanged after the lab"

# Step 2 typed as its task says: the peer's PID comes from $NSLAB_LAB_DIR/peer.pid.
out=$(printf '%s\n' 'start net' 'do' next check 'run ip link add veth0 type veth peer name veth1 netns $(cat $NSLAB_LAB_DIR/peer.pid)' \
	check stop | "$NSLAB" --script - 2>&1)
expect "net step 2 typed: check fails before, passes after the task's own command" \
	test "$(printf '%s\n' "$out" | awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }')" = no
same_as_before "host unchanged after the typed step 2"

# SIGKILL with the veth pair up and addressed.
sess_start
sess_send "start net" "do" next "do" next "do" check
sess_wait '^check: (ok|not yet) - step 3/4' && ok "mid-lab state reached before SIGKILL"
killed_cleanup "net"
# By hand: each step's own task lines (ip(8) in the lab and the peer), fresh and after reset.
byhand_walk net
same_as_before "host unchanged after the walk by hand"

# The seed's unshare --net, started on the host side (`host ... &`, in the lab
# cgroup); the peer stays the lab's.
# shellcheck disable=SC2016 # expanded by the shells nslab starts
out=$(printf '%s\n' 'start net' check "host unshare --net sh -c 'ip link set lo up; sleep 3651' &" 'host sleep 0.3' check next \
	check 'host unshare --net sh -c '"'"'ip link set lo up; ip link add veth0 type veth peer name veth1 netns $(cat $NSLAB_LAB_DIR/peer.pid); ip addr add 10.200.0.1/30 dev veth0; ip link set veth0 up; exec sleep 3652'"'"' &' 'host sleep 0.3' check next \
	check 'peer ip addr add 10.200.0.2/30 dev veth1' 'peer ip link set veth1 up' check next \
	check 'host nsenter --target $(pgrep -nf "^sleep 3652") --net ping -c 2 -W 1 10.200.0.2' check stop |
	nslab_script - 2>&1)
expect "net: host unshare --net ... &: each check fails before, passes after ($(check_results "$out"))" \
	test "$(check_results "$out")" = nononono
expect "net: host unshare --net ... &: the sleeps are gone after stop" bash -c '! pgrep -f "sleep 365[12]"'
same_as_before "host unchanged after the host & path"

# A process started outside nslab (a second terminal), shown by `watch PID`.
unshare --net sh -c 'ip link set lo up; exec sleep 3653' 9>&- &
outside=$!
sleep 0.3
out=$(printf '%s\n' 'start net' check "watch $outside" check "unwatch $outside" check stop | nslab_script - 2>&1)
expect "net: watch PID: step 1 fails before the watch, passes after, fails after unwatch ($(check_results "$out"))" \
	test "$(check_results "$out")" = non
kill -KILL "$outside"
wait "$outside" 2>/dev/null
gone "$outside"
same_as_before "host unchanged after the watched outside process"

finish
