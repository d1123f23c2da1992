/* SPDX-License-Identifier: GPL-2.0-or-later */
/* builtins.c: nslab's own commands, one function each, and their rows in the
 * command table (commands.h), as tmux's cmd-*.c. What a command does to a
 * lab goes through the session; the table's mechanics are commands.c. */
#include "commands.h"
#include "host-guard.h"
#include "host.h"
#include "i18n.h"
#include "labs.h"
#include "nstable.h"
#include "nsview.h"
#include "output.h"
#include "record.h"
#include "repl.h"
#include "session.h"
#include "state.h"
#include "trace.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Every command has the signature of struct command's fn; most use none of
 * its arguments. */
#define CMD_FN(name)                                                                                         \
	static enum cmd_status name(int argc __attribute__((unused)), char **argv __attribute__((unused)),   \
				    unsigned flags __attribute__((unused)))

static enum cmd_status session_status_of(enum session_result r)
{
	return r == SESSION_OK ? CMD_OK : CMD_FAILED;
}

/* --- labs and steps --- */

CMD_FN(cmd_labs)
{
	if (!labs_count()) {
		out_printf(_("no labs found: check --lab-path or NSLAB_LAB_PATH\n"));
		return CMD_OK;
	}
	for (size_t i = 0; i < labs_count(); i++) {
		const struct nslab_lab *l = labs_get(i);
		out_printf("  %-14s %u/%u  %s\n", l->id, state_done_count(l->id), l->nsteps,
			   i18n_lab(l, l->title));
	}
	return CMD_OK;
}

CMD_FN(cmd_start)
{
	return session_status_of(session_start(argv[1]));
}

CMD_FN(cmd_stop)
{
	const struct session_view *v = session_view();
	if (!v->lab) {
		out_printf(_("no lab is active\n"));
		return CMD_OK;
	}
	const char *id = v->lab->id;
	session_stop();
	size_t left = session_left();
	if (left)
		out_kprintf(OUT_WARNING,
			    ngettext("lab '%s' stopped; %zu thing stayed on the host (said above)\n",
				     "lab '%s' stopped; %zu things stayed on the host (said above)\n", left),
			    id, left);
	else
		out_printf(_("lab '%s' stopped; everything it made was removed\n"), id);
	return CMD_OK;
}

CMD_FN(cmd_reset)
{
	return session_status_of(session_reset());
}

CMD_FN(cmd_status)
{
	session_status();
	return CMD_OK;
}

CMD_FN(cmd_progress)
{
	for (size_t i = 0; i < labs_count(); i++) {
		const struct nslab_lab *l = labs_get(i);
		char marks[40];
		unsigned k = 0;
		for (unsigned s = 1; s <= l->nsteps && k < sizeof(marks) - 1; s++)
			marks[k++] = state_is_done(l->id, s) ? '#' : '.';
		marks[k] = '\0';
		out_printf("  %-14s [%s] %u/%u\n", l->id, marks, state_done_count(l->id), l->nsteps);
	}
	if (state_memory_only())
		out_printf(_("(kept in memory only: %s holds a symlink nslab refuses to write through)\n"),
			   state_dir());
	else if (state_writable())
		out_printf(_("(saved in %s)\n"), state_dir());
	else
		out_printf(_("(not saved: %s is not writable)\n"), state_dir());
	return CMD_OK;
}

CMD_FN(cmd_step)
{
	const struct session_view *v = session_view();
	if (argc == 1) {
		session_print_step();
		return v->lab ? CMD_OK : CMD_FAILED;
	}
	long long n;
	int err = parse_long_range(argv[1], 1, v->lab ? (long long)v->nsteps : LLONG_MAX, &n);
	if (err == ERANGE && v->lab) {
		out_error(_("step must be 1 to %u"), v->nsteps);
		return CMD_USAGE;
	}
	if (err) {
		out_error(_("usage: step [N]  (N from 1)"));
		return CMD_USAGE;
	}
	/* No lab: session_goto says so. */
	return session_status_of(session_goto(v->lab ? (unsigned)n : 1));
}

/* `catchup [N]`: a late learner joins at step N (default: the first step
 * not done), every earlier step performed and checked. */
