#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-chroot-escape.sh: the chroot-escape lab on the real kernel (root; run through
# tests/run-suite.sh). Each step's check fails before `do` and passes after; setup
# chroots the lab process into the jail; `escape` leaves a process whose root is the
# host's /; the manual escape moves the lab process itself out; the host is left as
# found, also after nslab is SIGKILLed with an escaped process running and
# `nslab --cleanup` runs.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=tests/lib/typed.sh
. "$(dirname "$0")/../lib/typed.sh"

before=$(fingerprint)

walk_lab chroot-escape

sess_start
sess_send "start chroot-escape" status
if sess_wait '^cgroup:'; then
	lab_pid=$(sess_field pid)
	lab_root=$(sess_field root)
	expect "the jail holds the static escape program" test -x "$lab_root/nslab-escape"
	expect "the lab process is chrooted into the jail" \
		test "$(id_of "/proc/$lab_pid/root")" = "$(id_of "$lab_root")"
	expect "the lab process's root is not the host's /" \
		test "$(id_of "/proc/$lab_pid/root")" != "$(id_of /)"
	sess_send "run ls /" "run /nslab-escape ls /" "escape"
	sess_wait 'escaped: its root is' || true
	expect "inside, ls / lists the jail" grep -qx 'nslab-escape' "$SESS_DIR/out"
	expect "the escape program lists the host's / (usr, etc, proc)" \
		bash -c "grep -qx usr '$SESS_DIR/out' && grep -qx etc '$SESS_DIR/out' && grep -qx proc '$SESS_DIR/out'"
	esc_pid=$(sed -n 's/^PID \([0-9]*\) (.*) escaped: .*/\1/p' "$SESS_DIR/out" | head -1)
	if [ -n "$esc_pid" ]; then
		expect "escaped process $esc_pid: root is the host's /" \
			test "$(id_of "/proc/$esc_pid/root")" = "$(id_of /)"
		expect "escaped process $esc_pid: readlink of its root is /" test "$(readlink "/proc/$esc_pid/root")" = /
		expect "escaped process $esc_pid is a child of the lab process" \
			test "$(awk '/^PPid:/ { print $2 }' "/proc/$esc_pid/status")" = "$lab_pid"
		expect "the lab process itself is still in the jail" \
			test "$(id_of "/proc/$lab_pid/root")" = "$(id_of "$lab_root")"
	else
		not_ok "escape printed the escaped PID"
	fi
	# The manual escape: the lab process itself ends up with the host's / as its root.
	sess_send "run mkdir -p /out" "rejail /out" "chdir ../../../../../../../.." "rejail ." "chdir /" "check"
	sess_wait '^check:' || true
	expect "after rejail /out, chdir .., rejail .: the lab process's root is the host's /" \
		test "$(id_of "/proc/$lab_pid/root")" = "$(id_of /)"
else
	not_ok "chroot-escape lab did not start"
fi
sess_stop
[ -n "${esc_pid:-}" ] && gone "$esc_pid"
expect "the escaped process is gone after stop" test ! -d "/proc/${esc_pid:-0}"
same_as_before "host fingerprint unchanged after the lab"

# Step 1 is not done by a hand-made /.nslab-escape: only an escape that
# reached the host's / counts. And the jail has a /dev/null for `run CMD &`.
res() { printf '%s\n' "$1" | awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }'; }
out=$(printf '%s\n' 'start chroot-escape' check 'run mkdir /.nslab-escape' check 'run /nslab-escape -v ls /' check \
	'run cat /dev/null && echo DEVNULL-OK' stop | "$NSLAB" --script - 2>&1)
expect "chroot-escape step 1: not done by mkdir /.nslab-escape, done after the escape ($(res "$out"))" \
	test "$(res "$out")" = nno
expect "chroot-escape: the jail has a /dev/null" grep -qx DEVNULL-OK <<<"$out"
same_as_before "host fingerprint unchanged after the step 1 test"

# Step 2 with the real tool, as its task says: a `run ... &` escape counts
# once re-parented (it is in the lab cgroup, marked by the helper); a process
# the learner starts on the host (`host sleep &`, root / too) does not.
out=$(printf '%s\n' 'start chroot-escape' do next 'host sleep 3601 &' check 'run /nslab-escape sleep 3602 &' check \
	stop | "$NSLAB" --script - 2>&1)
expect "chroot-escape step 2: not done by host sleep &, done by run /nslab-escape sleep 3602 & ($(res "$out"))" \
	test "$(res "$out")" = no
expect "chroot-escape step 2: the escaped sleep is gone after stop" bash -c '! pgrep -x -f "sleep 3602"'
same_as_before "host fingerprint unchanged after the step 2 real-tool test"

# Steps 1 and 2 with chroot(8) from the host, as step 2's task shows first
# (issue 11: the jail's own `run CMD &` once needed a /dev/null it lacked):
# the escaped sleep is not a child of the lab process, and it is found.
# shellcheck disable=SC2016 # expanded by the shell inside nslab
out=$(printf '%s\n' 'start chroot-escape' check 'host chroot $NSLAB_LAB_ROOT /nslab-escape -v ls /' check next check \
	'host chroot $NSLAB_LAB_ROOT /nslab-escape sleep 3603 &' check \
	'host echo PARENT=$(ps -o ppid= -p $(pgrep -n -f "^sleep 3603")) LABPID=$NSLAB_LAB_PID' stop | "$NSLAB" --script - 2>&1)
