/* SPDX-License-Identifier: GPL-2.0-or-later */
/* time.c: the time namespace (Linux 5.6+). It shifts CLOCK_MONOTONIC and
 * CLOCK_BOOTTIME by per-namespace offsets, so that a container migrated to
 * another machine keeps its clocks; CLOCK_REALTIME is not namespaced.
 *
 * The order matters, and the lab follows it: the lab process unshares
 * CLONE_NEWTIME (only its time_for_children changes), the host writes the
 * offsets to /proc/PID/timens_offsets while no process is inside yet, and
 * then a process enters (here the lab process itself, with setns), which
 * freezes the offsets for good. unshare(1) --time with --monotonic,
 * --boottime and --fork does the same in one command: any subject with such
 * a namespace, or inside one, counts. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define OFFSET_S 864000L /* ten days */
#define OFFSET_STR "864000"

struct offsets {
	long long mono_s, boot_s;
	long mono_ns, boot_ns;
};

struct clocks {
	struct timespec mono, boot, real;
};

/* --- helpers --- */

/* /proc/PID/timens_offsets: "monotonic S NS" and "boottime S NS" lines, for
 * the process's time_for_children namespace. */
static int read_offsets(pid_t pid, struct offsets *o)
{
	char p[64], line[128], name[32];
	long long s;
	long ns;
	memset(o, 0, sizeof(*o));
	snprintf(p, sizeof(p), "/proc/%d/timens_offsets", (int)pid);
	FILE *f = fopen(p, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %lld %ld", name, &s, &ns) != 3)
			continue;
		if (strcmp(name, "monotonic") == 0 || strcmp(name, "1") == 0) {
			o->mono_s = s;
			o->mono_ns = ns;
		} else if (strcmp(name, "boottime") == 0 || strcmp(name, "7") == 0) {
			o->boot_s = s;
			o->boot_ns = ns;
		}
	}
	fclose(f);
	return 0;
}

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(a->tv_sec - b->tv_sec) + (double)(a->tv_nsec - b->tv_nsec) / 1e9;
}

static void now(struct clocks *c)
{
	clock_gettime(CLOCK_MONOTONIC, &c->mono);
	clock_gettime(CLOCK_BOOTTIME, &c->boot);
	clock_gettime(CLOCK_REALTIME, &c->real);
}

/* --- run inside the lab process (h->call) --- */

static int ag_unshare(void *arg, char *out, size_t outlen)
{
	(void)arg;
	return unshare(CLONE_NEWTIME) < 0 ? nslab_fail(out, outlen, "unshare(CLONE_NEWTIME)") : 0;
}

/* setns into its own time_for_children: the lab process enters the
 * namespace it made, as its first member. */
static int ag_enter(void *arg, char *out, size_t outlen)
{
	(void)arg;
	int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return nslab_fail(out, outlen, "open(\"/proc/self/ns/time_for_children\")");
	int r = setns(fd, CLONE_NEWTIME);
	int err = errno;
	close(fd);
	errno = err;
	return r < 0 ? nslab_fail(out, outlen, "setns(CLONE_NEWTIME)") : 0;
}

static int ag_clocks(void *arg, char *out, size_t outlen)
{
	(void)arg;
	struct clocks c;
	if (outlen < sizeof(c))
		return -1;
	now(&c);
	memcpy(out, &c, sizeof(c));
	return 0;
}

/* --- the lab's subjects ---
 * What `run`, `shell` and `host ... &` started (unshare(1) among them) and
 * watched PIDs, besides the lab process. */

#define MAX_SUBJECTS 64

/* The subjects other than the lab process; how many. */
static unsigned learners(struct nslab_host *h, pid_t *out, unsigned max)
{
	return nslab_other_subjects(h, out, max);
}

enum time_want { HAS_NS, HAS_OFFSETS, IS_INSIDE };

/* A learner's process that made a time namespace (for its children or
 * itself), that namespace with offsets (`unshare --time --monotonic N
 * --boottime N`), or one inside it (`--fork`): its PID, or 0. Inside a
 * namespace whose offsets are set, the kernel itself adds them to every
 * clock read, so the offsets are what is checked. */
