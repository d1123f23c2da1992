/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_ipc_lab.c: the ipc lab's checks, commands and messages on the fake
 * host (fakehost.h, fakelab.h). The lab's /proc/sysvipc lists are answered from the
 * fake world; the host's are the real ones (the lab reads them itself), so
 * the host segment of step 3 is a real 1000-byte System V segment this test
 * makes and removes, which needs no privilege. Runs without root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/ipc.h>
#include <sys/shm.h>

#include "fakelab.h"

FAKE_LAB_GROUP("ipc")

#define SHM_HEAD "       key      shmid perms                  size  cpid  lpid nattch\n"
#define MSG_HEAD "       key      msqid perms      cbytes       qnum\n"
#define SEM_HEAD "       key      semid perms      nsems\n"

/* The lab's /proc/sysvipc files. */
static char lab_shm[1024], lab_msg[1024], lab_sem[1024];
static int read_errno;

static int answer_read(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arglen;
	if (read_errno) {
		errno = read_errno;
		return -1;
	}
	const char *text = strcmp(arg, "/proc/sysvipc/shm") == 0   ? lab_shm
			   : strcmp(arg, "/proc/sysvipc/msg") == 0 ? lab_msg
			   : strcmp(arg, "/proc/sysvipc/sem") == 0 ? lab_sem
								   : NULL;
	if (!text) {
		errno = ENOENT;
		return -1;
	}
	snprintf(out, outlen, "%s", text);
	return 0;
}
static int answer_unshare_eperm(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen;
	errno = EPERM;
	return nslab_fail(out, outlen, "unshare(CLONE_NEWIPC)");
}

static void start(void)
{
	snprintf(lab_shm, sizeof(lab_shm), SHM_HEAD);
	snprintf(lab_msg, sizeof(lab_msg), MSG_HEAD);
	snprintf(lab_sem, sizeof(lab_sem), SEM_HEAD);
	read_errno = 0;
	fake_on_call("ag_read", answer_read);
	fake_on_call("ag_unshare", fake_answer_ok);
	fake_on_call_text("ag_hostshm", "4242");
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	assert_contains(fk.log, "spawn lab flags=0 ");
}

static void stop(void)
{
	fake_lab->teardown(&fk.host);
	assert_null(fk.host.lab_data);
}

static void ns_step_wants_an_ipc_namespace(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(1));
	char want[160];
	assert_out_has(
	    "missing: the lab process still shares the host's IPC namespace (/proc/%d/ns/ipc is the same "
	    "as nslab's)",
	    (int)fk.main);
	/* Every later step asks for it first. */
	for (unsigned n = 2; n <= 4; n++) {
		assert_false(fake_check(n));
		assert_contains(fk.out, want);
	}
	fake_ns(fk.main, "ipc", 0);
	assert_true(fake_check(1));
	stop();
}

static void lab_shm_step_wants_a_segment_only_inside(void **state)
{
	(void)state;
	start();
	fake_ns(fk.main, "ipc", 0);
	assert_false(fake_check(2));
	assert_contains(fk.out, "missing: no shared memory segment in the lab's /proc/sysvipc/shm yet (run "
				"ipcmk -M 2000)");
	strcat(lab_shm, "1234567890      0   644                  2000   77    77      0\n");
	assert_true(fake_check(2));
	read_errno = EACCES;
	assert_false(fake_check(2));
	assert_contains(fk.out, "missing: cannot read /proc/sysvipc/shm in the lab (Permission denied)");
	stop();
}

static void lab_shm_step_wants_no_key_the_host_has_too(void **state)
{
	(void)state;
	start();
	fake_ns(fk.main, "ipc", 0);
	/* A real segment with a key on the host (any user may make one). */
	key_t key = 0x6e736c00 | (getpid() & 0xff);
	int id = shmget(key, 64, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0)
		skip(); /* the key is taken */
	snprintf(lab_shm + strlen(lab_shm), sizeof(lab_shm) - strlen(lab_shm), "%d 0 600 64 77 77 0\n",
		 (int)key);
	bool ok = fake_check(2);
	shmctl(id, IPC_RMID, NULL);
	assert_false(ok);
	assert_out_has("missing: the host lists the lab's shared memory segment with key 0x%08lx too",
		       (long)key);
	stop();
}

/* A real segment the test made on the host: removed by the test's
 * teardown, so that a failed assertion does not leave it behind (where it
 * would make the next run's "no segment yet" check pass). */
static int host_shm = -1;

static int remove_host_shm(void **state)
{
	(void)state;
	if (host_shm >= 0)
		shmctl(host_shm, IPC_RMID, NULL);
	host_shm = -1;
	return 0;
}

