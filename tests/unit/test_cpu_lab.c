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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>

#include "fakelab.h"
#include "nslab-lab-util.h"
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

static char groups_made[4][16];
static int ngroups_made;

static int finish(void **state)
{
	(void)state;
	while (nworkers > 0)
		fake_reap(&workers[--nworkers]);
	/* the groups make_group made: the workdir is the whole group's */
	while (ngroups_made > 0) {
		char path[PATH_MAX];
		const char *name = groups_made[--ngroups_made];
		snprintf(path, sizeof(path), "%s/cgroup/nslab/1/%s/cgroup.procs", fk.workdir, name);
		unlink(path);
		*strrchr(path, '/') = '\0';
		rmdir(path);
	}
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

/* A worker that uses pct% of one CPU by itself: busy for pct% of every
 * 10 ms, then asleep until the next 10 ms. What a CFS quota would make of a busy loop, so that the
 * checks that measure can pass without a cgroup. */
static pid_t paced_child(int pct)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid > 0 ? pid : 0;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* a whole CPU: never sleep, not even for a period boundary already past
	 * (clock_nanosleep sleeps (state S) until the timer interrupt fires, and
	 * a check reading the state then would see no running worker) */
	if (pct >= 100)
		for (volatile unsigned long spin = 0;; spin++)
			;
	struct timespec next, c0, c;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long busy_ns = pct * 100000L;;) {
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
		do
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
		while ((c.tv_sec - c0.tv_sec) * 1000000000L + (c.tv_nsec - c0.tv_nsec) < busy_ns);
		if ((next.tv_nsec += 10000000L) >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		/* starved past the period's end: start afresh, no burst to catch up
		 * (a quota does not give back what it did not hand out either) */
		clock_gettime(CLOCK_MONOTONIC, &c);
		if (c.tv_sec > next.tv_sec || (c.tv_sec == next.tv_sec && c.tv_nsec > next.tv_nsec))
			next = c;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
}

static int pace; /* what answer_fork_paced gives: pct% of a CPU */
static int answer_fork_paced(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen;
	assert_true(nworkers < 4 && outlen >= sizeof(pid_t));
	pid_t w = paced_child(pace);
	workers[nworkers++] = w;
	memcpy(out, &w, sizeof(w));
	return 0;
}

/* A learner's group under the fake tree (workdir/cgroup/nslab/1/NAME), as
 * cgcreate makes it, with an empty cgroup.procs. */
static void make_group(const char *name)
{
	char dir[PATH_MAX];
	const char *parts[] = {"cgroup", "cgroup/nslab", "cgroup/nslab/1"};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", fk.workdir, parts[i]);
		mkdir(dir, 0755);
	}
	snprintf(dir, sizeof(dir), "%s/cgroup/nslab/1/%s", fk.workdir, name);
	assert_true(mkdir(dir, 0755) == 0 || errno == EEXIST);
	assert_true(ngroups_made < 4);
	snprintf(groups_made[ngroups_made++], sizeof(groups_made[0]), "%s", name);
	strcat(dir, "/cgroup.procs");
	assert_int_equal(unit_write(dir, ""), 0);
}

static void free_step_wants_a_worker_on_a_whole_cpu(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(1));
	assert_string_equal(
	    fk.out,
	    "missing: no worker is running; this step needs 1: `run stress -q -c 1 &` (or `burn 1`)\n");
	assert_int_equal(fake_cmd("burn 1"), 0);
	assert_out_has("worker %d started (busy loop, child of the lab process %d)\n", (int)workers[0],
		       (int)getpid());
	assert_log_has("keep 1 %d\nshow_pid %d worker1\n", (int)workers[0], (int)workers[0]);
	assert_false(fake_check(1)); /* a sleeping worker: 0% */
	assert_string_equal(fk.out,
			    "missing: the workers used only 0% of a CPU (utime+stime in /proc/PID/stat): "
			    "is the lab already limited (`quota max`)?\n");
	assert_contains(fk.meter, "cpu [....................]   0.0%  quota none");
	assert_contains(fk.meter, "(bar: 0-100%)");
}

