/* SPDX-License-Identifier: GPL-2.0-or-later */
/* demo.c: `nslab --demo FILE`. Each command is shown as if typed and runs
 * on a key press; `b` shows the previous step's output again, `q` quits.
 * The one player lives here; a presenter shows it: the plain one below
 * (which keeps every step's output so that going back costs nothing) or the
 * full screen's in tui-demo.c. */
#include "demo.h"
#include "i18n.h"
#include "output.h"
#include "repl.h"

#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static char *join(char *a, const char *b)
{
	size_t la = a ? strlen(a) : 0, lb = strlen(b);
	char *n = realloc(a, la + lb + 2);
	if (!n)
		return a;
	if (la)
		n[la++] = '\n';
	memcpy(n + la, b, lb + 1);
	return n;
}

/* "ko: text" (after the '#'): narration in that language, two lower-case
 * letters (ISO 639-1). Returns the text, or NULL for an untagged line. */
static const char *tagged(const char *p, char tag[3])
{
	if (p[0] < 'a' || p[0] > 'z' || p[1] < 'a' || p[1] > 'z' || p[2] != ':' || p[3] != ' ')
		return NULL;
	tag[0] = p[0], tag[1] = p[1], tag[2] = '\0';
	return p + 4 + strspn(p + 4, " ");
}

/* More commands than any demo needs: `yes | nslab --demo -` stops here. */
#define DEMO_MAX_STEPS 10000

int demo_load(const char *path, struct demo *d)
{
	*d = (struct demo){0};
	FILE *f = repl_open_script(path);
	if (!f)
		return -1;
	const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
	/* A block's "# ko: ..." lines replace its untagged ones when Korean is
	 * shown; lines in another language are left out. */
	char *line = malloc(REPL_LINE_MAX + 1), *narration = NULL, *local = NULL, tag[3];
	const char *lang = i18n_lang();
	unsigned long lineno = 0;
	int r = line ? 0 : -1;
	if (!line)
		out_error(_("%s: out of memory"), name);
	while (line && (r = repl_read_line(f, name, line, &lineno)) > 0) {
		char *p = line + strspn(line, " \t");
		if (!*p)
			continue;
		if (*p == '#') {
			p++;
			p += strspn(p, " ");
			const char *t = tagged(p, tag);
			if (!t)
				narration = join(narration, p);
			else if (strcmp(tag, lang) == 0)
				local = join(local, t);
			continue;
		}
		if (local) {
			free(narration);
			narration = local;
			local = NULL;
		}
		if (d->n == DEMO_MAX_STEPS) {
			out_error(_("%s: line %lu: a demo holds at most %d commands"), name, lineno,
				  DEMO_MAX_STEPS);
			r = -1;
			break;
		}
		struct demo_step *n = realloc(d->steps, (d->n + 1) * sizeof(*n));
		if (!n) {
			out_error(_("%s: line %lu: out of memory"), name, lineno);
			r = -1;
			break;
		}
		d->steps = n;
		d->steps[d->n++] = (struct demo_step){narration, strdup(p)};
		narration = NULL;
	}
	free(narration);
	free(local);
	free(line);
	if (f != stdin)
		fclose(f);
	if (r < 0)
		demo_free(d);
	return r < 0 ? -1 : 0;
}

void demo_free(struct demo *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->steps[i].narration);
		free(d->steps[i].command);
	}
	free(d->steps);
	*d = (struct demo){0};
}

enum demo_key demo_key_of(int c)
{
	switch (c) {
	case '\n':
	case '\r':
	case ' ':
		return DEMO_RUN;
	case 'b':
	case 'B':
		return DEMO_BACK;
	case 'q':
	case 'Q':
	case EOF:
		return DEMO_QUIT;
	default:
		return DEMO_OTHER;
	}
}

/* --- the player --- */

void demo_player_init(struct demo_player *pl, const struct demo *d, const struct demo_presenter *p, void *ctx)
{
	*pl = (struct demo_player){.d = d, .p = p, .ctx = ctx};
}

bool demo_player_done(const struct demo_player *pl)
{
	return pl->idx >= pl->d->n;
}

void demo_player_begin(struct demo_player *pl)
{
	pl->shown = 0;
	if (demo_player_done(pl)) {
		pl->p->type(pl->ctx, "", 0);
		pl->p->note(pl->ctx, _("(end of the demo: q quits)"));
		return;
	}
	const struct demo_step *st = &pl->d->steps[pl->idx];
	/* the why comes before the command, one line at a time: the lines of a
	 * comment block stay apart */
	for (const char *p = st->narration; p && *p;) {
		size_t l = strcspn(p, "\n");
		pl->p->narrate(pl->ctx, p, l, p == st->narration);
		p += l + (p[l] == '\n');
	}
	pl->p->type(pl->ctx, st->command, 0);
}

