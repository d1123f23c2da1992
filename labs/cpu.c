/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpu.c: the cgroup CPU throttling lab. The learner starts busy workers
 * (stress(1) with `host stress -c 1 &`, or nslab's own busy loops forked by
 * the lab process), puts them in a cgroup under nslab/<nslab pid>/ (cgcreate
 * and cgclassify or cgexec, or nslab's `cgroup` and `move`), sets a CFS
 * bandwidth quota (cgset, or `quota`: v1 cpu.cfs_quota_us over
 * cpu.cfs_period_us, v2 cpu.max "QUOTA PERIOD") and watches the kernel hold
 * them to it. A worker is one of nslab's, or any running process among the
 * lab's subjects and the members of the groups under nslab/<pid>/. Any group
 * there counts, whatever made it: the one holding the most workers is "the
 * group". Measurements come from the kernel every time: the workers' own
 * utime+stime in /proc/<pid>/stat. Not the cgroup's counter: on a hybrid
 * machine with cpu and cpuacct on separate hierarchies, a group made with
 * `cgcreate -g cpu:...` has no cpuacct.usage at all. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#define MAX_SEEN 64  /* workers of every kind a check looks at */
#define MAX_GROUPS 8 /* cgroups under nslab/<pid>/ a check looks at */
#define DEFAULT_PERIOD 100000L
#define MIN_QUOTA 1000L
#define TOLERANCE 3.0 /* points, as the curriculum asks of the checks */

struct cpu_data {
	pid_t workers[MAX_WORKERS];
	int nworkers;
	/* The previous sample, so that every command can update the meter. */
	double last_t;
	double last_cpu_s;
	int last_n; /* how many workers the last sample summed */
	double last_pct;
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

/* --- groups: every cgroup directly under nslab/<pid>/ in the cpu hierarchy --- */

struct groups {
	char name[MAX_GROUPS][NAME_MAX + 1];
	int n;
};

/* nslab/<nslab pid> in the cpu hierarchy: the parent of nslab's own group. */
static bool tree_dir(struct nslab_host *h, char *buf, size_t len)
{
	char *slash;
	if (!cg_dir(h, buf, len) || !(slash = strrchr(buf, '/')))
		return false;
	*slash = '\0';
	return true;
}

/* nslab's own group ("cpu", as `cgroup` or `cgcreate -g cpu:nslab/<pid>/cpu`
 * makes it) first, then every other directory the learner made there. On
 * v2 the tracking hierarchy is the same tree: its "lab" is nslab's lab
 * cgroup (labcg.h), not a group of the learner's. */
static void list_groups(struct nslab_host *h, struct groups *g)
{
	struct nslab_cpu_stat st = {.size = sizeof(struct nslab_cpu_stat)};
	char tree[PATH_MAX];
	g->n = 0;
	if (h->cg_stat(h, CG_NAME, &st) == 0)
		snprintf(g->name[g->n++], sizeof(g->name[0]), "%s", CG_NAME);
	DIR *dir = tree_dir(h, tree, sizeof(tree)) ? opendir(tree) : NULL;
	struct dirent *de;
	while (dir && g->n < MAX_GROUPS && (de = readdir(dir))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.' || strcmp(de->d_name, CG_NAME) == 0 ||
		    (v2(h) && strcmp(de->d_name, "lab") == 0))
			continue;
		snprintf(g->name[g->n++], sizeof(g->name[0]), "%s", de->d_name);
	}
	if (dir)
		closedir(dir);
}

/* Is pid in the group `name`, in the hierarchy that holds cpu? */
static bool in_group(struct nslab_host *h, const char *name, pid_t pid)
{
	char want[512], seen[1024];
	return h->cg_path(h, name, want, sizeof(want)) == 0 &&
	       nslab_proc_cgroup(pid, seen, sizeof(seen)) == 0 && strcmp(seen, want) == 0;
}

static bool group_stat(struct nslab_host *h, const char *name, struct nslab_cpu_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->quota_us = -1;
	st->period_us = DEFAULT_PERIOD;
	return h->cg_stat(h, name, st) == 0;
}

/* --- workers --- */

static bool alive(pid_t pid)
{
	struct nslab_proc_stat st;
	return nslab_proc_stat(pid, &st) == 0 && st.state != 'Z' && st.state != 'X';
}

/* Forgets nslab's workers that are gone (killed by hand, or by a cgroup removal). */
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

/* Every worker: nslab's own, then the learner's. */
struct crowd {
	pid_t pid[MAX_SEEN];
	int n;
	int nown; /* the first nown are nslab's */
};

static void crowd_add(struct crowd *c, pid_t pid)
{
	for (int i = 0; i < c->n; i++)
		if (c->pid[i] == pid)
			return;
	if (c->n < MAX_SEEN)
		c->pid[c->n++] = pid;
}

/* A learner's worker is a process that wants the CPU right now: state R.
 * A throttled process stays runnable (R); stress(1)'s parent, a shell or
 * `sleep` waits (S) and is not one. */
static bool running(pid_t pid)
{
	struct nslab_proc_stat st;
	return nslab_proc_stat(pid, &st) == 0 && st.state == 'R';
}

static void add_running_members(struct nslab_host *h, const char *name, struct crowd *c)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	if (!NSLAB_HOST_CAN(h, cg_dir) || h->cg_dir(h, name, 0, dir, sizeof(dir)) < 0)
		return;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	FILE *f = fopen(path, "re");
	long pid;
	while (f && fscanf(f, "%ld", &pid) == 1)
		if (pid > 0 && (pid_t)pid != h->main_pid(h) && running((pid_t)pid))
			crowd_add(c, (pid_t)pid);
	if (f)
		fclose(f);
}

