/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cleanup-check.c: whether an entry of the registry may be undone.
 *
 * nslab runs as root, so a registry on disk is input, and even an entry in
 * memory came from a lab: every entry is checked before it is undone. Paths
 * must resolve beneath the run directory without a symlink on the way, links
 * carry nslab's prefix, processes carry a start time (and a replayed group
 * its session). Apart from the registry so that what is allowed can be read
 * in one place, and unit-tested without undoing anything. */
#include "cleanup-int.h"
#include "mounts.h"
#include "sysvipc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* Resolves rel (relative, no leading '/') beneath the directory rootfd
 * without following any symlink on the way; the last component may be a
 * symlink (it is then what is opened, O_PATH). An fd, or -1 with errno
 * (ELOOP: a symlink on the way, EXDEV: it leads outside). */
static int open_beneath(int rootfd, const char *rel)
{
	struct open_how how = {
	    .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	if (fd >= 0 || (errno != ENOSYS && errno != EPERM && errno != E2BIG))
		return fd;
	/* No openat2 (Linux < 5.6, or a seccomp filter): one component at a
	 * time, O_NOFOLLOW; rel has no "..", "." or empty components. */
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", rel) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int cur = dup(rootfd);
	char *save = NULL;
	for (char *c = strtok_r(buf, "/", &save); c && cur >= 0; c = strtok_r(NULL, "/", &save)) {
		bool last = !save || !*save;
		int next = openat(cur, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		close(cur);
		cur = next;
		struct stat st = {0};
		if (cur >= 0 && !last && (fstat(cur, &st) < 0 || !S_ISDIR(st.st_mode))) {
			int err = S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR;
			close(cur);
			cur = -1;
			errno = err;
		}
	}
	return cur;
}

/* No "", "." or ".." component in rel. */
static bool plain_components(const char *rel)
{
	for (const char *p = rel;;) {
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (!*e)
			return true;
		p = e + 1;
	}
}

/* path must name something strictly beneath root, reached without a
 * symlink. 0 yes, 1 it does not exist (nothing to undo), -1 refused. */
int cleanup_check_beneath(const char *root, const char *path, char *why, size_t whylen)
{
	size_t rlen = strlen(root);
	if (strcmp(path, "/") == 0) {
		snprintf(why, whylen, "the root directory");
		return -1;
	}
	if (strncmp(path, root, rlen) != 0 || path[rlen] != '/' || !path[rlen + 1]) {
		snprintf(why, whylen, "not beneath %s", root);
		return -1;
	}
	const char *rel = path + rlen + 1;
	if (!plain_components(rel)) {
		snprintf(why, whylen, "'.', '..' or '//' in the path");
		return -1;
	}
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rootfd < 0) {
		snprintf(why, whylen, "%s: %s", root, strerror(errno));
		return -1;
	}
	int fd = open_beneath(rootfd, rel);
	int err = errno;
	close(rootfd);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (err == ENOENT)
		return 1;
	if (err == ELOOP)
		snprintf(why, whylen, "a symlink on the way");
	else if (err == EXDEV)
		snprintf(why, whylen, "leads outside %s", root);
	else
		snprintf(why, whylen, "%s", strerror(err));
	return -1;
}

/* Link names nslab gives in the host's namespace start with "nsl" (today
 * no lab makes one there: net's veth pair is born in the lab's namespace). */
int cleanup_check_link(const struct cleanup_run *r, const char *name, char *why, size_t whylen)
{
	(void)r;
	size_t n = strlen(name);
	if (strncmp(name, NSLAB_LINK_PREFIX, strlen(NSLAB_LINK_PREFIX)) != 0 || n >= 16) {
		snprintf(why, whylen,
			 "not a link name nslab gives (" NSLAB_LINK_PREFIX "*, under 16 characters)");
		return -1;
	}
	for (const char *p = name; *p; p++)
		if (!(p[0] >= 'a' && p[0] <= 'z') && !(p[0] >= 'A' && p[0] <= 'Z') &&
		    !(p[0] >= '0' && p[0] <= '9') && !strchr("-_.", *p)) {
			snprintf(why, whylen, "not a link name nslab gives");
			return -1;
		}
	return 0;
}

/* "PID:START" or, in memory only, "-PGID:START"; from disk, "-PGID:START:SID". */
int cleanup_parse_process(const char *what, int *pid, unsigned long long *start, int *sid, char *why,
			  size_t whylen)
{
	char *end;
	errno = 0;
	long p = strtol(what, &end, 10);
	if (end == what || errno || p > INT_MAX || p < -INT_MAX) {
		snprintf(why, whylen, "not a PID");
		return -1;
	}
	if (p >= -1 && p <= 1) {
		snprintf(why, whylen, "PID %ld is never nslab's", p);
		return -1;
	}
	if (*end != ':' || !end[1]) {
		snprintf(why, whylen, "no start time");
		return -1;
	}
	const char *s = end + 1;
	unsigned long long st = strtoull(s, &end, 10);
	long session = 0;
	if (p < 0 && *end == ':' && end[1] >= '1' && end[1] <= '9') { /* "-PGID:START:SID" */
		const char *q = end + 1;
		session = strtol(q, &end, 10);
		if (session > INT_MAX) {
			session = 0;
			end = (char *)q;
		}
	}
	if (*end || st == 0 || *s == '-') {
		snprintf(why, whylen, "bad start time");
		return -1;
	}
	*pid = (int)p;
	*start = st;
	*sid = (int)session;
	return 0;
}

int cleanup_check_process(const struct cleanup_run *r, const char *what, char *why, size_t whylen)
{
	int pid, sid;
	unsigned long long start;
	if (cleanup_parse_process(what, &pid, &start, &sid, why, whylen) < 0)
		return -1;
	if (pid < 0 && !r->live && !sid) {
		snprintf(why, whylen,
			 "a process group is not replayed from disk without its session "
			 "(its PGID may be anyone's now)");
		return -1;
	}
	return 0;
}

/* Mounts, dirs and files nslab makes all live in its run dir. */
int cleanup_check_in_run_dir(const struct cleanup_run *r, const char *what, char *why, size_t whylen)
{
	if (!r->dir) {
		snprintf(why, whylen, "no run directory to check it against");
		return -1;
	}
	return cleanup_check_beneath(r->dir, what, why, whylen);
}

/* A namespace file: /run/netns/nslab-NAME (what `ip netns` sees), or in
 * the run dir. */
int cleanup_check_netns(const struct cleanup_run *r, const char *what, char *why, size_t whylen)
{
	if (strncmp(what, "/run/netns/nslab-", 17) == 0 && !strchr(what + 17, '/'))
		return cleanup_check_beneath("/run/netns", what, why, whylen);
	return cleanup_check_in_run_dir(r, what, why, whylen);
}

/* --- host objects a learner's command made (host-guard.c) ---
 *
 * nslab did not make these itself: it saw them appear around a learner's
 * `host`, `run` or `shell`. So each entry carries more than a name: the
 * namespace it was seen in, and what a reused name or number would not
 * share with it (an IPC object's key and creator, a link's ifindex, a
 * mount's ID, type and source, a cgroup's inode, a hostname's new value). */

static bool encode_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("._/,+=@-", c));
}

