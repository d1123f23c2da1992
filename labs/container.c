/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labs/container.c: the capstone. A container from the pieces.
 *
 * The main process is cloned into new user, mount, UTS, IPC, PID and network
 * namespaces at once (uid 0 inside mapped to an unprivileged uid outside).
 * The steps then give it a hostname, an overlay root (the image as the
 * read-only lower layer, the container layer on a tmpfs) with a fresh /proc
 * (pivot_root, old root detached), a cgroup with a CPU limit and
 * a cgroup namespace rooted there, a time namespace, and finally run a busy
 * loop under the limit. `build` does all of it in one go. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <dirent.h>
#include <errno.h>
#include <seccomp.h>
#include <sys/capability.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdint.h>
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
#include <sys/sysmacros.h>
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
#define OVERLAYFS_MAGIC 0x794c7630 /* OVERLAYFS_SUPER_MAGIC, <linux/magic.h> */
#define CLONE_FLAGS (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET)

/* What goes into the image: a shell and the tools the steps use. */
static const char
    *const programs[] =
	{
	    "/bin/sh",     "/bin/ls",    "/bin/ps",     "/bin/hostname", "/bin/cat",
	    "/bin/id",     "/bin/mount", "/bin/uname",  "/bin/sleep",    "/bin/timeout",
	    "/bin/uptime", "/bin/date",  "/bin/umount", /* the real-tool root detaches the old root from
							   inside */
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

/* The container layer's path: the same string inside the container's mount
 * namespace (where its tmpfs is) and on the host (an empty directory). */
static void newroot(struct nslab_host *h, char *buf, size_t len)
{
	snprintf(buf, len, "%s/rootfs", h->workdir(h));
}

/* The image, the overlay's read-only lower layer: a plain directory of the
 * lab's workdir, made on the host before the overlay is mounted, so the
 * container's mount namespace (a copy of the host's) reaches it by the same
 * path. */
static void imagedir(struct nslab_host *h, char *buf, size_t len)
{
	snprintf(buf, len, "%s/image", h->workdir(h));
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

/* The overlay: upper, work and merged on the container layer's tmpfs, the
 * image as lowerdir. arg: "ROOT\0IMAGE". Mounting it needs CAP_SYS_ADMIN in
 * the user namespace owning this mount namespace, which root inside has
 * (unprivileged overlay, Linux 5.11). */
static int ag_mount_overlay(void *arg, char *out, size_t outlen)
{
	const char *root = arg, *image = root + strlen(root) + 1;
	static const char *const dirs[] = {"upper", "work", "merged"};
	char path[4096], opts[3 * 4096];
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return nslab_fail(out, outlen, "mkdir");
	}
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s/upper,workdir=%s/work", image, root, root);
	if (mount("overlay", path, "overlay", 0, opts) < 0)
		return nslab_fail(out, outlen, "mount(\"overlay\")");
	return 0;
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

/* ROOT_OWN: / is an overlay (or, on a kernel before 5.11, the tmpfs copy). */
enum { ROOT_OWN = 1, ROOT_NO_OLD = 2, ROOT_PROC = 4, ROOT_SHELL = 8, ROOT_CWD = 16, ROOT_ALL = 31 };

static int ag_rootstate(void *arg, char *out, size_t outlen)
{
	(void)arg;
	int r = 0;
	struct statfs sf;
	char self[16] = "";
	if (statfs("/", &sf) == 0 && (sf.f_type == OVERLAYFS_MAGIC || sf.f_type == TMPFS_MAGIC))
		r |= ROOT_OWN;
	if (out && outlen)
		snprintf(out, outlen, "%s",
			 !(r & ROOT_OWN)            ? ""
			 : sf.f_type == TMPFS_MAGIC ? "tmpfs"
						    : "overlay");
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

/* The hostname of a learner's process in a UTS namespace of its own
 * (`host unshare --uts sh -c 'hostname container; sleep infinity' &`, a
 * watched PID), read in that namespace by nsenter(1): it is not one of
 * nslab's agents, and /proc/sys/kernel/hostname shows the reader's. */
static bool subject_hostname(struct nslab_host *h, pid_t pid, char *buf, size_t len)
{
	char cmd[128], *out = NULL;
	snprintf(cmd, sizeof(cmd), "nsenter --target %d --uts cat /proc/sys/kernel/hostname", (int)pid);
	bool ok = h->host_run(h, cmd, &out) == 0 && out && out[0];
	if (ok) {
		out[strcspn(out, "\n")] = '\0';
		snprintf(buf, len, "%s", out);
	}
	free(out);
	return ok;
}

/* Adds the processes of the cgroup dir and those below it to out (once
 * each, not nslab itself nor the container process). */
static void add_cgroup_members(const char *dir, int depth, pid_t *out, unsigned max, unsigned *n, pid_t skip)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	FILE *f = fopen(path, "re");
	long pid;
	while (f && *n < max && fscanf(f, "%ld", &pid) == 1) {
		bool seen = pid <= 0 || pid == getpid() || pid == skip;
		for (unsigned i = 0; i < *n && !seen; i++)
			seen = out[i] == (pid_t)pid;
		if (!seen)
			out[(*n)++] = (pid_t)pid;
	}
	if (f)
		fclose(f);
	DIR *d = depth < 4 ? opendir(dir) : NULL; /* nslab's tree is shallow; a bound all the same */
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (de->d_type == DT_DIR && de->d_name[0] != '.' &&
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < (int)sizeof(path))
			add_cgroup_members(path, depth + 1, out, max, n, skip);
	if (d)
		closedir(d);
}

/* The first cgroup2 mount (hybrid's unified tree, v2's only one). */
static bool first_cgroup2(char *mnt, size_t len)
{
	FILE *f = fopen("/proc/self/mounts", "re");
	char line[1024], dir[512], type[32];
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %511s %31s", dir, type) == 2 && strcmp(type, "cgroup2") == 0)
			found = snprintf(mnt, len, "%s", dir) > 0;
	if (f)
		fclose(f);
	return found;
}

/* The learner's processes: the lab's subjects but the container process,
 * and every process in a cgroup under nslab/<nslab pid>/ of the hierarchies
 * that hold cpu, memory and pids, and of the cgroup2 one. The lab cgroup
 * is in one tracking hierarchy (cgroup2 on v2 and hybrid, pids or freezer
 * on pure v1): `cgexec -g cpu:nslab/.../container` on v2, or `cgexec -g
 * memory,pids:...` on pure v1, moves a process out of it, and the
 * container's groups are where the real tools' container then lives. */
static unsigned learner_subjects(struct nslab_host *h, pid_t *out, unsigned max)
{
	static const char *const ctls[] = {"cpu", "memory", "pids", "-" /* cgroup2 */};
	unsigned n = nslab_other_subjects(h, out, max);
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(ctls); i++) {
		struct nslab_cg_hier hi;
		char dir[PATH_MAX];
		bool found = strcmp(ctls[i], "-") == 0 ? first_cgroup2(hi.mnt, sizeof(hi.mnt))
						       : nslab_cg_find(ctls[i], &hi);
		if (found &&
		    snprintf(dir, sizeof(dir), "%s/nslab/%d", hi.mnt, (int)getpid()) < (int)sizeof(dir))
			add_cgroup_members(dir, 0, out, max, &n, h->main_pid(h));
	}
	return n;
}

/* "PID 34 (sleep infinity)": a learner's process, by its command line. */
static const char *subject_name(pid_t pid, char *buf, size_t len)
{
	char cmd[64];
	snprintf(buf, len, "PID %d (%s)", (int)pid, nslab_cmdline(pid, cmd, sizeof(cmd)));
	return buf;
}

#define UNSHARE_UTS "host unshare --uts sh -c 'hostname " HOSTNAME "; sleep infinity' &"

/* Some subject in a UTS namespace of its own whose hostname is not the
 * host's: the container process (`run hostname container`) or a learner's
 * own (`host unshare --uts ...`). When none, says what the closest lacks:
 * a learner's process in a new UTS namespace, else the container. */
static bool check_hostname(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h), others[16];
	char inside[256] = "", host[256] = "", seen[256] = "", who[128];
	gethostname(host, sizeof(host));
	bool own = h->same_ns(h, pid, "uts") != 1;
	int err = 0;
	if (own && h->call(h, pid, ag_uname, NULL, 0, inside, sizeof(inside)) < 0)
		err = errno;
	if (own && !err && strcmp(inside, host) != 0)
		return true;
	unsigned n = learner_subjects(h, others, NSLAB_ARRAY_SIZE(others));
	pid_t near = 0;
	for (unsigned i = 0; i < n; i++) {
		if (h->same_ns(h, others[i], "uts") != 0 ||
		    !subject_hostname(h, others[i], seen, sizeof(seen)))
			continue;
		if (strcmp(seen, host) != 0)
			return true;
		near = near ? near : others[i];
	}
	if (near) {
		h->missing(
		    h,
		    _("no process of the lab has a hostname of its own: %s has a UTS namespace of its own "
		      "but still the host's hostname \"%s\": `%s` or `run hostname %s`"),
		    subject_name(near, who, sizeof(who)), host, UNSHARE_UTS, HOSTNAME);
		return false;
	}
	if (!own) {
		h->missing(h, _("the container shares the host's UTS namespace"));
		return false;
	}
	if (err) {
		h->missing(h, _("cannot ask the container for its hostname: %s"), strerror(err));
		return false;
	}
	h->missing(h,
		   _("the container still has the host's hostname \"%s\", and no process of the lab has a "
		     "UTS namespace of its own with another: `%s` or `run hostname %s`"),
		   host, UNSHARE_UTS, HOSTNAME);
	return false;
}

static int do_hostname(struct nslab_host *h)
{
	if (h->call(h, h->main_pid(h), ag_sethostname, NULL, 0, NULL, 0) < 0) {
		h->error(h, "sethostname: %s", strerror(errno));
		return -1;
	}
	h->trace(h, "sethostname(\"" HOSTNAME "\", %zu) = 0", strlen(HOSTNAME));
	h->print(h, _("The container is called \"" HOSTNAME "\"; the host keeps its name.\n"));
	return 0;
}

/* --- step 2: root filesystem --- */

/* Is the host's own / a tmpfs or an overlay (an initramfs moved onto a
 * tmpfs, a live system)? Then a mount's type and source do not tell it
 * from a container's root, and the checks compare devices instead. host
 * gets nslab's / as mountinfo lists it. */
static bool host_root_ambiguous(struct nslab_host *h, struct nslab_mount_at *host)
{
	return h->mount_at(h, 0, "/", 0, host) == 1 &&
	       (strcmp(host->fstype, "tmpfs") == 0 || strcmp(host->fstype, "overlay") == 0);
}

/* What ag_rootstate says, and, seen from the host, whether the working
 * directory is still on the host's root filesystem: a cwd the container can
 * still name (under a put_old that was never detached, say) passes getcwd,
 * but /proc/PID/cwd on the device of nslab's / is the way out pivot-root
 * rejects. */
static int root_state(struct nslab_host *h, pid_t pid)
{
	int r = h->call(h, pid, ag_rootstate, NULL, 0, NULL, 0);
	char path[64];
	struct stat c, host;
	if (r <= 0 || stat("/", &host) < 0)
		return r;
	if (stat(nslab_proc_path(path, sizeof(path), pid, "cwd"), &c) == 0 && c.st_dev == host.st_dev)
		r &= ~ROOT_CWD;
	/* a host whose own / is a tmpfs (an initramfs moved onto one) is no root of the container's */
	struct nslab_mount_at hm = {.size = sizeof(hm)};
	if (host_root_ambiguous(h, &hm) && stat(nslab_proc_path(path, sizeof(path), pid, "root"), &c) == 0 &&
	    c.st_dev == host.st_dev)
		r &= ~ROOT_OWN;
	return r;
}

/* The seeds' way, for a process of the learner's own: a mount and PID
 * namespace (unshare(1)), an overlay of the image on a tmpfs (mount(8)),
 * pivot_root(8) into it, a fresh proc, the old root detached (umount(8)). */
#define UNSHARE_ROOT                                                                                         \
	"host unshare --mount --pid --fork --propagation private sh -c 'mount -t tmpfs tmpfs /mnt && mkdir " \
	"/mnt/upper /mnt/work /mnt/merged && mount -t overlay overlay -o "                                   \
	"lowerdir=$NSLAB_LAB_DIR/image,upperdir=/mnt/upper,workdir=/mnt/work /mnt/merged && cd /mnt/merged " \
	"&& mkdir .oldroot && pivot_root . .oldroot && cd / && mount -t proc proc /proc && umount -l "       \
	"/.oldroot && exec sleep infinity' &"

/* Is the proc on pid's /proc the one of its own PID namespace? Its entry
 * for pid's innermost PID (the last NSpid) is pid itself there. */
