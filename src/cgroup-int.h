/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup-int.h: what the cgroup module's files share, and nothing outside
 * them includes: the hierarchies nslab uses (cgroup-detect.c) and the
 * backend interface, an ops table as crun's cgroup managers have, with two
 * backends: libcgroup (cgroup-lib.c) and plain file writes (cgroup-file.c).
 *
 * cgroup.c runs libcgroup first, when it sees the hierarchies where they
 * are, then the file backend, which checks each result on disk and does
 * what is still missing: whatever libcgroup did, the kernel files have the
 * last word. A backend returns -1 with errno and a reason for the learner in
 * why; it never prints. */
#ifndef NSLAB_CGROUP_INT_H
#define NSLAB_CGROUP_INT_H

#include "cgroup.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CG_ROOT "/sys/fs/cgroup"
#define CG_TOP "nslab"
#define CG_MAX_HIER 2

/* One hierarchy nslab uses: the one holding "cpu" and, on v1 when it is
 * mounted apart, the one holding "cpuacct" (for usage). */
struct cg_hier {
	char mnt[PATH_MAX];
	const char *ctrl; /* libcgroup controller name */
	bool v2;
};

struct cg_hiers {
	struct cg_hier h[CG_MAX_HIER];
	int n; /* 0: no cpu controller anywhere */
};

/* What a backend does to one cgroup (rel: "nslab/<pid>/<name>") in every
 * hierarchy of hs. A NULL op is one the backend leaves to the next. */
struct cg_backend {
	const char *name;
	bool (*usable)(const struct cg_hiers *hs);
	int (*create)(const struct cg_hiers *hs, const char *rel, char *why, size_t whylen);
	int (*set_quota)(const struct cg_hiers *hs, const char *rel, long quota_us, long period_us, char *why,
			 size_t whylen);
	int (*attach)(const struct cg_hiers *hs, const char *rel, pid_t pid, char *why, size_t whylen);
	int (*stat)(const struct cg_hiers *hs, const char *rel, struct nslab_cpu_stat *st, char *why,
		    size_t whylen);
	/* Kills what is inside, removes it and everything below (a path). */
	int (*remove)(const char *dir);
	/* The cgroup's directory in hierarchy h. */
	int (*path)(const struct cg_hier *h, const char *rel, char *buf, size_t len);
};

extern const struct cg_backend cg_backend_libcgroup, cg_backend_files;

/* --- cgroup-detect.c --- */

/* Finds where "cpu" (and on v1 "cpuacct") live. A v1 mount of the
 * controller wins over cgroup2 (hybrid hosts keep cpu on v1). */
void cg_find_hiers(struct cg_hiers *hs);
/* Why there is no usable cpu controller, in one line. */
void cg_no_cpu_reason(char *why, size_t whylen);
/* The mount point of the hierarchy a /proc/PID/cgroup line names by its
 * controllers: "" is cgroup2, "cpu,cpuacct" the v1 mount with those. */
bool cg_hier_mount(const char *ctrls, char *mnt, size_t len);

/* --- cgroup-file.c --- */

/* The knobs' formats (pure, unit-tested). v2 writes quota and period into
 * one file: "30000 100000", "max 100000"; v1 spells "no limit" -1. */
int cgroup_format_v2_max(long quota_us, long period_us, char *buf, size_t len);
int cgroup_parse_v2_max(const char *text, long *quota_us, long *period_us);
long cgroup_v1_quota_value(long quota_us);
void cgroup_parse_cpu_stat(const char *text, bool v2, struct nslab_cpu_stat *st);

/* v2: a child sees a controller's files only if its parent lists the
 * controller in cgroup.subtree_control: enables cpu there. 0 it was
 * enabled already, 1 nslab enabled it (the caller registers that), -1. */
int cg_file_enable_cpu(const char *dir, char *why, size_t whylen);

/* --- cgroup-remove.c --- */

/* The cgroup kind's entry for "nslab wrote +cpu into DIR's
 * cgroup.subtree_control": CG_ENABLED_CPU DIR. Its undo writes -cpu. */
#define CG_ENABLED_CPU "+cpu "
/* Writes -cpu into dir/cgroup.subtree_control: 0 done; 1 nothing to undo
 * (off already, gone, or EBUSY: a cgroup below uses cpu now); -1 errno. */
int cgroup_disable_cpu(const char *dir);

/* --- shared helpers (cgroup.c) --- */

/* snprintf for paths: false when truncated (a truncated path then simply
 * does not exist). */
bool cg_pathf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool cg_is_dir(const char *path);
/* NSLAB_CGROUP_DEBUG=1: says on stderr which backend did each operation
 * (the VM test prints this for the v2 path). A developer's trace, not
 * something the learner sees. */
void cg_dbg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
