/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup-lib.c: the libcgroup backend. nslab uses the library the
 * workshop's tools (cgcreate, cgexec) use, so that what the learner reads
 * about is what runs; its own file because libcgroup 2.0.2 (Debian
 * bookworm) gets parts wrong and the file backend checks after it:
 *  - it may map "cpu" to the cpuset mount: it is used for a hierarchy only
 *    when its idea of the mount point is nslab's (lib_agrees);
 *  - on v2 it does not enable the controller in the parents'
 *    subtree_control (cgroup.c does, before the leaf is made);
 *  - cgroup_delete_cgroup_ext leaves parents behind: removal is by file.
 * Its results are traced (cg_dbg), never relied on. */
#include "cgroup-int.h"

#include <errno.h>
#include <libcgroup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cgroup_init parses the mount table once and caches it; a table read
 * before cgroups were mounted (an initramfs, a test VM) would stay empty,
 * so a failed init is retried on the next call. */
static int lib_init(void)
{
	static bool done;
	if (done)
		return 0;
	if (cgroup_init() != 0)
		return -1;
	done = true;
	return 0;
}

/* libcgroup is usable for a hierarchy only if its idea of the controller's
 * mount point is ours (2.0.x may map "cpu" to the cpuset mount). */
static bool lib_agrees(const struct cg_hier *h)
{
	if (lib_init() < 0)
		return false;
	char *mp = NULL;
	if (cgroup_get_subsys_mount_point(h->ctrl, &mp) != 0 || !mp)
		return false;
	bool same = strcmp(mp, h->mnt) == 0;
	free(mp);
	return same;
}

static bool lib_usable(const struct cg_hiers *hs)
{
	bool ok = hs->n > 0;
	for (int i = 0; ok && i < hs->n; i++)
		ok = lib_agrees(&hs->h[i]);
	return ok;
}

/* A libcgroup handle on rel with every hierarchy's controller (the first
 * `upto` of them); NULL if it cannot be had. */
static struct cgroup *lib_cgroup(const struct cg_hiers *hs, const char *rel, int upto)
{
	struct cgroup *cg = cgroup_new_cgroup(rel);
	bool ok = cg != NULL;
	for (int i = 0; ok && i < upto; i++)
		ok = cgroup_add_controller(cg, hs->h[i].ctrl) != NULL;
	if (!ok && cg)
		cgroup_free(&cg);
	return ok ? cg : NULL;
}

static int lib_result(const char *what, const char *rel, int r)
{
	cg_dbg("libcgroup %s(%s) = %d (%s)", what, rel, r, r ? cgroup_strerror(r) : "ok");
	if (r == 0)
		return 0;
	errno = EIO;
	return -1;
}

static int lib_create(const struct cg_hiers *hs, const char *rel, char *why, size_t whylen)
{
	struct cgroup *cg = lib_cgroup(hs, rel, hs->n);
	if (!cg) {
		snprintf(why, whylen, "libcgroup cannot describe %s", rel);
		errno = ENOMEM;
		return -1;
	}
	int rc = lib_result("cgroup_create_cgroup", rel, cgroup_create_cgroup(cg, 0));
	cgroup_free(&cg);
	return rc;
}

static int lib_set_quota(const struct cg_hiers *hs, const char *rel, long quota_us, long period_us, char *why,
			 size_t whylen)
{
	char v2val[64], q[32], p[32];
	struct cgroup *cg = lib_cgroup(hs, rel, 1);
	struct cgroup_controller *c = cg ? cgroup_get_controller(cg, "cpu") : NULL;
	if (!c) {
		if (cg)
			cgroup_free(&cg);
		snprintf(why, whylen, "libcgroup cannot describe %s", rel);
		errno = ENOMEM;
		return -1;
	}
	if (hs->h[0].v2 && cgroup_format_v2_max(quota_us, period_us, v2val, sizeof(v2val)) == 0) {
		cgroup_add_value_string(c, "cpu.max", v2val);
	} else if (!hs->h[0].v2) {
		snprintf(q, sizeof(q), "%ld", cgroup_v1_quota_value(quota_us));
		snprintf(p, sizeof(p), "%ld", period_us);
		cgroup_add_value_string(c, "cpu.cfs_period_us", p);
		cgroup_add_value_string(c, "cpu.cfs_quota_us", q);
	}
	int rc = lib_result("cgroup_modify_cgroup", rel, cgroup_modify_cgroup(cg));
	cgroup_free(&cg);
	return rc;
}

static int lib_attach(const struct cg_hiers *hs, const char *rel, pid_t pid, char *why, size_t whylen)
{
	struct cgroup *cg = lib_cgroup(hs, rel, hs->n);
	if (!cg) {
		snprintf(why, whylen, "libcgroup cannot describe %s", rel);
		errno = ENOMEM;
		return -1;
	}
	int r = cgroup_attach_task_pid(cg, pid);
	cg_dbg("libcgroup cgroup_attach_task_pid(%s, %d) = %d (%s)", rel, (int)pid, r,
	       r ? cgroup_strerror(r) : "ok");
	cgroup_free(&cg);
	if (r == 0)
		return 0;
	errno = EIO;
	return -1;
}

const struct cg_backend cg_backend_libcgroup = {
    .name = "libcgroup",
    .usable = lib_usable,
    .create = lib_create,
    .set_quota = lib_set_quota,
    .attach = lib_attach,
};
