/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_class_status.c: libFuzzer target for the status file reader (any
 * learner can write a class directory, so its files are hostile input).
 * Properties: the parse never reads past the input (an exact-size heap
 * copy, for ASan); an accepted status has a learner, NUL-terminated strings
 * without control bytes, and a step within its lab; written back as JSON it
 * parses again to the same status. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "class-status.h"

static void no_controls(const char *s, size_t size)
{
	size_t l = strnlen(s, size);
	if (l == size)
		abort(); /* not terminated */
	for (size_t i = 0; i < l; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	struct class_status s, back;
	const char *why = NULL;
	if (class_status_parse(text, size, &s, &why) < 0) {
		if (!why || !*why)
			abort(); /* a refusal always says why */
		free(text);
		return 0;
	}
	no_controls(s.learner, sizeof(s.learner));
	no_controls(s.host, sizeof(s.host));
	no_controls(s.lab, sizeof(s.lab));
	no_controls(s.title, sizeof(s.title));
	if (!s.learner[0] || s.step > s.nsteps)
		abort();
	char *json = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&json, &len);
	if (m) {
		class_status_to_json(m, &s);
		fclose(m);
		if (class_status_parse(json, len, &back, &why) < 0 || memcmp(&s, &back, sizeof(s)) != 0)
			abort();
	}
	free(json);
	free(text);
	return 0;
}
