#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-cpu.sh: the cpu lab on the real kernel (root; run through tests/run-suite.sh).
# Each step's check fails before `do` and passes after; the lab process lives in a
# cgroup of its own under nslab/; quotas of 10, 30, 60 and 150% (two workers) hold
# within 2 points, measured independently from the workers' utime+stime in
# /proc/<pid>/stat, and nslab's own `usage` agrees within 2 points; the host is left
# as found, also after nslab is SIGKILLed mid-lab and `nslab --cleanup` runs.
# TOL (points, default 2) and SECS (window, default 4) may be overridden.
# shellcheck disable=SC1091
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/cgcpu.sh"
TOL=${TOL:-2}
SECS=${SECS:-4}

gone() {
	local i
	for ((i = 0; i < 50; i++)); do [ -d "/proc/$1" ] || return 0; sleep 0.1; done
	return 1
}
# same_as_before LABEL: nothing the lab made is left, and nothing of the host's
# changed. `nslab --cleanup` and other runs on this shared machine may also
# remove other runs' leftovers (work dirs, cgroups, processes, mounts under
# /run/nslab): such lines may disappear, nothing may appear.
same_as_before() {
	local i after added removed
	for ((i = 0; i < 50; i++)); do
		after=$(fingerprint)
		added=$(comm -13 <(sort <<<"$before") <(sort <<<"$after"))
		removed=$(comm -23 <(sort <<<"$before") <(sort <<<"$after") | grep -vE '^(workdir|cgroup|process) |/run/nslab/')
		[ -z "$added" ] && [ -z "$removed" ] && { ok "$1"; return; }
		sleep 0.1
	done
	not_ok "$1"
	diff <(echo "$before") <(echo "$after") | sed 's/^/#   /'
}

before=$(fingerprint)
echo "# cgroup mode: $(stat -f -c %T /sys/fs/cgroup) at /sys/fs/cgroup; cpu controller at $(cpu_mount)"

# Under qemu's emulation two workers reach ~140% where the quota says 150%:
# a rate missed there is said, not judged (the layout is what the VM tests).
under_emulation && WALK_EXCUSE='the workers used [0-9.]+% over'
walk_lab cpu
WALK_EXCUSE=
# On a failed step, show what its checks said.
if [ "$T_FAIL" -gt 0 ]; then grep -E '^(check:|  missing:)' <<<"$WALK_OUT" | sed 's/^/# walk: /'; fi

# --- quota accuracy, measured independently ---
sess_start
sess_send "start cpu" "burn 1" "cgroup" "move" "status"
if sess_wait '^cgroup: /nslab/'; then
	lab_pid=$(awk '/^pid:/ { print $2; exit }' "$SESS_DIR/out")
	rel=$(awk '/^cgroup:/ { print $2; exit }' "$SESS_DIR/out")
	dir=$(cpu_mount)$rel
	expect "lab process $lab_pid is alive" test -d "/proc/$lab_pid"
	expect "cgroup dir $dir exists" test -d "$dir"
	# The lab's "namespace" is its cgroup: the lab process is in its own, the host is not.
	lab_cg=$(grep -m1 ":$rel\$" "/proc/$lab_pid/cgroup")
	host_cg=$(grep -c ":$rel\$" /proc/1/cgroup)
	if [ -n "$lab_cg" ] && [ "$host_cg" = 0 ]; then
		ok "lab process is in its own cgroup ($lab_cg), the host is not"
	else
		not_ok "lab process is in its own cgroup (lab: '$lab_cg', host matches: $host_cg)"
	fi
	# ns links: a cgroup lab changes membership, not namespaces
	expect "lab's cgroup namespace is the host's (membership changed, not the view)" \
		test "$(readlink "/proc/$lab_pid/ns/cgroup")" = "$(readlink /proc/$$/ns/cgroup)"

	n=0
	for q in 10 30 60 150; do
		if [ "$q" = 150 ]; then sess_send "burn 2"; sess_wait '^worker .* started' 2; fi
		sess_send "quota $q"
		sess_wait "x 100 = $q% of one CPU" 1 || { not_ok "quota $q was not set"; continue; }
		sleep 0.5
		# A busy machine can starve the workers for a moment: one retry.
		for attempt in 1 2; do
			n=$((n + 1))
			sess_send "usage $SECS"
			got=$(measure "$dir" "$SECS")
			sess_wait '^usage: ' "$n" $((SECS * 10 + 100)) || true
			lab=$(sess_usage)
			within "$got" "$q" "$TOL" && within "$lab" "$got" "$TOL" && break
			echo "# quota $q, attempt $attempt: independent $got, nslab $lab; measuring again"
		done
		if within "$got" "$q" "$TOL"; then ok "quota $q%: measured $got% from /proc/<pid>/stat"
		else not_ok "quota $q%: measured $got% from /proc/<pid>/stat (tolerance $TOL)"; fi
		if within "$lab" "$got" "$TOL"; then ok "quota $q%: nslab usage $lab% agrees with $got%"
		else not_ok "quota $q%: nslab usage $lab% vs independent $got% (tolerance $TOL)"; fi
		echo "# quota $q: independent $got, nslab $lab"
	done
	# shellcheck disable=SC2016
	expect "cpu.stat counts throttled periods" \
		awk '$1 == "nr_throttled" && $2 > 0 { f = 1 } END { exit !f }' "$dir/cpu.stat"
