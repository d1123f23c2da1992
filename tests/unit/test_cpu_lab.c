/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_cpu_lab.c: the cpu lab's `quota` and `usage` arguments (D11), on a
 * fake host. labs/cpu.c is compiled at test time into a plugin (as
 * test_labs.c builds its small ones) and its commands are called directly
 * with the fake host of fakehost.h, whose output is captured and whose cgroup calls
 * only record what they were asked. Nothing here needs root or a cgroup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fakehost.h"

FAKE_LAB_GROUP("cpu", "")

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    fake_test(quota_refuses_what_is_not_a_finite_percent),
	    fake_test(quota_sets_what_is_in_range),
	    fake_test(usage_refuses_what_is_not_0_1_to_60_seconds),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
