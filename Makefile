# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# bpfdns - `make help` lists the targets. Everything is built into $(OUT).

OUT      ?= build
CC       ?= cc
CLANG    ?= clang
BPFTOOL  ?= bpftool
ARCH     := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

# the one version string, of bpfdnsd, bpfdnsctl and version.bind
VERSION  := 0.2
CFLAGS   ?= -O2 -g
# a distribution's flags (CPPFLAGS=-D_FORTIFY_SOURCE=2, LDFLAGS=-Wl,-z,now)
# are kept; WERROR= builds with a compiler newer than ours without failing
# on its new warnings (make check and CI keep -Werror)
CPPFLAGS ?=
LDFLAGS  ?=
WERROR   ?= -Werror
# what the build needs, kept even when CFLAGS is given on the command line
override CFLAGS += -std=gnu11 -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	    -D_GNU_SOURCE -Iinclude -Iuser -I$(OUT) -MMD -MP -DBPFDNS_VERSION='"$(VERSION)"' $(CPPFLAGS)
LDLIBS   += -lbpf -lelf -lz
# make SANITIZE=address,undefined OUT=build/asan: a sanitizer build (make soak)
ifneq ($(SANITIZE),)
override CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

BPF_CFLAGS := -O2 -g -Wall $(WERROR) -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Iinclude \
	      $(if $(MULTIARCH),-I/usr/include/$(MULTIARCH)) -MMD -MP

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SUFFIXES:
.PHONY: all clean check test run deps test-deps bench-deps help fuzz bench bench-quick install uninstall soak

