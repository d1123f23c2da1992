/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui.c: the full-screen session: the event loop, keys, running commands and
 * the demo's presenter. From the top the screen shows the namespace pane, the
 * lab panel, the meter (when a lab fills it), the output window with its
 * scrollback, the input line (GNU readline in callback mode) and a key bar.
 * The terminal is tui-screen.c's, the widgets tui-widgets.c's, readline
 * tui-readline.c's, the output's lines scrollback.c's.
 *
 * How it stays light: one poll() on the terminal and the stray-output pipe.
 * While the pane shows a process besides nslab, it wakes every PROBE_MS and
 * probes only those shown processes (nsview_stale: one pread each while they
 * sleep), every column every FULL_MS; the pane is read afresh only when one
 * moved or the lists of lab and watched processes changed. Nothing is redrawn
 * unless it changed (wnoutrefresh per window, one doupdate), and an idle
 * wake-up makes no terminal I/O.
 *
 * Every way out (quit, end of input, SIGTERM, SIGHUP, the terminal gone, an
 * error) returns to main, whose finish() closes the screen (tui_end), stops
 * the lab and undoes the cleanup registry. */
#include "tui.h"
#include "i18n.h"
#include "demo.h"
#include "host-guard.h"
#include "host.h"
#include "nssubjects.h"
#include "output.h"
#include "pane.h"
#include "repl.h"
#include "scrollback.h"
#include "session.h"
#include "signals.h"
#include "tui-readline.h"
#include "tui-screen.h"
#include "tui-shell.h"
#include "tui-widgets.h"
#include "vtshell.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TICK_MS 200    /* demo typing, lab ticks, keys ncurses held back */
#define PROBE_MS 50    /* shown processes probed: a change shows within this */
#define SLACK_MS 10    /* a job due this soon runs in the current wake-up */
#define FULL_MS 1000   /* every column probed, nslab's and hidden ones too */
#define OUT_MAX 5000   /* scrollback lines kept */
#define NEW_NS_EVERY 2 /* full probes per look for new namespaces elsewhere */

static struct {
	struct scrollback sb;
	bool executing, quit;
	struct timespec last_live_draw;
	struct demo_player *demo; /* --demo: the player this screen presents */
	size_t *from, *to;        /* absolute output lines of each demo command that ran */
	struct vtshell *shell;    /* `shell`, on screen or left running with Ctrl-] */
	char shell_where[64];     /* "in lab uts", "on the host" */
	bool shell_on;            /* on screen: keys go to it, the output window shows it */
	int shell_status;         /* how it ended, for the `shell` that was waiting */
	unsigned full_count;      /* full probes run */
} T;

bool tui_available(void)
{
	const char *term = getenv("TERM");
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && term && *term && strcmp(term, "dumb") != 0;
}

/* ------------------------------------------------------------------ */
/* drawing and output                                                  */

/* The shell on screen: the widgets but the output window, which shows the
 * shell; the input line says how to leave; the cursor is the shell's. */
static void draw_shell(unsigned parts)
{
	const struct tui_screen *s = screen();
	widgets_draw(parts & ~(unsigned)TUI_OUT, &T.sb);
	if (parts & (TUI_OUT | TUI_ALL))
		tshell_draw(s->out, T.shell, s->color);
	if (parts & (TUI_INPUT | TUI_ALL)) {
		char line[400], fit[512];
		snprintf(line, sizeof(line), _(" shell %s (pid %d) | Ctrl-] nslab prompt | exit ends it"),
			 T.shell_where, (int)vtshell_pid(T.shell));
		text_elide(line, s->w, fit, sizeof(fit));
		werase(s->in);
		wattrset(s->in, screen_attr(S_BAR));
		mvwhline(s->in, 0, 0, ' ', s->w);
		mvwaddstr(s->in, 0, 0, fit);
		wattrset(s->in, A_NORMAL);
		wnoutrefresh(s->in);
	}
	tshell_place_cursor(s->out, T.shell); /* last: the terminal's cursor is the shell's */
}

