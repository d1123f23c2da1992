/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labs.c: plugin loading. Each plugin exports nslab_lab() returning a const
 * descriptor; a broken one (not loadable, missing symbol, wrong ABI, bad
 * fields, duplicate id) is skipped with one line, never a crash.
 *
 * As root, a plugin is checked before dlopen runs any of its code (D8): the
 * file and every directory from / down to it must belong to root (or to a
 * uid root already trusts, see trusted_uid()) and must not be writable by
 * its group or others. The file checked is opened O_NOFOLLOW and loaded as
 * /proc/self/fd/N, so the file checked is the file loaded. After dlopen the
 * entry point must be a function of that very object, and the descriptor it
 * returns, its arrays and strings must lie in the object's readable PT_LOAD
 * segments (D9): anything else is a one-line skip. */
#include "labs.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef NSLAB_LABDIR
#define NSLAB_LABDIR "/usr/local/lib/nslab/labs"
#endif

#if __SIZEOF_POINTER__ == 8
#define SYM_TYPE(info) ELF64_ST_TYPE(info)
#else
#define SYM_TYPE(info) ELF32_ST_TYPE(info)
#endif

#define FIX_INSTALL "or install labs with `sudo make install`"

struct loaded {
	const struct nslab_lab *desc; /* the host's copy (labs_copy), not the plugin's */
	void *handle;
	int fd; /* the checked file, open while loaded: its /proc/self/fd/N is the object's name */
};

static struct loaded *plugins;
static size_t nlabs;
static char *lab_path;

/* Plugins found by labs_scan_path and not loaded yet: a session that starts
 * one lab dlopens one file, not thirteen (start-up is measured against
 * `unshare`). Each keeps the yes its directory got (confirmed_uid). */
struct pending {
	char *path; /* NULL once loaded (or skipped) */
	uid_t confirmed;
};
static struct pending *pend;
static size_t npend;
static bool scanning; /* load_dir records instead of loading */

/* --lab-path / NSLAB_LAB_PATH given by the learner (labs_user_path). */
static bool user_path, user_path_interactive;
/* A directory of the invoking user the learner said yes to, while it is loaded
 * (and while a helper program is checked, helper_uid: the user said yes to). */
static uid_t confirmed_uid = (uid_t)-1, helper_uid = (uid_t)-1;

/* The smallest descriptor we can use: everything up to command_size. */
#define LAB_MIN_SIZE (offsetof(struct nslab_lab, command_size) + sizeof(unsigned))
/* The smallest array elements: up to check, and up to fn. */
#define STEP_MIN_SIZE (offsetof(struct nslab_step, check) + sizeof(void (*)(void)))
#define COMMAND_MIN_SIZE (offsetof(struct nslab_command, fn) + sizeof(void (*)(void)))
#define ELEM_MAX_SIZE 4096u

/* --- ABI 2: the plugin's array elements at the plugin's size --- */

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

void labs_step(const struct nslab_lab *d, unsigned i, struct nslab_step *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out, (const char *)d->steps + (size_t)i * d->step_size, min_size(d->step_size, sizeof(*out)));
}

void labs_command(const struct nslab_lab *d, unsigned i, struct nslab_command *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out, (const char *)d->commands + (size_t)i * d->command_size,
	       min_size(d->command_size, sizeof(*out)));
}

/* The host's copy of a validated descriptor: host-size structs, zero where
 * the plugin knows no field, arrays at the host's element size. NULL if out
 * of memory. Freed by labs_copy_free. */
static struct nslab_lab *labs_copy(const struct nslab_lab *d)
{
	struct nslab_lab *c = calloc(1, sizeof(*c));
	struct nslab_step *st = calloc(d->nsteps, sizeof(*st));
	struct nslab_command *cm = d->ncommands ? calloc(d->ncommands, sizeof(*cm)) : NULL;
	if (!c || !st || (d->ncommands && !cm)) {
		free(c);
		free(st);
		free(cm);
		return NULL;
	}
	memcpy(c, d, min_size(d->size, sizeof(*c)));
	for (unsigned i = 0; i < d->nsteps; i++)
		labs_step(d, i, &st[i]);
	for (unsigned i = 0; i < d->ncommands; i++)
		labs_command(d, i, &cm[i]);
	c->steps = st;
	c->step_size = sizeof(*st);
	c->commands = cm;
	c->command_size = sizeof(*cm);
	return c;
}

