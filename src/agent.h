/* SPDX-License-Identifier: GPL-2.0-or-later */
/* agent.h: the agent protocol. An agent is a forked child of nslab (so a plugin's
 * function pointers are valid in it) that sits in its namespaces and runs
 * requests sent over a socket: the way a lab makes the lab process itself
 * call chroot(), unshare(), sethostname() and friends. */
#ifndef NSLAB_AGENT_H
#define NSLAB_AGENT_H

#include <stdbool.h>
#include <sys/types.h>
#include "nslab-lab.h"

#define AGENT_MAX_MSG (64 * 1024)

/* Clones an agent (registered for cleanup, shown in the pane). -1 on error,
 * with errno set and a reason for the learner in why ("clone: ..."). */
pid_t agent_spawn(const struct nslab_spawn *how, char *why, size_t whylen);
int agent_call(pid_t pid, nslab_call_fn fn, const void *arg, size_t arglen, char *out, size_t outlen);
/* Forgets every agent (their processes are undone by the cleanup registry). */
void agent_forget_all(void);
bool agent_is_agent(pid_t pid);

#endif
