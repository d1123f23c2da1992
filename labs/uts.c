/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uts.c: the UTS namespace lab. The lab process is cloned with CLONE_NEWUTS,
 * so it holds its own copy of the hostname and NIS domain name; the learner
 * changes them inside and sees the host keep its own. A step is done when
 * any subject (the lab process, what `run`/`host ... &` and `shell` started,
 * a watched PID) holds the names it asks for: unshare(1) --uts counts as
 * much as nslab's own rename. A subject's names are read in its namespace
 * with nsenter(1), since /proc/sys/kernel shows the reader's. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define LAB_HOSTNAME "nslab-lab"
#define LAB_DOMAIN "nslab.test"
#define PROC_HOSTNAME "nslab-proc"

/* What the host was called when the lab started: "the host is untouched"
 * means these still hold. */
struct uts_data {
	char hostname[sizeof(((struct utsname *)0)->nodename)];
	char domain[sizeof(((struct utsname *)0)->domainname)];
};

/* The two names as uname(2) returns them, in one buffer: "node\0domain". */
struct names {
	char node[sizeof(((struct utsname *)0)->nodename)];
	char domain[sizeof(((struct utsname *)0)->domainname)];
};

/* --- run inside the lab process (h->call) --- */

static int agent_uname(void *arg, char *out, size_t outlen)
{
	(void)arg;
	struct utsname u;
	struct names n = {0}; /* all of it goes over the socket */
	if (outlen < sizeof(n) || uname(&u) < 0)
		return -1;
	snprintf(n.node, sizeof(n.node), "%s", u.nodename);
	snprintf(n.domain, sizeof(n.domain), "%s", u.domainname);
	memcpy(out, &n, sizeof(n));
	return 0;
}

static int agent_sethostname(void *arg, char *out, size_t outlen)
{
	(void)out, (void)outlen;
	return sethostname(arg, strlen(arg));
}

static int agent_setdomainname(void *arg, char *out, size_t outlen)
{
	(void)out, (void)outlen;
	return setdomainname(arg, strlen(arg));
}

/* --- host side --- */

static int lab_names(struct nslab_host *h, struct names *n)
{
	memset(n, 0, sizeof(*n));
	return h->call(h, h->main_pid(h), agent_uname, NULL, 0, (char *)n, sizeof(*n));
}

static void host_names(struct names *n)
{
	struct utsname u;
	memset(n, 0, sizeof(*n));
	if (uname(&u) == 0) {
		snprintf(n->node, sizeof(n->node), "%s", u.nodename);
		snprintf(n->domain, sizeof(n->domain), "%s", u.domainname);
	}
}

/* The host must still carry the names it had at setup; says what changed. */
static bool host_untouched(struct nslab_host *h)
{
	const struct uts_data *d = h->lab_data;
	struct names now;
	bool ok = true;
	if (!d)
		return true;
	host_names(&now);
	if (strcmp(now.node, d->hostname) != 0) {
		h->missing(
		    h,
		    _("the HOST's hostname changed from \"%s\" to \"%s\": that command ran outside the lab; "
		      "put it back with `host hostname %s`"),
		    d->hostname, now.node, d->hostname);
		ok = false;
	}
	if (strcmp(now.domain, d->domain) != 0) {
		h->missing(h,
			   _("the HOST's domain name changed from \"%s\" to \"%s\": put it back with "
			     "`host domainname '%s'`"),
			   d->domain, now.domain, d->domain);
		ok = false;
	}
	return ok;
}

/* --- the lab's subjects: the lab process and what the learner started --- */

#define MAX_SUBJECTS 64

/* One subject's names, as its own UTS namespace holds them. */
struct seen {
	pid_t pid;
	bool main;
	struct names n;
};

struct survey {
	struct seen s[MAX_SUBJECTS];
	unsigned n;
	bool main_unread; /* uname in the lab process failed (errno in err) */
	int err;
};

/* Names of a subject that is not one of nslab's agents, read in its UTS
 * namespace by nsenter(1): /proc/sys/kernel/{hostname,domainname} show the
 * namespace of the reader. */
