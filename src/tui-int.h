/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui-int.h: what the TUI's own files share, and nothing outside them
 * includes: the session's state and the calls between tui.c (the loop,
 * drawing, output), tui-keys.c (commands and keys), tui-shell-run.c (`shell`
 * inside the screen) and tui-demo.c (the demo's presenter). The terminal
 * (tui-screen.h), the widgets (tui-widgets.h), readline (tui-readline.h) and
 * the shell's cells (tui-shell.h) have their own headers. */
#ifndef NSLAB_TUI_INT_H
#define NSLAB_TUI_INT_H

#include "scrollback.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct demo_player;
struct vtshell;

struct tui_state {
	struct scrollback sb;
	bool executing, quit;
	struct timespec last_live_draw;
	struct demo_player *demo; /* --demo: the player this screen presents */
	size_t *from, *to;        /* absolute output lines of each demo command that ran */
	struct vtshell *shell;    /* `shell`, on screen or left running with Ctrl-] */
	char shell_where[64];     /* "in lab uts", "on the host" */
	bool shell_on;            /* on screen: keys go to it, the output window shows it */
	int shell_status;         /* how it ended, for the `shell` that was waiting */
	unsigned full_count;      /* full probes run */
};
extern struct tui_state tui;

/* --- tui.c --- */

/* Draws what changed (screen_dirty), then one doupdate. */
void tui_draw(void);
/* A line of nslab's own in the output window. */
void tui_note(const char *s);
/* The windows laid out again for the terminal's size and the meter. */
void tui_relayout(void);
/* Reads whatever stray output reached fds 1 and 2. */
void tui_drain_pipe(void);
/* The event loop: until quit, a signal or, inside `shell`, until the shell
 * ends or is left. */
void tui_loop(void);
/* Opens the screen, says WELCOME, runs the loop; falls back to the plain
 * REPL (or demo) when the screen cannot open. */
int tui_run_screen(const char *welcome);

/* --- tui-keys.c --- */

/* Echoes LINE, runs it (TYPED: into the history too) and returns its status. */
int tui_run_command(const char *line, bool typed);
/* Handles every key ncurses has, in the mode they came in. */
void tui_read_keys(void);

/* --- tui-shell-run.c --- */

/* The shell on screen instead of the output window and the input line. */
void tui_shell_draw(unsigned parts);
/* The shell's screen follows the output window's size. */
void tui_shell_fit(void);
/* Output of the shell read into its screen. */
void tui_shell_pump(void);
/* The shell ended: its last screen goes to the scrollback. */
void tui_shell_check_end(void);
/* A key for the shell on screen (Ctrl-] leaves it). */
void tui_shell_key(int ch);
/* host.h's shell runner (host_set_shell_runner). */
int tui_shell_run(pid_t target, char *const env[]);

/* --- tui-demo.c --- */

/* A key while the demo runs: the player's. */
void tui_demo_key(int ch);

#endif
