/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui-shell-run.c: `shell` inside the TUI (host.h's shell runner): the shell
 * starts on the output window's size, takes every key but Ctrl-], which
 * leaves it running, and comes back with the next `shell`; what scrolls off
 * it and its last screen stay in the scrollback. Its cells are drawn by
 * tui-shell.c, its pty kept by vtshell.c; the event loop is tui.c's. */
#include "tui-int.h"
#include "host-guard.h"
#include "host.h"
#include "i18n.h"
#include "output.h"
#include "pane.h"
#include "session.h"
#include "tui-screen.h"
#include "tui-shell.h"
#include "tui-widgets.h"
#include "vtshell.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shell on screen: the widgets but the output window, which shows the
 * shell; the input line says how to leave; the cursor is the shell's. */
void tui_shell_draw(unsigned parts)
{
	const struct tui_screen *s = screen();
	widgets_draw(parts & ~(unsigned)TUI_OUT, &tui.sb);
	if (parts & (TUI_OUT | TUI_ALL))
		tshell_draw(s->out, tui.shell, s->color);
	if (parts & (TUI_INPUT | TUI_ALL)) {
		char line[400], fit[512];
		snprintf(line, sizeof(line), _(" shell %s (pid %d) | Ctrl-] nslab prompt | exit ends it"),
			 tui.shell_where, (int)vtshell_pid(tui.shell));
		text_elide(line, s->w, fit, sizeof(fit));
		werase(s->in);
		wattrset(s->in, screen_attr(S_BAR));
		mvwhline(s->in, 0, 0, ' ', s->w);
		mvwaddstr(s->in, 0, 0, fit);
		wattrset(s->in, A_NORMAL);
		wnoutrefresh(s->in);
	}
	tshell_place_cursor(s->out, tui.shell); /* last: the terminal's cursor is the shell's */
}

/* The shell's screen is the output window's size (a resize, the meter, the
 * compact pane's height may change it): the shell gets SIGWINCH. */
void tui_shell_fit(void)
{
	const struct tui_screen *s = screen();
	int rows, cols;
	if (!tui.shell || s->too_small || !s->out)
		return;
	vtshell_size(tui.shell, &rows, &cols);
	if (rows != s->out_h || cols != s->w) {
		vtshell_resize(tui.shell, s->out_h, s->w);
		screen_dirty(TUI_OUT);
	}
}

/* What scrolls off the shell's screen, and its screen when it ends, stays
 * in the scrollback. */
static void shell_line(void *ctx, const char *text, size_t len)
{
	(void)ctx;
	char *clean = text_clean(text, len);
	if (clean) {
		sb_push(&tui.sb, clean, strlen(clean), OUT_TEXT);
		free(clean);
	} else {
		tui.sb.lost++;
	}
}

void tui_shell_pump(void)
{
	if (tui.shell && vtshell_pump(tui.shell) && tui.shell_on)
		screen_dirty(TUI_OUT);
}

/* The shell has ended (`exit`, or stop/reset took the lab cgroup): its last
 * screen goes to the scrollback and the output window is the nslab one. */
static void shell_finish(int status)
{
	tui_shell_pump();
	vtshell_end(tui.shell);
	tui.shell = NULL;
	host_guard_skip(0);
	tui.shell_status = status;
	screen_dirty(TUI_OUT | TUI_INPUT);
	if (tui.shell_on) {
		tui.shell_on = false; /* the `shell` waiting in tui_shell_run returns */
		return;
	}
	char line[80];
	snprintf(line, sizeof(line), _("the shell left with Ctrl-] has ended [exit %d]"), status);
	tui_note(line);
}

void tui_shell_check_end(void)
{
	int st;
	if (tui.shell && vtshell_exited(tui.shell, &st))
		shell_finish(st);
}

void tui_shell_key(int ch)
{
	if (ch == TSHELL_LEAVE_KEY) {
		tui.shell_on = false;
		screen_dirty(TUI_OUT | TUI_INPUT);
		return;
	}
	tshell_key(tui.shell, ch);
}

/* Where the shell runs, for the line under it: the lab by its id. */
static void shell_name(pid_t target)
{
	const struct session_view *v = session_view();
	if (target > 0 && v && v->lab)
		snprintf(tui.shell_where, sizeof(tui.shell_where), _("in lab %s"), v->lab->id);
	else
		snprintf(tui.shell_where, sizeof(tui.shell_where), "%s", _("on the host"));
}

/* host.h's shell runner: starts the shell on the output window's size, or
 * comes back to the one left running, and runs the screen's loop with the
 * keys going to it until it ends (its status) or Ctrl-] (HOST_SHELL_KEPT). */
int tui_shell_run(pid_t target, char *const env[])
{
	const struct tui_screen *s = screen();
	if (s->too_small || !s->out) {
		out_error(_("shell: the terminal is too small for the screen; enlarge it to %dx%d"),
			  TUI_MIN_W, TUI_MIN_H);
		errno = ENOSPC;
		return -1;
	}
	if (tui.shell)
		tui_note(_("back in the shell left with Ctrl-] (the same process, what it ran still there)"));
	else if (!(tui.shell = vtshell_start(target, env, s->out_h, s->w, shell_line, NULL)))
		return -1;
	else {
		shell_name(target);
		host_guard_skip(vtshell_pid(tui.shell));
	}
	tui.shell_on = true;
	/* Ctrl-C, Ctrl-Z and Ctrl-\ are keys for the shell, not signals to nslab */
	raw();
	screen_dirty(TUI_OUT | TUI_INPUT);
	tui_draw();
	tui_loop();
	tui.shell_on = false;
	cbreak(); /* run_command's mode while a command runs */
	curs_set(1);
	screen_dirty(TUI_OUT | TUI_INPUT);
	if (!tui.shell)
		return tui.shell_status;
	char line[160];
	snprintf(line, sizeof(line),
		 _("the shell (pid %d) runs on: `shell` returns to it, `exit` in it ends it"),
		 (int)vtshell_pid(tui.shell));
	tui_note(line);
	return HOST_SHELL_KEPT;
}
