/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cleanup.h: a registry of every kernel object nslab made, undone in reverse
 * order on any exit path, and mirrored to the run directory so that
 * `nslab --cleanup` can undo what a SIGKILLed run left behind.
 *
 * The registry itself knows processes, mounts, dirs, files, netns files and
 * links; a module that owns another kind (cgroup.c: NSLAB_OBJ_CGROUP) hands
 * the registry its check and undo with cleanup_register_kind() at start-up. */
#ifndef NSLAB_CLEANUP_H
#define NSLAB_CLEANUP_H

#include <stdbool.h>
#include <stddef.h>
#include "nslab-lab.h"

/* Run directories: /run/nslab/<pid> for root; unprivileged,
 * $XDG_RUNTIME_DIR/nslab/<pid> or /tmp/nslab-$UID/<pid>. Each base is a
 * 0700 directory of its user, never a symlink. Older builds used
 * /tmp/nslab-<pid>: still replayed when the caller's, 0700, not a symlink. */
#define NSLAB_RUN_BASE "/run/nslab"
#define NSLAB_TMP_BASE "/tmp/nslab-" /* + uid (old layout: + pid) */
/* Longest registry line, "KIND\tWHAT\n": longer entries are refused. */
#define NSLAB_REGISTRY_LINE 4096
/* Names of network links nslab would make in the host's namespace. */
#define NSLAB_LINK_PREFIX "nsl"

/* Host objects a learner's own command made (host-guard.c), kinds of the
 * registry beyond the plugin ABI's. Each entry carries what proves it is the
 * object that was seen made, fields joined by ':', strings encoded by
 * cleanup_field_encode():
 *   ipc        "shm|msg|sem:ID:KEY:PROOF:IPCNS"  (PROOF: shm's creator PID,
 *              msg's and sem's change time)
 *   utsname    "hostname|domainname:OLD:NEW:UTSNS" (put back only while NEW)
 *   hostmount  "MNTID:MNTNS:TARGET:FSTYPE:SOURCE"
 *   hostlink   "NAME:IFINDEX:NETNS"
 *   hostcgroup "INODE:PATH" (a cgroup outside nslab's tree)
 *   hostaddr   "IFINDEX:LINK:ADDRESS:PREFIX:NETNS" (on a link nslab did not see made)
 * NS: the namespace's inode: an entry is undone only from that namespace. */
#define CLEANUP_OBJ_IPC ((enum nslab_obj)(NSLAB_OBJ_FILE + 1))
#define CLEANUP_OBJ_UTSNAME ((enum nslab_obj)(NSLAB_OBJ_FILE + 2))
#define CLEANUP_OBJ_HOSTMOUNT ((enum nslab_obj)(NSLAB_OBJ_FILE + 3))
#define CLEANUP_OBJ_HOSTLINK ((enum nslab_obj)(NSLAB_OBJ_FILE + 4))
#define CLEANUP_OBJ_HOSTCGROUP ((enum nslab_obj)(NSLAB_OBJ_FILE + 5))
#define CLEANUP_OBJ_HOSTADDR ((enum nslab_obj)(NSLAB_OBJ_FILE + 6))
#define CLEANUP_OBJ_LAST CLEANUP_OBJ_HOSTADDR

/* One field of such an entry: bytes other than letters, digits and
 * "._/,+=@-" as %XX, so that no ':', tab or newline is left in it. The
 * result is cut to fit len (always terminated). */
void cleanup_field_encode(const char *s, char *out, size_t len);
/* The reverse: 0, or -1 for a bad %XX or an out that is too small. */
int cleanup_field_decode(const char *s, char *out, size_t len);
/* The inode of nslab's own namespace of this type ("ipc", "uts", "mnt",
 * "net"): 0 when unreadable. */
unsigned long long cleanup_ns_ino(const char *type);

/* The run an entry belongs to: ours (live: its own in-memory stack) or a
 * dead one being replayed from disk. */
struct cleanup_run {
	const char *dir; /* its run dir (NULL: ours could not be made) */
	int pid;
	bool live;
	const char *registry; /* its registry file */
};

