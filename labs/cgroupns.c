/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labs/cgroupns.c: the cgroup namespace.
 *
 * The lab process is moved into a cgroup of its own, then makes a cgroup
 * namespace: from inside, its cgroup reads as "/" and a cgroup filesystem
 * mounted inside (in the lab's private mount namespace) shows only its own
 * subtree, while the host keeps seeing the full path. unshare(1) --cgroup
 * (and --mount, with cgroup2 mounted inside) from any subject counts too. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

/* Not "lab": on cgroup v2 the lab process starts in nslab/<pid>/lab (the lab
 * cgroup that tracks every process a lab starts), so a step asking for that
 * one would pass before it was done. A sibling under nslab/<pid> is still
 * nslab's, killed and removed at stop like the lab cgroup. */
#define CG_NAME "cgns"
#define CG_TARGET "/sys/fs/cgroup"

/* The hierarchy the cpu controller lives in, as mount(2) needs it. */
struct cpu_hier {
	char dir[256];  /* where the host mounts it: /sys/fs/cgroup/cpu,cpuacct */
	char type[64];  /* "cgroup" or "cgroup2" */
	char opts[128]; /* v1 controller options: "cpu,cpuacct"; "" on v2 */
};

/* The hierarchy holding cpu (h->cg_dir) and how the host mounts it
 * (h->mount_at). The v1 option list keeps only the controller names (no rw,
 * relatime...). */
static bool find_cpu_hier(struct nslab_host *h, struct cpu_hier *c)
{
	struct nslab_mount_at at = {.size = sizeof(at)};
	memset(c, 0, sizeof(*c));
	if (h->cg_dir(h, "", 0, c->dir, sizeof(c->dir)) < 0 || h->mount_at(h, 0, c->dir, 0, &at) != 1)
		return false;
	snprintf(c->type, sizeof(c->type), "%s", at.fstype);
	if (strcmp(at.fstype, "cgroup") != 0)
		return true;
	char *save = NULL;
	for (char *t = strtok_r(at.options, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "cpu") && strcmp(t, "cpuacct") && strcmp(t, "cpuset") &&
		    strncmp(t, "name=", 5) && strcmp(t, "net_cls") && strcmp(t, "net_prio"))
			continue;
		size_t l = strlen(c->opts);
		snprintf(c->opts + l, sizeof(c->opts) - l, "%s%s", l ? "," : "", t);
	}
	return true;
}

/* --- inside the lab process --- */

/* On cgroup v2 the host's view already sits on CG_TARGET, and the kernel
 * refuses to mount a filesystem on top of itself at the same mount point
 * (EBUSY): detach it first. The lab's mount namespace is private, so the
 * host keeps its own. out gets "umount" when that happened. */
