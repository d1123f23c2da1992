/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_overlay_lab.c: the overlay lab's six checks, its `overlay` and
 * `pivot` commands and its messages on the fake host (fakehost.h,
 * fakelab.h). The mount tables are the fake world's; the layers are real
 * directories under the fake workdir, and the merged views are plain
 * directories standing in for the overlays. The lab reads a merged view
 * through /proc/PID/root, so the test process stands in for the lab process
 * (its root is the host's /), or, for step 6, a child chrooted into a
 * directory inside an unprivileged user namespace (skipped where none can be
 * made). Runs without root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fakelab.h"
#include "standin.h"

FAKE_LAB_GROUP("overlay")

#define MOTD "nslab image 1.0: this line comes from the lower layer\n"

static pid_t jailed;
static char jail_root[600];

static char *wd(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", fk.workdir, rel);
	return buf[i];
}

static void put(const char *rel, const char *text)
{
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", wd(rel));
	assert_int_equal(system(cmd), 0);
	assert_int_equal(unit_write(wd(rel), text), 0);
}

static int answer_enodev(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen;
	errno = ENODEV;
	return nslab_fail(out, outlen, "mount(\"overlay\")");
}

/* A started lab whose main process is the test process (own mount namespace). */
static void start(void)
{
	fake_mount(0, "/", "ext4", "/dev/vda1", NULL);
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	fk.main = getpid();
	fake_ns(fk.main, "mnt", 0);
	fake_copy_mounts(0, fk.main);
}

/* Container 1 (or 2) mounted on its merged directory in pid's namespace, with
 * the layer paths relative, as the task types them. */
static void mounted(pid_t pid, int n)
{
	fake_mount(pid, wd(n == 1 ? "merged" : "merged2"), "overlay", "overlay",
		   n == 1 ? "rw,relatime,lowerdir=lower,upperdir=upper,workdir=work,uuid=on"
			  : "rw,relatime,lowerdir=lower,upperdir=upper2,workdir=work2,uuid=on");
}

static int finish(void **state)
{
	(void)state;
	fake_reap(&jailed);
	if (jail_root[0])
		unit_rm_rf(jail_root);
	jail_root[0] = '\0';
	char cmd[PATH_MAX];
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'/*", fk.workdir, fk.workdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not empty %s\n", fk.workdir);
	return 0;
}
#define ov_test(fn) cmocka_unit_test_setup_teardown(fn, fake_test_setup, finish)

static void setup_makes_the_layers_and_a_private_lab_process(void **state)
{
	(void)state;
	start();
	static const char *const dirs[] = {"lower", "upper", "work", "merged", "upper2", "work2", "merged2"};
	struct stat st;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		assert_int_equal(stat(wd(dirs[i]), &st), 0);
		assert_true(S_ISDIR(st.st_mode));
	}
	char *motd = unit_slurp(wd("lower/etc/motd"));
	assert_non_null(motd);
	assert_string_equal(motd, MOTD);
	free(motd);
	assert_int_equal(stat(wd("lower/etc/issue"), &st), 0);
	assert_log_has("rootfs_add %s /bin/sh\n", wd("lower"));
	assert_log_has("spawn lab flags=%#x uid_map=- gid_map=- init=yes", CLONE_NEWNS);
	assert_string_equal(fk.root, wd("merged"));
}

static void mount_step_wants_container_1_in_a_lab_namespace(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(1));
	assert_out_has("missing: no overlay is mounted on %s in the lab's mount namespace", wd("merged"));
	fake_mount(fk.main, wd("merged"), "tmpfs", "x", "rw,size=1m");
	assert_false(fake_check(1));
	assert_out_has("missing: %s in the lab is a tmpfs mount with options \"rw,size=1m\"", wd("merged"));
	/* the upper of container 2 on container 1's merged is not container 1 */
	fake_mount(fk.main, wd("merged"), "overlay", "overlay",
		   "rw,lowerdir=lower,upperdir=upper2,workdir=w");
	assert_false(fake_check(1));
	/* absolute layer paths, as `do` mounts them */
	char opts[256];
	snprintf(opts, sizeof(opts), "rw,lowerdir=%s,upperdir=%s/,workdir=%s", wd("lower"), wd("upper"),
		 wd("work"));
	fake_mount(fk.main, wd("merged"), "overlay", "overlay", opts);
	assert_true(fake_check(1));
}

