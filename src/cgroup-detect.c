/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup-detect.c: which cgroup layout this machine has (v1, hybrid, v2),
 * the one walk over its cgroup mounts that every other part of nslab uses,
 * and where the cpu controller lives. Read-only: nothing here changes the
 * machine, so it is its own file apart from the code that does.
 *
 * libcgroup 2.0.2 has no cgroup_setup_mode(): the layout comes from
 * statfs(2). It may also map "cpu" to the cpuset mount: the hierarchies are
 * found here by an exact mount option match. */
#include "cgroup-int.h"
#include "nslab-lab-util.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif

/* A pure helper, unit-tested (not part of cgroup.h). */
enum nslab_cgmode cgroup_mode_from_magic(long root_magic, long unified_magic);

enum nslab_cgmode cgroup_mode_from_magic(long root_magic, long unified_magic)
{
	if (root_magic == CGROUP2_SUPER_MAGIC)
		return NSLAB_CG_V2;
	if (root_magic != TMPFS_MAGIC)
		return NSLAB_CG_NONE;
	return unified_magic == CGROUP2_SUPER_MAGIC ? NSLAB_CG_HYBRID : NSLAB_CG_V1;
}

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

/* The labs' matcher (nslab-lab-util.h), one copy for both sides. */
bool cgroup_opt_has(const char *opts, const char *word)
{
	return nslab_opt_has(opts, word);
}

/* The cgroup lines of the mount table, kept between walks: a lab's start and
 * stop walk it five times, and the kernel formats the whole table for each
 * read (~40 us here). Read again only when the kernel says the table
 * changed: poll(2) on an open /proc/self/mounts reports POLLPRI|POLLERR
 * after any mount or unmount in its namespace (proc(5)), and each poll
 * resets that mark, so a poll before each read misses nothing. Kept for the
 * process and mount namespace that read it: a fork (an agent, a command's
 * child) or a process that setns(2)'d reads its own. */
static struct {
	pid_t pid; /* who read it; 0: nothing kept */
	dev_t ns_dev;
	ino_t ns_ino; /* its mount namespace then */
	int fd;       /* /proc/self/mounts, open while kept */
	size_t n;
	struct cgroup_mount *m; /* dir and opts point into text */
	char *text;
	int walking; /* walks in progress: the table must stay while fn runs */
} mc = {.fd = -1};

static void mc_drop(void)
{
	if (mc.fd >= 0)
		close(mc.fd); /* in a fork: its own inherited copy */
	free(mc.m);
	free(mc.text);
	mc.m = NULL;
	mc.text = NULL;
	mc.n = 0;
	mc.fd = -1;
	mc.pid = 0;
}

/* The whole file from offset 0 (seq_file regenerates it on each read). */
static char *read_all(int fd, size_t *len)
{
	size_t cap = 4096, have = 0;
	char *buf = malloc(cap);
	while (buf) {
		ssize_t r = pread(fd, buf + have, cap - have - 1, (off_t)have);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (r == 0) {
			buf[have] = '\0';
			*len = have;
			return buf;
		}
		have += (size_t)r;
		if (cap - have > 1)
			continue;
		char *n = realloc(buf, cap * 2);
		if (!n)
			break;
		buf = n;
		cap *= 2;
	}
	free(buf);
	return NULL;
}

/* Keeps the cgroup entries of the table text (getmntent decodes the
 * octal escapes of a path with spaces). */
