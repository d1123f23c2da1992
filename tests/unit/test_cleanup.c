/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_cleanup.c: the cleanup registry: undo in reverse order, a failing
 * entry does not stop the rest, the mirror file, `--cleanup` replaying the
 * registry of a dead run, and the checks every entry passes before it is
 * undone (only nslab's own objects: paths beneath the run dir without
 * symlinks, the run's own cgroups, nslab's link names, processes by start
 * time through a pidfd).
 *
 * umount2, kill, unlink and syscall are wrapped (test_cleanup.wrap): umount2
 * is never really called (MOUNT entries name temp paths), pidfd_send_signal
 * is logged as "kill PID SIG", and each wrapper logs the call and can be told
 * to fail, to reach the error paths. FILE, DIR and PROCESS entries are real
 * (temp paths inside our run dir, our own children).
 *
 * Runs live in a temp base of this test's (cleanup_set_base), so it needs no
 * root and never meets a real run: the run dir is <base>/<pid>, and dead
 * runs are planted next to it. The tests that chown, or make cgroups, need
 * root and are skipped (or cut short) otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <libgen.h>
#include <mntent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "cgroup.h"
#include "cleanup.h"
#include "cleanup-int.h"
#include "util.h"
#include "workdir.h"
#include "unit.h"

/* --- wrappers --- */

int __real_kill(pid_t pid, int sig);
int __real_unlink(const char *path);

static char *dir;               /* this test's temp dir */
static char calls[16384];       /* "unlink PATH\n", "umount2 PATH\n", "kill PID SIG\n" */
static const char *fail_umount; /* umount2 on this path fails with EBUSY */
static pid_t fail_kill;         /* kill of this PID fails with EPERM */
static bool no_openat2;         /* openat2 says ENOSYS (Linux < 5.6) */
static bool no_pidfd;           /* pidfd_open says ENOSYS (Linux < 5.3) */
static bool fake_signal;        /* pidfd_send_signal "succeeds" without a signal */

static void log_call(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t len = strlen(calls);
	vsnprintf(calls + len, sizeof(calls) - len, fmt, ap);
	va_end(ap);
}

int __wrap_umount2(const char *target, int flags);
int __wrap_umount2(const char *target, int flags)
{
	(void)flags;
	log_call("umount2 %s\n", target);
	if (fail_umount && strcmp(target, fail_umount) == 0) {
		errno = EBUSY;
		return -1;
	}
	errno = EINVAL; /* what a real umount2 says for "not a mount point" */
	return 0;
}

int __wrap_kill(pid_t pid, int sig);
int __wrap_kill(pid_t pid, int sig)
{
	if (sig)
		log_call("kill %d %d\n", (int)pid, sig);
	if (fail_kill && pid == fail_kill) {
		errno = EPERM;
		return -1;
	}
	return __real_kill(pid, sig);
}

/* pidfd_send_signal: logged as "kill PID SIG", PID from the pidfd's fdinfo. */
long __real_syscall(long n, ...);
long __wrap_syscall(long n, ...);
long __wrap_syscall(long n, ...)
{
	va_list ap;
	va_start(ap, n);
	long a[6];
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if ((n == SYS_openat2 && no_openat2) || (n == SYS_pidfd_open && no_pidfd)) {
		errno = ENOSYS;
		return -1;
	}
	if (n == SYS_pidfd_send_signal && fake_signal)
		return 0;
	if (n == SYS_pidfd_send_signal) {
		char p[64], info[512];
		int pid = 0;
		snprintf(p, sizeof(p), "/proc/self/fdinfo/%ld", a[0]);
		if (read_file(p, info, sizeof(info)) > 0 && strstr(info, "Pid:"))
			pid = atoi(strstr(info, "Pid:") + 4);
		log_call("kill %d %ld\n", pid, a[1]);
		if (fail_kill && pid == fail_kill) {
			errno = EPERM;
			return -1;
		}
	}
	return __real_syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int __wrap_unlink(const char *path);
int __wrap_unlink(const char *path)
{
	if (dir && strncmp(path, dir, strlen(dir)) == 0) /* only ours: no noise */
		log_call("unlink %s\n", path + strlen(dir));
	return __real_unlink(path);
}

/* --- helpers --- */

static bool have_run_dir; /* cleanup_init worked */
static bool root;         /* planted dirs can be chowned, cgroups made */
static char *base;        /* where this test's runs live */

/* rm -rf for what a test made (inside a run dir or our temp dirs only) */
static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		rmdir(p);
	else
		__real_unlink(p);
	return 0;
}
static void rm_rf(const char *p)
{
	if (p)
		nftw(p, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Where runs live (/run/nslab as root): the run dir's parent. */
static const char *runs_base(void)
{
	static char base[PATH_MAX];
	snprintf(base, sizeof(base), "%s", cleanup_run_dir());
	return dirname(base);
}

static char *path_in(const char *name)
{
	char *p;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

static char *touch(const char *name)
{
	char *p = path_in(name);
	assert_int_equal(unit_write(p, name), 0);
	return p;
}

static bool exists(const char *p)
{
	return access(p, F_OK) == 0;
}

/* The registry's entries: what follows its owner line, which must be
 * there, first, always. */
static char *registry_text(void)
{
	char *t = unit_slurp(cleanup_registry_path());
	if (!t)
		return strdup("(none)");
	const char *head = cleanup_registry_head();
	if (strncmp(t, head, strlen(head)) != 0) {
		char *bad = NULL;
		if (asprintf(&bad, "(no owner line: %s)", t) < 0)
			abort();
		free(t);
		return bad;
	}
	memmove(t, t + strlen(head), strlen(t + strlen(head)) + 1);
	return t;
}

/* Runs fn with stderr going to a string; returns it. */
static char *stderr_of(void (*fn)(size_t), size_t arg)
{
	char log[PATH_MAX];
	snprintf(log, sizeof(log), "%s/stderr.log", dir);
	fflush(stderr);
	int saved = dup(2), fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 2);
	close(fd);
	fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	char *t = unit_slurp(log);
	__real_unlink(log);
	return t;
}

static pid_t sleeper(bool own_group)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (own_group)
			setpgid(0, 0);
		(void)!write(p[1], "y", 1);
		for (;;)
			pause();
	}
	char c;
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

/* Kills and reaps one of the test's own children, through the real kill:
 * the wrapped one (__wrap_kill) logs and may fail, for what cleanup kills. */
static void reap(pid_t pid)
{
	__real_kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static bool gone(pid_t pid)
{
	/* dead, or a zombie nobody has reaped yet */
	for (int i = 0; i < 200; i++) {
		char p[64], st[512];
		snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
		if (read_file(p, st, sizeof(st)) < 0)
			return true;
		char *c = strrchr(st, ')');
		if (c && c[2] == 'Z')
			return true;
		usleep(5000);
	}
	return false;
}

static unsigned long long start_time(pid_t pid)
{
	char p[64], st[1024];
	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	assert_true(read_file(p, st, sizeof(st)) > 0);
	char *c = strrchr(st, ')') + 2;
	unsigned long long v = 0;
	for (int field = 3; field <= 22; field++) {
		v = strtoull(c, &c, 10);
		if (field == 3)
			c = strchr(c ? c : "", ' '); /* field 3 is the state letter */
	}
	return v;
}

static int setup(void **state)
{
	(void)state;
	/* inside our run dir: entries must resolve beneath it */
	if ((cleanup_run_dir() && cleanup_make_run_dir() < 0) ||
	    asprintf(&dir, "%s/t.XXXXXX", cleanup_run_dir() ? cleanup_run_dir() : "/tmp/nslab-unit") < 0 ||
	    !mkdtemp(dir))
		abort();
	calls[0] = '\0';
	fail_umount = NULL;
	fail_kill = 0;
	no_openat2 = no_pidfd = fake_signal = false;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cleanup_unwind_to(0);
	fail_umount = NULL;
	fail_kill = 0;
	rm_rf(dir);
	free(dir);
	dir = NULL;
	return 0;
}

static void unwind_all(size_t mark)
{
	cleanup_unwind_to(mark);
}

/* --- tests --- */

static void reverse_order(void **state)
{
	(void)state;
	size_t mark = cleanup_mark();
	_cleanup_free_ char *f1 = touch("f1"), *f2 = touch("f2"), *f3 = touch("f3");
	_cleanup_free_ char *m1 = path_in("m1"), *m2 = path_in("m2");
	/* mount points exist (a MOUNT entry whose path is gone has nothing to undo) */
	assert_int_equal(mkdir(m1, 0755), 0);
	assert_int_equal(mkdir(m2, 0755), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f1), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_MOUNT, m1), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f2), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_MOUNT, m2), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f3), 0);
	assert_int_equal(cleanup_mark(), mark + 5);
	if (have_run_dir) {
		_cleanup_free_ char *reg = registry_text(), *want = NULL;
		assert_true(asprintf(&want, "file\t%s\nmount\t%s\nfile\t%s\nmount\t%s\nfile\t%s\n", f1, m1,
				     f2, m2, f3) > 0);
		assert_string_equal(reg, want);
	}
	calls[0] = '\0';
	_cleanup_free_ char *err = stderr_of(unwind_all, mark);
	assert_string_equal(err, "");
	_cleanup_free_ char *want = NULL;
	assert_true(asprintf(&want, "unlink /f3\numount2 %s\nunlink /f2\numount2 %s\nunlink /f1\n", m2, m1) >
		    0);
	assert_string_equal(calls, want);
	assert_false(exists(f1) || exists(f2) || exists(f3));
	assert_int_equal(cleanup_mark(), mark);
	if (have_run_dir) {
		_cleanup_free_ char *reg = registry_text();
		assert_string_equal(reg, "");
	}
}

