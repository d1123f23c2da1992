/* SPDX-License-Identifier: GPL-2.0-or-later */
/* host.c: the adapter behind struct nslab_host (each service a plugin calls,
 * forwarded to the module that does it) and the record of what the active
 * lab told nslab through it. Its own file so that session.c is the step
 * state machine only; it reads the record through host.h. */
#include "host.h"
#include "i18n.h"
#include "host-services.h"
#include "agent.h"
#include "cgroup.h"
#include "cleanup.h"
#include "labs.h"
#include "mounts.h"
#include "nsexec.h"
#include "nsview.h"
#include "output.h"
#include "pidfd.h"
#include "rootfs.h"
#include "state.h"
#include "util.h"
#include "workdir.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TRACE 64

/* What the lab told nslab. State the kernel already holds (namespaces,
 * roots, cgroups) is never cached here: it is read afresh. */
static struct {
	const struct nslab_lab *lab; /* NULL: none active */
	unsigned step;               /* the step traces are made in now */
	pid_t main_pid;
	int main_pidfd; /* the lab's main process, as started: -1 none */
	char root[PATH_MAX];
	char *trace[MAX_TRACE];
	size_t ntrace;
	unsigned trace_step;
	char *missing[MAX_TRACE];
	size_t nmissing;
	char *setup_trace[MAX_TRACE]; /* what setup() recorded, shown apart from the steps' */
	size_t nsetup;
} R = {.main_pidfd = -1};

static struct nslab_host host;

/* --- the services --- */

static void h_print(struct nslab_host *h, const char *fmt, ...)
{
	(void)h;
	va_list ap;
	va_start(ap, fmt);
	out_vprintf(fmt, ap);
	va_end(ap);
}

static void h_error(struct nslab_host *h, const char *fmt, ...)
{
	(void)h;
	va_list ap;
	va_start(ap, fmt);
	out_verror(fmt, ap);
	va_end(ap);
}

static void h_missing(struct nslab_host *h, const char *fmt, ...)
{
	(void)h;
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	/* Held until the verdict line is printed, so they read under it. */
	if (vasprintf(&s, fmt, ap) >= 0) {
		if (R.nmissing < MAX_TRACE)
			R.missing[R.nmissing++] = s;
		else
			free(s);
	}
	va_end(ap);
}

static void h_trace(struct nslab_host *h, const char *fmt, ...)
{
	(void)h;
	if (R.trace_step != R.step) { /* traces belong to one step */
		host_clear_traces();
		R.trace_step = R.step;
	}
	if (R.ntrace == MAX_TRACE)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&R.trace[R.ntrace], fmt, ap) >= 0)
		R.ntrace++;
	va_end(ap);
}

static void h_meter(struct nslab_host *h, const char *text)
{
	(void)h;
	out_meter(text);
}

/* ABI 2: a spawn request is read at the plugin's size (how->size), zero beyond. */
/* "clone(CLONE_NEWUSER|...|SIGCHLD) = PID", for a spawn whose id maps the
 * host writes (the lab cannot trace those in their place after the clone). */
static void trace_clone(struct nslab_host *h, int flags, pid_t pid)
{
	static const struct {
		int flag;
		const char *name;
	} names[] = {
	    {CLONE_NEWUSER, "CLONE_NEWUSER"}, {CLONE_NEWNS, "CLONE_NEWNS"},
	    {CLONE_NEWUTS, "CLONE_NEWUTS"},   {CLONE_NEWIPC, "CLONE_NEWIPC"},
	    {CLONE_NEWPID, "CLONE_NEWPID"},   {CLONE_NEWNET, "CLONE_NEWNET"},
	    {CLONE_NEWTIME, "CLONE_NEWTIME"}, {CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
	};
	char buf[256] = "";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].flag)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s|", names[i].name);
	h_trace(h, "clone(%sSIGCHLD) = %d", buf, (int)pid);
}

