/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_repl.c: command parsing and completion. Output is captured through an
 * out_sink; lab ids come from small plugins built at test time. No lab is
 * started, so nothing here needs root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <readline/readline.h>

#include <dirent.h>
#include <fcntl.h>

#include "demo.h"
#include "labs.h"
#include "nsview.h"
#include "repl.h"
#include "session.h"
#include "util.h"
#include "unit.h"

static char *dir;

/* session_view and session_goto are wrapped (test_repl.wrap): with fake_lab
 * set, `step` sees an active lab of 6 steps without one being started (that
 * needs a run directory and root); otherwise the real ones answer. */
static bool fake_lab;
static struct session_view fake_view;
static unsigned goto_step;
const struct session_view *__real_session_view(void);
enum session_result __real_session_goto(unsigned step);
const struct session_view *__wrap_session_view(void)
{
	return fake_lab ? &fake_view : __real_session_view();
}
enum session_result __wrap_session_goto(unsigned step)
{
	if (!fake_lab)
		return __real_session_goto(step);
	goto_step = step;
	return SESSION_OK;
}

/* session_lab_commands is wrapped too: with fake_cmds set, the active lab
 * (none is started) has the commands below, run by the real session. */
static bool fake_cmds;
static int fake_calls;
static char fake_arg[64];
static int fake_fn(struct nslab_host *h, int argc, char **argv)
{
	(void)h;
	fake_calls++;
	snprintf(fake_arg, sizeof(fake_arg), "%s", argc > 1 ? argv[1] : "");
	return argc > 1 && strcmp(argv[1], "fail") == 0 ? -1 : 0;
}
static const struct nslab_command fake_lab_cmds[] = {
    {.name = "quota",
     .usage = "quota PERCENT",
     .summary = "set the quota",
     .min_args = 1,
     .max_args = 1,
     .fn = fake_fn},
    {.name = "status", .usage = "status", .summary = "a built-in's name", .max_args = -1, .fn = fake_fn},
    {.name = "bare", .max_args = 0, .fn = fake_fn}, /* no usage, no summary */
};
const struct nslab_command *__real_session_lab_commands(unsigned *n);
const struct nslab_command *__wrap_session_lab_commands(unsigned *n)
{
	if (!fake_cmds)
		return __real_session_lab_commands(n);
	*n = sizeof(fake_lab_cmds) / sizeof(fake_lab_cmds[0]);
	return fake_lab_cmds;
}

/* Runs a line, capturing its output; returns the REPL code. */
static int exec(const char *line)
{
	cap_start();
	return repl_exec(line);
}

static void blank_and_comment_lines(void **state)
{
	(void)state;
	const char *lines[] = {"",          "   ", "\t \t", "\n", "# a comment", "   # indented comment",
			       "#start uts"};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		assert_int_equal(exec(lines[i]), REPL_OK);
		assert_string_equal(cap_text(), "");
	}
}

/* A guess never names a command that ends or undoes work, and a guess
 * that is as near to one is no guess (issue 11: "quota abc" outside the cpu
 * lab answered "did you mean 'quit'?", "cd" answered 'do'). */
