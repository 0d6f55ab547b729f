// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPUID edits for guests (docs/api.md §3.6).  Bit positions are those of the Intel
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
#define LEAF_CACHE		0x4
#define LEAF_MONITOR		0x5
#define LEAF_EXT_FEATURES	0x7
#define LEAF_PMU		0xa
#define LEAF_TOPOLOGY		0xb
#define LEAF_XSAVE		0xd
#define LEAF_RDT_MON		0xf
#define LEAF_RDT_ALLOC		0x10
#define LEAF_SGX		0x12
#define LEAF_PT			0x14
#define LEAF_PCONFIG		0x1b
#define LEAF_TOPOLOGY_V2	0x1f
#define LEAF_HYP_BASE		0x40000000
#define LEAF_KVM_FEATURES	0x40000001
#define LEAF_EXT_BASE		0x80000000

/* Leaf 1. */
#define F1_EBX_APIC_ID		GENMASK(31, 24)
#define F1_EBX_LOGICAL_COUNT	GENMASK(23, 16)
#define F1_ECX_DTES64		BIT(2)
#define F1_ECX_MONITOR		BIT(3)
#define F1_ECX_DS_CPL		BIT(4)
#define F1_ECX_VMX		BIT(5)
#define F1_ECX_SMX		BIT(6)
#define F1_ECX_EST		BIT(7)
#define F1_ECX_TM2		BIT(8)
#define F1_ECX_PDCM		BIT(15)
#define F1_ECX_X2APIC		BIT(21)
#define F1_ECX_TSC_DEADLINE	BIT(24)
#define F1_ECX_HYPERVISOR	BIT(31)
#define F1_EDX_SEP		BIT(11)
#define F1_EDX_DS		BIT(21)
#define F1_EDX_ACPI		BIT(22)
#define F1_EDX_HTT		BIT(28)
#define F1_EDX_TM		BIT(29)

/*
 * Topology (SDM Vol. 3A 9.9 "Programming Considerations for Hardware
 * Multi-Threading Capable Processors", CPUID leaves 4, 0xB, 0x1F): every
 * VCPU is one core with one thread, all cores in one package.  The APIC
 * ID is VPID - 1 < 64, so the core field of the APIC ID is 6 bits wide
 * and the SMT field is empty: 64 addressable IDs per package.
 */
#define TOPO_CORE_SHIFT		6
#define TOPO_PACKAGE_IDS	BIT(TOPO_CORE_SHIFT)
/* Leaf 4 EAX: cache type, level, threads sharing it - 1, cores - 1. */
#define F4_EAX_TYPE		GENMASK(4, 0)
#define F4_EAX_LEVEL		GENMASK(7, 5)
#define F4_EAX_SHARING		GENMASK(25, 14)
#define F4_EAX_CORES		GENMASK(31, 26)
/* Leaf 0xB/0x1F: EAX shift to the next level, EBX processors at this
 * level, ECX level number and type (1 SMT, 2 core).
 */
#define FB_EAX_SHIFT		GENMASK(4, 0)
#define FB_EBX_COUNT		GENMASK(15, 0)
#define FB_ECX_LEVEL		GENMASK(7, 0)
#define FB_ECX_TYPE		GENMASK(15, 8)
#define FB_TYPE_SMT		1
#define FB_TYPE_CORE		2

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
#define F7_EBX_SGX		BIT(2)
#define F7_EBX_INVPCID		BIT(10)
#define F7_EBX_RDT_M		BIT(12)
#define F7_EBX_MPX		BIT(14)
#define F7_EBX_RDT_A		BIT(15)
#define F7_EBX_AVX512		(BIT(16) | BIT(17) | BIT(21) | BIT(26) | \
				 BIT(27) | BIT(28) | BIT(30) | BIT(31))
