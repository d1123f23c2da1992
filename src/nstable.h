/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nstable.h: the `ns` command's tables (libsmartcols, text or JSON). */
#ifndef NSLAB_NSTABLE_H
#define NSLAB_NSTABLE_H

#include <stdbool.h>
#include <sys/types.h>

/* Inode table: nslab, the lab's processes, watched PIDs and extra pids. */
int nstable_print(const pid_t *extra, size_t nextra, bool json);
/* Every namespace on the system, like lsns. */
int nstable_print_all(bool json);

#endif
