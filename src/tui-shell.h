/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui-shell.h: the embedded `shell` (vtshell.h) on the TUI's screen: its
 * cells drawn into the output window with their colours and attributes, the
 * cursor placed where the shell has it, and ncurses keys turned into what a
 * terminal sends. */
#ifndef NSLAB_TUI_SHELL_H
#define NSLAB_TUI_SHELL_H

#include <curses.h>
#include <stdbool.h>

struct vtshell;

/* The key that leaves the shell on screen for the nslab prompt (Ctrl-]),
 * as telnet and docker attach do; `shell` comes back to it. */
#define TSHELL_LEAVE_KEY 0x1d

/* Draws the shell's screen into w (the output window's size). */
void tshell_draw(WINDOW *w, const struct vtshell *v, bool color);
/* Puts the terminal's cursor where the shell has it (after every other
 * window was refreshed), shown or hidden as the shell asked. */
void tshell_place_cursor(WINDOW *w, const struct vtshell *v);
/* Sends one key from wgetch to the shell. */
void tshell_key(struct vtshell *v, int ch);

#endif
