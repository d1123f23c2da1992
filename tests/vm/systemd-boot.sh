#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/systemd-boot.sh: boots what tests/vm/systemd-build.sh made (Debian 12,
# systemd as PID 1, its default cgroup v2 layout: no cgroup kernel arguments)
# under qemu, and parses the console: the guest's provisioning (scripts/provision.sh
# run offline in the VM: "NSLAB-SYSVM-PROVISION ok|failed"), then one
# "systemd-vm: lab ID passed|failed: WHY" line per lab from
# tests/vm/systemd-guest.sh. Exits 1 if provisioning failed, if any lab failed,
# if none ran, or if the guest did not finish. Run it through tests/run-suite.sh
# (tests/vm/systemd.sh does) so it holds the test lock while qemu runs.
# The root image is attached with snapshot=on: the cached image never changes.
# Env: NSLAB_VM_TIMEOUT (s, default 3000), NSLAB_VM_ACCEL (kvm|tcg),
# NSLAB_VM_SMP (default 2), NSLAB_VM_APPEND (more kernel parameters).
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VM=$TOP/build/vm
TIMEOUT=${NSLAB_VM_TIMEOUT:-3000}
LOG=$VM/systemd-console.log
say() { echo "systemd-vm: $*"; }
die() { echo "systemd-vm: $*" >&2; exit 1; }

for f in vmlinuz systemd-initrd.gz systemd-root.ext4 systemd-payload.ext4; do
	[ -s "$VM/$f" ] || die "$VM/$f is missing: run tests/vm/systemd-build.sh first"
done
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing (apt-get install qemu-system-x86)"

# /dev/kvm can exist and still not work (nested virtualization that fails on
# an MSR or hangs, as on this CI machine): boot the bare kernel without an
# initramfs, which panics at once, and see whether that comes back within a few
# seconds (as tests/vm/run.sh does).
kvm_works() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	local out
	out=$(timeout 10 qemu-system-x86_64 -m 512 -nographic -no-reboot -nic none -enable-kvm -cpu host \
		-kernel "$VM/vmlinuz" -append "console=ttyS0 panic=-1" </dev/null 2>&1) || true
	grep -q 'Kernel panic' <<<"$out"
}
accel=${NSLAB_VM_ACCEL:-}
if [ -z "$accel" ]; then
	accel=tcg
	kvm_works && accel=kvm
fi
opts=(-m 2048 -smp "${NSLAB_VM_SMP:-2}" -nographic -no-reboot -nic none
	-kernel "$VM/vmlinuz" -initrd "$VM/systemd-initrd.gz"
	-append "console=ttyS0 panic=-1 ${NSLAB_VM_APPEND:-}"
	-drive "file=$VM/systemd-root.ext4,format=raw,if=virtio,snapshot=on"
	-drive "file=$VM/systemd-payload.ext4,format=raw,if=virtio,readonly=on")
if [ "$accel" = kvm ]; then opts+=(-enable-kvm -cpu host); else opts+=(-accel "tcg,thread=multi"); fi
say "booting $(readlink "$VM/systemd-root.ext4") with $accel (console: $LOG)"
t0=$SECONDS
rc=0
timeout "$TIMEOUT" qemu-system-x86_64 "${opts[@]}" </dev/null >"$LOG" 2>&1 || rc=$?
wall=$((SECONDS - t0))
say "qemu exited ($rc) after $wall s"
[ "$rc" -ne 124 ] || { tail -20 "$LOG"; die "timed out after $TIMEOUT s; see $LOG"; }

# serial output carries terminal escapes and CRs: strip them
sed -E 's/\x1b(\[[0-9;?]*[A-Za-z]|c)//g; s/\r//g; s/(.)(NSLAB-SYSVM-|systemd-vm: )/\1\n\2/' "$LOG" >"$LOG.txt"
log=$LOG.txt
grep -q '^NSLAB-SYSVM-ERROR' "$log" && { grep '^NSLAB-SYSVM-ERROR' "$log"; die "the VM did not boot"; }
grep -q '^NSLAB-SYSVM-BEGIN' "$log" || { tail -40 "$log"; die "the test unit never ran; see $LOG"; }
grep '^NSLAB-SYSVM-INFO ' "$log" | sed 's/^NSLAB-SYSVM-INFO /systemd-vm:   /'
prov=$(grep -m1 '^NSLAB-SYSVM-PROVISION ' "$log" | sed 's/^NSLAB-SYSVM-PROVISION //')
[ -n "$prov" ] || { tail -30 "$log"; die "the guest never said how provisioning went; see $LOG"; }
say "provisioning (scripts/provision.sh, offline): $prov"
[[ $prov == ok:* ]] || die "FAILED: scripts/provision.sh failed in the VM"
grep -E '^systemd-vm: (lab|test) ' "$log" | sed 's/^/vm| /'
boot=$(sed -n 's/^NSLAB-SYSVM-INFO boot: .*after \([0-9.]*\) s uptime.*/\1/p' "$log" | head -1)
end=$(awk '/^NSLAB-SYSVM-END / { print $2; exit }' "$log")
pass=$(grep -c '^systemd-vm: lab .* passed' "$log" || true)
fail=$(grep -c '^systemd-vm: lab .* failed' "$log" || true)
tpass=$(grep -c '^systemd-vm: test [^ ]* passed' "$log" || true)
tfail=$(grep -c '^systemd-vm: test [^ ]* failed' "$log" || true)
say "boot to the test unit ${boot:-?} s (guest uptime), whole VM run $wall s; labs: $pass passed, $fail failed; lab tests: $tpass passed, $tfail failed"
[ -n "$end" ] || { tail -30 "$log"; die "the guest did not finish; see $LOG"; }
[ "$pass" -gt 0 ] || die "no lab passed"
[ "$fail" -eq 0 ] || die "FAILED: $fail lab(s) under systemd"
[ "$tfail" -eq 0 ] || die "FAILED: $tfail lab test(s) under systemd"
say "every lab and lab test passed under systemd"
