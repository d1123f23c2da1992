/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pivot_root_lab.c: the pivot-root lab's six checks, its `mntns`,
 * `rootfs` and `pivot` commands and its messages on the fake host
 * (fakehost.h, fakelab.h). Mount tables (the lab's and the host's) and namespaces are
 * the fake world's. The lab looks at files through /proc/PID/root itself,
 * so a real process stands in for the lab process: the test process (whose
 * root is the host's /, so the lab's new root is the real directory under
 * the workdir), or a child chrooted into a directory inside an unprivileged
 * user namespace (skipped where none can be made). Runs without root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include "fakelab.h"
#include "standin.h"

FAKE_LAB_GROUP("pivot-root")

static char nr[512]; /* the new root: <workdir>/new_root */
static char lab_root[512];
static pid_t jailed;
static char cwd[64];

static int answer_pivot_einval(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen;
	errno = EINVAL;
	return nslab_fail(out, outlen, "pivot_root(\".\", \"put_old\")");
}

static void rm_rf(const char *path)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (path[0] && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", path);
}

static void put(const char *dir, const char *path, bool is_dir)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s%s", dir, path);
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof(cmd), is_dir ? "mkdir -p '%s'" : "mkdir -p \"$(dirname '%s')\"", p);
	assert_int_equal(system(cmd), 0);
	if (!is_dir)
		assert_int_equal(unit_write(p, "x\n"), 0);
}

/* A started lab: nslab's / on ext4 (shared, as under systemd). */
static void start(void)
{
	fake_mount(0, "/", "ext4", "/dev/vda1", NULL)->m.shared = true;
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	snprintf(nr, sizeof(nr), "%s", fk.root);
}

static int finish(void **state)
{
	(void)state;
	fake_reap(&jailed);
	if (fake_lab)
		fake_lab->teardown(&fk.host);
	rm_rf(nr);
	rm_rf(lab_root);
	nr[0] = lab_root[0] = '\0';
	return 0;
}
#define pivot_test(fn) cmocka_unit_test_setup_teardown(fn, fake_test_setup, finish)

/* The lab process in a root of its own: lab_root, a directory on the host. */
static void jail(void)
{
	snprintf(lab_root, sizeof(lab_root), "%s/lab-root", fk.workdir);
	mkdir(lab_root, 0755);
	jailed = fake_jail(lab_root, "/");
	if (!jailed)
		skip(); /* no unprivileged user namespaces here */
	fk.main = jailed;
}

/* The lab's mount table after pivot_root: a tmpfs on /. */
static void pivoted(pid_t lab)
{
	fake_mount(lab, "/", "tmpfs", "nslab-root", NULL);
}

static void setup_makes_the_mount_point_and_sets_the_root(void **state)
{
	(void)state;
	start();
	char want[600];
	snprintf(want, sizeof(want), "%s/new_root", fk.workdir);
	assert_string_equal(nr, want);
	struct stat st;
	assert_int_equal(stat(nr, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_contains(fk.log, "spawn lab flags=0 uid_map=- gid_map=- init=yes");
	assert_out_is("The new root will be %s (also $NSLAB_LAB_ROOT in `run` and `host`).\n", nr);
}

static void private_step_wants_an_unshared_private_namespace(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(1));
	assert_out_has(
	    "missing: the lab process still shares the host's mount namespace (/proc/%d/ns/mnt is the same "
	    "as nslab's)",
	    (int)fk.main);
	fake_ns(fk.main, "mnt", 0);
	fake_copy_mounts(0, fk.main);
	assert_false(fake_check(1));
	assert_out_has(
	    "missing: 1 mount(s) of the lab are still shared (\"shared:N\" in /proc/%d/mountinfo, so mounts "
	    "inside would reach the host): `run mount --make-rprivate /` (or `mntns`)",
	    (int)fk.main);
	fk.mounts[1].m.shared = false;
	assert_true(fake_check(1));
}

static void tmpfs_step_wants_a_tmpfs_on_the_new_root_only_in_the_lab(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(2));
	assert_out_is("missing: nothing is mounted on %s in the lab's mount namespace\n", nr);
	struct fake_mount *m = fake_mount(fk.main, nr, "ext4", "/dev/vdb", NULL);
	assert_false(fake_check(2));
	assert_out_is("missing: %s is a ext4 mount, not a tmpfs\n", nr);
	snprintf(m->fstype, sizeof(m->fstype), "tmpfs");
	assert_true(fake_check(2));
	/* The same tmpfs on the host too: it leaked. */
	fake_mount(0, nr, "tmpfs", "nslab-root", NULL);
	assert_false(fake_check(2));
	assert_out_is(
	    "missing: the host's mount table has tmpfs mounted on %s: a mount leaked out of the lab\n", nr);
	fk.nmounts--;
	fk.mounts[0].m.id = 7; /* nslab's / is another mount than at setup */
	assert_false(fake_check(2));
	assert_string_equal(fk.out, "missing: the host's / mount changed since the lab started (see "
				    "/proc/self/mountinfo)\n");
}