static pid_t h_spawn(struct nslab_host *h, const struct nslab_spawn *plugin_how)
{
	struct nslab_spawn how = {0};
	if (!plugin_how || plugin_how->size < offsetof(struct nslab_spawn, label) + sizeof(how.label)) {
		out_error("spawn: struct nslab_spawn has no size (set .size = sizeof(struct nslab_spawn))");
		errno = EINVAL;
		return -1;
	}
	memcpy(&how, plugin_how, plugin_how->size < sizeof(how) ? plugin_how->size : sizeof(how));
	how.size = sizeof(how);
	char why[256];
	pid_t pid = agent_spawn(&how, why, sizeof(why));
	if (pid < 0) {
		int err = errno;
		out_error(_("cannot start the lab process: %s"), why);
		errno = err;
	}
	if (pid > 0 && (how.gid_map || how.uid_map))
		trace_clone(h, how.clone_flags, pid); /* before the writes it made, as they happened */
	if (pid > 0 && how.gid_map) {                 /* agent_spawn wrote these for the lab: say so */
		h_trace(h, "write(\"/proc/%d/setgroups\", \"deny\") = 4", (int)pid);
		h_trace(h, "write(\"/proc/%d/gid_map\", \"%s\") = %zu", (int)pid, how.gid_map,
			strlen(how.gid_map));
	}
	if (pid > 0 && how.uid_map)
		h_trace(h, "write(\"/proc/%d/uid_map\", \"%s\") = %zu", (int)pid, how.uid_map,
			strlen(how.uid_map));
	if (pid > 0 && R.main_pid <= 0) {
		R.main_pid = pid;
		R.main_pidfd = pidfd_open_pid(pid);
	}
	return pid;
}

static int h_call(struct nslab_host *h, pid_t pid, nslab_call_fn fn, const void *arg, size_t arglen,
		  char *out, size_t outlen)
{
	(void)h;
	return agent_call(pid, fn, arg, arglen, out, outlen);
}

static int h_run(struct nslab_host *h, pid_t agent, const char *cmd, char **output)
{
	(void)h;
	return host_run(agent, cmd, output);
}

static int h_host_run(struct nslab_host *h, const char *cmd, char **output)
{
	(void)h;
	return host_run_on_host(cmd, output);
}

static pid_t h_main_pid(struct nslab_host *h)
{
	(void)h;
	return R.main_pid;
}

static void h_show_pid(struct nslab_host *h, pid_t pid, const char *label)
{
	(void)h;
	nsview_lab_add(pid, label);
}

static void h_hide_pid(struct nslab_host *h, pid_t pid)
{
	(void)h;
	nsview_lab_remove(pid);
}

/* Made on first use (workdir.c); a lab that cannot have it is told once,
 * and gets the path: what it does there fails with ENOENT. */
static const char *h_workdir(struct nslab_host *h)
{
	const char *wd = workdir_get();
	if (wd)
		return wd;
	static bool said;
	if (!said && R.lab)
		h->error(h, _("cannot make %s: %s"), workdir_path(), strerror(errno));
	said = true;
	return workdir_path();
}

static void h_set_root(struct nslab_host *h, const char *path)
{
	(void)h;
	snprintf(R.root, sizeof(R.root), "%s", path ? path : "");
}

static const char *h_root(struct nslab_host *h)
{
	(void)h;
	return host_root();
}

static int h_rootfs_add(struct nslab_host *h, const char *root, const char *program)
{
	(void)h;
	return rootfs_add(root, program);
}

static const char *h_helper(struct nslab_host *h, const char *name)
{
	(void)h;
	return labs_helper(name);
}

static int h_keep(struct nslab_host *h, enum nslab_obj kind, const char *what)
{
	(void)h;
	return cleanup_keep(kind, what);
}

static int h_undo(struct nslab_host *h, enum nslab_obj kind, const char *what)
{
	(void)h;
	return cleanup_undo(kind, what);
}

static enum nslab_cgmode h_cg_mode(struct nslab_host *h)
{
	(void)h;
	return cgroup_mode();
}

/* The cgroup module says why a call failed; the learner reads it here, as
 * one error line (errno kept for the lab). */
static int cg_said(int rc, const char *why)
{
	if (rc < 0 && why[0]) {
		int e = errno;
		out_error("%s", why);
		errno = e;
	}
	return rc;
}

static int h_cg_create(struct nslab_host *h, const char *name)
{
	(void)h;
	char why[CGROUP_WHY_LEN];
	return cg_said(cgroup_create(name, why, sizeof(why)), why);
}

static int h_cg_set_quota(struct nslab_host *h, const char *name, long quota, long period)
{
	(void)h;
	char why[CGROUP_WHY_LEN];
	return cg_said(cgroup_set_quota(name, quota, period, why, sizeof(why)), why);
}

static int h_cg_attach(struct nslab_host *h, const char *name, pid_t pid)
{
	(void)h;
	char why[CGROUP_WHY_LEN];
	return cg_said(cgroup_attach(name, pid, why, sizeof(why)), why);
}

/* ABI 2: only st->size bytes of the caller's struct are written. */
static int h_cg_stat(struct nslab_host *h, const char *name, struct nslab_cpu_stat *st)
{
	(void)h;
	if (!st || st->size < offsetof(struct nslab_cpu_stat, usage_usec)) {
		errno = EINVAL;
		return -1;
	}
	unsigned size = st->size;
	struct nslab_cpu_stat full = {.size = sizeof(full)};
	char why[CGROUP_WHY_LEN];
	int rc = cg_said(cgroup_stat(name, &full, why, sizeof(why)), why);
	memcpy(st, &full, size < sizeof(full) ? size : sizeof(full));
	st->size = size;
	return rc;
}

