#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-tui-signals.sh: the TUI gives the terminal back on every way out:
# SIGTERM (after the normal cleanup), SIGSEGV and SIGABRT (re-raised after the
# terminal is restored), SIGKILL (then `nslab --cleanup`); NO_COLOR still
# marks differences; TERM=dumb falls back to the plain REPL.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib-tmux.sh"

if ! command -v tmux >/dev/null; then
	echo "ok - skipped: no tmux"
	exit 0
fi
trap 'tui_stop; rm -rf "$XDG_STATE_HOME"' EXIT
ino() { stat -L -c %i "/proc/$1/ns/$2"; }
host_uts=$(ino $$ uts)
before=$(fingerprint)

# Processes of a killed run go away by themselves (PR_SET_PDEATHSIG), but
# not at once: wait for them before cleaning up and comparing.
settle() {
	for _ in $(seq 60); do
		pgrep -f nslab-agent >/dev/null || return 0
		sleep 0.05
	done
}

same_fingerprint() {
	local after
	settle
	after=$(fingerprint)
	if [ "$before" = "$after" ]; then ok "$1: host fingerprint unchanged"; else
		not_ok "$1: host fingerprint changed"
		diff <(echo "$before") <(echo "$after") | head
	fi
}

# start_lab: the TUI with the uts lab running and renamed.
start_lab() {
	tui_start 100 30 "$@"
	type_line "start uts"
	wait_screen 'step 1/' 10
	type_line "run hostname sig"
	wait_screen '^\[exit 0\]' 5
}

# killed_by SIG NAME: nslab dies of SIG with the terminal restored.
killed_by() {
	local sig=$1 num=$2 pid
	start_lab
	pid=$(tui_pid)
	kill -s "$sig" "$pid"
	expect "SIG$sig: nslab exits" wait_exit 5
	[ "$(exit_status)" = $((128 + num)) ] && ok "SIG$sig: died of the signal (status $((128 + num)))" ||
		not_ok "SIG$sig: status '$(exit_status)', wanted $((128 + num))"
	expect "SIG$sig: the terminal is usable again" terminal_usable
	tui_stop
}

killed_by TERM 15
same_fingerprint "SIGTERM (cleaned up on the way out)"

killed_by SEGV 11
settle; "$NSLAB" --cleanup >/dev/null 2>&1
same_fingerprint "SIGSEGV then nslab --cleanup"

killed_by ABRT 6
settle; "$NSLAB" --cleanup >/dev/null 2>&1
same_fingerprint "SIGABRT then nslab --cleanup"

# SIGKILL cannot be caught: the terminal stays raw (a shell's `reset` fixes
# it); what matters is that --cleanup removes the lab.
start_lab
lab=$(screen | sed -n 's/^process .* lab \([0-9][0-9]*\).*/\1/p' | head -1)
[ -n "$lab" ] && [ "$(ino "$lab" uts)" != "$host_uts" ] && ok "SIGKILL run: lab in its own uts namespace" ||
	not_ok "SIGKILL run: no lab in its own uts namespace"
kill -KILL "$(tui_pid)"
wait_exit 5
tui_stop
settle; "$NSLAB" --cleanup >/dev/null 2>&1
same_fingerprint "SIGKILL then nslab --cleanup"

# NO_COLOR: the differing cell is still marked, in reverse video, not colour.
start_lab NO_COLOR=1
lab=$(screen | sed -n 's/^process .* lab \([0-9][0-9]*\).*/\1/p' | head -1)
cell=$(screen_attrs | grep "^uts" | grep -o $'\e\\[[0-9;]*m[0-9]*\\*' | head -1)
[ -n "$cell" ] && ok "NO_COLOR: the differing cell carries the marker" || not_ok "NO_COLOR: no marked cell"
if [[ "$cell" == *7m* || "$cell" == *";7"* ]] && ! [[ "$cell" =~ \[(3|4)[0-7]m|\;(3|4)[0-7] ]]; then
	ok "NO_COLOR: reverse video, no colour"
else
	not_ok "NO_COLOR: cell attributes: $(printf '%q' "$cell")"
fi
if screen_attrs | grep -q $'\e\\[3[1-7]m'; then not_ok "NO_COLOR: colours on screen"; else ok "NO_COLOR: no colours anywhere"; fi
type_line quit
type_line quit # the first one asks, mid-lab
wait_exit 5
tui_stop

# TERM=dumb: the plain REPL, no full screen.
tm kill-server 2>/dev/null
printf 'set -g status off\n' >/tmp/nslab-e2e-dumb.$$
tm -f /tmp/nslab-e2e-dumb.$$ new-session -d -s t -x 100 -y 30 \
	env TERM=dumb NSLAB_LAB_PATH="$NSLAB_LAB_PATH" XDG_STATE_HOME="$XDG_STATE_HOME" "$NSLAB"
rm -f /tmp/nslab-e2e-dumb.$$
expect "TERM=dumb: the plain prompt" wait_screen '^nslab>' 5
sleep 0.3
screen | grep -q F10Quit && not_ok "TERM=dumb: full screen drawn" || ok "TERM=dumb: no full screen"
type_line quit
tui_stop

same_fingerprint "end of the test"
finish
