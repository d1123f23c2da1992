/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nsenter.c: joining a running container, as `docker exec` does.
 *
 * The lab process is a small container: PID 1 of new user, mount, UTS,
 * IPC, network and PID namespaces, root inside mapped to host uid 100000,
 * hostname "container", its own /proc. The learner joins it with nsenter(1)
 * (setns(2) on the files in /proc/PID/ns), all at once and one type at a
 * time, keeps a network namespace alive with no process in it by
 * bind-mounting its file (what `ip netns add` does), and makes a namespace
 * inside the container's user namespace to see who owns what
 * (NS_GET_USERNS, NS_GET_PARENT). Checks compare the namespace inodes of
 * the lab's subjects with the container's and nslab's. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define HOSTNAME "container"
#define ID_MAP "0 100000 65536"
#define NETNS_FILE "netns"
#define MAX_SUBJECTS 64
#define SLEEP "sleep 3600"
#define CONTAINER_FLAGS                                                                                      \
	(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID)

/* The container's own namespaces, in the order nsenter -a joins them
 * (util-linux: the user namespace first when it gives privilege, the mount
 * namespace last, as it changes the paths of the others' files). */
static const char *const own_types[] = {"user", "ipc", "uts", "net", "pid", "mnt"};

/* --- namespace inodes --- */

/* The inode of /proc/PID/ns/TYPE (pid 0: nslab's own); 0 if unreadable. */
static ino_t ns_ino(pid_t pid, const char *type)
{
	char p[64], what[32];
	struct stat st;
	snprintf(what, sizeof(what), "ns/%s", type);
	return stat(nslab_proc_path(p, sizeof(p), pid, what), &st) == 0 ? st.st_ino : 0;
}

/* Does pid share the container's (main's) namespace of this type? */
static bool shares(pid_t pid, pid_t main, const char *type)
{
	ino_t a = ns_ino(pid, type);
	return a != 0 && a == ns_ino(main, type);
}

/* The inode of the namespace an ioctl (NS_GET_USERNS, NS_GET_PARENT) on the
 * namespace file path returns; 0 with errno if it fails (EPERM: the answer
 * lies outside nslab's user namespace, or this is the top). */
static ino_t ns_related(const char *path, unsigned long req)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	int rel = ioctl(fd, req);
	int err = errno;
	close(fd);
	if (rel < 0) {
		errno = err;
		return 0;
	}
	struct stat st;
	ino_t ino = fstat(rel, &st) == 0 ? st.st_ino : 0;
	close(rel);
	return ino;
}

/* The user namespace owning pid's namespace of this type. */
static ino_t ns_owner(pid_t pid, const char *type)
{
	char p[64], what[32];
	snprintf(what, sizeof(what), "ns/%s", type);
	return ns_related(nslab_proc_path(p, sizeof(p), pid, what), NS_GET_USERNS);
}

/* The lab's subjects other than the container's PID 1. */
static size_t other_subjects(struct nslab_host *h, pid_t *pids, size_t max)
{
	pid_t all[MAX_SUBJECTS], main = h->main_pid(h);
	long n = h->subjects(h, all, MAX_SUBJECTS);
	size_t k = 0;
	for (long i = 0; i < n && i < MAX_SUBJECTS && k < max; i++)
		if (all[i] != main)
			pids[k++] = all[i];
	return k;
}

/* How many of the container's namespaces pid shares; names the first one
 * it does not into `lacking`. */
static unsigned count_shared(pid_t pid, pid_t main, const char **lacking)
{
	unsigned n = 0;
	*lacking = NULL;
	for (size_t t = 0; t < NSLAB_ARRAY_SIZE(own_types); t++) {
		if (shares(pid, main, own_types[t]))
			n++;
		else if (!*lacking)
			*lacking = own_types[t];
	}
	return n;
}

/* --- run inside the container (the spawn's init) --- */

/* Root inside (host uid 100000 through the map), every mount private, its
 * own hostname, and a /proc of its PID namespace. */
