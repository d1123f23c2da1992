#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-cgroupns.sh: the cgroupns lab on the real kernel (root; run through
# tests/run-suite.sh). Each step's check fails before `do` and passes after; the lab
# process ends in its own cgroup and cgroup namespace, reads its cgroup as "/"
# while the host reads the full path, and a cgroup filesystem mounted inside shows
# only its subtree and never appears on the host; the host is left as found, also
# after SIGKILL + `nslab --cleanup`.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=tests/lib/byhand.sh
. "$(dirname "$0")/../lib/byhand.sh"

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
		expect "its cgroup is nslab/<pid>/cgns ($cg)" bash -c "[[ '$cg' == /nslab/*/cgns ]]"
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
# By hand: each step's own task lines (`cgroup`, unshare(1) --cgroup, mount), fresh and after reset.
byhand_walk cgroupns
expect "by hand: the host's /sys/fs/cgroup mounts are as they were" \
	test "$(awk '$5 == "/sys/fs/cgroup"' /proc/self/mountinfo | wc -l)" = "$host_cg_mounts"
same_as_before "host unchanged after the walk by hand"

# The real tool started on the host side (`host ... &`, in the lab cgroup);
# `host` does not join the lab process's cgroup, so the namespace is rooted
# at the lab cgroup the command starts in.
# shellcheck disable=SC2016 # expanded by the shells nslab starts
out=$(printf '%s\n' 'start cgroupns' cgroup next \
	check 'host unshare --cgroup sleep 3671 &' 'host sleep 0.3' check next \
	check "host unshare --cgroup --mount sh -c 'umount -l /sys/fs/cgroup; mount -t cgroup2 none /sys/fs/cgroup; sleep 3672' &" 'host sleep 0.3' check \
	stop | nslab_script - 2>&1)
expect "cgroupns: host unshare --cgroup ... &: steps 2 and 3 fail before, pass after ($(check_results "$out"))" \
	test "$(check_results "$out")" = nono
expect "cgroupns: host unshare ... &: the sleeps are gone after stop" bash -c '! pgrep -f "sleep 367[12]"'
same_as_before "host unchanged after the host & path"

finish