void cleanup_field_encode(const char *s, char *out, size_t len)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && o + 1 < len; p++) {
		if (encode_plain(*p)) {
			out[o++] = (char)*p;
		} else if (o + 3 < len) {
			snprintf(out + o, 4, "%%%02X", *p);
			o += 3;
		} else {
			break;
		}
	}
	if (len)
		out[o] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int cleanup_field_decode(const char *s, char *out, size_t len)
{
	size_t o = 0;
	for (const char *p = s; *p; p++) {
		if (o + 1 >= len)
			return -1;
		if (*p != '%') {
			out[o++] = *p;
			continue;
		}
		int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
		if (lo < 0 || (hi == 0 && lo == 0))
			return -1;
		out[o++] = (char)(hi * 16 + lo);
		p += 2;
	}
	if (!len)
		return -1;
	out[o] = '\0';
	return 0;
}

unsigned long long cleanup_ns_ino(const char *type)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
	return stat(path, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

int cleanup_split_fields(const char *what, int n, char *buf, size_t slot, char *why, size_t whylen)
{
	const char *p = what;
	for (int i = 0; i < n; i++) {
		const char *e = i == n - 1 ? p + strlen(p) : strchr(p, ':');
		if (!e || (i == n - 1 && strchr(p, ':'))) {
			snprintf(why, whylen, "not %d fields joined by ':'", n);
			return -1;
		}
		char field[PATH_MAX * 3];
		size_t flen = (size_t)(e - p);
		if (flen >= sizeof(field) ||
		    (memcpy(field, p, flen), field[flen] = '\0',
		     cleanup_field_decode(field, buf + (size_t)i * slot, slot) < 0)) {
			snprintf(why, whylen, "field %d is badly encoded or too long", i + 1);
			return -1;
		}
		p = e + 1;
	}
	return 0;
}

/* A whole decimal number in s: 0, or -1 with why. */
static int field_num(const char *s, long long min, long long *v, char *why, size_t whylen)
{
	char *end;
	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (!*s || *end || errno || x < min) {
		snprintf(why, whylen, "'%s' is not a number nslab records", s);
		return -1;
	}
	*v = x;
	return 0;
}

/* The entry was seen in nslab's namespace of this type: is that ours? */
static int same_ns_field(const char *type, const char *field, char *why, size_t whylen)
{
	long long ino;
	if (field_num(field, 1, &ino, why, whylen) < 0)
		return -1;
	unsigned long long now = cleanup_ns_ino(type);
	if (now == (unsigned long long)ino)
		return 0;
	snprintf(why, whylen, "made in another %s namespace (%s:[%lld]; this is %s:[%llu])", type, type, ino,
		 type, now);
	return -1;
}

#define SLOT 256

int cleanup_check_ipc(const struct cleanup_run *r, const char *what, char *why, size_t whylen)
{
	(void)r;
	char f[5][SLOT];
	long long id, key, proof;
	if (cleanup_split_fields(what, 5, f[0], SLOT, why, whylen) < 0)
		return -1;
	int t = sysvipc_parse_word(f[0]);
	if (t < 0) {
		snprintf(why, whylen, "'%s' is not shm, msg or sem", f[0]);
		return -1;
	}
	if (field_num(f[1], 0, &id, why, whylen) < 0 || field_num(f[2], INT_MIN, &key, why, whylen) < 0 ||
	    field_num(f[3], 0, &proof, why, whylen) < 0 || same_ns_field("ipc", f[4], why, whylen) < 0)
		return -1;
	struct sysvipc_obj o;
	int found = sysvipc_find((enum sysvipc_type)t, (int)id, &o);
	if (found < 0) {
		snprintf(why, whylen, "cannot read /proc/sysvipc/%s: %s", f[0], strerror(errno));
		return -1;
	}
	if (!found)
		return 1;
	long long now = t == SYSVIPC_SHM ? o.cpid : o.ctime;
	if (o.key != key || now != proof) {
		snprintf(why, whylen, "%s %lld is now another object (key %d, %s %lld)", f[0], id, o.key,
			 t == SYSVIPC_SHM ? "creator PID" : "change time", now);
		return -1;
	}
	return 0;
}

int cleanup_check_utsname(const struct cleanup_run *r, const char *what, char *why, size_t whylen)
{
	(void)r;
	char f[4][SLOT];
	if (cleanup_split_fields(what, 4, f[0], SLOT, why, whylen) < 0 ||
	    same_ns_field("uts", f[3], why, whylen) < 0)
		return -1;
	struct utsname u;
	if (uname(&u) < 0) {
		snprintf(why, whylen, "uname: %s", strerror(errno));
		return -1;
	}
	const char *now;
	if (strcmp(f[0], "hostname") == 0)
		now = u.nodename;
	else if (strcmp(f[0], "domainname") == 0)
		now = u.domainname;
	else {
		snprintf(why, whylen, "'%s' is not hostname or domainname", f[0]);
		return -1;
	}
	if (strcmp(now, f[2]) == 0)
		return 0;
	if (strcmp(now, f[1]) == 0)
		return 1;
	snprintf(why, whylen, "the %s was changed again since (now '%s'): left as it is", f[0], now);
	return -1;
}

struct mount_find {
	int id;
	bool found;
	char target[PATH_MAX], fstype[SLOT], source[SLOT];
};

static bool find_mount(const struct nslab_mount *m, void *ud)
{
	struct mount_find *mf = ud;
	if (m->id != mf->id)
		return true;
	mf->found = true;
	snprintf(mf->target, sizeof(mf->target), "%s", m->target);
	snprintf(mf->fstype, sizeof(mf->fstype), "%s", m->fstype);
	snprintf(mf->source, sizeof(mf->source), "%s", m->source);
	return false;
}

int cleanup_check_hostmount(const struct cleanup_run *r, const char *what, char *why, size_t whylen)
{
	(void)r;
	static char f[5][PATH_MAX];
	long long id;
	if (cleanup_split_fields(what, 5, f[0], PATH_MAX, why, whylen) < 0 ||
	    field_num(f[0], 1, &id, why, whylen) < 0 || same_ns_field("mnt", f[1], why, whylen) < 0)
		return -1;
	if (f[2][0] != '/' || strcmp(f[2], "/") == 0) {
		snprintf(why, whylen, "'%s' is not a mount point nslab would undo", f[2]);
		return -1;
	}
	struct mount_find mf = {.id = (int)id};
	if (mounts_each(0, find_mount, &mf) < 0) {
		snprintf(why, whylen, "cannot read the mount table: %s", strerror(errno));
		return -1;
	}
	if (!mf.found)
		return 1;
	if (strcmp(mf.target, f[2]) || strcmp(mf.fstype, f[3]) || strcmp(mf.source, f[4])) {
		snprintf(why, whylen, "mount %lld is now %s on %s (%s)", id, mf.source, mf.target, mf.fstype);
		return -1;
	}
	/* The mount a path resolves to is the one on top there: another mount
	 * over it would be the one unmounted. */
	struct statx stx;
	if (statx(AT_FDCWD, f[2], AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0 ||
	    !(stx.stx_mask & STATX_MNT_ID) || stx.stx_mnt_id != (unsigned long long)id) {
		snprintf(why, whylen, "another mount is on top of it at %s", f[2]);
		return -1;
	}
	return 0;
}

int cleanup_check_hostlink(const struct cleanup_run *r, const char *what, char *why, size_t whylen)
{
	(void)r;
	char f[3][SLOT];
	long long idx;
	if (cleanup_split_fields(what, 3, f[0], SLOT, why, whylen) < 0 ||
	    field_num(f[1], 1, &idx, why, whylen) < 0 || same_ns_field("net", f[2], why, whylen) < 0)
		return -1;
	if (!f[0][0] || strlen(f[0]) >= IF_NAMESIZE) {
		snprintf(why, whylen, "'%s' is not a link name", f[0]);
		return -1;
	}
	unsigned now = if_nametoindex(f[0]);
	if (now == (unsigned)idx)
		return 0;
	char name[IF_NAMESIZE];
	if (!now && !if_indextoname((unsigned)idx, name))
		return 1; /* neither the name nor the index is there: gone */
	snprintf(why, whylen, "link %s is now ifindex %u, not %lld", f[0], now, idx);
	return -1;
}

int cleanup_check_hostcgroup(const struct cleanup_run *r, const char *what, char *why, size_t whylen)
{
	(void)r;
	char ino_s[32];
	const char *colon = strchr(what, ':');
	static char path[PATH_MAX];
	long long ino;
	if (!colon || (size_t)(colon - what) >= sizeof(ino_s)) {
		snprintf(why, whylen, "not INODE:PATH");
		return -1;
	}
	snprintf(ino_s, sizeof(ino_s), "%.*s", (int)(colon - what), what);
	if (field_num(ino_s, 1, &ino, why, whylen) < 0)
		return -1;
	if (cleanup_field_decode(colon + 1, path, sizeof(path)) < 0 || path[0] != '/' ||
	    !plain_components(path + 1)) {
		snprintf(why, whylen, "not a plain absolute path");
		return -1;
	}
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 1 : (snprintf(why, whylen, "%s: %s", path, strerror(errno)), -1);
	struct statfs sf;
	if (!S_ISDIR(st.st_mode) || statfs(path, &sf) < 0 ||
	    (sf.f_type != CGROUP2_SUPER_MAGIC && sf.f_type != CGROUP_SUPER_MAGIC)) {
		snprintf(why, whylen, "%s is not a cgroup", path);
		return -1;
	}
	if ((unsigned long long)st.st_ino != (unsigned long long)ino) {
		snprintf(why, whylen, "%s is another cgroup now (inode %llu, not %lld)", path,
			 (unsigned long long)st.st_ino, ino);
		return -1;
	}
	return 0;
}

/* Is addr/plen on the link named name? */
static bool addr_present(const char *name, int family, const void *addr, int plen)
{
	struct ifaddrs *all;
	if (getifaddrs(&all) < 0)
		return true; /* unreadable: let the undo say what the kernel says */
	bool found = false;
	size_t alen = family == AF_INET ? 4 : 16;
	for (struct ifaddrs *i = all; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != family || strcmp(i->ifa_name, name) != 0)
			continue;
		const void *a = family == AF_INET
				    ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
				    : (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		const unsigned char *m =
		    !i->ifa_netmask ? NULL
		    : family == AF_INET
			? (const unsigned char *)&((struct sockaddr_in *)i->ifa_netmask)->sin_addr
			: (const unsigned char *)&((struct sockaddr_in6 *)i->ifa_netmask)->sin6_addr;
		int bits = 0;
		for (size_t k = 0; m && k < alen; k++)
			bits += __builtin_popcount(m[k]);
		found = memcmp(a, addr, alen) == 0 && bits == plen;
	}
	freeifaddrs(all);
	return found;
}

int cleanup_parse_hostaddr(const char *what, int *ifindex, char *name, size_t namelen, int *family,
			   unsigned char addr[16], int *plen, char *why, size_t whylen)
{
	char f[5][SLOT];
	long long idx, pl;
	if (cleanup_split_fields(what, 5, f[0], SLOT, why, whylen) < 0 ||
	    field_num(f[0], 1, &idx, why, whylen) < 0 || field_num(f[3], 0, &pl, why, whylen) < 0 ||
	    same_ns_field("net", f[4], why, whylen) < 0)
		return -1;
	*family = strchr(f[2], ':') ? AF_INET6 : AF_INET;
	if (inet_pton(*family, f[2], addr) != 1 || pl > (*family == AF_INET ? 32 : 128) || !f[1][0] ||
	    strlen(f[1]) >= namelen) {
		snprintf(why, whylen, "'%s/%s' on '%s' is not an address nslab records", f[2], f[3], f[1]);
		return -1;
	}
	*ifindex = (int)idx;
	*plen = (int)pl;
	snprintf(name, namelen, "%s", f[1]);
	return 0;
}

int cleanup_check_hostaddr(const struct cleanup_run *r, const char *what, char *why, size_t whylen)
{
	(void)r;
	int idx, family, plen;
	unsigned char addr[16];
	char name[IF_NAMESIZE], now[IF_NAMESIZE];
	if (cleanup_parse_hostaddr(what, &idx, name, sizeof(name), &family, addr, &plen, why, whylen) < 0)
		return -1;
	if (!if_indextoname((unsigned)idx, now))
		return 1; /* the link is gone, and its addresses with it */
	if (strcmp(now, name) != 0) {
		snprintf(why, whylen, "ifindex %d is link %s now, not %s", idx, now, name);
		return -1;
	}
	return addr_present(name, family, addr, plen) ? 0 : 1;
}
