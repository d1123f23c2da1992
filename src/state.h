/* state.h: progress and history, kept in the invoking user's XDG state dir
 * ($XDG_STATE_HOME/nslab, else ~/.local/state/nslab of SUDO_USER) and owned
 * by that user even when nslab runs under sudo. */
#ifndef NSLAB_STATE_H
#define NSLAB_STATE_H

#include <stdbool.h>
#include <sys/types.h>

/* Finds the directory (created on first save). dir NULL: the default. */
int state_init(const char *dir);
const char *state_dir(void);
/* Can progress be saved there (creating the dir if needed)? */
bool state_writable(void);
uid_t state_uid(void); /* the invoking user: SUDO_UID, else getuid() */
gid_t state_gid(void);
int state_load(void);
int state_save(void);
void state_mark_done(const char *lab, unsigned step); /* step is 1-based */
bool state_is_done(const char *lab, unsigned step);
unsigned state_done_count(const char *lab);
void state_forget(const char *lab); /* NULL: all */
/* Path of a file in the state dir ("history"), created dir included. */
const char *state_file(const char *name);
/* Give a file nslab wrote in the state dir to the invoking user. */
void state_chown(const char *path);

#endif
