/* SPDX-License-Identifier: GPL-2.0-or-later */
/* record.c: see record.h. The file is the learner's: under sudo it is
 * opened with the invoking user's identity (state_as_user: fsuid/fsgid and
 * groups of SUDO_UID), not as root then chowned, so a path through a
 * directory another user controls reaches only what the learner could
 * write, and the file is the learner's from its creation. O_NOFOLLOW refuses
 * a symlink as the file itself; O_NONBLOCK keeps a FIFO from blocking the
 * open, and anything not a regular file is refused. Each line is written
 * with write(2) as it comes, so that a crash loses nothing typed before it. */
#include "record.h"
#include "cmdstatus.h"
#include "output.h"
#include "session.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static struct {
	int fd;
	char path[PATH_MAX];
	const void *lab; /* where the last narration was written */
	unsigned step;
} R = {.fd = -1};

static int write_text(const char *text)
{
	size_t len = strlen(text);
	while (len) {
		ssize_t w = write(R.fd, text, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		text += w;
		len -= (size_t)w;
	}
	return 0;
}

static int open_as_user(const char *path)
{
	struct state_ids ids;
	if (state_as_user(&ids) < 0)
		return -1;
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
	/* ENXIO: a FIFO with no reader (O_NONBLOCK), or a socket */
	int e = fd < 0 && errno == ENXIO ? EINVAL : errno;
	state_as_root(&ids);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		e = errno = EINVAL;
		close(fd);
		fd = -1;
	}
	/* truncated only once known to be a regular file */
	if (fd >= 0 && (ftruncate(fd, 0) < 0 || fcntl(fd, F_SETFL, 0) < 0)) {
		e = errno;
		close(fd);
		fd = -1;
	}
	errno = e;
	return fd;
}

/* "# uts 2/3: Give the lab its own hostname" when the step changed. */
static int narrate(void)
{
	const struct session_view *v = session_view();
	if (!v->lab || (v->lab == (const void *)R.lab && v->step == R.step))
		return 0;
	R.lab = v->lab;
	R.step = v->step;
	char line[512];
	snprintf(line, sizeof(line), "# %s %u/%u: %s\n", v->lab->id, v->step, v->nsteps,
		 v->step_title ? v->step_title : "");
	line[strcspn(line, "\n") + 1] = '\0'; /* a title is one line */
	return write_text(line);
}

int record_start(const char *path)
{
	record_stop();
	int fd = open_as_user(path);
	if (fd < 0)
		return -1;
	R.fd = fd;
	snprintf(R.path, sizeof(R.path), "%s", path);
	R.lab = NULL;
	char head[128], day[32];
	strftime(day, sizeof(day), "%Y-%m-%d %H:%M", localtime(&(time_t){time(NULL)}));
	snprintf(head, sizeof(head), "# recorded by nslab on %s; play it with: nslab --demo FILE\n", day);
	if (write_text(head) < 0 || narrate() < 0) {
		int e = errno;
		record_stop();
		errno = e;
		return -1;
	}
	return 0;
}

bool record_stop(void)
{
	if (R.fd < 0)
		return false;
	close(R.fd);
	R.fd = -1;
	return true;
}

const char *record_path(void)
{
	return R.fd >= 0 ? R.path : NULL;
}

/* The first word of LINE is WORD. */
static bool first_word(const char *line, const char *word)
{
	size_t l = strlen(word);
	return strncmp(line, word, l) == 0 && (!line[l] || line[l] == ' ' || line[l] == '\t');
}

void record_command(const char *line, int rc)
{
	if (R.fd < 0)
		return;
	line += strspn(line, " \t");
	if (!*line || *line == '#' || rc == CMD_USAGE || first_word(line, "record") ||
	    first_word(line, "quit") || first_word(line, "exit"))
		return;
	if (write_text(line) == 0 && write_text("\n") == 0 && narrate() == 0)
		return;
	/* The one thing said here rather than by a caller: the hook has none
	 * that could say it, and a recording that silently stopped would be
	 * found out only at the demo. */
	out_kprintf(OUT_WARNING, "record: cannot write %s: %s; recording stopped\n", R.path, strerror(errno));
	record_stop();
}
