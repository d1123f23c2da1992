/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_script.c: libFuzzer target for script mode, repl_run_script() on a
 * fmemopen'ed buffer: line splitting, NUL bytes inside lines, no final
 * newline, echo of the prompt, and the exit status. Lines that would run a
 * blocked command (see fuzz.h) are dropped before the script is run. */
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

/* Copies the lines of DATA that are safe to run into OUT; returns its length. */
static size_t filter_script(const char *data, size_t size, char *out)
{
	size_t n = 0;
	for (size_t at = 0; at < size;) {
		const char *nl = memchr(data + at, '\n', size - at);
		size_t len = nl ? (size_t)(nl - (data + at)) + 1 : size - at;
		if (!fuzz_line_blocked(data + at, len)) {
			memcpy(out + n, data + at, len);
			n += len;
		}
		at += len;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	char *script = malloc(size);
	if (!script)
		return 0;
	size_t n = filter_script((const char *)data, size, script);
	if (n == 0) {
		free(script);
		return -1;
	}
	FILE *f = fmemopen(script, n, "r");
	if (!f) {
		free(script);
		return 0;
	}
	int status = repl_run_script(f, "fuzz", true);
	fclose(f);
	free(script);
	/* No signal arrives here: the status is 0 or 1, nothing else. */
	if (status != 0 && status != 1) {
		fprintf(stderr, "repl_run_script returned %d\n", status);
		abort();
	}
	return 0;
}
