/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_mnt_lab.c: the mnt lab's checks, its `mntns` command and its
 * messages on the fake host (fakehost.h, fakelab.h): the lab's and the host's mount
 * tables are the fake world's (each_mount), its namespaces too (same_ns).
 * Step 4 looks through /proc/PID/root itself: a child chrooted in an
 * unprivileged user namespace stands in for the lab process there.
 * setup is not called: it bind-mounts the workdir itself (see the report of
 * issue 10: h->share_workdir). Runs without root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fakelab.h"
#include "standin.h"

FAKE_LAB_GROUP("mnt")

static int answer_mount_eperm(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen;
	errno = EPERM;
	return nslab_fail(out, outlen, "mount(tmpfs)");
}

static char data[512];

/* A lab process in a world where nslab's / is shared (systemd) and the
 * lab's mount table is a copy of it. */
static pid_t start(void)
{
	pid_t lab = fake_main();
	fake_mount(0, "/", "ext4", "/dev/vda1", NULL)->m.shared = true;
	fake_copy_mounts(0, lab);
	snprintf(data, sizeof(data), "%s/data", fk.workdir);
	mkdir(data, 0755);
	return lab;
}

static void finish(void)
{
	char file[600];
	snprintf(file, sizeof(file), "%s/hello.txt", data);
	unlink(file);
	rmdir(data);
}

static void unshare_step_wants_a_mount_namespace(void **state)
{
	(void)state;
	pid_t lab = start();
	assert_false(fake_check(1));
	char want[300];
	snprintf(want, sizeof(want),
		 "missing: no process of the lab has a mount namespace of its own: the lab process still "
		 "shares the host's (/proc/%d/ns/mnt is the same as nslab's), and so does every other: ",
		 (int)lab);
	assert_contains(fk.out, want);
	assert_contains(fk.out, "`run unshare --mount --propagation unchanged sleep infinity &`, or nslab's "
				"shortcut `mntns`");
	assert_false(fake_check(2));
	assert_contains(fk.out, want);
	fake_ns(lab, "mnt", 0);
	assert_true(fake_check(1));
	finish();
}

static void private_step_wants_no_shared_mount(void **state)
{
	(void)state;
	pid_t lab = start();
	fake_ns(lab, "mnt", 0);
	fake_mount(lab, "/boot", "vfat", "/dev/vda2", NULL)->m.shared = true;
	assert_false(fake_check(2));
	assert_out_has("missing: 2 mount(s) of the lab are still shared with the host (\"shared:N\" in "
		       "/proc/%d/mountinfo, the lab process (PID %d)): `run unshare --mount --propagation "
		       "unchanged sh -c 'mount --make-rprivate /; sleep infinity' &`",
		       (int)lab, (int)lab);
	for (unsigned i = 0; i < fk.nmounts; i++)
		if (fk.mounts[i].pid == lab)
			fk.mounts[i].m.shared = false;
	assert_true(fake_check(2));
	finish();
}

static void mount_step_wants_a_tmpfs_only_inside(void **state)
{
	(void)state;
	pid_t lab = start();
	fake_ns(lab, "mnt", 0);
	assert_false(fake_check(3));
	assert_out_has("missing: nothing is mounted on %s in the lab's mount namespace", data);
	struct fake_mount *m = fake_mount(lab, data, "ext4", "/dev/vdb", NULL);
	assert_false(fake_check(3));
	assert_out_has(
	    "missing: %s is a ext4 mount in the mount namespace of the lab process (PID %d), not a "
	    "tmpfs",
	    data, (int)lab);
	snprintf(m->fstype, sizeof(m->fstype), "tmpfs");
	assert_true(fake_check(3));
	/* Mounted before the mounts were private: the host has it too. */
	fake_mount(0, data, "tmpfs", "nslab-demo", NULL);
	assert_false(fake_check(3));
	assert_out_has(
	    "missing: the host's /proc/self/mountinfo has a tmpfs on %s too: the mount propagated out "
	    "(undo it: host umount %s; then make the lab's mounts private first)",
	    data, data);
	finish();
}

