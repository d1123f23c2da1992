/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capabilities.c: root split into pieces, and the pieces taken away.
 *
 * The lab process is root chrooted into a small rootfs (sh, bash, ls, cat,
 * grep, sleep, ip, capsh and the chroot escape program), in a network and a
 * mount namespace of its own (so `ip link set` touches only the lab's lo).
 * The learner reads CapEff, CapPrm and CapBnd in /proc/PID/status, drops
 * CAP_NET_ADMIN and sees `ip link set` fail, drops CAP_SYS_CHROOT and sees
 * the chroot escape fail with EPERM, sets no_new_privs, and cuts the bounding
 * set down to the one Docker keeps by default. Each step leaves a process of
 * the lab (any subject: the lab process through the lab's commands, or a
 * `capsh ... -- -c "exec sleep 3600" &` of the learner's) in that state, and
 * the checks read its /proc/PID/status. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROOT_DIR "root"
#define MAX_SUBJECTS 64
#define BIT(c) (UINT64_C(1) << (c))

/* Programs in the lab's root (with their libraries). capsh runs /bin/bash
 * for `--`. */
static const char *const root_programs[] = {
    "/bin/sh",    "/bin/bash", "/bin/ls",     "/bin/cat",         "/bin/grep",
    "/bin/sleep", "/sbin/ip",  "/sbin/capsh", "/usr/bin/setpriv",
};

/* The capabilities Docker (moby's oci/caps/defaults.go) keeps for a container by default. */
static const uint64_t docker_caps =
    BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FSETID) | BIT(CAP_FOWNER) | BIT(CAP_MKNOD) |
    BIT(CAP_NET_RAW) | BIT(CAP_SETGID) | BIT(CAP_SETUID) | BIT(CAP_SETFCAP) | BIT(CAP_SETPCAP) |
    BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_SYS_CHROOT) | BIT(CAP_KILL) | BIT(CAP_AUDIT_WRITE);

/* What a check reads of one process: /proc/PID/status. */
struct caps {
	uint64_t eff, prm, bnd;
	int nnp; /* NoNewPrivs; -1 unknown */
};

/* --- reading and naming --- */

static int read_caps(pid_t pid, struct caps *c)
{
	char p[64], line[256];
	FILE *f = fopen(nslab_proc_path(p, sizeof(p), pid, "status"), "re");
	if (!f)
		return -1;
	int got = 0;
	c->nnp = -1;
	while (fgets(line, sizeof(line), f)) {
		got += sscanf(line, "CapEff: %" SCNx64, &c->eff) == 1;
		got += sscanf(line, "CapPrm: %" SCNx64, &c->prm) == 1;
		got += sscanf(line, "CapBnd: %" SCNx64, &c->bnd) == 1;
		sscanf(line, "NoNewPrivs: %d", &c->nnp);
	}
	fclose(f);
	return got == 3 ? 0 : -1;
}

/* "cap_net_admin,cap_sys_admin" (libcap's names) for the bits of mask, or "none". */
static void cap_names(uint64_t mask, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (unsigned c = 0; c < 64 && n + 1 < len; c++) {
		if (!(mask & BIT(c)))
			continue;
		char *name = cap_to_name((cap_value_t)c);
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "", name ? name : "?");
		cap_free(name);
	}
	if (!buf[0])
		snprintf(buf, len, "none");
}

/* The lab's subjects whose status can be read, with their capabilities. */
static int read_caps_slot(pid_t pid, void *slot)
{
	return read_caps(pid, slot);
}

static size_t subject_caps(struct nslab_host *h, pid_t *pids, struct caps *out, size_t max)
{
	return nslab_subjects_read(h, pids, out, sizeof(*out), max, read_caps_slot);
}

/* A subject that has none of the capabilities in `gone` in its effective and
 * bounding sets (so not even an exec can give them back): its pid, else 0
 * after h->missing naming the lab process's state and what to type. */
