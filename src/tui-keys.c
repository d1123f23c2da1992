/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui-keys.c: what a key does on the TUI and how a command runs there: the
 * screen's own keys (scrolling, Ctrl-L, F7, F8), the function keys' commands
 * (F1 help ... F10 quit), keys fed to readline and its finished lines run
 * through the REPL, and every key to the shell while it is on screen
 * (tui-shell-run.c) or to the demo's player (tui-demo.c). */
#include "tui-int.h"
#include "i18n.h"
#include "repl.h"
#include "signals.h"
#include "tui-readline.h"
#include "tui-screen.h"
#include "tui-widgets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int tui_run_command(const char *line, bool typed)
{
	char *echo = NULL;
	if (asprintf(&echo, "%s%s", repl_prompt(), line) >= 0) {
		sb_push(&tui.sb, echo, strlen(echo), OUT_ECHO);
		free(echo);
	} else {
		tui.sb.lost++;
	}
	if (typed)
		rlx_add_history(line);
	tui.sb.scroll = 0;
	tui.executing = true;
	screen_dirty(TUI_OUT | TUI_INPUT);
	clock_gettime(CLOCK_MONOTONIC, &tui.last_live_draw);
	tui_draw();
	/* While the command runs, Ctrl-C is a signal again: nslab gets it and
	 * ns_exec passes it on to the command's process group. The flag is
	 * dropped afterwards, as the plain REPL does. */
	cbreak();
	int rc = repl_exec(line);
	raw();
	signals_clear_interrupt();
	tui.executing = false;
	tui_drain_pipe();
	if (repl_quit_requested())
		tui.quit = true;
	widgets_refresh();
	screen_dirty(TUI_OUT | TUI_INPUT);
	return rc;
}

/* Runs the line readline handed over, then gives readline a fresh prompt. */
static void take_line(char *line)
{
	rlx_remove();
	tui_run_command(line, true);
	free(line);
	if (!tui.quit)
		rlx_install();
}

static void run_key_command(const char *cmd)
{
	/* Keep what the learner was typing; run the key's command beside it. */
	int point;
	char *saved = rlx_save_line(&point);
	rlx_remove();
	tui_run_command(cmd, false);
	if (tui.quit) {
		free(saved);
		return;
	}
	rlx_install();
	rlx_restore_line(saved, point);
}

static void scroll_by(int rows)
{
	sb_scroll_by(&tui.sb, rows, screen()->w, screen()->out_h);
	screen_dirty(TUI_OUT);
}

static void clear_line(void)
{
	if (rlx_clear_line())
		tui_note(_("(to leave nslab: type quit, or press F10)"));
}

/* Keys the screen handles itself, whatever the mode; false for the rest. */
static bool screen_key(int ch)
{
	int page = screen()->out_h > 2 ? screen()->out_h - 1 : 1;
	switch (ch) {
	case KEY_RESIZE:
		tui_relayout();
		return true;
	case KEY_PPAGE:
		scroll_by(page);
		return true;
	case KEY_NPAGE:
		scroll_by(-page);
		return true;
	case KEY_SR:
		scroll_by(1);
		return true;
	case KEY_SF:
		scroll_by(-1);
		return true;
	case 12: /* Ctrl-L */
		clearok(curscr, TRUE);
		tui_relayout();
		return true;
	case 3: /* Ctrl-C at the prompt */
		clear_line();
		return true;
	case KEY_F(7): /* the pane: compact <-> full */
		screen_toggle_compact();
		tui_relayout();
		return true;
	case KEY_F(8): /* the task box: its next rows */
		widgets_task_scroll();
		return true;
	case 26: /* Ctrl-Z: nslab holds kernel objects; no stopping */
	case KEY_MOUSE:
		return true;
	}
	return false;
}

static const char *function_key_command(int ch)
{
	static const struct {
		int key;
		const char *cmd;
	} fkeys[] = {{1, "help"},  {2, "status"}, {3, "hint"}, {4, "explain"},
		     {5, "check"}, {6, "next"},   {10, "quit"}};
	for (size_t i = 0; i < sizeof(fkeys) / sizeof(fkeys[0]); i++)
		if (ch == KEY_F(fkeys[i].key))
			return fkeys[i].cmd;
	return NULL;
}

static void handle_key(int ch)
{
	if (tui.shell_on) { /* every key is the shell's but the way out */
		if (ch == KEY_RESIZE)
			tui_relayout();
		else
			tui_shell_key(ch);
		return;
	}
	if (screen_key(ch))
		return;
	if (tui.demo) {
		tui_demo_key(ch);
		return;
	}
	const char *cmd = function_key_command(ch);
	if (cmd) {
		run_key_command(cmd);
		return;
	}
	if (!rlx_feed_key(ch))
		return;
	while (!tui.quit && rlx_step()) {
		char *line = rlx_take_line();
		if (line)
			take_line(line);
		if (rlx_eof()) {
			tui.quit = true;
			return;
		}
	}
}

void tui_read_keys(void)
{
	int ch;
	bool shell = tui.shell_on;
	/* a key that leaves the shell ends the shell's loop: the rest waits for the prompt's */
	while (!tui.quit && screen()->in && shell == tui.shell_on && (ch = wgetch(screen()->in)) != ERR)
		handle_key(ch);
}
