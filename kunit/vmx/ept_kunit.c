// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: one guest's EPT (module/arch/x86/vmx/ept.c): the entry and EPTP
 * layouts against the Intel SDM, map/lookup at each level, permissions,
 * splitting 2M and 1G leaves by partial unmap/protect and merging them
 * back (break before make), table freeing,
 * allocation failure and the 48-bit limit.  Leaves point at made-up host
 * addresses: the EPT code never touches the memory it maps.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <asm/io.h>

#include "../../module/arch/x86/vmx/ept.h"

#define K4	ZXHV_EPT_SIZE_4K
#define M2	ZXHV_EPT_SIZE_2M
#define G1	ZXHV_EPT_SIZE_1G
#define RWX	ZXHV_EPT_RWX
#define R	ZXHV_EPT_R
#define RW	(ZXHV_EPT_R | ZXHV_EPT_W)

struct ept_fixture {
	struct zxhv_ept ept;
	int fail_in;		/* fail the allocation after this many; -1 never */
	unsigned long freed;	/* tables freed */
};

static bool test_fail_alloc(struct zxhv_ept *ept)
{
	struct ept_fixture *f = container_of(ept, struct ept_fixture, ept);

	if (f->fail_in < 0)
		return false;
	return f->fail_in-- == 0;
}

static void test_table_freed(struct zxhv_ept *ept, struct page *page)
{
	struct ept_fixture *f = container_of(ept, struct ept_fixture, ept);

	f->freed++;
}

static const struct zxhv_ept_test_ops test_ops = {
	.fail_alloc = test_fail_alloc,
	.table_freed = test_table_freed,
};

static int ept_test_init(struct kunit *test)
{
	struct ept_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->fail_in = -1;
	KUNIT_ASSERT_EQ(test, zxhv_ept_init(&f->ept, &test_ops, NULL), ZX_OK);
	KUNIT_ASSERT_EQ(test, f->ept.nr_tables, 1UL);
	test->priv = f;
	return 0;
}

static void ept_test_exit(struct kunit *test)
{
	struct ept_fixture *f = test->priv;

	zxhv_ept_destroy(&f->ept);
	KUNIT_EXPECT_EQ(test, f->ept.nr_tables, 0UL);
}

static struct zxhv_ept *fixture_ept(struct kunit *test)
{
	return &((struct ept_fixture *)test->priv)->ept;
}

/* Expects @gpa to translate to @hpa with @perms by a leaf at @level. */
static void expect_map(struct kunit *test, struct zxhv_ept *ept, u64 gpa,
		       u64 hpa, u64 perms, enum zxhv_ept_level level)
{
	struct zxhv_ept_walk w;

	KUNIT_ASSERT_EQ_MSG(test, zxhv_ept_lookup(ept, gpa, &w), ZX_OK,
			    "gpa %#llx", gpa);
	KUNIT_EXPECT_EQ_MSG(test, w.hpa, hpa, "gpa %#llx", gpa);
	KUNIT_EXPECT_EQ_MSG(test, w.perms, perms, "gpa %#llx", gpa);
	KUNIT_EXPECT_EQ_MSG(test, w.level, level, "gpa %#llx", gpa);
}

static void expect_unmapped(struct kunit *test, struct zxhv_ept *ept, u64 gpa)
{
	struct zxhv_ept_walk w;

	KUNIT_EXPECT_EQ_MSG(test, zxhv_ept_lookup(ept, gpa, &w),
			    ZX_ERR_NOT_FOUND, "gpa %#llx", gpa);
}

static zx_status_t unmap(struct zxhv_ept *ept, u64 gpa, u64 len, bool *flush)
{
	struct zxhv_ept_change chg;
	zx_status_t status;

	zxhv_ept_change_init(&chg);
	status = zxhv_ept_unmap(ept, gpa, len, &chg);
	*flush = chg.flush;
	zxhv_ept_change_finish(ept, &chg);
	return status;
}

static zx_status_t protect(struct zxhv_ept *ept, u64 gpa, u64 len, u64 perms,
			   bool *flush)
{
	struct zxhv_ept_change chg;
	zx_status_t status;

	zxhv_ept_change_init(&chg);
	status = zxhv_ept_protect(ept, gpa, len, perms, &chg);
	*flush = chg.flush;
	zxhv_ept_change_finish(ept, &chg);
	return status;
}

