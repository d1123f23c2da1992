/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup.h: cgroup v1 / hybrid / v2 detection, the walk over cgroup mounts,
 * and CPU limits. Every cgroup lives under nslab/<nslab pid>/<name>. The
 * host API's cg_* services forward here.
 *
 * Mechanism only: a call that fails returns -1 with errno and, where it
 * takes one, fills why with one line for the learner (naming the path and
 * what to do); the caller decides whether and how to say it. Nothing here
 * prints. */
#ifndef NSLAB_CGROUP_H
#define NSLAB_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "nslab-lab.h"

/* Room for a reason (paths are in it). */
#define CGROUP_WHY_LEN 8192

enum nslab_cgmode cgroup_mode(void);               /* statfs on /sys/fs/cgroup */
const char *cgroup_mode_name(enum nslab_cgmode m); /* "cgroup v1", "hybrid", "cgroup v2" */

/* One cgroup mount of this mount namespace, as /proc/self/mounts says. */
struct cgroup_mount {
	bool v2;          /* cgroup2, else a v1 "cgroup" hierarchy */
	const char *dir;  /* where it is mounted */
	const char *opts; /* its options: on v1, its controllers among them */
};
/* Calls fn for each cgroup mount in mount table order until fn returns
 * nonzero; returns that value, 0 when fn saw them all, -1 with errno when
 * the table cannot be read. */
int cgroup_each_mount(int (*fn)(const struct cgroup_mount *m, void *ud), void *ud);
/* Exact match of one comma-separated mount option ("cpu" is not "cpuset"). */
bool cgroup_opt_has(const char *opts, const char *word);

int cgroup_create(const char *name, char *why, size_t whylen); /* registered with cleanup_keep() */
int cgroup_set_quota(const char *name, long quota_us, long period_us, char *why,
		     size_t whylen); /* quota -1 = max */
int cgroup_attach(const char *name, pid_t pid, char *why, size_t whylen);
/* A missing cgroup (ENOENT) or no cpu controller (ENODEV) is an answer a
 * check asks for: why stays empty then. */
int cgroup_stat(const char *name, struct nslab_cpu_stat *st, char *why, size_t whylen);
/* "/nslab/<pid>/<name>": the path within its hierarchy. */
int cgroup_path(const char *name, char *buf, size_t len, char *why, size_t whylen);
/* Moves the calling process into every nslab cgroup that `pid` is in (for `run`). */
int cgroup_join_like(pid_t pid);
/* Kills every process in dir and below and waits (bounded) until they are
 * gone: cgroup.kill on v2, freeze + kill + thaw on a v1 freezer, else kill
 * rounds. 0 ok, -1 errno (EBUSY: still not empty). */
int cgroup_kill_tree(const char *dir);
/* Kills every process in the cgroup directory, then removes it, leaf first. */
int cgroup_remove_dir(const char *dir);
/* Removes <every cgroup mount>/nslab/<pid>, whatever is below it (cgroups a
 * learner made there too). 0 ok, -1 if one could not be removed. */
int cgroup_remove_run(int pid);
/* For --cleanup: remove nslab/<pid> trees whose nslab run is gone. */
int cgroup_remove_orphans(void (*say)(const char *what));
/* Hands the cleanup registry the cgroup kind (its check and undo, and the
 * orphan sweep): call once at start-up, before the registry undoes anything. */
void cgroup_register_cleanup(void);

#endif