static void rootfs_step_wants_the_programs_and_put_old(void **state)
{
	(void)state;
	start();
	fk.main = getpid(); /* its root is the host's /: the new root is nr itself */
	assert_false(fake_check(3));
	assert_contains(fk.out,
			"missing: /bin/sh is not in the new root yet (the `rootfs` command copies it)\n");
	assert_contains(fk.out, "missing: /bin/ls is not in the new root yet");
	assert_contains(fk.out, "missing: /bin/nslab-escape is not in the new root yet");
	assert_contains(fk.out,
			"missing: the directory put_old inside the new root: `run mkdir "
			"$NSLAB_LAB_ROOT/put_old` (with `run`, so that it lands on the lab's tmpfs; a "
			"`host mkdir` lands in the host's directory underneath)\n");
	assert_out_has("missing: the tmpfs on %s is gone: `reset` and start again\n", nr);
	put(nr, "/bin/sh", false);
	put(nr, "/bin/ls", false);
	put(nr, "/bin/nslab-escape", false);
	put(nr, "/put_old", true);
	fake_mount(fk.main, nr, "tmpfs", "nslab-root", NULL);
	assert_true(fake_check(3));
}

static void pivot_step_wants_the_tmpfs_as_root_and_the_old_root_below(void **state)
{
	(void)state;
	start();
	fake_copy_mounts(0, fk.main);
	assert_false(fake_check(4));
	/* issue 11: on arrival by `step 4` (or after `reset`) the check says
	 * that steps 1-3 are missing, and how to catch up */
	assert_out_is(
	    "missing: the lab's / is still the ext4 the host boots from, not the tmpfs (see the \"/\" "
	    "line of "
	    "/proc/%d/mountinfo)\n"
	    "missing: pivot_root needs steps 1-3 done in this lab process first (a private mount namespace, "
	    "the tmpfs, the rootfs with put_old): after `reset` or `step 4`, `catchup 4` does them\n",
	    (int)fk.main);
	pivoted(fk.main);
	fake_on_call_text("ag_getcwd", cwd);
	snprintf(cwd, sizeof(cwd), "/old/dir");
	assert_false(fake_check(4));
	assert_contains(fk.out,
			"missing: the lab process's working directory is /old/dir, not / (a cwd left in the "
			"old tree is a way out): `reset` and do steps 1-4 again\n");
	assert_contains(fk.out, "missing: the old root is not mounted on /put_old\n");
	snprintf(cwd, sizeof(cwd), "/");
	fake_mount(fk.main, "/put_old", "ext4", "/dev/vda1", NULL);
	assert_true(fake_check(4));
}

