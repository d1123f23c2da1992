/* SPDX-License-Identifier: GPL-2.0-or-later */
/* chroot.c: the chroot lab. The learner builds a root directory by hand
 * (shell, libraries, loader), moves the lab process into it with chroot(2)
 * and finds that `..` stops at the new /. Checks look at the files in the
 * root and at /proc/PID/root and /proc/PID/cwd of every subject of the lab
 * (the lab process, what `host chroot ... &` started, watched PIDs): work
 * done with chroot(8) counts as much as this lab's `jail` and `chdir`. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROOT_NAME "new-root"

/* --- small file helpers --- */

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_exec_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

static const char *root_path(struct nslab_host *h)
{
	const char *r = h->root(h);
	return r ? r : "";
}

static void under_root(struct nslab_host *h, const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", root_path(h), path);
}

static void proc_link(pid_t pid, const char *what, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/%d/%s", (int)pid, what);
}

/* Where a process's root or cwd points, as the host sees the path. */
static void proc_target(pid_t pid, const char *what, char *buf, size_t len)
{
	char link[64];
	proc_link(pid, what, link, sizeof(link));
	ssize_t n = readlink(link, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	if (n <= 0)
		snprintf(buf, len, "?");
}

/* Is the root of process pid the lab root (and not the host's /)? */
static bool pid_in_root(struct nslab_host *h, pid_t pid)
{
	char link[64];
	proc_link(pid, "root", link, sizeof(link));
	return is_dir(root_path(h)) && nslab_same_file(link, root_path(h)) && !nslab_same_file(link, "/");
}

static bool main_in_root(struct nslab_host *h)
{
	return pid_in_root(h, h->main_pid(h));
}

/* Is the working directory of process pid the directory path inside the
 * lab root ("" for its top)? */
static bool pid_cwd_is(struct nslab_host *h, pid_t pid, const char *path)
{
	char link[64], dir[PATH_MAX];
	proc_link(pid, "cwd", link, sizeof(link));
	under_root(h, path, dir, sizeof(dir));
	return nslab_same_file(link, dir);
}

#define MAX_SUBJECTS 64

/* The lab's subjects: the lab process first, then the learner's own (what
 * `host chroot ... &` or `run` started, watched PIDs). How many. */
static unsigned lab_subjects(struct nslab_host *h, pid_t *out, unsigned max)
{
	out[0] = h->main_pid(h);
	return 1 + nslab_other_subjects(h, out + 1, max - 1);
}

/* The first subject whose root is the lab root, 0 if none. */
static pid_t subject_in_root(struct nslab_host *h)
{
	pid_t pids[MAX_SUBJECTS];
	unsigned n = lab_subjects(h, pids, MAX_SUBJECTS);
	for (unsigned i = 0; i < n; i++)
		if (pids[i] > 0 && pid_in_root(h, pids[i]))
			return pids[i];
	return 0;
}

/* A subject in the lab root whose working directory is path there, 0 if none. */
static pid_t subject_at(struct nslab_host *h, const char *path)
{
	pid_t pids[MAX_SUBJECTS];
	unsigned n = lab_subjects(h, pids, MAX_SUBJECTS);
	for (unsigned i = 0; i < n; i++)
		if (pids[i] > 0 && pid_in_root(h, pids[i]) && pid_cwd_is(h, pids[i], path))
			return pids[i];
	return 0;
}

/* The ELF interpreter a program asks for (PT_INTERP), e.g. /lib64/ld-linux-x86-64.so.2. */
static int elf_interp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	Elf64_Ehdr eh;
	int rc = -1;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64)
		goto out;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (Elf64_Off)i * eh.e_phentsize)) !=
		    sizeof(ph))
			break;
		if (ph.p_type != PT_INTERP || ph.p_filesz == 0 || ph.p_filesz >= len)
			continue;
		if (pread(fd, buf, ph.p_filesz, (off_t)ph.p_offset) == (ssize_t)ph.p_filesz) {
			buf[ph.p_filesz - 1] = '\0';
			rc = 0;
		}
		break;
	}
out:
	close(fd);
	return rc;
}

/* Calls h->missing for every library `ldd PROGRAM` names that is not at the
 * same path under the root (the loader included). Returns how many. */
