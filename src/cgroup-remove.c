/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup-remove.c: killing what is in a cgroup tree and removing it, and the
 * cgroup kind of the cleanup registry: which cgroup paths a run may remove
 * (its own <mount>/nslab/<pid> tree, or the shared top when empty), their
 * undo, and the --cleanup sweep of trees whose run is gone. Its own file
 * because it is what the registry calls back, and the one place that
 * decides what nslab may remove from a cgroup hierarchy. */
#include "cgroup-int.h"
#include "cleanup.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* SIGKILLs every process listed in dir and the cgroups below it; returns
 * how many it saw (0: the tree is empty). */
static int kill_members(const char *dir)
{
	char path[PATH_MAX + 16];
	cg_pathf(path, sizeof(path), "%s/cgroup.procs", dir);
	int n = 0;
	FILE *f = fopen(path, "re");
	if (f) {
		int pid;
		while (fscanf(f, "%d", &pid) == 1)
			if (pid > 0 && pid != getpid() && (kill(pid, SIGKILL) == 0 || errno != ESRCH))
				n++;
		fclose(f);
	}
	DIR *d = opendir(dir);
	if (!d)
		return n;
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && de->d_name[0] != '.' &&
		    cg_pathf(path, sizeof(path), "%s/%s", dir, de->d_name))
			n += kill_members(path);
	closedir(d);
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* A v1 freezer stops a fork loop from outrunning the kills; the kills land
 * when the cgroup thaws. Freezing is asynchronous: wait for FROZEN. */
static bool freeze(const char *dir, bool on)
{
	char path[PATH_MAX + 16], now[32];
	cg_pathf(path, sizeof(path), "%s/freezer.state", dir);
	if (write_file(path, on ? "FROZEN" : "THAWED") < 0)
		return false;
	for (int i = 0; on && i < 100; i++) {
		if (read_file(path, now, sizeof(now)) > 0 && strncmp(now, "FROZEN", 6) == 0)
			break;
		sleep_ms(5);
	}
	return true;
}

/* cgroup2: no process left anywhere in the tree, by cgroup.events (one
 * read; what a killed lab's stop finds on each level it removes). */
static bool v2_unpopulated(const char *dir)
{
	char path[PATH_MAX + 16], buf[256];
	cg_pathf(path, sizeof(path), "%s/cgroup.events", dir);
	return read_file(path, buf, sizeof(buf)) > 0 && strstr(buf, "populated 0") != NULL;
}

int cgroup_kill_tree(const char *dir)
{
	char path[PATH_MAX + 16];
	if (v2_unpopulated(dir))
		return 0;
	/* v2 (5.14+): one write kills the whole subtree, forks included. */
	cg_pathf(path, sizeof(path), "%s/cgroup.kill", dir);
	bool killed = write_file(path, "1") == 0;
	if (!killed && freeze(dir, true)) {
		kill_members(dir);
		freeze(dir, false);
	}
	/* Killed processes leave within a millisecond or two: look often at
	 * first (stop and quit wait on this), then every 10 ms, for about 3 s. */
	for (int i = 0; i < 320; i++) {
		if (kill_members(dir) == 0)
			return 0;
		sleep_ms(i < 50 ? 1 : 10);
	}
	errno = EBUSY;
	return -1;
}

/* rmdir, retrying while killed processes finish leaving (a cgroup is
 * busy until its last task has left). */
static int rmdir_cgroup(const char *dir)
{
	for (int i = 0; i < 200; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -1;
		sleep_ms(10);
	}
	errno = EBUSY;
	return -1;
}

static bool is_top(const char *dir)
{
	const char *b = strrchr(dir, '/');
	return b && strcmp(b + 1, CG_TOP) == 0;
}

/* The shared top goes with the last run's tree (if another run still has
 * one, rmdir fails with EBUSY and it stays). */
static void remove_top_of(const char *dir)
{
	char top[PATH_MAX];
	const char *slash = strrchr(dir, '/');
	if (slash && cg_pathf(top, sizeof(top), "%.*s", (int)(slash - dir), dir) && is_top(top))
		rmdir(top);
}

/* Removes a cgroup dir. The shared top `nslab` holds other runs' trees,
 * so it is only removed when empty and never searched; below it, child
 * cgroups are ours and go first. */
