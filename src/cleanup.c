/* cleanup.c: the registry of kernel objects nslab made.
 *
 * Entries are kept in memory (a stack, undone in reverse) and mirrored, one
 * "KIND\tWHAT" line each, to /run/nslab/<pid>/registry, so that a later
 * `nslab --cleanup` can undo what a SIGKILLed run left behind. Processes are
 * recorded with their start time so that a reused PID is never killed. */
#include "cleanup.h"
#include "cgroup.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct entry {
	enum nslab_obj kind;
	char *what;
};

static struct entry *stack;
static size_t depth, cap;
static char run_dir[64];
static char registry_path[96];

static const char *const kind_name[] = {
	[NSLAB_OBJ_PROCESS] = "process", [NSLAB_OBJ_MOUNT] = "mount",  [NSLAB_OBJ_DIR] = "dir",
	[NSLAB_OBJ_CGROUP] = "cgroup",   [NSLAB_OBJ_LINK] = "link",    [NSLAB_OBJ_NETNS] = "netns",
	[NSLAB_OBJ_FILE] = "file",
};

static const char *kind_str(enum nslab_obj k)
{
	if ((size_t)k < sizeof(kind_name) / sizeof(kind_name[0]) && kind_name[k])
		return kind_name[k];
	return "?";
}

static int kind_parse(const char *s)
{
	for (size_t k = 1; k < sizeof(kind_name) / sizeof(kind_name[0]); k++)
		if (kind_name[k] && strcmp(kind_name[k], s) == 0)
			return (int)k;
	return -1;
}

const char *cleanup_run_dir(void) { return run_dir[0] ? run_dir : NULL; }

static unsigned long long proc_start_time(pid_t pid);

/* The run dir records its owner's start time: a PID reused by another
 * process, whatever its name, does not make a dead run look alive. */
static void write_owner(void)
{
	char path[128], text[64];
	snprintf(path, sizeof(path), "%s/owner", run_dir);
	snprintf(text, sizeof(text), "%d %llu\n", (int)getpid(), proc_start_time(getpid()));
	FILE *f = fopen(path, "we");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

int cleanup_init(void)
{
	snprintf(run_dir, sizeof(run_dir), NSLAB_RUN_BASE "/%d", (int)getpid());
	if (mkdir_p(run_dir, 0755) < 0) {
		/* Without root /run is not ours: fall back to /tmp. */
		snprintf(run_dir, sizeof(run_dir), NSLAB_TMP_BASE "%d", (int)getpid());
		if (mkdir(run_dir, 0700) < 0) {
			run_dir[0] = '\0';
			return -1;
		}
	}
	snprintf(registry_path, sizeof(registry_path), "%s/registry", run_dir);
	write_owner();
	int fd = open(registry_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Rewrites the mirror from the in-memory stack (small: tens of lines). */
static void registry_sync(void)
{
	if (!registry_path[0])
		return;
	char tmp[128];
	snprintf(tmp, sizeof(tmp), "%s.new", registry_path);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return;
	for (size_t i = 0; i < depth; i++)
		fprintf(f, "%s\t%s\n", kind_str(stack[i].kind), stack[i].what);
	if (fclose(f) == 0)
		rename(tmp, registry_path);
}

/* /proc/PID/stat field 22: start time in clock ticks since boot. */
static unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	unsigned long long start = 0;
	/* after ") " come fields 3..; start time is field 22 */
	int field = 2;
	for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " "))
		if (++field == 22) {
			start = strtoull(tok, NULL, 10);
			break;
		}
	return start;
}

