/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_cpu_lab.c: the cpu lab's `quota` and `usage` arguments (D11) and its
 * checks, on a fake host. labs/cpu.c is compiled at test time into a plugin (as
 * test_labs.c builds its small ones) and its commands are called directly
 * with the fake host of fakehost.h, whose output is captured and whose cgroup calls
 * only record what they were asked. Nothing here needs root or a cgroup.
 * The lab reads /proc/PID/stat and /proc/PID/cgroup of its workers itself:
 * the workers are sleeping children of the test (so every measurement reads
 * 0%, whatever the machine's load), the lab process is the test process,
 * and the fake cg_path names the cgroup they are all in for "moved". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fakelab.h"
#include "standin.h"

FAKE_LAB_GROUP("cpu")

/* How often the last command set a quota. */
static int set_calls(void)
{
	int n = 0;
	for (const char *p = fk.log; (p = strstr(p, "cg_set_quota ")); p++)
		n++;
	return n;
}

/* Runs the lab command `line`; returns its result. */
static int run(const char *line)
{
	return fake_cmd(line);
}

static long online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

/* --- tests --- */

static void quota_refuses_what_is_not_a_finite_percent(void **state)
{
	(void)state;
	char range[128], above[32];
	snprintf(range, sizeof(range), "quota must be 1 to %ld percent (100 per CPU, %ld CPU",
		 100 * online_cpus(), online_cpus());
	snprintf(above, sizeof(above), "quota %ld.5", 100 * online_cpus());
	/* D11: nan and inf passed `pct <= 0`; 1e300 overflowed the conversion to long. */
	const char *out_of_range[] = {"quota nan",
				      "quota inf",
				      "quota -inf",
				      "quota 1e300",
				      "quota 1e999",
				      "quota -5",
				      "quota 0",
				      "quota 0.5",
				      "quota NaN%",
				      "quota infinity",
				      "quota 9223372036854775808",
				      above};
	for (size_t i = 0; i < sizeof(out_of_range) / sizeof(out_of_range[0]); i++) {
		if (run(out_of_range[i]) != -1)
			fail_msg("'%s' was accepted: %s", out_of_range[i], fk.out);
		assert_contains(fk.out, range);
		assert_int_equal(set_calls(), 0);
	}
	assert_contains((run("quota nan"), fk.out), ", not nan\n");
	const char *not_numbers[] = {"quota abc", "quota 30x", "quota 30%%",
				     "quota %",   "quota 0x",  "quota ''"};
	for (size_t i = 0; i < sizeof(not_numbers) / sizeof(not_numbers[0]); i++) {
		if (run(not_numbers[i]) != -1)
			fail_msg("'%s' was accepted: %s", not_numbers[i], fk.out);
		assert_contains(fk.out, "usage: quota PERCENT|max [PERIOD_US]");
		assert_int_equal(set_calls(), 0);
	}
	const char *bad_periods[] = {"quota 30 999", "quota 30 1000001", "quota 30 99999999999999999999",
				     "quota 30 1e5", "quota 30 -100000", "quota 30 x"};
	for (size_t i = 0; i < sizeof(bad_periods) / sizeof(bad_periods[0]); i++) {
		if (run(bad_periods[i]) != -1)
			fail_msg("'%s' was accepted: %s", bad_periods[i], fk.out);
		assert_contains(fk.out, "the period must be 1000 to 1000000 us");
		assert_int_equal(set_calls(), 0);
	}
}

static void quota_sets_what_is_in_range(void **state)
{
	(void)state;
	assert_int_equal(run("quota 30"), 0);
	assert_int_equal(set_calls(), 1);
	assert_int_equal(fk.cg.quota_us, 30000);
	assert_int_equal(fk.cg.period_us, 100000);
	assert_contains(fk.out, "cpu.max = \"30000 100000\"");
	assert_int_equal(run("quota 30% 50000"), 0);
	assert_int_equal(fk.cg.quota_us, 15000);
	assert_int_equal(fk.cg.period_us, 50000);
	assert_int_equal(run("quota 1"), 0); /* the smallest: 1000 us, the kernel's minimum */
	assert_int_equal(fk.cg.quota_us, 1000);
	char line[64];
	snprintf(line, sizeof(line), "quota %ld", 100 * online_cpus()); /* the largest: every CPU */
	assert_int_equal(run(line), 0);
	assert_int_equal(fk.cg.quota_us, 100000 * online_cpus());
	snprintf(line, sizeof(line), "quota %ld 1000000", 100 * online_cpus());
	assert_int_equal(run(line), 0);
	assert_int_equal(fk.cg.quota_us, 1000000 * online_cpus());
	assert_int_equal(run("quota max"), 0);
	assert_int_equal(fk.cg.quota_us, -1);
	assert_contains(fk.out, "no limit");
}

static void usage_refuses_what_is_not_0_1_to_60_seconds(void **state)
{
	(void)state;
	/* D11: `usage nan` slept nan seconds and printed a measurement. */
	const char *bad[] = {"usage nan",  "usage inf", "usage -inf", "usage 1e300", "usage 0",
			     "usage 0.05", "usage 61",  "usage -1",   "usage 1s",    "usage x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (run(bad[i]) != -1)
			fail_msg("'%s' was accepted: %s", bad[i], fk.out);
		assert_string_equal(fk.out, "error: usage: usage [SECONDS]  (0.1 to 60)\n");
	}
	/* A good one measures (no workers: 0%). The lab's data is private; a
	 * zeroed block is what its setup starts from. */
	fk.host.lab_data = calloc(1, 4096);
	assert_int_equal(run("usage 0.1"), 0);
	assert_contains(fk.out, "usage: 0.0% of one CPU over 0.1 s (0 workers");
	free(fk.host.lab_data);
	fk.host.lab_data = NULL;
}

/* --- checks --- */

static pid_t workers[4];
static int nworkers;

/* agent_fork_worker: a worker that sleeps (a busy one would make the
 * measurements depend on the machine's load). */
static int answer_fork_worker(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen;
	assert_true(nworkers < 4 && outlen >= sizeof(pid_t));
	pid_t w = fake_child();
	workers[nworkers++] = w;
	memcpy(out, &w, sizeof(w));
	return 0;
}

static void start(void)
{
	fake_on_call("agent_fork_worker", answer_fork_worker);
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	fk.main = getpid();
	fk.cg_stat_ret = -1; /* no cgroup yet */
}

static int finish(void **state)
{
	(void)state;
	while (nworkers > 0)
		fake_reap(&workers[--nworkers]);
	if (fake_lab)
		fake_lab->teardown(&fk.host);
	return 0;
}
#define check_test(fn) cmocka_unit_test_setup_teardown(fn, fake_test_setup, finish)

/* The cpu cgroup the test (and so its children) is in, as /proc/self/cgroup
 * names it: the v1 line with "cpu", else the v2 line. */
static void our_cgroup(char *buf, size_t len)
{
	char *text = unit_slurp("/proc/self/cgroup"), *save = NULL;
	assert_non_null(text);
	buf[0] = '\0';
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		char ctl[256];
		snprintf(ctl, sizeof(ctl), ",%s,", c1 + 1);
		if (strstr(ctl, ",cpu,") || (c1[1] == '\0' && !buf[0]))
			snprintf(buf, len, "%s", c2 + 1);
	}
	free(text);
}

