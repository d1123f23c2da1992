/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_chroot_escape_lab.c: the chroot-escape lab's three checks, its
 * `escape`, `rejail` and `chdir` commands and its messages on the fake host
 * (fakehost.h, fakelab.h). The jail is a directory under the test's workdir. The lab
 * reads /proc/PID/root and the process tree itself, so real processes stand
 * in: the test process has the host's / as its root (an escaped lab
 * process), a child of it is an escaped process below the lab process, and
 * a pid that does not exist is a lab process still in its jail. setup is
 * not called: it needs mknod (CAP_MKNOD) for the jail's /dev/null.
 * Runs without root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fakelab.h"
#include "standin.h"

FAKE_LAB_GROUP("chroot-escape")

static char jail[512];
static pid_t child;
static char child_pid[16];

static void start(void)
{
	snprintf(jail, sizeof(jail), "%s/jail", fk.workdir);
	mkdir(jail, 0755);
	fh_set_root(&fk.host, jail);
	fake_main(); /* no such process: not the host's / */
}

static pid_t start_child(void)
{
	child = fake_child();
	assert_true(child > 0);
	snprintf(child_pid, sizeof(child_pid), "%d", (int)child);
	return child;
}

static int finish(void **state)
{
	(void)state;
	fake_reap(&child);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", jail);
	if (jail[0] && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", jail);
	return 0;
}
#define escape_test(fn) cmocka_unit_test_setup_teardown(fn, fake_test_setup, finish)

static int answer_cd(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arglen;
	snprintf(out, outlen, "%s", arg);
	return 0;
}

static void once_step_wants_the_helper_at_the_host_root(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(1));
	assert_string_equal(fk.out,
			    "missing: the escape program has not reached the host's / from the jail yet (it "
			    "notes that in /.nslab-escape/reached): `run /nslab-escape -v ls /`\n");
	char dir[600], file[620], text[64];
	snprintf(dir, sizeof(dir), "%s/.nslab-escape", jail);
	snprintf(file, sizeof(file), "%s/reached", dir);
	mkdir(dir, 0755);
	struct stat jst, hst;
	assert_int_equal(stat(jail, &jst), 0);
	snprintf(text, sizeof(text), "%llu %llu\n", (unsigned long long)jst.st_dev,
		 (unsigned long long)jst.st_ino);
	assert_int_equal(unit_write(file, text), 0); /* it stopped at the jail's top */
	assert_false(fake_check(1));
	assert_int_equal(stat("/", &hst), 0);
	snprintf(text, sizeof(text), "%llu %llu\n", (unsigned long long)hst.st_dev,
		 (unsigned long long)hst.st_ino);
	assert_int_equal(unit_write(file, text), 0);
	assert_true(fake_check(1));
}

static void running_step_wants_an_escaped_process_below_the_lab(void **state)
{
	(void)state;
	start();
	fk.main = getpid();
	assert_false(fake_check(2));
	assert_string_equal(fk.out,
			    "missing: no process of the lab has escaped to the host's / (the lab process "
			    "is in the jail): `host chroot $NSLAB_LAB_ROOT /nslab-escape sleep 3600 &`, or "
			    "`escape`\n");
	start_child(); /* below the lab process, root the host's / */
	assert_true(fake_check(2));
}

/* A sleep with the given environment, not below the lab process. */
static pid_t sleeper_with(char *const envp[])
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execle("/bin/sleep", "sleep", "30", (char *)NULL, envp);
		_exit(127);
	}
	for (int i = 0; i < 200 && access("/bin/sleep", X_OK) == 0; i++) { /* until it has exec'd */
		char exe[64], buf[PATH_MAX];
		snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
		ssize_t n = readlink(exe, buf, sizeof(buf) - 1);
		if (n > 0 && (buf[n] = '\0', strstr(buf, "sleep")))
			break;
		usleep(5000);
	}
	return pid;
}

/* Among the subjects (the lab cgroup: a `run ... &` re-parented away from
 * the lab process), only what the escape helper marked counts: a process
 * started on the host has the host's / as its root too. */
