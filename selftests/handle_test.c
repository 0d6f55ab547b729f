// SPDX-License-Identifier: GPL-2.0-only
/*
 * Handles through libzx: zx_handle_close(), zx_handle_close_many(),
 * zx_handle_duplicate(), zx_handle_replace(), zx_object_get_info(),
 * zxhv_handle_export()/zxhv_handle_import(): every status each call can
 * return, what the calls do, and the right each one needs.  Handles
 * crossing processes and the raw ioctls: handle_process_test.c.  The
 * objects are hypervisor resources, so these tests run as root.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * every_error_code              every status of each call, one row each: close,
 *                               close_many, duplicate, replace, get_info, export, import
 * values_look_like_zircon       1000 handles: fixed bits set, a closed value is not
 *                               handed out again soon
 * duplicate_rights              duplicates share the koid; rights only shrink; a
 *                               failed duplicate leaves the source
 * replace_closes_source         replace moves the handle; INVALID_ARGS and a faulting
 *                               out pointer close the source too
 * get_info_sizes                HANDLE_BASIC actual/avail with small, NULL and large
 *                               buffers
 * close_many_closes_the_rest    one bad entry: BAD_HANDLE, every other one closed
 * create_close_cycles           1000 create/duplicate/close cycles
 * rights.missing_right_is_access_denied
 *                               duplicate needs DUPLICATE, export TRANSFER,
 *                               resource_create WRITE; the lookup comes first
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>
#include <zircon-hv.h>

#include "kselftest_harness.h"
#include "zxhv_handles.h"

/* --- the error table: every status each call can return, one row each ---- */

static zx_status_t close_invalid(void)
{
	return zx_handle_close(ZX_HANDLE_INVALID);
}

static zx_status_t close_ok(void)
{
	return zx_handle_close(new_object());
}

static zx_status_t close_bad_handle(void)
{
	return zx_handle_close(NOT_A_HANDLE);
}

static zx_status_t close_twice(void)
{
	zx_handle_t h = new_object();

	zx_handle_close(h);
	return zx_handle_close(h);
}

static zx_status_t close_many_ok(void)
{
	zx_handle_t hs[3] = { new_object(), ZX_HANDLE_INVALID, new_object() };

	return zx_handle_close_many(hs, 3);
}

static zx_status_t close_many_bad_handle(void)
{
	zx_handle_t hs[2] = { new_object(), NOT_A_HANDLE };

	return zx_handle_close_many(hs, 2);
}

static zx_status_t close_many_fault(void)
{
	return zx_handle_close_many(BAD_PTR, 4);
}

static zx_status_t dup_ok(void)
{
	zx_handle_t h = new_object(), d;
	zx_status_t s = zx_handle_duplicate(h, ZX_RIGHT_SAME_RIGHTS, &d);

	zx_handle_close(h);
	zx_handle_close(d);
	return s;
}

static zx_status_t dup_bad_handle(void)
{
	zx_handle_t d;

	return zx_handle_duplicate(NOT_A_HANDLE, ZX_RIGHT_SAME_RIGHTS, &d);
}

static zx_status_t dup_access_denied(void)
{
	zx_handle_t h = object_with_rights(ZX_RIGHT_TRANSFER), d;
	zx_status_t s = zx_handle_duplicate(h, ZX_RIGHT_SAME_RIGHTS, &d);

	zx_handle_close(h);
	return s;
}

static zx_status_t dup_not_subset(void)
{
	zx_handle_t h = new_object(), d;
	zx_status_t s = zx_handle_duplicate(h, ZX_RIGHT_READ, &d);

	zx_handle_close(h);
	return s;
}

static zx_status_t dup_out_fault(void)
{
	zx_handle_t h = new_object();
	zx_status_t s = zx_handle_duplicate(h, ZX_RIGHT_SAME_RIGHTS, BAD_PTR);

	zx_handle_close(h);
	return s;
}

static zx_status_t replace_ok(void)
{
	zx_handle_t d;
	zx_status_t s = zx_handle_replace(new_object(), ZX_RIGHT_DUPLICATE, &d);

	zx_handle_close(d);
	return s;
}

static zx_status_t replace_bad_handle(void)
{
	zx_handle_t d;

	return zx_handle_replace(NOT_A_HANDLE, ZX_RIGHT_SAME_RIGHTS, &d);
}