static void free_step_wants_a_worker_on_a_whole_cpu(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(1));
	assert_string_equal(fk.out, "missing: no worker is running; this step needs 1: `stress 1`\n");
	assert_int_equal(fake_cmd("stress 1"), 0);
	assert_out_has("worker %d started (busy loop, child of the lab process %d)\n", (int)workers[0],
		       (int)getpid());
	assert_log_has("keep 1 %d\nshow_pid %d worker1\n", (int)workers[0], (int)workers[0]);
	assert_false(fake_check(1)); /* a sleeping worker: 0% */
	assert_string_equal(
	    fk.out, "missing: the worker used only 0% of a CPU: is it already limited (`quota max`)?\n");
	assert_contains(fk.meter, "cpu [....................]   0.0%  quota none");
	assert_contains(fk.meter, "(bar: 0-100%)");
}

static void cgroup_step_wants_the_cgroup(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(2));
	assert_string_equal(fk.out, "missing: the cgroup nslab/<pid>/cpu does not exist: `cgroup`\n");
	fk.cg_stat_ret = 0;
	assert_true(fake_check(2));
}

static void moved_step_wants_the_lab_and_its_workers_inside(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(3));
	assert_string_equal(fk.out, "missing: no worker is running; this step needs 1: `stress 1`\n");
	assert_int_equal(fake_cmd("stress 2"), 0);
	assert_false(fake_check(3));
	assert_string_equal(fk.out, "missing: the cgroup nslab/<pid>/cpu does not exist: `cgroup`\n");
	fk.cg_stat_ret = 0;
	assert_false(fake_check(3));
	assert_out_has(
	    "missing: the lab process %d is not in the cgroup (see /proc/%d/cgroup): `move`; new workers "
	    "and `run` start where it is\n",
	    (int)getpid(), (int)getpid());
	assert_out_has("missing: worker %d is not in the cgroup (see /proc/%d/cgroup): `move`\n",
		       (int)workers[1], (int)workers[1]);
	our_cgroup(fk.cgpath, sizeof(fk.cgpath));
	assert_true(fake_check(3));
}

