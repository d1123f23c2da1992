/* SPDX-License-Identifier: GPL-2.0-or-later */
/* commands.c: the command table's mechanics: finding a row (by name, alias,
 * or among the active lab's commands), splitting a line into words, taking
 * out the flags a row declares, checking the operand count, running it, and
 * the help and completion both kinds of command share. The rows themselves
 * are builtins.c. */
#include "commands.h"
#include "class-publish.h"
#include "i18n.h"
#include "labs.h"
#include "output.h"
#include "record.h"
#include "repl.h"
#include "session.h"
#include "util.h"

#include <ctype.h>
#include <readline/readline.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 64

/* --- finding a row --- */

static void lab_row(const struct nslab_command *lc, struct command *out)
{
	const struct session_view *v = session_view();
	const struct nslab_lab *lab = v ? v->lab : NULL; /* its commands are the active lab's */
	*out = (struct command){
	    .name = lc->name,
	    .usage = lc->usage ? i18n_lab(lab, lc->usage) : lc->name,
	    .help = lc->summary ? i18n_lab(lab, lc->summary) : "",
	    .min_args = lc->min_args,
	    .max_args = lc->max_args,
	    .lab = lc,
	};
}

bool cmd_at(size_t i, struct command *out)
{
	if (i < builtin_ncommands) {
		*out = builtin_commands[i];
		return true;
	}
	unsigned nl;
	const struct nslab_command *lc = session_lab_commands(&nl);
	i -= builtin_ncommands;
	if (i >= nl)
		return false;
	lab_row(&lc[i], out);
	return true;
}

static bool named(const struct command *c, const char *name)
{
	if (strcmp(c->name, name) == 0)
		return true;
	for (const char *const *a = c->aliases; a && *a; a++)
		if (strcmp(*a, name) == 0)
			return true;
	return false;
}

/* Built-ins first: a lab cannot take a built-in's name. */
bool cmd_find(const char *name, struct command *out)
{
	for (size_t i = 0; cmd_at(i, out); i++)
		if (named(out, name))
			return true;
	return false;
}

/* Commands a guess must never name: following "did you mean" would end or
 * undo the learner's work (or act on it), not look something up. */
static bool loses_state(const char *name)
{
	static const char *const risky[] = {"quit", "exit", "stop", "reset", "do"};
	for (size_t i = 0; i < sizeof(risky) / sizeof(risky[0]); i++)
		if (strcmp(name, risky[i]) == 0)
			return true;
	return false;
}

/* A guess within one edit for a word of up to three letters, two for a
 * longer one ("hepl" is help); none when the nearest is a command that
 * loses state ("cd" is not a typo of `do`, nor "quota" of `quit`). */
static const char *closest_cmd(const char *name)
{
	const char *best = NULL;
	size_t limit = strlen(name) <= 3 ? 1 : 2;
	size_t bestd = limit + 1, riskyd = limit + 1;
	struct command c;
	for (size_t i = 0; cmd_at(i, &c); i++) {
		size_t d = edit_distance(name, c.name);
		for (size_t k = 0; c.aliases && c.aliases[k]; k++) { /* `exit` is quit's */
			size_t da = edit_distance(name, c.aliases[k]);
			d = da < d ? da : d;
		}
		if (loses_state(c.name)) {
			riskyd = d < riskyd ? d : riskyd;
		} else if (d < bestd) {
			bestd = d;
			best = c.name;
		}
	}
	/* as near to a command that loses state: no guess rather than a risky one */
	return riskyd <= bestd ? NULL : best;
}

/* --- help --- */

/* A built-in's help is marked N_() in its table and translated here; a
 * lab's comes translated in its own domain (lab_row). */
static const char *help_text(const struct command *c, const char *s)
{
	return c->lab || !s || !*s ? s : _(s);
}

static void help_line(const struct command *c)
{
	if (!c->aliases || !c->aliases[0]) {
		out_printf("  %-28s %s\n", c->usage, help_text(c, c->help));
		return;
	}
	out_printf(_("  %-28s %s (also `%s`)\n"), c->usage, help_text(c, c->help), c->aliases[0]);
}

enum cmd_status cmd_help(int argc, char **argv, unsigned flags)
{
	(void)flags;
	struct command c;
	if (argc == 2) {
		if (!cmd_find(argv[1], &c)) {
			out_error(_("help: no command '%s'"), argv[1]);
			return CMD_USAGE;
		}
		out_printf(_("usage: %s\n  %s\n"), c.usage, help_text(&c, c.help));
		if (strcmp(c.name, argv[1]) != 0)
			out_printf(_("`%s` is another name for `%s`.\n"), argv[1], c.name);
		if (c.more)
			out_printf("%s\n", help_text(&c, c.more));
		return CMD_OK;
	}
	out_printf(_("commands:\n"));
	for (size_t i = 0; cmd_at(i, &c); i++) {
		if (c.lab && i == builtin_ncommands)
			out_printf(_("commands of this lab:\n"));
		help_line(&c);
	}
	return CMD_OK;
}

/* --- parsing --- */

/* Splits a line into words: whitespace separates, '...' and "..." group,
 * backslash escapes. Returns argc, or -1 on an unterminated quote. */
static int split_words(char *line, char **argv, int max)
{
	int argc = 0;
	char *r = line, *w = line;
	while (*r) {
		while (isspace((unsigned char)*r))
			r++;
		if (!*r)
			break;
		if (argc == max)
			return -1;
		argv[argc++] = w;
		char quote = 0;
		for (; *r && (quote || !isspace((unsigned char)*r)); r++) {
			if (quote && *r == quote)
				quote = 0;
			else if (!quote && (*r == '\'' || *r == '"'))
				quote = *r;
			else if (*r == '\\' && r[1] && quote != '\'')
				*w++ = *++r;
			else
				*w++ = *r;
		}
		if (quote)
			return -1;
		if (*r)
			r++;
		*w++ = '\0';
	}
	return argc;
}

