/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cleanup.c: the registry of kernel objects nslab made.
 *
 * Entries are kept in memory (a stack, undone in reverse) and mirrored, one
 * "KIND\tWHAT" line each, to <run dir>/registry, so that a later
 * `nslab --cleanup` can undo what a SIGKILLed run left behind.
 *
 * nslab runs as root, so a registry on disk is input: it is replayed only
 * from a run directory the caller could have made and nobody else could have
 * written (trusted_run_dir), and every entry, on disk or in memory, is checked
 * before it is undone (check_entry): paths resolve beneath the run directory
 * without symlinks, cgroups lie in that run's <mount>/nslab/<pid> tree, links
 * carry nslab's prefix, processes carry a start time that still matches and
 * are signalled through a pidfd. A refused entry gets one line and nothing
 * else. Whether a run is alive is decided from its owner file ("PID START"),
 * never from a process name. */
#include "cleanup.h"
#include "cgroup.h"
#include "pidfd.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/openat2.h>
#include <mntent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

struct entry {
	enum nslab_obj kind;
	char *what;
};

/* The run an entry belongs to: ours (live: its own in-memory stack) or a
 * dead one being replayed from disk. */
struct run {
	const char *dir;
	int pid;
	bool live;
};

static struct entry *stack;
static size_t depth, cap;
static char run_dir[PATH_MAX];
static char registry_path[PATH_MAX + 16];
static char base_dir[PATH_MAX - 32]; /* where run_dir lives; removed when empty */
static bool record_failed;           /* a registry/owner write failed (said once) */

static const char *const kind_name[] = {
    [NSLAB_OBJ_PROCESS] = "process", [NSLAB_OBJ_MOUNT] = "mount", [NSLAB_OBJ_DIR] = "dir",
    [NSLAB_OBJ_CGROUP] = "cgroup",   [NSLAB_OBJ_LINK] = "link",   [NSLAB_OBJ_NETNS] = "netns",
    [NSLAB_OBJ_FILE] = "file",
};

static const char *kind_str(enum nslab_obj k)
{
	if ((size_t)k < sizeof(kind_name) / sizeof(kind_name[0]) && kind_name[k])
		return kind_name[k];
	return "?";
}

static int kind_parse(const char *s)
{
	for (size_t k = 1; k < sizeof(kind_name) / sizeof(kind_name[0]); k++)
		if (kind_name[k] && strcmp(kind_name[k], s) == 0)
			return (int)k;
	return -1;
}

const char *cleanup_run_dir(void)
{
	return run_dir[0] ? run_dir : NULL;
}

bool cleanup_record_failed(void)
{
	return record_failed;
}

/* Mirror write errors are said once per run: the run goes on, but a later
 * --cleanup will not know about what was not written. */
static void say_record_failed(const char *kind, const char *what, int err)
{
	if (!record_failed)
		fprintf(stderr, "nslab: cannot record %s %s: --cleanup will not know about it (%s)\n", kind,
			what, strerror(err));
	record_failed = true;
}

/* --- /proc/PID/stat --- */

/* State letter (field 3) and start time (field 22, clock ticks since boot).
 * -1 if there is no such process. */
static int proc_stat_ids(pid_t pid, char *state, int *pgrp, int *sid, unsigned long long *start);

static int proc_stat(pid_t pid, char *state, unsigned long long *start)
{
	return proc_stat_ids(pid, state, NULL, NULL, start);
}

