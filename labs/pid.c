/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pid.c: the PID namespace. The lab process is cloned with CLONE_NEWPID (and
 * CLONE_NEWNS, for a /proc of its own), so it is PID 1 of a new namespace:
 * it adopts orphans, and when it dies every process inside dies with it.
 * The host sees the same process under another PID (NSpid in
 * /proc/PID/status). unshare(CLONE_NEWPID) moves only the caller's future
 * children: the pid_for_children row shows it. The seed's `unshare --pid
 * --fork --mount-proc` counts too: any subject that is PID 1 of a namespace
 * of its own (NSpid), sees its own /proc, adopts a child, or unshares again. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define ORPHAN_CMD "sleep 3141"

/* --- small helpers --- */

static ino_t ns_ino(pid_t pid, const char *ns)
{
	char p[64];
	struct stat st;
	snprintf(p, sizeof(p), "/proc/%d/ns/%s", (int)pid, ns);
	return stat(p, &st) == 0 ? st.st_ino : 0;
}

/* A field of /proc/PID/status ("PPid", "NSpid"), as text. */
static bool status_field(pid_t pid, const char *name, char *buf, size_t len)
{
	char p[64], line[512];
	size_t n = strlen(name);
	snprintf(p, sizeof(p), "/proc/%d/status", (int)pid);
	FILE *f = fopen(p, "re");
	if (!f)
		return false;
	bool found = false;
	while (!found && fgets(line, sizeof(line), f))
		if (strncmp(line, name, n) == 0 && line[n] == ':') {
			char *v = line + n + 1;
			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			snprintf(buf, len, "%s", v);
			found = true;
		}
	fclose(f);
	return found;
}

/* The host PID of a child of parent that lives in PID namespace ns. */
static pid_t find_child_in(pid_t parent, ino_t ns)
{
	DIR *d = opendir("/proc");
	if (!d || !ns) {
		if (d)
			closedir(d);
		return -1;
	}
	pid_t found = -1;
	struct dirent *e;
	char ppid[32];
	while (found < 0 && (e = readdir(d))) {
		pid_t p = (pid_t)atoi(e->d_name);
		if (p > 0 && ns_ino(p, "pid") == ns && status_field(p, "PPid", ppid, sizeof(ppid)) &&
		    atoi(ppid) == parent)
			found = p;
	}
	closedir(d);
	return found;
}

/* --- the lab's subjects --- */

#define MAX_SUBJECTS 64

/* The lab process first, then every other subject: what `run`, `shell` and
 * `host ... &` started (unshare(1) among them), and watched PIDs. */
static unsigned all_subjects(struct nslab_host *h, pid_t *out, unsigned max)
{
	pid_t pids[MAX_SUBJECTS], main = h->main_pid(h);
	unsigned n = 0;
	out[n++] = main;
	long got = NSLAB_HOST_CAN(h, subjects) ? h->subjects(h, pids, MAX_SUBJECTS) : 0;
	for (long i = 0; i < got && i < MAX_SUBJECTS && n < max; i++)
		if (pids[i] != main)
			out[n++] = pids[i];
	return n;
}

/* Is pid PID 1 of a PID namespace below the host's? NSpid lists its PID in
 * each namespace, outermost first: "4711\t1" or "4711\t12\t1". */
static bool is_ns_init(pid_t pid)
{
	char nspid[128] = "";
	if (!status_field(pid, "NSpid", nspid, sizeof(nspid)) || !strchr(nspid, '\t'))
		return false;
	return strcmp(strrchr(nspid, '\t') + 1, "1") == 0;
}

/* Does the /proc that pid sees belong to its own PID namespace? Through
 * /proc/PID/root the host walks pid's mount namespace and root: the PID 1
 * of that proc mount is in pid's namespace only if it was mounted there. */
static bool own_proc(pid_t pid)
{
	char p[64];
	struct stat st;
	snprintf(p, sizeof(p), "/proc/%d/root/proc/1/ns/pid", (int)pid);
	ino_t ns = ns_ino(pid, "pid");
	return ns && stat(p, &st) == 0 && st.st_ino == ns;
}

/* --- run inside the lab process (h->call) --- */

/* Until step 1, the lab's mounts are slaves: mounts from the host still come
 * in, but a /proc mounted inside can never propagate out onto the host's. */
static int ag_init(void *arg, char *out, size_t outlen)
{
	(void)arg;
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return nslab_fail(out, outlen, "mount(MS_REC|MS_SLAVE)");
	return 0;
}

static int ag_mount_proc(void *arg, char *out, size_t outlen)
{
	(void)arg;
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return nslab_fail(out, outlen, "mount(proc)");
	return 0;
}

static int ag_proc_self(void *arg, char *out, size_t outlen)
{
	(void)arg;
	ssize_t n = readlink("/proc/self", out, outlen - 1);
	return n < 0 ? -1 : 0;
}

/* unshare, then one child: it becomes PID 1 of the nested namespace (until
 * then the kernel will not even open pid_for_children: it has no init yet).
 * It only waits; it dies with the lab, as every process below PID 1 does. */
static int ag_unshare(void *arg, char *out, size_t outlen)
{
	(void)arg;
	if (unshare(CLONE_NEWPID) < 0)
		return nslab_fail(out, outlen, "unshare(CLONE_NEWPID)");
	pid_t child = nslab_fork_tied();
	if (child < 0)
		return nslab_fail(out, outlen, "fork");
	if (child == 0) {
		prctl(PR_SET_NAME, "nslab-nested");
		for (;;)
			pause();
	}
	snprintf(out, outlen, "%d", (int)child);
	return 0;
}

/* --- step 1: private mounts --- */

/* Mounts of pid's namespace that still receive from the host or share
 * with it ("shared:N", "master:N"); -1 if its mount table is unreadable. */
static int linked_mounts(struct nslab_host *h, pid_t pid)
{
	struct nslab_mount_at at = {.size = sizeof(at)};
	if (h->mount_at(h, pid, "/", 0, &at) < 0)
		return -1;
	return (int)(at.nshared + at.nslave);
}

static bool check_private(struct nslab_host *h)
{
	pid_t pids[MAX_SUBJECTS], main = h->main_pid(h);
	unsigned n = all_subjects(h, pids, MAX_SUBJECTS);
	for (unsigned i = 0; i < n; i++)
		if ((pids[i] == main || h->same_ns(h, pids[i], "mnt") == 0) && linked_mounts(h, pids[i]) == 0)
			return true;
	h->missing(
	    h,
	    _("%d mount(s) of the lab still receive mounts from the host (\"master:N\" or "
	      "\"shared:N\" in /proc/%d/mountinfo), and no other process of the lab has a private mount "
	      "namespace: `run mount --make-rprivate /`, or `host unshare --mount sleep infinity &`"),
	    linked_mounts(h, main), (int)main);
	return false;
}

/* --- step 2: a /proc for the namespace --- */

static bool check_pid1(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	char nspid[128] = "";
	if (!status_field(pid, "NSpid", nspid, sizeof(nspid))) {
		h->missing(h, _("cannot read NSpid in /proc/%d/status"), (int)pid);
		return false;
	}
	if (!is_ns_init(pid)) {
		h->missing(h, _("the lab process is not PID 1 of a namespace of its own (NSpid: %s)"), nspid);
		return false;
	}
	return true;
}

/* A subject other than the lab process in a PID namespace of its own whose
 * /proc shows that namespace (`unshare --pid --fork --mount-proc`). */
static pid_t learner_with_proc(struct nslab_host *h)
{
	pid_t pids[MAX_SUBJECTS];
	unsigned n = all_subjects(h, pids, MAX_SUBJECTS);
	for (unsigned i = 1; i < n; i++)
		if (h->same_ns(h, pids[i], "pid") == 0 && own_proc(pids[i]))
			return pids[i];
	return 0;
}

static bool check_proc(struct nslab_host *h)
{
	char self[64] = "";
	if (learner_with_proc(h))
		return true;
	if (!check_pid1(h))
		return false;
	if (h->call(h, h->main_pid(h), ag_proc_self, NULL, 0, self, sizeof(self)) < 0) {
		h->missing(h, _("the lab has no readable /proc (%s)"), strerror(errno));
		return false;
	}
	if (strcmp(self, "1") != 0) {
		h->missing(
		    h,
		    _("the lab's /proc still belongs to the host's PID namespace (/proc/self is %s "
		      "for the lab process, which is PID 1 in its own), and no other process of the lab "
		      "has a /proc of its own PID namespace: `run mount -t proc proc /proc`, or "
		      "`host unshare --pid --fork --mount-proc sleep infinity &`"),
		    self);
		return false;
	}
	return true;
}

static int do_proc(struct nslab_host *h)
{
	return nslab_call_main_traced(
	    h, ag_mount_proc, NULL,
	    "mount(\"proc\", \"/proc\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) = 0");
}

/* --- step 3: orphans go to PID 1 --- */

/* A process of the lab's PID namespace, other than PID 1, whose parent is
 * PID 1: an orphan it adopted (or a child it made). The same below any
 * subject that is PID 1 of a namespace of its own (unshare --pid --fork). */
static bool check_orphan(struct nslab_host *h)
{
	pid_t pids[MAX_SUBJECTS], main = h->main_pid(h);
	unsigned n = all_subjects(h, pids, MAX_SUBJECTS);
	for (unsigned i = 0; i < n; i++)
		if ((pids[i] == main || is_ns_init(pids[i])) &&
		    find_child_in(pids[i], ns_ino(pids[i], "pid")) > 0)
			return true;
	if (!ns_ino(main, "pid")) {
		h->missing(h, _("cannot read /proc"));
		return false;
	}
	h->missing(h, _("no process in the lab has PID 1 as its parent yet "
			"(`run " ORPHAN_CMD
			" >/dev/null 2>&1 &`, or `run unshare --pid --fork --mount-proc sh -c "
			"'(sleep 3141 &); sleep infinity' &`)"));
	return false;
}

