/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_time_lab.c: the time lab's checks, its `timens` and `jointime`
 * commands and its messages on the fake host (fakehost.h, fakelab.h). Namespaces are
 * the fake world's (same_ns), the lab's clocks come from a fake agent. The
 * offsets are read from /proc/PID/timens_offsets by the lab itself: with the
 * test process as the lab process they are the host's zeros (steps 2 and 3
 * fail); with a child that made a time namespace in an unprivileged user
 * namespace, its offsets written by the test, they pass (skipped where that
 * cannot be done). Runs without root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>
#include <signal.h>
#include <time.h>

#include "fakelab.h"
#include "standin.h"

FAKE_LAB_GROUP("time")

static long shift_s; /* the lab's clocks run this far ahead of the host's */

static int answer_setns_eperm(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen;
	errno = EPERM;
	return nslab_fail(out, outlen, "setns(CLONE_NEWTIME)");
}
/* struct clocks of the lab: monotonic, boottime, realtime. */
static int answer_clocks(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen;
	struct timespec c[3];
	assert_true(outlen >= sizeof(c));
	clock_gettime(CLOCK_MONOTONIC, &c[0]);
	clock_gettime(CLOCK_BOOTTIME, &c[1]);
	clock_gettime(CLOCK_REALTIME, &c[2]);
	c[0].tv_sec += shift_s;
	c[1].tv_sec += shift_s;
	memcpy(out, c, sizeof(c));
	return 0;
}

static void setup_spawns_a_plain_process(void **state)
{
	(void)state;
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	assert_contains(fk.log, "spawn lab flags=0 ");
	fk.spawn_ret = -1;
	assert_int_equal(fake_lab->setup(&fk.host), -1);
}

static void unshare_step_wants_a_time_namespace_for_children(void **state)
{
	(void)state;
	pid_t lab = fake_main();
	assert_false(fake_check(1));
	char want[300];
	snprintf(want, sizeof(want),
		 "missing: time_for_children of the lab process is still the host's time namespace "
		 "(/proc/%d/ns/time_for_children), and no other process of the lab made one: "
		 "`run unshare --time sleep infinity &`, or nslab's shortcut `timens`",
		 (int)lab);
	assert_contains(fk.out, want);
	assert_false(fake_check(2));
	assert_contains(fk.out, want);
	fake_ns(lab, "time_for_children", 0);
	assert_true(fake_check(1));
}

static void offsets_step_wants_both_offsets(void **state)
{
	(void)state;
	pid_t lab = fake_main(); /* no such process */
	fake_ns(lab, "time_for_children", 0);
	assert_false(fake_check(2));
	assert_out_has("missing: cannot read /proc/%d/timens_offsets (No such file or directory)", (int)lab);
	if (access("/proc/self/timens_offsets", R_OK) < 0)
		return;     /* a kernel without time namespaces */
	fk.main = getpid(); /* offsets 0 0: the host's */
	fake_ns(fk.main, "time_for_children", 0);
	assert_false(fake_check(2));
	assert_out_has("missing: the monotonic offset in /proc/%d/timens_offsets is still 0", (int)fk.main);
	assert_out_has("missing: the boottime offset in /proc/%d/timens_offsets is still 0", (int)fk.main);
}

static void enter_step_wants_the_lab_inside_with_shifted_clocks(void **state)
{
	(void)state;
	pid_t lab = fake_main();
	assert_false(fake_check(3));
	assert_out_has(
	    "missing: the lab process is still in the host's time namespace (/proc/%d/ns/time), and no "
	    "other process of the lab is inside one with offsets: `run unshare --time --monotonic 864000 "
	    "--boottime 864000 --fork sleep infinity &`, or `jointime`",
	    (int)lab);
	fake_ns(lab, "time", 0);
	assert_false(fake_check(3));
	assert_contains(fk.out, "missing: cannot read the lab's clocks (No such file or directory)");
	if (access("/proc/self/timens_offsets", R_OK) < 0)
		return;
	fk.main = getpid();
	fake_ns(fk.main, "time", 0);
	fake_on_call("ag_clocks", answer_clocks);
	shift_s = 0;
	assert_false(fake_check(3));
	assert_contains(fk.out,
			"missing: the lab's time namespace has no boottime offset (it froze at 0: `reset`)");
	assert_not_contains(fk.out, "not the host's plus the offsets");
	shift_s = 100;
	assert_false(fake_check(3));
	assert_contains(fk.out,
			"missing: the lab's clocks are not the host's plus the offsets (off by 100.0 s "
			"boottime, 100.0 s monotonic)");
}

