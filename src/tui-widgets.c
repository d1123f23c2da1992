/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui-widgets.c: the TUI's widgets, each drawn from a model it keeps: the
 * namespace pane (columns read through nsview), the status bar and task box
 * (a snapshot of the session), the meter (a lab's text), the output window
 * (rows of the scrollback) and the key bar. Nothing here owns the terminal
 * or reads keys: tui-screen.c lays out the windows, tui.c decides when. */
#include "tui-widgets.h"
#include "i18n.h"
#include "reflow.h"
#include "labs.h"
#include "nssubjects.h"
#include "nsview.h"
#include "pane.h"
#include "scrollback.h"
#include "session.h"
#include "tui-screen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
	struct ns_col cols[PANE_MAX_COLS];
	size_t ncols;
	unsigned generation; /* nsview_generation() when cols were read */
	struct session_view sv;
	char task[8192], title[256], step[256];
	char task_raw[8192]; /* task as the lab gave it (task is reflowed); tasks run past 1 KiB */
	char *meter_text;
	bool meter_oom; /* a lab's meter text could not be kept: say so */
	int meter_rows;
	size_t lost;
	int task_top, task_rows, task_box_rows; /* the task box's scroll place */
} W;

/* ------------------------------------------------------------------ */
/* models                                                              */

static struct session_view view_now(void)
{
	const struct session_view *v = session_view();
	return v ? *v : (struct session_view){.last_check = -1};
}

static void snapshot_session(void)
{
	W.sv = view_now();
	snprintf(W.task_raw, sizeof(W.task_raw), "%s", W.sv.task ? i18n_lab(W.sv.lab, W.sv.task) : "");
	/* the same paragraphs as the output window shows (reflow.c) */
	char *flowed = text_reflow(W.task_raw);
	snprintf(W.task, sizeof(W.task), "%s", flowed ? flowed : W.task_raw);
	free(flowed);
	snprintf(W.step, sizeof(W.step), "%s", W.sv.step_title ? i18n_lab(W.sv.lab, W.sv.step_title) : "");
	snprintf(W.title, sizeof(W.title), "%s",
		 W.sv.lab && W.sv.lab->title ? i18n_lab(W.sv.lab, W.sv.lab->title) : "");
}

static bool session_changed(void)
{
	struct session_view now = view_now();
	return now.lab != W.sv.lab || now.step != W.sv.step || now.nsteps != W.sv.nsteps ||
	       now.last_check != W.sv.last_check || now.complete != W.sv.complete ||
	       /* against what was kept: reflowed or cut short, it would differ on every tick */
	       strncmp(now.task ? i18n_lab(now.lab, now.task) : "", W.task_raw, sizeof(W.task_raw) - 1) !=
		   0 ||
	       strncmp(now.step_title ? i18n_lab(now.lab, now.step_title) : "", W.step, sizeof(W.step) - 1) !=
		   0;
}

void widgets_refresh_session(void)
{
	if (session_changed()) {
		if (view_now().step != W.sv.step || view_now().lab != W.sv.lab)
			W.task_top = 0; /* another task: from its top */
		snapshot_session();
		screen_dirty(TUI_LAB);
	}
}

void widgets_refresh(void)
{
	struct ns_col cols[PANE_MAX_COLS];
	W.generation = nsview_generation();
	size_t n = nsview_pane_columns(cols, PANE_MAX_COLS);
	if (!pane_same(cols, n, W.cols, W.ncols)) {
		memcpy(W.cols, cols, n * sizeof(cols[0]));
		W.ncols = n;
		screen_dirty(TUI_PANE);
	}
	widgets_refresh_session();
}

/* Column 0 is nslab, which never changes its own namespaces (setns and
 * unshare run in the lab's agent). */
bool widgets_probing(void)
{
	return W.ncols > 1 && !screen()->suspended;
}

/* The lists of lab and watched processes (no system call), the lab
 * cgroup's members (ALL only: one read; a learner's new process shows within
 * a full period) and the columns (nsview_stale: one pread each while they
 * sleep; ALL probes every column, otherwise only the shown ones but
 * nslab's); the whole model is read again only when one of them moved. */
void widgets_probe(bool all)
{
	if (nsview_generation() != W.generation || (all && nssub_lab_moved())) {
		widgets_refresh();
		return;
	}
	size_t upto = W.ncols;
	if (!all) {
		struct pane_layout l;
		pane_layout(W.ncols, screen()->w, &l);
		upto = l.shown;
	}
	for (size_t c = all ? 0 : 1; c < upto; c++)
		if (nsview_stale(&W.cols[c])) {
			widgets_refresh();
			return;
		}
	widgets_refresh_session();
}