CMD_FN(cmd_catchup)
{
	const struct session_view *v = session_view();
	long long n = 0;
	if (argc > 1) {
		int err = parse_long_range(argv[1], 1, v->lab ? (long long)v->nsteps : LLONG_MAX, &n);
		if (err == ERANGE && v->lab) {
			out_error(_("catchup: step must be 1 to %u"), v->nsteps);
			return CMD_USAGE;
		}
		if (err) {
			out_error(_("usage: catchup [N]  (N from 1)"));
			return CMD_USAGE;
		}
	}
	return session_status_of(session_catchup((unsigned)n));
}

CMD_FN(cmd_next)
{
	return session_status_of(session_next());
}

CMD_FN(cmd_prev)
{
	return session_status_of(session_prev());
}

CMD_FN(cmd_check)
{
	return session_status_of(session_check());
}

CMD_FN(cmd_do)
{
	return session_status_of(session_do());
}

CMD_FN(cmd_hint)
{
	return session_status_of(session_hint());
}

CMD_FN(cmd_explain)
{
	enum session_result r = session_explain();
	const struct session_view *v = session_view();
	if (r == SESSION_OK && v->lab)
		trace_print_last(v->lab->id); /* the learner's own calls, beside nslab's */
	return session_status_of(r);
}

/* --- running commands --- */

static void report_status(int st)
{
	if (st < 0)
		out_printf(_("[could not start the command: %s]\n"), strerror(errno));
	else
		out_printf(_("[exit %d]\n"), st);
}

CMD_FN(cmd_run)
{
	if (session_main_pid() <= 0) {
		out_error(_("run needs an active lab (`start LAB`); `host CMD` runs on the host"));
		return CMD_FAILED;
	}
	if (!session_lab_alive())
		return CMD_FAILED;
	report_status(session_run(argv[1]));
	return CMD_OK; /* the command's own failure is reported, not ours */
}

CMD_FN(cmd_host)
{
	report_status(session_host_run(argv[1]));
	return CMD_OK;
}

CMD_FN(cmd_shell)
{
	bool on_host = argc > 1;
	if (on_host && strcmp(argv[1], "host") != 0) {
		out_error(_("usage: shell [host]"));
		return CMD_USAGE;
	}
	if (!on_host && !session_lab_alive())
		return CMD_FAILED;
	const struct session_view *v = session_view();
	bool embedded = host_shell_embedded();
	const char *back = embedded ? _("`exit` comes back to nslab, Ctrl-] to the prompt (`shell` returns)")
				    : _("`exit` comes back to nslab");
	char banner[600];
	if (!on_host && session_main_pid() > 0)
		snprintf(banner, sizeof(banner), _("shell in lab %s (lab process %d): %s\n"),
			 v && v->lab ? v->lab->id : "?", (int)session_main_pid(), back);
	else
		snprintf(banner, sizeof(banner), _("%s: a shell on the host; %s\n"),
			 on_host ? "shell host" : _("no lab active"), back);
	out_printf("%s", banner);
	/* the full screen is put away for the shell: say it again on the bare
	 * terminal, where the learner now looks */
	if (!embedded && repl_terminal_suspend() && dprintf(STDOUT_FILENO, "%s", banner) < 0) {
		/* nothing to do: the shell starts all the same */
	}
	int st = on_host ? session_shell_host() : session_shell();
	if (!embedded)
		repl_terminal_resume();
	if (st != HOST_SHELL_KEPT)
		report_status(st);
	return CMD_OK;
}

/* `keep [N]`: leave host change N (named after a `host`, `run` or `shell`). */
CMD_FN(cmd_keep)
{
	long long n = 0;
	if (argc > 1 && parse_long_range(argv[1], 1, INT_MAX, &n) != 0) {
		out_error(_("usage: keep [N]  (N: a host change's number)"));
		return CMD_USAGE;
	}
	return host_guard_keep((long)n) == 0 ? CMD_OK : CMD_FAILED;
}

CMD_FN(cmd_trace)
{
	if (session_main_pid() <= 0) {
		out_error(
		    _("trace needs an active lab (`start LAB`); `host strace -f CMD` traces on the host"));
		return CMD_FAILED;
	}
	if (!session_lab_alive())
		return CMD_FAILED;
	int st = trace_run(argv[1]);
	if (st == -2)
		return CMD_FAILED; /* said: strace is missing */
	report_status(st);
	return CMD_OK;
}