static void labs_copy_free(const struct nslab_lab *c)
{
	if (!c)
		return;
	free((void *)c->steps);
	free((void *)c->commands);
	free((void *)c);
}

static bool valid_id(const char *id)
{
	if (!id || !*id || strlen(id) > 32)
		return false;
	for (const char *p = id; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
			return false;
	return true;
}

int labs_validate(const struct nslab_lab *d, char *why, size_t whylen)
{
#define REJECT(...) return snprintf(why, whylen, __VA_ARGS__), -1
	if (!d)
		REJECT("nslab_lab() returned NULL");
	if (d->abi_major != NSLAB_ABI_MAJOR)
		REJECT("built for lab ABI %u, this nslab speaks %u", d->abi_major, NSLAB_ABI_MAJOR);
	if (d->size < LAB_MIN_SIZE)
		REJECT("descriptor too small (%u bytes, need %zu)", d->size, (size_t)LAB_MIN_SIZE);
	if (d->nsteps && (d->step_size < STEP_MIN_SIZE || d->step_size > ELEM_MAX_SIZE))
		REJECT("step_size %u is not %zu to %u bytes (use NSLAB_STEPS(array))", d->step_size,
		       (size_t)STEP_MIN_SIZE, ELEM_MAX_SIZE);
	if (d->ncommands && (d->command_size < COMMAND_MIN_SIZE || d->command_size > ELEM_MAX_SIZE))
		REJECT("command_size %u is not %zu to %u bytes (use NSLAB_COMMANDS(array))", d->command_size,
		       (size_t)COMMAND_MIN_SIZE, ELEM_MAX_SIZE);
	if (!valid_id(d->id))
		REJECT("bad lab id (use lower-case letters, digits and '-')");
	if (!d->title || !d->summary)
		REJECT("lab '%s' has no title or summary", d->id);
	if (!d->steps)
		REJECT("lab '%s' has no steps (a lab must have 1 to 32 steps)", d->id);
	if (d->nsteps == 0 || d->nsteps > 32)
		REJECT("lab '%s' must have 1 to 32 steps, has %u", d->id, d->nsteps);
	if (!d->setup)
		REJECT("lab '%s' has no setup function", d->id);
	for (unsigned i = 0; i < d->nsteps; i++) {
		struct nslab_step s;
		labs_step(d, i, &s);
		if (!s.title || !s.task || !s.check)
			REJECT("lab '%s' step %u lacks a title, task or check", d->id, i + 1);
	}
	if (d->ncommands && !d->commands)
		REJECT("lab '%s' declares commands but has none", d->id);
	for (unsigned i = 0; i < d->ncommands; i++) {
		struct nslab_command cmd, *c = &cmd;
		labs_command(d, i, c);
		if (!c->name || !c->fn)
			REJECT("lab '%s' command %u lacks a name or function", d->id, i + 1);
		if (c->min_args < 0 || c->max_args < -1 || (c->max_args >= 0 && c->min_args > c->max_args))
			REJECT("lab '%s' command %u takes %d to %d arguments (need 0 <= min <= max, max -1 "
			       "for no limit)",
			       d->id, i + 1, c->min_args, c->max_args);
	}
	return 0;
#undef REJECT
}

static int cmp_lab(const void *a, const void *b)
{
	const struct loaded *x = a, *y = b;
	if (x->desc->order != y->desc->order)
		return x->desc->order < y->desc->order ? -1 : 1;
	return strcmp(x->desc->id, y->desc->id);
}

/* --- D8: who may own what root loads --- */

static const char *user_name(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);
	if (pw && pw->pw_name)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "uid %u", (unsigned)uid);
	return buf;
}

static bool writable_by_others(mode_t m)
{
	return (m & (S_IWGRP | S_IWOTH)) != 0;
}

/* Uids root already trusts, besides root: whoever owns the running binary or
 * a directory on its path can replace what root runs, so labs of theirs are
 * no less safe (a learner's clone: `sudo make run` runs build/nslab and its
 * build/labs from a checkout the learner owns). Nobody, if that path is
 * writable by others (then nothing is safe, and only root is trusted). */
