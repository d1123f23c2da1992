/* SPDX-License-Identifier: GPL-2.0-or-later */
/* class-view.c: see class-view.h. Every string shown comes from files
 * anyone with write access to the class directory may have written; the
 * status reader has already turned control characters into '?'. */
#include "class-view.h"
#include "json.h"

#include <curses.h>
#include <errno.h>
#include <libsmartcols.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* "45s", "4m12s", "1h03m", "3d" */
static const char *span(long long s, char *buf, size_t size)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, size, "%llds", s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lldh%02lldm", s / 3600, s / 60 % 60);
	else
		snprintf(buf, size, "%lldd", s / 86400);
	return buf;
}

/* The cells of one learner's row, shared by the table and the screen. */
enum { C_LEARNER, C_LAB, C_STEP, C_DONE, C_ON_STEP, C_FAILED, C_HINTS, C_DOS, C_LAST, C_STATE, C_N };
static const char *const col_names[C_N] = {"LEARNER", "LAB",   "STEP", "DONE", "ON-STEP",
					   "FAILED",  "HINTS", "DO",   "LAST", "STATE"};

static void cells(const struct class_entry *e, long long now, char cell[C_N][80])
{
	const struct class_status *s = &e->st;
	char t[32];
	snprintf(cell[C_LEARNER], 80, "%s", s->learner);
	snprintf(cell[C_LAB], 80, "%s", s->lab[0] ? s->lab : "-");
	if (s->lab[0]) {
		snprintf(cell[C_STEP], 80, "%u/%u", s->step, s->nsteps);
		snprintf(cell[C_DONE], 80, "%u/%u", s->done, s->nsteps);
		snprintf(cell[C_ON_STEP], 80, "%s", span(e->on_step, t, sizeof(t)));
	} else {
		strcpy(cell[C_STEP], "-");
		strcpy(cell[C_DONE], "-");
		strcpy(cell[C_ON_STEP], "-");
	}
	snprintf(cell[C_FAILED], 80, "%u", s->failed);
	snprintf(cell[C_HINTS], 80, "%u", s->hints);
	snprintf(cell[C_DOS], 80, "%u", s->dos);
	if (s->last_cmd)
		snprintf(cell[C_LAST], 80, "%s ago", span(now - s->last_cmd, t, sizeof(t)));
	else
		strcpy(cell[C_LAST], "-");
	snprintf(cell[C_STATE], 80, "%s", class_state_name(e->state));
}

/* --- the plain table --- */