/* SDM §29.3.2 / Tables 29-1..29-6 and §25.6.11 Table 25-9. */
static void ept_bit_layout(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ZXHV_EPT_R, 0x1ULL);
	KUNIT_EXPECT_EQ(test, ZXHV_EPT_W, 0x2ULL);
	KUNIT_EXPECT_EQ(test, ZXHV_EPT_X, 0x4ULL);
	KUNIT_EXPECT_EQ(test, ZXHV_EPT_MEMTYPE, 0x38ULL);
	KUNIT_EXPECT_EQ(test, ZXHV_EPT_IGNORE_PAT, 0x40ULL);
	KUNIT_EXPECT_EQ(test, ZXHV_EPT_LARGE, 0x80ULL);
	KUNIT_EXPECT_EQ(test, ZXHV_EPT_ACCESSED, 0x100ULL);
	KUNIT_EXPECT_EQ(test, ZXHV_EPT_DIRTY, 0x200ULL);
	KUNIT_EXPECT_EQ(test, ZXHV_EPT_ADDR, 0x000ffffffffff000ULL);
	KUNIT_EXPECT_EQ(test, ZXHV_EPT_MT_WB, 6);
	KUNIT_EXPECT_EQ(test, ZXHV_EPTP_MT, 0x7ULL);
	KUNIT_EXPECT_EQ(test, ZXHV_EPTP_WALK, 0x38ULL);
	KUNIT_EXPECT_EQ(test, ZXHV_EPTP_AD, 0x40ULL);
}

/* The leaves themselves, bit for bit. */
static void ept_leaf_entries(struct kunit *test)
{
	struct zxhv_ept *ept = fixture_ept(test);
	struct zxhv_ept_walk w;

	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, 0x1000, 0x123456000, K4, RW),
			ZX_OK);
	KUNIT_ASSERT_EQ(test, zxhv_ept_lookup(ept, 0x1abc, &w), ZX_OK);
	/* WB (6 << 3), R|W, no large-page bit. */
	KUNIT_EXPECT_EQ(test, w.entry, 0x123456033ULL);
	KUNIT_EXPECT_EQ(test, w.hpa, 0x123456abcULL);

	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, M2, 0x7fe00000, M2, RWX),
			ZX_OK);
	KUNIT_ASSERT_EQ(test, zxhv_ept_lookup(ept, M2 + 0x12345, &w), ZX_OK);
	KUNIT_EXPECT_EQ(test, w.entry, 0x7fe000b7ULL);
	KUNIT_EXPECT_EQ(test, w.hpa, 0x7fe12345ULL);

	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, 5 * G1, 0xfc0000000ULL, G1,
					   ZXHV_EPT_X), ZX_OK);
	KUNIT_ASSERT_EQ(test, zxhv_ept_lookup(ept, 5 * G1 + 0x3ffff123, &w),
			ZX_OK);
	KUNIT_EXPECT_EQ(test, w.entry, 0xfc00000b4ULL);
	KUNIT_EXPECT_EQ(test, w.hpa, 0xfc0000000ULL + 0x3ffff123);
}

static void ept_eptp(struct kunit *test)
{
	struct zxhv_ept *ept = fixture_ept(test);
	u64 eptp = zxhv_ept_eptp(ept, false);

	/* WB paging structures, walk length 4 (encoded 3), no A/D. */
	KUNIT_EXPECT_EQ(test, eptp & 0xfff, 0x1eULL);
	KUNIT_EXPECT_EQ(test, eptp & ~0xfffULL, (u64)page_to_phys(ept->root));
	KUNIT_EXPECT_EQ(test, zxhv_ept_eptp(ept, true), eptp | 0x40);
}

