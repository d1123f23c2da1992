/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nsexec.h: running a shell command inside a lab process's namespaces,
 * root, cwd and cgroups (as nsenter -a), or on the host. */
#ifndef NSLAB_NSEXEC_H
#define NSLAB_NSEXEC_H

#include <stdbool.h>
#include <sys/types.h>

/* Runs /bin/sh -c cmd entered into target's namespaces, root, cwd and nslab
 * cgroups (target 0: on the host). env: NULL-terminated "K=V" strings added.
 * output NULL: streamed to out_write; else captured. interactive: the child
 * owns the terminal (for `shell`; cmd NULL means an interactive shell).
 * Returns exit status (128+N on signal N), -1 with errno if it could not start. */
int ns_exec(pid_t target, const char *cmd, char *const env[], char **output, bool interactive);

/* Reaps every exited child (orphans re-parented to nslab, agents that died).
 * Only between commands: nothing may be waiting for a child then. */
void ns_reap_orphans(void);

#endif