bool demo_player_type(struct demo_player *pl, size_t letters)
{
	if (demo_player_done(pl))
		return false;
	const char *cmd = pl->d->steps[pl->idx].command;
	size_t len = strlen(cmd);
	if (pl->shown >= len)
		return false;
	pl->shown += letters < len - pl->shown ? letters : len - pl->shown;
	pl->p->type(pl->ctx, cmd, pl->shown);
	return pl->shown < len;
}

bool demo_player_key(struct demo_player *pl, int c)
{
	switch (demo_key_of(c)) {
	case DEMO_QUIT:
		pl->quit = true;
		return false;
	case DEMO_BACK:
		if (pl->idx == 0)
			pl->p->note(pl->ctx, _("(this is the first command)"));
		else
			pl->p->again(pl->ctx, pl->idx - 1, pl->d->steps[pl->idx - 1].command);
		return false;
	case DEMO_OTHER:
		return false;
	case DEMO_RUN:
		break;
	}
	if (demo_player_done(pl))
		return false;
	if (pl->p->run(pl->ctx, pl->idx, pl->d->steps[pl->idx].command) == REPL_USAGE)
		pl->status = 1;
	pl->idx++;
	pl->shown = 0;
	return true;
}

/* --- plain playback: a presenter that prints --- */

struct plain {
	bool tty;
	size_t typed;   /* bytes of the command printed */
	char **outputs; /* what each step printed, for `b` */
};

static char *captured;
static size_t captured_len;
static bool captured_short; /* memory ran out: `b` says so instead of less */

static void tee_write(enum out_kind kind, const char *text, size_t len)
{
	(void)kind;
	char *n = realloc(captured, captured_len + len + 1);
	if (n) {
		memcpy(n + captured_len, text, len);
		captured_len += len;
		n[captured_len] = '\0';
		captured = n;
	} else {
		captured_short = true;
	}
	fwrite(text, 1, len, stdout);
	fflush(stdout);
}

static const struct out_sink tee_sink = {tee_write, NULL};

static void plain_narrate(void *ctx, const char *line, size_t len, bool first)
{
	(void)ctx;
	if (first)
		putchar('\n');
	printf("# %.*s\n", (int)len, line); /* "# " on every line of the block */
}

/* On a terminal the command appears letter by letter, as if typed. */
static void plain_type(void *ctx, const char *cmd, size_t shown)
{
	struct plain *pp = ctx;
	if (shown == 0) {
		printf("%s", repl_prompt());
		pp->typed = 0;
	}
	fwrite(cmd + pp->typed, 1, shown - pp->typed, stdout);
	pp->typed = shown;
	fflush(stdout);
}

static int plain_run(void *ctx, size_t step, const char *cmd)
{
	struct plain *pp = ctx;
	captured = NULL;
	captured_len = 0;
	captured_short = false;
	out_set_sink(&tee_sink);
	int rc = repl_exec(cmd);
	out_set_sink(NULL);
	if (captured_short) {
		free(captured);
		captured = NULL;
	} else if (!captured) {
		captured = strdup(""); /* the command printed nothing */
	}
	pp->outputs[step] = captured; /* NULL: `b` says it was not kept */
	return rc;
}

static void plain_again(void *ctx, size_t step, const char *cmd)
{
	struct plain *pp = ctx;
	printf(_("--- again: %s\n%s--- end of the previous output\n"), cmd,
	       pp->outputs[step] ? pp->outputs[step] : "(not kept: out of memory)\n");
}

static void plain_note(void *ctx, const char *text)
{
	(void)ctx;
	printf("%s\n", text);
}

static const struct demo_presenter plain_presenter = {plain_narrate, plain_type, plain_run, plain_again,
						      plain_note};

static int read_key(bool tty)
{
	struct termios old, raw;
	if (tty && tcgetattr(STDIN_FILENO, &old) == 0) {
		raw = old;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	unsigned char c;
	ssize_t n;
	do
		n = read(STDIN_FILENO, &c, 1);
	while (n < 0 && errno == EINTR && !repl_quit_requested());
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
	return n == 1 ? c : EOF;
}

int demo_run_plain(const struct demo *d)
{
	struct plain pp = {.tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)};
	pp.outputs = calloc(d->n ? d->n : 1, sizeof(*pp.outputs));
	if (!pp.outputs) {
		out_error(_("demo: out of memory"));
		return 1;
	}
	struct demo_player pl;
	demo_player_init(&pl, d, &plain_presenter, &pp);
	printf(_("demo: %zu commands. Enter or Space runs the next one, b shows the previous output, q "
		 "quits.\n"),
	       d->n);
	while (!demo_player_done(&pl) && !pl.quit && !repl_quit_requested()) {
		demo_player_begin(&pl);
		while (demo_player_type(&pl, pp.tty ? 1 : SIZE_MAX))
			nanosleep(&(struct timespec){0, 25 * 1000000L}, NULL);
		int c;
		while (demo_key_of(c = read_key(pp.tty)) == DEMO_OTHER)
			;
		printf("\n");
		demo_player_key(&pl, c);
	}
	for (size_t i = 0; i < d->n; i++)
		free(pp.outputs[i]);
	free(pp.outputs);
	return pl.status;
}
