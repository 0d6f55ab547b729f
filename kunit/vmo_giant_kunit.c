// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: a VMO's 1 GiB blocks (module/vmo_giant.c and their use in
 * module/vmo.c).  A block needs a free 1 GiB-aligned range: `make check`
 * boots QEMU with 5 GiB and movablecore=2G for these suites, so that
 * [4 GiB, 5 GiB) is movable and free, and where the kernel has movable
 * memory a block that cannot be had is a failure.  Boots without a
 * movable zone (the Bochs ones) skip giant_fills_range.
 */
#include <kunit/test.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <zircon/errors.h>

#include "../module/vmo.h"
#include "../module/vmo_giant.h"
#include "vmo_kunit.h"

#define GIANT_SIZE	(PAGE_SIZE << ZXHV_VMO_GIANT_ORDER)
#define GIANT_PAGES	BIT(ZXHV_VMO_GIANT_ORDER)
#define RUN_PAGES	BIT(ZXHV_VMO_RUN_ORDER)

/* Has the kernel a populated ZONE_MOVABLE (movablecore= or kernelcore=)? */
static bool have_movable_zone(void)
{
	int nid;

	for_each_online_node(nid)
		if (populated_zone(&NODE_DATA(nid)->node_zones[ZONE_MOVABLE]))
			return true;
	return false;
}

/* Sets the budget to @n blocks (and the pool to match); returns the old one. */
static unsigned int giant_budget(unsigned int n)
{
	unsigned int old = READ_ONCE(zxhv_vmo_giant_limit);

	zxhv_vmo_giant_set_limit(n);
	return old;
}

/*
 * With budget for one block, a write in the first GiB of a 2 GiB + 2 MiB
 * VMO takes one: every page reports ZXHV_VMO_GIANT_ORDER with consecutive
 * pfns from a 1 GiB-aligned first one, its 512 runs count as blocks, the
 * pages read as zeros around the written byte.  The budget is spent: the
 * second GiB falls back to a 2 MiB block, as does the last run (no whole
 * GiB there).  Destroying the VMO gives the budget back.
 */
static void giant_fills_range(struct kunit *test)
{
	unsigned long before = zxhv_vmo_giant_in_use(), first = 0, pfn = 0, i;
	struct zxhv_vmo *vmo = NULL;
	u8 byte = 0x5a, *buf;
	unsigned int old;

	if (!have_movable_zone())
		kunit_skip(test, "no movable memory (make check's QEMU boot has it)");
	old = giant_budget(before + 1);
	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, zxhv_vmo_create(2 * GIANT_SIZE + (PAGE_SIZE << ZXHV_VMO_RUN_ORDER),
					      0, &vmo), ZX_OK);
	KUNIT_EXPECT_EQ(test, vmo_io(vmo, WRITE, &byte, 12345 * PAGE_SIZE + 7, 1), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giants(vmo), 1UL);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giant_in_use(), before + 1);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_blocks(vmo), 512UL);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(vmo), GIANT_PAGES);

	KUNIT_ASSERT_EQ(test, run_order(test, vmo, 0, &first), ZXHV_VMO_GIANT_ORDER);
	KUNIT_EXPECT_EQ(test, first % GIANT_PAGES, 0UL);
	for (i = 0; i < GIANT_PAGES; i++) {
		if (run_order(test, vmo, i * PAGE_SIZE, &pfn) != ZXHV_VMO_GIANT_ORDER ||
		    pfn != first + i) {
			KUNIT_FAIL(test, "page %lu: not in the block at pfn %#lx", i, first);
			break;
		}
	}
	/* Zeroed: a page in each run, and every byte around the written one. */
	for (i = 0; i < GIANT_PAGES; i += RUN_PAGES + 1) {
		KUNIT_ASSERT_EQ(test, vmo_io(vmo, READ, buf, i * PAGE_SIZE, PAGE_SIZE), ZX_OK);
		if (i == 12345)
			continue;
		KUNIT_EXPECT_PTR_EQ(test, memchr_inv(buf, 0, PAGE_SIZE), (void *)NULL);
	}
	KUNIT_ASSERT_EQ(test, vmo_io(vmo, READ, buf, 12345 * PAGE_SIZE, PAGE_SIZE), ZX_OK);
	KUNIT_EXPECT_EQ(test, buf[7], 0x5a);
	buf[7] = 0;
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(buf, 0, PAGE_SIZE), (void *)NULL);

	/* No budget left: 2 MiB blocks in the second GiB and in the tail. */
	KUNIT_EXPECT_EQ(test, run_order(test, vmo, GIANT_SIZE + 3 * PAGE_SIZE, &pfn),
			ZXHV_VMO_RUN_ORDER);
	KUNIT_EXPECT_EQ(test, run_order(test, vmo, 2 * GIANT_SIZE, &pfn), ZXHV_VMO_RUN_ORDER);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giants(vmo), 1UL);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_blocks(vmo), 514UL);
	zxhv_vmo_put(vmo);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giant_in_use(), before);
	giant_budget(old);
}