static int missing_libs(struct nslab_host *h, const char *program_in_root)
{
	char prog[PATH_MAX], cmd[PATH_MAX + 32], lib[PATH_MAX];
	under_root(h, program_in_root, prog, sizeof(prog));
	int missing = 0;
	if (elf_interp(prog, lib, sizeof(lib)) == 0) {
		char in_root[PATH_MAX];
		under_root(h, lib, in_root, sizeof(in_root));
		if (access(in_root, F_OK) != 0) {
			h->missing(
			    h, _("the dynamic loader %s is not in the root (the kernel runs it to start %s)"),
			    lib, program_in_root);
			missing++;
		}
	}
	snprintf(cmd, sizeof(cmd), "ldd '%s' 2>/dev/null", prog);
	char *out = NULL;
	if (h->host_run(h, cmd, &out) != 0 || !out) {
		free(out);
		return missing;
	}
	for (char *save = NULL, *line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *arrow = strstr(line, "=> ");
		char *p = arrow ? arrow + 3 : line;
		p += strspn(p, " \t");
		if (*p != '/')
			continue; /* linux-vdso.so.1: made by the kernel, no file */
		p[strcspn(p, " \t")] = '\0';
		if (strcmp(p, lib) == 0)
			continue; /* the loader, reported above */
		char in_root[PATH_MAX];
		under_root(h, p, in_root, sizeof(in_root));
		if (access(in_root, F_OK) != 0) {
			h->missing(h, _("%s needs %s, which is not in the root"), program_in_root, p);
			missing++;
		}
	}
	free(out);
	return missing;
}

/* Prints captured command output, ending it with a newline if it lacks one. */
static void print_output(struct nslab_host *h, const char *out)
{
	if (!out || !*out)
		return;
	size_t len = strlen(out);
	h->print(h, "%s%s", out, out[len - 1] == '\n' ? "" : "\n");
}

/* Shows (and traces) what happens when the host tries `chroot ROOT /bin/sh`. */
static void try_chroot_shell(struct nslab_host *h, const char *cmd)
{
	char line[PATH_MAX + 128], *out = NULL;
	snprintf(line, sizeof(line), "chroot '%s' /bin/sh -c '%s' 2>&1", root_path(h), cmd);
	h->print(h, "$ chroot %s /bin/sh -c '%s'\n", root_path(h), cmd);
	int st = h->host_run(h, line, &out);
	print_output(h, out);
	free(out);
	h->trace(h, "chroot(\"%s\") = 0", root_path(h));
	if (st == 0)
		h->trace(h, "execve(\"/bin/sh\", [\"/bin/sh\", \"-c\", \"%s\"], ...) = 0", cmd);
	else
		h->trace(h, "execve(\"/bin/sh\", [\"/bin/sh\", \"-c\", \"%s\"], ...) = -1 ENOENT", cmd);
}

/* --- lab commands --- */

static int cmd_jail(struct nslab_host *h, int argc, char **argv)
{
	(void)argc, (void)argv;
	char sh[PATH_MAX];
	if (main_in_root(h)) {
		h->print(h, _("the lab process is already inside %s\n"), root_path(h));
		return 0;
	}
	under_root(h, "/bin/sh", sh, sizeof(sh));
	if (!is_exec_file(sh)) {
		h->error(h,
			 _("there is no /bin/sh in %s yet: copy the shell in first (steps 2 and 3), "
			   "since every `run` starts /bin/sh inside the root"),
			 root_path(h));
		return -1;
	}
	if (h->call(h, h->main_pid(h), nslab_call_chroot, root_path(h), strlen(root_path(h)) + 1, NULL, 0) <
	    0) {
		int err = errno;
		h->trace(h, "chroot(\"%s\") = -1 %s", root_path(h), strerrorname_np(err));
		h->error(h, _("chroot in the lab process failed: %s%s"), strerror(err),
			 err == EPERM ? _(" (chroot needs CAP_SYS_CHROOT: run nslab as root, e.g. with sudo)")
				      : "");
		return -1;
	}
	h->trace(h, "chroot(\"%s\") = 0", root_path(h));
	h->trace(h, "chdir(\"/\") = 0");
	h->print(h, _("the lab process (PID %d) now has %s as its /\n"), (int)h->main_pid(h), root_path(h));
	return 0;
}

/* What the learner did that the end state cannot show (step 6: a climb
 * that asked for more ".." than there were levels). */
