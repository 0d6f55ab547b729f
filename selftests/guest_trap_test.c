// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest traps through libzx: zx_guest_set_trap() (every error row of
 * docs/api.md §1, the three kinds, overlaps per space), the hole a MEM or BELL
 * trap punches in the guest-physical VMAR, and the BELL port's packets
 * when the guest goes; guest_test.c makes guests.
 *
 * Every test here needs a guest: where VMX is missing (ZXHV_VM=qemu, or a
 * host whose probe is not READY) they are skipped; with VMX
 * (ZXHV_VM=bochs, or a READY host) they all run.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * set_trap_every_error_code     every zx_guest_set_trap status, one row each: kinds,
 *                               handles, rights, alignment, ranges, overlaps
 * mem_trap_punches_hole         a MEM trap unmaps its page: the hole maps anew,
 *                               protect finds it; setting the trap again collides
 * bell_trap_punches_hole        the same for a BELL trap
 * io_trap_leaves_memory         an IO trap leaves guest memory mapped
 * bell_trap_teardown_keeps_user_packets
 *                               destroying the guest keeps the port's user packets
 *                               that carry the BELL trap's key
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "zxhv_handles.h"
#include "zxhv_vm.h"

#define PAGE		4096u
#define RW		(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE)
#define GUEST_MAP	(RW | ZX_VM_SPECIFIC)

/* --- zx_guest_set_trap ----------------------------------------------------- */

#define TRAP_ADDR	0x800000u

/* A row runs against a fresh guest @g and port @p (both closed afterwards). */
static zx_status_t trap(zx_handle_t guest, uint32_t kind, zx_vaddr_t addr, size_t size,
			zx_handle_t port_h)
{
	return zx_guest_set_trap(guest, kind, addr, size, port_h, 42);
}

static zx_status_t trap_mem_ok(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_MEM, TRAP_ADDR, PAGE, ZX_HANDLE_INVALID);
}

static zx_status_t trap_io_ok(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_IO, 0x3f8, 8, ZX_HANDLE_INVALID);
}

static zx_status_t trap_bell_ok(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_BELL, TRAP_ADDR, 2 * PAGE, p);
}

static zx_status_t trap_io_top(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_IO, 0xFFFE, 1, ZX_HANDLE_INVALID);
}

static zx_status_t trap_write_only_guest(struct guest *g, zx_handle_t p)
{
	zx_handle_t h = ZX_HANDLE_INVALID;
	zx_status_t s;

	zx_handle_duplicate(g->guest, ZX_RIGHT_WRITE, &h);
	s = trap(h, ZX_GUEST_TRAP_MEM, TRAP_ADDR, PAGE, ZX_HANDLE_INVALID);
	zx_handle_close(h);
	return s;
}

static zx_status_t trap_bad_guest(struct guest *g, zx_handle_t p)
{
	return trap(NOT_A_HANDLE, ZX_GUEST_TRAP_MEM, TRAP_ADDR, PAGE, ZX_HANDLE_INVALID);
}

static zx_status_t trap_guest_wrong_type(struct guest *g, zx_handle_t p)
{
	return trap(g->vmar, ZX_GUEST_TRAP_MEM, TRAP_ADDR, PAGE, ZX_HANDLE_INVALID);
}

static zx_status_t trap_guest_no_write(struct guest *g, zx_handle_t p)
{
	zx_handle_t h = ZX_HANDLE_INVALID;
	zx_status_t s;

	zx_handle_duplicate(g->guest, ZX_RIGHT_SAME_RIGHTS, &h);
	h = reduce(h, ZX_RIGHT_WRITE);
	s = trap(h, ZX_GUEST_TRAP_MEM, TRAP_ADDR, PAGE, ZX_HANDLE_INVALID);
	zx_handle_close(h);
	return s;
}

