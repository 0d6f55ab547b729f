# SPDX-License-Identifier: GPL-2.0-only
# zircon-hv top-level Makefile.
#
#   make            module for the running kernel (or Debian's 6.1 headers), libzx, tools
#   make check      everything, then every test (README: "Testing")
#   make demo       the main job (README)
#   make dkms-install / dkms-uninstall
#   make install    libzx, the programs and the manual pages under PREFIX (DESTDIR)
#   make deb        the Debian packages, into build/deb/ (docs/packaging.md)
#
# Kernel builds are cached under $(ZXHV_CACHE) by a hash of their config.

ZXHV_CACHE ?= /var/cache/zircon-hv
export ZXHV_CACHE

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
B := $(TOP)/build
VERSION := 0.1
PREFIX ?= /usr/local

CC ?= gcc
HOST_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE

# The running kernel's build dir if it has one, else Debian's stock 6.1 headers.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(shell $(TOP)/scripts/kernel/stock.sh --headers 2>/dev/null))

.PHONY: all module libzx tools selftests examples vmm guest install check demo clean \
	deps kernel-debug kernel-stock module-debug module-stock module-612 \
	dkms-install dkms-uninstall bench bench-tools blkio-bench install deb soak

all: module libzx tools selftests examples vmm

deps:
	@$(TOP)/scripts/install-deps.sh

module:
	@test -n "$(KDIR)" || { echo "no kernel headers: install linux-headers-$$(uname -r)"; exit 1; }
	$(TOP)/scripts/build-module.sh $(KDIR) $(B)/module

# --- kernels of the test matrix --------------------------------------------
kernel-debug:
	@$(TOP)/scripts/kernel/build-debug.sh >/dev/null
kernel-stock:
	@$(TOP)/scripts/kernel/stock.sh >/dev/null

print-kdir-debug:
	@$(TOP)/scripts/kernel/build-debug.sh
print-kdir-stock:
	@$(TOP)/scripts/kernel/stock.sh
print-bzimage-debug:
	@echo $$($(TOP)/scripts/kernel/build-debug.sh)/arch/x86/boot/bzImage
print-bzimage-stock:
	@d=$$($(TOP)/scripts/kernel/stock.sh); ls $$d/boot/vmlinuz-*

module-debug: kernel-debug
	@$(TOP)/scripts/build-module.sh $$($(TOP)/scripts/kernel/build-debug.sh) $(B)/debug ZXHV_KUNIT=y ZXHV_KCOV=y
module-stock: kernel-stock
	@$(TOP)/scripts/build-module.sh $$($(TOP)/scripts/kernel/stock.sh --headers) $(B)/stock
module-612:
	@$(TOP)/scripts/build-module.sh $$(ls -d /usr/src/linux-headers-6.12.*-amd64 | sort -V | tail -n 1) $(B)/6.12

# --- userspace ---------------------------------------------------------------
libzx:
	@$(MAKE) -s -C $(TOP)/libzx O=$(B)/libzx

tools: $(B)/tools/zxhv-poweroff $(B)/tools/zxhv-ptyrun $(B)/tools/zxhv

