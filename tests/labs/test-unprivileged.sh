#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-unprivileged.sh: nslab run by an ordinary user (root starts it as nobody
# through setpriv, with no groups, no capabilities and a state dir it cannot
# write). Run it through tests/run-suite.sh (it SIGKILLs a root run once).
#
# - help, labs, ns, ns --all, progress, status work (exit 0, no error line);
# - the missing privilege is announced once, naming CAP_SYS_ADMIN and sudo;
# - every lab either works without root from start to the last check, or its
#   `start` fails with ONE line naming the missing privilege and sudo (a lab
#   that starts and then fails in a step with a bare EPERM is reported);
# - nothing crashes; exit codes are the documented ones (0 ok, 1 failure, 2 usage);
# - progress is saved when the state dir is writable, and an unwritable one is
#   reported rather than silently lost;
# - `ns PID` of another user's process and `--cleanup` of a root run's
#   leftovers say that root is needed instead of something misleading;
# - nobody leaves no /tmp/nslab-<pid> and no process; the host fingerprint is unchanged.
# shellcheck disable=SC1091
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/unpriv-lib.sh"
. "$(dirname "$0")/../lib/cycles-lib.sh" # cyc_fingerprint: blind to others' live runs

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	echo "# skipped: needs root and setpriv to become nobody"
	exit 0
fi
W=$(mktemp -d /tmp/nslab-unpriv-work.XXXXXX)
chmod 0755 "$W"
trap 'rm -rf "$W" "$XDG_STATE_HOME"; unpriv_cleanup' EXIT
if ! as_nobody -- test -x "$NSLAB"; then
	echo "# skipped: nobody cannot execute $NSLAB (a parent dir is not searchable)"
	exit 0
fi

before=$(cyc_fingerprint)
declare -a bad=() # one line per command that does not behave, for the summary

# run_script NAME LINES...: one script run as nobody; sets ST, OUT, ERR (files).
run_script() {
	local name=$1
	shift
	OUT=$W/$name.out ERR=$W/$name.err
	printf '%s\n' "$@" | nobody_nslab "$OUT" "$ERR" --script -
	ST=$?
}

# --- read-only commands -------------------------------------------------
# works CMD CHECK-REGEX: exit 0, no error line, nothing crashed, output matches.
works() {
	local cmd=$1 re=$2 errs
	run_script "cmd-${cmd// /_}" "$cmd"
	errs=$(errors_in "$ERR"; errors_in "$OUT")
	if crashed "$ST" "$OUT" "$ERR"; then
		not_ok "\`$cmd\` as nobody crashed (status $ST)"
		bad+=("$cmd: crashed, status $ST")
	elif [ "$ST" -ne 0 ] || [ -n "$errs" ] || ! grep -qE "$re" "$OUT"; then
		not_ok "\`$cmd\` as nobody: status $ST, errors: ${errs:-none}"
		bad+=("$cmd: status $ST ${errs:+($errs)}")
		sed 's/^/#   | /' "$OUT" "$ERR" | head -n 12
	else
		ok "\`$cmd\` works as nobody"
	fi
}
works help '^  start LAB'
works labs '^  uts +[0-9]+/[0-9]+ '
works ns '^uts +[0-9]+'
works 'ns --all' '^ *[0-9]+ uts +[0-9]+ +[0-9]+ nobody '
works 'ns --json' '"namespaces"'
works progress '^  uts +\[\.*\] 0/'
works status '^lab: -$'
works 'help start' '^usage: start LAB'
works 'host id -u' '^65534$'

# The missing privilege is said once per run, on stderr, naming what is needed.
run_script notice status
n=$(grep -cE "$UNPRIV_NOTICE" "$ERR")
if [ "$n" -eq 1 ] && names_privilege "$(grep -E "$UNPRIV_NOTICE" "$ERR")"; then
	ok "one notice names CAP_SYS_ADMIN and sudo"
else
	not_ok "notice about the missing privilege: $n lines"
	bad+=("startup notice: $n lines")
fi

