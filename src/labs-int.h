/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labs-int.h: what the plugin loader's three files share (labs.c loads and
 * keeps plugins, labs-trust.c decides which files root may load, labs-desc.c
 * decides whether a loaded descriptor is usable). Not for other modules. */
#ifndef NSLAB_LABS_INT_H
#define NSLAB_LABS_INT_H

#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "nslab-lab.h"

#define FIX_INSTALL "or install labs with `sudo make install`"

/* A directory of the invoking user the learner said yes to, while it is
 * loaded; and the uid the yes was for, while a helper program is checked. */
extern uid_t labs_confirmed_uid, labs_helper_uid;

/* labs-trust.c: the real path of path (why on failure); an fd of it, opened
 * O_NOFOLLOW after the owner/mode checks of every component; whether a whole
 * directory may be loaded from (1 after a yes, 0 yes, -1 no with why). */
char *labs_resolve(const char *path, char *why, size_t whylen);
int labs_open_checked(const char *real, bool want_dir, char *why, size_t whylen);
int labs_dir_allowed(const char *dir, char **real, char *why, size_t whylen);
/* A plugin file of a directory labs_dir_allowed() passed (its real path),
 * checked alone: the directories were checked then. -1 with why (errno
 * ELOOP: a symlink, to be resolved and walked whole). */
int labs_open_in_checked_dir(const char *realdir, const char *name, char *why, size_t whylen);

/* labs-desc.c: the loaded object's PT_LOAD segments; its entry point, if it
 * is a function of that object; the descriptor inside its segments. */
struct segs {
	const char *name;
	ElfW(Addr) base;
	size_t n;
	struct {
		uintptr_t lo, hi;
		bool exec;
	} s[32];
};
int labs_collect_segs(struct dl_phdr_info *info, size_t size, void *ud);
const struct nslab_lab *(*labs_entry_of(void *h, const struct link_map *lm, const struct segs *sg, char *why,
					size_t whylen))(void);
int labs_check_memory(const struct segs *sg, const struct nslab_lab *d, char *why, size_t whylen);
/* The host's copy of a descriptor, read at the plugin's sizes; NULL if out of memory. */
struct nslab_lab *labs_copy(const struct nslab_lab *d);
void labs_copy_free(const struct nslab_lab *c);

#endif
