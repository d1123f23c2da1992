/* test_state.c: the progress store: mark/is_done/count/forget, a save+load
 * round trip in a temp dir given to state_init, and, when we are root, that
 * files and the directories made for them belong to SUDO_UID/SUDO_GID. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "state.h"
#include "util.h"
#include "unit.h"

static char *dir;

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

static void state_file_makes_the_dir(void **state)
{
	(void)state;
	_cleanup_free_ char *sub = NULL, *want = NULL;
	assert_true(asprintf(&sub, "%s/x/y", dir) > 0);
	assert_int_equal(state_init(sub), 0);
	const char *p = state_file("history");
	assert_non_null(p);
	assert_true(asprintf(&want, "%s/history", sub) > 0);
	assert_string_equal(p, want);
	struct stat st;
	assert_int_equal(stat(sub, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
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
	/* a history file written later is given away too */
	const char *h = state_file("history");
	assert_non_null(h);
	assert_int_equal(unit_write(h, "labs\n"), 0);
	state_chown(h);
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

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(mark_and_count),
		T(forget_one_and_all),
		T(save_load_round_trip),
		T(load_skips_bad_steps),
		T(unreadable_and_unwritable),
		T(state_file_makes_the_dir),
		T(user_from_sudo),
		T(owned_by_sudo_user),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