/* The same, with the process group (field 5) and session (field 6). */
static int proc_stat_ids(pid_t pid, char *state, int *pgrp, int *sid, unsigned long long *start)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (pid <= 0 || read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -1;
	if (state)
		*state = p[2];
	/* after ") " come fields 3..; start time is field 22 */
	char *save = NULL;
	int field = 2;
	for (char *tok = strtok_r(p + 1, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (++field == 5 && pgrp)
			*pgrp = atoi(tok);
		else if (field == 6 && sid)
			*sid = atoi(tok);
		else if (field == 22) {
			if (start)
				*start = strtoull(tok, NULL, 10);
			return 0;
		}
	}
	return -1;
}

static unsigned long long proc_start_time(pid_t pid)
{
	unsigned long long start = 0;
	return proc_stat(pid, NULL, &start) == 0 ? start : 0;
}

/* Running (not a zombie, not exiting), with this start time if nonzero. */
static bool proc_running(pid_t pid, unsigned long long start)
{
	char state = 0;
	unsigned long long now = 0;
	if (proc_stat(pid, &state, &now) < 0 || state == 'Z' || state == 'X' || state == 'x')
		return false;
	return !start || now == start;
}

/* --- run directories --- */

/* A run dir can be searched, not listed or written, by others: a lab's
 * processes that run as another uid (the container lab's root, mapped to an
 * unprivileged host uid) must reach their work dir below it. */
#define RUN_DIR_MODE 0711

/* A directory nslab may keep runs in, or replay runs from: a real
 * directory (never a symlink) owned by uid that no other user can write.
 * With fix, a group/world-accessible one of ours is made 0700. */
static int check_dir(const char *path, uid_t uid, bool fix, char *why, size_t whylen)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		snprintf(why, whylen, "is a symlink");
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "is not a directory");
		return -1;
	}
	if (st.st_uid != uid) {
		snprintf(why, whylen, "owned by uid %u, not %u", (unsigned)st.st_uid, (unsigned)uid);
		return -1;
	}
	/* /run/nslab itself stays 0755 (its run dirs are 0700): other users
	 * can then see that a root run left something, never what */
	mode_t want = strcmp(path, NSLAB_RUN_BASE) == 0 ? 0755 : 0700;
	if (fix && (st.st_mode & 0777) != want && chmod(path, want) == 0)
		st.st_mode = (st.st_mode & ~(mode_t)0777) | want;
	if (st.st_mode & 022) {
		snprintf(why, whylen, "group or world writable (mode %03o)", (unsigned)(st.st_mode & 0777));
		return -1;
	}
	return 0;
}

/* A run dir nslab would replay: see check_dir, for the caller's uid. Mode
 * 0700 is what nslab makes; older builds made 0755, which no other user can
 * write either, so only group/world write is refused. */
static bool trusted_run_dir(const char *dir, char *why, size_t whylen)
{
	return check_dir(dir, geteuid(), false, why, whylen) == 0;
}

/* $XDG_RUNTIME_DIR if it is a 0700 directory of ours, else NULL. */
static const char *xdg_runtime(void)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	if (!x || x[0] != '/' || strlen(x) > PATH_MAX - 64 || lstat(x, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 0777) != 0700)
		return NULL;
	return x;
}

/* Where runs of this user live, in order of preference: /run/nslab for
 * root, else $XDG_RUNTIME_DIR/nslab; then /tmp/nslab-$UID (root: where /run
 * cannot be written, e.g. in a user namespace). i: 0, 1. */
static bool base_candidate(int i, char *buf, size_t len)
{
	const char *first = NULL;
	char xdg[PATH_MAX];
	if (geteuid() == 0) {
		first = NSLAB_RUN_BASE;
	} else if (xdg_runtime()) {
		snprintf(xdg, sizeof(xdg), "%s/nslab", xdg_runtime());
		first = xdg;
	}
	if (i == 0 && first)
		return snprintf(buf, len, "%s", first) > 0;
	if (i == (first ? 1 : 0))
		return snprintf(buf, len, NSLAB_TMP_BASE "%u", (unsigned)geteuid()) > 0;
	return false;
}

static char init_error[PATH_MAX + 256];

const char *cleanup_init_error(void)
{
	return init_error[0] ? init_error : NULL;
}

/* Makes (or checks) the base directory this user's runs live in: the first
 * candidate that can be made; one that exists but is not a 0700 directory
 * of ours (a symlink, another user's) is refused, naming the path. */
static int make_base(char *base, size_t len)
{
	char why[128];
	int err = ENOENT;
	for (int i = 0; base_candidate(i, base, len); i++) {
		if (mkdir(base, strcmp(base, NSLAB_RUN_BASE) == 0 ? 0755 : 0700) < 0 && errno != EEXIST) {
			err = errno;
			snprintf(init_error, sizeof(init_error), "cannot create %s: %s", base,
				 strerror(errno));
			continue;
		}
		if (check_dir(base, geteuid(), true, why, sizeof(why)) < 0) {
			snprintf(init_error, sizeof(init_error), "refusing %s: %s", base, why);
			errno = EPERM;
			return -1;
		}
		init_error[0] = '\0';
		return 0;
	}
	errno = err;
	return -1;
}

/* Creates name in dir, 0600, never through a symlink, never reusing a file. */
static int create_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	int err = errno;
	if (close(fd) < 0 || n != (ssize_t)len) {
		errno = n < 0 ? err : EIO;
		return -1;
	}
	return 0;
}

/* The run dir records its owner's PID and start time: a PID reused by
 * another process, whatever its name, does not make a dead run look alive. */
