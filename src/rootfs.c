/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rootfs.c: copy a program and its ELF dependencies into a lab root.
 * The dependency list comes from ldd(1), the tool the chroot lab teaches. */
#include "rootfs.h"
#include "i18n.h"
#include "output.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

int rootfs_copy_file(const char *src, const char *dst)
{
	struct stat st;
	_cleanup_close_ int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) < 0)
		return -1;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", dst);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir, 0755) < 0)
			return -1;
	}
	unlink(dst);
	_cleanup_close_ int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777);
	if (out < 0)
		return -1;
	for (off_t off = 0; off < st.st_size;) {
		ssize_t n = sendfile(out, in, &off, (size_t)(st.st_size - off));
		if (n <= 0)
			return -1;
	}
	return 0;
}

static int resolve(const char *program, char *path, size_t len)
{
	if (strchr(program, '/')) {
		snprintf(path, len, "%s", program);
		return access(path, X_OK);
	}
	const char *env = getenv("PATH");
	char *dirs =
	    strdup(env && *env ? env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	char *save = NULL;
	int rc = -1;
	for (char *d = strtok_r(dirs, ":", &save); d && rc < 0; d = strtok_r(NULL, ":", &save)) {
		snprintf(path, len, "%s/%s", d, program);
		rc = access(path, X_OK);
	}
	free(dirs);
	return rc;
}

static int copy_into(const char *root, const char *path)
{
	char dst[PATH_MAX];
	snprintf(dst, sizeof(dst), "%s%s", root, path);
	if (rootfs_copy_file(path, dst) < 0) {
		out_error(_("cannot copy %s into %s: %s"), path, root, strerror(errno));
		return -1;
	}
	return 0;
}

/* A line of ldd output names a library path either after "=>" or first. */
static const char *ldd_path(char *line)
{
	char *arrow = strstr(line, "=> ");
	char *p = arrow ? arrow + 3 : line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '/')
		return NULL;
	p[strcspn(p, " \t\n")] = '\0';
	return p;
}

int rootfs_add(const char *root, const char *program)
{
	char path[PATH_MAX];
	if (resolve(program, path, sizeof(path)) < 0) {
		out_error(_("%s: no such program on the host"), program);
		return -1;
	}
	if (copy_into(root, path) < 0)
		return -1;
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof(cmd), "ldd '%s' 2>/dev/null", path);
	FILE *p = popen(cmd, "re");
	if (!p)
		return 0;
	char line[PATH_MAX];
	int rc = 0;
	while (fgets(line, sizeof(line), p)) {
		const char *lib = ldd_path(line);
		if (lib && copy_into(root, lib) < 0)
			rc = -1;
	}
	pclose(p); /* a static program makes ldd fail: nothing more to copy */
	return rc;
}
