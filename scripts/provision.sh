#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# provision.sh: makes a machine ready for an nslab workshop. Installs what a
# workshop machine needs (`scripts/install-deps.sh --workshop`: what builds
# nslab and what the labs' tasks call, not `make deps`'s test tools), builds
# nslab and its labs, installs them, and says how to start. The Vagrant box runs it as root; it works on any Debian or
# Ubuntu machine too. Safe to run again: every step does only what is
# missing, and a second run changes nothing.
#
#   sudo scripts/provision.sh                 installs into /usr/local
#   PREFIX=/opt/nslab scripts/provision.sh    another prefix
#   DESTDIR=/tmp/stage scripts/provision.sh   staged (packaging, tests)
#   NSLAB_SRC=/path/to/nslab provision.sh     when run from a copy elsewhere
#   NSLAB_OFFLINE=1 provision.sh              no network: every package must be there
set -euo pipefail

PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
src=${NSLAB_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

say() { printf 'provision: %s\n' "$*"; }

if [ ! -f "$src/Makefile" ] || [ ! -f "$src/src/nslab-lab.h" ]; then
	say "no nslab source tree at $src (set NSLAB_SRC)" >&2
	exit 1
fi
cd "$src"

# 1. Packages: `make deps`'s list less the test tools; installs only what is missing.
say "checking packages"
scripts/install-deps.sh --workshop

# 2. Build. The lab directory is compiled into the binary, so a tree that
# was built for another prefix is rebuilt from scratch.
stamp=build/.provision-prefix
if [ -f "$stamp" ] && [ "$(cat "$stamp")" != "$PREFIX" ]; then
	say "build/ was made for prefix $(cat "$stamp"), rebuilding for $PREFIX"
	make --no-print-directory clean
fi
say "building"
make --no-print-directory -j"$(nproc)" PREFIX="$PREFIX" all
echo "$PREFIX" >"$stamp"
# Run as root on a tree owned by someone else (the Vagrant box, sudo): give
# build/ back to the tree's owner so that a later plain `make` works.
owner=$(stat -c %u:%g .)
if [ "$(id -u)" -eq 0 ] && [ "$owner" != 0:0 ]; then
	chown -R "$owner" build
fi

# 3. Install (install(1) overwrites in place, so this is repeatable).
say "installing into ${DESTDIR}${PREFIX}"
make --no-print-directory PREFIX="$PREFIX" DESTDIR="$DESTDIR" install

# 4. A smoke test of what was installed: the binary runs and finds its labs.
bin=${DESTDIR}${PREFIX}/bin/nslab
labdir=${DESTDIR}${PREFIX}/lib/nslab/labs
"$bin" --version
nlabs=$(printf 'labs\n' | "$bin" --lab-path "$labdir" --script - 2>/dev/null | grep -c '^  [a-z]' || true)
if [ "$nlabs" -eq 0 ]; then
	say "the installed nslab finds no labs in $labdir" >&2
	exit 1
fi
say "installed nslab with $nlabs labs"

# 5. How to start.
cgv2=no
[ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] && cgv2=yes
# sudo's secure_path has /usr/local/bin and /usr/bin; other prefixes need the path.
cmd="sudo ${PREFIX}/bin/nslab"
case $PREFIX in /usr | /usr/local) cmd="sudo nslab" ;; esac
cat <<EOF

nslab is ready ($nlabs labs; cgroup v2 only: $cgv2).
Start it with:

    $cmd

then type 'labs' to see the labs and 'start chroot' to begin.
'sudo nslab --cleanup' removes what a killed session left behind.
EOF
if [ "$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null)" = 1 ]; then
	echo "Note: AppArmor denies unprivileged user namespaces here, so the 'user' lab is"
	echo "unavailable; 'sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0' allows them."
fi
if [ -n "$DESTDIR" ]; then
	echo "(staged under DESTDIR=$DESTDIR: run it as $bin --lab-path $labdir)"
fi
