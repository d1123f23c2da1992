#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/systemd-build.sh: builds what tests/vm/systemd-boot.sh boots, a
# Debian 12 system with systemd as PID 1, as workshop machines are. Needs root
# (mmdebstrap, file ownership in the image) but mounts nothing itself.
#
#  1. rootfs tarball: mmdebstrap --variant=minbase bookworm plus the packages in
#     tests/vm/systemd-packages and every package a workshop machine gets
#     (`scripts/install-deps.sh --workshop --list`: compiler, make, pkg-config,
#     the -dev packages, the labs' tools), from Debian's mirror as apt is set up
#     here, so that scripts/provision.sh runs in the VM with no network.
#     Cached by the package list's hash in /var/cache/nslab-vm/ (survives
#     `make clean` and fresh clones on this machine, so CI builds it once) and
#     linked from build/vm/.
#  2. root image build/vm/systemd-root-KEY.ext4: that tarball, the kernel's
#     modules (the same Debian cloud kernel as tests/vm/run.sh, whose .deb it
#     fetches the same way), hostname, fstab, a user "learner" (uid 1000) and
#     the unit vmtest-labs.service; made with mkfs.ext4 -d (no loop mount).
#     KEY hashes all of that.
#  3. payload image build/vm/systemd-payload.ext4: the project's source as git
#     tracks it (`git ls-files`, with uncommitted edits; the whole tree less
#     build/ and .git when this is no git checkout): the guest provisions nslab
#     from it with scripts/provision.sh, as a workshop machine does; rebuilt
#     every run.
#  4. build/vm/systemd-initrd.gz: busybox and the virtio modules; its /init
#     mounts /dev/vda and switch_roots to /sbin/init (systemd). The cloud
#     kernel has ext4 built in but virtio as modules.
# Prints "systemd-build: N s" at the end. Env: NSLAB_VM_MIRROR (an apt sources
# line for bookworm, default: the host's Debian sources), NSLAB_VM_CACHE
# (default /var/cache/nslab-vm), NSLAB_VM_LABS="uts cpu" (only these labs in the VM),
# NSLAB_VM_TESTS="memory pids" (only these tests/labs/test-ID.sh; "none": none).
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VM=$TOP/build/vm
CACHE=${NSLAB_VM_CACHE:-/var/cache/nslab-vm}
HERE=$TOP/tests/vm
start=$SECONDS
say() { echo "systemd-build: $*"; }
die() { echo "systemd-build: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (mmdebstrap and the image's file owners)"
for t in mmdebstrap mkfs.ext4 cpio busybox dpkg-deb; do
	command -v "$t" >/dev/null || die "$t is missing (make deps installs it)"
done
mkdir -p "$VM" "$CACHE"

STAGE=
cleanup() { [ -n "$STAGE" ] && rm -rf "$STAGE"; return 0; }
trap cleanup EXIT

# --- the kernel: the same package tests/vm/run.sh boots, .deb kept in build/vm ---
kernel_deb() {
	local pkg deb
	pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	deb=$(find "$VM" -maxdepth 1 -name "${pkg:-linux-image-*-cloud-amd64}_*.deb" | sort | tail -1)
	if [ -z "$deb" ]; then
		[ -n "$pkg" ] || die "apt-cache knows no linux-image-cloud-amd64 (try apt-get update)"
		say "fetching $pkg" >&2
		(cd "$VM" && apt-get download "$pkg" >/dev/null 2>&1) || die "apt-get download $pkg failed"
		deb=$(find "$VM" -maxdepth 1 -name "${pkg}_*.deb" | head -1)
	fi
	echo "$deb"
}
KDEB=$(kernel_deb)
KVER=$(dpkg-deb -c "$KDEB" | awk '{ print $6 }' | sed -n 's,^\./boot/vmlinuz-,,p' | head -1)
[ -n "$KVER" ] || die "no vmlinuz in $KDEB"
if [ ! -s "$VM/vmlinuz" ] || [ "$(cat "$VM/vmlinuz.version" 2>/dev/null)" != "$KVER" ]; then
	tmp=$(mktemp -d /tmp/nslab-vmkernel.XXXXXX)
	dpkg-deb --fsys-tarfile "$KDEB" | tar -x -C "$tmp" "./boot/vmlinuz-$KVER"
	cp "$tmp/boot/vmlinuz-$KVER" "$VM/vmlinuz"
	rm -rf "$tmp"
	echo "$KVER" >"$VM/vmlinuz.version"
fi

# the kernel's modules, unpacked once per kernel version
MODS=$VM/modules-$KVER
if [ ! -d "$MODS/lib/modules/$KVER" ]; then
	rm -rf "$VM"/modules-*
	mkdir -p "$MODS.tmp"
	dpkg-deb --fsys-tarfile "$KDEB" | tar -x -C "$MODS.tmp" "./lib/modules/$KVER"
	mv "$MODS.tmp" "$MODS"
fi

# --- 1. the rootfs tarball, keyed by the package list ---
mapfile -t PKGS < <({
	grep -Ev '^[[:space:]]*(#|$)' "$HERE/systemd-packages"
	"$TOP/scripts/install-deps.sh" --workshop --list
} | awk '!seen[$0]++')
[ ${#PKGS[@]} -gt 0 ] || die "no packages: tests/vm/systemd-packages and install-deps.sh --workshop --list"
PKGKEY=$(printf '%s\n' "${PKGS[@]}" | sha256sum | cut -c1-12)
TARBALL=$CACHE/bookworm-$PKGKEY.tar
if [ ! -s "$TARBALL" ]; then
	say "mmdebstrap bookworm minbase + ${#PKGS[@]} packages -> $TARBALL"
	t0=$SECONDS
	mirrors=()
	if [ -n "${NSLAB_VM_MIRROR:-}" ]; then
		mirrors=("$NSLAB_VM_MIRROR")
	else
		# the host's bookworm sources (deb822 or one-line), else Debian's default
		uri=$(awk '/^URIs:/ && $2 ~ /debian\/?$/ { print $2; exit } /^deb / && $3 == "bookworm" { print $2; exit }' \
			/etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true)
		suri=$(awk '/^URIs:/ && $2 ~ /debian-security\/?$/ { print $2; exit } /^deb / && $3 == "bookworm-security" { print $2; exit }' \
			/etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true)
		mirrors=("deb ${uri:-http://deb.debian.org/debian} bookworm main"
			"deb ${uri:-http://deb.debian.org/debian} bookworm-updates main")
		[ -n "$suri" ] && mirrors+=("deb $suri bookworm-security main")
	fi
	mmdebstrap --quiet --format=tar --variant=minbase --include="$(printf '%s,' "${PKGS[@]}")" \
		--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		bookworm "$TARBALL.tmp" "${mirrors[@]}" || { rm -f "$TARBALL.tmp"; die "mmdebstrap failed"; }
	mv "$TARBALL.tmp" "$TARBALL"
	say "rootfs tarball built in $((SECONDS - t0)) s ($(du -h "$TARBALL" | cut -f1))"
fi
ln -sf "$TARBALL" "$VM/systemd-rootfs.tar"

# --- 2. the root image ---
IMGKEY=$({
	echo "$PKGKEY $KVER"
	cat "$HERE/vmtest-labs.service" "$HERE/systemd-build.sh"
} | sha256sum | cut -c1-12)
ROOTIMG=$VM/systemd-root-$IMGKEY.ext4
if [ ! -s "$ROOTIMG" ]; then
	t0=$SECONDS
	STAGE=$(mktemp -d /tmp/nslab-sysvm.XXXXXX)
	R=$STAGE/root
	mkdir "$R"
	tar -x -C "$R" -f "$TARBALL"
	# the kernel's modules (veth, bridge, overlay... load on demand) and their index
	mkdir -p "$R/usr/lib/modules"
	cp -a "$MODS/lib/modules/$KVER" "$R/usr/lib/modules/"
	chroot "$R" depmod "$KVER"
	echo nslab-sysvm >"$R/etc/hostname"
	printf '127.0.0.1 localhost\n127.0.1.1 nslab-sysvm\n' >"$R/etc/hosts"
	echo '/dev/vda / ext4 rw,relatime 0 1' >"$R/etc/fstab"
	# a root shell on the serial console, for a person debugging a boot (NSLAB_VM_KEEP)
	chroot "$R" passwd -d root >/dev/null
	# the workshop's learner, who owns the source as on the Vagrant box
	chroot "$R" useradd -m -u 1000 -s /bin/bash learner
	install -m644 "$HERE/vmtest-labs.service" "$R/etc/systemd/system/vmtest-labs.service"
	mkdir -p "$R/etc/systemd/system/multi-user.target.wants" "$R/opt/nslab"
	ln -sf ../vmtest-labs.service "$R/etc/systemd/system/multi-user.target.wants/vmtest-labs.service"
	rm -f "$R/etc/machine-id" && : >"$R/etc/machine-id" # systemd makes one at boot
	# room for /var, the journal and the labs' files (qemu writes to a snapshot)
	mb=$(($(du -sm "$R" | cut -f1) + 512))
	rm -f "$VM"/systemd-root-*.ext4
	mkfs.ext4 -q -F -L nslab-root -d "$R" "$ROOTIMG.tmp" "${mb}M" >/dev/null
	mv "$ROOTIMG.tmp" "$ROOTIMG"
	rm -rf "$STAGE"
	STAGE=
	say "root image $(basename "$ROOTIMG") (${mb} MB) made in $((SECONDS - t0)) s"
fi
ln -sf "$(basename "$ROOTIMG")" "$VM/systemd-root.ext4"

# --- 3. the payload: the project's source, provisioned in the guest ---
STAGE=$(mktemp -d /tmp/nslab-sysvm.XXXXXX)
P=$STAGE/payload
mkdir -p "$P/src"
if git -C "$TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# tracked files as they are now (deleted ones skipped), so edits not yet
	# committed are tested too
	(cd "$TOP" && git ls-files -z | while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"
	done | tar --null -T - -cf -) | tar -x -C "$P/src"
else
	tar -C "$TOP" --exclude=./build --exclude=./.git -cf - . | tar -x -C "$P/src"
fi
[ -x "$P/src/scripts/provision.sh" ] || die "the payload has no scripts/provision.sh"
[ -z "${NSLAB_VM_LABS:-}" ] || echo "$NSLAB_VM_LABS" >"$P/labs"
[ -z "${NSLAB_VM_TESTS:-}" ] || echo "$NSLAB_VM_TESTS" >"$P/tests"
mb=$(($(du -sm "$P" | cut -f1) * 2 + 16))
rm -f "$VM/systemd-payload.ext4"
mkfs.ext4 -q -F -L nslab-payload -d "$P" "$VM/systemd-payload.ext4" "${mb}M" >/dev/null

# --- 4. the initramfs that mounts the root image ---
I=$STAGE/initrd
mkdir -p "$I"/{bin,dev,proc,sys,newroot,lib/modules}
cp "$(command -v busybox)" "$I/bin/busybox"
# (in the order they depend on each other; /init still makes a few passes)
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk; do
	f=$(find "$MODS/lib/modules/$KVER" -name "$m.ko" | head -1)
	[ -n "$f" ] || continue # built in
	cp "$f" "$I/lib/modules/"
	echo "$m" >>"$I/lib/modules/order"
done
install -m755 "$HERE/systemd-initrd-init" "$I/init"
(cd "$I" && find . | cpio -o -H newc --quiet | gzip -1) >"$VM/systemd-initrd.gz"
say "kernel $KVER, root $(basename "$ROOTIMG"), payload and initramfs ready in $((SECONDS - start)) s"
