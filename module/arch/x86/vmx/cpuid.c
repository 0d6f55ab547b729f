// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPUID edits for guests (spec §3.6).  Bit positions are those of the Intel
 * SDM Vol. 2A, CPUID instruction reference (Tables 3-8 "Information Returned
 * by CPUID", 3-10 and 3-11 "Feature Information"); the KVM paravirtual
 * leaves are Linux's Documentation/virt/kvm/x86/cpuid.rst.
 */
#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/minmax.h>

#include <asm/processor.h>

#include "cpuid.h"

enum { EAX, EBX, ECX, EDX };

#define LEAF_THERMAL		0x6
#define LEAF_FEATURES		0x1
#define LEAF_MONITOR		0x5
#define LEAF_EXT_FEATURES	0x7
#define LEAF_PMU		0xa
#define LEAF_TOPOLOGY		0xb
#define LEAF_XSAVE		0xd
#define LEAF_HYP_BASE		0x40000000
#define LEAF_KVM_FEATURES	0x40000001
#define LEAF_EXT_BASE		0x80000000

/* Leaf 1. */
#define F1_EBX_APIC_ID		GENMASK(31, 24)
#define F1_ECX_MONITOR		BIT(3)
#define F1_ECX_VMX		BIT(5)
#define F1_ECX_TM2		BIT(8)
#define F1_ECX_PDCM		BIT(15)
#define F1_ECX_X2APIC		BIT(21)
#define F1_ECX_TSC_DEADLINE	BIT(24)
#define F1_ECX_HYPERVISOR	BIT(31)
#define F1_EDX_SEP		BIT(11)
#define F1_EDX_ACPI		BIT(22)
#define F1_EDX_TM		BIT(29)

/*
 * Leaf 6 (thermal and power management).  Hidden: the digital thermal
 * sensor (EAX 0) and its thresholds (EBX 3:0), turbo boost (EAX 1), power
 * limit notification (4), package thermal management (6), HWP and its
 * extensions (7-11, 15-20), turbo boost max 3.0 (14), hardware feedback
 * (EAX 19, EDX), APERF/MPERF (ECX 0) and the energy-bias hint (ECX 3):
 * their MSRs are not emulated.  ARAT (EAX 2) stays: the emulated APIC
 * timer does not stop in deep C-states.
 */
#define F6_EAX_HIDE \
	(BIT(0) | BIT(1) | BIT(4) | BIT(6) | GENMASK(11, 7) | BIT(14) | \
	 GENMASK(20, 15))
#define F6_ECX_HIDE		(BIT(0) | BIT(3))

/* Leaf 7 subleaf 0. */
#define F7_EBX_TSC_ADJUST	BIT(1)
#define F7_EBX_INVPCID		BIT(10)
#define F7_EBX_AVX512		(BIT(16) | BIT(17) | BIT(21) | BIT(26) | \
				 BIT(27) | BIT(28) | BIT(30) | BIT(31))
#define F7_EBX_PT		BIT(25)
#define F7_ECX_AVX512		(BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14))
#define F7_EDX_AVX512		(BIT(2) | BIT(3) | BIT(8) | BIT(23))
#define F7_EDX_IBRS_IBPB	BIT(26)
#define F7_EDX_STIBP		BIT(27)
#define F7_EDX_L1D_FLUSH	BIT(28)
#define F7_EDX_ARCH_CAP		BIT(29)
#define F7_EDX_SSBD		BIT(31)
/* Leaf 7 subleaf 1: AVX512_BF16. */
#define F7_1_EAX_AVX512		BIT(5)

/* Leaf 0xD subleaf 1: XSAVES/XRSTORS and IA32_XSS. */
#define FD_1_EAX_XSAVES		BIT(3)

/* 0x40000001: KVM_FEATURE_CLOCKSOURCE, NOP_IO_DELAY, CLOCKSOURCE2. */
#define KVM_FEATURES_EAX	(BIT(0) | BIT(1) | BIT(3))

/* XSAVE: the legacy region (512) and the header (64). */
#define XSAVE_MIN_SIZE		576

struct zxhv_cpuid_query zxhv_cpuid_host_leaf(u32 leaf,
					     const struct zxhv_cpuid_ctx *ctx)
{
	struct zxhv_cpuid_query q = { .leaf = leaf, .query = true };

	if (leaf == LEAF_HYP_BASE || leaf == LEAF_KVM_FEATURES) {
		q.query = false;
	} else if (leaf >= LEAF_EXT_BASE) {
		if (leaf > ctx->max_ext)
			q.leaf = ctx->max_basic;
	} else if (leaf > ctx->max_basic) {
		q.leaf = ctx->max_basic;
	}
	return q;
}

