/* SPDX-License-Identifier: GPL-2.0-or-later */
/* host-snap.c: reading the host state the guard compares, and comparing two
 * snapshots. Items are (type, key, value) strings, sorted, so that the diff
 * is one merge whatever the type, and a unit test builds snapshots by hand. */
#include "host-snap.h"
#include "cleanup.h"
#include "mounts.h"
#include "sysvipc.h"
#include "util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define MAX_ITEMS 20000 /* a bound on what one snapshot holds */
#define CG_DEPTH 8      /* how deep the cgroup walk goes below a mount */
#define MAX_CG_MOUNTS 32

int snap_add(struct snap *s, enum snap_type t, const char *key, const char *value)
{
	if (s->n == s->cap) {
		if (s->cap >= MAX_ITEMS) {
			errno = ENOSPC;
			return -1;
		}
		size_t ncap = s->cap ? s->cap * 2 : 256;
		struct snap_item *n = realloc(s->items, ncap * sizeof(*n));
		if (!n)
			return -1;
		s->items = n;
		s->cap = ncap;
	}
	char *k = strdup(key), *v = strdup(value);
	if (!k || !v) {
		free(k);
		free(v);
		return -1;
	}
	s->items[s->n++] = (struct snap_item){t, k, v};
	return 0;
}

void snap_free(struct snap *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->items[i].key);
		free(s->items[i].value);
	}
	free(s->items);
	*s = (struct snap){0};
}

static int item_cmp(const struct snap_item *a, const struct snap_item *b)
{
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return strcmp(a->key, b->key);
}

static int item_qcmp(const void *a, const void *b)
{
	return item_cmp(a, b);
}

void snap_sort(struct snap *s)
{
	if (s->n)
		qsort(s->items, s->n, sizeof(s->items[0]), item_qcmp);
}

size_t snap_diff(const struct snap *a, const struct snap *b, struct snap_change *out, size_t max)
{
	size_t i = 0, j = 0, n = 0;
	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : item_cmp(&a->items[i], &b->items[j]);
		struct snap_change ch;
		if (c < 0)
			ch = (struct snap_change){SNAP_REMOVED, &a->items[i++], NULL};
		else if (c > 0)
			ch = (struct snap_change){SNAP_ADDED, NULL, &b->items[j++]};
		else if (strcmp(a->items[i].value, b->items[j].value) != 0)
			ch = (struct snap_change){SNAP_CHANGED, &a->items[i++], &b->items[j++]};
		else {
			i++;
			j++;
			continue;
		}
		if (n < max)
			out[n] = ch;
		n++;
	}
	return n;
}

const char *snap_field(const char *value, int i, char *buf, size_t len)
{
	const char *p = value;
	for (int k = 0; k < i && p; k++)
		p = (p = strchr(p, ' ')) ? p + 1 : NULL;
	buf[0] = '\0';
	if (!p)
		return buf;
	char raw[PATH_MAX * 3];
	size_t n = strcspn(p, " ");
	if (n >= sizeof(raw))
		return buf;
	memcpy(raw, p, n);
	raw[n] = '\0';
	if (cleanup_field_decode(raw, buf, len) < 0)
		buf[0] = '\0';
	return buf;
}

/* Adds an item whose value is fields already encoded, joined by ' '. */
static int add_fields(struct snap *s, enum snap_type t, const char *key, int nf, const char *const f[])
{
	char value[PATH_MAX * 4] = "";
	size_t o = 0;
	for (int i = 0; i < nf; i++) {
		char enc[PATH_MAX * 3];
		cleanup_field_encode(f[i], enc, sizeof(enc));
		int w = snprintf(value + o, sizeof(value) - o, "%s%s", i ? " " : "", enc[0] ? enc : "%00");
		if (w < 0 || (size_t)w >= sizeof(value) - o)
			break;
		o += (size_t)w;
	}
	return snap_add(s, t, key, value);
}

/* --- the readers --- */

static int read_uts(struct snap *s)
{
	struct utsname u;
	if (uname(&u) < 0)
		return 0;
	const char *host[] = {u.nodename}, *domain[] = {u.domainname};
	if (add_fields(s, SNAP_UTS, "hostname", 1, host) < 0 ||
	    add_fields(s, SNAP_UTS, "domainname", 1, domain) < 0)
		return -1;
	return 0;
}

struct mount_walk {
	struct snap *s;
	int err;
	char *cg[MAX_CG_MOUNTS]; /* cgroup mount points, for read_cgroups */
	size_t ncg;
};

