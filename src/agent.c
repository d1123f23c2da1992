/* SPDX-License-Identifier: GPL-2.0-or-later */
/* agent.c: lab agent processes and entering a lab like nsenter -a. */
#include "agent.h"
#include "cgroup.h"
#include "cleanup.h"
#include "labcg.h"
#include "mounts.h"
#include "nsview.h"
#include "output.h"
#include "pidfd.h"
#include "signals.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

struct request {
	nslab_call_fn fn;
	size_t arglen, outlen;
};
struct reply {
	int ret, err;
	size_t outlen;
};

#define MAX_AGENTS 16
static struct {
	pid_t pid;
	int sock;
} agents[MAX_AGENTS];
static size_t nagents;

static int agent_sock(pid_t pid)
{
	for (size_t i = 0; i < nagents; i++)
		if (agents[i].pid == pid)
			return agents[i].sock;
	return -1;
}

bool agent_is_agent(pid_t pid)
{
	return agent_sock(pid) >= 0;
}

static int send_reply(int sock, int ret, int err, const char *out, size_t outlen)
{
	static char buf[sizeof(struct reply) + AGENT_MAX_MSG];
	struct reply r = {ret, err, outlen};
	memcpy(buf, &r, sizeof(r));
	if (outlen)
		memcpy(buf + sizeof(r), out, outlen);
	return send(sock, buf, sizeof(r) + outlen, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* As PID 1 of a namespace the agent inherits orphans: reap them. */
static void reap_children(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static __attribute__((noreturn)) void agent_loop(int sock)
{
	static char buf[sizeof(struct request) + AGENT_MAX_MSG];
	static char out[AGENT_MAX_MSG];
	for (;;) {
		struct pollfd p = {sock, POLLIN, 0};
		if (poll(&p, 1, 500) == 0) {
			reap_children();
			continue;
		}
		ssize_t n = recv(sock, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < (ssize_t)sizeof(struct request))
			_exit(0); /* nslab closed the socket: the lab is over */
		struct request rq;
		memcpy(&rq, buf, sizeof(rq));
		size_t outlen = rq.outlen < sizeof(out) ? rq.outlen : sizeof(out);
		memset(out, 0, outlen);
		errno = 0;
		int ret = rq.fn(buf + sizeof(rq), outlen ? out : NULL, outlen);
		send_reply(sock, ret, ret < 0 ? errno : 0, out, outlen);
		reap_children();
	}
}

static __attribute__((noreturn)) void agent_child(const struct nslab_spawn *how, int sock, int sync_fd,
						  pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* nslab died before the line above? (Across a new PID namespace the
	 * parent is outside it and getppid() reads 0.) */
	pid_t pp = getppid();
	if (pp != parent && !(pp == 0 && (how->clone_flags & CLONE_NEWPID)))
		_exit(1);
	prctl(PR_SET_NAME, "nslab-agent");
	setsid(); /* Ctrl-C at the REPL is for nslab, not for the lab */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	char go;
	if (read(sync_fd, &go, 1) != 1) /* wait until the maps are written */
		_exit(1);
	close(sync_fd);
	int ret = 0, err = 0;
	/* Made only now that nslab has moved us into the lab cgroup, so that the
	 * namespace's root is that cgroup (see agent_spawn). */
	if (how->clone_flags & CLONE_NEWCGROUP) {
		ret = unshare(CLONE_NEWCGROUP);
		err = errno;
	}
	if (ret == 0 && how->init) {
		static char arg[AGENT_MAX_MSG];
		size_t len = how->init_arglen < sizeof(arg) ? how->init_arglen : sizeof(arg);
		if (len)
			memcpy(arg, how->init_arg, len);
		errno = 0;
		ret = how->init(arg, NULL, 0);
		err = errno;
	}
	send_reply(sock, ret, err, NULL, 0);
	if (ret < 0)
		_exit(1);
	agent_loop(sock);
}

static int write_maps(pid_t pid, const struct nslab_spawn *how)
{
	char path[64];
	if (how->gid_map) {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
		write_file(path, "deny");
		snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
		if (write_file(path, how->gid_map) < 0)
			return -1;
	}
	if (how->uid_map) {
		snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
		if (write_file(path, how->uid_map) < 0)
			return -1;
	}
	return 0;
}

static pid_t spawn_failed(pid_t pid, const char *what, int err)
{
	out_error("cannot start the lab process: %s: %s", what, strerror(err));
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return -1;
}

pid_t agent_spawn(const struct nslab_spawn *how)
{
	int sv[2], sync[2];
	if (nagents == MAX_AGENTS)
		return spawn_failed(0, "too many lab processes", ENOSPC);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return spawn_failed(0, "socketpair", errno);
	if (pipe2(sync, O_CLOEXEC) < 0) {
		close(sv[0]);
		close(sv[1]);
		return spawn_failed(0, "pipe", errno);
	}
	pid_t parent = getpid();
	fflush(NULL);
	/* A fork-like clone (no new stack): the child returns here, as with fork,
	 * but already inside the requested namespaces (bubblewrap does the same). */
	unsigned long flags = (how->clone_flags & ~(unsigned long)CLONE_NEWCGROUP) | SIGCHLD;
	pid_t pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (pid == 0) {
		close(sv[0]);
		close(sync[1]);
		agent_child(how, sv[1], sync[0], parent);
	}
	int err = errno;
	close(sv[1]);
	close(sync[0]);
	if (pid < 0) {
		close(sv[0]);
		close(sync[1]);
		if (err == EPERM) {
			out_error(
			    "cannot start the lab process: clone() needs CAP_SYS_ADMIN: run nslab with sudo");
			return -1;
		}
		return spawn_failed(0, "clone", err);
	}
	char pidstr[16];
	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	cleanup_keep(NSLAB_OBJ_PROCESS, pidstr);
	/* Into the lab cgroup before it runs anything: whatever it starts is
	 * born there. (No lab cgroup without root: then only the registry.) */
	labcg_attach(pid);
	int maps = write_maps(pid, how);
	err = errno;
	if (write(sync[1], "g", 1) != 1 || maps < 0) {
		close(sync[1]);
		close(sv[0]);
		return spawn_failed(pid, "writing uid_map/gid_map", maps < 0 ? err : EPIPE);
	}
	close(sync[1]);
	struct reply r;
	if (recv(sv[0], &r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		close(sv[0]);
		return spawn_failed(pid, "the lab process died while starting", ECHILD);
	}
	if (r.ret < 0) {
		close(sv[0]);
		return spawn_failed(pid, "its set-up step failed", r.err);
	}
	agents[nagents].pid = pid;
	agents[nagents].sock = sv[0];
	nagents++;
	nsview_lab_add(pid, how->label ? how->label : "lab");
	return pid;
}

int agent_call(pid_t pid, nslab_call_fn fn, const void *arg, size_t arglen, char *out, size_t outlen)
{
	static char buf[sizeof(struct request) + AGENT_MAX_MSG];
	int sock = agent_sock(pid);
	if (sock < 0 || arglen > AGENT_MAX_MSG || outlen > AGENT_MAX_MSG) {
		errno = sock < 0 ? ESRCH : E2BIG;
		return -1;
	}
	struct request rq = {fn, arglen, outlen};
	memcpy(buf, &rq, sizeof(rq));
	if (arglen)
		memcpy(buf + sizeof(rq), arg, arglen);
	if (send(sock, buf, sizeof(rq) + arglen, MSG_NOSIGNAL) < 0) {
		errno = ESRCH;
		return -1;
	}
	ssize_t n;
	do
		n = recv(sock, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n < (ssize_t)sizeof(struct reply)) {
		errno = ESRCH; /* the agent died in fn */
		return -1;
	}
	struct reply r;
	memcpy(&r, buf, sizeof(r));
	if (out && outlen)
		memcpy(out, buf + sizeof(r), r.outlen < outlen ? r.outlen : outlen);
	errno = r.err;
	return r.ret;
}

void agent_forget_all(void)
{
	for (size_t i = 0; i < nagents; i++)
		close(agents[i].sock);
	nagents = 0;
	nsview_lab_clear();
}

/* --- entering a lab, nsenter -a style --- */

static const struct {
	const char *name;
	int flag;
} enter_order[] = {
    {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
    {"net", CLONE_NEWNET},       {"pid", CLONE_NEWPID}, {"time", 0x00000080 /* CLONE_NEWTIME */},
    {"mnt", CLONE_NEWNS},
};
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
	for (size_t i = 0; i < NENTER; i++)
		fds[i] = same_ns(target, enter_order[i].name) ? -1 : open_ns(target, enter_order[i].name);
	if (!same_ns(target, "user"))
		userfd = open_ns(target, "user");
	snprintf(path, sizeof(path), "/proc/%d/root", (int)target);
	int rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)target);
	int cwdfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		fprintf(stderr, "nslab: cannot open the lab's root: %s\n", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < NENTER; i++)
		if (fds[i] >= 0 && setns(fds[i], 0) == 0) {
			close(fds[i]);
			fds[i] = -1;
		}
	if (userfd >= 0) {
		if (setns(userfd, CLONE_NEWUSER) < 0) {
			fprintf(stderr, "nslab: cannot enter the lab's user namespace: %s\n",
				strerror(errno));
			return -1;
		}
		setgroups(0, NULL); /* fails harmlessly where setgroups is denied */
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
			/* uid 0 is not mapped: stay the overflow user, like nsenter -U would not */
		}
	}
	for (size_t i = 0; i < NENTER; i++)
		if (fds[i] >= 0 && setns(fds[i], 0) < 0) {
			fprintf(stderr, "nslab: cannot enter the lab's %s namespace: %s\n",
				enter_order[i].name, strerror(errno));
			return -1;
		}
	/* chroot needs CAP_SYS_CHROOT: skip it when the lab shares our root
	 * (an unprivileged lab before it has one of its own). */
	if (!same_root(rootfd) && (fchdir(rootfd) < 0 || chroot(".") < 0)) {
		fprintf(stderr, "nslab: cannot enter the lab's root: %s\n", strerror(errno));
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

static __attribute__((noreturn)) void exec_child(pid_t target, const char *cmd, char *const env[], int outfd,
						 bool interactive)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Everything it starts, however detached, is the lab's (labcg.h); a
	 * lab process target then moves it next to that process (enter_target). */
	labcg_enter();
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
		fprintf(stderr, "nslab: the lab's root has no /bin/sh: copy a shell in first\n");
		_exit(127);
	}
	if (interactive && !cmd) {
		const char *sh = access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh";
		execl(sh, sh, "-i", (char *)NULL);
	} else {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	}
	fprintf(stderr, "nslab: cannot start /bin/sh: %s\n", strerror(errno));
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

void agent_reap_orphans(void)
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
	pid_t pid = fork();
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
		close(pfd[0]);
	} else {
		st = wait_interactive(pid);
	}
	if (output)
		*output = buf ? buf : strdup("");
	agent_reap_orphans(); /* what earlier commands detached and has ended since */
	return st;
}