int class_view_plain(FILE *f, const char *dir, const struct class_roll *r, long long now)
{
	struct libscols_table *tb = scols_new_table();
	if (!tb)
		return -1;
	scols_table_set_name(tb, "class");
	for (int c = 0; c < C_N; c++)
		scols_table_new_column(tb, col_names[c], 0, c >= C_STEP && c <= C_DOS ? SCOLS_FL_RIGHT : 0);
	for (size_t i = 0; i < r->n; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		char cell[C_N][80];
		cells(&r->e[i], now, cell);
		for (int c = 0; ln && c < C_N; c++)
			scols_line_set_data(ln, (size_t)c, cell[c]);
	}
	scols_table_set_stream(tb, f);
	if (r->n)
		scols_print_table(tb);
	else
		fprintf(f, "no status files in %s yet (learners run nslab with NSLAB_CLASS_DIR=%s)\n", dir,
			dir);
	scols_unref_table(tb);
	size_t nlabs;
	struct class_lab_count *labs = class_roll_labs(r, &nlabs);
	if (nlabs)
		fputc('\n', f);
	for (size_t i = 0; labs && i < nlabs; i++) {
		char line[512];
		class_lab_summary(&labs[i], line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	free(labs);
	return 0;
}

/* Said on stderr, one line each, so that the table stays a table. */
static void say_skipped(const char *dir, const struct class_roll *r)
{
	for (size_t i = 0; i < r->nskip; i++)
		fprintf(stderr, "nslab: %s/%s: skipped: %s\n", dir, r->skip[i].file, r->skip[i].why);
	if (r->unread)
		fprintf(stderr, "nslab: %s: %zu more files not read (at most %d)\n", dir, r->unread,
			CLASS_MAX_FILES);
}

/* --- JSON --- */

static void json_labs(struct json_writer *w, const struct class_roll *r)
{
	size_t nlabs;
	struct class_lab_count *labs = class_roll_labs(r, &nlabs);
	json_array(w, "labs");
	for (size_t i = 0; labs && i < nlabs; i++) {
		char line[512];
		class_lab_summary(&labs[i], line, sizeof(line));
		json_object(w, NULL);
		json_string(w, "lab", labs[i].lab);
		json_int(w, "done", labs[i].done);
		json_int(w, "stuck", labs[i].stuck);
		json_int(w, "left", labs[i].gone);
		json_array(w, "on_step");
		for (unsigned k = 1; k <= 32; k++) {
			if (!labs[i].on_step[k])
				continue;
			json_object(w, NULL);
			json_int(w, "step", k);
			json_int(w, "learners", labs[i].on_step[k]);
			json_end(w);
		}
		json_end(w);
		json_string(w, "summary", line);
		json_end(w);
	}
	json_end(w);
	free(labs);
}

void class_view_json(FILE *f, const struct class_roll *r, long long now)
{
	struct json_writer w;
	json_init(&w, f, true);
	json_object(&w, NULL);
	json_array(&w, "learners");
	for (size_t i = 0; i < r->n; i++) {
		const struct class_entry *e = &r->e[i];
		json_object(&w, NULL);
		json_string(&w, "learner", e->st.learner);
		json_string(&w, "host", e->st.host);
		json_string(&w, "lab", e->st.lab[0] ? e->st.lab : NULL);
		json_int(&w, "step", e->st.step);
		json_int(&w, "steps", e->st.nsteps);
		json_string(&w, "title", e->st.title);
		json_int(&w, "done", e->st.done);
		json_int(&w, "on_step_seconds", e->on_step);
		json_int(&w, "checks_failed", e->st.failed);
		json_int(&w, "hints", e->st.hints);
		json_int(&w, "dos", e->st.dos);
		json_int(&w, "last_command", e->st.last_cmd);
		json_int(&w, "idle_seconds", e->st.last_cmd ? now - e->st.last_cmd : -1);
		json_string(&w, "state", class_state_name(e->state));
		json_string(&w, "file", e->file);
		json_end(&w);
	}
	json_end(&w);
	json_labs(&w, r);
	json_array(&w, "skipped");
	for (size_t i = 0; i < r->nskip; i++) {
		json_object(&w, NULL);
		json_string(&w, "file", r->skip[i].file);
		json_string(&w, "reason", r->skip[i].why);
		json_end(&w);
	}
	json_end(&w);
	json_end(&w);
}

/* --- the live screen --- */

static volatile sig_atomic_t leave;

static void on_signal(int sig)
{
	(void)sig;
	leave = 1;
}

enum { P_STUCK = 1, P_DONE, P_HEAD };

static void draw_row(int y, const char cell[C_N][80], const int *width, int attr)
{
	int x = 0;
	attron(attr);
	for (int c = 0; c < C_N && x < COLS; c++) {
		mvprintw(y, x, "%-*.*s", width[c], width[c], cell[c]);
		x += width[c] + 2;
	}
	attroff(attr);
}

static void draw(const char *dir, const struct class_roll *r, long long now)
{
	static const int width[C_N] = {20, 14, 5, 5, 8, 6, 5, 3, 10, 6};
	erase();
	char clock[16];
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&(time_t){(time_t)now}));
	attron(A_BOLD);
	mvprintw(0, 0, "nslab class view: %.*s  %zu learners  %s  (q quits, r refreshes)", COLS / 2, dir,
		 r->n, clock);
	attroff(A_BOLD);
	char head[C_N][80];
	for (int c = 0; c < C_N; c++)
		snprintf(head[c], 80, "%s", col_names[c]);
	draw_row(2, head, width, COLOR_PAIR(P_HEAD) | A_BOLD);
	size_t nlabs;
	struct class_lab_count *labs = class_roll_labs(r, &nlabs);
	int foot = (int)nlabs + (r->nskip ? 1 : 0) + 1;
	int y = 3;
	size_t i = 0;
	for (; i < r->n && y < LINES - foot; i++, y++) {
		char cell[C_N][80];
		cells(&r->e[i], now, cell);
		enum class_state s = r->e[i].state;
		int attr = s == CLASS_STUCK   ? COLOR_PAIR(P_STUCK) | A_BOLD
			   : s == CLASS_DONE  ? COLOR_PAIR(P_DONE)
			   : s >= CLASS_STALE ? A_DIM
					      : 0;
		draw_row(y, cell, width, attr);
	}
	if (i < r->n)
		mvprintw(y++, 0, "... and %zu more", r->n - i);
	y++;
	for (size_t k = 0; labs && k < nlabs && y < LINES; k++) {
		char line[512];
		class_lab_summary(&labs[k], line, sizeof(line));
		mvprintw(y++, 0, "%.*s", COLS, line);
	}
	free(labs);
	if (r->nskip && y < LINES)
		mvprintw(y, 0, "%zu files skipped (first: %.60s: %s)", r->nskip, r->skip[0].file,
			 r->skip[0].why);
	refresh();
}

static int run_screen(const char *dir)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (!initscr())
		return 1;
	cbreak();
	noecho();
	curs_set(0);
	keypad(stdscr, TRUE);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(P_STUCK, COLOR_RED, -1);
		init_pair(P_DONE, COLOR_GREEN, -1);
		init_pair(P_HEAD, COLOR_CYAN, -1);
	}
	timeout(2000); /* the class is read again every two seconds */
	int status = 0;
	while (!leave) {
		struct class_roll r;
		long long now = time(NULL);
		if (class_roll_read(dir, now, &r) < 0) {
			status = errno;
			break;
		}
		draw(dir, &r, now);
		class_roll_free(&r);
		int c = getch();
		if (c == 'q' || c == 'Q')
			break;
	}
	endwin();
	if (status)
		fprintf(stderr, "nslab: cannot read %s: %s\n", dir, strerror(status));
	return status ? 1 : 0;
}

int class_view_main(const char *dir, bool json)
{
	if (!json && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && getenv("TERM"))
		return run_screen(dir);
	struct class_roll r;
	long long now = time(NULL);
	if (class_roll_read(dir, now, &r) < 0) {
		fprintf(stderr, "nslab: cannot read %s: %s\n", dir,
			errno == ELOOP || errno == ENOTDIR ? "not a directory (or a symlink)"
							   : strerror(errno));
		return 1;
	}
	if (json)
		class_view_json(stdout, &r, now);
	else
		class_view_plain(stdout, dir, &r, now);
	say_skipped(dir, &r);
	class_roll_free(&r);
	return fflush(stdout) == 0 ? 0 : 1;
}
