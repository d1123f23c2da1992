/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labs/container.c: the capstone. A container from the pieces.
 *
 * The main process is cloned into new user, mount, UTS, IPC, PID and network
 * namespaces at once (uid 0 inside mapped to an unprivileged uid outside).
 * The steps then give it a hostname, a root filesystem on a tmpfs with a
 * fresh /proc (pivot_root, old root detached), a cgroup with a CPU limit and
 * a cgroup namespace rooted there, a time namespace, and finally run a busy
 * loop under the limit. `build` does all of it in one go. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HOSTNAME "container"
#define CG_NAME "container"
#define QUOTA_US 50000L
#define PERIOD_US 100000L
#define TIME_OFFSET 864000L /* ten days, in seconds */
#define OLDROOT "/.oldroot"
#define CLONE_FLAGS (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET)

/* What goes into the image: a shell and the tools the steps use. */
static const char *const programs[] = {
    "/bin/sh",    "/bin/ls",    "/bin/ps",    "/bin/hostname", "/bin/cat",    "/bin/id",
    "/bin/mount", "/bin/uname", "/bin/sleep", "/bin/timeout",  "/bin/uptime", "/bin/date",
};

static const char *const ns_rows[] = {
    "cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "time_for_children", "user", "uts",
};

struct ids {
	uid_t uid;
	gid_t gid;
};

/* Root inside maps to an ordinary uid outside, as rootless containers and
 * docker's userns-remap do: the invoking user, or nobody under plain root. */
static struct ids outside_ids(struct nslab_host *h)
{
	if (h->invoking_uid != 0)
		return (struct ids){h->invoking_uid, h->invoking_gid};
	return (struct ids){NSLAB_NOBODY, NSLAB_NOBODY};
}

/* The new root's path: the same string inside the container's mount
 * namespace (where the tmpfs is) and on the host (an empty directory). */
static void newroot(struct nslab_host *h, char *buf, size_t len)
{
	snprintf(buf, len, "%s/rootfs", h->workdir(h));
}

static bool have_timens(void)
{
	return access("/proc/self/ns/time", F_OK) == 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	int err = errno;
	close(fd);
	errno = err;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* --- inside the container (h->call and spawn init) --- */

/* Runs in the container once nslab has written its maps. Nothing mounted
 * in here may propagate back to the host. Then become uid/gid 0 of the new
 * user namespace: clone() kept host root's ids, which have no mapping in
 * it; after setresuid(0) the host sees the mapped, ordinary uid (runc does
 * the same). The capabilities in the namespace stay. */
static int ag_init(void *arg, char *out, size_t outlen)
{
	(void)arg;
	(void)out;
	(void)outlen;
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0) /* type ignored */
		return -1;
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return -1;
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	return 0;
}

static int ag_sethostname(void *arg, char *out, size_t outlen)
{
	(void)arg;
	(void)out;
	(void)outlen;
	return sethostname(HOSTNAME, strlen(HOSTNAME));
}

static int ag_uname(void *arg, char *out, size_t outlen)
{
	(void)arg;
	struct utsname u;
	if (uname(&u) < 0)
		return -1;
	snprintf(out, outlen, "%s", u.nodename);
	return 0;
}

/* Part one of the root: a tmpfs on the new root's path, in this mount
 * namespace only. nslab then copies the image into it from the host. */
static int ag_mount_tmpfs(void *arg, char *out, size_t outlen)
{
	const char *root = arg;
	(void)out;
	(void)outlen;
	return mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64m");
}

/* Part two: /proc and /dev/null inside the new root, then pivot_root and
 * detach the old root. /proc must be mounted while the host's /proc is still
 * visible: in a user namespace the kernel refuses a proc mount that would
 * reveal more than an existing one (mount_too_revealing). */
