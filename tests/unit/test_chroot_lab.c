/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_chroot_lab.c: the chroot lab's six checks, its `jail`, `chdir` and
 * `copyin` commands and its messages on the fake host (fakehost.h, fakelab.h). The
 * root is a real directory under the test's workdir (files in it need no
 * privilege); `ldd` and `chroot` on the host are the fake world's host_run
 * answers. The lab reads /proc/PID/root, /proc/PID/cwd and (step 6)
 * /proc/PID/cmdline of its subjects, so for steps 4-6 real processes stand
 * in for the lab process and the learner's chroot(8) processes: the test
 * process ("before"), or children that have chrooted into the root inside a
 * user namespace of their own, which needs no privilege where unprivileged
 * user namespaces are allowed (those tests are skipped where they are not).
 * Runs without root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fakelab.h"
#include "standin.h"

FAKE_LAB_GROUP("chroot")

#define LDD_SH "\tlinux-vdso.so.1 (0x00007ffd)\n\tlibc.so.6 => /lib/fake/libc.so.6 (0x00007f00)\n"

static char root[512];
static pid_t jailed;
static pid_t others[2]; /* more stand-ins (the learner's own processes), reaped by stop */

static void mkdirs(const char *path)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s", path);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

/* A file at PATH inside the root (a copy of the host's file if from). */
static void put(const char *path, const char *from)
{
	char p[PATH_MAX], dir[PATH_MAX];
	snprintf(p, sizeof(p), "%s%s", root, path);
	snprintf(dir, sizeof(dir), "%s", p);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	if (from)
		assert_int_equal(fh_copy_file(&fk.host, from, p), 0);
	else
		assert_int_equal(unit_write(p, ""), 0);
}

/* The loader /bin/sh asks for, as the lab names it. */
static void put_loader(void)
{
	assert_false(fake_check(3));
	const char *from = strstr(fk.out, "the dynamic loader "), *to = strstr(fk.out, " is not in the root");
	assert_non_null(from);
	assert_non_null(to);
	from += strlen("the dynamic loader ");
	char loader[256];
	snprintf(loader, sizeof(loader), "%.*s", (int)(to - from), from);
	put(loader, NULL);
}

/* The root as step 3 leaves it: a shell that starts in it. */
static void full_root(void)
{
	mkdirs(root);
	put("/bin/sh", "/bin/sh");
	fake_host_run("ldd '", 0, LDD_SH);
	fake_host_run("' /bin/sh -c :", 0, "");
	put_loader();
	put("/lib/fake/libc.so.6", NULL);
}

static void start(void)
{
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	snprintf(root, sizeof(root), "%s", fk.root);
}

/* Also the teardown of every test, so that a failed one leaves nothing behind. */
static void stop(void)
{
	if (!fake_lab)
		return;
	fake_reap(&jailed);
	fake_reap(&others[0]);
	fake_reap(&others[1]);
	fake_lab->teardown(&fk.host);
	fk.host.lab_data = NULL;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (root[0] && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	root[0] = '\0';
}

static int finish(void **state)
{
	(void)state;
	stop();
	return 0;
}

#define chroot_test(fn) cmocka_unit_test_setup_teardown(fn, fake_test_setup, finish)

/* The lab process, chrooted into the root with its cwd at dir (inside).
 * Skips the test where no user namespace can be made without privilege. */
static void jail(const char *dir)
{
	fake_reap(&jailed);
	jailed = fake_jail(root, dir);
	if (!jailed)
		skip(); /* no unprivileged user namespaces here */
	fk.main = jailed;
}

/* chdir from /bin: "." answers /bin, anything else lands on the jail's top. */
static int answer_cd(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arglen;
	if (strcmp(arg, "/nope") == 0) {
		errno = ENOENT;
		return -1;
	}
	snprintf(out, outlen, "%s", strcmp(arg, ".") == 0 ? "/bin" : "/");
	return 0;
}

static void setup_sets_the_root_and_forks(void **state)
{
	(void)state;
	start();
	assert_log_has("set_root %s/new-root\nspawn lab flags=0 ", fk.workdir);
	stop();
}

static void empty_root_step_wants_the_directory(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(1));
	assert_out_has("missing: there is no directory %s yet: `host mkdir -p $NSLAB_LAB_ROOT`", root);
	fake_host_run("chroot '", 127,
		      "chroot: failed to run command '/bin/sh': No such file or directory\n");
	assert_int_equal(fake_step(0)->perform(&fk.host), 0);
	assert_contains(fk.out, "chroot: failed to run command '/bin/sh'");
	assert_contains(fk.out, "-1 ENOENT");
	assert_true(fake_check(1));
	stop();
}

