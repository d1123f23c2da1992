#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-provision.sh: scripts/provision.sh (what the Vagrant box runs) is
# clean under shellcheck, runs cleanly in a throwaway clone with a throwaway
# prefix, and is idempotent: a second run rebuilds nothing and changes no
# installed file.
# The Vagrantfile is validated when vagrant is installed. Run by
# `make install-test`; needs no network when the packages are installed.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
unset NSLAB_LAB_PATH
cd "$TOP" || exit 1
tmp=$(mktemp -d /tmp/nslab-provision.XXXXXX)
trap 'rm -rf "$tmp" "$XDG_STATE_HOME"' EXIT

expect "shellcheck scripts/provision.sh scripts/install-deps.sh" \
	shellcheck scripts/provision.sh scripts/install-deps.sh
if command -v vagrant >/dev/null; then
	expect "vagrant validate scripts/vagrant/Vagrantfile" \
		sh -c 'cd scripts/vagrant && vagrant validate >/dev/null'
else
	ok "# SKIP vagrant is not installed (Vagrantfile not validated)"
fi

# A clone of the committed tree, with the working copies of the two scripts
# under test, so that edits are tested before they are committed.
git clone -q "$TOP" "$tmp/src" || { not_ok "git clone"; finish; exit; }
cp scripts/provision.sh scripts/install-deps.sh "$tmp/src/scripts/"
prefix=$tmp/prefix
provision() { (cd / && PREFIX=$prefix NSLAB_SRC='' "$tmp/src/scripts/provision.sh") >"$tmp/$1.log" 2>&1; }
# Every installed file with its content hash and mode.
snapshot() { (cd "$prefix" && find . -type f -exec sha256sum {} + | sort -k2 && find . -printf '%m %p\n' | sort); }

provision run1
expect "first run succeeds" test $? -eq 0 || tail -n 30 "$tmp/run1.log"
expect "first run says how to start nslab" grep -q "sudo $prefix/bin/nslab" "$tmp/run1.log"
expect "first run installed the binary and the labs" \
	test -x "$prefix/bin/nslab" -a -n "$(ls "$prefix"/lib/nslab/labs/*.so 2>/dev/null)"
got=$(cd / && printf 'labs\n' | "$prefix/bin/nslab" --script - 2>/dev/null | grep -c '^  [a-z]')
expect "the provisioned nslab finds its $got labs by itself" test "$got" -eq "$(find labs -maxdepth 1 -name '*.c' | wc -l)"
snapshot >"$tmp/snap1"
bin_mtime=$(stat -c %Y "$tmp/src/build/nslab")

sleep 1 # so that a rebuild would show in the mtime
provision run2
expect "second run succeeds" test $? -eq 0 || tail -n 30 "$tmp/run2.log"
expect "second run installs no packages" grep -q "everything is installed" "$tmp/run2.log"
expect "second run rebuilds nothing" grep -q "Nothing to be done for 'all'" "$tmp/run2.log"
expect "second run leaves build/nslab as it was" test "$(stat -c %Y "$tmp/src/build/nslab")" = "$bin_mtime"
snapshot >"$tmp/snap2"
expect "second run leaves every installed file as it was" cmp -s "$tmp/snap1" "$tmp/snap2" ||
	diff "$tmp/snap1" "$tmp/snap2" | head
expect "the clone has no stray files (git status is clean)" \
	test -z "$(git -C "$tmp/src" status --porcelain --untracked-files=all -- . ':!scripts/provision.sh' ':!scripts/install-deps.sh')"

# A staged install (DESTDIR) works from the same tree.
(cd / && PREFIX=/usr DESTDIR=$tmp/stage NSLAB_SRC=$tmp/src "$tmp/src/scripts/provision.sh") >"$tmp/run3.log" 2>&1
expect "a DESTDIR run for another prefix rebuilds and stages under DESTDIR" \
	test $? -eq 0 -a -x "$tmp/stage/usr/bin/nslab" -a -f "$tmp/stage/usr/lib/nslab/labs/uts.so"
expect "it says how to start nslab" grep -q "sudo nslab" "$tmp/run3.log"

(cd / && NSLAB_SRC=$tmp "$tmp/src/scripts/provision.sh") >"$tmp/run4.log" 2>&1
expect "a run without a source tree fails with a reason" \
	test $? -ne 0 -a -n "$(grep 'no nslab source tree' "$tmp/run4.log")"

finish
