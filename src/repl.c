/* SPDX-License-Identifier: GPL-2.0-or-later */
/* repl.c: the loops that feed the command table (commands.c): readline in
 * plain mode, a file in script mode; the prompt, the history, and the hooks
 * of whoever owns the terminal. */
#include "repl.h"
#include "i18n.h"
#include "output.h"
#include "session.h"
#include "signals.h"
#include "state.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool quit_requested;
static const struct repl_terminal *terminal;
static bool plain_at_terminal; /* the plain REPL reads a terminal */

bool repl_at_terminal(void)
{
	return terminal || plain_at_terminal;
}

void repl_request_quit(void)
{
	quit_requested = true;
}

bool repl_quit_requested(void)
{
	return quit_requested || signals_leaving();
}
void repl_set_terminal(const struct repl_terminal *t)
{
	terminal = t;
}
bool repl_terminal_suspend(void)
{
	if (!terminal || !terminal->suspend)
		return false;
	terminal->suspend();
	return true;
}
void repl_terminal_resume(void)
{
	if (terminal && terminal->resume)
		terminal->resume();
}

const char *repl_prompt(void)
{
	static char prompt[96];
	const struct session_view *v = session_view();
	if (v->lab)
		snprintf(prompt, sizeof(prompt), "nslab[%s %u/%u]> ", v->lab->id, v->step, v->nsteps);
	else
		snprintf(prompt, sizeof(prompt), "nslab> ");
	return prompt;
}

/* --- history --- */

/* Read and written through state.c, as the invoking user and never through
 * a symlink (readline's read_history/write_history open the path as root). */
void repl_history_load(void)
{
	_cleanup_free_ char *text = state_read("history", 4 << 20, NULL);
	if (!text)
		return;
	for (char *line = text, *next; *line; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		if (*line)
			add_history(line);
	}
}

void repl_history_save(void)
{
	stifle_history(1000);
	HIST_ENTRY **list = history_list();
	if (!list || !list[0])
		return; /* nothing typed: make no state dir for it */
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return;
	for (size_t i = 0; list[i]; i++)
		fprintf(m, "%s\n", list[i]->line);
	if (fclose(m) == 0)
		(void)state_write("history", text, len, 0600);
	free(text);
}

/* --- loops --- */

static char *pending_line;
static bool line_eof;

static void on_line(char *line)
{
	if (!line) {
		line_eof = true;
		return;
	}
	pending_line = line;
}

int repl_run_plain(void)
{
	signals_install();
	plain_at_terminal = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	rl_catch_signals = 0;
	rl_attempted_completion_function = repl_completion;
	rl_readline_name = "nslab";
	repl_history_load();
	rl_callback_handler_install(repl_prompt(), on_line);
	while (!repl_quit_requested() && !line_eof) {
		struct pollfd p = {STDIN_FILENO, POLLIN, 0};
		int n = poll(&p, 1, 250);
		if (signals_pending() == SIGINT) {
			signals_clear_interrupt();
			if (!rl_line_buffer || !*rl_line_buffer) {
				out_printf("\n");
				break; /* Ctrl-C on an empty line leaves, cleaning up */
			}
			rl_replace_line("", 0);
			out_printf("\n");
			rl_on_new_line();
			rl_redisplay();
			continue;
		}
		if (n <= 0)
			continue;
		rl_callback_read_char();
		if (!pending_line)
			continue;
		char *line = pending_line;
		pending_line = NULL;
		rl_callback_handler_remove();
		if (*line)
			add_history(line);
		repl_exec(line);
		free(line);
		signals_clear_interrupt(); /* it interrupted the command, not nslab */
		rl_callback_handler_install(repl_prompt(), on_line);
	}
	rl_callback_handler_remove();
	repl_history_save();
	/* Ended by SIGTERM or SIGHUP (main cleans up): the parent learns it. */
	return signals_leaving() ? 128 + signals_pending() : 0;
}

/* --- script and demo files --- */

FILE *repl_open_script(const char *path)
{
	bool std = strcmp(path, "-") == 0;
	const char *name = std ? "stdin" : path;
	int fd = std ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		out_error(_("cannot open %s: %s"), path, strerror(errno));
		return NULL;
	}
	struct stat st;
	const char *why = NULL;
	if (fstat(fd, &st) < 0)
		why = strerror(errno);
	else if (S_ISDIR(st.st_mode))
		why = _("is a directory");
	else if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode) &&
		 !S_ISCHR(st.st_mode))
		why = _("not a regular file or pipe");
	FILE *f = NULL;
	if (!why && !(f = std ? stdin : fdopen(fd, "r")))
		why = strerror(errno);
	if (why) {
		out_error("%s: %s", name, why);
		if (!std)
			close(fd);
		return NULL;
	}
	return f;
}

int repl_read_line(FILE *f, const char *name, char *buf, unsigned long *lineno)
{
	size_t len = 0;
	int c;
	bool nul = false;
	for (;;) {
		c = getc(f);
		if (c == EOF && ferror(f) && errno == EINTR && !signals_pending()) {
			clearerr(f); /* a signal nslab does not act on */
			continue;
		}
		if (c == EOF || c == '\n')
			break;
		if (len == REPL_LINE_MAX) {
			out_error(_("%s: line %lu is longer than %d bytes"), name, *lineno + 1,
				  REPL_LINE_MAX);
			return -1; /* the rest is never read: memory stays bounded */
		}
		nul |= c == '\0';
		buf[len++] = (char)c;
	}
	if (c == EOF && ferror(f)) {
		if (signals_pending())
			return 0; /* interrupted: the caller looks at the signal */
		out_error(_("%s: cannot read line %lu: %s"), name, *lineno + 1, strerror(errno));
		return -1;
	}
	if (c == EOF && len == 0)
		return 0;
	buf[len] = '\0';
	++*lineno;
	if (nul) {
		out_error(_("%s: line %lu contains a NUL byte"), name, *lineno);
		return -1;
	}
	return 1;
}

int repl_run_script(FILE *f, const char *name, bool echo)
{
	signals_install();
	int status = 0, r = 0;
	char *line = malloc(REPL_LINE_MAX + 1);
	unsigned long lineno = 0;
	if (!name)
		name = "script";
	if (!line) {
		out_error(_("%s: out of memory"), name);
		return 1;
	}
	while (!repl_quit_requested() && signals_pending() != SIGINT &&
	       (r = repl_read_line(f, name, line, &lineno)) > 0) {
		if (echo)
			out_printf("%s%s\n", repl_prompt(), line);
		int rc = repl_exec(line);
		if (rc != REPL_OK)
			status = 1;
	}
	free(line);
	if (r < 0)
		status = 1; /* a line nslab refused, or a read error: the script stops there */
	if (signals_pending())
		status = 128 + signals_pending();
	return status;
}
