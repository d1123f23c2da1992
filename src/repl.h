/* repl.h: the command table and the loops that feed it. */
#ifndef NSLAB_REPL_H
#define NSLAB_REPL_H

#include <stdbool.h>
#include <stdio.h>

enum { REPL_OK = 0, REPL_FAILED = 1, REPL_USAGE = 2 };

/* Runs one command line (blank and '#' lines are no-ops). Returns REPL_OK,
 * REPL_FAILED (the command ran and failed, e.g. a check not yet passing) or
 * REPL_USAGE (unknown command, wrong arguments). */
int repl_exec(const char *line);
bool repl_quit_requested(void);
/* For readline's rl_attempted_completion_function (commands, lab ids, help topics). */
char **repl_completion(const char *text, int start, int end);
const char *repl_prompt(void); /* "nslab> " or "nslab[uts 2/4]> " */

/* History file in the invoking user's state dir (loaded/saved by the loops). */
void repl_history_load(void);
void repl_history_save(void);

/* SIGINT/SIGTERM/SIGHUP set nslab_signal (see util.h) instead of killing
 * nslab, so that every exit path runs the cleanup. */
void repl_install_signals(void);

int repl_run_plain(void);           /* readline loop; returns exit status */
int repl_run_script(FILE *f, bool echo); /* --script; exit 1 if any command failed */

/* Set by the TUI while it runs, so that `shell` and other terminal owners
 * can suspend and resume it. NULL in plain mode. */
struct repl_terminal {
	void (*suspend)(void); /* def_prog_mode + endwin */
	void (*resume)(void);  /* reset_prog_mode + full redraw */
};
void repl_set_terminal(const struct repl_terminal *t);
void repl_terminal_suspend(void);
void repl_terminal_resume(void);

#endif
