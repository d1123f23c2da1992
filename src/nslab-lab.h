/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the nslab authors.
 *
 * The plugin headers (nslab-lab.h, nslab-lab-util.h and the
 * nslab-lab-util-*.h it includes, and only they) are under the MIT licence,
 * not nslab's GPL-2.0-or-later, so that a lab plugin may be written under
 * any licence.
 *
 * Permission is hereby granted, free of charge, to any person obtaining a
 * copy of this software and associated documentation files (the "Software"),
 * to deal in the Software without restriction, including without limitation
 * the rights to use, copy, modify, merge, publish, distribute, sublicense,
 * and/or sell copies of the Software, and to permit persons to whom the
 * Software is furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in
 * all copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 * AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
 * FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
 * DEALINGS IN THE SOFTWARE.
 */
/* nslab-lab.h: the one header a lab plugin includes.
 *
 * A lab is a shared object exporting one function, nslab_lab(), that returns a
 * const descriptor (dlsym is only guaranteed for functions). The host hands a
 * struct nslab_host * into every call: plugins see no host internals and need
 * no -rdynamic. Build one out of tree with
 *   cc $(pkg-config --cflags nslab-lab) -shared -fPIC -o x.so x.c
 * nslab-lab-util.h, installed next to this one, holds static inline helpers
 * (mount options, /proc/PID/stat and /proc/PID/cgroup, ready-made
 * nslab_call_fn, a few wrappers of host calls, NSLAB_ARRAY_SIZE, fallbacks
 * for CLONE_NEWTIME and filesystem magics): they are compiled into the
 * plugin, so using them needs no newer host.
 *
 * Where lab code runs:
 *  - In nslab itself, with its privileges (root under sudo): setup,
 *    teardown, tick, unsupported, every step's check and perform and every
 *    command's fn, on nslab's one thread.
 *  - In a lab agent: the nslab_call_fn given to h->call / h->call_main and a
 *    spawn's init. An agent is a fork (clone) of nslab, so the plugin is
 *    mapped there at the same address: function pointers and the plugin's
 *    static data (as it was at the fork) are valid; what the function changes
 *    stays in the agent. Only out (and the return value and errno) comes back.
 *
 * A lab may: make kernel objects through the host (spawn, call, run, cg_*)
 * or by itself, if it registers each one with h->keep so that stop, a signal
 * or `nslab --cleanup` after a crash undoes it; print through h->print,
 * h->error, h->missing and h->trace; keep private state in h->lab_data or
 * its own statics (forgotten in teardown).
 * A lab may not: write to nslab's stdout/stderr or read its stdin directly,
 * call exit(), change nslab's signal handling or terminal, start threads in
 * nslab, or leave a kernel object unregistered. A check only looks: it
 * changes nothing. A lab traces the syscalls it makes (in nslab or through
 * h->call). The host services appended to ABI 2 trace their own, and spawn
 * traces the id-map writes it makes for the lab (setgroups, gid_map,
 * uid_map); the clone itself, and the cg_* services' writes, a lab that
 * wants them shown by `explain` traces.
 * Host functions are called in nslab only, never from an nslab_call_fn or
 * a spawn's init (in an agent, the host's state is a stale copy).
 *
 * Stability: within one NSLAB_ABI_MAJOR, fields are only ever appended to
 * the structs below, never removed, reordered or retyped; a major bump means
 * an incompatible change, and the host refuses a plugin of another major in
 * one line. Every struct that crosses the boundary carries its size, as its
 * maker compiled it: struct nslab_lab (size), its arrays (step_size,
 * command_size: sizeof an element as the plugin saw it), struct nslab_spawn
 * and struct nslab_cpu_stat (size, set by whoever fills in the rest), struct
 * nslab_host (size, set by the host). The host indexes the plugin's arrays
 * by the plugin's element size and reads or writes only the bytes both sides
 * know; a field the plugin does not know reads as zero. A plugin calls a
 * host function added after the ABI's first version only if
 * NSLAB_HOST_HAS(h, member) says the host has it. Use designated
 * initialisers only, with NSLAB_STEPS(arr) and NSLAB_COMMANDS(arr) for the
 * arrays. */