static void ept_map_levels(struct kunit *test)
{
	struct zxhv_ept *ept = fixture_ept(test);

	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, 0, 0x10000000, K4, RWX), ZX_OK);
	/* PDPT, PD and PT. */
	KUNIT_EXPECT_EQ(test, ept->nr_tables, 4UL);
	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, 4 * M2, 0x20000000, M2, RWX),
			ZX_OK);
	KUNIT_EXPECT_EQ(test, ept->nr_tables, 4UL);
	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, 3 * G1, 0x80000000, G1, RWX),
			ZX_OK);
	KUNIT_EXPECT_EQ(test, ept->nr_tables, 4UL);
	/* Top of the 48-bit space: a new PDPT only. */
	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, BIT_ULL(48) - G1, 0x40000000,
					   G1, R), ZX_OK);
	KUNIT_EXPECT_EQ(test, ept->nr_tables, 5UL);

	expect_map(test, ept, 0, 0x10000000, RWX, ZXHV_EPT_4K);
	expect_map(test, ept, 0xfff, 0x10000fff, RWX, ZXHV_EPT_4K);
	expect_unmapped(test, ept, K4);
	expect_map(test, ept, 4 * M2, 0x20000000, RWX, ZXHV_EPT_2M);
	expect_map(test, ept, 5 * M2 - 1, 0x201fffff, RWX, ZXHV_EPT_2M);
	expect_unmapped(test, ept, 5 * M2);
	expect_map(test, ept, 3 * G1 + 0x12345678, 0x92345678, RWX,
		   ZXHV_EPT_1G);
	expect_map(test, ept, BIT_ULL(48) - 1, 0x7fffffff, R, ZXHV_EPT_1G);
	KUNIT_EXPECT_EQ(test, ept->nr_leaves[ZXHV_EPT_4K], 1UL);
	KUNIT_EXPECT_EQ(test, ept->nr_leaves[ZXHV_EPT_2M], 1UL);
	KUNIT_EXPECT_EQ(test, ept->nr_leaves[ZXHV_EPT_1G], 2UL);
}

static void ept_map_errors(struct kunit *test)
{
	struct zxhv_ept *ept = fixture_ept(test);

	/* Permissions: none, write-only, write+execute, unknown bits. */
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, 0, 0, K4, 0),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, 0, 0, K4, ZXHV_EPT_W),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, 0, 0, K4,
					   ZXHV_EPT_W | ZXHV_EPT_X),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, 0, 0, K4, R | BIT_ULL(3)),
			ZX_ERR_INVALID_ARGS);
	/* Sizes and alignment. */
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, 0, 0, 2 * K4, R),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, K4, 0, M2, R),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, 0, M2 / 2, M2, R),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, M2, 0, G1, R),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, 0x800, 0, K4, R),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, 0, BIT_ULL(52), K4, R),
			ZX_ERR_INVALID_ARGS);
	/* The 48-bit GPA limit. */
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, BIT_ULL(48), 0, K4, R),
			ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, BIT_ULL(50), 0, G1, R),
			ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, BIT_ULL(48) - K4, 0, K4, R),
			ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_ept_lookup(ept, BIT_ULL(48), NULL),
			ZX_ERR_OUT_OF_RANGE);
	/* Execute-only is the caller's call. */
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, 0, 0, K4, ZXHV_EPT_X), ZX_OK);
	KUNIT_EXPECT_EQ(test, ept->nr_leaves[ZXHV_EPT_4K], 2UL);
}

static void ept_map_overlap(struct kunit *test)
{
	struct zxhv_ept *ept = fixture_ept(test);
	unsigned long tables;

	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, M2, 0, M2, RWX), ZX_OK);
	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, G1 + K4, 0, K4, RWX), ZX_OK);
	tables = ept->nr_tables;
	/* Inside a large leaf, over a table, the same page twice, around. */
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, M2 + K4, 0, K4, R),
			ZX_ERR_ALREADY_EXISTS);
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, G1, 0, M2, R),
			ZX_ERR_ALREADY_EXISTS);
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, G1, 0, G1, R),
			ZX_ERR_ALREADY_EXISTS);
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, G1 + K4, 0, K4, R),
			ZX_ERR_ALREADY_EXISTS);
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, 0, 0, G1, R),
			ZX_ERR_ALREADY_EXISTS);
	KUNIT_EXPECT_EQ(test, ept->nr_tables, tables);
	expect_map(test, ept, G1 + K4, 0, RWX, ZXHV_EPT_4K);
}

