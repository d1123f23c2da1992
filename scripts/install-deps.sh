#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# install-deps.sh: installs what nslab needs to build, run and test, and only
# what is missing. Debian and Ubuntu (apt-get) are handled; elsewhere it says
# what to install. Safe to run again: it does nothing when all is there.
set -euo pipefail

# Build: compiler, pkg-config and the libraries' development files.
# Run: iproute2 (net and bridge labs), busybox-static (rootfs fallbacks), util-linux
# tools, capsh (libcap2-bin: capabilities lab), strace (`trace`).
# Test: cmocka, tmux (e2e), qemu + cpio (the cgroup v2 VM test), mmdebstrap (the
# systemd VM test's Debian image), stress and
# cgroup-tools (peers in the benchmarks), hyperfine, shellcheck.
# Translations: gettext (msgfmt, xgettext) builds them, locales gives the
# ko_KR.UTF-8 locale that selects Korean (generated below when missing), po4a
# translates the man page (`make` leaves the Korean page out without it;
# `make po-check` needs it, so it is a test tool, not a workshop one).
PKGS=(
	build-essential pkg-config
	libreadline-dev libncurses-dev libcgroup-dev libcmocka-dev
	libmount-dev libsmartcols-dev libcap-dev libseccomp-dev libvterm-dev
	iproute2 libcap2-bin strace iputils-ping procps util-linux busybox-static
	tmux qemu-system-x86 cpio mmdebstrap e2fsprogs stress cgroup-tools hyperfine shellcheck clang-format
	gettext locales po4a
)

# ko_KR.UTF-8: Korean texts are shown only when the C library knows the
# locale. Generated from /etc/locale.gen when `locale -a` lacks it (as root).
ensure_ko_locale() {
	if locale -a 2>/dev/null | grep -qix 'ko_KR\.utf-\?8'; then
		return 0
	fi
	if [ "$(id -u)" -ne 0 ] || ! command -v locale-gen >/dev/null 2>&1 || [ ! -f /etc/locale.gen ]; then
		echo "install-deps: the ko_KR.UTF-8 locale is missing (as root: uncomment it in /etc/locale.gen, run locale-gen)"
		return 0
	fi
	echo "install-deps: generating the ko_KR.UTF-8 locale"
	if ! grep -q '^ko_KR.UTF-8 UTF-8' /etc/locale.gen; then
		sed -i 's/^# *ko_KR.UTF-8 UTF-8/ko_KR.UTF-8 UTF-8/' /etc/locale.gen
		grep -q '^ko_KR.UTF-8 UTF-8' /etc/locale.gen || echo 'ko_KR.UTF-8 UTF-8' >>/etc/locale.gen
	fi
	locale-gen >/dev/null
}

# Options, in a function of their own so the list above stays the one list:
#   --workshop  only what builds nslab and what the labs' tasks call (what a
#               workshop machine needs: scripts/provision.sh), not the tools
#               that test and develop nslab (TEST_ONLY)
#   --list      print the packages, one a line, and install nothing (the
#               systemd VM test bakes them into its image)
# NSLAB_OFFLINE=1: never call apt-get; a missing package is an error.
TEST_ONLY=(libcmocka-dev tmux qemu-system-x86 cpio mmdebstrap e2fsprogs hyperfine shellcheck clang-format po4a)
LIST=
options() {
	local a p
	for a in "$@"; do
		case $a in
		--workshop)
			local keep=()
			for p in "${PKGS[@]}"; do
				[[ " ${TEST_ONLY[*]} " == *" $p "* ]] || keep+=("$p")
			done
			PKGS=("${keep[@]}")
			;;
		--list) LIST=1 ;;
		*)
			echo "usage: install-deps.sh [--workshop] [--list]" >&2
			exit 2
			;;
		esac
	done
}
# apt_update: fails clearly, not with apt's wall of unreachable mirrors, when
# there is no network or nslab was told not to use it. (A plain `apt-get
# update` warns and exits 0 when no mirror answers; Error-Mode=any makes that
# an error, and older apt ignores the option.)
apt_update() {
	if [ "${NSLAB_OFFLINE:-}" = 1 ]; then
		echo "install-deps: offline (NSLAB_OFFLINE=1), and these are missing: $*" >&2
		exit 1
	fi
	apt-get update -qq -o APT::Update::Error-Mode=any || {
		echo "install-deps: apt-get update failed (no network?); missing: $*" >&2
		exit 1
	}
}
options "$@"
if [ -n "$LIST" ]; then
	printf '%s\n' "${PKGS[@]}"
	exit 0
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
	for p in "${PKGS[@]}"; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[ "$st" = "install ok installed" ] || missing+=("$p")
	done
else
	echo "install-deps: this is not a Debian/Ubuntu system (no dpkg)."
	echo "Install the equivalents of: ${PKGS[*]}"
	echo "(pkg-config must find readline, ncursesw, libcgroup, mount, smartcols, libcap, cmocka)"
	for pc in readline ncursesw libcgroup mount smartcols libcap cmocka; do
		pkg-config --exists "$pc" 2>/dev/null || { echo "install-deps: missing: $pc"; exit 1; }
	done
	exit 0
fi

if [ ${#missing[@]} -eq 0 ]; then
	ensure_ko_locale
	echo "install-deps: everything is installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}"
	echo "install-deps: run 'sudo make deps' (or: sudo apt-get install ${missing[*]})"
	exit 1
fi
apt_update "${missing[@]}"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends "${missing[@]}"
ensure_ko_locale
