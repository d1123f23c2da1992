/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nssubjects.h: what the learner makes, found without `watch`: the lab's
 * subjects (every process in the lab cgroup) grouped into pane columns, one
 * per distinct set of namespaces the host does not share, and processes
 * anywhere on the machine in namespaces made after nslab started. */
#ifndef NSLAB_NSSUBJECTS_H
#define NSLAB_NSSUBJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "nscol.h"
#include "nstypes.h"

#define NSSUB_MAX 256 /* lab cgroup members looked at */

struct ns_subject {
	pid_t pid;
	ino_t ino[NS_COUNT]; /* 0 = unreadable */
};

/* --- the grouping (no system calls: unit-tested) --- */

/* True when some type is known in both and differs. */
bool nssub_differs(const ino_t *host, const ino_t *ino);
/* True when every type known in both is the same namespace. */
bool nssub_same_set(const ino_t *a, const ino_t *b);
/* The subjects that get a column: in the order given, the first process of
 * each distinct set of namespaces that differs from host (shown[0]) and
 * from every column already shown (the lab process, watched ones), skipping
 * hidden PIDs. Writes their indices into pick; returns how many (<= max). */
size_t nssub_group(const struct ns_col *shown, size_t nshown, const struct ns_subject *s, size_t n,
		   const pid_t *hidden, size_t nhidden, size_t *pick, size_t max);

/* --- reading the kernel --- */

/* Reads pid's namespace inodes. 0, or -1 when it has gone. */
int nssub_read(pid_t pid, ino_t ino[NS_COUNT]);
/* The members of the lab cgroup and the cgroups below it (labcg.h), sorted
 * by PID (the first of a set is the oldest, bar PID wrap-around), with their
 * inodes. Returns how many (0 without a lab cgroup). */
size_t nssub_lab(struct ns_subject *s, size_t max);
/* The cheap look between full reads: true when the lab cgroup's members
 * changed since the last call, or the last call found new ones (a fork is
 * seen before its unshare: one more look). One read of cgroup.procs. */
bool nssub_lab_moved(void);
/* /proc/PID/cmdline with spaces between the arguments ("" when gone). */
void nssub_cmdline(pid_t pid, char *buf, size_t len);

/* --- namespaces made after nslab started, anywhere on the machine --- */

struct ns_new {
	pid_t pid;
	char cmd[64];
};
/* Remembers every namespace that exists now (one scan of /proc, at start).
 * 0, or -1 when /proc cannot be read. */
int nssub_baseline(void);
/* Looks at the processes that appeared since the last call (and once more
 * at those that were new then: a fork is seen before its unshare), and
 * writes up to max of them that sit in a namespace made after the baseline
 * and not shared with any of known (the lab's subjects and the shown
 * columns): the first process of each such set, each said only once.
 * Returns how many. */
size_t nssub_new(const struct ns_subject *known, size_t nknown, struct ns_new *out, size_t max);
void nssub_free(void);

#endif