static void shell_step_wants_an_executable_sh(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(2));
	assert_contains(fk.out, "missing: there is no directory ");
	mkdirs(root);
	put("/bin/sh", NULL);
	char sh[600];
	snprintf(sh, sizeof(sh), "%s/bin/sh", root);
	chmod(sh, 0644);
	assert_false(fake_check(2));
	assert_out_has("missing: no executable %s: `host mkdir -p $NSLAB_LAB_ROOT/bin` and `host cp /bin/sh "
		       "$NSLAB_LAB_ROOT/bin/`",
		       sh);
	unlink(sh);
	fake_host_run("", 0, "");
	assert_int_equal(fake_step(1)->perform(&fk.host), 0); /* copies the host's /bin/sh */
	assert_contains(fk.log, "copy_file /bin/sh ");
	assert_contains(fk.log, "host_run ldd /bin/sh 2>&1");
	assert_true(fake_check(2));
	stop();
}

static void libs_step_wants_loader_and_libraries(void **state)
{
	(void)state;
	start();
	mkdirs(root);
	put("/bin/sh", "/bin/sh");
	fake_host_run("ldd '", 0, LDD_SH);
	fake_host_run("chroot '", 1, "");
	assert_false(fake_check(3));
	assert_contains(fk.out, "missing: the dynamic loader ");
	assert_contains(fk.out, " is not in the root (the kernel runs it to start /bin/sh)");
	assert_contains(fk.out, "missing: /bin/sh needs /lib/fake/libc.so.6, which is not in the root\n");
	assert_not_contains(fk.out, "vdso");
	put_loader();
	put("/lib/fake/libc.so.6", NULL);
	assert_false(fake_check(3));
	assert_string_equal(fk.out,
			    "missing: the files are there, but `chroot $NSLAB_LAB_ROOT /bin/sh` still does "
			    "not start\n");
	fk.host_runs[1].status = 0;
	assert_true(fake_check(3));
	stop();
}

static void enter_step_wants_the_lab_process_inside(void **state)
{
	(void)state;
	start();
	full_root();
	assert_false(fake_check(4));
	assert_out_has(
	    "missing: no process of the lab has the lab root as its root (the lab process, PID %d, "
	    "has ?)",
	    (int)fk.main);
	fk.main = getpid();
	assert_false(fake_check(4));
	assert_out_has(
	    "missing: no process of the lab has the lab root as its root (the lab process, PID %d, "
	    "has /): `host chroot $NSLAB_LAB_ROOT /bin/sleep 600 &`, or `jail`\n",
	    (int)getpid());
	jail("/");
	assert_true(fake_check(4));
	stop();
}

/* The real tool: `host chroot $NSLAB_LAB_ROOT /bin/sleep 600 &` leaves a
 * subject in the root (a process of the lab cgroup), the lab process stays
 * outside. */
static void enter_step_takes_a_subject_chrooted_by_the_real_tool(void **state)
{
	(void)state;
	start();
	full_root();
	fk.main = getpid();
	assert_false(fake_check(4));
	jailed = fake_jail(root, "/");
	if (!jailed)
		skip();
	fk.subjects[fk.nsubjects++] = jailed;
	assert_true(fake_check(4));
	stop();
}

