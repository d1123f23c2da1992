#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-tui.sh: the full-screen TUI on the real binary, in tmux: the pane shows
# host and lab inodes with the difference marker, follows `watch`, survives
# resizes, runs `shell` inside the screen, and leaves a usable terminal on `quit`.
# Run as root (through tests/run-suite.sh, which holds the machine-wide lock).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib-tmux.sh"

if ! command -v tmux >/dev/null; then
	echo "ok - skipped: no tmux"
	exit 0
fi
ino() { stat -L -c %i "/proc/$1/ns/$2"; }
SLEEPER=
cleanup_test() {
	[ -n "$SLEEPER" ] && kill "$SLEEPER" 2>/dev/null
	tui_stop
	rm -rf "$XDG_STATE_HOME"
}
trap cleanup_test EXIT

before=$(fingerprint)
host_uts=$(ino $$ uts)

tui_start 100 30
[ -n "$host_uts" ] || { not_ok "cannot read this shell's namespaces"; finish; exit 1; }
expect "the TUI starts with the namespace pane" wait_screen "^uts +$host_uts" 5
expect "the key bar is drawn" wait_screen 'F1Help.*F10Quit' 1

type_line "start uts"
expect "start uts: the lab panel shows the lab and its step" wait_screen 'uts: .*step 1/[0-9]+' 10
type_line "run hostname x"
expect "run hostname x: the command's status shows" wait_screen '^\[exit 0\]' 5
lab=$(screen | sed -n 's/^process .* lab \([0-9][0-9]*\).*/\1/p' | head -1)
if [ -n "$lab" ] && [ -d "/proc/$lab" ]; then
	ok "the pane header names the lab process ($lab)"
	lab_uts=$(ino "$lab" uts)
	[ "$lab_uts" != "$host_uts" ] && ok "the lab process has its own uts namespace" ||
		not_ok "lab uts $lab_uts equals the host's"
	expect "uts row: host inode and lab inode with the marker" \
		wait_screen "^uts +$host_uts +$lab_uts\\*" 2
	expect "mnt row: same inode twice, no marker" \
		wait_screen "^mnt +$(ino $$ mnt) +$(ino $$ mnt)( |$)" 1
	[ "$(hostname)" != x ] && ok "the host's hostname is untouched" || not_ok "host hostname changed"
else
	not_ok "no lab column in the pane header"
fi
if screen_attrs | grep -q "$lab_uts\\*" && screen_attrs | grep "$lab_uts\\*" | grep -q $'\e\\['; then
	ok "the differing cell is highlighted"
else
	not_ok "the differing cell has no attributes"
fi
type_line "check"
expect "check: the panel shows the result" wait_screen 'check: ok *$' 5

# A process started outside nslab, then watched: its inodes show up.
unshare -u sleep 60 &
SLEEPER=$!
for _ in $(seq 50); do [ "$(ino "$SLEEPER" uts 2>/dev/null)" != "$host_uts" ] && break; sleep 0.05; done
w_uts=$(ino "$SLEEPER" uts)
type_line "watch $SLEEPER"
expect "watch: a column for the watched PID" wait_screen "watch $SLEEPER" 3
expect "watch: its uts inode, marked" wait_screen "^uts .* $w_uts\\*" 2
# The pane follows the kernel by itself: the process going away drops its column.
kill "$SLEEPER"; wait "$SLEEPER" 2>/dev/null; SLEEPER=
expect "the pane drops a process that exited" bash -c "for i in \$(seq 40); do tmux -L $TMUX_SOCK capture-pane -p -t t | grep -q '^process .*watch [0-9]' || exit 0; sleep 0.05; done; exit 1"

# Resizes: to the minimum, below it, and back.
tm resize-window -t t -x 80 -y 24
expect "80x24: the pane and the prompt still fit" wait_screen '^uts ' 3
expect "80x24: the key bar is on the last line" bash -c "tmux -L $TMUX_SOCK capture-pane -p -t t | tail -1 | grep -q F10Quit"
# in display columns (wc -L): the pane's ellipsis is one column and three bytes
[ "$(screen | wc -L)" -le 80 ] && ok "80x24: no line wider than 80" || not_ok "80x24: a line is wider than 80"
tm resize-window -t t -x 60 -y 20
expect "60x20: a clear message instead of the layout" wait_screen 'needs at least 80x24' 3
tm resize-window -t t -x 120 -y 40
expect "120x40: the layout is back" wait_screen "^uts +$host_uts" 3
expect "120x40: the key bar is on the last line" bash -c "tmux -L $TMUX_SOCK capture-pane -p -t t | tail -1 | grep -q F10Quit"

# Scrollback: PgUp shows older output and says so; PgDn returns.
for i in 1 2 3; do type_line "help"; done
wait_screen 'nslab\[uts' 3
tm send-keys -t t PPage
expect "PgUp: scrolled back" wait_screen 'scrolled back [0-9]+ lines' 2
tm send-keys -t t NPage NPage NPage NPage NPage NPage NPage NPage
expect "PgDn: back at the bottom" bash -c "sleep 0.3; ! tmux -L $TMUX_SOCK capture-pane -p -t t | grep -q 'scrolled back'"

