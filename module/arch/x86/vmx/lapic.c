// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pure core of the in-kernel x2APIC (lapic.h): register reads and
 * writes as docs/api.md §3.6 lists them, the timer arithmetic, ICR decoding.
 */
#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/time64.h>

#include "lapic.h"

/* ICR fields (SDM Vol. 3A Figure 11-28, x2APIC layout). */
#define ICR_VECTOR		0xffull
#define ICR_DELIVERY_SHIFT	8
#define ICR_LOGICAL		BIT_ULL(11)
#define ICR_SHORTHAND_SHIFT	18
#define ICR_DEST_SHIFT		32

#define ICR_DELIVERY_FIXED	0
#define ICR_DELIVERY_NMI	4
#define ICR_DELIVERY_INIT	5
#define ICR_DELIVERY_STARTUP	6

#define ICR_SHORTHAND_NONE	0
#define ICR_SHORTHAND_SELF	1
#define ICR_SHORTHAND_ALL	2
#define ICR_SHORTHAND_OTHERS	3

#define ICR_BROADCAST		0xffffffffu
#define NMI_VECTOR		2

/*
 * The x2APIC logical ID (SDM Vol. 3A 11.12.10.2): read-only, derived from
 * the x2APIC ID: the cluster (ID bits 19:4) in bits 31:16 and one bit,
 * 1 << ID[3:0], in bits 15:0.
 */
#define LDR_CLUSTER_SHIFT	16
#define LDR_CLUSTER_SIZE	16

u32 zxhv_lapic_ldr(u32 apic_id)
{
	return (apic_id / LDR_CLUSTER_SIZE) << LDR_CLUSTER_SHIFT |
	       BIT(apic_id % LDR_CLUSTER_SIZE);
}

void zxhv_lapic_reset(struct zxhv_lapic_regs *r)
{
	*r = (struct zxhv_lapic_regs){ .lvt_timer = ZXHV_LAPIC_LVT_MASKED };
}

enum zxhv_lapic_result zxhv_lapic_read(const struct zxhv_lapic_regs *r, u16 vpid,
				       u32 msr, u64 *val)
{
	*val = 0;
	switch (msr) {
	case ZXHV_X2APIC_ID:
		*val = vpid - 1;
		return ZXHV_LAPIC_OK;
	case ZXHV_X2APIC_VERSION:
		*val = ZXHV_LAPIC_VERSION;
		return ZXHV_LAPIC_OK;
	case ZXHV_X2APIC_SVR:
		*val = ZXHV_LAPIC_SVR;
		return ZXHV_LAPIC_OK;
	case ZXHV_X2APIC_LDR:
		*val = zxhv_lapic_ldr(vpid - 1);
		return ZXHV_LAPIC_OK;
	/*
	 * Nothing is ever in service or requested through these registers:
	 * interrupts reach the guest by VM-entry injection, so TPR, PPR,
	 * ISR, TMR, IRR and ESR read 0.
	 */
	case ZXHV_X2APIC_TPR:
	case ZXHV_X2APIC_PPR:
	case ZXHV_X2APIC_ISR0 ... ZXHV_X2APIC_IRR7:
	case ZXHV_X2APIC_ESR:
	case ZXHV_X2APIC_LVT_MONITOR:
		return ZXHV_LAPIC_OK;
	case ZXHV_X2APIC_LVT_CMCI:
	case ZXHV_X2APIC_LVT_THERMAL:
	case ZXHV_X2APIC_LVT_LINT0:
	case ZXHV_X2APIC_LVT_LINT1:
	case ZXHV_X2APIC_LVT_ERROR:
		*val = ZXHV_LAPIC_LVT_MASKED;
		return ZXHV_LAPIC_OK;
	case ZXHV_X2APIC_ICR:
		*val = r->icr;
		return ZXHV_LAPIC_OK;
	case ZXHV_X2APIC_LVT_TIMER:
		*val = r->lvt_timer;
		return ZXHV_LAPIC_OK;
	case ZXHV_X2APIC_INITIAL_COUNT:
		*val = r->initial_count;
		return ZXHV_LAPIC_OK;
	case ZXHV_X2APIC_DCR:
		*val = r->dcr;
		return ZXHV_LAPIC_OK;
	case ZXHV_X2APIC_CURRENT_COUNT:
		return ZXHV_LAPIC_CURRENT_COUNT;
	case ZXHV_MSR_TSC_DEADLINE:
		return ZXHV_LAPIC_TSC_DEADLINE;
	default:
		/* EOI and SELF_IPI are write-only; the rest does not exist. */
		return ZXHV_LAPIC_GP;
	}
}