/* --- namespaces --- */

/* A PID typed by the learner: 0 ok, EINVAL not a number, ERANGE a number
 * outside 1..pid_max (said by pid_range_error). */
static int parse_pid(const char *s, pid_t *pid)
{
	long long v;
	int err = parse_long_range(s, 1, pid_max(), &v);
	if (err == 0)
		*pid = (pid_t)v;
	return err;
}

static void pid_range_error(const char *cmd, const char *s)
{
	out_error(_("%s: PID must be 1 to %lld, not %s"), cmd, pid_max(), s);
}

enum { NS_ALL = 1 << 0, NS_JSON = 1 << 1 };
static const struct cmd_flag ns_flags[] = {
    {.name = "--all", .short_name = "-a", .bit = NS_ALL},
    {.name = "--json", .short_name = "-J", .bit = NS_JSON},
    {0},
};

CMD_FN(cmd_ns)
{
	pid_t pids[argc > 1 ? argc - 1 : 1];
	size_t n = 0;
	for (int i = 1; i < argc; i++) {
		int err = parse_pid(argv[i], &pids[n++]);
		if (err == ERANGE) {
			pid_range_error("ns", argv[i]);
			return CMD_USAGE;
		}
		if (err) {
			out_error(_("ns: '%s' is not a PID (usage: ns [--all] [--json] [PID...])"), argv[i]);
			return CMD_USAGE;
		}
	}
	bool json = flags & NS_JSON;
	int rc = flags & NS_ALL ? nstable_print_all(json) : nstable_print(pids, n, json);
	return rc == 0 ? CMD_OK : CMD_FAILED;
}

/* The process named name (its comm). Several: the newest, and the others
 * are listed so that the learner can pick one by PID. */
static pid_t pid_by_name(const char *name)
{
	DIR *d = opendir("/proc");
	pid_t best = 0;
	pid_t all[16];
	size_t nall = 0, more = 0;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		long long v;
		if (parse_long_range(de->d_name, 1, INT_MAX, &v) != 0 || v == getpid())
			continue;
		pid_t pid = (pid_t)v;
		char path[64], comm[32];
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		if (read_file(path, comm, sizeof(comm)) <= 0)
			continue;
		comm[strcspn(comm, "\n")] = '\0';
		if (strcmp(comm, name) != 0)
			continue;
		if (nall < sizeof(all) / sizeof(all[0]))
			all[nall++] = pid;
		else
			more++;
		if (pid > best)
			best = pid;
	}
	if (d)
		closedir(d);
	if (nall > 1) {
		out_kprintf(OUT_NOTE, _("%zu processes are named '%s':"), nall + more, name);
		for (size_t i = 0; i < nall; i++)
			out_kprintf(OUT_NOTE, " %d", (int)all[i]);
		out_kprintf(OUT_NOTE, _("%s; the newest is taken (`watch PID` picks another)\n"),
			    more ? " ..." : "");
	}
	return best;
}

CMD_FN(cmd_watch)
{
	pid_t pid;
	int err = parse_pid(argv[1], &pid);
	if (err == ERANGE) {
		pid_range_error("watch", argv[1]);
		return CMD_USAGE;
	}
	if (err && !(pid = pid_by_name(argv[1]))) {
		out_error(_("watch: no process named '%s'"), argv[1]);
		return CMD_FAILED;
	}
	if (nsview_watch(pid) < 0) {
		out_error(_("watch: cannot watch %d: %s"), (int)pid, strerror(errno));
		return CMD_FAILED;
	}
	out_printf(_("watching %d (shown in `ns` and the pane)\n"), (int)pid);
	return CMD_OK;
}

CMD_FN(cmd_unwatch)
{
	pid_t pid;
	int err = parse_pid(argv[1], &pid);
	if (err == ERANGE) {
		pid_range_error("unwatch", argv[1]);
		return CMD_USAGE;
	}
	if (err) {
		out_error(_("usage: unwatch PID"));
		return CMD_USAGE;
	}
	if (nsview_unwatch(pid) < 0) {
		out_error(_("unwatch: %d is not watched"), (int)pid);
		return CMD_FAILED;
	}
	out_printf(_("no longer watching %d\n"), (int)pid);
	return CMD_OK;
}