struct chroot_data {
	bool climbed;
};

/* Directory levels of an absolute path: "/" 0, "/bin" 1. */
static int depth(const char *path)
{
	int n = 0;
	for (const char *p = path; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			n++;
	return n;
}

static int dotdots(const char *path)
{
	int n = 0;
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			n++;
	return n;
}

static int cmd_chdir(struct nslab_host *h, int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/";
	char cwd[PATH_MAX] = "", before[PATH_MAX] = "";
	struct chroot_data *d = h->lab_data;
	h->call(h, h->main_pid(h), nslab_call_chdir, ".", 2, before, sizeof(before));
	if (nslab_lab_chdir(h, dir, cwd, sizeof(cwd)) < 0)
		return -1;
	h->print(h, _("the lab process's working directory is now %s\n"), cwd);
	if (d && before[0] == '/' && strcmp(cwd, "/") == 0 && dotdots(dir) > depth(before))
		d->climbed = true;
	return 0;
}

static int cmd_copyin(struct nslab_host *h, int argc, char **argv)
{
	(void)argc;
	if (!is_dir(root_path(h))) {
		h->error(h, _("there is no %s yet: make it first (step 1)"), root_path(h));
		return -1;
	}
	if (h->rootfs_add(h, root_path(h), argv[1]) < 0)
		return -1;
	h->trace(h, "copied %s and every library `ldd %s` names into %s", argv[1], argv[1], root_path(h));
	h->print(h, _("copied %s with its libraries and loader into %s\n"), argv[1], root_path(h));
	return 0;
}

static const struct nslab_command commands[] = {
    {"jail", N_("jail"), N_("chroot() the lab process into the lab root (and chdir to its /)"), 0, 0,
     cmd_jail},
    {"chdir", N_("chdir [DIR]"), N_("chdir() the lab process (later `run` commands start there)"), 0, 1,
     cmd_chdir},
    {"copyin", N_("copyin PROGRAM"), N_("copy a host program, its libraries and the loader into the root"), 1,
     1, cmd_copyin},
};

/* --- steps --- */

static bool check_empty_root(struct nslab_host *h)
{
	if (is_dir(root_path(h)))
		return true;
	h->missing(h, _("there is no directory %s yet: `host mkdir -p $NSLAB_LAB_ROOT`"), root_path(h));
	return false;
}

static int do_empty_root(struct nslab_host *h)
{
	if (mkdir(root_path(h), 0755) < 0 && errno != EEXIST) {
		h->error(h, "mkdir %s: %s", root_path(h), strerror(errno));
		return -1;
	}
	h->trace(h, "mkdir(\"%s\", 0755) = 0", root_path(h));
	try_chroot_shell(h, "echo hello");
	return 0;
}

static bool check_shell(struct nslab_host *h)
{
	char sh[PATH_MAX];
	under_root(h, "/bin/sh", sh, sizeof(sh));
	if (is_exec_file(sh))
		return true;
	if (!check_empty_root(h))
		return false;
	h->missing(h,
		   _("no executable %s: `host mkdir -p $NSLAB_LAB_ROOT/bin` and "
		     "`host cp /bin/sh $NSLAB_LAB_ROOT/bin/`"),
		   sh);
	return false;
}

static int do_shell(struct nslab_host *h)
{
	char bin[PATH_MAX], sh[PATH_MAX];
	under_root(h, "/bin", bin, sizeof(bin));
	under_root(h, "/bin/sh", sh, sizeof(sh));
	if ((mkdir(bin, 0755) < 0 && errno != EEXIST) || h->copy_file(h, "/bin/sh", sh) < 0) {
		h->error(h, _("copying /bin/sh to %s: %s"), sh, strerror(errno));
		return -1;
	}
	h->trace(h, "mkdir(\"%s\", 0755) = 0", bin);
	h->trace(h, "open(\"/bin/sh\") + open(\"%s\", O_CREAT) + read/write = 0", sh);
	try_chroot_shell(h, "echo hello");
	char *out = NULL;
	h->print(h, "$ ldd /bin/sh\n");
	h->host_run(h, "ldd /bin/sh 2>&1", &out);
	print_output(h, out);
	free(out);
	return 0;
}

static bool check_libs(struct nslab_host *h)
{
	if (!check_shell(h))
		return false;
	if (missing_libs(h, "/bin/sh") > 0)
		return false;
	char cmd[PATH_MAX + 64];
	snprintf(cmd, sizeof(cmd), "chroot '%s' /bin/sh -c : 2>/dev/null", root_path(h));
	if (h->host_run(h, cmd, NULL) == 0)
		return true;
	h->missing(h, _("the files are there, but `chroot $NSLAB_LAB_ROOT /bin/sh` still does not start"));
	return false;
}

static int do_libs(struct nslab_host *h)
{
	if (h->rootfs_add(h, root_path(h), "/bin/sh") < 0)
		return -1;
	h->trace(h, "copied every library and the loader that `ldd /bin/sh` names, keeping their paths");
	try_chroot_shell(h, "echo /*");
	return 0;
}

static bool check_enter(struct nslab_host *h)
{
	if (!check_libs(h))
		return false;
	if (subject_in_root(h))
		return true;
	char target[PATH_MAX];
	proc_target(h->main_pid(h), "root", target, sizeof(target));
	h->missing(h,
		   _("no process of the lab has the lab root as its root (the lab process, PID %d, has %s): "
		     "`host chroot $NSLAB_LAB_ROOT /bin/sleep 600 &`, or `jail`"),
		   (int)h->main_pid(h), target);
	return false;
}

static int do_enter(struct nslab_host *h)
{
	char *argv[] = {"jail", NULL};
	if (main_in_root(h))
		return 0;
	/* After `step 4` the earlier steps may not be done: copying the shell
	 * again is harmless, and `jail` needs it. */
	if (h->rootfs_add(h, root_path(h), "/bin/sh") < 0)
		return -1;
	return cmd_jail(h, 1, argv);
}

/* ls, wherever the learner's PATH put it in the root. */
static const char *ls_in_root(struct nslab_host *h)
{
	static const char *const cands[] = {"/bin/ls", "/usr/bin/ls"};
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(cands); i++) {
		char p[PATH_MAX];
		under_root(h, cands[i], p, sizeof(p));
		if (is_exec_file(p))
			return cands[i];
	}
	return NULL;
}

