// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guests through libzx: zx_guest_create() (every error row of docs/api.md §1 and
 * seed 000) and the guest-physical VMAR it returns (zx_vmar_map/unmap/
 * protect on guest-physical addresses); the traps are guest_trap_test.c's.
 *
 * Where VMX is missing (ZXHV_VM=qemu, or a host whose probe is not READY),
 * a valid zx_guest_create() must fail with ZX_ERR_NOT_SUPPORTED: the error
 * table asserts exactly that, and the tests that need a guest are skipped.
 * With VMX (ZXHV_VM=bochs, or a READY host) they all run.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * create_every_error_code       every zx_guest_create status, one row each; without
 *                               VMX the rows that need it give NOT_SUPPORTED
 * create_without_vmx_is_not_supported
 *                               no VMX: NOT_SUPPORTED and no handle written
 * create_rights_and_types       guest and VMAR types, default rights, distinct koids
 * create_close_cycles           100 create/close cycles in both orders, two guests at
 *                               once; VMX is off again afterwards (probe READY)
 * vmar_outlives_guest_handle    the VMAR keeps the guest alive: map/unmap after the
 *                               guest handle is closed
 * guest_vmar_map                GPA mappings: offsets, overlaps, the 2^48 limit, VMO
 *                               bounds, argument checks, rights, protect and unmap
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
#define GUEST_VMAR_RIGHTS \
	(ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE)

/* A SYSTEM resource [base, base + size) derived from the hypervisor resource. */
static zx_handle_t system_rsrc(uint64_t base, size_t size)
{
	zx_handle_t parent = hyp(), out = ZX_HANDLE_INVALID;

	zx_resource_create(parent, ZX_RSRC_KIND_SYSTEM, base, size, "t", 1, &out);
	zx_handle_close(parent);
	return out;
}

/*
 * zx_guest_create(rsrc, options, ...) into valid outputs; closes @rsrc and
 * whatever was created.
 */
static zx_status_t create(zx_handle_t rsrc, uint32_t options)
{
	zx_handle_t guest = ZX_HANDLE_INVALID, vmar = ZX_HANDLE_INVALID;
	zx_status_t s = zx_guest_create(rsrc, options, &guest, &vmar);

	zx_handle_close(guest);
	zx_handle_close(vmar);
	zx_handle_close(rsrc);
	return s;
}

/* --- zx_guest_create error table ------------------------------------------ */

static zx_status_t create_ok(void)
{
	return create(hyp(), ZX_GUEST_OPT_NORMAL);
}

static zx_status_t create_bad_handle(void)
{
	return create(NOT_A_HANDLE, 0);
}

static zx_status_t create_invalid_handle(void)
{
	return create(ZX_HANDLE_INVALID, 0);
}

static zx_status_t create_closed_handle(void)
{
	zx_handle_t h = hyp();

	zx_handle_close(h);
	return create(h, 0);
}

static zx_status_t create_port_resource(void)
{
	return create(new_port(), 0);
}

static zx_status_t create_vmo_resource(void)
{
	return create(new_vmo(PAGE), 0);
}

/* SYSTEM, but [0, 0) does not cover the hypervisor base. */
static zx_status_t create_empty_system(void)
{
	return create(system_rsrc(ZX_RSRC_SYSTEM_HYPERVISOR_BASE, 0), 0);
}

static zx_status_t create_system_past_base(void)
{
	return create(system_rsrc(ZX_RSRC_SYSTEM_HYPERVISOR_BASE + 1, 0), 0);
}

static zx_status_t create_derived_ok(void)
{
	return create(system_rsrc(ZX_RSRC_SYSTEM_HYPERVISOR_BASE, 1), 0);
}

/* No handle rights are needed on the resource. */
static zx_status_t create_rightless_resource(void)
{
	zx_handle_t h = hyp(), out = ZX_HANDLE_INVALID;

	zx_handle_replace(h, 0, &out);
	return create(out, 0);
}

static zx_status_t create_options_direct(void)
{
	return create(hyp(), 1);
}

static zx_status_t create_options_high(void)
{
	return create(hyp(), 0x80000000u);
}

/* The resource is checked before the options (newest kernel). */
static zx_status_t create_wrong_type_and_options(void)
{
	return create(new_port(), 1);
}

static zx_status_t create_out_of_range_and_options(void)
{
	return create(system_rsrc(ZX_RSRC_SYSTEM_HYPERVISOR_BASE, 0), 1);
}

static zx_status_t create_bad_resource_and_bad_ptr(void)
{
	return zx_guest_create(NOT_A_HANDLE, 0, BAD_PTR, BAD_PTR);
}

static zx_status_t create_guest_out_fault(void)
{
	zx_handle_t r = hyp(), vmar = ZX_HANDLE_INVALID;
	zx_status_t s = zx_guest_create(r, 0, BAD_PTR, &vmar);

	zx_handle_close(vmar);
	zx_handle_close(r);
	return s;
}

