#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-tui-80x24.sh: the full-screen TUI at 80x24 wraps text at word boundaries.
# Every word of `hint` in the output window is a whole word of the hint
# text (none split across rows), and a task too long for the lab panel ends
# after a whole word with a pointer to `step`, which prints it all.
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
expect "80x24: a task longer than the panel points to \`step\`" wait_screen '\.\.\. \(`step` shows all\)$' 3
last=$(screen | sed -n 's/ \.\.\. (`step` shows all)$//p' | head -1 | awk '{ print $NF }')
expect "80x24: the panel's last task word is whole ('$last')" grep -qxF -- "$last" <<<"$words"

type_line "hint"
expect "80x24: hint printed" wait_screen 'unshare' 5
sleep 0.3
# The output window's rows after the echoed command, up to the input line.
rows=$(screen | sed -n '/> hint *$/,$p' | sed '1d' | head -n -2)
expect "80x24: hint's rows are on screen under its command" test -n "$rows"
bad=$(tr -s ' ' '\n' <<<"$rows" | grep -v '^$' | grep -vxF -f <(printf '%s\n' "$words") | head -5 | tr '\n' ' ')
expect "80x24: no word of hint is split across rows (${bad:-none})" test -z "$bad"

type_line "quit"
expect "quit: nslab exits" wait_exit 5
tui_stop
sleep 0.3
same_fingerprint "$before" "80x24 test"
finish
