#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-pids.sh: the pids lab on the real kernel (root; run through tests/run-suite.sh).
# Each step's check fails before and passes after, by `do` and by the real commands
# (cgcreate, cgset, cgclassify, a bounded `for ... sleep 5 &` loop through `run`);
# the refused forks are read independently from the group's pids.events; the host
# forks while the group is full; the host is left as found after stop and after
# SIGKILL + `nslab --cleanup`. Works on v1, hybrid (this machine) and v2 (the VM).
# shellcheck disable=SC1091
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=tests/lib/byhand.sh
. "$(dirname "$0")/../lib/byhand.sh"
require_nslab

pids_mount() {
	awk '$3 == "cgroup" && $4 ~ /(^|,)pids(,|$)/ { print $2; f = 1; exit } $3 == "cgroup2" && !v2 { v2 = $2 }
		END { if (!f) print v2 }' /proc/self/mounts
}
MNT=$(pids_mount)
V2=0
[ "$(stat -f -c %T "$MNT" 2>/dev/null)" = cgroup2fs ] && V2=1
echo "# pids hierarchy: $MNT (v2=$V2)"
if [ "$V2" = 1 ] && ! grep -qw pids "$MNT/cgroup.subtree_control"; then
	out=$(printf 'start pids\n' | "$NSLAB" --script - 2>&1)
	expect "v2 without pids in the root's subtree_control: one line naming the fix" \
		grep -q "pids controller is not enabled below $MNT: as root, \`echo +pids > $MNT/cgroup.subtree_control\`" <<<"$out"
	echo "# enabling +pids in $MNT/cgroup.subtree_control for the test (undone at the end)"
	echo +pids >"$MNT/cgroup.subtree_control"
	trap 'echo -pids >"$MNT/cgroup.subtree_control" 2>/dev/null; rm -rf "$XDG_STATE_HOME"' EXIT
fi

# shellcheck disable=SC2034 # read by same_as_before (common.sh)
before=$(fingerprint)

# --- by `do` ---
walk_lab pids
if [ "$T_FAIL" -gt 0 ]; then grep -E '^(check:|  missing:|error|nslab:)' <<<"$WALK_OUT" | sed 's/^/# walk: /'; fi
expect "do: the bomb saw fork() fail with EAGAIN" grep -qE 'failed with EAGAIN' <<<"$WALK_OUT"
# shellcheck disable=SC2016 # backquotes of nslab's message
expect "do: the host forked meanwhile" grep -q 'meanwhile the host forked and ran `true` (exit 0)' <<<"$WALK_OUT"
expect "do: the bomb stopped by itself" grep -qE "the bomb's children ended by themselves after [0-9.]+ s" <<<"$WALK_OUT"
same_as_before "host is as before after the walk by do"

# --- by the real commands ---
# shellcheck disable=SC2016 # expanded by the shell nslab starts
script=$(printf '%s\n' "start pids" check \
	'host cgcreate -g pids:nslab/$(basename $NSLAB_CGROUP_DIR)/forks' check next check \
	'host cgset -r pids.max=20 nslab/$(basename $NSLAB_CGROUP_DIR)/forks' check next check \
	'host cgclassify -g pids:nslab/$(basename $NSLAB_CGROUP_DIR)/forks $NSLAB_LAB_PID' check next check \
	'run for i in $(seq 40); do sleep 5 & done; wait' check usage 'host echo NSLAB-ALIVE' stop)
out=$(printf '%s\n' "$script" | "$NSLAB" --script - 2>&1)
mapfile -t res < <(grep -E '^check: (ok|not yet)' <<<"$out" | awk '{ print $2 }')
want=(not ok not ok not ok not ok)
if [ "${res[*]}" = "${want[*]}" ]; then
	ok "real tools: every check fails before and passes after (${res[*]})"
else
	not_ok "real tools: checks said '${res[*]}', wanted '${want[*]}'"
	grep -E '^(check:|  missing:|nslab:|error)' <<<"$out" | sed 's/^/#   /'
