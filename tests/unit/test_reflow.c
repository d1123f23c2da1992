/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_reflow.c: lab prose is reflowed into paragraphs and wrapped at word
 * boundaries, never inside a word, never inside a command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "reflow.h"

static void soft_breaks_join(void **state)
{
	(void)state;
	char *s = text_reflow("a private copy of\nthe hostname. The copy\nstarts equal.");
	assert_string_equal(s, "a private copy of the hostname. The copy starts equal.");
	free(s);
}

static void hard_breaks_stay(void **state)
{
	(void)state;
	const char *in =
	    "Compare the two, then\nrename the lab:\n\n  run hostname\n  host hostname\nThen look\nagain.\n"
	    "- one\n- two\n1. first\n2) second";
	char *s = text_reflow(in);
	assert_string_equal(
	    s, "Compare the two, then rename the lab:\n\n  run hostname\n  host hostname\nThen look "
	       "again.\n- one\n- two\n1. first\n2) second");
	free(s);
}

static void wrap_breaks_at_spaces(void **state)
{
	(void)state;
	char *s = text_wrap("one two three four five", 9);
	assert_string_equal(s, "one two\nthree\nfour five");
	free(s);
	s = text_wrap("cpuacct.usage_percpu_sys is long", 10); /* a word longer than the line stays whole */
	assert_string_equal(s, "cpuacct.usage_percpu_sys\nis long");
	free(s);
}

static void wrap_leaves_commands(void **state)
{
	(void)state;
	char *s =
	    text_wrap("  run mount -t tmpfs -o size=64m nslab-root $NSLAB_LAB_ROOT\nsome words here", 10);
	assert_string_equal(s,
			    "  run mount -t tmpfs -o size=64m nslab-root $NSLAB_LAB_ROOT\nsome words\nhere");
	free(s);
}

/* Hangul takes two columns a syllable: 4 syllables are 8 columns. */
static void wrap_counts_wide_characters(void **state)
{
	(void)state;
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		skip();
	char *s = text_wrap("네임스페이스 마운트 컨트롤", 14);
	assert_string_equal(s, "네임스페이스\n마운트 컨트롤");
	free(s);
	setlocale(LC_CTYPE, "C");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(soft_breaks_join),
	    cmocka_unit_test(hard_breaks_stay),
	    cmocka_unit_test(wrap_breaks_at_spaces),
	    cmocka_unit_test(wrap_leaves_commands),
	    cmocka_unit_test(wrap_counts_wide_characters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
