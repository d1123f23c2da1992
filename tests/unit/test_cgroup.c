/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_cgroup.c: cgroup mode detection (statfs wrapped, so every layout can
 * be faked on any machine), the mapping of one quota to the v1 and v2 knobs,
 * cpu.stat parsing, mount option matching ("cpu" is not "cpuset"), names,
 * the one walk over cgroup mounts, PID directory names, errors returned
 * (never printed), and the removal rules for the shared `nslab` parent.
 * Needs no root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "util.h"
#include "unit.h"

/* cgroup.c's pure helpers, not in cgroup.h. */
enum nslab_cgmode cgroup_mode_from_magic(long root_magic, long unified_magic);
int cgroup_format_v2_max(long quota_us, long period_us, char *buf, size_t len);
int cgroup_parse_v2_max(const char *text, long *quota_us, long *period_us);
long cgroup_v1_quota_value(long quota_us);
void cgroup_parse_cpu_stat(const char *text, bool v2, struct nslab_cpu_stat *st);
bool cgroup_opt_has(const char *opts, const char *word);
int cgroup_disable_cpu(const char *dir);

#define CGROUP2_MAGIC 0x63677270L
#define TMPFS_MAGIC_ 0x01021994L
#define EXT4_MAGIC 0xEF53L

/* --- statfs, faked per path: -1 = ENOENT --- */

static long fake_root = CGROUP2_MAGIC, fake_unified = -1;

int __wrap_statfs(const char *path, struct statfs *buf);
int __wrap_statfs(const char *path, struct statfs *buf)
{
	long magic = -1;
	if (strcmp(path, "/sys/fs/cgroup") == 0)
		magic = fake_root;
	else if (strcmp(path, "/sys/fs/cgroup/unified") == 0)
		magic = fake_unified;
	if (magic < 0) {
		errno = ENOENT;
		return -1;
	}
	memset(buf, 0, sizeof(*buf));
	buf->f_type = magic;
	return 0;
}

static enum nslab_cgmode mode_with(long root, long unified)
{
	fake_root = root;
	fake_unified = unified;
	return cgroup_mode();
}

static void test_mode_v2(void **state)
{
	(void)state;
	assert_int_equal(mode_with(CGROUP2_MAGIC, -1), NSLAB_CG_V2);
	assert_string_equal(cgroup_mode_name(NSLAB_CG_V2), "cgroup v2");
}

static void test_mode_hybrid(void **state)
{
	(void)state;
	assert_int_equal(mode_with(TMPFS_MAGIC_, CGROUP2_MAGIC), NSLAB_CG_HYBRID);
	assert_string_equal(cgroup_mode_name(NSLAB_CG_HYBRID), "hybrid");
}

static void test_mode_v1(void **state)
{
	(void)state;
	assert_int_equal(mode_with(TMPFS_MAGIC_, -1), NSLAB_CG_V1);
	/* a unified dir that is not cgroup2 (an empty tmpfs dir) is still v1 */
	assert_int_equal(mode_with(TMPFS_MAGIC_, TMPFS_MAGIC_), NSLAB_CG_V1);
	assert_string_equal(cgroup_mode_name(NSLAB_CG_V1), "cgroup v1");
}

static void test_mode_none(void **state)
{
	(void)state;
	assert_int_equal(mode_with(-1, -1), NSLAB_CG_NONE);
	assert_int_equal(mode_with(EXT4_MAGIC, -1), NSLAB_CG_NONE);
	assert_int_equal(cgroup_mode_from_magic(EXT4_MAGIC, CGROUP2_MAGIC), NSLAB_CG_NONE);
}

/* One quota, both versions' knobs. */
struct knobs {
	long quota, period;
	const char *v2;
	long v1_quota;
};

static void test_knob_mapping(void **state)
{
	(void)state;
	static const struct knobs cases[] = {
	    {30000, 100000, "30000 100000", 30000},
	    {10000, 100000, "10000 100000", 10000},
	    {150000, 100000, "150000 100000", 150000},
	    {15000, 50000, "15000 50000", 15000},
	    {-1, 100000, "max 100000", -1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];
		assert_int_equal(cgroup_format_v2_max(cases[i].quota, cases[i].period, buf, sizeof(buf)), 0);
		assert_string_equal(buf, cases[i].v2);
		assert_int_equal(cgroup_v1_quota_value(cases[i].quota), cases[i].v1_quota);
		/* and back: what cpu.max says is what was set */
		long q = 0, p = 0;
		assert_int_equal(cgroup_parse_v2_max(buf, &q, &p), 0);
		assert_int_equal(q, cases[i].quota);
		assert_int_equal(p, cases[i].period);
	}
	char small[4];
	assert_int_equal(cgroup_format_v2_max(30000, 100000, small, sizeof(small)), -1);
}

