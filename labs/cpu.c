/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpu.c: the cgroup CPU throttling lab. nslab's own busy-loop workers are
 * forked by the lab process; the learner puts them in a cgroup under
 * nslab/, sets a CFS bandwidth quota (v1: cpu.cfs_quota_us over
 * cpu.cfs_period_us, v2: cpu.max "QUOTA PERIOD") and watches the kernel
 * hold them to it. Measurements come from the kernel every time: the
 * workers' own utime+stime in /proc/<pid>/stat. Not the cgroup's counter:
 * on a hybrid machine with cpu and cpuacct on separate hierarchies, a
 * cgroup made by hand in the cpu hierarchy has no cpuacct.usage at all. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define CG_NAME "cpu"
#define MAX_WORKERS 16
#define DEFAULT_PERIOD 100000L
#define MIN_QUOTA 1000L
#define TOLERANCE 3.0 /* points, as the curriculum asks of the checks */

struct cpu_data {
	pid_t workers[MAX_WORKERS];
	int nworkers;
	/* The previous sample, so that every command can update the meter. */
	double last_t;
	double last_cpu_s;
	bool seen_q10; /* a 10% quota was in place at some point (step 5) */
};

static struct cpu_data *data(struct nslab_host *h)
{
	return h->lab_data;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* --- inside the lab process (h->call) --- */

/* Forks one worker: a busy loop that dies with the lab process. Returns
 * its pid in out. The worker closes the agent's sockets so that nslab
 * still sees the agent's end when the agent dies. */
static int ag_fork_worker(void *arg, char *out, size_t outlen)
{
	(void)arg;
	if (outlen < sizeof(pid_t)) {
		errno = EINVAL;
		return -1;
	}
	pid_t pid = nslab_fork_tied();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_NAME, "nslab-worker");
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		for (volatile unsigned long i = 0;; i++)
			;
	}
	memcpy(out, &pid, sizeof(pid));
	return 0;
}

/* --- host side: where the files are --- */

/* The cgroup's directory: "/sys/fs/cgroup/cpu/nslab/123/cpu" on v1. A fake
 * host in a test may have no cg_dir: the callers then say "?". */
static bool cg_dir(struct nslab_host *h, char *buf, size_t len)
{
	return NSLAB_HOST_CAN(h, cg_dir) && h->cg_dir(h, CG_NAME, 0, buf, len) == 0;
}

/* The mount point of the hierarchy holding the cpu controller. */
static bool cpu_mount(struct nslab_host *h, char *buf, size_t len)
{
	return NSLAB_HOST_CAN(h, cg_dir) && h->cg_dir(h, "", 0, buf, len) == 0;
}

static bool v2(struct nslab_host *h)
{
	return h->cg_mode(h) == NSLAB_CG_V2;
}

static const char *quota_file(struct nslab_host *h)
{
	return v2(h) ? "cpu.max" : "cpu.cfs_quota_us";
}

/* --- workers --- */

static bool alive(pid_t pid)
{
	struct nslab_proc_stat st;
	return nslab_proc_stat(pid, &st) == 0 && st.state != 'Z' && st.state != 'X';
}

/* Forgets workers that are gone (killed by hand, or by a cgroup removal). */
static int live_workers(struct nslab_host *h)
{
	struct cpu_data *d = data(h);
	int n = 0;
	for (int i = 0; i < d->nworkers; i++)
		if (alive(d->workers[i]))
			d->workers[n++] = d->workers[i];
	d->nworkers = n;
	return n;
}

/* utime + stime of one process, in seconds. */
static double proc_cpu_s(pid_t pid)
{
	struct nslab_proc_stat st;
	if (nslab_proc_stat(pid, &st) < 0)
		return 0;
	return (double)(st.utime + st.stime) / (double)sysconf(_SC_CLK_TCK);
}

static double workers_cpu_s(struct nslab_host *h)
{
	struct cpu_data *d = data(h);
	double s = 0;
	for (int i = 0; i < d->nworkers; i++)
		s += proc_cpu_s(d->workers[i]);
	return s;
}

