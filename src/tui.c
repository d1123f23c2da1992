/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui.c: the full-screen session: its event loop, drawing, the output
 * window's sink, and the way in and out. From the top the screen shows the
 * namespace pane, the lab panel, the meter (when a lab fills it), the output
 * window with its scrollback, the input line (GNU readline in callback mode)
 * and a key bar. The terminal is tui-screen.c's, the widgets tui-widgets.c's,
 * readline tui-readline.c's, the output's lines scrollback.c's; what keys do
 * and how a command runs is tui-keys.c's, `shell` inside the screen
 * tui-shell-run.c's, the demo's presenter tui-demo.c's.
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
#include "tui-int.h"
#include "i18n.h"
#include "demo.h"
#include "host-guard.h"
#include "host.h"
#include "nssubjects.h"
#include "output.h"
#include "repl.h"
#include "scrollback.h"
#include "session.h"
#include "signals.h"
#include "tui-readline.h"
#include "tui-screen.h"
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
#define PROBE_MS 60    /* shown processes probed: a change shows within this */
#define SLACK_MS 10    /* a job due this soon runs in the current wake-up */
#define FULL_MS 1000   /* every column probed, nslab's and hidden ones too */
#define OUT_MAX 5000   /* scrollback lines kept */
#define NEW_NS_EVERY 2 /* full probes per look for new namespaces elsewhere */

struct tui_state tui;

bool tui_available(void)
{
	const char *term = getenv("TERM");
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && term && *term && strcmp(term, "dumb") != 0;
}

/* ------------------------------------------------------------------ */
/* drawing and output                                                  */

void tui_draw(void)
{
	const struct tui_screen *s = screen();
	if (s->suspended)
		return;
	widgets_set_lost(tui.sb.lost);
	unsigned parts = screen_take_dirty();
	/* Idle ticks change nothing: no drawing, no doupdate, no terminal I/O. */
	if (!parts)
		return;
	if (tui.shell_on && !s->too_small) {
		tui_shell_draw(parts);
	} else {
		widgets_draw(parts, &tui.sb);
		rlx_draw_input(tui.executing); /* last, so the cursor ends on the input line */
	}
	doupdate();
}

void tui_note(const char *s)
{
	sb_push(&tui.sb, s, strlen(s), OUT_NOTE);
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
	sb_append(&tui.sb, kind, text, len);
	screen_dirty(TUI_OUT);
	/* While a command runs, show its output as it streams, ~30 times a second. */
	if (tui.executing && !screen()->suspended && since_ms(&tui.last_live_draw) > 33) {
		tui_draw();
		clock_gettime(CLOCK_MONOTONIC, &tui.last_live_draw);
	}
}

void tui_relayout(void)
{
	screen_layout(widgets_meter_rows());
	tui.sb.width = screen()->w; /* scrolled back, the place is kept in rows of this width */
	tui_shell_fit();
}

static void sink_meter(const char *text)
{
	const struct tui_screen *s = screen();
	int rows = widgets_set_meter(text);
	if (rows != s->meter_h && !s->too_small && !s->suspended)
		tui_relayout(); /* the meter grew or shrank: the windows below move */
	if (tui.executing && !s->suspended)
		tui_draw();
}

static const struct out_sink sink = {sink_write, sink_meter};

/* Reads whatever stray output reached fds 1 and 2. */
void tui_drain_pipe(void)
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
		tui_draw();
}

/* ------------------------------------------------------------------ */
/* `shell` and other terminal owners                                   */

static void suspend(void)
{
	if (screen()->suspended)
		return;
	tui_drain_pipe();
	tui_draw();
	screen_suspend();
}

static void resume(void)
{
	if (!screen()->suspended)
		return;
	screen_resume();
	tui_relayout();
	widgets_refresh();
	tui_draw();
}

static const struct repl_terminal terminal = {suspend, resume};

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
		tui_note(line);
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
		if (++tui.full_count % NEW_NS_EVERY == 0)
			note_new_namespaces();
		due_in(full, FULL_MS);
		due_in(probe, PROBE_MS);
	} else if (probing && since_ms(probe) >= -SLACK_MS) {
		widgets_probe(false);
		due_in(probe, PROBE_MS);
	}
	if (since_ms(tick) < -slack)
		return false;
	if (tui.demo)
		demo_player_type(tui.demo, 3); /* three more letters, as if typed */
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
 * left (tui.shell_on goes false); the shell's pty and pidfd are polled
 * whenever there is a shell, on screen or left running. */
