/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_class.c: the class view's pieces without a lab: the JSON writer's
 * escaping and nesting, the strict flat-object reader (and what it refuses),
 * a status file's round trip and its cleaning of control characters, the
 * file name a learner gets, how a status is classed (left, stale, done,
 * stuck, active), the per-lab summary line, and reading a class directory
 * full of hostile files (symlink, FIFO, huge, hard link, bad JSON) that are
 * skipped with a reason while the good one is shown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "class-roll.h"
#include "class-status.h"
#include "json.h"
#include "state.h"
#include "unit.h"
#include "util.h"

#include <time.h>

/* What the writer makes of one string. */
static char *quoted(const char *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	json_put_quoted(m, s);
	fclose(m);
	return text;
}

static void escaping(void **state)
{
	(void)state;
	struct {
		const char *in, *out;
	} cases[] = {
	    {"plain", "\"plain\""},
	    {"a\"b\\c", "\"a\\\"b\\\\c\""},
	    {"tab\there\nnl", "\"tab\\u0009here\\u000anl\""},
	    {"\x1b[31mred", "\"\\u001b[31mred\""},
	    {"del\x7f", "\"del\\u007f\""},
	    {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7\""},
	    {"bad\xff", "\"bad\\ufffd\""},
	    {"cut\xc3", "\"cut\\ufffd\""},
	    {"overlong\xc0\xaf", "\"overlong\\ufffd\\ufffd\""},
	    {"surrogate\xed\xa0\x80", "\"surrogate\\ufffd\\ufffd\\ufffd\""},
	    {"", "\"\""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *q = quoted(cases[i].in);
		assert_string_equal(q, cases[i].out);
		free(q);
	}
}

static void nesting(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	struct json_writer w;
	json_init(&w, m, false);
	json_object(&w, NULL);
	json_array(&w, "a");
	json_int(&w, NULL, 1);
	json_object(&w, NULL);
	json_bool(&w, "t", true);
	json_string(&w, "n", NULL);
	json_end(&w);
	json_end(&w);
	json_array(&w, "empty");
	json_end(&w);
	json_int(&w, "neg", -5);
	json_end(&w);
	fclose(m);
	assert_string_equal(text, "{\"a\":[1,{\"t\":true,\"n\":null}],\"empty\":[],\"neg\":-5}");
	free(text);
}

struct seen {
	char keys[256];
	long long sum;
	char last_str[JSON_MAX_STRING + 1];
};

static int collect(void *ctx, const char *key, const struct json_value *v)
{
	struct seen *s = ctx;
	strcat(s->keys, key);
	strcat(s->keys, ",");
	if (v->type == JSON_INT || v->type == JSON_BOOL)
		s->sum += v->num;
	if (v->type == JSON_STRING)
		snprintf(s->last_str, sizeof(s->last_str), "%s", v->str);
	return 0;
}

static int parse(const char *text, struct seen *s, const char **why)
{
	memset(s, 0, sizeof(*s));
	return json_parse_flat(text, strlen(text), collect, s, why);
}

static void reader_accepts(void **state)
{
	(void)state;
	struct seen s;
	const char *why;
	assert_int_equal(
	    parse(" {\"a\": 1, \"b\":\"x\\u00e9\\n\", \"c\":true,\"d\":null, \"e\":-3}\n", &s, &why), 0);
	assert_string_equal(s.keys, "a,b,c,d,e,");
	assert_int_equal(s.sum, -1);
	assert_string_equal(s.last_str, "x\xc3\xa9\n");
	assert_int_equal(parse("{}", &s, &why), 0);
	assert_int_equal(parse("{\"p\":\"\\ud83d\\udc27\"}", &s, &why), 0);
	assert_string_equal(s.last_str, "\xf0\x9f\x90\xa7");
	assert_int_equal(parse("{\"big\":9223372036854775807}", &s, &why), 0);
}

static void reader_refuses(void **state)
{
	(void)state;
	const char *bad[][2] = {
	    {"", "expected '{'"},
	    {"[1]", "expected '{'"},
	    {"{\"a\":{}}", "nested value"},
	    {"{\"a\":[1]}", "nested value"},
	    {"{\"a\" 1}", "expected ':'"},
	    {"{\"a\":1,}", "expected a key"},
	    {"{\"a\":1", "expected ',' or '}'"},
	    {"{\"a\":1} x", "text after the object"},
	    {"{\"a\":1.5}", "not an integer"},
	    {"{\"a\":1e3}", "not an integer"},
	    {"{\"a\":9223372036854775808}", "number out of range"},
	    {"{\"a\":\"x}", "unterminated string"},
	    {"{\"a\":\"\\q\"}", "bad escape"},
	    {"{\"a\":\"\\u00zz\"}", "bad \\u escape"},
	    {"{\"a\":\"\\u0000\"}", "NUL in a string"},
	    {"{\"a\":\"\\udc00\"}", "lone low surrogate"},
	    {"{\"a\":\"\\ud800x\"}", "lone high surrogate"},
	    {"{\"a\":\"\t\"}", "control byte in a string"},
	    {"{\"a\":tru}", "expected a value"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct seen s;
		const char *why = NULL;
		assert_int_equal(parse(bad[i][0], &s, &why), -1);
		assert_non_null(why);
		assert_contains(why, bad[i][1]);
	}
	/* bounded: a string longer than JSON_MAX_STRING, more members than 64 */
	char *big = malloc(JSON_MAX_STRING + 32);
	snprintf(big, JSON_MAX_STRING + 32, "{\"a\":\"%0*d\"}", JSON_MAX_STRING + 1, 0);
	struct seen s;
	const char *why;
	assert_int_equal(parse(big, &s, &why), -1);
	assert_contains(why, "string too long");
	free(big);
	char many[2048] = "{";
	for (int i = 0; i < 70; i++)
		sprintf(many + strlen(many), "%s\"k%d\":1", i ? "," : "", i);
	strcat(many, "}");
	assert_int_equal(parse(many, &s, &why), -1);
	assert_contains(why, "too many members");
}

static struct class_status sample(void)
{
	struct class_status s = {.pid = 42,
				 .start = 1234,
				 .step = 2,
				 .nsteps = 3,
				 .done = 1,
				 .since = 1000,
				 .last_cmd = 1100,
				 .updated = 1100,
				 .failed = 4,
				 .hints = 2,
				 .dos = 1};
	strcpy(s.learner, "alice@vm1");
	strcpy(s.host, "vm1");
	strcpy(s.boot_id, "0000-boot");
	strcpy(s.lab, "uts");
	strcpy(s.title, "Set a \"domain\" name");
	return s;
}

static void status_round_trip(void **state)
{
	(void)state;
	struct class_status s = sample(), back;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	class_status_to_json(m, &s);
	fclose(m);
	const char *why = NULL;
	assert_int_equal(class_status_parse(text, len, &back, &why), 0);
	assert_memory_equal(&s, &back, sizeof(s));
	free(text);
	s.left = true;
	m = open_memstream(&text, &len);
	class_status_to_json(m, &s);
	fclose(m);
	assert_int_equal(class_status_parse(text, len, &back, &why), 0);
	assert_true(back.left);
	free(text);
}

static void status_refuses_and_cleans(void **state)
{
	(void)state;
	struct class_status s;
	const char *why;
	const char *ok =
	    "{\"version\":1,\"learner\":\"\\u001b[2Jevil\\u0085x\",\"lab\":\"uts\",\"step\":1,\"steps\":3}";
	assert_int_equal(class_status_parse(ok, strlen(ok), &s, &why), 0);
	assert_string_equal(s.learner, "?[2Jevil?x"); /* ESC and the C1 control U+0085 */
	const char *bad[][2] = {
	    {"{\"learner\":\"a\"}", "no \"version\""},
	    {"{\"version\":2,\"learner\":\"a\"}", "unknown version"},
	    {"{\"version\":1}", "no \"learner\""},
	    {"{\"version\":1,\"learner\":\"\"}", "no \"learner\""},
	    {"{\"version\":1,\"learner\":\"a\",\"step\":\"2\"}", "not a number"},
	    {"{\"version\":1,\"learner\":\"a\",\"lab\":3}", "not a string"},
	    {"{\"version\":1,\"learner\":\"a\",\"hints\":-1}", "out of range"},
	    {"{\"version\":1,\"learner\":\"a\",\"left\":1}", "not a boolean"},
	    {"{\"version\":1,\"learner\":\"a\",\"step\":5,\"steps\":3}", "step past"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(class_status_parse(bad[i][0], strlen(bad[i][0]), &s, &why), -1);
		assert_non_null(why);
		assert_contains(why, bad[i][1]);
	}
	/* an over-long title is cut, never a half UTF-8 character */
	char text[512];
	snprintf(text, sizeof(text), "{\"version\":1,\"learner\":\"a\",\"title\":\"%s\"}",
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	assert_int_equal(class_status_parse(text, strlen(text), &s, &why), 0);
	size_t l = strlen(s.title);
	assert_true(l > 0 && l < sizeof(s.title) && l % 2 == 0);
}

static void file_names(void **state)
{
	(void)state;
	char name[64];
	assert_int_equal(class_status_file_name("alice@vm1", name, sizeof(name)), 0);
	assert_string_equal(name, "alice@vm1.json");
	assert_int_equal(class_status_file_name("../../etc/x y", name, sizeof(name)), 0);
	assert_string_equal(name, "_._.._etc_x_y.json");
	assert_int_equal(class_status_file_name(".hidden", name, sizeof(name)), 0);
	assert_string_equal(name, "_hidden.json");
	assert_int_equal(class_status_file_name("", name, sizeof(name)), -1);
	assert_int_equal(
	    class_status_file_name("a-very-long-learner-name-that-does-not-fit-at-all-here", name, 32), -1);
}

static void classify(void **state)
{
	(void)state;
	struct class_status s = sample();
	long long on;
	const char *far = "other-boot";
	/* another boot: judged by age */
	assert_int_equal(class_classify(&s, 1100 + 10, far, &on), CLASS_ACTIVE);
	assert_int_equal(on, 110);
	assert_int_equal(class_classify(&s, 1000 + CLASS_STUCK_SECS + 1, far, &on), CLASS_STUCK);
	assert_int_equal(class_classify(&s, 1100 + CLASS_STALE_SECS + 1, far, &on), CLASS_STALE);
	assert_int_equal(on, 100); /* as of its last write */
	s.done = 3;
	assert_int_equal(class_classify(&s, 1000 + CLASS_STUCK_SECS + 1, far, &on), CLASS_DONE);
	s.left = true;
	assert_int_equal(class_classify(&s, 99999, far, &on), CLASS_LEFT);
	/* this boot: the PID must be the same process */
	s = sample();
	strcpy(s.boot_id, "this-boot");
	s.pid = getpid();
	s.start = 1; /* not our start time */
	assert_int_equal(class_classify(&s, 1110, "this-boot", &on), CLASS_STALE);
	char buf[1024];
	assert_true(read_file("/proc/self/stat", buf, sizeof(buf)) > 0);
	char *p = strrchr(buf, ')');
	for (int f = 2; p && f < 22; f++)
		p = strchr(p + 1, ' ');
	assert_non_null(p);
	s.start = strtoll(p + 1, NULL, 10);
	assert_int_equal(class_classify(&s, 1110, "this-boot", &on), CLASS_ACTIVE);
	/* no lab: never stuck */
	s.lab[0] = '\0';
	assert_int_equal(class_classify(&s, 1000 + 3600, "this-boot", &on), CLASS_ACTIVE);
}

static void summary(void **state)
{
	(void)state;
	struct class_lab_count c = {.lab = "uts", .done = 12, .stuck = 1, .gone = 2};
	c.on_step[2] = 5;
	c.on_step[3] = 1;
	char line[128];
	class_lab_summary(&c, line, sizeof(line));
	assert_string_equal(line, "uts: 12 done, 5 on step 2, 1 on step 3, 1 stuck > 5 min, 2 left");
	char tiny[12];
	class_lab_summary(&c, tiny, sizeof(tiny));
	assert_string_equal(tiny, "uts: 12 don");
}

static void write_status_file(const char *dir, const char *name, const char *learner, long long since)
{
	struct class_status s = sample();
	snprintf(s.learner, sizeof(s.learner), "%s", learner);
	s.since = since;
	s.updated = time(NULL);
	assert_int_equal(class_status_write(dir, name, &s), 0);
}

static void hostile_directory(void **state)
{
	(void)state;
	unsetenv("SUDO_UID");
	unsetenv("SUDO_GID");
	state_init(NULL);
	char *dir = unit_tmpdir(), path[PATH_MAX], other[PATH_MAX];
	long long now = time(NULL);
	write_status_file(dir, "alice.json", "alice", now - 10);
	write_status_file(dir, "bob.json", "bob", now - 2 * CLASS_STUCK_SECS);
	snprintf(path, sizeof(path), "%s/link.json", dir);
	assert_int_equal(symlink("alice.json", path), 0);
	snprintf(path, sizeof(path), "%s/fifo.json", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	snprintf(path, sizeof(path), "%s/bad.json", dir);
	unit_write(path, "{\"version\":1,\"learner\":");
	snprintf(path, sizeof(path), "%s/huge.json", dir);
	int fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_int_equal(ftruncate(fd, 10 * 1024 * 1024), 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/bob.json", dir);
	snprintf(other, sizeof(other), "%s/hard.json", dir);
	assert_int_equal(link(path, other), 0);
	snprintf(path, sizeof(path), "%s/README", dir); /* not a status file: not read */
	unit_write(path, "hello");
	snprintf(path, sizeof(path), "%s/.bob.json.1.0", dir); /* a temp file: not read */
	unit_write(path, "{");
	struct class_roll r;
	assert_int_equal(class_roll_read(dir, now, &r), 0);
	/* bob and hard.json are one file with two names: both refused */
	assert_int_equal(r.n, 1);
	assert_string_equal(r.e[0].st.learner, "alice");
	assert_int_equal(r.nskip, 6);
	char all[1024] = "";
	for (size_t i = 0; i < r.nskip; i++)
		snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s: %s\n", r.skip[i].file,
			 r.skip[i].why);
	assert_contains(all, "link.json: a symlink");
	assert_contains(all, "fifo.json: not a regular file");
	assert_contains(all, "huge.json: too big (10485760 bytes)");
	assert_contains(all, "bad.json: expected a value");
	assert_contains(all, "hard.json: a hard link");
	assert_contains(all, "bob.json: a hard link");
	class_roll_free(&r);
	/* without the second name bob is back, stuck, and sorted first */
	assert_int_equal(unlink(other), 0);
	assert_int_equal(class_roll_read(dir, now, &r), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.e[0].st.learner, "bob");
	assert_int_equal(r.e[0].state, CLASS_STUCK);
	size_t nlabs;
	struct class_lab_count *labs = class_roll_labs(&r, &nlabs);
	assert_int_equal(nlabs, 1);
	char line[128];
	class_lab_summary(&labs[0], line, sizeof(line));
	assert_string_equal(line, "uts: 0 done, 2 on step 2, 1 stuck > 5 min");
	free(labs);
	class_roll_free(&r);
	/* the directory itself a symlink: refused */
	snprintf(path, sizeof(path), "%s.link", dir);
	assert_int_equal(symlink(dir, path), 0);
	assert_int_equal(class_roll_read(path, now, &r), -1);
	assert_true(errno == ELOOP || errno == ENOTDIR); /* O_DIRECTORY: ENOTDIR */
	unlink(path);
	unit_rm_rf(dir);
	free(dir);
}

/* A temp file of the same name left by someone else does not stop the write,
 * and a symlink planted as the status file is replaced, never written through. */
static void writer_in_a_hostile_dir(void **state)
{
	(void)state;
	unsetenv("SUDO_UID");
	unsetenv("SUDO_GID");
	state_init(NULL);
	char *dir = unit_tmpdir(), path[PATH_MAX], target[PATH_MAX];
	snprintf(target, sizeof(target), "%s/target", dir);
	unit_write(target, "precious");
	snprintf(path, sizeof(path), "%s/alice.json", dir);
	assert_int_equal(symlink(target, path), 0);
	snprintf(path, sizeof(path), "%s/.alice.json.%d.0", dir, (int)getpid());
	unit_write(path, "someone else's");
	write_status_file(dir, "alice.json", "alice", 1);
	char *t = unit_slurp(target);
	assert_string_equal(t, "precious");
	free(t);
	struct stat st;
	snprintf(path, sizeof(path), "%s/alice.json", dir);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	snprintf(path, sizeof(path), "%s/.alice.json.%d.0", dir, (int)getpid());
	t = unit_slurp(path);
	assert_string_equal(t, "someone else's");
	free(t);
	unit_rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(escaping),
	    cmocka_unit_test(nesting),
	    cmocka_unit_test(reader_accepts),
	    cmocka_unit_test(reader_refuses),
	    cmocka_unit_test(status_round_trip),
	    cmocka_unit_test(status_refuses_and_cleans),
	    cmocka_unit_test(file_names),
	    cmocka_unit_test(classify),
	    cmocka_unit_test(summary),
	    cmocka_unit_test(hostile_directory),
	    cmocka_unit_test(writer_in_a_hostile_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
