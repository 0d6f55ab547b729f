// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the local APIC model (module/arch/x86/vmx/lapic.c): register
 * reads and writes of docs/api.md §3.6, the timer modes and their arithmetic
 * (divisor, count duration, current count, TSC deadline), ICR
 * destination decoding (docs/api.md §3.2), and the host-wide timer cap.
 */
#include <kunit/test.h>

#include "../../module/arch/x86/vmx/lapic.h"

#define TSC_KHZ		2000000u	/* 2 GHz: 2 ticks a nanosecond */
#define LVT_MODE(m)	((u32)(m) << 17)

static void lapic_reads(struct kunit *test)
{
	struct zxhv_lapic_regs r;
	u64 v;

	zxhv_lapic_reset(&r);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_read(&r, 1, ZXHV_X2APIC_ID, &v), ZXHV_LAPIC_OK);
	KUNIT_EXPECT_EQ(test, v, 0ULL);
	zxhv_lapic_read(&r, 4, ZXHV_X2APIC_ID, &v);
	KUNIT_EXPECT_EQ(test, v, 3ULL);
	zxhv_lapic_read(&r, 1, ZXHV_X2APIC_VERSION, &v);
	KUNIT_EXPECT_EQ(test, v, 0x60015ULL);
	zxhv_lapic_read(&r, 1, ZXHV_X2APIC_SVR, &v);
	KUNIT_EXPECT_EQ(test, v, 0xffULL);
	zxhv_lapic_read(&r, 1, ZXHV_X2APIC_LVT_TIMER, &v);
	KUNIT_EXPECT_EQ(test, v, 0x10000ULL);	/* starts masked */
	zxhv_lapic_read(&r, 1, ZXHV_X2APIC_LVT_LINT0, &v);
	KUNIT_EXPECT_EQ(test, v, 0x10000ULL);
	zxhv_lapic_read(&r, 1, ZXHV_X2APIC_LVT_MONITOR, &v);
	KUNIT_EXPECT_EQ(test, v, 0ULL);
	for (u32 m = ZXHV_X2APIC_ISR0; m <= ZXHV_X2APIC_IRR7; m++) {
		v = 1;
		KUNIT_EXPECT_EQ(test, zxhv_lapic_read(&r, 1, m, &v), ZXHV_LAPIC_OK);
		KUNIT_EXPECT_EQ(test, v, 0ULL);
	}
	KUNIT_EXPECT_EQ(test, zxhv_lapic_read(&r, 1, ZXHV_X2APIC_EOI, &v), ZXHV_LAPIC_GP);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_read(&r, 1, ZXHV_X2APIC_SELF_IPI, &v), ZXHV_LAPIC_GP);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_read(&r, 1, 0x800, &v), ZXHV_LAPIC_GP);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_read(&r, 1, 0x83d, &v), ZXHV_LAPIC_GP);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_read(&r, 1, ZXHV_X2APIC_CURRENT_COUNT, &v),
			ZXHV_LAPIC_CURRENT_COUNT);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_read(&r, 1, ZXHV_MSR_TSC_DEADLINE, &v),
			ZXHV_LAPIC_TSC_DEADLINE);
}

static void lapic_writes(struct kunit *test)
{
	struct zxhv_lapic_regs r;
	u64 v;

	zxhv_lapic_reset(&r);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_EOI, 0), ZXHV_LAPIC_OK);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_EOI, 1), ZXHV_LAPIC_GP);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_ESR, 0), ZXHV_LAPIC_OK);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_ESR, 4), ZXHV_LAPIC_GP);
	/* Upper 32 bits: #GP everywhere but the ICR. */
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_TPR, 1ULL << 32), ZXHV_LAPIC_GP);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_TPR, 0x20), ZXHV_LAPIC_OK);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_ICR, 0x300000040ULL),
			ZXHV_LAPIC_ICR);
	zxhv_lapic_read(&r, 1, ZXHV_X2APIC_ICR, &v);
	KUNIT_EXPECT_EQ(test, v, 0x300000040ULL);
	/* Read-only and absent registers. */
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_ID, 0), ZXHV_LAPIC_GP);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_VERSION, 0), ZXHV_LAPIC_GP);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_LDR, 0), ZXHV_LAPIC_GP);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_IRR0, 0), ZXHV_LAPIC_GP);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_CURRENT_COUNT, 0), ZXHV_LAPIC_GP);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, 0x801, 0), ZXHV_LAPIC_GP);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_SELF_IPI, 0x40),
			ZXHV_LAPIC_SELF_IPI);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_SELF_IPI, 1ULL << 32),
			ZXHV_LAPIC_GP);
	/* Ignored writes leave the fixed reads alone. */
	zxhv_lapic_write(&r, ZXHV_X2APIC_SVR, 0x1ff);
	zxhv_lapic_read(&r, 1, ZXHV_X2APIC_SVR, &v);
	KUNIT_EXPECT_EQ(test, v, 0xffULL);
}