static void write_owner(void)
{
	char path[PATH_MAX + 16], text[64];
	snprintf(path, sizeof(path), "%s/owner", run_dir);
	snprintf(text, sizeof(text), "%d %llu\n", (int)getpid(), proc_start_time(getpid()));
	if (create_file(path, text) < 0)
		say_record_failed("owner", path, errno);
}

static int replay(const struct run *r, void (*say)(const char *what));
static int remove_tree(const char *path);

static void say_stderr(const char *what)
{
	fprintf(stderr, "nslab: removed %s (left by a dead run with this PID)\n", what);
}

int cleanup_init(void)
{
	init_error[0] = '\0';
	int made = -1;
	/* Another run leaving may remove an empty base between our mkdirs:
	 * make it again (a few times at most). */
	for (int try = 0; try < 3 && made < 0; try++) {
		if (make_base(base_dir, sizeof(base_dir)) < 0) {
			base_dir[0] = '\0';
			return -1;
		}
		snprintf(run_dir, sizeof(run_dir), "%s/%d", base_dir, (int)getpid());
		made = mkdir(run_dir, RUN_DIR_MODE);
		if (made < 0 && errno != ENOENT)
			break;
	}
	if (made < 0) {
		char why[128];
		if (errno != EEXIST) {
			snprintf(init_error, sizeof(init_error), "cannot create %s: %s", run_dir,
				 strerror(errno));
			run_dir[0] = '\0';
			return -1;
		}
		/* A run dir for our own PID: a dead run's whose PID we got (D7).
		 * Replay it like --cleanup would, then start afresh. */
		const struct run dead = {run_dir, (int)getpid(), false};
		if (!trusted_run_dir(run_dir, why, sizeof(why))) {
			snprintf(init_error, sizeof(init_error), "refusing %s: %s", run_dir, why);
			run_dir[0] = '\0';
			errno = EPERM;
			return -1;
		}
		replay(&dead, say_stderr);
		if (remove_tree(run_dir) < 0 || mkdir(run_dir, RUN_DIR_MODE) < 0) {
			snprintf(init_error, sizeof(init_error), "cannot replace %s (left by a dead run): %s",
				 run_dir, strerror(errno));
			run_dir[0] = '\0';
			return -1;
		}
	}
	snprintf(registry_path, sizeof(registry_path), "%s/registry", run_dir);
	write_owner();
	if (create_file(registry_path, "") < 0)
		say_record_failed("registry", registry_path, errno);
	return 0;
}

/* Rewrites the mirror from the in-memory stack (small: tens of lines):
 * registry.new, 0600, made afresh, renamed over the registry. */
static int registry_sync(void)
{
	if (!registry_path[0])
		return 0;
	char tmp[PATH_MAX + 32];
	snprintf(tmp, sizeof(tmp), "%s.new", registry_path);
	if (unlink(tmp) < 0 && errno != ENOENT)
		return -1;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return -1;
	}
	for (size_t i = 0; i < depth; i++)
		fprintf(f, "%s\t%s\n", kind_str(stack[i].kind), stack[i].what);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, registry_path);
}

int cleanup_keep(enum nslab_obj kind, const char *what)
{
	if (!what || strchr(what, '\n') || strchr(what, '\t')) {
		errno = EINVAL;
		return -1;
	}
	char *w;
	if (kind == NSLAB_OBJ_PROCESS) {
		/* "-PGID" registers a whole process group (what `run` starts) */
		int pid = atoi(what);
		unsigned long long start = proc_start_time(pid < 0 ? -pid : pid);
		if (!start)
			return 0; /* gone already (or never ours): nothing to undo */
		/* a group also records its session: a replay kills only members
		 * of that group in that session (see kill_group) */
		int sid = pid < 0 ? (int)getsid(-pid) : 0;
		if ((sid > 0 ? asprintf(&w, "%d:%llu:%d", pid, start, sid)
			     : asprintf(&w, "%d:%llu", pid, start)) < 0)
			return -1;
	} else if (!(w = strdup(what))) {
		return -1;
	}
	/* A line is read back whole or not at all: an over-long one is refused
	 * here, never split in the mirror. */
	if (strlen(kind_str(kind)) + 1 + strlen(w) + 1 > NSLAB_REGISTRY_LINE) {
		free(w);
		errno = ENAMETOOLONG;
		return -1;
	}
	if (depth == cap) {
		size_t ncap = cap ? cap * 2 : 32;
		struct entry *n = realloc(stack, ncap * sizeof(*n));
		if (!n) {
			free(w);
			return -1;
		}
		stack = n;
		cap = ncap;
	}
	stack[depth++] = (struct entry){kind, w};
	if (registry_sync() < 0)
		say_record_failed(kind_str(kind), w, errno);
	return 0;
}

