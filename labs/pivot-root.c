/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pivot-root.c: a root that cannot be escaped.
 *
 * The lab process starts as a plain child of nslab. The learner gives it a
 * private mount namespace, mounts a tmpfs, fills it with a small rootfs,
 * pivot_root()s into it and detaches the old root. The chroot escape program
 * then has nowhere to climb to. Every syscall of the lab's own commands runs
 * in the lab process itself, through h->call; the checks also accept the
 * same work done with the real tools (unshare(1), mount(8), pivot_root(8),
 * umount(8)) in a learner's own process among the lab's subjects. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define NEW_ROOT "new_root"
#define TMPFS_OPTS "size=64m,mode=0755"
#define ESCAPE_OUT "escape.txt"

/* Programs copied into the new root (with their libraries). */
static const char *const rootfs_programs[] = {
    "/bin/sh",    "/bin/ls",    "/bin/cat",    "/bin/mkdir",
    "/bin/rmdir", "/bin/mount", "/bin/umount", "/bin/readlink",
};

/* The host's mount table as the lab found it: its / mount. */
struct pivot_data {
	int host_root_id;
};

/* --- small helpers --- */

/* What is mounted on point (below: or under it) in pid's mount namespace. */
static struct nslab_mount_at mount_at(struct nslab_host *h, pid_t pid, const char *point, bool below)
{
	struct nslab_mount_at at = {.size = sizeof(at)};
	h->mount_at(h, pid, point, below ? NSLAB_AT_BELOW : 0, &at);
	return at;
}

static void new_root_path(struct nslab_host *h, char *buf, size_t len)
{
	snprintf(buf, len, "%s/" NEW_ROOT, h->workdir(h));
}

/* A path as process pid sees it, reachable from the host through
 * /proc/PID/root (the lookup then walks that process's mount namespace). */
static void lab_path(pid_t pid, const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/%d/root%s", (int)pid, path);
}

static bool lab_exists(pid_t pid, const char *path, mode_t type)
{
	char p[PATH_MAX + 64];
	struct stat st;
	lab_path(pid, path, p, sizeof(p));
	return stat(p, &st) == 0 && (st.st_mode & S_IFMT) == type;
}

/* --- the lab's subjects: the lab process, and the learner's own ---
 *
 * Each step's end state is judged per process (an _of function): the lab
 * process, which nslab's commands change, and every other subject (what
 * `run`, `shell` and `host ... &` started in the lab cgroup, watched PIDs),
 * where a learner's `unshare --mount`, mount(8), pivot_root(8) and umount(8)
 * leave it. The step is done when one of them has it; otherwise the closest
 * one's missing lines are said. */

/* What one process lacks for a step: said only if it is the closest. */
struct lack {
	unsigned n;
	char who[96]; /* "the lab process" or "PID 123" */
	char line[6][768];
};

__attribute__((format(printf, 2, 3))) static void lack(struct lack *l, const char *fmt, ...)
{
	if (l->n >= NSLAB_ARRAY_SIZE(l->line))
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->line[l->n++], sizeof(l->line[0]), fmt, ap);
	va_end(ap);
}

static void lack_init(struct nslab_host *h, pid_t pid, struct lack *l)
{
	l->n = 0;
	if (pid == h->main_pid(h))
		snprintf(l->who, sizeof(l->who), "%s", _("the lab process"));
	else
		snprintf(l->who, sizeof(l->who), _("PID %d"), (int)pid);
}

/* "PID 123 (unshare --mount sh)": a learner's process as a line names it. */
static const char *subject_name(pid_t pid, char *buf, size_t len)
{
	char cmd[80];
	nslab_cmdline(pid, cmd, sizeof(cmd));
	snprintf(buf, len, "PID %d (%s)", (int)pid, cmd[0] ? cmd : "?");
	return buf;
}

typedef bool (*state_of)(struct nslab_host *h, pid_t pid, struct lack *l);
static const state_of step_state[6];

/* How far pid got: the latest step before `step` whose end state it has (a
 * later step undoes an earlier one's: after pivot_root the tmpfs is no
 * longer on new_root), 0 if none. */
static unsigned progress(struct nslab_host *h, pid_t pid, unsigned step)
{
	struct lack l;
	struct nslab_mount_at root = mount_at(h, pid, "/", false);
	bool pivoted = root.count > 0 && strcmp(root.fstype, "tmpfs") == 0;
	for (unsigned k = step - 1; k >= 1; k--) {
		/* steps 2 and 3 were done on the way to a tmpfs root */
		if (pivoted && (k == 2 || k == 3))
			return k;
		lack_init(h, pid, &l);
		if (step_state[k - 1](h, pid, &l))
			return k;
	}
	return 0;
}