static int ag_init(void *arg, char *out, size_t outlen)
{
	(void)arg;
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return nslab_fail(out, outlen, "setresuid(0, 0, 0)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return nslab_fail(out, outlen, "mount(MS_REC|MS_PRIVATE)");
	if (sethostname(HOSTNAME, strlen(HOSTNAME)) < 0)
		return nslab_fail(out, outlen, "sethostname");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return nslab_fail(out, outlen, "mount(proc)");
	return 0;
}

/* --- a real tool as `do` --- */

/* Runs cmd on the host (in the lab cgroup, so whatever it leaves running
 * goes at stop); 0 if it exited 0, else -1 after h->error with its output. */
static int host_cmd(struct nslab_host *h, const char *cmd)
{
	char *out = NULL;
	int st = h->host_run(h, cmd, &out);
	if (st != 0) {
		h->error(h, _("`%s` exited with status %d%s%s"), cmd, st, out && *out ? ": " : "",
			 out ? out : "");
		free(out);
		return -1;
	}
	free(out);
	return 0;
}

/* A joined sleeper started with nsenter; what it leaves is a subject. */
static int start_joined(struct nslab_host *h, const char *opts, const char *then)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "nsenter -t %d %s %s >/dev/null 2>&1 &", (int)h->main_pid(h), opts, then);
	if (host_cmd(h, cmd) < 0)
		return -1;
	/* nsenter has to exec the sleeper before the namespaces show in /proc */
	usleep(200 * 1000);
	return 0;
}

/* --- step 1: join every namespace --- */

static bool check_join_all(struct nslab_host *h)
{
	pid_t pids[MAX_SUBJECTS], main = h->main_pid(h), best = 0;
	size_t n = other_subjects(h, pids, MAX_SUBJECTS);
	unsigned most = 0;
	const char *lacking = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *l;
		unsigned k = count_shared(pids[i], main, &l);
		if (k == NSLAB_ARRAY_SIZE(own_types))
			return true;
		if (k >= most) {
			most = k, best = pids[i], lacking = l;
		}
	}
	if (!best) {
		h->missing(h,
			   _("no process of the lab besides the container's PID 1 (%d): start one joined to "
			     "it, e.g. host nsenter -t $NSLAB_LAB_PID -a " SLEEP " &"),
			   (int)main);
		return false;
	}
	if (lacking && strcmp(lacking, "pid") == 0 && shares(best, main, "pid_for_children"))
		h->missing(
		    h,
		    _("process %d is in every namespace but the PID one: setns(CLONE_NEWPID) changes only "
		      "pid_for_children, and the child nsenter forks is the one inside"),
		    (int)best);
	else
		h->missing(
		    h,
		    _("no process shares all %zu of the container's namespaces; the closest, %d, shares %u "
		      "(not its %s namespace: compare /proc/%d/ns/%s with /proc/$NSLAB_LAB_PID/ns/%s)"),
		    NSLAB_ARRAY_SIZE(own_types), (int)best, most, lacking, (int)best, lacking, lacking);
	return false;
}

static int do_join_all(struct nslab_host *h)
{
	if (start_joined(h, "-a", SLEEP) < 0)
		return -1;
	pid_t main = h->main_pid(h);
	for (size_t t = 0; t < NSLAB_ARRAY_SIZE(own_types); t++)
		h->trace(h, "openat(AT_FDCWD, \"/proc/%d/ns/%s\", O_RDONLY) = %zu", (int)main, own_types[t],
			 3 + t);
	for (size_t t = 0; t < NSLAB_ARRAY_SIZE(own_types); t++)
		h->trace(h, "setns(%zu, 0) = 0   [%s]", 3 + t, own_types[t]);
	h->trace(h, "fork() = CHILD (the child is in the PID namespace); execve(\"/bin/sleep\", [\"sleep\", "
		    "\"3600\"]) in it");
	return 0;
}

