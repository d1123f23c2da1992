/* SPDX-License-Identifier: GPL-2.0-or-later */
/* class-status.h: one learner's status file in a class directory (a shared
 * folder: Vagrant, NFS, rsync; no server): what it holds, its JSON form, and
 * reading and writing it there safely. The learner's side that keeps it up
 * to date is class-publish.h; the instructor's table is class-view.h. */
#ifndef NSLAB_CLASS_STATUS_H
#define NSLAB_CLASS_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CLASS_STATUS_VERSION 1
/* A status file is well under 1 KiB; anything over this is not one. */
#define CLASS_STATUS_MAX 16384

struct class_status {
	char learner[65]; /* NSLAB_LEARNER, else user@host */
	char host[65];
	char boot_id[37]; /* /proc/sys/kernel/random/boot_id: same boot, PIDs comparable */
	long long pid;
	long long start;    /* the process's start time, clock ticks after boot (/proc/PID/stat) */
	char lab[33];       /* "" no lab active */
	char title[97];     /* the current step's title */
	unsigned step;      /* 1-based; 0 no lab */
	unsigned nsteps;    /* steps of the lab */
	unsigned done;      /* steps of the lab done (progress) */
	long long since;    /* on the current step since (Unix time) */
	long long last_cmd; /* last command (Unix time); 0 none yet */
	long long updated;  /* file written (Unix time) */
	unsigned failed;    /* checks not passing on the current step */
	unsigned hints;     /* in this lab */
	unsigned dos;       /* in this lab */
	bool left;          /* quit (a crashed run never says so: see class-view) */
};

/* One JSON object, one member a line. */
void class_status_to_json(FILE *f, const struct class_status *s);
/* Parses a status file's text. 0 ok; -1 with *why: not JSON of the expected
 * shape, a member of the wrong type, no "learner", an unknown version.
 * Control characters in strings become '?' (they go to a terminal). */
int class_status_parse(const char *text, size_t len, struct class_status *s, const char **why);

/* "alice@vm1" -> "alice@vm1.json": letters, digits, ".", "_", "@", "-"
 * kept, anything else '_', no leading '.'. 0, or -1 if it does not fit. */
int class_status_file_name(const char *learner, char *name, size_t size);

/* Replaces DIR/NAME with the status, atomically (a new temp file, O_EXCL |
 * O_NOFOLLOW, then rename), as the invoking user (state_as_user). 0 ok, -1
 * with errno (ELOOP: DIR is a symlink). */
int class_status_write(const char *dir, const char *name, const struct class_status *s);

/* Reads the status file NAME in the directory DFD without following a
 * symlink or blocking on a FIFO: a regular file with one link, at most
 * CLASS_STATUS_MAX bytes, parsed. 0 ok; -1 with *why ("a symlink", "too big
 * (N bytes)", the parse error). */
int class_status_read_at(int dfd, const char *name, struct class_status *s, const char **why);

#endif
