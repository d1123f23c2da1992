/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mnt.c: the mount namespace, the first namespace Linux had (2.4.19, 2002).
 *
 * The lab process gets a copy of the host's mount table, first still linked
 * to it by shared propagation, then private. A tmpfs mounted inside, and a
 * file written on it, stay invisible to the host: the directory is there on
 * both sides, the filesystem on it only in the lab. Any subject in a mount
 * namespace of its own (unshare(1) --mount from `run`, `host ... &`, a
 * watched PID) may hold the end state of a step; mount tables are read from
 * /proc/PID/mountinfo, files through /proc/PID/root. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define DATA "data"
#define FILE_NAME "hello.txt"

/* --- small helpers --- */

/* What is mounted on point in pid's mount namespace (h->mount_at). */
static struct nslab_mount_at mount_at(struct nslab_host *h, pid_t pid, const char *point)
{
	struct nslab_mount_at at = {.size = sizeof(at)};
	h->mount_at(h, pid, point, 0, &at);
	return at;
}

static void data_path(struct nslab_host *h, char *buf, size_t len)
{
	snprintf(buf, len, "%s/" DATA, h->workdir(h));
}

/* Regular files in dir; -1 if it cannot be read. */
static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* --- run inside the lab process (h->call) --- */

static int ag_unshare(void *arg, char *out, size_t outlen)
{
	(void)arg;
	return unshare(CLONE_NEWNS) < 0 ? nslab_fail(out, outlen, "unshare(CLONE_NEWNS)") : 0;
}

static int ag_mount_tmpfs(void *arg, char *out, size_t outlen)
{
	if (mount("nslab-demo", arg, "tmpfs", 0, "size=1m") < 0)
		return nslab_fail(out, outlen, "mount(tmpfs)");
	return 0;
}

static int ag_write(void *arg, char *out, size_t outlen)
{
	FILE *f = fopen(arg, "we");
	if (!f)
		return nslab_fail(out, outlen, "open");
	fputs("hello from the lab's mount namespace\n", f);
	return fclose(f) == 0 ? 0 : nslab_fail(out, outlen, "write");
}

/* --- the lab's subjects in a mount namespace of their own --- */

#define MAX_SUBJECTS 64

/* The lab process (first, if it has unshared) and every other subject
 * (what `run`, `shell` and `host ... &` started, watched PIDs) whose mount
 * namespace is not nslab's. */
static unsigned own_ns_subjects(struct nslab_host *h, pid_t *own, unsigned max)
{
	pid_t pids[MAX_SUBJECTS], main = h->main_pid(h);
	unsigned n = 0;
	if (h->same_ns(h, main, "mnt") == 0)
		own[n++] = main;
	long got = NSLAB_HOST_CAN(h, subjects) ? h->subjects(h, pids, MAX_SUBJECTS) : 0;
	for (long i = 0; i < got && i < MAX_SUBJECTS && n < max; i++)
		if (pids[i] != main && h->same_ns(h, pids[i], "mnt") == 0)
			own[n++] = pids[i];
	return n;
}

/* "the lab process" or "PID 1234". */
static const char *who(struct nslab_host *h, pid_t pid, char *buf, size_t len)
{
	if (pid == h->main_pid(h))
		snprintf(buf, len, _("the lab process (PID %d)"), (int)pid);
	else
		snprintf(buf, len, "PID %d", (int)pid);
	return buf;
}

/* --- step 1: a new mount namespace --- */

static bool check_unshare(struct nslab_host *h)
{
	pid_t own[MAX_SUBJECTS];
	if (own_ns_subjects(h, own, MAX_SUBJECTS) > 0)
		return true;
	h->missing(h,
		   _("no process of the lab has a mount namespace of its own: the lab process still shares "
		     "the host's (/proc/%d/ns/mnt is the same as nslab's), and so does every other: "
		     "`run unshare --mount --propagation unchanged sleep infinity &`, or nslab's shortcut "
		     "`mntns`"),
		   (int)h->main_pid(h));
	return false;
}

static int do_unshare(struct nslab_host *h)
{
	return nslab_call_main_traced(h, ag_unshare, NULL, "unshare(CLONE_NEWNS) = 0");
}

static int cmd_mntns(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	return h->do_once(h, check_unshare, do_unshare,
			  _("the lab process already has its own mount namespace"), NULL);
}

/* --- step 2: private propagation --- */

