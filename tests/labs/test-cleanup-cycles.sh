#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-cleanup-cycles.sh: crash-safe cleanup, proven by repetition (root; run it
# through tests/run-suite.sh, which holds the suite's flock).
#
# CYCLES times (default 8): pick a random lab from `labs` (labs whose start says
# "cannot run here" are skipped), start it in script mode fed from a fifo, do a
# random number of steps (`do` + `next`, 0..nsteps), then end nslab with SIGKILL,
# SIGTERM or SIGINT (random). After SIGKILL: a new nslab must warn about the
# leftovers (stderr names --cleanup), then `nslab --cleanup` runs. After SIGTERM
# or SIGINT nslab must clean up by itself (no --cleanup, no warning afterwards).
# Then every process nslab made must go and the host fingerprint must equal the
# one taken before the cycle (blind to nslab runs this test did not start: see
# cyc_fingerprint in tests/lib/cycles-lib.sh).
#
# Replay a failure with the SEED it printed: SEED=20261123 CYCLES=50 tests/run-suite.sh ...
# Optional: LABS="uts ipc" restricts the draw; SIGNALS="KILL" likewise; BUSY=N
# makes about one cycle in N send its signal while a `do` may still run
# (default 4; BUSY=1000000 nearly never); RUNNING=N likewise makes about one
# cycle in N send it while `run sleep 60` runs in the lab; CHILDREN=N starts
# setsid and double-forked children from `run` and `host` in one cycle in N
# (default 3); SHELL_EVERY=N sends the signal while `shell` runs a child of its
# own in one cycle in N (default 4). SIGNALS="KILL HUP" works too.
# shellcheck disable=SC1091
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/cycles-lib.sh"

# nslab may be gone when a line is written to its fifo: that must be a failed
# write, not a SIGPIPE that ends this test without a word.
trap '' PIPE
CYCLES=${CYCLES:-8}
SEED=${SEED:-$(date +%Y%m%d)}
SIGNALS=${SIGNALS:-KILL TERM INT}
RANDOM=$SEED
echo "# seed: SEED=$SEED CYCLES=$CYCLES (replay: SEED=$SEED CYCLES=$CYCLES $0)"

if [ "$(id -u)" -ne 0 ]; then
	echo "# skipped: needs root"
	exit 0
fi

# Labs as build/nslab lists them ("  ID  N/M  title").
if [ -n "${LABS:-}" ]; then
	read -ra labs <<<"$LABS"
else
	mapfile -t labs < <(printf 'labs\n' | "$NSLAB" --script - 2>/dev/null |
		awk '/^  [^ ]+ +[0-9]+\/[0-9]+ / { print $1 }')
