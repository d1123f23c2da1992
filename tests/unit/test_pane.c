/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pane.c: the namespace pane model: column layout at 80/120/200
 * columns, difference markers and spans, change detection, and the text
 * helpers the TUI wraps output with. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pane.h"

#define HOST_INO 4026531830UL

static struct ns_col mkcol(pid_t pid, enum ns_col_kind kind, const char *label, const char *comm, pid_t inner)
{
	struct ns_col c;
	memset(&c, 0, sizeof(c));
	c.pid = pid;
	c.kind = kind;
	c.inner_pid = inner;
	c.alive = true;
	snprintf(c.label, sizeof(c.label), "%s", label);
	snprintf(c.comm, sizeof(c.comm), "%s", comm);
	for (int r = 0; r < NS_COUNT; r++)
		c.ino[r] = HOST_INO + (unsigned long)r;
	return c;
}

/* A host column and n more; the second has its own UTS namespace. */
static size_t fixture(struct ns_col *cols, size_t n)
{
	cols[0] = mkcol(1000, NS_COL_HOST, "nslab", "nslab", 1000);
	for (size_t i = 1; i < n; i++)
		cols[i] = mkcol(2000 + (pid_t)i, i == 1 ? NS_COL_LAB : NS_COL_WATCH, i == 1 ? "lab" : "watch",
				"sleep", i == 1 ? 1 : 2000 + (pid_t)i);
	if (n > 1)
		cols[1].ino[NS_UTS] = 4026532201UL;
	return n;
}

static void layout_80(void **state)
{
	(void)state;
	struct pane_layout l;
	pane_layout(2, 80, &l);
	assert_int_equal(l.shown, 2);
	assert_int_equal(l.hidden, 0);
	assert_int_equal(l.col_w, PANE_COL_MAX); /* room to spare: widest columns */
	pane_layout(6, 80, &l);
	assert_int_equal(l.shown, 4);
	assert_int_equal(l.hidden, 2);
	assert_true(l.col_w >= PANE_COL_MIN);
	assert_true(l.label_w + (int)l.shown * (l.gap + l.col_w) <= 80);
}

static void layout_120_200(void **state)
{
	(void)state;
	struct pane_layout l;
	pane_layout(20, 120, &l);
	assert_int_equal(l.shown, 6);
	assert_int_equal(l.hidden, 14);
	assert_true(l.label_w + (int)l.shown * (l.gap + l.col_w) <= 120);
	pane_layout(20, 200, &l);
	assert_int_equal(l.shown, 12);
	assert_int_equal(l.hidden, 8);
	assert_true(l.label_w + (int)l.shown * (l.gap + l.col_w) <= 200);
	pane_layout(3, 200, &l);
	assert_int_equal(l.shown, 3);
	assert_int_equal(l.col_w, PANE_COL_MAX);
}

static void layout_too_narrow(void **state)
{
	(void)state;
	struct pane_layout l;
	pane_layout(3, 20, &l);
	assert_int_equal(l.shown, 0);
	assert_int_equal(l.hidden, 3);
	pane_layout(3, 0, &l);
	assert_int_equal(l.shown, 0);
}

static void header_shows_pid_comm_inner(void **state)
{
	(void)state;
	struct ns_col c = mkcol(4242, NS_COL_LAB, "lab", "sh", 1);
	char l1[64], l2[64];
	pane_header(&c, l1, l2, sizeof(l1));
	assert_string_equal(l1, "lab 4242");
	assert_string_equal(l2, "sh (1)");
	c.inner_pid = 4242; /* same PID namespace: nothing extra */
	pane_header(&c, l1, l2, sizeof(l1));
	assert_string_equal(l2, "sh");
}

