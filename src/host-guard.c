/* SPDX-License-Identifier: GPL-2.0-or-later */
/* host-guard.c: naming what a learner's `host`, `run` or `shell` changed on
 * the host, registering what can be undone, undoing it at stop and quit.
 *
 * The snapshots and their difference are host-snap.c; the proofs that an
 * entry is still the object that was seen made, and its undo, are the
 * registry's kinds (cleanup-check.c, cleanup-undo.c), so that `nslab
 * --cleanup` undoes them after a SIGKILL under the same rules. This file
 * decides the words, and keeps the list `keep` and stop read. Only the
 * learner's own commands are compared: what nslab and its labs do goes
 * through the registry already. */
#include "host-guard.h"
#include "i18n.h"
#include "cleanup.h"
#include "host-snap.h"
#include "output.h"
#include "sysvipc.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct change {
	unsigned n;          /* what `keep N` names */
	enum nslab_obj kind; /* 0: nothing registered (nslab cannot undo it) */
	char *what;          /* its registry entry */
	char *desc;          /* "shared memory segment 32769 (key 0x..., 1000 bytes)" */
	char *how;           /* not undoable: how to undo it by hand */
	char *ident;         /* "TYPE KEY" of its snapshot item */
	char *old;           /* a hostname's value before the first change */
	size_t depth;        /* registry depth when it was registered */
	bool kept, with_lab; /* with_lab: removed with the lab's cgroup tree, not by us */
};

static struct {
	struct change *c;
	size_t n, cap;
	unsigned next;
	struct snap before;
	bool have_before;
} G = {.next = 1};

void host_guard_before(void)
{
	if (G.have_before)
		snap_free(&G.before);
	G.have_before = snap_take(&G.before, getpid()) == 0;
	if (!G.have_before)
		snap_free(&G.before); /* out of memory: this command goes unguarded */
}

/* --- the list --- */

static void change_free(struct change *c)
{
	free(c->what);
	free(c->desc);
	free(c->how);
	free(c->ident);
	free(c->old);
}

static char *ident_of(const struct snap_item *it)
{
	char *s;
	return asprintf(&s, "%d %s", (int)it->type, it->key) < 0 ? NULL : s;
}

static struct change *find_ident(const char *ident)
{
	for (size_t i = 0; ident && i < G.n; i++)
		if (G.c[i].ident && strcmp(G.c[i].ident, ident) == 0)
			return &G.c[i];
	return NULL;
}

static void drop(struct change *c)
{
	size_t i = (size_t)(c - G.c);
	change_free(c);
	memmove(c, c + 1, (G.n - i - 1) * sizeof(*c));
	G.n--;
}

/* The learner undid one of ours (or changed it again): forget its entry. */
static void forget(struct change *c)
{
	if (c->kind && !c->kept)
		cleanup_forget(c->kind, c->what);
	drop(c);
}

