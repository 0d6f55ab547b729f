// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host VMARs through libzx: zx_vmar_root_self(), zx_vmar_map(),
 * zx_vmar_unmap(), zx_vmar_protect().  One error table row per status;
 * coherence of mappings with zx_vmo_read/write and with each other;
 * permissions enforced on mprotect(); the rights matrix; create/map/
 * unmap/close cycles (the kmemleak scan after the run checks that they
 * leave nothing behind).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"

#define BAD_PTR		((void *)8)
#define NOT_A_HANDLE	((zx_handle_t)0x12345678u)
#define PAGE		4096u
#define RW		(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE)

static zx_handle_t vmo_opts(uint64_t size, uint32_t options)
{
	zx_handle_t h = ZX_HANDLE_INVALID;

	zx_vmo_create(size, options, &h);
	return h;
}

static zx_handle_t vmo(uint64_t size)
{
	return vmo_opts(size, 0);
}

static zx_handle_t reduce(zx_handle_t h, zx_rights_t drop)
{
	zx_info_handle_basic_t info;
	zx_handle_t out = ZX_HANDLE_INVALID;

	memset(&info, 0, sizeof(info));
	zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL);
	zx_handle_replace(h, info.rights & ~drop, &out);
	return out;
}

static zx_handle_t root_without(zx_rights_t drop)
{
	zx_handle_t dup = ZX_HANDLE_INVALID;

	zx_handle_duplicate(zx_vmar_root_self(), ZX_RIGHT_SAME_RIGHTS, &dup);
	return reduce(dup, drop);
}

static zx_handle_t exec_vmo(void)
{
	zx_handle_t out = ZX_HANDLE_INVALID;

	zx_vmo_replace_as_executable(vmo(PAGE), ZX_HANDLE_INVALID, &out);
	return out;
}

/* A free, page-aligned address range of @len bytes (reserved, then freed). */
static uintptr_t free_range(size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	munmap(p, len);
	return (uintptr_t)p;
}

/*
 * zx_vmar_map(vmar, options, offset, vmo, 0, len) with everything unmapped
 * and closed afterwards.
 */
static zx_status_t map(zx_handle_t vmar, zx_vm_option_t options, size_t offset, zx_handle_t v,
		       uint64_t vmo_offset, size_t len)
{
	zx_vaddr_t addr = 0;
	zx_status_t s = zx_vmar_map(vmar, options, offset, v, vmo_offset, len, &addr);

	if (s == ZX_OK)
		zx_vmar_unmap(zx_vmar_root_self(), addr, len);
	if (vmar != zx_vmar_root_self())
		zx_handle_close(vmar);
	zx_handle_close(v);
	return s;
}

#define ROOT	zx_vmar_root_self()

static zx_status_t map_ok(void)
{
	return map(ROOT, RW, 0, vmo(PAGE), 0, PAGE);
}

static zx_status_t map_vmar_bad_handle(void)
{
	return map(NOT_A_HANDLE, RW, 0, vmo(PAGE), 0, PAGE);
}

static zx_status_t map_vmar_wrong_type(void)
{
	return map(vmo(PAGE), RW, 0, vmo(PAGE), 0, PAGE);
}

static zx_status_t map_vmo_bad_handle(void)
{
	return map(ROOT, RW, 0, NOT_A_HANDLE, 0, PAGE);
}

static zx_status_t map_vmo_wrong_type(void)
{
	zx_handle_t p = ZX_HANDLE_INVALID;

	zx_port_create(0, &p);
	return map(ROOT, RW, 0, p, 0, PAGE);
}

static zx_status_t map_no_map_right(void)
{
	return map(ROOT, RW, 0, reduce(vmo(PAGE), ZX_RIGHT_MAP), 0, PAGE);
}

static zx_status_t map_write_only(void)
{
	return map(ROOT, ZX_VM_PERM_WRITE, 0, vmo(PAGE), 0, PAGE);
}

