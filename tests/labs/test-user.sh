#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-user.sh: the user lab on the real kernel (root; run through tests/run-suite.sh).
# Each step's check fails before `do` and passes after; the lab process ends in its
# own user namespace with uid_map "0 U 1", uid 0 inside and U on the host, where U
# is the invoking user or nobody; the same lab run by an unprivileged nslab
# (setpriv to 65534) works, and the labs that need root say which privilege is
# missing; the host is left as found, also after SIGKILL + `nslab --cleanup`.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=tests/lib/typed.sh
. "$(dirname "$0")/../lib/typed.sh"

"$NSLAB" --cleanup >/dev/null 2>&1 # leftovers of earlier crashed runs would spoil the comparison
before=$(fingerprint)
host_name=$(hostname)
U=${SUDO_UID:-0}
[ "$U" -eq 0 ] && U=65534

walk_lab user

sess_start
sess_send "start user" status
if sess_wait '^cgroup:'; then
	lab=$(sess_field pid)
	expect "the lab process starts in the host's user namespace" ns_same "$lab" user
	sess_send "do" next "do" "ids" "try-uts" next check
	if sess_wait '^check: (ok|not yet) - step 3/3'; then
		expect "before the map: uid 65534 inside, no capabilities" \
			grep -q '^inside:  uid=65534 gid=65534' "$SESS_DIR/out"
		expect "before the map: a program started inside has no capabilities" \
			grep -q 'capabilities of a program it starts: "="$' "$SESS_DIR/out"
		expect "before the map: unshare --uts fails with EPERM" \
			grep -q 'unshare failed: Operation not permitted' "$SESS_DIR/out"
		expect "the lab process has its own user namespace" ns_differs "$lab" user
	fi
	sess_send "do" check "ids" "try-uts" "run id"
	if sess_wait '^uid=0\(root\)' ; then
		expect "check passes after the three steps" grep -q '^check: ok - step 3/3' "$SESS_DIR/out"
		expect "uid_map holds \"0 $U 1\"" test "$(awk '{ print $1, $2, $3 }' "/proc/$lab/uid_map")" = "0 $U 1"
		expect "setgroups is deny" grep -qx deny "/proc/$lab/setgroups"
		expect "the host sees uid $U" test "$(awk '/^Uid:/ { print $2, $3 }' "/proc/$lab/status")" = "$U $U"
		expect "the host sees no capabilities" grep -q '^CapEff:.*0000000000000000' "/proc/$lab/status"
		expect "inside, the lab process is uid 0" grep -q '^inside:  uid=0 gid=0' "$SESS_DIR/out"
		expect "a program started inside has a full capability set (libcap: =ep)" \
			grep -q 'capabilities of a program it starts: "=ep"' "$SESS_DIR/out"
		expect "after the map: unshare --uts works" grep -q 'hostname in the new UTS namespace: userns-lab' "$SESS_DIR/out"
		expect "the host's hostname is unchanged" test "$(hostname)" = "$host_name"
	fi
fi
sess_stop
same_as_before "host unchanged after the lab"

# An unprivileged nslab: the user lab works; a lab that needs root says why.
state=$(mktemp -d /tmp/nslab-test-unpriv.XXXXXX)
chmod 0777 "$state"
unpriv=$(printf '%s\n' "start user" "do" check next "do" check next "do" check "ids" "try-uts" stop "start net" |
	XDG_STATE_HOME=$state setpriv --reuid=65534 --regid=65534 --clear-groups "$NSLAB" --script - 2>&1)
rm -rf "$state"
expect "unprivileged: every user step checks ok" test "$(grep -c '^check: ok - step' <<<"$unpriv")" -eq 3
expect "unprivileged: uid 0 inside after the map" grep -q '^inside:  uid=0 gid=0' <<<"$unpriv"
expect "unprivileged: unshare --uts works after the map" grep -q 'hostname in the new UTS namespace' <<<"$unpriv"
expect "unprivileged: the net lab names the missing privilege" grep -q 'CAP_SYS_ADMIN' <<<"$unpriv"
same_as_before "host unchanged after the unprivileged run"

# By hand: the tasks' own lines (the uid_map and gid_map writes are the real
# ones, `host echo ... > /proc/PID/uid_map`), fresh and after `reset`.
# shellcheck disable=SC2016 # expanded by the shell inside nslab
user_steps=(check drop ids 'host grep -E '"'"'Uid|Gid|CapEff'"'"' /proc/$NSLAB_LAB_PID/status' check next
	check userns ids try-uts 'host ls -l /proc/$NSLAB_LAB_PID/ns/user /proc/self/ns/user' check next
	check 'host echo deny > /proc/$NSLAB_LAB_PID/setgroups'
	'host cd /proc/$NSLAB_LAB_PID && echo "0 $(stat -c %g .) 1" > gid_map'
	'host cd /proc/$NSLAB_LAB_PID && echo "0 $(stat -c %u .) 1" > uid_map'
	ids try-uts 'host cat /proc/$NSLAB_LAB_PID/uid_map' 'host grep Uid /proc/$NSLAB_LAB_PID/status' check)
typed_walk "user typed, fresh and after reset" nononononono 'start user' "${user_steps[@]}" reset "${user_steps[@]}" stop
expect "user typed: uid 0 inside after the real uid_map write" grep -q '^inside:  uid=0 gid=0' <<<"$TYPED_OUT"
expect "user typed: the host still sees uid $U" grep -qE "^Uid:[[:space:]]+${U}[[:space:]]" <<<"$TYPED_OUT"
same_as_before "host unchanged after the typed walks"

# The real tools (issue 12): a process of the learner's own, started with
# setpriv + unshare --user, passes steps 1 and 2 while the lab process stays
# root; step 3 waits for the seed's uid_map write, then passes.
G=${SUDO_GID:-0}
[ "$U" -eq 65534 ] && G=65534
sess_start
sess_send "start user" check "run setpriv --reuid=$U --regid=$G --clear-groups unshare --user sleep 3600 &"
sleep 1
sess_send check next check next check
if sess_wait_count '^check: (ok|not yet) - step 3/3' 1 150; then
	mine=""
	for p in $(pgrep -x sleep); do
		grep -q "/nslab/$SESS_PID/" "/proc/$p/cgroup" 2>/dev/null && mine=$p
	done
	expect "real tools: the learner's sleep is found in the lab cgroup ($mine)" test -n "$mine"
	expect "real tools: ... in a user namespace of its own" ns_differs "$mine" user
	sess_send "host echo '0 $U 1' > /proc/$mine/uid_map" check
	sess_wait_count '^check: (ok|not yet) - step 3/3' 2 150 >/dev/null
	res=$(awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }' "$SESS_DIR/out")
	expect "real tools: step 1 fails, then steps 1 and 2 pass, 3 waits for the uid_map write ($res)" test "$res" = noono
	expect "real tools: step 3 names the learner's process and the write" \
		grep -q "missing: process $mine is in a user namespace of its own, but /proc/$mine/uid_map" "$SESS_DIR/out"
	expect "real tools: uid_map of the learner's process holds \"0 $U 1\"" \
		test "$(awk '{ print $1, $2, $3 }' "/proc/$mine/uid_map" 2>/dev/null)" = "0 $U 1"
else
	not_ok "real tools: the user lab walk did not reach step 3"
fi
sess_stop
same_as_before "host unchanged after the real tools' walk"

# SIGKILL inside the new user namespace, before the map.
sess_start
sess_send "start user" "do" next "do" check
sess_wait '^check: (ok|not yet) - step 2/3' && ok "mid-lab state reached before SIGKILL"
killed_cleanup "user"
finish
