/* SPDX-License-Identifier: GPL-2.0-or-later */
/* class-roll.h: the class as the instructor sees it: every status file of
 * a class directory read (what cannot be read is kept with its reason),
 * each learner classed (stuck, working, done, left, stale), sorted so the
 * stuck come first, and counted per lab for the summary lines. */
#ifndef NSLAB_CLASS_ROLL_H
#define NSLAB_CLASS_ROLL_H

#include <stdbool.h>
#include <stddef.h>
#include "class-status.h"

/* On one step longer than this, and not through the lab: stuck. */
#define CLASS_STUCK_SECS 300
/* A status from another boot (another VM) not rewritten for this long is
 * stale: nslab rewrites it every minute while its screen is up. */
#define CLASS_STALE_SECS 900
/* More files than any class: the rest are counted, not read. */
#define CLASS_MAX_FILES 4096

enum class_state { CLASS_STUCK, CLASS_ACTIVE, CLASS_DONE, CLASS_STALE, CLASS_LEFT };
const char *class_state_name(enum class_state s); /* "stuck", "active", ... */

struct class_entry {
	struct class_status st;
	enum class_state state;
	long long on_step; /* seconds on the current step (at the last write, if gone) */
	char file[256];
};

struct class_skip {
	char file[256];
	const char *why; /* static */
};

struct class_roll {
	struct class_entry *e;
	size_t n;
	struct class_skip *skip;
	size_t nskip;
	size_t unread; /* past CLASS_MAX_FILES */
};

/* Reads DIR (as the invoking user under sudo: state_as_user) at time NOW.
 * 0; -1 with errno when DIR cannot be opened (ELOOP: a symlink). Files whose
 * names start with '.' (temp files) or do not end in ".json" are not read. */
int class_roll_read(const char *dir, long long now, struct class_roll *r);
void class_roll_free(struct class_roll *r);

/* Classes a status at NOW: left; stale (same boot: its PID is gone or is
 * another process; another boot: not written for CLASS_STALE_SECS); done
 * (every step of the lab done); stuck; active. MY_BOOT: this boot's id. */
enum class_state class_classify(const struct class_status *s, long long now, const char *my_boot,
				long long *on_step);

/* Per lab, in order of first appearance after sorting. */
struct class_lab_count {
	char lab[33];
	unsigned done, stuck, gone; /* gone: left or stale */
	unsigned on_step[33];       /* on_step[k]: active or stuck on step k (1..32) */
};
/* The labs of R (learners with no lab are not counted); malloc'ed, *n set. */
struct class_lab_count *class_roll_labs(const struct class_roll *r, size_t *n);
/* "uts: 12 done, 5 on step 2, 1 stuck > 5 min" into BUF. */
void class_lab_summary(const struct class_lab_count *c, char *buf, size_t size);

#endif
