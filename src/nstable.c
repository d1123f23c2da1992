/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nstable.c: `ns` output through libsmartcols (what lsns uses), so that the
 * text and JSON forms come from one table. */
#include "nstable.h"
#include "i18n.h"
#include "nsview.h"
#include "output.h"

#include <errno.h>
#include <libsmartcols.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 40

static int emit(struct libscols_table *tb)
{
	char *text = NULL;
	int rc = scols_print_table_to_string(tb, &text);
	if (rc == 0 && text) {
		out_write(text, strlen(text));
		out_write("\n", 1);
	}
	free(text);
	scols_unref_table(tb);
	return rc == 0 ? 0 : -1;
}

static void col_title(const struct ns_col *c, bool json, char *buf, size_t len)
{
	if (json)
		snprintf(buf, len, "%s-%d", c->label, (int)c->pid);
	else if (c->kind == NS_COL_LAB && c->inner_pid && c->inner_pid != c->pid)
		snprintf(buf, len, "%s:%d(%d)", c->label, (int)c->pid, (int)c->inner_pid);
	else
		snprintf(buf, len, "%s:%d", c->label, (int)c->pid);
}

/* The columns of the inode table: the type, one per process (the first is
 * nslab itself, the host reference), then whether any differs. */
#define INO_TYPE 0
#define INO_PROC(c) ((c) + 1)
#define INO_DIFFERS(n) ((n) + 1)

static void ino_line(struct libscols_table *tb, const struct ns_col *cols, size_t n, enum ns_row r, bool json)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	scols_line_set_data(ln, INO_TYPE, ns_types[r].name);
	bool any = false;
	for (size_t c = 0; c < n; c++) {
		char cell[32];
		bool d = c > 0 && nsview_differs(&cols[0], &cols[c], r);
		any |= d;
		if (!cols[c].ino[r])
			snprintf(cell, sizeof(cell), "-");
		else
			snprintf(cell, sizeof(cell), "%lu%s", (unsigned long)cols[c].ino[r],
				 d && !json ? "*" : "");
		scols_line_set_data(ln, INO_PROC(c), cell);
	}
	scols_line_set_data(ln, INO_DIFFERS(n), json ? (any ? "true" : "false") : (any ? "<- differs" : ""));
}

static bool shown(const struct ns_col *cols, size_t n, pid_t pid)
{
	for (size_t c = 0; c < n; c++)
		if (cols[c].pid == pid)
			return true;
	return false;
}

int nstable_print(const pid_t *extra, size_t nextra, bool json)
{
	struct ns_col cols[MAX_COLS];
	/* the pane's columns: besides nslab, the lab and the watched PIDs, each
	 * set of namespaces the lab's other processes made (a learner's
	 * `run unshare --uts sleep 600 &`) */
	size_t n = nsview_pane_columns(cols, MAX_COLS);
	for (size_t i = 0; i < nextra && n < MAX_COLS; i++) {
		if (shown(cols, n, extra[i]))
			continue; /* already a column (nslab, the lab, a watched PID, or given twice) */
		memset(&cols[n], 0, sizeof(cols[n]));
		if (nsview_read(extra[i], &cols[n]) < 0) {
			if (errno == EACCES || errno == EPERM)
				out_error(_("ns: cannot read /proc/%d/ns: %s (another user's process: run "
					    "nslab with sudo)"),
					  (int)extra[i], strerror(errno));
			else
				out_error(_("ns: no process %d"), (int)extra[i]);
			return -1;
		}
		cols[n].kind = NS_COL_ARG;
		memcpy(cols[n].label, cols[n].comm, sizeof(cols[n].comm)); /* both NUL-ended */
		n++;
	}
	struct libscols_table *tb = scols_new_table();
	if (!tb)
		return -1;
	scols_table_enable_json(tb, json);
	scols_table_set_name(tb, "namespaces");
	scols_table_new_column(tb, "type", 0, 0); /* INO_TYPE */
	for (size_t c = 0; c < n; c++) {
		char title[64];
		col_title(&cols[c], json, title, sizeof(title));
		scols_table_new_column(tb, title, 0, SCOLS_FL_RIGHT); /* INO_PROC(c) */
	}
	scols_table_new_column(tb, json ? "differs" : "", 0, 0); /* INO_DIFFERS(n) */
	for (int r = 0; r < NS_COUNT; r++)
		ino_line(tb, cols, n, (enum ns_row)r, json);
	int rc = emit(tb);
	for (size_t c = 0; rc == 0 && !json && c < n; c++)
		if (cols[c].kind == NS_COL_SUBJECT)
			out_printf("%s:%d: %s\n", cols[c].label, (int)cols[c].pid, cols[c].cmd);
	return rc;
}

/* The columns of `ns --all`, as lsns names them. */
enum all_col { ALL_NS, ALL_TYPE, ALL_NPROCS, ALL_PID, ALL_USER, ALL_COMMAND, ALL_NCOLS };
static const struct {
	const char *name;
	bool number; /* right-aligned, a JSON number */
} all_cols[ALL_NCOLS] = {
    [ALL_NS] = {"ns", true},   [ALL_TYPE] = {"type", false}, [ALL_NPROCS] = {"nprocs", true},
    [ALL_PID] = {"pid", true}, [ALL_USER] = {"user", false}, [ALL_COMMAND] = {"command", false},
};

static void all_line(struct libscols_table *tb, const struct ns_entry *e)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	char buf[32];
	snprintf(buf, sizeof(buf), "%lu", (unsigned long)e->ino);
	scols_line_set_data(ln, ALL_NS, buf);
	scols_line_set_data(ln, ALL_TYPE, ns_types[e->type].name);
	snprintf(buf, sizeof(buf), "%u", e->nprocs);
	scols_line_set_data(ln, ALL_NPROCS, buf);
	snprintf(buf, sizeof(buf), "%d", (int)e->pid);
	scols_line_set_data(ln, ALL_PID, buf);
	struct passwd *pw = getpwuid(e->uid);
	snprintf(buf, sizeof(buf), "%u", (unsigned)e->uid);
	scols_line_set_data(ln, ALL_USER, pw ? pw->pw_name : buf);
	scols_line_set_data(ln, ALL_COMMAND, e->comm);
}

int nstable_print_all(bool json)
{
	struct ns_entry *e = NULL;
	ssize_t n = nsview_scan_all(&e);
	if (n < 0) {
		out_error(_("ns --all: cannot read /proc"));
		return -1;
	}
	struct libscols_table *tb = scols_new_table();
	if (!tb) {
		free(e);
		return -1;
	}
	scols_table_enable_json(tb, json);
	scols_table_set_name(tb, "namespaces");
	for (size_t i = 0; i < ALL_NCOLS; i++) {
		bool num = all_cols[i].number;
		struct libscols_column *cl =
		    scols_table_new_column(tb, all_cols[i].name, 0, num ? SCOLS_FL_RIGHT : 0);
		if (cl && num)
			scols_column_set_json_type(cl, SCOLS_JSON_NUMBER);
	}
	for (ssize_t i = 0; i < n; i++)
		all_line(tb, &e[i]);
	free(e);
	return emit(tb);
}