/* issue 12: a real `stress -c 1` (any running process of the lab) is a
 * worker, and a busy one passes step 1; a waiting one (stress's parent) is
 * not one. */
static void free_step_passes_with_a_learners_busy_process(void **state)
{
	(void)state;
	start();
	pid_t waiting = fake_child(), busy = paced_child(100);
	/* until it waits in pause() (just after fork it is still runnable) */
	struct nslab_proc_stat ps = {0};
	for (int i = 0; i < 200 && (nslab_proc_stat(waiting, &ps) < 0 || ps.state != 'S'); i++)
		usleep(5000);
	fk.subjects[fk.nsubjects++] = waiting;
	bool early = fake_check(1);
	bool said = strstr(fk.out, "missing: no worker is running") != NULL;
	fk.subjects[fk.nsubjects++] = busy;
	usleep(50000); /* until it runs */
	bool ok = fake_check(1);
	char said_ok[FAKE_TEXT];
	snprintf(said_ok, sizeof(said_ok), "%s", fk.out);
	int rc = fake_cmd("usage 0.2");
	fake_reap(&busy);
	fake_reap(&waiting);
	assert_false(early);
	assert_true(said);
	/* recognised as a worker either way; a busy shared machine may hold it
	 * below the 50% that step 1 measures (then said, not judged) */
	if (!ok && !strstr(said_ok, "missing: the workers used only"))
		fail_msg("a busy subject did not pass step 1: %s", said_ok);
	if (!ok)
		print_message("step 1: the machine is busy, not judged: %s", said_ok);
	assert_int_equal(rc, 0);
	assert_contains(fk.out,
			"(1 worker, 1 of them yours, no cgroup yet, utime+stime from /proc/PID/stat); no "
			"quota");
}

static void cgroup_step_wants_the_cgroup(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(2));
	assert_string_equal(fk.out, "missing: no cgroup under $NSLAB_CGROUP_DIR yet: `host cgcreate -g "
				    "cpu:nslab/$(basename $NSLAB_CGROUP_DIR)/cpu` (or `cgroup`)\n");
	fk.cg_stat_ret = 0;
	assert_true(fake_check(2));
}

/* issue 12: a group of any name the learner made under nslab/<pid>/ counts;
 * on v2 nslab's own lab cgroup there ("lab") does not. */
static void cgroup_step_passes_with_a_group_of_the_learners(void **state)
{
	(void)state;
	start();
	make_group("lab");
	assert_false(fake_check(2)); /* fk.cgmode is v2: "lab" is the lab cgroup */
	make_group("mine");
	assert_true(fake_check(2));
}

static void moved_step_wants_the_lab_and_its_workers_inside(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(3));
	assert_string_equal(
	    fk.out,
	    "missing: no worker is running; this step needs 1: `run stress -q -c 1 &` (or `burn 1`)\n");
	assert_int_equal(fake_cmd("burn 2"), 0);
	assert_false(fake_check(3));
	assert_contains(fk.out, "missing: no cgroup under $NSLAB_CGROUP_DIR yet");
	fk.cg_stat_ret = 0;
	assert_false(fake_check(3));
	assert_out_has(
	    "missing: the lab process %d is not in nslab/<pid>/cpu (see /proc/%d/cgroup): `host echo "
	    "$NSLAB_LAB_PID > $NSLAB_CGROUP_DIR/cpu/cgroup.procs` (or `move`); new workers and `run` "
	    "start where it is\n",
	    (int)getpid(), (int)getpid());
	assert_out_has(
	    "missing: worker %d is not in nslab/<pid>/cpu (see /proc/%d/cgroup): `host cgclassify -g "
	    "cpu:nslab/$(basename $NSLAB_CGROUP_DIR)/cpu %d` (or `move`)\n",
	    (int)workers[1], (int)workers[1], (int)workers[1]);
	our_cgroup(fk.cgpath, sizeof(fk.cgpath));
	assert_true(fake_check(3));
}

