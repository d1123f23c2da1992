/* SPDX-License-Identifier: GPL-2.0-or-later */
/* repl.c: the command table (one entry per command, as tmux's cmd-*.c) and
 * the loops that feed it: readline in plain mode, a file in script mode. */
#include "repl.h"
#include "agent.h"
#include "labs.h"
#include "nstable.h"
#include "nsview.h"
#include "output.h"
#include "session.h"
#include "signals.h"
#include "state.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ARGS 64

struct cmd {
	const char *name;
	const char *usage;
	const char *summary;
	int min_args, max_args; /* words after the name; -1 = any */
	bool raw;               /* gets the rest of the line as one argument */
	int (*fn)(int argc, char **argv);
};

static bool quit_requested;
static const struct repl_terminal *terminal;

bool repl_quit_requested(void)
{
	return quit_requested || signals_leaving();
}
void repl_set_terminal(const struct repl_terminal *t)
{
	terminal = t;
}
void repl_terminal_suspend(void)
{
	if (terminal && terminal->suspend)
		terminal->suspend();
}
void repl_terminal_resume(void)
{
	if (terminal && terminal->resume)
		terminal->resume();
}

static const struct cmd *find_cmd(const char *name);
static const struct cmd commands[];

/* --- the commands --- */

static int cmd_help(int argc, char **argv);

static int cmd_labs(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (!labs_count()) {
		out_printf("no labs found: check --lab-path or NSLAB_LAB_PATH\n");
		return REPL_OK;
	}
	for (size_t i = 0; i < labs_count(); i++) {
		const struct nslab_lab *l = labs_get(i);
		out_printf("  %-14s %u/%u  %s\n", l->id, state_done_count(l->id), l->nsteps, l->title);
	}
	return REPL_OK;
}

static int cmd_start(int argc, char **argv)
{
	(void)argc;
	return session_start(argv[1]) == 0 ? REPL_OK : REPL_FAILED;
}

static int cmd_stop(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	const struct session_view *v = session_view();
	if (!v->lab) {
		out_printf("no lab is active\n");
		return REPL_OK;
	}
	const char *id = v->lab->id;
	session_stop();
	out_printf("lab '%s' stopped; everything it made was removed\n", id);
	return REPL_OK;
}

static int cmd_reset(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return session_reset() == 0 ? REPL_OK : REPL_FAILED;
}

static int cmd_status(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	session_status();
	return REPL_OK;
}

static int cmd_progress(int argc, char **argv)
{
	(void)argc;
	(void)argv;
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
		out_printf("(kept in memory only: %s holds a symlink nslab refuses to write through)\n",
			   state_dir());
	else if (state_writable())
		out_printf("(saved in %s)\n", state_dir());
	else
		out_printf("(not saved: %s is not writable)\n", state_dir());
	return REPL_OK;
}

static int cmd_step(int argc, char **argv)
{
	const struct session_view *v = session_view();
	if (argc == 1) {
		session_print_step();
		return v->lab ? REPL_OK : REPL_FAILED;
	}
	long long n;
	int err = parse_long_range(argv[1], 1, v->lab ? (long long)v->nsteps : LLONG_MAX, &n);
	if (err == ERANGE && v->lab) {
		out_error("step must be 1 to %u", v->nsteps);
		return REPL_USAGE;
	}
	if (err) {
		out_error("usage: step [N]  (N from 1)");
		return REPL_USAGE;
	}
	/* No lab: session_goto says so. */
	return session_goto(v->lab ? (unsigned)n : 1) == 0 ? REPL_OK : REPL_FAILED;
}

static int cmd_next(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return session_next() == 0 ? REPL_OK : REPL_FAILED;
}

static int cmd_prev(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return session_prev() == 0 ? REPL_OK : REPL_FAILED;
}

static int cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return session_check() == 0 ? REPL_OK : REPL_FAILED;
}

static int cmd_do(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return session_do() == 0 ? REPL_OK : REPL_FAILED;
}