static pid_t find_without(struct nslab_host *h, uint64_t gone, const char *how)
{
	pid_t pids[MAX_SUBJECTS];
	struct caps caps[MAX_SUBJECTS];
	size_t n = subject_caps(h, pids, caps, MAX_SUBJECTS);
	for (size_t i = 0; i < n; i++)
		if (!(caps[i].eff & gone) && !(caps[i].bnd & gone))
			return pids[i];
	char names[1024];
	cap_names(gone, names, sizeof(names));
	for (size_t i = 0; i < n; i++)
		if (!(caps[i].eff & gone)) {
			h->missing(h,
				   _("process %d has dropped %s from CapEff, but its bounding set (CapBnd in "
				     "/proc/%d/status) still has it: an execve() could give it back; %s"),
				   (int)pids[i], names, (int)pids[i], how);
			return 0;
		}
	h->missing(h, _("every process of the lab still has %s (CapEff and CapBnd in /proc/PID/status): %s"),
		   names, how);
	return 0;
}

/* --- run inside the lab process (h->call) --- */

/* At spawn: a private mount namespace with a /proc in the root (for
 * /proc/self/status inside), then chroot into it. */
static int ag_init(void *arg, char *out, size_t outlen)
{
	char proc[PATH_MAX];
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return nslab_fail(out, outlen, "mount(MS_REC|MS_PRIVATE)");
	snprintf(proc, sizeof(proc), "%s/proc", (const char *)arg);
	if (mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return nslab_fail(out, outlen, "mount(proc)");
	/* sh opens /dev/null for `cmd &`; a bind mount works where the run
	 * directory is nodev, as a tmpfs /run is */
	snprintf(proc, sizeof(proc), "%s/dev/null", (const char *)arg);
	if (mount("/dev/null", proc, NULL, MS_BIND, NULL) < 0)
		return nslab_fail(out, outlen, "mount(\"/dev/null\", MS_BIND)");
	return nslab_call_chroot(arg, out, outlen);
}

/* arg: the capabilities to drop, as a decimal mask. Drops them from the
 * bounding set (prctl(PR_CAPBSET_DROP)) and from the effective, permitted
 * and inheritable sets (capset(2) through libcap). */
static int ag_drop(void *arg, char *out, size_t outlen)
{
	uint64_t mask = strtoull(arg, NULL, 10);
	cap_t caps = cap_get_proc();
	if (!caps)
		return nslab_fail(out, outlen, "capget");
	for (unsigned c = 0; c < 64; c++) {
		if (!(mask & BIT(c)) || !CAP_IS_SUPPORTED(c))
			continue;
		cap_value_t v = (cap_value_t)c;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			cap_free(caps);
			return nslab_fail(out, outlen, "prctl(PR_CAPBSET_DROP)");
		}
		cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_CLEAR);
		cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_CLEAR);
		cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_CLEAR);
	}
	int rc = cap_set_proc(caps);
	cap_free(caps);
	return rc < 0 ? nslab_fail(out, outlen, "capset") : 0;
}

static int ag_nnp(void *arg, char *out, size_t outlen)
{
	(void)arg;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0
		   ? nslab_fail(out, outlen, "prctl(PR_SET_NO_NEW_PRIVS)")
		   : 0;
}

/* --- dropping in the lab process (the shortcuts) --- */

static int drop_mask(struct nslab_host *h, uint64_t mask)
{
	char arg[32], names[1024];
	snprintf(arg, sizeof(arg), "%" PRIu64, mask);
	cap_names(mask, names, sizeof(names));
	if (h->call_main(h, ag_drop, arg) < 0)
		return -1;
	for (unsigned c = 0; c < 64; c++)
		if (mask & BIT(c) && CAP_IS_SUPPORTED(c)) {
			char *name = cap_to_name((cap_value_t)c);
			h->trace(h, "prctl(PR_CAPBSET_DROP, %s) = 0", name ? name : "?");
			cap_free(name);
		}
	h->trace(h, "capset({effective, permitted, inheritable} without %s) = 0", names);
	return 0;
}

static int cmd_drop(struct nslab_host *h, int argc, char **argv)
{
	uint64_t mask = 0;
	for (int i = 1; i < argc; i++) {
		cap_value_t v;
		if (cap_from_name(argv[i], &v) < 0) {
			h->error(h,
				 _("drop: \"%s\" is not a capability name (capsh --print lists them: "
				   "cap_net_admin, "
				   "cap_sys_chroot, ...)"),
				 argv[i]);
			return -1;
		}
		mask |= BIT(v);
	}
	if (drop_mask(h, mask) < 0)
		return -1;
	char names[1024];
	cap_names(mask, names, sizeof(names));
	h->print(h, _("the lab process (%d) no longer has %s (see `caps`)\n"), (int)h->main_pid(h), names);
	return 0;
}

