#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run-as-user.sh DRIVER...: runs the cmocka drivers as an unprivileged user
# (nobody, or $NSLAB_UNIT_USER) with a HOME and TMPDIR of its own, through
# tests/run-suite.sh, so that what needs no root is shown to need none; a
# test that does need root skips. Run by a user already, it runs them as is.
#
# run-suite.sh itself runs as root (it takes root's suite lock) and runs one
# small wrapper per driver that drops to the user: the user needs to read
# only the drivers and src/ (test_labs builds plugins against the header).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then
	exec tests/run-suite.sh unit-user "$@"
fi
user=${NSLAB_UNIT_USER:-nobody}
group=$(id -gn "$user")
wrap=$(mktemp -d /tmp/nslab-unit-as-user.XXXXXX)
home=$(mktemp -d /tmp/nslab-unit-home.XXXXXX)
trap 'rm -rf "$wrap" "$home"' EXIT
chown "$user:$group" "$home"
drop=(setpriv --reuid="$user" --regid="$group" --clear-groups)
wrappers=()
for t in "$@"; do
	[ -e "$t" ] || continue
	case $t in /*) ;; *) t=$PWD/$t ;; esac
	# The drivers find <repo>/src from their own path, from /.
	for need in "$t" "$PWD/src/nslab-lab.h"; do
		if ! "${drop[@]}" test -r "$need"; then
			echo "unit-user: $user cannot read $need: make it and the directories above it readable (chmod a+rX)" >&2
			exit 1
		fi
	done
	w=$wrap/$(basename "$t")
	{
		echo '#!/bin/sh'
		printf 'exec %q %q %q %q env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=%q TMPDIR=%q LANG=C.UTF-8 CC=%q %q\n' \
			"${drop[@]}" "$home" "$home" "${CC:-cc}" "$t"
	} >"$w"
	chmod 700 "$w"
	wrappers+=("$w")
done
tests/run-suite.sh unit-user "${wrappers[@]}"