static void unwind_to_a_mark(void **state)
{
	(void)state;
	_cleanup_free_ char *f1 = touch("f1"), *f2 = touch("f2");
	size_t base = cleanup_mark();
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f1), 0);
	size_t mark = cleanup_mark();
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f2), 0);
	cleanup_unwind_to(mark); /* only what came after the mark */
	assert_true(exists(f1));
	assert_false(exists(f2));
	assert_int_equal(cleanup_mark(), mark);
	cleanup_unwind_to(mark + 3); /* above the depth: nothing */
	assert_true(exists(f1));
	cleanup_unwind_to(base);
	assert_false(exists(f1));
}

static void partial_failure_continues(void **state)
{
	(void)state;
	size_t mark = cleanup_mark();
	_cleanup_free_ char *f1 = touch("f1"), *f3 = touch("f3"), *d = path_in("adir"), *m = path_in("busy");
	_cleanup_free_ char *other = path_in("missing"); /* already gone: not an error, not tried */
	assert_int_equal(mkdir(d, 0755), 0);
	assert_int_equal(mkdir(m, 0755), 0);
	pid_t stubborn = sleeper(false);
	char pidstr[16];
	snprintf(pidstr, sizeof(pidstr), "%d", (int)stubborn);

	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f1), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_PROCESS, pidstr), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, d), 0); /* unlink(dir): EISDIR */
	assert_int_equal(cleanup_keep(NSLAB_OBJ_MOUNT, m), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, other), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f3), 0);
	fail_umount = m;
	fail_kill = stubborn;
	calls[0] = '\0';
	_cleanup_free_ char *err = stderr_of(unwind_all, mark);

	/* every entry was tried, in reverse, and the good ones are gone */
	_cleanup_free_ char *want = NULL;
	assert_true(asprintf(&want, "unlink /f3\numount2 %s\nunlink /adir\nkill %d 9\nunlink /f1\n", m,
			     (int)stubborn) > 0);
	assert_string_equal(calls, want);
	assert_false(exists(f1) || exists(f3));
	assert_int_equal(cleanup_mark(), mark);
	/* one line for each failure, naming the object and the reason */
	_cleanup_free_ char *l1 = NULL, *l2 = NULL, *l3 = NULL;
	assert_true(asprintf(&l1, "nslab: could not remove mount %s: Device or resource busy\n", m) > 0);
	assert_true(asprintf(&l2, "nslab: could not remove file %s: Is a directory\n", d) > 0);
	assert_true(asprintf(&l3, "nslab: could not remove process %d:", (int)stubborn) > 0);
	assert_contains(err, l1);
	assert_contains(err, l2);
	assert_contains(err, l3);
	assert_contains(err, ": Operation not permitted\n");
	assert_not_contains(err, "missing");
	assert_int_equal(__real_kill(stubborn, 0), 0); /* the failed kill left it running */
	fail_kill = 0;
	reap(stubborn);
	rmdir(d);
}

static void processes_and_groups(void **state)
{
	(void)state;
	size_t mark = cleanup_mark();
	pid_t a = sleeper(false), leader = sleeper(true);
	char s[16];
	snprintf(s, sizeof(s), "%d", (int)a);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_PROCESS, s), 0);
	snprintf(s, sizeof(s), "-%d", (int)leader);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_PROCESS, s), 0);
	if (have_run_dir) {
		_cleanup_free_ char *reg = registry_text(), *want = NULL;
		/* a group's session is kept only where this PID namespace can see it */
		int sid = (int)getsid(leader);
		assert_true((sid > 0 ? asprintf(&want, "process\t%d:%llu\nprocess\t-%d:%llu:%d\n", (int)a,
						start_time(a), (int)leader, start_time(leader), sid)
				     : asprintf(&want, "process\t%d:%llu\nprocess\t-%d:%llu\n", (int)a,
						start_time(a), (int)leader, start_time(leader))) > 0);
		assert_string_equal(reg, want);
	}
	calls[0] = '\0';
	cleanup_unwind_to(mark);
	_cleanup_free_ char *want = NULL;
	assert_true(asprintf(&want, "kill -%d 9\nkill %d 9\n", (int)leader, (int)a) > 0);
	assert_string_equal(calls, want);
	/* a was our child: reaped by the registry itself */
	errno = 0;
	assert_int_equal(waitpid(a, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_true(gone(leader));
	waitpid(leader, NULL, 0);
}

static void process_reuse_guard(void **state)
{
	(void)state;
	pid_t a = sleeper(false);
	char s[64];
	/* The same PID with another start time is someone else now: spared. */
	snprintf(s, sizeof(s), "%d:%llu", (int)a, start_time(a) + 1);
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_PROCESS, s), 1); /* 1: nothing of ours to undo */
	assert_false(gone(a) && kill(a, 0) < 0);
	assert_int_equal(kill(a, 0), 0);
	snprintf(s, sizeof(s), "-%d:%llu", (int)a, start_time(a) + 1);
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_PROCESS, s), 1);
	assert_int_equal(kill(a, 0), 0);
	/* never pid 0, 1 or -1 (our group, init, everyone) */
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_PROCESS, "0"), -1);
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_PROCESS, "1"), -1);
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_PROCESS, "-1"), -1);
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_PROCESS, "junk"), -1);
	/* the right start time kills it */
	snprintf(s, sizeof(s), "%d:%llu", (int)a, start_time(a));
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_PROCESS, s), 0);
	assert_true(gone(a));
	waitpid(a, NULL, WNOHANG);
}

static void undo_one(void **state)
{
	(void)state;
	size_t mark = cleanup_mark();
	_cleanup_free_ char *f1 = touch("f1"), *f2 = touch("f2"), *f3 = touch("f3"), *loose = touch("loose");
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f1), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f2), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f3), 0);
	assert_int_equal(cleanup_undo(NSLAB_OBJ_FILE, f2), 0);
	assert_false(exists(f2));
	assert_true(exists(f1) && exists(f3));
	assert_int_equal(cleanup_mark(), mark + 2);
	if (have_run_dir) {
		_cleanup_free_ char *reg = registry_text(), *want = NULL;
		/* the journal: three kept, one undone out of order */
		assert_true(
		    asprintf(&want, "file\t%s\nfile\t%s\nfile\t%s\nundone\tfile\t%s\n", f1, f2, f3, f2) > 0);
		assert_string_equal(reg, want);
	}
	/* not registered: undone anyway, the registry untouched */
	assert_int_equal(cleanup_undo(NSLAB_OBJ_FILE, loose), 0);
	assert_false(exists(loose));
	assert_int_equal(cleanup_mark(), mark + 2);
	/* a process entry is found by its PID alone */
	pid_t a = sleeper(false);
	char s[16];
	snprintf(s, sizeof(s), "%d", (int)a);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_PROCESS, s), 0);
	assert_int_equal(cleanup_undo(NSLAB_OBJ_PROCESS, s), 0);
	assert_true(gone(a));
	assert_int_equal(cleanup_mark(), mark + 2);
	calls[0] = '\0';
	cleanup_unwind_to(mark);
	assert_string_equal(calls, "unlink /f3\nunlink /f1\n");
}

static void dir_kind_stays_in_bounds(void **state)
{
	(void)state;
	_cleanup_free_ char *tree = path_in("tree"), *deep = path_in("tree/a/b"),
			    *file = path_in("tree/a/b/f");
	assert_int_equal(mkdir_p(deep, 0755), 0);
	assert_int_equal(unit_write(file, "x"), 0);
	_cleanup_free_ char *link = path_in("tree/a/link-to-etc");
	assert_int_equal(symlink("/etc", link), 0);
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_DIR, tree), 0);
	assert_false(exists(tree));
	assert_true(exists("/etc/hostname")); /* a symlink is removed, never followed */
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_DIR, tree), 1); /* gone: nothing to undo */

	/* Outside /run/nslab/ and /tmp/nslab-*: refused, left alone. */
	char outside[] = "/tmp/unit-outside.XXXXXX";
	assert_non_null(mkdtemp(outside));
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_DIR, outside), -1);
	assert_true(exists(outside));
	/* Regression (found by this test, fixed in 34cba92): the guard only
	 * compared the prefix, so "/tmp/nslab-x/../elsewhere" passed it and nftw
	 * removed a tree outside nslab's directories. */
	_cleanup_free_ char *sneaky = NULL;
	assert_true(asprintf(&sneaky, "%s/..%s", dir, outside + 4) > 0); /* <dir>/../unit-outside.X */
	int rc = cleanup_undo_object(NSLAB_OBJ_DIR, sneaky);
	bool survived = exists(outside);
	rmdir(outside);
	if (!survived)
		fail_msg("DIR %s (rc %d) removed %s, outside nslab's directories", sneaky, rc, outside);
	assert_int_equal(rc, -1);
}

