#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `nslab --demo FILE` on a terminal plays in the full screen: the next command
# appears in the input line, Space/Enter runs it, b shows the previous output
# again, q quits with status 0, a usable terminal and nothing left behind.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib-tmux.sh"

DEMO=$(mktemp /tmp/nslab-e2e-demo.XXXXXX)
WRAP=$(mktemp /tmp/nslab-e2e-wrap.XXXXXX)
printf '# The lab gets its own hostname.\nstart uts\nrun hostname demo-host\nrun hostname\n' >"$DEMO"
printf '#!/bin/sh\nexec %q --demo %q\n' "$NSLAB" "$DEMO" >"$WRAP"
chmod +x "$WRAP"
trap 'tui_stop; rm -f "$DEMO" "$WRAP"; rm -rf "$XDG_STATE_HOME"' EXIT

before=$(fingerprint)
REAL=$NSLAB NSLAB=$WRAP tui_start 100 30
expect "the screen says it is a demo" wait_screen 'Demo: 3 commands' 5
expect "the narration is shown before its command" wait_screen '# The lab gets its own hostname' 3
expect "the first command is typed into the input line" wait_screen '> start uts' 5
tm send-keys -t t ' '
expect "space runs it: the lab starts and the pane shows it" wait_screen 'uts +[0-9]+ +[0-9]+\*' 10
expect "the next command is typed" wait_screen '> run hostname demo-host' 5
tm send-keys -t t Enter
expect "the next one follows" wait_screen '> run hostname$' 5
tm send-keys -t t Enter
expect "its output is the lab's new hostname" wait_screen '^demo-host$' 5
tm send-keys -t t b
expect "b shows the previous command's output again" wait_screen '-{3} again: run hostname' 3
tm send-keys -t t q
expect "q quits" wait_exit 5
expect "exit status 0" test "$(exit_status)" = 0
expect "the terminal is usable again" terminal_usable
tui_stop
sleep 0.3
after=$(fingerprint)
if [ "$before" = "$after" ]; then ok "host fingerprint unchanged"; else
	not_ok "host fingerprint unchanged"; diff <(echo "$before") <(echo "$after") | head; fi
finish
