/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup.h: cgroup v1 / hybrid / v2 detection and CPU limits (libcgroup).
 * Every cgroup lives under nslab/<nslab pid>/<name>. The host API's cg_*
 * services forward here; errors are reported with out_error() in one line. */
#ifndef NSLAB_CGROUP_H
#define NSLAB_CGROUP_H

#include <stddef.h>
#include <sys/types.h>
#include "nslab-lab.h"

enum nslab_cgmode cgroup_mode(void);               /* statfs on /sys/fs/cgroup */
const char *cgroup_mode_name(enum nslab_cgmode m); /* "cgroup v1", "hybrid", "cgroup v2" */
int cgroup_create(const char *name);               /* registered with cleanup_keep() */
int cgroup_set_quota(const char *name, long quota_us, long period_us); /* quota -1 = max */
int cgroup_attach(const char *name, pid_t pid);
int cgroup_stat(const char *name, struct nslab_cpu_stat *st);
int cgroup_path(const char *name, char *buf, size_t len);
/* Moves the calling process into every nslab cgroup that `pid` is in (for `run`). */
int cgroup_join_like(pid_t pid);
/* Kills every process in dir and below and waits (bounded) until they are
 * gone: cgroup.kill on v2, freeze + kill + thaw on a v1 freezer, else kill
 * rounds. 0 ok, -1 errno (EBUSY: still not empty). */
int cgroup_kill_tree(const char *dir);
/* Used by cleanup: kill every process in the cgroup directory, then rmdir it. */
int cgroup_remove_dir(const char *dir);
/* Removes <every cgroup mount>/nslab/<pid>, whatever is below it (cgroups a
 * learner made there too). 0 ok, -1 if one could not be removed. */
int cgroup_remove_run(int pid);
/* For --cleanup: remove nslab/<pid> trees whose nslab process is gone. */
int cgroup_remove_orphans(void (*say)(const char *what));

#endif
