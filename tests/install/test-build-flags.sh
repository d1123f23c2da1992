#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-build-flags.sh: nslab builds with any CFLAGS/LDFLAGS a builder passes
# (D16: `make CFLAGS='-O1 -g -fsanitize=address,undefined'` used to fail with
# CLONE_NEWPID undeclared, since CFLAGS replaced -std=gnu11 -D_GNU_SOURCE), and
# the sanitized binary runs a script. A private build dir: build/ is left alone.
# Run by `make install-test`.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
cd "$TOP" || exit 1
tmp=$(mktemp -d /tmp/nslab-buildflags.XXXXXX)
trap 'rm -rf "$tmp" "$XDG_STATE_HOME"' EXIT

san='-fsanitize=address,undefined'
make -s -j"$(nproc)" B="$tmp/b" CFLAGS="-O1 -g $san" LDFLAGS="$san" WERROR=-Werror all >"$tmp/make.log" 2>&1
st=$?
expect "make CFLAGS='-O1 -g $san' LDFLAGS='$san' all (exit $st)" test "$st" -eq 0
[ "$st" -eq 0 ] || grep -m3 -E 'error' "$tmp/make.log" | sed 's/^/#   /'
if [ -x "$tmp/b/nslab" ]; then
	expect "the binary is instrumented" grep -q __asan_init <(nm -D "$tmp/b/nslab" 2>/dev/null)
	out=$(printf 'labs\nquit\n' | ASAN_OPTIONS=detect_leaks=0 NSLAB_LAB_PATH="$tmp/b/labs" "$tmp/b/nslab" --script - 2>&1)
	expect "and runs a script that lists the labs" grep -qE '^  uts +' <<<"$out"
fi
finish