static struct change *add_change(const struct snap_item *it, char *desc)
{
	if (!desc)
		return NULL;
	if (G.n == G.cap) {
		size_t ncap = G.cap ? G.cap * 2 : 16;
		struct change *n = realloc(G.c, ncap * sizeof(*n));
		if (!n) {
			free(desc);
			return NULL;
		}
		G.c = n;
		G.cap = ncap;
	}
	struct change *c = &G.c[G.n++];
	*c = (struct change){.n = G.next++, .desc = desc, .ident = ident_of(it), .depth = cleanup_mark()};
	return c;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	va_start(ap, f);
	int r = vasprintf(&s, f, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

/* Registers the change's object; on failure it is said as not undoable. */
static void enter(struct change *c, enum nslab_obj kind, char *what)
{
	if (!c || !what) {
		free(what);
		return;
	}
	if (cleanup_keep(kind, what) < 0) {
		c->how = fmt(_("nslab could not record it (%s)"), strerror(errno));
		free(what);
		return;
	}
	c->kind = kind;
	c->what = what;
}

static void say(const struct change *c, const char *cmd, bool lab)
{
	if (!c)
		return;
	if (c->with_lab)
		out_kprintf(OUT_WARNING, _("the host changed: %s by `%s`: removed %s\n"), c->desc, cmd,
			    lab ? _("with the lab") : _("at quit"));
	else if (c->kind)
		out_kprintf(OUT_WARNING,
			    _("the host changed: %s by `%s`: undone at %s, `keep %u` to leave it\n"), c->desc,
			    cmd, lab ? "stop" : "quit", c->n);
	else
		out_kprintf(OUT_WARNING, _("the host changed: %s by `%s`: nslab cannot undo this; %s\n"),
			    c->desc, cmd, c->how ? c->how : _("undo it by hand"));
}

/* A change nslab only names. */
static void note(const struct snap_item *it, const char *cmd, bool lab, char *desc, char *how)
{
	struct change *c = add_change(it, desc);
	if (c)
		c->how = how;
	else
		free(how);
	say(c, cmd, lab);
}

/* --- one function per kind of item --- */

static bool beneath_run_dir(const char *path)
{
	const char *d = cleanup_run_dir();
	size_t n = d ? strlen(d) : 0;
	return n && strncmp(path, d, n) == 0 && (path[n] == '/' || !path[n]);
}

#define F(v, i, b) snap_field((v), (i), (b), sizeof(b))

static void on_uts(const struct snap_change *ch, const char *cmd, bool lab)
{
	if (ch->op != SNAP_CHANGED)
		return;
	const char *which = ch->after->key;
	char old[256], now[256], e_old[800], e_now[800];
	F(ch->before->value, 0, old);
	F(ch->after->value, 0, now);
	char *id = ident_of(ch->after);
	struct change *prev = find_ident(id);
	free(id);
	if (prev && prev->old) { /* changed again: the first old value is what comes back */
		snprintf(old, sizeof(old), "%s", prev->old);
		forget(prev);
		if (strcmp(old, now) == 0) {
			out_kprintf(OUT_NOTE, _("the host's %s is '%s' again, as before: nothing to undo\n"),
				    which, now);
			return;
		}
	}
	cleanup_field_encode(old, e_old, sizeof(e_old));
	cleanup_field_encode(now, e_now, sizeof(e_now));
	struct change *c = add_change(ch->after, fmt(_("%s '%s' set to '%s'"), which, old, now));
	if (c)
		c->old = strdup(old);
	enter(c, CLEANUP_OBJ_UTSNAME, fmt("%s:%s:%s:%llu", which, e_old, e_now, cleanup_ns_ino("uts")));
	say(c, cmd, lab);
}

static const char *make_word(const char *prop)
{
	return strcmp(prop, "shared") == 0    ? "--make-shared"
	       : strcmp(prop, "slave") == 0   ? "--make-slave"
	       : strcmp(prop, "private") == 0 ? "--make-private"
					      : "--make-slave --make-shared";
}

static void on_mount(const struct snap_change *ch, const char *cmd, bool lab)
{
	static char target[PATH_MAX], otarget[PATH_MAX];
	char fstype[64], source[PATH_MAX], prop[32], oprop[32];
	const struct snap_item *it = ch->after ? ch->after : ch->before;
	F(it->value, 0, target);
	F(it->value, 1, fstype);
	F(it->value, 2, source);
	F(it->value, 3, prop);
	if (beneath_run_dir(target))
		return; /* a lab's own mounts, in its workdir: the lab's to remove */
	char *id = ident_of(it);
	struct change *prev = find_ident(id);
	free(id);
	if (ch->op == SNAP_REMOVED) {
		if (prev)
			forget(prev);
		else
			note(it, cmd, lab, fmt(_("the mount of %s on %s was removed"), fstype, target),
			     fmt(_("`mount -t %s %s %s` mounts it again"), fstype, source, target));
		return;
	}
	if (ch->op == SNAP_CHANGED) {
		F(ch->before->value, 0, otarget);
		F(ch->before->value, 3, oprop);
		if (strcmp(otarget, target) != 0) {
			if (prev)
				forget(prev);
			note(it, cmd, lab,
			     fmt(_("the mount of %s on %s was moved to %s"), fstype, otarget, target),
			     fmt(_("`mount --move %s %s` moves it back"), target, otarget));
		} else if (strcmp(oprop, prop) != 0 && !prev) {
			note(it, cmd, lab, fmt(_("the mount on %s became %s (was %s)"), target, prop, oprop),
			     fmt(_("`mount %s %s` puts it back"), make_word(oprop), target));
		}
		return;
	}
	char e_t[PATH_MAX * 3], e_f[200], e_s[PATH_MAX * 3];
	cleanup_field_encode(target, e_t, sizeof(e_t));
	cleanup_field_encode(fstype, e_f, sizeof(e_f));
	cleanup_field_encode(source, e_s, sizeof(e_s));
	struct change *c = add_change(it, fmt(_("a mount of %s (%s) on %s"), fstype, source, target));
	enter(c, CLEANUP_OBJ_HOSTMOUNT,
	      fmt("%s:%llu:%s:%s:%s", it->key, cleanup_ns_ino("mnt"), e_t, e_f, e_s));
	say(c, cmd, lab);
}

static void on_link(const struct snap_change *ch, const char *cmd, bool lab)
{
	const struct snap_item *it = ch->after ? ch->after : ch->before;
	char name[64], oname[64], e_n[200];
	F(it->value, 0, name);
	char *id = ident_of(it);
	struct change *prev = find_ident(id);
	free(id);
	if (ch->op == SNAP_REMOVED) {
		if (prev)
			forget(prev);
		else
			note(it, cmd, lab,
			     fmt(_("network link %s was removed (or moved to another namespace)"), name),
			     fmt(_("nslab cannot make it again")));
		return;
	}
	if (ch->op == SNAP_CHANGED) {
		F(ch->before->value, 0, oname);
		if (!prev) {
			note(it, cmd, lab, fmt(_("network link %s was renamed %s"), oname, name),
			     fmt(_("`ip link set %s name %s` puts the name back"), name, oname));
			return;
		}
		forget(prev); /* ours, renamed: registered again under its new name */
	}
	cleanup_field_encode(name, e_n, sizeof(e_n));
	struct change *c = add_change(it, fmt(_("network link %s (ifindex %s) made"), name, it->key));
	enter(c, CLEANUP_OBJ_HOSTLINK, fmt("%s:%s:%llu", e_n, it->key, cleanup_ns_ino("net")));
	say(c, cmd, lab);
}

/* An address on a link that came or went in the same command goes with it. */
static bool link_changed(const struct snap_change *all, size_t n, const char *ifindex)
{
	for (size_t i = 0; i < n; i++) {
		const struct snap_item *it = all[i].after ? all[i].after : all[i].before;
		if (it->type == SNAP_LINK && all[i].op != SNAP_CHANGED && strcmp(it->key, ifindex) == 0)
			return true;
	}
	char ident[64];
	snprintf(ident, sizeof(ident), "%d %s", (int)SNAP_LINK, ifindex);
	return find_ident(ident) != NULL; /* a link of ours: it goes, with its addresses */
}

static void on_addr(const struct snap_change *ch, const struct snap_change *all, size_t nall, const char *cmd,
		    bool lab)
{
	const struct snap_item *it = ch->after ? ch->after : ch->before;
	char name[64], ifindex[32], addr[128];
	F(it->value, 0, name);
	if (sscanf(it->key, "%31s %127s", ifindex, addr) != 2 || ch->op == SNAP_CHANGED ||
	    link_changed(all, nall, ifindex))
		return;
	char *ident = ident_of(it);
	struct change *prev = find_ident(ident);
	free(ident);
	if (ch->op == SNAP_REMOVED) {
		if (prev)
			forget(prev);
		else
			note(it, cmd, lab, fmt(_("address %s removed from link %s"), addr, name),
			     fmt(_("`ip addr add %s dev %s` puts it back"), addr, name));
		return;
	}
	/* "10.9.9.9/24": the address and its prefix apart, each a field */
	char *slash = strrchr(addr, '/'), e_a[400], e_n[200];
	if (!slash)
		return;
	*slash = '\0';
	cleanup_field_encode(addr, e_a, sizeof(e_a));
	cleanup_field_encode(name, e_n, sizeof(e_n));
	struct change *c = add_change(it, fmt(_("address %s/%s added to link %s"), addr, slash + 1, name));
	enter(c, CLEANUP_OBJ_HOSTADDR,
	      fmt("%s:%s:%s:%s:%llu", ifindex, e_n, e_a, slash + 1, cleanup_ns_ino("net")));
	say(c, cmd, lab);
}

static void on_ipc(const struct snap_change *ch, const char *cmd, bool lab)
{
	const struct snap_item *it = ch->after ? ch->after : ch->before;
	char word[8];
	int id = 0, key = 0;
	long long proof = 0, size = 0;
	if (sscanf(it->key, "%7s %d", word, &id) != 2 ||
	    sscanf(it->value, "%d %lld %lld", &key, &proof, &size) != 3)
		return;
	int t = sysvipc_parse_word(word);
	char *ident = ident_of(it);
	struct change *prev = find_ident(ident);
	free(ident);
	if (t < 0 || (ch->op == SNAP_CHANGED && !prev))
		return;
	const char *name = sysvipc_name((enum sysvipc_type)t);
	if (ch->op == SNAP_REMOVED) {
		if (prev)
			forget(prev);
		else
			note(it, cmd, lab, fmt(_("%s %d (key 0x%08x) was removed"), name, id, (unsigned)key),
			     fmt(_("its contents are gone: nothing can make it again")));
		return;
	}
	bool again = ch->op == SNAP_CHANGED; /* ours, its change time moved (IPC_SET): recorded anew */
	char *desc = again ? strdup(prev->desc) : NULL;
	if (again)
		forget(prev);
	const char *unit = t == SYSVIPC_SHM   ? _("bytes")
			   : t == SYSVIPC_SEM ? _("semaphores")
					      : _("bytes queued");
	struct change *c = add_change(
	    it,
	    desc ? desc : fmt(_("%s %d (key 0x%08x, %lld %s) made"), name, id, (unsigned)key, size, unit));
	enter(c, CLEANUP_OBJ_IPC, fmt("%s:%d:%d:%lld:%llu", word, id, key, proof, cleanup_ns_ino("ipc")));
	if (!again)
		say(c, cmd, lab);
}

static void on_cgroup(const struct snap_change *ch, const char *cmd, bool lab)
{
	const struct snap_item *it = ch->after ? ch->after : ch->before;
	static char path[PATH_MAX];
	unsigned long long ino = 0;
	int intree = 0;
	if (cleanup_field_decode(it->key, path, sizeof(path)) < 0 ||
	    sscanf(it->value, "%llu %d", &ino, &intree) != 2)
		return;
	char *ident = ident_of(it);
	struct change *prev = find_ident(ident);
	free(ident);
	if (ch->op != SNAP_ADDED) {
		if (prev)
			forget(prev);
		else if (!intree && ch->op == SNAP_REMOVED)
			note(it, cmd, lab, fmt(_("cgroup %s was removed"), path),
			     fmt(_("`mkdir %s` makes it again"), path));
		if (ch->op == SNAP_REMOVED)
			return;
	}
	struct change *c = add_change(it, fmt(_("cgroup %s made"), path));
	if (!c)
		return;
	if (intree) {
		/* inside nslab/<pid>: the lab's cgroup tree goes with the lab */
		c->with_lab = true;
		enter(c, NSLAB_OBJ_CGROUP, fmt("%s", path));
	} else {
		enter(c, CLEANUP_OBJ_HOSTCGROUP, fmt("%llu:%s", ino, it->key));
	}
	if (intree != 2) /* nslab/ and nslab/<pid> themselves, made on the way: nslab's own */
		say(c, cmd, lab);
}

static void on_proc(const struct snap_change *ch, const char *cmd, bool lab)
{
	const struct snap_item *it = ch->after ? ch->after : ch->before;
	char *ident = ident_of(it);
	struct change *prev = find_ident(ident);
	free(ident);
	if (ch->op != SNAP_ADDED) {
		if (prev)
			forget(prev);
		return;
	}
	char line[256];
	F(it->value, 0, line);
	int pid = atoi(it->key);
	struct change *c =
	    add_change(it, fmt(_("process %d (%.60s) left running outside nslab's cgroups"), pid, line));
	enter(c, NSLAB_OBJ_PROCESS, fmt("%d", pid));
	say(c, cmd, lab);
}

void host_guard_after(const char *cmd, bool lab)
{
	if (!G.have_before)
		return;
	struct snap after;
	if (snap_take(&after, getpid()) < 0) {
		snap_free(&after);
		return;
	}
	size_t n = snap_diff(&G.before, &after, NULL, 0);
	struct snap_change *all = n ? calloc(n, sizeof(*all)) : NULL;
	if (all)
		snap_diff(&G.before, &after, all, n);
	for (size_t i = 0; all && i < n; i++) {
		const struct snap_item *it = all[i].after ? all[i].after : all[i].before;
		switch (it->type) {
		case SNAP_UTS:
			on_uts(&all[i], cmd, lab);
			break;
		case SNAP_MOUNT:
			on_mount(&all[i], cmd, lab);
			break;
		case SNAP_LINK:
			on_link(&all[i], cmd, lab);
			break;
		case SNAP_ADDR:
			on_addr(&all[i], all, n, cmd, lab);
			break;
		case SNAP_IPC:
			on_ipc(&all[i], cmd, lab);
			break;
		case SNAP_CGROUP:
			on_cgroup(&all[i], cmd, lab);
			break;
		case SNAP_PROC:
			on_proc(&all[i], cmd, lab);
			break;
		default:
			break;
		}
	}
	free(all);
	snap_free(&after);
	snap_free(&G.before);
	G.have_before = false;
}

size_t host_guard_undo(size_t mark)
{
	size_t stay = 0;
	for (size_t i = G.n; i-- > 0;) {
		struct change *c = &G.c[i];
		if (c->depth < mark)
			continue;
		if (c->kept) {
			out_kprintf(OUT_WARNING, _("stays on the host: %s (kept)\n"), c->desc);
			stay++;
		} else if (!c->kind) {
			out_kprintf(OUT_WARNING, _("stays on the host: %s: %s\n"), c->desc,
				    c->how ? c->how : _("undo it by hand"));
			stay++;
		} else if (c->with_lab) {
			/* the lab's cgroup tree is removed whole after this */
		} else if (cleanup_undo(c->kind, c->what) == 0) {
			out_kprintf(OUT_NOTE, _("undone: %s\n"), c->desc);
		} else {
			/* EPERM: refused, and the registry said why in its own line */
			out_kprintf(OUT_WARNING, _("stays on the host: %s: it could not be undone (%s)\n"),
				    c->desc, strerror(errno));
			stay++;
		}
		drop(c);
	}
	return stay;
}

int host_guard_keep(long n)
{
	if (n <= 0) {
		size_t shown = 0;
		for (size_t i = 0; i < G.n; i++) {
			const struct change *c = &G.c[i];
			if (!c->kind || c->kept || c->with_lab)
				continue;
			out_printf("  %u  %s\n", c->n, c->desc);
			shown++;
		}
		if (!shown)
			out_printf(_("no host change is waiting to be undone\n"));
		else
			out_printf(_("(`keep N` leaves change N on the host)\n"));
		return 0;
	}
	for (size_t i = 0; i < G.n; i++) {
		struct change *c = &G.c[i];
		if (c->n != (unsigned long)n)
			continue;
		if (!c->kind) {
			out_error(_("keep: change %ld (%s) is not undone by nslab anyway"), n, c->desc);
			return -1;
		}
		if (c->with_lab) {
			out_error(_("keep: %s is inside nslab's own cgroup tree, which goes with the lab"),
				  c->desc);
			return -1;
		}
		if (!c->kept)
			cleanup_forget(c->kind, c->what);
		c->kept = true;
		out_printf(_("kept: %s: nslab leaves it on the host\n"), c->desc);
		return 0;
	}
	out_error(_("keep: there is no host change %ld (`keep` lists them)"), n);
	return -1;
}

void host_guard_skip(pid_t pid)
{
	snap_skip(pid);
}
