/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pane.c: the namespace pane model: column layout at 80/120/200
 * columns, difference markers and spans, change detection, the text
 * helpers the TUI wraps output with, and the pane's labels in Korean (a
 * fake catalogue through test_pane.wrap, and the real one when the
 * ko_KR.UTF-8 locale is there): every line exactly the width in display
 * columns, no character cut, the inode columns where English has them. */
#include <libgen.h>
#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <cmocka.h>

#include "pane.h"

#define HOST_INO 4026531830UL

/* --- a fake catalogue: gettext and friends wrapped (test_pane.wrap) --- */

static bool fake_ko;

/* What the fake catalogue gives: Korean, and a label too wide for its
 * column so that it must be cut (after a whole word, between syllables). */
static const char *fake(const char *id)
{
	static const struct {
		const char *id, *ko;
	} cat[] = {
	    {"* = differs from nslab", "* = nslab과 다름"},
	    {"process +%zu more", "프로세스 외 %zu개"},
	    /* 24 columns, one word: cut to 17 or less, between syllables */
	    {"process", "프로세스프로세스프로세스"},
	    {"comm (pid in ns)", "comm (ns 내 pid)"},
	    {"%zu more types shared with nslab:", "nslab과 공유하는 나머지 유형 %zu개:"},
	    {"all %zu types shared with nslab:", "nslab과 공유하는 유형 %zu개 전부:"},
	};
	for (size_t i = 0; fake_ko && i < sizeof(cat) / sizeof(cat[0]); i++)
		if (strcmp(cat[i].id, id) == 0)
			return cat[i].ko;
	return NULL;
}

char *__real_gettext(const char *id);
char *__real_ngettext(const char *id, const char *plural, unsigned long n);
char *__real_dcgettext(const char *domain, const char *id, int category);
char *__real_dcngettext(const char *domain, const char *id, const char *plural, unsigned long n,
			int category);

char *__wrap_gettext(const char *id)
{
	const char *t = fake(id);
	return t ? (char *)t : __real_gettext(id);
}

char *__wrap_ngettext(const char *id, const char *plural, unsigned long n)
{
	const char *t = fake(plural);
	return t ? (char *)t : __real_ngettext(id, plural, n);
}

char *__wrap_dcgettext(const char *domain, const char *id, int category)
{
	const char *t = fake(id);
	return t ? (char *)t : __real_dcgettext(domain, id, category);
}

char *__wrap_dcngettext(const char *domain, const char *id, const char *plural, unsigned long n, int category)
{
	const char *t = fake(plural);
	return t ? (char *)t : __real_dcngettext(domain, id, plural, n, category);
}

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

/* --- the pane in Korean --- */

/* True when s is whole characters of the locale: none cut in half. */
static bool whole_chars(const char *s)
{
	mbstate_t st = {0};
	size_t n = strlen(s);
	while (n) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, n, &st);
		if (k == (size_t)-1 || k == (size_t)-2)
			return false;
		if (k == 0)
			break;
		s += k;
		n -= k;
	}
	return true;
}

/* What a line shows right of the label column (its first label_w columns). */
static const char *right_of_labels(const char *line)
{
	return line + text_fit(line, strlen(line), PANE_LABEL_W, NULL);
}

/* Every line exactly width display columns, of whole characters. */
static void assert_lines_fit(const struct pane_line *lines, size_t n, int width)
{
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(text_width(lines[i].text, strlen(lines[i].text)), width);
		assert_true(whole_chars(lines[i].text));
	}
}

/* The English and the Korean pane: the same cells at the same columns,
 * only the labels differ. */
static void assert_same_columns(const struct pane_line *en, const struct pane_line *ko, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(right_of_labels(en[i].text), right_of_labels(ko[i].text));
		assert_int_equal(en[i].nspans, ko[i].nspans);
		for (int k = 0; k < en[i].nspans; k++) {
			assert_int_equal(en[i].spans[k].start, ko[i].spans[k].start);
			assert_int_equal(en[i].spans[k].len, ko[i].spans[k].len);
		}
	}
}

