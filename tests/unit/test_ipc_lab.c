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
	char want[300];
	snprintf(
	    want, sizeof(want),
	    "missing: no process of the lab has an IPC namespace of its own: the lab process still shares "
	    "the host's (/proc/%d/ns/ipc is the same as nslab's), and so does every other: "
	    "`run unshare --ipc sleep infinity &`, or nslab's shortcut `ipcns`",
	    (int)fk.main);
	assert_contains(fk.out, want);
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
	assert_out_has(
	    "missing: no shared memory segment yet in the 1 IPC namespace(s) of the lab's processes "
	    "(closest: the lab process, %d): `run unshare --ipc sh -c 'ipcmk -M 2000; sleep infinity' "
	    "&`, or after `ipcns` `run ipcmk -M 2000`",
	    (int)fk.main);
	strcat(lab_shm, "1234567890      0   644                  2000   77    77      0\n");
	assert_true(fake_check(2));
	read_errno = EACCES;
	assert_false(fake_check(2));
	assert_contains(fk.out, "missing: cannot read /proc/sysvipc/shm in any IPC namespace of the lab "
				"(Permission denied)");
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
	assert_out_has("missing: the host lists the shared memory segment with key 0x%08lx of PID %d too",
		       (long)key, (int)fk.main);
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
	assert_contains(fk.out, "missing: no 1000-byte shared memory segment made on the host since the lab "
				"started: `host ipcmk -M 1000`, or nslab's shortcut `hostshm`");
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
	assert_out_has("missing: PID %d of the lab sees the host's segment %d", (int)fk.main, id);
	stop();
}

/* The real tool's segment (`host ipcmk -M 1000`) counts only if it was made
 * after the lab started: one already on the host would pass step 3 before
 * the learner did anything. */
static int older_shm = -1;

static int remove_both_shm(void **state)
{
	if (older_shm >= 0)
		shmctl(older_shm, IPC_RMID, NULL);
	older_shm = -1;
	return remove_host_shm(state);
}

static void host_shm_step_wants_a_segment_made_since_the_start(void **state)
{
	(void)state;
	older_shm = shmget(IPC_PRIVATE, 1000, IPC_CREAT | 0600); /* before the lab */
	assert_true(older_shm >= 0);
	start();
	fake_ns(fk.main, "ipc", 0);
	assert_false(fake_check(3));
	assert_contains(fk.out, "missing: no 1000-byte shared memory segment made on the host since the lab "
				"started (the ones there are older): `host ipcmk -M 1000`");
	/* A segment of another size is not the step's. */
	int other = shmget(IPC_PRIVATE, 2000, IPC_CREAT | 0600);
	assert_true(other >= 0);
	bool passed = fake_check(3);
	shmctl(other, IPC_RMID, NULL);
	assert_false(passed);
	/* What ipcmk -M 1000 does: shmget(key, 1000, IPC_CREAT|0644). */
	host_shm = shmget(IPC_PRIVATE, 1000, IPC_CREAT | 0644);
	assert_true(host_shm >= 0);
	assert_true(fake_check(3));
	/* Removed again (ipcrm, or nslab at stop): the step is undone. */
	shmctl(host_shm, IPC_RMID, NULL);
	host_shm = -1;
	assert_false(fake_check(3));
	stop();
}

static void msg_sem_step_wants_both_inside(void **state)
{
	(void)state;
	start();
	fake_ns(fk.main, "ipc", 0);
	assert_false(fake_check(4));
	assert_contains(fk.out, "missing: no message queue and semaphore set yet in the 1 IPC namespace(s)");
	assert_contains(fk.out, "`run unshare --ipc sh -c 'ipcmk -Q; ipcmk -S 1; sleep infinity' &`");
	strcat(lab_msg, "1111 0 644 0 0\n");
	assert_false(fake_check(4));
	assert_contains(fk.out, "missing: no semaphore set yet in");
	assert_not_contains(fk.out, "message queue");
	strcat(lab_sem, "2222 0 644 1\n");
	assert_true(fake_check(4));
	stop();
}

/* A subject the learner started in a new IPC namespace (`run unshare --ipc
 * ... &`, `host ... &`, a watched PID): its lists are read by nsenter. */
static pid_t learner_ns(const char *shm, const char *msg, const char *sem)
{
	pid_t pid = fk.next_pid++;
	char match[80];
	fk.subjects[fk.nsubjects++] = pid;
	fake_ns(pid, "ipc", 0);
	snprintf(match, sizeof(match), "nsenter --target %d --ipc cat /proc/sysvipc/shm", (int)pid);
	fake_host_run(match, 0, shm);
	snprintf(match, sizeof(match), "nsenter --target %d --ipc cat /proc/sysvipc/msg", (int)pid);
	fake_host_run(match, 0, msg);
	snprintf(match, sizeof(match), "nsenter --target %d --ipc cat /proc/sysvipc/sem", (int)pid);
	fake_host_run(match, 0, sem);
	return pid;
}

/* The real tool: the lab process never unshares; each step passes on the
 * learner's own namespaces, and the lab process is not asked for lists. */