static int count_rows(const char *p)
{
	int rows = 0;
	for (; p && *p && rows < TUI_METER_MAX; rows++) {
		const char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : p + strlen(p);
	}
	return rows;
}

size_t widgets_new_namespaces(struct ns_new *out, size_t max)
{
	const struct ns_subject *lab;
	size_t nlab = nsview_subjects(&lab);
	struct ns_subject known[NSSUB_MAX];
	size_t n = 0;
	for (size_t i = 0; i < nlab && n < NSSUB_MAX; i++)
		known[n++] = lab[i];
	for (size_t c = 0; c < W.ncols && n < NSSUB_MAX; c++) {
		known[n].pid = W.cols[c].pid;
		memcpy(known[n++].ino, W.cols[c].ino, sizeof(W.cols[c].ino));
	}
	return nssub_new(known, n, out, max);
}

int widgets_set_meter(const char *text)
{
	free(W.meter_text);
	W.meter_text = text && *text ? strdup(text) : NULL;
	W.meter_oom = text && *text && !W.meter_text;
	W.meter_rows = W.meter_oom ? 1 : count_rows(W.meter_text);
	screen_dirty(TUI_METER);
	return W.meter_rows;
}

int widgets_meter_rows(void)
{
	return W.meter_rows;
}

void widgets_set_lost(size_t lost)
{
	if (lost != W.lost)
		screen_dirty(TUI_LAB);
	W.lost = lost;
}

void widgets_free(void)
{
	free(W.meter_text);
	W = (typeof(W)){0};
}

/* ------------------------------------------------------------------ */
/* the pane                                                            */

static void draw_pane(void)
{
	const struct tui_screen *s = screen();
	static struct pane_line lines[PANE_LINES];
	werase(s->pane);
	size_t n = s->compact ? pane_render_compact(W.cols, W.ncols, s->w, lines)
			      : pane_render(W.cols, W.ncols, s->w, lines);
	for (int i = 0; i < (int)n && i < s->pane_h; i++) {
		struct pane_line *ln = &lines[i];
		wattrset(s->pane, i < PANE_HEADER_LINES ? screen_attr(S_HEAD) : A_NORMAL);
		/* the footer may hold an ellipsis: put it by display width */
		wmove(s->pane, i, 0);
		screen_put_clipped(s->pane, ln->text, strlen(ln->text));
		for (int k = 0; k < ln->nspans; k++)
			mvwchgat(s->pane, i, ln->spans[k].start, ln->spans[k].len, screen_attr(S_DIFF),
				 PAIR_NUMBER(screen_attr(S_DIFF)), NULL);
	}
	wattrset(s->pane, A_NORMAL);
	wnoutrefresh(s->pane);
}

/* ------------------------------------------------------------------ */
/* the status bar and the task box                                     */

static enum tui_style check_style(const struct session_view *v)
{
	return v->last_check == 1 || v->complete ? S_OK : v->last_check == 0 ? S_NOTYET : S_BAR;
}

/* " ID: TITLE | step N/M: STEP" in room columns, the titles cut after a
 * whole word when they do not fit: the step's first, down to two thirds
 * of what the two titles have, then the lab's. */
static void status_text(char *bar, size_t len, int room)
{
	const struct session_view *v = &W.sv;
	char head[96], mid[160];
	snprintf(head, sizeof(head), " %s: ", v->lab->id);
	snprintf(mid, sizeof(mid), _(" | step %u/%u: "), v->step, v->nsteps);
	int avail = room - text_width(head, strlen(head)) - text_width(mid, strlen(mid));
	int tw = text_width(W.title, strlen(W.title)), sw = text_width(W.step, strlen(W.step));
	if (avail < 0)
		avail = 0;
	int step_room = sw, title_room = tw;
	if (tw + sw > avail) {
		step_room = avail - tw;
		int floor_room = avail * 2 / 3 < sw ? avail * 2 / 3 : sw;
		if (step_room < floor_room)
			step_room = floor_room;
		title_room = avail - step_room;
	}
	char title[256], step[256];
	text_elide(W.title, title_room, title, sizeof(title));
	text_elide(W.step, step_room, step, sizeof(step));
	snprintf(bar, len, "%s%s%s%s", head, title, mid, step);
}

