// SPDX-License-Identifier: GPL-2.0-only
/*
 * The in-kernel paravirtual platform: kvmclock (docs/api.md §4 item 7, §3.6) and
 * large EPT pages with their report by the netlink family (a GUEST_GET's
 * ZXHV_A_EPT_4K/2M/1G: the EPT leaves installed now; libmnl through
 * tools/zxhv/zxhv_nl.h).  Guest programs: paravirt_guest.h.
 *
 * Test                  What it proves
 * --------------------  --------------------------------------------------------
 * kvmclock              the clock read twice by the guest is monotonic and within
 *                       the host's CLOCK_MONOTONIC around each entry, advancing by
 *                       the host's sleep in between; version even, a scale set;
 *                       WALL_CLOCK zeroes {version, sec, nsec}; the MSR reads back;
 *                       misaligned and page-crossing registrations #GP
 * ept_leaves            a new guest reports 4k/2m/1g 0, leaves once it ran; a
 *                       destroyed guest is ENOENT
 * large_pages           1 GiB of 2 MiB-aligned memory touched: 2 MiB (or 1 GiB)
 *                       leaves, no 4 KiB ones; one 4 KiB page unmapped in the
 *                       middle: its leaf splits (511 4 KiB leaves, 4 KiB less
 *                       mapped), the neighbours keep their data, the page
 *                       faults (NOT_FOUND) until mapped again, then the leaves
 *                       merge back; one page made read-only likewise: reads
 *                       work, a write fails (ACCESS_DENIED) until it is writable
 * giant_leaf            with a budget of one 1 GiB block (module parameter
 *                       vmo_1g_blocks), three touches of a 1 GiB-aligned GiB map
 *                       it with one 1 GiB leaf (no smaller ones) where the CPU
 *                       has them (vmx flag ept_1gb), else 2 MiB leaves; the VMO
 *                       holds what the guest wrote; a second guest, the budget
 *                       spent, gets a 2 MiB leaf per touched 2 MiB; the block
 *                       was in the pool from the raise of the budget
 *                       (vmo_1g_pooled), goes back to it when the first guest
 *                       ends, and a third guest gets it zeroed again
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "zxhv_filter.h"
#include "zxhv_nl.h"
#include "zxhv_vm.h"
#include "paravirt_guest.h"
#include "guest_vm.h"

/*
 * GUEST_MEM_SIZE at GPA 0 with vcpu_guest.h's layout and @prog, the IO
 * trap on the ports, and the BSP on this thread.  With @big, also a
 * BIG_SIZE VMO at GPA_BIG (read/write) and its page directory.
 */
static zx_status_t vm_create(struct vm *vm, const uint8_t *prog, const uint8_t *prog_end,
			     bool big)
{
	zx_vaddr_t addr = 0;
	zx_status_t s = vm_create_base(vm, prog, prog_end);

	if (s == ZX_OK && big) {
		guest_put64(vm->mem, GPA_PDPT + 8, GPA_PD_BIG | 0x3);
		for (uint64_t i = 0; i < 512; i++)
			guest_put64(vm->mem, GPA_PD_BIG + i * 8,
				    ((uint64_t)GPA_BIG + (i << 21)) | 0x83);
		s = zx_vmo_create(BIG_SIZE, 0, &vm->big);
		if (s == ZX_OK)
			s = zx_vmar_map(vm->vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE |
					ZX_VM_SPECIFIC, GPA_BIG, vm->big, 0, BIG_SIZE, &addr);
	}
	if (s == ZX_OK)
		s = zx_vcpu_create(vm->guest, 0, GPA_CODE, &vm->vcpu);
	if (s != ZX_OK)
		vm_close(vm);
	return s;
}

