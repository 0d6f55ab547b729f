// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMOs through libzx: zx_vmo_create(), zx_vmo_get_size(), zx_vmo_read(),
 * zx_vmo_write(), zx_vmo_replace_as_executable().  Every status each call
 * can return is reached by one row of the error table.  Runs as root (the
 * vmex rows use the hypervisor resource).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"

#define BAD_PTR		((void *)8)
#define NOT_A_HANDLE	((zx_handle_t)0x12345678u)
#define PAGE		4096u

static zx_handle_t vmo(uint64_t size)
{
	zx_handle_t h = ZX_HANDLE_INVALID;

	if (zx_vmo_create(size, 0, &h) != ZX_OK)
		return ZX_HANDLE_INVALID;
	return h;
}

static zx_handle_t vmo_with_rights(zx_rights_t rights)
{
	zx_handle_t out = ZX_HANDLE_INVALID;

	if (zx_handle_replace(vmo(PAGE), rights, &out) != ZX_OK)
		return ZX_HANDLE_INVALID;
	return out;
}

static zx_handle_t port(void)
{
	zx_handle_t h = ZX_HANDLE_INVALID;

	zx_port_create(0, &h);
	return h;
}

static zx_rights_t rights_of(zx_handle_t h)
{
	zx_info_handle_basic_t info;

	memset(&info, 0, sizeof(info));
	if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL))
		return 0;
	return info.rights;
}

static bool valid(zx_handle_t h)
{
	return zx_object_get_info(h, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL) == ZX_OK;
}

/* --- the error table ------------------------------------------------------- */

static zx_status_t create_ok(void)
{
	zx_handle_t h;
	zx_status_t s = zx_vmo_create(10, ZX_VMO_RESIZABLE | ZX_VMO_DISCARDABLE, &h);

	zx_handle_close(h);
	return s;
}

static zx_status_t create_bad_options(void)
{
	zx_handle_t h;

	return zx_vmo_create(PAGE, 1, &h);
}

static zx_status_t create_too_large(void)
{
	zx_handle_t h;

	return zx_vmo_create((64ull << 30) + 1, 0, &h);
}

static zx_status_t create_out_fault(void)
{
	return zx_vmo_create(PAGE, 0, BAD_PTR);
}

static zx_status_t size_ok(void)
{
	zx_handle_t h = vmo(PAGE + 1);
	uint64_t size = 0;
	zx_status_t s = zx_vmo_get_size(h, &size);

	zx_handle_close(h);
	return s == ZX_OK && size != 2 * PAGE ? ZX_ERR_INTERNAL : s;
}

static zx_status_t size_bad_handle(void)
{
	uint64_t size;

	return zx_vmo_get_size(NOT_A_HANDLE, &size);
}

static zx_status_t size_wrong_type(void)
{
	zx_handle_t p = port();
	uint64_t size;
	zx_status_t s = zx_vmo_get_size(p, &size);

	zx_handle_close(p);
	return s;
}

static zx_status_t size_no_rights_needed(void)
{
	zx_handle_t h = vmo_with_rights(0);
	uint64_t size;
	zx_status_t s = zx_vmo_get_size(h, &size);

	zx_handle_close(h);
	return s;
}

static zx_status_t size_fault(void)
{
	zx_handle_t h = vmo(PAGE);
	zx_status_t s = zx_vmo_get_size(h, BAD_PTR);

	zx_handle_close(h);
	return s;
}

/* zx_vmo_read (@write false) or zx_vmo_write of @len bytes at @offset. */
static zx_status_t rw(zx_handle_t h, bool write, void *buf, uint64_t offset, size_t len)
{
	zx_status_t s = write ? zx_vmo_write(h, buf, offset, len) :
				zx_vmo_read(h, buf, offset, len);

	zx_handle_close(h);
	return s;
}

static char buf[2 * PAGE];

static zx_status_t read_ok(void)
{
	return rw(vmo(2 * PAGE), false, buf, 10, PAGE);
}

static zx_status_t read_bad_handle(void)
{
	return zx_vmo_read(NOT_A_HANDLE, buf, 0, 1);
}

static zx_status_t read_wrong_type(void)
{
	return rw(port(), false, buf, 0, 1);
}

static zx_status_t read_no_right(void)
{
	return rw(vmo_with_rights(ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_READ), false, buf, 0, 1);
}

static zx_status_t read_out_of_range(void)
{
	return rw(vmo(PAGE), false, buf, PAGE - 1, 2);
}

static zx_status_t read_overflow(void)
{
	return rw(vmo(PAGE), false, buf, UINT64_MAX, 2);
}

static zx_status_t read_fault(void)
{
	return rw(vmo(PAGE), false, BAD_PTR, 0, 16);
}

static zx_status_t write_ok(void)
{
	return rw(vmo(2 * PAGE), true, buf, PAGE - 3, PAGE);
}

static zx_status_t write_bad_handle(void)
{
	return zx_vmo_write(NOT_A_HANDLE, buf, 0, 1);
}