/* --- checking an entry --- */

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
static int check_beneath(const char *root, const char *path, char *why, size_t whylen)
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

/* <a cgroup mount>/nslab[/<pid>[/...]], without symlinks: the run's own
 * tree, or the shared top (only ever removed when empty). */
static int check_cgroup(const struct run *r, const char *path, char *why, size_t whylen)
{
	FILE *f = setmntent("/proc/self/mounts", "re");
	char best[PATH_MAX] = "";
	struct mntent *m;
	while (f && (m = getmntent(f))) {
		size_t n = strlen(m->mnt_dir);
		if ((strcmp(m->mnt_type, "cgroup") == 0 || strcmp(m->mnt_type, "cgroup2") == 0) &&
		    strncmp(path, m->mnt_dir, n) == 0 && path[n] == '/' && n > strlen(best) &&
		    n < sizeof(best))
			snprintf(best, sizeof(best), "%s", m->mnt_dir);
	}
	if (f)
		endmntent(f);
	if (!best[0]) {
		snprintf(why, whylen, "not in a cgroup hierarchy");
		return -1;
	}
	const char *rel = path + strlen(best) + 1;
	char top[32];
	int tlen = snprintf(top, sizeof(top), "nslab/%d", r->pid);
	bool is_top = strcmp(rel, "nslab") == 0;
	if (!is_top && (strncmp(rel, top, (size_t)tlen) != 0 || (rel[tlen] != '\0' && rel[tlen] != '/'))) {
		snprintf(why, whylen, "not in this run's cgroup %s/%s", best, top);
		return -1;
	}
	return check_beneath(best, path, why, whylen);
}

/* Link names nslab gives in the host's namespace start with "nsl" (today
 * no lab makes one there: net's veth pair is born in the lab's namespace). */
