/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui-readline.c: readline embedded in the TUI through its callback
 * interface: rl_getc_function reads from a key queue that the TUI fills,
 * rl_redisplay_function and the completion display hook draw into our
 * windows, and readline's own output stream goes to /dev/null (the bell).
 * Its own file because it is the only TUI code that knows readline. */
#include "tui-readline.h"
#include "pane.h"
#include "repl.h"
#include "scrollback.h"
#include "tui-screen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <readline/readline.h>
#include <readline/history.h>

#define KEYQ 64

static struct {
	int keyq[KEYQ];
	int head, len;
	char *line; /* finished, not yet taken */
	bool eof;
	struct scrollback *sb;
	void (*redisplay)(void);
} R;

static int getc_cb(FILE *f)
{
	(void)f;
	if (!R.len)
		return 0; /* not reached: readline is only called with keys queued */
	int c = R.keyq[R.head];
	R.head = (R.head + 1) % KEYQ;
	R.len--;
	return c;
}

static int avail_cb(void)
{
	return R.len > 0;
}

static void redisplay_cb(void)
{
	if (R.redisplay)
		R.redisplay();
}

static void on_line(char *line)
{
	if (!line) {
		R.eof = true;
		return;
	}
	R.line = line;
}

/* Completion candidates go into the output window, in columns. */
static void show_matches(char **matches, int n, int max_len)
{
	int cw = max_len + 2, per = screen()->w / (cw > 0 ? cw : 1);
	if (per < 1)
		per = 1;
	char row[1024];
	size_t at = 0;
	for (int i = 1; i <= n; i++) {
		at += (size_t)snprintf(row + at, sizeof(row) - at, "%-*s", cw, matches[i]);
		if (i % per == 0 || i == n || at > sizeof(row) - 256) {
			sb_push(R.sb, row, strlen(row), OUT_NOTE);
			at = 0;
		}
	}
	R.sb->scroll = 0;
	screen_dirty(TUI_OUT);
	redisplay_cb();
}

void rlx_install(void)
{
	rl_callback_handler_install(repl_prompt(), on_line);
}

void rlx_remove(void)
{
	rl_callback_handler_remove();
}

void rlx_setup(struct scrollback *sb, void (*redisplay)(void))
{
	R.sb = sb;
	R.redisplay = redisplay;
	rl_readline_name = "nslab";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = NULL; /* ncurses owns the terminal modes */
	rl_deprep_term_function = NULL;
	rl_getc_function = getc_cb;
	rl_input_available_hook = avail_cb;
	rl_redisplay_function = redisplay_cb;
	rl_completion_display_matches_hook = show_matches;
	rl_attempted_completion_function = repl_completion;
	rl_outstream = fopen("/dev/null", "we"); /* the bell and anything else */
	rl_variable_bind("enable-bracketed-paste", "off");
	rl_variable_bind("bell-style", "none");
	rlx_install();
}

void rlx_teardown(void)
{
	rl_callback_handler_remove();
	if (rl_outstream && rl_outstream != stdout) {
		fclose(rl_outstream);
		rl_outstream = stdout;
	}
	rl_redisplay_function = rl_redisplay;
	rl_getc_function = rl_getc;
	rl_input_available_hook = NULL;
	rl_completion_display_matches_hook = NULL;
	rl_prep_term_function = rl_prep_terminal;
	rl_deprep_term_function = rl_deprep_terminal;
	free(R.line);
	R = (typeof(R)){0};
}

static void feed(const char *bytes)
{
	for (; *bytes && R.len < KEYQ; bytes++) {
		R.keyq[(R.head + R.len) % KEYQ] = (unsigned char)*bytes;
		R.len++;
	}
}