static void draw(void)
{
	const struct tui_screen *s = screen();
	if (s->suspended)
		return;
	widgets_set_lost(T.sb.lost);
	unsigned parts = screen_take_dirty();
	/* Idle ticks change nothing: no drawing, no doupdate, no terminal I/O. */
	if (!parts)
		return;
	if (T.shell_on && !s->too_small) {
		draw_shell(parts);
	} else {
		widgets_draw(parts, &T.sb);
		rlx_draw_input(T.executing); /* last, so the cursor ends on the input line */
	}
	doupdate();
}

static void note(const char *s)
{
	sb_push(&T.sb, s, strlen(s), OUT_NOTE);
	screen_dirty(TUI_OUT);
}

static double since_ms(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) * 1e3 + (double)(now.tv_nsec - t->tv_nsec) / 1e6;
}

static void sink_write(enum out_kind kind, const char *text, size_t len)
{
	sb_append(&T.sb, kind, text, len);
	screen_dirty(TUI_OUT);
	/* While a command runs, show its output as it streams, ~30 times a second. */
	if (T.executing && !screen()->suspended && since_ms(&T.last_live_draw) > 33) {
		draw();
		clock_gettime(CLOCK_MONOTONIC, &T.last_live_draw);
	}
}

/* The shell's screen is the output window's size (a resize, the meter, the
 * compact pane's height may change it): the shell gets SIGWINCH. */
static void fit_shell(void)
{
	const struct tui_screen *s = screen();
	int rows, cols;
	if (!T.shell || s->too_small || !s->out)
		return;
	vtshell_size(T.shell, &rows, &cols);
	if (rows != s->out_h || cols != s->w) {
		vtshell_resize(T.shell, s->out_h, s->w);
		screen_dirty(TUI_OUT);
	}
}

static void relayout(void)
{
	screen_layout(widgets_meter_rows());
	T.sb.width = screen()->w; /* scrolled back, the place is kept in rows of this width */
	fit_shell();
}

static void sink_meter(const char *text)
{
	const struct tui_screen *s = screen();
	int rows = widgets_set_meter(text);
	if (rows != s->meter_h && !s->too_small && !s->suspended)
		relayout(); /* the meter grew or shrank: the windows below move */
	if (T.executing && !s->suspended)
		draw();
}

static const struct out_sink sink = {sink_write, sink_meter};

/* Reads whatever stray output reached fds 1 and 2. */
static void drain_pipe(void)
{
	char buf[4096];
	ssize_t n;
	while ((n = screen_read_stray(buf, sizeof(buf))) > 0)
		sink_write(OUT_TEXT, buf, (size_t)n);
}

static void redisplay(void)
{
	screen_dirty(TUI_INPUT);
	if (!screen()->suspended && screen()->in)
		draw();
}

/* ------------------------------------------------------------------ */
/* `shell` and other terminal owners                                   */

static void suspend(void)
{
	if (screen()->suspended)
		return;
	drain_pipe();
	draw();
	screen_suspend();
}

static void resume(void)
{
	if (!screen()->suspended)
		return;
	screen_resume();
	relayout();
	widgets_refresh();
	draw();
}

static const struct repl_terminal terminal = {suspend, resume};

/* ------------------------------------------------------------------ */
/* `shell` inside the screen (vtshell.h, tui-shell.h)                  */

static void loop(void);

/* What scrolls off the shell's screen, and its screen when it ends, stays
 * in the scrollback. */
static void shell_line(void *ctx, const char *text, size_t len)
{
	(void)ctx;
	char *clean = text_clean(text, len);
	if (clean) {
		sb_push(&T.sb, clean, strlen(clean), OUT_TEXT);
		free(clean);
	} else {
		T.sb.lost++;
	}
}

static void shell_pump(void)
{
	if (T.shell && vtshell_pump(T.shell) && T.shell_on)
		screen_dirty(TUI_OUT);
}