static void quota30_step_wants_30_percent_held(void **state)
{
	(void)state;
	start();
	assert_int_equal(fake_cmd("stress 1"), 0);
	fk.cg_stat_ret = 0;
	our_cgroup(fk.cgpath, sizeof(fk.cgpath));
	assert_false(fake_check(4));
	assert_string_equal(fk.out, "missing: the quota is unlimited, not 30% of the period: `quota 30`\n");
	assert_int_equal(fake_cmd("quota 20"), 0);
	assert_false(fake_check(4));
	assert_string_equal(fk.out,
			    "missing: the quota is something else, not 30% of the period: `quota 30`\n");
	assert_int_equal(fake_cmd("quota 30"), 0);
	/* the meter marks the quota on a bar as wide as it needs (issue 11:
	 * a 2-CPU-wide bar showed one busy worker as half a bar, unmarked) */
	assert_contains(fk.meter, "cpu [......|.............]");
	assert_contains(fk.meter, "(bar: 0-100%)");
	assert_false(fake_check(4)); /* measured: a sleeping worker is not held at 30% */
	assert_string_equal(fk.out,
			    "missing: the workers used 0.0% over 1.5 s, not 30% +/- 3 (is another program "
			    "busy?)\n");
}

static void live_step_wants_10_then_above_one_cpu(void **state)
{
	(void)state;
	start();
	assert_int_equal(fake_cmd("stress 1"), 0);
	fk.cg_stat_ret = 0;
	our_cgroup(fk.cgpath, sizeof(fk.cgpath));
	assert_false(fake_check(5));
	assert_string_equal(fk.out, "missing: only 1 worker is running; this step needs 2: `stress 2`\n");
	assert_int_equal(fake_cmd("quota 150"), 0);
	assert_contains(fk.meter, "cpu [...............|....]");
	assert_contains(fk.meter, "(bar: 0-200%)");
	assert_int_equal(fake_cmd("stress 2"), 0);
	assert_false(fake_check(5));
	assert_string_equal(fk.out, "missing: the quota was never 10% yet: `quota 10` and `usage` first\n");
	assert_int_equal(fake_cmd("quota 10"), 0);
	assert_false(fake_check(5));
	assert_string_equal(fk.out,
			    "missing: the quota is not above one CPU: `quota 150` (needs two CPUs online: "
			    "`host nproc`)\n");
}

static void period_step_wants_a_shorter_period(void **state)
{
	(void)state;
	start();
	assert_int_equal(fake_cmd("stress 1"), 0);
	fk.cg_stat_ret = 0;
	our_cgroup(fk.cgpath, sizeof(fk.cgpath));
	assert_false(fake_check(6));
	assert_string_equal(fk.out,
			    "missing: the period is still the default 100000 us with no quota: `quota 30 "
			    "50000`\n");
	assert_int_equal(fake_cmd("quota 30"), 0);
	assert_false(fake_check(6));
	assert_string_equal(fk.out,
			    "missing: the period is still the default 100000 us with this quota: `quota 30 "
			    "50000`\n");
}

static void stress_cgroup_and_move_commands(void **state)
{
	(void)state;
	start();
	const char *bad[] = {"stress x", "stress -1", "stress 17", "stress 2x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(fake_cmd(bad[i]), -1);
		assert_string_equal(fk.out, "error: usage: stress [N]  (0 to 16 workers)\n");
	}
	assert_int_equal(fake_cmd("move"), -1);
	assert_string_equal(fk.out, "error: there is no cgroup yet: type `cgroup` first\n");
	assert_int_equal(fake_cmd("quota 30"), -1);
	assert_string_equal(fk.out, "error: there is no cgroup yet: type `cgroup` first\n");
	assert_int_equal(fake_cmd("cgroup"), 0);
	assert_contains(fk.log, "cg_create cpu\n");
	assert_contains(fk.out, " (created)\n");
	fk.cg_stat_ret = 0;
	assert_int_equal(fake_cmd("cgroup"), 0);
	assert_not_contains(fk.log, "cg_create");
	assert_contains(fk.out, " (already there)\n");
	assert_int_equal(fake_cmd("stress 2"), 0);
	assert_int_equal(fake_cmd("move"), 0);
	assert_log_has("cg_attach cpu %d\ncg_attach cpu %d\ncg_attach cpu %d\n", (int)getpid(),
		       (int)workers[0], (int)workers[1]);
	assert_int_equal(fake_cmd("stress 1"), 0);
	assert_log_has("hide_pid %d\nundo 1 %d\n", (int)workers[1], (int)workers[1]);
	assert_out_has("worker %d stopped\n", (int)workers[1]);
	fake_on_call("agent_fork_worker", NULL);
	assert_int_equal(fake_cmd("stress 3"), -1);
	assert_contains(fk.out, "error: cannot fork a worker: Function not implemented\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    fake_test(quota_refuses_what_is_not_a_finite_percent),
	    fake_test(quota_sets_what_is_in_range),
	    fake_test(usage_refuses_what_is_not_0_1_to_60_seconds),
	    check_test(free_step_wants_a_worker_on_a_whole_cpu),
	    check_test(cgroup_step_wants_the_cgroup),
	    check_test(moved_step_wants_the_lab_and_its_workers_inside),
	    check_test(quota30_step_wants_30_percent_held),
	    check_test(live_step_wants_10_then_above_one_cpu),
	    check_test(period_step_wants_a_shorter_period),
	    check_test(stress_cgroup_and_move_commands),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