static void quota30_step_wants_30_percent_held(void **state)
{
	(void)state;
	start();
	assert_int_equal(fake_cmd("burn 1"), 0);
	fk.cg_stat_ret = 0;
	fk.cg.quota_us = -1;
	our_cgroup(fk.cgpath, sizeof(fk.cgpath));
	assert_false(fake_check(4));
	assert_string_equal(fk.out,
			    "missing: nslab/<pid>/cpu has no quota, not 30% of the period: `host echo "
			    "'30000 100000' > $NSLAB_CGROUP_DIR/cpu/cpu.max` (or `quota 30`)\n");
	fk.cgmode = NSLAB_CG_HYBRID; /* v1 and hybrid: cgset and cpu.cfs_quota_us */
	assert_int_equal(fake_cmd("quota 20"), 0);
	assert_false(fake_check(4));
	assert_string_equal(fk.out,
			    "missing: the quota of nslab/<pid>/cpu is 20%, not 30%: `host cgset -r "
			    "cpu.cfs_quota_us=30000 nslab/$(basename $NSLAB_CGROUP_DIR)/cpu` (or `quota "
			    "30`)\n");
	assert_int_equal(fake_cmd("quota 30"), 0);
	/* the meter marks the quota on a bar as wide as it needs (issue 11:
	 * a 2-CPU-wide bar showed one busy worker as half a bar, unmarked) */
	assert_contains(fk.meter, "cpu [......|.............]");
	assert_contains(fk.meter, "(bar: 0-100%)");
	assert_false(fake_check(4)); /* measured: a sleeping worker is not held at 30% */
	assert_string_equal(fk.out,
			    "missing: the workers used 0.0% over 1.5 s (utime+stime in /proc/PID/stat), "
			    "not 30% +/- 3: is another program busy (`host top -b -n 1 | head -15`)?\n");
}

/* Steps 4 to 6 pass when the workers use what the quota allows: here
 * workers that hold themselves to it (a shared machine may starve them:
 * the check measures up to three windows). */
/* Step n's check on workers that hold themselves to what it wants. A
 * shared machine's load can starve them below it: that one shortfall (and
 * nothing else missing) skips the test, saying so; anything else fails. */
static void passes_unless_busy(unsigned n)
{
	if (fake_check(n))
		return;
	const char *m = strstr(fk.out, "missing: the workers used");
	if (m && fk.nmissing == 1 && strstr(fk.out, "is another program busy")) {
		print_message("step %u: the machine is busy, not judged: %s", n, m);
		skip();
	}
	fail_msg("step %u did not pass: %s", n, fk.out);
}

static void quota30_step_passes_when_held(void **state)
{
	(void)state;
	start();
	pace = 30;
	fake_on_call("agent_fork_worker", answer_fork_paced);
	assert_int_equal(fake_cmd("burn 1"), 0);
	fk.cg_stat_ret = 0;
	our_cgroup(fk.cgpath, sizeof(fk.cgpath));
	assert_int_equal(fake_cmd("quota 30"), 0);
	passes_unless_busy(4);
}

static void live_step_wants_10_then_above_one_cpu(void **state)
{
	(void)state;
	start();
	assert_int_equal(fake_cmd("burn 1"), 0);
	fk.cg_stat_ret = 0;
	our_cgroup(fk.cgpath, sizeof(fk.cgpath));
	assert_false(fake_check(5));
	assert_string_equal(
	    fk.out,
	    "missing: only 1 worker is running; this step needs 2: `run stress -q -c 1 &` (or `burn 2`)\n");
	assert_int_equal(fake_cmd("quota 150"), 0);
	assert_contains(fk.meter, "cpu [...............|....]");
	assert_contains(fk.meter, "(bar: 0-200%)");
	assert_int_equal(fake_cmd("burn 2"), 0);
	assert_false(fake_check(5));
	assert_string_equal(fk.out, "missing: the quota was never 10% yet: `host echo '10000 100000' > "
				    "$NSLAB_CGROUP_DIR/cpu/cpu.max` (or `quota 10`), then `usage`\n");
	assert_int_equal(fake_cmd("quota 10"), 0);
	assert_false(fake_check(5));
	assert_string_equal(fk.out,
			    "missing: the quota is not above one CPU: `host echo '150000 100000' > "
			    "$NSLAB_CGROUP_DIR/cpu/cpu.max` (or `quota 150`); this needs two CPUs online "
			    "(`host nproc`)\n");
}