static void ls_step_wants_ls_and_cwd_bin(void **state)
{
	(void)state;
	start();
	full_root();
	jail("/");
	assert_false(fake_check(5));
	assert_string_equal(fk.out, "missing: there is no ls in the root: `copyin /bin/ls`\n");
	put("/bin/ls", "/bin/ls");
	fake_host_run("/bin/ls / >/dev/null", 2, "");
	assert_false(fake_check(5));
	assert_string_equal(fk.out,
			    "missing: `chroot $NSLAB_LAB_ROOT /bin/ls /` does not work yet (status 2)\n");
	fk.host_runs[fk.nhost_runs - 1].status = 0;
	assert_false(fake_check(5)); /* at the jail's /: the chdir to /bin is missing */
	assert_out_has("missing: no process in the jail has /bin as its working directory (PID %d's is %s, "
		       "host path): `host chroot $NSLAB_LAB_ROOT /bin/sh -c 'cd /bin && ls && sleep 600' "
		       "&`, or `chdir /bin`\n",
		       (int)jailed, root);
	jail("/bin");
	assert_true(fake_check(5));
	stop();
}

/* The real tool: `host chroot ROOT /bin/sh -c 'cd /bin && ...' &` while the
 * lab process stays on the host. */
static void ls_step_takes_a_subject_in_bin(void **state)
{
	(void)state;
	start();
	full_root();
	put("/bin/ls", "/bin/ls");
	fake_host_run("/bin/ls / >/dev/null", 0, "");
	fk.main = getpid();
	jailed = fake_jail(root, "/");
	if (!jailed)
		skip();
	fk.subjects[fk.nsubjects++] = jailed;
	assert_false(fake_check(5));
	others[0] = fake_jail(root, "/bin");
	assert_true(others[0] > 0);
	fk.subjects[fk.nsubjects++] = others[0];
	assert_true(fake_check(5));
	stop();
}

static void climb_step_wants_a_climb_past_the_top(void **state)
{
	(void)state;
	start();
	full_root();
	jail("/bin");
	assert_false(fake_check(6));
	assert_out_has("missing: no process in the jail is at its top (PID %d's working directory is %s/bin, "
		       "host path): `chdir ../../../..`",
		       (int)jailed, root);
	jail("/");
	assert_false(fake_check(6)); /* on arrival: jail and chroot(8) start at the top */
	assert_out_has("missing: PID %d is at the top of the jail, but has not climbed past it", (int)jailed);
	fake_on_call("agent_cd|nslab_call_chdir", answer_cd);
	assert_int_equal(fake_cmd("chdir .."), 0); /* one level from /bin: no climb past the top */
	assert_false(fake_check(6));
	assert_int_equal(fake_cmd("chdir ../../../.."), 0);
	assert_string_equal(
	    fk.out, "trace: chdir(\"../../../..\") = 0\nthe lab process's working directory is now /\n");
	assert_true(fake_check(6));
	stop();
}

/* A process of the lab whose command line climbed: `sh -c 'cd /bin && cd
 * ../../../.. && ...'` started by chroot(8). This test program again,
 * chrooted at the root's top with that command line (see main). */
