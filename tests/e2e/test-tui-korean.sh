#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-tui-korean.sh: the full-screen TUI in Korean (issue 15), at 80x24 and
# 120x40. Hangul takes two columns a syllable: no screen line may be wider
# than the terminal in display columns, no syllable may be broken (the
# screen is valid UTF-8 without U+FFFD), no word of the Korean hint may be
# split across rows, the pane's labels (row labels, legend, the compact
# pane's summary) are Korean while its inode columns and column titles stand
# where they stand in English, and after typing Hangul at the prompt the
# cursor is right after it.
# Run as root (through tests/run-suite.sh, which holds the machine-wide lock).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib-tmux.sh"

KO=ko_KR.UTF-8
if ! command -v tmux >/dev/null; then
	echo "ok - skipped: no tmux"
	exit 0
fi
if ! locale -a 2>/dev/null | grep -qix 'ko_KR\.utf-\?8'; then
	not_ok "the $KO locale is missing (make deps generates it)"
	finish
fi
trap 'tui_stop; rm -rf "$XDG_STATE_HOME"' EXIT
before=$(fingerprint)

# width: the widest line of stdin in display columns (East Asian wide and
# full-width characters take two).
width() {
	python3 -c '
import sys, unicodedata
w = 0
for line in sys.stdin.read().split("\n"):
    w = max(w, sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line))
print(w)'
}
# valid_text: stdin is UTF-8 with no replacement character.
valid_text() { python3 -c 'import sys; t = sys.stdin.buffer.read().decode("utf-8"); sys.exit("\ufffd" in t)'; }
# columns: the pane's uts row with every digit shown as 9: where its
# inode columns start and end, whatever the inode numbers are.
columns() { screen | grep -m1 -E '^uts +[0-9]+ ' | tr '0-9' '9' | sed 's/ *$//'; }
# titles: the display columns where the words of the pane's two header rows
# start right of its 17-column label column (the column titles: "nslab
# PID", "sleep (1)", ...), whatever the labels' language and the PIDs.
titles() {
	screen | head -2 | python3 -c '
import sys, unicodedata
for line in sys.stdin.buffer.read().decode("utf-8", "replace").split("\n")[:2]:
    col, prev, starts = 0, " ", []
    for c in line:
        if col >= 17 and c != " " and prev == " ":
            starts.append(str(col))
        col += 2 if unicodedata.east_asian_width(c) in "WF" else 1
        prev = c
    print(" ".join(starts))' | tr '\n' '/'
}

# The words of the Korean hint, as script mode prints them.
hint_words=$(printf 'start uts\nhint\nstop\n' | LC_ALL=$KO "$NSLAB" --script - 2>&1 | sed -n '/^힌트:/,/^nslab/p' |
	tr -s ' \t' '\n\n' | sort -u)
expect "script mode: the uts hint is Korean" grep -q '힌트:' <<<"$hint_words"

for size in 80x24 120x40; do
	cols=${size%x*}
	rows=${size#*x}
	# English first: where the pane's columns stand.
	LC_ALL=C tui_start "$cols" "$rows" LC_ALL=C
	type_line "start uts"
	wait_screen '^uts +[0-9]+ +[0-9]+\*' 10
	sleep 0.3
	en_cols=$(columns)
	en_titles=$(titles)
	expect "$size: English: the pane's labels are English" \
		bash -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -q '^comm (pid in ns) '"
	type_line "quit"
	type_line "quit"
	wait_exit 5
	tui_stop

	export LC_ALL=$KO # tmux reads its own locale to draw UTF-8
	tui_start "$cols" "$rows" LC_ALL=$KO
	expect "$size: the key bar is Korean" wait_screen 'F10종료' 5
	type_line "start uts"
	expect "$size: the status bar names the lab in Korean" wait_screen '^ uts: UTS 네임스페이스' 10
	expect "$size: the pane shows the uts row" wait_screen '^uts +[0-9]+ +[0-9]+\*' 5
	sleep 0.3
	ko_cols=$(columns)
	expect "$size: the pane's inode columns stand where they do in English ('$ko_cols' vs '$en_cols')" \
		test -n "$en_cols" -a "$ko_cols" = "$en_cols"
	# The pane's own labels, in Korean; the type names stay.
	expect "$size: the pane's first row label is Korean" wait_screen '^프로세스 ' 2
	expect "$size: the pane's second row label is Korean" wait_screen '^comm \(ns 내 pid\) ' 2
	expect "$size: the pane's legend is Korean" wait_screen '^\* = nslab과 다름' 2
	if [ "$rows" -lt 30 ]; then # the compact pane: the types shared, in a Korean sentence
		expect "$size: the compact pane's summary is Korean" \
			wait_screen '^\* = nslab과 다름 \| nslab과 공유하는 나머지 유형 9개: cgroup ipc' 2
	else
		expect "$size: the full pane keeps the type names" wait_screen '^time_for_children +[0-9]' 2
	fi
	ko_titles=$(titles)
	expect "$size: the pane's column titles stand where they do in English ('$ko_titles' vs '$en_titles')" \
		test -n "$en_titles" -a "$ko_titles" = "$en_titles"
	w=$(screen | width)
	expect "$size: with the Korean pane, no line is wider than $cols display columns (widest $w)" \
		test "$w" -le "$cols"
	expect "$size: the Korean pane is whole UTF-8, no broken syllable" valid_text < <(screen)
	type_line "hint"
	expect "$size: the hint is shown in Korean" wait_screen '^힌트:' 5
	sleep 0.3
	shown=$(screen | sed -n '/> hint *$/,$p' | sed '1d' | grep -v '^nslab\[' | head -n -1)
	bad=$(tr -s ' ' '\n' <<<"$shown" | grep -v '^$' | grep -vxF -f <(printf '%s\n' "$hint_words") | head -5 | tr '\n' ' ')
	expect "$size: no word of the Korean hint is split across rows (${bad:-none})" test -z "$bad"
	w=$(screen | width)
	expect "$size: no line is wider than $cols display columns (widest $w)" test "$w" -le "$cols"
	expect "$size: the screen is whole UTF-8, no broken syllable" valid_text < <(screen)

	# Typed Hangul: the cursor stands right after it.
	tm send-keys -t t -l -- "run echo 안녕하세요 세계"
	sleep 0.5
	cy=$(pane_var cursor_y)
	cx=$(pane_var cursor_x)
	line=$(screen | sed -n "$((cy + 1))p" | sed 's/ *$//')
	lw=$(printf '%s' "$line" | width)
	expect "$size: the input line shows the Hangul typed ('$line')" grep -q '안녕하세요 세계$' <<<"$line"
	expect "$size: the cursor is right after the Hangul typed (column $cx, text width $lw)" test "$cx" = "$lw"
	tm send-keys -t t C-u
	type_line "quit"
	type_line "quit"
	expect "$size: quit: nslab exits" wait_exit 5
	tui_stop
	unset LC_ALL
done

sleep 0.3
same_fingerprint "$before" "Korean TUI test"
finish
