# shellcheck shell=bash
# tests/lib/cycles-lib.sh: helpers for tests/labs/test-cleanup-cycles.sh (sourced
# after common.sh). A live `nslab --script -` session fed through a fifo, so that
# nslab stays alive between commands and can be killed at a chosen moment.
#   cyc_start [ARGS...]   start nslab; CYC_PID, CYC_DIR ($CYC_DIR/out, $CYC_DIR/err)
#   cyc_send CMD...       one line per argument
#   cyc_wait_count RE N [SECS]   wait until N lines of the output match RE
#   cyc_close             close the fifo (EOF for nslab)
#   cyc_descendants PID   PIDs of every descendant of PID (host view)
#   cyc_wait_gone SECS PID...    wait until none of the PIDs exists; prints survivors

cyc_start() {
	CYC_DIR=$(mktemp -d /tmp/nslab-cycles-sess.XXXXXX)
	mkfifo "$CYC_DIR/in"
	"$NSLAB" --script - "$@" <"$CYC_DIR/in" >"$CYC_DIR/out" 2>"$CYC_DIR/err" &
	CYC_PID=$!
	exec 8>"$CYC_DIR/in"
}

cyc_send() { printf '%s\n' "$@" >&8; }

cyc_close() { exec 8>&-; }

# cyc_wait_count REGEX N [SECONDS]: 0 once N output lines match; 1 on timeout
# or when nslab died first (it is checked after the last look at the output).
cyc_wait_count() {
	local re=$1 n=$2 secs=${3:-60} i c
	for ((i = 0; i < secs * 10; i++)); do
		c=$(grep -cE "$re" "$CYC_DIR/out" 2>/dev/null)
		[ "${c:-0}" -ge "$n" ] && return 0
		kill -0 "$CYC_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

cyc_descendants() {
	ps -eo pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2; pids[NR] = $1 }
		END {
			for (i = 1; i <= NR; i++) {
				p = pids[i]; q = parent[p]
				for (d = 0; q > 1 && d < 64; d++) {
					if (q == root) { print p; break }
					q = parent[q]
				}
			}
		}'
}

# Zombies count as gone: they are dead, init reaps them.
cyc_alive() {
	local st
	st=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

cyc_wait_gone() {
	local secs=$1 i p left
	shift
	for ((i = 0; i < secs * 10; i++)); do
		left=()
		for p in "$@"; do cyc_alive "$p" && left+=("$p"); done
		[ ${#left[@]} -eq 0 ] && return 0
		sleep 0.1
	done
	for p in "${left[@]}"; do
		printf '%s(%s) ' "$p" "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-60)"
	done
	return 1
}

# cyc_fp_settle BEFORE SECONDS: 0 when the fingerprint equals BEFORE within
# SECONDS (dead processes take a moment to be reaped); leaves the last one in CYC_FP.
cyc_fp_settle() {
	local before=$1 secs=$2 i
	for ((i = 0; i < secs * 10; i++)); do
		CYC_FP=$(fingerprint)
		[ "$CYC_FP" = "$before" ] && return 0
		sleep 0.1
	done
	return 1
}
