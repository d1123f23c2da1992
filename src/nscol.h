/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nscol.h: one column of the namespace pane, a process and its namespace
 * inodes: what nsview.c reads and nssubjects.c groups the lab's subjects
 * against. A header of its own so that those two need not include each
 * other. */
#ifndef NSLAB_NSCOL_H
#define NSLAB_NSCOL_H

#include <stdbool.h>
#include <sys/types.h>
#include "nstypes.h"

/* NS_COL_SUBJECT: a process of the lab's (in the lab cgroup) that nothing
 * pinned, the first in its set of namespaces (nssubjects.h). */
enum ns_col_kind { NS_COL_HOST, NS_COL_LAB, NS_COL_WATCH, NS_COL_ARG, NS_COL_SUBJECT };

struct ns_col {
	pid_t pid;
	enum ns_col_kind kind;
	char label[24];  /* "nslab", "lab", "peer", "watch" */
	char comm[17];   /* from /proc/PID/comm */
	char cmd[48];    /* NS_COL_SUBJECT: its command line, the column's title */
	pid_t inner_pid; /* last NSpid field: the PID inside its own PID namespace */
	bool alive;
	ino_t ino[NS_COUNT]; /* 0 = unreadable / not supported by this kernel */
};

#endif
