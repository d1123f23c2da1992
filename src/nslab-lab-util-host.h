/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the nslab authors.
 *
 * The plugin headers (nslab-lab.h, nslab-lab-util.h and the
 * nslab-lab-util-*.h it includes, and only they) are under the MIT licence,
 * not nslab's GPL-2.0-or-later, so that a lab plugin may be written under
 * any licence.
 *
 * Permission is hereby granted, free of charge, to any person obtaining a
 * copy of this software and associated documentation files (the "Software"),
 * to deal in the Software without restriction, including without limitation
 * the rights to use, copy, modify, merge, publish, distribute, sublicense,
 * and/or sell copies of the Software, and to permit persons to whom the
 * Software is furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in
 * all copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 * AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
 * FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
 * DEALINGS IN THE SOFTWARE.
 */
/* nslab-lab-util-host.h: steps of a lab's setup, performs and commands
 * that run in nslab and call the host: a traced call in the main process,
 * spawning it in a directory, a check of its own namespace, running a
 * command quietly, the lab's data block, a process stopped, a pid file, and
 * a command that refreshes the meter. Part of nslab-lab-util.h. */
#ifndef NSLAB_LAB_UTIL_HOST_H
#define NSLAB_LAB_UTIL_HOST_H

#include "nslab-lab-util-base.h"
#include "nslab-lab-util-call.h"
#include "nslab-lab-util-text.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* In nslab (it calls the host): a perform that is one call in the lab's
 * main process. h->call_main(fn, arg) (which says what failed), then, on
 * success, h->trace() of the syscall it made. 0 ok, -1 failed. */
