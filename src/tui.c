/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui.c: the full-screen layout. From the top: the namespace pane, the lab
 * panel, the meter (when a lab fills it), the output window with its
 * scrollback, the input line (GNU readline in callback mode) and a key bar.
 *
 * How it stays light and robust:
 * - one poll() on the terminal and a pipe. While the pane shows a process
 *   besides nslab, it wakes every PROBE_MS and probes only those shown
 *   processes (nsview_stale: one pread each while they sleep), every column
 *   every FULL_MS; the pane is read afresh only when one moved or the lists
 *   of lab and watched processes changed.
 *   Nothing is redrawn unless it changed (wnoutrefresh per window, one
 *   doupdate), and an idle wake-up makes no terminal I/O;
 * - ncurses owns private duplicates of the terminal; fds 1 and 2 point at a
 *   pipe while the TUI runs, so a stray write from a library or a child lands
 *   in the output window instead of across the screen;
 * - readline never touches the terminal: we feed it keys (rl_getc_function),
 *   draw its line (rl_redisplay_function) and its completion lists;
 * - crash signals restore the terminal with async-signal-safe calls only,
 *   then re-raise; SIGTERM and SIGHUP leave through the normal cleanup. */
#include "tui.h"
#include "demo.h"
#include "nsview.h"
#include "output.h"
#include "pane.h"
#include "repl.h"
#include "session.h"
#include "signals.h"
#include "cleanup.h"
#include "util.h"

#include <curses.h>
#include <term.h>
#undef lines /* term.h names capabilities as macros; we only need tigetstr() */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <readline/readline.h>
#include <readline/history.h>

#define TICK_MS 200  /* demo typing, lab ticks, keys ncurses held back */
#define PROBE_MS 50  /* shown processes probed: a change shows within this */
#define SLACK_MS 10  /* a job due this soon runs in the current wake-up */
#define FULL_MS 1000 /* every column probed, nslab's and hidden ones too */
#define OUT_MAX 5000 /* scrollback lines kept */
#define MIN_W 80
#define MIN_H 24
#define METER_MAX 3
#define KEYQ 64

enum cpair { P_DIFF = 1, P_OK, P_NOTYET, P_ERR, P_HEAD, P_BAR, P_KEY };

struct oline {
	char *text;
	unsigned char kind;
};

static struct {
	SCREEN *scr;
	FILE *tin, *tout;
	int tty_in, tty_out;    /* ncurses' own copies of the terminal */
	int save_out, save_err; /* the original fds 1 and 2 */
	int pipe_r, pipe_w;     /* stray writes to fds 1 and 2 */
	struct termios saved_tio;
	char restore[256]; /* escape sequences that undo the screen */
	size_t restore_len;
	bool color;

	WINDOW *pane, *lab, *meter, *out, *in, *keys;
	int w, h, pane_y, lab_y, lab_h, meter_y, meter_h, out_y, out_h, in_y, key_y;
	bool too_small, suspended, executing, quit;
	bool d_pane, d_lab, d_meter, d_out, d_keys, d_all, d_input;

	struct ns_col cols[PANE_MAX_COLS];
	size_t ncols;
	unsigned generation; /* nsview_generation() when cols were read */
	struct session_view sv;
	char sv_task[1024], sv_title[256], sv_step[256];
	char sv_task_raw[1024]; /* sv_task as the lab gave it (sv_task is reflowed) */

	struct oline lines[OUT_MAX];
	size_t first, count; /* ring buffer */
	char *partial;       /* the unfinished last line */
	size_t partial_len;
	enum out_kind partial_kind;
	int scroll; /* display rows scrolled back from the bottom */
	char *meter_text;

	int keyq[KEYQ];
	int kq_head, kq_len;
	char *pending_line;
	bool line_eof;
	struct timespec last_live_draw;
	size_t pushed; /* lines ever pushed: absolute line numbers */
} T = {.tty_in = -1, .tty_out = -1, .save_out = -1, .save_err = -1, .pipe_r = -1, .pipe_w = -1};

static void draw(void);
static void layout(void);

bool tui_available(void)
{
	const char *term = getenv("TERM");
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && term && *term && strcmp(term, "dumb") != 0;
}

/* ------------------------------------------------------------------ */
/* attributes                                                          */

static attr_t attr_of(enum cpair p)
{
	if (T.color)
		switch (p) {
		case P_DIFF:
			return COLOR_PAIR(P_DIFF) | A_BOLD;
		case P_HEAD:
			return COLOR_PAIR(P_HEAD) | A_BOLD;
		case P_BAR:
			return COLOR_PAIR(P_BAR);
		case P_KEY:
			return COLOR_PAIR(P_KEY);
		default:
			return COLOR_PAIR(p);
		}
	/* NO_COLOR or a monochrome terminal: attributes only. */
	switch (p) {
	case P_DIFF:
		return A_REVERSE | A_BOLD;
	case P_HEAD:
		return A_BOLD | A_UNDERLINE;
	case P_BAR:
		return A_REVERSE;
	case P_KEY:
		return A_REVERSE;
	case P_NOTYET:
		return A_BOLD;
	case P_ERR:
		return A_BOLD;
	default:
		return A_NORMAL;
	}
}

static void setup_colors(void)
{
	const char *nc = getenv("NO_COLOR");
	T.color = has_colors() && !(nc && *nc);
	if (!T.color)
		return;
	start_color();
	use_default_colors();
	init_pair(P_DIFF, COLOR_BLACK, COLOR_YELLOW);
	init_pair(P_OK, COLOR_GREEN, -1);
	init_pair(P_NOTYET, COLOR_YELLOW, -1);
	init_pair(P_ERR, COLOR_RED, -1);
	init_pair(P_HEAD, COLOR_CYAN, -1);
	init_pair(P_BAR, COLOR_BLACK, COLOR_CYAN);
	init_pair(P_KEY, COLOR_BLACK, COLOR_CYAN);
}

/* ------------------------------------------------------------------ */
/* the output window's text                                            */