static zx_status_t map_exec_only(void)
{
	return map(ROOT, ZX_VM_PERM_EXECUTE, 0, exec_vmo(), 0, PAGE);
}

static zx_status_t map_range_overwrite(void)
{
	return map(ROOT, RW | ZX_VM_MAP_RANGE | ZX_VM_SPECIFIC_OVERWRITE, free_range(PAGE),
		   vmo(PAGE), 0, PAGE);
}

static zx_status_t map_can_map_bits(void)
{
	return map(ROOT, RW | ZX_VM_CAN_MAP_READ, 0, vmo(PAGE), 0, PAGE);
}

static zx_status_t map_vmo_no_write(void)
{
	return map(ROOT, RW, 0, reduce(vmo(PAGE), ZX_RIGHT_WRITE), 0, PAGE);
}

static zx_status_t map_vmo_no_execute(void)
{
	return map(ROOT, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, vmo(PAGE), 0, PAGE);
}

static zx_status_t map_vmar_no_write(void)
{
	return map(root_without(ZX_RIGHT_WRITE), RW, 0, vmo(PAGE), 0, PAGE);
}

static zx_status_t map_exec_ok(void)
{
	return map(ROOT, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, exec_vmo(), 0, PAGE);
}

static zx_status_t map_unaligned_vmo_offset(void)
{
	return map(ROOT, RW, 0, vmo(2 * PAGE), 100, PAGE);
}

static zx_status_t map_unaligned_len(void)
{
	return map(ROOT, RW, 0, vmo(PAGE), 0, 100);
}

static zx_status_t map_len_zero(void)
{
	return map(ROOT, RW, 0, vmo(PAGE), 0, 0);
}

static zx_status_t map_unaligned_vmar_offset(void)
{
	return map(ROOT, RW | ZX_VM_SPECIFIC, free_range(PAGE) + 1, vmo(PAGE), 0, PAGE);
}

static zx_status_t map_offset_without_specific(void)
{
	return map(ROOT, RW, free_range(PAGE), vmo(PAGE), 0, PAGE);
}

static zx_status_t map_overlap(void)
{
	zx_handle_t v = vmo(PAGE);
	zx_vaddr_t addr = 0;
	zx_status_t s;

	if (zx_vmar_map(ROOT, RW, 0, v, 0, PAGE, &addr) != ZX_OK)
		return ZX_ERR_INTERNAL;
	s = map(ROOT, RW | ZX_VM_SPECIFIC, addr, vmo(PAGE), 0, PAGE);
	zx_vmar_unmap(ROOT, addr, PAGE);
	zx_handle_close(v);
	return s;
}

static zx_status_t map_overwrite_ok(void)
{
	zx_handle_t v = vmo(PAGE);
	zx_vaddr_t addr = 0;
	zx_status_t s;

	if (zx_vmar_map(ROOT, RW, 0, v, 0, PAGE, &addr) != ZX_OK)
		return ZX_ERR_INTERNAL;
	s = map(ROOT, RW | ZX_VM_SPECIFIC_OVERWRITE, addr, vmo(PAGE), 0, PAGE);
	zx_handle_close(v);
	return s;
}

static zx_status_t map_resizable(void)
{
	return map(ROOT, RW, 0, vmo_opts(PAGE, ZX_VMO_RESIZABLE), 0, PAGE);
}

static zx_status_t map_resizable_allow_faults(void)
{
	return map(ROOT, RW | ZX_VM_ALLOW_FAULTS, 0, vmo_opts(PAGE, ZX_VMO_RESIZABLE), 0, PAGE);
}

static zx_status_t map_align_option(void)
{
	return map(ROOT, RW | ZX_VM_ALIGN_2MB, 0, vmo(PAGE), 0, PAGE);
}

