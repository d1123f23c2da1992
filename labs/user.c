/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labs/user.c: the user namespace.
 *
 * The lab process gives up root (or is unprivileged to begin with), makes a
 * user namespace and finds itself "nobody" with no capabilities. The host then
 * writes its uid_map: uid 0 inside is the unprivileged uid outside, and
 * programs started inside get a full capability set that is only good in
 * that namespace. Works both under sudo and when nslab itself is unprivileged. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct ids {
	uid_t uid;
	gid_t gid;
};

/* The unprivileged identity the lab runs as: the invoking user, else nobody. */
static struct ids lab_ids(struct nslab_host *h)
{
	if (h->invoking_uid != 0)
		return (struct ids){h->invoking_uid, h->invoking_gid};
	return (struct ids){NSLAB_NOBODY, NSLAB_NOBODY};
}

static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

static long read_long(const char *path, long dflt)
{
	char buf[32];
	return read_text(path, buf, sizeof(buf)) > 0 ? strtol(buf, NULL, 10) : dflt;
}

/* Why an unprivileged user may not create user namespaces here, or NULL. */
static const char *restriction(void)
{
	if (read_long("/proc/sys/user/max_user_namespaces", 1) == 0)
		return _("user.max_user_namespaces is 0: nobody may create user namespaces "
			 "(`sudo sysctl user.max_user_namespaces=15000` allows them)");
	if (read_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", 0) == 1)
		return _("kernel.apparmor_restrict_unprivileged_userns is 1 (Ubuntu 23.10+): AppArmor denies "
			 "unprivileged user namespaces (`sudo sysctl "
			 "kernel.apparmor_restrict_unprivileged_userns=0` "
			 "lifts it until reboot)");
	if (read_long("/proc/sys/kernel/unprivileged_userns_clone", 1) == 0)
		return _("kernel.unprivileged_userns_clone is 0 (a Debian switch): only root may create user "
			 "namespaces (`sudo sysctl kernel.unprivileged_userns_clone=1` allows them)");
	return NULL;
}

/* "Uid:" or "Gid:" line of /proc/PID/status: real, effective, saved, fs. */
static int status_ids(pid_t pid, const char *key, long ids[4])
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	int rc = -1;
	size_t klen = strlen(key);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, klen) == 0 &&
		    sscanf(line + klen, "%ld %ld %ld %ld", &ids[0], &ids[1], &ids[2], &ids[3]) == 4) {
			rc = 0;
			break;
		}
	fclose(f);
	return rc;
}

/* --- inside the lab process (h->call) --- */

/* Give up root for good: no supplementary groups, then gid, then uid (in
 * that order: after setresuid the process could no longer change groups). */
static int ag_drop(void *arg, char *out, size_t outlen)
{
	struct ids *id = arg;
	(void)out;
	(void)outlen;
	if (geteuid() == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(id->gid, id->gid, id->gid) < 0 ||
		    setresuid(id->uid, id->uid, id->uid) < 0)
			return -1;
	} else if (getuid() != id->uid) {
		errno = EPERM; /* an unprivileged nslab cannot become someone else */
		return -1;
	}
	/* Changing the euid made the process non-dumpable, which would hide its
	 * /proc files (uid_map, ns/) from its own user: undo that. */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	return 0;
}

/* unshare(CLONE_NEWUSER), then empty the capability sets. The kernel gives
 * the creator a full set in the new namespace, but a shell that
 * `unshare --user` starts has none: execve recomputes capabilities from the
 * uid, and an unmapped uid is not root. Dropping them here makes the lab
 * process behave exactly like that shell. */
static int ag_userns(void *arg, char *out, size_t outlen)
{
	(void)arg;
	(void)out;
	(void)outlen;
	if (unshare(CLONE_NEWUSER) < 0)
		return -1;
	cap_t none = cap_init();
	int rc = none ? cap_set_proc(none) : -1;
	int err = errno;
	cap_free(none);
	errno = err;
	return rc;
}

static int ag_getuid(void *arg, char *out, size_t outlen)
{
	(void)arg;
	(void)out;
	(void)outlen;
	return (int)getuid();
}