static void push_line(const char *s, size_t len, enum out_kind kind)
{
	char *clean = text_clean(s, len);
	if (!clean)
		return;
	if (T.count == OUT_MAX) {
		free(T.lines[T.first].text);
		T.first = (T.first + 1) % OUT_MAX;
		T.count--;
	}
	struct oline *l = &T.lines[(T.first + T.count) % OUT_MAX];
	l->text = clean;
	l->kind = (unsigned char)kind;
	T.count++;
	T.pushed++;
	if (T.scroll)
		T.scroll++; /* keep the reader's place while output arrives */
	T.d_out = true;
}

static void note(const char *s)
{
	push_line(s, strlen(s), OUT_NOTE);
}

/* A line's kind is the first kind other than plain text among its fragments
 * (a check line may be written in pieces). */
static void append_text(enum out_kind kind, const char *text, size_t len)
{
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		char *np = realloc(T.partial, T.partial_len + n + 1);
		if (!np)
			return;
		T.partial = np;
		memcpy(T.partial + T.partial_len, text + i, n);
		T.partial_len += n;
		T.partial[T.partial_len] = '\0';
		if (T.partial_kind == OUT_TEXT)
			T.partial_kind = kind;
		i += n;
		if (nl) {
			push_line(T.partial, T.partial_len, T.partial_kind);
			T.partial_kind = OUT_TEXT;
			T.partial_len = 0;
			T.partial[0] = '\0';
			i++;
		}
	}
	T.d_out = true;
}

static double since_ms(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) * 1e3 + (double)(now.tv_nsec - t->tv_nsec) / 1e6;
}

static void sink_write(enum out_kind kind, const char *text, size_t len)
{
	append_text(kind, text, len);
	/* While a command runs, show its output as it streams, ~30 times a second. */
	if (T.executing && !T.suspended && since_ms(&T.last_live_draw) > 33) {
		draw();
		clock_gettime(CLOCK_MONOTONIC, &T.last_live_draw);
	}
}

static void sink_meter(const char *text)
{
	free(T.meter_text);
	T.meter_text = text && *text ? strdup(text) : NULL;
	int lines = 0;
	for (const char *p = T.meter_text; p && *p && lines < METER_MAX; lines++) {
		const char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : p + strlen(p);
	}
	if (lines != T.meter_h && !T.too_small && !T.suspended)
		layout(); /* the meter grew or shrank: the windows below move */
	T.d_meter = true;
	if (T.executing && !T.suspended)
		draw();
}

static const struct out_sink sink = {sink_write, sink_meter};

/* Reads whatever stray output reached fds 1 and 2. */
static void drain_pipe(void)
{
	if (T.pipe_r < 0)
		return;
	fflush(stdout);
	fflush(stderr);
	char buf[4096];
	ssize_t n;
	while ((n = read(T.pipe_r, buf, sizeof(buf))) > 0)
		append_text(OUT_TEXT, buf, (size_t)n);
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
	del(&T.pane);
	del(&T.lab);
	del(&T.meter);
	del(&T.out);
	del(&T.in);
	del(&T.keys);
}

static WINDOW *mkwin(int h, int w, int y, int x)
{
	WINDOW *win = newwin(h, w, y, x);
	if (win)
		leaveok(win, TRUE); /* only the input window places the cursor */
	return win;
}

static void layout(void)
{
	del_all();
	getmaxyx(stdscr, T.h, T.w);
	T.too_small = T.w < MIN_W || T.h < MIN_H;
	T.d_all = T.d_pane = T.d_lab = T.d_meter = T.d_out = T.d_keys = T.d_input = true;
	if (T.too_small) {
		T.in = newwin(1, T.w > 0 ? T.w : 1, T.h > 0 ? T.h - 1 : 0, 0);
		if (T.in) {
			keypad(T.in, TRUE);
			nodelay(T.in, TRUE);
		}
		return;
	}
	T.meter_h = 0;
	for (const char *p = T.meter_text; p && *p && T.meter_h < METER_MAX; T.meter_h++) {
		const char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : p + strlen(p);
	}
	T.pane_y = 0;
	T.lab_y = PANE_LINES;
	T.lab_h = T.h >= 30 ? 4 : 3;
	T.meter_y = T.lab_y + T.lab_h;
	T.out_y = T.meter_y + T.meter_h;
	T.key_y = T.h - 1;
	T.in_y = T.h - 2;
	T.out_h = T.in_y - T.out_y;
	T.pane = mkwin(PANE_LINES, T.w, T.pane_y, 0);
	T.lab = mkwin(T.lab_h, T.w, T.lab_y, 0);
	if (T.meter_h)
		T.meter = mkwin(T.meter_h, T.w, T.meter_y, 0);
	T.out = mkwin(T.out_h, T.w, T.out_y, 0);
	T.in = newwin(1, T.w, T.in_y, 0);
	T.keys = mkwin(1, T.w, T.key_y, 0);
	if (T.in) {
		keypad(T.in, TRUE);
		nodelay(T.in, TRUE);
	}
}

/* ------------------------------------------------------------------ */
/* drawing                                                             */

/* Writes s clipped to the columns left on the window's current line. */
static void put_clipped(WINDOW *w, const char *s, size_t len)
{
	int y, x, mh, mw;
	getyx(w, y, x);
	getmaxyx(w, mh, mw);
	(void)y;
	(void)mh;
	size_t n = text_fit(s, len, mw - x, NULL);
	if (n)
		waddnstr(w, s, (int)n);
}

static void draw_pane(void)
{
	static struct pane_line lines[PANE_LINES];
	werase(T.pane);
	pane_render(T.cols, T.ncols, T.w, lines);
	for (int i = 0; i < PANE_LINES; i++) {
		struct pane_line *ln = &lines[i];
		attr_t base = i < PANE_HEADER_LINES ? attr_of(P_HEAD) : A_NORMAL;
		wattrset(T.pane, base);
		mvwaddnstr(T.pane, i, 0, ln->text, T.w);
		for (int s = 0; s < ln->nspans; s++)
			mvwchgat(T.pane, i, ln->spans[s].start, ln->spans[s].len, attr_of(P_DIFF),
				 PAIR_NUMBER(attr_of(P_DIFF)), NULL);
	}
	/* The legend, where the header has room for it. */
	static const char legend[] = "* = differs from nslab";
	struct pane_layout l;
	pane_layout(T.ncols, T.w, &l);
	int used = l.label_w + (int)l.shown * (l.gap + l.col_w);
	if (T.w - used >= (int)sizeof(legend) + 1) {
		wattrset(T.pane, A_NORMAL);
		mvwaddstr(T.pane, 1, T.w - (int)sizeof(legend), legend);
	}
	wattrset(T.pane, A_NORMAL);
	wnoutrefresh(T.pane);
}