static void file_step_wants_a_file_on_the_tmpfs(void **state)
{
	(void)state;
	pid_t lab = start();
	fake_ns(lab, "mnt", 0);
	fake_mount(lab, data, "tmpfs", "nslab-demo", NULL);
	assert_false(fake_check(4));
	assert_out_has("missing: no file on the tmpfs yet (%s is empty in the lab)", data);
	/* The lab's view is /proc/PID/root/...: with the test itself as the lab
	 * process, a file written in the directory is one the host sees. */
	fk.main = getpid();
	fake_ns(fk.main, "mnt", 0);
	fake_mount(fk.main, data, "tmpfs", "nslab-demo", NULL);
	char file[600];
	snprintf(file, sizeof(file), "%s/hello.txt", data);
	assert_int_equal(unit_write(file, "hi\n"), 0);
	assert_false(fake_check(4));
	assert_out_has("missing: the host sees files in %s: they were written under the mount, not on it",
		       data);
	unlink(file);
	/* The lab's view differs from the host's: a lab process whose root is
	 * another directory, where the data directory holds the file. */
	char jail[600], inside[2400];
	snprintf(jail, sizeof(jail), "%s/jail", fk.workdir);
	snprintf(inside, sizeof(inside), "mkdir -p '%s%s' && echo hi > '%s%s/hello.txt'", jail, data, jail,
		 data);
	assert_int_equal(system(inside), 0);
	pid_t jailed = fake_jail(jail, "/");
	if (jailed) {
		fk.main = jailed;
		fake_ns(jailed, "mnt", 0);
		fake_mount(jailed, data, "tmpfs", "nslab-demo", NULL);
		bool ok = fake_check(4);
		fake_reap(&jailed);
		assert_true(ok);
	}
	snprintf(inside, sizeof(inside), "rm -rf '%s'", jail);
	assert_int_equal(system(inside), 0);
	(void)lab;
	finish();
}

/* The real tool: `run unshare --mount ... &` (or a watched PID) while the
 * lab process never unshares. Each step passes on the learner's process;
 * step 4 looks through its /proc/PID/root (a chrooted stand-in). */
static void a_learners_unshare_passes_each_step(void **state)
{
	(void)state;
	start();
	pid_t host_side = fk.next_pid++; /* `host sleep &`: nslab's mount namespace */
	fk.subjects[fk.nsubjects++] = host_side;
	for (unsigned n = 1; n <= 4; n++)
		assert_false(fake_check(n));
	pid_t copy = fk.next_pid++; /* --propagation unchanged: still shared */
	fk.subjects[fk.nsubjects++] = copy;
	fake_ns(copy, "mnt", 0);
	fake_copy_mounts(0, copy);
	assert_true(fake_check(1));
	assert_false(fake_check(2));
	assert_out_has("missing: 1 mount(s) of the lab are still shared with the host (\"shared:N\" in "
		       "/proc/%d/mountinfo, PID %d)",
		       (int)copy, (int)copy);
	pid_t priv = fk.next_pid++; /* then mount --make-rprivate / */
	fk.subjects[fk.nsubjects++] = priv;
	fake_ns(priv, "mnt", 0);
	fake_mount(priv, "/", "ext4", "/dev/vda1", NULL);
	assert_true(fake_check(2));
	assert_false(fake_check(3));
	assert_out_has(
	    "missing: nothing is mounted on %s in the lab's mount namespaces: `run unshare --mount sh "
	    "-c 'mount -t tmpfs -o size=1m nslab-demo data; sleep infinity' &`",
	    data);
	fake_mount(priv, data, "tmpfs", "nslab-demo", NULL);
	assert_true(fake_check(3));
	assert_false(fake_check(4)); /* the fake pid has no /proc/PID/root: no file seen */
	assert_contains(fk.out, "missing: no file on the tmpfs yet");
	/* A real process whose root holds the data directory with a file. */
	char jail[600], inside[2400];
	snprintf(jail, sizeof(jail), "%s/jail", fk.workdir);
	snprintf(inside, sizeof(inside), "mkdir -p '%s%s' && echo hi > '%s%s/hello.txt'", jail, data, jail,
		 data);
	assert_int_equal(system(inside), 0);
	pid_t jailed = fake_jail(jail, "/");
	if (jailed) {
		fk.subjects[fk.nsubjects++] = jailed;
		fake_ns(jailed, "mnt", 0);
		fake_mount(jailed, data, "tmpfs", "nslab-demo", NULL);
		bool ok = fake_check(4);
		fake_reap(&jailed);
		assert_true(ok);
	}
	snprintf(inside, sizeof(inside), "rm -rf '%s'", jail);
	assert_int_equal(system(inside), 0);
	assert_not_contains(fk.log, "call ");
	finish();
}

