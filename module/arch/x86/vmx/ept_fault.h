/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest memory into the EPT: the fault-in of an EPT violation (ept_fault.c).
 */
#ifndef ZXHV_VMX_EPT_FAULT_H
#define ZXHV_VMX_EPT_FAULT_H

#include <linux/types.h>
#include <zircon/types.h>

struct zxhv_arch_guest;
struct zxhv_gpas;

/*
 * Install the translation of @gpa in @ag's EPT from the mapping of @gpas
 * there, which must grant every permission in @perms (ZX_VM_PERM_*, what
 * the access needed).  ZX_OK; the statuses of zxhv_gpas_page_locked()
 * (gpas.h); ZX_ERR_NO_MEMORY for EPT tables.  Sleeps.
 */
zx_status_t zxhv_vmx_ept_fault_in(struct zxhv_arch_guest *ag, struct zxhv_gpas *gpas, u64 gpa,
				  u32 perms);

#endif /* ZXHV_VMX_EPT_FAULT_H */
