/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup.c: cgroup v1 / hybrid / v2 detection and CPU limits.
 *
 * libcgroup (2.0.2 on Debian bookworm) creates, sets, attaches and deletes;
 * around it we do what that version gets wrong or leaves out:
 *  - it has no cgroup_setup_mode(): the mode comes from statfs(2);
 *  - on v1 "cpu" may resolve to the cpuset mount: we find the hierarchies
 *    ourselves (exact mount option match) and check each result on disk,
 *    falling back to plain file writes when libcgroup went elsewhere;
 *  - on v2 it does not enable the controller in the parents' subtree_control:
 *    we write "+cpu" along the path, and keep processes in leaves only;
 *  - cgroup_delete_cgroup_ext leaves parents behind: cleanup removes the
 *    directories we registered, leaf first.
 * Layout: <hierarchy>/nslab/<nslab pid>/<name>. */
#include "cgroup.h"
#include "cleanup.h"
#include "output.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libcgroup.h>
#include <limits.h>
#include <mntent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif

#define CG_ROOT "/sys/fs/cgroup"
#define CG_TOP "nslab"
#define MAX_HIER 2

/* One hierarchy nslab uses: the one holding "cpu" and, on v1 when it is
 * mounted apart, the one holding "cpuacct" (for usage). */
struct hier {
	char mnt[PATH_MAX];
	const char *ctrl; /* libcgroup controller name */
	bool v2;
};

/* snprintf for paths and messages; truncation is checked by the caller
 * only where it matters (a truncated path then simply does not exist). */
static bool pathf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < len;
}

/* NSLAB_CGROUP_DEBUG=1: say on stderr whether libcgroup or the plain file
 * fallback did each operation (the VM test prints this for the v2 path). */
static void dbg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void dbg(const char *fmt, ...)
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

/* --- pure helpers (unit-tested; not part of cgroup.h) --- */

enum nslab_cgmode cgroup_mode_from_magic(long root_magic, long unified_magic);
int cgroup_format_v2_max(long quota_us, long period_us, char *buf, size_t len);
int cgroup_parse_v2_max(const char *text, long *quota_us, long *period_us);
long cgroup_v1_quota_value(long quota_us);
void cgroup_parse_cpu_stat(const char *text, bool v2, struct nslab_cpu_stat *st);
bool cgroup_opt_has(const char *opts, const char *word);

enum nslab_cgmode cgroup_mode_from_magic(long root_magic, long unified_magic)
{
	if (root_magic == CGROUP2_SUPER_MAGIC)
		return NSLAB_CG_V2;
	if (root_magic != TMPFS_MAGIC)
		return NSLAB_CG_NONE;
	return unified_magic == CGROUP2_SUPER_MAGIC ? NSLAB_CG_HYBRID : NSLAB_CG_V1;
}

/* v2 writes quota and period into one file: "30000 100000", "max 100000". */
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

/* v1 spells "no limit" as -1 in cpu.cfs_quota_us. */
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