static void umount_step_wants_nothing_left_of_the_old_root(void **state)
{
	(void)state;
	start();
	fk.main = getpid(); /* no /put_old on the host: an empty one */
	assert_false(fake_check(5));
	assert_string_equal(fk.out, "missing: the lab's / is not the tmpfs: do step 4 (pivot) first\n");
	pivoted(fk.main);
	fake_mount(fk.main, "/put_old", "ext4", "/dev/vda1", NULL);
	fake_mount(fk.main, "/put_old/boot", "vfat", "/dev/vda2", NULL);
	assert_false(fake_check(5));
	assert_string_equal(
	    fk.out, "missing: 2 mounts of the host are still under /put_old in the lab (run umount -l "
		    "/put_old detaches them all; umount(8) needs /proc mounted first: run mount -t proc "
		    "proc /proc)\n");
	fk.nmounts -= 2;
	fake_mount(fk.main, "/proc", "proc", "proc", NULL);
	assert_false(fake_check(5));
	assert_contains(fk.out,
			"missing: proc is still mounted on /proc in the lab: it lists the host's processes");
	fk.nmounts--;
	assert_true(fake_check(5));
	jail();
	put(lab_root, "/put_old/etc", true);
	pivoted(fk.main);
	assert_false(fake_check(5));
	assert_string_equal(fk.out, "missing: /put_old in the lab is not empty: run rmdir /put_old\n");
}

/* issue 11: pivot-root comes before the mnt lab, so it says what "shared:N",
 * a peer group and MS_REC|MS_PRIVATE are where it first uses them, and step
 * 4 says which earlier steps it needs after `reset` or `step 4`. */
static void texts_explain_propagation_and_what_step_4_needs(void **state)
{
	(void)state;
	const char *t1 = fake_step(0)->task, *t4 = fake_step(3)->task;
	assert_contains(t1, "\"shared:N\" (the mount is in peer group N, a set of mounts in different "
			    "namespaces");
	assert_contains(t1,
			"MS_PRIVATE makes a mount private and MS_REC does the same to every mount below it");
	assert_contains(t1, "  mntns\n");
	assert_not_contains(t1, "  unshare\n");
	assert_contains(t4,
			"its own mount namespace (step 1), the tmpfs on $NSLAB_LAB_ROOT (step 2), and the "
			"rootfs with put_old (step 3)");
	assert_contains(t4, "do steps 1-3 again, or type `catchup 4`");
	assert_contains(t4, "  run cd $NSLAB_LAB_ROOT && pivot_root . put_old\n");
	assert_contains(fake_step(4)->task, "  run mount -t proc proc /proc\n  run umount -l /put_old\n");
}

static void escape_step_wants_a_listing_of_the_lab_root(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(6));
	assert_string_equal(fk.out,
			    "missing: no /escape.txt in the lab yet: run the escape program and keep what it "
			    "lists\n");
	jail();
	char esc[600];
	snprintf(esc, sizeof(esc), "%s/escape.txt", lab_root);
	put(lab_root, "/bin/sh", false);
	assert_int_equal(unit_write(esc, ""), 0);
	assert_false(fake_check(6));
	assert_string_equal(fk.out,
			    "missing: /escape.txt in the lab is empty: run the escape with `ls /` as its "
			    "command\n");
	assert_int_equal(unit_write(esc, "bin\nproc\nusr\n"), 0); /* the host's / */
	assert_false(fake_check(6));
	assert_string_equal(
	    fk.out, "missing: the escape listed a / that is not the lab's (2 of 3 names are not in the "
		    "lab's /)\n");
	assert_int_equal(unit_write(esc, "bin\nescape.txt\n"), 0);
	assert_true(fake_check(6));
}