static inline int nslab_call_main_traced(struct nslab_host *h, nslab_call_fn fn, const char *arg,
					 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static inline int nslab_call_main_traced(struct nslab_host *h, nslab_call_fn fn, const char *arg,
					 const char *fmt, ...)
{
	char line[1024];
	if (h->call_main(h, fn, arg) < 0)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	h->trace(h, "%s", line);
	return 0;
}

/* In nslab (it calls the host): spawns the lab's main process (label
 * "lab", no namespace of its own) working in dir, so that `run` starts
 * there: the setup of a lab whose steps act on files of its directory.
 * The pid, or -1 after the host's error. */
static inline pid_t nslab_spawn_in(struct nslab_host *h, const char *dir)
{
	struct nslab_spawn how = {.size = sizeof(struct nslab_spawn),
				  .label = "lab",
				  .init = nslab_call_chdir,
				  .init_arg = dir,
				  .init_arglen = strlen(dir) + 1};
	return h->spawn(h, &how);
}

/* In nslab (it calls the host): h->trace() of what nslab_call_pivot did
 * with dir, once it succeeded. */
static inline void nslab_trace_pivot(struct nslab_host *h, const char *dir)
{
	h->trace(h, "chdir(\"%s\") = 0", dir);
	h->trace(h, "pivot_root(\".\", \"put_old\") = 0");
	h->trace(h, "chdir(\"/\") = 0");
}

/* In nslab (it calls the host): a perform that makes every mount of the
 * lab process's mount namespace private (nslab_call_make_private), traced:
 * the step the mnt and pid labs share. 0 ok, -1 after call_main's error. */
static inline int nslab_private_main(struct nslab_host *h)
{
	return nslab_call_main_traced(h, nslab_call_make_private, NULL,
				      "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL) = 0");
}

/* In a check (it calls the host): does the lab's main process have a
 * namespace of this type ("mnt", "ipc") of its own? If not, says so with
 * h->missing, naming it (`name`: "mount", "IPC"), and returns false. */
static inline bool nslab_check_own_ns(struct nslab_host *h, const char *type, const char *name)
{
	pid_t pid = h->main_pid(h);
	if (h->same_ns(h, pid, type) != 1)
		return true;
	h->missing(h,
		   NSLAB_UTIL_TEXT("the lab process still shares the host's %s namespace (/proc/%d/ns/%s is "
				   "the same as nslab's)"),
		   name, (int)pid, type);
	return false;
}

/* In nslab (it calls the host): chdir(dir) in the lab's main process,
 * traced whether it works or not. cwd gets the new working directory as the
 * process sees it (see nslab_call_chdir). 0 ok, -1 after h->error() ("chdir
 * DIR: ERROR"), errno kept. */
static inline int nslab_lab_chdir(struct nslab_host *h, const char *dir, char *cwd, size_t len)
{
	if (h->call(h, h->main_pid(h), nslab_call_chdir, dir, strlen(dir) + 1, cwd, len) < 0) {
		int err = errno;
		h->trace(h, "chdir(\"%s\") = -1 %s", dir, nslab_errno_name(err));
		h->error(h, NSLAB_UTIL_TEXT("chdir %s: %s"), dir, strerror(err));
		errno = err;
		return -1;
	}
	h->trace(h, "chdir(\"%s\") = 0", dir);
	return 0;
}

/* In nslab: h->run with the output kept; on a non-zero status one error
 * line with the command, its status and its output. 0 ok, -1 failed. */
static inline int nslab_run_quiet(struct nslab_host *h, pid_t agent, const char *cmd)
{
	char *out = NULL;
	int rc = h->run(h, agent, cmd, &out);
	if (rc != 0)
		h->error(h, NSLAB_UTIL_TEXT("`%s` failed (status %d): %s"), cmd, rc,
			 out && *out ? out : NSLAB_UTIL_TEXT("no output"));
	free(out);
	return rc == 0 ? 0 : -1;
}

/* In a lab's setup: h->lab_data = a zeroed block of size bytes; NULL after
 * h->error() when out of memory. */
static inline void *nslab_new_lab_data(struct nslab_host *h, size_t size)
{
	h->lab_data = calloc(1, size);
	if (!h->lab_data)
		h->error(h, "%s", NSLAB_UTIL_TEXT("out of memory"));
	return h->lab_data;
}

/* In nslab: SIGKILL to a process the lab started and registered with
 * h->keep(NSLAB_OBJ_PROCESS) (through h->undo, which also forgets it),
 * off the process pane, traced. */
static inline void nslab_stop_pid(struct nslab_host *h, pid_t pid)
{
	char what[32];
	snprintf(what, sizeof(what), "%d", (int)pid);
	h->hide_pid(h, pid);
	h->undo(h, NSLAB_OBJ_PROCESS, what);
	h->trace(h, "kill(%d, SIGKILL) = 0", (int)pid);
}

/* A lab's teardown when all it keeps is one malloc'd h->lab_data. */
static inline void nslab_free_lab_data(struct nslab_host *h)
{
	free(h->lab_data);
	h->lab_data = NULL;
}

/* In nslab: writes "PID\n" to the lab's workdir file `name` (the peer.pid
 * that a task's `$(cat $NSLAB_LAB_DIR/peer.pid)` reads; it goes with the
 * workdir at stop). 0 ok, -1 after h->error(). */
static inline int nslab_write_pid_file(struct nslab_host *h, const char *name, pid_t pid)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", h->workdir(h), name);
	FILE *f = fopen(path, "we");
	int wr = f ? fprintf(f, "%d\n", (int)pid) : -1;
	if (!f || (fclose(f) != 0) | (wr < 0)) {
		h->error(h, NSLAB_UTIL_TEXT("cannot write %s: %s"), path, strerror(errno));
		return -1;
	}
	return 0;
}

/* In nslab: a lab command that changes what its meter shows ends with
 * `return nslab_refresh(h, update_meter, action(h));`: fn(h), then rc. */
static inline int nslab_refresh(struct nslab_host *h, void (*fn)(struct nslab_host *h), int rc)
{
	fn(h);
	return rc;
}

/* Defines the lab command `static int name(h, argc, argv)` that takes no
 * arguments, runs action(h) and then refresh(h) (the lab's meter update),
 * and returns what action returned. */
#define NSLAB_ACTION_COMMAND(name, action, refresh)                                                          \
	static int name(struct nslab_host *h, int argc, char **argv)                                         \
	{                                                                                                    \
		(void)argc, (void)argv;                                                                      \
		return nslab_refresh(h, refresh, action(h));                                                 \
	}

#endif
