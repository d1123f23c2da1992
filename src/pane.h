/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pane.h: the namespace pane as text, with no ncurses in it, so that the
 * layout, the markers and the change detection can be unit-tested. The TUI
 * draws the lines this produces and highlights the spans it marks; it also
 * uses the text helpers below for wrapping output by display width. */
#ifndef NSLAB_PANE_H
#define NSLAB_PANE_H

#include <stdbool.h>
#include <stddef.h>
#include "nsview.h"

/* Marks a cell whose inode differs from the host column's, so the difference
 * shows without colour (NO_COLOR, monochrome projectors). */
#define PANE_MARK '*'
#define PANE_MAX_COLS 32
#define PANE_HEADER_LINES 2
/* The header, a row per type, and a footer with the legend. */
#define PANE_LINES (PANE_HEADER_LINES + NS_COUNT + 1)
#define PANE_LINE_MAX 512
#define PANE_LABEL_W 17 /* "time_for_children" */
#define PANE_GAP 2
#define PANE_COL_MIN 13 /* 10-digit inode + marker, with room to spare */
#define PANE_COL_MAX 18

struct pane_layout {
	int label_w, col_w, gap;
	size_t shown;  /* columns drawn, from the left (the host column first) */
	size_t hidden; /* columns that did not fit */
};

struct pane_span {
	int start, len; /* in display columns (a line may hold Hangul: bytes differ) */
};

struct pane_line {
	char text[PANE_LINE_MAX];
	int nspans; /* highlighted cells: inodes differing from the host */
	struct pane_span spans[PANE_MAX_COLS];
};

/* How many columns of ncols fit in width, and how wide each is. */
void pane_layout(size_t ncols, int width, struct pane_layout *l);
/* The header of one column: line 1 "LABEL PID", line 2 "COMM" or, when the
 * process sees itself under another PID (its own PID namespace), "COMM (N)".
 * A subject column (nsview.h): line 1 its command line, line 2 "pid P" or
 * "pid P (N)". The pane cuts line 1 after a whole word to fit. */
void pane_header(const struct ns_col *c, char *l1, char *l2, size_t len);
/* One cell: the inode, then PANE_MARK if it differs from host, "-" if unknown. */
void pane_cell(const struct ns_col *host, const struct ns_col *c, enum ns_row row, char *buf, size_t len);
/* The whole pane: PANE_LINES lines, each padded to width (cols[0] is the
 * host reference), the last one the legend. Returns the lines written. */
size_t pane_render(const struct ns_col *cols, size_t n, int width, struct pane_line *lines);
/* The compact pane for short terminals: the header, only the rows where a
 * column drawn at this width differs from the host, then one line with the
 * legend and the types every drawn column shares with the host. Returns the
 * lines written: pane_compact_lines() of them. */
size_t pane_render_compact(const struct ns_col *cols, size_t n, int width, struct pane_line *lines);
size_t pane_compact_lines(const struct ns_col *cols, size_t n, int width);
/* The rows (in table order) where a column drawn at width differs from the
 * host column; rows has room for NS_COUNT. Returns how many. */
size_t pane_compact_rows(const struct ns_col *cols, size_t n, int width, enum ns_row *rows);
/* The compact pane's last line: "* = differs from nslab | 9 more types shared
 * with nslab: cgroup ipc ...", cut after a whole word to fit width. */
void pane_summary(const struct ns_col *cols, size_t n, int width, char *buf, size_t len);
/* True when two snapshots would draw the same pane (so no redraw is needed). */
bool pane_same(const struct ns_col *a, size_t na, const struct ns_col *b, size_t nb);
/* Count of (column, row) cells that differ from the host column. */
size_t pane_differences(const struct ns_col *cols, size_t n);

/* --- text by display width (UTF-8, wcwidth; needs an LC_CTYPE locale) --- */

/* Bytes of the character at s (invalid bytes: 1); *w gets its columns. */
size_t text_next(const char *s, size_t len, int *w);
/* Display columns of the first len bytes of s. */
int text_width(const char *s, size_t len);
/* Bytes of s (up to len) that fit in cols display columns; *used gets the
 * columns they take. A character wider than the room left is not split. */
size_t text_fit(const char *s, size_t len, int cols, int *used);
/* Rows a line takes when wrapped at width (an empty line takes one). */
int text_rows(const char *s, int width);
/* A printable copy of one output line (malloc'ed): tabs expanded to stops of
 * 8, escape sequences (CSI, OSC) and other control characters dropped,
 * invalid UTF-8 bytes shown as '?'. */
char *text_clean(const char *s, size_t len);
/* Word-wraps s into at most maxrows rows of width columns; rows[i] gets a
 * byte offset and length into s. Returns the number of rows used; when s
 * did not fit, *truncated is set (callers add an ellipsis). */
int text_wrap_words(const char *s, int width, size_t *off, size_t *len, int maxrows, bool *truncated);
/* The ellipsis text_elide adds: U+2026 where the locale has it, else "...". */
const char *text_ellipsis(void);
/* s cut to fit cols display columns into out: whole when it fits, else after
 * its last whole word that leaves room for text_ellipsis() (trailing spaces
 * and separators ",;:|" dropped), which ends it. A first word wider than the
 * room is cut where it must. Returns the display columns of out. */
int text_elide(const char *s, int cols, char *out, size_t outlen);

#endif