/* Step `step` (1-6) is done when the lab process or another subject has its
 * end state. If none has, says what the closest lacks (the lab process
 * unless a learner's process got further). */
static bool some_subject(struct nslab_host *h, unsigned step)
{
	state_of of = step_state[step - 1];
	pid_t main = h->main_pid(h), other[16], near = main;
	struct lack best, l;
	lack_init(h, main, &best);
	if (of(h, main, &best))
		return true;
	unsigned n = nslab_other_subjects(h, other, NSLAB_ARRAY_SIZE(other));
	unsigned near_got = step > 1 ? progress(h, main, step) : 0;
	for (unsigned i = 0; i < n; i++) {
		lack_init(h, other[i], &l);
		if (of(h, other[i], &l))
			return true;
		unsigned got = step > 1 ? progress(h, other[i], step) : 0;
		if (got > near_got) {
			near = other[i], near_got = got;
			best = l;
		}
	}
	if (near != main) {
		char name[128];
		h->missing(h,
			   _("the closest of the lab's processes is your %s, which got as far as step %u; "
			     "what it lacks:"),
			   subject_name(near, name, sizeof(name)), near_got);
	}
	for (unsigned i = 0; i < best.n; i++)
		h->missing(h, "%s", best.line[i]);
	return false;
}

/* --- run inside the lab process (h->call) --- */

/* Private first, before anything else: a mount made while / is shared would
 * propagate back into the host's mount table. */