/* Is pid in the lab's cgroup, in the hierarchy that holds cpu? */
static bool in_cgroup(struct nslab_host *h, pid_t pid)
{
	char want[512], seen[1024];
	return h->cg_path(h, CG_NAME, want, sizeof(want)) == 0 &&
	       nslab_proc_cgroup(pid, seen, sizeof(seen)) == 0 && strcmp(seen, want) == 0;
}

static bool cg_exists(struct nslab_host *h)
{
	struct nslab_cpu_stat st = {.size = sizeof(struct nslab_cpu_stat)};
	return h->cg_stat(h, CG_NAME, &st) == 0;
}

/* CPU seconds so far, always the workers' own utime + stime: the same
 * source on v1, hybrid and v2, and for a cgroup made by hand. *in_cg says
 * whether the first worker is in the lab's cgroup. */
static double cpu_seconds(struct nslab_host *h, bool *in_cg)
{
	*in_cg = live_workers(h) > 0 && in_cgroup(h, data(h)->workers[0]);
	return workers_cpu_s(h);
}

/* CPU% (100 = one CPU) over the next `secs` seconds. */
static double measure(struct nslab_host *h, double secs)
{
	bool cg0, cg1;
	double t0 = now_s(), c0 = cpu_seconds(h, &cg0);
	sleep_s(secs);
	double t1 = now_s(), c1 = cpu_seconds(h, &cg1);
	struct cpu_data *d = data(h);
	d->last_t = t1;
	d->last_cpu_s = c1;
	if (cg0 != cg1 || t1 <= t0)
		return 0;
	return (c1 - c0) / (t1 - t0) * 100.0;
}

static double quota_pct(const struct nslab_cpu_stat *st)
{
	return st->quota_us < 0 || st->period_us <= 0 ? -1
						      : (double)st->quota_us * 100.0 / (double)st->period_us;
}

/* The meter: CPU% since the previous command against the quota. */
static void update_meter(struct nslab_host *h)
{
	struct cpu_data *d = data(h);
	if (!d)
		return;
	bool cg;
	double t = now_s(), c = cpu_seconds(h, &cg);
	double pct = d->last_t > 0 && t > d->last_t ? (c - d->last_cpu_s) / (t - d->last_t) * 100.0 : 0;
	d->last_t = t;
	d->last_cpu_s = c;
	char text[256], q[32] = "none";
	double qp = -1;
	struct nslab_cpu_stat st = {.size = sizeof(struct nslab_cpu_stat)};
	if (h->cg_stat(h, CG_NAME, &st) == 0 && (qp = quota_pct(&st)) >= 0) {
		snprintf(q, sizeof(q), "%.0f%%", qp);
		if (fabs(qp - 10) < 0.5)
			d->seen_q10 = true;
	}
	pct = pct < 0 ? 0 : pct;
	/* The bar's full width is the smallest whole number of CPUs that holds
	 * both the use and the quota (one worker at 99.7% fills it; a quota of
	 * 150% gets a two-CPU bar), and '|' marks the quota on it. */
	double top = pct > qp ? pct : qp;
	int scale = top <= 100 ? 100 : ((int)top + 99) / 100 * 100;
	int bar = (int)(pct / scale * 20 + 0.5), mark = qp >= 0 ? (int)(qp / scale * 20 + 0.5) : -1;
	bar = bar > 20 ? 20 : bar;
	char bars[22];
	memset(bars, '#', (size_t)bar);
	memset(bars + bar, '.', (size_t)(20 - bar));
	bars[20] = '\0';
	if (mark > 0 && mark < 20)
		bars[mark] = '|';
	snprintf(text, sizeof(text),
		 "cpu [%s] %5.1f%%  quota %s  throttled %llu/%llu periods  workers %d  (bar: 0-%d%%)", bars,
		 pct, q, (unsigned long long)st.nr_throttled, (unsigned long long)st.nr_periods, d->nworkers,
		 scale);
	h->meter(h, text);
}

/* --- actions shared by commands and `do` --- */

/* Makes the number of workers n: forks the missing ones in the lab
 * process, stops the extra ones. */
