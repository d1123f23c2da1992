/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trace.c: `trace CMD`. strace(1) runs on the host (the lab's root may have
 * no strace) and follows nsenter(1) into the lab: nsenter -t PID -a -r -w
 * enters the lab process's namespaces, root and cwd, then runs /bin/sh -c
 * CMD. The trace is cut where that shell starts, so what is shown is the
 * learner's command's own calls, not the way in. */
#include "trace.h"
#include "i18n.h"
#include "cleanup.h"
#include "host.h"
#include "host-guard.h"
#include "output.h"
#include "session.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The calls that make containers. write is filtered by its file (-y names
 * it); execve marks where the learner's shell starts and names programs.
 * '?': a call an older strace does not know (clone3 came in 5.3,
 * mount_setattr in 5.12) is left out rather than refused. */
#define TRACE_CALLS                                                                                          \
	"clone,?clone3,unshare,setns,mount,umount2,pivot_root,chroot,sethostname,setdomainname,capset,"      \
	"prctl,seccomp,?fsopen,?fsconfig,?fsmount,?move_mount,?open_tree,?mount_setattr,write,execve"

static const char *const written_files[] = {
    "/uid_map",    "/gid_map",  "/setgroups", "/cgroup.procs", "/cpu.max", "/cpu.cfs_quota_us",
    "/memory.max", "/pids.max", NULL,
};

#define MAX_LINES 200

static struct {
	char *cmd, *lab;
	unsigned step;
	char *line[MAX_LINES];
	size_t n;
} last;

/* --- the filter --- */

struct pidname {
	int pid;
	char comm[32];
	bool newpid;       /* unshared a PID or time namespace: its next fork is the container's init */
	char pending[512]; /* a call strace split: "unshare(CLONE_NEWNS" <unfinished ...> */
};

static struct pidname *who(struct pidname *t, size_t *n, size_t cap, int pid)
{
	for (size_t i = 0; i < *n; i++)
		if (t[i].pid == pid)
			return &t[i];
	if (*n == cap)
		return NULL;
	t[*n] = (struct pidname){.pid = pid};
	return &t[(*n)++];
}

static bool written_file_of_interest(const char *call)
{
	/* write(1</sys/fs/cgroup/x/cgroup.procs>, ...: the fd's path is in <> */
	const char *lt = strchr(call, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (!gt)
		return false;
	for (size_t i = 0; written_files[i]; i++) {
		size_t n = strlen(written_files[i]);
		if ((size_t)(gt - lt - 1) >= n && strncmp(gt - n, written_files[i], n) == 0)
			return true;
	}
	return false;
}

/* "unshare(CLONE_NEWUTS)             = 0": strace pads to a column. */
static char *squeeze(const char *call)
{
	char *s = strdup(call);
	if (!s)
		return NULL;
	char *eq = strstr(s, ")  ");
	if (eq) {
		char *p = eq + 1;
		while (*p == ' ')
			p++;
		memmove(eq + 2, p, strlen(p) + 1);
	}
	return s;
}

static bool keep_call(const char *call, struct pidname *p)
{
	if (strncmp(call, "write(", 6) == 0)
		return written_file_of_interest(call);
	if (strncmp(call, "clone(", 6) == 0 || strncmp(call, "clone3(", 7) == 0) {
		bool keep = strstr(call, "CLONE_NEW") || (p && p->newpid);
		if (p)
			p->newpid = false;
		return keep;
	}
	if (strncmp(call, "unshare(", 8) == 0 && p &&
	    (strstr(call, "CLONE_NEWPID") || strstr(call, "CLONE_NEWTIME")))
		p->newpid = true;
	return true;
}

/* execve("/usr/bin/unshare", ...) = 0: the program's name, for the lines after. */
static void note_exec(const char *call, struct pidname *p)
{
	const char *q = strchr(call, '"'), *e = q ? strchr(q + 1, '"') : NULL;
	if (!p || !e || !strstr(call, ") = 0"))
		return;
	const char *base = q + 1;
	for (const char *s = q + 1; s < e; s++)
		if (*s == '/')
			base = s + 1;
	snprintf(p->comm, sizeof(p->comm), "%.*s", (int)(e - base), base);
}

size_t trace_filter(const char *text, char **out, size_t max)
{
	struct pidname pids[256];
	size_t npids = 0, n = 0;
	int execs = 0;
	char *copy = strdup(text ? text : "");
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line && copy; line = strtok_r(NULL, "\n", &save)) {
		char *call;
		long pid = strtol(line, &call, 10);
		while (*call == ' ')
			call++;
		struct pidname *p = who(pids, &npids, sizeof(pids) / sizeof(pids[0]), (int)pid);
		/* another process's call came in between: strace split this one */
		char *u = strstr(call, " <unfinished ...>"), joined[1024];
		if (u) {
			if (p)
				snprintf(p->pending, sizeof(p->pending), "%.*s", (int)(u - call), call);
			continue;
		}
		if (strncmp(call, "<... ", 5) == 0) {
			char *r = strstr(call, " resumed>");
			if (!r || !p || !p->pending[0])
				continue;
			snprintf(joined, sizeof(joined), "%s%s", p->pending, r + strlen(" resumed>"));
			p->pending[0] = '\0';
			call = joined;
		}
		if (strncmp(call, "execve(", 7) == 0) {
			if (strstr(call, ") = 0"))
				execs++;
			note_exec(call, p);
			continue;
		}
		/* nsenter's own exec, then the learner's shell: what comes before is the way in */
		if (execs < 2 || !keep_call(call, p))
			continue;
		char *s = squeeze(call);
		char *shown = NULL;
		if (s && asprintf(&shown, "%s    [%s]", s, p && p->comm[0] ? p->comm : "?") < 0)
			shown = NULL;
		free(s);
		if (shown && n < max)
			out[n++] = shown;
		else
			free(shown);
	}
	free(copy);
	return n;
}

