/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nsview.c: namespace inodes read afresh from /proc/PID/ns (fstatat, as
 * bubblewrap and lsns do), and the set of processes the views compare. */
#include "nsview.h"
#include "nssubjects.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LAB 16
#define MAX_WATCH 16

static struct {
	pid_t pid;
	char label[24];
} lab_procs[MAX_LAB];
static size_t nlab;
static pid_t watched[MAX_WATCH];
static size_t nwatch;
static pid_t hidden[MAX_WATCH]; /* subjects `unwatch` hid (the oldest go first) */
static size_t nhidden;
static pid_t subject_cols[MAX_WATCH]; /* the subject columns last given */
static size_t nsubject_cols;
static unsigned generation; /* bumped whenever the lists above change */

unsigned nsview_generation(void)
{
	return generation;
}

static pid_t last_nspid(const char *status)
{
	const char *l = strstr(status, "\nNSpid:");
	if (!l)
		return 0;
	pid_t last = 0;
	char *end;
	for (const char *p = l + 7;; p = end) {
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		last = (pid_t)v;
	}
	return last;
}

int nsview_read(pid_t pid, struct ns_col *col)
{
	char path[64], buf[4096];
	memset(col->ino, 0, sizeof(col->ino));
	col->alive = false;
	col->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/ns", (int)pid);
	_cleanup_close_ int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	for (int r = 0; r < NS_COUNT; r++) {
		struct stat st;
		if (fstatat(dfd, ns_types[r].name, &st, 0) == 0)
			col->ino[r] = st.st_ino;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (read_file(path, col->comm, sizeof(col->comm)) > 0)
		col->comm[strcspn(col->comm, "\n")] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	col->inner_pid = read_file(path, buf, sizeof(buf)) > 0 ? last_nspid(buf) : 0;
	col->alive = true;
	return 0;
}

/* Live-view probes. A process's namespaces change only through its own
 * system calls (unshare, setns, execve for time): one that has not run since
 * the last probe cannot have moved. So each probed process has its
 * /proc/PID/schedstat kept open (run time, time slices), read with one
 * pread; only when that moved are its ns links compared. The fd follows the
 * process, not the number: once it is gone the read fails, even if the PID
 * was taken again. */
#define MAX_PROBE 40
static struct probe {
	pid_t pid;
	int fd;
	size_t len;
	char last[128]; /* schedstat as last compared */
} probes[MAX_PROBE];
static size_t nprobe;

static void probe_drop(size_t i)
{
	close(probes[i].fd);
	probes[i] = probes[--nprobe];
}

static struct probe *probe_of(pid_t pid)
{
	for (size_t i = 0; i < nprobe; i++)
		if (probes[i].pid == pid)
			return &probes[i];
	if (nprobe == MAX_PROBE)
		probe_drop(0);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	probes[nprobe] = (struct probe){.pid = pid, .fd = fd}; /* len 0: compare the links */
	return &probes[nprobe++];
}

/* Closes the probes of processes no longer among cols. */
static void probe_prune(const struct ns_col *cols, size_t n)
{
	for (size_t i = 0; i < nprobe;) {
		bool shown = false;
		for (size_t c = 0; c < n && !shown; c++)
			shown = cols[c].pid == probes[i].pid;
		if (shown)
			i++;
		else
			probe_drop(i);
	}
}

static bool links_moved(const struct ns_col *col)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns", (int)col->pid);
	_cleanup_close_ int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return col->alive;
	for (int r = 0; r < NS_COUNT; r++) {
		if (r == NS_PID) /* fixed for the life of a process (pid_for_children is not) */
			continue;
		struct stat st;
		ino_t ino = fstatat(dfd, ns_types[r].name, &st, 0) == 0 ? st.st_ino : 0;
		if (ino != col->ino[r])
			return true;
	}
	return false;
}

bool nsview_stale(const struct ns_col *col)
{
	struct probe *p = probe_of(col->pid);
	if (!p)
		return col->alive;
	char buf[sizeof(p->last)];
	ssize_t n = pread(p->fd, buf, sizeof(buf), 0);
	if (n <= 0) { /* gone (ESRCH), or unreadable: let a full read decide */
		probe_drop((size_t)(p - probes));
		return true;
	}
	if ((size_t)n == p->len && memcmp(buf, p->last, (size_t)n) == 0)
		return false; /* it has not run: nothing can have moved */
	/* Remember the run time before reading the links: a change made after
	 * this read moves the run time again, so the next probe looks again. */
	memcpy(p->last, buf, (size_t)n);
	p->len = (size_t)n;
	if (links_moved(col))
		return true;
	char path[64], comm[sizeof(col->comm)] = "";
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)col->pid);
	if (read_file(path, comm, sizeof(comm)) > 0) /* execve, prctl(PR_SET_NAME) */
		comm[strcspn(comm, "\n")] = '\0';
	return strcmp(comm, col->comm) != 0;
}