/* Alignment fields that name no ZX_VM_ALIGN_* value: 2^9, 2^33, bit 31. */
static zx_status_t map_align_below(void)
{
	return map(ROOT, RW | (9u << ZX_VM_ALIGN_BASE), 0, vmo(PAGE), 0, PAGE);
}

static zx_status_t map_align_above(void)
{
	return map(ROOT, RW | (33u << ZX_VM_ALIGN_BASE), 0, vmo(PAGE), 0, PAGE);
}

static zx_status_t map_align_top_bit(void)
{
	return map(ROOT, RW | 0x80000000u, 0, vmo(PAGE), 0, PAGE);
}

static zx_status_t map_align_4gb(void)
{
	return map(ROOT, RW | ZX_VM_ALIGN_4GB, 0, vmo(PAGE), 0, PAGE);
}

static zx_status_t map_past_end(void)
{
	return map(ROOT, RW, 0, vmo(PAGE), PAGE, PAGE);
}

static zx_status_t map_longer_than_vmo(void)
{
	return map(ROOT, RW, 0, vmo(PAGE), 0, 2 * PAGE);
}

static zx_status_t map_addr_fault(void)
{
	zx_handle_t v = vmo(PAGE);
	zx_status_t s = zx_vmar_map(ROOT, RW, 0, v, 0, PAGE, BAD_PTR);

	zx_handle_close(v);
	return s;
}

static zx_status_t unmap_ok(void)
{
	zx_handle_t v = vmo(PAGE);
	zx_vaddr_t addr = 0;
	zx_status_t s;

	if (zx_vmar_map(ROOT, RW, 0, v, 0, PAGE, &addr) != ZX_OK)
		return ZX_ERR_INTERNAL;
	s = zx_vmar_unmap(ROOT, addr, PAGE);
	zx_handle_close(v);
	return s;
}

static zx_status_t unmap_unaligned(void)
{
	return zx_vmar_unmap(ROOT, free_range(PAGE) + 8, PAGE);
}

static zx_status_t unmap_len_zero(void)
{
	return zx_vmar_unmap(ROOT, free_range(PAGE), 0);
}

static zx_status_t unmap_bad_handle(void)
{
	return zx_vmar_unmap(NOT_A_HANDLE, 0, PAGE);
}

static zx_status_t unmap_wrong_type(void)
{
	zx_handle_t v = vmo(PAGE);
	zx_status_t s = zx_vmar_unmap(v, free_range(PAGE), PAGE);

	zx_handle_close(v);
	return s;
}

/* zx_vmar_protect(vmar, options) over a fresh RW mapping of @v. */
static zx_status_t protect(zx_handle_t vmar, zx_vm_option_t options, zx_handle_t v)
{
	zx_vaddr_t addr = 0;
	zx_status_t s;

	if (zx_vmar_map(ROOT, ZX_VM_PERM_READ, 0, v, 0, PAGE, &addr) != ZX_OK)
		return ZX_ERR_INTERNAL;
	s = zx_vmar_protect(vmar, options, addr, PAGE);
	zx_vmar_unmap(ROOT, addr, PAGE);
	if (vmar != ROOT)
		zx_handle_close(vmar);
	zx_handle_close(v);
	return s;
}

static zx_status_t protect_ok(void)
{
	return protect(ROOT, RW, vmo(PAGE));
}

static zx_status_t protect_bad_handle(void)
{
	return protect(NOT_A_HANDLE, RW, vmo(PAGE));
}

static zx_status_t protect_wrong_type(void)
{
	return protect(vmo(PAGE), RW, vmo(PAGE));
}

static zx_status_t protect_bad_option(void)
{
	return protect(ROOT, RW | ZX_VM_SPECIFIC, vmo(PAGE));
}

static zx_status_t protect_write_only(void)
{
	return protect(ROOT, ZX_VM_PERM_WRITE, vmo(PAGE));
}

static zx_status_t protect_vmar_no_write(void)
{
	return protect(root_without(ZX_RIGHT_WRITE), RW, vmo(PAGE));
}

