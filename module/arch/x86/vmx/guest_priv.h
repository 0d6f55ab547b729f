/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMX side of one guest (module/arch.h: zxhv_arch_guest_*): its EPT
 * and the EPTP every VCPU of the guest loads.  The VCPU code reads @ept
 * from the EPT-violation path and @eptp when it builds a VMCS, and
 * @vcpus when a PAUSE-loop exit looks for a sibling to yield to
 * (vcpu.c).
 */
#ifndef ZXHV_VMX_GUEST_PRIV_H
#define ZXHV_VMX_GUEST_PRIV_H

#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

#include "ept.h"

struct zxhv_arch_vcpu;

/* Slots of zxhv_arch_guest.vcpus: one per VPID, [1, 64) (module/arch.h). */
#define ZXHV_VMX_GUEST_VPIDS	64

struct zxhv_arch_guest {
	/*
	 * The guest-physical page tables.  Serialised by the guest's address
	 * space lock (module/gpas.h): the invalidate callback changes it with
	 * that lock held for writing.
	 */
	struct zxhv_ept ept;
	/*
	 * Serialises VCPUs installing translations (EPT violations), which
	 * hold the address space's read lock, so not against invalidation.
	 */
	struct mutex fault_lock;
	/* zxhv_ept_eptp() of @ept, without A/D flags; immutable. */
	u64 eptp;
	/*
	 * Each VCPU by VPID, from the end of its creation to the start of its
	 * destruction (vcpu_api.c); a VPID names one live VCPU of the guest,
	 * so a slot has one writer at a time.  Read under rcu_read_lock(): a
	 * VCPU, and its reference to its bound thread, are released after an
	 * RCU grace period.
	 */
	struct zxhv_arch_vcpu __rcu *vcpus[ZXHV_VMX_GUEST_VPIDS];
};

#endif /* ZXHV_VMX_GUEST_PRIV_H */
