/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_container_lab.c: the container lab's five checks, its `rootfs`,
 * `limit`, `clock` and `build` commands and its messages on the fake host
 * (fakehost.h, fakelab.h). Namespaces, the cgroup's quota and throttling, and what the
 * container reports from inside (its hostname, the state of its root, its
 * cgroup, its boot time) are the fake world's. The lab reads
 * /proc/PID/cgroup itself, so for step 3 the test process stands in for the
 * container, and the fake cg_path names the cgroup it is in. Runs without
 * root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <time.h>

#include "fakelab.h"
#include "reflow.h"
#include "standin.h"

FAKE_LAB_GROUP("container")

enum { ROOT_OWN = 1, ROOT_NO_OLD = 2, ROOT_PROC = 4, ROOT_SHELL = 8, ROOT_CWD = 16, ROOT_ALL = 31 };

static const char *const rows[] = {
    "cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "time_for_children", "user", "uts"};

/* The container, from inside. */
static char name[256], cgroup_inside[64];
static int rootstate;
static long boot_ahead; /* its CLOCK_BOOTTIME minus the host's, in seconds */

static int answer_rootstate(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen, (void)out, (void)outlen;
	return rootstate;
}
static int answer_boottime(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen, (void)out, (void)outlen;
	struct timespec t;
	clock_gettime(CLOCK_BOOTTIME, &t);
	return (int)(t.tv_sec + boot_ahead);
}

static bool have_timens(void)
{
	return access("/proc/self/ns/time", F_OK) == 0;
}

/* A started container: every namespace its own but time and cgroup (as
 * setup clones it), nothing done yet. */
static pid_t start(void)
{
	assert_int_equal(gethostname(name, sizeof(name)), 0);
	rootstate = 0;
	boot_ahead = 0;
	snprintf(cgroup_inside, sizeof(cgroup_inside), "/user.slice");
	fake_on_call_text("fn_uname", name);
	fake_on_call("fn_sethostname", fake_answer_ok);
	fake_on_call("fn_rootstate", answer_rootstate);
	fake_on_call_text("fn_self_cgroup|nslab_call_own_cgroup", cgroup_inside);
	fake_on_call("fn_boottime", answer_boottime);
	pid_t pid = fake_main();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		fake_ns(pid, rows[i], strncmp(rows[i], "time", 4) == 0 || strcmp(rows[i], "cgroup") == 0);
	return pid;
}

static void made_image(void)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/image", fk.workdir);
	assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
	snprintf(path, sizeof(path), "%s/image/bin", fk.workdir);
	assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
	snprintf(path, sizeof(path), "%s/image/bin/sh", fk.workdir);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
	assert_true(fd >= 0);
	close(fd);
}

static void setup_clones_every_namespace_with_a_mapped_root(void **state)
{
	(void)state;
	fk.host.invoking_uid = 1000;
	fk.host.invoking_gid = 1001;
	assert_int_equal(fake_lab->setup(&fk.host), -1); /* no image: the helper nslab-probe is missing */
	made_image(); /* setup makes the image for step 2's real tools; here it is there */
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	/* CLONE_NEWUSER|NEWNS|NEWUTS|NEWIPC|NEWPID|NEWNET */
	assert_contains(fk.log,
			"spawn container flags=0x7c020000 uid_map=0 1000 1 gid_map=0 1001 1 init=yes");
	assert_contains(fk.out, "root inside is uid 1000 outside.\n");
	fk.host.invoking_uid = 0; /* plain root: root inside is nobody outside */
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	assert_contains(fk.log, "uid_map=0 65534 1 gid_map=0 65534 1");
}

static void hostname_step_wants_a_name_of_its_own(void **state)
{
	(void)state;
	pid_t pid = start();
	fake_ns(pid, "uts", 1);
	assert_false(fake_check(1));
	assert_string_equal(fk.out, "missing: the container shares the host's UTS namespace\n");
	fake_ns(pid, "uts", 0);
	assert_false(fake_check(1));
	assert_out_is("missing: the container still has the host's hostname \"%s\", and no process of the "
		      "lab has a UTS namespace of its own with another: `host unshare --uts sh -c 'hostname "
		      "container; sleep infinity' &` or `run hostname container`\n",
		      name);
	snprintf(name, sizeof(name), "container");
	assert_true(fake_check(1));
	fake_on_call("fn_uname", fake_answer_eperm);
	assert_false(fake_check(1));
	assert_string_equal(fk.out,
			    "missing: cannot ask the container for its hostname: Operation not permitted\n");
}

/* A learner's process (`host unshare --uts sh -c 'hostname container; sleep
 * infinity' &`, in the lab cgroup or watched): its hostname is read in its
 * own UTS namespace by nsenter. */
static pid_t learner_uts(const char *hostname)
{
	pid_t pid = fk.next_pid++;
	char match[64];
	fk.subjects[fk.nsubjects++] = pid;
	fake_ns(pid, "uts", 0);
	snprintf(match, sizeof(match), "nsenter --target %d --uts cat", (int)pid);
	fake_host_run(match, 0, hostname);
	return pid;
}

