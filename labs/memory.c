/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memory.c: the cgroup memory lab. The learner makes a cgroup in the
 * hierarchy that holds the memory controller (v1 and hybrid: its own mount,
 * /sys/fs/cgroup/memory; v2: the one tree), limits it to 64 MiB without
 * swap, puts the lab process in, runs a hog that fits and one that does
 * not, and watches the OOM killer end the second: memory.events oom_kill
 * (v2) or memory.oom_control oom_kill (v1) counts it.
 *
 * Every group lives under <mount>/nslab/<nslab pid>/, so that stop and
 * `nslab --cleanup` remove it; the checks read the kernel's files of every
 * group there, whoever made it (cgcreate, mkdir, or `cgroup`). On v2 the
 * lab writes +memory into cgroup.subtree_control of nslab/ and
 * nslab/<pid>/ only, both of them nslab's own; the root's it never touches:
 * if memory is not enabled there, the lab says so and how to enable it. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MEM_CTRL "memory"
#define FIX "boot without cgroup_disable=memory" /* when no hierarchy has it */
#define GROUP "mem"                              /* the group `cgroup` makes */
#define LIMIT_MIB 64                             /* what `do` sets */
#define MIN_MIB 48                               /* a limit the 32 MiB hog fits in ... */
#define MAX_MIB 96                               /* ... and the 128 MiB one does not */
#define FIT_MIB 32                               /* the hog that fits */
#define OVER_MIB 128                             /* the hog the OOM killer ends */
#define HELD_MIB 24                              /* usage that shows the fitting hog holds its memory */
#define HOG_SECONDS 300                          /* a hog ends by itself after this (alarm) */
#define MAX_GROUPS 16
#define MAX_HOGS 8
#define MIB (1024LL * 1024LL)
#define UNLIMITED NSLAB_CG_UNLIMITED /* memory.max "max", a v1 limit of 2^63 rounded down to pages */

struct mem_data {
	pid_t hogs[MAX_HOGS];
	int nhogs;
};

/* One cgroup under nslab/<pid>/, as the kernel's files show it now. */
struct group {
	struct nslab_cg_group cg; /* name, dir, ctrl, limit, nprocs, has_main */
	long long usage;          /* bytes */
	long long oom_kills;      /* memory.events / memory.oom_control oom_kill */
	int swap;                 /* 1 limited to the memory limit or less, 0 not, -1 no such knob */
};

/* The lab's groups as the kernel's files show them now. */
struct view {
	struct nslab_cg_hier hi;
	struct group gs[MAX_GROUPS];
	int n; /* -1: no hierarchy holds the memory controller */
};

static struct mem_data *data(struct nslab_host *h)
{
	return h->lab_data;
}

/* --- inside the lab process (h->call) --- */

struct hog_req {
	long mib;
	unsigned seconds;
};

/* Forks a hog: a child of the lab process (so in its cgroups) that maps
 * `mib` MiB of anonymous memory, touches every page so that the kernel
 * must back it (and charge it to the cgroup), then sleeps. It ends by
 * itself after `seconds` (SIGALRM) and with the lab process. */