static void edit_leaf1(u32 vpid, u32 regs[4])
{
	regs[EBX] &= ~F1_EBX_APIC_ID;
	regs[EBX] |= FIELD_PREP(F1_EBX_APIC_ID, vpid - 1);
	regs[ECX] |= F1_ECX_HYPERVISOR | F1_ECX_X2APIC | F1_ECX_TSC_DEADLINE;
	regs[ECX] &= ~(F1_ECX_VMX | F1_ECX_PDCM | F1_ECX_MONITOR | F1_ECX_TM2);
	regs[EDX] |= F1_EDX_SEP;
	regs[EDX] &= ~(F1_EDX_TM | F1_EDX_ACPI);
}

static void edit_leaf7(u32 subleaf, const struct zxhv_cpuid_ctx *ctx,
		       u32 regs[4])
{
	if (subleaf == 1) {
		regs[EAX] &= ~F7_1_EAX_AVX512;
		return;
	}
	if (subleaf != 0)
		return;
	regs[EBX] &= ~(F7_EBX_PT | F7_EBX_TSC_ADJUST | F7_EBX_AVX512);
	if (!ctx->invpcid)
		regs[EBX] &= ~F7_EBX_INVPCID;
	regs[ECX] &= ~F7_ECX_AVX512;
	regs[EDX] &= ~(F7_EDX_AVX512 | F7_EDX_IBRS_IBPB | F7_EDX_STIBP |
		       F7_EDX_SSBD | F7_EDX_ARCH_CAP | F7_EDX_L1D_FLUSH);
}

static void set_regs(u32 regs[4], u32 a, u32 b, u32 c, u32 d)
{
	regs[EAX] = a;
	regs[EBX] = b;
	regs[ECX] = c;
	regs[EDX] = d;
}

void zxhv_cpuid_edit(u32 leaf, u32 subleaf, u32 vpid,
		     const struct zxhv_cpuid_ctx *ctx, u32 regs[4])
{
	/* "KVMKVMKVM\0\0\0" in EBX, ECX, EDX, little-endian. */
	static const u32 kvm_sig[3] = { 0x4b4d564b, 0x564b4d56, 0x0000004d };

	leaf = zxhv_cpuid_host_leaf(leaf, ctx).leaf;
	switch (leaf) {
	case LEAF_FEATURES:
		edit_leaf1(vpid, regs);
		break;
	case LEAF_MONITOR:
	case LEAF_PMU:
		set_regs(regs, 0, 0, 0, 0);
		break;
	case LEAF_THERMAL:
		regs[EAX] &= ~F6_EAX_HIDE;
		regs[EBX] = 0;
		regs[ECX] &= ~F6_ECX_HIDE;
		regs[EDX] = 0;
		break;
	case LEAF_EXT_FEATURES:
		edit_leaf7(subleaf, ctx, regs);
		break;
	case LEAF_TOPOLOGY:
		set_regs(regs, 0, 0, 0, vpid - 1);
		break;
	case LEAF_XSAVE:
		if (subleaf == 0)
			regs[EBX] = ctx->guest_xsave_size;
		else if (subleaf == 1)
			regs[EAX] &= ~FD_1_EAX_XSAVES;
		break;
	case LEAF_HYP_BASE:
		set_regs(regs, LEAF_KVM_FEATURES, kvm_sig[0], kvm_sig[1],
			 kvm_sig[2]);
		break;
	case LEAF_KVM_FEATURES:
		set_regs(regs, KVM_FEATURES_EAX, 0, 0, 0);
		break;
	}
}

u32 zxhv_cpuid_xsave_size(u64 xcr0, const u32 offset[ZXHV_XSAVE_COMPONENTS],
			  const u32 size[ZXHV_XSAVE_COMPONENTS])
{
	u32 end = XSAVE_MIN_SIZE;
	int i;

	for (i = 2; i < ZXHV_XSAVE_COMPONENTS; i++)
		if (xcr0 & BIT_ULL(i))
			end = max(end, offset[i] + size[i]);
	return end;
}

u32 zxhv_cpuid_host_xsave_size(u64 xcr0)
{
	u32 offset[ZXHV_XSAVE_COMPONENTS] = {}, size[ZXHV_XSAVE_COMPONENTS] = {};
	u32 ecx, edx;
	unsigned int i;

	for (i = 2; i < ZXHV_XSAVE_COMPONENTS; i++)
		if (xcr0 & BIT_ULL(i))
			cpuid_count(0xd, i, &size[i], &offset[i], &ecx, &edx);
	return zxhv_cpuid_xsave_size(xcr0, offset, size);
}