#define F7_EBX_PT		BIT(25)
#define F7_ECX_AVX512		(BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14))
#define F7_ECX_PKU		BIT(3)
#define F7_ECX_WAITPKG		BIT(5)
#define F7_ECX_CET_SS		BIT(7)
#define F7_ECX_TME		BIT(13)
#define F7_ECX_LA57		BIT(16)
#define F7_ECX_BUS_LOCK_DETECT	BIT(24)
#define F7_ECX_ENQCMD		BIT(29)
#define F7_ECX_SGX_LC		BIT(30)
#define F7_ECX_PKS		BIT(31)
#define F7_EDX_AVX512		(BIT(2) | BIT(3) | BIT(8) | BIT(23))
#define F7_EDX_PCONFIG		BIT(18)
#define F7_EDX_CET_IBT		BIT(20)
#define F7_EDX_AMX		(BIT(22) | BIT(24) | BIT(25))
#define F7_EDX_CORE_CAP		BIT(30)
#define F7_EDX_IBRS_IBPB	BIT(26)
#define F7_EDX_STIBP		BIT(27)
#define F7_EDX_L1D_FLUSH	BIT(28)
#define F7_EDX_ARCH_CAP		BIT(29)
#define F7_EDX_SSBD		BIT(31)
/* Leaf 7 subleaf 1: AVX512_BF16. */
#define F7_1_EAX_AVX512		BIT(5)

/* Leaf 0xD subleaf 1: XSAVES/XRSTORS and IA32_XSS; IA32_XFD. */
#define FD_1_EAX_XSAVES		BIT(3)
#define FD_1_EAX_XFD		BIT(4)

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
	regs[EBX] &= ~(F1_EBX_APIC_ID | F1_EBX_LOGICAL_COUNT);
	regs[EBX] |= FIELD_PREP(F1_EBX_APIC_ID, vpid - 1) |
		     FIELD_PREP(F1_EBX_LOGICAL_COUNT, TOPO_PACKAGE_IDS);
	regs[ECX] |= F1_ECX_HYPERVISOR | F1_ECX_X2APIC | F1_ECX_TSC_DEADLINE;
	regs[ECX] &= ~(F1_ECX_VMX | F1_ECX_PDCM | F1_ECX_MONITOR | F1_ECX_TM2);
	/*
	 * Not virtualised: the debug store (IA32_DS_AREA), SMX (GETSEC
	 * always exits and nothing handles it), Enhanced SpeedStep
	 * (IA32_PERF_CTL).
	 */
	regs[ECX] &= ~(F1_ECX_DTES64 | F1_ECX_DS_CPL | F1_ECX_SMX | F1_ECX_EST);
	/* HTT: EBX[23:16] is valid (SDM Vol. 2A Table 3-11). */
	regs[EDX] |= F1_EDX_SEP | F1_EDX_HTT;
	regs[EDX] &= ~(F1_EDX_TM | F1_EDX_ACPI | F1_EDX_DS);
}

/*
 * Leaf 4, deterministic cache parameters: the host's caches, shared as the
 * topology above says: L1 and L2 by one core, L3 and beyond by the
 * package.  The terminating subleaf (type 0) stays as the host has it.
 */
static void edit_leaf4(u32 regs[4])
{
	u32 sharing;

	if (!FIELD_GET(F4_EAX_TYPE, regs[EAX]))
		return;
	sharing = FIELD_GET(F4_EAX_LEVEL, regs[EAX]) >= 3 ? TOPO_PACKAGE_IDS - 1 : 0;
	regs[EAX] &= ~(F4_EAX_SHARING | F4_EAX_CORES);
	regs[EAX] |= FIELD_PREP(F4_EAX_SHARING, sharing) |
		     FIELD_PREP(F4_EAX_CORES, TOPO_PACKAGE_IDS - 1);
}

/*
 * Leaves 0xB and 0x1F, extended topology: level 0 is SMT (one thread, no
 * APIC ID bits), level 1 the core (TOPO_CORE_SHIFT bits to the package),
 * then invalid levels; EDX is always the x2APIC ID.
 */
static void edit_topology(u32 subleaf, u32 vpid, u32 regs[4])
{
	u32 level = FIELD_PREP(FB_ECX_LEVEL, subleaf);

	regs[EDX] = vpid - 1;
	switch (subleaf) {
	case 0:
		regs[EAX] = 0;
		regs[EBX] = FIELD_PREP(FB_EBX_COUNT, 1);
		regs[ECX] = level | FIELD_PREP(FB_ECX_TYPE, FB_TYPE_SMT);
		break;
	case 1:
		regs[EAX] = FIELD_PREP(FB_EAX_SHIFT, TOPO_CORE_SHIFT);
		regs[EBX] = FIELD_PREP(FB_EBX_COUNT, TOPO_PACKAGE_IDS);
		regs[ECX] = level | FIELD_PREP(FB_ECX_TYPE, FB_TYPE_CORE);
		break;
	default:
		regs[EAX] = 0;
		regs[EBX] = 0;
		regs[ECX] = level;
		break;
	}
}