static int set_workers(struct nslab_host *h, int n)
{
	struct cpu_data *d = data(h);
	live_workers(h);
	while (d->nworkers > n) {
		pid_t pid = d->workers[--d->nworkers];
		char what[32];
		snprintf(what, sizeof(what), "%d", (int)pid);
		h->hide_pid(h, pid);
		h->undo(h, NSLAB_OBJ_PROCESS, what);
		h->trace(h, "kill(%d, SIGKILL) = 0", (int)pid);
		h->print(h, "worker %d stopped\n", (int)pid);
	}
	while (d->nworkers < n) {
		pid_t pid = 0;
		if (h->call(h, h->main_pid(h), ag_fork_worker, NULL, 0, (char *)&pid, sizeof(pid)) < 0 ||
		    pid <= 0) {
			h->error(h, "cannot fork a worker: %s", strerror(errno));
			return -1;
		}
		char what[32], label[32];
		snprintf(what, sizeof(what), "%d", (int)pid);
		h->keep(h, NSLAB_OBJ_PROCESS, what);
		d->workers[d->nworkers++] = pid;
		snprintf(label, sizeof(label), "worker%d", d->nworkers);
		h->show_pid(h, pid, label);
		h->trace(h, "fork() = %d   /* in the lab process %d; the child spins: for (;;); */", (int)pid,
			 (int)h->main_pid(h));
		h->print(h, "worker %d started (busy loop, child of the lab process %d)\n", (int)pid,
			 (int)h->main_pid(h));
	}
	return 0;
}

static int make_cgroup(struct nslab_host *h)
{
	char dir[PATH_MAX];
	bool existed = cg_exists(h);
	if (!existed && h->cg_create(h, CG_NAME) < 0)
		return -1;
	if (!cg_dir(h, dir, sizeof(dir))) {
		h->error(h, "cannot find the cgroup's directory");
		return -1;
	}
	if (!existed)
		h->trace(h, "mkdir(\"%s\", 0755) = 0", dir);
	h->print(h, "cgroup %s (%s)\n", dir, existed ? "already there" : "created");
	h->print(h,
		 "this machine runs %s; the cpu controller's files are in that directory: %s, %s, cpu.stat\n",
		 h->cg_mode(h) == NSLAB_CG_HYBRID ? "hybrid cgroups (cpu on a v1 hierarchy)"
		 : v2(h)                          ? "cgroup v2 (one unified hierarchy)"
						  : "cgroup v1",
		 quota_file(h), v2(h) ? "cgroup.procs" : "cpu.cfs_period_us");
	return 0;
}

static int attach(struct nslab_host *h, pid_t pid)
{
	char dir[PATH_MAX];
	if (h->cg_attach(h, CG_NAME, pid) < 0)
		return -1;
	if (cg_dir(h, dir, sizeof(dir)))
		h->trace(h, "write(\"%s/cgroup.procs\", \"%d\") = %zu", dir, (int)pid,
			 (size_t)snprintf(NULL, 0, "%d", (int)pid));
	return 0;
}

/* Moves the lab process (so that `run` and new workers start inside) and
 * every worker into the cgroup. */
static int move_all(struct nslab_host *h)
{
	struct cpu_data *d = data(h);
	if (!cg_exists(h)) {
		h->error(h, "there is no cgroup yet: type `cgroup` first");
		return -1;
	}
	if (attach(h, h->main_pid(h)) < 0)
		return -1;
	live_workers(h);
	for (int i = 0; i < d->nworkers; i++) {
		if (attach(h, d->workers[i]) < 0)
			return -1;
		h->print(h, "worker %d moved into %s\n", (int)d->workers[i], CG_NAME);
	}
	return 0;
}

