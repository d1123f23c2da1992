/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state.h: progress and history, kept in the invoking user's XDG state dir
 * ($XDG_STATE_HOME/nslab, else ~/.local/state/nslab of SUDO_USER) and
 * written as that user even when nslab runs under sudo: root never reads,
 * writes or chowns through a path the user controls (see state.c). */
#ifndef NSLAB_STATE_H
#define NSLAB_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Finds the directory (created on first save). dir NULL: the default. */
int state_init(const char *dir);
const char *state_dir(void);
/* Could progress be saved there? Creates nothing. */
bool state_writable(void);
uid_t state_uid(void); /* the invoking user: SUDO_UID, else getuid() */
gid_t state_gid(void);
int state_load(void);
/* 0 also when a planted symlink made the session keep progress in memory
 * (said once, in one line). */
int state_save(void);
void state_mark_done(const char *lab, unsigned step); /* step is 1-based */
bool state_is_done(const char *lab, unsigned step);
unsigned state_done_count(const char *lab);
void state_forget(const char *lab); /* NULL: all */

/* A file of the state dir ("history"), read as the invoking user without
 * following a symlink: malloc'ed and NUL-terminated (length in *len), or NULL
 * with errno (ENOENT: not there yet; EFBIG: longer than max). Creates nothing. */
char *state_read(const char *name, size_t max, size_t *len);
/* Replaces a file of the state dir as the invoking user: a new temp file
 * (O_EXCL|O_NOFOLLOW, mode), written, fsync'ed, renamed into place. Makes the
 * dir on the first save. 0 also when kept in memory (see state_save). */
int state_write(const char *name, const char *data, size_t len, mode_t mode);
/* File operations as the invoking user, for files nslab writes for them
 * elsewhere (the class status, a recording): fsuid/fsgid and groups become
 * the user's until state_as_root (nothing to do unless root acts for someone
 * else). -1 with errno: could not, and nothing may be done. */
struct state_ids {
	bool on;
	int ngroups;
	gid_t *groups; /* ours, to put back */
};
int state_as_user(struct state_ids *s);
void state_as_root(struct state_ids *s);

/* A planted symlink was refused: nothing is read or written this session. */
bool state_memory_only(void);

#endif
