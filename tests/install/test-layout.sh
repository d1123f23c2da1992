#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-layout.sh: what `make install` puts where, and that an installed nslab
# finds its labs. Two installs from private build dirs (so build/ is left
# alone, and each binary has its own prefix compiled in):
#   1. staged, as a package would: DESTDIR=<tmp> PREFIX=/usr
#   2. real, into a throwaway prefix: PREFIX=<tmp>/prefix, no DESTDIR
# Also: nslab.1 renders without man warnings. Run by `make install-test`.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
unset NSLAB_LAB_PATH # the installed binary must find its labs by itself
cd "$TOP" || exit 1
tmp=$(mktemp -d /tmp/nslab-install.XXXXXX)
trap 'rm -rf "$tmp" "$XDG_STATE_HOME"' EXIT
jobs=$(nproc)

# The ids of the labs in labs/, and what `labs` prints for an installed binary.
want_labs=$(for f in labs/*.c; do basename "$f" .c; done | sort)
listed_labs() { awk '/^  [a-z0-9-]+ +[0-9]+\/[0-9]+ /{ print $1 }' | sort; }

# --- 1. staged install -------------------------------------------------
stage=$tmp/stage
make -s -j"$jobs" B="$tmp/build-usr" PREFIX=/usr all >"$tmp/make1.log" 2>&1 &&
	make -s B="$tmp/build-usr" PREFIX=/usr DESTDIR="$stage" install >>"$tmp/make1.log" 2>&1
expect "make install DESTDIR=... PREFIX=/usr" test $? -eq 0 || cat "$tmp/make1.log"

expect "bin/nslab is installed, executable" test -x "$stage/usr/bin/nslab"
missing=$(for id in $want_labs; do [ -f "$stage/usr/lib/nslab/labs/$id.so" ] || echo "$id.so"; done)
expect "lib/nslab/labs/ holds the $(echo "$want_labs" | wc -w) labs${missing:+ (missing: $missing)}" test -z "$missing"
for h in labs/helpers/*.c; do
	[ -e "$h" ] || continue
	expect "helper $(basename "$h" .c) is installed, executable" \
		test -x "$stage/usr/lib/nslab/labs/$(basename "$h" .c)"
done
expect "man page share/man/man1/nslab.1" test -f "$stage/usr/share/man/man1/nslab.1"
expect "bash completion share/bash-completion/completions/nslab" \
	test -f "$stage/usr/share/bash-completion/completions/nslab"
expect "nothing is installed outside usr/" \
	test "$(find "$stage" -mindepth 1 -maxdepth 1 -printf '%f\n')" = usr
expect "lab plugins are installed without the execute bit" \
	test -z "$(find "$stage/usr/lib/nslab/labs" -name '*.so' -perm /111)"

out=$("$stage/usr/bin/nslab" --version 2>&1)
expect "the staged binary runs (--version: $out)" test "$out" = "nslab $(sed -n 's/^VERSION := //p' Makefile)"
got=$(printf 'labs\n' | "$stage/usr/bin/nslab" --lab-path "$stage/usr/lib/nslab/labs" --script - 2>/dev/null | listed_labs)
expect "the staged binary with --lab-path lists every lab" test "$got" = "$want_labs"
bad=$(printf 'labs\n' | "$stage/usr/bin/nslab" --lab-path "$stage/usr/lib/nslab/labs" --script - 2>&1 >/dev/null |
	grep 'skipping' || true)
expect "no lab is skipped by the loader${bad:+ ($bad)}" test -z "$bad"
expect "the completion file is valid bash" bash -n "$stage/usr/share/bash-completion/completions/nslab"

# --- 2. real install into a prefix ---------------------------------------
prefix=$tmp/prefix
make -s -j"$jobs" B="$tmp/build-prefix" PREFIX="$prefix" all >"$tmp/make2.log" 2>&1 &&
	make -s B="$tmp/build-prefix" PREFIX="$prefix" install >>"$tmp/make2.log" 2>&1
expect "make install PREFIX=<tmp prefix>" test $? -eq 0 || cat "$tmp/make2.log"
got=$(cd / && printf 'labs\n' | "$prefix/bin/nslab" --script - 2>/dev/null | listed_labs)
expect "the installed binary finds its labs with no flag and no NSLAB_LAB_PATH" test "$got" = "$want_labs"
# The helper is found through the compiled-in lab dir as well.
expect "helper nslab-escape is in the compiled-in lab dir" test -x "$prefix/lib/nslab/labs/nslab-escape"
make -s B="$tmp/build-prefix" PREFIX="$prefix" uninstall >/dev/null 2>&1
left=$(find "$prefix" -type f)
expect "make uninstall removes every installed file${left:+ (left: $left)}" test -z "$left"

# --- 3. the man page ---------------------------------------------------
if command -v man >/dev/null; then
	warn=$(MANWIDTH=80 man --warnings -l scripts/nslab.1 2>&1 >/dev/null)
	expect "man -l scripts/nslab.1 renders without warnings${warn:+: $warn}" test -z "$warn"
	wide=$(MANWIDTH=80 man -l scripts/nslab.1 2>/dev/null | awk 'length > 80' | head -3)
	expect "the man page fits 80 columns${wide:+: $wide}" test -z "$wide"
else
	ok "# SKIP man is not installed"
fi

finish
