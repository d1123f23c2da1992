/* SPDX-License-Identifier: GPL-2.0-or-later */
/* record.h: `--record FILE`, `record FILE` and `record stop`: every command
 * the learner runs, written as a demo script (demo.h's format) that `nslab
 * --demo FILE` plays back: one command a line, and a '#' narration line with
 * the lab, step and title whenever the step changes, so that the playback
 * says where it is before the commands of each step. */
#ifndef NSLAB_RECORD_H
#define NSLAB_RECORD_H

#include <stdbool.h>

/* Starts recording to PATH (replacing a file there), opened as the invoking
 * user (state_as_user) without following a symlink; a regular file only.
 * Stops a recording already going. 0; -1 with errno (EINVAL: not a regular
 * file; ELOOP: a symlink). */
int record_start(const char *path);
/* Stops; false if there was none. */
bool record_stop(void);
const char *record_path(void); /* NULL: not recording */

/* A command line ran and came to RC (enum cmd_status): written unless it
 * was malformed or unknown (CMD_USAGE), or is `record` or `quit` itself;
 * then the narration of the step the session now stands at, if it changed.
 * A failed write stops the recording and says so once. */
void record_command(const char *line, int rc);

#endif
