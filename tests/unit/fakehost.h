/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fakehost.h: a fake struct nslab_host for the labs' unit tests (header-only,
 * so that the Makefile's one-file-per-driver rule needs nothing more).
 *
 * Every host function is a fake: what a lab says (print, error, missing,
 * trace) is kept in one transcript, what it asks for (spawn, call, run, keep,
 * undo, cg_*, ...) in a request log, and what it reads is answered from a
 * scripted world that the test sets up: namespaces per pid (same_ns), mounts
 * per pid (each_mount), cgroup stats, run and host_run outputs, the root and
 * the workdir. Nothing reaches the kernel: an agent function given to call or
 * call_main is never run; its answer comes from a responder (or a text)
 * the test registers for it by the function's address (fake_on_call and
 * fake_on_call_text in fakelab.h, which loads the lab). So no test needs root. */
#ifndef NSLAB_FAKEHOST_H
#define NSLAB_FAKEHOST_H

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nslab-lab.h"
#include "nslab-lab-util.h"
#include "unit.h"

#define FAKE_MAX 64
#define FAKE_TEXT 32768

/* Answers a call of one agent function: fills out, returns the agent's
 * result (-1 with errno set for a failure in the agent). */
typedef int (*fake_responder)(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen);

struct fake_run {
	char match[256]; /* a substring of the command; "" matches every command */
	int status;
	char output[2048];
};

struct fake_mount {
	pid_t pid; /* whose mount namespace (0: nslab's) */
	struct nslab_mount m;
	char target[PATH_MAX], source[256], fstype[64], root[PATH_MAX], options[256];
};

struct fake_ns {
	pid_t pid;
	char type[32];
	int same; /* what same_ns answers */
};

struct fake {
	struct nslab_host host;

	/* --- what the lab said and asked --- */
	char out[FAKE_TEXT]; /* print as is; "error: ", "missing: ", "trace: " lines */
	char log[FAKE_TEXT]; /* one request a line: "spawn lab flags=0x4000000" */
	unsigned nmissing, nerror, unscripted;
	char meter[256];

	/* --- the world --- */
	pid_t main, next_pid;
	char workdir[256]; /* short: tests build paths under it */
	char root[512];
	bool root_set;
	int spawn_ret;      /* 0: spawn gives a fresh pid; else what it returns */
	int rootfs_add_ret; /* what rootfs_add returns */
	enum nslab_cgmode cgmode;
	int cg_ret;                     /* what cg_create, cg_set_quota and cg_attach return */
	int cg_stat_ret;                /* what cg_stat returns (-1: the cgroup is gone) */
	struct nslab_cpu_stat cg;       /* what cg_stat answers (quota set by cg_set_quota) */
	char cgpath[256];               /* what cg_path answers; "" = "/nslab/1/NAME" */
	struct fake_run runs[FAKE_MAX]; /* for run; first match wins */
	unsigned nruns;
	struct fake_run host_runs[FAKE_MAX]; /* for host_run */
	unsigned nhost_runs;
	struct fake_mount mounts[FAKE_MAX];
	unsigned nmounts;
	int each_mount_ret; /* -1: mountinfo unreadable */
	struct fake_ns ns[FAKE_MAX];
	unsigned nns;
	pid_t subjects[FAKE_MAX]; /* what subjects answers after the main pid (the lab cgroup, watched) */
	unsigned nsubjects;
	struct {
		void *fn;
		char name[160];
		fake_responder answer;
		const char *text; /* if set, the answer instead: success, with this text */
	} calls[FAKE_MAX];
	unsigned ncalls;
};

static struct fake fk;
static char *fake_dir; /* the test's temp dir (fakelab.h makes it); the workdir is in it */

/* Ends a driver at a mistake in the test itself (a table full, a function
 * not faked). abort() skips the group's teardown, so the temp dir goes
 * first: aborted drivers had left their /tmp/nslab-unit.* dirs behind. */
static inline _Noreturn void fake_abort(void)
{
	unit_rm_rf(fake_dir);
	abort();
}