/* issue 11: a quota of 10% set by hand (not `quota`) is seen by `usage`. */
static void live_step_passes_after_10_then_150(void **state)
{
	(void)state;
	if (online_cpus() < 2)
		skip(); /* step 5 needs two CPUs, and says so */
	start();
	/* 1.1 CPUs, not 1.5: two workers at 55% leave room on a shared
	 * two-CPU machine */
	pace = 55;
	fake_on_call("agent_fork_worker", answer_fork_paced);
	assert_int_equal(fake_cmd("burn 2"), 0);
	fk.cg_stat_ret = 0;
	our_cgroup(fk.cgpath, sizeof(fk.cgpath));
	fk.cg.quota_us = 10000; /* as `host cgset -r cpu.cfs_quota_us=10000 ...` leaves it */
	fk.cg.period_us = 100000;
	assert_int_equal(fake_cmd("usage 0.1"), 0);
	fk.cg.quota_us = 110000;
	passes_unless_busy(5);
}

static void period_step_wants_a_shorter_period(void **state)
{
	(void)state;
	start();
	assert_int_equal(fake_cmd("burn 1"), 0);
	fk.cg_stat_ret = 0;
	fk.cg.quota_us = -1;
	fk.cg.period_us = 100000;
	our_cgroup(fk.cgpath, sizeof(fk.cgpath));
	assert_false(fake_check(6));
	assert_string_equal(fk.out,
			    "missing: the period is still the default 100000 us with no quota: `host echo "
			    "'15000 50000' > $NSLAB_CGROUP_DIR/cpu/cpu.max` (or `quota 30 50000`)\n");
	fk.cgmode = NSLAB_CG_V1;
	assert_int_equal(fake_cmd("quota 30"), 0);
	assert_false(fake_check(6));
	assert_string_equal(fk.out,
			    "missing: the period is still the default 100000 us with this quota: `host "
			    "cgset -r cpu.cfs_period_us=50000 -r cpu.cfs_quota_us=15000 nslab/$(basename "
			    "$NSLAB_CGROUP_DIR)/cpu` (or `quota 30 50000`)\n");
}

static void period_step_passes_when_held(void **state)
{
	(void)state;
	start();
	pace = 30;
	fake_on_call("agent_fork_worker", answer_fork_paced);
	assert_int_equal(fake_cmd("burn 1"), 0);
	fk.cg_stat_ret = 0;
	our_cgroup(fk.cgpath, sizeof(fk.cgpath));
	assert_int_equal(fake_cmd("quota 30 50000"), 0);
	passes_unless_busy(6);
}

/* On v2 cgcreate (libcgroup 2.0) does not switch cpu on in the parents: the
 * lab's start does (nslab's group made and removed again, its parents' +cpu
 * kept for stop), so that step 2's check still fails until the learner's
 * cgcreate. On v1 and hybrid the start makes no group. */
static void v2_start_switches_cpu_on_for_cgcreate(void **state)
{
	(void)state;
	fk.cgmode = NSLAB_CG_V2;
	fk.cg_stat_ret = -1;
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	assert_log_has("cg_create cpu\nundo %d %s/cgroup/nslab/1/cpu\n", (int)NSLAB_OBJ_CGROUP, fk.workdir);
	assert_contains(fk.out, "(\"+cpu\" in their cgroup.subtree_control; undone at stop), so that "
				"cgcreate -g cpu: works there.\n");
	fake_lab->teardown(&fk.host);
	fk.out[0] = fk.log[0] = '\0';
	fk.cgmode = NSLAB_CG_HYBRID;
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	assert_not_contains(fk.log, "cg_create");
	assert_not_contains(fk.out, "+cpu");
	fk.cgmode = NSLAB_CG_V2;
	fk.cg_stat_ret = 0; /* the group is there already: nothing to switch on */
	fake_lab->teardown(&fk.host);
	fk.out[0] = fk.log[0] = '\0';
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	assert_not_contains(fk.log, "cg_create");
}