static void suggestions_never_lose_state(void **state)
{
	(void)state;
	const char *typed[] = {"quota abc", "cd /", "qiut", "stpo", "rest", "exti", "dp"};
	for (size_t i = 0; i < sizeof(typed) / sizeof(typed[0]); i++) {
		assert_int_equal(exec(typed[i]), REPL_USAGE);
		assert_not_contains(cap_text(), "did you mean");
	}
	assert_false(repl_quit_requested());
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
			fail_msg("'%s' returned %d, not REPL_USAGE; output:\n%s", cases[i].line, rc,
				 cap_text());
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
	const char *names[] = {"help", "labs",       "start LAB",  "stop", "check",
			       "do",   "run CMD...", "ns [--all]", "quit"};
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

/* `exit` is another name of the `quit` row, not a row of its own. */
static void aliases_are_one_row(void **state)
{
	(void)state;
	assert_int_equal(exec("help"), REPL_OK);
	assert_contains(cap_text(), "leave (also `exit`)\n");
	assert_not_contains(cap_text(), "\n  exit ");
	assert_not_contains(cap_text(), "the same as quit");
	assert_int_equal(exec("help exit"), REPL_OK);
	assert_contains(cap_text(), "usage: quit\n");
	assert_contains(cap_text(), "`exit` is another name for `quit`");
	/* the row's argument check holds for the alias too */
	assert_int_equal(exec("exit now"), REPL_USAGE);
	assert_string_equal(cap_text(), "nslab: usage: quit\n");
	assert_false(repl_quit_requested());
	/* near an alias is near its row */
	assert_int_equal(exec("exti"), REPL_USAGE);
	assert_contains(cap_text(), "unknown command 'exti'");
}

/* `ns` takes its flags from the row's flag spec, anywhere among the words,
 * long or short; any other word is a PID. */
static void ns_flags_come_from_the_spec(void **state)
{
	(void)state;
	const char *json[] = {"ns --json", "ns -J", "ns --json --json"};
	for (size_t i = 0; i < sizeof(json) / sizeof(json[0]); i++) {
		assert_int_equal(exec(json[i]), REPL_OK);
		assert_contains(cap_text(), "\"namespaces\": [");
		assert_contains(cap_text(), "\"type\": \"uts\"");
		assert_not_contains(cap_text(), "nprocs");
	}
	char line[64];
	snprintf(line, sizeof(line), "ns %d --json", (int)getpid()); /* after an operand */
	assert_int_equal(exec(line), REPL_OK);
	assert_contains(cap_text(), "\"differs\": ");
	snprintf(line, sizeof(line), "-%d\": \"", (int)getpid()); /* its column */
	assert_contains(cap_text(), line);
	const char *all[] = {"ns --all --json", "ns -J -a", "ns --json -a"};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		assert_int_equal(exec(all[i]), REPL_OK);
		assert_contains(cap_text(), "\"nprocs\": ");
	}
	assert_int_equal(exec("ns --all"), REPL_OK);
	assert_contains(cap_text(), "nprocs");
	assert_not_contains(cap_text(), "{");
	/* not a flag of ns: an operand, and not a PID */
	assert_int_equal(exec("ns --al"), REPL_USAGE);
	assert_contains(cap_text(), "ns: '--al' is not a PID");
	/* a flag of ns is a word like any other to a command without the spec */
	assert_int_equal(exec("stop --all"), REPL_USAGE);
	assert_contains(cap_text(), "usage: stop");
}

/* A lab's commands are rows of the same table: one argument check, one
 * help printer, one completion, one "did you mean". */
static void lab_commands_share_the_table(void **state)
{
	(void)state;
	fake_cmds = true;
	fake_calls = 0;
	assert_int_equal(exec("quota"), REPL_USAGE);
	assert_string_equal(cap_text(), "nslab: usage: quota PERCENT\n");
	assert_int_equal(exec("quota 1 2"), REPL_USAGE);
	assert_string_equal(cap_text(), "nslab: usage: quota PERCENT\n");
	assert_int_equal(exec("bare x"), REPL_USAGE);
	assert_string_equal(cap_text(), "nslab: usage: bare\n");
	assert_int_equal(fake_calls, 0);
	assert_int_equal(exec("quota 'thirty percent'"), REPL_OK);
	assert_int_equal(fake_calls, 1);
	assert_string_equal(fake_arg, "thirty percent");
	assert_int_equal(exec("quota fail"), REPL_FAILED);
	assert_int_equal(fake_calls, 2);
	/* a built-in's name stays the built-in's */
	assert_int_equal(exec("status"), REPL_OK);
	assert_contains(cap_text(), "lab: -");
	assert_int_equal(fake_calls, 2);
	/* help: the built-ins, then the lab's, in the same layout */
	assert_int_equal(exec("help"), REPL_OK);
	const char *text = cap_text(), *lab = strstr(text, "commands of this lab:\n");
	assert_non_null(lab);
	assert_non_null(strstr(lab, "\n  quota PERCENT                set the quota\n"));
	assert_non_null(strstr(lab, "\n  bare                         \n"));
	assert_true(strstr(text, "quota PERCENT") > lab); /* not among the built-ins */
	assert_int_equal(exec("help quota"), REPL_OK);
	assert_string_equal(cap_text(), "usage: quota PERCENT\n  set the quota\n");
	assert_int_equal(exec("help bare"), REPL_OK);
	assert_string_equal(cap_text(), "usage: bare\n  \n");
	/* "did you mean" and completion know them */
	assert_int_equal(exec("quotas 5"), REPL_USAGE);
	assert_contains(cap_text(), "unknown command 'quotas' (did you mean 'quota'?)");
	fake_cmds = false;
}

