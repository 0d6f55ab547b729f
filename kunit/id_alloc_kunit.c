// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the rotating id allocator behind VPIDs (module/id_alloc.c).
 */
#include <kunit/test.h>

#include "../module/id_alloc.h"

/* [1, 63]: 63 ids, then none; freeing one makes exactly that one free. */
static void id_alloc_exhaust(struct kunit *test)
{
	struct zxhv_id_alloc a;
	unsigned int i;

	zxhv_id_alloc_init(&a, 1, 63);
	for (i = 1; i <= 63; i++)
		KUNIT_EXPECT_EQ(test, zxhv_id_alloc_get(&a), (int)i);
	KUNIT_EXPECT_EQ(test, zxhv_id_alloc_get(&a), -1);
	zxhv_id_alloc_put(&a, 17);
	KUNIT_EXPECT_EQ(test, zxhv_id_alloc_get(&a), 17);
	KUNIT_EXPECT_EQ(test, zxhv_id_alloc_get(&a), -1);
}

/* After a free, the search continues past the last id handed out. */
static void id_alloc_rotates(struct kunit *test)
{
	struct zxhv_id_alloc a;

	zxhv_id_alloc_init(&a, 1, 63);
	KUNIT_EXPECT_EQ(test, zxhv_id_alloc_get(&a), 1);
	zxhv_id_alloc_put(&a, 1);
	KUNIT_EXPECT_EQ(test, zxhv_id_alloc_get(&a), 2);
	KUNIT_EXPECT_EQ(test, zxhv_id_alloc_get(&a), 3);
	zxhv_id_alloc_put(&a, 2);
	zxhv_id_alloc_put(&a, 3);
	KUNIT_EXPECT_EQ(test, zxhv_id_alloc_get(&a), 4);
}

/* The search wraps from the top back to the first id. */
static void id_alloc_wraps(struct kunit *test)
{
	struct zxhv_id_alloc a;
	unsigned int i;

	zxhv_id_alloc_init(&a, 1, 3);
	for (i = 1; i <= 3; i++)
		KUNIT_EXPECT_EQ(test, zxhv_id_alloc_get(&a), (int)i);
	zxhv_id_alloc_put(&a, 1);
	KUNIT_EXPECT_EQ(test, zxhv_id_alloc_get(&a), 1);
	zxhv_id_alloc_put(&a, 2);
	KUNIT_EXPECT_EQ(test, zxhv_id_alloc_get(&a), 2);
	KUNIT_EXPECT_EQ(test, zxhv_id_alloc_get(&a), -1);
}

static struct kunit_case id_alloc_cases[] = {
	KUNIT_CASE(id_alloc_exhaust),
	KUNIT_CASE(id_alloc_rotates),
	KUNIT_CASE(id_alloc_wraps),
	{}
};

static struct kunit_suite id_alloc_suite = {
	.name = "zxhv-id-alloc",
	.test_cases = id_alloc_cases,
};

kunit_test_suite(id_alloc_suite);
