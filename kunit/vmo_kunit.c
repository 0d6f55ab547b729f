// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: VMOs (module/vmo.c): creation limits, lazy page allocation,
 * bounds, read/write round trips that cross page boundaries, and the 2 MiB
 * physically contiguous blocks behind zxhv_vmo_get_run() (including racing
 * first touches).
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <zircon/errors.h>

#include "../module/vmo.h"
#include "vmo_kunit.h"

static struct zxhv_vmo *new_vmo(struct kunit *test, u64 size)
{
	struct zxhv_vmo *vmo = NULL;

	KUNIT_ASSERT_EQ(test, zxhv_vmo_create(size, 0, &vmo), ZX_OK);
	return vmo;
}

static void create_options_and_limits(struct kunit *test)
{
	static const struct {
		u64 size;
		u32 options;
		zx_status_t status;
		u64 rounded;
	} cases[] = {
		{ 0, 0, ZX_OK, 0 },
		{ 1, 0, ZX_OK, PAGE_SIZE },
		{ PAGE_SIZE, 0, ZX_OK, PAGE_SIZE },
		{ PAGE_SIZE + 1, 0, ZX_OK, 2 * PAGE_SIZE },
		{ PAGE_SIZE, ZX_VMO_RESIZABLE, ZX_OK, PAGE_SIZE },
		{ PAGE_SIZE, ZX_VMO_DISCARDABLE, ZX_OK, PAGE_SIZE },
		{ PAGE_SIZE, 1, ZX_ERR_INVALID_ARGS, 0 },
		{ PAGE_SIZE, ZX_VMO_TRAP_DIRTY, ZX_ERR_INVALID_ARGS, 0 },
		{ ZXHV_VMO_MAX_SIZE, 0, ZX_OK, ZXHV_VMO_MAX_SIZE },
		{ ZXHV_VMO_MAX_SIZE + 1, 0, ZX_ERR_OUT_OF_RANGE, 0 },
		{ U64_MAX, 0, ZX_ERR_OUT_OF_RANGE, 0 },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct zxhv_vmo *vmo = NULL;

		KUNIT_EXPECT_EQ_MSG(test, zxhv_vmo_create(cases[i].size, cases[i].options, &vmo),
				    cases[i].status, "case %d", i);
		if (cases[i].status != ZX_OK)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, zxhv_vmo_size(vmo), cases[i].rounded, "case %d", i);
		KUNIT_EXPECT_EQ_MSG(test, zxhv_vmo_options(vmo), cases[i].options, "case %d", i);
		KUNIT_EXPECT_EQ_MSG(test, zxhv_vmo_committed_pages(vmo), 0UL, "case %d", i);
		zxhv_vmo_put(vmo);
	}
}

static void lazy_allocation(struct kunit *test)
{
	struct zxhv_vmo *vmo = new_vmo(test, 16 * PAGE_SIZE);
	struct page *a = NULL, *b = NULL;
	char buf[8];
	u8 *p;

	/* Reading an untouched VMO gives zeros and commits nothing. */
	memset(buf, 0x5a, sizeof(buf));
	KUNIT_EXPECT_EQ(test, vmo_io(vmo, READ, buf, 3 * PAGE_SIZE - 4, sizeof(buf)), ZX_OK);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(buf, 0, sizeof(buf)), (void *)NULL);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(vmo), 0UL);

	/* The first touch commits one zeroed page; later ones reuse it. */
	KUNIT_ASSERT_EQ(test, zxhv_vmo_get_page(vmo, 5 * PAGE_SIZE + 7, &a), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(vmo), 1UL);
	p = kmap_local_page(a);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(p, 0, PAGE_SIZE), (void *)NULL);
	kunmap_local(p);
	KUNIT_ASSERT_EQ(test, zxhv_vmo_get_page(vmo, 5 * PAGE_SIZE, &b), ZX_OK);
	KUNIT_EXPECT_PTR_EQ(test, a, b);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(vmo), 1UL);
	put_page(b);

	/* A write straddling two pages commits exactly those two. */
	KUNIT_EXPECT_EQ(test, vmo_io(vmo, WRITE, buf, 9 * PAGE_SIZE - 4, sizeof(buf)), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(vmo), 3UL);

	/* The page outlives the VMO while the caller holds its reference. */
	zxhv_vmo_put(vmo);
	p = kmap_local_page(a);
	KUNIT_EXPECT_EQ(test, p[7], 0);
	kunmap_local(p);
	put_page(a);
}

