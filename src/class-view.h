/* SPDX-License-Identifier: GPL-2.0-or-later */
/* class-view.h: `nslab --class DIR`, the instructor's view of every
 * learner's status file in DIR: a full screen refreshed live on a terminal,
 * a plain table printed once otherwise (libsmartcols, as lsns), or JSON. */
#ifndef NSLAB_CLASS_VIEW_H
#define NSLAB_CLASS_VIEW_H

#include <stdbool.h>
#include <stdio.h>
#include "class-roll.h"

/* Shows DIR; returns the exit status (1: DIR cannot be read). */
int class_view_main(const char *dir, bool json);

/* The one-off outputs, to F (what --class prints without a terminal). */
int class_view_plain(FILE *f, const char *dir, const struct class_roll *r, long long now);
void class_view_json(FILE *f, const struct class_roll *r, long long now);

#endif