static bool own_proc(struct nslab_host *h, pid_t pid)
{
	char status[64], line[256], mine[64], there[96];
	long inner = 0;
	struct nslab_mount_at at = {.size = sizeof(at)};
	if (h->same_ns(h, pid, "pid") != 0 || h->mount_at(h, pid, "/proc", 0, &at) != 1 ||
	    strcmp(at.fstype, "proc") != 0)
		return false;
	FILE *f = fopen(nslab_proc_path(status, sizeof(status), pid, "status"), "re");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "NSpid:", 6) == 0) {
			char *last = strrchr(line, '\t');
			inner = last ? strtol(last + 1, NULL, 10) : 0;
		}
	if (f)
		fclose(f);
	snprintf(there, sizeof(there), "/proc/%d/root/proc/%ld/ns/pid", (int)pid, inner);
	return inner > 0 && nslab_same_file(there, nslab_proc_path(mine, sizeof(mine), pid, "ns/pid"));
}

struct host_fs {
	const char *source, *fstype;
	char at[256]; /* where it is mounted in the process's namespace; "" if nowhere */
};

static bool note_host_fs(const struct nslab_mount *m, void *ud)
{
	struct host_fs *hf = ud;
	if (strcmp(m->source, hf->source) != 0 || strcmp(m->fstype, hf->fstype) != 0)
		return true;
	snprintf(hf->at, sizeof(hf->at), "%s", m->target);
	return false;
}

/* Where pid's mount namespace has the filesystem of device dev mounted
 * (the first such mount point, into at); false if nowhere or unreadable.
 * By device, not by source and type: a host whose / is a tmpfs (an
 * initramfs that moved onto one) would otherwise match every tmpfs. */
static bool mounts_dev(pid_t pid, dev_t dev, char *at, size_t len)
{
	char path[64], line[4096], target[256];
	unsigned maj, min;
	bool found = false;
	FILE *f = fopen(nslab_proc_path(path, sizeof(path), pid, "mountinfo"), "re");
	while (f && !found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*d %*d %u:%u %*s %255s", &maj, &min, target) == 3 && maj == major(dev) &&
		    min == minor(dev)) {
			snprintf(at, len, "%s", target);
			found = true;
		}
	if (f)
		fclose(f);
	return found;
}

/* root_state of a learner's process, seen from the host: its / (mountinfo),
 * whether the filesystem the host boots from is mounted anywhere in its
 * mount namespace (*old: where), its /proc, /bin/sh, and its cwd. */
static int subject_root_state(struct nslab_host *h, pid_t pid, char *old, size_t len)
{
	struct nslab_mount_at root = {.size = sizeof(root)}, host = {.size = sizeof(host)};
	char path[96];
	struct stat c, hs, rs;
	int r = 0, err = errno;
	old[0] = '\0';
	bool ambiguous = host_root_ambiguous(h, &host);
	bool by_dev = stat("/", &hs) == 0 && stat(nslab_proc_path(path, sizeof(path), pid, "root"), &rs) == 0;
	if (h->same_ns(h, pid, "mnt") == 0 && h->mount_at(h, pid, "/", 0, &root) == 1 &&
	    (strcmp(root.fstype, "overlay") == 0 || strcmp(root.fstype, "tmpfs") == 0) &&
	    (!ambiguous || (by_dev && rs.st_dev != hs.st_dev)))
		r |= ROOT_OWN;
	if (ambiguous) {
		snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
		if (by_dev && access(path, R_OK) == 0 && !mounts_dev(pid, hs.st_dev, old, len))
			r |= ROOT_NO_OLD;
	} else if (host.count) {
		struct host_fs hf = {.source = host.source, .fstype = host.fstype};
		if (h->each_mount(h, pid, note_host_fs, &hf) == 0 && !hf.at[0])
			r |= ROOT_NO_OLD;
		snprintf(old, len, "%s", hf.at);
	}
	if (own_proc(h, pid))
		r |= ROOT_PROC;
	snprintf(path, sizeof(path), "/proc/%d/root/bin/sh", (int)pid);
	if (access(path, X_OK) == 0)
		r |= ROOT_SHELL;
	if (stat(nslab_proc_path(path, sizeof(path), pid, "cwd"), &c) == 0 && stat("/", &hs) == 0 &&
	    c.st_dev != hs.st_dev)
		r |= ROOT_CWD;
	errno = err;
	return r;
}

/* What a learner's process lacks of a root of its own. */
static void say_subject_root(struct nslab_host *h, pid_t pid, int r, const char *old)
{
	char who[128];
	subject_name(pid, who, sizeof(who));
	if (!(r & ROOT_OWN))
		h->missing(h,
			   _("%s has no root of its own (an overlay or a tmpfs in a mount namespace of its "
			     "own): `%s`"),
			   who, UNSHARE_ROOT);
	if ((r & ROOT_OWN) && !(r & ROOT_NO_OLD))
		h->missing(h,
			   _("%s still reaches the host's root filesystem (mounted on %s in its mount "
			     "namespace): umount -l the old root after pivot_root"),
			   who, old[0] ? old : "?");
	if (!(r & ROOT_PROC))
		h->missing(
		    h,
		    _("%s has no proc of its own PID namespace on /proc: unshare --pid --fork, then mount "
		      "-t proc proc /proc after the pivot"),
		    who);
	if ((r & ROOT_OWN) && !(r & ROOT_SHELL))
		h->missing(h, _("%s's root has no /bin/sh"), who);
	if ((r & ROOT_OWN) && !(r & ROOT_CWD))
		h->missing(h, _("%s's working directory is outside its root: cd / after pivot_root"), who);
}

/* A learner's process with a root of its own (ROOT_ALL): its PID, or 0;
 * *near, *near_r: the one with the most of it, in a mount namespace of its
 * own. */
static pid_t learner_root(struct nslab_host *h, pid_t *near, int *near_r, char *old, size_t len)
{
	pid_t others[16];
	char where[256];
	unsigned n = learner_subjects(h, others, NSLAB_ARRAY_SIZE(others));
	for (unsigned i = 0; i < n; i++) {
		if (h->same_ns(h, others[i], "mnt") != 0)
			continue;
		int r = subject_root_state(h, others[i], where, sizeof(where));
		if (r == ROOT_ALL)
			return others[i];
		if (__builtin_popcount((unsigned)r) > __builtin_popcount((unsigned)*near_r) || !*near) {
			*near = others[i], *near_r = r;
			snprintf(old, len, "%s", where);
		}
	}
	return 0;
}

/* Some subject lives on a root of its own: the container (`rootfs`) or a
 * learner's process (unshare, mount, pivot_root, umount). When none, what
 * the closest lacks: a learner's process that got further than the
 * container, else the container. */
