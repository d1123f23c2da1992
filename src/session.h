/* SPDX-License-Identifier: GPL-2.0-or-later */
/* session.h: the active lab and its step state machine (the services its
 * plugin calls are host.h). */
#ifndef NSLAB_SESSION_H
#define NSLAB_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "cmdstatus.h"
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

/* What a step operation came to. Each has said what the learner needs to
 * know (the verdict, what is missing, why it failed) before it returns. */
enum session_result {
	SESSION_OK = 0,  /* done; for check: the step's end state is there */
	SESSION_NOT_YET, /* check only: the end state is not there yet */
	SESSION_NO_LAB,  /* no lab is active */
	SESSION_FAILED,  /* it could not be done */
};

enum session_result session_start(const char *id); /* on failure rolled back */
void session_stop(void);
/* How many things stayed on the host at the last stop (host changes kept or
 * not undoable, objects that could not be removed): each was said. */
size_t session_left(void);
enum session_result session_reset(void);
enum session_result session_check(void);
enum session_result session_do(void);
enum session_result session_goto(unsigned step); /* 1-based */
/* `catchup [N]`: performs steps 1..N-1 (each `do` only where its check does
 * not pass yet, each checked after), one line a step, then goes to step N
 * (0: the first step not done by the learner's progress). Stops at the first
 * step that does not reach its end state. */
enum session_result session_catchup(unsigned target);
enum session_result session_next(void);
enum session_result session_prev(void);
void session_print_step(void);
enum session_result session_hint(void);
enum session_result session_explain(void);
void session_status(void);
/* The active lab's own commands (n 0 and NULL without a lab), and running
 * one (its arguments checked by the caller, the command table). */
const struct nslab_command *session_lab_commands(unsigned *n);
enum cmd_status session_lab_call(const struct nslab_command *c, int argc, char **argv);

/* Shell commands with NSLAB_LAB_PID and friends in their environment, their
 * output streamed: in the lab's main process (its namespaces, root, cgroup;
 * -1 with errno ESRCH when there is none or it has exited, said in one
 * line), on the host, or an interactive shell (in the lab, else on the host).
 * Exit status (128+N on signal N), or -1 with errno if it could not start. */
int session_run(const char *cmd);
int session_host_run(const char *cmd);
int session_shell(void);
/* `shell host`: an interactive shell on the host, with the host guard around it. */
int session_shell_host(void);
pid_t session_main_pid(void);
/* Is the lab's main process still the one it started? Says so in one line
 * when it has exited. True when there is no lab process to ask about. */
bool session_lab_alive(void);
/* Calls the lab's tick hook at most once a second (the TUI calls this often). */
void session_tick(void);

/* What the session tells its listener as it happens (class-publish.c
 * counts them; the session knows nothing of who listens). */
enum session_event { SESSION_EV_CHECK_FAILED, SESSION_EV_HINT, SESSION_EV_DO, SESSION_EV_TICK };
/* The one listener, called on every event; NULL: none. */
void session_set_listener(void (*fn)(enum session_event e));

#endif
