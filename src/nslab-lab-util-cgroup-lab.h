/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the nslab authors.
 *
 * The plugin headers (nslab-lab.h, nslab-lab-util.h and the
 * nslab-lab-util-*.h it includes, and only they) are under the MIT licence,
 * not nslab's GPL-2.0-or-later, so that a lab plugin may be written under
 * any licence.
 *
 * Permission is hereby granted, free of charge, to any person obtaining a
 * copy of this software and associated documentation files (the "Software"),
 * to deal in the Software without restriction, including without limitation
 * the rights to use, copy, modify, merge, publish, distribute, sublicense,
 * and/or sell copies of the Software, and to permit persons to whom the
 * Software is furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in
 * all copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 * AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
 * FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
 * DEALINGS IN THE SOFTWARE.
 */
/* nslab-lab-util-cgroup-lab.h: the memory and pids labs' shared code, in
 * nslab (it calls the host): a controller's hierarchy as the host's mount
 * services show it (so a lab's checks see a test's fake world too), the
 * groups a lab looks at (its own under nslab/<pid>/ and its subjects'), and
 * its `cgroup`, `usage` and `move` commands, setup and unsupported hook.
 * Part of nslab-lab-util.h. */
#ifndef NSLAB_LAB_UTIL_CGROUP_LAB_H
#define NSLAB_LAB_UTIL_CGROUP_LAB_H

#include "nslab-lab-util-base.h"
#include "nslab-lab-util-cgroup.h"
#include "nslab-lab-util-proc.h"
#include "nslab-lab-util-text.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- in nslab (they call the host): a controller's groups, as the host's
 * services show them, so that a lab's checks see a test's fake world too --- */

struct nslab_cg_mounts {
	char dir[8][sizeof(((struct nslab_cg_hier *)0)->mnt)];
	bool v2[8];
	int n;
};

static inline bool nslab_cg_note_mount(const struct nslab_mount *m, void *ud)
{
	struct nslab_cg_mounts *ms = (struct nslab_cg_mounts *)ud;
	bool v2 = strcmp(m->fstype, "cgroup2") == 0;
	if (!v2 && strcmp(m->fstype, "cgroup") != 0)
		return true;
	snprintf(ms->dir[ms->n], sizeof(ms->dir[0]), "%s", m->target);
	ms->v2[ms->n++] = v2;
	return ms->n < 8;
}

/* nslab_cg_find through h->each_mount and h->mount_at (ABI 2's mount_at:
 * check NSLAB_NEED_HOST(h, mount_at) first): a v1 mount with ctl among its
 * options wins, else a cgroup2 mount listing ctl in cgroup.controllers. */
static inline bool nslab_cg_find_host(struct nslab_host *h, const char *ctl, struct nslab_cg_hier *hi)
{
	struct nslab_cg_mounts ms = {.n = 0};
	char path[sizeof(ms.dir[0]) + 32];
	memset(hi, 0, sizeof(*hi));
	if (h->each_mount(h, 0, nslab_cg_note_mount, &ms) < 0)
		return false;
	for (int i = 0; i < ms.n; i++) {
		struct nslab_mount_at at = {.size = sizeof(at)};
		if (!ms.v2[i] && h->mount_at(h, 0, ms.dir[i], 0, &at) == 1 &&
		    nslab_opt_has(at.options, ctl)) {
			snprintf(hi->mnt, sizeof(hi->mnt), "%s", ms.dir[i]);
			hi->v2 = false;
			return true;
		}
	}
	for (int i = 0; i < ms.n; i++) {
		snprintf(path, sizeof(path), "%s/cgroup.controllers", ms.dir[i]);
		if (ms.v2[i] && nslab_file_has_word(path, ctl)) {
			snprintf(hi->mnt, sizeof(hi->mnt), "%s", ms.dir[i]);
			hi->v2 = true;
			return true;
		}
	}
	return false;
}