/* nslab's workers, then every running subject (what `run`, `host ... &` and
 * `watch` brought in: `host stress -c 1 &`) and every running member of a
 * group under nslab/<pid>/ (`host cgexec -g cpu:... stress -c 1 &`; on v2 a
 * process moved there has left the lab cgroup). The lab process is not a
 * worker. */
static void find_workers(struct nslab_host *h, struct crowd *c)
{
	struct cpu_data *d = data(h);
	c->n = 0;
	if (d)
		live_workers(h);
	for (int i = 0; d && i < d->nworkers; i++)
		crowd_add(c, d->workers[i]);
	c->nown = c->n;
	pid_t subj[MAX_SEEN];
	long ns = NSLAB_HOST_CAN(h, subjects) ? h->subjects(h, subj, MAX_SEEN) : 0;
	for (long i = 0; i < ns && i < MAX_SEEN; i++)
		if (subj[i] != h->main_pid(h) && running(subj[i]))
			crowd_add(c, subj[i]);
	struct groups g;
	list_groups(h, &g);
	for (int i = 0; i < g.n; i++)
		add_running_members(h, g.name[i], c);
}

/* The group that holds the most workers (nslab's own on a tie, or the
 * first there is); NULL when there is none. */
static const char *the_group(struct nslab_host *h, const struct groups *g, const struct crowd *c)
{
	int best = -1, most = -1;
	for (int i = 0; i < g->n; i++) {
		int k = in_group(h, g->name[i], h->main_pid(h));
		for (int j = 0; j < c->n; j++)
			k += in_group(h, g->name[i], c->pid[j]);
		if (k > most) {
			most = k;
			best = i;
		}
	}
	return best < 0 ? NULL : g->name[best];
}

/* utime + stime of one process, in seconds. */
static double proc_cpu_s(pid_t pid)
{
	struct nslab_proc_stat st;
	if (nslab_proc_stat(pid, &st) < 0)
		return 0;
	return (double)(st.utime + st.stime) / (double)sysconf(_SC_CLK_TCK);
}

static double crowd_cpu_s(const struct crowd *c)
{
	double s = 0;
	for (int i = 0; i < c->n; i++)
		s += proc_cpu_s(c->pid[i]);
	return s;
}

/* CPU% (100 = one CPU) of these workers over the next `secs` seconds:
 * always their own utime + stime, the same source on v1, hybrid and v2,
 * and for a group made by hand. */
static double measure(struct nslab_host *h, const struct crowd *c, double secs)
{
	double t0 = now_s(), c0 = crowd_cpu_s(c);
	sleep_s(secs);
	double t1 = now_s(), c1 = crowd_cpu_s(c);
	struct cpu_data *d = data(h);
	if (d) {
		d->last_t = t1;
		d->last_cpu_s = c1;
		d->last_n = c->n;
	}
	if (t1 <= t0)
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
	struct crowd c;
	struct groups g;
	find_workers(h, &c);
	list_groups(h, &g);
	const char *grp = the_group(h, &g, &c);
	double t = now_s(), cpu = crowd_cpu_s(&c);
	/* A sum over other workers than last time is no rate: keep the last. */
	double pct = d->last_pct;
	if (d->last_t > 0 && t > d->last_t && c.n == d->last_n)
		pct = (cpu - d->last_cpu_s) / (t - d->last_t) * 100.0;
	d->last_t = t;
	d->last_cpu_s = cpu;
	d->last_n = c.n;
	d->last_pct = pct;
	char text[512], q[32];
	snprintf(q, sizeof(q), "%s", _("none"));
	double qp = -1;
	struct nslab_cpu_stat st;
	if (grp && group_stat(h, grp, &st) && (qp = quota_pct(&st)) >= 0) {
		snprintf(q, sizeof(q), "%.0f%%", qp);
		if (fabs(qp - 10) < 0.5)
			d->seen_q10 = true;
	}
	if (!grp)
		group_stat(h, CG_NAME, &st);
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
		 _("cpu [%s] %5.1f%%  quota %s  throttled %llu/%llu periods  workers %d  (bar: 0-%d%%)"),
		 bars, pct, q, (unsigned long long)st.nr_throttled, (unsigned long long)st.nr_periods, c.n,
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
		h->print(h, _("worker %d stopped\n"), (int)pid);
	}
	while (d->nworkers < n) {
		pid_t pid = 0;
		if (h->call(h, h->main_pid(h), ag_fork_worker, NULL, 0, (char *)&pid, sizeof(pid)) < 0 ||
		    pid <= 0) {
			h->error(h, _("cannot fork a worker: %s"), strerror(errno));
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
		h->print(h, _("worker %d started (busy loop, child of the lab process %d)\n"), (int)pid,
			 (int)h->main_pid(h));
	}
	return 0;
}

