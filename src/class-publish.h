/* SPDX-License-Identifier: GPL-2.0-or-later */
/* class-publish.h: the learner's side of the class view. With a class
 * directory (--class-dir DIR or NSLAB_CLASS_DIR), nslab keeps the learner's
 * status file there up to date: after every command, on the events the
 * session reports, once a minute while idle in the full screen, and a last
 * time at quit ("left"). Errors are said once, in one line, and never stop
 * the session. */
#ifndef NSLAB_CLASS_PUBLISH_H
#define NSLAB_CLASS_PUBLISH_H

#include <stdbool.h>

/* DIR NULL: NSLAB_CLASS_DIR, if set and not empty. Off without one. Writes
 * the first status (no lab yet). */
void class_publish_init(const char *dir);
bool class_publish_on(void);

enum class_event { CLASS_CHECK_FAILED, CLASS_HINT, CLASS_DO };
void class_publish_event(enum class_event e); /* counted for the current lab and step */
void class_publish_command(void);             /* a command ran: sync with the session, write */
void class_publish_tick(void);                /* rewrites a status older than a minute */
void class_publish_leave(void);               /* quit: written as left */

#endif
