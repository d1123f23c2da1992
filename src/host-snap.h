/* SPDX-License-Identifier: GPL-2.0-or-later */
/* host-snap.h: a snapshot of the host state a learner's command could change
 * (hostname and domain name, nslab's mount table, links and addresses of its
 * network namespace, SysV IPC objects, cgroup directories, processes nslab's
 * commands left outside its cgroup tree), and the difference of two. For the
 * host guard (host-guard.c), which takes one before and one after each
 * `host`, `run` and `shell`. Mechanism only: nothing prints.
 *
 * It reads only what it compares, each once: uname(2), /proc/self/mountinfo
 * (libmount), one netlink dump (getifaddrs), /proc/sysvipc/{shm,msg,sem},
 * the directories of each cgroup mount (not systemd's units: *.slice,
 * *.scope, *.service...), and /proc/<pid>/task/<pid>/children
 * down from nslab. */
#ifndef NSLAB_HOST_SNAP_H
#define NSLAB_HOST_SNAP_H

#include <stddef.h>
#include <sys/types.h>

enum snap_type {
	SNAP_UTS,    /* key "hostname" | "domainname";  value NAME */
	SNAP_MOUNT,  /* key mount ID;  value "TARGET FSTYPE SOURCE PROPAGATION" */
	SNAP_LINK,   /* key ifindex;  value NAME */
	SNAP_ADDR,   /* key "IFINDEX ADDRESS/PREFIX";  value LINKNAME */
	SNAP_IPC,    /* key "shm|msg|sem ID";  value "KEY PROOF SIZE" */
	SNAP_CGROUP, /* key PATH;  value "INODE INTREE" (INTREE 1: under nslab/<pid>) */
	SNAP_PROC,   /* key "PID:START";  value CMDLINE (outside nslab's cgroup tree) */
	SNAP_NTYPES,
};

/* Every string in a key or value is encoded (cleanup_field_encode): no
 * spaces inside a field, so values split at ' '. */
struct snap_item {
	enum snap_type type;
	char *key;
	char *value;
};

struct snap {
	struct snap_item *items;
	size_t n, cap;
};

/* Takes the snapshot (sorted). self: the nslab process whose descendants and
 * whose cgroup tree nslab/<self> are looked at. 0; -1 with errno only when
 * memory ran out (a part that cannot be read is left out). */
int snap_take(struct snap *s, pid_t self);
/* A process the snapshots leave out (its descendants stay in): the shell
 * that the live screen keeps on its pty, which is nslab's own, not a leftover
 * of the learner's. 0: none. */
void snap_skip(pid_t pid);
/* Adds one item (for the readers, and for tests). 0 or -1 ENOMEM. */
int snap_add(struct snap *s, enum snap_type t, const char *key, const char *value);
void snap_sort(struct snap *s);
void snap_free(struct snap *s);

enum snap_op { SNAP_ADDED, SNAP_REMOVED, SNAP_CHANGED };
struct snap_change {
	enum snap_op op;
	const struct snap_item *before, *after; /* NULL where the op has none */
};
/* The changes from a to b (both sorted), in type and key order, into out
 * (at most max; more are counted). Returns how many there are. */
size_t snap_diff(const struct snap *a, const struct snap *b, struct snap_change *out, size_t max);

/* Field i (0-based) of a value, decoded, into buf: buf, or "" when absent. */
const char *snap_field(const char *value, int i, char *buf, size_t len);

#endif
