/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pid_lab.c: the pid lab's checks, its `pidns` command and its
 * messages on the fake host (fakehost.h, fakelab.h). Step 1 reads the fake mount
 * tables. Steps 2 to 4 read /proc/PID/status, /proc/PID/ns and /proc
 * themselves, not through the host, so real processes stand in for the lab
 * process: the test process (in the host's PID namespace: the steps fail
 * with the lab's words), and PID 1 of a PID namespace made in an
 * unprivileged user namespace, with a child, or with a nested namespace of
 * its own (the steps pass; skipped where no user namespace can be made).
 * setup is not called: it bind-mounts the workdir itself. Runs without
 * root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "fakelab.h"
#include "standin.h"

FAKE_LAB_GROUP("pid")

static int answer_unshare_eperm(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen;
	errno = EPERM;
	return nslab_fail(out, outlen, "unshare(CLONE_NEWPID)");
}

static void private_step_wants_no_propagation(void **state)
{
	(void)state;
	pid_t lab = fake_main();
	fake_mount(lab, "/", "ext4", "/dev/vda1", NULL)->m.slave = true;
	fake_mount(lab, "/run", "tmpfs", "tmpfs", NULL)->m.shared = true;
	fake_mount(lab, "/proc", "proc", "proc", NULL);
	assert_false(fake_check(1));
	assert_out_has("missing: 2 mount(s) of the lab still receive mounts from the host (\"master:N\" or "
		       "\"shared:N\" in /proc/%d/mountinfo)",
		       (int)lab);
	for (unsigned i = 0; i < fk.nmounts; i++)
		fk.mounts[i].m.shared = fk.mounts[i].m.slave = false;
	assert_true(fake_check(1));
}

static void proc_step_wants_pid_1_and_its_own_proc(void **state)
{
	(void)state;
	fake_main(); /* no such process */
	assert_false(fake_check(2));
	assert_out_has("missing: cannot read NSpid in /proc/%d/status", (int)fk.main);
	fk.main = getpid(); /* a process in the host's PID namespace */
	assert_false(fake_check(2));
	assert_contains(fk.out, "missing: the lab process is not PID 1 of a namespace of its own (NSpid: ");
	assert_not_contains(fk.log, "ag_proc_self"); /* /proc is not looked at before PID 1 */
}

static void orphan_step_wants_a_child_of_pid_1(void **state)
{
	(void)state;
	fk.main = getpid();
	assert_false(fake_check(3));
	assert_contains(fk.out,
			"missing: no process in the lab has PID 1 as its parent yet (`"
			"run sleep 3141 >/dev/null 2>&1 &`, or `run unshare --pid --fork --mount-proc");
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	assert_true(child > 0);
	bool ok = fake_check(3);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	assert_true(ok);
	fake_main();
	fk.main = fk.next_pid; /* no such process: its namespace cannot be read */
	assert_false(fake_check(3));
	assert_contains(fk.out, "missing: cannot read /proc");
}

static void for_children_step_wants_another_pid_namespace(void **state)
{
	(void)state;
	fk.main = getpid();
	assert_false(fake_check(4));
	assert_out_has("missing: pid_for_children of the lab process is still its own PID namespace "
		       "(/proc/%d/ns/pid_for_children)",
		       (int)getpid());
}

static void pidns_command_forks_the_nested_init(void **state)
{
	(void)state;
	assert_non_null(fake_command("pidns"));
	assert_null(fake_command("unshare"));
	fake_main(); /* no /proc entry: both of its pid rows read alike */
	fake_on_call_text("ag_unshare", "2");
	assert_int_equal(fake_cmd("pidns"), 0);
	assert_contains(fk.out,
			"trace: unshare(CLONE_NEWPID) = 0   (the caller stays PID 1 of its namespace)");
	assert_contains(fk.out, "trace: clone(SIGCHLD) = 2   (its PID in the lab; -1 on the host;");
	assert_contains(fk.out,
			"unshare(CLONE_NEWPID) = 0, then fork(): look at the pid and pid_for_children "
			"rows of `ns`\n");
	fake_on_call("ag_unshare", answer_unshare_eperm);
	assert_int_equal(fake_cmd("pidns"), -1);
	assert_contains(fk.out,
			"error: unshare(CLONE_NEWPID) failed in the lab process: Operation not permitted");
}

static void do_calls_the_lab(void **state)
{
	(void)state;
	fake_main();
	fake_on_call("ag_private|nslab_call_make_private", fake_answer_ok);
	assert_int_equal(fake_step(0)->perform(&fk.host), 0);
	assert_contains(fk.out, "trace: mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL) = 0");
	fake_on_call("ag_mount_proc", fake_answer_ok);
	assert_int_equal(fake_step(1)->perform(&fk.host), 0);
	assert_contains(
	    fk.out, "trace: mount(\"proc\", \"/proc\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) = 0");
	fake_run("sleep 3141", 0, "");
	assert_int_equal(fake_step(2)->perform(&fk.host), 0);
	assert_contains(fk.log, "run 0 sleep 3141 >/dev/null 2>&1 &");
	fk.nruns = 0;
	fake_run("sleep 3141", 2, "");
	assert_int_equal(fake_step(2)->perform(&fk.host), -1);
	assert_contains(fk.out, "error: could not start sleep 3141 in the lab (status 2)");
}

/* --- a real PID namespace, without privilege --- */

enum pidns { PIDNS_PLAIN, PIDNS_CHILD, PIDNS_UNSHARED, PIDNS_NESTED, PIDNS_PROC };

static pid_t outer, init1;

/* PID 1 of a new PID namespace (in a user namespace of its own, so that no
 * privilege is needed): its host pid, or 0 where none can be made. Then,
 * by mode: a child of it; unshare(CLONE_NEWPID) only; or that and a child
 * (the nested namespace's PID 1). */
static pid_t pid1(enum pidns mode)
{
	int p[2], q[2]; /* p: its pid, from its parent; q: ready, from itself */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	outer = fork();
	if (outer == 0) {
		close(p[0]);
		close(q[0]);
		pid_t g = unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS) == 0 ? fork() : -1;
		if (g == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			/* what unshare --mount-proc does: private mounts, then a proc of its own */
			if (mode == PIDNS_PROC && (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
						   mount("proc", "/proc", "proc", 0, NULL) < 0))
				_exit(1);
			if (mode == PIDNS_UNSHARED || mode == PIDNS_NESTED)
				if (unshare(CLONE_NEWPID) < 0)
					_exit(1);
			if ((mode == PIDNS_CHILD || mode == PIDNS_NESTED) && fake_child() <= 0)
				_exit(1);
			char ok = 1;
			if (write(q[1], &ok, 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		if (write(p[1], &g, sizeof(g)) != sizeof(g) || g <= 0)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	close(q[1]);
	pid_t g = 0;
	char ok = 0;
	if (outer <= 0 || read(p[0], &g, sizeof(g)) != sizeof(g) || g <= 0 || read(q[0], &ok, 1) != 1 || !ok)
		g = 0;
	close(p[0]);
	close(q[0]);
	init1 = g;
	return g;
}

/* The test's teardown: PID 1 dies with its parent, and everything in its
 * namespace with it. */
static int finish(void **state)
{
	(void)state;
	if (init1 > 0)
		kill(init1, SIGKILL);
	init1 = 0;
	fake_reap(&outer);
	return 0;
}
#define pidns_test(fn) cmocka_unit_test_setup_teardown(fn, fake_test_setup, finish)

static char proc_self[16];

static void proc_step_passes_for_pid_1_with_its_own_proc(void **state)
{
	(void)state;
	fk.main = pid1(PIDNS_PLAIN);
	if (!fk.main)
		skip(); /* no unprivileged user namespaces here */
	assert_false(fake_check(2));
	assert_string_equal(fk.out, "missing: the lab has no readable /proc (Function not implemented)\n");
	fake_on_call_text("ag_proc_self", proc_self);
	snprintf(proc_self, sizeof(proc_self), "4242");
	assert_false(fake_check(2));
	assert_string_equal(
	    fk.out,
	    "missing: the lab's /proc still belongs to the host's PID namespace (/proc/self is "
	    "4242 for the lab process, which is PID 1 in its own), and no other process of the lab has a "
	    "/proc of its own PID namespace: `run mount -t proc proc /proc`, or `host unshare --pid --fork "
	    "--mount-proc sleep infinity &`\n");
	snprintf(proc_self, sizeof(proc_self), "1");
	assert_true(fake_check(2));
}

static void orphan_step_passes_for_a_child_of_pid_1(void **state)
{
	(void)state;
	fk.main = pid1(PIDNS_PLAIN);
	if (!fk.main)
		skip();
	assert_false(fake_check(3));
	finish(NULL);
	fk.main = pid1(PIDNS_CHILD);
	assert_true(fk.main > 0);
	assert_true(fake_check(3));
}

static void for_children_step_passes_for_a_nested_namespace(void **state)
{
	(void)state;
	fk.main = pid1(PIDNS_UNSHARED);
	if (!fk.main)
		skip();
	assert_false(fake_check(4));
	assert_out_is(
	    "missing: the new PID namespace has no PID 1 yet, so /proc/%d/ns/pid_for_children cannot be "
	    "opened: "
	    "the lab process must start a child\n",
	    (int)fk.main);
	finish(NULL);
	fk.main = pid1(PIDNS_NESTED);
	assert_true(fk.main > 0);
	assert_true(fake_check(4));
}

/* The real tool: a subject other than the lab process (the lab process a
 * fake one, whose /proc cannot be read) that is PID 1 of a namespace of its
 * own, as `unshare --pid --fork --mount-proc` makes it. */
static void learner_namespaces_pass_steps_2_to_4(void **state)
{
	(void)state;
	fake_main();
	pid_t subject = pid1(PIDNS_PLAIN);
	if (!subject)
		skip();
	fk.subjects[fk.nsubjects++] = subject;
	fake_ns(subject, "pid", 0);
	for (unsigned n = 2; n <= 4; n++)
		assert_false(fake_check(n)); /* the host's /proc; no child; no nested namespace */
	finish(NULL);
	fk.subjects[0] = pid1(PIDNS_PROC);
	if (!fk.subjects[0])
		skip(); /* proc cannot be mounted in a user namespace here */
	fake_ns(fk.subjects[0], "pid", 0);
	assert_true(fake_check(2));
	assert_false(fake_check(3));
	finish(NULL);
	fk.subjects[0] = pid1(PIDNS_CHILD);
	assert_true(fake_check(3));
	assert_false(fake_check(4));
	finish(NULL);
	fk.subjects[0] = pid1(PIDNS_NESTED);
	assert_true(fake_check(4));
	assert_int_equal(fk.unscripted, 0); /* the (fake) lab process was never asked */
}

/* Facts issue 11 corrected, and the real tool first: pinned. */
static void texts_say_sigkill_from_an_ancestor_is_always_delivered(void **state)
{
	(void)state;
	assert_contains(fake_step(2)->explain,
			"(SIGKILL and SIGSTOP from an ancestor namespace are always delivered)");
	assert_contains(fake_step(1)->task, "  run unshare --pid --fork --mount-proc ps -ef\n");
	assert_contains(fake_step(3)->task,
			"  run unshare --pid --fork unshare --pid --fork sleep infinity &\n");
	assert_contains(fake_step(3)->explain, "since Linux 6.1");
	/* Placeholders said in words, jargon explained (issue 11). */
	assert_not_contains(fake_step(1)->task, "`watch PID`");
	assert_contains(fake_step(1)->task, "`host lsns -t pid` lists it; inside, `echo $$` says 1");
	assert_contains(fake_step(2)->explain, "prctl(PR_SET_CHILD_SUBREAPER)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    fake_test(texts_say_sigkill_from_an_ancestor_is_always_delivered),
	    pidns_test(learner_namespaces_pass_steps_2_to_4),
	    fake_test(private_step_wants_no_propagation),
	    fake_test(proc_step_wants_pid_1_and_its_own_proc),
	    fake_test(orphan_step_wants_a_child_of_pid_1),
	    fake_test(for_children_step_wants_another_pid_namespace),
	    fake_test(pidns_command_forks_the_nested_init),
	    fake_test(do_calls_the_lab),
	    pidns_test(proc_step_passes_for_pid_1_with_its_own_proc),
	    pidns_test(orphan_step_passes_for_a_child_of_pid_1),
	    pidns_test(for_children_step_passes_for_a_nested_namespace),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
