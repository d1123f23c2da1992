/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nsview.h: namespace inodes of processes, read afresh from /proc/PID/ns. */
#ifndef NSLAB_NSVIEW_H
#define NSLAB_NSVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "nscol.h"
#include "nstypes.h"

/* Reads one process afresh. Returns 0, or -1 if it has gone. */
int nsview_read(pid_t pid, struct ns_col *col);
/* The cheap re-check for a live view: true when nsview_read would now give
 * another col (other namespace inodes or comm), or the process has gone.
 * One pread of the process's /proc/PID/schedstat (kept open) when it has not
 * run since the last call; its ns links and comm only when it has. The pid
 * row and NSpid are not compared: a process never changes its own PID
 * namespace. Keeps an fd per probed process until nsview_columns no longer
 * lists it. */
bool nsview_stale(const struct ns_col *col);
/* A cell differs when both inodes are known and not equal. */
bool nsview_differs(const struct ns_col *host, const struct ns_col *col, enum ns_row row);
/* Columns for the pane and `ns`: nslab itself, the lab's processes, the
 * watched PIDs (in that order), each read afresh. Returns how many. */
size_t nsview_columns(struct ns_col *cols, size_t max);
/* The pane's columns: nsview_columns, then a column per set of namespaces
 * the lab's unpinned subjects sit in (nssubjects.h), hidden ones left out.
 * Reads the lab cgroup: for the pane's refreshes, not its probes. */
size_t nsview_pane_columns(struct ns_col *cols, size_t max);
/* The lab's subjects as nsview_pane_columns last read them. */
struct ns_subject;
size_t nsview_subjects(const struct ns_subject **s);

/* Changes whenever the lab or watched lists below change: with nsview_stale
 * on each column, all a live view needs to know that nsview_columns would
 * now give something else. */
unsigned nsview_generation(void);

/* Watched processes (by `watch PID|NAME`); dead ones drop out by themselves.
 * Watching a hidden subject shows it again. Unwatching a PID the pane shows
 * as a subject column hides it (0); ENOENT for one neither. */
int nsview_watch(pid_t pid);
int nsview_unwatch(pid_t pid);
size_t nsview_watched(pid_t *pids, size_t max);

/* Lab processes shown in the pane (set by the lab session). */
void nsview_lab_add(pid_t pid, const char *label);
void nsview_lab_remove(pid_t pid);
void nsview_lab_clear(void);

/* --- every namespace on the system, like lsns(8) --- */
struct ns_entry {
	ino_t ino;
	enum ns_row type; /* never the *_for_children rows */
	unsigned nprocs;
	pid_t pid; /* lowest PID in it */
	uid_t uid; /* owner of that process */
	char comm[17];
};
/* Scans /proc once (fstatat on each /proc/PID/ns entry, as lsns and bubblewrap
 * do). *out is malloc'ed, sorted by type then inode. Returns the count or -1. */
ssize_t nsview_scan_all(struct ns_entry **out);
#endif
