#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-example-lab.sh: the README's "Writing a lab" example, exactly as
# printed (the block between <!-- example-lab --> and <!-- /example-lab -->),
# builds out of the tree against a staged install (DESTDIR=<tmp> PREFIX=/usr)
# through its nslab-lab.pc with -Wall -Wextra -Werror (it includes both
# installed headers, nslab-lab.h and nslab-lab-util.h, which includes its
# parts, nslab-lab-util-*.h, installed beside it), and the installed
# nslab loads it with --lab-path; as root it is also walked: start, check,
# its command `rename` (twice: the second says it is done already), check,
# reset, do, check, stop. A small program also checks the helpers of
# nslab-lab-util.h out of the tree. Everything lives in one mktemp -d dir, removed at the end.
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
expect "the helpers' header is installed as include/nslab/nslab-lab-util.h" \
	test -f "$stage/usr/include/nslab/nslab-lab-util.h"
# nslab-lab-util.h is one header a topic (#include "nslab-lab-util-*.h"):
# each is installed beside it, and nothing else is.
parts=$(sed -n 's/^#include "\(nslab-lab-util-[a-z-]*\.h\)"$/\1/p' src/nslab-lab-util.h)
expect "nslab-lab-util.h includes its parts (${parts//$'\n'/ })" test -n "$parts"
# shellcheck disable=SC2086 # one name a word
for f in nslab-lab.h nslab-lab-util.h $parts; do
	expect "installed $f is src/$f" cmp -s "$stage/usr/include/nslab/$f" "src/$f"
done
# shellcheck disable=SC2086
want_h=$(printf '%s\n' nslab-lab.h nslab-lab-util.h $parts | sort)
got_h=$(find "$stage/usr/include/nslab" -type f -printf '%f\n' | sort)
expect "include/nslab/ holds those headers and no other" test "$got_h" = "$want_h" || echo "$got_h"
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
expect "the example includes both headers" grep -q '^#include "nslab-lab-util.h"' "$src"
# out of the tree: no -I into this checkout, only what pkg-config says
# shellcheck disable=SC2086
(cd "$tmp/out-of-tree" && cc $cflags -Wall -Wextra -Werror -shared -fPIC -o "$tmp/labs/demo.so" demo.c) \
	>"$tmp/cc.log" 2>&1
expect "the README example compiles as printed with -Wall -Wextra -Werror" test $? -eq 0 || cat "$tmp/cc.log"
chmod 644 "$tmp/labs/demo.so" 2>/dev/null

# The installed nslab-lab-util.h's helpers, out of the tree with the same
# flags, against what the shell reads itself: a process whose name holds
# ") (" (the /proc/PID/stat parser must find the last ')').
cat >"$tmp/out-of-tree/util.c" <<'C'
#define _GNU_SOURCE
#include "nslab-lab.h"
#include "nslab-lab-util.h"
#include <stdlib.h>

int main(int argc, char **argv)
{
	static const int seven[7];
	struct nslab_proc_stat st;
	char cg[4096];
	pid_t pid = argc > 1 ? (pid_t)atoi(argv[1]) : 0;
	if (nslab_proc_stat(pid, &st) < 0 || nslab_proc_cgroup(pid, cg, sizeof(cg)) < 0)
		return 1;
	printf("ppid %d\nstate %c\ncgroup %s\narray %zu\n", (int)st.ppid, st.state, cg, NSLAB_ARRAY_SIZE(seven));
	printf("opt %d%d%d%d\n", nslab_opt_has("rw,cpu,cpuacct", "cpu"), nslab_opt_has("rw,cpuset", "cpu"),
	       nslab_opt_has("cpu", "cpu"), nslab_opt_has("", "cpu"));
	printf("same %d%d\n", nslab_same_file("/", "/."), nslab_same_file("/", "/proc"));
	return 0;
}
C
# shellcheck disable=SC2086
(cd "$tmp/out-of-tree" && cc $cflags -Wall -Wextra -Werror -o "$tmp/util" util.c) >"$tmp/cc-util.log" 2>&1
expect "a program using nslab-lab-util.h compiles with -Wall -Wextra -Werror" test $? -eq 0 ||
	cat "$tmp/cc-util.log"
cp "$(command -v sleep)" "$tmp/a) b (c"
"$tmp/a) b (c" 30 &
odd=$!
sleep 0.2
got=$("$tmp/util" "$odd" 2>&1)
# the cpu hierarchy's line of /proc/PID/cgroup, else the v2 "0::" line
want_cg=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ { print substr($0, length($1 $2) + 3); v1 = 1; exit }
	$2 == "" { v2 = substr($0, length($1) + 3) } END { if (!v1) print v2 }' "/proc/$odd/cgroup")
expect "nslab_proc_stat reads the ppid after a name with ') ('" grep -qx "ppid $$" <<<"$got" || echo "$got"
expect "nslab_proc_stat reads the state (S: sleeping)" grep -qx "state S" <<<"$got" || echo "$got"
expect "nslab_proc_cgroup names the cpu hierarchy's cgroup ($want_cg)" grep -qxF "cgroup $want_cg" <<<"$got" ||
	echo "$got"
kill "$odd" 2>/dev/null
wait "$odd" 2>/dev/null
expect "NSLAB_ARRAY_SIZE counts elements" grep -qx "array 7" <<<"$got"
expect "nslab_opt_has matches whole options only" grep -qx "opt 1010" <<<"$got" || echo "$got"
expect "nslab_same_file compares device and inode" grep -qx "same 10" <<<"$got" || echo "$got"
chmod 755 "$tmp/labs"

nslab=$stage/usr/bin/nslab
out=$(printf 'labs\n' | "$nslab" --lab-path "$tmp/labs" --script - 2>&1)
expect "the installed nslab lists the example with --lab-path" grep -Eq '^  demo +[0-9]+/1 ' <<<"$out" ||
	echo "$out"
expect "and skips nothing" test -z "$(grep skipping <<<"$out")"

if [ "$(id -u)" -eq 0 ]; then
	out=$(printf 'start demo\ncheck\nrename\nrename\ncheck\nreset\ndo\ncheck\nstop\n' |
		"$nslab" --lab-path "$tmp/labs" --script - 2>&1)
	expect "start demo: the lab starts" grep -q 'demo' <<<"$out" || echo "$out"
	expect "check before do: not yet, naming what is missing" grep -q "hostname is not 'demo' yet" <<<"$out" ||
		echo "$out"
	expect "rename (h->do_once) prints the syscall it traced" grep -qx 'sethostname("demo", 4) = 0' <<<"$out" ||
		echo "$out"
	expect "rename again: already done" grep -qx 'the lab is called demo already' <<<"$out" || echo "$out"
	expect "rename, then check: ok; reset, do, then check: ok" \
		test "$(grep -c '^check: ok' <<<"$out")" -eq 2 || echo "$out"
	expect "the host's hostname is untouched" test "$(hostname)" != demo
	left=$("$nslab" --cleanup 2>&1 | grep -v '^nothing to clean up')
	expect "stop left nothing for --cleanup${left:+ ($left)}" test -z "$left"
else
	ok "# SKIP walking the example needs root (CLONE_NEWUTS)"
fi

make -s B="$tmp/build" PREFIX=/usr DESTDIR="$stage" uninstall >/dev/null 2>&1
left=$(find "$stage/usr/include" "$stage/usr/share/pkgconfig" -type f 2>/dev/null)
expect "make uninstall removes the headers and nslab-lab.pc${left:+ (left: $left)}" test -z "$left"

finish
