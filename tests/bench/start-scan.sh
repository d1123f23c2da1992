#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/start-scan.sh: how nslab compares with the plain tools.
#  1. Lab start against `unshare` making the same namespace (uts):
#     a. a whole nslab run (`start uts`, `quit`) vs `unshare --uts true`,
#        interleaved PAIR_RUNS times (pair.c): medians and percentiles;
#     b. just the lab start inside one nslab process: a script with N x
#        (start uts / stop), minus a script that only quits, per lab, vs
#        N x `unshare --uts true` in one shell, minus an empty shell, per run.
#     Goal: <= 1.5x unshare.
#  2. `ns --all` vs `lsns` with 1000 extra processes in 100 new UTS+IPC
#     namespace pairs (100 `unshare --uts --ipc sh` parents with 9 sleeping
#     children each). Goal: <= 0.5x lsns.
# Prints ratios (and the times they come from). Exit 1 only if a benchmark
# could not run, or, with BENCH_STRICT=1, if a goal was missed.
# Knobs: BENCH_RUNS (hyperfine runs, 30), BENCH_PAIR_RUNS (1a rounds, 200), BENCH_N (labs per script, 50),
# BENCH_PROCS_NS / BENCH_PROCS_PER_NS (100 / 10).
set -u
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

RUNS=${BENCH_RUNS:-30}
PAIR_RUNS=${BENCH_PAIR_RUNS:-200}
N=${BENCH_N:-50}
NNS=${BENCH_PROCS_NS:-100}
PER=${BENCH_PROCS_PER_NS:-10}
missed=0

if [ "$(id -u)" -ne 0 ]; then
	echo "start-scan: needs root (namespaces); skipped"
	exit 0
fi
for tool in hyperfine jq unshare lsns; do
	command -v "$tool" >/dev/null || { echo "start-scan: $tool is missing"; exit 1; }
done
[ -x "$NSLAB" ] || { echo "start-scan: $NSLAB not built (make all)"; exit 1; }

