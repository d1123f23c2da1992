/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json.h: the little JSON nslab writes and reads: a writer for objects and
 * arrays of strings, integers and booleans (the class status files, `nslab
 * --class --json`), and a strict reader of one flat object, for status files
 * written by anyone (bounded, no nesting, never trusting the text). */
#ifndef NSLAB_JSON_H
#define NSLAB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Deeper nesting than nslab writes is a caller's bug: it is cut at this depth. */
#define JSON_MAX_DEPTH 8

struct json_writer {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH];  /* nothing written yet at this depth */
	char closer[JSON_MAX_DEPTH]; /* '}' or ']' for each open one */
	bool pretty;                 /* newline and tab indents */
};

void json_init(struct json_writer *w, FILE *f, bool pretty);
/* KEY NULL: a value in an array (or the top level). */
void json_object(struct json_writer *w, const char *key);
void json_array(struct json_writer *w, const char *key);
void json_end(struct json_writer *w); /* closes the innermost object or array */
void json_string(struct json_writer *w, const char *key, const char *value); /* NULL: null */
void json_int(struct json_writer *w, const char *key, long long value);
void json_bool(struct json_writer *w, const char *key, bool value);
/* A quoted, escaped string: '"' '\\' and control bytes escaped, bytes that
 * are not UTF-8 written as U+FFFD, so that the output is always valid JSON. */
void json_put_quoted(FILE *f, const char *s);

enum json_type { JSON_STRING, JSON_INT, JSON_BOOL, JSON_NULL };
struct json_value {
	enum json_type type;
	const char *str; /* JSON_STRING: decoded, NUL-free UTF-8 */
	long long num;   /* JSON_INT; JSON_BOOL 0 or 1 */
};

#define JSON_MAX_STRING 1024
/* Parses TEXT (LEN bytes), which must be exactly one object of string,
 * integer, boolean and null members (white space around), calling FIELD for
 * each member in order; FIELD returning nonzero stops with that value. 0 ok;
 * -1 with *WHY a static reason ("expected ':' at byte 12", "nested value",
 * "string too long") for a text that is not such an object. */
int json_parse_flat(const char *text, size_t len,
		    int (*field)(void *ctx, const char *key, const struct json_value *v), void *ctx,
		    const char **why);

#endif
