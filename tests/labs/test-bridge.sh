#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-bridge.sh: the bridge lab on the real kernel (root; run through
# tests/run-suite.sh). Each step's check fails before `do` and passes after;
# the same steps typed with the real commands of the task (ip, bridge,
# nsenter) pass too, fresh and after `reset`; the bridge, the veth pairs and
# the routes stay inside the lab's namespaces; the host is left as found, also
# after nslab is SIGKILLed mid-lab and `nslab --cleanup` runs.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
require_nslab

"$NSLAB" --cleanup >/dev/null 2>&1
before=$(fingerprint)
host_routes=$(ip route)

walk_lab bridge

# verdicts: the check results of $out in order, "o" for ok, "n" for not yet.
verdicts() { printf '%s\n' "$out" | awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }'; }

# The task's own real commands, each step's check before and after (twice:
# fresh, then after `reset`, which must bring every check back to failing).
# shellcheck disable=SC2016 # $NSLAB_LAB_DIR is expanded by the shell inside nslab
by_hand='check
run ip link add br0 type bridge
run ip link set br0 up
check
next
check
run ip link add veth1 type veth peer name eth0 netns $(cat $NSLAB_LAB_DIR/c1.pid)
run ip link add veth2 type veth peer name eth0 netns $(cat $NSLAB_LAB_DIR/c2.pid)
run ip link set veth1 master br0
run ip link set veth2 master br0
run ip link set veth1 up
run ip link set veth2 up
check
next
check
host nsenter --target $(cat $NSLAB_LAB_DIR/c1.pid) --net ip addr add 10.201.0.2/24 dev eth0
c1 ip link set eth0 up
c2 ip addr add 10.201.0.3/24 dev eth0
c2 ip link set eth0 up
check
next
check
c1 ping -c 2 -W 1 10.201.0.3
run bridge fdb show br br0
check
next
check
run ip addr add 10.201.0.1/24 dev br0
c1 ip route add default via 10.201.0.1
c2 ip route add default via 10.201.0.1
c1 ping -c 1 -W 1 10.201.0.1
check'
out=$(printf 'start bridge\n%s\nreset\n%s\nstop\n' "$by_hand" "$by_hand" | "$NSLAB" --script - 2>&1)
v=$(verdicts)
expect "by hand, fresh and after reset: every check fails before and passes after (got $v)" \
	test "$v" = "nononononononononono"
expect "the ping across the bridge got its replies" grep -q '2 packets transmitted, 2 received' <<<"$out"
expect "the bridge learned MACs on veth1 and veth2" \
	bash -c 'grep -E "dev veth1 master br0" <<<"$1" | grep -vq permanent' _ "$out"
[ "$v" = "nononononononononono" ] || printf '%s\n' "$out" | sed 's/^/#   /' | tail -40
expect "the host's routes did not change" test "$(ip route)" = "$host_routes"
same_as_before "host unchanged after the by-hand walk"

# The checks' messages say what is missing.
out=$(printf 'start bridge\ndo\nnext\ncheck\nrun ip link add veth1 type veth peer name eth0\ncheck\nstop\n' |
	"$NSLAB" --script - 2>&1)
expect "step 2 names the missing veth and its command" \
	grep -q 'missing: no veth veth1 in the lab.s namespace: `run ip link add veth1 type veth peer name eth0 netns' <<<"$out"
expect "step 2 says c1 has no eth0 when the peer end stayed in the lab" \
	grep -q 'missing: c1 (PID [0-9]*) has no eth0 of the pair' <<<"$out"
expect "step 2 says veth1 is not a port of br0" grep -q 'missing: veth1 is not a port of br0' <<<"$out"
same_as_before "host unchanged after the messages"

# SIGKILL with the bridge built and the containers plugged in.
sess_start
sess_send "start bridge" "do" next "do" next "do" check
sess_wait '^check: (ok|not yet) - step 3/5' && ok "mid-lab state reached before SIGKILL"
killed_cleanup "bridge"
finish
