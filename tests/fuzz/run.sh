#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh SECONDS FUZZER...: runs each libFuzzer target for SECONDS with its
# own corpus in build/fuzz/corpus/<name>/ (kept between runs, so each run
# starts where the last one stopped), and prints one line of figures each.
# A crash, leak or sanitizer report leaves build/fuzz/<name>-crash-* and
# fails the run; the fuzzer's log is build/fuzz/<name>.log.
set -u
secs=$1; shift
fail=0
for f in "$@"; do
	name=$(basename "$f")
	dir=$(dirname "$f")
	corpus=$dir/corpus/$name
	mkdir -p "$corpus"
	dict=()
	case $name in fuzz_repl | fuzz_script) dict=(-dict=tests/fuzz/repl.dict) ;; esac
	"$f" -max_total_time="$secs" -timeout=10 -print_final_stats=1 "${dict[@]}" \
		-artifact_prefix="$dir/$name-" "$corpus" >"$dir/$name.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/$name.log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/$name.log")
	cov=$(grep -o 'cov: [0-9]*' "$dir/$name.log" | tail -n 1)
	files=$(find "$corpus" -type f | wc -l)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz: $name: ${execs:-?} execs in ${secs}s (${rate:-?}/s), ${cov:-cov: ?}, corpus $files"
	else
		fail=1
		echo "fuzz: $name: FAILED (exit $rc) after ${execs:-?} execs; see $dir/$name.log:"
		grep -m 1 -A 12 'ERROR: \|==ERROR\|runtime error\|deadly signal' "$dir/$name.log"
	fi
done
exit "$fail"
