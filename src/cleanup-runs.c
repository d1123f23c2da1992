/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cleanup-runs.c: run directories, and replaying the registries of dead runs.
 *
 * Each run keeps its registry and owner file ("PID START") in a run dir:
 * /run/nslab/<pid> for root, $XDG_RUNTIME_DIR/nslab/<pid> or
 * /tmp/nslab-$UID/<pid> otherwise. A registry on disk is input: it is
 * replayed only from a run dir the caller could have made and nobody else
 * could have written (trusted_run_dir), only once its owner is gone (decided
 * from the owner file, never from a process name), and every entry passes
 * its kind's check as one in memory does. Apart from the registry because
 * this is about other runs; the registry is about this one. */
#include "cleanup-int.h"
#include "util.h"

#include <dirent.h>
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

const char *cleanup_init_error(void)
{
	return init_error[0] ? init_error : NULL;
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
 * cannot be written, e.g. in a user namespace). i: 0, 1. Only the base of
 * cleanup_set_base() when one was set. */
static bool base_candidate(int i, char *buf, size_t len)
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
	snprintf(text, sizeof(text), "%d %llu\n", (int)getpid(), cleanup_proc_start(getpid()));
	if (create_file(path, text) < 0)
		cleanup_say_record_failed("owner", path, errno);
}

static int replay(const struct cleanup_run *r, void (*say)(const char *what));

static void say_removed(const char *what)
{
	cleanup_report("removed %s (left by a dead run with this PID)", what);
}

/* A run dir for our own PID: a dead run's whose PID we got (D7). Replays it
 * like --cleanup would, then makes it afresh. */
static int replace_own_pid_dir(void)
{
	char why[128];
	const struct cleanup_run dead = {run_dir, (int)getpid(), false};
	if (!trusted_run_dir(run_dir, why, sizeof(why))) {
		snprintf(init_error, sizeof(init_error), "refusing %s: %s", run_dir, why);
		errno = EPERM;
		return -1;
	}
	replay(&dead, say_removed);
	if (cleanup_remove_tree(run_dir) < 0 || mkdir(run_dir, RUN_DIR_MODE) < 0) {
		snprintf(init_error, sizeof(init_error), "cannot replace %s (left by a dead run): %s",
			 run_dir, strerror(errno));
		return -1;
	}
	return 0;
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
	if (made < 0 && errno != EEXIST) {
		snprintf(init_error, sizeof(init_error), "cannot create %s: %s", run_dir, strerror(errno));
		run_dir[0] = '\0';
		return -1;
	}
	if (made < 0 && replace_own_pid_dir() < 0) {
		run_dir[0] = '\0';
		return -1;
	}
	snprintf(registry_path, sizeof(registry_path), "%s/registry", run_dir);
	write_owner();
	if (create_file(registry_path, "") < 0)
		cleanup_say_record_failed("registry", registry_path, errno);
	return 0;
}

/* At the end of a run its dir holds what cleanup_init made (and a
 * registry.new a failed sync left): those unlinked, one rmdir ends it
 * without the tree walk. Anything else in it (a lab's work dir the unwind
 * could not remove) makes the rmdir fail, and the walk takes it all. */
static void remove_own_run_dir(void)
{
	static const char *const made[] = {"registry", "registry.new", "owner"};
	int dfd = open(run_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd >= 0) {
		for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
			unlinkat(dfd, made[i], 0);
		close(dfd);
		if (rmdir(run_dir) == 0)
			return;
	}
	cleanup_remove_tree(run_dir);
}

