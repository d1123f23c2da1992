/* SPDX-License-Identifier: GPL-2.0-or-later */
/* seccomp.c: a syscall filter, as container runtimes install one.
 *
 * The lab process works in a directory of its own (data/, with file.txt in
 * it). The learner loads a seccomp filter built with libseccomp into it
 * (`filter chmod`: every chmod-family syscall fails with EPERM, everything
 * else is allowed), runs commands under it with `try` (a child of the lab
 * process, so it inherits the filter; `run` is a fresh process entered from
 * nslab and has none), sees chmod fail while mkdir works, leaves a child
 * running to show the filter is inherited, and stacks a second filter, since
 * none can ever be removed. Checks read Seccomp and Seccomp_filters in
 * /proc/PID/status of the lab's subjects, and the files in data/. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DATA "data"
#define FILE_NAME "file.txt"
#define ERR_FILE "chmod.err"
#define NEW_DIR "newdir"
#define MAX_SUBJECTS 64
#define TRY_SECONDS 10

/* The syscalls one word of `filter` stands for: chmod(1) calls fchmodat,
 * mkdir(1) mkdir or mkdirat, depending on the architecture. */
struct family {
	const char *word;
	const char *syscalls[4];
};
static const struct family families[] = {
    {"chmod", {"chmod", "fchmod", "fchmodat", "fchmodat2"}},
    {"mkdir", {"mkdir", "mkdirat", NULL, NULL}},
    {"chown", {"chown", "fchown", "fchownat", "lchown"}},
    {"unlink", {"unlink", "unlinkat", NULL, NULL}},
};

/* What a check reads of one process: /proc/PID/status. */
struct sc {
	int mode;    /* Seccomp: 0 off, 1 strict, 2 filter */
	int filters; /* Seccomp_filters (Linux 5.9+); -1 unknown */
};

static int read_sc(pid_t pid, struct sc *s)
{
	char p[64], line[256];
	FILE *f = fopen(nslab_proc_path(p, sizeof(p), pid, "status"), "re");
	if (!f)
		return -1;
	s->mode = -1;
	s->filters = -1;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "Seccomp: %d", &s->mode);
		sscanf(line, "Seccomp_filters: %d", &s->filters);
	}
	fclose(f);
	return s->mode < 0 ? -1 : 0;
}

static int read_sc_slot(pid_t pid, void *slot)
{
	return read_sc(pid, slot);
}

static size_t subject_sc(struct nslab_host *h, pid_t *pids, struct sc *out, size_t max)
{
	return nslab_subjects_read(h, pids, out, sizeof(*out), max, read_sc_slot);
}

static const struct family *family_of(const char *word)
{
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(families); i++)
		if (strcmp(families[i].word, word) == 0)
			return &families[i];
	return NULL;
}

static void data_path(struct nslab_host *h, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/" DATA "%s%s", h->workdir(h), name[0] ? "/" : "", name);
}

/* --- run inside the lab process (h->call) --- */

/* arg: the family's word. Default allow; each syscall of the family fails
 * with EPERM. seccomp_load() is seccomp(SECCOMP_SET_MODE_FILTER): allowed
 * here without no_new_privs because the lab process has CAP_SYS_ADMIN. */
static int ag_filter(void *arg, char *out, size_t outlen)
{
	const struct family *f = family_of(arg);
	if (!f) {
		errno = EINVAL;
		return nslab_fail(out, outlen, "filter");
	}
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		errno = ENOMEM;
		return nslab_fail(out, outlen, "seccomp_init");
	}
	int rc = 0;
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(f->syscalls) && f->syscalls[i] && rc == 0; i++) {
		int nr = seccomp_syscall_resolve_name(f->syscalls[i]);
		if (nr != __NR_SCMP_ERROR)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
	}
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		errno = -rc;
		return nslab_fail(out, outlen, "seccomp_load");
	}
	return 0;
}

