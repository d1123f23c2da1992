/* labs.h: finding and loading lab plugins (dlopen), and keeping them sorted. */
#ifndef NSLAB_LABS_H
#define NSLAB_LABS_H

#include <stddef.h>
#include "nslab-lab.h"

/* Checks a descriptor the plugin returned; `size` is what the plugin claims.
 * 0 if usable, else -1 with a one-line reason in why. */
int labs_validate(const struct nslab_lab *d, char *why, size_t whylen);
/* Loads every *.so in each directory of a ':'-separated list. Skipped plugins
 * get one line "nslab: skipping FILE: REASON" on stderr. Returns labs loaded. */
int labs_load_path(const char *pathlist);
/* Loads one plugin file. 0 ok, -1 skipped (reason in why). */
int labs_load_file(const char *path, char *why, size_t whylen);
size_t labs_count(void);
const struct nslab_lab *labs_get(size_t i); /* in curriculum order */
const struct nslab_lab *labs_find(const char *id);
const char *labs_closest(const char *id); /* for "did you mean", or NULL */
/* Full path of a helper program in the lab path, or NULL. */
const char *labs_helper(const char *name);
void labs_unload_all(void);
/* The default lab path: <dir of the binary>/labs, then the installed dir. */
const char *labs_default_path(void);

#endif