static void lapic_timer_modes(struct kunit *test)
{
	struct zxhv_lapic_regs r;
	u64 v;

	zxhv_lapic_reset(&r);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_timer_mode(r.lvt_timer), ZXHV_LAPIC_TIMER_ONESHOT);
	/* Same mode: no restart; mode change: the timer stops. */
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_LVT_TIMER, 0x40), ZXHV_LAPIC_OK);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_LVT_TIMER,
					       LVT_MODE(1) | 0x41), ZXHV_LAPIC_TIMER_STOP);
	zxhv_lapic_read(&r, 1, ZXHV_X2APIC_LVT_TIMER, &v);
	KUNIT_EXPECT_EQ(test, v, (u64)(LVT_MODE(1) | 0x41));
	/* Reserved bits are dropped. */
	zxhv_lapic_write(&r, ZXHV_X2APIC_LVT_TIMER, LVT_MODE(1) | 0x41 | BIT(12) | BIT(20));
	zxhv_lapic_read(&r, 1, ZXHV_X2APIC_LVT_TIMER, &v);
	KUNIT_EXPECT_EQ(test, v, (u64)(LVT_MODE(1) | 0x41));
	/* The reserved mode: enter fails, nothing stored. */
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_LVT_TIMER, LVT_MODE(3) | 0x42),
			ZXHV_LAPIC_INVALID);
	KUNIT_EXPECT_EQ(test, r.lvt_timer, LVT_MODE(1) | 0x41);
	/* Initial count: a non-zero count starts, 0 stops. */
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_INITIAL_COUNT, 1000),
			ZXHV_LAPIC_TIMER_START);
	KUNIT_EXPECT_EQ(test, r.initial_count, 1000U);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_INITIAL_COUNT, 0),
			ZXHV_LAPIC_TIMER_STOP);
	/* TSC_DEADLINE only in TSC-deadline mode, where the count is ignored. */
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_MSR_TSC_DEADLINE, 5), ZXHV_LAPIC_INVALID);
	zxhv_lapic_write(&r, ZXHV_X2APIC_LVT_TIMER, LVT_MODE(2) | 0x43);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_MSR_TSC_DEADLINE, 5),
			ZXHV_LAPIC_TSC_DEADLINE);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_write(&r, ZXHV_X2APIC_INITIAL_COUNT, 77), ZXHV_LAPIC_OK);
	KUNIT_EXPECT_EQ(test, r.initial_count, 0U);
	/* DCR keeps bits 0, 1, 3. */
	zxhv_lapic_write(&r, ZXHV_X2APIC_DCR, 0xff);
	KUNIT_EXPECT_EQ(test, r.dcr, 0xbU);
}

static void lapic_divisor(struct kunit *test)
{
	static const u32 want[8] = { 2, 4, 8, 16, 32, 64, 128, 1 };

	for (u32 i = 0; i < 8; i++) {
		u32 dcr = (i & 3) | ((i & 4) << 1);

		KUNIT_EXPECT_EQ_MSG(test, zxhv_lapic_divisor(dcr), want[i], "dcr %#x", dcr);
		/* Bit 2 is not part of the divisor. */
		KUNIT_EXPECT_EQ(test, zxhv_lapic_divisor(dcr | 4), want[i]);
	}
}

