/* SPDX-License-Identifier: GPL-2.0-or-later */
/* class-status.c: a learner's status file (see class-status.h).
 *
 * The class directory is shared and must not be trusted: other learners, or
 * whoever else can write it, may plant symlinks, hard links, FIFOs or junk
 * there, and under sudo nslab is root. Writing: root takes the invoking
 * user's identity for every file operation (state_as_user: fsuid/fsgid and
 * groups become SUDO_UID's, which drops CAP_DAC_OVERRIDE and friends), rather
 * than opening as root and chowning, so that the file is the learner's from
 * its creation and any path another user controls reaches no further than
 * the learner could reach anyway; the directory is opened O_NOFOLLOW, the
 * temp file made O_EXCL | O_NOFOLLOW under a name of this process's own and
 * renamed over the status file (a rename replaces a planted symlink or hard
 * link, never writes through it). Reading: O_NOFOLLOW | O_NONBLOCK, a regular
 * file with a single link, bounded in size, then a strict parse. */
#include "class-status.h"
#include "json.h"
#include "state.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- the JSON form --- */

void class_status_to_json(FILE *f, const struct class_status *s)
{
	struct json_writer w;
	json_init(&w, f, true);
	json_object(&w, NULL);
	json_int(&w, "version", CLASS_STATUS_VERSION);
	json_string(&w, "learner", s->learner);
	json_string(&w, "host", s->host);
	json_string(&w, "boot_id", s->boot_id);
	json_int(&w, "pid", s->pid);
	json_int(&w, "start", s->start);
	json_string(&w, "lab", s->lab);
	json_string(&w, "title", s->title);
	json_int(&w, "step", s->step);
	json_int(&w, "steps", s->nsteps);
	json_int(&w, "done", s->done);
	json_int(&w, "since", s->since);
	json_int(&w, "last_command", s->last_cmd);
	json_int(&w, "updated", s->updated);
	json_int(&w, "checks_failed", s->failed);
	json_int(&w, "hints", s->hints);
	json_int(&w, "dos", s->dos);
	json_bool(&w, "left", s->left);
	json_end(&w);
}

struct parse {
	struct class_status *s;
	bool have_learner, have_version;
	const char *why;
};

/* Copies a string member, control characters as '?': they would reach the
 * instructor's terminal. Too long: cut at a character boundary. */
static void copy_clean(char *dst, size_t size, const char *src)
{
	size_t n = 0;
	bool cut = false;
	for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
		if (n + 1 >= size) {
			cut = true;
			break;
		}
		bool c1 = p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f; /* C1 controls, U+0080..9F */
		dst[n++] = *p < 0x20 || *p == 0x7f || c1 ? '?' : (char)*p;
		p += c1;
	}
	/* no half character at a cut: back over its continuation and lead bytes */
	while (cut && n && ((unsigned char)dst[n - 1] & 0xc0) == 0x80)
		n--;
	if (cut && n && (unsigned char)dst[n - 1] >= 0xc0)
		n--;
	dst[n] = '\0';
}

struct member {
	const char *key;
	enum json_type type;
	size_t off, size; /* a string: its array; an int: 0 for long long, 4 for unsigned */
};

#define STR(k, f)                                                                                            \
	{                                                                                                    \
		k, JSON_STRING, offsetof(struct class_status, f), sizeof(((struct class_status *)0)->f)      \
	}
#define LL(k, f)                                                                                             \
	{                                                                                                    \
		k, JSON_INT, offsetof(struct class_status, f), 0                                             \
	}
#define U(k, f)                                                                                              \
	{                                                                                                    \
		k, JSON_INT, offsetof(struct class_status, f), sizeof(unsigned)                              \
	}

static const struct member members[] = {
    STR("learner", learner), STR("host", host),
    STR("boot_id", boot_id), LL("pid", pid),
    LL("start", start),      STR("lab", lab),
    STR("title", title),     U("step", step),
    U("steps", nsteps),      U("done", done),
    LL("since", since),      LL("last_command", last_cmd),
    LL("updated", updated),  U("checks_failed", failed),
    U("hints", hints),       U("dos", dos),
};