static int ag_unshare_private(void *arg, char *out, size_t outlen)
{
	(void)arg;
	if (unshare(CLONE_NEWNS) < 0)
		return nslab_fail(out, outlen, "unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return nslab_fail(out, outlen, "mount(MS_REC|MS_PRIVATE)");
	return 0;
}

static int ag_mount_tmpfs(void *arg, char *out, size_t outlen)
{
	if (mount("nslab-root", arg, "tmpfs", 0, TMPFS_OPTS) < 0)
		return nslab_fail(out, outlen, "mount(tmpfs)");
	return 0;
}

static int ag_mkdir(void *arg, char *out, size_t outlen)
{
	if (mkdir(arg, 0755) < 0 && errno != EEXIST)
		return nslab_fail(out, outlen, "mkdir");
	return 0;
}

static int ag_umount_old(void *arg, char *out, size_t outlen)
{
	(void)arg;
	if (umount2("/put_old", MNT_DETACH) < 0)
		return nslab_fail(out, outlen, "umount2(\"/put_old\", MNT_DETACH)");
	if (rmdir("/put_old") < 0)
		return nslab_fail(out, outlen, "rmdir(\"/put_old\")");
	return 0;
}

static int ag_getcwd(void *arg, char *out, size_t outlen)
{
	(void)arg;
	return getcwd(out, outlen) ? 0 : -1;
}

/* --- the host's mount table must not change --- */

static int host_root_id(struct nslab_host *h)
{
	struct nslab_mount_at f = mount_at(h, 0, "/", false);
	return f.count > 0 ? f.id : -1;
}

static bool host_untouched(struct nslab_host *h)
{
	const struct pivot_data *d = h->lab_data;
	bool ok = true;
	if (d && host_root_id(h) != d->host_root_id) {
		h->missing(h,
			   _("the host's / mount changed since the lab started (see /proc/self/mountinfo)"));
		ok = false;
	}
	struct nslab_mount_at f = mount_at(h, 0, h->workdir(h), true);
	if (f.count > 0) {
		h->missing(h, _("the host's mount table has %s mounted on %s: a mount leaked out of the lab"),
			   f.fstype, f.target);
		ok = false;
	}
	return ok;
}

/* --- step 1: a private mount namespace --- */

static bool private_of(struct nslab_host *h, pid_t pid, struct lack *l)
{
	if (h->same_ns(h, pid, "mnt") == 1) {
		lack(l,
		     _("%s still shares the host's mount namespace (/proc/%d/ns/mnt is the same as nslab's)"),
		     l->who, (int)pid);
		return false;
	}
	struct nslab_mount_at f = mount_at(h, pid, "/", false);
	if (f.nshared > 0) {
		lack(l,
		     _("%u mount(s) of %s are still shared (\"shared:N\" in /proc/%d/mountinfo, so "
		       "mounts inside would reach the host): `run mount --make-rprivate /` (or `mntns`)"),
		     f.nshared, pid == h->main_pid(h) ? _("the lab") : l->who, (int)pid);
		return false;
	}
	return true;
}

static bool check_private(struct nslab_host *h)
{
	return some_subject(h, 1);
}

static int do_private(struct nslab_host *h)
{
	if (h->call_main(h, ag_unshare_private, NULL) < 0)
		return -1;
	h->trace(h, "unshare(CLONE_NEWNS) = 0");
	h->trace(h, "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL) = 0");
	return 0;
}

static bool own_mntns(struct nslab_host *h)
{
	return h->same_ns(h, h->main_pid(h), "mnt") != 1;
}

static int cmd_mntns(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	return h->do_once(h, own_mntns, do_private, _("the lab process already has its own mount namespace"),
			  NULL);
}

/* --- step 2: a tmpfs for the new root --- */

static bool tmpfs_of(struct nslab_host *h, pid_t pid, struct lack *l)
{
	char nr[PATH_MAX];
	new_root_path(h, nr, sizeof(nr));
	struct nslab_mount_at f = mount_at(h, pid, nr, false);
	if (f.count == 0) {
		lack(l, _("nothing is mounted on %s in %s mount namespace"), nr,
		     pid == h->main_pid(h) ? _("the lab's") : _("its"));
		return false;
	}
	if (strcmp(f.fstype, "tmpfs") != 0) {
		lack(l, _("%s is a %s mount, not a tmpfs"), nr, f.fstype);
		return false;
	}
	return true;
}

static bool check_tmpfs(struct nslab_host *h)
{
	bool ok = host_untouched(h);
	return some_subject(h, 2) && ok;
}

static int do_tmpfs(struct nslab_host *h)
{
	char nr[PATH_MAX];
	new_root_path(h, nr, sizeof(nr));
	return nslab_call_main_traced(
	    h, ag_mount_tmpfs, nr, "mount(\"nslab-root\", \"%s\", \"tmpfs\", 0, \"" TMPFS_OPTS "\") = 0", nr);
}

/* --- step 3: a rootfs inside, and put_old --- */

static bool rootfs_of(struct nslab_host *h, pid_t pid, struct lack *l)
{
	char nr[PATH_MAX], p[PATH_MAX + 32];
	new_root_path(h, nr, sizeof(nr));
	bool ok = true;
	static const char *const need[] = {"/bin/sh", "/bin/ls", "/bin/nslab-escape"};
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(need); i++) {
		snprintf(p, sizeof(p), "%s%s", nr, need[i]);
		if (!lab_exists(pid, p, S_IFREG)) {
			lack(l, _("%s is not in the new root yet (the `rootfs` command copies it)"), need[i]);
			ok = false;
		}
	}
	snprintf(p, sizeof(p), "%s/put_old", nr);
	if (!lab_exists(pid, p, S_IFDIR)) {
		lack(l, _("the directory put_old inside the new root: `run mkdir $NSLAB_LAB_ROOT/put_old` "
			  "(with `run`, so that it lands on the lab's tmpfs; a `host mkdir` lands in the "
			  "host's directory underneath)"));
		ok = false;
	}
	struct nslab_mount_at f = mount_at(h, pid, nr, false);
	if (f.count == 0 || strcmp(f.fstype, "tmpfs") != 0) {
		lack(l, _("the tmpfs on %s is gone: `reset` and start again"), nr);
		ok = false;
	}
	return ok;
}

static bool check_rootfs(struct nslab_host *h)
{
	bool ok = some_subject(h, 3);
	return host_untouched(h) && ok;
}

/* The process whose mount namespace has the tmpfs on new_root: the lab
 * process, else a learner's own (mount(8) in an `unshare --mount` shell);
 * 0 if none has. */
static pid_t tmpfs_holder(struct nslab_host *h)
{
	char nr[PATH_MAX];
	new_root_path(h, nr, sizeof(nr));
	pid_t main = h->main_pid(h), other[16];
	struct lack l;
	lack_init(h, main, &l);
	if (tmpfs_of(h, main, &l))
		return main;
	unsigned n = nslab_other_subjects(h, other, NSLAB_ARRAY_SIZE(other));
	for (unsigned i = 0; i < n; i++)
		if (tmpfs_of(h, other[i], &l))
			return other[i];
	return 0;
}

