/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cleanup-undo.c: undoing the kinds of object the registry owns itself:
 * processes and process groups (SIGKILL through a pidfd, after the start
 * time is checked again on the process it pins), mounts, directory trees,
 * files, namespace files and links. Only ever called after the entry's check
 * (cleanup-check.c) passed; other kinds (cgroups) are undone by the module
 * that owns them, through cleanup_register_kind(). */
#include "cleanup-int.h"
#include "pidfd.h"
#include "sysvipc.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* --- /proc/PID/stat --- */

/* State letter (field 3) and start time (field 22, clock ticks since boot).
 * -1 if there is no such process. */
static int proc_stat_ids(pid_t pid, char *state, int *pgrp, int *sid, unsigned long long *start);

static int proc_stat(pid_t pid, char *state, unsigned long long *start)
{
	return proc_stat_ids(pid, state, NULL, NULL, start);
}

/* The same, with the process group (field 5) and session (field 6). */
static int proc_stat_ids(pid_t pid, char *state, int *pgrp, int *sid, unsigned long long *start)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (pid <= 0 || read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -1;
	if (state)
		*state = p[2];
	/* after ") " come fields 3..; start time is field 22 */
	char *save = NULL;
	int field = 2;
	for (char *tok = strtok_r(p + 1, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (++field == 5 && pgrp)
			*pgrp = atoi(tok);
		else if (field == 6 && sid)
			*sid = atoi(tok);
		else if (field == 22) {
			if (start)
				*start = strtoull(tok, NULL, 10);
			return 0;
		}
	}
	return -1;
}

unsigned long long cleanup_proc_start(pid_t pid)
{
	unsigned long long start = 0;
	return proc_stat(pid, NULL, &start) == 0 ? start : 0;
}

/* Running (not a zombie, not exiting), with this start time if nonzero. */
bool cleanup_proc_running(pid_t pid, unsigned long long start)
{
	char state = 0;
	unsigned long long now = 0;
	if (proc_stat(pid, &state, &now) < 0 || state == 'Z' || state == 'X' || state == 'x')
		return false;
	return !start || now == start;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

#define EXIT_WAIT_MS 2000 /* how long a SIGKILLed process may take to exit */

/* After SIGKILL: reap it if it is our child, else wait (bounded) until it
 * has exited. 0 exited, 2 still exiting. */
static int wait_exit(int pidfd, pid_t pid)
{
	for (int waited = 0; waited <= EXIT_WAIT_MS; waited += 10) {
		pid_t r = waitpid(pid, NULL, WNOHANG);
		if (r == pid)
			return 0;
		if (pidfd >= 0) {
			struct pollfd p = {pidfd, POLLIN, 0};
			if (poll(&p, 1, 10) == 1) {
				waitpid(pid, NULL, WNOHANG);
				return 0;
			}
		} else {
			if (r < 0 && !cleanup_proc_running(pid, 0))
				return 0;
			sleep_ms(10);
		}
	}
	return 2;
}

/* Replay of "-PGID:START:SID": the members of process group PGID in session
 * SID that started no earlier than its leader, each signalled through a
 * pidfd after checking again. While any member lives, the kernel does not
 * hand the number PGID to a new process, so a group found this way is the
 * one that was registered, unless its leader's PID now belongs to someone
 * else (a different start time: the group is gone). 0 killed, 1 none, 2
 * killed but one is still exiting. */
static int kill_group(int pgid, unsigned long long start, int sid)
{
	unsigned long long now = cleanup_proc_start(pgid);
	if (now && now != start)
		return 1;
	DIR *d = opendir("/proc");
	if (!d)
		return -1;
	int fds[256], nfds = 0;
	pid_t pids[256];
	struct dirent *de;
	while ((de = readdir(d)) && nfds < 256) {
		int p = parse_pid_name(de->d_name);
		int g = 0, s = 0;
		unsigned long long st = 0;
		if (p <= 1 || p == getpid() || proc_stat_ids((pid_t)p, NULL, &g, &s, &st) < 0 || g != pgid ||
		    s != sid || st < start)
			continue;
		int fd = pidfd_open_pid((pid_t)p);
		if (fd < 0 && errno != ENOSYS)
			continue;
		/* checked again on the process the pidfd pins */
		if (proc_stat_ids((pid_t)p, NULL, &g, &s, &st) < 0 || g != pgid || s != sid || st < start) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		int rc = fd >= 0 ? pidfd_signal(fd, SIGKILL) : kill((pid_t)p, SIGKILL);
		if (rc == 0) {
			pids[nfds] = (pid_t)p;
			fds[nfds++] = fd;
		} else if (fd >= 0) {
			close(fd);
		}
	}
	closedir(d);
	int still = 0;
	for (int i = 0; i < nfds; i++) {
		if (wait_exit(fds[i], pids[i]) == 2)
			still = 1;
		if (fds[i] >= 0)
			close(fds[i]);
	}
	return nfds ? (still ? 2 : 0) : 1;
}

/* 0 killed, 1 gone already (or the PID is someone else's now), 2 killed but
 * still exiting, -1 failed. */
static int kill_process(int pid, unsigned long long start)
{
	if (pid < 0) {
		/* A group outlives its leader: kill it unless the leader's PID was
		 * reused by an unrelated process (a different start time). Only
		 * groups this run made itself get here (check_entry). */
		unsigned long long now = cleanup_proc_start(-pid);
		if (now && now != start)
			return 1;
		if (kill(pid, SIGKILL) < 0)
			return errno == ESRCH ? 1 : -1;
		return 0;
	}
	/* The pidfd pins the process: the start time is checked on the process
	 * the signal then goes to, so the PID cannot be reused in between. */
	int pidfd = pidfd_open_pid(pid);
	/* EINVAL: the PID names no thread-group leader: a process its parent
	 * is reaping right now (its pid outlives its task for a moment), or a
	 * thread of another process that got the number. Gone, either way. */
	if (pidfd < 0 && (errno == ESRCH || errno == EINVAL))
		return 1;
	if (pidfd < 0 && errno != ENOSYS)
		return -1;
	if (cleanup_proc_start(pid) != start) {
		if (pidfd >= 0)
			close(pidfd);
		return 1; /* gone, or the PID now belongs to someone else */
	}
	int rc = pidfd >= 0 ? pidfd_signal(pidfd, SIGKILL) : kill(pid, SIGKILL);
	if (rc < 0) {
		int err = errno;
		if (pidfd >= 0)
			close(pidfd);
		errno = err;
		return err == ESRCH ? 1 : -1;
	}
	rc = wait_exit(pidfd, pid);
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	/* Best effort: cleanup_remove_tree() checks the result afterwards. */
	if (flag == FTW_DP || flag == FTW_D)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Removes a tree whose path was checked (or is a run dir): symlinks inside
 * are removed, never followed; a mount inside is not descended into. */
int cleanup_remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	if (lstat(path, &st) == 0) {
		errno = ENOTEMPTY;
		return -1;
	}
	return 0;
}

static int delete_link(const char *name)
{
	const char *argv[] = {"ip", "link", "delete", "dev", name, NULL};
	int st = run_quiet(argv);
	return st == 0 ? 0 : -1;
}

/* --- one undo per kind --- */

static int undo_process(const struct cleanup_run *r, const char *what)
{
	int pid, sid;
	unsigned long long start;
	char why[128];
	if (cleanup_parse_process(what, &pid, &start, &sid, why, sizeof(why)) < 0) {
		errno = EINVAL;
		return -1;
	}
	if (pid < 0 && !r->live)
		return kill_group(-pid, start, sid);
	return kill_process(pid, start);
}

static int undo_mount(const struct cleanup_run *r, const char *what)
{
	(void)r;
	/* EINVAL: not a mount point (any more): nothing left to undo */
	if (umount2(what, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
		return -1;
	return 0;
}

static int undo_dir(const struct cleanup_run *r, const char *what)
{
	(void)r;
	return cleanup_remove_tree(what);
}

static int undo_link(const struct cleanup_run *r, const char *what)
{
	(void)r;
	return delete_link(what);
}

static int undo_file(const struct cleanup_run *r, const char *what)
{
	(void)r;
	return unlink(what) < 0 && errno != ENOENT ? -1 : 0;
}

static int undo_netns(const struct cleanup_run *r, const char *what)
{
	umount2(what, MNT_DETACH | UMOUNT_NOFOLLOW);
	return undo_file(r, what);
}

/* --- host objects a learner's command made (checked: cleanup-check.c) --- */

static int undo_ipc(const struct cleanup_run *r, const char *what)
{
	(void)r;
	char f[5][256], why[128];
	if (cleanup_split_fields(what, 5, f[0], sizeof(f[0]), why, sizeof(why)) < 0) {
		errno = EINVAL;
		return -1;
	}
	int t = sysvipc_parse_word(f[0]);
	if (sysvipc_remove((enum sysvipc_type)t, atoi(f[1])) < 0)
		return errno == EINVAL || errno == EIDRM ? 1 : -1;
	return 0;
}

static int undo_utsname(const struct cleanup_run *r, const char *what)
{
	(void)r;
	char f[4][256], why[128];
	if (cleanup_split_fields(what, 4, f[0], sizeof(f[0]), why, sizeof(why)) < 0) {
		errno = EINVAL;
		return -1;
	}
	size_t n = strlen(f[1]);
	return (strcmp(f[0], "hostname") == 0 ? sethostname(f[1], n) : setdomainname(f[1], n)) < 0 ? -1 : 0;
}

static int undo_hostmount(const struct cleanup_run *r, const char *what)
{
	(void)r;
	static char f[5][PATH_MAX];
	char why[128];
	if (cleanup_split_fields(what, 5, f[0], PATH_MAX, why, sizeof(why)) < 0) {
		errno = EINVAL;
		return -1;
	}
	if (umount2(f[2], MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
		return errno == EINVAL || errno == ENOENT ? 1 : -1;
	return 0;
}

/* One rtnetlink request, answered with an ack: 0, or -1 with the kernel's errno. */
static int rtnl_request(void *req, size_t len)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	char buf[512];
	int rc = -1;
	errno = EPROTO;
	if (sendto(fd, req, len, 0, (struct sockaddr *)&sa, sizeof(sa)) == (ssize_t)len) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;
		if (n >= (ssize_t)(sizeof(*nh) + sizeof(struct nlmsgerr)) && nh->nlmsg_type == NLMSG_ERROR) {
			int err = -((struct nlmsgerr *)NLMSG_DATA(nh))->error;
			errno = err;
			rc = err == 0 ? 0 : -1;
		}
	}
	int err = errno;
	close(fd);
	errno = err;
	return rc;
}

/* RTM_DELLINK by ifindex, not by name: the index the check proved is the
 * one deleted, whatever the name means by then. */
static int delete_link_index(int ifindex)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
	    .nh = {.nlmsg_len = sizeof(req),
		   .nlmsg_type = RTM_DELLINK,
		   .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK},
	    .ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex},
	};
	return rtnl_request(&req, sizeof(req));
}

/* RTM_DELADDR of exactly this address and prefix on this ifindex. */
static int undo_hostaddr(const struct cleanup_run *r, const char *what)
{
	(void)r;
	int idx, family, plen;
	unsigned char addr[16];
	char name[IF_NAMESIZE], why[128];
	if (cleanup_parse_hostaddr(what, &idx, name, sizeof(name), &family, addr, &plen, why, sizeof(why)) <
	    0) {
		errno = EINVAL;
		return -1;
	}
	size_t alen = family == AF_INET ? 4 : 16;
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
		struct rtattr rta;
		unsigned char addr[16];
	} req = {
	    .nh = {.nlmsg_type = RTM_DELADDR, .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK},
	    .ifa = {.ifa_family = (unsigned char)family,
		    .ifa_prefixlen = (unsigned char)plen,
		    .ifa_index = (unsigned)idx},
	    .rta = {.rta_len = (unsigned short)RTA_LENGTH(alen), .rta_type = IFA_LOCAL},
	};
	memcpy(req.addr, addr, alen);
	req.nh.nlmsg_len = (unsigned)(NLMSG_LENGTH(sizeof(req.ifa)) + RTA_LENGTH(alen));
	if (rtnl_request(&req, req.nh.nlmsg_len) < 0)
		return errno == EADDRNOTAVAIL || errno == ENODEV ? 1 : -1;
	return 0;
}