/* Named keys arrive decoded (keypad); readline wants the byte sequences. */
static const char *key_sequence(int ch)
{
	switch (ch) {
	case KEY_UP:
		return "\033[A";
	case KEY_DOWN:
		return "\033[B";
	case KEY_RIGHT:
		return "\033[C";
	case KEY_LEFT:
		return "\033[D";
	case KEY_HOME:
		return "\033[H";
	case KEY_END:
		return "\033[F";
	case KEY_DC:
		return "\033[3~";
	case KEY_BACKSPACE:
		return "\177";
	case KEY_ENTER:
		return "\r";
	}
	const char *name = keyname(ch);
	if (name && (strcmp(name, "kLFT5") == 0 || strcmp(name, "kLFT3") == 0))
		return "\033b"; /* Ctrl/Alt-Left: a word back */
	if (name && (strcmp(name, "kRIT5") == 0 || strcmp(name, "kRIT3") == 0))
		return "\033f";
	return NULL;
}

bool rlx_feed_key(int ch)
{
	if (ch >= KEY_MIN) {
		const char *seq = key_sequence(ch);
		if (seq)
			feed(seq);
		return seq != NULL;
	}
	if (ch == 0) /* Ctrl-Space: readline's set-mark; a NUL cannot be queued as text */
		return false;
	char b[2] = {(char)ch, 0};
	feed(b);
	return true;
}

bool rlx_step(void)
{
	if (!R.len)
		return false;
	rl_callback_read_char();
	return true;
}

char *rlx_take_line(void)
{
	char *line = R.line;
	R.line = NULL;
	return line;
}

bool rlx_eof(void)
{
	return R.eof;
}

void rlx_add_history(const char *line)
{
	if (*line)
		add_history(line);
}

void rlx_set_line(const char *text)
{
	rl_replace_line(text, 0);
	rl_point = rl_end;
	screen_dirty(TUI_INPUT);
}

char *rlx_save_line(int *point)
{
	*point = rl_point;
	return strdup(rl_line_buffer ? rl_line_buffer : "");
}

void rlx_restore_line(char *saved, int point)
{
	if (saved) {
		rl_replace_line(saved, 0);
		rl_point = point <= rl_end ? point : rl_end;
		free(saved);
	}
	redisplay_cb();
}

bool rlx_clear_line(void)
{
	bool empty = !rl_line_buffer || !*rl_line_buffer;
	rl_callback_handler_remove();
	rl_replace_line("", 0);
	rl_point = rl_end = 0;
	rlx_install();
	return empty;
}

static void draw_running(WINDOW *in)
{
	wattrset(in, A_DIM);
	mvwaddstr(in, 0, 0, "(running: Ctrl-C interrupts the command)");
	wattrset(in, A_NORMAL);
	wnoutrefresh(in);
}

void rlx_draw_input(bool executing)
{
	WINDOW *in = screen()->in;
	if (!in)
		return;
	int w = getmaxx(in);
	werase(in);
	if (executing) {
		draw_running(in);
		return;
	}
	const char *prompt = rl_display_prompt ? rl_display_prompt : repl_prompt();
	const char *line = rl_line_buffer ? rl_line_buffer : "";
	size_t plen = strlen(prompt), llen = strlen(line);
	size_t point = rl_point >= 0 && (size_t)rl_point <= llen ? (size_t)rl_point : llen;
	char *all = malloc(plen + llen + 1);
	if (!all)
		return;
	memcpy(all, prompt, plen);
	memcpy(all + plen, line, llen + 1);
	int cursor = text_width(all, plen + point);
	/* Skip whole characters from the left until the cursor fits. */
	size_t start = 0;
	int shift = 0;
	while (cursor - shift > w - 1 && start < plen + llen) {
		int cw;
		start += text_next(all + start, plen + llen - start, &cw);
		shift += cw;
	}
	wattrset(in, A_BOLD);
	wmove(in, 0, 0);
	if (start < plen)
		screen_put_clipped(in, all + start, plen - start);
	wattrset(in, A_NORMAL);
	size_t ls = start > plen ? start : plen;
	screen_put_clipped(in, all + ls, plen + llen - ls);
	free(all);
	wmove(in, 0, cursor - shift < w ? cursor - shift : w - 1);
	wnoutrefresh(in);
}