static void other_kinds(void **state)
{
	(void)state;
	calls[0] = '\0';
	_cleanup_free_ char *ns = touch("netns-file");
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_NETNS, ns), 0); /* unmount, then unlink */
	assert_false(exists(ns));
	_cleanup_free_ char *want = NULL;
	assert_true(asprintf(&want, "umount2 %s\nunlink /netns-file\n", ns) > 0);
	assert_string_equal(calls, want);
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_NETNS, ns), 1); /* already gone */
	assert_int_equal(cleanup_undo_object((enum nslab_obj)99, "x"), -1);
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_LINK, "nslab-unit-none0"), -1); /* no such link */
}

/* --- replaying a dead run --- */

static char said[8192];
static void say(const char *what)
{
	size_t len = strlen(said);
	snprintf(said + len, sizeof(said) - len, "%s\n", what);
}

static void init_fn(size_t arg)
{
	(void)arg;
	have_run_dir = cleanup_init() == 0;
}

static int dead_runs_n;
static void dead_runs(size_t arg)
{
	(void)arg;
	dead_runs_n = cleanup_dead_runs(say);
}

/* A PID that is certainly not running: a child we made and reaped. */
static pid_t dead_pid(void)
{
	pid_t dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	return dead;
}

/* Plants a dead run's dir <base>/<pid> (0700) with registry text. */
static void plant_run(const char *run, const char *registry)
{
	char regpath[PATH_MAX];
	assert_int_equal(mkdir(run, 0700), 0);
	snprintf(regpath, sizeof(regpath), "%s/registry", run);
	assert_int_equal(unit_write(regpath, registry), 0);
}

/* Writes run/owner for process pid with start time start. */
static void plant_owner(const char *run, pid_t pid, unsigned long long start)
{
	char p[PATH_MAX + 16], text[64];
	snprintf(p, sizeof(p), "%s/owner", run);
	snprintf(text, sizeof(text), "%d %llu\n", (int)pid, start);
	assert_int_equal(unit_write(p, text), 0);
}

/* The path of pid's run dir, runs_base()/<pid>, into run (PATH_MAX).
 * Skips the test if that dir is there already: a real leftover with that
 * PID, not ours to touch. */
static void run_dir_of(pid_t pid, char *run)
{
	snprintf(run, PATH_MAX, "%s/%d", runs_base(), (int)pid);
	if (exists(run))
		skip();
}

/* A run dir of owner, its owner file saying start, whose registry holds
 * one file, `name`, made in it: a run whose owner alone decides whether
 * the sweep keeps it. run (PATH_MAX) gets the dir; returns the file's
 * path (free it). Skips as run_dir_of. */
static char *plant_owned_run(pid_t owner, unsigned long long start, const char *name, char *run)
{
	run_dir_of(owner, run);
	char *f = NULL;
	_cleanup_free_ char *reg = NULL;
	assert_true(asprintf(&f, "%s/%s", run, name) > 0);
	assert_true(asprintf(&reg, "file\t%s\n", f) > 0);
	plant_run(run, reg);
	assert_int_equal(unit_write(f, "x"), 0);
	plant_owner(run, owner, start);
	return f;
}

/* One sweep of the dead runs, with `said` holding only what it says. */
static void sweep(void)
{
	said[0] = '\0';
	cleanup_dead_runs(say);
}

static void replay_dead_run(void **state)
{
	(void)state;
	if (!have_run_dir)
		skip();
	pid_t dead = dead_pid();
	char run[PATH_MAX];
	run_dir_of(dead, run);
	assert_int_equal(mkdir(run, 0700), 0);
	_cleanup_free_ char *labdir = NULL, *labfile = NULL, *fa = NULL, *fb = NULL, *m = NULL;
	assert_true(asprintf(&labdir, "%s/lab", run) > 0);
	assert_true(asprintf(&labfile, "%s/lab/root-file", run) > 0);
	assert_true(asprintf(&fa, "%s/a", run) > 0);
	assert_true(asprintf(&fb, "%s/b", run) > 0);
	assert_true(asprintf(&m, "%s/mnt", run) > 0);
	assert_int_equal(mkdir_p(labdir, 0755), 0);
	assert_int_equal(unit_write(labfile, "x"), 0);
	assert_int_equal(unit_write(fa, "a"), 0);
	assert_int_equal(unit_write(fb, "b"), 0);
	assert_int_equal(mkdir(m, 0755), 0);
	pid_t victim = sleeper(false), stranger = sleeper(false), leader = sleeper(true),
	      nostart = sleeper(false);
	_cleanup_free_ char *reg = NULL;
	assert_true(asprintf(&reg,
			     "file\t%s\n"
			     "process\t%d:%llu\n"
			     "dir\t%s\n"
			     "no tab on this line\n"
			     "bogus\tkind\n"
			     "mount\t%s\n"
			     "process\t%d:%llu\n"  /* wrong start time: a reused PID */
			     "process\t-%d:%llu\n" /* a group: never replayed from disk */
			     "process\t%d\n"       /* no start time: refused */
			     "file\t%s\n",
			     fa, (int)victim, start_time(victim), labdir, m, (int)stranger,
			     start_time(stranger) + 7, (int)leader, start_time(leader), (int)nostart,
			     fb) > 0);
	char regpath[PATH_MAX + 16];
	snprintf(regpath, sizeof(regpath), "%s/registry", run);
	assert_int_equal(unit_write(regpath, reg), 0);

	assert_true(cleanup_dead_runs_exist());
	said[0] = calls[0] = '\0';
	_cleanup_free_ char *err = stderr_of(dead_runs, 0);
	assert_true(dead_runs_n >= 1);

	/* undone in reverse order of the file, then the run dir itself */
	char vict[64], work[PATH_MAX + 16];
	snprintf(vict, sizeof(vict), "process %d:", (int)victim);
	snprintf(work, sizeof(work), "work dir %s\n", run);
	char *p_fb = strstr(said, fb), *p_m = strstr(said, m), *p_dir = strstr(said, labdir),
	     *p_v = strstr(said, vict), *p_fa = strstr(said, fa), *p_run = strstr(said, work);
	if (!(p_fb && p_m && p_dir && p_v && p_fa && p_run))
		fail_msg("an object is missing from what --cleanup said:\n%s", said);
	if (!(p_fb < p_m && p_m < p_dir && p_dir < p_v && p_v < p_fa && p_fa < p_run))
		fail_msg("not in reverse order:\n%s", said);
	assert_not_contains(said, "bogus");
	assert_not_contains(said, "no tab");
	char l1[128], l2[128];
	snprintf(l1, sizeof(l1), "nslab: refused: process -%d:", (int)leader);
	snprintf(l2, sizeof(l2), "nslab: refused: process %d: no start time\n", (int)nostart);
	assert_contains(err, l1);
	assert_contains(err, l2);

	assert_false(exists(fa) || exists(fb) || exists(run));
	assert_true(gone(victim));
	waitpid(victim, NULL, 0);
	assert_int_equal(kill(stranger, 0), 0); /* spared */
	assert_int_equal(kill(leader, 0), 0);   /* spared */
	assert_int_equal(kill(nostart, 0), 0);  /* spared */
	assert_true(exists(cleanup_run_dir())); /* our own, live run is not touched */
	assert_true(exists(cleanup_registry_path()));
	pid_t spared[] = {stranger, leader, nostart};
	for (int i = 0; i < 3; i++) {
		reap(spared[i]);
	}
}

/* The mirror is a journal: a keep appends to the same file (no rewrite and
 * rename), an entry undone out of order is journaled as undone, and a replay
 * of that journal leaves what was undone alone (here: a file made again
 * after the undo, which the dead run no longer held). */
