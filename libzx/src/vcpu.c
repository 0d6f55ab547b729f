// SPDX-License-Identifier: BSD-2-Clause
/*
 * VCPU calls: zx_vcpu_create(), zx_vcpu_enter() (and its older name
 * zx_vcpu_resume()), zx_vcpu_kick(), zx_vcpu_interrupt(),
 * zx_vcpu_read_state(), zx_vcpu_write_state().  Each is one ioctl; the
 * module checks every argument, the pointers included.  zx_vcpu_enter()
 * may run for a long time: a signal delivered meanwhile runs its handler
 * and the kernel restarts the call, as Zircon does.
 */
#include <stdint.h>
#include <string.h>

#include <zircon-hv.h>
#include <zircon/syscalls.h>

#include "internal.h"

ZXHV_EXPORT zx_status_t zx_vcpu_create(zx_handle_t guest, uint32_t options, zx_vaddr_t entry,
				       zx_handle_t *out)
{
	struct zxhv_vcpu_create a;

	memset(&a, 0, sizeof(a));
	a.guest = guest;
	a.options = options;
	a.entry = entry;
	a.out = (uintptr_t)out;
	return zxhv_ioctl(ZXHV_IOC_VCPU_CREATE, &a);
}

ZXHV_EXPORT zx_status_t zx_vcpu_enter(zx_handle_t handle, zx_port_packet_t *packet)
{
	struct zxhv_vcpu_enter a;

	memset(&a, 0, sizeof(a));
	a.handle = handle;
	a.packet = (uintptr_t)packet;
	return zxhv_ioctl(ZXHV_IOC_VCPU_ENTER, &a);
}

ZXHV_EXPORT zx_status_t zx_vcpu_resume(zx_handle_t handle, zx_port_packet_t *packet)
{
	return zx_vcpu_enter(handle, packet);
}

static zx_status_t vcpu_signal(unsigned long req, zx_handle_t handle, uint32_t arg)
{
	struct zxhv_vcpu_signal a;

	memset(&a, 0, sizeof(a));
	a.handle = handle;
	a.arg = arg;
	return zxhv_ioctl(req, &a);
}

ZXHV_EXPORT zx_status_t zx_vcpu_kick(zx_handle_t handle)
{
	return vcpu_signal(ZXHV_IOC_VCPU_KICK, handle, 0);
}

ZXHV_EXPORT zx_status_t zx_vcpu_interrupt(zx_handle_t handle, uint32_t vector)
{
	return vcpu_signal(ZXHV_IOC_VCPU_INTERRUPT, handle, vector);
}

static zx_status_t vcpu_state(unsigned long req, zx_handle_t handle, uint32_t kind,
			      const void *buffer, size_t buffer_size)
{
	struct zxhv_vcpu_state_rw a;

	memset(&a, 0, sizeof(a));
	a.handle = handle;
	a.kind = kind;
	a.buffer = (uintptr_t)buffer;
	a.buffer_size = buffer_size;
	return zxhv_ioctl(req, &a);
}

ZXHV_EXPORT zx_status_t zx_vcpu_read_state(zx_handle_t handle, uint32_t kind, void *buffer,
					   size_t buffer_size)
{
	return vcpu_state(ZXHV_IOC_VCPU_READ_STATE, handle, kind, buffer, buffer_size);
}

ZXHV_EXPORT zx_status_t zx_vcpu_write_state(zx_handle_t handle, uint32_t kind,
					    const void *buffer, size_t buffer_size)
{
	return vcpu_state(ZXHV_IOC_VCPU_WRITE_STATE, handle, kind, buffer, buffer_size);
}