/* Enters; the guest must stop at a 4-byte OUT to @port: its data. */
static uint32_t next_out(struct __test_metadata *_metadata, struct vm *vm, uint16_t port,
			 int line)
{
	zx_port_packet_t p;
	zx_status_t s;

	memset(&p, 0, sizeof(p));
	s = zx_vcpu_enter(vm->vcpu, &p);
	if (s != ZX_OK || p.type != ZX_PKT_TYPE_GUEST_IO || p.guest_io.port != port)
		TH_LOG("line %d: enter %s, packet type %u port %#x; want OUT to %#x", line,
		       zx_status_get_string(s), p.type, p.guest_io.port, port);
	EXPECT_EQ(ZX_OK, s);
	EXPECT_EQ(ZX_PKT_TYPE_GUEST_IO, p.type);
	EXPECT_EQ(port, p.guest_io.port);
	EXPECT_EQ(4, p.guest_io.access_size);
	return p.guest_io.u32;
}

#define NEXT_OUT(vm, port) next_out(_metadata, vm, port, __LINE__)
#define EXPECT_VALUE(vm, v) EXPECT_EQ((uint32_t)(v), NEXT_OUT(vm, PORT_VALUE))
#define EXPECT_MARK(vm, v) EXPECT_EQ((uint32_t)(v), NEXT_OUT(vm, PORT_MARK))

static zx_status_t enter(struct vm *vm)
{
	zx_port_packet_t p;

	return zx_vcpu_enter(vm->vcpu, &p);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* --- kvmclock --------------------------------------------------------------- */

/* struct pvclock_vcpu_time_info */
struct pvclock {
	uint32_t version, pad0;
	uint64_t tsc_timestamp, system_time;
	uint32_t mul;
	int8_t shift;
	uint8_t flags, pad[2];
} __attribute__((packed));

/*
 * How far the guest's extrapolation may stray from the host clock: the
 * kernel writes the clock from CLOCK_MONOTONIC and the TSC at one instant,
 * after which tsc_khz's rounding (and NTP) make them drift apart by parts
 * per million; 2 ms covers that over this test many times over.
 */
#define CLOCK_SLACK_NS	2000000ll
#define SLEEP_NS	200000000ll

TEST(kvmclock)
{
	int64_t before1, after1, before2, after2, t1, t2;
	struct timespec sl = { 0, SLEEP_NS };
	struct pvclock pv;
	zx_vcpu_state_t st;
	struct vm vm;

	NEED_VMX();
	ASSERT_EQ(ZX_OK, vm_create(&vm, g_kvmclock, g_kvmclock_end, false));
	memset(vm.mem + PV_WALL, 0xa5, 16);

	before1 = now_ns();
	EXPECT_MARK(&vm, 1);
	after1 = now_ns();
	nanosleep(&sl, NULL);
	before2 = now_ns();
	EXPECT_MARK(&vm, 2);
	after2 = now_ns();
	ASSERT_EQ(ZX_OK, zx_vcpu_read_state(vm.vcpu, ZX_VCPU_STATE, &st, sizeof(st)));
	t1 = st.r12;
	t2 = st.r13;
	TH_LOG("host [%lld, %lld] guest %lld; host [%lld, %lld] guest %lld",
	       (long long)before1, (long long)after1, (long long)t1,
	       (long long)before2, (long long)after2, (long long)t2);
	EXPECT_GE(t1, before1 - CLOCK_SLACK_NS);
	EXPECT_LE(t1, after1 + CLOCK_SLACK_NS);
	EXPECT_GE(t2, before2 - CLOCK_SLACK_NS);
	EXPECT_LE(t2, after2 + CLOCK_SLACK_NS);
	EXPECT_GT(t2, t1);
	EXPECT_GE(t2 - t1, SLEEP_NS - CLOCK_SLACK_NS);

	memcpy(&pv, vm.mem + PV_CLOCK, sizeof(pv));
	EXPECT_NE(0u, pv.version);
	EXPECT_EQ(0u, pv.version & 1);
	EXPECT_GE(pv.mul, 1u << 31);
	TH_LOG("version %u mul %u shift %d flags %#x", pv.version, pv.mul, pv.shift, pv.flags);

	EXPECT_MARK(&vm, 3);
	for (int i = 0; i < 12; i++)
		EXPECT_EQ(0, vm.mem[PV_WALL + i]);
	EXPECT_EQ(0xa5, vm.mem[PV_WALL + 12]);
	EXPECT_VALUE(&vm, PV_CLOCK | 1);
	EXPECT_EQ(0u, NEXT_OUT(&vm, PORT_GP));
	EXPECT_EQ(0u, NEXT_OUT(&vm, PORT_GP));
	EXPECT_MARK(&vm, 4);
	vm_close(&vm);
}

/* --- large EPT pages and their netlink report -------------------------------- */

struct leaves {
	long k4, m2, g1;
};

static uint64_t guest_koid(zx_handle_t guest)
{
	zx_info_handle_basic_t info;

	memset(&info, 0, sizeof(info));
	zx_object_get_info(guest, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL);
	return info.koid;
}

static int leaves_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ZXHV_A_MAX + 1];
	struct leaves *l = data;

	if (zxhv_nl_parse(nlh, tb) < 0 || !tb[ZXHV_A_EPT_4K] || !tb[ZXHV_A_EPT_2M] ||
	    !tb[ZXHV_A_EPT_1G])
		return MNL_CB_ERROR;
	l->k4 = zxhv_nl_u64(tb[ZXHV_A_EPT_4K]);
	l->m2 = zxhv_nl_u64(tb[ZXHV_A_EPT_2M]);
	l->g1 = zxhv_nl_u64(tb[ZXHV_A_EPT_1G]);
	return MNL_CB_OK;
}

