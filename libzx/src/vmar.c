// SPDX-License-Identifier: BSD-2-Clause
/*
 * VMAR calls: zx_vmar_root_self(), zx_vmar_map(), zx_vmar_unmap(),
 * zx_vmar_protect().
 *
 * zx_vmar_root_self() asks the module for a root VMAR handle on its first
 * call in a process and returns that same handle ever after, as Zircon
 * returns the handle the process was started with.  The latch records the
 * pid: a forked child starts with an empty handle table (see device.c), so
 * its first call creates its own.  If the module cannot be reached the
 * result is ZX_HANDLE_INVALID, and nothing is latched.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <zircon-hv.h>
#include <zircon/syscalls.h>

#include "internal.h"

/* 0, or the pid (high 32 bits) and root VMAR handle (low 32 bits). */
static _Atomic uint64_t root_vmar_state;

ZXHV_EXPORT zx_handle_t zx_vmar_root_self(void)
{
	uint64_t state = atomic_load_explicit(&root_vmar_state, memory_order_acquire);
	uint32_t pid = (uint32_t)getpid();
	struct zxhv_vmar_root_self a;
	zx_handle_t h = ZX_HANDLE_INVALID;
	uint64_t mine;

	if (state && (uint32_t)(state >> 32) == pid)
		return (zx_handle_t)(uint32_t)state;
	memset(&a, 0, sizeof(a));
	a.out = (uintptr_t)&h;
	if (zxhv_ioctl(ZXHV_IOC_VMAR_ROOT_SELF, &a) != ZX_OK)
		return ZX_HANDLE_INVALID;
	mine = (uint64_t)pid << 32 | h;
	/* Racing threads: the first to publish wins, the others close theirs. */
	if (atomic_compare_exchange_strong(&root_vmar_state, &state, mine))
		return h;
	zx_handle_close(h);
	if ((uint32_t)(state >> 32) == pid)
		return (zx_handle_t)(uint32_t)state;
	return ZX_HANDLE_INVALID;
}

ZXHV_EXPORT zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options,
				    size_t vmar_offset, zx_handle_t vmo, uint64_t vmo_offset,
				    size_t len, zx_vaddr_t *mapped_addr)
{
	struct zxhv_vmar_map a;

	_Static_assert(sizeof(zx_vaddr_t) == sizeof(uint64_t), "the module writes 64 bits");
	memset(&a, 0, sizeof(a));
	a.handle = handle;
	a.options = options;
	a.vmar_offset = vmar_offset;
	a.vmo = vmo;
	a.vmo_offset = vmo_offset;
	a.len = len;
	a.mapped_addr = (uintptr_t)mapped_addr;
	return zxhv_ioctl(ZXHV_IOC_VMAR_MAP, &a);
}

static zx_status_t vmar_range(unsigned long req, zx_handle_t handle, zx_vm_option_t options,
			      zx_vaddr_t addr, size_t len)
{
	struct zxhv_vmar_range a;

	memset(&a, 0, sizeof(a));
	a.handle = handle;
	a.options = options;
	a.addr = addr;
	a.len = len;
	return zxhv_ioctl(req, &a);
}

ZXHV_EXPORT zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, size_t len)
{
	return vmar_range(ZXHV_IOC_VMAR_UNMAP, handle, 0, addr, len);
}

ZXHV_EXPORT zx_status_t zx_vmar_protect(zx_handle_t handle, zx_vm_option_t options,
					zx_vaddr_t addr, size_t len)
{
	return vmar_range(ZXHV_IOC_VMAR_PROTECT, handle, options, addr, len);
}