static int ag_pivot(void *arg, char *out, size_t outlen)
{
	const char *root = arg;
	char path[4096];
	snprintf(path, sizeof(path), "%s/proc", root);
	if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/dev/null", root);
	if (mount("/dev/null", path, "none", MS_BIND, NULL) < 0)
		snprintf(out, outlen, "no /dev/null: %s", strerror(errno)); /* nice to have, not needed */
	snprintf(path, sizeof(path), "%s" OLDROOT, root);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -1;
	if (chdir(root) < 0 || syscall(SYS_pivot_root, ".", "." OLDROOT) < 0)
		return -1;
	if (chdir("/") < 0 || umount2(OLDROOT, MNT_DETACH) < 0)
		return -1;
	return rmdir(OLDROOT);
}

enum { ROOT_TMPFS = 1, ROOT_NO_OLD = 2, ROOT_PROC = 4, ROOT_SHELL = 8, ROOT_CWD = 16, ROOT_ALL = 31 };

static int ag_rootstate(void *arg, char *out, size_t outlen)
{
	(void)arg;
	(void)out;
	(void)outlen;
	int r = 0;
	struct statfs sf;
	char self[16] = "";
	if (statfs("/", &sf) == 0 && sf.f_type == TMPFS_MAGIC)
		r |= ROOT_TMPFS;
	if (access(OLDROOT, F_OK) < 0 && access("/run/nslab", F_OK) < 0)
		r |= ROOT_NO_OLD;
	/* A proc of this PID namespace says "1" for self: we are its PID 1. */
	if (readlink("/proc/self", self, sizeof(self) - 1) > 0 && strcmp(self, "1") == 0)
		r |= ROOT_PROC;
	if (access("/bin/sh", X_OK) == 0)
		r |= ROOT_SHELL;
	/* A cwd outside the root (left on the host's filesystem by a pivot that
	 * did not move it): getcwd fails or says "(unreachable)". */
	char cwd[4096];
	if (getcwd(cwd, sizeof(cwd)) && cwd[0] == '/')
		r |= ROOT_CWD;
	return r;
}

/* A time namespace: unshare only sets it up for children; write the
 * offsets while nothing lives in it yet, then step in with setns(). */
static int ag_timens(void *arg, char *out, size_t outlen)
{
	(void)arg;
	(void)out;
	(void)outlen;
	char offsets[96];
	snprintf(offsets, sizeof(offsets), "monotonic %ld 0\nboottime %ld 0\n", TIME_OFFSET, TIME_OFFSET);
	if (unshare(CLONE_NEWTIME) < 0)
		return -1;
	int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, offsets, strlen(offsets));
	close(fd);
	if (n < 0)
		return -1;
	fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = setns(fd, CLONE_NEWTIME);
	close(fd);
	return rc;
}

static int ag_boottime(void *arg, char *out, size_t outlen)
{
	(void)arg;
	(void)out;
	(void)outlen;
	struct timespec t;
	clock_gettime(CLOCK_BOOTTIME, &t);
	return (int)t.tv_sec;
}

/* A busy loop for 1.5 s in a child: it inherits every namespace and the
 * cgroup, so the quota applies to it. */
static int ag_burn(void *arg, char *out, size_t outlen)
{
	(void)arg;
	(void)out;
	(void)outlen;
	pid_t pid = nslab_fork_tied();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* CLOCK_REALTIME: the one clock a time namespace leaves alone (a
		 * step back ends the loop rather than prolonging it). */
		struct timespec t0, t;
		long ms;
		clock_gettime(CLOCK_REALTIME, &t0);
		do {
			clock_gettime(CLOCK_REALTIME, &t);
			ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		} while (ms >= 0 && ms < 1500);
		_exit(0);
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return 0;
}

/* --- step 1: hostname --- */

static bool check_hostname(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	char inside[256] = "", host[256] = "";
	if (h->same_ns(h, pid, "uts") == 1) {
		h->missing(h, "the container shares the host's UTS namespace");
		return false;
	}
	gethostname(host, sizeof(host));
	if (h->call(h, pid, ag_uname, NULL, 0, inside, sizeof(inside)) < 0) {
		h->missing(h, "cannot ask the container for its hostname: %s", strerror(errno));
		return false;
	}
	if (strcmp(inside, host) == 0) {
		h->missing(h,
			   "the container still has the host's hostname \"%s\": `run hostname " HOSTNAME "`",
			   host);
		return false;
	}
	return true;
}

