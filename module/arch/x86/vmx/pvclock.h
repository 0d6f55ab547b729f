/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvmclock (docs/api.md §4 item 7, §3.6 "MSRs"): the KVM paravirtual clock a guest
 * registers with MSR_KVM_SYSTEM_TIME(_NEW).  The ABI is Linux's
 * Documentation/virt/kvm/x86/msr.rst and struct pvclock_vcpu_time_info
 * (asm/pvclock-abi.h): the guest's time at TSC value t is
 *
 *	system_time + scale(t - tsc_timestamp)
 *
 * where scale() shifts the TSC delta left by tsc_shift (right if it is
 * negative) and multiplies by tsc_to_system_mul / 2^32.
 *
 * The pure half (parameters, the guest's view, the next parameters) is
 * here for KUnit (kunit/vmx/pvclock_kunit.c); pvclock_vmx.c applies it.
 */
#ifndef ZXHV_VMX_PVCLOCK_H
#define ZXHV_VMX_PVCLOCK_H

#include <linux/types.h>

struct page;

/* What a pvclock_vcpu_time_info holds besides its version. */
struct zxhv_pvclock_params {
	u64 tsc;		/* tsc_timestamp */
	u64 ns;			/* system_time: host CLOCK_MONOTONIC, ns */
	u32 mul;		/* tsc_to_system_mul */
	s8 shift;		/* tsc_shift */
	u8 flags;		/* PVCLOCK_TSC_STABLE_BIT or 0 */
};

/*
 * The mul and shift that turn TSC ticks at @hz (> 0) into ns: shift puts
 * the scaled frequency in (1 GHz, 2 GHz], so mul is in [2^31, 2^32) and
 * keeps at least 31 significant bits.
 */
void zxhv_pvclock_scale(u64 hz, u32 *mul, s8 *shift);

/*
 * The time a guest computes from @p at TSC @tsc; a @tsc before
 * @p->tsc counts as @p->tsc (the guest never reads such a value from the
 * CPU it was written for, see pvclock_vmx.c).
 */
u64 zxhv_pvclock_guest_ns(const struct zxhv_pvclock_params *p, u64 tsc);

/*
 * The parameters to write at host time @now_ns and TSC @now_tsc, never
 * earlier than @floor_ns (the latest time the guest may have read from the
 * previous parameters): system_time = max(@now_ns, @floor_ns).
 */
void zxhv_pvclock_next(struct zxhv_pvclock_params *p, u64 now_ns, u64 now_tsc,
		       u64 floor_ns, u64 tsc_hz, bool stable);

/*
 * Can a guest register the clock at @gpa?  The 32-byte structure must be
 * 4-byte aligned (its version is written atomically) and lie in one page.
 */
bool zxhv_pvclock_gpa_ok(u64 gpa);

/* The clock state of one VCPU; owned by its bound thread (vcpu_priv.h). */
struct zxhv_pvclock {
	/*
	 * The guest page holding the structure, pinned (a page reference)
	 * while the clock is registered, NULL otherwise.  Pinned as in
	 * Zircon: a later unmap of that guest memory does not stop the
	 * updates, which then land in the VMO page the guest registered.
	 */
	struct page *page;
	unsigned int offset;		/* of the structure in @page */
	u32 version;			/* even; the guest sees odd while writing */
	bool written;			/* @cur is in the structure */
	bool entered;			/* the guest ran since @cur was written */
	struct zxhv_pvclock_params cur;
	u64 exit_tsc;			/* TSC after the last exit (@entered) */
	u64 system_time_msr;		/* last MSR_KVM_SYSTEM_TIME(_NEW) value */
	u64 wall_clock_msr;		/* last MSR_KVM_WALL_CLOCK(_NEW) value */
};

#endif /* ZXHV_VMX_PVCLOCK_H */