static int do_orphan(struct nslab_host *h)
{
	char *out = NULL;
	int st = h->run(h, 0, ORPHAN_CMD " >/dev/null 2>&1 &", &out);
	free(out);
	if (st != 0) {
		h->error(h, _("could not start " ORPHAN_CMD " in the lab (status %d)"), st);
		return -1;
	}
	h->trace(h, "clone(SIGCHLD) = 2   (sh starts " ORPHAN_CMD " in the background and exits)");
	h->trace(h, "exit_group(0) = ?   (sh is gone: the kernel makes PID 1 the parent of sleep)");
	h->trace(h, "wait4(-1, ..., WNOHANG) in PID 1 reaps it when it ends");
	return 0;
}

/* --- step 4: unshare moves only children --- */

/* A subject other than the lab process that is PID 1 of a namespace of its
 * own and has unshared again: its pid_for_children is a third namespace
 * (`unshare --pid --fork unshare --pid --fork sleep infinity`). */
static pid_t learner_unshared(struct nslab_host *h)
{
	pid_t pids[MAX_SUBJECTS];
	unsigned n = all_subjects(h, pids, MAX_SUBJECTS);
	for (unsigned i = 1; i < n; i++) {
		ino_t active = ns_ino(pids[i], "pid"), children = ns_ino(pids[i], "pid_for_children");
		if (is_ns_init(pids[i]) && active && children && active != children)
			return pids[i];
	}
	return 0;
}

