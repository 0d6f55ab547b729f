// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMX capability MSRs -> zircon-hv's VMCS controls (docs/api.md §4 items 1, 4).
 *
 * Intel SDM Vol. 3D, A.3-A.5: a control field's capability MSR reports in
 * bits 31:0 the allowed-0 settings (bit set: the control must be 1) and in
 * bits 63:32 the allowed-1 settings (bit clear: the control must be 0).
 * When IA32_VMX_BASIC[55] is set the TRUE_* MSRs report the same for the
 * "default1" controls that may in fact be cleared (e.g. CR3-load exiting).
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <asm/msr.h>
#include <asm/trapnr.h>

#include "caps.h"

void zxhv_vmx_caps_read(struct vmx_caps *caps)
{
	bool true_ctls;
	u32 allowed1;

	memset(caps, 0, sizeof(*caps));
	rdmsrl(MSR_IA32_VMX_BASIC, caps->basic);
	true_ctls = caps->basic & VMX_BASIC_TRUE_CTLS;
	rdmsrl(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
	       MSR_IA32_VMX_PINBASED_CTLS, caps->pinbased);
	rdmsrl(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
	       MSR_IA32_VMX_PROCBASED_CTLS, caps->procbased);
	rdmsrl(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
	       MSR_IA32_VMX_EXIT_CTLS, caps->exit);
	rdmsrl(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
	       MSR_IA32_VMX_ENTRY_CTLS, caps->entry);
	/* The MSRs below exist only when the controls that need them do. */
	if ((caps->procbased >> 32) & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
		rdmsrl(MSR_IA32_VMX_PROCBASED_CTLS2, caps->procbased2);
	allowed1 = caps->procbased2 >> 32;
	if (allowed1 & (SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID))
		rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, caps->ept_vpid_cap);
	rdmsrl(MSR_IA32_VMX_MISC, caps->misc);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, caps->cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, caps->cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, caps->cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, caps->cr4_fixed1);
}

u32 zxhv_vmx_caps_ctl_adjust(u32 required, u32 optional, u64 cap, u32 *value)
{
	u32 allowed0 = (u32)cap;	/* 1 = must be 1 */
	u32 allowed1 = cap >> 32;	/* 0 = must be 0 */

	*value = ((required | optional) & allowed1) | allowed0;
	return required & ~allowed1;
}

enum vmx_ctl_field {
	VMX_CTL_PIN, VMX_CTL_PROC, VMX_CTL_PROC2, VMX_CTL_EXIT, VMX_CTL_ENTRY,
	VMX_CTL_NR
};

struct vmx_ctl_want {
	u8 field;		/* enum vmx_ctl_field */
	bool optional;
	bool check_only;	/* must be allowed, but is not set here */
	u32 bit;
	const char *name;
};