static void hostname_step_passes_with_a_learners_unshare(void **state)
{
	(void)state;
	char line[300];
	start();                                     /* the container keeps the host's name throughout */
	fk.subjects[fk.nsubjects++] = fk.next_pid++; /* `host sleep 60 &`: the host's UTS namespace */
	assert_false(fake_check(1));
	assert_contains(fk.out, "missing: the container still has the host's hostname");
	snprintf(line, sizeof(line), "%s\n", name);
	pid_t near = learner_uts(line); /* `host unshare --uts sleep infinity &`: not renamed */
	assert_false(fake_check(1));
	assert_log_has("host_run nsenter --target %d --uts cat /proc/sys/kernel/hostname", (int)near);
	assert_out_has("missing: no process of the lab has a hostname of its own: PID %d (", (int)near);
	assert_out_has("has a UTS namespace of its own but still the host's hostname \"%s\": `host unshare "
		       "--uts sh -c 'hostname container; sleep infinity' &` or `run hostname container`\n",
		       name);
	learner_uts("container\n");
	assert_true(fake_check(1));
	assert_string_equal(fk.out, "");
}

/* A learner's process that shares the host's UTS namespace is not asked,
 * even when nsenter would answer; one that cannot be read does not count. */
static void hostname_step_ignores_host_namespace_subjects(void **state)
{
	(void)state;
	start();
	pid_t host_one = learner_uts("container\n");
	fake_ns(host_one, "uts", 1);
	pid_t gone = fk.next_pid++;
	fk.subjects[fk.nsubjects++] = gone;
	fake_ns(gone, "uts", 0);
	assert_false(fake_check(1));
	char asked[64];
	snprintf(asked, sizeof(asked), "nsenter --target %d ", (int)host_one);
	assert_null(strstr(fk.log, asked));
	assert_log_has("host_run nsenter --target %d --uts", (int)gone);
	assert_contains(fk.out, "missing: the container still has the host's hostname");
}

#define UNSHARE_ROOT                                                                                         \
	"host unshare --mount --pid --fork --propagation private sh -c 'mount -t tmpfs tmpfs /mnt && mkdir " \
	"/mnt/upper /mnt/work /mnt/merged && mount -t overlay overlay -o "                                   \
	"lowerdir=$NSLAB_LAB_DIR/image,upperdir=/mnt/upper,workdir=/mnt/work /mnt/merged && cd /mnt/merged " \
	"&& mkdir .oldroot && pivot_root . .oldroot && cd / && mount -t proc proc /proc && umount -l "       \
	"/.oldroot && exec sleep infinity' &"

static void root_step_wants_every_part_of_the_root(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(2));
	assert_string_equal(
	    fk.out,
	    "missing: the container's / is not an overlay yet (lowerdir the image, upperdir and "
	    "workdir on a tmpfs), and no process of the lab has a root of its own: `rootfs`, or "
	    "`" UNSHARE_ROOT "`\nmissing: the container's /proc is not a fresh proc for its PID namespace\n");
	rootstate = ROOT_OWN;
	assert_false(fake_check(2));
	assert_contains(fk.out, "missing: the old root is still reachable inside the container (/.oldroot or "
				"/run/nslab)\n");
	assert_contains(fk.out, "missing: the container's root has no /bin/sh\n");
	assert_contains(fk.out, "missing: the container process's working directory is outside its root");
	rootstate = ROOT_ALL;
	assert_true(fake_check(2));
	fake_on_call("fn_rootstate", fake_answer_eperm);
	assert_false(fake_check(2));
	assert_string_equal(fk.out,
			    "missing: cannot look at the container's root: Operation not permitted\n");
}

static bool cd_to_host_root(void *arg)
{
	(void)arg;
	return chdir("/") == 0;
}

/* issue 11: a container whose every part looks right from inside, but whose
 * working directory is still on the host's root filesystem (a put_old it
 * can still name, never detached): the way out pivot-root rejects. */
static void root_step_rejects_a_cwd_on_the_host_root_fs(void **state)
{
	(void)state;
	start();
	rootstate = ROOT_ALL;
	pid_t pid = fake_standin(cd_to_host_root, NULL);
	if (!pid)
		skip();
	fk.main = pid;
	bool ok = fake_check(2);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_false(ok);
	assert_string_equal(fk.out, "missing: the container process's working directory is outside its root, "
				    "on the host's filesystem (every `run` would start there): `reset`, then "
				    "`rootfs`, which does chdir(\"/\") after pivot_root\n");
}

static bool cd_to_dev(void *arg)
{
	(void)arg;
	return chdir("/dev") == 0;
}

/* A learner's process (`host unshare --mount --pid --fork ... pivot_root
 * ... &`), looked at from the host: its mounts (the fake's), its PID
 * namespace's proc (a stand-in in the host's PID namespace whose /proc is
 * the host's, with the namespace faked), /bin/sh and its cwd through
 * /proc/PID/root and /proc/PID/cwd (the stand-in's cwd is /dev, not the
 * host's root filesystem). The container never gets a root. */
