/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reflow.h: lab texts are written as paragraphs; the screen decides where
 * lines break. Pure string functions, no output. */
#ifndef NSLAB_REFLOW_H
#define NSLAB_REFLOW_H

/* A copy of s with the soft line breaks inside a paragraph turned into
 * spaces. A break stays where the next line is blank, indented (a command
 * to type), a list item ("- ", "* ", "1. "), or where this line is blank
 * or indented. NULL if out of memory. */
char *text_reflow(const char *s);

/* A copy of s with every line longer than width columns broken at its last
 * space that fits (a word longer than the line stays whole). Indented lines
 * (commands) are left as they are: breaking one would change the command.
 * Columns are counted with wcwidth, so Hangul takes two. NULL if out of memory. */
char *text_wrap(const char *s, int width);

#endif
