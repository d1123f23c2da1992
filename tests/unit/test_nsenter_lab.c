/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_nsenter_lab.c: the nsenter lab's four checks, its `joinns` command and
 * its setup on the fake host (fakehost.h, fakelab.h). The lab compares the
 * /proc/PID/ns inodes of real processes, so real processes stand in for the
 * container and the joined ones: the test process, its children (which share
 * its namespaces), and children in user namespaces of their own (skipped
 * where unprivileged user namespaces are not allowed). The mount table is
 * the fake world's. Runs without root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/prctl.h>
#include <sys/socket.h>

#include "fakelab.h"
#include "standin.h"

FAKE_LAB_GROUP("nsenter")

static pid_t kids[4];
static int held_fd = -1;

static int finish(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(kids) / sizeof(kids[0]); i++)
		fake_reap(&kids[i]);
	if (held_fd >= 0)
		close(held_fd);
	held_fd = -1;
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/netns", fk.workdir);
	unlink(p);
	return 0;
}
#define ns_test(fn) cmocka_unit_test_setup_teardown(fn, fake_test_setup, finish)

static void add_subject(pid_t pid)
{
	fk.subjects[fk.nsubjects++] = pid;
}

/* The container is the test process itself. */
static void start(void)
{
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	fk.main = getpid();
}

static char *netns(void)
{
	static char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/netns", fk.workdir);
	return p;
}

static void setup_spawns_a_container_and_registers_the_netns_file(void **state)
{
	(void)state;
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	assert_log_has("keep %d %s\n", NSLAB_OBJ_NETNS, netns());
	assert_log_has("spawn container flags=%#x uid_map=0 100000 65536 gid_map=0 100000 65536 init=yes",
		       CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
			   CLONE_NEWPID);
	/* the keep comes first: a hand-made bind mount is undone even if spawn fails */
	assert_true(strstr(fk.log, "keep ") < strstr(fk.log, "spawn "));
	assert_out_has("A container is running: PID %d on the host", (int)fk.main);
}

static void join_all_wants_a_process_in_every_namespace(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(1));
	assert_out_has("missing: no process of the lab besides the container's PID 1 (%d)", (int)getpid());
	kids[0] = fake_unshared(CLONE_NEWUTS);
	if (!kids[0])
		skip();
	add_subject(kids[0]);
	assert_false(fake_check(1));
	assert_out_has("missing: no process shares all 6 of the container's namespaces; the closest, %d, "
		       "shares 4 (not its user namespace",
		       (int)kids[0]);
	kids[1] = fake_child();
	add_subject(kids[1]);
	assert_true(fake_check(1));
}

static void join_some_wants_uts_and_net_only(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(2));
	assert_out_has(
	    "missing: no process of the lab shares just the container's UTS and network namespaces");
	kids[0] = fake_child();
	add_subject(kids[0]);
	fake_ns(kids[0], "mnt", 0); /* as after nsenter -a: the container's mount namespace */
	fake_ns(kids[0], "user", 1);
	assert_false(fake_check(2));
	assert_out_has("missing: every process in the container's UTS and network namespaces is in its mount "
		       "or user namespace too");
	fake_ns(kids[0], "mnt", 1);
	assert_true(fake_check(2));
}

/* A child in a new user and network namespace sends an fd of its network
 * namespace over a socket and exits: the test then holds the only reference. */