static void test_parse_v2_max(void **state)
{
	(void)state;
	long q, p;
	assert_int_equal(cgroup_parse_v2_max("max 100000\n", &q, &p), 0);
	assert_int_equal(q, -1);
	assert_int_equal(p, 100000);
	assert_int_equal(cgroup_parse_v2_max("30000 100000\n", &q, &p), 0);
	assert_int_equal(q, 30000);
	assert_int_equal(cgroup_parse_v2_max("", &q, &p), -1);
	assert_int_equal(cgroup_parse_v2_max("abc 1000", &q, &p), -1);
}

static void test_cpu_stat_v1(void **state)
{
	(void)state;
	struct nslab_cpu_stat st = {0};
	cgroup_parse_cpu_stat("nr_periods 120\nnr_throttled 110\nthrottled_time 7700000000\n"
			      "nr_bursts 0\nburst_time 0\n",
			      false, &st);
	assert_int_equal(st.nr_periods, 120);
	assert_int_equal(st.nr_throttled, 110);
	assert_int_equal(st.throttled_usec, 7700000); /* ns -> us */
	assert_int_equal(st.usage_usec, 0);           /* v1: that is cpuacct.usage */
}

static void test_cpu_stat_v2(void **state)
{
	(void)state;
	struct nslab_cpu_stat st = {0};
	cgroup_parse_cpu_stat("usage_usec 3000000\nuser_usec 2900000\nsystem_usec 100000\n"
			      "nr_periods 30\nnr_throttled 29\nthrottled_usec 2100000\n",
			      true, &st);
	assert_int_equal(st.usage_usec, 3000000);
	assert_int_equal(st.nr_periods, 30);
	assert_int_equal(st.nr_throttled, 29);
	assert_int_equal(st.throttled_usec, 2100000);
}

/* libcgroup 2.0.x may match "cpu" against the cpuset mount: we do not. */
static void test_mount_options(void **state)
{
	(void)state;
	assert_false(cgroup_opt_has("rw,relatime,cpuset", "cpu"));
	assert_true(cgroup_opt_has("rw,relatime,cpu", "cpu"));
	assert_true(cgroup_opt_has("rw,relatime,cpu,cpuacct", "cpu"));
	assert_true(cgroup_opt_has("rw,relatime,cpu,cpuacct", "cpuacct"));
	assert_false(cgroup_opt_has("rw,relatime,cpuacct", "cpu"));
	assert_false(cgroup_opt_has("", "cpu"));
}

/* A bad name is refused with a reason for the learner, and nothing is
 * printed: the session decides what is said. */
static void test_path(void **state)
{
	(void)state;
	char buf[128], want[128], why[CGROUP_WHY_LEN];
	snprintf(want, sizeof(want), "/nslab/%d/cpu", (int)getpid());
	assert_int_equal(cgroup_path("cpu", buf, sizeof(buf), why, sizeof(why)), 0);
	assert_string_equal(buf, want);
	assert_string_equal(why, "");
	cap_start();
	const char *bad[] = {"../x", "a/b", "", ".hidden"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_int_equal(cgroup_path(bad[i], buf, sizeof(buf), why, sizeof(why)), -1);
		assert_int_equal(errno, EINVAL);
		char w[64];
		snprintf(w, sizeof(w), "bad cgroup name '%s'", bad[i]);
		assert_string_equal(why, w);
	}
	assert_string_equal(cap_text(), "");
	cap_stop();
	assert_int_equal(cgroup_path("cpu", buf, 4, why, sizeof(why)), -1);
	assert_int_equal(errno, ENAMETOOLONG);
}

/* Querying or changing a cgroup that was never made: -1 with errno and, for
 * a change, the reason; never a printed line. */
