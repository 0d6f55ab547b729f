/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Handle helpers the kselftests share: a value that is never a handle, an
 * address that faults, new objects, a handle's basic info, and handles
 * with rights taken away.  A helper whose call fails returns
 * ZX_HANDLE_INVALID (or zeroed info), which the test's next assertion
 * catches.
 */
#ifndef ZXHV_SELFTEST_HANDLES_H
#define ZXHV_SELFTEST_HANDLES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

/* An address that faults for reads and writes. */
#define BAD_PTR		((void *)8)
/* Never a handle: the low bits are wrong. */
#define NOT_A_HANDLE	((zx_handle_t)0x12345678u)

static inline zx_handle_t new_port(void)
{
	zx_handle_t h = ZX_HANDLE_INVALID;

	zx_port_create(0, &h);
	return h;
}

static inline zx_handle_t new_vmo(uint64_t size)
{
	zx_handle_t h = ZX_HANDLE_INVALID;

	zx_vmo_create(size, 0, &h);
	return h;
}

/* A new hypervisor resource: the object the handle tests use. */
static inline zx_handle_t new_object(void)
{
	zx_handle_t h = ZX_HANDLE_INVALID;

	if (zxhv_hypervisor_resource(&h) != ZX_OK)
		return ZX_HANDLE_INVALID;
	return h;
}

/* A hypervisor resource handle with exactly @rights (through zx_handle_replace). */
static inline zx_handle_t object_with_rights(zx_rights_t rights)
{
	zx_handle_t h = new_object(), out = ZX_HANDLE_INVALID;

	if (h == ZX_HANDLE_INVALID || zx_handle_replace(h, rights, &out) != ZX_OK)
		return ZX_HANDLE_INVALID;
	return out;
}

/* ZX_INFO_HANDLE_BASIC of @h, and the call's status in @status. */
static inline zx_info_handle_basic_t basic_info(zx_handle_t h, zx_status_t *status)
{
	zx_info_handle_basic_t info;

	memset(&info, 0, sizeof(info));
	*status = zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL);
	return info;
}

/* ZX_INFO_HANDLE_BASIC of @h (zeroed if the call fails). */
static inline zx_info_handle_basic_t basic(zx_handle_t h)
{
	zx_status_t s;

	return basic_info(h, &s);
}

static inline bool valid(zx_handle_t h)
{
	return zx_object_get_info(h, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL) == ZX_OK;
}

/* A new handle to @h's object with @drop removed from its rights; @h stays. */
static inline zx_handle_t without(zx_handle_t h, zx_rights_t drop)
{
	zx_handle_t out = ZX_HANDLE_INVALID;

	zx_handle_duplicate(h, basic(h).rights & ~drop, &out);
	return out;
}

/* @h replaced by a handle with @drop removed from its rights. */
static inline zx_handle_t reduce(zx_handle_t h, zx_rights_t drop)
{
	zx_handle_t out = ZX_HANDLE_INVALID;

	zx_handle_replace(h, basic(h).rights & ~drop, &out);
	return out;
}

#endif /* ZXHV_SELFTEST_HANDLES_H */
