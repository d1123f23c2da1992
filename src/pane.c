/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pane.c: the namespace pane as plain text (see pane.h). No ncurses here:
 * the TUI draws what this computes, and the unit tests read it. */
#include "pane.h"
#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

void pane_layout(size_t ncols, int width, struct pane_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->label_w = PANE_LABEL_W;
	l->gap = PANE_GAP;
	if (width > PANE_LINE_MAX - 1)
		width = PANE_LINE_MAX - 1;
	int avail = width - PANE_LABEL_W;
	size_t fit = avail > 0 ? (size_t)avail / (PANE_GAP + PANE_COL_MIN) : 0;
	if (fit > PANE_MAX_COLS)
		fit = PANE_MAX_COLS;
	l->shown = ncols < fit ? ncols : fit;
	l->hidden = ncols - l->shown;
	if (l->shown == 0) {
		l->col_w = PANE_COL_MIN;
		return;
	}
	/* Few columns on a wide screen: give each more room for its command
	 * name, up to a width that still reads as a table. */
	int w = avail / (int)l->shown - PANE_GAP;
	l->col_w = w > PANE_COL_MAX ? PANE_COL_MAX : w;
}

void pane_header(const struct ns_col *c, char *l1, char *l2, size_t len)
{
	if (c->kind == NS_COL_SUBJECT) { /* what the learner typed, and the PID to watch */
		snprintf(l1, len, "%s", c->cmd[0] ? c->cmd : c->comm[0] ? c->comm : "?");
		if (c->inner_pid > 0 && c->inner_pid != c->pid)
			snprintf(l2, len, "pid %d (%d)", (int)c->pid, (int)c->inner_pid);
		else
			snprintf(l2, len, "pid %d", (int)c->pid);
		return;
	}
	snprintf(l1, len, "%s %d", c->label[0] ? c->label : "?", (int)c->pid);
	if (c->inner_pid > 0 && c->inner_pid != c->pid)
		snprintf(l2, len, "%s (%d)", c->comm[0] ? c->comm : "?", (int)c->inner_pid);
	else
		snprintf(l2, len, "%s", c->comm[0] ? c->comm : "?");
}

void pane_cell(const struct ns_col *host, const struct ns_col *c, enum ns_row row, char *buf, size_t len)
{
	if (!c->ino[row]) {
		snprintf(buf, len, "-");
		return;
	}
	bool differs = c != host && nsview_differs(host, c, row);
	snprintf(buf, len, "%lu%s", (unsigned long)c->ino[row], differs ? (char[]){PANE_MARK, 0} : "");
}

/* The pane's lines hold UTF-8: its labels are translated (Hangul takes two
 * columns a syllable) and a command line may hold anything. So a line is
 * built left to right by display columns, each text placed at its column
 * and cut between characters, never inside one, never past the width. */

/* Writes s at display column at, in at most w columns and never past width
 * (what the line holds so far must end before at). */
static void put(struct pane_line *ln, int width, int at, int w, const char *s)
{
	size_t len = strlen(ln->text);
	int col = text_width(ln->text, len);
	if (at < col)
		return;
	if (at + w > width)
		w = width - at;
	if (w <= 0)
		return;
	size_t n = text_fit(s, strlen(s), w, NULL), pad = (size_t)(at - col);
	if (len + pad + n >= PANE_LINE_MAX)
		return;
	memset(ln->text + len, ' ', pad);
	memcpy(ln->text + len + pad, s, n);
	ln->text[len + pad + n] = '\0';
}

/* A label in its column: cut after a whole word with an ellipsis when a
 * translation is wider than the column. */
static void put_label(struct pane_line *ln, int width, int w, const char *s)
{
	char fit[PANE_LINE_MAX];
	text_elide(s, w, fit, sizeof(fit));
	put(ln, width, 0, w, fit);
}

/* Pads a line with spaces to width columns. */
static void finish(struct pane_line *ln, int width)
{
	size_t len = strlen(ln->text);
	int col = text_width(ln->text, len);
	if (col >= width || len + (size_t)(width - col) >= PANE_LINE_MAX)
		return;
	memset(ln->text + len, ' ', (size_t)(width - col));
	ln->text[len + (size_t)(width - col)] = '\0';
}

/* A command line too long for its column ends after its last whole word
 * that fits, or, one word wider than the column, after its last whole
 * character that fits. */
