/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the nslab authors.
 *
 * This header and nslab-lab-util.h (and only they) are under the MIT
 * licence, not nslab's GPL-2.0-or-later, so that a lab plugin may be
 * written under any licence.
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
 * again, as static inline functions. Apart from nslab_call_main_traced,
 * nslab_check_own_ns, nslab_lab_chdir, nslab_run_quiet and the helpers
 * that take a struct nslab_host (which run in nslab: they call the host),
 * none calls the host, so they
 * may run in nslab and in a lab agent alike: the nslab_call_* ones are
 * ready-made nslab_call_fn for h->call and h->call_main. Include it after
 * nslab-lab.h. Same stability rules as nslab-lab.h: names are only added,
 * never changed in meaning.
 *
 * Build with _GNU_SOURCE (or -D_GNU_SOURCE), as the labs do, for the
 * CLONE_* flags of <sched.h>; CLONE_NEWTIME and the filesystem magic numbers
 * below are defined here when the system headers are too old to have them. */
#ifndef NSLAB_LAB_UTIL_H
#define NSLAB_LAB_UTIL_H

#include "nslab-lab.h"

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

/* s followed by spaces up to width display columns, in buf (cut to fit
 * len). printf's %-30s pads by bytes: a Hangul syllable is three bytes and
 * two columns, so a translated table would not line up. Characters are
 * read in nslab's locale; an undecodable byte counts as one column. */
static inline const char *nslab_pad(char *buf, size_t len, const char *s, int width)
{
	mbstate_t st = {0};
	int cols = 0;
	for (const char *p = s; *p;) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, p, strlen(p), &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof(st));
			n = 1;
			wc = L'?';
		}
		int w = wcwidth(wc);
		cols += w < 0 ? 1 : w;
		p += n;
	}
	snprintf(buf, len, "%s%*s", s, cols < width ? width - cols : 0, "");
	return buf;
}

/* NSLAB_HOST_HAS, and the function is set (a test's fake host may leave
 * the ones it does not need NULL). */
#define NSLAB_HOST_CAN(h, fn) (NSLAB_HOST_HAS(h, fn) && (h)->fn != NULL)

/* For a lab's unsupported hook: NULL when the host offers the service fn,
 * else the reason, naming it: an older nslab than the lab was built for. */
#define NSLAB_NEED_HOST(h, fn)                                                                               \
	(NSLAB_HOST_CAN(h, fn) ? NULL : "this nslab is older than the lab: it lacks the host service " #fn)

/* Is word one of the comma-separated options in opts? Exact words only:
 * "cpu" is not "cpuset", "cpu" is in "rw,cpu,cpuacct". */
static inline bool nslab_opt_has(const char *opts, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = opts; p && *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* "/proc/PID/WHAT" into buf, "/proc/self/WHAT" for pid 0; returns buf. */
static inline char *nslab_proc_path(char *buf, size_t len, pid_t pid, const char *what)
{
	if (pid > 0)
		snprintf(buf, len, "/proc/%d/%s", (int)pid, what);
	else
		snprintf(buf, len, "/proc/self/%s", what);
	return buf;
}

/* pid's command line with its arguments joined by spaces ("unshare --uts
 * sh"), cut to fit buf; "" when it cannot be read (gone, or a kernel
 * thread). Returns buf: what names a learner's process in a check's line. */
static inline char *nslab_cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];
	buf[0] = '\0';
	FILE *f = len > 1 ? fopen(nslab_proc_path(path, sizeof(path), pid, "cmdline"), "re") : NULL;
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;
	if (f)
		fclose(f);
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	if (len > 0)
		buf[n] = '\0';
	return buf;
}

/* Are a and b the same file (device and inode)? False if either is missing. */
static inline bool nslab_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The name of an errno value for a trace line ("ENOENT"); "E?" without
 * glibc 2.32's strerrorname_np. */
static inline const char *nslab_errno_name(int err)
{
#if defined(_GNU_SOURCE) && defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
	const char *name = strerrorname_np(err);
	return name ? name : "E?";
#else
	(void)err;
	return "E?";
#endif
}

/* The fields of /proc/PID/stat that labs read. */
struct nslab_proc_stat {
	char state;                      /* R, S, D, T, Z (zombie), X (dead)... */
	pid_t ppid;                      /* as the reader's PID namespace numbers it */
	unsigned long long utime, stime; /* CPU time, in clock ticks (sysconf(_SC_CLK_TCK)) */
	unsigned long long starttime;    /* clock ticks after boot */
};

/* Reads /proc/PID/stat (pid 0: the caller's). The command name in it may
 * hold spaces and parentheses, so the fields are read after its last ')'.
 * 0 ok, -1 with errno (ENOENT: no such process). */
