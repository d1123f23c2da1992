/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_validate.c: libFuzzer target for labs_validate(), the check every
 * plugin descriptor passes before nslab uses it. The input is decoded into
 * a descriptor as a broken plugin could make one: any ABI and size, strings
 * NULL or pointing at bytes of the input, steps and commands arrays of the
 * declared length with fields NULL or set. Every object is an exact-size
 * heap copy, and a descriptor that claims to be smaller than the struct is
 * allocated at that size, so ASan reports any read past what the plugin
 * gave. Properties: `why` is one NUL-terminated line within its buffer, and
 * an accepted descriptor has every field nslab relies on (and every command
 * an argument range min <= max, max -1 meaning no limit). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labs.h"

struct input {
	const uint8_t *p;
	size_t n;
};

static uint8_t take8(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint32_t take32(struct input *in)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v = v << 8 | take8(in);
	return v;
}

/* Tracks every allocation of one run, to free them at the end. */
static void *allocs[512];
static size_t nallocs;

static void *keep(void *p)
{
	if (p && nallocs < sizeof(allocs) / sizeof(allocs[0]))
		allocs[nallocs++] = p;
	else if (p)
		abort(); /* more than the decoder can make: a bug in this file */
	return p;
}

/* A string: NULL (length byte 255), or the next LEN bytes of input (up to a
 * NUL) as an exact-size NUL-terminated copy. */
static const char *take_str(struct input *in)
{
	uint8_t len = take8(in);
	if (len == 255)
		return NULL;
	if (len > in->n)
		len = (uint8_t)in->n;
	char *s = malloc((size_t)len + 1);
	if (!s)
		abort();
	memcpy(s, in->p, len);
	s[len] = '\0';
	in->p += len;
	in->n -= len;
	char *exact = strdup(s); /* cut at an inner NUL, still exact size */
	free(s);
	return keep(exact);
}

static bool fake_check(struct nslab_host *h)
{
	return h != NULL;
}
static int fake_perform(struct nslab_host *h)
{
	return h ? 0 : -1;
}
static int fake_setup(struct nslab_host *h)
{
	return h ? 0 : -1;
}
static int fake_cmd(struct nslab_host *h, int argc, char **argv)
{
	return h && argc && argv ? 0 : -1;
}

static bool valid_id(const char *id)
{
	size_t n = strlen(id);
	return n >= 1 && n <= 32 && strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	nallocs = 0;
	uint8_t flags = take8(&in);
	struct nslab_lab d = {0};
	/* Mostly the right ABI, so that the later checks are reached. */
	d.abi_major = flags & 1 ? take32(&in) : NSLAB_ABI_MAJOR;
	d.size = flags & 2 ? take32(&in) % (sizeof(d) + 16) : (unsigned)sizeof(d);
	d.id = take_str(&in);
	d.title = take_str(&in);
	d.summary = take_str(&in);
	d.order = (int)take32(&in);
	d.setup = flags & 4 ? NULL : fake_setup;
	d.nsteps = take8(&in) % 40;
	d.step_size = sizeof(struct nslab_step);
	d.command_size = sizeof(struct nslab_command);
	if (!(flags & 8) && d.nsteps) {
		struct nslab_step *s = keep(calloc(d.nsteps, sizeof(*s)));
		for (unsigned i = 0; i < d.nsteps; i++) {
			uint8_t f = take8(&in);
			s[i].title = f & 1 ? NULL : take_str(&in);
			s[i].task = f & 2 ? NULL : take_str(&in);
			s[i].hint = f & 4 ? take_str(&in) : NULL;
			s[i].explain = f & 8 ? take_str(&in) : NULL;
			s[i].check = f & 16 ? NULL : fake_check;
			s[i].perform = f & 32 ? NULL : fake_perform;
		}
		d.steps = s;
	}
	d.ncommands = take8(&in) % 12;
	if (!(flags & 16) && d.ncommands) {
		struct nslab_command *c = keep(calloc(d.ncommands, sizeof(*c)));
		for (unsigned i = 0; i < d.ncommands; i++) {
			uint8_t f = take8(&in);
			c[i].name = f & 1 ? NULL : take_str(&in);
			c[i].usage = f & 2 ? take_str(&in) : NULL;
			c[i].summary = f & 4 ? take_str(&in) : NULL;
			c[i].min_args = (int8_t)take8(&in);
			c[i].max_args = (int8_t)take8(&in);
			c[i].fn = f & 8 ? NULL : fake_cmd;
		}
		d.commands = c;
	}
	/* The descriptor as the plugin's memory holds it: no bigger than it says. */
	size_t dsize = d.size < sizeof(d) ? (d.size < 8 ? 8 : d.size) : sizeof(d);
	struct nslab_lab *desc = keep(malloc(dsize));
	memcpy(desc, &d, dsize);
	size_t whylen = flags & 32 ? take8(&in) % 80 : 256;
	char *why = keep(malloc(whylen ? whylen : 1));
	memset(why, 'x', whylen ? whylen : 1);

	int rc = labs_validate(flags & 64 ? NULL : desc, why, whylen);
	if (rc != 0 && rc != -1)
		abort();
	if (rc < 0 && whylen && (strnlen(why, whylen) == whylen || strchr(why, '\n')))
		abort(); /* the reason must be one terminated line */
	if (rc == 0) {
		if (flags & 64 || desc->abi_major != NSLAB_ABI_MAJOR || !valid_id(desc->id) || !desc->title ||
		    !desc->summary || !desc->setup || !desc->steps || !desc->nsteps || desc->nsteps > 32)
			abort(); /* accepted a descriptor nslab cannot use */
		for (unsigned i = 0; i < desc->nsteps; i++)
			if (!desc->steps[i].title || !desc->steps[i].task || !desc->steps[i].check)
				abort();
		for (unsigned i = 0; i < desc->ncommands; i++) {
			const struct nslab_command *c = &desc->commands[i];
			if (!c->name || !c->fn || c->min_args < 0 || c->max_args < -1 ||
			    (c->max_args >= 0 && c->min_args > c->max_args))
				abort(); /* an argument range no command line can meet */
		}
	}
	while (nallocs)
		free(allocs[--nallocs]);
	return 0;
}