/* What a cgroup lab records of every group it looks at. The lab's own
 * record begins with it (struct group { struct nslab_cg_group cg; ... }),
 * and the helpers below walk an array of such records, `size` bytes each. */
struct nslab_cg_group {
	char name[640];     /* under nslab/<pid>/, or a subject's group's path */
	char dir[PATH_MAX]; /* its directory */
	bool ctrl;          /* the controller's limit file is there */
	long long limit;    /* what the lab's limit file says (NSLAB_CG_UNLIMITED) */
	int nprocs;         /* lines of cgroup.procs */
	bool has_main;      /* the lab process is one of them */
};

/* Record i of an array of records of `size` bytes that begin with one. */
static inline struct nslab_cg_group *nslab_cg_at(void *gs, size_t size, int i)
{
	return (struct nslab_cg_group *)((char *)gs + (size_t)i * size);
}

/* Reads the rest of one record for nslab_cg_each_group: name, dir, nprocs
 * and has_main are filled in, the rest of the record zeroed; it sets ctrl
 * and limit (and what else the lab keeps) from the group's files. */
typedef void (*nslab_cg_read_fn)(struct nslab_host *h, const struct nslab_cg_hier *hi,
				 struct nslab_cg_group *g);

static inline bool nslab_cg_fill(struct nslab_host *h, const struct nslab_cg_hier *hi,
				 struct nslab_cg_group *g, size_t size, const char *name, const char *dir,
				 nslab_cg_read_fn read)
{
	memset(g, 0, size);
	snprintf(g->name, sizeof(g->name), "%s", name);
	snprintf(g->dir, sizeof(g->dir), "%s", dir);
	g->nprocs = nslab_cg_procs(dir, h->main_pid(h), &g->has_main);
	read(h, hi, g);
	return g->ctrl && g->limit != NSLAB_CG_UNLIMITED;
}

/* The groups a lab of controller ctl looks at, whoever made them (cgcreate,
 * mkdir, h->cg_group), up to max records of `size` bytes in gs: every
 * directory under nslab/<pid>/ in hi but `lab` (nslab's own lab cgroup on
 * v2), then the groups outside that tree with a limit that a subject of the
 * lab (h->subjects) was put in with the real tools, e.g. from a second
 * terminal: not the root, not nslab's own, each once. Returns how many. */
static inline int nslab_cg_each_group(struct nslab_host *h, const struct nslab_cg_hier *hi, const char *ctl,
				      void *gs, size_t size, int max, nslab_cg_read_fn read)
{
	char tree[sizeof(hi->mnt) + 32], dir[PATH_MAX], own[640] = "", path[640], top[32];
	int n = 0;
	nslab_cg_tree(hi, tree, sizeof(tree));
	DIR *d = opendir(tree);
	for (struct dirent *de; d && n < max && (de = readdir(d));) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.' || strcmp(de->d_name, "lab") == 0)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", tree, de->d_name);
		nslab_cg_fill(h, hi, nslab_cg_at(gs, size, n++), size, de->d_name, dir, read);
	}
	if (d)
		closedir(d);
	pid_t pids[64];
	char(*seen)[640] = n < max && NSLAB_HOST_CAN(h, subjects) ? (char(*)[640])calloc(64, 640) : NULL;
	long ns = seen ? h->subjects(h, pids, NSLAB_ARRAY_SIZE(pids)) : 0;
	nslab_proc_cgroup_of(0, ctl, own, sizeof(own));
	snprintf(top, sizeof(top), "/nslab/%d/", (int)getpid());
	for (long i = 0, nseen = 0; n < max && i < ns && i < (long)NSLAB_ARRAY_SIZE(pids); i++) {
		if (nslab_proc_cgroup_of(pids[i], ctl, path, sizeof(path)) < 0 || strcmp(path, "/") == 0 ||
		    strcmp(path, own) == 0 || strncmp(path, top, strlen(top)) == 0)
			continue;
		bool again = false;
		for (long k = 0; k < nseen; k++)
			again |= strcmp(seen[k], path) == 0;
		if (again)
			continue;
		snprintf(seen[nseen++], 640, "%s", path);
		snprintf(dir, sizeof(dir), "%s%s", hi->mnt, path);
		n += nslab_cg_fill(h, hi, nslab_cg_at(gs, size, n), size, path, dir, read) ? 1 : 0;
	}
	free(seen);
	return n;
}