static bool looping(bool in_shell)
{
	return !tui.quit && !signals_leaving() && (!in_shell || tui.shell_on);
}

void tui_loop(void)
{
	bool in_shell = tui.shell_on;
	struct timespec full, probe, tick;
	clock_gettime(CLOCK_MONOTONIC, &full);
	probe = tick = full;
	while (looping(in_shell)) {
		bool ticked = run_due(&full, &probe, &tick);
		tui_draw();
		int wait = widgets_probing() ? ms_until(&probe) : min_int(ms_until(&full), ms_until(&tick));
		struct pollfd p[4] = {{screen_tty_fd(), POLLIN, 0},
				      {screen_stray_fd(), POLLIN, 0},
				      {tui.shell ? vtshell_fd(tui.shell) : -1, POLLIN, 0},
				      {tui.shell ? vtshell_pidfd(tui.shell) : -1, POLLIN, 0}};
		int n = poll(p, 4, wait);
		if (n < 0 && errno != EINTR)
			break;
		if (p[0].revents & (POLLHUP | POLLERR)) {
			signals_note(SIGHUP); /* the terminal went away */
			break;
		}
		if (n > 0 && (p[1].revents & POLLIN))
			tui_drain_pipe();
		if (n > 0 && (p[2].revents & POLLIN))
			tui_shell_pump();
		if (tui.shell && (vtshell_pidfd(tui.shell) < 0 || (p[3].revents & POLLIN)))
			tui_shell_check_end();
		/* Keys: when the terminal has some, after a signal (KEY_RESIZE comes
		 * after a SIGWINCH interrupted poll()), and on each tick in case one
		 * came between poll() calls; not on every probe wake-up (wgetch costs
		 * a read and two sigactions). read_keys reads until ncurses has none
		 * left, so none wait in its buffer between calls. */
		if (n != 0 || ticked)
			tui_read_keys();
		signals_clear_interrupt(); /* `kill -INT` from elsewhere: not a reason to leave */
	}
}

/* ------------------------------------------------------------------ */
/* entry and exit                                                      */

int tui_run_screen(const char *welcome)
{
	if (sb_init(&tui.sb, OUT_MAX) < 0 || screen_open() < 0) {
		const struct demo *d = tui.demo ? tui.demo->d : NULL;
		tui_end();
		return d ? demo_run_plain(d) : repl_run_plain();
	}
	signals_install();
	out_set_sink(&sink);
	repl_set_terminal(&terminal);
	host_set_shell_runner(tui_shell_run);
	repl_history_load();
	if (nssub_baseline() < 0) {
		/* without it nothing elsewhere is offered; the lab's own still show */
	}
	tui_relayout();
	widgets_refresh();
	screen_dirty(TUI_LAB);
	rlx_setup(&tui.sb, redisplay);
	tui_note(welcome);
	if (tui.demo)
		demo_player_begin(tui.demo);
	tui_loop();
	repl_history_save();
	/* Ended by SIGTERM or SIGHUP: main cleans up, then dies of it. */
	return signals_leaving() ? 128 + signals_pending() : 0;
}

int tui_run(void)
{
	if (!tui_available())
		return repl_run_plain();
	return tui_run_screen(
	    _("Welcome to nslab. Type `labs` to list the labs, `start uts` to begin, F1 for help."));
}

void tui_end(void)
{
	host_set_shell_runner(NULL);
	if (tui.shell) { /* quit, a signal, the terminal gone: the shell goes first */
		vtshell_end(tui.shell);
		tui.shell = NULL;
		host_guard_skip(0);
	}
	if (screen_is_open()) {
		rlx_teardown();
		repl_set_terminal(NULL);
		out_set_sink(NULL);
	}
	screen_close();
	sb_free(&tui.sb);
	widgets_free();
	nssub_free();
	free(tui.from);
	free(tui.to);
	tui = (typeof(tui)){0};
}
