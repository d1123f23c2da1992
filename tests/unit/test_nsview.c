/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_nsview.c: namespace inodes from /proc/PID/ns: cell differences with
 * known and unknown inodes, reading ourselves, watched and lab processes,
 * and the whole-system scan. Children in their own UTS/IPC namespaces are
 * made only when we are root (skipped otherwise). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>

#include "nsview.h"
#include "util.h"
#include "unit.h"

/* --- child processes --- */

/* Forks a child that (optionally) unshares `flags`, then tells us it is
 * ready and sleeps until killed. Returns its PID. */
static pid_t child(int flags)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* no strays if an assert jumps out */
		close(p[0]);
		char ok = flags && unshare(flags) < 0 ? 'n' : 'y';
		(void)!write(p[1], &ok, 1);
		close(p[1]);
		for (;;)
			pause();
	}
	close(p[1]);
	char ok = 0;
	assert_int_equal(read(p[0], &ok, 1), 1);
	close(p[0]);
	assert_int_equal(ok, 'y');
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static ino_t ino_of(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static void skip_unless_root(void)
{
	if (geteuid() != 0)
		skip();
}

/* --- differs --- */

static void differs_known_and_unknown(void **state)
{
	(void)state;
	struct ns_col host = {0}, col = {0};
	for (int r = 0; r < NS_COUNT; r++)
		host.ino[r] = col.ino[r] = 4026531835UL + (ino_t)r;
	for (int r = 0; r < NS_COUNT; r++)
		assert_false(nsview_differs(&host, &col, r));
	col.ino[NS_UTS] = 4026532500UL;
	assert_true(nsview_differs(&host, &col, NS_UTS));
	assert_false(nsview_differs(&host, &col, NS_IPC));
	/* Unknown on either side (0: unreadable, or no time namespaces) is
	 * never a difference: we cannot tell. */
	col.ino[NS_TIME] = 0;
	assert_false(nsview_differs(&host, &col, NS_TIME));
	host.ino[NS_NET] = 0;
	col.ino[NS_NET] = 4026532999UL;
	assert_false(nsview_differs(&host, &col, NS_NET));
	host.ino[NS_UTS] = 0;
	assert_false(nsview_differs(&host, &col, NS_UTS));
	/* symmetric */
	host.ino[NS_MNT] = 1;
	col.ino[NS_MNT] = 2;
	assert_true(nsview_differs(&host, &col, NS_MNT));
	assert_true(nsview_differs(&col, &host, NS_MNT));
}

/* --- read --- */

static void read_self(void **state)
{
	(void)state;
	struct ns_col c;
	memset(&c, 0xff, sizeof(c)); /* read must overwrite what it reports */
	assert_int_equal(nsview_read(getpid(), &c), 0);
	assert_true(c.alive);
	assert_int_equal(c.pid, getpid());
	assert_int_equal(c.inner_pid, getpid()); /* we live in the PID namespace /proc shows */
	assert_string_equal(c.comm, "test_nsview");
	assert_int_equal(c.ino[NS_UTS], ino_of("/proc/self/ns/uts"));
	assert_int_equal(c.ino[NS_MNT], ino_of("/proc/self/ns/mnt"));
	assert_int_equal(c.ino[NS_NET], ino_of("/proc/self/ns/net"));
	assert_int_equal(c.ino[NS_PID_FOR_CHILDREN], ino_of("/proc/self/ns/pid_for_children"));
	for (int r = 0; r < NS_COUNT; r++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_row_name[r]);
		struct stat st;
		if (stat(path, &st) == 0)
			assert_int_equal(c.ino[r], st.st_ino);
		else
			assert_int_equal(c.ino[r], 0); /* not on this kernel: unknown */
	}
	/* a child that did nothing shares every namespace */
	pid_t kid = child(0);
	struct ns_col k;
	assert_int_equal(nsview_read(kid, &k), 0);
	for (int r = 0; r < NS_COUNT; r++)
		assert_false(nsview_differs(&c, &k, r));
	reap(kid);
}

static void read_gone_process(void **state)
{
	(void)state;
	pid_t kid = child(0);
	reap(kid);
	struct ns_col c;
	memset(&c, 0, sizeof(c));
	c.alive = true;
	assert_int_equal(nsview_read(kid, &c), -1);
	assert_false(c.alive);
	for (int r = 0; r < NS_COUNT; r++)
		assert_int_equal(c.ino[r], 0);
}

