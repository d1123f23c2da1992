/* SPDX-License-Identifier: GPL-2.0-or-later */
/* session.h: the active lab: its step, processes, root, traces, and the
 * struct nslab_host handed to the plugin. */
#ifndef NSLAB_SESSION_H
#define NSLAB_SESSION_H

#include <stdbool.h>
#include <sys/types.h>
#include "nslab-lab.h"

/* What the views show (the TUI's lab panel, `status`). */
struct session_view {
	const struct nslab_lab *lab; /* NULL: no lab active */
	unsigned step, nsteps;       /* 1-based */
	const char *step_title, *task;
	int last_check; /* -1 not checked yet, 0 not yet, 1 ok */
	bool complete;
	pid_t main_pid;
	const char *root;
};
const struct session_view *session_view(void);

int session_start(const char *id); /* 0 ok, -1 failed (rolled back) */
void session_stop(void);
int session_reset(void);
int session_check(void); /* 0 passed, 1 not yet, -1 no lab */
int session_do(void);
int session_goto(unsigned step); /* 1-based */
int session_next(void);
int session_prev(void);
void session_print_step(void);
void session_hint(void);
void session_explain(void);
void session_status(void);
/* A lab's extra command: returns -2 if argv[0] is not one of them. */
int session_lab_command(int argc, char **argv);
const struct nslab_command *session_lab_commands(unsigned *n);
/* "NSLAB_LAB_PID=..." etc. for run/host/shell; static storage, NULL-ended. */
char *const *session_env(void);
pid_t session_main_pid(void);
/* Is the lab's main process still the one it started? Says so in one line
 * when it has exited. True when there is no lab process to ask about. */
bool session_lab_alive(void);
/* Calls the lab's tick hook at most once a second (the TUI calls this often). */
void session_tick(void);
struct nslab_host *session_host(void);

#endif
