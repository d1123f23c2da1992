/* SPDX-License-Identifier: GPL-2.0-or-later */
/* output.h: where text goes. Plain mode writes to stdout; the TUI installs a
 * sink that appends to its scrolling output window and meter area. */
#ifndef NSLAB_OUTPUT_H
#define NSLAB_OUTPUT_H

#include <stdarg.h>
#include <stddef.h>

struct out_sink {
	void (*write)(const char *text, size_t len); /* any fragment; lines end in '\n' */
	void (*meter)(const char *text);             /* NULL text clears the meter */
};

void out_set_sink(const struct out_sink *sink); /* NULL: back to stdout */
void out_write(const char *text, size_t len);
void out_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void out_vprintf(const char *fmt, va_list ap);
/* "nslab: " + message + newline, to the sink (and stderr in plain mode). */
void out_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void out_verror(const char *fmt, va_list ap);
void out_meter(const char *text);

#endif
