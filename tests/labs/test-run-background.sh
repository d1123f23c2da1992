#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-run-background.sh: a command that `run X &` leaves in the background
# outlives the command line that started it, and its later output does not
# kill it: the pipe `run` reads its output from closes once the line
# returns, and a write there would end it with SIGPIPE (a background
# `stress` that says "dispatching hogs" died that way). Root; run through
# tests/run-suite.sh.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
require_nslab
before=$(host_state)

pidfile=$(mktemp /tmp/nslab-test-bg.XXXXXX)
# the background shell writes its PID, waits a second, writes to its
# output (after `run` has returned), then sleeps on; 3 s later the host
# asks whether it is still there
# shellcheck disable=SC2016 # expanded by the shell inside nslab
out=$(printf '%s\n' "start uts" "run sh -c 'echo \$\$ > $pidfile; sleep 1; echo late; sleep 30' &" \
	'host sleep 3' "host kill -0 \$(cat $pidfile) && echo BG-ALIVE" stop |
	"$NSLAB" --script - 2>&1)
expect "the backgrounded command wrote its pid" test -s "$pidfile"
if grep -q '^BG-ALIVE' <<<"$out"; then
	ok "it is alive 3 s later, after writing once the line had returned"
else
	not_ok "it is alive 3 s later, after writing once the line had returned"
	printf '%s\n' "$out" | sed 's/^/#   /'
fi
bgpid=$(cat "$pidfile" 2>/dev/null)
expect "stop ended it" gone "$bgpid"
rm -f "$pidfile"
same_fingerprint "$before" "run in the background: host unchanged"
finish