else
	not_ok "cpu lab did not start"
fi
sess_stop
same_as_before "host is as before after a normal stop"

# --- checks that passed too early ---
# Step 3 with only the worker moved by hand (the lab process left outside),
# step 5 with quota 150 and two workers but without the `quota 10` part.
sess_start
sess_send "start cpu" "do" next "do" next status
if sess_wait '^cgroup: /nslab/'; then
	lab_pid=$(awk '/^pid:/ { print $2; exit }' "$SESS_DIR/out")
	dir=$(cpu_mount)/nslab/$SESS_PID/cpu # what `cgroup` made (status names the lab cgroup)
	nw=0
	# children of the lab process, from /proc (the VM's busybox pgrep has no -P)
	for w in $(awk -v p="$lab_pid" '{ sub(/.*\) /, ""); if ($2 == p) print FILENAME }' /proc/[0-9]*/stat 2>/dev/null |
		cut -d/ -f3); do echo "$w" >"$dir/cgroup.procs" && nw=$((nw + 1)); done
	expect "cpu step 3: the worker was moved by hand ($nw)" test "$nw" -ge 1
	sess_send check
	sess_wait '^check: (ok|not yet) - step 3' >/dev/null
	expect "cpu step 3: only the worker moved is not done" grep -q '^check: not yet - step 3' "$SESS_DIR/out"
	expect "cpu step 3: ... and says the lab process is outside" grep -q 'the lab process .* is not in nslab/<pid>/cpu' "$SESS_DIR/out"
	sess_send move check
	sess_wait '^check: ok - step 3' || not_ok "cpu step 3: move did not finish the step"
	if [ "$(nproc)" -ge 2 ]; then
		sess_send next "do" next "burn 2" "quota 150" check
		sess_wait '^check: (ok|not yet) - step 5' >/dev/null
		expect "cpu step 5: quota 150 without quota 10 first is not done" grep -q 'the quota was never 10%' "$SESS_DIR/out"
		# `usage` after each change gives the workers a second at the new quota
		# before the check measures (under the VM's emulation the first
		# periods after a change still read low).
		sess_send "quota 10" "usage" "quota 150" "usage" check
		if [ -e /etc/nslab-vm-cgroup ] || under_emulation; then
			# The qemu VM (software emulation, 2 vCPUs on 2 host cores) holds
			# two workers near 140% over a 1.5 s window: say it, do not judge it.
			sess_wait '^check: (ok|not yet) - step 5' 2 600 >/dev/null
			grep -q '^check: ok - step 5' "$SESS_DIR/out" ||
				echo "# cpu step 5 under emulation: $(grep -o 'the workers used [0-9.]*%' "$SESS_DIR/out" | tail -1)"
		else
			expect "cpu step 5: passes after quota 10, then quota 150" sess_wait '^check: ok - step 5' 1 600
		fi
	fi
	expect "cpu: no reversed worker message" bash -c "! grep -q 'is not running (there are' '$SESS_DIR/out'"
else
	not_ok "cpu lab did not start for the early-pass test"
