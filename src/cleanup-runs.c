/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cleanup-runs.c: where runs live, and this run's own registry file and
 * run dir. Other runs (which are dead, replaying and ending them) are
 * cleanup-dead.c's.
 *
 * Each run keeps one registry file, <base>/<pid>.registry, whose first line
 * names its owner ("owner PID START"), and, made on first use, a run dir
 * <base>/<pid> for the labs' work files. The base is /run/nslab for root,
 * $XDG_RUNTIME_DIR/nslab or /tmp/nslab-$UID otherwise. One file and no
 * directory is what a run that needs no work files costs: on a disk-backed
 * /run, a directory's block allocated and discarded made each run ~0.2 ms
 * slower (tests/bench/start-scan.sh). Runs of earlier builds kept registry
 * and owner file inside the run dir; --cleanup replays those as before.
 *
 * Apart from the registry (cleanup.c): this is about files and directories,
 * the registry about the objects they list. */
#include "cleanup-int.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char run_dir[PATH_MAX];
static char registry_path[PATH_MAX + 16];
static char owner_line[64]; /* the registry's first line: "owner PID START\n" */
static bool run_dir_made;
static char base_dir[PATH_MAX - 32]; /* where run_dir lives; removed when empty */
static char set_base[PATH_MAX - 64]; /* cleanup_set_base(): the only base */
static char init_error[PATH_MAX + 256];

const char *cleanup_run_dir(void)
{
	return run_dir[0] ? run_dir : NULL;
}

const char *cleanup_registry_path(void)
{
	return registry_path;
}

const char *cleanup_registry_head(void)
{
	return registry_path[0] ? owner_line : "";
}

const char *cleanup_init_error(void)
{
	return init_error[0] ? init_error : NULL;
}

bool cleanup_base_is_set(void)
{
	return set_base[0] != '\0';
}