static inline void fake_add(char *buf, const char *prefix, const char *fmt, va_list ap, bool newline)
{
	size_t n = strlen(buf);
	if (n + 1 >= FAKE_TEXT)
		return;
	n += (size_t)snprintf(buf + n, FAKE_TEXT - n, "%s", prefix);
	if (n + 1 >= FAKE_TEXT)
		return;
	n += (size_t)vsnprintf(buf + n, FAKE_TEXT - n, fmt, ap);
	if (newline && n + 1 < FAKE_TEXT)
		strcat(buf, "\n");
}

__attribute__((format(printf, 1, 2))) static inline void fake_logf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fake_add(fk.log, "", fmt, ap, true);
	va_end(ap);
}

/* --- output --- */

static void fh_print(struct nslab_host *h, const char *fmt, ...)
{
	(void)h;
	va_list ap;
	va_start(ap, fmt);
	fake_add(fk.out, "", fmt, ap, false);
	va_end(ap);
}
static void fh_error(struct nslab_host *h, const char *fmt, ...)
{
	(void)h;
	va_list ap;
	va_start(ap, fmt);
	fake_add(fk.out, "error: ", fmt, ap, true);
	va_end(ap);
	fk.nerror++;
}
static void fh_missing(struct nslab_host *h, const char *fmt, ...)
{
	(void)h;
	va_list ap;
	va_start(ap, fmt);
	fake_add(fk.out, "missing: ", fmt, ap, true);
	va_end(ap);
	fk.nmissing++;
}
static void fh_trace(struct nslab_host *h, const char *fmt, ...)
{
	(void)h;
	va_list ap;
	va_start(ap, fmt);
	fake_add(fk.out, "trace: ", fmt, ap, true);
	va_end(ap);
}
static void fh_meter(struct nslab_host *h, const char *text)
{
	(void)h;
	snprintf(fk.meter, sizeof(fk.meter), "%s", text ? text : "");
}

/* --- lab processes --- */

static pid_t fh_spawn(struct nslab_host *h, const struct nslab_spawn *how)
{
	(void)h;
	fake_logf("spawn %s flags=%#lx uid_map=%s gid_map=%s init=%s", how->label ? how->label : "-",
		  how->clone_flags, how->uid_map ? how->uid_map : "-", how->gid_map ? how->gid_map : "-",
		  how->init ? "yes" : "no");
	if (fk.spawn_ret) {
		if (fk.spawn_ret < 0)
			fh_error(h, "spawn failed (fake)");
		return fk.spawn_ret;
	}
	pid_t pid = fk.next_pid++;
	if (!fk.main)
		fk.main = pid;
	return pid;
}

static unsigned fake_call_index(nslab_call_fn fn)
{
	unsigned i = 0;
	while (i < fk.ncalls && fk.calls[i].fn != (void *)fn)
		i++;
	return i;
}

static int fh_call(struct nslab_host *h, pid_t agent, nslab_call_fn fn, const void *arg, size_t arglen,
		   char *out, size_t outlen)
{
	(void)h;
	unsigned i = fake_call_index(fn);
	fake_logf("call %d %s(%s)", (int)agent, i < fk.ncalls ? fk.calls[i].name : "(an unnamed function)",
		  arg && arglen && memchr(arg, '\0', arglen) ? (const char *)arg : "");
	if (out && outlen)
		memset(out, 0, outlen);
	fake_responder answer = i < fk.ncalls ? fk.calls[i].answer : NULL;
	const char *text = i < fk.ncalls ? fk.calls[i].text : NULL;
	if (text) {
		if (out && outlen)
			snprintf(out, outlen, "%s", text);
		return 0;
	}
	if (!answer) {
		fk.unscripted++;
		fake_logf("  (no answer scripted for this call: ENOSYS)");
		errno = ENOSYS;
		return -1;
	}
	char none[1];
	return answer(agent, arg, arglen, out ? out : none, out ? outlen : 0);
}