BPF_OBJS   := $(OUT)/fastpath.bpf.o
SKELS      := $(OUT)/fastpath.skel.h
LIB_SRCS   := $(wildcard user/*.c)
LIB_SRCS   := $(filter-out user/main.c,$(LIB_SRCS))
LIB_OBJS   := $(patsubst user/%.c,$(OUT)/user/%.o,$(LIB_SRCS))
# an archive, so that each program links only the modules it uses
# (bpfdnsctl: the map helpers, not the daemon)
LIB        := $(OUT)/libbpfdns.a
TEST_LIB   := $(patsubst tests/lib/%.c,$(OUT)/tests/lib/%.o,$(wildcard tests/lib/*.c))
.SECONDARY: $(TEST_LIB)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(OUT)/tests/unit/%,$(wildcard tests/unit/*.c))
BPF_TESTS  := $(patsubst tests/bpf/%.c,$(OUT)/tests/bpf/%,$(wildcard tests/bpf/*.c))
E2E_BINS   := $(patsubst tests/e2e/%.c,$(OUT)/tests/e2e/%,$(wildcard tests/e2e/*.c))
# helpers the tests start (the test upstream), not tests themselves
HELPERS    := $(patsubst tests/upstream/%.c,$(OUT)/tests/upstream/%,$(wildcard tests/upstream/*.c))
BENCH      := $(OUT)/bench/floor $(OUT)/bench/dnslat $(OUT)/bench/hitcost
PROGS      := $(OUT)/bpfdnsd $(OUT)/bpfdnsctl

all: $(BPF_OBJS) $(SKELS) $(LIB_OBJS) $(PROGS) $(UNIT_BINS) $(BPF_TESTS) $(E2E_BINS) $(HELPERS) $(BENCH)

help:
	@echo 'make            build everything into $(OUT)/ (V=1 shows commands)'
	@echo 'make run        install missing packages, build, run bpfdnsd in the foreground on lo'
	@echo 'make check      install what the tests use, build, run every test'
	@echo 'make bench      install the peers, build, run the full benchmark (tools/bench/bench)'
	@echo 'make bench-quick  the same, briefly (under a minute)'
	@echo 'make fuzz       run each libFuzzer harness FUZZ_SECONDS (60) seconds'
	@echo 'make soak       SOAK_SECONDS (60) at saturation against an ASan/UBSan build (tools/soak)'
	@echo 'make install    install bpfdnsd, bpfdnsctl, man pages, systemd unit, sample config (PREFIX, DESTDIR)'
	@echo 'make uninstall  remove what make install put, but the config'
	@echo 'make deps       install the build dependencies (Debian packages)'
	@echo 'make clean      remove $(OUT)/'

$(OUT)/%.bpf.o: bpf/%.bpf.c | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/bench/%.bpf.o: tools/bench/%.bpf.c | $(OUT)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# the fast path's object is "bpfdns": bpftool map show lists bpfdns.rodata
# beside bpfdns_cache and the other maps
$(OUT)/%.skel.h: $(OUT)/%.bpf.o Makefile
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(if $(filter fastpath,$(*F)),bpfdns,$(*F)_bpf) > $@

$(OUT)/user/%.o: user/%.c $(SKELS) | $(OUT)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/tests/lib/%.o: tests/lib/%.c $(SKELS) | $(OUT)/tests/lib
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/lib -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(OUT)/tests/%: tests/%.c $(LIB) $(TEST_LIB) $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Wno-missing-field-initializers -Itests/lib $< $(TEST_LIB) $(LIB) $(LDFLAGS) $(LDLIBS) -o $@

$(OUT)/bpfdnsd: user/main.c $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDFLAGS) $(LDLIBS) -o $@

$(OUT)/bench/floor: tools/bench/floor.c $(OUT)/bench/floor.skel.h
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -I$(OUT)/bench $< $(LDFLAGS) $(LDLIBS) -o $@

$(OUT)/bench/hitcost: tools/bench/hitcost.c $(OUT)/bench/floor.skel.h $(TEST_LIB) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -I$(OUT)/bench -Itests/lib $< $(TEST_LIB) $(LIB) $(LDFLAGS) $(LDLIBS) -o $@

$(OUT)/bench/dnslat: tools/bench/dnslat.c $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDFLAGS) $(LDLIBS) -o $@

$(OUT)/bpfdnsctl: tools/bpfdnsctl.c $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDFLAGS) $(LDLIBS) -o $@

$(OUT) $(OUT)/user $(OUT)/tests/lib $(OUT)/bench:
	$(Q)mkdir -p $@

deps:
	$(Q)tools/install-deps build

test-deps:
	$(Q)tools/install-deps test

# libFuzzer harnesses (clang, ASan, UBSan) over every parser in user/;
# FUZZ_SECONDS each, seeds from tests/fuzz/seeds/ and the shared corpus
FUZZ_SECONDS ?= 60
FUZZERS  := $(patsubst tests/fuzz/%.c,$(OUT)/fuzz/%,$(wildcard tests/fuzz/*.c))
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	       -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser -I$(OUT)

$(OUT)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(SKELS)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $< $(LIB_SRCS) $(LDFLAGS) $(LDLIBS) -o $@

fuzz: $(FUZZERS)
	$(Q)tests/fuzz/run $(OUT) $(FUZZ_SECONDS)

# SOAK_SECONDS at saturation against an ASan/UBSan build of everything
SOAK_SECONDS ?= 60
soak: test-deps
	$(Q)$(MAKE) --no-print-directory OUT=$(OUT)/asan SANITIZE=address,undefined all
	$(Q)OUT=$(OUT)/asan tools/soak --seconds=$(SOAK_SECONDS)

bench-deps:
	$(Q)tools/install-deps bench

bench: bench-deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)OUT=$(OUT) tools/bench/bench

bench-quick: bench-deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)OUT=$(OUT) tools/bench/bench --quick

check: test-deps
	$(Q)$(MAKE) --no-print-directory all $(FUZZERS)
	$(Q)tests/run $(OUT)

test: all
	$(Q)tests/run $(OUT)

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(OUT)/bpfdnsd --interface=lo --keep-in-foreground --log-queries

# make install [PREFIX=/usr/local] [DESTDIR=]: the programs, man pages, the
# systemd unit, a sample config (an existing config is kept), and the hooks
# that hand it the upstreams resolvconf and NetworkManager learn
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR    ?= $(PREFIX)/lib/systemd/system

install: $(PROGS)
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(SYSCONFDIR)/bpfdns $(DESTDIR)$(SYSCONFDIR)/resolvconf/update.d \
		$(DESTDIR)$(SYSCONFDIR)/NetworkManager/dispatcher.d
	$(Q)install -m 755 $(PROGS) $(DESTDIR)$(SBINDIR)/
	$(Q)install -m 644 man/bpfdnsd.8 man/bpfdnsctl.8 $(DESTDIR)$(MANDIR)/man8/
	$(Q)sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' dist/bpfdnsd.service.in \
		>$(DESTDIR)$(UNITDIR)/bpfdnsd.service
	$(Q)install -m 755 dist/resolvconf/bpfdns $(DESTDIR)$(SYSCONFDIR)/resolvconf/update.d/bpfdns
	$(Q)install -m 755 dist/networkmanager/90-bpfdns $(DESTDIR)$(SYSCONFDIR)/NetworkManager/dispatcher.d/90-bpfdns
	$(Q)test -e $(DESTDIR)$(SYSCONFDIR)/bpfdns/bpfdns.conf || \
		install -m 644 dist/bpfdns.conf $(DESTDIR)$(SYSCONFDIR)/bpfdns/bpfdns.conf

# what install put there, but the config (kept, as packages keep theirs)
uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/bpfdnsd $(DESTDIR)$(SBINDIR)/bpfdnsctl \
		$(DESTDIR)$(MANDIR)/man8/bpfdnsd.8 $(DESTDIR)$(MANDIR)/man8/bpfdnsctl.8 \
		$(DESTDIR)$(UNITDIR)/bpfdnsd.service $(DESTDIR)$(SYSCONFDIR)/resolvconf/update.d/bpfdns \
		$(DESTDIR)$(SYSCONFDIR)/NetworkManager/dispatcher.d/90-bpfdns

clean:
	$(call msg,CLEAN,$(OUT))
	$(Q)rm -rf $(OUT)

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)
