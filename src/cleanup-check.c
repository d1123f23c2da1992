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

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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