static zx_status_t protect_vmo_no_write(void)
{
	return protect(ROOT, RW, reduce(vmo(PAGE), ZX_RIGHT_WRITE));
}

static zx_status_t protect_unmapped(void)
{
	return zx_vmar_protect(ROOT, ZX_VM_PERM_READ, free_range(PAGE), PAGE);
}

static zx_status_t protect_len_zero(void)
{
	return zx_vmar_protect(ROOT, ZX_VM_PERM_READ, free_range(PAGE), 0);
}

static const struct {
	const char *name;
	zx_status_t (*fn)(void);
	zx_status_t want;
} error_table[] = {
	{ "zx_vmar_map(RW)", map_ok, ZX_OK },
	{ "zx_vmar_map(vmar bad handle)", map_vmar_bad_handle, ZX_ERR_BAD_HANDLE },
	{ "zx_vmar_map(vmar is a VMO)", map_vmar_wrong_type, ZX_ERR_WRONG_TYPE },
	{ "zx_vmar_map(vmo bad handle)", map_vmo_bad_handle, ZX_ERR_BAD_HANDLE },
	{ "zx_vmar_map(vmo is a port)", map_vmo_wrong_type, ZX_ERR_WRONG_TYPE },
	{ "zx_vmar_map(VMO without MAP)", map_no_map_right, ZX_ERR_ACCESS_DENIED },
	{ "zx_vmar_map(WRITE without READ)", map_write_only, ZX_ERR_INVALID_ARGS },
	{ "zx_vmar_map(EXECUTE without READ)", map_exec_only, ZX_ERR_INVALID_ARGS },
	{ "zx_vmar_map(MAP_RANGE|SPECIFIC_OVERWRITE)", map_range_overwrite, ZX_ERR_INVALID_ARGS },
	{ "zx_vmar_map(CAN_MAP_READ)", map_can_map_bits, ZX_ERR_INVALID_ARGS },
	{ "zx_vmar_map(WRITE, VMO without WRITE)", map_vmo_no_write, ZX_ERR_ACCESS_DENIED },
	{ "zx_vmar_map(EXECUTE, VMO without EXECUTE)", map_vmo_no_execute,
	  ZX_ERR_ACCESS_DENIED },
	{ "zx_vmar_map(WRITE, VMAR without WRITE)", map_vmar_no_write, ZX_ERR_ACCESS_DENIED },
	{ "zx_vmar_map(READ|EXECUTE, executable VMO)", map_exec_ok, ZX_OK },
	{ "zx_vmar_map(unaligned vmo_offset)", map_unaligned_vmo_offset, ZX_ERR_INVALID_ARGS },
	{ "zx_vmar_map(unaligned len)", map_unaligned_len, ZX_ERR_INVALID_ARGS },
	{ "zx_vmar_map(len 0)", map_len_zero, ZX_ERR_INVALID_ARGS },
	{ "zx_vmar_map(SPECIFIC, unaligned offset)", map_unaligned_vmar_offset,
	  ZX_ERR_INVALID_ARGS },
	{ "zx_vmar_map(offset without SPECIFIC)", map_offset_without_specific,
	  ZX_ERR_INVALID_ARGS },
	{ "zx_vmar_map(SPECIFIC over a mapping)", map_overlap, ZX_ERR_NO_MEMORY },
	{ "zx_vmar_map(SPECIFIC_OVERWRITE over a mapping)", map_overwrite_ok, ZX_OK },
	{ "zx_vmar_map(RESIZABLE VMO)", map_resizable, ZX_ERR_NOT_SUPPORTED },
	{ "zx_vmar_map(RESIZABLE VMO, ALLOW_FAULTS)", map_resizable_allow_faults, ZX_OK },
	{ "zx_vmar_map(ALIGN_2MB)", map_align_option, ZX_ERR_NOT_SUPPORTED },
	{ "zx_vmar_map(ALIGN_4GB)", map_align_4gb, ZX_ERR_NOT_SUPPORTED },
	{ "zx_vmar_map(alignment 2^9)", map_align_below, ZX_ERR_INVALID_ARGS },
	{ "zx_vmar_map(alignment 2^33)", map_align_above, ZX_ERR_INVALID_ARGS },
	{ "zx_vmar_map(option bit 31)", map_align_top_bit, ZX_ERR_INVALID_ARGS },
	{ "zx_vmar_map(vmo_offset at the end)", map_past_end, ZX_ERR_BUFFER_TOO_SMALL },
	{ "zx_vmar_map(len past the end)", map_longer_than_vmo, ZX_ERR_BUFFER_TOO_SMALL },
	{ "zx_vmar_map(faulting mapped_addr)", map_addr_fault, ZX_ERR_INVALID_ARGS },
	{ "zx_vmar_unmap(mapping)", unmap_ok, ZX_OK },
	{ "zx_vmar_unmap(unaligned)", unmap_unaligned, ZX_ERR_INVALID_ARGS },
	{ "zx_vmar_unmap(len 0)", unmap_len_zero, ZX_ERR_INVALID_ARGS },
	{ "zx_vmar_unmap(bad handle)", unmap_bad_handle, ZX_ERR_BAD_HANDLE },
	{ "zx_vmar_unmap(VMO)", unmap_wrong_type, ZX_ERR_WRONG_TYPE },
	{ "zx_vmar_protect(READ -> RW)", protect_ok, ZX_OK },
	{ "zx_vmar_protect(bad handle)", protect_bad_handle, ZX_ERR_BAD_HANDLE },
	{ "zx_vmar_protect(VMO)", protect_wrong_type, ZX_ERR_WRONG_TYPE },
	{ "zx_vmar_protect(non-PERM option)", protect_bad_option, ZX_ERR_INVALID_ARGS },
	{ "zx_vmar_protect(WRITE without READ)", protect_write_only, ZX_ERR_INVALID_ARGS },
	{ "zx_vmar_protect(WRITE, VMAR without WRITE)", protect_vmar_no_write,
	  ZX_ERR_ACCESS_DENIED },
	{ "zx_vmar_protect(WRITE, VMO without WRITE)", protect_vmo_no_write,
	  ZX_ERR_ACCESS_DENIED },
	{ "zx_vmar_protect(nothing mapped)", protect_unmapped, ZX_ERR_NOT_FOUND },
	{ "zx_vmar_protect(len 0)", protect_len_zero, ZX_ERR_INVALID_ARGS },
};

