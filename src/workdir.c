/* SPDX-License-Identifier: GPL-2.0-or-later */
/* workdir.c: the active lab's work directory, made on first use (see
 * workdir.h). */
#include "workdir.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static struct {
	char path[PATH_MAX];
	bool made;
	pid_t owner; /* the process whose registry records it */
} W;

void workdir_begin(const char *path)
{
	snprintf(W.path, sizeof(W.path), "%s", path);
	W.made = false;
	W.owner = getpid();
}

const char *workdir_path(void)
{
	return W.path;
}

const char *workdir_get(void)
{
	if (!W.path[0]) {
		errno = ENOENT;
		return NULL;
	}
	if (W.made || getpid() != W.owner)
		return W.path;
	if (cleanup_make_run_dir() < 0)
		return NULL;
	/* The registry first: a run killed between the two leaves an entry
	 * whose directory is missing, never a directory nobody removes. */
	if (cleanup_keep(NSLAB_OBJ_DIR, W.path) < 0)
		return NULL;
	if (mkdir_p(W.path, 0755) < 0) {
		int err = errno;
		cleanup_forget(NSLAB_OBJ_DIR, W.path);
		errno = err;
		return NULL;
	}
	W.made = true;
	return W.path;
}

void workdir_end(void)
{
	W.path[0] = '\0';
	W.made = false;
}