static void caps_text(cap_t caps, char *buf, size_t len)
{
	char *t = caps ? cap_to_text(caps, NULL) : NULL;
	snprintf(buf, len, "%s", t ? t : _("(unreadable)"));
	cap_free(t);
}

/* Capabilities a program started right now by the lab process would have:
 * start /bin/cat (it waits on a pipe), read its sets with cap_get_pid(),
 * then let it go. Capabilities are computed at execve, so this is the
 * honest way to see them. */
static void exec_caps(char *buf, size_t len)
{
	int p[2];
	snprintf(buf, len, "%s", _("(could not start a program)"));
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(p[0], 0);
		execl("/bin/cat", "cat", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return;
	}
	char path[64], comm[32];
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	for (int i = 0; i < 200; i++) { /* until the exec has happened (up to 2 s) */
		if (read_text(path, comm, sizeof(comm)) > 0 && strcmp(comm, "cat\n") == 0)
			break;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	cap_t caps = cap_get_pid(pid);
	caps_text(caps, buf, len);
	cap_free(caps);
	close(p[1]);
	waitpid(pid, NULL, 0);
}

/* What the lab process sees of itself. */
static int ag_id(void *arg, char *out, size_t outlen)
{
	(void)arg;
	uid_t r, e, s;
	gid_t gr, ge, gs;
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	char self[512], child[512];
	cap_t caps = cap_get_proc();
	caps_text(caps, self, sizeof(self));
	cap_free(caps);
	exec_caps(child, sizeof(child));
	snprintf(out, outlen,
		 _("inside:  uid=%u gid=%u%s\n"
		   "  capabilities of the lab process:     \"%s\"\n"
		   "  capabilities of a program it starts: \"%s\""),
		 (unsigned)e, (unsigned)ge,
		 e == NSLAB_NOBODY ? _(" (65534 = nobody: this uid has no mapping)") : "", self, child);
	return 0;
}

/* `unshare --uts` started by the lab process: what the learner would type in
 * the lab's shell. Returns its exit status; out gets what it printed. */
static int ag_try_uts(void *arg, char *out, size_t outlen)
{
	(void)arg;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(p[1], 1);
		dup2(p[1], 2);
		execlp("unshare", "unshare", "--uts", "/bin/sh", "-c",
		       "hostname userns-lab && echo \"hostname in the new UTS namespace: $(hostname)\"",
		       (char *)NULL);
		perror("unshare");
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	size_t len = 0;
	ssize_t n;
	while (len + 1 < outlen && (n = read(p[0], out + len, outlen - len - 1)) > 0)
		len += (size_t)n;
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* --- host side --- */

static int write_proc(struct nslab_host *h, pid_t pid, const char *file, const char *text)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));
	int err = errno;
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		h->trace(h, "write(\"%s\", \"%s\") = -1 %s", path, text, strerrorname_np(err));
		errno = err;
		return -1;
	}
	h->trace(h, "write(\"%s\", \"%s\") = %zd", path, text, n);
	return 0;
}

static bool map_is(pid_t pid, const char *file, unsigned long inside, unsigned long outside)
{
	char path[64], buf[256];
	unsigned long a, b, c;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return read_text(path, buf, sizeof(buf)) > 0 && sscanf(buf, "%lu %lu %lu", &a, &b, &c) == 3 &&
	       a == inside && b == outside && c == 1;
}

static bool runs_as(struct nslab_host *h, pid_t pid, struct ids want)
{
	long u[4], g[4];
	if (status_ids(pid, "Uid:", u) < 0 || status_ids(pid, "Gid:", g) < 0) {
		h->missing(h, _("cannot read /proc/%d/status"), (int)pid);
		return false;
	}
	if (u[0] != (long)want.uid || u[1] != (long)want.uid || g[1] != (long)want.gid) {
		h->missing(
		    h,
		    _("the host sees the lab process as uid %ld gid %ld, not the unprivileged %u:%u: `drop`"),
		    u[1], g[1], (unsigned)want.uid, (unsigned)want.gid);
		return false;
	}
	return true;
}

/* --- the learner's own processes --- */

/* How far a process got, quietly: 1 it runs as the lab's unprivileged
 * ids, 2 and has a user namespace of its own, 3 and its uid_map maps uid 0
 * to that uid (the seed's `echo '0 1000 1' > /proc/PID/uid_map`, or what
 * `unshare --user --map-root-user` writes). */