TEST(every_error_code)
{
	size_t i;

	ASSERT_NE(ZX_HANDLE_INVALID, zx_vmar_root_self());
	for (i = 0; i < sizeof(error_table) / sizeof(error_table[0]); i++) {
		zx_status_t got = error_table[i].fn();

		EXPECT_EQ(error_table[i].want, got) {
			TH_LOG("%s: want %s, got %s", error_table[i].name,
			       zx_status_get_string(error_table[i].want),
			       zx_status_get_string(got));
		}
	}
}

TEST(root_vmar)
{
	zx_info_handle_basic_t info;
	zx_handle_t root = zx_vmar_root_self();

	ASSERT_NE(ZX_HANDLE_INVALID, root);
	EXPECT_EQ(root, zx_vmar_root_self());
	memset(&info, 0, sizeof(info));
	ASSERT_EQ(ZX_OK, zx_object_get_info(root, ZX_INFO_HANDLE_BASIC, &info, sizeof(info),
					    NULL, NULL));
	EXPECT_EQ(ZX_OBJ_TYPE_VMAR, info.type);
	EXPECT_EQ(ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE,
		  info.rights);
}

TEST(vmo_and_mapping_are_coherent)
{
	zx_handle_t v = vmo(3 * PAGE);
	zx_vaddr_t addr = 0;
	char msg[] = "hello, vmar";
	char got[sizeof(msg)];
	volatile char *p;

	ASSERT_EQ(ZX_OK, zx_vmo_write(v, msg, PAGE - 4, sizeof(msg)));
	ASSERT_EQ(ZX_OK, zx_vmar_map(zx_vmar_root_self(), RW, 0, v, 0, 3 * PAGE, &addr));
	p = (volatile char *)addr;
	EXPECT_EQ(0, memcmp((const void *)(p + PAGE - 4), msg, sizeof(msg)));
	/* A store through the mapping is seen by zx_vmo_read. */
	p[2 * PAGE + 5] = 'x';
	ASSERT_EQ(ZX_OK, zx_vmo_read(v, got, 2 * PAGE + 5, 1));
	EXPECT_EQ('x', got[0]);
	/* And a later zx_vmo_write by the mapping. */
	ASSERT_EQ(ZX_OK, zx_vmo_write(v, "y", 2 * PAGE + 5, 1));
	EXPECT_EQ('y', p[2 * PAGE + 5]);
	EXPECT_EQ(ZX_OK, zx_vmar_unmap(zx_vmar_root_self(), addr, 3 * PAGE));
	EXPECT_EQ(ZX_OK, zx_handle_close(v));
}