static zx_status_t replace_not_subset(void)
{
	zx_handle_t d;

	return zx_handle_replace(new_object(), ZX_RIGHT_EXECUTE, &d);
}

static zx_status_t replace_out_fault(void)
{
	return zx_handle_replace(new_object(), ZX_RIGHT_SAME_RIGHTS, BAD_PTR);
}

static zx_status_t info_valid_ok(void)
{
	zx_handle_t h = new_object();
	zx_status_t s = zx_object_get_info(h, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL);

	zx_handle_close(h);
	return s;
}

static zx_status_t info_valid_bad_handle(void)
{
	return zx_object_get_info(NOT_A_HANDLE, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL);
}

static zx_status_t info_basic_bad_handle(void)
{
	zx_info_handle_basic_t info;

	return zx_object_get_info(ZX_HANDLE_INVALID, ZX_INFO_HANDLE_BASIC, &info,
				  sizeof(info), NULL, NULL);
}

static zx_status_t info_basic_too_small(void)
{
	zx_info_handle_basic_t info;
	zx_handle_t h = new_object();
	zx_status_t s = zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info) - 1,
					   NULL, NULL);

	zx_handle_close(h);
	return s;
}

static zx_status_t info_basic_buffer_fault(void)
{
	zx_handle_t h = new_object();
	zx_status_t s = zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, BAD_PTR,
					   sizeof(zx_info_handle_basic_t), NULL, NULL);

	zx_handle_close(h);
	return s;
}

static zx_status_t info_basic_actual_fault(void)
{
	zx_info_handle_basic_t info;
	zx_handle_t h = new_object();
	zx_status_t s = zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info),
					   BAD_PTR, NULL);

	zx_handle_close(h);
	return s;
}

static zx_status_t info_unknown_topic(void)
{
	char buf[64];
	zx_handle_t h = new_object();
	zx_status_t s = zx_object_get_info(h, 0x7777, buf, sizeof(buf), NULL, NULL);

	zx_handle_close(h);
	return s;
}

static zx_status_t export_ok(void)
{
	int fd = -1;
	zx_status_t s = zxhv_handle_export(new_object(), &fd);

	close(fd);
	return s;
}

static zx_status_t export_bad_handle(void)
{
	int fd;

	return zxhv_handle_export(NOT_A_HANDLE, &fd);
}

static zx_status_t export_no_transfer(void)
{
	zx_handle_t h = object_with_rights(ZX_DEFAULT_RESOURCE_RIGHTS & ~ZX_RIGHT_TRANSFER);
	zx_status_t s;
	int fd;

	s = zxhv_handle_export(h, &fd);
	zx_handle_close(h);
	return s;
}

static zx_status_t export_fd_fault(void)
{
	zx_handle_t h = new_object();
	zx_status_t s = zxhv_handle_export(h, BAD_PTR);

	/* The handle stays where it was. */
	if (!valid(h))
		s = ZX_ERR_INTERNAL;
	zx_handle_close(h);
	return s;
}

static zx_status_t import_closed_fd(void)
{
	zx_handle_t h;

	return zxhv_handle_import(-1, &h);
}

static zx_status_t import_not_a_handle_fd(void)
{
	zx_handle_t h;
	zx_status_t s;
	int p[2];

	if (pipe(p))
		return ZX_ERR_INTERNAL;
	s = zxhv_handle_import(p[0], &h);
	close(p[0]);
	close(p[1]);
	return s;
}

static zx_status_t import_twice(void)
{
	zx_handle_t h;
	zx_status_t s;
	int fd;

	if (zxhv_handle_export(new_object(), &fd) != ZX_OK ||
	    zxhv_handle_import(fd, &h) != ZX_OK)
		return ZX_ERR_INTERNAL;
	zx_handle_close(h);
	s = zxhv_handle_import(fd, &h);
	close(fd);
	return s;
}

static zx_status_t import_out_fault(void)
{
	zx_handle_t h;
	zx_status_t s;
	int fd;

	if (zxhv_handle_export(new_object(), &fd) != ZX_OK)
		return ZX_ERR_INTERNAL;
	s = zxhv_handle_import(fd, BAD_PTR);
	/* The descriptor still holds the handle. */
	if (zxhv_handle_import(fd, &h) != ZX_OK)
		s = ZX_ERR_INTERNAL;
	zx_handle_close(h);
	close(fd);
	return s;
}