static void mntns_and_pivot_commands(void **state)
{
	(void)state;
	start();
	fake_on_call("ag_unshare_private", fake_answer_ok);
	assert_int_equal(fake_cmd("mntns"), 0);
	assert_contains(fk.out,
			"unshare(CLONE_NEWNS) = 0\nmount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL) = 0\n");
	fake_ns(fk.main, "mnt", 0);
	assert_int_equal(fake_cmd("mntns"), 0);
	assert_string_equal(fk.out, "the lab process already has its own mount namespace\n");
	assert_int_equal(fake_cmd("pivot"), -1);
	assert_out_is(
	    "error: pivot needs steps 1-3 done in this lab process: a private mount namespace (mntns), the "
	    "tmpfs on %s, and the rootfs with put_old in it (a `reset` undoes them all)\n",
	    nr);
	fk.main = getpid();
	fake_ns(fk.main, "mnt", 0);
	fake_mount(fk.main, nr, "tmpfs", "nslab-root", NULL);
	put(nr, "/put_old", true);
	fake_on_call("ag_pivot|nslab_call_pivot", answer_pivot_einval);
	assert_int_equal(fake_cmd("pivot"), -1);
	assert_string_equal(fk.out,
			    "error: pivot_root(\".\", \"put_old\") failed in the lab process: Invalid "
			    "argument\n");
	fake_on_call("ag_pivot|nslab_call_pivot", fake_answer_ok);
	assert_int_equal(fake_cmd("pivot"), 0);
	assert_contains(fk.out,
			"pivot_root(\".\", \"put_old\") = 0: / is the tmpfs, the old root is on /put_old\n");
	assert_log_has("call %d nslab_call_pivot(%s)", (int)fk.main, nr);
}

/* issue 12: a learner's own process (in the lab cgroup, or watched) that did
 * a step with the real tools passes it, while the lab process is untouched. */
static pid_t subject(pid_t pid)
{
	fk.subjects[fk.nsubjects++] = pid;
	return pid;
}

static void a_learners_unshare_passes_step_1(void **state)
{
	(void)state;
	start();
	pid_t s = subject(fk.next_pid++); /* `host unshare --mount sh &`, unscripted: the host's */
	assert_false(fake_check(1));
	assert_out_has("missing: the lab process still shares the host's mount namespace (/proc/%d/ns/mnt is "
		       "the same as nslab's)\n",
		       (int)fk.main);
	fake_ns(s, "mnt", 0);
	fake_copy_mounts(0, s); /* unshare --mount --propagation unchanged: still shared */
	assert_false(fake_check(1));
	fk.mounts[1].m.shared = false; /* --propagation private */
	assert_true(fake_check(1));
}

static void a_learners_tmpfs_and_files_pass_steps_2_and_3(void **state)
{
	(void)state;
	start();
	pid_t s = subject(getpid()); /* its root is the host's /: the new root is nr itself */
	fake_ns(s, "mnt", 0);
	assert_false(fake_check(2));
	fake_mount(s, nr, "tmpfs", "nslab-root", NULL);
	assert_true(fake_check(2));
	/* step 3: the learner's shell got furthest, so it is the one named */
	assert_false(fake_check(3));
	assert_out_has("missing: the closest of the lab's processes is your PID %d (", (int)s);
	assert_contains(fk.out, ", which got as far as step 2; what it lacks:\n");
	assert_contains(fk.out, "missing: /bin/sh is not in the new root yet");
	assert_int_equal(fake_cmd("rootfs"), -1); /* the fake host copies only into its workdir */
	assert_out_has("into the tmpfs in the mount namespace of your PID %d (", (int)s);
	assert_log_has("rootfs_add /proc/%d/root%s /bin/sh\n", (int)s, nr);
	put(nr, "/bin/sh", false);
	put(nr, "/bin/ls", false);
	put(nr, "/bin/nslab-escape", false);
	put(nr, "/put_old", true);
	assert_true(fake_check(3));
}

static void a_learners_pivot_root_passes_step_4_with_its_cwd_at_the_new_root(void **state)
{
	(void)state;
	start();
	snprintf(lab_root, sizeof(lab_root), "%s/lab-root", fk.workdir);
	mkdir(lab_root, 0755);
	char sub[600];
	snprintf(sub, sizeof(sub), "%s/sub", lab_root);
	mkdir(sub, 0755);
	jailed = fake_jail(lab_root, "/sub"); /* pivot_root . put_old, cwd left elsewhere */
	if (!jailed)
		skip();
	pid_t s = subject(jailed);
	fake_ns(s, "mnt", 0);
	pivoted(s);
	fake_mount(s, "/put_old", "ext4", "/dev/vda1", NULL);
	assert_false(fake_check(4));
	assert_out_has("missing: the closest of the lab's processes is your PID %d (", (int)s);
	assert_out_has("missing: the working directory of PID %d is not its new / (a cwd left in the old "
		       "tree is a way out): `cd /` in it\n",
		       (int)s);
	fake_reap(&jailed);
	fk.nsubjects = 0;
	jailed = fake_jail(lab_root, "/"); /* cd $NSLAB_LAB_ROOT && pivot_root . put_old */
	s = subject(jailed);
	fake_ns(s, "mnt", 0);
	pivoted(s);
	fake_mount(s, "/put_old", "ext4", "/dev/vda1", NULL);
	assert_true(fake_check(4));
}