static bool check_ls(struct nslab_host *h)
{
	if (!check_enter(h))
		return false;
	const char *ls = ls_in_root(h);
	if (!ls) {
		h->missing(h, _("there is no ls in the root: `copyin /bin/ls`"));
		return false;
	}
	if (missing_libs(h, ls) > 0)
		return false;
	char cmd[PATH_MAX + 64];
	snprintf(cmd, sizeof(cmd), "chroot '%s' %s / >/dev/null 2>&1", root_path(h), ls);
	int st = h->host_run(h, cmd, NULL);
	if (st != 0) {
		h->missing(h, _("`chroot $NSLAB_LAB_ROOT %s /` does not work yet (status %d)"), ls, st);
		return false;
	}
	if (subject_at(h, "/bin"))
		return true;
	char target[PATH_MAX];
	pid_t in = subject_in_root(h);
	proc_target(in, "cwd", target, sizeof(target));
	h->missing(h,
		   _("no process in the jail has /bin as its working directory (PID %d's is %s, host path): "
		     "`host chroot $NSLAB_LAB_ROOT /bin/sh -c 'cd /bin && ls && sleep 600' &`, or "
		     "`chdir /bin`"),
		   (int)in, target);
	return false;
}

static int do_ls(struct nslab_host *h)
{
	char *add[] = {"copyin", "/bin/ls", NULL};
	char *cd[] = {"chdir", "/bin", NULL};
	if (do_enter(h) < 0 || cmd_copyin(h, 2, add) < 0 || cmd_chdir(h, 2, cd) < 0)
		return -1;
	h->print(h, "$ run ls\n");
	return h->run(h, 0, "ls", NULL) == 0 ? 0 : -1;
}

/* Did the command line of pid climb: a path of two or more leading ".."
 * (`cd ../../../..` in `sh -c`)? A process chroot(8) starts is at the
 * jail's top already, so being there proves nothing. */
static bool cmdline_climbs(pid_t pid)
{
	char buf[4096];
	nslab_cmdline(pid, buf, sizeof(buf));
	for (char *save = NULL, *w = strtok_r(buf, " \t;&|", &save); w; w = strtok_r(NULL, " \t;&|", &save))
		if (strncmp(w, "..", 2) == 0 && dotdots(w) >= 2)
			return true;
	return false;
}

