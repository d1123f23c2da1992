/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_labs.c: the plugin loader. Small plugins are compiled at test time
 * from the C strings below (cc -shared -fPIC -I<repo>/src) into a temp dir:
 * a good one, a wrong ABI, a missing entry symbol, a truncated file, a
 * duplicate id, an entry point that is data or lives in another object, a
 * descriptor outside the plugin, an ABI 1 plugin, and (ABI 2) plugins whose
 * steps and commands are shorter or longer than the host's, read at their own
 * element size; labs_validate's reasons are checked on
 * in-memory descriptors. The owner and mode checks (D8) need root and are
 * skipped without it; everything else needs no root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <locale.h>
#include <pwd.h>
#include <poll.h>
#include <termios.h>

#include "i18n.h"
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
	_cleanup_free_ char *so = unit_build_plugin(
	    dir, "abi",
	    "#include \"nslab-lab.h\"\n"
	    "static bool check(struct nslab_host *h) { (void)h; return true; }\n"
	    "static int setup(struct nslab_host *h) { (void)h; return 0; }\n"
	    "static const struct nslab_step steps[] = {{\"t\", \"task\", 0, 0, check, 0}};\n"
	    "static const struct nslab_lab lab = {\n"
	    "  .abi_major = 99, .size = sizeof(struct nslab_lab),\n"
	    "  .id = \"abi\", .title = \"t\", .summary = \"s\", NSLAB_STEPS(steps),\n"
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

	_cleanup_free_ char *hidden =
	    unit_build_plugin(dir, "hidden",
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
	_cleanup_free_ char *so = unit_build_plugin(
	    dir, "null",
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

/* What fn printed to stderr while it ran. */
static char *stderr_of(void (*fn)(void *), void *arg)
{
	char log[PATH_MAX];
	snprintf(log, sizeof(log), "%s/stderr-fn.log", dir);
	fflush(stderr);
	int saved = dup(2), fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	return unit_slurp(log);
}

struct load_call {
	const char *path;
	int loaded;
};
static void load_path_fn(void *arg)
{
	struct load_call *c = arg;
	c->loaded = labs_load_path(c->path);
}

/* Reads what load_path printed to stderr while it ran. */
static char *stderr_of_load_path(const char *path, int *loaded)
{
	struct load_call c = {path, 0};
	char *err = stderr_of(load_path_fn, &c);
	*loaded = c.loaded;
	return err;
}

static void scan(void *path)
{
	assert_int_equal(labs_scan_path(path), 3);
}
static void find_first(void *id)
{
	assert_non_null(labs_find(id));
}
static void count_all(void *want)
{
	assert_int_equal(labs_count(), *(size_t *)want);
}

/* A scanned path loads a plugin when it is first needed: starting one lab
 * dlopens its own file only, so a broken neighbour says so only when every
 * lab is wanted (`labs`), and the answers are those of a full load. */
static void scan_loads_on_demand(void **state)
{
	(void)state;
	_cleanup_free_ char *d1 = subdir("lazy");
	free(unit_good_plugin(d1, "first", "first", 1));
	free(unit_good_plugin(d1, "second", "second", 2));
	char junk[PATH_MAX];
	snprintf(junk, sizeof(junk), "%s/broken.so", d1);
	assert_int_equal(unit_write(junk, "junk"), 0);

	_cleanup_free_ char *e1 = stderr_of(scan, d1);
	assert_string_equal(e1, "");
	_cleanup_free_ char *e2 = stderr_of(find_first, "second");
	assert_string_equal(e2, ""); /* broken.so was not opened */
	size_t want = 2;
	_cleanup_free_ char *e3 = stderr_of(count_all, &want);
	assert_contains(e3, "broken.so: ");
	assert_string_equal(labs_get(0)->id, "first");
	assert_string_equal(labs_get(1)->id, "second");
	assert_null(labs_find("third"));
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

/* --- D9: the entry point and the descriptor must be the plugin's own --- */

/* Like unit_build_plugin, with more compiler arguments (NULL-terminated). */
static char *build_so(const char *d, const char *name, const char *source, const char *const *extra)
{
	char c_path[PATH_MAX], so_path[PATH_MAX], inc[PATH_MAX + 16];
	snprintf(c_path, sizeof(c_path), "%s/%s.c", d, name);
	snprintf(so_path, sizeof(so_path), "%s/%s.so", d, name);
	snprintf(inc, sizeof(inc), "-I%s", unit_src_dir());
	if (unit_write(c_path, source) < 0)
		return NULL;
	const char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
	const char *argv[32] = {cc,  "-std=gnu11", "-shared", "-fPIC", "-fvisibility=hidden",
				inc, "-o",         so_path,   c_path};
	size_t n = 9;
	for (size_t i = 0; extra && extra[i] && n < 31; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		execvp(cc, (char *const *)argv);
		_exit(127);
	}
	int st = -1;
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return NULL;
	return strdup(so_path);
}

#define LAB_BODY                                                                                             \
	"#include \"nslab-lab.h\"\n"                                                                         \
	"#include <stdlib.h>\n"                                                                              \
	"#include <string.h>\n"                                                                              \
	"static bool check(struct nslab_host *h) { (void)h; return true; }\n"                                \
	"static int setup(struct nslab_host *h) { (void)h; return 0; }\n"                                    \
	"static const struct nslab_step steps[] = {{\"t\", \"task\", 0, 0, check, 0}};\n"                    \
	"static const struct nslab_lab lab = {\n"                                                            \
	"  .abi_major = NSLAB_ABI_MAJOR, .size = sizeof(struct nslab_lab),\n"                                \
	"  .id = \"bad\", .title = \"t\", .summary = \"s\", NSLAB_STEPS(steps),\n"                           \
	"  .setup = setup };\n"                                                                              \
	"static void *heap; /* freed at dlclose, for LeakSanitizer */\n"                                     \
	"__attribute__((destructor)) static void fini(void) { free(heap); }\n"                               \
	"#define EXPORT __attribute__((visibility(\"default\")))\n"                                          \
	"EXPORT const struct nslab_lab *nslab_lab(void);\n"

/* Builds LAB_BODY + a nslab_lab() body and expects it skipped with `reason`. */
static void expect_skipped(const char *name, const char *entry_body, const char *reason)
{
	char src[4096], why[512] = "";
	snprintf(src, sizeof(src), "%s const struct nslab_lab *nslab_lab(void) { %s }\n", LAB_BODY,
		 entry_body);
	_cleanup_free_ char *so = unit_build_plugin(dir, name, src);
	assert_non_null(so);
	assert_int_equal(labs_load_file(so, why, sizeof(why)), -1);
	assert_contains(why, reason);
	assert_null(strchr(why, '\n'));
	assert_int_equal(labs_count(), 0);
}

static void data_symbol_is_skipped(void **state)
{
	(void)state;
	/* nslab_lab is the descriptor itself, not a function: calling it would
	 * jump into data (SIGSEGV) */
	char why[512] = "";
	_cleanup_free_ char *so = unit_build_plugin(
	    dir, "data",
	    "#include \"nslab-lab.h\"\n"
	    "static bool check(struct nslab_host *h) { (void)h; return true; }\n"
	    "static int setup(struct nslab_host *h) { (void)h; return 0; }\n"
	    "static const struct nslab_step steps[] = {{\"t\", \"task\", 0, 0, check, 0}};\n"
	    "__attribute__((visibility(\"default\"))) const struct nslab_lab nslab_lab = {\n"
	    "  .abi_major = NSLAB_ABI_MAJOR, .size = sizeof(struct nslab_lab),\n"
	    "  .id = \"data\", .title = \"t\", .summary = \"s\", NSLAB_STEPS(steps),\n"
	    "  .setup = setup };\n");
	assert_non_null(so);
	assert_int_equal(labs_load_file(so, why, sizeof(why)), -1);
	assert_contains(why, "nslab_lab is not a function (a data object)");
	assert_int_equal(labs_count(), 0);
	/* a writable data object too, and through load_path: one line */
	_cleanup_free_ char *d = subdir("datadir");
	_cleanup_free_ char *so2 = unit_build_plugin(
	    d, "data2", "__attribute__((visibility(\"default\"))) int nslab_lab[64] = {1};\n");
	assert_non_null(so2);
	int loaded = -1;
	_cleanup_free_ char *err = stderr_of_load_path(d, &loaded);
	assert_int_equal(loaded, 0);
	assert_contains(err, "data2.so: nslab_lab is not a function (a data object)");
}

static void entry_in_another_object_is_skipped(void **state)
{
	(void)state;
	/* The plugin has no nslab_lab of its own; dlsym finds the one of a
	 * library it links with. That is not the plugin's entry point. */
	char why[512] = "";
	_cleanup_free_ char *d = subdir("dep");
	_cleanup_free_ char *dep = unit_build_plugin(
	    d, "libdep",
	    "__attribute__((visibility(\"default\"))) const void *nslab_lab(void) { return 0; }\n"
	    "__attribute__((visibility(\"default\"))) int dep_marker(void) { return 1; }\n");
	assert_non_null(dep);
	char ldir[PATH_MAX + 8], rpath[PATH_MAX + 16];
	snprintf(ldir, sizeof(ldir), "-L%s", d);
	snprintf(rpath, sizeof(rpath), "-Wl,-rpath,%s", d);
	const char *extra[] = {"-Wl,--no-as-needed", ldir, rpath, "-ldep", NULL};
	_cleanup_free_ char *so =
	    build_so(dir, "usesdep",
		     "extern int dep_marker(void);\n"
		     "__attribute__((visibility(\"default\"))) int use(void) { return dep_marker(); }\n",
		     extra);
	assert_non_null(so);
	assert_int_equal(labs_load_file(so, why, sizeof(why)), -1);
	assert_contains(why, "nslab_lab is not defined in the plugin itself");
	assert_contains(why, "libdep.so");
	assert_int_equal(labs_count(), 0);
}

static void descriptor_outside_plugin_is_skipped(void **state)
{
	(void)state;
	/* each of these crashed nslab, or would have */
	expect_skipped("p16", "return (const struct nslab_lab *)16;",
		       "nslab_lab() returned 0x10, which is not in the plugin's readable memory");
	expect_skipped("heap", "heap = malloc(sizeof(lab)); memcpy(heap, &lab, sizeof(lab)); return heap;",
		       "which is not in the plugin's readable memory");
	expect_skipped("libc", "return (const struct nslab_lab *)(const void *)memcpy;",
		       "which is not in the plugin's readable memory");
	expect_skipped("huge", "static struct nslab_lab d; d = lab; d.size = 1u << 30; return &d;",
		       "claims 1073741824 bytes, more than the plugin holds there");
	expect_skipped(
	    "steps16",
	    "static struct nslab_lab d; d = lab; d.steps = (const struct nslab_step *)16; return &d;",
	    "the array of 1 step at 0x10 is not in the plugin's readable memory");
	expect_skipped("stepsheap",
		       "static struct nslab_lab d; d = lab; heap = malloc(sizeof(steps));"
		       " memcpy(heap, steps, sizeof(steps)); d.steps = heap; return &d;",
		       "the array of 1 step at 0x");
	expect_skipped("id16", "static struct nslab_lab d; d = lab; d.id = (const char *)16; return &d;",
		       "the lab's id, title or summary is not a string in the plugin's memory");
	expect_skipped("task16",
		       "static struct nslab_step s[1]; static struct nslab_lab d; d = lab; s[0] = steps[0];"
		       " s[0].task = (const char *)64; d.steps = s; return &d;",
		       "step 1's texts are not strings");
	expect_skipped("cmds16",
		       "static struct nslab_lab d; d = lab; d.commands = (const void *)16; d.ncommands = 2;"
		       " d.command_size = sizeof(struct nslab_command);"
		       " return &d;",
		       "the array of 2 commands at 0x10 is not");
	/* a descriptor in the plugin's writable data is fine */
	char why[512] = "";
	char src[4096];
	snprintf(src, sizeof(src),
		 "%s const struct nslab_lab *nslab_lab(void) { static struct nslab_lab d;"
		 " d = lab; d.id = \"rw\"; return &d; }\n",
		 LAB_BODY);
	_cleanup_free_ char *so = unit_build_plugin(dir, "rw", src);
	assert_non_null(so);
	assert_int_equal(labs_load_file(so, why, sizeof(why)), 0);
	assert_non_null(labs_find("rw"));
}

/* --- D15 --- */

static void dangling_symlink_and_non_files(void **state)
{
	(void)state;
	char why[512] = "", link[PATH_MAX], fifo[PATH_MAX], sub[PATH_MAX];
	snprintf(link, sizeof(link), "%s/dangling.so", dir);
	assert_int_equal(symlink("gone.so", link), 0);
	assert_int_equal(labs_load_file(link, why, sizeof(why)), -1);
	assert_contains(why, "dangling symlink to gone.so (No such file or directory)");
	assert_not_contains(why, "Is a directory");
	/* a FIFO must not hang the start; a directory named x.so */
	snprintf(fifo, sizeof(fifo), "%s/fifo.so", dir);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	why[0] = '\0';
	assert_int_equal(labs_load_file(fifo, why, sizeof(why)), -1);
	assert_contains(why, "not a regular file");
	snprintf(sub, sizeof(sub), "%s/dir.so", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	why[0] = '\0';
	assert_int_equal(labs_load_file(sub, why, sizeof(why)), -1);
	assert_contains(why, "Is a directory");
	/* a symlink to a good plugin loads (the file it names is checked) */
	_cleanup_free_ char *so = unit_good_plugin(dir, "target", "target", 1);
	snprintf(link, sizeof(link), "%s/alias.so", dir);
	assert_int_equal(symlink(so, link), 0);
	assert_int_equal(labs_load_file(link, why, sizeof(why)), 0);
	int loaded = -1;
	_cleanup_free_ char *err = stderr_of_load_path(dir, &loaded);
	assert_contains(err, "dangling.so: dangling symlink to gone.so");
}

/* --- D8: as root, only root's files in root's directories --- */

#define NEED_ROOT()                                                                                          \
	do {                                                                                                 \
		if (geteuid() != 0) {                                                                        \
			print_message("(needs root: skipped)\n");                                            \
			skip();                                                                              \
		}                                                                                            \
	} while (0)

/* A subdirectory with this mode (and owner, -1 = root). */
static char *subdir_mode(const char *name, mode_t mode, uid_t owner)
{
	char *p = subdir(name);
	if (chmod(p, mode) < 0 || (owner != (uid_t)-1 && chown(p, owner, (gid_t)-1) < 0))
		abort();
	return p;
}

static void expect_refused(const char *so, const char *reason)
{
	char why[512] = "";
	assert_non_null(so);
	assert_int_equal(labs_load_file(so, why, sizeof(why)), -1);
	assert_contains(why, reason);
	assert_contains(why, "sudo make install");
	assert_int_equal(labs_count(), 0);
}

static void root_refuses_unsafe_plugins(void **state)
{
	(void)state;
	NEED_ROOT();
	char reason[PATH_MAX + 128];
	/* a world-writable directory */
	_cleanup_free_ char *ww = subdir_mode("ww", 0777, (uid_t)-1);
	_cleanup_free_ char *a = unit_good_plugin(ww, "a", "a", 1);
	snprintf(reason, sizeof(reason), "the directory %s is writable by others (chmod go-w %s,", ww, ww);
	expect_refused(a, reason);
	/* one line for the directory in load_path */
	free(unit_good_plugin(ww, "b", "b", 2));
	int loaded = -1;
	_cleanup_free_ char *err = stderr_of_load_path(ww, &loaded);
	assert_int_equal(loaded, 0);
	snprintf(reason, sizeof(reason),
		 "nslab: skipping %s/*.so (2 files): the directory %s is writable by others", ww, ww);
	assert_contains(err, reason);
	assert_int_equal(strchr(err, '\n') - err + 1, (long)strlen(err));
	/* group-writable */
	_cleanup_free_ char *gw = subdir_mode("gw", 0775, (uid_t)-1);
	snprintf(reason, sizeof(reason), "the directory %s is writable by its group", gw);
	_cleanup_free_ char *g = unit_good_plugin(gw, "g", "g", 1);
	expect_refused(g, reason);
	/* a plugin file owned by nobody, one writable by others */
	_cleanup_free_ char *ok = subdir_mode("ok", 0755, (uid_t)-1);
	_cleanup_free_ char *nob = unit_good_plugin(ok, "nob", "nob", 1);
	assert_int_equal(chown(nob, 65534, (gid_t)-1), 0);
	struct passwd *pw = getpwuid(65534);
	snprintf(reason, sizeof(reason), "the file %s is owned by %s, not root (sudo chown root: %s,", nob,
		 pw ? pw->pw_name : "uid 65534", nob);
	expect_refused(nob, reason);
	_cleanup_free_ char *wf = unit_good_plugin(ok, "wf", "wf", 1);
	assert_int_equal(chmod(wf, 0666), 0);
	snprintf(reason, sizeof(reason), "the file %s is writable by others", wf);
	expect_refused(wf, reason);
	/* a directory owned by nobody, 0755 */
	_cleanup_free_ char *nd = subdir_mode("nd", 0755, 65534);
	_cleanup_free_ char *n = unit_good_plugin(nd, "n", "n", 1);
	snprintf(reason, sizeof(reason), "the directory %s is owned by", nd);
	expect_refused(n, reason);
	/* a symlink in a safe directory to a plugin in an unsafe one */
	char link[PATH_MAX];
	snprintf(link, sizeof(link), "%s/link.so", ok);
	assert_int_equal(symlink(a, link), 0);
	snprintf(reason, sizeof(reason), "the directory %s is writable by others", ww);
	expect_refused(link, reason);
}

static void find_none(void *id)
{
	assert_null(labs_find(id));
}

/* A scanned directory is walked once; each of its files is checked when it
 * is loaded, alone: made writable by others, or given to nobody, since the
 * scan, it is refused then. A symlink among them is resolved and walked
 * whole: to a plugin in an unsafe directory, refused. */
static void root_checks_scanned_files_at_load(void **state)
{
	(void)state;
	NEED_ROOT();
	_cleanup_free_ char *ok = subdir_mode("scanned", 0755, (uid_t)-1);
	_cleanup_free_ char *ww = subdir_mode("scan-ww", 0777, (uid_t)-1);
	_cleanup_free_ char *good = unit_good_plugin(ok, "good", "good", 1);
	_cleanup_free_ char *wf = unit_good_plugin(ok, "wf", "wf", 2);
	_cleanup_free_ char *nob = unit_good_plugin(ok, "nob", "nob", 3);
	_cleanup_free_ char *far = unit_good_plugin(ww, "far", "far", 4);
	char link[PATH_MAX];
	snprintf(link, sizeof(link), "%s/link.so", ok);
	assert_int_equal(symlink(far, link), 0);
	assert_int_equal(labs_scan_path(ok), 4);
	assert_int_equal(chmod(wf, 0666), 0);
	assert_int_equal(chown(nob, 65534, (gid_t)-1), 0);
	_cleanup_free_ char *e1 = stderr_of(find_first, "good");
	assert_string_equal(e1, "");
	/* (a lab not found loads every pending one: one look says it all) */
	char reason[PATH_MAX + 64];
	_cleanup_free_ char *e2 = stderr_of(find_none, "wf");
	snprintf(reason, sizeof(reason), "skipping %s: the file %s is writable by others", wf, wf);
	assert_contains(e2, reason);
	snprintf(reason, sizeof(reason), "skipping %s: the file %s is owned by", nob, nob);
	assert_contains(e2, reason);
	snprintf(reason, sizeof(reason), "skipping %s: the directory %s is writable by others", link, ww);
	assert_contains(e2, reason);
	assert_int_equal(labs_count(), 1);
}

static void root_loads_safe_plugins(void **state)
{
	(void)state;
	NEED_ROOT();
	char why[512] = "";
	/* root-owned 0755 (the temp dir is 0700 in sticky, root-owned /tmp) */
	_cleanup_free_ char *ok = subdir_mode("ok", 0755, (uid_t)-1);
	_cleanup_free_ char *so = unit_good_plugin(ok, "fine", "fine", 1);
	assert_int_equal(labs_load_file(so, why, sizeof(why)), 0);
	assert_non_null(labs_find("fine"));
	/* sticky root-owned 1777 on the way, then root's 0755: loaded */
	_cleanup_free_ char *st = subdir_mode("sticky", 01777, (uid_t)-1);
	_cleanup_free_ char *safe = subdir_mode("sticky/safe", 0755, (uid_t)-1);
	_cleanup_free_ char *s2 = unit_good_plugin(safe, "s2", "s2", 2);
	assert_int_equal(labs_load_file(s2, why, sizeof(why)), 0);
	assert_int_equal(labs_count(), 2);
	labs_unload_all();
	char reason[PATH_MAX + 128];
	/* ... but not as the labs' own directory */
	_cleanup_free_ char *s3 = unit_good_plugin(st, "s3", "s3", 3);
	snprintf(reason, sizeof(reason),
		 "the directory %s is writable by others (sticky, but anyone may add files", st);
	expect_refused(s3, reason);
	/* nor with a next component that is not root's alone */
	_cleanup_free_ char *nob = subdir_mode("sticky/nob", 0755, 65534);
	_cleanup_free_ char *s4 = unit_good_plugin(nob, "s4", "s4", 4);
	snprintf(reason, sizeof(reason), "the directory %s is owned by", nob);
	expect_refused(s4, reason);
	_cleanup_free_ char *st2 = subdir_mode("sticky/st2", 01777, (uid_t)-1);
	_cleanup_free_ char *in2 = subdir_mode("sticky/st2/in", 0755, (uid_t)-1);
	_cleanup_free_ char *s5 = unit_good_plugin(in2, "s5", "s5", 5);
	snprintf(reason, sizeof(reason), "the directory %s is writable by others", st2);
	expect_refused(s5, reason);
	/* a sticky directory owned by nobody is no excuse */
	_cleanup_free_ char *nst = subdir_mode("nst", 01777, 65534);
	_cleanup_free_ char *nin = subdir_mode("nst/in", 0755, (uid_t)-1);
	_cleanup_free_ char *s6 = unit_good_plugin(nin, "s6", "s6", 6);
	snprintf(reason, sizeof(reason), "the directory %s is owned by", nst);
	expect_refused(s6, reason);
}

static void root_skips_unsafe_helpers(void **state)
{
	(void)state;
	NEED_ROOT();
	/* nslab-escape in a world-writable directory ahead in the path: root
	 * would copy it into a lab and run it; the safe one is found instead */
	_cleanup_free_ char *ww = subdir_mode("ww", 0777, (uid_t)-1);
	_cleanup_free_ char *ok = subdir_mode("ok", 0755, (uid_t)-1);
	char helper[PATH_MAX], path[2 * PATH_MAX + 2];
	snprintf(helper, sizeof(helper), "%s/nslab-helper", ww);
	assert_int_equal(unit_write(helper, "#!/bin/sh\n"), 0);
	assert_int_equal(chmod(helper, 0755), 0);
	snprintf(path, sizeof(path), "%s:%s", ww, ok);
	int loaded = -1;
	free(stderr_of_load_path(path, &loaded));
	assert_null(labs_helper("nslab-helper"));
	snprintf(helper, sizeof(helper), "%s/nslab-helper", ok);
	assert_int_equal(unit_write(helper, "#!/bin/sh\n"), 0);
	assert_int_equal(chmod(helper, 0755), 0);
	const char *h = labs_helper("nslab-helper");
	assert_non_null(h);
	assert_string_equal(h, helper);
	/* nor one owned by nobody */
	assert_int_equal(chown(helper, 65534, (gid_t)-1), 0);
	assert_null(labs_helper("nslab-helper"));
}

static char *saved_sudo_uid;

static int setup_sudo(void **state)
{
	const char *s = getenv("SUDO_UID");
	saved_sudo_uid = s ? strdup(s) : NULL;
	setenv("SUDO_UID", "65534", 1);
	return setup_dir(state);
}

static int teardown_sudo(void **state)
{
	if (saved_sudo_uid)
		setenv("SUDO_UID", saved_sudo_uid, 1);
	else
		unsetenv("SUDO_UID");
	free(saved_sudo_uid);
	saved_sudo_uid = NULL;
	labs_user_path(false, false);
	return teardown_dir(state);
}

static void root_user_dir_needs_a_terminal(void **state)
{
	(void)state;
	NEED_ROOT();
	/* the invoking user's (SUDO_UID) directory, named by --lab-path */
	_cleanup_free_ char *mine = subdir_mode("mine", 0755, 65534);
	free(unit_good_plugin(mine, "m", "m", 1));
	int loaded = -1;
	labs_user_path(true, false); /* --script, --demo */
	_cleanup_free_ char *err = stderr_of_load_path(mine, &loaded);
	assert_int_equal(loaded, 0);
	assert_contains(err, mine);
	assert_contains(err, "loaded as root only after a yes on a terminal");
	assert_int_equal(strchr(err, '\n') - err + 1, (long)strlen(err));
	/* the default path does not get the exception at all */
	labs_user_path(false, true);
	_cleanup_free_ char *err2 = stderr_of_load_path(mine, &loaded);
	assert_int_equal(loaded, 0);
	assert_contains(err2, "is owned by");
	/* interactive, but stdin is no terminal here: refused too */
	labs_user_path(true, true);
	int saved0 = dup(0), null = open("/dev/null", O_RDONLY);
	dup2(null, 0);
	close(null);
	_cleanup_free_ char *err3 = stderr_of_load_path(mine, &loaded);
	dup2(saved0, 0);
	close(saved0);
	assert_int_equal(loaded, 0);
	assert_contains(err3, "only after a yes on a terminal");
}

/* Loads `d` with a pty as fds 0 and 2, `typed` already typed; returns what
 * the terminal showed, and in *rest what stdin still holds after. */
static char *load_on_terminal(const char *d, const char *typed, int *loaded, char *rest, size_t restlen)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	struct termios t;
	tcgetattr(slave, &t);
	t.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(slave, TCSANOW, &t);
	assert_int_equal(write(master, typed, strlen(typed)), (ssize_t)strlen(typed));
	fflush(stderr);
	int saved0 = dup(0), saved2 = dup(2);
	dup2(slave, 0);
	dup2(slave, 2);
	*loaded = labs_load_path(d);
	fflush(stderr);
	/* what is left on stdin: the rest of the typed text (non-blocking) */
	int fl = fcntl(0, F_GETFL);
	fcntl(0, F_SETFL, fl | O_NONBLOCK);
	ssize_t n = read(0, rest, restlen - 1);
	rest[n > 0 ? n : 0] = '\0';
	fcntl(0, F_SETFL, fl);
	dup2(saved0, 0);
	dup2(saved2, 2);
	close(saved0);
	close(saved2);
	close(slave);
	/* A pty hands the slave's output to the master asynchronously (the
	 * kernel's flip buffer work): read until it has been quiet a while. */
	char buf[4096];
	size_t got = 0;
	struct pollfd p = {master, POLLIN, 0};
	while (got < sizeof(buf) - 1 && poll(&p, 1, 300) > 0) {
		n = read(master, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(master);
	return strdup(buf);
}

static void root_user_dir_confirmed_on_terminal(void **state)
{
	(void)state;
	NEED_ROOT();
	_cleanup_free_ char *mine = subdir_mode("mine", 0755, 65534);
	free(unit_good_plugin(mine, "m", "m", 1));
	labs_user_path(true, true);
	int loaded = -1;
	char rest[256];
	struct passwd *pw = getpwuid(65534);
	char prompt[PATH_MAX + 128];
	snprintf(prompt, sizeof(prompt), "Load labs from %s, owned by %s, as root? [y/N]", mine,
		 pw ? pw->pw_name : "uid 65534");

	_cleanup_free_ char *no = load_on_terminal(mine, "\nstart uts\n", &loaded, rest, sizeof(rest));
	assert_contains(no, prompt);
	assert_contains(no, "answered no");
	assert_int_equal(loaded, 0);
	assert_string_equal(rest, "start uts\n"); /* the next line is not swallowed */

	_cleanup_free_ char *yes = load_on_terminal(mine, "y\nlabs\n", &loaded, rest, sizeof(rest));
	assert_contains(yes, prompt);
	assert_int_equal(loaded, 1);
	assert_non_null(labs_find("m"));
	assert_string_equal(rest, "labs\n");
	/* the yes was for that directory only: another user's file is still refused */
	labs_unload_all();
	_cleanup_free_ char *other = subdir_mode("mine/sub", 0755, 65534);
	_cleanup_free_ char *o = unit_good_plugin(other, "o", "o", 1);
	assert_int_equal(chown(o, 65533, (gid_t)-1), 0);
	_cleanup_free_ char *yes2 = load_on_terminal(other, "y\n", &loaded, rest, sizeof(rest));
	assert_int_equal(loaded, 0);
	assert_contains(yes2, "is owned by");
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

/* ABI 2: a plugin built for ABI 1 is refused in one line. */
static void abi1_plugin_is_refused(void **state)
{
	(void)state;
	char why[256] = "";
	_cleanup_free_ char *so = unit_build_plugin(
	    dir, "abi1",
	    "#include \"nslab-lab.h\"\n"
	    "static bool check(struct nslab_host *h) { (void)h; return true; }\n"
	    "static int setup(struct nslab_host *h) { (void)h; return 0; }\n"
	    "static const struct nslab_step steps[] = {{\"t\", \"task\", 0, 0, check, 0}};\n"
	    "static const struct nslab_lab lab = {\n"
	    "  .abi_major = 1, .size = sizeof(struct nslab_lab),\n"
	    "  .id = \"abi1\", .title = \"t\", .summary = \"s\", NSLAB_STEPS(steps),\n"
	    "  .setup = setup };\n"
	    "NSLAB_LAB(lab)\n");
	assert_non_null(so);
	assert_int_equal(labs_load_file(so, why, sizeof(why)), -1);
	assert_string_equal(why, "built for lab ABI 1, this nslab speaks 2");
	assert_int_equal(labs_count(), 0);
}

/* ABI 2: an older plugin whose struct nslab_step is shorter (here: no
 * perform) is indexed at its own element size, and the field it lacks reads
 * as NULL; a newer one with a longer step (a field this host does not know)
 * too. Its commands likewise. */
#define SIZED_LAB(ID, STEP_DECL, CMD_DECL)                                                                   \
	"#include \"nslab-lab.h\"\n"                                                                         \
	"static bool check(struct nslab_host *h) { (void)h; return true; }\n"                                \
	"static int perform(struct nslab_host *h) { (void)h; return 0; }\n"                                  \
	"static int setup(struct nslab_host *h) { (void)h; return 0; }\n"                                    \
	"static int fn(struct nslab_host *h, int c, char **v) { (void)h; (void)c; (void)v; return 0; "       \
	"}\n" STEP_DECL CMD_DECL "static const struct my_step steps[] = {\n"                                 \
	"  {.title = \"First\", .task = \"task 1\", .hint = \"hint 1\", .check = check" STEP_MORE "},\n"     \
	"  {.title = \"Second\", .task = \"task 2\", .hint = \"hint 2\", .check = check" STEP_MORE "},\n"    \
	"  {.title = \"Third\", .task = \"task 3\", .explain = \"why 3\", .check = check" STEP_MORE "}};\n"  \
	"static const struct my_cmd cmds[] = {\n"                                                            \
	"  {.name = \"one\", .usage = \"one\", .summary = \"s1\", .max_args = 0, .fn = fn},\n"               \
	"  {.name = \"two\", .usage = \"two N\", .summary = \"s2\", .min_args = 1, .max_args = 1, .fn = "    \
	"fn}};\n"                                                                                            \
	"static const struct nslab_lab lab = {\n"                                                            \
	"  .abi_major = NSLAB_ABI_MAJOR, .size = sizeof(struct nslab_lab),\n"                                \
	"  .id = \"" ID "\", .title = \"t\", .summary = \"s\", .setup = setup,\n"                            \
	"  .steps = (const struct nslab_step *)(const void *)steps, .nsteps = 3,\n"                          \
	"  .step_size = sizeof(steps[0]),\n"                                                                 \
	"  .commands = (const struct nslab_command *)(const void *)cmds, .ncommands = 2,\n"                  \
	"  .command_size = sizeof(cmds[0]) };\n"                                                             \
	"NSLAB_LAB(lab)\n"

static void sized_lab_reads(const char *id, bool has_perform)
{
	const struct nslab_lab *l = labs_find(id);
	assert_non_null(l);
	assert_int_equal(l->nsteps, 3);
	assert_int_equal(l->step_size, sizeof(struct nslab_step));
	assert_string_equal(l->steps[0].title, "First");
	assert_string_equal(l->steps[1].title, "Second");
	assert_string_equal(l->steps[1].task, "task 2");
	assert_string_equal(l->steps[1].hint, "hint 2");
	assert_null(l->steps[1].explain);
	assert_string_equal(l->steps[2].title, "Third");
	assert_string_equal(l->steps[2].explain, "why 3");
	for (unsigned i = 0; i < 3; i++) {
		assert_true(l->steps[i].check(NULL));
		if (has_perform)
			assert_int_equal(l->steps[i].perform(NULL), 0);
		else
			assert_null(l->steps[i].perform);
	}
	assert_int_equal(l->ncommands, 2);
	assert_string_equal(l->commands[1].name, "two");
	assert_string_equal(l->commands[1].usage, "two N");
	assert_int_equal(l->commands[1].min_args, 1);
	assert_int_equal(l->commands[1].max_args, 1);
	assert_int_equal(l->commands[1].fn(NULL, 0, NULL), 0);
}

static void smaller_step_is_read_at_its_size(void **state)
{
	(void)state;
	char why[256] = "";
	/* an older plugin: its step ends at check, as ABI 2's first steps will
	 * look to a host that appended fields */
#define STEP_MORE ""
	_cleanup_free_ char *so = unit_build_plugin(
	    dir, "older",
	    SIZED_LAB("older",
		      "struct my_step { const char *title, *task, *hint, *explain;\n"
		      "  bool (*check)(struct nslab_host *h); };\n",
		      "struct my_cmd { const char *name, *usage, *summary; int min_args, max_args;\n"
		      "  int (*fn)(struct nslab_host *h, int argc, char **argv); };\n"));
#undef STEP_MORE
	assert_non_null(so);
	assert_int_equal(labs_load_file(so, why, sizeof(why)), 0);
	sized_lab_reads("older", false);
}

static void larger_step_is_read_at_its_size(void **state)
{
	(void)state;
	char why[256] = "";
	/* a newer plugin: fields appended after this host was built */
#define STEP_MORE ", .perform = perform, .future = \"x\", .more = {1, 2, 3}"
	_cleanup_free_ char *so = unit_build_plugin(
	    dir, "newer",
	    SIZED_LAB("newer",
		      "struct my_step { const char *title, *task, *hint, *explain;\n"
		      "  bool (*check)(struct nslab_host *h); int (*perform)(struct nslab_host *h);\n"
		      "  const char *future; long more[3]; };\n",
		      "struct my_cmd { const char *name, *usage, *summary; int min_args, max_args;\n"
		      "  int (*fn)(struct nslab_host *h, int argc, char **argv); void *future[5]; };\n"));
#undef STEP_MORE
	assert_non_null(so);
	assert_int_equal(labs_load_file(so, why, sizeof(why)), 0);
	sized_lab_reads("newer", true);
}

/* NSLAB_HOST_HAS: a host built before a member was appended lacks it. */
static void host_has_member(void **state)
{
	(void)state;
	struct nslab_host h = {.size = sizeof(struct nslab_host)};
	assert_true(NSLAB_HOST_HAS(&h, lab_data));
	h.size = offsetof(struct nslab_host, each_mount);
	assert_true(NSLAB_HOST_HAS(&h, cg_path));
	assert_false(NSLAB_HOST_HAS(&h, each_mount));
	assert_false(NSLAB_HOST_HAS(&h, copy_file));
	h.size = offsetof(struct nslab_host, each_mount) + sizeof(h.each_mount);
	assert_true(NSLAB_HOST_HAS(&h, each_mount));
	assert_false(NSLAB_HOST_HAS(&h, same_ns));
}

/* --- labs_validate on in-memory descriptors --- */

static bool ok_check(struct nslab_host *h)
{
	(void)h;
	return true;
}
static int ok_setup(struct nslab_host *h)
{
	(void)h;
	return 0;
}
static int ok_cmd(struct nslab_host *h, int argc, char **argv)
{
	(void)h;
	(void)argc;
	(void)argv;
	return 0;
}

static const struct nslab_step steps[2] = {
    {"One", "task one", NULL, NULL, ok_check, NULL},
    {"Two", "task two", "hint", "explain", ok_check, NULL},
};
static struct nslab_step many_steps[33];
static const struct nslab_command cmds[1] = {{"quota", "quota N", "set it", 1, 1, ok_cmd}};

static struct nslab_lab valid(void)
{
	return (struct nslab_lab){
	    .abi_major = NSLAB_ABI_MAJOR,
	    .size = sizeof(struct nslab_lab),
	    .id = "ok-lab2",
	    .title = "T",
	    .summary = "S",
	    NSLAB_STEPS(steps),
	    .setup = ok_setup,
	    NSLAB_COMMANDS(cmds),
	};
}

/* Expect labs_validate to reject d with a reason containing `reason`. */
#define REJECTS(d, reason)                                                                                   \
	do {                                                                                                 \
		char why_[256] = "";                                                                         \
		struct nslab_lab d_ = (d);                                                                   \
		assert_int_equal(labs_validate(&d_, why_, sizeof(why_)), -1);                                \
		assert_contains(why_, reason);                                                               \
	} while (0)

/* Expect labs_validate to reject valid() changed by `change` with a reason
 * containing `reason`; ACCEPTS_WITH: to accept it. change is an expression
 * (several: in parentheses, with commas) on a copy d of valid(), whose
 * steps are s[] (a copy of steps) and whose one command is c (a copy of
 * cmds[0]), so that a step or command can be broken too. */
#define VALID_CHANGED(change)                                                                                \
	struct nslab_step s[2] = {steps[0], steps[1]};                                                       \
	struct nslab_command c = cmds[0];                                                                    \
	struct nslab_lab d = valid();                                                                        \
	d.steps = s;                                                                                         \
	d.commands = &c;                                                                                     \
	(void)(change)
#define REJECTS_WITH(change, reason)                                                                         \
	do {                                                                                                 \
		VALID_CHANGED(change);                                                                       \
		REJECTS(d, reason);                                                                          \
	} while (0)
#define ACCEPTS_WITH(change)                                                                                 \
	do {                                                                                                 \
		char why_[256] = "";                                                                         \
		VALID_CHANGED(change);                                                                       \
		if (labs_validate(&d, why_, sizeof(why_)) != 0)                                              \
			fail_msg("rejected: %s", why_);                                                      \
	} while (0)

static void validate_reasons(void **state)
{
	(void)state;
	char why[256] = "";
	struct nslab_lab d = valid();
	assert_int_equal(labs_validate(&d, why, sizeof(why)), 0);
	assert_int_equal(labs_validate(NULL, why, sizeof(why)), -1);
	assert_contains(why, "NULL");

	REJECTS_WITH(d.abi_major = 0, "ABI 0");
	REJECTS_WITH(d.size = 8, "too small (8 bytes");
	REJECTS_WITH(d.id = NULL, "bad lab id");
	REJECTS_WITH(d.id = "", "bad lab id");
	REJECTS_WITH(d.id = "Upper", "bad lab id");
	REJECTS_WITH(d.id = "has space", "bad lab id");
	REJECTS_WITH(d.id = "under_score", "bad lab id");
	REJECTS_WITH(d.id = "a23456789012345678901234567890123", "bad lab id"); /* 33 */
	ACCEPTS_WITH(d.id = "a2345678901234567890123456789012");                /* 32 is the limit */
	REJECTS_WITH(d.title = NULL, "lab 'ok-lab2' has no title or summary");
	REJECTS_WITH(d.summary = NULL, "no title or summary");
	REJECTS_WITH(d.nsteps = 0, "1 to 32 steps, has 0");
	REJECTS_WITH(d.steps = NULL, "1 to 32 steps");
	REJECTS_WITH(d.steps = NULL, "lab 'ok-lab2' has no steps");
	REJECTS_WITH((d.steps = NULL, d.nsteps = 0), "has no steps");
	{
		char w[256] = "";
		d = valid();
		d.steps = NULL;
		d.nsteps = 1;
		labs_validate(&d, w, sizeof(w));
		assert_not_contains(w, "has 1"); /* D15: it has none */
	}
	for (size_t i = 0; i < 33; i++)
		many_steps[i] = steps[0];
	REJECTS_WITH((d.steps = many_steps, d.nsteps = 33), "1 to 32 steps, has 33");
	ACCEPTS_WITH((d.steps = many_steps, d.nsteps = 32));
	REJECTS_WITH(d.setup = NULL, "has no setup function");
	REJECTS_WITH(d.step_size = 0, "step_size 0 is not");
	REJECTS_WITH(d.step_size = offsetof(struct nslab_step, check), "step_size");
	REJECTS_WITH(d.step_size = 1u << 20, "step_size 1048576 is not");
	REJECTS_WITH(d.command_size = 8, "command_size 8 is not");
	ACCEPTS_WITH(
	    (d.commands = NULL, d.ncommands = 0, d.command_size = 0)); /* no commands: no size needed */

	REJECTS_WITH(s[1].check = NULL, "step 2 lacks a title, task or check");
	REJECTS_WITH(s[1].title = NULL, "step 2 lacks");
	REJECTS_WITH(s[1].task = NULL, "step 2 lacks");
	REJECTS_WITH(s[0].check = NULL, "step 1 lacks");
	/* hint, explain and perform are optional */
	ACCEPTS_WITH((s[0].hint = s[0].explain = NULL, s[0].perform = NULL));

	REJECTS_WITH(d.commands = NULL, "declares commands but has none");
	REJECTS_WITH(c.fn = NULL, "command 1 lacks a name or function");
	REJECTS_WITH(c.name = NULL, "command 1 lacks");
	REJECTS_WITH((c.min_args = 2, c.max_args = 1), "command 1 takes 2 to 1 arguments");
	REJECTS_WITH(c.min_args = -1, "command 1 takes -1 to 1");
	REJECTS_WITH(c.max_args = -2, "takes 1 to -2");
	ACCEPTS_WITH((c.min_args = 3, c.max_args = -1)); /* -1: no limit */
	ACCEPTS_WITH((c.min_args = 0, c.max_args = 0));
	ACCEPTS_WITH((d.commands = NULL, d.ncommands = 0));

	/* the reason is cut to the buffer, never overrun */
	char tiny[8];
	memset(tiny, 'x', sizeof(tiny));
	d = valid();
	d.setup = NULL;
	assert_int_equal(labs_validate(&d, tiny, 5), -1);
	assert_int_equal(strlen(tiny), 4);
	assert_int_equal(tiny[5], 'x');
}

/* --- text domains (appended to ABI 2) --- */

#define I18N_LAB(ID, SIZE)                                                                                   \
	"#include \"nslab-lab.h\"\n"                                                                         \
	"static bool check(struct nslab_host *h) { (void)h; return true; }\n"                                \
	"static int setup(struct nslab_host *h) { (void)h; return 0; }\n"                                    \
	"static int fn(struct nslab_host *h, int c, char **v) { (void)h; (void)c; (void)v; return 0; }\n"    \
	"static const struct nslab_step steps[] = {{.title = \"First\", .task = \"task 1\",\n"               \
	"  .hint = \"hint 1\", .explain = \"why 1\", .check = check}};\n"                                    \
	"static const struct nslab_command cmds[] = {{.name = \"one\", .usage = \"one N\",\n"                \
	"  .summary = \"s1\", .min_args = 1, .max_args = 1, .fn = fn}};\n"                                   \
	"static const struct nslab_lab lab = {\n"                                                            \
	"  .abi_major = NSLAB_ABI_MAJOR, .size = " SIZE ",\n"                                                \
	"  .id = \"" ID "\", .title = \"Plain title\", .summary = \"A summary.\", .setup = setup,\n"         \
	"  NSLAB_STEPS(steps), NSLAB_COMMANDS(cmds), .textdomain = \"nslab-lab-" ID "\" };\n"                \
	"NSLAB_LAB(lab)\n"

/* A catalogue for domain nslab-lab-ID in DIR/locale/ko/LC_MESSAGES, built
 * with msgfmt. false if msgfmt cannot run. */
static bool write_catalogue(const char *id)
{
	char po[PATH_MAX], mo[PATH_MAX + 64], lc[PATH_MAX - 64];
	snprintf(lc, sizeof(lc), "%s/locale/ko/LC_MESSAGES", dir);
	snprintf(po, sizeof(po), "%s/%s.po", dir, id);
	snprintf(mo, sizeof(mo), "%s/nslab-lab-%s.mo", lc, id);
	if (mkdir_p(lc, 0755) < 0 ||
	    unit_write(po, "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n"
			   "msgid \"Plain title\"\nmsgstr \"번역된 제목\"\n\n"
			   "msgid \"A summary.\"\nmsgstr \"요약입니다.\"\n\n"
			   "msgid \"First\"\nmsgstr \"첫 단계\"\n\n"
			   "msgid \"task 1\"\nmsgstr \"과제 1\"\n\n"
			   "msgid \"hint 1\"\nmsgstr \"힌트 1\"\n\n"
			   "msgid \"why 1\"\nmsgstr \"설명 1\"\n\n"
			   "msgid \"s1\"\nmsgstr \"요약 1\"\n") < 0)
		return false;
	pid_t pid = fork();
	if (pid == 0) {
		execlp("msgfmt", "msgfmt", "-o", mo, po, (char *)NULL);
		_exit(127);
	}
	int st = -1;
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Korean through LANGUAGE (C.UTF-8 honours it, and needs no generated
 * locale), from the catalogues under DIR/locale. */
static void korean_from_dir(void)
{
	char loc[PATH_MAX];
	snprintf(loc, sizeof(loc), "%s/locale", dir);
	setenv("NSLAB_LOCALEDIR", loc, 1);
	setenv("LC_ALL", "C.UTF-8", 1);
	setenv("LANGUAGE", "ko", 1);
	i18n_init();
}

static void english_again(void)
{
	unsetenv("NSLAB_LOCALEDIR");
	unsetenv("LANGUAGE");
	unsetenv("LC_ALL");
	setlocale(LC_ALL, "C");
}

/* A lab with a text domain: the host binds it at load, and every static
 * text it shows (i18n_lab, as session, labs, help and the TUI do) comes
 * through dgettext in that domain. */
static void lab_textdomain_translates(void **state)
{
	(void)state;
	if (!write_catalogue("dom"))
		skip(); /* no msgfmt: gettext is not installed (make deps) */
	korean_from_dir();
	char why[256] = "";
	_cleanup_free_ char *so = unit_build_plugin(dir, "dom", I18N_LAB("dom", "sizeof(struct nslab_lab)"));
	assert_non_null(so);
	assert_int_equal(labs_load_file(so, why, sizeof(why)), 0);
	const struct nslab_lab *l = labs_find("dom");
	assert_non_null(l);
	assert_string_equal(l->textdomain, "nslab-lab-dom");
	assert_string_equal(l->title, "Plain title"); /* the descriptor itself is as the lab wrote it */
	assert_string_equal(i18n_lab(l, l->title), "번역된 제목");
	assert_string_equal(i18n_lab(l, l->summary), "요약입니다.");
	assert_string_equal(i18n_lab(l, l->steps[0].title), "첫 단계");
	assert_string_equal(i18n_lab(l, l->steps[0].task), "과제 1");
	assert_string_equal(i18n_lab(l, l->steps[0].hint), "힌트 1");
	assert_string_equal(i18n_lab(l, l->steps[0].explain), "설명 1");
	assert_string_equal(i18n_lab(l, l->commands[0].summary), "요약 1");
	assert_string_equal(i18n_lab(l, "not in the catalogue"), "not in the catalogue");
	assert_null(i18n_lab(l, NULL));
	english_again();
	assert_string_equal(i18n_lab(l, l->title), "Plain title");
}

/* A lab built before textdomain was appended (its .size ends before it) is
 * accepted, and the host never reads the field: its texts stay as written
 * even though a catalogue for that domain exists and the plugin's memory
 * holds a textdomain past its .size. */
static void old_size_lab_without_textdomain(void **state)
{
	(void)state;
	if (!write_catalogue("old"))
		skip();
	korean_from_dir();
	char why[256] = "";
	_cleanup_free_ char *so =
	    unit_build_plugin(dir, "old", I18N_LAB("old", "offsetof(struct nslab_lab, textdomain)"));
	assert_non_null(so);
	assert_int_equal(labs_load_file(so, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	const struct nslab_lab *l = labs_find("old");
	assert_non_null(l);
	assert_null(l->textdomain);
	assert_string_equal(i18n_lab(l, l->title), "Plain title");
	assert_string_equal(i18n_lab(l, l->steps[0].task), "task 1");
	assert_string_equal(l->commands[0].usage, "one N");
	english_again();
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
	    cmocka_unit_test_setup_teardown(abi1_plugin_is_refused, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(smaller_step_is_read_at_its_size, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(larger_step_is_read_at_its_size, setup_dir, teardown_dir),
	    cmocka_unit_test(host_has_member),
	    cmocka_unit_test_setup_teardown(missing_symbol_is_skipped, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(null_descriptor_is_skipped, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(truncated_file_is_skipped, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(duplicate_id_is_skipped, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(scan_loads_on_demand, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(load_path_sorts_and_reports, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(data_symbol_is_skipped, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(entry_in_another_object_is_skipped, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(descriptor_outside_plugin_is_skipped, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(dangling_symlink_and_non_files, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(root_refuses_unsafe_plugins, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(root_loads_safe_plugins, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(root_checks_scanned_files_at_load, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(root_skips_unsafe_helpers, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(root_user_dir_needs_a_terminal, setup_sudo, teardown_sudo),
	    cmocka_unit_test_setup_teardown(root_user_dir_confirmed_on_terminal, setup_sudo, teardown_sudo),
	    cmocka_unit_test_setup_teardown(closest_and_helper, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(unload_all_forgets, setup_dir, teardown_dir),
	    cmocka_unit_test(validate_reasons),
	    cmocka_unit_test(default_path_has_installed_dir),
	    cmocka_unit_test_setup_teardown(lab_textdomain_translates, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(old_size_lab_without_textdomain, setup_dir, teardown_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
