#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-host-guard.sh: the host guard on the real kernel (root; run through
# tests/run-suite.sh). What a learner's own `host` commands change on the host
# (a SysV shared memory segment, a tmpfs mount, a dummy link, the hostname,
# cgroups outside nslab's tree and inside it) is named in one line each,
# undone at stop with each undo said, `keep N` leaves one and stop then does
# not claim that everything was removed; after a SIGKILL, `nslab --cleanup`
# undoes the segment, the link, the mount and the hostname from the registry.
# The same for what is typed in `shell host`. The host fingerprint is the
# same afterwards. And `trace unshare --uts true`
# shows unshare(CLONE_NEWUTS); `explain` lists it.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
require_nslab

host_name=$(hostname)
domain=$(domainname)
mnt=$(mktemp -d /tmp/nslab-guard-mnt.XXXXXX)
# a cgroup hierarchy with the cpu controller, where cgcreate -g cpu: makes one
cpu_root=
for d in /sys/fs/cgroup/cpu,cpuacct /sys/fs/cgroup/cpu /sys/fs/cgroup; do
	if [ -d "$d" ] && { [ -e "$d/cpu.shares" ] || [ -e "$d/cpu.max" ] || grep -qw cpu "$d/cgroup.controllers" 2>/dev/null; }; then
		cpu_root=$d
		break
	fi
done
outside=nslabguard-out-$$
cgroups() { [ -n "$cpu_root" ] && find "$cpu_root" -maxdepth 1 -name 'nslabguard-*' | sort; }
before=$(fingerprint)
before_cg=$(cgroups)