static void journal_appends_and_replay_skips_undone(void **state)
{
	(void)state;
	if (!have_run_dir)
		skip();
	size_t mark = cleanup_mark();
	_cleanup_free_ char *f1 = touch("j1"), *f2 = touch("j2");
	struct stat before, after;
	const char *regpath = cleanup_registry_path();
	assert_int_equal(stat(regpath, &before), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f1), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f2), 0);
	assert_int_equal(cleanup_undo(NSLAB_OBJ_FILE, f1), 0);
	assert_int_equal(stat(regpath, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	_cleanup_free_ char *reg = registry_text(), *want = NULL;
	assert_true(asprintf(&want, "file\t%s\nfile\t%s\nundone\tfile\t%s\n", f1, f2, f1) > 0);
	assert_string_equal(reg, want);

	/* the same journal, as a dead run's: f1 (made again since) is spared */
	pid_t dead = dead_pid();
	char run[PATH_MAX];
	snprintf(run, sizeof(run), "%s/%d", runs_base(), (int)dead);
	if (exists(run))
		skip();
	_cleanup_free_ char *g1 = NULL, *g2 = NULL, *dreg = NULL;
	assert_true(asprintf(&g1, "%s/g1", run) > 0 && asprintf(&g2, "%s/g2", run) > 0);
	assert_true(asprintf(&dreg, "file\t%s\nfile\t%s\nundone\tfile\t%s\n", g1, g2, g1) > 0);
	plant_run(run, dreg);
	assert_int_equal(unit_write(g1, "made again"), 0);
	assert_int_equal(unit_write(g2, "left"), 0);
	said[0] = '\0';
	_cleanup_free_ char *err = stderr_of(dead_runs, 0);
	assert_contains(said, g2);
	assert_not_contains(said, g1);
	assert_false(exists(run)); /* the dead run's dir goes after its entries */
	cleanup_unwind_to(mark);
	_cleanup_free_ char *emptied = registry_text();
	assert_string_equal(emptied, "");
}

/* A replayed group "-PGID:START:SID" kills the members of that group in that
 * session (the leader's start time still matching); another session, or
 * another start time, and nothing is touched. */
static void replayed_groups_need_their_session(void **state)
{
	(void)state;
	if (!have_run_dir)
		skip();
	pid_t leader = sleeper(true), other = sleeper(true);
	pid_t member = fork();
	assert_true(member >= 0);
	if (member == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setpgid(0, leader);
		for (;;)
			pause();
	}
	for (int i = 0; i < 200; i++) { /* until it has joined the leader's group */
		if (getpgid(member) == leader)
			break;
		usleep(5000);
	}
	assert_int_equal(getpgid(member), leader);
	pid_t dead = dead_pid();
	char run[PATH_MAX];
	run_dir_of(dead, run);
	int sid = (int)getsid(0);
	_cleanup_free_ char *reg = NULL;
	assert_true(asprintf(&reg,
			     "process\t-%d:%llu:%d\n"  /* ours: leader and member go */
			     "process\t-%d:%llu:%d\n"  /* another session: spared */
			     "process\t-%d:%llu:%d\n", /* another start time: spared */
			     (int)leader, start_time(leader), sid, (int)other, start_time(other),
			     sid + 100000, (int)other, start_time(other) + 5, sid) > 0);
	plant_run(run, reg);
	said[0] = '\0';
	_cleanup_free_ char *err = stderr_of(dead_runs, 0);
	char want[64];
	snprintf(want, sizeof(want), "process -%d:", (int)leader);
	assert_contains(said, want);
	assert_true(gone(leader));
	assert_true(gone(member));
	assert_int_equal(kill(other, 0), 0);
	snprintf(want, sizeof(want), "-%d:", (int)other);
	assert_not_contains(said, want);
	assert_not_contains(err, "refused");
	assert_false(exists(run));
	waitpid(leader, NULL, 0);
	waitpid(member, NULL, 0);
	reap(other);
}

/* A group registered where its session could not be seen (a PID namespace
 * whose session leader lives outside it) is undone while nslab runs, but a
 * replay from disk cannot prove the PGID is still ours and refuses it. */
static void sessionless_groups_are_not_replayed(void **state)
{
	(void)state;
	if (!have_run_dir)
		skip();
	pid_t leader = sleeper(true);
	pid_t dead = dead_pid();
	char run[PATH_MAX];
	run_dir_of(dead, run);
	_cleanup_free_ char *reg = NULL;
	assert_true(asprintf(&reg, "process\t-%d:%llu\n", (int)leader, start_time(leader)) > 0);
	plant_run(run, reg);
	said[0] = '\0';
	_cleanup_free_ char *err = stderr_of(dead_runs, 0);
	assert_contains(err, "without its session");
	assert_int_equal(kill(leader, 0), 0);
	reap(leader);
	rm_rf(run);
}

static void live_runs_are_left_alone(void **state)
{
	(void)state;
	if (!have_run_dir)
		skip();
	_cleanup_free_ char *f = touch("ours");
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f), 0);
	sweep();
	assert_true(exists(f));
	assert_not_contains(said, f);
	assert_true(exists(cleanup_run_dir()));
}

/* A run dir's owner file (PID and start time) decides whether it is alive,
 * whatever the process is called; a reused PID makes it dead. */
static void owner_file_decides(void **state)
{
	(void)state;
	if (!have_run_dir)
		skip();
	pid_t owner = sleeper(false); /* alive, and not named nslab */
	char run[PATH_MAX];
	_cleanup_free_ char *f = plant_owned_run(owner, start_time(owner), "kept-by-live-owner", run);
	sweep();
	assert_true(exists(f));
	assert_true(exists(run));
	assert_not_contains(said, f);

	/* the same PID with another start time: the run's process is gone */
	plant_owner(run, owner, start_time(owner) + 3);
	assert_true(cleanup_dead_runs_exist());
	sweep();
	assert_false(exists(f));
	assert_false(exists(run));
	assert_contains(said, f);
	assert_int_equal(kill(owner, 0), 0); /* the process itself is never touched */
	reap(owner);
}

/* --- every entry is checked before it is undone --- */

static struct {
	enum nslab_obj kind;
	const char *what;
	int rc;
} undo_call;
static void undo_fn(size_t arg)
{
	(void)arg;
	undo_call.rc = cleanup_undo_object(undo_call.kind, undo_call.what);
}

/* Undoes (kind, what) as this run's entry; returns what it said. */
static char *undo_said(enum nslab_obj kind, const char *what, int *rc)
{
	undo_call.kind = kind;
	undo_call.what = what;
	char *err = stderr_of(undo_fn, 0);
	*rc = undo_call.rc;
	return err;
}

/* Refused in one line that names kind and what, and nothing happened. */
static void assert_refused(enum nslab_obj kind, const char *what, const char *reason)
{
	static const char *const names[] = {"", "process", "mount", "dir", "cgroup", "link", "netns", "file"};
	int rc;
	calls[0] = '\0';
	_cleanup_free_ char *err = undo_said(kind, what, &rc), *want = NULL;
	assert_true(asprintf(&want, "nslab: refused: %s %s: %s", names[kind], what, reason) > 0);
	if (rc != -1 || !strstr(err, want) || strchr(err, '\n') != err + strlen(err) - 1)
		fail_msg("%s %s: rc %d, expected one line \"%s...\", said:\n%s", names[kind], what, rc, want,
			 err);
	if (strstr(calls, "umount2") || strstr(calls, "kill"))
		fail_msg("%s %s was refused but still acted on: %s", names[kind], what, calls);
}

static char *outside_dir(void)
{
	char *o = strdup("/tmp/unit-outside.XXXXXX");
	assert_non_null(o);
	assert_non_null(mkdtemp(o));
	char v[PATH_MAX];
	snprintf(v, sizeof(v), "%s/victim", o);
	assert_int_equal(unit_write(v, "keep me"), 0);
	return o;
}

static bool victim_there(const char *o)
{
	char v[PATH_MAX];
	snprintf(v, sizeof(v), "%s/victim", o);
	return exists(v);
}

static void refuses_paths_outside_run_dir(void **state)
{
	(void)state;
	_cleanup_free_ char *o = outside_dir(), *v = NULL;
	assert_true(asprintf(&v, "%s/victim", o) > 0);
	assert_refused(NSLAB_OBJ_FILE, v, "not beneath ");
	assert_refused(NSLAB_OBJ_DIR, o, "not beneath ");
	assert_refused(NSLAB_OBJ_MOUNT, o, "not beneath ");
	assert_refused(NSLAB_OBJ_NETNS, v, "not beneath ");
	assert_refused(NSLAB_OBJ_FILE, "relative/path", "not beneath ");
	assert_refused(NSLAB_OBJ_DIR, cleanup_run_dir(), "not beneath "); /* the run dir itself */
	assert_true(victim_there(o));
	rm_rf(o);
}

static void refuses_symlink_components(void **state)
{
	(void)state;
	_cleanup_free_ char *o = outside_dir(), *link = path_in("link"), *through = NULL, *sub = NULL;
	assert_int_equal(symlink(o, link), 0);
	assert_true(asprintf(&through, "%s/victim", link) > 0);
	assert_true(asprintf(&sub, "%s/sub", link) > 0);
	assert_refused(NSLAB_OBJ_FILE, through, "a symlink on the way");
	assert_refused(NSLAB_OBJ_DIR, sub, "a symlink on the way");
	assert_refused(NSLAB_OBJ_MOUNT, through, "a symlink on the way");
	assert_refused(NSLAB_OBJ_NETNS, through, "a symlink on the way");
	/* the symlink itself, as the last component, is ours to remove: the
	 * link goes, what it points to stays */
	int rc;
	_cleanup_free_ char *err = undo_said(NSLAB_OBJ_DIR, link, &rc);
	assert_int_equal(rc, 0);
	assert_false(exists(link));
	assert_true(victim_there(o));
	rm_rf(o);
}

static void refuses_dot_dot(void **state)
{
	(void)state;
	_cleanup_free_ char *o = outside_dir(), *up = NULL, *dot = path_in("./x"), *dbl = NULL;
	assert_true(asprintf(&up, "%s/../../../..%s/victim", dir, o) > 0);
	assert_true(asprintf(&dbl, "%s//x", dir) > 0);
	assert_refused(NSLAB_OBJ_FILE, up, "'.', '..' or '//' in the path");
	assert_refused(NSLAB_OBJ_DIR, up, "'.', '..' or '//' in the path");
	assert_refused(NSLAB_OBJ_FILE, dot, "'.', '..' or '//' in the path");
	assert_refused(NSLAB_OBJ_FILE, dbl, "'.', '..' or '//' in the path");
	assert_true(victim_there(o));
	rm_rf(o);
}