static void test_errors_are_returned(void **state)
{
	(void)state;
	char why[CGROUP_WHY_LEN];
	struct nslab_cpu_stat st;
	fake_root = CGROUP2_MAGIC;
	fake_unified = -1;
	cap_start();
	errno = 0;
	assert_int_equal(cgroup_stat("never-made", &st, why, sizeof(why)), -1);
	assert_true(errno == ENOENT || errno == ENODEV);
	assert_string_equal(why, ""); /* an answer for a check, not an error */
	assert_int_equal(st.quota_us, -1);
	errno = 0;
	assert_int_equal(cgroup_set_quota("never-made", 30000, 100000, why, sizeof(why)), -1);
	if (errno == ENOENT)
		assert_contains(why, "does not exist (create it first)");
	else
		assert_contains(why, "cpu controller"); /* no cpu controller here: said why */
	assert_int_equal(cgroup_attach("../x", 1, why, sizeof(why)), -1);
	assert_true(why[0] != '\0');
	assert_string_equal(cap_text(), "");
	cap_stop();
}

/* The one walk over cgroup mounts sees exactly the cgroup and cgroup2 lines
 * of the mount table, in order, and stops when asked to. */
struct seen {
	char text[16384];
	int n, stop_at;
};

static int see_mount(const struct cgroup_mount *m, void *ud)
{
	struct seen *s = ud;
	size_t len = strlen(s->text);
	snprintf(s->text + len, sizeof(s->text) - len, "%s %s %s\n", m->v2 ? "cgroup2" : "cgroup", m->dir,
		 m->opts);
	return ++s->n == s->stop_at ? 7 : 0;
}

static void test_each_mount(void **state)
{
	(void)state;
	char *table = unit_slurp("/proc/self/mounts"), want[16384] = "";
	assert_non_null(table);
	int n = 0;
	char *save = NULL;
	for (char *l = strtok_r(table, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char dev[256], dir[4096], type[64], opts[1024];
		if (sscanf(l, "%255s %4095s %63s %1023s", dev, dir, type, opts) != 4 ||
		    (strcmp(type, "cgroup") != 0 && strcmp(type, "cgroup2") != 0))
			continue;
		size_t len = strlen(want);
		snprintf(want + len, sizeof(want) - len, "%s %s %s\n", type, dir, opts);
		n++;
	}
	free(table);
	struct seen s = {.stop_at = -1};
	assert_int_equal(cgroup_each_mount(see_mount, &s), 0);
	assert_int_equal(s.n, n);
	assert_string_equal(s.text, want);
	if (n < 1)
		skip();
	struct seen first = {.stop_at = 1};
	assert_int_equal(cgroup_each_mount(see_mount, &first), 7); /* fn's value, at once */
	assert_int_equal(first.n, 1);
}

/* The walk keeps the table between walks and reads it again after a mount
 * or an unmount (poll on /proc/self/mounts): a cgroup2 mounted and
 * unmounted in a mount namespace of the child's own is seen come and go;
 * a walk inside a walk's fn sees the same table. Skipped where the child
 * cannot have namespaces of its own. */
static int count_dir(const struct cgroup_mount *m, void *ud)
{
	struct seen *s = ud;
	s->n += strcmp(m->dir, s->text) == 0;
	return 0;
}

static int nested_walk(const struct cgroup_mount *m, void *ud)
{
	(void)m;
	struct seen *s = ud, inner = {.stop_at = -1};
	cgroup_each_mount(see_mount, &inner);
	s->n += inner.n;
	return 0;
}

static int child_sees_mounts(void)
{
	if (unshare(CLONE_NEWNS) < 0 && unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWCGROUP) < 0)
		return 77;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 77;
	char *dir = unit_tmpdir();
	struct seen s = {.stop_at = -1};
	snprintf(s.text, sizeof(s.text), "%s", dir);
	if (cgroup_each_mount(count_dir, &s) != 0 || s.n != 0)
		return 1;
	if (mount("none", dir, "cgroup2", 0, NULL) < 0)
		return 77;
	s.n = 0;
	if (cgroup_each_mount(count_dir, &s) != 0 || s.n != 1)
		return 2; /* the new mount is seen */
	struct seen all = {.stop_at = -1}, nested = {.stop_at = -1};
	cgroup_each_mount(see_mount, &all);
	cgroup_each_mount(nested_walk, &nested);
	if (nested.n != all.n * all.n)
		return 3;
	if (umount(dir) < 0)
		return 4;
	s.n = 0;
	if (cgroup_each_mount(count_dir, &s) != 0 || s.n != 0)
		return 5; /* and its unmount */
	rmdir(dir);
	return 0;
}