/* The guest's three counts; -1 everywhere when the GET fails (*@err: -errno). */
static struct leaves read_leaves_err(zx_handle_t guest, int *err)
{
	static char buf[ZXHV_NL_BUFSIZE];
	struct leaves l = { -1, -1, -1 };
	struct nlmsghdr *nlh;
	struct zxhv_nl nl;

	*err = zxhv_nl_open(&nl);
	if (*err)
		return l;
	nlh = zxhv_nl_msg(&nl, buf, ZXHV_CMD_GUEST_GET, 0);
	mnl_attr_put_u64(nlh, ZXHV_A_KOID, guest_koid(guest));
	*err = zxhv_nl_run(&nl, nlh, leaves_cb, &l);
	zxhv_nl_close(&nl);
	if (*err)
		l.k4 = l.m2 = l.g1 = -1;
	return l;
}

static struct leaves read_leaves(zx_handle_t guest)
{
	int err;

	return read_leaves_err(guest, &err);
}

static long long mapped(struct leaves l)
{
	return l.k4 * 4096ll + l.m2 * (2ll << 20) + l.g1 * (1ll << 30);
}

TEST(ept_leaves)
{
	static char buf[ZXHV_NL_BUFSIZE];
	struct nlmsghdr *nlh;
	struct zxhv_nl nl;
	struct leaves l;
	struct vm vm;
	uint64_t koid;

	NEED_VMX();
	ASSERT_EQ(ZX_OK, vm_create(&vm, g_done, g_done_end, false));
	koid = guest_koid(vm.guest);
	l = read_leaves(vm.guest);
	EXPECT_EQ(0, l.k4);
	EXPECT_EQ(0, l.m2);
	EXPECT_EQ(0, l.g1);
	EXPECT_MARK(&vm, 0x600d);
	l = read_leaves(vm.guest);
	EXPECT_GT(l.k4 + l.m2, 0);

	/* Destroyed with its last handle: the family no longer reports it. */
	vm_close(&vm);
	ASSERT_EQ(0, zxhv_nl_open(&nl));
	nlh = zxhv_nl_msg(&nl, buf, ZXHV_CMD_GUEST_GET, 0);
	mnl_attr_put_u64(nlh, ZXHV_A_KOID, koid);
	EXPECT_EQ(-ENOENT, zxhv_nl_run(&nl, nlh, leaves_cb, &l));
	zxhv_nl_close(&nl);
}

/* Bochs takes minutes of guest time to fill 1 GiB: more than the default 30 s. */
FIXTURE(big) {
	int unused;
};

FIXTURE_SETUP(big)
{
}

FIXTURE_TEARDOWN(big)
{
}

