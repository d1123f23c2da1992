/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui.h: the full-screen ncurses layout with readline inside it. */
#ifndef NSLAB_TUI_H
#define NSLAB_TUI_H

#include <stdbool.h>

/* True when stdin and stdout are terminals and TERM is usable (not dumb). */
bool tui_available(void);
/* Runs the TUI until quit, end of input, SIGTERM or SIGHUP, or an error;
 * returns the exit status (128+N after signal N) with the screen still up:
 * main's finish() calls tui_end. Falls back to the plain REPL when the
 * terminal cannot host it. */
int tui_run(void);
/* Gives the terminal back (fds 1 and 2, modes, the normal screen) and frees
 * what the TUI held. Safe when the TUI never ran, and again. */
void tui_end(void);

struct demo;
/* `--demo` on a terminal: the same screen, the script's commands shown in the
 * input line and run on a key press. Plain playback elsewhere. */
int tui_run_demo(const struct demo *d);

#endif