static int one_member(void *ctx, const char *key, const struct json_value *v)
{
	struct parse *p = ctx;
	if (strcmp(key, "version") == 0) {
		p->have_version = true;
		if (v->type != JSON_INT || v->num != CLASS_STATUS_VERSION)
			return p->why = "unknown version", 1;
		return 0;
	}
	if (strcmp(key, "left") == 0) {
		if (v->type != JSON_BOOL)
			return p->why = "\"left\" is not a boolean", 1;
		p->s->left = v->num;
		return 0;
	}
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		const struct member *m = &members[i];
		if (strcmp(key, m->key) != 0)
			continue;
		if (v->type == JSON_NULL)
			return 0;
		if (v->type != m->type)
			return p->why = m->type == JSON_STRING ? "a string member is not a string"
							       : "a number member is not a number",
			       1;
		char *field = (char *)p->s + m->off;
		if (m->type == JSON_STRING)
			copy_clean(field, m->size, v->str);
		else if (m->size == 0)
			*(long long *)field = v->num;
		else if (v->num < 0 || v->num > UINT32_MAX)
			return p->why = "a count out of range", 1;
		else
			*(unsigned *)field = (unsigned)v->num;
		p->have_learner |= strcmp(key, "learner") == 0 && *v->str;
		return 0;
	}
	return 0; /* a member a later version added: ignored */
}

int class_status_parse(const char *text, size_t len, struct class_status *s, const char **why)
{
	memset(s, 0, sizeof(*s)); /* padding too: callers compare whole structs */
	struct parse p = {.s = s};
	int rc = json_parse_flat(text, len, one_member, &p, why);
	if (rc > 0)
		*why = p.why;
	else if (rc == 0 && !p.have_version)
		*why = "no \"version\"";
	else if (rc == 0 && !p.have_learner)
		*why = "no \"learner\"";
	else if (rc == 0 && s->step > s->nsteps)
		*why = "step past the lab's steps";
	else if (rc == 0)
		return 0;
	return -1;
}

int class_status_file_name(const char *learner, char *name, size_t size)
{
	size_t n = 0;
	for (const char *p = learner; *p; p++) {
		if (n + sizeof(".json") >= size)
			return -1;
		bool keep = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || strchr("._@-", *p);
		name[n] = keep && !(n == 0 && *p == '.') ? *p : '_';
		n++;
	}
	if (!n)
		return -1;
	memcpy(name + n, ".json", sizeof(".json"));
	return 0;
}

/* --- files --- */

/* A temp file of our own next to NAME: ".NAME.PID.N" (dot files are not
 * read by the view). Another user's file of that name is never touched:
 * the next N is tried. */
static int make_temp(int dfd, const char *name, char *tmp, size_t size)
{
	for (unsigned n = 0; n < 8; n++) {
		if ((size_t)snprintf(tmp, size, ".%s.%d.%u", name, (int)getpid(), n) >= size) {
			errno = ENAMETOOLONG;
			return -1;
		}
		int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

static int write_in(int dfd, const char *name, const char *text, size_t len)
{
	char tmp[300];
	int fd = make_temp(dfd, name, tmp, sizeof(tmp));
	if (fd < 0)
		return -1;
	/* the umask must not hide it from the instructor */
	if (fchmod(fd, 0644) < 0 || write_all(fd, text, len) < 0 || close(fd) < 0) {
		int e = errno;
		unlinkat(dfd, tmp, 0);
		errno = e;
		return -1;
	}
	if (renameat(dfd, tmp, dfd, name) < 0) {
		int e = errno;
		unlinkat(dfd, tmp, 0);
		errno = e;
		return -1;
	}
	return 0;
}

int class_status_write(const char *dir, const char *name, const struct class_status *s)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return -1;
	class_status_to_json(m, s);
	if (fclose(m) != 0)
		return -1;
	struct state_ids ids;
	if (state_as_user(&ids) < 0)
		return -1;
	int rc = -1, dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd >= 0) {
		rc = write_in(dfd, name, text, len);
		int e = errno;
		close(dfd);
		errno = e;
	}
	state_as_root(&ids);
	return rc;
}

int class_status_read_at(int dfd, const char *name, struct class_status *s, const char **why)
{
	static char buf[CLASS_STATUS_MAX + 1];
	static char reason[64];
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		*why = errno == ELOOP ? "a symlink" : strerror(errno);
		return -1;
	}
	_cleanup_close_ int f = fd;
	struct stat st;
	if (fstat(f, &st) < 0) {
		*why = strerror(errno);
		return -1;
	}
	if (!S_ISREG(st.st_mode))
		return *why = "not a regular file", -1;
	if (st.st_nlink != 1) /* written by rename, a status file has one name */
		return *why = "a hard link to another file", -1;
	if (st.st_size > CLASS_STATUS_MAX) {
		snprintf(reason, sizeof(reason), "too big (%lld bytes)", (long long)st.st_size);
		return *why = reason, -1;
	}
	size_t len = 0;
	for (;;) {
		ssize_t r = read(f, buf + len, sizeof(buf) - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return *why = strerror(errno), -1;
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == sizeof(buf) - 1)
			return *why = "too big (it grew while read)", -1;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len))
		return *why = "a NUL byte", -1;
	return class_status_parse(buf, len, s, why);
}
