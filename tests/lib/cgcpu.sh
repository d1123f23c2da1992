# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/lib/cgcpu.sh: sourced by the cpu lab's test and benchmark. Independent CPU
# measurement of a cgroup's processes (utime + stime from /proc/<pid>/stat, not
# the cgroup's own counters) and a live nslab --script session fed through a fifo.

# The mount point of the hierarchy with the cpu controller: a v1 mount with the
# "cpu" option (not cpuset), else cgroup2.
cpu_mount() {
	awk '$3 == "cgroup" { n = split($4, o, ","); for (i = 1; i <= n; i++) if (o[i] == "cpu") { print $2; exit } }' /proc/mounts |
		grep . || awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts
}

# ticks DIR: CPU ticks (utime + stime) of every process in cgroup DIR.
ticks() {
	local t=0 p line rest
	while read -r p; do
		read -r line <"/proc/$p/stat" || continue
		rest=${line##*) }
		# shellcheck disable=SC2086
		set -- $rest
		t=$((t + ${12} + ${13}))
	done <"$1/cgroup.procs"
	echo "$t"
}

# measure DIR SECS: CPU% (100 = one CPU) of the cgroup's processes over SECS. A
# throttled group runs in a pattern that repeats every period, so any window that
# is a whole number of periods long sees exactly quota per period.
measure() {
	local c0 c1 t0 t1
	t0=$EPOCHREALTIME; c0=$(ticks "$1")
	sleep "$2"
	t1=$EPOCHREALTIME; c1=$(ticks "$1")
	awk -v c="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" -v t0="$t0" -v t1="$t1" \
		'BEGIN { printf "%.1f", c / hz / (t1 - t0) * 100 }'
}

# within A B TOL: |A - B| <= TOL
within() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }

# A live session: sess_start; sess_send CMD...; sess_wait REGEX [COUNT] [TENTHS]; sess_stop|sess_kill.
sess_start() {
	SESS_DIR=$(mktemp -d /tmp/nslab-test-sess.XXXXXX)
	mkfifo "$SESS_DIR/in"
	"$NSLAB" --script - <"$SESS_DIR/in" >"$SESS_DIR/out" 2>&1 &
	SESS_PID=$!
	exec 8>"$SESS_DIR/in"
}
sess_send() { printf '%s\n' "$@" >&8; }
sess_count() { grep -cE "$1" "$SESS_DIR/out"; }
sess_wait() {
	local i
	for ((i = 0; i < ${3:-150}; i++)); do
		[ "$(sess_count "$1")" -ge "${2:-1}" ] && return 0
		sleep 0.1
	done
	echo "# timed out waiting for /$1/; output so far:"; sed 's/^/#   /' "$SESS_DIR/out"
	return 1
}
sess_stop() { sess_send stop quit; exec 8>&-; wait "$SESS_PID" 2>/dev/null; rm -rf "$SESS_DIR"; }
sess_kill() { kill -9 "$SESS_PID"; exec 8>&-; wait "$SESS_PID" 2>/dev/null; rm -rf "$SESS_DIR"; }
# sess_usage: the CPU% of the last `usage` line.
sess_usage() { grep '^usage: ' "$SESS_DIR/out" | tail -1 | sed -E 's/^usage: ([0-9.]+)%.*/\1/'; }