static uid_t exe_owners[16];
static size_t nexe_owners;

static void find_exe_owners(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	char exe[PATH_MAX];
	if (!realpath("/proc/self/exe", exe))
		return;
	uid_t found[16];
	size_t n = 0;
	bool sticky_before = false;
	size_t len = strlen(exe);
	for (size_t i = 0, end; i < len; i = end) { /* "/", then each longer prefix of exe */
		end = i + 1;
		while (i > 0 && end < len && exe[end] != '/')
			end++;
		char prefix[PATH_MAX];
		memcpy(prefix, exe, end);
		prefix[end] = '\0';
		bool last = end >= len;
		struct stat st;
		if (lstat(prefix, &st) < 0)
			return;
		/* the rule of open_checked() below, collecting the owners */
		if (sticky_before && writable_by_others(st.st_mode))
			return;
		sticky_before = false;
		if (writable_by_others(st.st_mode)) {
			if (last || !S_ISDIR(st.st_mode) || !(st.st_mode & S_ISVTX) || st.st_uid != 0)
				return;
			sticky_before = true;
		}
		if (st.st_uid != 0 && n < 16) {
			bool seen = false;
			for (size_t k = 0; k < n; k++)
				seen |= found[k] == st.st_uid;
			if (!seen)
				found[n++] = st.st_uid;
		}
	}
	memcpy(exe_owners, found, n * sizeof(found[0]));
	nexe_owners = n;
}

static bool trusted_uid(uid_t uid)
{
	if (uid == 0 || (confirmed_uid != (uid_t)-1 && uid == confirmed_uid))
		return true;
	find_exe_owners();
	for (size_t i = 0; i < nexe_owners; i++)
		if (exe_owners[i] == uid)
			return true;
	return false;
}

/* Whether one component of a plugin's path is unsafe for root to load from
 * (then why says so, with the fix). */
static bool unsafe_component(const char *path, const struct stat *st, bool is_file, char *why, size_t whylen)
{
	char name[64];
	const char *what = is_file ? "file" : "directory";
	if (!trusted_uid(st->st_uid))
		return snprintf(why, whylen,
				"the %s %s is owned by %s, not root (sudo chown root: %s, " FIX_INSTALL ")",
				what, path, user_name(st->st_uid, name, sizeof(name)), path),
		       true;
	if (!writable_by_others(st->st_mode))
		return false;
	const char *by = st->st_mode & S_IWOTH ? "others" : "its group";
	if (!is_file && (st->st_mode & S_ISVTX)) /* /tmp: chmod go-w would be bad advice */
		return snprintf(why, whylen,
				"the directory %s is writable by %s (sticky, but anyone may add files there: "
				"keep labs in a directory only root can write, " FIX_INSTALL ")",
				path, by),
		       true;
	return snprintf(why, whylen, "the %s %s is writable by %s (chmod go-w %s, " FIX_INSTALL ")", what,
			path, by, path),
	       true;
}

/* Opens the resolved (absolute, symlink-free) path `real` one component at a
 * time from /, each with O_NOFOLLOW, so what is checked is what is opened.
 * As root it checks /, every directory below it and the last component:
 *  - owned by root (or a trusted_uid()) and not writable by group or others;
 *  - except a sticky directory owned by root (like /tmp, 1777) on the way
 *    down: there only an entry's owner or root may rename or remove the
 *    entry, so it is safe as long as the NEXT component is owned by root (or
 *    a trusted uid) and is not writable by group or others (no sticky excuse
 *    for that one) -- the rule bubblewrap- and sudo-style checks apply. The
 *    directory the labs are in is never excused for being sticky: anyone
 *    could add files to it.
 * want_dir: `real` is a lab directory (returns an O_PATH fd to it); else a
 * plugin file (returns an O_RDONLY fd to a regular file). -1 with why. */