static int cmd_join(struct nslab_host *h, int argc, char **argv)
{
	if (argc < 2)
		return h->do_once(h, NULL, do_join_all, NULL, NULL);
	char opts[64] = "";
	for (const char *c = argv[1]; *c; c++) {
		if (!strchr("muinpU", *c) || strlen(opts) + 3 >= sizeof(opts)) {
			h->error(h,
				 _("joinns: TYPES are nsenter's letters: m u i n p U (e.g. `joinns un`), not "
				   "\"%s\""),
				 argv[1]);
			return -1;
		}
		size_t l = strlen(opts);
		snprintf(opts + l, sizeof(opts) - l, "%s-%c", l ? " " : "", *c);
	}
	if (start_joined(h, opts, SLEEP) < 0)
		return -1;
	h->print(h, _("started: nsenter -t %d %s " SLEEP " (see `nstree`)\n"), (int)h->main_pid(h), opts);
	return 0;
}

/* --- step 2: join some of them --- */

static bool check_join_some(struct nslab_host *h)
{
	pid_t pids[MAX_SUBJECTS], main = h->main_pid(h);
	size_t n = other_subjects(h, pids, MAX_SUBJECTS);
	bool uts_net = false;
	for (size_t i = 0; i < n; i++) {
		if (!shares(pids[i], main, "uts") || !shares(pids[i], main, "net"))
			continue;
		uts_net = true;
		if (h->same_ns(h, pids[i], "mnt") == 1 && h->same_ns(h, pids[i], "user") == 1)
			return true;
	}
	if (uts_net)
		h->missing(
		    h,
		    _("every process in the container's UTS and network namespaces is in its mount or user "
		      "namespace too: join only those two (-u -n)"));
	else
		h->missing(h,
			   _("no process of the lab shares just the container's UTS and network namespaces: "
			     "host nsenter -t $NSLAB_LAB_PID -u -n " SLEEP " &"));
	return false;
}

static int do_join_some(struct nslab_host *h)
{
	if (start_joined(h, "-u -n", SLEEP) < 0)
		return -1;
	pid_t main = h->main_pid(h);
	h->trace(h, "openat(AT_FDCWD, \"/proc/%d/ns/uts\", O_RDONLY) = 3", (int)main);
	h->trace(h, "openat(AT_FDCWD, \"/proc/%d/ns/net\", O_RDONLY) = 4", (int)main);
	h->trace(h, "setns(3, CLONE_NEWUTS) = 0");
	h->trace(h, "setns(4, CLONE_NEWNET) = 0");
	h->trace(h, "execve(\"/bin/sleep\", [\"sleep\", \"3600\"]) (no fork: no PID namespace joined)");
	return 0;
}

/* --- step 3: a namespace kept alive by a bind mount --- */

static void netns_path(struct nslab_host *h, char *buf, size_t len)
{
	snprintf(buf, len, "%s/" NETNS_FILE, h->workdir(h));
}

/* Processes whose network namespace is inode ino (bounded by /proc's size). */
static unsigned procs_in_net(ino_t ino, pid_t *one)
{
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	unsigned n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		if (ns_ino((pid_t)pid, "net") == ino && n++ == 0)
			*one = (pid_t)pid;
	}
	closedir(d);
	return n;
}

