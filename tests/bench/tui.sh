#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/tui.sh: what the live TUI costs and how fast it follows the kernel.
#  1. idle CPU of nslab over 10 s (utime+stime from /proc/PID/stat), with the
#     uts lab running and one watched process: the pane probes the shown
#     processes 20 times a second and must stay under 0.5% of a core;
#  2. latency from a namespace change (a watched process calling unshare(2))
#     to the pane showing the new inode, over N runs (tmux capture-pane polls
#     every ~10 ms, so figures include up to that much of the probe's own delay).
#     tests/bench/pane-latency.sh measures this without polling, against the
#     issue's limits (median 50 ms, max 120 ms, idle CPU 0.3%).
# Also leaves a text capture of the screen in /tmp/tui-screen.txt.
# Usage: tests/bench/tui.sh [IDLE_SECONDS] [RUNS]   (as root: it starts a lab)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/common.sh
. tests/e2e/lib-tmux.sh
IDLE=${1:-10}
RUNS=${2:-10}
exec 9>/tmp/.nslab-tests.lock
flock 9
WORK=$(mktemp -d /tmp/nslab-bench-tui.XXXXXX)
PIDS=()
cleanup_bench() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	tui_stop
	rm -rf "$WORK" "$XDG_STATE_HOME"
}
trap cleanup_bench EXIT
ino() { stat -L -c %i "/proc/$1/ns/$2"; }
ms() { date +%s%3N; }

tui_start 100 30 || { echo "tui.sh: the TUI did not start"; exit 1; }
type_line "start uts"
wait_screen 'step 1/' 10
type_line "run hostname bench"
wait_screen '^\[exit 0\]' 5
unshare -u -n sleep 60 &
PIDS+=($!)
type_line "watch $!"
wait_screen "watch $!" 3
sleep 1
pid=$(tui_pid)

# 1. idle CPU
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
runtime() { awk '{ print $1 }' "/proc/$1/schedstat" 2>/dev/null || echo 0; }
hz=$(getconf CLK_TCK)
t0=$(ticks "$pid") r0=$(runtime "$pid")
s0=$(date +%s%N)
sleep "$IDLE"
t1=$(ticks "$pid") r1=$(runtime "$pid")
s1=$(date +%s%N)
awk -v d=$((t1 - t0)) -v hz="$hz" -v ns=$((s1 - s0)) -v rt=$((r1 - r0)) 'BEGIN {
	secs = ns / 1e9; pct = 100 * d / hz / secs
	printf "idle CPU: %d ticks in %.1f s = %.2f%% of one core (limit 0.5%%; /proc/PID/schedstat: %.3f%%)\n",
		d, secs, pct, 100 * rt / ns
	exit pct < 0.5 ? 0 : 1 }'
idle_ok=$?

# 2. namespace change -> pane
lat=()
for ((i = 0; i < RUNS; i++)); do
	fifo=$WORK/go.$i
	mkfifo "$fifo"
	bash -c 'read -r _ <"$1"; exec unshare -u sleep 30' sh "$fifo" &
	p=$!
	PIDS+=("$p")
	type_line "watch $p"
	wait_screen "watch $p" 3
	before=$(ino "$p" uts)
	sleep 0.$((RANDOM % 10)) # land anywhere in the refresh period
	start=$(ms)
	echo go >"$fifo"
	while [ "$(ino "$p" uts 2>/dev/null)" = "$before" ]; do :; done
	new=$(ino "$p" uts)
	until screen | grep -q "$new\\*"; do
		if (($(ms) - start > 2000)); then break; fi
		sleep 0.005
	done
	lat+=($(($(ms) - start)))
	type_line "unwatch $p"
	kill "$p" 2>/dev/null
done
printf '%s\n' "${lat[@]}" | sort -n | awk -v runs="$RUNS" '
	{ v[NR] = $1; sum += $1 }
	END { printf "namespace change -> pane: min %d ms, median %d ms, max %d ms, mean %.0f ms over %d runs (limit 250 ms)\n",
		v[1], v[int((NR + 1) / 2)], v[NR], sum / NR, runs
		exit v[NR] <= 250 ? 0 : 1 }'
lat_ok=$?

# The screen for the README: the lab, a renamed hostname, a watched process.
type_line "check"
wait_screen 'check: ok' 5
sleep 0.3
screen >/tmp/tui-screen.txt
echo "screen capture: /tmp/tui-screen.txt"
type_line quit
type_line quit # mid-lab the first one asks
wait_exit 5
[ "$idle_ok" = 0 ] && [ "$lat_ok" = 0 ]