static enum zxhv_lapic_result lapic_write_lvt_timer(struct zxhv_lapic_regs *r, u32 val)
{
	enum zxhv_lapic_timer_mode old = zxhv_lapic_timer_mode(r->lvt_timer);
	enum zxhv_lapic_timer_mode new = zxhv_lapic_timer_mode(val);

	if (new == ZXHV_LAPIC_TIMER_RESERVED)
		return ZXHV_LAPIC_INVALID;
	/* The hrtimer reads the vector and mask when it fires. */
	WRITE_ONCE(r->lvt_timer, val & ZXHV_LAPIC_LVT_TIMER_BITS);
	/* A mode change disarms the timer (SDM Vol. 3A 11.5.4.1). */
	return old == new ? ZXHV_LAPIC_OK : ZXHV_LAPIC_TIMER_STOP;
}

enum zxhv_lapic_result zxhv_lapic_write(struct zxhv_lapic_regs *r, u32 msr, u64 val)
{
	if (msr == ZXHV_X2APIC_ICR) {
		r->icr = val;
		return ZXHV_LAPIC_ICR;
	}
	if (msr == ZXHV_MSR_TSC_DEADLINE)
		return zxhv_lapic_timer_mode(r->lvt_timer) == ZXHV_LAPIC_TIMER_TSC_DEADLINE ?
		       ZXHV_LAPIC_TSC_DEADLINE : ZXHV_LAPIC_INVALID;
	/* The other x2APIC registers are 32 bits wide. */
	if (upper_32_bits(val))
		return ZXHV_LAPIC_GP;
	switch (msr) {
	case ZXHV_X2APIC_EOI:
	case ZXHV_X2APIC_ESR:
		return val ? ZXHV_LAPIC_GP : ZXHV_LAPIC_OK;
	/* Writable, but nothing here depends on them: kept as they read. */
	case ZXHV_X2APIC_TPR:
	case ZXHV_X2APIC_SVR:
	case ZXHV_X2APIC_LVT_CMCI:
	case ZXHV_X2APIC_LVT_THERMAL:
	case ZXHV_X2APIC_LVT_MONITOR:
	case ZXHV_X2APIC_LVT_LINT0:
	case ZXHV_X2APIC_LVT_LINT1:
	case ZXHV_X2APIC_LVT_ERROR:
		return ZXHV_LAPIC_OK;
	case ZXHV_X2APIC_LVT_TIMER:
		return lapic_write_lvt_timer(r, val);
	case ZXHV_X2APIC_INITIAL_COUNT:
		/* Ignored in TSC-deadline mode (SDM Vol. 3A 11.5.4.1). */
		if (zxhv_lapic_timer_mode(r->lvt_timer) == ZXHV_LAPIC_TIMER_TSC_DEADLINE)
			return ZXHV_LAPIC_OK;
		r->initial_count = val;
		return val ? ZXHV_LAPIC_TIMER_START : ZXHV_LAPIC_TIMER_STOP;
	case ZXHV_X2APIC_DCR:
		/* Bits 0, 1 and 3 hold the divisor; it applies from the next load. */
		r->dcr = val & 0xb;
		return ZXHV_LAPIC_OK;
	case ZXHV_X2APIC_SELF_IPI:
		return ZXHV_LAPIC_SELF_IPI;
	default:
		/* Read-only (ID, VERSION, PPR, LDR, ISR/TMR/IRR, current count) or absent. */
		return ZXHV_LAPIC_GP;
	}
}

u32 zxhv_lapic_divisor(u32 dcr)
{
	u32 v = (dcr & 3) | ((dcr >> 1) & 4);

	return v == 7 ? 1 : 2u << v;
}

u64 zxhv_lapic_count_ns(u32 count, u32 divisor, u32 tsc_khz, bool periodic)
{
	u64 ns;

	/* tsc_khz is 0 only before TSC calibration, never while guests run. */
	if (!tsc_khz)
		tsc_khz = 1;
	ns = mul_u64_u32_div((u64)count * divisor, 1000000, tsc_khz);
	return periodic ? max(ns, ZXHV_LAPIC_MIN_PERIOD_NS) : ns;
}

