/* SPDX-License-Identifier: GPL-2.0-or-later */
/* agent.c: the agent protocol: cloning a lab process into the namespaces a
 * lab asks for, and calling a plugin function inside it over a socket.
 * Entering a lab from outside, as nsenter does, is nsexec.c. */
#include "agent.h"
#include "cleanup.h"
#include "labcg.h"
#include "nsview.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
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
	if (sync_fd >= 0 && read(sync_fd, &go, 1) != 1) /* wait until the maps are written */
		_exit(1);
	if (sync_fd >= 0)
		close(sync_fd);
	int ret = 0, err = 0;
	/* Made only now that we are in the lab cgroup (born there, or moved
	 * there before the sync byte), so that the namespace's root is that
	 * cgroup (see agent_spawn). */
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

/* A reason for the learner ("clone: Operation not permitted") in why, errno
 * err; a half-started child is killed. */
static pid_t spawn_failed(pid_t pid, const char *what, int err, char *why, size_t whylen)
{
	snprintf(why, whylen, "%s: %s", what, strerror(err));
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	errno = err;
	return -1;
}

/* The pipe on which the child waits until nslab has written its maps or
 * moved it into the lab cgroup: {-1, -1} while none is needed. */
static int open_sync(int sync[2])
{
	return sync[0] >= 0 ? 0 : pipe2(sync, O_CLOEXEC);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

pid_t agent_spawn(const struct nslab_spawn *how, char *why, size_t whylen)
{
	int sv[2], sync[2] = {-1, -1};
	if (nagents == MAX_AGENTS)
		return spawn_failed(0, "too many lab processes", ENOSPC, why, whylen);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return spawn_failed(0, "socketpair", errno, why, whylen);
	/* A child born in the lab cgroup with no maps to wait for goes on at
	 * once: no pipe, no wait for nslab's registry write. */
	if ((how->uid_map || how->gid_map) && open_sync(sync) < 0) {
		close(sv[0]);
		close(sv[1]);
		return spawn_failed(0, "pipe", errno, why, whylen);
	}
	pid_t parent = getpid();
	fflush(NULL);
	/* A fork-like clone (no new stack): the child returns here, as with fork,
	 * but already inside the requested namespaces (bubblewrap does the same). */
	unsigned long flags = (how->clone_flags & ~(unsigned long)CLONE_NEWCGROUP) | SIGCHLD;
	/* Born in the lab cgroup where the kernel can (see labcg_clone), else
	 * moved there before it runs anything: whatever it starts is born there. */
	pid_t pid = labcg_clone(flags);
	bool born_in = pid >= 0;
	if (pid < 0 && errno == ENOSYS) /* then it waits until labcg_attach moved it */
		pid = open_sync(sync) < 0 ? -1 : (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (pid == 0) {
		close(sv[0]);
		close_fd(&sync[1]);
		agent_child(how, sv[1], sync[0], parent);
	}
	int err = errno;
	close(sv[1]);
	close_fd(&sync[0]);
	if (pid < 0) {
		close(sv[0]);
		close_fd(&sync[1]);
		if (err == EPERM) {
			snprintf(why, whylen, "clone() needs CAP_SYS_ADMIN: run nslab with sudo");
			errno = EPERM;
			return -1;
		}
		return spawn_failed(0, "clone", err, why, whylen);
	}
	char pidstr[16];
	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	cleanup_keep(NSLAB_OBJ_PROCESS, pidstr);
	/* (No lab cgroup without root: then only the registry.) */
	if (!born_in)
		labcg_attach(pid);
	int maps = write_maps(pid, how);
	err = errno;
	if ((sync[1] >= 0 && write(sync[1], "g", 1) != 1) || maps < 0) {
		close_fd(&sync[1]);
		close(sv[0]);
		return spawn_failed(pid, "writing uid_map/gid_map", maps < 0 ? err : EPIPE, why, whylen);
	}
	close_fd(&sync[1]);
	struct reply r;
	if (recv(sv[0], &r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		close(sv[0]);
		return spawn_failed(pid, "the lab process died while starting", ECHILD, why, whylen);
	}
	if (r.ret < 0) {
		close(sv[0]);
		return spawn_failed(pid, "its set-up step failed", r.err, why, whylen);
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
