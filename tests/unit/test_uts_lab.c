/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_uts_lab.c: the uts lab's checks and messages on the fake host
 * (fakehost.h, fakelab.h): each step fails while the lab's names equal the host's and
 * says what to type, and passes once the lab's UTS namespace holds its own.
 * The lab's names live in the fake world; uname in the lab is answered from
 * there. Runs without root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/utsname.h>

#include "fakelab.h"
#include "reflow.h"

FAKE_LAB_GROUP("uts")

/* The lab's UTS namespace, as agent_uname reports it: "node\0domain". */
static struct {
	char node[sizeof(((struct utsname *)0)->nodename)];
	char domain[sizeof(((struct utsname *)0)->domainname)];
} lab;
static int uname_errno; /* non-zero: uname fails in the lab */

static int answer_uname(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen;
	if (uname_errno) {
		errno = uname_errno;
		return -1;
	}
	assert_true(outlen >= sizeof(lab));
	memcpy(out, &lab, sizeof(lab));
	return 0;
}
static int answer_sethostname(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arglen, (void)out, (void)outlen;
	snprintf(lab.node, sizeof(lab.node), "%s", arg);
	return 0;
}
static int answer_setdomainname(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arglen, (void)out, (void)outlen;
	snprintf(lab.domain, sizeof(lab.domain), "%s", arg);
	return 0;
}

static struct utsname host;

/* A started lab: its names copied from the host's, as CLONE_NEWUTS does. */
static void start(void)
{
	assert_int_equal(uname(&host), 0);
	snprintf(lab.node, sizeof(lab.node), "%s", host.nodename);
	snprintf(lab.domain, sizeof(lab.domain), "%s", host.domainname);
	uname_errno = 0;
	fake_on_call("agent_uname", answer_uname);
	fake_on_call("agent_sethostname", answer_sethostname);
	fake_on_call("agent_setdomainname", answer_setdomainname);
	assert_int_equal(fake_lab->setup(&fk.host), 0);
}

static void stop(void)
{
	fake_lab->teardown(&fk.host);
	assert_null(fk.host.lab_data);
}

static void setup_clones_a_new_uts_namespace(void **state)
{
	(void)state;
	start();
	assert_contains(fk.log, "spawn lab flags=0x4000000 "); /* CLONE_NEWUTS */
	assert_int_not_equal(fk.main, 0);
	assert_contains(fk.out, "trace: clone(CLONE_NEWUTS | SIGCHLD) = ");
	stop();
}

static void hostname_step_wants_a_name_of_its_own(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(1));
	assert_out_has(
	    "missing: no process of the lab has a hostname of its own: the lab's hostname is still "
	    "\"%s\", the same as the host's: "
	    "`run unshare --uts sh -c 'hostname nslab-lab; sleep infinity' &` or `run hostname nslab-lab`",
	    host.nodename);
	snprintf(lab.node, sizeof(lab.node), "anything-else");
	assert_true(fake_check(1));
	stop();
}

static void domain_step_wants_a_domain_of_its_own(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(2));
	assert_contains(fk.out,
			"missing: no process of the lab has a NIS domain name of its own: the lab's NIS "
			"domain name is still \"");
	assert_contains(fk.out, "`run unshare --uts sh -c 'domainname nslab.test; sleep infinity' &` or "
				"`run domainname nslab.test`");
	snprintf(lab.domain, sizeof(lab.domain), "x.example");
	assert_true(fake_check(2));
	stop();
}

static void proc_step_wants_nslab_proc(void **state)
{
	(void)state;
	start();
	snprintf(lab.node, sizeof(lab.node), "nslab-lab"); /* step 1 done, not step 3 */
	assert_false(fake_check(3));
	assert_out_has(
	    "missing: no process of the lab is called \"nslab-proc\": the lab process (PID %d) is "
	    "called \"nslab-lab\": `run unshare --uts sh -c 'echo nslab-proc > /proc/sys/kernel/hostname; "
	    "sleep infinity' &` or `run echo nslab-proc > /proc/sys/kernel/hostname`",
	    (int)fk.main);
	snprintf(lab.node, sizeof(lab.node), "nslab-proc");
	assert_true(fake_check(3));
	stop();
}

static void a_lab_that_cannot_answer_is_named(void **state)
{
	(void)state;
	start();
	uname_errno = ESRCH;
	for (unsigned n = 1; n <= 3; n++) {
		assert_false(fake_check(n));
		assert_contains(fk.out,
				"missing: cannot read the lab's names (uname in the lab process failed: "
				"No such process)");
	}
	stop();
}

/* The host's names differ from those setup saw: the learner renamed the host. */
static void a_renamed_host_is_named(void **state)
{
	(void)state;
	start();
	snprintf(lab.node, sizeof(lab.node), "nslab-proc");
	char *seen = fk.host.lab_data; /* struct uts_data: the hostname first */
	snprintf(seen, 16, "old-host-name");
	for (unsigned n = 1; n <= 3; n++) {
		assert_false(fake_check(n));
		assert_contains(fk.out, "missing: the HOST's hostname changed from \"old-host-name\" to \"");
		assert_contains(fk.out, "put it back with `host hostname old-host-name`");
	}
	stop();
}

/* A subject the learner started (`run unshare --uts ... &`, `host ... &`, a
 * watched PID): its names are read in its own UTS namespace by nsenter. */
