/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cleanup-int.h: what the registry's files share, and nothing outside them
 * includes: cleanup.c (the registry in memory and its mirror),
 * cleanup-check.c (may an entry be undone), cleanup-undo.c (undoing the
 * kinds the registry owns), cleanup-runs.c (where runs live, this run's
 * registry file and run dir) and cleanup-dead.c (other runs: liveness,
 * replay). */
#ifndef NSLAB_CLEANUP_INT_H
#define NSLAB_CLEANUP_INT_H

#include "cleanup.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* --- cleanup.c --- */

/* "process", "mount", ...: the words of the mirror; "?" for no kind. */
const char *cleanup_kind_name(enum nslab_obj k);
int cleanup_kind_parse(const char *s); /* -1: no such word */
/* A journal line "undone\tKIND\tWHAT": the latest "KIND\tWHAT" before it
 * was undone out of order while nslab ran (a replay skips both). */
#define CLEANUP_UNDONE "undone"
/* Checks, then undoes. 0 undone, 1 nothing to undo, 2 signalled but still
 * exiting, -1 failed (errno), -2 refused (why). */
int cleanup_undo_checked(const struct cleanup_run *r, enum nslab_obj kind, const char *what, char *why,
			 size_t whylen);
/* Hands one line to the reporter (cleanup_set_report), if there is one. */
void cleanup_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One line for an undo that did not end in 0 or 1. */
void cleanup_say_failure(enum nslab_obj kind, const char *what, int rc, const char *why);
/* A registry or owner file could not be written: said once per run. */
void cleanup_say_record_failed(const char *kind, const char *what, int err);
/* Every registered kind's sweep (for --cleanup); how many it removed. */
int cleanup_sweep_kinds(void (*say)(const char *what));

/* --- cleanup-check.c --- */

/* "PID:START", or "-PGID:START[:SID]": 0, or -1 with why. */
int cleanup_parse_process(const char *what, int *pid, unsigned long long *start, int *sid, char *why,
			  size_t whylen);
int cleanup_check_process(const struct cleanup_run *r, const char *what, char *why, size_t whylen);
int cleanup_check_in_run_dir(const struct cleanup_run *r, const char *what, char *why, size_t whylen);
int cleanup_check_netns(const struct cleanup_run *r, const char *what, char *why, size_t whylen);
int cleanup_check_link(const struct cleanup_run *r, const char *what, char *why, size_t whylen);
/* The host objects a learner's command made (cleanup.h's CLEANUP_OBJ_*). */
int cleanup_check_ipc(const struct cleanup_run *r, const char *what, char *why, size_t whylen);
int cleanup_check_utsname(const struct cleanup_run *r, const char *what, char *why, size_t whylen);
int cleanup_check_hostmount(const struct cleanup_run *r, const char *what, char *why, size_t whylen);
int cleanup_check_hostlink(const struct cleanup_run *r, const char *what, char *why, size_t whylen);
int cleanup_check_hostcgroup(const struct cleanup_run *r, const char *what, char *why, size_t whylen);
int cleanup_check_hostaddr(const struct cleanup_run *r, const char *what, char *why, size_t whylen);
/* "IFINDEX:LINK:ADDRESS:PREFIX:NETNS", checked for its namespace. 0, or -1 with why. */
int cleanup_parse_hostaddr(const char *what, int *ifindex, char *name, size_t namelen, int *family,
			   unsigned char addr[16], int *plen, char *why, size_t whylen);
/* Splits a host object's entry at ':' into exactly n fields, each decoded
 * into its own slot of buf (n slots of slot bytes). 0, or -1 with why. */
int cleanup_split_fields(const char *what, int n, char *buf, size_t slot, char *why, size_t whylen);

/* --- cleanup-undo.c --- */

/* The kinds the registry owns. */
extern const struct cleanup_kind cleanup_kind_process, cleanup_kind_mount, cleanup_kind_dir,
    cleanup_kind_link, cleanup_kind_netns, cleanup_kind_file;
extern const struct cleanup_kind cleanup_kind_ipc, cleanup_kind_utsname, cleanup_kind_hostmount,
    cleanup_kind_hostlink, cleanup_kind_hostcgroup, cleanup_kind_hostaddr;
/* /proc/PID/stat: start time (0: no such process); running (not a zombie,
 * not exiting) with this start time if nonzero. */
unsigned long long cleanup_proc_start(pid_t pid);
bool cleanup_proc_running(pid_t pid, unsigned long long start);
/* Removes a tree whose path was checked (or is a run dir): symlinks inside
 * are removed, never followed; a mount inside is not descended into. */
int cleanup_remove_tree(const char *path);

/* --- cleanup-runs.c --- */

/* A run's registry file is its run dir's path with this appended. */
#define CLEANUP_REGISTRY_SUFFIX ".registry"
/* This run's registry file ("" before cleanup_init). */
const char *cleanup_registry_path(void);
/* Its first line, "owner PID START\n", kept when the journal is emptied. */
const char *cleanup_registry_head(void);
/* After the last entry is undone: removes the run dir, and the base if empty. */
void cleanup_remove_run_dir(void);
/* What cleanup-dead.c needs of where runs live: a directory of uid that no
 * other user can write (fix: make ours 0700; /run/nslab stays 0755); a run
 * dir, or a run's registry file, of the caller's that only it can write;
 * <dir>.registry into buf; the i-th base this user's runs may live in; and
 * whether cleanup_set_base() named the only one. */
int cleanup_check_dir(const char *path, uid_t uid, bool fix, char *why, size_t whylen);
bool cleanup_trusted_run_dir(const char *dir, char *why, size_t whylen);
bool cleanup_trusted_registry(const char *path, char *why, size_t whylen);
bool cleanup_registry_of(const char *dir, char *buf, size_t len);
bool cleanup_base_candidate(int i, char *buf, size_t len);
bool cleanup_base_is_set(void);

/* --- cleanup-dead.c --- */

/* Ends a dead run found at dir (its PID pid): replays its registry (reg:
 * the registry file of this build's layout, NULL for an earlier build's
 * run dir with the registry inside), then removes its run dir and
 * registry, saying each through say. -1 if something of it stays. */
int cleanup_end_dead_run(const char *dir, int pid, const char *reg, void (*say)(const char *what));

#endif