static void read_child_in_own_namespaces(void **state)
{
	(void)state;
	skip_unless_root();
	pid_t kid = child(CLONE_NEWUTS | CLONE_NEWIPC);
	struct ns_col me, k;
	assert_int_equal(nsview_read(getpid(), &me), 0);
	assert_int_equal(nsview_read(kid, &k), 0);
	assert_true(nsview_differs(&me, &k, NS_UTS));
	assert_true(nsview_differs(&me, &k, NS_IPC));
	assert_false(nsview_differs(&me, &k, NS_MNT));
	assert_false(nsview_differs(&me, &k, NS_NET));
	assert_false(nsview_differs(&me, &k, NS_PID));
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)kid);
	assert_int_equal(k.ino[NS_UTS], ino_of(path));
	reap(kid);
}

/* --- the live view's probe --- */

/* A child that, for each byte it reads, unshares its UTS namespace ('u') or
 * renames itself ('c'), then answers with one byte. */
static pid_t obedient_child(int *cmd, int *ack)
{
	int c[2], a[2];
	assert_int_equal(pipe(c), 0);
	assert_int_equal(pipe(a), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(c[1]);
		close(a[0]);
		char b;
		while (read(c[0], &b, 1) == 1) {
			if (b == 'u')
				b = unshare(CLONE_NEWUTS) == 0 ? 'y' : 'n';
			else
				b = prctl(PR_SET_NAME, "renamed") == 0 ? 'y' : 'n';
			(void)!write(a[1], &b, 1);
		}
		_exit(0);
	}
	close(c[0]);
	close(a[1]);
	*cmd = c[1];
	*ack = a[0];
	return pid;
}

static void order(int cmd, int ack, char what)
{
	char b = 0;
	assert_int_equal(write(cmd, &what, 1), 1);
	assert_int_equal(read(ack, &b, 1), 1);
	assert_int_equal(b, 'y');
}

static void stale_follows_the_process(void **state)
{
	(void)state;
	int cmd, ack;
	pid_t kid = obedient_child(&cmd, &ack);
	struct ns_col col;
	assert_int_equal(nsview_read(kid, &col), 0);
	assert_false(nsview_stale(&col)); /* first probe: compares the links and comm */
	assert_false(nsview_stale(&col)); /* it has not run since: one pread */

	order(cmd, ack, 'c');
	assert_true(nsview_stale(&col));
	assert_int_equal(nsview_read(kid, &col), 0);
	assert_string_equal(col.comm, "renamed");
	assert_false(nsview_stale(&col));

	if (geteuid() == 0) {
		ino_t before = col.ino[NS_UTS];
		order(cmd, ack, 'u');
		assert_true(nsview_stale(&col));
		assert_int_equal(nsview_read(kid, &col), 0);
		assert_true(col.ino[NS_UTS] != before);
		assert_false(nsview_stale(&col));
	}

	close(cmd);
	close(ack);
	reap(kid);
	assert_true(nsview_stale(&col)); /* gone: even if the PID came back */
}

static void generation_moves_with_the_lists(void **state)
{
	(void)state;
	unsigned g = nsview_generation();
	pid_t kid = child(0);
	assert_int_equal(nsview_watch(kid), 0);
	assert_true(nsview_generation() != g);
	g = nsview_generation();
	assert_int_equal(nsview_watch(kid), 0); /* already watched: no change */
	assert_int_equal(nsview_generation(), g);
	assert_int_equal(nsview_unwatch(kid), 0);
	assert_true(nsview_generation() != g);
	g = nsview_generation();
	nsview_lab_add(kid, "lab");
	assert_true(nsview_generation() != g);
	g = nsview_generation();
	nsview_lab_remove(kid);
	assert_true(nsview_generation() != g);
	g = nsview_generation();
	nsview_lab_clear();
	assert_true(nsview_generation() != g);
	reap(kid);
}

/* --- watch / lab / columns --- */