static void refuses_mount_root(void **state)
{
	(void)state;
	assert_refused(NSLAB_OBJ_MOUNT, "/", "the root directory");
	assert_refused(NSLAB_OBJ_DIR, "/", "the root directory");
	assert_refused(NSLAB_OBJ_MOUNT, "/proc", "not beneath ");
}

/* The first cgroup hierarchy mounted here (NULL: none). */
static const char *a_cgroup_mount(void)
{
	static char mnt[PATH_MAX];
	FILE *f = setmntent("/proc/self/mounts", "re");
	struct mntent *m;
	mnt[0] = '\0';
	while (f && (m = getmntent(f)))
		if (!mnt[0] && (strcmp(m->mnt_type, "cgroup") == 0 || strcmp(m->mnt_type, "cgroup2") == 0))
			snprintf(mnt, sizeof(mnt), "%s", m->mnt_dir);
	if (f)
		endmntent(f);
	return mnt[0] ? mnt : NULL;
}

static void refuses_foreign_cgroups(void **state)
{
	(void)state;
	const char *mnt = a_cgroup_mount();
	if (!mnt)
		skip();
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/hostile-unit", mnt);
	assert_refused(NSLAB_OBJ_CGROUP, p, "not in this run's cgroup");
	snprintf(p, sizeof(p), "%s/nslab/%d", mnt, (int)getpid() + 1); /* another run's */
	assert_refused(NSLAB_OBJ_CGROUP, p, "not in this run's cgroup");
	snprintf(p, sizeof(p), "%s/nslab/%d0", mnt, (int)getpid()); /* a longer PID */
	assert_refused(NSLAB_OBJ_CGROUP, p, "not in this run's cgroup");
	snprintf(p, sizeof(p), "%s/nslab/%d/../../hostile-unit", mnt, (int)getpid());
	assert_refused(NSLAB_OBJ_CGROUP, p, "'.', '..' or '//' in the path");
	assert_refused(NSLAB_OBJ_CGROUP, "/tmp/nslab/1234", "not in a cgroup hierarchy");
	assert_refused(NSLAB_OBJ_CGROUP, mnt, "not in a cgroup hierarchy"); /* the root itself */
	/* our own, not made: nothing to do, nothing refused */
	snprintf(p, sizeof(p), "%s/nslab/%d/not-made", mnt, (int)getpid());
	int rc;
	_cleanup_free_ char *err = undo_said(NSLAB_OBJ_CGROUP, p, &rc);
	assert_int_equal(rc, 1);
	assert_string_equal(err, "");
}

/* The first cgroup2 mount here (NULL: none). */
static const char *a_cgroup2_mount(void)
{
	static char mnt[PATH_MAX];
	FILE *f = setmntent("/proc/self/mounts", "re");
	struct mntent *m;
	mnt[0] = '\0';
	while (f && (m = getmntent(f)))
		if (!mnt[0] && strcmp(m->mnt_type, "cgroup2") == 0)
			snprintf(mnt, sizeof(mnt), "%s", m->mnt_dir);
	if (f)
		endmntent(f);
	return mnt[0] ? mnt : NULL;
}

/* "cgroup\t+cpu DIR": the +cpu nslab wrote into DIR's subtree_control. Only
 * a cgroup2 mount's root, its shared nslab/ or this run's nslab/<pid> may be
 * named, nothing else. */
static void enabled_cpu_entries(void **state)
{
	(void)state;
	const char *mnt = a_cgroup2_mount();
	if (!mnt)
		skip();
	char why[128], p[PATH_MAX + 16];
	snprintf(why, sizeof(why), "not a cgroup2 root, its nslab or this run's nslab/%d", (int)getpid());
	const char *const foreign[] = {"/tmp",          "/",
				       "/sys/fs",       "",
				       "%s/",           "%s/hostile-unit",
				       "%s/nslab/%d1", /* a longer PID */
				       "%s/nslab/%d/x", "%s/nslab/%d/../..",
				       "%s/nslabx",     "%s/../cgroup",
				       "%s/nslab/1" /* another run's */};
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), foreign[i], mnt, (int)getpid());
		snprintf(p, sizeof(p), "+cpu %s", dir);
		assert_refused(NSLAB_OBJ_CGROUP, p, why);
	}
	snprintf(p, sizeof(p), "+cpu  %s", mnt); /* one space, exactly */
	assert_refused(NSLAB_OBJ_CGROUP, p, why);
	snprintf(p, sizeof(p), "+memory %s", mnt); /* only cpu is ever enabled */
	assert_refused(NSLAB_OBJ_CGROUP, p, "not in a cgroup hierarchy");
	char sc[PATH_MAX + 32], now[512] = "";
	snprintf(sc, sizeof(sc), "%s/cgroup.subtree_control", mnt);
	FILE *f = fopen(sc, "re");
	if (f) {
		if (!fgets(now, sizeof(now), f))
			now[0] = '\0';
		fclose(f);
	}
	/* These three are accepted. Undone only where cpu is off (nothing to
	 * undo then): a unit test never turns off the host's cpu controller. */
	if (!f || strstr(now, "cpu ") || strstr(now, "cpu\n"))
		skip();
	/* the top and this run's nslab/<pid>: there or not */
	const char *const ours[] = {"+cpu %s", "+cpu %s/nslab", "+cpu %s/nslab/%d"};
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		snprintf(p, sizeof(p), ours[i], mnt, (int)getpid());
		int rc;
		_cleanup_free_ char *err = undo_said(NSLAB_OBJ_CGROUP, p, &rc);
		assert_int_equal(rc, 1);
		assert_string_equal(err, "");
	}
}

static void refuses_foreign_links(void **state)
{
	(void)state;
	const char *bad[] = {"eth0", "lo", "veth0", "-nsl0", "nsl;true", "nsl x", "nsl0123456789abcd", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(NSLAB_OBJ_LINK, bad[i], "not a link name nslab gives");
	int rc;
	_cleanup_free_ char *err = undo_said(NSLAB_OBJ_LINK, "nsl-unit0", &rc); /* ours, not there */
	assert_int_equal(rc, -1);
	assert_not_contains(err, "refused");
}

static void refuses_foreign_netns(void **state)
{
	(void)state;
	assert_refused(NSLAB_OBJ_NETNS, "/run/netns/somebodys", "not beneath ");
	assert_refused(NSLAB_OBJ_NETNS, "/run/netns/nslab-x/../y", "not beneath ");
	assert_refused(NSLAB_OBJ_NETNS, "/var/run/netns/nslab-x", "not beneath ");
}

static void refuses_processes_without_matching_start(void **state)
{
	(void)state;
	pid_t a = sleeper(false);
	char s[64];
	snprintf(s, sizeof(s), "%d", (int)a);
	assert_refused(NSLAB_OBJ_PROCESS, s, "no start time");
	snprintf(s, sizeof(s), "%d:", (int)a);
	assert_refused(NSLAB_OBJ_PROCESS, s, "no start time");
	snprintf(s, sizeof(s), "%d:0", (int)a);
	assert_refused(NSLAB_OBJ_PROCESS, s, "bad start time");
	snprintf(s, sizeof(s), "%d:%llux", (int)a, start_time(a));
	assert_refused(NSLAB_OBJ_PROCESS, s, "bad start time");
	snprintf(s, sizeof(s), "1:%llu", start_time(1));
	assert_refused(NSLAB_OBJ_PROCESS, s, "PID 1 is never nslab's");
	assert_refused(NSLAB_OBJ_PROCESS, "-1:5", "PID -1 is never nslab's");
	assert_refused(NSLAB_OBJ_PROCESS, "x:5", "not a PID");
	assert_int_equal(kill(a, 0), 0);
	/* a wrong start time: someone else's now, spared without a word */
	snprintf(s, sizeof(s), "%d:%llu", (int)a, start_time(a) + 1);
	int rc;
	_cleanup_free_ char *err = undo_said(NSLAB_OBJ_PROCESS, s, &rc);
	assert_int_equal(rc, 1);
	assert_string_equal(err, "");
	assert_int_equal(kill(a, 0), 0);
	reap(a);
}

/* Registry lines are never split: over-long entries and entries with a
 * newline or tab are refused at keep time; the registry is 0600. */
static void keep_refuses_what_would_split(void **state)
{
	(void)state;
	size_t mark = cleanup_mark();
	char *lng = malloc(NSLAB_REGISTRY_LINE + 1);
	assert_non_null(lng);
	memset(lng, 'a', NSLAB_REGISTRY_LINE);
	lng[0] = '/';
	lng[NSLAB_REGISTRY_LINE] = '\0';
	errno = 0;
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, lng), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	free(lng);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, "/a\nfile\t/etc/passwd"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, "/a\t/b"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(cleanup_mark(), mark);
	assert_false(cleanup_record_failed());
	char p[PATH_MAX];
	struct stat st;
	/* <run dir>.registry, beside the run dir, its owner line first */
	snprintf(p, sizeof(p), "%s.registry", cleanup_run_dir());
	assert_string_equal(cleanup_registry_path(), p);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	char head[64];
	snprintf(head, sizeof(head), "owner %d %llu\n", (int)getpid(), start_time(getpid()));
	assert_string_equal(cleanup_registry_head(), head);
	assert_int_equal(cleanup_make_run_dir(), 0); /* (made by setup already) */
	/* searchable, never listable or writable by others: a container's
	 * mapped root must reach its work dir below it */
	assert_int_equal(lstat(cleanup_run_dir(), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0711);
	/* /run/nslab is 0755 (others may see that a root run left something,
	 * never what); a per-user base is 0700 */
	assert_int_equal(lstat(runs_base(), &st), 0);
	assert_int_equal(st.st_mode & 0777, strcmp(runs_base(), NSLAB_RUN_BASE) == 0 ? 0755 : 0700);
	assert_int_equal(st.st_uid, geteuid());
}

/* A kind another module owns goes through what it registered: its check
 * (a refusal is said in the same one line), its undo, its sweep at
 * --cleanup. The cgroup kind is given back afterwards. */
static char fake_log[512];
static int fake_check(const struct cleanup_run *r, const char *what, char *why, size_t whylen)
{
	size_t len = strlen(fake_log);
	snprintf(fake_log + len, sizeof(fake_log) - len, "check %s %s\n", what, r->live ? "live" : "dead");
	if (strcmp(what, "/refuse-me") == 0) {
		snprintf(why, whylen, "the fake kind says no");
		return -1;
	}
	return strcmp(what, "/gone") == 0 ? 1 : 0;
}
static int fake_undo(const struct cleanup_run *r, const char *what)
{
	(void)r;
	size_t len = strlen(fake_log);
	snprintf(fake_log + len, sizeof(fake_log) - len, "undo %s\n", what);
	return 0;
}
static int fake_sweep(void (*say)(const char *what))
{
	say("fake leftover");
	return 1;
}

static void registered_kinds_are_used(void **state)
{
	(void)state;
	static const struct cleanup_kind fake = {.check = fake_check, .undo = fake_undo, .sweep = fake_sweep};
	static const struct cleanup_kind no_undo = {.check = fake_check};
	assert_int_equal(cleanup_register_kind(NSLAB_OBJ_CGROUP, NULL), -1);
	assert_int_equal(cleanup_register_kind(NSLAB_OBJ_CGROUP, &no_undo), -1);
	assert_int_equal(cleanup_register_kind((enum nslab_obj)99, &fake), -1);
	assert_int_equal(cleanup_register_kind(NSLAB_OBJ_CGROUP, &fake), 0);
	size_t mark = cleanup_mark();
	fake_log[0] = '\0';
	assert_int_equal(cleanup_keep(NSLAB_OBJ_CGROUP, "/a"), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_CGROUP, "/refuse-me"), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_CGROUP, "/gone"), 0);
	_cleanup_free_ char *err = stderr_of(unwind_all, mark);
	assert_string_equal(fake_log, "check /gone live\ncheck /refuse-me live\ncheck /a live\nundo /a\n");
	assert_string_equal(err, "nslab: refused: cgroup /refuse-me: the fake kind says no\n");
	sweep();
	assert_contains(said, "fake leftover\n");
	cgroup_register_cleanup();
}

