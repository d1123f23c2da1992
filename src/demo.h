/* SPDX-License-Identifier: GPL-2.0-or-later */
/* demo.h: instructor playback of a prepared script (`nslab --demo FILE`).
 * A script is REPL commands, one a line; '#' lines are narration shown
 * before the next command; blank lines are skipped. */
#ifndef NSLAB_DEMO_H
#define NSLAB_DEMO_H

#include <stdbool.h>
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

/* The one player: which command is next, how much of it is typed, what a
 * key does. A presenter shows it (plain text here, the full screen in tui-demo.c)
 * and runs the commands. */
struct demo_presenter {
	/* one narration line (a '#' line of the script, without the '#'); FIRST
	 * for the first line of its block */
	void (*narrate)(void *ctx, const char *line, size_t len, bool first);
	/* the next command, its first SHOWN bytes typed (0: a fresh prompt) */
	void (*type)(void *ctx, const char *cmd, size_t shown);
	/* runs step STEP's command; returns REPL_OK, REPL_FAILED or REPL_USAGE */
	int (*run)(void *ctx, size_t step, const char *cmd);
	/* shows step STEP's output again (`b`) */
	void (*again)(void *ctx, size_t step, const char *cmd);
	void (*note)(void *ctx, const char *text); /* "(this is the first command)" */
};

struct demo_player {
	const struct demo *d;
	const struct demo_presenter *p;
	void *ctx;
	size_t idx, shown; /* next command; bytes of it typed so far */
	bool quit;
	int status; /* 1 once a command was unknown or malformed */
};

void demo_player_init(struct demo_player *pl, const struct demo *d, const struct demo_presenter *p,
		      void *ctx);
/* Presents the next command: its narration, then a fresh prompt (the end of
 * the demo says so instead). */
void demo_player_begin(struct demo_player *pl);
/* Types up to LETTERS more bytes of the command; false once it is whole. */
bool demo_player_type(struct demo_player *pl, size_t letters);
/* Acts on a key (demo_key_of); true when a command ran and the next one
 * is to be presented. */
bool demo_player_key(struct demo_player *pl, int c);
bool demo_player_done(const struct demo_player *pl);

/* Plain playback: keys from stdin (raw when a terminal). Returns the exit status. */
int demo_run_plain(const struct demo *d);

#endif