/*
 * No block where it does not fit or is not wanted: a 1 GiB range that
 * already has a page (vmo_contiguous off for the first touch), a VMO
 * smaller than 1 GiB, or no budget.  Nothing is charged to the budget.
 */
static void giant_only_where_it_fits(struct kunit *test)
{
	unsigned long before = zxhv_vmo_giant_in_use(), pfn = 0;
	unsigned int old = giant_budget(before + 1);
	struct zxhv_vmo *vmo = NULL;
	u8 byte = 1;

	KUNIT_ASSERT_EQ(test, zxhv_vmo_create(GIANT_SIZE, 0, &vmo), ZX_OK);
	WRITE_ONCE(zxhv_vmo_contiguous, false);
	KUNIT_EXPECT_EQ(test, vmo_io(vmo, WRITE, &byte, 5 * PAGE_SIZE, 1), ZX_OK);
	WRITE_ONCE(zxhv_vmo_contiguous, true);
	KUNIT_EXPECT_EQ(test, run_order(test, vmo, 8 * PAGE_SIZE, &pfn), 0U);
	KUNIT_EXPECT_EQ(test, run_order(test, vmo, GIANT_SIZE / 2, &pfn), ZXHV_VMO_RUN_ORDER);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giants(vmo), 0UL);
	zxhv_vmo_put(vmo);

	KUNIT_ASSERT_EQ(test, zxhv_vmo_create(GIANT_SIZE - PAGE_SIZE, 0, &vmo), ZX_OK);
	KUNIT_EXPECT_EQ(test, run_order(test, vmo, 0, &pfn), ZXHV_VMO_RUN_ORDER);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giants(vmo), 0UL);
	zxhv_vmo_put(vmo);

	giant_budget(before);
	KUNIT_ASSERT_EQ(test, zxhv_vmo_create(GIANT_SIZE, 0, &vmo), ZX_OK);
	KUNIT_EXPECT_EQ(test, run_order(test, vmo, 0, &pfn), ZXHV_VMO_RUN_ORDER);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giants(vmo), 0UL);
	zxhv_vmo_put(vmo);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giant_in_use(), before);
	giant_budget(old);
}

/* The first page frame of @vmo's giant block at offset 0 (0 if none). */
static unsigned long giant_pfn(struct kunit *test, struct zxhv_vmo *vmo)
{
	unsigned long pfn = 0;

	if (run_order(test, vmo, 0, &pfn) != ZXHV_VMO_GIANT_ORDER)
		return 0;
	return pfn;
}

/*
 * The pool: raising the budget by one takes a block at once; a VMO's first
 * touch takes that block (the pool empties) and gets it zeroed; the VMO,
 * destroyed after writing all over the block, gives it back (the pool
 * holds it again, nothing is in use), and the next VMO gets the very same
 * frames, zeroed again.  Lowering the budget frees it.
 */
static void giant_pool_reuses_blocks(struct kunit *test)
{
	unsigned long before = zxhv_vmo_giant_in_use(), pooled = zxhv_vmo_giant_pooled();
	unsigned long pfn, i;
	struct zxhv_vmo *vmo = NULL;
	unsigned int old;
	u8 *buf;

	if (!have_movable_zone())
		kunit_skip(test, "no movable memory (make check's QEMU boot has it)");
	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	old = giant_budget(before + pooled + 1);
	KUNIT_ASSERT_EQ(test, zxhv_vmo_giant_pooled(), pooled + 1);

	KUNIT_ASSERT_EQ(test, zxhv_vmo_create(GIANT_SIZE, 0, &vmo), ZX_OK);
	pfn = giant_pfn(test, vmo);
	KUNIT_ASSERT_NE(test, pfn, 0UL);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giant_pooled(), pooled);
	memset(buf, 0xa5, PAGE_SIZE);
	for (i = 0; i < GIANT_PAGES; i += RUN_PAGES - 1)
		KUNIT_ASSERT_EQ(test, vmo_io(vmo, WRITE, buf, i * PAGE_SIZE, PAGE_SIZE), ZX_OK);
	zxhv_vmo_put(vmo);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giant_in_use(), before);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giant_pooled(), pooled + 1);

	KUNIT_ASSERT_EQ(test, zxhv_vmo_create(GIANT_SIZE, 0, &vmo), ZX_OK);
	KUNIT_EXPECT_EQ(test, giant_pfn(test, vmo), pfn);
	for (i = 0; i < GIANT_PAGES; i += RUN_PAGES - 1) {
		KUNIT_ASSERT_EQ(test, vmo_io(vmo, READ, buf, i * PAGE_SIZE, PAGE_SIZE), ZX_OK);
		if (memchr_inv(buf, 0, PAGE_SIZE)) {
			KUNIT_FAIL(test, "page %lu of the reused block is not zero", i);
			break;
		}
	}
	zxhv_vmo_put(vmo);
	giant_budget(old);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giant_pooled(), pooled);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giant_in_use(), before);
}

