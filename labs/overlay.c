/* SPDX-License-Identifier: GPL-2.0-or-later */
/* overlay.c: an image and a container layer, as overlayfs stacks them.
 *
 * The lab's work directory holds a read-only "image" (lower/, a small rootfs
 * nslab copies in), and two empty container layers (upper/ and work/, upper2/
 * and work2/). The lab process lives in a private mount namespace of its own
 * from the start, so the overlay mounts the learner makes there never reach
 * the host's mount table. The learner mounts the layers, writes, changes and
 * deletes files through the merged view and looks at what lands in the upper
 * directory (a new file, a copied-up file, a whiteout), mounts a second
 * container on the same image, and pivot_root()s the first one into its
 * merged directory. Checks read /proc/PID/mountinfo of the lab's subjects
 * and the layer directories themselves. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define LOWER "lower"
#define NEW_FILE "hello.txt"
#define CHANGED "etc/motd"
#define DELETED "etc/issue"
#define MOTD_TEXT "nslab image 1.0: this line comes from the lower layer\n"
#define ISSUE_TEXT "nslab image 1.0\n"
#define MAX_SUBJECTS 64

/* Programs in the image (with their libraries). */
static const char *const image_programs[] = {
    "/bin/sh", "/bin/ls", "/bin/cat", "/bin/echo", "/bin/rm", "/bin/mkdir", "/bin/stat",
};

/* One container: its layer directories and its merged view, under the workdir. */
struct container {
	const char *upper, *work, *merged;
};
static const struct container containers[] = {
    {"upper", "work", "merged"},
    {"upper2", "work2", "merged2"},
};

/* --- small helpers --- */

/* <workdir>/<name> */
static void wd_path(struct nslab_host *h, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", h->workdir(h), name);
}

/* <workdir>/<dir>/<file>: a file in one layer, read on the host (the layers
 * are plain directories; only the merged views are mounts). */
static void layer_file(struct nslab_host *h, const char *dir, const char *file, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/%s", h->workdir(h), dir, file);
}

