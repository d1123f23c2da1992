/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_capabilities_lab.c: the capabilities lab's four checks, its `drop`
 * and `nnp` commands and its setup on the fake host (fakehost.h,
 * fakelab.h). The checks read /proc/PID/status and /proc/PID/root of the
 * lab's subjects, so real processes stand in for them: children of the test
 * in user namespaces of their own, where they may drop capabilities from
 * their bounding set, set no_new_privs and chroot without privilege
 * (skipped where unprivileged user namespaces are not allowed). Runs
 * without root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/capability.h>
#include <sys/prctl.h>

#include "fakelab.h"
#include "standin.h"

FAKE_LAB_GROUP("capabilities")

#define BIT(c) (UINT64_C(1) << (c))

static pid_t kids[3];
static char root[600];

static int finish(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(kids) / sizeof(kids[0]); i++)
		fake_reap(&kids[i]);
	return 0;
}
#define cap_test(fn) cmocka_unit_test_setup_teardown(fn, fake_test_setup, finish)

struct become {
	uint64_t drop;     /* from the bounding and every other set */
	uint64_t drop_eff; /* from the effective set only */
	bool nnp;
	const char *chroot;
};

static bool become(void *arg)
{
	const struct become *b = arg;
	if (unshare(CLONE_NEWUSER) < 0)
		return false;
	if (b->chroot && (chroot(b->chroot) < 0 || chdir("/") < 0))
		return false;
	cap_t c = cap_get_proc();
	for (cap_value_t v = 0; v < 64; v++) {
		if (b->drop & BIT(v)) {
			if (prctl(PR_CAPBSET_DROP, v, 0, 0, 0) < 0)
				return false;
			cap_set_flag(c, CAP_PERMITTED, 1, &v, CAP_CLEAR);
		}
		if ((b->drop | b->drop_eff) & BIT(v))
			cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_CLEAR);
	}
	bool ok = cap_set_proc(c) == 0;
	cap_free(c);
	return ok && (!b->nnp || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
}

static pid_t standin(struct become b)
{
	pid_t pid = fake_standin(become, &b);
	if (!pid)
		skip();
	fk.subjects[fk.nsubjects++] = pid;
	return pid;
}

/* A lab whose main process is the test process, chrooted nowhere. */
static void start(void)
{
	fk.main = getpid();
	snprintf(root, sizeof(root), "%s/root", fk.workdir);
	mkdir(root, 0755);
	fk.host.set_root(&fk.host, root);
}

static void setup_builds_the_root_and_needs_the_escape_helper(void **state)
{
	(void)state;
	assert_int_equal(fake_lab->setup(&fk.host), -1);
	snprintf(root, sizeof(root), "%s/root", fk.workdir);
	assert_log_has("rootfs_add %s /sbin/capsh\n", root);
	assert_log_has("rootfs_add %s /bin/bash\n", root);
	assert_out_has("error: cannot copy the escape helper nslab-escape into %s (build it: make)", root);
	char p[700];
	struct stat st;
	snprintf(p, sizeof(p), "%s/dev/null", root);
	assert_int_equal(stat(p, &st), 0);
	snprintf(p, sizeof(p), "%s/proc", root);
	assert_int_equal(stat(p, &st), 0);
	assert_false(strstr(fk.log, "spawn") != NULL);
}

static void net_admin_wants_it_gone_from_effective_and_bounding(void **state)
{
	(void)state;
	start();
	kids[0] = standin((struct become){.drop_eff = BIT(CAP_NET_ADMIN)});
	fk.main = kids[0];
	assert_false(fake_check(1));
	assert_out_has(
	    "missing: process %d has dropped cap_net_admin from CapEff, but its bounding set (CapBnd "
	    "in /proc/%d/status) still has it",
	    (int)kids[0], (int)kids[0]);
	kids[1] = standin((struct become){.drop = BIT(CAP_NET_ADMIN)});
	assert_true(fake_check(1));
}