/* Mid-lab at a terminal, the first `quit` (or F10) asks: leaving undoes
 * the lab, and F10 is one key away from F6. Once asked, it leaves. */
CMD_FN(cmd_quit)
{
	static bool asked;
	const struct session_view *v = session_view();
	if (!asked && v && v->lab && repl_at_terminal()) {
		asked = true;
		out_kprintf(OUT_WARNING,
			    _("lab %s is running: `quit` again (or F10) stops it, undoes everything it made "
			      "and leaves nslab\n"),
			    v->lab->id);
		return CMD_OK;
	}
	repl_request_quit();
	return CMD_OK;
}

/* `record FILE` / `record stop` / `record`: the session as a demo script. */
CMD_FN(cmd_record)
{
	const char *now = record_path();
	if (argc == 1) {
		out_printf(now ? _("recording to %s\n") : _("not recording (`record FILE` starts)\n"), now);
		return CMD_OK;
	}
	if (strcmp(argv[1], "stop") == 0) {
		if (!now) {
			out_printf(_("not recording\n"));
			return CMD_OK;
		}
		out_printf(_("recording stopped; `nslab --demo %s` plays it back\n"), now);
		record_stop();
		return CMD_OK;
	}
	if (record_start(argv[1]) < 0) {
		out_error(_("record: cannot write %s: %s"), argv[1],
			  errno == EINVAL ? "not a regular file" : strerror(errno));
		return CMD_FAILED;
	}
	out_printf(_("recording every command to %s (`record stop` ends)\n"), argv[1]);
	return CMD_OK;
}

/* --- the rows --- */

static const char *const quit_aliases[] = {"exit", NULL};

