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
/* nslab-lab-util-base.h: what every part of nslab-lab-util.h uses: the
 * CLONE_NEWTIME flag and filesystem magic numbers that older system headers
 * lack, the translation macros (_, N_, NSLAB_TEXTDOMAIN, NSLAB_UTIL_TEXT),
 * NSLAB_NOBODY, NSLAB_ARRAY_SIZE, and NSLAB_HOST_CAN and NSLAB_NEED_HOST for
 * the host services a lab may use. Labs include nslab-lab-util.h, which
 * includes this; build with _GNU_SOURCE (see there). */
#ifndef NSLAB_LAB_UTIL_BASE_H
#define NSLAB_LAB_UTIL_BASE_H

#include "nslab-lab.h"

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080 /* Linux 5.6; glibc 2.36 */
#endif
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* Translations. A lab's text domain: nslab's Makefile compiles labs/<id>.c
 * with -DNSLAB_TEXTDOMAIN='"nslab-lab-<id>"'; a lab built out of tree
 * defines it before including this header (NULL: not translated). Put
 * `.textdomain = NSLAB_TEXTDOMAIN` in the descriptor and mark its static
 * texts N_("...") (the host translates them); what the lab prints itself
 * (h->missing, h->print, h->error) goes through _("..."). */
#include <libintl.h>
#ifndef NSLAB_TEXTDOMAIN
#define NSLAB_TEXTDOMAIN NULL
#endif
#ifndef _
#define _(s) dgettext(NSLAB_TEXTDOMAIN, s)
#endif
#ifndef N_
#define N_(s) (s)
#endif
/* This header's own messages are in nslab's catalogue (the domain "nslab",
 * which nslab binds in its own process, where labs run): every lab shares
 * them, so none of them is in a lab's catalogue. */
#ifndef NSLAB_UTIL_TEXT
#define NSLAB_UTIL_TEXT(s) dgettext("nslab", s)
#endif

/* The overflow uid and gid: what an unmapped id reads as in a user
 * namespace, and the unprivileged identity labs use under plain root. */
#define NSLAB_NOBODY 65534

/* The number of elements of an array (not of a pointer). */
#define NSLAB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* NSLAB_HOST_HAS, and the function is set (a test's fake host may leave
 * the ones it does not need NULL). */
#define NSLAB_HOST_CAN(h, fn) (NSLAB_HOST_HAS(h, fn) && (h)->fn != NULL)

/* For a lab's unsupported hook: NULL when the host offers the service fn,
 * else the reason, naming it: an older nslab than the lab was built for. */
#define NSLAB_NEED_HOST(h, fn)                                                                               \
	(NSLAB_HOST_CAN(h, fn) ? NULL : "this nslab is older than the lab: it lacks the host service " #fn)

#endif