# `shell` runs inside the screen (test-tui-shell.sh has the rest); `exit` returns.
type_line "shell"
expect "shell: the pane and the key bar stay, the line under the shell names the lab" \
	wait_screen '^ shell in lab uts \(pid [0-9]+\) \| Ctrl-\]' 3
expect "shell: the pane is still drawn" wait_screen "^uts +$host_uts" 1
sleep 0.5
type_line "hostname > /tmp/nslab-e2e-shell.$$"
tm resize-window -t t -x 90 -y 28 # the terminal changes size while the shell is on it
sleep 0.3
type_line "exit"
expect "after exit: the prompt is back with the status" wait_screen '^\[exit 0\]' 5
expect "after exit: the key bar is there" wait_screen 'F10Quit' 1
expect "after exit: the layout follows the new size (key bar on line 28)" \
	bash -c "[ \"\$(tmux -L $TMUX_SOCK capture-pane -p -t t | sed -n 28p | grep -c F10Quit)\" = 1 ]"
[ "$(cat /tmp/nslab-e2e-shell.$$ 2>/dev/null)" = x ] && ok "the shell ran inside the lab (hostname x)" ||
	not_ok "the shell did not run in the lab"
rm -f /tmp/nslab-e2e-shell.$$

# Ctrl-C while a command runs interrupts the command, not nslab or the lab.
type_line "run sleep 30; echo not-interrupted"
wait_screen 'Ctrl-C interrupts' 3
sleep 0.3
tm send-keys -t t C-c
expect "Ctrl-C: the running command stops" wait_screen '^\[(exit 130|killed by signal 2|.*signal.*)\]|^\[exit [0-9]+\]$' 3
sleep 0.2
screen | grep -q '^not-interrupted' && not_ok "Ctrl-C: the command went on" || ok "Ctrl-C: the command did not go on"
[ -d "/proc/$lab" ] && ok "Ctrl-C: the lab process lives on" || not_ok "Ctrl-C: the lab process died"
expect "Ctrl-C: back at the prompt" wait_screen '^nslab\[uts [0-9]+/[0-9]+\]> *$' 3

# Up recalls the last command; the cursor column counts wide characters as 2.
tm send-keys -t t Up
expect "Up: history recalls the last command" wait_screen '^nslab\[uts [0-9]+/[0-9]+\]> run sleep 30; echo not-interrupted' 2
tm send-keys -t t C-u
tm send-keys -t t -l "host echo 한글"
wait_screen '한글' 2
prompt_w=$(screen | grep -o '^nslab\[uts [0-9]*/[0-9]*\]> ' | tail -1 | wc -L)
want=$((prompt_w + 10 + 4))
[ "$(pane_var cursor_x)" = "$want" ] && ok "wide characters: cursor at column $want" ||
	not_ok "wide characters: cursor at $(pane_var cursor_x), wanted $want"
tm send-keys -t t Enter
expect "wide characters: the output shows them" wait_screen '^한글$' 3
# A line longer than the screen scrolls sideways; the cursor stays on screen.
tm send-keys -t t -l "host echo $(printf 'x%.0s' $(seq 150))END"
sleep 0.3
expect "long line: its end is visible" wait_screen 'xEND$' 2
cx=$(pane_var cursor_x)
[ "$cx" -lt 120 ] && ok "long line: the cursor is on screen ($cx)" || not_ok "long line: cursor at $cx"
tm send-keys -t t C-u

# Ctrl-L redraws; the screen stays whole.
tm send-keys -t t C-l
expect "Ctrl-L: the screen is whole" wait_screen 'F10Quit' 2

# Tab completion lists go into the output window.
tm send-keys -t t -l "st"
tm send-keys -t t Tab Tab
expect "completion: candidates listed in the output window" wait_screen '(start|status|step|stop) +(start|status|step|stop)' 3
tm send-keys -t t C-u

# Output lines wrap at word boundaries: a 440-column line of ten-letter words
# leaves no word split across rows.
type_line 'host for i in $(seq 40); do printf "abcdefghij "; done; echo'
wait_screen '^(abcdefghij )+' 5
split=$(screen | grep -E '^[a-j ]+$' | tr ' ' '\n' | grep -v '^$' | grep -cvx abcdefghij)
rows=$(screen | grep -cE '^[a-j ]+$')
expect "output wraps at words: $rows rows of words, $split split words" test "$rows" -ge 2 -a "$split" = 0

type_line "quit"
expect "quit mid-lab: asked once, nslab stays" wait_screen 'lab uts is running: .quit. again' 5
expect "quit mid-lab: still running after the question" bash -c "sleep 0.5; [ ! -s '$TUI_OUT.stty' ]"
type_line "quit"
expect "quit: nslab exits" wait_exit 5
[ "$(exit_status)" = 0 ] && ok "quit: exit status 0" || not_ok "quit: exit status '$(exit_status)'"
expect "quit: the terminal is usable again (icanon, echo, main screen, cursor)" terminal_usable
tui_stop

sleep 0.3
after=$(fingerprint)
if [ "$before" = "$after" ]; then ok "host fingerprint unchanged"; else
	not_ok "host fingerprint changed"; diff <(echo "$before") <(echo "$after") | head; fi
finish