static int ag_mount_cgroup(void *arg, char *out, size_t outlen)
{
	const struct cpu_hier *c = arg;
	struct statfs sf;
	if (statfs(CG_TARGET, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC &&
	    strcmp(c->type, "cgroup2") == 0) {
		if (umount2(CG_TARGET, MNT_DETACH) < 0)
			return -1;
		snprintf(out, outlen, "umount");
	}
	return mount("none", CG_TARGET, c->type, MS_NOSUID | MS_NODEV | MS_NOEXEC,
		     c->opts[0] ? c->opts : NULL);
}

enum { CGFS_NONE, CGFS_OTHER_ROOT, CGFS_OWN_ROOT };

/* Is CG_TARGET a cgroup filesystem whose top directory is the lab's own
 * cgroup (its cgroup.procs lists this process, and nslab/ is not there)? */
static int ag_check_cgfs(void *arg, char *out, size_t outlen)
{
	(void)arg;
	(void)out;
	(void)outlen;
	struct statfs sf;
	if (statfs(CG_TARGET, &sf) < 0 ||
	    (sf.f_type != CGROUP_SUPER_MAGIC && sf.f_type != CGROUP2_SUPER_MAGIC))
		return CGFS_NONE;
	struct stat st;
	if (stat(CG_TARGET "/nslab", &st) == 0)
		return CGFS_OTHER_ROOT;
	FILE *f = fopen(CG_TARGET "/cgroup.procs", "re");
	if (!f)
		return CGFS_OTHER_ROOT;
	int p;
	bool me = false;
	while (!me && fscanf(f, "%d", &p) == 1)
		me = p == (int)getpid();
	fclose(f);
	return me ? CGFS_OWN_ROOT : CGFS_OTHER_ROOT;
}

/* --- host side --- */

static bool host_view(struct nslab_host *h, pid_t pid, char *seen, size_t seenlen, char *want, size_t wantlen)
{
	if (h->cg_path(h, CG_NAME, want, wantlen) < 0) {
		h->missing(h, _("nslab cannot name the lab's cgroup"));
		return false;
	}
	if (nslab_proc_cgroup(pid, seen, seenlen) < 0) {
		h->missing(h, _("cannot read /proc/%d/cgroup"), (int)pid);
		return false;
	}
	return true;
}

/* --- the learner's processes ---
 * What `run`, `shell` and `host ... &` started (unshare(1) --cgroup among
 * them) and watched PIDs, besides the lab process. Nothing is said about
 * them unless none has what a step wants. */

#define MAX_SUBJECTS 64

static unsigned learners(struct nslab_host *h, pid_t *out, unsigned max)
{
	return nslab_other_subjects(h, out, max);
}

/* A learner's process in a cgroup namespace of its own that reads its own
 * cgroup as "/" (`unshare --cgroup`): nsenter(1) reads /proc/PID/cgroup
 * from inside that namespace. */
static pid_t learner_rooted(struct nslab_host *h)
{
	pid_t pids[MAX_SUBJECTS];
	unsigned n = learners(h, pids, MAX_SUBJECTS);
	for (unsigned i = 0; i < n; i++) {
		if (h->same_ns(h, pids[i], "cgroup") != 0)
			continue;
		char cmd[128], *out = NULL, inside[512] = "";
		snprintf(cmd, sizeof(cmd), "nsenter --target %d --cgroup cat /proc/%d/cgroup", (int)pids[i],
			 (int)pids[i]);
		bool ok = h->host_run(h, cmd, &out) == 0 && out &&
			  nslab_cgroup_text_of(out, "cpu", inside, sizeof(inside)) == 0 &&
			  strcmp(inside, "/") == 0;
		free(out);
		if (ok)
			return pids[i];
	}
	return 0;
}

/* A learner's process whose /sys/fs/cgroup (seen through /proc/PID/root,
 * in its mount namespace) is a cgroup filesystem rooted at its own cgroup:
 * its cgroup.procs lists the process, and no nslab/ is there. */
static pid_t learner_mounted(struct nslab_host *h)
{
	pid_t pids[MAX_SUBJECTS];
	unsigned n = learners(h, pids, MAX_SUBJECTS);
	for (unsigned i = 0; i < n; i++) {
		char dir[96], path[128];
		struct statfs sf;
		struct stat st;
		if (h->same_ns(h, pids[i], "cgroup") != 0 || h->same_ns(h, pids[i], "mnt") != 0)
			continue;
		snprintf(dir, sizeof(dir), "/proc/%d/root" CG_TARGET, (int)pids[i]);
		if (statfs(dir, &sf) < 0 ||
		    (sf.f_type != CGROUP_SUPER_MAGIC && sf.f_type != CGROUP2_SUPER_MAGIC))
			continue;
		snprintf(path, sizeof(path), "%s/nslab", dir);
		if (stat(path, &st) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
		FILE *f = fopen(path, "re");
		int p;
		bool me = false;
		while (f && !me && fscanf(f, "%d", &p) == 1)
			me = p == (int)pids[i];
		if (f)
			fclose(f);
		if (me)
			return pids[i];
	}
	return 0;
}

/* --- step 1: a cgroup of its own --- */

/* A learner's process in the cgroup nslab made (`echo PID > .../cgns/cgroup.procs`). */
static pid_t learner_in(struct nslab_host *h, const char *want)
{
	pid_t pids[MAX_SUBJECTS];
	char seen[512];
	unsigned n = learners(h, pids, MAX_SUBJECTS);
	for (unsigned i = 0; i < n; i++)
		if (nslab_proc_cgroup(pids[i], seen, sizeof(seen)) == 0 && strcmp(seen, want) == 0)
			return pids[i];
	return 0;
}

static bool check_cgroup(struct nslab_host *h)
{
	char seen[512], want[512];
	pid_t pid = h->main_pid(h);
	if (h->cg_path(h, CG_NAME, want, sizeof(want)) == 0 && learner_in(h, want))
		return true;
	if (!host_view(h, pid, seen, sizeof(seen), want, sizeof(want)))
		return false;
	if (strcmp(seen, want) != 0) {
		h->missing(h, _("the host sees the lab process in cgroup %s, not in its own %s: `cgroup`"),
			   seen, want);
		return false;
	}
	return true;
}

static int do_cgroup(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	char path[512] = "", dir[PATH_MAX];
	if (h->cg_create(h, CG_NAME) < 0 || h->cg_attach(h, CG_NAME, pid) < 0)
		return -1;
	h->cg_path(h, CG_NAME, path, sizeof(path));
	if (h->cg_dir(h, CG_NAME, 0, dir, sizeof(dir)) < 0)
		snprintf(dir, sizeof(dir), "/sys/fs/cgroup%s", path);
	h->trace(h, "mkdir(\"%s\", 0755) = 0", dir);
	h->trace(h, "write(\"%s/cgroup.procs\", \"%d\") = 0", dir, (int)pid);
	h->print(h, _("The lab process (PID %d) is now in cgroup %s (%s).\n"), (int)pid, path, dir);
	return 0;
}

/* --- step 2: a cgroup namespace --- */

static bool check_cgroupns(struct nslab_host *h)
{
	char seen[512], want[512], inside[512] = "";
	pid_t pid = h->main_pid(h);
	if (learner_rooted(h))
		return true;
	if (!host_view(h, pid, seen, sizeof(seen), want, sizeof(want)))
		return false;
	bool ok = true;
	if (strcmp(seen, want) != 0) {
		h->missing(h, _("the host should see the lab process in %s, but sees %s"), want, seen);
		ok = false;
	}
	if (h->same_ns(h, pid, "cgroup") == 1) {
		h->missing(
		    h,
		    _("the lab process is still in the host's cgroup namespace, and no other process of "
		      "the lab reads its cgroup as / in one of its own: `run unshare --cgroup sleep infinity "
		      "&`, or nslab's shortcut `cgroupns`"));
		return false;
	}
	if (h->call(h, pid, nslab_call_own_cgroup, NULL, 0, inside, sizeof(inside)) < 0) {
		h->missing(h, _("cannot read the lab's /proc/self/cgroup: %s"), strerror(errno));
		return false;
	}
	if (strcmp(inside, "/") != 0) {
		h->missing(
		    h,
		    _("the lab reads its cgroup as %s, not /: the namespace was made before the move into "
		      "its cgroup (`reset`, then `cgroup` before `cgroupns`)"),
		    inside);
		ok = false;
	}
	return ok;
}

static int do_cgroupns(struct nslab_host *h)
{
	if (h->call(h, h->main_pid(h), nslab_call_unshare, &(int){CLONE_NEWCGROUP}, sizeof(int), NULL, 0) <
	    0) {
		h->error(h, _("unshare(CLONE_NEWCGROUP): %s"), strerror(errno));
		return -1;
	}
	h->trace(h, "unshare(CLONE_NEWCGROUP) = 0");
	h->print(h, _("The lab's cgroup namespace is rooted at the cgroup it was in:\nthat cgroup now reads "
		      "as /.\n"));
	return 0;
}

/* --- step 3: mount the cgroup filesystem inside --- */

static bool check_mount(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	if (learner_mounted(h))
		return true;
	if (h->same_ns(h, pid, "mnt") == 1) {
		h->missing(h, _("the lab process shares the host's mount namespace"));
		return false;
	}
	int rc = h->call(h, pid, ag_check_cgfs, NULL, 0, NULL, 0);
	if (rc == CGFS_NONE) {
		h->missing(
		    h,
		    _("no cgroup filesystem is mounted on " CG_TARGET " in the lab's mount namespace, nor "
		      "one rooted at its own cgroup in any other process of the lab: `run unshare --cgroup "
		      "--mount sh -c 'umount -l " CG_TARGET "; mount -t cgroup2 none " CG_TARGET
		      "; sleep infinity' &`"));
		return false;
	}
	if (rc != CGFS_OWN_ROOT) {
		h->missing(h, _("the cgroup filesystem on " CG_TARGET
				" in the lab shows more than the lab's own "
				"cgroup: was it mounted from inside the lab's cgroup namespace?"));
		return false;
	}
	return true;
}

static int do_mount(struct nslab_host *h)
{
	struct cpu_hier c;
	if (!find_cpu_hier(h, &c)) {
		h->error(h, _("this machine mounts no cgroup hierarchy with the cpu controller"));
		return -1;
	}
	char did[16] = "";
	if (h->call(h, h->main_pid(h), ag_mount_cgroup, &c, sizeof(c), did, sizeof(did)) < 0) {
		h->error(h, "mount(\"none\", \"" CG_TARGET "\", \"%s\", ..., \"%s\"): %s", c.type, c.opts,
			 strerror(errno));
		return -1;
	}
	if (did[0])
		h->trace(h, "umount2(\"" CG_TARGET "\", MNT_DETACH) = 0");
	h->trace(h, "mount(\"none\", \"" CG_TARGET "\", \"%s\", MS_NOSUID|MS_NODEV|MS_NOEXEC, %s%s%s) = 0",
		 c.type, c.opts[0] ? "\"" : "", c.opts[0] ? c.opts : "NULL", c.opts[0] ? "\"" : "");
	h->print(h, _("Mounted a %s filesystem on " CG_TARGET " inside the lab: `run ls " CG_TARGET "`.\n"),
		 c.type);
	return 0;
}

static const struct nslab_step steps[] = {
    {
	.title = N_("A cgroup of its own"),
	.task = N_("Move the lab process into its own cgroup, nslab/<nslab pid>/cgns. nslab makes the "
		   "directory (so that it goes with the lab) and writes the PID into its cgroup.procs, as "
		   "`mkdir` and `echo PID > cgroup.procs` would:\n"
		   "  cgroup\n"
		   "  host ls $NSLAB_CGROUP_DIR/cgns\n"
		   "  host cat /proc/$NSLAB_LAB_PID/cgroup\n"
		   "  run cat /proc/self/cgroup"),
	.hint = N_("`cgroup` creates the cgroup and writes the lab's PID into its cgroup.procs. "
		   "`status` shows the path."),
	.explain = N_("A cgroup is a directory in a cgroup filesystem: mkdir creates it, and "
		      "writing a PID into its cgroup.procs moves that process. /proc/PID/cgroup "
		      "lists, per hierarchy, the path of the process's cgroup. So far the lab sees "
		      "the same full path as the host: `run cat /proc/self/cgroup` names nslab/... "
		      "and `run ls /sys/fs/cgroup` shows every cgroup on the machine."),
	.check = check_cgroup,
	.perform = do_cgroup,
    },
    {
	.title = N_("A cgroup namespace"),
	.task = N_(
	    "Make a cgroup namespace with the real tool. `run` starts its command in the lab process's "
	    "cgroup (nslab/<nslab pid>/cgns since step 1), and unshare(1) --cgroup roots the new namespace "
	    "at the cgroup it is in:\n"
	    "  run unshare --cgroup cat /proc/self/cgroup\n"
	    "  run unshare --cgroup sleep infinity &\n"
	    "  host lsns -t cgroup\n"
	    "  host cat /proc/$NSLAB_LAB_PID/cgroup\n"
	    "The host sees the lab process's full cgroup path. "
	    "nslab's shortcut, and what `do` does: `cgroupns` makes the lab process itself call "
	    "unshare(CLONE_NEWCGROUP); then `run cat /proc/self/cgroup` reads / too."),
	.hint = N_("The order matters: a cgroup namespace is rooted at the cgroup the process is "
		   "in when it calls unshare, so move first, then unshare."),
	.explain = N_("unshare(CLONE_NEWCGROUP) made a cgroup namespace whose root is the lab's "
		      "current cgroup. The kernel now writes /proc/PID/cgroup relative to the "
		      "reader's namespace root: inside the lab the line reads \"/\", on the host it "
		      "still reads /nslab/.../cgns. Same process, same cgroup, two views. The cgroup "
		      "row of the pane differs."),
	.check = check_cgroupns,
	.perform = do_cgroupns,
    },
    {
	.title = N_("Mount the cgroup filesystem inside"),
	.task =
	    N_("Mount a cgroup filesystem from inside a cgroup namespace, in a mount namespace of its own "
	       "(private: unshare(1)'s default). cgroup2 is there on every layout; the host's /sys/fs/cgroup "
	       "is detached first, in the new mount namespace only:\n"
	       "  run unshare --cgroup --mount sh -c 'umount -l /sys/fs/cgroup; mount -t cgroup2 none "
	       "/sys/fs/cgroup; sleep infinity' &\n"
	       "  run unshare --cgroup --mount sh -c 'umount -l /sys/fs/cgroup; mount -t cgroup2 none "
	       "/sys/fs/cgroup; ls /sys/fs/cgroup; cat /sys/fs/cgroup/cgroup.procs'\n"
	       "  host ls /sys/fs/cgroup\n"
	       "The shortcut, what `do` does: after `cgroupns`, the lab process (in its private mount "
	       "namespace) mounts the hierarchy that holds cpu: on v1 and hybrid `run mount -t cgroup -o "
	       "cpu,cpuacct none /sys/fs/cgroup` (the controllers the host mounts together: `host grep cpu "
	       "/proc/self/mounts`), on pure v2 `run umount /sys/fs/cgroup` and `run mount -t cgroup2 none "
	       "/sys/fs/cgroup`."),
	.hint =
	    N_("Everything after `sh -c` runs in the new namespaces: the umount too, so the host keeps its "
	       "/sys/fs/cgroup. Mounting cgroup2 over the cgroup2 already there fails with \"busy\": that is "
	       "why it is detached first."),
	.explain =
	    N_("mount(2) of a cgroup filesystem from inside a cgroup namespace shows the namespace root "
	       "as its top directory: the process sees its own cgroup.procs (and the controller files of "
	       "that cgroup, cpu.* where the hierarchy holds cpu), and no trace of nslab/ or of any other "
	       "cgroup on the machine. This is what containers see in /sys/fs/cgroup. The mount exists "
	       "only in a private mount namespace, so the host's /sys/fs/cgroup is unchanged. The kernel "
	       "refuses to mount a filesystem on top of itself at the same mount point (EBUSY), so the "
	       "copy of the host's view is detached first: umount -l is umount2(MNT_DETACH), which also "
	       "takes the v1 hierarchies mounted below it on a hybrid machine."),
	.check = check_mount,
	.perform = do_mount,
    },
};

static int cmd_cgroup(struct nslab_host *h, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return do_cgroup(h);
}

static int cmd_cgroupns(struct nslab_host *h, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return do_cgroupns(h);
}

static const struct nslab_command commands[] = {
    {"cgroup", "cgroup", N_("create nslab/<pid>/" CG_NAME " and move the lab process into it"), 0, 0,
     cmd_cgroup},
    {"cgroupns", "cgroupns", N_("the lab process calls unshare(CLONE_NEWCGROUP)"), 0, 0, cmd_cgroupns},
};

static const char *unsupported(struct nslab_host *h)
{
	struct cpu_hier c;
	if (access("/proc/self/ns/cgroup", F_OK) < 0)
		return _("this kernel has no cgroup namespaces (Linux 4.6+)");
	const char *old = NSLAB_NEED_HOST(h, cg_dir) ?: NSLAB_NEED_HOST(h, mount_at);
	if (old)
		return old;
	if (h->cg_mode(h) == NSLAB_CG_NONE || !find_cpu_hier(h, &c))
		return _("no cgroup hierarchy with the cpu controller is mounted");
	return NULL;
}

static int setup(struct nslab_host *h)
{
	struct nslab_spawn how = {.size = sizeof(struct nslab_spawn),
				  .label = "lab",
				  .clone_flags = CLONE_NEWNS,
				  .init = nslab_call_make_private};
	pid_t pid = h->spawn(h, &how);
	if (pid < 0)
		return -1;
	h->trace(h, "clone(CLONE_NEWNS|SIGCHLD) = %d", (int)pid);
	h->trace(h, "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL) = 0   [in %d]", (int)pid);
	h->print(h, _("The lab process is PID %d, in a private mount namespace (for step 3).\n"), (int)pid);
	return 0;
}

static const struct nslab_lab lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "cgroupns",
    .title = N_("Cgroup namespace: its own cgroup is the root"),
    .summary = N_(
	"cgroups are managed through a filesystem, so a process that can see /sys/fs/cgroup can see, and "
	"as root change, the limits of every other process on the machine. A cgroup namespace does not hide "
	"the tree by itself: it changes where paths start. Its root is the cgroup the process was in when "
	"the namespace was made, and /proc/PID/cgroup, /proc/PID/mountinfo and any cgroup filesystem "
	"mounted afterwards show paths from there; the host's /sys/fs/cgroup stays visible until it is "
	"remounted. In this lab the lab process gets a cgroup of its own, then a cgroup namespace, and then "
	"mounts a cgroup filesystem that shows only its own subtree, while the host still sees the full "
	"path."),
    .order = 100,
    NSLAB_STEPS(steps),
    .unsupported = unsupported,
    .setup = setup,
    NSLAB_COMMANDS(commands),
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(lab)
