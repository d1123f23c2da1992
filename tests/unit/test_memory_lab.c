/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_memory_lab.c: the memory lab's checks, commands and unsupported
 * hook on the fake host. The lab reads the cgroup files itself: here they
 * are plain files in a directory of the test, laid out as the kernel lays
 * out a v1 memory hierarchy (or a v2 tree), and the test writes what the
 * kernel would show (a limit in bytes, a usage, an oom_kill count). The
 * fake host's mounts name that directory as the memory hierarchy. Nothing
 * here needs root or a cgroup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "fakelab.h"

FAKE_LAB_GROUP("memory")

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

/* A memory hierarchy at <tmp>/cg/memory: v1 (a "cgroup" mount with the
 * memory option) or v2 (cgroup2, memory in cgroup.controllers and in the
 * root's cgroup.subtree_control when `on`). */
static void world(bool v2, bool on)
{
	char cg[512];
	snprintf(cg, sizeof(cg), "%s/cg", fake_dir);
	unit_rm_rf(cg);
	mkdir(cg, 0755);
	snprintf(mnt, sizeof(mnt), "%s/memory", cg);
	mkdir(mnt, 0755);
	snprintf(tree, sizeof(tree), "%s/nslab/%d", mnt, (int)getpid());
	snprintf(grp, sizeof(grp), "%s/mem", tree);
	fake_mount(0, "/proc", "proc", "proc", "rw");
	if (v2) {
		fake_mount(0, mnt, "cgroup2", "cgroup2", "rw,nsdelegate");
		put(mnt, "cgroup.controllers", "cpu io memory pids\n");
		put(mnt, "cgroup.subtree_control", on ? "cpu memory\n" : "cpu\n");
	} else {
		fake_mount(0, mnt, "cgroup", "cgroup", "rw,relatime,memory");
	}
	fk.main = getpid();
}

