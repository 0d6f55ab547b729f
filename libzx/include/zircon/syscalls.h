/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zircon/syscalls.h: the umbrella header a Zircon program includes for the
 * zx_* calls and everything they use: types, errors, rights, and the per-area
 * headers under zircon/syscalls/.  It declares exactly the calls libzx
 * implements; each new call is declared here when its wrapper lands.
 * Linux-specific zxhv_* calls live in <zircon/hv.h>.
 */
#ifndef ZIRCON_SYSCALLS_H_
#define ZIRCON_SYSCALLS_H_

#include <zircon/compiler.h>
#include <zircon/errors.h>
#include <zircon/rights.h>
#include <zircon/status.h>
#include <zircon/types.h>

#include <zircon/syscalls/hypervisor.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>
#include <zircon/syscalls/resource.h>

__BEGIN_CDECLS

/* Handles and objects. */
zx_status_t zx_handle_close(zx_handle_t handle);
zx_status_t zx_handle_close_many(const zx_handle_t *handles, size_t num_handles);
zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights, zx_handle_t *out);
zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights, zx_handle_t *out);
zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic, void *buffer,
			       size_t buffer_size, size_t *actual, size_t *avail);

/* Resources. */
zx_status_t zx_resource_create(zx_handle_t parent_rsrc, uint32_t options, uint64_t base,
			       size_t size, const char *name, size_t name_size,
			       zx_handle_t *resource_out);

/* Clock: ZX_CLOCK_MONOTONIC is Linux's CLOCK_MONOTONIC, in nanoseconds. */
zx_time_t zx_clock_get_monotonic(void);
/* zx_clock_get_monotonic() + nanoseconds, saturating at ZX_TIME_INFINITE. */
zx_time_t zx_deadline_after(zx_duration_t nanoseconds);

/* Ports. */
zx_status_t zx_port_create(uint32_t options, zx_handle_t *out);
zx_status_t zx_port_queue(zx_handle_t handle, const zx_port_packet_t *packet);
zx_status_t zx_port_wait(zx_handle_t handle, zx_time_t deadline, zx_port_packet_t *packet);

/* VMOs: zx_vmo_set_size is not offered (a VMO's size never changes). */
zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t *out);
zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t *size);
zx_status_t zx_vmo_read(zx_handle_t handle, void *buffer, uint64_t offset, size_t buffer_size);
zx_status_t zx_vmo_write(zx_handle_t handle, const void *buffer, uint64_t offset,
			 size_t buffer_size);
zx_status_t zx_vmo_replace_as_executable(zx_handle_t handle, zx_handle_t vmex, zx_handle_t *out);

/*
 * VMARs: the root VMAR is the whole address space of the calling process
 * (base 0, so a ZX_VM_SPECIFIC vmar_offset is the address itself).
 */
zx_handle_t zx_vmar_root_self(void);
zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options, size_t vmar_offset,
			zx_handle_t vmo, uint64_t vmo_offset, size_t len, zx_vaddr_t *mapped_addr);
zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, size_t len);
zx_status_t zx_vmar_protect(zx_handle_t handle, zx_vm_option_t options, zx_vaddr_t addr,
			    size_t len);

/*
 * Guests: the resource is the hypervisor resource (zxhv_hypervisor_resource()
 * in <zircon/hv.h>); *vmar_handle is the guest-physical address space.
 */
zx_status_t zx_guest_create(zx_handle_t resource, uint32_t options, zx_handle_t *guest_handle,
			    zx_handle_t *vmar_handle);
zx_status_t zx_guest_set_trap(zx_handle_t handle, uint32_t kind, zx_vaddr_t addr, size_t size,
			      zx_handle_t port_handle, uint64_t key);

/*
 * VCPUs: zx_vcpu_create() binds the VCPU to the calling thread, which alone
 * may enter it and read or write its state; kick and interrupt work from
 * any thread.  zx_vcpu_resume() is the older name of zx_vcpu_enter().
 */
zx_status_t zx_vcpu_create(zx_handle_t guest, uint32_t options, zx_vaddr_t entry,
			   zx_handle_t *out);
zx_status_t zx_vcpu_enter(zx_handle_t handle, zx_port_packet_t *packet);
zx_status_t zx_vcpu_resume(zx_handle_t handle, zx_port_packet_t *packet);
zx_status_t zx_vcpu_kick(zx_handle_t handle);
zx_status_t zx_vcpu_interrupt(zx_handle_t handle, uint32_t vector);
zx_status_t zx_vcpu_read_state(zx_handle_t handle, uint32_t kind, void *buffer,
			       size_t buffer_size);
zx_status_t zx_vcpu_write_state(zx_handle_t handle, uint32_t kind, const void *buffer,
				size_t buffer_size);

__END_CDECLS

#endif /* ZIRCON_SYSCALLS_H_ */
