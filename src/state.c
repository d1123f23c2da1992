/* state.c: completed steps per lab, one "LAB STEP" line each in
 * <state dir>/progress. */
#include "state.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct done {
	char lab[33];
	unsigned step;
};

static int make_dir(void);
static struct done *done;
static size_t ndone;
static char dir[PATH_MAX];
static uid_t uid;
static gid_t gid;

static void find_user(void)
{
	const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
	uid = su && *su ? (uid_t)strtoul(su, NULL, 10) : getuid();
	gid = sg && *sg ? (gid_t)strtoul(sg, NULL, 10) : getgid();
}

int state_init(const char *where)
{
	find_user();
	if (where) {
		snprintf(dir, sizeof(dir), "%s", where);
		return 0;
	}
	const char *xdg = getenv("XDG_STATE_HOME");
	if (xdg && *xdg == '/') {
		snprintf(dir, sizeof(dir), "%s/nslab", xdg);
		return 0;
	}
	struct passwd *pw = getpwuid(uid);
	const char *home = pw ? pw->pw_dir : getenv("HOME");
	if (!home)
		return -1;
	snprintf(dir, sizeof(dir), "%s/.local/state/nslab", home);
	return 0;
}

const char *state_dir(void) { return dir; }
uid_t state_uid(void) { return uid; }

bool state_writable(void)
{
	return dir[0] && make_dir() == 0 && access(dir, W_OK) == 0;
}
gid_t state_gid(void) { return gid; }

void state_chown(const char *path)
{
	if (geteuid() == 0 && uid != 0)
		(void)!chown(path, uid, gid);
}

/* Creates the state dir (and the parents that are missing) for the user. */
static int make_dir(void)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (access(buf, F_OK) < 0 && mkdir_p(buf, 0700) == 0)
			state_chown(buf);
		*p = '/';
	}
	if (access(buf, F_OK) == 0)
		return 0;
	if (mkdir_p(buf, 0700) < 0)
		return -1;
	state_chown(buf);
	return 0;
}

const char *state_file(const char *name)
{
	static char path[PATH_MAX + 64];
	if (!dir[0] || make_dir() < 0)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

bool state_is_done(const char *lab, unsigned step)
{
	for (size_t i = 0; i < ndone; i++)
		if (done[i].step == step && strcmp(done[i].lab, lab) == 0)
			return true;
	return false;
}

void state_mark_done(const char *lab, unsigned step)
{
	if (state_is_done(lab, step) || strlen(lab) > 32)
		return;
	struct done *n = realloc(done, (ndone + 1) * sizeof(*n));
	if (!n)
		return;
	done = n;
	snprintf(done[ndone].lab, sizeof(done[ndone].lab), "%s", lab);
	done[ndone].step = step;
	ndone++;
}

unsigned state_done_count(const char *lab)
{
	unsigned n = 0;
	for (size_t i = 0; i < ndone; i++)
		n += strcmp(done[i].lab, lab) == 0;
	return n;
}

void state_forget(const char *lab)
{
	size_t k = 0;
	for (size_t i = 0; i < ndone; i++)
		if (lab && strcmp(done[i].lab, lab) != 0)
			done[k++] = done[i];
	ndone = k;
}

int state_load(void)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/progress", dir);
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -1;
	char line[128], lab[64];
	unsigned step;
	while (fgets(line, sizeof(line), f)) /* a malformed line is skipped, not the rest */
		if (sscanf(line, "%32s %u", lab, &step) == 2 && step >= 1 && step <= 32)
			state_mark_done(lab, step);
	fclose(f);
	return 0;
}

int state_save(void)
{
	const char *path = state_file("progress");
	if (!path)
		return -1;
	char tmp[PATH_MAX + 80];
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return -1;
	for (size_t i = 0; i < ndone; i++)
		fprintf(f, "%s %u\n", done[i].lab, done[i].step);
	if (fclose(f) != 0)
		return -1;
	state_chown(tmp);
	return rename(tmp, path);
}