bool nsview_differs(const struct ns_col *host, const struct ns_col *col, enum ns_row row)
{
	return host->ino[row] && col->ino[row] && host->ino[row] != col->ino[row];
}

static bool push_col(struct ns_col *cols, size_t *n, size_t max, pid_t pid, enum ns_col_kind kind,
		     const char *label)
{
	if (*n >= max)
		return false;
	struct ns_col *c = &cols[*n];
	memset(c, 0, sizeof(*c));
	if (nsview_read(pid, c) < 0)
		return false;
	c->kind = kind;
	snprintf(c->label, sizeof(c->label), "%s", label);
	(*n)++;
	return true;
}

static size_t pinned_columns(struct ns_col *cols, size_t max)
{
	size_t n = 0;
	push_col(cols, &n, max, getpid(), NS_COL_HOST, "nslab");
	for (size_t i = 0; i < nlab; i++)
		push_col(cols, &n, max, lab_procs[i].pid, NS_COL_LAB, lab_procs[i].label);
	for (size_t i = 0; i < nwatch; i++)
		push_col(cols, &n, max, watched[i], NS_COL_WATCH, "watch");
	return n;
}

size_t nsview_columns(struct ns_col *cols, size_t max)
{
	size_t n = pinned_columns(cols, max);
	probe_prune(cols, n);
	return n;
}

static struct ns_subject subj[NSSUB_MAX];
static size_t nsubj;

size_t nsview_subjects(const struct ns_subject **s)
{
	*s = subj;
	return nsubj;
}

size_t nsview_pane_columns(struct ns_col *cols, size_t max)
{
	size_t n = pinned_columns(cols, max);
	size_t pick[MAX_WATCH];
	nsubj = nssub_lab(subj, NSSUB_MAX);
	size_t k = nssub_group(cols, n, subj, nsubj, hidden, nhidden, pick, MAX_WATCH);
	nsubject_cols = 0;
	for (size_t i = 0; i < k; i++) {
		if (!push_col(cols, &n, max, subj[pick[i]].pid, NS_COL_SUBJECT, "new"))
			continue;
		nssub_cmdline(cols[n - 1].pid, cols[n - 1].cmd, sizeof(cols[n - 1].cmd));
		subject_cols[nsubject_cols++] = cols[n - 1].pid;
	}
	probe_prune(cols, n);
	return n;
}

static bool drop_pid(pid_t *list, size_t *n, pid_t pid)
{
	for (size_t i = 0; i < *n; i++)
		if (list[i] == pid) {
			memmove(&list[i], &list[i + 1], (*n - i - 1) * sizeof(list[0]));
			(*n)--;
			return true;
		}
	return false;
}

static void hide(pid_t pid)
{
	if (nhidden == MAX_WATCH)
		drop_pid(hidden, &nhidden, hidden[0]);
	hidden[nhidden++] = pid;
	drop_pid(subject_cols, &nsubject_cols, pid);
	generation++;
}

int nsview_watch(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns", (int)pid);
	if (pid <= 0 || access(path, F_OK) < 0) {
		errno = ESRCH;
		return -1;
	}
	if (drop_pid(hidden, &nhidden, pid))
		generation++;
	for (size_t i = 0; i < nwatch; i++)
		if (watched[i] == pid)
			return 0;
	if (nwatch == MAX_WATCH) {
		errno = ENOSPC;
		return -1;
	}
	watched[nwatch++] = pid;
	generation++;
	return 0;
}

int nsview_unwatch(pid_t pid)
{
	for (size_t i = 0; i < nwatch; i++)
		if (watched[i] == pid) {
			watched[i] = watched[--nwatch];
			generation++;
			return 0;
		}
	for (size_t i = 0; i < nsubject_cols; i++)
		if (subject_cols[i] == pid) {
			hide(pid);
			return 0;
		}
	errno = ENOENT;
	return -1;
}

