/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the nslab authors.
 *
 * The plugin headers (nslab-lab.h, nslab-lab-util.h and the
 * nslab-lab-util-*.h it includes, and only they) are under the MIT licence,
 * not nslab's GPL-2.0-or-later, so that a lab plugin may be written under
 * any licence.
 *
 * Permission is hereby granted, free of charge, to any person obtaining a
 * copy of this software and associated documentation files (the "Software"),
 * to deal in the Software without restriction, including without limitation
 * the rights to use, copy, modify, merge, publish, distribute, sublicense,
 * and/or sell copies of the Software, and to permit persons to whom the
 * Software is furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in
 * all copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 * AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
 * FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
 * DEALINGS IN THE SOFTWARE.
 */
/* nslab-lab-util-text.h: words and numbers: padding a column by its
 * display width, a word among comma-separated options, an errno's name for a
 * trace line, a meter's bar, a command's number argument, a command's rest
 * of line. None calls the host. Part of nslab-lab-util.h. */
#ifndef NSLAB_LAB_UTIL_TEXT_H
#define NSLAB_LAB_UTIL_TEXT_H

#include "nslab-lab-util-base.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* s followed by spaces up to width display columns, in buf (cut to fit
 * len). printf's %-30s pads by bytes: a Hangul syllable is three bytes and
 * two columns, so a translated table would not line up. Characters are
 * read in nslab's locale; an undecodable byte counts as one column. */
static inline const char *nslab_pad(char *buf, size_t len, const char *s, int width)
{
	mbstate_t st = {0};
	int cols = 0;
	for (const char *p = s; *p;) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, p, strlen(p), &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof(st));
			n = 1;
			wc = L'?';
		}
		int w = wcwidth(wc);
		cols += w < 0 ? 1 : w;
		p += n;
	}
	snprintf(buf, len, "%s%*s", s, cols < width ? width - cols : 0, "");
	return buf;
}

/* Is word one of the comma-separated options in opts? Exact words only:
 * "cpu" is not "cpuset", "cpu" is in "rw,cpu,cpuacct". */
static inline bool nslab_opt_has(const char *opts, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = opts; p && *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* The name of an errno value for a trace line ("ENOENT"); "E?" without
 * glibc 2.32's strerrorname_np. */
static inline const char *nslab_errno_name(int err)
{
#if defined(_GNU_SOURCE) && defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
	const char *name = strerrorname_np(err);
	return name ? name : "E?";
#else
	(void)err;
	return "E?";
#endif
}

/* A meter's bar: `width` cells, value's share of top as '#', the rest '.'
 * (full at or above top). buf holds width + 1. */
static inline void nslab_meter_bar(char *buf, int width, double value, double top)
{
	int n = top > 0 ? (int)(value / top * width + 0.5) : 0;
	n = n < 0 ? 0 : n > width ? width : n;
	memset(buf, '#', (size_t)n);
	memset(buf + n, '.', (size_t)(width - n));
	buf[width] = '\0';
}

/* A whole number from min to max, written alone or followed by one of the
 * space-separated units ("M MiB"; NULL: none), as a lab command's argument.
 * 0 and *out, -1 for anything else. */
static inline int nslab_parse_long(const char *s, long min, long max, const char *units, long *out)
{
	char *end, unit[16];
	errno = 0;
	long v = strtol(s, &end, 10);
	bool known = *end == '\0';
	for (const char *u = units; !known && u && *u; u += strspn(u, " ")) {
		size_t n = strcspn(u, " ");
		snprintf(unit, sizeof(unit), "%.*s", (int)n, u);
		known = strcmp(end, unit) == 0;
		u += n;
	}
	if (end == s || !known || errno || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* argv[from..argc-1] joined by spaces, as a lab command that passes the
 * rest of its line to h->run (`peer CMD...`); malloc'd, NULL on ENOMEM. */
static inline char *nslab_join_args(int argc, char **argv, int from)
{
	size_t len = 1;
	for (int i = from; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *cmd = calloc(1, len);
	for (int i = from; cmd && i < argc; i++) {
		strcat(cmd, argv[i]);
		if (i + 1 < argc)
			strcat(cmd, " ");
	}
	return cmd;
}

#endif
