/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.h: small helpers shared by the core modules. */
#ifndef NSLAB_UTIL_H
#define NSLAB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

/* Reads a whole (small) file into buf, NUL-terminated. Returns length or -1. */
ssize_t read_file(const char *path, char *buf, size_t len);
/* Writes text to an existing file (a /proc or /sys knob). 0 ok, -1 errno. */
int write_file(const char *path, const char *text);
/* Writes all len bytes to fd (again after EINTR and short writes). 0 ok, -1 errno. */
int write_all(int fd, const char *data, size_t len);
int mkdir_p(const char *path, mode_t mode);
/* Runs argv with stdio on /dev/null; returns the exit status or -1. */
int run_quiet(const char *const argv[]);
/* Is this capability in our effective set? (libcap) */
bool have_cap(int cap);

/* Parses S, a whole decimal integer (an optional sign, then digits and
 * nothing else), into *out if it lies in min..max. Returns 0, EINVAL (not a
 * number: empty, letters, spaces, trailing text) or ERANGE (a number outside
 * min..max, however many digits it has); *out is set only on 0. */
int parse_long_range(const char *s, long long min, long long max, long long *out);
/* The highest PID this kernel hands out: /proc/sys/kernel/pid_max - 1
 * (4194303, the 64-bit limit, if that file cannot be read). */
long long pid_max(void);
/* A directory entry named like a PID (/proc/1234, a cgroup's nslab/1234):
 * its value, or -1 for any other name ("0", "01", "12a", "self", > INT_MAX). */
int parse_pid_name(const char *name);

/* Reads one answer line from fd 0 a byte at a time up to the newline: stdio
 * would buffer what is typed ahead (the first command), which readline,
 * reading fd 0 later, would never see. Returns its first non-blank character,
 * 0 for an empty line, -1 at end of input with nothing typed. */
int read_answer(void);

/* Levenshtein distance, for "did you mean". */
size_t edit_distance(const char *a, const char *b);

static inline void freep(void *p)
{
	free(*(void **)p);
}
static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))

#endif
