#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-layout.sh: what `make install` puts where, and that an installed nslab
# finds its labs. Two installs from private build dirs (so build/ is left
# alone, and each binary has its own prefix compiled in):
#   1. staged, as a package would: DESTDIR=<tmp> PREFIX=/usr
#   2. real, into a throwaway prefix: PREFIX=<tmp>/prefix, no DESTDIR
# Also: nslab.1 renders without man warnings, and so does the Korean page
# (share/man/ko/man1/nslab.1, made with po4a). Run by `make install-test`.
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
# the plugin headers: nslab-lab.h, nslab-lab-util.h and its parts (nslab-lab-util-*.h)
missing=$(for h in src/nslab-lab*.h; do [ -f "$stage/usr/include/nslab/${h#src/}" ] || echo "${h#src/}"; done)
expect "include/nslab/ holds the $(echo src/nslab-lab*.h | wc -w) plugin headers${missing:+ (missing: $missing)}" \
	test -z "$missing"
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

# --- 4. the Korean man page (po4a: scripts/po/man/ko.po) -----------------
# From the staged install of part 1: rendered with no groff or man warning,
# within 80 columns (display width: a syllable is two), in Korean, with
# every option of the English page and the same SYNOPSIS, and what `man
# nslab` shows from that prefix under a Korean locale (English under C).
ko=$stage/usr/share/man/ko/man1/nslab.1
ko_locale=$(locale -a 2>/dev/null | grep -ix 'ko_KR\.utf-\?8' | head -1)
if ! command -v po4a >/dev/null; then
	not_ok "po4a is installed (make deps): without it make leaves out share/man/ko/man1/nslab.1"
elif [ -z "$ko_locale" ]; then
	not_ok "the ko_KR.UTF-8 locale exists (make deps generates it)"
elif ! command -v man >/dev/null; then
	ok "# SKIP man is not installed"
else
	expect "Korean man page share/man/ko/man1/nslab.1" test -f "$ko"
	warn=$(groff -K utf8 -Tutf8 -man -ww -z "$ko" 2>&1)
	expect "groff -ww renders the Korean page without warnings${warn:+: $warn}" test -z "$warn"
	# (common.sh sets LC_MESSAGES=C, which man would take for the language)
	render() { env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=ko_KR.UTF-8 MANWIDTH=80 man --warnings -l "$1"; }
	warn=$(render "$ko" 2>&1 >/dev/null)
	expect "man -l renders it under LANG=ko_KR.UTF-8 without warnings${warn:+: $warn}" test -z "$warn"
	width=$(render "$ko" 2>/dev/null | LC_ALL=$ko_locale wc -L)
	expect "it fits 80 columns (widest line: $width)" test "$width" -le 80
	hangul=$(render "$ko" 2>/dev/null | LC_ALL=$ko_locale grep -c '[가-힣]')
	expect "it is in Korean ($hangul lines with Hangul)" test "$hangul" -gt 100
	# Every --option the English page names, in the Korean one too (roff
	# font escapes and backslashes taken out first: \fB\-\-plain\fP).
	opts() { sed 's/\\f[BIRP]//g; s/\\//g' "$1" | grep -o -- '--[a-z][a-z-]*[a-z]' | sort -u; }
	lost=$(comm -23 <(opts scripts/nslab.1) <(opts "$ko") | tr '\n' ' ')
	expect "every --option of scripts/nslab.1 is in the Korean page${lost:+ (missing: $lost)}" test -z "$lost"
	synopsis() { render "$1" 2>/dev/null | sed -n "/^$2\$/,/^$3\$/p" | sed '1d;$d'; }
	syn_en=$(synopsis scripts/nslab.1 SYNOPSIS DESCRIPTION)
	syn_ko=$(synopsis "$ko" 사용법 설명)
	if [ -n "$syn_en" ] && [ "$syn_en" = "$syn_ko" ]; then
		ok "its SYNOPSIS (사용법) is the English one, option for option"
	else
		not_ok "its SYNOPSIS (사용법) is the English one, option for option"
		show_diff "$syn_en" "$syn_ko"
	fi
	man_in() { env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG="$1" MANPATH="$stage/usr/share/man" man nslab 2>/dev/null | sed -n 3p; }
	head_ko=$(man_in ko_KR.UTF-8)
	head_c=$(man_in C)
	expect "\`man nslab\` from the prefix: Korean under ko_KR.UTF-8 ($head_ko), English under C ($head_c)" \
		test "$head_ko" = "이름" -a "$head_c" = NAME
fi

finish
