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
/* nslab-lab-util-call.h: what runs inside a lab process: ready-made
 * nslab_call_fn for h->call and h->call_main (chdir, chroot, pivot_root,
 * private mounts, unshare, the process's own cgroup), a fork() tied to its
 * parent, and a sleep. None calls the host. Part of nslab-lab-util.h. */
#ifndef NSLAB_LAB_UTIL_CALL_H
#define NSLAB_LAB_UTIL_CALL_H

#include "nslab-lab-util-base.h"
#include "nslab-lab-util-proc.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Sleeps ms milliseconds, signals or not. */
static inline void nslab_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* fork() for an nslab_call_fn whose child must not outlive the lab
 * process: the child gets SIGKILL when its parent dies, and exits at once
 * if the parent died before that was set up. Returns what fork() returns. */
static inline pid_t nslab_fork_tied(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
	}
	return pid;
}

/* An nslab_call_fn: chdir(arg) in the agent; out (if any) gets the new
 * working directory as the agent sees it, or "(unreachable: outside the
 * root)" when it lies outside the agent's root (after a chroot). */
static inline int nslab_call_chdir(void *arg, char *out, size_t outlen)
{
	if (chdir((const char *)arg) < 0)
		return nslab_fail(out, outlen, "chdir");
	if (out && outlen && !getcwd(out, outlen))
		snprintf(out, outlen, "(unreachable: outside the root)");
	return 0;
}

/* An nslab_call_fn: chroot(arg), then chdir("/") so that the working
 * directory is inside the new root (what chroot(1) does). */
static inline int nslab_call_chroot(void *arg, char *out, size_t outlen)
{
	if (chroot((const char *)arg) < 0)
		return nslab_fail(out, outlen, "chroot");
	return chdir("/") < 0 ? nslab_fail(out, outlen, "chdir(\"/\")") : 0;
}

/* An nslab_call_fn: the seed's `cd DIR; pivot_root . put_old; cd /` (arg:
 * DIR, a mount point that holds the directory put_old): DIR becomes the
 * root of the agent's mount namespace and the old root lies on /put_old;
 * the last cd leaves no working directory behind in the old tree. glibc
 * has no pivot_root wrapper, hence syscall(2). The pivot-root and overlay
 * labs pivot alike; nslab_trace_pivot traces it. */
static inline int nslab_call_pivot(void *arg, char *out, size_t outlen)
{
	if (chdir((const char *)arg) < 0)
		return nslab_fail(out, outlen, "chdir(new_root)");
	if (syscall(SYS_pivot_root, ".", "put_old") < 0)
		return nslab_fail(out, outlen, "pivot_root(\".\", \"put_old\")");
	return chdir("/") < 0 ? nslab_fail(out, outlen, "chdir(\"/\")") : 0;
}

/* An nslab_call_fn: every mount of the agent's mount namespace becomes
 * private, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) (what `mount
 * --make-rprivate /` does): no mount event crosses to or from the host. */
static inline int nslab_call_make_private(void *arg, char *out, size_t outlen)
{
	(void)arg;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return nslab_fail(out, outlen, "mount(MS_REC|MS_PRIVATE)");
	return 0;
}

/* An nslab_call_fn: unshare(*(int *)arg); pass &flags, sizeof(int). */
static inline int nslab_call_unshare(void *arg, char *out, size_t outlen)
{
	return unshare(*(int *)arg) < 0 ? nslab_fail(out, outlen, "unshare") : 0;
}

/* An nslab_call_fn: out gets the agent's own view of its cgroup in the
 * hierarchy that holds cpu (nslab_proc_cgroup of /proc/self/cgroup). */
static inline int nslab_call_own_cgroup(void *arg, char *out, size_t outlen)
{
	(void)arg;
	return nslab_proc_cgroup(0, out, outlen);
}

#endif