static zx_status_t create_vmar_out_fault(void)
{
	zx_handle_t r = hyp(), guest = ZX_HANDLE_INVALID;
	zx_status_t s = zx_guest_create(r, 0, &guest, BAD_PTR);

	/* Nothing may have been left behind in @guest either. */
	if (guest != ZX_HANDLE_INVALID && zx_handle_close(guest) == ZX_OK)
		s = ZX_ERR_INTERNAL;
	zx_handle_close(r);
	return s;
}

static zx_status_t create_null_outs(void)
{
	zx_handle_t r = hyp();
	zx_status_t s = zx_guest_create(r, 0, NULL, NULL);

	zx_handle_close(r);
	return s;
}

/* @want with VMX; without it a row marked @vmx gives NOT_SUPPORTED instead. */
static const struct {
	const char *name;
	zx_status_t (*run)(void);
	zx_status_t want;
	bool vmx;
} create_table[] = {
	{ "valid", create_ok, ZX_OK, true },
	{ "derived SYSTEM [0, 1)", create_derived_ok, ZX_OK, true },
	{ "resource handle without rights", create_rightless_resource, ZX_OK, true },
	{ "never a handle", create_bad_handle, ZX_ERR_BAD_HANDLE, false },
	{ "ZX_HANDLE_INVALID", create_invalid_handle, ZX_ERR_BAD_HANDLE, false },
	{ "closed resource", create_closed_handle, ZX_ERR_BAD_HANDLE, false },
	{ "port as resource", create_port_resource, ZX_ERR_WRONG_TYPE, false },
	{ "VMO as resource", create_vmo_resource, ZX_ERR_WRONG_TYPE, false },
	{ "SYSTEM [0, 0)", create_empty_system, ZX_ERR_OUT_OF_RANGE, false },
	{ "SYSTEM [1, 1)", create_system_past_base, ZX_ERR_OUT_OF_RANGE, false },
	{ "options 1 (DIRECT)", create_options_direct, ZX_ERR_INVALID_ARGS, false },
	{ "options 0x80000000", create_options_high, ZX_ERR_INVALID_ARGS, false },
	{ "port and options 1", create_wrong_type_and_options, ZX_ERR_WRONG_TYPE, false },
	{ "SYSTEM [0, 0) and options 1", create_out_of_range_and_options,
	  ZX_ERR_OUT_OF_RANGE, false },
	{ "bad resource, faulting outputs", create_bad_resource_and_bad_ptr,
	  ZX_ERR_BAD_HANDLE, false },
	{ "faulting guest_handle", create_guest_out_fault, ZX_ERR_INVALID_ARGS, true },
	{ "faulting vmar_handle", create_vmar_out_fault, ZX_ERR_INVALID_ARGS, true },
	{ "NULL outputs", create_null_outs, ZX_ERR_INVALID_ARGS, true },
};

TEST(create_every_error_code)
{
	bool vmx = have_vmx();
	zx_handle_t r = hyp();

	ASSERT_NE(ZX_HANDLE_INVALID, r);
	zx_handle_close(r);
	for (size_t i = 0; i < sizeof(create_table) / sizeof(create_table[0]); i++) {
		zx_status_t want = create_table[i].vmx && !vmx ? ZX_ERR_NOT_SUPPORTED :
								 create_table[i].want;
		zx_status_t got = create_table[i].run();

		if (got != want)
			TH_LOG("zx_guest_create(%s): got %s, want %s", create_table[i].name,
			       zx_status_get_string(got), zx_status_get_string(want));
		EXPECT_EQ(want, got);
	}
}

/* Without VMX the valid call is NOT_SUPPORTED and writes no handle. */
TEST(create_without_vmx_is_not_supported)
{
	zx_handle_t r = hyp(), guest = ZX_HANDLE_INVALID, vmar = ZX_HANDLE_INVALID;

	if (have_vmx())
		SKIP(return, "VMX is available here");
	ASSERT_NE(ZX_HANDLE_INVALID, r);
	ASSERT_EQ(ZX_ERR_NOT_SUPPORTED, zx_guest_create(r, 0, &guest, &vmar));
	EXPECT_EQ(ZX_HANDLE_INVALID, guest);
	EXPECT_EQ(ZX_HANDLE_INVALID, vmar);
	zx_handle_close(r);
}

/* --- with a guest ---------------------------------------------------------- */