static int set_quota(struct nslab_host *h, double pct, long period)
{
	char dir[PATH_MAX] = "?";
	long quota = pct < 0 ? -1 : (long)(pct * (double)period / 100.0 + 0.5);
	if (quota >= 0 && quota < MIN_QUOTA) {
		h->error(h,
			 "a quota of %ld us is too small: the kernel needs at least %ld us (1 ms) per period",
			 quota, MIN_QUOTA);
		return -1;
	}
	if (!cg_exists(h)) {
		h->error(h, "there is no cgroup yet: type `cgroup` first");
		return -1;
	}
	if (h->cg_set_quota(h, CG_NAME, quota, period) < 0)
		return -1;
	cg_dir(h, dir, sizeof(dir));
	if (v2(h)) {
		char v[64];
		if (quota < 0)
			snprintf(v, sizeof(v), "max %ld", period);
		else
			snprintf(v, sizeof(v), "%ld %ld", quota, period);
		h->trace(h, "write(\"%s/cpu.max\", \"%s\") = %zu", dir, v, strlen(v));
		h->print(h, "cpu.max = \"%s\"\n", v);
	} else {
		h->trace(h, "write(\"%s/cpu.cfs_period_us\", \"%ld\")", dir, period);
		h->trace(h, "write(\"%s/cpu.cfs_quota_us\", \"%ld\")", dir, quota);
		h->print(h, "cpu.cfs_quota_us = %ld, cpu.cfs_period_us = %ld\n", quota, period);
	}
	if (fabs(pct - 10) < 0.5 && data(h))
		data(h)->seen_q10 = true;
	if (quota < 0)
		h->print(h, "no limit: the workers may use every CPU\n");
	else
		h->print(h, "%ld / %ld x 100 = %.0f%% of one CPU\n", quota, period, pct);
	return 0;
}

/* --- commands --- */

static int cmd_stress(struct nslab_host *h, int argc, char **argv)
{
	char *end = NULL;
	long n = argc > 1 ? strtol(argv[1], &end, 10) : 1;
	if ((end && *end) || n < 0 || n > MAX_WORKERS) {
		h->error(h, "usage: stress [N]  (0 to %d workers)", MAX_WORKERS);
		return -1;
	}
	int rc = set_workers(h, (int)n);
	update_meter(h);
	return rc;
}

static int cmd_cgroup(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	int rc = make_cgroup(h);
	update_meter(h);
	return rc;
}

static int cmd_move(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	int rc = move_all(h);
	update_meter(h);
	return rc;
}

/* Arguments are parsed here, not by the host (plugins reach the core only
 * through struct nslab_host). A finite number from a whole word (SUFFIX,
 * if not 0, may follow it), in min..max: 0 ok, EINVAL not a number ("abc",
 * "30x", ""), ERANGE outside (nan, inf, 1e300 and every other out-of-range
 * value). */
static int parse_double_range(const char *s, char suffix, double min, double max, double *out)
{
	char *end;
	if (!*s || isspace((unsigned char)*s))
		return EINVAL;
	double v = strtod(s, &end);
	if (end == s || (*end && (!suffix || *end != suffix || end[1])))
		return EINVAL;
	if (!isfinite(v) || v < min || v > max)
		return ERANGE;
	*out = v;
	return 0;
}

static int parse_long_range(const char *s, long min, long max, long *out)
{
	char *end;
	if (!*s || isspace((unsigned char)*s))
		return EINVAL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (*end)
		return EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return ERANGE;
	*out = v;
	return 0;
}

/* A quota is at most every online CPU: 100% per CPU. */
static long max_quota_pct(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return 100 * (n > 0 ? n : 1);
}

static int cmd_quota(struct nslab_host *h, int argc, char **argv)
{
	double pct = -1;
	long period = DEFAULT_PERIOD;
	if (strcmp(argv[1], "max") != 0) {
		long max = max_quota_pct();
		int err = parse_double_range(argv[1], '%', 1, (double)max, &pct);
		if (err == ERANGE) {
			h->error(h, "quota must be 1 to %ld percent (100 per CPU, %ld CPU%s online), not %s",
				 max, max / 100, max == 100 ? "" : "s", argv[1]);
			return -1;
		}
		if (err) {
			h->error(h, "usage: quota PERCENT|max [PERIOD_US]  (e.g. quota 30)");
			return -1;
		}
	}
	if (argc > 2 && parse_long_range(argv[2], 1000, 1000000, &period) != 0) {
		h->error(h, "the period must be 1000 to 1000000 us");
		return -1;
	}
	int rc = set_quota(h, pct, period);
	update_meter(h);
	return rc;
}