fi
expect "real tools: the shell could not fork" grep -qiE "can.t fork|cannot fork|Resource temporarily unavailable" <<<"$out"
expect "real tools: usage shows refused forks" grep -qE 'pids.events max [1-9]' <<<"$out"
expect "real tools: nslab goes on" grep -q '^NSLAB-ALIVE' <<<"$out"
same_as_before "host is as before after the real-tool walk"

# --- by hand: each step's own task lines as nslab prints them, fresh and after
# reset; step 4's shell says it cannot fork, as the task says ---
BYHAND_FAILS='^sh: [0-9]+: Cannot fork$' byhand_walk pids
expect "by hand: the shell in the group could not fork" grep -q 'Cannot fork' <<<"$BYHAND_OUT"
expect "by hand: usage shows refused forks" grep -qE 'pids.events max [1-9]' <<<"$BYHAND_OUT"
same_as_before "host is as before after the walk by hand"

# --- a group outside nslab's tree, made by hand for a watched process (as from a
# second terminal): the checks count it once the process is a subject ---
outside=$MNT/cglabs-outside-$$
mkdir "$outside"
echo 20 >"$outside/pids.max"
sleep 300 &
sp=$!
echo "$sp" >"$outside/cgroup.procs"
out=$(printf '%s\n' "start pids" check "watch $sp" check next check next check stop | "$NSLAB" --script - 2>&1)
mapfile -t res < <(grep -E '^check: (ok|not yet)' <<<"$out" | awk '{ print $2 }')
if [ "${res[*]}" = "not ok ok ok" ]; then
	ok "a watched process in a limited group outside nslab's tree counts for steps 1-3 (${res[*]})"
else
	not_ok "a watched process in a group outside nslab's tree: checks said '${res[*]}', wanted 'not ok ok ok'"
	grep -E '^(check:|  missing:|nslab:)' <<<"$out" | sed 's/^/#   /'
fi
kill "$sp"
wait "$sp" 2>/dev/null
rmdir "$outside"
same_as_before "host is as before after the outside-group case"

# --- the kernel's own counts while the group is full; the host forks; SIGKILL + --cleanup ---
# (`bomb`'s children hold the group full for 3 s: long enough to look)
sess_start
sess_send "start pids" "do" next "do" next "do" next "status"
if sess_wait '^lab cgroup:' 300; then
	dir=$MNT/nslab/$SESS_PID/forks
	expect "the group is in nslab's tree ($dir)" test -d "$dir"
	sess_send "bomb 30"
	for ((i = 0; i < 100; i++)); do
		[ "$(awk '$1 == "max" { print $2 }' "$dir/pids.events" 2>/dev/null)" -ge 1 ] 2>/dev/null && break
		sleep 0.05
	done
	cur=$(cat "$dir/pids.current")
	refused=$(awk '$1 == "max" { print $2 }' "$dir/pids.events")
	expect "pids.current is at pids.max while the bomb's children live ($cur of $(cat "$dir/pids.max"))" \
		test "$cur" = 20
	expect "pids.events counts the refused forks (max $refused)" test "${refused:-0}" -ge 1
	expect "the host still forks while the group is full" bash -c 'for i in 1 2 3 4 5; do /bin/true || exit 1; done'
	mapfile -t procs <"$dir/cgroup.procs"
	sess_wait '^bomb: 30 forks tried in the lab process: [0-9]+ made a child, [0-9]+ failed with EAGAIN' 100
	sess_kill
	out=$("$NSLAB" --cleanup 2>&1)
	# shellcheck disable=SC2001
	sed 's/^/# cleanup: /' <<<"$out"
	dead=0
	for p in "${procs[@]}"; do gone "$p" && dead=$((dead + 1)); done
	expect "every process of the group is gone after SIGKILL + --cleanup ($dead/${#procs[@]})" \
		test "$dead" -eq "${#procs[@]}"
	expect "--cleanup removed the group" test ! -d "$dir"
else
	not_ok "pids lab did not reach step 4 in a live session"
	sess_kill
	"$NSLAB" --cleanup >/dev/null 2>&1
fi
same_as_before "host is as before after SIGKILL + --cleanup"

finish