/* The shell has ended (`exit`, or stop/reset took the lab cgroup): its last
 * screen goes to the scrollback and the output window is the nslab one. */
static void shell_finish(int status)
{
	shell_pump();
	vtshell_end(T.shell);
	T.shell = NULL;
	host_guard_skip(0);
	T.shell_status = status;
	screen_dirty(TUI_OUT | TUI_INPUT);
	if (T.shell_on) {
		T.shell_on = false; /* the `shell` waiting in shell_run returns */
		return;
	}
	char line[80];
	snprintf(line, sizeof(line), _("the shell left with Ctrl-] has ended [exit %d]"), status);
	note(line);
}

static void shell_check_end(void)
{
	int st;
	if (T.shell && vtshell_exited(T.shell, &st))
		shell_finish(st);
}

static void shell_key(int ch)
{
	if (ch == TSHELL_LEAVE_KEY) {
		T.shell_on = false;
		screen_dirty(TUI_OUT | TUI_INPUT);
		return;
	}
	tshell_key(T.shell, ch);
}

/* Where the shell runs, for the line under it: the lab by its id. */
static void shell_name(pid_t target)
{
	const struct session_view *v = session_view();
	if (target > 0 && v && v->lab)
		snprintf(T.shell_where, sizeof(T.shell_where), _("in lab %s"), v->lab->id);
	else
		snprintf(T.shell_where, sizeof(T.shell_where), "%s", _("on the host"));
}

/* host.h's shell runner: starts the shell on the output window's size, or
 * comes back to the one left running, and runs the screen's loop with the
 * keys going to it until it ends (its status) or Ctrl-] (HOST_SHELL_KEPT). */
static int shell_run(pid_t target, char *const env[])
{
	const struct tui_screen *s = screen();
	if (s->too_small || !s->out) {
		out_error(_("shell: the terminal is too small for the screen; enlarge it to %dx%d"),
			  TUI_MIN_W, TUI_MIN_H);
		errno = ENOSPC;
		return -1;
	}
	if (T.shell)
		note(_("back in the shell left with Ctrl-] (the same process, what it ran still there)"));
	else if (!(T.shell = vtshell_start(target, env, s->out_h, s->w, shell_line, NULL)))
		return -1;
	else {
		shell_name(target);
		host_guard_skip(vtshell_pid(T.shell));
	}
	T.shell_on = true;
	/* Ctrl-C, Ctrl-Z and Ctrl-\ are keys for the shell, not signals to nslab */
	raw();
	screen_dirty(TUI_OUT | TUI_INPUT);
	draw();
	loop();
	T.shell_on = false;
	cbreak(); /* run_command's mode while a command runs */
	curs_set(1);
	screen_dirty(TUI_OUT | TUI_INPUT);
	if (!T.shell)
		return T.shell_status;
	char line[160];
	snprintf(line, sizeof(line),
		 _("the shell (pid %d) runs on: `shell` returns to it, `exit` in it ends it"),
		 (int)vtshell_pid(T.shell));
	note(line);
	return HOST_SHELL_KEPT;
}

/* ------------------------------------------------------------------ */
/* commands and keys                                                   */

static int run_command(const char *line, bool typed)
{
	char *echo = NULL;
	if (asprintf(&echo, "%s%s", repl_prompt(), line) >= 0) {
		sb_push(&T.sb, echo, strlen(echo), OUT_ECHO);
		free(echo);
	} else {
		T.sb.lost++;
	}
	if (typed)
		rlx_add_history(line);
	T.sb.scroll = 0;
	T.executing = true;
	screen_dirty(TUI_OUT | TUI_INPUT);
	clock_gettime(CLOCK_MONOTONIC, &T.last_live_draw);
	draw();
	/* While the command runs, Ctrl-C is a signal again: nslab gets it and
	 * ns_exec passes it on to the command's process group. The flag is
	 * dropped afterwards, as the plain REPL does. */
	cbreak();
	int rc = repl_exec(line);
	raw();
	signals_clear_interrupt();
	T.executing = false;
	drain_pipe();
	if (repl_quit_requested())
		T.quit = true;
	widgets_refresh();
	screen_dirty(TUI_OUT | TUI_INPUT);
	return rc;
}

