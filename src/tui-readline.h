/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui-readline.h: GNU readline inside the TUI, in callback mode. Readline
 * never touches the terminal: keys are queued here and fed to it, its line
 * is drawn into the input window, its completion lists go to the output. */
#ifndef NSLAB_TUI_READLINE_H
#define NSLAB_TUI_READLINE_H

#include <stdbool.h>

struct scrollback;

/* REDISPLAY is called when readline's line changed (draw the input line);
 * completion lists are pushed onto SB. */
void rlx_setup(struct scrollback *sb, void (*redisplay)(void));
void rlx_teardown(void);
/* A fresh prompt (the lab or step may have changed). */
void rlx_install(void);
void rlx_remove(void);

/* Queues a key as readline wants it (named keys as their byte sequences).
 * False when readline has no use for it. */
bool rlx_feed_key(int ch);
/* Hands readline one queued key; false when none is queued. */
bool rlx_step(void);
/* The line readline finished (malloc'd, the caller frees), or NULL. */
char *rlx_take_line(void);
/* Readline saw end of input (Ctrl-D on an empty line). */
bool rlx_eof(void);

void rlx_add_history(const char *line);
/* The line being typed: replaced (the cursor at its end), kept aside while a
 * key's command runs and put back, or cleared (true when it was empty). */
void rlx_set_line(const char *text);
char *rlx_save_line(int *point);
void rlx_restore_line(char *saved, int point); /* frees SAVED */
bool rlx_clear_line(void);

/* Draws the prompt and line into the input window, scrolled sideways so that
 * the cursor stays visible; while a command runs, says how to interrupt it. */
void rlx_draw_input(bool executing);

#endif
