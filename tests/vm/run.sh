#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/run.sh: the cgroup labs (cpu, memory, pids) on a pure cgroup v2 kernel, under qemu.
#
# Development machines may run cgroup v1 or hybrid; workshop VMs run pure v2.
# This boots Debian's cloud kernel (fetched once with apt-get download and cached
# under build/vm/) with cgroup_no_v1=all, from an initramfs holding busybox,
# nslab, its plugins, the tests and every shared library ldd names. The
# initramfs' init (tests/vm/init) mounts cgroup2 at /sys/fs/cgroup and runs
# tests/labs/test-cpu.sh there (walk, quotas 10/30/60/150% measured from
# /proc/<pid>/stat, nslab's `usage`, the real-tool walk, SIGKILL + --cleanup),
# then test-memory.sh and test-pids.sh (the OOM kill, the refused forks) and
# the other labs of issue 13 and the capstone (overlay nsenter capabilities
# seccomp bridge container: by `do` and by hand), then powers off. init first
# moves its root onto a tmpfs (pivot_root(2) refuses the initramfs' rootfs).
# This script parses the console log: it fails if the kernel was not pure v2,
# if any test line says "not ok", or if the run did not finish.
#
#   tests/vm/run.sh           the test (a few minutes at most; KVM if usable)
#   tests/vm/run.sh --smoke   boot, print the cgroup mode, power off
#   tests/vm/run.sh --bench   run tests/bench/cpu.sh (nslab vs cgexec+stress) on v2
# Env: NSLAB_VM_TIMEOUT (s, default 1200), NSLAB_VM_ACCEL (kvm|tcg), NSLAB_VM_KEEP=1
# keeps the staging dir, NSLAB_VM_APPEND adds kernel parameters (e.g.
# "cgroup_disable=cpu --smoke" shows nslab's message for a missing controller),
# NSLAB_VM_CGROUP=v2 (default) | v1 | hybrid: the layout init mounts. v1 is the
# classic one (tmpfs at /sys/fs/cgroup, cpu and cpuacct co-mounted at cpu,cpuacct);
# hybrid adds cgroup2 at /sys/fs/cgroup/unified. Only v2 boots with cgroup_no_v1=all.
# NSLAB_VM_CGROUP=all runs the three in turn. NSLAB_VM_TESTS="cpu memory pids" (the
# default: those, overlay nsenter capabilities seccomp bridge container): which
# tests/labs/test-ID.sh the VM runs (the quota count applies with cpu).
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VM=$TOP/build/vm
MODE="test"
case "${1:-}" in
--smoke) MODE=smoke ;;
--bench) MODE=bench ;;
"") ;;
*) echo "usage: $0 [--smoke|--bench]" >&2; exit 2 ;;
esac
TIMEOUT=${NSLAB_VM_TIMEOUT:-1200}
# the cgroup labs, then the labs of issue 13 and the capstone (do and by hand, pure v2)
TESTS=${NSLAB_VM_TESTS:-cpu memory pids overlay nsenter capabilities seccomp bridge container}
LAYOUT=${NSLAB_VM_CGROUP:-v2}
if [ "$LAYOUT" = all ]; then # each layout in turn, one boot each
	rc=0
	for l in v2 hybrid v1; do NSLAB_VM_CGROUP=$l "$0" "$@" || rc=1; done
	exit "$rc"
fi
case "$LAYOUT" in
v2) NOV1="cgroup_no_v1=all" WANT_FS=cgroup2fs ;;
v1 | hybrid) NOV1="" WANT_FS=tmpfs ;;
*) echo "NSLAB_VM_CGROUP must be v2, v1 or hybrid" >&2; exit 2 ;;
esac

say() { echo "vmtest: $*"; }
die() { echo "vmtest: $*" >&2; exit 1; }

