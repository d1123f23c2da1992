/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nstypes.h: the one table of namespace types: the name of the link in
 * /proc/PID/ns (also the row title of `ns` and the pane), the CLONE_ flag
 * unshare(2) and setns(2) take, and what the type isolates. The views, the
 * executor and the `ns` table all read it; a row is an enum ns_row. */
#ifndef NSLAB_NSTYPES_H
#define NSLAB_NSTYPES_H

#include <sched.h>
#include <stdbool.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080 /* Linux 5.6; older C libraries lack the name */
#endif

/* X(ROW, name, CLONE_ flag, for_children, description), in the order of
 * the rows (the order ls -1 /proc/self/ns gives). The *_for_children links
 * name the namespace a process's next children are born in: the same CLONE_
 * flag, and not a namespace of their own. */
#define NS_TYPES(X)                                                                                          \
	X(NS_CGROUP, "cgroup", CLONE_NEWCGROUP, false, "the root of the cgroup tree it sees")                \
	X(NS_IPC, "ipc", CLONE_NEWIPC, false, "System V IPC objects and POSIX message queues")               \
	X(NS_MNT, "mnt", CLONE_NEWNS, false, "the mount table")                                              \
	X(NS_NET, "net", CLONE_NEWNET, false, "network devices, addresses, routes, ports")                   \
	X(NS_PID, "pid", CLONE_NEWPID, false, "process IDs")                                                 \
	X(NS_PID_FOR_CHILDREN, "pid_for_children", CLONE_NEWPID, true, "process IDs of its next children")   \
	X(NS_TIME, "time", CLONE_NEWTIME, false, "the offsets of the monotonic and boot-time clocks")        \
	X(NS_TIME_FOR_CHILDREN, "time_for_children", CLONE_NEWTIME, true,                                    \
	  "clock offsets of its next children")                                                              \
	X(NS_USER, "user", CLONE_NEWUSER, false, "user and group IDs, and the capabilities they give")       \
	X(NS_UTS, "uts", CLONE_NEWUTS, false, "the hostname and NIS domain name")

#define NS_ROW_ENUM(row, name, flag, children, desc) row,
enum ns_row { NS_TYPES(NS_ROW_ENUM) NS_COUNT };
#undef NS_ROW_ENUM

struct ns_type {
	const char *name;        /* "uts": /proc/PID/ns/uts */
	int clone_flag;          /* CLONE_NEWUTS */
	bool for_children;       /* pid_for_children, time_for_children */
	const char *description; /* what a namespace of this type isolates */
};
extern const struct ns_type ns_types[NS_COUNT];

/* The link names alone, by row (the views index it as before). */
extern const char *const ns_row_name[NS_COUNT];

/* The row of a /proc/PID/ns link name ("uts"), or NS_COUNT if none. */
enum ns_row ns_row_of(const char *name);

#endif