static bool check_root(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h), near = 0;
	int r = root_state(h, pid), near_r = 0, err = errno; /* the learners' lookups may change errno */
	char old[256] = "";
	if (r == ROOT_ALL || learner_root(h, &near, &near_r, old, sizeof(old)))
		return true;
	/* a tie goes to the learner's process: it is the one being worked on */
	if (near && __builtin_popcount((unsigned)near_r) >= __builtin_popcount((unsigned)(r < 0 ? 0 : r))) {
		say_subject_root(h, near, near_r, old);
		return false;
	}
	if (r < 0) {
		h->missing(h, _("cannot look at the container's root: %s"), strerror(err));
		return false;
	}
	if (!(r & ROOT_OWN))
		h->missing(
		    h,
		    _("the container's / is not an overlay yet (lowerdir the image, upperdir and "
		      "workdir on a tmpfs), and no process of the lab has a root of its own: `rootfs`, "
		      "or `%s`"),
		    UNSHARE_ROOT);
	if ((r & ROOT_OWN) && !(r & ROOT_NO_OLD))
		h->missing(
		    h, _("the old root is still reachable inside the container (" OLDROOT " or /run/nslab)"));
	if (!(r & ROOT_PROC))
		h->missing(h, _("the container's /proc is not a fresh proc for its PID namespace"));
	if ((r & ROOT_OWN) && !(r & ROOT_SHELL))
		h->missing(h, _("the container's root has no /bin/sh"));
	if ((r & ROOT_OWN) && !(r & ROOT_CWD))
		h->missing(h,
			   _("the container process's working directory is outside its root, on the host's "
			     "filesystem (every `run` would start there): `reset`, then `rootfs`, which does "
			     "chdir(\"/\") after pivot_root"));
	return false;
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
	/* the scorecard's probes (static: no libraries needed) */
	const char *probe = h->helper(h, "nslab-probe");
	snprintf(path, sizeof(path), "%s/nslab-probe", hostview);
	if (probe && h->copy_file(h, probe, path) < 0)
		return -1;
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
			h->error(h, _("waiting for the image copy: %s"), strerror(errno));
			return -1;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	/* the child's own words may not reach the screen (it has a copy of
	 * nslab's output, not nslab's): say it here, in nslab */
	h->error(h, _("the image could not be copied into %s as uid %u, gid %u"), hostview, (unsigned)id.uid,
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

/* The image on the host, owned by the uid root inside maps to, so that root
 * in the container reads it as its own. Made once per workdir. */
static int make_image(struct nslab_host *h, const char *image, struct ids id)
{
	char sh[1200];
	snprintf(sh, sizeof(sh), "%s/bin/sh", image);
	if (access(sh, X_OK) == 0)
		return 0;
	if (mkdir(image, 0755) < 0 && errno != EEXIST) {
		h->error(h, "mkdir %s: %s", image, strerror(errno));
		return -1;
	}
	if (chown(image, id.uid, id.gid) < 0 && geteuid() == 0) {
		h->error(h, "chown %s: %s", image, strerror(errno));
		return -1;
	}
	if (add_image_as(h, image, id) < 0)
		return -1;
	h->trace(h, "[nslab copies sh, ls, ps, hostname, ... and their libraries into the image %s]", image);
	return 0;
}

/* The container layer's tmpfs is mounted; put the image under it as an
 * overlay. 1: overlay mounted on root/merged; 0: this kernel refuses an
 * overlay here (before 5.11), fall back to a copy on the tmpfs; -1: error. */
static int overlay_root(struct nslab_host *h, pid_t pid, const char *root)
{
	char image[1024], arg[2100];
	imagedir(h, image, sizeof(image));
	if (make_image(h, image, outside_ids(h)) < 0)
		return -1;
	int n = snprintf(arg, sizeof(arg), "%s%c%s", root, '\0', image);
	if (h->call(h, pid, ag_mount_overlay, arg, (size_t)n + 1, NULL, 0) < 0) {
		int err = errno;
		if (err != EPERM && err != EINVAL && err != ENODEV) {
			h->error(h, _("mount overlay on %s/merged in the container: %s"), root,
				 strerror(err));
			return -1;
		}
		h->print(h,
			 _("This kernel refuses an overlay in a user namespace (%s; Linux 5.11 allows it): "
			   "the image is copied onto the tmpfs instead.\n"),
			 strerror(err));
		return 0;
	}
	h->trace(h,
		 "mount(\"overlay\", \"%s/merged\", \"overlay\", 0, \"lowerdir=%s,upperdir=%s/upper,"
		 "workdir=%s/work\") = 0",
		 root, image, root, root);
	return 1;
}

static int pivot_into(struct nslab_host *h, pid_t pid, const char *root)
{
	char note[256] = "";
	if (h->call(h, pid, ag_pivot, root, strlen(root) + 1, note, sizeof(note)) < 0) {
		int err = errno;
		if (err == EINVAL && on_rootfs(pid))
			h->error(h,
				 _("pivot_root: the current root is the initramfs (rootfs), which pivot_root "
				   "cannot move; run nslab on a system booted from a disk (or after "
				   "switch_root)"));
		else
			h->error(h, _("pivot into the new root: %s"), strerror(err));
		return -1;
	}
	h->trace(h, "mount(\"proc\", \"%s/proc\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) = 0", root);
	h->trace(h, "mount(\"/dev/null\", \"%s/dev/null\", NULL, MS_BIND, NULL) = %s", root,
		 note[0] ? "-1" : "0");
	h->trace(h, "chdir(\"%s\") = 0", root);
	h->trace(h, "pivot_root(\".\", \"." OLDROOT "\") = 0");
	h->trace(h, "umount2(\"" OLDROOT "\", MNT_DETACH) = 0");
	h->trace(h, "rmdir(\"" OLDROOT "\") = 0");
	return 0;
}

static int do_root(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	char root[1024], hostview[1200], merged[1100];
	if (root_state(h, pid) == ROOT_ALL) {
		h->print(h, _("The container already lives on its own root.\n"));
		return 0;
	}
	newroot(h, root, sizeof(root));
	if (mkdir(root, 0755) < 0 && errno != EEXIST) {
		h->error(h, "mkdir %s: %s", root, strerror(errno));
		return -1;
	}
	if (h->call(h, pid, ag_mount_tmpfs, root, strlen(root) + 1, NULL, 0) < 0) {
		h->error(h, _("mount tmpfs on %s in the container: %s"), root, strerror(errno));
		return -1;
	}
	h->trace(h, "mount(\"tmpfs\", \"%s\", \"tmpfs\", MS_NOSUID|MS_NODEV, \"mode=0755,size=64m\") = 0",
		 root);
	int ov = overlay_root(h, pid, root);
	if (ov < 0)
		return -1;
	if (ov == 0) {
		/* The tmpfs exists only in the container's mount namespace; the
		 * host reaches it through the magic link /proc/PID/root. */
		snprintf(hostview, sizeof(hostview), "/proc/%d/root%s", (int)pid, root);
		if (add_image_as(h, hostview, outside_ids(h)) < 0)
			return -1;
		h->trace(h, "[nslab copies sh, ls, ps, hostname, ... and their libraries into %s]", hostview);
	}
	snprintf(merged, sizeof(merged), ov ? "%s/merged" : "%s", root);
	if (pivot_into(h, pid, merged) < 0)
		return -1;
	char rootlink[64];
	snprintf(rootlink, sizeof(rootlink), "/proc/%d/root", (int)pid);
	h->set_root(h, rootlink);
	h->print(h, "%s",
		 ov ? _("The container's / is now an overlay: the image is its read-only lower layer, what "
			"it writes lands in the upper layer on a tmpfs; the host's tree is gone from its "
			"mount namespace. `run ls /`, `run ps`.\n")
		    : _("The container's / is now a tmpfs holding only the image; the host's tree is gone "
			"from its mount namespace. `run ls /`, `run ps`.\n"));
	return 0;
}

/* --- step 3: cgroup and cgroup namespace --- */

#define CG_REL "nslab/$(basename $NSLAB_CGROUP_DIR)/" CG_NAME
#define CGEXEC_UNSHARE "host cgexec -g cpu:" CG_REL " unshare --cgroup sleep infinity &"

/* The CPU quota of the cgroup pid is in (in the hierarchy that holds cpu,
 * as cgcreate and cgset made it), in microseconds; -1 for none or
 * unreadable. dir gets the group's directory. */
static long subject_quota(struct nslab_host *h, pid_t pid, char *dir, size_t len)
{
	char buf[64];
	if (h->cg_dir(h, NULL, pid, dir, len) < 0)
		return -1;
	if (nslab_cg_read(dir, "cpu.max", buf, sizeof(buf)) == 0)
		return strncmp(buf, "max", 3) == 0 ? -1 : strtol(buf, NULL, 10);
	if (nslab_cg_read(dir, "cpu.cfs_quota_us", buf, sizeof(buf)) == 0)
		return strtol(buf, NULL, 10);
	return -1;
}

/* How a learner's process reads its own cgroup: /proc/PID/cgroup read by
 * nsenter(1) in its cgroup namespace (paths are relative to the reader's
 * namespace root). */
static bool subject_cgroup_inside(struct nslab_host *h, pid_t pid, char *path, size_t len)
{
	char cmd[128], *out = NULL;
	snprintf(cmd, sizeof(cmd), "nsenter --target %d --cgroup cat /proc/%d/cgroup", (int)pid, (int)pid);
	bool ok = h->host_run(h, cmd, &out) == 0 && out && nslab_cgroup_text_of(out, "cpu", path, len) == 0;
	free(out);
	return ok;
}

/* A learner's process against step 3's end state. */
struct cgsubject {
	pid_t pid;
	long quota;       /* of its cgroup; -1 none */
	bool own_ns;      /* a cgroup namespace of its own */
	char dir[512];    /* its cgroup's directory */
	char inside[512]; /* its cgroup as it reads it; "" unread */
};

static int cg_score(const struct cgsubject *c)
{
	return (c->quota > 0) + c->own_ns + (strcmp(c->inside, "/") == 0);
}

/* The learner's process closest to step 3's end state (a cgroup with a CPU
 * quota, a cgroup namespace of its own rooted there); true if one has it. */
static bool learner_cgroup(struct nslab_host *h, struct cgsubject *best)
{
	pid_t others[16];
	unsigned n = learner_subjects(h, others, NSLAB_ARRAY_SIZE(others));
	*best = (struct cgsubject){0};
	for (unsigned i = 0; i < n; i++) {
		struct cgsubject c = {.pid = others[i]};
		c.quota = subject_quota(h, c.pid, c.dir, sizeof(c.dir));
		c.own_ns = h->same_ns(h, c.pid, "cgroup") == 0;
		if (c.own_ns && !subject_cgroup_inside(h, c.pid, c.inside, sizeof(c.inside)))
			c.inside[0] = '\0';
		if (cg_score(&c) == 3) {
			*best = c;
			return true;
		}
		if (cg_score(&c) > cg_score(best))
			*best = c;
	}
	return false;
}

/* What the closest learner's process lacks. */
static void say_cgroup_missing(struct nslab_host *h, const struct cgsubject *c)
{
	char who[128];
	subject_name(c->pid, who, sizeof(who));
	if (c->quota <= 0)
		h->missing(h, _("%s is in cgroup %s, which has no CPU quota: `%s`"), who, c->dir,
			   h->cg_mode(h) == NSLAB_CG_V2
			       ? "host echo '50000 100000' > $NSLAB_CGROUP_DIR/" CG_NAME "/cpu.max"
			       : "host cgset -r cpu.cfs_quota_us=50000 " CG_REL);
	if (!c->own_ns)
		h->missing(h,
			   _("%s shares the host's cgroup namespace: unshare(1) makes one after the move, "
			     "rooted at the cgroup: `%s`"),
			   who, CGEXEC_UNSHARE);
	else if (strcmp(c->inside, "/") != 0)
		h->missing(h,
			   _("inside, %s reads its cgroup as \"%s\", not /: unshare --cgroup before the move "
			     "roots the namespace at the old cgroup: `%s`"),
			   who, c->inside[0] ? c->inside : "?", CGEXEC_UNSHARE);
}

/* The container process is in its cgroup with a CPU quota, and reads it as
 * / in a cgroup namespace of its own (`limit`). Says what it lacks when say. */
static bool container_cgroup(struct nslab_host *h, bool say)
{
	pid_t pid = h->main_pid(h);
	char want[512] = "", seen[512] = "", inside[512] = "";
	struct nslab_cpu_stat st = {.size = sizeof(struct nslab_cpu_stat)};
	h->cg_path(h, CG_NAME, want, sizeof(want));
	if (nslab_proc_cgroup(pid, seen, sizeof(seen)) < 0 || strcmp(seen, want) != 0) {
		if (say)
			h->missing(
			    h,
			    _("the container is not in its cgroup %s (the host sees %s), and no process "
			      "of the lab is in a cgroup with a CPU quota: `limit`, or `%s` after "
			      "cgcreate and cgset"),
			    want, seen, CGEXEC_UNSHARE);
		return false;
	}
	bool ok = true;
	if (h->cg_stat(h, CG_NAME, &st) < 0 || st.quota_us <= 0) {
		if (say)
			h->missing(h, _("cgroup %s has no CPU quota"), want);
		ok = false;
	}
	if (h->same_ns(h, pid, "cgroup") == 1) {
		if (say)
			h->missing(h, _("the container still shares the host's cgroup namespace"));
		return false;
	}
	if (h->call(h, pid, nslab_call_own_cgroup, NULL, 0, inside, sizeof(inside)) < 0 ||
	    strcmp(inside, "/") != 0) {
		if (say)
			h->missing(h, _("inside, the container reads its cgroup as \"%s\", not /"), inside);
		ok = false;
	}
	return ok;
}

/* Some subject is in a cgroup with a CPU quota and in a cgroup namespace
 * of its own rooted there: the container (`limit`) or a learner's process
 * (cgcreate, cgset, cgexec ... unshare --cgroup). When none, what the
 * closest lacks: a learner's process that has part of it, else the
 * container. */
static bool check_cgroup(struct nslab_host *h)
{
	struct cgsubject near;
	if (container_cgroup(h, false) || learner_cgroup(h, &near))
		return true;
	if (cg_score(&near) > 0) {
		say_cgroup_missing(h, &near);
		return false;
	}
	return container_cgroup(h, true);
}

static int do_cgroup(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	char path[512] = "", dir[PATH_MAX];
	if (h->cg_create(h, CG_NAME) < 0 || h->cg_set_quota(h, CG_NAME, QUOTA_US, PERIOD_US) < 0 ||
	    h->cg_attach(h, CG_NAME, pid) < 0) {
		if (geteuid() != 0)
			h->error(
			    h,
			    _("a cgroup needs root, or a cgroup subtree delegated to your user (systemd's "
			      "Delegate=yes, what rootless podman uses): run nslab with sudo for this step"));
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
	h->print(h, _("The container is in %s with %ld%% of one CPU, and reads that cgroup as /.\n"), path,
		 QUOTA_US * 100 / PERIOD_US);
	return 0;
}

/* --- step 4: time namespace --- */

#define UNSHARE_TIME "host unshare --time --monotonic 864000 --boottime 864000 --fork sleep infinity &"

/* The boottime offset in /proc/PID/timens_offsets (of the process's
 * time_for_children namespace, the one it is inside once unshare(1) has
 * forked or exec'd into it), in seconds; -1 if it cannot be read. Inside a
 * namespace, the kernel adds the offsets to every clock read: they are
 * what the learner's process sees. */
static long long boot_offset(pid_t pid)
{
	char path[64], line[128], name[32];
	long long s, off = -1;
	long ns;
	FILE *f = fopen(nslab_proc_path(path, sizeof(path), pid, "timens_offsets"), "re");
	if (!f)
		return -1;
	off = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%31s %lld %ld", name, &s, &ns) == 3 &&
		    (strcmp(name, "boottime") == 0 || strcmp(name, "7") == 0))
			off = s;
	fclose(f);
	return off;
}

/* A learner's process inside a time namespace of its own whose clocks since
 * boot run TIME_OFFSET ahead (`host unshare --time --boottime 864000 --fork
 * ...`): its PID, or 0; *near the first inside a time namespace of its own
 * with another offset, *made the first that made one for its children only
 * (unshare(1) itself, outside the namespace it made). */
static pid_t learner_clock(struct nslab_host *h, pid_t *near, pid_t *made)
{
	pid_t others[16];
	unsigned n = learner_subjects(h, others, NSLAB_ARRAY_SIZE(others));
	for (unsigned i = 0; i < n; i++) {
		bool inside = h->same_ns(h, others[i], "time") == 0;
		if (!inside && h->same_ns(h, others[i], "time_for_children") == 0 && !*made)
			*made = others[i];
		if (!inside)
			continue;
		long long off = boot_offset(others[i]);
		if (off >= 0 && llabs(off - TIME_OFFSET) <= 2)
			return others[i];
		if (!*near)
			*near = others[i];
	}
	return 0;
}

/* The container process's own clock is TIME_OFFSET ahead (`clock`). Says
 * what it lacks when say. */
static bool container_clock(struct nslab_host *h, bool say)
{
	pid_t pid = h->main_pid(h);
	if (h->same_ns(h, pid, "time") == 1 || h->same_ns(h, pid, "time_for_children") == 1) {
		if (say)
			h->missing(
			    h,
			    _("the container shares the host's time namespace, and no process of the lab "
			      "is in one whose clocks since boot run %ld days ahead: `%s` or `clock`"),
			    TIME_OFFSET / 86400, UNSHARE_TIME);
		return false;
	}
	struct timespec t;
	clock_gettime(CLOCK_BOOTTIME, &t);
	int inside = h->call(h, pid, ag_boottime, NULL, 0, NULL, 0);
	long diff = (long)inside - (long)t.tv_sec;
	if (inside < 0 || labs(diff - TIME_OFFSET) > 2) {
		if (say)
			h->missing(h, _("the container's boot time is %+lds off the host's, not %+lds"), diff,
				   TIME_OFFSET);
		return false;
	}
	return true;
}

/* Some subject's clocks since boot run ten days ahead: the container
 * process's (`clock`), or a learner's unshare(1) --time. When none, the
 * closest: a learner's process in a time namespace with another offset,
 * then one that made a namespace for its children only, then the
 * container. */
static bool check_time(struct nslab_host *h)
{
	char who[128];
	pid_t near = 0, made = 0;
	if (!have_timens())
		return true; /* nothing to do on this kernel: the step says so */
	if (container_clock(h, false) || learner_clock(h, &near, &made))
		return true;
	if (near) {
		h->missing(h,
			   _("%s is in a time namespace of its own, but its clocks since boot run %+llds "
			     "ahead (boottime in /proc/%d/timens_offsets), not %+lds: `%s`"),
			   subject_name(near, who, sizeof(who)), boot_offset(near), (int)near, TIME_OFFSET,
			   UNSHARE_TIME);
		return false;
	}
	if (made) {
		h->missing(h,
			   _("%s made a time namespace for its children only (time_for_children), and no "
			     "process of the lab is inside it yet: unshare(1) needs --fork: `%s`"),
			   subject_name(made, who, sizeof(who)), UNSHARE_TIME);
		return false;
	}
	return container_clock(h, true);
}

static int do_time(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	if (!have_timens()) {
		h->print(h, _("This kernel has no time namespaces (Linux 5.6+): nothing to do.\n"));
		return 0;
	}
	if (h->same_ns(h, pid, "time") != 1) {
		h->print(h, _("The container already has its own clock.\n"));
		return 0;
	}
	if (h->call(h, pid, ag_timens, NULL, 0, NULL, 0) < 0) {
		h->error(h, _("time namespace: %s"), strerror(errno));
		return -1;
	}
	h->trace(h, "unshare(CLONE_NEWTIME) = 0");
	h->trace(h, "write(\"/proc/self/timens_offsets\", \"monotonic %ld 0\\nboottime %ld 0\\n\") = 0",
		 TIME_OFFSET, TIME_OFFSET);
	h->trace(h, "setns(open(\"/proc/self/ns/time_for_children\"), CLONE_NEWTIME) = 0");
	h->print(h,
		 _("The container's clocks since boot run %ld days ahead:\n`run uptime` vs `host uptime`.\n"),
		 TIME_OFFSET / 86400);
	return 0;
}

/* --- step 5: run under the limit, compare with the host --- */

/* How many of the namespace rows pid shares with the host; *first: the
 * first of them. */
static int rows_shared(struct nslab_host *h, pid_t pid, const char **first)
{
	int n = 0;
	*first = NULL;
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(ns_rows); i++) {
		if (strncmp(ns_rows[i], "time", 4) == 0 && !have_timens())
			continue;
		if (h->same_ns(h, pid, ns_rows[i]) != 1)
			continue;
		if (!n++)
			*first = ns_rows[i];
	}
	return n;
}