static void running_step_takes_a_marked_subject(void **state)
{
	(void)state;
	start();
	char *plain[] = {"PATH=/bin", NULL}, *marked[] = {"PATH=/bin", "NSLAB_ESCAPED=1", NULL};
	pid_t host_sleep = sleeper_with(plain), escaped = sleeper_with(marked);
	fk.subjects[fk.nsubjects++] = host_sleep;
	assert_false(fake_check(2));
	assert_out_is(
	    "missing: PID %d has the host's / as its root, but it never was in the jail (the escape "
	    "program did not start it): `host chroot $NSLAB_LAB_ROOT /nslab-escape sleep 3600 &`, or "
	    "`escape`\n",
	    (int)host_sleep);
	fk.subjects[fk.nsubjects++] = escaped;
	assert_true(fake_check(2));
	kill(host_sleep, SIGKILL);
	kill(escaped, SIGKILL);
	waitpid(host_sleep, NULL, 0);
	waitpid(escaped, NULL, 0);
}

#define PERL_CLIMB                                                                                           \
	"host chroot $NSLAB_LAB_ROOT /usr/bin/perl -e 'mkdir \"out\"; chroot \"out\"; chdir \"..\" for "     \
	"1..64; "                                                                                            \
	"chroot \".\"; sleep 3600' &"

static void by_hand_step_wants_the_lab_process_out(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(3));
	assert_out_is("missing: the lab process (PID %d) still has ? as its root, and no process started in "
		      "the jail has climbed out by itself: `" PERL_CLIMB "`, or `rejail /out`, `chdir "
		      "../../../../../../..`, `rejail .`\n",
		      (int)fk.main);
	fk.main = getpid(); /* its root is the host's / */
	assert_true(fake_check(3));
}

/* A sleep run from the given program file, not below the lab process. */
static pid_t sleeper_from(const char *program)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(program, "sleep", "30", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) { /* until it has exec'd */
		char exe[64], buf[PATH_MAX];
		snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
		ssize_t n = readlink(exe, buf, sizeof(buf) - 1);
		if (n > 0 && (buf[n] = '\0', strstr(buf, "sleep")))
			break;
		usleep(5000);
	}
	return pid;
}

/* A learner's process that runs a program of the jail with the host's / as
 * its root climbed out by itself (perl's chroot calls, started with
 * chroot(8)): step 3 is done while the lab process is still jailed. A
 * process run from a host program, root / too, never was in the jail. */
static void by_hand_step_takes_a_subject_that_climbed_out(void **state)
{
	(void)state;
	start();
	char bin[600], copy[620];
	snprintf(bin, sizeof(bin), "%s/bin", jail);
	snprintf(copy, sizeof(copy), "%s/sleep", bin);
	mkdir(bin, 0755);
	assert_int_equal(fh_copy_file(&fk.host, "/bin/sleep", copy), 0);
	pid_t host_sleep = sleeper_from("/bin/sleep");
	fk.subjects[fk.nsubjects++] = host_sleep;
	assert_false(fake_check(3));
	assert_contains(fk.out, "missing: the lab process (PID ");
	pid_t climbed = sleeper_from(copy); /* the jail's program, the host's / */
	fk.subjects[fk.nsubjects++] = climbed;
	assert_true(fake_check(3));
	kill(host_sleep, SIGKILL);
	kill(climbed, SIGKILL);
	waitpid(host_sleep, NULL, 0);
	waitpid(climbed, NULL, 0);
}

static void escape_command_shows_the_escaped_process(void **state)
{
	(void)state;
	start();
	assert_int_equal(fake_cmd("escape"), -1);
	assert_string_equal(fk.out, "error: starting /nslab-escape in the lab process failed: Function not "
				    "implemented\n");
	start_child();
	/* the escape helper was forked: its PID is the test's child */
	fake_on_call_text("agent_spawn_escape", child_pid);
	assert_int_equal(fake_cmd("escape"), 0);
	assert_log_has("keep 1 %d\n", (int)child);
	assert_log_has("show_pid %d escaped\n", (int)child);
	assert_out_has(
	    "PID %d (sleep 3600) escaped: its root is the host's /. Try `host ls -l /proc/%d/root`\n",
	    (int)child, (int)child);
	snprintf(child_pid, sizeof(child_pid), "0");
	assert_int_equal(fake_cmd("escape"), -1);
	assert_string_equal(fk.out, "error: starting /nslab-escape: no PID came back\n");
	fk.main = getpid(); /* escaped already */
	assert_int_equal(fake_cmd("escape"), -1);
	assert_string_equal(fk.out,
			    "error: the lab process has already escaped, so there is no jail to start from: "
			    "`reset` builds a fresh one\n");
}