static void watch_and_unwatch(void **state)
{
	(void)state;
	pid_t pids[20];
	pid_t me = getpid();
	assert_int_equal(nsview_watched(pids, 20), 0);
	assert_int_equal(nsview_watch(me), 0);
	assert_int_equal(nsview_watch(me), 0); /* twice is once */
	assert_int_equal(nsview_watched(pids, 20), 1);
	assert_int_equal(pids[0], me);

	pid_t dead = child(0);
	reap(dead);
	errno = 0;
	assert_int_equal(nsview_watch(dead), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(nsview_watch(0), -1);
	assert_int_equal(nsview_watch(-5), -1);
	assert_int_equal(nsview_watched(pids, 20), 1);

	errno = 0;
	assert_int_equal(nsview_unwatch(dead), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(nsview_unwatch(me), 0);
	assert_int_equal(nsview_unwatch(me), -1);
	assert_int_equal(nsview_watched(pids, 20), 0);

	/* at most 16; the max argument of nsview_watched is honoured */
	pid_t kids[17];
	for (int i = 0; i < 17; i++)
		kids[i] = child(0);
	for (int i = 0; i < 16; i++)
		assert_int_equal(nsview_watch(kids[i]), 0);
	errno = 0;
	assert_int_equal(nsview_watch(kids[16]), -1);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(nsview_watched(pids, 20), 16);
	assert_int_equal(nsview_watched(pids, 3), 3);
	for (int i = 0; i < 17; i++) {
		if (i < 16)
			assert_int_equal(nsview_unwatch(kids[i]), 0);
		reap(kids[i]);
	}
	assert_int_equal(nsview_watched(pids, 20), 0);
}

static void columns_host_lab_watch(void **state)
{
	(void)state;
	struct ns_col cols[8];
	size_t n = nsview_columns(cols, 8);
	assert_int_equal(n, 1);
	assert_int_equal(cols[0].pid, getpid());
	assert_int_equal(cols[0].kind, NS_COL_HOST);
	assert_string_equal(cols[0].label, "nslab");

	pid_t lab = child(0), peer = child(0), w = child(0);
	nsview_lab_add(lab, "lab");
	nsview_lab_add(peer, NULL);   /* default label */
	nsview_lab_add(lab, "again"); /* already there: ignored */
	assert_int_equal(nsview_watch(w), 0);
	n = nsview_columns(cols, 8);
	assert_int_equal(n, 4);
	assert_int_equal(cols[1].pid, lab);
	assert_int_equal(cols[1].kind, NS_COL_LAB);
	assert_string_equal(cols[1].label, "lab");
	assert_int_equal(cols[2].pid, peer);
	assert_string_equal(cols[2].label, "lab");
	assert_int_equal(cols[3].pid, w);
	assert_int_equal(cols[3].kind, NS_COL_WATCH);
	assert_string_equal(cols[3].label, "watch");
	assert_true(cols[3].alive);
	/* max is honoured */
	assert_int_equal(nsview_columns(cols, 2), 2);

	/* a dead process drops out of the columns by itself */
	reap(w);
	n = nsview_columns(cols, 8);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(cols[i].pid, w);
	nsview_unwatch(w);

	nsview_lab_remove(lab);
	n = nsview_columns(cols, 8);
	assert_int_equal(n, 2);
	assert_int_equal(cols[1].pid, peer);
	nsview_lab_remove(lab); /* not there: no-op */
	nsview_lab_clear();
	assert_int_equal(nsview_columns(cols, 8), 1);
	reap(lab);
	reap(peer);
}

/* --- scan --- */

static const struct ns_entry *find_entry(const struct ns_entry *e, ssize_t n, enum ns_row type, ino_t ino)
{
	for (ssize_t i = 0; i < n; i++)
		if (e[i].type == type && e[i].ino == ino)
			return &e[i];
	return NULL;
}

static void scan_finds_our_namespaces(void **state)
{
	(void)state;
	struct ns_entry *e = NULL;
	ssize_t n = nsview_scan_all(&e);
	assert_true(n >= 1);
	assert_non_null(e);
	static const enum ns_row types[] = {NS_CGROUP, NS_IPC, NS_MNT, NS_NET, NS_PID, NS_USER, NS_UTS};
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_row_name[types[t]]);
		const struct ns_entry *x = find_entry(e, n, types[t], ino_of(path));
		if (!x)
			fail_msg("our %s namespace is not in the scan", ns_row_name[types[t]]);
		assert_true(x->nprocs >= 1);
		assert_true(x->pid >= 1 && x->pid <= getpid()); /* the lowest PID in it */
		assert_true(x->comm[0] != '\0');
	}
	/* sorted by type then inode; never the *_for_children rows; unique */
	for (ssize_t i = 0; i < n; i++) {
		assert_true(e[i].type != NS_PID_FOR_CHILDREN && e[i].type != NS_TIME_FOR_CHILDREN);
		assert_true(e[i].nprocs >= 1);
		if (i > 0)
			assert_true(e[i - 1].type < e[i].type ||
				    (e[i - 1].type == e[i].type && e[i - 1].ino < e[i].ino));
	}
	free(e);
}