/* Runs the line readline handed over, then gives readline a fresh prompt. */
static void take_line(char *line)
{
	rlx_remove();
	run_command(line, true);
	free(line);
	if (!T.quit)
		rlx_install();
}

static void run_key_command(const char *cmd)
{
	/* Keep what the learner was typing; run the key's command beside it. */
	int point;
	char *saved = rlx_save_line(&point);
	rlx_remove();
	run_command(cmd, false);
	if (T.quit) {
		free(saved);
		return;
	}
	rlx_install();
	rlx_restore_line(saved, point);
}

static void scroll_by(int rows)
{
	sb_scroll_by(&T.sb, rows, screen()->w, screen()->out_h);
	screen_dirty(TUI_OUT);
}

static void clear_line(void)
{
	if (rlx_clear_line())
		note(_("(to leave nslab: type quit, or press F10)"));
}

/* Keys the screen handles itself, whatever the mode; false for the rest. */
static bool screen_key(int ch)
{
	int page = screen()->out_h > 2 ? screen()->out_h - 1 : 1;
	switch (ch) {
	case KEY_RESIZE:
		relayout();
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
		relayout();
		return true;
	case 3: /* Ctrl-C at the prompt */
		clear_line();
		return true;
	case KEY_F(7): /* the pane: compact <-> full */
		screen_toggle_compact();
		relayout();
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

static void demo_key(int ch);

static void handle_key(int ch)
{
	if (T.shell_on) { /* every key is the shell's but the way out */
		if (ch == KEY_RESIZE)
			relayout();
		else
			shell_key(ch);
		return;
	}
	if (screen_key(ch))
		return;
	if (T.demo) {
		demo_key(ch);
		return;
	}
	const char *cmd = function_key_command(ch);
	if (cmd) {
		run_key_command(cmd);
		return;
	}
	if (!rlx_feed_key(ch))
		return;
	while (!T.quit && rlx_step()) {
		char *line = rlx_take_line();
		if (line)
			take_line(line);
		if (rlx_eof()) {
			T.quit = true;
			return;
		}
	}
}

static void read_keys(void)
{
	int ch;
	bool shell = T.shell_on;
	/* a key that leaves the shell ends the shell's loop: the rest waits for the prompt's */
	while (!T.quit && screen()->in && shell == T.shell_on && (ch = wgetch(screen()->in)) != ERR)
		handle_key(ch);
}

/* ------------------------------------------------------------------ */
/* the demo's presenter: the next command appears in the input line as if
 * typed; what it printed stays in the scrollback for `b` (demo.c plays) */

static void tui_narrate(void *ctx, const char *line, size_t len, bool first)
{
	(void)ctx;
	(void)first;
	char *n = NULL;
	if (asprintf(&n, "# %.*s", (int)len, line) < 0) {
		T.sb.lost++;
		return;
	}
	note(n);
	free(n);
}

static void tui_type(void *ctx, const char *cmd, size_t shown)
{
	(void)ctx;
	char *part = strndup(cmd, shown);
	rlx_set_line(part ? part : "");
	free(part);
}

static int tui_run_step(void *ctx, size_t step, const char *cmd)
{
	(void)ctx;
	rlx_set_line("");
	T.from[step] = T.sb.pushed;
	int rc = run_command(cmd, false);
	T.to[step] = T.sb.pushed;
	return rc;
}

static void tui_again(void *ctx, size_t step, const char *cmd)
{
	(void)ctx;
	char head[300];
	snprintf(head, sizeof(head), "--- again: %s", cmd);
	note(head);
	sb_again(&T.sb, T.from[step], T.to[step]);
	note(_("--- end of the previous output"));
}

static void tui_note(void *ctx, const char *text)
{
	(void)ctx;
	note(text);
}

static const struct demo_presenter presenter = {tui_narrate, tui_type, tui_run_step, tui_again, tui_note};

static void demo_key(int ch)
{
	bool ran = demo_player_key(T.demo, ch == KEY_ENTER ? '\n' : ch);
	if (T.demo->quit)
		T.quit = true;
	if (!ran || T.quit)
		return;
	rlx_remove(); /* a fresh prompt: the lab and step may have changed */
	rlx_install();
	demo_player_begin(T.demo);
}

/* ------------------------------------------------------------------ */
/* the loop                                                            */

static int ms_until(const struct timespec *next)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	/* Rounded up: rounding down would wake early and spin on poll(0). */
	long ns = (next->tv_sec - now.tv_sec) * 1000000000L + (next->tv_nsec - now.tv_nsec);
	long ms = (ns + 999999) / 1000000;
	return ms < 0 ? 0 : ms > FULL_MS ? FULL_MS : (int)ms;
}

/* *t = now + ms */
static void due_in(struct timespec *t, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_nsec += ms * 1000000L;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

static int min_int(int a, int b)
{
	return a < b ? a : b;
}

/* A process elsewhere on the machine in a namespace made since nslab
 * started: offered, not shown (it may be another user's business). */
static void note_new_namespaces(void)
{
	struct ns_new found[4];
	size_t n = widgets_new_namespaces(found, 4);
	for (size_t i = 0; i < n; i++) {
		char line[320];
		snprintf(line, sizeof(line), _("new namespace: pid %d `%s`: watch %d to pin"),
			 (int)found[i].pid, found[i].cmd[0] ? found[i].cmd : "?", (int)found[i].pid);
		note(line);
	}
}

/* The probe and tick jobs due now; true when the tick ran. */
static bool run_due(struct timespec *full, struct timespec *probe, struct timespec *tick)
{
	bool probing = widgets_probing();
	int slack = probing ? PROBE_MS / 2 : SLACK_MS;
	if (since_ms(full) >= -slack) {
		widgets_probe(true);
		/* elsewhere on the machine: a slower look, it costs a listing of /proc */
		if (++T.full_count % NEW_NS_EVERY == 0)
			note_new_namespaces();
		due_in(full, FULL_MS);
		due_in(probe, PROBE_MS);
	} else if (probing && since_ms(probe) >= -SLACK_MS) {
		widgets_probe(false);
		due_in(probe, PROBE_MS);
	}
	if (since_ms(tick) < -slack)
		return false;
	if (T.demo)
		demo_player_type(T.demo, 3); /* three more letters, as if typed */
	session_tick();
	widgets_refresh_session(); /* a lab's tick may have moved it */
	due_in(tick, TICK_MS);
	return true;
}

/* Three clocks: every column probed (FULL_MS), the shown ones probed
 * (PROBE_MS, only while probing), and the tick (TICK_MS).
 * While probing, only the probe sets the wake-ups and the other two ride on
 * them (run when due within half a probe period); otherwise a job due within
 * SLACK_MS runs in the current wake-up. Each wake-up costs far more than a
 * probe's few reads, so there are as few as that allows. Deadlines are set
 * from the time a job ran: a long command leaves no backlog behind it. */
/* Inside `shell` the same loop runs, nested, until the shell ends or is
 * left (T.shell_on goes false); the shell's pty and pidfd are polled
 * whenever there is a shell, on screen or left running. */
static bool looping(bool in_shell)
{
	return !T.quit && !signals_leaving() && (!in_shell || T.shell_on);
}

static void loop(void)
{
	bool in_shell = T.shell_on;
	struct timespec full, probe, tick;
	clock_gettime(CLOCK_MONOTONIC, &full);
	probe = tick = full;
	while (looping(in_shell)) {
		bool ticked = run_due(&full, &probe, &tick);
		draw();
		int wait = widgets_probing() ? ms_until(&probe) : min_int(ms_until(&full), ms_until(&tick));
		struct pollfd p[4] = {{screen_tty_fd(), POLLIN, 0},
				      {screen_stray_fd(), POLLIN, 0},
				      {T.shell ? vtshell_fd(T.shell) : -1, POLLIN, 0},
				      {T.shell ? vtshell_pidfd(T.shell) : -1, POLLIN, 0}};
		int n = poll(p, 4, wait);
		if (n < 0 && errno != EINTR)
			break;
		if (p[0].revents & (POLLHUP | POLLERR)) {
			signals_note(SIGHUP); /* the terminal went away */
			break;
		}
		if (n > 0 && (p[1].revents & POLLIN))
			drain_pipe();
		if (n > 0 && (p[2].revents & POLLIN))
			shell_pump();
		if (T.shell && (vtshell_pidfd(T.shell) < 0 || (p[3].revents & POLLIN)))
			shell_check_end();
		/* Keys: when the terminal has some, after a signal (KEY_RESIZE comes
		 * after a SIGWINCH interrupted poll()), and on each tick in case one
		 * came between poll() calls; not on every probe wake-up (wgetch costs
		 * a read and two sigactions). read_keys reads until ncurses has none
		 * left, so none wait in its buffer between calls. */
		if (n != 0 || ticked)
			read_keys();
		signals_clear_interrupt(); /* `kill -INT` from elsewhere: not a reason to leave */
	}
}

/* ------------------------------------------------------------------ */
/* entry and exit                                                      */

static int run_screen(const char *welcome)
{
	if (sb_init(&T.sb, OUT_MAX) < 0 || screen_open() < 0) {
		const struct demo *d = T.demo ? T.demo->d : NULL;
		tui_end();
		return d ? demo_run_plain(d) : repl_run_plain();
	}
	signals_install();
	out_set_sink(&sink);
	repl_set_terminal(&terminal);
	host_set_shell_runner(shell_run);
	repl_history_load();
	if (nssub_baseline() < 0) {
		/* without it nothing elsewhere is offered; the lab's own still show */
	}
	relayout();
	widgets_refresh();
	screen_dirty(TUI_LAB);
	rlx_setup(&T.sb, redisplay);
	note(welcome);
	if (T.demo)
		demo_player_begin(T.demo);
	loop();
	repl_history_save();
	/* Ended by SIGTERM or SIGHUP: main cleans up, then dies of it. */
	return signals_leaving() ? 128 + signals_pending() : 0;
}

int tui_run(void)
{
	if (!tui_available())
		return repl_run_plain();
	return run_screen(
	    _("Welcome to nslab. Type `labs` to list the labs, `start uts` to begin, F1 for help."));
}

int tui_run_demo(const struct demo *d)
{
	if (!tui_available())
		return demo_run_plain(d);
	static struct demo_player player;
	demo_player_init(&player, d, &presenter, NULL);
	T.from = calloc(d->n ? d->n : 1, sizeof(size_t));
	T.to = calloc(d->n ? d->n : 1, sizeof(size_t));
	if (!T.from || !T.to) {
		tui_end();
		return demo_run_plain(d);
	}
	T.demo = &player;
	char welcome[480];
	snprintf(
	    welcome, sizeof(welcome),
	    _("Demo: %zu commands. Enter or Space runs the one shown below, b shows the previous output, "
	      "q quits."),
	    d->n);
	return run_screen(welcome);
}

void tui_end(void)
{
	host_set_shell_runner(NULL);
	if (T.shell) { /* quit, a signal, the terminal gone: the shell goes first */
		vtshell_end(T.shell);
		T.shell = NULL;
		host_guard_skip(0);
	}
	if (screen_is_open()) {
		rlx_teardown();
		repl_set_terminal(NULL);
		out_set_sink(NULL);
	}
	screen_close();
	sb_free(&T.sb);
	widgets_free();
	nssub_free();
	free(T.from);
	free(T.to);
	T = (typeof(T)){0};
}