/* A 4K hole punched in the middle of a 2M leaf. */
static void ept_split_2m(struct kunit *test)
{
	struct zxhv_ept *ept = fixture_ept(test);
	const u64 gpa = 7 * M2, hpa = 0x40000000;
	struct zxhv_ept_walk w;
	unsigned long tables;
	bool flush;

	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, gpa, hpa, M2, RWX), ZX_OK);
	tables = ept->nr_tables;
	KUNIT_EXPECT_EQ(test, unmap(ept, gpa + 5 * K4, K4, &flush), ZX_OK);
	KUNIT_EXPECT_TRUE(test, flush);
	KUNIT_EXPECT_EQ(test, ept->nr_tables, tables + 1);
	expect_unmapped(test, ept, gpa + 5 * K4);
	expect_unmapped(test, ept, gpa + 6 * K4 - 1);
	expect_map(test, ept, gpa, hpa, RWX, ZXHV_EPT_4K);
	expect_map(test, ept, gpa + 4 * K4 + 0x10, hpa + 4 * K4 + 0x10, RWX,
		   ZXHV_EPT_4K);
	expect_map(test, ept, gpa + 6 * K4, hpa + 6 * K4, RWX, ZXHV_EPT_4K);
	expect_map(test, ept, gpa + M2 - 1, hpa + M2 - 1, RWX, ZXHV_EPT_4K);
	KUNIT_EXPECT_EQ(test, ept->nr_leaves[ZXHV_EPT_2M], 0UL);
	KUNIT_EXPECT_EQ(test, ept->nr_leaves[ZXHV_EPT_4K], 511UL);

	/* The split leaves kept the memory type. */
	KUNIT_ASSERT_EQ(test, zxhv_ept_lookup(ept, gpa, &w), ZX_OK);
	KUNIT_EXPECT_EQ(test, w.entry, hpa | 0x37);

	/* Unmapping a hole again changes nothing. */
	KUNIT_EXPECT_EQ(test, unmap(ept, gpa + 5 * K4, K4, &flush), ZX_OK);
	KUNIT_EXPECT_FALSE(test, flush);
}

/* 4K removed from a 1G leaf: 511 2M leaves, 511 4K leaves, one hole. */
static void ept_split_1g(struct kunit *test)
{
	struct zxhv_ept *ept = fixture_ept(test);
	const u64 gpa = G1, hpa = 2 * G1, hole = gpa + 3 * M2 + 2 * K4;
	unsigned long tables;
	bool flush;

	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, gpa, hpa, G1, RW), ZX_OK);
	tables = ept->nr_tables;
	KUNIT_EXPECT_EQ(test, unmap(ept, hole, K4, &flush), ZX_OK);
	KUNIT_EXPECT_TRUE(test, flush);
	KUNIT_EXPECT_EQ(test, ept->nr_tables, tables + 2);
	KUNIT_EXPECT_EQ(test, ept->nr_leaves[ZXHV_EPT_1G], 0UL);
	KUNIT_EXPECT_EQ(test, ept->nr_leaves[ZXHV_EPT_2M], 511UL);
	KUNIT_EXPECT_EQ(test, ept->nr_leaves[ZXHV_EPT_4K], 511UL);
	expect_unmapped(test, ept, hole);
	expect_map(test, ept, gpa, hpa, RW, ZXHV_EPT_2M);
	expect_map(test, ept, gpa + 2 * M2 + 5, hpa + 2 * M2 + 5, RW,
		   ZXHV_EPT_2M);
	expect_map(test, ept, gpa + 3 * M2, hpa + 3 * M2, RW, ZXHV_EPT_4K);
	expect_map(test, ept, hole + K4, hpa + 3 * M2 + 3 * K4, RW,
		   ZXHV_EPT_4K);
	expect_map(test, ept, gpa + 4 * M2, hpa + 4 * M2, RW, ZXHV_EPT_2M);
	expect_map(test, ept, gpa + G1 - 1, hpa + G1 - 1, RW, ZXHV_EPT_2M);
}