int cleanup_set_base(const char *dir)
{
	if (snprintf(set_base, sizeof(set_base), "%s", dir ? dir : "") >= (int)sizeof(set_base)) {
		set_base[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* --- run directories --- */

/* A run dir can be searched, not listed or written, by others: a lab's
 * processes that run as another uid (the container lab's root, mapped to an
 * unprivileged host uid) must reach their work dir below it. */
#define RUN_DIR_MODE 0711

/* A directory nslab may keep runs in, or replay runs from: a real
 * directory (never a symlink) owned by uid that no other user can write.
 * With fix, a group/world-accessible one of ours is made 0700. */
int cleanup_check_dir(const char *path, uid_t uid, bool fix, char *why, size_t whylen)
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
bool cleanup_trusted_run_dir(const char *dir, char *why, size_t whylen)
{
	return cleanup_check_dir(dir, geteuid(), false, why, whylen) == 0;
}

/* A run's registry file nslab would replay: a regular file (never a
 * symlink) of the caller's that no other user can write. */
bool cleanup_trusted_registry(const char *path, char *why, size_t whylen)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		snprintf(why, whylen, "not a regular file of uid %u that only it can write",
			 (unsigned)geteuid());
		return false;
	}
	return true;
}

/* The registry beside run dir dir: <dir>.registry. */
bool cleanup_registry_of(const char *dir, char *buf, size_t len)
{
	return snprintf(buf, len, "%s" CLEANUP_REGISTRY_SUFFIX, dir) < (int)len;
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
 * cannot be written, e.g. in a user namespace). i: 0, 1. Only the base of
 * cleanup_set_base() when one was set. */
bool cleanup_base_candidate(int i, char *buf, size_t len)
{
	if (set_base[0])
		return i == 0 && snprintf(buf, len, "%s", set_base) > 0;
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

/* Makes (or checks) the base directory this user's runs live in: the first
 * candidate that can be made; one that exists but is not a 0700 directory
 * of ours (a symlink, another user's) is refused, naming the path. */
static int make_base(char *base, size_t len)
{
	char why[128];
	int err = ENOENT;
	for (int i = 0; cleanup_base_candidate(i, base, len); i++) {
		if (mkdir(base, strcmp(base, NSLAB_RUN_BASE) == 0 ? 0755 : 0700) < 0 && errno != EEXIST) {
			err = errno;
			snprintf(init_error, sizeof(init_error), "cannot create %s: %s", base,
				 strerror(errno));
			continue;
		}
		if (cleanup_check_dir(base, geteuid(), true, why, sizeof(why)) < 0) {
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

/* Creates path, 0600, never through a symlink, never reusing a file. */
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

static void say_removed(const char *what)
{
	cleanup_report("removed %s (left by a dead run with this PID)", what);
}

/* Before this run's registry is made: what a dead run with our PID left
 * (D7), replayed as --cleanup would. -1 (init_error says why) if it cannot
 * be trusted or removed. */
static int reclaim_own_pid(void)
{
	char why[128];
	struct stat st;
	bool has_reg = lstat(registry_path, &st) == 0, has_dir = lstat(run_dir, &st) == 0;
	if (!has_reg && !has_dir)
		return 0;
	const char *bad = NULL;
	if (has_reg && !cleanup_trusted_registry(registry_path, why, sizeof(why)))
		bad = registry_path;
	else if (has_dir && !cleanup_trusted_run_dir(run_dir, why, sizeof(why)))
		bad = run_dir;
	if (bad) {
		snprintf(init_error, sizeof(init_error), "refusing %s: %s", bad, why);
		errno = EPERM;
		return -1;
	}
	int rc = cleanup_end_dead_run(run_dir, (int)getpid(), has_reg ? registry_path : NULL, say_removed);
	int err = errno;
	if (rc < 0 || lstat(registry_path, &st) == 0 || lstat(run_dir, &st) == 0) {
		snprintf(init_error, sizeof(init_error), "cannot replace %s (left by a dead run): %s",
			 has_reg ? registry_path : run_dir, strerror(rc < 0 ? err : EEXIST));
		errno = rc < 0 ? err : EEXIST;
		return -1;
	}
	return 0;
}

int cleanup_init(void)
{
	init_error[0] = '\0';
	run_dir_made = false;
	snprintf(owner_line, sizeof(owner_line), "owner %d %llu\n", (int)getpid(),
		 cleanup_proc_start(getpid()));
	int made = -1;
	/* Another run leaving may remove an empty base between our calls:
	 * make it again (a few times at most). */
	for (int try = 0; try < 3 && made < 0; try++) {
		if (make_base(base_dir, sizeof(base_dir)) < 0) {
			base_dir[0] = '\0';
			return -1;
		}
		snprintf(run_dir, sizeof(run_dir), "%s/%d", base_dir, (int)getpid());
		cleanup_registry_of(run_dir, registry_path, sizeof(registry_path));
		if (reclaim_own_pid() < 0)
			break;
		made = create_file(registry_path, owner_line);
		if (made < 0 && errno != ENOENT)
			break;
	}
	if (made < 0) {
		if (!init_error[0])
			snprintf(init_error, sizeof(init_error), "cannot create %s: %s", registry_path,
				 strerror(errno));
		run_dir[0] = registry_path[0] = '\0';
		return -1;
	}
	return 0;
}

int cleanup_make_run_dir(void)
{
	char why[128];
	if (run_dir_made)
		return 0;
	if (!run_dir[0]) {
		errno = ENOENT;
		return -1;
	}
	/* (One there already was made by root meanwhile: only root can write
	 * the base. A stale one of a dead run went at cleanup_init.) */
	if (mkdir(run_dir, RUN_DIR_MODE) < 0 &&
	    (errno != EEXIST || !cleanup_trusted_run_dir(run_dir, why, sizeof(why)))) {
		if (errno == EEXIST)
			errno = EPERM;
		return -1;
	}
	run_dir_made = true;
	return 0;
}

/* At the end of a run: its run dir, if it made one, then its registry.
 * In this order, so that a run killed half-way leaves a registry that
 * names what is left. The run dir is empty once the unwind is done (one
 * rmdir); anything else in it (a lab's work dir the unwind could not
 * remove) makes the rmdir fail, and the walk takes it all. */
static void remove_own_run(void)
{
	if (run_dir_made && rmdir(run_dir) < 0 && errno != ENOENT)
		cleanup_remove_tree(run_dir);
	run_dir_made = false;
	char tmp[PATH_MAX + 32];
	snprintf(tmp, sizeof(tmp), "%s.new", registry_path);
	unlink(tmp); /* only there if a registry sync failed */
	unlink(registry_path);
}

void cleanup_remove_run_dir(void)
{
	if (run_dir[0]) {
		remove_own_run();
		run_dir[0] = registry_path[0] = '\0';
	}
	/* /run/nslab stays between runs (an empty 0755 directory of root's in a
	 * tmpfs): making and removing it was ~0.3 ms of every run where /run is
	 * on disk. --cleanup removes it when empty. A per-user base in /tmp
	 * goes when empty, as it is in everyone's directory. */
	if (base_dir[0] && strcmp(base_dir, NSLAB_RUN_BASE) != 0)
		rmdir(base_dir); /* only if empty */
	base_dir[0] = '\0';
}
