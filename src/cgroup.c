/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup.c: a lab's cgroups, by name: nslab/<nslab pid>/<name> in every
 * hierarchy that holds the cpu controller (see cgroup-detect.c).
 *
 * Each operation runs through the backends in order (cgroup-int.h):
 * libcgroup when it sees the hierarchies where they are, then the plain
 * files, which check on disk and do what is still missing. The parents
 * nslab/ and nslab/<pid>/ are made here, by hand, so that nslab knows which
 * ones are its own; every directory it made is registered for cleanup. */
#include "cgroup-int.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct cg_backend *const backends[] = {&cg_backend_libcgroup, &cg_backend_files};
#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))

bool cg_pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < len;
}

void cg_dbg(const char *fmt, ...)
{
	if (!getenv("NSLAB_CGROUP_DEBUG"))
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("nslab-cgroup: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

bool cg_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void clear(char *why, size_t whylen)
{
	if (why && whylen)
		why[0] = '\0';
}

/* "nslab/<pid>/<name>": the cgroup name relative to a hierarchy. */
static int rel_name(const char *name, char *buf, size_t len, char *why, size_t whylen)
{
	if (!name || !*name || strchr(name, '/') || name[0] == '.') {
		snprintf(why, whylen, "bad cgroup name '%s'", name ? name : "");
		errno = EINVAL;
		return -1;
	}
	if (cg_pathf(buf, len, CG_TOP "/%d/%s", (int)getpid(), name))
		return 0;
	errno = ENAMETOOLONG;
	return -1;
}

/* The hierarchies, or -1 ENODEV with why there are none. */
static int hiers(struct cg_hiers *hs, char *why, size_t whylen)
{
	cg_find_hiers(hs);
	if (hs->n > 0)
		return 0;
	cg_no_cpu_reason(why, whylen);
	return -1;
}

/* rel, and the hierarchies it must already exist in: the cpu one, or
 * (all) every one, cpuacct's too. */
static int existing(const char *name, bool all, struct cg_hiers *hs, char *rel, size_t rlen, char *why,
		    size_t whylen)
{
	char dir[PATH_MAX];
	if (hiers(hs, why, whylen) < 0 || rel_name(name, rel, rlen, why, whylen) < 0)
		return -1;
	for (int i = 0; i < (all ? hs->n : 1); i++) {
		if (cg_backend_files.path(&hs->h[i], rel, dir, sizeof(dir)) < 0)
			return -1;
		if (!cg_is_dir(dir)) {
			snprintf(why, whylen, "cgroup %s does not exist (create it first)", dir);
			errno = ENOENT;
			return -1;
		}
	}
	return 0;
}

/* --- create --- */

static int keep_dir(const char *path, char *why, size_t whylen)
{
	if (cleanup_keep(NSLAB_OBJ_CGROUP, path) == 0)
		return 0;
	int e = errno;
	snprintf(why, whylen, "cannot register %s for cleanup", path);
	errno = e;
	return -1;
}

/* mkdir one level; registers it for cleanup if we made it. */
static int make_dir(const char *path, char *why, size_t whylen)
{
	if (mkdir(path, 0755) == 0)
		return keep_dir(path, why, whylen);
	if (errno == EEXIST)
		return 0;
	int e = errno;
	snprintf(why, whylen, "cannot create cgroup %s: %s%s", path, strerror(e),
		 e == EACCES || e == EPERM ? " (cgroups need root: run nslab with sudo)" : "");
	errno = e;
	return -1;
}

/* Enables cpu below dir (v2) and registers it when nslab turned it on,
 * before the cgroups below that need it, so that it is undone after they
 * are gone. nslab/<pid> too: the session's tracking cgroup (labcg.c) may
 * have made nslab/ and nslab/<pid> before this, so they go last, and while
 * nslab/<pid> lists cpu the kernel refuses -cpu above it (EBUSY). */
static int enable_cpu(const struct cg_hier *h, const char *dir, char *why, size_t whylen)
{
	char what[PATH_MAX + 8];
	if (!h->v2)
		return 0;
	int rc = cg_file_enable_cpu(dir, why, whylen);
	if (rc <= 0)
		return rc;
	cg_pathf(what, sizeof(what), CG_ENABLED_CPU "%s", dir);
	if (keep_dir(what, why, whylen) == 0)
		return 0;
	/* not kept, so nothing would undo it: take it back now */
	int e = errno;
	cg_pathf(what, sizeof(what), "%s/cgroup.subtree_control", dir);
	write_file(what, "-cpu");
	errno = e;
	return -1;
}

/* The parents nslab/ and nslab/<pid>/ in one hierarchy, with cpu enabled
 * below them on v2. */
static int make_parents(const struct cg_hier *h, char *why, size_t whylen)
{
	char dir[PATH_MAX];
	if (enable_cpu(h, h->mnt, why, whylen) < 0)
		return -1;
	cg_pathf(dir, sizeof(dir), "%s/" CG_TOP, h->mnt);
	if (make_dir(dir, why, whylen) < 0 || enable_cpu(h, dir, why, whylen) < 0)
		return -1;
	cg_pathf(dir, sizeof(dir), "%s/" CG_TOP "/%d", h->mnt, (int)getpid());
	if (make_dir(dir, why, whylen) < 0 || enable_cpu(h, dir, why, whylen) < 0)
		return -1;
	return 0;
}

/* Runs the backends' create; then registers every leaf that is there now and
 * was not before, whichever backend made it, even when one failed. */
static int make_leaves(const struct cg_hiers *hs, const char *rel, char *why, size_t whylen)
{
	char path[CG_MAX_HIER][PATH_MAX];
	bool existed[CG_MAX_HIER];
	for (int i = 0; i < hs->n; i++)
		existed[i] =
		    cg_backend_files.path(&hs->h[i], rel, path[i], PATH_MAX) == 0 && cg_is_dir(path[i]);
	int rc = -1;
	for (size_t b = 0; b < NBACKENDS; b++) {
		const struct cg_backend *be = backends[b];
		if (be->create && be->usable(hs))
			rc = be->create(hs, rel, why, whylen);
		else if (be == &cg_backend_libcgroup)
			cg_dbg("libcgroup does not see the cpu hierarchy where it is: plain mkdir");
	}
	int e = errno;
	for (int i = 0; i < hs->n; i++)
		if (!existed[i] && cg_is_dir(path[i]) && keep_dir(path[i], why, whylen) < 0)
			return -1;
	errno = e;
	return rc;
}

int cgroup_create(const char *name, char *why, size_t whylen)
{
	char rel[PATH_MAX];
	struct cg_hiers hs;
	clear(why, whylen);
	if (rel_name(name, rel, sizeof(rel), why, whylen) < 0 || hiers(&hs, why, whylen) < 0)
		return -1;
	for (int i = 0; i < hs.n; i++)
		if (make_parents(&hs.h[i], why, whylen) < 0)
			return -1;
	if (make_leaves(&hs, rel, why, whylen) < 0)
		return -1;
	char knob[PATH_MAX + 16];
	cg_pathf(knob, sizeof(knob), "%s/%s/%s", hs.h[0].mnt, rel,
		 hs.h[0].v2 ? "cpu.max" : "cpu.cfs_quota_us");
	if (access(knob, F_OK) < 0) {
		snprintf(why, whylen,
			 "%s is missing: the cpu controller is not enabled for this cgroup (try 'echo +cpu > "
			 "%s/cgroup.subtree_control')",
			 knob, hs.h[0].mnt);
		errno = ENOENT;
		return -1;
	}
	return 0;
}

/* --- set, attach, read --- */

int cgroup_set_quota(const char *name, long quota_us, long period_us, char *why, size_t whylen)
{
	struct cg_hiers hs;
	char rel[PATH_MAX];
	clear(why, whylen);
	if (existing(name, false, &hs, rel, sizeof(rel), why, whylen) < 0)
		return -1;
	if (period_us <= 0)
		period_us = 100000;
	/* the quota is the cpu hierarchy's alone: a backend need only see that one */
	hs.n = 1;
	int rc = -1;
	for (size_t b = 0; b < NBACKENDS; b++)
		if (backends[b]->set_quota && backends[b]->usable(&hs))
			rc = backends[b]->set_quota(&hs, rel, quota_us, period_us, why, whylen);
	return rc;
}

int cgroup_attach(const char *name, pid_t pid, char *why, size_t whylen)
{
	struct cg_hiers hs;
	char rel[PATH_MAX];
	clear(why, whylen);
	if (existing(name, true, &hs, rel, sizeof(rel), why, whylen) < 0)
		return -1;
	int rc = -1;
	for (size_t b = 0; b < NBACKENDS; b++)
		if (backends[b]->attach && backends[b]->usable(&hs))
			rc = backends[b]->attach(&hs, rel, pid, why, whylen);
	return rc;
}

int cgroup_stat(const char *name, struct nslab_cpu_stat *st, char *why, size_t whylen)
{
	struct cg_hiers hs;
	char rel[PATH_MAX];
	memset(st, 0, sizeof(*st));
	st->quota_us = -1;
	st->period_us = 100000;
	clear(why, whylen);
	if (existing(name, false, &hs, rel, sizeof(rel), why, whylen) < 0) {
		/* no controller, no such cgroup: an answer, not an error */
		if (errno == ENODEV || errno == ENOENT)
			clear(why, whylen);
		return -1;
	}
	for (size_t b = 0; b < NBACKENDS; b++)
		if (backends[b]->stat && backends[b]->usable(&hs))
			return backends[b]->stat(&hs, rel, st, why, whylen);
	errno = ENOSYS;
	return -1;
}

int cgroup_path(const char *name, char *buf, size_t len, char *why, size_t whylen)
{
	char rel[PATH_MAX];
	clear(why, whylen);
	if (rel_name(name, rel, sizeof(rel), why, whylen) < 0)
		return -1;
	if (cg_pathf(buf, len, "/%s", rel))
		return 0;
	errno = ENAMETOOLONG;
	return -1;
}

/* --- join (in a forked child, before exec: no output, no libcgroup) --- */

int cgroup_join_like(pid_t pid)
{
	char path[64], line[PATH_MAX];
	cg_pathf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	int rc = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2 || strncmp(c2 + 1, "/" CG_TOP "/", strlen(CG_TOP) + 2) != 0)
			continue;
		*c2 = '\0';
		char mnt[PATH_MAX], procs[2 * PATH_MAX];
		if (!cg_hier_mount(c1 + 1, mnt, sizeof(mnt)))
			continue;
		cg_pathf(procs, sizeof(procs), "%s%s/cgroup.procs", mnt, c2 + 1);
		if (write_file(procs, "0") < 0)
			rc = -1;
	}
	fclose(f);
	return rc;
}
