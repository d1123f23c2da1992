/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cleanup.c: the registry of kernel objects nslab made.
 *
 * Entries are kept in memory (a stack, undone in reverse) and mirrored, one
 * "KIND\tWHAT" line each, to <run dir>/registry, so that a later
 * `nslab --cleanup` can undo what a SIGKILLed run left behind. The mirror is
 * a journal: a kept entry is one appended line, an entry undone out of order
 * one appended "undone\tKIND\tWHAT" line (the replay drops both), and it is
 * emptied when the stack is. One write(2) a change, not a rewrite and a
 * rename: on a disk-backed /run that was ~0.5 ms a keep, a third of a lab's
 * start (tests/bench/start-scan.sh).
 *
 * Each kind is checked and undone through its entry in a table: the kinds
 * the registry owns (cleanup-check.c, cleanup-undo.c) and those another
 * module registered (cgroups). Every entry, in memory or replayed from disk
 * (cleanup-dead.c), passes its kind's check before it is undone; a refused
 * entry gets one line and nothing else. */
#include "cleanup-int.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct entry {
	enum nslab_obj kind;
	char *what;
};

static struct entry *stack;
static size_t depth, cap;
static bool record_failed; /* a registry/owner write failed (said once) */

#define NKINDS (CLEANUP_OBJ_LAST + 1)

/* The words of the mirror: part of its format, whoever undoes the kind. */
static const char *const kind_name[NKINDS] = {
    [NSLAB_OBJ_PROCESS] = "process",
    [NSLAB_OBJ_MOUNT] = "mount",
    [NSLAB_OBJ_DIR] = "dir",
    [NSLAB_OBJ_CGROUP] = "cgroup",
    [NSLAB_OBJ_LINK] = "link",
    [NSLAB_OBJ_NETNS] = "netns",
    [NSLAB_OBJ_FILE] = "file",
    [CLEANUP_OBJ_IPC] = "ipc",
    [CLEANUP_OBJ_UTSNAME] = "utsname",
    [CLEANUP_OBJ_HOSTMOUNT] = "hostmount",
    [CLEANUP_OBJ_HOSTLINK] = "hostlink",
    [CLEANUP_OBJ_HOSTCGROUP] = "hostcgroup",
    [CLEANUP_OBJ_HOSTADDR] = "hostaddr",
};

static const struct cleanup_kind *kinds[NKINDS] = {
    [NSLAB_OBJ_PROCESS] = &cleanup_kind_process,
    [NSLAB_OBJ_MOUNT] = &cleanup_kind_mount,
    [NSLAB_OBJ_DIR] = &cleanup_kind_dir,
    [NSLAB_OBJ_LINK] = &cleanup_kind_link,
    [NSLAB_OBJ_NETNS] = &cleanup_kind_netns,
    [NSLAB_OBJ_FILE] = &cleanup_kind_file,
    [CLEANUP_OBJ_IPC] = &cleanup_kind_ipc,
    [CLEANUP_OBJ_UTSNAME] = &cleanup_kind_utsname,
    [CLEANUP_OBJ_HOSTMOUNT] = &cleanup_kind_hostmount,
    [CLEANUP_OBJ_HOSTLINK] = &cleanup_kind_hostlink,
    [CLEANUP_OBJ_HOSTCGROUP] = &cleanup_kind_hostcgroup,
    [CLEANUP_OBJ_HOSTADDR] = &cleanup_kind_hostaddr,
};

static bool valid_kind(enum nslab_obj k)
{
	return (size_t)k < NKINDS && kind_name[k];
}

const char *cleanup_kind_name(enum nslab_obj k)
{
	return valid_kind(k) ? kind_name[k] : "?";
}

int cleanup_kind_parse(const char *s)
{
	for (size_t k = 1; k < NKINDS; k++)
		if (kind_name[k] && strcmp(kind_name[k], s) == 0)
			return (int)k;
	return -1;
}

int cleanup_register_kind(enum nslab_obj kind, const struct cleanup_kind *ops)
{
	if (!valid_kind(kind) || !ops || !ops->check || !ops->undo) {
		errno = EINVAL;
		return -1;
	}
	kinds[kind] = ops;
	return 0;
}

int cleanup_sweep_kinds(void (*say)(const char *what))
{
	int n = 0;
	for (size_t k = 1; k < NKINDS; k++)
		if (kinds[k] && kinds[k]->sweep)
			n += kinds[k]->sweep(say);
	return n;
}

static void (*reporter)(const char *line);

void cleanup_set_report(void (*report)(const char *line))
{
	reporter = report;
}