static int h_cg_path(struct nslab_host *h, const char *name, char *buf, size_t len)
{
	(void)h;
	char why[CGROUP_WHY_LEN];
	return cg_said(cgroup_path(name, buf, len, why, sizeof(why)), why);
}

static int h_each_mount(struct nslab_host *h, pid_t pid, bool (*fn)(const struct nslab_mount *m, void *ud),
			void *ud)
{
	(void)h;
	return mounts_each(pid, fn, ud);
}

static int h_same_ns(struct nslab_host *h, pid_t pid, const char *type)
{
	(void)h;
	return ns_same_as_self(pid, type);
}

static int h_call_main(struct nslab_host *h, nslab_call_fn fn, const char *arg)
{
	char out[256] = "";
	int r = agent_call(R.main_pid, fn, arg, arg ? strlen(arg) + 1 : 0, out, sizeof(out));
	if (r < 0) {
		int err = errno;
		h_error(h, "%s failed in the lab process: %s", out[0] ? out : "the request", strerror(err));
		errno = err;
	}
	return r;
}

static int h_copy_file(struct nslab_host *h, const char *src, const char *dst)
{
	(void)h;
	return rootfs_copy_file(src, dst);
}

static void host_init(void)
{
	if (host.size)
		return;
	host = (struct nslab_host){
	    .abi_major = NSLAB_ABI_MAJOR,
	    .size = sizeof(struct nslab_host),
	    .print = h_print,
	    .error = h_error,
	    .missing = h_missing,
	    .trace = h_trace,
	    .meter = h_meter,
	    .spawn = h_spawn,
	    .call = h_call,
	    .run = h_run,
	    .host_run = h_host_run,
	    .main_pid = h_main_pid,
	    .show_pid = h_show_pid,
	    .hide_pid = h_hide_pid,
	    .workdir = h_workdir,
	    .set_root = h_set_root,
	    .root = h_root,
	    .rootfs_add = h_rootfs_add,
	    .helper = h_helper,
	    .keep = h_keep,
	    .undo = h_undo,
	    .cg_mode = h_cg_mode,
	    .cg_create = h_cg_create,
	    .cg_set_quota = h_cg_set_quota,
	    .cg_attach = h_cg_attach,
	    .cg_stat = h_cg_stat,
	    .cg_path = h_cg_path,
	    .each_mount = h_each_mount,
	    .same_ns = h_same_ns,
	    .call_main = h_call_main,
	    .copy_file = h_copy_file,
	    .invoking_uid = state_uid(),
	    .invoking_gid = state_gid(),
	    .cg_dir = host_cg_dir,
	    .mount_at = host_mount_at,
	    .do_once = host_do_once,
	    .share_workdir = host_share_workdir,
	    .subjects = host_subjects,
	    .cg_group = host_cg_group,
	};
}

struct nslab_host *host_get(void)
{
	host_init();
	return &host;
}

/* --- the record --- */

static void free_list(char **list, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free(list[i]);
	*n = 0;
}

void host_clear_traces(void)
{
	free_list(R.trace, &R.ntrace);
}

void host_clear_missing(void)
{
	free_list(R.missing, &R.nmissing);
}

void host_keep_setup_traces(void)
{
	free_list(R.setup_trace, &R.nsetup);
	memcpy(R.setup_trace, R.trace, R.ntrace * sizeof(R.trace[0]));
	R.nsetup = R.ntrace;
	R.ntrace = 0;
}

char *const *host_traces(size_t *n, unsigned *step)
{
	*n = R.ntrace;
	*step = R.trace_step;
	return R.trace;
}

char *const *host_setup_traces(size_t *n)
{
	*n = R.nsetup;
	return R.setup_trace;
}

char *const *host_missing(size_t *n)
{
	*n = R.nmissing;
	return R.missing;
}

void host_set_step(unsigned step)
{
	R.step = step;
}

void host_begin(const struct nslab_lab *lab, const char *workdir)
{
	host_end();
	host_init();
	R.lab = lab;
	workdir_begin(workdir);
}

void host_end(void)
{
	host_clear_traces();
	host_clear_missing();
	free_list(R.setup_trace, &R.nsetup);
	if (R.main_pidfd >= 0)
		close(R.main_pidfd);
	R.main_pidfd = -1;
	R.main_pid = 0;
	R.lab = NULL;
	R.step = R.trace_step = 0;
	R.root[0] = '\0';
	workdir_end();
	host.lab_data = NULL;
}