/* docs/api.md §4 item 4; a missing required control is named in the error. */
static const struct vmx_ctl_want vmx_ctl_wants[] = {
	{ VMX_CTL_PIN, false, false, PIN_BASED_EXT_INTR_MASK,
	  "external-interrupt exiting (pin-based control 0)" },
	{ VMX_CTL_PIN, false, false, PIN_BASED_NMI_EXITING,
	  "NMI exiting (pin-based control 3)" },
	{ VMX_CTL_PIN, false, false, PIN_BASED_VIRTUAL_NMIS,
	  "virtual NMIs (pin-based control 5)" },
	{ VMX_CTL_PROC, false, true, CPU_BASED_NMI_WINDOW_EXITING,
	  "NMI-window exiting (primary control 22)" },
	{ VMX_CTL_PROC, false, true, CPU_BASED_INTR_WINDOW_EXITING,
	  "interrupt-window exiting (primary control 2)" },
	{ VMX_CTL_PROC, false, false, CPU_BASED_HLT_EXITING,
	  "HLT exiting (primary control 7)" },
	{ VMX_CTL_PROC, false, false, CPU_BASED_MWAIT_EXITING,
	  "MWAIT exiting (primary control 10)" },
	{ VMX_CTL_PROC, false, false, CPU_BASED_RDPMC_EXITING,
	  "RDPMC exiting (primary control 11)" },
	{ VMX_CTL_PROC, false, false, CPU_BASED_TPR_SHADOW,
	  "use TPR shadow (primary control 21)" },
	{ VMX_CTL_PROC, false, false, CPU_BASED_MOV_DR_EXITING,
	  "MOV-DR exiting (primary control 23)" },
	{ VMX_CTL_PROC, false, false, CPU_BASED_UNCOND_IO_EXITING,
	  "unconditional I/O exiting (primary control 24)" },
	{ VMX_CTL_PROC, false, false, CPU_BASED_USE_MSR_BITMAPS,
	  "use MSR bitmaps (primary control 28)" },
	{ VMX_CTL_PROC, false, false, CPU_BASED_MONITOR_EXITING,
	  "MONITOR exiting (primary control 29)" },
	{ VMX_CTL_PROC, false, false, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,
	  "activate secondary controls (primary control 31)" },
	{ VMX_CTL_PROC2, false, false, SECONDARY_EXEC_ENABLE_EPT,
	  "enable EPT (secondary control 1)" },
	{ VMX_CTL_PROC2, false, false, SECONDARY_EXEC_ENABLE_RDTSCP,
	  "enable RDTSCP (secondary control 3)" },
	{ VMX_CTL_PROC2, false, false, SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE,
	  "virtualize x2APIC mode (secondary control 4)" },
	{ VMX_CTL_PROC2, false, false, SECONDARY_EXEC_ENABLE_VPID,
	  "enable VPID (secondary control 5)" },
	{ VMX_CTL_PROC2, false, false, SECONDARY_EXEC_WBINVD_EXITING,
	  "WBINVD exiting (secondary control 6)" },
	{ VMX_CTL_PROC2, false, false, SECONDARY_EXEC_UNRESTRICTED_GUEST,
	  "unrestricted guest (secondary control 7)" },
	{ VMX_CTL_PROC2, true, false, SECONDARY_EXEC_PAUSE_LOOP_EXITING,
	  "PAUSE-loop exiting (secondary control 10)" },
	{ VMX_CTL_PROC2, true, false, SECONDARY_EXEC_ENABLE_INVPCID,
	  "enable INVPCID (secondary control 12)" },
	{ VMX_CTL_EXIT, false, false, VM_EXIT_SAVE_DEBUG_CONTROLS,
	  "save debug controls (exit control 2)" },
	{ VMX_CTL_EXIT, false, false, VM_EXIT_HOST_ADDR_SPACE_SIZE,
	  "host address-space size (exit control 9)" },
	{ VMX_CTL_EXIT, false, false, VM_EXIT_ACK_INTR_ON_EXIT,
	  "acknowledge interrupt on exit (exit control 15)" },
	{ VMX_CTL_EXIT, false, false, VM_EXIT_SAVE_IA32_PAT,
	  "save IA32_PAT (exit control 18)" },
	{ VMX_CTL_EXIT, false, false, VM_EXIT_LOAD_IA32_PAT,
	  "load IA32_PAT (exit control 19)" },
	{ VMX_CTL_EXIT, false, false, VM_EXIT_SAVE_IA32_EFER,
	  "save IA32_EFER (exit control 20)" },
	{ VMX_CTL_EXIT, false, false, VM_EXIT_LOAD_IA32_EFER,
	  "load IA32_EFER (exit control 21)" },
	{ VMX_CTL_ENTRY, false, false, VM_ENTRY_LOAD_DEBUG_CONTROLS,
	  "load debug controls (entry control 2)" },
	{ VMX_CTL_ENTRY, false, true, VM_ENTRY_IA32E_MODE,
	  "IA-32e mode guest (entry control 9)" },
	{ VMX_CTL_ENTRY, false, false, VM_ENTRY_LOAD_IA32_PAT,
	  "load IA32_PAT (entry control 14)" },
	{ VMX_CTL_ENTRY, false, false, VM_ENTRY_LOAD_IA32_EFER,
	  "load IA32_EFER (entry control 15)" },
};

/* docs/api.md §4 item 1: what every CPU must offer beyond the controls. */
static const struct {
	bool in_basic;		/* else EPT_VPID_CAP */
	u64 bit;
	const char *name;
} vmx_cap_wants[] = {
	{ true, VMX_BASIC_INOUT, "I/O exit information (IA32_VMX_BASIC bit 54)" },
	{ true, VMX_BASIC_TRUE_CTLS, "true VMX controls (IA32_VMX_BASIC bit 55)" },
	{ false, VMX_EPT_PAGE_WALK_4_BIT, "4-level EPT page walk (EPT_VPID_CAP bit 6)" },
	{ false, VMX_EPTP_WB_BIT, "write-back EPT paging structures (EPT_VPID_CAP bit 14)" },
	{ false, VMX_EPT_INVEPT_BIT, "INVEPT (EPT_VPID_CAP bit 20)" },
	{ false, VMX_EPT_EXTENT_CONTEXT_BIT, "single-context INVEPT (EPT_VPID_CAP bit 25)" },
	{ false, VMX_EPT_EXTENT_GLOBAL_BIT, "all-context INVEPT (EPT_VPID_CAP bit 26)" },
	{ false, ZXHV_VPID_CAP(VMX_VPID_INVVPID_BIT), "INVVPID (EPT_VPID_CAP bit 32)" },
	{ false, ZXHV_VPID_CAP(VMX_VPID_EXTENT_INDIVIDUAL_ADDR_BIT),
	  "individual-address INVVPID (EPT_VPID_CAP bit 40)" },
	{ false, ZXHV_VPID_CAP(VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT),
	  "single-context INVVPID (EPT_VPID_CAP bit 41)" },
	{ false, ZXHV_VPID_CAP(VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT),
	  "all-context INVVPID (EPT_VPID_CAP bit 42)" },
	{ false, ZXHV_VPID_CAP(VMX_VPID_EXTENT_SINGLE_NON_GLOBAL_BIT),
	  "single-context-retaining-globals INVVPID (EPT_VPID_CAP bit 43)" },
};

