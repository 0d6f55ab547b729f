// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmclock's pure model; see pvclock.h for the ABI and pvclock_vmx.c for
 * when the structure is written.
 */
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/time64.h>
#include <asm/pvclock-abi.h>

#include "pvclock.h"

void zxhv_pvclock_scale(u64 hz, u32 *mul, s8 *shift)
{
	u64 scaled = hz;
	s8 s = 0;

	while (scaled > 2 * NSEC_PER_SEC) {
		scaled >>= 1;
		s--;
	}
	while (scaled <= NSEC_PER_SEC) {
		scaled <<= 1;
		s++;
	}
	/* scaled > 10^9, so the quotient is below 2^32. */
	*mul = div64_u64((u64)NSEC_PER_SEC << 32, scaled);
	*shift = s;
}

u64 zxhv_pvclock_guest_ns(const struct zxhv_pvclock_params *p, u64 tsc)
{
	u64 delta = tsc > p->tsc ? tsc - p->tsc : 0;

	if (p->shift < 0)
		delta >>= -p->shift;
	else
		delta <<= p->shift;
	return p->ns + mul_u64_u32_shr(delta, p->mul, 32);
}

void zxhv_pvclock_next(struct zxhv_pvclock_params *p, u64 now_ns, u64 now_tsc,
		       u64 floor_ns, u64 tsc_hz, bool stable)
{
	zxhv_pvclock_scale(tsc_hz, &p->mul, &p->shift);
	p->tsc = now_tsc;
	p->ns = max(now_ns, floor_ns);
	p->flags = stable ? PVCLOCK_TSC_STABLE_BIT : 0;
}

bool zxhv_pvclock_gpa_ok(u64 gpa)
{
	return IS_ALIGNED(gpa, 4) &&
	       offset_in_page(gpa) + sizeof(struct pvclock_vcpu_time_info) <= PAGE_SIZE;
}

/* ============================== glue ================================== */
