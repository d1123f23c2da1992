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
#include "i18n.h"
#include "labs-int.h"
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
 * `unshare`). Each keeps the yes its directory got (labs_confirmed_uid). */
struct pending {
	char *path; /* NULL once loaded (or skipped) */
	uid_t confirmed;
	char *realdir; /* its directory's real path, as checked by the scan */
};
static struct pending *pend;
static size_t npend;
static bool scanning; /* load_dir records instead of loading */

static int cmp_lab(const void *a, const void *b)
{
	const struct loaded *x = a, *y = b;
	if (x->desc->order != y->desc->order)
		return x->desc->order < y->desc->order ? -1 : 1;
	return strcmp(x->desc->id, y->desc->id);
}

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

static int load_fd(int fd, char *why, size_t whylen);

int labs_load_file(const char *path, char *why, size_t whylen)
{
	char *real = labs_resolve(path, why, whylen);
	if (!real)
		return -1;
	int fd = labs_open_checked(real, false, why, whylen);
	free(real);
	return fd < 0 ? -1 : load_fd(fd, why, whylen);
}

/* Loads the checked plugin file open at fd (kept open while it is loaded,
 * closed on failure). */
static int load_fd(int fd, char *why, size_t whylen)
{
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
	dl_iterate_phdr(labs_collect_segs, &sg);
	const struct nslab_lab *(*entry)(void) = labs_entry_of(h, lm, &sg, why, whylen);
	if (!entry) {
		unload(h, fd, fresh);
		return -1;
	}
	const struct nslab_lab *d = entry();
	if (labs_check_memory(&sg, d, why, whylen) < 0 || labs_validate(d, why, whylen) < 0) {
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
	i18n_bind(copy->textdomain); /* its texts from the same locale tree as nslab's */
	qsort(plugins, nlabs, sizeof(*plugins), cmp_lab);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_pending(const char *path, const char *realdir)
{
	char *copy = strdup(path), *rd = realdir ? strdup(realdir) : NULL;
	struct pending *n = copy && (rd || !realdir) ? realloc(pend, (npend + 1) * sizeof(*n)) : NULL;
	if (!n) {
		free(copy);
		free(rd);
		fprintf(stderr, "nslab: skipping %s: out of memory\n", path);
		return -1;
	}
	pend = n;
	pend[npend++] = (struct pending){copy, labs_confirmed_uid, rd};
	return 0;
}

static void free_pending(struct pending *p)
{
	free(p->path);
	free(p->realdir);
	p->path = p->realdir = NULL;
}

/* A pending file whose directory the scan checked is opened there and
 * checked alone (labs_open_in_checked_dir); a symlink, or one without a
 * checked directory, is resolved and walked whole. */
static int load_one(const struct pending *p, char *why, size_t whylen)
{
	const char *name = strrchr(p->path, '/');
	if (!p->realdir || !name)
		return labs_load_file(p->path, why, whylen);
	int fd = labs_open_in_checked_dir(p->realdir, name + 1, why, whylen);
	if (fd < 0 && errno == ELOOP)
		return labs_load_file(p->path, why, whylen);
	return fd < 0 ? -1 : load_fd(fd, why, whylen);
}

static void load_pending(size_t i)
{
	if (!pend[i].path)
		return;
	char why[512];
	labs_confirmed_uid = pend[i].confirmed;
	if (load_one(&pend[i], why, sizeof(why)) < 0)
		fprintf(stderr, "nslab: skipping %s: %s\n", pend[i].path, why);
	labs_confirmed_uid = (uid_t)-1;
	free_pending(&pend[i]);
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
	char why[512], *realdir = NULL;
	int allowed = labs_dir_allowed(dir, &realdir, why, sizeof(why));
	if (allowed < 0) /* one line for the directory, not one per file */
		fprintf(stderr, "nslab: skipping %s/*.so (%zu file%s): %s\n", dir, n, n == 1 ? "" : "s", why);
	int loaded = 0;
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (allowed < 0)
			;
		else if (scanning)
			loaded += add_pending(path, realdir) == 0;
		else if (labs_load_file(path, why, sizeof(why)) == 0)
			loaded++;
		else
			fprintf(stderr, "nslab: skipping %s: %s\n", path, why);
		free(names[i]);
	}
	free(realdir);
	labs_confirmed_uid = (uid_t)-1;
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
	labs_helper_uid = (uid_t)-1; /* a yes holds for the directories of this path only */
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
		char why[512], *real = labs_resolve(found, why, sizeof(why));
		if (!real)
			continue;
		labs_confirmed_uid = labs_helper_uid;
		int fd = labs_open_checked(real, false, why, sizeof(why));
		labs_confirmed_uid = (uid_t)-1;
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
		free_pending(&pend[i]);
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