/* The group the lab's commands work on: the one the checks judge. false
 * (and an error naming the two ways to make one) when there is none. */
static bool pick_group(struct nslab_host *h, char *name, size_t len)
{
	struct crowd c;
	struct groups g;
	find_workers(h, &c);
	list_groups(h, &g);
	const char *grp = the_group(h, &g, &c);
	if (grp) {
		snprintf(name, len, "%s", grp);
		return true;
	}
	h->error(h, _("there is no cgroup yet: `cgroup`, or `host cgcreate -g cpu:nslab/$(basename "
		      "$NSLAB_CGROUP_DIR)/cpu`"));
	return false;
}

static int make_cgroup(struct nslab_host *h)
{
	char dir[PATH_MAX];
	struct nslab_cpu_stat st;
	bool existed = group_stat(h, CG_NAME, &st);
	if (!existed && h->cg_create(h, CG_NAME) < 0)
		return -1;
	if (!cg_dir(h, dir, sizeof(dir))) {
		h->error(h, _("cannot find the cgroup's directory"));
		return -1;
	}
	if (!existed)
		h->trace(h, "mkdir(\"%s\", 0755) = 0", dir);
	h->print(h, "cgroup %s (%s)\n", dir, existed ? _("already there") : _("created"));
	h->print(
	    h,
	    _("this machine runs %s; the cpu controller's files are in that directory: %s, %s, cpu.stat\n"),
	    h->cg_mode(h) == NSLAB_CG_HYBRID ? _("hybrid cgroups (cpu on a v1 hierarchy)")
	    : v2(h)                          ? _("cgroup v2 (one unified hierarchy)")
					     : "cgroup v1",
	    quota_file(h), v2(h) ? "cgroup.procs" : "cpu.cfs_period_us");
	return 0;
}

/* What `echo PID > DIR/cgroup.procs` does, in the cpu hierarchy only (a
 * group made with `cgcreate -g cpu:` on a machine with cpuacct apart has
 * no cpuacct twin, and the lab measures from /proc/PID/stat anyway). */
static int attach(struct nslab_host *h, const char *grp, pid_t pid)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], text[32];
	if (!NSLAB_HOST_CAN(h, cg_dir) || h->cg_dir(h, grp, 0, dir, sizeof(dir)) < 0) {
		h->error(h, _("cannot find the directory of the cgroup %s"), grp);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	int len = snprintf(text, sizeof(text), "%d", (int)pid);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, text, (size_t)len);
	int err = errno;
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		h->trace(h, "write(\"%s\", \"%s\") = -1 %s", path, text, nslab_errno_name(err));
		h->error(h, _("moving %d into %s: %s"), (int)pid, dir, strerror(err));
		return -1;
	}
	h->trace(h, "write(\"%s\", \"%s\") = %zd", path, text, n);
	return 0;
}

/* Moves the lab process (so that `run` and new workers start inside) and
 * every worker, nslab's and the learner's, into the group. */
static int move_all(struct nslab_host *h)
{
	char grp[NAME_MAX + 1];
	struct crowd c;
	if (!pick_group(h, grp, sizeof(grp)))
		return -1;
	find_workers(h, &c);
	if (attach(h, grp, h->main_pid(h)) < 0)
		return -1;
	for (int i = 0; i < c.n; i++) {
		if (attach(h, grp, c.pid[i]) < 0)
			return -1;
		h->print(h, _("worker %d moved into %s\n"), (int)c.pid[i], grp);
	}
	return 0;
}

static int set_quota(struct nslab_host *h, double pct, long period)
{
	char dir[PATH_MAX] = "?";
	long quota = pct < 0 ? -1 : (long)(pct * (double)period / 100.0 + 0.5);
	if (quota >= 0 && quota < MIN_QUOTA) {
		h->error(
		    h,
		    _("a quota of %ld us is too small: the kernel needs at least %ld us (1 ms) per period"),
		    quota, MIN_QUOTA);
		return -1;
	}
	char grp[NAME_MAX + 1];
	if (!pick_group(h, grp, sizeof(grp)))
		return -1;
	if (h->cg_set_quota(h, grp, quota, period) < 0)
		return -1;
	if (NSLAB_HOST_CAN(h, cg_dir))
		h->cg_dir(h, grp, 0, dir, sizeof(dir));
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
		h->print(h, _("no limit: the workers may use every CPU\n"));
	else
		h->print(h, _("%ld / %ld x 100 = %.0f%% of one CPU\n"), quota, period, pct);
	return 0;
}

/* --- commands --- */

