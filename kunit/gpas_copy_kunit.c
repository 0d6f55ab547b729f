// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: guest-physical access (module/gpas.c: zxhv_gpas_page_locked(),
 * zxhv_gpas_get_page(), zxhv_gpas_copy()) with fake VMOs that hand out
 * pages the test owns and can fail on request.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>

#include "../module/gpas.h"

#define P		((u64)PAGE_SIZE)
#define NR_PAGES	4
#define BASE		(16 * P)

/* A VMO of NR_PAGES pages; @fail: the status vmo_page returns instead. */
struct copy_vmo {
	struct page *pages[NR_PAGES];
	long refs;
	zx_status_t fail;
	unsigned int order;
};

static void copy_vmo_get(struct zxhv_vmo *vmo)
{
	((struct copy_vmo *)vmo)->refs++;
}

static void copy_vmo_put(struct zxhv_vmo *vmo)
{
	((struct copy_vmo *)vmo)->refs--;
}

static zx_status_t copy_vmo_page(struct zxhv_vmo *vmo, u64 offset, struct page **page,
				 unsigned int *order)
{
	struct copy_vmo *v = (struct copy_vmo *)vmo;

	if (v->fail != ZX_OK)
		return v->fail;
	if (!PAGE_ALIGNED(offset) || offset >= NR_PAGES * P)
		return ZX_ERR_OUT_OF_RANGE;
	*page = v->pages[offset / P];
	get_page(*page);
	*order = v->order;
	return ZX_OK;
}

static const struct zxhv_gpas_ops copy_ops = {
	.vmo_get = copy_vmo_get,
	.vmo_put = copy_vmo_put,
	.vmo_page = copy_vmo_page,
};

struct copy_fix {
	struct copy_vmo vmo;
	struct zxhv_gpas *gpas;
};

static u8 *page_bytes(struct copy_fix *f, unsigned int i)
{
	return page_address(f->vmo.pages[i]);
}

/* A gpas of 1 GiB, the VMO's pages filled with their index + 1. */
static int copy_init(struct kunit *test)
{
	struct copy_fix *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int i;

	if (!f)
		return -ENOMEM;
	for (i = 0; i < NR_PAGES; i++) {
		f->vmo.pages[i] = alloc_page(GFP_KERNEL);
		if (!f->vmo.pages[i])
			return -ENOMEM;
		memset(page_address(f->vmo.pages[i]), i + 1, PAGE_SIZE);
	}
	if (zxhv_gpas_create(1ull << 30, &copy_ops, f, &f->gpas) != ZX_OK)
		return -ENOMEM;
	test->priv = f;
	return 0;
}

static void copy_exit(struct kunit *test)
{
	struct copy_fix *f = test->priv;
	unsigned int i;

	if (!f)
		return;
	if (f->gpas)
		zxhv_gpas_destroy(f->gpas);
	for (i = 0; i < NR_PAGES; i++) {
		if (!f->vmo.pages[i])
			continue;
		/* Every page reference the calls took was given back. */
		KUNIT_EXPECT_EQ(test, page_ref_count(f->vmo.pages[i]), 1);
		__free_page(f->vmo.pages[i]);
	}
}

static void map(struct kunit *test, u64 gpa, u64 vmo_offset, u64 len, u32 perms)
{
	struct copy_fix *f = test->priv;

	KUNIT_ASSERT_EQ(test, zxhv_gpas_map(f->gpas, perms | ZX_VM_SPECIFIC, gpa,
					    (struct zxhv_vmo *)&f->vmo, vmo_offset, len,
					    ZXHV_GPAS_PERMS, NULL), ZX_OK);
}

