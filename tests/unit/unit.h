/* SPDX-License-Identifier: GPL-2.0-or-later */
/* unit.h: helpers shared by the cmocka drivers (header-only, so that the
 * Makefile's one-file-per-driver rule needs nothing more): capturing output
 * through an out_sink, temp dirs, and building small plugins at test time. */
#ifndef NSLAB_UNIT_H
#define NSLAB_UNIT_H

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "output.h"

/* --- output capture --- */

static char *cap_buf;
static size_t cap_len;

static unsigned cap_kinds; /* 1u << kind for every kind captured */

static void cap_write(enum out_kind kind, const char *text, size_t len)
{
	if (len)
		cap_kinds |= 1u << kind;
	char *n = realloc(cap_buf, cap_len + len + 1);
	if (!n)
		abort();
	cap_buf = n;
	memcpy(cap_buf + cap_len, text, len);
	cap_len += len;
	cap_buf[cap_len] = '\0';
}

static const struct out_sink cap_sink = {cap_write, NULL};

/* Starts capturing (drops what was captured before). */
static inline void cap_start(void)
{
	free(cap_buf);
	cap_buf = NULL;
	cap_len = 0;
	cap_kinds = 0;
	cap_write(OUT_TEXT, "", 0);
	out_set_sink(&cap_sink);
}

static inline const char *cap_text(void)
{
	return cap_buf ? cap_buf : "";
}

static inline void cap_stop(void)
{
	out_set_sink(NULL);
	free(cap_buf);
	cap_buf = NULL;
	cap_len = 0;
}

/* Fails the test, showing the text, when needle is (not) in it. */
#define assert_contains(hay, needle)                                                                         \
	do {                                                                                                 \
		const char *h_ = (hay), *n_ = (needle);                                                      \
		if (!strstr(h_, n_))                                                                         \
			fail_msg("expected \"%s\" in:\n%s", n_, h_);                                         \
	} while (0)
#define assert_not_contains(hay, needle)                                                                     \
	do {                                                                                                 \
		const char *h_ = (hay), *n_ = (needle);                                                      \
		if (strstr(h_, n_))                                                                          \
			fail_msg("did not expect \"%s\" in:\n%s", n_, h_);                                   \
	} while (0)

/* --- files --- */

/* A fresh directory; the prefix /tmp/nslab-unit. keeps it inside what
 * cleanup's DIR kind may remove (/tmp/nslab-*) and outside the integration
 * fingerprint (/tmp/nslab-[0-9]*). */
static int unit_rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		rmdir(p);
	else
		unlink(p);
	return 0;
}

static inline void unit_rm_rf(const char *path)
{
	if (path && strncmp(path, "/tmp/nslab-unit.", 16) == 0)
		nftw(path, unit_rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Every dir unit_tmpdir() made goes when the driver exits, or aborts: a
 * failed assertion skips the test's own unit_rm_rf, and abort() skips
 * atexit, and either left the dir in /tmp. Only in the process that made
 * them: a forked child that exits must not take its parent's dirs. */
static char *unit_dirs[64];
static size_t unit_ndirs;
static pid_t unit_dirs_owner;

static void unit_remove_dirs(void)
{
	if (getpid() != unit_dirs_owner)
		return;
	for (size_t i = 0; i < unit_ndirs; i++) {
		unit_rm_rf(unit_dirs[i]);
		free(unit_dirs[i]);
	}
	unit_ndirs = 0;
}

static void unit_abort_handler(int sig)
{
	unit_remove_dirs();
	signal(sig, SIG_DFL);
	raise(sig);
}

static inline char *unit_tmpdir(void)
{
	char *d = strdup("/tmp/nslab-unit.XXXXXX");
	if (!d || !mkdtemp(d))
		abort();
	if (!unit_dirs_owner) {
		unit_dirs_owner = getpid();
		atexit(unit_remove_dirs);
		signal(SIGABRT, unit_abort_handler);
	}
	if (getpid() == unit_dirs_owner && unit_ndirs < sizeof(unit_dirs) / sizeof(unit_dirs[0]))
		unit_dirs[unit_ndirs++] = strdup(d);
	return d;
}

static inline int unit_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Reads a whole file into a malloc'ed string (NULL if unreadable). */
static inline char *unit_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

/* --- plugins built at test time --- */

/* <repo>/src, found from the driver's own path (<repo>/build/tests/test_x),
 * so the tests run from any working directory. */
static inline const char *unit_src_dir(void)
{
	static char src[PATH_MAX + 8];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return "src";
	exe[n] = '\0';
	for (int i = 0; i < 3; i++) { /* drop test_x, tests, build */
		char *s = strrchr(exe, '/');
		if (s)
			*s = '\0';
	}
	snprintf(src, sizeof(src), "%s/src", exe);
	return src;
}

/* Writes source to DIR/NAME.c and compiles it as a lab would be compiled
 * (hidden visibility, so NSLAB_LAB's export is what is tested). Returns the
 * malloc'ed path of DIR/NAME.so, or NULL with the compiler's output shown. */
static inline char *unit_build_plugin(const char *dir, const char *name, const char *source)
{
	char c_path[PATH_MAX], so_path[PATH_MAX], log[PATH_MAX];
	snprintf(c_path, sizeof(c_path), "%s/%s.c", dir, name);
	snprintf(so_path, sizeof(so_path), "%s/%s.so", dir, name);
	snprintf(log, sizeof(log), "%s/%s.log", dir, name);
	if (unit_write(c_path, source) < 0)
		return NULL;
	const char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
	pid_t pid = fork();
	if (pid == 0) {
		if (!freopen(log, "w", stdout) || dup2(fileno(stdout), 2) < 0)
			_exit(127);
		char inc[PATH_MAX + 16];
		snprintf(inc, sizeof(inc), "-I%s", unit_src_dir());
		/* the libraries labs may use, as the Makefile's LAB_LIBS (needed at dlopen) */
		execlp(cc, cc, "-std=gnu11", "-shared", "-fPIC", "-fvisibility=hidden", inc, "-o", so_path,
		       c_path, "-Wl,--as-needed", "-lcap", "-lmount", "-lseccomp", (char *)NULL);
		_exit(127);
	}
	int st = -1;
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		char *out = unit_slurp(log);
		fprintf(stderr, "building %s failed:\n%s\n", c_path, out ? out : "");
		free(out);
		return NULL;
	}
	return strdup(so_path);
}

/* A complete, valid lab plugin with the given id and order. */
static inline char *unit_good_plugin(const char *dir, const char *file, const char *id, int order)
{
	char src[2048];
	snprintf(src, sizeof(src),
		 "#include \"nslab-lab.h\"\n"
		 "static bool check(struct nslab_host *h) { (void)h; return true; }\n"
		 "static int setup(struct nslab_host *h) { (void)h; return 0; }\n"
		 "static const struct nslab_step steps[] = {\n"
		 "  {\"One\", \"run true\", \"a hint\", \"an explanation\", check, 0},\n"
		 "};\n"
		 "static const struct nslab_lab lab = {\n"
		 "  .abi_major = NSLAB_ABI_MAJOR, .size = sizeof(struct nslab_lab),\n"
		 "  .id = \"%s\", .title = \"Title of %s\", .summary = \"A test lab.\",\n"
		 "  .order = %d, NSLAB_STEPS(steps), .setup = setup,\n"
		 "};\n"
		 "NSLAB_LAB(lab)\n",
		 id, id, order);
	return unit_build_plugin(dir, file, src);
}

#endif