static int open_checked(const char *real, bool want_dir, char *why, size_t whylen)
{
	enum { MAXC = PATH_MAX / 2 };
	char copy[PATH_MAX], path[PATH_MAX] = "/";
	if (real[0] != '/' || strlen(real) >= sizeof(copy))
		return snprintf(why, whylen, "%s: not an absolute path", real), -1;
	snprintf(copy, sizeof(copy), "%s", real);
	static const char *comp[MAXC];
	size_t k = 0;
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c && k < MAXC; c = strtok_r(NULL, "/", &save))
		comp[k++] = c;
	if (!want_dir && k == 0)
		return snprintf(why, whylen, "%s", strerror(EISDIR)), -1;
	/* objects: 0 = "/", j = comp[j - 1]; the last is k; the labs' directory: */
	size_t lab_dir = want_dir ? k : k - 1;
	bool as_root = geteuid() == 0, sticky_before = false;
	int fd = -1;
	size_t len = 0;
	for (size_t j = 0; j <= k; j++) {
		bool is_file = !want_dir && j == k;
		int next;
		if (j == 0) {
			next = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		} else {
			const char *name = comp[j - 1];
			snprintf(path + len, sizeof(path) - len, "/%s", name);
			len += 1 + strlen(name);
			/* O_NONBLOCK: a FIFO named x.so must not hang the start */
			next = openat(fd, name,
				      is_file ? O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY
					      : O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		int err = errno;
		if (fd >= 0)
			close(fd);
		fd = next;
		if (fd < 0) {
			if (err == ELOOP || err == ENOTDIR)
				snprintf(why, whylen, "%s changed while it was checked (%s)", path,
					 strerror(err));
			else
				snprintf(why, whylen, "%s", strerror(err));
			return -1;
		}
		struct stat st;
		if (fstat(fd, &st) < 0) {
			snprintf(why, whylen, "cannot check %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (is_file && !S_ISREG(st.st_mode)) {
			snprintf(why, whylen, "%s",
				 S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file");
			close(fd);
			return -1;
		}
		if (!as_root)
			continue;
		bool excusable =
		    S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) && st.st_uid == 0 && j < lab_dir;
		if (!sticky_before && excusable && writable_by_others(st.st_mode)) {
			sticky_before = true;
			continue;
		}
		sticky_before = false;
		if (unsafe_component(path, &st, is_file, why, whylen)) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* realpath, with a dangling symlink said as such (D15). */
static char *resolve(const char *path, char *why, size_t whylen)
{
	char *real = realpath(path, NULL);
	if (real)
		return real;
	int err = errno;
	struct stat st;
	char target[PATH_MAX];
	ssize_t n;
	if (err == ENOENT && lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    (n = readlink(path, target, sizeof(target) - 1)) > 0) {
		target[n] = '\0';
		snprintf(why, whylen, "dangling symlink to %s (%s)", target, strerror(ENOENT));
	} else {
		snprintf(why, whylen, "%s", strerror(err));
	}
	return NULL;
}

/* --- D9: the entry point and the descriptor must be the plugin's own --- */

struct segs {
	const char *name;
	ElfW(Addr) base;
	size_t n;
	struct {
		uintptr_t lo, hi;
		bool exec;
	} s[32];
};

static int collect_segs(struct dl_phdr_info *info, size_t size, void *ud)
{
	(void)size;
	struct segs *sg = ud;
	if (info->dlpi_addr != sg->base || !info->dlpi_name || strcmp(info->dlpi_name, sg->name) != 0)
		return 0;
	for (size_t i = 0; i < info->dlpi_phnum && sg->n < 32; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_R) || !ph->p_memsz)
			continue;
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		sg->s[sg->n].lo = lo;
		sg->s[sg->n].hi = lo + ph->p_memsz;
		sg->s[sg->n].exec = ph->p_flags & PF_X;
		sg->n++;
	}
	return 1;
}

/* The readable segment holding [p, p + len), or -1. */
static int seg_of(const struct segs *sg, const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p, end;
	if (__builtin_add_overflow(a, len, &end))
		return -1;
	for (size_t i = 0; i < sg->n; i++)
		if (a >= sg->s[i].lo && end <= sg->s[i].hi && (len || a < sg->s[i].hi))
			return (int)i;
	return -1;
}

static bool in_plugin(const struct segs *sg, const void *p, size_t len)
{
	return seg_of(sg, p, len) >= 0;
}

/* NULL, or a NUL-terminated string inside one readable segment. */
static bool str_ok(const struct segs *sg, const char *s)
{
	if (!s)
		return true;
	int i = seg_of(sg, s, 1);
	return i >= 0 && memchr(s, '\0', sg->s[i].hi - (uintptr_t)s);
}

/* Before labs_validate reads a field: every byte it and the host will read
 * lies in the plugin's readable memory. NULLs are left to labs_validate. */
static int check_memory(const struct segs *sg, const struct nslab_lab *d, char *why, size_t whylen)
{
#define REJECT(...) return snprintf(why, whylen, __VA_ARGS__), -1
	if (!d)
		return 0;
	if (!in_plugin(sg, d, offsetof(struct nslab_lab, size) + sizeof(d->size)))
		REJECT("nslab_lab() returned %p, which is not in the plugin's readable memory",
		       (const void *)d);
	if (d->abi_major != NSLAB_ABI_MAJOR || d->size < LAB_MIN_SIZE)
		return 0; /* labs_validate says why, reading nothing more */
	if (!in_plugin(sg, d, d->size))
		REJECT("the descriptor at %p claims %u bytes, more than the plugin holds there",
		       (const void *)d, d->size);
	if (!str_ok(sg, d->id) || !str_ok(sg, d->title) || !str_ok(sg, d->summary))
		REJECT("the lab's id, title or summary is not a string in the plugin's memory");
	if (d->nsteps && (d->step_size < STEP_MIN_SIZE || d->step_size > ELEM_MAX_SIZE))
		return 0; /* labs_validate says why */
	if (d->ncommands && (d->command_size < COMMAND_MIN_SIZE || d->command_size > ELEM_MAX_SIZE))
		return 0;
	if (d->steps && d->nsteps >= 1 && d->nsteps <= 32) {
		if (!in_plugin(sg, d->steps, (size_t)d->nsteps * d->step_size))
			REJECT("the array of %u step%s at %p is not in the plugin's readable memory",
			       d->nsteps, d->nsteps == 1 ? "" : "s", (const void *)d->steps);
		for (unsigned i = 0; i < d->nsteps; i++) {
			struct nslab_step st, *s = &st;
			labs_step(d, i, s);
			if (!str_ok(sg, s->title) || !str_ok(sg, s->task) || !str_ok(sg, s->hint) ||
			    !str_ok(sg, s->explain))
				REJECT("step %u's texts are not strings in the plugin's memory", i + 1);
		}
	}
	if (d->commands && d->ncommands) {
		size_t bytes;
		if (__builtin_mul_overflow((size_t)d->ncommands, (size_t)d->command_size, &bytes) ||
		    !in_plugin(sg, d->commands, bytes))
			REJECT("the array of %u command%s at %p is not in the plugin's readable memory",
			       d->ncommands, d->ncommands == 1 ? "" : "s", (const void *)d->commands);
		for (unsigned i = 0; i < d->ncommands; i++) {
			struct nslab_command cmd, *c = &cmd;
			labs_command(d, i, c);
			if (!str_ok(sg, c->name) || !str_ok(sg, c->usage) || !str_ok(sg, c->summary))
				REJECT("command %u's texts are not strings in the plugin's memory", i + 1);
		}
	}
	return 0;
#undef REJECT
}

/* The entry point: a function (STT_FUNC) of this object, in one of its
 * executable segments; NULL with why otherwise. */
static const struct nslab_lab *(*entry_of(void *h, const struct link_map *lm, const struct segs *sg,
					  char *why, size_t whylen))(void)
{
	void *sym = dlsym(h, NSLAB_ENTRY_SYMBOL);
	if (!sym)
		return snprintf(why, whylen, "no %s() function (not an nslab lab?)", NSLAB_ENTRY_SYMBOL),
		       NULL;
	Dl_info info;
	struct link_map *owner = NULL;
	if (!dladdr1(sym, &info, (void **)&owner, RTLD_DL_LINKMAP) || owner != lm || !info.dli_fname ||
	    strcmp(info.dli_fname, lm->l_name) != 0)
		return snprintf(why, whylen, "%s is not defined in the plugin itself (but in %s)",
				NSLAB_ENTRY_SYMBOL,
				owner && info.dli_fname && *info.dli_fname ? info.dli_fname
									   : "no loaded object"),
		       NULL;
	const ElfW(Sym) *es = NULL;
	if (!dladdr1(sym, &info, (void **)&es, RTLD_DL_SYMENT) || !es || info.dli_saddr != sym ||
	    SYM_TYPE(es->st_info) != STT_FUNC) {
		int t = es ? SYM_TYPE(es->st_info) : -1;
		return snprintf(why, whylen,
				"%s is not a function (%s): export it with NSLAB_LAB(descriptor)",
				NSLAB_ENTRY_SYMBOL,
				t == STT_OBJECT      ? "a data object"
				: t == STT_GNU_IFUNC ? "an IFUNC"
						     : "not a function symbol"),
		       NULL;
	}
	int i = seg_of(sg, sym, 1);
	if (i < 0 || !sg->s[i].exec)
		return snprintf(why, whylen, "%s is not in the plugin's code", NSLAB_ENTRY_SYMBOL), NULL;
	const struct nslab_lab *(*entry)(void);
	*(void **)&entry = sym;
	return entry;
}

/* dlclose, and close the fd unless the object stays loaded under its name
 * /proc/self/fd/N (NODELETE): then N must never name another file to dlopen. */
static void unload(void *h, int fd, bool fresh)
{
	dlclose(h);
	if (fd < 0)
		return;
	if (fresh) {
		char fdpath[32];
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
		void *still = dlopen(fdpath, RTLD_LAZY | RTLD_NOLOAD);
		if (still) {
			dlclose(still);
			return; /* the fd stays open for good */
		}
	}
	close(fd);
}

static const struct nslab_lab *find_loaded(const char *id)
{
	for (size_t i = 0; i < nlabs; i++)
		if (strcmp(plugins[i].desc->id, id) == 0)
			return plugins[i].desc;
	return NULL;
}

int labs_load_file(const char *path, char *why, size_t whylen)
{
	char *real = resolve(path, why, whylen);
	if (!real)
		return -1;
	int fd = open_checked(real, false, why, whylen);
	free(real);
	if (fd < 0)
		return -1;
	char fdpath[32];
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	if (access(fdpath, F_OK) < 0) {
		snprintf(why, whylen, "cannot load it through %s (is /proc mounted?)", fdpath);
		close(fd);
		return -1;
	}
	void *h = dlopen(fdpath, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, whylen, "%s", dlerror());
		close(fd);
		return -1;
	}
	struct link_map *lm = NULL;
	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) != 0 || !lm || !lm->l_name) {
		snprintf(why, whylen, "cannot find the loaded object");
		unload(h, fd, false);
		return -1;
	}
	/* a file already loaded comes back under its first name: then this fd
	 * names nothing loaded, and closing it is always safe */
	bool fresh = strcmp(lm->l_name, fdpath) == 0;
	struct segs sg = {.name = lm->l_name, .base = lm->l_addr};
	dl_iterate_phdr(collect_segs, &sg);
	const struct nslab_lab *(*entry)(void) = entry_of(h, lm, &sg, why, whylen);
	if (!entry) {
		unload(h, fd, fresh);
		return -1;
	}
	const struct nslab_lab *d = entry();
	if (check_memory(&sg, d, why, whylen) < 0 || labs_validate(d, why, whylen) < 0) {
		unload(h, fd, fresh);
		return -1;
	}
	if (find_loaded(d->id)) {
		snprintf(why, whylen, "duplicate lab id '%s' (already loaded)", d->id);
		unload(h, fd, fresh);
		return -1;
	}
	struct nslab_lab *copy = labs_copy(d);
	struct loaded *n = copy ? realloc(plugins, (nlabs + 1) * sizeof(*n)) : NULL;
	if (!n) {
		labs_copy_free(copy);
		unload(h, fd, fresh);
		return snprintf(why, whylen, "out of memory"), -1;
	}
	plugins = n;
	plugins[nlabs++] = (struct loaded){copy, h, fd};
	qsort(plugins, nlabs, sizeof(*plugins), cmp_lab);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void labs_user_path(bool given, bool interactive)
{
	user_path = given;
	user_path_interactive = interactive;
}

