/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMX capabilities (Intel SDM Vol. 3D, Appendix A "VMX Capability
 * Reporting Facility") and the VMCS control values zircon-hv derives from
 * them.  Everything but zxhv_vmx_caps_read() is a pure function of the raw MSR
 * values, so KUnit checks it against recorded CPUs.
 */
#ifndef ZXHV_VMX_CAPS_H
#define ZXHV_VMX_CAPS_H

#include <linux/bits.h>
#include <linux/types.h>

/* IA32_VMX_BASIC (A.1) */
#define VMXCAP_BASIC_REVISION_MASK		GENMASK_ULL(30, 0)
#define VMXCAP_BASIC_VMCS_SIZE(b)		((u32)(((b) >> 32) & 0x1fff))
#define VMXCAP_BASIC_PA_32BIT		BIT_ULL(48)
#define VMXCAP_BASIC_MEMTYPE(b)		((u32)(((b) >> 50) & 0xf))
#define VMXCAP_BASIC_MEMTYPE_WB		6u
#define VMXCAP_BASIC_IO_EXIT_INFO		BIT_ULL(54)
#define VMXCAP_BASIC_TRUE_CTLS		BIT_ULL(55)

/* Pin-based VM-execution controls (24.6.1) */
#define VMX_PIN_EXT_INTR_EXITING	BIT(0)
#define VMX_PIN_NMI_EXITING		BIT(3)
#define VMX_PIN_VIRTUAL_NMIS		BIT(5)
#define VMX_PIN_PREEMPTION_TIMER	BIT(6)
#define VMX_PIN_POSTED_INTR		BIT(7)

/* Primary processor-based VM-execution controls (24.6.2, table 24-6) */
#define VMX_PROC_INTR_WINDOW_EXITING	BIT(2)
#define VMX_PROC_TSC_OFFSETTING		BIT(3)
#define VMX_PROC_HLT_EXITING		BIT(7)
#define VMX_PROC_INVLPG_EXITING		BIT(9)
#define VMX_PROC_MWAIT_EXITING		BIT(10)
#define VMX_PROC_RDPMC_EXITING		BIT(11)
#define VMX_PROC_RDTSC_EXITING		BIT(12)
#define VMX_PROC_CR3_LOAD_EXITING	BIT(15)
#define VMX_PROC_CR3_STORE_EXITING	BIT(16)
#define VMX_PROC_TERTIARY_CTLS		BIT(17)
#define VMX_PROC_CR8_LOAD_EXITING	BIT(19)
#define VMX_PROC_CR8_STORE_EXITING	BIT(20)
#define VMX_PROC_TPR_SHADOW		BIT(21)
#define VMX_PROC_NMI_WINDOW_EXITING	BIT(22)
#define VMX_PROC_MOV_DR_EXITING		BIT(23)
#define VMX_PROC_UNCOND_IO_EXITING	BIT(24)
#define VMX_PROC_IO_BITMAPS		BIT(25)
#define VMX_PROC_MONITOR_TRAP_FLAG	BIT(27)
#define VMX_PROC_MSR_BITMAPS		BIT(28)
#define VMX_PROC_MONITOR_EXITING	BIT(29)
#define VMX_PROC_PAUSE_EXITING		BIT(30)
#define VMX_PROC_SECONDARY_CTLS		BIT(31)

/* Secondary processor-based VM-execution controls (table 24-7) */
#define VMX_PROC2_VIRT_APIC_ACCESSES	BIT(0)
#define VMX_PROC2_EPT			BIT(1)
#define VMX_PROC2_DESC_TABLE_EXITING	BIT(2)
#define VMX_PROC2_RDTSCP		BIT(3)
#define VMX_PROC2_VIRT_X2APIC_MODE	BIT(4)
#define VMX_PROC2_VPID			BIT(5)
#define VMX_PROC2_WBINVD_EXITING	BIT(6)
#define VMX_PROC2_UNRESTRICTED_GUEST	BIT(7)
#define VMX_PROC2_APIC_REG_VIRT		BIT(8)
#define VMX_PROC2_VIRT_INTR_DELIVERY	BIT(9)
#define VMX_PROC2_PAUSE_LOOP_EXITING	BIT(10)
#define VMX_PROC2_RDRAND_EXITING	BIT(11)
#define VMX_PROC2_INVPCID		BIT(12)
#define VMX_PROC2_VMFUNC		BIT(13)
#define VMX_PROC2_VMCS_SHADOWING	BIT(14)
#define VMX_PROC2_XSAVES		BIT(20)

/* VM-exit controls (table 24-13) */
#define VMX_EXIT_SAVE_DEBUG_CTLS	BIT(2)
#define VMX_EXIT_HOST_ADDR_SPACE_SIZE	BIT(9)
#define VMX_EXIT_LOAD_PERF_GLOBAL_CTRL	BIT(12)
#define VMX_EXIT_ACK_INTR_ON_EXIT	BIT(15)
#define VMX_EXIT_SAVE_PAT		BIT(18)
#define VMX_EXIT_LOAD_PAT		BIT(19)
#define VMX_EXIT_SAVE_EFER		BIT(20)
#define VMX_EXIT_LOAD_EFER		BIT(21)
#define VMX_EXIT_SAVE_PREEMPTION_TIMER	BIT(22)

/* VM-entry controls (table 24-15) */
#define VMX_ENTRY_LOAD_DEBUG_CTLS	BIT(2)
#define VMX_ENTRY_IA32E_MODE_GUEST	BIT(9)
#define VMX_ENTRY_SMM			BIT(10)
#define VMX_ENTRY_LOAD_PERF_GLOBAL_CTRL	BIT(13)
#define VMX_ENTRY_LOAD_PAT		BIT(14)
#define VMX_ENTRY_LOAD_EFER		BIT(15)

/* IA32_VMX_EPT_VPID_CAP (A.10) */
#define VMX_EPT_CAP_EXEC_ONLY		BIT_ULL(0)
#define VMX_EPT_CAP_WALK_4		BIT_ULL(6)
#define VMX_EPT_CAP_WALK_5		BIT_ULL(7)
#define VMX_EPT_CAP_MEMTYPE_UC		BIT_ULL(8)
#define VMX_EPT_CAP_MEMTYPE_WB		BIT_ULL(14)
#define VMX_EPT_CAP_2M_PAGES		BIT_ULL(16)
#define VMX_EPT_CAP_1G_PAGES		BIT_ULL(17)
#define VMX_EPT_CAP_INVEPT		BIT_ULL(20)
#define VMX_EPT_CAP_AD_BITS		BIT_ULL(21)
#define VMX_EPT_CAP_INVEPT_SINGLE	BIT_ULL(25)
#define VMX_EPT_CAP_INVEPT_ALL		BIT_ULL(26)
#define VMX_VPID_CAP_INVVPID		BIT_ULL(32)
#define VMX_VPID_CAP_INVVPID_ADDR	BIT_ULL(40)
#define VMX_VPID_CAP_INVVPID_SINGLE	BIT_ULL(41)
#define VMX_VPID_CAP_INVVPID_ALL	BIT_ULL(42)
#define VMX_VPID_CAP_INVVPID_SINGLE_KEEP_GLOBALS BIT_ULL(43)

/* The raw capability MSRs of one CPU. */
struct vmx_caps {
	u64 basic;		/* IA32_VMX_BASIC */
	/*
	 * The four control MSRs: the TRUE_* variants (0x48d-0x490) when
	 * BASIC[55] says they exist, else the legacy ones (0x481-0x484).
	 * Bits 31:0 are the allowed-0 settings (a 1 there forces the control
	 * on), bits 63:32 the allowed-1 settings (a 0 there forces it off).
	 */
	u64 pinbased;
	u64 procbased;
	u64 exit;
	u64 entry;
	u64 procbased2;		/* 0 unless primary allowed-1 bit 31 */
	u64 ept_vpid_cap;	/* 0 unless secondary allowed-1 EPT or VPID */
	u64 misc;		/* IA32_VMX_MISC */
	u64 cr0_fixed0, cr0_fixed1;
	u64 cr4_fixed0, cr4_fixed1;
};

/* The VMCS control values zircon-hv uses, and what the CPU adds. */
struct vmx_ctls {
	u32 pin;
	u32 proc;	/* initial value: interrupt-window exiting off */
	u32 proc2;
	u32 exit;
	u32 entry;	/* without IA-32e mode guest, which is per VCPU */
	bool pause_loop_exiting;	/* optional secondary controls we got */
	bool invpcid;
	bool ept_2m_pages;		/* only reported: warned when missing */
	bool ept_1g_pages;
};

/* Read this CPU's capability MSRs (caller pins the CPU). */
void zxhv_vmx_caps_read(struct vmx_caps *caps);

/*
 * zxhv_vmx_caps_ctl_adjust - the value of one control field.
 * @required: controls that must be on; one the CPU cannot set is an error
 * @optional: controls wanted if the CPU allows them
 * @cap: the field's capability MSR (allowed-0 in 31:0, allowed-1 in 63:32)
 * @value: out: required | allowed optional | allowed-0 (forced) bits
 *
 * Returns the required bits the CPU cannot set (0 = success).
 */
u32 zxhv_vmx_caps_ctl_adjust(u32 required, u32 optional, u64 cap, u32 *value);

/*
 * zxhv_vmx_caps_compute_ctls - check a CPU against spec §4 items 1 and 4 and compute
 * zircon-hv's control fields.  Returns 0, or -EOPNOTSUPP with *missing
 * naming the first missing feature (a static string).
 */
int zxhv_vmx_caps_compute_ctls(const struct vmx_caps *caps, struct vmx_ctls *ctls,
			       const char **missing);

/*
 * zxhv_vmx_caps_check_cr - CR0/CR4 against the FIXED MSRs (A.7, A.8): a bit set in
 * FIXED0 must be 1, a bit clear in FIXED1 must be 0.  @cr4 is the value
 * VMXON would run with (CR4.VMXE included).  Returns 0, or -EOPNOTSUPP
 * with *what naming the register.
 */
int zxhv_vmx_caps_check_cr(const struct vmx_caps *caps, unsigned long cr0,
			   unsigned long cr4, const char **what);

#endif /* ZXHV_VMX_CAPS_H */
