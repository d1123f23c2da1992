# SPDX-License-Identifier: GPL-2.0-or-later
# nslab: see README.md. `sudo make run` and `sudo make check` are the two commands.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
LABDIR  ?= $(PREFIX)/lib/nslab/labs
MANDIR  ?= $(PREFIX)/share/man
LOCALEDIR ?= $(PREFIX)/share/locale
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(PREFIX)/share/pkgconfig
DESTDIR ?=
VERSION := 0.1.0

CC      ?= cc
B       := build
PKGS    := readline ncursesw libcgroup mount smartcols libcap vterm
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WERROR  ?=
# CFLAGS, CPPFLAGS and LDFLAGS are the builder's (`make CFLAGS='-O1 -g
# -fsanitize=address,undefined' LDFLAGS=-fsanitize=address,undefined`): they
# replace the defaults, never what nslab needs to compile at all, which is
# NSLAB_CFLAGS and NSLAB_CPPFLAGS, added to every compile. LDFLAGS goes to
# every link: nslab, the labs, the helpers, the unit tests and fuzzers.
CFLAGS  ?= -O2 -g
LDFLAGS ?=
NSLAB_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) -MMD -MP
NSLAB_CPPFLAGS := -Isrc -DNSLAB_VERSION='"$(VERSION)"' -DNSLAB_LABDIR='"$(LABDIR)"' \
	-DNSLAB_LOCALEDIR='"$(LOCALEDIR)"' $(PKG_CFLAGS)
LAB_CFLAGS := -fPIC -fvisibility=hidden
# What labs link against (seccomp: the container and seccomp labs' filters).
LAB_PKGS := libseccomp
LAB_LIBS := -Wl,--as-needed $(shell pkg-config --libs libcap mount $(LAB_PKGS) 2>/dev/null)

# A package pkg-config cannot find is named in one line before anything
# compiles (rather than a wall of missing-header errors). Not for the goals
# that install the packages first (deps, run, check: their sub-makes check).
ifneq ($(filter-out deps run check clean format format-check uninstall pot po-check,$(or $(MAKECMDGOALS),all)),)
MISSING_PKGS := $(foreach p,$(PKGS) $(LAB_PKGS),$(if $(shell pkg-config --exists $(p) && echo y),,$(p)))
ifneq ($(strip $(MISSING_PKGS)),)
$(error pkg-config cannot find: $(strip $(MISSING_PKGS)) (run 'sudo make deps'))
endif
ifeq ($(shell command -v msgfmt),)
$(error msgfmt is missing: the translations are built with gettext (run 'sudo make deps'))
endif
endif

SRCS      := $(wildcard src/*.c)
# The installed plugin headers: the contract, and the helpers' header with its parts.
LAB_UTIL_HEADERS := src/nslab-lab-util.h $(sort $(wildcard src/nslab-lab-util-*.h))
LAB_HEADERS := src/nslab-lab.h $(LAB_UTIL_HEADERS)
CORE_OBJS := $(patsubst src/%.c,$(B)/obj/%.o,$(filter-out src/main.c,$(SRCS)))
LABS      := $(patsubst labs/%.c,$(B)/labs/%.so,$(wildcard labs/*.c))
HELPERS   := $(patsubst labs/helpers/%.c,$(B)/labs/%,$(wildcard labs/helpers/*.c))
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_*.c))
# Translations: src/po/<lang>.po is the domain "nslab", labs/po/<id>/<lang>.po
# the domain "nslab-lab-<id>"; built into build/locale/<lang>/LC_MESSAGES/,
# where build/nslab finds them (src/i18n.c), and installed into LOCALEDIR.
CORE_POS  := $(wildcard src/po/*.po)
LAB_POS   := $(wildcard labs/po/*/*.po)
MOS       := $(patsubst src/po/%.po,$(B)/locale/%/LC_MESSAGES/nslab.mo,$(CORE_POS)) \
	$(foreach p,$(LAB_POS),$(B)/locale/$(basename $(notdir $(p)))/LC_MESSAGES/nslab-lab-$(notdir $(patsubst %/,%,$(dir $(p)))).mo)