static bool check_keep(struct nslab_host *h)
{
	char p[PATH_MAX];
	netns_path(h, p, sizeof(p));
	struct nslab_mount_at at = {.size = sizeof(at)};
	if (h->mount_at(h, 0, p, 0, &at) != 1 || strcmp(at.fstype, "nsfs") != 0) {
		h->missing(
		    h,
		    _("no namespace file is bind-mounted on %s in the host's mount table (nsfs in "
		      "/proc/self/mountinfo): touch it, then host unshare --net=$NSLAB_LAB_DIR/" NETNS_FILE
		      " true"),
		    p);
		return false;
	}
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	int type = fd < 0 ? -1 : ioctl(fd, NS_GET_NSTYPE);
	if (fd >= 0)
		close(fd);
	if (type != CLONE_NEWNET) {
		h->missing(h, _("%s holds a namespace, but not a network one (NS_GET_NSTYPE)"), p);
		return false;
	}
	struct stat st;
	if (stat(p, &st) < 0 || st.st_ino == ns_ino(0, "net")) {
		h->missing(
		    h, _("%s holds the host's own network namespace: make a new one (unshare --net=FILE)"),
		    p);
		return false;
	}
	pid_t one = 0;
	unsigned n = procs_in_net(st.st_ino, &one);
	if (n > 0) {
		h->missing(
		    h,
		    _("%u process(es) are still in net:[%lu] (%d, for one): bind-mount a namespace that no "
		      "process is in, to see the mount alone keep it (unshare --net=FILE true)"),
		    n, (unsigned long)st.st_ino, (int)one);
		return false;
	}
	return true;
}

static int do_keep(struct nslab_host *h)
{
	char p[PATH_MAX], cmd[PATH_MAX * 2 + 64];
	netns_path(h, p, sizeof(p));
	snprintf(cmd, sizeof(cmd), "touch %s && unshare --net=%s true", p, p);
	if (host_cmd(h, cmd) < 0)
		return -1;
	h->trace(h, "openat(AT_FDCWD, \"%s\", O_CREAT|O_WRONLY, 0666) = 3   [touch]", p);
	h->trace(h, "unshare(CLONE_NEWNET) = 0   [in unshare's child]");
	h->trace(h, "mount(\"/proc/CHILD/ns/net\", \"%s\", NULL, MS_BIND, NULL) = 0", p);
	h->trace(h, "exit_group(0): the last process of the namespace is gone, the mount keeps it");
	return 0;
}

static int cmd_keep(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	return h->do_once(h, check_keep, do_keep,
			  _("a network namespace is already kept on $NSLAB_LAB_DIR/" NETNS_FILE), NULL);
}

/* --- step 4: who owns a namespace --- */

static bool check_owner(struct nslab_host *h)
{
	pid_t pids[MAX_SUBJECTS], main = h->main_pid(h);
	size_t n = other_subjects(h, pids, MAX_SUBJECTS);
	ino_t cuser = ns_ino(main, "user"), cuts = ns_ino(main, "uts"), huts = ns_ino(0, "uts");
	bool fresh = false;
	for (size_t i = 0; i < n; i++) {
		ino_t u = ns_ino(pids[i], "uts");
		if (!u || u == cuts || u == huts)
			continue;
		fresh = true;
		if (ns_owner(pids[i], "uts") == cuser)
			return true;
	}
	if (fresh)
		h->missing(h,
			   _("a process of the lab has a UTS namespace of its own, but the container's user "
			     "namespace does not own it (NS_GET_USERNS): make it from inside that one "
			     "(nsenter -U)"));
	else
		h->missing(
		    h, _("no process of the lab has a new UTS namespace: host nsenter -t $NSLAB_LAB_PID -U "
			 "unshare -u " SLEEP " &"));
	return false;
}

static int do_owner(struct nslab_host *h)
{
	if (start_joined(h, "-U", "unshare -u " SLEEP) < 0)
		return -1;
	h->trace(h,
		 "setns(open(\"/proc/%d/ns/user\"), CLONE_NEWUSER) = 0; setgid(0); setuid(0)   [nsenter -U]",
		 (int)h->main_pid(h));
	h->trace(h,
		 "unshare(CLONE_NEWUTS) = 0   [unshare -u: the new namespace is owned by the caller's user "
		 "namespace]");
	return 0;
}

/* --- `nstree`: the ownership tree --- */

struct ns_node {
	char type[16];
	ino_t ino, owner; /* owner: the user namespace (for a user namespace: its parent) */
};

struct ns_set {
	struct ns_node n[96];
	size_t len;
};