# zxhv (man/zxhv.8) on libmnl; the caller's CPPFLAGS, CFLAGS and LDFLAGS as for install.
ZXHV_SRCS := $(addprefix $(TOP)/tools/zxhv/,zxhv.c zxhv_data.c zxhv_top.c)
$(B)/tools/zxhv: $(ZXHV_SRCS) $(wildcard $(TOP)/tools/zxhv/*.h) $(TOP)/uapi/zircon-hv-genl.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -I$(TOP)/uapi \
		$$(pkg-config --cflags libmnl) -o $@ $(ZXHV_SRCS) $$(pkg-config --libs libmnl)

$(B)/tools/zxhv-poweroff: $(TOP)/tools/zxhv-poweroff.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -static -o $@ $<

# zxhv-vmm's console tests run it in the emulated machine (scripts/guest/vmm-tests.sh).
$(B)/tools/zxhv-ptyrun: $(TOP)/tools/zxhv-ptyrun.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -static -o $@ $<

selftests: libzx
	@$(MAKE) -s -C $(TOP)/selftests O=$(B)/selftests LIBZX=$(B)/libzx

examples: libzx
	@$(MAKE) -s -C $(TOP)/examples O=$(B)/examples LIBZX=$(B)/libzx

vmm: libzx
	@$(MAKE) -s -C $(TOP)/vmm O=$(B)/vmm LIBZX=$(B)/libzx

# The Linux guest zxhv-vmm's tests and the demo boot (build/guest; scripts/guest/build-guest.sh).
guest: kernel-stock
	@$(TOP)/scripts/guest/build-guest.sh $(B)/guest

# --- the two README commands ---------------------------------------------------
check: deps
	@$(TOP)/scripts/check.sh

demo: deps
	@$(TOP)/scripts/demo.sh

# The long runs outside make check's budget (scripts/soak.sh): zxhv-vmm's Linux
# boots on the debug kernel (KASAN, lockdep, kmemleak) in Bochs.
soak: deps
	@$(TOP)/scripts/soak.sh

# --- benchmarks: zircon-hv against KVM in one emulated VMX machine (docs/benchmarks.md) ---
bench-tools: $(B)/bench/zxhv-bench $(B)/bench/kvm-bench $(B)/bench/boottime $(B)/bench/virtio-io

$(B)/bench/zxhv-bench: $(TOP)/tools/zxhv-bench.c $(TOP)/tools/bench/bench.h $(TOP)/tools/bench/bench_guest.h libzx
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -I$(TOP)/libzx/include -I$(TOP)/uapi $$(pkg-config --cflags libmnl) \
		-o $@ $< $(B)/libzx/libzx.a -pthread $$(pkg-config --libs libmnl)

$(B)/bench/kvm-bench: $(TOP)/tools/kvm-bench.c $(TOP)/tools/bench/bench.h $(TOP)/tools/bench/bench_guest.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $< -pthread

$(B)/bench/boottime: $(TOP)/tools/bench/boottime.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $<

# Static: it runs in the guest's initramfs and in the emulated machine.
$(B)/bench/virtio-io: $(TOP)/tools/bench/virtio-io.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -static -o $@ $<

# preadv/pwritev against io_uring on this host (docs/benchmarks.md): make blkio-bench.
$(B)/bench/blkio-bench: $(TOP)/tools/bench/blkio-bench.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $< -luring

blkio-bench: $(B)/bench/blkio-bench
	$(B)/bench/blkio-bench $(B)/bench/blkio.img 1024 2
	$(B)/bench/blkio-bench /dev/shm/zxhv-blkio.img 1024 2; rc=$$?; rm -f /dev/shm/zxhv-blkio.img; exit $$rc

bench:
	@$(TOP)/scripts/bench.sh

# --- install and the Debian packages (docs/packaging.md) -------------------------
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
MANDIR ?= $(PREFIX)/share/man
# The programs installed link libzx.so.0 and take the caller's CPPFLAGS,
# CFLAGS and LDFLAGS (the distribution's hardening flags under dpkg).
INST_CC = $(CC) $(HOST_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) \
	-I$(TOP)/libzx/include -I$(TOP)/uapi -L$(B)/libzx
$(B)/install/zxhv-info: $(TOP)/examples/zxhv-info.c libzx
	@mkdir -p $(dir $@)
	$(INST_CC) -o $@ $< -lzx

install: libzx vmm $(B)/install/zxhv-info $(B)/tools/zxhv
	@$(MAKE) -s -C $(TOP)/libzx O=$(B)/libzx install PREFIX=$(PREFIX) LIBDIR=$(LIBDIR) \
		DESTDIR=$(DESTDIR)
	install -D -m 0755 $(B)/install/zxhv-info $(DESTDIR)$(BINDIR)/zxhv-info
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man4 \
		$(DESTDIR)$(MANDIR)/man7
	install -m 0644 $(TOP)/man/*.3 $(DESTDIR)$(MANDIR)/man3/
	install -m 0644 $(TOP)/man/zircon-hv.4 $(DESTDIR)$(MANDIR)/man4/
	install -m 0644 $(TOP)/man/zircon-hv.7 $(DESTDIR)$(MANDIR)/man7/
	install -m 0644 $(TOP)/man/zxhv-info.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0755 $(B)/vmm/zxhv-vmm $(DESTDIR)$(BINDIR)/zxhv-vmm
	install -m 0644 $(TOP)/man/zxhv-vmm.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0755 $(B)/tools/zxhv $(DESTDIR)$(BINDIR)/zxhv
	install -D -m 0644 $(TOP)/man/zxhv.8 $(DESTDIR)$(MANDIR)/man8/zxhv.8

# dpkg-buildpackage writes ../*.deb: it runs on a copy of the tree (without
# .git and what .gitignore names) under build/deb-src/; the packages land in build/deb/.
DEB_SRC := $(B)/deb-src/zircon-hv-$(VERSION)
deb:
	rm -rf $(B)/deb-src $(B)/deb
	mkdir -p $(DEB_SRC) $(B)/deb
	rsync -a --exclude /.git --filter=':- .gitignore' $(TOP)/ $(DEB_SRC)/
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b
	cp $(B)/deb-src/*.deb $(B)/deb/
	@ls -1 $(B)/deb

# --- DKMS ------------------------------------------------------------------------
DKMS_SRC := /usr/src/zircon-hv-$(VERSION)
DKMS_KVER ?= $(shell uname -r)

dkms-install:
	$(TOP)/scripts/dkms.sh install $(DKMS_KVER)

dkms-uninstall:
	$(TOP)/scripts/dkms.sh uninstall $(DKMS_KVER)

clean:
	rm -rf $(B)
