/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sysvipc.h: the SysV IPC objects of nslab's IPC namespace, as
 * /proc/sysvipc/{shm,msg,sem} list them (what ipcs(1) reads). For the host
 * guard (what a learner's command made) and the registry's ipc kind (is
 * this still the object that was made). Mechanism only: nothing prints. */
#ifndef NSLAB_SYSVIPC_H
#define NSLAB_SYSVIPC_H

#include <stdbool.h>

enum sysvipc_type { SYSVIPC_SHM, SYSVIPC_MSG, SYSVIPC_SEM, SYSVIPC_NTYPES };

struct sysvipc_obj {
	enum sysvipc_type type;
	int id;
	int key;
	/* What proves it is the object that was made: shm keeps its
	 * creator's PID; msg and sem only a change time (set when made, and
	 * again by IPC_SET). */
	long long cpid, ctime;
	long long size; /* shm: bytes; msg: bytes queued; sem: semaphores */
};

/* "shm", "msg", "sem" (the registry's words), and the learner's words
 * ("shared memory segment", "message queue", "semaphore array"). */
const char *sysvipc_word(enum sysvipc_type t);
const char *sysvipc_name(enum sysvipc_type t);
int sysvipc_parse_word(const char *w); /* -1: none */

/* Calls fn for each object of type t until fn returns false. 0, or -1 with
 * errno when the file cannot be read (no SysV IPC in this kernel). */
int sysvipc_each(enum sysvipc_type t, bool (*fn)(const struct sysvipc_obj *o, void *ud), void *ud);
/* The object with this id: 1 found (*o filled), 0 none, -1 unreadable. */
int sysvipc_find(enum sysvipc_type t, int id, struct sysvipc_obj *o);
/* Removes it (IPC_RMID). 0, or -1 with errno. */
int sysvipc_remove(enum sysvipc_type t, int id);

#endif