static inline int nslab_proc_stat(pid_t pid, struct nslab_proc_stat *st)
{
	char path[64], buf[2048];
	FILE *f = fopen(nslab_proc_path(path, sizeof(path), pid, "stat"), "re");
	if (!f)
		return -1;
	bool ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	const char *p = ok ? strrchr(buf, ')') : NULL;
	int ppid = 0;
	/* after ") ": state (3), ppid (4), ... utime (14), stime (15), ... starttime (22) */
	if (!p ||
	    sscanf(p + 1, " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d %llu",
		   &st->state, &ppid, &st->utime, &st->stime, &st->starttime) != 5) {
		errno = EINVAL;
		return -1;
	}
	st->ppid = (pid_t)ppid;
	return 0;
}

/* In text as /proc/PID/cgroup writes it: the path of the v1 line whose
 * controllers include ctl, else the v2 "0::" line's. Labs that read a
 * process's cgroup from inside its cgroup namespace (nsenter ... cat) parse
 * that output with it. 0 ok, -1 with errno ENOENT (no such line). */
static inline int nslab_cgroup_text_of(const char *text, const char *ctl, char *path, size_t len)
{
	char line[1024], v2[1024] = "";
	bool found = false;
	for (const char *p = text; p && *p && !found; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		if (c1[1] == '\0')
			snprintf(v2, sizeof(v2), "%s", c2 + 1);
		else if (nslab_opt_has(c1 + 1, ctl))
			found = snprintf(path, len, "%s", c2 + 1) >= 0;
	}
	if (!found && v2[0])
		found = snprintf(path, len, "%s", v2) >= 0;
	if (!found)
		errno = ENOENT;
	return found ? 0 : -1;
}

/* The cgroup pid is in, in the hierarchy that holds the controller ctl,
 * as /proc/PID/cgroup writes it for the reader (pid 0: /proc/self/cgroup,
 * which in a lab agent is the lab's own view; see nslab_cgroup_text_of).
 * "/nslab/123/lab" on the host, "/" inside a cgroup namespace rooted there.
 * 0 ok, -1 with errno (ENOENT: no such line). */
static inline int nslab_proc_cgroup_of(pid_t pid, const char *ctl, char *path, size_t len)
{
	char file[64], text[4096];
	FILE *f = fopen(nslab_proc_path(file, sizeof(file), pid, "cgroup"), "re");
	if (!f)
		return -1;
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return nslab_cgroup_text_of(text, ctl, path, len);
}

/* The same for the cpu controller: where nslab's own cgroups live. */
static inline int nslab_proc_cgroup(pid_t pid, char *path, size_t len)
{
	return nslab_proc_cgroup_of(pid, "cpu", path, len);
}

/* --- cgroups of other controllers (memory, pids): h->cg_group makes
 * nslab/<nslab pid>/NAME there; these find and read them. --- */

/* Where a controller lives: a v1 mount with it among its options, or a
 * cgroup2 mount listing it in cgroup.controllers. */
struct nslab_cg_hier {
	char mnt[512];
	bool v2;
};

/* Is word one of the space-separated words in the file (cgroup.controllers,
 * cgroup.subtree_control)? */
static inline bool nslab_file_has_word(const char *path, const char *word)
{
	char buf[512];
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (char *save = NULL, *w = strtok_r(buf, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
		if (strcmp(w, word) == 0)
			return true;
	return false;
}

/* The hierarchy holding ctl. A v1 mount wins: hybrid machines keep their
 * controllers there and their cgroup2 mount has none. false: nowhere. */
static inline bool nslab_cg_find(const char *ctl, struct nslab_cg_hier *hi)
{
	FILE *f = fopen("/proc/self/mounts", "re");
	char line[1024], v2[512] = "";
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f)) {
		char dir[512], type[32], opts[512], path[600];
		if (sscanf(line, "%*s %511s %31s %511s", dir, type, opts) != 3)
			continue;
		snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
		if (strcmp(type, "cgroup") == 0 && nslab_opt_has(opts, ctl))
			found = snprintf(hi->mnt, sizeof(hi->mnt), "%s", dir) > 0;
		else if (strcmp(type, "cgroup2") == 0 && !v2[0] && nslab_file_has_word(path, ctl))
			snprintf(v2, sizeof(v2), "%s", dir);
	}
	if (f)
		fclose(f);
	hi->v2 = !found;
	if (!found && v2[0])
		found = snprintf(hi->mnt, sizeof(hi->mnt), "%s", v2) > 0;
	return found;
}