pid_t host_main_pid(void)
{
	return R.main_pid;
}

const char *host_root(void)
{
	return R.root[0] ? R.root : NULL;
}

bool host_lab_cgroup(char *cg, size_t len)
{
	char path[64], buf[2048];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)R.main_pid);
	char *p = R.main_pid > 0 && read_file(path, buf, sizeof(buf)) > 0 ? strstr(buf, ":/nslab") : NULL;
	if (!p)
		return false;
	p++;
	p[strcspn(p, "\n")] = '\0';
	snprintf(cg, len, "%s", p);
	return true;
}

/* Before the lab has a root of its own, or after a chroot, that is the
 * directory the lab named; after a pivot_root that directory is a mount only
 * the lab's mount namespace has, and /proc/PID/root is the way in. */
const char *host_root_path(void)
{
	static char proc_root[64];
	if (!R.root[0])
		return NULL;
	struct stat lab, named, self;
	snprintf(proc_root, sizeof(proc_root), "/proc/%d/root", (int)R.main_pid);
	if (R.main_pid <= 0 || stat(proc_root, &lab) < 0 || stat("/", &self) < 0)
		return R.root;
	bool own_root = lab.st_dev != self.st_dev || lab.st_ino != self.st_ino;
	bool reaches = stat(R.root, &named) == 0 && named.st_dev == lab.st_dev && named.st_ino == lab.st_ino;
	return own_root && !reaches ? proc_root : R.root;
}

char *const *host_env(void)
{
	static char pid[48], root[PATH_MAX + 32], dir[PATH_MAX + 32], cg[560], cgdir[PATH_MAX + 64];
	static char *env[6];
	size_t n = 0;
	if (R.lab && R.main_pid > 0) {
		snprintf(pid, sizeof(pid), "NSLAB_LAB_PID=%d", (int)R.main_pid);
		env[n++] = pid;
		const char *r = host_root_path();
		snprintf(root, sizeof(root), "NSLAB_LAB_ROOT=%s", r ? r : "/");
		env[n++] = root;
		const char *wd = workdir_get(); /* a command may use it: made now */
		snprintf(dir, sizeof(dir), "NSLAB_LAB_DIR=%s", wd ? wd : workdir_path());
		env[n++] = dir;
		char path[512];
		if (host_lab_cgroup(path, sizeof(path))) {
			snprintf(cg, sizeof(cg), "NSLAB_LAB_CGROUP=%s", path);
			env[n++] = cg;
		}
		/* where a lab's own cgroups go in the cpu hierarchy (`cgroup` makes
		 * $NSLAB_CGROUP_DIR/cpu): the tasks' commands name it, not "DIR" */
		char mnt[PATH_MAX];
		if (host_cg_dir(&host, "", 0, mnt, sizeof(mnt)) == 0) {
			snprintf(cgdir, sizeof(cgdir), "NSLAB_CGROUP_DIR=%s/nslab/%d", mnt, (int)getpid());
			env[n++] = cgdir;
		}
	}
	env[n] = NULL;
	return env;
}

bool host_lab_alive(void)
{
	if (!R.lab || R.main_pid <= 0)
		return true; /* nothing to enter: callers say so themselves */
	if (R.main_pidfd < 0 || !pidfd_exited(R.main_pidfd, 0))
		return true;
	out_error(_("the lab process (PID %d) has exited: `reset` starts lab '%s' again"), (int)R.main_pid,
		  R.lab->id);
	errno = ESRCH;
	return false;
}

/* --- running commands --- */

int host_run(pid_t agent, const char *cmd, char **output)
{
	if (agent <= 0 && !host_lab_alive())
		return -1;
	pid_t target = agent > 0 ? agent : R.main_pid;
	if (target <= 0) {
		errno = ESRCH;
		return -1;
	}
	return ns_exec(target, cmd, host_env(), output, false);
}

int host_run_on_host(const char *cmd, char **output)
{
	return ns_exec(0, cmd, host_env(), output, false);
}

static int (*shell_runner)(pid_t target, char *const env[]);

void host_set_shell_runner(int (*run)(pid_t target, char *const env[]))
{
	shell_runner = run;
}

bool host_shell_embedded(void)
{
	return shell_runner != NULL;
}

static int shell_in(pid_t target)
{
	if (shell_runner)
		return shell_runner(target, host_env());
	return ns_exec(target, NULL, host_env(), NULL, true);
}

int host_shell(void)
{
	return shell_in(R.main_pid > 0 ? R.main_pid : 0);
}

int host_shell_on_host(void)
{
	return shell_in(0);
}
