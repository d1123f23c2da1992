/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vtshell.c: `shell` on a pseudo-terminal, read through libvterm (see
 * vtshell.h). The shell is started exactly as the bare-terminal `shell` is
 * (ns_exec with interactive set: the lab cgroup, the lab's namespaces, root
 * and cwd, or the host), from a small first child that makes the pty its
 * controlling terminal. That child is put in the lab cgroup too, so stop,
 * reset and quit take it with the shell. */
#include "vtshell.h"
#include "labcg.h"
#include "nsexec.h"
#include "pidfd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

struct vtshell {
	VTerm *vt;
	VTermScreen *scr;
	int master, pidfd;
	pid_t pid;
	bool reaped;
	int status;
	bool cursor_visible;
	vtshell_line_fn line;
	void *ctx;
};

/* ------------------------------------------------------------------ */
/* text of a row of cells                                              */

static size_t put_utf8(char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* The cells' text into buf (room for cols * 4 * VTERM_MAX_CHARS_PER_CELL
 * bytes), trailing blanks dropped. Returns its length. */
static size_t row_text(const VTermScreenCell *cells, int cols, char *buf)
{
	size_t n = 0, keep = 0;
	for (int c = 0; c < cols; c++) {
		const VTermScreenCell *cell = &cells[c];
		if (!cell->chars[0]) { /* blank, or the right half of a wide character */
			if (c == 0 || cells[c - 1].width < 2)
				buf[n++] = ' ';
			continue;
		}
		for (int k = 0; k < VTERM_MAX_CHARS_PER_CELL && cell->chars[k]; k++)
			n += put_utf8(buf + n, cell->chars[k]);
		keep = n;
	}
	return keep;
}

