/* labs.c: plugin loading. Each plugin exports nslab_lab() returning a const
 * descriptor; a broken one (not loadable, missing symbol, wrong ABI, bad
 * fields, duplicate id) is skipped with one line, never a crash. */
#include "labs.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef NSLAB_LABDIR
#define NSLAB_LABDIR "/usr/local/lib/nslab/labs"
#endif

struct loaded {
	const struct nslab_lab *desc;
	void *handle;
};

static struct loaded *plugins;
static size_t nlabs;
static char *lab_path;

/* The smallest descriptor we can use: everything up to ncommands. */
#define LAB_MIN_SIZE (offsetof(struct nslab_lab, ncommands) + sizeof(unsigned))

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
	if (!valid_id(d->id))
		REJECT("bad lab id (use lower-case letters, digits and '-')");
	if (!d->title || !d->summary)
		REJECT("lab '%s' has no title or summary", d->id);
	if (!d->steps || d->nsteps == 0 || d->nsteps > 32)
		REJECT("lab '%s' must have 1 to 32 steps, has %u", d->id, d->nsteps);
	if (!d->setup)
		REJECT("lab '%s' has no setup function", d->id);
	for (unsigned i = 0; i < d->nsteps; i++)
		if (!d->steps[i].title || !d->steps[i].task || !d->steps[i].check)
			REJECT("lab '%s' step %u lacks a title, task or check", d->id, i + 1);
	if (d->ncommands && !d->commands)
		REJECT("lab '%s' declares commands but has none", d->id);
	for (unsigned i = 0; i < d->ncommands; i++)
		if (!d->commands[i].name || !d->commands[i].fn)
			REJECT("lab '%s' command %u lacks a name or function", d->id, i + 1);
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

int labs_load_file(const char *path, char *why, size_t whylen)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return snprintf(why, whylen, "%s", dlerror()), -1;
	const struct nslab_lab *(*entry)(void);
	*(void **)&entry = dlsym(h, NSLAB_ENTRY_SYMBOL);
	if (!entry) {
		snprintf(why, whylen, "no %s() function (not an nslab lab?)", NSLAB_ENTRY_SYMBOL);
		dlclose(h);
		return -1;
	}
	const struct nslab_lab *d = entry();
	if (labs_validate(d, why, whylen) < 0) {
		dlclose(h);
		return -1;
	}
	if (labs_find(d->id)) {
		snprintf(why, whylen, "duplicate lab id '%s' (already loaded)", d->id);
		dlclose(h);
		return -1;
	}
	struct loaded *n = realloc(plugins, (nlabs + 1) * sizeof(*n));
	if (!n) {
		dlclose(h);
		return snprintf(why, whylen, "out of memory"), -1;
	}
	plugins = n;
	plugins[nlabs++] = (struct loaded){d, h};
	qsort(plugins, nlabs, sizeof(*plugins), cmp_lab);
	return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

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
	qsort(names, n, sizeof(names[0]), cmp_str); /* same order of "skipping" lines every run */
	int loaded = 0;
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX], why[256];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (labs_load_file(path, why, sizeof(why)) == 0)
			loaded++;
		else
			fprintf(stderr, "nslab: skipping %s: %s\n", path, why);
		free(names[i]);
	}
	return loaded;
}

int labs_load_path(const char *pathlist)
{
	free(lab_path);
	lab_path = strdup(pathlist);
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

size_t labs_count(void) { return nlabs; }
const struct nslab_lab *labs_get(size_t i) { return i < nlabs ? plugins[i].desc : NULL; }

const struct nslab_lab *labs_find(const char *id)
{
	for (size_t i = 0; i < nlabs; i++)
		if (strcmp(plugins[i].desc->id, id) == 0)
			return plugins[i].desc;
	return NULL;
}

const char *labs_closest(const char *id)
{
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
		if (access(found, X_OK) == 0)
			ret = found;
	}
	free(copy);
	return ret;
}

void labs_unload_all(void)
{
	for (size_t i = 0; i < nlabs; i++)
		dlclose(plugins[i].handle);
	free(plugins);
	plugins = NULL;
	nlabs = 0;
}
