/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui-widgets.h: what the TUI shows above and below the input line: the
 * namespace pane, the lab's status bar and task box, the meter, the output
 * window and the key bar. Each keeps the model it draws and marks itself
 * for drawing (tui-screen.h) when that model changes. */
#ifndef NSLAB_TUI_WIDGETS_H
#define NSLAB_TUI_WIDGETS_H

#include <stdbool.h>
#include <stddef.h>

struct scrollback;

/* The pane and the lab panel read afresh (the kernel, the session). */
void widgets_refresh(void);
/* The lab panel only: the session may have moved (a command, a lab tick). */
void widgets_refresh_session(void);
/* A process besides nslab is shown: worth probing between full reads. */
bool widgets_probing(void);
/* The cheap check between full reads (see tui.c's loop): ALL probes every
 * column, otherwise only the shown ones; reads afresh when one moved. */
void widgets_probe(bool all);

/* Processes anywhere on the machine in namespaces made since the TUI
 * started, not the lab's and not shown (nssubjects.h): each set once. */
struct ns_new;
size_t widgets_new_namespaces(struct ns_new *out, size_t max);

/* F8: the task box shows its next boxful of rows (then the top again). */
void widgets_task_scroll(void);

/* The meter's text (NULL or "": none). Returns its rows, for the layout. */
int widgets_set_meter(const char *text);
int widgets_meter_rows(void);
/* Lines the output window lost for want of memory, said in the status bar. */
void widgets_set_lost(size_t lost);
void widgets_free(void);

/* Draws the parts of the screen marked (TUI_* bits) but the input line. */
void widgets_draw(unsigned parts, const struct scrollback *sb);

#endif