static bool other_names(struct nslab_host *h, pid_t pid, struct names *n)
{
	char cmd[160], *out = NULL;
	snprintf(cmd, sizeof(cmd),
		 "nsenter --target %d --uts cat /proc/sys/kernel/hostname /proc/sys/kernel/domainname",
		 (int)pid);
	int st = h->host_run(h, cmd, &out);
	char *nl = out ? strchr(out, '\n') : NULL;
	bool ok = st == 0 && nl;
	if (ok) {
		*nl = '\0';
		nl[1 + strcspn(nl + 1, "\n")] = '\0';
		memset(n, 0, sizeof(*n));
		snprintf(n->node, sizeof(n->node), "%s", out);
		snprintf(n->domain, sizeof(n->domain), "%s", nl + 1);
	}
	free(out);
	return ok;
}

/* The inode of pid's UTS namespace, 0 if it cannot be read. */
static ino_t uts_ino(pid_t pid)
{
	char path[64];
	struct stat st;
	return stat(nslab_proc_path(path, sizeof(path), pid, "ns/uts"), &st) == 0 ? st.st_ino : 0;
}

/* Every subject in a UTS namespace other than the host's, the lab process
 * first: `run unshare --uts ... &`, `shell`, `host ... &` and watched PIDs.
 * One a namespace: what `run ... &` leaves shares the lab process's. */
static void survey(struct nslab_host *h, struct survey *v)
{
	pid_t pids[MAX_SUBJECTS], main = h->main_pid(h);
	ino_t inos[MAX_SUBJECTS];
	unsigned ninos = 0;
	long n = 0;
	if ((inos[ninos] = uts_ino(main)))
		ninos++;
	memset(v, 0, sizeof(*v));
	v->s[0].pid = main;
	v->s[0].main = true;
	if (lab_names(h, &v->s[0].n) == 0)
		v->n = 1;
	else
		v->main_unread = true, v->err = errno;
	if (NSLAB_HOST_CAN(h, subjects))
		n = h->subjects(h, pids, MAX_SUBJECTS);
	for (long i = 0; i < n && i < MAX_SUBJECTS && v->n < MAX_SUBJECTS; i++) {
		if (pids[i] == main || h->same_ns(h, pids[i], "uts") != 0)
			continue;
		ino_t ino = uts_ino(pids[i]);
		unsigned k = 0;
		while (ino && k < ninos && inos[k] != ino)
			k++;
		if (ino && k < ninos)
			continue; /* a namespace already read */
		if (ino && ninos < MAX_SUBJECTS)
			inos[ninos++] = ino;
		struct seen *s = &v->s[v->n];
		s->pid = pids[i];
		if (other_names(h, pids[i], &s->n))
			v->n++;
	}
}

/* The first subject whose names satisfy want, else NULL. */
static const struct seen *find(const struct survey *v, const struct names *host,
			       bool (*want)(const struct names *n, const struct names *host))
{
	for (unsigned i = 0; i < v->n; i++)
		if (want(&v->s[i].n, host))
			return &v->s[i];
	return NULL;
}

static bool own_node(const struct names *n, const struct names *host)
{
	return strcmp(n->node, host->node) != 0;
}

static bool own_domain(const struct names *n, const struct names *host)
{
	return strcmp(n->domain, host->domain) != 0;
}

static bool proc_node(const struct names *n, const struct names *host)
{
	(void)host;
	return strcmp(n->node, PROC_HOSTNAME) == 0;
}

/* "the lab process (PID 12)" or "PID 34 (sleep infinity)": a subject
 * named by its command line, as ps shows it. */
static const char *who(const struct seen *s, char *buf, size_t len)
{
	char cmd[64];
	if (s->main) {
		snprintf(buf, len, _("the lab process (PID %d)"), (int)s->pid);
		return buf;
	}
	nslab_cmdline(s->pid, cmd, sizeof(cmd));
	snprintf(buf, len, "PID %d (%s)", (int)s->pid, cmd[0] ? cmd : _("in a UTS namespace of its own"));
	return buf;
}