static int mc_parse(char *table, size_t len)
{
	FILE *f = fmemopen(table, len ? len : 1, "r");
	if (!f)
		return -1;
	size_t cap = 0;
	char line[8192];
	struct mntent ent, *e;
	char *text = NULL;
	size_t tlen = 0;
	struct cgroup_mount *m = NULL;
	size_t n = 0;
	int rc = 0;
	while (rc == 0 && (e = getmntent_r(f, &ent, line, sizeof(line)))) {
		bool v2 = strcmp(e->mnt_type, "cgroup2") == 0;
		if (!v2 && strcmp(e->mnt_type, "cgroup") != 0)
			continue;
		size_t dl = strlen(e->mnt_dir) + 1, ol = strlen(e->mnt_opts) + 1;
		char *nt = realloc(text, tlen + dl + ol);
		struct cgroup_mount *nm = n == cap ? realloc(m, (cap = cap ? 2 * cap : 16) * sizeof(*m)) : m;
		if (nt)
			text = nt;
		if (nm)
			m = nm;
		if (!nt || !nm) {
			rc = -1;
			break;
		}
		memcpy(text + tlen, e->mnt_dir, dl);
		memcpy(text + tlen + dl, e->mnt_opts, ol);
		/* offsets now, pointers once text has stopped moving */
		m[n++] = (struct cgroup_mount){.v2 = v2,
					       .dir = (const char *)(uintptr_t)tlen,
					       .opts = (const char *)(uintptr_t)(tlen + dl)};
		tlen += dl + ol;
	}
	fclose(f);
	if (rc < 0) {
		free(text);
		free(m);
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		m[i].dir = text + (uintptr_t)m[i].dir;
		m[i].opts = text + (uintptr_t)m[i].opts;
	}
	free(mc.m);
	free(mc.text);
	mc.m = m;
	mc.text = text;
	mc.n = n;
	return 0;
}

/* Whether the kept table is still this process's and namespace's, and
 * unchanged since it was read. */
static bool mc_valid(const struct stat *ns)
{
	if (mc.pid != getpid() || mc.fd < 0 || mc.ns_dev != ns->st_dev || mc.ns_ino != ns->st_ino)
		return false;
	struct pollfd p = {mc.fd, POLLPRI, 0};
	return poll(&p, 1, 0) == 0;
}

/* The table, current: 0, or -1 with errno. */
static int mc_refresh(void)
{
	struct stat ns;
	if (stat("/proc/self/ns/mnt", &ns) < 0)
		return -1;
	if (mc_valid(&ns))
		return 0;
	if (mc.pid != getpid() || mc.fd < 0 || mc.ns_dev != ns.st_dev || mc.ns_ino != ns.st_ino) {
		mc_drop();
		mc.fd = open("/proc/self/mounts", O_RDONLY | O_CLOEXEC);
		if (mc.fd < 0)
			return -1;
		mc.pid = getpid();
		mc.ns_dev = ns.st_dev;
		mc.ns_ino = ns.st_ino;
	}
	size_t len;
	char *table = read_all(mc.fd, &len);
	int rc = table ? mc_parse(table, len) : -1;
	free(table);
	if (rc < 0)
		mc_drop();
	return rc;
}

/* The walk without the kept table (a walk inside a walk's fn, when the
 * table changed meanwhile: the outer walk's entries must stay valid). */
static int each_mount_direct(int (*fn)(const struct cgroup_mount *m, void *ud), void *ud)
{
	FILE *f = setmntent("/proc/self/mounts", "re");
	if (!f)
		return -1;
	int rc = 0;
	struct mntent *m;
	while (rc == 0 && (m = getmntent(f))) {
		bool v2 = strcmp(m->mnt_type, "cgroup2") == 0;
		if (!v2 && strcmp(m->mnt_type, "cgroup") != 0)
			continue;
		const struct cgroup_mount cm = {.v2 = v2, .dir = m->mnt_dir, .opts = m->mnt_opts};
		rc = fn(&cm, ud);
	}
	endmntent(f);
	return rc;
}

int cgroup_each_mount(int (*fn)(const struct cgroup_mount *m, void *ud), void *ud)
{
	if (mc.walking) {
		struct stat ns;
		if (stat("/proc/self/ns/mnt", &ns) < 0 || !mc_valid(&ns))
			return each_mount_direct(fn, ud);
	} else if (mc_refresh() < 0) {
		return each_mount_direct(fn, ud);
	}
	mc.walking++;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < mc.n; i++) {
		const struct cgroup_mount cm = mc.m[i]; /* fn gets a copy, as before */
		rc = fn(&cm, ud);
	}
	mc.walking--;
	return rc;
}

