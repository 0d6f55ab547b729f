/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CPUID a guest sees: the host's values, edited per docs/api.md §3.6.  Pure
 * functions (but zxhv_cpuid_host_xsave_size()); the CPUID exit handler runs
 *
 *	q = zxhv_cpuid_host_leaf(leaf, &ctx);
 *	if (q.query)
 *		cpuid_count(q.leaf, subleaf, &r[0], &r[1], &r[2], &r[3]);
 *	zxhv_cpuid_edit(leaf, subleaf, vpid, &ctx, r);
 *
 * with r[] = EAX, EBX, ECX, EDX.
 */
#ifndef ZXHV_VMX_CPUID_H
#define ZXHV_VMX_CPUID_H

#include <linux/types.h>

/* XSAVE state components the layout helper knows (x87 .. 18). */
#define ZXHV_XSAVE_COMPONENTS	19

struct zxhv_cpuid_ctx {
	u32 max_basic;		/* host CPUID.0:EAX */
	u32 max_ext;		/* host CPUID.80000000h:EAX */
	/* XSAVE area size for the guest's current XCR0 (leaf 0xD.0 EBX). */
	u32 guest_xsave_size;
	/* The "enable INVPCID" secondary control is on. */
	bool invpcid;
};

/* The host leaf whose values zxhv_cpuid_edit() wants for @leaf. */
struct zxhv_cpuid_query {
	u32 leaf;
	bool query;		/* false: edit() fills every register */
};

/*
 * Leaves above the host's maximum basic leaf (and extended leaves above
 * its maximum extended leaf, and hypervisor leaves past 0x40000001) read as
 * the maximum basic leaf, as on Intel hardware; 0x40000000 and 0x40000001
 * are synthesised.
 */
struct zxhv_cpuid_query zxhv_cpuid_host_leaf(u32 leaf,
					     const struct zxhv_cpuid_ctx *ctx);

/*
 * Edits @regs (EAX, EBX, ECX, EDX: the host's values of
 * zxhv_cpuid_host_leaf(@leaf).leaf for @subleaf) into what a guest VCPU
 * with @vpid (>= 1; APIC ID vpid - 1) sees for @leaf.
 */
void zxhv_cpuid_edit(u32 leaf, u32 subleaf, u32 vpid,
		     const struct zxhv_cpuid_ctx *ctx, u32 regs[4]);

/*
 * The standard-format XSAVE area size for @xcr0: the end of the last
 * enabled component, at least the legacy area plus header (576 bytes).
 * @offset[i]/@size[i] are CPUID.(0xD, i):EBX/EAX for components i >= 2
 * (entries 0 and 1 are ignored).
 */
u32 zxhv_cpuid_xsave_size(u64 xcr0, const u32 offset[ZXHV_XSAVE_COMPONENTS],
			  const u32 size[ZXHV_XSAVE_COMPONENTS]);

/*
 * zxhv_cpuid_xsave_size() with the offsets and sizes of this CPU's CPUID
 * leaf 0xD: the XSAVE area size a guest with XCR0 = @xcr0 needs.
 */
u32 zxhv_cpuid_host_xsave_size(u64 xcr0);

#endif /* ZXHV_VMX_CPUID_H */
