#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-pivot-root.sh: the pivot-root lab against the real kernel (root).
# shellcheck source=tests/lib/common.sh disable=SC2016
# (REPL lines in single quotes are expanded by the shell inside nslab, not here.)
. "$(dirname "$0")/../lib/common.sh"

require_nslab

# --- pivot-root ---
before=$(host_state)
walk_lab pivot-root
lab_ns_differs pivot-root mnt

out=$( { done_script pivot-root; printf 'run ls /\nrun cat /escape.txt\nhost cat /proc/$NSLAB_LAB_PID/mountinfo\nstop\n'; } | nslab_script - 2>&1)
lab_root=$(printf '%s\n' "$out" | sed -n '/^nslab.*> run ls \/$/,/^\[exit/p' | sed '1d;$d' | sort | tr '\n' ' ')
escaped=$(printf '%s\n' "$out" | sed -n '/^nslab.*> run cat \/escape.txt$/,/^\[exit/p' | sed '1d;$d' | sort | tr '\n' ' ')
expect "pivot-root: the lab's / holds only the rootfs ($lab_root)" test "$lab_root" = "bin escape.txt lib lib64 proc "
expect "pivot-root: the escape listed the lab's / ($escaped)" test "$escaped" = "$lab_root"
mounts=$(printf '%s\n' "$out" | sed -n '/> host cat \/proc\/.*\/mountinfo$/,/^\[exit/p' | sed '1d;$d')
expect "pivot-root: one mount left in the lab, a tmpfs on /" test "$(printf '%s\n' "$mounts" | awk '$5 == "/" && / - tmpfs /' | wc -l)/$(printf '%s\n' "$mounts" | wc -l)" = "1/1"
same_fingerprint "$before" "pivot-root: after the lab"