static bool every_row_differs(struct nslab_host *h, pid_t pid)
{
	bool ok = true;
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(ns_rows); i++) {
		bool timerow = strncmp(ns_rows[i], "time", 4) == 0;
		if (timerow && !have_timens())
			continue;
		if (h->same_ns(h, pid, ns_rows[i]) != 1)
			continue;
		if (timerow) /* a learner's unshare --time passed step 4 without the container */
			h->missing(
			    h,
			    _("the container shares the host's %s namespace: `clock` moves the container "
			      "process itself into one"),
			    ns_rows[i]);
		else
			h->missing(h, _("the container shares the host's %s namespace"), ns_rows[i]);
		ok = false;
	}
	return ok;
}

/* docker exec's way in, under the container's cgroup */
#define BURN_NSENTER                                                                                         \
	"host cgexec -g cpu:" CG_REL " nsenter --target $NSLAB_LAB_PID --all --root --wd timeout 2 sh -c "   \
	"'while :; do :; done'"

/* A learner's process against step 5's end state: every row its own, a
 * root of its own, a cgroup with a CPU quota that has throttled it. */
struct runsubject {
	pid_t pid;
	int shared; /* rows shared with the host */
	const char *first;
	int root; /* subject_root_state */
	long quota;
	long long throttled;
	char dir[512], old[256];
};

static int run_score(const struct runsubject *r)
{
	if (!r->pid)
		return 0;
	return (r->shared == 0) + (r->root == ROOT_ALL) + (r->quota > 0) + (r->throttled > 0);
}

static bool learner_run(struct nslab_host *h, struct runsubject *best)
{
	pid_t others[16];
	unsigned n = learner_subjects(h, others, NSLAB_ARRAY_SIZE(others));
	*best = (struct runsubject){0};
	for (unsigned i = 0; i < n; i++) {
		struct runsubject r = {.pid = others[i]};
		r.shared = rows_shared(h, r.pid, &r.first);
		r.root = subject_root_state(h, r.pid, r.old, sizeof(r.old));
		r.quota = subject_quota(h, r.pid, r.dir, sizeof(r.dir));
		r.throttled = r.quota > 0 ? nslab_cg_key(r.dir, "cpu.stat", "nr_throttled") : 0;
		if (run_score(&r) == 4) {
			*best = r;
			return true;
		}
		if (run_score(&r) > run_score(best))
			*best = r;
	}
	return false;
}

/* What the closest learner's process lacks. */
static void say_run_missing(struct nslab_host *h, const struct runsubject *r)
{
	char who[128];
	subject_name(r->pid, who, sizeof(who));
	if (r->shared)
		h->missing(
		    h,
		    _("%s shares %d of its namespaces with the host, %s among them: unshare(1) makes them "
		      "all (--user --map-root-user --mount --uts --ipc --pid --net --cgroup --time "
		      "--fork)"),
		    who, r->shared, r->first);
	if (r->root != ROOT_ALL)
		h->missing(h, _("%s has no root of its own: step 2's `%s`"), who, UNSHARE_ROOT);
	if (r->quota <= 0) {
		h->missing(h, _("%s is in cgroup %s, which has no CPU quota: `%s`"), who, r->dir,
			   CGEXEC_UNSHARE);
		return;
	}
	if (r->throttled == 0)
		h->missing(
		    h,
		    _("nothing in the cgroup of %s has hit the limit yet (nr_throttled is 0 in %s/cpu.stat): "
		      "`host cgexec -g cpu:" CG_REL " nsenter --target %d --all --root --wd timeout 2 sh -c "
		      "'while :; do :; done'`"),
		    who, r->dir, (int)r->pid);
}

/* Every row differs, the root is its own, and a busy loop has hit the CPU
 * limit, in some subject: the container (`run timeout 2 ...`), or a
 * learner's own container built with unshare(1), mount(8), pivot_root(8),
 * cgexec and run in with nsenter(1). When none, what the closest lacks: a
 * learner's process that got as far as the container or further, else the
 * container. */
static bool check_run(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	struct nslab_cpu_stat st = {.size = sizeof(struct nslab_cpu_stat)};
	const char *first;
	bool limited = h->cg_stat(h, CG_NAME, &st) == 0 && st.quota_us > 0;
	bool root = root_state(h, pid) == ROOT_ALL, rows = rows_shared(h, pid, &first) == 0;
	bool hit = limited && st.nr_throttled > 0;
	if (rows && root && hit)
		return true;
	struct runsubject near;
	if (learner_run(h, &near))
		return true;
	if (run_score(&near) > 0 && run_score(&near) >= rows + root + limited + hit) {
		say_run_missing(h, &near);
		return false;
	}
	every_row_differs(h, pid);
	if (!root)
		h->missing(h, _("the container's root is not its own overlay of the image"));
	if (!limited) {
		h->missing(h, _("the container's cgroup has no CPU limit"));
		return false;
	}
	if (!hit)
		h->missing(h,
			   _("nothing in the container has hit the limit yet (nr_throttled is 0): `%s` or "
			     "`run timeout 2 sh -c 'while :; do :; done'`"),
			   BURN_NSENTER);
	return false;
}

static int do_run(struct nslab_host *h)
{
	struct nslab_cpu_stat a = {.size = sizeof(a)}, b = {.size = sizeof(b)};
	struct timespec t0, t1;
	if (h->cg_stat(h, CG_NAME, &a) < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (h->call(h, h->main_pid(h), ag_burn, NULL, 0, NULL, 0) < 0) {
		h->error(h, _("cannot start the busy loop: %s"), strerror(errno));
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
	    _("A busy loop in the container got %.0f%% of a CPU over %.1f s (limit %ld%%); throttled in %llu "
	      "periods.\n"),
	    pct, wall / 1e6, b.quota_us * 100 / (b.period_us ? b.period_us : PERIOD_US),
	    (unsigned long long)b.nr_throttled);
	return 0;
}

/* --- step 6: locked down, as a runtime's defaults do --- */

/* What root in a container keeps by default in Docker (moby's default
 * capability list): everything else leaves every set and the bounding set,
 * so that no exec can get it back. */
static const cap_value_t keep_caps[] = {
    CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,           CAP_FOWNER,     CAP_MKNOD,
    CAP_NET_RAW, CAP_SETGID,       CAP_SETUID,           CAP_SETFCAP,    CAP_SETPCAP,
    CAP_KILL,    CAP_AUDIT_WRITE,  CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
};

/* Calls the filter refuses with EPERM: a few of those a runtime's default
 * profile refuses (Docker's lists about 50), the ones the scorecard probes
 * and the ones that would undo the container (new namespaces, setns). */
static const char *const blocked_calls[] = {
    "mount",       "umount2",      "pivot_root",        "unshare",    "setns",
    "init_module", "finit_module", "delete_module",     "kexec_load", "reboot",
    "swapon",      "swapoff",      "open_by_handle_at", "bpf",        "keyctl",
    "add_key",     "ptrace",       "perf_event_open",
};

static bool kept_cap(cap_value_t c)
{
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(keep_caps); i++)
		if (keep_caps[i] == c)
			return true;
	return false;
}

/* The kept set as CapBnd in /proc/PID/status shows it. */
static unsigned long long kept_mask(void)
{
	unsigned long long m = 0;
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(keep_caps); i++)
		m |= 1ULL << keep_caps[i];
	return m;
}

static int drop_caps(void)
{
	for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++)
		if (!kept_cap(c) && cap_drop_bound(c) < 0)
			return -1;
	cap_t caps = cap_get_proc();
	if (!caps)
		return -1;
	for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++) {
		if (kept_cap(c))
			continue;
		cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_CLEAR);
		cap_set_flag(caps, CAP_PERMITTED, 1, &c, CAP_CLEAR);
		cap_set_flag(caps, CAP_INHERITABLE, 1, &c, CAP_CLEAR);
	}
	int rc = cap_set_proc(caps);
	cap_free(caps);
	return rc;
}

static int load_filter(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(blocked_calls) && rc == 0; i++) {
		int nr = seccomp_syscall_resolve_name(blocked_calls[i]);
		if (nr != __NR_SCMP_ERROR)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
	}
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0)
		errno = -rc;
	return rc < 0 ? -1 : 0;
}

/* In the container's main process: capabilities, then no_new_privs (which
 * lets an unprivileged process load a filter), then the filter. Its later
 * children inherit all three; `run` enters from outside like nsenter(1)
 * and does not (docker exec applies the container's profile itself). */
static int ag_lockdown(void *arg, char *out, size_t outlen)
{
	(void)arg;
	if (drop_caps() < 0)
		return nslab_fail(out, outlen, "dropping capabilities (prctl(PR_CAPBSET_DROP), capset)");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return nslab_fail(out, outlen, "prctl(PR_SET_NO_NEW_PRIVS)");
	if (load_filter() < 0)
		return nslab_fail(out, outlen, "seccomp_load (seccomp(SECCOMP_SET_MODE_FILTER))");
	return 0;
}

struct lockstate {
	unsigned long long capbnd, capeff;
	int nnp, seccomp; /* -1: the line is missing */
};

static bool read_lockstate(pid_t pid, struct lockstate *ls)
{
	char path[64], line[256];
	*ls = (struct lockstate){.nnp = -1, .seccomp = -1};
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "CapBnd: %llx", &ls->capbnd);
		sscanf(line, "CapEff: %llx", &ls->capeff);
		sscanf(line, "NoNewPrivs: %d", &ls->nnp);
		sscanf(line, "Seccomp: %d", &ls->seccomp);
	}
	fclose(f);
	return true;
}

/* The limits of `docker run --memory 64m --pids-limit 64`: enough for the
 * container's shell and tools, far below the scorecard's hog and bomb. */
#define MEM_LIMIT (64LL << 20)
#define PIDS_LIMIT 64

static const struct limit {
	const char *ctl, *v2file, *v1file, *noswap_v2, *noswap_v1;
	long long value;
} limits[] = {
    {"memory", "memory.max", "memory.limit_in_bytes", "memory.swap.max", "memory.memsw.limit_in_bytes",
     MEM_LIMIT},
    {"pids", "pids.max", "pids.max", NULL, NULL, PIDS_LIMIT},
};

/* The container's limit of one controller, from the group /proc/PID/cgroup
 * names for it: -1 none ("max"), -2 unreadable. */
static long long read_limit(pid_t pid, const struct limit *l)
{
	struct nslab_cg_hier hi;
	char rel[512], path[1200], buf[64] = "";
	if (!nslab_cg_find(l->ctl, &hi) || nslab_proc_cgroup_of(pid, l->ctl, rel, sizeof(rel)) < 0)
		return -2;
	snprintf(path, sizeof(path), "%s%s/%s", hi.mnt, strcmp(rel, "/") == 0 ? "" : rel,
		 hi.v2 ? l->v2file : l->v1file);
	FILE *f = fopen(path, "re");
	if (!f)
		return -2;
	bool got = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!got)
		return -2;
	long long v = strtoll(buf, NULL, 10);
	/* v1 says "no limit" with a huge page-rounded number */
	return strncmp(buf, "max", 3) == 0 || v >= (1LL << 60) ? -1 : v;
}

