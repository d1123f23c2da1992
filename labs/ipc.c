/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ipc.c: the IPC namespace: System V shared memory, message queues and
 * semaphores (and POSIX message queues) belong to one IPC namespace each.
 *
 * The lab process unshares CLONE_NEWIPC; a segment made inside is listed in
 * its /proc/sysvipc/shm only; a segment nslab makes on the host is invisible
 * inside. /proc/sysvipc/ shows the namespace of whoever reads it, so the lab's
 * lists are read by the lab process itself (h->call), and those of any other
 * subject in an IPC namespace of its own (unshare(1) --ipc from `run`, `host
 * ... &`, a watched PID) through nsenter(1). */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#define LAB_SHM_SIZE 2000
#define HOST_SHM_SIZE 1000
#define MAX_IPC 64
#define LIST_BUF 16384

#define MAX_BEFORE 64

struct ipc_data {
	pid_t peer; /* the host-side process holding the host segment */
	int shmid;
	/* The host's HOST_SHM_SIZE-byte segments when the lab started: step 3
	 * wants one made since (`host ipcmk -M 1000` or `hostshm`). */
	int before[MAX_BEFORE];
	unsigned nbefore;
};

struct ipc_ent {
	long key;
	int id;
	long size; /* shm: bytes; msg: bytes queued; sem: semaphores */
	int cpid;  /* shm only */
};

struct ipc_list {
	struct ipc_ent e[MAX_IPC];
	int n;
};

enum ipc_kind { IPC_SHM, IPC_MSG, IPC_SEM };
static const char *const sysvipc_file[] = {"/proc/sysvipc/shm", "/proc/sysvipc/msg", "/proc/sysvipc/sem"};

/* --- helpers --- */

/* Each line after the header: key id perms then, for shm, size cpid; for
 * msg, cbytes; for sem, nsems. */
static void parse_list(enum ipc_kind k, const char *text, struct ipc_list *l)
{
	l->n = 0;
	const char *p = strchr(text, '\n');
	while (p && *++p && l->n < MAX_IPC) {
		struct ipc_ent e = {0};
		unsigned perms;
		int got = sscanf(p, "%ld %d %o %ld %d", &e.key, &e.id, &perms, &e.size, &e.cpid);
		if (got >= 4) {
			if (k != IPC_SHM)
				e.cpid = 0;
			l->e[l->n++] = e;
		}
		p = strchr(p, '\n');
	}
}

static int read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return 0;
}

/* --- run inside the lab process (h->call) --- */

static int ag_unshare(void *arg, char *out, size_t outlen)
{
	(void)arg;
	return unshare(CLONE_NEWIPC) < 0 ? nslab_fail(out, outlen, "unshare(CLONE_NEWIPC)") : 0;
}

static int ag_read(void *arg, char *out, size_t outlen)
{
	return read_text(arg, out, outlen);
}

/* In the host-side peer: a segment that disappears with its last user. The
 * peer stays attached; IPC_RMID marks it for removal, so even a SIGKILLed
 * nslab leaves nothing behind (the kernel frees it at the last detach). */
static int ag_hostshm(void *arg, char *out, size_t outlen)
{
	(void)arg;
	int id = shmget(IPC_PRIVATE, HOST_SHM_SIZE, IPC_CREAT | 0600);
	if (id < 0)
		return nslab_fail(out, outlen, "shmget");
	if (shmat(id, NULL, SHM_RDONLY) == (void *)-1) {
		int err = errno;
		shmctl(id, IPC_RMID, NULL);
		errno = err;
		return nslab_fail(out, outlen, "shmat");
	}
	if (shmctl(id, IPC_RMID, NULL) < 0)
		return nslab_fail(out, outlen, "shmctl(IPC_RMID)");
	snprintf(out, outlen, "%d", id);
	return 0;
}

/* --- lists from both sides --- */

/* The list of kind k in the IPC namespace of pid: the lab process reads it
 * itself (h->call); any other subject is read through nsenter(1), since
 * /proc/sysvipc shows the namespace of the reader. */