static void bounds(struct kunit *test)
{
	struct zxhv_vmo *vmo = new_vmo(test, 2 * PAGE_SIZE);
	struct page *page = NULL;
	char buf[16] = {};

	KUNIT_EXPECT_EQ(test, zxhv_vmo_get_page(vmo, 2 * PAGE_SIZE, &page), ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_get_page(vmo, U64_MAX, &page), ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, vmo_io(vmo, READ, buf, 2 * PAGE_SIZE - 8, 16), ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, vmo_io(vmo, WRITE, buf, 2 * PAGE_SIZE - 8, 16),
			ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, vmo_io(vmo, WRITE, buf, U64_MAX - 4, 16), ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, vmo_io(vmo, READ, buf, 3 * PAGE_SIZE, 0), ZX_ERR_OUT_OF_RANGE);
	/* Nothing was committed by the failed calls. */
	KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(vmo), 0UL);
	/* The very end, and empty transfers inside, are fine. */
	KUNIT_EXPECT_EQ(test, vmo_io(vmo, WRITE, buf, 2 * PAGE_SIZE - 16, 16), ZX_OK);
	KUNIT_EXPECT_EQ(test, vmo_io(vmo, READ, buf, 2 * PAGE_SIZE, 0), ZX_OK);
	zxhv_vmo_put(vmo);
}

static void round_trip_across_pages(struct kunit *test)
{
	const size_t len = 3 * PAGE_SIZE + 100;
	const u64 offset = PAGE_SIZE - 50;
	struct zxhv_vmo *vmo = new_vmo(test, 6 * PAGE_SIZE);
	u8 *in, *out;
	size_t i;

	in = kunit_kmalloc(test, len, GFP_KERNEL);
	out = kunit_kmalloc(test, len + 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	for (i = 0; i < len; i++)
		in[i] = (u8)(i * 7 + 3);

	KUNIT_ASSERT_EQ(test, vmo_io(vmo, WRITE, in, offset, len), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(vmo), 5UL);
	memset(out, 0xff, len + 100);
	KUNIT_ASSERT_EQ(test, vmo_io(vmo, READ, out, offset, len), ZX_OK);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, len), 0);
	/* The bytes around the written range are still zero. */
	KUNIT_ASSERT_EQ(test, vmo_io(vmo, READ, out, offset - 50, 50), ZX_OK);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(out, 0, 50), (void *)NULL);
	KUNIT_ASSERT_EQ(test, vmo_io(vmo, READ, out, offset + len, 100), ZX_OK);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(out, 0, 100), (void *)NULL);
	zxhv_vmo_put(vmo);
}

#define RUN_SIZE	(PAGE_SIZE << ZXHV_VMO_RUN_ORDER)
#define RUN_PAGES	BIT(ZXHV_VMO_RUN_ORDER)

/*
 * One touch inside the first 2 MiB of a 4 MiB VMO fills that run with one
 * block: every page reports order 9 and the pfns are consecutive from a
 * 2 MiB-aligned first one.  The second run stays empty until touched.
 */
static void block_fills_run(struct kunit *test)
{
	struct zxhv_vmo *vmo = new_vmo(test, 2 * RUN_SIZE);
	unsigned long pfn = 0, first = 0;
	struct page *page = NULL;
	unsigned int order;
	unsigned long i;
	u8 *p;

	KUNIT_ASSERT_EQ(test, zxhv_vmo_get_page(vmo, 0x1000, &page), ZX_OK);
	put_page(page);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_blocks(vmo), 1UL);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(vmo), RUN_PAGES);

	KUNIT_ASSERT_EQ(test, run_order(test, vmo, 0, &first), ZXHV_VMO_RUN_ORDER);
	KUNIT_EXPECT_EQ(test, first % RUN_PAGES, 0UL);
	for (i = 0; i < RUN_PAGES; i++) {
		u64 offset = i * PAGE_SIZE + (i % 7) * 512;

		KUNIT_EXPECT_EQ_MSG(test, run_order(test, vmo, offset, &pfn), ZXHV_VMO_RUN_ORDER,
				    "page %lu", i);
		KUNIT_EXPECT_EQ_MSG(test, pfn, first + i, "page %lu", i);
		/* The block is zeroed like any page. */
		p = kmap_local_page(pfn_to_page(pfn));
		KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(p, 0, PAGE_SIZE), (void *)NULL,
					"page %lu", i);
		kunmap_local(p);
	}
	/* No further allocation happened. */
	KUNIT_EXPECT_EQ(test, zxhv_vmo_blocks(vmo), 1UL);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(vmo), RUN_PAGES);

	/* The second run: its own block, on its own first touch. */
	KUNIT_EXPECT_EQ(test, run_order(test, vmo, 2 * RUN_SIZE - 1, &pfn), ZXHV_VMO_RUN_ORDER);
	KUNIT_EXPECT_EQ(test, (pfn + 1) % RUN_PAGES, 0UL);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_blocks(vmo), 2UL);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(vmo), 2 * RUN_PAGES);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_get_run(vmo, 2 * RUN_SIZE, &page, &order),
			ZX_ERR_OUT_OF_RANGE);
	zxhv_vmo_put(vmo);
}