TEST(two_mappings_are_coherent)
{
	zx_handle_t v = vmo(4 * PAGE);
	zx_vaddr_t a = 0, b = 0;
	volatile uint32_t *pa, *pb;

	ASSERT_EQ(ZX_OK, zx_vmar_map(zx_vmar_root_self(), RW, 0, v, 0, 4 * PAGE, &a));
	/* The second mapping starts one page into the VMO. */
	ASSERT_EQ(ZX_OK, zx_vmar_map(zx_vmar_root_self(), RW, 0, v, PAGE, 2 * PAGE, &b));
	ASSERT_NE(a, b);
	pa = (volatile uint32_t *)(a + PAGE);
	pb = (volatile uint32_t *)b;
	*pa = 0x12345678;
	EXPECT_EQ(0x12345678u, *pb);
	pb[PAGE / 4] = 0xcafef00d;
	EXPECT_EQ(0xcafef00du, pa[PAGE / 4]);
	/* Handles closed: the mappings keep the VMO alive. */
	EXPECT_EQ(ZX_OK, zx_handle_close(v));
	*pa = 7;
	EXPECT_EQ(7u, *pb);
	EXPECT_EQ(ZX_OK, zx_vmar_unmap(zx_vmar_root_self(), a, 4 * PAGE));
	EXPECT_EQ(ZX_OK, zx_vmar_unmap(zx_vmar_root_self(), b, 2 * PAGE));
}

