/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labs-desc.c: whether a loaded plugin's descriptor is usable: ABI 2 sizes
 * (arrays read at the plugin's element size, copied at the host's), fields,
 * and (D9) an entry point and descriptor that lie in the plugin's own
 * segments. Its own file: everything here reads memory the plugin gave. */
#include "labs.h"
#include "labs-int.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <pwd.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if __SIZEOF_POINTER__ == 8
#define SYM_TYPE(info) ELF64_ST_TYPE(info)
#else
#define SYM_TYPE(info) ELF32_ST_TYPE(info)
#endif

/* The smallest descriptor we can use: everything up to command_size. */
#define LAB_MIN_SIZE (offsetof(struct nslab_lab, command_size) + sizeof(unsigned))
/* The smallest array elements: up to check, and up to fn. */
#define STEP_MIN_SIZE (offsetof(struct nslab_step, check) + sizeof(void (*)(void)))
#define COMMAND_MIN_SIZE (offsetof(struct nslab_command, fn) + sizeof(void (*)(void)))
#define ELEM_MAX_SIZE 4096u

/* --- ABI 2: the plugin's array elements at the plugin's size --- */

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

void labs_step(const struct nslab_lab *d, unsigned i, struct nslab_step *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out, (const char *)d->steps + (size_t)i * d->step_size, min_size(d->step_size, sizeof(*out)));
}

void labs_command(const struct nslab_lab *d, unsigned i, struct nslab_command *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out, (const char *)d->commands + (size_t)i * d->command_size,
	       min_size(d->command_size, sizeof(*out)));
}

/* The host's copy of a validated descriptor: host-size structs, zero where
 * the plugin knows no field, arrays at the host's element size. NULL if out
 * of memory. Freed by labs_copy_free. */
struct nslab_lab *labs_copy(const struct nslab_lab *d)
{
	struct nslab_lab *c = calloc(1, sizeof(*c));
	struct nslab_step *st = calloc(d->nsteps, sizeof(*st));
	struct nslab_command *cm = d->ncommands ? calloc(d->ncommands, sizeof(*cm)) : NULL;
	if (!c || !st || (d->ncommands && !cm)) {
		free(c);
		free(st);
		free(cm);
		return NULL;
	}
	memcpy(c, d, min_size(d->size, sizeof(*c)));
	for (unsigned i = 0; i < d->nsteps; i++)
		labs_step(d, i, &st[i]);
	for (unsigned i = 0; i < d->ncommands; i++)
		labs_command(d, i, &cm[i]);
	c->steps = st;
	c->step_size = sizeof(*st);
	c->commands = cm;
	c->command_size = sizeof(*cm);
	return c;
}

void labs_copy_free(const struct nslab_lab *c)
{
	if (!c)
		return;
	free((void *)c->steps);
	free((void *)c->commands);
	free((void *)c);
}