work=$(mktemp -d /tmp/nslab-bench.XXXXXX)
leaders=()
# Kills each extra process group and waits until its processes are gone
# (they are not our children: see below).
reap_leaders() {
	local l t
	for l in "${leaders[@]}"; do kill -KILL -- "-$l" 2>/dev/null; done
	for ((t = 0; t < 100; t++)); do
		[ ${#leaders[@]} -eq 0 ] || [ -z "$(ps -o pid= --sid "$(IFS=,; echo "${leaders[*]}")")" ] && break
		sleep 0.05
	done
	leaders=()
}
cleanup() {
	local l
	reap_leaders
	rm -rf "$work" "$XDG_STATE_HOME"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Other engineers run root tests on the same kernel: take the machine lock
# (unless a caller already holds it for us: run-suite.sh says so with
# NSLAB_TESTS_LOCKED; taking it again from here would wait for ever).
if [ -z "${NSLAB_TESTS_LOCK_HELD:-}" ] && [ -z "${NSLAB_TESTS_LOCKED:-}" ]; then
	exec 9>/tmp/.nslab-tests.lock
	flock 9
fi
before=$(fingerprint)

# mean of command #i (0-based) in a hyperfine JSON export, in seconds
mean() { jq -r ".results[$2].mean" "$1"; }
ms() { awk -v s="$1" 'BEGIN { printf "%.2f ms", s * 1000 }'; }
# "mean ± sd" of command #i, for the report
msd() { jq -r ".results[$2] | \"\\(.mean * 1000 * 100 | round / 100) ± \\(.stddev * 1000 * 100 | round / 100) ms\"" "$1"; }
# ratio NAME A B GOAL: prints A/B against the goal
ratio() {
	local verdict
	verdict=$(awk -v a="$2" -v b="$3" -v g="$4" 'BEGIN { r = a / b; printf "%.2fx (goal <= %sx): %s", r, g, r <= g ? "met" : "MISSED" }')
	echo "RATIO $1: $verdict"
	case $verdict in *MISSED) missed=$((missed + 1)) ;; esac
}
bench() { # JSON CMD... (no shell: -N)
	local json=$1; shift
	hyperfine -N --style none --warmup 3 --runs "$RUNS" --export-json "$json" "$@" >/dev/null 2>"$work/hyperfine.err" ||
		{ echo "start-scan: hyperfine failed:"; cat "$work/hyperfine.err"; exit 1; }
}

# --- 1a: one whole run ---
printf 'start uts\nquit\n' >"$work/start1.nslab"
printf 'quit\n' >"$work/quit.nslab"
# sanity: the lab really starts, in its own UTS namespace
# shellcheck disable=SC2016 # $NSLAB_LAB_PID is for nslab's shell
if ! out=$(printf 'start uts\nhost readlink /proc/$NSLAB_LAB_PID/ns/uts /proc/self/ns/uts\nquit\n' | "$NSLAB" --script - 2>&1) ||
	[ "$(printf '%s\n' "$out" | grep -c '^uts:\[')" -ne 2 ] ||
	[ "$(printf '%s\n' "$out" | grep '^uts:\[' | sort -u | wc -l)" -ne 2 ]; then
	echo "start-scan: 'start uts' did not give a lab in its own UTS namespace:"
	printf '%s\n' "$out"
	exit 1
fi
# Interleaved (tests/bench/pair.c): nslab and unshare take turns, so both
# run under the same load on a shared machine; medians and percentiles.
cc -O2 -o "$work/pair" "$(dirname "${BASH_SOURCE[0]}")/pair.c" || { echo "start-scan: cannot build pair"; exit 1; }
"$work/pair" "$PAIR_RUNS" 5 "$NSLAB" --script "$work/start1.nslab" -- unshare --uts true >"$work/1a.txt" ||
	{ echo "start-scan: pair failed"; cat "$work/1a.txt"; exit 1; }
echo "1a. whole run, A = nslab --script (start uts, quit), B = unshare --uts true:"
grep -v '^RESULT' "$work/1a.txt" | sed 's/^/    /'
read -r _ t_run t_unshare _ round_ratio _ < <(grep '^RESULT' "$work/1a.txt")
echo "    median of the per-round ratios: ${round_ratio}x"
ratio "whole nslab run / unshare (medians)" "$t_run" "$t_unshare" 1.5

# --- 1b: N lab starts inside one nslab ---
{ for ((i = 0; i < N; i++)); do printf 'start uts\nstop\n'; done; printf 'quit\n'; } >"$work/startN.nslab"
{ for ((i = 0; i < N; i++)); do echo 'unshare --uts true'; done; } >"$work/unshareN.sh"
: >"$work/empty.sh"
bench "$work/1b.json" "$NSLAB --script $work/startN.nslab" "$NSLAB --script $work/quit.nslab" \
	"sh $work/unshareN.sh" "sh $work/empty.sh"
t_labs=$(mean "$work/1b.json" 0) t_quit=$(mean "$work/1b.json" 1)
t_loop=$(mean "$work/1b.json" 2) t_sh=$(mean "$work/1b.json" 3)
per_lab=$(awk -v a="$t_labs" -v b="$t_quit" -v n="$N" 'BEGIN { print (a - b) / n }')
per_unshare=$(awk -v a="$t_loop" -v b="$t_sh" -v n="$N" 'BEGIN { print (a - b) / n }')
echo "1b. in one process: $N x (start uts, stop) $(msd "$work/1b.json" 0) - quit-only $(ms "$t_quit") = $(ms "$per_lab") per lab;"
echo "    $N x unshare --uts true $(msd "$work/1b.json" 2) - empty sh $(ms "$t_sh") = $(ms "$per_unshare") per unshare"
ratio "lab start+stop in nslab / unshare" "$per_lab" "$per_unshare" 1.5

# --- 2: ns --all vs lsns with many processes ---
base_ns=$(lsns -n | wc -l)
for ((i = 0; i < NNS; i++)); do
	# setsid: each parent leads its own session and group, so the trap can
	# kill it whole; started from a subshell so that bash does not report
	# each one as a killed job at the end.
	leaders+=("$(setsid unshare --uts --ipc sh -c "for i in \$(seq $((PER - 1))); do sleep 3600 & done; wait" \
		</dev/null >/dev/null 2>&1 & echo $!)")
done
want=$((NNS * PER))
for ((t = 0; t < 100; t++)); do
	have=$(ps -o pid= --sid "$(IFS=,; echo "${leaders[*]}")" | wc -l)
	[ "$have" -ge "$want" ] && break
	sleep 0.1
done
if [ "$have" -lt "$want" ]; then
	echo "start-scan: only $have of $want extra processes came up"
	exit 1
fi
printf 'ns --all\nquit\n' >"$work/nsall.nslab"
n_nslab=$("$NSLAB" --script "$work/nsall.nslab" 2>/dev/null | grep -cE '^ *[0-9]{6,} ')
n_lsns=$(lsns -n | wc -l)
echo "2.  $have extra processes in $NNS new uts+ipc namespace pairs: lsns lists $n_lsns namespaces" \
	"(was $base_ns), nslab ns --all $n_nslab rows"
if [ "$n_nslab" -lt $((2 * NNS)) ]; then
	echo "start-scan: ns --all did not list the $((2 * NNS)) new namespaces"
	exit 1
fi
bench "$work/2.json" "$NSLAB --script $work/nsall.nslab" "$NSLAB --script $work/quit.nslab" "lsns"
t_all=$(mean "$work/2.json" 0) t_quit2=$(mean "$work/2.json" 1) t_lsns=$(mean "$work/2.json" 2)
echo "    nslab ns --all (whole run) $(msd "$work/2.json" 0), of which start+quit $(ms "$t_quit2"); lsns $(msd "$work/2.json" 2)"
ratio "nslab ns --all (whole run) / lsns" "$t_all" "$t_lsns" 0.5
ratio "ns --all command alone / lsns" "$(awk -v a="$t_all" -v b="$t_quit2" 'BEGIN { print a - b }')" "$t_lsns" 0.5

# --- leave the host as found ---
reap_leaders
after=$(fingerprint)
# Every nslab this benchmark ran has exited. Other engineers may be running
# nslab outside the lock: what belongs to a live run of theirs is not ours.
others_live() {
	local d p
	for d in /run/nslab/*; do
		p=${d##*/}
		p=${p%.registry} # a run's registry file, beside its dir
		[ -e "$d" ] && kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}
leftover=$(comm -13 <(sort <<<"$before") <(sort <<<"$after") | while IFS= read -r line; do
	pid=$(sed -nE 's|.*/nslab/([0-9]+).*|\1|p' <<<"$line")
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then continue; fi
	if [[ $line == process* ]] && others_live; then continue; fi
	printf '%s\n' "$line"
done)
if [ -n "$leftover" ]; then
	echo "start-scan: left behind on the host:"
	printf '%s\n' "$leftover"
	exit 1
fi
echo "start-scan: host fingerprint unchanged; $missed goal(s) missed"
[ "${BENCH_STRICT:-0}" != 1 ] || [ "$missed" -eq 0 ]
