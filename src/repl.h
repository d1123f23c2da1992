/* SPDX-License-Identifier: GPL-2.0-or-later */
/* repl.h: running a command line, and the loops that feed them. */
#ifndef NSLAB_REPL_H
#define NSLAB_REPL_H

#include <stdbool.h>
#include <stdio.h>
#include "cmdstatus.h"

/* What repl_exec returns: a command's enum cmd_status, under the names its
 * callers (the loops, the demo player, the TUI) have long used. */
enum { REPL_OK = CMD_OK, REPL_FAILED = CMD_FAILED, REPL_USAGE = CMD_USAGE };

/* Runs one command line (blank and '#' lines are no-ops) through the command
 * table (commands.c). Returns REPL_OK, REPL_FAILED (the command ran and
 * failed, e.g. a check not yet passing) or REPL_USAGE (unknown command,
 * wrong arguments). */
int repl_exec(const char *line);
/* `quit` asks the loops to end; so do SIGTERM and SIGHUP. */
void repl_request_quit(void);
bool repl_quit_requested(void);
/* For readline's rl_attempted_completion_function (commands, lab ids, help
 * topics; commands.c). */
char **repl_completion(const char *text, int start, int end);
const char *repl_prompt(void); /* "nslab> " or "nslab[uts 2/4]> " */

/* History file in the invoking user's state dir (loaded/saved by the loops). */
void repl_history_load(void);
void repl_history_save(void);

int repl_run_plain(void); /* readline loop; returns exit status */
/* --script: runs the lines of f (NAME in messages: the path, "stdin").
 * Exit status 1 if a command failed or was malformed, or a line was refused
 * (see repl_read_line: the script stops there); 128+N after signal N. */
int repl_run_script(FILE *f, const char *name, bool echo);

/* The longest line of a script or demo file, without its newline. */
#define REPL_LINE_MAX 65536
/* Opens a script or demo file ("-" = stdin): a regular file, a pipe or
 * socket, or a character device (a terminal, /dev/null). Anything else, or
 * an open error, is said in one line ("nslab: DIR: is a directory") and
 * gives NULL. */
FILE *repl_open_script(const char *path);
/* Reads the next line of f into buf (REPL_LINE_MAX + 1 bytes, NUL-terminated,
 * without its newline); *lineno counts the lines read. 1: a line; 0: end of
 * file (or a read cut by a signal); -1: said in one line naming NAME and the
 * line: a read error, a line longer than REPL_LINE_MAX (the rest is never
 * read), a NUL byte in the line (never cut short silently). */
int repl_read_line(FILE *f, const char *name, char *buf, unsigned long *lineno);

/* Set by the TUI while it runs, so that `shell` and other terminal owners
 * can suspend and resume it. NULL in plain mode. */
struct repl_terminal {
	void (*suspend)(void); /* def_prog_mode + endwin */
	void (*resume)(void);  /* reset_prog_mode + full redraw */
};
void repl_set_terminal(const struct repl_terminal *t);
/* A learner at a terminal types the commands (the full screen, or the plain
 * REPL on a tty); not a script, a demo or a pipe. */
bool repl_at_terminal(void);
/* true if a screen was put away (the terminal is now the child's) */
bool repl_terminal_suspend(void);
void repl_terminal_resume(void);

#endif