/*
 * Leaf 7.0 features whose state or MSRs the module does not virtualise,
 * hidden so that a guest never reaches for them:
 *  - the XSAVE components beyond AVX (not swapped, docs/api.md §4 item 9): all of
 *    AVX-512, AMX, MPX, and PKU (PKRU would stay live in the host);
 *  - CET shadow stacks and IBT (IA32_S_CET/U_CET, XSAVES state), PKS
 *    (IA32_PKRS), ENQCMD (IA32_PASID);
 *  - WAITPKG: UMWAIT/TPAUSE raise #UD unless the "enable user wait and
 *    pause" control is on, and IA32_UMWAIT_CONTROL is not emulated;
 *  - SGX and SGX launch control, PCONFIG, TME (IA32_TME_ACTIVATE), RDT
 *    monitoring and allocation (IA32_PQR_ASSOC and the QoS MSRs),
 *    bus-lock detection (IA32_DEBUGCTL), IA32_CORE_CAPABILITIES;
 *  - LA57: MEM-trap packets give the VMM a CR3 but not the paging mode
 *    (zx_packet_guest_mem_t, docs/api.md §2.4), so a VMM decoding MMIO
 *    instructions walks 4-level tables; 5-level paging would break it;
 *  - PT, TSC_ADJUST and the speculation-control MSRs (docs/api.md §3.6).
 */
#define F7_EBX_HIDE	(F7_EBX_PT | F7_EBX_TSC_ADJUST | F7_EBX_AVX512 | \
			 F7_EBX_SGX | F7_EBX_RDT_M | F7_EBX_MPX | F7_EBX_RDT_A)
#define F7_ECX_HIDE	(F7_ECX_AVX512 | F7_ECX_PKU | F7_ECX_WAITPKG | \
			 F7_ECX_CET_SS | F7_ECX_TME | F7_ECX_LA57 | \
			 F7_ECX_BUS_LOCK_DETECT | F7_ECX_ENQCMD | F7_ECX_SGX_LC | \
			 F7_ECX_PKS)
#define F7_EDX_HIDE	(F7_EDX_AVX512 | F7_EDX_IBRS_IBPB | F7_EDX_STIBP | \
			 F7_EDX_SSBD | F7_EDX_ARCH_CAP | F7_EDX_L1D_FLUSH | \
			 F7_EDX_PCONFIG | F7_EDX_CET_IBT | F7_EDX_AMX | \
			 F7_EDX_CORE_CAP)

static void edit_leaf7(u32 subleaf, const struct zxhv_cpuid_ctx *ctx,
		       u32 regs[4])
{
	if (subleaf == 1) {
		regs[EAX] &= ~F7_1_EAX_AVX512;
		return;
	}
	if (subleaf != 0)
		return;
	regs[EBX] &= ~F7_EBX_HIDE;
	if (!ctx->invpcid)
		regs[EBX] &= ~F7_EBX_INVPCID;
	regs[ECX] &= ~F7_ECX_HIDE;
	regs[EDX] &= ~F7_EDX_HIDE;
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
	case LEAF_CACHE:
		edit_leaf4(regs);
		break;
	/* The features of these leaves are hidden (leaf 7, above). */
	case LEAF_RDT_MON:
	case LEAF_RDT_ALLOC:
	case LEAF_SGX:
	case LEAF_PT:
	case LEAF_PCONFIG:
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
	case LEAF_TOPOLOGY_V2:
		edit_topology(subleaf, vpid, regs);
		break;
	case LEAF_XSAVE:
		if (subleaf == 0) {
			regs[EBX] = ctx->guest_xsave_size;
		} else if (subleaf == 1) {
			/* No XSAVES, so no IA32_XSS components; no XFD. */
			regs[EAX] &= ~(FD_1_EAX_XSAVES | FD_1_EAX_XFD);
			regs[ECX] = 0;
			regs[EDX] = 0;
		}
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