size_t nsview_watched(pid_t *pids, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < nwatch && n < max; i++)
		pids[n++] = watched[i];
	return n;
}

void nsview_lab_add(pid_t pid, const char *label)
{
	for (size_t i = 0; i < nlab; i++)
		if (lab_procs[i].pid == pid)
			return;
	if (nlab == MAX_LAB)
		return;
	lab_procs[nlab].pid = pid;
	snprintf(lab_procs[nlab].label, sizeof(lab_procs[nlab].label), "%s", label ? label : "lab");
	nlab++;
	generation++;
}

void nsview_lab_remove(pid_t pid)
{
	for (size_t i = 0; i < nlab; i++)
		if (lab_procs[i].pid == pid) {
			memmove(&lab_procs[i], &lab_procs[i + 1], (nlab - i - 1) * sizeof(lab_procs[0]));
			nlab--;
			generation++;
			return;
		}
}

void nsview_lab_clear(void)
{
	nlab = 0;
	generation++;
}

/* --- the whole-system scan --- */

static int cmp_entry(const void *a, const void *b)
{
	const struct ns_entry *x = a, *y = b;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* Open-addressing table keyed by (type, inode): one pass over /proc. */
struct scan {
	struct ns_entry *e;
	size_t n, cap; /* cap is a power of two */
};

static struct ns_entry *scan_slot(struct scan *s, enum ns_row type, ino_t ino)
{
	size_t mask = s->cap - 1, i = ((size_t)ino * 2654435761u + type) & mask;
	while (s->e[i].nprocs && (s->e[i].ino != ino || s->e[i].type != type))
		i = (i + 1) & mask;
	return &s->e[i];
}

static int scan_grow(struct scan *s)
{
	struct scan bigger = {calloc(s->cap * 2, sizeof(struct ns_entry)), 0, s->cap * 2};
	if (!bigger.e)
		return -1;
	for (size_t i = 0; i < s->cap; i++)
		if (s->e[i].nprocs) {
			*scan_slot(&bigger, s->e[i].type, s->e[i].ino) = s->e[i];
			bigger.n++;
		}
	free(s->e);
	*s = bigger;
	return 0;
}

static void scan_pid(struct scan *s, int procfd, const char *name, pid_t pid)
{
	char path[300];
	snprintf(path, sizeof(path), "%s/ns", name);
	_cleanup_close_ int dfd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	struct stat pst;
	bool have_owner = false;
	for (int r = 0; r < NS_COUNT; r++) {
		struct stat st;
		/* a *_for_children link names a namespace some process is in */
		if (ns_types[r].for_children || fstatat(dfd, ns_types[r].name, &st, 0) < 0)
			continue;
		if (s->n * 2 >= s->cap && scan_grow(s) < 0)
			return;
		struct ns_entry *e = scan_slot(s, (enum ns_row)r, st.st_ino);
		bool fresh = e->nprocs++ == 0;
		s->n += fresh;
		if (fresh || pid < e->pid) {
			if (!have_owner)
				have_owner = fstatat(procfd, name, &pst, 0) == 0;
			e->ino = st.st_ino;
			e->type = (enum ns_row)r;
			e->pid = pid;
			e->uid = have_owner ? pst.st_uid : 0;
		}
	}
}

ssize_t nsview_scan_all(struct ns_entry **out)
{
	struct scan s = {calloc(1024, sizeof(struct ns_entry)), 0, 1024};
	_cleanup_close_ int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = procfd >= 0 ? fdopendir(dup(procfd)) : NULL;
	if (!s.e || !d) {
		free(s.e);
		if (d)
			closedir(d);
		return -1;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		pid_t pid = (pid_t)atoi(de->d_name);
		if (pid > 0)
			scan_pid(&s, procfd, de->d_name, pid);
	}
	closedir(d);
	/* compact, then fill in the owners' command names */
	size_t n = 0;
	for (size_t i = 0; i < s.cap; i++)
		if (s.e[i].nprocs)
			s.e[n++] = s.e[i];
	qsort(s.e, n, sizeof(*s.e), cmp_entry);
	for (size_t i = 0; i < n; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)s.e[i].pid);
		if (read_file(path, s.e[i].comm, sizeof(s.e[i].comm)) > 0)
			s.e[i].comm[strcspn(s.e[i].comm, "\n")] = '\0';
	}
	*out = s.e;
	return (ssize_t)n;
}
