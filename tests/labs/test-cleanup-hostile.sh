#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-cleanup-hostile.sh: `nslab --cleanup` as root undoes only nslab's own
# objects (issue 9: D1, D5, D6, D7, D10). Root; run it through
# tests/run-suite.sh (it holds the suite's flock).
#
# - D1: as nobody, plant run dirs and registries (old /tmp/nslab-<N>, a
#   symlinked one, one in root's /tmp/nslab-0 and nobody's own base) naming a
#   throwaway root-owned file, a directory behind a symlink, a sleep owned by
#   nobody, a cgroup outside nslab/, a mount entry `/` and a real mount, a link
#   and a netns; then root runs `nslab --cleanup`: every one is untouched. The
#   same entries in a registry of root's own (a dead root run in /run/nslab)
#   are each refused in one line, and untouched too.
# - D5: a live copy of nslab named nslab-dev keeps its cgroups and processes
#   through another `nslab --cleanup`.
# - D6: a SIGKILLed nslab that its parent has not reaped (a zombie) is dead:
#   `--cleanup` removes what it left.
# - D7: an nslab that gets the PID of a dead run (PID 2 in a fresh PID
#   namespace) replays that run's registry before making its own run dir.
# - D10: another user's /tmp/nslab-<pid> does not stop an unprivileged run;
#   another user's /tmp/nslab-65534 is refused in one line naming it.
# - D15: the start-up "[Y/n]" question does not swallow what is typed after
#   the answer (a non-canonical pty delivers "y\nlabs\nquit\n" in one read).
# The whole --cleanup runs in a private mount namespace (a `mount /` entry
# must not be able to hurt the host even with an nslab that has the bug).
# shellcheck disable=SC1091,SC2016 # SC2016: sh -c scripts take "$1"...
. "$(dirname "$0")/../lib/common.sh"
require_nslab

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null || ! command -v unshare >/dev/null; then
	echo "# skipped: needs root, setpriv and unshare"
	exit 0
fi

W=$(mktemp -d /tmp/hostile-test.XXXXXX)
chmod 0755 "$W"
CG=
for h in pids memory cpu unified; do
	[ -d "/sys/fs/cgroup/$h" ] && grep -q " /sys/fs/cgroup/$h cgroup" /proc/self/mounts && { CG=/sys/fs/cgroup/$h; break; }
done
[ -n "$CG" ] || { grep -q ' /sys/fs/cgroup cgroup2' /proc/self/mounts && CG=/sys/fs/cgroup; }
SLEEP_PID='' PLANTED=() LINK='' NETNS='' NETNS_DIR_MADE='' PARENT='' DEV_PID=''

cleanup() {
	[ -n "$SLEEP_PID" ] && kill -9 "$SLEEP_PID" 2>/dev/null
	[ -n "$PARENT" ] && kill -9 "$PARENT" 2>/dev/null
	[ -n "$DEV_PID" ] && kill -9 "$DEV_PID" 2>/dev/null
	local d
	for d in "${PLANTED[@]}"; do rm -rf "$d"; done
	[ -n "$CG" ] && rmdir "$CG/hostile-test" 2>/dev/null
	[ -n "$LINK" ] && ip link delete "$LINK" 2>/dev/null
	[ -n "$NETNS" ] && rm -f "/run/netns/$NETNS"
	[ -n "$NETNS_DIR_MADE" ] && rmdir /run/netns 2>/dev/null
	rm -rf "$W" "$XDG_STATE_HOME"
	"$NSLAB" --cleanup >/dev/null 2>&1
	rmdir /tmp/nslab-65534 /tmp/nslab-0 2>/dev/null
}
trap cleanup EXIT

nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
start_of() { awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$1/stat"; } # field 22
# a PID no process has: 1000 above the last one made, not running
free_pid() { local p=$((RANDOM % 100000 + 400000)); while [ -d "/proc/$p" ]; do p=$((p + 1)); done; echo "$p"; }

# Anything an earlier run left behind is not ours to judge: clear it first.
"$NSLAB" --cleanup >/dev/null 2>&1
before=$(host_state)

# --- the objects a hostile registry names ---------------------------------
ROOTFILE=$W/root-only-file
echo secret >"$ROOTFILE"
chmod 0600 "$ROOTFILE"
mkdir -p "$W/realdir/sub"
echo keep >"$W/realdir/sub/keep"
setpriv --reuid=65534 --regid=65534 --clear-groups sleep 600 & # not through the function: $! must be the sleep
SLEEP_PID=$!
sleep 0.2
SLEEP_START=$(start_of "$SLEEP_PID")
if [ -n "$CG" ]; then
	mkdir -p "$CG/hostile-test"
	echo "$SLEEP_PID" >"$CG/hostile-test/cgroup.procs" 2>/dev/null
fi
if ip link add hostile0 type dummy 2>/dev/null; then LINK=hostile0; fi
# a namespace file name that is not nslab's (a plain file: `ip netns add` would
# leave /run/netns mounted on itself)
[ -d /run/netns ] || { mkdir /run/netns && NETNS_DIR_MADE=1; }
if : >/run/netns/hostile-test; then NETNS=hostile-test; fi
mkdir -p "$W/mnt"

# entries DIR: every kind of hostile entry, pointing out of DIR
entries() {
	printf 'file\t%s\n' "$ROOTFILE"
	printf 'dir\t%s\n' "$1/link/sub" "$W/realdir"
	printf 'file\t%s\n' "$1/link/sub/keep"
	printf 'process\t%s\n' "$SLEEP_PID" "$SLEEP_PID:$((SLEEP_START + 1))" "-$SLEEP_PID:$SLEEP_START"
	[ -n "$CG" ] && printf 'cgroup\t%s\n' "$CG/hostile-test" "$CG/nslab/../hostile-test"
	printf 'mount\t%s\n' / "$W/mnt" "$1/../../..$W/mnt"
	printf 'link\t%s\n' "${LINK:-hostile0}" hostile-none lo
	printf 'netns\t%s\n' "/run/netns/${NETNS:-hostile-test}" "$1/link/sub/keep"
	printf 'dir\t%s\n' "$1/../../..$W/realdir"
}
# plant_as_nobody DIR: a run dir of nobody's, a dead owner, hostile entries.
plant_as_nobody() {
	local d=$1 pid=${1##*[-/]}
	nobody mkdir -p "$d" && nobody chmod 0700 "$d" &&
		nobody ln -sfn "$W/realdir" "$d/link" &&
		printf '%s 1\n' "$pid" | nobody tee "$d/owner" >/dev/null &&
		entries "$d" | nobody tee "$d/registry" >/dev/null
}

P1=$(free_pid)
OLD=/tmp/nslab-$P1 # old layout, nobody's
PLANTED+=("$OLD")
plant_as_nobody "$OLD" || not_ok "nobody could not plant $OLD"
P2=$((P1 + 1))
while [ -d "/proc/$P2" ]; do P2=$((P2 + 1)); done
LINKED=/tmp/nslab-$P2 # a symlink to a dir with a registry
PLANTED+=("$LINKED" "$W/linked-target")
mkdir -m 0700 "$W/linked-target"
entries "$W/linked-target" >"$W/linked-target/registry"
printf '%s 1\n' "$P2" >"$W/linked-target/owner"
nobody ln -s "$W/linked-target" "$LINKED"
ROOTBASE=/tmp/nslab-0 # root's per-user base, pre-made by nobody
PLANTED+=("$ROOTBASE")
if [ ! -e "$ROOTBASE" ]; then plant_as_nobody "$ROOTBASE/$P1"; fi
OWNBASE=/tmp/nslab-65534 # nobody's own base (root never replays it)
PLANTED+=("$OWNBASE")
plant_as_nobody "$OWNBASE/$P1"
# root's own registry, in a dead root run's dir: each entry refused
P3=$((P2 + 1))
while [ -d "/proc/$P3" ]; do P3=$((P3 + 1)); done
ROOTRUN=/run/nslab/$P3
PLANTED+=("$ROOTRUN")
mkdir -p /run/nslab && mkdir -m 0700 "$ROOTRUN" && ln -s "$W/realdir" "$ROOTRUN/link"
printf '%s 1\n' "$P3" >"$ROOTRUN/owner"
entries "$ROOTRUN" >"$ROOTRUN/registry"
# the same in this build's layout: a registry file beside the run dir,
# its owner line first
P5=$((P3 + 1))
while [ -d "/proc/$P5" ]; do P5=$((P5 + 1)); done
ROOTREG=/run/nslab/$P5
PLANTED+=("$ROOTREG" "$ROOTREG.registry")
mkdir -m 0711 "$ROOTREG" && ln -s "$W/realdir" "$ROOTREG/link"
{ printf 'owner %s 1\n' "$P5"; entries "$ROOTREG"; } >"$ROOTREG.registry"
chmod 0600 "$ROOTREG.registry"
# a registry file of nobody's in root's base (root put it there): not root's
P6=$((P5 + 1))
while [ -d "/proc/$P6" ]; do P6=$((P6 + 1)); done
NOBODYREG=/run/nslab/$P6.registry
PLANTED+=("$NOBODYREG")
{ printf 'owner %s 1\n' "$P6"; entries /run/nslab/$P6; } >"$NOBODYREG"
chmod 0600 "$NOBODYREG" && chown 65534:65534 "$NOBODYREG"
# all refused but the PID with a wrong start time: someone else's now, spared silently
nentries=$((2 * ($(entries "$ROOTRUN" | wc -l) - 1)))

# --- root's --cleanup, in a mount namespace of its own ---------------------
OUT=$W/cleanup.out
unshare --mount --propagation private bash -c '
	mount -t tmpfs hostile "$1/mnt" || exit 3
	"$2" --cleanup >"$3" 2>&1
	echo "status $?" >>"$3"
	mountpoint -q "$1/mnt" && echo "mount still there" >>"$3"
	mountpoint -q / && echo "root still there" >>"$3"
	[ -e /proc/self ] && echo "proc still there" >>"$3"
	umount "$1/mnt"' _ "$W" "$NSLAB" "$OUT"
sed 's/^/#   | /' "$OUT"

expect "D1: the root-owned file named by the registries is still there" test -s "$ROOTFILE"
expect "D1: the directory behind a symlink is still there" test -s "$W/realdir/sub/keep"
expect "D1: nobody's sleep is alive" kill -0 "$SLEEP_PID"
if [ -n "$CG" ]; then
	expect "D1: the cgroup outside nslab/ is still there, with the sleep in it" \
		grep -qx "$SLEEP_PID" "$CG/hostile-test/cgroup.procs"
fi
expect "D1: \`mount /\` and a mount outside the run dir were not undone" \
	grep -q "mount still there" "$OUT"
expect "D1: / is still mounted after --cleanup" grep -q "root still there" "$OUT"
if [ -n "$LINK" ]; then expect "D1: link $LINK is still there" ip link show "$LINK"; fi
if [ -n "$NETNS" ]; then expect "D1: netns $NETNS is still there" test -e "/run/netns/$NETNS"; fi
expect "D1: nobody's old-layout run dir was not replayed or removed" test -s "$OLD/registry"
expect "D1: a symlinked run dir was not followed" test -s "$W/linked-target/registry"
expect "D1: nobody's run dir in /tmp/nslab-65534 was not replayed" test -s "$OWNBASE/$P1/registry"
expect "D1: a /tmp/nslab-0 made by nobody was not replayed" test -e "$ROOTBASE"
expect "D1: a registry file of nobody's in /run/nslab was not replayed or removed" test -s "$NOBODYREG"
refused=$(grep -c "^nslab: refused: " "$OUT")
if [ "$refused" -eq "$nentries" ]; then
	ok "D1: each of root's own $nentries hostile entries (two registries, each layout) was refused in one line"
else
	not_ok "D1: $refused of $nentries entries of root's registries refused"
fi
removed=$(grep '^removed' "$OUT" | grep -v "^removed work dir $ROOTRUN\$" | grep -v "^removed work dir $ROOTREG\$")
if [ -n "$removed" ]; then
	not_ok "D1: --cleanup removed something: $(tr '\n' '|' <<<"$removed")"
else
	ok "D1: --cleanup removed nothing but the dead root run's own dir"
fi
expect "D1: the dead root run's dir itself went" test ! -e "$ROOTRUN"
expect "D1: the dead root run of this layout went, its dir and its registry file" \
	test ! -e "$ROOTREG" -a ! -e "$ROOTREG.registry"

# --- D5: a renamed live copy keeps its cgroups and processes ------------------
cp "$NSLAB" "$W/nslab-dev"
mkfifo "$W/dev.in"
"$W/nslab-dev" --script - <"$W/dev.in" >"$W/dev.out" 2>&1 &
DEV_PID=$!
exec 8>"$W/dev.in"
printf 'start cpu\ndo\nnext\ndo\nnext\nhost echo DEV-READY\n' >&8
for ((i = 0; i < 150; i++)); do grep -q '^DEV-READY' "$W/dev.out" && break; sleep 0.1; done
dev_cgs=$(find /sys/fs/cgroup -type d -path "*/nslab/$DEV_PID" 2>/dev/null)
dev_kids=$(pgrep -P "$DEV_PID" | tr '\n' ' ')
if [ -z "$dev_cgs" ] || [ -z "$dev_kids" ]; then
	not_ok "D5: nslab-dev made no cgroup or process (cgroups: ${dev_cgs:-none}, children: ${dev_kids:-none})"
	sed 's/^/#   | /' "$W/dev.out" | tail -5
fi
"$NSLAB" --cleanup >"$W/d5.out" 2>&1
alive=1
for p in $DEV_PID $dev_kids; do kill -0 "$p" 2>/dev/null || alive=0; done
gone_cgs=0
for c in $dev_cgs; do [ -d "$c" ] || gone_cgs=$((gone_cgs + 1)); done
if [ "$alive" -eq 1 ] && [ "$gone_cgs" -eq 0 ] && [ -n "$dev_cgs" ]; then
	ok "D5: another --cleanup left nslab-dev's processes and cgroups alone"
else
	not_ok "D5: nslab-dev alive=$alive, $gone_cgs cgroups removed; --cleanup said: $(tr '\n' '|' <"$W/d5.out")"
fi
printf 'quit\n' >&8
exec 8>&-
wait "$DEV_PID" 2>/dev/null
DEV_PID=
expect "D5: nslab-dev removed its cgroups when it quit" test -z "$(for c in $dev_cgs; do [ -d "$c" ] && echo "$c"; done)"

# --- D6: a zombie owner is dead ---------------------------------------------
mkfifo "$W/z.in"
# the parent forks nslab, then becomes a sleep that never reaps it
sh -c '"$1" --script - <"$2" >"$3" 2>&1 & exec sleep 600' _ "$NSLAB" "$W/z.in" "$W/z.out" &
PARENT=$!
exec 8>"$W/z.in"
printf 'start cpu\ndo\nnext\ndo\nnext\nhost echo Z-READY\n' >&8
for ((i = 0; i < 150; i++)); do grep -q '^Z-READY' "$W/z.out" 2>/dev/null && break; sleep 0.1; done
ZPID=$(pgrep -P "$PARENT" | head -n1)
if [ -n "$ZPID" ]; then
	kill -9 "$ZPID"
	for ((i = 0; i < 50; i++)); do [ "$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$ZPID/stat" 2>/dev/null)" = Z ] && break; sleep 0.1; done
	expect "D6: the killed nslab is an unreaped zombie" test "$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$ZPID/stat" 2>/dev/null)" = Z
	"$NSLAB" --cleanup >"$W/d6.out" 2>&1
	zcgs=$(find /sys/fs/cgroup -type d -path "*/nslab/$ZPID" 2>/dev/null)
	if grep -q "^removed work dir /run/nslab/$ZPID" "$W/d6.out" && [ ! -e "/run/nslab/$ZPID" ] && [ -z "$zcgs" ]; then
		ok "D6: --cleanup removed what the zombie nslab left (run dir, cgroups)"
	else
		not_ok "D6: --cleanup with a zombie owner said: $(tr '\n' '|' <"$W/d6.out"); cgroups left: ${zcgs:-none}"
	fi
else
	not_ok "D6: nslab under a non-reaping parent did not start"
fi
exec 8>&-
kill -9 "$PARENT" 2>/dev/null
wait "$PARENT" 2>/dev/null
PARENT=

# --- D7: a dead run's dir at our own PID is replayed first ----------------
if [ -n "$CG" ] && unshare --pid --fork --mount-proc true 2>/dev/null; then
	D7=/run/nslab/2
	if [ -e "$D7" ]; then
		not_ok "D7: $D7 exists already (a leftover): not ours to plant"
	else
		PLANTED+=("$D7")
		mkdir -p /run/nslab "$CG/nslab/2/leftover"
		mkdir -m 0700 "$D7"
		printf '2 1\n' >"$D7/owner"
		printf 'cgroup\t%s\ncgroup\t%s\n' "$CG/nslab/2" "$CG/nslab/2/leftover" >"$D7/registry"
		# sh is PID 1 in the new namespace; nslab, its first child, PID 2
		printf 'labs\n' >"$W/labs.script"
		unshare --pid --fork --mount-proc sh -c '"$1" --script "$3" >"$2" 2>&1; echo "status $?" >>"$2"' \
			_ "$NSLAB" "$W/d7.out" "$W/labs.script"
		if [ ! -d "$CG/nslab/2/leftover" ] && grep -q "left by a dead run with this PID" "$W/d7.out"; then
			ok "D7: nslab at PID 2 replayed the dead run's registry (its cgroups are gone)"
		else
			not_ok "D7: the dead run's cgroup at PID 2 is still there; nslab said: $(grep -v '^  ' "$W/d7.out" | tr '\n' '|' | cut -c1-400)"
			rmdir "$CG/nslab/2/leftover" "$CG/nslab/2" 2>/dev/null
		fi
		expect "D7: and removed its own run dir on exit" test ! -e "$D7"
		rmdir "$CG/nslab" 2>/dev/null
	fi
else
	echo "# D7 skipped: no cgroup hierarchy or no PID namespaces"
fi

# --- D10: another user's /tmp/nslab-<pid> does not stop an unprivileged run ----
if unshare --pid --fork --mount-proc true 2>/dev/null; then
	PLANTED+=(/tmp/nslab-2)
	rm -rf /tmp/nslab-65534
	mkdir -m 0700 /tmp/nslab-2 # root's, where an old nslab at PID 2 wanted its run dir
	printf 'start user\nstatus\nstop\n' >"$W/user.script"
	chmod 0644 "$W/user.script"
	# nslab (through env and setpriv, which exec) is sh's first child: PID 2
	unshare --pid --fork --mount-proc sh -c '
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/nonexistent XDG_STATE_HOME="$3" NSLAB_LAB_PATH="$4" \
			setpriv --reuid=65534 --regid=65534 --clear-groups "$1" --script "$5" >"$2" 2>&1
		echo "status $?" >>"$2"' _ "$NSLAB" "$W/d10.out" "$XDG_STATE_HOME" "$NSLAB_LAB_PATH" "$W/user.script"
	if grep -q '^status 0' "$W/d10.out" && ! grep -q 'run directory\|nslab-2' "$W/d10.out"; then
		ok "D10: /tmp/nslab-2 of another user does not stop nobody's nslab at PID 2"
	else
		not_ok "D10: nobody's nslab at PID 2: $(grep -v '^  ' "$W/d10.out" | grep -E 'nslab:|status' | tr '\n' '|')"
	fi
	expect "D10: nobody's run left no /tmp/nslab-65534" test ! -e /tmp/nslab-65534
	expect "D10: root's /tmp/nslab-2 is untouched" test -d /tmp/nslab-2
	rmdir /tmp/nslab-2
	# another user owns nobody's base: refused in one line naming it
	mkdir -m 0700 /tmp/nslab-65534
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/nonexistent \
		XDG_STATE_HOME="$XDG_STATE_HOME" NSLAB_LAB_PATH="$NSLAB_LAB_PATH" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$NSLAB" --script "$W/user.script" >"$W/d10b.out" 2>&1
	if [ "$(grep -c '/tmp/nslab-65534' "$W/d10b.out")" -ge 1 ] &&
		grep -q 'refusing /tmp/nslab-65534: owned by uid 0' "$W/d10b.out"; then
		ok "D10: a /tmp/nslab-65534 of another user is refused, naming the path"
	else
		not_ok "D10: with root's /tmp/nslab-65534 nobody's nslab said: $(grep -v '^  ' "$W/d10b.out" | grep 'nslab:' | tr '\n' '|')"
	fi
	rmdir /tmp/nslab-65534
else
	echo "# D10 skipped: no PID namespaces"
fi

# --- D15: the [Y/n] offer leaves typed-ahead commands to the REPL -------------
if command -v python3 >/dev/null; then
	P4=$(free_pid)
	OFFER=/run/nslab/$P4
	PLANTED+=("$OFFER")
	mkdir -p /run/nslab && mkdir -m 0700 "$OFFER"
	printf '%s 1\n' "$P4" >"$OFFER/owner"
	: >"$OFFER/registry"
	cat >"$W/offer.py" <<'PY'
import os, pty, re, select, sys, time, tty
nslab = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    tty.setraw(0)  # non-canonical: what is typed ahead arrives in one read
    os.execv(nslab, [nslab, "--plain"])
out, end = b"", time.time() + 20
def more():
    global out
    if select.select([fd], [], [], 0.5)[0]:
        try:
            d = os.read(fd, 4096)
        except OSError:
            return False
        out += d
        return bool(d)
    return True
while b"[Y/n]" not in out and time.time() < end and more():
    pass
os.write(fd, b"y\nlabs\nquit\n")
while time.time() < end and more():
    pass
try:
    os.kill(pid, 9)  # an nslab that lost the commands waits forever
except ProcessLookupError:
    pass
os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(0 if re.search(r"uts +[0-9]+/[0-9]+", out.decode(errors="replace")) else 1)
PY
	if TERM=dumb python3 "$W/offer.py" "$NSLAB" >"$W/offer.out" 2>&1 && grep -q "removed work dir $OFFER" "$W/offer.out"; then
		ok "D15: [Y/n] answered, the commands typed after it ran (labs, quit)"
	else
		not_ok "D15: after the [Y/n] answer: $(tr '\n' '|' <"$W/offer.out" | tail -c 300)"
	fi
	# an nslab killed while waiting leaves its run dir: clear it
	"$NSLAB" --cleanup >/dev/null 2>&1
	rm -rf "$OFFER"
else
	echo "# D15 skipped: no python3 for the pty"
fi

# --- the host ----------------------------------------------------------------
kill -9 "$SLEEP_PID" 2>/dev/null
wait "$SLEEP_PID" 2>/dev/null
SLEEP_PID=
for d in "${PLANTED[@]}"; do rm -rf "$d"; done
rmdir "$CG/hostile-test" 2>/dev/null
[ -n "$LINK" ] && ip link delete "$LINK" && LINK=
[ -n "$NETNS" ] && rm -f "/run/netns/$NETNS" && NETNS=''
[ -n "$NETNS_DIR_MADE" ] && rmdir /run/netns && NETNS_DIR_MADE=
same_fingerprint "$before" "hostile registries"
finish
