/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state.c: completed steps per lab, one "LAB STEP" line each in
 * <state dir>/progress, and the other files kept there (history).
 *
 * Under sudo nslab is root, but the state dir belongs to the invoking user,
 * who can plant symlinks and hard links in it. So:
 * - Every file operation runs with the user's identity: fsuid/fsgid set to
 *   SUDO_UID/SUDO_GID (which drops CAP_DAC_OVERRIDE, CAP_CHOWN, CAP_FOWNER
 *   and the other file capabilities for as long as it lasts) and the user's
 *   own supplementary groups (getgrouplist, or only SUDO_GID when the uid has
 *   no passwd entry), since root's groups (gid 0) would otherwise still count
 *   in permission checks and reach root-group-writable files the user cannot.
 *   Files and the dir are created by the user, so nothing is ever chowned.
 *   nslab has a single thread; fsuid is per thread anyway.
 * - The state dir is opened O_DIRECTORY|O_NOFOLLOW and every file in it is
 *   reached through that fd (openat/renameat/fstatat) without following a
 *   symlink. Components above the state dir are followed as the user (a home
 *   reached through /home -> /var/home must work), which reaches no further
 *   than the user could. A symlink as the dir, progress, progress.new,
 *   history or history.new is refused in one line and the session keeps
 *   progress and history in memory only.
 * - Reading creates nothing: the dir is made on the first real save. */
#include "state.h"
#include "i18n.h"
#include "output.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

struct done {
	char lab[33];
	unsigned step;
};

static struct done *done;
static size_t ndone;
static char dir[PATH_MAX];
static uid_t uid;
static gid_t gid;
static bool switching; /* root acting for another user: take the user's identity */
static gid_t *ugroups; /* that user's groups */
static int nugroups;
static bool memory_only;

/* The user's groups, for setgroups while we act as the user. */
static void find_groups(void)
{
	free(ugroups);
	ugroups = NULL;
	nugroups = 0;
	if (!switching)
		return;
	struct passwd *pw = getpwuid(uid);
	_cleanup_free_ char *name = pw ? strdup(pw->pw_name) : NULL;
	int n = 32;
	while (name) {
		gid_t *g = realloc(ugroups, (size_t)n * sizeof(*g));
		if (!g)
			break;
		ugroups = g;
		int want = n;
		if (getgrouplist(name, gid, ugroups, &want) >= 0) {
			nugroups = want;
			return;
		}
		if (want <= n)
			break;
		n = want;
	}
	/* No passwd entry: the primary group only, never root's groups. */
	free(ugroups);
	ugroups = malloc(sizeof(*ugroups));
	if (ugroups) {
		ugroups[0] = gid;
		nugroups = 1;
	}
}

static void find_user(void)
{
	const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
	uid = su && *su ? (uid_t)strtoul(su, NULL, 10) : getuid();
	gid = sg && *sg ? (gid_t)strtoul(sg, NULL, 10) : getgid();
	switching = geteuid() == 0 && uid != 0;
	if (switching && !(sg && *sg)) { /* never root's group for the user */
		struct passwd *pw = getpwuid(uid);
		gid = pw ? pw->pw_gid : 65534;
	}
	find_groups();
}

int state_init(const char *where)
{
	find_user();
	memory_only = false;
	dir[0] = '\0';
	if (where) {
		snprintf(dir, sizeof(dir), "%s", where);
		return 0;
	}
	const char *xdg = getenv("XDG_STATE_HOME");
	if (xdg && *xdg == '/') {
		snprintf(dir, sizeof(dir), "%s/nslab", xdg);
		return 0;
	}
	/* The invoking user's home from passwd; $HOME only when that is us
	 * (under sudo it may well be root's). */
	struct passwd *pw = getpwuid(uid);
	const char *home = pw ? pw->pw_dir : uid == geteuid() ? getenv("HOME") : NULL;
	if (!home || *home != '/')
		return -1;
	snprintf(dir, sizeof(dir), "%s/.local/state/nslab", home);
	return 0;
}

const char *state_dir(void)
{
	return dir;
}
uid_t state_uid(void)
{
	return uid;
}
gid_t state_gid(void)
{
	return gid;
}
bool state_memory_only(void)
{
	return memory_only;
}

/* --- acting as the user --- */

