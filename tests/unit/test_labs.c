/* test_labs.c: the plugin loader. Small plugins are compiled at test time
 * from the C strings below (cc -shared -fPIC -I<repo>/src) into a temp dir:
 * a good one, a wrong ABI, a missing entry symbol, a truncated file, a
 * duplicate id; labs_validate's reasons are checked on in-memory descriptors.
 * Needs no root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>

#include "labs.h"
#include "util.h"
#include "unit.h"

static char *dir;

static int setup_dir(void **state)
{
	(void)state;
	dir = unit_tmpdir();
	return 0;
}

static int teardown_dir(void **state)
{
	(void)state;
	labs_unload_all();
	unit_rm_rf(dir);
	free(dir);
	dir = NULL;
	return 0;
}

/* A subdirectory of the temp dir, made on demand. */
static char *subdir(const char *name)
{
	char *p;
	if (asprintf(&p, "%s/%s", dir, name) < 0 || (mkdir(p, 0755) < 0 && errno != EEXIST))
		abort();
	return p;
}

static void good_plugin_loads(void **state)
{
	(void)state;
	char why[256] = "";
	_cleanup_free_ char *so = unit_good_plugin(dir, "good", "good", 10);
	assert_non_null(so);
	assert_int_equal(labs_load_file(so, why, sizeof(why)), 0);
	assert_int_equal(labs_count(), 1);
	const struct nslab_lab *l = labs_find("good");
	assert_non_null(l);
	assert_ptr_equal(labs_get(0), l);
	assert_null(labs_get(1));
	assert_string_equal(l->title, "Title of good");
	assert_int_equal(l->nsteps, 1);
	assert_true(l->steps[0].check(NULL));
	assert_null(labs_find("nope"));
}

static void wrong_abi_is_skipped(void **state)
{
	(void)state;
	char why[256] = "";
	_cleanup_free_ char *so = unit_build_plugin(dir, "abi",
		"#include \"nslab-lab.h\"\n"
		"static bool check(struct nslab_host *h) { (void)h; return true; }\n"
		"static int setup(struct nslab_host *h) { (void)h; return 0; }\n"
		"static const struct nslab_step steps[] = {{\"t\", \"task\", 0, 0, check, 0}};\n"
		"static const struct nslab_lab lab = {\n"
		"  .abi_major = NSLAB_ABI_MAJOR + 98, .size = sizeof(struct nslab_lab),\n"
		"  .id = \"abi\", .title = \"t\", .summary = \"s\", .steps = steps, .nsteps = 1,\n"
		"  .setup = setup };\n"
		"NSLAB_LAB(lab)\n");
	assert_non_null(so);
	assert_int_equal(labs_load_file(so, why, sizeof(why)), -1);
	assert_contains(why, "ABI 99");
	assert_int_equal(labs_count(), 0);
	assert_null(labs_find("abi"));
}

static void missing_symbol_is_skipped(void **state)
{
	(void)state;
	char why[256] = "";
	/* A valid shared object that simply is not a lab; and one whose entry
	 * point exists but is not exported (hidden), as when NSLAB_LAB is
	 * forgotten and the function is written by hand. */
	_cleanup_free_ char *so = unit_build_plugin(dir, "nosym", "int something_else(void) { return 1; }\n");
	assert_non_null(so);
	assert_int_equal(labs_load_file(so, why, sizeof(why)), -1);
	assert_contains(why, "no nslab_lab() function");

	_cleanup_free_ char *hidden = unit_build_plugin(dir, "hidden",
		"#include \"nslab-lab.h\"\n"
		"const struct nslab_lab *nslab_lab(void);\n"
		"const struct nslab_lab *nslab_lab(void) { return 0; }\n");
	assert_non_null(hidden);
	why[0] = '\0';
	assert_int_equal(labs_load_file(hidden, why, sizeof(why)), -1);
	assert_contains(why, "no nslab_lab() function");
	assert_int_equal(labs_count(), 0);
}

