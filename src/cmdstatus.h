/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmdstatus.h: what a command came to, shared by the command table, the
 * REPL loops and the session (which runs a lab's own commands), so that none
 * of them has to include another for it. */
#ifndef NSLAB_CMDSTATUS_H
#define NSLAB_CMDSTATUS_H

enum cmd_status {
	CMD_OK = 0,     /* done (a command run in the lab that failed is still done) */
	CMD_FAILED = 1, /* it ran and failed, e.g. a check not yet passing; said why */
	CMD_USAGE = 2,  /* unknown command, wrong arguments; said how to use it */
};

#endif