TEST_F_TIMEOUT(big, large_pages, 900)
{
	struct leaves s0, s1, l;
	int64_t t0 = now_ns();
	zx_vaddr_t addr;
	struct vm vm;

	NEED_VMX();
	ASSERT_EQ(ZX_OK, vm_create(&vm, g_big_memory, g_big_memory_end, true));
	EXPECT_MARK(&vm, 1);
	s0 = read_leaves(vm.guest);
	ASSERT_LE(0, s0.k4);
	EXPECT_MARK(&vm, 2);
	s1 = read_leaves(vm.guest);
	TH_LOG("1 GiB touched in %lld ms: before 4k %ld 2m %ld 1g %ld, after 4k %ld 2m %ld 1g %ld",
	       (long long)(now_ns() - t0) / 1000000, s0.k4, s0.m2, s0.g1, s1.k4, s1.m2, s1.g1);
	/* All of it in large leaves: 512 2 MiB ones, or merged into 1 GiB. */
	EXPECT_EQ(s0.k4, s1.k4);
	EXPECT_EQ(512, (s1.m2 - s0.m2) + 512 * (s1.g1 - s0.g1));

	/* Unmap one page in the middle: only it goes. */
	ASSERT_EQ(ZX_OK, zx_vmar_unmap(vm.vmar, GPA_HOLE, 4096));
	l = read_leaves(vm.guest);
	TH_LOG("hole: 4k %ld 2m %ld 1g %ld", l.k4, l.m2, l.g1);
	EXPECT_EQ(s1.k4 + 511, l.k4);
	EXPECT_EQ(mapped(s1) - 4096, mapped(l));
	EXPECT_VALUE(&vm, (uint32_t)(GPA_HOLE - 0x1000));
	EXPECT_VALUE(&vm, (uint32_t)(GPA_HOLE + 0x1000));
	EXPECT_MARK(&vm, 3);
	EXPECT_EQ(ZX_ERR_NOT_FOUND, enter(&vm));
	EXPECT_EQ(ZX_ERR_NOT_FOUND, enter(&vm));
	/* Mapped again (same VMO page): the data is there, the leaves merge back. */
	ASSERT_EQ(ZX_OK, zx_vmar_map(vm.vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC,
				     GPA_HOLE, vm.big, GPA_HOLE - GPA_BIG, 4096, &addr));
	EXPECT_VALUE(&vm, (uint32_t)GPA_HOLE);
	EXPECT_MARK(&vm, 4);
	l = read_leaves(vm.guest);
	EXPECT_EQ(s1.k4, l.k4);
	EXPECT_EQ(s1.m2, l.m2);
	EXPECT_EQ(s1.g1, l.g1);

	/* Read-only page: split the same way, reads work, writes fault. */
	ASSERT_EQ(ZX_OK, zx_vmar_protect(vm.vmar, ZX_VM_PERM_READ, GPA_RO, 4096));
	l = read_leaves(vm.guest);
	EXPECT_EQ(s1.k4 + 511, l.k4);
	EXPECT_EQ(mapped(s1) - 4096, mapped(l));
	EXPECT_VALUE(&vm, 0x5151);
	EXPECT_VALUE(&vm, (uint32_t)GPA_RO);
	EXPECT_MARK(&vm, 5);
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, enter(&vm));
	l = read_leaves(vm.guest);
	EXPECT_EQ(s1.k4 + 512, l.k4);
	ASSERT_EQ(ZX_OK, zx_vmar_protect(vm.vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, GPA_RO,
					 4096));
	EXPECT_VALUE(&vm, 0x7171);
	EXPECT_MARK(&vm, 6);
	l = read_leaves(vm.guest);
	EXPECT_EQ(s1.k4, l.k4);
	EXPECT_EQ(s1.m2, l.m2);
	EXPECT_EQ(s1.g1, l.g1);
	TH_LOG("all done in %lld ms", (long long)(now_ns() - t0) / 1000000);
	vm_close(&vm);
}

/* --- 1 GiB VMO blocks --------------------------------------------------------- */

#define GIANT_PARAM "/sys/module/zircon_hv/parameters/vmo_1g_blocks"
#define GIANT_POOLED "/sys/module/zircon_hv/parameters/vmo_1g_pooled"

/* Reads or writes a parameter; false if the file cannot be used. */
static bool param_file(const char *path, unsigned int *n, bool write)
{
	FILE *f = fopen(path, write ? "w" : "r");
	bool ok;

	if (!f)
		return false;
	ok = write ? fprintf(f, "%u\n", *n) > 0 : fscanf(f, "%u", n) == 1;
	return fclose(f) == 0 && ok;
}