/* Copies across page boundaries land in the right pages, both ways. */
static void copy_across_pages(struct kunit *test)
{
	struct copy_fix *f = test->priv;
	const size_t len = P + 64;
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);
	u8 *back = kunit_kzalloc(test, len, GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, back);

	map(test, BASE, 0, NR_PAGES * P, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
	for (i = 0; i < len; i++)
		buf[i] = i * 7;
	/* 32 bytes at the end of page 0, all of page 1, 32 bytes of page 2. */
	KUNIT_ASSERT_EQ(test, zxhv_gpas_copy(f->gpas, BASE + P - 32, buf, len, true),
			ZX_OK);
	KUNIT_EXPECT_EQ(test, page_bytes(f, 0)[P - 33], 1);
	KUNIT_EXPECT_EQ(test, memcmp(page_bytes(f, 0) + P - 32, buf, 32), 0);
	KUNIT_EXPECT_EQ(test, memcmp(page_bytes(f, 1), buf + 32, P), 0);
	KUNIT_EXPECT_EQ(test, memcmp(page_bytes(f, 2), buf + 32 + P, 32), 0);
	KUNIT_EXPECT_EQ(test, page_bytes(f, 2)[32], 3);
	KUNIT_ASSERT_EQ(test, zxhv_gpas_copy(f->gpas, BASE + P - 32, back, len, false), ZX_OK);
	KUNIT_EXPECT_EQ(test, memcmp(back, buf, len), 0);
	/* Zero bytes: nothing is looked up, even where nothing is mapped. */
	KUNIT_EXPECT_EQ(test, zxhv_gpas_copy(f->gpas, 0, buf, 0, true), ZX_OK);
}

/* The VMO offset of the mapping decides the page, not the GPA. */
static void copy_vmo_offset(struct kunit *test)
{
	struct copy_fix *f = test->priv;
	u8 b = 0;

	map(test, BASE, 2 * P, P, ZX_VM_PERM_READ);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_copy(f->gpas, BASE + 5, &b, 1, false), ZX_OK);
	KUNIT_EXPECT_EQ(test, b, 3);
}

/* A write needs WRITE, a read READ; denied copies change nothing. */
static void copy_permissions(struct kunit *test)
{
	struct copy_fix *f = test->priv;
	u8 buf[8] = { 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee };

	map(test, BASE, 0, P, ZX_VM_PERM_READ);
	map(test, BASE + P, P, P, ZX_VM_PERM_EXECUTE);
	map(test, BASE + 2 * P, 2 * P, P, ZX_VM_PERM_WRITE);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_copy(f->gpas, BASE, buf, 8, true), ZX_ERR_ACCESS_DENIED);
	KUNIT_EXPECT_EQ(test, page_bytes(f, 0)[0], 1);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_copy(f->gpas, BASE, buf, 8, false), ZX_OK);
	KUNIT_EXPECT_EQ(test, buf[0], 1);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_copy(f->gpas, BASE + P, buf, 8, false),
			ZX_ERR_ACCESS_DENIED);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_copy(f->gpas, BASE + 2 * P, buf, 8, false),
			ZX_ERR_ACCESS_DENIED);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_copy(f->gpas, BASE + 2 * P, buf, 8, true), ZX_OK);
	KUNIT_EXPECT_EQ(test, page_bytes(f, 2)[0], 1);
}

/*
 * Holes and the end of the space: NOT_FOUND and OUT_OF_RANGE; a copy that
 * runs into a hole stops there with the pages before it copied.
 */
static void copy_holes(struct kunit *test)
{
	struct copy_fix *f = test->priv;
	u8 buf[64];

	memset(buf, 0x5a, sizeof(buf));
	map(test, BASE, 0, P, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_copy(f->gpas, 0, buf, 8, false), ZX_ERR_NOT_FOUND);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_copy(f->gpas, 1ull << 30, buf, 8, false),
			ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_copy(f->gpas, BASE + P - 32, buf, 64, true),
			ZX_ERR_NOT_FOUND);
	KUNIT_EXPECT_EQ(test, page_bytes(f, 0)[P - 32], 0x5a);
	KUNIT_EXPECT_EQ(test, page_bytes(f, 0)[P - 1], 0x5a);
}

