/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sysvipc.c: reading /proc/sysvipc/{shm,msg,sem} by their header line, so
 * that a column added by a later kernel moves nothing, and removing one
 * object by id. */
#include "sysvipc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

static const struct {
	const char *word, *name, *file, *idcol, *sizecol;
} types[SYSVIPC_NTYPES] = {
    [SYSVIPC_SHM] = {"shm", "shared memory segment", "/proc/sysvipc/shm", "shmid", "size"},
    [SYSVIPC_MSG] = {"msg", "message queue", "/proc/sysvipc/msg", "msqid", "cbytes"},
    [SYSVIPC_SEM] = {"sem", "semaphore array", "/proc/sysvipc/sem", "semid", "nsems"},
};

const char *sysvipc_word(enum sysvipc_type t)
{
	return (unsigned)t < SYSVIPC_NTYPES ? types[t].word : "?";
}

const char *sysvipc_name(enum sysvipc_type t)
{
	return (unsigned)t < SYSVIPC_NTYPES ? types[t].name : "?";
}

int sysvipc_parse_word(const char *w)
{
	for (int t = 0; t < SYSVIPC_NTYPES; t++)
		if (strcmp(types[t].word, w) == 0)
			return t;
	return -1;
}

enum col { C_KEY, C_ID, C_CPID, C_CTIME, C_SIZE, NCOLS };

/* Which field each column is in, from the header line; -1 absent. */
static void header_columns(enum sysvipc_type t, char *line, int col[NCOLS])
{
	const char *want[NCOLS] = {"key", types[t].idcol, "cpid", "ctime", types[t].sizecol};
	for (int c = 0; c < NCOLS; c++)
		col[c] = -1;
	char *save = NULL;
	int i = 0;
	for (char *tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save), i++)
		for (int c = 0; c < NCOLS; c++)
			if (strcmp(tok, want[c]) == 0)
				col[c] = i;
}

static bool parse_row(enum sysvipc_type t, char *line, const int col[NCOLS], struct sysvipc_obj *o)
{
	long long v[NCOLS] = {0};
	bool seen[NCOLS] = {false};
	char *save = NULL;
	int i = 0;
	for (char *tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save), i++)
		for (int c = 0; c < NCOLS; c++)
			if (col[c] == i) {
				char *end;
				v[c] = strtoll(tok, &end, 10);
				seen[c] = *end == '\0';
			}
	if (!seen[C_KEY] || !seen[C_ID])
		return false;
	*o = (struct sysvipc_obj){.type = t,
				  .id = (int)v[C_ID],
				  .key = (int)v[C_KEY],
				  .cpid = seen[C_CPID] ? v[C_CPID] : 0,
				  .ctime = seen[C_CTIME] ? v[C_CTIME] : 0,
				  .size = seen[C_SIZE] ? v[C_SIZE] : 0};
	return true;
}

int sysvipc_each(enum sysvipc_type t, bool (*fn)(const struct sysvipc_obj *o, void *ud), void *ud)
{
	if ((unsigned)t >= SYSVIPC_NTYPES) {
		errno = EINVAL;
		return -1;
	}
	FILE *f = fopen(types[t].file, "re");
	if (!f)
		return -1;
	char line[512];
	int col[NCOLS];
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return 0;
	}
	header_columns(t, line, col);
	struct sysvipc_obj o;
	while (fgets(line, sizeof(line), f))
		if (parse_row(t, line, col, &o) && !fn(&o, ud))
			break;
	fclose(f);
	return 0;
}

struct find {
	int id;
	struct sysvipc_obj *o;
	bool found;
};

static bool find_one(const struct sysvipc_obj *o, void *ud)
{
	struct find *f = ud;
	if (o->id != f->id)
		return true;
	*f->o = *o;
	f->found = true;
	return false;
}

int sysvipc_find(enum sysvipc_type t, int id, struct sysvipc_obj *o)
{
	struct find f = {id, o, false};
	if (sysvipc_each(t, find_one, &f) < 0)
		return -1;
	return f.found;
}

int sysvipc_remove(enum sysvipc_type t, int id)
{
	switch (t) {
	case SYSVIPC_SHM:
		return shmctl(id, IPC_RMID, NULL);
	case SYSVIPC_MSG:
		return msgctl(id, IPC_RMID, NULL);
	case SYSVIPC_SEM:
		return semctl(id, 0, IPC_RMID);
	default:
		errno = EINVAL;
		return -1;
	}
}
