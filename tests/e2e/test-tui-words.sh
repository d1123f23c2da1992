#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-tui-words.sh: at 80x24 and 120x40, for every lab: `start LAB`, then for
# each step `step N`, `hint` and `explain`. After each, every word in the
# output window (paged back with PgUp to where the command began) is a whole
# word of what script mode prints for the same commands: no word is split
# across rows. And the lab panel's task, paged with F8, is the step's whole
# task, word for word and in order (nothing cut, nothing joined away).
# Slow (several minutes): every lab, every step, two sizes.
# Run as root (through tests/run-suite.sh, which holds the machine-wide lock).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib-tmux.sh"

if ! command -v tmux >/dev/null; then
	echo "ok - skipped: no tmux"
	exit 0
fi
WORK=$(mktemp -d /tmp/nslab-e2e-words.XXXXXX)
trap 'tui_stop; rm -rf "$XDG_STATE_HOME" "$WORK"' EXIT
before=$(fingerprint)

# Script mode, with a state of its own (progress lines alike in both).
script() { XDG_STATE_HOME="$WORK/state" "$NSLAB" --script - 2>&1; }
mkdir -p "$WORK/state"
labs=$(printf 'labs\n' | script | awk '$2 ~ /^[0-9]+\/[0-9]+$/ { print $1 }')
[ -n "$labs" ] || { not_ok "no labs listed"; finish; exit 1; }
labs=${WORDS_LABS:-$labs} # WORDS_LABS="uts mnt": a quicker look at a few

# PIDs differ from run to run: every number is N on both sides.
norm() { sed -E 's/[0-9]+/N/g'; }

# The walk in script mode: its words, and each step's task (the lines after
# the step's header, up to the prompt).
for lab in $labs; do
	n=$(printf 'start %s\nstop\n' "$lab" | script | sed -n 's/^-- step 1\/\([0-9]*\):.*/\1/p' | head -1)
	echo "$n" >"$WORK/$lab.steps"
	{
		echo "start $lab"
		for ((s = 1; s <= n; s++)); do printf 'step %d\nhint\nexplain\n' "$s"; done
		echo stop
	} | script >"$WORK/$lab.out"
	for ((s = 1; s <= n; s++)); do
		# the last time the step was shown (`start` shows step 1 too)
		awk -v h="-- step $s/$n: " 'index($0, h) == 1 { t = ""; on = 1; next }
			/^nslab\[/ { if (on) last = t; on = 0 } on { t = t $0 "\n" } END { printf "%s", last }' \
			"$WORK/$lab.out" | tr -s ' \t' '\n\n' | grep -v '^$' | norm >"$WORK/$lab.task.$s"
	done
done
cat "$WORK"/*.out | tr -s ' \t' '\n\n' | grep -v '^$' | norm | sort -u >"$WORK/words"

H=0 LAB_H=3
# out_rows: the output window's rows now (under the lab panel and a lab's
# meter, above the input line).
out_rows() {
	local scr l
	scr=$(screen)
	l=$(grep -n -m1 '^ [a-z-]*: ' <<<"$scr" | cut -d: -f1)
	[ -n "$l" ] || return 1
	l=$((l + LAB_H))
	while sed -n "${l}p" <<<"$scr" | grep -Eq '^[a-z]+ \[[^]]*\] '; do l=$((l + 1)); done # a meter
	sed -n "$l,$((H - 2))p" <<<"$scr"
}

MARK=0
# run_marked CMD...: a unique line in the output, then the commands.
run_marked() {
	MARK=$((MARK + 1))
	type_line "host echo word-check-$MARK"
	wait_screen "^word-check-$MARK *\$" 5 || return 1
	local c a b i
	for c in "$@"; do type_line "$c"; done
	# the echo may scroll away under a long output: wait for a still screen
	a=$(screen)
	for ((i = 0; i < 50; i++)); do
		sleep 0.25
		b=$(screen)
		[ "$a" = "$b" ] && grep -q '^nslab\[.*\]> *$' <<<"$b" && return 0
		a=$b
	done
	return 1
}

# long_pieces: drops the pieces of words longer than a row (those have to
# break; scrollback.c breaks them after a '|', ',' or '/' where it can).
long_pieces() {
	local t
	while read -r t; do
		awk -v w="$W" 'length($0) > w' "$WORK/words" | grep -qF -- "$t" || echo "$t"
	done
}

# split_words WHAT: pages back from the bottom to the marker; every word on
# the rows after it must be a whole word of the script's output.
split_words() {
	local what=$1 page rows after bad=
	for ((page = 0; page < 30; page++)); do
		rows=$(out_rows) || { echo "no output window"; return 1; }
		# not the echoed commands, their status, nor notes of other processes
		after=$(sed -n "/^word-check-$MARK *\$/,\$p" <<<"$rows")
		[ -n "$after" ] && rows=$after
		bad+=$(sed '1{/scrolled back/d}' <<<"$rows" | grep -Ev '^(nslab\[.*\]> |\[exit [0-9]+\]|word-check-|new namespace: )' |
			tr -s ' ' '\n' | grep -v '^$' | norm | grep -vxF -f "$WORK/words" | long_pieces | head -5 | tr '\n' ' ')
		[ -n "$after" ] && break
		tm send-keys -t t PPage
		sleep 0.15
	done
	[ -z "$bad" ] && return 0
	echo "$what: split or unknown words: $bad"
	return 1
}

# whole_task LAB STEP: the task box's rows over every F8 page, word for word.
whole_task() {
	local lab=$1 s=$2 pages=0 got="" box mark first=
	for ((pages = 0; pages < 20; pages++)); do
		box=$(screen | sed -n "/^ $lab: /,+$((LAB_H - 1))p" | sed '1d')
		mark=$(grep -o '\[F8 [0-9]*-[0-9]*/[0-9]*\] *$' <<<"$box" | head -1)
		[ -n "$first" ] && [ "${mark#\[F8 1-}" != "$mark" ] && break # round to the top again
		first=1
		got+=$(sed -E 's/\[F8 [0-9]+-[0-9]+\/[0-9]+\] *$//; 1s/^task: //' <<<"$box")$'\n'
		[ -n "$mark" ] || break
		tm send-keys -t t F8
		sleep 0.15
	done
	diff <(tr -s ' \t' '\n\n' <<<"$got" | grep -v '^$' | norm) "$WORK/$lab.task.$s" >/dev/null && return 0
	# A word longer than a whole row of the box (a command's option list) cannot
	# stay whole: it may be cut, but only there, and every piece must be shown.
	local row long
	row=$(sed -E 's/ +$//' <<<"$got" | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
	long=$(awk -v r="$row" 'length($0) > r' "$WORK/$lab.task.$s")
	if [ -n "$long" ] &&
		[ "$(tr -s ' \t' '\n\n' <<<"$got" | grep -v '^$' | norm | tr -d '\n')" = "$(tr -d '\n' <"$WORK/$lab.task.$s")" ] &&
		! diff <(tr -s ' \t' '\n\n' <<<"$got" | grep -v '^$' | norm) "$WORK/$lab.task.$s" | grep '^>' | sed 's/^> //' |
		awk -v r="$row" 'length($0) <= r' | grep -q .; then
		return 0
	fi
	echo "${W}x$H $lab step $s: the task box differs from the task:"
	diff <(tr -s ' \t' '\n\n' <<<"$got" | grep -v '^$' | norm) "$WORK/$lab.task.$s" | head -6
	return 1
}