static int progress(struct nslab_host *h, pid_t pid, struct ids id)
{
	long u[4], g[4];
	if (status_ids(pid, "Uid:", u) < 0 || status_ids(pid, "Gid:", g) < 0 || u[0] != (long)id.uid ||
	    u[1] != (long)id.uid || g[1] != (long)id.gid)
		return 0;
	if (h->same_ns(h, pid, "user") != 0)
		return 1;
	return map_is(pid, "uid_map", 0, id.uid) ? 3 : 2;
}

/* A subject other than the lab process (what `run ... &` started, a
 * watched PID) that got to `step`, or 0. The checks accept it: the real
 * tools (`run setpriv ... unshare --user sleep 3600 &` and a write to its
 * uid_map) reach the same end state as `drop`, `userns` and `map`. */
static pid_t other_at(struct nslab_host *h, int step)
{
	pid_t pids[64];
	long n = NSLAB_HOST_CAN(h, subjects) ? h->subjects(h, pids, 64) : 0;
	struct ids id = lab_ids(h);
	for (long i = 0; i < n && i < 64; i++)
		if (pids[i] != h->main_pid(h) && progress(h, pids[i], id) >= step)
			return pids[i];
	return 0;
}

/* --- step 1: give up root --- */

static bool check_drop(struct nslab_host *h)
{
	return other_at(h, 1) || runs_as(h, h->main_pid(h), lab_ids(h));
}

static int do_drop(struct nslab_host *h)
{
	struct ids id = lab_ids(h);
	if (h->call(h, h->main_pid(h), ag_drop, &id, sizeof(id), NULL, 0) < 0) {
		h->error(h, _("the lab process cannot become uid %u: %s"), (unsigned)id.uid, strerror(errno));
		return -1;
	}
	h->trace(h, "setgroups(0, []) = 0");
	h->trace(h, "setresgid(%u, %u, %u) = 0", (unsigned)id.gid, (unsigned)id.gid, (unsigned)id.gid);
	h->trace(h, "setresuid(%u, %u, %u) = 0", (unsigned)id.uid, (unsigned)id.uid, (unsigned)id.uid);
	h->trace(h, "prctl(PR_SET_DUMPABLE, 1) = 0");
	h->print(h, _("The lab process now runs as uid %u, gid %u: no root, no capabilities.\n"),
		 (unsigned)id.uid, (unsigned)id.gid);
	return 0;
}

/* --- step 2: a user namespace --- */

static bool check_userns(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	if (other_at(h, 2))
		return true;
	if (!runs_as(h, pid, lab_ids(h)))
		return false;
	if (h->same_ns(h, pid, "user") == 1) {
		h->missing(h, _("the lab process is still in the host's user namespace: `userns`"));
		return false;
	}
	return true;
}

static int do_userns(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	if (h->call(h, pid, ag_userns, NULL, 0, NULL, 0) < 0) {
		int err = errno;
		const char *why = restriction();
		h->trace(h, "unshare(CLONE_NEWUSER) = -1 %s", strerrorname_np(err));
		if (why && (err == EPERM || err == EACCES || err == ENOSPC))
			h->error(h, _("unshare(CLONE_NEWUSER) failed (%s): %s"), strerror(err), why);
		else if (err == ENOSPC)
			h->error(
			    h,
			    _("unshare(CLONE_NEWUSER): too many user namespaces (user.max_user_namespaces)"));
		else
			h->error(h, _("unshare(CLONE_NEWUSER): %s"), strerror(err));
		return -1;
	}
	h->trace(h, "unshare(CLONE_NEWUSER) = 0");
	h->trace(
	    h, "capset({effective=0, permitted=0, inheritable=0}) = 0   [as execve does for a non-root uid]");
	h->print(
	    h,
	    _("The lab process is in a new user namespace. It has no mapping yet: inside, its uid reads as "
	      "65534 (nobody). Try `ids` and `try-uts`.\n"));
	return 0;
}

/* --- step 3: the mapping --- */

