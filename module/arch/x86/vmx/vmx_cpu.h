/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMX ownership of the host CPUs (spec §4 item 1): VMXON on every online
 * CPU while at least one user (a guest) exists, VMXOFF when the last one
 * goes, CPUs coming online or going offline in between handled, VMXOFF on
 * reboot, kexec and panic.
 */
#ifndef ZXHV_VMX_CPU_H
#define ZXHV_VMX_CPU_H

#include <linux/types.h>
#include <zircon/types.h>

#include "caps.h"

/*
 * zxhv_vmx_get - take a reference on VMX operation.  The first reference
 * turns VMX on for every online CPU; later ones only count.
 *
 * Returns ZX_OK; ZX_ERR_NOT_SUPPORTED if any CPU cannot run guests (no
 * VMX, disabled by firmware, owned by another hypervisor, a required
 * feature missing: dmesg names the CPU and the reason; no CPU is left in
 * VMX operation); ZX_ERR_NO_MEMORY.  Sleeps; takes the CPU hotplug lock.
 */
zx_status_t zxhv_vmx_get(void);

/* Drop a reference from zxhv_vmx_get(); the last turns VMX off everywhere. */
void zxhv_vmx_put(void);

/*
 * The control values and revision id computed when VMX was turned on.
 * Valid (and identical on every CPU) while a reference is held.
 */
const struct vmx_ctls *zxhv_vmx_ctls(void);
u32 zxhv_vmx_revision(void);

/* Is this CPU in VMX operation by us?  Caller pins the CPU. */
bool zxhv_vmx_cpu_on(void);

/*
 * The crash/emergency-reboot callback (vmx_cpu.c): VMCLEAR every VMCS
 * active on this CPU, then VMXOFF.  Interrupts off; NMI-safe.
 */
void zxhv_vmx_emergency_disable_local(void);

/* Is that callback registered with the kernel now? */
bool zxhv_vmx_emergency_cb_registered(void);

/*
 * vcpu.c: VMCLEAR every VMCS active on this CPU, before it leaves VMX
 * operation.  Interrupts off.
 */
void zxhv_vmx_vcpus_clear_local(void);

#endif /* ZXHV_VMX_CPU_H */
