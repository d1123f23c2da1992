/* test_cleanup.c: the cleanup registry: undo in reverse order, a failing
 * entry does not stop the rest, the mirror file, and `--cleanup` replaying
 * the registry of a dead run.
 *
 * umount2, kill and unlink are wrapped (test_cleanup.wrap): umount2 is never
 * really called (MOUNT entries name temp paths), and each wrapper logs the
 * call and can be told to fail, to reach the error paths. FILE, DIR and
 * PROCESS entries are real (temp paths, our own children).
 *
 * NSLAB_RUN_BASE (/run/nslab) is hard-coded, so the mirror and dead-run
 * tests need root; they are skipped otherwise. The in-memory registry tests
 * need no root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>

#include "cleanup.h"
#include "util.h"
#include "unit.h"

/* --- wrappers --- */

int __real_kill(pid_t pid, int sig);
int __real_unlink(const char *path);

static char *dir; /* this test's temp dir */
static char calls[16384]; /* "unlink PATH\n", "umount2 PATH\n", "kill PID SIG\n" */
static const char *fail_umount; /* umount2 on this path fails with EBUSY */
static pid_t fail_kill;         /* kill of this PID fails with EPERM */

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

int __wrap_unlink(const char *path);
int __wrap_unlink(const char *path)
{
	if (dir && strncmp(path, dir, strlen(dir)) == 0) /* only ours: no noise */
		log_call("unlink %s\n", path + strlen(dir));
	return __real_unlink(path);
}

/* --- helpers --- */

static bool have_run_dir; /* cleanup_init worked (root) */

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

static bool exists(const char *p) { return access(p, F_OK) == 0; }

static char *registry_text(void)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/registry", cleanup_run_dir());
	char *t = unit_slurp(p);
	return t ? t : strdup("(none)");
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
	dir = unit_tmpdir();
	calls[0] = '\0';
	fail_umount = NULL;
	fail_kill = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cleanup_unwind_to(0);
	fail_umount = NULL;
	fail_kill = 0;
	unit_rm_rf(dir);
	free(dir);
	dir = NULL;
	return 0;
}

static void unwind_all(size_t mark) { cleanup_unwind_to(mark); }

/* --- tests --- */

static void reverse_order(void **state)
{
	(void)state;
	size_t mark = cleanup_mark();
	_cleanup_free_ char *f1 = touch("f1"), *f2 = touch("f2"), *f3 = touch("f3");
	_cleanup_free_ char *m1 = path_in("m1"), *m2 = path_in("m2");
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f1), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_MOUNT, m1), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f2), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_MOUNT, m2), 0);
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f3), 0);
	assert_int_equal(cleanup_mark(), mark + 5);
	if (have_run_dir) {
		_cleanup_free_ char *reg = registry_text(), *want = NULL;
		assert_true(asprintf(&want, "file\t%s\nmount\t%s\nfile\t%s\nmount\t%s\nfile\t%s\n", f1, m1, f2, m2,
				     f3) > 0);
		assert_string_equal(reg, want);
	}
	calls[0] = '\0';
	_cleanup_free_ char *err = stderr_of(unwind_all, mark);
	assert_string_equal(err, "");
	_cleanup_free_ char *want = NULL;
	assert_true(asprintf(&want, "unlink /f3\numount2 %s\nunlink /f2\numount2 %s\nunlink /f1\n", m2, m1) > 0);
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
	_cleanup_free_ char *other = path_in("missing"); /* already gone: not an error */
	assert_int_equal(mkdir(d, 0755), 0);
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
	assert_true(asprintf(&want, "unlink /f3\nunlink /missing\numount2 %s\nunlink /adir\nkill %d 9\nunlink /f1\n", m,
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
	__real_kill(stubborn, SIGKILL);
	waitpid(stubborn, NULL, 0);
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
		assert_true(asprintf(&want, "process\t%d:%llu\nprocess\t-%d:%llu\n", (int)a, start_time(a),
				     (int)leader, start_time(leader)) > 0);
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
		assert_true(asprintf(&want, "file\t%s\nfile\t%s\n", f1, f3) > 0);
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
	_cleanup_free_ char *tree = path_in("tree"), *deep = path_in("tree/a/b"), *file = path_in("tree/a/b/f");
	assert_int_equal(mkdir_p(deep, 0755), 0);
	assert_int_equal(unit_write(file, "x"), 0);
	_cleanup_free_ char *link = path_in("tree/a/link-to-etc");
	assert_int_equal(symlink("/etc", link), 0);
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_DIR, tree), 0);
	assert_false(exists(tree));
	assert_true(exists("/etc/hostname")); /* a symlink is removed, never followed */
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_DIR, tree), 0); /* gone: fine */

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
	assert_int_equal(cleanup_undo_object(NSLAB_OBJ_NETNS, ns), 0); /* already gone */
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