static pid_t learner_with(struct nslab_host *h, enum time_want want)
{
	pid_t pids[MAX_SUBJECTS];
	unsigned n = learners(h, pids, MAX_SUBJECTS);
	for (unsigned i = 0; i < n; i++) {
		bool own = h->same_ns(h, pids[i], "time") == 0;
		bool kids = h->same_ns(h, pids[i], "time_for_children") == 0;
		struct offsets o;
		bool set = (own || kids) && read_offsets(pids[i], &o) == 0 && (o.mono_s || o.mono_ns) &&
			   (o.boot_s || o.boot_ns);
		if ((want == HAS_NS && (own || kids)) || (want == HAS_OFFSETS && set) ||
		    (want == IS_INSIDE && own && set))
			return pids[i];
	}
	return 0;
}

/* --- step 1 --- */

/* The lab process made a time namespace: quietly. */
static bool main_unshared(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	return h->same_ns(h, pid, "time_for_children") != 1 || h->same_ns(h, pid, "time") != 1;
}

static bool check_unshare(struct nslab_host *h)
{
	if (main_unshared(h) || learner_with(h, HAS_NS))
		return true;
	h->missing(h,
		   _("time_for_children of the lab process is still the host's time namespace "
		     "(/proc/%d/ns/time_for_children), and no other process of the lab made one: "
		     "`run unshare --time sleep infinity &`, or nslab's shortcut `timens`"),
		   (int)h->main_pid(h));
	return false;
}

static int do_unshare(struct nslab_host *h)
{
	return nslab_call_main_traced(
	    h, ag_unshare, NULL,
	    "unshare(CLONE_NEWTIME) = 0   (the caller stays in the host's time namespace)");
}

/* Asked by `timens`: check_unshare also passes once the lab process has
 * entered, when time_for_children is the host's again. */
static bool unshared(struct nslab_host *h)
{
	return main_unshared(h) && h->same_ns(h, h->main_pid(h), "time_for_children") != 1;
}

static int cmd_timens(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	return h->do_once(
	    h, unshared, do_unshare, _("the lab process has a new time namespace for its children already"),
	    _("unshare(CLONE_NEWTIME) = 0: compare the time and time_for_children rows of `ns`"));
}

/* --- step 2 --- */

static bool check_offsets(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	struct offsets o;
	if (learner_with(h, HAS_OFFSETS))
		return true;
	if (!check_unshare(h))
		return false;
	if (!main_unshared(h)) {
		h->missing(h, _("no time namespace of the lab has its offsets yet: `run unshare --time "
				"--monotonic " OFFSET_STR " --boottime " OFFSET_STR " sleep infinity &`"));
		return false;
	}
	if (read_offsets(pid, &o) < 0) {
		h->missing(h, _("cannot read /proc/%d/timens_offsets (%s)"), (int)pid, strerror(errno));
		return false;
	}
	bool ok = true;
	if (o.mono_s == 0 && o.mono_ns == 0) {
		h->missing(h, _("the monotonic offset in /proc/%d/timens_offsets is still 0"), (int)pid);
		ok = false;
	}
	if (o.boot_s == 0 && o.boot_ns == 0) {
		h->missing(h, _("the boottime offset in /proc/%d/timens_offsets is still 0"), (int)pid);
		ok = false;
	}
	return ok;
}

static int do_offsets(struct nslab_host *h)
{
	char p[64];
	static const char text[] = "monotonic " OFFSET_STR " 0\nboottime " OFFSET_STR " 0\n";
	snprintf(p, sizeof(p), "/proc/%d/timens_offsets", (int)h->main_pid(h));
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		h->error(h, _("cannot open %s: %s"), p, strerror(errno));
		return -1;
	}
	ssize_t n = write(fd, text, strlen(text));
	int err = errno;
	close(fd);
	if (n < 0) {
		h->error(h, _("writing %s: %s%s"), p, strerror(err),
			 err == EACCES
			     ? _(" (a process has entered the namespace already: `reset` and redo step 1)")
			     : "");
		return -1;
	}
	h->trace(h, "openat(AT_FDCWD, \"%s\", O_WRONLY) = 3", p);
	h->trace(h, "write(3, \"monotonic " OFFSET_STR " 0\\nboottime " OFFSET_STR " 0\\n\", %zu) = %zd",
		 strlen(text), n);
	return 0;
}

/* --- step 3 --- */

