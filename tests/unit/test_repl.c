/* test_repl.c: command parsing and completion. Output is captured through an
 * out_sink; lab ids come from small plugins built at test time. No lab is
 * started, so nothing here needs root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <readline/readline.h>

#include "labs.h"
#include "repl.h"
#include "util.h"
#include "unit.h"

static char *dir;

/* Runs a line, capturing its output; returns the REPL code. */
static int exec(const char *line)
{
	cap_start();
	return repl_exec(line);
}

static void blank_and_comment_lines(void **state)
{
	(void)state;
	const char *lines[] = {"", "   ", "\t \t", "\n", "# a comment", "   # indented comment", "#start uts"};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		assert_int_equal(exec(lines[i]), REPL_OK);
		assert_string_equal(cap_text(), "");
	}
}

static void unknown_command_suggests(void **state)
{
	(void)state;
	assert_int_equal(exec("chek"), REPL_USAGE);
	assert_contains(cap_text(), "unknown command 'chek' (did you mean 'check'?)");
	assert_int_equal(exec("stat"), REPL_USAGE); /* start is 1 edit, status 2 */
	assert_contains(cap_text(), "did you mean 'start'?");
	assert_int_equal(exec("  hlep  me"), REPL_USAGE);
	assert_contains(cap_text(), "unknown command 'hlep' (did you mean 'help'?)");
	assert_int_equal(exec("frobnicate"), REPL_USAGE);
	assert_contains(cap_text(), "unknown command 'frobnicate' (`help` lists them)");
	assert_not_contains(cap_text(), "did you mean");
	/* names are case-sensitive */
	assert_int_equal(exec("QUIT"), REPL_USAGE);
	assert_false(repl_quit_requested());
	/* a lab id is not a command */
	assert_int_equal(exec("alpha"), REPL_USAGE);
	assert_contains(cap_text(), "unknown command 'alpha'");
}