static void draw_status_bar(void)
{
	const struct tui_screen *s = screen();
	const struct session_view *v = &W.sv;
	char bar[1024], right[256] = "", lost[128] = "";
	if (W.lost)
		snprintf(
		    lost, sizeof(lost),
		    ngettext("%zu line lost: out of memory | ", "%zu lines lost: out of memory | ", W.lost),
		    W.lost);
	if (v->lab)
		snprintf(right, sizeof(right), "%s%s ", lost,
			 v->complete          ? _("lab complete")
			 : v->last_check == 1 ? _("check: ok")
			 : v->last_check == 0 ? _("check: not yet")
					      : _("not checked yet"));
	else if (W.lost)
		snprintf(right, sizeof(right), "%.*s ", (int)strcspn(lost, "|") - 1, lost);
	int rw = text_width(right, strlen(right));
	bool show_right = rw && s->w - rw > 40;
	int room = show_right ? s->w - rw - 1 : s->w;
	if (v->lab)
		status_text(bar, sizeof(bar), room);
	else
		snprintf(bar, sizeof(bar), " %s", _("no lab running"));
	wattrset(s->lab, screen_attr(S_BAR));
	mvwhline(s->lab, 0, 0, ' ', s->w);
	size_t fit = text_fit(bar, strlen(bar), room, NULL);
	mvwaddnstr(s->lab, 0, 0, bar, (int)fit);
	if (show_right) {
		/* The check result stands out from the bar: coloured, or bold. */
		enum tui_style p = v->lab ? check_style(v) : S_NOTYET;
		attr_t a = p == S_BAR ? screen_attr(S_BAR)
			   : s->color ? (COLOR_PAIR(p) | A_BOLD | A_REVERSE)
				      : (A_BOLD | A_REVERSE);
		wattrset(s->lab, a);
		mvwaddstr(s->lab, 0, s->w - rw, right);
	}
	wattrset(s->lab, A_NORMAL);
}

#define TASK_ROWS 64   /* rows of a task kept for scrolling: far more than any lab's */
#define TASK_MARK_W 16 /* "[F8 77-78/78]" and a space either side */

/* Which rows of the task the box shows: F8 moves on a boxful, and after the
 * last one back to the top; a new task starts at the top. */
void widgets_task_scroll(void)
{
	W.task_top += W.task_box_rows > 0 ? W.task_box_rows : 1;
	if (W.task_top >= W.task_rows)
		W.task_top = 0;
	screen_dirty(TUI_LAB);
}

/* "[F8 3-4/9]" on the right of the first row: there is more, and how to see it. */
static void put_task_mark(WINDOW *win, int first, int last, int total)
{
	char mark[32];
	snprintf(mark, sizeof(mark), "[F8 %d-%d/%d]", first + 1, last, total);
	int x = screen()->w - (int)strlen(mark) - 1;
	if (x < 0)
		return;
	wattrset(win, A_BOLD);
	mvwaddstr(win, 1, x, mark);
	wattrset(win, A_NORMAL);
}

static void draw_task_box(void)
{
	const struct tui_screen *s = screen();
	const char *text =
	    W.sv.lab ? W.task
		     : _("Type `labs` to see what there is to learn, then `start ID` (try `start uts`). "
			 "`help` lists every command.");
	const char *lead = W.sv.lab ? _("task: ") : "";
	int lw = text_width(lead, strlen(lead)), box = s->lab_h - 1; /* columns, not bytes */
	size_t off[TASK_ROWS], len[TASK_ROWS];
	bool trunc = false;
	int rows = text_wrap_words(text, s->w - lw - 4, off, len, TASK_ROWS, &trunc);
	if (rows > box) /* it scrolls: room on the right for where the box is */
		rows = text_wrap_words(text, s->w - lw - TASK_MARK_W, off, len, TASK_ROWS, &trunc);
	W.task_rows = rows;
	W.task_box_rows = box;
	if (W.task_top >= rows)
		W.task_top = 0;
	for (int r = 0; r < box && W.task_top + r < rows; r++) {
		int i = W.task_top + r;
		wmove(s->lab, 1 + r, i == 0 ? 0 : lw);
		if (i == 0 && lw) {
			wattrset(s->lab, A_BOLD);
			waddstr(s->lab, lead);
			wattrset(s->lab, A_NORMAL);
		}
		screen_put_clipped(s->lab, text + off[i], len[i]);
	}
	if (rows > box)
		put_task_mark(s->lab, W.task_top, W.task_top + box < rows ? W.task_top + box : rows, rows);
}

static void draw_lab(void)
{
	werase(screen()->lab);
	draw_status_bar();
	draw_task_box();
	wnoutrefresh(screen()->lab);
}

/* ------------------------------------------------------------------ */
/* the meter, the output window, the key bar                           */

static void draw_meter(void)
{
	const struct tui_screen *s = screen();
	if (!s->meter)
		return;
	werase(s->meter);
	const char *p = W.meter_oom ? _("meter not shown: out of memory") : W.meter_text;
	for (int r = 0; p && *p && r < s->meter_h; r++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *clean = text_clean(p, n), fit[1024];
		wmove(s->meter, r, 0);
		wattrset(s->meter, A_BOLD);
		if (clean) { /* too wide: cut after a whole word, not in one */
			text_elide(clean, s->w, fit, sizeof(fit));
			screen_put_clipped(s->meter, fit, strlen(fit));
		}
		free(clean);
		p = nl ? nl + 1 : p + n;
	}
	wattrset(s->meter, A_NORMAL);
	wnoutrefresh(s->meter);
}

