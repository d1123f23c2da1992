#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-nsenter.sh: the nsenter lab against the real kernel (root).
# shellcheck source=tests/lib/common.sh disable=SC2016
# (REPL lines in single quotes are expanded by the shell inside nslab, not here.)
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=tests/lib/byhand.sh
. "$(dirname "$0")/../lib/byhand.sh"

require_nslab

before=$(host_state)
# The joined sleepers of one run: the `sleep 3600` processes in its lab cgroup.
SLEEPERS='host for p in $(pgrep -x -f "sleep 3600"); do grep -q /nslab/ /proc/$p/cgroup && echo SLEEPER $p; done'

# --- by `do`: each check fails before and passes after ---
walk_lab nsenter
for ns in user mnt uts ipc net pid; do lab_ns_differs nsenter "$ns"; done
same_fingerprint "$before" "nsenter: after the walk by do"

# --- the end state, while the lab runs ---
out=$( { done_script nsenter; printf '%s\n' 'host nsenter -t $NSLAB_LAB_PID -a hostname' \
	'host nsenter -t $NSLAB_LAB_PID -u -n ip -br link' \
	'host stat -c %i $NSLAB_LAB_DIR/netns' 'host nsenter --net=$NSLAB_LAB_DIR/netns ip -br link' \
	'host awk "\$4 == \"0\" && \$5 == \"100000\"" /proc/$NSLAB_LAB_PID/uid_map' \
	"$SLEEPERS" nstree stop; } | nslab_script - 2>&1)
expect "nsenter: the joined shell sees the container's hostname" grep -qx 'container' <<<"$out"
expect "nsenter: the container's network has only lo" \
	test "$(get 'host nsenter -t $NSLAB_LAB_PID -u -n ip -br link' | awk '{ print $1 }')" = lo
ino=$(get 'host stat -c %i $NSLAB_LAB_DIR\/netns')
expect "nsenter: the kept namespace is not the host's ($ino)" test -n "$ino" -a "$ino" != "$(stat -L -c %i /proc/self/ns/net)"
expect "nsenter: the kept namespace has its own lo" \
	test "$(get 'host nsenter --net=$NSLAB_LAB_DIR\/netns ip -br link' | awk '{ print $1 }')" = lo
sleepers=$(printf '%s\n' "$out" | awk '/^SLEEPER / { print $2 }')
expect "nsenter: three joined sleepers ran in the lab cgroup ($(tr "\n" " " <<<"$sleepers"))" test "$(wc -w <<<"$sleepers")" = 3
for p in $sleepers; do expect "nsenter: sleeper $p is gone after stop" gone "$p"; done
expect "nsenter: nstree puts the container's namespaces under its user namespace" \
	grep -qE "^    user:\[[0-9]+\]  \(the container's\)" <<<"$out"
expect "nsenter: nstree lists two UTS namespaces under the container's" \
	test "$(printf '%s\n' "$out" | sed -n "/(the container's)/,\$p" | grep -c '^        uts:')" = 2
same_fingerprint "$before" "nsenter: after the end-state look"

# --- by the real tools, typed: each check fails before and passes after ---
out=$(printf '%s\n' 'start nsenter' check 'host nsenter -t $NSLAB_LAB_PID -a sleep 3600 &' 'host sleep 0.5' check next \
	check 'host nsenter -t $NSLAB_LAB_PID -u -n sleep 3600 &' 'host sleep 0.5' check next \
	check 'host touch $NSLAB_LAB_DIR/netns' 'host unshare --net=$NSLAB_LAB_DIR/netns true' check next \
	check 'host nsenter -t $NSLAB_LAB_PID -U unshare -u sleep 3600 &' 'host sleep 0.5' check stop | nslab_script - 2>&1)
res=$(printf '%s\n' "$out" | awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }')
expect "nsenter typed: checks fail before and pass after each step ($res)" test "$res" = "nononono"
same_fingerprint "$before" "nsenter: after the typed walk (the learner's bind mount undone)"

# --- by hand: each step's own task lines as nslab prints them, fresh and after reset ---
byhand_walk nsenter
# step 1's two listings: the container's and the sleeper's uts links are one namespace
uts=$(printf '%s\n' "$BYHAND_OUT" | sed -n '/-- step 2\/4/q; / uts -> /s/.* uts -> //p' | sort -u)
expect "nsenter by hand: the sleeper's uts link is the container's ($(tr '\n' ' ' <<<"$uts"))" \
	test "$(wc -l <<<"$uts")" = 1 -a "$uts" != "$(readlink /proc/self/ns/uts)"
same_fingerprint "$before" "nsenter: after the walk by hand"

# --- near misses are named ---
out=$(printf '%s\n' 'start nsenter' 'host nsenter -t $NSLAB_LAB_PID -a -F sleep 3600 &' 'host sleep 0.5' check \
	'step 3' 'host touch $NSLAB_LAB_DIR/netns' 'host mount --bind /proc/$NSLAB_LAB_PID/ns/net $NSLAB_LAB_DIR/netns' check \
	'step 4' 'host unshare -u sleep 3600 &' 'host sleep 0.5' check 'joinns x' stop | nslab_script - 2>&1)
expect "nsenter: a joined process without the fork is named (pid_for_children)" \
	grep -q 'is in every namespace but the PID one' <<<"$out"
expect "nsenter: a bind mount of a namespace with processes is not enough" \
	grep -q 'process(es) are still in net:' <<<"$out"
expect "nsenter: a UTS namespace owned by the host's user namespace is named" \
	grep -q "the container's user namespace does not own it" <<<"$out"
expect "nsenter: joinns with a bad type letter is refused in one line" grep -q "joinns: TYPES are nsenter's letters" <<<"$out"
same_fingerprint "$before" "nsenter: after the near misses"

kill_mid_lab nsenter 3 "$before"
finish