static void scan_counts_processes(void **state)
{
	(void)state;
	skip_unless_root();
	/* One child in a new UTS namespace, then two more children of it there:
	 * the scan must count 3 processes, owned by the lowest PID. */
	pid_t a = child(CLONE_NEWUTS);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)a);
	ino_t uts = ino_of(path);
	struct ns_entry *e = NULL;
	ssize_t n = nsview_scan_all(&e);
	const struct ns_entry *x = find_entry(e, n, NS_UTS, uts);
	assert_non_null(x);
	assert_int_equal(x->nprocs, 1);
	assert_int_equal(x->pid, a);
	assert_int_equal(x->uid, geteuid());
	assert_string_equal(x->comm, "test_nsview");
	free(e);

	/* setns into it from two more children */
	pid_t more[2];
	for (int i = 0; i < 2; i++) {
		int p[2];
		assert_int_equal(pipe(p), 0);
		more[i] = fork();
		if (more[i] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			int fd = open(path, O_RDONLY);
			char ok = fd >= 0 && setns(fd, CLONE_NEWUTS) == 0 ? 'y' : 'n';
			(void)!write(p[1], &ok, 1);
			for (;;)
				pause();
		}
		close(p[1]);
		char ok = 0;
		assert_int_equal(read(p[0], &ok, 1), 1);
		assert_int_equal(ok, 'y');
		close(p[0]);
	}
	n = nsview_scan_all(&e);
	x = find_entry(e, n, NS_UTS, uts);
	assert_non_null(x);
	assert_int_equal(x->nprocs, 3);
	pid_t lowest = a;
	for (int i = 0; i < 2; i++)
		lowest = more[i] < lowest ? more[i] : lowest;
	assert_int_equal(x->pid, lowest);
	free(e);
	reap(more[0]);
	reap(more[1]);
	reap(a);
	n = nsview_scan_all(&e);
	assert_null(find_entry(e, n, NS_UTS, uts)); /* gone with its processes */
	free(e);
}

static void scan_many_namespaces(void **state)
{
	(void)state;
	skip_unless_root();
	/* More namespaces than the scan's first table (1024 slots, grown at
	 * half full): 300 children x 2 new namespaces. */
	enum { N = 300 };
	pid_t kids[N];
	for (int i = 0; i < N; i++)
		kids[i] = child(CLONE_NEWUTS | CLONE_NEWIPC);
	struct ns_entry *e = NULL;
	ssize_t n = nsview_scan_all(&e);
	assert_true(n >= 2 * N);
	int found = 0;
	for (int i = 0; i < N; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)kids[i]);
		const struct ns_entry *x = find_entry(e, n, NS_IPC, ino_of(path));
		found += x && x->nprocs == 1 && x->pid == kids[i];
	}
	assert_int_equal(found, N);
	free(e);
	for (int i = 0; i < N; i++)
		reap(kids[i]);
}

static int teardown(void **state)
{
	(void)state;
	nsview_lab_clear();
	pid_t pids[32];
	size_t n = nsview_watched(pids, 32);
	for (size_t i = 0; i < n; i++)
		nsview_unwatch(pids[i]);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(differs_known_and_unknown),
	    cmocka_unit_test(read_self),
	    cmocka_unit_test(read_gone_process),
	    cmocka_unit_test(read_child_in_own_namespaces),
	    cmocka_unit_test(stale_follows_the_process),
	    cmocka_unit_test_teardown(generation_moves_with_the_lists, teardown),
	    cmocka_unit_test_teardown(watch_and_unwatch, teardown),
	    cmocka_unit_test_teardown(columns_host_lab_watch, teardown),
	    cmocka_unit_test(scan_finds_our_namespaces),
	    cmocka_unit_test(scan_counts_processes),
	    cmocka_unit_test(scan_many_namespaces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