static int cmd_hint(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	session_hint();
	return session_view()->lab ? REPL_OK : REPL_FAILED;
}

static int cmd_explain(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	session_explain();
	return session_view()->lab ? REPL_OK : REPL_FAILED;
}

static void report_status(int st)
{
	if (st < 0)
		out_printf("[could not start the command: %s]\n", strerror(errno));
	else
		out_printf("[exit %d]\n", st);
}

static int cmd_run(int argc, char **argv)
{
	(void)argc;
	pid_t pid = session_main_pid();
	if (pid <= 0) {
		out_error("run needs an active lab (`start LAB`); `host CMD` runs on the host");
		return REPL_FAILED;
	}
	if (!session_lab_alive())
		return REPL_FAILED;
	report_status(ns_exec(pid, argv[1], session_env(), NULL, false));
	return REPL_OK; /* the command's own failure is reported, not ours */
}

static int cmd_host(int argc, char **argv)
{
	(void)argc;
	report_status(ns_exec(0, argv[1], session_env(), NULL, false));
	return REPL_OK;
}

static int cmd_shell(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pid_t pid = session_main_pid();
	if (!session_lab_alive())
		return REPL_FAILED;
	out_printf(pid > 0 ? "entering the lab: `exit` comes back to nslab\n"
			   : "no lab active: a shell on the host; `exit` comes back\n");
	repl_terminal_suspend();
	int st = ns_exec(pid > 0 ? pid : 0, NULL, session_env(), NULL, true);
	repl_terminal_resume();
	report_status(st);
	return REPL_OK;
}

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
	out_error("%s: PID must be 1 to %lld, not %s", cmd, pid_max(), s);
}

static int cmd_ns(int argc, char **argv)
{
	bool all = false, json = false;
	pid_t pids[MAX_ARGS];
	size_t n = 0;
	int err;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--all") == 0 || strcmp(argv[i], "-a") == 0)
			all = true;
		else if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-J") == 0)
			json = true;
		else if ((err = parse_pid(argv[i], &pids[n++])) == ERANGE) {
			pid_range_error("ns", argv[i]);
			return REPL_USAGE;
		} else if (err) {
			out_error("ns: '%s' is not a PID (usage: ns [--all] [--json] [PID...])", argv[i]);
			return REPL_USAGE;
		}
	}
	int rc = all ? nstable_print_all(json) : nstable_print(pids, n, json);
	return rc == 0 ? REPL_OK : REPL_FAILED;
}

/* A PID, or the newest process whose command name is NAME. */
static pid_t pid_by_name(const char *name)
{
	DIR *d = opendir("/proc");
	pid_t best = 0;
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
		if (strcmp(comm, name) == 0 && pid > best)
			best = pid;
	}
	if (d)
		closedir(d);
	return best;
}

static int cmd_watch(int argc, char **argv)
{
	(void)argc;
	pid_t pid;
	int err = parse_pid(argv[1], &pid);
	if (err == ERANGE) {
		pid_range_error("watch", argv[1]);
		return REPL_USAGE;
	}
	if (err && !(pid = pid_by_name(argv[1]))) {
		out_error("watch: no process named '%s'", argv[1]);
		return REPL_FAILED;
	}
	if (nsview_watch(pid) < 0) {
		out_error("watch: cannot watch %d: %s", (int)pid, strerror(errno));
		return REPL_FAILED;
	}
	out_printf("watching %d (shown in `ns` and the pane)\n", (int)pid);
	return REPL_OK;
}

static int cmd_unwatch(int argc, char **argv)
{
	(void)argc;
	pid_t pid;
	int err = parse_pid(argv[1], &pid);
	if (err == ERANGE) {
		pid_range_error("unwatch", argv[1]);
		return REPL_USAGE;
	}
	if (err) {
		out_error("usage: unwatch PID");
		return REPL_USAGE;
	}
	if (nsview_unwatch(pid) < 0) {
		out_error("unwatch: %d is not watched", (int)pid);
		return REPL_FAILED;
	}
	return REPL_OK;
}