/* Reads or writes the budget; false if the file cannot be used. */
static bool giant_param(unsigned int *n, bool write)
{
	return param_file(GIANT_PARAM, n, write);
}

/* Blocks in the module's pool, or -1. */
static int giant_pooled(void)
{
	unsigned int n;

	return param_file(GIANT_POOLED, &n, false) ? (int)n : -1;
}

/* Does the CPU offer 1 GiB EPT pages (Linux's vmx flag ept_1gb)? */
static bool have_ept_1gb(void)
{
	char line[4096];
	bool yes = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && !yes && fgets(line, sizeof(line), f))
		yes = !strncmp(line, "vmx flags", 9) && strstr(line, " ept_1gb");
	if (f)
		fclose(f);
	return yes;
}

/* Was the kernel booted with movablecore= (the test bench's promise)? */
static bool movable_memory_promised(void)
{
	char cmdline[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(cmdline, sizeof(cmdline), f))
			cmdline[0] = 0;
		fclose(f);
	}
	return strstr(cmdline, "movablecore=");
}

/*
 * Leaves a pattern in @bytes of free memory: anonymous memory is movable,
 * so it comes from (and goes back to) where 1 GiB blocks are taken.
 */
static void dirty_free_memory(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;
	memset(p, 0xa5, bytes);
	munmap(p, bytes);
}

/* The offset of the first non-zero byte of @vmo's first @len bytes, or -1. */
static long long first_nonzero(zx_handle_t vmo, uint64_t len)
{
	static uint64_t buf[8192];

	for (uint64_t off = 0; off < len; off += sizeof(buf)) {
		if (zx_vmo_read(vmo, buf, off, sizeof(buf)) != ZX_OK)
			return (long long)off;
		for (size_t i = 0; i < sizeof(buf) / 8; i++)
			if (buf[i])
				return (long long)(off + i * 8);
	}
	return -1;
}

/* Runs g_giant on @vm: the leaves before its three touches and after. */
static void giant_touches(struct __test_metadata *_metadata, struct vm *vm,
			  struct leaves *before, struct leaves *after)
{
	EXPECT_MARK(vm, 1);
	*before = read_leaves(vm->guest);
	EXPECT_VALUE(vm, 0x600d1);
	EXPECT_VALUE(vm, 0x600d2);
	EXPECT_VALUE(vm, 0);
	EXPECT_MARK(vm, 2);
	*after = read_leaves(vm->guest);
}

FIXTURE(giant) {
	unsigned int saved;
	bool restore;
};

FIXTURE_SETUP(giant)
{
	self->restore = giant_param(&self->saved, false);
}

FIXTURE_TEARDOWN(giant)
{
	if (self->restore)
		giant_param(&self->saved, true);
}

/*
 * The test bench boots with 3 GiB and movablecore=2G, so a free 1 GiB range
 * exists: there the first guest must get its block, and 1.5 GiB of free
 * memory is dirtied first, so the block must have been zeroed: every word
 * of it but the two the guest wrote reads 0.  Elsewhere a host without a
 * free range falls back to 2 MiB blocks, and the test skips.
 */