static int lab_list(struct nslab_host *h, pid_t pid, enum ipc_kind k, struct ipc_list *l)
{
	static char buf[LIST_BUF];
	const char *path = sysvipc_file[k];
	memset(buf, 0, sizeof(buf));
	l->n = 0;
	if (pid == h->main_pid(h)) {
		if (h->call(h, pid, ag_read, path, strlen(path) + 1, buf, sizeof(buf)) < 0)
			return -1;
		buf[sizeof(buf) - 1] = '\0';
		parse_list(k, buf, l);
		return 0;
	}
	char cmd[128], *out = NULL;
	snprintf(cmd, sizeof(cmd), "nsenter --target %d --ipc cat %s", (int)pid, path);
	int st = h->host_run(h, cmd, &out);
	if (st == 0 && out)
		parse_list(k, out, l);
	free(out);
	if (st != 0)
		errno = ESRCH;
	return st == 0 ? 0 : -1;
}

static int host_list(enum ipc_kind k, struct ipc_list *l)
{
	static char buf[LIST_BUF];
	l->n = 0;
	if (read_text(sysvipc_file[k], buf, sizeof(buf)) < 0)
		return -1;
	parse_list(k, buf, l);
	return 0;
}

static bool has_key(const struct ipc_list *l, long key)
{
	for (int i = 0; i < l->n; i++)
		if (l->e[i].key == key)
			return true;
	return false;
}

/* --- the lab's subjects in an IPC namespace of their own --- */

/* The inode of pid's IPC namespace, 0 if it cannot be read. */
static ino_t ipc_ino(pid_t pid)
{
	char path[64];
	struct stat st;
	return stat(nslab_proc_path(path, sizeof(path), pid, "ns/ipc"), &st) == 0 ? st.st_ino : 0;
}

#define MAX_SUBJECTS 64

/* The lab process (first) and every other subject (what `run`, `shell`
 * and `host ... &` started, watched PIDs) whose IPC namespace is not the
 * host's; one per namespace is enough, but a few repeats do no harm. */
static unsigned own_ns_subjects(struct nslab_host *h, pid_t *own, unsigned max)
{
	pid_t pids[MAX_SUBJECTS], main = h->main_pid(h);
	ino_t inos[MAX_SUBJECTS];
	unsigned n = 0;
	if (h->same_ns(h, main, "ipc") != 1) {
		inos[n] = ipc_ino(main);
		own[n++] = main;
	}
	long got = NSLAB_HOST_CAN(h, subjects) ? h->subjects(h, pids, MAX_SUBJECTS) : 0;
	for (long i = 0; i < got && i < MAX_SUBJECTS && n < max; i++) {
		if (pids[i] == main || h->same_ns(h, pids[i], "ipc") != 0)
			continue;
		ino_t ino = ipc_ino(pids[i]);
		unsigned k = 0;
		while (ino && k < n && inos[k] != ino)
			k++;
		if (ino && k < n)
			continue; /* a namespace already listed: what `run ... &` leaves */
		inos[n] = ino;
		own[n++] = pids[i];
	}
	return n;
}

/* What to type when no subject has an IPC namespace of its own. */
#define HOW_IPCNS "`run unshare --ipc sleep infinity &`, or nslab's shortcut `ipcns`"

static bool check_ns(struct nslab_host *h)
{
	pid_t own[MAX_SUBJECTS];
	if (own_ns_subjects(h, own, MAX_SUBJECTS) > 0)
		return true;
	pid_t pid = h->main_pid(h);
	h->missing(
	    h,
	    _("no process of the lab has an IPC namespace of its own: the lab process still shares the "
	      "host's (/proc/%d/ns/ipc is the same as nslab's), and so does every other: " HOW_IPCNS),
	    (int)pid);
	return false;
}

/* Objects of kind k in pid's namespace, none of them on the host: 1 yes,
 * 0 none there, -1 unreadable; a key the host has too is said. */
static int only_in(struct nslab_host *h, pid_t pid, enum ipc_kind k, const char *what)
{
	struct ipc_list lab, host;
	if (lab_list(h, pid, k, &lab) < 0)
		return -1;
	host_list(k, &host);
	if (lab.n == 0)
		return 0;
	for (int i = 0; i < lab.n; i++)
		if (lab.e[i].key != IPC_PRIVATE && has_key(&host, lab.e[i].key)) {
			h->missing(h, _("the host lists the %s with key 0x%08lx of PID %d too"), what,
				   lab.e[i].key, (int)pid);
			return 0;
		}
	return 1;
}

/* Some subject in an IPC namespace of its own holds objects of kind k
 * (and of k2, if k2 >= 0) that the host does not list. If none does, says
 * what the closest one (the most kinds, the lab process first) lacks. */
