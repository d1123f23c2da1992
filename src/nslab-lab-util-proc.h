/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the nslab authors.
 *
 * The plugin headers (nslab-lab.h, nslab-lab-util.h and the
 * nslab-lab-util-*.h it includes, and only they) are under the MIT licence,
 * not nslab's GPL-2.0-or-later, so that a lab plugin may be written under
 * any licence.
 *
 * Permission is hereby granted, free of charge, to any person obtaining a
 * copy of this software and associated documentation files (the "Software"),
 * to deal in the Software without restriction, including without limitation
 * the rights to use, copy, modify, merge, publish, distribute, sublicense,
 * and/or sell copies of the Software, and to permit persons to whom the
 * Software is furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in
 * all copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 * AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
 * FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
 * DEALINGS IN THE SOFTWARE.
 */
/* nslab-lab-util-proc.h: processes: the /proc/PID files labs read (the
 * command line, stat, the cgroup a process is in) and, in nslab, the lab's
 * subjects (h->subjects: its main process and a learner's own). Part of
 * nslab-lab-util.h. */
#ifndef NSLAB_LAB_UTIL_PROC_H
#define NSLAB_LAB_UTIL_PROC_H

#include "nslab-lab-util-base.h"
#include "nslab-lab-util-text.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

/* "/proc/PID/WHAT" into buf, "/proc/self/WHAT" for pid 0; returns buf. */
static inline char *nslab_proc_path(char *buf, size_t len, pid_t pid, const char *what)
{
	if (pid > 0)
		snprintf(buf, len, "/proc/%d/%s", (int)pid, what);
	else
		snprintf(buf, len, "/proc/self/%s", what);
	return buf;
}

/* pid's command line with its arguments joined by spaces ("unshare --uts
 * sh"), cut to fit buf; "" when it cannot be read (gone, or a kernel
 * thread). Returns buf: what names a learner's process in a check's line. */
static inline char *nslab_cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];
	buf[0] = '\0';
	FILE *f = len > 1 ? fopen(nslab_proc_path(path, sizeof(path), pid, "cmdline"), "re") : NULL;
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;
	if (f)
		fclose(f);
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	if (len > 0)
		buf[n] = '\0';
	return buf;
}

/* Are a and b the same file (device and inode)? False if either is missing. */
static inline bool nslab_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The fields of /proc/PID/stat that labs read. */
struct nslab_proc_stat {
	char state;                      /* R, S, D, T, Z (zombie), X (dead)... */
	pid_t ppid;                      /* as the reader's PID namespace numbers it */
	unsigned long long utime, stime; /* CPU time, in clock ticks (sysconf(_SC_CLK_TCK)) */
	unsigned long long starttime;    /* clock ticks after boot */
};

/* Reads /proc/PID/stat (pid 0: the caller's). The command name in it may
 * hold spaces and parentheses, so the fields are read after its last ')'.
 * 0 ok, -1 with errno (ENOENT: no such process). */
static inline int nslab_proc_stat(pid_t pid, struct nslab_proc_stat *st)
{
	char path[64], buf[2048];
	FILE *f = fopen(nslab_proc_path(path, sizeof(path), pid, "stat"), "re");
	if (!f)
		return -1;
	bool ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	const char *p = ok ? strrchr(buf, ')') : NULL;
	int ppid = 0;
	/* after ") ": state (3), ppid (4), ... utime (14), stime (15), ... starttime (22) */
	if (!p ||
	    sscanf(p + 1, " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d %llu",
		   &st->state, &ppid, &st->utime, &st->stime, &st->starttime) != 5) {
		errno = EINVAL;
		return -1;
	}
	st->ppid = (pid_t)ppid;
	return 0;
}

/* In text as /proc/PID/cgroup writes it: the path of the v1 line whose
 * controllers include ctl, else the v2 "0::" line's. Labs that read a
 * process's cgroup from inside its cgroup namespace (nsenter ... cat) parse
 * that output with it. 0 ok, -1 with errno ENOENT (no such line). */
static inline int nslab_cgroup_text_of(const char *text, const char *ctl, char *path, size_t len)
{
	char line[1024], v2[1024] = "";
	bool found = false;
	for (const char *p = text; p && *p && !found; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		if (c1[1] == '\0')
			snprintf(v2, sizeof(v2), "%s", c2 + 1);
		else if (nslab_opt_has(c1 + 1, ctl))
			found = snprintf(path, len, "%s", c2 + 1) >= 0;
	}
	if (!found && v2[0])
		found = snprintf(path, len, "%s", v2) >= 0;
	if (!found)
		errno = ENOENT;
	return found ? 0 : -1;
}

/* The cgroup pid is in, in the hierarchy that holds the controller ctl,
 * as /proc/PID/cgroup writes it for the reader (pid 0: /proc/self/cgroup,
 * which in a lab agent is the lab's own view; see nslab_cgroup_text_of).
 * "/nslab/123/lab" on the host, "/" inside a cgroup namespace rooted there.
 * 0 ok, -1 with errno (ENOENT: no such line). */
static inline int nslab_proc_cgroup_of(pid_t pid, const char *ctl, char *path, size_t len)
{
	char file[64], text[4096];
	FILE *f = fopen(nslab_proc_path(file, sizeof(file), pid, "cgroup"), "re");
	if (!f)
		return -1;
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return nslab_cgroup_text_of(text, ctl, path, len);
}

/* The same for the cpu controller: where nslab's own cgroups live. */
static inline int nslab_proc_cgroup(pid_t pid, char *path, size_t len)
{
	return nslab_proc_cgroup_of(pid, "cpu", path, len);
}

/* In nslab: the lab's subjects other than its main process (a learner's
 * own processes: in the lab cgroup, or watched), at most max; how many. An
 * older host without subjects has none. */
static inline unsigned nslab_other_subjects(struct nslab_host *h, pid_t *out, unsigned max)
{
	pid_t pids[64], main = h->main_pid(h);
	long got = NSLAB_HOST_CAN(h, subjects) ? h->subjects(h, pids, 64) : 0;
	unsigned n = 0;
	for (long i = 0; i < got && i < 64 && n < max; i++)
		if (pids[i] != main)
			out[n++] = pids[i];
	return n;
}

/* In nslab: for each of the lab's subjects (at most 64), read(pid, slot)
 * into the next of the max slots of slot_size bytes; those it reads (0)
 * are kept, with their PIDs in pids. How many were kept. For checks that
 * look at every subject's /proc/PID/status. */
static inline size_t nslab_subjects_read(struct nslab_host *h, pid_t *pids, void *slots, size_t slot_size,
					 size_t max, int (*read)(pid_t pid, void *slot))
{
	pid_t all[64];
	long n = h->subjects(h, all, 64);
	size_t k = 0;
	for (long i = 0; i < n && i < 64 && k < max; i++)
		if (read(all[i], (char *)slots + k * slot_size) == 0)
			pids[k++] = all[i];
	return k;
}

#endif