const struct command builtin_commands[] = {
    {.name = "help",
     .usage = "help [CMD]",
     .help = N_("list commands, or explain one"),
     .max_args = 1,
     .fn = cmd_help},
    {.name = "labs", .usage = "labs", .help = N_("list the labs and your progress in each"), .fn = cmd_labs},
    {.name = "start",
     .usage = "start LAB",
     .help = N_("start a lab (stops the active one)"),
     .min_args = 1,
     .max_args = 1,
     .fn = cmd_start},
    {.name = "stop", .usage = "stop", .help = N_("stop the lab and undo everything it made"), .fn = cmd_stop},
    {.name = "reset",
     .usage = "reset",
     .help = N_("undo everything and start the lab again from step 1"),
     .fn = cmd_reset},
    {.name = "status",
     .usage = "status",
     .help = N_("active lab, step, lab PID, root and cgroup"),
     .fn = cmd_status},
    {.name = "progress", .usage = "progress", .help = N_("completed steps of every lab"), .fn = cmd_progress},
    {.name = "step",
     .usage = "step [N]",
     .help = N_("show the current step, or go to step N"),
     .max_args = 1,
     .fn = cmd_step},
    {.name = "catchup",
     .usage = "catchup [N]",
     .help = N_("perform every step before step N (default: the first not done) and go there"),
     .max_args = 1,
     .fn = cmd_catchup},
    {.name = "next", .usage = "next", .help = N_("go to the next step"), .fn = cmd_next},
    {.name = "prev", .usage = "prev", .help = N_("go to the previous step"), .fn = cmd_prev},
    {.name = "check",
     .usage = "check",
     .help = N_("check the step's end state in the kernel"),
     .more = N_("Looks at the kernel's end state for the current step (not at what was typed) and\n"
		"says what is still missing."),
     .fn = cmd_check},
    {.name = "hint", .usage = "hint", .help = N_("a nudge for the current step"), .fn = cmd_hint},
    {.name = "explain",
     .usage = "explain",
     .help = N_("what the kernel does here, and the syscalls nslab made"),
     .fn = cmd_explain},
    {.name = "do",
     .usage = "do",
     .help = N_("perform the current step for you"),
     .more = N_("Performs the current step through the same syscalls a learner would cause, so\n"
		"that its check passes; `explain` then lists those syscalls."),
     .fn = cmd_do},
    {.name = "run",
     .usage = "run CMD...",
     .help = N_("run a shell command inside the lab (its namespaces, root, cgroup)"),
     .more = N_("Runs /bin/sh -c CMD entered into every namespace of the lab's main process, its root,\n"
		"working directory and cgroup, as `nsenter -t PID -a` would. The environment has\n"
		"NSLAB_LAB_PID, NSLAB_LAB_ROOT and NSLAB_LAB_CGROUP. Example: run hostname lab"),
     .min_args = 1,
     .max_args = 1,
     .raw = true,
     .fn = cmd_run},
    {.name = "host",
     .usage = "host CMD...",
     .help = N_("run a shell command on the host, for comparison"),
     .more = N_("Runs /bin/sh -c CMD on the host, with the same NSLAB_LAB_* variables, to compare.\n"
		"Example: host readlink /proc/$NSLAB_LAB_PID/ns/uts /proc/self/ns/uts"),
     .min_args = 1,
     .max_args = 1,
     .raw = true,
     .fn = cmd_host},
    {.name = "shell",
     .usage = "shell [host]",
     .help = N_("an interactive shell inside the lab, or on the host (`exit` returns)"),
     .max_args = 1,
     .fn = cmd_shell},
    {.name = "keep",
     .usage = "keep [N]",
     .help = N_("leave host change N (named after `host`, `run`, `shell`) when the lab stops"),
     .more = N_("Around each `host`, `run` and `shell` nslab compares the host (hostname, mounts,\n"
		"links, SysV IPC, cgroups, processes left running) and names each change with a\n"
		"number; what it can undo is undone at stop, reset and quit. `keep N` leaves change N\n"
		"on the host; `keep` alone lists the changes still to be undone."),
     .max_args = 1,
     .fn = cmd_keep},
    {.name = "trace",
     .usage = "trace CMD...",
     .help = N_("run a shell command in the lab under strace: its container-making syscalls"),
     .more = N_("Runs CMD in the lab as `run` does, under strace -f, and prints the calls that make\n"
		"containers (clone with CLONE_NEW*, unshare, setns, mount, umount2, pivot_root,\n"
		"chroot, sethostname, capset, prctl, seccomp, writes to uid_map, gid_map,\n"
		"setgroups, cgroup.procs and the cgroup limits), one a line. `explain` lists the\n"
		"last traced command beside nslab's own calls. Example: trace unshare --uts true"),
     .min_args = 1,
     .max_args = 1,
     .raw = true,
     .fn = cmd_trace},
    {.name = "ns",
     .usage = "ns [--all] [--json] [PID...]",
     .help = N_("namespace inodes: nslab, the lab, watched and given PIDs"),
     .more = N_("Prints a row per namespace type and a column for nslab itself (the host reference),\n"
		"each lab process, each watched PID, each set of namespaces the lab's other processes\n"
		"made (new:PID, its command below the table) and each PID given; cells that differ\n"
		"from the host are marked '*'. --all lists every namespace on the system, like lsns; --json\n"
		"prints either table as JSON."),
     .max_args = -1,
     .flags = ns_flags,
     .fn = cmd_ns},
    {.name = "watch",
     .usage = "watch PID|NAME",
     .help = N_("add a process to the pane and `ns`"),
     .min_args = 1,
     .max_args = 1,
     .fn = cmd_watch},
    {.name = "unwatch",
     .usage = "unwatch PID",
     .help = N_("remove a watched process"),
     .min_args = 1,
     .max_args = 1,
     .fn = cmd_unwatch},
    {.name = "record",
     .usage = "record [FILE|stop]",
     .help = N_("write every command from now on as a demo script (`nslab --demo FILE`)"),
     .more = N_("Writes each command you run to FILE (replaced) as you go, with a '#' line naming the\n"
		"step whenever it changes, so that `nslab --demo FILE` replays the session step by\n"
		"step. `record stop` ends; `record` alone says where it writes."),
     .max_args = 1,
     .fn = cmd_record},
    {.name = "quit",
     .aliases = quit_aliases,
     .usage = "quit",
     .help = N_("stop the lab, undo everything, leave"),
     .fn = cmd_quit},
};
const size_t builtin_ncommands = sizeof(builtin_commands) / sizeof(builtin_commands[0]);