static bool one_mount(const struct nslab_mount *m, void *ud)
{
	struct mount_walk *w = ud;
	char key[32];
	snprintf(key, sizeof(key), "%d", m->id);
	const char *prop = m->shared && m->slave ? "shared,slave"
			   : m->shared           ? "shared"
			   : m->slave            ? "slave"
						 : "private";
	const char *f[] = {m->target, m->fstype, m->source, prop};
	if (add_fields(w->s, SNAP_MOUNT, key, 4, f) < 0) {
		w->err = -1;
		return false;
	}
	if ((strcmp(m->fstype, "cgroup") == 0 || strcmp(m->fstype, "cgroup2") == 0) && w->ncg < MAX_CG_MOUNTS)
		w->cg[w->ncg++] = strdup(m->target);
	return true;
}

/* "fe80::1/64" from an address and its netmask. */
static void addr_text(const struct sockaddr *a, const struct sockaddr *mask, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	int plen = 0;
	const unsigned char *m = NULL;
	size_t mlen = 0;
	if (a->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, ip, sizeof(ip));
		if (mask)
			m = (const unsigned char *)&((const struct sockaddr_in *)mask)->sin_addr, mlen = 4;
	} else {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, ip, sizeof(ip));
		if (mask)
			m = (const unsigned char *)&((const struct sockaddr_in6 *)mask)->sin6_addr, mlen = 16;
	}
	for (size_t i = 0; i < mlen; i++)
		plen += __builtin_popcount(m[i]);
	snprintf(buf, len, "%s/%d", ip, plen);
}

static int read_links(struct snap *s)
{
	struct ifaddrs *all;
	if (getifaddrs(&all) < 0)
		return 0;
	int rc = 0;
	/* the links come first (AF_PACKET): their indexes, for the addresses */
	struct {
		const char *name;
		int index;
	} idx[256];
	size_t nidx = 0;
	for (struct ifaddrs *i = all; i && rc == 0; i = i->ifa_next) {
		if (!i->ifa_addr || !i->ifa_name)
			continue;
		char key[INET6_ADDRSTRLEN + 64];
		const char *f[] = {i->ifa_name};
		int fam = i->ifa_addr->sa_family;
		if (fam == AF_PACKET) {
			int index = ((const struct sockaddr_ll *)i->ifa_addr)->sll_ifindex;
			if (nidx < sizeof(idx) / sizeof(idx[0]))
				idx[nidx].name = i->ifa_name, idx[nidx++].index = index;
			snprintf(key, sizeof(key), "%d", index);
			rc = add_fields(s, SNAP_LINK, key, 1, f);
		} else if (fam == AF_INET || fam == AF_INET6) {
			char a[INET6_ADDRSTRLEN + 8];
			addr_text(i->ifa_addr, i->ifa_netmask, a, sizeof(a));
			int index = 0;
			for (size_t k = 0; k < nidx && !index; k++)
				if (strcmp(idx[k].name, i->ifa_name) == 0)
					index = idx[k].index;
			snprintf(key, sizeof(key), "%d %s", index ? index : (int)if_nametoindex(i->ifa_name),
				 a);
			rc = add_fields(s, SNAP_ADDR, key, 1, f);
		}
	}
	freeifaddrs(all);
	return rc;
}

static bool one_ipc(const struct sysvipc_obj *o, void *ud)
{
	struct snap *s = ud;
	char key[32], value[96];
	snprintf(key, sizeof(key), "%s %d", sysvipc_word(o->type), o->id);
	snprintf(value, sizeof(value), "%d %lld %lld", o->key, o->type == SYSVIPC_SHM ? o->cpid : o->ctime,
		 o->size);
	return snap_add(s, SNAP_IPC, key, value) == 0;
}

static int read_ipc(struct snap *s)
{
	size_t n = s->n;
	for (int t = 0; t < SYSVIPC_NTYPES; t++)
		sysvipc_each((enum sysvipc_type)t, one_ipc, s);
	return s->n >= n ? 0 : -1;
}

struct cg_walk {
	struct snap *s;
	int self;
	int err;
};

/* One cgroup directory as an item; a missing one is left out. */
static int add_cgroup(struct cg_walk *w, const char *path, int intree)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	char key[PATH_MAX * 3], value[48];
	cleanup_field_encode(path, key, sizeof(key));
	snprintf(value, sizeof(value), "%llu %d", (unsigned long long)st.st_ino, intree);
	if (snap_add(w->s, SNAP_CGROUP, key, value) < 0) {
		w->err = -1;
		return -1;
	}
	return 0;
}

/* systemd's own units (system.slice, session-3.scope, ...): systemd makes
 * and removes them, at any moment; a learner's command is never blamed for
 * one, and their trees (most of a systemd host's cgroups) are not walked. */