fi
sess_stop
same_as_before "host is as before after the early-pass test"

# --- by hand: the tasks' own commands with the real tools (no `do`), fresh and
# after `reset`: stress(1), cgcreate, cgclassify or cgexec, cgset (v1/hybrid) or
# cpu.max (v2). Each check fails on arrival at its step and passes after. ---
# shellcheck disable=SC2016
CG='nslab/$(basename $NSLAB_CGROUP_DIR)/cpu' # typed as is: nslab expands it
quota_line() { # QUOTA PERIOD: the task's line for this machine's layout
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		printf "host echo '%s %s' > \$NSLAB_CGROUP_DIR/cpu/cpu.max" "$1" "$2"
	elif [ "$2" = 100000 ]; then
		printf 'host cgset -r cpu.cfs_quota_us=%s %s' "$1" "$CG"
	else
		printf 'host cgset -r cpu.cfs_period_us=%s -r cpu.cfs_quota_us=%s %s' "$2" "$1" "$CG"
	fi
}
# The lab's stress processes only (the machine is shared: never another's).
stress_pids() {
	local p
	for p in $(pgrep -x stress); do grep -q "/nslab/$SESS_PID/" "/proc/$p/cgroup" 2>/dev/null && echo "$p"; done
}
NCHK=0
# last_check: the session's output from its last "check:" line on (the check
# and its missing lines; a retried check leaves several in a row).
last_check() { awk '/^check: / { b = "" } { b = b $0 "\n" } END { printf "%s", b }' "$SESS_DIR/out"; }
chk() { # EXPECTED (ok|not yet) STEP
	NCHK=$((NCHK + 1))
	sess_send check
	sess_wait '^check: ' "$NCHK" 400 >/dev/null || true
	sleep 0.2 # its missing lines follow the check line
	local got
	got=$(grep '^check: ' "$SESS_DIR/out" | sed -n "${NCHK}p")
	# 1.5 CPUs on a shared two-CPU machine: another suite's load can hold the
	# workers below it. Measure again; a shortfall that stays is said, not judged
	# (any other missing line still fails).
	local tries=0
	while [ "$1" = ok ] && [ "$2" = 5 ] && [[ $got == "check: not yet"* ]] && [ "$tries" -lt 2 ] &&
		last_check | grep -q 'missing: the workers used'; do
		tries=$((tries + 1))
		NCHK=$((NCHK + 1))
		sess_send check
		sess_wait '^check: ' "$NCHK" 400 >/dev/null || true
		sleep 0.2
		got=$(grep '^check: ' "$SESS_DIR/out" | sed -n "${NCHK}p")
	done
	if [[ $got == "check: $1 - step $2/"* ]]; then
		ok "cpu by hand ($WALK): step $2 check says $1"
	elif [ "$2" = 5 ] && last_check | grep -q 'missing: the workers used' &&
		[ "$(last_check | grep -c 'missing:')" = 1 ]; then
		ok "cpu by hand ($WALK): step 5 check says ok # SKIP the machine is busy: $(last_check | grep -o 'the workers used [0-9.]*%')"
	else
		not_ok "cpu by hand ($WALK): step $2 check says $1 (got: $got)"
		grep -A4 -F "$got" "$SESS_DIR/out" | grep 'missing:' | head -4 | sed 's/^/#   /'
	fi
}
# shellcheck disable=SC2016
hand_walk() { # WAY (cgclassify|cgexec)
	chk 'not yet' 1
	sess_send 'run stress -q -c 1 &'
	sleep 1
	chk ok 1
	sess_send next
	chk 'not yet' 2
	sess_send "host cgcreate -g cpu:$CG"
	chk ok 2
	sess_send next
	chk 'not yet' 3
	sess_send 'host echo $NSLAB_LAB_PID > $NSLAB_CGROUP_DIR/cpu/cgroup.procs'
	if [ "$1" = cgclassify ]; then
		sess_send "host cgclassify -g cpu:$CG $(stress_pids | paste -sd' ')"
	else # the seed's way: the free worker goes, a new one starts inside
		sess_send "host kill $(stress_pids | paste -sd' ')"
		sleep 0.5
		sess_send "host cgexec -g cpu:$CG stress -q -c 1 &"
	fi
	sleep 1
	chk ok 3
	sess_send next
	chk 'not yet' 4
	sess_send "$(quota_line 30000 100000)" usage
	chk ok 4
	local dir
	dir=$(cpu_mount)/nslab/$SESS_PID/cpu
	got=$(measure "$dir" "$SECS")
	if within "$got" 30 "$((TOL + 1))"; then ok "cpu by hand ($WALK): $1 stress held at 30% ($got%)"
	else not_ok "cpu by hand ($WALK): $1 stress held at 30% ($got%, tolerance $((TOL + 1)))"; fi
	sess_send next
	if [ "$(nproc)" -ge 2 ]; then
		chk 'not yet' 5
		sess_send 'run stress -q -c 1 &' "$(quota_line 10000 100000)" usage "$(quota_line 150000 100000)" usage
		sleep 1
		chk ok 5
	else
		echo "# one CPU: step 5 (1.5 CPUs) skipped"
	fi
	sess_send next
	chk 'not yet' 6
	sess_send "$(quota_line 15000 50000)" usage 'host cat $NSLAB_CGROUP_DIR/cpu/cpu.stat'
	chk ok 6
}
sess_start
sess_send "start cpu"
WALK=fresh
hand_walk cgclassify
sess_send reset
WALK='after reset'
hand_walk cgexec
sess_send stop status
sess_wait "lab 'cpu' stopped" 1 100 >/dev/null
expect "cpu by hand: stop leaves no stress of the lab's" test -z "$(stress_pids)"
expect "cpu by hand: stop removed the learner's cgcreate'd group" test ! -d "$(cpu_mount)/nslab/$SESS_PID/cpu"
expect "cpu by hand: stop does not claim a clean removal it did not make" \
	bash -c "! grep -q 'could not' '$SESS_DIR/out'"