static int set_limit(struct nslab_host *h, pid_t pid, const struct limit *l)
{
	char dir[PATH_MAX], value[32], pidtext[16];
	int v2 = h->cg_group(h, l->ctl, CG_NAME, dir, sizeof(dir));
	if (v2 < 0)
		return -1;
	const char *file = v2 ? l->v2file : l->v1file, *noswap = v2 ? l->noswap_v2 : l->noswap_v1;
	snprintf(value, sizeof(value), "%lld", l->value);
	snprintf(pidtext, sizeof(pidtext), "%d", (int)pid);
	if (nslab_cg_write(dir, file, value) < 0) {
		h->error(h, _("cannot write %s to %s/%s: %s"), value, dir, file, strerror(errno));
		return -1;
	}
	h->trace(h, "write(\"%s/%s\", \"%s\") = %zu", dir, file, value, strlen(value));
	/* no swap either, so that a hog is stopped rather than swapped out
	 * (v1's memsw limit is memory plus swap, and must not be below the limit) */
	if (noswap && nslab_cg_write(dir, noswap, v2 ? "0" : value) == 0)
		h->trace(h, "write(\"%s/%s\", \"%s\") = 0", dir, noswap, v2 ? "0" : value);
	if (nslab_cg_write(dir, "cgroup.procs", pidtext) < 0) {
		h->error(h, _("cannot move the container into %s: %s"), dir, strerror(errno));
		return -1;
	}
	h->trace(h, "write(\"%s/cgroup.procs\", \"%s\") = 0", dir, pidtext);
	return 0;
}

/* The real tools' part of a lockdown, for a process of the learner's own:
 * the limits with cgcreate and cgset (v1 names), Docker's 14 capabilities and
 * no_new_privs with setpriv(1). No standard command loads a seccomp filter. */
#define LOCK_LIMITS_V1 "host cgset -r memory.limit_in_bytes=64M -r pids.max=64 " CG_REL
#define LOCK_LIMITS_V2 "host cgset -r memory.max=64M -r pids.max=64 " CG_REL
#define SETPRIV_LOCK                                                                                         \
	"host cgexec -g memory,pids:" CG_REL " setpriv --no-new-privs --inh-caps=-all --bounding-set "       \
	"-all,+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,+setpcap,+net_bind_service,+net_"   \
	"raw,"                                                                                               \
	"+sys_chroot,+mknod,+audit_write,+setfcap sleep infinity &"

/* How much of step 6's end state pid has: a memory limit, a pids limit,
 * Docker's capabilities at most, no_new_privs, a seccomp filter (0-5); -1
 * if its status cannot be read. say: the missing lines, naming it as who. */
static int lock_state(struct nslab_host *h, pid_t pid, const char *who, bool say)
{
	struct lockstate ls;
	int got = 0;
	bool v2 = h->cg_mode(h) == NSLAB_CG_V2;
	if (!read_lockstate(pid, &ls)) {
		if (say)
			h->missing(h, _("cannot read /proc/%d/status: %s"), (int)pid, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(limits); i++) {
		long long v = read_limit(pid, &limits[i]);
		if (v >= 0)
			got++;
		else if (say)
			h->missing(
			    h, _("%s has no %s limit (%s): `lockdown`, or for a process of your own `%s`"),
			    who, limits[i].ctl, v == -1 ? "max" : _("its group is unreadable"),
			    v2 ? LOCK_LIMITS_V2 : LOCK_LIMITS_V1);
	}
	unsigned long long extra = ls.capbnd & ~kept_mask();
	if (!extra)
		got++;
	else if (say) {
		char *name = cap_to_name((cap_value_t)__builtin_ctzll(extra));
		h->missing(
		    h,
		    _("the bounding set of %s still holds %d capabilities beyond Docker's 14, %s among them "
		      "(CapBnd %016llx): `lockdown`, or setpriv(1): `%s`"),
		    who, __builtin_popcountll(extra), name ? name : "?", ls.capbnd, SETPRIV_LOCK);
		cap_free(name);
	}
	if (ls.nnp == 1)
		got++;
	else if (say)
		h->missing(h, _("no_new_privs is not set (NoNewPrivs: %d in /proc/%d/status)"), ls.nnp,
			   (int)pid);
	if (ls.seccomp == 2)
		got++;
	else if (say)
		h->missing(
		    h,
		    _("no seccomp filter (Seccomp: %d in /proc/%d/status, 2 = filter): no standard command "
		      "loads one (a runtime does, from a profile): `lockdown`"),
		    ls.seccomp, (int)pid);
	return got;
}

/* Some subject is locked down: the container (`lockdown`), or a learner's
 * process (cgexec into a group with the limits, setpriv(1), and a filter).
 * When none, what the closest lacks: a learner's process that has as much
 * as the container or more, else the container. */
static bool check_lockdown(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h), others[16], near = 0;
	const char *container = _("the container");
	int mine = lock_state(h, pid, container, false), best = 0;
	if (mine == 5)
		return true;
	unsigned n = learner_subjects(h, others, NSLAB_ARRAY_SIZE(others));
	for (unsigned i = 0; i < n; i++) {
		int got = lock_state(h, others[i], NULL, false);
		if (got == 5)
			return true;
		if (got > best)
			best = got, near = others[i];
	}
	if (near && best >= mine) {
		char who[128];
		lock_state(h, near, subject_name(near, who, sizeof(who)), true);
		return false;
	}
	lock_state(h, pid, container, true);
	return false;
}

static int do_lockdown(struct nslab_host *h)
{
	struct lockstate ls;
	if (read_lockstate(h->main_pid(h), &ls) && ls.seccomp == 2) {
		h->print(h, _("The container is locked down already (a filter can never be taken off).\n"));
		return 0;
	}
	h->trace(h, "[the limits, from the host: `docker run --memory 64m --pids-limit 64`]");
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(limits); i++)
		if (set_limit(h, h->main_pid(h), &limits[i]) < 0)
			return -1;
	if (h->call_main(h, ag_lockdown, NULL) < 0)
		return -1;
	h->trace(h, "prctl(PR_CAPBSET_DROP, CAP_...) = 0   (x%d: all but Docker's %zu)",
		 cap_max_bits() - (int)NSLAB_ARRAY_SIZE(keep_caps), NSLAB_ARRAY_SIZE(keep_caps));
	h->trace(h, "capset({version=_LINUX_CAPABILITY_VERSION_3}, {effective=permitted=%#llx}) = 0",
		 kept_mask());
	h->trace(h, "prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0");
	h->trace(h, "seccomp(SECCOMP_SET_MODE_FILTER, 0, {%zu calls -> SECCOMP_RET_ERRNO|EPERM}) = 0",
		 NSLAB_ARRAY_SIZE(blocked_calls));
	h->print(h,
		 _("The container has 64 MiB of memory and 64 processes at most, keeps Docker's 14\n"
		   "capabilities, and has no_new_privs and a seccomp filter.\n"
		   "`run cat /proc/1/status` (CapBnd, NoNewPrivs, Seccomp), `host capsh --decode=%llx`.\n"),
		 kept_mask());
	return 0;
}

/* --- step 7: the scorecard --- */

/* One probe of nslab-probe, and who holds it. */
static const struct probe_row {
	const char *name, *label;
	const char *held;      /* held with no errno: what stopped it */
	const char *held_perm; /* held with EPERM or EACCES */
	bool filtered;         /* its call is in blocked_calls */
	const char *fix;       /* escaped: what to add */
} probe_rows[] = {
    {"chroot", N_("the chroot escape"), N_("pivot_root and the detached old root (lab pivot-root)"),
     N_("a dropped CAP_SYS_CHROOT (lab capabilities)"), false,
     N_("a root of its own through pivot_root, old root detached (lab pivot-root)")},
    {"pids", N_("seeing host PIDs"), N_("the PID namespace (lab pid)"), N_("the PID namespace (lab pid)"),
     false, N_("a PID namespace (lab pid)")},
    {"network", N_("reaching the host network"), N_("the network namespace (lab net)"),
     N_("the network namespace (lab net)"), false, N_("a network namespace (lab net)")},
    {"sysrq", N_("writing /proc/sysrq-trigger"), N_("a read-only /proc"),
     N_("the user namespace: root inside is not root to the host's files (lab user)"), false,
     N_("a user namespace mapping root to an ordinary uid (lab user)")},
    {"mknod", N_("mknod of a block device"), N_("the device cgroup"),
     N_("the user namespace: device nodes need CAP_MKNOD in the host's (lab user)"), false,
     N_("a user namespace (lab user) or a dropped CAP_MKNOD (lab capabilities)")},
    {"mount", N_("mounting a filesystem"), N_("the mount namespace"),
     N_("a dropped CAP_SYS_ADMIN (lab capabilities)"), true,
     N_("a dropped CAP_SYS_ADMIN (lab capabilities) or a filter on mount(2) (lab seccomp)")},
    {"module", N_("loading a kernel module"), N_("the kernel"),
     N_("the user namespace: CAP_SYS_MODULE counts only in the host's (lab user)"), true,
     N_("a user namespace (lab user) or a seccomp filter (lab seccomp)")},
    {"hostname", N_("changing the host's hostname"), N_("the UTS namespace (lab uts)"),
     N_("a missing CAP_SYS_ADMIN (lab capabilities)"), false, N_("a UTS namespace (lab uts)")},
    {"forkbomb", N_("a fork bomb (256 processes)"), N_("pids.max (lab pids)"), N_("pids.max (lab pids)"),
     false, N_("pids.max in the container's cgroup (lab pids)")},
    {"memory", N_("a memory hog (256 MiB)"), N_("memory.max (lab memory)"), N_("memory.max (lab memory)"),
     false, N_("memory.max in the container's cgroup (lab memory)")},
};

static const struct probe_row *probe_row(const char *name)
{
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(probe_rows); i++)
		if (strcmp(probe_rows[i].name, name) == 0)
			return &probe_rows[i];
	return NULL;
}

struct score {
	unsigned held, escaped, absent, untold;
};

/* One line of nslab-probe ("NAME held|escaped|absent ERRNO what") as a
 * scorecard line; counts it. filtered: the probed process has nslab's
 * filter; unfiltered: it has a filter of its own that the probe could not
 * carry (a learner's), so what that filter would refuse cannot be told. */
static void score_line(struct nslab_host *h, const char *line, bool filtered, bool unfiltered,
		       struct score *sc, bool say)
{
	char name[32], verdict[16], err[32];
	int off = 0;
	if (sscanf(line, "%31s %15s %31s %n", name, verdict, err, &off) < 3)
		return;
	const struct probe_row *r = probe_row(name);
	if (!r)
		return;
	const char *what = line + off;
	bool perm = strcmp(err, "EPERM") == 0 || strcmp(err, "EACCES") == 0;
	char label[160];
	nslab_pad(label, sizeof(label), _(r->label), 30);
	if (strcmp(verdict, "absent") == 0) {
		sc->absent++;
		if (say)
			h->print(h, _("  %s nothing to hold: this kernel lacks it (%s)\n"), label, err);
	} else if (strcmp(verdict, "held") == 0) {
		sc->held++;
		const char *by = !perm                     ? r->held
				 : filtered && r->filtered ? N_("the seccomp filter (lab seccomp)")
							   : r->held_perm;
		if (say)
			h->print(h, _("  %s held by %s\n"), label, _(by));
	} else if (unfiltered && r->filtered) {
		sc->untold++;
		if (say)
			h->print(h,
				 _("  %s cannot tell: got through without its seccomp filter (%s), which the "
				   "probe could not carry\n"),
				 label, what);
	} else {
		sc->escaped++;
		if (say)
			h->print(h, _("  %s ESCAPED (%s); what holds it: %s\n"), label, what, _(r->fix));
	}
}

/* Runs /nslab-probe in the container: a child of its main process, so
 * with every namespace, the root, the cgroup, the capabilities, the
 * no_new_privs and the filter the container has. arg: its argument line. */
