/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMX availability, decided from raw hardware state so that the decision
 * itself is a pure function that KUnit can test.
 */
#ifndef ZXHV_VMX_PROBE_H
#define ZXHV_VMX_PROBE_H

#include <linux/types.h>

/* What one CPU reports; gathered by an IPI on that CPU. */
struct vmx_cpu_facts {
	u32 cpuid1_ecx;		/* CPUID.1:ECX, raw (not the kernel's feature mask) */
	bool feat_ctl_ok;	/* IA32_FEATURE_CONTROL could be read */
	u64 feat_ctl;		/* its value, when feat_ctl_ok */
	unsigned long cr4;	/* the CPU's CR4 */
};

/* Returns an enum zxhv_vmx_probe_result for one CPU's facts. */
u32 zxhv_vmx_probe_classify(const struct vmx_cpu_facts *facts);

#endif /* ZXHV_VMX_PROBE_H */