#ifndef NSLAB_LAB_H
#define NSLAB_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define NSLAB_ABI_MAJOR 2
#define NSLAB_ENTRY_SYMBOL "nslab_lab"

struct nslab_host;

/* Runs inside a lab agent process (see nslab_host.call). arg is a private copy
 * of what the caller passed; out (outlen bytes, zeroed) is sent back. Return
 * >= 0 for success, -1 with errno set for failure. */
typedef int (*nslab_call_fn)(void *arg, char *out, size_t outlen);

struct nslab_step {
	const char *title;   /* a few words: "Copy the shell in" */
	const char *task;    /* what the learner does, with the commands to type */
	const char *hint;    /* a nudge for the stuck */
	const char *explain; /* what the kernel did: syscall, /proc or /sys file that shows it */
	/* Looks at the end state only. Returns true when done; otherwise calls
	 * h->missing() to say what is still missing and returns false. */
	bool (*check)(struct nslab_host *h);
	/* `do`: performs the step through the host API, recording the syscalls
	 * with h->trace(). 0 ok, -1 failed (after h->error()). */
	int (*perform)(struct nslab_host *h);
};

struct nslab_command {
	const char *name;       /* REPL word, e.g. "quota" */
	const char *usage;      /* "quota PERCENT" */
	const char *summary;    /* one line for `help` */
	int min_args, max_args; /* not counting argv[0]; max -1 = no limit */
	/* argv[0] is the name. 0 ok, -1 failed (after h->error()). */
	int (*fn)(struct nslab_host *h, int argc, char **argv);
};

struct nslab_lab {
	unsigned abi_major;             /* NSLAB_ABI_MAJOR; a mismatch is rejected */
	unsigned size;                  /* sizeof(struct nslab_lab) as the plugin saw it */
	const char *id;                 /* "uts" */
	const char *title;              /* "UTS namespace: hostname" */
	const char *summary;            /* one paragraph */
	int order;                      /* sort key for `labs` (curriculum order) */
	const struct nslab_step *steps; /* NSLAB_STEPS(array) sets steps, nsteps, step_size */
	unsigned nsteps;
	unsigned step_size; /* sizeof(struct nslab_step) as the plugin saw it */
	/* Optional: NULL if the lab can run on this machine, else a one-line
	 * reason ("this kernel has no time namespaces (Linux 5.6+)"). */
	const char *(*unsupported)(struct nslab_host *h);
	/* Makes the lab's processes and files. 0 ok; -1 after h->error(): the host
	 * then undoes every object registered since setup began. */
	int (*setup)(struct nslab_host *h);
	/* Optional: forget plugin-private state. Kernel objects are undone by the
	 * host from the cleanup registry, in reverse order, after this returns. */
	void (*teardown)(struct nslab_host *h);
	/* Optional extra REPL commands: NSLAB_COMMANDS(array) sets commands,
	 * ncommands and command_size. */
	const struct nslab_command *commands;
	unsigned ncommands;
	unsigned command_size; /* sizeof(struct nslab_command) as the plugin saw it */
	/* Optional: called about once a second while the lab
	 * is active and nslab is idle (in the TUI), e.g. to refresh h->meter(). */
	void (*tick)(struct nslab_host *h);
	/* Optional: true if setup works without
	 * CAP_SYS_ADMIN (the user lab). Otherwise nslab refuses to start the lab
	 * without it, in one line naming the capability. */
	bool unprivileged;
	/* Appended to ABI 2 (the host reads it only when .size covers it): the
	 * gettext domain of the lab's texts, NSLAB_TEXTDOMAIN from
	 * nslab-lab-util.h ("nslab-lab-<id>"); NULL: shown as written. The
	 * host shows title, summary, every step's title, task, hint and
	 * explain, and every command's usage and summary through
	 * dgettext(textdomain, text): mark them N_("..."). It binds the domain
	 * to its locale directory (<lang>/LC_MESSAGES/<domain>.mo, built from
	 * labs/po/<id>/<lang>.po). What the lab prints itself it translates
	 * itself, with _("...") from nslab-lab-util.h. */
	const char *textdomain;
};