static void root_step_passes_with_a_learners_pivot_root(void **state)
{
	(void)state;
	start();
	fake_mount(0, "/", "ext4", "/dev/sda1", NULL);
	pid_t host_sleep = fk.next_pid++; /* `host sleep &`: the host's mount namespace */
	fk.subjects[fk.nsubjects++] = host_sleep;
	assert_false(fake_check(2));
	assert_contains(fk.out, "missing: the container's / is not an overlay yet");
	pid_t pid = fake_standin(cd_to_dev, NULL);
	if (!pid)
		skip();
	fk.subjects[fk.nsubjects++] = pid;
	fake_ns(pid, "mnt", 0); /* unshare --mount, not pivoted yet: the host's / still */
	fake_mount(pid, "/", "ext4", "/dev/sda1", NULL);
	bool unshared = fake_check(2);
	char first[4096], text[4096];
	snprintf(first, sizeof(first), "%s", fk.out);
	fk.nmounts--; /* pivoted into the overlay, old root on /.oldroot, no proc yet */
	fake_mount(pid, "/", "overlay", "overlay", NULL);
	fake_mount(pid, "/.oldroot", "ext4", "/dev/sda1", NULL);
	bool ok = fake_check(2);
	snprintf(text, sizeof(text), "%s", fk.out);
	fk.nmounts--; /* umount -l /.oldroot, mount -t proc in its own PID namespace */
	fake_mount(pid, "/proc", "proc", "proc", NULL);
	fake_ns(pid, "pid", 0);
	bool done = fake_check(2);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_false(unshared); /* closer than the container: it is named */
	char want[512];
	snprintf(want, sizeof(want), "missing: PID %d (", (int)pid);
	assert_contains(first, want);
	assert_contains(first, ") has no root of its own (an overlay or a tmpfs in a mount namespace of its "
			       "own): `" UNSHARE_ROOT "`\n");
	assert_false(ok);
	assert_contains(text, want);
	assert_contains(text, ") still reaches the host's root filesystem (mounted on /.oldroot in its mount "
			      "namespace): umount -l the old root after pivot_root\n");
	assert_contains(text, ") has no proc of its own PID namespace on /proc: unshare --pid --fork, then "
			      "mount -t proc proc /proc after the pivot\n");
	assert_not_contains(text, "the container's");
	assert_true(done);
}

static void cgroup_step_wants_a_limited_cgroup_read_as_root(void **state)
{
	(void)state;
	start();
	fk.main = getpid(); /* the lab reads /proc/PID/cgroup of it */
	assert_false(fake_check(3));
	assert_contains(fk.out,
			"missing: the container is not in its cgroup /nslab/1/container (the host sees ");
	assert_contains(fk.out, "), and no process of the lab is in a cgroup with a CPU quota: `limit`, or "
				"`host cgexec -g cpu:nslab/$(basename $NSLAB_CGROUP_DIR)/container unshare "
				"--cgroup sleep infinity &` after cgcreate and cgset\n");
	const char *from = strstr(fk.out, "(the host sees "), *to = strstr(fk.out, "), and no process");
	assert_non_null(to);
	from += strlen("(the host sees ");
	snprintf(fk.cgpath, sizeof(fk.cgpath), "%.*s", (int)(to - from), from);
	assert_false(fake_check(3));
	assert_out_has("missing: cgroup %s has no CPU quota\n", fk.cgpath);
	assert_contains(fk.out, "missing: the container still shares the host's cgroup namespace\n");
	fk.cg.quota_us = 50000;
	fake_ns(fk.main, "cgroup", 0);
	assert_false(fake_check(3));
	assert_string_equal(fk.out,
			    "missing: inside, the container reads its cgroup as \"/user.slice\", not /\n");
	snprintf(cgroup_inside, sizeof(cgroup_inside), "/");
	assert_true(fake_check(3));
}

static int cpu_max(const char *dir, const char *text)
{
	char path[700];
	snprintf(path, sizeof(path), "%s/cpu.max", dir);
	return unit_write(path, text);
}

/* A learner's process (`host cgexec -g cpu:... unshare --cgroup sleep
 * infinity &`): the quota is read from its group's directory (the fake
 * cg_dir's), how it reads its cgroup by nsenter in its cgroup namespace. */