static bool check_private(struct nslab_host *h)
{
	pid_t own[MAX_SUBJECTS];
	unsigned n = own_ns_subjects(h, own, MAX_SUBJECTS);
	if (n == 0)
		return check_unshare(h);
	unsigned least = 0, at_least = ~0u;
	for (unsigned i = 0; i < n; i++) {
		struct nslab_mount_at f = mount_at(h, own[i], "/");
		if (f.nshared == 0)
			return true;
		if (f.nshared < at_least)
			at_least = f.nshared, least = i;
	}
	char buf[64];
	h->missing(h,
		   _("%u mount(s) of the lab are still shared with the host (\"shared:N\" in "
		     "/proc/%d/mountinfo, %s): `run unshare --mount --propagation unchanged sh -c 'mount "
		     "--make-rprivate /; sleep infinity' &`, or `run mount --make-rprivate /` after `mntns`"),
		   at_least, (int)own[least], who(h, own[least], buf, sizeof(buf)));
	return false;
}

/* --- step 3: a tmpfs inside --- */

/* The first subject with a tmpfs on the data directory in its own mount
 * namespace, 0 if none; says so, and what the closest one has, when none. */
static pid_t tmpfs_subject(struct nslab_host *h, bool say)
{
	char dp[PATH_MAX], buf[64];
	pid_t own[MAX_SUBJECTS];
	data_path(h, dp, sizeof(dp));
	unsigned n = own_ns_subjects(h, own, MAX_SUBJECTS);
	if (n == 0)
		return say ? (check_unshare(h), 0) : 0;
	pid_t other = 0;
	char other_type[64] = "";
	for (unsigned i = 0; i < n; i++) {
		struct nslab_mount_at lab = mount_at(h, own[i], dp);
		if (lab.count > 0 && strcmp(lab.fstype, "tmpfs") == 0)
			return own[i];
		if (lab.count > 0 && !other) {
			other = own[i];
			snprintf(other_type, sizeof(other_type), "%s", lab.fstype);
		}
	}
	if (!say)
		return 0;
	if (other)
		h->missing(h, _("%s is a %s mount in the mount namespace of %s, not a tmpfs"), dp, other_type,
			   who(h, other, buf, sizeof(buf)));
	else if (n > 1)
		h->missing(
		    h,
		    _("nothing is mounted on %s in the lab's mount namespaces: `run unshare --mount sh -c "
		      "'mount -t tmpfs -o size=1m nslab-demo " DATA "; sleep infinity' &`"),
		    dp);
	else
		h->missing(
		    h,
		    _("nothing is mounted on %s in the lab's mount namespace: `run unshare --mount sh -c "
		      "'mount -t tmpfs -o size=1m nslab-demo " DATA "; sleep infinity' &`"),
		    dp);
	return 0;
}

static bool check_mount(struct nslab_host *h)
{
	char dp[PATH_MAX];
	data_path(h, dp, sizeof(dp));
	struct nslab_mount_at host = mount_at(h, 0, dp);
	if (host.count > 0) {
		h->missing(h,
			   _("the host's /proc/self/mountinfo has a %s on %s too: the mount propagated out "
			     "(undo it: host umount %s; then make the lab's mounts private first)"),
			   host.fstype, dp, dp);
		return false;
	}
	return tmpfs_subject(h, true) > 0;
}

static int do_mount(struct nslab_host *h)
{
	char dp[PATH_MAX];
	data_path(h, dp, sizeof(dp));
	return nslab_call_main_traced(h, ag_mount_tmpfs, dp,
				      "mount(\"nslab-demo\", \"%s\", \"tmpfs\", 0, \"size=1m\") = 0", dp);
}

/* --- step 4: a file only the lab sees --- */

static bool check_file(struct nslab_host *h)
{
	char dp[PATH_MAX], lp[PATH_MAX + 64];
	data_path(h, dp, sizeof(dp));
	if (!check_mount(h))
		return false;
	int outside = count_files(dp);
	if (outside != 0) {
		h->missing(h, _("the host sees files in %s: they were written under the mount, not on it"),
			   dp);
		return false;
	}
	/* /proc/PID/root/... walks the subject's mount namespace: its view. */
	pid_t own[MAX_SUBJECTS];
	unsigned n = own_ns_subjects(h, own, MAX_SUBJECTS);
	for (unsigned i = 0; i < n; i++) {
		struct nslab_mount_at lab = mount_at(h, own[i], dp);
		snprintf(lp, sizeof(lp), "/proc/%d/root%s", (int)own[i], dp);
		if (lab.count > 0 && strcmp(lab.fstype, "tmpfs") == 0 && count_files(lp) > 0)
			return true;
	}
	h->missing(
	    h,
	    _("no file on the tmpfs yet (%s is empty in the lab): `run unshare --mount sh -c 'mount -t "
	      "tmpfs -o size=1m nslab-demo " DATA "; echo hello > " DATA "/" FILE_NAME
	      "; sleep infinity' &`"),
	    dp);
	return false;
}