static void net_admin_says_what_to_type(void **state)
{
	(void)state;
	start();
	kids[0] = standin((struct become){.drop = 0});
	fk.main = kids[0];
	assert_false(fake_check(1));
	assert_out_has("missing: every process of the lab still has cap_net_admin (CapEff and CapBnd in "
		       "/proc/PID/status): run capsh --drop=cap_net_admin -- -c \"exec sleep 3600\" &");
}

static void sys_chroot_wants_a_process_of_the_chroot(void **state)
{
	(void)state;
	start();
	kids[0] = standin((struct become){.drop = 0, .chroot = root});
	fk.main = kids[0];
	assert_false(fake_check(2));
	assert_out_has("missing: every process of the lab still has cap_sys_chroot");
	kids[1] = standin((struct become){.drop = BIT(CAP_SYS_CHROOT)});
	assert_false(fake_check(2));
	assert_out_has("missing: process %d has no CAP_SYS_CHROOT, but it is not in the lab's chroot (%s)",
		       (int)kids[1], root);
	fake_reap(&kids[1]);
	fk.nsubjects = 1;
	kids[2] = standin((struct become){.drop = BIT(CAP_SYS_CHROOT), .chroot = root});
	assert_true(fake_check(2));
}

static void nnp_wants_the_flag(void **state)
{
	(void)state;
	start();
	kids[0] = standin((struct become){.drop = 0});
	fk.main = kids[0];
	assert_false(fake_check(3));
	assert_out_has("missing: no process of the lab has \"NoNewPrivs: 1\" in /proc/PID/status");
	kids[1] = standin((struct become){.nnp = true});
	assert_true(fake_check(3));
}

static void docker_wants_nothing_beyond_its_set(void **state)
{
	(void)state;
	start();
	uint64_t docker = BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FSETID) | BIT(CAP_FOWNER) |
			  BIT(CAP_MKNOD) | BIT(CAP_NET_RAW) | BIT(CAP_SETGID) | BIT(CAP_SETUID) |
			  BIT(CAP_SETFCAP) | BIT(CAP_SETPCAP) | BIT(CAP_NET_BIND_SERVICE) |
			  BIT(CAP_SYS_CHROOT) | BIT(CAP_KILL) | BIT(CAP_AUDIT_WRITE);
	uint64_t all = 0;
	for (unsigned c = 0; c < 64; c++)
		if (CAP_IS_SUPPORTED(c))
			all |= BIT(c);
	kids[0] = standin((struct become){.drop = all & ~docker & ~BIT(CAP_SYS_ADMIN)});
	fk.main = kids[0];
	assert_false(fake_check(4));
	assert_out_has("missing: every process of the lab still has ");
	assert_out_has("cap_sys_admin");
	kids[1] = standin((struct become){.drop = all & ~docker});
	assert_true(fake_check(4));
}

static void drop_and_nnp_commands(void **state)
{
	(void)state;
	start();
	assert_int_equal(fake_cmd("drop cap_nope"), -1);
	assert_out_is("error: drop: \"cap_nope\" is not a capability name (capsh --print lists them: "
		      "cap_net_admin, cap_sys_chroot, ...)\n");
	fake_on_call("ag_drop", fake_answer_ok);
	assert_int_equal(fake_cmd("drop cap_net_admin cap_sys_chroot"), 0);
	assert_log_has("call %d ag_drop(%llu)", (int)fk.main,
		       (unsigned long long)(BIT(CAP_NET_ADMIN) | BIT(CAP_SYS_CHROOT)));
	assert_out_has("trace: prctl(PR_CAPBSET_DROP, cap_net_admin) = 0");
	assert_out_has("the lab process (%d) no longer has cap_net_admin,cap_sys_chroot", (int)fk.main);
	fake_on_call("ag_nnp", fake_answer_eperm);
	assert_int_equal(fake_cmd("nnp"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cap_test(setup_builds_the_root_and_needs_the_escape_helper),
	    cap_test(net_admin_wants_it_gone_from_effective_and_bounding),
	    cap_test(net_admin_says_what_to_type),
	    cap_test(sys_chroot_wants_a_process_of_the_chroot),
	    cap_test(nnp_wants_the_flag),
	    cap_test(docker_wants_nothing_beyond_its_set),
	    cap_test(drop_and_nnp_commands),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