static void mntns_command_unshares_once(void **state)
{
	(void)state;
	assert_non_null(fake_command("mntns"));
	assert_null(fake_command("unshare"));
	pid_t lab = start();
	fake_on_call("ag_unshare", fake_answer_ok);
	assert_int_equal(fake_cmd("mntns"), 0);
	assert_contains(fk.log, "ag_unshare");
	assert_contains(fk.out, "trace: unshare(CLONE_NEWNS) = 0\nunshare(CLONE_NEWNS) = 0\n");
	fake_ns(lab, "mnt", 0);
	assert_int_equal(fake_cmd("mntns"), 0);
	assert_string_equal(fk.out, "the lab process already has its own mount namespace\n");
	assert_not_contains(fk.log, "ag_unshare");
	finish();
}

static void do_calls_the_lab_and_says_what_failed(void **state)
{
	(void)state;
	start();
	fake_on_call("ag_private|nslab_call_make_private", fake_answer_ok);
	assert_int_equal(fake_step(1)->perform(&fk.host), 0);
	assert_contains(fk.out, "trace: mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL) = 0");
	fake_on_call("ag_mount_tmpfs", fake_answer_ok);
	assert_int_equal(fake_step(2)->perform(&fk.host), 0);
	assert_log_has("call %d ag_mount_tmpfs(%s)", (int)fk.main, data);
	fake_on_call("ag_mount_tmpfs", answer_mount_eperm);
	fk.out[0] = '\0';
	assert_int_equal(fake_step(2)->perform(&fk.host), -1);
	assert_string_equal(fk.out,
			    "error: mount(tmpfs) failed in the lab process: Operation not permitted\n");
	fake_on_call("ag_write", fake_answer_ok);
	assert_int_equal(fake_step(3)->perform(&fk.host), 0);
	assert_contains(fk.out, "/data/hello.txt\", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3");
	finish();
}

/* Facts issue 11 corrected, and the real tool first: pinned. */
static void texts_say_what_keeps_a_namespace_and_show_unshare_first(void **state)
{
	(void)state;
	assert_contains(fake_step(3)->explain, "no open fd or bind mount of /proc/PID/ns/mnt");
	/* Placeholders are variables, jargon is explained (issue 11). */
	assert_not_contains(fake_step(0)->task, "`watch PID`");
	assert_contains(fake_step(3)->explain,
			"`host cat /proc/$NSLAB_LAB_PID/root$NSLAB_LAB_DIR/data/hello.txt`");
	assert_not_contains(fake_step(3)->explain, "/proc/PID/root$");
	assert_contains(fake_step(0)->explain, "mounts of one peer group pass every mount and unmount on");
	assert_contains(fake_step(0)->task,
			"  run unshare --mount --propagation unchanged sleep infinity &\n");
	assert_contains(
	    fake_step(2)->task,
	    "  run unshare --mount sh -c 'mount -t tmpfs -o size=1m nslab-demo data; sleep infinity' &\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    fake_test(texts_say_what_keeps_a_namespace_and_show_unshare_first),
	    fake_test(unshare_step_wants_a_mount_namespace),
	    fake_test(private_step_wants_no_shared_mount),
	    fake_test(mount_step_wants_a_tmpfs_only_inside),
	    fake_test(file_step_wants_a_file_on_the_tmpfs),
	    fake_test(a_learners_unshare_passes_each_step),
	    fake_test(mntns_command_unshares_once),
	    fake_test(do_calls_the_lab_and_says_what_failed),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