static int do_hostname(struct nslab_host *h)
{
	if (h->call(h, h->main_pid(h), ag_sethostname, NULL, 0, NULL, 0) < 0) {
		h->error(h, "sethostname: %s", strerror(errno));
		return -1;
	}
	h->trace(h, "sethostname(\"" HOSTNAME "\", %zu) = 0", strlen(HOSTNAME));
	h->print(h, "The container is called \"" HOSTNAME "\"; the host keeps its name.\n");
	return 0;
}

/* --- step 2: root filesystem --- */

static bool check_root(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	int r = h->call(h, pid, ag_rootstate, NULL, 0, NULL, 0);
	if (r < 0) {
		h->missing(h, "cannot look at the container's root: %s", strerror(errno));
		return false;
	}
	if (!(r & ROOT_TMPFS))
		h->missing(h, "the container's / is not a tmpfs yet: `rootfs`");
	if ((r & ROOT_TMPFS) && !(r & ROOT_NO_OLD))
		h->missing(h, "the old root is still reachable inside the container (" OLDROOT
			      " or /run/nslab)");
	if (!(r & ROOT_PROC))
		h->missing(h, "the container's /proc is not a fresh proc for its PID namespace");
	if ((r & ROOT_TMPFS) && !(r & ROOT_SHELL))
		h->missing(h, "the container's root has no /bin/sh");
	if ((r & ROOT_TMPFS) && !(r & ROOT_CWD))
		h->missing(h,
			   "the container process's working directory is outside its root, on the host's "
			   "filesystem (every `run` would start there): `reset`, then `rootfs`, which does "
			   "chdir(\"/\") after pivot_root");
	return r == ROOT_ALL;
}

static int add_image(struct nslab_host *h, const char *hostview)
{
	char path[4200];
	static const char *const dirs[] = {"/proc", "/dev", "/tmp", "/etc", "/root"};
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s%s", hostview, dirs[i]);
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			h->error(h, "mkdir %s: %s", path, strerror(errno));
			return -1;
		}
	}
	snprintf(path, sizeof(path), "%s/dev/null", hostview);
	write_file(path, "");
	snprintf(path, sizeof(path), "%s/etc/passwd", hostview);
	write_file(path, "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n");
	snprintf(path, sizeof(path), "%s/etc/group", hostview);
	write_file(path, "root:x:0:\nnogroup:x:65534:\n");
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(programs); i++) {
		if (access(programs[i], X_OK) < 0)
			continue; /* an optional tool this host lacks */
		if (h->rootfs_add(h, hostview, programs[i]) < 0)
			return -1;
	}
	return 0;
}

/* A tmpfs mounted in a user namespace refuses files whose owner has no
 * mapping there (EOVERFLOW), and host root is not mapped in the container.
 * So the copy runs in a child whose filesystem uid and gid are the ones
 * that container root maps to: the files then belong to root inside. */
static int add_image_as(struct nslab_host *h, const char *hostview, struct ids id)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		h->error(h, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setfsgid(id.gid);
		setfsuid(id.uid);
		int rc = add_image(h, hostview);
		fflush(NULL);
		_exit(rc < 0 ? 1 : 0);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			h->error(h, "waiting for the image copy: %s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	/* the child's own words may not reach the screen (it has a copy of
	 * nslab's output, not nslab's): say it here, in nslab */
	h->error(h, "the image could not be copied into %s as uid %u, gid %u", hostview, (unsigned)id.uid,
		 (unsigned)id.gid);
	return -1;
}

/* Is the process's / the initramfs itself ("rootfs" in its mountinfo)? */
static bool on_rootfs(pid_t pid)
{
	char path[64], line[1024];
	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	FILE *f = fopen(path, "re");
	bool yes = false;
	while (f && !yes && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");
		yes = sep && strstr(line, " / / ") && strncmp(sep + 3, "rootfs ", 7) == 0;
	}
	if (f)
		fclose(f);
	return yes;
}

