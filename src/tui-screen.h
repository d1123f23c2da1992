/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui-screen.h: the terminal under the TUI: ncurses set up and torn down,
 * the windows of the layout, colours, fds 1 and 2 redirected into a pipe,
 * suspend and resume around `shell`, and the terminal restored on a crash. */
#ifndef NSLAB_TUI_SCREEN_H
#define NSLAB_TUI_SCREEN_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define TUI_MIN_W 80
#define TUI_MIN_H 24
#define TUI_METER_MAX 3
/* Below this many rows the pane is compact (pane.h): the full one would
 * leave the output window fewer than a dozen lines. */
#define TUI_COMPACT_H 30

/* Parts of the screen to draw again. */
enum {
	TUI_PANE = 1 << 0,
	TUI_LAB = 1 << 1,
	TUI_METER = 1 << 2,
	TUI_OUT = 1 << 3,
	TUI_KEYS = 1 << 4,
	TUI_INPUT = 1 << 5,
	TUI_ALL = 1 << 6, /* the background too (after a layout) */
};

enum tui_style { S_DIFF = 1, S_OK, S_NOTYET, S_ERR, S_HEAD, S_BAR, S_KEY };

/* The layout as drawn now; windows are NULL while too small. */
struct tui_screen {
	WINDOW *pane, *lab, *meter, *out, *in, *keys;
	int w, h, pane_h, lab_h, meter_h, out_h;
	bool too_small, suspended, color;
	bool compact; /* the pane shows only the rows that differ */
};
const struct tui_screen *screen(void);

/* Takes the terminal: ncurses on private copies of fds 0 and 1, fds 1 and 2
 * into a pipe, crash signals restoring the terminal. -1 when it cannot
 * (screen_close then undoes what was done). */
int screen_open(void);
/* Gives the terminal back and prints stray output still in the pipe. Safe
 * to call when not open, and again. */
void screen_close(void);
bool screen_is_open(void);

/* Lays the windows out for the terminal's size, with METER_LINES rows of
 * meter; everything is to be drawn again. */
void screen_layout(int meter_lines);
/* The compact pane's height in lines (pane_compact_lines): when the pane is
 * compact and this changes its height, the windows are laid out again. */
void screen_set_compact_lines(int lines);
/* F7: the full pane on a short terminal, the compact one on a tall one (and
 * back); kept across resizes. Lays the windows out again. */
void screen_toggle_compact(void);
/* `shell` and other terminal owners: the screen goes, fds 1 and 2 are the
 * terminal again; resume takes it back (the caller lays out and draws). */
void screen_suspend(void);
void screen_resume(void);

void screen_dirty(unsigned parts);
unsigned screen_take_dirty(void); /* what to draw, and forget it */

attr_t screen_attr(enum tui_style s);
/* Writes S clipped to the columns left on W's current line. */
void screen_put_clipped(WINDOW *w, const char *s, size_t len);

int screen_tty_fd(void);   /* to poll for keys */
int screen_stray_fd(void); /* to poll for stray output; -1 without */
/* Reads stray output that reached fds 1 and 2; 0 when there is none. */
ssize_t screen_read_stray(char *buf, size_t len);

#endif