static bool some_subject_has(struct nslab_host *h, enum ipc_kind k, int k2, const char *what, const char *cmd)
{
	pid_t own[MAX_SUBJECTS];
	unsigned n = own_ns_subjects(h, own, MAX_SUBJECTS);
	if (n == 0)
		return check_ns(h);
	const char *what2 = k2 == IPC_SEM ? _("semaphore set") : "";
	int best = -1, best_a = 0, best_b = 0;
	for (unsigned i = 0; i < n; i++) {
		int a = only_in(h, own[i], k, what);
		int b = k2 < 0 ? 1 : only_in(h, own[i], (enum ipc_kind)k2, what2);
		if (a == 1 && b == 1)
			return true;
		if (a >= 0 && b >= 0 && (best < 0 || a + b > best_a + best_b))
			best = (int)i, best_a = a, best_b = b;
	}
	if (best < 0) {
		h->missing(h, _("cannot read %s in any IPC namespace of the lab (%s)"), sysvipc_file[k],
			   strerror(errno));
		return false;
	}
	char lacks[96];
	snprintf(lacks, sizeof(lacks), "%s%s%s", best_a ? "" : what, !best_a && !best_b ? _(" and ") : "",
		 best_b ? "" : what2);
	h->missing(h, _("no %s yet in the %u IPC namespace(s) of the lab's processes (closest: %s %d): %s"),
		   lacks, n, own[best] == h->main_pid(h) ? _("the lab process,") : "PID", (int)own[best],
		   cmd);
	return false;
}

/* --- step 1 --- */

static int do_unshare(struct nslab_host *h)
{
	char out[128] = "";
	if (h->call(h, h->main_pid(h), ag_unshare, NULL, 0, out, sizeof(out)) < 0) {
		h->error(h, _("%s failed in the lab process: %s"), out, strerror(errno));
		return -1;
	}
	h->trace(h, "unshare(CLONE_NEWIPC) = 0");
	return 0;
}

static int cmd_ipcns(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	if (h->same_ns(h, h->main_pid(h), "ipc") != 1) {
		h->print(h, _("the lab process already has its own IPC namespace\n"));
		return 0;
	}
	if (do_unshare(h) < 0)
		return -1;
	h->print(h, "unshare(CLONE_NEWIPC) = 0\n");
	return 0;
}

/* --- step 2: a segment inside --- */

static bool check_lab_shm(struct nslab_host *h)
{
	return some_subject_has(
	    h, IPC_SHM, -1, _("shared memory segment"),
	    _("`run unshare --ipc sh -c 'ipcmk -M 2000; sleep infinity' &`, or after `ipcns` "
	      "`run ipcmk -M 2000`"));
}

static int run_traced(struct nslab_host *h, const char *cmd)
{
	char *out = NULL;
	int st = h->run(h, 0, cmd, &out);
	if (out) {
		h->print(h, "%s", out);
		free(out);
	}
	if (st != 0)
		h->error(h, _("`%s` in the lab exited with status %d"), cmd, st);
	return st == 0 ? 0 : -1;
}

static int do_lab_shm(struct nslab_host *h)
{
	if (run_traced(h, "ipcmk -M 2000") < 0)
		return -1;
	h->trace(h,
		 "shmget(0x<random key>, %d, IPC_CREAT|0644) = ID   (ipcmk, inside the lab's IPC namespace)",
		 LAB_SHM_SIZE);
	return 0;
}

/* --- step 3: a segment on the host --- */

/* The host's segments of HOST_SHM_SIZE bytes, read line by line, so that a
 * host with many segments is read whole (host_list stops at MAX_IPC). */
static unsigned host_sized_segs(struct ipc_ent *out, unsigned max)
{
	FILE *f = fopen(sysvipc_file[IPC_SHM], "re");
	if (!f)
		return 0;
	char *line = NULL;
	size_t len = 0;
	unsigned n = 0;
	for (bool head = true; n < max && getline(&line, &len, f) > 0; head = false) {
		struct ipc_ent e = {0};
		unsigned perms;
		if (!head && sscanf(line, "%ld %d %o %ld %d", &e.key, &e.id, &perms, &e.size, &e.cpid) == 5 &&
		    e.size == HOST_SHM_SIZE)
			out[n++] = e;
	}
	free(line);
	fclose(f);
	return n;
}