static int cmd_stress(struct nslab_host *h, int argc, char **argv)
{
	char *end = NULL;
	long n = argc > 1 ? strtol(argv[1], &end, 10) : 1;
	if ((end && *end) || n < 0 || n > MAX_WORKERS) {
		h->error(h, _("usage: burn [N]  (0 to %d workers)"), MAX_WORKERS);
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
			h->error(
			    h,
			    max == 100
				? _("quota must be 1 to %ld percent (100 per CPU, %ld CPU online), not %s")
				: _("quota must be 1 to %ld percent (100 per CPU, %ld CPUs online), not %s"),
			    max, max / 100, argv[1]);
			return -1;
		}
		if (err) {
			h->error(h, _("usage: quota PERCENT|max [PERIOD_US]  (e.g. quota 30)"));
			return -1;
		}
	}
	if (argc > 2 && parse_long_range(argv[2], 1000, 1000000, &period) != 0) {
		h->error(h, _("the period must be 1000 to 1000000 us"));
		return -1;
	}
	int rc = set_quota(h, pct, period);
	update_meter(h);
	return rc;
}

/* What the checks and `usage` look at, gathered once. */
struct scene {
	struct crowd c;
	struct groups g;
	const char *grp; /* the group (in g), NULL: none */
	bool have;       /* st was read */
	struct nslab_cpu_stat st;
};

static void look(struct nslab_host *h, struct scene *s)
{
	find_workers(h, &s->c);
	list_groups(h, &s->g);
	s->grp = the_group(h, &s->g, &s->c);
	s->have = s->grp && group_stat(h, s->grp, &s->st);
	if (!s->have) {
		memset(&s->st, 0, sizeof(s->st));
		s->st.quota_us = -1; /* no group: no quota */
		s->st.period_us = DEFAULT_PERIOD;
	}
}

static int workers_inside(struct nslab_host *h, const struct scene *s)
{
	int n = 0;
	for (int i = 0; s->grp && i < s->c.n; i++)
		n += in_group(h, s->grp, s->c.pid[i]);
	return n;
}

static int cmd_usage(struct nslab_host *h, int argc, char **argv)
{
	double secs = 1;
	if (argc > 1 && parse_double_range(argv[1], 0, 0.1, 60, &secs) != 0) {
		h->error(h, _("usage: usage [SECONDS]  (0.1 to 60)"));
		return -1;
	}
	struct scene s;
	look(h, &s);
	double pct = measure(h, &s.c, secs);
	int n = s.c.n, in = workers_inside(h, &s), mine = n - s.c.nown;
	char q[160], where[160], who[96] = "", nw[64];
	snprintf(q, sizeof(q), "%s", _("no quota"));
	snprintf(where, sizeof(where), "%s", _(", no cgroup yet"));
	snprintf(nw, sizeof(nw), n == 1 ? _("%d worker") : _("%d workers"), n);
	if (s.have && quota_pct(&s.st) >= 0)
		snprintf(q, sizeof(q), _("quota %ld/%ld us = %.0f%%"), s.st.quota_us, s.st.period_us,
			 quota_pct(&s.st));
	else if (s.have)
		snprintf(q, sizeof(q), _("quota max (no limit), period %ld us"), s.st.period_us);
	if (s.grp)
		snprintf(where, sizeof(where), _(", %d in nslab/<pid>/%s"), in, s.grp);
	if (mine > 0)
		snprintf(who, sizeof(who), _(", %d of them yours"), mine);
	h->print(h, _("usage: %.1f%% of one CPU over %.1f s (%s%s%s, utime+stime from /proc/PID/stat); %s\n"),
		 pct, secs, nw, who, where, q);
	if (s.have) {
		char dir[PATH_MAX] = "?";
		if (NSLAB_HOST_CAN(h, cg_dir))
			h->cg_dir(h, s.grp, 0, dir, sizeof(dir));
		h->print(h, "cpu.stat: nr_periods %llu, nr_throttled %llu, throttled %.2f s\n",
			 (unsigned long long)s.st.nr_periods, (unsigned long long)s.st.nr_throttled,
			 (double)s.st.throttled_usec / 1e6);
		h->print(h, "files: %s/{%s,cpu.stat,cgroup.procs}\n", dir,
			 v2(h) ? "cpu.max" : "cpu.cfs_quota_us,cpu.cfs_period_us");
	}
	update_meter(h);
	return 0;
}

static const struct nslab_command commands[] = {
    {"burn", N_("burn [N]"), N_("run N busy-loop workers (default 1; 0 stops them)"), 0, 1, cmd_stress},
    {"cgroup", "cgroup", N_("create the lab's cgroup under nslab/ and say where its files are"), 0, 0,
     cmd_cgroup},
    {"move", "move", N_("move the lab process and its workers into the cgroup"), 0, 0, cmd_move},
    {"quota", N_("quota PERCENT|max [PERIOD_US]"),
     N_("limit the cgroup to PERCENT of one CPU (150 = 1.5 CPUs)"), 1, 2, cmd_quota},
    {"usage", N_("usage [SECONDS]"),
     N_("measure the workers' CPU percentage now, with the quota and cpu.stat"), 0, 1, cmd_usage},
};

/* --- checks --- */

/* The real command that sets quota/period on the group: cgset on v1 and
 * hybrid, a write to cpu.max on v2. */