static int check_link(const char *name, char *why, size_t whylen)
{
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

/* "PID:START" or, in memory only, "-PGID:START". */
static int parse_process(const char *what, int *pid, unsigned long long *start, int *sid, char *why,
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

/* 0: may be undone, 1: gone already, -1: refused (why says why). */
static int check_entry(const struct run *r, enum nslab_obj kind, const char *what, char *why, size_t whylen)
{
	int pid, sid;
	unsigned long long start;
	switch (kind) {
	case NSLAB_OBJ_PROCESS:
		if (parse_process(what, &pid, &start, &sid, why, whylen) < 0)
			return -1;
		if (pid < 0 && !r->live && !sid) {
			snprintf(why, whylen,
				 "a process group is not replayed from disk without its session "
				 "(its PGID may be anyone's now)");
			return -1;
		}
		return 0;
	case NSLAB_OBJ_MOUNT:
	case NSLAB_OBJ_DIR:
	case NSLAB_OBJ_FILE:
		if (!r->dir) {
			snprintf(why, whylen, "no run directory to check it against");
			return -1;
		}
		return check_beneath(r->dir, what, why, whylen);
	case NSLAB_OBJ_NETNS:
		if (strncmp(what, "/run/netns/nslab-", 17) == 0 && !strchr(what + 17, '/'))
			return check_beneath("/run/netns", what, why, whylen);
		if (!r->dir) {
			snprintf(why, whylen, "no run directory to check it against");
			return -1;
		}
		return check_beneath(r->dir, what, why, whylen);
	case NSLAB_OBJ_CGROUP:
		return check_cgroup(r, what, why, whylen);
	case NSLAB_OBJ_LINK:
		return check_link(what, why, whylen);
	}
	snprintf(why, whylen, "unknown kind");
	return -1;
}

/* --- undoing an entry --- */

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

#define EXIT_WAIT_MS 2000 /* how long a SIGKILLed process may take to exit */

/* After SIGKILL: reap it if it is our child, else wait (bounded) until it
 * has exited. 0 exited, 2 still exiting. */
static int wait_exit(int pidfd, pid_t pid)
{
	for (int waited = 0; waited <= EXIT_WAIT_MS; waited += 10) {
		pid_t r = waitpid(pid, NULL, WNOHANG);
		if (r == pid)
			return 0;
		if (pidfd >= 0) {
			struct pollfd p = {pidfd, POLLIN, 0};
			if (poll(&p, 1, 10) == 1) {
				waitpid(pid, NULL, WNOHANG);
				return 0;
			}
		} else {
			if (r < 0 && !proc_running(pid, 0))
				return 0;
			sleep_ms(10);
		}
	}
	return 2;
}

/* Replay of "-PGID:START:SID": the members of process group PGID in session
 * SID that started no earlier than its leader, each signalled through a
 * pidfd after checking again. While any member lives, the kernel does not
 * hand the number PGID to a new process, so a group found this way is the
 * one that was registered, unless its leader's PID now belongs to someone
 * else (a different start time: the group is gone). 0 killed, 1 none, 2
 * killed but one is still exiting. */
static int kill_group(int pgid, unsigned long long start, int sid)
{
	unsigned long long now = proc_start_time(pgid);
	if (now && now != start)
		return 1;
	DIR *d = opendir("/proc");
	if (!d)
		return -1;
	int fds[256], nfds = 0;
	pid_t pids[256];
	struct dirent *de;
	while ((de = readdir(d)) && nfds < 256) {
		char *end;
		long p = strtol(de->d_name, &end, 10);
		int g = 0, s = 0;
		unsigned long long st = 0;
		if (*end || p <= 1 || p == getpid() || proc_stat_ids((pid_t)p, NULL, &g, &s, &st) < 0 ||
		    g != pgid || s != sid || st < start)
			continue;
		int fd = pidfd_open_pid((pid_t)p);
		if (fd < 0 && errno != ENOSYS)
			continue;
		/* checked again on the process the pidfd pins */
		if (proc_stat_ids((pid_t)p, NULL, &g, &s, &st) < 0 || g != pgid || s != sid || st < start) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		int rc = fd >= 0 ? pidfd_signal(fd, SIGKILL) : kill((pid_t)p, SIGKILL);
		if (rc == 0) {
			pids[nfds] = (pid_t)p;
			fds[nfds++] = fd;
		} else if (fd >= 0) {
			close(fd);
		}
	}
	closedir(d);
	int still = 0;
	for (int i = 0; i < nfds; i++) {
		if (wait_exit(fds[i], pids[i]) == 2)
			still = 1;
		if (fds[i] >= 0)
			close(fds[i]);
	}
	return nfds ? (still ? 2 : 0) : 1;
}

/* 0 killed, 1 gone already (or the PID is someone else's now), 2 killed but
 * still exiting, -1 failed. */
static int kill_process(int pid, unsigned long long start)
{
	if (pid < 0) {
		/* A group outlives its leader: kill it unless the leader's PID was
		 * reused by an unrelated process (a different start time). Only
		 * groups this run made itself get here (check_entry). */
		unsigned long long now = proc_start_time(-pid);
		if (now && now != start)
			return 1;
		if (kill(pid, SIGKILL) < 0)
			return errno == ESRCH ? 1 : -1;
		return 0;
	}
	/* The pidfd pins the process: the start time is checked on the process
	 * the signal then goes to, so the PID cannot be reused in between. */
	int pidfd = pidfd_open_pid(pid);
	if (pidfd < 0 && errno == ESRCH)
		return 1;
	if (pidfd < 0 && errno != ENOSYS)
		return -1;
	if (proc_start_time(pid) != start) {
		if (pidfd >= 0)
			close(pidfd);
		return 1; /* gone, or the PID now belongs to someone else */
	}
	int rc = pidfd >= 0 ? pidfd_signal(pidfd, SIGKILL) : kill(pid, SIGKILL);
	if (rc < 0) {
		int err = errno;
		if (pidfd >= 0)
			close(pidfd);
		errno = err;
		return err == ESRCH ? 1 : -1;
	}
	rc = wait_exit(pidfd, pid);
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	/* Best effort: remove_tree() checks the result afterwards. */
	if (flag == FTW_DP || flag == FTW_D)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Removes a tree whose path was checked (or is a run dir): symlinks inside
 * are removed, never followed; a mount inside is not descended into. */
static int remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	if (lstat(path, &st) == 0) {
		errno = ENOTEMPTY;
		return -1;
	}
	return 0;
}

static int delete_link(const char *name)
{
	const char *argv[] = {"ip", "link", "delete", "dev", name, NULL};
	int st = run_quiet(argv);
	return st == 0 ? 0 : -1;
}

/* Checks, then undoes. 0 undone, 1 nothing to undo, 2 signalled but still
 * exiting, -1 failed (errno), -2 refused (why). */
static int undo_checked(const struct run *r, enum nslab_obj kind, const char *what, char *why, size_t whylen)
{
	int c = check_entry(r, kind, what, why, whylen);
	if (c < 0)
		return -2;
	int pid, sid;
	unsigned long long start;
	switch (kind) {
	case NSLAB_OBJ_PROCESS:
		parse_process(what, &pid, &start, &sid, why, whylen);
		if (pid < 0 && !r->live)
			return kill_group(-pid, start, sid);
		return kill_process(pid, start);
	case NSLAB_OBJ_MOUNT:
		if (c == 1)
			return 1;
		return umount2(what, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT
			   ? -1
			   : 0;
	case NSLAB_OBJ_DIR:
		return c == 1 ? 1 : remove_tree(what);
	case NSLAB_OBJ_CGROUP:
		return c == 1 ? 1 : cgroup_remove_dir(what);
	case NSLAB_OBJ_LINK:
		return delete_link(what);
	case NSLAB_OBJ_NETNS:
		if (c == 1)
			return 1;
		umount2(what, MNT_DETACH | UMOUNT_NOFOLLOW);
		return unlink(what) < 0 && errno != ENOENT ? -1 : 0;
	case NSLAB_OBJ_FILE:
		if (c == 1)
			return 1;
		return unlink(what) < 0 && errno != ENOENT ? -1 : 0;
	}
	return -1;
}

static void say_refused(enum nslab_obj kind, const char *what, const char *why)
{
	fprintf(stderr, "nslab: refused: %s %s: %s\n", kind_str(kind), what, why);
}

static struct run live_run(void)
{
	return (struct run){run_dir[0] ? run_dir : NULL, (int)getpid(), true};
}

int cleanup_undo_object(enum nslab_obj kind, const char *what)
{
	char why[256];
	const struct run r = live_run();
	int rc = undo_checked(&r, kind, what, why, sizeof(why));
	if (rc == -2) {
		say_refused(kind, what, why);
		errno = EPERM;
		return -1;
	}
	return rc == 2 ? 0 : rc;
}

static void pop_one(void)
{
	struct entry *e = &stack[--depth];
	char why[256];
	const struct run r = live_run();
	int rc = undo_checked(&r, e->kind, e->what, why, sizeof(why));
	if (rc == -2)
		say_refused(e->kind, e->what, why);
	else if (rc == 2)
		fprintf(stderr, "nslab: process %s was killed and is still exiting\n", e->what);
	else if (rc < 0)
		fprintf(stderr, "nslab: could not remove %s %s: %s\n", kind_str(e->kind), e->what,
			strerror(errno));
	free(e->what);
}

int cleanup_undo(enum nslab_obj kind, const char *what)
{
	for (size_t i = depth; i-- > 0;) {
		struct entry *e = &stack[i];
		bool same = e->kind == kind && (kind == NSLAB_OBJ_PROCESS ? atoi(e->what) == atoi(what)
									  : strcmp(e->what, what) == 0);
		if (!same)
			continue;
		int rc = cleanup_undo_object(e->kind, e->what) < 0 ? -1 : 0;
		free(e->what);
		memmove(e, e + 1, (depth - i - 1) * sizeof(*e));
		depth--;
		if (registry_sync() < 0)
			say_record_failed(kind_str(kind), what, errno);
		return rc;
	}
	if (kind == NSLAB_OBJ_PROCESS && !strchr(what, ':')) {
		/* Not registered: a PID of ours, by its current start time. */
		int pid = atoi(what);
		char s[64];
		snprintf(s, sizeof(s), "%d:%llu", pid, proc_start_time(pid < 0 ? -pid : pid));
		return cleanup_undo_object(kind, s) < 0 ? -1 : 0;
	}
	return cleanup_undo_object(kind, what) < 0 ? -1 : 0;
}

size_t cleanup_mark(void)
{
	return depth;
}

void cleanup_unwind_to(size_t mark)
{
	while (depth > mark)
		pop_one();
	if (registry_sync() < 0)
		say_record_failed("registry", registry_path, errno);
}

void cleanup_all(void)
{
	cleanup_unwind_to(0);
	if (run_dir[0]) {
		remove_tree(run_dir);
		run_dir[0] = registry_path[0] = '\0';
	}
	if (base_dir[0]) {
		rmdir(base_dir); /* only if empty */
		base_dir[0] = '\0';
	}
}

/* --- liveness --- */

/* A run is alive while its owner file names a running process (not a
 * zombie, not exiting) with the start time it wrote. A run dir without a
 * readable owner file (its owner could not write it, or died between mkdir
 * and writing it) is taken as alive while a process with its PID runs: it
 * cannot be told apart from a live run, and leaving leftovers is the safe
 * mistake; once that PID is gone, it is dead. */
static bool run_is_alive(int pid, const char *dir)
{
	if (pid == (int)getpid() && run_dir[0] && strcmp(dir, run_dir) == 0)
		return true;
	char text[64] = "";
	int dfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int fd = dfd >= 0 ? openat(dfd, "owner", O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
	if (dfd >= 0)
		close(dfd);
	if (fd >= 0) {
		ssize_t n = read(fd, text, sizeof(text) - 1);
		text[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	unsigned long long start;
	int opid;
	if (sscanf(text, "%d %llu", &opid, &start) == 2 && start)
		return opid == pid && proc_running(pid, start);
	return proc_running(pid, 0);
}

/* The run dirs that could hold run pid's registry, for this caller. */
static int run_dir_candidates(int pid, char out[][PATH_MAX], int max)
{
	int n = 0;
	char base[PATH_MAX - 32];
	if (n < max)
		snprintf(out[n++], PATH_MAX, NSLAB_RUN_BASE "/%d", pid);
	for (int i = 0; i < 2 && n < max; i++)
		if (base_candidate(i, base, sizeof(base)) && strcmp(base, NSLAB_RUN_BASE) != 0)
			snprintf(out[n++], PATH_MAX, "%s/%d", base, pid);
	if (n < max)
		snprintf(out[n++], PATH_MAX, NSLAB_TMP_BASE "%d", pid); /* old layout */
	return n;
}

bool cleanup_run_alive(int pid)
{
	if (pid <= 0)
		return false;
	char dirs[4][PATH_MAX], why[128];
	int n = run_dir_candidates(pid, dirs, 4);
	for (int i = 0; i < n; i++) {
		struct stat st;
		if (lstat(dirs[i], &st) < 0 || !trusted_run_dir(dirs[i], why, sizeof(why)))
			continue;
		return run_is_alive(pid, dirs[i]);
	}
	/* No run dir of ours names it: alive while such a process runs. */
	return proc_running(pid, 0);
}

/* --- replaying dead runs --- */

static void say_replay_failure(enum nslab_obj kind, const char *what, int rc, const char *why)
{
	if (rc == -2)
		say_refused(kind, what, why);
	else if (rc == 2)
		fprintf(stderr, "nslab: process %s was killed and is still exiting\n", what);
	else if (rc < 0)
		fprintf(stderr, "nslab: could not remove %s %s: %s\n", kind_str(kind), what, strerror(errno));
}

/* Replays one dead run's registry in reverse order. The registry must be a
 * regular file of the caller's that nobody else can write; lines are whole
 * (a line without its newline, or over-long, is refused). */
static int replay(const struct run *r, void (*say)(const char *what))
{
	int dfd = open(r->dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int fd = dfd >= 0 ? openat(dfd, "registry", O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
	if (dfd >= 0)
		close(dfd);
	if (fd < 0)
		return 0;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		fprintf(stderr,
			"nslab: refused: registry %s/registry: not a regular file of uid %u that only it can "
			"write\n",
			r->dir, (unsigned)geteuid());
		close(fd);
		return 0;
	}
	FILE *f = fdopen(fd, "re");
	if (!f) {
		close(fd);
		return 0;
	}
	char **lines = NULL, *line = NULL;
	size_t n = 0, len = 0;
	ssize_t got;
	while ((got = getline(&line, &len, f)) > 0) {
		if (line[got - 1] != '\n' || (size_t)got > NSLAB_REGISTRY_LINE) {
			fprintf(stderr, "nslab: refused: registry %s/registry line %zu: %s\n", r->dir, n + 1,
				line[got - 1] != '\n' ? "incomplete" : "too long");
			continue;
		}
		line[got - 1] = '\0';
		char **nl = realloc(lines, (n + 1) * sizeof(*nl));
		if (!nl)
			break;
		lines = nl;
		lines[n++] = strdup(line);
	}
	free(line);
	fclose(f);
	int removed = 0;
	for (size_t i = n; i-- > 0;) {
		char *tab = lines[i] ? strchr(lines[i], '\t') : NULL;
		if (tab) {
			*tab = '\0';
			int kind = kind_parse(lines[i]);
			char why[256];
			int rc =
			    kind > 0 ? undo_checked(r, (enum nslab_obj)kind, tab + 1, why, sizeof(why)) : -3;
			/* 1 means it was gone already: nothing to report */
			if (rc == 0) {
				char msg[NSLAB_REGISTRY_LINE + 16];
				snprintf(msg, sizeof(msg), "%s %s", lines[i], tab + 1);
				if (say)
					say(msg);
				removed++;
			} else if (kind > 0) {
				say_replay_failure((enum nslab_obj)kind, tab + 1, rc, why);
			}
		}
		free(lines[i]);
	}
	free(lines);
	return removed;
}

static bool failed; /* a dead run's directory could not be removed */

/* Not root: root runs' dirs (0700) cannot be read, so their owner files
 * cannot be either. One whose PID no longer runs is counted (the offer at
 * start says `sudo nslab --cleanup`; --cleanup says it needs root), and
 * never touched. */
static int count_root_runs(bool act)
{
	char why[128];
	if (geteuid() == 0 || check_dir(NSLAB_RUN_BASE, 0, false, why, sizeof(why)) < 0)
		return 0;
	DIR *d = opendir(NSLAB_RUN_BASE);
	if (!d)
		return 0;
	int found = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9' && !*end && pid <= INT_MAX &&
		    !proc_running((int)pid, 0))
			found++;
	}
	closedir(d);
	if (found && act)
		failed = true;
	return found;
}

/* Replays (act) or counts the dead runs in base: entries named <pid>, or
 * prefix<pid> for the old /tmp/nslab-<pid> layout. Only dirs the caller may
 * trust are considered; others' dirs are not ours and are left alone. */
static int for_each_dead_run_in(const char *base, const char *prefix, void (*say)(const char *what), bool act)
{
	char why[128];
	/* /tmp itself is everyone's; a base of ours must be trusted */
	if (strcmp(base, "/tmp") != 0 && check_dir(base, geteuid(), false, why, sizeof(why)) < 0)
		return 0;
	DIR *d = opendir(base);
	if (!d)
		return 0;
	int found = 0;
	struct dirent *de;
	size_t plen = strlen(prefix);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, plen) != 0)
			continue;
		char *end;
		const char *num = de->d_name + plen;
		long pid = strtol(num, &end, 10);
		if (!(num[0] >= '1' && num[0] <= '9') || *end || pid <= 0 || pid > INT_MAX)
			continue;
		/* /tmp/nslab-$UID is where this user's runs live, not a run */
		if (plen && pid == (long)geteuid())
			continue;
		char dir[PATH_MAX];
		if (snprintf(dir, sizeof(dir), "%s/%s", base, de->d_name) >= (int)sizeof(dir))
			continue;
		if (!trusted_run_dir(dir, why, sizeof(why)))
			continue; /* another user's (or a planted one): not ours to replay */
		if (run_is_alive((int)pid, dir))
			continue;
		found++;
		if (!act)
			continue;
		const struct run r = {dir, (int)pid, false};
		replay(&r, say);
		if (remove_tree(dir) < 0) {
			fprintf(stderr, "nslab: cannot remove %s: %s\n", dir, strerror(errno));
			failed = true;
			continue;
		}
		if (say) {
			char msg[PATH_MAX + 16];
			snprintf(msg, sizeof(msg), "work dir %s", dir);
			say(msg);
		}
	}
	closedir(d);
	return found;
}

static int for_each_dead_run(void (*say)(const char *what), bool act)
{
	int n = geteuid() == 0 ? for_each_dead_run_in(NSLAB_RUN_BASE, "", say, act) : count_root_runs(act);
	char base[PATH_MAX];
	for (int i = 0; i < 2; i++)
		if (base_candidate(i, base, sizeof(base)) && strcmp(base, NSLAB_RUN_BASE) != 0) {
			n += for_each_dead_run_in(base, "", say, act);
			if (act)
				rmdir(base); /* only if empty */
		}
	return n + for_each_dead_run_in("/tmp", "nslab-", say, act);
}

bool cleanup_dead_runs_exist(void)
{
	return for_each_dead_run(NULL, false) > 0;
}

int cleanup_dead_runs(void (*say)(const char *what))
{
	failed = false;
	int n = for_each_dead_run(say, true);
	n += cgroup_remove_orphans(say) > 0;
	if (geteuid() == 0)
		rmdir(NSLAB_RUN_BASE); /* only if empty */
	if (failed) {
		errno = EACCES;
		return -1;
	}
	return n;
}