/* Takes the words c declares as flags out of argv (argv[0], the name, is
 * never one); returns their bits, *argc is then the name and the operands. */
static unsigned take_flags(const struct command *c, int *argc, char **argv)
{
	unsigned bits = 0;
	int kept = 1;
	for (int i = 1; i < *argc; i++) {
		const struct cmd_flag *f = c->flags;
		while (f && f->name && strcmp(f->name, argv[i]) != 0 &&
		       !(f->short_name && strcmp(f->short_name, argv[i]) == 0))
			f++;
		if (f && f->name)
			bits |= f->bit;
		else
			argv[kept++] = argv[i];
	}
	argv[kept] = NULL;
	*argc = kept;
	return bits;
}

/* The one argument check: the operand count against the row's range. */
static bool args_fit(const struct command *c, int argc)
{
	int n = argc - 1;
	if (n >= c->min_args && (c->max_args < 0 || n <= c->max_args))
		return true;
	out_error(_("usage: %s"), c->usage);
	return false;
}

static enum cmd_status run_row(const struct command *c, int argc, char **argv, unsigned flags)
{
	if (c->lab)
		return session_lab_call(c->lab, argc, argv);
	return c->fn(argc, argv, flags);
}

/* A raw row gets the rest of the line, the shell's business, as it is: one
 * operand, or none if the rest is blank. */
static enum cmd_status exec_raw(const struct command *c, char *word, const char *rest)
{
	while (isspace((unsigned char)*rest))
		rest++;
	if (!args_fit(c, *rest ? 2 : 1))
		return CMD_USAGE;
	_cleanup_free_ char *copy = strdup(rest);
	if (!copy) {
		out_error(_("out of memory"));
		return CMD_FAILED;
	}
	copy[strcspn(copy, "\n")] = '\0';
	char *argv[] = {word, copy, NULL};
	return run_row(c, 2, argv, 0);
}

static enum cmd_status unknown(const char *name)
{
	const char *near = closest_cmd(name);
	if (near)
		out_error(_("unknown command '%s' (did you mean '%s'?)"), name, near);
	else
		out_error(_("unknown command '%s' (`help` lists them)"), name);
	return CMD_USAGE;
}

static int exec_line(const char *line)
{
	while (isspace((unsigned char)*line))
		line++;
	if (!*line || *line == '#')
		return CMD_OK;
	size_t wlen = strcspn(line, " \t\n");
	char word[64];
	size_t n = wlen < sizeof(word) - 1 ? wlen : sizeof(word) - 1;
	memcpy(word, line, n); /* not snprintf "%.*s": GCC -O1 with UBSan warns it may be null */
	word[n] = '\0';
	struct command c;
	bool found = cmd_find(word, &c);
	if (found && c.raw)
		return exec_raw(&c, word, line + wlen);
	_cleanup_free_ char *copy = strdup(line);
	if (!copy) {
		out_error(_("out of memory"));
		return CMD_FAILED;
	}
	char *argv[MAX_ARGS + 1];
	int argc = split_words(copy, argv, MAX_ARGS);
	if (argc < 0) {
		out_error(_("unterminated quote or too many words"));
		return CMD_USAGE;
	}
	argv[argc] = NULL;
	if (!found)
		return unknown(argv[0]);
	unsigned flags = take_flags(&c, &argc, argv);
	if (!args_fit(&c, argc))
		return CMD_USAGE;
	return run_row(&c, argc, argv, flags);
}

/* After each command: the recording and the class status follow it. */
int repl_exec(const char *line)
{
	int rc = exec_line(line);
	record_command(line, rc);
	class_publish_command();
	return rc;
}

/* --- completion --- */

/* Every name and alias of every row, in table order. */
static char *complete_cmd(const char *text, int state)
{
	static size_t i, alias;
	if (!state)
		i = alias = 0;
	size_t len = strlen(text);
	struct command c;
	while (cmd_at(i, &c)) {
		const char *n = alias == 0 ? c.name : c.aliases ? c.aliases[alias - 1] : NULL;
		if (!n) {
			i++;
			alias = 0;
			continue;
		}
		alias++;
		if (strncmp(n, text, len) == 0)
			return strdup(n);
	}
	return NULL;
}

static char *complete_lab(const char *text, int state)
{
	static size_t i;
	if (!state)
		i = 0;
	size_t len = strlen(text);
	while (i < labs_count()) {
		const char *id = labs_get(i++)->id;
		if (strncmp(id, text, len) == 0)
			return strdup(id);
	}
	return NULL;
}

char **repl_completion(const char *text, int start, int end)
{
	(void)end;
	rl_attempted_completion_over = 1; /* never fall back to file names */
	const char *line = rl_line_buffer ? rl_line_buffer : "", *buf = line;
	while (buf < line + start && isspace((unsigned char)*buf))
		buf++;
	start -= (int)(buf - line);
	if (start == 0)
		return rl_completion_matches(text, complete_cmd);
	if (strncmp(buf, "start ", 6) == 0)
		return rl_completion_matches(text, complete_lab);
	if (strncmp(buf, "help ", 5) == 0)
		return rl_completion_matches(text, complete_cmd);
	if (strncmp(buf, "run ", 4) == 0 || strncmp(buf, "host ", 5) == 0) {
		rl_attempted_completion_over = 0; /* shell words: file names help */
		return NULL;
	}
	return NULL;
}