/* Record i of gs (see nslab_cg_at), read only. */
static inline const struct nslab_cg_group *nslab_cg_get(const void *gs, size_t size, int i)
{
	return (const struct nslab_cg_group *)((const char *)gs + (size_t)i * size);
}

/* The index of the first of n records for which ok holds (ok NULL: that
 * has the controller's files), -1 if none. */
static inline int nslab_cg_first(const void *gs, size_t size, int n,
				 bool (*ok)(const struct nslab_cg_group *g))
{
	for (int i = 0; i < n; i++) {
		const struct nslab_cg_group *g = nslab_cg_get(gs, size, i);
		if (ok ? ok(g) : g->ctrl)
			return i;
	}
	return -1;
}

static inline bool nslab_cg_has_main(const struct nslab_cg_group *g)
{
	return g->has_main;
}

/* The group a cgroup lab's meter and commands look at: the lab process's,
 * else the first limited as the lab wants, else the one called name (the
 * lab's own), else the first. Its index, -1 when n is 0. */
static inline int nslab_cg_main(const void *gs, size_t size, int n,
				bool (*limited)(const struct nslab_cg_group *g), const char *name)
{
	int i = nslab_cg_first(gs, size, n, nslab_cg_has_main);
	i = i >= 0 ? i : nslab_cg_first(gs, size, n, limited);
	for (int k = 0; i < 0 && k < n; k++)
		if (strcmp(nslab_cg_get(gs, size, k)->name, name) == 0)
			i = k;
	return i >= 0 ? i : n > 0 ? 0 : -1;
}

/* The record g (of size bytes) read afresh from its directory; false when
 * the group is gone. */
static inline bool nslab_cg_reread(struct nslab_host *h, const struct nslab_cg_hier *hi,
				   struct nslab_cg_group *g, size_t size, nslab_cg_read_fn read)
{
	char name[sizeof(g->name)], dir[sizeof(g->dir)];
	struct stat st;
	snprintf(name, sizeof(name), "%s", g->name);
	snprintf(dir, sizeof(dir), "%s", g->dir);
	if (stat(dir, &st) < 0)
		return false;
	nslab_cg_fill(h, hi, g, size, name, dir, read);
	return true;
}

/* For a lab's unsupported hook (in nslab): NULL when a hierarchy holds ctl
 * and, on v2, its root enables ctl for its children (the machine's choice,
 * which nslab does not change); else the reason, with fix (what gives a
 * machine the controller: a boot option, a kernel config). Needs the host
 * services mount_at and cg_group. */
static inline const char *nslab_cg_unsupported(struct nslab_host *h, const char *ctl, const char *fix)
{
	static char why[2 * sizeof(((struct nslab_cg_hier *)0)->mnt) + 512];
	const char *old = NSLAB_NEED_HOST(h, mount_at);
	old = old ? old : NSLAB_NEED_HOST(h, cg_group);
	if (old)
		return old;
	struct nslab_cg_hier hi;
	char path[sizeof(hi.mnt) + 32];
	if (!nslab_cg_find_host(h, ctl, &hi)) {
		snprintf(
		    why, sizeof(why),
		    NSLAB_UTIL_TEXT("no cgroup hierarchy offers the %s controller (no v1 %s mount, not in "
				    "/sys/fs/cgroup/cgroup.controllers): %s"),
		    ctl, ctl, fix);
		return why;
	}
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", hi.mnt);
	if (hi.v2 && !nslab_file_has_word(path, ctl)) {
		snprintf(
		    why, sizeof(why),
		    NSLAB_UTIL_TEXT("the %s controller is not enabled below %s: as root, `echo +%s > %s`"),
		    ctl, hi.mnt, ctl, path);
		return why;
	}
	return NULL;
}