/* The step machine says what came of each operation by name; without a lab
 * each says so, once, and the commands fail. */
static void step_operations_without_a_lab(void **state)
{
	(void)state;
	enum session_result (*ops[])(void) = {session_check, session_do,   session_next,   session_prev,
					      session_reset, session_hint, session_explain};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		cap_start();
		assert_int_equal(ops[i](), SESSION_NO_LAB);
		assert_string_equal(cap_text(),
				    "nslab: no lab is active: `labs` lists them, `start LAB` begins one\n");
	}
	cap_start();
	assert_int_equal(session_start("no-such-lab"), SESSION_FAILED);
	assert_contains(cap_text(), "unknown lab 'no-such-lab'");
	const char *cmds[] = {"check", "do", "next", "prev", "reset", "hint", "explain"};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		assert_int_equal(exec(cmds[i]), REPL_FAILED);
	/* no lab process to enter */
	assert_int_equal(session_main_pid(), 0);
	assert_true(session_lab_alive());
}

/* --- numbers (D12) --- */

static void parse_long_range_edges(void **state)
{
	(void)state;
	long long v = 42;
	static const struct {
		const char *s;
		int err;
		long long v;
	} cases[] = {
	    {"1", 0, 1},
	    {"+7", 0, 7},
	    {"-3", 0, -3},
	    {"0010", 0, 10},
	    {"9223372036854775807", ERANGE, 0}, /* above max (1000) */
	    {"9223372036854775808", ERANGE, 0}, /* above LLONG_MAX */
	    {"99999999999999999999999", ERANGE, 0},
	    {"-9223372036854775809", ERANGE, 0},
	    {"1001", ERANGE, 0},
	    {"-11", ERANGE, 0},
	    {"", EINVAL, 0},
	    {" 1", EINVAL, 0},
	    {"1 ", EINVAL, 0},
	    {"12abc", EINVAL, 0},
	    {"0x10", EINVAL, 0},
	    {"1e3", EINVAL, 0},
	    {"-", EINVAL, 0},
	    {"+", EINVAL, 0},
	    {"--1", EINVAL, 0},
	    {"nan", EINVAL, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = 42;
		int err = parse_long_range(cases[i].s, -10, 1000, &v);
		if (err != cases[i].err)
			fail_msg("parse_long_range(\"%s\") = %d, want %d", cases[i].s, err, cases[i].err);
		assert_int_equal(v, cases[i].err ? 42 : cases[i].v); /* untouched on error */
	}
	assert_int_equal(parse_long_range("9223372036854775807", 0, LLONG_MAX, &v), 0);
	assert_true(v == LLONG_MAX);
	assert_int_equal(parse_long_range("-9223372036854775808", LLONG_MIN, 0, &v), 0);
	assert_true(v == LLONG_MIN);
}

static void pids_are_range_checked(void **state)
{
	(void)state;
	char buf[32], range[64], line[96];
	assert_true(read_file("/proc/sys/kernel/pid_max", buf, sizeof(buf)) > 0);
	long long max = atoll(buf) - 1;
	assert_int_equal(pid_max(), max);
	/* D12: 4294967297 was truncated to 1 (`watch` watched PID 1, `ns`
	 * showed it); 2147483648 became -2147483648. */
	const char *words[] = {"4294967297", "2147483648", "99999999999", "99999999999999999999999",
			       "0",          "-1"};
	const char *cmds[] = {"watch", "unwatch", "ns", "ns --json"};
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++)
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			snprintf(line, sizeof(line), "%s %s", cmds[c], words[i]);
			int rc = exec(line);
			if (rc != REPL_USAGE)
				fail_msg("'%s' returned %d, not REPL_USAGE; output:\n%s", line, rc,
					 cap_text());
			snprintf(range, sizeof(range), ": PID must be 1 to %lld, not %s\n", max, words[i]);
			assert_contains(cap_text(), range);
			assert_not_contains(cap_text(), "watching");
			assert_not_contains(cap_text(), "uts"); /* no table */
		}
	pid_t none[1];
	assert_int_equal(nsview_watched(none, 1), 0);
	snprintf(line, sizeof(line), "watch %lld", max + 1); /* pid_max itself is never a PID */
	assert_int_equal(exec(line), REPL_USAGE);
	assert_contains(cap_text(), "PID must be 1 to");
	/* In range: as before. */
	snprintf(line, sizeof(line), "watch %d", (int)getpid());
	assert_int_equal(exec(line), REPL_OK);
	assert_contains(cap_text(), "watching");
	snprintf(line, sizeof(line), "unwatch +%d", (int)getpid());
	assert_int_equal(exec(line), REPL_OK);
	assert_int_equal(nsview_watched(none, 1), 0);
	snprintf(line, sizeof(line), "ns %d", (int)getpid());
	assert_int_equal(exec(line), REPL_OK);
	assert_contains(cap_text(), "uts");
	/* A word that is not a number is still a process name for watch. */
	assert_int_equal(exec("watch 12x-no-such-process"), REPL_FAILED);
	assert_contains(cap_text(), "no process named '12x-no-such-process'");
}