static int ag_probe(void *arg, char *out, size_t outlen)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = nslab_fork_tied();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], 1);
		char *argv[4] = {"/nslab-probe", "--host", arg, NULL};
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	size_t len = 0;
	ssize_t n;
	while (len + 1 < outlen && (n = read(fds[0], out + len, outlen - len - 1)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(fds[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		errno = WIFEXITED(st) && WEXITSTATUS(st) == 127 ? ENOENT : ECHILD;
		return -1;
	}
	return 0;
}

/* What the probes compare with: nslab's own / and namespaces are the host's. */
static void host_ref(char *buf, size_t len)
{
	struct stat root = {0}, pid = {0}, net = {0}, uts = {0};
	stat("/", &root);
	stat("/proc/self/ns/pid", &pid);
	stat("/proc/self/ns/net", &net);
	stat("/proc/self/ns/uts", &uts);
	snprintf(buf, len, "root=%llu:%llu,pid=%llu,net=%llu,uts=%llu", (unsigned long long)root.st_dev,
		 (unsigned long long)root.st_ino, (unsigned long long)pid.st_ino,
		 (unsigned long long)net.st_ino, (unsigned long long)uts.st_ino);
}

/* --- the scorecard of a learner's container --- */

/* How much of a container pid is, in the steps' own terms: the namespace
 * rows it does not share with the host, a root of its own (counted twice:
 * without one the probes say little), a CPU quota, and step 6's lockdown
 * (limits, capabilities, no_new_privs, filter). */
static int completeness(struct nslab_host *h, pid_t pid, bool main)
{
	char dir[512], old[256];
	int score = 0;
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(ns_rows); i++) /* rows seen to differ (a gone one is not) */
		score += !(strncmp(ns_rows[i], "time", 4) == 0 && !have_timens()) &&
			 h->same_ns(h, pid, ns_rows[i]) == 0;
	if ((main ? root_state(h, pid) : subject_root_state(h, pid, old, sizeof(old))) == ROOT_ALL)
		score += 2;
	score += subject_quota(h, pid, dir, sizeof(dir)) > 0;
	int lock = lock_state(h, pid, NULL, false);
	return score + (lock > 0 ? lock : 0);
}

/* The most complete container among the lab's processes: a learner's
 * process that is more of one than the container process (steps 2-6 by the
 * real tools), else 0 for the container process itself. */
static pid_t learner_container(struct nslab_host *h)
{
	pid_t others[16], best = 0;
	int top = completeness(h, h->main_pid(h), true);
	unsigned n = learner_subjects(h, others, NSLAB_ARRAY_SIZE(others));
	for (unsigned i = 0; i < n; i++) {
		int c = completeness(h, others[i], false);
		if (c > top)
			top = c, best = others[i];
	}
	return best;
}

/* The namespaces a probe joins, the user namespace first (it owns the
 * others and gives the capabilities to join them), the mount namespace
 * last but one (the root and cwd come after it). */
static const struct {
	const char *type;
	int flag;
} joins[] = {
    {"user", CLONE_NEWUSER},
    {"cgroup", CLONE_NEWCGROUP},
    {"ipc", CLONE_NEWIPC},
    {"uts", CLONE_NEWUTS},
    {"net", CLONE_NEWNET},
    {"pid", CLONE_NEWPID},
    {"time", 0x80 /* CLONE_NEWTIME */},
    {"mnt", CLONE_NEWNS},
};

/* What the probe of a learner's process takes from it, read before the
 * fork: the child does only system calls. */
struct target {
	pid_t pid;
	int ns[NSLAB_ARRAY_SIZE(joins)], root, cwd, probe; /* -1: not joined */
	int nserr[NSLAB_ARRAY_SIZE(joins)];                /* why a namespace is not joined; 0: shared */
	char procs[4][1100];                               /* cgroup.procs files to join */
	unsigned nprocs;
	struct lockstate ls;
	unsigned long long inh, prm;
	uid_t uid;
	gid_t gid;
	bool ids; /* uid and gid as its user namespace sees them */
	int last_cap;
};

/* The host uid in /proc/PID/status's line key ("Uid:"), seen from inside
 * pid's user namespace through its map file ("uid_map"). */
static bool id_inside(pid_t pid, const char *key, const char *map, unsigned *id)
{
	char path[64], line[256];
	unsigned outside = 0, in, out, count;
	bool got = false, mapped = false;
	FILE *f = fopen(nslab_proc_path(path, sizeof(path), pid, "status"), "re");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			got = sscanf(line + strlen(key), "%u", &outside) == 1;
	if (f)
		fclose(f);
	f = got ? fopen(nslab_proc_path(path, sizeof(path), pid, map), "re") : NULL;
	while (f && !mapped && fscanf(f, "%u %u %u", &in, &out, &count) == 3)
		if (outside >= out && outside - out < count)
			*id = in + (outside - out), mapped = true;
	if (f)
		fclose(f);
	return mapped;
}

/* The cgroup.procs files of pid's groups: the cpu, memory and pids
 * hierarchies, and the cgroup2 one (on hybrid, the lab's tracking tree:
 * the probe then ends with the lab). */
static void target_cgroups(struct target *t)
{
	static const char *const ctls[] = {"cpu", "memory", "pids", "-" /* the cgroup2 line */};
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(ctls) && t->nprocs < NSLAB_ARRAY_SIZE(t->procs); i++) {
		struct nslab_cg_hier hi;
		char rel[512], path[1100];
		bool found = strcmp(ctls[i], "-") == 0 ? first_cgroup2(hi.mnt, sizeof(hi.mnt))
						       : nslab_cg_find(ctls[i], &hi);
		if (!found || nslab_proc_cgroup_of(t->pid, ctls[i], rel, sizeof(rel)) < 0)
			continue;
		snprintf(path, sizeof(path), "%s%s/cgroup.procs", hi.mnt, strcmp(rel, "/") == 0 ? "" : rel);
		bool dup = false;
		for (unsigned k = 0; k < t->nprocs; k++)
			dup |= strcmp(t->procs[k], path) == 0;
		if (!dup)
			snprintf(t->procs[t->nprocs++], sizeof(t->procs[0]), "%s", path);
	}
}

static void close_target(struct target *t)
{
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(t->ns); i++)
		if (t->ns[i] >= 0)
			close(t->ns[i]);
	if (t->root >= 0)
		close(t->root);
	if (t->cwd >= 0)
		close(t->cwd);
	if (t->probe >= 0)
		close(t->probe);
}

/* Opens what the probe joins: the namespaces pid does not share with
 * nslab, its root and cwd, the probe itself (run from nslab's copy: the
 * learner's root need not hold one); reads its cgroups and credentials. */
static bool open_target(struct nslab_host *h, pid_t pid, struct target *t)
{
	char path[96], line[256];
	*t = (struct target){.pid = pid, .root = -1, .cwd = -1, .probe = -1, .last_cap = cap_max_bits() - 1};
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(joins); i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, joins[i].type);
		int same = h->same_ns(h, pid, joins[i].type);
		t->ns[i] = same == 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
		/* a kernel without the type (time before 5.6) has nothing to join */
		if ((same < 0 || t->ns[i] < 0) && same != 1 && errno != ENOENT)
			t->nserr[i] = errno ? errno : EIO;
	}
	t->root = open(nslab_proc_path(path, sizeof(path), pid, "root"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	t->cwd = open(nslab_proc_path(path, sizeof(path), pid, "cwd"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	const char *probe = h->helper(h, "nslab-probe");
	t->probe = probe ? open(probe, O_RDONLY | O_CLOEXEC) : -1;
	target_cgroups(t);
	read_lockstate(pid, &t->ls);
	FILE *f = fopen(nslab_proc_path(path, sizeof(path), pid, "status"), "re");
	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "CapInh: %llx", &t->inh);
		sscanf(line, "CapPrm: %llx", &t->prm);
	}
	if (f)
		fclose(f);
	unsigned uid, gid;
	t->ids = id_inside(pid, "Uid:", "uid_map", &uid) && id_inside(pid, "Gid:", "gid_map", &gid);
	t->uid = uid, t->gid = gid;
	if (t->root < 0 || t->probe < 0) {
		close_target(t);
		return false;
	}
	return true;
}

/* In the probe's child: one line "!WHAT ERRNO" for what it could not take
 * from the learner's process (nslab says it before the verdicts). */
static void probe_note(const char *what, int err)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "!%s %d\n", what, err);
	if (write(1, line, (size_t)n) < 0)
		return;
}

/* In the probe's grandchild, inside the pid namespace: the bounding set,
 * uid and gid, capabilities and no_new_privs of the learner's process,
 * then the probe. */
static void become_target(const struct target *t, const char *ref)
{
	bool bounded = true;
	for (int c = 0; c <= t->last_cap && c < 64; c++)
		if (!(t->ls.capbnd & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			bounded = false;
	if (!bounded)
		probe_note("bounding", errno);
	if (t->ids) {
		prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
		if (setgroups(0, NULL) < 0 && errno != EPERM) /* EPERM: setgroups is "deny" there */
			probe_note("groups", errno);
		if (setresgid(t->gid, t->gid, t->gid) < 0 || setresuid(t->uid, t->uid, t->uid) < 0)
			probe_note("ids", errno);
	} else
		probe_note("ids", ENOENT);
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {
	    {(uint32_t)t->ls.capeff, (uint32_t)t->prm, (uint32_t)t->inh},
	    {(uint32_t)(t->ls.capeff >> 32), (uint32_t)(t->prm >> 32), (uint32_t)(t->inh >> 32)},
	};
	if (syscall(SYS_capset, &hdr, data) < 0)
		probe_note("caps", errno);
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* the credentials' change cleared it */
	if (t->ls.nnp == 1 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		probe_note("nnp", errno);
	char *argv[] = {"nslab-probe", "--host", (char *)ref, NULL}, *envp[] = {NULL};
	fexecve(t->probe, argv, envp);
	probe_note("exec", errno);
	_exit(127);
}

/* The probe's child: into the learner's process's cgroups (while still
 * root on the host), its namespaces, its root and cwd (as nsenter --all
 * --root --wd does); then a grandchild, born in its PID namespace. */
static void enter_target(const struct target *t, const char *ref)
{
	for (unsigned i = 0; i < t->nprocs; i++) {
		int fd = open(t->procs[i], O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) < 0)
			probe_note("cgroups", errno);
		if (fd >= 0)
			close(fd);
	}
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(joins); i++)
		if (t->ns[i] >= 0 && setns(t->ns[i], joins[i].flag) < 0)
			probe_note(joins[i].type, errno);
	if (fchdir(t->root) < 0 || chroot(".") < 0)
		probe_note("root", errno);
	if (t->cwd < 0 || fchdir(t->cwd) < 0) {
		probe_note("cwd", t->cwd < 0 ? ENOENT : errno);
		if (chdir("/") < 0)
			_exit(1);
	}
	pid_t pid = fork(); /* not nslab_fork_tied: in a PID namespace of its own, getppid() is 0 */
	if (pid < 0)
		_exit(1);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		become_target(t, ref);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
}

#define PROBE_DEADLINE_MS 150000 /* the probes' own alarms end them well before */

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Runs the probe in a learner's process's container; its output (notes
 * and verdicts) into out. 0 ok, -1 with errno. */
static int probe_target(const struct target *t, const char *ref, char *out, size_t outlen)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = nslab_fork_tied();
	if (pid < 0) {
		close(fds[0]), close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fds[1], 1);
		enter_target(t, ref);
	}
	close(fds[1]);
	size_t len = 0;
	long long end = now_ms() + PROBE_DEADLINE_MS;
	struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
	while (len + 1 < outlen && end > now_ms() && poll(&pfd, 1, (int)(end - now_ms())) > 0) {
		ssize_t n = read(fds[0], out + len, outlen - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	out[len] = '\0';
	close(fds[0]);
	kill(pid, SIGKILL); /* gone already unless it overran */
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		errno = WIFEXITED(st) && WEXITSTATUS(st) == 127 ? ENOEXEC : ECHILD;
		return -1;
	}
	return 0;
}

/* One "!WHAT ERRNO" line of the probe's child, said. */
static void say_note(struct nslab_host *h, const char *line)
{
	char what[32], label[96];
	int err = 0;
	if (sscanf(line, "!%31s %d", what, &err) != 2)
		return;
	const char *text = strcmp(what, "cgroups") == 0    ? _("its cgroups (the probe stayed in the lab's)")
			   : strcmp(what, "root") == 0     ? _("its root")
			   : strcmp(what, "cwd") == 0      ? _("its working directory")
			   : strcmp(what, "bounding") == 0 ? _("its bounding set")
			   : strcmp(what, "ids") == 0      ? _("its uid and gid")
			   : strcmp(what, "groups") == 0   ? _("its supplementary groups")
			   : strcmp(what, "caps") == 0     ? _("its capabilities")
			   : strcmp(what, "nnp") == 0      ? _("its no_new_privs")
			   : strcmp(what, "exec") == 0     ? _("the probe program")
							   : NULL;
	if (!text) {
		snprintf(label, sizeof(label), _("its %s namespace"), what);
		text = label;
	}
	h->print(h, _("  not carried over: %s (%s); the probes ran without it\n"), text, strerror(err));
}

/* Probes the container (bare: a plain child of nslab on the host instead)
 * and scores them; say: print a line each. The container is the lab's most
 * complete one: the container process, or a learner's process built with
 * the real tools that is more of a container (learner_container); the
 * header names it. -1 if the probes could not run. */
