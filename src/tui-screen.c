/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui-screen.c: terminal ownership for the TUI, kept apart from what is
 * drawn on it:
 * - ncurses owns private duplicates of the terminal; fds 1 and 2 point at a
 *   pipe while the TUI runs, so a stray write from a library or a child lands
 *   in the output window instead of across the screen;
 * - crash signals restore the terminal with async-signal-safe calls only
 *   (precomputed escape sequences, the saved modes), then nslab dies of the
 *   same signal (signals.c); SIGTERM and SIGHUP leave through main's cleanup. */
#include "tui-screen.h"
#include "pane.h"
#include "signals.h"

#include <term.h>
#undef lines /* term.h names capabilities as macros; we only need tigetstr() */
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static struct tui_screen S;

static struct {
	SCREEN *scr;
	FILE *tin, *tout;
	int tty_in, tty_out;    /* ncurses' own copies of the terminal */
	int save_out, save_err; /* the original fds 1 and 2 */
	int pipe_r, pipe_w;     /* stray writes to fds 1 and 2 */
	struct termios saved_tio;
	char restore[256]; /* escape sequences that undo the screen */
	size_t restore_len;
	unsigned dirty;
	int meter_lines;   /* as last asked for by screen_layout */
	int compact_lines; /* the compact pane's height */
	bool compact_flip; /* F7: the other pane than the height would pick */
} term = {.compact_lines = PANE_HEADER_LINES + 1,
	  .tty_in = -1,
	  .tty_out = -1,
	  .save_out = -1,
	  .save_err = -1,
	  .pipe_r = -1,
	  .pipe_w = -1};

const struct tui_screen *screen(void)
{
	return &S;
}

bool screen_is_open(void)
{
	return term.scr != NULL;
}

void screen_dirty(unsigned parts)
{
	term.dirty |= parts;
}

unsigned screen_take_dirty(void)
{
	unsigned d = term.dirty;
	term.dirty = 0;
	return d;
}

int screen_tty_fd(void)
{
	return term.tty_in;
}

int screen_stray_fd(void)
{
	return term.pipe_r;
}

ssize_t screen_read_stray(char *buf, size_t len)
{
	if (term.pipe_r < 0)
		return 0;
	fflush(stdout);
	fflush(stderr);
	ssize_t n = read(term.pipe_r, buf, len);
	return n > 0 ? n : 0;
}

/* ------------------------------------------------------------------ */
/* attributes                                                          */

attr_t screen_attr(enum tui_style s)
{
	if (S.color)
		switch (s) {
		case S_DIFF:
		case S_HEAD:
			return COLOR_PAIR(s) | A_BOLD;
		default:
			return COLOR_PAIR(s);
		}
	/* NO_COLOR or a monochrome terminal: attributes only. */
	switch (s) {
	case S_DIFF:
		return A_REVERSE | A_BOLD;
	case S_HEAD:
		return A_BOLD | A_UNDERLINE;
	case S_BAR:
	case S_KEY:
		return A_REVERSE;
	case S_NOTYET:
	case S_ERR:
		return A_BOLD;
	default:
		return A_NORMAL;
	}
}

static void setup_colors(void)
{
	const char *nc = getenv("NO_COLOR");
	S.color = has_colors() && !(nc && *nc);
	if (!S.color)
		return;
	start_color();
	use_default_colors();
	init_pair(S_DIFF, COLOR_BLACK, COLOR_YELLOW);
	init_pair(S_OK, COLOR_GREEN, -1);
	init_pair(S_NOTYET, COLOR_YELLOW, -1);
	init_pair(S_ERR, COLOR_RED, -1);
	init_pair(S_HEAD, COLOR_CYAN, -1);
	init_pair(S_BAR, COLOR_BLACK, COLOR_CYAN);
	init_pair(S_KEY, COLOR_BLACK, COLOR_CYAN);
}

void screen_put_clipped(WINDOW *w, const char *s, size_t len)
{
	int x = getcurx(w), mw = getmaxx(w);
	size_t n = text_fit(s, len, mw - x, NULL);
	if (n)
		waddnstr(w, s, (int)n);
}

/* ------------------------------------------------------------------ */
/* layout                                                              */

static void del(WINDOW **w)
{
	if (*w)
		delwin(*w);
	*w = NULL;
}

static void del_all(void)
{
	del(&S.pane);
	del(&S.lab);
	del(&S.meter);
	del(&S.out);
	del(&S.in);
	del(&S.keys);
}

static WINDOW *mkwin(int h, int w, int y, int x)
{
	WINDOW *win = newwin(h, w, y, x);
	if (win)
		leaveok(win, TRUE); /* only the input window places the cursor */
	return win;
}

static void input_window(int w, int y)
{
	S.in = newwin(1, w, y, 0);
	if (S.in) {
		keypad(S.in, TRUE);
		nodelay(S.in, TRUE);
	}
}

void screen_layout(int meter_lines)
{
	term.meter_lines = meter_lines;
	del_all();
	getmaxyx(stdscr, S.h, S.w);
	S.too_small = S.w < TUI_MIN_W || S.h < TUI_MIN_H;
	term.dirty = TUI_ALL | TUI_PANE | TUI_LAB | TUI_METER | TUI_OUT | TUI_KEYS | TUI_INPUT;
	if (S.too_small) {
		input_window(S.w > 0 ? S.w : 1, S.h > 0 ? S.h - 1 : 0);
		return;
	}
	S.meter_h = meter_lines < TUI_METER_MAX ? meter_lines : TUI_METER_MAX;
	S.lab_h = S.h >= 30 ? 4 : 3;
	S.compact = (S.h < TUI_COMPACT_H) != term.compact_flip;
	S.pane_h = S.compact ? term.compact_lines : PANE_LINES;
	int lab_y = S.pane_h, meter_y = lab_y + S.lab_h, out_y = meter_y + S.meter_h;
	int in_y = S.h - 2;
	S.out_h = in_y - out_y;
	S.pane = mkwin(S.pane_h, S.w, 0, 0);
	S.lab = mkwin(S.lab_h, S.w, lab_y, 0);
	if (S.meter_h)
		S.meter = mkwin(S.meter_h, S.w, meter_y, 0);
	S.out = mkwin(S.out_h, S.w, out_y, 0);
	input_window(S.w, in_y);
	S.keys = mkwin(1, S.w, S.h - 1, 0);
}

