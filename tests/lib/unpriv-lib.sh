# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/lib/unpriv-lib.sh: helpers for tests/labs/test-unprivileged.sh (sourced
# after common.sh). Runs build/nslab as an ordinary user: uid/gid 65534
# (nobody), no supplementary groups, no capabilities, a clean environment.
#   UNPRIV_STATE   an XDG_STATE_HOME nobody cannot write (default for as_nobody)
#   as_nobody [VAR=VALUE...] -- CMD...   runs CMD as nobody (env as given)
#   nobody_nslab OUT ERR [nslab args...] runs nslab as nobody, stdin as given;
#                                        stdout to OUT, stderr to ERR, returns its status
#   UNPRIV_ENV      array of extra VAR=VALUE for nobody_nslab (e.g. a writable state dir)
#   UNPRIV_TIMEOUT  seconds before a hung nslab is killed (default 60; status 124)

UNPRIV_TIMEOUT=${UNPRIV_TIMEOUT:-60}
UNPRIV_ENV=()
UNPRIV_STATE=$(mktemp -d /tmp/nslab-unpriv-ro.XXXXXX)
chmod 0555 "$UNPRIV_STATE"

as_nobody() {
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/nonexistent LANG=C.UTF-8 TERM=dumb NSLAB_LAB_PATH="$NSLAB_LAB_PATH" \
		XDG_STATE_HOME="$UNPRIV_STATE" "${envs[@]}" \
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		timeout -k 5 "$UNPRIV_TIMEOUT" "$@"
}

nobody_nslab() {
	local out=$1 err=$2
	shift 2
	as_nobody "${UNPRIV_ENV[@]}" -- "$NSLAB" "$@" >"$out" 2>"$err"
}

# The one-time notice every unprivileged start prints (it is expected, not an error).
UNPRIV_NOTICE='^nslab: missing CAP_SYS_ADMIN'

# errors_in FILE: the error lines of a run (nslab: ... and tool messages), without the notice.
errors_in() { grep -v -E "$UNPRIV_NOTICE" "$1" | grep -E '^nslab: |[Pp]ermission denied|not permitted' || true; }

# crashed STATUS FILE...: a signal death, a timeout, or a crash message.
crashed() {
	local st=$1
	shift
	[ "$st" -ge 124 ] && return 0
	grep -qE 'Segmentation fault|Aborted|core dumped|AddressSanitizer|double free' "$@" 2>/dev/null
}

# names_privilege TEXT: says which privilege is missing and how to get it.
names_privilege() { grep -qE 'CAP_[A-Z_]+|root' <<<"$1" && grep -qE 'sudo' <<<"$1"; }

unpriv_cleanup() { rm -rf "$UNPRIV_STATE"; }
