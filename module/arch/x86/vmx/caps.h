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

#include "vmx_compat.h"

/*
 * The control and capability bits are the kernel's (vmx_compat.h).  Its
 * VMX_VPID_* capability bits count from bit 32 of IA32_VMX_EPT_VPID_CAP
 * (A.10), which struct vmx_caps keeps whole: this moves one into place.
 */
#define ZXHV_VPID_CAP(bit)	((u64)(bit) << 32)

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
	u32 exception_bitmap;	/* guest exceptions that exit: #MC */
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
 * zxhv_vmx_caps_compute_ctls - check a CPU against docs/api.md §4 items 1 and 4 and compute
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
