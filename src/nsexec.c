/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nsexec.c: running a shell command entered into a lab process, as
 * `nsenter -t PID -a` does (its cgroups, namespaces, root and cwd), or on the
 * host; its output streamed or captured, Ctrl-C passed on. Its own file: the
 * agent protocol (agent.c) starts lab processes, this enters them from
 * outside, and the session (`run`, `host`, `shell`, h->run) is its one user. */
#include "nsexec.h"
#include "i18n.h"
#include "signals.h"
#include "cgroup.h"
#include "cleanup.h"
#include "labcg.h"
#include "mounts.h"
#include "nstypes.h"
#include "output.h"
#include "pidfd.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The namespaces joined, in nsenter -a's order: the mount namespace last.
 * The user namespace is joined apart (see enter_target). */
static const enum ns_row enter_order[] = {NS_CGROUP, NS_IPC, NS_UTS, NS_NET, NS_PID, NS_TIME, NS_MNT};
#define NENTER (sizeof(enter_order) / sizeof(enter_order[0]))

static bool same_ns(pid_t target, const char *name)
{
	return ns_same_as_self(target, name) == 1;
}

static int open_ns(pid_t target, const char *name)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)target, name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static bool same_root(int rootfd)
{
	struct stat a, b;
	return fstat(rootfd, &a) == 0 && stat("/", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* In the forked child: join target's cgroups, namespaces, root and cwd.
 * Namespaces refused before the user namespace is joined are retried after
 * it (they may be owned by it), as nsenter does. */
static int enter_target(pid_t target)
{
	char path[64];
	int fds[NENTER], userfd = -1;
	cgroup_join_like(target);
	for (size_t i = 0; i < NENTER; i++) {
		const char *name = ns_types[enter_order[i]].name;
		fds[i] = same_ns(target, name) ? -1 : open_ns(target, name);
	}
	if (!same_ns(target, ns_types[NS_USER].name))
		userfd = open_ns(target, ns_types[NS_USER].name);
	snprintf(path, sizeof(path), "/proc/%d/root", (int)target);
	int rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)target);
	int cwdfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		fprintf(stderr, _("nslab: cannot open the lab's root: %s\n"), strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < NENTER; i++)
		if (fds[i] >= 0 && setns(fds[i], ns_types[enter_order[i]].clone_flag) == 0) {
			close(fds[i]);
			fds[i] = -1;
		}
	if (userfd >= 0) {
		if (setns(userfd, ns_types[NS_USER].clone_flag) < 0) {
			fprintf(stderr, _("nslab: cannot enter the lab's user namespace: %s\n"),
				strerror(errno));
			return -1;
		}
		setgroups(0, NULL); /* fails harmlessly where setgroups is denied */
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
			/* uid 0 is not mapped: stay the overflow user, like nsenter -U would not */
		}
	}
	for (size_t i = 0; i < NENTER; i++)
		if (fds[i] >= 0 && setns(fds[i], ns_types[enter_order[i]].clone_flag) < 0) {
			fprintf(stderr, _("nslab: cannot enter the lab's %s namespace: %s\n"),
				ns_types[enter_order[i]].name, strerror(errno));
			return -1;
		}
	/* chroot needs CAP_SYS_CHROOT: skip it when the lab shares our root
	 * (an unprivileged lab before it has one of its own). */
	if (!same_root(rootfd) && (fchdir(rootfd) < 0 || chroot(".") < 0)) {
		fprintf(stderr, _("nslab: cannot enter the lab's root: %s\n"), strerror(errno));
		return -1;
	}
	if (cwdfd < 0 || fchdir(cwdfd) < 0)
		(void)!chdir("/");
	return 0;
}

static int wait_status(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* `shell` owns the terminal, and nslab waits. SIGINT belongs to the shell
 * (the terminal sends it there too); SIGTERM and SIGHUP end nslab: the shell
 * gets SIGHUP (what a closing terminal sends; an interactive shell ignores
 * SIGTERM) and SIGTERM, half a second to go, then SIGKILL. What it started
 * goes with the lab cgroup when nslab cleans up. */
static int wait_interactive(pid_t pid)
{
	int st;
	for (;;) {
		pid_t r = waitpid(pid, &st, 0);
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (r < 0 && errno != EINTR)
			return -1;
		if (signals_leaving())
			break;
	}
	kill(pid, SIGHUP);
	kill(pid, SIGTERM);
	int fd = pidfd_open_pid(pid);
	if (fd < 0 || !pidfd_exited(fd, 500))
		kill(pid, SIGKILL);
	if (fd >= 0)
		close(fd);
	return wait_status(pid);
}

/* A lab's own root (a jail, the container's) often has no locales: bash
 * there warns on every start when LC_ALL names a missing one ("setlocale:
 * LC_ALL: cannot change locale"), and says nothing when LANG does. So for a
 * lab process target whose root has no locale archive, LC_ALL becomes LANG. */
static void lab_locale(pid_t target)
{
	const char *all = getenv("LC_ALL");
	char path[96];
	if (!all || !*all)
		return;
	snprintf(path, sizeof(path), "/proc/%d/root/usr/lib/locale/locale-archive", (int)target);
	if (access(path, F_OK) == 0)
		return;
	setenv("LANG", all, 1);
	unsetenv("LC_ALL");
}

static __attribute__((noreturn)) void exec_child(pid_t target, const char *cmd, char *const env[], int outfd,
						 bool interactive)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Born in the lab cgroup (labcg_fork): everything it starts, however
	 * detached, is the lab's (labcg.h); a lab process target then moves it
	 * next to that process (enter_target). */
	if (outfd >= 0) {
		/* Its own process group: Ctrl-C at the REPL is forwarded to it, and
		 * without a lab cgroup the group is what stop kills. */
		setpgid(0, 0);
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		dup2(null, 0);
		dup2(outfd, 1);
		dup2(outfd, 2);
	}
	for (size_t i = 0; env && env[i]; i++)
		putenv(env[i]);
	if (target > 0)
		lab_locale(target);
	if (target > 0 && enter_target(target) < 0)
		_exit(126);
	/* setns(pid) and setns(time) apply to children only: fork once more. */
	pid_t pid = target > 0 ? fork() : 0;
	if (pid > 0)
		_exit(wait_status(pid));
	if (pid < 0)
		_exit(126);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Only stdio goes to the command: no fd nslab holds or inherited. */
	close_range(3, ~0U, 0);
	if (access("/bin/sh", X_OK) < 0) {
		fprintf(stderr, _("nslab: the lab's root has no /bin/sh: copy a shell in first\n"));
		_exit(127);
	}
	if (interactive && !cmd) {
		const char *sh = access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh";
		execl(sh, sh, "-i", (char *)NULL);
	} else {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	}
	fprintf(stderr, _("nslab: cannot start /bin/sh: %s\n"), strerror(errno));
	_exit(127);
}

