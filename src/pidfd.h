/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pidfd.h: process file descriptors (Linux 5.3+). A pidfd names one process
 * for as long as it is open: signalling or polling it can never reach a
 * process that reused the PID. */
#ifndef NSLAB_PIDFD_H
#define NSLAB_PIDFD_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* -1 with errno (ENOSYS on kernels before 5.3, ESRCH if it is gone). */
static inline int pidfd_open_pid(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static inline int pidfd_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* Has the process exited (a zombie counts)? Waits up to ms milliseconds. */
static inline bool pidfd_exited(int pidfd, int ms)
{
	struct pollfd p = {pidfd, POLLIN, 0};
	return poll(&p, 1, ms) > 0;
}

#endif
