/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_demo.c: the one demo player (demo.c) through a recording presenter:
 * narration before its command, typing in steps, Enter/Space run, b shows
 * the previous step again (or says there is none), q quits, a malformed
 * command makes the status 1, and the end of the demo is said. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "demo.h"
#include "repl.h"

/* What the presenter was asked, one line per call. */
static char log_buf[4096];

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	size_t at = strlen(log_buf);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(log_buf + at, sizeof(log_buf) - at, fmt, ap);
	va_end(ap);
}

static void rec_narrate(void *ctx, const char *line, size_t len, bool first)
{
	(void)ctx;
	logf_("narrate%s %.*s\n", first ? "1" : "", (int)len, line);
}

static void rec_type(void *ctx, const char *cmd, size_t shown)
{
	(void)ctx;
	logf_("type %.*s\n", (int)shown, cmd);
}

static int rec_run(void *ctx, size_t step, const char *cmd)
{
	(void)ctx;
	logf_("run %zu %s\n", step, cmd);
	return strcmp(cmd, "bogus") == 0 ? REPL_USAGE : REPL_OK;
}

static void rec_again(void *ctx, size_t step, const char *cmd)
{
	(void)ctx;
	logf_("again %zu %s\n", step, cmd);
}

static void rec_note(void *ctx, const char *text)
{
	(void)ctx;
	logf_("note %s\n", text);
}

static const struct demo_presenter rec = {rec_narrate, rec_type, rec_run, rec_again, rec_note};

static struct demo_step steps[] = {
    {"The lab gets\nits own hostname.", "start uts"},
    {NULL, "bogus"},
};
static const struct demo demo = {steps, 2};

static void narration_then_typing(void **state)
{
	(void)state;
	struct demo_player pl;
	log_buf[0] = '\0';
	demo_player_init(&pl, &demo, &rec, NULL);
	demo_player_begin(&pl);
	assert_true(demo_player_type(&pl, 3));
	assert_true(demo_player_type(&pl, 3));
	assert_false(demo_player_type(&pl, 100)); /* whole: "start uts" */
	assert_false(demo_player_type(&pl, 3));   /* nothing more to type */
	assert_string_equal(log_buf, "narrate1 The lab gets\n"
				     "narrate its own hostname.\n"
				     "type \n"
				     "type sta\n"
				     "type start \n"
				     "type start uts\n");
}

static void keys_run_back_quit(void **state)
{
	(void)state;
	struct demo_player pl;
	log_buf[0] = '\0';
	demo_player_init(&pl, &demo, &rec, NULL);
	assert_false(demo_player_key(&pl, 'b')); /* nothing before the first */
	assert_false(demo_player_key(&pl, 'x')); /* any other key does nothing */
	assert_true(demo_player_key(&pl, ' '));
	assert_int_equal(pl.idx, 1);
	assert_false(demo_player_key(&pl, 'b'));
	assert_int_equal(pl.idx, 1); /* going back runs nothing */
	assert_int_equal(pl.status, 0);
	assert_true(demo_player_key(&pl, '\n'));
	assert_int_equal(pl.status, 1); /* a malformed command */
	assert_true(demo_player_done(&pl));
	assert_false(demo_player_key(&pl, ' ')); /* past the end: nothing runs */
	demo_player_begin(&pl);
	assert_false(pl.quit);
	assert_false(demo_player_key(&pl, 'q'));
	assert_true(pl.quit);
	assert_string_equal(log_buf, "note (this is the first command)\n"
				     "run 0 start uts\n"
				     "again 0 start uts\n"
				     "run 1 bogus\n"
				     "type \n"
				     "note (end of the demo: q quits)\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(narration_then_typing),
	    cmocka_unit_test(keys_run_back_quit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