TEST(specific_and_protect)
{
	zx_handle_t v = vmo(2 * PAGE), ro = ZX_HANDLE_INVALID;
	uintptr_t where = free_range(2 * PAGE);
	zx_vaddr_t addr = 0;
	int status;
	pid_t pid;

	ASSERT_NE(0, where);
	ASSERT_EQ(ZX_OK, zx_vmar_map(zx_vmar_root_self(), RW | ZX_VM_SPECIFIC, where, v, 0,
				     2 * PAGE, &addr));
	EXPECT_EQ(where, addr);
	((volatile char *)addr)[PAGE] = 1;
	ASSERT_EQ(ZX_OK, zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ, addr + PAGE, PAGE));
	/* The first page stays writable, the second is read-only now. */
	((volatile char *)addr)[0] = 2;
	EXPECT_EQ(1, ((volatile char *)addr)[PAGE]);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		((volatile char *)addr)[PAGE] = 3;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	/* mprotect() cannot go beyond what the handles allowed. */
	ASSERT_EQ(ZX_OK, zx_handle_replace(v, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE, &ro));
	ASSERT_EQ(ZX_OK, zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, ro, 0, PAGE, &addr));
	EXPECT_EQ(-1, mprotect((void *)addr, PAGE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(0, mprotect((void *)addr, PAGE, PROT_NONE));
	EXPECT_EQ(ZX_OK, zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
	EXPECT_EQ(ZX_OK, zx_vmar_unmap(zx_vmar_root_self(), where, 2 * PAGE));
	EXPECT_EQ(ZX_OK, zx_handle_close(ro));
}

TEST(create_map_unmap_close_cycles)
{
	int i;

	for (i = 0; i < 1000; i++) {
		zx_handle_t v = vmo(2 * PAGE);
		zx_vaddr_t addr = 0;

		ASSERT_NE(ZX_HANDLE_INVALID, v);
		ASSERT_EQ(ZX_OK, zx_vmar_map(zx_vmar_root_self(), RW | ZX_VM_MAP_RANGE, 0, v, 0,
					     2 * PAGE, &addr));
		((volatile char *)addr)[PAGE + i] = (char)i;
		ASSERT_EQ(ZX_OK, zx_vmar_unmap(zx_vmar_root_self(), addr, 2 * PAGE));
		ASSERT_EQ(ZX_OK, zx_handle_close(v));
	}
}

/* --- the rights matrix: each call x each right it needs, on VMO or VMAR ---- */

FIXTURE(rights) {
	zx_handle_t vmo_with, vmo_without, vmar_with, vmar_without;
};

FIXTURE_VARIANT(rights) {
	const char *call;
	bool on_vmar;		/* the right is taken from the VMAR, else the VMO */
	zx_rights_t needed;
	zx_status_t (*run)(zx_handle_t vmo, zx_handle_t vmar);
};

static zx_status_t run_read(zx_handle_t v, zx_handle_t vmar)
{
	char c;

	return zx_vmo_read(v, &c, 0, 1);
}

static zx_status_t run_write(zx_handle_t v, zx_handle_t vmar)
{
	return zx_vmo_write(v, "c", 0, 1);
}

static zx_status_t run_map(zx_handle_t v, zx_handle_t vmar, zx_vm_option_t perms)
{
	zx_vaddr_t addr = 0;
	zx_status_t s = zx_vmar_map(vmar, perms, 0, v, 0, PAGE, &addr);

	if (s == ZX_OK)
		zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE);
	return s;
}

static zx_status_t run_map_r(zx_handle_t v, zx_handle_t vmar)
{
	return run_map(v, vmar, ZX_VM_PERM_READ);
}

static zx_status_t run_map_rw(zx_handle_t v, zx_handle_t vmar)
{
	return run_map(v, vmar, RW);
}

static zx_status_t run_map_rx(zx_handle_t v, zx_handle_t vmar)
{
	return run_map(v, vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE);
}

/* Maps @v read-only through the root VMAR, then protects through @vmar. */
static zx_status_t run_protect(zx_handle_t v, zx_handle_t vmar, zx_vm_option_t perms)
{
	zx_vaddr_t addr = 0;
	zx_status_t s;

	if (zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, v, 0, PAGE, &addr) != ZX_OK)
		return ZX_ERR_INTERNAL;
	s = zx_vmar_protect(vmar, perms, addr, PAGE);
	zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE);
	return s;
}

static zx_status_t run_protect_rw(zx_handle_t v, zx_handle_t vmar)
{
	return run_protect(v, vmar, RW);
}

static zx_status_t run_protect_rx(zx_handle_t v, zx_handle_t vmar)
{
	return run_protect(v, vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE);
}

FIXTURE_VARIANT_ADD(rights, vmo_read_needs_READ) {
	.call = "zx_vmo_read", .needed = ZX_RIGHT_READ, .run = run_read,
};

FIXTURE_VARIANT_ADD(rights, vmo_write_needs_WRITE) {
	.call = "zx_vmo_write", .needed = ZX_RIGHT_WRITE, .run = run_write,
};

