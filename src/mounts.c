/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mounts.c: a process's mount table through util-linux's libmount (the
 * parser mount(8) and findmnt(8) use), so that no lab parses mountinfo. */
#include "mounts.h"

#include <libmount.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

int mounts_each(pid_t pid, bool (*fn)(const struct nslab_mount *m, void *ud), void *ud)
{
	char path[64];
	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/mountinfo");
	struct libmnt_table *tb = mnt_new_table_from_file(path);
	if (!tb)
		return -1;
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	while (it && mnt_table_next_fs(tb, it, &fs) == 0) {
		unsigned long prop = 0;
		mnt_fs_get_propagation(fs, &prop);
		struct nslab_mount m = {
		    .id = mnt_fs_get_id(fs),
		    .parent_id = mnt_fs_get_parent_id(fs),
		    .target = mnt_fs_get_target(fs),
		    .source = mnt_fs_get_source(fs) ? mnt_fs_get_source(fs) : "none",
		    .fstype = mnt_fs_get_fstype(fs) ? mnt_fs_get_fstype(fs) : "",
		    .root = mnt_fs_get_root(fs) ? mnt_fs_get_root(fs) : "/",
		    .shared = (prop & MS_SHARED) != 0,
		    .slave = (prop & MS_SLAVE) != 0,
		};
		if (m.target && !fn(&m, ud))
			break;
	}
	mnt_free_iter(it);
	mnt_unref_table(tb);
	return 0;
}

int ns_same_as_self(pid_t pid, const char *type)
{
	char a[64], b[64];
	struct stat sa, sb;
	snprintf(a, sizeof(a), "/proc/%d/ns/%s", (int)pid, type);
	snprintf(b, sizeof(b), "/proc/self/ns/%s", type);
	if (stat(a, &sa) < 0 || stat(b, &sb) < 0)
		return -1;
	return sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}