static bool check_for_children(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	char p[64];
	if (learner_unshared(h))
		return true;
	ino_t active = ns_ino(pid, "pid"), children = ns_ino(pid, "pid_for_children");
	snprintf(p, sizeof(p), "/proc/%d/ns/pid_for_children", (int)pid);
	if (active && !children) {
		h->missing(
		    h,
		    _("the new PID namespace has no PID 1 yet, so %s cannot be opened: the lab process "
		      "must start a child"),
		    p);
		return false;
	}
	if (!active || active == children) {
		h->missing(
		    h,
		    _("pid_for_children of the lab process is still its own PID namespace (%s), and no "
		      "other PID 1 of the lab has unshared again: `run unshare --pid --fork unshare --pid "
		      "--fork sleep infinity &`, or nslab's shortcut `pidns`"),
		    p);
		return false;
	}
	return check_pid1(h);
}

static int do_unshare(struct nslab_host *h)
{
	char out[256] = "";
	if (h->call(h, h->main_pid(h), ag_unshare, NULL, 0, out, sizeof(out)) < 0) {
		h->error(h, _("%s failed in the lab process: %s"), out[0] ? out : _("the request"),
			 strerror(errno));
		return -1;
	}
	h->trace(h, "unshare(CLONE_NEWPID) = 0   (the caller stays PID 1 of its namespace)");
	pid_t host_pid = find_child_in(h->main_pid(h), ns_ino(h->main_pid(h), "pid_for_children"));
	h->trace(h,
		 "clone(SIGCHLD) = %s   (its PID in the lab; %d on the host; 1 in the new, nested namespace)",
		 out, (int)host_pid);
	if (host_pid > 0)
		h->show_pid(h, host_pid, "nested");
	return 0;
}

static bool unshared(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	return ns_ino(pid, "pid") != ns_ino(pid, "pid_for_children");
}

static int cmd_pidns(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	return h->do_once(
	    h, unshared, do_unshare, _("the lab process has unshared its PID namespace already"),
	    _("unshare(CLONE_NEWPID) = 0, then fork(): look at the pid and pid_for_children rows of `ns`"));
}