static void mount_step_counts_another_subject_but_not_the_host(void **state)
{
	(void)state;
	start();
	/* a learner's shell that shares nslab's mount namespace: a mount there is the host's */
	pid_t shell = 4200001;
	fk.subjects[fk.nsubjects++] = shell;
	fake_ns(shell, "mnt", 1);
	mounted(shell, 1);
	assert_false(fake_check(1));
	mounted(0, 1);
	assert_false(fake_check(1));
	assert_out_has("missing: the host's own mount table has a overlay on %s", wd("merged"));
	/* a learner's own namespace (unshare -m) */
	pid_t own = 4200002;
	fk.subjects[fk.nsubjects++] = own;
	fake_ns(own, "mnt", 0);
	mounted(own, 1);
	assert_true(fake_check(1));
}

static void new_file_step_wants_it_in_upper_only(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(2));
	mounted(fk.main, 1);
	assert_false(fake_check(2));
	assert_out_has("missing: upper/hello.txt is not there: write merged/hello.txt through the overlay");
	put("upper/hello.txt", "hi\n");
	assert_false(fake_check(2));
	assert_out_has("missing: the lab does not see merged/hello.txt");
	put("merged/hello.txt", "hi\n");
	assert_true(fake_check(2));
	put("lower/hello.txt", "hi\n");
	assert_false(fake_check(2));
	assert_out_has("missing: lower/hello.txt exists: the image was written to");
}

static void copy_up_step_wants_a_changed_copy_in_upper(void **state)
{
	(void)state;
	start();
	mounted(fk.main, 1);
	assert_false(fake_check(3));
	assert_out_has("missing: upper/etc/motd is not there");
	put("upper/etc/motd", MOTD);
	assert_false(fake_check(3));
	assert_out_has("unchanged: append a line to merged/etc/motd");
	put("upper/etc/motd", MOTD "changed by the container\n");
	assert_true(fake_check(3));
	put("lower/etc/motd", "something else\n");
	assert_false(fake_check(3));
	assert_out_has("missing: lower/etc/motd is not the image's any more");
}

static void whiteout_step_wants_a_char_device_0_0(void **state)
{
	(void)state;
	start();
	mounted(fk.main, 1);
	put("merged/etc/issue", "x\n");
	assert_false(fake_check(4));
	assert_out_has("missing: no upper/etc/issue yet");
	put("upper/etc/issue", "x\n");
	assert_false(fake_check(4));
	assert_out_has("is not a whiteout (a character device 0, 0)");
	assert_int_equal(unlink(wd("upper/etc/issue")), 0);
	/* a whiteout needs no CAP_MKNOD since Linux 5.8; skip where it does */
	if (mknod(wd("upper/etc/issue"), S_IFCHR | 0600, makedev(0, 0)) < 0)
		skip();
	assert_false(fake_check(4));
	assert_out_has("missing: merged/etc/issue is still visible in the lab");
	assert_int_equal(unlink(wd("merged/etc/issue")), 0);
	assert_true(fake_check(4));
	assert_int_equal(unlink(wd("lower/etc/issue")), 0);
	assert_false(fake_check(4));
	assert_out_has("missing: lower/etc/issue is gone from the image itself");
}

static void second_container_step_wants_its_own_layer_on_the_same_image(void **state)
{
	(void)state;
	start();
	mounted(fk.main, 1);
	assert_false(fake_check(5));
	assert_out_has("missing: no overlay is mounted on %s", wd("merged2"));
	mounted(fk.main, 2);
	put("merged2/etc/issue", "x\n");
	put("merged/bin/sh", "sh\n");
	put("merged2/bin/sh", "sh\n");
	assert_false(fake_check(5));
	assert_out_has("missing: merged/bin/sh and merged2/bin/sh are not the same image file");
	assert_int_equal(unlink(wd("merged2/bin/sh")), 0);
	assert_int_equal(link(wd("merged/bin/sh"), wd("merged2/bin/sh")), 0);
	assert_true(fake_check(5));
	put("merged2/hello.txt", "hi\n");
	assert_false(fake_check(5));
	assert_out_has("missing: merged2/hello.txt exists: the second container sees the first one's file");
}

