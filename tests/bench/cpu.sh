#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/cpu.sh: CFS throttle accuracy per quota, nslab's cpu lab against the
# peer a learner would use by hand (libcgroup's cgcreate/cgset/cgexec + stress, as
# in the seed article), in the same run and under the same conditions, measured
# independently from /proc/<pid>/stat (utime + stime of the cgroup's processes).
# Then the same on a pure cgroup v2 kernel (tests/vm/run.sh --bench), so both the
# v1/hybrid and the v2 paths are covered. Fails if nslab misses a quota by more
# than TOL points (default 2); the peer's numbers are reported, not judged.
#   tests/bench/cpu.sh            this machine, then the v2 VM
#   NSLAB_BENCH_NO_VM=1 ...       this machine only (the VM's init sets this)
# Env: SECS (window per quota, default 4), TOL, QUOTAS ("10 30 60 150").
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NSLAB=${NSLAB:-$TOP/build/nslab}
export NSLAB_LAB_PATH=${NSLAB_LAB_PATH:-$TOP/build/labs}
if [ -z "${XDG_STATE_HOME:-}" ]; then
	XDG_STATE_HOME=$(mktemp -d /tmp/nslab-bench-state.XXXXXX)
	export XDG_STATE_HOME
	# nslab writes state as the user who ran sudo (SUDO_UID): give it the dir.
	if [ -n "${SUDO_UID:-}" ] && [ "$(id -u)" = 0 ]; then
		chown "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$XDG_STATE_HOME"
	fi
	trap 'rm -rf "$XDG_STATE_HOME"' EXIT
fi
# shellcheck disable=SC1091
. "$TOP/tests/lib/cgcpu.sh"
SECS=${SECS:-4}
TOL=${TOL:-2}
QUOTAS=${QUOTAS:-10 30 60 150}
PEER=nslab-bench-peer-$$
PERIOD=100000

[ "$(id -u)" = 0 ] || { echo "bench cpu: needs root (cgroups)"; exit 1; }
if ! command -v cgexec >/dev/null || ! command -v stress >/dev/null; then
	echo "bench cpu: installing cgroup-tools and stress"
	"$TOP/scripts/install-deps.sh" >/dev/null 2>&1 || apt-get install -y cgroup-tools stress >/dev/null 2>&1
fi
if ! command -v cgexec >/dev/null || ! command -v stress >/dev/null; then
	echo "bench cpu: cgexec or stress missing"
	exit 1
fi

# One machine-wide lock, as the root test suites take it (see tests/run-suite.sh).
if [ -z "${NSLAB_IN_VM:-}" ]; then exec 9>/tmp/.nslab-tests.lock; flock 9; fi

mode=$(stat -f -c %T /sys/fs/cgroup)
mnt=$(cpu_mount)
workers() { [ "$1" -gt 100 ] && echo 2 || echo 1; }
# measure_held DIR QUOTA: like measure, but a window that missed (another
# program took the CPUs for a moment) is measured once more; marked with "*".
measure_held() {
	local got
	got=$(measure "$1" "$SECS")
	within "$got" "$2" "$TOL" && { echo "$got"; return; }
	echo "$(measure "$1" "$SECS")*"
}

# --- nslab: the cpu lab's own commands ---
declare -A lab_got peer_got
sess_start
sess_send "start cpu" "burn 1" "cgroup" "move" "status"
if sess_wait '^cgroup: /nslab/'; then
	dir=$mnt$(awk '/^cgroup:/ { print $2; exit }' "$SESS_DIR/out")
	nw=1
	for q in $QUOTAS; do
		w=$(workers "$q")
		if [ "$w" != "$nw" ]; then sess_send "stress $w"; sess_wait '^worker .* started' "$w"; nw=$w; fi
		sess_send "quota $q"
		sess_wait "x 100 = $q% of one CPU" || continue
		sleep 0.5
		lab_got[$q]=$(measure_held "$dir" "$q")
	done
else
	echo "bench cpu: the cpu lab did not start"
fi
sess_stop

# --- the peer: cgcreate + cgset + cgexec stress ---
set_peer() { # QUOTA_US
	if [ "$mode" = cgroup2fs ]; then cgset -r "cpu.max=$1 $PERIOD" "$PEER"
	else cgset -r "cpu.cfs_period_us=$PERIOD" -r "cpu.cfs_quota_us=$1" "$PEER"; fi
}
stop_peer() {
	local p
	while read -r p; do kill -9 "$p" 2>/dev/null; done <"$mnt/$PEER/cgroup.procs"
	for _ in $(seq 50); do [ -s "$mnt/$PEER/cgroup.procs" ] || break; sleep 0.1; done
}
# libcgroup 2.0.x does not enable cpu below the v2 root itself.
[ "$mode" = cgroup2fs ] && { echo +cpu >/sys/fs/cgroup/cgroup.subtree_control; } 2>/dev/null
if cgcreate -g "cpu:$PEER" 2>/dev/null; then
	nw=0
	for q in $QUOTAS; do
		w=$(workers "$q")
		set_peer $((q * PERIOD / 100))
		if [ "$w" != "$nw" ]; then
			stop_peer
			cgexec -g "cpu:$PEER" stress -c "$w" >/dev/null 2>&1 &
			disown
			nw=$w
		fi
		sleep 0.5
		peer_got[$q]=$(measure_held "$mnt/$PEER" "$q")
	done
	stop_peer
	wait 2>/dev/null
	cgdelete -g "cpu:$PEER" 2>/dev/null || rmdir "$mnt/$PEER"
else
	echo "bench cpu: cgcreate -g cpu:$PEER failed; no peer numbers"
fi

# --- report ---
err() { [ -n "$1" ] && awk -v a="${1%"*"}" -v b="$2" 'BEGIN { printf "%+.1f", a - b }' || echo "-"; }
echo "cpu throttle accuracy on $(uname -r), $mode at /sys/fs/cgroup (cpu controller at $mnt), $(nproc) CPUs, ${SECS} s per quota"
printf '%-7s %-8s | %-10s %-6s | %-14s %-6s\n' quota workers "nslab cpu" error "cgexec+stress" error
status=0 retried=
for q in $QUOTAS; do
	l=${lab_got[$q]:-} p=${peer_got[$q]:-}
	[[ "$l$p" == *"*"* ]] && retried=1
	printf '%-7s %-8s | %-10s %-6s | %-14s %-6s\n' "$q%" "$(workers "$q")" "${l:--}" "$(err "$l" "$q")" "${p:--}" "$(err "$p" "$q")"
	if [ -z "$l" ] || ! within "${l%"*"}" "$q" "$TOL"; then status=1; fi
done
[ -n "${retried:-}" ] && echo "* the first window missed (a busy machine); this is the second"
[ "$status" = 0 ] && echo "nslab: every quota held within $TOL points" || echo "nslab: a quota missed by more than $TOL points"

if [ -z "${NSLAB_IN_VM:-}" ] && [ "${NSLAB_BENCH_NO_VM:-0}" != 1 ]; then
	exec 9>&- # the VM has its own kernel: no lock needed there
	echo
	"$TOP/tests/vm/run.sh" --bench || status=1
fi
exit "$status"
