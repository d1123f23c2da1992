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
/* nslab-lab-util-cgroup.h: a controller's cgroup files, read and written
 * directly (no host call): where the controller is mounted, a group's limit
 * and counter files, its processes, and where this run's groups go. The
 * cgroup labs' groups as the host shows them are in
 * nslab-lab-util-cgroup-lab.h. Part of nslab-lab-util.h. */
#ifndef NSLAB_LAB_UTIL_CGROUP_H
#define NSLAB_LAB_UTIL_CGROUP_H

#include "nslab-lab-util-base.h"
#include "nslab-lab-util-text.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- cgroups of other controllers (memory, pids): h->cg_group makes
 * nslab/<nslab pid>/NAME there; these find and read them. --- */

/* Where a controller lives: a v1 mount with it among its options, or a
 * cgroup2 mount listing it in cgroup.controllers. */
struct nslab_cg_hier {
	char mnt[512];
	bool v2;
};

/* Is word one of the space-separated words in the file (cgroup.controllers,
 * cgroup.subtree_control)? */
static inline bool nslab_file_has_word(const char *path, const char *word)
{
	char buf[512];
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (char *save = NULL, *w = strtok_r(buf, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
		if (strcmp(w, word) == 0)
			return true;
	return false;
}

/* The hierarchy holding ctl. A v1 mount wins: hybrid machines keep their
 * controllers there and their cgroup2 mount has none. false: nowhere. */
static inline bool nslab_cg_find(const char *ctl, struct nslab_cg_hier *hi)
{
	FILE *f = fopen("/proc/self/mounts", "re");
	char line[1024], v2[512] = "";
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f)) {
		char dir[512], type[32], opts[512], path[600];
		if (sscanf(line, "%*s %511s %31s %511s", dir, type, opts) != 3)
			continue;
		snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
		if (strcmp(type, "cgroup") == 0 && nslab_opt_has(opts, ctl))
			found = snprintf(hi->mnt, sizeof(hi->mnt), "%s", dir) > 0;
		else if (strcmp(type, "cgroup2") == 0 && !v2[0] && nslab_file_has_word(path, ctl))
			snprintf(v2, sizeof(v2), "%s", dir);
	}
	if (f)
		fclose(f);
	hi->v2 = !found;
	if (!found && v2[0])
		found = snprintf(hi->mnt, sizeof(hi->mnt), "%s", v2) > 0;
	return found;
}

/* Writes value to dir/file. 0 ok, -1 with errno. */
static inline int nslab_cg_write(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	FILE *f = fopen(path, "we");
	if (!f)
		return -1;
	int rc = fputs(value, f) < 0 ? -1 : 0;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/* dir/file into buf (NUL-terminated, cut at len - 1). 0 ok, -1 with errno. */
static inline int nslab_cg_read(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return 0;
}

/* What nslab_cg_value reads as "no limit", and as "no such file". */
#define NSLAB_CG_UNLIMITED (-1LL)
#define NSLAB_CG_ABSENT (-2LL)

/* A limit or counter file (memory.max, pids.current, ...): its number;
 * NSLAB_CG_UNLIMITED for v2's "max" and for a v1 value so large it means
 * none (2^63 rounded down to pages); NSLAB_CG_ABSENT when the file is not
 * there (the controller is off for the group, or the knob is not built). */
static inline long long nslab_cg_value(const char *dir, const char *file)
{
	char buf[64];
	if (nslab_cg_read(dir, file, buf, sizeof(buf)) < 0)
		return NSLAB_CG_ABSENT;
	if (strncmp(buf, "max", 3) == 0)
		return NSLAB_CG_UNLIMITED;
	long long v = strtoll(buf, NULL, 10);
	return v >= (1LL << 60) ? NSLAB_CG_UNLIMITED : v;
}

/* N of the line "KEY N" of a flat keyed file (memory.events,
 * memory.oom_control, pids.events); 0 when the file or the line is not there. */
static inline long long nslab_cg_key(const char *dir, const char *file, const char *key)
{
	char buf[1024];
	if (nslab_cg_read(dir, file, buf, sizeof(buf)) < 0)
		return 0;
	size_t n = strlen(key);
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (strncmp(l, key, n) == 0 && l[n] == ' ')
			return strtoll(l + n + 1, NULL, 10);
	return 0;
}

/* How many processes dir/cgroup.procs lists (0 when unreadable); *has
 * says whether pid is one of them. */
static inline int nslab_cg_procs(const char *dir, pid_t pid, bool *has)
{
	char path[PATH_MAX];
	int n = 0, p;
	*has = false;
	if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= (int)sizeof(path))
		return 0;
	FILE *f = fopen(path, "re");
	while (f && fscanf(f, "%d", &p) == 1) {
		n++;
		*has |= p == (int)pid;
	}
	if (f)
		fclose(f);
	return n;
}

/* <mnt>/nslab/<nslab pid>: where h->cg_group makes this run's groups in
 * the hierarchy hi (in nslab: getpid() is nslab's pid). */
static inline void nslab_cg_tree(const struct nslab_cg_hier *hi, char *buf, size_t len)
{
	snprintf(buf, len, "%s/nslab/%d", hi->mnt, (int)getpid());
}

#endif