static bool was_there_before(const struct ipc_data *d, int id)
{
	for (unsigned i = 0; d && i < d->nbefore; i++)
		if (d->before[i] == id)
			return true;
	return false;
}

/* The host's segment of step 3: one of HOST_SHM_SIZE bytes made since the
 * lab started (by `host ipcmk -M 1000`, our peer, or anything else on the
 * host). 1 found (in *s), 0 none, -1 only older ones (*s the first). */
static int host_seg(struct nslab_host *h, struct ipc_ent *s)
{
	struct ipc_ent segs[MAX_IPC];
	unsigned n = host_sized_segs(segs, MAX_IPC);
	for (unsigned i = 0; i < n; i++)
		if (!was_there_before(h->lab_data, segs[i].id)) {
			*s = segs[i];
			return 1;
		}
	if (n > 0)
		*s = segs[0];
	return n > 0 ? -1 : 0;
}

static bool check_host_shm(struct nslab_host *h)
{
	struct ipc_list lab;
	struct ipc_ent seg;
	pid_t own[MAX_SUBJECTS];
	unsigned n = own_ns_subjects(h, own, MAX_SUBJECTS);
	if (n == 0)
		return check_ns(h);
	int found = host_seg(h, &seg);
	if (found <= 0) {
		h->missing(
		    h,
		    _("no %d-byte shared memory segment made on the host since the lab started%s: `host "
		      "ipcmk -M %d`, or nslab's shortcut `hostshm`"),
		    HOST_SHM_SIZE, found < 0 ? _(" (the ones there are older)") : "", HOST_SHM_SIZE);
		return false;
	}
	const struct ipc_ent *s = &seg;
	for (unsigned k = 0; k < n; k++) {
		if (lab_list(h, own[k], IPC_SHM, &lab) < 0) {
			h->missing(h, _("cannot read /proc/sysvipc/shm in the IPC namespace of PID %d"),
				   (int)own[k]);
			return false;
		}
		for (int i = 0; i < lab.n; i++)
			if (lab.e[i].size == s->size && lab.e[i].cpid == s->cpid) {
				h->missing(h, _("PID %d of the lab sees the host's segment %d"), (int)own[k],
					   s->id);
				return false;
			}
	}
	return true;
}

static int do_host_shm(struct nslab_host *h)
{
	struct ipc_data *d = h->lab_data;
	char out[64] = "";
	if (d->peer <= 0) {
		struct nslab_spawn how = {.size = sizeof(struct nslab_spawn), .label = "host-shm"};
		d->peer = h->spawn(h, &how);
		if (d->peer < 0)
			return -1;
	}
	if (h->call(h, d->peer, ag_hostshm, NULL, 0, out, sizeof(out)) < 0) {
		h->error(h, _("%s on the host failed: %s"), out, strerror(errno));
		return -1;
	}
	d->shmid = atoi(out);
	h->trace(h, "shmget(IPC_PRIVATE, %d, IPC_CREAT|0600) = %d   (on the host, by process %d)",
		 HOST_SHM_SIZE, d->shmid, (int)d->peer);
	h->trace(h, "shmat(%d, NULL, SHM_RDONLY) = 0x...", d->shmid);
	h->trace(h, "shmctl(%d, IPC_RMID, NULL) = 0   (freed when the lab stops: status \"dest\")", d->shmid);
	return 0;
}

static int cmd_hostshm(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	const struct ipc_data *d = h->lab_data;
	if (d->peer > 0) {
		h->print(h, _("the host segment exists already: shmid %d (host ipcs -m)\n"), d->shmid);
		return 0;
	}
	if (do_host_shm(h) < 0)
		return -1;
	h->print(h, _("made a %d-byte segment on the host: shmid %d, held by process %d\n"), HOST_SHM_SIZE,
		 d->shmid, (int)d->peer);
	return 0;
}

/* --- step 4: queues and semaphores --- */

static bool check_msg_sem(struct nslab_host *h)
{
	return some_subject_has(
	    h, IPC_MSG, IPC_SEM, _("message queue"),
	    _("`run unshare --ipc sh -c 'ipcmk -Q; ipcmk -S 1; sleep infinity' &`, or after "
	      "`ipcns` `run ipcmk -Q` and `run ipcmk -S 1`"));
}