static int fill_rootfs(struct nslab_host *h)
{
	char nr[PATH_MAX], root[PATH_MAX + 64], dst[PATH_MAX + 96], name[128];
	new_root_path(h, nr, sizeof(nr));
	/* into the tmpfs where it is: the lab process's, or a learner's own */
	pid_t pid = tmpfs_holder(h);
	if (!pid) {
		h->error(h, _("mount the tmpfs on %s first (step 2)"), nr);
		return -1;
	}
	if (pid != h->main_pid(h))
		h->print(h, _("into the tmpfs in the mount namespace of your %s\n"),
			 subject_name(pid, name, sizeof(name)));
	lab_path(pid, nr, root, sizeof(root));
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(rootfs_programs); i++)
		if (h->rootfs_add(h, root, rootfs_programs[i]) < 0)
			return -1;
	h->trace(h, "open/sendfile: copied %zu programs and their libraries into %s (as ldd names them)",
		 NSLAB_ARRAY_SIZE(rootfs_programs), nr);
	const char *esc = h->helper(h, "nslab-escape");
	if (!esc) {
		h->error(h, _("the escape helper nslab-escape was not found (build it: make)"));
		return -1;
	}
	/* root is reached through /proc/PID/root, so the copy lands on the lab's tmpfs */
	snprintf(dst, sizeof(dst), "%s/bin/nslab-escape", root);
	if (h->copy_file(h, esc, dst) < 0) {
		h->error(h, _("cannot copy %s into the new root: %s"), esc, strerror(errno));
		return -1;
	}
	h->trace(h, "open(\"%s/bin/nslab-escape\", O_WRONLY|O_CREAT, 0755) = 3 (the static escape helper)",
		 nr);
	/* an empty /proc to mount proc on in step 5 (umount(8) reads /proc/self/mountinfo) */
	if (pid == h->main_pid(h)) {
		snprintf(dst, sizeof(dst), "%s/proc", nr);
		return nslab_call_main_traced(h, ag_mkdir, dst, "mkdir(\"%s/proc\", 0755) = 0", nr);
	}
	snprintf(dst, sizeof(dst), "%s/proc", root);
	if (mkdir(dst, 0755) < 0 && errno != EEXIST) {
		h->error(h, _("mkdir %s: %s"), dst, strerror(errno));
		return -1;
	}
	h->trace(h, "mkdir(\"%s/proc\", 0755) = 0", root);
	return 0;
}

static int cmd_rootfs(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	if (fill_rootfs(h) < 0)
		return -1;
	h->print(h,
		 _("copied into the new root: sh ls cat mkdir rmdir mount umount readlink, their libraries, "
		   "/bin/nslab-escape, and an empty /proc\n"));
	return 0;
}