static bool check_enter(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	struct offsets o;
	struct clocks lab, host;
	if (learner_with(h, IS_INSIDE))
		return true;
	if (h->same_ns(h, pid, "time") == 1) {
		h->missing(
		    h,
		    _("the lab process is still in the host's time namespace (/proc/%d/ns/time), and no "
		      "other process of the lab is inside one with offsets: `run unshare --time "
		      "--monotonic " OFFSET_STR " --boottime " OFFSET_STR
		      " --fork sleep infinity &`, or `jointime`"),
		    (int)pid);
		return false;
	}
	if (read_offsets(pid, &o) < 0 || h->call(h, pid, ag_clocks, NULL, 0, (char *)&lab, sizeof(lab)) < 0) {
		h->missing(h, _("cannot read the lab's clocks (%s)"), strerror(errno));
		return false;
	}
	now(&host);
	double boot = ts_diff(&lab.boot, &host.boot) - ((double)o.boot_s + (double)o.boot_ns / 1e9);
	double mono = ts_diff(&lab.mono, &host.mono) - ((double)o.mono_s + (double)o.mono_ns / 1e9);
	bool ok = true;
	if (o.boot_s == 0 && o.boot_ns == 0) {
		h->missing(h, _("the lab's time namespace has no boottime offset (it froze at 0: `reset`)"));
		ok = false;
	}
	if (boot > 1.0 || boot < -1.0 || mono > 1.0 || mono < -1.0) {
		h->missing(h,
			   _("the lab's clocks are not the host's plus the offsets (off by %.1f s boottime, "
			     "%.1f s monotonic)"),
			   boot, mono);
		ok = false;
	}
	return ok;
}

static int do_enter(struct nslab_host *h)
{
	if (h->call_main(h, ag_enter, NULL) < 0)
		return -1;
	h->trace(
	    h, "openat(AT_FDCWD, \"/proc/self/ns/time_for_children\", O_RDONLY) = 3   (in the lab process)");
	h->trace(h, "setns(3, CLONE_NEWTIME) = 0   (the offsets are frozen from now on)");
	return 0;
}

static bool entered(struct nslab_host *h)
{
	return h->same_ns(h, h->main_pid(h), "time") != 1;
}

static int cmd_jointime(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	return h->do_once(h, entered, do_enter, _("the lab process is in its own time namespace already"),
			  _("setns(time_for_children, CLONE_NEWTIME) = 0: the lab process is inside"));
}

/* --- the lab --- */

static const char *unsupported(struct nslab_host *h)
{
	if (access("/proc/self/ns/time", F_OK) < 0)
		return _("this kernel has no time namespaces (they need Linux 5.6+ with CONFIG_TIME_NS)");
	return NSLAB_NEED_HOST(h, do_once);
}

static int setup(struct nslab_host *h)
{
	struct nslab_spawn how = {.size = sizeof(struct nslab_spawn), .label = "lab"};
	return h->spawn(h, &how) < 0 ? -1 : 0;
}

