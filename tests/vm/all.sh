#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/all.sh: `make vmtest`. Both VMs, one after the other: the busybox one
# (tests/vm/run.sh: the cpu lab on a pure cgroup v2 kernel) under the test lock,
# then the systemd one (tests/vm/systemd.sh: nslab provisioned offline with
# scripts/provision.sh, then every lab, on Debian 12 booted by
# systemd). Says how long each took; exits 1 if either failed.
set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rc=0
t0=$SECONDS
"$TOP/tests/run-suite.sh" vm-busybox "$TOP/tests/vm/run.sh" || rc=1
busybox=$((SECONDS - t0))
t1=$SECONDS
"$TOP/tests/vm/systemd.sh" || rc=1
systemd=$((SECONDS - t1))
echo "vmtest: busybox VM $busybox s, systemd VM $systemd s, total $((SECONDS - t0)) s"
exit "$rc"