# --- the kernel: Debian's cloud flavour, cached ---
fetch_kernel() {
	[ -s "$VM/vmlinuz" ] && return 0
	command -v apt-get >/dev/null || die "no apt-get to fetch a kernel; put a bzImage at $VM/vmlinuz"
	local pkg deb
	pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	[ -n "$pkg" ] || die "apt-cache knows no linux-image-cloud-amd64 (try apt-get update)"
	mkdir -p "$VM"
	say "fetching $pkg"
	if ! ls "$VM/$pkg"_*.deb >/dev/null 2>&1; then
		(cd "$VM" && apt-get download "$pkg" >/dev/null 2>&1) || die "apt-get download $pkg failed"
	fi
	deb=$(find "$VM" -maxdepth 1 -name "${pkg}_*.deb" | head -1)
	rm -rf "$VM/kernel"
	dpkg-deb -x "$deb" "$VM/kernel"
	cp "$VM"/kernel/boot/vmlinuz-* "$VM/vmlinuz"
	rm -rf "$VM/kernel"
	say "kernel cached at $VM/vmlinuz ($(basename "$deb"))"
}

# --- the initramfs ---
STAGE=
cleanup() { [ -n "$STAGE" ] && [ "${NSLAB_VM_KEEP:-0}" != 1 ] && rm -rf "$STAGE"; return 0; }
trap cleanup EXIT

