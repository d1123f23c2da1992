#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run-as-user.sh DRIVER...: runs the cmocka drivers as an unprivileged user
# (nobody, or $NSLAB_UNIT_USER) with a HOME and TMPDIR of its own, through
# tests/run-suite.sh, so that what needs no root is shown to need none; a
# test that does need root skips. Run by a user already, it runs them as is.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then
	exec tests/run-suite.sh unit-user "$@"
fi
user=${NSLAB_UNIT_USER:-nobody}
group=$(id -gn "$user")
as_user() {
	setpriv --reuid="$user" --regid="$group" --clear-groups "$@"
}
# A driver finds <repo>/src from its own path (test_labs builds plugins
# against the header there): the user must reach both.
for t in "$@" src/nslab-lab.h; do
	if ! as_user test -r "$t"; then
		echo "unit-user: $user cannot read $PWD/$t: make the tree readable (chmod a+rX on it and its parents)" >&2
		exit 1
	fi
done
home=$(mktemp -d /tmp/nslab-unit-home.XXXXXX)
trap 'rm -rf "$home"' EXIT
chown "$user:$group" "$home"
# The suite lock is root's file: take it here, for the user's run.
if [ -z "${NSLAB_TESTS_LOCKED:-}" ]; then
	exec 9>/tmp/.nslab-tests.lock
	flock 9
fi
as_user env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$home" TMPDIR="$home" LANG=C.UTF-8 \
	CC="${CC:-cc}" NSLAB_TESTS_LOCKED=1 tests/run-suite.sh unit-user "$@"
