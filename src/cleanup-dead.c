/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cleanup-dead.c: other runs: which are alive (by the owner line of their
 * registry, or an earlier build's owner file), replaying the registries of
 * the dead ones, and ending them (--cleanup, and the offer at start).
 *
 * A registry on disk is input: it is replayed only from a file or run dir
 * the caller could have made and nobody else could have written, only once
 * its owner is gone (decided from the owner line, never from a process
 * name), and every entry passes its kind's check as one in memory does.
 * Where runs live, and this run's own files, are cleanup-runs.c's. */
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

static int replay(const struct cleanup_run *r, void (*say)(const char *what));

/* Ends a dead run found at dir: replays its registry (reg: the file of
 * this build's layout, NULL for an earlier build's dir), then removes its
 * run dir and registry. -1 if something of it stays. */
int cleanup_end_dead_run(const char *dir, int pid, const char *reg, void (*say)(const char *what))
{
	char regdir[PATH_MAX + 16], why[128];
	snprintf(regdir, sizeof(regdir), "%s/registry", dir);
	const struct cleanup_run r = {dir, pid, false, reg ? reg : regdir};
	replay(&r, say);
	int rc = 0;
	struct stat st;
	if (lstat(dir, &st) == 0) {
		if (reg && !cleanup_trusted_run_dir(dir, why, sizeof(why))) {
			cleanup_report("refused: %s: %s", dir, why);
			rc = -1;
		} else if (cleanup_remove_tree(dir) < 0) {
			cleanup_report("cannot remove %s: %s", dir, strerror(errno));
			rc = -1;
		} else if (say) {
			char msg[PATH_MAX + 16];
			snprintf(msg, sizeof(msg), "work dir %s", dir);
			say(msg);
		}
	}
	if (reg) {
		char tmp[PATH_MAX + 32];
		snprintf(tmp, sizeof(tmp), "%s.new", reg);
		unlink(tmp); /* what a registry sync killed half-way left */
		if (rc == 0 && unlink(reg) < 0 && errno != ENOENT) {
			cleanup_report("cannot remove %s: %s", reg, strerror(errno));
			rc = -1;
		}
	}
	return rc;
}

/* --- liveness --- */

/* The owner's "PID START": the first line of a registry file (reg), or an
 * earlier build's owner file in the run dir. "" if there is none. */
static void read_owner(const char *dir, const char *reg, char *text, size_t len)
{
	int fd = -1;
	if (reg) {
		fd = open(reg, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	} else {
		int dfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		fd = dfd >= 0 ? openat(dfd, "owner", O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
		if (dfd >= 0)
			close(dfd);
	}
	text[0] = '\0';
	if (fd < 0)
		return;
	ssize_t n = read(fd, text, len - 1);
	text[n > 0 ? n : 0] = '\0';
	close(fd);
	if (!reg)
		return;
	if (strncmp(text, "owner ", 6) == 0) /* "owner PID START" */
		memmove(text, text + 6, strlen(text + 6) + 1);
	else
		text[0] = '\0';
}

/* A run is alive while its owner line names a running process (not a
 * zombie, not exiting) with the start time it wrote. A run without one
 * (its owner could not write it, or died before writing it) is taken as
 * alive while a process with its PID runs: it cannot be told apart from a
 * live run, and leaving leftovers is the safe mistake; once that PID is
 * gone, it is dead. reg: as for read_owner. */
static bool run_is_alive(int pid, const char *dir, const char *reg)
{
	if (pid == (int)getpid() && cleanup_run_dir() && strcmp(dir, cleanup_run_dir()) == 0)
		return true;
	char text[64];
	read_owner(dir, reg, text, sizeof(text));
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
	if (n < max && !cleanup_base_is_set())
		snprintf(out[n++], PATH_MAX, NSLAB_RUN_BASE "/%d", pid);
	for (int i = 0; i < 2 && n < max; i++)
		if (cleanup_base_candidate(i, base, sizeof(base)) && strcmp(base, NSLAB_RUN_BASE) != 0)
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
		char reg[PATH_MAX + 16];
		struct stat st;
		if (cleanup_registry_of(dirs[i], reg, sizeof(reg)) && lstat(reg, &st) == 0 &&
		    cleanup_trusted_registry(reg, why, sizeof(why)))
			return run_is_alive(pid, dirs[i], reg);
		if (lstat(dirs[i], &st) < 0 || !cleanup_trusted_run_dir(dirs[i], why, sizeof(why)))
			continue;
		return run_is_alive(pid, dirs[i], NULL);
	}
	/* No run dir of ours names it: alive while such a process runs. */
	return cleanup_proc_running(pid, 0);
}

/* --- replaying dead runs --- */

/* Opens a dead run's registry: a regular file of the caller's that nobody
 * else can write, else NULL (refused in one line). */
static FILE *open_registry(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		cleanup_report("refused: registry %s: not a regular file of uid %u that only it can write",
			       path, (unsigned)geteuid());
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
static char **read_lines(FILE *f, const char *path, size_t *n)
{
	char **lines = NULL, *line = NULL;
	size_t len = 0;
	ssize_t got;
	*n = 0;
	while ((got = getline(&line, &len, f)) > 0) {
		if (line[got - 1] != '\n' || (size_t)got > NSLAB_REGISTRY_LINE) {
			cleanup_report("refused: registry %s line %zu: %s", path, *n + 1,
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
	FILE *f = open_registry(r->registry);
	if (!f)
		return 0;
	size_t n;
	char **lines = read_lines(f, r->registry, &n);
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

/* The PID a run's entry in its base is named for: "<pid>" (a run dir),
 * "<pid>.registry" (*reg set), else -1. */
static int run_entry_pid(const char *name, bool *reg)
{
	char digits[16];
	size_t n = strspn(name, "0123456789");
	*reg = strcmp(name + n, CLEANUP_REGISTRY_SUFFIX) == 0;
	if (n == 0 || n >= sizeof(digits) || (name[n] && !*reg))
		return -1;
	memcpy(digits, name, n);
	digits[n] = '\0';
	return parse_pid_name(digits);
}

/* Not root: root runs' registries (0600) cannot be read, so their owner
 * lines cannot be either. One whose PID no longer runs is counted (the
 * offer at start says `sudo nslab --cleanup`; --cleanup says it needs
 * root), and never touched. */
static int count_root_runs(bool act)
{
	char why[128];
	if (geteuid() == 0 || cleanup_check_dir(NSLAB_RUN_BASE, 0, false, why, sizeof(why)) < 0)
		return 0;
	DIR *d = opendir(NSLAB_RUN_BASE);
	if (!d)
		return 0;
	int found = 0;
	struct dirent *de;
	bool reg;
	while ((de = readdir(d))) {
		int pid = run_entry_pid(de->d_name, &reg);
		if (pid > 0 && !cleanup_proc_running(pid, 0))
			found++;
	}
	closedir(d);
	if (found && act)
		failed = true;
	return found;
}

/* One entry of a base: the run it belongs to, if it is dead and ours to
 * end. dir gets the run dir's path, *reg_out the registry file of this
 * build's layout (NULL: an earlier build's run dir). 0: not a dead run
 * of ours (or one handled by its other entry). */
static int dead_run_of(const char *base, const char *prefix, const char *name, char *dir, size_t dirlen,
		       char *reg, size_t reglen, const char **reg_out)
{
	char why[128];
	bool is_reg = false;
	size_t plen = strlen(prefix);
	if (strncmp(name, prefix, plen) != 0)
		return 0;
	int pid = plen ? parse_pid_name(name + plen) : run_entry_pid(name, &is_reg);
	/* /tmp/nslab-$UID is where this user's runs live, not a run */
	if (pid < 0 || (plen && pid == (int)geteuid()))
		return 0;
	if (snprintf(dir, dirlen, "%s/%s%d", base, prefix, pid) >= (int)dirlen ||
	    !cleanup_registry_of(dir, reg, reglen))
		return 0;
	struct stat st;
	bool has_reg = !plen && lstat(reg, &st) == 0;
	if (!is_reg && has_reg)
		return 0; /* a run dir of this layout: its registry's entry ends it */
	if (has_reg ? !cleanup_trusted_registry(reg, why, sizeof(why))
		    : !cleanup_trusted_run_dir(dir, why, sizeof(why)))
		return 0; /* another user's (or a planted one): not ours to replay */
	*reg_out = has_reg ? reg : NULL;
	return run_is_alive(pid, dir, *reg_out) ? 0 : pid;
}

/* Replays (act) or counts the dead runs in base: "<pid>.registry" files
 * (and their "<pid>" run dirs), "<pid>" run dirs of earlier builds, or
 * prefix<pid> dirs for the old /tmp/nslab-<pid> layout. Only files and
 * dirs the caller may trust are considered; others' are not ours and are
 * left alone. */
static int for_each_dead_run_in(const char *base, const char *prefix, void (*say)(const char *what), bool act)
{
	char why[128];
	/* /tmp itself is everyone's; a base of ours must be trusted */
	if (strcmp(base, "/tmp") != 0 && cleanup_check_dir(base, geteuid(), false, why, sizeof(why)) < 0)
		return 0;
	DIR *d = opendir(base);
	if (!d)
		return 0;
	int found = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char dir[PATH_MAX], reg[PATH_MAX + 16];
		const char *reg_of_run = NULL;
		int pid =
		    dead_run_of(base, prefix, de->d_name, dir, sizeof(dir), reg, sizeof(reg), &reg_of_run);
		if (pid <= 0)
			continue;
		found++;
		if (act && cleanup_end_dead_run(dir, pid, reg_of_run, say) < 0)
			failed = true;
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
	if (!cleanup_base_is_set())
		n = geteuid() == 0 ? for_each_dead_run_in(NSLAB_RUN_BASE, "", say, act)
				   : count_root_runs(act);
	char base[PATH_MAX];
	for (int i = 0; i < 2; i++)
		if (cleanup_base_candidate(i, base, sizeof(base)) && strcmp(base, NSLAB_RUN_BASE) != 0) {
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
	if (geteuid() == 0 && !cleanup_base_is_set())
		rmdir(NSLAB_RUN_BASE); /* only if empty */
	if (failed) {
		errno = EACCES;
		return -1;
	}
	return n;
}
