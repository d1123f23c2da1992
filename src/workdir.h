/* SPDX-License-Identifier: GPL-2.0-or-later */
/* workdir.h: the active lab's work directory (/run/nslab/<pid>/<lab id>),
 * made the first time something needs it: the lab asks for it
 * (h->workdir) or a command gets NSLAB_LAB_DIR. A lab that never uses it
 * costs no directory (on a disk-backed /run, a mkdir and an rmdir are a
 * good part of a lab's start). Registered with the cleanup registry before
 * it is made; removed with the lab's other objects. */
#ifndef NSLAB_WORKDIR_H
#define NSLAB_WORKDIR_H

/* The lab's directory will be path (not made yet). */
void workdir_begin(const char *path);
/* The path, made (and registered) if it was not yet: NULL with errno when
 * it cannot be, or when no lab is active. Only nslab's own process makes
 * it (the registry is that process's); a fork gets the path as it is. */
const char *workdir_get(void);
/* The path whether made or not ("" when no lab is active). */
const char *workdir_path(void);
/* The lab is over (its directory is the registry's to remove). */
void workdir_end(void);

#endif
