/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mounts.h: reading a process's mount table with libmount. */
#ifndef NSLAB_MOUNTS_H
#define NSLAB_MOUNTS_H

#include "nslab-lab.h"

int mounts_each(pid_t pid, bool (*fn)(const struct nslab_mount *m, void *ud), void *ud);
/* 1 same namespace as nslab, 0 different, -1 unreadable. */
int ns_same_as_self(pid_t pid, const char *type);

#endif
