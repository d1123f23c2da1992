#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-bad-input.sh: bad input is one clear line and exit 1 in script mode,
# never a silent exit 0, a wrong target or unbounded memory (issue 9, D11-D13;
# root, through tests/run-suite.sh). Script files: a directory, /proc/self/mem,
# a block device, /dev/zero and an endless pipe (memory bounded), a NUL byte,
# a line over 64 KiB. Numbers: PIDs and steps that overflowed 32 bits, the
# cpu lab's quota nan/inf/1e300/-5/0 and usage nan. The host is left as found.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
require_nslab

before=$(host_state)
tmp=$(mktemp -d /tmp/nslab-test-input.XXXXXX)
trap 'rm -rf "$tmp" "$XDG_STATE_HOME"' EXIT
pid_max=$(($(cat /proc/sys/kernel/pid_max) - 1))

# lacks REGEX: $out has no line matching REGEX.
lacks() { ! grep -qE -- "$1" <<<"$out"; }

# refused DESCRIPTION REGEX ARGS...: nslab ARGS exits 1 and says REGEX.
refused() {
	local d=$1 re=$2 out st
	shift 2
	out=$(timeout 60 "$NSLAB" "$@" 2>&1)
	st=$?
	if [ "$st" -eq 1 ] && grep -qE "$re" <<<"$out"; then ok "$d"; else
		not_ok "$d (exit $st)"
		printf '%s\n' "$out" | head -5 | sed 's/^/#   /'
	fi
}

# --- script and demo files (D13) ---
refused "--script DIR: 'is a directory', exit 1" "^nslab: $tmp: is a directory\$" --script "$tmp"
refused "--demo DIR: 'is a directory', exit 1" "^nslab: $tmp: is a directory\$" --demo "$tmp"
refused "--script /proc/self/mem: cannot read, exit 1" '^nslab: /proc/self/mem: cannot read line 1: ' \
	--script /proc/self/mem
refused "--script - from a directory on stdin: exit 1" '^nslab: stdin: is a directory$' --script - </
blk=$(find /dev -maxdepth 1 -type b 2>/dev/null | head -1)
if [ -n "$blk" ]; then
	refused "--script $blk: not a regular file or pipe" "^nslab: $blk: not a regular file or pipe\$" --script "$blk"
else
	echo "# no block device in /dev: skipped"
fi
refused "--script MISSING: cannot open, exit 1" "^nslab: cannot open $tmp/missing: No such file" --script "$tmp/missing"

# /dev/zero is one endless line: refused at 64 KiB, with memory to spare under
# a 256 MB address-space limit (the old reader grew it until the limit, then
# exited 0 without a word).
out=$( (ulimit -v 262144 && timeout 60 "$NSLAB" --script /dev/zero) 2>&1)
st=$?
if [ "$st" -eq 1 ] && grep -qx 'nslab: /dev/zero: line 1 is longer than 65536 bytes' <<<"$out"; then
	ok "--script /dev/zero: line 1 refused at 64 KiB, exit 1, under ulimit -v 256 MB"
else
	not_ok "--script /dev/zero: exit $st"
	printf '%s\n' "$out" | head -3 | cut -c1-200 | sed 's/^/#   /'
fi
# An endless pipe: nslab reads about 64 KiB of it, then stops.
out=$(yes 'help quit' | tr -d '\n' | (ulimit -v 262144 && timeout 60 "$NSLAB" --script -) 2>&1)
st=$?
if [ "$st" -eq 1 ] && grep -qx 'nslab: stdin: line 1 is longer than 65536 bytes' <<<"$out"; then
	ok "an endless line on a pipe: refused, exit 1"
else
	not_ok "an endless line on a pipe: exit $st"
fi

# A NUL byte: the line is refused, not cut to `start uts`, and the script stops.
printf 'labs\nstart uts\0../x\nstatus\n' >"$tmp/nul.nslab"
out=$(timeout 60 "$NSLAB" --script "$tmp/nul.nslab" 2>&1)
st=$?
expect "NUL byte: exit 1" test "$st" -eq 1
expect "NUL byte: names the line" grep -qx "nslab: $tmp/nul.nslab: line 2 contains a NUL byte" <<<"$out"
expect "NUL byte: the cut line did not run" lacks '== UTS'
expect "NUL byte: the script stopped there" lacks '^nslab> status'

# A 70 KiB line 2: refused by number; line 1 ran, line 3 did not.
{
	echo "help quit"
	printf '#%071679d\n' 0
	echo "help stop"
} >"$tmp/long.nslab"
out=$(timeout 60 "$NSLAB" --script "$tmp/long.nslab" 2>&1)
st=$?
expect "70 KiB line: exit 1" test "$st" -eq 1
expect "70 KiB line: names line 2" grep -qx "nslab: $tmp/long.nslab: line 2 is longer than 65536 bytes" <<<"$out"
expect "70 KiB line: line 1 ran" grep -q '^usage: quit' <<<"$out"
expect "70 KiB line: line 3 did not" lacks '^usage: stop'

# --- numbers (D12) ---
out=$(printf '%s\n' "start uts" next "step 4294967297" "step 99999999999" "step 0" \
	"watch 4294967297" "watch 2147483648" "ns 4294967297" "unwatch 4294967297" status stop |
	timeout 120 "$NSLAB" --script - 2>&1)
st=$?
expect "overflowing numbers: exit 1" test "$st" -eq 1
expect "step 4294967297 and 99999999999 refused with the range" \
	test "$(grep -cx 'nslab: step must be 1 to 3' <<<"$out")" -eq 3
expect "the lab stayed at step 2 (4294967297 went to step 1)" grep -q '^step: 2/3' <<<"$out"
for w in "watch 4294967297" "watch 2147483648" "ns 4294967297" "unwatch 4294967297"; do
	expect "$w refused: PID 1 to $pid_max" grep -qx "nslab: ${w% *}: PID must be 1 to $pid_max, not ${w#* }" <<<"$out"
done
expect "nothing was watched" lacks '^watching'

# --- the cpu lab's numbers (D11) ---
max=$((100 * $(getconf _NPROCESSORS_ONLN)))
out=$(printf '%s\n' "start cpu" cgroup "quota 30" "quota nan" "quota inf" "quota 1e300" "quota -5" "quota 0" \
	"quota $((max + 1))" "usage nan" "usage 0.1" stop | timeout 120 "$NSLAB" --script - 2>&1)
st=$?
if grep -q "cannot run here" <<<"$out"; then
	echo "# cpu lab unsupported here: $(grep 'cannot run here' <<<"$out")"
else
	expect "bad quota and usage: exit 1" test "$st" -eq 1
	for q in nan inf 1e300 -5 0 $((max + 1)); do
		expect "quota $q refused naming 1 to $max" grep -qx "nslab: quota must be 1 to $max percent (100 per CPU, .*), not $q" <<<"$out"
	done
	expect "usage nan refused" grep -qx 'nslab: usage: usage \[SECONDS\]  (0.1 to 60)' <<<"$out"
	expect "no quota was set by them: still 30%" grep -q '^usage: .*quota 30000/100000 us = 30%' <<<"$out"
	expect "no cfs_quota_us of -9223372036854775808" lacks '-9223372036854775808'
fi

same_fingerprint "$before" "bad input"
finish