fi
read -ra sigs <<<"$SIGNALS"
if [ ${#labs[@]} -eq 0 ]; then
	not_ok "nslab lists no labs"
	finish
	exit
fi
echo "# labs: ${labs[*]}"
declare -A unsupported=()

# Anything an earlier run left behind (another test, a manual run) is not
# ours to judge: clear it first (live runs are left alone) and say what it was.
pre=$("$NSLAB" --cleanup 2>&1)
if ! grep -q '^nothing to clean up' <<<"$pre"; then
	echo "# note: the host had leftovers before the first cycle; --cleanup said:"
	printf '%s\n' "$pre" | sed 's/^/#   /'
fi

# Per-cycle results, for the closing table.
summary=()

cleanup_on_exit() {
	[ -n "${CYC_PID:-}" ] && kill -9 "$CYC_PID" 2>/dev/null
	"$NSLAB" --cleanup >/dev/null 2>&1
	[ -n "${CYC_DIR:-}" ] && rm -rf "$CYC_DIR"
	rm -rf "$XDG_STATE_HOME"
}
trap cleanup_on_exit EXIT

# run_cycle N: one cycle; sets R_LAB R_STEPS R_SIG R_EXIT R_PROBLEMS; returns 2
# when the drawn lab cannot run here (the cycle is drawn again).
run_cycle() {
	local n=$1 lab nsteps k i sig pids problems=() fp_before out
	R_LAB=- R_STEPS=- R_SIG=- R_EXIT=- R_PROBLEMS='' R_CLEANED=-
	lab=${labs[RANDOM % ${#labs[@]}]}
	R_LAB=$lab
	[ -n "${unsupported[$lab]:-}" ] && return 2

	fp_before=$(cyc_fingerprint)
	cyc_start
	cyc_send "start $lab" status
	if ! cyc_wait_count '^lab: [^ ]+$' 1 120; then
		problems+=("no status after start (nslab dead or hung)")
	elif grep -q 'cannot run here' "$CYC_DIR/err"; then
		unsupported[$lab]=1
		echo "# $lab: $(grep -m1 'cannot run here' "$CYC_DIR/err")"
		cyc_send quit
		cyc_close
		cyc_reap >/dev/null
		CYC_PID=
		rm -rf "$CYC_DIR"
		return 2
	fi
	nsteps=$(awk '/^step:/ { split($2, a, "/"); print a[2]; exit }' "$CYC_DIR/out")
	if ! [[ "${nsteps:-}" =~ ^[0-9]+$ ]]; then
		problems+=("lab did not start: $(head -c 200 "$CYC_DIR/err" | tr '\n' ' ')")
		nsteps=0
	fi

	# A random number of steps, then a second status to know they finished;
	# or, one cycle in BUSY (default 4), no waiting: the signal comes while
	# a `do` may still be running (timing-dependent, so replays vary there).
	k=$((RANDOM % (nsteps + 1)))
	R_STEPS="$k/$nsteps"
	local busy=$((k > 0 && RANDOM % ${BUSY:-4} == 0)) delay=$((RANDOM % 10))
	for ((i = 0; i < k; i++)); do cyc_send 'do' next; done
	if ((busy)); then
		R_STEPS+=" busy(+0.${delay}s)"
		sleep "0.$delay"
	else
		cyc_send status
		cyc_wait_count '^lab: [^ ]+$' 2 300 || problems+=("steps did not finish within 300 s")
	fi
	# One cycle in RUNNING (default 4): the signal comes while `run sleep 60`
	# holds the REPL (a lab process group that PDEATHSIG does not reach).
	if ((RANDOM % ${RUNNING:-4} == 0)); then
		cyc_send "run sleep 60"
		R_STEPS+=" +run"
		sleep 0.5
	fi
	# One cycle in CHILDREN (default 3): processes that neither PDEATHSIG nor
	# a process group reaches: setsid and double forks from `run` and `host`.
	if ((RANDOM % ${CHILDREN:-3} == 0)); then
		cyc_send 'run setsid sleep 3600 &' 'host setsid sleep 3601 &' \
			'run sh -c "(sleep 3602 &) &"' 'host sh -c "(setsid sleep 3603 &) &"'
		R_STEPS+=" +detached"
		sleep 0.5
	fi
	# One cycle in SHELL (default 4): the signal comes while `shell` holds the
	# REPL, with a child of the shell running (the rest of the fifo is the
	# shell's input).
	local in_shell=0
	if ((RANDOM % ${SHELL_EVERY:-4} == 0)); then
		cyc_send shell 'sleep 3604 &' 'setsid sleep 3605 &'
		R_STEPS+=" +shell"
		in_shell=1
		sleep 0.8
	fi
	sig=${sigs[RANDOM % ${#sigs[@]}]}
	R_SIG=$sig

	# Every process nslab made (agents, `run` children), to watch them go.
	mapfile -t pids < <(cyc_descendants "$CYC_PID")
	kill -s "$sig" "$CYC_PID"
	# SIGINT belongs to the shell while it holds the terminal (at a prompt
	# it ignores it): nslab goes on, and stops the script once the shell ends.
	# (Behind a `run sleep 60` the shell has not started yet: SIGINT ends
	# that command and, in script mode, the script.)
	if ((in_shell)) && [ "$sig" = INT ] && [[ $R_STEPS != *+run* ]]; then
		sleep 0.3
		if kill -0 "$CYC_PID" 2>/dev/null; then
			cyc_send exit
		elif grep -qE "no /bin/sh|cannot start|unknown command 'sleep'|unknown command 'setsid'" \
			"$CYC_DIR/err" "$CYC_DIR/out" 2>/dev/null; then
			: # the shell did not start (the lab's root has none): the lines went to nslab
		else
			problems+=("SIGINT during shell ended nslab before the shell")
		fi
	fi
	local t
	for ((t = 0; t < 300; t++)); do kill -0 "$CYC_PID" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$CYC_PID" 2>/dev/null; then
		problems+=("nslab still alive 30 s after SIG$sig; killed with SIGKILL")
		kill -9 "$CYC_PID"
	fi
	cyc_close
	R_EXIT=$(cyc_reap)
	CYC_PID=

	if [ "$sig" = KILL ]; then
		# The next start must notice what the dead run left behind.
		out=$(printf 'status\n' | cyc_run_probe --script - 2>&1 >/dev/null)
		grep -q -- '--cleanup' <<<"$out" ||
			problems+=("no leftover notice naming --cleanup after SIGKILL (stderr: ${out:-empty})")
		out=$(cyc_run_probe --cleanup 2>&1) || problems+=("--cleanup exited $?")
		R_CLEANED=$(grep -c '^removed' <<<"$out")
		# At least the dead run's work dir was there to remove.
		[ "$R_CLEANED" -gt 0 ] || problems+=("--cleanup removed nothing after SIGKILL: ${out:-no output}")
		grep '^nslab:' <<<"$out" | sed 's/^/#   cleanup said: /'
	else
		# nslab cleans up by itself: no notice on the next start.
		out=$(printf 'status\n' | cyc_run_probe --script - 2>&1 >/dev/null)
		! grep -q -- '--cleanup' <<<"$out" ||
			problems+=("leftover notice after a clean SIG$sig exit: $out")
		grep '^nslab:' "$CYC_DIR/err" | grep -v 'missing CAP' | sed 's/^/#   nslab said: /'
		R_CLEANED=-
	fi

	local survivors
	if [ ${#pids[@]} -gt 0 ] && ! survivors=$(cyc_wait_gone 10 "${pids[@]}"); then
		problems+=("processes still alive 10 s later: $survivors")
	fi
	local i left=
	for ((i = 0; i < 100; i++)); do
		left=$(pgrep -f '^sleep 360[0-5]$' | tr '\n' ' ')
		[ -z "$left" ] && break
		sleep 0.1
	done
	if [ -n "$left" ]; then
		problems+=("detached or shell children still alive 10 s later: $left")
		pkill -9 -f '^sleep 360[0-5]$'
	fi
	if ! cyc_fp_settle "$fp_before" 10; then
		problems+=("host fingerprint differs: $(diff <(echo "$fp_before") <(echo "$CYC_FP") |
			grep '^[<>]' | tr '\n' ';' | cut -c1-400)")
		# Leave the next cycle a clean host, and say whether that worked.
		"$NSLAB" --cleanup >/dev/null 2>&1
		if cyc_fp_settle "$fp_before" 10; then
			problems+=("(--cleanup afterwards restored it)")
		else
			problems+=("(still differs after --cleanup)")
		fi
	fi
	if [ ${#problems[@]} -gt 0 ]; then
		echo "# cycle $n output:"
		tail -n 15 "$CYC_DIR/out" | sed 's/^/#   | /'
		sed 's/^/#   ! /' "$CYC_DIR/err" | head -n 10
	fi
	rm -rf "$CYC_DIR"
	R_PROBLEMS=$(printf '%s; ' "${problems[@]}")
	[ ${#problems[@]} -eq 0 ]
}

for ((c = 1; c <= CYCLES; c++)); do
	tries=0
	while :; do
		t0=$SECONDS
		run_cycle "$c"
		rc=$?
		[ $rc -ne 2 ] && break
		if ((++tries > 50 || ${#unsupported[@]} >= ${#labs[@]})); then
			rc=3
			break
		fi
	done
	if [ "$rc" -eq 3 ]; then
		not_ok "cycle $c: no lab can run here"
		break
	fi
	line="cycle $c/$CYCLES: lab=$R_LAB steps=$R_STEPS signal=SIG$R_SIG exit=$R_EXIT cleaned=$R_CLEANED ($((SECONDS - t0)) s)"
	if [ "$rc" -eq 0 ]; then
		ok "$line"
		summary+=("pass $R_LAB SIG$R_SIG")
	else
		not_ok "$line: ${R_PROBLEMS%; }"
		summary+=("FAIL $R_LAB SIG$R_SIG")
	fi
done

echo "# by lab and signal:"
printf '%s\n' "${summary[@]}" | sort | uniq -c | sed 's/^/#   /'
[ ${#unsupported[@]} -gt 0 ] && echo "# skipped (cannot run here): ${!unsupported[*]}"
echo "# seed: SEED=$SEED"
finish