/* Partial protect splits; granting needs no flush, revoking does. */
static void ept_protect(struct kunit *test)
{
	struct zxhv_ept *ept = fixture_ept(test);
	const u64 gpa = 9 * M2, hpa = 0x1200000;
	bool flush;

	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, gpa, hpa, M2, RWX), ZX_OK);
	/* Same permissions: nothing to split. */
	KUNIT_EXPECT_EQ(test, protect(ept, gpa + K4, K4, RWX, &flush), ZX_OK);
	KUNIT_EXPECT_FALSE(test, flush);
	expect_map(test, ept, gpa + K4, hpa + K4, RWX, ZXHV_EPT_2M);

	KUNIT_EXPECT_EQ(test, protect(ept, gpa + K4, 2 * K4, R, &flush), ZX_OK);
	KUNIT_EXPECT_TRUE(test, flush);
	expect_map(test, ept, gpa, hpa, RWX, ZXHV_EPT_4K);
	expect_map(test, ept, gpa + K4, hpa + K4, R, ZXHV_EPT_4K);
	expect_map(test, ept, gpa + 2 * K4, hpa + 2 * K4, R, ZXHV_EPT_4K);
	expect_map(test, ept, gpa + 3 * K4, hpa + 3 * K4, RWX, ZXHV_EPT_4K);

	KUNIT_EXPECT_EQ(test, protect(ept, gpa + K4, K4, RW, &flush), ZX_OK);
	KUNIT_EXPECT_FALSE(test, flush);
	expect_map(test, ept, gpa + K4, hpa + K4, RW, ZXHV_EPT_4K);

	/* A whole 2M leaf changes in place; holes stay holes. */
	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, 12 * M2, 0, M2, RWX), ZX_OK);
	KUNIT_EXPECT_EQ(test, protect(ept, 11 * M2, 3 * M2, R, &flush), ZX_OK);
	KUNIT_EXPECT_TRUE(test, flush);
	expect_map(test, ept, 12 * M2, 0, R, ZXHV_EPT_2M);
	expect_unmapped(test, ept, 11 * M2);
	expect_unmapped(test, ept, 13 * M2);

	/* Perms 0 is unmap; write-only is rejected. */
	KUNIT_EXPECT_EQ(test, protect(ept, 12 * M2, M2, ZXHV_EPT_W, &flush),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, protect(ept, 12 * M2, M2, 0, &flush), ZX_OK);
	KUNIT_EXPECT_TRUE(test, flush);
	expect_unmapped(test, ept, 12 * M2);
}

/* Tables emptied by unmap are freed only by change_finish. */
static void ept_unmap_frees_tables(struct kunit *test)
{
	struct ept_fixture *f = test->priv;
	struct zxhv_ept *ept = &f->ept;
	struct zxhv_ept_change chg;

	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, 0x7f0000000000ULL, 0, K4, R),
			ZX_OK);
	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, 0x7f0000200000ULL, 0, K4, R),
			ZX_OK);
	KUNIT_EXPECT_EQ(test, ept->nr_tables, 5UL);

	zxhv_ept_change_init(&chg);
	KUNIT_EXPECT_EQ(test, zxhv_ept_unmap(ept, 0x7f0000000000ULL, K4, &chg),
			ZX_OK);
	KUNIT_EXPECT_TRUE(test, chg.flush);
	KUNIT_EXPECT_EQ(test, f->freed, 0UL);
	zxhv_ept_change_finish(ept, &chg);
	/* Only the first PT went: the PD still holds the second. */
	KUNIT_EXPECT_EQ(test, f->freed, 1UL);
	KUNIT_EXPECT_EQ(test, ept->nr_tables, 4UL);

	zxhv_ept_change_init(&chg);
	KUNIT_EXPECT_EQ(test, zxhv_ept_unmap(ept, 0, BIT_ULL(48), &chg), ZX_OK);
	KUNIT_EXPECT_EQ(test, ept->nr_tables, 4UL);
	zxhv_ept_change_finish(ept, &chg);
	KUNIT_EXPECT_EQ(test, f->freed, 4UL);
	KUNIT_EXPECT_EQ(test, ept->nr_tables, 1UL);
	expect_unmapped(test, ept, 0x7f0000200000ULL);
	KUNIT_EXPECT_EQ(test, ept->nr_leaves[ZXHV_EPT_4K], 0UL);
}