/* cleanup_set_base(): this run lives in the test's base, at <base>/<pid>,
 * whoever runs the test (root would otherwise get /run/nslab). */
static void runs_live_in_the_set_base(void **state)
{
	(void)state;
	if (!have_run_dir)
		fail_msg("no run dir in %s: %s", base, cleanup_init_error());
	char want[PATH_MAX];
	snprintf(want, sizeof(want), "%s/%d", base, (int)getpid());
	assert_string_equal(cleanup_run_dir(), want);
	assert_string_equal(runs_base(), base);
}

/* Without openat2 (Linux < 5.6) the same checks hold: an O_NOFOLLOW walk. */
static void fallback_walk_refuses_the_same(void **state)
{
	no_openat2 = true;
	refuses_symlink_components(state);
	refuses_dot_dot(state);
	refuses_paths_outside_run_dir(state);
	_cleanup_free_ char *deep = path_in("a/b"), *f = path_in("a/b/f");
	assert_int_equal(mkdir_p(deep, 0755), 0);
	assert_int_equal(unit_write(f, "x"), 0);
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_FILE, f), 0); /* ours: removed */
	assert_false(exists(f));
	_cleanup_free_ char *missing = path_in("a/nothing/f");
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_FILE, missing), 1);
}

/* Without pidfd_open (Linux < 5.3): kill(2) after the start-time check. */
static void no_pidfd_falls_back_to_kill(void **state)
{
	(void)state;
	no_pidfd = true;
	pid_t a = sleeper(false);
	char s[64];
	snprintf(s, sizeof(s), "%d:%llu", (int)a, start_time(a) + 1);
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_PROCESS, s), 1); /* not ours now */
	assert_int_equal(kill(a, 0), 0);
	snprintf(s, sizeof(s), "%d:%llu", (int)a, start_time(a));
	calls[0] = '\0';
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_PROCESS, s), 0);
	char want[64];
	snprintf(want, sizeof(want), "kill %d 9\n", (int)a);
	assert_string_equal(calls, want);
	errno = 0;
	assert_int_equal(waitpid(a, NULL, WNOHANG), -1); /* reaped already */
}

/* D15: a process that has not exited after the signal is not reported as
 * removed: "still exiting" (here the signal is swallowed by the wrapper). */
static void still_exiting_is_said(void **state)
{
	(void)state;
	size_t mark = cleanup_mark();
	pid_t a = sleeper(false);
	char s[32];
	snprintf(s, sizeof(s), "%d", (int)a);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_PROCESS, s), 0);
	fake_signal = true;
	_cleanup_free_ char *err = stderr_of(unwind_all, mark);
	char want[96];
	snprintf(want, sizeof(want), "nslab: process %d:%llu was killed and is still exiting\n", (int)a,
		 start_time(a));
	assert_string_equal(err, want);
	reap(a);
}

/* D5: liveness is the owner file's, whatever the process is called. */
static void renamed_owner_is_alive(void **state)
{
	(void)state;
	pid_t owner = sleeper(false);
	char run[PATH_MAX];
	run_dir_of(owner, run);
	plant_run(run, "");
	plant_owner(run, owner, start_time(owner));
	assert_true(cleanup_run_alive(owner)); /* its comm is the test's, not nslab */
	/* the orphan sweep asks the same: its cgroup tree stays */
	const char *mnt = a_cgroup_mount();
	char cg[PATH_MAX] = "", top[PATH_MAX];
	if (root && mnt) {
		snprintf(top, sizeof(top), "%s/nslab", mnt);
		snprintf(cg, sizeof(cg), "%s/nslab/%d", mnt, (int)owner);
		if (mkdir(top, 0755) < 0 && errno != EEXIST)
			cg[0] = '\0';
		if (cg[0] && mkdir(cg, 0755) < 0)
			cg[0] = '\0';
	}
	sweep();
	assert_true(exists(run));
	if (cg[0])
		assert_true(exists(cg));
	/* its owner gone, the run is dead: dir and cgroup go */
	reap(owner);
	assert_false(cleanup_run_alive(owner));
	sweep();
	assert_false(exists(run));
	if (cg[0]) {
		bool left = exists(cg);
		rmdir(cg);
		rmdir(top);
		assert_false(left);
	}
}

/* D6: an owner that is a zombie (its parent has not reaped it) is dead. */
static void zombie_owner_is_dead(void **state)
{
	(void)state;
	pid_t owner = sleeper(false);
	unsigned long long start = start_time(owner);
	char run[PATH_MAX];
	_cleanup_free_ char *f = plant_owned_run(owner, start, "left-by-zombie", run);
	assert_true(cleanup_run_alive(owner));
	__real_kill(owner, SIGKILL);
	for (int i = 0; i < 200; i++) { /* wait for the zombie, never reap it */
		char p[64], st[512];
		snprintf(p, sizeof(p), "/proc/%d/stat", (int)owner);
		if (read_file(p, st, sizeof(st)) > 0 && strrchr(st, ')')[2] == 'Z')
			break;
		usleep(5000);
	}
	assert_false(cleanup_run_alive(owner));
	assert_true(cleanup_dead_runs_exist());
	sweep();
	assert_false(exists(f));
	assert_false(exists(run));
	assert_contains(said, f);
	waitpid(owner, NULL, 0);
}

/* A run dir without an owner file: alive while its PID runs (it cannot be
 * told from a run that could not write one), dead once the PID is gone. */
static void ownerless_run_dir(void **state)
{
	(void)state;
	pid_t p = sleeper(false);
	char run[PATH_MAX];
	run_dir_of(p, run);
	plant_run(run, "");
	assert_true(cleanup_run_alive(p));
	sweep();
	assert_true(exists(run));
	reap(p);
	assert_false(cleanup_run_alive(p));
	cleanup_dead_runs(say);
	assert_false(exists(run));
}

/* Plants a dead run of this build's layout: <base>/<pid>.registry, its
 * owner line ("owner PID START", none if start is 0) then text. */