/* A round trip through two blocks is exact across the block boundary. */
static void block_round_trip(struct kunit *test)
{
	const size_t len = 3 * PAGE_SIZE + 123;
	const u64 offset = RUN_SIZE - PAGE_SIZE - 61;
	struct zxhv_vmo *vmo = new_vmo(test, 2 * RUN_SIZE);
	u8 *in, *out;
	size_t i;

	in = kunit_kmalloc(test, len, GFP_KERNEL);
	out = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	for (i = 0; i < len; i++)
		in[i] = (u8)(i * 13 + 5);

	KUNIT_ASSERT_EQ(test, vmo_io(vmo, WRITE, in, offset, len), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_blocks(vmo), 2UL);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(vmo), 2 * RUN_PAGES);
	memset(out, 0xff, len);
	KUNIT_ASSERT_EQ(test, vmo_io(vmo, READ, out, offset, len), ZX_OK);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, len), 0);
	/* Everything else in both blocks is still zero. */
	KUNIT_ASSERT_EQ(test, vmo_io(vmo, READ, out, offset - 200, 200), ZX_OK);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(out, 0, 200), (void *)NULL);
	KUNIT_ASSERT_EQ(test, vmo_io(vmo, READ, out, offset + len, 200), ZX_OK);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(out, 0, 200), (void *)NULL);
	zxhv_vmo_put(vmo);
}

/* A run not wholly inside the VMO (the tail, or a small VMO) gets 4 KiB pages. */
static void tail_uses_small_pages(struct kunit *test)
{
	struct zxhv_vmo *vmo = new_vmo(test, RUN_SIZE + 5 * PAGE_SIZE);
	struct zxhv_vmo *small = new_vmo(test, RUN_SIZE - PAGE_SIZE);
	unsigned long pfn = 0;

	KUNIT_EXPECT_EQ(test, run_order(test, vmo, RUN_SIZE + 2 * PAGE_SIZE, &pfn), 0U);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_blocks(vmo), 0UL);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(vmo), 1UL);
	/* The aligned head still gets its block. */
	KUNIT_EXPECT_EQ(test, run_order(test, vmo, 0, &pfn), ZXHV_VMO_RUN_ORDER);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(vmo), RUN_PAGES + 1);
	KUNIT_EXPECT_EQ(test, run_order(test, vmo, RUN_SIZE + 4 * PAGE_SIZE, &pfn), 0U);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_blocks(vmo), 1UL);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(vmo), RUN_PAGES + 2);

	KUNIT_EXPECT_EQ(test, run_order(test, small, 0, &pfn), 0U);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_blocks(small), 0UL);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(small), 1UL);
	zxhv_vmo_put(small);
	zxhv_vmo_put(vmo);
}

/*
 * A run that already has a 4 KiB page (committed while blocks were off,
 * as after a failed block allocation) never gets a block; the untouched
 * run next to it still does.
 */
static void partial_run_stays_small(struct kunit *test)
{
	struct zxhv_vmo *vmo = new_vmo(test, 2 * RUN_SIZE);
	unsigned long pfn = 0;
	char byte = 0x42;
	u64 i;

	WRITE_ONCE(zxhv_vmo_contiguous, false);
	KUNIT_EXPECT_EQ(test, vmo_io(vmo, WRITE, &byte, 5 * PAGE_SIZE, 1), ZX_OK);
	WRITE_ONCE(zxhv_vmo_contiguous, true);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(vmo), 1UL);

	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, run_order(test, vmo, i * 4 * PAGE_SIZE, &pfn), 0U);
	KUNIT_EXPECT_EQ(test, run_order(test, vmo, RUN_SIZE - 1, &pfn), 0U);
	KUNIT_EXPECT_EQ(test, run_order(test, vmo, 5 * PAGE_SIZE, &pfn), 0U);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_blocks(vmo), 0UL);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(vmo), 5UL);
	byte = 0;
	KUNIT_EXPECT_EQ(test, vmo_io(vmo, READ, &byte, 5 * PAGE_SIZE, 1), ZX_OK);
	KUNIT_EXPECT_EQ(test, byte, 0x42);

	KUNIT_EXPECT_EQ(test, run_order(test, vmo, RUN_SIZE, &pfn), ZXHV_VMO_RUN_ORDER);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_blocks(vmo), 1UL);
	KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(vmo), RUN_PAGES + 5);
	zxhv_vmo_put(vmo);
}

