/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labcg.c: the lab cgroup (see labcg.h). */
#include "labcg.h"
#include "cgroup.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static char leaf[PATH_MAX];  /* <mount>/nslab/<pid>/lab, "" when none */
static char tree[PATH_MAX];  /* <mount>/nslab/<pid>: what labcg_kill empties */
static char procs[PATH_MAX]; /* leaf's cgroup.procs, ready for forked children */
static bool leaf_v2;         /* the leaf is in a cgroup2 hierarchy */

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* clone3's argument, as in <linux/sched.h> (Linux 5.7's size, with cgroup);
 * spelled out here because that header and glibc's <sched.h> define the
 * CLONE_ flags twice. */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
	    set_tid_size, cgroup;
};

struct tracking {
	char v2[PATH_MAX], v1[PATH_MAX];
};

static int note_tracking(const struct cgroup_mount *m, void *ud)
{
	struct tracking *t = ud;
	if (m->v2) {
		snprintf(t->v2, sizeof(t->v2), "%s", m->dir);
		return 1; /* the first cgroup2 mount wins */
	}
	if (!t->v1[0] && (cgroup_opt_has(m->opts, "freezer") || cgroup_opt_has(m->opts, "pids")))
		snprintf(t->v1, sizeof(t->v1), "%s", m->dir);
	return 0;
}

/* The tracking hierarchy: cgroup2 first (cgroup.kill and populated events),
 * else a v1 hierarchy that freezer or pids alone would also give us. */
static bool find_tracking(char *mnt, size_t len)
{
	struct tracking t = {"", ""};
	if (cgroup_each_mount(note_tracking, &t) < 0)
		return false;
	const char *found = t.v2[0] ? t.v2 : t.v1;
	leaf_v2 = t.v2[0] != '\0';
	snprintf(mnt, len, "%s", found);
	return found[0] != '\0';
}

/* mkdir one level; a directory nslab made is registered for cleanup. */
static int make_level(const char *dir)
{
	if (mkdir(dir, 0755) < 0)
		return errno == EEXIST ? 0 : -1;
	return cleanup_keep(NSLAB_OBJ_CGROUP, dir);
}

/* snprintf that fails on truncation (a truncated cgroup path is another cgroup). */
static bool fits(int n, size_t len)
{
	return n >= 0 && (size_t)n < len;
}

int labcg_create(void)
{
	char mnt[PATH_MAX], top[PATH_MAX];
	if (leaf[0])
		return 0;
	if (!find_tracking(mnt, sizeof(mnt))) {
		errno = ENODEV;
		return -1;
	}
	if (!fits(snprintf(top, sizeof(top), "%s/nslab", mnt), sizeof(top)) ||
	    !fits(snprintf(tree, sizeof(tree), "%s/%d", top, (int)getpid()), sizeof(tree)) ||
	    !fits(snprintf(leaf, sizeof(leaf), "%s/lab", tree), sizeof(leaf)) ||
	    !fits(snprintf(procs, sizeof(procs), "%s/cgroup.procs", leaf), sizeof(procs))) {
		labcg_forget();
		errno = ENAMETOOLONG;
		return -1;
	}
	if (make_level(top) < 0 || make_level(tree) < 0 || make_level(leaf) < 0) {
		int err = errno;
		labcg_forget();
		errno = err;
		return -1;
	}
	return 0;
}

const char *labcg_dir(void)
{
	return leaf[0] ? leaf : NULL;
}

int labcg_attach(pid_t pid)
{
	char text[24];
	if (!leaf[0]) {
		errno = ENOENT;
		return -1;
	}
	snprintf(text, sizeof(text), "%d", (int)pid);
	return write_file(procs, text);
}

int labcg_enter(void)
{
	if (!procs[0]) {
		errno = ENOENT;
		return -1;
	}
	int fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = write(fd, "0", 1) == 1 ? 0 : -1;
	close(fd);
	return rc;
}

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

/* pidfds of the processes labcg_clone made (the agents): labcg_kill waits on
 * them instead of looking at the tree again and again. */
#define MAX_WATCHED 16
static int watched[MAX_WATCHED];
static size_t nwatched;

