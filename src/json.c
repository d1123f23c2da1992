/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json.c: see json.h. The reader is strict and small on purpose: a status
 * file comes from a shared directory any learner (or anyone with write
 * access to it) can fill, so everything is bounded and anything unexpected
 * is a reason to skip the file, never a crash or a partial read. */
#include "json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- writer --- */

void json_init(struct json_writer *w, FILE *f, bool pretty)
{
	*w = (struct json_writer){.f = f, .pretty = pretty};
	w->first[0] = true;
}

/* The length of the UTF-8 sequence at S (1..4), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	size_t n;
	uint32_t c;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0; /* also stops at the NUL */
		c = c << 6 | (s[i] & 0x3f);
	}
	static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
	if (c < least[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0; /* overlong, out of range, or a surrogate */
	return n;
}

void json_put_quoted(FILE *f, const char *s)
{
	putc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		if (*p == '"' || *p == '\\') {
			putc('\\', f);
			putc(*p++, f);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p++);
		} else {
			size_t n = utf8_len(p);
			if (n) {
				fwrite(p, 1, n, f);
				p += n;
			} else {
				fputs("\\ufffd", f);
				p++;
			}
		}
	}
	putc('"', f);
}

static void indent(struct json_writer *w)
{
	if (!w->pretty)
		return;
	putc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		putc('\t', w->f);
}

/* The comma, indent and key before a member or element. */
static void lead(struct json_writer *w, const char *key)
{
	if (!w->first[w->depth])
		putc(',', w->f);
	w->first[w->depth] = false;
	if (w->depth)
		indent(w);
	if (key) {
		json_put_quoted(w->f, key);
		fputs(w->pretty ? ": " : ":", w->f);
	}
}

static void open_with(struct json_writer *w, const char *key, char c)
{
	lead(w, key);
	putc(c, w->f);
	if (w->depth + 1 >= JSON_MAX_DEPTH)
		return;
	w->first[++w->depth] = true;
	w->closer[w->depth] = c == '{' ? '}' : ']';
}

void json_object(struct json_writer *w, const char *key)
{
	open_with(w, key, '{');
}

void json_array(struct json_writer *w, const char *key)
{
	open_with(w, key, '[');
}

void json_end(struct json_writer *w)
{
	if (!w->depth)
		return;
	bool empty = w->first[w->depth];
	char c = w->closer[w->depth--];
	if (!empty)
		indent(w);
	putc(c, w->f);
	if (!w->depth && w->pretty)
		putc('\n', w->f);
}

void json_string(struct json_writer *w, const char *key, const char *value)
{
	lead(w, key);
	if (value)
		json_put_quoted(w->f, value);
	else
		fputs("null", w->f);
}

void json_int(struct json_writer *w, const char *key, long long value)
{
	lead(w, key);
	fprintf(w->f, "%lld", value);
}

void json_bool(struct json_writer *w, const char *key, bool value)
{
	lead(w, key);
	fputs(value ? "true" : "false", w->f);
}

/* --- reader --- */

struct rd {
	const char *p, *end, *start;
	const char *why;
	char why_buf[96];
	char key[JSON_MAX_STRING + 1], str[JSON_MAX_STRING + 1];
};

static int fail(struct rd *r, const char *what)
{
	snprintf(r->why_buf, sizeof(r->why_buf), "%s at byte %zu", what, (size_t)(r->p - r->start));
	r->why = r->why_buf;
	return -1;
}

