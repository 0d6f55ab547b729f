// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: kvmclock's arithmetic (module/arch/x86/vmx/pvclock.c): mul/shift
 * for several TSC frequencies against 1 s of ticks, the guest's view of
 * the parameters (computed as a Linux guest does: shift, then a 64x32-bit
 * multiply keeping bits 95:32), the monotonic floor, and which GPAs may
 * hold the structure.
 */
#include <kunit/test.h>
#include <linux/math64.h>
#include <asm/pvclock-abi.h>

#include "../../module/arch/x86/vmx/pvclock.h"

static const u64 freqs[] = {
	1, 999999999, 1000000000, 1000000001, 2000000000, 2000000001,
	2112000000, 3600000000ULL, 5000000000ULL, 100000000000ULL, 27000000,
};

/* One second (and one hour) of ticks gives 10^9 ns (3.6 * 10^12) within 1 ppm. */
static void pvclock_scale(struct kunit *test)
{
	struct zxhv_pvclock_params p = { .tsc = 1000, .ns = 0 };
	int i;

	for (i = 0; i < ARRAY_SIZE(freqs); i++) {
		u64 hz = freqs[i], ns, want = NSEC_PER_SEC;

		zxhv_pvclock_scale(hz, &p.mul, &p.shift);
		KUNIT_EXPECT_GE_MSG(test, p.mul, 1U << 31, "hz %llu", hz);
		ns = zxhv_pvclock_guest_ns(&p, p.tsc + hz);
		KUNIT_EXPECT_LE_MSG(test, ns, want, "hz %llu", hz);
		KUNIT_EXPECT_GE_MSG(test, ns, want - want / 1000000 - 1, "hz %llu", hz);
		/* The shifted-out tick fractions may add a few ns here. */
		want = 3600 * NSEC_PER_SEC;
		ns = zxhv_pvclock_guest_ns(&p, p.tsc + 3600 * hz);
		KUNIT_EXPECT_LE_MSG(test, ns, want + want / 1000000, "hz %llu", hz);
		KUNIT_EXPECT_GE_MSG(test, ns, want - want / 1000000, "hz %llu", hz);
	}
	/* 2.5 GHz: shift -1 halves the ticks, mul 0.8 * 2^32. */
	zxhv_pvclock_scale(2500000000ULL, &p.mul, &p.shift);
	KUNIT_EXPECT_EQ(test, p.shift, (s8)-1);
	KUNIT_EXPECT_EQ(test, p.mul, 3435973836U);
	/* 500 MHz: shift 2 (scaled to exactly 2 GHz), mul 2^31. */
	zxhv_pvclock_scale(500000000ULL, &p.mul, &p.shift);
	KUNIT_EXPECT_EQ(test, p.shift, (s8)2);
	KUNIT_EXPECT_EQ(test, p.mul, 1U << 31);
}

/* The guest's time: system_time, plus the scaled delta; none before tsc_timestamp. */
static void pvclock_guest_view(struct kunit *test)
{
	struct zxhv_pvclock_params p;

	zxhv_pvclock_next(&p, 5000, 1000000, 0, 1000000000ULL * 2, true);
	KUNIT_EXPECT_EQ(test, p.tsc, 1000000ULL);
	KUNIT_EXPECT_EQ(test, p.ns, 5000ULL);
	KUNIT_EXPECT_EQ(test, p.flags, (u8)PVCLOCK_TSC_STABLE_BIT);
	KUNIT_EXPECT_EQ(test, zxhv_pvclock_guest_ns(&p, 1000000), 5000ULL);
	KUNIT_EXPECT_EQ(test, zxhv_pvclock_guest_ns(&p, 1000000 + 2000), 6000ULL);
	KUNIT_EXPECT_EQ(test, zxhv_pvclock_guest_ns(&p, 999999), 5000ULL);
	zxhv_pvclock_next(&p, 5000, 1000000, 0, 1000000000ULL, false);
	KUNIT_EXPECT_EQ(test, p.flags, 0);
}

/*
 * Rewriting never goes back: a host clock behind what the guest last
 * extrapolated starts the new parameters at the extrapolation.
 */
static void pvclock_monotonic(struct kunit *test)
{
	struct zxhv_pvclock_params p;
	u64 seen;

	zxhv_pvclock_next(&p, 1000000, 0, 0, 3000000000ULL, false);
	/* The guest ran until TSC 3 * 10^6: 1 ms later. */
	seen = zxhv_pvclock_guest_ns(&p, 3000000);
	KUNIT_EXPECT_GE(test, seen, 1999999ULL);
	KUNIT_EXPECT_LE(test, seen, 2000000ULL);
	/* The host clock says only 1.5 ms (another CPU's TSC is at 10). */
	zxhv_pvclock_next(&p, 1500000, 10, seen, 3000000000ULL, false);
	KUNIT_EXPECT_EQ(test, p.ns, seen);
	KUNIT_EXPECT_EQ(test, p.tsc, 10ULL);
	KUNIT_EXPECT_GE(test, zxhv_pvclock_guest_ns(&p, 11), seen);
	/* A host clock ahead is taken as it is. */
	zxhv_pvclock_next(&p, 9000000, 20, seen, 3000000000ULL, false);
	KUNIT_EXPECT_EQ(test, p.ns, 9000000ULL);
}

static void pvclock_gpa(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, zxhv_pvclock_gpa_ok(0));
	KUNIT_EXPECT_TRUE(test, zxhv_pvclock_gpa_ok(0x6100));
	KUNIT_EXPECT_TRUE(test, zxhv_pvclock_gpa_ok(0x6fe0));
	KUNIT_EXPECT_TRUE(test, zxhv_pvclock_gpa_ok(0x6004));
	KUNIT_EXPECT_FALSE(test, zxhv_pvclock_gpa_ok(0x6fe4));	/* crosses the page */
	KUNIT_EXPECT_FALSE(test, zxhv_pvclock_gpa_ok(0x6102));	/* misaligned */
	KUNIT_EXPECT_FALSE(test, zxhv_pvclock_gpa_ok(0x6ff0));
	KUNIT_EXPECT_EQ(test, sizeof(struct pvclock_vcpu_time_info), 32UL);
}

static struct kunit_case pvclock_cases[] = {
	KUNIT_CASE(pvclock_scale),
	KUNIT_CASE(pvclock_guest_view),
	KUNIT_CASE(pvclock_monotonic),
	KUNIT_CASE(pvclock_gpa),
	{}
};

static struct kunit_suite pvclock_suite = {
	.name = "zxhv-vmx-pvclock",
	.test_cases = pvclock_cases,
};

kunit_test_suite(pvclock_suite);