static void append(char **buf, size_t *len, const char *data, size_t n)
{
	char *nb = realloc(*buf, *len + n + 1);
	if (!nb)
		return;
	memcpy(nb + *len, data, n);
	*len += n;
	nb[*len] = '\0';
	*buf = nb;
}

/* The command runs in its own process group, so the terminal's Ctrl-C
 * reaches only nslab: pass it on. SIGTERM/SIGHUP end the command at once. */
static void forward_signal(pid_t pid)
{
	static sig_atomic_t forwarded;
	if (signals_pending() == SIGINT && forwarded != SIGINT) {
		kill(-pid, SIGINT);
		forwarded = SIGINT;
	} else if (signals_leaving()) {
		kill(-pid, SIGKILL);
	}
	if (!signals_pending())
		forwarded = 0;
}

/* Copies the command's output until the command itself exits: a process it
 * left in the background (`run sleep 600 &`) keeps the pipe open, and must
 * not keep the REPL waiting. Returns the exit status. */
static int pump_output(int fd, pid_t pid, char **buf, size_t *len)
{
	char chunk[4096];
	int st = -1;
	bool exited = false;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		int ready = poll(&p, 1, exited ? 0 : 50);
		ssize_t n = ready > 0 ? read(fd, chunk, sizeof(chunk)) : 0;
		if (n > 0) {
			if (buf)
				append(buf, len, chunk, (size_t)n);
			else
				out_write(chunk, (size_t)n);
			continue;
		}
		if (ready > 0 && n == 0)
			break; /* EOF: every writer is gone */
		if (exited)
			break; /* exited, and nothing more is ready */
		forward_signal(pid);
		int ws;
		pid_t r = waitpid(pid, &ws, WNOHANG);
		if (r == pid) {
			exited = true;
			st = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
		}
	}
	if (!exited)
		st = wait_status(pid);
	return st;
}

/* What the command left in the background (`run stress ... &`) may still
 * hold the pipe's write end once the command line has returned: with no
 * reader its next write would end it with SIGPIPE. A small child of nslab
 * takes the read end and drops what comes until the last writer is gone;
 * it dies with nslab, and ns_reap_orphans reaps it. */
static void drain_rest(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	if (poll(&p, 1, 0) > 0 && (p.revents & POLLHUP) && !(p.revents & POLLIN))
		return; /* every writer is gone already */
	/* a process this run starts is the lab's: born in its cgroup, gone with
	 * it (and not a stray process to the host guard) */
	pid_t pid = labcg_fork();
	if (pid != 0)
		return;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (dup2(fd, 0) < 0)
		_exit(1);
	close_range(1, ~0U, 0);
	fcntl(0, F_SETFL, 0);
	char chunk[4096];
	for (;;) {
		ssize_t n = read(0, chunk, sizeof(chunk));
		if (n == 0 || (n < 0 && errno != EINTR))
			_exit(0);
	}
}

void ns_reap_orphans(void)
{
	/* nslab is a child subreaper (main.c): what a lab's commands detach
	 * is re-parented here and must not stay a zombie. Called when nslab
	 * waits for no child of its own (after a command, after a stop). */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

int ns_exec(pid_t target, const char *cmd, char *const env[], char **output, bool interactive)
{
	int pfd[2] = {-1, -1};
	if (!interactive && pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);
	pid_t pid = labcg_fork();
	if (pid < 0) {
		if (pfd[0] >= 0) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return -1;
	}
	if (pid == 0)
		exec_child(target, cmd, env, interactive ? -1 : pfd[1], interactive);
	if (!interactive) {
		setpgid(pid, pid); /* also in the parent, so the registry sees it at once */
		/* Without a lab cgroup (no root), its process group is the best
		 * handle on what it leaves running. */
		char group[24];
		snprintf(group, sizeof(group), "-%d", (int)pid);
		if (!labcg_dir())
			cleanup_keep(NSLAB_OBJ_PROCESS, group);
	}
	char *buf = NULL;
	size_t len = 0;
	int st = -1;
	if (!interactive) {
		close(pfd[1]);
		st = pump_output(pfd[0], pid, output ? &buf : NULL, &len);
		drain_rest(pfd[0]);
		close(pfd[0]);
	} else {
		st = wait_interactive(pid);
	}
	if (output)
		*output = buf ? buf : strdup("");
	ns_reap_orphans(); /* what earlier commands detached and has ended since */
	return st;
}