# copy_bin SRC [DEST]: a program and the libraries it needs (and the loader).
copy_bin() {
	local src=$1 dest=${2:-$1} lib
	mkdir -p "$STAGE$(dirname "$dest")"
	cp -L "$src" "$STAGE$dest"
	copy_libs "$src"
}
copy_libs() {
	local lib
	for lib in $(ldd "$1" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
		[ -e "$STAGE$lib" ] && continue
		mkdir -p "$STAGE$(dirname "$lib")"
		cp -L "$lib" "$STAGE$lib"
	done
}

# The modules the labs need that Debian's cloud kernel builds as modules
# (overlay: the overlay lab and the capstone; veth and the bridge with its
# stp and llc: the nsenter, bridge and net labs), from the kernel's .deb, in
# the order init loads them with insmod (which knows no dependencies).
MODULES="fs/overlayfs/overlay drivers/net/veth net/llc/llc net/802/stp net/bridge/bridge"
add_modules() {
	local deb m list=()
	deb=$(find "$VM" -maxdepth 1 -name 'linux-image-*.deb' | sort | tail -1)
	[ -n "$deb" ] || { say "no kernel .deb in $VM: the VM gets no modules"; return 0; }
	for m in $MODULES; do list+=("--wildcards" "./lib/modules/*/kernel/$m.ko"); done
	mkdir -p "$STAGE/lib/modules"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$STAGE/lib/modules" --transform "s,.*/,," "${list[@]}" 2>/dev/null ||
		true
	for m in $MODULES; do
		if [ -e "$STAGE/lib/modules/$(basename "$m").ko" ]; then echo "$(basename "$m")"; fi
	done >"$STAGE/etc/nslab-vm-modules"
}

build_initramfs() {
	[ -x "$TOP/build/nslab" ] || die "build/nslab is missing: run make all first"
	[ -e "$TOP/build/labs/cpu.so" ] || die "build/labs/cpu.so is missing: run make all first"
	local busybox tool path f
	busybox=$(command -v busybox || true)
	[ -n "$busybox" ] || die "busybox is missing (apt-get install busybox-static)"
	{ ldd "$busybox" 2>&1 || true; } | grep -q 'not a dynamic' ||
		die "$busybox is not static (apt-get install busybox-static)"
	STAGE=$(mktemp -d /tmp/nslab-vmstage.XXXXXX)
	# One directory for every program, as a merged-/usr Debian has it: the
	# labs copy /bin/sh, /sbin/ip, /sbin/capsh... into their images by path.
	# /mnt as on every FHS system: the capstone's step 2 task mounts its tmpfs there
	mkdir -p "$STAGE"/{usr/bin,proc,sys,dev,run,tmp,root,etc,mnt,newroot}
	ln -s usr/bin "$STAGE/bin"
	ln -s usr/bin "$STAGE/sbin"
	ln -s bin "$STAGE/usr/sbin"
	cp "$busybox" "$STAGE/usr/bin/busybox"
	# Real tools where the tests and the labs' tasks rely on their options
	# (procps ps, GNU stat, bash, util-linux's mount/unshare/nsenter/pivot_root,
	# iproute2, libcap's capsh, dash as /bin/sh, ldd: rootfs_add copies the
	# libraries ldd names); busybox applets for the rest
	# (installed by init, without overwriting these).
	for tool in bash sh getconf ps ip bridge ipcs find stat sort comm awk grep sed mktemp mkfifo readlink \
		hostname sleep cat date dirname basename rm mkdir tail head wc tr cut env ls uname nsenter diff \
		id nproc seq flock pgrep pkill cgexec cgcreate cgset cgdelete cgclassify stress \
		mount umount unshare pivot_root chroot lsns setpriv findmnt capsh getpcaps ping timeout \
		touch ln cp chmod mv mknod echo printf uptime strace ldd; do
		path=$(command -v "$tool" 2>/dev/null || true)
		[ -n "$path" ] && [ -f "$path" ] && copy_bin "$(readlink -f "$path")" "/usr/bin/$tool"
	done
	# nslab, as the repository lays it out, so that tests find it the same way.
	mkdir -p "$STAGE/nslab/build/labs" "$STAGE/nslab/tests"
	copy_bin "$TOP/build/nslab" /nslab/build/nslab
	# and what it loads only when needed (src/libs-lazy.c), which ldd does not name
	local so
	for so in libmount.so.1 libsmartcols.so.1; do
		# awk reads to the end: an early exit would SIGPIPE ldconfig, and with
		# pipefail and set -e this script would end here without a word
		path=$(ldconfig -p | awk -v s="$so" '$1 == s && /x86-64/ && !p { p = $NF } END { print p }')
		[ -n "$path" ] || die "$so is missing (util-linux's library)"
		mkdir -p "$STAGE$(dirname "$path")"
		cp -L "$path" "$STAGE$path"
		copy_libs "$path"
	done
	for f in "$TOP"/build/labs/*; do
		[ -f "$f" ] || continue
		cp "$f" "$STAGE/nslab/build/labs/"
		copy_libs "$f"
	done
	add_modules
	cp -r "$TOP/tests/lib" "$TOP/tests/labs" "$TOP/tests/bench" "$STAGE/nslab/tests/"
	cp "$TOP/tests/vm/init" "$STAGE/init"
	chmod 755 "$STAGE/init"
	echo "$MODE" >"$STAGE/etc/nslab-vm-mode"
	echo "$LAYOUT" >"$STAGE/etc/nslab-vm-cgroup"
	echo "$TESTS" >"$STAGE/etc/nslab-vm-tests"
	echo "root:x:0:0:root:/root:/bin/sh" >"$STAGE/etc/passwd"
	echo "root:x:0:" >"$STAGE/etc/group"
	echo "nslab-vm" >"$STAGE/etc/hostname"
	(cd "$STAGE" && find . | cpio -o -H newc --quiet | gzip -1) >"$VM/initrd.gz"
	say "initramfs $(du -h "$VM/initrd.gz" | cut -f1) ($(find "$STAGE" -type f | wc -l) files)"
}

# --- boot ---
QEMU_BASE=(-m 1024 -smp 2 -nographic -no-reboot -nic none)

# /dev/kvm can exist and still not work (nested virtualization that hangs):
# boot the bare kernel without an initramfs, which panics at once, and see
# whether that comes back within a few seconds.
kvm_works() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	local out
	out=$(timeout 10 qemu-system-x86_64 "${QEMU_BASE[@]}" -enable-kvm -cpu host -kernel "$VM/vmlinuz" \
		-append "console=ttyS0 panic=-1" </dev/null 2>&1) || true
	grep -q 'Kernel panic' <<<"$out"
}

boot() {
	local accel=${NSLAB_VM_ACCEL:-}
	if [ -z "$accel" ]; then
		accel=tcg
		kvm_works && accel=kvm
	fi
	local opts=("${QEMU_BASE[@]}" -kernel "$VM/vmlinuz" -initrd "$VM/initrd.gz"
		-append "console=ttyS0 $NOV1 panic=-1 quiet ${NSLAB_VM_APPEND:-}")
	if [ "$accel" = kvm ]; then opts+=(-enable-kvm -cpu host); else opts+=(-accel "tcg,thread=multi"); fi
	say "booting $(basename "$VM/vmlinuz") with $accel, 2 CPUs, cgroup layout $LAYOUT (log: $VM/console.log)"
	local start=$SECONDS rc=0
	timeout "$TIMEOUT" qemu-system-x86_64 "${opts[@]}" </dev/null >"$VM/console.log" 2>&1 || rc=$?
	say "qemu exited ($rc) after $((SECONDS - start)) s"
	[ "$rc" -ne 124 ] || die "timed out after $TIMEOUT s; see $VM/console.log"
}

# --- results ---
parse() {
	local log=$VM/console.log
	# serial output carries terminal resets and CRs: strip them
	# (and firmware text without a newline before the first marker)
	sed -E 's/\x1b(\[[0-9;?]*[A-Za-z]|c)//g; s/\r//g; s/(.)NSLAB-VM-/\1\nNSLAB-VM-/' "$log" >"$log.txt"
	log=$log.txt
	grep -q '^NSLAB-VM-BEGIN' "$log" || { tail -30 "$log"; die "the VM's init never ran; see $VM/console.log"; }
	local mode
	mode=$(awk '/^NSLAB-VM-MODE / { print $2; exit }' "$log")
	say "cgroup filesystem at /sys/fs/cgroup in the VM: ${mode:-unknown}"
	grep '^NSLAB-VM-INFO ' "$log" | sed 's/^NSLAB-VM-INFO /vmtest:   /'
	[ "$mode" = "$WANT_FS" ] || die "the VM's /sys/fs/cgroup is $mode, not $WANT_FS ($LAYOUT)"
	if [ "$MODE" = bench ]; then
		sed -n '/^NSLAB-VM-BEGIN/,/^NSLAB-VM-END/p' "$log" | grep -vE '^NSLAB-VM-' | sed 's/^/vm| /'
		[ "$(awk '/^NSLAB-VM-END / { print $2; exit }' "$log")" = 0 ] || die "the benchmark failed on $LAYOUT"
		return 0
	fi
	if [ "$MODE" = smoke ]; then
		grep -q '^NSLAB-VM-END' "$log" || die "the VM did not finish"
		say "smoke boot ok"
		return 0
	fi
	sed -n '/^NSLAB-VM-BEGIN/,/^NSLAB-VM-END/p' "$log" | grep -E '^(ok|not ok|#|test-)' | sed 's/^/vm| /'
	local end pass fail
	end=$(awk '/^NSLAB-VM-END / { print $2; exit }' "$log")
	pass=$(sed -n '/^NSLAB-VM-BEGIN/,/^NSLAB-VM-END/p' "$log" | grep -c '^ok ' || true)
	fail=$(sed -n '/^NSLAB-VM-BEGIN/,/^NSLAB-VM-END/p' "$log" | grep -c '^not ok ' || true)
	[ -n "$end" ] || die "the test did not finish; see $VM/console.log"
	local quotas
	quotas=$(grep -cE '^ok - quota [0-9]+%: measured' "$log" || true)
	say "cgroup $LAYOUT: $pass passed, $fail failed, $quotas/4 quotas held (test exit $end)"
	local want_quotas=4
	[[ " $TESTS " == *" cpu "* ]] || want_quotas=0
	if [ "$fail" -ne 0 ] || [ "$end" != 0 ] || [ "$quotas" -ne "$want_quotas" ]; then die "FAILED on cgroup $LAYOUT"; fi
	say "cgroup $LAYOUT path ok"
}

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing (apt-get install qemu-system-x86)"
command -v cpio >/dev/null || die "cpio is missing (apt-get install cpio)"
fetch_kernel
build_initramfs
boot
parse