TEST_F_TIMEOUT(giant, giant_leaf, 900)
{
	static uint8_t dirt[65536];
	struct leaves s0, s1, l;
	unsigned int one = 1;
	uint64_t word = 0;
	struct vm vm, vm2;
	int pooled;

	NEED_VMX();
	if (!self->restore)
		SKIP(return, "no %s (module too old, or not root)", GIANT_PARAM);
	one += self->saved;
	if (movable_memory_promised())
		dirty_free_memory(3ul << 29);
	pooled = giant_pooled();
	ASSERT_LE(0, pooled);
	ASSERT_TRUE(giant_param(&one, true));
	if (movable_memory_promised())
		EXPECT_EQ(pooled + 1, giant_pooled());
	ASSERT_EQ(ZX_OK, vm_create(&vm, g_giant, g_giant_end, true));
	giant_touches(_metadata, &vm, &s0, &s1);
	EXPECT_EQ(pooled, giant_pooled());
	TH_LOG("giant: before 4k %ld 2m %ld 1g %ld, after 4k %ld 2m %ld 1g %ld; ept_1gb %d",
	       s0.k4, s0.m2, s0.g1, s1.k4, s1.m2, s1.g1, have_ept_1gb());
	EXPECT_EQ(s0.k4, s1.k4);
	if (s1.g1 == s0.g1 && s1.m2 == s0.m2 + 3 && !movable_memory_promised()) {
		vm_close(&vm);
		SKIP(return, "no free 1 GiB range of memory here (2 MiB leaves instead)");
	}
	if (have_ept_1gb()) {
		EXPECT_EQ(s0.g1 + 1, s1.g1);
		EXPECT_EQ(s0.m2, s1.m2);
	} else {
		/* A giant block, mapped by 2 MiB leaves: one per touched 2 MiB. */
		EXPECT_EQ(s0.g1, s1.g1);
		EXPECT_EQ(s0.m2 + 3, s1.m2);
	}
	ASSERT_EQ(ZX_OK, zx_vmo_read(vm.big, &word, 0x5008, 8));
	EXPECT_EQ(0x600d1u, word);
	ASSERT_EQ(ZX_OK, zx_vmo_read(vm.big, &word, BIG_SIZE - 8, 8));
	EXPECT_EQ(0x600d2u, word);
	word = 0;
	ASSERT_EQ(ZX_OK, zx_vmo_write(vm.big, &word, 0x5008, 8));
	ASSERT_EQ(ZX_OK, zx_vmo_write(vm.big, &word, BIG_SIZE - 8, 8));
	EXPECT_EQ(-1, first_nonzero(vm.big, BIG_SIZE));
	/* Dirt for the pool to clear: the start, the middle, the end. */
	memset(dirt, 0xa5, sizeof(dirt));
	ASSERT_EQ(ZX_OK, zx_vmo_write(vm.big, dirt, 0, sizeof(dirt)));
	ASSERT_EQ(ZX_OK, zx_vmo_write(vm.big, dirt, BIG_SIZE / 2, sizeof(dirt)));
	ASSERT_EQ(ZX_OK, zx_vmo_write(vm.big, dirt, BIG_SIZE - sizeof(dirt), sizeof(dirt)));

	/*
	 * The budget is spent while the first VMO lives: the second guest's
	 * GiB comes in 2 MiB blocks.  A thread runs one VCPU at a time.
	 */
	zx_handle_close(vm.vcpu);
	vm.vcpu = ZX_HANDLE_INVALID;
	ASSERT_EQ(ZX_OK, vm_create(&vm2, g_giant, g_giant_end, true));
	giant_touches(_metadata, &vm2, &s0, &l);
	EXPECT_EQ(s0.k4, l.k4);
	EXPECT_EQ(s0.m2 + 3, l.m2);
	EXPECT_EQ(s0.g1, l.g1);
	vm_close(&vm2);
	vm_close(&vm);

	/* The first guest's block is back in the pool, and comes out zeroed. */
	EXPECT_EQ(pooled + 1, giant_pooled());
	ASSERT_EQ(ZX_OK, vm_create(&vm, g_giant, g_giant_end, true));
	giant_touches(_metadata, &vm, &s0, &l);
	if (have_ept_1gb())
		EXPECT_EQ(s0.g1 + 1, l.g1);
	EXPECT_EQ(pooled, giant_pooled());
	word = 0;
	ASSERT_EQ(ZX_OK, zx_vmo_write(vm.big, &word, 0x5008, 8));
	ASSERT_EQ(ZX_OK, zx_vmo_write(vm.big, &word, BIG_SIZE - 8, 8));
	EXPECT_EQ(-1, first_nonzero(vm.big, BIG_SIZE));
	vm_close(&vm);
}

/* ZXHV_PARAVIRT_TEST_ONLY=giant_leaf runs only that one (zxhv_filter.h). */
int main(int argc, char **argv)
{
	zxhv_filter_tests("ZXHV_PARAVIRT_TEST_ONLY");
	return test_harness_run(argc, argv);
}