int cleanup_keep(enum nslab_obj kind, const char *what)
{
	if (depth == cap) {
		size_t ncap = cap ? cap * 2 : 32;
		struct entry *n = realloc(stack, ncap * sizeof(*n));
		if (!n)
			return -1;
		stack = n;
		cap = ncap;
	}
	char *w;
	if (kind == NSLAB_OBJ_PROCESS) {
		/* "-PGID" registers a whole process group (what `run` starts) */
		int pid = atoi(what);
		if (asprintf(&w, "%d:%llu", pid, proc_start_time(pid < 0 ? -pid : pid)) < 0)
			return -1;
	} else if (!(w = strdup(what))) {
		return -1;
	}
	stack[depth++] = (struct entry){kind, w};
	registry_sync();
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int kill_process(const char *what)
{
	unsigned long long start = 0;
	int pid = 0;
	if (sscanf(what, "%d:%llu", &pid, &start) < 1 || pid == 0 || pid == 1 || pid == -1)
		return -1;
	if (pid < 0) {
		/* A group outlives its leader: kill it unless the leader's PID was
		 * reused by an unrelated process (a different start time). */
		unsigned long long now = proc_start_time(-pid);
		if (start && now && now != start)
			return 1;
		if (kill(pid, SIGKILL) < 0)
			return errno == ESRCH ? 1 : -1;
		return 0;
	}
	if (start && proc_start_time(pid) != start)
		return 1; /* gone, or the PID now belongs to someone else */
	if (kill(pid, SIGKILL) < 0)
		return errno == ESRCH ? 1 : -1;
	/* Reap it at once if it is our child (SIGKILL cannot be blocked);
	 * otherwise poll until it is gone. */
	if (waitpid(pid, NULL, 0) == pid)
		return 0;
	for (int i = 0; i < 200; i++) {
		pid_t r = waitpid(pid, NULL, WNOHANG);
		if (r == pid || (r < 0 && kill(pid, 0) < 0))
			return 0;
		sleep_ms(5);
	}
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	/* Best effort: remove_tree() checks the result afterwards. */
	if (flag == FTW_DP || flag == FTW_D)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Only ever removes trees under nslab's own run directories. */
static int remove_tree(const char *path)
{
	if (strncmp(path, NSLAB_RUN_BASE "/", strlen(NSLAB_RUN_BASE) + 1) != 0 &&
	    strncmp(path, NSLAB_TMP_BASE, strlen(NSLAB_TMP_BASE)) != 0)
		return -1;
	/* A replayed registry is input: "/run/nslab/../etc" must not pass. */
	size_t len = strlen(path);
	if (strstr(path, "/../") || (len >= 3 && strcmp(path + len - 3, "/..") == 0))
		return -1;
	if (access(path, F_OK) < 0)
		return 0;
	/* A mount left inside (e.g. a lab root) must not be descended into. */
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	return access(path, F_OK) == 0 ? -1 : 0;
}

static int delete_link(const char *name)
{
	const char *argv[] = {"ip", "link", "delete", name, NULL};
	int st = run_quiet(argv);
	return st == 0 ? 0 : -1;
}

int cleanup_undo_object(enum nslab_obj kind, const char *what)
{
	switch (kind) {
	case NSLAB_OBJ_PROCESS:
		return kill_process(what);
	case NSLAB_OBJ_MOUNT:
		return umount2(what, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT ? -1 : 0;
	case NSLAB_OBJ_DIR:
		return remove_tree(what);
	case NSLAB_OBJ_CGROUP:
		return cgroup_remove_dir(what);
	case NSLAB_OBJ_LINK:
		return delete_link(what);
	case NSLAB_OBJ_NETNS:
		umount2(what, MNT_DETACH);
		return unlink(what) < 0 && errno != ENOENT ? -1 : 0;
	case NSLAB_OBJ_FILE:
		return unlink(what) < 0 && errno != ENOENT ? -1 : 0;
	}
	return -1;
}

static void pop_one(void)
{
	struct entry *e = &stack[--depth];
	if (cleanup_undo_object(e->kind, e->what) < 0)
		fprintf(stderr, "nslab: could not remove %s %s: %s\n", kind_str(e->kind), e->what,
			strerror(errno));
	free(e->what);
}

int cleanup_undo(enum nslab_obj kind, const char *what)
{
	for (size_t i = depth; i-- > 0;) {
		struct entry *e = &stack[i];
		bool same = e->kind == kind &&
			    (kind == NSLAB_OBJ_PROCESS ? atoi(e->what) == atoi(what) : strcmp(e->what, what) == 0);
		if (!same)
			continue;
		int rc = cleanup_undo_object(e->kind, e->what) < 0 ? -1 : 0;
		free(e->what);
		memmove(e, e + 1, (depth - i - 1) * sizeof(*e));
		depth--;
		registry_sync();
		return rc;
	}
	return cleanup_undo_object(kind, what) < 0 ? -1 : 0;
}

size_t cleanup_mark(void) { return depth; }

void cleanup_unwind_to(size_t mark)
{
	while (depth > mark)
		pop_one();
	registry_sync();
}

void cleanup_all(void)
{
	cleanup_unwind_to(0);
	if (run_dir[0]) {
		remove_tree(run_dir);
		rmdir(NSLAB_RUN_BASE); /* only if empty */
		run_dir[0] = registry_path[0] = '\0';
	}
}

/* A run is alive while its process exists with the start time it wrote,
 * or, for a run dir without an owner file, is a live process named nslab. */
static bool run_is_alive(int pid, const char *dir)
{
	if (pid == getpid())
		return true;
	char owner[320], text[64];
	snprintf(owner, sizeof(owner), "%s/owner", dir);
	unsigned long long start;
	int opid;
	if (read_file(owner, text, sizeof(text)) > 0 && sscanf(text, "%d %llu", &opid, &start) == 2)
		return opid == pid && proc_start_time(pid) == start;
	char path[64], stat[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_file(path, stat, sizeof(stat)) < 0)
		return false;
	char *open = strchr(stat, '('), *close = strrchr(stat, ')');
	if (!open || !close || close[1] != ' ' || close[2] == 'Z' || close[2] == 'X')
		return false;
	return strncmp(open + 1, "nslab", 5) == 0;
}

/* Replays one dead run's registry in reverse order. */
static int replay(const char *dir, void (*say)(const char *what))
{
	char path[512], line[1024];
	snprintf(path, sizeof(path), "%s/registry", dir);
	FILE *f = fopen(path, "re");
	char **lines = NULL;
	size_t n = 0;
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char **nl = realloc(lines, (n + 1) * sizeof(*nl));
		if (!nl)
			break;
		lines = nl;
		lines[n++] = strdup(line);
	}
	if (f)
		fclose(f);
	int removed = 0;
	for (size_t i = n; i-- > 0;) {
		char *tab = lines[i] ? strchr(lines[i], '\t') : NULL;
		if (tab) {
			*tab = '\0';
			int kind = kind_parse(lines[i]);
			/* 1 means it was gone already: nothing to report */
			if (kind > 0 && cleanup_undo_object((enum nslab_obj)kind, tab + 1) == 0) {
				char msg[1100];
				snprintf(msg, sizeof(msg), "%s %s", lines[i], tab + 1);
				if (say)
					say(msg);
				removed++;
			}
		}
		free(lines[i]);
	}
	free(lines);
	return removed;
}

/* Run directories are /run/nslab/<pid> or, without root, /tmp/nslab-<pid>. */
static bool failed; /* a dead run's directory could not be removed */

static int for_each_dead_run_in(const char *base, const char *prefix, void (*say)(const char *what), bool act)
{
	DIR *d = opendir(base);
	if (!d)
		return 0;
	int found = 0;
	struct dirent *de;
	size_t plen = strlen(prefix);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, plen) != 0)
			continue;
		char *end;
		long pid = strtol(de->d_name + plen, &end, 10);
		char dir[300];
		snprintf(dir, sizeof(dir), "%s/%s", base, de->d_name);
		if (pid <= 0 || *end || run_is_alive((int)pid, dir))
			continue;
		found++;
		if (!act)
			continue;
		replay(dir, say);
		if (remove_tree(dir) < 0) {
			fprintf(stderr, "nslab: cannot remove %s: %s\n", dir, strerror(errno));
			failed = true;
			continue;
		}
		if (say) {
			char msg[320];
			snprintf(msg, sizeof(msg), "work dir %s", dir);
			say(msg);
		}
	}
	closedir(d);
	return found;
}

static int for_each_dead_run(void (*say)(const char *what), bool act)
{
	return for_each_dead_run_in(NSLAB_RUN_BASE, "", say, act) + for_each_dead_run_in("/tmp", "nslab-", say, act);
}

bool cleanup_dead_runs_exist(void) { return for_each_dead_run(NULL, false) > 0; }

int cleanup_dead_runs(void (*say)(const char *what))
{
	failed = false;
	int n = for_each_dead_run(say, true);
	n += cgroup_remove_orphans(say) > 0;
	rmdir(NSLAB_RUN_BASE);
	if (failed) {
		errno = EACCES;
		return -1;
	}
	return n;
}
