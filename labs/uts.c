/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uts.c: the UTS namespace lab. The lab process is cloned with CLONE_NEWUTS,
 * so it holds its own copy of the hostname and NIS domain name; the learner
 * changes them inside and sees the host keep its own. */
#include "nslab-lab.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
		    "the HOST's hostname changed from \"%s\" to \"%s\": that command ran outside the lab; "
		    "put it back with `host hostname %s`",
		    d->hostname, now.node, d->hostname);
		ok = false;
	}
	if (strcmp(now.domain, d->domain) != 0) {
		h->missing(h,
			   "the HOST's domain name changed from \"%s\" to \"%s\": put it back with "
			   "`host domainname '%s'`",
			   d->domain, now.domain, d->domain);
		ok = false;
	}
	return ok;
}

static bool read_lab(struct nslab_host *h, struct names *lab)
{
	if (lab_names(h, lab) == 0)
		return true;
	h->missing(h, "cannot read the lab's names (uname in the lab process failed: %s)", strerror(errno));
	return false;
}

static bool check_hostname(struct nslab_host *h)
{
	struct names lab, host;
	if (!read_lab(h, &lab))
		return false;
	host_names(&host);
	bool ok = host_untouched(h);
	if (strcmp(lab.node, host.node) == 0) {
		h->missing(h, "the lab's hostname is still \"%s\", the same as the host's: `run hostname %s`",
			   lab.node, LAB_HOSTNAME);
		ok = false;
	}
	return ok;
}

static bool check_domain(struct nslab_host *h)
{
	struct names lab, host;
	if (!read_lab(h, &lab))
		return false;
	host_names(&host);
	bool ok = host_untouched(h);
	if (strcmp(lab.domain, host.domain) == 0) {
		h->missing(
		    h,
		    "the lab's NIS domain name is still \"%s\", the same as the host's: `run domainname %s`",
		    lab.domain, LAB_DOMAIN);
		ok = false;
	}
	return ok;
}

static bool check_proc(struct nslab_host *h)
{
	struct names lab;
	if (!read_lab(h, &lab))
		return false;
	bool ok = host_untouched(h);
	if (strcmp(lab.node, PROC_HOSTNAME) != 0) {
		h->missing(h,
			   "the lab's hostname is \"%s\", not \"%s\": "
			   "`run echo %s > /proc/sys/kernel/hostname`",
			   lab.node, PROC_HOSTNAME, PROC_HOSTNAME);
		ok = false;
	}
	return ok;
}

static int set_in_lab(struct nslab_host *h, nslab_call_fn fn, const char *syscall, const char *name)
{
	int ret = h->call(h, h->main_pid(h), fn, name, strlen(name) + 1, NULL, 0);
	if (ret < 0) {
		int err = errno;
		h->trace(h, "%s(\"%s\", %zu) = -1 %s", syscall, name, strlen(name), strerrorname_np(err));
		h->error(h, "%s in the lab process failed: %s", syscall, strerror(err));
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
		h->error(h, "writing /proc/sys/kernel/hostname in the lab failed (status %d)", st);
		return -1;
	}
	return 0;
}

