/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fakelab.h: a lab under test on the fake host of fakehost.h (header-only,
 * as the Makefile builds one file per driver): compiles labs/<id>.c into a
 * plugin with its agent functions exported, loads it, answers its agent
 * calls, and runs its checks and commands with the transcript cleared. A
 * driver includes this file, names its lab with FAKE_LAB_GROUP and lists
 * its tests with fake_test; real processes that stand in for a lab process
 * are standin.h's. Its own job apart from fakehost.h: the fake host knows
 * no lab, this file no host internals. */
#ifndef NSLAB_FAKELAB_H
#define NSLAB_FAKELAB_H

#include "fakehost.h"

static void *fake_handle;
static const struct nslab_lab *fake_lab;

/* --- the lab --- */

/* The address of the agent function `name` of the lab (exported by
 * fake_load_lab), or NULL. */
static inline void *fake_fn_of(const char *name)
{
	char sym[256];
	snprintf(sym, sizeof(sym), "fake_fn_%s", name);
	void *(*get)(void) = (void *(*)(void))dlsym(fake_handle, sym);
	return get ? get() : NULL;
}

/* The first of "a|b|c" that the lab has, trying for each the other
 * prefixes labs give agent functions (ag_, fn_, agent_): the tests then
 * survive a rename of the lab's functions. Aborts if none. found (if not
 * NULL, 160 bytes) gets the name it has. */
static inline void *fake_fn_found(const char *names, char *found)
{
	static const char *const prefixes[] = {"ag_", "fn_", "agent_"};
	char copy[512], *save = NULL;
	snprintf(copy, sizeof(copy), "%s", names);
	for (char *n = strtok_r(copy, "|", &save); n; n = strtok_r(NULL, "|", &save)) {
		void *fn = fake_fn_of(n);
		const char *stem = n;
		for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
			if (strncmp(n, prefixes[i], strlen(prefixes[i])) == 0)
				stem = n + strlen(prefixes[i]);
		char alt[160];
		snprintf(alt, sizeof(alt), "%s", n);
		for (size_t i = 0; !fn && stem != n && i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
			snprintf(alt, sizeof(alt), "%s%s", prefixes[i], stem);
			fn = fake_fn_of(alt);
		}
		if (fn && found)
			snprintf(found, 160, "%s", alt);
		if (fn)
			return fn;
	}
	fprintf(stderr, "fakehost: the %s lab has no agent function %s\n", fake_lab ? fake_lab->id : "?",
		names);
	fake_abort();
}

/* What fake_on_call and fake_on_call_text share: the call table's entry
 * for the agent function `names`, made or replaced. */
static inline void fake_script_call(const char *names, fake_responder answer, const char *text)
{
	char found[160];
	nslab_call_fn fn = (nslab_call_fn)fake_fn_found(names, found);
	unsigned i = fake_call_index(fn);
	if (i == FAKE_MAX)
		fake_abort();
	if (i == fk.ncalls)
		fk.ncalls++;
	fk.calls[i].fn = (void *)fn;
	snprintf(fk.calls[i].name, sizeof(fk.calls[i].name), "%s", found);
	fk.calls[i].answer = answer;
	fk.calls[i].text = text;
}

/* Calls of the lab's agent function `names` (see fake_fn) are answered by
 * `answer` (NULL: the call fails with ENOSYS, as an unscripted one does). */
static inline void fake_on_call(const char *names, fake_responder answer)
{
	fake_script_call(names, answer, NULL);
}

/* Calls of `names` succeed with text as their output: the answer of an
 * agent function that only reports a string (a hostname, a cgroup path, a
 * pid), without a responder function of its own in each driver. text is
 * read at each call, so a test may point it at a buffer it changes between
 * checks. */
static inline void fake_on_call_text(const char *names, const char *text)
{
	fake_script_call(names, NULL, text);
}

/* Canned answers for fake_on_call, for the agent calls whose only outcome
 * that matters is success or failure (an unshare, a sethostname, a chroot):
 * most drivers need both, so they are here once. An answer that is only a
 * text is fake_on_call_text's; one with logic of its own (an errno the
 * test varies, a struct) is the driver's. */

/* The agent function succeeded (returned 0) and wrote nothing. */
static inline int fake_answer_ok(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen, (void)out, (void)outlen;
	return 0;
}

/* The agent function failed with EPERM and wrote nothing, as a syscall
 * refused for want of privilege inside the lab process. */
static inline int fake_answer_eperm(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen, (void)out, (void)outlen;
	errno = EPERM;
	return -1;
}