static int undo_hostlink(const struct cleanup_run *r, const char *what)
{
	(void)r;
	char f[3][256], why[128];
	if (cleanup_split_fields(what, 3, f[0], sizeof(f[0]), why, sizeof(why)) < 0) {
		errno = EINVAL;
		return -1;
	}
	if (delete_link_index(atoi(f[1])) < 0)
		return errno == ENODEV ? 1 : -1;
	return 0;
}

static int undo_hostcgroup(const struct cleanup_run *r, const char *what)
{
	(void)r;
	static char path[PATH_MAX];
	const char *colon = strchr(what, ':');
	if (!colon || cleanup_field_decode(colon + 1, path, sizeof(path)) < 0) {
		errno = EINVAL;
		return -1;
	}
	if (rmdir(path) < 0)
		return errno == ENOENT ? 1 : -1;
	return 0;
}

const struct cleanup_kind cleanup_kind_process = {.check = cleanup_check_process, .undo = undo_process};
const struct cleanup_kind cleanup_kind_mount = {.check = cleanup_check_in_run_dir, .undo = undo_mount};
const struct cleanup_kind cleanup_kind_dir = {.check = cleanup_check_in_run_dir, .undo = undo_dir};
const struct cleanup_kind cleanup_kind_link = {.check = cleanup_check_link, .undo = undo_link};
const struct cleanup_kind cleanup_kind_netns = {.check = cleanup_check_netns, .undo = undo_netns};
const struct cleanup_kind cleanup_kind_file = {.check = cleanup_check_in_run_dir, .undo = undo_file};
const struct cleanup_kind cleanup_kind_ipc = {.check = cleanup_check_ipc, .undo = undo_ipc};
const struct cleanup_kind cleanup_kind_utsname = {.check = cleanup_check_utsname, .undo = undo_utsname};
const struct cleanup_kind cleanup_kind_hostmount = {.check = cleanup_check_hostmount, .undo = undo_hostmount};
const struct cleanup_kind cleanup_kind_hostlink = {.check = cleanup_check_hostlink, .undo = undo_hostlink};
const struct cleanup_kind cleanup_kind_hostcgroup = {.check = cleanup_check_hostcgroup,
						     .undo = undo_hostcgroup};
const struct cleanup_kind cleanup_kind_hostaddr = {.check = cleanup_check_hostaddr, .undo = undo_hostaddr};