/* Reads the child's output into out until it exits (or the deadline). */
static void collect(int fd, pid_t pid, char *out, size_t outlen, int *status)
{
	size_t n = 0;
	time_t end = time(NULL) + TRY_SECONDS;
	bool exited = false;
	while (time(NULL) < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, exited ? 0 : 100);
		if (r > 0) {
			ssize_t k = read(fd, out + n, outlen - 1 - n);
			if (k > 0) {
				n += (size_t)k;
				if (n + 1 < outlen)
					continue;
			}
			if (k <= 0 || n + 1 >= outlen)
				break;
		}
		if (exited)
			break; /* nothing more now: a background child may hold the pipe */
		exited = waitpid(pid, status, WNOHANG) == pid;
	}
	out[n] = '\0';
	if (!exited && waitpid(pid, status, WNOHANG) != pid) {
		kill(pid, SIGKILL);
		waitpid(pid, status, 0);
	}
}

/* arg: a shell command. /bin/sh -c arg as a child of the lab process (it
 * inherits the filter), in data/, at most TRY_SECONDS; out gets its output
 * and, last, "[exit N]". */
static int ag_try(void *arg, char *out, size_t outlen)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return nslab_fail(out, outlen, "pipe");
	pid_t pid = fork();
	if (pid < 0)
		return nslab_fail(out, outlen, "fork");
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		execl("/bin/sh", "sh", "-c", (const char *)arg, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	int status = 0;
	collect(p[0], pid, out, outlen > 32 ? outlen - 32 : outlen, &status);
	close(p[0]);
	size_t n = strlen(out);
	snprintf(out + n, outlen - n, "[exit %d]\n",
		 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}

/* --- commands --- */

static int load_filter(struct nslab_host *h, const char *word)
{
	const struct family *f = family_of(word);
	if (!f) {
		h->error(h, _("filter: one of chmod, mkdir, chown, unlink (not \"%s\")"), word);
		return -1;
	}
	if (h->call_main(h, ag_filter, word) < 0)
		return -1;
	h->trace(h, "prctl(PR_GET_NO_NEW_PRIVS) = 0: loading needs CAP_SYS_ADMIN then, which root has");
	h->trace(h,
		 "seccomp(SECCOMP_SET_MODE_FILTER, 0, {BPF: default ALLOW; %s%s%s%s%s%s%s -> "
		 "ERRNO(EPERM)}) = 0",
		 f->syscalls[0], f->syscalls[1] ? ", " : "", f->syscalls[1] ? f->syscalls[1] : "",
		 f->syscalls[2] ? ", " : "", f->syscalls[2] ? f->syscalls[2] : "", f->syscalls[3] ? ", " : "",
		 f->syscalls[3] ? f->syscalls[3] : "");
	return 0;
}

static int cmd_filter(struct nslab_host *h, int argc, char **argv)
{
	(void)argc;
	if (load_filter(h, argv[1]) < 0)
		return -1;
	h->print(
	    h,
	    _("the lab process (%d) has one more filter: %s now fails with EPERM in it and its children\n"),
	    (int)h->main_pid(h), argv[1]);
	return 0;
}

static int try_cmd(struct nslab_host *h, const char *cmd, bool show)
{
	static char out[16384];
	if (h->call(h, h->main_pid(h), ag_try, cmd, strlen(cmd) + 1, out, sizeof(out)) < 0) {
		h->error(h, _("try: %s"), strerror(errno));
		return -1;
	}
	if (show)
		h->print(h, "%s", out);
	return 0;
}

static int cmd_try(struct nslab_host *h, int argc, char **argv)
{
	char cmd[4096] = "";
	size_t n = 0;
	for (int i = 1; i < argc && n + 1 < sizeof(cmd); i++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, "%s%s", i > 1 ? " " : "", argv[i]);
	return try_cmd(h, cmd, true);
}

/* --- step 1: a filter --- */

static bool check_filter(struct nslab_host *h)
{
	pid_t pids[MAX_SUBJECTS];
	struct sc s[MAX_SUBJECTS];
	size_t n = subject_sc(h, pids, s, MAX_SUBJECTS);
	for (size_t i = 0; i < n; i++)
		if (s[i].mode == 2)
			return true;
	h->missing(
	    h, _("no process of the lab has \"Seccomp: 2\" (a filter) in /proc/PID/status: filter chmod"));
	return false;
}

static int do_filter(struct nslab_host *h)
{
	return load_filter(h, "chmod");
}

/* Steps 2 to 4 work under step 1's filter in the lab process, which is
 * what `try` runs under: false after saying so when it has none. */
static bool main_filtered(struct nslab_host *h)
{
	struct sc s;
	pid_t main = h->main_pid(h);
	if (read_sc(main, &s) == 0 && s.mode == 2)
		return true;
	h->missing(h,
		   _("the lab process (%d) has no seccomp filter (see Seccomp in /proc/%d/status), so what "
		     "`try` runs is not filtered either: step 1's `filter chmod` first"),
		   (int)main, (int)main);
	return false;
}

/* --- step 2: chmod fails, the rest works --- */

/* chmod(1) prints strerror(EPERM) in the learner's language (the lab
 * process inherits nslab's locale, and so does this strerror): the
 * English text, or the same message translated. */
static bool says_eperm(const char *text)
{
	return strstr(text, "Operation not permitted") || strstr(text, strerror(EPERM));
}

static bool check_eperm(struct nslab_host *h)
{
	char p[PATH_MAX], text[512] = "";
	struct stat st;
	bool ok = true;
	data_path(h, ERR_FILE, p, sizeof(p));
	FILE *f = fopen(p, "re");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	if (f)
		fclose(f);
	text[n] = '\0';
	if (!says_eperm(text)) {
		ok = false;
		if (main_filtered(h))
			h->missing(h, _("data/" ERR_FILE
					" does not say \"Operation not permitted\": try chmod 600 " FILE_NAME
					" 2> " ERR_FILE));
	}
	data_path(h, FILE_NAME, p, sizeof(p));
	if (stat(p, &st) == 0 && (st.st_mode & 07777) != 0644) {
		h->missing(h, _("data/" FILE_NAME " has mode %o, not 644: its mode was changed"),
			   st.st_mode & 07777);
		ok = false;
	}
	data_path(h, NEW_DIR, p, sizeof(p));
	if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
		h->missing(h,
			   _("no directory data/" NEW_DIR ": show that the rest works, try mkdir " NEW_DIR));
		ok = false;
	}
	return ok;
}