static const struct {
	const char *name;
	zx_status_t (*run)(void);
	zx_status_t want;
} error_table[] = {
	{ "zx_handle_close(ZX_HANDLE_INVALID)", close_invalid, ZX_OK },
	{ "zx_handle_close(valid)", close_ok, ZX_OK },
	{ "zx_handle_close(never a handle)", close_bad_handle, ZX_ERR_BAD_HANDLE },
	{ "zx_handle_close(closed)", close_twice, ZX_ERR_BAD_HANDLE },
	{ "zx_handle_close_many(valid, INVALID, valid)", close_many_ok, ZX_OK },
	{ "zx_handle_close_many(valid, bad)", close_many_bad_handle, ZX_ERR_BAD_HANDLE },
	{ "zx_handle_close_many(faulting array)", close_many_fault, ZX_ERR_INVALID_ARGS },
	{ "zx_handle_duplicate(SAME_RIGHTS)", dup_ok, ZX_OK },
	{ "zx_handle_duplicate(bad handle)", dup_bad_handle, ZX_ERR_BAD_HANDLE },
	{ "zx_handle_duplicate(no DUPLICATE right)", dup_access_denied, ZX_ERR_ACCESS_DENIED },
	{ "zx_handle_duplicate(rights not a subset)", dup_not_subset, ZX_ERR_INVALID_ARGS },
	{ "zx_handle_duplicate(faulting out)", dup_out_fault, ZX_ERR_INVALID_ARGS },
	{ "zx_handle_replace(subset)", replace_ok, ZX_OK },
	{ "zx_handle_replace(bad handle)", replace_bad_handle, ZX_ERR_BAD_HANDLE },
	{ "zx_handle_replace(rights not a subset)", replace_not_subset, ZX_ERR_INVALID_ARGS },
	{ "zx_handle_replace(faulting out)", replace_out_fault, ZX_ERR_INVALID_ARGS },
	{ "zx_object_get_info(HANDLE_VALID, valid)", info_valid_ok, ZX_OK },
	{ "zx_object_get_info(HANDLE_VALID, bad)", info_valid_bad_handle, ZX_ERR_BAD_HANDLE },
	{ "zx_object_get_info(HANDLE_BASIC, INVALID)", info_basic_bad_handle,
	  ZX_ERR_BAD_HANDLE },
	{ "zx_object_get_info(HANDLE_BASIC, small buffer)", info_basic_too_small,
	  ZX_ERR_BUFFER_TOO_SMALL },
	{ "zx_object_get_info(HANDLE_BASIC, faulting buffer)", info_basic_buffer_fault,
	  ZX_ERR_INVALID_ARGS },
	{ "zx_object_get_info(HANDLE_BASIC, faulting actual)", info_basic_actual_fault,
	  ZX_ERR_INVALID_ARGS },
	{ "zx_object_get_info(unknown topic)", info_unknown_topic, ZX_ERR_NOT_SUPPORTED },
	{ "zxhv_handle_export(valid)", export_ok, ZX_OK },
	{ "zxhv_handle_export(bad handle)", export_bad_handle, ZX_ERR_BAD_HANDLE },
	{ "zxhv_handle_export(no TRANSFER)", export_no_transfer, ZX_ERR_ACCESS_DENIED },
	{ "zxhv_handle_export(faulting fd_out)", export_fd_fault, ZX_ERR_INVALID_ARGS },
	{ "zxhv_handle_import(-1)", import_closed_fd, ZX_ERR_BAD_HANDLE },
	{ "zxhv_handle_import(a pipe)", import_not_a_handle_fd, ZX_ERR_BAD_HANDLE },
	{ "zxhv_handle_import(emptied fd)", import_twice, ZX_ERR_BAD_HANDLE },
	{ "zxhv_handle_import(faulting out)", import_out_fault, ZX_ERR_INVALID_ARGS },
};

TEST(every_error_code)
{
	zx_handle_t probe = new_object();

	ASSERT_NE(ZX_HANDLE_INVALID, probe);
	zx_handle_close(probe);
	for (size_t i = 0; i < sizeof(error_table) / sizeof(error_table[0]); i++) {
		zx_status_t got = error_table[i].run();

		if (got != error_table[i].want)
			TH_LOG("%s: got %s, want %s", error_table[i].name,
			       zx_status_get_string(got), zx_status_get_string(error_table[i].want));
		EXPECT_EQ(error_table[i].want, got);
	}
}

/* --- semantics ------------------------------------------------------------- */