/* Appends to src an exported fake_fn_NAME() for every agent function (the
 * nslab_call_fn signature, on one line) defined in the file at path. */
static inline void fake_export_call_fns(const char *path, char *src, size_t len)
{
	static const char *const sig = "(void *arg, char *out, size_t outlen)";
	FILE *f = fopen(path, "re");
	char line[512];
	while (f && fgets(line, sizeof(line), f)) {
		const char *p = strncmp(line, "static int ", 11) == 0          ? line + 11
				: strncmp(line, "static inline int ", 18) == 0 ? line + 18
									       : NULL;
		const char *paren = p ? strstr(p, sig) : NULL;
		if (!paren || strchr(line, ';'))
			continue;
		size_t n = strlen(src);
		snprintf(src + n, len - n,
			 "__attribute__((visibility(\"default\"))) void *fake_fn_%.*s(void);\n"
			 "void *fake_fn_%.*s(void) { return (void *)%.*s; }\n",
			 (int)(paren - p), p, (int)(paren - p), p, (int)(paren - p), p);
	}
	if (f)
		fclose(f);
}

/* fake_export_call_fns for nslab-lab-util.h and each of its parts, the
 * nslab-lab-util-*.h it includes (the agent functions are in those). */
static inline void fake_export_util_call_fns(char *src, size_t len)
{
	char path[PATH_MAX + 64], line[512], part[256];
	snprintf(path, sizeof(path), "%s/nslab-lab-util.h", unit_src_dir());
	fake_export_call_fns(path, src, len);
	FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "#include \"nslab-lab-util-%200[a-z-].h\"", part) != 1)
			continue;
		char sub[2 * PATH_MAX];
		snprintf(sub, sizeof(sub), "%s/nslab-lab-util-%s.h", unit_src_dir(), part);
		fake_export_call_fns(sub, src, len);
	}
	if (f)
		fclose(f);
}

static inline void fake_unload_lab(void);

/* Compiles labs/<id>.c into a plugin (as the Makefile does, -fvisibility=hidden)
 * with, for each of its agent functions (and those of nslab-lab-util.h and
 * its parts, if it includes it), an exported fake_fn_<name>() returning its
 * address; loads it. 0 ok. For a cmocka group setup. */
static inline int fake_load_lab(const char *id)
{
	static char src[65536];
	char path[PATH_MAX + 64];
	fake_dir = unit_tmpdir();
	/* -D_GNU_SOURCE, as the Makefile compiles labs (unit_build_plugin does not). */
	snprintf(src, sizeof(src), "#define _GNU_SOURCE 1\n#include \"../labs/%s.c\"\n", id);
	snprintf(path, sizeof(path), "%s/../labs/%s.c", unit_src_dir(), id);
	fake_export_call_fns(path, src, sizeof(src));
	char *text = unit_slurp(path);
	bool util = text && strstr(text, "#include \"nslab-lab-util.h\"");
	free(text);
	if (util)
		fake_export_util_call_fns(src, sizeof(src));
	char file[64];
	snprintf(file, sizeof(file), "lab_%s", id);
	for (char *c = file; *c; c++)
		if (*c == '-')
			*c = '_';
	char *so = unit_build_plugin(fake_dir, file, src);
	if (!so) {
		fake_unload_lab(); /* cmocka does not tear down a group whose setup failed */
		return -1;
	}
	fake_handle = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	free(so);
	const struct nslab_lab *(*entry)(void) =
	    fake_handle ? (const struct nslab_lab *(*)(void))dlsym(fake_handle, "nslab_lab") : NULL;
	fake_lab = entry ? entry() : NULL;
	if (!fake_lab || strcmp(fake_lab->id, id) != 0) {
		fprintf(stderr, "the %s lab did not load: %s\n", id, dlerror());
		fake_unload_lab();
		return -1;
	}
	char work[PATH_MAX];
	snprintf(work, sizeof(work), "%s/work", fake_dir);
	return mkdir(work, 0700);
}

static inline void fake_unload_lab(void)
{
	if (fake_handle)
		dlclose(fake_handle);
	fake_handle = NULL;
	fake_lab = NULL;
	unit_rm_rf(fake_dir);
	free(fake_dir);
	fake_dir = NULL;
}

static inline const struct nslab_step *fake_step(unsigned i)
{
	if (i >= fake_lab->nsteps)
		fake_abort();
	return (const struct nslab_step *)((const char *)fake_lab->steps + (size_t)i * fake_lab->step_size);
}

