# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/lib-tmux.sh: drive the real nslab binary in a private tmux server.
# Sourced after tests/lib/common.sh. Each test gets its own socket, so it never
# touches the user's tmux or another test's.
TMUX_SOCK="nslab-e2e-$$"
tm() { tmux -L "$TMUX_SOCK" "$@"; }

# tui_start COLS ROWS [ENV=VAL...]: nslab full-screen in a detached session
# `t`. A small wrapper waits for it and then records its exit status and the
# terminal modes it left behind (the pty must outlive nslab for that).
TUI_OUT=/tmp/nslab-e2e-$$
tui_start() {
	local cols=$1 rows=$2
	shift 2
	tm kill-server 2>/dev/null
	TMUX_CONF=$(mktemp /tmp/nslab-e2e-tmux.XXXXXX)
	printf 'set -g status off\nset -g remain-on-exit on\nset -g default-terminal tmux-256color\n' >"$TMUX_CONF"
	tm -f "$TMUX_CONF" new-session -d -s t -x "$cols" -y "$rows" \
		env TERM=xterm-256color NSLAB_LAB_PATH="$NSLAB_LAB_PATH" XDG_STATE_HOME="$XDG_STATE_HOME" "$@" \
		sh -c 'trap "" INT; "$1"; echo $? >"$2.status"; stty -a >"$2.stty"; exec sleep 600' sh "$NSLAB" "$TUI_OUT"
	rm -f "$TMUX_CONF"
	wait_screen 'F10Quit' 5
}

screen() { tm capture-pane -p -t t; }
screen_attrs() { tm capture-pane -e -p -t t; }
pane_var() { tm display-message -p -t t "#{$1}"; }
# The PID of nslab itself (the wrapper's child).
tui_pid() { pgrep -P "$(pane_var pane_pid)" -x nslab; }

# wait_screen REGEX SECONDS: until the screen matches (extended regex).
wait_screen() {
	local re=$1 secs=${2:-5} i
	for ((i = 0; i < secs * 20; i++)); do
		screen | grep -Eq -- "$re" && return 0
		sleep 0.05
	done
	return 1
}

# type_line TEXT: types a line and presses Enter.
type_line() {
	tm send-keys -t t -l -- "$1"
	tm send-keys -t t Enter
}

# wait_exit SECONDS: until nslab has exited (the wrapper wrote its status).
wait_exit() {
	local i
	for ((i = 0; i < ${1:-5} * 20; i++)); do
		[ -s "$TUI_OUT.stty" ] && return 0
		sleep 0.05
	done
	return 1
}
exit_status() { cat "$TUI_OUT.status" 2>/dev/null; }

# After nslab left: its exit status, and a terminal a shell can use again
# (canonical mode and echo back, main screen, cursor visible).
terminal_usable() {
	grep -Eq '(^| )icanon( |$)' "$TUI_OUT.stty" && grep -Eq '(^| )echo( |$)' "$TUI_OUT.stty" &&
		[ "$(pane_var alternate_on)" = 0 ] && [ "$(pane_var cursor_flag)" = 1 ]
}

tui_stop() {
	tm kill-server 2>/dev/null
	rm -f "$TUI_OUT.status" "$TUI_OUT.stty" "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TMUX_SOCK"
}
