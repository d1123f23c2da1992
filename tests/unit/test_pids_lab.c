/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pids_lab.c: the pids lab's checks, commands and unsupported
 * hook on the fake host. The lab reads the cgroup files itself: here they
 * are plain files in a directory of the test, laid out as the kernel lays
 * out a v1 pids hierarchy (or a v2 tree), and the test writes what the
 * kernel would show (pids.max, pids.current, pids.events). The
 * fake host's mounts name that directory as the pids hierarchy. Nothing
 * here needs root or a cgroup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "fakelab.h"

FAKE_LAB_GROUP("pids")

static char mnt[1024], tree[1280], grp[1536];

/* f(dir/file) = text */
static void put(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	assert_int_equal(unit_write(path, text), 0);
}

static char *get(const char *dir, const char *file)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return unit_slurp(path);
}

/* A pids hierarchy at <tmp>/cg/pids: v1 (a "cgroup" mount with the pids
 * option) or v2 (cgroup2, pids in cgroup.controllers and in the root's
 * cgroup.subtree_control when `on`). */
static void world(bool v2, bool on)
{
	char cg[512];
	snprintf(cg, sizeof(cg), "%s/cg", fake_dir);
	unit_rm_rf(cg);
	mkdir(cg, 0755);
	snprintf(mnt, sizeof(mnt), "%s/pids", cg);
	mkdir(mnt, 0755);
	snprintf(tree, sizeof(tree), "%s/nslab/%d", mnt, (int)getpid());
	snprintf(grp, sizeof(grp), "%s/forks", tree);
	fake_mount(0, "/proc", "proc", "proc", "rw");
	if (v2) {
		fake_mount(0, mnt, "cgroup2", "cgroup2", "rw,nsdelegate");
		put(mnt, "cgroup.controllers", "cpu io memory pids\n");
		put(mnt, "cgroup.subtree_control", on ? "cpu pids\n" : "cpu\n");
	} else {
		fake_mount(0, mnt, "cgroup", "cgroup", "rw,relatime,pids");
	}
	fk.main = getpid();
}

/* What the kernel does on mkdir in a pids hierarchy: the files appear
 * (the same names on v1 and v2). */
static void kernel_group(const char *dir)
{
	mkdir(dir, 0755);
	put(dir, "cgroup.procs", "");
	put(dir, "pids.max", "max\n");
	put(dir, "pids.current", "0\n");
	put(dir, "pids.events", "max 0\n");
}

static void start(bool v2)
{
	world(v2, true);
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	fk.main = getpid();
}

static int finish(void **state)
{
	(void)state;
	if (fake_lab)
		fake_lab->teardown(&fk.host);
	return 0;
}
#define check_test(fn) cmocka_unit_test_setup_teardown(fn, fake_test_setup, finish)

/* --- unsupported --- */

static void unsupported_names_a_missing_controller_and_the_fix(void **state)
{
	(void)state;
	fake_mount(0, "/proc", "proc", "proc", "rw");
	const char *why = fake_lab->unsupported(&fk.host);
	assert_non_null(why);
	assert_contains(why, "no cgroup hierarchy offers the pids controller");
	fake_reset();
	world(true, false);
	why = fake_lab->unsupported(&fk.host);
	assert_non_null(why);
	char want[PATH_MAX + 64];
	snprintf(want, sizeof(want), "`echo +pids > %s/cgroup.subtree_control`", mnt);
	assert_contains(why, want);
	fake_reset();
	world(true, true);
	assert_null(fake_lab->unsupported(&fk.host));
	fake_reset();
	world(false, false);
	assert_null(fake_lab->unsupported(&fk.host));
}

/* --- the steps --- */

static struct {
	int forked, eagain, other, first_err;
} bomb_answer;

static int answer_bomb(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid;
	int n;
	assert_int_equal(arglen, sizeof(int));
	memcpy(&n, arg, sizeof(n));
	assert_int_equal(n, 40);
	assert_true(outlen >= sizeof(bomb_answer));
	bomb_answer.forked = 18;
	bomb_answer.eagain = 22;
	memcpy(out, &bomb_answer, sizeof(bomb_answer));
	/* what the kernel counts meanwhile */
	put(grp, "pids.current", "20\n");
	put(grp, "pids.events", "max 22\n");
	return 0;
}