/* Says that the lab process could not be read, if so. */
static bool main_read(struct nslab_host *h, const struct survey *v)
{
	if (!v->main_unread)
		return true;
	h->missing(h, _("cannot read the lab's names (uname in the lab process failed: %s)"),
		   strerror(v->err));
	return false;
}

/* The start every check shares: the subjects surveyed into v, the host's
 * names into host. True when that decides the check, *ok its result: the
 * lab process cannot be read (said), or a subject's names satisfy want (ok
 * when the host's names are untouched too). False when none does: the
 * check then says what is missing. */
static bool decided(struct nslab_host *h, struct survey *v, struct names *host,
		    bool (*want)(const struct names *n, const struct names *host), bool *ok)
{
	*ok = false;
	survey(h, v);
	if (!main_read(h, v))
		return true;
	host_names(host);
	*ok = host_untouched(h);
	return find(v, host, want) != NULL;
}

/* A subject with a hostname (domain false) or NIS domain name (true) of
 * its own: the first two steps ask the same of one name each. */
static bool check_own_name(struct nslab_host *h, bool domain)
{
	struct names host;
	struct survey v;
	bool ok;
	if (decided(h, &v, &host, domain ? own_domain : own_node, &ok))
		return ok;
	const char *also = v.n > 1 ? _(" (and so is every new UTS namespace of the lab's processes)") : "";
	if (!domain)
		h->missing(h,
			   _("no process of the lab has a hostname of its own: the lab's hostname is still "
			     "\"%s\", the same as the host's%s: `run unshare --uts sh -c 'hostname %s; sleep "
			     "infinity' &` or `run hostname %s`"),
			   v.s[0].n.node, also, LAB_HOSTNAME, LAB_HOSTNAME);
	else
		h->missing(
		    h,
		    _("no process of the lab has a NIS domain name of its own: the lab's NIS domain name "
		      "is still \"%s\", the same as the host's%s: "
		      "`run unshare --uts sh -c 'domainname %s; sleep infinity' &` or `run domainname "
		      "%s`"),
		    v.s[0].n.domain, also, LAB_DOMAIN, LAB_DOMAIN);
	return false;
}

static bool check_hostname(struct nslab_host *h)
{
	return check_own_name(h, false);
}

static bool check_domain(struct nslab_host *h)
{
	return check_own_name(h, true);
}

static bool check_proc(struct nslab_host *h)
{
	struct names host;
	struct survey v;
	char buf[160];
	bool ok;
	if (decided(h, &v, &host, proc_node, &ok))
		return ok;
	/* the closest: a subject with a name of its own, else the lab process */
	const struct seen *near = find(&v, &host, own_node);
	if (!near)
		near = &v.s[0];
	h->missing(h,
		   _("no process of the lab is called \"%s\": %s is called \"%s\": "
		     "`run unshare --uts sh -c 'echo %s > /proc/sys/kernel/hostname; sleep infinity' &` "
		     "or `run echo %s > /proc/sys/kernel/hostname`"),
		   PROC_HOSTNAME, who(near, buf, sizeof(buf)), near->n.node, PROC_HOSTNAME, PROC_HOSTNAME);
	return false;
}

static int set_in_lab(struct nslab_host *h, nslab_call_fn fn, const char *syscall, const char *name)
{
	int ret = h->call(h, h->main_pid(h), fn, name, strlen(name) + 1, NULL, 0);
	if (ret < 0) {
		int err = errno;
		h->trace(h, "%s(\"%s\", %zu) = -1 %s", syscall, name, strlen(name), strerrorname_np(err));
		h->error(h, _("%s in the lab process failed: %s"), syscall, strerror(err));
		return -1;
	}
	h->trace(h, "%s(\"%s\", %zu) = 0", syscall, name, strlen(name));
	return 0;
}

static int do_hostname(struct nslab_host *h)
{
	return set_in_lab(h, agent_sethostname, "sethostname", LAB_HOSTNAME);
}

