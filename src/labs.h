/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labs.h: finding and loading lab plugins (dlopen), and keeping them sorted. */
#ifndef NSLAB_LABS_H
#define NSLAB_LABS_H

#include <stddef.h>
#include "nslab-lab.h"

/* Checks a descriptor the plugin returned; `size` is what the plugin claims.
 * 0 if usable, else -1 with a one-line reason in why. */
int labs_validate(const struct nslab_lab *d, char *why, size_t whylen);
/* Step / command i of a plugin's descriptor (d->step_size, d->command_size
 * apart), copied into a zeroed host-size struct: fields the plugin does not
 * know read as zero, fields it has beyond the host's are left out. The
 * descriptors labs_get and labs_find return are such copies already. */
void labs_step(const struct nslab_lab *d, unsigned i, struct nslab_step *out);
void labs_command(const struct nslab_lab *d, unsigned i, struct nslab_command *out);
/* Loads every *.so in each directory of a ':'-separated list. Skipped plugins
 * get one line "nslab: skipping FILE: REASON" on stderr (a directory root may
 * not load from: one line for all its files). Returns labs loaded.
 * As root, plugin files and every directory above them must belong to root
 * (or to the owner of nslab's own binary path) and not be group/world
 * writable; see labs_user_path for the one exception. */
int labs_load_path(const char *pathlist);
/* The same checks of directories and files, but a plugin is dlopened only
 * when first needed: labs_find(id) loads ID.so alone if there is one, and
 * labs_count/labs_get/labs_closest load every file found (the "skipping"
 * lines of a bad plugin come then). Returns the plugin files found. */
int labs_scan_path(const char *pathlist);
/* given: the path came from the learner (--lab-path, NSLAB_LAB_PATH). Then,
 * as root, a directory owned by the invoking user (SUDO_UID) is loaded after a
 * yes to a question on the terminal if interactive (and fds 0 and 2 are
 * terminals), else refused in one line. Default: not given. */
void labs_user_path(bool given, bool interactive);
/* Loads one plugin file (checked as labs_load_path says). 0 ok, -1 skipped (reason in why). */
int labs_load_file(const char *path, char *why, size_t whylen);
size_t labs_count(void);
const struct nslab_lab *labs_get(size_t i); /* in curriculum order */
const struct nslab_lab *labs_find(const char *id);
const char *labs_closest(const char *id); /* for "did you mean", or NULL */
/* Full path of a helper program in the lab path, or NULL. As root, one that
 * fails the plugins' owner and mode checks is passed over. */
const char *labs_helper(const char *name);
void labs_unload_all(void);
/* The default lab path: <dir of the binary>/labs, then the installed dir. */
const char *labs_default_path(void);

#endif