/* Labs wrap their text for an 80-column plain terminal; the panel wraps it
 * again to its own width. Join the lines of a paragraph first, so that the
 * two wraps do not leave a word alone on a line. Indented lines (commands)
 * and blank lines keep their breaks. */
static void reflow(char *s)
{
	const char *line = s; /* start of the line that p ends */
	for (char *p = strchr(s, '\n'); p; line = p + 1, p = strchr(p + 1, '\n')) {
		bool blank_before = p == s || p[-1] == '\n';
		bool indented = *line == ' ' || *line == '\t'; /* a command line keeps its end */
		if (!blank_before && !indented && p[1] && p[1] != '\n' && p[1] != ' ' && p[1] != '\t')
			*p = ' ';
	}
}

static void snapshot_session(void)
{
	const struct session_view *v = session_view();
	T.sv = v ? *v : (struct session_view){.last_check = -1};
	snprintf(T.sv_task_raw, sizeof(T.sv_task_raw), "%s", T.sv.task ? T.sv.task : "");
	memcpy(T.sv_task, T.sv_task_raw, sizeof(T.sv_task));
	reflow(T.sv_task);
	snprintf(T.sv_step, sizeof(T.sv_step), "%s", T.sv.step_title ? T.sv.step_title : "");
	snprintf(T.sv_title, sizeof(T.sv_title), "%s", T.sv.lab && T.sv.lab->title ? T.sv.lab->title : "");
}

static bool session_changed(void)
{
	const struct session_view *v = session_view();
	struct session_view now = v ? *v : (struct session_view){.last_check = -1};
	return now.lab != T.sv.lab || now.step != T.sv.step || now.nsteps != T.sv.nsteps ||
	       now.last_check != T.sv.last_check || now.complete != T.sv.complete ||
	       /* against what was kept: reflowed or cut short, it would differ on every tick */
	       strncmp(now.task ? now.task : "", T.sv_task_raw, sizeof(T.sv_task_raw) - 1) != 0 ||
	       strncmp(now.step_title ? now.step_title : "", T.sv_step, sizeof(T.sv_step) - 1) != 0;
}

static void draw_lab(void)
{
	werase(T.lab);
	char bar[1024], right[64];
	const struct session_view *v = &T.sv;
	if (!v->lab) {
		snprintf(bar, sizeof(bar), " no lab running");
		right[0] = '\0';
	} else {
		snprintf(bar, sizeof(bar), " %s: %s | step %u/%u: %s", v->lab->id, T.sv_title, v->step,
			 v->nsteps, T.sv_step);
		snprintf(right, sizeof(right), "%s ",
			 v->complete          ? "lab complete"
			 : v->last_check == 1 ? "check: ok"
			 : v->last_check == 0 ? "check: not yet"
					      : "not checked yet");
	}
	wattrset(T.lab, attr_of(P_BAR));
	mvwhline(T.lab, 0, 0, ' ', T.w);
	int rw = text_width(right, strlen(right));
	bool show_right = rw && T.w - rw > 40;
	size_t fit = text_fit(bar, strlen(bar), show_right ? T.w - rw - 1 : T.w, NULL);
	mvwaddnstr(T.lab, 0, 0, bar, (int)fit);
	if (show_right) {
		/* The check result stands out from the bar: coloured, or bold. */
		enum cpair p = v->last_check == 1 || v->complete ? P_OK
			       : v->last_check == 0              ? P_NOTYET
								 : P_BAR;
		attr_t a = p == P_BAR ? attr_of(P_BAR)
			   : T.color  ? (COLOR_PAIR(p) | A_BOLD | A_REVERSE)
				      : (A_BOLD | A_REVERSE);
		wattrset(T.lab, a);
		mvwaddstr(T.lab, 0, T.w - rw, right);
	}
	wattrset(T.lab, A_NORMAL);

	const char *text =
	    v->lab ? T.sv_task
		   : "Type `labs` to see what there is to learn, then `start ID` (try `start uts`). "
		     "`help` lists every command.";
	const char *lead = v->lab ? "task: " : "";
	int lw = (int)strlen(lead);
	size_t off[8], len[8];
	bool trunc = false;
	int rows = text_wrap_words(text, T.w - lw - 4, off, len, T.lab_h - 1, &trunc);
	for (int r = 0; r < rows; r++) {
		wmove(T.lab, 1 + r, 0);
		if (r == 0 && lw) {
			wattrset(T.lab, A_BOLD);
			waddstr(T.lab, lead);
			wattrset(T.lab, A_NORMAL);
		} else {
			wmove(T.lab, 1 + r, lw);
		}
		if (trunc && r == rows - 1) {
			/* the task goes on: say where to read it whole, after the last
			 * word that fits (never half a word) */
			static const char more[] = " ... (`step` shows all)";
			int room = T.w - lw - (int)sizeof(more);
			size_t n = len[r];
			if (room > 0 && text_width(text + off[r], n) > room) {
				n = text_fit(text + off[r], n, room, NULL);
				while (n > 0 && text[off[r] + n] != ' ' && text[off[r] + n - 1] != ' ')
					n--;
			}
			put_clipped(T.lab, text + off[r], n);
			waddstr(T.lab, room > 0 ? more : "...");
		} else {
			put_clipped(T.lab, text + off[r], len[r]);
		}
	}
	wnoutrefresh(T.lab);
}