static void replay_dead_run(void **state)
{
	(void)state;
	if (!have_run_dir)
		skip();
	/* A PID that is certainly not running: a child we made and reaped. */
	pid_t dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	char run[64];
	snprintf(run, sizeof(run), NSLAB_RUN_BASE "/%d", (int)dead);
	if (exists(run))
		skip(); /* a real leftover with that PID: not ours to touch */
	_cleanup_free_ char *labdir = NULL, *labfile = NULL;
	assert_true(asprintf(&labdir, "%s/lab", run) > 0);
	assert_true(asprintf(&labfile, "%s/lab/root-file", run) > 0);
	assert_int_equal(mkdir_p(labdir, 0755), 0);
	assert_int_equal(unit_write(labfile, "x"), 0);
	_cleanup_free_ char *fa = touch("a"), *fb = touch("b"), *m = path_in("mnt");
	pid_t victim = sleeper(false), stranger = sleeper(false);
	_cleanup_free_ char *reg = NULL;
	assert_true(asprintf(&reg,
			     "file\t%s\n"
			     "process\t%d:%llu\n"
			     "dir\t%s\n"
			     "no tab on this line\n"
			     "bogus\tkind\n"
			     "mount\t%s\n"
			     "process\t%d:%llu\n" /* wrong start time: a reused PID */
			     "file\t%s\n",
			     fa, (int)victim, start_time(victim), labdir, m, (int)stranger, start_time(stranger) + 7,
			     fb) > 0);
	char regpath[96];
	snprintf(regpath, sizeof(regpath), "%s/registry", run);
	assert_int_equal(unit_write(regpath, reg), 0);

	assert_true(cleanup_dead_runs_exist());
	said[0] = calls[0] = '\0';
	int n = cleanup_dead_runs(say);
	assert_true(n >= 1);

	/* undone in reverse order of the file, then the run dir itself */
	char vict[64], work[96];
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

	assert_false(exists(fa) || exists(fb) || exists(run));
	assert_true(gone(victim));
	waitpid(victim, NULL, 0);
	assert_int_equal(kill(stranger, 0), 0); /* spared */
	assert_true(exists(cleanup_run_dir())); /* our own, live run is not touched */
	__real_kill(stranger, SIGKILL);
	waitpid(stranger, NULL, 0);
}

static void live_runs_are_left_alone(void **state)
{
	(void)state;
	if (!have_run_dir)
		skip();
	_cleanup_free_ char *f = touch("ours");
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f), 0);
	said[0] = '\0';
	cleanup_dead_runs(say);
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
	char run[64], path[128], text[64];
	snprintf(run, sizeof(run), NSLAB_RUN_BASE "/%d", (int)owner);
	if (exists(run))
		skip();
	assert_int_equal(mkdir_p(run, 0755), 0);
	_cleanup_free_ char *f = touch("kept-by-live-owner"), *reg = NULL;
	assert_true(asprintf(&reg, "file\t%s\n", f) > 0);
	snprintf(path, sizeof(path), "%s/registry", run);
	assert_int_equal(unit_write(path, reg), 0);
	snprintf(path, sizeof(path), "%s/owner", run);
	snprintf(text, sizeof(text), "%d %llu\n", (int)owner, start_time(owner));
	assert_int_equal(unit_write(path, text), 0);
	said[0] = '\0';
	cleanup_dead_runs(say);
	assert_true(exists(f));
	assert_true(exists(run));
	assert_not_contains(said, f);

	/* the same PID with another start time: the run's process is gone */
	snprintf(text, sizeof(text), "%d %llu\n", (int)owner, start_time(owner) + 3);
	assert_int_equal(unit_write(path, text), 0);
	assert_true(cleanup_dead_runs_exist());
	said[0] = '\0';
	cleanup_dead_runs(say);
	assert_false(exists(f));
	assert_false(exists(run));
	assert_contains(said, f);
	assert_int_equal(kill(owner, 0), 0); /* the process itself is never touched */
	__real_kill(owner, SIGKILL);
	waitpid(owner, NULL, 0);
}

/* Last: cleanup_all removes everything and the run directory. */
static void cleanup_all_removes_run_dir(void **state)
{
	(void)state;
	_cleanup_free_ char *f = touch("last");
	assert_int_equal(cleanup_keep(NSLAB_OBJ_FILE, f), 0);
	char run[64];
	snprintf(run, sizeof(run), "%s", cleanup_run_dir() ? cleanup_run_dir() : "");
	cleanup_all();
	assert_false(exists(f));
	assert_int_equal(cleanup_mark(), 0);
	assert_null(cleanup_run_dir());
	if (have_run_dir)
		assert_false(exists(run));
}

static int group_setup(void **state)
{
	(void)state;
	/* Older nslab builds took a run dir without an owner file as dead
	 * unless its process was named nslab*: keep a name that passes, so that
	 * no `nslab --cleanup` replays our live registry. */
	prctl(PR_SET_NAME, "nslab-unittest");
	have_run_dir = geteuid() == 0 && cleanup_init() == 0;
	if (!have_run_dir)
		fprintf(stderr, "(no %s/<pid>: mirror and dead-run tests skipped)\n", NSLAB_RUN_BASE);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	cleanup_all();
	return 0;
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(reverse_order),
		T(unwind_to_a_mark),
		T(partial_failure_continues),
		T(processes_and_groups),
		T(process_reuse_guard),
		T(undo_one),
		T(dir_kind_stays_in_bounds),
		T(other_kinds),
		T(replay_dead_run),
		T(live_runs_are_left_alone),
		T(owner_file_decides),
		T(cleanup_all_removes_run_dir),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
