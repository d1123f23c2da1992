/* SPDX-License-Identifier: GPL-2.0-or-later */
/* session.c: the active lab and the host services handed to its plugin.
 * State the kernel already holds (namespaces, roots, cgroups) is never cached
 * here: checks and views read it afresh. */
#include "session.h"
#include "agent.h"
#include "cgroup.h"
#include "cleanup.h"
#include "labcg.h"
#include "labs.h"
#include "mounts.h"
#include "nsview.h"
#include "output.h"
#include "pidfd.h"
#include "rootfs.h"
#include "state.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TRACE 64

static struct {
	const struct nslab_lab *lab;
	unsigned step; /* 0-based */
	size_t mark;   /* cleanup registry depth when the lab started */
	pid_t main_pid;
	int main_pidfd; /* the lab's main process, as started: -1 none */
	char root[PATH_MAX];
	char workdir[PATH_MAX];
	char *trace[MAX_TRACE];
	size_t ntrace;
	unsigned trace_step;
	int last_check;
	bool complete;
	bool in_check;
	unsigned nmissing;
	char *missing[MAX_TRACE];
	char *setup_trace[MAX_TRACE]; /* what setup() recorded, shown apart from the steps' */
	size_t nsetup;
} S;

static struct nslab_host host;
static struct session_view view;

/* --- host services --- */

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
		if (S.nmissing < MAX_TRACE)
			S.missing[S.nmissing++] = s;
		else
			free(s);
	}
	va_end(ap);
}

static void h_trace(struct nslab_host *h, const char *fmt, ...)
{
	(void)h;
	if (S.trace_step != S.step) { /* traces belong to one step */
		for (size_t i = 0; i < S.ntrace; i++)
			free(S.trace[i]);
		S.ntrace = 0;
		S.trace_step = S.step;
	}
	if (S.ntrace == MAX_TRACE)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&S.trace[S.ntrace], fmt, ap) >= 0)
		S.ntrace++;
	va_end(ap);
}

static void h_meter(struct nslab_host *h, const char *text)
{
	(void)h;
	out_meter(text);
}

