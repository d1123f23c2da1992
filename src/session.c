/* SPDX-License-Identifier: GPL-2.0-or-later */
/* session.c: the active lab's step state machine: start, stop, check, do,
 * moving between steps, and what `status` and the views show. The services
 * the lab's plugin calls, and what it records through them, are host.c.
 * State the kernel already holds (namespaces, roots, cgroups) is never cached
 * here: checks and views read it afresh. */
#include "session.h"
#include "agent.h"
#include "cgroup.h"
#include "cleanup.h"
#include "host.h"
#include "host-guard.h"
#include "i18n.h"
#include "labcg.h"
#include "labs.h"
#include "nsexec.h"
#include "output.h"
#include "state.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/capability.h>
#include <unistd.h>

static struct {
	const struct nslab_lab *lab;
	unsigned step; /* 0-based */
	size_t mark;   /* cleanup registry depth when the lab started */
	int last_check;
	bool complete;
	size_t left; /* what stayed on the host at the last stop */
} S;

static struct session_view view;
static void (*listener)(enum session_event e);

void session_set_listener(void (*fn)(enum session_event e))
{
	listener = fn;
}

static void tell(enum session_event e)
{
	if (listener)
		listener(e);
}

/* --- the session --- */

static const struct nslab_step *cur(void)
{
	return &S.lab->steps[S.step];
}

/* The active lab's static text as shown (its own text domain). */
static const char *T(const char *s)
{
	return i18n_lab(S.lab, s);
}

static bool need_lab(void)
{
	if (S.lab)
		return true;
	out_error(_("no lab is active: `labs` lists them, `start LAB` begins one"));
	return false;
}

/* Undoes everything the lab made, its processes first. */
static void undo_lab(void)
{
	/* Every process the lab started, however detached, before the
	 * registry removes what they may still be using. */
	labcg_kill();
	ns_reap_orphans();
	agent_forget_all();
	/* What the learner's own commands changed on the host, each said. */
	size_t left = host_guard_undo(S.mark);
	unsigned failed = cleanup_failures();
	cleanup_unwind_to(S.mark);
	labcg_forget();
	/* Cgroups a learner made under nslab's tree in hierarchies nslab did
	 * not use (cgcreate -g memory:/nslab/<pid>/x) go too. */
	cgroup_remove_run(getpid());
	host_end();
	S.lab = NULL;
	S.left = left + (cleanup_failures() - failed);
}

size_t session_left(void)
{
	return S.left;
}

void session_stop(void)
{
	if (!S.lab)
		return;
	if (S.lab->teardown)
		S.lab->teardown(host_get());
	undo_lab();
	out_meter(NULL);
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
		out_kprintf(
		    OUT_NOTE,
		    _("note: no lab cgroup (making one needs root): a process a command here detaches "
		      "with setsid "
		      "may outlive the lab; run nslab with sudo to have it tracked\n"));
	else
		out_kprintf(OUT_NOTE,
			    _("note: no lab cgroup (%s): mount a cgroup2 filesystem (mount -t cgroup2 none "
			      "/sys/fs/cgroup) "
			      "so that every process a lab starts can be tracked\n"),
			    err == ENODEV ? "no cgroup2, freezer or pids hierarchy is mounted"
					  : strerror(err));
}