for size in "80 24" "120 40"; do
	read -r W H <<<"$size"
	LAB_H=$((H >= 30 ? 4 : 3))
	rm -rf "$XDG_STATE_HOME/nslab"
	tui_start "$W" "$H" || { not_ok "${W}x$H: the TUI did not start"; continue; }
	fails=0 checks=0
	for lab in $labs; do
		n=$(cat "$WORK/$lab.steps")
		run_marked "start $lab" && wait_screen "^ $lab: .*step 1/" 10 || {
			not_ok "${W}x$H: start $lab"
			screen | sed 's/^/#   /'
			type_line "stop"
			continue
		}
		checks=$((checks + 1))
		split_words "${W}x$H start $lab" || fails=$((fails + 1))
		for ((s = 1; s <= n; s++)); do
			run_marked "step $s" || { not_ok "${W}x$H $lab: step $s did not run"; continue; }
			checks=$((checks + 2))
			split_words "${W}x$H $lab step $s" || fails=$((fails + 1))
			whole_task "$lab" "$s" || fails=$((fails + 1))
			for c in hint explain; do
				run_marked "$c" || { not_ok "${W}x$H $lab step $s: $c did not run"; continue; }
				checks=$((checks + 1))
				split_words "${W}x$H $lab step $s $c" || fails=$((fails + 1))
			done
		done
		type_line "stop"
		wait_screen "^ no lab running" 15 || not_ok "${W}x$H: stop $lab"
	done
	[ "$fails" = 0 ] && ok "${W}x$H: $checks checks over every lab: no word split, every task whole" ||
		not_ok "${W}x$H: $fails of $checks checks failed (above)"
	type_line "quit"
	wait_exit 10 || type_line "quit"
	wait_exit 5
	tui_stop
done
after=$(fingerprint)
[ "$before" = "$after" ] && ok "the host is as it was" ||
	not_ok "host changed: $(diff <(echo "$before") <(echo "$after") | head -5 | tr '\n' ' ')"
finish
