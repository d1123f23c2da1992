/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_cpu_lab.c: the cpu lab's `quota` and `usage` arguments (D11), on a
 * fake host. labs/cpu.c is compiled at test time into a plugin (as
 * test_labs.c builds its small ones) and its commands are called directly
 * with a struct nslab_host whose output is captured and whose cgroup calls
 * only record what they were asked. Nothing here needs root or a cgroup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>

#include "nslab-lab.h"
#include "util.h"
#include "unit.h"

static char *dir;
static void *handle;
static const struct nslab_lab *cpu;

/* --- the fake host --- */

static char said[4096]; /* what the last command printed, errors as "error: ..." */
static long set_quota_us, set_period_us;
static int set_calls;

static void add(const char *prefix, const char *fmt, va_list ap)
{
	size_t n = strlen(said);
	n += (size_t)snprintf(said + n, sizeof(said) - n, "%s", prefix);
	if (n < sizeof(said))
		vsnprintf(said + n, sizeof(said) - n, fmt, ap);
}
static void h_print(struct nslab_host *h, const char *fmt, ...)
{
	(void)h;
	va_list ap;
	va_start(ap, fmt);
	add("", fmt, ap);
	va_end(ap);
}
static void h_error(struct nslab_host *h, const char *fmt, ...)
{
	(void)h;
	va_list ap;
	va_start(ap, fmt);
	add("error: ", fmt, ap);
	va_end(ap);
	strncat(said, "\n", sizeof(said) - strlen(said) - 1);
}
static void h_trace(struct nslab_host *h, const char *fmt, ...)
{
	(void)h, (void)fmt;
}
static void h_meter(struct nslab_host *h, const char *text)
{
	(void)h, (void)text;
}
static enum nslab_cgmode h_cg_mode(struct nslab_host *h)
{
	(void)h;
	return NSLAB_CG_V2;
}
/* The cgroup exists, with the quota last set. */
static int h_cg_stat(struct nslab_host *h, const char *name, struct nslab_cpu_stat *st)
{
	(void)h, (void)name;
	*st = (struct nslab_cpu_stat){
	    .size = st->size, .quota_us = set_calls ? set_quota_us : -1, .period_us = 100000};
	return 0;
}
static int h_cg_set_quota(struct nslab_host *h, const char *name, long quota_us, long period_us)
{
	(void)h, (void)name;
	set_quota_us = quota_us;
	set_period_us = period_us;
	set_calls++;
	return 0;
}
static int h_cg_path(struct nslab_host *h, const char *name, char *buf, size_t len)
{
	(void)h;
	snprintf(buf, len, "/nslab/1/%s", name);
	return 0;
}
static pid_t h_main_pid(struct nslab_host *h)
{
	(void)h;
	return 0;
}

static struct nslab_host host = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_host),
    .print = h_print,
    .error = h_error,
    .missing = h_error,
    .trace = h_trace,
    .meter = h_meter,
    .main_pid = h_main_pid,
    .cg_mode = h_cg_mode,
    .cg_set_quota = h_cg_set_quota,
    .cg_stat = h_cg_stat,
    .cg_path = h_cg_path,
};

/* Runs the lab command `line` (words split on spaces); returns its result. */
static int run(const char *line)
{
	char copy[256], *argv[8], *save = NULL;
	int argc = 0;
	snprintf(copy, sizeof(copy), "%s", line);
	for (char *w = strtok_r(copy, " ", &save); w && argc < 7; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	said[0] = '\0';
	set_calls = 0;
	for (unsigned i = 0; i < cpu->ncommands; i++)
		if (strcmp(cpu->commands[i].name, argv[0]) == 0)
			return cpu->commands[i].fn(&host, argc, argv);
	fail_msg("the cpu lab has no command '%s'", argv[0]);
	return -2;
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
			fail_msg("'%s' was accepted: %s", out_of_range[i], said);
		assert_contains(said, range);
		assert_int_equal(set_calls, 0);
	}
	assert_contains((run("quota nan"), said), ", not nan\n");
	const char *not_numbers[] = {"quota abc", "quota 30x", "quota 30%%",
				     "quota %",   "quota 0x",  "quota ''"};
	for (size_t i = 0; i < sizeof(not_numbers) / sizeof(not_numbers[0]); i++) {
		if (run(not_numbers[i]) != -1)
			fail_msg("'%s' was accepted: %s", not_numbers[i], said);
		assert_contains(said, "usage: quota PERCENT|max [PERIOD_US]");
		assert_int_equal(set_calls, 0);
	}
	const char *bad_periods[] = {"quota 30 999", "quota 30 1000001", "quota 30 99999999999999999999",
				     "quota 30 1e5", "quota 30 -100000", "quota 30 x"};
	for (size_t i = 0; i < sizeof(bad_periods) / sizeof(bad_periods[0]); i++) {
		if (run(bad_periods[i]) != -1)
			fail_msg("'%s' was accepted: %s", bad_periods[i], said);
		assert_contains(said, "the period must be 1000 to 1000000 us");
		assert_int_equal(set_calls, 0);
	}
}