/* Exact match of one comma-separated mount option ("cpu" is not "cpuset"). */
bool cgroup_opt_has(const char *opts, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = opts; p && *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* --- mode and hierarchies --- */

enum nslab_cgmode cgroup_mode(void)
{
	struct statfs root, uni;
	if (statfs(CG_ROOT, &root) < 0)
		return NSLAB_CG_NONE;
	long umagic = 0;
	if (statfs(CG_ROOT "/unified", &uni) == 0)
		umagic = (long)uni.f_type;
	return cgroup_mode_from_magic((long)root.f_type, umagic);
}

const char *cgroup_mode_name(enum nslab_cgmode m)
{
	switch (m) {
	case NSLAB_CG_V1:
		return "cgroup v1";
	case NSLAB_CG_HYBRID:
		return "hybrid";
	case NSLAB_CG_V2:
		return "cgroup v2";
	case NSLAB_CG_NONE:
		break;
	}
	return "no cgroups";
}

static bool v2_has_controller(const char *mnt, const char *ctrl)
{
	char path[PATH_MAX], buf[512];
	pathf(path, sizeof(path), "%s/cgroup.controllers", mnt);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return false;
	for (char *tok = strtok(buf, " \n"); tok; tok = strtok(NULL, " \n"))
		if (strcmp(tok, ctrl) == 0)
			return true;
	return false;
}

/* Finds where "cpu" (and on v1 "cpuacct") live. A v1 mount of the
 * controller wins over cgroup2 (hybrid hosts keep cpu on v1). Returns the
 * number of hierarchies, 0 if cpu is nowhere. */
static int find_hiers(struct hier *h)
{
	FILE *f = setmntent("/proc/self/mounts", "re");
	if (!f)
		return 0;
	char v2mnt[PATH_MAX] = "", cpu[PATH_MAX] = "", acct[PATH_MAX] = "";
	struct mntent *m;
	while ((m = getmntent(f))) {
		if (strcmp(m->mnt_type, "cgroup2") == 0 && !v2mnt[0] && v2_has_controller(m->mnt_dir, "cpu"))
			pathf(v2mnt, sizeof(v2mnt), "%s", m->mnt_dir);
		if (strcmp(m->mnt_type, "cgroup") != 0)
			continue;
		if (!cpu[0] && cgroup_opt_has(m->mnt_opts, "cpu"))
			pathf(cpu, sizeof(cpu), "%s", m->mnt_dir);
		if (!acct[0] && cgroup_opt_has(m->mnt_opts, "cpuacct"))
			pathf(acct, sizeof(acct), "%s", m->mnt_dir);
	}
	endmntent(f);
	if (cpu[0]) {
		pathf(h[0].mnt, sizeof(h[0].mnt), "%s", cpu);
		h[0].ctrl = "cpu";
		h[0].v2 = false;
		if (!acct[0] || strcmp(acct, cpu) == 0)
			return 1;
		pathf(h[1].mnt, sizeof(h[1].mnt), "%s", acct);
		h[1].ctrl = "cpuacct";
		h[1].v2 = false;
		return 2;
	}
	if (!v2mnt[0])
		return 0;
	pathf(h[0].mnt, sizeof(h[0].mnt), "%s", v2mnt);
	h[0].ctrl = "cpu";
	h[0].v2 = true;
	return 1;
}

/* Says, in one line, why there is no usable cpu controller. */
static void no_cpu_error(void)
{
	enum nslab_cgmode m = cgroup_mode();
	char cmdline[4096] = "";
	read_file("/proc/cmdline", cmdline, sizeof(cmdline));
	const char *off = strstr(cmdline, "cgroup_disable=");
	bool disabled = off && strstr(off, "cpu") && strcspn(off, " ") > (size_t)(strstr(off, "cpu") - off);
	if (m == NSLAB_CG_NONE)
		out_error("no cgroup filesystem at " CG_ROOT ": mount one (mount -t cgroup2 none " CG_ROOT
			  ")");
	else if (disabled)
		out_error("the cpu controller is disabled on the kernel command line (%.*s): remove that and "
			  "reboot",
			  (int)strcspn(off, " \n"), off);
	else if (m == NSLAB_CG_V2)
		out_error("the cpu controller is missing from " CG_ROOT
			  "/cgroup.controllers: this kernel has no "
			  "CFS bandwidth control (CONFIG_CFS_BANDWIDTH)");
	else
		out_error("no cgroup v1 hierarchy has the cpu controller (%s): mount it with "
			  "'mkdir -p " CG_ROOT "/cpu && mount -t cgroup -o cpu cgroup " CG_ROOT "/cpu'",
			  cgroup_mode_name(m));
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* "nslab/<pid>/<name>": the cgroup name relative to a hierarchy. */
static int rel_name(const char *name, char *buf, size_t len)
{
	if (!name || !*name || strchr(name, '/') || name[0] == '.') {
		out_error("bad cgroup name '%s'", name ? name : "");
		errno = EINVAL;
		return -1;
	}
	int n = snprintf(buf, len, CG_TOP "/%d/%s", (int)getpid(), name);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* cgroup_init parses the mount table once and caches it; a table read
 * before cgroups were mounted (an initramfs, a test VM) would stay empty,
 * so a failed init is retried on the next call. */
static int lib_init(void)
{
	static bool done;
	if (done)
		return 0;
	int r = cgroup_init();
	if (r != 0)
		return -1;
	done = true;
	return 0;
}

/* libcgroup is usable for a hierarchy only if its idea of the controller's
 * mount point is ours (2.0.x may map "cpu" to the cpuset mount). */
static bool lib_agrees(const struct hier *h)
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

/* --- create --- */

static int keep_dir(const char *path)
{
	if (cleanup_keep(NSLAB_OBJ_CGROUP, path) < 0) {
		out_error("cannot register %s for cleanup", path);
		return -1;
	}
	return 0;
}

/* mkdir one level; registers it for cleanup if we made it. */
static int make_dir(const char *path)
{
	if (mkdir(path, 0755) == 0)
		return keep_dir(path);
	if (errno == EEXIST)
		return 0;
	int err = errno;
	out_error("cannot create cgroup %s: %s%s", path, strerror(err),
		  err == EACCES || err == EPERM ? " (cgroups need root: run nslab with sudo)" : "");
	errno = err;
	return -1;
}

/* v2: a child sees a controller's files only if its parent lists the
 * controller in cgroup.subtree_control. */
static int v2_enable_cpu(const char *dir)
{
	char path[PATH_MAX], buf[512];
	pathf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	if (read_file(path, buf, sizeof(buf)) >= 0) {
		for (char *tok = strtok(buf, " \n"); tok; tok = strtok(NULL, " \n"))
			if (strcmp(tok, "cpu") == 0)
				return 0;
	}
	if (write_file(path, "+cpu") == 0)
		return 0;
	out_error("cannot enable the cpu controller in %s (%s): run 'echo +cpu > %s' as root, or "
		  "delegate cpu to this cgroup",
		  dir, strerror(errno), path);
	return -1;
}

/* The parents nslab/ and nslab/<pid>/ in one hierarchy, made by hand so
 * that we know which ones are ours, with cpu enabled below them on v2. */
static int make_parents(const struct hier *h)
{
	char dir[PATH_MAX];
	if (h->v2 && v2_enable_cpu(h->mnt) < 0)
		return -1;
	pathf(dir, sizeof(dir), "%s/" CG_TOP, h->mnt);
	if (make_dir(dir) < 0 || (h->v2 && v2_enable_cpu(dir) < 0))
		return -1;
	pathf(dir, sizeof(dir), "%s/" CG_TOP "/%d", h->mnt, (int)getpid());
	if (make_dir(dir) < 0 || (h->v2 && v2_enable_cpu(dir) < 0))
		return -1;
	return 0;
}

/* Creates the leaf in every hierarchy: libcgroup first, then a check on
 * disk, then mkdir if libcgroup put it elsewhere or failed. */
static int make_leaf(const struct hier *h, int n, const char *rel)
{
	char path[PATH_MAX];
	bool existed[MAX_HIER];
	for (int i = 0; i < n; i++) {
		pathf(path, sizeof(path), "%s/%s", h[i].mnt, rel);
		existed[i] = is_dir(path);
	}
	if (lib_init() == 0) {
		struct cgroup *cg = cgroup_new_cgroup(rel);
		bool usable = cg != NULL;
		for (int i = 0; usable && i < n; i++)
			usable = lib_agrees(&h[i]) && cgroup_add_controller(cg, h[i].ctrl);
		if (usable) {
			int r = cgroup_create_cgroup(cg, 0);
			dbg("libcgroup cgroup_create_cgroup(%s) = %d (%s)", rel, r,
			    r ? cgroup_strerror(r) : "ok");
		} else {
			dbg("libcgroup does not see the cpu hierarchy where it is: plain mkdir");
		}
		if (cg)
			cgroup_free(&cg);
	}
	for (int i = 0; i < n; i++) {
		pathf(path, sizeof(path), "%s/%s", h[i].mnt, rel);
		if (existed[i])
			continue;
		if (is_dir(path)) {
			if (keep_dir(path) < 0)
				return -1;
		} else {
			dbg("fallback: mkdir %s", path);
			if (make_dir(path) < 0)
				return -1;
		}
		/* A leaf must not enable controllers for children, or v2 refuses
		 * processes in it. */
		if (h[i].v2) {
			char sc[PATH_MAX + 32], buf[256];
			pathf(sc, sizeof(sc), "%s/cgroup.subtree_control", path);
			if (read_file(sc, buf, sizeof(buf)) > 1)
				write_file(sc, "-cpu");
		}
	}
	return 0;
}

int cgroup_create(const char *name)
{
	char rel[PATH_MAX];
	struct hier h[MAX_HIER];
	if (rel_name(name, rel, sizeof(rel)) < 0)
		return -1;
	int n = find_hiers(h);
	if (n == 0) {
		no_cpu_error();
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (make_parents(&h[i]) < 0)
			return -1;
	if (make_leaf(h, n, rel) < 0)
		return -1;
	char knob[PATH_MAX + 16];
	pathf(knob, sizeof(knob), "%s/%s/%s", h[0].mnt, rel, h[0].v2 ? "cpu.max" : "cpu.cfs_quota_us");
	if (access(knob, F_OK) < 0) {
		out_error(
		    "%s is missing: the cpu controller is not enabled for this cgroup (try 'echo +cpu > "
		    "%s/cgroup.subtree_control')",
		    knob, h[0].mnt);
		return -1;
	}
	return 0;
}

/* --- set, attach, read --- */

static int leaf_dir(const struct hier *h, const char *name, char *buf, size_t len, bool quiet)
{
	char rel[PATH_MAX];
	if (rel_name(name, rel, sizeof(rel)) < 0)
		return -1;
	pathf(buf, len, "%s/%s", h->mnt, rel);
	if (!is_dir(buf)) {
		if (!quiet)
			out_error("cgroup %s does not exist (create it first)", buf);
		errno = ENOENT;
		return -1;
	}
	return 0;
}

static int write_knob(const char *dir, const char *knob, const char *value)
{
	char path[PATH_MAX + 64], now[128];
	pathf(path, sizeof(path), "%s/%s", dir, knob);
	if (write_file(path, value) == 0)
		return 0;
	int e = errno;
	if (read_file(path, now, sizeof(now)) >= 0 && strncmp(now, value, strlen(value)) == 0)
		return 0;
	out_error("cannot write '%s' to %s: %s%s", value, path, strerror(e),
		  e == EINVAL ? " (quota and period must be between 1000 and 1000000 us)" : "");
	errno = e;
	return -1;
}

static bool knob_is(const char *dir, const char *knob, const char *value)
{
	char path[PATH_MAX + 64], now[128];
	pathf(path, sizeof(path), "%s/%s", dir, knob);
	return read_file(path, now, sizeof(now)) >= 0 && strncmp(now, value, strlen(value)) == 0 &&
	       (now[strlen(value)] == '\n' || now[strlen(value)] == '\0');
}

int cgroup_set_quota(const char *name, long quota_us, long period_us)
{
	struct hier h[MAX_HIER];
	char dir[PATH_MAX], rel[PATH_MAX], v2val[64], q[32], p[32];
	if (find_hiers(h) == 0) {
		no_cpu_error();
		return -1;
	}
	if (period_us <= 0)
		period_us = 100000;
	if (leaf_dir(&h[0], name, dir, sizeof(dir), false) < 0 || rel_name(name, rel, sizeof(rel)) < 0)
		return -1;
	if (cgroup_format_v2_max(quota_us, period_us, v2val, sizeof(v2val)) < 0)
		return -1;
	pathf(q, sizeof(q), "%ld", cgroup_v1_quota_value(quota_us));
	pathf(p, sizeof(p), "%ld", period_us);

	if (lib_agrees(&h[0])) {
		struct cgroup *cg = cgroup_new_cgroup(rel);
		struct cgroup_controller *c = cg ? cgroup_add_controller(cg, "cpu") : NULL;
		if (c && h[0].v2)
			cgroup_add_value_string(c, "cpu.max", v2val);
		else if (c) {
			cgroup_add_value_string(c, "cpu.cfs_period_us", p);
			cgroup_add_value_string(c, "cpu.cfs_quota_us", q);
		}
		if (c) {
			int r = cgroup_modify_cgroup(cg);
			dbg("libcgroup cgroup_modify_cgroup(%s) = %d (%s)", rel, r,
			    r ? cgroup_strerror(r) : "ok");
		}
		if (cg)
			cgroup_free(&cg);
	}
	/* Whatever libcgroup did, the kernel files have the last word. */
	if (h[0].v2) {
		if (knob_is(dir, "cpu.max", v2val))
			return 0;
		dbg("fallback: write cpu.max");
		return write_knob(dir, "cpu.max", v2val);
	}
	if (!knob_is(dir, "cpu.cfs_period_us", p) && write_knob(dir, "cpu.cfs_period_us", p) < 0)
		return -1;
	return knob_is(dir, "cpu.cfs_quota_us", q) ? 0 : write_knob(dir, "cpu.cfs_quota_us", q);
}

/* Is pid listed in dir/cgroup.procs? */
static bool procs_has(const char *dir, pid_t pid)
{
	char path[PATH_MAX + 16];
	pathf(path, sizeof(path), "%s/cgroup.procs", dir);
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

int cgroup_attach(const char *name, pid_t pid)
{
	struct hier h[MAX_HIER];
	char rel[PATH_MAX], dir[PATH_MAX], val[32];
	int n = find_hiers(h);
	if (n == 0) {
		no_cpu_error();
		return -1;
	}
	if (rel_name(name, rel, sizeof(rel)) < 0)
		return -1;
	bool lib = true;
	for (int i = 0; i < n; i++)
		lib = lib && lib_agrees(&h[i]);
	if (lib) {
		struct cgroup *cg = cgroup_new_cgroup(rel);
		bool ok = cg != NULL;
		for (int i = 0; ok && i < n; i++)
			ok = cgroup_add_controller(cg, h[i].ctrl) != NULL;
		if (ok) {
			int r = cgroup_attach_task_pid(cg, pid);
			dbg("libcgroup cgroup_attach_task_pid(%s, %d) = %d (%s)", rel, (int)pid, r,
			    r ? cgroup_strerror(r) : "ok");
		}
		if (cg)
			cgroup_free(&cg);
	}
	pathf(val, sizeof(val), "%d", (int)pid);
	for (int i = 0; i < n; i++) {
		if (leaf_dir(&h[i], name, dir, sizeof(dir), false) < 0)
			return -1;
		if (procs_has(dir, pid))
			continue;
		dbg("fallback: write %s/cgroup.procs", dir);
		if (write_knob(dir, "cgroup.procs", val) < 0)
			return -1;
	}
	return 0;
}

int cgroup_stat(const char *name, struct nslab_cpu_stat *st)
{
	struct hier h[MAX_HIER];
	char dir[PATH_MAX], path[PATH_MAX + 32], buf[1024];
	int n = find_hiers(h);
	memset(st, 0, sizeof(*st));
	st->quota_us = -1;
	st->period_us = 100000;
	if (n == 0) { /* a query: the caller says what is missing */
		errno = ENODEV;
		return -1;
	}
	/* A missing cgroup is an answer, not an error: checks ask this. */
	if (leaf_dir(&h[0], name, dir, sizeof(dir), true) < 0)
		return -1;
	pathf(path, sizeof(path), "%s/cpu.stat", dir);
	if (read_file(path, buf, sizeof(buf)) < 0) {
		out_error("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	cgroup_parse_cpu_stat(buf, h[0].v2, st);
	if (h[0].v2) {
		pathf(path, sizeof(path), "%s/cpu.max", dir);
		if (read_file(path, buf, sizeof(buf)) >= 0)
			cgroup_parse_v2_max(buf, &st->quota_us, &st->period_us);
		return 0;
	}
	pathf(path, sizeof(path), "%s/cpu.cfs_quota_us", dir);
	if (read_file(path, buf, sizeof(buf)) >= 0)
		st->quota_us = strtol(buf, NULL, 10);
	pathf(path, sizeof(path), "%s/cpu.cfs_period_us", dir);
	if (read_file(path, buf, sizeof(buf)) >= 0)
		st->period_us = strtol(buf, NULL, 10);
	/* v1 usage is cpuacct's, in ns; it is the same dir if co-mounted. */
	const char *acct = n > 1 ? h[1].mnt : h[0].mnt;
	char rel[PATH_MAX];
	rel_name(name, rel, sizeof(rel));
	pathf(path, sizeof(path), "%s/%s/cpuacct.usage", acct, rel);
	if (read_file(path, buf, sizeof(buf)) >= 0)
		st->usage_usec = strtoull(buf, NULL, 10) / 1000;
	return 0;
}

int cgroup_path(const char *name, char *buf, size_t len)
{
	char rel[PATH_MAX];
	if (rel_name(name, rel, sizeof(rel)) < 0)
		return -1;
	int n = snprintf(buf, len, "/%s", rel);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* --- join (in a forked child, before exec: no output, no libcgroup) --- */

/* The mount point of the hierarchy a /proc/PID/cgroup line names:
 * "0::/x" is cgroup2, "4:cpu,cpuacct:/x" the v1 mount with those options. */
static bool hier_mount(const char *ctrls, char *mnt, size_t len)
{
	FILE *f = setmntent("/proc/self/mounts", "re");
	if (!f)
		return false;
	bool found = false;
	struct mntent *m;
	while (!found && (m = getmntent(f))) {
		if (!*ctrls) {
			found = strcmp(m->mnt_type, "cgroup2") == 0;
		} else if (strcmp(m->mnt_type, "cgroup") == 0) {
			char copy[256];
			pathf(copy, sizeof(copy), "%s", ctrls);
			found = true;
			for (char *t = strtok(copy, ","); t && found; t = strtok(NULL, ","))
				found = cgroup_opt_has(m->mnt_opts, t);
		}
		if (found)
			pathf(mnt, len, "%s", m->mnt_dir);
	}
	endmntent(f);
	return found;
}

int cgroup_join_like(pid_t pid)
{
	char path[64], line[PATH_MAX];
	pathf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
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
		if (!hier_mount(c1 + 1, mnt, sizeof(mnt)))
			continue;
		pathf(procs, sizeof(procs), "%s%s/cgroup.procs", mnt, c2 + 1);
		if (write_file(procs, "0") < 0)
			rc = -1;
	}
	fclose(f);
	return rc;
}

/* --- removal --- */

/* SIGKILLs every process listed in dir and the cgroups below it; returns
 * how many it saw (0: the tree is empty). */
static int kill_members(const char *dir)
{
	char path[PATH_MAX + 16];
	pathf(path, sizeof(path), "%s/cgroup.procs", dir);
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
		    pathf(path, sizeof(path), "%s/%s", dir, de->d_name))
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
	pathf(path, sizeof(path), "%s/freezer.state", dir);
	if (write_file(path, on ? "FROZEN" : "THAWED") < 0)
		return false;
	for (int i = 0; on && i < 100; i++) {
		if (read_file(path, now, sizeof(now)) > 0 && strncmp(now, "FROZEN", 6) == 0)
			break;
		sleep_ms(5);
	}
	return true;
}

int cgroup_kill_tree(const char *dir)
{
	char path[PATH_MAX + 16];
	/* v2 (5.14+): one write kills the whole subtree, forks included. */
	pathf(path, sizeof(path), "%s/cgroup.kill", dir);
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
	/* The shared top goes with the last run's tree (if another run still
	 * has one, rmdir fails with EBUSY and it stays). */
	char top[PATH_MAX];
	const char *slash = strrchr(dir, '/');
	if (slash && pathf(top, sizeof(top), "%.*s", (int)(slash - dir), dir) && is_top(top))
		rmdir(top);
	return rc;
}

int cgroup_remove_run(int pid)
{
	FILE *f = setmntent("/proc/self/mounts", "re");
	if (!f)
		return 0;
	int rc = 0;
	struct mntent *m;
	while ((m = getmntent(f))) {
		char dir[PATH_MAX];
		if ((strcmp(m->mnt_type, "cgroup") == 0 || strcmp(m->mnt_type, "cgroup2") == 0) &&
		    pathf(dir, sizeof(dir), "%s/" CG_TOP "/%d", m->mnt_dir, pid) && is_dir(dir) &&
		    cgroup_remove_dir(dir) < 0)
			rc = -1;
	}
	endmntent(f);
	return rc;
}

static int remove_orphans_in(const char *mnt, void (*say)(const char *what))
{
	char top[PATH_MAX];
	pathf(top, sizeof(top), "%s/" CG_TOP, mnt);
	DIR *d = opendir(top);
	if (!d)
		return 0;
	int removed = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		/* Alive by the run's owner file, never by a process name (a copy
		 * called nslab-dev, or nslab under valgrind, is a live run too). */
		if (de->d_type != DT_DIR || !isdigit((unsigned char)de->d_name[0]) || *end || pid <= 0 ||
		    pid > INT_MAX || cleanup_run_alive((int)pid))
			continue;
		char dir[PATH_MAX + 64];
		pathf(dir, sizeof(dir), "%s/%s", top, de->d_name);
		if (cgroup_remove_dir(dir) == 0) {
			removed++;
			if (say) {
				char msg[PATH_MAX + 80];
				pathf(msg, sizeof(msg), "cgroup %s", dir);
				say(msg);
			}
		}
	}
	closedir(d);
	if (rmdir(top) == 0 && say) {
		char msg[PATH_MAX + 80];
		pathf(msg, sizeof(msg), "cgroup %s", top);
		say(msg);
	}
	return removed;
}

int cgroup_remove_orphans(void (*say)(const char *what))
{
	FILE *f = setmntent("/proc/self/mounts", "re");
	if (!f)
		return 0;
	/* Collect first: removing while getmntent reads is fine, but say()
	 * may print, and the list is short. */
	char mnts[16][PATH_MAX];
	int n = 0;
	struct mntent *m;
	while (n < 16 && (m = getmntent(f)))
		if (strcmp(m->mnt_type, "cgroup") == 0 || strcmp(m->mnt_type, "cgroup2") == 0)
			pathf(mnts[n++], PATH_MAX, "%s", m->mnt_dir);
	endmntent(f);
	int removed = 0;
	for (int i = 0; i < n; i++)
		removed += remove_orphans_in(mnts[i], say);
	return removed;
}