static attr_t kind_attr(enum out_kind k)
{
	switch (k) {
	case OUT_ECHO:
		return A_BOLD;
	case OUT_OK:
		return screen_attr(S_OK) | A_BOLD;
	case OUT_NOTYET:
	case OUT_MISSING:
	case OUT_WARNING:
		return screen_attr(S_NOTYET);
	case OUT_ERROR:
		return screen_attr(S_ERR);
	case OUT_TRACE:
		return screen_attr(S_HEAD);
	case OUT_NOTE:
		return A_DIM;
	default:
		return A_NORMAL;
	}
}

static void draw_out_row(void *ctx, int y, const char *s, size_t n, enum out_kind kind)
{
	WINDOW *out = ctx;
	wmove(out, y, 0);
	wattrset(out, kind_attr(kind));
	screen_put_clipped(out, s, n);
	wattrset(out, A_NORMAL);
}

static void draw_out(const struct scrollback *sb)
{
	const struct tui_screen *s = screen();
	werase(s->out);
	sb_visible_rows(sb, s->w, s->out_h, draw_out_row, s->out);
	if (sb->scroll) {
		char note[240];
		snprintf(note, sizeof(note), _(" scrolled back %d lines: PgDn returns "), sb->scroll);
		int nw = text_width(note, strlen(note));
		wattrset(s->out, screen_attr(S_BAR));
		mvwaddstr(s->out, 0, s->w > nw ? s->w - nw : 0, note);
		wattrset(s->out, A_NORMAL);
	}
	wnoutrefresh(s->out);
}

static void draw_keys(void)
{
	static const struct {
		const char *key, *label;
	} keys[] = {
	    {"F1", N_("Help")},  {"F2", N_("Status")},      {"F3", N_("Hint")},   {"F4", N_("Explain")},
	    {"F5", N_("Check")}, {"F6", N_("Next")},        {"F7", N_("Pane")},   {"F8", N_("Task")},
	    {"F10", N_("Quit")}, {"PgUp/Dn", N_("Scroll")}, {"^L", N_("Redraw")},
	};
	WINDOW *k = screen()->keys;
	werase(k);
	wmove(k, 0, 0);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *label = _(keys[i].label);
		if (getcurx(k) + (int)strlen(keys[i].key) + text_width(label, strlen(label)) + 1 >=
		    screen()->w)
			break;
		wattrset(k, A_BOLD);
		waddstr(k, keys[i].key);
		wattrset(k, screen_attr(S_KEY));
		waddstr(k, label);
		wattrset(k, A_NORMAL);
		waddch(k, ' ');
	}
	wnoutrefresh(k);
}

static void draw_too_small(void)
{
	const struct tui_screen *s = screen();
	erase();
	char msg[256];
	snprintf(msg, sizeof(msg), _("nslab needs at least %dx%d; this terminal is %dx%d."), TUI_MIN_W,
		 TUI_MIN_H, s->w, s->h);
	const char *msg2 = _("Enlarge the window, or type quit and press Enter.");
	int y = s->h / 2 - 1;
	if (y < 0)
		y = 0;
	char fit[512]; /* cut in display columns, never inside a character */
	attrset(A_BOLD);
	text_elide(msg, s->w, fit, sizeof(fit));
	mvaddstr(y, 0, fit);
	attrset(A_NORMAL);
	if (y + 1 < s->h - 1) {
		text_elide(msg2, s->w, fit, sizeof(fit));
		mvaddstr(y + 1, 0, fit);
	}
	wnoutrefresh(stdscr);
}

void widgets_draw(unsigned parts, const struct scrollback *sb)
{
	if (screen()->too_small) {
		if (parts & TUI_ALL)
			draw_too_small();
		return;
	}
	const struct tui_screen *s = screen();
	if (s->compact) { /* rows came to differ, or the width shows other columns */
		screen_set_compact_lines((int)pane_compact_lines(W.cols, W.ncols, s->w));
		parts |= screen_take_dirty();
	}
	if (parts & TUI_ALL)
		wnoutrefresh(stdscr);
	if (parts & TUI_PANE)
		draw_pane();
	if (parts & TUI_LAB)
		draw_lab();
	if (parts & TUI_METER)
		draw_meter();
	if (parts & TUI_OUT)
		draw_out(sb);
	if (parts & TUI_KEYS)
		draw_keys();
}
