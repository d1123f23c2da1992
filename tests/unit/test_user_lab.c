/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_user_lab.c: the user lab's checks, commands and messages on the fake
 * host (fakehost.h, fakelab.h). The lab reads /proc/PID/status and the id maps itself,
 * so a real process stands in as the lab process: the test itself ("before":
 * root, or not the user asked for), or a child that has given up root
 * ("after" of step 1) and, for step 3, made a user namespace whose maps the
 * test wrote (skipped where unprivileged user namespaces are not allowed). Namespaces and what the lab
 * process reports from inside come from the fake world. Runs without root (and as root). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <grp.h>
#include <sched.h>
#include <sys/prctl.h>

#include "fakelab.h"
#include "standin.h"

FAKE_LAB_GROUP("user")

static int uid_inside;

static int answer_getuid(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen, (void)out, (void)outlen;
	return uid_inside;
}
static int answer_try_uts(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen;
	snprintf(out, outlen, "unshare: unshare failed: Operation not permitted\nmore\n");
	return 1;
}

static pid_t child;

struct lab_ids {
	uid_t uid;
	gid_t gid;
	bool userns;
};

/* lab_process's become: give up root (if the test has it) for the ids,
 * stay dumpable so that the test may write its maps, then the user
 * namespace. */
static bool become_lab_process(void *arg)
{
	const struct lab_ids *ids = arg;
	if (getuid() == 0 && (setgroups(0, NULL) < 0 || setresgid(ids->gid, ids->gid, ids->gid) < 0 ||
			      setresuid(ids->uid, ids->uid, ids->uid) < 0))
		return false;
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	return !ids->userns || unshare(CLONE_NEWUSER) == 0;
}

/* A lab process that runs as the unprivileged ids the lab asks for (a child
 * of the test that gave up root, if the test runs as root) and, if userns,
 * is in a user namespace of its own, with the maps written as `map` does.
 * Skips the test where no user namespace can be made without privilege. */
static void lab_process(bool userns)
{
	fk.host.invoking_uid = getuid();
	fk.host.invoking_gid = getgid();
	struct lab_ids ids = {.uid = getuid() ? getuid() : 65534, /* what lab_ids gives */
			      .gid = getuid() ? getgid() : 65534,
			      .userns = userns};
	child = fake_standin(become_lab_process, &ids);
	if (!child)
		skip(); /* no unprivileged user namespaces here */
	fk.main = child;
	if (!userns)
		return;
	char map[32];
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)ids.gid);
	assert_int_equal(fake_proc_write(child, "setgroups", "deny"), 0);
	assert_int_equal(fake_proc_write(child, "gid_map", map), 0);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)ids.uid);
	assert_int_equal(fake_proc_write(child, "uid_map", map), 0);
}

static void unprivileged_lab_process(void)
{
	lab_process(false);
}

static void setup_spawns_a_plain_process(void **state)
{
	(void)state;
	assert_true(fake_lab->unprivileged);
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	assert_contains(fk.log, "spawn lab ");
}

static void drop_step_wants_the_lab_unprivileged(void **state)
{
	(void)state;
	fake_main(); /* no such process */
	assert_false(fake_check(1));
	assert_out_has("missing: cannot read /proc/%d/status", (int)fk.main);
	fk.main = getpid();
	fk.host.invoking_uid = getuid() == 4242 ? 4243 : 4242; /* someone the test is not */
	fk.host.invoking_gid = 4242;
	assert_false(fake_check(1));
	assert_out_has("missing: the host sees the lab process as uid %u gid %u, not the unprivileged "
		       "%u:4242: `drop`",
		       (unsigned)geteuid(), (unsigned)getegid(), (unsigned)fk.host.invoking_uid);
	unprivileged_lab_process();
	bool ok = fake_check(1);
	fake_reap(&child);
	assert_true(ok);
}

static void userns_step_wants_a_user_namespace(void **state)
{
	(void)state;
	unprivileged_lab_process();
	bool before = fake_check(2);
	char said[1024];
	snprintf(said, sizeof(said), "%s", fk.out);
	fake_ns(fk.main, "user", 0);
	bool after = fake_check(2);
	fake_reap(&child);
	assert_false(before);
	assert_contains(said, "missing: the lab process is still in the host's user namespace: `userns`");
	assert_true(after);
}

static void map_step_wants_both_maps_and_uid_0_inside(void **state)
{
	(void)state;
	fk.main = getpid();
	assert_false(fake_check(3));
	assert_contains(fk.out, "missing: the lab process is still in the host's user namespace: `userns`");
	fake_ns(fk.main, "user", 0);
	fk.host.invoking_uid = 1000;
	fk.host.invoking_gid = 1000;
	fake_on_call("fn_getuid", answer_getuid);
	uid_inside = 65534;
	assert_false(fake_check(3));
	assert_out_has(
	    "missing: /proc/%d/uid_map does not hold \"0 1000 1\": `host echo '0 1000 1' > /proc/%d/uid_map`",
	    (int)fk.main, (int)fk.main);
	assert_out_has(
	    "missing: /proc/%d/gid_map does not hold \"0 1000 1\": `host echo deny > /proc/%d/setgroups` "
	    "first, then `host echo '0 1000 1' > /proc/%d/gid_map`",
	    (int)fk.main, (int)fk.main, (int)fk.main);
	assert_contains(fk.out, "missing: inside its namespace the lab process is uid 65534, not 0");
	lab_process(true); /* mapped: 0 inside is the lab's uid outside */
	fake_ns(fk.main, "user", 0);
	uid_inside = 0;
	bool ok = fake_check(3);
	fake_reap(&child);
	assert_true(ok);
}