int zxhv_vmx_caps_compute_ctls(const struct vmx_caps *caps, struct vmx_ctls *ctls,
			       const char **missing)
{
	const u64 cap_msr[VMX_CTL_NR] = {
		caps->pinbased, caps->procbased, caps->procbased2,
		caps->exit, caps->entry,
	};
	u32 required[VMX_CTL_NR] = {}, optional[VMX_CTL_NR] = {}, value[VMX_CTL_NR];
	u32 lacking[VMX_CTL_NR];
	const struct vmx_ctl_want *w;
	unsigned int f, i;

	memset(ctls, 0, sizeof(*ctls));
	*missing = NULL;

	/* The VMCS and VMXON regions are single write-back pages (A.1). */
	if (vmx_basic_vmcs_size(caps->basic) == 0 ||
	    vmx_basic_vmcs_size(caps->basic) > PAGE_SIZE) {
		*missing = "a VMCS region of at most 4 KiB (IA32_VMX_BASIC bits 44:32)";
		return -EOPNOTSUPP;
	}
	if (vmx_basic_vmcs_mem_type(caps->basic) != X86_MEMTYPE_WB) {
		*missing = "write-back VMCS memory (IA32_VMX_BASIC bits 53:50)";
		return -EOPNOTSUPP;
	}
	if (caps->basic & VMX_BASIC_32BIT_PHYS_ADDR_ONLY) {
		*missing = "64-bit VMX region addresses (IA32_VMX_BASIC bit 48)";
		return -EOPNOTSUPP;
	}

	for (w = vmx_ctl_wants; w < vmx_ctl_wants + ARRAY_SIZE(vmx_ctl_wants); w++)
		(w->optional ? optional : required)[w->field] |= w->bit;

	for (f = 0; f < VMX_CTL_NR; f++)
		lacking[f] = zxhv_vmx_caps_ctl_adjust(required[f], optional[f],
						      cap_msr[f], &value[f]);
	for (w = vmx_ctl_wants; w < vmx_ctl_wants + ARRAY_SIZE(vmx_ctl_wants); w++) {
		if (lacking[w->field] & w->bit) {
			*missing = w->name;
			return -EOPNOTSUPP;
		}
	}

	for (i = 0; i < ARRAY_SIZE(vmx_cap_wants); i++) {
		u64 have = vmx_cap_wants[i].in_basic ? caps->basic : caps->ept_vpid_cap;

		if (!(have & vmx_cap_wants[i].bit)) {
			*missing = vmx_cap_wants[i].name;
			return -EOPNOTSUPP;
		}
	}

	/* Checked as allowed only: set on demand (proc) or per VCPU (entry). */
	for (w = vmx_ctl_wants; w < vmx_ctl_wants + ARRAY_SIZE(vmx_ctl_wants); w++) {
		if (w->check_only && !((u32)cap_msr[w->field] & w->bit))
			value[w->field] &= ~w->bit;
	}

	ctls->pin = value[VMX_CTL_PIN];
	ctls->proc = value[VMX_CTL_PROC];
	ctls->proc2 = value[VMX_CTL_PROC2];
	ctls->exit = value[VMX_CTL_EXIT];
	ctls->entry = value[VMX_CTL_ENTRY];
	/*
	 * A machine check while the guest runs must reach the host's handler
	 * (the broadcast rendezvous, memory_failure()), not the guest's IDT
	 * (issue 16, F4; run.c hands it over).  #DB and #AC exit so that a
	 * guest whose delivery of one raises it again loops through exits the
	 * host sees, not inside the CPU (vmexit.c, exit_reflect()).
	 */
	ctls->exception_bitmap = BIT(X86_TRAP_MC) | BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC);
	ctls->pause_loop_exiting = ctls->proc2 & SECONDARY_EXEC_PAUSE_LOOP_EXITING;
	ctls->invpcid = ctls->proc2 & SECONDARY_EXEC_ENABLE_INVPCID;
	ctls->ept_2m_pages = caps->ept_vpid_cap & VMX_EPT_2MB_PAGE_BIT;
	ctls->ept_1g_pages = caps->ept_vpid_cap & VMX_EPT_1GB_PAGE_BIT;
	return 0;
}

int zxhv_vmx_caps_check_cr(const struct vmx_caps *caps, unsigned long cr0,
			   unsigned long cr4, const char **what)
{
	*what = NULL;
	if ((cr0 & caps->cr0_fixed0) != caps->cr0_fixed0 ||
	    (cr0 & ~caps->cr0_fixed1)) {
		*what = "CR0 against IA32_VMX_CR0_FIXED0/1";
		return -EOPNOTSUPP;
	}
	if ((cr4 & caps->cr4_fixed0) != caps->cr4_fixed0 ||
	    (cr4 & ~caps->cr4_fixed1)) {
		*what = "CR4 against IA32_VMX_CR4_FIXED0/1";
		return -EOPNOTSUPP;
	}
	return 0;
}