static int fh_call_main(struct nslab_host *h, nslab_call_fn fn, const char *arg)
{
	char out[256] = "";
	int r = fh_call(h, fk.main, fn, arg, arg ? strlen(arg) + 1 : 0, out, sizeof(out));
	if (r < 0) {
		int err = errno;
		fh_error(h, "%s failed in the lab process: %s", out[0] ? out : "the request", strerror(err));
		errno = err;
	}
	return r;
}

static int fake_answer_run(struct fake_run *runs, unsigned n, const char *cmd, char **output)
{
	for (unsigned i = 0; i < n; i++) {
		if (!strstr(cmd, runs[i].match))
			continue;
		if (output)
			*output = strdup(runs[i].output);
		else
			fh_print(&fk.host, "%s", runs[i].output);
		return runs[i].status;
	}
	fk.unscripted++;
	fake_logf("  (no answer scripted for this command: status 127)");
	if (output)
		*output = strdup("");
	return 127;
}

static int fh_run(struct nslab_host *h, pid_t agent, const char *cmd, char **output)
{
	(void)h;
	fake_logf("run %d %s", (int)agent, cmd);
	return fake_answer_run(fk.runs, fk.nruns, cmd, output);
}

static int fh_host_run(struct nslab_host *h, const char *cmd, char **output)
{
	(void)h;
	fake_logf("host_run %s", cmd);
	return fake_answer_run(fk.host_runs, fk.nhost_runs, cmd, output);
}

static pid_t fh_main_pid(struct nslab_host *h)
{
	(void)h;
	return fk.main;
}
static void fh_show_pid(struct nslab_host *h, pid_t pid, const char *label)
{
	(void)h;
	fake_logf("show_pid %d %s", (int)pid, label ? label : "-");
}
static void fh_hide_pid(struct nslab_host *h, pid_t pid)
{
	(void)h;
	fake_logf("hide_pid %d", (int)pid);
}

/* --- files --- */

static const char *fh_workdir(struct nslab_host *h)
{
	(void)h;
	return fk.workdir;
}
static void fh_set_root(struct nslab_host *h, const char *hostpath)
{
	(void)h;
	fake_logf("set_root %s", hostpath ? hostpath : "(null)");
	fk.root_set = hostpath != NULL;
	snprintf(fk.root, sizeof(fk.root), "%s", hostpath ? hostpath : "");
}
static const char *fh_root(struct nslab_host *h)
{
	(void)h;
	return fk.root_set ? fk.root : NULL;
}
static int fh_rootfs_add(struct nslab_host *h, const char *root, const char *program)
{
	fake_logf("rootfs_add %s %s", root, program);
	if (fk.rootfs_add_ret < 0) /* as the host's: it says why */
		fh_error(h, "%s: no such program on the host (fake)", program);
	return fk.rootfs_add_ret;
}
static const char *fh_helper(struct nslab_host *h, const char *name)
{
	(void)h;
	static char path[PATH_MAX];
	snprintf(path, sizeof(path), "/nonexistent/nslab-helpers/%s", name);
	return path;
}
/* A real copy, but only into the test's own directory. */
static int fh_copy_file(struct nslab_host *h, const char *src, const char *dst)
{
	(void)h;
	fake_logf("copy_file %s %s", src, dst);
	if (strncmp(dst, fk.workdir, strlen(fk.workdir)) != 0) {
		errno = EPERM;
		return -1;
	}
	int in = open(src, O_RDONLY | O_CLOEXEC);
	int out = in < 0 ? -1 : open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	char buf[65536];
	ssize_t n = out < 0 ? -1 : 0;
	while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	int err = errno;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	errno = err;
	return n < 0 ? -1 : 0;
}

/* --- cleanup registry --- */

static int fh_keep(struct nslab_host *h, enum nslab_obj kind, const char *what)
{
	(void)h;
	fake_logf("keep %d %s", (int)kind, what);
	return 0;
}
static int fh_undo(struct nslab_host *h, enum nslab_obj kind, const char *what)
{
	(void)h;
	fake_logf("undo %d %s", (int)kind, what);
	return 0;
}

/* --- cgroups --- */

