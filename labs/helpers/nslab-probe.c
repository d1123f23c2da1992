/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nslab-probe: safe probes of known container escapes and abuses, for the
 * container lab's `scorecard`.
 *
 * Each probe asks the kernel for one thing a container must not be able to
 * do to its host, in a way that does no harm when the kernel says yes: it
 * opens /proc/sysrq-trigger without writing to it, sets the hostname to the
 * name it already has, makes a device node and removes it, mounts a tmpfs in
 * a mount namespace of its own and unmounts it, hands init_module(2) an
 * empty image, forks at most FORK_MAX children that end by themselves, and
 * touches at most HOG_MIB MiB in a child. Every probe runs in a child of its
 * own with an alarm, so none can hang or change this process.
 *
 * Usage: nslab-probe [--host root=DEV:INO,pid=INO,net=INO,uts=INO] [PROBE...]
 * The --host inodes (from nslab, outside the container) tell the probes what
 * "the host" is. Prints one line a probe:
 *   NAME held|escaped|absent ERRNO_NAME|- what happened
 * (absent: this kernel lacks the feature, e.g. no /proc/sysrq-trigger or no
 * module support: nothing to hold).
 * and exits 0 (1 on a usage error). Built static, so it runs in any root. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sched.h>
#include <unistd.h>

#define FORK_MAX 256  /* more than a small pids.max, harmless on any host */
#define HOG_MIB 256   /* more than a small memory.max, harmless on any host */
#define PROBE_SECS 10 /* each probe's alarm */
#define MAX_UP 256

static struct {
	unsigned long long root_dev, root_ino, pid, net, uts;
} host;

/* A probe's verdict, written by the child to a pipe as its one line. */
static int report_fd = -1;

static void verdict(bool held, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void verdict(bool held, int err, const char *fmt, ...)
{
	const char *word = held ? "held" : "escaped";
	if (err == ENOENT || err == ENOSYS)
		word = "absent";
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	dprintf(report_fd, "%s %s %s", word, err ? strerrorname_np(err) : "-", what);
}

static unsigned long long ns_inode(const char *type)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
	return stat(path, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

/* A scratch directory the probe may use: in /tmp if the root has one. */
static bool scratch(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/.nslab-probe.XXXXXX");
	if (mkdtemp(dir))
		return true;
	snprintf(dir, len, "/.nslab-probe.XXXXXX");
	return mkdtemp(dir) != NULL;
}

/* --- the probes (each runs in a child) --- */

static void probe_chroot(const char *dir)
{
	if (chroot(dir) < 0) {
		verdict(true, errno, "chroot(2) refused");
		return;
	}
	for (int i = 0; i < MAX_UP; i++)
		if (chdir("..") < 0)
			break;
	if (chroot(".") < 0) {
		verdict(true, errno, "the second chroot(\".\") was refused");
		return;
	}
	struct stat st;
	if (stat("/", &st) < 0) {
		verdict(true, errno, "stat(\"/\") after the climb");
		return;
	}
	if (st.st_dev == host.root_dev && st.st_ino == host.root_ino)
		verdict(false, 0, "the climb reached the host's / (%llu:%llu)", host.root_dev, host.root_ino);
	else
		verdict(true, 0, "the climb stopped at the top of the container's own mount namespace");
}

static void probe_ns(const char *type, const char *what)
{
	unsigned long long want = strcmp(type, "pid") == 0 ? host.pid : host.net;
	unsigned long long mine = ns_inode(type);
	if (!mine)
		verdict(true, errno, "cannot read /proc/self/ns/%s", type);
	else if (mine == want)
		verdict(false, 0, "%s: the host's %s namespace (inode %llu)", what, type, mine);
	else
		verdict(true, 0, "%s namespace %llu, not the host's %llu", type, mine, want);
}

static void probe_hostname(void)
{
	char name[256] = "";
	gethostname(name, sizeof(name) - 1);
	/* a UTS namespace of its own holds whatever sethostname would say */
	if (ns_inode("uts") != host.uts) {
		verdict(true, 0, "a UTS namespace of its own: any name set is the container's");
		return;
	}
	/* the name it already has: nothing changes even when this succeeds */
	if (sethostname(name, strlen(name)) < 0)
		verdict(true, errno, "sethostname(2) refused");
	else
		verdict(false, 0, "sethostname(2) works on the host's UTS namespace");
}

static void probe_sysrq(void)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		verdict(true, errno, "open(\"/proc/sysrq-trigger\", O_WRONLY) refused");
		return;
	}
	close(fd); /* never written to */
	verdict(false, 0, "/proc/sysrq-trigger opened for writing (one byte could reboot the host)");
}

static void probe_mknod(const char *dir)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/blk", dir);
	if (mknod(path, S_IFBLK | 0600, makedev(7, 0)) < 0) {
		verdict(true, errno, "mknod(2) of a block device refused");
		return;
	}
	unlink(path);
	verdict(false, 0, "made a block device node (7:0, a loop device) and removed it");
}

/* In a mount namespace of its own when it can make one (so that nothing is
 * ever mounted where anyone else sees it); when it cannot, mount(2) would
 * be refused for the same reason. */