/* ABI 2: a spawn request is read at the plugin's size (how->size), zero beyond. */
static pid_t h_spawn(struct nslab_host *h, const struct nslab_spawn *plugin_how)
{
	(void)h;
	struct nslab_spawn how = {0};
	if (!plugin_how || plugin_how->size < offsetof(struct nslab_spawn, label) + sizeof(how.label)) {
		out_error("spawn: struct nslab_spawn has no size (set .size = sizeof(struct nslab_spawn))");
		errno = EINVAL;
		return -1;
	}
	memcpy(&how, plugin_how, plugin_how->size < sizeof(how) ? plugin_how->size : sizeof(how));
	how.size = sizeof(how);
	pid_t pid = agent_spawn(&how);
	if (pid > 0 && S.main_pid <= 0) {
		S.main_pid = pid;
		S.main_pidfd = pidfd_open_pid(pid);
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
	if (agent <= 0 && !session_lab_alive())
		return -1;
	pid_t target = agent > 0 ? agent : S.main_pid;
	if (target <= 0) {
		errno = ESRCH;
		return -1;
	}
	return ns_exec(target, cmd, session_env(), output, false);
}

static int h_host_run(struct nslab_host *h, const char *cmd, char **output)
{
	(void)h;
	return ns_exec(0, cmd, session_env(), output, false);
}

static pid_t h_main_pid(struct nslab_host *h)
{
	(void)h;
	return S.main_pid;
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

static const char *h_workdir(struct nslab_host *h)
{
	(void)h;
	return S.workdir;
}

static void h_set_root(struct nslab_host *h, const char *path)
{
	(void)h;
	snprintf(S.root, sizeof(S.root), "%s", path ? path : "");
}

static const char *h_root(struct nslab_host *h)
{
	(void)h;
	return S.root[0] ? S.root : NULL;
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
	int r = agent_call(S.main_pid, fn, arg, arg ? strlen(arg) + 1 : 0, out, sizeof(out));
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
	};
}

struct nslab_host *session_host(void)
{
	host_init();
	return &host;
}

/* --- the session --- */

static void clear_traces(void)
{
	for (size_t i = 0; i < S.ntrace; i++)
		free(S.trace[i]);
	S.ntrace = 0;
}

static void clear_setup_traces(void)
{
	for (size_t i = 0; i < S.nsetup; i++)
		free(S.setup_trace[i]);
	S.nsetup = 0;
}

/* The syscalls setup() made belong to the lab, not to step 1. */
static void keep_setup_traces(void)
{
	clear_setup_traces();
	memcpy(S.setup_trace, S.trace, S.ntrace * sizeof(S.trace[0]));
	S.nsetup = S.ntrace;
	S.ntrace = 0;
}

static const struct nslab_step *cur(void)
{
	return &S.lab->steps[S.step];
}

static bool need_lab(void)
{
	if (S.lab)
		return true;
	out_error("no lab is active: `labs` lists them, `start LAB` begins one");
	return false;
}

/* Undoes everything the lab made, its processes first. */
static void undo_lab(void)
{
	/* Every process the lab started, however detached, before the
	 * registry removes what they may still be using. */
	labcg_kill();
	agent_reap_orphans();
	agent_forget_all();
	cleanup_unwind_to(S.mark);
	labcg_forget();
	/* Cgroups a learner made under nslab's tree in hierarchies nslab did
	 * not use (cgcreate -g memory:/nslab/<pid>/x) go too. */
	cgroup_remove_run(getpid());
	if (S.main_pidfd >= 0)
		close(S.main_pidfd);
	S.main_pidfd = -1;
	S.lab = NULL;
	S.main_pid = 0;
}

void session_stop(void)
{
	if (!S.lab)
		return;
	if (S.lab->teardown)
		S.lab->teardown(&host);
	undo_lab();
	out_meter(NULL);
	clear_traces();
	clear_setup_traces();
	host.lab_data = NULL;
	S.root[0] = S.workdir[0] = '\0';
}

/* Without a lab cgroup, what the lab's commands detach is tracked by process
 * group only: say so once, with what would give one. */
static void make_lab_cgroup(void)
{
	static bool said;
	if (labcg_create() == 0 || said)
		return;
	said = true;
	int err = errno;
	if (err == EACCES || err == EPERM)
		out_kprintf(OUT_NOTE,
			    "note: no lab cgroup (making one needs root): a process a command here detaches "
			    "with setsid "
			    "may outlive the lab; run nslab with sudo to have it tracked\n");
	else
		out_kprintf(OUT_NOTE,
			    "note: no lab cgroup (%s): mount a cgroup2 filesystem (mount -t cgroup2 none "
			    "/sys/fs/cgroup) "
			    "so that every process a lab starts can be tracked\n",
			    err == ENODEV ? "no cgroup2, freezer or pids hierarchy is mounted"
					  : strerror(err));
}

int session_start(const char *id)
{
	const struct nslab_lab *lab = labs_find(id);
	if (!lab) {
		const char *near = labs_closest(id);
		if (near)
			out_error("unknown lab '%s' (did you mean '%s'?)", id, near);
		else
			out_error("unknown lab '%s' (`labs` lists them)", id);
		return -1;
	}
	host_init();
	bool unpriv_ok =
	    lab->size >= offsetof(struct nslab_lab, unprivileged) + sizeof(bool) && lab->unprivileged;
	if (!unpriv_ok && !have_cap(CAP_SYS_ADMIN)) {
		out_error("lab '%s' needs CAP_SYS_ADMIN (namespaces, mounts, cgroups): run nslab with sudo",
			  id);
		return -1;
	}
	const char *why = lab->unsupported ? lab->unsupported(&host) : NULL;
	if (why) {
		out_error("lab '%s' cannot run here: %s", id, why);
		return -1;
	}
	session_stop();
	S = (typeof(S)){.lab = lab, .mark = cleanup_mark(), .last_check = -1, .main_pidfd = -1};
	if (!cleanup_run_dir()) {
		const char *why = cleanup_init_error();
		out_error("no run directory%s%s", why ? ": " : "", why ? why : " (run nslab with sudo)");
		S.lab = NULL;
		return -1;
	}
	snprintf(S.workdir, sizeof(S.workdir), "%s/%s", cleanup_run_dir(), lab->id);
	if (mkdir_p(S.workdir, 0755) < 0 || cleanup_keep(NSLAB_OBJ_DIR, S.workdir) < 0) {
		out_error("cannot make %s: %s", S.workdir, strerror(errno));
		S.lab = NULL;
		return -1;
	}
	make_lab_cgroup();
	if (lab->setup(&host) < 0) {
		out_error("lab '%s' could not be set up; everything it made was removed", id);
		undo_lab();
		return -1;
	}
	keep_setup_traces();
	out_printf("== %s ==\n%s\n", lab->title, lab->summary);
	unsigned done = state_done_count(lab->id);
	if (done)
		out_printf("(your progress: %u of %u steps done earlier; `step N` jumps)\n", done,
			   lab->nsteps);
	session_print_step();
	return 0;
}

int session_reset(void)
{
	if (!need_lab())
		return -1;
	const char *id = S.lab->id;
	out_printf("resetting lab '%s': undoing everything it made\n", id);
	return session_start(id);
}

void session_print_step(void)
{
	if (!need_lab())
		return;
	out_printf("\n-- step %u/%u: %s --\n%s\n", S.step + 1, S.lab->nsteps, cur()->title, cur()->task);
}

/* Progress that cannot be saved is said once, not silently lost. */
static void save_progress(void)
{
	static bool warned;
	if (state_save() == 0 || warned)
		return;
	warned = true;
	out_error("cannot save progress in %s: %s", state_dir(), strerror(errno));
}

static void flush_missing(void)
{
	for (unsigned i = 0; i < S.nmissing; i++) {
		out_kprintf(OUT_MISSING, "  missing: %s\n", S.missing[i]);
		free(S.missing[i]);
	}
	S.nmissing = 0;
}

int session_check(void)
{
	if (!need_lab())
		return -1;
	S.nmissing = 0;
	char head[256];
	snprintf(head, sizeof(head), "step %u/%u: %s", S.step + 1, S.lab->nsteps, cur()->title);
	bool ok = cur()->check(&host);
	S.last_check = ok;
	if (ok) {
		out_kprintf(OUT_OK, "check: ok - %s\n", head);
		flush_missing();
		state_mark_done(S.lab->id, S.step + 1);
		save_progress();
		if (S.step + 1 == S.lab->nsteps)
			S.complete = true;
		return 0;
	}
	out_kprintf(OUT_NOTYET, "check: not yet - %s\n", head);
	if (!S.nmissing)
		out_kprintf(OUT_MISSING, "  missing: the end state of this step (try `hint`)\n");
	flush_missing();
	return 1;
}

/* Does the current step's check pass already? Asked quietly: what it would
 * say is missing is dropped. */
static bool step_already_done(void)
{
	bool ok = cur()->check(&host);
	for (unsigned i = 0; i < S.nmissing; i++)
		free(S.missing[i]);
	S.nmissing = 0;
	return ok;
}

int session_do(void)
{
	if (!need_lab())
		return -1;
	if (!cur()->perform) {
		out_error("step %u has no `do`: this one is for you to try", S.step + 1);
		return -1;
	}
	if (step_already_done()) {
		out_printf(
		    "do: step %u/%u is already done (its check passes): nothing to do; `next` goes on\n",
		    S.step + 1, S.lab->nsteps);
		return 0;
	}
	out_printf("do: step %u/%u: %s\n", S.step + 1, S.lab->nsteps, cur()->title);
	clear_traces(); /* `explain` shows the syscalls of the latest `do` */
	S.trace_step = S.step;
	int rc = cur()->perform(&host);
	for (size_t i = 0; i < S.ntrace; i++)
		out_kprintf(OUT_TRACE, "  %s\n", S.trace[i]);
	return rc < 0 ? -1 : 0;
}

int session_goto(unsigned step)
{
	if (!need_lab())
		return -1;
	if (step < 1 || step > S.lab->nsteps) {
		out_error("lab '%s' has steps 1 to %u", S.lab->id, S.lab->nsteps);
		return -1;
	}
	if (S.step != step - 1) {
		S.step = step - 1;
		S.last_check = -1;
	}
	session_print_step();
	return 0;
}

int session_next(void)
{
	if (!need_lab())
		return -1;
	if (S.step + 1 >= S.lab->nsteps) {
		S.complete = true;
		out_printf("lab '%s' complete: all %u steps done. It stays active until `stop`, `start` or "
			   "`quit`.\n",
			   S.lab->id, S.lab->nsteps);
		return 0;
	}
	return session_goto(S.step + 2);
}

int session_prev(void)
{
	if (!need_lab())
		return -1;
	if (S.step == 0) {
		out_printf("already at the first step\n");
		return 0;
	}
	return session_goto(S.step);
}

void session_hint(void)
{
	if (!need_lab())
		return;
	out_printf("hint: %s\n", cur()->hint ? cur()->hint : "no hint for this step: read the task again");
}

void session_explain(void)
{
	if (!need_lab())
		return;
	out_printf("%s\n", cur()->explain ? cur()->explain : "(no explanation for this step)");
	if (S.ntrace && S.trace_step == S.step) {
		out_printf("syscalls nslab made for this step:\n");
		for (size_t i = 0; i < S.ntrace; i++)
			out_kprintf(OUT_TRACE, "  %s\n", S.trace[i]);
	} else {
		out_printf("(nslab has made no syscalls for this step yet: `do` performs it)\n");
	}
	if (S.step == 0 && S.nsetup) {
		out_printf("when it set the lab up, nslab made:\n");
		for (size_t i = 0; i < S.nsetup; i++)
			out_kprintf(OUT_TRACE, "  %s\n", S.setup_trace[i]);
	}
}

/* The lab's cgroup as /proc/PID/cgroup writes it: the first nslab path in
 * any hierarchy. False when the lab has none. */
static bool lab_cgroup(char *cg, size_t len)
{
	char path[64], buf[2048];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)S.main_pid);
	char *p = S.main_pid > 0 && read_file(path, buf, sizeof(buf)) > 0 ? strstr(buf, ":/nslab") : NULL;
	if (!p)
		return false;
	p++;
	p[strcspn(p, "\n")] = '\0';
	snprintf(cg, len, "%s", p);
	return true;
}