/* Guest rights are checked before the port handle. */
static zx_status_t trap_guest_no_write_bad_port(struct guest *g, zx_handle_t p)
{
	zx_handle_t h = ZX_HANDLE_INVALID;
	zx_status_t s;

	zx_handle_duplicate(g->guest, ZX_RIGHT_SAME_RIGHTS, &h);
	h = reduce(h, ZX_RIGHT_WRITE);
	s = trap(h, ZX_GUEST_TRAP_BELL, TRAP_ADDR, PAGE, NOT_A_HANDLE);
	zx_handle_close(h);
	return s;
}

static zx_status_t trap_bad_port(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_BELL, TRAP_ADDR, PAGE, NOT_A_HANDLE);
}

static zx_status_t trap_port_wrong_type(struct guest *g, zx_handle_t p)
{
	zx_handle_t v = new_vmo(PAGE);
	zx_status_t s = trap(g->guest, ZX_GUEST_TRAP_BELL, TRAP_ADDR, PAGE, v);

	zx_handle_close(v);
	return s;
}

static zx_status_t trap_port_no_write(struct guest *g, zx_handle_t p)
{
	zx_handle_t h = ZX_HANDLE_INVALID;
	zx_status_t s;

	zx_handle_duplicate(p, ZX_RIGHT_SAME_RIGHTS, &h);
	h = reduce(h, ZX_RIGHT_WRITE);
	s = trap(g->guest, ZX_GUEST_TRAP_BELL, TRAP_ADDR, PAGE, h);
	zx_handle_close(h);
	return s;
}

/* The port is looked up (and must be valid) before the kind rules apply. */
static zx_status_t trap_mem_bad_port(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_MEM, TRAP_ADDR, PAGE, NOT_A_HANDLE);
}

static zx_status_t trap_mem_with_port(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_MEM, TRAP_ADDR, PAGE, p);
}

static zx_status_t trap_io_with_port(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_IO, 0x60, 1, p);
}

static zx_status_t trap_bell_without_port(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_BELL, TRAP_ADDR, PAGE, ZX_HANDLE_INVALID);
}

static zx_status_t trap_unknown_kind(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, 3, TRAP_ADDR, PAGE, ZX_HANDLE_INVALID);
}

static zx_status_t trap_unknown_kind_with_port(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, 0xFFFFFFFFu, TRAP_ADDR, PAGE, p);
}

static zx_status_t trap_mem_unaligned_addr(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_MEM, TRAP_ADDR + 8, PAGE, ZX_HANDLE_INVALID);
}

static zx_status_t trap_mem_unaligned_size(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_MEM, TRAP_ADDR, PAGE + 8, ZX_HANDLE_INVALID);
}

static zx_status_t trap_bell_unaligned(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_BELL, TRAP_ADDR + PAGE / 2, PAGE, p);
}

/* [unverified] in the spec: MEM size 0 fails in the unmap, INVALID_ARGS. */
static zx_status_t trap_mem_size_zero(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_MEM, TRAP_ADDR, 0, ZX_HANDLE_INVALID);
}

static zx_status_t trap_mem_past_aspace(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_MEM, GPA_LIMIT, PAGE, ZX_HANDLE_INVALID);
}

static zx_status_t trap_mem_wraps(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_MEM, UINT64_MAX - PAGE + 1, 2 * PAGE,
		    ZX_HANDLE_INVALID);
}

/* The kernel's OUT_OF_RANGE, not the docs' INVALID_ARGS. */
static zx_status_t trap_io_size_zero(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_IO, 0x60, 0, ZX_HANDLE_INVALID);
}

static zx_status_t trap_io_port_ffff(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_IO, 0xFFFF, 1, ZX_HANDLE_INVALID);
}

static zx_status_t trap_io_past_ffff(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_IO, 0xFFF0, 0x20, ZX_HANDLE_INVALID);
}

static zx_status_t trap_io_wraps(struct guest *g, zx_handle_t p)
{
	return trap(g->guest, ZX_GUEST_TRAP_IO, UINT64_MAX, 2, ZX_HANDLE_INVALID);
}

static zx_status_t trap_mem_twice(struct guest *g, zx_handle_t p)
{
	trap(g->guest, ZX_GUEST_TRAP_MEM, TRAP_ADDR, 2 * PAGE, ZX_HANDLE_INVALID);
	return trap(g->guest, ZX_GUEST_TRAP_MEM, TRAP_ADDR + PAGE, 2 * PAGE, ZX_HANDLE_INVALID);
}

