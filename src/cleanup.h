/* cleanup.h: a registry of every kernel object nslab made, undone in reverse
 * order on any exit path, and mirrored to the run directory so that
 * `nslab --cleanup` can undo what a SIGKILLed run left behind. */
#ifndef NSLAB_CLEANUP_H
#define NSLAB_CLEANUP_H

#include <stdbool.h>
#include <stddef.h>
#include "nslab-lab.h"

#define NSLAB_RUN_BASE "/run/nslab"
#define NSLAB_TMP_BASE "/tmp/nslab-" /* + pid, when /run is not writable */

/* Creates /run/nslab/<pid> and its registry file. 0 ok. */
int cleanup_init(void);
const char *cleanup_run_dir(void);
int cleanup_keep(enum nslab_obj kind, const char *what);
int cleanup_undo(enum nslab_obj kind, const char *what); /* undo one now */
size_t cleanup_mark(void);            /* current depth */
void cleanup_unwind_to(size_t mark);  /* undo everything above mark */
void cleanup_all(void);               /* everything, then the run dir */
/* Undo one object (no registry involved). 0 undone, 1 it was gone already,
 * -1 failed. */
int cleanup_undo_object(enum nslab_obj kind, const char *what);
/* --cleanup: replay the registries of dead runs. Says what it removed
 * through say(). Returns the number of objects removed, -1 on error. */
int cleanup_dead_runs(void (*say)(const char *what));
/* Does a dead run's leftovers exist? (for the offer at start) */
bool cleanup_dead_runs_exist(void);

#endif