/* A fixture with wide text where the pane cannot translate it: a subject
 * column titled with a Hangul command line of one word wider than any
 * column, and a process whose comm is Hangul. */
static size_t wide_fixture(struct ns_col *cols, size_t n)
{
	fixture(cols, n);
	cols[2].kind = NS_COL_SUBJECT;
	snprintf(cols[2].cmd, sizeof(cols[2].cmd), "가나다라마바사아자차카타"); /* 24 columns */
	snprintf(cols[1].comm, sizeof(cols[1].comm), "프로세스");
	return n;
}

static void korean_labels_keep_columns(void **state)
{
	(void)state;
	struct ns_col cols[8];
	static struct pane_line en[PANE_LINES], ko[PANE_LINES];
	const int widths[] = {80, 81, 97, 120, 200};
	const size_t counts[] = {3, 8};
	for (size_t c = 0; c < 2; c++)
		for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
			size_t n = wide_fixture(cols, counts[c]);
			fake_ko = false;
			size_t ne = pane_render(cols, n, widths[w], en);
			fake_ko = true;
			size_t nk = pane_render(cols, n, widths[w], ko);
			fake_ko = false;
			assert_int_equal(ne, nk);
			assert_lines_fit(en, ne, widths[w]);
			assert_lines_fit(ko, nk, widths[w]);
			assert_same_columns(en, ko, nk - 1);
			assert_non_null(strstr(ko[1].text, "comm (ns 내 pid)"));
			assert_non_null(strstr(ko[nk - 1].text, "* = nslab과 다름"));
			assert_int_equal(strncmp(ko[PANE_HEADER_LINES + NS_UTS].text, "uts ", 4), 0);
		}
	/* 8 columns at 80: four shown, "외 4개" (4 more); at 200 all shown,
	 * and the 24-column label cut after whole syllables with an ellipsis */
	size_t n = wide_fixture(cols, 8);
	fake_ko = true;
	pane_render(cols, n, 80, ko);
	assert_int_equal(strncmp(ko[0].text, "프로세스 외 4개 ", strlen("프로세스 외 4개 ")), 0);
	pane_render(cols, n, 200, ko);
	fake_ko = false;
	char want[64];
	snprintf(want, sizeof(want), "프로세스프로세스%s", text_ellipsis());
	assert_int_equal(strncmp(ko[0].text, want, strlen(want)), 0);
	/* the Hangul command line: cut between syllables, the next column in place */
	pane_render(cols, n, 80, en); /* four columns of 13: six syllables fit */
	assert_non_null(strstr(en[0].text, "가나다라마바 "));
	assert_null(strstr(en[0].text, "가나다라마바사"));
	assert_non_null(strstr(en[1].text, "프로세스 (1)"));
}

static void korean_compact_and_summary(void **state)
{
	(void)state;
	struct ns_col cols[3];
	static struct pane_line en[PANE_LINES], ko[PANE_LINES];
	char buf[PANE_LINE_MAX];
	size_t n = wide_fixture(cols, 3);
	for (int w = 17; w <= 200; w++) {
		fake_ko = false;
		size_t ne = pane_render_compact(cols, n, w, en);
		fake_ko = true;
		size_t nk = pane_render_compact(cols, n, w, ko);
		pane_summary(cols, n, w, buf, sizeof(buf));
		fake_ko = false;
		assert_int_equal(ne, nk);
		assert_lines_fit(ko, nk, w);
		assert_same_columns(en, ko, nk - 1);
		assert_true(text_width(buf, strlen(buf)) <= w);
		assert_true(whole_chars(buf));
	}
	fake_ko = true;
	pane_summary(cols, n, 80, buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "* = nslab과 다름 | nslab과 공유하는 나머지 유형 9개: cgroup ipc",
				 strlen("* = nslab과 다름 | nslab과 공유하는 나머지 유형 9개: cgroup ipc")),
			 0);
	pane_summary(cols, 1, 200, buf, sizeof(buf));
	assert_non_null(strstr(buf, "| nslab과 공유하는 유형 10개 전부: cgroup"));
	/* the legend whole down to its own 16 columns, then cut after a word */
	pane_summary(cols, n, 16, buf, sizeof(buf));
	assert_string_equal(buf, "* = nslab과 다름");
	for (int w = 15; w > 0; w--) {
		pane_summary(cols, n, w, buf, sizeof(buf));
		assert_true(text_width(buf, strlen(buf)) <= w);
		assert_true(whole_chars(buf));
	}
	pane_summary(cols, n, 15, buf, sizeof(buf));
	char want[64];
	snprintf(want, sizeof(want), "* = nslab과%s", text_ellipsis());
	assert_string_equal(buf, want);
	fake_ko = false;
}

