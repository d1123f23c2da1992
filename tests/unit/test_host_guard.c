/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_host_guard.c: the host guard's parts that need no root: the snapshot
 * diff, the entry encoding, the ownership proofs of the registry's host
 * kinds (each refuses an entry whose object is not the one recorded, and
 * says "gone" for one that is gone), the whole guard on a real SysV shared
 * memory segment (made, named, kept or undone), and the strace filter of
 * `trace`. Nothing is wrapped: every refusal here is one the kernel gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <net/if.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/utsname.h>

#include "cleanup.h"
#include "host-guard.h"
#include "host-snap.h"
#include "sysvipc.h"
#include "trace.h"
#include "util.h"
#include "unit.h"

static char *base;

static int setup(void **state)
{
	(void)state;
	base = unit_tmpdir();
	if (cleanup_set_base(base) < 0 || cleanup_init() < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cleanup_all();
	unit_rm_rf(base);
	free(base);
	return 0;
}

/* --- the diff --- */

static void snapshot_diff(void **state)
{
	(void)state;
	struct snap a = {0}, b = {0};
	assert_int_equal(snap_add(&a, SNAP_UTS, "hostname", "box"), 0);
	assert_int_equal(snap_add(&a, SNAP_IPC, "shm 5", "1 2 100"), 0);
	assert_int_equal(snap_add(&a, SNAP_LINK, "1", "lo"), 0);
	assert_int_equal(snap_add(&b, SNAP_LINK, "1", "lo"), 0);
	assert_int_equal(snap_add(&b, SNAP_LINK, "7", "nslabg0"), 0);
	assert_int_equal(snap_add(&b, SNAP_UTS, "hostname", "x"), 0);
	snap_sort(&a);
	snap_sort(&b);
	struct snap_change ch[8];
	size_t n = snap_diff(&a, &b, ch, 8);
	assert_int_equal(n, 3);
	/* in type order: the hostname, the new link, the segment gone */
	assert_int_equal(ch[0].op, SNAP_CHANGED);
	assert_string_equal(ch[0].before->value, "box");
	assert_string_equal(ch[0].after->value, "x");
	assert_int_equal(ch[1].op, SNAP_ADDED);
	assert_string_equal(ch[1].after->key, "7");
	assert_null(ch[1].before);
	assert_int_equal(ch[2].op, SNAP_REMOVED);
	assert_string_equal(ch[2].before->key, "shm 5");
	/* counted beyond max, none written there */
	assert_int_equal(snap_diff(&a, &b, ch, 1), 3);
	assert_int_equal(snap_diff(&a, &a, ch, 8), 0);
	snap_free(&a);
	snap_free(&b);
}

static void fields_encode_and_split(void **state)
{
	(void)state;
	char enc[256], dec[256];
	cleanup_field_encode("a b:c%d\te/f", enc, sizeof(enc));
	assert_string_equal(enc, "a%20b%3Ac%25d%09e/f");
	assert_int_equal(cleanup_field_decode(enc, dec, sizeof(dec)), 0);
	assert_string_equal(dec, "a b:c%d\te/f");
	assert_int_equal(cleanup_field_decode("%ZZ", dec, sizeof(dec)), -1);
	assert_int_equal(cleanup_field_decode("%00", dec, sizeof(dec)), -1); /* no NUL smuggled in */
	assert_int_equal(cleanup_field_decode("abcdef", dec, 4), -1);
	/* cut to fit, never in the middle of a %XX */
	cleanup_field_encode("ab:", enc, 5);
	assert_string_equal(enc, "ab");
	char buf[64];
	assert_string_equal(snap_field("one tw%20o three", 1, buf, sizeof(buf)), "tw o");
	assert_string_equal(snap_field("one", 3, buf, sizeof(buf)), "");
}

static void snapshot_of_this_host(void **state)
{
	(void)state;
	struct snap s;
	assert_int_equal(snap_take(&s, getpid()), 0);
	bool host = false, mount = false, lo = false;
	for (size_t i = 0; i < s.n; i++) {
		host |= s.items[i].type == SNAP_UTS && strcmp(s.items[i].key, "hostname") == 0;
		mount |= s.items[i].type == SNAP_MOUNT;
		lo |= s.items[i].type == SNAP_LINK && strcmp(s.items[i].value, "lo") == 0;
	}
	assert_true(host);
	assert_true(mount);
	assert_true(lo);
	snap_free(&s);
}

/* --- the proofs of the host kinds --- */

/* -1: refused (nothing undone), 1: gone, 0: undone. */
static int undo(enum nslab_obj kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int undo(enum nslab_obj kind, const char *fmt, ...)
{
	char what[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return cleanup_undo_object(kind, what);
}

static void ipc_by_id_key_and_creator(void **state)
{
	(void)state;
	int key = 0x6e736c01 + (getpid() & 0xff);
	int id = shmget(key, 1000, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0)
		skip();
	unsigned long long ns = cleanup_ns_ino("ipc");
	pid_t me = getpid();
	assert_int_equal(undo(CLEANUP_OBJ_IPC, "shm:%d:%d:%d:%llu", id, key + 1, me, ns), -1); /* key */
	assert_int_equal(undo(CLEANUP_OBJ_IPC, "shm:%d:%d:%d:%llu", id, key, me + 1, ns), -1); /* creator */
	assert_int_equal(undo(CLEANUP_OBJ_IPC, "shm:%d:%d:%d:%llu", id, key, me, ns + 1), -1); /* namespace */
	assert_int_equal(undo(CLEANUP_OBJ_IPC, "shx:%d:%d:%d:%llu", id, key, me, ns), -1);     /* type */
	assert_int_equal(undo(CLEANUP_OBJ_IPC, "shm:%d:%d:%d", id, key, me), -1);              /* fields */
	struct sysvipc_obj o;
	assert_int_equal(sysvipc_find(SYSVIPC_SHM, id, &o), 1); /* still there */
	assert_int_equal(o.size, 1000);
	assert_int_equal(undo(CLEANUP_OBJ_IPC, "shm:%d:%d:%d:%llu", id, key, me, ns), 0);
	assert_int_equal(sysvipc_find(SYSVIPC_SHM, id, &o), 0);
	assert_int_equal(undo(CLEANUP_OBJ_IPC, "shm:%d:%d:%d:%llu", id, key, me, ns), 1); /* gone */
}

static void hostname_only_while_it_is_the_new_one(void **state)
{
	(void)state;
	struct utsname u;
	assert_int_equal(uname(&u), 0);
	char cur[256];
	cleanup_field_encode(u.nodename, cur, sizeof(cur));
	unsigned long long ns = cleanup_ns_ino("uts");
	/* changed again since: someone else's now */
	assert_int_equal(undo(CLEANUP_OBJ_UTSNAME, "hostname:old:not-%s:%llu", cur, ns), -1);
	/* back to the old name already: nothing to undo */
	assert_int_equal(undo(CLEANUP_OBJ_UTSNAME, "hostname:%s:new:%llu", cur, ns), 1);
	/* another UTS namespace, a field that is not a name */
	assert_int_equal(undo(CLEANUP_OBJ_UTSNAME, "hostname:%s:new:%llu", cur, ns + 1), -1);
	assert_int_equal(undo(CLEANUP_OBJ_UTSNAME, "nodename:%s:new:%llu", cur, ns), -1);
	char was[sizeof(u.nodename)];
	snprintf(was, sizeof(was), "%s", u.nodename);
	assert_int_equal(uname(&u), 0);
	assert_string_equal(u.nodename, was); /* nothing was set */
}

struct first_mount {
	int id;
	char target[4096], fstype[64], source[256];
};

static bool take_first(const struct nslab_mount *m, void *ud)
{
	struct first_mount *f = ud;
	if (strcmp(m->target, "/") == 0)
		return true;
	f->id = m->id;
	cleanup_field_encode(m->target, f->target, sizeof(f->target));
	cleanup_field_encode(m->fstype, f->fstype, sizeof(f->fstype));
	cleanup_field_encode(m->source, f->source, sizeof(f->source));
	return false;
}

int mounts_each(pid_t pid, bool (*fn)(const struct nslab_mount *m, void *ud), void *ud);

static void mount_by_id_target_type_and_source(void **state)
{
	(void)state;
	struct first_mount f = {0};
	mounts_each(0, take_first, &f);
	if (!f.id)
		skip();
	unsigned long long ns = cleanup_ns_ino("mnt");
	assert_int_equal(undo(CLEANUP_OBJ_HOSTMOUNT, "%d:%llu:%s:%s:other", f.id, ns, f.target, f.fstype),
			 -1);
	assert_int_equal(
	    undo(CLEANUP_OBJ_HOSTMOUNT, "%d:%llu:/elsewhere:%s:%s", f.id, ns, f.fstype, f.source), -1);
	assert_int_equal(
	    undo(CLEANUP_OBJ_HOSTMOUNT, "%d:%llu:%s:%s:%s", f.id, ns + 1, f.target, f.fstype, f.source), -1);
	assert_int_equal(undo(CLEANUP_OBJ_HOSTMOUNT, "%d:%llu:/:%s:%s", f.id, ns, f.fstype, f.source), -1);
	assert_int_equal(undo(CLEANUP_OBJ_HOSTMOUNT, "999999:%llu:/x:tmpfs:none", ns), 1); /* gone */
}

static void link_by_name_and_index(void **state)
{
	(void)state;
	unsigned lo = if_nametoindex("lo");
	if (!lo)
		skip();
	unsigned long long ns = cleanup_ns_ino("net");
	assert_int_equal(undo(CLEANUP_OBJ_HOSTLINK, "lo:%u:%llu", lo + 1000, ns), -1); /* another index */
	assert_int_equal(undo(CLEANUP_OBJ_HOSTLINK, "lo:%u:%llu", lo, ns + 1), -1);    /* another netns */
	assert_int_equal(undo(CLEANUP_OBJ_HOSTLINK, "nslabunit9:%u:%llu", lo, ns),
			 -1); /* its index, another name */
	assert_int_equal(undo(CLEANUP_OBJ_HOSTLINK, "nslabunit9:99999:%llu", ns), 1); /* gone */
	assert_int_equal(undo(CLEANUP_OBJ_HOSTLINK, "averyveryverylongname:99999:%llu", ns), -1);
	assert_int_not_equal(if_nametoindex("lo"), 0);
}

static void address_by_link_index_and_name(void **state)
{
	(void)state;
	unsigned lo = if_nametoindex("lo");
	if (!lo)
		skip();
	unsigned long long ns = cleanup_ns_ino("net");
	/* only refusals and "gone": an entry that passed would remove the address */
	assert_int_equal(undo(CLEANUP_OBJ_HOSTADDR, "%u:notlo:127.0.0.1:8:%llu", lo, ns),
			 -1); /* another link */
	assert_int_equal(undo(CLEANUP_OBJ_HOSTADDR, "%u:lo:127.0.0.1:8:%llu", lo, ns + 1),
			 -1); /* another netns */
	assert_int_equal(undo(CLEANUP_OBJ_HOSTADDR, "%u:lo:300.1.1.1:8:%llu", lo, ns),
			 -1); /* not an address */
	assert_int_equal(undo(CLEANUP_OBJ_HOSTADDR, "%u:lo:127.0.0.1:33:%llu", lo, ns), -1); /* prefix */
	assert_int_equal(undo(CLEANUP_OBJ_HOSTADDR, "99999:lo:127.0.0.1:8:%llu", ns), 1);    /* link gone */
	assert_int_equal(undo(CLEANUP_OBJ_HOSTADDR, "%u:lo:10.254.254.254:32:%llu", lo, ns),
			 1); /* not there */
	assert_int_equal(undo(CLEANUP_OBJ_HOSTADDR, "%u:lo:fe80%%3A%%3A9:128:%llu", lo, ns),
			 1); /* v6, not there */
}

static void cgroup_by_path_and_inode(void **state)
{
	(void)state;
	struct stat st;
	assert_int_equal(stat(base, &st), 0);
	char enc[4096];
	cleanup_field_encode(base, enc, sizeof(enc));
	/* a directory that is not a cgroup */
	assert_int_equal(undo(CLEANUP_OBJ_HOSTCGROUP, "%llu:%s", (unsigned long long)st.st_ino, enc), -1);
	assert_true(stat(base, &st) == 0);
	assert_int_equal(undo(CLEANUP_OBJ_HOSTCGROUP, "1:relative/path"), -1);
	assert_int_equal(undo(CLEANUP_OBJ_HOSTCGROUP, "1:/sys/fs/cgroup/../etc"), -1);
	assert_int_equal(undo(CLEANUP_OBJ_HOSTCGROUP, "nope"), -1);
	assert_int_equal(undo(CLEANUP_OBJ_HOSTCGROUP, "1:/sys/fs/cgroup/nslab-unit-none/x"), 1); /* gone */
	/* a real cgroup with another inode: the one there now is not it */
	struct snap s;
	assert_int_equal(snap_take(&s, getpid()), 0);
	for (size_t i = 0; i < s.n; i++) {
		if (s.items[i].type != SNAP_CGROUP)
			continue;
		unsigned long long ino = strtoull(s.items[i].value, NULL, 10);
		assert_int_equal(undo(CLEANUP_OBJ_HOSTCGROUP, "%llu:%s", ino + 1, s.items[i].key), -1);
		break;
	}
	snap_free(&s);
}

/* --- the guard around a command --- */

static int make_segment(int key)
{
	return shmget(key, 1000, IPC_CREAT | IPC_EXCL | 0600);
}

static void guard_names_undoes_and_keeps(void **state)
{
	(void)state;
	int key = 0x6e736c80 + (getpid() & 0x7f);
	size_t mark = cleanup_mark();
	cap_start();
	host_guard_before();
	int id = make_segment(key);
	if (id < 0) {
		cap_stop();
		skip();
	}
	host_guard_after("host ipcmk -M 1000", true);
	char want[128];
	snprintf(want, sizeof(want),
		 "the host changed: shared memory segment %d (key 0x%08x, 1000 bytes) made by "
		 "`host ipcmk -M 1000`: undone at stop, `keep ",
		 id, (unsigned)key);
	assert_contains(cap_text(), want);
	assert_int_equal(cleanup_mark(), mark + 1); /* registered */
	/* a second one, kept */
	host_guard_before();
	int id2 = make_segment(key + 0x100);
	assert_true(id2 >= 0);
	host_guard_after("host ipcmk -M 1000", true);
	assert_int_equal(cleanup_mark(), mark + 2);
	long n = 0; /* the first change's number: the second is the next */
	assert_int_equal(sscanf(strstr(cap_text(), want) + strlen(want), "%ld", &n), 1);
	assert_int_equal(host_guard_keep(n + 1000), -1); /* no such change */
	assert_contains(cap_text(), "there is no host change");
	assert_int_equal(host_guard_keep(n + 1), 0);
	assert_contains(cap_text(), "kept: shared memory segment");
	assert_int_equal(cleanup_mark(), mark + 1); /* forgotten by the registry */
	/* stop: the first undone and said, the kept one stays and is said */
	assert_int_equal(host_guard_undo(mark), 1);
	assert_contains(cap_text(), "undone: shared memory segment");
	assert_contains(cap_text(), "stays on the host: shared memory segment");
	struct sysvipc_obj o;
	assert_int_equal(sysvipc_find(SYSVIPC_SHM, id, &o), 0);
	assert_int_equal(sysvipc_find(SYSVIPC_SHM, id2, &o), 1);
	shmctl(id2, IPC_RMID, NULL);
	assert_int_equal(cleanup_mark(), mark);
	cap_stop();
}

static void guard_forgets_what_the_learner_removed(void **state)
{
	(void)state;
	int key = 0x6e736d00 + (getpid() & 0x7f);
	size_t mark = cleanup_mark();
	cap_start();
	host_guard_before();
	int id = make_segment(key);
	if (id < 0) {
		cap_stop();
		skip();
	}
	host_guard_after("host ipcmk", false);
	assert_contains(cap_text(), "undone at quit");
	assert_int_equal(cleanup_mark(), mark + 1);
	host_guard_before();
	shmctl(id, IPC_RMID, NULL);
	host_guard_after("host ipcrm", false);
	assert_int_equal(cleanup_mark(), mark); /* nothing left to undo */
	assert_int_equal(host_guard_undo(0), 0);
	cap_stop();
}

static void guard_stops_a_process_left_running(void **state)
{
	(void)state;
	size_t mark = cleanup_mark();
	cap_start();
	host_guard_before();
	pid_t pid = fork();
	if (pid == 0) {
		execlp("sleep", "sleep", "3607", (char *)NULL);
		_exit(127);
	}
	assert_true(pid > 0);
	/* until it is sleep, not the fork of this test */
	char path[64], cmd[64] = "";
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	for (int i = 0; i < 200 && strncmp(cmd, "sleep", 5) != 0; i++) {
		read_file(path, cmd, sizeof(cmd));
		usleep(5000);
	}
	host_guard_after("host sleep 3607 &", true);
	char want[96];
	snprintf(want, sizeof(want), "the host changed: process %d (sleep 3607) left running outside",
		 (int)pid);
	assert_contains(cap_text(), want);
	assert_int_equal(cleanup_mark(), mark + 1);
	assert_int_equal(host_guard_undo(mark), 0);
	assert_contains(cap_text(), "undone: process");
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1); /* killed and reaped by the undo */
	assert_int_equal(kill(pid, 0), -1);                /* gone */
	cap_stop();
}

/* --- trace's filter --- */

static const char strace_out[] =
    "100 execve(\"/usr/bin/nsenter\", [\"nsenter\", \"-t\", \"5\"], 0x7ffe /* 41 vars */) = 0\n"
    "100 setns(3<uts:[4026531838]>, CLONE_NEWUTS) = 0\n"
    "100 chroot(\".\")                       = 0\n"
    "100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x1) = "
    "101\n"
    "101 execve(\"/bin/sh\", [\"/bin/sh\", \"-c\", \"x\"], 0x7ffc /* 41 vars */) = 0\n"
    "102 execve(\"/usr/bin/unshare\", [\"unshare\", \"--uts\", \"true\"], 0x5 /* 41 vars */) = 0\n"
    "102 unshare(CLONE_NEWUTS)             = 0\n"
    "101 write(1</dev/pts/1>, \"hi\\n\", 3) = 3\n"
    "103 execve(\"/usr/bin/unshare\", [\"unshare\", \"-p\", \"-f\", \"sh\"], 0x5 /* 41 vars */) = 0\n"
    "103 unshare(CLONE_NEWPID)             = 0\n"
    "103 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x2) = "
    "104\n"
    "104 write(1</sys/fs/cgroup/pids/x/pids.max>, \"5\\n\", 2) = 2\n"
    "101 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x3) = "
    "105\n"
    /* a call split by another process's */
    "106 sethostname(\"box\", 3 <unfinished ...>\n"
    "107 unshare(CLONE_NEWNS)              = 0\n"
    "106 <... sethostname resumed>)        = 0\n";

static void trace_filter_keeps_the_container_calls(void **state)
{
	(void)state;
	char *out[16];
	size_t n = trace_filter(strace_out, out, 16);
	assert_int_equal(n, 6);
	assert_string_equal(out[4], "unshare(CLONE_NEWNS) = 0    [?]");
	assert_string_equal(out[5], "sethostname(\"box\", 3) = 0    [?]");
	assert_string_equal(out[0], "unshare(CLONE_NEWUTS) = 0    [unshare]");
	assert_string_equal(out[1], "unshare(CLONE_NEWPID) = 0    [unshare]");
	assert_contains(out[2], "clone(child_stack=NULL"); /* the fork after CLONE_NEWPID: the new PID 1 */
	assert_contains(out[2], "= 104");
	assert_contains(out[3], "pids.max>, \"5\\n\", 2) = 2");
	for (size_t i = 0; i < n; i++) {
		assert_not_contains(out[i], "setns"); /* nsenter's way in is not the learner's */
		assert_not_contains(out[i], "/dev/pts");
		free(out[i]);
	}
	assert_int_equal(trace_filter("", out, 16), 0);
	assert_int_equal(trace_filter(NULL, out, 16), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(snapshot_diff),
	    T(fields_encode_and_split),
	    T(snapshot_of_this_host),
	    T(ipc_by_id_key_and_creator),
	    T(hostname_only_while_it_is_the_new_one),
	    T(mount_by_id_target_type_and_source),
	    T(link_by_name_and_index),
	    T(address_by_link_index_and_name),
	    T(cgroup_by_path_and_inode),
	    T(guard_names_undoes_and_keeps),
	    T(guard_forgets_what_the_learner_removed),
	    T(guard_stops_a_process_left_running),
	    T(trace_filter_keeps_the_container_calls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