/* Writes value to dir/file. 0 ok, -1 with errno. */
static inline int nslab_cg_write(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	FILE *f = fopen(path, "we");
	if (!f)
		return -1;
	int rc = fputs(value, f) < 0 ? -1 : 0;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/* dir/file into buf (NUL-terminated, cut at len - 1). 0 ok, -1 with errno. */
static inline int nslab_cg_read(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return 0;
}

/* What nslab_cg_value reads as "no limit", and as "no such file". */
#define NSLAB_CG_UNLIMITED (-1LL)
#define NSLAB_CG_ABSENT (-2LL)

/* A limit or counter file (memory.max, pids.current, ...): its number;
 * NSLAB_CG_UNLIMITED for v2's "max" and for a v1 value so large it means
 * none (2^63 rounded down to pages); NSLAB_CG_ABSENT when the file is not
 * there (the controller is off for the group, or the knob is not built). */
static inline long long nslab_cg_value(const char *dir, const char *file)
{
	char buf[64];
	if (nslab_cg_read(dir, file, buf, sizeof(buf)) < 0)
		return NSLAB_CG_ABSENT;
	if (strncmp(buf, "max", 3) == 0)
		return NSLAB_CG_UNLIMITED;
	long long v = strtoll(buf, NULL, 10);
	return v >= (1LL << 60) ? NSLAB_CG_UNLIMITED : v;
}

/* N of the line "KEY N" of a flat keyed file (memory.events,
 * memory.oom_control, pids.events); 0 when the file or the line is not there. */
static inline long long nslab_cg_key(const char *dir, const char *file, const char *key)
{
	char buf[1024];
	if (nslab_cg_read(dir, file, buf, sizeof(buf)) < 0)
		return 0;
	size_t n = strlen(key);
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (strncmp(l, key, n) == 0 && l[n] == ' ')
			return strtoll(l + n + 1, NULL, 10);
	return 0;
}

/* How many processes dir/cgroup.procs lists (0 when unreadable); *has
 * says whether pid is one of them. */
static inline int nslab_cg_procs(const char *dir, pid_t pid, bool *has)
{
	char path[PATH_MAX];
	int n = 0, p;
	*has = false;
	if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= (int)sizeof(path))
		return 0;
	FILE *f = fopen(path, "re");
	while (f && fscanf(f, "%d", &p) == 1) {
		n++;
		*has |= p == (int)pid;
	}
	if (f)
		fclose(f);
	return n;
}

/* <mnt>/nslab/<nslab pid>: where h->cg_group makes this run's groups in
 * the hierarchy hi (in nslab: getpid() is nslab's pid). */
static inline void nslab_cg_tree(const struct nslab_cg_hier *hi, char *buf, size_t len)
{
	snprintf(buf, len, "%s/nslab/%d", hi->mnt, (int)getpid());
}

/* A meter's bar: `width` cells, value's share of top as '#', the rest '.'
 * (full at or above top). buf holds width + 1. */
static inline void nslab_meter_bar(char *buf, int width, double value, double top)
{
	int n = top > 0 ? (int)(value / top * width + 0.5) : 0;
	n = n < 0 ? 0 : n > width ? width : n;
	memset(buf, '#', (size_t)n);
	memset(buf + n, '.', (size_t)(width - n));
	buf[width] = '\0';
}

/* A whole number from min to max, written alone or followed by one of the
 * space-separated units ("M MiB"; NULL: none), as a lab command's argument.
 * 0 and *out, -1 for anything else. */