# --- exit codes ---------------------------------------------------------
# exits WANT DESC ARGS...: nslab ARGS (stdin empty) as nobody exits WANT.
exits() {
	local want=$1 desc=$2
	shift 2
	nobody_nslab "$W/x.out" "$W/x.err" "$@" </dev/null
	local st=$?
	if [ "$st" -eq "$want" ] && ! crashed "$st" "$W/x.out" "$W/x.err"; then
		ok "$desc: exit $want"
	else
		not_ok "$desc: exit $st, want $want"
		bad+=("$desc: exit $st, want $want")
	fi
}
exits 0 "--help" --help
exits 0 "--version" --version
exits 2 "unknown option" --bogus
exits 2 "extra argument" extra
exits 1 "--script of a missing file" --script /nonexistent/nslab-script
exits 0 "--cleanup with nothing left" --cleanup
for cmd in bogus 'start no-such-lab' 'step x' check 'do' 'run id'; do
	run_script exit-code "$cmd"
	if [ "$ST" -eq 1 ] && ! crashed "$ST" "$OUT" "$ERR"; then
		ok "script \`$cmd\` (nothing to do it on): exit 1"
	else
		not_ok "script \`$cmd\`: exit $ST, want 1"
		bad+=("script '$cmd': exit $ST, want 1")
	fi
done

# `ns 1`: PID 1 exists, its ns links are root's: the message must say so.
run_script ns-root "ns 1"
msg=$(errors_in "$ERR")
if [ "$ST" -eq 1 ] && grep -qiE 'permission|root|sudo' <<<"$msg" && ! grep -q 'no process' <<<"$msg"; then
	ok "\`ns 1\` as nobody says root is needed"
else
	not_ok "\`ns 1\` as nobody: status $ST, said: ${msg:-nothing}"
	bad+=("ns 1: status $ST, says '${msg}' although PID 1 exists (EACCES, not ENOENT)")
fi