/* The locale directory of this build: <build>/locale, beside the driver's
 * directory (build/tests/ and build/asan/ alike). */
static bool build_locale(char *dir, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	snprintf(dir, len, "%s/../locale", dirname(exe));
	char mo[PATH_MAX + 64];
	snprintf(mo, sizeof(mo), "%s/ko/LC_MESSAGES/nslab.mo", dir);
	return access(mo, R_OK) == 0;
}

/* The real catalogue (src/po/ko.po) under ko_KR.UTF-8: its labels fit. */
static void real_korean_catalogue(void **state)
{
	(void)state;
	fake_ko = false; /* the real catalogue only */
	char dir[PATH_MAX];
	if (!build_locale(dir, sizeof(dir)) || !setlocale(LC_MESSAGES, "ko_KR.UTF-8"))
		skip(); /* no build/locale, or no ko_KR.UTF-8 (make deps makes it) */
	char ctype[64];
	snprintf(ctype, sizeof(ctype), "%s", setlocale(LC_CTYPE, NULL));
	setlocale(LC_CTYPE, "ko_KR.UTF-8");
	unsetenv("LANGUAGE");
	bindtextdomain("nslab", dir);
	textdomain("nslab");
	struct ns_col cols[8];
	static struct pane_line en[PANE_LINES], ko[PANE_LINES];
	const int widths[] = {80, 120};
	const size_t counts[] = {3, 8};
	for (size_t c = 0; c < 2; c++)
		for (size_t w = 0; w < 2; w++) {
			size_t n = wide_fixture(cols, counts[c]);
			setlocale(LC_MESSAGES, "C");
			size_t ne = pane_render_compact(cols, n, widths[w], en);
			setlocale(LC_MESSAGES, "ko_KR.UTF-8");
			size_t nk = pane_render_compact(cols, n, widths[w], ko);
			assert_int_equal(ne, nk);
			assert_lines_fit(ko, nk, widths[w]);
			assert_same_columns(en, ko, nk - 1);
			assert_int_equal(strncmp(ko[0].text, "프로세스", strlen("프로세스")), 0);
			assert_int_equal(strncmp(ko[1].text, "comm (", 6), 0);
			assert_string_not_equal(en[1].text, ko[1].text);
			assert_string_not_equal(en[nk - 1].text, ko[nk - 1].text);
			ne = pane_render(cols, n, widths[w], en);
			setlocale(LC_MESSAGES, "C");
			nk = pane_render(cols, n, widths[w], en);
			setlocale(LC_MESSAGES, "ko_KR.UTF-8");
			nk = pane_render(cols, n, widths[w], ko);
			assert_lines_fit(ko, nk, widths[w]);
			assert_same_columns(en, ko, nk - 1);
		}
	setlocale(LC_MESSAGES, "C");
	setlocale(LC_CTYPE, ctype);
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
	    cmocka_unit_test(korean_labels_keep_columns),
	    cmocka_unit_test(korean_compact_and_summary),
	    cmocka_unit_test(real_korean_catalogue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