static void cgroup_step_passes_with_a_learners_cgexec(void **state)
{
	(void)state;
	start(); /* the container never moves */
	char dir[600];
	snprintf(dir, sizeof(dir), "%s/cgroup", fk.workdir);
	mkdir(dir, 0755);
	pid_t pid = fk.next_pid++;
	fk.subjects[fk.nsubjects++] = pid;
	assert_false(fake_check(3)); /* in the host's namespace, no quota: the container is closest */
	assert_contains(fk.out, "missing: the container is not in its cgroup");
	assert_int_equal(cpu_max(dir, "50000 100000\n"), 0);
	assert_false(fake_check(3));
	assert_out_is("missing: PID %d () shares the host's cgroup namespace: unshare(1) makes one after the "
		      "move, rooted at the cgroup: `host cgexec -g cpu:nslab/$(basename $NSLAB_CGROUP_DIR)/"
		      "container unshare --cgroup sleep infinity &`\n",
		      (int)pid);
	fake_ns(pid, "cgroup", 0);
	char match[80];
	snprintf(match, sizeof(match), "nsenter --target %d --cgroup cat /proc/%d/cgroup", (int)pid,
		 (int)pid);
	fake_host_run(match, 0, "12:pids:/user.slice\n4:cpu:/../lab\n0::/user.slice\n");
	assert_false(fake_check(3));
	assert_out_is(
	    "missing: inside, PID %d () reads its cgroup as \"/../lab\", not /: unshare --cgroup "
	    "before the move roots the namespace at the old cgroup: `host cgexec -g "
	    "cpu:nslab/$(basename $NSLAB_CGROUP_DIR)/container unshare --cgroup sleep infinity &`\n",
	    (int)pid);
	assert_int_equal(cpu_max(dir, "max 100000\n"), 0);
	fk.nhost_runs--; /* the first answer that matches wins: the namespace is rooted now */
	fake_host_run(match, 0, "12:pids:/user.slice\n4:cpu:/\n0::/user.slice\n");
	assert_false(fake_check(3));
	assert_out_has("missing: PID %d () is in cgroup %s, which has no CPU quota: `", (int)pid, dir);
	assert_int_equal(cpu_max(dir, "50000 100000\n"), 0);
	assert_true(fake_check(3));
	assert_string_equal(fk.out, "");
	char file[700];
	snprintf(file, sizeof(file), "%s/cpu.max", dir);
	unlink(file); /* the workdir outlives the test */
}

static void time_step_wants_the_clock_ten_days_ahead(void **state)
{
	(void)state;
	pid_t pid = start();
	if (!have_timens()) {
		assert_true(fake_check(4)); /* nothing to do on this kernel */
		return;
	}
	assert_false(fake_check(4));
	assert_string_equal(fk.out,
			    "missing: the container shares the host's time namespace, and no process of "
			    "the lab is in one whose clocks since boot run 10 days ahead: `host unshare "
			    "--time --monotonic 864000 --boottime 864000 --fork sleep infinity &` or "
			    "`clock`\n");
	fake_ns(pid, "time", 0);
	fake_ns(pid, "time_for_children", 0);
	assert_false(fake_check(4));
	assert_string_equal(fk.out,
			    "missing: the container's boot time is +0s off the host's, not +864000s\n");
	boot_ahead = 864000;
	assert_true(fake_check(4));
}

/* A learner's process in a time namespace of its own with these offsets
 * (a stand-in that unshared CLONE_NEWTIME in a user namespace of its own,
 * so no privilege is needed; the test writes its offsets as unshare(1)
 * does), 0 where that cannot be done here. */
static pid_t timens_child;

static pid_t learner_timens(const char *offsets)
{
	timens_child = fake_unshared(CLONE_NEWTIME);
	if (timens_child && fake_proc_write(timens_child, "timens_offsets", offsets) < 0)
		fake_reap(&timens_child);
	if (timens_child)
		fk.subjects[fk.nsubjects++] = timens_child;
	return timens_child;
}

static int reap_timens(void **state)
{
	(void)state;
	fake_reap(&timens_child);
	return 0;
}

/* The real tool: `host unshare --time --monotonic 864000 --boottime 864000
 * --fork sleep infinity &` while the container process never enters a time
 * namespace. Without --fork, unshare(1) is outside the namespace it made. */
static void time_step_passes_with_a_learners_unshare(void **state)
{
	(void)state;
	start();
	if (!have_timens())
		skip();
	fk.subjects[fk.nsubjects++] = fk.next_pid++; /* `host sleep &`: the host's time namespace */
	assert_false(fake_check(4));
	assert_contains(fk.out, "missing: the container shares the host's time namespace");
	pid_t pid = learner_timens("monotonic 0 0\nboottime 0 0\n");
	if (!pid)
		skip();                       /* no unprivileged user and time namespaces here */
	fake_ns(pid, "time_for_children", 0); /* unshare(1) without --fork */
	assert_false(fake_check(4));
	assert_out_has("missing: PID %d (", (int)pid);
	assert_contains(fk.out, "made a time namespace for its children only (time_for_children), and no "
				"process of the lab is inside it yet: unshare(1) needs --fork: `host unshare "
				"--time --monotonic 864000 --boottime 864000 --fork sleep infinity &`\n");
	fake_ns(pid, "time", 0); /* inside, but its offsets are 0 */
	assert_false(fake_check(4));
	assert_out_has("is in a time namespace of its own, but its clocks since boot run +0s ahead (boottime "
		       "in /proc/%d/timens_offsets), not +864000s: `host unshare",
		       (int)pid);
	fake_reap(&timens_child);
	fk.nsubjects--;
	pid = learner_timens("monotonic 864000 0\nboottime 864000 0\n");
	assert_true(pid > 0);
	fake_ns(pid, "time", 0);
	assert_true(fake_check(4));
	assert_string_equal(fk.out, "");
	/* step 5 still wants the container itself in one, and says how */
	assert_false(fake_check(5));
	assert_contains(fk.out, "missing: the container shares the host's time namespace: `clock` moves the "
				"container process itself into one\n");
}

