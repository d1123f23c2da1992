/* SPDX-License-Identifier: GPL-2.0-or-later */
/* class-roll.c: see class-roll.h. The directory is read through one fd
 * opened O_NOFOLLOW, each file through class_status_read_at, so that nothing
 * in it (symlinks, FIFOs, huge or hostile files) is followed, blocks, or
 * stops the others from being shown. */
#include "class-roll.h"
#include "state.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *class_state_name(enum class_state s)
{
	static const char *const names[] = {"stuck", "active", "done", "stale", "left"};
	return names[s];
}

/* Is PID, started at START (clock ticks after boot), still running? */
static bool same_process(long long pid, long long start)
{
	char path[64], buf[1024];
	if (pid <= 0 || pid > 0x7fffffff)
		return false;
	snprintf(path, sizeof(path), "/proc/%lld/stat", pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return false;
	char *p = strrchr(buf, ')');
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	return p && strtoll(p + 1, NULL, 10) == start;
}

enum class_state class_classify(const struct class_status *s, long long now, const char *my_boot,
				long long *on_step)
{
	*on_step = (s->left ? s->updated : now) - s->since;
	if (*on_step < 0)
		*on_step = 0;
	if (s->left)
		return CLASS_LEFT;
	bool here = my_boot && *my_boot && strcmp(my_boot, s->boot_id) == 0;
	if (here ? !same_process(s->pid, s->start) : now - s->updated > CLASS_STALE_SECS) {
		*on_step = s->updated > s->since ? s->updated - s->since : 0;
		return CLASS_STALE;
	}
	if (s->lab[0] && s->nsteps && s->done >= s->nsteps)
		return CLASS_DONE;
	if (s->lab[0] && *on_step > CLASS_STUCK_SECS)
		return CLASS_STUCK;
	return CLASS_ACTIVE;
}

static bool wanted(const char *name)
{
	size_t l = strlen(name);
	return name[0] != '.' && l > 5 && strcmp(name + l - 5, ".json") == 0;
}

static int add_skip(struct class_roll *r, const char *file, const char *why)
{
	struct class_skip *n = realloc(r->skip, (r->nskip + 1) * sizeof(*n));
	if (!n)
		return -1;
	r->skip = n;
	snprintf(n[r->nskip].file, sizeof(n[r->nskip].file), "%s", file);
	n[r->nskip++].why = why;
	return 0;
}

static int add_entry(struct class_roll *r, const char *file, const struct class_status *s)
{
	struct class_entry *n = realloc(r->e, (r->n + 1) * sizeof(*n));
	if (!n)
		return -1;
	r->e = n;
	n[r->n] = (struct class_entry){.st = *s};
	snprintf(n[r->n].file, sizeof(n[r->n].file), "%s", file);
	r->n++;
	return 0;
}

/* Stuck first, longest on its step first; then working, done, stale, left;
 * each group by lab, then learner. */
static int by_urgency(const void *a, const void *b)
{
	const struct class_entry *x = a, *y = b;
	if (x->state != y->state)
		return (int)x->state - (int)y->state;
	if (x->state == CLASS_STUCK && x->on_step != y->on_step)
		return x->on_step > y->on_step ? -1 : 1;
	int c = strcmp(x->st.lab, y->st.lab);
	return c ? c : strcmp(x->st.learner, y->st.learner);
}

/* Reasons must outlive the read: the file reader's are static, some vary. */
static const char *keep_reason(const char *why)
{
	static char *kept[64];
	static size_t n;
	for (size_t i = 0; i < n; i++)
		if (strcmp(kept[i], why) == 0)
			return kept[i];
	if (n == sizeof(kept) / sizeof(kept[0]))
		return "unreadable";
	char *c = strdup(why);
	return c ? (kept[n++] = c) : "unreadable";
}

static int read_all(int dfd, long long now, struct class_roll *r)
{
	DIR *d = fdopendir(dfd);
	if (!d)
		return -1;
	char boot[64] = "";
	if (read_file("/proc/sys/kernel/random/boot_id", boot, sizeof(boot)) > 0)
		boot[strcspn(boot, "\n")] = '\0';
	struct dirent *de;
	size_t seen = 0;
	int rc = 0;
	while (rc == 0 && (de = readdir(d))) {
		if (!wanted(de->d_name))
			continue;
		if (seen++ >= CLASS_MAX_FILES) {
			r->unread++;
			continue;
		}
		struct class_status s;
		const char *why;
		if (class_status_read_at(dirfd(d), de->d_name, &s, &why) < 0) {
			rc = add_skip(r, de->d_name, keep_reason(why));
			continue;
		}
		rc = add_entry(r, de->d_name, &s);
		if (rc == 0) {
			struct class_entry *e = &r->e[r->n - 1];
			e->state = class_classify(&e->st, now, boot, &e->on_step);
		}
	}
	closedir(d); /* closes dfd too */
	if (r->n)
		qsort(r->e, r->n, sizeof(*r->e), by_urgency);
	return rc;
}

int class_roll_read(const char *dir, long long now, struct class_roll *r)
{
	*r = (struct class_roll){0};
	struct state_ids ids;
	if (state_as_user(&ids) < 0)
		return -1;
	int rc = -1, dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd >= 0 && (rc = read_all(dfd, now, r)) < 0)
		class_roll_free(r);
	int e = errno;
	state_as_root(&ids);
	errno = e;
	return rc;
}

void class_roll_free(struct class_roll *r)
{
	free(r->e);
	free(r->skip);
	*r = (struct class_roll){0};
}

struct class_lab_count *class_roll_labs(const struct class_roll *r, size_t *n)
{
	struct class_lab_count *c = calloc(r->n ? r->n : 1, sizeof(*c));
	*n = 0;
	if (!c)
		return NULL;
	for (size_t i = 0; i < r->n; i++) {
		const struct class_entry *e = &r->e[i];
		if (!e->st.lab[0])
			continue;
		size_t k = 0;
		while (k < *n && strcmp(c[k].lab, e->st.lab) != 0)
			k++;
		if (k == *n)
			snprintf(c[(*n)++].lab, sizeof(c->lab), "%s", e->st.lab);
		if (e->state == CLASS_DONE)
			c[k].done++;
		else if (e->state == CLASS_STALE || e->state == CLASS_LEFT)
			c[k].gone++;
		else if (e->st.step >= 1 && e->st.step <= 32)
			c[k].on_step[e->st.step]++;
		c[k].stuck += e->state == CLASS_STUCK;
	}
	return c;
}

/* Appends to BUF at *AT, never past SIZE (cut short, still terminated). */
static void __attribute__((format(printf, 4, 5)))
append(char *buf, size_t size, size_t *at, const char *fmt, ...)
{
	if (*at >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *at, size - *at, fmt, ap);
	va_end(ap);
	*at = n < 0 ? size : *at + (size_t)n;
}

void class_lab_summary(const struct class_lab_count *c, char *buf, size_t size)
{
	size_t at = 0;
	buf[0] = '\0';
	append(buf, size, &at, "%s: %u done", c->lab, c->done);
	for (unsigned k = 1; k <= 32; k++)
		if (c->on_step[k])
			append(buf, size, &at, ", %u on step %u", c->on_step[k], k);
	if (c->stuck)
		append(buf, size, &at, ", %u stuck > %d min", c->stuck, CLASS_STUCK_SECS / 60);
	if (c->gone)
		append(buf, size, &at, ", %u left", c->gone);
}