static enum nslab_cgmode fh_cg_mode(struct nslab_host *h)
{
	(void)h;
	return fk.cgmode;
}
static int fh_cg_create(struct nslab_host *h, const char *name)
{
	fake_logf("cg_create %s", name);
	if (fk.cg_ret < 0)
		fh_error(h, "cannot create cgroup %s (fake)", name);
	return fk.cg_ret;
}
static int fh_cg_set_quota(struct nslab_host *h, const char *name, long quota_us, long period_us)
{
	fake_logf("cg_set_quota %s %ld %ld", name, quota_us, period_us);
	if (fk.cg_ret < 0) {
		fh_error(h, "cannot set the quota of %s (fake)", name);
		return -1;
	}
	fk.cg.quota_us = quota_us;
	fk.cg.period_us = period_us;
	return 0;
}
static int fh_cg_attach(struct nslab_host *h, const char *name, pid_t pid)
{
	fake_logf("cg_attach %s %d", name, (int)pid);
	if (fk.cg_ret < 0)
		fh_error(h, "cannot move %d into %s (fake)", (int)pid, name);
	return fk.cg_ret;
}
static int fh_cg_stat(struct nslab_host *h, const char *name, struct nslab_cpu_stat *st)
{
	(void)h, (void)name;
	if (fk.cg_stat_ret < 0) {
		errno = ENOENT;
		return -1;
	}
	unsigned size = st->size < sizeof(fk.cg) ? st->size : (unsigned)sizeof(fk.cg);
	memcpy(st, &fk.cg, size);
	st->size = size;
	return 0;
}
static int fh_cg_path(struct nslab_host *h, const char *name, char *buf, size_t len)
{
	(void)h;
	if (fk.cgpath[0])
		snprintf(buf, len, "%s", fk.cgpath);
	else
		snprintf(buf, len, "/nslab/1/%s", name);
	return 0;
}

/* --- kernel state --- */

static int fh_each_mount(struct nslab_host *h, pid_t pid, bool (*fn)(const struct nslab_mount *m, void *ud),
			 void *ud)
{
	(void)h;
	if (fk.each_mount_ret < 0) {
		errno = EACCES;
		return -1;
	}
	for (unsigned i = 0; i < fk.nmounts; i++)
		if (fk.mounts[i].pid == pid && !fn(&fk.mounts[i].m, ud))
			break;
	return 0;
}

/* Unscripted: the pid shares every namespace with nslab. */
static int fh_same_ns(struct nslab_host *h, pid_t pid, const char *type)
{
	(void)h;
	for (unsigned i = 0; i < fk.nns; i++)
		if (fk.ns[i].pid == pid && strcmp(fk.ns[i].type, type) == 0)
			return fk.ns[i].same;
	return 1;
}

#ifdef NSLAB_AT_BELOW /* the services appended to ABI 2 (cg_dir, mount_at, do_once, share_workdir) */
static int fh_cg_dir(struct nslab_host *h, const char *name, pid_t pid, char *buf, size_t len)
{
	(void)h, (void)pid;
	snprintf(buf, len, "%s/cgroup%s%s", fk.workdir, name && *name ? "/nslab/1/" : "", name ? name : "");
	return 0;
}
static int fh_mount_at(struct nslab_host *h, pid_t pid, const char *path, unsigned flags,
		       struct nslab_mount_at *at)
{
	(void)h;
	struct nslab_mount_at a = {.size = at->size};
	size_t plen = strlen(path);
	if (fk.each_mount_ret < 0) {
		errno = EACCES;
		return -1;
	}
	for (unsigned i = 0; i < fk.nmounts; i++) {
		const struct fake_mount *m = &fk.mounts[i];
		if (m->pid != pid)
			continue;
		a.nshared += m->m.shared;
		a.nslave += m->m.slave;
		bool on = strcmp(m->target, path) == 0;
		bool below = (flags & NSLAB_AT_BELOW) && strncmp(m->target, path, plen) == 0 &&
			     (m->target[plen] == '/' || (plen == 1 && path[0] == '/'));
		if (!on && !below)
			continue;
		a.count++;
		a.id = m->m.id;
		snprintf(a.target, sizeof(a.target), "%s", m->target);
		snprintf(a.fstype, sizeof(a.fstype), "%s", m->fstype);
		snprintf(a.source, sizeof(a.source), "%s", m->source);
		snprintf(a.options, sizeof(a.options), "%s", m->options);
	}
	memcpy(at, &a, at->size < sizeof(a) ? at->size : sizeof(a));
	return a.count > 0;
}
static void fh_drop_missing(struct nslab_host *h, const char *fmt, ...)
{
	(void)h, (void)fmt;
}
/* As the host's: done asked quietly; after perform succeeds, `after` or
 * (after NULL) every line perform traced, printed one a line. */