static int do_msg_sem(struct nslab_host *h)
{
	if (run_traced(h, "ipcmk -Q") < 0 || run_traced(h, "ipcmk -S 1") < 0)
		return -1;
	h->trace(h, "msgget(0x<random key>, IPC_CREAT|0644) = ID   (ipcmk -Q, in the lab)");
	h->trace(h, "semget(0x<random key>, 1, IPC_CREAT|0644) = ID   (ipcmk -S 1, in the lab)");
	return 0;
}

/* --- the lab --- */

static const char *unsupported(struct nslab_host *h)
{
	(void)h;
	if (access("/proc/self/ns/ipc", F_OK) < 0)
		return _("this kernel has no IPC namespaces (CONFIG_IPC_NS)");
	if (access("/proc/sysvipc/shm", R_OK) < 0)
		return _("this kernel has no System V IPC (CONFIG_SYSVIPC)");
	return NULL;
}

static int setup(struct nslab_host *h)
{
	struct ipc_data *d = calloc(1, sizeof(*d));
	if (!d)
		return -1;
	h->lab_data = d;
	struct ipc_ent segs[MAX_BEFORE];
	d->nbefore = host_sized_segs(segs, MAX_BEFORE);
	for (unsigned i = 0; i < d->nbefore; i++)
		d->before[i] = segs[i].id;
	struct nslab_spawn how = {.size = sizeof(struct nslab_spawn), .label = "lab"};
	return h->spawn(h, &how) < 0 ? -1 : 0;
}

static void teardown(struct nslab_host *h)
{
	free(h->lab_data);
	h->lab_data = NULL;
}

