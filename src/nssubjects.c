/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nssubjects.c: the processes the pane shows without `watch` (see
 * nssubjects.h). The lab cgroup is read afresh on each call: a learner's
 * `unshare` in `shell` or `host ... &` is a new member, and what it made is
 * in its /proc/PID/ns links. The machine-wide look is cheaper than a scan:
 * /proc is listed, and only PIDs not seen before have their links read. */
#include "nssubjects.h"
#include "labcg.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* grouping                                                            */

bool nssub_differs(const ino_t *host, const ino_t *ino)
{
	for (int r = 0; r < NS_COUNT; r++)
		if (host[r] && ino[r] && host[r] != ino[r])
			return true;
	return false;
}

bool nssub_same_set(const ino_t *a, const ino_t *b)
{
	return !nssub_differs(a, b);
}

static bool listed(const pid_t *pids, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

static bool set_shown(const struct ns_col *shown, size_t nshown, const ino_t *ino)
{
	for (size_t c = 0; c < nshown; c++)
		if (nssub_same_set(shown[c].ino, ino))
			return true;
	return false;
}

size_t nssub_group(const struct ns_col *shown, size_t nshown, const struct ns_subject *s, size_t n,
		   const pid_t *hidden, size_t nhidden, size_t *pick, size_t max)
{
	size_t k = 0;
	if (nshown == 0)
		return 0;
	for (size_t i = 0; i < n && k < max; i++) {
		if (listed(hidden, nhidden, s[i].pid) || !nssub_differs(shown[0].ino, s[i].ino) ||
		    set_shown(shown, nshown, s[i].ino))
			continue;
		bool dup = false;
		for (size_t j = 0; j < k && !dup; j++)
			dup = nssub_same_set(s[pick[j]].ino, s[i].ino);
		if (!dup)
			pick[k++] = i;
	}
	return k;
}

/* ------------------------------------------------------------------ */
/* the kernel                                                          */

int nssub_read(pid_t pid, ino_t ino[NS_COUNT])
{
	char path[64];
	memset(ino, 0, NS_COUNT * sizeof(ino[0]));
	snprintf(path, sizeof(path), "/proc/%d/ns", (int)pid);
	_cleanup_close_ int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	for (int r = 0; r < NS_COUNT; r++) {
		struct stat st;
		if (fstatat(dfd, ns_types[r].name, &st, 0) == 0)
			ino[r] = st.st_ino;
	}
	return 0;
}

static void add_members(const char *dir, int depth, pid_t *pids, size_t max, size_t *n)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	long pid;
	while (*n < max && fscanf(f, "%ld", &pid) == 1)
		if (pid > 0 && !listed(pids, *n, (pid_t)pid))
			pids[(*n)++] = (pid_t)pid;
	fclose(f);
	/* the learner's own cgcreate'd groups below the lab's; a bound all the same */
	DIR *d = depth < 8 ? opendir(dir) : NULL;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		add_members(path, depth + 1, pids, max, n);
	}
	if (d)
		closedir(d);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

size_t nssub_lab(struct ns_subject *s, size_t max)
{
	const char *dir = labcg_dir();
	pid_t pids[NSSUB_MAX];
	size_t n = 0, k = 0;
	if (!dir)
		return 0;
	add_members(dir, 0, pids, max < NSSUB_MAX ? max : NSSUB_MAX, &n);
	qsort(pids, n, sizeof(pids[0]), cmp_pid);
	for (size_t i = 0; i < n; i++) {
		s[k].pid = pids[i];
		if (nssub_read(pids[i], s[k].ino) == 0)
			k++;
	}
	return k;
}

static struct {
	pid_t pids[NSSUB_MAX];
	size_t n;
	bool young; /* the last look found new members */
} M;

bool nssub_lab_moved(void)
{
	const char *dir = labcg_dir();
	pid_t pids[NSSUB_MAX];
	size_t n = 0;
	if (dir)
		add_members(dir, 0, pids, NSSUB_MAX, &n);
	qsort(pids, n, sizeof(pids[0]), cmp_pid);
	bool fresh = false;
	for (size_t i = 0; i < n && !fresh; i++)
		fresh = !bsearch(&pids[i], M.pids, M.n, sizeof(pid_t), cmp_pid);
	bool moved = fresh || n != M.n || M.young;
	memcpy(M.pids, pids, n * sizeof(pids[0]));
	M.n = n;
	M.young = fresh;
	return moved;
}

void nssub_cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	ssize_t n = read_file(path, buf, len);
	if (n <= 0) {
		buf[0] = '\0';
		return;
	}
	if ((size_t)n >= len)
		n = (ssize_t)len - 1;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
}

/* ------------------------------------------------------------------ */
/* namespaces made after the baseline                                  */

#define NOTED_MAX 64

static struct {
	ino_t *base; /* every namespace at the baseline, sorted */
	size_t nbase;
	pid_t *seen, *young; /* PIDs of the last look, and those new in it (sorted) */
	size_t nseen, nyoung;
	ino_t noted[NOTED_MAX][NS_COUNT]; /* sets already said */
	size_t nnoted;
	bool ready;
} B;

static int cmp_ino(const void *a, const void *b)
{
	ino_t x = *(const ino_t *)a, y = *(const ino_t *)b;
	return (x > y) - (x < y);
}

