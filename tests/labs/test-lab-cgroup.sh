#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-lab-cgroup.sh: every process a lab starts lives in the lab cgroup and dies
# with the lab (root; run through tests/run-suite.sh). What `run`, `host` and
# `shell` start, detached with setsid, a double fork or `&`, is gone after stop,
# after quit, after SIGTERM while `shell` holds the terminal, and after SIGKILL +
# `nslab --cleanup`. `ns` shows a learner's process in namespaces of its own.
# Each process carries a sleep time of its own (33xx) so the
# test finds exactly its own.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
require_nslab

before=$(host_state)

# alive N: how many of our marked sleeps are still running.
alive() { pgrep -cf "^sleep 33[0-9][0-9]$" || true; }
# none_left LABEL: every marked sleep is gone (within 5 s: SIGKILL is quick, reaping less so).
none_left() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(alive)" -eq 0 ] && { ok "$1"; return; }
		sleep 0.1
	done
	not_ok "$1: $(pgrep -af '^sleep 33[0-9][0-9]$' | tr '\n' ';')"
	pkill -9 -f '^sleep 33[0-9][0-9]$'
}

# 1. Detached children of run and host, and `stop`.
sess_start
sess_send "start uts" status
if sess_wait '^lab cgroup:'; then
	labcg=$(awk '$1 == "lab" && $2 == "cgroup:" { print $3; exit }' "$SESS_DIR/out")
	expect "status names the lab cgroup ($labcg)" test -d "$labcg"
	sess_send 'run setsid sleep 3301 &' 'run sh -c "(sleep 3302 &) &"' 'host setsid sleep 3303 &' \
		'host sh -c "(setsid sleep 3304 &) &"' 'host echo STARTED'
	sess_wait '^STARTED' || true
	sleep 0.3
	expect "four detached sleeps run while the lab is active" test "$(alive)" -eq 4
	n_in=0
	for p in $(pgrep -f '^sleep 33[0-9][0-9]$'); do
		grep -q "::/nslab/$SESS_PID/lab\$\|:/nslab/$SESS_PID/lab\$" "/proc/$p/cgroup" && n_in=$((n_in + 1))
	done
	expect "all four are in the lab cgroup" test "$n_in" -eq 4
	sess_send stop 'host echo STOPPED'
	sess_wait '^STOPPED' || true
	none_left "stop killed setsid, double-fork and host children"
	expect "stop removed the lab cgroup" test ! -d "$labcg"
else
	not_ok "uts lab did not start"
fi
sess_stop

# 2. quit with a lab active.
printf '%s\n' "start uts" 'run setsid sleep 3311 &' 'host setsid sleep 3312 &' quit | nslab_script - >/dev/null 2>&1
none_left "quit with a lab active killed its detached children"

# 3. Children of `shell` (its stdin here is the rest of the script's input).
script=$(mktemp "$XDG_STATE_HOME/shell-script.XXXXXX") # removed with it, even if this test is killed
printf '%s\n' "start uts" shell "host echo AFTER-SHELL" quit >"$script"
out=$(printf '%s\n' 'sleep 3321 &' 'setsid sleep 3322 &' exit | "$NSLAB" --script "$script" 2>&1)
expect "the script went on after the shell" grep -q '^AFTER-SHELL' <<<"$out"
none_left "shell children (& and setsid) are gone after quit"

# 4. SIGTERM while `shell` holds the terminal: nslab ends, with full cleanup.
fifo=$(mktemp -u "$XDG_STATE_HOME/fifo.XXXXXX")
mkfifo "$fifo"
printf '%s\n' "start uts" shell quit >"$script"
"$NSLAB" --script "$script" <"$fifo" >/dev/null 2>&1 &
pid=$!
exec 7>"$fifo"
echo 'setsid sleep 3331 &' >&7
for ((i = 0; i < 50; i++)); do [ "$(alive)" -ge 1 ] && break; sleep 0.1; done
expect "the shell started its sleep" test "$(alive)" -ge 1
kill -TERM "$pid"
ended=no
for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || { ended=yes; break; }; sleep 0.1; done
expect "SIGTERM during shell ends nslab within 5 s" test "$ended" = yes
[ "$ended" = yes ] || kill -9 "$pid"
exec 7>&-
wait "$pid"
st=$?
expect "and it says it was terminated (exit $st, 128+15)" test "$st" -eq 143
rm -f "$fifo" "$script"
none_left "SIGTERM during shell: the shell's children are gone"