/*
 * A block one of whose pages someone else still holds does not go back to
 * the pool: its pages are put one by one, and the held one stays valid.
 */
static void giant_pool_refuses_held_block(struct kunit *test)
{
	unsigned long before = zxhv_vmo_giant_in_use(), pooled = zxhv_vmo_giant_pooled();
	struct zxhv_vmo *vmo = NULL;
	struct page *held;
	unsigned int old;
	u8 byte = 0x3c, *mapped;

	if (!have_movable_zone())
		kunit_skip(test, "no movable memory (make check's QEMU boot has it)");
	old = giant_budget(before + pooled + 1);
	KUNIT_ASSERT_EQ(test, zxhv_vmo_create(GIANT_SIZE, 0, &vmo), ZX_OK);
	KUNIT_ASSERT_EQ(test, vmo_io(vmo, WRITE, &byte, 77 * PAGE_SIZE, 1), ZX_OK);
	KUNIT_ASSERT_EQ(test, zxhv_vmo_get_page(vmo, 77 * PAGE_SIZE, &held), ZX_OK);
	KUNIT_ASSERT_EQ(test, giant_pfn(test, vmo) + 77, page_to_pfn(held));
	zxhv_vmo_put(vmo);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giant_pooled(), pooled);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giant_in_use(), before);
	KUNIT_EXPECT_EQ(test, page_ref_count(held), 1);
	mapped = kmap_local_page(held);
	KUNIT_EXPECT_EQ(test, mapped[0], 0x3c);
	kunmap_local(mapped);
	put_page(held);
	giant_budget(old);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giant_pooled(), pooled);
}

/*
 * A budget lowered while a VMO holds its block: the block is freed when
 * the VMO goes, not pooled.
 */
static void giant_pool_follows_lowered_budget(struct kunit *test)
{
	unsigned long before = zxhv_vmo_giant_in_use(), pooled = zxhv_vmo_giant_pooled();
	struct zxhv_vmo *vmo = NULL;
	unsigned int old;

	if (!have_movable_zone())
		kunit_skip(test, "no movable memory (make check's QEMU boot has it)");
	old = giant_budget(before + pooled + 1);
	KUNIT_ASSERT_EQ(test, zxhv_vmo_create(GIANT_SIZE, 0, &vmo), ZX_OK);
	KUNIT_ASSERT_NE(test, giant_pfn(test, vmo), 0UL);
	giant_budget(old);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giant_in_use(), before + 1);
	zxhv_vmo_put(vmo);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giant_pooled(), pooled);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_giant_in_use(), before);
}

static struct kunit_case vmo_giant_cases[] = {
	KUNIT_CASE(giant_fills_range),
	KUNIT_CASE(giant_only_where_it_fits),
	KUNIT_CASE(giant_pool_reuses_blocks),
	KUNIT_CASE(giant_pool_refuses_held_block),
	KUNIT_CASE(giant_pool_follows_lowered_budget),
	{}
};

/*
 * A module's suites run while it loads, before its init: the pool is made
 * live for them and emptied after, as module init and exit do.
 */
static int vmo_giant_suite_init(struct kunit_suite *suite)
{
	zxhv_vmo_giant_init();
	return 0;
}

static void vmo_giant_suite_exit(struct kunit_suite *suite)
{
	zxhv_vmo_giant_exit();
}

static struct kunit_suite vmo_giant_suite = {
	.name = "zxhv-vmo-giant",
	.suite_init = vmo_giant_suite_init,
	.suite_exit = vmo_giant_suite_exit,
	.test_cases = vmo_giant_cases,
};

kunit_test_suite(vmo_giant_suite);
