# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/lib/byhand.sh: sourced after common.sh by the namespace labs' root tests.
# A lab walked by hand: every step done by typing its task's own command lines
# (no `do`), read from the text nslab prints, in script mode; each check must
# fail before the lines and pass after, from a fresh start and again after
# `reset`.

# task_lines ID N: the command lines of step N's task as nslab prints them:
# the lines indented by two spaces, without a trailing "(comment)".
task_lines() {
	printf 'start %s\nstep %s\nstop\n' "$1" "$2" | nslab_script - 2>&1 |
		awk '/^-- step / { keep = 1; n = 0; delete l; next } keep && /^  [a-z]/ { l[++n] = $0 }
			/^nslab.*> stop$/ { for (i = 1; i <= n; i++) print l[i]; exit }' |
		sed -E 's/^  //; s/[[:space:]]{2,}\(.*\)$//'
}

# byhand_walk ID: one ok/not ok per step and pass (fresh, after reset), and
# one for the task lines' own output; the transcript is left in BYHAND_OUT.
# Optional, for a task that says so itself: BYHAND_SKIP, an ERE of task lines
# not typed (the other cgroup layout's lines of a task that shows both), and
# BYHAND_FAILS, an ERE of output lines a task announces ("it fails"): such a
# line, and the exit status of its command, are not a failed task line.
byhand_walk() {
	local id=$1 n i pass script line results
	n=$(lab_steps "$id")
	if [ -z "$n" ]; then not_ok "$id by hand: could not start"; return 1; fi
	script="start $id"$'\n'
	for pass in fresh reset; do
		[ "$pass" = reset ] && script+="reset"$'\n'
		for ((i = 1; i <= n; i++)); do
			script+="check"$'\n'
			while IFS= read -r line; do
				[ -n "${BYHAND_SKIP:-}" ] && [[ $line =~ $BYHAND_SKIP ]] && continue
				script+="$line"$'\n'
			done < <(task_lines "$id" "$i")
			# a learner's pause: what `run ... &` started has run before the check
			script+="host sleep 0.3"$'\n'"check"$'\n'"next"$'\n'
		done
	done
	script+="stop"$'\n'
	BYHAND_OUT=$(printf '%s' "$script" | nslab_script - 2>&1)
	mapfile -t results < <(printf '%s\n' "$BYHAND_OUT" | grep -E '^check: (ok|not yet)' | awk '{ print $2 }')
	local k=0
	for pass in fresh reset; do
		for ((i = 1; i <= n; i++)); do
			local before=${results[$k]:-none} after=${results[$((k + 1))]:-none}
			k=$((k + 2))
			if [ "$before" = "not" ] && [ "$after" = "ok" ]; then
				ok "$id by hand ($pass) step $i: check fails before the task's lines, passes after"
			else
				not_ok "$id by hand ($pass) step $i: before=$before after=$after"
				printf '%s\n' "$BYHAND_OUT" | grep -E '^  missing|^check|^nslab.*> (run|host)' | sed 's/^/#   /' | tail -20
			fi
		done
	done
	# exit 1 alone is grep -c counting 0, which some lines expect; any
	# other status, or a tool's own complaint, is a task line that failed.
	local bad='^(sh: |[a-z]+: [^ ]*: |nslab: |error: |Error: )|unknown command|\[exit ([2-9]|[1-9][0-9]+)\]'
	# A line the task announces, and the [exit N] of its command, are not.
	local failed
	failed=$(printf '%s\n' "$BYHAND_OUT" | BAD=$bad FAILS=${BYHAND_FAILS:-} awk '
		/^nslab.*> / { announced = 0 }
		ENVIRON["FAILS"] != "" && $0 ~ ENVIRON["FAILS"] { announced = 1; next }
		announced && /^\[exit [0-9]+\]$/ { next }
		$0 ~ ENVIRON["BAD"]')
	if [ -n "$failed" ]; then
		not_ok "$id by hand: a task line failed"
		printf '%s\n' "$failed" | sed 's/^/#   /' | head
	else
		ok "$id by hand: every task line ran without an error"
	fi
}

# check_results OUT: the check results in OUT as one word, n = not yet, o = ok ("no").
check_results() { printf '%s\n' "$1" | awk '/^check: not yet/ { printf "n" } /^check: ok/ { printf "o" } END { print "" }'; }
