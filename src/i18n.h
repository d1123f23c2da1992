/* SPDX-License-Identifier: GPL-2.0-or-later */
/* i18n.h: gettext for nslab's own texts (domain "nslab") and for the texts
 * of lab plugins (each lab's own domain, struct nslab_lab.textdomain). */
#ifndef NSLAB_I18N_H
#define NSLAB_I18N_H

#include <libintl.h>
#include "nslab-lab.h"

#ifndef _
#define _(s) gettext(s)
#endif
#ifndef N_
#define N_(s) (s) /* marked for xgettext, translated where it is shown */
#endif

/* Once, first thing in main: the locale from LANG/LC_ALL/LC_MESSAGES, and
 * the "nslab" domain bound to the build directory's locale tree when nslab
 * runs from build/, else to the installed one (LOCALEDIR). */
void i18n_init(void);
/* The language texts are shown in, as gettext picks it: the first of
 * LANGUAGE, else LC_MESSAGES's ("ko" for ko_KR.UTF-8); "" for C/POSIX. */
const char *i18n_lang(void);
/* The locale directory i18n_init chose. */
const char *i18n_dir(void);
/* Binds a lab's text domain to the same directory (NULL: nothing). */
void i18n_bind(const char *domain);
/* A lab's static text as shown: translated in the lab's domain when the lab
 * has one, as given otherwise (NULL stays NULL). */
const char *i18n_lab(const struct nslab_lab *lab, const char *s);

#endif
