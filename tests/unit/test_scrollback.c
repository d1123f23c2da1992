/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_scrollback.c: the output window's ring without a screen: wrapping at
 * word boundaries, overflow keeping the newest lines, kinds kept, the
 * reader's scroll place kept while output arrives, the demo's "again" copy,
 * and lines lost for want of memory counted rather than dropped silently
 * (text_clean and realloc are wrapped to fail on request). */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scrollback.h"

/* --- allocation failures on request --- */

static int fail_clean, fail_realloc; /* how many calls from now fail */

char *__real_text_clean(const char *s, size_t len);
char *__wrap_text_clean(const char *s, size_t len)
{
	if (fail_clean > 0) {
		fail_clean--;
		return NULL;
	}
	return __real_text_clean(s, len);
}

void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n)
{
	if (fail_realloc > 0) {
		fail_realloc--;
		return NULL;
	}
	return __real_realloc(p, n);
}

/* --- the rows a window shows, top to bottom --- */

#define MAXROWS 32
struct shown {
	char text[MAXROWS][64];
	enum out_kind kind[MAXROWS];
	int height;
};

static void collect(void *ctx, int y, const char *s, size_t n, enum out_kind kind)
{
	struct shown *sh = ctx;
	assert_true(y >= 0 && y < sh->height);
	snprintf(sh->text[y], sizeof(sh->text[y]), "%.*s", (int)n, s);
	sh->kind[y] = kind;
}

static struct shown show(const struct scrollback *sb, int width, int height)
{
	struct shown sh;
	memset(&sh, 0, sizeof(sh));
	sh.height = height;
	sb_visible_rows(sb, width, height, collect, &sh);
	return sh;
}

static void push(struct scrollback *sb, const char *s, enum out_kind kind)
{
	sb_push(sb, s, strlen(s), kind);
}

/* --- tests --- */

static void wrap_at_word_boundaries(void **state)
{
	(void)state;
	struct scrollback sb;
	assert_int_equal(sb_init(&sb, 8), 0);
	push(&sb, "hello brave new world", OUT_TEXT);
	assert_int_equal(sb_rows("hello brave new world", 10), 3);
	struct shown sh = show(&sb, 10, 3);
	assert_string_equal(sh.text[0], "hello ");
	assert_string_equal(sh.text[1], "brave new ");
	assert_string_equal(sh.text[2], "world");
	/* a word longer than the row is split where it has to be */
	push(&sb, "abcdefghijklmno", OUT_TEXT);
	sh = show(&sb, 10, 2);
	assert_string_equal(sh.text[0], "abcdefghij");
	assert_string_equal(sh.text[1], "klmno");
	assert_int_equal(sb_total_rows(&sb, 10), 5);
	assert_int_equal(sb_rows("", 10), 1);
	sb_free(&sb);
}

/* A row filled exactly, then a space: the next row starts with the next
 * word, not with that space (it showed as " it, so the scheduler" at 80). */
static void full_row_space_not_carried(void **state)
{
	(void)state;
	const char *s = "abcd efgh ij";
	size_t k = sb_row_take(s, strlen(s), 4);
	assert_int_equal(k, 5); /* "abcd" and its space */
	assert_int_equal(s[k], 'e');
	k += sb_row_take(s + k, strlen(s) - k, 4);
	assert_int_equal(s[k], 'i');
	assert_int_equal(sb_rows(s, 4), 3);
}

/* A word longer than the row breaks after a '|' in it where it can. */
static void long_word_breaks_after_separator(void **state)
{
	(void)state;
	const char *s = "CLONE_NEWNS|CLONE_NEWUTS|SIGCHLD";
	size_t k = sb_row_take(s, strlen(s), 20);
	assert_int_equal(k, 12);                                       /* "CLONE_NEWNS|" */
	assert_int_equal(sb_row_take("abcdefghijklmnop", 16, 10), 10); /* none: cut where it must */
}

static void overflow_keeps_newest(void **state)
{
	(void)state;
	struct scrollback sb;
	assert_int_equal(sb_init(&sb, 3), 0);
	char line[16];
	for (int i = 1; i <= 5; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		push(&sb, line, OUT_TEXT);
	}
	assert_int_equal(sb.count, 3);
	assert_int_equal(sb.pushed, 5);
	assert_string_equal(sb_line(&sb, 0)->text, "line 3");
	assert_string_equal(sb_line(&sb, 2)->text, "line 5");
	assert_null(sb_line(&sb, 3));
	struct shown sh = show(&sb, 20, 4);
	assert_string_equal(sh.text[0], "");
	assert_string_equal(sh.text[1], "line 3");
	assert_string_equal(sh.text[3], "line 5");
	assert_int_equal(sb.lost, 0);
	sb_free(&sb);
}