static void quota_cmd(struct nslab_host *h, const char *grp, long quota, long period, char *buf, size_t len)
{
	if (v2(h))
		snprintf(buf, len, "host echo '%ld %ld' > $NSLAB_CGROUP_DIR/%s/cpu.max", quota, period, grp);
	else if (period == DEFAULT_PERIOD)
		snprintf(buf, len,
			 "host cgset -r cpu.cfs_quota_us=%ld nslab/$(basename $NSLAB_CGROUP_DIR)/%s", quota,
			 grp);
	else
		snprintf(buf, len,
			 "host cgset -r cpu.cfs_period_us=%ld -r cpu.cfs_quota_us=%ld nslab/$(basename "
			 "$NSLAB_CGROUP_DIR)/%s",
			 period, quota, grp);
}

static bool need_workers(struct nslab_host *h, const struct scene *s, int n)
{
	int have = s->c.n;
	if (have >= n)
		return true;
	if (have == 0)
		h->missing(
		    h, _("no worker is running; this step needs %d: `run stress -q -c %d &` (or `burn %d`)"),
		    n, n, n);
	else
		h->missing(h,
			   have == 1
			       ? _("only %d worker is running; this step needs %d: `run stress -q -c %d &` "
				   "(or `burn %d`)")
			       : _("only %d workers are running; this step needs %d: `run stress -q -c %d &` "
				   "(or `burn %d`)"),
			   have, n, n - have, n);
	return false;
}

static bool need_cgroup(struct nslab_host *h, const struct scene *s)
{
	if (s->grp)
		return true;
	h->missing(h,
		   _("no cgroup under $NSLAB_CGROUP_DIR yet: `host cgcreate -g cpu:nslab/$(basename "
		     "$NSLAB_CGROUP_DIR)/%s` (or `cgroup`)"),
		   CG_NAME);
	return false;
}

static bool need_inside(struct nslab_host *h, const struct scene *s)
{
	bool ok = true;
	pid_t lab = h->main_pid(h);
	if (!in_group(h, s->grp, lab)) {
		h->missing(
		    h,
		    _("the lab process %d is not in nslab/<pid>/%s (see /proc/%d/cgroup): `host echo "
		      "$NSLAB_LAB_PID > $NSLAB_CGROUP_DIR/%s/cgroup.procs` (or `move`); new workers and "
		      "`run` start where it is"),
		    (int)lab, s->grp, (int)lab, s->grp);
		ok = false;
	}
	for (int i = 0; i < s->c.n; i++)
		if (!in_group(h, s->grp, s->c.pid[i])) {
			h->missing(
			    h,
			    _("worker %d is not in nslab/<pid>/%s (see /proc/%d/cgroup): `host cgclassify "
			      "-g cpu:nslab/$(basename $NSLAB_CGROUP_DIR)/%s %d` (or `move`)"),
			    (int)s->c.pid[i], s->grp, (int)s->c.pid[i], s->grp, (int)s->c.pid[i]);
			ok = false;
		}
	return ok;
}

/* Measured CPU% within TOLERANCE of what the quota allows these workers.
 * A busy machine can starve the workers below their quota for a moment, so
 * a miss is measured again, up to three windows in all. */
static bool need_held(struct nslab_host *h, const struct scene *s)
{
	double want = quota_pct(&s->st), cap = 100.0 * s->c.n, got = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (want > cap)
		want = cap;
	if (ncpu > 0 && want > 100.0 * (double)ncpu)
		want = 100.0 * (double)ncpu;
	/* A quota change restarts the period: skip the first one or two. */
	sleep_s(0.25);
	for (int i = 0; i < 3; i++) {
		got = measure(h, &s->c, 1.5);
		update_meter(h);
		if (got >= want - TOLERANCE && got <= want + TOLERANCE)
			return true;
	}
	h->missing(
	    h,
	    _("the workers used %.1f%% over 1.5 s (utime+stime in /proc/PID/stat), not %.0f%% +/- %.0f: "
	      "is another program busy (`host top -b -n 1 | head -15`)?"),
	    got, want, TOLERANCE);
	return false;
}

/* Steps 3 to 6 start here: workers, a group, everything inside it. */
static bool need_moved(struct nslab_host *h, const struct scene *s, int nworkers)
{
	return need_workers(h, s, nworkers) && need_cgroup(h, s) && need_inside(h, s);
}

static bool check_free(struct nslab_host *h)
{
	struct scene s;
	look(h, &s);
	if (!need_workers(h, &s, 1))
		return false;
	double pct = measure(h, &s.c, 0.5);
	update_meter(h);
	if (pct >= 50)
		return true;
	h->missing(h,
		   _("the workers used only %.0f%% of a CPU (utime+stime in /proc/PID/stat): is the lab "
		     "already limited (`quota max`)?"),
		   pct);
	return false;
}

static bool check_cgroup(struct nslab_host *h)
{
	struct scene s;
	look(h, &s);
	return need_cgroup(h, &s);
}

static bool check_moved(struct nslab_host *h)
{
	struct scene s;
	look(h, &s);
	return need_moved(h, &s, 1);
}

