/* SPDX-License-Identifier: GPL-2.0-or-later */
/* host-services.h: the host services appended to lab ABI 2 (cg_dir,
 * mount_at, do_once, share_workdir): what labs used to write each for
 * themselves. The host adapter points struct nslab_host at these. */
#ifndef NSLAB_HOST_SERVICES_H
#define NSLAB_HOST_SERVICES_H

#include "nslab-lab.h"

int host_cg_dir(struct nslab_host *h, const char *name, pid_t pid, char *buf, size_t len);
int host_mount_at(struct nslab_host *h, pid_t pid, const char *path, unsigned flags,
		  struct nslab_mount_at *at);
int host_do_once(struct nslab_host *h, bool (*done)(struct nslab_host *h),
		 int (*perform)(struct nslab_host *h), const char *already, const char *after);
int host_share_workdir(struct nslab_host *h);
long host_subjects(struct nslab_host *h, pid_t *pids, size_t max);
int host_cg_group(struct nslab_host *h, const char *ctl, const char *name, char *dir, size_t len);

#endif
