/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dump-lab-texts.c: prints every lab's summary and every step's task, hint and
 * explain as nslab's plain output shows them (text_reflow, the hint behind its
 * "hint: " prefix), in the locale of the environment. A proof for
 * scripts/dev/unwrap-prose.py: the dump before and after it runs is the same,
 * and after it no text has a soft line break left (text_reflow leaves every
 * text as written; the texts it would change are listed on stderr).
 *
 *   cc -std=gnu11 -D_GNU_SOURCE -Isrc -o build/dump-lab-texts scripts/dev/dump-lab-texts.c src/reflow.c -ldl
 *   LC_ALL=C build/dump-lab-texts build/labs/ID.so... >before.txt (with build/locale of make all) */
#include "nslab-lab.h"
#include "reflow.h"

#include <dlfcn.h>
#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *T(const struct nslab_lab *lab, const char *s)
{
	return s && *s && lab->textdomain && *lab->textdomain ? dgettext(lab->textdomain, s) : s;
}

static const char *lab_id;
static unsigned soft; /* texts that text_reflow changes */

static void para(const char *label, const char *text)
{
	char *flowed = text_reflow(text);
	if (flowed && text && strcmp(flowed, text) != 0) {
		fprintf(stderr, "dump-lab-texts: %s %s: has soft line breaks\n", lab_id, label);
		soft++;
	}
	printf("--- %s\n%s\n", label, flowed ? flowed : "(out of memory)");
	free(flowed);
}

static void dump_step(const struct nslab_lab *lab, unsigned i)
{
	const struct nslab_step *s = (const void *)((const char *)lab->steps + (size_t)i * lab->step_size);
	char label[64], *hint = NULL;
	printf("--- step %u title\n%s\n", i + 1, T(lab, s->title));
	snprintf(label, sizeof(label), "step %u task", i + 1);
	para(label, T(lab, s->task));
	const char *h =
	    s->hint ? T(lab, s->hint) : dgettext("nslab", "no hint for this step: read the task again");
	if (asprintf(&hint, dgettext("nslab", "hint: %s"), h) < 0)
		hint = NULL;
	snprintf(label, sizeof(label), "step %u hint", i + 1);
	para(label, hint);
	free(hint);
	snprintf(label, sizeof(label), "step %u explain", i + 1);
	para(label, s->explain ? T(lab, s->explain) : dgettext("nslab", "(no explanation for this step)"));
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	const char *dir = getenv("NSLAB_LOCALE_DIR") ? getenv("NSLAB_LOCALE_DIR") : "build/locale";
	bindtextdomain("nslab", dir);
	for (int a = 1; a < argc; a++) {
		void *so = dlopen(argv[a], RTLD_NOW | RTLD_LOCAL);
		const struct nslab_lab *(*get)(void) =
		    so ? (const struct nslab_lab *(*)(void))dlsym(so, "nslab_lab") : NULL;
		const struct nslab_lab *lab = get ? get() : NULL;
		if (!lab) {
			fprintf(stderr, "dump-lab-texts: %s: %s\n", argv[a], so ? "no nslab_lab" : dlerror());
			return 1;
		}
		if (lab->textdomain && *lab->textdomain)
			bindtextdomain(lab->textdomain, dir);
		lab_id = lab->id;
		printf("=== %s: %s\n", lab->id, T(lab, lab->title));
		para("summary", T(lab, lab->summary));
		for (unsigned i = 0; i < lab->nsteps; i++)
			dump_step(lab, i);
	}
	fprintf(stderr, "dump-lab-texts: %u texts with soft line breaks\n", soft);
	return 0;
}