static int do_rootfs(struct nslab_host *h)
{
	char nr[PATH_MAX], p[PATH_MAX + 16];
	new_root_path(h, nr, sizeof(nr));
	if (fill_rootfs(h) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/put_old", nr);
	return nslab_call_main_traced(h, ag_mkdir, p, "mkdir(\"%s\", 0755) = 0", p);
}

/* --- step 4: pivot_root --- */

/* Steps 1-3 hold in process pid: its own mount namespace, the tmpfs on
 * new_root, put_old in it. */
static bool ready_to_pivot(struct nslab_host *h, pid_t pid)
{
	char nr[PATH_MAX], p[PATH_MAX + 16];
	new_root_path(h, nr, sizeof(nr));
	struct nslab_mount_at f = mount_at(h, pid, nr, false);
	snprintf(p, sizeof(p), "%s/put_old", nr);
	return h->same_ns(h, pid, "mnt") != 1 && f.count > 0 && strcmp(f.fstype, "tmpfs") == 0 &&
	       lab_exists(pid, p, S_IFDIR);
}

/* The working directory is the new /: the lab process says so itself
 * (getcwd in it); a learner's process is looked at from outside, its
 * /proc/PID/cwd against its /proc/PID/root. */
static bool cwd_at_root(struct nslab_host *h, pid_t pid, struct lack *l)
{
	if (pid != h->main_pid(h)) {
		char cwd[64], root[64];
		if (nslab_same_file(nslab_proc_path(cwd, sizeof(cwd), pid, "cwd"),
				    nslab_proc_path(root, sizeof(root), pid, "root")))
			return true;
		lack(l,
		     _("the working directory of PID %d is not its new / (a cwd left in the old tree is a "
		       "way out): `cd /` in it"),
		     (int)pid);
		return false;
	}
	char cwd[PATH_MAX] = "";
	if (h->call(h, pid, ag_getcwd, NULL, 0, cwd, sizeof(cwd)) == 0 && strcmp(cwd, "/") == 0)
		return true;
	lack(l,
	     _("the lab process's working directory is %s, not / (a cwd left in the old tree "
	       "is a way out): `reset` and do steps 1-4 again"),
	     cwd[0] ? cwd : _("unreachable"));
	return false;
}

static bool pivot_of(struct nslab_host *h, pid_t pid, struct lack *l)
{
	struct nslab_mount_at f = mount_at(h, pid, "/", false);
	if (f.count == 0 || strcmp(f.fstype, "tmpfs") != 0) {
		lack(l,
		     _("%s / is still the %s the host boots from, not the tmpfs "
		       "(see the \"/\" line of /proc/%d/mountinfo)"),
		     pid == h->main_pid(h) ? _("the lab's") : _("its"), f.count > 0 ? f.fstype : _("root fs"),
		     (int)pid);
		if (!ready_to_pivot(h, pid))
			lack(l,
			     _("pivot_root needs steps 1-3 done in this lab process first (a private mount "
			       "namespace, the tmpfs, the rootfs with put_old): after `reset` or `step 4`, "
			       "`catchup 4` does them"));
		return false;
	}
	bool ok = cwd_at_root(h, pid, l);
	struct nslab_mount_at old = mount_at(h, pid, "/put_old", false);
	if (old.count == 0) {
		lack(l, _("the old root is not mounted on /put_old"));
		ok = false;
	}
	return ok;
}

static bool check_pivot(struct nslab_host *h)
{
	bool ok = host_untouched(h);
	return some_subject(h, 4) && ok;
}

static int do_pivot(struct nslab_host *h)
{
	char nr[PATH_MAX];
	new_root_path(h, nr, sizeof(nr));
	/* after `reset` or `step 4`, say what pivot_root needs instead of ENOENT */
	if (!ready_to_pivot(h, h->main_pid(h))) {
		h->error(
		    h,
		    _("pivot needs steps 1-3 done in this lab process: a private mount namespace (mntns), "
		      "the tmpfs on %s, and the rootfs with put_old in it (a `reset` undoes them all)"),
		    nr);
		return -1;
	}
	if (h->call_main(h, nslab_call_pivot, nr) < 0)
		return -1;
	nslab_trace_pivot(h, nr);
	return 0;
}

static int cmd_pivot(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	return h->do_once(
	    h, NULL, do_pivot, NULL,
	    _("pivot_root(\".\", \"put_old\") = 0: / is the tmpfs, the old root is on /put_old"));
}

/* --- step 5: detach the old root --- */

static bool put_old_empty(pid_t pid)
{
	char p[PATH_MAX + 64];
	lab_path(pid, "/put_old", p, sizeof(p));
	DIR *d = opendir(p);
	if (!d)
		return errno == ENOENT;
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n == 0;
}

static bool umount_of(struct nslab_host *h, pid_t pid, struct lack *l)
{
	struct nslab_mount_at root = mount_at(h, pid, "/", false);
	if (root.count == 0 || strcmp(root.fstype, "tmpfs") != 0) {
		lack(l, _("%s / is not the tmpfs: do step 4 (pivot) first"),
		     pid == h->main_pid(h) ? _("the lab's") : _("its"));
		return false;
	}
	struct nslab_mount_at f = mount_at(h, pid, "/put_old", true);
	if (f.count > 0) {
		lack(l,
		     _("%u mounts of the host are still under /put_old in the lab (run umount -l /put_old "
		       "detaches them all; umount(8) needs /proc mounted first: run mount -t proc proc "
		       "/proc)"),
		     f.count);
		return false;
	}
	bool ok = true;
	if (!put_old_empty(pid)) {
		lack(l, _("/put_old in the lab is not empty: run rmdir /put_old"));
		ok = false;
	}
	struct nslab_mount_at proc = mount_at(h, pid, "/proc", true);
	if (proc.count > 0) {
		lack(l, _("proc is still mounted on /proc in the lab: it lists the host's processes, and "
			  "/proc/1/root leads back to the host's / (run umount /proc)"));
		ok = false;
	}
	return ok;
}

static bool check_umount(struct nslab_host *h)
{
	bool ok = host_untouched(h);
	return some_subject(h, 5) && ok;
}

static int do_umount(struct nslab_host *h)
{
	if (h->call_main(h, ag_umount_old, NULL) < 0)
		return -1;
	h->trace(h, "umount2(\"/put_old\", MNT_DETACH) = 0");
	h->trace(h, "rmdir(\"/put_old\") = 0");
	return 0;
}

/* --- step 6: the escape stays inside --- */

/* Names in a directory, one per line, without dot entries: what `ls` prints. */
static int list_names(const char *dir, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	*names = NULL;
	*n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char **nn = realloc(*names, (*n + 1) * sizeof(*nn));
		if (!nn)
			break;
		*names = nn;
		(*names)[(*n)++] = strdup(e->d_name);
	}
	closedir(d);
	return 0;
}