/* What the kernel does on mkdir in a memory hierarchy: the files appear. */
static void kernel_group(const char *dir, bool v2)
{
	mkdir(dir, 0755);
	put(dir, "cgroup.procs", "");
	if (v2) {
		put(dir, "memory.max", "max\n");
		put(dir, "memory.current", "0\n");
		put(dir, "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
		put(dir, "memory.swap.max", "max\n");
	} else {
		put(dir, "memory.limit_in_bytes", "9223372036854771712\n");
		put(dir, "memory.usage_in_bytes", "0\n");
		put(dir, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
		put(dir, "memory.memsw.limit_in_bytes", "9223372036854771712\n");
	}
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
	if (fake_lab && fk.host.lab_data)
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
	assert_contains(why, "no cgroup hierarchy offers the memory controller");
	fake_reset();
	world(true, false);
	why = fake_lab->unsupported(&fk.host);
	assert_non_null(why);
	char want[PATH_MAX + 64];
	snprintf(want, sizeof(want), "`echo +memory > %s/cgroup.subtree_control`", mnt);
	assert_contains(why, want);
	fake_reset();
	world(true, true);
	assert_null(fake_lab->unsupported(&fk.host));
	fake_reset();
	world(false, false);
	assert_null(fake_lab->unsupported(&fk.host));
}

/* --- the steps, v1 --- */

static void v1_steps_fail_before_and_pass_after(void **state)
{
	(void)state;
	start(false);
	/* setup made nslab/<pid> and registered it */
	assert_true(access(tree, F_OK) == 0);
	assert_log_has("keep %d %s", NSLAB_OBJ_CGROUP, tree);

	/* 1: a group */
	assert_false(fake_check(1));
	assert_out_has(
	    "missing: no cgroup under %s yet: `host cgcreate -g memory:nslab/%d/mem` or `cgroup`\n", tree,
	    (int)getpid());
	mkdir(grp, 0755); /* a directory without the controller's files */
	assert_false(fake_check(1));
	assert_out_has("%s has no memory.limit_in_bytes", grp);
	kernel_group(grp, false);
	assert_true(fake_check(1));
	/* nslab's own tracking cgroup is no group of the lab's */
	char lab[PATH_MAX + 8];
	snprintf(lab, sizeof(lab), "%s/lab", tree);
	kernel_group(lab, false);
	put(lab, "memory.limit_in_bytes", "67108864\n");
	put(lab, "memory.memsw.limit_in_bytes", "67108864\n");

	/* 2: a limit of 48-96 MiB, swap held to it */
	assert_false(fake_check(2));
	assert_out_has("missing: %s/memory.limit_in_bytes says no limit: `limit 64`", grp);
	put(grp, "memory.limit_in_bytes", "209715200\n");
	assert_false(fake_check(2));
	assert_out_has("memory.limit_in_bytes is 200.0 MiB: this lab wants 48 to 96 MiB");
	assert_int_equal(fake_cmd("limit 64"), 0);
	char *v = get(grp, "memory.limit_in_bytes");
	assert_string_equal(v, "64M");
	free(v);
	v = get(grp, "memory.memsw.limit_in_bytes");
	assert_string_equal(v, "64M");
	free(v);
	assert_out_has("trace: write(\"%s/memory.limit_in_bytes\", \"64M\") = 3\n", grp);
	/* the kernel shows bytes */
	put(grp, "memory.limit_in_bytes", "67108864\n");
	put(grp, "memory.memsw.limit_in_bytes", "67108864\n");
	assert_true(fake_check(2));
	/* v1 refuses a limit above memsw: going up, memsw is written first */
	assert_int_equal(fake_cmd("limit 80"), 0);
	const char *sw = strstr(fk.out, "memory.memsw.limit_in_bytes\", \"80M\""),
		   *lim = strstr(fk.out, "memory.limit_in_bytes\", \"80M\"");
	assert_true(sw && lim && sw < lim);
	put(grp, "memory.limit_in_bytes", "83886080\n");
	put(grp, "memory.memsw.limit_in_bytes", "83886080\n");
	assert_int_equal(fake_cmd("limit 64"), 0);
	sw = strstr(fk.out, "memory.memsw.limit_in_bytes\", \"64M\"");
	lim = strstr(fk.out, "memory.limit_in_bytes\", \"64M\"");
	assert_true(sw && lim && lim < sw);
	put(grp, "memory.limit_in_bytes", "67108864\n");
	put(grp, "memory.memsw.limit_in_bytes", "67108864\n");

	/* 3: a process inside */
	assert_false(fake_check(3));
	assert_out_has("the lab process %d is not (see /proc/%d/cgroup): `move`", (int)getpid(),
		       (int)getpid());
	assert_int_equal(fake_cmd("move"), 0);
	v = get(grp, "cgroup.procs");
	char pid[32];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	assert_string_equal(v, pid);
	free(v);
	assert_true(fake_check(3));

	/* 4: usage of 24 MiB or more */
	put(grp, "memory.usage_in_bytes", "1048576\n");
	assert_false(fake_check(4));
	assert_out_has(
	    "%s/memory.usage_in_bytes is 1.0 MiB: nothing there holds 24 MiB or more yet: `hog 32`", grp);
	put(grp, "memory.usage_in_bytes", "34603008\n");
	assert_true(fake_check(4));

	/* 5: an OOM kill */
	assert_false(fake_check(5));
	assert_out_has("%s/memory.oom_control counts no OOM kill yet (oom_kill 0): run something over the "
		       "limit: `hog 128`",
		       grp);
	put(grp, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
	assert_true(fake_check(5));

	/* the meter: usage against the limit */
	fake_cmd("usage");
	assert_contains(fk.meter, "] 33.0 MiB of 64 MiB  oom_kill 1\n  group mem, 1 process: "
				  "memory.usage_in_bytes against memory.limit_in_bytes");
	/* and `usage` lists the group's files */
	assert_out_has(
	    "%s: memory.usage_in_bytes 33.0 MiB, memory.limit_in_bytes 64.0 MiB, memory.oom_control "
	    "oom_kill 1, memory.memsw.limit_in_bytes held to the limit, 1 process (the lab process "
	    "among them)\n",
	    grp);
}

/* --- v2, and a group the learner named --- */

static void v2_reads_memory_max_and_memory_events_of_any_group(void **state)
{
	(void)state;
	start(true);
	/* setup turned memory on below nslab/ and nslab/<pid>/ (nslab's own) */
	char *sc = get(tree, "cgroup.subtree_control");
	assert_string_equal(sc, "+memory");
	free(sc);
	char box[PATH_MAX + 8];
	snprintf(box, sizeof(box), "%s/box", tree); /* cgcreate -g memory:nslab/<pid>/box */
	kernel_group(box, true);
	assert_true(fake_check(1));
	assert_false(fake_check(2));
	assert_out_has("missing: %s/memory.max says no limit: `limit 64` (or cgset -r memory.max=64M)", box);
	put(box, "memory.max", "67108864\n");
	put(box, "memory.swap.max", "0\n");
	assert_true(fake_check(2));
	/* swap not held: only missing when the machine has swap */
	put(box, "memory.swap.max", "max\n");
	char *mi = unit_slurp("/proc/meminfo");
	bool swap = mi && !strstr(mi, "SwapTotal:             0 kB") && !strstr(mi, "SwapTotal:        0 kB");
	free(mi);
	if (swap) {
		assert_false(fake_check(2));
		assert_out_has("%s/memory.swap.max lets the group swap", box);
	}
	put(box, "memory.swap.max", "0\n");
	assert_false(fake_check(3));
	put(box, "cgroup.procs", "4100100\n"); /* cgexec'd by the learner: any process counts */
	assert_true(fake_check(3));
	put(box, "memory.current", "33554432\n");
	assert_true(fake_check(4));
	assert_false(fake_check(5));
	assert_out_has("%s/memory.events counts no OOM kill yet", box);
	put(box, "memory.events", "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n");
	assert_true(fake_check(5));
}

/* --- commands --- */

static pid_t hog_pid;

static int answer_hog(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen;
	hog_pid = 4100200;
	assert_true(outlen >= sizeof(pid_t));
	memcpy(out, &hog_pid, sizeof(hog_pid));
	/* the kernel charges the group */
	put(grp, "memory.usage_in_bytes", "34603008\n");
	return 0;
}

static void commands_refuse_bad_input_and_hogs_outside_a_limit(void **state)
{
	(void)state;
	start(false);
	const char *bad[] = {"limit abc", "limit 0", "limit 99999", "limit 64x", "limit -5"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(fake_cmd(bad[i]), -1);
		assert_out_has("error: usage: limit MIB|max  (4 to 4096 MiB, e.g. limit 64)\n");
	}
	assert_int_equal(fake_cmd("hog x"), -1);
	assert_out_has("error: usage: hog MIB  (1 to 1024; 0 stops the hogs)\n");
	assert_int_equal(fake_cmd("limit 64"), -1);
	assert_out_has("error: there is no cgroup %s yet: type `cgroup` first\n", grp);
	assert_int_equal(fake_cmd("move"), -1);
	/* `cgroup` makes the directory; a fake hierarchy makes no files: said */
	assert_int_equal(fake_cmd("cgroup"), -1);
	assert_out_has("error: %s has no memory.limit_in_bytes: the memory controller is not on for it\n",
		       grp);
	assert_log_has("keep %d %s\n", NSLAB_OBJ_CGROUP, grp);
	kernel_group(grp, false);
	assert_int_equal(fake_cmd("hog 32"), -1);
	assert_out_has("error: the lab process %d is in no memory cgroup of the lab with a limit",
		       (int)getpid());
	put(grp, "memory.limit_in_bytes", "67108864\n");
	put(grp, "memory.memsw.limit_in_bytes", "67108864\n");
	assert_int_equal(fake_cmd("move"), 0);
	put(grp, "cgroup.procs", "");
	char pid[32];
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	put(grp, "cgroup.procs", pid);
	fake_on_call("ag_hog", answer_hog);
	assert_int_equal(fake_cmd("hog 32"), 0);
	assert_out_has("hog 4100200 started in mem: 32 MiB against a limit of 64 MiB\n");
	assert_out_has("it holds its memory: memory.usage_in_bytes = 33.0 MiB of 64 MiB\n");
	assert_log_has("keep %d 4100200\n", NSLAB_OBJ_PROCESS);
	assert_int_equal(fake_cmd("usage"), 0);
	assert_out_has(
	    "%s: memory.usage_in_bytes 33.0 MiB, memory.limit_in_bytes 64.0 MiB, memory.oom_control "
	    "oom_kill 0, memory.memsw.limit_in_bytes held to the limit, 1 process (the lab process "
	    "among them)\n",
	    grp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    fake_test(unsupported_names_a_missing_controller_and_the_fix),
	    check_test(v1_steps_fail_before_and_pass_after),
	    check_test(v2_reads_memory_max_and_memory_events_of_any_group),
	    check_test(commands_refuse_bad_input_and_hogs_outside_a_limit),
	};
	return cmocka_run_group_tests_name("memory lab", tests, fake_group_setup, fake_group_teardown);
}