static void draw_meter(void)
{
	if (!T.meter)
		return;
	werase(T.meter);
	const char *p = T.meter_text;
	for (int r = 0; p && *p && r < T.meter_h; r++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *clean = text_clean(p, n);
		wmove(T.meter, r, 0);
		wattrset(T.meter, A_BOLD);
		if (clean)
			put_clipped(T.meter, clean, strlen(clean));
		free(clean);
		p = nl ? nl + 1 : p + n;
	}
	wattrset(T.meter, A_NORMAL);
	wnoutrefresh(T.meter);
}

static attr_t kind_attr(unsigned char k)
{
	switch (k) {
	case OUT_ECHO:
		return A_BOLD;
	case OUT_OK:
		return attr_of(P_OK) | A_BOLD;
	case OUT_NOTYET:
	case OUT_MISSING:
	case OUT_WARNING:
		return attr_of(P_NOTYET);
	case OUT_ERROR:
		return attr_of(P_ERR);
	case OUT_TRACE:
		return attr_of(P_HEAD);
	case OUT_NOTE:
		return A_DIM;
	default:
		return A_NORMAL;
	}
}

/* Bytes of s (len bytes) that go on one output row of `width` columns:
 * as many as fit, broken after the last space so that no word is split
 * (a word longer than the row is split, as it has to be). At least 1. */
static size_t row_take(const char *s, size_t len, int width)
{
	size_t k = text_fit(s, len, width, NULL);
	if (k == 0)
		return len ? 1 : 0;
	if (k < len && s[k] != ' ') {
		size_t sp = k;
		while (sp > 0 && s[sp - 1] != ' ')
			sp--;
		if (sp > 0)
			k = sp; /* the space stays at the end of this row */
	}
	while (k < len && s[k] == ' ' && text_width(s, k + 1) <= width)
		k++;
	return k;
}

/* Display rows of one output line at the window's width, word-wrapped. */
static int out_rows(const char *s)
{
	size_t len = strlen(s), i = 0;
	int rows = 0;
	if (T.w <= 0 || len == 0)
		return 1;
	while (i < len) {
		i += row_take(s + i, len - i, T.w);
		rows++;
	}
	return rows;
}

static int total_rows(void)
{
	int rows = 0;
	for (size_t i = 0; i < T.count; i++)
		rows += out_rows(T.lines[(T.first + i) % OUT_MAX].text);
	if (T.partial_len)
		rows += out_rows(T.partial);
	return rows;
}

/* Draws display row `row` (0-based) of a wrapped line at window row y. */
static void draw_wrapped_row(int y, const char *s, int row, attr_t a)
{
	size_t len = strlen(s), i = 0;
	for (int r = 0; r < row && i < len; r++)
		i += row_take(s + i, len - i, T.w);
	size_t n = i < len ? row_take(s + i, len - i, T.w) : 0;
	wmove(T.out, y, 0);
	wattrset(T.out, a);
	put_clipped(T.out, s + i, n);
	wattrset(T.out, A_NORMAL);
}

static void draw_out(void)
{
	werase(T.out);
	int skip = T.scroll, y = T.out_h - 1;
	/* From the newest line up: the partial line, then the ring. */
	for (long i = (long)T.count - (T.partial_len ? 0 : 1); i >= 0 && y >= 0; i--) {
		const char *s;
		attr_t a;
		if (i == (long)T.count) {
			s = T.partial;
			a = A_NORMAL;
		} else {
			struct oline *l = &T.lines[(T.first + (size_t)i) % OUT_MAX];
			s = l->text;
			a = kind_attr(l->kind);
		}
		for (int r = out_rows(s) - 1; r >= 0 && y >= 0; r--) {
			if (skip > 0) {
				skip--;
				continue;
			}
			draw_wrapped_row(y--, s, r, a);
		}
	}
	if (T.scroll) {
		char note[80];
		snprintf(note, sizeof(note), " scrolled back %d lines: PgDn returns ", T.scroll);
		int nw = (int)strlen(note);
		wattrset(T.out, attr_of(P_BAR));
		mvwaddstr(T.out, 0, T.w > nw ? T.w - nw : 0, note);
		wattrset(T.out, A_NORMAL);
	}
	wnoutrefresh(T.out);
}

static void draw_keys(void)
{
	static const struct {
		const char *key, *label;
	} keys[] = {
	    {"F1", "Help"}, {"F2", "Status"}, {"F3", "Hint"},        {"F4", "Explain"}, {"F5", "Check"},
	    {"F6", "Next"}, {"F10", "Quit"},  {"PgUp/Dn", "Scroll"}, {"^L", "Redraw"},
	};
	werase(T.keys);
	wmove(T.keys, 0, 0);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int y, x;
		getyx(T.keys, y, x);
		(void)y;
		if (x + (int)(strlen(keys[i].key) + strlen(keys[i].label)) + 1 >= T.w)
			break;
		wattrset(T.keys, A_BOLD);
		waddstr(T.keys, keys[i].key);
		wattrset(T.keys, attr_of(P_KEY));
		waddstr(T.keys, keys[i].label);
		wattrset(T.keys, A_NORMAL);
		waddch(T.keys, ' ');
	}
	wnoutrefresh(T.keys);
}

/* The input line: readline's prompt and buffer, scrolled sideways so that
 * the cursor stays visible; widths measured with wcwidth. */
static void draw_input(void)
{
	if (!T.in)
		return;
	int w = getmaxx(T.in);
	werase(T.in);
	if (T.executing) {
		wattrset(T.in, A_DIM);
		mvwaddstr(T.in, 0, 0, "(running: Ctrl-C interrupts the command)");
		wattrset(T.in, A_NORMAL);
		wnoutrefresh(T.in);
		return;
	}
	const char *prompt = rl_display_prompt ? rl_display_prompt : repl_prompt();
	const char *line = rl_line_buffer ? rl_line_buffer : "";
	size_t plen = strlen(prompt), llen = strlen(line);
	size_t point = rl_point >= 0 && (size_t)rl_point <= llen ? (size_t)rl_point : llen;
	char *all = malloc(plen + llen + 1);
	if (!all)
		return;
	memcpy(all, prompt, plen);
	memcpy(all + plen, line, llen + 1);
	int cursor = text_width(all, plen + point);
	/* Skip whole characters from the left until the cursor fits. */
	size_t start = 0;
	int shift = 0;
	while (cursor - shift > w - 1 && start < plen + llen) {
		int cw;
		start += text_next(all + start, plen + llen - start, &cw);
		shift += cw;
	}
	wattrset(T.in, A_BOLD);
	wmove(T.in, 0, 0);
	if (start < plen)
		put_clipped(T.in, all + start, plen - start);
	wattrset(T.in, A_NORMAL);
	size_t ls = start > plen ? start : plen;
	put_clipped(T.in, all + ls, plen + llen - ls);
	free(all);
	wmove(T.in, 0, cursor - shift < w ? cursor - shift : w - 1);
	wnoutrefresh(T.in);
}

