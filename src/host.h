/* SPDX-License-Identifier: GPL-2.0-or-later */
/* host.h: the struct nslab_host handed to the active lab's plugin, and what
 * the lab tells nslab through it: its main process, its root, the syscalls
 * nslab made for it (traces) and what its check found missing. The step
 * state machine (session.c) reads these; nothing here knows about steps
 * beyond the one traces belong to. */
#ifndef NSLAB_HOST_H
#define NSLAB_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "nslab-lab.h"

/* The one host, set up on first use. */
struct nslab_host *host_get(void);

/* A lab begins: nothing recorded yet; workdir is its directory under the run
 * directory, made when first used (workdir.h). */
void host_begin(const struct nslab_lab *lab, const char *workdir);
/* The lab is over: forgets what it recorded (its objects are the registry's). */
void host_end(void);

pid_t host_main_pid(void);   /* the first process the lab spawned; 0 none */
const char *host_root(void); /* as the lab set it; NULL none */
/* A host path that reaches the lab's root (NULL none): the directory the lab
 * named, or /proc/PID/root once only the lab's mount namespace has it. */
const char *host_root_path(void);
/* The lab's cgroup as /proc/PID/cgroup writes it: the first nslab path in
 * any hierarchy. False when the lab has none. */
bool host_lab_cgroup(char *cg, size_t len);
/* Is the lab's main process still the one it started? Says so in one line
 * when it has exited. True when there is no lab process to ask about. */
bool host_lab_alive(void);
/* "NSLAB_LAB_PID=..." etc. for run/host/shell; static storage, NULL-ended. */
char *const *host_env(void);

/* Running a shell command (nsexec.h) with host_env: in the lab (agent 0: its
 * main process; -1 with errno ESRCH when there is none or it has exited),
 * on the host, or an interactive shell in the lab (on the host without one).
 * Output NULL: streamed. Exit status, or -1 with errno. */
int host_run(pid_t agent, const char *cmd, char **output);
int host_run_on_host(const char *cmd, char **output);
int host_shell(void);
/* `shell host`: an interactive shell on the host, a lab running or not. */
int host_shell_on_host(void);
/* The full screen runs `shell` inside itself (tui-shell-run.c): RUN gets the target
 * (0: the host) and host_env, and returns the shell's exit status, or
 * HOST_SHELL_KEPT when the learner left it running for the prompt (Ctrl-]).
 * NULL: the shell takes the terminal (plain mode, scripts). */
#define HOST_SHELL_KEPT (-2)
void host_set_shell_runner(int (*run)(pid_t target, char *const env[]));
bool host_shell_embedded(void);

/* Traces (h->trace) belong to the step they were made in: set_step drops
 * those of another step when the next one comes. */
void host_set_step(unsigned step);
void host_clear_traces(void);
/* What setup() traced belongs to the lab, not to step 1: kept apart. */
void host_keep_setup_traces(void);
/* The traces of the current step (NULL-free list, n entries); *step: theirs. */
char *const *host_traces(size_t *n, unsigned *step);
char *const *host_setup_traces(size_t *n);

/* What the last check said is missing (h->missing), held until the verdict
 * line is printed. */
char *const *host_missing(size_t *n);
void host_clear_missing(void);

#endif