static void steps_fail_before_and_pass_after(void **state)
{
	(void)state;
	start(false);
	assert_true(access(tree, F_OK) == 0);
	assert_log_has("keep %d %s", NSLAB_OBJ_CGROUP, tree);

	/* 1: a group */
	assert_false(fake_check(1));
	assert_out_has(
	    "missing: no cgroup under %s yet: `host cgcreate -g pids:nslab/%d/forks` or `cgroup`\n", tree,
	    (int)getpid());
	mkdir(grp, 0755);
	assert_false(fake_check(1));
	assert_out_has("%s has no pids.max", grp);
	kernel_group(grp);
	assert_true(fake_check(1));

	/* 2: pids.max 5-100 */
	assert_false(fake_check(2));
	assert_out_has("missing: %s/pids.max is max (no limit): `limit 20` (or cgset -r pids.max=20)\n", grp);
	put(grp, "pids.max", "1000\n");
	assert_false(fake_check(2));
	assert_out_has("%s/pids.max is 1000: this lab wants 5 to 100", grp);
	assert_int_equal(fake_cmd("limit 20"), 0);
	char *v = get(grp, "pids.max");
	assert_string_equal(v, "20");
	free(v);
	assert_out_has("trace: write(\"%s/pids.max\", \"20\") = 2\n", grp);
	assert_true(fake_check(2));

	/* 3: something inside, counted */
	assert_false(fake_check(3));
	assert_out_has("the lab process %d is not (see /proc/%d/cgroup): `move`", (int)getpid(),
		       (int)getpid());
	assert_int_equal(fake_cmd("move"), 0);
	put(grp, "pids.current", "1\n");
	assert_true(fake_check(3));

	/* 4: a refused fork */
	assert_false(fake_check(4));
	assert_out_has("missing: %s/pids.events says max 0: no fork has hit pids.max yet: `bomb`\n", grp);
	char pid[32];
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	put(grp, "cgroup.procs", pid);
	fake_on_call("ag_bomb", answer_bomb);
	fake_host_run("true", 0, "");
	assert_int_equal(fake_step(3)->perform(&fk.host), 0);
	assert_out_has("bomb: 40 forks tried in the lab process: 18 made a child, 22 failed with EAGAIN\n");
	assert_out_has("%s: pids.current 20 of pids.max 20; pids.events max 22 (was 0)\n", grp);
	assert_out_has("meanwhile the host forked and ran `true` (exit 0)");
	/* the fake group never empties: the lab waits, bounded, and says so */
	assert_out_has("after 5 s the group still holds 20 tasks (1 before the bomb)\n");
	assert_out_has("trace: fork() = -1 EAGAIN (Resource temporarily unavailable)   /* 22 times */\n");
	assert_true(fake_check(4));
	assert_contains(
	    fk.meter,
	    "pids [####################] 20 of 20 tasks  refused forks 22\n  group forks, 1 process");
}

/* v2, and a group the learner made and named */
static void v2_any_group_under_the_tree_counts(void **state)
{
	(void)state;
	start(true);
	char *sc = get(tree, "cgroup.subtree_control");
	assert_string_equal(sc, "+pids");
	free(sc);
	char box[PATH_MAX + 8], lab[PATH_MAX + 8];
	snprintf(lab, sizeof(lab), "%s/lab", tree); /* nslab's own: never a group of the lab's */
	kernel_group(lab);
	put(lab, "pids.max", "20\n");
	put(lab, "pids.events", "max 3\n");
	assert_false(fake_check(1));
	snprintf(box, sizeof(box), "%s/box", tree);
	kernel_group(box);
	assert_true(fake_check(1));
	put(box, "pids.max", "10\n");
	assert_true(fake_check(2));
	put(box, "cgroup.procs", "4100100\n");
	put(box, "pids.current", "1\n");
	assert_true(fake_check(3));
	assert_false(fake_check(4));
	put(box, "pids.events", "max 7\n");
	assert_true(fake_check(4));
}

static void commands_refuse_bad_input_and_a_bomb_outside_a_limit(void **state)
{
	(void)state;
	start(false);
	const char *bad[] = {"limit abc", "limit 0", "limit 100001", "limit 20x", "limit -5"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(fake_cmd(bad[i]), -1);
		assert_out_has("error: usage: limit N|max  (1 to 100000 tasks, e.g. limit 20)\n");
	}
	const char *badbomb[] = {"bomb 0", "bomb 201", "bomb x", "bomb -1"};
	for (size_t i = 0; i < sizeof(badbomb) / sizeof(badbomb[0]); i++) {
		assert_int_equal(fake_cmd(badbomb[i]), -1);
		assert_out_has("error: usage: bomb [N]  (1 to 200 forks; default 40)\n");
	}
	assert_int_equal(fake_cmd("limit 20"), -1);
	assert_out_has("error: there is no cgroup %s yet: type `cgroup` first\n", grp);
	assert_int_equal(fake_cmd("cgroup"), -1);
	assert_out_has("error: %s has no pids.max: the pids controller is not on for it\n", grp);
	assert_log_has("keep %d %s\n", NSLAB_OBJ_CGROUP, grp);
	kernel_group(grp);
	assert_int_equal(fake_cmd("bomb"), -1);
	assert_out_has("error: the lab process %d is in no pids cgroup of the lab with a limit",
		       (int)getpid());
	char pid[32];
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	put(grp, "cgroup.procs", pid);
	assert_int_equal(fake_cmd("bomb"), -1); /* inside, but pids.max is max */
	assert_int_equal(fake_cmd("usage"), 0);
	assert_out_has(
	    "%s: pids.current 0, pids.max max (none), pids.events max 0, 1 process (the lab process "
	    "among them)\n",
	    grp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    fake_test(unsupported_names_a_missing_controller_and_the_fix),
	    check_test(steps_fail_before_and_pass_after),
	    check_test(v2_any_group_under_the_tree_counts),
	    check_test(commands_refuse_bad_input_and_a_bomb_outside_a_limit),
	};
	return cmocka_run_group_tests_name("pids lab", tests, fake_group_setup, fake_group_teardown);
}