enum session_result session_start(const char *id)
{
	const struct nslab_lab *lab = labs_find(id);
	if (!lab) {
		const char *near = labs_closest(id);
		if (near)
			out_error(_("unknown lab '%s' (did you mean '%s'?)"), id, near);
		else
			out_error(_("unknown lab '%s' (`labs` lists them)"), id);
		return SESSION_FAILED;
	}
	struct nslab_host *host = host_get();
	bool unpriv_ok =
	    lab->size >= offsetof(struct nslab_lab, unprivileged) + sizeof(bool) && lab->unprivileged;
	if (!unpriv_ok && !have_cap(CAP_SYS_ADMIN)) {
		out_error(
		    _("lab '%s' needs CAP_SYS_ADMIN (namespaces, mounts, cgroups): run nslab with sudo"), id);
		return SESSION_FAILED;
	}
	const char *why = lab->unsupported ? lab->unsupported(host) : NULL;
	if (why) {
		out_error(_("lab '%s' cannot run here: %s"), id, why);
		return SESSION_FAILED;
	}
	session_stop();
	if (!cleanup_run_dir()) {
		const char *why = cleanup_init_error();
		out_error(_("no run directory%s%s"), why ? ": " : "",
			  why ? why : _(" (run nslab with sudo)"));
		return SESSION_FAILED;
	}
	char workdir[PATH_MAX];
	snprintf(workdir, sizeof(workdir), "%s/%s", cleanup_run_dir(), lab->id);
	S = (typeof(S)){.lab = lab, .mark = cleanup_mark(), .last_check = -1};
	host_begin(lab, workdir); /* made when the lab or a command first needs it */
	make_lab_cgroup();
	if (lab->setup(host) < 0) {
		out_error(_("lab '%s' could not be set up; everything it made was removed"), id);
		undo_lab();
		return SESSION_FAILED;
	}
	host_keep_setup_traces();
	out_printf("== %s ==\n", i18n_lab(lab, lab->title));
	out_para(OUT_TEXT, i18n_lab(lab, lab->summary));
	unsigned done = state_done_count(lab->id);
	if (done)
		out_printf(_("(your progress: %u of %u steps done earlier; `step N` jumps)\n"), done,
			   lab->nsteps);
	session_print_step();
	return SESSION_OK;
}

enum session_result session_reset(void)
{
	if (!need_lab())
		return SESSION_NO_LAB;
	const char *id = S.lab->id;
	out_printf(_("resetting lab '%s': undoing everything it made\n"), id);
	return session_start(id);
}

void session_print_step(void)
{
	if (!need_lab())
		return;
	out_printf(_("\n-- step %u/%u: %s --\n"), S.step + 1, S.lab->nsteps, T(cur()->title));
	out_para(OUT_TEXT, T(cur()->task));
}

/* Progress that cannot be saved is said once, not silently lost. */
static void save_progress(void)
{
	static bool warned;
	if (state_save() == 0 || warned)
		return;
	warned = true;
	out_error(_("cannot save progress in %s: %s"), state_dir(), strerror(errno));
}

static void flush_missing(void)
{
	size_t n;
	char *const *missing = host_missing(&n);
	for (size_t i = 0; i < n; i++)
		out_kprintf(OUT_MISSING, _("  missing: %s\n"), missing[i]);
	host_clear_missing();
}

static void print_traces(char *const *trace, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out_kprintf(OUT_TRACE, "  %s\n", trace[i]);
}

enum session_result session_check(void)
{
	if (!need_lab())
		return SESSION_NO_LAB;
	host_clear_missing();
	char head[512];
	snprintf(head, sizeof(head), _("step %u/%u: %s"), S.step + 1, S.lab->nsteps, T(cur()->title));
	bool ok = cur()->check(host_get());
	S.last_check = ok;
	if (ok) {
		out_kprintf(OUT_OK, _("check: ok - %s\n"), head);
		flush_missing();
		state_mark_done(S.lab->id, S.step + 1);
		save_progress();
		if (S.step + 1 == S.lab->nsteps)
			S.complete = true;
		return SESSION_OK;
	}
	out_kprintf(OUT_NOTYET, _("check: not yet - %s\n"), head);
	tell(SESSION_EV_CHECK_FAILED);
	size_t nmissing;
	host_missing(&nmissing);
	if (!nmissing)
		out_kprintf(OUT_MISSING, _("  missing: the end state of this step (try `hint`)\n"));
	flush_missing();
	return SESSION_NOT_YET;
}

/* Does the current step's check pass already? Asked quietly: what it would
 * say is missing is dropped. */
static bool step_already_done(void)
{
	bool ok = cur()->check(host_get());
	host_clear_missing();
	return ok;
}

