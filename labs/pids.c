/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pids.c: the cgroup pids lab. The learner makes a cgroup in the hierarchy
 * that holds the pids controller (v1 and hybrid: /sys/fs/cgroup/pids; v2:
 * the one tree), sets pids.max to 20, moves the lab process in and runs a
 * fork bomb bounded in count and time: fork() fails with EAGAIN once the
 * group holds 20 tasks, pids.events counts each refusal (`max N`), and the
 * host goes on forking.
 *
 * Every group lives under <mount>/nslab/<nslab pid>/, so that stop and
 * `nslab --cleanup` remove it; the checks read the kernel's files of every
 * group there, whoever made it (cgcreate, mkdir, or `cgroup`). On v2 the
 * lab writes +pids into cgroup.subtree_control of nslab/ and nslab/<pid>/
 * only, both nslab's own; the root's it never touches: if pids is not
 * enabled there, the lab says so and how to enable it. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PIDS_CTRL "pids"
#define FIX "a kernel built with CONFIG_CGROUP_PIDS has it" /* when no hierarchy has it */
#define GROUP "forks"                                       /* the group `cgroup` makes */
#define LIMIT 20                                            /* what `do` sets */
#define MIN_LIMIT 5       /* a limit the lab process and a shell fit in ... */
#define MAX_LIMIT 100     /* ... and a bomb of BOMB forks does not */
#define BOMB 40           /* forks the bomb tries by default */
#define MAX_BOMB 200      /* and at most */
#define BOMB_HOLD_MS 3000 /* each child lives this long, then exits by itself */
#define MAX_GROUPS 16
#define UNLIMITED NSLAB_CG_UNLIMITED /* pids.max "max" */

/* One cgroup under nslab/<pid>/, as the kernel's files show it now. */
struct group {
	struct nslab_cg_group cg; /* name, dir, ctrl, limit, nprocs, has_main */
	long long current;        /* pids.current: tasks (threads too) in the group and below */
	long long refused;        /* pids.events "max": forks refused for the limit */
};

/* The lab's groups, read afresh. */
struct view {
	struct nslab_cg_hier hi;
	struct group gs[MAX_GROUPS];
	int n; /* -1: no hierarchy holds the pids controller */
};

/* --- inside the lab process (h->call) --- */

/* The bomb's result, sent back to nslab. */
struct bomb_res {
	int forked, eagain, other, first_err;
};

/* A bounded fork bomb: fork() up to *arg times, every child sleeping
 * BOMB_HOLD_MS and exiting by itself (and with the lab process), counting
 * the forks the kernel refuses. It returns at once: the children are still
 * there, so nslab can look at the full group and at the host meanwhile;
 * the lab process reaps them when they end. */
