#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-example-lab.sh: the README's "Writing a lab" example, exactly as
# printed (the block between <!-- example-lab --> and <!-- /example-lab -->),
# builds out of the tree against a staged install (DESTDIR=<tmp> PREFIX=/usr)
# through its nslab-lab.pc with -Wall -Wextra -Werror, and the installed
# nslab loads it with --lab-path; as root it is also walked: start, do,
# check, stop. Everything lives in one mktemp -d dir, removed at the end.
# Run by `make install-test`.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
unset NSLAB_LAB_PATH
cd "$TOP" || exit 1
# 0700 and root's (as root): nslab loads labs only from directories it trusts
tmp=$(mktemp -d /tmp/nslab-example.XXXXXX)
trap 'rm -rf "$tmp" "$XDG_STATE_HOME"' EXIT
stage=$tmp/stage

make -s -j"$(nproc)" B="$tmp/build" PREFIX=/usr all >"$tmp/make.log" 2>&1 &&
	make -s B="$tmp/build" PREFIX=/usr DESTDIR="$stage" install >>"$tmp/make.log" 2>&1
expect "make install DESTDIR=<tmp> PREFIX=/usr" test $? -eq 0 || cat "$tmp/make.log"
expect "the header is installed as include/nslab/nslab-lab.h" test -f "$stage/usr/include/nslab/nslab-lab.h"
expect "nslab-lab.pc is installed" test -f "$stage/usr/share/pkgconfig/nslab-lab.pc"

# The staged .pc names /usr; the sysroot puts the stage in front of it.
export PKG_CONFIG_PATH=$stage/usr/share/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage
cflags=$(pkg-config --cflags nslab-lab 2>&1)
expect "pkg-config --cflags nslab-lab names the installed header's dir ($cflags)" \
	test "${cflags% }" = "-I$stage/usr/include/nslab"

src=$tmp/out-of-tree/demo.c
mkdir -p "$tmp/out-of-tree" "$tmp/labs"
awk '/^<!-- example-lab/ { f = 1; next } /^<!-- \/example-lab -->/ { f = 0 } f' README.md |
	sed '1{/^```c$/d}; ${/^```$/d}' >"$src"
expect "the README has the example between its markers" grep -q 'NSLAB_LAB(lab)' "$src"
# out of the tree: no -I into this checkout, only what pkg-config says
# shellcheck disable=SC2086
(cd "$tmp/out-of-tree" && cc $cflags -Wall -Wextra -Werror -shared -fPIC -o "$tmp/labs/demo.so" demo.c) \
	>"$tmp/cc.log" 2>&1
expect "the README example compiles as printed with -Wall -Wextra -Werror" test $? -eq 0 || cat "$tmp/cc.log"
chmod 644 "$tmp/labs/demo.so" 2>/dev/null
chmod 755 "$tmp/labs"

nslab=$stage/usr/bin/nslab
out=$(printf 'labs\n' | "$nslab" --lab-path "$tmp/labs" --script - 2>&1)
expect "the installed nslab lists the example with --lab-path" grep -Eq '^  demo +[0-9]+/1 ' <<<"$out" ||
	echo "$out"
expect "and skips nothing" test -z "$(grep skipping <<<"$out")"

if [ "$(id -u)" -eq 0 ]; then
	out=$(printf 'start demo\ncheck\ndo\ncheck\nstop\n' | "$nslab" --lab-path "$tmp/labs" --script - 2>&1)
	expect "start demo: the lab starts" grep -q 'demo' <<<"$out" || echo "$out"
	expect "check before do: not yet, naming what is missing" grep -q "hostname is not 'demo' yet" <<<"$out" ||
		echo "$out"
	expect "do, then check: ok" grep -q '^check: ok' <<<"$out" || echo "$out"
	expect "the host's hostname is untouched" test "$(hostname)" != demo
	left=$("$nslab" --cleanup 2>&1 | grep -v '^nothing to clean up')
	expect "stop left nothing for --cleanup${left:+ ($left)}" test -z "$left"
else
	ok "# SKIP walking the example needs root (CLONE_NEWUTS)"
fi

make -s B="$tmp/build" PREFIX=/usr DESTDIR="$stage" uninstall >/dev/null 2>&1
left=$(find "$stage/usr/include" "$stage/usr/share/pkgconfig" -type f 2>/dev/null)
expect "make uninstall removes the header and nslab-lab.pc${left:+ (left: $left)}" test -z "$left"

finish