static int cmd_usage(struct nslab_host *h, int argc, char **argv)
{
	double secs = 1;
	if (argc > 1 && parse_double_range(argv[1], 0, 0.1, 60, &secs) != 0) {
		h->error(h, "usage: usage [SECONDS]  (0.1 to 60)");
		return -1;
	}
	int n = live_workers(h);
	bool cg = false;
	cpu_seconds(h, &cg);
	double pct = measure(h, secs);
	struct nslab_cpu_stat st = {.size = sizeof(struct nslab_cpu_stat)};
	bool have = h->cg_stat(h, CG_NAME, &st) == 0;
	char q[96] = "no quota";
	if (have && quota_pct(&st) >= 0)
		snprintf(q, sizeof(q), "quota %ld/%ld us = %.0f%%", st.quota_us, st.period_us,
			 quota_pct(&st));
	else if (have)
		snprintf(q, sizeof(q), "quota max (no limit), period %ld us", st.period_us);
	h->print(
	    h, "usage: %.1f%% of one CPU over %.1f s (%d worker%s, utime+stime from /proc/PID/stat%s); %s\n",
	    pct, secs, n, n == 1 ? "" : "s",
	    cg     ? ", in the cgroup"
	    : have ? ", not in the cgroup yet"
		   : ", no cgroup yet",
	    q);
	if (have) {
		char dir[PATH_MAX] = "?";
		cg_dir(h, dir, sizeof(dir));
		h->print(h, "cpu.stat: nr_periods %llu, nr_throttled %llu, throttled %.2f s\n",
			 (unsigned long long)st.nr_periods, (unsigned long long)st.nr_throttled,
			 (double)st.throttled_usec / 1e6);
		h->print(h, "files: %s/{%s,cpu.stat,cgroup.procs}\n", dir,
			 v2(h) ? "cpu.max" : "cpu.cfs_quota_us,cpu.cfs_period_us");
	}
	update_meter(h);
	return 0;
}

static const struct nslab_command commands[] = {
    {"stress", "stress [N]", "run N busy-loop workers (default 1; 0 stops them)", 0, 1, cmd_stress},
    {"cgroup", "cgroup", "create the lab's cgroup under nslab/ and say where its files are", 0, 0,
     cmd_cgroup},
    {"move", "move", "move the lab process and its workers into the cgroup", 0, 0, cmd_move},
    {"quota", "quota PERCENT|max [PERIOD_US]", "limit the cgroup to PERCENT of one CPU (150 = 1.5 CPUs)", 1,
     2, cmd_quota},
    {"usage", "usage [SECONDS]", "measure the workers' CPU% now, with the quota and cpu.stat", 0, 1,
     cmd_usage},
};

/* --- checks --- */

static struct nslab_cpu_stat stat_or_zero(struct nslab_host *h)
{
	struct nslab_cpu_stat st = {.size = sizeof(struct nslab_cpu_stat)};
	st.quota_us = -1;
	h->cg_stat(h, CG_NAME, &st);
	return st;
}

static bool need_workers(struct nslab_host *h, int n)
{
	int have = live_workers(h);
	if (have >= n)
		return true;
	if (have == 0)
		h->missing(h, "no worker is running; this step needs %d: `stress %d`", n, n);
	else
		h->missing(h, "only %d worker%s running; this step needs %d: `stress %d`", have,
			   have == 1 ? " is" : "s are", n, n);
	return false;
}

static bool need_cgroup(struct nslab_host *h)
{
	if (cg_exists(h))
		return true;
	h->missing(h, "the cgroup nslab/<pid>/%s does not exist: `cgroup`", CG_NAME);
	return false;
}

static bool need_inside(struct nslab_host *h)
{
	struct cpu_data *d = data(h);
	bool ok = true;
	pid_t lab = h->main_pid(h);
	if (!in_cgroup(h, lab)) {
		h->missing(
		    h,
		    "the lab process %d is not in the cgroup (see /proc/%d/cgroup): `move`; new workers "
		    "and `run` start where it is",
		    (int)lab, (int)lab);
		ok = false;
	}
	for (int i = 0; i < d->nworkers; i++)
		if (!in_cgroup(h, d->workers[i])) {
			h->missing(h, "worker %d is not in the cgroup (see /proc/%d/cgroup): `move`",
				   (int)d->workers[i], (int)d->workers[i]);
			ok = false;
		}
	return ok;
}