static zx_status_t trap_bell_over_mem(struct guest *g, zx_handle_t p)
{
	trap(g->guest, ZX_GUEST_TRAP_MEM, TRAP_ADDR, 2 * PAGE, ZX_HANDLE_INVALID);
	return trap(g->guest, ZX_GUEST_TRAP_BELL, TRAP_ADDR + PAGE, PAGE, p);
}

static zx_status_t trap_mem_over_bell(struct guest *g, zx_handle_t p)
{
	trap(g->guest, ZX_GUEST_TRAP_BELL, TRAP_ADDR, PAGE, p);
	return trap(g->guest, ZX_GUEST_TRAP_MEM, TRAP_ADDR - PAGE, 4 * PAGE, ZX_HANDLE_INVALID);
}

static zx_status_t trap_io_twice(struct guest *g, zx_handle_t p)
{
	trap(g->guest, ZX_GUEST_TRAP_IO, 0x3f8, 8, ZX_HANDLE_INVALID);
	return trap(g->guest, ZX_GUEST_TRAP_IO, 0x3ff, 1, ZX_HANDLE_INVALID);
}

/* Adjacent ranges and the other space do not intersect. */
static zx_status_t trap_adjacent_and_spaces(struct guest *g, zx_handle_t p)
{
	if (trap(g->guest, ZX_GUEST_TRAP_MEM, TRAP_ADDR, PAGE, ZX_HANDLE_INVALID) != ZX_OK ||
	    trap(g->guest, ZX_GUEST_TRAP_BELL, TRAP_ADDR + PAGE, PAGE, p) != ZX_OK ||
	    trap(g->guest, ZX_GUEST_TRAP_MEM, TRAP_ADDR - PAGE, PAGE, ZX_HANDLE_INVALID) != ZX_OK ||
	    trap(g->guest, ZX_GUEST_TRAP_IO, 0x1000, 8, ZX_HANDLE_INVALID) != ZX_OK ||
	    trap(g->guest, ZX_GUEST_TRAP_IO, 0x1008, 8, ZX_HANDLE_INVALID) != ZX_OK)
		return ZX_ERR_INTERNAL;
	return trap(g->guest, ZX_GUEST_TRAP_IO, TRAP_ADDR & 0xFFFF, 1, ZX_HANDLE_INVALID);
}