static pid_t clone_into(unsigned long flags, int *pidfd)
{
	if (!leaf[0] || !leaf_v2) {
		errno = ENOSYS;
		return -1;
	}
	/* Moving a process through cgroup.procs takes the kernel's threadgroup
	 * lock for writing, which waits for an RCU grace period: ~10 ms, most of
	 * a lab's start. A child born in the group takes it only for reading. */
	int cg = open(leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0)
		return -1;
	struct clone3_args args = {
	    .flags = (flags & ~(unsigned long)CSIGNAL) | CLONE_INTO_CGROUP, /* the signal goes apart */
	    .exit_signal = SIGCHLD,
	    .cgroup = (uint64_t)cg,
	};
	if (pidfd) {
		args.flags |= CLONE_PIDFD;
		args.pidfd = (uint64_t)(uintptr_t)pidfd;
	}
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	int err = errno;
	close(cg); /* in the child too: its own copy */
	if (pid < 0 && (err == E2BIG || err == EINVAL || err == EOPNOTSUPP))
		err = ENOSYS; /* a kernel before 5.7: no CLONE_INTO_CGROUP */
	errno = err;
	return pid;
}

pid_t labcg_clone(unsigned long flags)
{
	int pidfd = -1;
	pid_t pid = clone_into(flags, nwatched < MAX_WATCHED ? &pidfd : NULL);
	if (pid > 0 && pidfd >= 0)
		watched[nwatched++] = pidfd; /* (CLONE_PIDFD's fd is close-on-exec) */
	return pid;
}

pid_t labcg_fork(void)
{
	pid_t pid = clone_into(0, NULL);
	if (pid >= 0 || errno != ENOSYS)
		return pid;
	pid = fork();
	if (pid == 0)
		labcg_enter();
	return pid;
}

static void unwatch_all(void)
{
	for (size_t i = 0; i < nwatched; i++)
		close(watched[i]);
	nwatched = 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Whether the tree is empty by its cgroup.events (cgroup2): 1 yes, 0 no,
 * -1 cannot tell. */
static int unpopulated(int fd)
{
	char buf[256];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strstr(buf, "populated 0") != NULL;
}

/* cgroup2 only: until cgroup.events says "populated 0" (no process left in
 * the tree), for at most timeout_ms. First on the pidfds of the agents: a
 * process's exit is signalled on its pidfd after it has left its cgroup, so
 * when those were all there was, one look at cgroup.events ends the wait
 * with no sleep at all. (A poll(POLLPRI) on cgroup.events would be the
 * natural wait, but the kernel sends that notification at most once per
 * 10 ms, and the lab's own start has just sent one.) Then, for what else
 * was in the tree, a look every 100 us. 1 when the tree is empty, 0 when
 * that could not be seen. */
static int wait_unpopulated(int timeout_ms)
{
	char path[PATH_MAX + 16];
	if (!fits(snprintf(path, sizeof(path), "%s/cgroup.events", tree), sizeof(path)))
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	long long end = now_ms() + timeout_ms;
	struct pollfd p[MAX_WATCHED];
	for (size_t i = 0; i < nwatched; i++)
		p[i] = (struct pollfd){watched[i], POLLIN, 0};
	for (size_t left = nwatched; left > 0;) {
		long long wait = end - now_ms();
		if (wait <= 0 || poll(p, nwatched, (int)wait) <= 0)
			break;
		left = 0;
		for (size_t i = 0; i < nwatched; i++) {
			if (p[i].revents)
				p[i].fd = -1; /* exited (or an error): not waited on again */
			left += p[i].fd >= 0;
		}
	}
	const struct timespec tick = {0, 100 * 1000};
	int empty;
	while ((empty = unpopulated(fd)) == 0 && now_ms() < end)
		nanosleep(&tick, NULL);
	close(fd);
	return empty == 1;
}

int labcg_kill(void)
{
	if (!tree[0]) {
		unwatch_all();
		return 0;
	}
	char path[PATH_MAX + 16];
	/* cgroup2 (5.14+): kill the tree and wait for it to empty here; an
	 * empty cgroup2 tree is all cgroup_kill_tree would make sure of. */
	int empty = fits(snprintf(path, sizeof(path), "%s/cgroup.kill", tree), sizeof(path)) &&
		    write_file(path, "1") == 0 && wait_unpopulated(5);
	unwatch_all();
	return empty ? 0 : cgroup_kill_tree(tree);
}

void labcg_forget(void)
{
	unwatch_all();
	leaf[0] = tree[0] = procs[0] = '\0';
	leaf_v2 = false;
}
