/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vtshell.h: an interactive shell on a pseudo-terminal, its screen kept by
 * libvterm, for the TUI to draw inside its output area while the pane stays
 * live. No ncurses here: the TUI reads cells and the cursor, and hands keys
 * over. The shell is started as `shell` always was (nsexec.h: the lab's
 * namespaces, root and cgroups, or the host), with the pty as its terminal.
 * Lines that scroll off the top, and the screen when the shell ends, go to a
 * transcript callback (the TUI's scrollback). Mechanism only: errors are
 * returned, never printed. */
#ifndef NSLAB_VTSHELL_H
#define NSLAB_VTSHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <vterm.h>

/* One line of what the shell showed, as UTF-8 text without trailing blanks. */
typedef void (*vtshell_line_fn)(void *ctx, const char *text, size_t len);

struct vtshell;

/* Starts an interactive shell (ns_exec's, entered into target; 0: on the
 * host) on a new pty of rows x cols. NULL with errno when it cannot. */
struct vtshell *vtshell_start(pid_t target, char *const env[], int rows, int cols, vtshell_line_fn line,
			      void *ctx);
/* The pty's master, to poll for output; the shell process's pidfd (-1 when
 * the kernel has none), to poll for its end. */
int vtshell_fd(const struct vtshell *v);
int vtshell_pidfd(const struct vtshell *v);
pid_t vtshell_pid(const struct vtshell *v);
/* Reads what the shell wrote (non-blocking) into the screen. True when the
 * screen changed. */
bool vtshell_pump(struct vtshell *v);
/* Keys: text (UTF-8 bytes as typed) and named keys. */
void vtshell_text(struct vtshell *v, const char *s, size_t len);
void vtshell_key(struct vtshell *v, VTermKey key, VTermModifier mod);
/* A new size: the screen reflows and the shell gets SIGWINCH. */
void vtshell_resize(struct vtshell *v, int rows, int cols);
/* The screen as the TUI draws it. */
void vtshell_size(const struct vtshell *v, int *rows, int *cols);
bool vtshell_cell(const struct vtshell *v, int row, int col, VTermScreenCell *cell);
void vtshell_cursor(const struct vtshell *v, int *row, int *col, bool *visible);
/* Has the shell exited? Then *status (as ns_exec gives it: 128+N after
 * signal N; -1 when someone else reaped it). Does not wait. */
bool vtshell_exited(struct vtshell *v, int *status);
/* Sends the screen's lines (up to the last one written) to the transcript,
 * ends the shell if it still runs (SIGHUP, then SIGKILL), frees all. */
void vtshell_end(struct vtshell *v);

#endif
