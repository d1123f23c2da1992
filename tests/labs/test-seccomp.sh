#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-seccomp.sh: the seccomp lab against the real kernel (root).
# shellcheck source=tests/lib/common.sh disable=SC2016
# (REPL lines in single quotes are expanded by the shell inside nslab, not here.)
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=tests/lib/byhand.sh
. "$(dirname "$0")/../lib/byhand.sh"

require_nslab

before=$(host_state)

# --- by `do`: each check fails before and passes after ---
walk_lab seccomp
same_fingerprint "$before" "seccomp: after the walk by do"

# --- the end state after every `do` ---
out=$( { done_script seccomp; printf '%s\n' 'host grep Seccomp /proc/$NSLAB_LAB_PID/status' \
	'try chmod 600 file.txt' 'try mkdir other' 'try touch works.txt' 'try stat -c %a file.txt' \
	'run grep Seccomp /proc/self/status' 'run mkdir by-run' \
	'host for p in $(pgrep -x -f "sleep 3600"); do grep -q /nslab/ /proc/$p/cgroup && echo SLEEPER $p $(awk "/^Seccomp:/ { print \$2 }" /proc/$p/status); done' \
	'try sleep 30' stop; } | nslab_script - 2>&1)
expect "seccomp: two stacked filters in the lab process" grep -qP '^Seccomp_filters:\t2$' <<<"$out"
expect "seccomp: chmod fails with EPERM under the filter" \
	grep -q "chmod: changing permissions of 'file.txt': Operation not permitted" <<<"$out"
expect "seccomp: mkdir fails too after the second filter" grep -q "cannot create directory ‘other’: Operation not permitted\|cannot create directory 'other': Operation not permitted" <<<"$out"
expect "seccomp: the rest works (touch)" test "$(printf '%s\n' "$out" | sed -n '/> try touch works.txt$/{n;p}')" = "[exit 0]"
expect "seccomp: the file kept its mode" test "$(get 'try stat -c %a file.txt')" = 644
expect "seccomp: run has no filter" test "$(get 'run grep Seccomp \/proc\/self\/status')" = "$(printf 'Seccomp:\t0')"
sleeper=$(printf '%s\n' "$out" | awk '/^SLEEPER / { print $2, $3 }')
expect "seccomp: the inherited sleeper has Seccomp 2 ($sleeper)" test "${sleeper#* }" = 2
expect "seccomp: the sleeper is gone after stop" gone "${sleeper% *}"
expect "seccomp: try is bounded (10 s, then SIGKILL)" grep -qx '\[exit 137\]' <<<"$out"
same_fingerprint "$before" "seccomp: after the end-state look"

# --- the task's own commands, typed: each check fails before and passes after ---
out=$(printf '%s\n' 'start seccomp' check 'filter chmod' check next \
	check 'try chmod 600 file.txt 2> chmod.err' 'try mkdir newdir' check next \
	check 'try sleep 3600 >/dev/null 2>&1 &' check next check 'filter mkdir' check stop | nslab_script - 2>&1)
res=$(printf '%s\n' "$out" | awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }')
expect "seccomp typed: checks fail before and pass after each step ($res)" test "$res" = "nononono"
same_fingerprint "$before" "seccomp: after the typed walk"

# --- by hand: each step's own task lines as nslab prints them, fresh and after reset ---
byhand_walk seccomp
same_fingerprint "$before" "seccomp: after the walk by hand"

# --- step 2 into the middle, without step 1's filter: the check names step 1 ---
out=$(printf '%s\n' 'start seccomp' 'step 2' 'try chmod 600 file.txt 2> chmod.err' check stop | nslab_script - 2>&1)
expect "seccomp: step 2 without a filter names step 1" grep -q "step 1's \`filter chmod\` first" <<<"$out"
same_fingerprint "$before" "seccomp: after step 2 without step 1"

# --- bad input, and the host untouched by the filter ---
out=$(printf '%s\n' 'start seccomp' 'filter nope' 'filter' 'try' 'host grep Seccomp: /proc/self/status' stop | nslab_script - 2>&1)
expect "seccomp: an unknown syscall family is refused in one line" grep -q 'filter: one of chmod, mkdir, chown, unlink (not "nope")' <<<"$out"
expect "seccomp: the host has no filter" test "$(get 'host grep Seccomp: \/proc\/self\/status')" = "$(printf 'Seccomp:\t0')"
same_fingerprint "$before" "seccomp: after bad input"

kill_mid_lab seccomp 3 "$before"
finish