void cleanup_remove_run_dir(void)
{
	if (run_dir[0]) {
		remove_own_run_dir();
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
		return opid == pid && cleanup_proc_running(pid, start);
	return cleanup_proc_running(pid, 0);
}

/* The run dirs that could hold run pid's registry, for this caller. */
static int run_dir_candidates(int pid, char out[][PATH_MAX], int max)
{
	int n = 0;
	char base[PATH_MAX - 32];
	if (n < max && !set_base[0])
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
	return cleanup_proc_running(pid, 0);
}

/* --- replaying dead runs --- */

/* Opens a dead run's registry: a regular file of the caller's that nobody
 * else can write, else NULL (refused in one line). */
static FILE *open_registry(const char *dir)
{
	int dfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int fd = dfd >= 0 ? openat(dfd, "registry", O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
	if (dfd >= 0)
		close(dfd);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		cleanup_report(
		    "refused: registry %s/registry: not a regular file of uid %u that only it can write", dir,
		    (unsigned)geteuid());
		close(fd);
		return NULL;
	}
	FILE *f = fdopen(fd, "re");
	if (!f)
		close(fd);
	return f;
}

/* Its whole lines (one without its newline, or over-long, is refused);
 * *n of them, NULL entries where memory ran out. */
static char **read_lines(FILE *f, const char *dir, size_t *n)
{
	char **lines = NULL, *line = NULL;
	size_t len = 0;
	ssize_t got;
	*n = 0;
	while ((got = getline(&line, &len, f)) > 0) {
		if (line[got - 1] != '\n' || (size_t)got > NSLAB_REGISTRY_LINE) {
			cleanup_report("refused: registry %s/registry line %zu: %s", dir, *n + 1,
				       line[got - 1] != '\n' ? "incomplete" : "too long");
			continue;
		}
		line[got - 1] = '\0';
		char **nl = realloc(lines, (*n + 1) * sizeof(*nl));
		if (!nl)
			break;
		lines = nl;
		lines[(*n)++] = strdup(line);
	}
	free(line);
	return lines;
}

/* Undoes one "KIND\tWHAT" line; 1 if it removed something. Unknown kinds
 * and lines without a tab are skipped without a word. */
static int replay_line(const struct cleanup_run *r, char *line, void (*say)(const char *what))
{
	char *tab = line ? strchr(line, '\t') : NULL;
	if (!tab)
		return 0;
	*tab = '\0';
	int kind = cleanup_kind_parse(line);
	if (kind <= 0)
		return 0;
	char why[256];
	int rc = cleanup_undo_checked(r, (enum nslab_obj)kind, tab + 1, why, sizeof(why));
	if (rc != 0) {
		cleanup_say_failure((enum nslab_obj)kind, tab + 1, rc, why); /* 1 (gone) says nothing */
		return 0;
	}
	if (say) {
		char msg[NSLAB_REGISTRY_LINE + 16];
		snprintf(msg, sizeof(msg), "%s %s", line, tab + 1);
		say(msg);
	}
	return 1;
}

/* Drops each "undone" line and the latest entry before it that it names:
 * what is left is what the run still held when it died. */
static void drop_undone(char **lines, size_t n)
{
	const size_t plen = sizeof(CLEANUP_UNDONE "\t") - 1;
	for (size_t i = 0; i < n; i++) {
		if (!lines[i] || strncmp(lines[i], CLEANUP_UNDONE "\t", plen) != 0)
			continue;
		for (size_t j = i; j-- > 0;) {
			if (lines[j] && strcmp(lines[j], lines[i] + plen) == 0) {
				free(lines[j]);
				lines[j] = NULL;
				break;
			}
		}
		free(lines[i]);
		lines[i] = NULL;
	}
}

/* Replays one dead run's registry in reverse order. */
static int replay(const struct cleanup_run *r, void (*say)(const char *what))
{
	FILE *f = open_registry(r->dir);
	if (!f)
		return 0;
	size_t n;
	char **lines = read_lines(f, r->dir, &n);
	fclose(f);
	drop_undone(lines, n);
	int removed = 0;
	for (size_t i = n; i-- > 0;) {
		removed += replay_line(r, lines[i], say);
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
		int pid = parse_pid_name(de->d_name);
		if (pid > 0 && !cleanup_proc_running(pid, 0))
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
		int pid = parse_pid_name(de->d_name + plen);
		if (pid < 0)
			continue;
		/* /tmp/nslab-$UID is where this user's runs live, not a run */
		if (plen && pid == (int)geteuid())
			continue;
		char dir[PATH_MAX];
		if (snprintf(dir, sizeof(dir), "%s/%s", base, de->d_name) >= (int)sizeof(dir))
			continue;
		if (!trusted_run_dir(dir, why, sizeof(why)))
			continue; /* another user's (or a planted one): not ours to replay */
		if (run_is_alive(pid, dir))
			continue;
		found++;
		if (!act)
			continue;
		const struct cleanup_run r = {dir, pid, false};
		replay(&r, say);
		if (cleanup_remove_tree(dir) < 0) {
			cleanup_report("cannot remove %s: %s", dir, strerror(errno));
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

/* legacy: also the old /tmp/nslab-<pid> layout. Only --cleanup looks there:
 * no build since made one, so no run killed now can have left one, and
 * listing /tmp (everyone's, often large) was a tenth of a whole `start uts`
 * + `quit` run (tests/bench/start-scan.sh). The offer at start looks where
 * current runs live, which a crash-safe cleanup of this layout needs. */
static int for_each_dead_run(void (*say)(const char *what), bool act, bool legacy)
{
	int n = 0;
	if (!set_base[0])
		n = geteuid() == 0 ? for_each_dead_run_in(NSLAB_RUN_BASE, "", say, act)
				   : count_root_runs(act);
	char base[PATH_MAX];
	for (int i = 0; i < 2; i++)
		if (base_candidate(i, base, sizeof(base)) && strcmp(base, NSLAB_RUN_BASE) != 0) {
			n += for_each_dead_run_in(base, "", say, act);
			if (act)
				rmdir(base); /* only if empty */
		}
	return n + (legacy ? for_each_dead_run_in("/tmp", "nslab-", say, act) : 0);
}

bool cleanup_dead_runs_exist(void)
{
	return for_each_dead_run(NULL, false, false) > 0;
}

int cleanup_dead_runs(void (*say)(const char *what))
{
	failed = false;
	int n = for_each_dead_run(say, true, true);
	n += cleanup_sweep_kinds(say) > 0;
	if (geteuid() == 0 && !set_base[0])
		rmdir(NSLAB_RUN_BASE); /* only if empty */
	if (failed) {
		errno = EACCES;
		return -1;
	}
	return n;
}
