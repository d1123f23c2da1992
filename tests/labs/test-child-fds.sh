#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-child-fds.sh: what `run`, `host` and `shell` start gets stdin, stdout and
# stderr, and no other descriptor: none nslab holds (sockets to its agents,
# the registry) and none it inherited (D14). Root; run through tests/run-suite.sh.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
require_nslab
before=$(host_state)

# `ls /proc/self/fd` lists what ls has: stdio and its own handle on that
# directory (3). Anything else came from nslab.
inherited=$(mktemp /tmp/nslab-test-fd.XXXXXX)
# shellcheck disable=SC2016 # expanded by the shell inside nslab
out=$(printf '%s\n' "start uts" 'host echo HOST-FDS $(ls /proc/self/fd)' 'run echo RUN-FDS $(ls /proc/self/fd)' stop |
	"$NSLAB" --script - 7>"$inherited" 2>&1)
host_fds=$(sed -n 's/^HOST-FDS //p' <<<"$out")
run_fds=$(sed -n 's/^RUN-FDS //p' <<<"$out")
expect "host: only stdio (ls sees $host_fds)" test "$host_fds" = "0 1 2 3"
expect "run: only stdio (ls sees $run_fds)" test "$run_fds" = "0 1 2 3"
rm -f "$inherited"
same_fingerprint "$before" "child fds: host unchanged"
finish
