/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rootfs.h: filling a lab's root directory with host programs. */
#ifndef NSLAB_ROOTFS_H
#define NSLAB_ROOTFS_H

/* Copies program (a path, or a name looked up in PATH) and every shared
 * library ldd names, plus the dynamic loader, into root at the same paths.
 * 0 ok; -1 after out_error(). */
int rootfs_add(const char *root, const char *program);
/* Copies one file, keeping its mode, making dst's parent directories. 0 ok,
 * -1 with errno. */
int rootfs_copy_file(const char *src, const char *dst);

#endif