static void steps_are_range_checked(void **state)
{
	(void)state;
	fake_view = (struct session_view){.lab = labs_find("alpha"), .step = 2, .nsteps = 6};
	assert_non_null(fake_view.lab);
	fake_lab = true;
	goto_step = 0;
	/* D12: 4294967297 went to step 1. */
	const char *bad[] = {"step 4294967297", "step 99999999999", "step 99999999999999999999", "step 7",
			     "step 0",          "step -1",          "step -4294967295"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = exec(bad[i]);
		if (rc != REPL_USAGE)
			fail_msg("'%s' returned %d, not REPL_USAGE; output:\n%s", bad[i], rc, cap_text());
		assert_string_equal(cap_text(), "nslab: step must be 1 to 6\n");
		assert_int_equal(goto_step, 0);
	}
	assert_int_equal(exec("step x"), REPL_USAGE);
	assert_contains(cap_text(), "usage: step [N]");
	assert_int_equal(exec("step 6"), REPL_OK);
	assert_int_equal(goto_step, 6);
	assert_int_equal(exec("step 1"), REPL_OK);
	assert_int_equal(goto_step, 1);
	fake_lab = false;
	/* No lab: a number is no use, and says so; 0 is never a step. */
	assert_int_equal(exec("step 4294967297"), REPL_FAILED);
	assert_contains(cap_text(), "no lab is active");
	assert_int_equal(exec("step 0"), REPL_USAGE);
}

/* --- script and demo files (D13) --- */

/* Runs a script held in memory (len bytes: NULs are allowed); returns its
 * exit status with the output captured. */
static int script_of(const char *text, size_t len)
{
	FILE *f = fmemopen((void *)text, len, "r");
	assert_non_null(f);
	cap_start();
	int status = repl_run_script(f, "t.nslab", true);
	fclose(f);
	return status;
}

static void script_refuses_nul_bytes(void **state)
{
	(void)state;
	/* D13: `start uts\0../x` ran `start uts`; the rest of the script, too. */
	static const char text[] = "help quit\nhelp stop\nhelp start\0../x\nhelp labs\n";
	assert_int_equal(script_of(text, sizeof(text) - 1), 1);
	assert_contains(cap_text(), "usage: quit");
	assert_contains(cap_text(), "usage: stop");
	assert_contains(cap_text(), "nslab: t.nslab: line 3 contains a NUL byte\n");
	assert_not_contains(cap_text(), "usage: start"); /* the line is not cut and run */
	assert_not_contains(cap_text(), "usage: labs");  /* the script stops */
	static const char first[] = "\0help quit\n";
	assert_int_equal(script_of(first, sizeof(first) - 1), 1);
	assert_contains(cap_text(), "line 1 contains a NUL byte");
	assert_not_contains(cap_text(), "usage: quit");
	/* a NUL byte on a last line without a newline */
	static const char last[] = "help quit\nhelp stop\0";
	assert_int_equal(script_of(last, sizeof(last) - 1), 1);
	assert_contains(cap_text(), "line 2 contains a NUL byte");
	/* without one, as before: exit 0, a last line without a newline runs */
	static const char good[] = "# a script\n\nhelp quit\nhelp stop";
	assert_int_equal(script_of(good, sizeof(good) - 1), 0);
	assert_contains(cap_text(), "usage: stop");
	assert_not_contains(cap_text(), "nslab: ");
}