FIXTURE_VARIANT_ADD(rights, map_needs_vmo_MAP) {
	.call = "zx_vmar_map(R)", .needed = ZX_RIGHT_MAP, .run = run_map_r,
};

FIXTURE_VARIANT_ADD(rights, map_r_needs_vmo_READ) {
	.call = "zx_vmar_map(R)", .needed = ZX_RIGHT_READ, .run = run_map_r,
};

FIXTURE_VARIANT_ADD(rights, map_rw_needs_vmo_WRITE) {
	.call = "zx_vmar_map(RW)", .needed = ZX_RIGHT_WRITE, .run = run_map_rw,
};

FIXTURE_VARIANT_ADD(rights, map_rx_needs_vmo_EXECUTE) {
	.call = "zx_vmar_map(RX)", .needed = ZX_RIGHT_EXECUTE, .run = run_map_rx,
};

FIXTURE_VARIANT_ADD(rights, map_r_needs_vmar_READ) {
	.call = "zx_vmar_map(R)", .on_vmar = true, .needed = ZX_RIGHT_READ, .run = run_map_r,
};

FIXTURE_VARIANT_ADD(rights, map_rw_needs_vmar_WRITE) {
	.call = "zx_vmar_map(RW)", .on_vmar = true, .needed = ZX_RIGHT_WRITE, .run = run_map_rw,
};

FIXTURE_VARIANT_ADD(rights, map_rx_needs_vmar_EXECUTE) {
	.call = "zx_vmar_map(RX)", .on_vmar = true, .needed = ZX_RIGHT_EXECUTE,
	.run = run_map_rx,
};

FIXTURE_VARIANT_ADD(rights, protect_rw_needs_vmar_WRITE) {
	.call = "zx_vmar_protect(RW)", .on_vmar = true, .needed = ZX_RIGHT_WRITE,
	.run = run_protect_rw,
};

FIXTURE_VARIANT_ADD(rights, protect_rx_needs_vmar_EXECUTE) {
	.call = "zx_vmar_protect(RX)", .on_vmar = true, .needed = ZX_RIGHT_EXECUTE,
	.run = run_protect_rx,
};

FIXTURE_SETUP(rights)
{
	zx_handle_t full = exec_vmo();

	ASSERT_NE(ZX_HANDLE_INVALID, full);
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(full, ZX_RIGHT_SAME_RIGHTS, &self->vmo_without));
	if (!variant->on_vmar)
		self->vmo_without = reduce(self->vmo_without, variant->needed);
	self->vmo_with = full;
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(zx_vmar_root_self(), ZX_RIGHT_SAME_RIGHTS,
					     &self->vmar_with));
	self->vmar_without = root_without(variant->on_vmar ? variant->needed : 0);
	ASSERT_NE(ZX_HANDLE_INVALID, self->vmo_without);
	ASSERT_NE(ZX_HANDLE_INVALID, self->vmar_without);
}

FIXTURE_TEARDOWN(rights)
{
	zx_handle_close(self->vmo_with);
	zx_handle_close(self->vmo_without);
	zx_handle_close(self->vmar_with);
	zx_handle_close(self->vmar_without);
}

TEST_F(rights, missing_right_is_access_denied)
{
	TH_LOG("%s without %#x on the %s", variant->call, variant->needed,
	       variant->on_vmar ? "VMAR" : "VMO");
	EXPECT_EQ(ZX_OK, variant->run(self->vmo_with, self->vmar_with));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, variant->run(self->vmo_without, self->vmar_without));
	/* Handle lookup comes first. */
	if (variant->on_vmar) {
		EXPECT_EQ(ZX_ERR_BAD_HANDLE, variant->run(self->vmo_with, NOT_A_HANDLE));
	} else {
		EXPECT_EQ(ZX_ERR_BAD_HANDLE, variant->run(NOT_A_HANDLE, self->vmar_with));
	}
}

TEST_HARNESS_MAIN
