/* SPDX-License-Identifier: GPL-2.0-or-later */
/* host-guard.h: what a learner's own command changed on the host. Around
 * each `host`, `run` and `shell` nslab takes a snapshot of the host before
 * and after (host-snap.h) and names each change in one line: what it can
 * undo goes into the cleanup registry, with what proves it is that object,
 * and is undone at stop, reset and quit (`keep N` leaves one); what it
 * cannot undo is said with how to undo it by hand. */
#ifndef NSLAB_HOST_GUARD_H
#define NSLAB_HOST_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Before the command: the snapshot to compare with. */
void host_guard_before(void);
/* After it: names each change; cmd is how the learner typed it ("host
 * ipcmk -M 1000"). lab: a lab is active (its changes go with it at stop). */
void host_guard_after(const char *cmd, bool lab);
/* Undoes what the guard registered at or above registry depth mark (0:
 * everything, at quit), saying each in one line; says what stays (kept, or
 * not undoable) too. Returns how many host changes stay. */
size_t host_guard_undo(size_t mark);
/* `keep N`: leave change N; `keep` alone lists the changes still to be
 * undone. 0 ok, -1 (said) when there is no change N. */
int host_guard_keep(long n);
/* The live screen's shell (kept on its pty between `shell`s) is nslab's own:
 * not named as a process left running. Its children are. 0: none. */
void host_guard_skip(pid_t pid);

#endif
