# gorump — top-level build.  `make` builds build/gorump and build/kernel.elf;
# `make check` runs every test; `make demo` boots examples/httpd.
# Plain GNU make; scripts/deps.sh installs what is missing first.

# `make` alone builds `all`, whatever rule comes first below.
.DEFAULT_GOAL := all

BUILD ?= build
V ?= 0
Q := $(if $(filter 1,$(V)),,@)

CC := gcc
WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wpointer-arith \
	-Wstrict-prototypes -Wmissing-prototypes -Wvla

# --- kernel ---------------------------------------------------------------
KINC := -Iinclude -Ikernel
KCFLAGS := $(WARN) -Wno-unused-parameter -O2 -g -ffreestanding -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) \
	-fno-pie -mno-red-zone -mcmodel=kernel -mgeneral-regs-only \
	-fno-stack-protector -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -fcf-protection=none \
	-MMD -MP $(KINC)
KLDFLAGS := -nostdlib -static -no-pie -z max-page-size=4096 \
	-z noexecstack -Wl,--build-id=none -T kernel/arch/x86_64/kernel.ld \
	-Wl,--wrap=memp_malloc,--wrap=memp_free

# arch/x86_64/vdso/ is user-mode code, built on its own (below).
VDSO_DIR := kernel/arch/x86_64/vdso
KSRC := $(filter-out $(VDSO_DIR)/%,\
	$(shell find kernel -name '*.c' -o -name '*.S' | sort)) \
	$(wildcard common/*.c)
KOBJ := $(patsubst %,$(BUILD)/k/%.o,$(KSRC)) $(BUILD)/k/syscall_names.c.o

# --- lwIP: Debian's source package, fetched by scripts/deps.sh into
# third_party/ (LWIP_DIR=... uses another copy); never patched, built with
# its own looser flags and our port headers (kernel/net/port).
LWIP_DIR ?= third_party/lwip
LWIP_SRC := $(addprefix $(LWIP_DIR)/src/core/,def.c inet_chksum.c init.c ip.c \
	mem.c memp.c netif.c pbuf.c raw.c sys.c tcp.c tcp_in.c tcp_out.c \
	timeouts.c \
	udp.c dns.c) \
	$(addprefix $(LWIP_DIR)/src/core/ipv4/,dhcp.c etharp.c icmp.c ip4.c \
	ip4_addr.c ip4_frag.c) \
	$(addprefix $(LWIP_DIR)/src/core/ipv6/,ethip6.c icmp6.c inet6.c ip6.c \
	ip6_addr.c ip6_frag.c mld6.c nd6.c) \
	$(LWIP_DIR)/src/netif/ethernet.c
LWIP_OBJ := $(patsubst $(LWIP_DIR)/%.c,$(BUILD)/lwip/%.o,$(LWIP_SRC))
LWIP_INC := -Ikernel/net/port -I$(LWIP_DIR)/src/include
LWIP_CFLAGS := -std=gnu11 -O2 -g -w -ffreestanding -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) \
	-fno-pie -mno-red-zone -mcmodel=kernel -mgeneral-regs-only \
	-fno-stack-protector -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -fcf-protection=none -MMD -MP $(LWIP_INC)
KOBJ += $(LWIP_OBJ)
KCFLAGS_NET := $(LWIP_INC)

# --- host tool --------------------------------------------------------------
# The one source of the version: VERSION plus the commit (scripts/version.sh).
VERSION := $(shell scripts/version.sh 2>/dev/null || echo dev)
HCFLAGS := $(WARN) -O2 -g -D_GNU_SOURCE -fstack-protector-strong \
	-D_FORTIFY_SOURCE=2 -Iinclude -MMD -MP \
	-DGORUMP_VERSION='"$(VERSION)"'
TSRC := $(wildcard tool/*.c) $(wildcard common/*.c)
TOBJ := $(patsubst %,$(BUILD)/t/%.o,$(TSRC))

# --- host unit tests (ASan/UBSan) ------------------------------------------
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
UCFLAGS := $(WARN) -O1 -g -D_GNU_SOURCE -Iinclude -Itool $(SAN)
UNIT_LIBSRC := $(filter-out tool/main.c,$(wildcard tool/*.c)) \
	$(wildcard common/*.c)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,\
	$(wildcard tests/unit/test_*.c))
# Kernel code built for the host: the test includes the kernel's .c files
# and tests/unit/kshim/*.c; the kernel's own headers are used, with
# tests/unit/kshim/arch standing in for the CPU's.  No tool code is linked.
KUNIT_TESTS := $(addprefix $(BUILD)/unit/,test_pmem test_kheap test_vma \
	test_pathwalk test_kprintf test_kmsg test_epoll test_pipe test_p9 test_ext2 \
	test_ext2_hostile test_ext2_crash test_kstring test_vscsi test_tso)
KUNIT_CFLAGS := $(WARN) -Wno-unused-parameter -O1 -g -D_GNU_SOURCE \
	-Itests/unit/kshim -Ikernel -Iinclude -Itests/unit $(SAN)

# --- C programs for guest cases (tests/cpu): what Go cannot express (bad
# signal frames, RFLAGS bits, privileged instructions); static, with the
# host's libc, so they run in the guest and natively alike.
CPU_TESTS := $(patsubst tests/cpu/%.c,$(BUILD)/cpu/%,$(wildcard tests/cpu/*.c))

# --- fuzzing (clang's libFuzzer) --------------------------------------------
# FUZZ_SECONDS (environment or command line) bounds each target's run.
FUZZ_SECONDS ?= 20
FUZZ_CFLAGS := $(WARN) -O1 -g -Iinclude \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,\
	$(wildcard tests/fuzz/fuzz_*.c))

# --- the syscall fuzzer guest (tests/sysfuzz): a static Linux program, so
# it runs inside gorump and natively alike.  Its list of syscalls is the
# kernel's own table.
SYSFUZZ := $(BUILD)/sysfuzz/sysfuzz
SYSFUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror \
	-Wno-unused-parameter -I$(BUILD)/sysfuzz
SECONDS ?= 300

# --- the network fuzzer (tests/netfuzz): a host program that speaks raw
# Ethernet to a guest through QEMU's stream netdev.
NETFUZZ := $(BUILD)/netfuzz/netfuzz

.PHONY: all deps deb check-deb check check-unit check-fuzz check-guest check-format check-compat \
	check-bigfile go-newest format demo bench clean fuzz-kernel fuzz-compare fuzz-net \
	cpu-tests
all: deps $(BUILD)/gorump $(BUILD)/kernel.elf $(SYSFUZZ) $(NETFUZZ)

deps:
	$(Q)scripts/deps.sh --check >/dev/null 2>&1 || scripts/deps.sh

# The newest Go releases for the tests, built once into a cache outside
# the tree (about 20 minutes the first time on two cores).
go-newest:
	$(Q)scripts/go-newest.sh --check >/dev/null 2>&1 || scripts/go-newest.sh

# Linked twice: the second link adds the symbol table for backtraces.
$(BUILD)/kernel.stage1.elf: $(KOBJ) kernel/arch/x86_64/kernel.ld
	@echo "  LD      $@"
	$(Q)$(CC) $(KCFLAGS) $(KLDFLAGS) -o $@ $(KOBJ) -lgcc
$(BUILD)/k/ksyms.S: $(BUILD)/kernel.stage1.elf scripts/gen-ksyms.sh
	$(Q)scripts/gen-ksyms.sh $< > $@
# kernel.debug.elf keeps the debug information and the symbol table, for
# gdb; kernel.elf, the one that boots, needs neither (its backtraces use the
# ksyms table linked into it), so it is stripped whole: the ELF symbol table
# alone was 62 KiB of the 512 KiB budget.
$(BUILD)/kernel.elf: $(BUILD)/kernel.stage1.elf $(BUILD)/k/ksyms.S
	@echo "  LD      $@"
	$(Q)$(CC) $(KCFLAGS) -c -o $(BUILD)/k/ksyms.o $(BUILD)/k/ksyms.S
	$(Q)$(CC) $(KCFLAGS) $(KLDFLAGS) -o $(BUILD)/kernel.debug.elf $(KOBJ) \
		$(BUILD)/k/ksyms.o -lgcc
	$(Q)objcopy --strip-all $(BUILD)/kernel.debug.elf $@
	$(Q)scripts/check-kernel-size.sh $@

$(BUILD)/k/%.c.o: %.c | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) $(if $(findstring kernel/net/,$<),$(KCFLAGS_NET)) \
		-c -o $@ $<

$(BUILD)/lwip/%.o: $(LWIP_DIR)/%.c | deps
	@mkdir -p $(dir $@)
	@echo "  CC      lwip/$*.c"
	$(Q)$(CC) $(LWIP_CFLAGS) -c -o $@ $<

# The vDSO: a shared object of its own, which the kernel embeds
# (arch/x86_64/vdso_blob.S) and maps into every program (proc/vdso.c).
VDSO_SO := $(BUILD)/vdso/vdso.so
$(VDSO_SO): $(VDSO_DIR)/vdso.c $(VDSO_DIR)/vdso.h $(VDSO_DIR)/vdso.lds
	@mkdir -p $(dir $@)
	@echo "  VDSO    $@"
	$(Q)$(CC) $(WARN) -O2 -fPIC -ffreestanding -nostdlib -shared \
		-fno-stack-protector -fno-asynchronous-unwind-tables \
		-fcf-protection=none -Wl,-T,$(VDSO_DIR)/vdso.lds \
		-Wl,--hash-style=both -Wl,-soname,linux-vdso.so.1 \
		-Wl,-z,max-page-size=4096 -Wl,--build-id=none -Wl,-s -o $@ $<
	$(Q)! readelf -rW $@ | grep -q 'R_X86_64' || \
		{ echo "$@: relocations in the vDSO"; rm -f $@; exit 1; }
$(BUILD)/k/kernel/arch/x86_64/vdso_blob.S.o: $(VDSO_SO)
$(BUILD)/k/kernel/arch/x86_64/vdso_blob.S.o: KCFLAGS += -DVDSO_SO='"$(VDSO_SO)"'

$(BUILD)/k/%.S.o: %.S | deps
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KCFLAGS) -D__ASSEMBLY__ -c -o $@ $<

# Syscall names for the "unimplemented syscall" message, generated from the
# Linux UAPI header so the numbers can never drift.
$(BUILD)/k/syscall_names.c: scripts/gen-syscall-names.sh
	@mkdir -p $(dir $@)
	$(Q)scripts/gen-syscall-names.sh > $@
$(BUILD)/k/syscall_names.c.o: $(BUILD)/k/syscall_names.c
	$(Q)$(CC) $(KCFLAGS) -c -o $@ $<

$(BUILD)/gorump: $(TOBJ)
	@echo "  LD      $@"
	$(Q)$(CC) -Wl,-z,relro,-z,now -o $@ $(TOBJ)

$(BUILD)/t/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(CC) $(HCFLAGS) -c -o $@ $<

# Rewritten only when the version changes, so tool/main.c is compiled
# again after each commit and `gorump version` names the right one.
$(BUILD)/version.txt: FORCE
	@mkdir -p $(dir $@)
	$(Q)echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' >$@
$(BUILD)/t/tool/main.c.o: $(BUILD)/version.txt
.PHONY: FORCE
FORCE:

$(BUILD)/unit/%: tests/unit/%.c $(UNIT_LIBSRC) \
	$(wildcard include/gorump/*.h tool/*.h common/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	@echo "  UNIT    $<"
	$(Q)$(CC) $(UCFLAGS) -o $@ $< $(UNIT_LIBSRC)

# test_abi also compares every constant of the kernel's Linux ABI headers
# with the host's: abi_names.h lists them, made from those headers, and is
# compiled with ours (abi_ours.c) and with each host header set.
ABI_CONST_HDRS := kernel/lib/linux_abi.h kernel/lib/errno.h
$(BUILD)/unit/abi_names.h: $(ABI_CONST_HDRS)
	@mkdir -p $(dir $@)
	$(Q)sed -n 's/^#define \([A-Z][A-Z0-9_]*\) .*/#ifdef \1\nABI_HAVE(\1)\n#else\nABI_MISSING(\1)\n#endif/p' \
		$(ABI_CONST_HDRS) >$@
$(BUILD)/unit/test_abi: tests/unit/test_abi.c $(wildcard tests/unit/abi_*) \
	kernel/sys/abi.h $(BUILD)/unit/abi_names.h
	@echo "  UNIT    $<"
	$(Q)$(CC) $(UCFLAGS) -I$(BUILD)/unit -o $@ $< \
		$(wildcard tests/unit/abi_*.c)

$(KUNIT_TESTS): $(BUILD)/unit/%: tests/unit/%.c tests/unit/check.h \
	$(wildcard tests/unit/kshim/*.[ch] tests/unit/kshim/*/*/*.h \
	kernel/*/*.[ch] kernel/fs/ext2/*.[ch] tests/unit/ext2_*.h)
	@mkdir -p $(dir $@)
	@echo "  KUNIT   $<"
	$(Q)$(CC) $(KUNIT_CFLAGS) -o $@ $<

$(BUILD)/sysfuzz/sysfuzz_nrs.h: kernel/sys/syscall.c
	@mkdir -p $(dir $@)
	$(Q)sed -n 's/^ *NR(\([0-9]*\),.*/\1,/p' $< > $@

$(SYSFUZZ): $(wildcard tests/sysfuzz/*.c tests/sysfuzz/*.h) \
	$(BUILD)/sysfuzz/sysfuzz_nrs.h
	@echo "  CCSTATIC $@"
	$(Q)$(CC) $(SYSFUZZ_CFLAGS) -static -o $@ $(wildcard tests/sysfuzz/*.c)

# Random syscalls with random seeds for SECONDS (default 300); a seed
# that panics or hangs the kernel is printed, to replay with
# `build/gorump run build/sysfuzz/sysfuzz SEED N -v`.
fuzz-kernel: all
	$(Q)tests/sysfuzz/fuzz-kernel.sh $(SECONDS)

$(NETFUZZ): $(wildcard tests/netfuzz/*.c tests/netfuzz/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(WARN) -O2 -g -D_GNU_SOURCE -o $@ $(wildcard tests/netfuzz/*.c)

# Hostile frames at a guest server with random seeds for SECONDS (default
# 300); a seed that breaks the guest is printed, to replay with
# tests/netfuzz/fuzz-net.sh's command line.  `make check` runs one slice.
fuzz-net: all
	$(Q)tests/netfuzz/fuzz-net.sh $(SECONDS)

# The matrix natively and in gorump, and the table of their differences.
fuzz-compare: all
	$(Q)tests/sysfuzz/compare.sh

$(BUILD)/cpu/%: tests/cpu/%.c
	@mkdir -p $(dir $@)
	@echo "  CPUTEST $<"
	$(Q)$(CC) $(WARN) -O2 -static -pthread -o $@ $<

cpu-tests: $(CPU_TESTS)

check-unit: $(UNIT_TESTS)
	$(Q)set -e; for t in $(UNIT_TESTS); do echo "  RUN     $$t"; $$t; done

# A target may add tool sources of its own (the tool's parsers).
$(BUILD)/fuzz/fuzz_ldcache: FUZZ_EXTRA := tool/ldcache.c
$(BUILD)/fuzz/fuzz_ldcache: tool/ldcache.c tool/ldcache.h

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard common/*.c common/*.h \
	include/gorump/*.h)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	$(Q)clang $(FUZZ_CFLAGS) -Itool -o $@ $< $(wildcard common/*.c) \
		$(FUZZ_EXTRA)

$(BUILD)/fuzz/make_seeds: tests/fuzz/make_seeds.c $(UNIT_LIBSRC) \
	$(wildcard include/gorump/*.h tool/*.h common/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	@echo "  UNIT    $<"
	$(Q)$(CC) $(UCFLAGS) -Itests/unit -o $@ $< $(UNIT_LIBSRC)

# Each target starts from seeds made by the current code, keeps what it
# finds in $(BUILD)/fuzz/corpus/, and runs for FUZZ_SECONDS.
check-fuzz: $(FUZZ_TARGETS) $(BUILD)/fuzz/make_seeds
	$(Q)$(BUILD)/fuzz/make_seeds $(BUILD)/fuzz/seeds
	$(Q)set -e; for t in $(FUZZ_TARGETS); do \
		n=$${t##*/fuzz_}; c=$(BUILD)/fuzz/corpus/$$n; mkdir -p $$c; \
		echo "  FUZZ    $$t ($(FUZZ_SECONDS) s)"; \
		$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/$$n- \
			$$c $(BUILD)/fuzz/seeds/$$n > $(BUILD)/fuzz/$$n.log 2>&1 || \
			{ tail -n 40 $(BUILD)/fuzz/$$n.log; exit 1; }; \
		grep -h '^stat::number_of_executed_units' $(BUILD)/fuzz/$$n.log; \
	done

check-guest: all cpu-tests go-newest
	$(Q)tests/guest/run.sh

# Every guest case again with --cpus 2, threads on both CPUs under a
# multi-threaded TCG (tests/guest/run.sh's GUEST_CPUS); part of make check.
check-smp: all cpu-tests go-newest
	$(Q)GUEST_CPUS=2 tests/guest/run.sh

# A 1 GiB packed file mapped and read whole in a 256 MiB guest (about
# 40 s under TCG); make check runs the same test at 512 MiB in 128 MiB.
check-bigfile: all
	$(Q)BIGFILE_1G=1 GUEST_FILTER='/bigfile-1g$$' tests/guest/run.sh

# Every bootable disk format under SeaBIOS and OVMF, from a virtio-blk
# and an NVMe disk, and a program of 16 MiB or more (its large files in a
# partition) in raw and qcow2 (tests/guest/disks.sh; about 5 minutes
# under TCG);
# make check boots two of them.  CI runs it after make check.
DISK_FORMATS := raw qcow2 vmdk gce containerdisk
check-disks: all
	$(Q)tests/guest/disks.sh $(BUILD) $(DISK_FORMATS)

check-format:
	$(Q)scripts/check-format.sh

# The Debian package (scripts/mkdeb.sh), and its test: lintian, its file
# list, and hello run by the installed gorump in a clean Debian root
# (tests/deb/check.sh; CI runs it after make check).
deb: deps $(BUILD)/gorump $(BUILD)/kernel.elf
	$(Q)scripts/mkdeb.sh $(BUILD)

check-deb: deb
	$(Q)tests/deb/check.sh $(BUILD)

format:
	$(Q)clang-format -i $$(git ls-files '*.c' '*.h')

# The standard-library subset checks that known results still hold.
check-compat: all go-newest
	$(Q)tests/stdlib/compat.sh --check

# Go's os tests with TMPDIR on a 9p share: too slow under TCG for make
# check's regression subset (docs/TESTING.md), so CI runs it on its own.
check-compat-share: all go-newest
	$(Q)tests/stdlib/compat.sh --check os@share

# Go's sync, sync/atomic, context, net and net/http tests in a guest with
# two CPUs (tests/stdlib/smp.txt; about five minutes under TCG), against
# the same expected failures as with one; part of make check.
check-compat-smp: all go-newest
	$(Q)tests/stdlib/compat.sh --check -l tests/stdlib/smp.txt

# Every guest case with one CPU and again with two, and the regression
# subset of Go's tests, with one CPU and (the threaded packages) two.
check: deps check-format check-unit check-fuzz check-guest check-compat \
       check-smp check-compat-smp

demo: all
	$(Q)scripts/demo.sh

bench: all
	$(Q)bench/run --write

.PHONY: compat check-disks check-compat-share check-smp check-compat-smp
compat: all
	$(Q)tests/stdlib/compat.sh $(if $(COMPAT_SUBSET),--check,--write)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/k $(BUILD)/t $(BUILD)/lwip -name '*.d' -type f 2>/dev/null)