static void draw_too_small(void)
{
	erase();
	char msg[128];
	snprintf(msg, sizeof(msg), "nslab needs at least %dx%d; this terminal is %dx%d.", MIN_W, MIN_H, T.w,
		 T.h);
	const char *msg2 = "Enlarge the window, or type quit and press Enter.";
	int y = T.h / 2 - 1;
	if (y < 0)
		y = 0;
	attrset(A_BOLD);
	mvaddnstr(y, 0, msg, T.w);
	attrset(A_NORMAL);
	if (y + 1 < T.h - 1)
		mvaddnstr(y + 1, 0, msg2, T.w);
	wnoutrefresh(stdscr);
}

static void draw(void)
{
	if (T.suspended)
		return;
	/* Idle ticks change nothing: no drawing, no doupdate, no terminal I/O. */
	if (!(T.d_all || T.d_pane || T.d_lab || T.d_meter || T.d_out || T.d_keys || T.d_input))
		return;
	T.d_input = false;
	if (T.too_small) {
		if (T.d_all)
			draw_too_small();
		T.d_all = false;
		draw_input();
		doupdate();
		return;
	}
	if (T.d_all) {
		wnoutrefresh(stdscr);
		T.d_all = false;
	}
	if (T.d_pane)
		draw_pane();
	if (T.d_lab)
		draw_lab();
	if (T.d_meter)
		draw_meter();
	if (T.d_out)
		draw_out();
	if (T.d_keys)
		draw_keys();
	T.d_pane = T.d_lab = T.d_meter = T.d_out = T.d_keys = false;
	draw_input(); /* last, so the cursor ends on the input line */
	doupdate();
}

static void refresh_session(void)
{
	if (session_changed()) {
		snapshot_session();
		T.d_lab = true;
	}
}

/* Reads the kernel afresh; marks what changed. */
static void refresh_model(void)
{
	struct ns_col cols[PANE_MAX_COLS];
	T.generation = nsview_generation();
	size_t n = nsview_columns(cols, PANE_MAX_COLS);
	if (!pane_same(cols, n, T.cols, T.ncols)) {
		memcpy(T.cols, cols, n * sizeof(cols[0]));
		T.ncols = n;
		T.d_pane = true;
	}
	refresh_session();
}

/* Something to probe: a shown process besides nslab (column 0), which never
 * changes its own namespaces (setns and unshare run in the lab's agent). */
static bool pane_probing(void)
{
	return T.ncols > 1 && !T.suspended;
}

/* The cheap check between full reads: the lists of lab and watched processes
 * (no system call) and the columns from `from` on (nsview_stale: one pread
 * each while they sleep); the whole model is read again only when one of
 * them moved. Between full reads, only the shown columns are probed. */
static void probe_pane(bool all)
{
	if (nsview_generation() != T.generation) {
		refresh_model();
		return;
	}
	size_t upto = T.ncols;
	if (!all) {
		struct pane_layout l;
		pane_layout(T.ncols, T.w, &l);
		upto = l.shown;
	}
	for (size_t c = all ? 0 : 1; c < upto; c++)
		if (nsview_stale(&T.cols[c])) {
			refresh_model();
			return;
		}
	refresh_session();
}

/* ------------------------------------------------------------------ */
/* readline in callback mode                                           */

static int rl_getc_cb(FILE *f)
{
	(void)f;
	if (!T.kq_len)
		return 0; /* not reached: readline is only called with keys queued */
	int c = T.keyq[T.kq_head];
	T.kq_head = (T.kq_head + 1) % KEYQ;
	T.kq_len--;
	return c;
}

static int rl_avail_cb(void)
{
	return T.kq_len > 0;
}

static void rl_redisplay_cb(void)
{
	T.d_input = true;
	if (!T.suspended && T.in)
		draw();
}

static void on_line(char *line)
{
	if (!line) {
		T.line_eof = true;
		return;
	}
	T.pending_line = line;
}

/* Completion candidates go into the output window, in columns. */
static void show_matches(char **matches, int n, int max_len)
{
	int cw = max_len + 2, per = T.w / (cw > 0 ? cw : 1);
	if (per < 1)
		per = 1;
	char row[1024];
	size_t at = 0;
	for (int i = 1; i <= n; i++) {
		at += (size_t)snprintf(row + at, sizeof(row) - at, "%-*s", cw, matches[i]);
		if (i % per == 0 || i == n || at > sizeof(row) - 256) {
			push_line(row, strlen(row), OUT_NOTE);
			at = 0;
		}
	}
	T.scroll = 0;
	draw();
}

static void rl_install(void)
{
	rl_callback_handler_install(repl_prompt(), on_line);
}

static void rl_setup(void)
{
	rl_readline_name = "nslab";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = NULL; /* ncurses owns the terminal modes */
	rl_deprep_term_function = NULL;
	rl_getc_function = rl_getc_cb;
	rl_input_available_hook = rl_avail_cb;
	rl_redisplay_function = rl_redisplay_cb;
	rl_completion_display_matches_hook = show_matches;
	rl_attempted_completion_function = repl_completion;
	rl_outstream = fopen("/dev/null", "we"); /* the bell and anything else */
	rl_variable_bind("enable-bracketed-paste", "off");
	rl_variable_bind("bell-style", "none");
	rl_install();
}