static void ept_range_errors(struct kunit *test)
{
	struct zxhv_ept *ept = fixture_ept(test);
	bool flush;

	KUNIT_EXPECT_EQ(test, unmap(ept, 0, 0, &flush), ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, unmap(ept, 1, K4, &flush), ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, unmap(ept, 0, K4 + 1, &flush),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, unmap(ept, BIT_ULL(48), K4, &flush),
			ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, unmap(ept, BIT_ULL(48) - K4, 2 * K4, &flush),
			ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, unmap(ept, K4, ~0xfffULL, &flush),
			ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, protect(ept, BIT_ULL(48), K4, R, &flush),
			ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, unmap(ept, BIT_ULL(48) - K4, K4, &flush), ZX_OK);
	KUNIT_EXPECT_FALSE(test, flush);
}

/* A failed allocation changes nothing. */
static void ept_alloc_failure(struct kunit *test)
{
	struct ept_fixture *f = test->priv;
	struct zxhv_ept *ept = &f->ept;
	bool flush;

	/* A 4K map needs three tables; the second fails. */
	f->fail_in = 1;
	KUNIT_EXPECT_EQ(test, zxhv_ept_map(ept, 0, 0, K4, R), ZX_ERR_NO_MEMORY);
	KUNIT_EXPECT_EQ(test, ept->nr_tables, 1UL);
	expect_unmapped(test, ept, 0);

	f->fail_in = -1;
	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, G1, 0, G1, RWX), ZX_OK);
	/* Splitting around [G1 + M2 + K4, G1 + M2 + 2K) needs two tables. */
	f->fail_in = 1;
	KUNIT_EXPECT_EQ(test, unmap(ept, G1 + M2 + K4, K4, &flush),
			ZX_ERR_NO_MEMORY);
	KUNIT_EXPECT_FALSE(test, flush);
	f->fail_in = 1;
	KUNIT_EXPECT_EQ(test, protect(ept, G1 + M2 + K4, K4, R, &flush),
			ZX_ERR_NO_MEMORY);
	expect_map(test, ept, G1 + M2 + K4, M2 + K4, RWX, ZXHV_EPT_1G);
	KUNIT_EXPECT_EQ(test, ept->nr_tables, 2UL);

	f->fail_in = -1;
	KUNIT_EXPECT_EQ(test, unmap(ept, G1 + M2 + K4, K4, &flush), ZX_OK);
	expect_unmapped(test, ept, G1 + M2 + K4);
	expect_map(test, ept, G1 + M2, M2, RWX, ZXHV_EPT_4K);
	expect_map(test, ept, G1, 0, RWX, ZXHV_EPT_2M);
}

/* Destroy frees every table it holds, and nothing else. */
static void ept_destroy_frees_all(struct kunit *test)
{
	struct ept_fixture *f = test->priv;
	struct zxhv_ept *ept = &f->ept;
	unsigned long held;
	bool flush;
	u64 i;

	for (i = 0; i < 64; i++)
		KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, i * 0x8040201000ULL,
						   i * K4, K4, RWX), ZX_OK);
	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, 0x100 * G1, 0, G1, RWX), ZX_OK);
	KUNIT_ASSERT_EQ(test, unmap(ept, 0x100 * G1 + M2, K4, &flush), ZX_OK);
	held = ept->nr_tables;
	KUNIT_EXPECT_GT(test, held, 64UL);
	zxhv_ept_destroy(ept);
	KUNIT_EXPECT_EQ(test, f->freed, held);
	KUNIT_EXPECT_EQ(test, ept->nr_tables, 0UL);
	KUNIT_EXPECT_NULL(test, ept->root);
	KUNIT_EXPECT_EQ(test, ept->nr_leaves[ZXHV_EPT_4K], 0UL);
	/* The exit hook's second destroy is a no-op. */
}

/* zxhv_ept_merge()'s flush: counted, and the entry must be cleared by then. */
struct merge_probe {
	struct zxhv_ept *ept;
	u64 gpa;
	int flushes;
	bool cleared;		/* @gpa had no translation at every flush */
};

static void merge_flush(void *arg)
{
	struct merge_probe *p = arg;
	struct zxhv_ept_walk w;

	p->flushes++;
	p->cleared = zxhv_ept_lookup(p->ept, p->gpa, &w) == ZX_ERR_NOT_FOUND;
}