/* A host path that reaches the lab's root. Before the lab has a root of its
 * own, or after a chroot, that is the directory the lab named; after a
 * pivot_root that directory is a mount only the lab's mount namespace has,
 * and /proc/PID/root is the way in. */
static const char *root_path(void)
{
	static char proc_root[64];
	if (!S.root[0])
		return NULL;
	struct stat lab, named, host;
	snprintf(proc_root, sizeof(proc_root), "/proc/%d/root", (int)S.main_pid);
	if (S.main_pid <= 0 || stat(proc_root, &lab) < 0 || stat("/", &host) < 0)
		return S.root;
	bool own_root = lab.st_dev != host.st_dev || lab.st_ino != host.st_ino;
	bool reaches = stat(S.root, &named) == 0 && named.st_dev == lab.st_dev && named.st_ino == lab.st_ino;
	return own_root && !reaches ? proc_root : S.root;
}

void session_status(void)
{
	char cg[512] = "-";
	if (!S.lab) {
		out_printf("lab: -\nstep: -\npid: -\nroot: -\ncgroup: -\n");
		return;
	}
	lab_cgroup(cg, sizeof(cg));
	const char *root = root_path(), *labcg = labcg_dir();
	out_printf("lab: %s\nstep: %u/%u%s\npid: %d\nroot: %s\ncgroup: %s\nlab cgroup: %s\n", S.lab->id,
		   S.step + 1, S.lab->nsteps, S.complete ? " (complete)" : "", (int)S.main_pid,
		   root ? root : "-", cg,
		   labcg ? labcg : "- (none: its processes are tracked by process group)");
}