# --- every lab: works without root, or refuses at start in one clear line --
mapfile -t labs < <(awk '/^  [^ ]+ +[0-9]+\/[0-9]+ / { print $1 }' "$W/cmd-labs.out")
[ ${#labs[@]} -gt 0 ] || not_ok "no labs listed"
for lab in "${labs[@]}"; do
	run_script "start-$lab" "start $lab" status
	errs=$(errors_in "$ERR")
	if crashed "$ST" "$OUT" "$ERR"; then
		not_ok "$lab: start as nobody crashed (status $ST)"
		bad+=("start $lab: crashed, status $ST")
		continue
	fi
	if ! grep -q "^lab: $lab\$" "$OUT"; then
		# Refused: one line, naming the privilege and sudo.
		nlines=$(grep -c . <<<"$errs")
		if [ "$ST" -eq 1 ] && [ "$nlines" -eq 1 ] && names_privilege "$errs"; then
			ok "$lab: refused in one line naming the privilege"
		else
			not_ok "$lab: refused with $nlines line(s), status $ST"
			printf '%s\n' "$errs" | sed 's/^/#   ! /'
			why="$nlines lines"
			names_privilege "$errs" || why+=", no privilege named"
			bad+=("start $lab: refused ($why): $(head -n1 <<<"$errs")")
		fi
		continue
	fi
	# Started: then it must work to the end without root.
	nsteps=$(awk '/^step:/ { split($2, a, "/"); print a[2]; exit }' "$OUT")
	script=("start $lab")
	for ((i = 1; i <= nsteps; i++)); do script+=("do" "check" "next"); done
	script+=(stop)
	run_script "walk-$lab" "${script[@]}"
	passed=$(grep -c '^check: ok' "$OUT")
	first=$(grep -v -E "$UNPRIV_NOTICE" "$ERR" | grep -m1 -E '^nslab: |ermission denied|not permitted|[a-z]+: ')
	if crashed "$ST" "$OUT" "$ERR"; then
		not_ok "$lab: walk as nobody crashed (status $ST)"
		bad+=("$lab walk: crashed, status $ST")
	elif [ "$passed" -eq "$nsteps" ] && [ "$ST" -eq 0 ]; then
		ok "$lab: starts and works without root ($passed/$nsteps checks)"
	elif errs=$(grep -v -E "$UNPRIV_NOTICE|cannot save progress" "$ERR" | grep -E '^nslab: ') &&
		[ "$passed" -gt 0 ] && ! grep -v -q -E 'CAP_[A-Z_]+|root' <<<"$errs" && ! grep -v -q sudo <<<"$errs"; then
		# What cannot work without root says so, in every error line.
		ok "$lab: $passed/$nsteps steps work without root; every other one names the privilege"
	else
		not_ok "$lab: starts as nobody, then only $passed/$nsteps checks pass; first error: ${first:-none}"
		priv=$(names_privilege "$first" && echo "names the privilege" || echo "no privilege named")
		bad+=("$lab: starts without root, $passed/$nsteps steps work; first error ($priv): ${first:-none}")
	fi
done

# --- progress: saved when it can be, reported when it cannot -------------
# The user lab is the one meant to work without root.
if printf '%s\n' "${labs[@]}" | grep -qx user; then
	RW=$(mktemp -d /tmp/nslab-unpriv-rw.XXXXXX)
	chown 65534:65534 "$RW"
	# shellcheck disable=SC2034 # read by nobody_nslab
	UNPRIV_ENV=("XDG_STATE_HOME=$RW")
	run_script progress-rw "start user" "do" "check" "stop"
	run_script progress-rw2 progress
	# shellcheck disable=SC2034
	UNPRIV_ENV=()
	if grep -qE '^  user +\[#' "$OUT"; then
		ok "progress as nobody survives a restart (writable state dir)"
	else
		not_ok "progress as nobody is not kept in a writable state dir"
		bad+=("progress: not kept in a writable XDG_STATE_HOME")
	fi
	rm -rf "$RW"
	run_script progress-ro "start user" "do" "check" "stop"
	if grep -qE '^check: ok' "$OUT" && ! grep -qiE 'progress|save|state' "$ERR"; then
		not_ok "progress cannot be saved ($UNPRIV_STATE is read-only) and nslab does not say so"
		bad+=("progress: silently not saved when XDG_STATE_HOME is not writable; \`progress\` still says '(saved in ...)'")
	else
		ok "an unwritable state dir is reported"
	fi
fi

# --- `run` in the user lab before it has a root of its own ------------------
# The lab shares nobody's root: entering it must not need chroot (CAP_SYS_CHROOT).
if printf '%s\n' "${labs[@]}" | grep -qx user; then
	run_script user-run "start user" "run echo RAN-IN-LAB" "stop"
	if grep -qx 'RAN-IN-LAB' "$OUT" && ! grep -q "cannot enter the lab's root" "$OUT" "$ERR"; then
		ok "run at user step 1 works unprivileged"
	else
		not_ok "run at user step 1 as nobody: $(cat "$OUT" "$ERR" | grep -iE 'cannot|error' | head -n 2 | tr '\n' '|')"
		bad+=("run at user step 1 fails unprivileged")
	fi
fi

# --- a root run's leftovers: nobody is told, and cannot make it worse ----
SESS=$W/sess
mkfifo "$SESS.in"
("$NSLAB" --script - <"$SESS.in" >"$SESS.out" 2>&1 & echo $! >"$SESS.pid"; wait) 2>/dev/null &
exec 8>"$SESS.in"
printf 'start uts\ndo\nstatus\n' >&8
for ((i = 0; i < 100; i++)); do grep -q '^cgroup:' "$SESS.out" 2>/dev/null && break; sleep 0.1; done
root_pid=$(cat "$SESS.pid")
cyc_mine "$root_pid"
kill -9 "$root_pid"
exec 8>&-
wait
run_script leftovers status
if grep -q -- 'sudo nslab --cleanup' "$ERR"; then
	ok "nobody is told about a killed root run's leftovers (sudo nslab --cleanup)"
else
	not_ok "no leftover notice for nobody after a root run was killed"
	bad+=("leftover notice: not shown to nobody")
fi
nobody_nslab "$W/c.out" "$W/c.err" --cleanup </dev/null
st=$?
said=$(cat "$W/c.out" "$W/c.err")
if [ -e "/run/nslab/$root_pid.registry" ] && [ "$st" -ne 0 ] && names_privilege "$said" &&
	! grep -q '^removed' "$W/c.out"; then
	ok "--cleanup as nobody refuses and names the privilege; the leftovers are still there for root"
else
	not_ok "--cleanup as nobody (root run's leftovers): exit $st, said: $(tr '\n' '|' <<<"$said" | cut -c1-300)"
	bad+=("--cleanup as nobody with a root run's leftovers: exit $st, says '$(head -n1 <<<"$said")'")
fi
"$NSLAB" --cleanup >/dev/null 2>&1

# --- the host ----------------------------------------------------------
# nobody's own traces, exactly: no run dir, no process of uid 65534.
left=$(find /tmp -maxdepth 1 -name 'nslab-[0-9]*' -user 65534 2>/dev/null; pgrep -a -u 65534 2>/dev/null)
if [ -z "$left" ]; then
	ok "nobody left no /tmp/nslab-<pid> dir and no process"
else
	not_ok "nobody left: $(tr '\n' ' ' <<<"$left")"
fi
# and the whole host (blind to other people's live nslab runs).
if cyc_fp_settle "$before" 5; then
	ok "host fingerprint unchanged (mounts, links, netns, IPC, cgroups, run dirs, processes)"
else
	not_ok "host fingerprint changed"
	diff <(echo "$before") <(echo "$CYC_FP") | sed 's/^/#   /'
fi

if [ ${#bad[@]} -gt 0 ]; then
	echo "# commands that do not behave as nobody (${#bad[@]}):"
	printf '#   %s\n' "${bad[@]}"
fi
finish