enum session_result session_do(void)
{
	if (!need_lab())
		return SESSION_NO_LAB;
	if (!cur()->perform) {
		out_error(_("step %u has no `do`: this one is for you to try"), S.step + 1);
		return SESSION_FAILED;
	}
	if (step_already_done()) {
		out_printf(
		    "do: step %u/%u is already done (its check passes): nothing to do; `next` goes on\n",
		    S.step + 1, S.lab->nsteps);
		return SESSION_OK;
	}
	out_printf(_("do: step %u/%u: %s\n"), S.step + 1, S.lab->nsteps, T(cur()->title));
	host_clear_traces(); /* `explain` shows the syscalls of the latest `do` */
	host_set_step(S.step);
	tell(SESSION_EV_DO);
	int rc = cur()->perform(host_get());
	size_t n;
	unsigned step;
	char *const *trace = host_traces(&n, &step);
	print_traces(trace, n);
	return rc < 0 ? SESSION_FAILED : SESSION_OK;
}

enum session_result session_goto(unsigned step)
{
	if (!need_lab())
		return SESSION_NO_LAB;
	if (step < 1 || step > S.lab->nsteps) {
		out_error(_("lab '%s' has steps 1 to %u"), S.lab->id, S.lab->nsteps);
		return SESSION_FAILED;
	}
	if (S.step != step - 1) {
		S.step = step - 1;
		S.last_check = -1;
		host_set_step(S.step);
	}
	session_print_step();
	return SESSION_OK;
}

/* The default of `catchup`: the first step the learner has not done (by
 * their progress), else the last one. */
static unsigned first_not_done(void)
{
	for (unsigned i = 1; i <= S.lab->nsteps; i++)
		if (!state_is_done(S.lab->id, i))
			return i;
	return S.lab->nsteps;
}

/* One earlier step brought to its end state, said in one line. */
static bool catch_one(unsigned i)
{
	S.step = i - 1;
	host_set_step(S.step);
	if (step_already_done()) {
		out_kprintf(OUT_OK, _("catchup: step %u/%u %s: already done\n"), i, S.lab->nsteps,
			    T(cur()->title));
		return true;
	}
	if (!cur()->perform) {
		out_error(_("catchup: step %u has no `do`: do it yourself (`step %u`), then `catchup` again"),
			  i, i);
		return false;
	}
	host_clear_traces();
	int rc = cur()->perform(host_get());
	bool ok = rc >= 0 && cur()->check(host_get());
	if (!ok) {
		out_kprintf(OUT_NOTYET, _("catchup: step %u/%u %s: `do` did not reach its end state\n"), i,
			    S.lab->nsteps, T(cur()->title));
		flush_missing();
		return false;
	}
	host_clear_missing();
	state_mark_done(S.lab->id, i);
	out_kprintf(OUT_OK, _("catchup: step %u/%u %s: done by `do`\n"), i, S.lab->nsteps, T(cur()->title));
	return true;
}

enum session_result session_catchup(unsigned target)
{
	if (!need_lab())
		return SESSION_NO_LAB;
	if (!target)
		target = first_not_done();
	if (target < 1 || target > S.lab->nsteps) {
		out_error(_("lab '%s' has steps 1 to %u"), S.lab->id, S.lab->nsteps);
		return SESSION_FAILED;
	}
	for (unsigned i = 1; i < target; i++) {
		if (!catch_one(i)) {
			S.last_check = -1;
			session_print_step();
			return SESSION_FAILED;
		}
	}
	save_progress();
	S.last_check = -1;
	return session_goto(target);
}

enum session_result session_next(void)
{
	if (!need_lab())
		return SESSION_NO_LAB;
	if (S.step + 1 >= S.lab->nsteps) {
		S.complete = true;
		out_printf(_("lab '%s' complete: all %u steps done. It stays active until `stop`, `start` or "
			     "`quit`.\n"),
			   S.lab->id, S.lab->nsteps);
		return SESSION_OK;
	}
	return session_goto(S.step + 2);
}

enum session_result session_prev(void)
{
	if (!need_lab())
		return SESSION_NO_LAB;
	if (S.step == 0) {
		out_printf(_("already at the first step\n"));
		return SESSION_OK;
	}
	return session_goto(S.step);
}

enum session_result session_hint(void)
{
	if (!need_lab())
		return SESSION_NO_LAB;
	_cleanup_free_ char *hint = NULL;
	if (asprintf(&hint, _("hint: %s"),
		     cur()->hint ? T(cur()->hint) : _("no hint for this step: read the task again")) < 0)
		hint = NULL;
	out_para(OUT_TEXT, hint ? hint : T(cur()->hint));
	tell(SESSION_EV_HINT);
	return SESSION_OK;
}