static const struct nslab_step steps[] = {
    {
	.title = N_("An IPC namespace of its own"),
	.task = N_(
	    "Make a new IPC namespace with the real tool, as the seed does. A command run in one sees an "
	    "empty list; `sleep infinity` keeps one alive until the lab stops:\n"
	    "  run unshare --ipc ipcs -m\n"
	    "  run unshare --ipc sleep infinity &\n"
	    "  host lsns -t ipc\n"
	    "lsns lists the new namespace, its process sleep. nslab's shortcut, and what `do` does: "
	    "`ipcns` moves the lab process itself into a new IPC "
	    "namespace (then `host readlink /proc/$NSLAB_LAB_PID/ns/ipc /proc/self/ns/ipc` differ). From a "
	    "second terminal, `unshare --ipc bash` counts too, once you give its PID (its `echo $$`) to "
	    "`watch` here."),
	.hint = N_(
	    "unshare(1) --ipc calls unshare(CLONE_NEWIPC) and runs its command there. `run` and `host` "
	    "start it in the lab cgroup, where nslab looks for it; `ns` and the pane show the lab process."),
	.explain =
	    N_("unshare(CLONE_NEWIPC) moves the caller into a new, empty IPC namespace (Linux 2.6.19, "
	       "2006, together with UTS). It holds the System V objects: shared memory segments, message "
	       "queues and semaphore sets, each found by a key or an ID, and the POSIX message queues of "
	       "the mqueue filesystem. /proc/PID/ns/ipc names it; /proc/sysvipc/{shm,msg,sem} list the "
	       "objects of the namespace of whoever reads them."),
	.check = check_ns,
	.perform = do_unshare,
    },
    {
	.title = N_("Shared memory inside"),
	.task = N_(
	    "Make a 2000-byte shared memory segment in a new IPC namespace and look from both sides:\n"
	    "  run unshare --ipc sh -c 'ipcmk -M 2000; ipcs -m'\n"
	    "  run unshare --ipc sh -c 'ipcmk -M 2000; sleep infinity' &\n"
	    "  host ipcs -m\n"
	    "The host's list has no 2000-byte segment. The first namespace, and its segment, went away when "
	    "its last process exited (nothing else "
	    "held it: no open fd or bind mount of /proc/PID/ns/ipc); the second stays while its sleep "
	    "runs. The shortcut, what `do` does: after `ipcns`, `run ipcmk -M 2000` makes it in the lab "
	    "process's namespace (without `ipcns` it would land on the host)."),
	.hint =
	    N_("ipcmk -M SIZE calls shmget(2) with a random key, in the namespace of the process that runs "
	       "it: put it inside `unshare --ipc sh -c '...'`."),
	.explain =
	    N_("shmget(2) creates the segment in the caller's IPC namespace. The IDs and keys are "
	       "per namespace: the lab's first segment may well have ID 0 while the host also has an ID 0, "
	       "and they are different objects. ipcs reads /proc/sysvipc/shm, which shows the reader's "
	       "namespace, so `run ipcs -m` and `host ipcs -m` differ. The segment goes away with the "
	       "namespace, when nothing refers to it any more: no process in it, and no open fd or "
	       "bind mount of /proc/PID/ns/ipc."),
	.check = check_lab_shm,
	.perform = do_lab_shm,
    },
    {
	.title = N_("The host's segment is invisible inside"),
	.task =
	    N_("Make a 1000-byte segment on the host with the real tool, as from a second terminal, and look "
	       "from both sides:\n"
	       "  host ipcmk -M 1000\n"
	       "  host ipcs -m\n"
	       "  run unshare --ipc ipcs -m\n"
	       "A new IPC namespace, and every one the lab made before, cannot see it. nslab names the new "
	       "segment when `host` made it, and removes it when the lab stops. The check wants a 1000-byte "
	       "segment "
	       "made on the host since the lab started, and looks at the namespaces the lab's processes "
	       "hold: one from step 1 or 2 (its `sleep infinity`), or the lab process's own after `ipcns`. "
	       "nslab's shortcut, what `do` does: `hostshm`."),
	.hint =
	    N_("ipcmk -M 1000 calls shmget(2) in the IPC namespace of the process that runs it; `host` runs "
	       "it in the host's. `hostshm` makes the segment from a helper process on the host instead."),
	.explain = N_(
	    "Isolation works both ways: a process in the lab cannot name, attach or remove the "
	    "host's segment, whatever key or ID it tries, because shmget/shmat/shmctl look only in the "
	    "caller's namespace. ipcmk's segment stays until someone removes it (ipcrm -m ID), which nslab "
	    "does at stop. `hostshm` instead attaches its segment and marks it IPC_RMID at once (ipcs "
	    "shows status \"dest\" and key 0), so the kernel frees it when the helper exits."),
	.check = check_host_shm,
	.perform = do_host_shm,
    },
    {
	.title = N_("Queues and semaphores too"),
	.task = N_("Make a message queue and a semaphore set in a new IPC namespace, and compare:\n"
		   "  run unshare --ipc sh -c 'ipcmk -Q; ipcmk -S 1; ipcs -q -s'\n"
		   "  run unshare --ipc sh -c 'ipcmk -Q; ipcmk -S 1; sleep infinity' &\n"
		   "  host ipcs -q -s\n"
		   "The shortcut, what `do` does: after `ipcns`, `run ipcmk -Q` and `run ipcmk -S 1`."),
	.hint =
	    N_("ipcmk -Q is msgget(2), ipcmk -S N is semget(2). Both land in the namespace of the process "
	       "that runs them."),
	.explain =
	    N_("Message queues (/proc/sysvipc/msg) and semaphore sets (/proc/sysvipc/sem) are isolated "
	       "like shared memory, and so are POSIX message queues (mq_open, /dev/mqueue). Not every way "
	       "of talking is an IPC-namespace object: pipes are just file descriptors passed to children, "
	       "UNIX sockets are reached by a path (the mount namespace decides) or an abstract name (the "
	       "network namespace decides), and shared files or mmap follow the filesystem."),
	.check = check_msg_sem,
	.perform = do_msg_sem,
    },
};

static const struct nslab_command commands[] = {
    {"ipcns", N_("ipcns"), N_("unshare(CLONE_NEWIPC) in the lab process"), 0, 0, cmd_ipcns},
    {"hostshm", N_("hostshm"),
     N_("make a 1000-byte shared memory segment on the host (removed with the lab)"), 0, 0, cmd_hostshm},
};

static const struct nslab_lab lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "ipc",
    .title = N_("IPC namespace: System V shared memory, queues, semaphores"),
    .summary = N_("Processes can talk through kernel objects found by a number: System V shared memory, "
		  "message queues and semaphores. An IPC namespace gives a process its own set of them, so a "
		  "container cannot read or remove the host's shared memory, and the same ID can mean two "
		  "different things on the two sides."),
    .order = 60,
    NSLAB_STEPS(steps),
    .unsupported = unsupported,
    .setup = setup,
    .teardown = teardown,
    NSLAB_COMMANDS(commands),
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(lab)