TEST(values_look_like_zircon)
{
	zx_handle_t seen[1000];

	for (int i = 0; i < 1000; i++) {
		seen[i] = new_object();
		ASSERT_NE(ZX_HANDLE_INVALID, seen[i]);
		EXPECT_EQ(ZX_HANDLE_FIXED_BITS_MASK, seen[i] & ZX_HANDLE_FIXED_BITS_MASK);
		ASSERT_EQ(ZX_OK, zx_handle_close(seen[i]));
		/* A closed value is not handed out again soon. */
		for (int j = 0; j < i; j++)
			ASSERT_NE(seen[j], seen[i]);
	}
}

TEST(duplicate_rights)
{
	zx_handle_t h = new_object(), d, d2;
	zx_info_handle_basic_t a, b;
	zx_status_t s;

	ASSERT_NE(ZX_HANDLE_INVALID, h);
	a = basic_info(h, &s);
	ASSERT_EQ(ZX_OK, s);
	EXPECT_EQ(ZX_OBJ_TYPE_RESOURCE, a.type);
	EXPECT_EQ(ZX_DEFAULT_RESOURCE_RIGHTS, a.rights);
	EXPECT_GE(a.koid, 1024u);
	EXPECT_EQ(0u, a.related_koid);
	EXPECT_EQ(0u, a.reserved);

	ASSERT_EQ(ZX_OK, zx_handle_duplicate(h, ZX_RIGHT_SAME_RIGHTS, &d));
	EXPECT_NE(h, d);
	b = basic_info(d, &s);
	EXPECT_EQ(a.koid, b.koid);
	EXPECT_EQ(a.rights, b.rights);

	ASSERT_EQ(ZX_OK, zx_handle_duplicate(h, ZX_RIGHT_DUPLICATE | ZX_RIGHT_INSPECT, &d2));
	b = basic_info(d2, &s);
	EXPECT_EQ(ZX_RIGHT_DUPLICATE | ZX_RIGHT_INSPECT, b.rights);
	/* Rights never grow back. */
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_handle_duplicate(d2, ZX_RIGHT_WRITE, &d));
	EXPECT_EQ(ZX_OK, zx_handle_close(d2));
	/* The original is untouched by a failed duplicate. */
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_handle_duplicate(h, ZX_RIGHT_SAME_RIGHTS, NULL));
	EXPECT_TRUE(valid(h));
	EXPECT_EQ(ZX_OK, zx_handle_close(d));
	EXPECT_EQ(ZX_OK, zx_handle_close(h));
}

TEST(replace_closes_source)
{
	zx_handle_t h = new_object(), r;
	zx_info_handle_basic_t a, b;
	zx_status_t s;

	a = basic_info(h, &s);
	ASSERT_EQ(ZX_OK, s);
	ASSERT_EQ(ZX_OK, zx_handle_replace(h, ZX_RIGHT_SAME_RIGHTS, &r));
	EXPECT_FALSE(valid(h));
	b = basic_info(r, &s);
	EXPECT_EQ(a.koid, b.koid);
	EXPECT_EQ(a.rights, b.rights);

	/* INVALID_ARGS still closes the source. */
	h = r;
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_handle_replace(h, ZX_RIGHT_READ, &r));
	EXPECT_FALSE(valid(h));

	/* So does a faulting out pointer; nothing is left behind. */
	h = new_object();
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_handle_replace(h, ZX_RIGHT_SAME_RIGHTS, NULL));
	EXPECT_FALSE(valid(h));
}

TEST(get_info_sizes)
{
	zx_info_handle_basic_t info;
	size_t actual = 99, avail = 99;
	zx_handle_t h = new_object();

	ASSERT_NE(ZX_HANDLE_INVALID, h);
	EXPECT_EQ(ZX_ERR_BUFFER_TOO_SMALL,
		  zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, 4, &actual, &avail));
	EXPECT_EQ(0u, actual);
	EXPECT_EQ(1u, avail);
	EXPECT_EQ(ZX_ERR_BUFFER_TOO_SMALL,
		  zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, NULL, 0, &actual, &avail));
	actual = avail = 99;
	EXPECT_EQ(ZX_OK, zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info),
					    &actual, &avail));
	EXPECT_EQ(1u, actual);
	EXPECT_EQ(1u, avail);
	EXPECT_EQ(ZX_OK, zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info) + 8,
					    NULL, &avail));
	EXPECT_EQ(ZX_OK, zx_handle_close(h));
}