/* In nslab: the hierarchy holding ctl, or false after h->error() naming
 * fix. */
static inline bool nslab_cg_need(struct nslab_host *h, const char *ctl, const char *fix,
				 struct nslab_cg_hier *hi)
{
	if (nslab_cg_find_host(h, ctl, hi))
		return true;
	h->error(h,
		 NSLAB_UTIL_TEXT(
		     "no cgroup hierarchy offers the %s controller (no v1 %s mount, not in any cgroup2 "
		     "cgroup.controllers): %s"),
		 ctl, ctl, fix);
	return false;
}

/* In nslab: the directory of the lab's group nslab/<pid>/name in the
 * hierarchy holding ctl, which must be there already; else false after
 * h->error() saying so and `how` to make it. */
static inline bool nslab_cg_existing(struct nslab_host *h, const char *ctl, const char *fix, const char *name,
				     const char *how, struct nslab_cg_hier *hi, char *dir, size_t len)
{
	char tree[sizeof(hi->mnt) + 32];
	struct stat st;
	if (!nslab_cg_need(h, ctl, fix, hi))
		return false;
	nslab_cg_tree(hi, tree, sizeof(tree));
	snprintf(dir, len, "%s/%s", tree, name);
	if (stat(dir, &st) == 0)
		return true;
	h->error(h, NSLAB_UTIL_TEXT("there is no cgroup %s yet: %s"), dir, how);
	return false;
}

/* In nslab: nslab/<pid>/name made in the hierarchy holding ctl through
 * h->cg_group (after nslab_cg_need, naming fix); *existed says whether it
 * was there before. 1 on v2, 0 on v1, -1 after h->error(). */
static inline int nslab_cg_make(struct nslab_host *h, const char *ctl, const char *fix, const char *name,
				struct nslab_cg_hier *hi, char *dir, size_t len, bool *existed)
{
	char tree[sizeof(hi->mnt) + 32];
	struct stat st;
	if (!nslab_cg_need(h, ctl, fix, hi))
		return -1;
	nslab_cg_tree(hi, tree, sizeof(tree));
	snprintf(dir, len, "%s/%s", tree, name);
	*existed = stat(dir, &st) == 0;
	return h->cg_group(h, ctl, name, dir, len);
}

/* In nslab: a cgroup lab's `cgroup` command: nslab/<pid>/name made in the
 * hierarchy holding ctl (nslab_cg_make) and said with the name cgcreate
 * and cgexec know it by; an error when the group lacks the controller's
 * file (file_v2 on v2, else file_v1): a group without it limits nothing.
 * hi gets the hierarchy, dir the group's directory. 0 ok, -1 after
 * h->error(). */
static inline int nslab_cg_create(struct nslab_host *h, const char *ctl, const char *fix, const char *name,
				  const char *file_v2, const char *file_v1, struct nslab_cg_hier *hi,
				  char *dir, size_t len)
{
	bool existed;
	if (nslab_cg_make(h, ctl, fix, name, hi, dir, len, &existed) < 0)
		return -1;
	const char *file = hi->v2 ? file_v2 : file_v1;
	if (nslab_cg_value(dir, file) == NSLAB_CG_ABSENT) {
		h->error(h, NSLAB_UTIL_TEXT("%s has no %s: the %s controller is not on for it"), dir, file,
			 ctl);
		return -1;
	}
	h->print(h, NSLAB_UTIL_TEXT("cgroup %s (%s); cgcreate and cgexec call it %s:nslab/%d/%s\n"), dir,
		 existed ? NSLAB_UTIL_TEXT("already there") : NSLAB_UTIL_TEXT("created"), ctl, (int)getpid(),
		 name);
	return 0;
}

