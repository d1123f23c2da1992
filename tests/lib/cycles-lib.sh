# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/lib/cycles-lib.sh: helpers for tests/labs/test-cleanup-cycles.sh (sourced
# after common.sh). A live `nslab --script -` session fed through a fifo, so that
# nslab stays alive between commands and can be killed at a chosen moment.
#   cyc_start [ARGS...]   start nslab; CYC_PID, CYC_DIR ($CYC_DIR/out, $CYC_DIR/err)
#   cyc_reap              wait for it to end; prints its exit status
#   cyc_send CMD...       one line per argument
#   cyc_wait_count RE N [SECS]   wait until N lines of the output match RE
#   cyc_close             close the fifo (EOF for nslab)
#   cyc_descendants PID   PIDs of every descendant of PID (host view)
#   cyc_wait_gone SECS PID...    wait until none of the PIDs exists; prints survivors

# nslab runs under a wrapper subshell that records its exit status, so that
# bash prints no "Killed" job notices into the test output.
cyc_start() {
	local i
	CYC_DIR=$(mktemp -d /tmp/nslab-cycles-sess.XXXXXX)
	mkfifo "$CYC_DIR/in"
	(
		"$NSLAB" --script - "$@" <"$CYC_DIR/in" >"$CYC_DIR/out" 2>"$CYC_DIR/err" &
		echo $! >"$CYC_DIR/pid"
		wait $!
		echo $? >"$CYC_DIR/rc"
	) 2>/dev/null &
	CYC_WRAP=$!
	exec 8>"$CYC_DIR/in"
	for ((i = 0; i < 100; i++)); do [ -s "$CYC_DIR/pid" ] && break; sleep 0.05; done
	CYC_PID=$(cat "$CYC_DIR/pid")
	cyc_mine "$CYC_PID"
}

# cyc_reap: waits for the wrapper; prints nslab's exit status.
cyc_reap() {
	wait "$CYC_WRAP" 2>/dev/null
	cat "$CYC_DIR/rc" 2>/dev/null || echo '?'
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
		CYC_FP=$(cyc_fingerprint)
		[ "$CYC_FP" = "$before" ] && return 0
		sleep 0.1
	done
	return 1
}

# Other people's nslab runs (a TUI session or a benchmark outside the suite
# lock) start and end while a cycle runs; cyc_fingerprint must not blame the
# cycle for them. So: what carries a run's PID (run dirs, mounts under them,
# cgroups nslab/<pid>) counts only for runs this test started (their PIDs are
# in $CYC_MINE_FILE), and processes count unless they descend from a live nslab
# that someone else started (a process named nslab whose parent is neither
# init nor another nslab). This test takes fingerprints only while none of its
# own runs is alive, and orphans of a killed run have init as their parent,
# so those still count as leftovers.
# (A file, since probes run in command substitutions; XDG_STATE_HOME is the
# test's throwaway dir from common.sh.)
CYC_MINE_FILE=$XDG_STATE_HOME/cycles-mine
cyc_mine() { echo "$1" >>"$CYC_MINE_FILE"; }
cyc_mine_list() { echo " $(tr '\n' ' ' 2>/dev/null <"$CYC_MINE_FILE")"; }
: >>"$CYC_MINE_FILE"

# cyc_run_probe ARGS...: runs nslab to completion (stdin from the caller),
# recording its PID as ours; stdout/stderr as given by the caller.
cyc_run_probe() {
	"$NSLAB" "$@" &
	local p=$!
	cyc_mine "$p"
	wait "$p"
}

cyc_fingerprint() {
	local mine
	mine=$(cyc_mine_list)
	fingerprint | grep -Ev '^(process|cgroup|workdir) ' | awk -v mine="$mine" '
		# mounts under a run dir: only ours
		match($0, /\/(run\/nslab\/|tmp\/nslab-)[0-9]+/) {
			pid = substr($0, RSTART, RLENGTH); sub(/.*[\/-]/, "", pid)
			if (index(mine, " " pid " ") == 0) next
		}
		{ print }'
	local d p
	for d in /run/nslab/[0-9]* /tmp/nslab-[0-9]*; do
		[ -e "$d" ] || continue
		p=${d##*/}
		p=${p#nslab-}
		p=${p%.registry}
		[[ "$mine" == *" $p "* ]] && echo "workdir $d"
	done
	# cgroups: nslab/<pid> trees of our runs; the shared top dir only when
	# no other run has a tree under it.
	find /sys/fs/cgroup -maxdepth 6 -type d -path '*/nslab*' 2>/dev/null | sort | awk -v mine="$mine" '
		{
			n = split($0, a, "/"); pid = ""
			for (i = 1; i <= n; i++) if (a[i] == "nslab") { pid = a[i + 1]; break }
			if (pid == "") { top[$0] = 1; next }
			if (index(mine, " " pid " ")) print "cgroup " $0; else others = 1
		}
		END { if (!others) for (t in top) print "cgroup " t }' | sort
	ps -eo pid=,ppid=,stat=,comm=,args= | awk '
		{ parent[$1] = $2; comm[$1] = $4; line[$1] = $0; pids[NR] = $1 }
		END {
			for (i = 1; i <= NR; i++) {
				p = pids[i]; $0 = line[p]
				if ($3 ~ /^Z/ || !($5 ~ /(^|\/)nslab$/ || $5 ~ /nslab-/)) continue
				q = p; theirs = 0
				for (d = 0; q > 1 && d < 64; d++) {
					if (comm[q] == "nslab" && parent[q] > 1 && comm[parent[q]] != "nslab") { theirs = 1; break }
					q = parent[q]
				}
				if (theirs) continue
				$1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print "process " $0
			}
		}' | sort
}