static int cmd_quit(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	quit_requested = true;
	return REPL_OK;
}

static const struct cmd commands[] = {
    {"help", "help [CMD]", "list commands, or explain one", 0, 1, false, cmd_help},
    {"labs", "labs", "list the labs and your progress in each", 0, 0, false, cmd_labs},
    {"start", "start LAB", "start a lab (stops the active one)", 1, 1, false, cmd_start},
    {"stop", "stop", "stop the lab and undo everything it made", 0, 0, false, cmd_stop},
    {"reset", "reset", "undo everything and start the lab again from step 1", 0, 0, false, cmd_reset},
    {"status", "status", "active lab, step, lab PID, root and cgroup", 0, 0, false, cmd_status},
    {"progress", "progress", "completed steps of every lab", 0, 0, false, cmd_progress},
    {"step", "step [N]", "show the current step, or go to step N", 0, 1, false, cmd_step},
    {"next", "next", "go to the next step", 0, 0, false, cmd_next},
    {"prev", "prev", "go to the previous step", 0, 0, false, cmd_prev},
    {"check", "check", "check the step's end state in the kernel", 0, 0, false, cmd_check},
    {"hint", "hint", "a nudge for the current step", 0, 0, false, cmd_hint},
    {"explain", "explain", "what the kernel does here, and the syscalls nslab made", 0, 0, false,
     cmd_explain},
    {"do", "do", "perform the current step for you", 0, 0, false, cmd_do},
    {"run", "run CMD...", "run a shell command inside the lab (its namespaces, root, cgroup)", 1, 1, true,
     cmd_run},
    {"host", "host CMD...", "run a shell command on the host, for comparison", 1, 1, true, cmd_host},
    {"shell", "shell", "an interactive shell inside the lab (`exit` returns)", 0, 0, false, cmd_shell},
    {"ns", "ns [--all] [--json] [PID...]", "namespace inodes: nslab, the lab, watched and given PIDs", 0, -1,
     false, cmd_ns},
    {"watch", "watch PID|NAME", "add a process to the pane and `ns`", 1, 1, false, cmd_watch},
    {"unwatch", "unwatch PID", "remove a watched process", 1, 1, false, cmd_unwatch},
    {"quit", "quit", "stop the lab, undo everything, leave", 0, 0, false, cmd_quit},
    {"exit", "exit", "the same as quit", 0, 0, false, cmd_quit},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char *const long_help[][2] = {
    {"run", "Runs /bin/sh -c CMD entered into every namespace of the lab's main process, its root,\n"
	    "working directory and cgroup, as `nsenter -t PID -a` would. The environment has\n"
	    "NSLAB_LAB_PID, NSLAB_LAB_ROOT and NSLAB_LAB_CGROUP. Example: run hostname lab"},
    {"host", "Runs /bin/sh -c CMD on the host, with the same NSLAB_LAB_* variables, to compare.\n"
	     "Example: host readlink /proc/$NSLAB_LAB_PID/ns/uts /proc/self/ns/uts"},
    {"ns", "Prints a row per namespace type and a column for nslab itself (the host reference),\n"
	   "each lab process, each watched PID and each PID given; cells that differ from the\n"
	   "host are marked '*'. --all lists every namespace on the system, like lsns; --json\n"
	   "prints either table as JSON."},
    {"check", "Looks at the kernel's end state for the current step (not at what was typed) and\n"
	      "says what is still missing."},
    {"do", "Performs the current step through the same syscalls a learner would cause, so\n"
	   "that its check passes; `explain` then lists those syscalls."},
};

static void print_usage_line(const struct cmd *c)
{
	out_printf("  %-28s %s\n", c->usage, c->summary);
}

static int cmd_help(int argc, char **argv)
{
	if (argc == 2) {
		const struct cmd *c = find_cmd(argv[1]);
		unsigned nl;
		const struct nslab_command *lc = session_lab_commands(&nl);
		for (unsigned i = 0; !c && i < nl; i++)
			if (strcmp(lc[i].name, argv[1]) == 0) {
				out_printf("usage: %s\n  %s\n", lc[i].usage ? lc[i].usage : lc[i].name,
					   lc[i].summary ? lc[i].summary : "");
				return REPL_OK;
			}
		if (!c) {
			out_error("help: no command '%s'", argv[1]);
			return REPL_USAGE;
		}
		out_printf("usage: %s\n  %s\n", c->usage, c->summary);
		for (size_t i = 0; i < sizeof(long_help) / sizeof(long_help[0]); i++)
			if (strcmp(long_help[i][0], c->name) == 0)
				out_printf("%s\n", long_help[i][1]);
		return REPL_OK;
	}
	out_printf("commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		print_usage_line(&commands[i]);
	unsigned nl;
	const struct nslab_command *lc = session_lab_commands(&nl);
	if (nl)
		out_printf("commands of this lab:\n");
	for (unsigned i = 0; i < nl; i++)
		out_printf("  %-28s %s\n", lc[i].usage ? lc[i].usage : lc[i].name,
			   lc[i].summary ? lc[i].summary : "");
	return REPL_OK;
}

static const struct cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static const char *closest_cmd(const char *name)
{
	const char *best = NULL;
	size_t bestd = 3;
	for (size_t i = 0; i < NCOMMANDS; i++) {
		size_t d = edit_distance(name, commands[i].name);
		if (d < bestd) {
			bestd = d;
			best = commands[i].name;
		}
	}
	return best;
}

/* --- parsing --- */

/* Splits a line into words: whitespace separates, '...' and "..." group,
 * backslash escapes. Returns argc, or -1 on an unterminated quote. */
static int split_words(char *line, char **argv, int max)
{
	int argc = 0;
	char *r = line, *w = line;
	while (*r) {
		while (isspace((unsigned char)*r))
			r++;
		if (!*r)
			break;
		if (argc == max)
			return -1;
		argv[argc++] = w;
		char quote = 0;
		for (; *r && (quote || !isspace((unsigned char)*r)); r++) {
			if (quote && *r == quote)
				quote = 0;
			else if (!quote && (*r == '\'' || *r == '"'))
				quote = *r;
			else if (*r == '\\' && r[1] && quote != '\'')
				*w++ = *++r;
			else
				*w++ = *r;
		}
		if (quote)
			return -1;
		if (*r)
			r++;
		*w++ = '\0';
	}
	return argc;
}

int repl_exec(const char *line)
{
	while (isspace((unsigned char)*line))
		line++;
	if (!*line || *line == '#')
		return REPL_OK;
	size_t wlen = strcspn(line, " \t\n");
	char word[64];
	size_t n = wlen < sizeof(word) - 1 ? wlen : sizeof(word) - 1;
	memcpy(word, line, n); /* not snprintf "%.*s": GCC -O1 with UBSan warns it may be null */
	word[n] = '\0';
	const struct cmd *c = find_cmd(word);
	if (c && c->raw) {
		const char *rest = line + wlen;
		while (isspace((unsigned char)*rest))
			rest++;
		if (!*rest) {
			out_error("usage: %s", c->usage);
			return REPL_USAGE;
		}
		char *copy = strdup(rest);
		copy[strcspn(copy, "\n")] = '\0';
		char *argv[] = {word, copy, NULL};
		int rc = c->fn(2, argv);
		free(copy);
		return rc;
	}
	char *copy = strdup(line);
	char *argv[MAX_ARGS + 1];
	int argc = split_words(copy, argv, MAX_ARGS);
	if (argc < 0) {
		out_error("unterminated quote or too many words");
		free(copy);
		return REPL_USAGE;
	}
	argv[argc] = NULL;
	int rc;
	if (c) {
		if (argc - 1 < c->min_args || (c->max_args >= 0 && argc - 1 > c->max_args)) {
			out_error("usage: %s", c->usage);
			rc = REPL_USAGE;
		} else {
			rc = c->fn(argc, argv);
		}
	} else if ((rc = session_lab_command(argc, argv)) == -2) {
		const char *near = closest_cmd(argv[0]);
		if (near)
			out_error("unknown command '%s' (did you mean '%s'?)", argv[0], near);
		else
			out_error("unknown command '%s' (`help` lists them)", argv[0]);
		rc = REPL_USAGE;
	}
	free(copy);
	return rc;
}

const char *repl_prompt(void)
{
	static char prompt[96];
	const struct session_view *v = session_view();
	if (v->lab)
		snprintf(prompt, sizeof(prompt), "nslab[%s %u/%u]> ", v->lab->id, v->step, v->nsteps);
	else
		snprintf(prompt, sizeof(prompt), "nslab> ");
	return prompt;
}

/* --- completion --- */

static char *complete_cmd(const char *text, int state)
{
	static size_t i, li;
	if (!state)
		i = li = 0;
	size_t len = strlen(text);
	while (i < NCOMMANDS) {
		const char *n = commands[i++].name;
		if (strncmp(n, text, len) == 0)
			return strdup(n);
	}
	unsigned nl;
	const struct nslab_command *lc = session_lab_commands(&nl);
	while (li < nl) {
		const char *n = lc[li++].name;
		if (strncmp(n, text, len) == 0)
			return strdup(n);
	}
	return NULL;
}

static char *complete_lab(const char *text, int state)
{
	static size_t i;
	if (!state)
		i = 0;
	size_t len = strlen(text);
	while (i < labs_count()) {
		const char *id = labs_get(i++)->id;
		if (strncmp(id, text, len) == 0)
			return strdup(id);
	}
	return NULL;
}

char **repl_completion(const char *text, int start, int end)
{
	(void)end;
	rl_attempted_completion_over = 1; /* never fall back to file names */
	const char *line = rl_line_buffer ? rl_line_buffer : "", *buf = line;
	while (buf < line + start && isspace((unsigned char)*buf))
		buf++;
	start -= (int)(buf - line);
	if (start == 0)
		return rl_completion_matches(text, complete_cmd);
	if (strncmp(buf, "start ", 6) == 0)
		return rl_completion_matches(text, complete_lab);
	if (strncmp(buf, "help ", 5) == 0)
		return rl_completion_matches(text, complete_cmd);
	if (strncmp(buf, "run ", 4) == 0 || strncmp(buf, "host ", 5) == 0) {
		rl_attempted_completion_over = 0; /* shell words: file names help */
		return NULL;
	}
	return NULL;
}

/* --- history --- */

/* Read and written through state.c, as the invoking user and never through
 * a symlink (readline's read_history/write_history open the path as root). */
void repl_history_load(void)
{
	_cleanup_free_ char *text = state_read("history", 4 << 20, NULL);
	if (!text)
		return;
	for (char *line = text, *next; *line; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		if (*line)
			add_history(line);
	}
}

void repl_history_save(void)
{
	stifle_history(1000);
	HIST_ENTRY **list = history_list();
	if (!list || !list[0])
		return; /* nothing typed: make no state dir for it */
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return;
	for (size_t i = 0; list[i]; i++)
		fprintf(m, "%s\n", list[i]->line);
	if (fclose(m) == 0)
		(void)state_write("history", text, len, 0600);
	free(text);
}

/* --- loops --- */

static char *pending_line;
static bool line_eof;

static void on_line(char *line)
{
	if (!line) {
		line_eof = true;
		return;
	}
	pending_line = line;
}

int repl_run_plain(void)
{
	signals_install();
	rl_catch_signals = 0;
	rl_attempted_completion_function = repl_completion;
	rl_readline_name = "nslab";
	repl_history_load();
	rl_callback_handler_install(repl_prompt(), on_line);
	while (!repl_quit_requested() && !line_eof) {
		struct pollfd p = {STDIN_FILENO, POLLIN, 0};
		int n = poll(&p, 1, 250);
		if (signals_pending() == SIGINT) {
			signals_clear_interrupt();
			if (!rl_line_buffer || !*rl_line_buffer) {
				out_printf("\n");
				break; /* Ctrl-C on an empty line leaves, cleaning up */
			}
			rl_replace_line("", 0);
			out_printf("\n");
			rl_on_new_line();
			rl_redisplay();
			continue;
		}
		if (n <= 0)
			continue;
		rl_callback_read_char();
		if (!pending_line)
			continue;
		char *line = pending_line;
		pending_line = NULL;
		rl_callback_handler_remove();
		if (*line)
			add_history(line);
		repl_exec(line);
		free(line);
		signals_clear_interrupt(); /* it interrupted the command, not nslab */
		rl_callback_handler_install(repl_prompt(), on_line);
	}
	rl_callback_handler_remove();
	repl_history_save();
	/* Ended by SIGTERM or SIGHUP (main cleans up): the parent learns it. */
	return signals_leaving() ? 128 + signals_pending() : 0;
}

/* --- script and demo files --- */

FILE *repl_open_script(const char *path)
{
	bool std = strcmp(path, "-") == 0;
	const char *name = std ? "stdin" : path;
	int fd = std ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		out_error("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	const char *why = NULL;
	if (fstat(fd, &st) < 0)
		why = strerror(errno);
	else if (S_ISDIR(st.st_mode))
		why = "is a directory";
	else if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode) &&
		 !S_ISCHR(st.st_mode))
		why = "not a regular file or pipe";
	FILE *f = NULL;
	if (!why && !(f = std ? stdin : fdopen(fd, "r")))
		why = strerror(errno);
	if (why) {
		out_error("%s: %s", name, why);
		if (!std)
			close(fd);
		return NULL;
	}
	return f;
}

int repl_read_line(FILE *f, const char *name, char *buf, unsigned long *lineno)
{
	size_t len = 0;
	int c;
	bool nul = false;
	for (;;) {
		c = getc(f);
		if (c == EOF && ferror(f) && errno == EINTR && !signals_pending()) {
			clearerr(f); /* a signal nslab does not act on */
			continue;
		}
		if (c == EOF || c == '\n')
			break;
		if (len == REPL_LINE_MAX) {
			out_error("%s: line %lu is longer than %d bytes", name, *lineno + 1, REPL_LINE_MAX);
			return -1; /* the rest is never read: memory stays bounded */
		}
		nul |= c == '\0';
		buf[len++] = (char)c;
	}
	if (c == EOF && ferror(f)) {
		if (signals_pending())
			return 0; /* interrupted: the caller looks at the signal */
		out_error("%s: cannot read line %lu: %s", name, *lineno + 1, strerror(errno));
		return -1;
	}
	if (c == EOF && len == 0)
		return 0;
	buf[len] = '\0';
	++*lineno;
	if (nul) {
		out_error("%s: line %lu contains a NUL byte", name, *lineno);
		return -1;
	}
	return 1;
}

int repl_run_script(FILE *f, const char *name, bool echo)
{
	signals_install();
	int status = 0, r = 0;
	char *line = malloc(REPL_LINE_MAX + 1);
	unsigned long lineno = 0;
	if (!name)
		name = "script";
	if (!line) {
		out_error("%s: out of memory", name);
		return 1;
	}
	while (!repl_quit_requested() && signals_pending() != SIGINT &&
	       (r = repl_read_line(f, name, line, &lineno)) > 0) {
		if (echo)
			out_printf("%s%s\n", repl_prompt(), line);
		int rc = repl_exec(line);
		if (rc != REPL_OK)
			status = 1;
	}
	free(line);
	if (r < 0)
		status = 1; /* a line nslab refused, or a read error: the script stops there */
	if (signals_pending())
		status = 128 + signals_pending();
	return status;
}