static int do_file(struct nslab_host *h)
{
	char p[PATH_MAX + 16];
	snprintf(p, sizeof(p), "%s/" DATA "/" FILE_NAME, h->workdir(h));
	if (h->call_main(h, ag_write, p) < 0)
		return -1;
	h->trace(h, "openat(AT_FDCWD, \"%s\", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3", p);
	h->trace(h, "write(3, \"hello from the lab's mount namespace\\n\", 37) = 37");
	return 0;
}

/* --- the lab --- */

static const char *unsupported(struct nslab_host *h)
{
	return NSLAB_NEED_HOST(h, mount_at) ?: NSLAB_NEED_HOST(h, do_once) ?: NSLAB_NEED_HOST(h, share_workdir);
}

static int setup(struct nslab_host *h)
{
	char dp[PATH_MAX];
	const char *wd = h->workdir(h);
	data_path(h, dp, sizeof(dp));
	if (mkdir(dp, 0755) < 0 && errno != EEXIST) {
		h->error(h, _("cannot make %s: %s"), dp, strerror(errno));
		return -1;
	}
	/* systemd makes / shared; a host without systemd may have only private
	 * mounts. So that propagation shows the same everywhere, the work
	 * directory is made a shared mount of its own on the host. */
	if (h->share_workdir(h) < 0)
		return -1;
	/* Should a mount made before step 2 propagate to the host, it is taken
	 * down with the lab (a no-op when nothing is mounted there). */
	if (h->keep(h, NSLAB_OBJ_MOUNT, dp) < 0)
		return -1;
	if (nslab_spawn_in(h, wd) < 0)
		return -1;
	h->print(h,
		 _("The lab works in %s: `run` starts there, and " DATA "/ is the mount point.\n"
		   "From the host it is /run/nslab/*/mnt/" DATA " too.\n"),
		 wd);
	return 0;
}