static bool in_list(char **names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], s) == 0)
			return true;
	return false;
}

static void free_list(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Compares what the escaped `ls /` saw with pid's / and the host's /. */
static bool escape_stayed(pid_t pid, FILE *f, struct lack *l)
{
	char p[PATH_MAX + 64], line[NAME_MAX + 2];
	char **lab = NULL, **host = NULL;
	size_t nlab = 0, nhost = 0, seen = 0, outside = 0, onhost = 0;
	lab_path(pid, "/", p, sizeof(p));
	if (list_names(p, &lab, &nlab) < 0 || list_names("/", &host, &nhost) < 0) {
		free_list(lab, nlab);
		lack(l, _("cannot read the lab's / (%s)"), strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		seen++;
		if (!in_list(lab, nlab, line))
			outside++;
		if (in_list(host, nhost, line))
			onhost++;
	}
	free_list(lab, nlab);
	free_list(host, nhost);
	if (seen == 0) {
		lack(l, _("/" ESCAPE_OUT " in the lab is empty: run the escape with `ls /` as its command"));
		return false;
	}
	if (outside > 0 || onhost == seen) {
		lack(l,
		     _("the escape listed a / that is not the lab's (%zu of %zu names are not in the lab's "
		       "/)"),
		     outside, seen);
		return false;
	}
	return true;
}

static bool escape_of(struct nslab_host *h, pid_t pid, struct lack *l)
{
	(void)h;
	char p[PATH_MAX + 64];
	lab_path(pid, "/" ESCAPE_OUT, p, sizeof(p));
	FILE *f = fopen(p, "re");
	if (!f) {
		lack(l,
		     _("no /" ESCAPE_OUT " in the lab yet: run the escape program and keep what it lists"));
		return false;
	}
	bool stayed = escape_stayed(pid, f, l);
	fclose(f);
	return stayed;
}

static bool check_escape(struct nslab_host *h)
{
	bool ok = host_untouched(h);
	return some_subject(h, 6) && ok;
}

static const state_of step_state[6] = {private_of, tmpfs_of, rootfs_of, pivot_of, umount_of, escape_of};

static int do_escape(struct nslab_host *h)
{
	char *out = NULL;
	int st = h->run(h, 0, "/bin/nslab-escape -v /bin/ls / > /" ESCAPE_OUT, &out);
	if (out) {
		h->print(h, "%s", out);
		free(out);
	}
	if (st != 0) {
		h->error(h, _("the escape program exited with status %d"), st);
		return -1;
	}
	h->trace(h, "execve(\"/bin/nslab-escape\", [\"-v\", \"/bin/ls\", \"/\"]) in the lab: "
		    "chroot(\".nslab-escape\"), chdir(\"..\") until \"..\" is \".\", chroot(\".\")");
	h->trace(h, "at the top it found the tmpfs's own / (no parent mount left): ls / wrote /" ESCAPE_OUT);
	return 0;
}

/* --- the lab --- */

/* The lab process works in /: pivot_root(2) moves the root and cwd of every
 * process that has the old root as either, so `pivot` and the real tool
 * (`run cd $NSLAB_LAB_ROOT && pivot_root . put_old`) both leave it in the new /. */
static int init_agent(void *arg, char *out, size_t outlen)
{
	(void)arg;
	return chdir("/") < 0 ? nslab_fail(out, outlen, "chdir(\"/\")") : 0;
}

static int setup(struct nslab_host *h)
{
	char nr[PATH_MAX];
	new_root_path(h, nr, sizeof(nr));
	/* The mount point exists on the host (under nslab's run directory, so it
	 * goes when the lab stops); the tmpfs on it will exist only in the lab. */
	if (mkdir(nr, 0755) < 0 && errno != EEXIST) {
		h->error(h, _("cannot make %s: %s"), nr, strerror(errno));
		return -1;
	}
	struct pivot_data *d = calloc(1, sizeof(*d));
	if (!d)
		return -1;
	d->host_root_id = host_root_id(h);
	h->lab_data = d;
	struct nslab_spawn how = {.size = sizeof(struct nslab_spawn), .label = "lab", .init = init_agent};
	if (h->spawn(h, &how) < 0)
		return -1;
	h->set_root(h, nr);
	h->print(h, _("The new root will be %s (also $NSLAB_LAB_ROOT in `run` and `host`).\n"), nr);
	return 0;
}

static const char *unsupported(struct nslab_host *h)
{
	return NSLAB_NEED_HOST(h, mount_at) ?: NSLAB_NEED_HOST(h, do_once);
}

static void teardown(struct nslab_host *h)
{
	free(h->lab_data);
	h->lab_data = NULL;
}

static const struct nslab_step steps[] = {
    {
	.title = N_("A private mount namespace"),
	.task = N_("Give the lab process its own mount namespace, with every mount private. From a shell "
		   "that is `unshare --mount --propagation private sh`: typed in `shell`, that new shell is "
		   "one of the lab's processes, and every step's check accepts the real tools' work in it "
		   "(mount, pivot_root, umount; `rootfs` copies into its tmpfs). `run` and the lab's `pivot` "
		   "act on the lab process, so here the lab's command makes the same two calls in it:\n"
		   "  mntns\n"
		   "(unshare(CLONE_NEWNS), then mount --make-rprivate /, which is the syscall "
		   "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL): MS_PRIVATE makes a mount private and "
		   "MS_REC does the same to every mount below it. \"Private\" means no mount event crosses "
		   "between the lab and the host; the mnt lab shows the other kinds.) "
		   "Compare `run cat /proc/self/mountinfo` with `host cat /proc/self/mountinfo`: the host's "
		   "lines say \"shared:N\" (the mount is in peer group N, a set of mounts in different "
		   "namespaces that copy each other's mounts and unmounts), the lab's no longer do, and the "
		   "mnt row of `ns` now differs."),
	.hint =
	    N_("Type `mntns`. On the command line it would be `unshare --mount --propagation private sh`."),
	.explain =
	    N_("unshare(CLONE_NEWNS) gives the calling process a copy of the mount table. The copy keeps "
	       "the propagation of each mount (the mnt lab shows it at length): systemd makes / shared, "
	       "which means mounts and unmounts under it are copied to its peers, the same mount in "
	       "other namespaces. A copy stays a peer (\"shared:1\" in /proc/PID/mountinfo: peer group "
	       "1), so a mount made inside would appear on the host too. pivot_root(2) also refuses to "
	       "work when the root's parent is shared. "
	       "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL) cuts every mount out of its peer group "
	       "before anything else happens. /proc/PID/ns/mnt now names a new namespace."),
	.check = check_private,
	.perform = do_private,
    },
    {
	.title = N_("A tmpfs for the new root"),
	.task = N_("Mount an empty tmpfs where the new root will be:\n"
		   "  run mount -t tmpfs -o size=64m nslab-root $NSLAB_LAB_ROOT\n"
		   "Then compare `run grep nslab-root /proc/self/mountinfo` with "
		   "`host grep nslab-root /proc/self/mountinfo`."),
	.hint = N_("pivot_root needs new_root to be a mount point of its own: a tmpfs (memory-backed) is the "
		   "quickest. The host sees nothing, because the namespace is private."),
	.explain =
	    N_("mount(2) with type \"tmpfs\" makes a new, empty, memory-backed filesystem and attaches it "
	       "at the directory, in the lab's mount namespace only: the line is in /proc/LABPID/mountinfo "
	       "and not in the host's /proc/self/mountinfo, where the directory stays empty."),
	.check = check_tmpfs,
	.perform = do_tmpfs,
    },
    {
	.title = N_("Copy a rootfs in"),
	.task = N_("Fill the tmpfs with a tiny root filesystem, and make the place for the old root:\n"
		   "  rootfs\n"
		   "  run mkdir $NSLAB_LAB_ROOT/put_old\n"
		   "(`rootfs` copies sh, ls, cat, mount, umount and friends with their libraries, and the "
		   "escape program /bin/nslab-escape.) Look: `run ls -R $NSLAB_LAB_ROOT | head`."),
	.hint = N_("put_old must be a directory inside the new root: pivot_root moves the old root there."),
	.explain =
	    N_("The files are written through /proc/LABPID/root/..., a path that walks the lab's mount "
	       "namespace, so they land on the tmpfs (the host's directory underneath stays empty). "
	       "Each program needs its shared libraries and the dynamic loader: ldd(1) names them, as "
	       "in the chroot lab. put_old is just an empty directory for now."),
	.check = check_rootfs,
	.perform = do_rootfs,
    },
    {
	.title = N_("pivot_root"),
	.task = N_("Swap the roots in the lab process:\n"
		   "  pivot\n"
		   "(the lab's command for pivot_root(\".\", \"put_old\") in $NSLAB_LAB_ROOT). Or, with the "
		   "real tool, as one line:\n"
		   "  run cd $NSLAB_LAB_ROOT && pivot_root . put_old\n"
		   "Then:\n"
		   "  run ls /\n"
		   "  run ls /put_old\n"
		   "pivot_root needs steps 1-3 done in this lab process: its own mount namespace (step 1), "
		   "the tmpfs on $NSLAB_LAB_ROOT (step 2), and the rootfs with put_old (step 3). A `reset` "
		   "undoes them, and `step 4` into a fresh lab starts without them: do steps 1-3 again, or "
		   "type `catchup 4`."),
	.hint =
	    N_("`pivot` runs pivot_root(2) inside the lab process. / is now the tmpfs and the host's tree "
	       "hangs on /put_old."),
	.explain =
	    N_("pivot_root(new_root, put_old) changes the root mount of the whole mount namespace: the "
	       "tmpfs becomes /, and the old root mount moves to /put_old. Unlike chroot(2), which only "
	       "changes where one process starts path lookups, this rearranges the mounts themselves. "
	       "Processes whose root or cwd was the old root are moved to the new one: the lab process "
	       "works in /, so its cwd moves too and nothing of it is left in the old tree. The \"/\" "
	       "line of /proc/LABPID/mountinfo now says tmpfs."),
	.check = check_pivot,
	.perform = do_pivot,
    },
    {
	.title = N_("Detach the old root"),
	.task = N_("Remove the host's tree from the lab's mount namespace. umount(8) reads "
		   "/proc/self/mountinfo, and the new root has no /proc yet: mount it, detach the old root, "
		   "then unmount /proc again:\n"
		   "  run mount -t proc proc /proc\n"
		   "  run umount -l /put_old\n"
		   "  run umount /proc\n"
		   "  run rmdir /put_old\n"
		   "Then `host cat /proc/$NSLAB_LAB_PID/mountinfo` shows a single line: the tmpfs."),
	.hint = N_(
	    "umount -l is umount2(\"/put_old\", MNT_DETACH): the whole subtree is detached at once, "
	    "even while something still uses it. Without /proc, `umount -l /put_old` fails with \"No such "
	    "file or directory\". The proc mount must go too: /proc/1/root would lead back to the host's /."),
	.explain =
	    N_("umount2(\"/put_old\", MNT_DETACH) detaches the old root and every mount below it "
	       "(/proc, /sys, /run ...) from this namespace. Nothing in the lab's mount tree leads back "
	       "to the host's filesystems any more: /proc/LABPID/mountinfo lists only the tmpfs. The host's "
	       "mounts are untouched, because they were never shared with this namespace."),
	.check = check_umount,
	.perform = do_umount,
    },
    {
	.title = N_("The escape stays inside"),
	.task = N_("Run the chroot escape program again, and keep what it lists:\n"
		   "  run /bin/nslab-escape -v /bin/ls / > /" ESCAPE_OUT "\n"
		   "  run cat /" ESCAPE_OUT "\n"
		   "It lists the tmpfs, not the host."),
	.hint =
	    N_("The escape climbs with chdir(\"..\") until \"..\" is \".\": in this namespace that top is "
	       "the tmpfs, because the host's tree is no longer mounted anywhere in it."),
	.explain =
	    N_("The escape program chroots into a subdirectory and walks up with chdir(\"..\"). After "
	       "chroot(2) that walk can pass the process's root, but it stops at the root of the mount "
	       "tree, and after pivot_root + umount2(MNT_DETACH) that root is the tmpfs: there is no "
	       "parent mount to climb into. This is why container runtimes use pivot_root in a new mount "
	       "namespace rather than chroot. Compare /proc/LABPID/root with the host's / (ls -di)."),
	.check = check_escape,
	.perform = do_escape,
    },
};

static const struct nslab_command commands[] = {
    {"mntns", "mntns", N_("unshare(CLONE_NEWNS) and make all mounts private, in the lab process"), 0, 0,
     cmd_mntns},
    {"rootfs", "rootfs", N_("copy sh, ls, cat, mount ... and the escape program into the new root"), 0, 0,
     cmd_rootfs},
    {"pivot", "pivot", N_("pivot_root(new_root, new_root/put_old) in the lab process"), 0, 0, cmd_pivot},
};

static const struct nslab_lab lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "pivot-root",
    .title = N_("pivot_root: a root that cannot be escaped"),
    .summary =
	N_("chroot(2) only changes where path lookups start, so root can climb out of it. pivot_root(2) "
	   "swaps the root mount of a whole mount namespace: done in a private namespace, with the old "
	   "root unmounted afterwards, there is nothing above the new / to climb into, and the host's "
	   "mount table never changes. You will build that, one syscall at a time, and run the escape "
	   "program again."),
    .order = 30,
    NSLAB_STEPS(steps),
    .unsupported = unsupported,
    .setup = setup,
    .teardown = teardown,
    NSLAB_COMMANDS(commands),
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(lab)