static void cell_marks_difference(void **state)
{
	(void)state;
	struct ns_col cols[2];
	fixture(cols, 2);
	char buf[32];
	pane_cell(&cols[0], &cols[1], NS_UTS, buf, sizeof(buf));
	assert_string_equal(buf, "4026532201*");
	pane_cell(&cols[0], &cols[1], NS_MNT, buf, sizeof(buf));
	assert_string_equal(buf, "4026531832");
	pane_cell(&cols[0], &cols[0], NS_UTS, buf, sizeof(buf));
	assert_string_equal(buf, "4026531839");
	cols[1].ino[NS_TIME] = 0; /* kernel without time namespaces */
	pane_cell(&cols[0], &cols[1], NS_TIME, buf, sizeof(buf));
	assert_string_equal(buf, "-");
}

static void render_80(void **state)
{
	(void)state;
	struct ns_col cols[3];
	struct pane_line lines[PANE_LINES];
	size_t n = fixture(cols, 3);
	assert_int_equal(pane_render(cols, n, 80, lines), PANE_LINES);
	for (int i = 0; i < PANE_LINES; i++)
		assert_int_equal(strlen(lines[i].text), 80);
	assert_non_null(strstr(lines[0].text, "nslab 1000"));
	assert_non_null(strstr(lines[0].text, "lab 2001"));
	assert_non_null(strstr(lines[0].text, "watch 2002"));
	assert_non_null(strstr(lines[1].text, "sleep (1)"));
	struct pane_line *uts = &lines[PANE_HEADER_LINES + NS_UTS];
	assert_int_equal(strncmp(uts->text, "uts ", 4), 0);
	assert_non_null(strstr(uts->text, "4026531839"));
	assert_non_null(strstr(uts->text, "4026532201*"));
	assert_int_equal(uts->nspans, 1);
	assert_int_equal(strncmp(uts->text + uts->spans[0].start, "4026532201*", 11), 0);
	assert_int_equal(uts->spans[0].len, 11);
	/* rows that match the host: no marker, no highlight */
	struct pane_line *mnt = &lines[PANE_HEADER_LINES + NS_MNT];
	assert_null(strchr(mnt->text, PANE_MARK));
	assert_int_equal(mnt->nspans, 0);
	assert_non_null(strstr(lines[PANE_HEADER_LINES + NS_TIME_FOR_CHILDREN].text, "time_for_children"));
}

static void render_hidden_columns(void **state)
{
	(void)state;
	struct ns_col cols[8];
	struct pane_line lines[PANE_LINES];
	size_t n = fixture(cols, 8);
	pane_render(cols, n, 80, lines);
	assert_non_null(strstr(lines[0].text, "process +4 more"));
	assert_null(strstr(lines[0].text, "watch 2004"));
	pane_render(cols, n, 200, lines);
	assert_null(strstr(lines[0].text, "more"));
	assert_non_null(strstr(lines[0].text, "watch 2007"));
	for (int i = 0; i < PANE_LINES; i++)
		assert_int_equal(strlen(lines[i].text), 200);
	pane_render(cols, n, 120, lines);
	assert_non_null(strstr(lines[0].text, "process +2 more"));
	assert_non_null(strstr(lines[0].text, "watch 2005"));
}

static void same_and_differences(void **state)
{
	(void)state;
	struct ns_col a[3], b[3];
	fixture(a, 3);
	fixture(b, 3);
	assert_true(pane_same(a, 3, b, 3));
	assert_false(pane_same(a, 3, b, 2));
	assert_int_equal(pane_differences(a, 3), 1);
	b[2].ino[NS_NET] = 4026532300UL; /* `unshare -n` in a watched process */
	assert_false(pane_same(a, 3, b, 3));
	assert_int_equal(pane_differences(b, 3), 2);
	fixture(b, 3);
	snprintf(b[1].comm, sizeof(b[1].comm), "bash");
	assert_false(pane_same(a, 3, b, 3));
}