static pid_t climber(const char *script)
{
	int p[2];
	if (pipe(p) < 0)
		return 0;
	pid_t pid = fork();
	if (pid == 0) {
		char fd[16];
		close(p[0]);
		snprintf(fd, sizeof(fd), "%d", p[1]);
		execl("/proc/self/exe", "sh", "--climber", root, fd, "-c", script, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char ok = 0;
	if (pid < 0 || read(p[0], &ok, 1) != 1)
		ok = 0;
	close(p[0]);
	if (pid > 0 && !ok)
		waitpid(pid, NULL, 0);
	return ok ? pid : 0;
}

static int climber_main(char **argv)
{
	int fd = atoi(argv[3]);
	if (unshare(CLONE_NEWUSER) < 0 || chroot(argv[2]) < 0 || chdir("/") < 0)
		return 1;
	if (write(fd, "1", 1) != 1)
		return 1;
	close(fd);
	for (;;)
		pause();
}

static void climb_step_takes_a_subject_that_climbed(void **state)
{
	(void)state;
	start();
	full_root();
	fk.main = getpid();
	others[0] = climber("cd /bin && sleep 600");
	if (!others[0])
		skip();
	fk.subjects[fk.nsubjects++] = others[0];
	assert_false(fake_check(6));
	assert_out_has("missing: PID %d is at the top of the jail, but has not climbed past it",
		       (int)others[0]);
	others[1] = climber("cd /bin && cd ../../../.. && ls && sleep 600");
	assert_true(others[1] > 0);
	fk.subjects[fk.nsubjects++] = others[1];
	assert_true(fake_check(6));
	stop();
}

static void jail_command_needs_a_shell_and_says_why_it_failed(void **state)
{
	(void)state;
	start();
	mkdirs(root);
	assert_int_equal(fake_cmd("jail"), -1);
	assert_out_is(
	    "error: there is no /bin/sh in %s yet: copy the shell in first (steps 2 and 3), since every "
	    "`run` starts /bin/sh inside the root\n",
	    root);
	put("/bin/sh", "/bin/sh");
	fake_on_call("agent_enter|nslab_call_chroot", fake_answer_eperm);
	assert_int_equal(fake_cmd("jail"), -1);
	assert_contains(fk.out,
			"error: chroot in the lab process failed: Operation not permitted (chroot needs "
			"CAP_SYS_CHROOT: run nslab as root, e.g. with sudo)");
	fake_on_call("agent_enter|nslab_call_chroot", fake_answer_ok);
	assert_int_equal(fake_cmd("jail"), 0);
	assert_out_has("the lab process (PID %d) now has %s as its /\n", (int)fk.main, root);
	assert_log_has("call %d ", (int)fk.main);
	assert_log_has("(%s)\n", root);
	jail("/");
	assert_int_equal(fake_cmd("jail"), 0);
	assert_out_is("the lab process is already inside %s\n", root);
	stop();
}

static void copyin_and_chdir_commands_check_their_arguments(void **state)
{
	(void)state;
	start();
	assert_int_equal(fake_cmd("copyin /bin/ls"), -1);
	assert_out_is("error: there is no %s yet: make it first (step 1)\n", root);
	mkdirs(root);
	assert_int_equal(fake_cmd("copyin /bin/ls"), 0);
	assert_log_has("rootfs_add %s /bin/ls\n", root);
	fk.rootfs_add_ret = -1;
	assert_int_equal(fake_cmd("copyin /bin/nope"), -1);
	assert_not_contains(fk.out, "copied");
	fake_on_call("agent_cd|nslab_call_chdir", answer_cd);
	assert_int_equal(fake_cmd("chdir /nope"), -1);
	assert_contains(
	    fk.out, "trace: chdir(\"/nope\") = -1 ENOENT\nerror: chdir /nope: No such file or directory\n");
	stop();
}

/* Issue 11's wrong fact, corrected: `docker export` exports a container's
 * filesystem, made from an image with `docker create`, not an image. */
static void libs_explain_says_what_docker_export_exports(void **state)
{
	(void)state;
	char text[4096];
	fake_one_line(fake_step(2)->explain, text, sizeof(text));
	assert_contains(text,
			"`docker export` writes such a tree as a tar: it exports a container's filesystem, "
			"not an image: `docker export $(docker create nginx) > nginx.tar`.");
}

int main(int argc, char **argv)
{
	if (argc > 4 && strcmp(argv[1], "--climber") == 0)
		return climber_main(argv);
	const struct CMUnitTest tests[] = {
	    chroot_test(setup_sets_the_root_and_forks),
	    chroot_test(empty_root_step_wants_the_directory),
	    chroot_test(shell_step_wants_an_executable_sh),
	    chroot_test(libs_step_wants_loader_and_libraries),
	    chroot_test(enter_step_wants_the_lab_process_inside),
	    chroot_test(enter_step_takes_a_subject_chrooted_by_the_real_tool),
	    chroot_test(ls_step_wants_ls_and_cwd_bin),
	    chroot_test(ls_step_takes_a_subject_in_bin),
	    chroot_test(climb_step_wants_a_climb_past_the_top),
	    chroot_test(climb_step_takes_a_subject_that_climbed),
	    chroot_test(jail_command_needs_a_shell_and_says_why_it_failed),
	    chroot_test(copyin_and_chdir_commands_check_their_arguments),
	    chroot_test(libs_explain_says_what_docker_export_exports),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
