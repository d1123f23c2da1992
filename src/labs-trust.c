/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labs-trust.c: which plugin files root may load (D8). The file and every
 * directory from / down to it must belong to root (or a uid root already
 * trusts) and not be writable by group or others; a directory of the invoking
 * user only after a yes on a terminal. Its own file: this is the security
 * boundary of the loader, read and reviewed apart from the loading. */
#include "labs.h"
#include "labs-int.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <pwd.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --lab-path / NSLAB_LAB_PATH given by the learner (labs_user_path). */
static bool user_path, user_path_interactive;
uid_t labs_confirmed_uid = (uid_t)-1, labs_helper_uid = (uid_t)-1;

/* --- D8: who may own what root loads --- */

static const char *user_name(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);
	if (pw && pw->pw_name)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "uid %u", (unsigned)uid);
	return buf;
}

static bool writable_by_others(mode_t m)
{
	return (m & (S_IWGRP | S_IWOTH)) != 0;
}

/* Uids root already trusts, besides root: whoever owns the running binary or
 * a directory on its path can replace what root runs, so labs of theirs are
 * no less safe (a learner's clone: `sudo make run` runs build/nslab and its
 * build/labs from a checkout the learner owns). Nobody, if that path is
 * writable by others (then nothing is safe, and only root is trusted). */
static uid_t exe_owners[16];
static size_t nexe_owners;

static void find_exe_owners(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	char exe[PATH_MAX];
	if (!realpath("/proc/self/exe", exe))
		return;
	uid_t found[16];
	size_t n = 0;
	bool sticky_before = false;
	size_t len = strlen(exe);
	for (size_t i = 0, end; i < len; i = end) { /* "/", then each longer prefix of exe */
		end = i + 1;
		while (i > 0 && end < len && exe[end] != '/')
			end++;
		char prefix[PATH_MAX];
		memcpy(prefix, exe, end);
		prefix[end] = '\0';
		bool last = end >= len;
		struct stat st;
		if (lstat(prefix, &st) < 0)
			return;
		/* the rule of labs_open_checked() below, collecting the owners */
		if (sticky_before && writable_by_others(st.st_mode))
			return;
		sticky_before = false;
		if (writable_by_others(st.st_mode)) {
			if (last || !S_ISDIR(st.st_mode) || !(st.st_mode & S_ISVTX) || st.st_uid != 0)
				return;
			sticky_before = true;
		}
		if (st.st_uid != 0 && n < 16) {
			bool seen = false;
			for (size_t k = 0; k < n; k++)
				seen |= found[k] == st.st_uid;
			if (!seen)
				found[n++] = st.st_uid;
		}
	}
	memcpy(exe_owners, found, n * sizeof(found[0]));
	nexe_owners = n;
}

static bool trusted_uid(uid_t uid)
{
	if (uid == 0 || (labs_confirmed_uid != (uid_t)-1 && uid == labs_confirmed_uid))
		return true;
	find_exe_owners();
	for (size_t i = 0; i < nexe_owners; i++)
		if (exe_owners[i] == uid)
			return true;
	return false;
}

/* Whether one component of a plugin's path is unsafe for root to load from
 * (then why says so, with the fix). */
static bool unsafe_component(const char *path, const struct stat *st, bool is_file, char *why, size_t whylen)
{
	char name[64];
	const char *what = is_file ? "file" : "directory";
	if (!trusted_uid(st->st_uid))
		return snprintf(why, whylen,
				"the %s %s is owned by %s, not root (sudo chown root: %s, " FIX_INSTALL ")",
				what, path, user_name(st->st_uid, name, sizeof(name)), path),
		       true;
	if (!writable_by_others(st->st_mode))
		return false;
	const char *by = st->st_mode & S_IWOTH ? "others" : "its group";
	if (!is_file && (st->st_mode & S_ISVTX)) /* /tmp: chmod go-w would be bad advice */
		return snprintf(why, whylen,
				"the directory %s is writable by %s (sticky, but anyone may add files there: "
				"keep labs in a directory only root can write, " FIX_INSTALL ")",
				path, by),
		       true;
	return snprintf(why, whylen, "the %s %s is writable by %s (chmod go-w %s, " FIX_INSTALL ")", what,
			path, by, path),
	       true;
}