static void quota_sets_what_is_in_range(void **state)
{
	(void)state;
	assert_int_equal(run("quota 30"), 0);
	assert_int_equal(set_calls, 1);
	assert_int_equal(set_quota_us, 30000);
	assert_int_equal(set_period_us, 100000);
	assert_contains(said, "cpu.max = \"30000 100000\"");
	assert_int_equal(run("quota 30% 50000"), 0);
	assert_int_equal(set_quota_us, 15000);
	assert_int_equal(set_period_us, 50000);
	assert_int_equal(run("quota 1"), 0); /* the smallest: 1000 us, the kernel's minimum */
	assert_int_equal(set_quota_us, 1000);
	char line[64];
	snprintf(line, sizeof(line), "quota %ld", 100 * online_cpus()); /* the largest: every CPU */
	assert_int_equal(run(line), 0);
	assert_int_equal(set_quota_us, 100000 * online_cpus());
	snprintf(line, sizeof(line), "quota %ld 1000000", 100 * online_cpus());
	assert_int_equal(run(line), 0);
	assert_int_equal(set_quota_us, 1000000 * online_cpus());
	assert_int_equal(run("quota max"), 0);
	assert_int_equal(set_quota_us, -1);
	assert_contains(said, "no limit");
}

static void usage_refuses_what_is_not_0_1_to_60_seconds(void **state)
{
	(void)state;
	/* D11: `usage nan` slept nan seconds and printed a measurement. */
	const char *bad[] = {"usage nan",  "usage inf", "usage -inf", "usage 1e300", "usage 0",
			     "usage 0.05", "usage 61",  "usage -1",   "usage 1s",    "usage x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (run(bad[i]) != -1)
			fail_msg("'%s' was accepted: %s", bad[i], said);
		assert_string_equal(said, "error: usage: usage [SECONDS]  (0.1 to 60)\n");
	}
	/* A good one measures (no workers: 0%). The lab's data is private; a
	 * zeroed block is what its setup starts from. */
	host.lab_data = calloc(1, 4096);
	assert_int_equal(run("usage 0.1"), 0);
	assert_contains(said, "usage: 0.0% of one CPU over 0.1 s (0 workers");
	free(host.lab_data);
	host.lab_data = NULL;
}

static int setup_all(void **state)
{
	(void)state;
	dir = unit_tmpdir();
	/* The lab's own source, compiled as a plugin the way unit_build_plugin
	 * compiles every test plugin (-I<repo>/src: labs/ is next to it). */
	char *so = unit_build_plugin(dir, "cpu", "#include \"../labs/cpu.c\"\n");
	if (!so)
		return -1;
	handle = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	free(so);
	const struct nslab_lab *(*entry)(void) =
	    handle ? (const struct nslab_lab *(*)(void))dlsym(handle, "nslab_lab") : NULL;
	cpu = entry ? entry() : NULL;
	if (!cpu || strcmp(cpu->id, "cpu") != 0) {
		fprintf(stderr, "the cpu lab did not load: %s\n", dlerror());
		return -1;
	}
	return 0;
}

static int teardown_all(void **state)
{
	(void)state;
	if (handle)
		dlclose(handle);
	unit_rm_rf(dir);
	free(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(quota_refuses_what_is_not_a_finite_percent),
	    cmocka_unit_test(quota_sets_what_is_in_range),
	    cmocka_unit_test(usage_refuses_what_is_not_0_1_to_60_seconds),
	};
	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
