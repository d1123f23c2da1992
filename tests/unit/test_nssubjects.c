/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_nssubjects.c: how the lab's subjects become pane columns: one per
 * distinct set of namespaces the host does not share, the first process of
 * each, none for a set a pinned column already shows, none for a hidden PID;
 * the subject column's header; and the machine-wide look finding a child in
 * a UTS namespace made after the baseline (root only). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nssubjects.h"
#include "pane.h"

static void set_all(ino_t *ino, ino_t base)
{
	for (int r = 0; r < NS_COUNT; r++)
		ino[r] = base + (ino_t)r;
}

static struct ns_col host_col(void)
{
	struct ns_col c = {.pid = 1, .kind = NS_COL_HOST};
	set_all(c.ino, 100);
	return c;
}

static struct ns_subject subject(pid_t pid, enum ns_row row, ino_t other)
{
	struct ns_subject s = {.pid = pid};
	set_all(s.ino, 100);
	if (row < NS_COUNT)
		s.ino[row] = other;
	return s;
}

static void differs_and_same(void **state)
{
	(void)state;
	struct ns_col h = host_col();
	struct ns_subject a = subject(2, NS_UTS, 900), b = subject(3, NS_COUNT, 0);
	assert_true(nssub_differs(h.ino, a.ino));
	assert_false(nssub_differs(h.ino, b.ino));
	b.ino[NS_UTS] = 0; /* unknown: not a difference */
	assert_false(nssub_differs(h.ino, b.ino));
	assert_true(nssub_same_set(h.ino, b.ino));
	assert_false(nssub_same_set(a.ino, h.ino));
}

static void one_column_per_set(void **state)
{
	(void)state;
	struct ns_col shown[1] = {host_col()};
	struct ns_subject s[] = {
	    subject(10, NS_COUNT, 0), /* the host's set: no column */
	    subject(11, NS_IPC, 700), /* first of the ipc set */
	    subject(12, NS_IPC, 700), /* same set: no second column */
	    subject(13, NS_NET, 800), /* another set */
	    subject(14, NS_IPC, 701), /* another ipc namespace: another set */
	};
	size_t pick[8];
	size_t k = nssub_group(shown, 1, s, 5, NULL, 0, pick, 8);
	assert_int_equal(k, 3);
	assert_int_equal(s[pick[0]].pid, 11);
	assert_int_equal(s[pick[1]].pid, 13);
	assert_int_equal(s[pick[2]].pid, 14);
	/* max bounds what is picked */
	assert_int_equal(nssub_group(shown, 1, s, 5, NULL, 0, pick, 2), 2);
	/* nothing shown: no host to compare with */
	assert_int_equal(nssub_group(shown, 0, s, 5, NULL, 0, pick, 8), 0);
}

static void pinned_and_hidden_sets_left_out(void **state)
{
	(void)state;
	struct ns_col shown[2] = {host_col(), host_col()};
	shown[1].pid = 50;
	shown[1].kind = NS_COL_LAB;
	shown[1].ino[NS_UTS] = 900; /* the lab process's set */
	struct ns_subject s[] = {
	    subject(20, NS_UTS, 900), /* `run sleep 60 &` in the lab: the lab's column shows it */
	    subject(21, NS_NET, 800), subject(22, NS_NET, 800), /* same set as 21: one column for both */
	};
	size_t pick[4];
	size_t k = nssub_group(shown, 2, s, 3, NULL, 0, pick, 4);
	assert_int_equal(k, 1);
	assert_int_equal(s[pick[0]].pid, 21);
	pid_t hidden[] = {21};
	k = nssub_group(shown, 2, s, 3, hidden, 1, pick, 4);
	assert_int_equal(k, 1); /* the next of that set takes its place */
	assert_int_equal(s[pick[0]].pid, 22);
}

static void subject_header_is_its_command(void **state)
{
	(void)state;
	struct ns_col c = {.pid = 4242, .kind = NS_COL_SUBJECT, .inner_pid = 4242};
	snprintf(c.cmd, sizeof(c.cmd), "unshare -u bash");
	char l1[64], l2[64];
	pane_header(&c, l1, l2, sizeof(l1));
	assert_string_equal(l1, "unshare -u bash");
	assert_string_equal(l2, "pid 4242");
	c.inner_pid = 1;
	pane_header(&c, l1, l2, sizeof(l1));
	assert_string_equal(l2, "pid 4242 (1)");
	/* a long command line is cut after a whole word in the rendered pane */
	struct ns_col cols[2] = {host_col(), c};
	snprintf(cols[0].label, sizeof(cols[0].label), "nslab");
	snprintf(cols[1].cmd, sizeof(cols[1].cmd), "unshare --ipc --net sleep 60");
	struct pane_line lines[PANE_LINES];
	pane_render(cols, 2, 80, lines);
	assert_non_null(strstr(lines[0].text, "unshare --ipc "));
	assert_null(strstr(lines[0].text, "unshare --ipc --"));
}

static void cmdline_has_spaces(void **state)
{
	(void)state;
	char buf[64];
	nssub_cmdline(getpid(), buf, sizeof(buf));
	assert_non_null(strstr(buf, "test_nssubjects"));
	assert_null(strchr(buf, '\n'));
	nssub_cmdline(0x7ffffff0, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

/* A child that unshares its UTS namespace after the baseline is found once. */
static void new_namespace_found_once(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		skip();
		return;
	}
	assert_int_equal(nssub_baseline(), 0);
	struct ns_new found[4];
	nssub_new(NULL, 0, found, 4); /* whatever else started meanwhile */
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		char ok = unshare(CLONE_NEWUTS) == 0 ? 'y' : 'n';
		(void)!write(p[1], &ok, 1);
		for (;;)
			pause();
	}
	char ok = 0;
	assert_int_equal(read(p[0], &ok, 1), 1);
	assert_int_equal(ok, 'y');
	size_t n = nssub_new(NULL, 0, found, 4);
	bool seen = false;
	for (size_t i = 0; i < n; i++)
		seen |= found[i].pid == pid;
	assert_true(seen);
	/* said once; and a known subject in that set is not offered */
	n = nssub_new(NULL, 0, found, 4);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(found[i].pid, pid);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	nssub_free();
}

/* A process of the lab's (known) is not offered as new. */
static void known_not_offered(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		skip();
		return;
	}
	assert_int_equal(nssub_baseline(), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWIPC) < 0)
			_exit(1);
		for (;;)
			pause();
	}
	usleep(100000);
	struct ns_subject known = {.pid = pid};
	assert_int_equal(nssub_read(pid, known.ino), 0);
	struct ns_new found[4];
	size_t n = nssub_new(&known, 1, found, 4);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(found[i].pid, pid);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	nssub_free();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(differs_and_same),
	    cmocka_unit_test(one_column_per_set),
	    cmocka_unit_test(pinned_and_hidden_sets_left_out),
	    cmocka_unit_test(subject_header_is_its_command),
	    cmocka_unit_test(cmdline_has_spaces),
	    cmocka_unit_test(new_namespace_found_once),
	    cmocka_unit_test(known_not_offered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
