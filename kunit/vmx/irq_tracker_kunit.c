// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the pending-interrupt set (module/arch/x86/vmx/irq_tracker.c):
 * pop order, NMI priority, exceptions discarded by an injection, vectors
 * 21..31, range edges and the injection type of every vector.
 */
#include <kunit/test.h>

#include "../../module/arch/x86/vmx/exit_qual.h"
#include "../../module/arch/x86/vmx/irq_tracker.h"

static u32 pop(struct kunit *test, struct zxhv_irq_tracker *t,
	       zx_status_t want)
{
	u32 v = 0xdead;

	KUNIT_EXPECT_EQ(test, zxhv_irq_pop(t, &v), want);
	return v;
}

static void irq_empty(struct kunit *test)
{
	struct zxhv_irq_tracker t;
	u32 v = 7;

	zxhv_irq_init(&t);
	KUNIT_EXPECT_FALSE(test, zxhv_irq_pending(&t));
	KUNIT_EXPECT_EQ(test, zxhv_irq_pop(&t, &v), ZX_ERR_SHOULD_WAIT);
	KUNIT_EXPECT_EQ(test, v, 7U);
}

/* Highest vector first; raising twice is one pending vector. */
static void irq_order(struct kunit *test)
{
	static const u32 raised[] = { 32, 255, 100, 0, 14, 100, 33 };
	static const u32 want[] = { 255, 100, 33, 32, 14, 0 };
	struct zxhv_irq_tracker t;
	unsigned int i;

	zxhv_irq_init(&t);
	for (i = 0; i < ARRAY_SIZE(raised); i++)
		KUNIT_EXPECT_EQ(test, zxhv_irq_raise(&t, raised[i]), ZX_OK);
	KUNIT_EXPECT_TRUE(test, zxhv_irq_pending(&t));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		KUNIT_EXPECT_EQ(test, pop(test, &t, ZX_OK), want[i]);
	pop(test, &t, ZX_ERR_SHOULD_WAIT);
	KUNIT_EXPECT_FALSE(test, zxhv_irq_pending(&t));
}

/* NMI beats everything, even vector 255, and pops once. */
static void irq_nmi_first(struct kunit *test)
{
	struct zxhv_irq_tracker t;

	zxhv_irq_init(&t);
	zxhv_irq_raise(&t, 255);
	zxhv_irq_raise(&t, 13);
	zxhv_irq_raise(&t, 2);
	KUNIT_EXPECT_EQ(test, pop(test, &t, ZX_OK), 2U);
	KUNIT_EXPECT_EQ(test, pop(test, &t, ZX_OK), 255U);
	KUNIT_EXPECT_EQ(test, pop(test, &t, ZX_OK), 13U);
	pop(test, &t, ZX_ERR_SHOULD_WAIT);
}

/* A blocked NMI stays pending and lets the next vector go first (F9). */
static void irq_nmi_blocked(struct kunit *test)
{
	struct zxhv_irq_tracker t;
	u32 v = 0;

	zxhv_irq_init(&t);
	zxhv_irq_raise(&t, ZXHV_IRQ_NMI);
	zxhv_irq_raise(&t, 0x40);
	KUNIT_EXPECT_EQ(test, zxhv_irq_pop_masked(&t, true, &v), ZX_OK);
	KUNIT_EXPECT_EQ(test, v, 0x40u);
	KUNIT_EXPECT_TRUE(test, zxhv_irq_nmi_pending(&t));
	KUNIT_EXPECT_EQ(test, zxhv_irq_pop_masked(&t, true, &v), ZX_ERR_SHOULD_WAIT);
	KUNIT_EXPECT_TRUE(test, zxhv_irq_nmi_pending(&t));
	KUNIT_EXPECT_EQ(test, zxhv_irq_pop_masked(&t, false, &v), ZX_OK);
	KUNIT_EXPECT_EQ(test, v, (u32)ZXHV_IRQ_NMI);
	KUNIT_EXPECT_FALSE(test, zxhv_irq_nmi_pending(&t));
	KUNIT_EXPECT_FALSE(test, zxhv_irq_pending(&t));
}

/* An injection drops pending exceptions but no NMI or external vector. */
static void irq_injection_discards_exceptions(struct kunit *test)
{
	struct zxhv_irq_tracker t;

	zxhv_irq_init(&t);
	zxhv_irq_raise(&t, 0);
	zxhv_irq_raise(&t, 13);
	zxhv_irq_raise(&t, 20);
	zxhv_irq_raise(&t, 25);
	zxhv_irq_raise(&t, 32);
	zxhv_irq_raise(&t, 64);
	KUNIT_EXPECT_EQ(test, pop(test, &t, ZX_OK), 64U);
	zxhv_irq_injected(&t);
	zxhv_irq_raise(&t, 2);
	zxhv_irq_injected(&t);
	KUNIT_EXPECT_EQ(test, pop(test, &t, ZX_OK), 2U);
	KUNIT_EXPECT_EQ(test, pop(test, &t, ZX_OK), 32U);
	pop(test, &t, ZX_ERR_SHOULD_WAIT);

	/* An exception injected alone takes the other exceptions with it. */
	zxhv_irq_raise(&t, 14);
	zxhv_irq_raise(&t, 6);
	KUNIT_EXPECT_EQ(test, pop(test, &t, ZX_OK), 14U);
	zxhv_irq_injected(&t);
	KUNIT_EXPECT_FALSE(test, zxhv_irq_pending(&t));
}

