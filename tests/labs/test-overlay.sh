#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-overlay.sh: the overlay lab against the real kernel (root).
# shellcheck source=tests/lib/common.sh disable=SC2016
# (REPL lines in single quotes are expanded by the shell inside nslab, not here.)
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=tests/lib/byhand.sh
. "$(dirname "$0")/../lib/byhand.sh"

require_nslab

before=$(host_state)

# --- by `do`: each check fails before and passes after ---
walk_lab overlay
lab_ns_differs overlay mnt
same_fingerprint "$before" "overlay: after the walk by do"

# --- the end state, seen from the host while the lab runs ---
out=$( { done_script overlay; printf '%s\n' 'host stat -c "%F %t:%T" $NSLAB_LAB_DIR/upper/etc/issue' \
	'host cat $NSLAB_LAB_DIR/lower/etc/motd' 'host grep -c . $NSLAB_LAB_DIR/upper/etc/motd' \
	'host stat -c %i $NSLAB_LAB_DIR/lower/etc/motd $NSLAB_LAB_DIR/upper/etc/motd' \
	'host awk "\$5 == \"/\"" /proc/$NSLAB_LAB_PID/mountinfo' 'host grep -c overlay /proc/self/mountinfo' \
	'run ls /' stop; } | nslab_script - 2>&1)
expect "overlay: the whiteout is a character device 0:0" grep -qx 'character special file 0:0' <<<"$out"
expect "overlay: the image's motd is unchanged (one line)" \
	test "$(get 'host cat $NSLAB_LAB_DIR\/lower\/etc\/motd')" = "nslab image 1.0: this line comes from the lower layer"
expect "overlay: upper's copy has two lines" test "$(get 'host grep -c . $NSLAB_LAB_DIR\/upper\/etc\/motd')" = 2
inodes=$(printf '%s\n' "$out" | sed -n '/> host stat -c %i/,/^\[exit/p' | sed '1d;$d' | sort -u | wc -l)
expect "overlay: the copied-up file is another inode" test "$inodes" = 2
expect "overlay: the lab's / is an overlay after the pivot" \
	grep -qE ' / / .* - overlay overlay .*upperdir=[^,]*upper,' <<<"$out"
expect "overlay: the host's mount table has no overlay of the lab" \
	test "$(get 'host grep -c overlay \/proc\/self\/mountinfo')" = "$(grep -c overlay /proc/self/mountinfo)"
expect "overlay: ls / in the container shows the image and the new file" grep -qx 'hello.txt' <<<"$out"
same_fingerprint "$before" "overlay: after the end-state look"

# --- by the real tools, typed: each check fails before and passes after ---
out=$(printf '%s\n' 'start overlay' check \
	'run mount -t overlay overlay -o lowerdir=lower,upperdir=upper,workdir=work merged' check next \
	check 'run echo hello from the container > merged/hello.txt' check next \
	check 'run echo changed by the container >> merged/etc/motd' check next \
	check 'run rm merged/etc/issue' check next \
	check 'run mount -t overlay overlay -o lowerdir=lower,upperdir=upper2,workdir=work2 merged2' check next \
	check 'run mkdir merged/put_old' 'run cd merged && pivot_root . put_old' check stop | nslab_script - 2>&1)
res=$(printf '%s\n' "$out" | awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }')
expect "overlay typed: checks fail before and pass after each step ($res)" test "$res" = "nononononono"
same_fingerprint "$before" "overlay: after the typed walk"

# --- by hand: each step's own task lines as nslab prints them, fresh and after reset ---
byhand_walk overlay
expect "overlay by hand: after the pivot, / is container 1's (ls / shows its new file)" \
	test "$(printf '%s\n' "$BYHAND_OUT" | sed -n '/> run ls \/$/,/^\[exit/p' | grep -cx hello.txt)" = 2
same_fingerprint "$before" "overlay: after the walk by hand"

# --- step 6 into the middle: the check names step 3 when / is container 1's without its change ---
out=$(printf '%s\n' 'start overlay' 'step 6' 'overlay' 'pivot' check stop | nslab_script - 2>&1)
expect "overlay: a pivot without step 3's change is named" grep -q 'this root has no change of step 3' <<<"$out"
same_fingerprint "$before" "overlay: after step 6 without step 3"

# --- work done in another subject: a learner's own mount namespace, started
# with `host ... &` (so it is in the lab cgroup), counts the same ---
out=$(printf '%s\n' 'start overlay' check \
	'host unshare -m --propagation private sh -c "cd $NSLAB_LAB_DIR && mount -t overlay overlay -o lowerdir=lower,upperdir=upper,workdir=work merged && echo MOUNTED && exec sleep 30" &' \
	'host sleep 1' check stop | nslab_script - 2>&1)
res=$(printf '%s\n' "$out" | awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }')
expect "overlay: an overlay mounted in a learner's own namespace counts ($res)" test "$res" = "no"
same_fingerprint "$before" "overlay: after the learner's namespace"

# --- wrong work is named: the second container on the first one's upper,
# and a mount on the host ---
out=$(printf '%s\n' 'start overlay' 'do' next 'do' next 'do' next 'do' next \
	'run mount -t overlay overlay -o lowerdir=lower,upperdir=upper2,workdir=work2 merged' \
	'run mount -t overlay overlay -o lowerdir=lower,upperdir=upper,workdir=work merged2' check \
	'overlay 3' stop | nslab_script - 2>&1)
expect "overlay: a container on the wrong upper is not container 2" grep -q 'missing: no overlay is mounted on .*/merged2\|not an overlay of lower with upperdir=upper2' <<<"$out"
expect "overlay: overlay 3 is refused in one line" grep -q 'overlay: which container, 1 or 2' <<<"$out"
same_fingerprint "$before" "overlay: after the wrong mounts"

# --- `pivot` before the mount names what it needs ---
out=$(printf '%s\n' 'start overlay' pivot overlay overlay stop | nslab_script - 2>&1)
expect "overlay: pivot before the mount names step 1" grep -q 'pivot needs container 1 mounted' <<<"$out"
expect "overlay: a second \`overlay\` says it is mounted" grep -q 'container 1 is already mounted' <<<"$out"
same_fingerprint "$before" "overlay: after pivot before the mount"

kill_mid_lab overlay 5 "$before"
finish
