/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_vtshell.c: `shell` on a pty through libvterm, on the host (no lab):
 * what the shell prints lands in the screen's cells (UTF-8 too), a resize
 * reaches it (stty size), `exit 3` ends it with status 3, and its screen
 * goes to the transcript when it ends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vtshell.h"

static char transcript[8192];

static void on_line(void *ctx, const char *text, size_t len)
{
	(void)ctx;
	size_t at = strlen(transcript);
	if (at + len + 2 < sizeof(transcript)) {
		memcpy(transcript + at, text, len);
		transcript[at + len] = '\n';
		transcript[at + len + 1] = '\0';
	}
}

/* Row r of the screen as text (UTF-8). */
static void row_text(struct vtshell *v, int r, char *buf, size_t len)
{
	int rows, cols;
	size_t n = 0;
	vtshell_size(v, &rows, &cols);
	for (int c = 0; c < cols && n + 5 < len; c++) {
		VTermScreenCell cell;
		if (!vtshell_cell(v, r, c, &cell))
			break;
		uint32_t ch = cell.chars[0] ? cell.chars[0] : ' ';
		if (ch < 0x80) {
			buf[n++] = (char)ch;
		} else if (ch < 0x800) {
			buf[n++] = (char)(0xc0 | (ch >> 6));
			buf[n++] = (char)(0x80 | (ch & 0x3f));
		} else {
			buf[n++] = (char)(0xe0 | (ch >> 12));
			buf[n++] = (char)(0x80 | ((ch >> 6) & 0x3f));
			buf[n++] = (char)(0x80 | (ch & 0x3f));
		}
	}
	buf[n] = '\0';
}

/* Pumps the shell's output until some row starts with want (5 s at most). */
static bool wait_row(struct vtshell *v, const char *want)
{
	for (int i = 0; i < 100; i++) {
		struct pollfd p = {vtshell_fd(v), POLLIN, 0};
		poll(&p, 1, 50);
		vtshell_pump(v);
		int rows, cols;
		vtshell_size(v, &rows, &cols);
		for (int r = 0; r < rows; r++) {
			char buf[1024];
			row_text(v, r, buf, sizeof(buf));
			if (strncmp(buf, want, strlen(want)) == 0)
				return true;
		}
	}
	return false;
}

static void shell_on_a_pty(void **state)
{
	(void)state;
	char *env[] = {"PS1=$ ", "TERM=xterm-256color", NULL};
	struct vtshell *v = vtshell_start(0, env, 10, 40, on_line, NULL);
	assert_non_null(v);
	assert_true(vtshell_pid(v) > 0);
	const char *cmd = "echo out-$((6*7)); printf '\\342\\234\\223\\n'\r";
	vtshell_text(v, cmd, strlen(cmd));
	assert_true(wait_row(v, "out-42"));
	assert_true(wait_row(v, "\xe2\x9c\x93")); /* the check mark, one cell */
	vtshell_resize(v, 12, 50);
	vtshell_text(v, "stty size\r", 10);
	assert_true(wait_row(v, "12 50"));
	int st = -1;
	assert_false(vtshell_exited(v, &st));
	vtshell_text(v, "exit 3\r", 7);
	for (int i = 0; i < 100 && !vtshell_exited(v, &st); i++) {
		vtshell_pump(v);
		usleep(50000);
	}
	assert_int_equal(st, 3);
	vtshell_end(v);
	assert_non_null(strstr(transcript, "out-42"));
}

static void too_small_refused(void **state)
{
	(void)state;
	assert_null(vtshell_start(0, NULL, 1, 5, NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(shell_on_a_pty),
	    cmocka_unit_test(too_small_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
