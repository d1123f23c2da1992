/* SPDX-License-Identifier: GPL-2.0-or-later */
/* commands.h: the one command table. A row says a command's name and other
 * names, its usage and help, how many operands it takes and which flags,
 * and what runs it. The built-in rows are builtins.c; the active lab's
 * commands are shown as rows of the same kind, so one lookup, one argument
 * check and one help printer serve both. */
#ifndef NSLAB_COMMANDS_H
#define NSLAB_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include "cmdstatus.h"
#include "nslab-lab.h"

/* A flag, given anywhere among the words: `ns --json 1 -a`. A word no flag
 * of the command names is an operand, even if it starts with '-'. */
struct cmd_flag {
	const char *name;       /* "--all" */
	const char *short_name; /* "-a", or NULL */
	unsigned bit;           /* set in the flags fn gets */
};

struct command {
	const char *name;
	const char *const *aliases;   /* other names for it, NULL-ended; NULL none */
	const char *usage;            /* "start LAB" */
	const char *help;             /* one line for `help` */
	const char *more;             /* what `help NAME` adds, or NULL */
	int min_args, max_args;       /* operands after the name, flags not counted; max -1: any */
	bool raw;                     /* gets the rest of the line, unsplit, as its one operand */
	const struct cmd_flag *flags; /* ended by a row without a name; NULL: none */
	/* argv[0] is the name, argv[1..argc-1] the operands (flags taken out). */
	enum cmd_status (*fn)(int argc, char **argv, unsigned flags);
	const struct nslab_command *lab; /* a lab's command: the session runs it, fn is NULL */
};

/* The built-in rows (builtins.c). */
extern const struct command builtin_commands[];
extern const size_t builtin_ncommands;

/* Row i of the commands there are now: the built-ins, then the active lab's.
 * False past the end. */
bool cmd_at(size_t i, struct command *out);
/* The row named name (or one of its aliases). False if none. */
bool cmd_find(const char *name, struct command *out);

/* `help [CMD]`: the one help printer, for built-ins and lab commands. */
enum cmd_status cmd_help(int argc, char **argv, unsigned flags);

#endif