/* issue 12: the real tools' way. A process of the learner's (here a child of
 * the test, as `run setpriv ... unshare --user sleep 3600 &` makes one) in
 * the lab's subjects passes steps 1 and 2 while the lab process is still
 * root; step 3 names what it lacks, and the seed's one uid_map write passes
 * it. */
static void a_learners_process_passes_with_a_uid_map_write(void **state)
{
	(void)state;
	fk.main = getpid();
	fk.host.invoking_uid = getuid();
	fk.host.invoking_gid = getgid();
	struct lab_ids ids = {
	    .uid = getuid() ? getuid() : 65534, .gid = getuid() ? getgid() : 65534, .userns = true};
	if (getuid() != 0) /* as an ordinary user the lab process is that user already */
		skip();
	child = fake_standin(become_lab_process, &ids);
	if (!child)
		skip();
	fk.subjects[fk.nsubjects++] = child;
	fake_ns(child, "user", 0);
	bool one = fake_check(1), two = fake_check(2), three = fake_check(3);
	char said[1024], want[512], map[32];
	snprintf(said, sizeof(said), "%s", fk.out);
	snprintf(
	    want, sizeof(want),
	    "missing: process %d is in a user namespace of its own, but /proc/%d/uid_map does not hold \"0 "
	    "65534 1\": `host echo '0 65534 1' > /proc/%d/uid_map`\n",
	    (int)child, (int)child, (int)child);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)ids.uid);
	int w = fake_proc_write(child, "uid_map", map);
	bool after = fake_check(3);
	fake_reap(&child);
	assert_true(one);
	assert_true(two);
	assert_false(three);
	assert_string_equal(said, want);
	assert_int_equal(w, 0);
	assert_true(after);
}

static void drop_command_says_who_the_lab_becomes(void **state)
{
	(void)state;
	fake_main();
	fk.host.invoking_uid = 1000;
	fk.host.invoking_gid = 100;
	fake_on_call("fn_drop", fake_answer_ok);
	assert_int_equal(fake_cmd("drop"), 0);
	assert_contains(fk.out, "trace: setresuid(1000, 1000, 1000) = 0");
	assert_contains(fk.out, "The lab process now runs as uid 1000, gid 100: no root, no capabilities.\n");
	fk.host.invoking_uid = 0; /* nslab under sudo from root: the lab becomes nobody */
	assert_int_equal(fake_cmd("drop"), 0);
	assert_contains(fk.out, "The lab process now runs as uid 65534, gid 65534");
	fake_on_call("fn_drop", fake_answer_eperm);
	assert_int_equal(fake_cmd("drop"), -1);
	assert_string_equal(fk.out,
			    "error: the lab process cannot become uid 65534: Operation not permitted\n");
}

static void userns_command_explains_a_refusal(void **state)
{
	(void)state;
	fake_main();
	fake_on_call("fn_userns", fake_answer_ok);
	assert_int_equal(fake_cmd("userns"), 0);
	assert_contains(fk.out, "trace: unshare(CLONE_NEWUSER) = 0");
	assert_contains(fk.out, "The lab process is in a new user namespace.");
	fake_on_call("fn_userns", fake_answer_eperm);
	assert_int_equal(fake_cmd("userns"), -1);
	assert_contains(fk.out, "trace: unshare(CLONE_NEWUSER) = -1 EPERM");
	assert_contains(fk.out, "error: unshare(CLONE_NEWUSER");
}

static void map_command_wants_a_user_namespace_first(void **state)
{
	(void)state;
	fake_main();
	assert_int_equal(fake_cmd("map"), -1);
	assert_string_equal(fk.out,
			    "error: the lab process has no user namespace of its own yet: `userns` first\n");
	fake_ns(fk.main, "user", 0);
	assert_int_equal(fake_cmd("map"), -1); /* no such process: nothing to write to */
	assert_contains(fk.out, "error: writing the maps failed: No such file or directory");
}

static void id_and_try_uts_commands_report_the_lab(void **state)
{
	(void)state;
	fake_main();
	assert_int_equal(fake_cmd("ids"), -1);
	assert_string_equal(fk.out, "error: cannot ask the lab process: Function not implemented\n");
	fake_on_call_text("fn_id", "inside:  uid=65534 gid=65534 (fake)");
	assert_int_equal(fake_cmd("ids"), 0);
	assert_string_equal(fk.out, "inside:  uid=65534 gid=65534 (fake)\n");
	fake_on_call("fn_try_uts", answer_try_uts);
	assert_int_equal(fake_cmd("try-uts"), 0);
	assert_contains(fk.out, "unshare: unshare failed: Operation not permitted\nIt failed: creating a UTS "
				"namespace needs CAP_SYS_ADMIN in the current user namespace.\n");
	assert_not_contains(fk.out, "more");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    fake_test(setup_spawns_a_plain_process),
	    fake_test(drop_step_wants_the_lab_unprivileged),
	    fake_test(userns_step_wants_a_user_namespace),
	    fake_test(map_step_wants_both_maps_and_uid_0_inside),
	    fake_test(a_learners_process_passes_with_a_uid_map_write),
	    fake_test(drop_command_says_who_the_lab_becomes),
	    fake_test(userns_command_explains_a_refusal),
	    fake_test(map_command_wants_a_user_namespace_first),
	    fake_test(id_and_try_uts_commands_report_the_lab),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