static int ag_hog(void *arg, char *out, size_t outlen)
{
	struct hog_req r;
	if (outlen < sizeof(pid_t)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(&r, arg, sizeof(r));
	pid_t pid = nslab_fork_tied();
	if (pid < 0)
		return nslab_fail(out, outlen, "fork");
	if (pid == 0) {
		prctl(PR_SET_NAME, "nslab-hog");
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		alarm(r.seconds);
		size_t len = (size_t)r.mib * (size_t)MIB;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(1);
		long page = sysconf(_SC_PAGESIZE);
		for (size_t i = 0; i < len; i += (size_t)page)
			p[i] = 1;
		for (;;)
			pause();
	}
	memcpy(out, &pid, sizeof(pid));
	return 0;
}

/* --- the hierarchy and its groups --- */

static const char *limit_file(const struct nslab_cg_hier *hi)
{
	return hi->v2 ? "memory.max" : "memory.limit_in_bytes";
}
static const char *usage_file(const struct nslab_cg_hier *hi)
{
	return hi->v2 ? "memory.current" : "memory.usage_in_bytes";
}
static const char *events_file(const struct nslab_cg_hier *hi)
{
	return hi->v2 ? "memory.events" : "memory.oom_control";
}
static const char *swap_file(const struct nslab_cg_hier *hi)
{
	return hi->v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes";
}

/* An nslab_cg_read_fn. */
static void read_group(struct nslab_host *h, const struct nslab_cg_hier *hi, struct nslab_cg_group *cg)
{
	(void)h;
	struct group *g = (struct group *)cg;
	g->cg.limit = nslab_cg_value(g->cg.dir, limit_file(hi));
	g->cg.ctrl = g->cg.limit != NSLAB_CG_ABSENT;
	long long swap = nslab_cg_value(g->cg.dir, swap_file(hi));
	if (swap == NSLAB_CG_ABSENT)
		g->swap = -1;
	else if (hi->v2)
		g->swap = swap == 0;
	else
		g->swap = swap != UNLIMITED && g->cg.limit != UNLIMITED && swap <= g->cg.limit;
	g->usage = nslab_cg_value(g->cg.dir, usage_file(hi));
	g->usage = g->usage < 0 ? 0 : g->usage;
	g->oom_kills = nslab_cg_key(g->cg.dir, events_file(hi), "oom_kill");
}

static bool swap_on(void)
{
	char buf[4096];
	if (nslab_cg_read("/proc", "meminfo", buf, sizeof(buf)) < 0)
		return false;
	const char *p = strstr(buf, "SwapTotal:");
	return p && strtoll(p + 10, NULL, 10) > 0;
}

static bool limit_in_range(const struct group *g)
{
	return g->cg.ctrl && g->cg.limit != UNLIMITED && g->cg.limit >= MIN_MIB * MIB &&
	       g->cg.limit <= MAX_MIB * MIB;
}

/* Limited as this lab wants it: in range, and no swap to escape to. */
static bool limited(const struct nslab_cg_group *cg)
{
	const struct group *g = (const struct group *)cg;
	return limit_in_range(g) && (g->swap != 0 || !swap_on());
}

/* The lab's groups read afresh into v (v->n -1: no memory hierarchy), and
 * the index of the one the meter and the commands look at (the lab
 * process's, else the first limited one, else `mem`, else the first), -1
 * when there is none. */
static int read_view(struct nslab_host *h, struct view *v)
{
	v->n = nslab_cg_read_all(h, MEM_CTRL, &v->hi, v->gs, sizeof(v->gs[0]), MAX_GROUPS, read_group);
	return nslab_cg_main(v->gs, sizeof(v->gs[0]), v->n, limited, GROUP);
}

static double mib(long long bytes)
{
	return (double)bytes / (double)MIB;
}

/* --- the meter: the main group's usage against its limit, and its OOM kills --- */

static void update_meter(struct nslab_host *h)
{
	struct view v;
	int i = read_view(h, &v);
	const struct group *g = i >= 0 ? &v.gs[i] : NULL;
	if (!g) {
		h->meter(h, _("memory [no cgroup under nslab/ yet] type `cgroup` or cgcreate one"));
		return;
	}
	char text[1024], lim[32], procs[64], bars[24];
	snprintf(lim, sizeof(lim), "%s", _("none"));
	nslab_meter_bar(bars, 20, mib(g->usage), g->cg.limit > 0 ? mib(g->cg.limit) : 128);
	if (g->cg.limit > 0)
		snprintf(lim, sizeof(lim), "%.0f MiB", mib(g->cg.limit));
	nslab_cg_nprocs(procs, sizeof(procs), g->cg.nprocs);
	snprintf(text, sizeof(text),
		 _("memory [%s] %.1f MiB of %s  oom_kill %lld\n"
		   "  group %s, %s: %s against %s"),
		 bars, mib(g->usage), lim, g->oom_kills, g->cg.name, procs, usage_file(&v.hi),
		 limit_file(&v.hi));
	h->meter(h, text);
}

/* --- actions shared by commands and `do` --- */

static const char *unsupported(struct nslab_host *h)
{
	return nslab_cg_unsupported(h, MEM_CTRL, FIX);
}

static int make_group(struct nslab_host *h)
{
	struct nslab_cg_hier hi;
	char dir[PATH_MAX];
	if (nslab_cg_create(h, MEM_CTRL, FIX, GROUP, "memory.max", "memory.limit_in_bytes", &hi, dir,
			    sizeof(dir)) < 0)
		return -1;
	h->print(h, _("its files: %s (the limit), %s (the usage), %s (oom_kill), %s, cgroup.procs\n"),
		 limit_file(&hi), usage_file(&hi), events_file(&hi), swap_file(&hi));
	return 0;
}

/* The limit (MiB, -1 none) and, where the knob exists, swap held to it. */
static int set_limit(struct nslab_host *h, long mibs)
{
	struct nslab_cg_hier hi;
	char dir[PATH_MAX], v[32];
	if (!nslab_cg_own(h, MEM_CTRL, FIX, GROUP, &hi, dir, sizeof(dir)))
		return -1;
	if (mibs < 0)
		snprintf(v, sizeof(v), "%s", hi.v2 ? "max" : "-1");
	else
		snprintf(v, sizeof(v), "%ldM", mibs);
	bool swap_knob = nslab_cg_value(dir, swap_file(&hi)) != NSLAB_CG_ABSENT;
	if (hi.v2) {
		if (nslab_cg_set(h, dir, "memory.max", v) < 0)
			return -1;
		if (swap_knob && nslab_cg_set(h, dir, "memory.swap.max", mibs < 0 ? "max" : "0") < 0)
			return -1;
	} else {
		/* v1 wants limit <= memsw at every moment: when the limit goes
		 * up, memsw first; when it goes down, the limit first */
		long long now = nslab_cg_value(dir, "memory.limit_in_bytes");
		bool up = mibs < 0 || (now != UNLIMITED && (long long)mibs * MIB > now);
		if (swap_knob && up && nslab_cg_set(h, dir, "memory.memsw.limit_in_bytes", v) < 0)
			return -1;
		if (nslab_cg_set(h, dir, "memory.limit_in_bytes", v) < 0)
			return -1;
		if (swap_knob && !up && nslab_cg_set(h, dir, "memory.memsw.limit_in_bytes", v) < 0)
			return -1;
	}
	if (!swap_knob)
		h->print(h, _("no %s here (it needs %s): %s\n"), swap_file(&hi),
			 hi.v2 ? "CONFIG_MEMCG_SWAP" : _("swapaccount=1 at boot"),
			 swap_on()
			     ? _("swap is on but not counted per cgroup, so a hog may swap instead of dying")
			     : _("this machine has no swap, so there is nothing to swap out to anyway"));
	return 0;
}

static int move_main(struct nslab_host *h)
{
	char dir[PATH_MAX];
	if (nslab_cg_move_main(h, MEM_CTRL, FIX, GROUP, dir, sizeof(dir)) < 0)
		return -1;
	h->print(h, _("the lab process %d is in %s: what `run` starts is born inside\n"), (int)h->main_pid(h),
		 dir);
	return 0;
}

static int live_hogs(struct nslab_host *h)
{
	struct mem_data *d = data(h);
	int n = 0;
	for (int i = 0; i < d->nhogs; i++) {
		struct nslab_proc_stat st;
		if (nslab_proc_stat(d->hogs[i], &st) == 0 && st.state != 'Z' && st.state != 'X')
			d->hogs[n++] = d->hogs[i];
		else
			h->hide_pid(h, d->hogs[i]);
	}
	d->nhogs = n;
	return n;
}

static void stop_hogs(struct nslab_host *h)
{
	struct mem_data *d = data(h);
	live_hogs(h);
	while (d->nhogs > 0) {
		pid_t pid = d->hogs[--d->nhogs];
		nslab_stop_pid(h, pid);
		h->print(h, _("hog %d stopped\n"), (int)pid);
	}
}

/* The lab process's group, read afresh; false (after an error) when it is
 * in none that is limited: a hog outside a limit would only load the host. */
static bool main_limited(struct nslab_host *h, struct nslab_cg_hier *hi, struct group *out)
{
	struct view v;
	read_view(h, &v);
	*hi = v.hi;
	for (int i = 0; i < v.n; i++)
		if (v.gs[i].cg.has_main && v.gs[i].cg.limit != UNLIMITED && v.gs[i].cg.ctrl) {
			*out = v.gs[i];
			return true;
		}
	h->error(h,
		 _("the lab process %d is in no memory cgroup of the lab with a limit: `cgroup`, `limit %d`, "
		   "`move` first"),
		 (int)h->main_pid(h), LIMIT_MIB);
	return false;
}

/* Starts a hog of `mibs` MiB in the lab process's group and waits (up to
 * `wait_ms`) until it holds its memory or the group counts one more OOM
 * kill, and says which. */
static int start_hog(struct nslab_host *h, long mibs, long wait_ms)
{
	struct group g, now;
	struct nslab_cg_hier hi;
	if (!main_limited(h, &hi, &g))
		return -1;
	if (live_hogs(h) >= MAX_HOGS) {
		h->error(h, _("%d hogs are running already: `hog 0` stops them"), MAX_HOGS);
		return -1;
	}
	struct hog_req r = {.mib = mibs, .seconds = HOG_SECONDS};
	pid_t pid = 0;
	if (h->call(h, h->main_pid(h), ag_hog, &r, sizeof(r), (char *)&pid, sizeof(pid)) < 0 || pid <= 0) {
		h->error(h, _("cannot fork a hog: %s"), strerror(errno));
		return -1;
	}
	char what[32];
	snprintf(what, sizeof(what), "%d", (int)pid);
	h->keep(h, NSLAB_OBJ_PROCESS, what);
	struct mem_data *d = data(h);
	d->hogs[d->nhogs++] = pid;
	h->show_pid(h, pid, "hog");
	h->trace(h, "fork() = %d   /* in the lab process; the child maps %ld MiB and touches every page */",
		 (int)pid, mibs);
	h->print(h, _("hog %d started in %s: %ld MiB against a limit of %.0f MiB\n"), (int)pid, g.cg.name,
		 mibs, mib(g.cg.limit));
	bool fits = (long long)mibs * MIB < g.cg.limit;
	now = g;
	for (long t = 0; t < wait_ms; t += 100) {
		nslab_sleep_ms(100);
		if (!nslab_cg_reread(h, &hi, &now.cg, sizeof(now), read_group))
			break;
		if (now.oom_kills > g.oom_kills) {
			live_hogs(h);
			h->print(h,
				 _("the OOM killer struck in %s: %s oom_kill %lld (was %lld); usage now %.1f "
				   "MiB\n"),
				 g.cg.name, events_file(&hi), now.oom_kills, g.oom_kills, mib(now.usage));
			update_meter(h);
			return 0;
		}
		if (fits && now.usage >= (long long)mibs * MIB * 3 / 4) {
			h->print(h, _("it holds its memory: %s = %.1f MiB of %.0f MiB\n"), usage_file(&hi),
				 mib(now.usage), mib(g.cg.limit));
			update_meter(h);
			return 0;
		}
	}
	h->print(
	    h, _("after %.0f s the hog neither holds its memory nor was killed (is the machine swapping?)\n"),
	    (double)wait_ms / 1000);
	update_meter(h);
	return 0;
}

/* --- commands: each step's shortcut, hogs, and the groups' files --- */

NSLAB_ACTION_COMMAND(cmd_cgroup, make_group, update_meter)

static int cmd_limit(struct nslab_host *h, int argc, char **argv)
{
	(void)argc;
	long v = -1;
	if (strcmp(argv[1], "max") != 0 && nslab_parse_long(argv[1], 4, 4096, "M MiB", &v) < 0) {
		h->error(h, _("usage: limit MIB|max  (4 to 4096 MiB, e.g. limit %d)"), LIMIT_MIB);
		return -1;
	}
	return nslab_refresh(h, update_meter, set_limit(h, v));
}

NSLAB_ACTION_COMMAND(cmd_move, move_main, update_meter)

static int cmd_hog(struct nslab_host *h, int argc, char **argv)
{
	(void)argc;
	long v;
	if (nslab_parse_long(argv[1], 0, 1024, "M MiB", &v) < 0) {
		h->error(h, _("usage: hog MIB  (1 to 1024; 0 stops the hogs)"));
		return -1;
	}
	if (v == 0) {
		stop_hogs(h);
		update_meter(h);
		return 0;
	}
	return start_hog(h, v, 15000);
}

/* A line of `usage`: an nslab_cg_say_fn. */
static void say_group(struct nslab_host *h, const struct nslab_cg_hier *hi, const struct nslab_cg_group *cg,
		      const char *procs)
{
	const struct group *g = (const struct group *)cg;
	char lim[32];
	snprintf(lim, sizeof(lim), "%s", _("max (none)"));
	if (g->cg.limit >= 0)
		snprintf(lim, sizeof(lim), "%.1f MiB", mib(g->cg.limit));
	h->print(h, _("%s: %s %.1f MiB, %s %s, %s oom_kill %lld, %s %s, %s%s\n"), g->cg.dir, usage_file(hi),
		 mib(g->usage), limit_file(hi), lim, events_file(hi), g->oom_kills, swap_file(hi),
		 g->swap < 0   ? _("(none here)")
		 : g->swap > 0 ? _("held to the limit")
			       : _("not limited"),
		 procs, g->cg.has_main ? _(" (the lab process among them)") : "");
}

static int cmd_usage(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	struct view v;
	read_view(h, &v);
	return nslab_refresh(h, update_meter,
			     nslab_cg_say_each(h, &v.hi, MEM_CTRL, v.gs, sizeof(v.gs[0]), v.n, say_group));
}

static const struct nslab_command commands[] = {
    {"cgroup", "cgroup", N_("create the cgroup nslab/<pid>/mem in the memory hierarchy"), 0, 0, cmd_cgroup},
    {"limit", N_("limit MIB|max"),
     N_("set the group's memory limit (and hold swap to it where the knob exists)"), 1, 1, cmd_limit},
    {"move", "move", N_("move the lab process into the group"), 0, 0, cmd_move},
    {"hog", N_("hog MIB"), N_("fork a process in the lab that holds MIB MiB (0 stops them)"), 1, 1, cmd_hog},
    {"usage", "usage", N_("each group's usage, limit, oom_kill count and swap limit, from its files"), 0, 0,
     cmd_usage},
};

/* --- checks --- */

/* The groups, or false after saying what is missing (no hierarchy, no
 * group, no memory files in it). */
static bool need_groups(struct nslab_host *h, struct view *v)
{
	read_view(h, v);
	return nslab_cg_need_any(h, &v->hi, MEM_CTRL, limit_file(&v->hi), GROUP, v->gs, sizeof(v->gs[0]),
				 v->n);
}

static bool check_group(struct nslab_host *h)
{
	struct view v;
	return need_groups(h, &v);
}

/* The groups with some group limited as the lab wants; else says what the
 * first one lacks. */
static bool need_limited(struct nslab_host *h, struct view *v)
{
	if (!need_groups(h, v))
		return false;
	if (nslab_cg_first(v->gs, sizeof(v->gs[0]), v->n, limited) >= 0)
		return true;
	int i = nslab_cg_first(v->gs, sizeof(v->gs[0]), v->n, NULL);
	const struct group *g = &v->gs[i];
	const struct nslab_cg_hier *hi = &v->hi;
	if (g->cg.limit == UNLIMITED)
		h->missing(h, _("%s/%s says no limit: `limit %d` (or cgset -r %s=64M)"), g->cg.dir,
			   limit_file(hi), LIMIT_MIB, limit_file(hi));
	else if (!limit_in_range(g))
		h->missing(h,
			   _("%s/%s is %.1f MiB: this lab wants %d to %d MiB, so that a %d MiB hog fits and "
			     "a %d MiB "
			     "one does not: `limit %d`"),
			   g->cg.dir, limit_file(hi), mib(g->cg.limit), MIN_MIB, MAX_MIB, FIT_MIB, OVER_MIB,
			   LIMIT_MIB);
	else
		h->missing(
		    h,
		    _("%s/%s lets the group swap (this machine has swap): a hog would be swapped out instead "
		      "of killed: `limit %d` sets it too"),
		    g->cg.dir, swap_file(hi), LIMIT_MIB);
	return false;
}

static bool check_limit(struct nslab_host *h)
{
	struct view v;
	return need_limited(h, &v);
}

/* The groups with a process in a limited one. */
static bool need_inside(struct nslab_host *h, struct view *v)
{
	if (!need_limited(h, v))
		return false;
	for (int i = 0; i < v->n; i++)
		if (limited(&v->gs[i].cg) && v->gs[i].cg.nprocs > 0)
			return true;
	pid_t pid = h->main_pid(h);
	h->missing(h,
		   _("no process is in a limited memory cgroup of the lab; the lab process %d is not (see "
		     "/proc/%d/cgroup): `move`"),
		   (int)pid, (int)pid);
	return false;
}

static bool check_inside(struct nslab_host *h)
{
	struct view v;
	return need_inside(h, &v);
}

static bool check_fits(struct nslab_host *h)
{
	struct view v;
	if (!need_inside(h, &v))
		return false;
	const struct group *best = NULL;
	for (int i = 0; i < v.n; i++)
		if (limited(&v.gs[i].cg) && v.gs[i].cg.nprocs > 0 && (!best || v.gs[i].usage > best->usage))
			best = &v.gs[i];
	if (best->usage >= HELD_MIB * MIB)
		return true;
	h->missing(h, _("%s/%s is %.1f MiB: nothing there holds %d MiB or more yet: `hog %d`"), best->cg.dir,
		   usage_file(&v.hi), mib(best->usage), HELD_MIB, FIT_MIB);
	return false;
}

static bool check_oom(struct nslab_host *h)
{
	struct view v;
	if (!need_limited(h, &v))
		return false;
	for (int i = 0; i < v.n; i++)
		if (v.gs[i].oom_kills > 0)
			return true;
	const struct group *g = &v.gs[nslab_cg_main(v.gs, sizeof(v.gs[0]), v.n, limited, GROUP)];
	h->missing(h, _("%s/%s counts no OOM kill yet (oom_kill 0): run something over the limit: `hog %d`"),
		   g->cg.dir, events_file(&v.hi), OVER_MIB);
	return false;
}

/* --- do --- */

static int do_limit(struct nslab_host *h)
{
	return set_limit(h, LIMIT_MIB);
}
static int do_fits(struct nslab_host *h)
{
	return start_hog(h, FIT_MIB, 15000);
}
static int do_oom(struct nslab_host *h)
{
	return start_hog(h, OVER_MIB, 30000);
}

static const struct nslab_step steps[] = {
    {
	.title = N_("Create a memory cgroup"),
	.task = N_("Make a cgroup in the hierarchy that holds the memory controller, under nslab's tree:\n"
		   "  host cgcreate -g memory:nslab/$(basename $NSLAB_CGROUP_DIR)/mem\n"
		   "Then look at the memory files the kernel put there:\n"
		   "  usage\n"
		   "nslab's shortcut for the first line is `cgroup`, which also says where the files are."),
	.hint = N_(
	    "$(basename $NSLAB_CGROUP_DIR) is nslab's PID: this run's cgroups live under nslab/<that PID>, "
	    "so that stop removes them. cgcreate finds the memory hierarchy itself."),
	.explain =
	    N_("A cgroup is a directory in the cgroup filesystem: mkdir(2) there made it, and the kernel "
	       "filled it with the memory controller's files. cgroup v1 (and a hybrid machine) mounts the "
	       "memory controller on a hierarchy of its own, /sys/fs/cgroup/memory: memory.limit_in_bytes, "
	       "memory.usage_in_bytes, memory.oom_control, memory.memsw.limit_in_bytes. cgroup v2 has one "
	       "tree at /sys/fs/cgroup, and a child gets memory.max, memory.current, memory.events and "
	       "memory.swap.max only once its parent lists \"memory\" in cgroup.subtree_control (nslab wrote "
	       "+memory into its own nslab/ and nslab/<pid>/ at start)."),
	.check = check_group,
	.perform = make_group,
    },
    {
	.title = N_("Limit it to 64 MiB, without swap"),
	.task =
	    N_("Give the group 64 MiB and no swap, so that going over means the OOM killer, not swapping. "
	       "Type the two lines for this machine's layout (the lab named it when it started). cgroup v2:\n"
	       "  host cgset -r memory.max=64M nslab/$(basename $NSLAB_CGROUP_DIR)/mem\n"
	       "  host cgset -r memory.swap.max=0 nslab/$(basename $NSLAB_CGROUP_DIR)/mem\n"
	       "cgroup v1 and hybrid (memsw is memory plus swap, so equal means no swap):\n"
	       "  host cgset -r memory.limit_in_bytes=64M nslab/$(basename $NSLAB_CGROUP_DIR)/mem\n"
	       "  host cgset -r memory.memsw.limit_in_bytes=64M nslab/$(basename $NSLAB_CGROUP_DIR)/mem\n"
	       "Where `usage` shows the swap file as \"(none here)\" (no swap accounting), leave the second "
	       "line out. The shortcut `limit 64` writes the right files for this machine."),
	.hint = N_(
	    "`usage` says which files this machine has. The kernel reads suffixes: 64M is 67108864 bytes."),
	.explain = N_(
	    "The limit is a write(2) to a file: memory.max (v2) or memory.limit_in_bytes (v1). Every page "
	    "a process of the group touches is charged to it; when the charge would go over the limit, "
	    "the kernel first reclaims (drops page cache, swaps anonymous memory out) and, when nothing "
	    "more can be reclaimed, invokes the OOM killer inside the group. Swap is the escape route: "
	    "with swap the hog's pages would move to disk and it would live on, slowly. memory.swap.max=0 "
	    "(v2) or memory.memsw.limit_in_bytes equal to the limit (v1) closes it. A machine without swap "
	    "(SwapTotal 0 in /proc/meminfo), or without swap accounting (no such file), has nothing to "
	    "close. v2 also has memory.high: above it the kernel throttles the group (reclaims hard and "
	    "makes its allocations wait, counted as `high` in memory.events) but kills nothing; memory.max "
	    "is the wall where the OOM killer takes over."),
	.check = check_limit,
	.perform = do_limit,
    },
    {
	.title = N_("Move the lab process in"),
	.task = N_("Put the lab process into the group; what `run` starts is then born inside:\n"
		   "  host cgclassify -g memory:nslab/$(basename $NSLAB_CGROUP_DIR)/mem $NSLAB_LAB_PID\n"
		   "or: `move`. Then see it from inside:\n"
		   "  run cat /proc/self/cgroup"),
	.hint =
	    N_("Writing a PID to the group's cgroup.procs moves that process; cgclassify does that write."),
	.explain =
	    N_("Moving a process is write(2) of its PID to cgroup.procs. /proc/<pid>/cgroup now names "
	       "/nslab/<pid>/mem on the memory line (v1) or on the single `0::` line (v2). From now on the "
	       "pages it and its children allocate are charged to the group: memory.current (v2) or "
	       "memory.usage_in_bytes (v1). Memory charged before the move stays with the old group."),
	.check = check_inside,
	.perform = move_main,
    },
    {
	.title = N_("A hog that fits"),
	.task = N_("Run a process that takes 32 MiB and keeps it (it ends by itself after 5 minutes):\n"
		   "  run stress --quiet --vm 1 --vm-bytes 32M --vm-hang 0 --timeout 300 &\n"
		   "or: `hog 32`. Then read the usage against the limit (the meter shows it too):\n"
		   "  usage"),
	.hint = N_("--vm-hang 0 makes the stress worker keep its memory after touching it; --quiet keeps its "
		   "messages off your screen while you work (nslab throws away what a command left in the "
		   "background writes once its command line has returned)."),
	.explain = N_(
	    "stress's worker malloc(3)s 32 MiB and writes to every page: each first touch is a page fault, "
	    "and the kernel charges the new page to the group. memory.current (v2) or "
	    "memory.usage_in_bytes (v1) rises by about 32 MiB and stays there, under the 64 MiB limit: "
	    "nothing happens to the worker. The count includes page cache and kernel memory of the group, "
	    "which is why it reads a little more than the hog alone."),
	.check = check_fits,
	.perform = do_fits,
    },
    {
	.title = N_("Over the limit: the OOM killer"),
	.task = N_("Now one that does not fit: 128 MiB under a 64 MiB limit, with no swap to escape to:\n"
		   "  run stress --vm 1 --vm-bytes 128M --vm-hang 0 --timeout 30\n"
		   "or: `hog 128`. stress says its worker got signal 9. Count the kills:\n"
		   "  usage"),
	.hint = N_("oom_kill is a line of memory.events (v2) or of memory.oom_control (v1)."),
	.explain =
	    N_("When the group's charge would pass memory.max / memory.limit_in_bytes and reclaim frees "
	       "nothing (anonymous memory, no swap), the kernel runs the OOM killer for the group alone: it "
	       "picks the process with the most memory in the group (its oom_score) and sends it SIGKILL. "
	       "The host never runs short, and processes outside the group are never chosen. The kill is "
	       "counted in memory.events (v2: `oom` for the events, `oom_kill` for the kills, `max` for "
	       "the times the limit was hit) or memory.oom_control (v1: `oom_kill`, and `under_oom`; writing "
	       "oom_kill_disable 1 there makes the group wait instead of killing), and the kernel log says "
	       "\"Memory cgroup out of memory: Killed process ...\" (dmesg). A container runtime sets the "
	       "same file: `docker run -m 64m` writes memory.max."),
	.check = check_oom,
	.perform = do_oom,
    },
};

/* --- lab --- */

static int setup(struct nslab_host *h)
{
	if (!nslab_new_lab_data(h, sizeof(struct mem_data)))
		return -1;
	if (nslab_cg_start(h, MEM_CTRL, FIX) < 0)
		return -1;
	return 0;
}

static void teardown(struct nslab_host *h)
{
	h->meter(h, NULL);
	nslab_free_lab_data(h);
}

static const struct nslab_lab lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "memory",
    .title = N_("cgroup memory limit and the OOM killer"),
    .summary =
	N_("A container's memory limit is a cgroup file. Make a memory cgroup under nslab/, give it "
	   "64 MiB and no swap, move the lab process in, and run two hogs: one of 32 MiB that fits "
	   "and one of 128 MiB that the OOM killer ends inside the group while the host never notices. "
	   "memory.current / memory.usage_in_bytes shows the usage, memory.events / memory.oom_control "
	   "counts the kill. Works on cgroup v1, hybrid and v2."),
    .order = 130,
    NSLAB_STEPS(steps),
    .unsupported = unsupported,
    .setup = setup,
    .teardown = teardown,
    NSLAB_COMMANDS(commands),
    .tick = update_meter,
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(lab)
