/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_state.c: the progress store: mark/is_done/count/forget, a save+load
 * round trip in a temp dir given to state_init, and, when we are root, that
 * files and the directories made for them belong to SUDO_UID/SUDO_GID, that
 * symlinks the invoking user plants in the state dir never make root read or
 * write through them (D2), and that reading progress creates nothing (D17). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pwd.h>
#include <readline/history.h>

#include "repl.h"
#include "state.h"
#include "util.h"
#include "unit.h"

static char *dir;
static void sudo_nobody_done(void);

static int setup(void **state)
{
	(void)state;
	dir = unit_tmpdir();
	unsetenv("SUDO_UID");
	unsetenv("SUDO_GID");
	assert_int_equal(state_init(dir), 0);
	state_forget(NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sudo_nobody_done();
	state_forget(NULL);
	unsetenv("SUDO_UID");
	unsetenv("SUDO_GID");
	unit_rm_rf(dir);
	free(dir);
	return 0;
}

static void mark_and_count(void **state)
{
	(void)state;
	assert_false(state_is_done("uts", 1));
	assert_int_equal(state_done_count("uts"), 0);
	state_mark_done("uts", 1);
	state_mark_done("uts", 3);
	state_mark_done("uts", 3); /* twice is once */
	state_mark_done("chroot", 1);
	assert_true(state_is_done("uts", 1));
	assert_false(state_is_done("uts", 2));
	assert_true(state_is_done("uts", 3));
	assert_true(state_is_done("chroot", 1));
	assert_false(state_is_done("chroot", 3));
	assert_false(state_is_done("ut", 1)); /* whole ids only */
	assert_false(state_is_done("utsx", 1));
	assert_int_equal(state_done_count("uts"), 2);
	assert_int_equal(state_done_count("chroot"), 1);
	assert_int_equal(state_done_count("net"), 0);
	/* an id longer than a lab id can be is ignored, not truncated */
	state_mark_done("a23456789012345678901234567890123", 1);
	assert_false(state_is_done("a23456789012345678901234567890123", 1));
	assert_false(state_is_done("a2345678901234567890123456789012", 1));
	state_mark_done("a2345678901234567890123456789012", 1); /* 32: fine */
	assert_true(state_is_done("a2345678901234567890123456789012", 1));
}

static void forget_one_and_all(void **state)
{
	(void)state;
	state_mark_done("uts", 1);
	state_mark_done("chroot", 2);
	state_mark_done("uts", 2);
	state_forget("uts");
	assert_int_equal(state_done_count("uts"), 0);
	assert_true(state_is_done("chroot", 2));
	state_forget("nothing-here");
	assert_int_equal(state_done_count("chroot"), 1);
	state_mark_done("uts", 4);
	state_forget(NULL);
	assert_int_equal(state_done_count("uts"), 0);
	assert_int_equal(state_done_count("chroot"), 0);
}

static void save_load_round_trip(void **state)
{
	(void)state;
	_cleanup_free_ char *sub = NULL, *progress = NULL, *tmp = NULL;
	assert_true(asprintf(&sub, "%s/a/b/nslab", dir) > 0); /* made on first save */
	assert_int_equal(state_init(sub), 0);
	assert_string_equal(state_dir(), sub);
	assert_int_equal(state_load(), 0); /* nothing saved yet: not an error */
	assert_int_equal(state_done_count("uts"), 0);

	state_mark_done("uts", 1);
	state_mark_done("uts", 3);
	state_mark_done("pivot-root", 32);
	assert_int_equal(state_save(), 0);
	assert_true(asprintf(&progress, "%s/progress", sub) > 0);
	assert_true(asprintf(&tmp, "%s/progress.new", sub) > 0);
	_cleanup_free_ char *text = unit_slurp(progress);
	assert_non_null(text);
	assert_string_equal(text, "uts 1\nuts 3\npivot-root 32\n");
	assert_int_equal(access(tmp, F_OK), -1); /* renamed into place */
	struct stat st;
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	state_forget(NULL);
	assert_int_equal(state_load(), 0);
	assert_true(state_is_done("uts", 1));
	assert_false(state_is_done("uts", 2));
	assert_true(state_is_done("uts", 3));
	assert_true(state_is_done("pivot-root", 32));
	assert_int_equal(state_done_count("uts"), 2);
	/* loading again adds nothing twice */
	assert_int_equal(state_load(), 0);
	assert_int_equal(state_done_count("uts"), 2);
	/* forget + save empties the file */
	state_forget("uts");
	assert_int_equal(state_save(), 0);
	state_forget(NULL);
	assert_int_equal(state_load(), 0);
	assert_int_equal(state_done_count("uts"), 0);
	assert_true(state_is_done("pivot-root", 32));
}

static void load_skips_bad_steps(void **state)
{
	(void)state;
	_cleanup_free_ char *progress = NULL;
	assert_true(asprintf(&progress, "%s/progress", dir) > 0);
	assert_int_equal(unit_write(progress, "uts 0\nuts 33\nuts 2\n  chroot   4\nnet 1"), 0);
	assert_int_equal(state_load(), 0);
	assert_false(state_is_done("uts", 0));
	assert_false(state_is_done("uts", 33));
	assert_true(state_is_done("uts", 2));
	assert_true(state_is_done("chroot", 4));
	assert_true(state_is_done("net", 1)); /* no newline at the end */
	assert_int_equal(state_done_count("uts"), 1);
}

static void unreadable_and_unwritable(void **state)
{
	(void)state;
	if (geteuid() == 0)
		skip(); /* root reads and writes anything */
	_cleanup_free_ char *progress = NULL;
	assert_true(asprintf(&progress, "%s/progress", dir) > 0);
	assert_int_equal(unit_write(progress, "uts 1\n"), 0);
	assert_int_equal(chmod(progress, 0), 0);
	assert_int_equal(state_load(), -1);
	assert_int_equal(chmod(dir, 0500), 0);
	state_mark_done("uts", 2);
	assert_int_equal(state_save(), -1);
	chmod(dir, 0700);
}

static void state_write_makes_the_dir(void **state)
{
	(void)state;
	_cleanup_free_ char *sub = NULL, *want = NULL;
	assert_true(asprintf(&sub, "%s/x/y", dir) > 0);
	assert_int_equal(state_init(sub), 0);
	size_t len = 1;
	assert_null(state_read("history", 1024, &len)); /* not there yet */
	assert_int_equal(errno, ENOENT);
	assert_int_equal(state_write("history", "labs\n", 5, 0600), 0);
	assert_true(asprintf(&want, "%s/history", sub) > 0);
	_cleanup_free_ char *text = unit_slurp(want);
	assert_non_null(text);
	assert_string_equal(text, "labs\n");
	struct stat st;
	assert_int_equal(stat(sub, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	_cleanup_free_ char *back = state_read("history", 1024, &len);
	assert_non_null(back);
	assert_int_equal(len, 5);
	assert_string_equal(back, "labs\n");
	assert_null(state_read("history", 4, &len)); /* longer than asked for */
	assert_int_equal(errno, EFBIG);
}

static void user_from_sudo(void **state)
{
	(void)state;
	setenv("SUDO_UID", "4321", 1);
	setenv("SUDO_GID", "8765", 1);
	assert_int_equal(state_init(dir), 0);
	assert_int_equal(state_uid(), 4321);
	assert_int_equal(state_gid(), 8765);
	setenv("SUDO_UID", "", 1); /* empty: ourselves */
	unsetenv("SUDO_GID");
	assert_int_equal(state_init(dir), 0);
	assert_int_equal(state_uid(), getuid());
	assert_int_equal(state_gid(), getgid());
	/* default dir: $XDG_STATE_HOME/nslab when absolute */
	setenv("XDG_STATE_HOME", dir, 1);
	assert_int_equal(state_init(NULL), 0);
	_cleanup_free_ char *want = NULL;
	assert_true(asprintf(&want, "%s/nslab", dir) > 0);
	assert_string_equal(state_dir(), want);
	setenv("XDG_STATE_HOME", "relative/path", 1); /* ignored: not absolute */
	assert_int_equal(state_init(NULL), 0);
	assert_string_not_equal(state_dir(), "relative/path/nslab");
	assert_true(state_dir()[0] == '/');
	unsetenv("XDG_STATE_HOME");
}

static void owned_by_sudo_user(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	setenv("SUDO_UID", "4321", 1);
	setenv("SUDO_GID", "8765", 1);
	assert_int_equal(chmod(dir, 0777), 0); /* files are made as 4321: let it */
	_cleanup_free_ char *sub = NULL, *mid = NULL, *progress = NULL;
	assert_true(asprintf(&mid, "%s/home-state", dir) > 0);
	assert_true(asprintf(&sub, "%s/home-state/nslab", dir) > 0);
	assert_int_equal(state_init(sub), 0);
	state_mark_done("uts", 1);
	assert_int_equal(state_save(), 0);
	assert_true(asprintf(&progress, "%s/progress", sub) > 0);
	struct stat st;
	const char *paths[] = {progress, sub, mid}; /* the file and both dirs made for it */
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(stat(paths[i], &st), 0);
		if (st.st_uid != 4321 || st.st_gid != 8765)
			fail_msg("%s is owned by %u:%u, not 4321:8765", paths[i], (unsigned)st.st_uid,
				 (unsigned)st.st_gid);
	}
	/* a dir that was there already keeps its owner */
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_uid, 0);
	/* a history file written later belongs to the user too */
	_cleanup_free_ char *h = NULL;
	assert_true(asprintf(&h, "%s/history", sub) > 0);
	assert_int_equal(state_write("history", "labs\n", 5, 0600), 0);
	assert_int_equal(stat(h, &st), 0);
	assert_int_equal(st.st_uid, 4321);
	/* SUDO_UID=0 (root ran sudo): nothing is chowned */
	setenv("SUDO_UID", "0", 1);
	setenv("SUDO_GID", "0", 1);
	_cleanup_free_ char *rootsub = NULL, *rootprog = NULL;
	assert_true(asprintf(&rootsub, "%s/root-state", dir) > 0);
	assert_int_equal(state_init(rootsub), 0);
	assert_int_equal(state_save(), 0);
	assert_true(asprintf(&rootprog, "%s/progress", rootsub) > 0);
	assert_int_equal(stat(rootprog, &st), 0);
	assert_int_equal(st.st_uid, 0);
}

/* --- D2: root never reads, writes or chowns through what the user planted --- */

#define NOBODY 65534
#define SECRET "uts 1\nsecret-line\n" /* would show as progress and history if read */

static char *home, *xdg, *sdir, *vault, *secret, *old_home;

/* As root under sudo from nobody: SUDO_UID/SUDO_GID=65534, a HOME and an
 * XDG_STATE_HOME owned by nobody (state dir $XDG_STATE_HOME/nslab, not made
 * yet), and a root-only 0600 file in a root-only dir. False: not root. */
static bool as_sudo_nobody(void)
{
	if (geteuid() != 0)
		return false;
	assert_int_equal(chmod(dir, 0711), 0); /* nobody may pass through the temp dir */
	assert_true(asprintf(&home, "%s/home", dir) > 0);
	assert_true(asprintf(&xdg, "%s/home/state", dir) > 0);
	assert_true(asprintf(&sdir, "%s/home/state/nslab", dir) > 0);
	assert_true(asprintf(&vault, "%s/vault", dir) > 0);
	assert_true(asprintf(&secret, "%s/vault/secret", dir) > 0);
	const char *mine[] = {home, xdg};
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(mkdir(mine[i], 0700), 0);
		assert_int_equal(chown(mine[i], NOBODY, NOBODY), 0);
	}
	assert_int_equal(mkdir(vault, 0700), 0);
	assert_int_equal(unit_write(secret, SECRET), 0);
	assert_int_equal(chmod(secret, 0600), 0);
	setenv("SUDO_UID", "65534", 1);
	setenv("SUDO_GID", "65534", 1);
	free(old_home);
	old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	setenv("HOME", home, 1);
	setenv("XDG_STATE_HOME", xdg, 1);
	assert_int_equal(state_init(NULL), 0);
	assert_string_equal(state_dir(), sdir);
	clear_history();
	return true;
}

