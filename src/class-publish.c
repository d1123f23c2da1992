/* SPDX-License-Identifier: GPL-2.0-or-later */
/* class-publish.c: see class-publish.h. What the file says comes from the
 * session's view and the progress store; the counters (checks failed on
 * this step, hints and `do`s in this lab) are kept here, since nothing else
 * needs them. */
#include "class-publish.h"
#include "class-status.h"
#include "output.h"
#include "session.h"
#include "state.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static struct {
	bool on, said; /* said: the last write failed and that was said */
	char dir[PATH_MAX];
	char name[128];
	struct class_status st;
} P;

/* This process's start time in clock ticks after boot (/proc/self/stat,
 * field 22): with the boot id it tells a live run from a reused PID. */
static long long start_time(void)
{
	char buf[1024];
	if (read_file("/proc/self/stat", buf, sizeof(buf)) < 0)
		return 0;
	char *p = strrchr(buf, ')'); /* the command name may hold spaces */
	long long t = 0;
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		t = strtoll(p + 1, NULL, 10);
	return t;
}

static void find_learner(struct class_status *s)
{
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(s->host, sizeof(s->host), "%s", u.nodename);
	const char *who = getenv("NSLAB_LEARNER");
	if (who && *who) {
		snprintf(s->learner, sizeof(s->learner), "%s", who);
		return;
	}
	struct passwd *pw = getpwuid(state_uid());
	if (pw)
		snprintf(s->learner, sizeof(s->learner), "%.31s@%.32s", pw->pw_name, s->host);
	else
		snprintf(s->learner, sizeof(s->learner), "%u@%.32s", (unsigned)state_uid(), s->host);
}

static void write_status(void)
{
	P.st.updated = time(NULL);
	if (class_status_write(P.dir, P.name, &P.st) == 0) {
		P.said = false;
		return;
	}
	if (P.said)
		return;
	P.said = true;
	out_kprintf(OUT_WARNING, "class view: cannot write %s/%s: %s\n", P.dir, P.name,
		    errno == ELOOP || errno == ENOTDIR ? "not a directory (or a symlink)" : strerror(errno));
}

/* The session's events (session_set_listener): counted, or the idle rewrite. */
static void on_session(enum session_event e)
{
	if (e == SESSION_EV_TICK)
		class_publish_tick();
	else
		class_publish_event(e == SESSION_EV_CHECK_FAILED ? CLASS_CHECK_FAILED
				    : e == SESSION_EV_HINT       ? CLASS_HINT
								 : CLASS_DO);
}

void class_publish_init(const char *dir)
{
	if (!dir)
		dir = getenv("NSLAB_CLASS_DIR");
	if (!dir || !*dir)
		return;
	P.on = true;
	session_set_listener(on_session);
	snprintf(P.dir, sizeof(P.dir), "%s", dir);
	find_learner(&P.st);
	if (class_status_file_name(P.st.learner, P.name, sizeof(P.name)) < 0)
		snprintf(P.name, sizeof(P.name), "uid%u.json", (unsigned)state_uid());
	char boot[64] = "";
	if (read_file("/proc/sys/kernel/random/boot_id", boot, sizeof(boot)) > 0)
		boot[strcspn(boot, "\n")] = '\0';
	snprintf(P.st.boot_id, sizeof(P.st.boot_id), "%.36s", boot);
	P.st.pid = getpid();
	P.st.start = start_time();
	P.st.since = time(NULL);
	write_status();
}

bool class_publish_on(void)
{
	return P.on;
}

/* Takes in the session's lab and step; a new lab or step starts its
 * counters afresh. */
static void follow_session(void)
{
	const struct session_view *v = session_view();
	const char *lab = v->lab ? v->lab->id : "";
	unsigned step = v->lab ? v->step : 0;
	if (strcmp(lab, P.st.lab) != 0) {
		snprintf(P.st.lab, sizeof(P.st.lab), "%s", lab);
		P.st.hints = P.st.dos = 0;
		P.st.step = UINT_MAX; /* below: a new step */
	}
	if (step != P.st.step) {
		P.st.step = step;
		P.st.since = time(NULL);
		P.st.failed = 0;
	}
	P.st.nsteps = v->lab ? v->nsteps : 0;
	P.st.done = v->lab ? state_done_count(lab) : 0;
	snprintf(P.st.title, sizeof(P.st.title), "%s", v->lab ? v->step_title : "");
}

void class_publish_event(enum class_event e)
{
	if (!P.on)
		return;
	follow_session();
	if (e == CLASS_CHECK_FAILED)
		P.st.failed++;
	else if (e == CLASS_HINT)
		P.st.hints++;
	else
		P.st.dos++;
}

void class_publish_command(void)
{
	if (!P.on)
		return;
	follow_session();
	P.st.last_cmd = time(NULL);
	write_status();
}

void class_publish_tick(void)
{
	if (P.on && time(NULL) - P.st.updated >= 60)
		write_status();
}

void class_publish_leave(void)
{
	if (!P.on || P.st.left)
		return;
	/* not followed: the lab is stopped by now, and the file is to say
	 * where the learner was when they left */
	P.st.left = true;
	write_status();
}