static void lapic_timer_arithmetic(struct kunit *test)
{
	/* 2 GHz: 1000 ticks at divisor 2 = 1000 ns; periodic has a floor. */
	KUNIT_EXPECT_EQ(test, zxhv_lapic_count_ns(1000, 2, TSC_KHZ, false), 1000ULL);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_count_ns(1000, 2, TSC_KHZ, true), 200000ULL);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_count_ns(399999, 1, TSC_KHZ, true), 200000ULL);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_count_ns(400002, 1, TSC_KHZ, true), 200001ULL);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_count_ns(1000000, 1, TSC_KHZ, true), 500000ULL);
	/* The largest count at the largest divisor does not overflow. */
	KUNIT_EXPECT_EQ(test, zxhv_lapic_count_ns(U32_MAX, 128, 1000, false),
			(u64)U32_MAX * 128 * 1000);

	/* One-shot: counts down, then stays 0. */
	KUNIT_EXPECT_EQ(test, zxhv_lapic_current_count(ZXHV_LAPIC_TIMER_ONESHOT, 1000000, 1,
						       TSC_KHZ, 0), 1000000U);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_current_count(ZXHV_LAPIC_TIMER_ONESHOT, 1000000, 1,
						       TSC_KHZ, 100000), 800000U);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_current_count(ZXHV_LAPIC_TIMER_ONESHOT, 1000000, 4,
						       TSC_KHZ, 1000000), 500000U);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_current_count(ZXHV_LAPIC_TIMER_ONESHOT, 1000000, 1,
						       TSC_KHZ, 500000), 0U);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_current_count(ZXHV_LAPIC_TIMER_ONESHOT, 1000000, 1,
						       TSC_KHZ, 10000000), 0U);
	/* Periodic: reloads every period (500 us here). */
	KUNIT_EXPECT_EQ(test, zxhv_lapic_current_count(ZXHV_LAPIC_TIMER_PERIODIC, 1000000, 1,
						       TSC_KHZ, 500000 * 7 + 100000), 800000U);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_current_count(ZXHV_LAPIC_TIMER_PERIODIC, 1000000, 1,
						       TSC_KHZ, 500000 * 3), 1000000U);
	/* A period below the floor still reads no more than the count. */
	KUNIT_EXPECT_EQ(test, zxhv_lapic_current_count(ZXHV_LAPIC_TIMER_PERIODIC, 100, 1,
						       TSC_KHZ, 0), 100U);
	/* TSC-deadline and a zero count read 0. */
	KUNIT_EXPECT_EQ(test, zxhv_lapic_current_count(ZXHV_LAPIC_TIMER_TSC_DEADLINE, 1000, 1,
						       TSC_KHZ, 0), 0U);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_current_count(ZXHV_LAPIC_TIMER_ONESHOT, 0, 1,
						       TSC_KHZ, 0), 0U);

	/* TSC deadline: past -> 0, future -> ticks at the TSC rate. */
	KUNIT_EXPECT_EQ(test, zxhv_lapic_deadline_ns(100, 200, TSC_KHZ), 0ULL);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_deadline_ns(200, 200, TSC_KHZ), 0ULL);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_deadline_ns(2000200, 200, TSC_KHZ), 1000000ULL);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_deadline_ns(U64_MAX, 0, 1000000), U64_MAX);
}

/* ICR: vector | delivery << 8 | shorthand << 18 | destination << 32. */
static u64 icr(u32 vector, u32 delivery, u32 shorthand, u32 dest)
{
	return vector | delivery << 8 | shorthand << 18 | (u64)dest << 32;
}

static void lapic_icr_destinations(struct kunit *test)
{
	static const struct {
		u32 shorthand, dest;
		u64 mask;
	} cases[] = {
		{ 0, 0, BIT_ULL(0) },
		{ 0, 5, BIT_ULL(5) },
		{ 0, 63, BIT_ULL(63) },
		{ 0, 64, 0 },
		{ 0, 0xfffffffe, 0 },
		{ 0, 0xffffffff, U64_MAX },
		{ 1, 9, BIT_ULL(3) },		/* self: APIC ID 3 */
		{ 2, 9, U64_MAX },		/* all including self */
		{ 3, 9, ~BIT_ULL(3) },		/* all excluding self */
	};
	struct zxhv_lapic_ipi ipi;

	for (u32 i = 0; i < ARRAY_SIZE(cases); i++) {
		zxhv_lapic_icr_decode(icr(0x45, 0, cases[i].shorthand, cases[i].dest), 3, &ipi);
		KUNIT_EXPECT_EQ_MSG(test, ipi.kind, ZXHV_LAPIC_IPI_INTERRUPT, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, ipi.mask, cases[i].mask, "case %u", i);
		KUNIT_EXPECT_EQ(test, ipi.vector, 0x45);
	}
	/* NMI: vector 2, never the sender. */
	zxhv_lapic_icr_decode(icr(0x45, 4, 2, 0), 3, &ipi);
	KUNIT_EXPECT_EQ(test, ipi.kind, ZXHV_LAPIC_IPI_INTERRUPT);
	KUNIT_EXPECT_EQ(test, ipi.vector, 2);
	KUNIT_EXPECT_EQ(test, ipi.mask, ~BIT_ULL(3));
	zxhv_lapic_icr_decode(icr(0, 4, 0, 3), 3, &ipi);
	KUNIT_EXPECT_EQ(test, ipi.mask, 0ULL);
	zxhv_lapic_icr_decode(icr(0, 4, 0, 1), 3, &ipi);
	KUNIT_EXPECT_EQ(test, ipi.mask, BIT_ULL(1));
}