static void run_step_wants_every_row_its_own_and_a_throttled_loop(void **state)
{
	(void)state;
	pid_t pid = start();
	fk.cg_stat_ret = -1;
	assert_false(fake_check(5));
	assert_contains(fk.out, "missing: the container shares the host's cgroup namespace\n");
	if (have_timens())
		assert_contains(fk.out, "missing: the container shares the host's time namespace: `clock` "
					"moves the container process itself into one\n");
	assert_contains(fk.out, "missing: the container's root is not its own overlay of the image\n");
	assert_contains(fk.out, "missing: the container's cgroup has no CPU limit\n");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		fake_ns(pid, rows[i], 0);
	rootstate = ROOT_ALL;
	fk.cg_stat_ret = 0;
	fk.cg.quota_us = 50000;
	assert_false(fake_check(5));
	assert_string_equal(
	    fk.out, "missing: nothing in the container has hit the limit yet (nr_throttled is 0): `host "
		    "cgexec -g cpu:nslab/$(basename $NSLAB_CGROUP_DIR)/container nsenter --target "
		    "$NSLAB_LAB_PID --all --root --wd timeout 2 sh -c 'while :; do :; done'` or `run "
		    "timeout 2 sh -c 'while :; do :; done'`\n");
	fk.cg.nr_throttled = 3;
	assert_true(fake_check(5));
}

/* A learner's own container (unshare with every namespace, the pivot of
 * step 2, cgexec into a group with a quota), looked at from the host, and a
 * busy loop run in it with nsenter under cgexec: nr_throttled in its
 * group's cpu.stat. The lab's own container does nothing. */
static void run_step_passes_with_a_learners_container(void **state)
{
	(void)state;
	start();
	fk.cg_stat_ret = -1;
	fake_mount(0, "/", "ext4", "/dev/sda1", NULL);
	char dir[600], file[700];
	snprintf(dir, sizeof(dir), "%s/cgroup", fk.workdir);
	mkdir(dir, 0755);
	pid_t pid = fake_standin(cd_to_dev, NULL);
	if (!pid)
		skip();
	fk.subjects[fk.nsubjects++] = pid;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		fake_ns(pid, rows[i], 0);
	fake_mount(pid, "/", "overlay", "overlay", NULL);
	fake_mount(pid, "/proc", "proc", "proc", NULL);
	bool no_quota = fake_check(5);
	char first[4096], second[4096];
	snprintf(first, sizeof(first), "%s", fk.out);
	cpu_max(dir, "50000 100000\n");
	snprintf(file, sizeof(file), "%s/cpu.stat", dir);
	unit_write(file, "nr_periods 10\nnr_throttled 0\nthrottled_time 0\n");
	bool not_hit = fake_check(5);
	snprintf(second, sizeof(second), "%s", fk.out);
	unit_write(file, "nr_periods 30\nnr_throttled 12\nthrottled_time 600000000\n");
	bool hit = fake_check(5);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(file);
	snprintf(file, sizeof(file), "%s/cpu.max", dir);
	unlink(file);
	assert_false(no_quota);
	char want[1024];
	snprintf(want, sizeof(want), "missing: PID %d (", (int)pid);
	assert_contains(first, want);
	assert_contains(first, ") is in cgroup ");
	assert_contains(first,
			", which has no CPU quota: `host cgexec -g cpu:nslab/$(basename $NSLAB_CGROUP_DIR)/"
			"container unshare --cgroup sleep infinity &`\n");
	assert_not_contains(first, "the container");
	assert_false(not_hit);
	snprintf(
	    want, sizeof(want),
	    " has hit the limit yet (nr_throttled is 0 in %s/cpu.stat): `host cgexec -g cpu:nslab/$(basename "
	    "$NSLAB_CGROUP_DIR)/container nsenter --target %d --all --root --wd timeout 2 sh -c 'while :; do "
	    ":; done'`\n",
	    dir, (int)pid);
	assert_contains(second, want);
	assert_true(hit);
}

static void rootfs_command_is_done_once_and_says_what_failed(void **state)
{
	(void)state;
	start();
	rootstate = ROOT_ALL;
	assert_int_equal(fake_cmd("rootfs"), 0);
	assert_string_equal(fk.out, "The container already lives on its own root.\n");
	rootstate = 0;
	fake_on_call("fn_mount_tmpfs", fake_answer_eperm);
	assert_int_equal(fake_cmd("rootfs"), -1);
	assert_out_is("error: mount tmpfs on %s/rootfs in the container: Operation not permitted\n",
		      fk.workdir);
}

/* The overlay's options as the container got them: "ROOT\0IMAGE". */
static char overlay_arg[2][512];
static int answer_overlay(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)out, (void)outlen;
	snprintf(overlay_arg[0], sizeof(overlay_arg[0]), "%s", arg);
	size_t n = strlen(arg) + 1;
	snprintf(overlay_arg[1], sizeof(overlay_arg[1]), "%s", n < arglen ? arg + n : "");
	return 0;
}
static int answer_einval(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen, (void)out, (void)outlen;
	errno = EINVAL;
	return -1;
}
static int answer_ebusy(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen, (void)out, (void)outlen;
	errno = EBUSY;
	return -1;
}

/* An image already made in the workdir (nslab makes it once per workdir; the
 * copy itself, as the mapped uid, is the root test's). */