static void burn_cgroup_and_move_commands(void **state)
{
	(void)state;
	start();
	const char *bad[] = {"burn x", "burn -1", "burn 17", "burn 2x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(fake_cmd(bad[i]), -1);
		assert_string_equal(fk.out, "error: usage: burn [N]  (0 to 16 workers)\n");
	}
	const char *none =
	    "error: there is no cgroup yet: `cgroup`, or `host cgcreate -g cpu:nslab/$(basename "
	    "$NSLAB_CGROUP_DIR)/cpu`\n";
	assert_int_equal(fake_cmd("move"), -1);
	assert_string_equal(fk.out, none);
	assert_int_equal(fake_cmd("quota 30"), -1);
	assert_string_equal(fk.out, none);
	assert_int_equal(fake_cmd("cgroup"), 0);
	assert_contains(fk.log, "cg_create cpu\n");
	assert_contains(fk.out, " (created)\n");
	fk.cg_stat_ret = 0;
	make_group("cpu");
	assert_int_equal(fake_cmd("cgroup"), 0);
	assert_not_contains(fk.log, "cg_create");
	assert_contains(fk.out, " (already there)\n");
	assert_int_equal(fake_cmd("burn 2"), 0);
	/* move writes each PID to cgroup.procs itself (cgcreate -g cpu: makes no
	 * cpuacct twin on a split hybrid machine, which the host's attach wants) */
	assert_int_equal(fake_cmd("move"), 0);
	assert_out_has("trace: write(\"%s/cgroup/nslab/1/cpu/cgroup.procs\", \"%d\") = ", fk.workdir,
		       (int)getpid());
	assert_out_has("\", \"%d\") = %d\nworker %d moved into cpu\n", (int)workers[0],
		       (int)snprintf(NULL, 0, "%d", (int)workers[0]), (int)workers[0]);
	assert_out_has("\", \"%d\") = %d\nworker %d moved into cpu\n", (int)workers[1],
		       (int)snprintf(NULL, 0, "%d", (int)workers[1]), (int)workers[1]);
	assert_int_equal(fake_cmd("burn 1"), 0);
	assert_log_has("hide_pid %d\nundo 1 %d\n", (int)workers[1], (int)workers[1]);
	assert_out_has("worker %d stopped\n", (int)workers[1]);
	fake_on_call("agent_fork_worker", NULL);
	assert_int_equal(fake_cmd("burn 3"), -1);
	assert_contains(fk.out, "error: cannot fork a worker: Function not implemented\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    fake_test(quota_refuses_what_is_not_a_finite_percent),
	    fake_test(quota_sets_what_is_in_range),
	    fake_test(usage_refuses_what_is_not_0_1_to_60_seconds),
	    check_test(free_step_wants_a_worker_on_a_whole_cpu),
	    check_test(free_step_passes_with_a_learners_busy_process),
	    check_test(cgroup_step_wants_the_cgroup),
	    check_test(cgroup_step_passes_with_a_group_of_the_learners),
	    check_test(moved_step_wants_the_lab_and_its_workers_inside),
	    check_test(quota30_step_wants_30_percent_held),
	    check_test(quota30_step_passes_when_held),
	    check_test(live_step_wants_10_then_above_one_cpu),
	    check_test(live_step_passes_after_10_then_150),
	    check_test(period_step_wants_a_shorter_period),
	    check_test(period_step_passes_when_held),
	    check_test(v2_start_switches_cpu_on_for_cgcreate),
	    check_test(burn_cgroup_and_move_commands),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