static void script_refuses_long_lines(void **state)
{
	(void)state;
	/* 65536 bytes is the longest line; one more is refused, naming the line. */
	char *text = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&text, &n);
	assert_non_null(m);
	/* line 2: a comment of exactly REPL_LINE_MAX bytes; line 4: 70 KiB */
	fprintf(m, "help quit\n#%0*d\nhelp stop\n#%0*d\nhelp labs\n", REPL_LINE_MAX - 1, 0, 70 * 1024, 0);
	assert_int_equal(fclose(m), 0);
	assert_int_equal(script_of(text, n), 1);
	assert_contains(cap_text(), "usage: quit");
	assert_contains(cap_text(), "usage: stop");
	assert_contains(cap_text(), "nslab: t.nslab: line 4 is longer than 65536 bytes\n");
	assert_not_contains(cap_text(), "usage: labs");
	assert_not_contains(cap_text(), "line 2");
	free(text);
}

/* An endless line, as /dev/zero gives, that counts what is read of it. */
static size_t endless_read;
static ssize_t endless(void *c, char *buf, size_t size)
{
	(void)c;
	memset(buf, 'z', size);
	endless_read += size;
	if (endless_read > 64u << 20)
		return 0; /* a safety net: the old reader read on and on */
	return (ssize_t)size;
}

static void script_memory_is_bounded(void **state)
{
	(void)state;
	/* D13: `--script /dev/zero` grew one line to 527 MB. */
	endless_read = 0;
	FILE *f = fopencookie(NULL, "r", (cookie_io_functions_t){.read = endless});
	assert_non_null(f);
	cap_start();
	assert_int_equal(repl_run_script(f, "endless", false), 1);
	fclose(f);
	assert_contains(cap_text(), "nslab: endless: line 1 is longer than 65536 bytes\n");
	if (endless_read > 2 * REPL_LINE_MAX)
		fail_msg("read %zu bytes of an endless line", endless_read);
	/* and the real one */
	f = fopen("/dev/zero", "re");
	assert_non_null(f);
	cap_start();
	assert_int_equal(repl_run_script(f, "/dev/zero", false), 1);
	fclose(f);
	assert_contains(cap_text(), "line 1 is longer than 65536 bytes");
}

static void script_files_are_checked(void **state)
{
	(void)state;
	/* D13: a directory and /proc/self/mem ran as empty scripts, exit 0. */
	cap_start();
	assert_null(repl_open_script(dir));
	char want[PATH_MAX + 32];
	snprintf(want, sizeof(want), "nslab: %s: is a directory\n", dir);
	assert_string_equal(cap_text(), want);
	cap_start();
	assert_null(repl_open_script("/nonexistent/script"));
	assert_contains(cap_text(), "nslab: cannot open /nonexistent/script: No such file or directory");
	/* /proc/self/mem says it is a regular file; reading it fails. */
	FILE *f = repl_open_script("/proc/self/mem");
	assert_non_null(f);
	cap_start();
	assert_int_equal(repl_run_script(f, "/proc/self/mem", true), 1);
	fclose(f);
	assert_contains(cap_text(), "nslab: /proc/self/mem: cannot read line 1: ");
	/* a block device, if this machine has one we can open */
	DIR *d = opendir("/dev");
	struct dirent *de;
	bool tried = false;
	while (!tried && d && (de = readdir(d))) {
		char path[300];
		struct stat st;
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		if (lstat(path, &st) < 0 || !S_ISBLK(st.st_mode))
			continue;
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		close(fd);
		tried = true;
		cap_start();
		assert_null(repl_open_script(path));
		snprintf(want, sizeof(want), "nslab: %s: not a regular file or pipe\n", path);
		assert_string_equal(cap_text(), want);
	}
	if (d)
		closedir(d);
	/* stdin is checked too: a directory on it is refused. */
	int saved = dup(STDIN_FILENO), dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(saved >= 0 && dfd >= 0);
	assert_int_equal(dup2(dfd, STDIN_FILENO), STDIN_FILENO);
	cap_start();
	assert_null(repl_open_script("-"));
	assert_string_equal(cap_text(), "nslab: stdin: is a directory\n");
	dup2(saved, STDIN_FILENO);
	close(saved);
	close(dfd);
	/* a regular file and /dev/null (a character device) are fine */
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/ok.nslab", dir);
	assert_int_equal(unit_write(path, "help quit\n"), 0);
	assert_non_null(f = repl_open_script(path));
	cap_start();
	assert_int_equal(repl_run_script(f, path, true), 0);
	fclose(f);
	assert_contains(cap_text(), "usage: quit");
	assert_non_null(f = repl_open_script("/dev/null"));
	assert_int_equal(repl_run_script(f, "/dev/null", true), 0);
	fclose(f);
}