static void test_each_mount_follows_changes(void **state)
{
	(void)state;
	struct seen warm = {.stop_at = -1};
	cgroup_each_mount(see_mount, &warm); /* the parent's table, inherited */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_sees_mounts());
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* The orphan sweep and the registry read PIDs from directory names alike. */
static void test_pid_names(void **state)
{
	(void)state;
	assert_int_equal(parse_pid_name("1"), 1);
	assert_int_equal(parse_pid_name("4194303"), 4194303);
	assert_int_equal(parse_pid_name("2147483647"), 2147483647);
	const char *bad[] = {"0", "01", "-1", "+1", "12a", " 12", "self", "", "2147483648", "99999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse_pid_name(bad[i]) != -1)
			fail_msg("'%s' read as PID %d", bad[i], parse_pid_name(bad[i]));
}

/* The shared top `nslab` holds other runs' trees: removing it must never
 * descend; removing nslab/<pid> takes its whole subtree. Plain dirs stand in
 * for cgroup dirs (rmdir behaves the same on empty ones). */
static void test_remove_rules(void **state)
{
	(void)state;
	char *tmp = unit_tmpdir(), top[256], mine[300], other[300], leaf[320];
	snprintf(top, sizeof(top), "%s/nslab", tmp);
	snprintf(mine, sizeof(mine), "%s/111", top);
	snprintf(other, sizeof(other), "%s/222", top);
	snprintf(leaf, sizeof(leaf), "%s/cpu", mine);
	assert_int_equal(mkdir(top, 0755), 0);
	assert_int_equal(mkdir(mine, 0755), 0);
	assert_int_equal(mkdir(other, 0755), 0);
	assert_int_equal(mkdir(leaf, 0755), 0);

	assert_int_equal(cgroup_remove_dir(top), 0); /* busy with others: left alone, not an error */
	assert_int_equal(access(other, F_OK), 0);
	assert_int_equal(access(leaf, F_OK), 0);

	assert_int_equal(cgroup_remove_dir(mine), 0);
	assert_int_equal(access(mine, F_OK), -1);
	assert_int_equal(access(other, F_OK), 0);

	assert_int_equal(cgroup_remove_dir(mine), 0); /* already gone is fine */
	assert_int_equal(rmdir(other), 0);
	assert_int_equal(cgroup_remove_dir(top), 0); /* empty now: removed */
	assert_int_equal(access(top, F_OK), -1);
	unit_rm_rf(tmp);
	free(tmp);
}

/* The undo of nslab's +cpu reads subtree_control as a list of words and
 * writes -cpu only when cpu is among them. A plain file stands in for the
 * kernel's (a write lands at its start, so what was written shows). */
static void test_disable_cpu(void **state)
{
	(void)state;
	char *tmp = unit_tmpdir(), sc[256], now[64];
	snprintf(sc, sizeof(sc), "%s/cgroup.subtree_control", tmp);
	const char *const off[] = {"memory pids\n", "cpuset io\n", "", "\n", "cpux\n"};
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		assert_int_equal(unit_write(sc, off[i]), 0);
		assert_int_equal(cgroup_disable_cpu(tmp), 1); /* nothing of ours */
		assert_int_equal(read_file(sc, now, sizeof(now)), (ssize_t)strlen(off[i]));
		assert_string_equal(now, off[i]);
	}
	const char *const on[] = {"cpu memory pids\n", "memory cpu\n", "cpu"};
	for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		assert_int_equal(unit_write(sc, on[i]), 0);
		assert_int_equal(cgroup_disable_cpu(tmp), 0);
		assert_true(read_file(sc, now, sizeof(now)) >= 0);
		assert_memory_equal(now, "-cpu", 4); /* written over the start, as a knob is */
	}
	unit_rm_rf(tmp);
	assert_int_equal(cgroup_disable_cpu(tmp), 1); /* the cgroup is gone */
	free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mode_v2),       cmocka_unit_test(test_mode_hybrid),
	    cmocka_unit_test(test_mode_v1),       cmocka_unit_test(test_mode_none),
	    cmocka_unit_test(test_knob_mapping),  cmocka_unit_test(test_parse_v2_max),
	    cmocka_unit_test(test_cpu_stat_v1),   cmocka_unit_test(test_cpu_stat_v2),
	    cmocka_unit_test(test_mount_options), cmocka_unit_test(test_path),
	    cmocka_unit_test(test_remove_rules),  cmocka_unit_test(test_errors_are_returned),
	    cmocka_unit_test(test_each_mount),    cmocka_unit_test(test_each_mount_follows_changes),
	    cmocka_unit_test(test_pid_names),     cmocka_unit_test(test_disable_cpu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