/* In nslab: a cgroup lab's setup: spawns the lab process ("lab", in no
 * namespace of its own) and says where the hierarchy holding ctl is and
 * where this run's groups go. 0 ok, -1 after h->error(). */
static inline int nslab_cg_start(struct nslab_host *h, const char *ctl, const char *fix)
{
	struct nslab_spawn how = {.size = sizeof(struct nslab_spawn), .label = "lab"};
	struct nslab_cg_hier hi;
	char tree[sizeof(hi.mnt) + 128];
	if (h->spawn(h, &how) < 0 || !nslab_cg_need(h, ctl, fix, &hi) ||
	    h->cg_group(h, ctl, NULL, tree, sizeof(tree)) < 0)
		return -1;
	h->print(h,
		 NSLAB_UTIL_TEXT("The %s controller is at %s (%s). This run's cgroups go under %s; cgcreate "
				 "calls them nslab/%d/NAME.\n"),
		 ctl, hi.mnt, hi.v2 ? "cgroup v2" : NSLAB_UTIL_TEXT("a cgroup v1 hierarchy"), tree,
		 (int)getpid());
	return 0;
}

/* "1 process", "3 processes", for a cgroup lab's meter and listing: whole
 * phrases, so that a translation need not know English plurals. */
static inline void nslab_cg_nprocs(char *buf, size_t len, int n)
{
	snprintf(buf, len, n == 1 ? NSLAB_UTIL_TEXT("%d process") : NSLAB_UTIL_TEXT("%d processes"), n);
}

/* In a cgroup lab's check: true when one of the n records in gs (see
 * nslab_cg_each_group) has the controller's files; else says with
 * h->missing what is: a hierarchy (n < 0), a group (and how cgcreate makes
 * `name`), or limit_file in the groups (ctl not switched on for them). */
static inline bool nslab_cg_need_any(struct nslab_host *h, const struct nslab_cg_hier *hi, const char *ctl,
				     const char *limit_file, const char *name, const void *gs, size_t size,
				     int n)
{
	char tree[sizeof(hi->mnt) + 32];
	if (n < 0) {
		h->missing(h, NSLAB_UTIL_TEXT("no cgroup hierarchy offers the %s controller"), ctl);
		return false;
	}
	if (nslab_cg_first(gs, size, n, NULL) >= 0)
		return true;
	nslab_cg_tree(hi, tree, sizeof(tree));
	if (n > 0)
		h->missing(h,
			   NSLAB_UTIL_TEXT("%s has no %s: the %s controller is not on for it (v2: +%s in "
					   "%s/cgroup.subtree_control)"),
			   nslab_cg_get(gs, size, 0)->dir, limit_file, ctl, ctl, tree);
	else
		h->missing(
		    h,
		    NSLAB_UTIL_TEXT("no cgroup under %s yet: `host cgcreate -g %s:nslab/%d/%s` or `cgroup`"),
		    tree, ctl, (int)getpid(), name);
	return false;
}

/* In nslab, for a cgroup lab's listing command: false after h->error()
 * when no hierarchy holds ctl (n < 0); says so when there is no group
 * under nslab/<pid>/ yet (n == 0), and what makes one. */
static inline bool nslab_cg_say_none(struct nslab_host *h, const struct nslab_cg_hier *hi, const char *ctl,
				     int n)
{
	char tree[sizeof(hi->mnt) + 32];
	if (n < 0) {
		h->error(h, NSLAB_UTIL_TEXT("no cgroup hierarchy offers the %s controller"), ctl);
		return false;
	}
	nslab_cg_tree(hi, tree, sizeof(tree));
	if (n == 0)
		h->print(h, NSLAB_UTIL_TEXT("no cgroup under %s yet: `cgroup`\n"), tree);
	return true;
}