static void rejail_and_chdir_commands_say_what_the_lab_process_did(void **state)
{
	(void)state;
	start();
	fake_on_call("agent_chroot|nslab_call_chroot", fake_answer_eperm);
	assert_int_equal(fake_cmd("rejail /out"), -1);
	assert_string_equal(fk.out, "trace: chroot(\"/out\") = -1 EPERM\nerror: chroot /out: Operation not "
				    "permitted (chroot needs CAP_SYS_CHROOT: run nslab as root)\n");
	fake_on_call("agent_chroot|nslab_call_chroot", fake_answer_ok);
	fk.main = getpid();
	assert_int_equal(fake_cmd("rejail /out"), 0);
	char cwd[PATH_MAX];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_out_has("the lab process's root is now /; its working directory is still %s (host paths)\n",
		       cwd);
	fake_on_call("agent_cd|nslab_call_chdir", answer_cd);
	assert_int_equal(fake_cmd("chdir ../.."), 0);
	assert_out_has("the lab process's working directory is now %s (getcwd says ../..)\n", cwd);
	assert_int_equal(fake_cmd("chdir"), 0);
	assert_contains(fk.out, "trace: chdir(\"/\") = 0\n");
}

static void by_hand_do_reports_the_climb(void **state)
{
	(void)state;
	start();
	assert_int_equal(fake_step(2)->perform(&fk.host), -1);
	assert_string_equal(fk.out,
			    "error: the escape in the lab process failed: Function not implemented\n");
	fake_on_call_text("agent_escape_by_hand", "7");
	fake_run("ls /", 0, "bin\n");
	fk.out[0] = '\0';
	assert_int_equal(fake_step(2)->perform(&fk.host), 0);
	assert_contains(fk.out, "trace: chdir(\"..\") = 0   (x7, until \"..\" is \".\")\n");
	assert_contains(fk.out,
			"the lab process made: mkdir out, chroot out, chdir .. (x7), chroot .\n$ run ls "
			"/\nbin\n");
	fake_run("/nslab-escape -v ls /", 0, "");
	assert_int_equal(fake_step(0)->perform(&fk.host), 0);
	assert_contains(fk.log, "run 0 /nslab-escape -v ls /");
}

/* Issue 11's wrong facts, corrected: root in a user namespace still holds
 * CAP_SYS_CHROOT there (the escape works); pivot_root(2) moves the old root
 * to put_old, where it stays mounted until umount2. */
static void by_hand_explain_states_the_corrected_facts(void **state)
{
	(void)state;
	char text[4096];
	fake_one_line(fake_step(2)->explain, text, sizeof(text));
	assert_contains(text, "Dropping CAP_SYS_CHROOT takes the first chroot away. Being root only inside a "
			      "user namespace does not: root in a user namespace holds CAP_SYS_CHROOT there, "
			      "and the climb still reaches the top of its mount namespace.");
	assert_not_contains(text, "takes the first chroot away too");
	assert_contains(text, "moves the old root to put_old, where it stays mounted until umount2(put_old, "
			      "MNT_DETACH) detaches it");
	assert_not_contains(text, "unmounts the old");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    escape_test(once_step_wants_the_helper_at_the_host_root),
	    escape_test(running_step_wants_an_escaped_process_below_the_lab),
	    escape_test(running_step_takes_a_marked_subject),
	    escape_test(by_hand_step_wants_the_lab_process_out),
	    escape_test(by_hand_step_takes_a_subject_that_climbed_out),
	    escape_test(escape_command_shows_the_escaped_process),
	    escape_test(rejail_and_chdir_commands_say_what_the_lab_process_did),
	    escape_test(by_hand_do_reports_the_climb),
	    escape_test(by_hand_explain_states_the_corrected_facts),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