static void plant_registry_file(pid_t pid, unsigned long long start, const char *text, char *reg)
{
	snprintf(reg, PATH_MAX, "%s/%d.registry", runs_base(), (int)pid);
	_cleanup_free_ char *all = NULL;
	if (start)
		assert_true(asprintf(&all, "owner %d %llu\n%s", (int)pid, start, text) > 0);
	assert_int_equal(unit_write(reg, start ? all : text), 0);
	assert_int_equal(chmod(reg, 0600), 0);
}

/* This build's layout: a dead run's registry file is replayed in reverse
 * order, then its run dir (made on first need) and the file itself go. */
static void replay_dead_registry_file(void **state)
{
	(void)state;
	if (!have_run_dir)
		skip();
	pid_t dead = dead_pid();
	char run[PATH_MAX], reg[PATH_MAX];
	run_dir_of(dead, run);
	_cleanup_free_ char *lab = NULL, *fa = NULL, *text = NULL;
	assert_true(asprintf(&lab, "%s/lab", run) > 0 && asprintf(&fa, "%s/a", run) > 0);
	assert_int_equal(mkdir(run, 0711), 0);
	assert_int_equal(mkdir(lab, 0755), 0);
	assert_int_equal(unit_write(fa, "a"), 0);
	pid_t victim = sleeper(false);
	assert_true(asprintf(&text, "file\t%s\nprocess\t%d:%llu\ndir\t%s\n", fa, (int)victim,
			     start_time(victim), lab) > 0);
	plant_registry_file(dead, 12345, text, reg); /* its owner is gone */
	assert_false(cleanup_run_alive(dead));
	assert_true(cleanup_dead_runs_exist());
	said[0] = '\0';
	_cleanup_free_ char *err = stderr_of(dead_runs, 0);
	char work[PATH_MAX + 16];
	snprintf(work, sizeof(work), "work dir %s\n", run);
	char *p_dir = strstr(said, lab), *p_fa = strstr(said, fa), *p_run = strstr(said, work);
	if (!(p_dir && p_fa && p_run && p_dir < p_fa && p_fa < p_run))
		fail_msg("not all said, or not in reverse order:\n%s", said);
	assert_true(gone(victim));
	waitpid(victim, NULL, 0);
	assert_false(exists(fa) || exists(lab) || exists(run) || exists(reg));
	assert_string_equal(err, "");
	assert_true(exists(cleanup_registry_path())); /* ours stays */

	/* one with no run dir (it needed none): the file alone goes */
	pid_t dead2 = dead_pid();
	_cleanup_free_ char *f2 = touch("left-by-dead2"), *g = NULL;
	char reg2[PATH_MAX];
	assert_true(asprintf(&g, "file\t%s\n", f2) > 0);
	plant_registry_file(dead2, 777, g, reg2);
	_cleanup_free_ char *err2 = stderr_of(dead_runs, 0);
	assert_false(exists(reg2));
	assert_true(exists(f2)); /* not in that run's dir: refused, and said so */
	assert_contains(err2, "refused: file");
}

/* A registry file whose owner line names a running process with its start
 * time is a live run's: left alone. Another start time: a reused PID, and
 * the run is dead. */
static void registry_file_owner_decides(void **state)
{
	(void)state;
	if (!have_run_dir)
		skip();
	pid_t owner = sleeper(false);
	char run[PATH_MAX], reg[PATH_MAX];
	run_dir_of(owner, run);
	_cleanup_free_ char *f = NULL, *text = NULL;
	assert_true(asprintf(&f, "%s/kept", run) > 0);
	assert_int_equal(mkdir(run, 0711), 0);
	assert_int_equal(unit_write(f, "x"), 0);
	assert_true(asprintf(&text, "file\t%s\n", f) > 0);
	plant_registry_file(owner, start_time(owner), text, reg);
	assert_true(cleanup_run_alive(owner));
	_cleanup_free_ char *err = stderr_of(dead_runs, 0);
	assert_true(exists(f) && exists(reg));
	plant_registry_file(owner, start_time(owner) + 3, text, reg);
	assert_false(cleanup_run_alive(owner));
	_cleanup_free_ char *err2 = stderr_of(dead_runs, 0);
	assert_false(exists(f) || exists(run) || exists(reg));
	assert_int_equal(kill(owner, 0), 0); /* the process itself is never touched */
	reap(owner);
}

/* D1, this build's layout: a registry file someone else could have
 * written (another uid's, group writable, a symlink) is never replayed,
 * and neither its run dir nor what it names is touched. */
static void untrusted_registry_files_are_not_replayed(void **state)
{
	(void)state;
	if (!root)
		skip();
	_cleanup_free_ char *o = outside_dir();
	char runs[3][PATH_MAX], regs[3][PATH_MAX], inside[3][PATH_MAX + 16], real[PATH_MAX + 16];
	snprintf(real, sizeof(real), "%s/real.registry", o);
	for (int i = 0; i < 3; i++) {
		pid_t pid = dead_pid();
		run_dir_of(pid, runs[i]);
		snprintf(inside[i], sizeof(inside[i]), "%s/inside", runs[i]);
		assert_int_equal(mkdir(runs[i], 0711), 0);
		assert_int_equal(unit_write(inside[i], "x"), 0);
		_cleanup_free_ char *text = NULL;
		assert_true(asprintf(&text, "owner %d 1\nfile\t%s\n", (int)pid, inside[i]) > 0);
		snprintf(regs[i], sizeof(regs[i]), "%s/%d.registry", runs_base(), (int)pid);
		assert_int_equal(unit_write(i == 2 ? real : regs[i], text), 0);
	}
	assert_int_equal(chmod(real, 0600), 0);
	assert_int_equal(chown(regs[0], 65534, 65534), 0);
	assert_int_equal(chmod(regs[1], 0620), 0);
	assert_int_equal(symlink(real, regs[2]), 0);
	said[0] = '\0';
	_cleanup_free_ char *err = stderr_of(dead_runs, 0);
	int bad = -1;
	for (int i = 0; i < 3; i++)
		if ((!exists(inside[i]) || !exists(runs[i])) && bad < 0)
			bad = i;
	for (int i = 0; i < 3; i++) {
		__real_unlink(regs[i]);
		rm_rf(runs[i]);
	}
	rm_rf(o);
	if (bad >= 0)
		fail_msg("%s was replayed (said: %s)", regs[bad], said);
}

/* D1: a run dir or registry someone else could have written is never
 * replayed: a dir of another uid, a group/world-writable one, a symlink to
 * a dir, an old-layout /tmp/nslab-<pid> of another user, a registry file of
 * another uid. */
static void untrusted_run_dirs_are_not_replayed(void **state)
{
	(void)state;
	if (!root)
		skip();
	_cleanup_free_ char *o = outside_dir(), *v = NULL, *reg = NULL;
	assert_true(asprintf(&v, "%s/victim", o) > 0);
	char runs[5][PATH_MAX / 2];
	pid_t pids[5];
	for (int i = 0; i < 5; i++)
		pids[i] = dead_pid();
	snprintf(runs[0], PATH_MAX / 2, "%s/%d", runs_base(), (int)pids[0]); /* another uid's */
	snprintf(runs[1], PATH_MAX / 2, "%s/%d", runs_base(), (int)pids[1]); /* world writable */
	snprintf(runs[2], PATH_MAX / 2, "%s/%d", runs_base(), (int)pids[2]); /* a symlink */
	snprintf(runs[3], PATH_MAX / 2, NSLAB_TMP_BASE "%d", (int)pids[3]);  /* old layout, nobody's */
	snprintf(runs[4], PATH_MAX / 2, "%s/%d", runs_base(), (int)pids[4]); /* registry of another uid */
	for (int i = 0; i < 5; i++)
		if (exists(runs[i]))
			skip();
	/* each names a file inside itself (else every entry would be refused
	 * anyway) and the outside victim */
	char real2[PATH_MAX];
	snprintf(real2, sizeof(real2), "%s/real-dir", o);
	for (int i = 0; i < 5; i++) {
		const char *d = i == 2 ? real2 : runs[i];
		char inside[3 * PATH_MAX], text[8 * PATH_MAX];
		snprintf(inside, sizeof(inside), "%s/inside", runs[i]);
		snprintf(text, sizeof(text), "file\t%s\nfile\t%s\n", v, inside);
		plant_run(d, text);
		snprintf(inside, sizeof(inside), "%s/inside", d);
		assert_int_equal(unit_write(inside, "x"), 0);
	}
	assert_int_equal(chown(runs[0], 65534, 65534), 0);
	assert_int_equal(chmod(runs[1], 0777), 0);
	assert_int_equal(symlink(real2, runs[2]), 0);
	assert_int_equal(chown(runs[3], 65534, 65534), 0);
	char rp[PATH_MAX + 16];
	snprintf(rp, sizeof(rp), "%s/registry", runs[4]);
	assert_int_equal(chown(rp, 65534, 65534), 0);
	said[0] = '\0';
	_cleanup_free_ char *err = stderr_of(dead_runs, 0);
	/* (runs[4] is ours: its refused registry is not replayed, then the dir
	 * of the dead run goes) */
	int bad = -1;
	for (int i = 0; i < 4; i++) {
		char inside[3 * PATH_MAX];
		snprintf(inside, sizeof(inside), "%s/inside", i == 2 ? real2 : runs[i]);
		if (!exists(inside) && bad < 0)
			bad = i;
	}
	bool victim_ok = victim_there(o);
	for (int i = 0; i < 5; i++) {
		if (i == 2)
			__real_unlink(runs[2]);
		else
			rm_rf(runs[i]);
	}
	rm_rf(o);
	if (bad >= 0)
		fail_msg("%s was replayed (said: %s)", runs[bad], said);
	assert_true(victim_ok);
	assert_not_contains(said, v);
	assert_contains(err, "refused: registry"); /* the one of another uid */
}

