/* SPDX-License-Identifier: GPL-2.0-or-later */
/* host-services.c: the host services appended to lab ABI 2, behind
 * struct nslab_host: a cgroup's directory on any layout, a mount lookup in
 * a process's mount namespace, "already done" for lab commands, and the
 * shared work directory. Its own file because each of these used to be
 * written in two to four labs; here they are written once, on top of the
 * older services (h->cg_path, h->workdir, h->keep, h->trace), so that they
 * need nothing of the session's internals. */
#include "host-services.h"
#include <dirent.h>
#include "nsview.h"
#include "labcg.h"
#include "nslab-lab-util.h"
#include "util.h"

#include <errno.h>
#include <libmount.h>
#include <limits.h>
#include <mntent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

/* --- cg_dir --- */

/* Does this cgroup2 mount offer the cpu controller? */
static bool v2_has_cpu(const char *mnt)
{
	char path[PATH_MAX + 32], buf[512];
	snprintf(path, sizeof(path), "%s/cgroup.controllers", mnt);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return false;
	for (char *save = NULL, *t = strtok_r(buf, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
		if (strcmp(t, "cpu") == 0)
			return true;
	return false;
}

/* The mount point of the hierarchy holding cpu: a v1 mount with the "cpu"
 * option wins (hybrid machines keep cpu on v1), else a cgroup2 mount that
 * offers it. */
static int cpu_mount(char *buf, size_t len)
{
	FILE *f = setmntent("/proc/self/mounts", "re");
	if (!f)
		return -1;
	char v2[PATH_MAX] = "";
	bool found = false;
	struct mntent *m;
	while (!found && (m = getmntent(f))) {
		if (strcmp(m->mnt_type, "cgroup2") == 0 && !v2[0] && v2_has_cpu(m->mnt_dir))
			snprintf(v2, sizeof(v2), "%s", m->mnt_dir);
		if (strcmp(m->mnt_type, "cgroup") == 0 && nslab_opt_has(m->mnt_opts, "cpu"))
			found = snprintf(buf, len, "%s", m->mnt_dir) < (int)len;
	}
	endmntent(f);
	if (!found && v2[0])
		found = snprintf(buf, len, "%s", v2) < (int)len;
	if (!found)
		errno = ENOENT;
	return found ? 0 : -1;
}

int host_cg_dir(struct nslab_host *h, const char *name, pid_t pid, char *buf, size_t len)
{
	char mnt[PATH_MAX], rel[PATH_MAX] = "";
	if (cpu_mount(mnt, sizeof(mnt)) < 0)
		return -1;
	if (!name && nslab_proc_cgroup(pid, rel, sizeof(rel)) < 0)
		return -1;
	if (name && name[0] && h->cg_path(h, name, rel, sizeof(rel)) < 0)
		return -1;
	/* the root cgroup is "/" in /proc/PID/cgroup: no trailing slash */
	if (strcmp(rel, "/") == 0)
		rel[0] = '\0';
	if (snprintf(buf, len, "%s%s", mnt, rel) >= (int)len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* --- cg_group --- */

/* mkdir one level of nslab's tree, registered for cleanup when made here. */
static int cg_level(struct nslab_host *h, const char *dir)
{
	if (mkdir(dir, 0755) < 0)
		return errno == EEXIST ? 0 : -1;
	h->trace(h, "mkdir(\"%s\", 0755) = 0", dir);
	return h->keep(h, NSLAB_OBJ_CGROUP, dir);
}

/* On v2: ctl switched on in dir's cgroup.subtree_control. nslab/ and
 * nslab/<pid>/ only: they are nslab's, and the switch goes with them. */
static int cg_enable(struct nslab_host *h, const char *dir, const char *ctl)
{
	char sc[PATH_MAX + 32], plus[40];
	if (snprintf(sc, sizeof(sc), "%s/cgroup.subtree_control", dir) >= (int)sizeof(sc))
		return -1;
	if (nslab_file_has_word(sc, ctl))
		return 0;
	snprintf(plus, sizeof(plus), "+%s", ctl);
	if (nslab_cg_write(dir, "cgroup.subtree_control", plus) < 0) {
		h->error(h, "cannot enable the %s controller in %s: %s", ctl, sc, strerror(errno));
		return -1;
	}
	h->trace(h, "write(\"%s\", \"%s\") = %zu", sc, plus, strlen(plus));
	return 0;
}

int host_cg_group(struct nslab_host *h, const char *ctl, const char *name, char *dir, size_t len)
{
	struct nslab_cg_hier hi;
	char level[3][PATH_MAX], sc[PATH_MAX + 32];
	/* name NULL: nslab/<pid>/ alone, for a lab whose learner makes the groups */
	int levels = name ? 3 : 2;
	if (name && (!*name || strchr(name, '/') || name[0] == '.')) {
		h->error(h, "bad cgroup name '%s'", name ? name : "");
		return -1;
	}
	if (!nslab_cg_find(ctl, &hi)) {
		h->error(
		    h,
		    "no cgroup hierarchy offers the %s controller (no v1 mount of it, not in any cgroup2 "
		    "cgroup.controllers): boot without cgroup_disable=%s",
		    ctl, ctl);
		return -1;
	}
	if (snprintf(sc, sizeof(sc), "%s/cgroup.subtree_control", hi.mnt) >= (int)sizeof(sc))
		return -1;
	if (hi.v2 && !nslab_file_has_word(sc, ctl)) {
		h->error(h, "the %s controller is not enabled below %s: as root, `echo +%s > %s`", ctl,
			 hi.mnt, ctl, sc);
		return -1;
	}
	if (snprintf(level[0], sizeof(level[0]), "%s/nslab", hi.mnt) >= (int)sizeof(level[0]) ||
	    snprintf(level[1], sizeof(level[1]), "%s/%d", level[0], (int)getpid()) >= (int)sizeof(level[1]) ||
	    snprintf(level[2], sizeof(level[2]), "%s/%s", level[1], name ? name : "") >=
		(int)sizeof(level[2]) ||
	    snprintf(dir, len, "%s", level[levels - 1]) >= (int)len) {
		h->error(h, "the cgroup path under %s is too long", hi.mnt);
		return -1;
	}
	for (int i = 0; i < levels; i++) {
		if (cg_level(h, level[i]) < 0) {
			int err = errno;
			h->error(h, "cannot make the cgroup %s: %s%s", level[i], strerror(err),
				 err == EACCES || err == EPERM ? " (cgroups need root: run nslab with sudo)"
							       : "");
			return -1;
		}
		if (i < 2 && hi.v2 && cg_enable(h, level[i], ctl) < 0)
			return -1;
	}
	return hi.v2 ? 1 : 0;
}

/* --- mount_at --- */

static bool at_or_below(const char *target, const char *path, bool below)
{
	size_t n = strlen(path);
	if (strcmp(target, path) == 0)
		return true;
	if (!below)
		return false;
	if (strcmp(path, "/") == 0)
		return true;
	return strncmp(target, path, n) == 0 && target[n] == '/';
}

static void take(struct nslab_mount_at *at, struct libmnt_fs *fs)
{
	const char *src = mnt_fs_get_source(fs), *type = mnt_fs_get_fstype(fs);
	_cleanup_free_ char *opts = mnt_fs_strdup_options(fs);
	at->id = mnt_fs_get_id(fs);
	snprintf(at->target, sizeof(at->target), "%s", mnt_fs_get_target(fs));
	snprintf(at->fstype, sizeof(at->fstype), "%s", type ? type : "");
	snprintf(at->source, sizeof(at->source), "%s", src ? src : "none");
	snprintf(at->options, sizeof(at->options), "%s", opts ? opts : "");
}

int host_mount_at(struct nslab_host *h, pid_t pid, const char *path, unsigned flags,
		  struct nslab_mount_at *at)
{
	(void)h;
	if (!at || at->size < offsetof(struct nslab_mount_at, count) + sizeof(at->count) || !path) {
		errno = EINVAL;
		return -1;
	}
	char file[64];
	struct libmnt_table *tb =
	    mnt_new_table_from_file(nslab_proc_path(file, sizeof(file), pid, "mountinfo"));
	if (!tb)
		return -1;
	struct nslab_mount_at *full = calloc(1, sizeof(*full));
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	while (full && it && mnt_table_next_fs(tb, it, &fs) == 0) {
		unsigned long prop = 0;
		const char *target = mnt_fs_get_target(fs);
		mnt_fs_get_propagation(fs, &prop);
		full->nshared += (prop & MS_SHARED) != 0;
		full->nslave += (prop & MS_SLAVE) != 0;
		/* the last match wins: mountinfo lists a mount after the one it covers */
		if (target && at_or_below(target, path, flags & NSLAB_AT_BELOW)) {
			full->count++;
			take(full, fs);
		}
	}
	mnt_free_iter(it);
	mnt_unref_table(tb);
	if (!full) {
		errno = ENOMEM;
		return -1;
	}
	unsigned size = at->size;
	full->size = size;
	memcpy(at, full, size < sizeof(*full) ? size : sizeof(*full));
	int found = full->count > 0;
	free(full);
	return found;
}

/* --- do_once --- */

#define MAX_LINES 32

/* What perform traced, while do_once runs it: the host's own h->trace is
 * still called for each line (so `explain` shows it), and a copy is kept. */
static struct {
	void (*trace)(struct nslab_host *h, const char *fmt, ...);
	char *line[MAX_LINES];
	size_t n;
} caught;

static void catch_trace(struct nslab_host *h, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s) {
		caught.trace(h, "(a trace line was lost: out of memory)");
		return;
	}
	caught.trace(h, "%s", s);
	if (caught.n < MAX_LINES)
		caught.line[caught.n++] = s;
	else
		free(s);
}

static void drop_missing(struct nslab_host *h, const char *fmt, ...)
{
	(void)h, (void)fmt;
}

/* done() asked quietly: a step's check may say what is missing. */
static bool quietly_done(struct nslab_host *h, bool (*done)(struct nslab_host *h))
{
	void (*missing)(struct nslab_host *, const char *, ...) = h->missing;
	h->missing = drop_missing;
	bool yes = done(h);
	h->missing = missing;
	return yes;
}

int host_do_once(struct nslab_host *h, bool (*done)(struct nslab_host *h),
		 int (*perform)(struct nslab_host *h), const char *already, const char *after)
{
	if (done && quietly_done(h, done)) {
		h->print(h, "%s\n", already ? already : "already done");
		return 0;
	}
	if (caught.trace) /* do_once inside a perform: no second catch */
		return perform(h);
	caught.trace = h->trace;
	caught.n = 0;
	h->trace = catch_trace;
	int rc = perform(h);
	h->trace = caught.trace;
	caught.trace = NULL;
	for (size_t i = 0; i < caught.n; i++) {
		if (rc >= 0 && !after)
			h->print(h, "%s\n", caught.line[i]);
		free(caught.line[i]);
	}
	if (rc >= 0 && after)
		h->print(h, "%s\n", after);
	return rc;
}

/* --- share_workdir --- */

int host_share_workdir(struct nslab_host *h)
{
	const char *wd = h->workdir(h);
	if (mount(wd, wd, NULL, MS_BIND, NULL) < 0) {
		h->error(h, "cannot bind-mount %s: %s", wd, strerror(errno));
		return -1;
	}
	h->trace(h, "mount(\"%s\", \"%s\", NULL, MS_BIND, NULL) = 0", wd, wd);
	if (h->keep(h, NSLAB_OBJ_MOUNT, wd) < 0)
		return -1;
	if (mount(NULL, wd, NULL, MS_SHARED, NULL) < 0) {
		h->error(h, "cannot make %s shared: %s", wd, strerror(errno));
		return -1;
	}
	h->trace(h, "mount(NULL, \"%s\", NULL, MS_SHARED, NULL) = 0", wd);
	return 0;
}

/* Members of the lab cgroup and every cgroup below it (the learner's own
 * cgcreate'd groups under nslab/<pid>/lab included), then watched PIDs. */
static void add_pid(pid_t *pids, size_t max, long *n, pid_t pid)
{
	for (long i = 0; i < *n && (size_t)i < max; i++)
		if (pids[i] == pid)
			return;
	if ((size_t)*n < max)
		pids[*n] = pid;
	(*n)++;
}

static int add_members(const char *dir, int depth, pid_t *pids, size_t max, long *n)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	long pid;
	while (fscanf(f, "%ld", &pid) == 1)
		if (pid > 0)
			add_pid(pids, max, n, (pid_t)pid);
	fclose(f);
	DIR *d = depth < 8 ? opendir(dir) : NULL; /* nslab's tree is shallow; a bound all the same */
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		add_members(path, depth + 1, pids, max, n);
	}
	if (d)
		closedir(d);
	return 0;
}

long host_subjects(struct nslab_host *h, pid_t *pids, size_t max)
{
	long n = 0;
	const char *dir = labcg_dir();
	if (dir && add_members(dir, 0, pids, max, &n) < 0)
		return -1;
	pid_t main = h->main_pid(h);
	if (!dir && main > 0) /* no lab cgroup (unprivileged): the lab process at least */
		add_pid(pids, max, &n, main);
	pid_t watched[64];
	size_t nw = nsview_watched(watched, 64);
	for (size_t i = 0; i < nw; i++)
		add_pid(pids, max, &n, watched[i]);
	return n;
}
