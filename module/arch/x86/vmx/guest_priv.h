/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMX side of one guest (module/arch.h: zxhv_arch_guest_*): its EPT
 * and the EPTP every VCPU of the guest loads.  The VCPU code reads @ept
 * from the EPT-violation path and @eptp when it builds a VMCS.
 */
#ifndef ZXHV_VMX_GUEST_PRIV_H
#define ZXHV_VMX_GUEST_PRIV_H

#include <linux/mutex.h>
#include <linux/types.h>

#include "ept.h"

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
};

#endif /* ZXHV_VMX_GUEST_PRIV_H */