int session_lab_command(int argc, char **argv)
{
	if (!S.lab)
		return -2;
	for (unsigned i = 0; i < S.lab->ncommands; i++) {
		const struct nslab_command *c = &S.lab->commands[i];
		if (strcmp(c->name, argv[0]) != 0)
			continue;
		if (argc - 1 < c->min_args || (c->max_args >= 0 && argc - 1 > c->max_args)) {
			out_error("usage: %s", c->usage ? c->usage : c->name);
			return 2;
		}
		return c->fn(&host, argc, argv) < 0 ? 1 : 0;
	}
	return -2;
}

const struct nslab_command *session_lab_commands(unsigned *n)
{
	*n = S.lab ? S.lab->ncommands : 0;
	return S.lab ? S.lab->commands : NULL;
}

char *const *session_env(void)
{
	static char pid[48], root[PATH_MAX + 32], dir[PATH_MAX + 32], cg[560];
	static char *env[5];
	size_t n = 0;
	if (S.lab && S.main_pid > 0) {
		snprintf(pid, sizeof(pid), "NSLAB_LAB_PID=%d", (int)S.main_pid);
		env[n++] = pid;
		const char *r = root_path();
		snprintf(root, sizeof(root), "NSLAB_LAB_ROOT=%s", r ? r : "/");
		env[n++] = root;
		snprintf(dir, sizeof(dir), "NSLAB_LAB_DIR=%s", S.workdir);
		env[n++] = dir;
		char path[512];
		if (lab_cgroup(path, sizeof(path))) {
			snprintf(cg, sizeof(cg), "NSLAB_LAB_CGROUP=%s", path);
			env[n++] = cg;
		}
	}
	env[n] = NULL;
	return env;
}