static void set_add(struct ns_set *s, const char *type, ino_t ino, ino_t owner)
{
	for (size_t i = 0; i < s->len; i++)
		if (s->n[i].ino == ino)
			return;
	if (!ino || s->len == NSLAB_ARRAY_SIZE(s->n))
		return;
	snprintf(s->n[s->len].type, sizeof(s->n[s->len].type), "%s", type);
	s->n[s->len].ino = ino;
	s->n[s->len++].owner = owner;
}

/* pid's namespaces, and the chain of user namespaces above its own. */
static void collect(struct ns_set *s, pid_t pid)
{
	static const char *const types[] = {"user", "mnt", "uts", "ipc", "net", "pid", "cgroup", "time"};
	char p[64], what[32];
	for (size_t t = 0; t < NSLAB_ARRAY_SIZE(types); t++) {
		snprintf(what, sizeof(what), "ns/%s", types[t]);
		nslab_proc_path(p, sizeof(p), pid, what);
		bool user = strcmp(types[t], "user") == 0;
		set_add(s, types[t], ns_ino(pid, types[t]),
			ns_related(p, user ? NS_GET_PARENT : NS_GET_USERNS));
	}
}

static void print_tree(struct nslab_host *h, const struct ns_set *s, ino_t user, int depth, ino_t host_user,
		       ino_t lab_user)
{
	const char *who = user == host_user  ? _("the host's")
			  : user == lab_user ? _("the container's")
					     : _("another");
	h->print(h, "%*suser:[%lu]  (%s)\n", depth * 4, "", (unsigned long)user, who);
	for (size_t i = 0; i < s->len; i++)
		if (strcmp(s->n[i].type, "user") != 0 && s->n[i].owner == user)
			h->print(h, "%*s%s:[%lu]\n", depth * 4 + 4, "", s->n[i].type,
				 (unsigned long)s->n[i].ino);
	for (size_t i = 0; i < s->len && depth < 8; i++)
		if (strcmp(s->n[i].type, "user") == 0 && s->n[i].owner == user && s->n[i].ino != user)
			print_tree(h, s, s->n[i].ino, depth + 1, host_user, lab_user);
}

static int cmd_nstree(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	struct ns_set s = {.len = 0};
	pid_t pids[MAX_SUBJECTS];
	collect(&s, 0);
	collect(&s, h->main_pid(h));
	size_t n = other_subjects(h, pids, MAX_SUBJECTS);
	for (size_t i = 0; i < n; i++)
		collect(&s, pids[i]);
	ino_t host_user = ns_ino(0, "user");
	h->print(h, _("Namespaces of nslab, the container and the lab's other processes, under the user "
		      "namespace that owns each (NS_GET_USERNS; a user namespace under its parent, "
		      "NS_GET_PARENT):\n"));
	print_tree(h, &s, host_user, 0, host_user, ns_ino(h->main_pid(h), "user"));
	return 0;
}

/* --- the lab --- */

static const char *unsupported(struct nslab_host *h)
{
	return NSLAB_NEED_HOST(h, mount_at) ?: NSLAB_NEED_HOST(h, do_once) ?: NSLAB_NEED_HOST(h, subjects);
}

static int setup(struct nslab_host *h)
{
	struct nslab_spawn how = {.size = sizeof(struct nslab_spawn),
				  .label = "container",
				  .clone_flags = CONTAINER_FLAGS,
				  .uid_map = ID_MAP,
				  .gid_map = ID_MAP,
				  .init = ag_init};
	char p[PATH_MAX];
	netns_path(h, p, sizeof(p));
	/* Registered before anyone mounts there, by `pin` or by hand with
	 * unshare --net=FILE or mount --bind: stop and `nslab --cleanup` unmount
	 * and remove it whoever made it (nothing to do if no one did). */
	if (h->keep(h, NSLAB_OBJ_NETNS, p) < 0) {
		h->error(h, _("cannot register %s for cleanup"), p);
		return -1;
	}
	pid_t pid = h->spawn(h, &how);
	if (pid < 0)
		return -1;
	h->print(h,
		 _("A container is running: PID %d on the host ($NSLAB_LAB_PID), PID 1 inside, hostname "
		   "\"" HOSTNAME "\", root inside = uid 100000 outside.\n"),
		 (int)pid);
	return 0;
}