static bool valid_id(const char *id)
{
	if (!id || !*id || strlen(id) > 32)
		return false;
	for (const char *p = id; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
			return false;
	return true;
}

int labs_validate(const struct nslab_lab *d, char *why, size_t whylen)
{
#define REJECT(...) return snprintf(why, whylen, __VA_ARGS__), -1
	if (!d)
		REJECT("nslab_lab() returned NULL");
	if (d->abi_major != NSLAB_ABI_MAJOR)
		REJECT("built for lab ABI %u, this nslab speaks %u", d->abi_major, NSLAB_ABI_MAJOR);
	if (d->size < LAB_MIN_SIZE)
		REJECT("descriptor too small (%u bytes, need %zu)", d->size, (size_t)LAB_MIN_SIZE);
	if (d->nsteps && (d->step_size < STEP_MIN_SIZE || d->step_size > ELEM_MAX_SIZE))
		REJECT("step_size %u is not %zu to %u bytes (use NSLAB_STEPS(array))", d->step_size,
		       (size_t)STEP_MIN_SIZE, ELEM_MAX_SIZE);
	if (d->ncommands && (d->command_size < COMMAND_MIN_SIZE || d->command_size > ELEM_MAX_SIZE))
		REJECT("command_size %u is not %zu to %u bytes (use NSLAB_COMMANDS(array))", d->command_size,
		       (size_t)COMMAND_MIN_SIZE, ELEM_MAX_SIZE);
	if (!valid_id(d->id))
		REJECT("bad lab id (use lower-case letters, digits and '-')");
	if (!d->title || !d->summary)
		REJECT("lab '%s' has no title or summary", d->id);
	if (!d->steps)
		REJECT("lab '%s' has no steps (a lab must have 1 to 32 steps)", d->id);
	if (d->nsteps == 0 || d->nsteps > 32)
		REJECT("lab '%s' must have 1 to 32 steps, has %u", d->id, d->nsteps);
	if (!d->setup)
		REJECT("lab '%s' has no setup function", d->id);
	for (unsigned i = 0; i < d->nsteps; i++) {
		struct nslab_step s;
		labs_step(d, i, &s);
		if (!s.title || !s.task || !s.check)
			REJECT("lab '%s' step %u lacks a title, task or check", d->id, i + 1);
	}
	if (d->ncommands && !d->commands)
		REJECT("lab '%s' declares commands but has none", d->id);
	for (unsigned i = 0; i < d->ncommands; i++) {
		struct nslab_command cmd, *c = &cmd;
		labs_command(d, i, c);
		if (!c->name || !c->fn)
			REJECT("lab '%s' command %u lacks a name or function", d->id, i + 1);
		if (c->min_args < 0 || c->max_args < -1 || (c->max_args >= 0 && c->min_args > c->max_args))
			REJECT("lab '%s' command %u takes %d to %d arguments (need 0 <= min <= max, max -1 "
			       "for no limit)",
			       d->id, i + 1, c->min_args, c->max_args);
	}
	return 0;
#undef REJECT
}

/* --- D9: the entry point and the descriptor must be the plugin's own --- */

int labs_collect_segs(struct dl_phdr_info *info, size_t size, void *ud)
{
	(void)size;
	struct segs *sg = ud;
	if (info->dlpi_addr != sg->base || !info->dlpi_name || strcmp(info->dlpi_name, sg->name) != 0)
		return 0;
	for (size_t i = 0; i < info->dlpi_phnum && sg->n < 32; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_R) || !ph->p_memsz)
			continue;
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		sg->s[sg->n].lo = lo;
		sg->s[sg->n].hi = lo + ph->p_memsz;
		sg->s[sg->n].exec = ph->p_flags & PF_X;
		sg->n++;
	}
	return 1;
}

/* The readable segment holding [p, p + len), or -1. */
static int seg_of(const struct segs *sg, const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p, end;
	if (__builtin_add_overflow(a, len, &end))
		return -1;
	for (size_t i = 0; i < sg->n; i++)
		if (a >= sg->s[i].lo && end <= sg->s[i].hi && (len || a < sg->s[i].hi))
			return (int)i;
	return -1;
}

static bool in_plugin(const struct segs *sg, const void *p, size_t len)
{
	return seg_of(sg, p, len) >= 0;
}

/* NULL, or a NUL-terminated string inside one readable segment. */
static bool str_ok(const struct segs *sg, const char *s)
{
	if (!s)
		return true;
	int i = seg_of(sg, s, 1);
	return i >= 0 && memchr(s, '\0', sg->s[i].hi - (uintptr_t)s);
}

/* Before labs_validate reads a field: every byte it and the host will read
 * lies in the plugin's readable memory. NULLs are left to labs_validate. */