static uint64_t all_caps(void)
{
	uint64_t m = 0;
	for (unsigned c = 0; c < 64; c++)
		if (CAP_IS_SUPPORTED(c))
			m |= BIT(c);
	return m;
}

/* --- `caps`: the sets of every subject, decoded --- */

static int cmd_caps(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	pid_t pids[MAX_SUBJECTS];
	struct caps caps[MAX_SUBJECTS];
	size_t n = subject_caps(h, pids, caps, MAX_SUBJECTS);
	uint64_t all = all_caps();
	char names[2048];
	for (size_t i = 0; i < n; i++) {
		h->print(h, _("process %d: NoNewPrivs %d\n"), (int)pids[i], caps[i].nnp);
		cap_names(caps[i].eff, names, sizeof(names));
		h->print(h, "  CapEff %016" PRIx64 " = %s\n", caps[i].eff,
			 caps[i].eff == caps[i].bnd ? _("all of CapBnd") : names);
		cap_names(~caps[i].bnd & all, names, sizeof(names));
		h->print(h, _("  CapBnd %016" PRIx64 " lacks: %s\n"), caps[i].bnd, names);
	}
	return 0;
}

/* --- step 1: CAP_NET_ADMIN --- */

static bool check_net_admin(struct nslab_host *h)
{
	return find_without(h, BIT(CAP_NET_ADMIN),
			    "run capsh --drop=cap_net_admin -- -c \"exec sleep 3600\" &") != 0;
}

static int do_net_admin(struct nslab_host *h)
{
	return drop_mask(h, BIT(CAP_NET_ADMIN));
}

/* --- step 2: CAP_SYS_CHROOT, and the escape --- */

static bool check_sys_chroot(struct nslab_host *h)
{
	pid_t pid = find_without(h, BIT(CAP_SYS_CHROOT),
				 "run capsh --drop=cap_sys_chroot -- -c \"exec sleep 3600\" &");
	if (!pid)
		return false;
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/root", (int)pid);
	if (!nslab_same_file(p, h->root(h))) {
		h->missing(
		    h,
		    _("process %d has no CAP_SYS_CHROOT, but it is not in the lab's chroot (%s): start it "
		      "with `run`"),
		    (int)pid, h->root(h));
		return false;
	}
	return true;
}

static int do_sys_chroot(struct nslab_host *h)
{
	return drop_mask(h, BIT(CAP_SYS_CHROOT));
}

/* --- step 3: no_new_privs --- */

static bool check_nnp(struct nslab_host *h)
{
	pid_t pids[MAX_SUBJECTS];
	struct caps caps[MAX_SUBJECTS];
	size_t n = subject_caps(h, pids, caps, MAX_SUBJECTS);
	for (size_t i = 0; i < n; i++)
		if (caps[i].nnp == 1)
			return true;
	h->missing(
	    h, _("no process of the lab has \"NoNewPrivs: 1\" in /proc/PID/status: run capsh --no-new-privs "
		 "-- -c \"exec sleep 3600\" &"));
	return false;
}

static int do_nnp(struct nslab_host *h)
{
	return nslab_call_main_traced(h, ag_nnp, NULL, "prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0");
}

static int cmd_nnp(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	return h->do_once(h, check_nnp, do_nnp, _("a process of the lab already has no_new_privs"), NULL);
}

/* --- step 4: Docker's default set --- */

static bool check_docker(struct nslab_host *h)
{
	return find_without(h, all_caps() & ~docker_caps,
			    _("start one with the task's run setpriv --bounding-set -all,+chown,... line, or "
			      "`dockercaps`")) != 0;
}

static int do_docker(struct nslab_host *h)
{
	return drop_mask(h, all_caps() & ~docker_caps);
}

static int cmd_docker(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	char names[2048];
	cap_names(docker_caps, names, sizeof(names));
	if (do_docker(h) < 0)
		return -1;
	h->print(h, _("the lab process keeps Docker's default set only: %s\n"), names);
	return 0;
}

/* --- the lab --- */

static const char *unsupported(struct nslab_host *h)
{
	return NSLAB_NEED_HOST(h, do_once) ?: NSLAB_NEED_HOST(h, subjects);
}