static inline int nslab_parse_long(const char *s, long min, long max, const char *units, long *out)
{
	char *end, unit[16];
	errno = 0;
	long v = strtol(s, &end, 10);
	bool known = *end == '\0';
	for (const char *u = units; !known && u && *u; u += strspn(u, " ")) {
		size_t n = strcspn(u, " ");
		snprintf(unit, sizeof(unit), "%.*s", (int)n, u);
		known = strcmp(end, unit) == 0;
		u += n;
	}
	if (end == s || !known || errno || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Sleeps ms milliseconds, signals or not. */
static inline void nslab_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* fork() for an nslab_call_fn whose child must not outlive the lab
 * process: the child gets SIGKILL when its parent dies, and exits at once
 * if the parent died before that was set up. Returns what fork() returns. */
static inline pid_t nslab_fork_tied(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
	}
	return pid;
}

/* An nslab_call_fn: chdir(arg) in the agent; out (if any) gets the new
 * working directory as the agent sees it, or "(unreachable: outside the
 * root)" when it lies outside the agent's root (after a chroot). */
static inline int nslab_call_chdir(void *arg, char *out, size_t outlen)
{
	if (chdir((const char *)arg) < 0)
		return nslab_fail(out, outlen, "chdir");
	if (out && outlen && !getcwd(out, outlen))
		snprintf(out, outlen, "(unreachable: outside the root)");
	return 0;
}

/* An nslab_call_fn: chroot(arg), then chdir("/") so that the working
 * directory is inside the new root (what chroot(1) does). */
static inline int nslab_call_chroot(void *arg, char *out, size_t outlen)
{
	if (chroot((const char *)arg) < 0)
		return nslab_fail(out, outlen, "chroot");
	return chdir("/") < 0 ? nslab_fail(out, outlen, "chdir(\"/\")") : 0;
}

/* An nslab_call_fn: the seed's `cd DIR; pivot_root . put_old; cd /` (arg:
 * DIR, a mount point that holds the directory put_old): DIR becomes the
 * root of the agent's mount namespace and the old root lies on /put_old;
 * the last cd leaves no working directory behind in the old tree. glibc
 * has no pivot_root wrapper, hence syscall(2). The pivot-root and overlay
 * labs pivot alike; nslab_trace_pivot traces it. */
static inline int nslab_call_pivot(void *arg, char *out, size_t outlen)
{
	if (chdir((const char *)arg) < 0)
		return nslab_fail(out, outlen, "chdir(new_root)");
	if (syscall(SYS_pivot_root, ".", "put_old") < 0)
		return nslab_fail(out, outlen, "pivot_root(\".\", \"put_old\")");
	return chdir("/") < 0 ? nslab_fail(out, outlen, "chdir(\"/\")") : 0;
}

/* An nslab_call_fn: every mount of the agent's mount namespace becomes
 * private, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) (what `mount
 * --make-rprivate /` does): no mount event crosses to or from the host. */
static inline int nslab_call_make_private(void *arg, char *out, size_t outlen)
{
	(void)arg;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return nslab_fail(out, outlen, "mount(MS_REC|MS_PRIVATE)");
	return 0;
}

/* An nslab_call_fn: unshare(*(int *)arg); pass &flags, sizeof(int). */
static inline int nslab_call_unshare(void *arg, char *out, size_t outlen)
{
	return unshare(*(int *)arg) < 0 ? nslab_fail(out, outlen, "unshare") : 0;
}

/* An nslab_call_fn: out gets the agent's own view of its cgroup in the
 * hierarchy that holds cpu (nslab_proc_cgroup of /proc/self/cgroup). */
static inline int nslab_call_own_cgroup(void *arg, char *out, size_t outlen)
{
	(void)arg;
	return nslab_proc_cgroup(0, out, outlen);
}

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

/* argv[from..argc-1] joined by spaces, as a lab command that passes the
 * rest of its line to h->run (`peer CMD...`); malloc'd, NULL on ENOMEM. */
static inline char *nslab_join_args(int argc, char **argv, int from)
{
	size_t len = 1;
	for (int i = from; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *cmd = calloc(1, len);
	for (int i = from; cmd && i < argc; i++) {
		strcat(cmd, argv[i]);
		if (i + 1 < argc)
			strcat(cmd, " ");
	}
	return cmd;
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

/* --- in nslab (they call the host): a controller's groups, as the host's
 * services show them, so that a lab's checks see a test's fake world too --- */

struct nslab_cg_mounts {
	char dir[8][sizeof(((struct nslab_cg_hier *)0)->mnt)];
	bool v2[8];
	int n;
};

static inline bool nslab_cg_note_mount(const struct nslab_mount *m, void *ud)
{
	struct nslab_cg_mounts *ms = (struct nslab_cg_mounts *)ud;
	bool v2 = strcmp(m->fstype, "cgroup2") == 0;
	if (!v2 && strcmp(m->fstype, "cgroup") != 0)
		return true;
	snprintf(ms->dir[ms->n], sizeof(ms->dir[0]), "%s", m->target);
	ms->v2[ms->n++] = v2;
	return ms->n < 8;
}

/* nslab_cg_find through h->each_mount and h->mount_at (ABI 2's mount_at:
 * check NSLAB_NEED_HOST(h, mount_at) first): a v1 mount with ctl among its
 * options wins, else a cgroup2 mount listing ctl in cgroup.controllers. */
static inline bool nslab_cg_find_host(struct nslab_host *h, const char *ctl, struct nslab_cg_hier *hi)
{
	struct nslab_cg_mounts ms = {.n = 0};
	char path[sizeof(ms.dir[0]) + 32];
	memset(hi, 0, sizeof(*hi));
	if (h->each_mount(h, 0, nslab_cg_note_mount, &ms) < 0)
		return false;
	for (int i = 0; i < ms.n; i++) {
		struct nslab_mount_at at = {.size = sizeof(at)};
		if (!ms.v2[i] && h->mount_at(h, 0, ms.dir[i], 0, &at) == 1 &&
		    nslab_opt_has(at.options, ctl)) {
			snprintf(hi->mnt, sizeof(hi->mnt), "%s", ms.dir[i]);
			hi->v2 = false;
			return true;
		}
	}
	for (int i = 0; i < ms.n; i++) {
		snprintf(path, sizeof(path), "%s/cgroup.controllers", ms.dir[i]);
		if (ms.v2[i] && nslab_file_has_word(path, ctl)) {
			snprintf(hi->mnt, sizeof(hi->mnt), "%s", ms.dir[i]);
			hi->v2 = true;
			return true;
		}
	}
	return false;
}

/* What a cgroup lab records of every group it looks at. The lab's own
 * record begins with it (struct group { struct nslab_cg_group cg; ... }),
 * and the helpers below walk an array of such records, `size` bytes each. */
struct nslab_cg_group {
	char name[640];     /* under nslab/<pid>/, or a subject's group's path */
	char dir[PATH_MAX]; /* its directory */
	bool ctrl;          /* the controller's limit file is there */
	long long limit;    /* what the lab's limit file says (NSLAB_CG_UNLIMITED) */
	int nprocs;         /* lines of cgroup.procs */
	bool has_main;      /* the lab process is one of them */
};

/* Record i of an array of records of `size` bytes that begin with one. */
static inline struct nslab_cg_group *nslab_cg_at(void *gs, size_t size, int i)
{
	return (struct nslab_cg_group *)((char *)gs + (size_t)i * size);
}

/* Reads the rest of one record for nslab_cg_each_group: name, dir, nprocs
 * and has_main are filled in, the rest of the record zeroed; it sets ctrl
 * and limit (and what else the lab keeps) from the group's files. */
typedef void (*nslab_cg_read_fn)(struct nslab_host *h, const struct nslab_cg_hier *hi,
				 struct nslab_cg_group *g);

static inline bool nslab_cg_fill(struct nslab_host *h, const struct nslab_cg_hier *hi,
				 struct nslab_cg_group *g, size_t size, const char *name, const char *dir,
				 nslab_cg_read_fn read)
{
	memset(g, 0, size);
	snprintf(g->name, sizeof(g->name), "%s", name);
	snprintf(g->dir, sizeof(g->dir), "%s", dir);
	g->nprocs = nslab_cg_procs(dir, h->main_pid(h), &g->has_main);
	read(h, hi, g);
	return g->ctrl && g->limit != NSLAB_CG_UNLIMITED;
}

/* The groups a lab of controller ctl looks at, whoever made them (cgcreate,
 * mkdir, h->cg_group), up to max records of `size` bytes in gs: every
 * directory under nslab/<pid>/ in hi but `lab` (nslab's own lab cgroup on
 * v2), then the groups outside that tree with a limit that a subject of the
 * lab (h->subjects) was put in with the real tools, e.g. from a second
 * terminal: not the root, not nslab's own, each once. Returns how many. */
static inline int nslab_cg_each_group(struct nslab_host *h, const struct nslab_cg_hier *hi, const char *ctl,
				      void *gs, size_t size, int max, nslab_cg_read_fn read)
{
	char tree[sizeof(hi->mnt) + 32], dir[PATH_MAX], own[640] = "", path[640], top[32];
	int n = 0;
	nslab_cg_tree(hi, tree, sizeof(tree));
	DIR *d = opendir(tree);
	for (struct dirent *de; d && n < max && (de = readdir(d));) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.' || strcmp(de->d_name, "lab") == 0)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", tree, de->d_name);
		nslab_cg_fill(h, hi, nslab_cg_at(gs, size, n++), size, de->d_name, dir, read);
	}
	if (d)
		closedir(d);
	pid_t pids[64];
	char(*seen)[640] = n < max && NSLAB_HOST_CAN(h, subjects) ? (char(*)[640])calloc(64, 640) : NULL;
	long ns = seen ? h->subjects(h, pids, NSLAB_ARRAY_SIZE(pids)) : 0;
	nslab_proc_cgroup_of(0, ctl, own, sizeof(own));
	snprintf(top, sizeof(top), "/nslab/%d/", (int)getpid());
	for (long i = 0, nseen = 0; n < max && i < ns && i < (long)NSLAB_ARRAY_SIZE(pids); i++) {
		if (nslab_proc_cgroup_of(pids[i], ctl, path, sizeof(path)) < 0 || strcmp(path, "/") == 0 ||
		    strcmp(path, own) == 0 || strncmp(path, top, strlen(top)) == 0)
			continue;
		bool again = false;
		for (long k = 0; k < nseen; k++)
			again |= strcmp(seen[k], path) == 0;
		if (again)
			continue;
		snprintf(seen[nseen++], 640, "%s", path);
		snprintf(dir, sizeof(dir), "%s%s", hi->mnt, path);
		n += nslab_cg_fill(h, hi, nslab_cg_at(gs, size, n), size, path, dir, read) ? 1 : 0;
	}
	free(seen);
	return n;
}

/* Record i of gs (see nslab_cg_at), read only. */
static inline const struct nslab_cg_group *nslab_cg_get(const void *gs, size_t size, int i)
{
	return (const struct nslab_cg_group *)((const char *)gs + (size_t)i * size);
}

/* The index of the first of n records for which ok holds (ok NULL: that
 * has the controller's files), -1 if none. */
static inline int nslab_cg_first(const void *gs, size_t size, int n,
				 bool (*ok)(const struct nslab_cg_group *g))
{
	for (int i = 0; i < n; i++) {
		const struct nslab_cg_group *g = nslab_cg_get(gs, size, i);
		if (ok ? ok(g) : g->ctrl)
			return i;
	}
	return -1;
}

static inline bool nslab_cg_has_main(const struct nslab_cg_group *g)
{
	return g->has_main;
}

/* The group a cgroup lab's meter and commands look at: the lab process's,
 * else the first limited as the lab wants, else the one called name (the
 * lab's own), else the first. Its index, -1 when n is 0. */
static inline int nslab_cg_main(const void *gs, size_t size, int n,
				bool (*limited)(const struct nslab_cg_group *g), const char *name)
{
	int i = nslab_cg_first(gs, size, n, nslab_cg_has_main);
	i = i >= 0 ? i : nslab_cg_first(gs, size, n, limited);
	for (int k = 0; i < 0 && k < n; k++)
		if (strcmp(nslab_cg_get(gs, size, k)->name, name) == 0)
			i = k;
	return i >= 0 ? i : n > 0 ? 0 : -1;
}

/* The record g (of size bytes) read afresh from its directory; false when
 * the group is gone. */
static inline bool nslab_cg_reread(struct nslab_host *h, const struct nslab_cg_hier *hi,
				   struct nslab_cg_group *g, size_t size, nslab_cg_read_fn read)
{
	char name[sizeof(g->name)], dir[sizeof(g->dir)];
	struct stat st;
	snprintf(name, sizeof(name), "%s", g->name);
	snprintf(dir, sizeof(dir), "%s", g->dir);
	if (stat(dir, &st) < 0)
		return false;
	nslab_cg_fill(h, hi, g, size, name, dir, read);
	return true;
}

/* For a lab's unsupported hook (in nslab): NULL when a hierarchy holds ctl
 * and, on v2, its root enables ctl for its children (the machine's choice,
 * which nslab does not change); else the reason, with fix (what gives a
 * machine the controller: a boot option, a kernel config). Needs the host
 * services mount_at and cg_group. */
static inline const char *nslab_cg_unsupported(struct nslab_host *h, const char *ctl, const char *fix)
{
	static char why[2 * sizeof(((struct nslab_cg_hier *)0)->mnt) + 512];
	const char *old = NSLAB_NEED_HOST(h, mount_at);
	old = old ? old : NSLAB_NEED_HOST(h, cg_group);
	if (old)
		return old;
	struct nslab_cg_hier hi;
	char path[sizeof(hi.mnt) + 32];
	if (!nslab_cg_find_host(h, ctl, &hi)) {
		snprintf(
		    why, sizeof(why),
		    NSLAB_UTIL_TEXT("no cgroup hierarchy offers the %s controller (no v1 %s mount, not in "
				    "/sys/fs/cgroup/cgroup.controllers): %s"),
		    ctl, ctl, fix);
		return why;
	}
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", hi.mnt);
	if (hi.v2 && !nslab_file_has_word(path, ctl)) {
		snprintf(
		    why, sizeof(why),
		    NSLAB_UTIL_TEXT("the %s controller is not enabled below %s: as root, `echo +%s > %s`"),
		    ctl, hi.mnt, ctl, path);
		return why;
	}
	return NULL;
}

/* In nslab: the hierarchy holding ctl, or false after h->error() naming
 * fix. */
static inline bool nslab_cg_need(struct nslab_host *h, const char *ctl, const char *fix,
				 struct nslab_cg_hier *hi)
{
	if (nslab_cg_find_host(h, ctl, hi))
		return true;
	h->error(h,
		 NSLAB_UTIL_TEXT(
		     "no cgroup hierarchy offers the %s controller (no v1 %s mount, not in any cgroup2 "
		     "cgroup.controllers): %s"),
		 ctl, ctl, fix);
	return false;
}

/* In nslab: the directory of the lab's group nslab/<pid>/name in the
 * hierarchy holding ctl, which must be there already; else false after
 * h->error() saying so and `how` to make it. */
static inline bool nslab_cg_existing(struct nslab_host *h, const char *ctl, const char *fix, const char *name,
				     const char *how, struct nslab_cg_hier *hi, char *dir, size_t len)
{
	char tree[sizeof(hi->mnt) + 32];
	struct stat st;
	if (!nslab_cg_need(h, ctl, fix, hi))
		return false;
	nslab_cg_tree(hi, tree, sizeof(tree));
	snprintf(dir, len, "%s/%s", tree, name);
	if (stat(dir, &st) == 0)
		return true;
	h->error(h, NSLAB_UTIL_TEXT("there is no cgroup %s yet: %s"), dir, how);
	return false;
}

/* In nslab: nslab/<pid>/name made in the hierarchy holding ctl through
 * h->cg_group (after nslab_cg_need, naming fix); *existed says whether it
 * was there before. 1 on v2, 0 on v1, -1 after h->error(). */
static inline int nslab_cg_make(struct nslab_host *h, const char *ctl, const char *fix, const char *name,
				struct nslab_cg_hier *hi, char *dir, size_t len, bool *existed)
{
	char tree[sizeof(hi->mnt) + 32];
	struct stat st;
	if (!nslab_cg_need(h, ctl, fix, hi))
		return -1;
	nslab_cg_tree(hi, tree, sizeof(tree));
	snprintf(dir, len, "%s/%s", tree, name);
	*existed = stat(dir, &st) == 0;
	return h->cg_group(h, ctl, name, dir, len);
}

/* In nslab: a cgroup lab's `cgroup` command: nslab/<pid>/name made in the
 * hierarchy holding ctl (nslab_cg_make) and said with the name cgcreate
 * and cgexec know it by; an error when the group lacks the controller's
 * file (file_v2 on v2, else file_v1): a group without it limits nothing.
 * hi gets the hierarchy, dir the group's directory. 0 ok, -1 after
 * h->error(). */
static inline int nslab_cg_create(struct nslab_host *h, const char *ctl, const char *fix, const char *name,
				  const char *file_v2, const char *file_v1, struct nslab_cg_hier *hi,
				  char *dir, size_t len)
{
	bool existed;
	if (nslab_cg_make(h, ctl, fix, name, hi, dir, len, &existed) < 0)
		return -1;
	const char *file = hi->v2 ? file_v2 : file_v1;
	if (nslab_cg_value(dir, file) == NSLAB_CG_ABSENT) {
		h->error(h, NSLAB_UTIL_TEXT("%s has no %s: the %s controller is not on for it"), dir, file,
			 ctl);
		return -1;
	}
	h->print(h, NSLAB_UTIL_TEXT("cgroup %s (%s); cgcreate and cgexec call it %s:nslab/%d/%s\n"), dir,
		 existed ? NSLAB_UTIL_TEXT("already there") : NSLAB_UTIL_TEXT("created"), ctl, (int)getpid(),
		 name);
	return 0;
}

/* In nslab: a cgroup lab's setup: spawns the lab process ("lab", in no
 * namespace of its own) and says where the hierarchy holding ctl is and
 * where this run's groups go. 0 ok, -1 after h->error(). */
static inline int nslab_cg_start(struct nslab_host *h, const char *ctl, const char *fix)
{
	struct nslab_spawn how = {.size = sizeof(struct nslab_spawn), .label = "lab"};
	struct nslab_cg_hier hi;
	char tree[sizeof(hi.mnt) + 128];
	if (h->spawn(h, &how) < 0 || !nslab_cg_need(h, ctl, fix, &hi) ||
	    h->cg_group(h, ctl, NULL, tree, sizeof(tree)) < 0)
		return -1;
	h->print(h,
		 NSLAB_UTIL_TEXT("The %s controller is at %s (%s). This run's cgroups go under %s; cgcreate "
				 "calls them nslab/%d/NAME.\n"),
		 ctl, hi.mnt, hi.v2 ? "cgroup v2" : NSLAB_UTIL_TEXT("a cgroup v1 hierarchy"), tree,
		 (int)getpid());
	return 0;
}

/* "1 process", "3 processes", for a cgroup lab's meter and listing: whole
 * phrases, so that a translation need not know English plurals. */
static inline void nslab_cg_nprocs(char *buf, size_t len, int n)
{
	snprintf(buf, len, n == 1 ? NSLAB_UTIL_TEXT("%d process") : NSLAB_UTIL_TEXT("%d processes"), n);
}

/* In a cgroup lab's check: true when one of the n records in gs (see
 * nslab_cg_each_group) has the controller's files; else says with
 * h->missing what is: a hierarchy (n < 0), a group (and how cgcreate makes
 * `name`), or limit_file in the groups (ctl not switched on for them). */
static inline bool nslab_cg_need_any(struct nslab_host *h, const struct nslab_cg_hier *hi, const char *ctl,
				     const char *limit_file, const char *name, const void *gs, size_t size,
				     int n)
{
	char tree[sizeof(hi->mnt) + 32];
	if (n < 0) {
		h->missing(h, NSLAB_UTIL_TEXT("no cgroup hierarchy offers the %s controller"), ctl);
		return false;
	}
	if (nslab_cg_first(gs, size, n, NULL) >= 0)
		return true;
	nslab_cg_tree(hi, tree, sizeof(tree));
	if (n > 0)
		h->missing(h,
			   NSLAB_UTIL_TEXT("%s has no %s: the %s controller is not on for it (v2: +%s in "
					   "%s/cgroup.subtree_control)"),
			   nslab_cg_get(gs, size, 0)->dir, limit_file, ctl, ctl, tree);
	else
		h->missing(
		    h,
		    NSLAB_UTIL_TEXT("no cgroup under %s yet: `host cgcreate -g %s:nslab/%d/%s` or `cgroup`"),
		    tree, ctl, (int)getpid(), name);
	return false;
}

/* In nslab, for a cgroup lab's listing command: false after h->error()
 * when no hierarchy holds ctl (n < 0); says so when there is no group
 * under nslab/<pid>/ yet (n == 0), and what makes one. */
static inline bool nslab_cg_say_none(struct nslab_host *h, const struct nslab_cg_hier *hi, const char *ctl,
				     int n)
{
	char tree[sizeof(hi->mnt) + 32];
	if (n < 0) {
		h->error(h, NSLAB_UTIL_TEXT("no cgroup hierarchy offers the %s controller"), ctl);
		return false;
	}
	nslab_cg_tree(hi, tree, sizeof(tree));
	if (n == 0)
		h->print(h, NSLAB_UTIL_TEXT("no cgroup under %s yet: `cgroup`\n"), tree);
	return true;
}

/* In nslab: the lab's groups under nslab/<pid>/ in the hierarchy holding
 * ctl (nslab_cg_find_host, then nslab_cg_each_group): how many, -1 when no
 * hierarchy holds ctl. */
static inline int nslab_cg_read_all(struct nslab_host *h, const char *ctl, struct nslab_cg_hier *hi, void *gs,
				    size_t size, int max, nslab_cg_read_fn read)
{
	return nslab_cg_find_host(h, ctl, hi) ? nslab_cg_each_group(h, hi, ctl, gs, size, max, read) : -1;
}

/* In nslab: the directory of a cgroup lab's own group nslab/<pid>/name,
 * the one its `cgroup` command makes, which must be there already: else
 * false after h->error() saying to type `cgroup` first. */
static inline bool nslab_cg_own(struct nslab_host *h, const char *ctl, const char *fix, const char *name,
				struct nslab_cg_hier *hi, char *dir, size_t len)
{
	return nslab_cg_existing(h, ctl, fix, name, NSLAB_UTIL_TEXT("type `cgroup` first"), hi, dir, len);
}

/* How a cgroup lab's `usage` says one group: g its record (see
 * nslab_cg_each_group), procs its process count as text. */
typedef void (*nslab_cg_say_fn)(struct nslab_host *h, const struct nslab_cg_hier *hi,
				const struct nslab_cg_group *g, const char *procs);

/* In nslab, a cgroup lab's `usage`: one line a group of the n records in
 * gs, by say; or that there is none (nslab_cg_say_none). 0, or -1 after
 * h->error() when no hierarchy holds ctl. */
static inline int nslab_cg_say_each(struct nslab_host *h, const struct nslab_cg_hier *hi, const char *ctl,
				    const void *gs, size_t size, int n, nslab_cg_say_fn say)
{
	if (!nslab_cg_say_none(h, hi, ctl, n))
		return -1;
	for (int i = 0; i < n; i++) {
		const struct nslab_cg_group *g = nslab_cg_get(gs, size, i);
		char procs[64];
		nslab_cg_nprocs(procs, sizeof(procs), g->nprocs);
		say(h, hi, g, procs);
	}
	return 0;
}

/* In nslab: writes value to dir/file, traced, and says "FILE = VALUE"; 0 ok,
 * -1 after h->error() (traced too: the kernel's refusal is the lesson). */
static inline int nslab_cg_set(struct nslab_host *h, const char *dir, const char *file, const char *value)
{
	if (nslab_cg_write(dir, file, value) < 0) {
		int err = errno;
		h->trace(h, "write(\"%s/%s\", \"%s\") = -1 %s", dir, file, value, nslab_errno_name(err));
		h->error(h, NSLAB_UTIL_TEXT("cannot write %s to %s/%s: %s"), value, dir, file, strerror(err));
		return -1;
	}
	h->trace(h, "write(\"%s/%s\", \"%s\") = %zu", dir, file, value, strlen(value));
	h->print(h, "%s = %s\n", file, value);
	return 0;
}

/* In nslab: moves pid into the group at dir (writes it to cgroup.procs,
 * what cgclassify does), as nslab_cg_set. */
static inline int nslab_cg_move(struct nslab_host *h, const char *dir, pid_t pid)
{
	char v[16];
	snprintf(v, sizeof(v), "%d", (int)pid);
	return nslab_cg_set(h, dir, "cgroup.procs", v);
}

/* In nslab: a cgroup lab's `move`: the lab process into the lab's own
 * group nslab/<pid>/name (nslab_cg_own, nslab_cg_move); dir gets the
 * group's directory. 0 ok, -1 after h->error(). */
static inline int nslab_cg_move_main(struct nslab_host *h, const char *ctl, const char *fix, const char *name,
				     char *dir, size_t len)
{
	struct nslab_cg_hier hi;
	if (!nslab_cg_own(h, ctl, fix, name, &hi, dir, len))
		return -1;
	return nslab_cg_move(h, dir, h->main_pid(h));
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

/* In nslab: the lab's subjects other than its main process (a learner's
 * own processes: in the lab cgroup, or watched), at most max; how many. An
 * older host without subjects has none. */
static inline unsigned nslab_other_subjects(struct nslab_host *h, pid_t *out, unsigned max)
{
	pid_t pids[64], main = h->main_pid(h);
	long got = NSLAB_HOST_CAN(h, subjects) ? h->subjects(h, pids, 64) : 0;
	unsigned n = 0;
	for (long i = 0; i < got && i < 64 && n < max; i++)
		if (pids[i] != main)
			out[n++] = pids[i];
	return n;
}

/* In nslab: for each of the lab's subjects (at most 64), read(pid, slot)
 * into the next of the max slots of slot_size bytes; those it reads (0)
 * are kept, with their PIDs in pids. How many were kept. For checks that
 * look at every subject's /proc/PID/status. */
static inline size_t nslab_subjects_read(struct nslab_host *h, pid_t *pids, void *slots, size_t slot_size,
					 size_t max, int (*read)(pid_t pid, void *slot))
{
	pid_t all[64];
	long n = h->subjects(h, all, 64);
	size_t k = 0;
	for (long i = 0; i < n && i < 64 && k < max; i++)
		if (read(all[i], (char *)slots + k * slot_size) == 0)
			pids[k++] = all[i];
	return k;
}

#endif
