# tests/lib/common.sh: sourced by root integration tests (tests/labs, tests/e2e).
# Gives: NSLAB (the binary), fingerprint, walk-a-lab helpers, and ok/fail counters.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NSLAB=${NSLAB:-$TOP/build/nslab}
export NSLAB_LAB_PATH=${NSLAB_LAB_PATH:-$TOP/build/labs}
# Progress and history of test runs go to a throwaway state dir.
export XDG_STATE_HOME=${XDG_STATE_HOME:-$(mktemp -d /tmp/nslab-test-state.XXXXXX)}
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

# walk_lab ID: for each step, check must fail before `do` and pass after.
# Prints one ok/not ok per step; leaves output in $WALK_OUT.
walk_lab() {
	local id=$1 n i script out
	n=$(printf 'start %s\nstatus\n' "$id" | nslab_script - 2>&1 | awk '/^step:/ { split($2, a, "/"); print a[2] }')
	if [ -z "$n" ]; then not_ok "$id: could not start"; return 1; fi
	script="start $id"$'\n'
	for ((i = 1; i <= n; i++)); do script+="check"$'\n'"do"$'\n'"check"$'\n'"next"$'\n'; done
	script+="stop"$'\n'
	WALK_OUT=$(printf '%s' "$script" | nslab_script - 2>&1)
	mapfile -t results < <(printf '%s\n' "$WALK_OUT" | grep -E '^check: (ok|not yet)' | awk '{ print $2 }')
	for ((i = 1; i <= n; i++)); do
		local before=${results[$((2 * i - 2))]:-none} after=${results[$((2 * i - 1))]:-none}
		if [ "$before" = "not" ] && [ "$after" = "ok" ]; then
			ok "$id step $i: check fails before do, passes after"
		else
			not_ok "$id step $i: before=$before after=$after"
		fi
	done
}