/* In nslab: the lab's groups under nslab/<pid>/ in the hierarchy holding
 * ctl (nslab_cg_find_host, then nslab_cg_each_group): how many, -1 when no
 * hierarchy holds ctl. */
static inline int nslab_cg_read_all(struct nslab_host *h, const char *ctl, struct nslab_cg_hier *hi, void *gs,
				    size_t size, int max, nslab_cg_read_fn read)
{
	return nslab_cg_find_host(h, ctl, hi) ? nslab_cg_each_group(h, hi, ctl, gs, size, max, read) : -1;
}

/* In nslab: the directory of a cgroup lab's own group nslab/<pid>/name,
 * the one its `cgroup` command makes, which must be there already: else
 * false after h->error() saying to type `cgroup` first. */
static inline bool nslab_cg_own(struct nslab_host *h, const char *ctl, const char *fix, const char *name,
				struct nslab_cg_hier *hi, char *dir, size_t len)
{
	return nslab_cg_existing(h, ctl, fix, name, NSLAB_UTIL_TEXT("type `cgroup` first"), hi, dir, len);
}

/* How a cgroup lab's `usage` says one group: g its record (see
 * nslab_cg_each_group), procs its process count as text. */
typedef void (*nslab_cg_say_fn)(struct nslab_host *h, const struct nslab_cg_hier *hi,
				const struct nslab_cg_group *g, const char *procs);

/* In nslab, a cgroup lab's `usage`: one line a group of the n records in
 * gs, by say; or that there is none (nslab_cg_say_none). 0, or -1 after
 * h->error() when no hierarchy holds ctl. */
static inline int nslab_cg_say_each(struct nslab_host *h, const struct nslab_cg_hier *hi, const char *ctl,
				    const void *gs, size_t size, int n, nslab_cg_say_fn say)
{
	if (!nslab_cg_say_none(h, hi, ctl, n))
		return -1;
	for (int i = 0; i < n; i++) {
		const struct nslab_cg_group *g = nslab_cg_get(gs, size, i);
		char procs[64];
		nslab_cg_nprocs(procs, sizeof(procs), g->nprocs);
		say(h, hi, g, procs);
	}
	return 0;
}

/* In nslab: writes value to dir/file, traced, and says "FILE = VALUE"; 0 ok,
 * -1 after h->error() (traced too: the kernel's refusal is the lesson). */
static inline int nslab_cg_set(struct nslab_host *h, const char *dir, const char *file, const char *value)
{
	if (nslab_cg_write(dir, file, value) < 0) {
		int err = errno;
		h->trace(h, "write(\"%s/%s\", \"%s\") = -1 %s", dir, file, value, nslab_errno_name(err));
		h->error(h, NSLAB_UTIL_TEXT("cannot write %s to %s/%s: %s"), value, dir, file, strerror(err));
		return -1;
	}
	h->trace(h, "write(\"%s/%s\", \"%s\") = %zu", dir, file, value, strlen(value));
	h->print(h, "%s = %s\n", file, value);
	return 0;
}

/* In nslab: moves pid into the group at dir (writes it to cgroup.procs,
 * what cgclassify does), as nslab_cg_set. */
static inline int nslab_cg_move(struct nslab_host *h, const char *dir, pid_t pid)
{
	char v[16];
	snprintf(v, sizeof(v), "%d", (int)pid);
	return nslab_cg_set(h, dir, "cgroup.procs", v);
}

/* In nslab: a cgroup lab's `move`: the lab process into the lab's own
 * group nslab/<pid>/name (nslab_cg_own, nslab_cg_move); dir gets the
 * group's directory. 0 ok, -1 after h->error(). */
static inline int nslab_cg_move_main(struct nslab_host *h, const char *ctl, const char *fix, const char *name,
				     char *dir, size_t len)
{
	struct nslab_cg_hier hi;
	if (!nslab_cg_own(h, ctl, fix, name, &hi, dir, len))
		return -1;
	return nslab_cg_move(h, dir, h->main_pid(h));
}

#endif
