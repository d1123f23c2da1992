#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-tui-80x24.sh: the full-screen TUI at 80x24 wraps text at word boundaries.
# Every word of `hint` in the output window is a whole word of the hint
# text (none split across rows); a task too long for the lab panel says so
# ("[F8 1-2/N]") and F8 shows its next rows; F7 toggles the full pane.
# The pane is compact there: after `start uts` only the uts row (marked) and
# a line with the legend, so the output window keeps 12 rows or more; lab and
# step titles too long for the status bar end after a whole word.
# Run as root (through tests/run-suite.sh, which holds the machine-wide lock).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib-tmux.sh"

if ! command -v tmux >/dev/null; then
	echo "ok - skipped: no tmux"
	exit 0
fi
trap 'tui_stop; rm -rf "$XDG_STATE_HOME"' EXIT
before=$(fingerprint)

# The words of the texts, as script mode prints them (one line per source line).
words=$(printf 'start pivot-root\nstep\nhint\nstop\n' | "$NSLAB" --script - 2>&1 | tr -s ' \t' '\n\n' | sort -u)

tui_start 80 24
type_line "start pivot-root"
expect "80x24: the lab panel shows the step" wait_screen '^ pivot-root: ' 10
expect "80x24: a task longer than the panel says F8 shows the rest" wait_screen '\[F8 1-2/[0-9]+\] *$' 3
tm send-keys -t t F8
expect "80x24: F8 shows the task's next rows" wait_screen '\[F8 3-4/[0-9]+\] *$' 2
tm send-keys -t t F7
expect "80x24: F7 shows the full pane (every type's row)" wait_screen '^time_for_children ' 2
tm send-keys -t t F7
expect "80x24: F7 again: the compact pane" bash -c "sleep 0.3; ! tmux -L $TMUX_SOCK capture-pane -p -t t | grep -q '^time_for_children '"

type_line "hint"
expect "80x24: hint printed" wait_screen 'unshare' 5
sleep 0.3
# The output window's rows after the echoed command, up to the input line.
rows=$(screen | sed -n '/> hint *$/,$p' | sed '1d' | head -n -2)
expect "80x24: hint's rows are on screen under its command" test -n "$rows"
bad=$(tr -s ' ' '\n' <<<"$rows" | grep -v '^$' | grep -vxF -f <(printf '%s\n' "$words") | head -5 | tr '\n' ' ')
expect "80x24: no word of hint is split across rows (${bad:-none})" test -z "$bad"

# --- the compact pane ---
type_line "stop"
type_line "start uts"
expect "80x24: uts started" wait_screen '^ uts: .*step 1/' 10
expect "80x24 compact pane: the uts row is shown, the lab's inode marked" \
	wait_screen '^uts +[0-9]+ +[0-9]+\*' 5
expect "80x24 compact pane: the legend is on screen" wait_screen '^\* = differs from nslab' 2
expect "80x24 compact pane: rows where nothing differs are not" \
	bash -c "! tmux -L $TMUX_SOCK capture-pane -p -t t | grep -Eq '^(mnt|ipc|cgroup) +[0-9]'"
type_line "run seq 1 40"
expect "80x24: seq printed" wait_screen '^40 *$' 5
sleep 0.3
nrows=$(screen | grep -cE '^[0-9]+ *$')
expect "80x24: the output window shows 12 rows or more ($nrows lines of seq)" test "$nrows" -ge 12

# --- titles cut after a whole word ---
# frag_whole FULL SHOWN: SHOWN is FULL, or a start of it that ends after a
# whole word, followed by an ellipsis.
frag_whole() {
	local full=$1 shown=$2 base
	[ "$shown" = "$full" ] && return 0
	base=${shown%…}
	[ "$base" = "$shown" ] && base=${shown%...}
	[ "$base" != "$shown" ] && [ -n "$base" ] || return 1
	case "$full" in "$base "* | "$base"[,:\;\|]*) return 0 ;; esac
	return 1
}
# status_titles ID: the lab title and the step title as the status bar shows them.
status_titles() {
	local line
	line=$(screen | grep -m1 "^ $1: ") || return 1
	line=$(sed -E 's/ +(not checked yet|check: ok|check: not yet|lab complete) *$//; s/ +$//' <<<"$line")
	shown_title=${line#" $1: "}
	shown_title=${shown_title%% | step *}
	shown_step=$(sed -E 's/^.* \| step [0-9]+\/[0-9]+: //' <<<"$line")
}
# The titles as script mode prints them (`labs` and `start`).
titles=$(printf 'labs\nstart ipc\nstop\n' | "$NSLAB" --script - 2>&1)
ipc_title=$(sed -n 's/^  ipc  *[0-9]*\/[0-9]*  //p' <<<"$titles" | head -1)
ipc_step=$(sed -n 's/.*step 1\/[0-9]*: \(.*\) --$/\1/p' <<<"$titles" | head -1)
uts_title=$(printf 'labs\n' | "$NSLAB" --script - 2>&1 | sed -n 's/^  uts  *[0-9]*\/[0-9]*  //p')
expect "the titles are known (ipc '$ipc_title', step '$ipc_step')" test -n "$ipc_title" -a -n "$ipc_step" -a -n "$uts_title"

status_titles uts
expect "80x24: uts's title fits whole ('$shown_title')" test "$shown_title" = "$uts_title"
type_line "stop"
type_line "start ipc"
expect "80x24: ipc started" wait_screen '^ ipc: .*step 1/' 10
status_titles ipc
expect "80x24: the lab title is cut after a whole word ('$shown_title' of '$ipc_title')" \
	frag_whole "$ipc_title" "$shown_title"
expect "80x24: the lab title is cut, not dropped" test "${#shown_title}" -ge 4
expect "80x24: the step title is whole or cut after a whole word ('$shown_step' of '$ipc_step')" \
	frag_whole "$ipc_step" "$shown_step"
# in display columns (wc -L): an ellipsis is one column and three bytes
[ "$(screen | wc -L)" -le 80 ] && ok "80x24: no line wider than 80" || not_ok "80x24: a line is wider than 80"

type_line "quit"
type_line "quit" # the first one asks, mid-lab
expect "quit: nslab exits" wait_exit 5
tui_stop
sleep 0.3
same_fingerprint "$before" "80x24 test"
finish