static void rl_teardown(void)
{
	rl_callback_handler_remove();
	if (rl_outstream && rl_outstream != stdout) {
		fclose(rl_outstream);
		rl_outstream = stdout;
	}
	rl_redisplay_function = rl_redisplay;
	rl_getc_function = rl_getc;
	rl_input_available_hook = NULL;
	rl_completion_display_matches_hook = NULL;
	rl_prep_term_function = rl_prep_terminal;
	rl_deprep_term_function = rl_deprep_terminal;
}

static void feed(const char *bytes)
{
	for (; *bytes && T.kq_len < KEYQ; bytes++) {
		T.keyq[(T.kq_head + T.kq_len) % KEYQ] = (unsigned char)*bytes;
		T.kq_len++;
	}
}

/* ------------------------------------------------------------------ */
/* terminal ownership: fds, suspend/resume, signals                    */

static void redirect_output(void)
{
	if (T.pipe_w < 0)
		return;
	fflush(stdout);
	fflush(stderr);
	dup2(T.pipe_w, STDOUT_FILENO);
	dup2(T.pipe_w, STDERR_FILENO);
}

static void restore_output(void)
{
	if (T.save_out < 0)
		return;
	fflush(stdout);
	fflush(stderr);
	dup2(T.save_out, STDOUT_FILENO);
	dup2(T.save_err, STDERR_FILENO);
}

static void tui_suspend(void)
{
	if (T.suspended)
		return;
	drain_pipe();
	draw();
	def_prog_mode();
	endwin();
	restore_output();
	T.suspended = true;
}

