/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz.h: shared by the libFuzzer targets that drive the REPL. They run the
 * real command table with no lab active, output discarded, and never let a
 * command through that would touch the kernel or end the process. */
#ifndef NSLAB_FUZZ_H
#define NSLAB_FUZZ_H

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "labs.h"
#include "output.h"
#include "state.h"

static void fuzz_discard(enum out_kind kind, const char *text, size_t len)
{
	(void)kind;
	/* Touch every byte, so that ASan sees a bad length or pointer here. */
	volatile unsigned char sum = 0;
	for (size_t i = 0; i < len; i++)
		sum ^= (unsigned char)text[i];
	(void)sum;
}

static void fuzz_meter(const char *text)
{
	fuzz_discard(OUT_TEXT, text ? text : "", text ? strlen(text) : 0);
}

static const struct out_sink fuzz_sink = {.write = fuzz_discard, .meter = fuzz_meter};

/* Commands that run programs, make namespaces, scan all of /proc, write
 * files or leave: run, host, shell, start, do (kernel), watch (scans /proc),
 * record (writes the file named), quit and its alias exit. */
static const char *const fuzz_blocked[] = {"run",   "host",   "shell", "start", "do",
					   "watch", "record", "quit",  "exit"};

/* Whether repl_exec would dispatch LINE (up to its NUL) to a blocked
 * command. Mirrors repl_exec: blanks skipped, the command word ends at
 * space, tab or newline. Other words are safe: with no lab active, they
 * end in "unknown command". */
static bool fuzz_line_blocked(const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && line[i] && isspace((unsigned char)line[i]))
		i++;
	size_t w = i;
	while (w < len && line[w] && line[w] != ' ' && line[w] != '\t' && line[w] != '\n')
		w++;
	for (size_t k = 0; k < sizeof(fuzz_blocked) / sizeof(fuzz_blocked[0]); k++)
		if (w - i == strlen(fuzz_blocked[k]) && memcmp(line + i, fuzz_blocked[k], w - i) == 0)
			return true;
	return false;
}

/* As main() does, minus the run directory: a state dir that does not exist
 * (nothing is saved without a lab), and the labs from NSLAB_LAB_PATH if set
 * (so `labs`, `progress` and `help` have content; none is ever started). */
static void fuzz_init(void)
{
	state_init("/nonexistent/nslab-fuzz-state");
	const char *path = getenv("NSLAB_LAB_PATH");
	if (path && *path)
		labs_load_path(path);
	out_set_sink(&fuzz_sink);
}

#endif