/* Re-raising a popped vector (blocked injection) puts it back. */
static void irq_requeue(struct kunit *test)
{
	struct zxhv_irq_tracker t;

	zxhv_irq_init(&t);
	zxhv_irq_raise(&t, 40);
	zxhv_irq_raise(&t, 13);
	KUNIT_EXPECT_EQ(test, pop(test, &t, ZX_OK), 40U);
	zxhv_irq_raise(&t, 40);
	KUNIT_EXPECT_EQ(test, pop(test, &t, ZX_OK), 40U);
	KUNIT_EXPECT_EQ(test, pop(test, &t, ZX_OK), 13U);
}

/* 21..31: accepted, then the pop reaching them says NOT_SUPPORTED. */
static void irq_reserved_vectors(struct kunit *test)
{
	struct zxhv_irq_tracker t;
	u32 v;

	zxhv_irq_init(&t);
	for (v = 21; v <= 31; v++)
		KUNIT_EXPECT_EQ(test, zxhv_irq_raise(&t, v), ZX_OK);
	zxhv_irq_raise(&t, 20);
	zxhv_irq_raise(&t, 32);
	KUNIT_EXPECT_EQ(test, pop(test, &t, ZX_OK), 32U);
	for (v = 31; v >= 21; v--)
		KUNIT_EXPECT_EQ(test, pop(test, &t, ZX_ERR_NOT_SUPPORTED), v);
	KUNIT_EXPECT_EQ(test, pop(test, &t, ZX_OK), 20U);
	pop(test, &t, ZX_ERR_SHOULD_WAIT);
}

static void irq_range_edges(struct kunit *test)
{
	struct zxhv_irq_tracker t;

	zxhv_irq_init(&t);
	KUNIT_EXPECT_EQ(test, zxhv_irq_raise(&t, 256), ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, zxhv_irq_raise(&t, U32_MAX), ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_FALSE(test, zxhv_irq_pending(&t));
	KUNIT_EXPECT_EQ(test, zxhv_irq_raise(&t, 255), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_irq_raise(&t, 63), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_irq_raise(&t, 64), ZX_OK);
	KUNIT_EXPECT_EQ(test, pop(test, &t, ZX_OK), 255U);
	KUNIT_EXPECT_EQ(test, pop(test, &t, ZX_OK), 64U);
	KUNIT_EXPECT_EQ(test, pop(test, &t, ZX_OK), 63U);
}

/* The injection type of every vector, bit-exact (SDM Table 25-17). */
static void irq_classification(struct kunit *test)
{
	u32 v;

	for (v = 0; v < 300; v++) {
		u32 want;

		if (v >= 256 || (v >= 21 && v <= 31))
			want = 0;
		else if (v >= 32)
			want = 0x80000000 | v;
		else if (v == 2)
			want = 0x80000202;
		else if (v == 3 || v == 4)
			want = 0x80000600 | v;
		else if (v == 8 || v == 10 || v == 11 || v == 12 || v == 13 ||
			 v == 14 || v == 17)
			want = 0x80000b00 | v;
		else
			want = 0x80000300 | v;
		KUNIT_EXPECT_EQ_MSG(test, zxhv_irq_entry_info(v), want,
				    "vector %u", v);
	}
	KUNIT_EXPECT_EQ(test, zxhv_irq_entry_info(14),
			entry_intr_info(14, ZXHV_INTR_TYPE_HW_EXCEPTION, true));
}

static struct kunit_case irq_tracker_cases[] = {
	KUNIT_CASE(irq_empty),
	KUNIT_CASE(irq_order),
	KUNIT_CASE(irq_nmi_first),
	KUNIT_CASE(irq_nmi_blocked),
	KUNIT_CASE(irq_injection_discards_exceptions),
	KUNIT_CASE(irq_requeue),
	KUNIT_CASE(irq_reserved_vectors),
	KUNIT_CASE(irq_range_edges),
	KUNIT_CASE(irq_classification),
	{}
};

static struct kunit_suite irq_tracker_suite = {
	.name = "zxhv-vmx-irq-tracker",
	.test_cases = irq_tracker_cases,
};

kunit_test_suite(irq_tracker_suite);