/* rootfs mounts the container layer's tmpfs, an overlay on it with the
 * image (in the workdir, made by the host) as lowerdir, then pivots into
 * merged. */
static void rootfs_command_mounts_an_overlay_of_the_image(void **state)
{
	(void)state;
	pid_t pid = start();
	char want[1024];
	made_image();
	fake_on_call("fn_mount_tmpfs", fake_answer_ok);
	fake_on_call("fn_mount_overlay", answer_overlay);
	fake_on_call("fn_pivot", fake_answer_ok);
	assert_int_equal(fake_cmd("rootfs"), 0);
	snprintf(want, sizeof(want), "%s/rootfs", fk.workdir);
	assert_string_equal(overlay_arg[0], want);
	snprintf(want, sizeof(want), "%s/image", fk.workdir);
	assert_string_equal(overlay_arg[1], want);
	assert_contains(fk.out,
			"The container's / is now an overlay: the image is its read-only lower layer");
	snprintf(want, sizeof(want), "lowerdir=%s/image,upperdir=%s/rootfs/upper,workdir=%s/rootfs/work",
		 fk.workdir, fk.workdir, fk.workdir);
	assert_contains(fk.out, want);
	snprintf(want, sizeof(want), "call %d ag_pivot(%s/rootfs/merged)", (int)pid, fk.workdir);
	assert_log_has("%s", want);
	assert_int_equal(fk.unscripted, 0);
}

/* A kernel before 5.11 refuses the overlay in a user namespace: one line,
 * then today's copy onto the tmpfs; any other failure is an error. */
static void rootfs_command_falls_back_to_a_copy_without_overlay(void **state)
{
	(void)state;
	start();
	made_image();
	fake_on_call("fn_mount_tmpfs", fake_answer_ok);
	fake_on_call("fn_mount_overlay", answer_einval);
	fake_on_call("fn_pivot", fake_answer_ok);
	fake_cmd("rootfs");
	assert_contains(fk.out, "This kernel refuses an overlay in a user namespace (Invalid argument; Linux "
				"5.11 allows it): the image is copied onto the tmpfs instead.\n");
	fake_on_call("fn_mount_overlay", answer_ebusy);
	assert_int_equal(fake_cmd("rootfs"), -1);
	char want[512];
	snprintf(want, sizeof(want),
		 "error: mount overlay on %s/rootfs/merged in the container: Device or "
		 "resource busy\n",
		 fk.workdir);
	assert_contains(fk.out, want);
	assert_false(strstr(fk.out, "refuses an overlay"));
}

static void limit_command_makes_the_cgroup_then_its_namespace(void **state)
{
	(void)state;
	pid_t pid = start();
	fake_on_call("fn_unshare_cgroup|nslab_call_unshare", fake_answer_ok);
	assert_int_equal(fake_cmd("limit"), 0);
	assert_log_has("cg_create container\ncg_set_quota container 50000 100000\ncg_attach container %d\n",
		       (int)pid);
	assert_contains(fk.log, "unshare");
	assert_contains(fk.out, "/nslab/1/container/cpu.max\", \"50000 100000\") = 0\n");
	assert_contains(fk.out,
			"The container is in /nslab/1/container with 50% of one CPU, and reads that cgroup "
			"as /.\n");
	fake_ns(pid, "cgroup", 0);
	fk.cgmode = NSLAB_CG_V1;
	assert_int_equal(fake_cmd("limit"), 0);
	assert_not_contains(fk.log, "unshare");
	assert_contains(fk.out, "/cpu.cfs_quota_us\", \"50000\") = 0\n");
	fk.cg_ret = -1;
	assert_int_equal(fake_cmd("limit"), -1);
	if (geteuid() != 0)
		assert_contains(fk.out,
				"error: a cgroup needs root, or a cgroup subtree delegated to your user");
}

static void clock_command_is_done_once(void **state)
{
	(void)state;
	pid_t pid = start();
	if (!have_timens()) {
		assert_int_equal(fake_cmd("clock"), 0);
		assert_string_equal(fk.out,
				    "This kernel has no time namespaces (Linux 5.6+): nothing to do.\n");
		return;
	}
	fake_on_call("fn_timens", fake_answer_eperm);
	assert_int_equal(fake_cmd("clock"), -1);
	assert_string_equal(fk.out, "error: time namespace: Operation not permitted\n");
	fake_on_call("fn_timens", fake_answer_ok);
	assert_int_equal(fake_cmd("clock"), 0);
	assert_contains(fk.out, "The container's clocks since boot run 10 days ahead:");
	fake_ns(pid, "time", 0);
	assert_int_equal(fake_cmd("clock"), 0);
	assert_string_equal(fk.out, "The container already has its own clock.\n");
}