static int do_domain(struct nslab_host *h)
{
	return set_in_lab(h, agent_setdomainname, "setdomainname", LAB_DOMAIN);
}

static int do_proc(struct nslab_host *h)
{
	/* The shell's write to the proc file is what the learner types; the
	 * kernel turns it into the same update sethostname(2) makes. */
	h->trace(h, "open(\"/proc/sys/kernel/hostname\", O_WRONLY) = 3  (in the lab's UTS namespace)");
	int st = h->run(h, 0, "echo " PROC_HOSTNAME " > /proc/sys/kernel/hostname", NULL);
	h->trace(h, "write(3, \"%s\\n\", %zu) = %s", PROC_HOSTNAME, strlen(PROC_HOSTNAME) + 1,
		 st == 0 ? "11" : "-1");
	if (st != 0) {
		h->error(h, _("writing /proc/sys/kernel/hostname in the lab failed (status %d)"), st);
		return -1;
	}
	return 0;
}

static int uts_setup(struct nslab_host *h)
{
	struct uts_data *d = calloc(1, sizeof(*d));
	if (!d) {
		h->error(h, _("out of memory"));
		return -1;
	}
	struct names host;
	host_names(&host);
	memcpy(d->hostname, host.node, sizeof(d->hostname));
	memcpy(d->domain, host.domain, sizeof(d->domain));
	h->lab_data = d;
	struct nslab_spawn how = {
	    .size = sizeof(struct nslab_spawn), .label = "lab", .clone_flags = CLONE_NEWUTS};
	if (h->spawn(h, &how) < 0)
		return -1;
	h->trace(h, "clone(CLONE_NEWUTS | SIGCHLD) = %d", (int)h->main_pid(h));
	return 0;
}

static void uts_teardown(struct nslab_host *h)
{
	free(h->lab_data);
	h->lab_data = NULL;
}

