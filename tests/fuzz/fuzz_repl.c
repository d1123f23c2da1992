/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_repl.c: libFuzzer target for repl_exec, i.e. the command word, the
 * word splitter (quotes, backslashes, the 64-word limit), argument counts
 * and the no-lab paths of every command that does not touch the kernel.
 * The input is one line (it may hold newlines, as a pasted line can). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "repl.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_line_blocked((const char *)data, size))
		return -1; /* not added to the corpus */
	/* An exact-size copy, so that ASan catches a read past the NUL. */
	char *line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	int rc = repl_exec(line);
	if (rc != REPL_OK && rc != REPL_FAILED && rc != REPL_USAGE) {
		fprintf(stderr, "repl_exec returned %d\n", rc);
		abort();
	}
	free(line);
	return 0;
}