static void demo_files_are_checked(void **state)
{
	(void)state;
	struct demo demo;
	char path[PATH_MAX], want[PATH_MAX + 64];
	cap_start();
	assert_int_equal(demo_load(dir, &demo), -1);
	snprintf(want, sizeof(want), "nslab: %s: is a directory\n", dir);
	assert_string_equal(cap_text(), want);
	assert_int_equal(demo.n, 0);

	snprintf(path, sizeof(path), "%s/nul.demo", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fwrite("# narration\nstatus\nstart uts\0../x\n", 1, 34, f);
	fclose(f);
	cap_start();
	assert_int_equal(demo_load(path, &demo), -1);
	snprintf(want, sizeof(want), "nslab: %s: line 3 contains a NUL byte\n", path);
	assert_string_equal(cap_text(), want);
	assert_null(demo.steps);

	cap_start();
	assert_int_equal(demo_load("/dev/zero", &demo), -1);
	assert_string_equal(cap_text(), "nslab: /dev/zero: line 1 is longer than 65536 bytes\n");

	snprintf(path, sizeof(path), "%s/good.demo", dir);
	assert_int_equal(unit_write(path, "# say hello\nstatus\n\nlabs"), 0);
	cap_start();
	assert_int_equal(demo_load(path, &demo), 0);
	assert_string_equal(cap_text(), "");
	assert_int_equal(demo.n, 2);
	assert_string_equal(demo.steps[0].narration, "say hello");
	assert_string_equal(demo.steps[1].command, "labs");
	demo_free(&demo);
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

static void complete_aliases_and_lab_commands(void **state)
{
	(void)state;
	assert_string_equal(complete("ex", "ex"), "ex explain exit");
	assert_string_equal(complete("help exi", "exi"), "exit");
	assert_string_equal(complete("quo", "quo"), "(none)");
	fake_cmds = true;
	assert_string_equal(complete("quo", "quo"), "quota");
	assert_string_equal(complete("q", "q"), "qu quit quota");
	assert_string_equal(complete("help ba", "ba"), "bare");
	fake_cmds = false;
}

static void complete_lab_ids(void **state)
{
	(void)state;
	assert_string_equal(complete("start al", "al"),
			    "alp alps alpha"); /* common prefix, then curriculum order */
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
	    cmocka_unit_test(suggestions_never_lose_state),
	    cmocka_unit_test(unknown_command_suggests),
	    cmocka_unit_test(wrong_argument_counts),
	    cmocka_unit_test(quotes_group_words),
	    cmocka_unit_test(run_and_host_take_the_raw_line),
	    cmocka_unit_test(help_and_labs),
	    cmocka_unit_test(aliases_are_one_row),
	    cmocka_unit_test(ns_flags_come_from_the_spec),
	    cmocka_unit_test(lab_commands_share_the_table),
	    cmocka_unit_test(step_operations_without_a_lab),
	    cmocka_unit_test(parse_long_range_edges),
	    cmocka_unit_test(pids_are_range_checked),
	    cmocka_unit_test(steps_are_range_checked),
	    cmocka_unit_test(script_refuses_nul_bytes),
	    cmocka_unit_test(script_refuses_long_lines),
	    cmocka_unit_test(script_memory_is_bounded),
	    cmocka_unit_test(script_files_are_checked),
	    cmocka_unit_test(demo_files_are_checked),
	    cmocka_unit_test(complete_commands),
	    cmocka_unit_test(complete_aliases_and_lab_commands),
	    cmocka_unit_test(complete_lab_ids),
	    cmocka_unit_test(complete_after_leading_blanks),
	    cmocka_unit_test(quit_sets_the_flag), /* last: the flag cannot be cleared */
	};
	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