static void build_goes_on_after_a_failed_piece(void **state)
{
	(void)state;
	pid_t pid = start();
	rootstate = ROOT_ALL;    /* the root is done; the rest is not */
	fake_ns(pid, "time", 0); /* and the clock */
	fake_on_call("fn_unshare_cgroup|nslab_call_unshare", fake_answer_ok);
	fake_on_call("fn_burn", fake_answer_ok);
	fake_on_call("ag_lockdown", fake_answer_ok);
	assert_int_equal(fake_cmd("build"), 0);
	assert_contains(fk.out, "The container is called \"container\"; the host keeps its name.\n");
	assert_contains(fk.out, "The container already lives on its own root.\n");
	assert_contains(fk.out, "A busy loop in the container got ");
	assert_contains(fk.out, "Built: `ns` shows every row different");
	fake_on_call("fn_sethostname", fake_answer_eperm);
	fake_on_call("fn_burn", fake_answer_eperm);
	assert_int_equal(fake_cmd("build"), -1);
	assert_contains(fk.out, "error: sethostname: Operation not permitted\n");
	assert_contains(fk.out, "error: cannot start the busy loop: Operation not permitted\n");
	assert_contains(fk.out, "error: 2 pieces of the container could not be built (see above)\n");
}

/* The file the lab wrote into the fake cgroup of ctl. */
static char *cg_file(const char *ctl, const char *file)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/cg-%s-container/%s", fake_dir, ctl, file);
	return unit_slurp(path);
}

static void lockdown_sets_limits_then_asks_the_container(void **state)
{
	(void)state;
	pid_t pid = start();
	fake_on_call("ag_lockdown", fake_answer_ok);
	assert_int_equal(fake_cmd("lockdown"), 0);
	assert_contains(fk.log, "cg_group memory container");
	assert_contains(fk.log, "cg_group pids container");
	char *mem = cg_file("memory", "memory.max"), *swap = cg_file("memory", "memory.swap.max"),
	     *pids = cg_file("pids", "pids.max"), *procs = cg_file("pids", "cgroup.procs");
	char want[16];
	snprintf(want, sizeof(want), "%d", (int)pid);
	assert_string_equal(mem, "67108864");
	assert_string_equal(swap, "0");
	assert_string_equal(pids, "64");
	assert_string_equal(procs, want);
	free(mem), free(swap), free(pids), free(procs);
	assert_contains(fk.out, "trace: prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0");
	assert_contains(fk.out, "trace: seccomp(SECCOMP_SET_MODE_FILTER");
	/* v1: memory.limit_in_bytes, and memsw as high (no swap beyond it) */
	fk.cgmode = NSLAB_CG_V1;
	assert_int_equal(fake_cmd("lockdown"), 0);
	mem = cg_file("memory", "memory.limit_in_bytes");
	swap = cg_file("memory", "memory.memsw.limit_in_bytes");
	assert_string_equal(mem, "67108864");
	assert_string_equal(swap, "67108864");
	free(mem), free(swap);
	/* a container that refuses: the agent's failure is the error */
	fake_on_call("ag_lockdown", fake_answer_eperm);
	assert_int_equal(fake_cmd("lockdown"), -1);
	fk.cg_ret = -1;
	assert_int_equal(fake_cmd("lockdown"), -1);
	assert_contains(fk.out, "error: no cgroup hierarchy offers the memory controller");
}

static void lockdown_check_reads_the_container_status(void **state)
{
	(void)state;
	start();
	/* the fake container has no /proc entry: nothing can be proven */
	assert_false(fake_check(6));
	assert_contains(fk.out, "missing: cannot read /proc/");
}

/* What setpriv --no-new-privs and a runtime's filter leave: no_new_privs,
 * then a seccomp filter (allow-all: the state, not the rules, is looked
 * at), both unprivileged. */
static bool become_filtered(void *arg)
{
	(void)arg;
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = {.len = 1, .filter = &allow};
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
	       prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0;
}

/* A learner's process with no_new_privs and a filter (the container's
 * status cannot be read here): it is the closest, and only what it lacks
 * is said, naming it. Once it is gone, the container is named again. */
static void lockdown_check_names_the_closest_learners_process(void **state)
{
	(void)state;
	start();
	pid_t pid = fake_standin(become_filtered, NULL);
	if (!pid)
		skip();
	fk.subjects[fk.nsubjects++] = pid;
	bool ok = fake_check(6);
	char text[4096];
	snprintf(text, sizeof(text), "%s", fk.out);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_false(ok);
	char who[64];
	snprintf(who, sizeof(who), "PID %d (", (int)pid);
	assert_contains(text, who);
	assert_not_contains(text, "no_new_privs is not set");
	assert_not_contains(text, "no seccomp filter");
	assert_not_contains(text, "cannot read /proc/");
	assert_contains(text, ") has no memory limit (");
	if (!strstr(text, "still holds")) /* a test run with a reduced bounding set has none */
		return;
	assert_contains(text, "capabilities beyond Docker's 14");
	assert_contains(text, "`lockdown`, or setpriv(1): `host cgexec -g memory,pids:nslab/$(basename "
			      "$NSLAB_CGROUP_DIR)/container setpriv --no-new-privs --inh-caps=-all");
}

/* What nslab-probe prints, as the container's ag_probe returns it. */
static const char *probe_text;
static int answer_probe(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arglen;
	assert_non_null(strstr(arg, "root="));
	snprintf(out, outlen, "%s", probe_text);
	return 0;
}

