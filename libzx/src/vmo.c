// SPDX-License-Identifier: BSD-2-Clause
/*
 * VMO calls: zx_vmo_create(), zx_vmo_get_size(), zx_vmo_read(),
 * zx_vmo_write(), zx_vmo_replace_as_executable().  Pointers go to the
 * module untouched; it checks them (a bad one: ZX_ERR_INVALID_ARGS).
 */
#include <stdint.h>
#include <string.h>

#include <zircon-hv.h>
#include <zircon/syscalls.h>

#include "internal.h"

ZXHV_EXPORT zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t *out)
{
	struct zxhv_vmo_create a;

	memset(&a, 0, sizeof(a));
	a.size = size;
	a.options = options;
	a.out = (uintptr_t)out;
	return zxhv_ioctl(ZXHV_IOC_VMO_CREATE, &a);
}

ZXHV_EXPORT zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t *size)
{
	struct zxhv_vmo_get_size a;

	memset(&a, 0, sizeof(a));
	a.handle = handle;
	a.size = (uintptr_t)size;
	return zxhv_ioctl(ZXHV_IOC_VMO_GET_SIZE, &a);
}

static zx_status_t vmo_rw(unsigned long req, zx_handle_t handle, const void *buffer,
			  uint64_t offset, size_t buffer_size)
{
	struct zxhv_vmo_rw a;

	memset(&a, 0, sizeof(a));
	a.handle = handle;
	a.buffer = (uintptr_t)buffer;
	a.offset = offset;
	a.buffer_size = buffer_size;
	return zxhv_ioctl(req, &a);
}

ZXHV_EXPORT zx_status_t zx_vmo_read(zx_handle_t handle, void *buffer, uint64_t offset,
				    size_t buffer_size)
{
	return vmo_rw(ZXHV_IOC_VMO_READ, handle, buffer, offset, buffer_size);
}

ZXHV_EXPORT zx_status_t zx_vmo_write(zx_handle_t handle, const void *buffer, uint64_t offset,
				     size_t buffer_size)
{
	return vmo_rw(ZXHV_IOC_VMO_WRITE, handle, buffer, offset, buffer_size);
}

ZXHV_EXPORT zx_status_t zx_vmo_replace_as_executable(zx_handle_t handle, zx_handle_t vmex,
						     zx_handle_t *out)
{
	struct zxhv_vmo_replace_as_executable a;

	memset(&a, 0, sizeof(a));
	a.handle = handle;
	a.vmex = vmex;
	a.out = (uintptr_t)out;
	return zxhv_ioctl(ZXHV_IOC_VMO_REPLACE_AS_EXECUTABLE, &a);
}