static const struct {
	const char *name;
	zx_status_t (*run)(struct guest *g, zx_handle_t p);
	zx_status_t want;
} trap_table[] = {
	{ "MEM", trap_mem_ok, ZX_OK },
	{ "IO", trap_io_ok, ZX_OK },
	{ "BELL", trap_bell_ok, ZX_OK },
	{ "IO ending at 0xFFFF", trap_io_top, ZX_OK },
	{ "guest handle with WRITE only", trap_write_only_guest, ZX_OK },
	{ "adjacent traps, other space", trap_adjacent_and_spaces, ZX_OK },
	{ "bad guest handle", trap_bad_guest, ZX_ERR_BAD_HANDLE },
	{ "VMAR as guest", trap_guest_wrong_type, ZX_ERR_WRONG_TYPE },
	{ "guest without WRITE", trap_guest_no_write, ZX_ERR_ACCESS_DENIED },
	{ "guest without WRITE, bad port", trap_guest_no_write_bad_port,
	  ZX_ERR_ACCESS_DENIED },
	{ "bad port handle", trap_bad_port, ZX_ERR_BAD_HANDLE },
	{ "VMO as port", trap_port_wrong_type, ZX_ERR_WRONG_TYPE },
	{ "port without WRITE", trap_port_no_write, ZX_ERR_ACCESS_DENIED },
	{ "MEM with a bad port handle", trap_mem_bad_port, ZX_ERR_BAD_HANDLE },
	{ "MEM with a port", trap_mem_with_port, ZX_ERR_INVALID_ARGS },
	{ "IO with a port", trap_io_with_port, ZX_ERR_INVALID_ARGS },
	{ "BELL without a port", trap_bell_without_port, ZX_ERR_INVALID_ARGS },
	{ "kind 3", trap_unknown_kind, ZX_ERR_INVALID_ARGS },
	{ "kind 0xFFFFFFFF with a port", trap_unknown_kind_with_port, ZX_ERR_INVALID_ARGS },
	{ "MEM unaligned addr", trap_mem_unaligned_addr, ZX_ERR_INVALID_ARGS },
	{ "MEM unaligned size", trap_mem_unaligned_size, ZX_ERR_INVALID_ARGS },
	{ "BELL unaligned addr", trap_bell_unaligned, ZX_ERR_INVALID_ARGS },
	{ "MEM size 0", trap_mem_size_zero, ZX_ERR_INVALID_ARGS },
	{ "MEM at 2^48", trap_mem_past_aspace, ZX_ERR_INVALID_ARGS },
	{ "MEM wrapping 2^64", trap_mem_wraps, ZX_ERR_INVALID_ARGS },
	{ "IO size 0", trap_io_size_zero, ZX_ERR_OUT_OF_RANGE },
	{ "IO port 0xFFFF", trap_io_port_ffff, ZX_ERR_OUT_OF_RANGE },
	{ "IO past 0xFFFF", trap_io_past_ffff, ZX_ERR_OUT_OF_RANGE },
	{ "IO wrapping 2^64", trap_io_wraps, ZX_ERR_OUT_OF_RANGE },
	{ "MEM over MEM", trap_mem_twice, ZX_ERR_ALREADY_EXISTS },
	{ "BELL over MEM", trap_bell_over_mem, ZX_ERR_ALREADY_EXISTS },
	{ "MEM over BELL", trap_mem_over_bell, ZX_ERR_ALREADY_EXISTS },
	{ "IO over IO", trap_io_twice, ZX_ERR_ALREADY_EXISTS },
};

TEST(set_trap_every_error_code)
{
	NEED_VMX();
	for (size_t i = 0; i < sizeof(trap_table) / sizeof(trap_table[0]); i++) {
		zx_handle_t p = new_port();
		struct guest g;
		zx_status_t got;

		ASSERT_EQ(ZX_OK, new_guest(&g));
		ASSERT_NE(ZX_HANDLE_INVALID, p);
		got = trap_table[i].run(&g, p);
		if (got != trap_table[i].want)
			TH_LOG("zx_guest_set_trap(%s): got %s, want %s", trap_table[i].name,
			       zx_status_get_string(got), zx_status_get_string(trap_table[i].want));
		EXPECT_EQ(trap_table[i].want, got);
		close_guest(&g);
		zx_handle_close(p);
	}
}

/*
 * A MEM or BELL trap unmaps its range from the guest VMAR: a VMO mapped
 * over three pages loses the middle one, which can then be mapped anew
 * while its neighbours still overlap, and protect over the range finds the
 * hole.  IO traps leave memory alone.
 */
