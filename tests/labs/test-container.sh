#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-container.sh: the capstone on the real kernel (root; run through
# tests/run-suite.sh). Each step's check fails before `do` and passes after; after
# `build` the container's main process differs from the host in all ten rows of
# /proc/PID/ns, its / is an overlay whose lowerdir is the image (a file written
# inside lands in the upper layer, the image is unchanged) with a fresh /proc
# where it is PID 1, root inside is an ordinary uid outside, its cgroup has a CPU quota that
# throttled the busy loop, and it reads that cgroup as "/"; the host is left as
# found, also after SIGKILL + `nslab --cleanup`.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=tests/lib/typed.sh
. "$(dirname "$0")/../lib/typed.sh"

# Pure v2 without systemd (the busybox VM): the root lists no controller in
# cgroup.subtree_control, and the capstone's memory and pids limits need
# them there. systemd enables both on a workshop VM; the labs never touch the
# root's (test-memory and test-pids check the one line that says how): the
# test enables them as systemd would, before its fingerprint, and undoes it.
ROOT_SC=/sys/fs/cgroup/cgroup.subtree_control
enabled=()
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
	for c in memory pids; do
		grep -qw "$c" "$ROOT_SC" && continue
		echo "# enabling +$c in $ROOT_SC for the test, as systemd does (undone at the end)"
		echo "+$c" >"$ROOT_SC" && enabled+=("$c")
	done
