// SPDX-License-Identifier: BSD-2-Clause
/*
 * Handle calls: zx_handle_close(), zx_handle_close_many(),
 * zx_handle_duplicate(), zx_handle_replace(), zx_object_get_info(), and the
 * Linux-specific zxhv_handle_export()/zxhv_handle_import().  The
 * module checks everything; pointers go to it untouched, so a bad one gives
 * the module's ZX_ERR_INVALID_ARGS rather than a crash here.
 */
#include <stdint.h>
#include <string.h>

#include <zircon-hv.h>
#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "internal.h"

ZXHV_EXPORT zx_status_t zx_handle_close(zx_handle_t handle)
{
	struct zxhv_handle_close a;

	/* Closing "no handle" always succeeds, even without the module. */
	if (handle == ZX_HANDLE_INVALID)
		return ZX_OK;
	memset(&a, 0, sizeof(a));
	a.handle = handle;
	return zxhv_ioctl(ZXHV_IOC_HANDLE_CLOSE, &a);
}

ZXHV_EXPORT zx_status_t zx_handle_close_many(const zx_handle_t *handles, size_t num_handles)
{
	struct zxhv_handle_close_many a;

	if (num_handles == 0)
		return ZX_OK;
	memset(&a, 0, sizeof(a));
	a.handles = (uintptr_t)handles;
	a.num_handles = num_handles;
	return zxhv_ioctl(ZXHV_IOC_HANDLE_CLOSE_MANY, &a);
}

static zx_status_t handle_derive(unsigned long req, zx_handle_t handle, zx_rights_t rights,
				 zx_handle_t *out)
{
	struct zxhv_handle_derive a;

	memset(&a, 0, sizeof(a));
	a.handle = handle;
	a.rights = rights;
	a.out = (uintptr_t)out;
	return zxhv_ioctl(req, &a);
}

ZXHV_EXPORT zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights,
					    zx_handle_t *out)
{
	return handle_derive(ZXHV_IOC_HANDLE_DUPLICATE, handle, rights, out);
}

ZXHV_EXPORT zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights,
					  zx_handle_t *out)
{
	return handle_derive(ZXHV_IOC_HANDLE_REPLACE, handle, rights, out);
}

ZXHV_EXPORT zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic, void *buffer,
					   size_t buffer_size, size_t *actual, size_t *avail)
{
	struct zxhv_object_get_info a;

	_Static_assert(sizeof(size_t) == sizeof(uint64_t), "the module writes 64-bit sizes");
	memset(&a, 0, sizeof(a));
	a.handle = handle;
	a.topic = topic;
	a.buffer = (uintptr_t)buffer;
	a.buffer_size = buffer_size;
	a.actual = (uintptr_t)actual;
	a.avail = (uintptr_t)avail;
	return zxhv_ioctl(ZXHV_IOC_OBJECT_GET_INFO, &a);
}

ZXHV_EXPORT zx_status_t zxhv_handle_export(zx_handle_t handle, int *fd_out)
{
	struct zxhv_handle_export a;

	memset(&a, 0, sizeof(a));
	a.handle = handle;
	a.fd_out = (uintptr_t)fd_out;
	return zxhv_ioctl(ZXHV_IOC_HANDLE_EXPORT, &a);
}

ZXHV_EXPORT zx_status_t zxhv_handle_import(int fd, zx_handle_t *out)
{
	struct zxhv_handle_import a;

	memset(&a, 0, sizeof(a));
	a.fd = fd;
	a.out = (uintptr_t)out;
	return zxhv_ioctl(ZXHV_IOC_HANDLE_IMPORT, &a);
}