static void pivot_step_wants_container_1_as_root(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(6));
	assert_out_has("missing: the lab's / is still ext4, not container 1's overlay");
	/* a jailed stand-in whose /etc/motd is the image's: / is not container 1's layer */
	snprintf(jail_root, sizeof(jail_root), "%s/jail", fake_dir);
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/etc", jail_root);
	mkdir(jail_root, 0755);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/motd", jail_root);
	assert_int_equal(unit_write(p, MOTD), 0);
	jailed = fake_jail(jail_root, "/");
	if (!jailed)
		skip(); /* no unprivileged user namespaces here */
	fk.main = jailed;
	fake_ns(jailed, "mnt", 0);
	fake_mount(jailed, "/", "overlay", "overlay", "rw,lowerdir=lower,upperdir=upper,workdir=work");
	assert_false(fake_check(6));
	assert_out_has("missing: /etc/motd in the lab is the image's");
	assert_int_equal(unit_write(p, MOTD "changed by the container\n"), 0);
	assert_true(fake_check(6));
}

static void overlay_command(void **state)
{
	(void)state;
	start();
	assert_int_equal(fake_cmd("overlay 3"), -1);
	assert_out_is("error: overlay: which container, 1 or 2? (not \"3\")\n");
	fake_on_call("ag_mount_overlay", answer_enodev);
	assert_int_equal(fake_cmd("overlay"), -1);
	assert_out_has("error: this kernel has no overlay filesystem: load it with modprobe overlay");
	fake_on_call("ag_mount_overlay", fake_answer_ok);
	assert_int_equal(fake_cmd("overlay 2"), 0);
	assert_log_has("call %d ag_mount_overlay(%s)", (int)fk.main, wd("merged2"));
	assert_out_has(
	    "mount(\"overlay\", \"%s\", \"overlay\", 0, \"lowerdir=%s,upperdir=%s,workdir=%s\") = 0",
	    wd("merged2"), wd("lower"), wd("upper2"), wd("work2"));
	mounted(fk.main, 1);
	assert_int_equal(fake_cmd("overlay 1"), 0);
	assert_out_is("container 1 is already mounted on %s\n", wd("merged"));
}

static void pivot_command(void **state)
{
	(void)state;
	start();
	assert_int_equal(fake_cmd("pivot"), -1);
	assert_out_has("error: pivot needs container 1 mounted on %s in the lab process", wd("merged"));
	mounted(fk.main, 1);
	fake_on_call("ag_pivot", fake_answer_ok);
	assert_int_equal(fake_cmd("pivot"), 0);
	assert_log_has("call %d ag_pivot(%s)", (int)fk.main, wd("merged"));
	assert_out_has("pivot_root(\".\", \"put_old\") = 0: / is container 1's merged view");
}

static void do_writes_only_through_a_mounted_container(void **state)
{
	(void)state;
	start();
	/* container 1 mounted in another subject only: the lab process's merged is a bare directory */
	pid_t own = 4200002;
	fk.subjects[fk.nsubjects++] = own;
	fake_ns(own, "mnt", 0);
	mounted(own, 1);
	fk.out[0] = '\0';
	assert_int_equal(fake_step(1)->perform(&fk.host), -1);
	assert_out_has("error: this needs container 1 mounted on %s in the lab process", wd("merged"));
	assert_null(strstr(fk.log, "ag_new_file"));
	mounted(fk.main, 1);
	fake_on_call("ag_unlink", fake_answer_ok);
	assert_int_equal(fake_step(3)->perform(&fk.host), 0);
	assert_log_has("call %d ag_unlink(%s)", (int)fk.main, wd("merged/etc/issue"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    ov_test(setup_makes_the_layers_and_a_private_lab_process),
	    ov_test(mount_step_wants_container_1_in_a_lab_namespace),
	    ov_test(mount_step_counts_another_subject_but_not_the_host),
	    ov_test(new_file_step_wants_it_in_upper_only),
	    ov_test(copy_up_step_wants_a_changed_copy_in_upper),
	    ov_test(whiteout_step_wants_a_char_device_0_0),
	    ov_test(second_container_step_wants_its_own_layer_on_the_same_image),
	    ov_test(pivot_step_wants_container_1_as_root),
	    ov_test(overlay_command),
	    ov_test(pivot_command),
	    ov_test(do_writes_only_through_a_mounted_container),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