int cgroup_remove_dir(const char *dir)
{
	if (is_top(dir)) {
		if (rmdir(dir) == 0 || errno == ENOENT || errno == EBUSY || errno == ENOTEMPTY)
			return 0;
		return -1;
	}
	/* Most often the lab's stop has emptied the tree already: then one
	 * rmdir ends it. The kernel refuses (EBUSY) a cgroup that still holds
	 * a process or a child cgroup, so nothing is lost by trying first;
	 * whatever the refusal, the way below decides. */
	if (rmdir(dir) == 0 || errno == ENOENT) {
		remove_top_of(dir);
		return 0;
	}
	/* Everything below dies first, so that nothing forks into a child
	 * cgroup while the children are removed. */
	cgroup_kill_tree(dir);
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -1;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		char sub[PATH_MAX];
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= (int)sizeof(sub))
			continue;
		if (cgroup_remove_dir(sub) < 0)
			rc = -1;
	}
	closedir(d);
	if (rmdir_cgroup(dir) < 0)
		return -1;
	remove_top_of(dir);
	return rc;
}

struct run_tree {
	int pid, rc;
};

static int remove_run_in(const struct cgroup_mount *m, void *ud)
{
	struct run_tree *t = ud;
	char dir[PATH_MAX];
	if (cg_pathf(dir, sizeof(dir), "%s/" CG_TOP "/%d", m->dir, t->pid) && cg_is_dir(dir) &&
	    cgroup_remove_dir(dir) < 0)
		t->rc = -1;
	return 0;
}

int cgroup_remove_run(int pid)
{
	struct run_tree t = {pid, 0};
	cgroup_each_mount(remove_run_in, &t);
	return t.rc;
}

static void say_cgroup(void (*say)(const char *what), const char *dir)
{
	char msg[PATH_MAX + 80];
	if (say && cg_pathf(msg, sizeof(msg), "cgroup %s", dir))
		say(msg);
}

static int remove_orphans_in(const char *mnt, void (*say)(const char *what))
{
	char top[PATH_MAX];
	cg_pathf(top, sizeof(top), "%s/" CG_TOP, mnt);
	DIR *d = opendir(top);
	if (!d)
		return 0;
	int removed = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		int pid = parse_pid_name(de->d_name);
		/* Alive by the run's owner file, never by a process name (a copy
		 * called nslab-dev, or nslab under valgrind, is a live run too). */
		if (de->d_type != DT_DIR || pid < 0 || cleanup_run_alive(pid))
			continue;
		char dir[PATH_MAX + 64];
		cg_pathf(dir, sizeof(dir), "%s/%s", top, de->d_name);
		if (cgroup_remove_dir(dir) == 0) {
			removed++;
			say_cgroup(say, dir);
		}
	}
	closedir(d);
	if (rmdir(top) == 0)
		say_cgroup(say, top);
	return removed;
}

struct mount_list {
	char dir[16][PATH_MAX];
	int n;
};

static int collect_mount(const struct cgroup_mount *m, void *ud)
{
	struct mount_list *l = ud;
	cg_pathf(l->dir[l->n++], PATH_MAX, "%s", m->dir);
	return l->n == 16;
}

int cgroup_remove_orphans(void (*say)(const char *what))
{
	/* Collect first: say() may print, and the list is short. */
	struct mount_list l = {.n = 0};
	cgroup_each_mount(collect_mount, &l);
	int removed = 0;
	for (int i = 0; i < l.n; i++)
		removed += remove_orphans_in(l.dir[i], say);
	return removed;
}

/* --- the registry's cgroup kind --- */

/* Undoes nslab's +cpu in dir/cgroup.subtree_control, once nslab's cgroups
 * below are gone. 1 when there is nothing of ours left to undo: cpu is off
 * already, the cgroup is gone, or the kernel says EBUSY (a cgroup below
 * still uses cpu, e.g. systemd enabled it meanwhile: no longer only ours). */
