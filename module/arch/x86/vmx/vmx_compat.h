/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's VMX definitions, plus the few that one of the kernels
 * zircon-hv builds against (Debian 12's 6.1 and 6.12) lacks.
 *
 * <asm/vmx.h> (with <uapi/asm/vmx.h> and <asm/vmxfeatures.h>) names the
 * VMCS field encodings (GUEST_RIP, ...), the control bits (PIN_BASED_*,
 * CPU_BASED_*, SECONDARY_EXEC_*, VM_EXIT_*, VM_ENTRY_*), the exit reasons
 * (EXIT_REASON_*), the interruptibility bits (GUEST_INTR_STATE_*), the
 * EPT/VPID capability bits and the VM-instruction errors (VMXERR_*), and
 * zircon-hv uses those names.  <asm/msr-index.h> holds the IA32_VMX_BASIC
 * bits on 6.1 (6.12 moved them to <asm/vmx.h>).  Each entry below says
 * which kernel lacks it; each is defined only where it is missing.
 */
#ifndef ZXHV_VMX_COMPAT_H
#define ZXHV_VMX_COMPAT_H

/*
 * Both kernels lack a HOST_RSP the assembler can use (enum vmcs_field is C
 * only); vmenter.S writes it.  The static_assert below keeps them equal.
 */
#define ZXHV_VMCS_HOST_RSP	0x00006c14

#ifndef __ASSEMBLY__
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/types.h>
#include <asm/msr-index.h>
#include <asm/vmx.h>

static_assert(ZXHV_VMCS_HOST_RSP == HOST_RSP);

/*
 * 6.1 lacks these IA32_VMX_BASIC helpers (SDM Vol. 3D, A.1); 6.12 added
 * them to <asm/vmx.h> together.  6.1 calls bit 48 VMX_BASIC_64.
 */
#ifndef VMX_BASIC_32BIT_PHYS_ADDR_ONLY
#define VMX_BASIC_32BIT_PHYS_ADDR_ONLY	BIT_ULL(48)

static inline u32 vmx_basic_vmcs_mem_type(u64 vmx_basic)
{
	return (vmx_basic & GENMASK_ULL(53, 50)) >> 50;
}
#endif

/* 6.1 lacks the memory-type name (its <asm/msr-index.h> has VMX_BASIC_MEM_TYPE_WB). */
#ifndef X86_MEMTYPE_WB
#define X86_MEMTYPE_WB	6ull
#endif

#endif /* !__ASSEMBLY__ */
#endif /* ZXHV_VMX_COMPAT_H */