/* --- the lab --- */

static const char *unsupported(struct nslab_host *h)
{
	if (access("/proc/self/ns/pid_for_children", F_OK) < 0)
		return _("this kernel has no PID namespaces (CONFIG_PID_NS), or is older than 4.12");
	return NSLAB_NEED_HOST(h, mount_at) ?: NSLAB_NEED_HOST(h, do_once) ?: NSLAB_NEED_HOST(h, share_workdir);
}

static int setup(struct nslab_host *h)
{
	/* As in the mnt lab: the work directory becomes a shared mount on the
	 * host, so that the lab's copy of it is a slave ("master:N") on any
	 * machine, with or without systemd, and step 1 has something to undo. */
	if (h->share_workdir(h) < 0)
		return -1;
	struct nslab_spawn how = {.size = sizeof(struct nslab_spawn),
				  .label = "lab",
				  .clone_flags = CLONE_NEWPID | CLONE_NEWNS,
				  .init = ag_init};
	pid_t pid = h->spawn(h, &how);
	if (pid < 0)
		return -1;
	h->print(h, _("The lab process is %d on the host; inside its namespace it is PID 1.\n"), (int)pid);
	return 0;
}

static const struct nslab_step steps[] = {
    {
	.title = N_("Private mounts first"),
	.task = N_(
	    "The lab process is PID 1 of a new PID namespace, in a mount namespace of its own. "
	    "Before mounting a /proc for it, cut its mounts off from the host's, and see both of its PIDs:\n"
	    "  run grep -c master: /proc/self/mountinfo\n"
	    "  run mount --make-rprivate /\n"
	    "  run grep -c master: /proc/self/mountinfo\n"
	    "  host grep NSpid /proc/$NSLAB_LAB_PID/status\n"
	    "The second grep counts 0. The seed's `unshare --pid --fork --mount-proc` does the same first: a "
	    "new mount namespace made "
	    "by unshare(1) is private unless you ask otherwise (`host unshare --mount sleep infinity &` "
	    "counts for this step too)."),
	.hint = N_("nslab started the lab with slave mounts (\"master:N\": host mounts come in, nothing goes "
		   "out). mount --make-rprivate / cuts the link both ways."),
	.explain =
	    N_("clone(CLONE_NEWPID|CLONE_NEWNS) made the lab process: PID 1 in a new PID namespace, "
	       "with a copy of the host's mounts. NSpid in /proc/PID/status lists its PID in every "
	       "namespace it belongs to, outermost first: the host's number, then 1. The next step mounts "
	       "proc on /proc: with shared propagation (systemd makes / shared) that mount would land on "
	       "the host's /proc too, and every `ps` on the host would see only the lab. "
	       "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL) prevents it; it is what "
	       "`unshare --mount-proc` does first."),
	.check = check_private,
	.perform = nslab_private_main,
    },
    {
	.title = N_("A /proc for the namespace"),
	.task = N_(
	    "Mount a proc filesystem for the lab's PID namespace, then list processes:\n"
	    "  run ps -ef\n"
	    "  run mount -t proc proc /proc\n"
	    "  run ps -ef\n"
	    "The first ps lists the host's processes (/proc is still the host's), the second only the "
	    "lab's. The seed's way, a new PID namespace with its own /proc in one command:\n"
	    "  run unshare --pid --fork --mount-proc ps -ef\n"
	    "One that stays counts for this step too: `host unshare --pid --fork --mount-proc sleep infinity "
	    "&`, or from a second terminal `unshare --pid --fork --mount-proc bash`, once you give its host "
	    "PID (`host lsns -t pid` lists it; inside, `echo $$` says 1) to `watch` here."),
	.hint = N_("ps reads /proc. A proc filesystem shows the PID namespace of the process that mounted "
		   "it, so the lab needs its own mount."),
	.explain =
	    N_("Each proc mount belongs to the PID namespace of the process that mounts it, and lists "
	       "only that namespace's processes, numbered as that namespace sees them: PID 1 is the lab "
	       "process (a fork of nslab, so ps shows nslab's command line). Before the mount, /proc in "
	       "the lab was the host's: `ps` showed "
	       "every process on the machine, with host numbers. The host still sees the lab's "
	       "processes under their host PIDs: a parent namespace sees into its children, never the "
	       "other way round."),
	.check = check_proc,
	.perform = do_proc,
    },
    {
	.title = N_("PID 1 adopts orphans"),
	.task = N_(
	    "Start a background process whose parent exits at once:\n"
	    "  run " ORPHAN_CMD " >/dev/null 2>&1 &\n"
	    "  run ps -o pid,ppid,args -e\n"
	    "Its parent (PPID) is 1: the lab process. The same in a namespace unshare(1) makes, where sh is "
	    "PID 1 and the subshell that started sleep exits at once:\n"
	    "  run unshare --pid --fork --mount-proc sh -c '(sleep 3141 &); sleep 1; ps -o pid,ppid,args'\n"
	    "When that sh, its PID 1, exits, the kernel kills the sleep with it."),
	.hint =
	    N_("The shell that `run` starts exits right after putting sleep in the background; the orphan "
	       "goes to the init of its PID namespace."),
	.explain = N_(
	    "When a process exits, the kernel gives its children to the nearest subreaper (an ancestor that "
	    "asked for orphans with "
	    "prctl(PR_SET_CHILD_SUBREAPER), as systemd --user does) or to "
	    "PID 1 of their PID namespace (the namespace's child_reaper), not to the host's init. PID "
	    "1 must wait(2) for them, or they stay zombies: the lab process reaps them. PID 1 is "
	    "special in two more ways: from inside its namespace it gets only the signals it has handlers "
	    "for (SIGKILL and SIGSTOP from an ancestor namespace are always delivered), and when it "
	    "dies the kernel SIGKILLs every process of the namespace. `stop` SIGKILLs the lab process "
	    "from the host, "
	    "and " ORPHAN_CMD " goes with it."),
	.check = check_orphan,
	.perform = do_orphan,
    },
    {
	.title = N_("unshare moves only children"),
	.task = N_(
	    "A PID 1 asks for another PID namespace. With the real tool: the outer unshare makes a "
	    "namespace and forks its PID 1, the inner unshare; that one unshares again and forks the PID 1 "
	    "of a third namespace, a sleep:\n"
	    "  run unshare --pid --fork unshare --pid --fork sleep infinity &\n"
	    "  host lsns -t pid\n"
	    "lsns lists two new namespaces. nslab's shortcut, and what `do` does: `pidns`, "
	    "unshare(CLONE_NEWPID) in the lab process, then "
	    "one fork(). Then:\n"
	    "  host readlink /proc/$NSLAB_LAB_PID/ns/pid /proc/$NSLAB_LAB_PID/ns/pid_for_children\n"
	    "  host grep NSpid /proc/$NSLAB_LAB_PID/status\n"
	    "NSpid still ends in 1."),
	.hint =
	    N_("A process's PID can never change: the inner unshare stays PID 1 of the first new namespace, "
	       "while its pid_for_children names the next one. After `pidns`, the pid and pid_for_children "
	       "rows of `ns` differ. "
	       "`host grep NSpid /proc/*/status | grep -P '\\t1$'` finds every PID 1."),
	.explain =
	    N_("unshare(CLONE_NEWPID) does not move the caller: its PID is fixed for life. It creates a "
	       "namespace (nested inside the lab's) for the caller's next child, which will be PID 1 "
	       "there; nslab forks one child at once, because /proc/PID/ns/pid_for_children cannot even "
	       "be opened (ENOENT) while the new namespace has no PID 1. The child's NSpid line has "
	       "three numbers: host, lab, 1. That is why `unshare --pid` needs --fork, "
	       "and why setns(2) into a PID namespace also affects only children. Time namespaces "
	       "have the same split (time_for_children), except that since Linux 6.1 a process also "
	       "enters its time_for_children when it execs a program."),
	.check = check_for_children,
	.perform = do_unshare,
    },
};

static const struct nslab_command commands[] = {
    {"pidns", N_("pidns"), N_("unshare(CLONE_NEWPID) in the lab process (affects its children only)"), 0, 0,
     cmd_pidns},
};

static const struct nslab_lab lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "pid",
    .title = N_("PID namespace: process IDs and PID 1"),
    .summary =
	N_("A PID namespace numbers its processes from 1. The lab process is PID 1 of a new one: it "
	   "adopts orphans, and when it dies everything inside dies. `ps` needs a /proc mounted for the "
	   "namespace; the host keeps seeing every process under its own numbers. Finally you will see "
	   "why unshare(CLONE_NEWPID) moves only children."),
    .order = 70,
    NSLAB_STEPS(steps),
    .unsupported = unsupported,
    .setup = setup,
    NSLAB_COMMANDS(commands),
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(lab)