static void timens_and_jointime_commands_act_once(void **state)
{
	(void)state;
	assert_non_null(fake_command("timens"));
	assert_non_null(fake_command("jointime"));
	assert_null(fake_command("unshare"));
	assert_null(fake_command("enter"));
	pid_t lab = fake_main();
	fake_on_call("ag_unshare", fake_answer_ok);
	fake_on_call("ag_enter", fake_answer_ok);
	assert_int_equal(fake_cmd("timens"), 0);
	assert_contains(
	    fk.out, "trace: unshare(CLONE_NEWTIME) = 0   (the caller stays in the host's time namespace)");
	assert_contains(fk.out,
			"unshare(CLONE_NEWTIME) = 0: compare the time and time_for_children rows of `ns`\n");
	fake_ns(lab, "time_for_children", 0);
	assert_int_equal(fake_cmd("timens"), 0);
	assert_string_equal(fk.out, "the lab process has a new time namespace for its children already\n");
	assert_int_equal(fake_cmd("jointime"), 0);
	assert_contains(fk.out, "trace: setns(3, CLONE_NEWTIME) = 0   (the offsets are frozen from now on)");
	assert_contains(fk.out, "setns(time_for_children, CLONE_NEWTIME) = 0: the lab process is inside\n");
	fake_ns(lab, "time", 0);
	assert_int_equal(fake_cmd("jointime"), 0);
	assert_string_equal(fk.out, "the lab process is in its own time namespace already\n");
	fake_ns(lab, "time", 1);
	fake_on_call("ag_enter", answer_setns_eperm);
	assert_int_equal(fake_cmd("jointime"), -1);
	assert_string_equal(
	    fk.out, "error: setns(CLONE_NEWTIME) failed in the lab process: Operation not permitted\n");
}

static void offsets_do_names_the_file_it_could_not_open(void **state)
{
	(void)state;
	pid_t lab = fake_main();
	assert_int_equal(fake_step(1)->perform(&fk.host), -1);
	assert_out_has("error: cannot open /proc/%d/timens_offsets: No such file or directory", (int)lab);
}

/* A lab process that has unshared CLONE_NEWTIME (in a user namespace of
 * its own, so that no privilege is needed), its offsets set to `text` by
 * the test as `do` sets them. 0 where that cannot be done here. */
static pid_t child;

static pid_t timens_process(const char *text)
{
	child = fake_unshared(CLONE_NEWTIME);
	if (child && fake_proc_write(child, "timens_offsets", text) < 0)
		fake_reap(&child);
	return child;
}

static int finish(void **state)
{
	(void)state;
	fake_reap(&child);
	return 0;
}
#define timens_test(fn) cmocka_unit_test_setup_teardown(fn, fake_test_setup, finish)

static void offsets_and_enter_steps_pass_with_the_offsets_set(void **state)
{
	(void)state;
	fk.main = timens_process("monotonic 864000 0\nboottime 864000 0\n");
	if (!fk.main)
		skip(); /* no unprivileged user and time namespaces here */
	fake_ns(fk.main, "time_for_children", 0);
	assert_true(fake_check(2));
	fake_ns(fk.main, "time", 0);
	fake_on_call("ag_clocks", answer_clocks);
	shift_s = 0; /* the clocks are the host's: the offsets do not show */
	assert_false(fake_check(3));
	assert_contains(fk.out,
			"missing: the lab's clocks are not the host's plus the offsets (off by -864000.0 s "
			"boottime, -864000.0 s monotonic)");
	shift_s = 864000;
	assert_true(fake_check(3));
	finish(NULL);
	fk.main = timens_process("monotonic 864000 0\n"); /* boottime left at 0 */
	assert_true(fk.main > 0);
	fake_ns(fk.main, "time_for_children", 0);
	assert_false(fake_check(2));
	assert_out_is("missing: the boottime offset in /proc/%d/timens_offsets is still 0\n", (int)fk.main);
}