static void cut_words(char *s, int w)
{
	size_t n = strlen(s);
	if (w <= 0 || text_width(s, n) <= w)
		return;
	size_t k = text_fit(s, n, w, NULL), at = k;
	while (at > 0 && s[at] != ' ')
		at--;
	s[at > 0 ? at : k] = '\0';
}

/* TRANSLATORS: the legend of the namespace pane's * marks */
#define PANE_LEGEND N_("* = differs from nslab")

/* The header, the given rows and a footer line: what both panes draw. */
static size_t render(const struct ns_col *cols, size_t n, int width, const enum ns_row *rows, size_t nrows,
		     const char *footer, struct pane_line *lines)
{
	struct pane_layout l;
	pane_layout(n, width, &l);
	if (width > PANE_LINE_MAX - 1)
		width = PANE_LINE_MAX - 1;
	if (width < 0)
		width = 0;
	size_t total = PANE_HEADER_LINES + nrows + 1;
	for (size_t i = 0; i < total; i++)
		memset(&lines[i], 0, sizeof(lines[i]));

	char buf[PANE_LINE_MAX];
	if (l.hidden)
		/* TRANSLATORS: a row label of 17 columns at most (Hangul: 2 each) */
		snprintf(buf, sizeof(buf), ngettext("process +%zu more", "process +%zu more", l.hidden),
			 l.hidden);
	else
		/* TRANSLATORS: a row label of 17 columns at most (Hangul: 2 each) */
		snprintf(buf, sizeof(buf), "%s", _("process"));
	put_label(&lines[0], width, l.label_w, buf);
	/* TRANSLATORS: a row label of 17 columns at most; comm and pid stay */
	put_label(&lines[1], width, l.label_w, _("comm (pid in ns)"));
	for (size_t i = 0; i < nrows; i++)
		put(&lines[PANE_HEADER_LINES + i], width, 0, l.label_w, ns_row_name[rows[i]]);
	/* by display width: the footer may end in a multibyte ellipsis */
	char fit[PANE_LINE_MAX];
	text_elide(footer, width, fit, sizeof(fit));
	put(&lines[total - 1], width, 0, width, fit);

	for (size_t c = 0; c < l.shown; c++) {
		int at = l.label_w + l.gap + (int)c * (l.gap + l.col_w);
		char h1[64], h2[64];
		pane_header(&cols[c], h1, h2, sizeof(h1));
		cut_words(h1, l.col_w);
		put(&lines[0], width, at, l.col_w, h1);
		put(&lines[1], width, at, l.col_w, h2);
		for (size_t i = 0; i < nrows; i++) {
			struct pane_line *ln = &lines[PANE_HEADER_LINES + i];
			pane_cell(&cols[0], &cols[c], rows[i], buf, sizeof(buf));
			put(ln, width, at, l.col_w, buf);
			if (c > 0 && nsview_differs(&cols[0], &cols[c], rows[i]))
				ln->spans[ln->nspans++] =
				    (struct pane_span){at, text_width(buf, strlen(buf))};
		}
	}
	for (size_t i = 0; i < total; i++)
		finish(&lines[i], width);
	return total;
}

size_t pane_render(const struct ns_col *cols, size_t n, int width, struct pane_line *lines)
{
	enum ns_row all[NS_COUNT];
	for (int r = 0; r < NS_COUNT; r++)
		all[r] = (enum ns_row)r;
	return render(cols, n, width, all, NS_COUNT, _(PANE_LEGEND), lines);
}

size_t pane_compact_rows(const struct ns_col *cols, size_t n, int width, enum ns_row *rows)
{
	struct pane_layout l;
	pane_layout(n, width, &l);
	size_t k = 0;
	for (int r = 0; r < NS_COUNT; r++)
		for (size_t c = 1; c < l.shown; c++)
			if (nsview_differs(&cols[0], &cols[c], (enum ns_row)r)) {
				rows[k++] = (enum ns_row)r;
				break;
			}
	return k;
}

size_t pane_compact_lines(const struct ns_col *cols, size_t n, int width)
{
	enum ns_row rows[NS_COUNT];
	return PANE_HEADER_LINES + pane_compact_rows(cols, n, width, rows) + 1;
}

