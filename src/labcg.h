/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labcg.h: the lab cgroup. Every process a lab starts (its agents, what
 * `run`, `shell` and `host` start while it is active, and whatever those
 * detach with setsid or a double fork) is put in one cgroup per run, so that
 * stop, reset, quit, a signal and `--cleanup` can kill them all: cgroup
 * membership is inherited by every child and cannot be left without root.
 *
 * It lives in a tracking hierarchy, <mount>/nslab/<nslab pid>/lab: a cgroup2
 * mount where there is one (pure v2, or hybrid's /sys/fs/cgroup/unified,
 * where membership needs no controller), else the v1 freezer hierarchy, else
 * the v1 pids one. Mechanism only: errors are returned, never printed. */
#ifndef NSLAB_LABCG_H
#define NSLAB_LABCG_H

#include <stddef.h>
#include <sys/types.h>

/* Makes the lab cgroup (registered for cleanup). 0 ok or already made,
 * -1 with errno (ENODEV: no usable hierarchy; EACCES/EPERM: not root). */
int labcg_create(void);
/* The lab cgroup's directory, NULL when there is none. */
const char *labcg_dir(void);
/* Moves pid into the lab cgroup. 0 ok, -1 errno. */
int labcg_attach(pid_t pid);
/* In a forked child: moves the caller in (no allocation, no output). */
int labcg_enter(void);
/* A fork-like clone(flags | SIGCHLD) whose child is born in the lab cgroup
 * (clone3 with CLONE_INTO_CGROUP, Linux 5.7+, cgroup2 only). Returns as
 * fork does; -1 with errno ENOSYS when that cannot be done here (no cgroup2
 * lab cgroup, an older kernel): then clone and labcg_attach. */
pid_t labcg_clone(unsigned long flags);
/* fork(), the child in the lab cgroup when there is one: born there where
 * labcg_clone can, else moved there by labcg_enter. */
pid_t labcg_fork(void);
/* Kills every process of this run's tree in the tracking hierarchy and waits
 * until it is empty. 0 ok (or nothing to kill), -1 errno. */
int labcg_kill(void);
/* After the registry removed the directories. */
void labcg_forget(void);

#endif
