/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trace.h: `trace CMD`: a shell command run in the lab under strace(1), and
 * the container-making syscalls it made, one a line; the last one is kept
 * for `explain`. */
#ifndef NSLAB_TRACE_H
#define NSLAB_TRACE_H

#include <stddef.h>

/* Runs cmd in the active lab (its namespaces, root and cwd, through
 * nsenter -a) under strace -f, prints its output as it comes and then its
 * container-making calls (OUT_TRACE). The command's exit status; -1 with
 * errno if it could not start; -2 when strace is missing (said, with the
 * package to install). */
int trace_run(const char *cmd);
/* For `explain`: the learner's last traced command in this lab and what it
 * made, if there is one (said in a few lines). */
void trace_print_last(const char *lab_id);

/* The filter itself, for tests: turns strace -f -y output (one call a line,
 * "PID call(...) = R") into the calls shown, after the command's own shell
 * started (everything before its exec is nsenter's entry into the lab).
 * Returns how many lines were put in out (each malloc'd). */
size_t trace_filter(const char *strace_output, char **out, size_t max);

#endif
