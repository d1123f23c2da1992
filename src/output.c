/* SPDX-License-Identifier: GPL-2.0-or-later */
/* output.c: every line nslab prints goes through here, so that the TUI can
 * take it over by installing a sink. */
#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "reflow.h"

static const struct out_sink *sink;

void out_set_sink(const struct out_sink *s)
{
	sink = s;
}

void out_kwrite(enum out_kind kind, const char *text, size_t len)
{
	if (sink && sink->write) {
		sink->write(kind, text, len);
		return;
	}
	fwrite(text, 1, len, stdout);
	fflush(stdout);
}

void out_write(const char *text, size_t len)
{
	out_kwrite(OUT_TEXT, text, len);
}

/* Out of memory is said, never silently dropped: the message has no room,
 * so a fixed line goes straight to stderr (the TUI shows what reaches it). */
static void lost(void)
{
	static const char msg[] = "nslab: out of memory: a message could not be shown\n";
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nowhere left to say it */
	}
}

void out_vkprintf(enum out_kind kind, const char *fmt, va_list ap)
{
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	if (n < 0) {
		lost();
		return;
	}
	out_kwrite(kind, s, (size_t)n);
	free(s);
}

void out_vprintf(const char *fmt, va_list ap)
{
	out_vkprintf(OUT_TEXT, fmt, ap);
}

void out_kprintf(enum out_kind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	out_vkprintf(kind, fmt, ap);
	va_end(ap);
}

void out_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	out_vprintf(fmt, ap);
	va_end(ap);
}

void out_verror(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0) {
		lost();
		return;
	}
	if (sink && sink->write) {
		out_kprintf(OUT_ERROR, "nslab: %s\n", s);
	} else {
		fflush(stdout);
		fprintf(stderr, "nslab: %s\n", s);
	}
	free(s);
}

void out_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	out_verror(fmt, ap);
	va_end(ap);
}

void out_meter(const char *text)
{
	if (sink && sink->meter)
		sink->meter(text);
}

/* The width plain output wraps at: the terminal's, or 0 (no wrapping) when
 * stdout is not a terminal (a script, a pipe, a test). */
static int plain_width(void)
{
	struct winsize ws;
	if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_col < 20)
		return 0;
	return ws.ws_col - 1;
}

void out_para(enum out_kind kind, const char *text)
{
	char *flowed = text_reflow(text);
	int width = sink && sink->write ? 0 : plain_width();
	char *shown = flowed && width ? text_wrap(flowed, width) : NULL;
	const char *s = shown ? shown : flowed ? flowed : text; /* out of memory: as written */
	out_kprintf(kind, "%s\n", s ? s : "");
	free(shown);
	free(flowed);
}