int labs_check_memory(const struct segs *sg, const struct nslab_lab *d, char *why, size_t whylen)
{
#define REJECT(...) return snprintf(why, whylen, __VA_ARGS__), -1
	if (!d)
		return 0;
	if (!in_plugin(sg, d, offsetof(struct nslab_lab, size) + sizeof(d->size)))
		REJECT("nslab_lab() returned %p, which is not in the plugin's readable memory",
		       (const void *)d);
	if (d->abi_major != NSLAB_ABI_MAJOR || d->size < LAB_MIN_SIZE)
		return 0; /* labs_validate says why, reading nothing more */
	if (!in_plugin(sg, d, d->size))
		REJECT("the descriptor at %p claims %u bytes, more than the plugin holds there",
		       (const void *)d, d->size);
	if (!str_ok(sg, d->id) || !str_ok(sg, d->title) || !str_ok(sg, d->summary))
		REJECT("the lab's id, title or summary is not a string in the plugin's memory");
	/* appended to ABI 2: read only when the plugin's descriptor has it */
	if (d->size >= offsetof(struct nslab_lab, textdomain) + sizeof(d->textdomain) &&
	    !str_ok(sg, d->textdomain))
		REJECT("the lab's textdomain is not a string in the plugin's memory");
	if (d->nsteps && (d->step_size < STEP_MIN_SIZE || d->step_size > ELEM_MAX_SIZE))
		return 0; /* labs_validate says why */
	if (d->ncommands && (d->command_size < COMMAND_MIN_SIZE || d->command_size > ELEM_MAX_SIZE))
		return 0;
	if (d->steps && d->nsteps >= 1 && d->nsteps <= 32) {
		if (!in_plugin(sg, d->steps, (size_t)d->nsteps * d->step_size))
			REJECT("the array of %u step%s at %p is not in the plugin's readable memory",
			       d->nsteps, d->nsteps == 1 ? "" : "s", (const void *)d->steps);
		for (unsigned i = 0; i < d->nsteps; i++) {
			struct nslab_step st, *s = &st;
			labs_step(d, i, s);
			if (!str_ok(sg, s->title) || !str_ok(sg, s->task) || !str_ok(sg, s->hint) ||
			    !str_ok(sg, s->explain))
				REJECT("step %u's texts are not strings in the plugin's memory", i + 1);
		}
	}
	if (d->commands && d->ncommands) {
		size_t bytes;
		if (__builtin_mul_overflow((size_t)d->ncommands, (size_t)d->command_size, &bytes) ||
		    !in_plugin(sg, d->commands, bytes))
			REJECT("the array of %u command%s at %p is not in the plugin's readable memory",
			       d->ncommands, d->ncommands == 1 ? "" : "s", (const void *)d->commands);
		for (unsigned i = 0; i < d->ncommands; i++) {
			struct nslab_command cmd, *c = &cmd;
			labs_command(d, i, c);
			if (!str_ok(sg, c->name) || !str_ok(sg, c->usage) || !str_ok(sg, c->summary))
				REJECT("command %u's texts are not strings in the plugin's memory", i + 1);
		}
	}
	return 0;
#undef REJECT
}

/* The entry point: a function (STT_FUNC) of this object, in one of its
 * executable segments; NULL with why otherwise. */
const struct nslab_lab *(*labs_entry_of(void *h, const struct link_map *lm, const struct segs *sg, char *why,
					size_t whylen))(void)
{
	void *sym = dlsym(h, NSLAB_ENTRY_SYMBOL);
	if (!sym)
		return snprintf(why, whylen, "no %s() function (not an nslab lab?)", NSLAB_ENTRY_SYMBOL),
		       NULL;
	Dl_info info;
	struct link_map *owner = NULL;
	if (!dladdr1(sym, &info, (void **)&owner, RTLD_DL_LINKMAP) || owner != lm || !info.dli_fname ||
	    strcmp(info.dli_fname, lm->l_name) != 0)
		return snprintf(why, whylen, "%s is not defined in the plugin itself (but in %s)",
				NSLAB_ENTRY_SYMBOL,
				owner && info.dli_fname && *info.dli_fname ? info.dli_fname
									   : "no loaded object"),
		       NULL;
	const ElfW(Sym) *es = NULL;
	if (!dladdr1(sym, &info, (void **)&es, RTLD_DL_SYMENT) || !es || info.dli_saddr != sym ||
	    SYM_TYPE(es->st_info) != STT_FUNC) {
		int t = es ? SYM_TYPE(es->st_info) : -1;
		return snprintf(why, whylen,
				"%s is not a function (%s): export it with NSLAB_LAB(descriptor)",
				NSLAB_ENTRY_SYMBOL,
				t == STT_OBJECT      ? "a data object"
				: t == STT_GNU_IFUNC ? "an IFUNC"
						     : "not a function symbol"),
		       NULL;
	}
	int i = seg_of(sg, sym, 1);
	if (i < 0 || !sg->s[i].exec)
		return snprintf(why, whylen, "%s is not in the plugin's code", NSLAB_ENTRY_SYMBOL), NULL;
	const struct nslab_lab *(*entry)(void);
	*(void **)&entry = sym;
	return entry;
}

/* dlclose, and close the fd unless the object stays loaded under its name
 * /proc/self/fd/N (NODELETE): then N must never name another file to dlopen. */