/* Kinds of kernel object in the cleanup registry (see nslab_host.keep). */
enum nslab_obj {
	NSLAB_OBJ_PROCESS = 1, /* "PID": SIGKILL, reaped (pid reuse is guarded by start time) */
	NSLAB_OBJ_MOUNT,       /* "PATH": umount2(MNT_DETACH) */
	NSLAB_OBJ_DIR,         /* "PATH": removed recursively (only under the run directory) */
	NSLAB_OBJ_CGROUP,      /* "PATH" under a cgroup mount: processes killed, rmdir */
	NSLAB_OBJ_LINK,        /* "NAME": network link in the host namespace, deleted */
	NSLAB_OBJ_NETNS,       /* "PATH": a bind-mounted namespace file: unmount, unlink */
	NSLAB_OBJ_FILE,        /* "PATH": unlink */
};

/* How to start a lab agent process (nslab_host.spawn). */
struct nslab_spawn {
	unsigned size;             /* sizeof(struct nslab_spawn): set it, the host checks it */
	const char *label;         /* column title in the pane: "lab", "peer", "worker" */
	unsigned long clone_flags; /* CLONE_NEW* flags for clone(2); 0 = plain fork */
	const char *uid_map;       /* written by the host to /proc/PID/uid_map before the */
	const char *gid_map;       /*  agent runs (with setgroups "deny"); NULL = none    */
	/* Optional: runs in the child right after clone, before the agent loop
	 * (e.g. mount a fresh /proc). Non-zero return aborts the spawn. */
	nslab_call_fn init;
	const void *init_arg;
	size_t init_arglen;
};

enum nslab_cgmode { NSLAB_CG_NONE = 0, NSLAB_CG_V1, NSLAB_CG_HYBRID, NSLAB_CG_V2 };

/* Filled by nslab_host.cg_stat: the caller sets size = sizeof(struct
 * nslab_cpu_stat), the host writes only that many bytes. */
struct nslab_cpu_stat {
	unsigned size;
	uint64_t usage_usec; /* total CPU time of the cgroup */
	uint64_t nr_periods;
	uint64_t nr_throttled;
	uint64_t throttled_usec;
	long quota_us; /* -1 = no limit */
	long period_us;
};

/* One line of /proc/PID/mountinfo (see nslab_host.each_mount). */
struct nslab_mount {
	int id, parent_id;
	const char *target; /* mount point, unescaped */
	const char *source; /* device or "none" */
	const char *fstype;
	const char *root; /* the part of the filesystem mounted there */
	bool shared;      /* propagation: shared:N */
	bool slave;       /* propagation: master:N */
};

/* What nslab_host.mount_at found: the caller sets size = sizeof(struct
 * nslab_mount_at), the host writes only that many bytes. */
struct nslab_mount_at {
	unsigned size;
	unsigned count; /* mounts on path (NSLAB_AT_BELOW: on or below it); 0 none */
	/* Of the last of them in mountinfo order: the one on top. */
	int id;
	char target[4096];
	char fstype[64];
	char source[256];
	char options[512]; /* as /proc/PID/mounts writes them: "rw,nosuid,...,cpu,cpuacct" */
	/* Of the whole mount table: how many mounts are in a peer group
	 * ("shared:N") and how many receive from a master ("master:N"). */
	unsigned nshared, nslave;
};
#define NSLAB_AT_BELOW 1u

struct nslab_host {
	unsigned abi_major; /* NSLAB_ABI_MAJOR */
	unsigned size;      /* sizeof(struct nslab_host) as the host built it */