static void a_learners_unshare_passes_each_step(void **state)
{
	(void)state;
	start();
	fk.subjects[fk.nsubjects++] = fk.next_pid++; /* `host sleep &`: the host's IPC namespace */
	assert_false(fake_check(1));
	pid_t empty = learner_ns(SHM_HEAD, MSG_HEAD, SEM_HEAD);
	assert_true(fake_check(1));
	assert_false(fake_check(2));
	assert_out_has(
	    "missing: no shared memory segment yet in the 1 IPC namespace(s) of the lab's processes "
	    "(closest: PID %d): ",
	    (int)empty);
	learner_ns(SHM_HEAD "1234567890 0 644 2000 77 77 0\n", MSG_HEAD, SEM_HEAD);
	assert_true(fake_check(2));
	assert_false(fake_check(4));
	assert_contains(fk.out, "missing: no message queue and semaphore set yet in the 2 IPC namespace(s)");
	pid_t half = learner_ns(SHM_HEAD, MSG_HEAD "1111 0 644 0 0\n", SEM_HEAD);
	assert_false(fake_check(4));
	assert_out_has(
	    "missing: no semaphore set yet in the 3 IPC namespace(s) of the lab's processes (closest: "
	    "PID %d)",
	    (int)half);
	learner_ns(SHM_HEAD, MSG_HEAD "1111 0 644 0 0\n", SEM_HEAD "2222 0 644 1\n");
	assert_true(fake_check(4));
	assert_not_contains(fk.log, "ag_read");
	stop();
}

/* Step 3 on the real-tool path: the host's segment must be invisible in
 * every namespace the learner made. */
static void host_shm_step_asks_every_learner_namespace(void **state)
{
	(void)state;
	start();
	int id = host_shm = shmget(IPC_PRIVATE, 1000, IPC_CREAT | 0600);
	assert_true(id >= 0);
	struct shmid_ds ds;
	assert_int_equal(shmctl(id, IPC_STAT, &ds), 0);
	assert_false(fake_check(3)); /* no namespace of the lab's at all */
	assert_contains(fk.out, "missing: no process of the lab has an IPC namespace of its own");
	learner_ns(SHM_HEAD, MSG_HEAD, SEM_HEAD);
	assert_true(fake_check(3));
	char seen[256];
	snprintf(seen, sizeof(seen), SHM_HEAD "0 %d 600 1000 %d 0 0\n", id, (int)ds.shm_cpid);
	pid_t leak = learner_ns(seen, MSG_HEAD, SEM_HEAD);
	assert_false(fake_check(3));
	assert_out_has("missing: PID %d of the lab sees the host's segment %d", (int)leak, id);
	stop();
}

static void ipcns_command_unshares_once(void **state)
{
	(void)state;
	assert_non_null(fake_command("ipcns"));
	assert_null(fake_command("unshare"));
	start();
	assert_int_equal(fake_cmd("ipcns"), 0);
	assert_contains(fk.log, "ag_unshare");
	assert_contains(fk.out, "trace: unshare(CLONE_NEWIPC) = 0");
	assert_contains(fk.out, "unshare(CLONE_NEWIPC) = 0\n");
	fake_ns(fk.main, "ipc", 0);
	assert_int_equal(fake_cmd("ipcns"), 0);
	assert_string_equal(fk.out, "the lab process already has its own IPC namespace\n");
	assert_not_contains(fk.log, "ag_unshare");
	fake_ns(fk.main, "ipc", 1);
	fake_on_call("ag_unshare", answer_unshare_eperm);
	assert_int_equal(fake_cmd("ipcns"), -1);
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

/* Facts issue 11 corrected, and the real tool first: pinned. */
static void texts_say_what_keeps_a_namespace_and_show_unshare_first(void **state)
{
	(void)state;
	assert_contains(fake_step(1)->explain, "no open fd or bind mount of /proc/PID/ns/ipc");
	assert_contains(fake_step(1)->task, "no open fd or bind mount of /proc/PID/ns/ipc");
	assert_contains(fake_step(0)->task, "  run unshare --ipc sleep infinity &\n");
	/* A placeholder is a variable or is said in words (issue 11). */
	assert_not_contains(fake_step(0)->task, "`watch PID`");
	assert_contains(fake_step(0)->task, "once you give its PID (its `echo $$`) to `watch` here");
	/* Step 3: the real tool first, the shortcut after it. */
	const char *t3 = fake_step(2)->task;
	assert_non_null(strstr(t3, "  host ipcmk -M 1000\n"));
	assert_true(strstr(t3, "  host ipcmk -M 1000\n") < strstr(t3, "`hostshm`"));
	assert_contains(fake_step(3)->task,
			"  run unshare --ipc sh -c 'ipcmk -Q; ipcmk -S 1; sleep infinity' &\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    fake_test(texts_say_what_keeps_a_namespace_and_show_unshare_first),
	    fake_test(ns_step_wants_an_ipc_namespace),
	    fake_test(lab_shm_step_wants_a_segment_only_inside),
	    fake_test(lab_shm_step_wants_no_key_the_host_has_too),
	    cmocka_unit_test_setup_teardown(host_shm_step_wants_a_host_segment_the_lab_cannot_see,
					    fake_test_setup, remove_host_shm),
	    cmocka_unit_test_setup_teardown(host_shm_step_wants_a_segment_made_since_the_start,
					    fake_test_setup, remove_both_shm),
	    fake_test(msg_sem_step_wants_both_inside),
	    fake_test(a_learners_unshare_passes_each_step),
	    cmocka_unit_test_setup_teardown(host_shm_step_asks_every_learner_namespace, fake_test_setup,
					    remove_host_shm),
	    fake_test(ipcns_command_unshares_once),
	    fake_test(hostshm_command_makes_one_segment),
	    fake_test(do_runs_ipcmk_in_the_lab),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
