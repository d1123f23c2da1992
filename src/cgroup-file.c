/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup-file.c: the plain-file backend: mkdir, and reading and writing the
 * kernel's knobs (cpu.max on v2; cpu.cfs_quota_us, cpu.cfs_period_us and
 * cpuacct.usage on v1; cgroup.procs). It runs after libcgroup and checks
 * each result on disk first, so it is both the fallback and the last word;
 * the formats of the knobs live here too. */
#include "cgroup-int.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* --- the knobs' formats (pure) --- */

int cgroup_format_v2_max(long quota_us, long period_us, char *buf, size_t len)
{
	int n = quota_us < 0 ? snprintf(buf, len, "max %ld", period_us)
			     : snprintf(buf, len, "%ld %ld", quota_us, period_us);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int cgroup_parse_v2_max(const char *text, long *quota_us, long *period_us)
{
	char q[32];
	long p = 100000;
	int n = sscanf(text, "%31s %ld", q, &p);
	if (n < 1)
		return -1;
	*period_us = p;
	if (strcmp(q, "max") == 0) {
		*quota_us = -1;
		return 0;
	}
	char *end;
	*quota_us = strtol(q, &end, 10);
	return *end ? -1 : 0;
}

long cgroup_v1_quota_value(long quota_us)
{
	return quota_us < 0 ? -1 : quota_us;
}

/* cpu.stat of either version. v1 reports throttled_time in ns and has no
 * usage line (that is cpuacct.usage); v2 has usage_usec and throttled_usec. */
void cgroup_parse_cpu_stat(const char *text, bool v2, struct nslab_cpu_stat *st)
{
	const char *p = text;
	while (p && *p) {
		char key[64];
		unsigned long long v;
		if (sscanf(p, "%63s %llu", key, &v) == 2) {
			if (strcmp(key, "nr_periods") == 0)
				st->nr_periods = v;
			else if (strcmp(key, "nr_throttled") == 0)
				st->nr_throttled = v;
			else if (v2 && strcmp(key, "usage_usec") == 0)
				st->usage_usec = v;
			else if (v2 && strcmp(key, "throttled_usec") == 0)
				st->throttled_usec = v;
			else if (!v2 && strcmp(key, "throttled_time") == 0)
				st->throttled_usec = v / 1000;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

/* --- knobs --- */

static bool knob_is(const char *dir, const char *knob, const char *value)
{
	char path[PATH_MAX + 64], now[128];
	cg_pathf(path, sizeof(path), "%s/%s", dir, knob);
	return read_file(path, now, sizeof(now)) >= 0 && strncmp(now, value, strlen(value)) == 0 &&
	       (now[strlen(value)] == '\n' || now[strlen(value)] == '\0');
}

/* Writes value unless the knob already says it. */
static int write_knob(const char *dir, const char *knob, const char *value, char *why, size_t whylen)
{
	char path[PATH_MAX + 64], now[128];
	if (knob_is(dir, knob, value))
		return 0;
	cg_dbg("fallback: write %s/%s", dir, knob);
	cg_pathf(path, sizeof(path), "%s/%s", dir, knob);
	if (write_file(path, value) == 0)
		return 0;
	int e = errno;
	if (read_file(path, now, sizeof(now)) >= 0 && strncmp(now, value, strlen(value)) == 0)
		return 0;
	snprintf(why, whylen, "cannot write '%s' to %s: %s%s", value, path, strerror(e),
		 e == EINVAL ? " (quota and period must be between 1000 and 1000000 us)" : "");
	errno = e;
	return -1;
}

int cg_file_enable_cpu(const char *dir, char *why, size_t whylen)
{
	char path[PATH_MAX], buf[512], *save = NULL;
	cg_pathf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	if (read_file(path, buf, sizeof(buf)) >= 0) {
		for (char *tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
			if (strcmp(tok, "cpu") == 0)
				return 0;
	}
	if (write_file(path, "+cpu") == 0)
		return 1;
	int e = errno;
	snprintf(why, whylen,
		 "cannot enable the cpu controller in %s (%s): run 'echo +cpu > %s' as root, or "
		 "delegate cpu to this cgroup",
		 dir, strerror(e), path);
	errno = e;
	return -1;
}

static int file_path(const struct cg_hier *h, const char *rel, char *buf, size_t len)
{
	if (cg_pathf(buf, len, "%s/%s", h->mnt, rel))
		return 0;
	errno = ENAMETOOLONG;
	return -1;
}

/* --- the backend --- */

static bool file_usable(const struct cg_hiers *hs)
{
	return hs->n > 0;
}

/* Makes every leaf that is not there yet. A v2 leaf must not enable
 * controllers for children, or v2 refuses processes in it. */
static int file_create(const struct cg_hiers *hs, const char *rel, char *why, size_t whylen)
{
	char path[PATH_MAX];
	for (int i = 0; i < hs->n; i++) {
		if (file_path(&hs->h[i], rel, path, sizeof(path)) < 0)
			return -1;
		if (!cg_is_dir(path)) {
			cg_dbg("fallback: mkdir %s", path);
			if (mkdir(path, 0755) < 0 && errno != EEXIST) {
				int e = errno;
				snprintf(why, whylen, "cannot create cgroup %s: %s%s", path, strerror(e),
					 e == EACCES || e == EPERM
					     ? " (cgroups need root: run nslab with sudo)"
					     : "");
				errno = e;
				return -1;
			}
		}
		char sc[PATH_MAX + 32], buf[256];
		if (hs->h[i].v2 && cg_pathf(sc, sizeof(sc), "%s/cgroup.subtree_control", path) &&
		    read_file(sc, buf, sizeof(buf)) > 1)
			write_file(sc, "-cpu");
	}
	return 0;
}

static int file_set_quota(const struct cg_hiers *hs, const char *rel, long quota_us, long period_us,
			  char *why, size_t whylen)
{
	char dir[PATH_MAX], v2val[64], q[32], p[32];
	if (file_path(&hs->h[0], rel, dir, sizeof(dir)) < 0)
		return -1;
	if (hs->h[0].v2) {
		if (cgroup_format_v2_max(quota_us, period_us, v2val, sizeof(v2val)) < 0) {
			errno = EINVAL;
			return -1;
		}
		return write_knob(dir, "cpu.max", v2val, why, whylen);
	}
	snprintf(q, sizeof(q), "%ld", cgroup_v1_quota_value(quota_us));
	snprintf(p, sizeof(p), "%ld", period_us);
	if (write_knob(dir, "cpu.cfs_period_us", p, why, whylen) < 0)
		return -1;
	return write_knob(dir, "cpu.cfs_quota_us", q, why, whylen);
}

/* Is pid listed in dir/cgroup.procs? */
static bool procs_has(const char *dir, pid_t pid)
{
	char path[PATH_MAX + 16];
	cg_pathf(path, sizeof(path), "%s/cgroup.procs", dir);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	int p;
	bool found = false;
	while (!found && fscanf(f, "%d", &p) == 1)
		found = p == (int)pid;
	fclose(f);
	return found;
}

static int file_attach(const struct cg_hiers *hs, const char *rel, pid_t pid, char *why, size_t whylen)
{
	char dir[PATH_MAX], val[32];
	snprintf(val, sizeof(val), "%d", (int)pid);
	for (int i = 0; i < hs->n; i++) {
		if (file_path(&hs->h[i], rel, dir, sizeof(dir)) < 0)
			return -1;
		if (!procs_has(dir, pid) && write_knob(dir, "cgroup.procs", val, why, whylen) < 0)
			return -1;
	}
	return 0;
}

/* Reads one number from dir/knob into *v (left alone if unreadable). */
static void read_long(const char *dir, const char *knob, long *v)
{
	char path[PATH_MAX + 32], buf[64];
	if (cg_pathf(path, sizeof(path), "%s/%s", dir, knob) && read_file(path, buf, sizeof(buf)) >= 0)
		*v = strtol(buf, NULL, 10);
}

static int file_stat(const struct cg_hiers *hs, const char *rel, struct nslab_cpu_stat *st, char *why,
		     size_t whylen)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], buf[1024];
	if (file_path(&hs->h[0], rel, dir, sizeof(dir)) < 0)
		return -1;
	cg_pathf(path, sizeof(path), "%s/cpu.stat", dir);
	if (read_file(path, buf, sizeof(buf)) < 0) {
		int e = errno;
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	cgroup_parse_cpu_stat(buf, hs->h[0].v2, st);
	if (hs->h[0].v2) {
		cg_pathf(path, sizeof(path), "%s/cpu.max", dir);
		if (read_file(path, buf, sizeof(buf)) >= 0)
			cgroup_parse_v2_max(buf, &st->quota_us, &st->period_us);
		return 0;
	}
	read_long(dir, "cpu.cfs_quota_us", &st->quota_us);
	read_long(dir, "cpu.cfs_period_us", &st->period_us);
	/* v1 usage is cpuacct's, in ns; it is the same dir if co-mounted. */
	const struct cg_hier *acct = hs->n > 1 ? &hs->h[1] : &hs->h[0];
	if (file_path(acct, rel, dir, sizeof(dir)) == 0 &&
	    cg_pathf(path, sizeof(path), "%s/cpuacct.usage", dir) && read_file(path, buf, sizeof(buf)) >= 0)
		st->usage_usec = strtoull(buf, NULL, 10) / 1000;
	return 0;
}

const struct cg_backend cg_backend_files = {
    .name = "files",
    .usable = file_usable,
    .create = file_create,
    .set_quota = file_set_quota,
    .attach = file_attach,
    .stat = file_stat,
    .remove = cgroup_remove_dir,
    .path = file_path,
};