TEST(create_rights_and_types)
{
	zx_info_handle_basic_t gi, vi;
	struct guest g;

	NEED_VMX();
	ASSERT_EQ(ZX_OK, new_guest(&g));
	gi = basic(g.guest);
	vi = basic(g.vmar);
	EXPECT_EQ(ZX_OBJ_TYPE_GUEST, gi.type);
	EXPECT_EQ(ZX_DEFAULT_GUEST_RIGHTS, gi.rights);
	EXPECT_EQ(0x4800Bu, gi.rights);
	EXPECT_EQ(ZX_OBJ_TYPE_VMAR, vi.type);
	EXPECT_EQ(GUEST_VMAR_RIGHTS, vi.rights);
	EXPECT_NE(0, gi.koid);
	EXPECT_NE(0, vi.koid);
	EXPECT_NE(gi.koid, vi.koid);
	close_guest(&g);
}

/*
 * 100 guests created and destroyed; afterwards VMX is off again (the probe
 * sees CR4.VMXE clear: READY, not IN_USE), and kmemleak (after the run)
 * sees nothing.  Closing the guest first or the VMAR first both work.
 */
TEST(create_close_cycles)
{
	zxhv_vmx_probe_t p;
	struct guest g, other;

	NEED_VMX();
	for (int i = 0; i < 100; i++) {
		ASSERT_EQ(ZX_OK, new_guest(&g));
		if (i % 2) {
			ASSERT_EQ(ZX_OK, zx_handle_close(g.vmar));
			ASSERT_EQ(ZX_OK, zx_handle_close(g.guest));
		} else {
			ASSERT_EQ(ZX_OK, zx_handle_close(g.guest));
			ASSERT_EQ(ZX_OK, zx_handle_close(g.vmar));
		}
	}
	/* Two at once share VMX operation. */
	ASSERT_EQ(ZX_OK, new_guest(&g));
	ASSERT_EQ(ZX_OK, new_guest(&other));
	close_guest(&g);
	close_guest(&other);
	memset(&p, 0, sizeof(p));
	ASSERT_EQ(ZX_OK, zxhv_vmx_probe(&p));
	EXPECT_EQ(ZXHV_VMX_READY, p.result);
}

/* The VMAR outlives the guest handle: it keeps the guest alive. */
TEST(vmar_outlives_guest_handle)
{
	zx_handle_t v = new_vmo(PAGE);
	zx_vaddr_t addr = 0;
	struct guest g;

	NEED_VMX();
	ASSERT_EQ(ZX_OK, new_guest(&g));
	ASSERT_EQ(ZX_OK, zx_handle_close(g.guest));
	EXPECT_EQ(ZX_OK, zx_vmar_map(g.vmar, GUEST_MAP, 0x5000, v, 0, PAGE, &addr));
	EXPECT_EQ(0x5000u, addr);
	EXPECT_EQ(ZX_OK, zx_vmar_unmap(g.vmar, 0x5000, PAGE));
	EXPECT_EQ(ZX_OK, zx_handle_close(g.vmar));
	zx_handle_close(v);
}