expect "chroot-escape real tool: steps 1 and 2 not done before, done after chroot(8) ($(res "$out"))" \
	test "$(res "$out")" = nono
expect "chroot-escape real tool: nothing asked for /dev/null" bash -c '! grep -q "/dev/null" <<<"$1"' _ "$out"
expect "chroot-escape real tool: step 2 before says the lab process is in the jail" \
	grep -q "missing: no process of the lab has escaped to the host's /" <<<"$out"
lab_parent=$(sed -n 's/^PARENT= *\([0-9]*\) .*/\1/p' <<<"$out")
lab_main=$(sed -n 's/^PARENT=.* LABPID=//p' <<<"$out")
expect "chroot-escape real tool: the escaped sleep is not a child of the lab process (${lab_parent:-?} vs ${lab_main:-?})" \
	test -n "$lab_parent" -a -n "$lab_main" -a "$lab_parent" != "$lab_main"
expect "chroot-escape real tool: the escaped sleep is gone after stop" bash -c '! pgrep -x -f "sleep 3603"'
same_as_before "host fingerprint unchanged after the chroot(8) walk"

# Step 3 with the real tools, as its task shows first: perl, copied into the
# jail, makes the chroot calls itself. A perl started in the jail that has not
# climbed yet is named and does not count; one that climbed out counts while
# the lab process is still jailed: started with chroot(8) through `host ... &`,
# and in the jail through `run ... &`.
# shellcheck disable=SC2016 # expanded by the shell inside nslab
climb='/usr/bin/perl -e '\''mkdir "out"; chroot "out"; chdir ".." for 1..64; chroot "."; sleep 3605'\'' &'
for via in 'host chroot $NSLAB_LAB_ROOT' run; do
	# shellcheck disable=SC2016 # expanded by the shell inside nslab
	out=$(printf '%s\n' 'start chroot-escape' 'step 3' check "$via /usr/bin/perl -e 'sleep 3606' &" check \
		"$via $climb" check 'host echo LABROOT=$(readlink /proc/$NSLAB_LAB_PID/root)' stop | "$NSLAB" --script - 2>&1)
	expect "chroot-escape step 3 ($via): not done before, nor by a jailed perl, done after perl climbed ($(res "$out"))" \
		test "$(res "$out")" = nno
	expect "chroot-escape step 3 ($via): the jailed perl is named" \
		grep -q "missing: PID [0-9]* (/usr/bin/perl -e sleep 3606) was started in the jail but still has" <<<"$out"
	expect "chroot-escape step 3 ($via): the lab process stayed in the jail" \
		bash -c '! grep -qx "LABROOT=/" <<<"$1" && grep -q "^LABROOT=/" <<<"$1"' _ "$out"
	expect "chroot-escape step 3 ($via): the perls are gone after stop" bash -c '! pgrep -f "sleep 360[56]"'
	same_as_before "host fingerprint unchanged after the step 3 real-tool test ($via)"
done

# SIGKILL mid-lab with an escaped process running, then --cleanup: nothing may remain.
sess_start
sess_send "start chroot-escape" "escape" status
if sess_wait '^cgroup:' && sess_wait 'escaped: its root is'; then
	lab_pid=$(sess_field pid)
	esc_pid=$(sed -n 's/^PID \([0-9]*\) (.*) escaped: .*/\1/p' "$SESS_DIR/out" | head -1)
	sess_kill
	"$NSLAB" --cleanup >/dev/null 2>&1
	gone "$lab_pid"
	gone "$esc_pid"
	expect "lab process $lab_pid is gone after SIGKILL + --cleanup" test ! -d "/proc/$lab_pid"
	expect "escaped process $esc_pid is gone after SIGKILL + --cleanup" test ! -d "/proc/$esc_pid"
else
	not_ok "chroot-escape lab did not start for the SIGKILL test"
	sess_kill
	"$NSLAB" --cleanup >/dev/null 2>&1
fi
same_as_before "host fingerprint unchanged after SIGKILL + --cleanup"

# By hand: every step by typing its task's command lines as they stand
# (as a learner does), check before and after, fresh and after `reset`.
# shellcheck disable=SC2016 # expanded by the shell inside nslab
escape_steps=(check 'run ls /' 'run cd ../../.. ; ls' 'run /nslab-escape -v ls /' 'run ls /' 'run ls -a /' check next
	check 'host chroot $NSLAB_LAB_ROOT /nslab-escape sleep 3600 &' 'host pgrep -a -x sleep' 'host ls -l /proc/$NSLAB_LAB_PID/root'
	'host ls -l /proc/$(pgrep -n -x sleep)/root' escape check next
	check "host chroot \$NSLAB_LAB_ROOT ${climb/3605/3600}" 'host ls -l /proc/$(pgrep -n -x perl)/root' 'run mkdir -p /out' 'rejail /out' 'chdir ../../../../../../../..' 'rejail .' 'run ls /' check)
typed_walk "chroot-escape typed, fresh and after reset" nononononono 'start chroot-escape' "${escape_steps[@]}" reset "${escape_steps[@]}" stop
expect "chroot-escape typed: the jail has /dev/null for run CMD &" bash -c '! grep -q "cannot open /dev/null" <<<"$1"' _ "$TYPED_OUT"
same_as_before "host fingerprint unchanged after the typed walks"

finish
