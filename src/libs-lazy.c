/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libs-lazy.c: libmount and libsmartcols, mapped on first use.
 *
 * nslab calls them only to list mounts and to print the namespace table,
 * yet linked as DT_NEEDED they (with libblkid, libselinux and libpcre2 behind
 * libmount) are mapped, relocated and initialised at every start, which cost
 * more than a third of a whole `start uts` + `quit` run. So the nslab binary
 * does not link them: the functions it uses are defined here, each loading
 * its library with dlopen the first time it is called and calling the real
 * one. A function missing from the list below is a link error, not a silent
 * gap. A library that cannot be loaded makes its constructors fail the way
 * they fail on their own (NULL, or -1 from the others) with errno ELIBACC,
 * and the caller's error path says so. The unit tests link the libraries as
 * usual; these definitions take precedence there and behave the same.
 * The sonames are the libraries' ABI, unchanged since util-linux 2.19. */
#include <dlfcn.h>
#include <errno.h>
#include <libmount.h>
#include <libsmartcols.h>
#include <stdbool.h>
#include <stddef.h>

struct lazy_lib {
	const char *soname;
	void *handle;
	bool tried;
};

static struct lazy_lib mount_lib = {"libmount.so.1", NULL, false};
static struct lazy_lib scols_lib = {"libsmartcols.so.1", NULL, false};

static void *lazy_sym(struct lazy_lib *lib, const char *name)
{
	if (!lib->tried) {
		lib->tried = true;
		lib->handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	}
	void *sym = lib->handle ? dlsym(lib->handle, name) : NULL;
	if (!sym) {
		dlerror(); /* leave no stale text for the plugin loader's dlerror() */
		errno = ELIBACC;
	}
	return sym;
}

/* RET NAME PARAMS: FAIL when the library or the symbol is missing. */
#define LAZY(lib, ret, name, fail, params, args)                                                             \
	ret name params                                                                                      \
	{                                                                                                    \
		static typeof(&name) fn;                                                                     \
		if (!fn && !(fn = (typeof(&name))lazy_sym(&lib, #name)))                                     \
			return fail;                                                                         \
		return fn args;                                                                              \
	}
#define LAZY_VOID(lib, name, params, args)                                                                   \
	void name params                                                                                     \
	{                                                                                                    \
		static typeof(&name) fn;                                                                     \
		if (fn || (fn = (typeof(&name))lazy_sym(&lib, #name)))                                       \
			fn args;                                                                             \
	}

/* libmount */
LAZY(mount_lib, struct libmnt_table *, mnt_new_table_from_file, NULL, (const char *filename), (filename))
LAZY(mount_lib, struct libmnt_iter *, mnt_new_iter, NULL, (int direction), (direction))
LAZY(mount_lib, int, mnt_table_next_fs, -1,
     (struct libmnt_table * tb, struct libmnt_iter *itr, struct libmnt_fs **fs), (tb, itr, fs))
LAZY_VOID(mount_lib, mnt_free_iter, (struct libmnt_iter * itr), (itr))
LAZY_VOID(mount_lib, mnt_unref_table, (struct libmnt_table * tb), (tb))
LAZY(mount_lib, const char *, mnt_fs_get_fstype, NULL, (struct libmnt_fs * fs), (fs))
LAZY(mount_lib, const char *, mnt_fs_get_root, NULL, (struct libmnt_fs * fs), (fs))
LAZY(mount_lib, const char *, mnt_fs_get_source, NULL, (struct libmnt_fs * fs), (fs))
LAZY(mount_lib, const char *, mnt_fs_get_target, NULL, (struct libmnt_fs * fs), (fs))
LAZY(mount_lib, char *, mnt_fs_strdup_options, NULL, (struct libmnt_fs * fs), (fs))
LAZY(mount_lib, int, mnt_fs_get_id, -1, (struct libmnt_fs * fs), (fs))
LAZY(mount_lib, int, mnt_fs_get_parent_id, -1, (struct libmnt_fs * fs), (fs))
LAZY(mount_lib, int, mnt_fs_get_propagation, -1, (struct libmnt_fs * fs, unsigned long *flags), (fs, flags))

/* libsmartcols */
LAZY(scols_lib, struct libscols_table *, scols_new_table, NULL, (void), ())
LAZY_VOID(scols_lib, scols_unref_table, (struct libscols_table * tb), (tb))
LAZY(scols_lib, int, scols_table_set_name, -1, (struct libscols_table * tb, const char *name), (tb, name))
LAZY(scols_lib, int, scols_table_enable_json, -1, (struct libscols_table * tb, int enable), (tb, enable))
LAZY(scols_lib, struct libscols_column *, scols_table_new_column, NULL,
     (struct libscols_table * tb, const char *name, double whint, int flags), (tb, name, whint, flags))
LAZY(scols_lib, int, scols_column_set_json_type, -1, (struct libscols_column * cl, int type), (cl, type))
LAZY(scols_lib, struct libscols_line *, scols_table_new_line, NULL,
     (struct libscols_table * tb, struct libscols_line *parent), (tb, parent))
LAZY(scols_lib, int, scols_line_set_data, -1, (struct libscols_line * ln, size_t n, const char *data),
     (ln, n, data))
LAZY(scols_lib, int, scols_print_table_to_string, -1, (struct libscols_table * tb, char **data), (tb, data))
LAZY(scols_lib, int, scols_table_set_stream, -1, (struct libscols_table * tb, FILE *stream), (tb, stream))
LAZY(scols_lib, int, scols_print_table, -1, (struct libscols_table * tb), (tb))