/* The real tool: unshare(1) --time, with --monotonic/--boottime and
 * --fork, as subjects of the lab while the lab process never unshares. A
 * stand-in that unshared CLONE_NEWTIME plays unshare(1) without --fork
 * (outside, its time_for_children the new namespace). */
static void a_learners_unshare_passes_steps_1_and_2(void **state)
{
	(void)state;
	fake_main();
	pid_t host_side = fk.next_pid++; /* `host sleep &`: the host's time namespace */
	fk.subjects[fk.nsubjects++] = host_side;
	for (unsigned n = 1; n <= 3; n++)
		assert_false(fake_check(n));
	assert_contains(fk.out,
			"`run unshare --time --monotonic 864000 --boottime 864000 --fork sleep infinity &`");
	pid_t bare = timens_process("monotonic 0 0\nboottime 0 0\n");
	if (!bare)
		skip(); /* no unprivileged user and time namespaces here */
	fk.subjects[fk.nsubjects++] = bare;
	fake_ns(bare, "time_for_children", 0);
	assert_true(fake_check(1));
	assert_false(fake_check(2));
	assert_contains(fk.out,
			"missing: no time namespace of the lab has its offsets yet: `run unshare --time "
			"--monotonic 864000 --boottime 864000 sleep infinity &`");
	assert_false(fake_check(3)); /* outside the namespace it made */
	fake_reap(&child);
	fk.subjects[1] = timens_process("monotonic 864000 0\nboottime 864000 0\n");
	assert_true(fk.subjects[1] > 0);
	fake_ns(fk.subjects[1], "time_for_children", 0);
	assert_true(fake_check(2));
	assert_false(fake_check(3));
	/* as if it were inside (the child of --fork): its own time namespace */
	fake_ns(fk.subjects[1], "time", 0);
	assert_true(fake_check(3));
	assert_int_equal(fk.unscripted, 0); /* the (fake) lab process was never asked */
}

/* Facts issue 11 corrected, and the real tool first: pinned. */
static void texts_say_when_offsets_can_be_written_and_how_back(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 3; i++)
		assert_not_contains(fake_step(i)->task, "Do not");
	assert_contains(fake_step(0)->hint, "`reset` starts the lab again");
	assert_contains(fake_step(1)->task, "`reset` and do step 1 again");
	/* What the kernel enforces: writes until the first process enters. */
	assert_contains(fake_step(0)->task, "can be written only until the first process enters it");
	assert_contains(fake_step(0)->explain,
			"refuses a write to timens_offsets (EACCES) once a process has entered");
	/* vDSO is said in words. */
	assert_contains(fake_step(2)->explain,
			"the vDSO (a small page of kernel code mapped into every process");
	assert_contains(fake_step(0)->explain, "since Linux 6.1, it execs a program");
	assert_contains(
	    fake_step(2)->task,
	    "  run unshare --time --monotonic 864000 --boottime 864000 --fork sleep infinity &\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    fake_test(texts_say_when_offsets_can_be_written_and_how_back),
	    fake_test(setup_spawns_a_plain_process),
	    fake_test(unshare_step_wants_a_time_namespace_for_children),
	    fake_test(offsets_step_wants_both_offsets),
	    fake_test(enter_step_wants_the_lab_inside_with_shifted_clocks),
	    fake_test(timens_and_jointime_commands_act_once),
	    fake_test(offsets_do_names_the_file_it_could_not_open),
	    timens_test(offsets_and_enter_steps_pass_with_the_offsets_set),
	    timens_test(a_learners_unshare_passes_steps_1_and_2),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
