#!/usr/bin/env bash
# test-ipc.sh: the IPC namespace lab against the real kernel (root).
# shellcheck source=tests/lib/common.sh disable=SC2016
# (REPL lines in single quotes are expanded by the shell inside nslab, not here.)
. "$(dirname "$0")/../lib/common.sh"

# --- shared by the pivot-root, mnt, ipc, pid and time lab tests ---

# Steps of lab $1, from `status`.
lab_steps() {
	printf 'start %s\nstatus\n' "$1" | nslab_script - 2>&1 | awk '/^step:/ { split($2, a, "/"); print a[2] }'
}

# done_script ID: starts the lab and does every step (no stop).
done_script() {
	local id=$1 n i s
	n=$(lab_steps "$id")
	s="start $id"$'\n'
	for ((i = 1; i <= n; i++)); do s+="do"$'\n'"next"$'\n'; done
	printf '%s' "$s"
}

# ns_differs ID NS: after every step, the main process's NS link is not the host's.
ns_differs() {
	local id=$1 ns=$2 out lab host
	out=$( { done_script "$id"; printf 'host echo "LABNS=$(readlink /proc/$NSLAB_LAB_PID/ns/%s) HOSTNS=$(readlink /proc/self/ns/%s)"\nstop\n' "$ns" "$ns"; } | nslab_script - 2>&1)
	lab=$(printf '%s\n' "$out" | sed -n 's/^LABNS=\([^ ]*\) HOSTNS=.*/\1/p')
	host=$(printf '%s\n' "$out" | sed -n 's/^LABNS=[^ ]* HOSTNS=\(.*\)/\1/p')
	if [ -n "$lab" ] && [ -n "$host" ] && [ "$lab" != "$host" ]; then
		ok "$id: main process is in its own $ns namespace ($lab, host $host)"
	else
		not_ok "$id: main process $ns namespace '$lab' vs host '$host'"
	fi
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
			kill -0 "$pid" 2>/dev/null && continue ;;
		"process "*)
			[[ $line == "process $NSLAB"* ]] || continue ;;
		esac
		printf '%s\n' "$line"
	done
}

# same_fingerprint BEFORE WHAT: the host is as it was. Retried for a few
# seconds, since other nslab runs on this machine come and go.
same_fingerprint() {
	local before=$1 what=$2 now i
	for ((i = 0; i < 10; i++)); do
		now=$(host_state)
		if [ "$now" = "$before" ]; then ok "$what: host fingerprint unchanged"; return 0; fi
		sleep 1
	done
	not_ok "$what: host fingerprint changed"
	diff <(printf '%s\n' "$before") <(printf '%s\n' "$now") | sed 's/^/#   /'
	return 1
}

# kill_mid_lab ID K: starts the lab, does K steps, SIGKILLs nslab, runs
# `nslab --cleanup`, and compares the fingerprint with BEFORE.
kill_mid_lab() {
	local id=$1 k=$2 before=$3 dir pid i
	dir=$(mktemp -d /tmp/nslab-test-kill.XXXXXX)
	mkfifo "$dir/in"
	"$NSLAB" --script - <"$dir/in" >"$dir/out" 2>&1 &
	pid=$!
	exec 3>"$dir/in"
	printf 'start %s\n' "$id" >&3
	for ((i = 1; i <= k; i++)); do printf 'do\nnext\n' >&3; done
	printf 'host echo MIDLAB-$((40+2))\n' >&3
	for ((i = 0; i < 100; i++)); do
		grep -q '^MIDLAB-42' "$dir/out" && break
		sleep 0.1
	done
	if grep -q '^MIDLAB-42' "$dir/out"; then ok "$id: reached step $((k + 1)) before SIGKILL"; else not_ok "$id: did not reach step $((k + 1))"; fi
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	exec 3>&-
	sleep 0.3
	"$NSLAB" --cleanup >"$dir/cleanup" 2>&1
	expect "$id: nslab --cleanup after SIGKILL" test $? -eq 0
	same_fingerprint "$before" "$id: after SIGKILL + --cleanup"
	rm -rf "$dir"
}

if [ ! -x "$NSLAB" ]; then
	echo "$(basename "$0"): no $NSLAB (make all first)"
	exit 1
fi

# --- ipc ---
before=$(host_state)
walk_lab ipc
ns_differs ipc ipc

out=$( { done_script ipc; printf 'run ipcs -m | grep -c " 2000 "\nhost ipcs -m | grep -c " 2000 "\nhost ipcs -m | grep -c " 1000 "\nrun ipcs -m | grep -c " 1000 "\nstop\n'; } | nslab_script - 2>&1)
get() { printf '%s\n' "$out" | sed -n "/^nslab.*> $1\$/{n;p}"; }
expect "ipc: the lab lists its 2000-byte segment" test "$(get 'run ipcs -m | grep -c " 2000 "')" = 1
expect "ipc: the host does not list it" test "$(get 'host ipcs -m | grep -c " 2000 "')" = 0
expect "ipc: the host lists its 1000-byte segment" test "$(get 'host ipcs -m | grep -c " 1000 "')" = 1
expect "ipc: the lab does not list the host's" test "$(get 'run ipcs -m | grep -c " 1000 "')" = 0
same_fingerprint "$before" "ipc: after the lab (no IPC object left)"

kill_mid_lab ipc 3 "$before"
finish