static void null_descriptor_is_skipped(void **state)
{
	(void)state;
	char why[256] = "";
	_cleanup_free_ char *so = unit_build_plugin(dir, "null",
		"#include \"nslab-lab.h\"\n"
		"__attribute__((visibility(\"default\"))) const struct nslab_lab *nslab_lab(void);\n"
		"const struct nslab_lab *nslab_lab(void) { return 0; }\n");
	assert_non_null(so);
	assert_int_equal(labs_load_file(so, why, sizeof(why)), -1);
	assert_contains(why, "returned NULL");
}

static void truncated_file_is_skipped(void **state)
{
	(void)state;
	char why[512] = "";
	_cleanup_free_ char *so = unit_good_plugin(dir, "trunc", "trunc", 1);
	assert_non_null(so);
	assert_int_equal(truncate(so, 100), 0); /* an ELF header cut short */
	assert_int_equal(labs_load_file(so, why, sizeof(why)), -1);
	assert_true(strlen(why) > 0);
	assert_int_equal(labs_count(), 0);

	/* Not ELF at all, and a file that does not exist. */
	char txt[PATH_MAX];
	snprintf(txt, sizeof(txt), "%s/text.so", dir);
	assert_int_equal(unit_write(txt, "this is not a shared object\n"), 0);
	why[0] = '\0';
	assert_int_equal(labs_load_file(txt, why, sizeof(why)), -1);
	assert_true(strlen(why) > 0);
	snprintf(txt, sizeof(txt), "%s/absent.so", dir);
	why[0] = '\0';
	assert_int_equal(labs_load_file(txt, why, sizeof(why)), -1);
	assert_true(strlen(why) > 0);
	assert_int_equal(labs_count(), 0);
}

static void duplicate_id_is_skipped(void **state)
{
	(void)state;
	char why[256] = "";
	_cleanup_free_ char *a = unit_good_plugin(dir, "dup1", "same", 1);
	_cleanup_free_ char *b = unit_good_plugin(dir, "dup2", "same", 2);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(labs_load_file(a, why, sizeof(why)), 0);
	assert_int_equal(labs_load_file(b, why, sizeof(why)), -1);
	assert_contains(why, "duplicate lab id 'same'");
	assert_int_equal(labs_count(), 1);
	/* The first one stays, and still works after the second was closed. */
	const struct nslab_lab *l = labs_find("same");
	assert_non_null(l);
	assert_int_equal(l->order, 1);
	assert_string_equal(l->title, "Title of same");
	/* Loading the very same file again is a duplicate too. */
	assert_int_equal(labs_load_file(a, why, sizeof(why)), -1);
	assert_int_equal(labs_count(), 1);
	assert_non_null(labs_find("same")->title);
}

/* Reads what load_path printed to stderr while it ran. */
static char *stderr_of_load_path(const char *path, int *loaded)
{
	char log[PATH_MAX];
	snprintf(log, sizeof(log), "%s/stderr.log", dir);
	fflush(stderr);
	int saved = dup(2), fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	*loaded = labs_load_path(path);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	return unit_slurp(log);
}

