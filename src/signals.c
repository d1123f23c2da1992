/* SPDX-License-Identifier: GPL-2.0-or-later */
/* signals.c: installs nslab's signal handlers and owns the flag they set.
 * It is its own file so that one module writes signal state and every other
 * one only asks (the REPL loops, the TUI, the command runner in agent.c). */
#include "signals.h"

#include <signal.h>
#include <stddef.h>

static volatile sig_atomic_t last_signal;
static void (*volatile crash_restore)(void);
static const int crash_sigs[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
static struct sigaction saved_crash[sizeof(crash_sigs) / sizeof(crash_sigs[0])], saved_quit;

static void on_signal(int sig)
{
	last_signal = sig;
}

void signals_install(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int signals_pending(void)
{
	return last_signal;
}

bool signals_leaving(void)
{
	return last_signal == SIGTERM || last_signal == SIGHUP;
}

void signals_clear_interrupt(void)
{
	if (last_signal == SIGINT)
		last_signal = 0;
}

void signals_note(int sig)
{
	last_signal = sig;
}

void signals_die(void)
{
	if (!signals_leaving())
		return;
	int sig = last_signal;
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Async-signal-safe: the restore hook, then the same signal again, now with
 * its default action (SA_RESETHAND). */
static void on_crash(int sig)
{
	void (*restore)(void) = crash_restore;
	if (restore)
		restore();
	raise(sig);
}

void signals_on_crash(void (*restore)(void))
{
	size_t n = sizeof(crash_sigs) / sizeof(crash_sigs[0]);
	if (!restore) {
		if (!crash_restore)
			return;
		for (size_t i = 0; i < n; i++)
			sigaction(crash_sigs[i], &saved_crash[i], NULL);
		sigaction(SIGQUIT, &saved_quit, NULL);
		crash_restore = NULL;
		return;
	}
	bool first = !crash_restore;
	crash_restore = restore;
	if (!first)
		return;
	struct sigaction sa = {0};
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_crash;
	sa.sa_flags = (int)SA_RESETHAND;
	for (size_t i = 0; i < n; i++)
		sigaction(crash_sigs[i], &sa, &saved_crash[i]);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGQUIT, &sa, &saved_quit);
}