/* Measured CPU% within TOLERANCE of what the quota allows these workers.
 * A busy machine can starve the workers below their quota for a moment, so
 * a miss is measured again, up to three windows in all. */
static bool need_held(struct nslab_host *h, const struct nslab_cpu_stat *st)
{
	double want = quota_pct(st), cap = 100.0 * data(h)->nworkers, got = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (want > cap)
		want = cap;
	if (ncpu > 0 && want > 100.0 * (double)ncpu)
		want = 100.0 * (double)ncpu;
	/* A quota change restarts the period: skip the first one or two. */
	sleep_s(0.25);
	for (int i = 0; i < 3; i++) {
		got = measure(h, 1.5);
		update_meter(h);
		if (got >= want - TOLERANCE && got <= want + TOLERANCE)
			return true;
	}
	h->missing(h, "the workers used %.1f%% over 1.5 s, not %.0f%% +/- %.0f (is another program busy?)",
		   got, want, TOLERANCE);
	return false;
}

static bool check_free(struct nslab_host *h)
{
	if (!need_workers(h, 1))
		return false;
	double pct = measure(h, 0.5);
	update_meter(h);
	if (pct >= 50)
		return true;
	h->missing(h, "the worker used only %.0f%% of a CPU: is it already limited (`quota max`)?", pct);
	return false;
}

static bool check_cgroup(struct nslab_host *h)
{
	return need_cgroup(h);
}

static bool check_moved(struct nslab_host *h)
{
	return need_workers(h, 1) && need_cgroup(h) && need_inside(h);
}

static bool check_quota30(struct nslab_host *h)
{
	if (!check_moved(h))
		return false;
	struct nslab_cpu_stat st = stat_or_zero(h);
	if (st.quota_us < 0 || st.quota_us * 100 != 30 * st.period_us) {
		h->missing(h, "the quota is %s, not 30%% of the period: `quota 30`",
			   st.quota_us < 0 ? "unlimited" : "something else");
		return false;
	}
	return need_held(h, &st);
}

static bool check_live(struct nslab_host *h)
{
	if (!need_workers(h, 2) || !need_cgroup(h) || !need_inside(h))
		return false;
	struct nslab_cpu_stat st = stat_or_zero(h);
	if (!data(h)->seen_q10) {
		h->missing(h, "the quota was never 10%% yet: `quota 10` and `usage` first");
		return false;
	}
	if (quota_pct(&st) <= 100) {
		h->missing(
		    h, "the quota is not above one CPU: `quota 150` (needs two CPUs online: `host nproc`)");
		return false;
	}
	return need_held(h, &st);
}

static bool check_period(struct nslab_host *h)
{
	if (!check_moved(h))
		return false;
	struct nslab_cpu_stat st = stat_or_zero(h);
	if (st.quota_us < 0 || st.period_us == DEFAULT_PERIOD) {
		h->missing(h, "the period is still the default %ld us with %s: `quota 30 50000`",
			   DEFAULT_PERIOD, st.quota_us < 0 ? "no quota" : "this quota");
		return false;
	}
	return need_held(h, &st);
}

/* --- do --- */

static int do_free(struct nslab_host *h)
{
	return set_workers(h, 1);
}
static int do_cgroup(struct nslab_host *h)
{
	return make_cgroup(h);
}
static int do_move(struct nslab_host *h)
{
	if (live_workers(h) == 0 && set_workers(h, 1) < 0)
		return -1;
	return move_all(h);
}
static int do_quota30(struct nslab_host *h)
{
	return set_quota(h, 30, DEFAULT_PERIOD);
}
static int do_live(struct nslab_host *h)
{
	if (set_quota(h, 10, DEFAULT_PERIOD) < 0 || set_workers(h, 2) < 0)
		return -1;
	struct cpu_data *d = data(h);
	for (int i = 0; i < d->nworkers; i++)
		if (!in_cgroup(h, d->workers[i]) && attach(h, d->workers[i]) < 0)
			return -1;
	return set_quota(h, 150, DEFAULT_PERIOD);
}
static int do_period(struct nslab_host *h)
{
	return set_quota(h, 30, 50000);
}