static zx_status_t write_wrong_type(void)
{
	return rw(port(), true, buf, 0, 1);
}

static zx_status_t write_no_right(void)
{
	return rw(vmo_with_rights(ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE), true, buf, 0, 1);
}

static zx_status_t write_out_of_range(void)
{
	return rw(vmo(PAGE), true, buf, PAGE, 1);
}

static zx_status_t write_fault(void)
{
	return rw(vmo(PAGE), true, BAD_PTR, 0, 16);
}

static zx_status_t repexec(zx_handle_t src, zx_handle_t vmex)
{
	zx_handle_t out = ZX_HANDLE_INVALID;
	zx_status_t s = zx_vmo_replace_as_executable(src, vmex, &out);

	/* The source is gone whatever happened (if it was a handle). */
	if (valid(src))
		s = ZX_ERR_INTERNAL;
	if (s == ZX_OK && rights_of(out) != (ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_EXECUTE))
		s = ZX_ERR_INTERNAL;
	zx_handle_close(out);
	zx_handle_close(vmex);
	return s;
}

static zx_handle_t hv_resource(void)
{
	zx_handle_t h = ZX_HANDLE_INVALID;

	zxhv_hypervisor_resource(&h);
	return h;
}

static zx_status_t repexec_ok(void)
{
	return repexec(vmo(PAGE), ZX_HANDLE_INVALID);
}

static zx_status_t repexec_bad_handle(void)
{
	return repexec(NOT_A_HANDLE, ZX_HANDLE_INVALID);
}

static zx_status_t repexec_wrong_type(void)
{
	return repexec(port(), ZX_HANDLE_INVALID);
}

static zx_status_t repexec_vmex_bad_handle(void)
{
	return repexec(vmo(PAGE), NOT_A_HANDLE);
}

static zx_status_t repexec_vmex_wrong_type(void)
{
	return repexec(vmo(PAGE), port());
}

/* The hypervisor resource is SYSTEM but covers only HYPERVISOR_BASE. */
static zx_status_t repexec_vmex_out_of_range(void)
{
	return repexec(vmo(PAGE), hv_resource());
}

static zx_status_t repexec_out_fault(void)
{
	zx_handle_t h = vmo(PAGE);
	zx_status_t s = zx_vmo_replace_as_executable(h, ZX_HANDLE_INVALID, BAD_PTR);

	return valid(h) ? ZX_ERR_INTERNAL : s;
}

static const struct {
	const char *name;
	zx_status_t (*fn)(void);
	zx_status_t want;
} error_table[] = {
	{ "zx_vmo_create(10, RESIZABLE|DISCARDABLE)", create_ok, ZX_OK },
	{ "zx_vmo_create(unknown option)", create_bad_options, ZX_ERR_INVALID_ARGS },
	{ "zx_vmo_create(64 GiB + 1)", create_too_large, ZX_ERR_OUT_OF_RANGE },
	{ "zx_vmo_create(faulting out)", create_out_fault, ZX_ERR_INVALID_ARGS },
	{ "zx_vmo_get_size(page + 1 -> 2 pages)", size_ok, ZX_OK },
	{ "zx_vmo_get_size(bad handle)", size_bad_handle, ZX_ERR_BAD_HANDLE },
	{ "zx_vmo_get_size(port)", size_wrong_type, ZX_ERR_WRONG_TYPE },
	{ "zx_vmo_get_size(no rights)", size_no_rights_needed, ZX_OK },
	{ "zx_vmo_get_size(faulting size)", size_fault, ZX_ERR_INVALID_ARGS },
	{ "zx_vmo_read(across pages)", read_ok, ZX_OK },
	{ "zx_vmo_read(bad handle)", read_bad_handle, ZX_ERR_BAD_HANDLE },
	{ "zx_vmo_read(port)", read_wrong_type, ZX_ERR_WRONG_TYPE },
	{ "zx_vmo_read(no READ)", read_no_right, ZX_ERR_ACCESS_DENIED },
	{ "zx_vmo_read(past the end)", read_out_of_range, ZX_ERR_OUT_OF_RANGE },
	{ "zx_vmo_read(offset overflows)", read_overflow, ZX_ERR_OUT_OF_RANGE },
	{ "zx_vmo_read(faulting buffer)", read_fault, ZX_ERR_INVALID_ARGS },
	{ "zx_vmo_write(across pages)", write_ok, ZX_OK },
	{ "zx_vmo_write(bad handle)", write_bad_handle, ZX_ERR_BAD_HANDLE },
	{ "zx_vmo_write(port)", write_wrong_type, ZX_ERR_WRONG_TYPE },
	{ "zx_vmo_write(no WRITE)", write_no_right, ZX_ERR_ACCESS_DENIED },
	{ "zx_vmo_write(past the end)", write_out_of_range, ZX_ERR_OUT_OF_RANGE },
	{ "zx_vmo_write(faulting buffer)", write_fault, ZX_ERR_INVALID_ARGS },
	{ "zx_vmo_replace_as_executable(vmo, INVALID)", repexec_ok, ZX_OK },
	{ "zx_vmo_replace_as_executable(bad handle)", repexec_bad_handle, ZX_ERR_BAD_HANDLE },
	{ "zx_vmo_replace_as_executable(port)", repexec_wrong_type, ZX_ERR_WRONG_TYPE },
	{ "zx_vmo_replace_as_executable(vmex bad handle)", repexec_vmex_bad_handle,
	  ZX_ERR_BAD_HANDLE },
	{ "zx_vmo_replace_as_executable(vmex is a port)", repexec_vmex_wrong_type,
	  ZX_ERR_WRONG_TYPE },
	{ "zx_vmo_replace_as_executable(vmex = hypervisor resource)", repexec_vmex_out_of_range,
	  ZX_ERR_OUT_OF_RANGE },
	{ "zx_vmo_replace_as_executable(faulting out)", repexec_out_fault, ZX_ERR_INVALID_ARGS },
};