static bool v2_has_controller(const char *mnt, const char *ctrl)
{
	char path[PATH_MAX], buf[512];
	cg_pathf(path, sizeof(path), "%s/cgroup.controllers", mnt);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return false;
	char *save = NULL;
	for (char *tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (strcmp(tok, ctrl) == 0)
			return true;
	return false;
}

struct cpu_mounts {
	char v2[PATH_MAX], cpu[PATH_MAX], acct[PATH_MAX];
};

static int note_cpu_mount(const struct cgroup_mount *m, void *ud)
{
	struct cpu_mounts *c = ud;
	if (m->v2 && !c->v2[0] && v2_has_controller(m->dir, "cpu"))
		cg_pathf(c->v2, sizeof(c->v2), "%s", m->dir);
	if (m->v2)
		return 0;
	if (!c->cpu[0] && cgroup_opt_has(m->opts, "cpu"))
		cg_pathf(c->cpu, sizeof(c->cpu), "%s", m->dir);
	if (!c->acct[0] && cgroup_opt_has(m->opts, "cpuacct"))
		cg_pathf(c->acct, sizeof(c->acct), "%s", m->dir);
	return 0;
}

static void set_hier(struct cg_hier *h, const char *mnt, const char *ctrl, bool v2)
{
	cg_pathf(h->mnt, sizeof(h->mnt), "%s", mnt);
	h->ctrl = ctrl;
	h->v2 = v2;
}

void cg_find_hiers(struct cg_hiers *hs)
{
	struct cpu_mounts c = {"", "", ""};
	hs->n = 0;
	if (cgroup_each_mount(note_cpu_mount, &c) < 0)
		return;
	if (c.cpu[0]) {
		set_hier(&hs->h[hs->n++], c.cpu, "cpu", false);
		if (c.acct[0] && strcmp(c.acct, c.cpu) != 0)
			set_hier(&hs->h[hs->n++], c.acct, "cpuacct", false);
		return;
	}
	if (c.v2[0])
		set_hier(&hs->h[hs->n++], c.v2, "cpu", true);
}

void cg_no_cpu_reason(char *why, size_t whylen)
{
	enum nslab_cgmode m = cgroup_mode();
	char cmdline[4096] = "";
	read_file("/proc/cmdline", cmdline, sizeof(cmdline));
	const char *off = strstr(cmdline, "cgroup_disable=");
	bool disabled = off && strstr(off, "cpu") && strcspn(off, " ") > (size_t)(strstr(off, "cpu") - off);
	if (m == NSLAB_CG_NONE)
		snprintf(why, whylen,
			 "no cgroup filesystem at " CG_ROOT ": mount one (mount -t cgroup2 none " CG_ROOT
			 ")");
	else if (disabled)
		snprintf(why, whylen,
			 "the cpu controller is disabled on the kernel command line (%.*s): remove that and "
			 "reboot",
			 (int)strcspn(off, " \n"), off);
	else if (m == NSLAB_CG_V2)
		snprintf(why, whylen,
			 "the cpu controller is missing from " CG_ROOT
			 "/cgroup.controllers: this kernel has no "
			 "CFS bandwidth control (CONFIG_CFS_BANDWIDTH)");
	else
		snprintf(why, whylen,
			 "no cgroup v1 hierarchy has the cpu controller (%s): mount it with "
			 "'mkdir -p " CG_ROOT "/cpu && mount -t cgroup -o cpu cgroup " CG_ROOT "/cpu'",
			 cgroup_mode_name(m));
	errno = ENODEV;
}

struct named_mount {
	const char *ctrls;
	char *mnt;
	size_t len;
};

static int match_ctrls(const struct cgroup_mount *m, void *ud)
{
	struct named_mount *w = ud;
	bool found = !*w->ctrls && m->v2;
	if (*w->ctrls && !m->v2) {
		char copy[256], *save = NULL;
		cg_pathf(copy, sizeof(copy), "%s", w->ctrls);
		found = true;
		for (char *t = strtok_r(copy, ",", &save); t && found; t = strtok_r(NULL, ",", &save))
			found = cgroup_opt_has(m->opts, t);
	}
	if (found)
		cg_pathf(w->mnt, w->len, "%s", m->dir);
	return found;
}

bool cg_hier_mount(const char *ctrls, char *mnt, size_t len)
{
	struct named_mount w = {ctrls, mnt, len};
	return cgroup_each_mount(match_ctrls, &w) > 0;
}
