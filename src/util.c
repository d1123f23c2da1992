/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.c: file and process helpers used across the core. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/wait.h>

ssize_t read_file(const char *path, char *buf, size_t len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || len == 0)
		return -1;
	size_t got = 0;
	while (got < len - 1) {
		ssize_t n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return (ssize_t)got;
}

int write_file(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = strlen(text);
	return write(fd, text, len) == (ssize_t)len ? 0 : -1;
}

int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

int mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	if (strlen(path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, mode) < 0 && errno != EEXIST ? -1 : 0;
}

int run_quiet(const char *const argv[])
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int parse_long_range(const char *s, long long min, long long max, long long *out)
{
	const char *digits = s + (*s == '-' || *s == '+');
	if (!isdigit((unsigned char)*digits))
		return EINVAL; /* also rules out strtoll's leading blanks */
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*end)
		return EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return ERANGE;
	*out = v;
	return 0;
}

int parse_pid_name(const char *name)
{
	long long v;
	if (name[0] < '1' || name[0] > '9' || parse_long_range(name, 1, INT_MAX, &v) != 0)
		return -1;
	return (int)v;
}

long long pid_max(void)
{
	char buf[32];
	long long v;
	if (read_file("/proc/sys/kernel/pid_max", buf, sizeof(buf)) > 0) {
		buf[strcspn(buf, "\n")] = '\0';
		if (parse_long_range(buf, 2, 1LL << 32, &v) == 0)
			return v - 1;
	}
	return (1 << 22) - 1; /* PID_MAX_LIMIT on 64-bit */
}

size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return 64;
	size_t row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t sub = prev + (a[i - 1] != b[j - 1]);
			size_t best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
			row[j] = sub < best ? sub : best;
			prev = cur;
		}
	}
	return row[lb];
}

bool have_cap(int cap)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;
	if (caps) {
		cap_get_flag(caps, (cap_value_t)cap, CAP_EFFECTIVE, &v);
		cap_free(caps);
	}
	return v == CAP_SET;
}

int read_answer(void)
{
	char c;
	int first = 0;
	ssize_t n;
	while ((n = read(STDIN_FILENO, &c, 1)) == 1 || (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		if (c == '\n')
			return first;
		if (!first && c != ' ' && c != '\t')
			first = (unsigned char)c;
	}
	return first ? first : -1;
}