static int scorecard(struct nslab_host *h, bool bare, bool say, struct score *sc)
{
	char ref[256], *text = NULL, who[160], cmd[96];
	static char buf[8192];
	host_ref(ref, sizeof(ref));
	*sc = (struct score){0};
	struct lockstate ls = {0};
	pid_t learner = bare ? 0 : learner_container(h), pid = learner ? learner : h->main_pid(h);
	/* named as it is when probed (a learner's sh may exec its sleep meanwhile) */
	snprintf(who, sizeof(who), "PID %d (%s)", (int)pid, nslab_cmdline(pid, cmd, sizeof(cmd)));
	if (bare) {
		const char *probe = h->helper(h, "nslab-probe");
		char line[PATH_MAX + 300];
		if (!probe) {
			h->error(h, _("the helper nslab-probe is missing (make all builds it)"));
			return -1;
		}
		snprintf(line, sizeof(line), "%s --host %s", probe, ref);
		if (h->host_run(h, line, &text) != 0) {
			h->error(h, _("nslab-probe failed on the host: %s"), text ? text : "");
			free(text);
			return -1;
		}
	} else if (learner) {
		struct target t;
		if (!open_target(h, learner, &t)) {
			h->error(h, _("cannot probe PID %d: its root or nslab-probe cannot be opened: %s"),
				 (int)learner, strerror(errno));
			return -1;
		}
		ls = t.ls;
		int rc = probe_target(&t, ref, buf, sizeof(buf));
		close_target(&t);
		for (size_t i = 0; i < NSLAB_ARRAY_SIZE(joins); i++) { /* said with the child's notes */
			size_t len = strlen(buf);
			if (t.nserr[i] && len + 48 < sizeof(buf))
				snprintf(buf + len, sizeof(buf) - len, "%s!%s %d\n",
					 len && buf[len - 1] != '\n' ? "\n" : "", joins[i].type, t.nserr[i]);
		}
		if (rc < 0 && !strstr(buf, " held ") && !strstr(buf, " escaped ")) {
			h->error(h, _("the probes cannot run in PID %d: %s"), (int)learner, strerror(errno));
			return -1;
		}
		text = strdup(buf);
	} else {
		read_lockstate(h->main_pid(h), &ls);
		if (h->call(h, h->main_pid(h), ag_probe, ref, strlen(ref) + 1, buf, sizeof(buf)) < 0) {
			h->error(h,
				 _("the probes cannot run in the container (%s): it needs its own root with "
				   "/nslab-probe in it (step 2, `rootfs`)"),
				 strerror(errno));
			return -1;
		}
		text = strdup(buf);
	}
	if (say && bare)
		h->print(h, _("Scorecard of a bare process on the host:\n"));
	else if (say && !learner)
		h->print(h, _("Scorecard of the container, %s:\n"), who);
	else if (say) {
		h->print(h,
			 _("Scorecard of your container, %s, the lab's most complete one: the probes ran in "
			   "its namespaces, root, working directory and cgroups, with its bounding set, "
			   "capabilities, uid and no_new_privs.\n"),
			 who);
		if (ls.seccomp == 2)
			h->print(
			    h, _("  not carried over: its seccomp filter (nslab cannot copy one); what only "
				 "the filter would refuse says \"cannot tell\"\n"));
	}
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (l[0] == '!') {
			if (say)
				say_note(h, l);
		} else
			score_line(h, l, !learner && ls.seccomp == 2, learner && ls.seccomp == 2, sc, say);
	free(text);
	if (say)
		h->print(h, _("%u held, %u escaped, %u not on this kernel.\n"), sc->held, sc->escaped,
			 sc->absent);
	if (say && sc->untold)
		h->print(h, _("%u cannot be told without the container's own seccomp filter.\n"), sc->untold);
	return 0;
}

/* The scorecards run so far (lab_data): the step's end state is the
 * learner's two readings, the bare one and a clean one of the container. */
struct scored {
	bool bare, clean;
};

static struct scored *scored(struct nslab_host *h)
{
	if (!h->lab_data)
		h->lab_data = calloc(1, sizeof(struct scored));
	return h->lab_data;
}

/* Runs and prints a scorecard, and notes it. */
static int run_scorecard(struct nslab_host *h, bool bare)
{
	struct score sc;
	if (scorecard(h, bare, true, &sc) < 0)
		return -1;
	struct scored *s = scored(h);
	if (s && bare)
		s->bare = true;
	if (s && !bare)
		s->clean = sc.escaped == 0 && sc.untold == 0 && sc.held > 0;
	return 0;
}

static bool check_scorecard(struct nslab_host *h)
{
	const struct scored *s = h->lab_data; /* a check only reads: none yet is NULL */
	bool ok = true;
	if (!s || !s->bare) {
		h->missing(h, _("no scorecard of a bare process yet, to compare with: `scorecard bare`"));
		ok = false;
	}
	if (!s || !s->clean) {
		h->missing(h, _("no scorecard of the container with every probe held yet: `scorecard` (and "
				"`lockdown` if something escapes)"));
		ok = false;
	}
	return ok;
}

static int do_scorecard(struct nslab_host *h)
{
	return run_scorecard(h, true) < 0 || run_scorecard(h, false) < 0 ? -1 : 0;
}

static int cmd_scorecard(struct nslab_host *h, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "bare") != 0) {
		h->error(h, _("usage: scorecard [bare]"));
		return -1;
	}
	return run_scorecard(h, argc > 1);
}

static void teardown(struct nslab_host *h)
{
	free(h->lab_data);
	h->lab_data = NULL;
}

static int cmd_lockdown(struct nslab_host *h, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return do_lockdown(h);
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
	failed += do_lockdown(h) < 0;
	if (failed) {
		h->error(h,
			 dngettext(NSLAB_TEXTDOMAIN,
				   "%d piece of the container could not be built (see above)",
				   "%d pieces of the container could not be built (see above)",
				   (unsigned long)failed),
			 failed);
		return -1;
	}
	h->print(h, _("Built: `ns` shows every row different; `run ps`, `run hostname`, `run id`.\n"));
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
    {"build", "build", N_("build the whole container in one go (every step's do)"), 0, 0, cmd_build},
    {"rootfs", "rootfs",
     N_("overlay root (image lower, container layer on a tmpfs), a fresh /proc, pivot_root"), 0, 0,
     cmd_rootfs},
    {"limit", "limit", N_("cgroup nslab/<pid>/" CG_NAME " with a 50% CPU quota, then a cgroup namespace"), 0,
     0, cmd_limit},
    {"clock", "clock", N_("a time namespace ten days ahead (unshare, timens_offsets, setns)"), 0, 0,
     cmd_clock},
    {"lockdown", "lockdown",
     N_("Docker's capability set, no_new_privs and a seccomp filter for the container"), 0, 0, cmd_lockdown},
    {"scorecard", "scorecard [bare]",
     N_("safe probes of known escapes: held by what, or what to add (bare: a plain process on the host)"), 0,
     1, cmd_scorecard},
};