static void host_shm_step_wants_a_host_segment_the_lab_cannot_see(void **state)
{
	(void)state;
	start();
	fake_ns(fk.main, "ipc", 0);
	assert_false(fake_check(3));
	assert_contains(fk.out, "missing: no 1000-byte shared memory segment on the host (the `hostshm` "
				"command makes one)");
	/* A real segment on the host (any user may make one). */
	int id = host_shm = shmget(IPC_PRIVATE, 1000, IPC_CREAT | 0600);
	assert_true(id >= 0);
	struct shmid_ds ds;
	assert_int_equal(shmctl(id, IPC_STAT, &ds), 0);
	assert_true(fake_check(3));
	/* The lab lists a segment like it, made by the same process: it sees the host's. */
	snprintf(lab_shm + strlen(lab_shm), sizeof(lab_shm) - strlen(lab_shm), "0 %d 600 1000 %d 0 0\n", id,
		 (int)ds.shm_cpid);
	assert_false(fake_check(3));
	assert_out_has("missing: the lab sees the host's segment %d", id);
	stop();
}

static void msg_sem_step_wants_both_inside(void **state)
{
	(void)state;
	start();
	fake_ns(fk.main, "ipc", 0);
	assert_false(fake_check(4));
	assert_contains(fk.out,
			"missing: no message queue in the lab's /proc/sysvipc/msg yet (run ipcmk -Q)");
	assert_contains(fk.out,
			"missing: no semaphore set in the lab's /proc/sysvipc/sem yet (run ipcmk -S 1)");
	strcat(lab_msg, "1111 0 644 0 0\n");
	assert_false(fake_check(4));
	assert_not_contains(fk.out, "message queue");
	strcat(lab_sem, "2222 0 644 1\n");
	assert_true(fake_check(4));
	stop();
}

static void unshare_command_unshares_once(void **state)
{
	(void)state;
	start();
	assert_int_equal(fake_cmd("unshare"), 0);
	assert_contains(fk.log, "ag_unshare");
	assert_contains(fk.out, "trace: unshare(CLONE_NEWIPC) = 0");
	assert_contains(fk.out, "unshare(CLONE_NEWIPC) = 0\n");
	fake_ns(fk.main, "ipc", 0);
	assert_int_equal(fake_cmd("unshare"), 0);
	assert_string_equal(fk.out, "the lab process already has its own IPC namespace\n");
	assert_not_contains(fk.log, "ag_unshare");
	fake_ns(fk.main, "ipc", 1);
	fake_on_call("ag_unshare", answer_unshare_eperm);
	assert_int_equal(fake_cmd("unshare"), -1);
	assert_contains(fk.out,
			"error: unshare(CLONE_NEWIPC) failed in the lab process: Operation not permitted");
	stop();
}

static void hostshm_command_makes_one_segment(void **state)
{
	(void)state;
	start();
	assert_int_equal(fake_cmd("hostshm"), 0);
	assert_contains(fk.log, "spawn host-shm flags=0 ");
	assert_contains(fk.out, "made a 1000-byte segment on the host: shmid 4242, held by process ");
	assert_int_equal(fake_cmd("hostshm"), 0);
	assert_string_equal(fk.out, "the host segment exists already: shmid 4242 (host ipcs -m)\n");
	stop();
}

static void do_runs_ipcmk_in_the_lab(void **state)
{
	(void)state;
	start();
	fake_run("ipcmk -M 2000", 0, "Shared memory id: 7\n");
	assert_int_equal(fake_step(1)->perform(&fk.host), 0);
	assert_contains(fk.log, "run 0 ipcmk -M 2000");
	assert_contains(fk.out, "Shared memory id: 7\n");
	fake_run("ipcmk -Q", 1, "ipcmk: no\n");
	assert_int_equal(fake_step(3)->perform(&fk.host), -1);
	assert_contains(fk.out, "error: `ipcmk -Q` in the lab exited with status 1");
	stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    fake_test(ns_step_wants_an_ipc_namespace),
	    fake_test(lab_shm_step_wants_a_segment_only_inside),
	    fake_test(lab_shm_step_wants_no_key_the_host_has_too),
	    cmocka_unit_test_setup_teardown(host_shm_step_wants_a_host_segment_the_lab_cannot_see,
					    fake_test_setup, remove_host_shm),
	    fake_test(msg_sem_step_wants_both_inside),
	    fake_test(unshare_command_unshares_once),
	    fake_test(hostshm_command_makes_one_segment),
	    fake_test(do_runs_ipcmk_in_the_lab),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