static bool check_map(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	struct ids id = lab_ids(h);
	if (other_at(h, 3))
		return true;
	pid_t mine = other_at(h, 2);
	if (mine) { /* the closest is the learner's own: say what it lacks */
		h->missing(
		    h,
		    _("process %d is in a user namespace of its own, but /proc/%d/uid_map does not hold "
		      "\"0 %u 1\": `host echo '0 %u 1' > /proc/%d/uid_map`"),
		    (int)mine, (int)mine, (unsigned)id.uid, (unsigned)id.uid, (int)mine);
		return false;
	}
	if (h->same_ns(h, pid, "user") == 1) {
		h->missing(h, _("the lab process is still in the host's user namespace: `userns`"));
		return false;
	}
	bool ok = true;
	if (!map_is(pid, "uid_map", 0, id.uid)) {
		h->missing(
		    h,
		    _("/proc/%d/uid_map does not hold \"0 %u 1\": `host echo '0 %u 1' > /proc/%d/uid_map`"),
		    (int)pid, (unsigned)id.uid, (unsigned)id.uid, (int)pid);
		ok = false;
	}
	if (!map_is(pid, "gid_map", 0, id.gid)) {
		h->missing(
		    h,
		    _("/proc/%d/gid_map does not hold \"0 %u 1\": `host echo deny > /proc/%d/setgroups` "
		      "first, then `host echo '0 %u 1' > /proc/%d/gid_map`"),
		    (int)pid, (unsigned)id.gid, (int)pid, (unsigned)id.gid, (int)pid);
		ok = false;
	}
	int inside = h->call(h, pid, ag_getuid, NULL, 0, NULL, 0);
	if (inside != 0) {
		h->missing(h, _("inside its namespace the lab process is uid %d, not 0"), inside);
		ok = false;
	}
	return runs_as(h, pid, id) && ok;
}

static int do_map(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	struct ids id = lab_ids(h);
	char line[64];
	if (h->same_ns(h, pid, "user") == 1) {
		h->error(h, _("the lab process has no user namespace of its own yet: `userns` first"));
		return -1;
	}
	/* Without "deny", an unprivileged writer may not set gid_map: otherwise
	 * it could drop a supplementary group that denies it access to a file. */
	write_proc(h, pid, "setgroups", "deny");
	snprintf(line, sizeof(line), "0 %u 1", (unsigned)id.gid);
	int g = map_is(pid, "gid_map", 0, id.gid) ? 0 : write_proc(h, pid, "gid_map", line);
	int ge = errno;
	snprintf(line, sizeof(line), "0 %u 1", (unsigned)id.uid);
	int u = map_is(pid, "uid_map", 0, id.uid) ? 0 : write_proc(h, pid, "uid_map", line);
	if (g < 0 || u < 0) {
		int err = u < 0 ? errno : ge;
		h->error(h, _("writing the maps failed: %s%s"), strerror(err),
			 err == EPERM
			     ? _(" (a map can be written only once, by a process with CAP_SETUID over "
				 "the namespace, or by its owner mapping only itself)")
			     : "");
		return -1;
	}
	h->print(h, _("uid 0 inside <-> uid %u outside; gid 0 inside <-> gid %u outside.\n"),
		 (unsigned)id.uid, (unsigned)id.gid);
	return 0;
}

/* --- commands --- */

static int cmd_id(struct nslab_host *h, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pid_t pid = h->main_pid(h);
	char out[2048] = "";
	if (h->call(h, pid, ag_id, NULL, 0, out, sizeof(out)) < 0) {
		h->error(h, _("cannot ask the lab process: %s"), strerror(errno));
		return -1;
	}
	h->print(h, "%s\n", out);
	long u[4], g[4];
	char path[64], status[4096] = "", *capeff;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	read_text(path, status, sizeof(status));
	capeff = strstr(status, "CapEff:");
	if (capeff)
		capeff[strcspn(capeff, "\n")] = '\0';
	if (status_ids(pid, "Uid:", u) == 0 && status_ids(pid, "Gid:", g) == 0)
		h->print(h, _("host:    uid=%ld gid=%ld (/proc/%d/status), %s\n"), u[1], g[1], (int)pid,
			 capeff ? capeff : "");
	return 0;
}