static void lapic_icr_modes(struct kunit *test)
{
	struct zxhv_lapic_ipi ipi;

	zxhv_lapic_icr_decode(icr(0x09, 6, 0, 2), 0, &ipi);
	KUNIT_EXPECT_EQ(test, ipi.kind, ZXHV_LAPIC_IPI_STARTUP);
	KUNIT_EXPECT_EQ(test, ipi.id, 2ULL);
	KUNIT_EXPECT_EQ(test, ipi.entry, 0x9000ULL);
	zxhv_lapic_icr_decode(icr(0, 5, 0, 2), 0, &ipi);
	KUNIT_EXPECT_EQ(test, ipi.kind, ZXHV_LAPIC_IPI_IGNORE);
	/* Lowest priority, SMI, reserved, ExtINT: not supported. */
	for (u32 mode = 1; mode < 8; mode++) {
		if (mode == 4 || mode == 5 || mode == 6)
			continue;
		zxhv_lapic_icr_decode(icr(0x30, mode, 0, 1), 0, &ipi);
		KUNIT_EXPECT_EQ_MSG(test, ipi.kind, ZXHV_LAPIC_IPI_UNSUPPORTED, "mode %u", mode);
	}
	/* A STARTUP to a logical destination: the packet names one ID. */
	zxhv_lapic_icr_decode(icr(0x09, 6, 0, 1) | BIT(11), 0, &ipi);
	KUNIT_EXPECT_EQ(test, ipi.kind, ZXHV_LAPIC_IPI_UNSUPPORTED);
}

/* x2APIC logical IDs: cluster ID[19:4] in 31:16, 1 << ID[3:0] in 15:0. */
static void lapic_ldr(struct kunit *test)
{
	struct zxhv_lapic_regs r;
	u64 v;

	KUNIT_EXPECT_EQ(test, zxhv_lapic_ldr(0), 0x1U);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_ldr(5), 0x20U);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_ldr(15), 0x8000U);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_ldr(16), 0x10001U);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_ldr(62), 0x34000U);
	zxhv_lapic_reset(&r);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_read(&r, 18, ZXHV_X2APIC_LDR, &v), ZXHV_LAPIC_OK);
	KUNIT_EXPECT_EQ(test, v, 0x10002ULL);	/* APIC ID 17 */
}

/* Logical (cluster) destinations select APIC IDs by their LDR. */
static void lapic_icr_logical(struct kunit *test)
{
	static const struct {
		u32 delivery, shorthand, dest;
		u64 mask;
	} cases[] = {
		{ 0, 0, 0x00000001, BIT_ULL(0) },
		{ 0, 0, 0x00000006, BIT_ULL(1) | BIT_ULL(2) },
		{ 0, 0, 0x0000ffff, GENMASK_ULL(15, 0) },
		{ 0, 0, 0x00010001, BIT_ULL(16) },
		{ 0, 0, 0x00038000, BIT_ULL(63) },
		{ 0, 0, 0x0003c001, BIT_ULL(48) | GENMASK_ULL(63, 62) },
		{ 0, 0, 0x00040001, 0 },	/* cluster 4: APIC ID 64 */
		{ 0, 0, 0xfffe0001, 0 },
		{ 0, 0, 0x00000000, 0 },
		{ 0, 0, 0xffffffff, U64_MAX },	/* broadcast */
		{ 0, 1, 0x00000001, BIT_ULL(3) },	/* shorthands win */
		{ 0, 3, 0x00000001, ~BIT_ULL(3) },
		{ 4, 0, 0x0000000f, BIT_ULL(0) | BIT_ULL(1) | BIT_ULL(2) },	/* NMI */
	};
	struct zxhv_lapic_ipi ipi;
	u8 want_vector;

	for (u32 i = 0; i < ARRAY_SIZE(cases); i++) {
		zxhv_lapic_icr_decode(icr(0x45, cases[i].delivery, cases[i].shorthand,
					  cases[i].dest) | BIT(11), 3, &ipi);
		KUNIT_EXPECT_EQ_MSG(test, ipi.kind, ZXHV_LAPIC_IPI_INTERRUPT, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, ipi.mask, cases[i].mask, "case %u", i);
		want_vector = 0x45;
		if (cases[i].delivery == 4)
			want_vector = 2;	/* NMI */
		KUNIT_EXPECT_EQ_MSG(test, ipi.vector, want_vector, "case %u", i);
	}
	/* Each VCPU's own LDR as the destination selects exactly it. */
	for (u32 id = 0; id < 64; id++) {
		zxhv_lapic_icr_decode(icr(0x45, 0, 0, zxhv_lapic_ldr(id)) | BIT(11), 0, &ipi);
		KUNIT_EXPECT_EQ_MSG(test, ipi.mask, BIT_ULL(id), "APIC ID %u", id);
	}
}

