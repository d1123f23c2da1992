#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-tui-shell.sh: the pane finds what the learner makes, and `shell` runs
# inside the live screen (tmux, 120x30):
#  - `host unshare --ipc sleep 60 &` gets a pane column without `watch`,
#    titled with its command line; `unwatch PID` hides it;
#  - a process started outside nslab in a new namespace is offered in a note;
#  - `shell` keeps the pane and the key bar on screen; in it,
#    `unshare --net sleep 61 &` appears in the pane while the shell is shown;
#  - Ctrl-] returns to the nslab prompt with the shell still running, and
#    `shell` comes back to the same shell; a resize reaches it (stty size);
#  - `exit` returns with "[exit 0]" and the shell's lines in the scrollback;
#  - quit leaves the host as it was (fingerprint).
# Run as root (through tests/run-suite.sh, which holds the machine-wide lock).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib-tmux.sh"

if ! command -v tmux >/dev/null || ! command -v unshare >/dev/null; then
	echo "ok - skipped: no tmux or unshare"
	exit 0
fi
trap 'tui_stop; rm -rf "$XDG_STATE_HOME"' EXIT
before=$(fingerprint)
# pid_of ARGS: the newest process whose command line is exactly ARGS.
pid_of() { pgrep -n -f "^$1\$"; }

tui_start 120 30
type_line "start ipc"
expect "the ipc lab starts" wait_screen '^ ipc: .*step 1/' 10

# --- a learner's process in a namespace of its own, without watch ---
type_line "host unshare --ipc sleep 60 &"
expect "host unshare --ipc sleep 60 &: a pane column titled with its command line" \
	wait_screen '^process.* sleep 60( |$)' 5
p60=$(pid_of "sleep 60")
expect "the column shows its PID ($p60)" wait_screen "^comm \(pid in ns\).* pid $p60( |$)" 2
ipc60=$(stat -L -c %i "/proc/$p60/ns/ipc" 2>/dev/null)
expect "the column's ipc inode is the new namespace's, marked ($ipc60)" wait_screen "^ipc .* $ipc60\*" 2
type_line "unwatch $p60"
expect "unwatch hides the column" bash -c "sleep 1.5; ! tmux -L $TMUX_SOCK capture-pane -p -t t | grep -Eq '^process.* sleep 60( |$)'"
type_line "watch $p60"
expect "watch pins it again (a watch column)" wait_screen "^process.* watch $p60" 3

# --- a namespace made elsewhere on the machine (as from a second terminal) ---
unshare --uts sleep 62 &
OUTSIDE=$!
expect "a process outside nslab in a new namespace is offered in one line" \
	wait_screen "^new namespace: pid $OUTSIDE \`sleep 62\`: watch $OUTSIDE to pin" 5
expect "it gets no column until watched" bash -c "! tmux -L $TMUX_SOCK capture-pane -p -t t | grep -Eq '^process.* sleep 62( |$)'"
kill "$OUTSIDE"
wait "$OUTSIDE" 2>/dev/null

# --- shell inside the screen ---
type_line "shell"
expect "shell: the line under it names the lab and how to leave" \
	wait_screen '^ shell in lab ipc \(pid [0-9]+\) \| Ctrl-\] nslab prompt \| exit ends it' 3
expect "shell: the pane stays on screen" wait_screen '^ipc +[0-9]+ ' 1
expect "shell: the key bar stays on screen" wait_screen 'F10Quit' 1
sleep 0.5
shell_pid=$(screen | sed -n 's/^ shell in lab ipc (pid \([0-9]*\)).*/\1/p' | head -1)
type_line "echo marker-\$((6*7)); unshare --net sleep 61 &"
expect "in the shell: its output is drawn" wait_screen '^marker-42 *$' 3
expect "in the shell: unshare --net sleep 61 & appears in the pane while the shell is shown" \
	wait_screen '^process.* sleep 61( |$)' 5
p61=$(pid_of "sleep 61")
expect "sleep 61 is in the lab cgroup" grep -q '/nslab/' "/proc/$p61/cgroup"
expect "the shell is in the lab cgroup" grep -q '/nslab/' "/proc/$shell_pid/cgroup"

# --- Ctrl-] and back ---
tm send-keys -t t C-]
expect "Ctrl-]: back at the nslab prompt" wait_screen '^nslab\[ipc [0-9]+/[0-9]+\]> *$' 3
expect "Ctrl-]: the shell runs on" wait_screen 'runs on: `shell` returns to it' 2
[ -n "$shell_pid" ] && [ -d "/proc/$shell_pid" ] && ok "Ctrl-]: the shell process ($shell_pid) lives" ||
	not_ok "Ctrl-]: the shell process '$shell_pid' is gone"
type_line "shell"
expect "shell again: the same shell comes back (its screen still shows marker-42)" wait_screen '^marker-42 *$' 3
tm resize-window -t t -x 110 -y 32
sleep 0.5
type_line "stty size"
expect "resize: the shell's terminal follows the output window (110 columns)" wait_screen '^[0-9]+ 110 *$' 3
type_line "printf '\\033[31mred\\033[0m \\342\\234\\223\\n'"
expect "UTF-8: a check mark drawn" wait_screen '^red ✓ *$' 3
expect "colours: red drawn in red" bash -c "tmux -L $TMUX_SOCK capture-pane -e -p -t t | grep -q \$'\\e\\[31mred'"
type_line "exit"
expect "exit: back at the prompt with the status" wait_screen '^\[exit 0\]' 5
expect "exit: the shell's lines stay in the scrollback" wait_screen '^marker-42 *$' 2
expect "exit: the shell's process is gone" bash -c "sleep 0.3; [ ! -d /proc/$shell_pid ]"
expect "exit: the banner is in the scrollback" wait_screen 'shell in lab ipc .*Ctrl-\] to the prompt' 1

# --- shell host, and quit with a shell left running ---
type_line "shell host"
expect "shell host: a host shell" wait_screen '^ shell on the host \(pid [0-9]+\)' 3
sleep 0.3
type_line "readlink /proc/\$\$/ns/net"
expect "shell host: the host's net namespace" wait_screen "^net:\[$(stat -L -c %i /proc/$$/ns/net)\]" 3
tm send-keys -t t C-]
expect "Ctrl-] from the host shell" wait_screen '^nslab\[ipc [0-9]+/[0-9]+\]> *$' 3
type_line "quit"
type_line "quit"
expect "quit: nslab exits" wait_exit 10
[ "$(exit_status)" = 0 ] && ok "quit: exit status 0" || not_ok "quit: exit status '$(exit_status)'"
expect "quit: the terminal is usable again" terminal_usable
sleep 0.5
for p in $p61 $shell_pid; do
	[ ! -d "/proc/$p" ] && ok "quit: process $p is gone" || not_ok "quit: process $p still there"
done
kill "$p60" 2>/dev/null # started by `host ... &`: in the lab cgroup, so gone already
after=$(fingerprint)
[ "$before" = "$after" ] && ok "quit leaves nothing behind (host fingerprint)" ||
	not_ok "host changed: $(diff <(echo "$before") <(echo "$after") | head -5 | tr '\n' ' ')"
tui_stop
finish