/* The value of key=VALUE among comma-separated mount options; false if absent. */
static bool opt_value(const char *opts, const char *key, char *buf, size_t len)
{
	size_t n = strlen(key);
	for (const char *p = opts; p && *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l > n && strncmp(p, key, n) == 0 && p[n] == '=') {
			snprintf(buf, len, "%.*s", (int)(l - n - 1), p + n + 1);
			return true;
		}
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* Does a layer path from the mount options name the directory `name` of the
 * lab? Relative ("upper", as the task types it) or absolute (".../upper"). */
static bool names_dir(const char *value, const char *name)
{
	size_t v = strlen(value), n = strlen(name);
	while (v > 1 && value[v - 1] == '/')
		v--;
	if (v < n || strncmp(value + v - n, name, n) != 0)
		return false;
	return v == n || value[v - n - 1] == '/';
}

/* Is one of the colon-separated lower layers the lab's image? */
static bool lower_is_image(const char *opts)
{
	char v[1024];
	if (!opt_value(opts, "lowerdir", v, sizeof(v)) && !opt_value(opts, "lowerdir+", v, sizeof(v)))
		return false;
	for (char *save = NULL, *p = strtok_r(v, ":", &save); p; p = strtok_r(NULL, ":", &save))
		if (names_dir(p, LOWER))
			return true;
	return false;
}

/* Is this overlay mount container c's: the image below, c's upper on top? */
static bool is_container(const struct nslab_mount_at *at, const struct container *c)
{
	char up[1024];
	return strcmp(at->fstype, "overlay") == 0 && lower_is_image(at->options) &&
	       opt_value(at->options, "upperdir", up, sizeof(up)) && names_dir(up, c->upper);
}

/* The lab's subjects that are not in nslab's own mount namespace (mounts
 * in nslab's would be on the host). Returns how many went into pids. */
static size_t own_mnt_subjects(struct nslab_host *h, pid_t *pids, size_t max)
{
	pid_t all[MAX_SUBJECTS];
	long n = h->subjects(h, all, MAX_SUBJECTS);
	size_t k = 0;
	for (long i = 0; i < n && i < MAX_SUBJECTS && k < max; i++)
		if (h->same_ns(h, all[i], "mnt") == 0)
			pids[k++] = all[i];
	return k;
}

/* The first subject whose mount namespace has container c's overlay on
 * `path` (its merged directory, or "/" after pivot_root); 0 if none does.
 * at gets the mount. */
static pid_t find_container(struct nslab_host *h, const struct container *c, const char *path,
			    struct nslab_mount_at *at)
{
	pid_t pids[MAX_SUBJECTS];
	size_t n = own_mnt_subjects(h, pids, MAX_SUBJECTS);
	for (size_t i = 0; i < n; i++) {
		*at = (struct nslab_mount_at){.size = sizeof(*at)};
		if (h->mount_at(h, pids[i], path, 0, at) == 1 && is_container(at, c))
			return pids[i];
	}
	return 0;
}

/* Says what is on container c's merged directory instead, when find_container found nothing. */
static void say_not_mounted(struct nslab_host *h, const struct container *c, const char *merged)
{
	struct nslab_mount_at at = {.size = sizeof(at)};
	if (h->mount_at(h, 0, merged, 0, &at) == 1) {
		h->missing(
		    h,
		    _("the host's own mount table has a %s on %s: it was mounted outside the lab (undo it: "
		      "host umount %s; then mount it with `run`, in the lab's mount namespace)"),
		    at.fstype, merged, merged);
		return;
	}
	pid_t main = h->main_pid(h);
	at = (struct nslab_mount_at){.size = sizeof(at)};
	if (main > 0 && h->mount_at(h, main, merged, 0, &at) == 1) {
		h->missing(h,
			   _("%s in the lab is a %s mount with options \"%s\", not an overlay of " LOWER
			     " with upperdir=%s (see /proc/%d/mountinfo)"),
			   merged, at.fstype, at.options, c->upper, (int)main);
		return;
	}
	h->missing(
	    h,
	    _("no overlay is mounted on %s in the lab's mount namespace (/proc/%d/mountinfo has no line "
	      "for it)"),
	    merged, (int)main);
}

/* Container c, mounted on its merged directory in some subject: that
 * subject's pid, else 0 after h->missing. */
static pid_t container_mounted(struct nslab_host *h, const struct container *c)
{
	char merged[PATH_MAX];
	struct nslab_mount_at at;
	wd_path(h, c->merged, merged, sizeof(merged));
	pid_t pid = find_container(h, c, merged, &at);
	if (!pid)
		say_not_mounted(h, c, merged);
	return pid;
}

/* path (under the workdir) as subject pid sees it, through /proc/PID/root. */
static void seen_by(struct nslab_host *h, pid_t pid, const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/%d/root%s/%s", (int)pid, h->workdir(h), rel);
}

static int lstat_type(const char *path, struct stat *st)
{
	return lstat(path, st) == 0 ? (int)(st->st_mode & S_IFMT) : -1;
}

/* Does the file hold exactly text? */
static bool file_is(const char *path, const char *text)
{
	char buf[512];
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

static int write_file(const char *path, const char *text, const char *mode)
{
	FILE *f = fopen(path, mode);
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* --- run inside the lab process (h->call) --- */

/* Right after clone(CLONE_NEWNS): every mount private before anything is
 * mounted (a copy of a shared / would carry the overlays back to the host),
 * then work in the lab's directory, where the layers are. */
static int ag_init(void *arg, char *out, size_t outlen)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return nslab_fail(out, outlen, "mount(MS_REC|MS_PRIVATE)");
	return chdir(arg) < 0 ? nslab_fail(out, outlen, "chdir") : 0;
}

/* arg: "MERGED\0OPTIONS" */
static int ag_mount_overlay(void *arg, char *out, size_t outlen)
{
	const char *merged = arg, *opts = merged + strlen(merged) + 1;
	if (mount("overlay", merged, "overlay", 0, opts) < 0)
		return nslab_fail(out, outlen, "mount(\"overlay\")");
	return 0;
}

static int ag_new_file(void *arg, char *out, size_t outlen)
{
	if (write_file(arg, "hello from the container\n", "we") < 0)
		return nslab_fail(out, outlen, "open(O_CREAT)");
	return 0;
}

static int ag_append(void *arg, char *out, size_t outlen)
{
	if (write_file(arg, "changed by the container\n", "ae") < 0)
		return nslab_fail(out, outlen, "open(O_APPEND)");
	return 0;
}

static int ag_unlink(void *arg, char *out, size_t outlen)
{
	return unlink(arg) < 0 ? nslab_fail(out, outlen, "unlink") : 0;
}

/* arg: the merged directory. mkdir put_old there (it lands in upper), then
 * the seed's `cd merged; pivot_root . put_old; cd /`. */
static int ag_pivot(void *arg, char *out, size_t outlen)
{
	char put_old[PATH_MAX];
	snprintf(put_old, sizeof(put_old), "%s/put_old", (const char *)arg);
	if (mkdir(put_old, 0755) < 0 && errno != EEXIST)
		return nslab_fail(out, outlen, "mkdir(\"put_old\")");
	return nslab_call_pivot(arg, out, outlen);
}

/* --- steps 1 and 5: mount a container --- */

static bool check_mount1(struct nslab_host *h)
{
	return container_mounted(h, &containers[0]) != 0;
}

static int mount_container(struct nslab_host *h, const struct container *c)
{
	char merged[PATH_MAX], arg[3 * PATH_MAX], low[PATH_MAX], up[PATH_MAX], work[PATH_MAX];
	wd_path(h, c->merged, merged, sizeof(merged));
	wd_path(h, LOWER, low, sizeof(low));
	wd_path(h, c->upper, up, sizeof(up));
	wd_path(h, c->work, work, sizeof(work));
	int n =
	    snprintf(arg, sizeof(arg), "%s%clowerdir=%s,upperdir=%s,workdir=%s", merged, '\0', low, up, work);
	if (n < 0 || (size_t)n >= sizeof(arg)) {
		h->error(h, _("the layer paths are too long for one mount option string"));
		return -1;
	}
	const char *opts = arg + strlen(merged) + 1;
	if (h->call(h, h->main_pid(h), ag_mount_overlay, arg, (size_t)n + 1, NULL, 0) < 0) {
		int err = errno;
		h->trace(h, "mount(\"overlay\", \"%s\", \"overlay\", 0, \"%s\") = -1 %s", merged, opts,
			 nslab_errno_name(err));
		if (err == ENODEV)
			h->error(h, _("this kernel has no overlay filesystem: load it with modprobe overlay "
				      "(CONFIG_OVERLAY_FS)"));
		else if (err == EBUSY)
			h->error(h,
				 _("mount overlay on %s: %s (is that upper or work directory in use by "
				   "another overlay mount? `reset` starts again)"),
				 merged, strerror(err));
		else
			h->error(h, _("mount overlay on %s: %s"), merged, strerror(err));
		return -1;
	}
	h->trace(h, "mount(\"overlay\", \"%s\", \"overlay\", 0, \"%s\") = 0", merged, opts);
	return 0;
}

static int do_mount1(struct nslab_host *h)
{
	return mount_container(h, &containers[0]);
}

static bool check_mount2(struct nslab_host *h)
{
	pid_t p1 = container_mounted(h, &containers[0]);
	pid_t p2 = container_mounted(h, &containers[1]);
	if (!p1 || !p2)
		return false;
	char a[PATH_MAX + 64], b[PATH_MAX + 64];
	struct stat s1, s2;
	bool ok = true;
	seen_by(h, p2, "merged2/" DELETED, a, sizeof(a));
	if (lstat_type(a, &s1) != S_IFREG) {
		h->missing(h, _("merged2/" DELETED " is not there: the second container should still see the "
				"image's file that the first one deleted"));
		ok = false;
	}
	seen_by(h, p2, "merged2/" NEW_FILE, a, sizeof(a));
	if (lstat(a, &s1) == 0) {
		h->missing(h, _("merged2/" NEW_FILE " exists: the second container sees the first one's file "
				"(its upperdir must be upper2, not upper)"));
		ok = false;
	}
	seen_by(h, p1, "merged/bin/sh", a, sizeof(a));
	seen_by(h, p2, "merged2/bin/sh", b, sizeof(b));
	if (stat(a, &s1) < 0 || stat(b, &s2) < 0 || s1.st_ino != s2.st_ino) {
		h->missing(h, _("merged/bin/sh and merged2/bin/sh are not the same image file (ls -i shows "
				"their inode numbers)"));
		ok = false;
	}
	return ok;
}

static int do_mount2(struct nslab_host *h)
{
	return mount_container(h, &containers[1]);
}

static int cmd_overlay(struct nslab_host *h, int argc, char **argv)
{
	bool second = argc > 1 && strcmp(argv[1], "2") == 0;
	if (argc > 1 && !second && strcmp(argv[1], "1") != 0) {
		h->error(h, _("overlay: which container, 1 or 2? (not \"%s\")"), argv[1]);
		return -1;
	}
	char merged[PATH_MAX];
	struct nslab_mount_at at;
	const struct container *c = &containers[second];
	wd_path(h, c->merged, merged, sizeof(merged));
	if (find_container(h, c, merged, &at)) {
		h->print(h, _("container %d is already mounted on %s\n"), second + 1, merged);
		return 0;
	}
	return h->do_once(h, NULL, second ? do_mount2 : do_mount1, NULL, NULL);
}

/* `do` of steps 2-4 writes through merged in the lab process: without
 * container 1 mounted there it would write into the bare directory on the
 * host. 0 if it is mounted, else -1 after h->error. */
static int need_mounted_in_main(struct nslab_host *h)
{
	char merged[PATH_MAX];
	struct nslab_mount_at at;
	wd_path(h, "merged", merged, sizeof(merged));
	if (find_container(h, &containers[0], merged, &at) == h->main_pid(h))
		return 0;
	h->error(
	    h,
	    _("this needs container 1 mounted on %s in the lab process (step 1: `overlay`; after `reset`, "
	      "again)"),
	    merged);
	return -1;
}

/* --- step 2: a new file lands in upper --- */

static bool check_new_file(struct nslab_host *h)
{
	pid_t pid = container_mounted(h, &containers[0]);
	if (!pid)
		return false;
	char p[PATH_MAX + 64];
	struct stat st;
	bool ok = true;
	layer_file(h, "upper", NEW_FILE, p, sizeof(p));
	if (lstat_type(p, &st) != S_IFREG) {
		h->missing(
		    h, _("upper/" NEW_FILE " is not there: write merged/" NEW_FILE " through the overlay"));
		ok = false;
	}
	layer_file(h, LOWER, NEW_FILE, p, sizeof(p));
	if (lstat(p, &st) == 0) {
		h->missing(
		    h, _(LOWER "/" NEW_FILE " exists: the image was written to (remove it: host rm %s)"), p);
		ok = false;
	}
	seen_by(h, pid, "merged/" NEW_FILE, p, sizeof(p));
	if (ok && lstat_type(p, &st) != S_IFREG) {
		h->missing(h, _("the lab does not see merged/" NEW_FILE));
		ok = false;
	}
	return ok;
}

static int do_new_file(struct nslab_host *h)
{
	char p[PATH_MAX];
	wd_path(h, "merged/" NEW_FILE, p, sizeof(p));
	if (need_mounted_in_main(h) < 0)
		return -1;
	if (h->call_main(h, ag_new_file, p) < 0)
		return -1;
	h->trace(h, "openat(AT_FDCWD, \"%s\", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3", p);
	h->trace(h, "write(3, \"hello from the container\\n\", 25) = 25");
	return 0;
}

/* --- step 3: copy-up --- */

static bool check_copy_up(struct nslab_host *h)
{
	if (!container_mounted(h, &containers[0]))
		return false;
	char lo[PATH_MAX + 64], up[PATH_MAX + 64];
	struct stat sl, su;
	layer_file(h, LOWER, CHANGED, lo, sizeof(lo));
	layer_file(h, "upper", CHANGED, up, sizeof(up));
	if (!file_is(lo, MOTD_TEXT)) {
		h->missing(h, _(LOWER "/" CHANGED " is not the image's any more: it was changed in the lower "
				      "layer itself, not through merged (`reset` starts again)"));
		return false;
	}
	if (lstat_type(up, &su) != S_IFREG) {
		h->missing(h, _("upper/" CHANGED " is not there: change merged/" CHANGED
				" (append a line) and the kernel copies it up"));
		return false;
	}
	if (file_is(up, MOTD_TEXT)) {
		h->missing(h, _("upper/" CHANGED
				" is a copy of the image's, unchanged: append a line to merged/" CHANGED));
		return false;
	}
	if (stat(lo, &sl) < 0 || (sl.st_dev == su.st_dev && sl.st_ino == su.st_ino)) {
		h->missing(h, _("upper/" CHANGED " and " LOWER "/" CHANGED " are the same inode"));
		return false;
	}
	return true;
}

static int do_copy_up(struct nslab_host *h)
{
	char p[PATH_MAX];
	wd_path(h, "merged/" CHANGED, p, sizeof(p));
	if (need_mounted_in_main(h) < 0)
		return -1;
	if (h->call_main(h, ag_append, p) < 0)
		return -1;
	h->trace(h,
		 "openat(AT_FDCWD, \"%s\", O_WRONLY|O_CREAT|O_APPEND, 0666) = 3 (copy-up of " CHANGED
		 " into upper)",
		 p);
	h->trace(h, "write(3, \"changed by the container\\n\", 25) = 25");
	return 0;
}

/* --- step 4: a whiteout --- */

static bool check_whiteout(struct nslab_host *h)
{
	pid_t pid = container_mounted(h, &containers[0]);
	if (!pid)
		return false;
	char p[PATH_MAX + 64];
	struct stat st;
	layer_file(h, LOWER, DELETED, p, sizeof(p));
	if (lstat_type(p, &st) != S_IFREG) {
		h->missing(h,
			   _(LOWER "/" DELETED " is gone from the image itself: it was deleted in the lower "
				   "layer, not through merged (`reset` starts again)"));
		return false;
	}
	layer_file(h, "upper", DELETED, p, sizeof(p));
	int t = lstat_type(p, &st);
	if (t < 0) {
		h->missing(h, _("no upper/" DELETED " yet: delete merged/" DELETED
				" (rm) and look at what the kernel "
				"leaves in upper"));
		return false;
	}
	if (t != S_IFCHR || major(st.st_rdev) != 0 || minor(st.st_rdev) != 0) {
		h->missing(h, _("upper/" DELETED
				" is not a whiteout (a character device 0, 0): it was written, not "
				"deleted"));
		return false;
	}
	seen_by(h, pid, "merged/" DELETED, p, sizeof(p));
	if (lstat(p, &st) == 0) {
		h->missing(h, _("merged/" DELETED " is still visible in the lab"));
		return false;
	}
	return true;
}

static int do_whiteout(struct nslab_host *h)
{
	char p[PATH_MAX];
	wd_path(h, "merged/" DELETED, p, sizeof(p));
	if (need_mounted_in_main(h) < 0)
		return -1;
	return nslab_call_main_traced(h, ag_unlink, p,
				      "unlinkat(AT_FDCWD, \"%s\", 0) = 0 (upper gets a whiteout)", p);
}

/* --- step 6: pivot_root into merged --- */

static bool check_pivot(struct nslab_host *h)
{
	struct nslab_mount_at at;
	pid_t pid = find_container(h, &containers[0], "/", &at);
	if (!pid) {
		pid_t main = h->main_pid(h);
		at = (struct nslab_mount_at){.size = sizeof(at)};
		h->mount_at(h, main, "/", 0, &at);
		h->missing(h,
			   _("the lab's / is still %s, not container 1's overlay (see the \"/\" line of "
			     "/proc/%d/mountinfo)"),
			   at.count ? at.fstype : _("the host's root"), (int)main);
		return false;
	}
	char p[PATH_MAX + 32];
	snprintf(p, sizeof(p), "/proc/%d/root/" CHANGED, (int)pid);
	if (file_is(p, MOTD_TEXT)) {
		h->missing(h, _("/" CHANGED " in the lab is the image's: this root has no change of step 3, "
				"so it is not container 1's layer with step 3 done"));
		return false;
	}
	return true;
}

static int do_pivot(struct nslab_host *h)
{
	char merged[PATH_MAX];
	struct nslab_mount_at at;
	wd_path(h, "merged", merged, sizeof(merged));
	pid_t main = h->main_pid(h);
	if (find_container(h, &containers[0], merged, &at) != main) {
		h->error(h,
			 _("pivot needs container 1 mounted on %s in the lab process (step 1; after `reset`, "
			   "do it again)"),
			 merged);
		return -1;
	}
	if (h->call_main(h, ag_pivot, merged) < 0)
		return -1;
	h->trace(h, "mkdir(\"%s/put_old\", 0755) = 0 (it lands in upper)", merged);
	nslab_trace_pivot(h, merged);
	return 0;
}

static int cmd_pivot(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	return h->do_once(
	    h, check_pivot, do_pivot, _("the lab's / is already container 1's overlay"),
	    _("pivot_root(\".\", \"put_old\") = 0: / is container 1's merged view, the old root is on "
	      "/put_old"));
}

/* --- the lab --- */

static int make_dirs(struct nslab_host *h)
{
	static const char *const dirs[] = {LOWER,    LOWER "/etc", "upper", "work",
					   "merged", "upper2",     "work2", "merged2"};
	char p[PATH_MAX];
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(dirs); i++) {
		wd_path(h, dirs[i], p, sizeof(p));
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			h->error(h, _("cannot make %s: %s"), p, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* The image: a few programs with their libraries, and two files to change
 * and delete. Made on the host, under the work directory that goes at stop. */
static int make_image(struct nslab_host *h)
{
	char low[PATH_MAX], p[PATH_MAX + 32];
	wd_path(h, LOWER, low, sizeof(low));
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(image_programs); i++)
		if (h->rootfs_add(h, low, image_programs[i]) < 0) {
			h->error(h, _("cannot copy %s into the image %s"), image_programs[i], low);
			return -1;
		}
	layer_file(h, LOWER, CHANGED, p, sizeof(p));
	if (write_file(p, MOTD_TEXT, "we") < 0) {
		h->error(h, _("cannot write %s: %s"), p, strerror(errno));
		return -1;
	}
	layer_file(h, LOWER, DELETED, p, sizeof(p));
	if (write_file(p, ISSUE_TEXT, "we") < 0) {
		h->error(h, _("cannot write %s: %s"), p, strerror(errno));
		return -1;
	}
	return 0;
}

static int setup(struct nslab_host *h)
{
	const char *wd = h->workdir(h);
	char merged[PATH_MAX];
	if (make_dirs(h) < 0 || make_image(h) < 0)
		return -1;
	struct nslab_spawn how = {.size = sizeof(struct nslab_spawn),
				  .label = "lab",
				  .clone_flags = CLONE_NEWNS,
				  .init = ag_init,
				  .init_arg = wd,
				  .init_arglen = strlen(wd) + 1};
	if (h->spawn(h, &how) < 0)
		return -1;
	wd_path(h, "merged", merged, sizeof(merged));
	h->set_root(h, merged);
	h->print(h,
		 _("The lab works in %s ($NSLAB_LAB_DIR), in a private mount namespace of its own:\n"
		   "  " LOWER
		   "/          the image (sh, ls, cat... and etc/motd, etc/issue), read-only to the "
		   "containers\n"
		   "  upper/ work/    container 1's layer, empty; merged/ is where it will be mounted\n"
		   "  upper2/ work2/  container 2's layer; merged2/\n"),
		 wd);
	return 0;
}

static const char *unsupported(struct nslab_host *h)
{
	return NSLAB_NEED_HOST(h, mount_at) ?: NSLAB_NEED_HOST(h, do_once) ?: NSLAB_NEED_HOST(h, subjects);
}

static const struct nslab_step steps[] = {
    {
	.title = N_("Mount the layers"),
	.task = N_("The lab process already has a private mount namespace (a mount there never reaches the "
		   "host). Stack container 1's empty layer on the image:\n"
		   "  run mount -t overlay overlay -o lowerdir=" LOWER ",upperdir=upper,workdir=work merged\n"
		   "(`overlay` is the lab's shortcut). Then compare:\n"
		   "  run ls merged " LOWER " upper\n"
		   "  run grep overlay /proc/self/mountinfo\n"
		   "  host grep overlay /proc/self/mountinfo"),
	.hint = N_("`run` starts in the lab's directory, so the relative paths work. workdir must be an "
		   "empty directory on the same filesystem as upperdir. If the mount fails with \"unknown "
		   "filesystem type\", load the module: host modprobe overlay."),
	.explain = N_("mount(\"overlay\", \"merged\", \"overlay\", 0, \"lowerdir=" LOWER
		      ",upperdir=upper,workdir=work\") makes one filesystem out of two directories: lookups "
		      "look in upperdir first, then in lowerdir. lowerdir is never written (it may even be "
		      "read-only, or a colon-separated stack of several images, the leftmost on top); every "
		      "change goes to upperdir; workdir is the kernel's scratch space for making changes "
		      "atomic. The line \"- overlay overlay rw,lowerdir=...,upperdir=...,workdir=...\" is in "
		      "/proc/LABPID/mountinfo and not in the host's: the lab's mount namespace is private. "
		      "A container image is such a stack of read-only layers; the container's writable layer "
		      "is upperdir (Documentation/filesystems/overlayfs.rst)."),
	.check = check_mount1,
	.perform = do_mount1,
    },
    {
	.title = N_("A new file lands in upper"),
	.task =
	    N_("Write a file through the merged view (step 1's overlay: after a `reset`, do step 1 first), "
	       "then look at each layer:\n"
	       "  run echo hello from the container > merged/" NEW_FILE "\n"
	       "  run ls merged upper " LOWER),
	.hint = N_("The file is in merged/ and upper/, and not in " LOWER "/."),
	.explain = N_("openat(O_CREAT) in the overlay creates the file in the upper directory: a new name "
		      "has nothing to copy, it is simply made in upperdir. The image in " LOWER
		      "/ stays as it was, so any number of containers can start from it."),
	.check = check_new_file,
	.perform = do_new_file,
    },
    {
	.title = N_("Copy-up"),
	.task = N_("Change a file that comes from the image, through step 1's merged view:\n"
		   "  run echo changed by the container >> merged/" CHANGED "\n"
		   "  run cat merged/" CHANGED " " LOWER "/" CHANGED "\n"
		   "  run ls -i " LOWER "/" CHANGED " upper/" CHANGED " merged/" CHANGED),
	.hint = N_("Opening a lower file for writing copies it up whole first. " LOWER "/" CHANGED
		   " keeps the image's one line; upper/" CHANGED " has two."),
	.explain =
	    N_("The first open for writing of a lower file (openat with O_WRONLY or O_RDWR) makes the "
	       "kernel copy it up: the whole file, with its owner, mode and extended attributes, is "
	       "copied into upperdir, and from then on upper's copy hides the lower one. upper/" CHANGED
	       " is a new inode, so ls -i shows a different number from " LOWER "/" CHANGED
	       "; merged/" CHANGED " keeps the lower file's st_ino, because with all layers on one "
	       "filesystem overlayfs keeps inode numbers constant across a copy-up. A big file costs "
	       "a big copy on the first write: that is why databases keep their data on volumes."),
	.check = check_copy_up,
	.perform = do_copy_up,
    },
    {
	.title = N_("Delete: a whiteout"),
	.task = N_("Delete a file of the image through step 1's merged view:\n"
		   "  run rm merged/" DELETED "\n"
		   "  run ls -l upper/etc " LOWER "/etc merged/etc"),
	.hint = N_("The lower layer cannot change, so the deletion is recorded in upper: look at the "
		   "first letter of its ls -l line, and at where the size should be."),
	.explain = N_("unlinkat() of a name that exists in a lower layer leaves a whiteout in upperdir: a "
		      "character device with device number 0, 0 (ls -l shows \"c\" and \"0, 0\"). Lookups "
		      "that meet it stop there, so the name is gone from merged/ while " LOWER "/" DELETED
		      " is still in the image. A deleted directory that is made again gets the opaque "
		      "extended attribute trusted.overlay.opaque=y instead, which hides everything of the "
		      "lower directory."),
	.check = check_whiteout,
	.perform = do_whiteout,
    },
    {
	.title = N_("Two containers, one image"),
	.task =
	    N_("Mount a second container on the same image, with its own layer (container 1 is step 1's, "
	       "and the comparison shows step 3's and step 4's changes):\n"
	       "  run mount -t overlay overlay -o lowerdir=" LOWER ",upperdir=upper2,workdir=work2 merged2\n"
	       "(shortcut: `overlay 2`). Compare the two containers:\n"
	       "  run cat merged/" CHANGED " merged2/" CHANGED "\n"
	       "  run ls merged/etc merged2/etc\n"
	       "  run ls -i merged/bin/sh merged2/bin/sh " LOWER "/bin/sh"),
	.hint = N_("Each container needs its own upperdir and workdir; the lowerdir is shared."),
	.explain = N_("Two mount(2) calls of type overlay, one lowerdir: each container sees the image with "
		      "only its own changes on top. Container 2 still has " DELETED
		      " and the image's motd. The files neither container changed are the very same inode "
		      "of " LOWER "/ (ls -i gives one number), so they are stored once on disk and once in "
		      "the page cache, however many containers run the image. /proc/LABPID/mountinfo now has "
		      "two overlay lines."),
	.check = check_mount2,
	.perform = do_mount2,
    },
    {
	.title = N_("pivot_root into merged"),
	.task =
	    N_("Make container 1's merged view the lab's root, as a runtime does (it needs step 1's overlay, "
	       "and the check tells it from container 2 by step 3's change to /" CHANGED "):\n"
	       "  run mkdir merged/put_old\n"
	       "  run cd merged && pivot_root . put_old\n"
	       "(shortcut: `pivot`). Then:\n"
	       "  run ls /\n"
	       "  run cat /" CHANGED "\n"
	       "  host ls $NSLAB_LAB_DIR/upper"),
	.hint = N_("merged is a mount point (the overlay), so pivot_root(2) accepts it as new_root; put_old "
		   "made through merged lands in upper like any other new directory."),
	.explain =
	    N_("pivot_root(\".\", \"put_old\") in merged/ makes the overlay the root mount of the lab's "
	       "mount namespace and moves the old root to /put_old, as in the pivot-root lab: the \"/\" "
	       "line of /proc/LABPID/mountinfo now says overlay, and /proc/LABPID/root/" CHANGED
	       " is container 1's copy. A runtime then detaches /put_old (umount2 with MNT_DETACH) "
	       "so that nothing leads back to the host. This is how an image becomes a container's /: "
	       "read-only layers below, one writable layer on top, pivot_root into the result."),
	.check = check_pivot,
	.perform = do_pivot,
    },
};

static const struct nslab_command commands[] = {
    {"overlay", "overlay [1|2]", N_("mount container 1's (or 2's) overlay of the image on merged (merged2)"),
     0, 1, cmd_overlay},
    {"pivot", "pivot", N_("pivot_root into container 1's merged view, in the lab process"), 0, 0, cmd_pivot},
};

static const struct nslab_lab lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "overlay",
    .title = N_("overlayfs: an image and a container layer"),
    .summary = N_("A container image is a stack of read-only layers; a container adds one writable layer "
		  "on top, and overlayfs shows the stack as one directory. You will mount an overlay of an "
		  "image, watch a new file, a changed file (copy-up) and a deleted file (a whiteout) land in "
		  "the container's layer while the image stays untouched, run a second container on the "
		  "same image, and pivot_root into the merged view."),
    .order = 35,
    NSLAB_STEPS(steps),
    .unsupported = unsupported,
    .setup = setup,
    NSLAB_COMMANDS(commands),
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(lab)
