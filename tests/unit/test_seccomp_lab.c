/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_seccomp_lab.c: the seccomp lab's four checks, its `filter` and `try`
 * commands and its setup on the fake host (fakehost.h, fakelab.h). The
 * checks read Seccomp and Seccomp_filters in /proc/PID/status, so real
 * processes stand in for the lab's subjects: the test process (no filter)
 * and children that set no_new_privs and load allow-all filters (which needs
 * no privilege). The lab links libseccomp, which the plugin fakelab.h
 * builds does not name: it is loaded globally first. Runs without root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/filter.h>
#include <locale.h>
#include <string.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "fakelab.h"
#include "standin.h"

FAKE_LAB_GROUP("seccomp")

static pid_t kids[3];

static int group_setup(void **state)
{
	if (!dlopen("libseccomp.so.2", RTLD_NOW | RTLD_GLOBAL)) {
		fprintf(stderr, "libseccomp.so.2 is not installed: %s\n", dlerror());
		return -1;
	}
	return fake_group_setup(state);
}

static int finish(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(kids) / sizeof(kids[0]); i++)
		fake_reap(&kids[i]);
	char cmd[PATH_MAX];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'/*", fk.workdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not empty %s\n", fk.workdir);
	return 0;
}
#define sc_test(fn) cmocka_unit_test_setup_teardown(fn, fake_test_setup, finish)

/* A stand-in with *arg allow-all filters on top of each other. */
static bool become_filtered(void *arg)
{
	struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_fprog prog = {.len = 1, .filter = allow};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return false;
	for (int i = 0; i < *(int *)arg; i++)
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
			return false;
	return true;
}

static pid_t filtered(int n)
{
	pid_t pid = fake_standin(become_filtered, &n);
	assert_true(pid > 0);
	return pid;
}

static char *data(const char *name)
{
	static char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/data/%s", fk.workdir, name);
	return p;
}

static void start(void)
{
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	fk.main = getpid();
}

static void setup_makes_the_data_directory_and_the_file(void **state)
{
	(void)state;
	start();
	struct stat st;
	assert_int_equal(stat(data("file.txt"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_log_has("spawn lab flags=0 uid_map=- gid_map=- init=yes");
	assert_out_has("The lab process works in %s/data (file.txt is there).", fk.workdir);
}

static void filter_step_wants_seccomp_mode_2(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(1));
	assert_out_has("missing: no process of the lab has \"Seccomp: 2\" (a filter) in /proc/PID/status");
	kids[0] = filtered(1);
	fk.subjects[fk.nsubjects++] = kids[0];
	assert_true(fake_check(1));
}

static void eperm_step_wants_the_error_the_mode_and_the_directory(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(2));
	/* the fake lab process has no filter: the check names step 1 first */
	assert_out_has("has no seccomp filter (see Seccomp in /proc/");
	assert_out_has("step 1's `filter chmod` first");
	assert_out_has("missing: no directory data/newdir");
	assert_int_equal(unit_write(data("chmod.err"),
				    "chmod: changing permissions of 'file.txt': Operation not permitted\n"),
			 0);
	assert_int_equal(mkdir(data("newdir"), 0755), 0);
	assert_true(fake_check(2));
	assert_int_equal(chmod(data("file.txt"), 0600), 0);
	assert_false(fake_check(2));
	assert_out_has("missing: data/file.txt has mode 600, not 644");
}

/* chmod(1) prints strerror(EPERM) in the learner's language: in Korean
 * the check takes glibc's Korean text; in C that text alone is not it.
 * Skipped where the ko_KR.UTF-8 locale or glibc's Korean messages are
 * missing. */
static void eperm_step_takes_the_message_in_the_learners_language(void **state)
{
	(void)state;
	start();
	assert_int_equal(mkdir(data("newdir"), 0755), 0);
	if (!setlocale(LC_ALL, "ko_KR.UTF-8") || strcmp(strerror(EPERM), "Operation not permitted") == 0) {
		setlocale(LC_ALL, "C");
		skip();
	}
	char text[256];
	snprintf(text, sizeof(text), "chmod: 'file.txt': %s\n", strerror(EPERM));
	assert_int_equal(unit_write(data("chmod.err"), text), 0);
	bool ok = fake_check(2);
	setlocale(LC_ALL, "C");
	assert_true(ok);
	assert_false(fake_check(2));
	/* the fake lab process has no filter: the check names step 1 first */
	assert_out_has("has no seccomp filter (see Seccomp in /proc/");
	assert_out_has("step 1's `filter chmod` first");
}

static void inherited_step_wants_a_filtered_process_besides_the_lab_process(void **state)
{
	(void)state;
	start();
	kids[0] = filtered(1);
	fk.main = kids[0];
	assert_false(fake_check(3));
	assert_out_has("missing: no process of the lab besides the lab process has \"Seccomp: 2\"");
	kids[1] = filtered(1);
	fk.subjects[fk.nsubjects++] = kids[1];
	assert_true(fake_check(3));
}

static void stacked_step_wants_two_filters(void **state)
{
	(void)state;
	start();
	kids[0] = filtered(1);
	fk.main = kids[0];
	assert_false(fake_check(4));
	assert_out_has("missing: no process of the lab has \"Seccomp_filters: 2\" or more (at most 1)");
	kids[1] = filtered(2);
	fk.subjects[fk.nsubjects++] = kids[1];
	assert_true(fake_check(4));
}

static void filter_and_try_commands(void **state)
{
	(void)state;
	start();
	assert_int_equal(fake_cmd("filter nope"), -1);
	assert_out_is("error: filter: one of chmod, mkdir, chown, unlink (not \"nope\")\n");
	fake_on_call("ag_filter", fake_answer_ok);
	assert_int_equal(fake_cmd("filter chmod"), 0);
	assert_log_has("call %d ag_filter(chmod)", (int)fk.main);
	assert_out_has(
	    "trace: seccomp(SECCOMP_SET_MODE_FILTER, 0, {BPF: default ALLOW; chmod, fchmod, fchmodat, "
	    "fchmodat2 -> ERRNO(EPERM)}) = 0");
	assert_out_has("the lab process (%d) has one more filter: chmod now fails with EPERM", (int)fk.main);
	fake_on_call_text("ag_try", "Seccomp:\t2\n[exit 0]\n");
	assert_int_equal(fake_cmd("try grep Seccomp /proc/self/status"), 0);
	assert_log_has("call %d ag_try(grep Seccomp /proc/self/status)", (int)fk.main);
	assert_out_is("Seccomp:\t2\n[exit 0]\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    sc_test(setup_makes_the_data_directory_and_the_file),
	    sc_test(filter_step_wants_seccomp_mode_2),
	    sc_test(eperm_step_wants_the_error_the_mode_and_the_directory),
	    sc_test(eperm_step_takes_the_message_in_the_learners_language),
	    sc_test(inherited_step_wants_a_filtered_process_besides_the_lab_process),
	    sc_test(stacked_step_wants_two_filters),
	    sc_test(filter_and_try_commands),
	};
	return cmocka_run_group_tests(tests, group_setup, fake_group_teardown);
}