# After the pivot, $NSLAB_LAB_ROOT (and status) still reach the lab's root from
# the host: a file copied there with `host` is read back with `run`.
out=$( { done_script pivot-root; printf 'host echo from-the-host >$NSLAB_LAB_ROOT/copied.txt
run cat /copied.txt
status
stop
'; } | nslab_script - 2>&1)
expect "pivot-root: host writes through \$NSLAB_LAB_ROOT land in the lab's /" grep -qx 'from-the-host' <<<"$out"
expect "pivot-root: status names a root path that reaches it (/proc/PID/root)" grep -qE '^root: /proc/[0-9]+/root$' <<<"$out"
same_fingerprint "$before" "pivot-root: after the copy"

# The task's own commands, typed (no `do`): the real pivot_root(8) in step 4,
# and step 5 with /proc mounted for umount(8) and unmounted again. Each check
# fails before its commands and passes after.
out=$(printf '%s\n' 'start pivot-root' check mntns check next \
	check 'run mount -t tmpfs -o size=64m nslab-root $NSLAB_LAB_ROOT' check next \
	check rootfs check 'run mkdir $NSLAB_LAB_ROOT/put_old' check next \
	check 'run cd $NSLAB_LAB_ROOT && pivot_root . put_old' check next \
	check 'run mount -t proc proc /proc' 'run umount -l /put_old' check 'run umount /proc' \
	'run rmdir /put_old' check next \
	check 'run /bin/nslab-escape -v /bin/ls / > /escape.txt' check stop | nslab_script - 2>&1)
res=$(printf '%s\n' "$out" | awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }')
expect "pivot-root typed: checks fail before and pass after each step ($res)" test "$res" = "nononnononnono"
expect "pivot-root typed: the real umount -l works once /proc is mounted" \
	test "$(printf '%s\n' "$out" | grep -c 'umount failed')" = 0
expect "pivot-root typed: step 5 is not done while proc is still mounted" grep -q 'proc is still mounted on /proc' <<<"$out"
same_fingerprint "$before" "pivot-root: after the typed walk"

# The same walk by hand after `reset` (the lab's state is gone, the task's
# lines bring it back), and `step 4` into a fresh lab says what it needs.
# shellcheck disable=SC2016 # expanded by the shell inside nslab
pr_steps=(check mntns check next
	check 'run mount -t tmpfs -o size=64m nslab-root $NSLAB_LAB_ROOT' check next
	check rootfs check 'run mkdir $NSLAB_LAB_ROOT/put_old' check next
	check 'run cd $NSLAB_LAB_ROOT && pivot_root . put_old' 'run ls /' 'run ls /put_old' check next
	check 'run mount -t proc proc /proc' 'run umount -l /put_old' 'run umount /proc' 'run rmdir /put_old' check next
	check 'run /bin/nslab-escape -v /bin/ls / > /escape.txt' 'run cat /escape.txt' check)
out=$(printf '%s\n' 'start pivot-root' 'do' next 'do' next 'do' next 'do' next 'do' next reset "${pr_steps[@]}" stop | nslab_script - 2>&1)
res=$(printf '%s\n' "$out" | awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }')
expect "pivot-root typed after reset: checks fail before and pass after each step ($res)" test "$res" = "nononnononono"
same_fingerprint "$before" "pivot-root: after the typed walk after reset"
out=$(printf '%s\n' 'start pivot-root' 'step 4' check stop | nslab_script - 2>&1)
expect "pivot-root: step 4's check on a fresh lab names steps 1-3 and catchup" grep -q 'steps 1-3 done in this lab process first.*catchup 4' <<<"$out"
same_fingerprint "$before" "pivot-root: after step 4 on a fresh lab"

# After `reset`, `pivot` says which steps it needs instead of ENOENT.
out=$(printf '%s\n' 'start pivot-root' do next do next do next reset 'step 4' pivot stop | nslab_script - 2>&1)
expect "pivot-root: pivot after reset names steps 1-3" grep -q 'pivot needs steps 1-3' <<<"$out"
same_fingerprint "$before" "pivot-root: after pivot on a reset lab"

# The real tools in a learner's own process (issue 12): a shell started by
# unshare(1) in the lab cgroup (`host ... &`), fed one line at a time through
# a FIFO, as a learner types into their own shell. The lab process is never
# touched (its mount namespace stays the host's); every check fails before
# the learner's commands and passes after, and names the learner's shell as
# the closest process while it lacks a step.
fifo=$(mktemp -u /tmp/nslab-test-pivot-real.XXXXXX)
mkfifo "$fifo"
# feed LINE: the learner's shell runs LINE ($NSLAB_LAB_ROOT expands in it)
feed() { printf '%s\n' "host echo '$1' > $fifo" 'host sleep 0.5'; }
out=$( {
	printf '%s\n' 'start pivot-root' check \
		"host unshare --mount --propagation private sh -c 'exec 3<>$fifo; while read -r l <&3; do eval \"\$l\"; done' &" \
		'host sleep 0.5' check next check
	feed 'mount -t tmpfs -o size=64m nslab-root $NSLAB_LAB_ROOT'
	printf '%s\n' check next check rootfs
	feed 'mkdir $NSLAB_LAB_ROOT/put_old'
	printf '%s\n' check next check
	feed 'cd $NSLAB_LAB_ROOT && pivot_root . put_old'
	printf '%s\n' check next check
	feed 'mount -t proc proc /proc'
	feed 'umount -l /put_old'
	feed 'umount /proc'
	feed 'rmdir /put_old'
	printf '%s\n' check next check
	feed '/bin/nslab-escape -v /bin/ls / > /escape.txt'
	printf '%s\n' check 'host test "$(readlink /proc/$NSLAB_LAB_PID/ns/mnt)" = "$(readlink /proc/self/ns/mnt)" && echo LAB-PROCESS-UNTOUCHED' stop
} | nslab_script - 2>&1)
rm -f "$fifo"
res=$(printf '%s\n' "$out" | awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }')
expect "pivot-root real tools: each check fails before, passes after ($res)" test "$res" = "nononononono"
expect "pivot-root real tools: rootfs copied into the learner's tmpfs" grep -q 'into the tmpfs in the mount namespace of your PID' <<<"$out"
expect "pivot-root real tools: a check names the learner's shell as the closest" grep -q "closest of the lab's processes is your PID [0-9]* (sh -c" <<<"$out"
expect "pivot-root real tools: the lab process was not touched" grep -q '^LAB-PROCESS-UNTOUCHED' <<<"$out"
expect "pivot-root real tools: no umount failed" test "$(grep -c 'umount failed' <<<"$out")" = 0
[ "$res" = "nononononono" ] || printf '%s\n' "$out" | sed 's/^/#   /'
same_fingerprint "$before" "pivot-root: after the real-tool walk"

kill_mid_lab pivot-root 4 "$before"
finish