TEST(close_many_closes_the_rest)
{
	zx_handle_t hs[40];

	for (int i = 0; i < 40; i++)
		hs[i] = new_object();
	hs[17] = NOT_A_HANDLE;
	hs[23] = ZX_HANDLE_INVALID;
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_handle_close_many(hs, 40));
	for (int i = 0; i < 40; i++)
		EXPECT_FALSE(valid(hs[i]));
	EXPECT_EQ(ZX_OK, zx_handle_close_many(NULL, 0));
}

TEST(create_close_cycles)
{
	for (int i = 0; i < 1000; i++) {
		zx_handle_t h = new_object(), d;

		ASSERT_NE(ZX_HANDLE_INVALID, h);
		ASSERT_EQ(ZX_OK, zx_handle_duplicate(h, ZX_RIGHT_SAME_RIGHTS, &d));
		ASSERT_EQ(ZX_OK, zx_handle_close(h));
		ASSERT_EQ(ZX_OK, zx_handle_close(d));
	}
}

/* --- the rights matrix: each call x the one right it needs ------------------- */

FIXTURE(rights) {
	zx_handle_t with, without;
};

FIXTURE_VARIANT(rights) {
	const char *call;
	zx_rights_t needed;
	zx_status_t (*run)(zx_handle_t h);
};

static zx_status_t run_duplicate(zx_handle_t h)
{
	zx_handle_t d;
	zx_status_t s = zx_handle_duplicate(h, ZX_RIGHT_SAME_RIGHTS, &d);

	if (s == ZX_OK)
		zx_handle_close(d);
	return s;
}

static zx_status_t run_resource_create(zx_handle_t h)
{
	zx_handle_t r;
	zx_status_t s = zx_resource_create(h, ZX_RSRC_KIND_SYSTEM,
					   ZX_RSRC_SYSTEM_HYPERVISOR_BASE, 1, "r", 1, &r);

	if (s == ZX_OK)
		zx_handle_close(r);
	return s;
}

FIXTURE_VARIANT_ADD(rights, duplicate_needs_DUPLICATE) {
	.call = "zx_handle_duplicate",
	.needed = ZX_RIGHT_DUPLICATE,
	.run = run_duplicate,
};

static zx_status_t run_export(zx_handle_t h)
{
	zx_handle_t d, back;
	zx_status_t s;
	int fd;

	if (h == NOT_A_HANDLE)
		return zxhv_handle_export(h, &fd);
	/* Export a duplicate with the same rights, so the fixture keeps its handle. */
	if (zx_handle_duplicate(h, ZX_RIGHT_SAME_RIGHTS, &d) != ZX_OK)
		return ZX_ERR_INTERNAL;
	s = zxhv_handle_export(d, &fd);
	if (s != ZX_OK) {
		zx_handle_close(d);
		return s;
	}
	if (zxhv_handle_import(fd, &back) != ZX_OK)
		s = ZX_ERR_INTERNAL;
	zx_handle_close(back);
	close(fd);
	return s;
}

FIXTURE_VARIANT_ADD(rights, export_needs_TRANSFER) {
	.call = "zxhv_handle_export",
	.needed = ZX_RIGHT_TRANSFER,
	.run = run_export,
};

FIXTURE_VARIANT_ADD(rights, resource_create_needs_WRITE) {
	.call = "zx_resource_create",
	.needed = ZX_RIGHT_WRITE,
	.run = run_resource_create,
};

FIXTURE_SETUP(rights)
{
	self->with = object_with_rights(ZX_DEFAULT_RESOURCE_RIGHTS);
	self->without = object_with_rights(ZX_DEFAULT_RESOURCE_RIGHTS & ~variant->needed);
	ASSERT_NE(ZX_HANDLE_INVALID, self->with);
	ASSERT_NE(ZX_HANDLE_INVALID, self->without);
}

FIXTURE_TEARDOWN(rights)
{
	zx_handle_close(self->with);
	zx_handle_close(self->without);
}

TEST_F(rights, missing_right_is_access_denied)
{
	TH_LOG("%s without %#x", variant->call, variant->needed);
	EXPECT_EQ(ZX_OK, variant->run(self->with));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, variant->run(self->without));
	/* Handle lookup comes first. */
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, variant->run(NOT_A_HANDLE));
}

TEST_HARNESS_MAIN