/* Every PID in /proc, ascending. Returns the count, -1 on error. */
static ssize_t list_pids(pid_t **out)
{
	DIR *d = opendir("/proc");
	if (!d)
		return -1;
	size_t n = 0, cap = 512;
	pid_t *p = malloc(cap * sizeof(*p));
	struct dirent *de;
	while (p && (de = readdir(d))) {
		pid_t pid = (pid_t)atoi(de->d_name);
		if (pid <= 0)
			continue;
		if (n == cap) {
			pid_t *more = realloc(p, (cap *= 2) * sizeof(*p));
			if (!more) {
				free(p);
				p = NULL;
				break;
			}
			p = more;
		}
		p[n++] = pid;
	}
	closedir(d);
	if (!p)
		return -1;
	qsort(p, n, sizeof(*p), cmp_pid);
	*out = p;
	return (ssize_t)n;
}

static bool has_pid(const pid_t *sorted, size_t n, pid_t pid)
{
	return n && bsearch(&pid, sorted, n, sizeof(pid), cmp_pid);
}

static bool in_base(ino_t ino)
{
	return B.nbase && bsearch(&ino, B.base, B.nbase, sizeof(ino), cmp_ino);
}

int nssub_baseline(void)
{
	nssub_free();
	pid_t *pids = NULL;
	ssize_t n = list_pids(&pids);
	if (n < 0)
		return -1;
	B.base = malloc(((size_t)n + 1) * NS_COUNT * sizeof(ino_t));
	if (!B.base) {
		free(pids);
		return -1;
	}
	for (ssize_t i = 0; i < n; i++) {
		ino_t ino[NS_COUNT];
		if (nssub_read(pids[i], ino) < 0)
			continue;
		for (int r = 0; r < NS_COUNT; r++)
			if (ino[r])
				B.base[B.nbase++] = ino[r];
	}
	ino_t self[NS_COUNT]; /* nslab's own, even if /proc hid it */
	if (nssub_read(getpid(), self) == 0)
		for (int r = 0; r < NS_COUNT; r++)
			if (self[r] && B.nbase < ((size_t)n + 1) * NS_COUNT)
				B.base[B.nbase++] = self[r];
	qsort(B.base, B.nbase, sizeof(ino_t), cmp_ino);
	B.seen = pids;
	B.nseen = (size_t)n;
	B.ready = true;
	return 0;
}

/* True when some of pid's namespaces are new and not all of those are the
 * lab's (a process nsenter'ed into the lab is the lab's business). */
static bool made_since(const ino_t *ino, const struct ns_subject *known, size_t nknown)
{
	bool any = false;
	for (int r = 0; r < NS_COUNT; r++) {
		if (!ino[r] || in_base(ino[r]))
			continue;
		bool lab = false;
		for (size_t k = 0; k < nknown && !lab; k++)
			for (int q = 0; q < NS_COUNT && !lab; q++)
				lab = known[k].ino[q] == ino[r];
		if (!lab)
			any = true;
	}
	return any;
}

static bool noted(const ino_t *ino)
{
	for (size_t i = 0; i < B.nnoted; i++)
		if (memcmp(B.noted[i], ino, sizeof(B.noted[i])) == 0)
			return true;
	return false;
}

static void remember(const ino_t *ino)
{
	if (B.nnoted == NOTED_MAX) { /* the oldest goes */
		memmove(B.noted[0], B.noted[1], (NOTED_MAX - 1) * sizeof(B.noted[0]));
		B.nnoted--;
	}
	memcpy(B.noted[B.nnoted++], ino, sizeof(B.noted[0]));
}

static bool is_known(const struct ns_subject *known, size_t nknown, pid_t pid)
{
	for (size_t k = 0; k < nknown; k++)
		if (known[k].pid == pid)
			return true;
	return false;
}

size_t nssub_new(const struct ns_subject *known, size_t nknown, struct ns_new *out, size_t max)
{
	pid_t *pids = NULL;
	ssize_t n = B.ready ? list_pids(&pids) : -1;
	if (n < 0)
		return 0;
	pid_t *young = malloc(((size_t)n + 1) * sizeof(pid_t));
	size_t ny = 0, k = 0;
	for (ssize_t i = 0; i < n && young; i++) {
		pid_t pid = pids[i];
		bool fresh = !has_pid(B.seen, B.nseen, pid);
		if (!fresh && !has_pid(B.young, B.nyoung, pid))
			continue; /* looked at twice already: a process seen settled */
		if (fresh)
			young[ny++] = pid;
		ino_t ino[NS_COUNT];
		if (nssub_read(pid, ino) < 0 || is_known(known, nknown, pid) ||
		    !made_since(ino, known, nknown) || noted(ino) || k == max)
			continue;
		remember(ino);
		out[k].pid = pid;
		nssub_cmdline(pid, out[k].cmd, sizeof(out[k].cmd));
		k++;
	}
	free(B.seen);
	free(B.young);
	B.seen = pids;
	B.nseen = (size_t)n;
	B.young = young;
	B.nyoung = young ? ny : 0;
	return k;
}

void nssub_free(void)
{
	free(B.base);
	free(B.seen);
	free(B.young);
	B = (typeof(B)){0};
}