/* Also from teardown, after a failed assertion left the test midway. */
static void sudo_nobody_done(void)
{
	clear_history();
	unsetenv("XDG_STATE_HOME");
	if (home) {
		if (old_home)
			setenv("HOME", old_home, 1);
		else
			unsetenv("HOME");
	}
	free(old_home);
	old_home = NULL;
	free(home);
	free(xdg);
	free(sdir);
	free(vault);
	free(secret);
	home = xdg = sdir = vault = secret = NULL;
	cap_stop();
}

/* The root-only file is as it was: content, owner and mode. */
static void assert_secret_intact(void)
{
	struct stat st;
	assert_int_equal(lstat(secret, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_gid, 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	_cleanup_free_ char *text = unit_slurp(secret);
	assert_non_null(text);
	assert_string_equal(text, SECRET);
}

/* Makes the state dir as nobody would, and plants NAME -> TARGET in it. */
static char *plant(const char *name, const char *target)
{
	if (access(sdir, F_OK) != 0) {
		assert_int_equal(mkdir(sdir, 0700), 0);
		assert_int_equal(chown(sdir, NOBODY, NOBODY), 0);
	}
	char *link = NULL;
	assert_true(asprintf(&link, "%s/%s", sdir, name) > 0);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(lchown(link, NOBODY, NOBODY), 0);
	return link;
}

static void assert_symlink(const char *path)
{
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
}

static size_t history_entries(void)
{
	HIST_ENTRY **l = history_list();
	size_t n = 0;
	while (l && l[n])
		n++;
	return n;
}

static void symlinked_progress_new_is_refused(void **state)
{
	(void)state;
	if (!as_sudo_nobody())
		skip();
	_cleanup_free_ char *link = plant("progress.new", secret);
	cap_start();
	assert_int_equal(state_load(), 0);
	state_mark_done("uts", 2);
	assert_int_equal(state_save(), 0); /* kept in memory: said, not an error */
	assert_secret_intact();
	assert_symlink(link);
	assert_contains(cap_text(), "progress.new is a symlink");
	assert_contains(cap_text(), "kept in memory");
	const char *said = strstr(cap_text(), "is a symlink");
	/* progress still works in memory, and is refused in one line only */
	state_mark_done("uts", 3);
	assert_int_equal(state_save(), 0);
	assert_null(strstr(said + 1, "is a symlink"));
	assert_true(state_is_done("uts", 2));
	assert_true(state_is_done("uts", 3));
	assert_int_equal(state_done_count("uts"), 2);
	add_history("labs");
	repl_history_save(); /* the session keeps history in memory too */
	assert_secret_intact();
	_cleanup_free_ char *p = NULL, *h = NULL;
	assert_true(asprintf(&p, "%s/progress", sdir) > 0);
	assert_true(asprintf(&h, "%s/history", sdir) > 0);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(access(h, F_OK), -1);
	sudo_nobody_done();
}

static void symlinked_progress_is_not_read(void **state)
{
	(void)state;
	if (!as_sudo_nobody())
		skip();
	_cleanup_free_ char *link = plant("progress", secret);
	cap_start();
	state_load();
	assert_false(state_is_done("uts", 1)); /* the secret's "uts 1" was not read */
	assert_contains(cap_text(), "progress is a symlink");
	state_mark_done("uts", 2);
	assert_int_equal(state_save(), 0);
	assert_true(state_is_done("uts", 2));
	assert_secret_intact();
	assert_symlink(link);
	sudo_nobody_done();
}

static void symlinked_history_is_not_read(void **state)
{
	(void)state;
	if (!as_sudo_nobody())
		skip();
	_cleanup_free_ char *link = plant("history", secret);
	cap_start();
	repl_history_load();
	assert_int_equal(history_entries(), 0); /* nothing of the secret echoed into history */
	assert_contains(cap_text(), "history is a symlink");
	add_history("labs");
	repl_history_save();
	assert_secret_intact();
	assert_symlink(link);
	sudo_nobody_done();
}

static void symlinked_state_dir_is_refused(void **state)
{
	(void)state;
	if (!as_sudo_nobody())
		skip();
	assert_int_equal(symlink(vault, sdir), 0);
	assert_int_equal(lchown(sdir, NOBODY, NOBODY), 0);
	cap_start();
	assert_int_equal(state_load(), 0);
	state_mark_done("uts", 1);
	assert_int_equal(state_save(), 0);
	add_history("labs");
	repl_history_save();
	assert_contains(cap_text(), "nslab is a symlink");
	assert_true(state_is_done("uts", 1));
	assert_secret_intact();
	assert_symlink(sdir);
	DIR *d = opendir(vault); /* nothing was made behind the link */
	assert_non_null(d);
	struct dirent *e;
	size_t n = 0;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	assert_int_equal(n, 1);
	sudo_nobody_done();
}

static void saved_files_belong_to_the_user(void **state)
{
	(void)state;
	if (!as_sudo_nobody())
		skip();
	assert_int_equal(state_load(), 0);
	state_mark_done("uts", 1);
	assert_int_equal(state_save(), 0);
	add_history("start uts");
	add_history("check");
	repl_history_save();
	_cleanup_free_ char *p = NULL, *h = NULL, *t = NULL;
	assert_true(asprintf(&p, "%s/progress", sdir) > 0);
	assert_true(asprintf(&h, "%s/history", sdir) > 0);
	assert_true(asprintf(&t, "%s/progress.new", sdir) > 0);
	const char *paths[] = {sdir, p, h};
	for (size_t i = 0; i < 3; i++) {
		struct stat st;
		assert_int_equal(lstat(paths[i], &st), 0);
		if (st.st_uid != NOBODY || st.st_gid != NOBODY)
			fail_msg("%s is owned by %u:%u, not nobody", paths[i], (unsigned)st.st_uid,
				 (unsigned)st.st_gid);
	}
	struct stat st;
	assert_int_equal(lstat(sdir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(lstat(h, &st), 0);
	assert_int_equal(st.st_mode & 0077, 0); /* the commands typed are the user's only */
	assert_int_equal(access(t, F_OK), -1);
	_cleanup_free_ char *text = unit_slurp(h);
	assert_non_null(text);
	assert_string_equal(text, "start uts\ncheck\n");
	/* read back as the user */
	clear_history();
	state_forget(NULL);
	assert_int_equal(state_load(), 0);
	assert_true(state_is_done("uts", 1));
	repl_history_load();
	assert_int_equal(history_entries(), 2);
	assert_string_equal(history_get(history_base)->line, "start uts");
	sudo_nobody_done();
}

/* Under sudo the default dir is in the user's home from passwd, never in
 * $HOME (root's, or whatever the environment says). */
static void sudo_home_is_the_users(void **state)
{
	(void)state;
	if (!as_sudo_nobody())
		skip();
	struct passwd *pw = getpwuid(NOBODY);
	if (!pw)
		skip();
	gid_t pw_gid = pw->pw_gid; /* pw is overwritten by state_init's getpwuid */
	_cleanup_free_ char *want = NULL;
	assert_true(asprintf(&want, "%s/.local/state/nslab", pw->pw_dir) > 0);
	unsetenv("XDG_STATE_HOME");
	assert_int_equal(state_init(NULL), 0);
	assert_string_equal(state_dir(), want);
	/* no SUDO_GID: the user's own group, not root's */
	unsetenv("SUDO_GID");
	assert_int_equal(state_init(NULL), 0);
	assert_int_equal(state_gid(), pw_gid);
	/* a uid with no passwd entry: no dir at all rather than $HOME's */
	setenv("SUDO_UID", "4321", 1);
	setenv("SUDO_GID", "4321", 1);
	if (!getpwuid(4321)) {
		assert_int_equal(state_init(NULL), -1);
		assert_string_equal(state_dir(), "");
		state_mark_done("uts", 1);
		assert_int_equal(state_save(), -1);
		assert_true(state_is_done("uts", 1));
	}
	sudo_nobody_done();
}

/* Root's own supplementary groups (0) are not used: a root-group-writable dir
 * that nobody cannot write stays unwritten. */
static void root_groups_reach_no_further(void **state)
{
	(void)state;
	if (!as_sudo_nobody())
		skip();
	_cleanup_free_ char *grp = NULL, *gsub = NULL;
	assert_true(asprintf(&grp, "%s/rootgroup", dir) > 0);
	assert_true(asprintf(&gsub, "%s/rootgroup/nslab", dir) > 0);
	assert_int_equal(mkdir(grp, 0770), 0);
	assert_int_equal(chmod(grp, 0770), 0);
	assert_int_equal(chown(grp, 0, 0), 0);
	assert_int_equal(state_init(gsub), 0);
	assert_false(state_writable());
	state_mark_done("uts", 1);
	assert_int_equal(state_save(), -1);
	assert_int_equal(access(gsub, F_OK), -1);
	assert_true(state_is_done("uts", 1));
	sudo_nobody_done();
}

/* --- D17: reading progress or history creates nothing --- */

static void reading_creates_nothing(void **state)
{
	(void)state;
	_cleanup_free_ char *top = NULL, *sub = NULL;
	assert_true(asprintf(&top, "%s/a", dir) > 0);
	assert_true(asprintf(&sub, "%s/a/b/nslab", dir) > 0);
	for (int sudo = 0; sudo < 2; sudo++) {
		if (sudo) {
			if (!as_sudo_nobody())
				break;
			assert_int_equal(chmod(dir, 0777), 0); /* nobody could make it */
		}
		assert_int_equal(state_init(sub), 0);
		assert_int_equal(state_load(), 0);
		assert_true(state_writable()); /* it could be made */
		clear_history();
		repl_history_load();
		repl_history_save(); /* no history: nothing to save */
		cap_start();
		assert_int_equal(repl_exec("progress"), REPL_OK); /* what the fuzzers run */
		assert_contains(cap_text(), sub);
		cap_stop();
		assert_int_equal(access(top, F_OK), -1);
		/* the first real save makes it */
		state_mark_done("uts", 1);
		assert_int_equal(state_save(), 0);
		assert_int_equal(access(sub, F_OK), 0);
		unit_rm_rf(top);
		state_forget(NULL);
		if (sudo)
			sudo_nobody_done();
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(mark_and_count),
	    T(forget_one_and_all),
	    T(save_load_round_trip),
	    T(load_skips_bad_steps),
	    T(unreadable_and_unwritable),
	    T(state_write_makes_the_dir),
	    T(user_from_sudo),
	    T(owned_by_sudo_user),
	    T(symlinked_progress_new_is_refused),
	    T(symlinked_progress_is_not_read),
	    T(symlinked_history_is_not_read),
	    T(symlinked_state_dir_is_refused),
	    T(saved_files_belong_to_the_user),
	    T(sudo_home_is_the_users),
	    T(root_groups_reach_no_further),
	    T(reading_creates_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