static int do_root(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	char root[1024], hostview[1200];
	if (h->call(h, pid, ag_rootstate, NULL, 0, NULL, 0) == ROOT_ALL) {
		h->print(h, "The container already lives on its own root.\n");
		return 0;
	}
	newroot(h, root, sizeof(root));
	if (mkdir(root, 0755) < 0 && errno != EEXIST) {
		h->error(h, "mkdir %s: %s", root, strerror(errno));
		return -1;
	}
	if (h->call(h, pid, ag_mount_tmpfs, root, strlen(root) + 1, NULL, 0) < 0) {
		h->error(h, "mount tmpfs on %s in the container: %s", root, strerror(errno));
		return -1;
	}
	h->trace(h, "mount(\"tmpfs\", \"%s\", \"tmpfs\", MS_NOSUID|MS_NODEV, \"mode=0755,size=64m\") = 0",
		 root);
	/* The tmpfs exists only in the container's mount namespace; the host
	 * reaches it through the magic link /proc/PID/root. */
	snprintf(hostview, sizeof(hostview), "/proc/%d/root%s", (int)pid, root);
	if (add_image_as(h, hostview, outside_ids(h)) < 0)
		return -1;
	h->trace(h, "[nslab copies sh, ls, ps, hostname, ... and their libraries into %s]", hostview);
	char note[256] = "";
	if (h->call(h, pid, ag_pivot, root, strlen(root) + 1, note, sizeof(note)) < 0) {
		int err = errno;
		if (err == EINVAL && on_rootfs(pid))
			h->error(
			    h,
			    "pivot_root: the current root is the initramfs (rootfs), which pivot_root "
			    "cannot move; run nslab on a system booted from a disk (or after switch_root)");
		else
			h->error(h, "pivot into the new root: %s", strerror(err));
		return -1;
	}
	h->trace(h, "mount(\"proc\", \"%s/proc\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) = 0", root);
	h->trace(h, "mount(\"/dev/null\", \"%s/dev/null\", NULL, MS_BIND, NULL) = %s", root,
		 note[0] ? "-1" : "0");
	h->trace(h, "chdir(\"%s\") = 0", root);
	h->trace(h, "pivot_root(\".\", \"." OLDROOT "\") = 0");
	h->trace(h, "umount2(\"" OLDROOT "\", MNT_DETACH) = 0");
	h->trace(h, "rmdir(\"" OLDROOT "\") = 0");
	char rootlink[64];
	snprintf(rootlink, sizeof(rootlink), "/proc/%d/root", (int)pid);
	h->set_root(h, rootlink);
	h->print(h,
		 "The container's / is now a tmpfs holding only the image; the host's tree is gone from its "
		 "mount namespace. `run ls /`, `run ps`.\n");
	return 0;
}

/* --- step 3: cgroup and cgroup namespace --- */

static bool check_cgroup(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	char want[512] = "", seen[512] = "", inside[512] = "";
	struct nslab_cpu_stat st = {.size = sizeof(struct nslab_cpu_stat)};
	h->cg_path(h, CG_NAME, want, sizeof(want));
	if (nslab_proc_cgroup(pid, seen, sizeof(seen)) < 0 || strcmp(seen, want) != 0) {
		h->missing(h, "the container is not in its cgroup %s (the host sees %s): `limit`", want,
			   seen);
		return false;
	}
	bool ok = true;
	if (h->cg_stat(h, CG_NAME, &st) < 0 || st.quota_us <= 0) {
		h->missing(h, "cgroup %s has no CPU quota", want);
		ok = false;
	}
	if (h->same_ns(h, pid, "cgroup") == 1) {
		h->missing(h, "the container still shares the host's cgroup namespace");
		return false;
	}
	if (h->call(h, pid, nslab_call_own_cgroup, NULL, 0, inside, sizeof(inside)) < 0 ||
	    strcmp(inside, "/") != 0) {
		h->missing(h, "inside, the container reads its cgroup as \"%s\", not /", inside);
		ok = false;
	}
	return ok;
}