static int make_root(struct nslab_host *h, char *root, size_t len)
{
	char p[PATH_MAX + 32];
	snprintf(root, len, "%s/" ROOT_DIR, h->workdir(h));
	static const char *const dirs[] = {"", "/proc", "/dev"};
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(dirs); i++) {
		snprintf(p, sizeof(p), "%s%s", root, dirs[i]);
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			h->error(h, _("cannot make %s: %s"), p, strerror(errno));
			return -1;
		}
	}
	/* the mount point for the lab's bind mount of /dev/null */
	snprintf(p, sizeof(p), "%s/dev/null", root);
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		h->error(h, _("cannot make %s: %s"), p, strerror(errno));
		return -1;
	}
	close(fd);
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(root_programs); i++)
		if (h->rootfs_add(h, root, root_programs[i]) < 0)
			return -1;
	const char *esc = h->helper(h, "nslab-escape");
	snprintf(p, sizeof(p), "%s/bin/nslab-escape", root);
	if (!esc || h->copy_file(h, esc, p) < 0) {
		h->error(h, _("cannot copy the escape helper nslab-escape into %s (build it: make)"), root);
		return -1;
	}
	return 0;
}

static int setup(struct nslab_host *h)
{
	char root[PATH_MAX];
	if (make_root(h, root, sizeof(root)) < 0)
		return -1;
	struct nslab_spawn how = {.size = sizeof(struct nslab_spawn),
				  .label = "lab",
				  .clone_flags = CLONE_NEWNS | CLONE_NEWNET,
				  .init = ag_init,
				  .init_arg = root,
				  .init_arglen = strlen(root) + 1};
	if (h->spawn(h, &how) < 0)
		return -1;
	h->set_root(h, root);
	h->print(h, _("The lab process is root, chrooted into %s, in a network namespace of its own.\n"),
		 root);
	return 0;
}

