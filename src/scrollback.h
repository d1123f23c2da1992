/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scrollback.h: the output window's text, without a screen: a ring of lines,
 * each with its kind (output.h), the unfinished last line, the reader's
 * scroll position, and word wrapping into display rows. Lines that could not
 * be kept for want of memory are counted, so that the screen can say so. */
#ifndef NSLAB_SCROLLBACK_H
#define NSLAB_SCROLLBACK_H

#include "output.h"

#include <stdbool.h>
#include <stddef.h>

struct sb_line {
	char *text; /* cleaned: no control characters, tabs expanded */
	enum out_kind kind;
};

struct scrollback {
	struct sb_line *ring;
	size_t cap, first, count;
	char *partial; /* the unfinished last line, as written */
	size_t partial_len;
	enum out_kind partial_kind;
	bool partial_lost; /* the unfinished line was lost: skip to its end */
	int width;         /* the window's columns, for keeping the scroll place */
	int scroll;        /* display rows scrolled back from the bottom */
	size_t pushed;     /* lines ever pushed: absolute line numbers */
	size_t lost;       /* lines dropped for want of memory */
};

/* 0, or -1 (ENOMEM) when a ring of CAP lines cannot be had. */
int sb_init(struct scrollback *sb, size_t cap);
void sb_free(struct scrollback *sb);

/* Adds one whole line (LEN bytes, no newline). The oldest line goes when the
 * ring is full; a reader scrolled back keeps their place. */
void sb_push(struct scrollback *sb, const char *s, size_t len, enum out_kind kind);
/* Adds any fragment of text; each '\n' ends a line. A line's kind is the
 * first kind other than OUT_TEXT among its fragments. */
void sb_append(struct scrollback *sb, enum out_kind kind, const char *text, size_t len);

/* The I-th line kept, 0 the oldest; NULL past the end. */
const struct sb_line *sb_line(const struct scrollback *sb, size_t i);
/* Pushes again the lines with absolute numbers FROM..TO-1 that are still
 * kept (the demo's "again"). */
void sb_again(struct scrollback *sb, size_t from, size_t to);

/* Bytes of S (LEN bytes) on one row of WIDTH columns: as many as fit,
 * broken after the last space so that no word is split (a word longer than
 * the row is, as it has to be). At least 1 when LEN > 0. */
size_t sb_row_take(const char *s, size_t len, int width);
/* Display rows of one line at WIDTH columns (1 for an empty line). */
int sb_rows(const char *s, int width);
/* Display rows of everything kept, the unfinished line included. */
int sb_total_rows(const struct scrollback *sb, int width);
/* Scrolls back ROWS (forward when negative), kept within what a window of
 * HEIGHT rows at WIDTH columns can show. */
void sb_scroll_by(struct scrollback *sb, int rows, int width, int height);

/* One display row: N bytes at S, of a line of KIND (the unfinished line is
 * OUT_TEXT), to go at window row Y. */
typedef void (*sb_row_fn)(void *ctx, int y, const char *s, size_t n, enum out_kind kind);
/* Calls FN for the rows a window of HEIGHT rows at WIDTH columns shows at
 * the current scroll position, from the bottom row up. */
void sb_visible_rows(const struct scrollback *sb, int width, int height, sb_row_fn fn, void *ctx);

#endif