static void skip_ws(struct rd *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static int hex4(struct rd *r, uint32_t *out)
{
	if (r->end - r->p < 4)
		return fail(r, "short \\u escape");
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		char c = *r->p++;
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return fail(r, "bad \\u escape");
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *d, uint32_t c)
{
	if (c < 0x80) {
		d[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		d[0] = (char)(0xc0 | c >> 6);
		d[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		d[0] = (char)(0xe0 | c >> 12);
		d[1] = (char)(0x80 | (c >> 6 & 0x3f));
		d[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | c >> 18);
	d[1] = (char)(0x80 | (c >> 12 & 0x3f));
	d[2] = (char)(0x80 | (c >> 6 & 0x3f));
	d[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* A \u escape (the backslash and 'u' read), a surrogate pair as one. */
static int unicode_escape(struct rd *r, uint32_t *c)
{
	if (hex4(r, c) < 0)
		return -1;
	if (*c >= 0xdc00 && *c <= 0xdfff)
		return fail(r, "lone low surrogate");
	if (*c < 0xd800 || *c > 0xdbff)
		return *c ? 0 : fail(r, "NUL in a string");
	uint32_t lo;
	if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
		return fail(r, "lone high surrogate");
	r->p += 2;
	if (hex4(r, &lo) < 0)
		return -1;
	if (lo < 0xdc00 || lo > 0xdfff)
		return fail(r, "bad surrogate pair");
	*c = 0x10000 + ((*c - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

/* A string (at its opening quote) into DST, JSON_MAX_STRING bytes at most. */
static int string(struct rd *r, char *dst)
{
	size_t n = 0;
	r->p++;
	for (;;) {
		if (r->p >= r->end)
			return fail(r, "unterminated string");
		unsigned char c = (unsigned char)*r->p;
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(r, "control byte in a string");
		char buf[4];
		size_t len = 1;
		r->p++;
		if (c != '\\') {
			buf[0] = (char)c;
		} else if (r->p >= r->end) {
			return fail(r, "unterminated string");
		} else {
			char e = *r->p++;
			const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
			const char *k = e ? strchr(from, e) : NULL;
			uint32_t u;
			if (k)
				buf[0] = to[k - from];
			else if (e != 'u')
				return fail(r, "bad escape");
			else if (unicode_escape(r, &u) < 0)
				return -1;
			else
				len = put_utf8(buf, u);
		}
		if (n + len > JSON_MAX_STRING)
			return fail(r, "string too long");
		memcpy(dst + n, buf, len);
		n += len;
	}
	r->p++;
	dst[n] = '\0';
	return 0;
}

static bool word(struct rd *r, const char *w)
{
	size_t l = strlen(w);
	if ((size_t)(r->end - r->p) < l || memcmp(r->p, w, l) != 0)
		return false;
	r->p += l;
	return true;
}

/* An integer: -?digits, no fraction or exponent, in range of long long. */
static int integer(struct rd *r, long long *out)
{
	bool neg = r->p < r->end && *r->p == '-';
	r->p += neg;
	const char *digits = r->p;
	unsigned long long v = 0;
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		unsigned d = (unsigned)(*r->p++ - '0');
		if (v > (9223372036854775807ULL - d) / 10)
			return fail(r, "number out of range");
		v = v * 10 + d;
	}
	if (r->p == digits)
		return fail(r, "expected a value");
	if (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E'))
		return fail(r, "not an integer");
	*out = neg ? -(long long)v : (long long)v;
	return 0;
}

static int value(struct rd *r, struct json_value *v)
{
	*v = (struct json_value){0};
	if (r->p >= r->end)
		return fail(r, "expected a value");
	char c = *r->p;
	if (c == '"') {
		v->type = JSON_STRING;
		v->str = r->str;
		return string(r, r->str);
	}
	if (c == '{' || c == '[')
		return fail(r, "nested value");
	if (word(r, "true") || word(r, "false")) {
		v->type = JSON_BOOL;
		v->num = c == 't';
		return 0;
	}
	if (word(r, "null")) {
		v->type = JSON_NULL;
		return 0;
	}
	v->type = JSON_INT;
	return integer(r, &v->num);
}

/* More members than a status file has: a file of a million tiny ones is
 * refused early. */
#define JSON_MAX_MEMBERS 64

/* The members after '{', through the closing '}'. -1 with r->why set, or
 * what FIELD returned when it stopped the walk. */
static int members(struct rd *r, int (*field)(void *, const char *, const struct json_value *), void *ctx)
{
	skip_ws(r);
	if (r->p < r->end && *r->p == '}')
		return r->p++, 0;
	for (unsigned n = 0;; n++) {
		if (n == JSON_MAX_MEMBERS)
			return fail(r, "too many members");
		if (r->p >= r->end || *r->p != '"')
			return fail(r, "expected a key");
		if (string(r, r->key) < 0)
			return -1;
		skip_ws(r);
		if (r->p >= r->end || *r->p != ':')
			return fail(r, "expected ':'");
		r->p++;
		skip_ws(r);
		struct json_value v;
		if (value(r, &v) < 0)
			return -1;
		int rc = field(ctx, r->key, &v);
		if (rc)
			return rc;
		skip_ws(r);
		if (r->p < r->end && *r->p == '}')
			return r->p++, 0;
		if (r->p >= r->end || *r->p != ',')
			return fail(r, "expected ',' or '}'");
		r->p++;
		skip_ws(r);
	}
}

int json_parse_flat(const char *text, size_t len,
		    int (*field)(void *ctx, const char *key, const struct json_value *v), void *ctx,
		    const char **why)
{
	static struct rd r; /* keys and strings are 2 KiB: not on the stack */
	r = (struct rd){.p = text, .end = text + len, .start = text};
	skip_ws(&r);
	int rc = r.p < r.end && *r.p == '{' ? (r.p++, members(&r, field, ctx)) : fail(&r, "expected '{'");
	if (rc == 0) {
		skip_ws(&r);
		if (r.p != r.end)
			rc = fail(&r, "text after the object");
	}
	*why = rc < 0 ? r.why : NULL;
	return rc;
}