void pane_summary(const struct ns_col *cols, size_t n, int width, char *buf, size_t len)
{
	enum ns_row rows[NS_COUNT];
	size_t k = pane_compact_rows(cols, n, width, rows), j = 0, shared = (size_t)NS_COUNT - k;
	char rest[PANE_LINE_MAX], fit[PANE_LINE_MAX];
	const char *legend = _(PANE_LEGEND);
	/* the names of the types shared follow, after the legend */
	const char *more =
	    ngettext("%zu more type shared with nslab:", "%zu more types shared with nslab:", shared);
	/* as above, when no column differs in any type */
	const char *all =
	    ngettext("all %zu type shared with nslab:", "all %zu types shared with nslab:", shared);
	int at = snprintf(rest, sizeof(rest), " | ");
	at += snprintf(rest + at, sizeof(rest) - (size_t)at, k ? more : all, shared);
	for (int r = 0; r < NS_COUNT && at > 0 && (size_t)at < sizeof(rest); r++) {
		if (j < k && rows[j] == (enum ns_row)r) {
			j++;
			continue;
		}
		at += snprintf(rest + at, sizeof(rest) - (size_t)at, " %s", ns_row_name[r]);
	}
	/* The legend first and whole; the list of shared types in what is left,
	 * unless nothing of it but the ellipsis would fit. */
	int lw = text_width(legend, strlen(legend));
	if (width < lw) {
		text_elide(legend, width, buf, len);
		return;
	}
	text_elide(rest, width - lw, fit, sizeof(fit));
	if (strncmp(fit, " | ", 3) != 0)
		fit[0] = '\0';
	snprintf(buf, len, "%s%s", legend, fit);
}

size_t pane_render_compact(const struct ns_col *cols, size_t n, int width, struct pane_line *lines)
{
	enum ns_row rows[NS_COUNT];
	size_t k = pane_compact_rows(cols, n, width, rows);
	char footer[PANE_LINE_MAX];
	pane_summary(cols, n, width, footer, sizeof(footer));
	return render(cols, n, width, rows, k, footer, lines);
}

static bool col_same(const struct ns_col *a, const struct ns_col *b)
{
	return a->pid == b->pid && a->kind == b->kind && a->inner_pid == b->inner_pid &&
	       strcmp(a->label, b->label) == 0 && strcmp(a->comm, b->comm) == 0 &&
	       strcmp(a->cmd, b->cmd) == 0 && memcmp(a->ino, b->ino, sizeof(a->ino)) == 0;
}

bool pane_same(const struct ns_col *a, size_t na, const struct ns_col *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!col_same(&a[i], &b[i]))
			return false;
	return true;
}

size_t pane_differences(const struct ns_col *cols, size_t n)
{
	size_t d = 0;
	for (size_t c = 1; c < n; c++)
		for (int r = 0; r < NS_COUNT; r++)
			d += nsview_differs(&cols[0], &cols[c], (enum ns_row)r);
	return d;
}

/* --- text by display width --- */

/* Decodes one character at s; *w gets its display width. Invalid bytes and
 * unprintable characters count as one column, one byte. Returns bytes used. */
static size_t next_char(const char *s, size_t len, int *w)
{
	mbstate_t st = {0};
	wchar_t wc;
	size_t k = mbrtowc(&wc, s, len, &st);
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
		*w = 1;
		return 1;
	}
	int cw = wcwidth(wc);
	*w = cw < 0 ? 1 : cw;
	return k;
}

size_t text_next(const char *s, size_t len, int *w)
{
	if (len == 0 || !*s) {
		*w = 0;
		return len ? 1 : 0;
	}
	return next_char(s, len, w);
}

int text_width(const char *s, size_t len)
{
	int total = 0;
	for (size_t i = 0; i < len && s[i];) {
		int w;
		i += next_char(s + i, len - i, &w);
		total += w;
	}
	return total;
}

size_t text_fit(const char *s, size_t len, int cols, int *used)
{
	size_t i = 0;
	int u = 0;
	while (i < len && s[i]) {
		int w;
		size_t k = next_char(s + i, len - i, &w);
		if (u + w > cols)
			break;
		u += w;
		i += k;
	}
	if (used)
		*used = u;
	return i;
}

