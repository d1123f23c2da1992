#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-memory.sh: the memory lab on the real kernel (root; run through tests/run-suite.sh).
# Each step's check fails before and passes after, by `do` and by the real commands
# (cgcreate, cgset, cgclassify, stress through `run`); the OOM kill is read
# independently from the group's memory.events / memory.oom_control; nslab itself
# lives through it; the host is left as found after stop and after SIGKILL +
# `nslab --cleanup`. Works on v1, hybrid (this machine) and v2 (the VM).
# shellcheck disable=SC1091
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=tests/lib/byhand.sh
. "$(dirname "$0")/../lib/byhand.sh"
require_nslab

# The memory hierarchy: a v1 mount with the memory option, else cgroup2.
mem_mount() {
	awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; f = 1; exit } $3 == "cgroup2" && !v2 { v2 = $2 }
		END { if (!f) print v2 }' /proc/self/mounts
}
MNT=$(mem_mount)
V2=0
[ "$(stat -f -c %T "$MNT" 2>/dev/null)" = cgroup2fs ] && V2=1
echo "# memory hierarchy: $MNT (v2=$V2), swap: $(awk '/SwapTotal/ { print $2, $3 }' /proc/meminfo)"
if [ "$V2" = 1 ] && ! grep -qw memory "$MNT/cgroup.subtree_control"; then
	# The lab never touches the root's controllers: it says how, in one line.
	out=$(printf 'start memory\n' | "$NSLAB" --script - 2>&1)
	expect "v2 without memory in the root's subtree_control: one line naming the fix" \
		grep -q "memory controller is not enabled below $MNT: as root, \`echo +memory > $MNT/cgroup.subtree_control\`" <<<"$out"
	echo "# enabling +memory in $MNT/cgroup.subtree_control for the test (undone at the end)"
	echo +memory >"$MNT/cgroup.subtree_control"
	trap 'echo -memory >"$MNT/cgroup.subtree_control" 2>/dev/null; rm -rf "$XDG_STATE_HOME"' EXIT
fi

# shellcheck disable=SC2034 # read by same_as_before (common.sh)
before=$(fingerprint)

# --- by `do` ---
walk_lab memory
if [ "$T_FAIL" -gt 0 ]; then grep -E '^(check:|  missing:|error|nslab:)' <<<"$WALK_OUT" | sed 's/^/# walk: /'; fi
expect "do: the hog over the limit was killed by the OOM killer" grep -q 'the OOM killer struck in' <<<"$WALK_OUT"
same_as_before "host is as before after the walk by do"

# --- by the real commands ---
# (stress's worker holds 32 MiB, then a second one wants 128 MiB; `host sleep`
# gives the first a moment to touch its pages)
# shellcheck disable=SC2016 # expanded by the shell nslab starts
if [ "$V2" = 1 ]; then
	limit1='host cgset -r memory.max=64M nslab/$(basename $NSLAB_CGROUP_DIR)/mem'
	limit2='host cgset -r memory.swap.max=0 nslab/$(basename $NSLAB_CGROUP_DIR)/mem'
	[ -e "$MNT/memory.swap.max" ] || [ -n "$(find "$MNT" -maxdepth 2 -name memory.swap.max -print -quit)" ] || limit2='host true'
else
	limit1='host cgset -r memory.limit_in_bytes=64M nslab/$(basename $NSLAB_CGROUP_DIR)/mem'
	limit2='host cgset -r memory.memsw.limit_in_bytes=64M nslab/$(basename $NSLAB_CGROUP_DIR)/mem'
	[ -e "$MNT/memory.memsw.limit_in_bytes" ] || limit2='host true'
fi
# shellcheck disable=SC2016 # expanded by the shell nslab starts
script=$(printf '%s\n' "start memory" check \
	'host cgcreate -g memory:nslab/$(basename $NSLAB_CGROUP_DIR)/mem' check next check \
	"$limit1" "$limit2" check next check \
	'host cgclassify -g memory:nslab/$(basename $NSLAB_CGROUP_DIR)/mem $NSLAB_LAB_PID' check \
	'run cat /proc/self/cgroup' next check \
	'run stress --quiet --vm 1 --vm-bytes 32M --vm-hang 0 --timeout 300 &' 'host sleep 3' check next check \
	'run stress --vm 1 --vm-bytes 128M --vm-hang 0 --timeout 30' \
	check usage 'host echo NSLAB-ALIVE' stop)
out=$(printf '%s\n' "$script" | "$NSLAB" --script - 2>&1)
mapfile -t res < <(grep -E '^check: (ok|not yet)' <<<"$out" | awk '{ print $2 }')
want=(not ok not ok not ok not ok not ok)
if [ "${res[*]}" = "${want[*]}" ]; then
	ok "real tools: every check fails before and passes after (${res[*]})"