TEST(guest_vmar_map)
{
	zx_handle_t v = new_vmo(4 * PAGE), exec = ZX_HANDLE_INVALID, ro;
	zx_vaddr_t addr = 0;
	struct guest g;

	NEED_VMX();
	ASSERT_EQ(ZX_OK, new_guest(&g));
	/* vmar_offset is the GPA, and the GPA comes back. */
	ASSERT_EQ(ZX_OK, zx_vmar_map(g.vmar, GUEST_MAP, 0x100000, v, 0, 4 * PAGE, &addr));
	EXPECT_EQ(0x100000u, addr);
	/* Overlap without OVERWRITE: NO_MEMORY (Zircon's status). */
	EXPECT_EQ(ZX_ERR_NO_MEMORY, zx_vmar_map(g.vmar, GUEST_MAP, 0x103000, v, 0, PAGE, &addr));
	EXPECT_EQ(ZX_ERR_NO_MEMORY, zx_vmar_map(g.vmar, GUEST_MAP, 0xFF000, v, 0, 2 * PAGE,
						&addr));
	EXPECT_EQ(ZX_OK, zx_vmar_map(g.vmar, RW | ZX_VM_SPECIFIC_OVERWRITE, 0x101000, v, PAGE,
				     PAGE, &addr));
	EXPECT_EQ(0x101000u, addr);
	/* The top of the 2^48 space, and just past it. */
	addr = 0;
	EXPECT_EQ(ZX_OK, zx_vmar_map(g.vmar, GUEST_MAP, GPA_LIMIT - PAGE, v, 0, PAGE, &addr));
	EXPECT_EQ(GPA_LIMIT - PAGE, addr);
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vmar_map(g.vmar, GUEST_MAP, GPA_LIMIT, v, 0, PAGE,
						   &addr));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vmar_map(g.vmar, GUEST_MAP, GPA_LIMIT - PAGE, v, 0,
						   2 * PAGE, &addr));
	/* Past the VMO's end. */
	EXPECT_EQ(ZX_ERR_BUFFER_TOO_SMALL, zx_vmar_map(g.vmar, GUEST_MAP, 0x200000, v, 0,
						       5 * PAGE, &addr));
	EXPECT_EQ(ZX_ERR_BUFFER_TOO_SMALL, zx_vmar_map(g.vmar, GUEST_MAP, 0x200000, v,
						       4 * PAGE, PAGE, &addr));
	/* Unaligned, empty, offset without SPECIFIC, options. */
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vmar_map(g.vmar, GUEST_MAP, 0x200001, v, 0, PAGE,
						   &addr));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vmar_map(g.vmar, GUEST_MAP, 0x200000, v, 0, 0, &addr));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vmar_map(g.vmar, RW, 0x200000, v, 0, PAGE, &addr));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vmar_map(g.vmar, ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC,
						   0x200000, v, 0, PAGE, &addr));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vmar_map(g.vmar, GUEST_MAP | ZX_VM_CAN_MAP_READ,
						   0x200000, v, 0, PAGE, &addr));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vmar_map(g.vmar, GUEST_MAP, 0x200000, v, 0, PAGE,
						   BAD_PTR));
	/* ...which left nothing behind. */
	EXPECT_EQ(ZX_OK, zx_vmar_map(g.vmar, GUEST_MAP, 0x200000, v, 0, PAGE, &addr));
	/* Rights: EXECUTE needs it on the VMO; MAP on the VMO; WRITE on the VMO. */
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vmar_map(g.vmar, GUEST_MAP | ZX_VM_PERM_EXECUTE,
						    0x300000, v, 0, PAGE, &addr));
	ASSERT_EQ(ZX_OK, zx_vmo_replace_as_executable(new_vmo(PAGE), ZX_HANDLE_INVALID, &exec));
	EXPECT_EQ(ZX_OK, zx_vmar_map(g.vmar, GUEST_MAP | ZX_VM_PERM_EXECUTE, 0x300000, exec, 0,
				     PAGE, &addr));
	ro = reduce(new_vmo(PAGE), ZX_RIGHT_WRITE);
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vmar_map(g.vmar, GUEST_MAP, 0x301000, ro, 0, PAGE,
						    &addr));
	EXPECT_EQ(ZX_OK, zx_vmar_map(g.vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0x301000, ro, 0,
				     PAGE, &addr));
	zx_handle_close(ro);
	ro = reduce(new_vmo(PAGE), ZX_RIGHT_MAP);
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vmar_map(g.vmar, GUEST_MAP, 0x302000, ro, 0, PAGE,
						    &addr));
	zx_handle_close(ro);
	/* The same VMO, the same guest, another handle without WRITE on the VMAR. */
	ro = ZX_HANDLE_INVALID;
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(g.vmar, ZX_RIGHT_SAME_RIGHTS, &ro));
	ro = reduce(ro, ZX_RIGHT_WRITE);
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vmar_map(ro, GUEST_MAP, 0x303000, v, 0, PAGE, &addr));
	EXPECT_EQ(ZX_OK, zx_vmar_map(ro, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0x303000, v, 0, PAGE,
				     &addr));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vmar_protect(ro, RW, 0x303000, PAGE));
	zx_handle_close(ro);

	/* Protect: within the mapping's maximum; a hole is NOT_FOUND. */
	EXPECT_EQ(ZX_OK, zx_vmar_protect(g.vmar, ZX_VM_PERM_READ, 0x100000, 4 * PAGE));
	EXPECT_EQ(ZX_OK, zx_vmar_protect(g.vmar, RW, 0x100000, 4 * PAGE));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vmar_protect(g.vmar, RW | ZX_VM_PERM_EXECUTE,
							0x100000, PAGE));
	EXPECT_EQ(ZX_ERR_NOT_FOUND, zx_vmar_protect(g.vmar, RW, 0x100000, 5 * PAGE));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vmar_protect(g.vmar, ZX_VM_PERM_WRITE, 0x100000, PAGE));
	/* Unmap punches holes; the hole can be mapped again. */
	EXPECT_EQ(ZX_OK, zx_vmar_unmap(g.vmar, 0x102000, PAGE));
	EXPECT_EQ(ZX_OK, zx_vmar_map(g.vmar, GUEST_MAP, 0x102000, v, 0, PAGE, &addr));
	EXPECT_EQ(ZX_OK, zx_vmar_unmap(g.vmar, 0, GPA_LIMIT));
	EXPECT_EQ(ZX_OK, zx_vmar_map(g.vmar, GUEST_MAP, 0x100000, v, 0, 4 * PAGE, &addr));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vmar_unmap(g.vmar, 0x100000, 0));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vmar_unmap(g.vmar, 0x100001, PAGE));
	close_guest(&g);
	zx_handle_close(v);
	zx_handle_close(exec);
}

TEST_HARNESS_MAIN
