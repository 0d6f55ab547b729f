/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers the guest-running kselftests share: whether this machine can run
 * guests, and the hypervisor resource.
 */
#ifndef ZXHV_SELFTEST_VM_H
#define ZXHV_SELFTEST_VM_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

/* Does this machine have usable VMX?  Decided by the VM kind, else the probe. */
static inline bool have_vmx(void)
{
	const char *vm = getenv("ZXHV_VM");
	zxhv_vmx_probe_t p;

	if (vm && !strcmp(vm, "qemu"))
		return false;
	if (vm && !strcmp(vm, "bochs"))
		return true;
	memset(&p, 0, sizeof(p));
	return zxhv_vmx_probe(&p) == ZX_OK && p.result == ZXHV_VMX_READY;
}

/* The hypervisor resource, or ZX_HANDLE_INVALID. */
static inline zx_handle_t hyp(void)
{
	zx_handle_t h = ZX_HANDLE_INVALID;

	zxhv_hypervisor_resource(&h);
	return h;
}

#endif /* ZXHV_SELFTEST_VM_H */
