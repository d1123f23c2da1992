/* SPDX-License-Identifier: GPL-2.0-or-later */
/* demo.c: `nslab --demo FILE`. Each command is shown as if typed and runs
 * on a key press; `b` shows the previous step's output again, `q` quits. The
 * output of every step is kept so that going back costs nothing. */
#include "demo.h"
#include "output.h"
#include "repl.h"

#include <errno.h>
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

/* More commands than any demo needs: `yes | nslab --demo -` stops here. */
#define DEMO_MAX_STEPS 10000

int demo_load(const char *path, struct demo *d)
{
	*d = (struct demo){0};
	FILE *f = repl_open_script(path);
	if (!f)
		return -1;
	const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
	char *line = malloc(REPL_LINE_MAX + 1), *narration = NULL;
	unsigned long lineno = 0;
	int r = line ? 0 : -1;
	if (!line)
		out_error("%s: out of memory", name);
	while (line && (r = repl_read_line(f, name, line, &lineno)) > 0) {
		char *p = line + strspn(line, " \t");
		if (!*p)
			continue;
		if (*p == '#') {
			p++;
			narration = join(narration, p + strspn(p, " "));
			continue;
		}
		if (d->n == DEMO_MAX_STEPS) {
			out_error("%s: line %lu: a demo holds at most %d commands", name, lineno,
				  DEMO_MAX_STEPS);
			r = -1;
			break;
		}
		struct demo_step *n = realloc(d->steps, (d->n + 1) * sizeof(*n));
		if (!n) {
			out_error("%s: line %lu: out of memory", name, lineno);
			r = -1;
			break;
		}
		d->steps = n;
		d->steps[d->n++] = (struct demo_step){narration, strdup(p)};
		narration = NULL;
	}
	free(narration);
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

/* --- plain playback --- */

static char *captured;
static size_t captured_len;
static const struct out_sink *saved_sink;

static void tee_write(enum out_kind kind, const char *text, size_t len)
{
	(void)kind;
	char *n = realloc(captured, captured_len + len + 1);
	if (n) {
		memcpy(n + captured_len, text, len);
		captured_len += len;
		n[captured_len] = '\0';
		captured = n;
	}
	fwrite(text, 1, len, stdout);
	fflush(stdout);
}

static const struct out_sink tee_sink = {tee_write, NULL};

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

/* On a terminal the command appears letter by letter, as if typed. */
static void type_out(const char *prompt, const char *cmd, bool tty)
{
	printf("%s", prompt);
	for (const char *p = cmd; *p; p++) {
		putchar(*p);
		fflush(stdout);
		if (tty)
			nanosleep(&(struct timespec){0, 25 * 1000000L}, NULL);
	}
	fflush(stdout);
}

static void show_narration(const struct demo_step *s)
{
	if (!s->narration)
		return;
	putchar('\n');
	for (const char *p = s->narration; *p;) { /* "# " on every line of the block */
		size_t l = strcspn(p, "\n");
		printf("# %.*s\n", (int)l, p);
		p += l + (p[l] == '\n');
	}
}

int demo_run_plain(const struct demo *d)
{
	bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	char **outputs = calloc(d->n ? d->n : 1, sizeof(*outputs));
	int status = 0;
	printf(
	    "demo: %zu commands. Enter or Space runs the next one, b shows the previous output, q quits.\n",
	    d->n);
	for (size_t i = 0; i < d->n && !repl_quit_requested();) {
		show_narration(&d->steps[i]);
		type_out(repl_prompt(), d->steps[i].command, tty);
		enum demo_key k;
		while ((k = demo_key_of(read_key(tty))) == DEMO_OTHER)
			;
		if (k == DEMO_QUIT) {
			printf("\n");
			break;
		}
		printf("\n");
		if (k == DEMO_BACK) {
			if (i == 0) {
				printf("(this is the first command)\n");
				continue;
			}
			printf("--- again: %s\n%s--- end of the previous output\n", d->steps[i - 1].command,
			       outputs[i - 1] ? outputs[i - 1] : "");
			continue;
		}
		captured = NULL;
		captured_len = 0;
		out_set_sink(&tee_sink);
		if (repl_exec(d->steps[i].command) == REPL_USAGE)
			status = 1;
		out_set_sink(saved_sink);
		outputs[i] = captured ? captured : strdup("");
		i++;
	}
	for (size_t i = 0; i < d->n; i++)
		free(outputs[i]);
	free(outputs);
	return status;
}