static void check_hole(struct __test_metadata *_metadata, uint32_t kind)
{
	zx_handle_t v = new_vmo(3 * PAGE), p = new_port();
	zx_vaddr_t addr = 0;
	struct guest g;

	ASSERT_EQ(ZX_OK, new_guest(&g));
	ASSERT_EQ(ZX_OK, zx_vmar_map(g.vmar, GUEST_MAP, TRAP_ADDR, v, 0, 3 * PAGE, &addr));
	ASSERT_EQ(ZX_OK, zx_guest_set_trap(g.guest, kind, TRAP_ADDR + PAGE, PAGE,
					   kind == ZX_GUEST_TRAP_BELL ? p : ZX_HANDLE_INVALID, 7));
	EXPECT_EQ(ZX_ERR_NOT_FOUND, zx_vmar_protect(g.vmar, RW, TRAP_ADDR, 3 * PAGE));
	EXPECT_EQ(ZX_OK, zx_vmar_protect(g.vmar, RW, TRAP_ADDR, PAGE));
	EXPECT_EQ(ZX_OK, zx_vmar_protect(g.vmar, RW, TRAP_ADDR + 2 * PAGE, PAGE));
	EXPECT_EQ(ZX_ERR_NO_MEMORY, zx_vmar_map(g.vmar, GUEST_MAP, TRAP_ADDR, v, 0, PAGE, &addr));
	EXPECT_EQ(ZX_ERR_NO_MEMORY, zx_vmar_map(g.vmar, GUEST_MAP, TRAP_ADDR + 2 * PAGE, v, 0,
						PAGE, &addr));
	EXPECT_EQ(ZX_OK, zx_vmar_map(g.vmar, GUEST_MAP, TRAP_ADDR + PAGE, v, 0, PAGE, &addr));
	EXPECT_EQ(TRAP_ADDR + PAGE, addr);
	/* The trap stays: setting it again (it unmaps again first) collides. */
	EXPECT_EQ(ZX_ERR_ALREADY_EXISTS,
		  zx_guest_set_trap(g.guest, kind, TRAP_ADDR + PAGE, PAGE,
				    kind == ZX_GUEST_TRAP_BELL ? p : ZX_HANDLE_INVALID, 7));
	EXPECT_EQ(ZX_ERR_NOT_FOUND, zx_vmar_protect(g.vmar, RW, TRAP_ADDR, 3 * PAGE));
	close_guest(&g);
	zx_handle_close(v);
	zx_handle_close(p);
}

TEST(mem_trap_punches_hole)
{
	NEED_VMX();
	check_hole(_metadata, ZX_GUEST_TRAP_MEM);
}

TEST(bell_trap_punches_hole)
{
	NEED_VMX();
	check_hole(_metadata, ZX_GUEST_TRAP_BELL);
}

TEST(io_trap_leaves_memory)
{
	zx_handle_t v = new_vmo(PAGE);
	zx_vaddr_t addr = 0;
	struct guest g;

	NEED_VMX();
	ASSERT_EQ(ZX_OK, new_guest(&g));
	ASSERT_EQ(ZX_OK, zx_vmar_map(g.vmar, GUEST_MAP, 0x1000, v, 0, PAGE, &addr));
	ASSERT_EQ(ZX_OK, zx_guest_set_trap(g.guest, ZX_GUEST_TRAP_IO, 0x1000, 0x100,
					   ZX_HANDLE_INVALID, 1));
	EXPECT_EQ(ZX_OK, zx_vmar_protect(g.vmar, RW, 0x1000, PAGE));
	close_guest(&g);
	zx_handle_close(v);
}

/*
 * Destroying the guest drops its BELL traps' reservations; user packets
 * with the trap's key stay on the port (GuestSetTrapWithBellAndUser).
 */
TEST(bell_trap_teardown_keeps_user_packets)
{
	zx_port_packet_t pkt, out;
	zx_handle_t p = new_port();
	struct guest g;

	NEED_VMX();
	memset(&pkt, 0, sizeof(pkt));
	pkt.key = 7;
	pkt.user.u64[0] = 0x1234;
	ASSERT_EQ(ZX_OK, zx_port_queue(p, &pkt));
	ASSERT_EQ(ZX_OK, new_guest(&g));
	for (int i = 0; i < 16; i++)
		ASSERT_EQ(ZX_OK, zx_guest_set_trap(g.guest, ZX_GUEST_TRAP_BELL,
						   TRAP_ADDR + i * PAGE, PAGE, p, 7));
	close_guest(&g);
	memset(&out, 0, sizeof(out));
	ASSERT_EQ(ZX_OK, zx_port_wait(p, 0, &out));
	EXPECT_EQ(ZX_PKT_TYPE_USER, out.type);
	EXPECT_EQ(7u, out.key);
	EXPECT_EQ(0x1234u, out.user.u64[0]);
	EXPECT_EQ(ZX_ERR_TIMED_OUT, zx_port_wait(p, 0, &out));
	zx_handle_close(p);
}

TEST_HARNESS_MAIN