static int do_eperm(struct nslab_host *h)
{
	if (try_cmd(h, "chmod 600 " FILE_NAME " 2> " ERR_FILE "; mkdir -p " NEW_DIR, false) < 0)
		return -1;
	h->trace(h, "fchmodat(AT_FDCWD, \"" FILE_NAME "\", 0600) = -1 EPERM (the filter's answer)");
	h->trace(h, "mkdir(\"" NEW_DIR "\", 0777) = 0");
	return 0;
}

/* --- step 3: inherited --- */

static bool check_inherited(struct nslab_host *h)
{
	pid_t pids[MAX_SUBJECTS], main = h->main_pid(h);
	struct sc s[MAX_SUBJECTS];
	size_t n = subject_sc(h, pids, s, MAX_SUBJECTS);
	for (size_t i = 0; i < n; i++)
		if (pids[i] != main && s[i].mode == 2)
			return true;
	if (main_filtered(h))
		h->missing(h, _("no process of the lab besides the lab process has \"Seccomp: 2\": try sleep "
				"3600 >/dev/null 2>&1 &"));
	return false;
}

static int do_inherited(struct nslab_host *h)
{
	if (try_cmd(h, "sleep 3600 >/dev/null 2>&1 &", false) < 0)
		return -1;
	h->trace(h, "clone(SIGCHLD) = CHILD: the child starts with its parent's filters");
	h->trace(h, "execve(\"/bin/sleep\", [\"sleep\", \"3600\"]) in it: the filters stay");
	return 0;
}

/* --- step 4: stacked, never removed --- */