/* Whether a plugin file may not be loaded (why says why): not a regular
 * file, or, as root, an unsafe last component (unsafe_component). */
static bool file_refused(const char *path, const struct stat *st, bool as_root, char *why, size_t whylen)
{
	if (!S_ISREG(st->st_mode))
		return snprintf(why, whylen, "%s",
				S_ISDIR(st->st_mode) ? strerror(EISDIR) : "not a regular file"),
		       true;
	return as_root && unsafe_component(path, st, true, why, whylen);
}

/* Opens the resolved (absolute, symlink-free) path `real` one component at a
 * time from /, each with O_NOFOLLOW, so what is checked is what is opened.
 * As root it checks /, every directory below it and the last component:
 *  - owned by root (or a trusted_uid()) and not writable by group or others;
 *  - except a sticky directory owned by root (like /tmp, 1777) on the way
 *    down: there only an entry's owner or root may rename or remove the
 *    entry, so it is safe as long as the NEXT component is owned by root (or
 *    a trusted uid) and is not writable by group or others (no sticky excuse
 *    for that one) -- the rule bubblewrap- and sudo-style checks apply. The
 *    directory the labs are in is never excused for being sticky: anyone
 *    could add files to it.
 * want_dir: `real` is a lab directory (returns an O_PATH fd to it); else a
 * plugin file (returns an O_RDONLY fd to a regular file). -1 with why. */