static void send_line(struct vtshell *v, const VTermScreenCell *cells, int cols)
{
	if (!v->line)
		return;
	char *buf = malloc((size_t)cols * 4 * VTERM_MAX_CHARS_PER_CELL + 1);
	if (!buf)
		return;
	size_t n = row_text(cells, cols, buf);
	v->line(v->ctx, buf, n);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* libvterm's callbacks                                                */

static int on_pushline(int cols, const VTermScreenCell *cells, void *user)
{
	send_line(user, cells, cols);
	return 1;
}

static int on_prop(VTermProp prop, VTermValue *val, void *user)
{
	struct vtshell *v = user;
	if (prop == VTERM_PROP_CURSORVISIBLE)
		v->cursor_visible = val->boolean;
	return 1;
}

static void on_output(const char *s, size_t len, void *user)
{
	struct vtshell *v = user;
	while (len > 0) {
		ssize_t w = write(v->master, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the pty is full or gone: the key is lost, not the session */
		s += w;
		len -= (size_t)w;
	}
}

static const VTermScreenCallbacks callbacks = {
    .settermprop = on_prop,
    .sb_pushline = on_pushline,
};

/* ------------------------------------------------------------------ */
/* the pty and the shell                                               */

static int open_pty(int *slave)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return -1;
	char *name = grantpt(m) == 0 && unlockpt(m) == 0 ? ptsname(m) : NULL;
	*slave = name ? open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
	if (*slave < 0) {
		int e = errno;
		close(m);
		errno = e;
		return -1;
	}
	return m;
}

static void set_size(int fd, int rows, int cols)
{
	struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
	ioctl(fd, TIOCSWINSZ, &ws);
}

/* The first child: a session of its own with the pty as its terminal, then
 * `shell` as ns_exec starts it; it exits with the shell's status. A hangup
 * of the pty (nslab closing it) ends it, and the shell with it. */
static __attribute__((noreturn)) void first_child(int slave, pid_t target, char *const env[])
{
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* born in the lab cgroup: labcg_fork */
	signal(SIGHUP, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_IGN); /* the terminal's keys are the shell's */
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
		_exit(126);
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			_exit(126);
	/* nothing of nslab's (the screen's fds, the lab's handles) stays open here */
	close_range(3, ~0U, 0);
	int st = ns_exec(target, NULL, env, NULL, true);
	_exit(st < 0 ? 126 : st > 255 ? 255 : st);
}

static struct vtshell *vt_new(int rows, int cols, vtshell_line_fn line, void *ctx)
{
	struct vtshell *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	*v = (struct vtshell){.master = -1, .pidfd = -1, .cursor_visible = true, .line = line, .ctx = ctx};
	v->vt = vterm_new(rows, cols);
	if (!v->vt) {
		free(v);
		errno = ENOMEM;
		return NULL;
	}
	vterm_set_utf8(v->vt, 1);
	v->scr = vterm_obtain_screen(v->vt);
	vterm_screen_set_callbacks(v->scr, &callbacks, v);
	vterm_screen_enable_altscreen(v->scr, 1);
	vterm_screen_reset(v->scr, 1);
	vterm_output_set_callback(v->vt, on_output, v);
	return v;
}

struct vtshell *vtshell_start(pid_t target, char *const env[], int rows, int cols, vtshell_line_fn line,
			      void *ctx)
{
	if (rows < 2 || cols < 10) {
		errno = EINVAL;
		return NULL;
	}
	struct vtshell *v = vt_new(rows, cols, line, ctx);
	int slave = -1;
	if (!v || (v->master = open_pty(&slave)) < 0) {
		int e = errno;
		if (v)
			vterm_free(v->vt);
		free(v);
		errno = e;
		return NULL;
	}
	set_size(v->master, rows, cols);
	fflush(NULL); /* nothing buffered is written twice by the child */
	v->pid = labcg_fork();
	if (v->pid == 0)
		first_child(slave, target, env);
	int e = errno;
	close(slave);
	if (v->pid < 0) {
		v->line = NULL;
		vtshell_end(v);
		errno = e;
		return NULL;
	}
	fcntl(v->master, F_SETFL, O_NONBLOCK);
	v->pidfd = pidfd_open_pid(v->pid);
	return v;
}

int vtshell_fd(const struct vtshell *v)
{
	return v->master;
}

int vtshell_pidfd(const struct vtshell *v)
{
	return v->pidfd;
}

pid_t vtshell_pid(const struct vtshell *v)
{
	return v->pid;
}

bool vtshell_pump(struct vtshell *v)
{
	char buf[8192];
	bool changed = false;
	for (;;) {
		ssize_t n = read(v->master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) /* EAGAIN: all read; EIO: every writer has gone */
			break;
		vterm_input_write(v->vt, buf, (size_t)n);
		changed = true;
	}
	if (changed)
		vterm_screen_flush_damage(v->scr);
	return changed;
}

void vtshell_text(struct vtshell *v, const char *s, size_t len)
{
	on_output(s, len, v); /* typed bytes go to the shell as they are */
}

void vtshell_key(struct vtshell *v, VTermKey key, VTermModifier mod)
{
	vterm_keyboard_key(v->vt, key, mod); /* the sequence the shell's mode wants */
}

void vtshell_resize(struct vtshell *v, int rows, int cols)
{
	if (rows < 1 || cols < 1)
		return;
	vterm_set_size(v->vt, rows, cols);
	set_size(v->master, rows, cols); /* the kernel sends SIGWINCH to the shell */
}

void vtshell_size(const struct vtshell *v, int *rows, int *cols)
{
	vterm_get_size(v->vt, rows, cols);
}

bool vtshell_cell(const struct vtshell *v, int row, int col, VTermScreenCell *cell)
{
	VTermPos pos = {.row = row, .col = col};
	if (!vterm_screen_get_cell(v->scr, pos, cell))
		return false;
	return true;
}

void vtshell_cursor(const struct vtshell *v, int *row, int *col, bool *visible)
{
	VTermPos pos;
	vterm_state_get_cursorpos(vterm_obtain_state(v->vt), &pos);
	*row = pos.row;
	*col = pos.col;
	*visible = v->cursor_visible;
}

bool vtshell_exited(struct vtshell *v, int *status)
{
	if (!v->reaped) {
		int ws;
		pid_t r = waitpid(v->pid, &ws, WNOHANG);
		if (r == 0)
			return false;
		v->reaped = true;
		/* ECHILD: reaped between commands (ns_reap_orphans): its status is gone */
		v->status = r == v->pid ? (WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws)) : -1;
	}
	*status = v->status;
	return true;
}

/* The screen's rows down to the last one with text (or the cursor's). */
static void send_screen(struct vtshell *v)
{
	int rows, cols, crow, ccol;
	bool vis;
	vterm_get_size(v->vt, &rows, &cols);
	vtshell_cursor(v, &crow, &ccol, &vis);
	VTermScreenCell *cells = malloc((size_t)cols * sizeof(*cells));
	if (!cells)
		return;
	int last = crow;
	for (int r = rows - 1; r > last; r--) {
		bool any = false;
		for (int c = 0; c < cols && !any; c++) {
			VTermScreenCell cell;
			any = vtshell_cell(v, r, c, &cell) && cell.chars[0] && cell.chars[0] != ' ';
		}
		if (any)
			last = r;
	}
	for (int r = 0; r <= last; r++) {
		for (int c = 0; c < cols; c++)
			if (!vtshell_cell(v, r, c, &cells[c]))
				memset(&cells[c], 0, sizeof(cells[c]));
		send_line(v, cells, cols);
	}
	free(cells);
}

void vtshell_end(struct vtshell *v)
{
	if (!v)
		return;
	send_screen(v);
	int st;
	if (v->pid > 0 && !vtshell_exited(v, &st)) {
		kill(v->pid, SIGHUP); /* as a terminal closing: the shell and its first child go */
		if (v->pidfd < 0 || !pidfd_exited(v->pidfd, 500))
			kill(v->pid, SIGKILL);
		waitpid(v->pid, NULL, 0);
	}
	if (v->master >= 0)
		close(v->master);
	if (v->pidfd >= 0)
		close(v->pidfd);
	vterm_free(v->vt);
	free(v);
}