static void as_root(struct state_ids *s)
{
	if (!s->on)
		return;
	int e = errno;
	setfsuid(geteuid());
	setfsgid(getegid());
	(void)!setgroups((size_t)s->ngroups, s->groups); /* as root it cannot fail */
	free(s->groups);
	s->on = false;
	errno = e;
}

/* Takes the user's identity for file operations (nothing to do unless root
 * acts for someone else). -1: could not, and nothing may be done. */
static int as_user(struct state_ids *s)
{
	*s = (struct state_ids){0};
	if (!switching)
		return 0;
	if (!ugroups) {
		errno = ENOMEM;
		return -1;
	}
	int n = getgroups(0, NULL);
	if (n < 0 || !(s->groups = malloc((size_t)(n ? n : 1) * sizeof(gid_t))))
		return -1;
	if ((n = getgroups(n, s->groups)) < 0 || setgroups((size_t)nugroups, ugroups) < 0) {
		free(s->groups);
		return -1;
	}
	s->ngroups = n;
	s->on = true;
	setfsgid(gid);
	setfsuid(uid);
	/* setfsuid reports no error: an invalid id reads back the current one. */
	if ((uid_t)setfsuid((uid_t)-1) != uid || (gid_t)setfsgid((gid_t)-1) != gid) {
		as_root(s);
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* --- the dir and its files, as the user --- */

static void refuse(const char *name) /* NULL: the dir itself */
{
	if (!memory_only)
		out_error(_("%s%s%s is a symlink: progress and history are kept in memory only"), dir,
			  name ? "/" : "", name ? name : "");
	memory_only = true;
	errno = ELOOP;
}

static bool is_link(int at, const char *path)
{
	struct stat st;
	return fstatat(at, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

/* Makes the missing parents and the dir, 0700. mkdir never follows a
 * symlink in the last component (EEXIST); open_dir refuses it. */
static void make_dir(void)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		(void)mkdir(buf, 0700);
		*p = '/';
	}
	(void)mkdir(buf, 0700);
}

/* The state dir, O_NOFOLLOW (a symlink is refused). -1 with errno. */
static int open_dir(bool create)
{
	if (!dir[0]) {
		errno = ENOENT;
		return -1;
	}
	if (create)
		make_dir();
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno == ENOTDIR || errno == ELOOP) && is_link(AT_FDCWD, dir))
		refuse(NULL);
	return fd;
}

static char *read_at(int dfd, const char *name, size_t max, size_t *lenp)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			refuse(name);
		return NULL;
	}
	_cleanup_close_ int f = fd;
	struct stat st;
	if (fstat(f, &st) < 0)
		return NULL;
	if (!S_ISREG(st.st_mode)) { /* a FIFO would block, a device is not ours */
		errno = EINVAL;
		return NULL;
	}
	if ((size_t)st.st_size > max) {
		errno = EFBIG;
		return NULL;
	}
	size_t cap = (size_t)st.st_size + 1, len = 0;
	char *buf = malloc(cap + 1);
	if (!buf)
		return NULL;
	for (;;) {
		if (len == cap) { /* grew while we read: keep up to max */
			char *n = cap > max ? NULL : realloc(buf, cap * 2 + 1);
			if (!n) {
				free(buf);
				errno = EFBIG;
				return NULL;
			}
			buf = n;
			cap *= 2;
		}
		ssize_t r = read(f, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

char *state_read(const char *name, size_t max, size_t *len)
{
	size_t ignored;
	if (!len)
		len = &ignored;
	if (memory_only) {
		errno = ENOENT;
		return NULL;
	}
	struct state_ids s;
	if (as_user(&s) < 0)
		return NULL;
	char *text = NULL;
	int dfd = open_dir(false);
	if (dfd >= 0) {
		text = read_at(dfd, name, max, len);
		int e = errno;
		close(dfd);
		errno = e;
	}
	as_root(&s);
	return text;
}

/* 0 written, 1 refused (a symlink: said), -1 errno. */
static int write_at(int dfd, const char *name, const char *data, size_t len, mode_t mode)
{
	char tmp[NAME_MAX + 1];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", name) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (is_link(dfd, name)) {
		refuse(name);
		return 1;
	}
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(dfd, tmp, flags, mode);
	if (fd < 0 && errno == EEXIST) {
		if (is_link(dfd, tmp)) {
			refuse(tmp);
			return 1;
		}
		/* Left by a run that died: remove the name (never what it links to). */
		if (unlinkat(dfd, tmp, 0) == 0)
			fd = openat(dfd, tmp, flags, mode);
	}
	if (fd < 0)
		return -1;
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		int e = errno;
		close(fd);
		unlinkat(dfd, tmp, 0);
		errno = e;
		return -1;
	}
	if (close(fd) < 0 || renameat(dfd, tmp, dfd, name) < 0) {
		int e = errno;
		unlinkat(dfd, tmp, 0);
		errno = e;
		return -1;
	}
	(void)fsync(dfd); /* the rename itself */
	return 0;
}

