/* SPDX-License-Identifier: GPL-2.0-or-later */
/* signals.h: the one owner of nslab's signal state. SIGINT, SIGTERM and
 * SIGHUP are recorded, never fatal, so that every way out runs the cleanup;
 * the loops and the command runners ask here what arrived. */
#ifndef NSLAB_SIGNALS_H
#define NSLAB_SIGNALS_H

#include <stdbool.h>

/* Records SIGINT, SIGTERM and SIGHUP (the last one wins) and ignores
 * SIGPIPE. Safe to call again. */
void signals_install(void);
/* The last recorded signal, 0 when none. */
int signals_pending(void);
/* SIGTERM or SIGHUP arrived: nslab leaves through main's cleanup. */
bool signals_leaving(void);
/* A SIGINT interrupted a command (or came from `kill -INT`), not nslab:
 * forget it. A recorded SIGTERM or SIGHUP stays. */
void signals_clear_interrupt(void);
/* Records SIG as if it had arrived (the terminal went away: SIGHUP). */
void signals_note(int sig);
/* After the cleanup: dies of the recorded SIGTERM or SIGHUP with its default
 * action, so that the parent sees the signal. Returns when none is recorded. */
void signals_die(void);

/* While a full screen owns the terminal: SIGSEGV, SIGABRT, SIGBUS, SIGFPE
 * and SIGILL call RESTORE (which must be async-signal-safe) and then kill
 * nslab with the same signal; SIGQUIT (Ctrl-\ while a command runs) is
 * ignored, since dying of it would leave the lab's objects behind. NULL puts
 * the earlier actions back. */
void signals_on_crash(void (*restore)(void));

#endif
