/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_cgroupns_lab.c: the cgroupns lab's checks, its `cgroup` and
 * `cgroupns` commands and its messages on the fake host (fakehost.h, fakelab.h). The
 * lab reads /proc/PID/cgroup itself, so the test process stands in as the lab
 * process: step 1 passes once the fake cg_path names the cgroup the test is
 * in. What the lab reads from inside (its /proc/self/cgroup, its cgroup
 * mount) comes from fake agents. Runs without root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fakelab.h"

FAKE_LAB_GROUP("cgroupns")

static char inside[64];
static int cgfs; /* fn_check_cgfs: 0 none, 1 another root, 2 the lab's own cgroup */

static int answer_cgfs(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen, (void)out, (void)outlen;
	return cgfs;
}

/* The test process as the lab process; the cgroup the host sees it in,
 * as the lab's own message names it. */
static void start(char *seen, size_t len)
{
	fk.main = getpid();
	assert_false(fake_check(1));
	const char *from = strstr(fk.out, "in cgroup "), *to = strstr(fk.out, ", not in its own");
	assert_non_null(from);
	assert_non_null(to);
	from += strlen("in cgroup ");
	snprintf(seen, len, "%.*s", (int)(to - from), from);
}

static void setup_spawns_in_a_private_mount_namespace(void **state)
{
	(void)state;
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	assert_contains(fk.log, "spawn lab flags=0x20000 "); /* CLONE_NEWNS */
	assert_contains(fk.log, "init=yes");
	assert_contains(fk.out, "The lab process is PID ");
}

static void cgroup_step_wants_the_lab_in_its_own_cgroup(void **state)
{
	(void)state;
	fake_main(); /* no such process */
	assert_false(fake_check(1));
	assert_out_has("missing: cannot read /proc/%d/cgroup", (int)fk.main);
	char seen[256];
	start(seen, sizeof(seen));
	assert_contains(fk.out, ", not in its own /nslab/1/cgns: `cgroup`");
	snprintf(fk.cgpath, sizeof(fk.cgpath), "%s", seen);
	assert_true(fake_check(1));
	/* a learner's process moved in counts, whatever the lab process's cgroup */
	fk.main = fk.next_pid++; /* no such process */
	assert_false(fake_check(1));
	fk.subjects[fk.nsubjects++] = getpid();
	assert_true(fake_check(1));
}

static void cgroupns_step_wants_the_cgroup_to_read_as_root(void **state)
{
	(void)state;
	char seen[256];
	start(seen, sizeof(seen));
	snprintf(fk.cgpath, sizeof(fk.cgpath), "%s", seen);
	assert_false(fake_check(2));
	assert_contains(fk.out,
			"missing: the lab process is still in the host's cgroup namespace, and no other "
			"process of the lab reads its cgroup as / in one of its own: `run unshare --cgroup "
			"sleep infinity &`, or nslab's shortcut `cgroupns`");
	fake_ns(fk.main, "cgroup", 0);
	assert_false(fake_check(2));
	assert_contains(fk.out, "missing: cannot read the lab's /proc/self/cgroup: Function not implemented");
	fake_on_call_text("fn_self_cgroup|nslab_call_own_cgroup", inside);
	snprintf(inside, sizeof(inside), "/cgns");
	assert_false(fake_check(2));
	assert_contains(fk.out,
			"missing: the lab reads its cgroup as /cgns, not /: the namespace was made before "
			"the move into its cgroup (`reset`, then `cgroup` before `cgroupns`)");
	snprintf(inside, sizeof(inside), "/");
	assert_true(fake_check(2));
	fk.cgpath[0] = '\0';
	assert_false(fake_check(2));
	assert_contains(fk.out, "missing: the host should see the lab process in /nslab/1/cgns, but sees ");
}

static void mount_step_wants_the_lab_cgroup_as_the_mount_root(void **state)
{
	(void)state;
	pid_t lab = fake_main();
	assert_false(fake_check(3));
	assert_contains(fk.out, "missing: the lab process shares the host's mount namespace");
	fake_ns(lab, "mnt", 0);
	fake_on_call("fn_check_cgfs", answer_cgfs);
	cgfs = 0;
	assert_false(fake_check(3));
	assert_contains(fk.out,
			"missing: no cgroup filesystem is mounted on /sys/fs/cgroup in the lab's mount "
			"namespace");
	cgfs = 1;
	assert_false(fake_check(3));
	assert_contains(fk.out,
			"missing: the cgroup filesystem on /sys/fs/cgroup in the lab shows more than the "
			"lab's own cgroup: was it mounted from inside the lab's cgroup namespace?");
	cgfs = 2;
	assert_true(fake_check(3));
}