fi
if [ ${#enabled[@]} -gt 0 ]; then
	trap 'for c in "${enabled[@]}"; do echo "-$c" >"$ROOT_SC" 2>/dev/null; done; rm -rf "$XDG_STATE_HOME"' EXIT
fi
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
		expect "its / is an overlay" test "$(stat -f -c %T "/proc/$lab/root/")" = overlayfs
		mi=$(awk '$5 == "/" && / - overlay /' "/proc/$lab/mountinfo")
		image=$(sed -n 's/.*[ ,]lowerdir=\([^,]*\),.*/\1/p' <<<"$mi")
		expect "its lowerdir is the image in the lab's directory ($image)" bash -c "[[ '$image' == /run/nslab/*/container/image ]] && [ -x '$image/bin/sh' ]"
		expect "its upperdir and workdir are the container layer's" grep -qE 'upperdir=/run/nslab/[0-9]+/container/rootfs/upper,workdir=/run/nslab/[0-9]+/container/rootfs/work' <<<"$mi"
		expect "the image belongs to the uid root inside maps to ($U)" test "$(stat -c %u "$image/bin")" = "$U"
		sum0=$(cd "$image" && find . -printf '%p %s %T@\n' | sort | md5sum)
		free0=$(stat -f -c %f "/proc/$lab/root/")
		nsenter -t "$lab" -a /bin/sh -c 'cat /nslab-probe >/copied && echo changed >>/etc/passwd'
		free1=$(stat -f -c %f "/proc/$lab/root/")
		want=$(($(stat -c %s "$image/nslab-probe") / $(stat -f -c %S "/proc/$lab/root/")))
		expect "a file written inside is there" cmp -s "/proc/$lab/root/copied" "$image/nslab-probe"
		expect "it lands in the upper layer: the tmpfs under / lost $((free0 - free1)) blocks (>= $want)" test $((free0 - free1)) -ge "$want" -a "$want" -gt 0
		expect "a changed image file is copied up: the container sees the change" grep -q '^changed$' "/proc/$lab/root/etc/passwd"
		sum1=$(cd "$image" && find . -printf '%p %s %T@\n' | sort | md5sum)
		expect "the image is unchanged (no new file, /etc/passwd as made)" \
			bash -c "[ ! -e '$image/copied' ] && ! grep -q changed '$image/etc/passwd' && [ '$sum1' = '$sum0' ]"
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

# The scorecard can fail: against a bare process on the host every probe the
# kernel has escapes; against the built container (limits, capabilities,
# no_new_privs, seccomp) none does.
out=$(printf '%s\n' "start container" build "scorecard bare" scorecard stop | "$NSLAB" --script - 2>&1)
bare=$(sed -n '/^Scorecard of a bare process/,/not on this kernel/p' <<<"$out")
inside=$(sed -n '/^Scorecard of the container/,/not on this kernel/p' <<<"$out")
n_bare=$(grep -c 'ESCAPED' <<<"$bare")
n_absent=$(grep -c 'nothing to hold' <<<"$bare")
expect "bare: every probe the kernel has escapes ($n_bare escaped, $n_absent absent of 10)" \
	test "$((n_bare + n_absent))" -eq 10 -a "$n_bare" -ge 6
expect "bare: nothing is held" bash -c '! grep -q "held by" <<<"$1"' _ "$bare"
expect "container: nothing escapes" grep -qE '^[0-9]+ held, 0 escaped' <<<"$inside"
expect "container: the fork bomb is held by pids.max" grep -q 'fork bomb.*held by pids.max' <<<"$inside"
expect "container: the memory hog is held by memory.max" grep -q 'memory hog.*held by memory.max' <<<"$inside"
expect "container: mount is held by the seccomp filter" grep -q 'mounting a filesystem.*held by the seccomp filter' <<<"$inside"
expect "container: the chroot escape is held by pivot_root" grep -q 'chroot escape.*held by pivot_root' <<<"$inside"
[ "$n_bare" -ge 6 ] && grep -qE '^[0-9]+ held, 0 escaped' <<<"$inside" || printf '%s\n' "$out" | sed 's/^/#   /' | tail -30
same_as_before "host unchanged after the scorecards"

# An unprivileged nslab builds a rootless container: everything but the cgroup,
# and the cgroup step names the missing privilege.
state=$(mktemp -d /tmp/nslab-test-unpriv.XXXXXX)
chmod 0777 "$state"
unpriv=$(printf '%s\n' "start container" "do" check next "do" check next "do" check next "do" check ns stop |
	XDG_STATE_HOME=$state setpriv --reuid=65534 --regid=65534 --clear-groups "$NSLAB" --script - 2>&1)
rm -rf "$state"
expect "unprivileged: the container gets its hostname" grep -q '^check: ok - step 1/' <<<"$unpriv"
expect "unprivileged: the container gets its overlay root and /proc" grep -q '^check: ok - step 2/' <<<"$unpriv"
expect "unprivileged: the cgroup step says root or delegation is needed" grep -q 'needs root, or a cgroup subtree delegated' <<<"$unpriv"
expect "unprivileged: the container gets its clock" grep -q '^check: ok - step 4/' <<<"$unpriv"
expect "unprivileged: nine rows differ (all but cgroup)" test "$(grep -c '<- differs' <<<"$unpriv")" -ge 9
same_as_before "host unchanged after the unprivileged run"

# By hand: every step by typing its task's lines, check before and after,
# fresh and after `reset`.
# shellcheck disable=SC2016 # expanded by the shell inside nslab
ctr_steps=(check 'run hostname container' 'run hostname' 'host hostname' check next
	check rootfs 'run ls /' 'run ps' 'run cat /proc/self/mountinfo' 'host ls $NSLAB_LAB_ROOT' 'host ls $NSLAB_LAB_DIR/image' check next
	check limit status 'run cat /proc/self/cgroup' 'host cat /proc/$NSLAB_LAB_PID/cgroup' check next
	check clock 'run uptime' 'host uptime' 'run date' 'host date' check next
	check "run timeout 2 sh -c 'while :; do :; done'" 'host cat $NSLAB_CGROUP_DIR/container/cpu.stat' ns check)
want=nononononononononono
if grep -q 'QEMU Virtual CPU' /proc/cpuinfo 2>/dev/null; then
	# Under qemu's software emulation (the VM tests) step 4's `run uptime` and
	# `run date` can use up a period of the 50% quota by themselves, so
	# nr_throttled may be above 0 before step 5's busy loop: that one check
	# before the step is said, not judged (after it, and every other, is).
	TYPED_OUT=$(printf '%s\n' 'start container' "${ctr_steps[@]}" reset "${ctr_steps[@]}" stop | nslab_script - 2>&1)
	res=$(printf '%s\n' "$TYPED_OUT" | awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }')
	loose=$(sed 's/^\(.\{8\}\)o/\1n/; s/^\(.\{18\}\)o/\1n/' <<<"$res")
	if [ "$res" = "$want" ]; then
		ok "container typed, fresh and after reset: checks fail before and pass after each step ($res)"
	elif [ "$loose" = "$want" ]; then
		ok "container typed, fresh and after reset: checks fail before and pass after each step ($res) # SKIP step 5 before its busy loop under emulation: nr_throttled was already above 0"
	else
		not_ok "container typed, fresh and after reset: checks fail before and pass after each step (want $want, got $res)"
		printf '%s\n' "$TYPED_OUT" | grep -E '^(check:|  missing:|error|nslab: |\[exit [1-9])' | head -60 | sed 's/^/#   /'
	fi
else
	typed_walk "container typed, fresh and after reset" "$want" 'start container' "${ctr_steps[@]}" reset "${ctr_steps[@]}" stop
fi
expect "container typed: cpu.stat read through \$NSLAB_CGROUP_DIR" grep -q '^nr_throttled' <<<"$TYPED_OUT"
expect "container typed: no getcwd failure in the container" bash -c '! grep -q "getcwd() failed" <<<"$1"' _ "$TYPED_OUT"
same_as_before "host unchanged after the typed walks"

# Step 1 by the real tool: a UTS namespace of the learner's own, started as
# from another terminal (`host ... &`, in the lab cgroup). The container
# process keeps the host's name, so only the learner's process can pass.
# shellcheck disable=SC2016
out=$(printf '%s\n' 'start container' check "host unshare --uts sh -c 'hostname container; sleep 3621' &" \
	'host sleep 0.3' 'host lsns -t uts' 'run hostname' check stop | nslab_script - 2>&1)
res=$(awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }' <<<"$out")
expect "container step 1 by host unshare --uts: the check fails before, passes after ($res)" test "$res" = no
[ "$res" = no ] || grep -E '^(check:|  missing:|error)' <<<"$out" | sed 's/^/#   /'
expect "... before, it names the real command" grep -qF "host unshare --uts sh -c 'hostname container; sleep infinity' &" <<<"$out"
expect "... the container process itself kept the host's name" grep -qxF "$host_name" <<<"$out"
expect "... the host kept its hostname" test "$(hostname)" = "$host_name"
expect "... the learner's sleep is gone after stop" bash -c '! pgrep -f "sleep 362[1]"'

# Step 4 by the real tool: unshare(1) --time with the offsets and --fork, as
# from another terminal. The container process stays in the host's time
# namespace (so step 5 still fails, naming `clock`).
if [ -e /proc/self/ns/time ]; then
	# shellcheck disable=SC2016
	out=$(printf '%s\n' 'start container' 'step 4' check \
		'host unshare --time --monotonic 864000 --boottime 864000 --fork sleep 3622 &' 'host sleep 0.3' \
		'host lsns -t time' 'host readlink /proc/$NSLAB_LAB_PID/ns/time' check 'step 5' check stop |
		nslab_script - 2>&1)
	res=$(awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }' <<<"$out")
	expect "container step 4 by host unshare --time --fork: the check fails before, passes after ($res)" test "$res" = non
	[ "$res" = non ] || grep -E '^(check:|  missing:|error)' <<<"$out" | sed 's/^/#   /'
	expect "... before, it names the real command" \
		grep -qF 'host unshare --time --monotonic 864000 --boottime 864000 --fork sleep infinity &' <<<"$out"
	expect "... the container process stayed in the host's time namespace" grep -qxF "$(readlink /proc/self/ns/time)" <<<"$out"
	expect "... step 5 then names \`clock\`" grep -qF "time namespace: \`clock\` moves the container process itself" <<<"$out"
	expect "... the learner's unshare and sleep are gone after stop" bash -c '! pgrep -f "sleep 362[2]"'
fi
# Step 2 by the real tools: unshare(1) a mount and a PID namespace, mount(8)
# a tmpfs and an overlay of the image, pivot_root(8), a fresh proc, umount(8)
# of the old root, as from another terminal (`host ... &`, in the lab cgroup)
# and inside the container (`run ... &`, before `rootfs`). A learner's process
# in a mount namespace of its own without the pivot is named as the closest;
# the one that pivoted passes while the container process keeps the host's /.
# shellcheck disable=SC2016 # expanded by the shell inside nslab
pivot='unshare --mount --pid --fork --propagation private sh -c '\''mount -t tmpfs tmpfs /mnt && mkdir /mnt/upper /mnt/work /mnt/merged && mount -t overlay overlay -o lowerdir=$NSLAB_LAB_DIR/image,upperdir=/mnt/upper,workdir=/mnt/work /mnt/merged && cd /mnt/merged && mkdir .oldroot && pivot_root . .oldroot && cd / && mount -t proc proc /proc && umount -l /.oldroot && exec sleep 3626'\'' &'
for via in host run; do
	# shellcheck disable=SC2016
	out=$(printf '%s\n' 'start container' 'step 2' check "$via unshare --mount sleep 3625 &" 'host sleep 0.5' check \
		"$via $pivot" 'host sleep 1' check 'host echo ROOT=$(stat -f -c %T /proc/$(pgrep -n -f "^sleep 3626")/root/)' \
		'host echo LABROOT=$(stat -f -c %T /proc/$NSLAB_LAB_PID/root/)' stop | nslab_script - 2>&1)
	res=$(awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }' <<<"$out")
	expect "container step 2 by $via unshare, mount, pivot_root, umount: fails before and without the pivot, passes after ($res)" test "$res" = nno
	[ "$res" = nno ] || grep -E '^(check:|  missing:|error|sh:|unshare:|mount:|pivot_root:|umount:|mkdir:)' <<<"$out" | sed 's/^/#   /'
	expect "... ($via) before, it names the real command" grep -qF 'host unshare --mount --pid --fork --propagation private sh -c' <<<"$out"
	expect "... ($via) the unshared sleep without the pivot is named" \
		grep -qE "missing: PID [0-9]+ \(sleep 3625\) has no root of its own" <<<"$out"
	expect "... ($via) the pivoted sleep's / is an overlay" grep -qx 'ROOT=overlayfs' <<<"$out"
	expect "... ($via) the container process kept the host's /" bash -c '! grep -qx "LABROOT=overlayfs" <<<"$1"' _ "$out"
	expect "... ($via) the learner's sleeps are gone after stop" bash -c '! pgrep -f "sleep 362[56]"'
done
same_as_before "host unchanged after the step 2 real-tool walks"

# Step 3 by the real tools, as from another terminal (`host ... &`, in the
# lab cgroup): cgcreate under nslab's tree, cgset (v1 and hybrid) or a write
# to cpu.max (v2), then cgexec. A process in the group without a cgroup
# namespace of its own is named as the closest; one started through
# unshare --cgroup passes while the container process never moves.
# shellcheck disable=SC2016 # expanded by the shell inside nslab
grp='nslab/$(basename $NSLAB_CGROUP_DIR)/container'
# shellcheck disable=SC2016
quota="host cgset -r cpu.cfs_quota_us=50000 $grp"
# shellcheck disable=SC2016
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && quota='host echo "50000 100000" > $NSLAB_CGROUP_DIR/container/cpu.max'
# shellcheck disable=SC2016
out=$(printf '%s\n' 'start container' 'step 3' check "host cgcreate -g cpu:$grp" "$quota" \
	"host cgexec -g cpu:$grp sleep 3623 &" 'host sleep 0.3' check \
	"host cgexec -g cpu:$grp unshare --cgroup sleep 3624 &" 'host sleep 0.3' check \
	"host cgexec -g cpu:$grp unshare --cgroup cat /proc/self/cgroup" 'host echo LAB=$(cat /proc/$NSLAB_LAB_PID/cgroup)' \
	stop | nslab_script - 2>&1)
res=$(awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }' <<<"$out")
expect "container step 3 by cgcreate, cgset, cgexec unshare --cgroup: fails before and without --cgroup, passes after ($res)" test "$res" = nno
[ "$res" = nno ] || grep -E '^(check:|  missing:|error)' <<<"$out" | sed 's/^/#   /'
expect "... before, it names the real command" grep -qF 'unshare --cgroup sleep infinity &` after cgcreate and cgset' <<<"$out"
expect "... the sleep without --cgroup is named: it shares the host's cgroup namespace" \
	grep -qE "missing: PID [0-9]+ \(sleep 3623\) shares the host's cgroup namespace" <<<"$out"
expect "... inside its namespace, the cgexec'd unshare reads its cpu cgroup as /" grep -qE '^[0-9]+:([a-z,]*,)?cpu(,[a-z,]*)?:/$|^0::/$' <<<"$out"
expect "... the container process never moved into the group" bash -c '! grep "^LAB=" <<<"$1" | grep -q "/container"' _ "$out"
expect "... the learner's sleeps are gone after stop" bash -c '! pgrep -f "sleep 362[34]"'
same_as_before "host unchanged after the real-tool walks"

# Step 5 by the real tools: nsenter(1) into the built container (its
# namespaces, root and working directory, as docker exec does) under cgexec
# into its cgroup. The check fails before the loop and passes after.
# shellcheck disable=SC2016 # expanded by the shell inside nslab
out=$(printf '%s\n' 'start container' 'catchup 5' check \
	"host cgexec -g cpu:nslab/\$(basename \$NSLAB_CGROUP_DIR)/container nsenter --target \$NSLAB_LAB_PID --all --root --wd timeout 2 sh -c 'while :; do :; done'" \
	check 'host grep nr_throttled $NSLAB_CGROUP_DIR/container/cpu.stat' stop | nslab_script - 2>&1)
res=$(awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }' <<<"$out")
expect "container step 5 by cgexec + nsenter --all --root --wd: fails before, passes after ($res)" test "$res" = no
[ "$res" = no ] || grep -E '^(check:|  missing:|error|nsenter:|cgexec:|timeout:)' <<<"$out" | sed 's/^/#   /'
expect "... before, it names the real command" grep -qF 'nsenter --target $NSLAB_LAB_PID --all --root --wd timeout 2' <<<"$out"
expect "... the loop was throttled in the container's cgroup" grep -qE '^nr_throttled [1-9]' <<<"$out"
same_as_before "host unchanged after the step 5 real-tool walk"

# Step 6 by the real tools: cgcreate and cgset for the limits, setpriv(1) for
# Docker's 14 capabilities and no_new_privs, cgexec to start it (`host ... &`).
# No standard command loads a seccomp filter: the check names that process as
# the closest, lacking only the filter; `lockdown` then passes.
# shellcheck disable=SC2016 # expanded by the shell inside nslab
limits="host cgset -r memory.limit_in_bytes=64M -r pids.max=64 $grp"
# shellcheck disable=SC2016
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && limits="host cgset -r memory.max=64M -r pids.max=64 $grp"
caps=-all,+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,+setpcap,+net_bind_service,+net_raw,+sys_chroot,+mknod,+audit_write,+setfcap
out=$(printf '%s\n' 'start container' 'step 6' check "host cgcreate -g memory,pids:$grp" "$limits" \
	"host cgexec -g memory,pids:$grp setpriv --no-new-privs --inh-caps=-all --bounding-set $caps sleep 3627 &" \
	'host sleep 0.3' check lockdown check stop | nslab_script - 2>&1)
res=$(awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }' <<<"$out")
expect "container step 6 by cgcreate, cgset, setpriv: not done before nor without a filter, done after lockdown ($res)" test "$res" = nno
[ "$res" = nno ] || grep -E '^(check:|  missing:|error|setpriv:|cgexec:|cgset:)' <<<"$out" | sed 's/^/#   /'
second=$(awk '/^check:/ { n++ } n == 2' <<<"$out")
expect "... the setpriv'd sleep is named as the closest" grep -qE "missing: no seccomp filter \(Seccomp: 0 in /proc/[0-9]+/status" <<<"$second"
expect "... it lacks only the filter (its limits, capabilities and no_new_privs count)" \
	bash -c '! grep -qE "limit \(|still holds|no_new_privs is not set|the container" <<<"$1"' _ "$second"
grep -E "limit \(|still holds|no_new_privs is not set|the container" <<<"$second" | sed 's/^/#   /'
expect "... before, it names setpriv" grep -qF 'setpriv --no-new-privs --inh-caps=-all --bounding-set' <<<"$out"
expect "... the learner's sleep is gone after stop" bash -c '! pgrep -f "sleep 362[7]"'
same_as_before "host unchanged after the step 6 real-tool walk"


# Step 7 against the learner's container: built with the tasks' real lines
# (cgcreate, cgset, cgexec, unshare(1) of every namespace, mount(8) of a
# tmpfs and an overlay of the image, a fresh proc, pivot_root(8), umount(8)),
# while the container process stays unbuilt. The scorecard names that
# process and probes it: in its PID and network namespaces, behind its
# pivot_root, under its pids.max and memory.max.
# shellcheck disable=SC2016 # expanded by the shell inside nslab
ctr='unshare --user --map-root-user --mount --uts --ipc --net --pid --cgroup --fork --propagation private sh -c '\''mount -t tmpfs tmpfs /mnt && mkdir /mnt/upper /mnt/work /mnt/merged && mount -t overlay overlay -o lowerdir=$NSLAB_LAB_DIR/image,upperdir=/mnt/upper,workdir=/mnt/work /mnt/merged && cd /mnt/merged && mount -t proc proc proc && mkdir .oldroot && pivot_root . .oldroot && cd / && umount -l /.oldroot && exec sleep 3628'\'' &'
quota="host cgset -r cpu.cfs_quota_us=50000 $grp"
# shellcheck disable=SC2016
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && quota='host echo "50000 100000" > $NSLAB_CGROUP_DIR/container/cpu.max'
out=$(printf '%s\n' 'start container' 'step 7' "host cgcreate -g cpu,memory,pids:$grp" "$quota" "$limits" \
	"host cgexec -g cpu,memory,pids:$grp $ctr" "host timeout 60 sh -c 'until pgrep -x -f \"sleep 3628\" >/dev/null; do sleep 0.2; done'" \
	check scorecard stop | nslab_script - 2>&1)
card=$(sed -n '/^Scorecard of/,/not on this kernel/p' <<<"$out")
expect "container step 7 by the real tools: the scorecard probes the learner's container, PID and command line named" \
	grep -qE '^Scorecard of your container, PID [0-9]+ \(sleep 3628\)' <<<"$card"
grep -qE '^Scorecard of your container' <<<"$card" || sed -n '/> check$/,$p' <<<"$out" | head -40 | sed 's/^/#   /'
expect "... every namespace was joined" bash -c '! grep -q "not carried over: its .* namespace" <<<"$1"' _ "$card"
expect "... host PIDs are held by its PID namespace" grep -q 'seeing host PIDs.*held by the PID namespace' <<<"$card"
expect "... the host network is held by its network namespace" grep -q 'reaching the host network.*held by the network namespace' <<<"$card"
expect "... the chroot escape is held by its pivot_root" grep -q 'chroot escape.*held by pivot_root' <<<"$card"
expect "... the fork bomb is held by its pids.max" grep -q 'fork bomb.*held by pids.max' <<<"$card"
expect "... the memory hog is held by its memory.max" grep -q 'memory hog.*held by memory.max' <<<"$card"
sed 's/^/#   /' <<<"$card"
expect "... the learner's container is gone after stop" bash -c '! pgrep -f "sleep 362[8]"'
same_as_before "host unchanged after the scorecard of the learner's container"


# SIGKILL a built container.
sess_start
sess_send "start container" build "run echo BUILT"
sess_wait '^BUILT$' 300 && ok "container built before SIGKILL"
killed_cleanup "container"
finish
