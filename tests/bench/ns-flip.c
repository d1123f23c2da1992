/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ns-flip.c: a process for tests/bench/pane-latency.sh to watch. On each
 * SIGUSR1 it calls unshare(CLONE_NEWUTS) (a new UTS namespace, so a new inode
 * in /proc/PID/ns/uts), then appends "<CLOCK_REALTIME in us> <new inode>" to
 * the file named by argv[1] and prints the same line to its terminal (the
 * probe's own floor: how soon tmux shows a write made at that moment).
 * SIGTERM ends it. Needs CAP_SYS_ADMIN. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: ns-flip TIMES-FILE\n");
		return 2;
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	for (;;) {
		int sig = sigwaitinfo(&set, NULL);
		if (sig == SIGTERM)
			return 0;
		if (sig != SIGUSR1)
			continue;
		if (unshare(CLONE_NEWUTS) < 0) {
			perror("unshare");
			return 1;
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		struct stat st;
		if (stat("/proc/self/ns/uts", &st) < 0)
			st.st_ino = 0;
		char line[64];
		int n =
		    snprintf(line, sizeof(line), "%lld %lu\n",
			     (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000, (unsigned long)st.st_ino);
		if (write(fd, line, (size_t)n) != n || write(STDOUT_FILENO, line, (size_t)n) != n)
			return 1;
	}
}