static int cmd_try_uts(struct nslab_host *h, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	char out[1024] = "";
	int rc = h->call(h, h->main_pid(h), ag_try_uts, NULL, 0, out, sizeof(out));
	if (rc < 0) {
		h->error(h, _("cannot start unshare in the lab: %s"), strerror(errno));
		return -1;
	}
	out[strcspn(out, "\n")] = '\0';
	h->print(h, "lab$ unshare --uts sh -c 'hostname userns-lab; ...'\n");
	h->print(h, "%s\n", out);
	h->print(
	    h, "%s\n",
	    rc == 0
		? _("It worked: the new UTS namespace belongs to the lab's user namespace, and the host's "
		    "hostname is untouched (`host hostname`).")
		: _("It failed: creating a UTS namespace needs CAP_SYS_ADMIN in the current user "
		    "namespace."));
	return 0;
}

#define WRAP(name, fn)                                                                                       \
	static int name(struct nslab_host *h, int argc, char **argv)                                         \
	{                                                                                                    \
		(void)argc;                                                                                  \
		(void)argv;                                                                                  \
		return fn(h);                                                                                \
	}
WRAP(cmd_drop, do_drop)
WRAP(cmd_userns, do_userns)
WRAP(cmd_map, do_map)

static const struct nslab_command commands[] = {
    {"drop", "drop", N_("the lab process gives up root: setgroups, setresgid, setresuid"), 0, 0, cmd_drop},
    {"userns", "userns", N_("the lab process calls unshare(CLONE_NEWUSER)"), 0, 0, cmd_userns},
    {"ids", "ids", N_("uid, gid and capabilities of the lab process, inside and as the host sees it"), 0, 0,
     cmd_id},
    {"try-uts", "try-uts", N_("the lab process starts `unshare --uts` and reports what happened"), 0, 0,
     cmd_try_uts},
    {"map", "map", N_("nslab writes setgroups, gid_map and uid_map for the lab process"), 0, 0, cmd_map},
};