static bool check_stacked(struct nslab_host *h)
{
	pid_t pids[MAX_SUBJECTS];
	struct sc s[MAX_SUBJECTS];
	size_t n = subject_sc(h, pids, s, MAX_SUBJECTS);
	int most = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i].filters >= 2)
			return true;
		if (s[i].filters > most)
			most = s[i].filters;
	}
	h->missing(h,
		   _("no process of the lab has \"Seccomp_filters: 2\" or more (at most %d): each `filter` "
		     "adds one, so step 1's filter chmod and then filter mkdir"),
		   most);
	return false;
}

static int do_stacked(struct nslab_host *h)
{
	return load_filter(h, "mkdir");
}

/* --- the lab --- */

static const char *unsupported(struct nslab_host *h)
{
	if (seccomp_api_get() < 1)
		return _("this kernel has no seccomp filters (CONFIG_SECCOMP_FILTER)");
	return NSLAB_NEED_HOST(h, do_once) ?: NSLAB_NEED_HOST(h, subjects);
}

static int setup(struct nslab_host *h)
{
	char dp[PATH_MAX], fp[PATH_MAX];
	data_path(h, "", dp, sizeof(dp));
	data_path(h, FILE_NAME, fp, sizeof(fp));
	if (mkdir(dp, 0755) < 0 && errno != EEXIST) {
		h->error(h, _("cannot make %s: %s"), dp, strerror(errno));
		return -1;
	}
	int fd = open(fp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || fchmod(fd, 0644) < 0 || close(fd) < 0) {
		h->error(h, _("cannot make %s: %s"), fp, strerror(errno));
		return -1;
	}
	if (nslab_spawn_in(h, dp) < 0)
		return -1;
	h->print(
	    h, _("The lab process works in %s (" FILE_NAME " is there). `try CMD` runs CMD as its child.\n"),
	    dp);
	return 0;
}

