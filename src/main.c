/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: options, mode selection, exit paths. Every way out of nslab goes
 * through finish(): give the terminal back, stop the lab, undo the cleanup
 * registry. */
#include "cgroup.h"
#include "class-publish.h"
#include "class-view.h"
#include "cleanup.h"
#include "demo.h"
#include "host-guard.h"
#include "i18n.h"
#include "labs.h"
#include "output.h"
#include "record.h"
#include "repl.h"
#include "session.h"
#include "signals.h"
#include "state.h"
#include "tui.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include "util.h"
#include <unistd.h>

#ifndef NSLAB_VERSION
#define NSLAB_VERSION "0.0.0"
#endif

enum mode { MODE_AUTO, MODE_PLAIN, MODE_SCRIPT, MODE_DEMO, MODE_CLEANUP, MODE_CLASS };

static void usage(FILE *f)
{
	fputs(_("Usage:\n"
		"  nslab [options]\n"
		"\n"
		"An interactive shell that teaches how containers are made, on your own kernel:\n"
		"chroot, pivot_root, overlay layers, the eight namespace types, a bridge,\n"
		"capabilities, seccomp, cgroup CPU, memory and pids limits, and a capstone\n"
		"container with a scorecard of escapes.\n"
		"\n"
		"Options:\n"
		"  -p, --plain            readline prompt only, no full-screen pane\n"
		"  -s, --script FILE      run REPL commands from FILE ('-' = stdin), echoing each;\n"
		"                         exit 1 if a command is unknown or malformed or a check fails\n"
		"  -d, --demo FILE        instructor playback: shows each command of FILE, runs it on\n"
		"                         Enter or Space; b shows the previous output again, q quits\n"
		"  -c, --cleanup          remove what an earlier, crashed run left behind, and say what\n"
		"  -L, --lab-path DIR     where lab plugins are looked up (':'-separated; also\n"
		"                         NSLAB_LAB_PATH)\n"
		"  -r, --record FILE      also write every command typed as a demo script\n"
		"      --class-dir DIR    keep your status file in the class directory DIR (also\n"
		"                         NSLAB_CLASS_DIR), for the instructor's --class view\n"
		"  -C, --class DIR        the instructor's view of every learner's status in DIR:\n"
		"                         live on a terminal, a table once otherwise\n"
		"  -J, --json             with --class: JSON, for scripts\n"
		"  -h, --help             display this help\n"
		"  -V, --version          display version\n"
		"\n"
		"In nslab, `help` lists the commands and `labs` the labs. See nslab(1).\n"),
	      f);
}

static void say_removed(const char *what)
{
	printf(_("removed %s\n"), what);
}

/* What the registry could not undo, or refused to, one line each. */
static void report_cleanup(const char *line)
{
	fprintf(stderr, "nslab: %s\n", line);
}

static int do_cleanup(void)
{
	int n = cleanup_dead_runs(say_removed);
	if (n < 0) {
		fprintf(stderr, _("nslab: cleanup incomplete: %s%s\n"), strerror(errno),
			geteuid() ? _(" (a root run's leftovers need root: run `sudo nslab --cleanup`)")
				  : "");
		return 1;
	}
	if (n == 0)
		printf(_("nothing to clean up: no earlier run left anything behind\n"));
	return 0;
}

/* A killed run left objects behind: on a terminal, offer to remove them
 * now; otherwise say how. */
static void offer_cleanup(bool ask)
{
	fprintf(stderr, _("nslab: an earlier run was killed and left objects behind; "
			  "`sudo nslab --cleanup` removes them\n"));
	if (!ask)
		return;
	fprintf(stderr, _("nslab: remove them now? [Y/n] "));
	int answer = read_answer();
	if (answer < 0 || (answer && answer != 'y' && answer != 'Y'))
		return; /* end of input, or no */
	do_cleanup();
}

static void finish(void)
{
	tui_end(); /* first: what stopping the lab says goes to the normal screen */
	session_stop();
	host_guard_undo(0); /* host changes made with no lab active */
	class_publish_leave();
	record_stop();
	cleanup_all();
}

/* --record onto the --script or --demo file itself would truncate what is
 * being read. */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* The classroom: the learner's status file and the recording, both written
 * as the invoking user (after state_init, which finds who that is). */
static void start_classroom(const char *class_dir, const char *record)
{
	class_publish_init(class_dir);
	if (record && record_start(record) < 0)
		fprintf(stderr, _("nslab: --record: cannot write %s: %s\n"), record,
			errno == EINVAL ? "not a regular file" : strerror(errno));
}

static void on_exit_cleanup(void)
{
	finish();
}