static void a_learners_umount_and_escape_pass_steps_5_and_6(void **state)
{
	(void)state;
	start();
	jail(); /* the learner's shell, pivoted into lab_root */
	pid_t s = subject(jailed);
	fk.main = fk.next_pid++; /* the lab process did none of it */
	fake_ns(s, "mnt", 0);
	pivoted(s);
	fake_mount(s, "/put_old", "ext4", "/dev/vda1", NULL);
	put(lab_root, "/put_old", true);
	assert_false(fake_check(5));
	assert_out_has("missing: the closest of the lab's processes is your PID %d (", (int)s);
	assert_contains(fk.out, "missing: 1 mounts of the host are still under /put_old in the lab");
	fk.nmounts--; /* umount -l /put_old, with proc still mounted */
	fake_mount(s, "/proc", "proc", "proc", NULL);
	assert_false(fake_check(5));
	assert_contains(fk.out, "missing: proc is still mounted on /proc in the lab");
	fk.nmounts--; /* umount /proc */
	assert_true(fake_check(5));
	assert_false(fake_check(6));
	assert_contains(fk.out, "missing: no /escape.txt in the lab yet");
	char esc[600];
	snprintf(esc, sizeof(esc), "%s/escape.txt", lab_root);
	assert_int_equal(unit_write(esc, "escape.txt\nput_old\n"), 0); /* the learner's / */
	assert_true(fake_check(6));
}

static void rootfs_command_needs_the_tmpfs(void **state)
{
	(void)state;
	start();
	assert_int_equal(fake_cmd("rootfs"), -1);
	assert_out_is("error: mount the tmpfs on %s first (step 2)\n", nr);
	fake_mount(fk.main, nr, "tmpfs", "nslab-root", NULL);
	assert_int_equal(fake_cmd("rootfs"), -1); /* the fake host copies only into its workdir */
	assert_log_has("rootfs_add /proc/%d/root%s /bin/sh\n", (int)fk.main, nr);
	assert_contains(fk.log, " /bin/readlink\n");
	assert_contains(fk.out,
			"error: cannot copy /nonexistent/nslab-helpers/nslab-escape into the new root: ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    pivot_test(setup_makes_the_mount_point_and_sets_the_root),
	    pivot_test(private_step_wants_an_unshared_private_namespace),
	    pivot_test(tmpfs_step_wants_a_tmpfs_on_the_new_root_only_in_the_lab),
	    pivot_test(rootfs_step_wants_the_programs_and_put_old),
	    pivot_test(pivot_step_wants_the_tmpfs_as_root_and_the_old_root_below),
	    pivot_test(umount_step_wants_nothing_left_of_the_old_root),
	    pivot_test(escape_step_wants_a_listing_of_the_lab_root),
	    pivot_test(texts_explain_propagation_and_what_step_4_needs),
	    pivot_test(mntns_and_pivot_commands),
	    pivot_test(rootfs_command_needs_the_tmpfs),
	    pivot_test(a_learners_unshare_passes_step_1),
	    pivot_test(a_learners_tmpfs_and_files_pass_steps_2_and_3),
	    pivot_test(a_learners_pivot_root_passes_step_4_with_its_cwd_at_the_new_root),
	    pivot_test(a_learners_umount_and_escape_pass_steps_5_and_6),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