/* The VMO's status comes through, and no page reference is left behind. */
static void copy_vmo_fails(struct kunit *test)
{
	struct copy_fix *f = test->priv;
	unsigned int offset;
	struct page *page;
	u8 buf[8];

	map(test, BASE, 0, P, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
	f->vmo.fail = ZX_ERR_NO_MEMORY;
	KUNIT_EXPECT_EQ(test, zxhv_gpas_copy(f->gpas, BASE, buf, 8, false), ZX_ERR_NO_MEMORY);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_get_page(f->gpas, BASE, ZX_VM_PERM_READ, &page, &offset),
			ZX_ERR_NO_MEMORY);
}

/*
 * get_page: the page and the offset in it, with a reference the caller
 * owns, which keeps the page after an unmap; every permission asked for
 * must be granted.
 */
static void get_page_reference(struct kunit *test)
{
	struct copy_fix *f = test->priv;
	unsigned int offset = 0;
	struct page *page = NULL;

	map(test, BASE, P, 2 * P, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
	KUNIT_ASSERT_EQ(test, zxhv_gpas_get_page(f->gpas, BASE + P + 0x123,
						 ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, &page,
						 &offset), ZX_OK);
	KUNIT_EXPECT_PTR_EQ(test, page, f->vmo.pages[2]);
	KUNIT_EXPECT_EQ(test, offset, 0x123u);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 2);
	KUNIT_ASSERT_EQ(test, zxhv_gpas_unmap(f->gpas, BASE, 2 * P), ZX_OK);
	KUNIT_EXPECT_EQ(test, f->vmo.refs, 0);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 2);
	put_page(page);
	map(test, BASE, 0, P, ZX_VM_PERM_READ);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_get_page(f->gpas, BASE, ZX_VM_PERM_READ |
						 ZX_VM_PERM_EXECUTE, &page, &offset),
			ZX_ERR_ACCESS_DENIED);
}

/* page_locked: the mapping as lookup describes it, and the VMO's order. */
static void page_locked_lookup(struct kunit *test)
{
	struct copy_fix *f = test->priv;
	struct zxhv_gpas_lookup l;
	unsigned int order = 99;
	struct page *page;
	zx_status_t st;

	map(test, BASE, P, 3 * P, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE);
	f->vmo.order = 9;
	zxhv_gpas_read_lock(f->gpas);
	st = zxhv_gpas_page_locked(f->gpas, BASE + 2 * P + 8, ZX_VM_PERM_EXECUTE, &l, &page,
				   &order);
	zxhv_gpas_read_unlock(f->gpas);
	KUNIT_ASSERT_EQ(test, st, ZX_OK);
	KUNIT_EXPECT_PTR_EQ(test, page, f->vmo.pages[3]);
	KUNIT_EXPECT_EQ(test, order, 9u);
	KUNIT_EXPECT_EQ(test, l.vmo_offset, 3 * P + 8);
	KUNIT_EXPECT_EQ(test, l.map_start, BASE);
	KUNIT_EXPECT_EQ(test, l.map_end, BASE + 3 * P);
	KUNIT_EXPECT_EQ(test, l.perms, (u32)(ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE));
	put_page(page);
}

static struct kunit_case gpas_copy_cases[] = {
	KUNIT_CASE(copy_across_pages),
	KUNIT_CASE(copy_vmo_offset),
	KUNIT_CASE(copy_permissions),
	KUNIT_CASE(copy_holes),
	KUNIT_CASE(copy_vmo_fails),
	KUNIT_CASE(get_page_reference),
	KUNIT_CASE(page_locked_lookup),
	{}
};

static struct kunit_suite gpas_copy_suite = {
	.name = "zxhv-gpas-copy",
	.init = copy_init,
	.exit = copy_exit,
	.test_cases = gpas_copy_cases,
};

kunit_test_suite(gpas_copy_suite);