static const struct nslab_step steps[] = {
    {
	.title = N_("A mount namespace of its own"),
	.task =
	    N_("Make a new mount namespace with the real tool, keeping the propagation it copies (unshare(1) "
	       "would otherwise make every mount private at once, the next step), and compare both sides:\n"
	       "  run unshare --mount --propagation unchanged sleep infinity &\n"
	       "  host lsns -t mnt\n"
	       "  run unshare --mount --propagation unchanged grep -c shared: /proc/self/mountinfo\n"
	       "  host grep -c shared: /proc/self/mountinfo\n"
	       "lsns lists the new namespace, its process sleep. nslab's shortcut, and what `do` does: "
	       "`mntns` moves the lab process itself (then `host "
	       "readlink /proc/$NSLAB_LAB_PID/ns/mnt /proc/self/ns/mnt` differ). From a second terminal, "
	       "`unshare --mount bash` counts too, once you give its PID (its `echo $$`) to `watch` here."),
	.hint =
	    N_("`run` and `host` start their command in the lab cgroup, where nslab looks for it. The same "
	       "number of \"shared:\" lines on both sides: the copy is still linked to the host."),
	.explain =
	    N_("unshare(CLONE_NEWNS) makes a new mount namespace holding a copy of every mount the "
	       "process could see; /proc/PID/ns/mnt now names a different inode. The copy is not cut off "
	       "yet: propagation is copied too. systemd makes / \"shared\", so each copied mount joins the "
	       "peer group of its original (mounts of one peer group pass every mount and unmount on to each "
	       "other; \"shared:N\" with the same N in both mountinfo files), and a "
	       "mount made now would show up on the host as well. (So that you see this on any machine, "
	       "nslab made the lab's work directory a shared mount on the host: it is the \"shared:\" line "
	       "with /run/nslab in it.)"),
	.check = check_unshare,
	.perform = do_unshare,
    },
    {
	.title = N_("Make the mounts private"),
	.task = N_(
	    "Cut a namespace's mounts out of their peer groups:\n"
	    "  run unshare --mount --propagation unchanged sh -c 'mount --make-rprivate /; sleep infinity' "
	    "&\n"
	    "  run unshare --mount --propagation unchanged sh -c 'mount --make-rprivate /; grep -c shared: "
	    "/proc/self/mountinfo'\n"
	    "(The second prints 0.) The shortcut, what `do` does: `run mount --make-rprivate /` in the lab "
	    "process, after `mntns`. Plain `unshare --mount` does this by itself."),
	.hint =
	    N_("mount --make-rprivate / is mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL). It must run "
	       "inside the new namespace: inside the quotes of `sh -c`."),
	.explain = N_("A mount's propagation type decides whether mount events cross between copies: shared "
		      "(both ways, \"shared:N\"), slave (only from the master into the copy, \"master:N\"), "
		      "private (never) or unbindable (private, and it cannot be the source of a bind mount). "
		      "MS_REC|MS_PRIVATE on / makes every mount of this namespace "
		      "private. This is why unshare(1) defaults to --propagation private: without it, "
		      "`unshare --mount` followed by a mount would change the host's mount table."),
	.check = check_private,
	.perform = nslab_private_main,
    },
    {
	.title = N_("Mount a tmpfs inside"),
	.task = N_(
	    "Mount a small tmpfs on the data directory of the lab's work directory (where `run` starts), "
	    "in a new mount namespace (private, unshare(1)'s default):\n"
	    "  run unshare --mount sh -c 'mount -t tmpfs -o size=1m nslab-demo " DATA "; sleep infinity' &\n"
	    "  run unshare --mount sh -c 'mount -t tmpfs -o size=1m nslab-demo " DATA
	    "; grep nslab-demo /proc/self/mountinfo'\n"
	    "  host grep -c nslab-demo /proc/self/mountinfo\n"
	    "The host counts 0. The shortcut, what `do` does: `run mount -t tmpfs -o size=1m nslab-demo " DATA
	    "` in the lab "
	    "process, after `mntns` and step 2 (before step 2 it would propagate to the host)."),
	.hint =
	    N_(DATA " is a relative path: `run` starts in the lab's work directory. The directory exists on "
		    "both sides; the filesystem on it only in the namespace that mounted it."),
	.explain = N_("mount(\"nslab-demo\", \"$NSLAB_LAB_DIR/" DATA
		      "\", \"tmpfs\", 0, \"size=1m\") adds a mount to "
		      "the calling process's mount namespace only. /proc/PID/mountinfo of a process in that "
		      "namespace lists it; the host's "
		      "/proc/self/mountinfo (and df, findmnt) does not, since the mount is private."),
	.check = check_mount,
	.perform = do_mount,
    },
    {
	.title = N_("A file only the lab sees"),
	.task = N_("Write a file on the tmpfs, then look from both sides:\n"
		   "  run unshare --mount sh -c 'mount -t tmpfs -o size=1m nslab-demo " DATA
		   "; echo hello > " DATA "/" FILE_NAME "; sleep infinity' &\n"
		   "  run unshare --mount sh -c 'mount -t tmpfs -o size=1m nslab-demo " DATA
		   "; echo hi > " DATA "/" FILE_NAME "; ls -l " DATA "'\n"
		   "  host ls -la $NSLAB_LAB_DIR/" DATA "\n"
		   "On the host the directory is empty. The shortcut, what `do` does: `run echo hello > " DATA
		   "/" FILE_NAME "` in the lab process, "
		   "after steps 1 to 3 with the shortcuts."),
	.hint = N_("The host looks at the directory underneath the mount: nothing was ever written there."),
	.explain =
	    N_("The file lives on the tmpfs, and the tmpfs is attached only in the lab's mount tree. "
	       "On the host, path lookup of $NSLAB_LAB_DIR/" DATA " finds no mount there and stops at the "
	       "empty directory of the underlying filesystem. /proc/PID/root/... walks the tree of PID's "
	       "mount namespace, so "
	       "after the shortcuts `host cat /proc/$NSLAB_LAB_PID/root$NSLAB_LAB_DIR/" DATA "/" FILE_NAME
	       "` does show it (for unshare(1)'s namespace, put the PID of its sleep that `host lsns -t mnt` "
	       "lists in place of $NSLAB_LAB_PID). "
	       "When nothing refers to the namespace any more (no process in it, no open fd or bind mount of "
	       "/proc/PID/ns/mnt), its mounts go, and with the last of them the tmpfs and its file."),
	.check = check_file,
	.perform = do_file,
    },
};

static const struct nslab_command commands[] = {
    {"mntns", N_("mntns"), N_("unshare(CLONE_NEWNS) in the lab process (mounts keep their propagation)"), 0,
     0, cmd_mntns},
};

static const struct nslab_lab lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "mnt",
    .title = N_("Mount namespace: private mount tables"),
    .summary = N_("A mount namespace gives a process its own table of mounts: what is mounted inside is "
		  "invisible outside. The copy starts linked to the host through shared propagation, so you "
		  "will first make it private, then mount a tmpfs and write a file that the host cannot see, "
		  "although the directory is right there on both sides."),
    .order = 40,
    NSLAB_STEPS(steps),
    .unsupported = unsupported,
    .setup = setup,
    NSLAB_COMMANDS(commands),
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(lab)