static void kinds_kept(void **state)
{
	(void)state;
	struct scrollback sb;
	assert_int_equal(sb_init(&sb, 8), 0);
	push(&sb, "nslab: no such lab", OUT_ERROR);
	/* a check line written in pieces takes the first kind that is not text */
	sb_append(&sb, OUT_TEXT, "check: ", 7);
	sb_append(&sb, OUT_OK, "ok", 2);
	sb_append(&sb, OUT_TEXT, " - step 1\n  missing", 19);
	sb_append(&sb, OUT_MISSING, ": x\n", 4);
	sb_append(&sb, OUT_TRACE, "unshare(CLONE_NEWUTS)", 21); /* not finished yet */
	assert_int_equal(sb.count, 3);
	assert_int_equal(sb_line(&sb, 0)->kind, OUT_ERROR);
	assert_string_equal(sb_line(&sb, 1)->text, "check: ok - step 1");
	assert_int_equal(sb_line(&sb, 1)->kind, OUT_OK);
	assert_int_equal(sb_line(&sb, 2)->kind, OUT_MISSING);
	struct shown sh = show(&sb, 40, 4);
	assert_int_equal(sh.kind[0], OUT_ERROR);
	assert_int_equal(sh.kind[1], OUT_OK);
	assert_int_equal(sh.kind[2], OUT_MISSING);
	assert_string_equal(sh.text[3], "unshare(CLONE_NEWUTS)");
	assert_int_equal(sh.kind[3], OUT_TEXT); /* the unfinished line is drawn plain */
	sb_append(&sb, OUT_TEXT, "\n", 1);
	assert_int_equal(sb_line(&sb, 3)->kind, OUT_TRACE);
	sb_free(&sb);
}

static void scroll_place_kept(void **state)
{
	(void)state;
	struct scrollback sb;
	assert_int_equal(sb_init(&sb, 100), 0);
	sb.width = 10;
	char line[16];
	for (int i = 0; i < 6; i++) {
		snprintf(line, sizeof(line), "l%d", i);
		push(&sb, line, OUT_TEXT);
	}
	sb_scroll_by(&sb, 2, 10, 2); /* back two rows: l2 and l3 show */
	struct shown sh = show(&sb, 10, 2);
	assert_string_equal(sh.text[0], "l2");
	assert_string_equal(sh.text[1], "l3");
	push(&sb, "one two three four", OUT_TEXT);         /* two rows */
	sb_append(&sb, OUT_TEXT, "partial line here", 17); /* grows, then ends */
	sb_append(&sb, OUT_TEXT, " and more\nx", 11);
	sh = show(&sb, 10, 2);
	assert_string_equal(sh.text[0], "l2");
	assert_string_equal(sh.text[1], "l3");
	/* never past the oldest row, never below the bottom */
	sb_scroll_by(&sb, 1000, 10, 2);
	assert_int_equal(sb.scroll, sb_total_rows(&sb, 10) - 2);
	sb_scroll_by(&sb, -2000, 10, 2);
	assert_int_equal(sb.scroll, 0);
	sb_free(&sb);
}

static void again_copies_what_is_kept(void **state)
{
	(void)state;
	struct scrollback sb;
	assert_int_equal(sb_init(&sb, 4), 0);
	push(&sb, "a", OUT_TEXT);
	push(&sb, "b", OUT_OK);
	push(&sb, "c", OUT_ERROR);
	push(&sb, "d", OUT_TEXT);
	sb_again(&sb, 1, 3); /* b and c, while the ring drops a and b */
	assert_int_equal(sb.pushed, 6);
	assert_string_equal(sb_line(&sb, 2)->text, "b");
	assert_int_equal(sb_line(&sb, 2)->kind, OUT_OK);
	assert_string_equal(sb_line(&sb, 3)->text, "c");
	assert_int_equal(sb_line(&sb, 3)->kind, OUT_ERROR);
	sb_again(&sb, 0, 1); /* a is gone: nothing to copy */
	assert_int_equal(sb.pushed, 6);
	sb_free(&sb);
}

static void out_of_memory_counted(void **state)
{
	(void)state;
	struct scrollback sb;
	assert_int_equal(sb_init(&sb, 8), 0);
	push(&sb, "kept", OUT_TEXT);
	fail_clean = 1;
	push(&sb, "lost", OUT_TEXT);
	assert_int_equal(sb.count, 1);
	assert_int_equal(sb.lost, 1);
	/* the unfinished line cannot grow: that line is lost, the next one is not */
	sb_append(&sb, OUT_TEXT, "first ", 6);
	fail_realloc = 1;
	sb_append(&sb, OUT_TEXT, "half", 4);
	sb_append(&sb, OUT_TEXT, " rest\nnext\n", 11);
	assert_int_equal(sb.lost, 2);
	assert_int_equal(sb.count, 2);
	assert_string_equal(sb_line(&sb, 1)->text, "next");
	sb_free(&sb);
}

int main(void)
{
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "en_US.UTF-8");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(wrap_at_word_boundaries),
	    cmocka_unit_test(full_row_space_not_carried),
	    cmocka_unit_test(long_word_breaks_after_separator),
	    cmocka_unit_test(overflow_keeps_newest),
	    cmocka_unit_test(kinds_kept),
	    cmocka_unit_test(scroll_place_kept),
	    cmocka_unit_test(again_copies_what_is_kept),
	    cmocka_unit_test(out_of_memory_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