static const struct nslab_step steps[] = {
    {
	.title = "A free worker takes a whole CPU",
	.task = "Start one busy-loop worker and measure it:\n"
		"  stress 1\n"
		"  usage\n"
		"Compare with the host's view: `host top -b -n 1 | head -15`.",
	.hint =
	    "`stress 1` forks one worker inside the lab process; `usage` samples its CPU time for a second.",
	.explain =
	    "The worker is a child of the lab process spinning in `for (;;);`. Nothing limits it, so the\n"
	    "scheduler gives it a whole CPU whenever it is runnable: `usage` reads utime + stime\n"
	    "(fields 14 and 15 of /proc/<pid>/stat) twice, one second apart, and gets about 100%.\n"
	    "That is the noisy neighbour a container limit is for.",
	.check = check_free,
	.perform = do_free,
    },
    {
	.title = "Create a cgroup",
	.task = "Make the lab's cgroup and see where the kernel put its files:\n"
		"  cgroup\n"
		"Then list its files:\n"
		"  host ls $NSLAB_CGROUP_DIR/cpu",
	.hint = "A cgroup is a directory in the cgroup filesystem: making the directory makes the group.",
	.explain =
	    "nslab did mkdir(2) in the cgroup filesystem: nslab/<nslab pid>/cpu. The kernel filled the\n"
	    "new directory with the cpu controller's files at once. On cgroup v1 each controller has\n"
	    "its own hierarchy (/sys/fs/cgroup/cpu) and the limit is cpu.cfs_quota_us over\n"
	    "cpu.cfs_period_us. On cgroup v2 there is one tree at /sys/fs/cgroup; a controller shows\n"
	    "up in a child only after its parent lists it in cgroup.subtree_control (nslab wrote\n"
	    "\"+cpu\" there), and the limit is one file, cpu.max. A hybrid machine mounts cgroup v2 at\n"
	    "/sys/fs/cgroup/unified but keeps cpu on v1. `usage` and `cgroup` say which you have.",
	.check = check_cgroup,
	.perform = do_cgroup,
    },
    {
	.title = "Move the worker in",
	.task = "Put the worker (and the lab process) into the cgroup:\n"
		"  move\n"
		"By hand it is one write per process, for the lab process:\n"
		"  host echo $NSLAB_LAB_PID > $NSLAB_CGROUP_DIR/cpu/cgroup.procs\n"
		"Then: `run cat /proc/self/cgroup`.",
	.hint = "Writing a PID to cgroup.procs moves that process; its children are born inside.",
	.explain =
	    "Moving a process is write(2) of its PID to the cgroup's cgroup.procs. /proc/<pid>/cgroup\n"
	    "now names nslab/<pid>/cpu for the cpu hierarchy (v1) or on the single `0::` line (v2).\n"
	    "cgroup v2's rule: a cgroup other than the root cannot both hold processes and enable\n"
	    "controllers for its children (cgroup.subtree_control), which is why the workers live\n"
	    "in nslab/<pid>/cpu and not in its parents. Without a quota nothing changes yet: the worker\n"
	    "still takes a whole CPU.",
	.check = check_moved,
	.perform = do_move,
    },
    {
	.title = "Limit it to 30%",
	.task = "Give the cgroup 30 ms of CPU time in every 100 ms period:\n"
		"  quota 30\n"
		"  usage",
	.hint = "The quota is CPU time per period: 30000 us out of 100000 us.",
	.explain =
	    "The CFS bandwidth controller hands the cgroup `quota` microseconds of CPU time per `period`.\n"
	    "When the workers have used it up they are throttled (taken off the CPU) until the next\n"
	    "period starts. CPU% = quota / period x 100 = 30000 / 100000 x 100 = 30%.\n"
	    "v1: cpu.cfs_quota_us = 30000, cpu.cfs_period_us = 100000. v2: cpu.max = \"30000 100000\".",
	.check = check_quota30,
	.perform = do_quota30,
    },
    {
	.title = "Change the quota live",
	.task = "Limits change while the workers run:\n"
		"  quota 10\n"
		"  usage\n"
		"Then two workers and more than one CPU (this part needs a machine with at least\n"
		"two CPUs: `host nproc`; on one CPU, `quota 150` is refused):\n"
		"  stress 2\n"
		"  quota 150\n"
		"  usage",
	.hint = "A quota above the period lets the group use more than one CPU, if it has enough threads.",
	.explain = "The new quota applies from the next period: no restart, no signal to the workers. New\n"
		   "workers are forked by the lab process, which is in the cgroup, so they are born inside.\n"
		   "quota 150 = 150000 us per 100000 us period: the two workers share 1.5 CPUs, about 75%\n"
		   "each. One worker alone could never use more than 100%.",
	.check = check_live,
	.perform = do_live,
    },
    {
	.title = "Same share, shorter period; read cpu.stat",
	.task = "Keep 30% but slice time finer, then read the kernel's counters:\n"
		"  quota 30 50000\n"
		"  usage\n"
		"  host cat $NSLAB_CGROUP_DIR/cpu/cpu.stat",
	.hint = "15000 us every 50000 us is still 30%.",
	.explain =
	    "quota / period x 100 is what counts: 15000 / 50000 x 100 = 30%, the same share in shorter\n"
	    "slices (smoother for latency, more accounting work). cpu.stat counts the periods in which\n"
	    "the group ran (nr_periods), the periods it hit the limit (nr_throttled) and the time it\n"
	    "spent throttled (v1: throttled_time in ns; v2: throttled_usec). Busy workers under a\n"
	    "quota are throttled in nearly every period. The group's used time is in cpuacct.usage (v1,\n"
	    "in the cpuacct hierarchy, which a hybrid machine may mount apart from cpu) or\n"
	    "usage_usec in cpu.stat (v2); `usage` sums the workers' own utime + stime instead,\n"
	    "which reads the same on every layout.",
	.check = check_period,
	.perform = do_period,
    },
};

