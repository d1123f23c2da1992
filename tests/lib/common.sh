# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/common.sh: sourced by root integration tests (tests/labs, tests/e2e).
# Gives: NSLAB (the binary), fingerprint, walk-a-lab helpers, and ok/fail counters.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NSLAB=${NSLAB:-$TOP/build/nslab}
export NSLAB_LAB_PATH=${NSLAB_LAB_PATH:-$TOP/build/labs}
# The tests read nslab's English messages: a Korean (or any) locale of the
# one who runs them must not translate those. Tests of the translations set
# their locale themselves (test-i18n.sh, test-tui-korean.sh).
unset LANGUAGE
export LC_MESSAGES=C
if [ -n "${LC_ALL:-}" ]; then export LC_ALL=C; fi
# Progress and history of test runs go to a throwaway state dir, owned by the
# user who ran sudo: nslab writes it as that user (SUDO_UID), as in real use.
if [ -z "${XDG_STATE_HOME:-}" ]; then
	XDG_STATE_HOME=$(mktemp -d /tmp/nslab-test-state.XXXXXX)
	if [ -n "${SUDO_UID:-}" ] && [ "$(id -u)" = 0 ]; then
		chown "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$XDG_STATE_HOME"
	fi
fi
export XDG_STATE_HOME
# A home of the test's own: the `shell` and `run` a test starts must not read
# the tester's ~/.bashrc (seen here: pyenv's rehash, killed once mid-way,
# left a lock that made every later interactive bash wait 60 s for it).
if [ -z "${NSLAB_TEST_HOME:-}" ]; then
	NSLAB_TEST_HOME=$XDG_STATE_HOME/home
	mkdir -p "$NSLAB_TEST_HOME"
	if [ -n "${SUDO_UID:-}" ] && [ "$(id -u)" = 0 ]; then
		chown "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$NSLAB_TEST_HOME"
	fi
	export NSLAB_TEST_HOME HOME=$NSLAB_TEST_HOME
