// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: VMOs (module/vmo.c): creation limits, lazy page allocation,
 * bounds, and read/write round trips that cross page boundaries.
 */
#include <kunit/test.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <zircon/errors.h>

#include "../module/vmo.h"

static struct zxhv_vmo *new_vmo(struct kunit *test, u64 size)
{
	struct zxhv_vmo *vmo = NULL;

	KUNIT_ASSERT_EQ(test, zxhv_vmo_create(size, 0, &vmo), ZX_OK);
	return vmo;
}

static zx_status_t vmo_io(struct zxhv_vmo *vmo, unsigned int dir, void *buf, u64 offset,
			  size_t len)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter iter;

	iov_iter_kvec(&iter, dir, &kv, 1, len);
	return zxhv_vmo_rw(vmo, offset, &iter);
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

static struct kunit_case vmo_cases[] = {
	KUNIT_CASE(create_options_and_limits),
	KUNIT_CASE(lazy_allocation),
	KUNIT_CASE(bounds),
	KUNIT_CASE(round_trip_across_pages),
	{}
};

static struct kunit_suite vmo_suite = {
	.name = "zxhv-vmo",
	.test_cases = vmo_cases,
};

kunit_test_suite(vmo_suite);