# The man page in other languages: scripts/nslab.1 through
# scripts/po/man/<lang>.po (po4a, scripts/po/man/po4a.cfg) into
# build/man/<lang>/nslab.1, installed as MANDIR/<lang>/man1/nslab.1. Built
# only where po4a is installed (`make` says so otherwise); `make po-check`
# needs it.
MAN_POS   := $(wildcard scripts/po/man/*.po)
PO4A      := $(shell command -v po4a 2>/dev/null)
MAN_LANGS := $(basename $(notdir $(MAN_POS)))
MAN_PAGES := $(if $(PO4A),$(MAN_LANGS:%=$(B)/man/%/nslab.1))
ifeq ($(PO4A),)
ifneq ($(MAN_POS),)
ifneq ($(filter all install run,$(or $(MAKECMDGOALS),all)),)
$(info po4a is not installed: the man page in $(MAN_LANGS) (build/man/) is not built (sudo make deps))
endif
endif
endif

.PHONY: all run check deps unit unit-user itest e2e vmtest bench install uninstall clean format format-check
.PHONY: asan fuzz valgrind install-test stress-cleanup pot po-check
all: $(B)/nslab $(LABS) $(HELPERS) $(MOS) $(MAN_PAGES)

# main.o and labs.o compile in VERSION and LABDIR: rebuild them when those
# change, or `make && make install PREFIX=/opt/x` would install a binary that
# looks for its labs under the old prefix.
PATHS_TEXT := $(LABDIR) $(LOCALEDIR) $(VERSION)
ifneq ($(PATHS_TEXT),$(strip $(file <$(B)/paths.stamp)))
$(shell mkdir -p $(B))
$(file >$(B)/paths.stamp,$(PATHS_TEXT))
endif
$(B)/obj/labs.o $(B)/obj/main.o $(B)/obj/i18n.o: $(B)/paths.stamp

$(B)/obj/%.o: src/%.c | $(B)/obj
	$(CC) $(NSLAB_CPPFLAGS) $(CPPFLAGS) $(NSLAB_CFLAGS) $(CFLAGS) -c -o $@ $<

# What the nslab binary links, chosen for start-up time (a whole run is timed
# against `unshare`, tests/bench/start-scan.sh): every shared object costs a
# mapping, relocations and its constructors at each start. libmount and
# libsmartcols are not linked at all: src/libs-lazy.c loads them on first use.
# The others are linked from their static archive when one is installed
# (-l:libX.a), else as shared libraries.
EAGER_PKGS := readline ncursesw libcgroup libcap vterm
STATIC_OK  := readline ncursesw tinfo cgroup cap vterm
static_lib = $(if $(filter /%,$(shell $(CC) -print-file-name=lib$(1).a)),-l:lib$(1).a,-l$(1))
NSLAB_LIBS := $(foreach w,$(shell pkg-config --libs $(EAGER_PKGS) 2>/dev/null),$(if $(filter $(STATIC_OK:%=-l%),$(w)),$(call static_lib,$(w:-l%=%)),$(w))) -ldl

$(B)/nslab: $(B)/obj/main.o $(CORE_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(NSLAB_LIBS)

# A lab is one file: labs/<id>.c -> build/labs/<id>.so (its texts in the
# gettext domain nslab-lab-<id>)
$(B)/labs/%.so: labs/%.c $(LAB_HEADERS) | $(B)/labs
	$(CC) $(NSLAB_CPPFLAGS) -DNSLAB_TEXTDOMAIN='"nslab-lab-$*"' $(CPPFLAGS) $(NSLAB_CFLAGS) $(CFLAGS) $(LAB_CFLAGS) -shared $(LDFLAGS) -o $@ $< $(LAB_LIBS)

# Message catalogues (msgfmt --check: a broken printf conversion fails the build).
$(B)/locale/%/LC_MESSAGES/nslab.mo: src/po/%.po
	@mkdir -p $(@D)
	msgfmt --check -o $@ $<
define LAB_MO_RULE
$(B)/locale/$(basename $(notdir $(1)))/LC_MESSAGES/nslab-lab-$(notdir $(patsubst %/,%,$(dir $(1)))).mo: $(1)
	@mkdir -p $$(@D)
	msgfmt --check -o $$@ $$<
endef
$(foreach p,$(LAB_POS),$(eval $(call LAB_MO_RULE,$(p))))

# A translated man page (po4a --keep 100: a page not wholly translated is
# not written: the build says so in one line and goes on, `make install`
# leaves that language out, and `make po-check` fails on it). The
# coding line tells man(1) the page is UTF-8 whatever the locale's charset;
# HY 0 turns hyphenation off (English patterns would split the English words
# of a Korean line: "ch-root").
$(B)/man/%/nslab.1: scripts/nslab.1 scripts/po/man/%.po scripts/po/man/po4a.cfg
	@mkdir -p $(@D)
	@rm -f $@
	po4a --srcdir . --destdir $(B) --no-update --force --keep 100 scripts/po/man/po4a.cfg
	@test -f $@ || { echo "$@: not built: scripts/po/man/$*.po lacks texts of scripts/nslab.1 (make pot; msgmerge -U --no-fuzzy-matching; make po-check)"; exit 0; }
	@if [ -f $@ ]; then { printf '%s\n' '.\" -*- coding: UTF-8 -*-' '.nr HY 0'; cat $@; } >$@.tmp && mv $@.tmp $@; fi

# Templates: src/po/nslab.pot from src/*.c, labs/po/<id>/<id>.pot from
# labs/<id>.c (for each lab that has a po directory). A lab's texts splice
# in macros ("hostname " LAB_HOSTNAME), so xgettext reads it preprocessed
# (N_ and _ kept as calls), where each text is whole as the lab shows it.
# Then merge a language with `msgmerge -U src/po/ko.po src/po/nslab.pot`.
XGETTEXT := xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=ngettext:1,2 --add-comments=TRANSLATORS: \
	--package-name=nslab --package-version=$(VERSION) --msgid-bugs-address=nslab --sort-by-file
# One recipe for both: templates into DIR (the tree's own for `pot`, a
# scratch one for po-check). Core: DIR/src/po/nslab.pot; lab ID:
# DIR/labs/po/ID/ID.pot, for each lab that has a po directory.
define make-pots
	@mkdir -p $(1)/src/po $(B)/pot
	$(XGETTEXT) --add-location=file --keyword=NSLAB_UTIL_TEXT -o $(1)/src/po/nslab.pot $(sort $(SRCS)) $(LAB_UTIL_HEADERS)
	@for d in labs/po/*/; do id=$$(basename $$d); [ -f labs/$$id.c ] || continue; \
		mkdir -p $(1)/labs/po/$$id && $(CC) -E -P $(NSLAB_CPPFLAGS) -D'N_(s)=N_(s)' -D'_(s)=_(s)' -D'NSLAB_UTIL_TEXT(s)=NSLAB_UTIL_TEXT(s)' \
			-DNSLAB_TEXTDOMAIN='"nslab-lab-'$$id'"' labs/$$id.c >$(B)/pot/$$id.c || exit 1; \
		(cd $(B)/pot && $(XGETTEXT) --no-location -o $(abspath $(1))/labs/po/$$id/$$id.pot $$id.c) || exit 1; done
	@# the man page's template (scripts/po/man/nslab.1.pot) from scripts/nslab.1
	@if [ -n "$(PO4A)" ]; then rm -rf $(B)/pot-man && mkdir -p $(B)/pot-man/scripts/po/man $(1)/scripts/po/man && \
		po4a --srcdir . --destdir $(B)/pot-man --no-translations --force --porefs file --copyright-holder nslab \
			--package-name nslab --package-version $(VERSION) --msgid-bugs-address nslab scripts/po/man/po4a.cfg >/dev/null && \
		cp $(B)/pot-man/scripts/po/man/nslab.1.pot $(1)/scripts/po/man/nslab.1.pot && \
		sed -i '/^"POT-Creation-Date: /d' $(1)/scripts/po/man/nslab.1.pot; \
	else echo "po4a is not installed: scripts/po/man/nslab.1.pot is not made (sudo make deps)"; fi
	@# no creation date: a template changes only when a text does (no churn in git)
	@sed -i '/^"POT-Creation-Date: /d' $(1)/src/po/nslab.pot $(1)/labs/po/*/*.pot
endef
pot:
	$(call make-pots,.)

# Every catalogue complete (no untranslated or fuzzy entry), and every text
# of the sources in it: each is compared (msgcmp) with a template made afresh
# in $(B)/pot-check, so a text added or changed without its translation fails.
po-check:
	@[ -n "$(PO4A)" ] || { echo "po-check: po4a is missing: it checks the man page's catalogues ($(or $(MAN_POS),scripts/po/man/)) (sudo make deps)"; exit 1; }
	@fail=0; for po in $(CORE_POS) $(LAB_POS) $(MAN_POS); do \
		stat=$$(LC_ALL=C msgfmt --check --statistics -o /dev/null $$po 2>&1) || { echo "$$po: $$stat"; fail=1; continue; }; \
		echo "$$po: $$stat"; \
		case "$$stat" in *untranslated*|*fuzzy*) echo "po-check: $$po is not complete"; fail=1;; esac; \
	done; [ $$fail = 0 ]
	@fail=0; for c in labs/*.c; do id=$$(basename $$c .c); \
		[ -f labs/po/$$id/ko.po ] || { echo "po-check: lab $$id has no Korean catalogue (labs/po/$$id/ko.po)"; fail=1; }; \
	done; [ $$fail = 0 ]
	@rm -rf $(B)/pot-check
	$(call make-pots,$(B)/pot-check)
	@fail=0; for po in $(CORE_POS) $(LAB_POS) $(MAN_POS); do \
		dir=$$(dirname $$po); case $$dir in src/po) pot=nslab.pot;; scripts/po/man) pot=nslab.1.pot;; *) pot=$$(basename $$dir).pot;; esac; \
		LC_ALL=C msgcmp --use-untranslated $$po $(B)/pot-check/$$dir/$$pot 2>&1 | head -5 | sed "s|^|po-check: |"; \
		LC_ALL=C msgcmp $$po $(B)/pot-check/$$dir/$$pot >/dev/null 2>&1 || { echo "po-check: $$po lacks texts of the sources (make pot; msgmerge -U $$po $$dir/$$pot)"; fail=1; }; \
	done; [ $$fail = 0 ] && echo "po-check: $(words $(CORE_POS) $(LAB_POS) $(MAN_POS)) catalogues complete and current"
	@# the screen wraps the lab texts (src/reflow.c): none is pre-wrapped, in a source or a catalogue
	@python3 scripts/dev/unwrap-prose.py --check && echo "po-check: no lab text has a soft line break"

# Helper programs labs run inside their roots (static, so no libraries are needed there).
# A sanitizer runtime cannot be linked statically: -fsanitize=... is left out here.
NOSAN = $(filter-out -fsanitize=%,$(1))
$(B)/labs/%: labs/helpers/%.c | $(B)/labs
	$(CC) $(CPPFLAGS) $(NSLAB_CFLAGS) $(call NOSAN,$(CFLAGS)) -static $(call NOSAN,$(LDFLAGS)) -o $@ $<

# One cmocka driver per module: tests/unit/test_<x>.c, linked with the core.
# Optional tests/unit/test_<x>.wrap holds -Wl,--wrap=... flags for that driver.
$(B)/tests/%: tests/unit/%.c $(CORE_OBJS) | $(B)/tests
	$(CC) $(NSLAB_CPPFLAGS) $(CPPFLAGS) $(NSLAB_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CORE_OBJS) $(shell cat tests/unit/$*.wrap 2>/dev/null) \
		$(PKG_LIBS) $(shell pkg-config --libs cmocka) -ldl

$(B)/obj $(B)/labs $(B)/tests:
	mkdir -p $@

# The core and the unit tests again, under AddressSanitizer and UBSan, in
# build/asan/ (separate objects, so a normal build is never instrumented).
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
ASAN_OBJS  := $(patsubst $(B)/obj/%,$(B)/asan/obj/%,$(CORE_OBJS))
# Drivers sit two levels down, as in build/tests/, since they find <repo>/src from their path.
ASAN_TESTS := $(patsubst $(B)/tests/%,$(B)/asan/%,$(UNIT_TESTS))

$(B)/asan/obj/%.o: src/%.c | $(B)/asan/obj
	$(CC) $(NSLAB_CPPFLAGS) $(CPPFLAGS) $(NSLAB_CFLAGS) $(CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

$(B)/asan/test_%: tests/unit/test_%.c $(ASAN_OBJS) | $(B)/asan/obj
	$(CC) $(NSLAB_CPPFLAGS) $(CPPFLAGS) $(NSLAB_CFLAGS) $(CFLAGS) $(ASAN_FLAGS) $(LDFLAGS) -o $@ $< $(ASAN_OBJS) $(shell cat tests/unit/test_$*.wrap 2>/dev/null) \
		$(PKG_LIBS) $(shell pkg-config --libs cmocka) -ldl

$(B)/asan/obj:
	mkdir -p $@

# libFuzzer targets (tests/fuzz/fuzz_*.c) linked with the core built by clang
# under ASan+UBSan in build/fuzz/. `make fuzz` runs each for FUZZ_SECONDS.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_OBJS    := $(patsubst $(B)/obj/%,$(B)/fuzz/obj/%,$(CORE_OBJS))
FUZZERS      := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

$(B)/fuzz/obj/%.o: src/%.c | $(B)/fuzz/obj
	$(FUZZ_CC) $(NSLAB_CPPFLAGS) $(CPPFLAGS) $(NSLAB_CFLAGS) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJS) | $(B)/fuzz/obj
	$(FUZZ_CC) $(NSLAB_CPPFLAGS) $(CPPFLAGS) $(NSLAB_CFLAGS) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(FUZZ_OBJS) $(PKG_LIBS) -ldl

$(B)/fuzz/obj:
	mkdir -p $@

deps:
	scripts/install-deps.sh

run: deps
	$(MAKE) all
	$(B)/nslab

check: deps
	$(MAKE) format-check
	$(MAKE) po-check
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) unit-user
	$(MAKE) asan
	$(MAKE) valgrind
	$(MAKE) install-test
	$(MAKE) itest
	$(MAKE) e2e
	$(MAKE) vmtest

unit: $(UNIT_TESTS)
	tests/run-suite.sh unit $(UNIT_TESTS)

# The same drivers as an unprivileged user (nobody): what needs no root must
# pass there, what needs root skips. `make check` runs it right after `unit`,
# so that the README's one test command and CI (.ci/run) both cover it. What
# the drivers read (themselves; src/ and labs/, which tests compile plugins
# from) is made readable for that user, as a umask of 077 would hide it;
# directories above the clone are left alone (the script names them).
unit-user: $(UNIT_TESTS)
	chmod a+X .
	chmod a+rX $(B)
	chmod -R a+rX $(B)/tests src labs
	tests/unit/run-as-user.sh $(UNIT_TESTS)

# UBSan findings fail the test too (halt_on_error), not just print.
asan: $(ASAN_OBJS) $(ASAN_TESTS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		tests/run-suite.sh asan $(ASAN_TESTS)

# One script-mode session under memcheck (errors in nslab or its agents fail).
valgrind: all
	tests/valgrind.sh

# The REPL fuzzers load the built labs (never starting one) for `labs` and `help`.
fuzz: $(FUZZ_OBJS) $(FUZZERS) $(LABS)
	NSLAB_LAB_PATH=$(B)/labs tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

# Many start/kill/cleanup cycles on random labs (CYCLES=200 make stress-cleanup).
CYCLES ?= 50
stress-cleanup: all
	CYCLES=$(CYCLES) tests/run-suite.sh stress tests/labs/test-cleanup-cycles.sh

# What `make install` lays out, and the workshop provisioning (throwaway
# clones and prefixes under /tmp; nothing is installed on this machine).
install-test:
	tests/run-suite.sh install tests/install/test-*.sh

itest: all
	tests/run-suite.sh labs tests/labs/test-*.sh

e2e: all
	tests/run-suite.sh e2e $(wildcard tests/e2e/test-*.sh)

# Both VMs in turn (the busybox cgroup v2 one, then Debian 12 booted by systemd),
# with how long each took. The systemd image is built with mmdebstrap, as root.
vmtest: all
	tests/vm/all.sh

bench: all
	tests/bench/run.sh

install: all
	install -Dm755 $(B)/nslab $(DESTDIR)$(BINDIR)/nslab
	install -d $(DESTDIR)$(LABDIR)
	install -m644 $(LABS) $(DESTDIR)$(LABDIR)/
	$(if $(HELPERS),install -m755 $(HELPERS) $(DESTDIR)$(LABDIR)/)
	@if [ -f scripts/nslab.1 ]; then install -Dm644 scripts/nslab.1 $(DESTDIR)$(MANDIR)/man1/nslab.1; fi
	@for p in $(MAN_PAGES); do [ -f $$p ] || continue; l=$$(basename $$(dirname $$p)); \
		echo "install -Dm644 $$p $(DESTDIR)$(MANDIR)/$$l/man1/nslab.1"; install -Dm644 $$p $(DESTDIR)$(MANDIR)/$$l/man1/nslab.1 || exit 1; done
	@if [ -f scripts/nslab.bash-completion ]; then install -Dm644 scripts/nslab.bash-completion $(DESTDIR)$(BASHCOMPDIR)/nslab; fi
	@for mo in $(MOS); do rel=$${mo#$(B)/locale/}; \
		echo "install -Dm644 $$mo $(DESTDIR)$(LOCALEDIR)/$$rel"; install -Dm644 $$mo $(DESTDIR)$(LOCALEDIR)/$$rel || exit 1; done
	install -d $(DESTDIR)$(INCLUDEDIR)/nslab
	install -m644 $(LAB_HEADERS) $(DESTDIR)$(INCLUDEDIR)/nslab/
	install -d $(DESTDIR)$(PKGCONFIGDIR)
	printf '%s\n' 'prefix=$(PREFIX)' 'includedir=$(INCLUDEDIR)' 'labdir=$(LABDIR)' '' \
		'Name: nslab-lab' 'Description: Headers for writing nslab lab plugins' 'Version: $(VERSION)' \
		'Cflags: -I$${includedir}/nslab' >$(DESTDIR)$(PKGCONFIGDIR)/nslab-lab.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/nslab-lab.pc

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/nslab $(DESTDIR)$(MANDIR)/man1/nslab.1 $(DESTDIR)$(BASHCOMPDIR)/nslab
	rm -rf $(DESTDIR)$(LABDIR)
	rm -f $(patsubst $(B)/locale/%,$(DESTDIR)$(LOCALEDIR)/%,$(MOS))
	rm -f $(MAN_LANGS:%=$(DESTDIR)$(MANDIR)/%/man1/nslab.1)
	rm -f $(patsubst src/%,$(DESTDIR)$(INCLUDEDIR)/nslab/%,$(LAB_HEADERS))
	rm -f $(DESTDIR)$(PKGCONFIGDIR)/nslab-lab.pc
	rmdir $(DESTDIR)$(INCLUDEDIR)/nslab 2>/dev/null || true

# One style (.clang-format), applied with `make format`, checked by `make check`.
FORMAT_FILES = $(shell git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || ls src/*.[ch] labs/*.c labs/helpers/*.c tests/*/*.[ch])
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: $(words $(FORMAT_FILES)) files follow .clang-format"

# Header dependencies, as the compiler found them (-MMD -MP).
-include $(wildcard $(B)/obj/*.d $(B)/asan/obj/*.d $(B)/fuzz/obj/*.d $(B)/labs/*.d $(B)/tests/*.d $(B)/asan/*.d)

clean:
	rm -rf $(B)