/* Has pid climbed to the jail's top: the lab process by this lab's
 * `chdir`, another by a `cd ../..` on its command line? */
static bool climbed(struct nslab_host *h, pid_t pid)
{
	const struct chroot_data *d = h->lab_data;
	if (pid == h->main_pid(h))
		return d && d->climbed;
	return cmdline_climbs(pid);
}

static bool check_climb(struct nslab_host *h)
{
	if (!check_enter(h))
		return false;
	pid_t pids[MAX_SUBJECTS], top = 0;
	unsigned n = lab_subjects(h, pids, MAX_SUBJECTS);
	for (unsigned i = 0; i < n; i++) {
		if (pids[i] <= 0 || !pid_in_root(h, pids[i]) || !pid_cwd_is(h, pids[i], ""))
			continue;
		if (climbed(h, pids[i]))
			return true;
		top = top ? top : pids[i];
	}
	if (top) {
		h->missing(
		    h,
		    _("PID %d is at the top of the jail, but has not climbed past it: chroot starts "
		      "there. Climb from /bin with more \"..\" than there are levels: `host chroot "
		      "$NSLAB_LAB_ROOT /bin/sh -c 'cd /bin && cd ../../../.. && ls && sleep 600' &`, or "
		      "`chdir ../../../..`"),
		    (int)top);
		return false;
	}
	char target[PATH_MAX];
	pid_t in = subject_in_root(h);
	proc_target(in, "cwd", target, sizeof(target));
	h->missing(h,
		   _("no process in the jail is at its top (PID %d's working directory is %s, host path): "
		     "`chdir ../../../..`"),
		   (int)in, target);
	return false;
}

static int do_climb(struct nslab_host *h)
{
	char *cd[] = {"chdir", "../../../../../../../..", NULL};
	if (do_enter(h) < 0 || cmd_chdir(h, 2, cd) < 0)
		return -1;
	h->print(h, "$ run pwd; ls\n");
	return h->run(h, 0, "pwd; ls", NULL) == 0 ? 0 : -1;
}

static int chroot_setup(struct nslab_host *h)
{
	char root[PATH_MAX];
	snprintf(root, sizeof(root), "%s/" ROOT_NAME, h->workdir(h));
	h->set_root(h, root);
	if (!(h->lab_data = calloc(1, sizeof(struct chroot_data)))) {
		h->error(h, _("out of memory"));
		return -1;
	}
	/* A plain fork: chroot needs no namespace, which is exactly its weakness. */
	struct nslab_spawn how = {.size = sizeof(struct nslab_spawn), .label = "lab"};
	return h->spawn(h, &how) < 0 ? -1 : 0;
}

static void chroot_teardown(struct nslab_host *h)
{
	free(h->lab_data);
	h->lab_data = NULL;
}