void screen_toggle_compact(void)
{
	term.compact_flip = !term.compact_flip;
	if (term.scr && !S.suspended)
		screen_layout(term.meter_lines);
}

void screen_set_compact_lines(int lines)
{
	if (lines == term.compact_lines)
		return;
	term.compact_lines = lines;
	if (term.scr && S.compact && !S.too_small && !S.suspended)
		screen_layout(term.meter_lines);
}

/* ------------------------------------------------------------------ */
/* fds 1 and 2, suspend and resume                                     */

static void redirect_output(void)
{
	if (term.pipe_w < 0)
		return;
	fflush(stdout);
	fflush(stderr);
	dup2(term.pipe_w, STDOUT_FILENO);
	dup2(term.pipe_w, STDERR_FILENO);
}

static void restore_output(void)
{
	if (term.save_out < 0)
		return;
	fflush(stdout);
	fflush(stderr);
	dup2(term.save_out, STDOUT_FILENO);
	dup2(term.save_err, STDERR_FILENO);
}

void screen_suspend(void)
{
	if (S.suspended || !term.scr)
		return;
	def_prog_mode();
	endwin();
	restore_output();
	S.suspended = true;
}

/* Picks up a size change that happened while suspended. */
static void sync_size(void)
{
	struct winsize ws;
	if (ioctl(term.tty_out, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col &&
	    (ws.ws_row != LINES || ws.ws_col != COLS))
		resize_term(ws.ws_row, ws.ws_col);
}

void screen_resume(void)
{
	if (!S.suspended)
		return;
	redirect_output();
	reset_prog_mode();
	S.suspended = false;
	sync_size();
	clearok(curscr, TRUE);
}

/* ------------------------------------------------------------------ */
/* open and close                                                      */

/* Async-signal-safe: undo the screen with precomputed sequences and the
 * saved terminal modes, and put fds 1 and 2 back. */
static void crash_restore(void)
{
	if (term.tty_out >= 0 && term.restore_len) {
		ssize_t r = write(term.tty_out, term.restore, term.restore_len);
		(void)r;
	}
	if (term.tty_in >= 0)
		tcsetattr(term.tty_in, TCSAFLUSH, &term.saved_tio);
	if (term.save_out >= 0) {
		dup2(term.save_out, STDOUT_FILENO);
		dup2(term.save_err, STDERR_FILENO);
	}
}

static void add_restore(const char *cap)
{
	char *s = tigetstr((char *)cap);
	if (!s || s == (char *)-1)
		return;
	size_t n = strlen(s);
	if (term.restore_len + n < sizeof(term.restore)) {
		memcpy(term.restore + term.restore_len, s, n);
		term.restore_len += n;
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void open_pipe(void)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return; /* stray output then crosses the screen; Ctrl-L repaints */
	term.pipe_r = p[0];
	term.pipe_w = p[1];
	fcntl(term.pipe_r, F_SETFL, O_NONBLOCK);
	fcntl(term.pipe_w, F_SETPIPE_SZ, 1 << 20);
	term.save_out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	term.save_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	redirect_output();
}

int screen_open(void)
{
	setlocale(LC_CTYPE, ""); /* wide characters; numbers stay in the C locale */
	term.tty_in = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	term.tty_out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (term.tty_in < 0 || term.tty_out < 0)
		return -1;
	tcgetattr(term.tty_in, &term.saved_tio);
	term.tin = fdopen(term.tty_in, "r");
	term.tout = fdopen(term.tty_out, "w");
	if (!term.tin || !term.tout)
		return -1;
	term.scr = newterm(NULL, term.tout, term.tin);
	if (!term.scr)
		return -1;
	set_term(term.scr);
	add_restore("sgr0");
	add_restore("cnorm");
	add_restore("rmkx");
	add_restore("rmcup");
	signals_on_crash(crash_restore);
	raw();
	noecho();
	nonl();
	set_escdelay(25);
	curs_set(1);
	setup_colors();
	open_pipe();
	return 0;
}

void screen_close(void)
{
	if (term.scr) {
		if (!S.suspended)
			endwin();
		del_all();
		delscreen(term.scr);
		term.scr = NULL;
	}
	signals_on_crash(NULL);
	restore_output();
	/* Stray output still in the pipe is printed now that the screen is gone. */
	char buf[4096];
	ssize_t n;
	while (term.pipe_r >= 0 && (n = read(term.pipe_r, buf, sizeof(buf))) > 0)
		if (write(STDOUT_FILENO, buf, (size_t)n) < 0)
			break;
	if (term.tin)
		fclose(term.tin);
	else
		close_fd(&term.tty_in);
	if (term.tout)
		fclose(term.tout);
	else
		close_fd(&term.tty_out);
	term.tin = term.tout = NULL;
	term.tty_in = term.tty_out = -1;
	close_fd(&term.pipe_r);
	close_fd(&term.pipe_w);
	close_fd(&term.save_out);
	close_fd(&term.save_err);
	term.restore_len = 0;
	S = (struct tui_screen){0};
}
