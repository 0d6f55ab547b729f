// SPDX-License-Identifier: BSD-2-Clause
/*
 * Guest calls: zx_guest_create(), zx_guest_set_trap().  Each is one ioctl;
 * the module checks every argument (including the output pointers, which
 * it writes only when everything else succeeded).
 */
#include <stdint.h>
#include <string.h>

#include <zircon-hv.h>
#include <zircon/syscalls.h>

#include "internal.h"

ZXHV_EXPORT zx_status_t zx_guest_create(zx_handle_t resource, uint32_t options,
					zx_handle_t *guest_handle, zx_handle_t *vmar_handle)
{
	struct zxhv_guest_create a;

	memset(&a, 0, sizeof(a));
	a.resource = resource;
	a.options = options;
	a.guest_out = (uintptr_t)guest_handle;
	a.vmar_out = (uintptr_t)vmar_handle;
	return zxhv_ioctl(ZXHV_IOC_GUEST_CREATE, &a);
}

ZXHV_EXPORT zx_status_t zx_guest_set_trap(zx_handle_t handle, uint32_t kind, zx_vaddr_t addr,
					  size_t size, zx_handle_t port_handle, uint64_t key)
{
	struct zxhv_guest_set_trap a;

	memset(&a, 0, sizeof(a));
	a.handle = handle;
	a.kind = kind;
	a.addr = addr;
	a.size = size;
	a.port = port_handle;
	a.key = key;
	return zxhv_ioctl(ZXHV_IOC_GUEST_SET_TRAP, &a);
}