/* Runs step n's check (1-based, as `step N`), with the transcript cleared. */
static inline bool fake_check(unsigned n)
{
	fk.out[0] = fk.log[0] = '\0';
	fk.nmissing = fk.unscripted = 0;
	bool ok = fake_step(n - 1)->check(&fk.host);
	/* A check that fails says what is missing; one that passes says nothing missing. */
	if (ok && fk.nmissing)
		fail_msg("step %u passed but said something is missing:\n%s", n, fk.out);
	if (!ok && !fk.nmissing)
		fail_msg("step %u failed without saying what is missing:\n%s", n, fk.out);
	return ok;
}

/* The lab's command of this name, NULL when it has none. */
static inline const struct nslab_command *fake_command(const char *name)
{
	for (unsigned i = 0; i < fake_lab->ncommands; i++) {
		const struct nslab_command *c =
		    (const struct nslab_command *)((const char *)fake_lab->commands +
						   (size_t)i * fake_lab->command_size);
		if (strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

/* A text as one line, runs of spaces and newlines as one space: a fact a
 * source wraps may span two of its lines. */
static inline void fake_one_line(const char *text, char *buf, size_t len)
{
	size_t n = 0;
	for (const char *p = text; *p && n + 1 < len; p++) {
		char c = *p == '\n' ? ' ' : *p;
		if (c == ' ' && n > 0 && buf[n - 1] == ' ')
			continue;
		buf[n++] = c;
	}
	buf[n] = '\0';
}

/* Runs the lab command `line` (words split on spaces, as the REPL would,
 * after checking the argument count the way the host does); returns its
 * result, with the transcript cleared first. */
static inline int fake_cmd(const char *line)
{
	char copy[512], *argv[16], *save = NULL;
	int argc = 0;
	snprintf(copy, sizeof(copy), "%s", line);
	for (char *w = strtok_r(copy, " ", &save); w && argc < 15; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	fk.out[0] = fk.log[0] = '\0';
	fk.nerror = fk.unscripted = 0;
	const struct nslab_command *c = argc ? fake_command(argv[0]) : NULL;
	if (c) {
		if (argc - 1 < c->min_args || (c->max_args >= 0 && argc - 1 > c->max_args))
			fail_msg("'%s' has an argument count the host would refuse (usage: %s)", line,
				 c->usage);
		int rc = c->fn(&fk.host, argc, argv);
		if (rc < 0 && !fk.nerror)
			fail_msg("'%s' failed without an error:\n%s", line, fk.out);
		return rc;
	}
	fail_msg("the %s lab has no command '%s'", fake_lab->id, argc ? argv[0] : "");
	return -2;
}

/* What the lab said (fk.out) or asked (fk.log) holds, or is, the
 * printf-formatted text: most messages name a pid or a path, and a test
 * would otherwise format them into a buffer first. Macros, so that a
 * failure names the test's line; a text too long to format fails. */
#define FAKE_EXPECT(assert_fn, where, ...)                                                                   \
	do {                                                                                                 \
		char expect_[4096];                                                                          \
		if (snprintf(expect_, sizeof(expect_), __VA_ARGS__) >= (int)sizeof(expect_))                 \
			fail_msg("the expected text is too long");                                           \
		assert_fn(where, expect_);                                                                   \
	} while (0)
#define assert_out_has(...) FAKE_EXPECT(assert_contains, fk.out, __VA_ARGS__)
#define assert_out_is(...) FAKE_EXPECT(assert_string_equal, fk.out, __VA_ARGS__)
#define assert_log_has(...) FAKE_EXPECT(assert_contains, fk.log, __VA_ARGS__)

/* cmocka group setup/teardown for a lab test: fake_lab_setup needs a
 * wrapper naming the lab, see FAKE_LAB_GROUP. */
#define FAKE_LAB_GROUP(id)                                                                                   \
	static int fake_group_setup(void **state)                                                            \
	{                                                                                                    \
		(void)state;                                                                                 \
		return fake_load_lab(id);                                                                    \
	}                                                                                                    \
	static int fake_group_teardown(void **state)                                                         \
	{                                                                                                    \
		(void)state;                                                                                 \
		fake_unload_lab();                                                                           \
		return 0;                                                                                    \
	}                                                                                                    \
	static int fake_test_setup(void **state)                                                             \
	{                                                                                                    \
		(void)state;                                                                                 \
		fake_reset();                                                                                \
		return 0;                                                                                    \
	}

#define fake_test(fn) cmocka_unit_test_setup(fn, fake_test_setup)

#endif