static int uts_setup(struct nslab_host *h)
{
	struct uts_data *d = calloc(1, sizeof(*d));
	if (!d) {
		h->error(h, "out of memory");
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
	.title = "Rename the lab",
	.task = "nslab cloned the lab process with CLONE_NEWUTS, so it owns a private copy of\n"
		"the hostname. The copy starts out equal to the host's. Compare the two, then\n"
		"rename the lab:\n"
		"\n"
		"  run hostname\n"
		"  host hostname\n"
		"  ns               (the uts row differs; every other row is the same)\n"
		"  run hostname " LAB_HOSTNAME "\n"
		"  run hostname\n"
		"  host hostname",
	.hint = "`run` executes its command inside the lab's namespaces, `host` outside. Only\n"
		"the lab's name should change: `run hostname " LAB_HOSTNAME "`.",
	.explain = "hostname(1) calls sethostname(2), which writes the nodename of the calling\n"
		   "process's UTS namespace. A new UTS namespace (clone or unshare with\n"
		   "CLONE_NEWUTS) starts as a copy of its parent's, which is why the lab first\n"
		   "answered with the host's name. From then on the two are separate: the host's\n"
		   "hostname did not move.\n"
		   "\n"
		   "UTS stands for UNIX Time-Sharing: the names come from struct utsname, which\n"
		   "uname(2) fills, from the days when many users shared one time-sharing\n"
		   "machine. The namespace a process is in shows as the inode in\n"
		   "`readlink /proc/PID/ns/uts`; two processes with the same inode share one\n"
		   "hostname. That is the uts row of the pane and of `ns`: the lab's inode\n"
		   "differs from nslab's own, every other row is shared. The namespace appeared\n"
		   "in Linux 2.6.19 (2006), together with the IPC namespace.",
	.check = check_hostname,
	.perform = do_hostname,
    },
    {
	.title = "Set a domain name",
	.task = "The UTS namespace holds a second name, the NIS domain name (shown by\n"
		"`domainname` and in /proc/sys/kernel/domainname; \"(none)\" when unset). Set\n"
		"it inside the lab:\n"
		"\n"
		"  run domainname\n"
		"  run domainname " LAB_DOMAIN "\n"
		"  run uname -a\n"
		"  run cat /proc/sys/kernel/domainname\n"
		"  host domainname             (still the host's)",
	.hint = "The domain name is part of the same namespace as the hostname:\n"
		"`run domainname " LAB_DOMAIN "`.",
	.explain = "domainname(1) calls setdomainname(2). Both names live in the UTS namespace,\n"
		   "and so does the rest of what uname(2) returns (the kernel fills sysname,\n"
		   "release and version for everyone alike; only nodename and domainname can be\n"
		   "set). This NIS domain is not the DNS domain: `hostname -d` asks the\n"
		   "resolver, which the UTS namespace does not touch. Container runtimes set\n"
		   "both names from the container's configuration (docker run --hostname and\n"
		   "--domainname).",
	.check = check_domain,
	.perform = do_domain,
    },
    {
	.title = "Write the proc file",
	.task = "Every process reads the names of its own UTS namespace in\n"
		"/proc/sys/kernel/hostname and /proc/sys/kernel/domainname: one file name, a\n"
		"different content per namespace. Writing the file renames the lab just like\n"
		"hostname(1) does:\n"
		"\n"
		"  run cat /proc/sys/kernel/hostname\n"
		"  host cat /proc/sys/kernel/hostname\n"
		"  run echo " PROC_HOSTNAME " > /proc/sys/kernel/hostname\n"
		"  run uname -n\n"
		"  host uname -n",
	.hint = "The redirection must happen inside the lab, so put it after `run`:\n"
		"`run echo " PROC_HOSTNAME " > /proc/sys/kernel/hostname`.",
	.explain = "The files under /proc/sys/kernel are views, not storage: reading hostname\n"
		   "returns the nodename of the reader's UTS namespace, writing it calls the\n"
		   "same code as sethostname(2), and needs the same privilege: root, or rather\n"
		   "CAP_SYS_ADMIN over the namespace. The host, still in the initial UTS\n"
		   "namespace, kept its name through all three steps: a container can call\n"
		   "itself anything without renaming the machine. The namespace ends when\n"
		   "nothing refers to it any more: no process in it, no open fd of\n"
		   "/proc/PID/ns/uts, no bind mount of that file. Its names go with it.",
	.check = check_proc,
	.perform = do_proc,
    },
};

static const struct nslab_lab uts_lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "uts",
    .title = "UTS namespace: hostname",
    .summary = "A UTS namespace gives a process its own hostname and NIS domain name. The lab process "
	       "is cloned with CLONE_NEWUTS: its names start as copies of the host's, and whatever it "
	       "sets afterwards stays inside. This is how every container gets its own hostname.",
    .order = 50,
    NSLAB_STEPS(steps),
    .setup = uts_setup,
    .teardown = uts_teardown,
};

NSLAB_LAB(uts_lab)