static int ag_bomb(void *arg, char *out, size_t outlen)
{
	int n;
	struct bomb_res r = {0, 0, 0, 0};
	if (outlen < sizeof(r)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(&n, arg, sizeof(n));
	for (int i = 0; i < n && i < MAX_BOMB; i++) {
		pid_t pid = nslab_fork_tied();
		if (pid == 0) {
			prctl(PR_SET_NAME, "nslab-bomb");
			for (int fd = 3; fd < 1024; fd++)
				close(fd);
			struct timespec ts = {BOMB_HOLD_MS / 1000, (BOMB_HOLD_MS % 1000) * 1000000L};
			nanosleep(&ts, NULL);
			_exit(0);
		}
		if (pid > 0)
			r.forked++;
		else if (errno == EAGAIN)
			r.eagain++;
		else
			r.other++;
		if (pid < 0 && !r.first_err)
			r.first_err = errno;
	}
	memcpy(out, &r, sizeof(r));
	return 0;
}

/* --- the hierarchy and its groups --- */

/* An nslab_cg_read_fn. */
static void read_group(struct nslab_host *h, const struct nslab_cg_hier *hi, struct nslab_cg_group *cg)
{
	(void)h, (void)hi;
	struct group *g = (struct group *)cg;
	g->cg.limit = nslab_cg_value(g->cg.dir, "pids.max");
	g->cg.ctrl = g->cg.limit != NSLAB_CG_ABSENT;
	g->current = nslab_cg_value(g->cg.dir, "pids.current");
	g->current = g->current < 0 ? 0 : g->current;
	g->refused = nslab_cg_key(g->cg.dir, "pids.events", "max");
}

static bool limited(const struct nslab_cg_group *g)
{
	return g->ctrl && g->limit != UNLIMITED && g->limit >= MIN_LIMIT && g->limit <= MAX_LIMIT;
}

/* The lab's groups read afresh into v (v->n -1: no pids hierarchy), and
 * the index of the one the meter and the commands look at (the lab
 * process's, else the first limited one, else `forks`, else the first), -1
 * when there is none. */
static int read_view(struct nslab_host *h, struct view *v)
{
	v->n = nslab_cg_read_all(h, PIDS_CTRL, &v->hi, v->gs, sizeof(v->gs[0]), MAX_GROUPS, read_group);
	return nslab_cg_main(v->gs, sizeof(v->gs[0]), v->n, limited, GROUP);
}

/* --- the meter: the main group's tasks against pids.max, and refused forks --- */

static void update_meter(struct nslab_host *h)
{
	struct view v;
	int i = read_view(h, &v);
	const struct group *g = i >= 0 ? &v.gs[i] : NULL;
	if (!g) {
		h->meter(h, _("pids [no cgroup under nslab/ yet] type `cgroup` or cgcreate one"));
		return;
	}
	char text[1024], lim[32] = "max", procs[64], bars[24];
	nslab_meter_bar(bars, 20, (double)g->current, g->cg.limit > 0 ? (double)g->cg.limit : 100);
	if (g->cg.limit >= 0)
		snprintf(lim, sizeof(lim), "%lld", g->cg.limit);
	nslab_cg_nprocs(procs, sizeof(procs), g->cg.nprocs);
	snprintf(text, sizeof(text),
		 _("pids [%s] %lld of %s tasks  refused forks %lld\n"
		   "  group %s, %s: pids.current against pids.max, pids.events max"),
		 bars, g->current, lim, g->refused, g->cg.name, procs);
	h->meter(h, text);
}

/* --- actions shared by commands and `do` --- */

static int make_group(struct nslab_host *h)
{
	struct nslab_cg_hier hi;
	char dir[PATH_MAX];
	if (nslab_cg_create(h, PIDS_CTRL, FIX, GROUP, "pids.max", "pids.max", &hi, dir, sizeof(dir)) < 0)
		return -1;
	h->print(h, _("its files: pids.max (the limit), pids.current (tasks now), pids.events (max: forks "
		      "refused), cgroup.procs\n"));
	return 0;
}

/* pids.max: a number, or -1 for "max". */
static int set_limit(struct nslab_host *h, long n)
{
	struct nslab_cg_hier hi;
	char dir[PATH_MAX], v[32];
	if (!nslab_cg_own(h, PIDS_CTRL, FIX, GROUP, &hi, dir, sizeof(dir)))
		return -1;
	if (n < 0)
		snprintf(v, sizeof(v), "max");
	else
		snprintf(v, sizeof(v), "%ld", n);
	return nslab_cg_set(h, dir, "pids.max", v);
}

static int move_main(struct nslab_host *h)
{
	char dir[PATH_MAX];
	if (nslab_cg_move_main(h, PIDS_CTRL, FIX, GROUP, dir, sizeof(dir)) < 0)
		return -1;
	h->print(h, _("the lab process %d is in %s: what it and `run` fork is counted there\n"),
		 (int)h->main_pid(h), dir);
	return 0;
}

/* The lab process's group, read afresh; false (after an error) when it is
 * in none that is limited: a bomb outside a limit would only load the host. */
static bool main_limited(struct nslab_host *h, struct nslab_cg_hier *hi, struct group *out)
{
	struct view v;
	read_view(h, &v);
	*hi = v.hi;
	for (int i = 0; i < v.n; i++)
		if (v.gs[i].cg.has_main && v.gs[i].cg.ctrl && v.gs[i].cg.limit != UNLIMITED &&
		    v.gs[i].cg.limit <= MAX_BOMB) {
			*out = v.gs[i];
			return true;
		}
	h->error(h,
		 _("the lab process %d is in no pids cgroup of the lab with a limit of %d or less: `cgroup`, "
		   "`limit %d`, `move` first"),
		 (int)h->main_pid(h), MAX_BOMB, LIMIT);
	return false;
}

/* The bomb stops by itself: waits (a little longer than its children
 * live, and the lab process's reaping) until the group is back to what it
 * held before, and says so. Nothing of the bomb outlives the command. */
static int wait_children(struct nslab_host *h, const struct nslab_cg_hier *hi, const struct group *before)
{
	struct group now = *before;
	for (long t = 0; t <= BOMB_HOLD_MS + 2000; t += 100) {
		if (!nslab_cg_reread(h, hi, &now.cg, sizeof(now), read_group))
			return 0;
		if (now.current <= before->current) {
			h->print(
			    h,
			    _("the bomb's children ended by themselves after %.1f s: pids.current is %lld "
			      "again\n"),
			    (double)t / 1000, now.current);
			update_meter(h);
			return 0;
		}
		nslab_sleep_ms(100);
	}
	h->print(h, _("after %.0f s the group still holds %lld tasks (%lld before the bomb)\n"),
		 (double)(BOMB_HOLD_MS + 2000) / 1000, now.current, before->current);
	update_meter(h);
	return 0;
}

/* Runs the bomb in the lab process, then, while its children still hold
 * the group full, reads the group and has the host fork. */
static int bomb(struct nslab_host *h, int n)
{
	struct nslab_cg_hier hi;
	struct group g, now;
	if (!main_limited(h, &hi, &g))
		return -1;
	struct bomb_res r;
	if (h->call(h, h->main_pid(h), ag_bomb, &n, sizeof(n), (char *)&r, sizeof(r)) < 0) {
		h->error(h, _("the bomb did not run in the lab process: %s"), strerror(errno));
		return -1;
	}
	if (r.forked > 0)
		h->trace(h, "fork() = <pid>   /* %d times, in the lab process: each child sleeps %d ms */",
			 r.forked, BOMB_HOLD_MS);
	if (r.eagain > 0)
		h->trace(h, "fork() = -1 EAGAIN (Resource temporarily unavailable)   /* %d times */",
			 r.eagain);
	h->print(h, _("bomb: %d forks tried in the lab process: %d made a child, %d failed with EAGAIN"), n,
		 r.forked, r.eagain);
	if (r.other)
		h->print(h, _(", %d with %s"), r.other, strerror(r.first_err));
	h->print(h, "\n");
	now = g;
	if (nslab_cg_reread(h, &hi, &now.cg, sizeof(now), read_group))
		h->print(h, _("%s: pids.current %lld of pids.max %lld; pids.events max %lld (was %lld)\n"),
			 now.cg.dir, now.current, now.cg.limit, now.refused, g.refused);
	char *out = NULL;
	int st = h->host_run(h, "true", &out);
	free(out);
	h->print(h, _("meanwhile the host forked and ran `true` (exit %d): the limit is the group's alone\n"),
		 st);
	update_meter(h);
	return wait_children(h, &hi, &g);
}

/* --- commands: each step's shortcut, the bomb, and the groups' files --- */

NSLAB_ACTION_COMMAND(cmd_cgroup, make_group, update_meter)

static int cmd_limit(struct nslab_host *h, int argc, char **argv)
{
	(void)argc;
	long v = -1;
	if (strcmp(argv[1], "max") != 0 && nslab_parse_long(argv[1], 1, 100000, NULL, &v) < 0) {
		h->error(h, _("usage: limit N|max  (1 to 100000 tasks, e.g. limit %d)"), LIMIT);
		return -1;
	}
	return nslab_refresh(h, update_meter, set_limit(h, v));
}

NSLAB_ACTION_COMMAND(cmd_move, move_main, update_meter)

static int cmd_bomb(struct nslab_host *h, int argc, char **argv)
{
	long n = BOMB;
	if (argc > 1 && nslab_parse_long(argv[1], 1, MAX_BOMB, NULL, &n) < 0) {
		h->error(h, _("usage: bomb [N]  (1 to %d forks; default %d)"), MAX_BOMB, BOMB);
		return -1;
	}
	return bomb(h, (int)n);
}

/* A line of `usage`: an nslab_cg_say_fn. */
static void say_group(struct nslab_host *h, const struct nslab_cg_hier *hi, const struct nslab_cg_group *cg,
		      const char *procs)
{
	(void)hi;
	const struct group *g = (const struct group *)cg;
	char lim[32];
	snprintf(lim, sizeof(lim), "%s", _("max (none)"));
	if (g->cg.limit >= 0)
		snprintf(lim, sizeof(lim), "%lld", g->cg.limit);
	h->print(h, _("%s: pids.current %lld, pids.max %s, pids.events max %lld, %s%s\n"), g->cg.dir,
		 g->current, lim, g->refused, procs,
		 g->cg.has_main ? _(" (the lab process among them)") : "");
}

static int cmd_usage(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	struct view v;
	read_view(h, &v);
	return nslab_refresh(h, update_meter,
			     nslab_cg_say_each(h, &v.hi, PIDS_CTRL, v.gs, sizeof(v.gs[0]), v.n, say_group));
}

static const struct nslab_command commands[] = {
    {"cgroup", "cgroup", N_("create the cgroup nslab/<pid>/forks in the pids hierarchy"), 0, 0, cmd_cgroup},
    {"limit", N_("limit N|max"), N_("set the group's pids.max"), 1, 1, cmd_limit},
    {"move", "move", N_("move the lab process into the group"), 0, 0, cmd_move},
    {"bomb", N_("bomb [N]"),
     N_("a bounded fork bomb in the lab process: N forks (default 40), children live 3 s"), 0, 1, cmd_bomb},
    {"usage", "usage", N_("each group's pids.current, pids.max and pids.events, from its files"), 0, 0,
     cmd_usage},
};

/* --- checks --- */

/* The groups, or false after saying what is missing. */
static bool need_groups(struct nslab_host *h, struct view *v)
{
	read_view(h, v);
	return nslab_cg_need_any(h, &v->hi, PIDS_CTRL, "pids.max", GROUP, v->gs, sizeof(v->gs[0]), v->n);
}

/* The groups with one limited as the lab wants; else what the first lacks. */
static bool need_limited(struct nslab_host *h, struct view *v)
{
	if (!need_groups(h, v))
		return false;
	if (nslab_cg_first(v->gs, sizeof(v->gs[0]), v->n, limited) >= 0)
		return true;
	const struct group *g = &v->gs[nslab_cg_first(v->gs, sizeof(v->gs[0]), v->n, NULL)];
	if (g->cg.limit == UNLIMITED)
		h->missing(h, _("%s/pids.max is max (no limit): `limit %d` (or cgset -r pids.max=%d)"),
			   g->cg.dir, LIMIT, LIMIT);
	else
		h->missing(
		    h,
		    _("%s/pids.max is %lld: this lab wants %d to %d, room for the lab process and a shell "
		      "but not for the bomb: `limit %d`"),
		    g->cg.dir, g->cg.limit, MIN_LIMIT, MAX_LIMIT, LIMIT);
	return false;
}

static bool check_group(struct nslab_host *h)
{
	struct view v;
	return need_groups(h, &v);
}

static bool check_limit(struct nslab_host *h)
{
	struct view v;
	return need_limited(h, &v);
}

static bool check_inside(struct nslab_host *h)
{
	struct view v;
	if (!need_limited(h, &v))
		return false;
	for (int i = 0; i < v.n; i++)
		if (limited(&v.gs[i].cg) && v.gs[i].cg.nprocs > 0 && v.gs[i].current > 0)
			return true;
	pid_t pid = h->main_pid(h);
	h->missing(
	    h,
	    _("no process is in a limited pids cgroup of the lab (pids.current 0); the lab process %d is "
	      "not (see /proc/%d/cgroup): `move`"),
	    (int)pid, (int)pid);
	return false;
}

static bool check_bomb(struct nslab_host *h)
{
	struct view v;
	if (!need_limited(h, &v))
		return false;
	for (int i = 0; i < v.n; i++)
		if (v.gs[i].refused > 0)
			return true;
	const struct group *g = &v.gs[nslab_cg_main(v.gs, sizeof(v.gs[0]), v.n, limited, GROUP)];
	h->missing(h, _("%s/pids.events says max 0: no fork has hit pids.max yet: `bomb`"), g->cg.dir);
	return false;
}

/* --- do --- */

static int do_limit(struct nslab_host *h)
{
	return set_limit(h, LIMIT);
}
static int do_bomb(struct nslab_host *h)
{
	return bomb(h, BOMB);
}

static const struct nslab_step steps[] = {
    {
	.title = N_("Create a pids cgroup"),
	.task = N_("Make a cgroup in the hierarchy that holds the pids controller, under nslab's tree:\n"
		   "  host cgcreate -g pids:nslab/$(basename $NSLAB_CGROUP_DIR)/forks\n"
		   "Then read its files:\n"
		   "  usage\n"
		   "nslab's shortcut for the first line is `cgroup`, which also says where the files are."),
	.hint = N_(
	    "$(basename $NSLAB_CGROUP_DIR) is nslab's PID: this run's cgroups live under nslab/<that PID>, "
	    "so that stop removes them."),
	.explain = N_(
	    "mkdir(2) in the cgroup filesystem made the group, and the kernel gave it the pids "
	    "controller's files: pids.max (the limit, \"max\" = none), pids.current (tasks in the group "
	    "now, threads included) and pids.events. cgroup v1 (and a hybrid machine) mounts pids on its "
	    "own hierarchy, /sys/fs/cgroup/pids; cgroup v2 has one tree, where a child gets the files once "
	    "its parent lists \"pids\" in cgroup.subtree_control (nslab wrote +pids into its own nslab/ "
	    "and nslab/<pid>/ at start). The file names are the same on v1 and v2."),
	.check = check_group,
	.perform = make_group,
    },
    {
	.title = N_("Limit it to 20 tasks"),
	.task = N_("Allow the group 20 tasks at most:\n"
		   "  host cgset -r pids.max=20 nslab/$(basename $NSLAB_CGROUP_DIR)/forks\n"
		   "or: `limit 20`. The same on v1 and v2."),
	.hint = N_("pids.max counts tasks: every process and every thread."),
	.explain =
	    N_("pids.max is written with write(2), like every cgroup knob. From now on fork(2), vfork(2) and "
	       "clone(2) (threads too) in the group fail once pids.current would pass pids.max. Moving a "
	       "process in never fails for the limit: only new tasks are refused. `docker run "
	       "--pids-limit 20` writes this file."),
	.check = check_limit,
	.perform = do_limit,
    },
    {
	.title = N_("Move the lab process in"),
	.task = N_("Put the lab process into the group; what it and `run` fork is counted there:\n"
		   "  host cgclassify -g pids:nslab/$(basename $NSLAB_CGROUP_DIR)/forks $NSLAB_LAB_PID\n"
		   "or: `move`. Then look at the count:\n"
		   "  usage"),
	.hint =
	    N_("Writing a PID to the group's cgroup.procs moves that process; cgclassify does that write."),
	.explain =
	    N_("The write of the PID to cgroup.procs moved the process; /proc/<pid>/cgroup names "
	       "/nslab/<pid>/forks on the pids line (v1) or the `0::` line (v2), and pids.current counts "
	       "it. Every child it forks is born in the group and counted until it is reaped."),
	.check = check_inside,
	.perform = move_main,
    },
    {
	.title = N_("A bounded fork bomb hits the wall"),
	.task = N_("Fork 40 sleepers from inside the group (each ends after 5 s, so this stops by itself):\n"
		   "  run for i in $(seq 40); do sleep 5 & done; wait\n"
		   "The shell says it cannot fork (the shortcut `bomb` forks too, and counts the failures). "
		   "Then read what the kernel counted, and see that the host still forks:\n"
		   "  usage\n"
		   "  host ps -e --no-headers | wc -l"),
	.hint =
	    N_("A fork bomb forks without end; this one stops after 40 tries, and its children after a few "
	       "seconds."),
	.explain = N_(
	    "When pids.current reaches pids.max, the kernel refuses the next fork(2) or clone(2) in the "
	    "group "
	    "with EAGAIN (\"Resource temporarily unavailable\", the error a shell prints as \"cannot "
	    "fork\"). "
	    "pids.events counts each refusal on its `max` line. The limit is the group's alone: the host, "
	    "outside it, forks as before. Without it a real fork bomb (`:(){ :|:& };:`) fills the machine's "
	    "pid space (/proc/sys/kernel/pid_max) and the host cannot start anything, not even a shell "
	    "to stop it: that is why container runtimes set pids.max."),
	.check = check_bomb,
	.perform = do_bomb,
    },
};

/* --- lab --- */

static const char *unsupported(struct nslab_host *h)
{
	return nslab_cg_unsupported(h, PIDS_CTRL, FIX);
}

static int setup(struct nslab_host *h)
{
	if (nslab_cg_start(h, PIDS_CTRL, FIX) < 0)
		return -1;
	return 0;
}

static void teardown(struct nslab_host *h)
{
	h->meter(h, NULL);
}

static const struct nslab_lab lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "pids",
    .title = N_("cgroup pids limit: a fork bomb held"),
    .summary = N_("A container's process count is a cgroup file. Make a pids cgroup under nslab/, set "
		  "pids.max to 20, move the lab process in and run a fork bomb bounded in count and time: "
		  "fork() fails with EAGAIN at the limit, pids.events counts every refusal, and the host "
		  "goes on forking. Works on cgroup v1, hybrid and v2."),
    .order = 140,
    NSLAB_STEPS(steps),
    NSLAB_COMMANDS(commands),
    .tick = update_meter,
    .unsupported = unsupported,
    .setup = setup,
    .teardown = teardown,
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(lab)