else
	not_ok "real tools: checks said '${res[*]}', wanted '${want[*]}'"
	grep -E '^(check:|  missing:|nslab:|error|stress)' <<<"$out" | sed 's/^/#   /'
fi
expect "real tools: run is inside the group (/proc/self/cgroup names nslab/<pid>/mem)" \
	grep -qE ':/nslab/[0-9]+/mem$' <<<"$out"
expect "real tools: stress says its worker was killed by signal 9" grep -qE 'signal 9|killed' <<<"$out"
expect "real tools: nslab goes on after the OOM kill" grep -q '^NSLAB-ALIVE' <<<"$out"
expect "real tools: usage shows the kill" grep -qE 'oom_kill [1-9]' <<<"$out"
same_as_before "host is as before after the real-tool walk"

# --- by hand: each step's own task lines as nslab prints them, fresh and after
# reset. Step 2 shows both layouts: the other layout's two lines are not typed,
# nor the swap line where this kernel has no swap file (as the task says).
# Step 5's stress reports its killed worker on stderr, as the task says. ---
if [ "$V2" = 1 ]; then
	skip='memory\.(limit_in_bytes|memsw\.limit_in_bytes)='
	[ -n "$(find "$MNT" -maxdepth 2 -name memory.swap.max -print -quit)" ] || skip+='|memory\.swap\.max='
else
	skip='memory\.(max|swap\.max)='
	[ -e "$MNT/memory.memsw.limit_in_bytes" ] || skip+='|memory\.memsw\.limit_in_bytes='
fi
BYHAND_SKIP=$skip BYHAND_FAILS='^stress: (info|WARN|FAIL): ' byhand_walk memory
expect "by hand: stress's worker over the limit got signal 9" grep -q 'got signal 9' <<<"$BYHAND_OUT"
same_as_before "host is as before after the walk by hand"

# --- a group outside nslab's tree, made by hand for a watched process (as from a
# second terminal): the checks count it once the process is a subject ---
outside=$MNT/cglabs-outside-$$
mkdir "$outside"
if [ "$V2" = 1 ]; then
	echo 64M >"$outside/memory.max"
	[ -e "$outside/memory.swap.max" ] && echo 0 >"$outside/memory.swap.max"
else
	echo 64M >"$outside/memory.limit_in_bytes"
	[ -e "$outside/memory.memsw.limit_in_bytes" ] && echo 64M >"$outside/memory.memsw.limit_in_bytes"
fi
sleep 300 &
sp=$!
echo "$sp" >"$outside/cgroup.procs"
out=$(printf '%s\n' "start memory" check "watch $sp" check next check next check stop | "$NSLAB" --script - 2>&1)
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

# --- the kernel's own count, read while the lab runs; then SIGKILL + --cleanup ---
sess_start
sess_send "start memory" "do" next "do" next "do" next "do" next "do" status
if sess_wait '^lab cgroup:' 300 && sess_wait 'the OOM killer struck in' 300; then
	dir=$(ls -d "$MNT"/nslab/"$SESS_PID"/mem 2>/dev/null)
	expect "the group is in nslab's tree ($dir)" test -d "$dir"
	if [ "$V2" = 1 ]; then
		kills=$(awk '$1 == "oom_kill" { print $2 }' "$dir/memory.events")
		lim=$(cat "$dir/memory.max")
	else
		kills=$(awk '$1 == "oom_kill" { print $2 }' "$dir/memory.oom_control")
		lim=$(cat "$dir/memory.limit_in_bytes")
	fi
	expect "the kernel counted the OOM kill in the group (oom_kill $kills)" test "${kills:-0}" -ge 1
	expect "the limit is 64 MiB ($lim)" test "$lim" = 67108864
	mapfile -t procs <"$dir/cgroup.procs"
	expect "the lab process (and the hog that fits) are in the group (${#procs[@]})" test "${#procs[@]}" -ge 1
	expect "nslab survived the OOM kill in its lab" kill -0 "$SESS_PID"
	sess_kill
	for p in "${procs[@]}"; do gone "$p" || not_ok "process $p survived nslab's SIGKILL"; done
	out=$("$NSLAB" --cleanup 2>&1)
	# shellcheck disable=SC2001
	sed 's/^/# cleanup: /' <<<"$out"
	expect "--cleanup removed the group" test ! -d "$dir"
else
	not_ok "memory lab did not reach step 5 in a live session"
	sess_kill
	"$NSLAB" --cleanup >/dev/null 2>&1
fi
same_as_before "host is as before after SIGKILL + --cleanup"

finish