/* --- lab --- */

static const char *unsupported(struct nslab_host *h)
{
	char mnt[PATH_MAX];
	const char *old = NSLAB_NEED_HOST(h, cg_dir);
	if (old)
		return old;
	if (h->cg_mode(h) == NSLAB_CG_NONE)
		return "there is no cgroup filesystem at /sys/fs/cgroup";
	if (!cpu_mount(h, mnt, sizeof(mnt)))
		return "no cgroup hierarchy offers the cpu controller (not in "
		       "/sys/fs/cgroup/cgroup.controllers, "
		       "no v1 cpu mount): check cgroup_disable= on the kernel command line";
	return NULL;
}

static int setup(struct nslab_host *h)
{
	struct cpu_data *d = calloc(1, sizeof(*d));
	if (!d) {
		h->error(h, "out of memory");
		return -1;
	}
	h->lab_data = d;
	struct nslab_spawn how = {.size = sizeof(struct nslab_spawn), .label = "lab"};
	if (h->spawn(h, &how) < 0)
		return -1;
	char mnt[PATH_MAX] = "?";
	cpu_mount(h, mnt, sizeof(mnt));
	h->print(h, "This machine runs %s; the cpu controller is mounted at %s.\n",
		 h->cg_mode(h) == NSLAB_CG_HYBRID
		     ? "hybrid cgroups (v1 controllers, v2 at /sys/fs/cgroup/unified)"
		 : h->cg_mode(h) == NSLAB_CG_V2 ? "cgroup v2"
						: "cgroup v1",
		 mnt);
	return 0;
}

static void teardown(struct nslab_host *h)
{
	h->meter(h, NULL);
	free(h->lab_data);
	h->lab_data = NULL;
}

static const struct nslab_lab lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "cpu",
    .title = "cgroup CPU throttling",
    .summary = "Namespaces decide what a process can see; cgroups decide how much it can use. Start a "
	       "busy-loop worker, watch it take a whole CPU, then put it in a cgroup under nslab/ and give "
	       "it a CFS quota: the kernel holds it to quota / period x 100 percent, live, and counts every "
	       "throttled period in cpu.stat. Works on cgroup v1, hybrid and v2 machines, and says which "
	       "one this is.",
    .order = 120,
    NSLAB_STEPS(steps),
    .unsupported = unsupported,
    .setup = setup,
    .teardown = teardown,
    NSLAB_COMMANDS(commands),
    .tick = update_meter, /* the TUI calls it about once a second: a live meter */
};

NSLAB_LAB(lab)
