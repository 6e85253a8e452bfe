# SPDX-License-Identifier: Apache-2.0
# in-toto in C: build, test, install.  GNU make.

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
MANDIR      ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

BUILD       ?= build
CC          ?= cc
PKG_CONFIG  ?= pkg-config
VERSION     := 0.1.0

DEPS        := libcrypto json-c libarchive libgit2
MISSING     := $(strip $(foreach d,$(DEPS) cmocka,$(if $(shell $(PKG_CONFIG) --exists $(d) && echo y),,$(d))))

ifneq ($(MISSING),)
ifeq ($(filter clean lint format deps,$(MAKECMDGOALS)),)
ifeq ($(shell id -u),0)
$(info missing dependencies: $(MISSING); running scripts/install-deps.sh)
$(if $(shell sh scripts/install-deps.sh >&2 && echo ok),,$(error scripts/install-deps.sh failed))
else
$(error missing dependencies: $(MISSING); run: sudo sh scripts/install-deps.sh)
endif
endif
endif

DEP_CFLAGS  := $(shell $(PKG_CONFIG) --cflags $(DEPS) 2>/dev/null)
DEP_LIBS    := $(shell $(PKG_CONFIG) --libs $(DEPS) 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

WARN := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes \
        -Wold-style-definition -Wwrite-strings -Wvla -Wformat=2 \
        -Wno-format-nonliteral
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) -MMD -MP \
              -Ilib/include -Ilib -DINTOTO_VERSION='"$(VERSION)"' \
              $(DEP_CFLAGS)
ifeq ($(DEVELOPER),1)
ALL_CFLAGS += -Werror
endif
ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all \
              -fno-omit-frame-pointer -O1
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif
ALL_CFLAGS  += $(CFLAGS)
# --as-needed: a library no object uses is not loaded at start-up.
ALL_LDFLAGS += -pthread -Wl,--as-needed $(LDFLAGS)

ifneq ($(V),1)
Q = @
QCC = @echo "  CC      $@";
QLD = @echo "  LD      $@";
QAR = @echo "  AR      $@";
else
Q =
endif

LIB_SRC  := $(sort $(wildcard lib/*.c))
CMD_SRC  := $(sort $(wildcard cmd/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ  := $(CMD_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIBA     := $(BUILD)/libintoto.a
BIN      := $(BUILD)/bin/in-toto
ALIASES  := in-toto-run in-toto-record in-toto-verify in-toto-sign \
            in-toto-keygen in-toto-mock in-toto-match-products
ALIAS_BIN := $(ALIASES:%=$(BUILD)/bin/%)

.PHONY: all check unit unit-san cli interop lint format install uninstall \
        clean demo bench deps FORCE
all: $(BIN) $(ALIAS_BIN) $(BUILD)/intoto.pc

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(QCC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(QAR)ar rcs $@ $^

$(BIN): $(CMD_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(QLD)$(CC) $(ALL_LDFLAGS) -o $@ $(CMD_OBJ) $(LIBA) $(DEP_LIBS)

$(ALIAS_BIN): $(BIN)
	$(Q)ln -sf in-toto $@

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBA)
	@mkdir -p $(dir $@)
	$(QLD)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(DEP_LIBS) $(CMOCKA_LIBS)

# Written on every run (replaced only when it changes), so that
# `make install PREFIX=...` after `make` names the right prefix.
$(BUILD)/intoto.pc: FORCE
	@mkdir -p $(dir $@)
	$(Q)printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' \
	  'includedir=$(INCLUDEDIR)' '' 'Name: intoto' \
	  'Description: in-toto supply chain signing and verification' \
	  'Version: $(VERSION)' 'Requires.private: $(DEPS)' \
	  'Libs: -L$${libdir} -lintoto' 'Cflags: -I$${includedir}' > $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

FORCE:

# Unit tests run plain here; `check` runs them again under the sanitizers.
unit: $(TEST_BIN)
	$(Q)sh tests/run-unit.sh $(TEST_BIN)

unit-san:
	$(Q)$(MAKE) --no-print-directory BUILD=build-san \
	  SANITIZE=address,undefined unit

cli: all
	$(Q)sh tests/run-cli.sh $(BUILD)/bin

interop: all
	$(Q)sh tests/interop/run.sh $(BUILD)/bin

check: all unit unit-san cli interop

demo: all
	$(Q)sh scripts/demo.sh $(BUILD)/bin/in-toto

bench: all
	$(Q)sh bench/run.sh $(BUILD)/bin/in-toto

deps:
	sh scripts/install-deps.sh

lint:
	$(Q)sh scripts/checkstyle.sh

format:
	clang-format -i lib/*.c lib/*.h lib/include/intoto/*.h cmd/*.c cmd/*.h

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
	  $(DESTDIR)$(INCLUDEDIR)/intoto $(DESTDIR)$(PKGCONFIGDIR) \
	  $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/in-toto
	for a in $(ALIASES); do ln -sf in-toto $(DESTDIR)$(BINDIR)/$$a; done
	install -m 644 $(LIBA) $(DESTDIR)$(LIBDIR)/libintoto.a
	install -m 644 lib/include/intoto/*.h $(DESTDIR)$(INCLUDEDIR)/intoto/
	install -m 644 $(BUILD)/intoto.pc $(DESTDIR)$(PKGCONFIGDIR)/intoto.pc
	for m in docs/man/*.1; do [ -f "$$m" ] && \
	  install -m 644 "$$m" $(DESTDIR)$(MANDIR)/man1/ || true; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/in-toto $(ALIASES:%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(DESTDIR)$(LIBDIR)/libintoto.a $(DESTDIR)$(PKGCONFIGDIR)/intoto.pc
	rm -rf $(DESTDIR)$(INCLUDEDIR)/intoto
	rm -f $(patsubst docs/man/%,$(DESTDIR)$(MANDIR)/man1/%,\
	  $(wildcard docs/man/*.1))

# libFuzzer targets (tests/fuzz/fuzz_*.c): `make fuzz` builds them into
# build-fuzz/; `make fuzz-run FUZZ_SECONDS=30` runs each on its seed corpus
# (tests/fuzz/corpus/<target>/), new inputs going to build-fuzz/corpus/.
FUZZ_BUILD   ?= build-fuzz
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
                -g -O1 $(WARN) -MMD -MP -Ilib/include -Ilib \
                -DINTOTO_VERSION='"$(VERSION)"' $(DEP_CFLAGS)
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)

.PHONY: fuzz fuzz-run
fuzz: $(FUZZ_BIN)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(QCC)$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJ)
	$(QLD)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -pthread -o $@ \
	  $^ $(DEP_LIBS)

fuzz-run: fuzz
	$(Q)for t in $(FUZZ_BIN); do n=$${t##*/}; \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$n; \
	  $$t -max_total_time=$(FUZZ_SECONDS) -timeout=5 -rss_limit_mb=2048 \
	    -artifact_prefix=$(FUZZ_BUILD)/ $(FUZZ_BUILD)/corpus/$$n \
	    tests/fuzz/corpus/$$n || exit 1; done

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)

clean:
	rm -rf build build-san build-*

.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