int labs_open_checked(const char *real, bool want_dir, char *why, size_t whylen)
{
	enum { MAXC = PATH_MAX / 2 };
	char copy[PATH_MAX], path[PATH_MAX] = "/";
	if (real[0] != '/' || strlen(real) >= sizeof(copy))
		return snprintf(why, whylen, "%s: not an absolute path", real), -1;
	snprintf(copy, sizeof(copy), "%s", real);
	static const char *comp[MAXC];
	size_t k = 0;
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c && k < MAXC; c = strtok_r(NULL, "/", &save))
		comp[k++] = c;
	if (!want_dir && k == 0)
		return snprintf(why, whylen, "%s", strerror(EISDIR)), -1;
	/* objects: 0 = "/", j = comp[j - 1]; the last is k; the labs' directory: */
	size_t lab_dir = want_dir ? k : k - 1;
	bool as_root = geteuid() == 0, sticky_before = false;
	int fd = -1;
	size_t len = 0;
	for (size_t j = 0; j <= k; j++) {
		bool is_file = !want_dir && j == k;
		int next;
		if (j == 0) {
			next = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		} else {
			const char *name = comp[j - 1];
			snprintf(path + len, sizeof(path) - len, "/%s", name);
			len += 1 + strlen(name);
			/* O_NONBLOCK: a FIFO named x.so must not hang the start */
			next = openat(fd, name,
				      is_file ? O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY
					      : O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		int err = errno;
		if (fd >= 0)
			close(fd);
		fd = next;
		if (fd < 0) {
			if (err == ELOOP || err == ENOTDIR)
				snprintf(why, whylen, "%s changed while it was checked (%s)", path,
					 strerror(err));
			else
				snprintf(why, whylen, "%s", strerror(err));
			return -1;
		}
		struct stat st;
		if (fstat(fd, &st) < 0) {
			snprintf(why, whylen, "cannot check %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (is_file) { /* the last component */
			if (file_refused(path, &st, as_root, why, whylen)) {
				close(fd);
				return -1;
			}
			continue;
		}
		if (!as_root)
			continue;
		bool excusable =
		    S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) && st.st_uid == 0 && j < lab_dir;
		if (!sticky_before && excusable && writable_by_others(st.st_mode)) {
			sticky_before = true;
			continue;
		}
		sticky_before = false;
		if (unsafe_component(path, &st, is_file, why, whylen)) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* realpath, with a dangling symlink said as such (D15). */
char *labs_resolve(const char *path, char *why, size_t whylen)
{
	char *real = realpath(path, NULL);
	if (real)
		return real;
	int err = errno;
	struct stat st;
	char target[PATH_MAX];
	ssize_t n;
	if (err == ENOENT && lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    (n = readlink(path, target, sizeof(target) - 1)) > 0) {
		target[n] = '\0';
		snprintf(why, whylen, "dangling symlink to %s (%s)", target, strerror(ENOENT));
	} else {
		snprintf(why, whylen, "%s", strerror(err));
	}
	return NULL;
}

void labs_user_path(bool given, bool interactive)
{
	user_path = given;
	user_path_interactive = interactive;
}

static uid_t sudo_uid(void)
{
	const char *s = getenv("SUDO_UID");
	char *end;
	errno = 0;
	unsigned long v = s && *s ? strtoul(s, &end, 10) : 0;
	if (!s || !*s || errno || *end || v == 0 || v >= (uid_t)-1)
		return (uid_t)-1;
	return (uid_t)v;
}

/* Asks on the terminal (read_answer: no later input is swallowed). */
static bool confirm(const char *dir, uid_t uid)
{
	char name[64];
	fprintf(stderr, "Load labs from %s, owned by %s, as root? [y/N] ", dir,
		user_name(uid, name, sizeof(name)));
	fflush(stderr);
	int answer = read_answer();
	return answer == 'y' || answer == 'Y';
}

/* A plugin file in a directory labs_dir_allowed() passed: open realdir/name
 * O_NOFOLLOW, then check the file alone as labs_open_checked() checks its
 * last component. The directories need no second walk: each was checked
 * to be root's (or a trusted uid's) and writable by no one else, so no one
 * else can have renamed or replaced one since; only root or that uid, who
 * could replace the labs anyway. -1 with why; errno ELOOP when name is a
 * symlink (then the whole path is resolved and walked, as before). */
int labs_open_in_checked_dir(const char *realdir, const char *name, char *why, size_t whylen)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s", realdir, name) >= (int)sizeof(path))
		return snprintf(why, whylen, "%s", strerror(ENAMETOOLONG)), -1;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		int err = errno;
		snprintf(why, whylen, "%s", strerror(err));
		errno = err;
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		snprintf(why, whylen, "cannot check %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (file_refused(path, &st, geteuid() == 0, why, whylen)) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

/* Whether root may load the labs of this directory. 1 yes (*real: its
 * real path, to free), 0 skipped in silence (missing), -1 refused (why
 * says so). As root, a directory the learner named (--lab-path,
 * NSLAB_LAB_PATH) that belongs to the invoking user (SUDO_UID) is loaded
 * only after a yes on a terminal. */
int labs_dir_allowed(const char *dir, char **real_out, char *why, size_t whylen)
{
	*real_out = NULL;
	char *real = labs_resolve(dir, why, whylen);
	if (!real)
		return 0;
	int fd = labs_open_checked(real, true, why, whylen);
	if (fd >= 0) {
		close(fd);
		*real_out = real;
		return 1;
	}
	uid_t uid = sudo_uid();
	struct stat st;
	if (geteuid() != 0 || !user_path || uid == (uid_t)-1 || stat(real, &st) < 0 || st.st_uid != uid) {
		free(real);
		return -1;
	}
	/* the same checks with the invoking user trusted too */
	char why2[512];
	labs_confirmed_uid = uid;
	fd = labs_open_checked(real, true, why2, sizeof(why2));
	labs_confirmed_uid = (uid_t)-1;
	if (fd < 0) {
		free(real);
		return -1;
	}
	close(fd);
	char name[64];
	user_name(uid, name, sizeof(name));
	int ret = -1;
	if (!user_path_interactive || !isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		snprintf(why, whylen,
			 "the directory %s is owned by %s, not root, and labs from it are loaded as root "
			 "only after a yes on a terminal (sudo chown -R root: %s, " FIX_INSTALL ")",
			 real, name, real);
	else if (!confirm(real, uid))
		snprintf(why, whylen, "not loading labs owned by %s as root (answered no)", name);
	else {
		labs_confirmed_uid = labs_helper_uid = uid;
		*real_out = real;
		return 1;
	}
	free(real);
	return ret;
}