int text_rows(const char *s, int width)
{
	size_t len = strlen(s);
	if (width <= 0 || len == 0)
		return 1;
	int rows = 0;
	for (size_t i = 0; i < len; rows++) {
		size_t k = text_fit(s + i, len - i, width, NULL);
		if (k == 0) { /* a character wider than the whole row: give it one */
			int w;
			k = next_char(s + i, len - i, &w);
		}
		i += k;
	}
	return rows;
}

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *np = realloc(b->p, cap);
		if (!np)
			return;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Skips an escape sequence starting at s[0] == ESC; returns its length. */
static size_t skip_escape(const char *s, size_t len)
{
	if (len < 2)
		return len;
	size_t i = 2;
	if (s[1] == '[') { /* CSI: parameters, then a final byte 0x40..0x7e */
		while (i < len && !((unsigned char)s[i] >= 0x40 && (unsigned char)s[i] <= 0x7e))
			i++;
		return i < len ? i + 1 : len;
	}
	if (s[1] == ']') { /* OSC: up to BEL or ESC \ */
		while (i < len && s[i] != '\a' && !(s[i] == 0x1b && i + 1 < len && s[i + 1] == '\\'))
			i++;
		return i >= len ? len : s[i] == '\a' ? i + 1 : i + 2;
	}
	return 2;
}

char *text_clean(const char *s, size_t len)
{
	struct sbuf b = {0};
	sb_add(&b, "", 0);
	int col = 0;
	for (size_t i = 0; i < len && s[i];) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == 0x1b) {
			i += skip_escape(s + i, len - i);
			continue;
		}
		if (ch == '\t') {
			int n = 8 - col % 8;
			sb_add(&b, "        ", (size_t)n);
			col += n;
			i++;
			continue;
		}
		if (ch < 0x20 || ch == 0x7f) {
			i++;
			continue;
		}
		mbstate_t st = {0};
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + i, len - i, &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0 || wcwidth(wc) < 0) {
			sb_add(&b, "?", 1);
			col++;
			i += (k == (size_t)-1 || k == (size_t)-2 || k == 0) ? 1 : k;
			continue;
		}
		sb_add(&b, s + i, k);
		col += wcwidth(wc);
		i += k;
	}
	return b.p;
}

int text_wrap_words(const char *s, int width, size_t *off, size_t *len, int maxrows, bool *truncated)
{
	size_t n = strlen(s), i = 0;
	int rows = 0;
	*truncated = false;
	if (width <= 0 || maxrows <= 0) {
		*truncated = n > 0;
		return 0;
	}
	while (i < n) {
		if (rows == maxrows) {
			*truncated = true;
			break;
		}
		size_t end = i;
		while (end < n && s[end] != '\n')
			end++;
		size_t k = text_fit(s + i, end - i, width, NULL);
		size_t take = k;
		if (i + k < end) { /* the row is full: break at the last space */
			size_t sp = k;
			while (sp > 0 && s[i + sp] != ' ')
				sp--;
			if (sp > 0)
				take = sp;
			if (take == 0) { /* one character wider than the row */
				int w;
				take = next_char(s + i, n - i, &w);
			}
		}
		off[rows] = i;
		len[rows] = take;
		rows++;
		i += take;
		if (i < n && s[i] == '\n')
			i++;
		else
			while (i < n && s[i] == ' ')
				i++;
	}
	return rows;
}

const char *text_ellipsis(void)
{
	return MB_CUR_MAX > 1 ? "\u2026" : "...";
}

static bool is_separator(char c)
{
	return c == ' ' || c == ',' || c == ';' || c == ':' || c == '|';
}

int text_elide(const char *s, int cols, char *out, size_t outlen)
{
	size_t n = strlen(s);
	if (outlen == 0)
		return 0;
	out[0] = '\0';
	if (cols <= 0)
		return 0;
	int w = text_width(s, n);
	if (w <= cols) {
		snprintf(out, outlen, "%s", s);
		return w;
	}
	const char *ell = text_ellipsis();
	int ew = text_width(ell, strlen(ell));
	if (ew > cols)
		return 0;
	size_t k = text_fit(s, n, cols - ew, NULL);
	if (s[k] != ' ') { /* back to the end of the last whole word */
		size_t e = k;
		while (e > 0 && s[e - 1] != ' ')
			e--;
		if (e > 0)
			k = e;
	}
	while (k > 0 && is_separator(s[k - 1]))
		k--;
	snprintf(out, outlen, "%.*s%s", (int)k, s, ell);
	return text_width(out, strlen(out));
}
