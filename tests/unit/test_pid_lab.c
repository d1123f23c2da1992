/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pid_lab.c: the pid lab's checks, its `unshare` command and its
 * messages on the fake host (fakehost.h). Step 1 reads the fake mount
 * tables. Steps 2 to 4 read /proc/PID/status, /proc/PID/ns and /proc
 * themselves, not through the host: they are tested with the test process
 * as the "lab process" (in the host's PID namespace, so they fail with the
 * lab's words), and step 3 passes once the test has a child, which is what
 * an adopted orphan looks like from /proc. setup is not called: it
 * bind-mounts the workdir itself. Runs without root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>

#include "fakehost.h"

FAKE_LAB_GROUP("pid")

static int answer_ok(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen, (void)out, (void)outlen;
	return 0;
}
static int answer_unshare(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen;
	snprintf(out, outlen, "2");
	return 0;
}
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
	char want[200];
	snprintf(want, sizeof(want),
		 "missing: 2 mount(s) of the lab still receive mounts from the host (\"master:N\" or "
		 "\"shared:N\" in /proc/%d/mountinfo)",
		 (int)lab);
	assert_contains(fk.out, want);
	for (unsigned i = 0; i < fk.nmounts; i++)
		fk.mounts[i].m.shared = fk.mounts[i].m.slave = false;
	assert_true(fake_check(1));
}

static void proc_step_wants_pid_1_and_its_own_proc(void **state)
{
	(void)state;
	fake_main(); /* no such process */
	assert_false(fake_check(2));
	char want[128];
	snprintf(want, sizeof(want), "missing: cannot read NSpid in /proc/%d/status", (int)fk.main);
	assert_contains(fk.out, want);
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
	assert_contains(fk.out, "missing: no process in the lab has PID 1 as its parent yet "
				"(run sleep 3141 >/dev/null 2>&1 &)");
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
	char want[160];
	snprintf(want, sizeof(want),
		 "missing: pid_for_children of the lab process is still its own PID namespace "
		 "(/proc/%d/ns/pid_for_children)",
		 (int)getpid());
	assert_contains(fk.out, want);
}

static void unshare_command_forks_the_nested_init(void **state)
{
	(void)state;
	fake_main(); /* no /proc entry: both of its pid rows read alike */
	fake_on_call("ag_unshare", answer_unshare);
	assert_int_equal(fake_cmd("unshare"), 0);
	assert_contains(fk.out,
			"trace: unshare(CLONE_NEWPID) = 0   (the caller stays PID 1 of its namespace)");
	assert_contains(fk.out, "trace: clone(SIGCHLD) = 2   (its PID in the lab; -1 on the host;");
	assert_contains(fk.out,
			"unshare(CLONE_NEWPID) = 0, then fork(): look at the pid and pid_for_children "
			"rows of `ns`\n");
	fake_on_call("ag_unshare", answer_unshare_eperm);
	assert_int_equal(fake_cmd("unshare"), -1);
	assert_contains(fk.out,
			"error: unshare(CLONE_NEWPID) failed in the lab process: Operation not permitted");
}

static void do_calls_the_lab(void **state)
{
	(void)state;
	fake_main();
	fake_on_call("ag_private|nslab_call_make_private", answer_ok);
	assert_int_equal(fake_step(0)->perform(&fk.host), 0);
	assert_contains(fk.out, "trace: mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL) = 0");
	fake_on_call("ag_mount_proc", answer_ok);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    fake_test(private_step_wants_no_propagation),
	    fake_test(proc_step_wants_pid_1_and_its_own_proc),
	    fake_test(orphan_step_wants_a_child_of_pid_1),
	    fake_test(for_children_step_wants_another_pid_namespace),
	    fake_test(unshare_command_forks_the_nested_init),
	    fake_test(do_calls_the_lab),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
