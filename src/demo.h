/* SPDX-License-Identifier: GPL-2.0-or-later */
/* demo.h: instructor playback of a prepared script (`nslab --demo FILE`).
 * A script is REPL commands, one a line; '#' lines are narration shown
 * before the next command; blank lines are skipped. */
#ifndef NSLAB_DEMO_H
#define NSLAB_DEMO_H

#include <stddef.h>

struct demo_step {
	char *narration; /* '#' lines before the command, joined, or NULL */
	char *command;
};

struct demo {
	struct demo_step *steps;
	size_t n;
};

/* 0 ok; -1 after one line saying why (the file cannot be opened or read,
 * is not a regular file or pipe, has an over-long line or a NUL byte). */
int demo_load(const char *path, struct demo *d);
void demo_free(struct demo *d);

enum demo_key { DEMO_RUN, DEMO_BACK, DEMO_QUIT, DEMO_OTHER };
enum demo_key demo_key_of(int c); /* Enter/Space run, b back, q quit */

/* Plain playback: keys from stdin (raw when a terminal). Returns the exit status. */
int demo_run_plain(const struct demo *d);

#endif