sess_stop
same_as_before "host is as before after the walks by hand"

# --- catchup (issue 14): the late learner's one command, fresh and after
# reset. The other labs are in test-catchup.sh; cpu is here, where the
# machine's CPUs were found free enough for its measuring checks. ---
n=$(lab_steps cpu)
out=$(printf '%s\n' "start cpu" "catchup $n" status reset "catchup $n" status stop | nslab_script - 2>&1)
st=$?
caught=$(grep -cE "^catchup: step [0-9]+/$n .*: (done by .do.|already done)$" <<<"$out")
expect "cpu: catchup $n performs steps 1-$((n - 1)), fresh and after reset ($caught lines, exit $st)" \
	test "$caught" -eq $((2 * (n - 1))) -a "$st" -eq 0
expect "cpu: catchup lands on step $n both times" test "$(grep -c "^step: $n/$n" <<<"$out")" -eq 2
[ "$caught" -eq $((2 * (n - 1))) ] || printf '%s\n' "$out" | grep -E 'catchup|nslab:|missing' | sed 's/^/#   /' | head -8
same_as_before "host is as before after catchup"

# --- SIGKILL mid-lab, then nslab --cleanup ---
sess_start
sess_send "start cpu" "burn 2" "cgroup" "move" "quota 30" "status"
if sess_wait '^cgroup: /nslab/'; then
	rel=$(awk '/^cgroup:/ { print $2; exit }' "$SESS_DIR/out")
	dir=$(cpu_mount)$rel
	mapfile -t procs <"$dir/cgroup.procs"
	expect "cgroup holds the lab process and 2 workers" test "${#procs[@]}" -ge 3
	sess_kill
	dead=0
	for p in "${procs[@]}"; do gone "$p" && dead=$((dead + 1)); done
	expect "lab process and workers died with nslab (${dead}/${#procs[@]})" test "$dead" -eq "${#procs[@]}"
	expect "the cgroup is still there before --cleanup" test -d "$dir"
	out=$("$NSLAB" --cleanup 2>&1)
	# shellcheck disable=SC2001
	sed 's/^/# cleanup: /' <<<"$out"
	expect "--cleanup removed the cgroup" test ! -d "$dir"
	expect "--cleanup mentions the cgroup" grep -q 'cgroup' <<<"$out"
else
	not_ok "cpu lab did not start for the kill test"
	sess_kill
fi
same_as_before "host is as before after SIGKILL + --cleanup"

finish
