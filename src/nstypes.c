/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nstypes.c: the namespace table of nstypes.h, expanded once. Its own file
 * because views (nsview, nstable, pane) and the executor (nsexec) share it
 * and none of them should depend on another for it. */
#include "nstypes.h"

#include <string.h>

#define NS_TYPE_ROW(row, n, flag, children, desc)                                                            \
	[row] = {.name = n, .clone_flag = flag, .for_children = children, .description = desc},
const struct ns_type ns_types[NS_COUNT] = {NS_TYPES(NS_TYPE_ROW)};
#undef NS_TYPE_ROW

#define NS_NAME_ROW(row, n, flag, children, desc) [row] = n,
const char *const ns_row_name[NS_COUNT] = {NS_TYPES(NS_NAME_ROW)};
#undef NS_NAME_ROW

enum ns_row ns_row_of(const char *name)
{
	for (int r = 0; r < NS_COUNT; r++)
		if (strcmp(ns_types[r].name, name) == 0)
			return (enum ns_row)r;
	return NS_COUNT;
}
