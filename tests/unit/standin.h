/* SPDX-License-Identifier: GPL-2.0-or-later */
/* standin.h: real processes that stand in for a lab process in the labs'
 * unit tests (header-only, as the Makefile builds one file per driver).
 * The fake host (fakehost.h) answers everything a lab asks the host, but
 * some labs read /proc/PID/... of their lab process themselves (its root,
 * cwd, status, id maps, timens_offsets, net/snmp, its children): there
 * the test needs a process that really is in that state. Each is a child
 * of the test, made without privilege (a user namespace of its own first,
 * where it needs another namespace or chroot), and killed with fake_reap.
 * Its own job apart from fakelab.h: it knows neither the fake host nor a
 * lab, only processes. */
#ifndef NSLAB_STANDIN_H
#define NSLAB_STANDIN_H

#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

/* A child of the test that runs become(arg) and then waits to be killed.
 * Returns its pid once become has returned true in it, or 0 if it returned
 * false (the child is then reaped): where unprivileged user namespaces are
 * not allowed, every caller below gets 0 and its test skips. One pipe
 * carries become's result, so the test never looks at a child that is not
 * ready yet. */
static inline pid_t fake_standin(bool (*become)(void *arg), void *arg)
{
	int p[2];
	if (pipe(p) < 0)
		return 0;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		char ok = become(arg);
		if (write(p[1], &ok, 1) != 1 || !ok)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	char ok = 0;
	if (pid < 0 || read(p[0], &ok, 1) != 1)
		ok = 0;
	close(p[0]);
	if (pid > 0 && !ok)
		waitpid(pid, NULL, 0);
	return ok ? pid : 0;
}

/* fake_unshared's become: the namespaces are new in one unshare, the user
 * namespace with them, which is what lets an unprivileged test make them. */
static inline bool fake_become_unshared(void *flags)
{
	return unshare(CLONE_NEWUSER | *(int *)flags) == 0;
}

/* A stand-in in a user namespace of its own and the namespaces of flags
 * (CLONE_NEW*, 0 for none besides the user namespace); 0 if it cannot be
 * made here. */
static inline pid_t fake_unshared(int flags)
{
	return fake_standin(fake_become_unshared, &flags);
}

struct fake_jail_at {
	const char *root, *cwd;
};

static inline bool fake_become_jailed(void *at)
{
	const struct fake_jail_at *j = at;
	return unshare(CLONE_NEWUSER) == 0 && chroot(j->root) == 0 && chdir(j->cwd) == 0;
}

/* A stand-in chrooted into root with its working directory at cwd (inside
 * root), as a chroot lab leaves its lab process: chroot needs no privilege
 * in a user namespace of its own. 0 if it cannot be made here. */
static inline pid_t fake_jail(const char *root, const char *cwd)
{
	struct fake_jail_at at = {root, cwd};
	return fake_standin(fake_become_jailed, &at);
}

/* A child that only waits: a process below the test process, for labs
 * that look at the children of their lab process. Never 0 on success. */
static inline pid_t fake_child(void)
{
	pid_t pid = fork();
	if (pid == 0)
		for (;;)
			pause();
	return pid > 0 ? pid : 0;
}

/* Kills and reaps a stand-in (if there is one), and forgets it: safe to
 * call twice, so a test and its teardown can both call it. */
static inline void fake_reap(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
	}
	*pid = 0;
}

/* Writes text to /proc/<pid>/<file> (an id map, setgroups, timens_offsets),
 * as a learner would with `host echo ... >`. 0 ok, -1 as unit_write. */
static inline int fake_proc_write(pid_t pid, const char *file, const char *text)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return unit_write(path, text);
}

#endif