/* Picks up a size change that happened while suspended. */
static void sync_size(void)
{
	struct winsize ws;
	if (ioctl(T.tty_out, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col &&
	    (ws.ws_row != LINES || ws.ws_col != COLS))
		resize_term(ws.ws_row, ws.ws_col);
}

static void tui_resume(void)
{
	if (!T.suspended)
		return;
	redirect_output();
	reset_prog_mode();
	T.suspended = false;
	sync_size();
	clearok(curscr, TRUE);
	layout();
	refresh_model();
	draw();
}

static const struct repl_terminal terminal = {tui_suspend, tui_resume};

/* Async-signal-safe: undo the screen with precomputed sequences and the
 * saved terminal modes, put fds 1 and 2 back (signals.c then dies of the
 * same signal). */
static void crash_restore(void)
{
	if (T.tty_out >= 0 && T.restore_len) {
		ssize_t r = write(T.tty_out, T.restore, T.restore_len);
		(void)r;
	}
	if (T.tty_in >= 0)
		tcsetattr(T.tty_in, TCSAFLUSH, &T.saved_tio);
	if (T.save_out >= 0) {
		dup2(T.save_out, STDOUT_FILENO);
		dup2(T.save_err, STDERR_FILENO);
	}
}

/* SIGINT, SIGTERM and SIGHUP are recorded by signals.c, which the loop and
 * ns_exec (forwarding Ctrl-C to a running command) ask. */
static void add_restore(const char *cap)
{
	char *s = tigetstr((char *)cap);
	if (!s || s == (char *)-1)
		return;
	size_t n = strlen(s);
	if (T.restore_len + n < sizeof(T.restore)) {
		memcpy(T.restore + T.restore_len, s, n);
		T.restore_len += n;
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int open_screen(void)
{
	setlocale(LC_CTYPE, ""); /* wide characters; numbers stay in the C locale */
	T.tty_in = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	T.tty_out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (T.tty_in < 0 || T.tty_out < 0)
		return -1;
	tcgetattr(T.tty_in, &T.saved_tio);
	T.tin = fdopen(T.tty_in, "r");
	T.tout = fdopen(T.tty_out, "w");
	if (!T.tin || !T.tout)
		return -1;
	T.scr = newterm(NULL, T.tout, T.tin);
	if (!T.scr)
		return -1;
	set_term(T.scr);
	add_restore("sgr0");
	add_restore("cnorm");
	add_restore("rmkx");
	add_restore("rmcup");
	raw();
	noecho();
	nonl();
	set_escdelay(25);
	curs_set(1);
	setup_colors();

	int p[2];
	if (pipe2(p, O_CLOEXEC) == 0) {
		T.pipe_r = p[0];
		T.pipe_w = p[1];
		fcntl(T.pipe_r, F_SETFL, O_NONBLOCK);
		fcntl(T.pipe_w, F_SETPIPE_SZ, 1 << 20);
		T.save_out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
		T.save_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
		redirect_output();
	}
	return 0;
}

static void close_screen(void)
{
	if (T.scr) {
		if (!T.suspended)
			endwin();
		del_all();
		delscreen(T.scr);
		T.scr = NULL;
	}
	restore_output();
	/* Stray output still in the pipe is printed now that the screen is gone. */
	char buf[4096];
	ssize_t n;
	while (T.pipe_r >= 0 && (n = read(T.pipe_r, buf, sizeof(buf))) > 0)
		if (write(STDOUT_FILENO, buf, (size_t)n) < 0)
			break;
	for (size_t i = 0; i < T.count; i++)
		free(T.lines[(T.first + i) % OUT_MAX].text);
	T.count = 0;
	if (T.tin)
		fclose(T.tin);
	if (T.tout)
		fclose(T.tout);
	T.tin = T.tout = NULL;
	T.tty_in = T.tty_out = -1;
	close_fd(&T.pipe_r);
	close_fd(&T.pipe_w);
	close_fd(&T.save_out);
	close_fd(&T.save_err);
}

/* ------------------------------------------------------------------ */
/* commands and keys                                                   */

static void run_command(const char *line, bool typed)
{
	char *echo = NULL;
	if (asprintf(&echo, "%s%s", repl_prompt(), line) >= 0) {
		push_line(echo, strlen(echo), OUT_ECHO);
		free(echo);
	}
	if (typed && *line)
		add_history(line);
	T.scroll = 0;
	T.executing = T.d_input = true;
	clock_gettime(CLOCK_MONOTONIC, &T.last_live_draw);
	draw();
	/* While the command runs, Ctrl-C is a signal again: nslab gets it and
	 * ns_exec passes it on to the command's process group. The flag is
	 * dropped afterwards, as the plain REPL does. */
	cbreak();
	repl_exec(line);
	raw();
	signals_clear_interrupt();
	T.executing = false;
	T.d_input = true;
	drain_pipe();
	if (repl_quit_requested())
		T.quit = true;
	refresh_model();
	T.d_out = true;
}

/* Runs the line readline handed over, then gives readline a fresh prompt. */
static void take_pending_line(void)
{
	char *line = T.pending_line;
	T.pending_line = NULL;
	rl_callback_handler_remove();
	run_command(line, true);
	free(line);
	if (!T.quit)
		rl_install();
}

static void run_key_command(const char *cmd)
{
	/* Keep what the learner was typing; run the key's command beside it. */
	char *saved = strdup(rl_line_buffer ? rl_line_buffer : "");
	int point = rl_point;
	rl_callback_handler_remove();
	run_command(cmd, false);
	if (T.quit) {
		free(saved);
		return;
	}
	rl_install();
	if (saved) {
		rl_replace_line(saved, 0);
		rl_point = point <= rl_end ? point : rl_end;
		free(saved);
	}
	rl_redisplay_cb();
}

static void scroll_by(int rows)
{
	int max = total_rows() - T.out_h;
	T.scroll += rows;
	if (T.scroll > max)
		T.scroll = max;
	if (T.scroll < 0)
		T.scroll = 0;
	T.d_out = true;
}

static void full_redraw(void)
{
	clearok(curscr, TRUE);
	layout();
}

/* Named keys arrive decoded (keypad); readline wants the byte sequences. */
static const char *key_sequence(int ch)
{
	switch (ch) {
	case KEY_UP:
		return "\033[A";
	case KEY_DOWN:
		return "\033[B";
	case KEY_RIGHT:
		return "\033[C";
	case KEY_LEFT:
		return "\033[D";
	case KEY_HOME:
		return "\033[H";
	case KEY_END:
		return "\033[F";
	case KEY_DC:
		return "\033[3~";
	case KEY_BACKSPACE:
		return "\177";
	case KEY_ENTER:
		return "\r";
	}
	const char *name = keyname(ch);
	if (name && (strcmp(name, "kLFT5") == 0 || strcmp(name, "kLFT3") == 0))
		return "\033b"; /* Ctrl/Alt-Left: a word back */
	if (name && (strcmp(name, "kRIT5") == 0 || strcmp(name, "kRIT3") == 0))
		return "\033f";
	return NULL;
}

static void clear_line(void)
{
	bool empty = !rl_line_buffer || !*rl_line_buffer;
	rl_callback_handler_remove();
	rl_replace_line("", 0);
	rl_point = rl_end = 0;
	rl_install();
	if (empty)
		note("(to leave nslab: type quit, or press F10)");
	T.d_out = true;
}

/* ------------------------------------------------------------------ */
/* instructor demo: the next command appears in the input line as if typed;
 * Enter or Space runs it, b shows the previous command's output again, q quits */

static struct {
	const struct demo *d;
	size_t idx, shown; /* next command; letters of it shown so far */
	size_t *from, *to; /* absolute output lines of each command that ran */
} D;

static void demo_show(void)
{
	if (D.idx >= D.d->n) {
		rl_replace_line("", 0);
		note("(end of the demo: q quits)");
		return;
	}
	const struct demo_step *st = &D.d->steps[D.idx];
	const char *cmd = st->command;
	size_t len = strlen(cmd);
	if (D.shown == 0 && st->narration) { /* the why comes before the command */
		/* one note per narration line: lines of a comment block stay apart */
		for (const char *p = st->narration; *p;) {
			size_t l = strcspn(p, "\n");
			char *n = NULL;
			if (asprintf(&n, "# %.*s", (int)l, p) >= 0) {
				note(n);
				free(n);
			}
			p += l + (p[l] == '\n');
		}
	}
	if (D.shown > len)
		D.shown = len;
	char *part = strndup(cmd, D.shown);
	rl_replace_line(part ? part : "", 0);
	rl_point = rl_end;
	free(part);
	T.d_input = true;
}

/* Called on every tick: three more letters, as if typed. */
static void demo_type(void)
{
	if (!D.d || D.idx >= D.d->n || D.shown >= strlen(D.d->steps[D.idx].command))
		return;
	D.shown += 3;
	demo_show();
}

static void demo_replay_previous(void)
{
	if (D.idx == 0) {
		note("(this is the first command)");
		return;
	}
	size_t from = D.from[D.idx - 1], to = D.to[D.idx - 1], oldest = T.pushed - T.count;
	char head[300];
	snprintf(head, sizeof(head), "--- again: %s", D.d->steps[D.idx - 1].command);
	note(head);
	for (size_t a = from < oldest ? oldest : from; a < to; a++) {
		struct oline *l = &T.lines[(T.first + (a - oldest)) % OUT_MAX];
		char *copy = strdup(l->text);
		if (copy) {
			push_line(copy, strlen(copy), (enum out_kind)l->kind);
			free(copy);
		}
	}
	note("--- end of the previous output");
}

static void demo_key(int ch)
{
	switch (demo_key_of(ch == KEY_ENTER ? '\n' : ch)) {
	case DEMO_QUIT:
		T.quit = true;
		return;
	case DEMO_BACK:
		demo_replay_previous();
		return;
	case DEMO_OTHER:
		return;
	case DEMO_RUN:
		break;
	}
	if (D.idx >= D.d->n)
		return;
	const struct demo_step *st = &D.d->steps[D.idx];
	rl_replace_line("", 0);
	D.from[D.idx] = T.pushed;
	run_command(st->command, false);
	D.to[D.idx] = T.pushed;
	D.idx++;
	D.shown = 0;
	if (T.quit)
		return;
	rl_callback_handler_remove(); /* a fresh prompt: the lab and step may have changed */
	rl_install();
	demo_show();
}

static void handle_key(int ch)
{
	switch (ch) {
	case KEY_RESIZE:
		layout();
		return;
	case KEY_PPAGE:
		scroll_by(T.out_h > 2 ? T.out_h - 1 : 1);
		return;
	case KEY_NPAGE:
		scroll_by(-(T.out_h > 2 ? T.out_h - 1 : 1));
		return;
	case KEY_SR:
		scroll_by(1);
		return;
	case KEY_SF:
		scroll_by(-1);
		return;
	case 12:
		full_redraw();
		return; /* Ctrl-L */
	case 3:
		clear_line();
		return; /* Ctrl-C at the prompt */
	case 26:
		return; /* Ctrl-Z: nslab holds kernel objects; no stopping */
	case KEY_MOUSE:
		return;
	}
	if (D.d) {
		demo_key(ch);
		return;
	}
	if (ch == KEY_F(1)) {
		run_key_command("help");
		return;
	}
	if (ch == KEY_F(2)) {
		run_key_command("status");
		return;
	}
	if (ch == KEY_F(3)) {
		run_key_command("hint");
		return;
	}
	if (ch == KEY_F(4)) {
		run_key_command("explain");
		return;
	}
	if (ch == KEY_F(5)) {
		run_key_command("check");
		return;
	}
	if (ch == KEY_F(6)) {
		run_key_command("next");
		return;
	}
	if (ch == KEY_F(10)) {
		run_key_command("quit");
		return;
	}
	if (ch >= KEY_MIN) {
		const char *seq = key_sequence(ch);
		if (seq)
			feed(seq);
	} else {
		char b[2] = {(char)ch, 0};
		if (ch == 0) /* Ctrl-Space: readline's set-mark; a NUL cannot be queued as text */
			return;
		feed(b);
	}
	while (T.kq_len && !T.quit) {
		rl_callback_read_char();
		if (T.pending_line)
			take_pending_line();
		if (T.line_eof) {
			T.quit = true;
			return;
		}
	}
}

static void read_keys(void)
{
	int ch;
	while (!T.quit && T.in && (ch = wgetch(T.in)) != ERR)
		handle_key(ch);
}

/* ------------------------------------------------------------------ */

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

/* Three clocks: every column probed (FULL_MS), the shown ones probed
 * (PROBE_MS, only while pane_probing), and the tick (TICK_MS).
 * While probing, only the probe sets the wake-ups and the other two ride on
 * them (run when due within half a probe period); otherwise a job due within
 * SLACK_MS runs in the current wake-up. Each wake-up costs far more than a
 * probe's few reads, so there are as few as that allows. Deadlines are set
 * from the time a job ran: a long command leaves no backlog behind it. */
static void loop(void)
{
	struct timespec full, probe, tick;
	clock_gettime(CLOCK_MONOTONIC, &full);
	probe = tick = full;
	while (!T.quit && !signals_leaving()) {
		bool probing = pane_probing(), ticked = false;
		int slack = probing ? PROBE_MS / 2 : SLACK_MS;
		if (since_ms(&full) >= -slack) {
			probe_pane(true);
			due_in(&full, FULL_MS);
			due_in(&probe, PROBE_MS);
		} else if (probing && since_ms(&probe) >= -SLACK_MS) {
			probe_pane(false);
			due_in(&probe, PROBE_MS);
		}
		if (since_ms(&tick) >= -slack) {
			demo_type();
			session_tick();
			refresh_session(); /* a lab's tick may have moved it */
			due_in(&tick, TICK_MS);
			ticked = true;
		}
		draw();
		int wait = pane_probing() ? ms_until(&probe) : min_int(ms_until(&full), ms_until(&tick));
		struct pollfd p[2] = {{T.tty_in, POLLIN, 0}, {T.pipe_r, POLLIN, 0}};
		int n = poll(p, T.pipe_r >= 0 ? 2 : 1, wait);
		if (n < 0 && errno != EINTR)
			break;
		if (p[0].revents & (POLLHUP | POLLERR)) {
			signals_note(SIGHUP); /* the terminal went away */
			break;
		}
		if (n > 0 && (p[1].revents & POLLIN))
			drain_pipe();
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

static int run_screen(const char *welcome);

int tui_run(void)
{
	if (!tui_available())
		return repl_run_plain();
	return run_screen(
	    "Welcome to nslab. Type `labs` to list the labs, `start uts` to begin, F1 for help.");
}

int tui_run_demo(const struct demo *d)
{
	if (!tui_available())
		return demo_run_plain(d);
	D.d = d;
	D.from = calloc(d->n ? d->n : 1, sizeof(size_t));
	D.to = calloc(d->n ? d->n : 1, sizeof(size_t));
	if (!D.from || !D.to) {
		free(D.from);
		free(D.to);
		D.d = NULL;
		return demo_run_plain(d);
	}
	char welcome[160];
	snprintf(welcome, sizeof(welcome),
		 "Demo: %zu commands. Enter or Space runs the one shown below, b shows the previous output, "
		 "q quits.",
		 d->n);
	int st = run_screen(welcome);
	free(D.from);
	free(D.to);
	D = (typeof(D)){0};
	return st;
}

static int run_screen(const char *welcome)
{
	if (open_screen() < 0) {
		close_screen();
		return D.d ? demo_run_plain(D.d) : repl_run_plain();
	}
	signals_install();
	signals_on_crash(crash_restore);
	out_set_sink(&sink);
	repl_set_terminal(&terminal);
	repl_history_load();
	snapshot_session();
	layout();
	refresh_model();
	T.d_lab = true;
	rl_setup();
	note(welcome);
	if (D.d)
		demo_show();
	loop();

	repl_history_save();
	rl_teardown();
	repl_set_terminal(NULL);
	out_set_sink(NULL);
	close_screen();
	signals_on_crash(NULL);
	free(T.meter_text);
	T.meter_text = NULL;
	free(T.partial);
	T.partial = NULL;
	if (signals_leaving()) {
		/* Leave as the plain REPL would (stop the lab, undo the registry),
		 * then die of the signal so that the parent sees it. */
		session_stop();
		cleanup_all();
		signals_die();
	}
	return 0;
}