static const struct nslab_step steps[] = {
    {
	.title = N_("A time namespace for the children"),
	.task = N_(
	    "unshare(CLONE_NEWTIME) makes a time namespace without moving the caller: only its "
	    "time_for_children names the new one. unshare(1) then runs its command inside (with --fork as a "
	    "child; since Linux 6.1 also without, as exec enters time_for_children), so the real tool shows "
	    "the inside:\n"
	    "  run unshare --time --fork readlink /proc/self/ns/time /proc/self/ns/time_for_children\n"
	    "  host readlink /proc/self/ns/time\n"
	    "The offsets of a new namespace can be written only until the first process enters it. To "
	    "write them by hand in the next step, let the lab process make one that stays empty (nslab's "
	    "command for unshare(CLONE_NEWTIME) in the lab process, what `do` does):\n"
	    "  timens\n"
	    "  host readlink /proc/$NSLAB_LAB_PID/ns/time /proc/$NSLAB_LAB_PID/ns/time_for_children\n"
	    "`run` joins the lab process's current time namespace, the old one, so it does not enter the "
	    "new one. (`run unshare --time --fork sleep infinity &` counts for this step too.)"),
	.hint =
	    N_("As with PID namespaces, the caller is not moved: only time_for_children changes. If a "
	       "process got into the lab process's new namespace before its offsets were written, `reset` "
	       "starts the lab again."),
	.explain =
	    N_("unshare(CLONE_NEWTIME) creates a time namespace but leaves the caller where it is: "
	       "its children will be born inside (/proc/PID/ns/time_for_children), the caller itself stays "
	       "in the old one (/proc/PID/ns/time) until, since Linux 6.1, it execs a program. The delay is "
	       "on purpose: the offsets can be set only while no process is inside yet: the kernel refuses "
	       "a write to timens_offsets (EACCES) once a process has entered."),
	.check = check_unshare,
	.perform = do_unshare,
    },
    {
	.title = N_("Set the clock offsets"),
	.task =
	    N_("Move the clocks of the lab process's new time namespace ten days ahead, from the host, "
	       "while nothing is inside it:\n"
	       "  host echo 'monotonic " OFFSET_STR " 0' > /proc/$NSLAB_LAB_PID/timens_offsets\n"
	       "  host echo 'boottime " OFFSET_STR " 0' > /proc/$NSLAB_LAB_PID/timens_offsets\n"
	       "  host cat /proc/$NSLAB_LAB_PID/timens_offsets\n"
	       "unshare(1) writes the same file, /proc/self/timens_offsets, between unshare(2) and starting "
	       "its command:\n"
	       "  run unshare --time --monotonic " OFFSET_STR " --boottime " OFFSET_STR
	       " cat /proc/self/timens_offsets\n"
	       "(If a write fails, a process has entered already: `reset` and do step 1 again.)"),
	.hint =
	    N_("Each line is CLOCK SECONDS NANOSECONDS. A write after a process has entered fails (EACCES; "
	       "dash's echo calls it \"I/O error\"): then `reset`."),
	.explain =
	    N_("/proc/PID/timens_offsets belongs to the time_for_children namespace of PID. Only two "
	       "clocks can be shifted: CLOCK_MONOTONIC (time since an arbitrary start, never jumps) and "
	       "CLOCK_BOOTTIME (the same, counting suspend: what uptime shows). CLOCK_REALTIME, the wall "
	       "clock, is one for the whole machine: there is no offset for it. The point of it all is "
	       "checkpoint/restore (CRIU): a container moved to another machine must not see its "
	       "monotonic clock jump backwards."),
	.check = check_offsets,
	.perform = do_offsets,
    },
    {
	.title = N_("Enter, and compare the clocks"),
	.task =
	    N_("Put a process inside a time namespace with offsets, and compare the clocks. The real "
	       "tool makes the namespace, writes the offsets and forks the process inside in one go:\n"
	       "  run unshare --time --monotonic " OFFSET_STR " --boottime " OFFSET_STR
	       " --fork sleep infinity &\n"
	       "  run unshare --time --boottime " OFFSET_STR " --fork cat /proc/uptime\n"
	       "  host cat /proc/uptime\n"
	       "  run unshare --time --boottime " OFFSET_STR " --fork date\n"
	       "  host date\n"
	       "The dates are the same: the wall clock is not namespaced. nslab's shortcut, what `do` does: "
	       "`jointime` makes the lab process setns() into the namespace "
	       "of steps 1 and 2; then `run uptime` and `host uptime` differ by ten days."),
	.hint = N_("Inside, uptime is ten days longer than the host's; `date` agrees on both sides."),
	.explain =
	    N_("setns(fd, CLONE_NEWTIME) on the lab process's own time_for_children moves it inside "
	       "(a single-threaded process can do that), and the kernel freezes the offsets: writing "
	       "timens_offsets now fails. Nothing in the kernel's clocks changes; the vDSO (a small page of "
	       "kernel code mapped into every process, so that reading a clock needs no system call) "
	       "of a process in the namespace adds the offsets when clock_gettime(CLOCK_MONOTONIC or "
	       "CLOCK_BOOTTIME) is read, and /proc/uptime adds the boottime offset. `run` enters "
	       "/proc/$NSLAB_LAB_PID/ns/time, so after `jointime` its commands see the shifted clocks too. "
	       "unshare(1) --fork needs no setns: its child is born inside."),
	.check = check_enter,
	.perform = do_enter,
    },
};

static const struct nslab_command commands[] = {
    {"timens", N_("timens"), N_("unshare(CLONE_NEWTIME) in the lab process (affects its children only)"), 0,
     0, cmd_timens},
    {"jointime", N_("jointime"), N_("setns() the lab process into its time_for_children namespace"), 0, 0,
     cmd_jointime},
};

static const struct nslab_lab lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "time",
    .title = N_("Time namespace: shifted clocks (Linux 5.6+)"),
    .summary = N_("The newest namespace shifts two clocks, CLOCK_MONOTONIC and CLOCK_BOOTTIME, by offsets "
		  "set before the first process enters. The wall clock stays the machine's. You will create "
		  "one, move its clocks ten days ahead, enter it, and compare uptime inside and out."),
    .order = 110,
    NSLAB_STEPS(steps),
    .unsupported = unsupported,
    .setup = setup,
    NSLAB_COMMANDS(commands),
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(lab)