static bool merge(struct zxhv_ept *ept, u64 gpa, enum zxhv_ept_level level,
		  struct merge_probe *p)
{
	p->ept = ept;
	p->gpa = gpa;
	p->flushes = 0;
	p->cleared = false;
	return zxhv_ept_merge(ept, gpa, level, merge_flush, p);
}

/* Split by an unmap, mapped back page by page: merges into the 2M leaf. */
static void ept_merge_2m(struct kunit *test)
{
	struct ept_fixture *f = test->priv;
	struct zxhv_ept *ept = &f->ept;
	const u64 gpa = 9 * M2, hpa = 0x80000000, hole = gpa + 100 * K4;
	struct merge_probe p;
	unsigned long tables;
	bool flush;

	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, gpa, hpa, M2, RW), ZX_OK);
	tables = ept->nr_tables;
	KUNIT_ASSERT_EQ(test, unmap(ept, hole, K4, &flush), ZX_OK);
	/* A hole: nothing to merge, no flush. */
	KUNIT_EXPECT_FALSE(test, merge(ept, gpa, ZXHV_EPT_2M, &p));
	KUNIT_EXPECT_EQ(test, p.flushes, 0);
	KUNIT_EXPECT_EQ(test, ept->nr_leaves[ZXHV_EPT_4K], 511UL);

	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, hole, hpa + 100 * K4, K4, RW), ZX_OK);
	f->freed = 0;
	KUNIT_EXPECT_TRUE(test, merge(ept, hole, ZXHV_EPT_2M, &p));
	KUNIT_EXPECT_EQ(test, p.flushes, 1);
	KUNIT_EXPECT_TRUE(test, p.cleared);
	KUNIT_EXPECT_EQ(test, f->freed, 1UL);
	KUNIT_EXPECT_EQ(test, ept->nr_tables, tables);
	KUNIT_EXPECT_EQ(test, ept->nr_leaves[ZXHV_EPT_4K], 0UL);
	KUNIT_EXPECT_EQ(test, ept->nr_leaves[ZXHV_EPT_2M], 1UL);
	expect_map(test, ept, gpa, hpa, RW, ZXHV_EPT_2M);
	expect_map(test, ept, hole + 7, hpa + 100 * K4 + 7, RW, ZXHV_EPT_2M);
	expect_map(test, ept, gpa + M2 - 1, hpa + M2 - 1, RW, ZXHV_EPT_2M);
	/* Already a leaf: nothing more. */
	KUNIT_EXPECT_FALSE(test, merge(ept, gpa, ZXHV_EPT_2M, &p));
	KUNIT_EXPECT_EQ(test, p.flushes, 0);
}

/* What must stay apart: other permissions, a gap in host memory, misalignment. */
static void ept_merge_refused(struct kunit *test)
{
	struct zxhv_ept *ept = fixture_ept(test);
	const u64 gpa = 3 * M2, hpa = 0x40000000;
	struct merge_probe p;
	bool flush;
	int i;

	/* One page read-only. */
	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, gpa, hpa, M2, RWX), ZX_OK);
	KUNIT_ASSERT_EQ(test, protect(ept, gpa + 5 * K4, K4, R, &flush), ZX_OK);
	KUNIT_EXPECT_FALSE(test, merge(ept, gpa, ZXHV_EPT_2M, &p));
	/* Made equal again: merges. */
	KUNIT_ASSERT_EQ(test, protect(ept, gpa + 5 * K4, K4, RWX, &flush), ZX_OK);
	KUNIT_EXPECT_TRUE(test, merge(ept, gpa, ZXHV_EPT_2M, &p));

	/* Host pages not contiguous: page 7 elsewhere. */
	for (i = 0; i < 512; i++)
		KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, 5 * M2 + i * K4,
						   i == 7 ? 0x1000 : hpa + i * K4,
						   K4, RW), ZX_OK);
	KUNIT_EXPECT_FALSE(test, merge(ept, 5 * M2, ZXHV_EPT_2M, &p));
	/* Contiguous but the host range is not 2M-aligned. */
	for (i = 0; i < 512; i++)
		KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, 7 * M2 + i * K4,
						   hpa + K4 + i * K4, K4, RW), ZX_OK);
	KUNIT_EXPECT_FALSE(test, merge(ept, 7 * M2, ZXHV_EPT_2M, &p));
	KUNIT_EXPECT_EQ(test, p.flushes, 0);
	KUNIT_EXPECT_EQ(test, ept->nr_leaves[ZXHV_EPT_4K], 1024UL);
	/* Bad levels and addresses. */
	KUNIT_EXPECT_FALSE(test, merge(ept, 5 * M2, ZXHV_EPT_4K, &p));
	KUNIT_EXPECT_FALSE(test, merge(ept, BIT_ULL(48), ZXHV_EPT_2M, &p));
	KUNIT_EXPECT_FALSE(test, merge(ept, 100 * G1, ZXHV_EPT_2M, &p));
}