static bool check_quota30(struct nslab_host *h)
{
	struct scene s;
	char cmd[256];
	look(h, &s);
	if (!need_moved(h, &s, 1))
		return false;
	if (s.st.quota_us < 0 || s.st.quota_us * 100 != 30 * s.st.period_us) {
		quota_cmd(h, s.grp, 30000, DEFAULT_PERIOD, cmd, sizeof(cmd));
		if (s.st.quota_us < 0)
			h->missing(
			    h, _("nslab/<pid>/%s has no quota, not 30%% of the period: `%s` (or `quota 30`)"),
			    s.grp, cmd);
		else
			h->missing(h,
				   _("the quota of nslab/<pid>/%s is %.0f%%, not 30%%: `%s` (or `quota 30`)"),
				   s.grp, quota_pct(&s.st), cmd);
		return false;
	}
	return need_held(h, &s);
}

static bool check_live(struct nslab_host *h)
{
	struct scene s;
	char cmd[256];
	look(h, &s);
	if (!need_moved(h, &s, 2))
		return false;
	if (!data(h)->seen_q10) {
		quota_cmd(h, s.grp, 10000, DEFAULT_PERIOD, cmd, sizeof(cmd));
		h->missing(h, _("the quota was never 10%% yet: `%s` (or `quota 10`), then `usage`"), cmd);
		return false;
	}
	if (quota_pct(&s.st) <= 100) {
		quota_cmd(h, s.grp, 150000, DEFAULT_PERIOD, cmd, sizeof(cmd));
		h->missing(
		    h,
		    _("the quota is not above one CPU: `%s` (or `quota 150`); this needs two CPUs online "
		      "(`host nproc`)"),
		    cmd);
		return false;
	}
	return need_held(h, &s);
}

static bool check_period(struct nslab_host *h)
{
	struct scene s;
	char cmd[256];
	look(h, &s);
	if (!need_moved(h, &s, 1))
		return false;
	if (s.st.quota_us < 0 || s.st.period_us == DEFAULT_PERIOD) {
		quota_cmd(h, s.grp, 15000, 50000, cmd, sizeof(cmd));
		h->missing(h, _("the period is still the default %ld us with %s: `%s` (or `quota 30 50000`)"),
			   DEFAULT_PERIOD, s.st.quota_us < 0 ? _("no quota") : _("this quota"), cmd);
		return false;
	}
	return need_held(h, &s);
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
	/* the new worker was born where the lab process is; move_all makes
	 * sure after a `step 5` into a lab whose earlier steps were not done */
	if (move_all(h) < 0)
		return -1;
	return set_quota(h, 150, DEFAULT_PERIOD);
}
static int do_period(struct nslab_host *h)
{
	return set_quota(h, 30, 50000);
}

