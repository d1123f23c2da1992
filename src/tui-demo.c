/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui-demo.c: `--demo` on the TUI: the demo's presenter (demo.h), where the
 * next command appears in the input line as if typed, runs on a key press,
 * and what it printed stays in the scrollback for `b`; demo.c plays the
 * script. */
#include "tui-int.h"
#include "tui.h"
#include "demo.h"
#include "i18n.h"
#include "tui-readline.h"
#include "tui-screen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void present_narrate(void *ctx, const char *line, size_t len, bool first)
{
	(void)ctx;
	(void)first;
	char *n = NULL;
	if (asprintf(&n, "# %.*s", (int)len, line) < 0) {
		tui.sb.lost++;
		return;
	}
	tui_note(n);
	free(n);
}

static void present_type(void *ctx, const char *cmd, size_t shown)
{
	(void)ctx;
	char *part = strndup(cmd, shown);
	rlx_set_line(part ? part : "");
	free(part);
}

static int present_run_step(void *ctx, size_t step, const char *cmd)
{
	(void)ctx;
	rlx_set_line("");
	tui.from[step] = tui.sb.pushed;
	int rc = tui_run_command(cmd, false);
	tui.to[step] = tui.sb.pushed;
	return rc;
}

static void present_again(void *ctx, size_t step, const char *cmd)
{
	(void)ctx;
	char head[300];
	snprintf(head, sizeof(head), "--- again: %s", cmd);
	tui_note(head);
	sb_again(&tui.sb, tui.from[step], tui.to[step]);
	tui_note(_("--- end of the previous output"));
}

static void present_note(void *ctx, const char *text)
{
	(void)ctx;
	tui_note(text);
}

static const struct demo_presenter presenter = {present_narrate, present_type, present_run_step,
						present_again, present_note};

void tui_demo_key(int ch)
{
	bool ran = demo_player_key(tui.demo, ch == KEY_ENTER ? '\n' : ch);
	if (tui.demo->quit)
		tui.quit = true;
	if (!ran || tui.quit)
		return;
	rlx_remove(); /* a fresh prompt: the lab and step may have changed */
	rlx_install();
	demo_player_begin(tui.demo);
}

int tui_run_demo(const struct demo *d)
{
	if (!tui_available())
		return demo_run_plain(d);
	static struct demo_player player;
	demo_player_init(&player, d, &presenter, NULL);
	tui.from = calloc(d->n ? d->n : 1, sizeof(size_t));
	tui.to = calloc(d->n ? d->n : 1, sizeof(size_t));
	if (!tui.from || !tui.to) {
		tui_end();
		return demo_run_plain(d);
	}
	tui.demo = &player;
	char welcome[480];
	snprintf(
	    welcome, sizeof(welcome),
	    _("Demo: %zu commands. Enter or Space runs the one shown below, b shows the previous output, "
	      "q quits."),
	    d->n);
	return tui_run_screen(welcome);
}