static void text_width_and_fit(void **state)
{
	(void)state;
	assert_int_equal(text_width("abc", 3), 3);
	assert_int_equal(text_width("\xed\x95\x9c\xea\xb8\x80", 6), 4); /* two Hangul: 2 cols each */
	int used;
	assert_int_equal(text_fit("\xed\x95\x9c\xea\xb8\x80", 6, 3, &used), 3);
	assert_int_equal(used, 2); /* the second wide char does not fit in one column */
	assert_int_equal(text_rows("", 10), 1);
	assert_int_equal(text_rows("0123456789", 10), 1);
	assert_int_equal(text_rows("0123456789a", 10), 2);
	assert_int_equal(text_rows("\xed\x95\x9c\xed\x95\x9c\xed\x95\x9c", 5), 2);
}

static void text_clean_strips_controls(void **state)
{
	(void)state;
	const char *in = "\x1b[1;31mred\x1b[0m\tx\r\x07\x1b]0;title\x07!";
	char *out = text_clean(in, strlen(in));
	assert_string_equal(out, "red     x!");
	free(out);
	out = text_clean("a\xff"
			 "b",
			 3);
	assert_string_equal(out, "a?b");
	free(out);
}

static void text_wraps_words(void **state)
{
	(void)state;
	size_t off[4], len[4];
	bool trunc;
	const char *s = "run hostname lab, then check the pane";
	int rows = text_wrap_words(s, 16, off, len, 4, &trunc);
	assert_int_equal(rows, 3);
	assert_false(trunc);
	assert_memory_equal(s + off[0], "run hostname", len[0]);
	assert_memory_equal(s + off[1], "lab, then check", len[1]);
	assert_memory_equal(s + off[2], "the pane", len[2]);
	rows = text_wrap_words(s, 16, off, len, 2, &trunc);
	assert_int_equal(rows, 2);
	assert_true(trunc);
	rows = text_wrap_words("line one\nline two", 40, off, len, 4, &trunc);
	assert_int_equal(rows, 2);
	assert_int_equal(len[0], 8);
}

static void compact_rows_only_differing(void **state)
{
	(void)state;
	struct ns_col cols[3];
	enum ns_row rows[NS_COUNT];
	size_t n = fixture(cols, 3);
	assert_int_equal(pane_compact_rows(cols, n, 80, rows), 1);
	assert_int_equal(rows[0], NS_UTS);
	cols[2].ino[NS_NET] = 4026532300UL; /* a watched process in its own net namespace */
	assert_int_equal(pane_compact_rows(cols, n, 80, rows), 2);
	assert_int_equal(rows[0], NS_NET); /* table order */
	assert_int_equal(rows[1], NS_UTS);
	assert_int_equal(pane_compact_lines(cols, n, 80), PANE_HEADER_LINES + 2 + 1);
	/* only the columns drawn count: at 40 columns only the host's fits */
	assert_int_equal(pane_compact_rows(cols, n, 40, rows), 0);
	/* nslab alone, or an unknown inode: nothing differs */
	assert_int_equal(pane_compact_rows(cols, 1, 80, rows), 0);
	cols[1].ino[NS_UTS] = 0;
	cols[2].ino[NS_NET] = 0;
	assert_int_equal(pane_compact_rows(cols, n, 80, rows), 0);
}