static void load_path_sorts_and_reports(void **state)
{
	(void)state;
	_cleanup_free_ char *d1 = subdir("one"), *d2 = subdir("two");
	free(unit_good_plugin(d1, "zeta", "zeta", 1));
	free(unit_good_plugin(d1, "alpha", "alpha", 2));
	free(unit_good_plugin(d2, "beta", "beta", 2));
	free(unit_good_plugin(d2, "again", "zeta", 5)); /* duplicate across dirs */
	char junk[PATH_MAX];
	snprintf(junk, sizeof(junk), "%s/broken.so", d2);
	assert_int_equal(unit_write(junk, "junk"), 0);
	snprintf(junk, sizeof(junk), "%s/README", d2); /* not *.so: ignored silently */
	assert_int_equal(unit_write(junk, "junk"), 0);

	char path[2 * PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s:%s/missing-dir:%s", d1, dir, d2);
	int loaded = 0;
	_cleanup_free_ char *err = stderr_of_load_path(path, &loaded);
	assert_int_equal(loaded, 3);
	assert_int_equal(labs_count(), 3);
	/* curriculum order, then id */
	assert_string_equal(labs_get(0)->id, "zeta");
	assert_string_equal(labs_get(1)->id, "alpha");
	assert_string_equal(labs_get(2)->id, "beta");
	/* one line per skipped file, none for the rest */
	assert_contains(err, "nslab: skipping ");
	assert_contains(err, "again.so: duplicate lab id 'zeta'");
	assert_contains(err, "broken.so: ");
	assert_not_contains(err, "README");
	assert_not_contains(err, "alpha.so");
	size_t lines = 0;
	for (const char *p = err; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 2);
}

static void closest_and_helper(void **state)
{
	(void)state;
	_cleanup_free_ char *d = subdir("labs");
	free(unit_good_plugin(d, "pivot", "pivot-root", 1));
	free(unit_good_plugin(d, "chroot", "chroot", 2));
	char helper[PATH_MAX];
	snprintf(helper, sizeof(helper), "%s/nslab-helper", d);
	assert_int_equal(unit_write(helper, "#!/bin/sh\n"), 0);
	assert_int_equal(chmod(helper, 0755), 0);
	snprintf(helper, sizeof(helper), "%s/not-exec", d);
	assert_int_equal(unit_write(helper, "data"), 0);
	assert_int_equal(labs_load_path(d), 2);

	assert_string_equal(labs_closest("pivot"), "pivot-root"); /* a prefix */
	assert_string_equal(labs_closest("chrot"), "chroot");     /* one edit */
	assert_string_equal(labs_closest("chroot"), "chroot");
	assert_null(labs_closest("network"));

	const char *h = labs_helper("nslab-helper");
	assert_non_null(h);
	snprintf(helper, sizeof(helper), "%s/nslab-helper", d);
	assert_string_equal(h, helper);
	assert_null(labs_helper("not-exec"));
	assert_null(labs_helper("absent"));
	assert_null(labs_helper("../labs/nslab-helper")); /* no paths */
}

static void unload_all_forgets(void **state)
{
	(void)state;
	char why[256];
	_cleanup_free_ char *so = unit_good_plugin(dir, "once", "once", 1);
	assert_int_equal(labs_load_file(so, why, sizeof(why)), 0);
	labs_unload_all();
	assert_int_equal(labs_count(), 0);
	assert_null(labs_find("once"));
	assert_int_equal(labs_load_file(so, why, sizeof(why)), 0); /* loadable again */
	assert_int_equal(labs_count(), 1);
}

/* --- labs_validate on in-memory descriptors --- */

static bool ok_check(struct nslab_host *h) { (void)h; return true; }
static int ok_setup(struct nslab_host *h) { (void)h; return 0; }
static int ok_cmd(struct nslab_host *h, int argc, char **argv) { (void)h; (void)argc; (void)argv; return 0; }

static const struct nslab_step steps[2] = {
	{"One", "task one", NULL, NULL, ok_check, NULL},
	{"Two", "task two", "hint", "explain", ok_check, NULL},
};
static struct nslab_step many_steps[33];
static const struct nslab_command cmds[1] = {{"quota", "quota N", "set it", 1, 1, ok_cmd}};

static struct nslab_lab valid(void)
{
	return (struct nslab_lab){
		.abi_major = NSLAB_ABI_MAJOR, .size = sizeof(struct nslab_lab), .id = "ok-lab2",
		.title = "T", .summary = "S", .steps = steps, .nsteps = 2, .setup = ok_setup,
		.commands = cmds, .ncommands = 1,
	};
}

/* Expect labs_validate to reject d with a reason containing `reason`. */
#define REJECTS(d, reason)                                                          \
	do {                                                                         \
		char why_[256] = "";                                                 \
		struct nslab_lab d_ = (d);                                           \
		assert_int_equal(labs_validate(&d_, why_, sizeof(why_)), -1);        \
		assert_contains(why_, reason);                                       \
	} while (0)

static void validate_reasons(void **state)
{
	(void)state;
	char why[256] = "";
	struct nslab_lab d = valid();
	assert_int_equal(labs_validate(&d, why, sizeof(why)), 0);
	assert_int_equal(labs_validate(NULL, why, sizeof(why)), -1);
	assert_contains(why, "NULL");

	d = valid(); d.abi_major = 0;            REJECTS(d, "ABI 0");
	d = valid(); d.size = 8;                 REJECTS(d, "too small (8 bytes");
	d = valid(); d.id = NULL;                REJECTS(d, "bad lab id");
	d = valid(); d.id = "";                  REJECTS(d, "bad lab id");
	d = valid(); d.id = "Upper";             REJECTS(d, "bad lab id");
	d = valid(); d.id = "has space";         REJECTS(d, "bad lab id");
	d = valid(); d.id = "under_score";       REJECTS(d, "bad lab id");
	d = valid(); d.id = "a23456789012345678901234567890123"; REJECTS(d, "bad lab id"); /* 33 */
	d = valid(); d.id = "a2345678901234567890123456789012";
	assert_int_equal(labs_validate(&d, why, sizeof(why)), 0); /* 32 is the limit */
	d = valid(); d.title = NULL;             REJECTS(d, "lab 'ok-lab2' has no title or summary");
	d = valid(); d.summary = NULL;           REJECTS(d, "no title or summary");
	d = valid(); d.nsteps = 0;               REJECTS(d, "1 to 32 steps, has 0");
	d = valid(); d.steps = NULL;             REJECTS(d, "1 to 32 steps");
	for (size_t i = 0; i < 33; i++)
		many_steps[i] = steps[0];
	d = valid(); d.steps = many_steps; d.nsteps = 33; REJECTS(d, "1 to 32 steps, has 33");
	d = valid(); d.steps = many_steps; d.nsteps = 32;
	assert_int_equal(labs_validate(&d, why, sizeof(why)), 0);
	d = valid(); d.setup = NULL;             REJECTS(d, "has no setup function");

	struct nslab_step bad[2] = {steps[0], steps[1]};
	d = valid(); d.steps = bad;
	bad[1].check = NULL;                     REJECTS(d, "step 2 lacks a title, task or check");
	bad[1] = steps[1]; bad[1].title = NULL;  REJECTS(d, "step 2 lacks");
	bad[1] = steps[1]; bad[1].task = NULL;   REJECTS(d, "step 2 lacks");
	bad[1] = steps[1]; bad[0].check = NULL;  REJECTS(d, "step 1 lacks");
	/* hint, explain and perform are optional */
	bad[0] = steps[0];
	bad[0].hint = bad[0].explain = NULL;
	bad[0].perform = NULL;
	assert_int_equal(labs_validate(&d, why, sizeof(why)), 0);

	d = valid(); d.commands = NULL;          REJECTS(d, "declares commands but has none");
	struct nslab_command badc[1] = {cmds[0]};
	d = valid(); d.commands = badc;
	badc[0].fn = NULL;                       REJECTS(d, "command 1 lacks a name or function");
	badc[0] = cmds[0]; badc[0].name = NULL;  REJECTS(d, "command 1 lacks");
	d = valid(); d.commands = NULL; d.ncommands = 0;
	assert_int_equal(labs_validate(&d, why, sizeof(why)), 0);

	/* the reason is cut to the buffer, never overrun */
	char tiny[8];
	memset(tiny, 'x', sizeof(tiny));
	d = valid(); d.setup = NULL;
	assert_int_equal(labs_validate(&d, tiny, 5), -1);
	assert_int_equal(strlen(tiny), 4);
	assert_int_equal(tiny[5], 'x');
}

static void default_path_has_installed_dir(void **state)
{
	(void)state;
	const char *p = labs_default_path();
	assert_non_null(p);
	assert_contains(p, NSLAB_LABDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(good_plugin_loads, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(wrong_abi_is_skipped, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(missing_symbol_is_skipped, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(null_descriptor_is_skipped, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(truncated_file_is_skipped, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(duplicate_id_is_skipped, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(load_path_sorts_and_reports, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(closest_and_helper, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(unload_all_forgets, setup_dir, teardown_dir),
		cmocka_unit_test(validate_reasons),
		cmocka_unit_test(default_path_has_installed_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