pid_t session_main_pid(void)
{
	return S.main_pid;
}

bool session_lab_alive(void)
{
	if (!S.lab || S.main_pid <= 0)
		return true; /* nothing to enter: callers say so themselves */
	if (S.main_pidfd < 0 || !pidfd_exited(S.main_pidfd, 0))
		return true;
	out_error("the lab process (PID %d) has exited: `reset` starts lab '%s' again", (int)S.main_pid,
		  S.lab->id);
	errno = ESRCH;
	return false;
}

void session_tick(void)
{
	static struct timespec last;
	/* Older plugins end before the field: read it only if their size covers it. */
	if (!S.lab || S.lab->size < offsetof(struct nslab_lab, tick) + sizeof(S.lab->tick) || !S.lab->tick)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - last.tv_sec + (now.tv_nsec - last.tv_nsec) / 1e9 < 1.0)
		return;
	last = now;
	S.lab->tick(&host);
}

const struct session_view *session_view(void)
{
	view = (struct session_view){.lab = S.lab,
				     .last_check = S.last_check,
				     .complete = S.complete,
				     .main_pid = S.main_pid,
				     .root = S.root[0] ? S.root : NULL};
	if (S.lab) {
		view.step = S.step + 1;
		view.nsteps = S.lab->nsteps;
		view.step_title = cur()->title;
		view.task = cur()->task;
	}
	return &view;
}
