/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest the VCPU selftests start from: GUEST_MEM_SIZE of executable
 * memory at GPA 0 with vcpu_guest.h's layout, the program at GPA_CODE and
 * the IO trap on [PORT_BASE, +PORT_COUNT).  Each test adds its own traps,
 * memory and VCPUs.
 */
#ifndef ZXHV_SELFTESTS_GUEST_VM_H
#define ZXHV_SELFTESTS_GUEST_VM_H

#include <stdint.h>
#include <string.h>

#include <zircon/syscalls.h>

#include "vcpu_guest.h"
#include "zxhv_vm.h"

/* The key of the IO trap's packets. */
#define KEY_IO		0x1010u

struct vm {
	zx_handle_t guest, vmar, vmo, vcpu;
	zx_handle_t port;	/* a port for BELL traps, if the test made one */
	zx_handle_t big;	/* a second VMO, if the test mapped one */
	uint8_t *mem;		/* host view of guest-physical [0, GUEST_MEM_SIZE) */
};

/* Closes every handle (ZX_HANDLE_INVALID ones are no-ops) and the mapping. */
static inline void vm_close(struct vm *vm)
{
	zx_handle_close(vm->vcpu);
	zx_handle_close(vm->guest);
	zx_handle_close(vm->vmar);
	zx_handle_close(vm->vmo);
	zx_handle_close(vm->port);
	zx_handle_close(vm->big);
	if (vm->mem)
		zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)vm->mem, GUEST_MEM_SIZE);
	memset(vm, 0, sizeof(*vm));
}

/* The guest above, no VCPU; on failure nothing is left open. */
static inline zx_status_t vm_create_base(struct vm *vm, const uint8_t *prog,
					 const uint8_t *prog_end)
{
	zx_handle_t r = hyp();
	zx_vaddr_t addr = 0;
	zx_status_t s;

	memset(vm, 0, sizeof(*vm));
	s = zx_guest_create(r, 0, &vm->guest, &vm->vmar);
	zx_handle_close(r);
	if (s == ZX_OK)
		s = zx_vmo_create(GUEST_MEM_SIZE, 0, &vm->vmo);
	if (s == ZX_OK)
		s = zx_vmo_replace_as_executable(vm->vmo, ZX_HANDLE_INVALID, &vm->vmo);
	if (s == ZX_OK)
		s = zx_vmar_map(vm->vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE |
				ZX_VM_SPECIFIC, 0, vm->vmo, 0, GUEST_MEM_SIZE, &addr);
	if (s == ZX_OK)
		s = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vm->vmo,
				0, GUEST_MEM_SIZE, &addr);
	if (s == ZX_OK) {
		vm->mem = (uint8_t *)addr;
		guest_build_layout(vm->mem);
		memcpy(vm->mem + GPA_CODE, prog, prog_end - prog);
		s = zx_guest_set_trap(vm->guest, ZX_GUEST_TRAP_IO, PORT_BASE, PORT_COUNT,
				      ZX_HANDLE_INVALID, KEY_IO);
	}
	if (s != ZX_OK)
		vm_close(vm);
	return s;
}

#endif /* ZXHV_SELFTESTS_GUEST_VM_H */