int cgroup_disable_cpu(const char *dir)
{
	char path[PATH_MAX + 32], buf[512], *save = NULL;
	if (!cg_pathf(path, sizeof(path), "%s/cgroup.subtree_control", dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (read_file(path, buf, sizeof(buf)) < 0)
		return errno == ENOENT ? 1 : -1;
	bool on = false;
	for (char *tok = strtok_r(buf, " \n", &save); tok && !on; tok = strtok_r(NULL, " \n", &save))
		on = strcmp(tok, "cpu") == 0;
	if (!on)
		return 1;
	cg_dbg("fallback: write -cpu to %s", path);
	if (write_file(path, "-cpu") == 0)
		return 0;
	return errno == EBUSY || errno == ENOENT ? 1 : -1;
}

struct longest {
	const char *path;
	char best[PATH_MAX];
};

static int note_longest(const struct cgroup_mount *m, void *ud)
{
	struct longest *l = ud;
	size_t n = strlen(m->dir);
	if (strncmp(l->path, m->dir, n) == 0 && l->path[n] == '/' && n > strlen(l->best) &&
	    n < sizeof(l->best))
		cg_pathf(l->best, sizeof(l->best), "%s", m->dir);
	return 0;
}

struct v2_place {
	const char *dir, *top; /* top: "/nslab" or "/nslab/<pid>" */
};

/* Is dir a cgroup2 mount point (1), or that mount's top (2)? */
static int v2_place(const struct cgroup_mount *m, void *ud)
{
	const struct v2_place *p = ud;
	size_t n = strlen(m->dir);
	if (!m->v2 || strncmp(p->dir, m->dir, n) != 0)
		return 0;
	if (p->dir[n] == '\0')
		return 1;
	return strcmp(p->dir + n, p->top) == 0 ? 2 : 0;
}

/* CG_ENABLED_CPU DIR: DIR is a cgroup2 mount's root, its shared top
 * <mount>/nslab or this run's <mount>/nslab/<pid> (reached without a
 * symlink): where nslab enables cpu on the way down to its cgroups. Nothing
 * else may be named. */
static int check_enabled_cpu(const struct cleanup_run *r, const char *dir, char *why, size_t whylen)
{
	char mnt[PATH_MAX], top[32];
	const char *const tops[] = {"/" CG_TOP, top};
	snprintf(top, sizeof(top), "/" CG_TOP "/%d", r->pid);
	for (size_t i = 0; i < sizeof(tops) / sizeof(tops[0]); i++) {
		struct v2_place p = {dir, tops[i]};
		switch (cgroup_each_mount(v2_place, &p)) {
		case 1:
			return 0;
		case 2:
			cg_pathf(mnt, sizeof(mnt), "%.*s", (int)(strlen(dir) - strlen(tops[i])), dir);
			return cleanup_check_beneath(mnt, dir, why, whylen);
		}
	}
	snprintf(why, whylen, "not a cgroup2 root, its " CG_TOP " or this run's " CG_TOP "/%d", r->pid);
	return -1;
}

/* <a cgroup mount>/nslab[/<pid>[/...]], without symlinks: the run's own
 * tree, or the shared top (only ever removed when empty). */
static int check_cgroup(const struct cleanup_run *r, const char *path, char *why, size_t whylen)
{
	if (strncmp(path, CG_ENABLED_CPU, strlen(CG_ENABLED_CPU)) == 0)
		return check_enabled_cpu(r, path + strlen(CG_ENABLED_CPU), why, whylen);
	struct longest l = {.path = path, .best = ""};
	cgroup_each_mount(note_longest, &l);
	if (!l.best[0]) {
		snprintf(why, whylen, "not in a cgroup hierarchy");
		return -1;
	}
	const char *rel = path + strlen(l.best) + 1;
	char top[32];
	int tlen = snprintf(top, sizeof(top), CG_TOP "/%d", r->pid);
	bool top_itself = strcmp(rel, CG_TOP) == 0;
	if (!top_itself &&
	    (strncmp(rel, top, (size_t)tlen) != 0 || (rel[tlen] != '\0' && rel[tlen] != '/'))) {
		snprintf(why, whylen, "not in this run's cgroup %s/%s", l.best, top);
		return -1;
	}
	return cleanup_check_beneath(l.best, path, why, whylen);
}

/* Removal is the file backend's whatever made the cgroup: libcgroup's
 * delete leaves parents behind. */
static int undo_cgroup(const struct cleanup_run *r, const char *what)
{
	(void)r;
	if (strncmp(what, CG_ENABLED_CPU, strlen(CG_ENABLED_CPU)) == 0)
		return cgroup_disable_cpu(what + strlen(CG_ENABLED_CPU));
	return cg_backend_files.remove(what);
}

static const struct cleanup_kind cgroup_kind = {
    .check = check_cgroup,
    .undo = undo_cgroup,
    .sweep = cgroup_remove_orphans,
};

void cgroup_register_cleanup(void)
{
	cleanup_register_kind(NSLAB_OBJ_CGROUP, &cgroup_kind);
}