static void scorecard_names_what_holds_and_what_escaped(void **state)
{
	(void)state;
	start();
	fake_on_call("ag_probe", answer_probe);
	probe_text = "chroot held - the climb stopped at the top of the container's own mount namespace\n"
		     "mount held EPERM mount(2) of a tmpfs refused\n"
		     "sysrq absent ENOENT open refused\n"
		     "forkbomb escaped - forked all 256 children\n";
	assert_int_equal(fake_cmd("scorecard"), 0);
	assert_contains(fk.out,
			"the chroot escape              held by pivot_root and the detached old root");
	assert_contains(fk.out,
			"mounting a filesystem          held by a dropped CAP_SYS_ADMIN (lab capabilities)");
	assert_contains(fk.out, "nothing to hold: this kernel lacks it (ENOENT)");
	assert_contains(fk.out,
			"a fork bomb (256 processes)    ESCAPED (forked all 256 children); what holds it: "
			"pids.max in the container's cgroup (lab pids)");
	assert_contains(fk.out, "2 held, 1 escaped, 1 not on this kernel.");
	assert_false(fake_check(7));
	assert_contains(fk.out,
			"missing: no scorecard of a bare process yet, to compare with: `scorecard bare`");
	assert_contains(fk.out, "missing: no scorecard of the container with every probe held yet");
	probe_text =
	    "chroot held - the climb stopped\nforkbomb held EAGAIN fork(2) failed after 60 children\n";
	assert_int_equal(fake_cmd("scorecard"), 0);
	assert_false(fake_check(7));
	assert_not_contains(fk.out, "with every probe held");
	/* bare: nslab-probe on the host, through host_run */
	fake_host_run("nslab-probe --host root=", 0, "forkbomb escaped - forked all 256 children\n");
	assert_int_equal(fake_cmd("scorecard bare"), 0);
	assert_contains(fk.out, "Scorecard of a bare process on the host:");
	assert_contains(fk.out, "0 held, 1 escaped, 0 not on this kernel.");
	assert_true(fake_check(7));
	/* a new start forgets the readings */
	fake_lab->teardown(&fk.host);
	assert_false(fake_check(7));
	fake_on_call("ag_probe", NULL);
	assert_int_equal(fake_cmd("scorecard"), -1);
	assert_contains(fk.out, "error: the probes cannot run in the container");
	assert_int_equal(fake_cmd("scorecard now"), -1);
	assert_contains(fk.out, "error: usage: scorecard [bare]");
}

/* issue 11: userns-remap is a dockerd option (daemon.json), not a docker
 * run flag, and Docker uses no user namespace by default; the time step's
 * date lines are two nslab commands, not one chained line that would reach
 * sh in the lab ("sh: run: not found"). */
static void texts_say_where_userns_remap_lives_and_keep_one_command_a_line(void **state)
{
	(void)state;
	char *run = text_reflow(fake_step(4)->explain); /* as the screen joins its lines */
	assert_string_equal(fake_step(4)->title, "Run it, and compare with docker run");
	assert_contains(run, "on a daemon started with userns-remap (a dockerd option in daemon.json, "
			     "not a docker run flag");
	assert_contains(run, "65536-id subordinate range; by default Docker uses no user namespace");
	assert_not_contains(run, "--userns-remap");
	free(run);
	for (unsigned i = 0; i < 7; i++)
		assert_not_contains(fake_step(i)->task, "--userns-remap");
	const char *clock = fake_step(3)->task;
	assert_contains(clock, "  run date\n  host date\n");
	assert_not_contains(clock, "date;");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    fake_test(setup_clones_every_namespace_with_a_mapped_root),
	    fake_test(hostname_step_wants_a_name_of_its_own),
	    fake_test(hostname_step_passes_with_a_learners_unshare),
	    fake_test(hostname_step_ignores_host_namespace_subjects),
	    fake_test(root_step_wants_every_part_of_the_root),
	    fake_test(root_step_rejects_a_cwd_on_the_host_root_fs),
	    fake_test(root_step_passes_with_a_learners_pivot_root),
	    fake_test(cgroup_step_wants_a_limited_cgroup_read_as_root),
	    fake_test(cgroup_step_passes_with_a_learners_cgexec),
	    fake_test(time_step_wants_the_clock_ten_days_ahead),
	    cmocka_unit_test_setup_teardown(time_step_passes_with_a_learners_unshare, fake_test_setup,
					    reap_timens),
	    fake_test(run_step_wants_every_row_its_own_and_a_throttled_loop),
	    fake_test(run_step_passes_with_a_learners_container),
	    fake_test(rootfs_command_is_done_once_and_says_what_failed),
	    fake_test(rootfs_command_mounts_an_overlay_of_the_image),
	    fake_test(rootfs_command_falls_back_to_a_copy_without_overlay),
	    fake_test(limit_command_makes_the_cgroup_then_its_namespace),
	    fake_test(clock_command_is_done_once),
	    fake_test(build_goes_on_after_a_failed_piece),
	    fake_test(lockdown_sets_limits_then_asks_the_container),
	    fake_test(lockdown_check_reads_the_container_status),
	    fake_test(lockdown_check_names_the_closest_learners_process),
	    fake_test(scorecard_names_what_holds_and_what_escaped),
	    fake_test(texts_say_where_userns_remap_lives_and_keep_one_command_a_line),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