enum session_result session_explain(void)
{
	if (!need_lab())
		return SESSION_NO_LAB;
	out_para(OUT_TEXT, cur()->explain ? T(cur()->explain) : _("(no explanation for this step)"));
	size_t n, nsetup;
	unsigned step;
	char *const *trace = host_traces(&n, &step);
	if (n && step == S.step) {
		out_printf(_("syscalls nslab made for this step:\n"));
		print_traces(trace, n);
	} else {
		out_printf(_("(nslab has made no syscalls for this step yet: `do` performs it)\n"));
	}
	char *const *setup = host_setup_traces(&nsetup);
	if (S.step == 0 && nsetup) {
		out_printf(_("when it set the lab up, nslab made:\n"));
		print_traces(setup, nsetup);
	}
	return SESSION_OK;
}

void session_status(void)
{
	char cg[512] = "-";
	if (!S.lab) {
		out_printf("lab: -\nstep: -\npid: -\nroot: -\ncgroup: -\n");
		return;
	}
	host_lab_cgroup(cg, sizeof(cg));
	const char *root = host_root_path(), *labcg = labcg_dir();
	out_printf("lab: %s\nstep: %u/%u%s\npid: %d\nroot: %s\ncgroup: %s\nlab cgroup: %s\n", S.lab->id,
		   S.step + 1, S.lab->nsteps, S.complete ? " (complete)" : "", (int)host_main_pid(),
		   root ? root : "-", cg,
		   labcg ? labcg : "- (none: its processes are tracked by process group)");
}

enum cmd_status session_lab_call(const struct nslab_command *c, int argc, char **argv)
{
	return c->fn(host_get(), argc, argv) < 0 ? CMD_FAILED : CMD_OK;
}

const struct nslab_command *session_lab_commands(unsigned *n)
{
	*n = S.lab ? S.lab->ncommands : 0;
	return S.lab ? S.lab->commands : NULL;
}

/* --- running commands --- */

/* The learner's own commands, with the host compared before and after. */
static int guarded(const char *word, const char *cmd, int (*fn)(const char *cmd))
{
	host_guard_before();
	int st = fn(cmd);
	char *line = NULL;
	if (asprintf(&line, "%s%s%s", word, cmd ? " " : "", cmd ? cmd : "") < 0)
		line = NULL;
	host_guard_after(line ? line : word, S.lab != NULL);
	free(line);
	return st;
}

static int run_in_lab(const char *cmd)
{
	return host_run(0, cmd, NULL);
}

static int run_on_host(const char *cmd)
{
	return host_run_on_host(cmd, NULL);
}

static int run_shell(const char *cmd)
{
	(void)cmd;
	return host_shell();
}

int session_run(const char *cmd)
{
	return guarded("run", cmd, run_in_lab);
}

int session_host_run(const char *cmd)
{
	return guarded("host", cmd, run_on_host);
}

int session_shell(void)
{
	return guarded("shell", NULL, run_shell);
}

static int run_shell_on_host(const char *cmd)
{
	(void)cmd;
	return host_shell_on_host();
}

int session_shell_host(void)
{
	return guarded("shell host", NULL, run_shell_on_host);
}

pid_t session_main_pid(void)
{
	return host_main_pid();
}

bool session_lab_alive(void)
{
	return host_lab_alive();
}

void session_tick(void)
{
	static struct timespec last;
	tell(SESSION_EV_TICK);
	/* Older plugins end before the field: read it only if their size covers it. */
	if (!S.lab || S.lab->size < offsetof(struct nslab_lab, tick) + sizeof(S.lab->tick) || !S.lab->tick)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - last.tv_sec + (now.tv_nsec - last.tv_nsec) / 1e9 < 1.0)
		return;
	last = now;
	S.lab->tick(host_get());
}

const struct session_view *session_view(void)
{
	view = (struct session_view){.lab = S.lab,
				     .last_check = S.last_check,
				     .complete = S.complete,
				     .main_pid = host_main_pid(),
				     .root = host_root()};
	if (S.lab) {
		view.step = S.step + 1;
		view.nsteps = S.lab->nsteps;
		view.step_title = cur()->title;
		view.task = cur()->task;
	}
	return &view;
}