fi
trap 'rm -rf "$XDG_STATE_HOME"' EXIT
T_PASS=0
T_FAIL=0

ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
not_ok() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }
# expect DESCRIPTION COMMAND...: the command must succeed.
expect() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
finish() {
	echo "$(basename "$0"): $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}

# The host state a lab must leave as it found it. Mount IDs and optional
# fields are dropped: only what is mounted where matters.
fingerprint() {
	echo "hostname $(hostname)"
	awk '{ for (i = 7; $i != "-"; i++); print $5, $(i+1), $(i+2) }' /proc/self/mountinfo | sort
	ip -o link 2>/dev/null | awk -F': ' '{ print "link", $2 }' | sed 's/@.*//' | sort
	ip netns list 2>/dev/null | sed 's/^/netns /'
	ipcs -m 2>/dev/null | awk 'NR > 3 && $2 ~ /^[0-9]+$/ { print "shm", $1, $2 }'
	ipcs -q 2>/dev/null | awk 'NR > 3 && $2 ~ /^[0-9]+$/ { print "msq", $1, $2 }'
	ipcs -s 2>/dev/null | awk 'NR > 3 && $2 ~ /^[0-9]+$/ { print "sem", $1, $2 }'
	find /sys/fs/cgroup -maxdepth 3 -name 'nslab*' 2>/dev/null | sort | sed 's/^/cgroup /'
	ls -d /run/nslab/* /tmp/nslab-[0-9]* 2>/dev/null | sed 's/^/workdir /'
	# Zombies are dead already (init reaps them a moment later): not leftovers.
	ps -eo stat=,args= | awk '$1 !~ /^Z/ && ($2 ~ /(^|\/)nslab$/ || $2 ~ /nslab-/) { $1 = ""; print "process" $0 }'
}

# nslab_script FILE|-: runs script mode, output to stdout; returns its status.
nslab_script() { "$NSLAB" --script "$@"; }

# require_nslab: stops the test when the binary is not built.
require_nslab() {
	[ -x "$NSLAB" ] && return 0
	echo "$(basename "$0"): no $NSLAB (make all first)"
	exit 1
}

# lab_steps ID: how many steps lab ID has (from `status`).
lab_steps() {
	printf 'start %s\nstatus\n' "$1" | nslab_script - 2>&1 | awk '/^step:/ { split($2, a, "/"); print a[2] }'
}

# done_script ID: a script that starts lab ID and does every step (no stop).
done_script() {
	local id=$1 n i s
	n=$(lab_steps "$id")
	s="start $id"$'\n'
	for ((i = 1; i <= n; i++)); do s+="do"$'\n'"next"$'\n'; done
	printf '%s' "$s"
}

# get CMD: the line printed after the echo "nslab> CMD" in $out (CMD is a
# sed pattern: escape its slashes).
get() { printf '%s\n' "$out" | sed -n "/^nslab.*> $1\$/{n;p}"; }

# under_emulation: true inside qemu's software emulation (the VM tests), where
# a CPU rate over a second or two is not what the guest's quota says.
under_emulation() { grep -q 'QEMU Virtual CPU' /proc/cpuinfo 2>/dev/null; }

# walk_step_missing I: the "missing:" lines of the last `check` of step I in
# $WALK_OUT (the one after its `do`).
walk_step_missing() {
	printf '%s\n' "$WALK_OUT" | awk -v s="step $1/" '
		/^check: / { inblk = index($0, s) > 0; if (inblk) blk = ""; next }
		/^nslab/ { inblk = 0 }
		inblk && /missing:/ { blk = blk $0 "\n" }
		END { printf "%s", blk }'
}

# walk_lab ID: for each step, check must fail before `do` and pass after.
# Prints one ok/not ok per step; leaves output in $WALK_OUT. WALK_EXCUSE, a
# regex, excuses a step that failed before and, after, missed only what the
# regex names (set under emulation for a rate the VM cannot hold): said as
# a SKIP, not judged.
walk_lab() {
	local id=$1 n i script out
	n=$(lab_steps "$id")
	if [ -z "$n" ]; then not_ok "$id: could not start"; return 1; fi
	script="start $id"$'\n'
	for ((i = 1; i <= n; i++)); do script+="check"$'\n'"do"$'\n'"check"$'\n'"next"$'\n'; done
	script+="stop"$'\n'
	WALK_OUT=$(printf '%s' "$script" | nslab_script - 2>&1)
	mapfile -t results < <(printf '%s\n' "$WALK_OUT" | grep -E '^check: (ok|not yet)' | awk '{ print $2 }')
	for ((i = 1; i <= n; i++)); do
		local before=${results[$((2 * i - 2))]:-none} after=${results[$((2 * i - 1))]:-none}
		local missing
		missing=$(walk_step_missing "$i")
		if [ "$before" = "not" ] && [ "$after" = "ok" ]; then
			ok "$id step $i: check fails before do, passes after"
		elif [ -n "${WALK_EXCUSE:-}" ] && [ "$before" = "not" ] && [ "$after" = "not" ] &&
			[ "$(grep -c . <<<"$missing")" = 1 ] && grep -Eq "$WALK_EXCUSE" <<<"$missing"; then
			ok "$id step $i: check fails before do # SKIP after do: $(grep -Eo "$WALK_EXCUSE" <<<"$missing" | head -1)"
		else
			not_ok "$id step $i: before=$before after=$after"
		fi
	done
}

# --- comparing the host with an earlier fingerprint ---

# settled BEFORE FN TRIES PAUSE: FN's output comes back to BEFORE within TRIES
# tries PAUSE seconds apart (other nslab runs come and go; killed processes
# take a moment to be reaped). The last output is left in SETTLED_NOW.
settled() {
	local i
	for ((i = 0; i < $3; i++)); do
		SETTLED_NOW=$("$2")
		[ "$SETTLED_NOW" = "$1" ] && return 0
		sleep "$4"
	done
	return 1
}
# show_diff BEFORE NOW: the difference, as comment lines.
show_diff() { diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") | sed 's/^/#   /'; }

# same_as_before LABEL: fingerprint must come back to $before within 5 s.
same_as_before() {
	if settled "$before" fingerprint 50 0.1; then ok "$1"; return; fi
	not_ok "$1"
	show_diff "$before" "$SETTLED_NOW"
}

# The fingerprint without other people's live nslab runs on this machine
# (interactive sessions that do not take the test lock): a work directory of
# a live process, and processes not started from $NSLAB. A leftover of ours
# still shows: our killed run's directory, our agents (they carry $NSLAB's
# command line).
host_state() {
	local line pid
	fingerprint | while IFS= read -r line; do
		case $line in
		"workdir /run/nslab/"*)
			pid=${line#workdir /run/nslab/}
			pid=${pid%.registry} # a run's registry file, beside its dir
			kill -0 "$pid" 2>/dev/null && continue ;;
		"process "*)
			[[ $line == "process $NSLAB"* ]] || continue ;;
		esac
		printf '%s\n' "$line"
	done
}

# same_fingerprint BEFORE WHAT: host_state is BEFORE again (retried for 10 s).
same_fingerprint() {
	if settled "$1" host_state 10 1; then ok "$2: host fingerprint unchanged"; return 0; fi
	not_ok "$2: host fingerprint changed"
	show_diff "$1" "$SETTLED_NOW"
	return 1
}

# --- a live nslab --script session fed through a fifo, so the test can look
# at the kernel while the lab runs: sess_start; sess_send CMD...;
# sess_wait REGEX; sess_field KEY; sess_stop or sess_kill. ---

sess_start() {
	SESS_DIR=$(mktemp -d /tmp/nslab-test-sess.XXXXXX)
	mkfifo "$SESS_DIR/in"
	"$NSLAB" --script - <"$SESS_DIR/in" >"$SESS_DIR/out" 2>&1 &
	SESS_PID=$!
	exec 8>"$SESS_DIR/in"
}
sess_send() { printf '%s\n' "$@" >&8; }
sess_wait() { # REGEX [TIMEOUT_TENTHS]: wait until the output matches
	local i
	for ((i = 0; i < ${2:-150}; i++)); do
		grep -qE "$1" "$SESS_DIR/out" && return 0
		sleep 0.1
	done
	echo "# timed out waiting for /$1/; output so far:"; sed 's/^/#   /' "$SESS_DIR/out"
	return 1
}
# sess_wait_count REGEX N [TIMEOUT_TENTHS]: wait until N output lines match
# (the Nth `check` of a step, say).
sess_wait_count() {
	local i
	for ((i = 0; i < ${3:-150}; i++)); do
		[ "$(grep -cE "$1" "$SESS_DIR/out")" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "# timed out waiting for $2 x /$1/; output so far:"; sed 's/^/#   /' "$SESS_DIR/out"
	return 1
}
# sess_field KEY: the value of the first "KEY: VALUE" line (status: pid, root...).
sess_field() { awk -v k="$1:" '$1 == k { print $2; exit }' "$SESS_DIR/out"; }
sess_stop() { sess_send stop quit; exec 8>&-; wait "$SESS_PID" 2>/dev/null; rm -rf "$SESS_DIR"; }
sess_kill() { kill -9 "$SESS_PID"; exec 8>&-; wait "$SESS_PID" 2>/dev/null; rm -rf "$SESS_DIR"; }

# gone PID: waits up to 5 s for a process (or its zombie) to disappear.
gone() {
	local i
	for ((i = 0; i < 50; i++)); do [ -d "/proc/$1" ] || return 0; sleep 0.1; done
	return 1
}

# killed_cleanup LABEL: SIGKILLs the session, runs nslab --cleanup, compares
# the fingerprint with $before.
killed_cleanup() {
	local pids p
	pids=$(pgrep -P "$SESS_PID" | tr '\n' ' ')
	sess_kill
	for p in $pids; do gone "$p" || not_ok "$1: process $p survived nslab's SIGKILL"; done
	"$NSLAB" --cleanup >/dev/null 2>&1
	same_as_before "$1: host unchanged after SIGKILL + nslab --cleanup"
}

# kill_mid_lab ID K BEFORE: starts lab ID, does K steps, SIGKILLs nslab, runs
# `nslab --cleanup`, and compares host_state with BEFORE.
kill_mid_lab() {
	local id=$1 k=$2 before=$3 i
	sess_start
	sess_send "start $id"
	for ((i = 1; i <= k; i++)); do sess_send "do" next; done
	# shellcheck disable=SC2016 # expanded by the shell inside nslab
	sess_send 'host echo MIDLAB-$((40+2))'
	if sess_wait '^MIDLAB-42' 100; then ok "$id: reached step $((k + 1)) before SIGKILL"; else not_ok "$id: did not reach step $((k + 1))"; fi
	sess_kill
	sleep 0.3
	"$NSLAB" --cleanup >/dev/null 2>&1
	expect "$id: nslab --cleanup after SIGKILL" test $? -eq 0
	same_fingerprint "$before" "$id: after SIGKILL + --cleanup"
}

# --- namespaces and files ---

# ns_differs PID TYPE / ns_same PID TYPE: /proc/PID/ns/TYPE is (not) the host's.
# The host reference is PID 1, or this test shell where PID 1's links are
# unreadable (some VMs).
NSREF=1
readlink /proc/1/ns/net >/dev/null 2>&1 || NSREF=$$
ns_differs() {
	local a b
	a=$(readlink "/proc/$1/ns/$2") && b=$(readlink "/proc/$NSREF/ns/$2") && [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]
}
ns_same() {
	local a b
	a=$(readlink "/proc/$1/ns/$2") && b=$(readlink "/proc/$NSREF/ns/$2") && [ -n "$a" ] && [ "$a" = "$b" ]
}

# lab_ns_differs ID NS: after every step of lab ID, the main process's NS link
# is not the host's (one ok/not ok).
lab_ns_differs() {
	local id=$1 ns=$2 out lab host
	# shellcheck disable=SC2016 # expanded by the shell inside nslab
	out=$( { done_script "$id"; printf 'host echo "LABNS=$(readlink /proc/$NSLAB_LAB_PID/ns/%s) HOSTNS=$(readlink /proc/self/ns/%s)"\nstop\n' "$ns" "$ns"; } | nslab_script - 2>&1)
	lab=$(printf '%s\n' "$out" | sed -n 's/^LABNS=\([^ ]*\) HOSTNS=.*/\1/p')
	host=$(printf '%s\n' "$out" | sed -n 's/^LABNS=[^ ]* HOSTNS=\(.*\)/\1/p')
	if [ -n "$lab" ] && [ -n "$host" ] && [ "$lab" != "$host" ]; then
		ok "$id: main process is in its own $ns namespace ($lab, host $host)"
	else
		not_ok "$id: main process $ns namespace '$lab' vs host '$host'"
	fi
}

# id_of PATH: dev:inode of a path, following links (/proc/PID/root included).
id_of() { stat -L -c '%d:%i' "$1" 2>/dev/null; }

# cpu_line FILE: the cpu hierarchy's path in a /proc/.../cgroup file
# ("N:...cpu...:PATH"), else the cgroup2 one ("0::PATH").
cpu_line() { awk -F: '$2 ~ /(^|,)cpu(,|$)/ { print $3; f = 1; exit } $1 == 0 { v2 = $3 } END { if (!f) print v2 }' "$1"; }