static const struct nslab_step steps[] = {
    {
	.title = N_("Rename the lab"),
	.task = N_(
	    "A new UTS namespace starts as a copy of its parent's names. Compare the lab's hostname with the "
	    "host's, then make a UTS namespace with the real tool, as the seed does, and rename it (sleep "
	    "keeps "
	    "it alive until the lab stops):\n"
	    "  run hostname\n"
	    "  host hostname\n"
	    "  run unshare --uts sh -c 'hostname " LAB_HOSTNAME "; sleep infinity' &\n"
	    "  host lsns -t uts\n"
	    "  host hostname\n"
	    "lsns lists the new namespace, its process sh -c; the host's hostname did not change. nslab's "
	    "shortcut, and what `do` does: the lab process is already in a UTS namespace of its own "
	    "(nslab cloned it with CLONE_NEWUTS; the uts row of `ns` differs), so `run hostname " LAB_HOSTNAME
	    "` renames that one. From a second terminal, `unshare --uts bash` then `hostname NAME` counts "
	    "too, once `watch PID` shows nslab that shell."),
	.hint =
	    N_("`run` and `host` start their command in the lab cgroup, so nslab sees what `unshare` made; "
	       "`host` leaves it outside the lab's own namespaces. Only a new namespace's name may change: "
	       "renaming the host (`host hostname x`) is caught."),
	.explain = N_("hostname(1) calls sethostname(2), which writes the nodename of the calling "
		      "process's UTS namespace. A new UTS namespace (clone or unshare with "
		      "CLONE_NEWUTS) starts as a copy of its parent's, which is why the lab first "
		      "answered with the host's name. From then on the two are separate: the host's "
		      "hostname did not move.\n"
		      "\n"
		      "UTS stands for UNIX Time-Sharing: the names come from struct utsname, which "
		      "uname(2) fills, from the days when many users shared one time-sharing "
		      "machine. The namespace a process is in shows as the inode in "
		      "`readlink /proc/PID/ns/uts`; two processes with the same inode share one "
		      "hostname. That is the uts row of the pane and of `ns`: the lab's inode "
		      "differs from nslab's own, every other row is shared. The namespace appeared "
		      "in Linux 2.6.19 (2006), together with the IPC namespace."),
	.check = check_hostname,
	.perform = do_hostname,
    },
    {
	.title = N_("Set a domain name"),
	.task = N_("The UTS namespace holds a second name, the NIS domain name (shown by `domainname` and in "
		   "/proc/sys/kernel/domainname; \"(none)\" when unset). Set it in a new UTS namespace:\n"
		   "  run domainname\n"
		   "  run unshare --uts sh -c 'domainname " LAB_DOMAIN "; sleep infinity' &\n"
		   "  run unshare --uts sh -c 'domainname " LAB_DOMAIN "; cat /proc/sys/kernel/domainname'\n"
		   "  host domainname\n"
		   "The host's is unchanged. The shortcut, what `do` does: `run domainname " LAB_DOMAIN
		   "` sets it in the lab process's "
		   "namespace."),
	.hint =
	    N_("The domain name is part of the same namespace as the hostname: `domainname " LAB_DOMAIN
	       "` inside `unshare --uts`. The namespace of a command that has ended is gone, with its names: "
	       "the `sleep infinity` one stays."),
	.explain = N_("domainname(1) calls setdomainname(2). Both names live in the UTS namespace, "
		      "and so does the rest of what uname(2) returns (the kernel fills sysname, "
		      "release and version for everyone alike; only nodename and domainname can be "
		      "set). This NIS domain is not the DNS domain: `hostname -d` asks the "
		      "resolver, which the UTS namespace does not touch. Container runtimes set "
		      "both names from the container's configuration (docker run --hostname and "
		      "--domainname)."),
	.check = check_domain,
	.perform = do_domain,
    },
    {
	.title = N_("Write the proc file"),
	.task = N_(
	    "Every process reads the names of its own UTS namespace in /proc/sys/kernel/hostname and "
	    "/proc/sys/kernel/domainname: one file name, a different content per namespace. Writing the file "
	    "renames a namespace just like hostname(1) does:\n"
	    "  host cat /proc/sys/kernel/hostname\n"
	    "  run unshare --uts sh -c 'echo " PROC_HOSTNAME
	    " > /proc/sys/kernel/hostname; sleep infinity' &\n"
	    "  run unshare --uts sh -c 'echo x > /proc/sys/kernel/hostname; uname -n'\n"
	    "  host uname -n\n"
	    "The shortcut, what `do` does: `run echo " PROC_HOSTNAME " > /proc/sys/kernel/hostname` "
	    "writes the lab process's own."),
	.hint =
	    N_("The redirection must happen inside the new namespace, so it goes inside the quotes of "
	       "`sh -c`: `run unshare --uts sh -c 'echo " PROC_HOSTNAME " > /proc/sys/kernel/hostname; sleep "
	       "infinity' &`."),
	.explain = N_("The files under /proc/sys/kernel are views, not storage: reading hostname "
		      "returns the nodename of the reader's UTS namespace, writing it calls the "
		      "same code as sethostname(2), and needs the same privilege: root, or rather "
		      "CAP_SYS_ADMIN over the namespace. The host, still in the initial UTS "
		      "namespace, kept its name through all three steps: a container can call "
		      "itself anything without renaming the machine. The namespace ends when "
		      "nothing refers to it any more: no process in it, no open fd of "
		      "/proc/PID/ns/uts, no bind mount of that file. Its names go with it."),
	.check = check_proc,
	.perform = do_proc,
    },
};

static const struct nslab_lab uts_lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "uts",
    .title = N_("UTS namespace: hostname"),
    .summary = N_("A UTS namespace gives a process its own hostname and NIS domain name. The lab process "
		  "is cloned with CLONE_NEWUTS: its names start as copies of the host's, and whatever it "
		  "sets afterwards stays inside. This is how every container gets its own hostname."),
    .order = 50,
    NSLAB_STEPS(steps),
    .setup = uts_setup,
    .teardown = uts_teardown,
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(uts_lab)
