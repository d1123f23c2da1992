/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scrollback.c: the output window's lines, kept apart from ncurses so that
 * the ring, the wrapping and the out-of-memory accounting can be unit-tested
 * (tests/unit/test_scrollback.c) and the screen code only draws rows. */
#include "scrollback.h"
#include "pane.h"

#include <stdlib.h>
#include <string.h>

int sb_init(struct scrollback *sb, size_t cap)
{
	*sb = (struct scrollback){0};
	sb->ring = calloc(cap ? cap : 1, sizeof(*sb->ring));
	if (!sb->ring)
		return -1;
	sb->cap = cap ? cap : 1;
	return 0;
}

void sb_free(struct scrollback *sb)
{
	for (size_t i = 0; i < sb->count; i++)
		free(sb->ring[(sb->first + i) % sb->cap].text);
	free(sb->ring);
	free(sb->partial);
	*sb = (struct scrollback){0};
}

size_t sb_row_take(const char *s, size_t len, int width)
{
	size_t k = text_fit(s, len, width, NULL);
	if (k == 0)
		return len ? 1 : 0;
	if (k < len && s[k] != ' ') {
		size_t sp = k;
		while (sp > 0 && s[sp - 1] != ' ')
			sp--;
		/* A word longer than the row (CLONE_NEWUSER|CLONE_NEWNS|...) breaks
		 * after a separator in it, where one is, rather than anywhere. */
		for (size_t b = k; sp == 0 && b > 1; b--)
			if (strchr("|,/", s[b - 1]))
				sp = b;
		if (sp > 0)
			k = sp; /* the space stays at the end of this row */
	}
	/* spaces after a full row end it (clipped when drawn): the next row
	 * starts with the next word, never with the space before it */
	while (k < len && s[k] == ' ')
		k++;
	return k;
}

int sb_rows(const char *s, int width)
{
	size_t len = strlen(s), i = 0;
	int rows = 0;
	if (width <= 0 || len == 0)
		return 1;
	while (i < len) {
		i += sb_row_take(s + i, len - i, width);
		rows++;
	}
	return rows;
}

/* Rows a line adds below a reader scrolled back (one per line before the
 * window's width is known). */
static int rows_of(const struct scrollback *sb, const char *s)
{
	return sb->width > 0 ? sb_rows(s, sb->width) : 1;
}

/* Keeps a cleaned copy of S; returns its rows, 0 when it was lost. */
static int keep(struct scrollback *sb, const char *s, size_t len, enum out_kind kind)
{
	char *clean = text_clean(s, len);
	if (!clean) {
		sb->lost++;
		return 0;
	}
	if (sb->count == sb->cap) {
		free(sb->ring[sb->first].text);
		sb->first = (sb->first + 1) % sb->cap;
		sb->count--;
	}
	sb->ring[(sb->first + sb->count) % sb->cap] = (struct sb_line){clean, kind};
	sb->count++;
	sb->pushed++;
	return sb->scroll ? rows_of(sb, clean) : 0;
}

void sb_push(struct scrollback *sb, const char *s, size_t len, enum out_kind kind)
{
	int rows = keep(sb, s, len, kind);
	if (sb->scroll)
		sb->scroll += rows; /* keep the reader's place while output arrives */
}

/* Rows the unfinished line takes now (it is drawn as written). */
static int partial_rows(const struct scrollback *sb)
{
	return sb->scroll && sb->partial_len ? rows_of(sb, sb->partial) : 0;
}

/* Adds N bytes to the unfinished line; false when memory ran out (the line
 * is then counted lost once and the rest of it skipped). */
static bool grow_partial(struct scrollback *sb, const char *s, size_t n)
{
	if (sb->partial_lost)
		return false;
	char *np = realloc(sb->partial, sb->partial_len + n + 1);
	if (!np) {
		sb->lost++;
		sb->partial_lost = true;
		sb->partial_len = 0;
		if (sb->partial)
			sb->partial[0] = '\0';
		return false;
	}
	sb->partial = np;
	memcpy(sb->partial + sb->partial_len, s, n);
	sb->partial_len += n;
	sb->partial[sb->partial_len] = '\0';
	return true;
}

void sb_append(struct scrollback *sb, enum out_kind kind, const char *text, size_t len)
{
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		int before = partial_rows(sb), after = 0;
		if (grow_partial(sb, text + i, n) && sb->partial_kind == OUT_TEXT)
			sb->partial_kind = kind;
		i += n;
		if (nl) {
			if (!sb->partial_lost)
				after = keep(sb, sb->partial ? sb->partial : "", sb->partial_len,
					     sb->partial_kind);
			sb->partial_kind = OUT_TEXT;
			sb->partial_lost = false;
			sb->partial_len = 0;
			if (sb->partial)
				sb->partial[0] = '\0';
			i++;
		} else {
			after = partial_rows(sb);
		}
		if (sb->scroll)
			sb->scroll += after - before;
	}
}

const struct sb_line *sb_line(const struct scrollback *sb, size_t i)
{
	return i < sb->count ? &sb->ring[(sb->first + i) % sb->cap] : NULL;
}

void sb_again(struct scrollback *sb, size_t from, size_t to)
{
	for (size_t a = from; a < to; a++) {
		size_t oldest = sb->pushed - sb->count; /* moves as the ring fills */
		const struct sb_line *l = a >= oldest ? sb_line(sb, a - oldest) : NULL;
		if (l)
			sb_push(sb, l->text, strlen(l->text), l->kind); /* copied before the oldest goes */
	}
}

int sb_total_rows(const struct scrollback *sb, int width)
{
	int rows = 0;
	for (size_t i = 0; i < sb->count; i++)
		rows += sb_rows(sb_line(sb, i)->text, width);
	if (sb->partial_len)
		rows += sb_rows(sb->partial, width);
	return rows;
}

void sb_scroll_by(struct scrollback *sb, int rows, int width, int height)
{
	int max = sb_total_rows(sb, width) - height;
	sb->scroll += rows;
	if (sb->scroll > max)
		sb->scroll = max;
	if (sb->scroll < 0)
		sb->scroll = 0;
}

/* Calls FN for the rows of one line from its last up, while window rows
 * are left; *skip counts down the rows scrolled past first. */
static void line_rows_up(const char *s, enum out_kind kind, int width, int *y, int *skip, sb_row_fn fn,
			 void *ctx)
{
	size_t len = strlen(s);
	for (int r = sb_rows(s, width) - 1; r >= 0 && *y >= 0; r--) {
		if (*skip > 0) {
			--*skip;
			continue;
		}
		size_t i = 0;
		for (int k = 0; k < r && i < len; k++)
			i += sb_row_take(s + i, len - i, width);
		size_t n = i < len ? sb_row_take(s + i, len - i, width) : 0;
		fn(ctx, (*y)--, s + i, n, kind);
	}
}

void sb_visible_rows(const struct scrollback *sb, int width, int height, sb_row_fn fn, void *ctx)
{
	int skip = sb->scroll, y = height - 1;
	if (sb->partial_len)
		line_rows_up(sb->partial, OUT_TEXT, width, &y, &skip, fn, ctx);
	for (size_t i = sb->count; i-- > 0 && y >= 0;) {
		const struct sb_line *l = sb_line(sb, i);
		line_rows_up(l->text, l->kind, width, &y, &skip, fn, ctx);
	}
}