static pid_t learner_ns(const char *names)
{
	pid_t pid = fk.next_pid++;
	char match[64];
	fk.subjects[fk.nsubjects++] = pid;
	fake_ns(pid, "uts", 0);
	snprintf(match, sizeof(match), "nsenter --target %d --uts cat", (int)pid);
	fake_host_run(match, 0, names);
	return pid;
}

static void a_learners_unshare_passes_each_step(void **state)
{
	(void)state;
	start();
	char names[600];
	snprintf(names, sizeof(names), "%s\n%s\n", host.nodename, host.domainname);
	learner_ns(names); /* a new namespace, not renamed yet */
	for (unsigned n = 1; n <= 3; n++)
		assert_false(fake_check(n));
	assert_contains(fk.log, "host_run nsenter --target ");
	snprintf(names, sizeof(names), "nslab-lab\n%s\n", host.domainname);
	learner_ns(names);
	assert_true(fake_check(1));
	assert_false(fake_check(2));
	assert_false(fake_check(3));
	/* the closest: the learner's renamed one, named by its PID */
	assert_out_has("missing: no process of the lab is called \"nslab-proc\": PID %d (",
		       (int)fk.next_pid - 1);
	assert_contains(fk.out, "is called \"nslab-lab\"");
	learner_ns("x\nnslab.test\n");
	assert_true(fake_check(2));
	learner_ns("nslab-proc\n(none)\n");
	assert_true(fake_check(3));
	assert_string_equal(lab.node, host.nodename); /* the lab process was never renamed */
	stop();
}

/* Processes in the host's UTS namespace (a plain `host sleep &`) are not
 * asked; a subject that cannot be read does not count. */
static void host_namespace_subjects_do_not_count(void **state)
{
	(void)state;
	start();
	fk.subjects[fk.nsubjects++] = fk.next_pid++; /* same_ns unscripted: the host's */
	pid_t gone = fk.next_pid++;
	fk.subjects[fk.nsubjects++] = gone;
	fake_ns(gone, "uts", 0); /* nsenter finds no such process: no answer scripted, status 127 */
	assert_false(fake_check(1));
	assert_null(strstr(fk.out, "and so is every new UTS namespace"));
	assert_int_equal(fk.nmissing, 1);
	assert_log_has("host_run nsenter --target %d --uts", (int)gone);
	stop();
}

/* A renamed host fails a step even when a learner's namespace has the name. */
static void a_renamed_host_fails_the_real_tool_path_too(void **state)
{
	(void)state;
	start();
	learner_ns("nslab-proc\nnslab.test\n");
	char *seen = fk.host.lab_data;
	snprintf(seen, 16, "old-host-name");
	assert_false(fake_check(3));
	assert_contains(fk.out, "missing: the HOST's hostname changed from \"old-host-name\"");
	stop();
}

static void do_renames_the_lab_and_traces_it(void **state)
{
	(void)state;
	start();
	assert_int_equal(fake_step(0)->perform(&fk.host), 0);
	assert_contains(fk.out, "trace: sethostname(\"nslab-lab\", 9) = 0");
	assert_true(fake_check(1));
	assert_int_equal(fake_step(1)->perform(&fk.host), 0);
	assert_contains(fk.out, "trace: setdomainname(\"nslab.test\", 10) = 0");
	assert_true(fake_check(2));
	fake_run("/proc/sys/kernel/hostname", 0, "");
	assert_int_equal(fake_step(2)->perform(&fk.host), 0);
	assert_contains(fk.log, "run 0 echo nslab-proc > /proc/sys/kernel/hostname");
	stop();
}

static void do_says_why_it_failed(void **state)
{
	(void)state;
	start();
	fake_on_call("agent_sethostname", fake_answer_eperm);
	assert_int_equal(fake_step(0)->perform(&fk.host), -1);
	assert_contains(fk.out, "trace: sethostname(\"nslab-lab\", 9) = -1 EPERM");
	assert_contains(fk.out, "error: sethostname in the lab process failed: Operation not permitted");
	fake_run("/proc/sys/kernel/hostname", 1, "");
	assert_int_equal(fake_step(2)->perform(&fk.host), -1);
	assert_contains(fk.out, "error: writing /proc/sys/kernel/hostname in the lab failed (status 1)");
	stop();
}

/* Facts issue 11 corrected, and the real tool first: pinned. */
static void texts_say_what_keeps_a_namespace_and_show_unshare_first(void **state)
{
	(void)state;
	char *shown = text_reflow(fake_step(2)->explain); /* as the screen joins its lines */
	assert_contains(shown,
			"no process in it, no open fd of /proc/PID/ns/uts, no bind mount of that file");
	free(shown);
	for (unsigned i = 0; i < 3; i++)
		assert_contains(fake_step(i)->task, "  run unshare --uts sh -c '");
	assert_not_contains(fake_step(1)->task, "uname -a"); /* uname(1) does not print the NIS domain */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    fake_test(texts_say_what_keeps_a_namespace_and_show_unshare_first),
	    fake_test(setup_clones_a_new_uts_namespace),
	    fake_test(hostname_step_wants_a_name_of_its_own),
	    fake_test(domain_step_wants_a_domain_of_its_own),
	    fake_test(proc_step_wants_nslab_proc),
	    fake_test(a_lab_that_cannot_answer_is_named),
	    fake_test(a_renamed_host_is_named),
	    fake_test(a_learners_unshare_passes_each_step),
	    fake_test(host_namespace_subjects_do_not_count),
	    fake_test(a_renamed_host_fails_the_real_tool_path_too),
	    fake_test(do_renames_the_lab_and_traces_it),
	    fake_test(do_says_why_it_failed),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