static void wrong_argument_counts(void **state)
{
	(void)state;
	static const struct {
		const char *line, *usage;
	} cases[] = {
		{"start", "usage: start LAB"},
		{"start alpha beta", "usage: start LAB"},
		{"stop now", "usage: stop"},
		{"next 2", "usage: next"},
		{"prev 1", "usage: prev"},
		{"check please", "usage: check"},
		{"do it", "usage: do"},
		{"status x", "usage: status"},
		{"help a b", "usage: help [CMD]"},
		{"step 1 2", "usage: step [N]"},
		{"step two", "usage: step [N]"},
		{"step 0", "usage: step [N]"},
		{"watch", "usage: watch PID|NAME"},
		{"watch 1 2", "usage: watch PID|NAME"},
		{"unwatch", "usage: unwatch PID"},
		{"unwatch self", "usage: unwatch PID"},
		{"ns 12x", "is not a PID"},
		{"ns --bogus", "is not a PID"},
		{"run", "usage: run CMD..."},
		{"run    ", "usage: run CMD..."},
		{"host", "usage: host CMD..."},
		{"host \t ", "usage: host CMD..."},
		{"quit now", "usage: quit"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = exec(cases[i].line);
		if (rc != REPL_USAGE)
			fail_msg("'%s' returned %d, not REPL_USAGE; output:\n%s", cases[i].line, rc, cap_text());
		assert_contains(cap_text(), cases[i].usage);
	}
	assert_false(repl_quit_requested());
}

static void quotes_group_words(void **state)
{
	(void)state;
	/* One argument each, so `start` gets past the count check and names it. */
	assert_int_equal(exec("start 'no such'"), REPL_FAILED);
	assert_contains(cap_text(), "unknown lab 'no such'");
	assert_int_equal(exec("start \"no  such\""), REPL_FAILED);
	assert_contains(cap_text(), "unknown lab 'no  such'");
	assert_int_equal(exec("start no\\ such"), REPL_FAILED);
	assert_contains(cap_text(), "unknown lab 'no such'");
	assert_int_equal(exec("start al\"ph\"a-x"), REPL_FAILED); /* quotes inside a word */
	assert_contains(cap_text(), "unknown lab 'alpha-x' (did you mean 'alpha'?)");
	assert_int_equal(exec("start 'it\"s'"), REPL_FAILED);
	assert_contains(cap_text(), "unknown lab 'it\"s'");
	assert_int_equal(exec("start ''"), REPL_FAILED); /* an empty word is a word */
	assert_contains(cap_text(), "unknown lab ''");
	/* unterminated quotes */
	assert_int_equal(exec("start 'alpha"), REPL_USAGE);
	assert_contains(cap_text(), "unterminated quote");
	assert_int_equal(exec("help \"start"), REPL_USAGE);
	assert_contains(cap_text(), "unterminated quote");
	/* a quoted word is still one word for the count */
	assert_int_equal(exec("start 'a' 'b'"), REPL_USAGE);
	assert_int_equal(exec("help \"start\""), REPL_OK);
	assert_contains(cap_text(), "usage: start LAB");
}

static void run_and_host_take_the_raw_line(void **state)
{
	(void)state;
	/* The shell gets the rest of the line untouched: quotes, spacing, $. */
	assert_int_equal(exec("host printf '[%s]' \"a  b\" 'c d' $((1+2))"), REPL_OK);
	assert_contains(cap_text(), "[a  b][c d][3]");
	assert_contains(cap_text(), "[exit 0]");
	assert_int_equal(exec("host\techo tab-separated # not a comment to nslab"), REPL_OK);
	assert_contains(cap_text(), "tab-separated\n");
	/* the command's failure is reported, not a REPL failure */
	assert_int_equal(exec("   host exit 3"), REPL_OK);
	assert_contains(cap_text(), "[exit 3]");
	/* an unterminated quote is the shell's business, not nslab's */
	assert_int_equal(exec("host echo 'unterminated"), REPL_OK);
	assert_not_contains(cap_text(), "unterminated quote or too many words");
	assert_not_contains(cap_text(), "[exit 0]");
	/* run needs a lab */
	assert_int_equal(exec("run echo hi"), REPL_FAILED);
	assert_contains(cap_text(), "run needs an active lab");
	assert_not_contains(cap_text(), "hi\n");
}

static void help_and_labs(void **state)
{
	(void)state;
	assert_int_equal(exec("help"), REPL_OK);
	const char *names[] = {"help", "labs", "start LAB", "stop", "check", "do", "run CMD...", "ns [--all]", "quit"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_contains(cap_text(), names[i]);
	assert_int_equal(exec("help run"), REPL_OK);
	assert_contains(cap_text(), "usage: run CMD...");
	assert_contains(cap_text(), "nsenter");
	assert_int_equal(exec("help nosuch"), REPL_USAGE);
	assert_contains(cap_text(), "no command 'nosuch'");
	assert_int_equal(exec("labs"), REPL_OK);
	assert_contains(cap_text(), "alpha");
	assert_contains(cap_text(), "beta");
	assert_int_equal(exec("status"), REPL_OK);
	assert_int_equal(exec("check"), REPL_FAILED); /* no lab active */
	assert_int_equal(exec("next"), REPL_FAILED);
	assert_string_equal(repl_prompt(), "nslab> ");
}

/* --- completion --- */

static char line_buf[256];

/* Completes `text` at the end of `line`, as readline would call us. Returns
 * the matches joined by spaces (the first is readline's common prefix when
 * there are several), or "(none)". */
static const char *complete(const char *line, const char *text)
{
	static char joined[1024];
	snprintf(line_buf, sizeof(line_buf), "%s", line);
	rl_line_buffer = line_buf;
	int end = (int)strlen(line_buf), start = end - (int)strlen(text);
	char **m = repl_completion(text, start, end);
	if (!m)
		return "(none)";
	joined[0] = '\0';
	for (size_t i = 0; m[i]; i++) {
		if (i)
			strcat(joined, " ");
		strncat(joined, m[i], sizeof(joined) - strlen(joined) - 64);
		free(m[i]);
	}
	free(m);
	return joined;
}

static void complete_commands(void **state)
{
	(void)state;
	assert_string_equal(complete("qu", "qu"), "quit");
	assert_string_equal(complete("sta", "sta"), "sta start status");
	assert_string_equal(complete("st", "st"), "st start stop status step");
	assert_string_equal(complete("xyz", "xyz"), "(none)");
	assert_string_equal(complete("help ch", "ch"), "check");
	/* file names are offered only to run/host */
	assert_string_equal(complete("status ", ""), "(none)");
	assert_int_equal(rl_attempted_completion_over, 1);
	assert_string_equal(complete("run ls /e", "/e"), "(none)");
	assert_int_equal(rl_attempted_completion_over, 0);
}

static void complete_lab_ids(void **state)
{
	(void)state;
	assert_string_equal(complete("start al", "al"), "alp alps alpha"); /* common prefix, then curriculum order */
	assert_string_equal(complete("start b", "b"), "beta");
	assert_string_equal(complete("start ", ""), " alps alpha beta"); /* curriculum order */
	assert_string_equal(complete("start z", "z"), "(none)");
	assert_string_equal(complete("start  be", "be"), "beta");
}

static void complete_after_leading_blanks(void **state)
{
	(void)state;
	assert_string_equal(complete(" start be", "be"), "beta");
	assert_string_equal(complete("  start be", "be"), "beta");
	/* Regression (found by this test, fixed in 34cba92): the loop that
	 * skipped leading blanks compared `buf < rl_line_buffer + start` while
	 * also decrementing start, so with two or more blanks before the first
	 * word commands were not completed ("  qu" TAB offered nothing). */
	assert_string_equal(complete(" st", "st"), "st start stop status step");
	assert_string_equal(complete("  qu", "qu"), "quit");
	assert_string_equal(complete("    qu", "qu"), "quit");
}

static void quit_sets_the_flag(void **state)
{
	(void)state;
	assert_false(repl_quit_requested());
	assert_int_equal(exec("quit"), REPL_OK);
	assert_true(repl_quit_requested());
}

static int setup_all(void **state)
{
	(void)state;
	dir = unit_tmpdir();
	char *a = unit_good_plugin(dir, "alpha", "alpha", 2), *b = unit_good_plugin(dir, "alps", "alps", 1),
	     *c = unit_good_plugin(dir, "beta", "beta", 3);
	int ok = a && b && c && labs_load_path(dir) == 3;
	free(a);
	free(b);
	free(c);
	return ok ? 0 : -1;
}

static int teardown_all(void **state)
{
	(void)state;
	cap_stop();
	labs_unload_all();
	unit_rm_rf(dir);
	free(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(blank_and_comment_lines),
		cmocka_unit_test(unknown_command_suggests),
		cmocka_unit_test(wrong_argument_counts),
		cmocka_unit_test(quotes_group_words),
		cmocka_unit_test(run_and_host_take_the_raw_line),
		cmocka_unit_test(help_and_labs),
		cmocka_unit_test(complete_commands),
		cmocka_unit_test(complete_lab_ids),
		cmocka_unit_test(complete_after_leading_blanks),
		cmocka_unit_test(quit_sets_the_flag), /* last: the flag cannot be cleared */
	};
	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
