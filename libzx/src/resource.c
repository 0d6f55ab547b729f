// SPDX-License-Identifier: BSD-2-Clause
/*
 * Resources: zx_resource_create(), and zxhv_hypervisor_resource(), the
 * Linux way to obtain what Fuchsia hands out as
 * fuchsia.kernel.HypervisorResource.
 */
#include <stdint.h>
#include <string.h>

#include <zircon-hv.h>
#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "internal.h"

ZXHV_EXPORT zx_status_t zx_resource_create(zx_handle_t parent_rsrc, uint32_t options,
					   uint64_t base, size_t size, const char *name,
					   size_t name_size, zx_handle_t *resource_out)
{
	struct zxhv_resource_create a;

	memset(&a, 0, sizeof(a));
	a.parent = parent_rsrc;
	a.options = options;
	a.base = base;
	a.size = size;
	a.name = (uintptr_t)name;
	a.name_size = name_size;
	a.out = (uintptr_t)resource_out;
	return zxhv_ioctl(ZXHV_IOC_RESOURCE_CREATE, &a);
}

ZXHV_EXPORT zx_status_t zxhv_hypervisor_resource(zx_handle_t *out)
{
	struct zxhv_hypervisor_resource a;

	memset(&a, 0, sizeof(a));
	a.out = (uintptr_t)out;
	return zxhv_ioctl(ZXHV_IOC_HYPERVISOR_RESOURCE, &a);
}