/*
 * Block pages are ordinary order-0 pages: a reference taken on one keeps
 * that page (only) alive after the VMO is gone, and the rest are freed
 * with the VMO (kmemleak and KASAN watch the rest).
 */
static void block_page_outlives_vmo(struct kunit *test)
{
	struct zxhv_vmo *vmo = new_vmo(test, RUN_SIZE);
	struct page *page = NULL;
	unsigned int order = 0;
	u8 *p;

	KUNIT_ASSERT_EQ(test, zxhv_vmo_get_run(vmo, 17 * PAGE_SIZE, &page, &order), ZX_OK);
	KUNIT_EXPECT_EQ(test, order, ZXHV_VMO_RUN_ORDER);
	KUNIT_EXPECT_EQ(test, page_count(page), 2);
	p = kmap_local_page(page);
	p[9] = 0x77;
	kunmap_local(p);
	zxhv_vmo_put(vmo);
	KUNIT_EXPECT_EQ(test, page_count(page), 1);
	p = kmap_local_page(page);
	KUNIT_EXPECT_EQ(test, p[9], 0x77);
	kunmap_local(p);
	put_page(page);
}

struct racer {
	struct zxhv_vmo *vmo;
	u64 offset;
	struct page *page;
	zx_status_t status;
	struct completion done;
};

static int racer_fn(void *arg)
{
	struct racer *r = arg;

	r->status = zxhv_vmo_get_page(r->vmo, r->offset, &r->page);
	complete(&r->done);
	return 0;
}

/*
 * Threads first-touching the same empty run at once (two of them the same
 * page) install exactly one block and all get its pages; nothing leaks.
 */
static void racing_touches_one_block(struct kunit *test)
{
	static const u64 pages[] = { 3, 3, 0, 511, 200, 77 };
	struct racer *r;
	int round, i;

	r = kunit_kcalloc(test, ARRAY_SIZE(pages), sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	for (round = 0; round < 16; round++) {
		struct zxhv_vmo *vmo = new_vmo(test, RUN_SIZE);
		struct task_struct *t[ARRAY_SIZE(pages)];
		unsigned long first = 0;

		for (i = 0; i < ARRAY_SIZE(pages); i++) {
			r[i] = (struct racer){ .vmo = vmo, .offset = pages[i] * PAGE_SIZE };
			init_completion(&r[i].done);
			t[i] = kthread_create(racer_fn, &r[i], "zxhv-vmo-race%d", i);
			if (IS_ERR(t[i])) {
				r[i].status = ZX_ERR_NO_MEMORY;
				complete(&r[i].done);
			}
		}
		for (i = 0; i < ARRAY_SIZE(pages); i++)
			if (!IS_ERR(t[i]))
				wake_up_process(t[i]);
		for (i = 0; i < ARRAY_SIZE(pages); i++)
			wait_for_completion(&r[i].done);

		KUNIT_EXPECT_EQ(test, zxhv_vmo_blocks(vmo), 1UL);
		KUNIT_EXPECT_EQ(test, zxhv_vmo_committed_pages(vmo), RUN_PAGES);
		KUNIT_EXPECT_EQ(test, run_order(test, vmo, 0, &first), ZXHV_VMO_RUN_ORDER);
		for (i = 0; i < ARRAY_SIZE(pages); i++) {
			KUNIT_EXPECT_EQ_MSG(test, r[i].status, ZX_OK, "round %d racer %d",
					    round, i);
			if (r[i].status != ZX_OK)
				continue;
			KUNIT_EXPECT_EQ_MSG(test, page_to_pfn(r[i].page), first + pages[i],
					    "round %d racer %d", round, i);
			put_page(r[i].page);
		}
		zxhv_vmo_put(vmo);
	}
}

static struct kunit_case vmo_cases[] = {
	KUNIT_CASE(create_options_and_limits),
	KUNIT_CASE(lazy_allocation),
	KUNIT_CASE(bounds),
	KUNIT_CASE(round_trip_across_pages),
	KUNIT_CASE(block_fills_run),
	KUNIT_CASE(block_round_trip),
	KUNIT_CASE(tail_uses_small_pages),
	KUNIT_CASE(partial_run_stays_small),
	KUNIT_CASE(block_page_outlives_vmo),
	KUNIT_CASE(racing_touches_one_block),
	{}
};

static struct kunit_suite vmo_suite = {
	.name = "zxhv-vmo",
	.test_cases = vmo_cases,
};

kunit_test_suite(vmo_suite);
