/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pair.c: times two commands interleaved in one run, for tests/bench/start-scan.sh.
 *   pair RUNS WARMUP A... -- B...
 * Each round runs A and B once each (A first in even rounds, B first in odd
 * ones), with stdin, stdout and stderr on /dev/null, and takes the wall time
 * from just before fork to the end of wait4, and the CPU time (user + system,
 * with reaped descendants) wait4 reports. On a shared machine the load moves
 * during a run; interleaving puts both commands under the same load, so the
 * ratio of their medians, and the median of the per-round ratios, stay
 * comparable where the absolute times do not.
 * Prints, for each command and for the per-round ratio A/B: min, p10, p25,
 * median, p75, p90, max. The last line is machine-readable:
 *   RESULT <median A ms> <median B ms> <ratio of medians> <median of round ratios> <cpu ratio of medians>
 * Exit 1 if a command failed (exit status not 0) or could not start. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double tv_ms(struct timeval tv)
{
	return tv.tv_sec * 1e3 + tv.tv_usec / 1e3;
}

/* Runs argv once; its wall and CPU time in ms. -1 if it failed. */
static int run_once(char **argv, double *wall, double *cpu)
{
	double t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (null < 0)
			_exit(127);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) != pid)
		return -1;
	*wall = now_ms() - t0;
	*cpu = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The value at fraction q of the sorted v (nearest rank). */
static double quantile(const double *v, int n, double q)
{
	int i = (int)(q * (n - 1) + 0.5);
	return v[i];
}

static double median_of(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return quantile(v, n, 0.5);
}

static void report(const char *label, double *v, int n, const char *unit)
{
	qsort(v, n, sizeof(*v), cmp_double);
	printf("%-10s min %.2f  p10 %.2f  p25 %.2f  median %.2f  p75 %.2f  p90 %.2f  max %.2f %s\n", label,
	       v[0], quantile(v, n, 0.1), quantile(v, n, 0.25), quantile(v, n, 0.5), quantile(v, n, 0.75),
	       quantile(v, n, 0.9), v[n - 1], unit);
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: pair RUNS WARMUP A... -- B...\n");
		return 2;
	}
	int runs = atoi(argv[1]), warmup = atoi(argv[2]);
	char **a = argv + 3, **b = NULL;
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			argv[i] = NULL;
			b = argv + i + 1;
			break;
		}
	}
	if (runs < 1 || warmup < 0 || !b || !*b || !*a) {
		fprintf(stderr, "usage: pair RUNS WARMUP A... -- B...\n");
		return 2;
	}
	double *wa = calloc(runs, sizeof(double)), *wb = calloc(runs, sizeof(double));
	double *ca = calloc(runs, sizeof(double)), *cb = calloc(runs, sizeof(double));
	double *ratio = calloc(runs, sizeof(double));
	if (!wa || !wb || !ca || !cb || !ratio)
		return 1;
	for (int i = -warmup; i < runs; i++) {
		double w1, c1, w2, c2;
		char **first = i & 1 ? b : a, **second = i & 1 ? a : b;
		if (run_once(first, &w1, &c1) < 0 || run_once(second, &w2, &c2) < 0) {
			fprintf(stderr, "pair: a command failed in round %d\n", i);
			return 1;
		}
		if (i < 0)
			continue;
		wa[i] = i & 1 ? w2 : w1, ca[i] = i & 1 ? c2 : c1;
		wb[i] = i & 1 ? w1 : w2, cb[i] = i & 1 ? c1 : c2;
		ratio[i] = wa[i] / wb[i];
	}
	printf("%d interleaved rounds (after %d warm-up rounds)\n", runs, warmup);
	printf("A = %s ...\nB = %s ...\n", a[0], b[0]);
	report("A wall", wa, runs, "ms");
	report("B wall", wb, runs, "ms");
	report("A/B round", ratio, runs, "x");
	report("A cpu", ca, runs, "ms");
	report("B cpu", cb, runs, "ms");
	double ma = median_of(wa, runs), mb = median_of(wb, runs);
	double mr = median_of(ratio, runs);
	double cr = median_of(ca, runs) / median_of(cb, runs);
	printf("RESULT %.3f %.3f %.3f %.3f %.3f\n", ma, mb, ma / mb, mr, cr);
	return 0;
}