static const struct nslab_step steps[] = {
    {
	.title = N_("CAP_NET_ADMIN"),
	.task = N_("Root's power is about 40 capabilities, each a bit in /proc/PID/status. Read and decode "
		   "them, then use one (the lab has a network namespace of its own):\n"
		   "  run grep Cap /proc/self/status\n"
		   "  run capsh --print\n"
		   "  run ip link set lo up\n"
		   "Now without CAP_NET_ADMIN (it fails), and leave one such process running:\n"
		   "  run capsh --drop=cap_net_admin -- -c \"ip link set lo down\"\n"
		   "  run capsh --drop=cap_net_admin -- -c \"exec sleep 3600\" &\n"
		   "  caps"),
	.hint =
	    N_("capsh --decode=HEX names the bits of a Cap line. `drop cap_net_admin` is the shortcut: it "
	       "drops it from the lab process itself."),
	.explain =
	    N_("CapEff (effective) is what the kernel checks; CapPrm (permitted) is what the process may "
	       "make effective; CapBnd (bounding) limits what any execve() can ever give back "
	       "(capabilities(7)). `ip link set` sends an RTM_NEWLINK netlink message, and the kernel "
	       "answers EPERM (\"RTNETLINK answers: Operation not permitted\") without CAP_NET_ADMIN "
	       "in the user namespace owning the network namespace. capsh --drop removes the "
	       "capability from the bounding set (prctl(PR_CAPBSET_DROP)); the bash it then executes "
	       "gets permitted = bounding, so it is gone from CapEff and CapPrm as well. `caps` decodes "
	       "the sets of every process of the lab with libcap."),
	.check = check_net_admin,
	.perform = do_net_admin,
    },
    {
	.title = N_("CAP_SYS_CHROOT stops the escape"),
	.task = N_("The chroot escape program needs one capability. Run it as root, then without it (there "
		   "its first chroot(2) fails with EPERM):\n"
		   "  run /bin/nslab-escape /bin/ls /\n"
		   "  run capsh --drop=cap_sys_chroot -- -c \"/bin/nslab-escape /bin/ls /\"\n"
		   "Leave a process of the chroot without it:\n"
		   "  run capsh --drop=cap_sys_chroot -- -c \"exec sleep 3600\" &"),
	.hint =
	    N_("The escape calls chroot(2) on a subdirectory: without CAP_SYS_CHROOT that first call fails "
	       "with EPERM, and it never gets out. `drop cap_sys_chroot` is the shortcut."),
	.explain = N_("chroot(2) requires CAP_SYS_CHROOT (capabilities(7)); without it the escape's "
		      "chroot(\".nslab-escape\") returns EPERM, so the walk up with chdir(\"..\") starts "
		      "inside the old root and stays there. /proc/PID/status shows bit 18 (cap_sys_chroot) "
		      "gone from CapEff and CapBnd. Docker keeps CAP_SYS_CHROOT by default; it is pivot_root "
		      "in a mount namespace, not a missing capability, that holds a container in."),
	.check = check_sys_chroot,
	.perform = do_sys_chroot,
    },
    {
	.title = N_("no_new_privs"),
	.task =
	    N_("A set-user-ID program or file capabilities could give back what was dropped, at execve(). "
	       "no_new_privs closes that door for good:\n"
	       "  run capsh --no-new-privs -- -c \"grep NoNewPrivs /proc/self/status\"\n"
	       "  run capsh --no-new-privs -- -c \"exec sleep 3600\" &\n"
	       "(`nnp` is the shortcut, on the lab process.)"),
	.hint = N_("prctl(PR_SET_NO_NEW_PRIVS, 1) is inherited by every child and cannot be unset."),
	.explain =
	    N_("prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) sets a flag that fork, clone and execve keep and "
	       "nothing clears (prctl(2)): execve() no longer honours set-user-ID and set-group-ID bits "
	       "or file capabilities. /proc/PID/status says \"NoNewPrivs: 1\". It also lets an "
	       "unprivileged process install a seccomp filter (the seccomp lab). Docker sets it with "
	       "--security-opt no-new-privileges."),
	.check = check_nnp,
	.perform = do_nnp,
    },
    {
	.title = N_("Docker's default set"),
	.task =
	    N_("Docker keeps 14 capabilities for a container: chown, dac_override, fowner, fsetid, kill, "
	       "setgid, setuid, setpcap, net_bind_service, net_raw, sys_chroot, mknod, audit_write, "
	       "setfcap. Start a process of the lab with only those, with setpriv(1) of util-linux: -all "
	       "empties its bounding set, each +NAME keeps one, and execve() cuts root's other sets to "
	       "the bounding set:\n"
	       "  run setpriv --bounding-set "
	       "-all,+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,+setpcap,+net_bind_service,"
	       "+net_raw,+sys_chroot,+mknod,+audit_write,+setfcap sleep 3600 &\n"
	       "  caps\n"
	       "The shortcut `dockercaps` cuts the lab process itself down to the same set."),
	.hint = N_("Everything else goes: cap_sys_admin (mount, most namespace work), cap_net_admin, "
		   "cap_sys_module, cap_sys_ptrace, cap_sys_time, cap_sys_boot, ..."),
	.explain =
	    N_("Each dropped capability is one prctl(PR_CAPBSET_DROP) and a capset(2) of the other sets. "
	       "What is left lets a container's root own files, bind low ports and switch users, but "
	       "not mount filesystems (CAP_SYS_ADMIN), load modules (CAP_SYS_MODULE), trace other "
	       "processes (CAP_SYS_PTRACE) or change the clock (CAP_SYS_TIME). The process's CapBnd and "
	       "CapEff in /proc/PID/status now read 00000000a80425fb (the lab process reads a80025fb "
	       "if `drop cap_sys_chroot` took that one in step 2): what Docker's `docker run` gives a "
	       "container unless --cap-add or --cap-drop say otherwise."),
	.check = check_docker,
	.perform = do_docker,
    },
};

static const struct nslab_command commands[] = {
    {"caps", "caps", N_("the capability sets of every process of the lab, decoded"), 0, 0, cmd_caps},
    {"drop", N_("drop CAP..."),
     N_("drop capabilities (cap_net_admin ...) from the lab process, bounding set too"), 1, 8, cmd_drop},
    {"nnp", "nnp", N_("prctl(PR_SET_NO_NEW_PRIVS) in the lab process"), 0, 0, cmd_nnp},
    {"dockercaps", "dockercaps", N_("keep only Docker's 14 default capabilities in the lab process"), 0, 0,
     cmd_docker},
};

static const struct nslab_lab lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "capabilities",
    .title = N_("Capabilities: root in pieces"),
    .summary =
	N_("Root's privilege is a set of capabilities, and a container runs with fewer of them. You will "
	   "read and decode the sets in /proc/PID/status, drop CAP_NET_ADMIN and CAP_SYS_CHROOT and "
	   "watch `ip link set` and the chroot escape fail, set no_new_privs, and keep only Docker's "
	   "default set."),
    .order = 92,
    NSLAB_STEPS(steps),
    .unsupported = unsupported,
    .setup = setup,
    NSLAB_COMMANDS(commands),
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(lab)