static int held_netns(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		int fd =
		    unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0 ? open("/proc/self/ns/net", O_RDONLY) : -1;
		char c = 'x', buf[CMSG_SPACE(sizeof(int))] = {0};
		struct iovec iov = {&c, 1};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
		if (fd >= 0) {
			msg.msg_control = buf;
			msg.msg_controllen = sizeof(buf);
			struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		}
		_exit(sendmsg(sv[1], &msg, 0) == 1 ? 0 : 1);
	}
	close(sv[1]);
	char c, buf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {&c, 1};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof(buf)};
	int fd = -1;
	if (pid > 0 && recvmsg(sv[0], &msg, 0) == 1 && CMSG_FIRSTHDR(&msg))
		memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
	close(sv[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return fd;
}

static void keep_wants_a_net_namespace_with_no_process(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(3));
	assert_out_has("missing: no namespace file is bind-mounted on %s in the host's mount table", netns());
	/* the fake mount table says nsfs; what the file holds is read for real */
	fake_mount(0, netns(), "nsfs", "nsfs", "rw");
	assert_int_equal(unit_write(netns(), ""), 0);
	assert_false(fake_check(3));
	assert_out_has("missing: %s holds a namespace, but not a network one (NS_GET_NSTYPE)", netns());
	assert_int_equal(unlink(netns()), 0);
	assert_int_equal(symlink("/proc/self/ns/net", netns()), 0);
	assert_false(fake_check(3));
	assert_out_has("missing: %s holds the host's own network namespace", netns());
	kids[0] = fake_unshared(CLONE_NEWNET);
	if (!kids[0])
		skip();
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/ns/net", (int)kids[0]);
	assert_int_equal(unlink(netns()), 0);
	assert_int_equal(symlink(p, netns()), 0);
	assert_false(fake_check(3));
	assert_out_has("missing: 1 process(es) are still in net:[");
	assert_out_has("(%d, for one)", (int)kids[0]);
	/* a namespace no process is in, held by an fd of the test (as a bind mount would) */
	held_fd = held_netns();
	assert_true(held_fd >= 0);
	snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)getpid(), held_fd);
	assert_int_equal(unlink(netns()), 0);
	assert_int_equal(symlink(p, netns()), 0);
	assert_true(fake_check(3));
}

/* A user namespace of its own, and a child that makes a UTS namespace in it
 * (owned by it) and writes its pid to the pipe. */
static bool become_owner(void *arg)
{
	int w = *(int *)arg;
	if (unshare(CLONE_NEWUSER) < 0)
		return false;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent || unshare(CLONE_NEWUTS) < 0)
			_exit(1);
		pid_t me = getpid();
		if (write(w, &me, sizeof(me)) != sizeof(me))
			_exit(1);
		for (;;)
			pause();
	}
	return pid > 0;
}

static void owner_wants_a_uts_namespace_of_the_container_user_namespace(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(4));
	assert_out_has("missing: no process of the lab has a new UTS namespace");
	/* a UTS namespace of another user namespace than the container's */
	kids[0] = fake_unshared(CLONE_NEWUTS);
	if (!kids[0])
		skip();
	add_subject(kids[0]);
	assert_false(fake_check(4));
	assert_out_has("the container's user namespace does not own it (NS_GET_USERNS)");
	/* the container in a user namespace, and a UTS namespace made in it */
	int p[2];
	assert_int_equal(pipe(p), 0);
	kids[1] = fake_standin(become_owner, &p[1]);
	close(p[1]);
	pid_t inner = 0;
	assert_int_equal(read(p[0], &inner, sizeof(inner)), (ssize_t)sizeof(inner));
	close(p[0]);
	assert_true(kids[1] > 0 && inner > 0);
	fk.main = kids[1];
	add_subject(inner);
	assert_true(fake_check(4));
}

static void join_command(void **state)
{
	(void)state;
	start();
	assert_int_equal(fake_cmd("joinns ux"), -1);
	assert_out_is(
	    "error: joinns: TYPES are nsenter's letters: m u i n p U (e.g. `joinns un`), not \"ux\"\n");
	fake_host_run("nsenter", 0, "");
	assert_int_equal(fake_cmd("joinns un"), 0);
	assert_log_has("nsenter -t %d -u -n sleep 3600 >/dev/null 2>&1 &", (int)fk.main);
	assert_out_has("started: nsenter -t %d -u -n sleep 3600", (int)fk.main);
	fake_host_run("unshare --net", 1, "unshare: mount failed\n");
	assert_int_equal(fake_cmd("pin"), -1);
	assert_out_has("exited with status 1: unshare: mount failed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    ns_test(setup_spawns_a_container_and_registers_the_netns_file),
	    ns_test(join_all_wants_a_process_in_every_namespace),
	    ns_test(join_some_wants_uts_and_net_only),
	    ns_test(keep_wants_a_net_namespace_with_no_process),
	    ns_test(owner_wants_a_uts_namespace_of_the_container_user_namespace),
	    ns_test(join_command),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
