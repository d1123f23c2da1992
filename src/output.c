/* SPDX-License-Identifier: GPL-2.0-or-later */
/* output.c: every line nslab prints goes through here, so that the TUI can
 * take it over by installing a sink. */
#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct out_sink *sink;

void out_set_sink(const struct out_sink *s)
{
	sink = s;
}

void out_write(const char *text, size_t len)
{
	if (sink && sink->write) {
		sink->write(text, len);
		return;
	}
	fwrite(text, 1, len, stdout);
	fflush(stdout);
}

void out_vprintf(const char *fmt, va_list ap)
{
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	if (n < 0)
		return;
	out_write(s, (size_t)n);
	free(s);
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
	if (vasprintf(&s, fmt, ap) < 0)
		return;
	if (sink && sink->write) {
		out_printf("nslab: %s\n", s);
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
