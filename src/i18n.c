/* SPDX-License-Identifier: GPL-2.0-or-later */
/* i18n.c: where the translations are found. From build/ (nslab run as
 * build/nslab finds build/locale/<lang>/LC_MESSAGES/nslab.mo), else from the
 * installed prefix ($(PREFIX)/share/locale); NSLAB_LOCALEDIR overrides both
 * (tests). Anything but a locale with a catalogue (ko_KR.UTF-8) stays
 * English: gettext returns the English text itself. */
#include "i18n.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef NSLAB_LOCALEDIR
#define NSLAB_LOCALEDIR "/usr/local/share/locale"
#endif

static char dir[PATH_MAX];

/* <dir of the binary>/locale when it is a directory (a build tree). */
static bool build_dir(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = '\0';
	struct stat st;
	if ((size_t)snprintf(buf, len, "%.*s/locale", PATH_MAX - 16, exe) >= len)
		return false;
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode);
}

void i18n_init(void)
{
	/* Only the two categories nslab uses from the environment: the character
	 * set (ncurses, readline, display widths) and the messages. Numbers,
	 * times and sorting stay as in C (status and record files, meters), and
	 * the other categories' files are not loaded at each start. */
	setlocale(LC_CTYPE, "");
	const char *msgs = setlocale(LC_MESSAGES, "");
	/* C.UTF-8 has no catalogue, but glibc's gettext skips the search only
	 * for the plain "C" locale: otherwise it looks for three .mo files of
	 * each text domain (libc's, nslab's, the lab's) at first use. Its
	 * messages are C's; LANGUAGE, which would count there, is not set. */
	const char *language = getenv("LANGUAGE");
	if (msgs && strncmp(msgs, "C.", 2) == 0 && (!language || !*language))
		setlocale(LC_MESSAGES, "C");
	const char *env = getenv("NSLAB_LOCALEDIR");
	if (env && *env)
		snprintf(dir, sizeof(dir), "%s", env);
	else if (!build_dir(dir, sizeof(dir)))
		snprintf(dir, sizeof(dir), "%s", NSLAB_LOCALEDIR);
	bindtextdomain("nslab", dir);
	textdomain("nslab");
}

const char *i18n_lang(void)
{
	static char lang[16];
	const char *loc = setlocale(LC_MESSAGES, NULL);
	if (!loc || !strcmp(loc, "C") || !strcmp(loc, "POSIX"))
		return ""; /* gettext ignores LANGUAGE here too */
	const char *env = getenv("LANGUAGE");
	const char *l = env && *env ? env : loc;
	size_t n = strcspn(l, ":_.@");
	if (n >= sizeof(lang))
		n = 0;
	memcpy(lang, l, n);
	lang[n] = '\0';
	return lang;
}

const char *i18n_dir(void)
{
	return *dir ? dir : NSLAB_LOCALEDIR;
}

void i18n_bind(const char *domain)
{
	if (domain && *domain)
		bindtextdomain(domain, i18n_dir());
}

const char *i18n_lab(const struct nslab_lab *lab, const char *s)
{
	if (!s || !*s || !lab || !lab->textdomain || !*lab->textdomain)
		return s;
	return dgettext(lab->textdomain, s);
}