/* The real tool: `run unshare --cgroup sleep infinity &` (or a watched PID)
 * while the lab process never unshares. Its view of its own cgroup is read
 * by nsenter inside its cgroup namespace. */
static void a_learners_cgroup_namespace_passes_step_2(void **state)
{
	(void)state;
	fake_main();                     /* no such process: the lab process has nothing */
	pid_t host_side = fk.next_pid++; /* `host sleep &`: the host's cgroup namespace, not asked */
	fk.subjects[fk.nsubjects++] = host_side;
	pid_t early = fk.next_pid++; /* unshared before the move: not at its root */
	fk.subjects[fk.nsubjects++] = early;
	fake_ns(early, "cgroup", 0);
	char match[96];
	snprintf(match, sizeof(match), "nsenter --target %d --cgroup cat /proc/%d/cgroup", (int)early,
		 (int)early);
	fake_host_run(match, 0, "12:cpu,cpuacct:/cgns\n0::/\n");
	assert_false(fake_check(2));
	assert_log_has("host_run nsenter --target %d --cgroup", (int)early);
	assert_not_contains(fk.log, "host_run nsenter --target 4100002"); /* host_side, pid main+1 */
	pid_t rooted = fk.next_pid++;
	fk.subjects[fk.nsubjects++] = rooted;
	fake_ns(rooted, "cgroup", 0);
	snprintf(match, sizeof(match), "nsenter --target %d --cgroup cat /proc/%d/cgroup", (int)rooted,
		 (int)rooted);
	fake_host_run(match, 0, "12:cpu,cpuacct:/\n11:memory:/\n0::/\n");
	assert_true(fake_check(2));
	/* step 3 looks through /proc/PID/root: a fake pid has no cgroup filesystem */
	fake_ns(rooted, "mnt", 0);
	fake_ns(fk.main, "mnt", 0);
	fake_on_call("fn_check_cgfs", answer_cgfs);
	cgfs = 0;
	assert_false(fake_check(3));
	assert_contains(
	    fk.out, "nor one rooted at its own cgroup in any other process of the lab: `run unshare "
		    "--cgroup --mount sh -c 'umount -l /sys/fs/cgroup; mount -t cgroup2 none /sys/fs/cgroup; "
		    "sleep infinity' &`");
}

static void cgroup_command_creates_and_attaches(void **state)
{
	(void)state;
	pid_t lab = fake_main();
	assert_int_equal(fake_cmd("cgroup"), 0);
	assert_log_has("cg_create cgns\ncg_attach cgns %d\n", (int)lab);
	assert_out_has("The lab process (PID %d) is now in cgroup /nslab/1/cgns (", (int)lab);
	fk.cg_ret = -1;
	assert_int_equal(fake_cmd("cgroup"), -1);
	assert_not_contains(fk.log, "cg_attach");
}

static void cgroupns_command_unshares(void **state)
{
	(void)state;
	fake_main();
	fake_on_call("fn_unshare_cgroup|nslab_call_unshare", fake_answer_ok);
	assert_int_equal(fake_cmd("cgroupns"), 0);
	assert_contains(fk.out,
			"trace: unshare(CLONE_NEWCGROUP) = 0\nThe lab's cgroup namespace is rooted at ");
	fake_on_call("fn_unshare_cgroup|nslab_call_unshare", fake_answer_eperm);
	assert_int_equal(fake_cmd("cgroupns"), -1);
	assert_string_equal(fk.out, "error: unshare(CLONE_NEWCGROUP): Operation not permitted\n");
}

/* Facts issue 11 corrected, and the real tool first: pinned. */
static void summary_says_the_namespace_does_not_hide_the_tree(void **state)
{
	(void)state;
	assert_contains(fake_lab->summary, "A cgroup namespace does not hide the tree by itself");
	assert_contains(fake_lab->summary, "the host's /sys/fs/cgroup stays visible until it is remounted");
	assert_contains(fake_step(1)->task, "  run unshare --cgroup sleep infinity &\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    fake_test(summary_says_the_namespace_does_not_hide_the_tree),
	    fake_test(setup_spawns_in_a_private_mount_namespace),
	    fake_test(cgroup_step_wants_the_lab_in_its_own_cgroup),
	    fake_test(cgroupns_step_wants_the_cgroup_to_read_as_root),
	    fake_test(mount_step_wants_the_lab_cgroup_as_the_mount_root),
	    fake_test(a_learners_cgroup_namespace_passes_step_2),
	    fake_test(cgroup_command_creates_and_attaches),
	    fake_test(cgroupns_command_unshares),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