int state_write(const char *name, const char *data, size_t len, mode_t mode)
{
	if (memory_only)
		return 0;
	if (!dir[0]) {
		errno = ENOENT;
		return -1;
	}
	struct state_ids s;
	if (as_user(&s) < 0)
		return -1;
	int rc = -1;
	int dfd = open_dir(true);
	if (dfd >= 0) {
		rc = write_at(dfd, name, data, len, mode);
		int e = errno;
		close(dfd);
		errno = e;
	} else if (memory_only) {
		rc = 0; /* the dir is a symlink: refused, said */
	}
	as_root(&s);
	return rc < 0 ? -1 : 0;
}

/* Could the user write the dir, or make it in its nearest existing parent? */
bool state_writable(void)
{
	if (!dir[0] || memory_only)
		return false;
	struct state_ids s;
	if (as_user(&s) < 0)
		return false;
	bool ok = false;
	int dfd = open_dir(false);
	if (dfd >= 0) {
		ok = faccessat(dfd, ".", W_OK | X_OK, AT_EACCESS) == 0;
		close(dfd);
	} else if (errno == ENOENT) {
		char buf[PATH_MAX];
		snprintf(buf, sizeof(buf), "%s", dir);
		struct stat st;
		char *slash;
		while ((slash = strrchr(buf, '/'))) {
			slash[slash == buf] = '\0'; /* "/x" -> "/" */
			if (stat(buf, &st) == 0) {
				ok = S_ISDIR(st.st_mode) &&
				     faccessat(AT_FDCWD, buf, W_OK | X_OK, AT_EACCESS) == 0;
				break;
			}
			if (errno != ENOENT || slash == buf)
				break;
		}
	}
	as_root(&s);
	return ok;
}

/* --- progress --- */

bool state_is_done(const char *lab, unsigned step)
{
	for (size_t i = 0; i < ndone; i++)
		if (done[i].step == step && strcmp(done[i].lab, lab) == 0)
			return true;
	return false;
}

void state_mark_done(const char *lab, unsigned step)
{
	if (state_is_done(lab, step) || strlen(lab) > 32)
		return;
	struct done *n = realloc(done, (ndone + 1) * sizeof(*n));
	if (!n)
		return;
	done = n;
	snprintf(done[ndone].lab, sizeof(done[ndone].lab), "%s", lab);
	done[ndone].step = step;
	ndone++;
}

unsigned state_done_count(const char *lab)
{
	unsigned n = 0;
	for (size_t i = 0; i < ndone; i++)
		n += strcmp(done[i].lab, lab) == 0;
	return n;
}

void state_forget(const char *lab)
{
	size_t k = 0;
	for (size_t i = 0; i < ndone; i++)
		if (lab && strcmp(done[i].lab, lab) != 0)
			done[k++] = done[i];
	ndone = k;
}

int state_load(void)
{
	size_t len;
	char *text = state_read("progress", 1 << 20, &len);
	if (!text) /* none yet, or a symlink refused (said): nothing to load */
		return errno == ENOENT || memory_only ? 0 : -1;
	char lab[64];
	unsigned step;
	for (char *line = text, *next; *line; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		/* a malformed line is skipped, not the rest */
		if (sscanf(line, "%32s %u", lab, &step) == 2 && step >= 1 && step <= 32)
			state_mark_done(lab, step);
	}
	free(text);
	return 0;
}

int state_save(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return -1;
	for (size_t i = 0; i < ndone; i++)
		fprintf(m, "%s %u\n", done[i].lab, done[i].step);
	if (fclose(m) != 0) {
		free(text);
		return -1;
	}
	int rc = state_write("progress", text, len, 0644);
	int e = errno;
	free(text);
	errno = e;
	return rc;
}

/* --- for other files written as the user (class status, recordings) --- */

int state_as_user(struct state_ids *s)
{
	return as_user(s);
}

void state_as_root(struct state_ids *s)
{
	as_root(s);
}