u64 zxhv_lapic_rate_take(struct zxhv_lapic_rate *r, u64 now_ns, u32 rate)
{
	u64 interval, at;
	s64 old;

	if (!rate)
		return 0;
	interval = max_t(u64, div_u64(NSEC_PER_SEC, rate), 1);
	old = atomic64_read(&r->tat);
	do {
		at = max_t(u64, old, now_ns);
		if (at - now_ns > ZXHV_LAPIC_RATE_BURST_NS)
			return at - ZXHV_LAPIC_RATE_BURST_NS;
	} while (!atomic64_try_cmpxchg(&r->tat, &old, at + interval));
	return 0;
}

u32 zxhv_lapic_current_count(enum zxhv_lapic_timer_mode mode, u32 initial, u32 divisor,
			     u32 tsc_khz, u64 elapsed_ns)
{
	bool periodic = mode == ZXHV_LAPIC_TIMER_PERIODIC;
	u64 period, left, ticks;

	if (!initial || (mode != ZXHV_LAPIC_TIMER_ONESHOT && !periodic))
		return 0;
	period = zxhv_lapic_count_ns(initial, divisor, tsc_khz, periodic);
	if (periodic)
		div64_u64_rem(elapsed_ns, period, &elapsed_ns);
	else if (elapsed_ns >= period)
		return 0;
	left = period - elapsed_ns;
	ticks = div_u64(mul_u64_u32_div(left, tsc_khz ? tsc_khz : 1, 1000000), divisor);
	/* The periodic floor makes a period longer than its count: clamp. */
	return min_t(u64, ticks, initial);
}

u64 zxhv_lapic_deadline_ns(u64 deadline, u64 now, u32 tsc_khz)
{
	if (deadline <= now)
		return 0;
	return mul_u64_u32_div(deadline - now, 1000000, tsc_khz ? tsc_khz : 1);
}

/*
 * The APIC IDs (< 64) whose logical ID matches logical destination @dest:
 * those of cluster dest[31:16] whose bit is set in dest[15:0] (SDM Vol. 3A
 * 11.12.10.2, x2APIC logical mode is cluster mode only).
 */
static u64 lapic_logical_mask(u32 dest)
{
	u32 first = (dest >> LDR_CLUSTER_SHIFT) * LDR_CLUSTER_SIZE;
	u64 bits = dest & GENMASK(LDR_CLUSTER_SIZE - 1, 0);

	return first < 64 ? bits << first : 0;
}

static u64 lapic_icr_mask(u64 icr, u32 self)
{
	u32 dest = icr >> ICR_DEST_SHIFT;
	u64 self_bit = self < 64 ? BIT_ULL(self) : 0;

	switch ((icr >> ICR_SHORTHAND_SHIFT) & 3) {
	case ICR_SHORTHAND_SELF:
		return self_bit;
	case ICR_SHORTHAND_ALL:
		return U64_MAX;
	case ICR_SHORTHAND_OTHERS:
		return ~self_bit;
	default:
		if (dest == ICR_BROADCAST)
			return U64_MAX;
		if (icr & ICR_LOGICAL)
			return lapic_logical_mask(dest);
		return dest < 64 ? BIT_ULL(dest) : 0;
	}
}

void zxhv_lapic_icr_decode(u64 icr, u32 self, struct zxhv_lapic_ipi *ipi)
{
	*ipi = (struct zxhv_lapic_ipi){ .kind = ZXHV_LAPIC_IPI_UNSUPPORTED };
	switch ((icr >> ICR_DELIVERY_SHIFT) & 7) {
	case ICR_DELIVERY_FIXED:
		ipi->kind = ZXHV_LAPIC_IPI_INTERRUPT;
		ipi->mask = lapic_icr_mask(icr, self);
		ipi->vector = icr & ICR_VECTOR;
		break;
	case ICR_DELIVERY_NMI:
		ipi->kind = ZXHV_LAPIC_IPI_INTERRUPT;
		ipi->mask = lapic_icr_mask(icr, self) & ~(self < 64 ? BIT_ULL(self) : 0);
		ipi->vector = NMI_VECTOR;
		break;
	case ICR_DELIVERY_INIT:
		ipi->kind = ZXHV_LAPIC_IPI_IGNORE;
		break;
	case ICR_DELIVERY_STARTUP:
		/* The packet names one APIC ID: a physical destination. */
		if (icr & ICR_LOGICAL)
			break;
		ipi->kind = ZXHV_LAPIC_IPI_STARTUP;
		ipi->id = icr >> ICR_DEST_SHIFT;
		ipi->entry = (icr & ICR_VECTOR) << 12;
		break;
	}
}