/* A dead run in the old /tmp/nslab-<pid> layout is replayed by --cleanup,
 * and only there: the check at every start does not list /tmp for it. */
static void old_layout_only_in_cleanup(void **state)
{
	(void)state;
	if (cleanup_dead_runs_exist())
		skip(); /* another leftover would answer for it */
	char run[PATH_MAX];
	snprintf(run, sizeof(run), NSLAB_TMP_BASE "%d", (int)dead_pid());
	if (exists(run))
		skip();
	_cleanup_free_ char *f = NULL, *reg = NULL;
	assert_true(asprintf(&f, "%s/left", run) > 0);
	assert_true(asprintf(&reg, "file\t%s\n", f) > 0);
	plant_run(run, reg);
	assert_int_equal(unit_write(f, "x"), 0);
	bool offered = cleanup_dead_runs_exist();
	sweep();
	bool left = exists(run);
	rm_rf(run);
	assert_false(offered);
	assert_false(left);
	assert_contains(said, f);
}

/* D7: a run dir left at our own PID belonged to a dead run: it is replayed
 * (with the same checks) before a fresh one is made. */
static void own_pid_dir_replayed_at_start(void **state)
{
	(void)state;
	cleanup_all();
	free(dir);
	dir = strdup("/tmp/unit-d7.XXXXXX"); /* for stderr_of() */
	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(cleanup_init(), 0);
	char run[PATH_MAX];
	snprintf(run, sizeof(run), "%s", cleanup_run_dir());
	cleanup_all(); /* what a killed run with our PID left behind: */
	assert_int_equal(mkdir_p(run, 0700), 0);
	pid_t victim = sleeper(false);
	_cleanup_free_ char *f = NULL, *reg = NULL, *o = outside_dir(), *v = NULL;
	assert_true(asprintf(&v, "%s/victim", o) > 0);
	assert_true(asprintf(&f, "%s/left", run) > 0);
	assert_int_equal(unit_write(f, "x"), 0);
	assert_true(asprintf(&reg, "file\t%s\nprocess\t%d:%llu\nfile\t%s\n", f, (int)victim,
			     start_time(victim), v) > 0);
	char p[PATH_MAX + 16];
	snprintf(p, sizeof(p), "%s/registry", run);
	assert_int_equal(unit_write(p, reg), 0);
	plant_owner(run, getpid(), start_time(getpid()) + 1);
	have_run_dir = false;
	_cleanup_free_ char *err = stderr_of(init_fn, 0);
	assert_true(have_run_dir);
	assert_string_equal(cleanup_run_dir(), run);
	assert_false(exists(f));
	assert_true(gone(victim));
	waitpid(victim, NULL, 0);
	assert_true(victim_there(o)); /* the same checks: outside stays */
	assert_contains(err, "left by a dead run with this PID");
	assert_contains(err, "refused: file");
	_cleanup_free_ char *now = registry_text();
	assert_string_equal(now, ""); /* a fresh registry */
	rm_rf(o);
	rm_rf(dir);
	free(dir);
	/* a dir for the per-test teardown */
	assert_int_equal(cleanup_make_run_dir(), 0);
	assert_true(asprintf(&dir, "%s/t.XXXXXX", cleanup_run_dir()) > 0);
	assert_non_null(mkdtemp(dir));
}

/* Last: cleanup_all removes everything and the run directory. */
static void cleanup_all_removes_run_dir(void **state)
{
	(void)state;
	_cleanup_free_ char *f = touch("last");
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f), 0);
	char run[PATH_MAX], reg[PATH_MAX];
	snprintf(run, sizeof(run), "%s", cleanup_run_dir() ? cleanup_run_dir() : "");
	snprintf(reg, sizeof(reg), "%s", cleanup_registry_path());
	cleanup_all();
	assert_false(exists(f));
	assert_int_equal(cleanup_mark(), 0);
	assert_null(cleanup_run_dir());
	if (have_run_dir)
		assert_false(exists(run) || exists(reg));
}

/* What main.c does with the registry's lines: the tests read them there. */
static void report_stderr(const char *line)
{
	fprintf(stderr, "nslab: %s\n", line);
}

/* The lab's work directory is made on first use only, registered before it
 * exists, removed by the unwind; one that cannot be made leaves no entry. */
static void workdir_made_on_first_use(void **state)
{
	(void)state;
	char wd[PATH_MAX + 16], bad[PATH_MAX + 16];
	snprintf(wd, sizeof(wd), "%s/lab", dir);
	size_t mark = cleanup_mark();
	workdir_begin(wd);
	assert_false(exists(wd)); /* nothing yet */
	assert_string_equal(workdir_path(), wd);
	assert_int_equal(cleanup_mark(), mark);
	assert_string_equal(workdir_get(), wd);
	assert_true(exists(wd));
	assert_int_equal(cleanup_mark(), mark + 1);
	_cleanup_free_ char *reg = registry_text(), *want = NULL;
	assert_true(asprintf(&want, "dir\t%s\n", wd) > 0);
	assert_contains(reg, want);
	assert_string_equal(workdir_get(), wd); /* once */
	assert_int_equal(cleanup_mark(), mark + 1);
	cleanup_unwind_to(mark);
	assert_false(exists(wd));
	workdir_end();
	assert_null(workdir_get());
	/* under a file: cannot be made, and no entry stays */
	snprintf(bad, sizeof(bad), "%s/file", dir);
	assert_int_equal(unit_write(bad, "x"), 0);
	snprintf(wd, sizeof(wd), "%s/file/lab", dir);
	workdir_begin(wd);
	assert_null(workdir_get());
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(cleanup_mark(), mark);
	workdir_end();
}

static int group_setup(void **state)
{
	(void)state;
	/* Older nslab builds took a run dir without an owner file as dead
	 * unless its process was named nslab*: keep a name that passes, so that
	 * no `nslab --cleanup` replays our live registry. */
	root = geteuid() == 0;
	cleanup_set_report(report_stderr);
	cgroup_register_cleanup();
	base = unit_tmpdir();
	if (cleanup_set_base(base) < 0)
		return -1;
	have_run_dir = cleanup_init() == 0;
	if (!have_run_dir)
		fprintf(stderr, "(no run dir: %s: most tests fail)\n", cleanup_init_error());
	if (!root)
		fprintf(stderr,
			"(not root: the tests that chown planted run dirs or make cgroups are skipped)\n");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	cleanup_all();
	unit_rm_rf(base);
	free(base);
	return 0;
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(reverse_order),
	    T(workdir_made_on_first_use),
	    T(unwind_to_a_mark),
	    T(partial_failure_continues),
	    T(processes_and_groups),
	    T(process_reuse_guard),
	    T(undo_one),
	    T(dir_kind_stays_in_bounds),
	    T(other_kinds),
	    T(replay_dead_run),
	    T(replayed_groups_need_their_session),
	    T(journal_appends_and_replay_skips_undone),
	    T(sessionless_groups_are_not_replayed),
	    T(live_runs_are_left_alone),
	    T(owner_file_decides),
	    T(refuses_paths_outside_run_dir),
	    T(refuses_symlink_components),
	    T(refuses_dot_dot),
	    T(refuses_mount_root),
	    T(refuses_foreign_cgroups),
	    T(enabled_cpu_entries),
	    T(refuses_foreign_links),
	    T(refuses_foreign_netns),
	    T(refuses_processes_without_matching_start),
	    T(keep_refuses_what_would_split),
	    T(runs_live_in_the_set_base),
	    T(registered_kinds_are_used),
	    T(fallback_walk_refuses_the_same),
	    T(no_pidfd_falls_back_to_kill),
	    T(still_exiting_is_said),
	    T(renamed_owner_is_alive),
	    T(zombie_owner_is_dead),
	    T(ownerless_run_dir),
	    T(untrusted_run_dirs_are_not_replayed),
	    T(replay_dead_registry_file),
	    T(registry_file_owner_decides),
	    T(untrusted_registry_files_are_not_replayed),
	    T(old_layout_only_in_cleanup),
	    T(own_pid_dir_replayed_at_start),
	    T(cleanup_all_removes_run_dir),
	};
	/* Run inside a PID namespace whose session leader lives outside it (as CI
	 * may be), every session reads 0, and groups registered here are rightly
	 * not replayed; the replay tests need a session they can see, so they get
	 * one of their own (sessionless_groups_are_not_replayed covers the rest). */
	if (getsid(0) == 0 && setsid() < 0) {
		pid_t child = fork();
		if (child < 0)
			return 1;
		if (child > 0) {
			int st;
			while (waitpid(child, &st, 0) < 0 && errno == EINTR)
				;
			return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
		}
		if (setsid() < 0)
			return 1;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