/*
 * The host-wide cap (issue 16, F12): 1000 a second is one expiry a
 * millisecond, after a burst of 10 ms worth (11, counting the one the
 * schedule reaches exactly); an expiry over the cap learns when to retry,
 * and may go ahead then; an idle while refills the burst; 0 is no cap.
 */
static void lapic_rate_cap(struct kunit *test)
{
	const u64 t0 = 5 * NSEC_PER_SEC, ms = NSEC_PER_MSEC;
	struct zxhv_lapic_rate r = { .tat = ATOMIC64_INIT(0) };
	u32 i;

	for (i = 0; i <= ZXHV_LAPIC_RATE_BURST_NS / ms; i++)
		KUNIT_EXPECT_EQ_MSG(test, zxhv_lapic_rate_take(&r, t0, 1000), 0ull, "expiry %u", i);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_rate_take(&r, t0, 1000), t0 + ms);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_rate_take(&r, t0 + ms / 2, 1000), t0 + ms);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_rate_take(&r, t0 + ms, 1000), 0ull);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_rate_take(&r, t0 + ms, 1000), t0 + 2 * ms);
	/* No cap: everything goes, and the schedule does not move. */
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ(test, zxhv_lapic_rate_take(&r, t0 + ms, 0), 0ull);
	KUNIT_EXPECT_EQ(test, zxhv_lapic_rate_take(&r, t0 + ms, 1000), t0 + 2 * ms);
	/* A second later the whole burst is back. */
	for (i = 0; i <= ZXHV_LAPIC_RATE_BURST_NS / ms; i++)
		KUNIT_EXPECT_EQ(test, zxhv_lapic_rate_take(&r, t0 + NSEC_PER_SEC, 1000), 0ull);
	KUNIT_EXPECT_NE(test, zxhv_lapic_rate_take(&r, t0 + NSEC_PER_SEC, 1000), 0ull);
}

/*
 * 20 VCPUs with periodic timers at the 200 µs floor for one second want
 * 100,000 expiries; the cap lets through its rate plus one burst, however
 * they interleave.  A rate over 10^9 a second is one expiry a nanosecond.
 */
static void lapic_rate_cap_aggregate(struct kunit *test)
{
	struct zxhv_lapic_rate r = { .tat = ATOMIC64_INIT(0) };
	const u64 t0 = NSEC_PER_SEC;
	u32 passed = 0, rate = 20000;
	u32 burst = ZXHV_LAPIC_RATE_BURST_NS * rate / NSEC_PER_SEC;

	for (u64 t = 0; t < NSEC_PER_SEC; t += ZXHV_LAPIC_MIN_PERIOD_NS)
		for (u32 vcpu = 0; vcpu < 20; vcpu++)
			passed += !zxhv_lapic_rate_take(&r, t0 + t + vcpu, rate);
	KUNIT_EXPECT_LE(test, passed, rate + burst + 1);
	KUNIT_EXPECT_GE(test, passed, rate);
	passed = 0;
	for (u32 i = 0; i < 1000; i++)
		passed += !zxhv_lapic_rate_take(&r, 3 * NSEC_PER_SEC, U32_MAX);
	KUNIT_EXPECT_EQ(test, passed, 1000u);
}

static struct kunit_case lapic_cases[] = {
	KUNIT_CASE(lapic_reads),
	KUNIT_CASE(lapic_writes),
	KUNIT_CASE(lapic_timer_modes),
	KUNIT_CASE(lapic_divisor),
	KUNIT_CASE(lapic_timer_arithmetic),
	KUNIT_CASE(lapic_icr_destinations),
	KUNIT_CASE(lapic_icr_modes),
	KUNIT_CASE(lapic_ldr),
	KUNIT_CASE(lapic_icr_logical),
	KUNIT_CASE(lapic_rate_cap),
	KUNIT_CASE(lapic_rate_cap_aggregate),
	{}
};

static struct kunit_suite lapic_suite = {
	.name = "zxhv-vmx-lapic",
	.test_cases = lapic_cases,
};

kunit_test_suite(lapic_suite);
