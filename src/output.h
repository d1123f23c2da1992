/* SPDX-License-Identifier: GPL-2.0-or-later */
/* output.h: where text goes. Plain mode writes to stdout; the TUI installs a
 * sink that appends to its scrolling output window and meter area. */
#ifndef NSLAB_OUTPUT_H
#define NSLAB_OUTPUT_H

#include <stdarg.h>
#include <stddef.h>

/* What a line is, so that a screen can style it without reading its words:
 * rewording a message never changes its colour. */
enum out_kind {
	OUT_TEXT,    /* plain text: tasks, explanations, command output */
	OUT_OK,      /* a check passed */
	OUT_NOTYET,  /* a check did not pass yet */
	OUT_MISSING, /* one thing a check found missing */
	OUT_ERROR,   /* "nslab: ...": a command could not do what was asked */
	OUT_WARNING, /* it worked, but something needs the learner's eye */
	OUT_NOTE,    /* an aside: what nslab did or could not do on its own */
	OUT_TRACE,   /* a syscall nslab (or the learner) made, as strace would show it */
	OUT_ECHO,    /* the learner's own command line, echoed */
};

struct out_sink {
	/* any fragment of a line of one kind; lines end in '\n' */
	void (*write)(enum out_kind kind, const char *text, size_t len);
	void (*meter)(const char *text); /* NULL text clears the meter */
};

void out_set_sink(const struct out_sink *sink); /* NULL: back to stdout */
void out_write(const char *text, size_t len);   /* OUT_TEXT */
void out_kwrite(enum out_kind kind, const char *text, size_t len);
void out_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* OUT_TEXT */
void out_vprintf(const char *fmt, va_list ap);
void out_kprintf(enum out_kind kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void out_vkprintf(enum out_kind kind, const char *fmt, va_list ap);
/* "nslab: " + message + newline, to the sink (and stderr in plain mode). */
void out_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void out_verror(const char *fmt, va_list ap);
void out_meter(const char *text);
/* A lab's prose (task, hint, explanation) and a newline: its paragraphs
 * reflowed, so that the screen breaks lines, never the source: the TUI wraps
 * them at its width; plain output on a terminal is wrapped at the terminal's
 * width here; plain output elsewhere keeps one line per paragraph. */
void out_para(enum out_kind kind, const char *text);

#endif