# 5. SIGKILL: the detached sleep outlives nslab; `--cleanup` kills it with the cgroup.
sess_start
sess_send "start uts" 'run setsid sleep 3341 &' 'host echo STARTED'
sess_wait '^STARTED' || true
sleep 0.2
sess_kill
sleep 0.3
expect "a setsid child survives nslab's SIGKILL (no PDEATHSIG reaches it)" test "$(alive)" -eq 1
"$NSLAB" --cleanup >/dev/null 2>&1
none_left "nslab --cleanup killed it through the dead run's lab cgroup"

# 6. The lab process dies under nslab: `run` says so in one line, and names `reset`.
sess_start
sess_send "start uts" status
if sess_wait '^pid:'; then
	kill -9 "$(sess_field pid)"
	sleep 0.3
	sess_send 'run echo RAN' 'host echo NEXT'
	sess_wait '^NEXT' || true
	expect "run after the lab process died: one line naming reset" grep -q "has exited: \`reset\`" "$SESS_DIR/out"
	expect "and nothing ran" test "$(grep -c '^RAN' "$SESS_DIR/out")" -eq 0
else
	not_ok "uts lab did not start"
fi
sess_stop

# 7. A cgroup the learner makes under nslab's tree, in a hierarchy nslab did not
# use, goes with the lab; the top-level nslab/ directories go with the last run.
if command -v cgcreate >/dev/null && grep -q ' - cgroup .*memory' /proc/self/mountinfo; then
	memdir=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ { print $5; exit }' /proc/self/mountinfo)
	sess_start
	sess_send "start uts" "host cgcreate -g memory:/nslab/$SESS_PID/learner" 'host setsid sleep 3351 &' \
		"host cgclassify -g memory:/nslab/$SESS_PID/learner \$(pgrep -f '^sleep 3351\$')" 'host echo MADE'
	sess_wait '^MADE' || true
	expect "the learner's cgroup exists ($memdir/nslab/$SESS_PID/learner)" test -d "$memdir/nslab/$SESS_PID/learner"
	sess_send stop 'host echo STOPPED'
	sess_wait '^STOPPED' || true
	expect "stop removed the learner's cgroup under nslab/$SESS_PID" test ! -d "$memdir/nslab/$SESS_PID"
	none_left "the sleep moved into it died with the lab"
	sess_stop
	others=$(ls -d /run/nslab/[0-9]* 2>/dev/null | wc -l)
	if [ "$others" -eq 0 ]; then
		expect "no nslab run is left: the top-level $memdir/nslab is gone" test ! -d "$memdir/nslab"
	fi
else
	echo "# skipped: no cgcreate or no v1 memory hierarchy"
fi

# `ns` shows what the pane shows: a learner's process in namespaces of its
# own gets a column (new:PID) and a line with its command.
out=$(printf 'start uts\nrun unshare --ipc sleep 3361 &\nhost sleep 0.5\nns\nstop\n' | nslab_script - 2>&1)
expect "ns has a column for the learner's unshare" grep -qE '^ *ipc( +[0-9]+\*?)+ +<- differs' <<<"$out"
expect "ns names it: new:PID: sleep 3361" grep -qE '^new:[0-9]+: sleep 3361$' <<<"$out"
none_left "the learner's unshare went with the lab"

same_fingerprint "$before" "host unchanged after the lab cgroup tests"
finish