enum { OPT_CLASS_DIR = 256 };

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"plain", no_argument, NULL, 'p'},          {"script", required_argument, NULL, 's'},
	    {"demo", required_argument, NULL, 'd'},     {"cleanup", no_argument, NULL, 'c'},
	    {"lab-path", required_argument, NULL, 'L'}, {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},        {"record", required_argument, NULL, 'r'},
	    {"class", required_argument, NULL, 'C'},    {"class-dir", required_argument, NULL, OPT_CLASS_DIR},
	    {"json", no_argument, NULL, 'J'},           {NULL, 0, NULL, 0},
	};
	i18n_init(); /* first: every message below may be translated */
	const char *record = NULL, *class_dir = NULL, *class_view = NULL;
	bool json = false;
	enum mode mode = MODE_AUTO;
	const char *script = NULL, *lab_path = getenv("NSLAB_LAB_PATH");
	int c;
	while ((c = getopt_long(argc, argv, "ps:d:cL:r:C:JhV", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			mode = MODE_PLAIN;
			break;
		case 's':
			mode = MODE_SCRIPT;
			script = optarg;
			break;
		case 'd':
			mode = MODE_DEMO;
			script = optarg;
			break;
		case 'c':
			mode = MODE_CLEANUP;
			break;
		case 'L':
			lab_path = optarg;
			break;
		case 'r':
			record = optarg;
			break;
		case 'C':
			mode = MODE_CLASS;
			class_view = optarg;
			break;
		case OPT_CLASS_DIR:
			class_dir = optarg;
			break;
		case 'J':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("nslab %s\n", NSLAB_VERSION);
			return 0;
		default:
			fprintf(stderr, _("Try 'nslab --help' for more information.\n"));
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
			_("nslab: unexpected argument '%s'\nTry 'nslab --help' for more information.\n"),
			argv[optind]);
		return 2;
	}
	if (json && mode != MODE_CLASS) {
		fprintf(stderr,
			_("nslab: --json goes with --class\nTry 'nslab --help' for more information.\n"));
		return 2;
	}
	if (mode == MODE_CLASS) /* reads a directory: no lab, no registry, no root needed */
		return class_view_main(class_view, json);
	if (same_file(record, script)) {
		fprintf(stderr, _("nslab: --record %s would overwrite the file being played\n"), record);
		return 2;
	}
	/* The registry undoes cgroups through the cgroup module's own code,
	 * and says what went wrong through us. */
	cleanup_set_report(report_cleanup);
	cgroup_register_cleanup();
	if (mode == MODE_CLEANUP)
		return do_cleanup();

	/* A directory, a device, an over-long line or a NUL byte: one line, exit 1. */
	FILE *in = NULL;
	if (mode == MODE_SCRIPT && !(in = repl_open_script(script)))
		return 1;
	struct demo demo = {0};
	if (mode == MODE_DEMO && demo_load(script, &demo) < 0)
		return 1;
	signals_install();
	/* What a lab's commands detach (setsid, double forks) is re-parented to
	 * nslab rather than to init, and stays in reach until the lab ends. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (!have_cap(CAP_SYS_ADMIN))
		fprintf(stderr,
			_("nslab: missing CAP_SYS_ADMIN: labs cannot make namespaces, mounts or cgroups; "
			  "run it with sudo (the `user` lab shows what works without)\n"));
	if (cleanup_dead_runs_exist())
		offer_cleanup(mode != MODE_SCRIPT && mode != MODE_DEMO && isatty(STDIN_FILENO));
	state_init(NULL);
	state_load();
	start_classroom(class_dir, record);
	if (cleanup_init() < 0) {
		const char *why = cleanup_init_error();
		if (why)
			fprintf(stderr, _("nslab: no run directory: %s\n"), why);
		else
			fprintf(stderr, _("nslab: cannot create the run directory %s: %s\n"), NSLAB_RUN_BASE,
				strerror(errno));
	}
	atexit(on_exit_cleanup);
	/* a learner's own lab directory is loaded as root only after a yes on a terminal */
	labs_user_path(lab_path && *lab_path, mode != MODE_SCRIPT && mode != MODE_DEMO);
	labs_scan_path(lab_path && *lab_path ? lab_path : labs_default_path());

	int status;
	bool screen = (mode == MODE_DEMO || mode == MODE_AUTO) && tui_available();
	if (mode == MODE_SCRIPT)
		status = repl_run_script(in, strcmp(script, "-") == 0 ? "stdin" : script, true);
	else if (mode == MODE_DEMO)
		status = screen ? tui_run_demo(&demo) : demo_run_plain(&demo);
	else if (screen)
		status = tui_run();
	else
		status = repl_run_plain();
	finish();
	if (in && in != stdin)
		fclose(in);
	demo_free(&demo);
	/* The full screen ended by SIGTERM or SIGHUP dies of it once cleaned up,
	 * so that its parent sees the signal; the plain loops exit 128+N. */
	if (screen)
		signals_die();
	return status;
}