static int fh_do_once(struct nslab_host *h, bool (*done)(struct nslab_host *h),
		      int (*perform)(struct nslab_host *h), const char *already, const char *after)
{
	if (done) {
		h->missing = fh_drop_missing;
		bool yes = done(h);
		h->missing = fh_missing;
		if (yes) {
			fh_print(h, "%s\n", already ? already : "already done");
			return 0;
		}
	}
	size_t from = strlen(fk.out);
	int rc = perform(h);
	if (rc != 0)
		return rc;
	if (after) {
		fh_print(h, "%s\n", after);
		return 0;
	}
	char traced[FAKE_TEXT];
	snprintf(traced, sizeof(traced), "%s", fk.out + from);
	for (char *save = NULL, *l = strtok_r(traced, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (strncmp(l, "trace: ", 7) == 0)
			fh_print(h, "%s\n", l + 7);
	return 0;
}
static int fh_share_workdir(struct nslab_host *h)
{
	(void)h;
	fake_logf("share_workdir");
	return 0;
}
#endif
#ifdef NSLAB_HOST_HAS_SUBJECTS
/* The main pid (when there is one), then the scripted subjects. */
static long fh_subjects(struct nslab_host *h, pid_t *pids, size_t max)
{
	(void)h;
	long n = 0;
	if (fk.main > 0 && (size_t)n < max)
		pids[n] = fk.main;
	n += fk.main > 0;
	for (unsigned i = 0; i < fk.nsubjects; i++, n++)
		if ((size_t)n < max)
			pids[n] = fk.subjects[i];
	return n;
}
#endif
#ifdef NSLAB_HOST_HAS_CG_GROUP
/* nslab/<pid>/[name] made in a fake hierarchy as the host makes it: each
 * level made is kept, and on v2 ctl is switched on below nslab/ and
 * nslab/<pid>/ once the hierarchy's root lists it. */
static int fh_cg_levels(struct nslab_host *h, const struct nslab_cg_hier *hi, const char *ctl,
			const char *name, char *dir, size_t len)
{
	char sc[PATH_MAX], plus[40], lv[3][PATH_MAX];
	int levels = name ? 3 : 2;
	snprintf(sc, sizeof(sc), "%s/cgroup.subtree_control", hi->mnt);
	if (hi->v2 && !nslab_file_has_word(sc, ctl)) {
		fh_error(h, "the %s controller is not enabled below %s: as root, `echo +%s > %s`", ctl,
			 hi->mnt, ctl, sc);
		return -1;
	}
	snprintf(plus, sizeof(plus), "+%s", ctl);
	snprintf(lv[0], sizeof(lv[0]), "%.*s/nslab", PATH_MAX - 16, hi->mnt);
	snprintf(lv[1], sizeof(lv[1]), "%.*s/%d", PATH_MAX - 16, lv[0], (int)getpid());
	snprintf(lv[2], sizeof(lv[2]), "%.*s/%s", PATH_MAX - 256, lv[1], name ? name : "");
	snprintf(dir, len, "%s", lv[levels - 1]);
	for (int i = 0; i < levels; i++) {
		if (mkdir(lv[i], 0755) == 0)
			fh_keep(h, NSLAB_OBJ_CGROUP, lv[i]);
		else if (errno != EEXIST)
			return fh_error(h, "cannot make the cgroup %s: %s", lv[i], strerror(errno)), -1;
		if (i < 2 && hi->v2 && nslab_cg_write(lv[i], "cgroup.subtree_control", plus) < 0)
			return fh_error(h, "cannot enable %s in %s: %s", ctl, lv[i], strerror(errno)), -1;
	}
	return hi->v2 ? 1 : 0;
}

/* When the test's mounts hold a hierarchy of ctl (see nslab_cg_find_host),
 * the group is made there; else a directory of the test's own stands in
 * for it: the lab's writes to its files land there, where the test reads
 * them. fk.cg_ret < 0 fails as a missing controller would; else 1 (v2)
 * unless fk.cgmode is v1. */
static int fh_cg_group(struct nslab_host *h, const char *ctl, const char *name, char *dir, size_t len)
{
	fake_logf("cg_group %s %s", ctl, name ? name : "(tree)");
	if (fk.cg_ret < 0) {
		fh_error(h, "no cgroup hierarchy offers the %s controller (fake)", ctl);
		return -1;
	}
	struct nslab_cg_hier hi;
	if (nslab_cg_find_host(h, ctl, &hi))
		return fh_cg_levels(h, &hi, ctl, name, dir, len);
	snprintf(dir, len, "%s/cg-%s-%s", fake_dir ? fake_dir : "/nonexistent", ctl, name ? name : "");
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fh_error(h, "mkdir %s: %s", dir, strerror(errno));
		return -1;
	}
	return fk.cgmode == NSLAB_CG_V2 ? 1 : 0;
}
#endif

/* --- setting up the world --- */

/* Every function of the host is faked: the members before invoking_uid and
 * those appended after lab_data are all function pointers, so a zero slot
 * there is a host function the ABI gained and this file does not fake yet. */
static inline void fake_check_filled(const struct nslab_host *h)
{
	size_t ranges[2][2] = {
	    {offsetof(struct nslab_host, print), offsetof(struct nslab_host, invoking_uid)},
	    {offsetof(struct nslab_host, lab_data) + sizeof(void *), sizeof(*h)}};
	for (int r = 0; r < 2; r++)
		for (size_t off = ranges[r][0]; off + sizeof(void *) <= ranges[r][1]; off += sizeof(void *)) {
			void *slot;
			memcpy(&slot, (const char *)h + off, sizeof(slot));
			if (slot)
				continue;
			fprintf(stderr,
				"fakehost: struct nslab_host has a function at offset %zu that the fake host "
				"does not fill: add a fake for it to tests/unit/fakehost.h\n",
				off);
			fake_abort();
		}
}

/* A fresh host and world: nothing said, nothing asked; main pid none yet
 * (spawn makes it), the workdir the test's temp dir, cgroup v2. */
static inline void fake_reset(void)
{
	memset(&fk, 0, sizeof(fk));
	struct nslab_host *h = &fk.host;
	h->abi_major = NSLAB_ABI_MAJOR;
	h->size = sizeof(*h);
	h->print = fh_print;
	h->error = fh_error;
	h->missing = fh_missing;
	h->trace = fh_trace;
	h->meter = fh_meter;
	h->spawn = fh_spawn;
	h->call = fh_call;
	h->run = fh_run;
	h->host_run = fh_host_run;
	h->main_pid = fh_main_pid;
	h->show_pid = fh_show_pid;
	h->hide_pid = fh_hide_pid;
	h->workdir = fh_workdir;
	h->set_root = fh_set_root;
	h->root = fh_root;
	h->rootfs_add = fh_rootfs_add;
	h->helper = fh_helper;
	h->keep = fh_keep;
	h->undo = fh_undo;
	h->cg_mode = fh_cg_mode;
	h->cg_create = fh_cg_create;
	h->cg_set_quota = fh_cg_set_quota;
	h->cg_attach = fh_cg_attach;
	h->cg_stat = fh_cg_stat;
	h->cg_path = fh_cg_path;
	h->each_mount = fh_each_mount;
	h->same_ns = fh_same_ns;
	h->call_main = fh_call_main;
	h->copy_file = fh_copy_file;
#ifdef NSLAB_AT_BELOW
	h->cg_dir = fh_cg_dir;
	h->mount_at = fh_mount_at;
	h->do_once = fh_do_once;
	h->share_workdir = fh_share_workdir;
#endif
#ifdef NSLAB_HOST_HAS_SUBJECTS
	h->subjects = fh_subjects;
#endif
#ifdef NSLAB_HOST_HAS_CG_GROUP
	h->cg_group = fh_cg_group;
#endif
	h->invoking_uid = getuid();
	h->invoking_gid = getgid();
	fake_check_filled(h);
	fk.next_pid = 4100001; /* above any pid_max: /proc has no such process */
	fk.cgmode = NSLAB_CG_V2;
	fk.cg = (struct nslab_cpu_stat){.size = sizeof(fk.cg), .quota_us = -1, .period_us = 100000};
	snprintf(fk.workdir, sizeof(fk.workdir), "%s/work", fake_dir ? fake_dir : "/nonexistent");
}

/* The lab's main process, as if setup had spawned it. */
static inline pid_t fake_main(void)
{
	if (!fk.main)
		fk.main = fk.next_pid++;
	return fk.main;
}

/* pid's namespace of `type` is (same 0) or is not (same 1) nslab's own. */
static inline void fake_ns(pid_t pid, const char *type, int same)
{
	for (unsigned i = 0; i < fk.nns; i++)
		if (fk.ns[i].pid == pid && strcmp(fk.ns[i].type, type) == 0) {
			fk.ns[i].same = same;
			return;
		}
	if (fk.nns == FAKE_MAX)
		fake_abort();
	struct fake_ns *n = &fk.ns[fk.nns++];
	n->pid = pid;
	snprintf(n->type, sizeof(n->type), "%s", type);
	n->same = same;
}

static inline void fake_add_run(struct fake_run *runs, unsigned *n, const char *match, int status,
				const char *output)
{
	if (*n == FAKE_MAX)
		fake_abort();
	struct fake_run *r = &runs[(*n)++];
	snprintf(r->match, sizeof(r->match), "%s", match);
	r->status = status;
	snprintf(r->output, sizeof(r->output), "%s", output ? output : "");
}
/* `run` of a command containing match exits with status and prints output. */
static inline void fake_run(const char *match, int status, const char *output)
{
	fake_add_run(fk.runs, &fk.nruns, match, status, output);
}
static inline void fake_host_run(const char *match, int status, const char *output)
{
	fake_add_run(fk.host_runs, &fk.nhost_runs, match, status, output);
}

/* A mount in pid's mount namespace (0: nslab's), after those added before. */
static inline struct fake_mount *fake_mount(pid_t pid, const char *target, const char *fstype,
					    const char *source, const char *options)
{
	if (fk.nmounts == FAKE_MAX)
		fake_abort();
	struct fake_mount *m = &fk.mounts[fk.nmounts++];
	m->pid = pid;
	snprintf(m->target, sizeof(m->target), "%s", target);
	snprintf(m->fstype, sizeof(m->fstype), "%s", fstype);
	snprintf(m->source, sizeof(m->source), "%s", source);
	snprintf(m->root, sizeof(m->root), "/");
	snprintf(m->options, sizeof(m->options), "%s", options ? options : "rw");
	m->m = (struct nslab_mount){.id = 100 + (int)fk.nmounts,
				    .parent_id = 100,
				    .target = m->target,
				    .source = m->source,
				    .fstype = m->fstype,
				    .root = m->root};
	return m;
}

/* The fresh namespace a process gets from CLONE_NEWNS: a copy of nslab's mounts. */
static inline void fake_copy_mounts(pid_t from, pid_t to)
{
	unsigned n = fk.nmounts;
	for (unsigned i = 0; i < n; i++)
		if (fk.mounts[i].pid == from) {
			struct fake_mount *m = fake_mount(to, fk.mounts[i].target, fk.mounts[i].fstype,
							  fk.mounts[i].source, fk.mounts[i].options);
			m->m.shared = fk.mounts[i].m.shared;
			m->m.slave = fk.mounts[i].m.slave;
			snprintf(m->root, sizeof(m->root), "%s", fk.mounts[i].root);
		}
}

#endif