void cleanup_report(const char *fmt, ...)
{
	if (!reporter)
		return;
	char line[NSLAB_REGISTRY_LINE + PATH_MAX + 256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	reporter(line);
}

bool cleanup_record_failed(void)
{
	return record_failed;
}

/* Mirror write errors are said once per run: the run goes on, but a later
 * --cleanup will not know about what was not written. */
void cleanup_say_record_failed(const char *kind, const char *what, int err)
{
	if (!record_failed)
		cleanup_report("cannot record %s %s: --cleanup will not know about it (%s)", kind, what,
			       strerror(err));
	record_failed = true;
}

/* The registry open for appending, for the path it was opened at. */
static int journal_fd = -1;
static char journal_path[PATH_MAX];
/* Nothing appended to the open journal since it was emptied: the end of
 * the run (cleanup_all after the lab's own unwind) need not empty it again. */
static bool journal_clean;

static void journal_close(void)
{
	if (journal_fd >= 0)
		close(journal_fd);
	journal_fd = -1;
	journal_path[0] = '\0';
	journal_clean = false;
}

/* Appends one line, whole (a line is read back whole or not at all). */
static int journal_append(const char *prefix, enum nslab_obj kind, const char *what)
{
	const char *path = cleanup_registry_path();
	if (!path[0])
		return 0;
	if (journal_fd < 0 || strcmp(path, journal_path) != 0) {
		journal_close();
		journal_fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
		if (journal_fd < 0)
			return -1;
		snprintf(journal_path, sizeof(journal_path), "%s", path);
	}
	char line[NSLAB_REGISTRY_LINE + 16];
	int n = snprintf(line, sizeof(line), "%s%s\t%s\n", prefix, cleanup_kind_name(kind), what);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	journal_clean = false;
	ssize_t w = write(journal_fd, line, (size_t)n);
	if (w == n)
		return 0;
	if (w >= 0)
		errno = ENOSPC;
	return -1;
}

/* Empties the journal when nothing is kept (the end of every lab): back
 * to its owner line. */
static int journal_empty(void)
{
	const char *path = cleanup_registry_path();
	if (!path[0])
		return 0;
	off_t head = (off_t)strlen(cleanup_registry_head());
	if (journal_fd >= 0 && strcmp(path, journal_path) == 0) {
		if (journal_clean)
			return 0;
		if (ftruncate(journal_fd, head) < 0)
			return -1;
		journal_clean = true;
		return 0;
	}
	int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = ftruncate(fd, head);
	return close(fd) < 0 ? -1 : rc;
}

/* Rewrites the mirror from the in-memory stack (small: tens of lines):
 * registry.new, 0600, made afresh, renamed over the registry. Used when a
 * partial unwind leaves entries: the journal starts again from them. */
static int registry_sync(void)
{
	journal_close(); /* the rename replaces the file it has open */
	const char *path = cleanup_registry_path();
	if (!path[0])
		return 0;
	char tmp[PATH_MAX + 32];
	snprintf(tmp, sizeof(tmp), "%s.new", path);
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
	fputs(cleanup_registry_head(), f);
	for (size_t i = 0; i < depth; i++)
		fprintf(f, "%s\t%s\n", cleanup_kind_name(stack[i].kind), stack[i].what);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

/* What a process entry records: "PID:START", or for a group
 * "-PGID:START:SID" (a replay kills only members of that group in that
 * session). NULL with errno 0 when the process is gone already. */
static char *process_entry(const char *what)
{
	int pid = atoi(what);
	unsigned long long start = cleanup_proc_start(pid < 0 ? -pid : pid);
	char *w;
	errno = 0;
	if (!start)
		return NULL;
	int sid = pid < 0 ? (int)getsid(-pid) : 0;
	if ((sid > 0 ? asprintf(&w, "%d:%llu:%d", pid, start, sid) : asprintf(&w, "%d:%llu", pid, start)) < 0)
		return NULL;
	return w;
}

static int push(enum nslab_obj kind, char *w)
{
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
	if (journal_append("", kind, w) < 0)
		cleanup_say_record_failed(cleanup_kind_name(kind), w, errno);
	return 0;
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
		if (!(w = process_entry(what)))
			return errno ? -1 : 0; /* gone already (or never ours): nothing to undo */
	} else if (!(w = strdup(what))) {
		return -1;
	}
	/* A line is read back whole or not at all: an over-long one is refused
	 * here, never split in the mirror. */
	if (strlen(cleanup_kind_name(kind)) + 1 + strlen(w) + 1 > NSLAB_REGISTRY_LINE) {
		free(w);
		errno = ENAMETOOLONG;
		return -1;
	}
	return push(kind, w);
}

int cleanup_undo_checked(const struct cleanup_run *r, enum nslab_obj kind, const char *what, char *why,
			 size_t whylen)
{
	const struct cleanup_kind *k = valid_kind(kind) ? kinds[kind] : NULL;
	if (!k) {
		snprintf(why, whylen, valid_kind(kind) ? "no module undoes this kind here" : "unknown kind");
		return -2;
	}
	int c = k->check(r, what, why, whylen);
	if (c < 0)
		return -2;
	return c == 1 ? 1 : k->undo(r, what);
}

static unsigned failures;

unsigned cleanup_failures(void)
{
	return failures;
}

void cleanup_say_failure(enum nslab_obj kind, const char *what, int rc, const char *why)
{
	if (rc == -2 || rc == 2 || rc < 0)
		failures++;
	if (rc == -2)
		cleanup_report("refused: %s %s: %s", cleanup_kind_name(kind), what, why);
	else if (rc == 2)
		cleanup_report("process %s was killed and is still exiting", what);
	else if (rc < 0)
		cleanup_report("could not remove %s %s: %s", cleanup_kind_name(kind), what, strerror(errno));
}

static struct cleanup_run live_run(void)
{
	return (struct cleanup_run){cleanup_run_dir(), (int)getpid(), true, cleanup_registry_path()};
}

int cleanup_undo_object(enum nslab_obj kind, const char *what)
{
	char why[256];
	const struct cleanup_run r = live_run();
	int rc = cleanup_undo_checked(&r, kind, what, why, sizeof(why));
	if (rc == -2) {
		cleanup_say_failure(kind, what, rc, why);
		errno = EPERM;
		return -1;
	}
	return rc == 2 ? 0 : rc;
}

static void pop_one(void)
{
	struct entry *e = &stack[--depth];
	char why[256];
	const struct cleanup_run r = live_run();
	int rc = cleanup_undo_checked(&r, e->kind, e->what, why, sizeof(why));
	cleanup_say_failure(e->kind, e->what, rc, why);
	free(e->what);
}

static bool same_entry(const struct entry *e, enum nslab_obj kind, const char *what)
{
	if (e->kind != kind)
		return false;
	/* a process entry is found by its PID (or -PGID) alone */
	return kind == NSLAB_OBJ_PROCESS ? atoi(e->what) == atoi(what) : strcmp(e->what, what) == 0;
}

int cleanup_undo(enum nslab_obj kind, const char *what)
{
	for (size_t i = depth; i-- > 0;) {
		struct entry *e = &stack[i];
		if (!same_entry(e, kind, what))
			continue;
		int rc = cleanup_undo_object(e->kind, e->what) < 0 ? -1 : 0;
		if (journal_append(CLEANUP_UNDONE "\t", e->kind, e->what) < 0)
			cleanup_say_record_failed(cleanup_kind_name(kind), what, errno);
		free(e->what);
		memmove(e, e + 1, (depth - i - 1) * sizeof(*e));
		depth--;
		return rc;
	}
	if (kind == NSLAB_OBJ_PROCESS && !strchr(what, ':')) {
		/* Not registered: a PID of ours, by its current start time. */
		int pid = atoi(what);
		char s[64];
		snprintf(s, sizeof(s), "%d:%llu", pid, cleanup_proc_start(pid < 0 ? -pid : pid));
		return cleanup_undo_object(kind, s) < 0 ? -1 : 0;
	}
	return cleanup_undo_object(kind, what) < 0 ? -1 : 0;
}

int cleanup_forget(enum nslab_obj kind, const char *what)
{
	for (size_t i = depth; i-- > 0;) {
		struct entry *e = &stack[i];
		if (!same_entry(e, kind, what))
			continue;
		/* the journal's "undone" line is what drops an entry from a replay */
		if (journal_append(CLEANUP_UNDONE "\t", e->kind, e->what) < 0)
			cleanup_say_record_failed(cleanup_kind_name(kind), what, errno);
		free(e->what);
		memmove(e, e + 1, (depth - i - 1) * sizeof(*e));
		depth--;
		return 0;
	}
	errno = ENOENT;
	return -1;
}

size_t cleanup_mark(void)
{
	return depth;
}

void cleanup_unwind_to(size_t mark)
{
	while (depth > mark)
		pop_one();
	if ((depth ? registry_sync() : journal_empty()) < 0)
		cleanup_say_record_failed("registry", cleanup_registry_path(), errno);
}

void cleanup_all(void)
{
	cleanup_unwind_to(0);
	journal_close(); /* a later cleanup_init at the same path gets a new file */
	cleanup_remove_run_dir();
}
