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
/* nslab-lab-util.h: small helpers that labs would otherwise each write
 * again, as static inline functions: the one header a lab includes for
 * them, after nslab-lab.h. It includes its parts, each a header of one
 * topic:
 *   nslab-lab-util-base.h       translations (_, N_, NSLAB_UTIL_TEXT),
 *                               NSLAB_ARRAY_SIZE, NSLAB_HOST_CAN, old-header
 *                               constants
 *   nslab-lab-util-text.h       words and numbers (padding, options, a
 *                               meter's bar, a command's argument)
 *   nslab-lab-util-proc.h       /proc/PID files, the lab's subjects
 *   nslab-lab-util-cgroup.h     a controller's cgroup files, read directly
 *   nslab-lab-util-call.h       ready-made nslab_call_fn (in the agent)
 *   nslab-lab-util-host.h       setup, perform and command steps (in nslab)
 *   nslab-lab-util-cgroup-lab.h the memory and pids labs' groups (in nslab)
 * The helpers that take a struct nslab_host, and nslab_call_main_traced,
 * nslab_check_own_ns, nslab_lab_chdir and nslab_run_quiet among them, run in
 * nslab: they call the host. The others do not, so they may run in nslab
 * and in a lab agent alike: the nslab_call_* ones are ready-made
 * nslab_call_fn for h->call and h->call_main. Same stability rules as
 * nslab-lab.h: names are only added, never changed in meaning.
 *
 * Build with _GNU_SOURCE (or -D_GNU_SOURCE), as the labs do, for the
 * CLONE_* flags of <sched.h>; CLONE_NEWTIME and the filesystem magic numbers
 * are defined (nslab-lab-util-base.h) when the system headers are too old
 * to have them. */
#ifndef NSLAB_LAB_UTIL_H
#define NSLAB_LAB_UTIL_H

#include "nslab-lab.h"
#include "nslab-lab-util-base.h"
#include "nslab-lab-util-text.h"
#include "nslab-lab-util-proc.h"
#include "nslab-lab-util-cgroup.h"
#include "nslab-lab-util-call.h"
#include "nslab-lab-util-host.h"
#include "nslab-lab-util-cgroup-lab.h"

/* The system headers this header has always included: labs may rely on them. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#endif
