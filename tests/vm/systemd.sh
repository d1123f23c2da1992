#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/systemd.sh: the systemd VM test, whole: builds the image (outside the
# test lock: mmdebstrap and mkfs use the network and the disk, not the kernel
# the root suites share), then boots it through tests/run-suite.sh, which holds
# /tmp/.nslab-tests.lock while qemu runs. Says how long each part took.
set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
t0=$SECONDS
"$TOP/tests/vm/systemd-build.sh" || { echo "systemd-vm: the image build failed"; exit 1; }
build=$((SECONDS - t0))
t1=$SECONDS
"$TOP/tests/run-suite.sh" systemd-vm "$TOP/tests/vm/systemd-boot.sh"
rc=$?
echo "systemd-vm: build $build s, boot and labs $((SECONDS - t1)) s (with the wait for the lock), total $((SECONDS - t0)) s"
exit "$rc"