static const struct nslab_step steps[] = {
    {
	.title = N_("An empty root"),
	.task = N_("chroot(2) makes a directory the root (/) of a process. Make an empty "
		   "directory and try to start a shell with it as root:\n"
		   "\n"
		   "  host mkdir -p $NSLAB_LAB_ROOT\n"
		   "  host chroot $NSLAB_LAB_ROOT /bin/sh\n"
		   "\n"
		   "It fails with \"No such file or directory\", although /bin/sh exists on the "
		   "host."),
	.hint = N_("$NSLAB_LAB_ROOT is set for every `host` and `run` command; `status` shows "
		   "its value."),
	.explain = N_("chroot(8) calls chroot(2), then execve(\"/bin/sh\"). chroot(2) itself "
		      "succeeded: from then on every absolute path the process looks up starts at "
		      "the new root. So execve looked for $NSLAB_LAB_ROOT/bin/sh, which does not "
		      "exist: ENOENT. chroot dates from Version 7 UNIX (1979) and was used to lock "
		      "FTP and other remote users into one directory."),
	.check = check_empty_root,
	.perform = do_empty_root,
    },
    {
	.title = N_("Copy the shell in"),
	.task = N_("Give the root a shell at the same path, and try again:\n"
		   "\n"
		   "  host mkdir -p $NSLAB_LAB_ROOT/bin\n"
		   "  host cp /bin/sh $NSLAB_LAB_ROOT/bin/\n"
		   "  host chroot $NSLAB_LAB_ROOT /bin/sh\n"
		   "\n"
		   "Still \"No such file or directory\"! Ask which files the shell needs:\n"
		   "\n"
		   "  host ldd /bin/sh"),
	.hint = N_("The copy must land at $NSLAB_LAB_ROOT/bin/sh, since the shell is looked up "
		   "as /bin/sh inside the new root."),
	.explain = N_("/bin/sh is dynamically linked. Its ELF header names an interpreter, the "
		      "dynamic loader (`host readelf -l /bin/sh | grep interp`), which the kernel "
		      "opens during execve. Inside the root that loader does not exist, and execve "
		      "reports the missing interpreter with the same ENOENT as a missing program. "
		      "ldd lists the loader and each shared library; linux-vdso.so.1 has no file: "
		      "the kernel maps it into every process."),
	.check = check_shell,
	.perform = do_shell,
    },
    {
	.title = N_("Libraries and the loader"),
	.task = N_("Copy each file ldd printed to the same path under the root (on x86-64 "
		   "Debian):\n"
		   "\n"
		   "  host mkdir -p $NSLAB_LAB_ROOT/lib/x86_64-linux-gnu $NSLAB_LAB_ROOT/lib64\n"
		   "  host cp /lib/x86_64-linux-gnu/libc.so.6 $NSLAB_LAB_ROOT/lib/x86_64-linux-gnu/\n"
		   "  host cp /lib64/ld-linux-x86-64.so.2 $NSLAB_LAB_ROOT/lib64/\n"
		   "  host chroot $NSLAB_LAB_ROOT /bin/sh -c 'echo /*'\n"
		   "\n"
		   "The shell starts, and / holds only what you copied."),
	.hint = N_("Use the paths your own `host ldd /bin/sh` prints; each file goes to "
		   "$NSLAB_LAB_ROOT plus the same path. `host find $NSLAB_LAB_ROOT` shows what "
		   "is there."),
	.explain = N_("Now execve finds the loader, the loader finds libc, and the shell runs. Its "
		      "whole world is the directory: `echo /*` lists /bin, /lib and /lib64. This is "
		      "the first idea behind a container image: a directory holding a program and "
		      "everything it needs. `docker export` writes such a tree as a tar: it "
		      "exports a container's filesystem, not an image: "
		      "`docker export $(docker create nginx) > nginx.tar`."),
	.check = check_libs,
	.perform = do_libs,
    },
    {
	.title = N_("Move the lab process in"),
	.task = N_("So far chroot(8) made short-lived shells. Now keep a process in the jail "
		   "and look at it from the host. sleep needs only the libraries you copied "
		   "(`host ldd /bin/sleep`):\n"
		   "\n"
		   "  host cp /bin/sleep $NSLAB_LAB_ROOT/bin/\n"
		   "  host chroot $NSLAB_LAB_ROOT /bin/sleep 600 &\n"
		   "  host pgrep -a -x sleep\n"
		   "  host ls -l /proc/$(pgrep -n -x sleep)/root\n"
		   "\n"
		   "The sleeper's root link points at the lab root. nslab's shortcut, and what "
		   "`do` does, puts the lab process itself in the jail, so that every later "
		   "`run` starts there:\n"
		   "\n"
		   "  host ls -l /proc/$NSLAB_LAB_PID/root\n"
		   "  jail\n"
		   "  host ls -l /proc/$NSLAB_LAB_PID/root\n"
		   "  run echo /*\n"
		   "  run ls /\n"
		   "\n"
		   "The link points at the host's / before `jail`, where the lab process calls "
		   "chroot, and at the lab root after."),
	.hint = N_("The check looks at every process of the lab (what `host ... &` and `run` "
		   "started, and watched PIDs) for one whose root is the lab root. `jail` is a "
		   "command of this lab: it runs chroot($NSLAB_LAB_ROOT) and chdir(\"/\") inside "
		   "the lab process."),
	.explain = N_("chroot(2) changes one thing about the calling process: its root directory. "
		      "Its working directory and its namespaces stay as they were (chroot(8) adds a "
		      "chdir(\"/\") itself). /proc/PID/root shows the root: the link points at the "
		      "lab root, and every process forked from the lab process inherits it. "
		      "`run ls /` fails with \"ls: not found\": the jail has a shell, but no ls."),
	.check = check_enter,
	.perform = do_enter,
    },
    {
	.title = N_("Add ls"),
	.task = N_("ls needs its own libraries (`host ldd /bin/ls`). You know how to copy them "
		   "by hand; this time let nslab's `copyin` do it. Then start a shell in the "
		   "jail that goes where ls lives, and stays there:\n"
		   "\n"
		   "  copyin /bin/ls\n"
		   "  host chroot $NSLAB_LAB_ROOT /bin/ls -l /\n"
		   "  host chroot $NSLAB_LAB_ROOT /bin/sh -c 'cd /bin && ls && sleep 600' &\n"
		   "  host ls -l /proc/$(pgrep -n -x sleep)/cwd\n"
		   "\n"
		   "The sleeper's working directory is /bin in the jail. After `jail`, the "
		   "shortcut moves the lab process's own working directory:\n"
		   "\n"
		   "  chdir /bin\n"
		   "  run pwd ; ls"),
	.hint = N_("`copyin PROGRAM` copies the program, each library ldd names and the "
		   "loader. The check wants a process in the jail whose working directory "
		   "(/proc/PID/cwd) is its /bin: chroot(8) starts at the jail's /, so the "
		   "`cd /bin` must happen inside."),
	.explain = N_("copyin did what you did in step 3: ldd, then one copy per file. Compare "
		      "`host chroot $NSLAB_LAB_ROOT /bin/ls /` with `host ls /`: same kernel, same "
		      "process table, a different /. "
		      "`chdir` is a command of this lab: it makes the lab process call chdir(2), and "
		      "every `run` starts in the lab process's working directory (/proc/PID/cwd)."),
	.check = check_ls,
	.perform = do_ls,
    },
    {
	.title = N_("Try to climb out"),
	.task =
	    N_("From /bin, walk up more levels than there are, and stay:\n"
	       "\n"
	       "  host chroot $NSLAB_LAB_ROOT /bin/sh -c 'cd /bin && cd ../../../.. && ls && sleep 600' &\n"
	       "  host ls -l /proc/$(pgrep -n -x sleep)/cwd\n"
	       "\n"
	       "You land on the jail's /, not the host's. The shortcut, for the lab process "
	       "after `jail` and `chdir /bin`:\n"
	       "\n"
	       "  chdir ../../../..\n"
	       "  run pwd ; ls\n"
	       "  host ls -l /proc/$NSLAB_LAB_PID/cwd"),
	.hint = N_("chroot(8) starts a process at the jail's / already: the check wants one that "
		   "climbed there with more \"..\" than there are levels (the `cd ../../../..` in "
		   "its command line, or this lab's `chdir`). `run cd ..` only moves a shell that "
		   "exits right away."),
	.explain = N_("When the kernel resolves \"..\" it first asks: is this directory the process's "
		      "root? If so, \"..\" stays where it is. That is the whole jail: one check "
		      "during path lookup. It is also why chroot is not a container. Its four "
		      "limits:\n"
		      "  1. Escape: root inside the jail can leave it (next lab: chroot-escape).\n"
		      "  2. No isolation: the jailed process shares the host's processes,\n"
		      "     network, hostname and IPC (`ns` shows every row equal to the host's);\n"
		      "     copy ps in and it sees every process.\n"
		      "  3. Root needed: chroot(2) needs CAP_SYS_CHROOT, and the jailed program\n"
		      "     usually runs as root too.\n"
		      "  4. No limits: CPU, memory and I/O are unbounded.\n"
		      "pivot_root and namespaces fix 1 and 2, user namespaces 3, cgroups 4."),
	.check = check_climb,
	.perform = do_climb,
    },
};

static const struct nslab_lab chroot_lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "chroot",
    .title = N_("chroot: change the root"),
    .summary = N_("The oldest ancestor of containers (1979): chroot(2) makes a directory the / of a process. "
		  "You build a root by hand (a shell, its libraries, the loader), move the lab process into "
		  "it, and find that \"..\" stops at its top. Then: why that is not enough."),
    .order = 10,
    NSLAB_STEPS(steps),
    .setup = chroot_setup,
    .teardown = chroot_teardown,
    NSLAB_COMMANDS(commands),
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(chroot_lab)