static const struct nslab_step steps[] = {
    {
	.title = N_("A free worker takes a whole CPU"),
	.task = N_("Start one busy worker with stress(1) and watch it take a CPU:\n"
		   "  run stress -q -c 1 &\n"
		   "  host top -b -n 1 | head -15\n"
		   "  usage\n"
		   "Shortcut: `burn 1` forks nslab's own busy loop instead."),
	.hint = N_(
	    "`run ... &` starts it in the lab and returns; -q keeps stress quiet (once `run` has returned, "
	    "a line it prints has nowhere to go and would end it). `usage` samples the workers' CPU time "
	    "for a second."),
	.explain =
	    N_("stress -c 1 forks a child that spins in sqrt(rand()); nslab's `stress` worker spins in "
	       "`for (;;);`. Nothing limits either, so the scheduler gives it a whole CPU whenever it is "
	       "runnable: top shows it near 100%, and `usage` reads utime + stime (fields 14 and 15 of "
	       "/proc/<pid>/stat) twice, one second apart. A worker, for the checks, is a running process "
	       "of the lab (state R). That is the noisy neighbour a container limit is for."),
	.check = check_free,
	.perform = do_free,
    },
    {
	.title = N_("Create a cgroup"),
	.task = N_("Make a cgroup for the lab under nslab's tree (cgcreate names it relative to "
		   "the cpu hierarchy: nslab/<nslab's pid>/cpu), and list its files:\n"
		   "  host cgcreate -g cpu:nslab/$(basename $NSLAB_CGROUP_DIR)/cpu\n"
		   "  host ls $NSLAB_CGROUP_DIR/cpu\n"
		   "Shortcut: `cgroup` (it also says which cgroup layout this machine has)."),
	.hint = N_("A cgroup is a directory in the cgroup filesystem: `host mkdir $NSLAB_CGROUP_DIR/cpu` "
		   "does the same."),
	.explain =
	    N_("cgcreate did mkdir(2) in the cgroup filesystem, and the kernel filled the new directory "
	       "with the cpu controller's files at once. On cgroup v1 each controller has its own "
	       "hierarchy (/sys/fs/cgroup/cpu) and the limit is cpu.cfs_quota_us over cpu.cfs_period_us. "
	       "On cgroup v2 there is one tree at /sys/fs/cgroup; a controller shows up in a child only "
	       "after its parent lists it in cgroup.subtree_control (nslab wrote \"+cpu\" there), and the "
	       "limit is one file, cpu.max. A hybrid machine mounts cgroup v2 at /sys/fs/cgroup/unified "
	       "but keeps cpu on v1, and may mount cpuacct apart from cpu (then `cgcreate -g cpu:` makes "
	       "no cpuacct group). Any group you make under $NSLAB_CGROUP_DIR counts, and is removed "
	       "with the lab."),
	.check = check_cgroup,
	.perform = do_cgroup,
    },
    {
	.title = N_("Move the worker in"),
	.task = N_("Put the lab process and the worker into the group: one write of a PID to "
		   "cgroup.procs each (cgclassify writes it for you):\n"
		   "  host echo $NSLAB_LAB_PID > $NSLAB_CGROUP_DIR/cpu/cgroup.procs\n"
		   "  host cgclassify -g cpu:nslab/$(basename $NSLAB_CGROUP_DIR)/cpu $(pgrep -x stress)\n"
		   "  run cat /proc/self/cgroup\n"
		   "Shortcut: `move` (the lab process and every worker)."),
	.hint =
	    N_("Writing a PID to cgroup.procs moves that process; its children are born inside. The check "
	       "names every worker still outside."),
	.explain =
	    N_("Moving a process is write(2) of its PID to the group's cgroup.procs. /proc/<pid>/cgroup "
	       "now names nslab/<pid>/cpu for the cpu hierarchy (v1) or on the single `0::` line (v2). "
	       "The lab process goes in too, so that what `run` starts from now on is born inside. "
	       "cgroup v2's rule: a cgroup other than the root cannot both hold processes and enable "
	       "controllers for its children (cgroup.subtree_control), which is why the workers live "
	       "in nslab/<pid>/cpu and not in its parents. Without a quota nothing changes yet: the worker "
	       "still takes a whole CPU."),
	.check = check_moved,
	.perform = do_move,
    },
    {
	.title = N_("Limit it to 30%"),
	.task = N_("Give the group 30 ms of CPU time in every 100 ms period, and watch:\n"
		   "  host cgset -r cpu.cfs_quota_us=30000 nslab/$(basename $NSLAB_CGROUP_DIR)/cpu\n"
		   "  host echo '30000 100000' > $NSLAB_CGROUP_DIR/cpu/cpu.max\n"
		   "  usage\n"
		   "The first line is for cgroup v1 and hybrid, the second for v2 (the lab said which "
		   "this machine runs when it started). Shortcut: `quota 30`."),
	.hint =
	    N_("The quota is CPU time per period: 30000 us out of 100000 us. `host top -b -n 1 | head -15` "
	       "shows the worker at about 30%."),
	.explain =
	    N_("The CFS bandwidth controller hands the group `quota` microseconds of CPU time per `period`. "
	       "When the workers have used it up they are throttled (taken off the CPU, still runnable) "
	       "until the next period starts. CPU% = quota / period x 100 = 30000 / 100000 x 100 = 30%. "
	       "v1: cpu.cfs_quota_us = 30000, cpu.cfs_period_us = 100000. v2: cpu.max = \"30000 100000\"."),
	.check = check_quota30,
	.perform = do_quota30,
    },
    {
	.title = N_("Change the quota live"),
	.task = N_("Limits change while the workers run. Start a second worker (born inside, since "
		   "`run` starts where the lab process is), then 10% (v1 and hybrid, then v2):\n"
		   "  run stress -q -c 1 &\n"
		   "  host cgset -r cpu.cfs_quota_us=10000 nslab/$(basename $NSLAB_CGROUP_DIR)/cpu\n"
		   "  host echo '10000 100000' > $NSLAB_CGROUP_DIR/cpu/cpu.max\n"
		   "  usage\n"
		   "Then 1.5 CPUs. This part needs a machine with at least two CPUs (`host nproc`; "
		   "on one CPU a quota above 100% is refused):\n"
		   "  host cgset -r cpu.cfs_quota_us=150000 nslab/$(basename $NSLAB_CGROUP_DIR)/cpu\n"
		   "  host echo '150000 100000' > $NSLAB_CGROUP_DIR/cpu/cpu.max\n"
		   "  usage\n"
		   "Shortcuts: `burn 2`, `quota 10`, `quota 150`."),
	.hint = N_("A quota above the period lets the group use more than one CPU, if it has enough threads. "
		   "The check wants to have seen 10% (in a `usage`) before the 150%."),
	.explain =
	    N_("The new quota applies from the next period: no restart, no signal to the workers. The "
	       "new worker was started by `run`, which joins the lab process's cgroups, so it was born "
	       "inside. 150000 us per 100000 us period: the two workers share 1.5 CPUs, about 75% "
	       "each. One worker alone could never use more than 100%."),
	.check = check_live,
	.perform = do_live,
    },
    {
	.title = N_("Same share, shorter period; read cpu.stat"),
	.task = N_("Keep 30% but slice time finer, then read the kernel's counters (v1 and hybrid, "
		   "then v2):\n"
		   "  host cgset -r cpu.cfs_period_us=50000 -r cpu.cfs_quota_us=15000 nslab/$(basename "
		   "$NSLAB_CGROUP_DIR)/cpu\n"
		   "  host echo '15000 50000' > $NSLAB_CGROUP_DIR/cpu/cpu.max\n"
		   "  usage\n"
		   "  host cat $NSLAB_CGROUP_DIR/cpu/cpu.stat\n"
		   "Shortcut: `quota 30 50000`."),
	.hint = N_("15000 us every 50000 us is still 30%."),
	.explain =
	    N_("quota / period x 100 is what counts: 15000 / 50000 x 100 = 30%, the same share in shorter "
	       "slices (smoother for latency, more accounting work). cpu.stat counts the periods in which "
	       "the group ran (nr_periods), the periods it hit the limit (nr_throttled) and the time it "
	       "spent throttled (v1: throttled_time in ns; v2: throttled_usec). Busy workers under a "
	       "quota are throttled in nearly every period. The group's used time is in cpuacct.usage (v1, "
	       "in the cpuacct hierarchy, which a hybrid machine may mount apart from cpu) or "
	       "usage_usec in cpu.stat (v2); `usage` sums the workers' own utime + stime instead, "
	       "which reads the same on every layout."),
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
		return _("there is no cgroup filesystem at /sys/fs/cgroup");
	if (!cpu_mount(h, mnt, sizeof(mnt)))
		return _("no cgroup hierarchy offers the cpu controller (not in "
			 "/sys/fs/cgroup/cgroup.controllers, "
			 "no v1 cpu mount): check cgroup_disable= on the kernel command line");
	return NULL;
}

/* cgroup v2: a controller's files appear in a child only when its parent
 * lists the controller in cgroup.subtree_control, and cgcreate (libcgroup
 * 2.0) does not switch cpu on in the parents: with cpu off there,
 * `cgcreate -g cpu:nslab/<pid>/cpu` fails with "No such file or
 * directory". So the lab does at start what `cgroup` does before its mkdir:
 * nslab's own group is made (cpu switched on in the root, nslab/ and
 * nslab/<pid>/, each switch registered and undone at stop) and removed
 * again, leaving step 2's mkdir to the learner's cgcreate, as on v1. */
static void open_tree_v2(struct nslab_host *h)
{
	char dir[PATH_MAX];
	struct nslab_cpu_stat st;
	if (!v2(h) || group_stat(h, CG_NAME, &st) || !cg_dir(h, dir, sizeof(dir)))
		return;
	if (h->cg_create(h, CG_NAME) < 0)
		return; /* it said why; `cgroup` says it again */
	h->undo(h, NSLAB_OBJ_CGROUP, dir);
	h->print(h,
		 _("nslab switched the cpu controller on below the root, nslab/ and nslab/%d/ (\"+cpu\" in "
		   "their cgroup.subtree_control; undone at stop), so that cgcreate -g cpu: works there.\n"),
		 (int)getpid());
}

static int setup(struct nslab_host *h)
{
	struct cpu_data *d = calloc(1, sizeof(*d));
	if (!d) {
		h->error(h, _("out of memory"));
		return -1;
	}
	h->lab_data = d;
	struct nslab_spawn how = {.size = sizeof(struct nslab_spawn), .label = "lab"};
	if (h->spawn(h, &how) < 0)
		return -1;
	char mnt[PATH_MAX] = "?";
	cpu_mount(h, mnt, sizeof(mnt));
	h->print(h, _("This machine runs %s; the cpu controller is mounted at %s.\n"),
		 h->cg_mode(h) == NSLAB_CG_HYBRID
		     ? _("hybrid cgroups (v1 controllers, v2 at /sys/fs/cgroup/unified)")
		 : h->cg_mode(h) == NSLAB_CG_V2 ? "cgroup v2"
						: "cgroup v1",
		 mnt);
	open_tree_v2(h);
	h->print(h, _("Quotas here are set with %s (the tasks show both ways; use this one).\n"),
		 v2(h) ? _("a write to cpu.max: `host echo 'QUOTA PERIOD' > $NSLAB_CGROUP_DIR/cpu/cpu.max`")
		       : _("cgset and cpu.cfs_quota_us: `host cgset -r cpu.cfs_quota_us=QUOTA "
			   "nslab/$(basename $NSLAB_CGROUP_DIR)/cpu`"));
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
    .title = N_("cgroup CPU throttling"),
    .summary =
	N_("Namespaces decide what a process can see; cgroups decide how much it can use. Start a "
	   "busy-loop worker, watch it take a whole CPU, then put it in a cgroup under nslab/ and give "
	   "it a CFS quota: the kernel holds it to quota / period x 100 percent, live, and counts every "
	   "throttled period in cpu.stat. Works on cgroup v1, hybrid and v2 machines, and says which "
	   "one this is."),
    .order = 120,
    NSLAB_STEPS(steps),
    .unsupported = unsupported,
    .setup = setup,
    .teardown = teardown,
    NSLAB_COMMANDS(commands),
    .tick = update_meter, /* the TUI calls it about once a second: a live meter */
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(lab)