	/* --- output: to the REPL (or the TUI's output window). print writes the
	 * text as given (end lines with \n); error/missing/trace add their own. --- */
	void (*print)(struct nslab_host *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
	void (*error)(struct nslab_host *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
	/* From a check: what is still missing (one line; may be called several times). */
	void (*missing)(struct nslab_host *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
	/* Record a syscall nslab made for the current step, strace style:
	 * h->trace(h, "sethostname(\"lab\", 3) = 0"). `explain` lists them. */
	void (*trace)(struct nslab_host *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
	/* The TUI's meter area (plain mode: ignored). NULL text clears it. */
	void (*meter)(struct nslab_host *h, const char *text);

	/* --- lab processes --- */
	/* Starts an agent: a child of nslab that waits for h->call requests. It
	 * dies with nslab (PR_SET_PDEATHSIG) and is registered for cleanup. The
	 * first agent of a lab is its main process (NSLAB_LAB_PID). -1 on error
	 * (after h->error()). */
	pid_t (*spawn)(struct nslab_host *h, const struct nslab_spawn *how);
	/* Runs fn(arg) inside agent `pid` and returns its result; on -1, errno is
	 * the agent's. out may be NULL. arglen and outlen are at most 64 KiB. */
	int (*call)(struct nslab_host *h, pid_t agent, nslab_call_fn fn, const void *arg, size_t arglen,
		    char *out, size_t outlen);
	/* /bin/sh -c cmd entered into every namespace of `agent`, its root, cwd
	 * and cgroup (like nsenter -t PID -a); agent 0 = the main process. The
	 * environment has NSLAB_LAB_PID, NSLAB_LAB_ROOT, NSLAB_LAB_DIR (the
	 * workdir) and, once the lab has one, NSLAB_LAB_CGROUP.
	 * output NULL: printed; else *output gets the captured text (free it).
	 * Returns the exit status (0-255, 128+N for signal N), -1 if not started. */
	int (*run)(struct nslab_host *h, pid_t agent, const char *cmd, char **output);
	/* The same on the host, for comparison. */
	int (*host_run)(struct nslab_host *h, const char *cmd, char **output);
	pid_t (*main_pid)(struct nslab_host *h);
	/* Show another process of the lab in the pane and in `ns` (a worker, an
	 * escaped shell). It is not registered for cleanup by this. */
	void (*show_pid)(struct nslab_host *h, pid_t pid, const char *label);
	void (*hide_pid)(struct nslab_host *h, pid_t pid);

	/* --- files --- */
	/* This lab's directory on the host (made by the host, removed at stop):
	 * /run/nslab/<nslab pid>/<lab id>. */
	const char *(*workdir)(struct nslab_host *h);
	/* The host path of the lab's root directory (NSLAB_LAB_ROOT); set_root
	 * copies the string. NULL until set. */
	void (*set_root)(struct nslab_host *h, const char *hostpath);
	const char *(*root)(struct nslab_host *h);
	/* Copies a host program and every shared library it needs (and the
	 * dynamic loader) into root, keeping their paths. 0 ok, -1 error. */
	int (*rootfs_add)(struct nslab_host *h, const char *root, const char *program);
	/* Full path of a helper program shipped with nslab ("nslab-escape"), or NULL. */
	const char *(*helper)(struct nslab_host *h, const char *name);

	/* --- cleanup registry --- */
	/* Registers a kernel object: undone in reverse order on stop/reset/quit,
	 * any signal, and by `nslab --cleanup` after a crash. 0 ok. */
	int (*keep)(struct nslab_host *h, enum nslab_obj kind, const char *what);
	/* Undo one registered object now (and forget it). 0 ok. */
	int (*undo)(struct nslab_host *h, enum nslab_obj kind, const char *what);

	/* --- cgroups: every cgroup lives under nslab/; names are lab-chosen --- */
	enum nslab_cgmode (*cg_mode)(struct nslab_host *h);
	/* Creates the cgroup `name` with the cpu controller, registered for
	 * cleanup. 0 ok, -1 after h->error() (naming a missing controller). */
	int (*cg_create)(struct nslab_host *h, const char *name);
	int (*cg_set_quota)(struct nslab_host *h, const char *name, long quota_us, long period_us);
	int (*cg_attach)(struct nslab_host *h, const char *name, pid_t pid);
	int (*cg_stat)(struct nslab_host *h, const char *name, struct nslab_cpu_stat *st);
	/* The cgroup path as /proc/PID/cgroup writes it ("/nslab/123/cpu"). */
	int (*cg_path)(struct nslab_host *h, const char *name, char *buf, size_t len);

	/* --- kernel state that many labs read --- */
	/* Visits every mount of pid's mount namespace (0 = nslab's own), in
	 * /proc/PID/mountinfo order, parsed by libmount; stops when fn returns
	 * false. 0 ok, -1 unreadable. */
	int (*each_mount)(struct nslab_host *h, pid_t pid, bool (*fn)(const struct nslab_mount *m, void *ud),
			  void *ud);
	/* 1 if pid shares nslab's namespace of this type ("uts", "mnt",
	 * "pid_for_children"...), 0 if not, -1 if it cannot be read. */
	int (*same_ns)(struct nslab_host *h, pid_t pid, const char *type);
	/* h->call on the main process with a string argument (NULL: none). On
	 * failure it prints one line "WHAT failed in the lab process: ERROR",
	 * WHAT being what fn wrote to out (see nslab_fail), and keeps errno. */
	int (*call_main)(struct nslab_host *h, nslab_call_fn fn, const char *arg);
	/* Copies one file (mode kept, dst's parent directories made). 0 ok, -1 errno. */
	int (*copy_file)(struct nslab_host *h, const char *src, const char *dst);

	/* --- who and where --- */
	uid_t invoking_uid; /* SUDO_UID, else getuid() */
	gid_t invoking_gid;
	void *lab_data; /* free for the active lab; reset to NULL at stop */

	/* --- appended to ABI 2: what labs used to write each for themselves.
	 * Ask NSLAB_HOST_HAS(h, member) before the first use (the labs in
	 * nslab's tree do it once, in their unsupported hook, with
	 * NSLAB_NEED_HOST from nslab-lab-util.h). Each runs in nslab, never in
	 * an agent, and traces the syscalls it makes that change anything. --- */

	/* The host directory of a cgroup in the hierarchy that holds the cpu
	 * controller, on any layout: v1 and hybrid "/sys/fs/cgroup/cpu,cpuacct
	 * /nslab/123/cpu", v2 "/sys/fs/cgroup/nslab/123/cpu". name: a cgroup
	 * of the lab (as for cg_create; it need not exist yet), "" for the
	 * hierarchy's own mount point, NULL for the cgroup `pid` is in (0:
	 * nslab's). 0 ok, -1 with errno (ENOENT: no hierarchy holds cpu). */
	int (*cg_dir)(struct nslab_host *h, const char *name, pid_t pid, char *buf, size_t len);
	/* Looks up the mount at `path` in pid's mount namespace (0: nslab's
	 * own), as /proc/PID/mountinfo lists it (parsed by libmount). flags:
	 * NSLAB_AT_BELOW also counts the mounts below path. Writes at->size
	 * bytes (the caller sets size). 1 found, 0 nothing mounted there, -1
	 * unreadable (errno). */
	int (*mount_at)(struct nslab_host *h, pid_t pid, const char *path, unsigned flags,
			struct nslab_mount_at *at);
	/* For a lab command that performs a step's work (`mntns`, `pivot`):
	 * if done (NULL: never) says it is done already, prints `already` and a
	 * newline and returns 0. Otherwise runs perform and, if it succeeds,
	 * prints `after` and a newline or, after NULL, every syscall perform
	 * recorded with h->trace, one a line. done may be a step's check: what
	 * it calls missing is dropped. Returns perform's result. */
	int (*do_once)(struct nslab_host *h, bool (*done)(struct nslab_host *h),
		       int (*perform)(struct nslab_host *h), const char *already, const char *after);
	/* Makes the lab's workdir a shared mount of its own on the host (bind
	 * mount onto itself, registered for cleanup, then MS_SHARED), so that a
	 * mount namespace copied from nslab's starts in its peer group with or
	 * without systemd. 0 ok, -1 after h->error(). */
	int (*share_workdir)(struct nslab_host *h);
	/* The lab's subjects, for checks that accept work done with the real
	 * tools: every process in the lab cgroup (the lab process, and what
	 * `run`, `shell` and `host ... &` started, however detached or
	 * re-parented), then every watched PID (`watch`, a second terminal).
	 * Writes up to max PIDs, returns how many there are (may be > max),
	 * -1 with errno if the lab cgroup cannot be read. */
	long (*subjects)(struct nslab_host *h, pid_t *pids, size_t max);
#define NSLAB_HOST_HAS_SUBJECTS 1 /* for code built against older and newer headers */
	/* The cgroup nslab/<nslab pid>/name in the hierarchy that holds the
	 * controller ctl ("memory", "pids"; cpu has the cg_* services above):
	 * made if missing, every level nslab makes registered for cleanup; on
	 * v2 ctl is switched on below nslab/ and nslab/<pid>/ (the root's
	 * cgroup.subtree_control is the machine's: if it lacks ctl, the error
	 * says how to enable it). Writes its directory to dir; the lab reads
	 * and writes the files there. name NULL: nslab/<nslab pid> alone (for
	 * a lab whose learner makes the groups with cgcreate). 1 on cgroup v2,
	 * 0 on v1, -1 after h->error(). */
	int (*cg_group)(struct nslab_host *h, const char *ctl, const char *name, char *dir, size_t len);
#define NSLAB_HOST_HAS_CG_GROUP 1
};

/* In an nslab_call_fn: say which call failed (for call_main's message) and
 * return -1 with errno kept: `return nslab_fail(out, outlen, "mount(...)");` */
static inline int nslab_fail(char *out, size_t outlen, const char *what)
{
	int err = errno;
	if (out && outlen)
		snprintf(out, outlen, "%s", what);
	errno = err;
	return -1;
}

/* Declare a lab: NSLAB_LAB(descriptor) at the end of labs/<id>.c. */
#define NSLAB_LAB(desc)                                                                                      \
	__attribute__((visibility("default"))) const struct nslab_lab *nslab_lab(void);                      \
	const struct nslab_lab *nslab_lab(void)                                                              \
	{                                                                                                    \
		return &(desc);                                                                              \
	}

/* Inside a designated initialiser of struct nslab_lab:
 *   static const struct nslab_lab lab = { ..., NSLAB_STEPS(steps), NSLAB_COMMANDS(commands), ... }; */
#define NSLAB_STEPS(arr)                                                                                     \
	.steps = (arr), .nsteps = (unsigned)(sizeof(arr) / sizeof((arr)[0])),                                \
	.step_size = (unsigned)sizeof((arr)[0])
#define NSLAB_COMMANDS(arr)                                                                                  \
	.commands = (arr), .ncommands = (unsigned)(sizeof(arr) / sizeof((arr)[0])),                          \
	.command_size = (unsigned)sizeof((arr)[0])

/* Whether the host has the function or field `member` of struct nslab_host
 * (one appended after the plugin's host was built lacks it):
 *   if (NSLAB_HOST_HAS(h, some_new_fn)) h->some_new_fn(h, ...); */
#define NSLAB_HOST_HAS(h, member)                                                                            \
	((size_t)(h)->size >= offsetof(struct nslab_host, member) + sizeof((h)->member))

#endif
