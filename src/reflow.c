/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reflow.c: joining a paragraph's soft line breaks and wrapping it again at
 * the width a screen has. Its own file because both the plain output and the
 * TUI's panels use it, and because it is pure: unit-tested without a terminal. */
#include "reflow.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static bool is_indented(const char *line)
{
	return *line == ' ' || *line == '\t';
}

static bool is_list_item(const char *line)
{
	if ((line[0] == '-' || line[0] == '*') && line[1] == ' ')
		return true;
	const char *p = line;
	while (isdigit((unsigned char)*p))
		p++;
	return p > line && (*p == '.' || *p == ')') && p[1] == ' ';
}

char *text_reflow(const char *s)
{
	char *out = strdup(s ? s : "");
	if (!out)
		return NULL;
	const char *line = out; /* the line that the newline at p ends */
	for (char *p = strchr(out, '\n'); p; line = p + 1, p = strchr(p + 1, '\n')) {
		const char *next = p + 1;
		bool hard = line == p || is_indented(line) || !*next || *next == '\n' || is_indented(next) ||
			    is_list_item(next);
		if (!hard)
			*p = ' ';
	}
	return out;
}

/* Columns of the bytes [s, e), as a terminal shows them. */
static int columns(const char *s, const char *e)
{
	mbstate_t st = {0};
	int cols = 0;
	while (s < e) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, (size_t)(e - s), &st);
		if (n == (size_t)-1 || n == (size_t)-2) { /* not text in this locale: a byte a column */
			memset(&st, 0, sizeof(st));
			s++;
			cols++;
			continue;
		}
		if (n == 0)
			n = 1;
		int w = wcwidth(wc);
		cols += w > 0 ? w : 0;
		s += n;
	}
	return cols;
}

/* Appends [s, e) to the buffer at *o. */
static char *put(char *o, const char *s, const char *e)
{
	memcpy(o, s, (size_t)(e - s));
	return o + (e - s);
}

static char *wrap_line(char *o, const char *s, const char *e, int width)
{
	while (columns(s, e) > width) {
		const char *cut = NULL; /* the last space that still fits */
		for (const char *p = s; p < e && columns(s, p) <= width; p++)
			if (*p == ' ')
				cut = p;
		if (!cut || cut == s) /* one word longer than the line: whole, on its own */
			cut = memchr(s + 1, ' ', (size_t)(e - s - 1));
		if (!cut)
			break;
		o = put(o, s, cut);
		*o++ = '\n';
		s = cut + 1;
	}
	return put(o, s, e);
}

char *text_wrap(const char *s, int width)
{
	s = s ? s : "";
	size_t len = strlen(s);
	char *out = malloc(2 * len + 1); /* at most one added newline per space */
	if (!out)
		return NULL;
	char *o = out;
	for (const char *line = s;;) {
		const char *nl = strchr(line, '\n'), *e = nl ? nl : line + strlen(line);
		o = width > 0 && !is_indented(line) ? wrap_line(o, line, e, width) : put(o, line, e);
		if (!nl)
			break;
		*o++ = '\n';
		line = nl + 1;
	}
	*o = '\0';
	return out;
}