TEST(every_error_code)
{
	size_t i;

	for (i = 0; i < sizeof(error_table) / sizeof(error_table[0]); i++) {
		zx_status_t got = error_table[i].fn();

		EXPECT_EQ(error_table[i].want, got) {
			TH_LOG("%s: want %s, got %s", error_table[i].name,
			       zx_status_get_string(error_table[i].want),
			       zx_status_get_string(got));
		}
	}
}

/* The VMEX resource, derived from a ROOT resource, is not available here. */
TEST(vmex_resource_cannot_be_derived)
{
	zx_handle_t hv = hv_resource(), vmex = ZX_HANDLE_INVALID;

	ASSERT_NE(ZX_HANDLE_INVALID, hv);
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED,
		  zx_resource_create(hv, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_VMEX_BASE, 1, "v", 1,
				     &vmex));
	zx_handle_close(hv);
}

TEST(round_trip_and_zero_fill)
{
	const size_t len = 3 * PAGE + 123;
	zx_handle_t h = vmo(5 * PAGE);
	uint8_t *in = malloc(len), *out = malloc(len);
	size_t i;

	ASSERT_NE(ZX_HANDLE_INVALID, h);
	ASSERT_TRUE(in && out);
	/* A new VMO reads as zeros. */
	memset(out, 0xff, len);
	ASSERT_EQ(ZX_OK, zx_vmo_read(h, out, 0, len));
	for (i = 0; i < len; i++)
		ASSERT_EQ(0, out[i]);
	for (i = 0; i < len; i++)
		in[i] = (uint8_t)(i * 13 + 1);
	ASSERT_EQ(ZX_OK, zx_vmo_write(h, in, PAGE - 7, len));
	ASSERT_EQ(ZX_OK, zx_vmo_read(h, out, PAGE - 7, len));
	EXPECT_EQ(0, memcmp(in, out, len));
	free(in);
	free(out);
	EXPECT_EQ(ZX_OK, zx_handle_close(h));
}

TEST(create_close_cycles)
{
	int i;

	for (i = 0; i < 1000; i++) {
		zx_handle_t h = vmo(3 * PAGE);

		ASSERT_NE(ZX_HANDLE_INVALID, h);
		ASSERT_EQ(ZX_OK, zx_vmo_write(h, buf, PAGE - 1, 2));
		ASSERT_EQ(ZX_OK, zx_handle_close(h));
	}
}

/*
 * A 4 MiB VMO (two 2 MiB runs, so its pages come from contiguous blocks
 * when the host has them) mapped with zx_vmar_map: every page written
 * through the mapping reads back through zx_vmo_read, then unmap and
 * close free it all (KASAN and kmemleak watch the block pages).
 */
TEST(mapped_blocks_round_trip)
{
	const size_t len = 4u << 20;
	zx_handle_t h = vmo(len);
	zx_vaddr_t addr = 0;
	uint8_t *map, *out = malloc(len);
	size_t i;

	ASSERT_NE(ZX_HANDLE_INVALID, h);
	ASSERT_NE(NULL, out);
	ASSERT_EQ(ZX_OK, zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0,
				     h, 0, len, &addr));
	map = (uint8_t *)addr;
	for (i = 0; i < len / PAGE; i++) {
		map[i * PAGE + i % PAGE] = (uint8_t)(i * 7 + 1);
		map[i * PAGE + PAGE - 1] = (uint8_t)~i;
	}
	ASSERT_EQ(ZX_OK, zx_vmo_read(h, out, 0, len));
	for (i = 0; i < len; i++) {
		size_t page = i / PAGE, in = i % PAGE;
		uint8_t want = 0;

		if (in == PAGE - 1)
			want = (uint8_t)~page;
		else if (in == page % PAGE)
			want = (uint8_t)(page * 7 + 1);
		ASSERT_EQ(want, out[i]) {
			TH_LOG("byte %zu", i);
		}
	}
	EXPECT_EQ(ZX_OK, zx_vmar_unmap(zx_vmar_root_self(), addr, len));
	EXPECT_EQ(ZX_OK, zx_handle_close(h));
	free(out);
}

TEST_HARNESS_MAIN