static int do_cgroup(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	char path[512] = "", dir[PATH_MAX];
	if (h->cg_create(h, CG_NAME) < 0 || h->cg_set_quota(h, CG_NAME, QUOTA_US, PERIOD_US) < 0 ||
	    h->cg_attach(h, CG_NAME, pid) < 0) {
		if (geteuid() != 0)
			h->error(
			    h, "a cgroup needs root, or a cgroup subtree delegated to your user (systemd's "
			       "Delegate=yes, what rootless podman uses): run nslab with sudo for this step");
		return -1;
	}
	h->cg_path(h, CG_NAME, path, sizeof(path));
	if (h->cg_dir(h, CG_NAME, 0, dir, sizeof(dir)) < 0)
		snprintf(dir, sizeof(dir), "<cpu hierarchy>%s", path);
	bool v2 = h->cg_mode(h) == NSLAB_CG_V2;
	h->trace(h, "mkdir(\"%s\", 0755) = 0", dir);
	if (v2)
		h->trace(h, "write(\"%s/cpu.max\", \"%ld %ld\") = 0", dir, QUOTA_US, PERIOD_US);
	else
		h->trace(h, "write(\"%s/cpu.cfs_quota_us\", \"%ld\") = 0", dir, QUOTA_US);
	h->trace(h, "write(\"%s/cgroup.procs\", \"%d\") = 0", dir, (int)pid);
	if (h->same_ns(h, pid, "cgroup") == 1) {
		if (h->call(h, pid, nslab_call_unshare, &(int){CLONE_NEWCGROUP}, sizeof(int), NULL, 0) < 0) {
			h->error(h, "unshare(CLONE_NEWCGROUP): %s", strerror(errno));
			return -1;
		}
		h->trace(h, "unshare(CLONE_NEWCGROUP) = 0   [in the container, after the move]");
	}
	h->print(h, "The container is in %s with %ld%% of one CPU, and reads that cgroup as /.\n", path,
		 QUOTA_US * 100 / PERIOD_US);
	return 0;
}

/* --- step 4: time namespace --- */

static bool check_time(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	if (!have_timens())
		return true; /* nothing to do on this kernel: the step says so */
	if (h->same_ns(h, pid, "time") == 1 || h->same_ns(h, pid, "time_for_children") == 1) {
		h->missing(h, "the container shares the host's time namespace: `clock`");
		return false;
	}
	struct timespec t;
	clock_gettime(CLOCK_BOOTTIME, &t);
	int inside = h->call(h, pid, ag_boottime, NULL, 0, NULL, 0);
	long diff = (long)inside - (long)t.tv_sec;
	if (inside < 0 || labs(diff - TIME_OFFSET) > 2) {
		h->missing(h, "the container's boot time is %+lds off the host's, not %+lds", diff,
			   TIME_OFFSET);
		return false;
	}
	return true;
}

static int do_time(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	if (!have_timens()) {
		h->print(h, "This kernel has no time namespaces (Linux 5.6+): nothing to do.\n");
		return 0;
	}
	if (h->same_ns(h, pid, "time") != 1) {
		h->print(h, "The container already has its own clock.\n");
		return 0;
	}
	if (h->call(h, pid, ag_timens, NULL, 0, NULL, 0) < 0) {
		h->error(h, "time namespace: %s", strerror(errno));
		return -1;
	}
	h->trace(h, "unshare(CLONE_NEWTIME) = 0");
	h->trace(h, "write(\"/proc/self/timens_offsets\", \"monotonic %ld 0\\nboottime %ld 0\\n\") = 0",
		 TIME_OFFSET, TIME_OFFSET);
	h->trace(h, "setns(open(\"/proc/self/ns/time_for_children\"), CLONE_NEWTIME) = 0");
	h->print(h, "The container's clocks since boot run %ld days ahead:\n`run uptime` vs `host uptime`.\n",
		 TIME_OFFSET / 86400);
	return 0;
}

/* --- step 5: run under the limit, compare with the host --- */

static bool every_row_differs(struct nslab_host *h, pid_t pid)
{
	bool ok = true;
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(ns_rows); i++) {
		bool timerow = strncmp(ns_rows[i], "time", 4) == 0;
		if (timerow && !have_timens())
			continue;
		if (h->same_ns(h, pid, ns_rows[i]) == 1) {
			h->missing(h, "the container shares the host's %s namespace", ns_rows[i]);
			ok = false;
		}
	}
	return ok;
}