static const struct nslab_step steps[] = {
    {
	.title = N_("Give up root"),
	.task = N_("Run the lab process as an ordinary user (yours, or nobody when you are "
		   "root):\n"
		   "  drop\n"
		   "  ids\n"
		   "  host grep -E 'Uid|Gid|CapEff' /proc/$NSLAB_LAB_PID/status"),
	.hint = N_("`drop` makes the lab process call setgroups, setresgid and setresuid. When "
		   "nslab itself runs unprivileged, the lab process already is that user."),
	.explain = N_("setresuid() changed the real, effective and saved uid of the lab process. A "
		      "capability is one piece of root's power (CAP_SYS_ADMIN to mount or make most "
		      "namespaces, CAP_SYS_CHROOT to chroot, ...); CapEff in /proc/PID/status is the "
		      "set the process may use now, as a hex bit mask (`capsh --decode=...` names "
		      "them). A non-root uid has none: CapEff is 0. From here "
		      "on the process could not create a UTS namespace or mount anything on the "
		      "host."),
	.check = check_drop,
	.perform = do_drop,
    },
    {
	.title = N_("A user namespace of its own"),
	.task = N_("Make the unprivileged lab process create a user namespace, and look at it:\n"
		   "  userns\n"
		   "  ids\n"
		   "  try-uts\n"
		   "  host ls -l /proc/$NSLAB_LAB_PID/ns/user /proc/self/ns/user\n"
		   "With the real tools, a process of your own does steps 1 and 2 at once (from a "
		   "fresh lab; nslab as root, so setpriv gives up root first):\n"
		   "  run setpriv --reuid=65534 --regid=65534 --clear-groups unshare --user sleep 3600 &\n"
		   "  host ls -l /proc/$(pgrep -n -u 65534 -x sleep)/ns/user"),
	.hint = N_("Creating a user namespace is the one namespace an ordinary user may create. "
		   "Some distributions switch that off; `userns` says so when it is the cause."),
	.explain = N_("unshare(CLONE_NEWUSER) gave the process a new user namespace with empty "
		      "uid_map and gid_map. Unmapped ids read as the overflow id 65534 (nobody, "
		      "/proc/sys/kernel/overflowuid). The kernel does give the creator every "
		      "capability inside the new namespace, but a program started as an unmapped "
		      "uid loses them at execve, so the shell that `unshare --user` starts has "
		      "none; the lab process emptied its sets the same way. Without CAP_SYS_ADMIN, "
		      "unshare(CLONE_NEWUTS) fails with EPERM: `try-uts` shows it."),
	.check = check_userns,
	.perform = do_userns,
    },
    {
	.title = N_("Root inside, still you outside"),
	.task = N_("From the host, map uid 0 inside to the lab's uid outside (gid likewise; "
		   "setgroups first):\n"
		   "  host echo deny > /proc/$NSLAB_LAB_PID/setgroups\n"
		   "  host cd /proc/$NSLAB_LAB_PID && echo \"0 $(stat -c %g .) 1\" > gid_map\n"
		   "  host cd /proc/$NSLAB_LAB_PID && echo \"0 $(stat -c %u .) 1\" > uid_map\n"
		   "(or `map`). Then: `ids`, `try-uts`, `host cat /proc/$NSLAB_LAB_PID/uid_map`, "
		   "and `host grep Uid /proc/$NSLAB_LAB_PID/status`. For the real tools' sleep of "
		   "step 2, the seed's one write (the uid map alone) does it:\n"
		   "  host echo '0 65534 1' > /proc/$(pgrep -n -u 65534 -x sleep)/uid_map\n"
		   "  host cat /proc/$(pgrep -n -u 65534 -x sleep)/uid_map"),
	.hint = N_("uid_map lines read \"INSIDE OUTSIDE COUNT\". Each map can be written only "
		   "once."),
	.explain = N_("Writing /proc/PID/uid_map told the kernel that uid 0 in the lab's namespace "
		      "is uid U on the host. getuid() inside now returns 0, and a program started "
		      "inside runs as root of that namespace with a full capability set (`ids` reads "
		      "it with cap_get_pid). The capabilities count only for objects the namespace "
		      "owns: `try-uts` can now create a UTS namespace and set its hostname, yet the "
		      "host still sees uid U in /proc/PID/status and would refuse that uid anything "
		      "it refuses the ordinary user. setgroups \"deny\" is required before an "
		      "unprivileged gid_map write, so that a group can't be dropped to gain access."),
	.check = check_map,
	.perform = do_map,
    },
};

static const char *unsupported(struct nslab_host *h)
{
	(void)h;
	if (access("/proc/self/ns/user", F_OK) < 0)
		return _("this kernel has no user namespaces (CONFIG_USER_NS)");
	if (read_long("/proc/sys/user/max_user_namespaces", 1) == 0)
		return _("user.max_user_namespaces is 0: user namespaces are switched off "
			 "(`sudo sysctl user.max_user_namespaces=15000`)");
	return NULL;
}

static int setup(struct nslab_host *h)
{
	struct nslab_spawn how = {.size = sizeof(struct nslab_spawn), .label = "lab"};
	pid_t pid = h->spawn(h, &how);
	if (pid < 0)
		return -1;
	h->trace(h, "clone(SIGCHLD) = %d", (int)pid);
	struct ids id = lab_ids(h);
	h->print(h, _("The lab process is PID %d. It will run as uid %u, gid %u.\n"), (int)pid,
		 (unsigned)id.uid, (unsigned)id.gid);
	const char *why = restriction();
	if (why)
		h->print(h, _("Note: %s. Step 2 will fail for that reason.\n"), why);
	return 0;
}

static const struct nslab_lab lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "user",
    .title = N_("User namespace: root inside, nobody outside"),
    .summary =
	N_("Everything so far needed root, and root inside a chroot is root on the host. A user namespace "
	   "separates the two: it has its own uids, gids and capabilities, mapped onto the host's through "
	   "/proc/PID/uid_map and gid_map. An ordinary user may create one, becomes root inside once the map "
	   "says so, and holds capabilities that count only for what that namespace owns. On the host it "
	   "stays the same ordinary user."),
    .order = 90,
    NSLAB_STEPS(steps),
    .unsupported = unsupported,
    .setup = setup,
    .unprivileged = true, /* the point of the lab: it works for an ordinary user */
    NSLAB_COMMANDS(commands),
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(lab)