static bool systemd_unit(const char *name)
{
	static const char *const suffix[] = {".slice",  ".scope", ".service", ".mount",
					     ".socket", ".swap",  NULL};
	size_t n = strlen(name);
	for (size_t i = 0; suffix[i]; i++) {
		size_t k = strlen(suffix[i]);
		if (n > k && strcmp(name + n - k, suffix[i]) == 0)
			return true;
	}
	return false;
}

static void walk_cgroup(struct cg_walk *w, const char *dir, int depth, bool intree)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) && !w->err) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.' || (!intree && systemd_unit(de->d_name)))
			continue;
		char path[PATH_MAX];
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		bool in = intree;
		if (depth == 0 && strcmp(de->d_name, "nslab") == 0) {
			/* other runs' trees are theirs: only this run's is walked; the
			 * top and this run's directory are recorded (INTREE 2) so that
			 * a learner's cgcreate that made them is undone whole */
			char own[PATH_MAX + 16];
			snprintf(own, sizeof(own), "%s/%d", path, w->self);
			if (add_cgroup(w, path, 2) == 0 && add_cgroup(w, own, 2) == 0)
				walk_cgroup(w, own, depth + 2, true);
			continue;
		}
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		char key[PATH_MAX * 3], value[48];
		cleanup_field_encode(path, key, sizeof(key));
		snprintf(value, sizeof(value), "%llu %d", (unsigned long long)st.st_ino, in);
		if (snap_add(w->s, SNAP_CGROUP, key, value) < 0) {
			w->err = -1;
			break;
		}
		/* a cgroup directory counts its subdirectories in st_nlink (kernfs):
		 * a leaf is not read, which is most of them */
		if (depth + 1 < CG_DEPTH && st.st_nlink > 2)
			walk_cgroup(w, path, depth + 1, in);
	}
	closedir(d);
}

/* Is pid in nslab's own cgroup tree (nslab/<self>) in some hierarchy? */
static bool in_own_tree(pid_t pid, pid_t self)
{
	char path[64], buf[4096], needle[48];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return true; /* gone: nothing left running */
	snprintf(needle, sizeof(needle), ":/nslab/%d", (int)self);
	for (char *p = strstr(buf, needle); p; p = strstr(p + 1, needle))
		if (p[strlen(needle)] == '/' || p[strlen(needle)] == '\n' || !p[strlen(needle)])
			return true;
	return false;
}

static pid_t skipped;

void snap_skip(pid_t pid)
{
	skipped = pid;
}

static int add_proc(struct snap *s, pid_t pid, pid_t self)
{
	char path[64], stat[1024], cmd[256];
	if (pid == skipped)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, stat, sizeof(stat)) <= 0)
		return 0;
	char *p = strrchr(stat, ')');
	if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return 0;
	unsigned long long start = 0;
	int field = 2;
	char *save = NULL;
	for (char *tok = strtok_r(p + 1, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (++field == 22) {
			start = strtoull(tok, NULL, 10);
			break;
		}
	if (!start || in_own_tree(pid, self))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	ssize_t n = read_file(path, cmd, sizeof(cmd));
	for (ssize_t i = 0; i < n - 1; i++)
		if (!cmd[i])
			cmd[i] = ' ';
	char key[48];
	snprintf(key, sizeof(key), "%d:%llu", (int)pid, start);
	const char *f[] = {n > 0 ? cmd : "?"};
	return add_fields(s, SNAP_PROC, key, 1, f);
}

/* nslab's descendants, through the children lists (nslab is a subreaper:
 * what a command detaches stays below it). */
static int read_procs(struct snap *s, pid_t self, pid_t pid, int depth)
{
	char path[96], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	if (depth > 32 || read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		pid_t child = (pid_t)atoi(tok);
		if (child <= 0)
			continue;
		if (add_proc(s, child, self) < 0 || read_procs(s, self, child, depth + 1) < 0)
			return -1;
	}
	return 0;
}

int snap_take(struct snap *s, pid_t self)
{
	*s = (struct snap){0};
	struct mount_walk mw = {.s = s};
	struct cg_walk cw = {.s = s, .self = (int)self};
	int rc = read_uts(s);
	if (rc == 0)
		mounts_each(0, one_mount, &mw);
	rc = rc ? rc : mw.err;
	if (rc == 0)
		rc = read_links(s);
	if (rc == 0)
		rc = read_ipc(s);
	for (size_t i = 0; i < mw.ncg; i++) {
		if (rc == 0 && mw.cg[i])
			walk_cgroup(&cw, mw.cg[i], 0, false);
		free(mw.cg[i]);
	}
	rc = rc ? rc : cw.err;
	if (rc == 0)
		rc = read_procs(s, self, self, 0);
	snap_sort(s);
	return rc;
}