# --- each named, undone at stop; keep leaves one ---
script="start uts
host ipcmk -M 1000
host mount -t tmpfs nslabguard $mnt
host ip link add nslabg0 type veth peer name nslabg0p
host ip addr add 10.254.77.1/32 dev lo
host hostname nslab-guard-x
host domainname nslab-guard-d
host cgcreate -g cpu:/$outside
host cgcreate -g cpu:/nslab/\${NSLAB_CGROUP_DIR##*/}/mine
host ipcmk -M 2000
keep
status"
out=$(printf '%s\n' "$script" | nslab_script - 2>&1)
kept_line=$(grep -E 'the host changed: shared memory segment [0-9]+ \(key 0x[0-9a-f]+, 2000 bytes\) made by `host ipcmk -M 2000`' <<<"$out")
kept_n=$(sed -n 's/.*`keep \([0-9]*\)` to leave it$/\1/p' <<<"$kept_line")
kept_id=$(sed -n 's/.*shared memory segment \([0-9]*\) .*/\1/p' <<<"$kept_line")
expect "ipcmk named" grep -qE 'the host changed: shared memory segment [0-9]+ \(key 0x[0-9a-f]+, 1000 bytes\) made by `host ipcmk -M 1000`: undone at stop, `keep [0-9]+` to leave it' <<<"$out"
expect "mount named" grep -q "the host changed: a mount of tmpfs (nslabguard) on $mnt by \`host mount" <<<"$out"
expect "link named" grep -qE 'the host changed: network link nslabg0 \(ifindex [0-9]+\) made by `host ip link add' <<<"$out"
expect "address named" grep -q 'the host changed: address 10.254.77.1/32 added to link lo by `host ip addr add' <<<"$out"
expect "hostname named" grep -q "the host changed: hostname '$host_name' set to 'nslab-guard-x' by \`host hostname nslab-guard-x\`: undone at stop" <<<"$out"
if [ -n "$cpu_root" ]; then
	expect "cgroup outside nslab's tree named" grep -q "the host changed: cgroup $cpu_root/$outside made by \`host cgcreate" <<<"$out"
	expect "cgroup inside nslab's tree named, removed with the lab" grep -qE "the host changed: cgroup $cpu_root/nslab/[0-9]+/mine made by .*: removed with the lab" <<<"$out"
else
	not_ok "no cgroup hierarchy with the cpu controller found"
fi
expect "the second segment has a number to keep ($kept_n, id $kept_id)" test -n "$kept_n" -a -n "$kept_id"
# the whole session again, keeping the second segment, then stop
out=$(printf '%s\nkeep %s\nstop\nquit\n' "$script" "$kept_n" | nslab_script - 2>&1)
kept_line=$(grep -E 'the host changed: shared memory segment [0-9]+ \(key 0x[0-9a-f]+, 2000 bytes\) made' <<<"$out" | head -1)
kept_id=$(sed -n 's/.*shared memory segment \([0-9]*\) .*/\1/p' <<<"$kept_line")
expect "keep says it leaves it" grep -q "kept: shared memory segment $kept_id" <<<"$out"
expect "stop says the segment was undone" grep -qE '^undone: shared memory segment [0-9]+ \(key 0x[0-9a-f]+, 1000 bytes\)' <<<"$out"
expect "stop says the mount was undone" grep -q "^undone: a mount of tmpfs (nslabguard) on $mnt" <<<"$out"
expect "stop says the link was undone" grep -q '^undone: network link nslabg0 (' <<<"$out"
expect "stop says the address was undone" grep -q '^undone: address 10.254.77.1/32 added to link lo' <<<"$out"
expect "domainname named" grep -q "the host changed: domainname '$domain' set to 'nslab-guard-d' by" <<<"$out"
expect "stop says the hostname was undone" grep -q "^undone: hostname '$host_name' set to 'nslab-guard-x'" <<<"$out"
[ -n "$cpu_root" ] && expect "stop says the outside cgroup was undone" grep -q "^undone: cgroup $cpu_root/$outside" <<<"$out"
expect "stop says the kept one stays" grep -q "^stays on the host: shared memory segment $kept_id .*(kept)" <<<"$out"
expect "stop does not claim everything was removed" grep -q "lab 'uts' stopped; 1 thing stayed on the host" <<<"$out"
if grep -q "everything it made was removed" <<<"$out"; then not_ok "stop claimed everything was removed"; fi
expect "the kept segment is still there" grep -qw "$kept_id" /proc/sysvipc/shm
ipcrm -m "$kept_id" 2>/dev/null
expect "hostname back" test "$(hostname)" = "$host_name"
expect "domainname back" test "$(domainname)" = "$domain"
expect "no link nslabg0" test ! -e /sys/class/net/nslabg0
expect "no address 10.254.77.1 on lo" test -z "$(ip -o addr show dev lo | grep -w 10.254.77.1)"
expect "the outside cgroup is gone" test "$(cgroups)" = "$before_cg"
if grep -q "^nslab: " <<<"$out"; then
	not_ok "no errors at stop"
	grep '^nslab: ' <<<"$out" | sed 's/^/#   /'
fi
same_as_before "host fingerprint unchanged after stop"

# --- without a lab: named as undone at quit, and undone at quit ---
out=$(printf 'host ipcmk -M 1000\nhost ip link add nslabg2 type veth peer name nslabg2p\nquit\n' | nslab_script - 2>&1)
expect "without a lab: undone at quit" grep -q 'made by `host ipcmk -M 1000`: undone at quit' <<<"$out"
expect "quit says the link was undone" grep -q '^undone: network link nslabg2 (' <<<"$out"
same_as_before "host fingerprint unchanged after quit"

# --- a changed mind: the learner puts the hostname back, nothing is left to undo ---
out=$(printf 'start uts\nhost hostname nslab-guard-y\nhost hostname %s\nstop\n' "$host_name" | nslab_script - 2>&1)
expect "hostname back by hand: said, nothing to undo" grep -q "the host's hostname is '$host_name' again, as before" <<<"$out"
expect "then stop removed everything" grep -q "lab 'uts' stopped; everything it made was removed" <<<"$out"

# --- SIGKILL, then nslab --cleanup undoes them from the registry ---
sess_start
sess_send "start uts" "host ipcmk -M 1000" "host ip link add nslabg1 type veth peer name nslabg1p" \
	"host mount -t tmpfs nslabguard $mnt" "host hostname nslab-guard-z" \
	"host cgcreate -g cpu:/$outside" status
if sess_wait '^cgroup:'; then
	expect "registry holds the segment" grep -q '^ipc	shm:' /run/nslab/"$SESS_PID".registry
	expect "registry holds the link" grep -q '^hostlink	nslabg1:' /run/nslab/"$SESS_PID".registry
	killed_cleanup "host changes"
	expect "hostname back after --cleanup" test "$(hostname)" = "$host_name"
	expect "no link nslabg1 after --cleanup" test ! -e /sys/class/net/nslabg1
	expect "the outside cgroup is gone after --cleanup" test "$(cgroups)" = "$before_cg"
else
	sess_kill
	"$NSLAB" --cleanup >/dev/null 2>&1
	not_ok "the SIGKILL session did not get going"
fi

# --- shell host: what the learner types in it is compared too ---
guard_script=$(mktemp /tmp/nslab-guard-script.XXXXXX)
printf 'start uts\nshell host\nstop\n' >"$guard_script"
out=$(printf 'ipcmk -M 3000\nexit\n' | nslab_script "$guard_script" 2>&1)
rm -f "$guard_script"
expect "a segment made in \`shell host\` is named" grep -qE 'the host changed: shared memory segment [0-9]+ \(key 0x[0-9a-f]+, 3000 bytes\) made by `shell host`: undone at stop' <<<"$out"
expect "and undone at stop" grep -qE '^undone: shared memory segment [0-9]+ \(key 0x[0-9a-f]+, 3000 bytes\)' <<<"$out"

# --- trace ---
out=$(printf 'start uts\ntrace unshare --user --map-root-user true\ntrace unshare --uts true\nexplain\nstop\n' |
	nslab_script - 2>&1)
expect "trace shows the write to uid_map" grep -qE '^  write\([0-9]+</proc/[0-9]+/uid_map>, "0 0 1", 5\) = 5 ' <<<"$out"
expect "trace shows unshare(CLONE_NEWUSER)" grep -qE '^  unshare\(CLONE_NEWUSER\) = 0 ' <<<"$out"
expect "trace shows unshare(CLONE_NEWUTS)" grep -qE '^  unshare\(CLONE_NEWUTS\) = 0 ' <<<"$out"
expect "trace shows no nsenter setns" test -z "$(grep -E '^  setns\(' <<<"$out")"
expect "explain lists the last trace" grep -q 'your last `trace unshare --uts true` (at step 1) made:' <<<"$out"
out=$(printf 'trace true\n' | nslab_script - 2>&1)
expect "trace without a lab says so" grep -q 'trace needs an active lab' <<<"$out"
out=$(printf 'start uts\ntrace true\nstop\n' | PATH=/nonexistent "$NSLAB" --script - 2>&1)
expect "strace missing: names the package" grep -q 'apt-get install strace' <<<"$out"

# Belt and braces, should a check above have failed.
hostname "$host_name"
domainname "$domain"
for l in nslabg0 nslabg1 nslabg2; do ip link del "$l" 2>/dev/null; done
ip addr del 10.254.77.1/32 dev lo 2>/dev/null
umount "$mnt" 2>/dev/null
[ -n "$cpu_root" ] && rmdir "$cpu_root/$outside" 2>/dev/null
rmdir "$mnt"
same_as_before "host fingerprint unchanged at the end"
finish