static const struct nslab_step steps[] = {
    {
	.title = N_("Join every namespace"),
	.task = N_("The lab process is a running container (PID 1 of its own user, mount, UTS, IPC, network "
		   "and PID namespaces). Look at it from the host, then join it, as `docker exec` does:\n"
		   "  host ls -l /proc/$NSLAB_LAB_PID/ns\n"
		   "  host nsenter -t $NSLAB_LAB_PID -a hostname\n"
		   "  host nsenter -t $NSLAB_LAB_PID -a ps -e\n"
		   "Leave one joined process running, and compare it with the container and the host:\n"
		   "  host nsenter -t $NSLAB_LAB_PID -a " SLEEP " &\n"
		   "  host pgrep -a -f \"" SLEEP "\"\n"
		   "  host ls -l /proc/$(pgrep -n -f \"^" SLEEP "\")/ns\n"
		   "The sleeper's links are the same as the container's (the first line's). `ns PID`, with "
		   "the sleeper's PID from pgrep, shows the same as a table. (`joinns` is the lab's "
		   "shortcut; `run` is nslab's own nsenter -a.)"),
	.hint = N_("-a (--all) opens every /proc/PID/ns/* file of the target and setns()es into each. ps -e "
		   "inside lists the container's processes only: PID 1 and ps itself."),
	.explain =
	    N_("Each file in /proc/PID/ns is a handle on one namespace: open(2) it and pass the fd to "
	       "setns(2), and the caller moves into that namespace. nsenter -t PID -a does that for every "
	       "type, the user namespace first (it gives the capabilities for the rest), then forks: "
	       "setns(CLONE_NEWPID) only changes /proc/self/ns/pid_for_children, so only a child is "
	       "really inside the PID namespace. The sleeper's /proc/SLEEPER/ns links now read the same "
	       "inodes as the container's PID 1, and differ from the host's: the `ns` table shows it, as "
	       "seed 004 compares /proc/1/ns inside with the host's."),
	.check = check_join_all,
	.perform = do_join_all,
    },
    {
	.title = N_("Join only some"),
	.task = N_("nsenter joins only the types you name: -u (UTS), -n (network), -i, -m, -p, -U. Try:\n"
		   "  host nsenter -t $NSLAB_LAB_PID -u hostname\n"
		   "  host nsenter -t $NSLAB_LAB_PID -n ip -br link\n"
		   "  host nsenter -t $NSLAB_LAB_PID -p ps -e\n"
		   "  host nsenter -t $NSLAB_LAB_PID -p -m ps -e\n"
		   "Then leave a process in just the container's UTS and network namespaces:\n"
		   "  host nsenter -t $NSLAB_LAB_PID -u -n " SLEEP " &\n"
		   "  host ls -l /proc/$(pgrep -n -f \"^" SLEEP "\")/ns\n"
		   "pgrep -n picks the newest sleeper: its uts and net links are the container's, the others "
		   "the host's (`ns PID` shows it as a table)."),
	.hint =
	    N_("With -p alone, ps still reads the host's /proc (it belongs to the mount namespace): add -m "
	       "to see the container's. `joinns un` is the shortcut."),
	.explain =
	    N_("setns(fd, CLONE_NEWUTS) and setns(fd, CLONE_NEWNET) move the caller into two namespaces "
	       "and leave it in the host's others: the hostname is the container's, ip link shows only "
	       "the container's lo, but the files and /proc are the host's. This is how a debugging tool "
	       "looks into a container's network with the host's programs (nsenter -n tcpdump). In `ns`, "
	       "the sleeper's uts and net rows match the container, its mnt, pid and user rows the host."),
	.check = check_join_some,
	.perform = do_join_some,
    },
    {
	.title = N_("Keep a namespace with no process"),
	.task = N_(
	    "A namespace lives while a process is in it, or while something holds its file: an open "
	    "fd, or a bind mount. Make a network namespace that no process is in, as `ip netns add` does:\n"
	    "  host touch $NSLAB_LAB_DIR/" NETNS_FILE "\n"
	    "  host unshare --net=$NSLAB_LAB_DIR/" NETNS_FILE " true\n"
	    "  host grep nsfs /proc/self/mountinfo\n"
	    "  host nsenter --net=$NSLAB_LAB_DIR/" NETNS_FILE " ip -br link\n"
	    "(`pin` is the shortcut.)"),
	.hint =
	    N_("unshare --net=FILE makes the namespace in a child, bind-mounts /proc/CHILD/ns/net on FILE, "
	       "and the child exits: only the mount is left. nsenter --net=FILE joins it through that file."),
	.explain =
	    N_("mount(\"/proc/CHILD/ns/net\", FILE, NULL, MS_BIND, NULL) puts the namespace's nsfs inode "
	       "on an ordinary file: the line \"nsfs\" in /proc/self/mountinfo, and stat FILE gives the "
	       "namespace's inode number. That reference keeps it alive after its last process exited; "
	       "ip netns add does exactly this under /run/netns, and setns(open(FILE), CLONE_NEWNET) "
	       "joins it later. Unmounting the file frees it (stop does)."),
	.check = check_keep,
	.perform = do_keep,
    },
    {
	.title = N_("Who owns what"),
	.task = N_("Every namespace is owned by a user namespace: the one its creator was in. Make a UTS "
		   "namespace from inside the container's user namespace, and look at the tree:\n"
		   "  host nsenter -t $NSLAB_LAB_PID -U unshare -u " SLEEP " &\n"
		   "  nstree\n"
		   "  host lsns -o NS,TYPE,PID,PNS,ONS,COMMAND\n"
		   "(`nstree` prints the ownership tree; PNS and ONS are lsns's parent and owner columns.)"),
	.hint = N_("nsenter -U enters only the user namespace (as uid 0 there); unshare -u then makes a UTS "
		   "namespace, owned by that user namespace."),
	.explain =
	    N_("ioctl(fd, NS_GET_USERNS) on a namespace file returns an fd for the user namespace that "
	       "owns it, and ioctl(fd, NS_GET_PARENT) on a user (or PID) namespace returns its parent "
	       "(ioctl_ns(2)); at the top, or outside the caller's own user namespace, they fail with "
	       "EPERM. The container's mount, UTS, IPC, network and PID namespaces were made by one "
	       "clone() with CLONE_NEWUSER, so its user namespace owns them all; the new UTS namespace "
	       "is owned by it too. Capabilities count only in namespaces your user namespace owns: root "
	       "in the container can change that hostname, never the host's."),
	.check = check_owner,
	.perform = do_owner,
    },
};

static const struct nslab_command commands[] = {
    {"joinns", "joinns [TYPES]",
     N_("start a sleeper joined to the container (nsenter -a, or letters: joinns un)"), 0, 1, cmd_join},
    {"pin", "pin", N_("a network namespace with no process, kept by a bind mount on $NSLAB_LAB_DIR/netns"), 0,
     0, cmd_keep},
    {"nstree", "nstree", N_("the namespaces of the lab under the user namespaces that own them"), 0, 0,
     cmd_nstree},
};

static const struct nslab_lab lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "nsenter",
    .title = N_("nsenter: joining a running container"),
    .summary =
	N_("A container is a process in namespaces; /proc/PID/ns holds a handle on each. You will join a "
	   "running container with nsenter (setns(2)), all at once and one namespace at a time, keep a "
	   "network namespace alive with no process in it, as ip netns does, and see which user "
	   "namespace owns each namespace."),
    .order = 115,
    NSLAB_STEPS(steps),
    .unsupported = unsupported,
    .setup = setup,
    NSLAB_COMMANDS(commands),
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(lab)