static uid_t sudo_uid(void)
{
	const char *s = getenv("SUDO_UID");
	char *end;
	errno = 0;
	unsigned long v = s && *s ? strtoul(s, &end, 10) : 0;
	if (!s || !*s || errno || *end || v == 0 || v >= (uid_t)-1)
		return (uid_t)-1;
	return (uid_t)v;
}

/* Asks on the terminal (read_answer: no later input is swallowed). */
static bool confirm(const char *dir, uid_t uid)
{
	char name[64];
	fprintf(stderr, "Load labs from %s, owned by %s, as root? [y/N] ", dir,
		user_name(uid, name, sizeof(name)));
	fflush(stderr);
	int answer = read_answer();
	return answer == 'y' || answer == 'Y';
}

/* Whether root may load the labs of this directory. 1 yes, 0 skipped in
 * silence (missing), -1 refused (why says so). As root, a directory the
 * learner named (--lab-path, NSLAB_LAB_PATH) that belongs to the invoking
 * user (SUDO_UID) is loaded only after a yes on a terminal. */
static int dir_allowed(const char *dir, char *why, size_t whylen)
{
	char *real = resolve(dir, why, whylen);
	if (!real)
		return 0;
	int fd = open_checked(real, true, why, whylen);
	if (fd >= 0) {
		close(fd);
		free(real);
		return 1;
	}
	uid_t uid = sudo_uid();
	struct stat st;
	if (geteuid() != 0 || !user_path || uid == (uid_t)-1 || stat(real, &st) < 0 || st.st_uid != uid) {
		free(real);
		return -1;
	}
	/* the same checks with the invoking user trusted too */
	char why2[512];
	confirmed_uid = uid;
	fd = open_checked(real, true, why2, sizeof(why2));
	confirmed_uid = (uid_t)-1;
	if (fd < 0) {
		free(real);
		return -1;
	}
	close(fd);
	char name[64];
	user_name(uid, name, sizeof(name));
	int ret = -1;
	if (!user_path_interactive || !isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		snprintf(why, whylen,
			 "the directory %s is owned by %s, not root, and labs from it are loaded as root "
			 "only after a yes on a terminal (sudo chown -R root: %s, " FIX_INSTALL ")",
			 real, name, real);
	else if (!confirm(real, uid))
		snprintf(why, whylen, "not loading labs owned by %s as root (answered no)", name);
	else {
		confirmed_uid = helper_uid = uid;
		ret = 1;
	}
	free(real);
	return ret;
}

static int add_pending(const char *path)
{
	char *copy = strdup(path);
	struct pending *n = copy ? realloc(pend, (npend + 1) * sizeof(*n)) : NULL;
	if (!n) {
		free(copy);
		fprintf(stderr, "nslab: skipping %s: out of memory\n", path);
		return -1;
	}
	pend = n;
	pend[npend++] = (struct pending){copy, confirmed_uid};
	return 0;
}

static void load_pending(size_t i)
{
	if (!pend[i].path)
		return;
	char why[512];
	confirmed_uid = pend[i].confirmed;
	if (labs_load_file(pend[i].path, why, sizeof(why)) < 0)
		fprintf(stderr, "nslab: skipping %s: %s\n", pend[i].path, why);
	confirmed_uid = (uid_t)-1;
	free(pend[i].path);
	pend[i].path = NULL;
}

static void load_all_pending(void)
{
	for (size_t i = 0; i < npend; i++)
		load_pending(i);
	free(pend);
	pend = NULL;
	npend = 0;
}

/* The pending file named ID.so, the first in the path (labs/<id>.c builds
 * <id>.so); a lab whose id is not its file name is found by loading all. */
static void load_pending_named(const char *id)
{
	size_t idlen = strlen(id);
	for (size_t i = 0; i < npend; i++) {
		const char *p = pend[i].path, *base = p ? strrchr(p, '/') : NULL;
		base = base ? base + 1 : p;
		if (base && strncmp(base, id, idlen) == 0 && strcmp(base + idlen, ".so") == 0) {
			load_pending(i);
			return;
		}
	}
}

static int load_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	char *names[256];
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < 256) {
		size_t len = strlen(de->d_name);
		if (len > 3 && strcmp(de->d_name + len - 3, ".so") == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	if (n == 0)
		return 0;
	qsort(names, n, sizeof(names[0]), cmp_str); /* same order of "skipping" lines every run */
	char why[512];
	int allowed = dir_allowed(dir, why, sizeof(why));
	if (allowed < 0) /* one line for the directory, not one per file */
		fprintf(stderr, "nslab: skipping %s/*.so (%zu file%s): %s\n", dir, n, n == 1 ? "" : "s", why);
	int loaded = 0;
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (allowed < 0)
			;
		else if (scanning)
			loaded += add_pending(path) == 0;
		else if (labs_load_file(path, why, sizeof(why)) == 0)
			loaded++;
		else
			fprintf(stderr, "nslab: skipping %s: %s\n", path, why);
		free(names[i]);
	}
	confirmed_uid = (uid_t)-1;
	return loaded;
}

