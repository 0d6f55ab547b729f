/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMX ownership of the host CPUs (docs/api.md §4 item 1): VMXON on every online
 * CPU while at least one user (a guest) exists, VMXOFF when the last one
 * goes, CPUs coming online or going offline in between handled, VMXOFF on
 * reboot, kexec and panic.
 */
#ifndef ZXHV_VMX_CPU_H
#define ZXHV_VMX_CPU_H

#include <linux/list.h>
#include <linux/types.h>
#include <zircon/types.h>

#include "caps.h"

/*
 * zxhv_vmx_cpu_get - take a reference on VMX operation.  The first reference
 * turns VMX on for every online CPU; later ones only count.
 *
 * Returns ZX_OK; ZX_ERR_NOT_SUPPORTED if any CPU cannot run guests (no
 * VMX, disabled by firmware, owned by another hypervisor, a required
 * feature missing: dmesg names the CPU and the reason; no CPU is left in
 * VMX operation); ZX_ERR_NO_MEMORY.  Sleeps; takes the CPU hotplug lock.
 */
zx_status_t zxhv_vmx_cpu_get(void);

/* Drop a reference from zxhv_vmx_cpu_get(); the last turns VMX off everywhere. */
void zxhv_vmx_cpu_put(void);

/*
 * The control values and revision id computed when VMX was turned on.
 * Valid (and identical on every CPU) while a reference is held.
 */
const struct vmx_ctls *zxhv_vmx_cpu_ctls(void);
u32 zxhv_vmx_cpu_revision(void);

/* Is this CPU in VMX operation by us?  Caller pins the CPU. */
bool zxhv_vmx_cpu_on(void);

/*
 * The crash/emergency-reboot callback (vmx_cpu.c): VMCLEAR every VMCS
 * active on this CPU, then VMXOFF.  Interrupts off; NMI-safe.
 */
void zxhv_vmx_cpu_emergency_disable_local(void);

/* Is that callback registered with the kernel now? */
bool zxhv_vmx_cpu_emergency_cb_registered(void);

/*
 * One VMCS and where it is active (SDM Vol. 3C 25.11.1): each CPU keeps
 * the list of the VMCSes active on it, so that a CPU leaving VMX operation
 * (offline, reboot, crash) VMCLEARs them first.  Embedded in the VCPU.
 */
struct zxhv_vmx_loaded_vmcs {
	u64 pa;			/* of the VMCS region; immutable */
	/*
	 * CPU where the VMCS is active, or -1.  Written by the owner with
	 * preemption disabled, by the VMCLEAR IPI on that CPU, and read by
	 * anyone (zxhv_vmx_cpu_vmcs_clear()).
	 */
	int cpu;
	bool launched;		/* VMLAUNCH done since the last VMCLEAR */
	struct list_head node;	/* in that CPU's list */
};

/* @lv is active nowhere; its region at @pa holds the revision id. */
void zxhv_vmx_cpu_vmcs_init(struct zxhv_vmx_loaded_vmcs *lv, u64 pa);

/*
 * Preemption disabled: make @lv the current VMCS of this CPU, VMCLEARing
 * it by IPI on the CPU where it was active first.  Returns true when it
 * was not active here (it moved, or it is new): the caller rewrites the
 * host fields that differ between CPUs and flushes stale translations.
 */
bool zxhv_vmx_cpu_vmcs_load(struct zxhv_vmx_loaded_vmcs *lv);

/* Any CPU, preemptible or not: VMCLEAR @lv wherever it is active. */
void zxhv_vmx_cpu_vmcs_clear(struct zxhv_vmx_loaded_vmcs *lv);

/* Single-context INVEPT of @eptp on every CPU in VMX operation.  Sleeps. */
void zxhv_vmx_cpu_invept_all(u64 eptp);

#endif /* ZXHV_VMX_CPU_H */