static void probe_mount(const char *dir)
{
	if (unshare(CLONE_NEWNS) < 0) {
		verdict(true, errno, "unshare(CLONE_NEWNS) refused, and so mount(2)");
		return;
	}
	mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	if (mount("nslab-probe", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=16k") < 0) {
		verdict(true, errno, "mount(2) of a tmpfs refused");
		return;
	}
	umount2(dir, MNT_DETACH);
	verdict(false, 0, "mounted a tmpfs (and unmounted it)");
}

static void probe_module(void)
{
	static const char empty[16];
	if (syscall(SYS_init_module, empty, sizeof(empty), "") == 0) {
		verdict(false, 0, "init_module(2) took an empty image (!)");
		return;
	}
	if (errno == EPERM)
		verdict(true, errno, "init_module(2) refused");
	else
		verdict(false, errno,
			"init_module(2) read the image: only its being empty kept a module out");
}

static void probe_forkbomb(void)
{
	pid_t kids[FORK_MAX];
	int n = 0, err = 0;
	for (; n < FORK_MAX; n++) {
		kids[n] = fork();
		if (kids[n] == 0) {
			alarm(PROBE_SECS); /* ends by itself, whatever happens to its parent */
			pause();
			_exit(0);
		}
		if (kids[n] < 0) {
			err = errno;
			break;
		}
	}
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	if (n < FORK_MAX)
		verdict(true, err, "fork(2) failed after %d children", n);
	else
		verdict(false, 0, "forked all %d children (a real fork bomb would not stop)", FORK_MAX);
}

static void probe_memory(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (int mib = 0; mib < HOG_MIB; mib += 8) {
			char *p =
			    mmap(NULL, 8u << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				_exit(2);
			memset(p, 0x5a, 8u << 20);
		}
		_exit(0);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) < 0) {
		verdict(true, errno, "could not start the hog");
		return;
	}
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		verdict(true, 0, "the hog was killed before %d MiB (the OOM killer)", HOG_MIB);
	else if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
		verdict(true, ENOMEM, "mmap(2) failed before %d MiB", HOG_MIB);
	else
		verdict(false, 0, "the hog touched all %d MiB", HOG_MIB);
}

/* --- running them --- */

static const char *const probes[] = {"chroot", "pids",   "network",  "sysrq",    "mknod",
				     "mount",  "module", "hostname", "forkbomb", "memory"};
#define NPROBES (sizeof(probes) / sizeof(probes[0]))

static void run_in_child(const char *name, const char *dir)
{
	if (strcmp(name, "chroot") == 0)
		probe_chroot(dir);
	else if (strcmp(name, "pids") == 0)
		probe_ns("pid", "sees the host's processes");
	else if (strcmp(name, "network") == 0)
		probe_ns("net", "reaches the host's network");
	else if (strcmp(name, "sysrq") == 0)
		probe_sysrq();
	else if (strcmp(name, "mknod") == 0)
		probe_mknod(dir);
	else if (strcmp(name, "mount") == 0)
		probe_mount(dir);
	else if (strcmp(name, "module") == 0)
		probe_module();
	else if (strcmp(name, "hostname") == 0)
		probe_hostname();
	else if (strcmp(name, "forkbomb") == 0)
		probe_forkbomb();
	else
		probe_memory();
}

static void probe(const char *name)
{
	char dir[64];
	bool have_dir = scratch(dir, sizeof(dir));
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		printf("%s held %s cannot make a pipe\n", name, strerrorname_np(errno));
		return;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		report_fd = fds[1];
		alarm(PROBE_SECS * 2);
		run_in_child(name, have_dir ? dir : "/");
		_exit(0);
	}
	close(fds[1]);
	char line[512] = "";
	ssize_t n = pid < 0 ? -1 : read(fds[0], line, sizeof(line) - 1);
	close(fds[0]);
	int st = 0;
	if (pid > 0)
		waitpid(pid, &st, 0);
	if (have_dir)
		rmdir(dir);
	if (n > 0)
		printf("%s %.*s\n", name, (int)n, line);
	else if (pid > 0 && WIFSIGNALED(st))
		printf("%s held - the probe was killed by signal %d before it could answer\n", name,
		       WTERMSIG(st));
	else
		printf("%s held - the probe could not run\n", name);
}

static bool parse_host(const char *arg)
{
	return sscanf(arg, "root=%llu:%llu,pid=%llu,net=%llu,uts=%llu", &host.root_dev, &host.root_ino,
		      &host.pid, &host.net, &host.uts) == 5;
}

int main(int argc, char **argv)
{
	int i = 1;
	if (i + 1 < argc && strcmp(argv[i], "--host") == 0) {
		if (!parse_host(argv[i + 1])) {
			fprintf(stderr, "nslab-probe: --host wants root=DEV:INO,pid=INO,net=INO,uts=INO\n");
			return 1;
		}
		i += 2;
	} else {
		/* no reference given: this process's own view is "the host" */
		struct stat st;
		if (stat("/", &st) == 0) {
			host.root_dev = st.st_dev;
			host.root_ino = st.st_ino;
		}
		host.pid = ns_inode("pid");
		host.net = ns_inode("net");
		host.uts = ns_inode("uts");
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (i == argc) {
		for (size_t p = 0; p < NPROBES; p++)
			probe(probes[p]);
		return 0;
	}
	for (; i < argc; i++) {
		bool known = false;
		for (size_t p = 0; p < NPROBES; p++)
			known |= strcmp(argv[i], probes[p]) == 0;
		if (!known) {
			fprintf(stderr, "nslab-probe: no probe '%s'\n", argv[i]);
			return 1;
		}
		probe(argv[i]);
	}
	return 0;
}