int labs_scan_path(const char *pathlist)
{
	scanning = true;
	int found = labs_load_path(pathlist);
	scanning = false;
	return found;
}

int labs_load_path(const char *pathlist)
{
	free(lab_path);
	lab_path = strdup(pathlist);
	helper_uid = (uid_t)-1; /* a yes holds for the directories of this path only */
	char *copy = strdup(pathlist), *save = NULL;
	int loaded = 0;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
		loaded += load_dir(dir);
	free(copy);
	return loaded;
}

const char *labs_default_path(void)
{
	static char path[2 * PATH_MAX + 2];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NSLAB_LABDIR;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	struct stat st;
	char build[PATH_MAX + 8];
	snprintf(build, sizeof(build), "%s/labs", exe);
	if (stat(build, &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(path, sizeof(path), "%s:%s", build, NSLAB_LABDIR);
	else
		snprintf(path, sizeof(path), "%s", NSLAB_LABDIR);
	return path;
}

size_t labs_count(void)
{
	load_all_pending();
	return nlabs;
}
const struct nslab_lab *labs_get(size_t i)
{
	load_all_pending();
	return i < nlabs ? plugins[i].desc : NULL;
}

const struct nslab_lab *labs_find(const char *id)
{
	const struct nslab_lab *d = find_loaded(id);
	if (d || !npend)
		return d;
	load_pending_named(id);
	if ((d = find_loaded(id)))
		return d;
	load_all_pending();
	return find_loaded(id);
}

const char *labs_closest(const char *id)
{
	load_all_pending();
	const char *best = NULL;
	size_t bestd = 3; /* farther than two edits is no suggestion */
	for (size_t i = 0; i < nlabs; i++) {
		const char *cand = plugins[i].desc->id;
		size_t d = *id && strncmp(cand, id, strlen(id)) == 0 ? 1 : edit_distance(id, cand);
		if (d < bestd) {
			bestd = d;
			best = cand;
		}
	}
	return best;
}

const char *labs_helper(const char *name)
{
	static char found[PATH_MAX];
	if (!lab_path || strchr(name, '/'))
		return NULL;
	char *copy = strdup(lab_path), *save = NULL;
	const char *ret = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir && !ret; dir = strtok_r(NULL, ":", &save)) {
		snprintf(found, sizeof(found), "%s/%s", dir, name);
		if (access(found, X_OK) != 0)
			continue;
		/* labs run helpers as root: the same checks as for a plugin (the
		 * labs of an unsafe directory were refused, not its helpers) */
		char why[512], *real = resolve(found, why, sizeof(why));
		if (!real)
			continue;
		confirmed_uid = helper_uid;
		int fd = open_checked(real, false, why, sizeof(why));
		confirmed_uid = (uid_t)-1;
		free(real);
		if (fd >= 0) {
			close(fd);
			ret = found;
		}
	}
	free(copy);
	return ret;
}

void labs_unload_all(void)
{
	for (size_t i = 0; i < npend; i++)
		free(pend[i].path);
	free(pend);
	pend = NULL;
	npend = 0;
	for (size_t i = 0; i < nlabs; i++) {
		labs_copy_free(plugins[i].desc);
		unload(plugins[i].handle, plugins[i].fd, true);
	}
	free(plugins);
	plugins = NULL;
	nlabs = 0;
}