static const struct nslab_step steps[] = {
    {
	.title = N_("A name of its own"),
	.task = N_("The container process was cloned into new user, mount, UTS, IPC, PID and "
		   "network namespaces in one call. Look at it with `ns`. unshare(1) makes a "
		   "UTS namespace of its own from any terminal, as Docker's --hostname does:\n"
		   "  host unshare --uts sh -c 'hostname container; sleep infinity' &\n"
		   "  host lsns -t uts\n"
		   "Or name the container itself, from inside:\n"
		   "  run hostname container\n"
		   "  run hostname\n"
		   "  host hostname"),
	.hint = N_("Inside the container you are uid 0 of its user namespace, which owns its UTS "
		   "namespace: that is enough for sethostname."),
	.explain = N_("clone(CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET) "
		      "made every namespace at once; the user namespace is created first and owns "
		      "the others. nslab then wrote uid_map and gid_map (\"0 <uid> 1\"): root inside "
		      "is an ordinary uid outside (`host grep Uid /proc/$NSLAB_LAB_PID/status`). "
		      "sethostname() changed the nodename in the container's UTS namespace only."),
	.check = check_hostname,
	.perform = do_hostname,
    },
    {
	.title = N_("A root filesystem and a fresh /proc"),
	.task = N_("Give the container an overlay root, as Docker does: the image as the "
		   "read-only lower layer, a container layer (upperdir, workdir) on a tmpfs, "
		   "pivot_root into the merged tree, plus a /proc of its own. With the real "
		   "tools, for a process of your own (nslab made the image in $NSLAB_LAB_DIR/image): "
		   "unshare(1) a mount and a PID namespace, mount(8) the tmpfs and the overlay, "
		   "pivot_root(8), mount a fresh proc, umount(8) the old root:\n"
		   "  host unshare --mount --pid --fork --propagation private sh -c 'mount -t tmpfs tmpfs "
		   "/mnt && mkdir /mnt/upper /mnt/work /mnt/merged && mount -t overlay overlay -o "
		   "lowerdir=$NSLAB_LAB_DIR/image,upperdir=/mnt/upper,workdir=/mnt/work /mnt/merged && cd "
		   "/mnt/merged && mkdir .oldroot && pivot_root . .oldroot && cd / && mount -t proc proc "
		   "/proc && umount -l /.oldroot && exec sleep infinity' &\n"
		   "  host ls /proc/$(pgrep -n -x sleep)/root\n"
		   "  host cat /proc/$(pgrep -n -x sleep)/mountinfo\n"
		   "nslab's shortcut does the same for the container process itself:\n"
		   "  rootfs\n"
		   "  run ls /\n"
		   "  run ps\n"
		   "  run cat /proc/self/mountinfo\n"
		   "  host ls $NSLAB_LAB_ROOT\n"
		   "  host ls $NSLAB_LAB_DIR/image"),
	.hint = N_("`rootfs` makes a small image (sh, ls, ps, hostname, ... with their "
		   "libraries) in the lab's directory, owned by the uid root inside maps to; "
		   "mounts a tmpfs for the container layer, an overlay with the image as "
		   "lowerdir, mounts proc, then pivots into merged and detaches the old root."),
	.explain = N_("As Docker does (and the overlay lab): the image is the overlay's read-only "
		      "lower layer ($NSLAB_LAB_DIR/image, made by the host, its files owned by "
		      "the uid that root inside maps to, so root inside reads them as its own). "
		      "Inside the container's mount namespace: mount(\"tmpfs\") on rootfs for the "
		      "container layer, then mount(\"overlay\", \"rootfs/merged\", \"overlay\", 0, "
		      "\"lowerdir=image,upperdir=rootfs/upper,workdir=rootfs/work\") (allowed in a "
		      "user namespace since Linux 5.11; before, nslab copies the image onto the "
		      "tmpfs); what the container writes lands in upper, the image never "
		      "changes. mount(\"proc\") on its /proc (before the "
		      "pivot: in a user namespace the kernel only allows a proc mount while an "
		      "unobstructed one is visible); pivot_root(\".\", \".oldroot\"); "
		      "umount2(\"/.oldroot\", MNT_DETACH). The new proc belongs to the container's "
		      "PID namespace: `run ps` lists only its processes, and the container process "
		      "itself is PID 1."),
	.check = check_root,
	.perform = do_root,
    },
    {
	.title = N_("A cgroup with a CPU limit"),
	.task =
	    N_("Put the container in a cgroup that allows half a CPU, then give it a cgroup "
	       "namespace. With the real tools, for a process of your own: make the group "
	       "under nslab's tree, set its quota (cgset on cgroup v1 and hybrid, a write to "
	       "cpu.max on v2), start a process in it that unshares its cgroup namespace, "
	       "and read a cgroup from inside such a namespace:\n"
	       "  host cgcreate -g cpu:nslab/$(basename $NSLAB_CGROUP_DIR)/container\n"
	       "  host cgset -r cpu.cfs_quota_us=50000 nslab/$(basename $NSLAB_CGROUP_DIR)/container\n"
	       "  host echo '50000 100000' > $NSLAB_CGROUP_DIR/container/cpu.max\n"
	       "  host cgexec -g cpu:nslab/$(basename $NSLAB_CGROUP_DIR)/container unshare --cgroup sleep "
	       "infinity &\n"
	       "  host cgexec -g cpu:nslab/$(basename $NSLAB_CGROUP_DIR)/container unshare --cgroup cat "
	       "/proc/self/cgroup\n"
	       "nslab's shortcut does the same for the container process itself:\n"
	       "  limit\n"
	       "  status\n"
	       "  run cat /proc/self/cgroup\n"
	       "  host cat /proc/$NSLAB_LAB_PID/cgroup"),
	.hint = N_("Order matters: move into the cgroup first, then unshare(CLONE_NEWCGROUP), so "
		   "that the namespace is rooted at the container's own cgroup (runc does the "
		   "same)."),
	.explain = N_("mkdir created nslab/<pid>/container; cpu.cfs_quota_us=50000 with "
		      "cpu.cfs_period_us=100000 (cpu.max \"50000 100000\" on cgroup v2) allow 50 ms "
		      "of CPU time per 100 ms: half a CPU. Writing the PID to cgroup.procs moved "
		      "the container. unshare(CLONE_NEWCGROUP) then made that cgroup the "
		      "container's \"/\" while /proc/PID/cgroup on the host shows the full path."),
	.check = check_cgroup,
	.perform = do_cgroup,
    },
    {
	.title = N_("A clock of its own"),
	.task = N_("Give the container a time namespace whose clocks since boot run ten days "
		   "ahead. unshare(1) sets a new time namespace's offsets before its first "
		   "process enters; --fork starts that process:\n"
		   "  host unshare --time --monotonic 864000 --boottime 864000 --fork sleep infinity &\n"
		   "  host lsns -t time\n"
		   "nslab's shortcut moves the container process itself in:\n"
		   "  clock\n"
		   "  run uptime\n"
		   "  host uptime\n"
		   "  run date\n"
		   "  host date\n"
		   "(On kernels before 5.6 there are no time namespaces: this step has nothing "
		   "to do.)"),
	.hint = N_("Like PID namespaces, unshare(CLONE_NEWTIME) affects only children: the "
		   "offsets are written first, then the container process steps in with setns()."),
	.explain = N_("unshare(CLONE_NEWTIME) created a time namespace for future children "
		      "(time_for_children); writing \"monotonic 864000 0\" and \"boottime 864000 0\" to "
		      "/proc/self/timens_offsets set its offsets (allowed only before any process "
		      "enters); setns() on /proc/self/ns/time_for_children moved the container "
		      "itself in. CLOCK_MONOTONIC and CLOCK_BOOTTIME are shifted; CLOCK_REALTIME "
		      "(`date`) is not namespaced. Docker does not use time namespaces; CRIU does, "
		      "to restore containers on another machine."),
	.check = check_time,
	.perform = do_time,
    },
    {
	.title = N_("Run it, and compare with docker run"),
	.task = N_("Run a bounded busy loop in the container and watch the limit hold. nsenter(1) "
		   "joins the container's namespaces, root and working directory from the host (as "
		   "docker exec does), and cgexec starts it in the container's cgroup:\n"
		   "  host cgexec -g cpu:nslab/$(basename $NSLAB_CGROUP_DIR)/container nsenter --target "
		   "$NSLAB_LAB_PID --all --root --wd timeout 2 sh -c 'while :; do :; done'\n"
		   "nslab's shortcut, `run`, enters the same way, cgroup included:\n"
		   "  run timeout 2 sh -c 'while :; do :; done'\n"
		   "  host cat $NSLAB_CGROUP_DIR/container/cpu.stat\n"
		   "  ns\n"
		   "($NSLAB_CGROUP_DIR is nslab's tree in the cpu hierarchy, on v1 and v2 alike.) "
		   "Every row of `ns` now differs from the host."),
	.hint = N_("nr_throttled in cpu.stat counts the periods in which the cgroup used up its "
		   "quota."),
	.explain =
	    N_("What you built is what `docker run --hostname container --cpus 0.5 "
	       "IMAGE sh` asks runc for, on a daemon started with userns-remap (a dockerd "
	       "option in daemon.json, not a docker run flag: it maps root in every "
	       "container to a 65536-id subordinate range; by default Docker uses no user "
	       "namespace): clone() with the namespace flags, uid/gid maps, an overlay root "
	       "(the image as lowerdir, a container layer as upperdir) with pivot_root, a fresh /proc, "
	       "sethostname, a cgroup with cpu quota "
	       "50000/100000 and a cgroup namespace. Docker adds: a veth pair to the docker0 "
	       "bridge instead of an empty network namespace, /dev and /sys mounts, a "
	       "reduced capability set, a seccomp filter and an AppArmor/SELinux profile, "
	       "and no time namespace. \"Containers are processes born from tarballs, "
	       "anchored to namespaces, controlled by cgroups.\""),
	.check = check_run,
	.perform = do_run,
    },
    {
	.title = N_("Lock it down"),
	.task =
	    N_("Root in the container still holds every capability of its user namespace. A runtime "
	       "takes most away before the container's program starts: Docker keeps 14 capabilities, "
	       "sets no_new_privs on request and loads a seccomp filter (`docker run --cap-drop ... "
	       "--security-opt no-new-privileges --security-opt seccomp=PROFILE`), and limits memory "
	       "and processes. For a process of your own the real tools do all but the filter: "
	       "cgcreate and cgset give a group the limits (the first cgset line is for cgroup v1 and "
	       "hybrid, the second for v2), setpriv(1) keeps Docker's 14 capabilities and sets "
	       "no_new_privs. No standard command loads a seccomp filter (a runtime builds it from a "
	       "profile):\n"
	       "  host cgcreate -g memory,pids:nslab/$(basename $NSLAB_CGROUP_DIR)/container\n"
	       "  host cgset -r memory.limit_in_bytes=64M -r pids.max=64 nslab/$(basename "
	       "$NSLAB_CGROUP_DIR)/container\n"
	       "  host cgset -r memory.max=64M -r pids.max=64 nslab/$(basename $NSLAB_CGROUP_DIR)/container\n"
	       "  host cgexec -g memory,pids:nslab/$(basename $NSLAB_CGROUP_DIR)/container setpriv "
	       "--no-new-privs --inh-caps=-all --bounding-set "
	       "-all,+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,+setpcap,+net_bind_service,+"
	       "net_raw,+sys_chroot,+mknod,+audit_write,+setfcap sleep infinity &\n"
	       "  host grep -E 'Cap|NoNewPrivs|Seccomp' /proc/$(pgrep -n -x sleep)/status\n"
	       "nslab's shortcut locks the container process itself down, filter included. Look, lock it "
	       "down, look again:\n"
	       "  run grep -E 'Cap|NoNewPrivs|Seccomp' /proc/1/status\n"
	       "  lockdown\n"
	       "  run grep -E 'Cap|NoNewPrivs|Seccomp' /proc/1/status\n"
	       "  host capsh --decode=a80425fb"),
	.hint = N_("Capabilities can only be dropped from inside, by the process itself (prctl, capset): "
		   "that is why a runtime does it between clone and exec. `lockdown` makes the container's "
		   "main process do it."),
	.explain = N_("prctl(PR_CAPBSET_DROP) removed every capability but Docker's 14 (chown, dac_override, "
		      "fowner, fsetid, kill, setgid, setuid, setpcap, net_bind_service, net_raw, sys_chroot, "
		      "mknod, audit_write, setfcap) from the bounding set, and capset() from the effective, "
		      "permitted and inheritable sets: CapBnd in /proc/PID/status is now a80425fb. "
		      "prctl(PR_SET_NO_NEW_PRIVS) means no exec can gain privileges again (setuid bits and "
		      "file capabilities are ignored), and it lets an unprivileged process install a filter: "
		      "seccomp(SECCOMP_SET_MODE_FILTER) loaded a BPF program, built with libseccomp, that "
		      "answers mount, umount2, pivot_root, unshare, setns, init_module, kexec_load, reboot, "
		      "bpf, ptrace and a few more with EPERM (Seccomp: 2). All three are inherited by every "
		      "child and can never be taken back. `run` itself enters from outside, like nsenter(1), "
		      "and keeps nslab's own capabilities; docker exec applies the container's set and "
		      "filter to what it starts."),
	.check = check_lockdown,
	.perform = do_lockdown,
    },
    {
	.title = N_("The scorecard"),
	.task = N_("Try known escapes against the container: each probe asks the kernel for one thing a "
		   "container must not do to its host, in a way that harms nothing when the answer is yes "
		   "(it opens /proc/sysrq-trigger without writing, sets the hostname it already has, makes "
		   "and removes one device node, mounts and unmounts a tmpfs in a namespace of its own, "
		   "forks at most 256 children and touches at most 256 MiB). Compare with a plain process "
		   "on the host:\n"
		   "  scorecard bare\n"
		   "  scorecard"),
	.hint = N_("Every probe the container does not hold names the piece to add and the lab that "
		   "teaches it."),
	.explain = N_("Each protection here is one of the earlier labs: pivot_root and the detached old root "
		      "stop the chroot escape (a chroot only changes where / is, the climb ends at the top "
		      "of the container's own mount namespace); the PID, network and UTS namespaces hide the "
		      "host's processes, network and name; the user namespace makes root inside an ordinary "
		      "uid to the host's files, devices and modules; seccomp refuses mount and "
		      "init_module before any capability is even looked at; pids.max and memory.max bound "
		      "what a fork bomb and a memory hog can take. The probes are nslab-probe, run as a "
		      "child of the container's main process, so with all of its namespaces, root, cgroup, "
		      "capabilities and filter. When a process of yours built with the real tools is more of "
		      "a container than the container process, the scorecard probes that one, and names it: "
		      "nslab starts the probe from outside, moves it into that process's cgroups, joins its "
		      "namespaces (setns, user namespace first), root and working directory as nsenter(1) "
		      "does, and gives it that process's bounding set, capabilities, uid and no_new_privs; "
		      "a seccomp filter cannot be copied from one process to another, so what only the "
		      "filter would refuse is said as \"cannot tell\"."),
	.check = check_scorecard,
	.perform = do_scorecard,
    },
};

static const char *unsupported(struct nslab_host *h)
{
	if (access("/proc/self/ns/user", F_OK) < 0 || access("/proc/self/ns/cgroup", F_OK) < 0)
		return _("this kernel lacks user or cgroup namespaces");
	if (h->cg_mode(h) == NSLAB_CG_NONE)
		return _("no cgroup hierarchy with the cpu controller is mounted");
	const char *older = NSLAB_NEED_HOST(h, cg_dir);
	return older ? older : NSLAB_NEED_HOST(h, cg_group);
}

/* Is ctl listed in the cgroup v2 root's cgroup.subtree_control? */
static bool root_enables(const char *ctl)
{
	struct nslab_cg_hier hi;
	char buf[256], *save = NULL;
	if (!nslab_cg_find(ctl, &hi) || !hi.v2 ||
	    nslab_cg_read(hi.mnt, "cgroup.subtree_control", buf, sizeof(buf)) < 0)
		return false;
	for (char *w = strtok_r(buf, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
		if (strcmp(w, ctl) == 0)
			return true;
	return false;
}

/* cgroup v2: a controller's files appear in a child only when its parent
 * lists it in cgroup.subtree_control, and cgcreate (libcgroup 2.0) does
 * not switch it on in the parents: with cpu off in nslab/<pid>/, step 3's
 * `cgcreate -g cpu:nslab/<pid>/container` fails with "No such file or
 * directory" (as in the cpu lab). So, as root, the lab switches cpu on in
 * the root, nslab/ and nslab/<pid>/ as `limit` would (its group made and
 * removed again, leaving the mkdir to the learner's cgcreate), and memory
 * and pids below nslab/ for step 6's cgcreate when the root offers them
 * (the root's list is the machine's: `lockdown` says how when it lacks
 * one). Every switch is undone at stop. Says which quota line applies. */
static void open_tree_v2(struct nslab_host *h)
{
	char dir[PATH_MAX];
	if (h->cg_mode(h) == NSLAB_CG_V1 || h->cg_mode(h) == NSLAB_CG_HYBRID)
		h->print(h,
			 _("This machine runs cgroup v1 controllers: of the tasks' lines, use the cgset ones "
			   "(cpu.cfs_quota_us, memory.limit_in_bytes).\n"));
	if (h->cg_mode(h) != NSLAB_CG_V2 || geteuid() != 0)
		return;
	if (h->cg_create(h, CG_NAME) < 0)
		return; /* it said why; `limit` says it again */
	if (h->cg_dir(h, CG_NAME, 0, dir, sizeof(dir)) == 0)
		h->undo(h, NSLAB_OBJ_CGROUP, dir);
	char on[32] = "cpu";
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(limits); i++)
		if (root_enables(limits[i].ctl) && h->cg_group(h, limits[i].ctl, NULL, dir, sizeof(dir)) >= 0)
			snprintf(on + strlen(on), sizeof(on) - strlen(on), " %s", limits[i].ctl);
	h->print(h,
		 _("This machine runs cgroup v2: nslab switched controllers (%s) on below nslab/%d/ "
		   "(undone at stop), so that cgcreate works there. Of the tasks' lines, use the v2 ones "
		   "(cpu.max, memory.max).\n"),
		 on, (int)getpid());
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
	/* the image, now: step 2's real tools mount it as a lowerdir themselves */
	char image[1024];
	imagedir(h, image, sizeof(image));
	if (make_image(h, image, id) < 0)
		return -1;
	open_tree_v2(h);
	h->trace(h, "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL) = 0   [in the container]");
	h->trace(h, "setresgid(0, 0, 0) = 0; setresuid(0, 0, 0) = 0   [in the container]");
	h->print(h,
		 _("The container process is PID %d on the host (PID 1 inside);\nroot inside is uid %u "
		   "outside.\n"),
		 (int)pid, (unsigned)id.uid);
	return 0;
}

static const struct nslab_lab lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "container",
    .title = N_("Capstone: a container from the pieces"),
    .summary = N_(
	"A container is not a thing the kernel knows about: it is an ordinary process that was born into "
	"new namespaces, given a root filesystem of its own, and put in a cgroup. This lab assembles one "
	"from everything the earlier labs took apart: every namespace at once, a user namespace mapping "
	"root inside to an ordinary uid outside, a hostname, an overlay root (the image as the read-only "
	"lower layer, the container layer on a tmpfs) with a fresh /proc via pivot_root, a cgroup with a CPU "
	"limit and its cgroup namespace, and a time namespace. `build` "
	"does it all in one go; the steps do it piece by piece."),
    .order = 200,
    NSLAB_STEPS(steps),
    .unsupported = unsupported,
    .setup = setup,
    .teardown = teardown,
    /* Rootless works: the user namespace comes first, and it owns the rest.
     * Only the cgroup step needs root (or a delegated subtree), and says so. */
    .unprivileged = true,
    NSLAB_COMMANDS(commands),
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(lab)