/* --- running it --- */

static bool find_strace(char *path, size_t len)
{
	const char *env = getenv("PATH");
	char dirs[4096];
	/* as a shell would look it up (sudo's secure_path has /usr/bin) */
	snprintf(dirs, sizeof(dirs), "%s", env ? env : "/usr/bin:/bin");
	char *save = NULL;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		if (d[0] != '/')
			continue;
		snprintf(path, len, "%s/strace", d);
		if (access(path, X_OK) == 0)
			return true;
	}
	return false;
}

/* 'it'\''s': one word for sh. */
static char *sh_quote(const char *s)
{
	size_t n = 3;
	for (const char *p = s; *p; p++)
		n += *p == '\'' ? 4 : 1;
	char *q = malloc(n), *o = q;
	if (!q)
		return NULL;
	*o++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return q;
}

static void forget_last(void)
{
	for (size_t i = 0; i < last.n; i++)
		free(last.line[i]);
	free(last.cmd);
	free(last.lab);
	last.n = 0;
	last.cmd = last.lab = NULL;
}

static void keep_last(const char *cmd, char **lines, size_t n)
{
	forget_last();
	const struct session_view *v = session_view();
	last.cmd = strdup(cmd);
	last.lab = v->lab ? strdup(v->lab->id) : NULL;
	last.step = v->step;
	memcpy(last.line, lines, n * sizeof(lines[0]));
	last.n = n;
}

static void print_lines(char *const *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out_kprintf(OUT_TRACE, "  %s\n", lines[i]);
}

int trace_run(const char *cmd)
{
	char strace[PATH_MAX];
	if (!find_strace(strace, sizeof(strace))) {
		out_error(_("trace needs strace(1), which is not installed: apt-get install strace"));
		return -2;
	}
	const char *dir = cleanup_run_dir();
	if (!dir || cleanup_make_run_dir() < 0) {
		if (!dir)
			errno = ENOENT;
		return -1;
	}
	char outfile[PATH_MAX];
	snprintf(outfile, sizeof(outfile), "%s/trace.out", dir);
	unlink(outfile);
	_cleanup_free_ char *qcmd = sh_quote(cmd), *qout = sh_quote(outfile), *qstrace = sh_quote(strace);
	_cleanup_free_ char *line = NULL;
	if (!qcmd || !qout || !qstrace ||
	    asprintf(&line,
		     "exec %s -f -qq -y -s 128 -e signal=none -e 'trace=" TRACE_CALLS
		     "' -o %s -- nsenter -t %d -a -r -w /bin/sh -c %s",
		     qstrace, qout, (int)host_main_pid(), qcmd) < 0) {
		line = NULL;
		errno = ENOMEM;
		return -1;
	}
	char *word = NULL;
	if (asprintf(&word, "trace %s", cmd) < 0)
		word = NULL;
	host_guard_before();
	int st = host_run_on_host(line, NULL);
	host_guard_after(word ? word : "trace", true);
	free(word);
	char *text = malloc(1 << 20);
	ssize_t len = text ? read_file(outfile, text, 1 << 20) : -1;
	unlink(outfile);
	char *lines[MAX_LINES];
	size_t n = len >= 0 ? trace_filter(text, lines, MAX_LINES) : 0;
	free(text);
	if (len < 0)
		out_kprintf(OUT_NOTE, _("(strace wrote no trace: it could not start the command)\n"));
	else if (!n)
		out_kprintf(OUT_NOTE, _("(no container-making syscalls: `%s` made none)\n"), cmd);
	else
		out_printf(_("syscalls `%s` made (strace -f):\n"), cmd);
	print_lines(lines, n);
	keep_last(cmd, lines, n);
	return st;
}

void trace_print_last(const char *lab_id)
{
	if (!last.cmd || !last.lab || !lab_id || strcmp(lab_id, last.lab) != 0)
		return;
	out_printf(_("your last `trace %s` (at step %u) made:\n"), last.cmd, last.step);
	if (!last.n)
		out_printf(_("  (no container-making syscalls)\n"));
	print_lines(last.line, last.n);
}