static const struct nslab_step steps[] = {
    {
	.title = N_("A filter against chmod"),
	.task = N_("Load a seccomp filter into the lab process: every chmod syscall fails with EPERM, all "
		   "others are allowed:\n"
		   "  try grep Seccomp /proc/self/status\n"
		   "  filter chmod\n"
		   "  host grep Seccomp /proc/$NSLAB_LAB_PID/status\n"
		   "(No standard command line tool loads a filter: runtimes take it from a profile, as in "
		   "docker run --security-opt seccomp=profile.json. `filter` builds one with libseccomp.)"),
	.hint = N_("`try CMD` runs CMD as a child of the lab process, so it runs under the lab process's "
		   "filters; `run` starts a fresh process from nslab and has none."),
	.explain =
	    N_("seccomp_init(SCMP_ACT_ALLOW), seccomp_rule_add(SCMP_ACT_ERRNO(EPERM), fchmodat...) and "
	       "seccomp_load() compile a classic BPF program and install it with "
	       "seccomp(SECCOMP_SET_MODE_FILTER) (seccomp(2)). The kernel runs it on every syscall the "
	       "process makes, looking at the syscall number and arguments only. Installing one needs "
	       "CAP_SYS_ADMIN or no_new_privs (prctl(PR_SET_NO_NEW_PRIVS)), so that a set-user-ID "
	       "program cannot be fooled by a filter. /proc/PID/status now says \"Seccomp: 2\" (0 is "
	       "off, 1 strict mode) and \"Seccomp_filters: 1\"."),
	.check = check_filter,
	.perform = do_filter,
    },
    {
	.title = N_("chmod fails, the rest works"),
	.task = N_("Under step 1's filter (after a `reset`, do step 1 first), chmod fails and everything "
		   "else works:\n"
		   "  try chmod 600 " FILE_NAME " 2> " ERR_FILE "\n"
		   "  try cat " ERR_FILE "\n"
		   "  try mkdir " NEW_DIR "\n"
		   "  try ls -l\n"
		   "  run chmod 644 " FILE_NAME),
	.hint =
	    N_("chmod(1) calls fchmodat(2): the filter answers EPERM before the kernel looks at the file. "
	       "The last line, through `run`, has no filter: chmod works there (to the mode it has)."),
	.explain = N_("The filter's verdict for fchmodat is SECCOMP_RET_ERRNO with EPERM: the syscall is not "
		      "run at all and returns -1 with errno EPERM, which chmod(1) prints as \"Operation not "
		      "permitted\". mkdir is allowed by the default action, so it works. Runtimes block a "
		      "syscall this way (or with ENOSYS, so that programs fall back to an older one) rather "
		      "than killing the process."),
	.check = check_eperm,
	.perform = do_eperm,
    },
    {
	.title = N_("Inherited by children"),
	.task = N_("Leave a child of the lab process, filtered since step 1, running, and look at its "
		   "status:\n"
		   "  try grep Seccomp /proc/self/status\n"
		   "  try sleep 3600 >/dev/null 2>&1 &\n"
		   "  host pgrep -a -f \"sleep 3600\"\n"
		   "  run grep Seccomp /proc/self/status"),
	.hint = N_("A filter is copied to every child at fork and kept across execve: there is no way out of "
		   "it for the process or its descendants. `run` is not a descendant: it shows 0."),
	.explain =
	    N_("fork(2) and clone(2) copy the filter (the child shares the parent's filter tree), and "
	       "execve(2) keeps it (seccomp(2)). That is why a runtime installs the filter last, right "
	       "before it executes the container's first program: everything the container ever starts "
	       "runs under it. The sleeper's /proc/PID/status reads \"Seccomp: 2\"."),
	.check = check_inherited,
	.perform = do_inherited,
    },
    {
	.title = N_("Stacked, never removed"),
	.task = N_("A filter cannot be removed or loosened; another one can only be added on top of step "
		   "1's:\n"
		   "  filter mkdir\n"
		   "  host grep Seccomp /proc/$NSLAB_LAB_PID/status\n"
		   "  try mkdir other\n"
		   "  try chmod 600 " FILE_NAME),
	.hint = N_("Seccomp_filters counts the stack. Each filter runs on every syscall and the strictest "
		   "verdict wins."),
	.explain =
	    N_("Each seccomp(SECCOMP_SET_MODE_FILTER) adds a filter on top of the ones the process has; "
	       "there is no call that removes one, so a contained program cannot undo its "
	       "runtime's. All filters run, and the most restrictive answer counts. Docker's default "
	       "profile allows about 300 syscalls and refuses the rest with EPERM (some only while the "
	       "container lacks the matching capability), among them mount, "
	       "umount2, pivot_root, unshare and setns (new namespaces), reboot, kexec_load, "
	       "init_module and delete_module (the kernel itself), bpf, keyctl (the keyring is not "
	       "namespaced), clock_settime, swapon and open_by_handle_at (the shocker escape). "
	       "\"Seccomp_filters: 2\" in /proc/PID/status."),
	.check = check_stacked,
	.perform = do_stacked,
    },
};

static const struct nslab_command commands[] = {
    {"filter", "filter chmod|mkdir|chown|unlink",
     N_("load a seccomp filter into the lab process: that syscall fails "
	"with EPERM"),
     1, 1, cmd_filter},
    {"try", N_("try CMD..."),
     N_("run a shell command as a child of the lab process (under its filters, 10 s at most)"), 1, -1,
     cmd_try},
};

static const struct nslab_lab lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "seccomp",
    .title = N_("seccomp: a syscall filter"),
    .summary =
	N_("Namespaces hide things and capabilities split root, but every syscall still reaches the "
	   "kernel. A seccomp filter decides, syscall by syscall, what a process may call. You will load "
	   "one with libseccomp that makes chmod fail with EPERM while everything else works, see it "
	   "in /proc/PID/status, inherited by children, and stacked but never removed."),
    .order = 94,
    NSLAB_STEPS(steps),
    .unsupported = unsupported,
    .setup = setup,
    NSLAB_COMMANDS(commands),
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(lab)