/* How one kind of object is checked and undone.
 * check: 0 it may be undone, 1 it is gone already, -1 refused (why says why,
 *        in words for the learner: "not in this run's cgroup ...").
 * undo:  only after check said 0: 0 undone, 1 nothing to undo, 2 signalled
 *        but still exiting, -1 failed (errno).
 * sweep: optional, for --cleanup: removes what dead runs left of this kind
 *        outside any registry, saying each through say(); returns how many. */
struct cleanup_kind {
	int (*check)(const struct cleanup_run *r, const char *what, char *why, size_t whylen);
	int (*undo)(const struct cleanup_run *r, const char *what);
	int (*sweep)(void (*say)(const char *what));
};
/* Hands the registry a kind it does not own itself. 0, or -1 EINVAL. */
int cleanup_register_kind(enum nslab_obj kind, const struct cleanup_kind *ops);
/* path must name something strictly beneath root, reached without a
 * symlink: 0 yes, 1 it does not exist, -1 refused (why says why). For the
 * checks of every kind that names a path. */
int cleanup_check_beneath(const char *root, const char *path, char *why, size_t whylen);

/* Keeps runs in dir (a 0700 directory of the caller's, made if missing)
 * instead of /run/nslab or the per-user bases, and looks for dead runs only
 * there and in the old /tmp layout: for tests, which then need no root and
 * never meet a real run. Call before cleanup_init(). 0, or -1 ENAMETOOLONG. */
int cleanup_set_base(const char *dir);

/* Where the registry's failures go: each is one line without "nslab: " or
 * a newline ("refused: file /x: not beneath /run/nslab/12", "could not
 * remove mount /y: Device or resource busy", "cannot record ...", "removed
 * ... (left by a dead run with this PID)"). The registry never prints
 * itself; main.c sends them to stderr. Without a reporter they are dropped. */
void cleanup_set_report(void (*report)(const char *line));

/* Creates this run's registry file, owner line first (replaying what a
 * dead run left at our PID first). 0 ok; -1 with errno, and
 * cleanup_init_error() says what in one line (naming the path). */
int cleanup_init(void);
const char *cleanup_init_error(void);
/* This run's directory for work files (NULL before cleanup_init worked):
 * only a path until cleanup_make_run_dir() makes it, on first need. */
const char *cleanup_run_dir(void);
/* Makes the run dir (mode 0711) if this run has not yet: 0, or -1 with
 * errno. The parent's job: an agent (a fork) uses what it has. */
int cleanup_make_run_dir(void);
/* Registers an object to undo. -1 with errno for an entry that could not be
 * kept (EINVAL: a tab or newline in it, ENAMETOOLONG: over a registry line).
 * A failure to mirror it to disk is not an error of the call: it is said
 * once through the reporter and cleanup_record_failed() turns true. */
int cleanup_keep(enum nslab_obj kind, const char *what);
bool cleanup_record_failed(void);
int cleanup_undo(enum nslab_obj kind, const char *what); /* undo one now */
/* Forgets one entry without undoing it (the learner keeps that object):
 * 0, or -1 ENOENT when it is not registered. */
int cleanup_forget(enum nslab_obj kind, const char *what);
/* How many undo failures and refusals were reported so far (a caller
 * compares before and after, to never say "everything was removed" then). */
unsigned cleanup_failures(void);
size_t cleanup_mark(void);           /* current depth */
void cleanup_unwind_to(size_t mark); /* undo everything above mark */
void cleanup_all(void);              /* everything, then the run dir */
/* Undo one object of this run (no registry involved), after the same checks
 * as a replayed entry. 0 undone, 1 it was gone already, -1 failed or refused
 * (one reported line says which). */
int cleanup_undo_object(enum nslab_obj kind, const char *what);
/* --cleanup: replay the registries of dead runs. Says what it removed
 * through say(). Returns the number of objects removed, -1 on error. */
int cleanup_dead_runs(void (*say)(const char *what));
/* Does a dead run's leftovers exist? (for the offer at start) Looks where
 * runs live now, not in the old /tmp/nslab-<pid> layout: only --cleanup
 * (cleanup_dead_runs) replays that. */
bool cleanup_dead_runs_exist(void);
/* Is run pid alive? Decided by its owner file ("PID START": that process,
 * running, not a zombie), never by a process name; see cleanup.c. */
bool cleanup_run_alive(int pid);

#endif