static bool check_run(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	struct nslab_cpu_stat st = {.size = sizeof(struct nslab_cpu_stat)};
	bool ok = every_row_differs(h, pid);
	if (h->call(h, pid, ag_rootstate, NULL, 0, NULL, 0) != ROOT_ALL) {
		h->missing(h, "the container's root is not its own tmpfs");
		ok = false;
	}
	if (h->cg_stat(h, CG_NAME, &st) < 0 || st.quota_us <= 0) {
		h->missing(h, "the container's cgroup has no CPU limit");
		return false;
	}
	if (st.nr_throttled == 0) {
		h->missing(h, "nothing in the container has hit the limit yet (nr_throttled is 0): "
			      "`run timeout 2 sh -c 'while :; do :; done'`");
		ok = false;
	}
	return ok;
}

static int do_run(struct nslab_host *h)
{
	struct nslab_cpu_stat a = {.size = sizeof(a)}, b = {.size = sizeof(b)};
	struct timespec t0, t1;
	if (h->cg_stat(h, CG_NAME, &a) < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (h->call(h, h->main_pid(h), ag_burn, NULL, 0, NULL, 0) < 0) {
		h->error(h, "cannot start the busy loop: %s", strerror(errno));
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (h->cg_stat(h, CG_NAME, &b) < 0)
		return -1;
	double wall = (double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
	double pct = wall > 0 ? 100.0 * (double)(b.usage_usec - a.usage_usec) / wall : 0;
	h->trace(h, "fork() = <child>; the child spins for 1.5 s; wait4(<child>) = 0");
	h->print(
	    h,
	    "A busy loop in the container got %.0f%% of a CPU over %.1f s (limit %ld%%); throttled in %llu "
	    "periods.\n",
	    pct, wall / 1e6, b.quota_us * 100 / (b.period_us ? b.period_us : PERIOD_US),
	    (unsigned long long)b.nr_throttled);
	return 0;
}

/* build: every step at once, each one skipping what is already done. */
static int cmd_build(struct nslab_host *h, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pid_t pid = h->main_pid(h);
	char name[256] = "";
	h->call(h, pid, ag_uname, NULL, 0, name, sizeof(name));
	/* Go on after a failed piece: the others still show something. */
	int failed = 0;
	if (strcmp(name, HOSTNAME) != 0 && do_hostname(h) < 0)
		failed++;
	failed += do_root(h) < 0;
	if (do_cgroup(h) < 0)
		failed++;
	else
		failed += do_run(h) < 0;
	failed += do_time(h) < 0;
	if (failed) {
		h->error(h, "%d piece%s of the container could not be built (see above)", failed,
			 failed == 1 ? "" : "s");
		return -1;
	}
	h->print(h, "Built: `ns` shows every row different; `run ps`, `run hostname`, `run id`.\n");
	return 0;
}

static int cmd_rootfs(struct nslab_host *h, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return do_root(h);
}

static int cmd_limit(struct nslab_host *h, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return do_cgroup(h);
}

static int cmd_clock(struct nslab_host *h, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return do_time(h);
}

static const struct nslab_command commands[] = {
    {"build", "build", "build the whole container in one go (every step's do)", 0, 0, cmd_build},
    {"rootfs", "rootfs", "tmpfs root with an image, a fresh /proc, pivot_root, old root detached", 0, 0,
     cmd_rootfs},
    {"limit", "limit", "cgroup nslab/<pid>/" CG_NAME " with a 50% CPU quota, then a cgroup namespace", 0, 0,
     cmd_limit},
    {"clock", "clock", "a time namespace ten days ahead (unshare, timens_offsets, setns)", 0, 0, cmd_clock},
};

static const struct nslab_step steps[] = {
    {
	.title = "A name of its own",
	.task = "The container process was cloned into new user, mount, UTS, IPC, PID and\n"
		"network namespaces in one call. Look at it with `ns`, then name it:\n"
		"  run hostname container\n"
		"  run hostname\n"
		"  host hostname",
	.hint = "Inside the container you are uid 0 of its user namespace, which owns its UTS\n"
		"namespace: that is enough for sethostname.",
	.explain = "clone(CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET)\n"
		   "made every namespace at once; the user namespace is created first and owns\n"
		   "the others. nslab then wrote uid_map and gid_map (\"0 <uid> 1\"): root inside\n"
		   "is an ordinary uid outside (`host grep Uid /proc/$NSLAB_LAB_PID/status`).\n"
		   "sethostname() changed the nodename in the container's UTS namespace only.",
	.check = check_hostname,
	.perform = do_hostname,
    },
    {
	.title = "A root filesystem and a fresh /proc",
	.task = "Give the container its own root, the way the pivot-root lab did, plus a\n"
		"/proc of its own:\n"
		"  rootfs\n"
		"  run ls /\n"
		"  run ps\n"
		"  run cat /proc/self/mountinfo\n"
		"  host ls $NSLAB_LAB_ROOT",
	.hint = "`rootfs` mounts a tmpfs, copies a small image in (sh, ls, ps, hostname, ...\n"
		"with their libraries), mounts proc, then pivots and detaches the old root.",
	.explain = "Inside the container's mount namespace: mount(\"tmpfs\") on the new root;\n"
		   "nslab copies the image in through /proc/PID/root (the tmpfs is invisible\n"
		   "from the host's mount namespace); mount(\"proc\") on its /proc (before the\n"
		   "pivot: in a user namespace the kernel only allows a proc mount while an\n"
		   "unobstructed one is visible); pivot_root(\".\", \".oldroot\");\n"
		   "umount2(\"/.oldroot\", MNT_DETACH). The new proc belongs to the container's\n"
		   "PID namespace: `run ps` lists only its processes, and the container process\n"
		   "itself is PID 1.",
	.check = check_root,
	.perform = do_root,
    },
    {
	.title = "A cgroup with a CPU limit",
	.task = "Put the container in a cgroup that allows half a CPU, then give it a cgroup\n"
		"namespace:\n"
		"  limit\n"
		"  status\n"
		"  run cat /proc/self/cgroup\n"
		"  host cat /proc/$NSLAB_LAB_PID/cgroup",
	.hint = "Order matters: move into the cgroup first, then unshare(CLONE_NEWCGROUP), so\n"
		"that the namespace is rooted at the container's own cgroup (runc does the\n"
		"same).",
	.explain = "mkdir created nslab/<pid>/container; cpu.cfs_quota_us=50000 with\n"
		   "cpu.cfs_period_us=100000 (cpu.max \"50000 100000\" on cgroup v2) allow 50 ms\n"
		   "of CPU time per 100 ms: half a CPU. Writing the PID to cgroup.procs moved\n"
		   "the container. unshare(CLONE_NEWCGROUP) then made that cgroup the\n"
		   "container's \"/\" while /proc/PID/cgroup on the host shows the full path.",
	.check = check_cgroup,
	.perform = do_cgroup,
    },
    {
	.title = "A clock of its own",
	.task = "Give the container a time namespace whose clocks since boot run ten days\n"
		"ahead:\n"
		"  clock\n"
		"  run uptime\n"
		"  host uptime\n"
		"  run date\n"
		"  host date\n"
		"(On kernels before 5.6 there are no time namespaces: this step has nothing\n"
		"to do.)",
	.hint = "Like PID namespaces, unshare(CLONE_NEWTIME) affects only children: the\n"
		"offsets are written first, then the container process steps in with setns().",
	.explain = "unshare(CLONE_NEWTIME) created a time namespace for future children\n"
		   "(time_for_children); writing \"monotonic 864000 0\" and \"boottime 864000 0\" to\n"
		   "/proc/self/timens_offsets set its offsets (allowed only before any process\n"
		   "enters); setns() on /proc/self/ns/time_for_children moved the container\n"
		   "itself in. CLOCK_MONOTONIC and CLOCK_BOOTTIME are shifted; CLOCK_REALTIME\n"
		   "(`date`) is not namespaced. Docker does not use time namespaces; CRIU does,\n"
		   "to restore containers on another machine.",
	.check = check_time,
	.perform = do_time,
    },
    {
	.title = "Run it, and compare with docker run",
	.task = "Run a bounded busy loop in the container and watch the limit hold:\n"
		"  run timeout 2 sh -c 'while :; do :; done'\n"
		"  host cat $NSLAB_CGROUP_DIR/container/cpu.stat\n"
		"  ns\n"
		"($NSLAB_CGROUP_DIR is nslab's tree in the cpu hierarchy, on v1 and v2 alike.)\n"
		"Every row of `ns` now differs from the host.",
	.hint = "nr_throttled in cpu.stat counts the periods in which the cgroup used up its\n"
		"quota.",
	.explain = "What you built is what `docker run --hostname container --cpus 0.5\n"
		   "IMAGE sh` asks runc for, on a daemon started with userns-remap (a dockerd\n"
		   "option in daemon.json, not a docker run flag: it maps root in every\n"
		   "container to a 65536-id subordinate range; by default Docker uses no user\n"
		   "namespace): clone() with the namespace flags, uid/gid maps, the image's root (overlayfs "
		   "layers there, a tmpfs copy\n"
		   "here) with pivot_root, a fresh /proc, sethostname, a cgroup with cpu quota\n"
		   "50000/100000 and a cgroup namespace. Docker adds: a veth pair to the docker0\n"
		   "bridge instead of an empty network namespace, /dev and /sys mounts, a\n"
		   "reduced capability set, a seccomp filter and an AppArmor/SELinux profile,\n"
		   "and no time namespace. \"Containers are processes born from tarballs,\n"
		   "anchored to namespaces, controlled by cgroups.\"",
	.check = check_run,
	.perform = do_run,
    },
};

static const char *unsupported(struct nslab_host *h)
{
	if (access("/proc/self/ns/user", F_OK) < 0 || access("/proc/self/ns/cgroup", F_OK) < 0)
		return "this kernel lacks user or cgroup namespaces";
	if (h->cg_mode(h) == NSLAB_CG_NONE)
		return "no cgroup hierarchy with the cpu controller is mounted";
	return NSLAB_NEED_HOST(h, cg_dir);
}

static int setup(struct nslab_host *h)
{
	struct ids id = outside_ids(h);
	char uid_map[32], gid_map[32];
	snprintf(uid_map, sizeof(uid_map), "0 %u 1", (unsigned)id.uid);
	snprintf(gid_map, sizeof(gid_map), "0 %u 1", (unsigned)id.gid);
	struct nslab_spawn how = {
	    .size = sizeof(struct nslab_spawn),
	    .label = "container",
	    .clone_flags = CLONE_FLAGS,
	    .uid_map = uid_map,
	    .gid_map = gid_map,
	    .init = ag_init,
	};
	pid_t pid = h->spawn(h, &how);
	if (pid < 0)
		return -1;
	h->trace(h, "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL) = 0   [in the container]");
	h->trace(h, "setresgid(0, 0, 0) = 0; setresuid(0, 0, 0) = 0   [in the container]");
	h->print(
	    h,
	    "The container process is PID %d on the host (PID 1 inside);\nroot inside is uid %u outside.\n",
	    (int)pid, (unsigned)id.uid);
	return 0;
}

static const struct nslab_lab lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "container",
    .title = "Capstone: a container from the pieces",
    .summary =
	"A container is not a thing the kernel knows about: it is an ordinary process that was born into "
	"new namespaces, given a root filesystem of its own, and put in a cgroup. This lab assembles one "
	"from everything the earlier labs took apart: every namespace at once, a user namespace mapping "
	"root inside to an ordinary uid outside, a hostname, a tmpfs root with a fresh /proc via "
	"pivot_root, a cgroup with a CPU limit and its cgroup namespace, and a time namespace. `build` "
	"does it all in one go; the steps do it piece by piece.",
    .order = 200,
    NSLAB_STEPS(steps),
    .unsupported = unsupported,
    .setup = setup,
    /* Rootless works: the user namespace comes first, and it owns the rest.
     * Only the cgroup step needs root (or a delegated subtree), and says so. */
    .unprivileged = true,
    NSLAB_COMMANDS(commands),
};

NSLAB_LAB(lab)