/* 4K -> 2M -> 1G: a 1G leaf split by a 4K unmap comes back whole. */
static void ept_merge_1g(struct kunit *test)
{
	struct zxhv_ept *ept = fixture_ept(test);
	const u64 gpa = 2 * G1, hpa = 5 * G1, hole = gpa + 77 * M2 + 3 * K4;
	struct merge_probe p;
	unsigned long tables;
	bool flush;

	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, gpa, hpa, G1, RWX), ZX_OK);
	tables = ept->nr_tables;
	KUNIT_ASSERT_EQ(test, unmap(ept, hole, K4, &flush), ZX_OK);
	KUNIT_ASSERT_EQ(test, zxhv_ept_map(ept, hole, hpa + 77 * M2 + 3 * K4, K4, RWX),
			ZX_OK);
	/* The 2M leaves are not one 1G block while one 2M is still a table. */
	KUNIT_EXPECT_FALSE(test, merge(ept, gpa, ZXHV_EPT_1G, &p));
	KUNIT_EXPECT_TRUE(test, merge(ept, hole, ZXHV_EPT_2M, &p));
	KUNIT_EXPECT_TRUE(test, merge(ept, hole, ZXHV_EPT_1G, &p));
	KUNIT_EXPECT_EQ(test, p.flushes, 1);
	KUNIT_EXPECT_TRUE(test, p.cleared);
	KUNIT_EXPECT_EQ(test, ept->nr_tables, tables);
	KUNIT_EXPECT_EQ(test, ept->nr_leaves[ZXHV_EPT_4K], 0UL);
	KUNIT_EXPECT_EQ(test, ept->nr_leaves[ZXHV_EPT_2M], 0UL);
	KUNIT_EXPECT_EQ(test, ept->nr_leaves[ZXHV_EPT_1G], 1UL);
	expect_map(test, ept, gpa, hpa, RWX, ZXHV_EPT_1G);
	expect_map(test, ept, hole, hpa + 77 * M2 + 3 * K4, RWX, ZXHV_EPT_1G);
	expect_map(test, ept, gpa + G1 - 1, hpa + G1 - 1, RWX, ZXHV_EPT_1G);
}

static struct kunit_case ept_cases[] = {
	KUNIT_CASE(ept_bit_layout),
	KUNIT_CASE(ept_leaf_entries),
	KUNIT_CASE(ept_eptp),
	KUNIT_CASE(ept_map_levels),
	KUNIT_CASE(ept_map_errors),
	KUNIT_CASE(ept_map_overlap),
	KUNIT_CASE(ept_split_2m),
	KUNIT_CASE(ept_split_1g),
	KUNIT_CASE(ept_protect),
	KUNIT_CASE(ept_unmap_frees_tables),
	KUNIT_CASE(ept_range_errors),
	KUNIT_CASE(ept_alloc_failure),
	KUNIT_CASE(ept_destroy_frees_all),
	KUNIT_CASE(ept_merge_2m),
	KUNIT_CASE(ept_merge_refused),
	KUNIT_CASE(ept_merge_1g),
	{}
};

static struct kunit_suite ept_suite = {
	.name = "zxhv-vmx-ept",
	.init = ept_test_init,
	.exit = ept_test_exit,
	.test_cases = ept_cases,
};

kunit_test_suite(ept_suite);