static void compact_render_and_summary(void **state)
{
	(void)state;
	struct ns_col cols[3];
	struct pane_line lines[PANE_LINES];
	size_t n = fixture(cols, 3);
	assert_int_equal(pane_render_compact(cols, n, 80, lines), PANE_HEADER_LINES + 1 + 1);
	assert_non_null(strstr(lines[0].text, "lab 2001"));
	struct pane_line *uts = &lines[PANE_HEADER_LINES];
	assert_int_equal(strncmp(uts->text, "uts ", 4), 0);
	assert_int_equal(uts->nspans, 1);
	assert_int_equal(strncmp(uts->text + uts->spans[0].start, "4026532201*", 11), 0);
	const char *sum = lines[PANE_HEADER_LINES + 1].text;
	assert_int_equal(
	    strncmp(sum, "* = differs from nslab | 9 more types shared with nslab: cgroup ipc mnt", 71), 0);
	assert_null(strstr(sum, " uts")); /* shown above, not among the shared */
	/* cut after a whole type name, with an ellipsis, never inside one */
	char buf[PANE_LINE_MAX];
	pane_summary(cols, n, 80, buf, sizeof(buf));
	assert_true(text_width(buf, strlen(buf)) <= 80);
	const char *ell = text_ellipsis();
	size_t bl = strlen(buf), el = strlen(ell);
	assert_true(bl > el && strcmp(buf + bl - el, ell) == 0);
	char *last = strrchr(buf, ' ');
	assert_non_null(last);
	size_t wl = bl - el - (size_t)(last + 1 - buf);
	bool whole = false;
	for (int r = 0; r < NS_COUNT; r++)
		whole |= strlen(ns_row_name[r]) == wl && strncmp(last + 1, ns_row_name[r], wl) == 0;
	assert_true(whole);
	/* wide: everything, no ellipsis */
	pane_summary(cols, n, 200, buf, sizeof(buf));
	assert_null(strstr(buf, ell));
	assert_non_null(strstr(buf, "user"));
	/* nothing differs: "all" */
	pane_summary(cols, 1, 120, buf, sizeof(buf));
	assert_non_null(strstr(buf, "| all 10 types shared"));
	/* the legend stays however narrow the line, down to its own width */
	pane_summary(cols, n, 22, buf, sizeof(buf));
	assert_string_equal(buf, "* = differs from nslab");
}

static void full_render_has_legend(void **state)
{
	(void)state;
	struct ns_col cols[6];
	struct pane_line lines[PANE_LINES];
	size_t n = fixture(cols, 6); /* columns fill the width: no room beside them */
	pane_render(cols, n, 80, lines);
	assert_int_equal(strncmp(lines[PANE_LINES - 1].text, "* = differs from nslab", 22), 0);
}

static void text_elide_at_words(void **state)
{
	(void)state;
	char out[128];
	const char *ell = text_ellipsis();
	int ew = text_width(ell, strlen(ell));
	const char *t = "Move the lab process into its cgroup";
	assert_int_equal(text_elide(t, 80, out, sizeof(out)), (int)strlen(t));
	assert_string_equal(out, t);
	/* room for "Move the lab proce": cut after "lab", never inside "process" */
	int w = text_elide(t, 18 + ew, out, sizeof(out));
	char want[64];
	snprintf(want, sizeof(want), "Move the lab%s", ell);
	assert_string_equal(out, want);
	assert_int_equal(w, 12 + ew);
	/* a cut right at a word's end keeps that word */
	text_elide(t, 12 + ew, out, sizeof(out));
	assert_string_equal(out, want);
	/* separators before the cut go: "a: b | c" does not end in ":" or "|" */
	text_elide("cpu: 45% | worker 1234 running", 11 + ew, out, sizeof(out));
	snprintf(want, sizeof(want), "cpu: 45%%%s", ell);
	assert_string_equal(out, want);
	/* one word longer than the room: cut where it must */
	text_elide("cpuacct.usage", 5 + ew, out, sizeof(out));
	snprintf(want, sizeof(want), "cpuac%s", ell);
	assert_string_equal(out, want);
	assert_int_equal(text_elide(t, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

int main(void)
{
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "en_US.UTF-8");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(layout_80),
	    cmocka_unit_test(layout_120_200),
	    cmocka_unit_test(layout_too_narrow),
	    cmocka_unit_test(header_shows_pid_comm_inner),
	    cmocka_unit_test(cell_marks_difference),
	    cmocka_unit_test(render_80),
	    cmocka_unit_test(render_hidden_columns),
	    cmocka_unit_test(same_and_differences),
	    cmocka_unit_test(text_width_and_fit),
	    cmocka_unit_test(text_clean_strips_controls),
	    cmocka_unit_test(text_wraps_words),
	    cmocka_unit_test(compact_rows_only_differing),
	    cmocka_unit_test(compact_render_and_summary),
	    cmocka_unit_test(full_render_has_legend),
	    cmocka_unit_test(text_elide_at_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
