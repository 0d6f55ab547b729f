// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the guest-physical address space (module/gpas.c) with fake VMOs
 * that count their references, a recording invalidate callback and an
 * allocator that fails on request; finally a few thousand random calls
 * checked against a page-array model.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/prandom.h>

#include "../module/gpas.h"

#define P		((u64)PAGE_SIZE)
#define R		ZX_VM_PERM_READ
#define W		ZX_VM_PERM_WRITE
#define X		ZX_VM_PERM_EXECUTE
#define RWX		(R | W | X)
#define SPEC		ZX_VM_SPECIFIC
#define OVER		ZX_VM_SPECIFIC_OVERWRITE
#define NR_VMOS		3
#define MAX_INV		64

/* Stands in for a VMO: only its reference count matters here. */
struct fake_vmo {
	long refs;
};

struct gpas_fake {
	struct kunit *test;
	struct fake_vmo vmo[NR_VMOS];
	struct { u64 gpa, len; } inv[MAX_INV];
	unsigned int nr_inv;
	/* Allocations left before they start failing; negative: never. */
	int allocs_ok;
	struct zxhv_gpas *gpas;
};

static struct zxhv_vmo *vmo_of(struct gpas_fake *f, unsigned int i)
{
	return (struct zxhv_vmo *)&f->vmo[i];
}

static void fake_vmo_get(struct zxhv_vmo *vmo)
{
	((struct fake_vmo *)vmo)->refs++;
}

static void fake_vmo_put(struct zxhv_vmo *vmo)
{
	((struct fake_vmo *)vmo)->refs--;
}

static void fake_invalidate(struct zxhv_gpas *gpas, u64 gpa, u64 len)
{
	struct gpas_fake *f = zxhv_gpas_priv(gpas);

	/* No assertion here: it would leave the test with the lock held. */
	KUNIT_EXPECT_LT(f->test, f->nr_inv, (unsigned int)MAX_INV);
	if (f->nr_inv >= MAX_INV)
		return;
	f->inv[f->nr_inv].gpa = gpa;
	f->inv[f->nr_inv].len = len;
	f->nr_inv++;
}

static bool fake_fail_alloc(struct zxhv_gpas *gpas)
{
	struct gpas_fake *f = zxhv_gpas_priv(gpas);

	if (f->allocs_ok < 0)
		return false;
	if (!f->allocs_ok)
		return true;
	f->allocs_ok--;
	return false;
}

static const struct zxhv_gpas_ops fake_ops = {
	.vmo_get = fake_vmo_get,
	.vmo_put = fake_vmo_put,
	.invalidate = fake_invalidate,
	.fail_alloc = fake_fail_alloc,
};

static struct gpas_fake *fake_new(struct kunit *test, u64 size)
{
	struct gpas_fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->test = test;
	f->allocs_ok = -1;
	KUNIT_ASSERT_EQ(test, zxhv_gpas_create(size, &fake_ops, f, &f->gpas),
			ZX_OK);
	return f;
}

/* Destroys the address space: every reference it took comes back. */
static void fake_done(struct gpas_fake *f)
{
	unsigned int i;

	zxhv_gpas_destroy(f->gpas);
	f->gpas = NULL;
	for (i = 0; i < NR_VMOS; i++)
		KUNIT_EXPECT_EQ(f->test, f->vmo[i].refs, 0L);
}

static zx_status_t map(struct gpas_fake *f, zx_vm_option_t options, u64 gpa,
		       unsigned int vmo, u64 off, u64 len)
{
	return zxhv_gpas_map(f->gpas, options, gpa, vmo_of(f, vmo), off, len,
			     RWX, NULL);
}

/* @gpa is mapped to (@vmo, @off) with @perms. */
static void expect_at(struct gpas_fake *f, u64 gpa, unsigned int vmo, u64 off,
		      u32 perms)
{
	struct zxhv_gpas_lookup l;

	zxhv_gpas_read_lock(f->gpas);
	KUNIT_EXPECT_EQ(f->test, zxhv_gpas_lookup_locked(f->gpas, gpa, &l),
			ZX_OK);
	zxhv_gpas_read_unlock(f->gpas);
	KUNIT_EXPECT_PTR_EQ(f->test, l.vmo, vmo_of(f, vmo));
	KUNIT_EXPECT_EQ(f->test, l.vmo_offset, off);
	KUNIT_EXPECT_EQ(f->test, l.perms, perms);
	KUNIT_EXPECT_LE(f->test, l.map_start, gpa);
	KUNIT_EXPECT_GT(f->test, l.map_end, gpa);
}

static void expect_hole(struct gpas_fake *f, u64 gpa)
{
	struct zxhv_gpas_lookup l;

	zxhv_gpas_read_lock(f->gpas);
	KUNIT_EXPECT_EQ(f->test, zxhv_gpas_lookup_locked(f->gpas, gpa, &l),
			ZX_ERR_NOT_FOUND);
	zxhv_gpas_read_unlock(f->gpas);
}

/* The invalidations since the last check were exactly @n (gpa, len) pairs. */
static void expect_inv(struct gpas_fake *f, unsigned int n, const u64 *pairs)
{
	unsigned int i;

	KUNIT_EXPECT_EQ(f->test, f->nr_inv, n);
	for (i = 0; i < n && i < f->nr_inv; i++) {
		KUNIT_EXPECT_EQ(f->test, f->inv[i].gpa, pairs[2 * i]);
		KUNIT_EXPECT_EQ(f->test, f->inv[i].len, pairs[2 * i + 1]);
	}
	f->nr_inv = 0;
}

static void gpas_map_lookup(struct kunit *test)
{
	struct gpas_fake *f = fake_new(test, 64 * P);
	struct zxhv_gpas_lookup l;
	u64 at = 1;

	KUNIT_EXPECT_EQ(test, zxhv_gpas_size(f->gpas), 64 * P);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_map(f->gpas, SPEC | R | W, 4 * P,
					    vmo_of(f, 0), 8 * P, 2 * P, RWX,
					    &at), ZX_OK);
	KUNIT_EXPECT_EQ(test, at, 4 * P);
	KUNIT_EXPECT_EQ(test, f->vmo[0].refs, 1L);
	expect_at(f, 4 * P, 0, 8 * P, R | W);
	expect_at(f, 5 * P + 123, 0, 9 * P + 123, R | W);
	expect_hole(f, 3 * P);
	expect_hole(f, 6 * P);
	expect_hole(f, 0);

	/* The unlocked lookup hands out a reference. */
	KUNIT_EXPECT_EQ(test, zxhv_gpas_lookup(f->gpas, 4 * P, &l), ZX_OK);
	KUNIT_EXPECT_EQ(test, l.map_start, 4 * P);
	KUNIT_EXPECT_EQ(test, l.map_end, 6 * P);
	KUNIT_EXPECT_EQ(test, f->vmo[0].refs, 2L);
	fake_vmo_put(l.vmo);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_lookup(f->gpas, 7 * P, &l),
			ZX_ERR_NOT_FOUND);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_lookup(f->gpas, 64 * P, &l),
			ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, f->vmo[0].refs, 1L);
	KUNIT_EXPECT_EQ(test, f->nr_inv, 0u);
	fake_done(f);
}

static void gpas_map_args(struct kunit *test)
{
	struct gpas_fake *f = fake_new(test, 64 * P);
	struct zxhv_gpas *g = f->gpas;
	struct zxhv_vmo *v = vmo_of(f, 0);

	KUNIT_EXPECT_EQ(test, map(f, SPEC | R, P + 1, 0, 0, P),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, map(f, SPEC | R, P, 0, 0, P - 1),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, map(f, SPEC | R, P, 0, 1, P),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, map(f, SPEC | R, P, 0, 0, 0),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, map(f, R, 0, 0, 0, 0), ZX_ERR_INVALID_ARGS);
	/* vmo_offset + len wraps. */
	KUNIT_EXPECT_EQ(test, map(f, SPEC | R, P, 0, (u64)-P, 2 * P),
			ZX_ERR_INVALID_ARGS);
	/* Options the syscall layer must have consumed. */
	KUNIT_EXPECT_EQ(test, map(f, SPEC | R | ZX_VM_MAP_RANGE, P, 0, 0, P),
			ZX_ERR_INVALID_ARGS);
	/* Without SPECIFIC the offset must be 0. */
	KUNIT_EXPECT_EQ(test, map(f, R, P, 0, 0, P), ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_map(g, SPEC | R, P, NULL, 0, P, RWX,
					    NULL), ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_map(g, SPEC | R, P, v, 0, P, RWX | 8,
					    NULL), ZX_ERR_INVALID_ARGS);
	/* Permissions beyond the maximum come first, as in zx_vmar_map. */
	KUNIT_EXPECT_EQ(test, zxhv_gpas_map(g, SPEC | R | W, P + 1, v, 0, P,
					    R, NULL), ZX_ERR_ACCESS_DENIED);
	KUNIT_EXPECT_EQ(test, f->vmo[0].refs, 0L);
	expect_hole(f, P);
	fake_done(f);
}

static void gpas_overlap(struct kunit *test)
{
	struct gpas_fake *f = fake_new(test, 64 * P);

	KUNIT_ASSERT_EQ(test, map(f, SPEC | R, 4 * P, 0, 0, 4 * P), ZX_OK);
	/* Any overlap without OVERWRITE: Zircon's NO_MEMORY, no change. */
	KUNIT_EXPECT_EQ(test, map(f, SPEC | R, 6 * P, 1, 0, 4 * P),
			ZX_ERR_NO_MEMORY);
	KUNIT_EXPECT_EQ(test, map(f, SPEC | R, 0, 1, 0, 5 * P),
			ZX_ERR_NO_MEMORY);
	KUNIT_EXPECT_EQ(test, map(f, SPEC | R, 5 * P, 1, 0, P),
			ZX_ERR_NO_MEMORY);
	KUNIT_EXPECT_EQ(test, map(f, SPEC | R, 0, 1, 0, 16 * P),
			ZX_ERR_NO_MEMORY);
	KUNIT_EXPECT_EQ(test, f->vmo[1].refs, 0L);
	/* Adjacent on both sides is fine. */
	KUNIT_EXPECT_EQ(test, map(f, SPEC | R, 8 * P, 1, 0, P), ZX_OK);
	KUNIT_EXPECT_EQ(test, map(f, SPEC | R, 3 * P, 2, 0, P), ZX_OK);
	expect_at(f, 3 * P, 2, 0, R);
	expect_at(f, 7 * P, 0, 3 * P, R);
	expect_at(f, 8 * P, 1, 0, R);
	KUNIT_EXPECT_EQ(test, f->nr_inv, 0u);
	fake_done(f);
}

static void gpas_overwrite(struct kunit *test)
{
	struct gpas_fake *f = fake_new(test, 64 * P);
	static const u64 inv1[] = { 4 * P, 2 * P };
	static const u64 inv2[] = { 11 * P, 2 * P, 14 * P, P };

	KUNIT_ASSERT_EQ(test, map(f, SPEC | RWX, 2 * P, 0, 0, 8 * P), ZX_OK);
	KUNIT_EXPECT_EQ(test, map(f, OVER | R, 4 * P, 1, 32 * P, 2 * P), ZX_OK);
	expect_inv(f, 1, inv1);
	expect_at(f, 3 * P, 0, P, RWX);
	expect_at(f, 4 * P, 1, 32 * P, R);
	expect_at(f, 5 * P, 1, 33 * P, R);
	expect_at(f, 6 * P, 0, 4 * P, RWX);
	expect_at(f, 9 * P, 0, 7 * P, RWX);
	KUNIT_EXPECT_EQ(test, f->vmo[0].refs, 2L);
	KUNIT_EXPECT_EQ(test, f->vmo[1].refs, 1L);

	/* Across two mappings and a hole: one range per mapped run. */
	KUNIT_ASSERT_EQ(test, map(f, SPEC | R, 10 * P, 1, 0, 2 * P), ZX_OK);
	KUNIT_ASSERT_EQ(test, map(f, SPEC | R, 12 * P, 2, 0, P), ZX_OK);
	KUNIT_ASSERT_EQ(test, map(f, SPEC | R, 14 * P, 2, 0, 2 * P), ZX_OK);
	KUNIT_EXPECT_EQ(test, map(f, OVER | W | R, 11 * P, 0, 0, 4 * P), ZX_OK);
	expect_inv(f, 2, inv2);
	expect_at(f, 10 * P, 1, 0, R);
	expect_at(f, 11 * P, 0, 0, R | W);
	expect_at(f, 13 * P, 0, 2 * P, R | W);
	expect_at(f, 14 * P, 0, 3 * P, R | W);
	expect_at(f, 15 * P, 2, P, R);
	/* Overwriting nothing reports nothing. */
	KUNIT_EXPECT_EQ(test, map(f, OVER | R, 40 * P, 2, 0, P), ZX_OK);
	KUNIT_EXPECT_EQ(test, f->nr_inv, 0u);
	fake_done(f);
}

static void gpas_unmap_hole(struct kunit *test)
{
	struct gpas_fake *f = fake_new(test, 64 * P);
	static const u64 inv1[] = { 3 * P, 2 * P };
	static const u64 inv2[] = { 0, 3 * P };

	KUNIT_ASSERT_EQ(test, map(f, SPEC | R | W, 0, 0, 16 * P, 8 * P), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_unmap(f->gpas, 3 * P, 2 * P), ZX_OK);
	expect_inv(f, 1, inv1);
	KUNIT_EXPECT_EQ(test, f->vmo[0].refs, 2L);
	expect_at(f, 0, 0, 16 * P, R | W);
	expect_at(f, 2 * P, 0, 18 * P, R | W);
	expect_hole(f, 3 * P);
	expect_hole(f, 4 * P);
	expect_at(f, 5 * P, 0, 21 * P, R | W);
	expect_at(f, 7 * P, 0, 23 * P, R | W);
	/* The head piece goes entirely; the tail piece keeps its reference. */
	KUNIT_EXPECT_EQ(test, zxhv_gpas_unmap(f->gpas, 0, 5 * P), ZX_OK);
	expect_inv(f, 1, inv2);
	KUNIT_EXPECT_EQ(test, f->vmo[0].refs, 1L);
	expect_hole(f, 0);
	expect_at(f, 5 * P, 0, 21 * P, R | W);
	fake_done(f);
}

static void gpas_unmap_across(struct kunit *test)
{
	struct gpas_fake *f = fake_new(test, 64 * P);
	static const u64 inv[] = { P, 3 * P, 5 * P, P };
	struct zxhv_gpas *g = f->gpas;

	KUNIT_ASSERT_EQ(test, map(f, SPEC | R, 0, 0, 0, 2 * P), ZX_OK);
	KUNIT_ASSERT_EQ(test, map(f, SPEC | R, 2 * P, 1, 0, 2 * P), ZX_OK);
	KUNIT_ASSERT_EQ(test, map(f, SPEC | R, 5 * P, 2, 0, 3 * P), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_unmap(g, P, 5 * P), ZX_OK);
	expect_inv(f, 2, inv);
	expect_at(f, 0, 0, 0, R);
	expect_hole(f, P);
	expect_hole(f, 3 * P);
	expect_hole(f, 5 * P);
	expect_at(f, 6 * P, 2, P, R);
	KUNIT_EXPECT_EQ(test, f->vmo[1].refs, 0L);
	/* Nothing mapped there: fine, and nothing to invalidate. */
	KUNIT_EXPECT_EQ(test, zxhv_gpas_unmap(g, 20 * P, 4 * P), ZX_OK);
	KUNIT_EXPECT_EQ(test, f->nr_inv, 0u);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_unmap(g, P + 1, P),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_unmap(g, P, P + 1),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_unmap(g, P, 0), ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_unmap(g, 60 * P, 8 * P),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_unmap(g, 6 * P, (u64)-P),
			ZX_ERR_INVALID_ARGS);
	expect_at(f, 6 * P, 2, P, R);
	fake_done(f);
}

static void gpas_protect_split(struct kunit *test)
{
	struct gpas_fake *f = fake_new(test, 64 * P);
	static const u64 inv1[] = { 2 * P, 2 * P };
	static const u64 inv2[] = { 0, 8 * P };
	struct zxhv_gpas *g = f->gpas;

	KUNIT_ASSERT_EQ(test, map(f, SPEC | RWX, 0, 0, 8 * P, 8 * P), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_protect(g, 2 * P, 2 * P, R), ZX_OK);
	expect_inv(f, 1, inv1);
	KUNIT_EXPECT_EQ(test, f->vmo[0].refs, 3L);
	expect_at(f, P, 0, 9 * P, RWX);
	expect_at(f, 2 * P, 0, 10 * P, R);
	expect_at(f, 3 * P, 0, 11 * P, R);
	expect_at(f, 4 * P, 0, 12 * P, RWX);
	/* Gaining permissions needs no invalidation. */
	KUNIT_EXPECT_EQ(test, zxhv_gpas_protect(g, 2 * P, 2 * P, R | W), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_protect(g, 0, 8 * P, RWX), ZX_OK);
	KUNIT_EXPECT_EQ(test, f->nr_inv, 0u);
	expect_at(f, 3 * P, 0, 11 * P, RWX);
	/* A range already holding the permissions is not split. */
	KUNIT_EXPECT_EQ(test, zxhv_gpas_protect(g, 5 * P, P, RWX), ZX_OK);
	KUNIT_EXPECT_EQ(test, f->vmo[0].refs, 3L);
	/* Three mappings lose access at once: one merged range. */
	KUNIT_EXPECT_EQ(test, zxhv_gpas_protect(g, 0, 8 * P, R), ZX_OK);
	expect_inv(f, 1, inv2);
	expect_at(f, 7 * P, 0, 15 * P, R);
	fake_done(f);
}

static void gpas_protect_errors(struct kunit *test)
{
	struct gpas_fake *f = fake_new(test, 64 * P);
	struct zxhv_gpas *g = f->gpas;

	KUNIT_ASSERT_EQ(test, map(f, SPEC | RWX, 0, 0, 0, 2 * P), ZX_OK);
	KUNIT_ASSERT_EQ(test, zxhv_gpas_map(g, SPEC | R, 3 * P, vmo_of(f, 1),
					    0, 2 * P, R | W, NULL), ZX_OK);
	/* A hole inside the range: NOT_FOUND and nothing changes. */
	KUNIT_EXPECT_EQ(test, zxhv_gpas_protect(g, P, 3 * P, R),
			ZX_ERR_NOT_FOUND);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_protect(g, 10 * P, P, R),
			ZX_ERR_NOT_FOUND);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_protect(g, 4 * P, 2 * P, R),
			ZX_ERR_NOT_FOUND);
	expect_at(f, P, 0, P, RWX);
	/* Beyond what the mapping was created with. */
	KUNIT_EXPECT_EQ(test, zxhv_gpas_protect(g, 3 * P, P, RWX),
			ZX_ERR_ACCESS_DENIED);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_protect(g, 3 * P, 2 * P, R | W), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_protect(g, 0, P, 8),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_protect(g, 0, 0, R),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_protect(g, 1, P, R),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_protect(g, 63 * P, 2 * P, R),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, f->nr_inv, 0u);
	KUNIT_EXPECT_EQ(test, f->vmo[0].refs, 1L);
	KUNIT_EXPECT_EQ(test, f->vmo[1].refs, 1L);
	expect_at(f, 4 * P, 1, P, R | W);
	fake_done(f);
}

static void gpas_boundaries(struct kunit *test)
{
	struct gpas_fake *f = fake_new(test, 16 * P);
	struct zxhv_gpas_lookup l;
	struct zxhv_gpas *g;

	KUNIT_EXPECT_EQ(test, zxhv_gpas_create(0, &fake_ops, f, &g),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_create(P + 1, &fake_ops, f, &g),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, map(f, SPEC | R, 15 * P, 0, 0, P), ZX_OK);
	KUNIT_EXPECT_EQ(test, map(f, OVER | R, 15 * P, 0, 0, 2 * P),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, map(f, SPEC | R, 16 * P, 0, 0, P),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, map(f, SPEC | R, (u64)-P, 0, 0, P),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, map(f, SPEC | R, 2 * P, 0, 0, (u64)-P),
			ZX_ERR_INVALID_ARGS);
	expect_at(f, 16 * P - 1, 0, P - 1, R);
	zxhv_gpas_read_lock(f->gpas);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_lookup_locked(f->gpas, 16 * P, &l),
			ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_lookup_locked(f->gpas, (u64)-1, &l),
			ZX_ERR_OUT_OF_RANGE);
	zxhv_gpas_read_unlock(f->gpas);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_unmap(f->gpas, 0, 16 * P), ZX_OK);
	KUNIT_EXPECT_EQ(test, f->vmo[0].refs, 0L);
	fake_done(f);

	/* An x86 guest: 2^48 bytes, the last page included. */
	f = fake_new(test, 1ULL << 48);
	KUNIT_EXPECT_EQ(test, map(f, SPEC | R, (1ULL << 48) - P, 0, 0, P),
			ZX_OK);
	KUNIT_EXPECT_EQ(test, map(f, SPEC | R, 1ULL << 48, 0, 0, P),
			ZX_ERR_INVALID_ARGS);
	expect_at(f, (1ULL << 48) - 1, 0, P - 1, R);
	fake_done(f);
}

static void gpas_anywhere(struct kunit *test)
{
	struct gpas_fake *f = fake_new(test, 8 * P);
	u64 at = 1;

	KUNIT_EXPECT_EQ(test, zxhv_gpas_map(f->gpas, R, 0, vmo_of(f, 0), 0,
					    2 * P, RWX, &at), ZX_OK);
	KUNIT_EXPECT_EQ(test, at, 0ULL);
	KUNIT_ASSERT_EQ(test, map(f, SPEC | R, 3 * P, 1, 0, P), ZX_OK);
	/* First fit: the one-page gap at 2P is too small for two pages. */
	KUNIT_EXPECT_EQ(test, zxhv_gpas_map(f->gpas, R, 0, vmo_of(f, 2), 0,
					    2 * P, RWX, &at), ZX_OK);
	KUNIT_EXPECT_EQ(test, at, 4 * P);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_map(f->gpas, R, 0, vmo_of(f, 2), 0,
					    P, RWX, &at), ZX_OK);
	KUNIT_EXPECT_EQ(test, at, 2 * P);
	KUNIT_EXPECT_EQ(test, map(f, R, 0, 2, 0, 3 * P), ZX_ERR_NO_RESOURCES);
	KUNIT_EXPECT_EQ(test, map(f, R, 0, 2, 0, 2 * P), ZX_OK);
	expect_at(f, 7 * P, 2, P, R);
	KUNIT_EXPECT_EQ(test, map(f, R, 0, 2, 0, P), ZX_ERR_NO_RESOURCES);
	fake_done(f);
}

/* Every allocation failure leaves the space exactly as it was. */
static void gpas_alloc_failure(struct kunit *test)
{
	struct gpas_fake *f = fake_new(test, 64 * P);
	struct zxhv_gpas *g = f->gpas;

	KUNIT_ASSERT_EQ(test, map(f, SPEC | RWX, 0, 0, 0, 8 * P), ZX_OK);
	f->allocs_ok = 0;
	KUNIT_EXPECT_EQ(test, map(f, SPEC | R, 8 * P, 1, 0, P),
			ZX_ERR_NO_MEMORY);
	KUNIT_EXPECT_EQ(test, zxhv_gpas_unmap(g, 2 * P, P), ZX_ERR_NO_MEMORY);
	/* The second of two nodes fails: the first is given back. */
	f->allocs_ok = 1;
	KUNIT_EXPECT_EQ(test, zxhv_gpas_protect(g, 2 * P, P, R),
			ZX_ERR_NO_MEMORY);
	f->allocs_ok = 1;
	KUNIT_EXPECT_EQ(test, map(f, OVER | R, 2 * P, 1, 0, P),
			ZX_ERR_NO_MEMORY);
	KUNIT_EXPECT_EQ(test, f->nr_inv, 0u);
	KUNIT_EXPECT_EQ(test, f->vmo[0].refs, 1L);
	KUNIT_EXPECT_EQ(test, f->vmo[1].refs, 0L);
	expect_at(f, 2 * P, 0, 2 * P, RWX);
	expect_hole(f, 8 * P);
	f->allocs_ok = -1;
	KUNIT_EXPECT_EQ(test, zxhv_gpas_protect(g, 2 * P, P, R), ZX_OK);
	KUNIT_EXPECT_EQ(test, f->vmo[0].refs, 3L);
	fake_done(f);
}

/* --- random calls against a page-array model ------------------------------ */

#define MODEL_PAGES	64

struct model_page {
	int vmo;		/* -1: nothing mapped */
	u64 off;
	u32 perms;
	u32 max_perms;
};

struct model {
	struct model_page page[MODEL_PAGES];
	bool lost[MODEL_PAGES];	/* lost access in the current call */
};

static bool model_free(const struct model *m, u64 first, u64 n)
{
	u64 i;

	for (i = first; i < first + n; i++)
		if (m->page[i].vmo >= 0)
			return false;
	return true;
}

static void model_unmap(struct model *m, u64 first, u64 n)
{
	u64 i;

	for (i = first; i < first + n; i++) {
		if (m->page[i].vmo >= 0)
			m->lost[i] = true;
		m->page[i].vmo = -1;
	}
}

/* Page-level checks: ranges (in pages) for a byte range of the model. */
static bool model_range_ok(u64 gpa, u64 len)
{
	return PAGE_ALIGNED(gpa) && PAGE_ALIGNED(len) && len &&
	       gpa < MODEL_PAGES * P && len <= MODEL_PAGES * P - gpa;
}

static zx_status_t model_map(struct model *m, zx_vm_option_t options, u64 gpa,
			     int vmo, u64 off, u64 len, u32 max_perms,
			     bool fail)
{
	u32 perms = options & RWX;
	u64 first, n = len / P, i;

	if (perms & ~max_perms)
		return ZX_ERR_ACCESS_DENIED;
	if (options & (SPEC | OVER) ? !model_range_ok(gpa, len) :
				      gpa || !len || !PAGE_ALIGNED(len))
		return ZX_ERR_INVALID_ARGS;
	if (fail)
		return ZX_ERR_NO_MEMORY;
	if (!(options & (SPEC | OVER))) {
		for (first = 0; first + n <= MODEL_PAGES; first++)
			if (model_free(m, first, n))
				break;
		if (first + n > MODEL_PAGES)
			return ZX_ERR_NO_RESOURCES;
	} else {
		first = gpa / P;
		if (!(options & OVER) && !model_free(m, first, n))
			return ZX_ERR_NO_MEMORY;
		model_unmap(m, first, n);
	}
	for (i = 0; i < n; i++) {
		m->page[first + i].vmo = vmo;
		m->page[first + i].off = off + i * P;
		m->page[first + i].perms = perms;
		m->page[first + i].max_perms = max_perms;
	}
	return ZX_OK;
}

static zx_status_t model_protect(struct model *m, u64 gpa, u64 len, u32 perms,
				 bool fail)
{
	u64 first = gpa / P, i;

	if (!model_range_ok(gpa, len))
		return ZX_ERR_INVALID_ARGS;
	if (fail)
		return ZX_ERR_NO_MEMORY;
	for (i = first; i < first + len / P; i++) {
		if (m->page[i].vmo < 0)
			return ZX_ERR_NOT_FOUND;
		if (perms & ~m->page[i].max_perms)
			return ZX_ERR_ACCESS_DENIED;
	}
	for (i = first; i < first + len / P; i++) {
		if (m->page[i].perms & ~perms)
			m->lost[i] = true;
		m->page[i].perms = perms;
	}
	return ZX_OK;
}

/* The invalidations are the maximal runs of pages that lost access. */
static void model_check_inv(struct kunit *test, struct gpas_fake *f,
			    struct model *m)
{
	unsigned int n = 0, i = 0;

	while (i < MODEL_PAGES) {
		unsigned int start = i;

		if (!m->lost[i++])
			continue;
		while (i < MODEL_PAGES && m->lost[i])
			i++;
		KUNIT_ASSERT_LT(test, n, f->nr_inv);
		KUNIT_EXPECT_EQ(test, f->inv[n].gpa, start * P);
		KUNIT_EXPECT_EQ(test, f->inv[n].len, (i - start) * P);
		n++;
	}
	KUNIT_EXPECT_EQ(test, f->nr_inv, n);
	f->nr_inv = 0;
	memset(m->lost, 0, sizeof(m->lost));
}

static void model_check_pages(struct kunit *test, struct gpas_fake *f,
			      const struct model *m)
{
	struct zxhv_gpas_lookup l;
	unsigned int i;

	zxhv_gpas_read_lock(f->gpas);
	for (i = 0; i < MODEL_PAGES; i++) {
		const struct model_page *p = &m->page[i];
		zx_status_t st = zxhv_gpas_lookup_locked(f->gpas, i * P + 8, &l);

		if (p->vmo < 0) {
			KUNIT_EXPECT_EQ(test, st, ZX_ERR_NOT_FOUND);
			continue;
		}
		KUNIT_EXPECT_EQ(test, st, ZX_OK);
		if (st != ZX_OK)
			continue;
		KUNIT_EXPECT_PTR_EQ(test, l.vmo, vmo_of(f, p->vmo));
		KUNIT_EXPECT_EQ(test, l.vmo_offset, p->off + 8);
		KUNIT_EXPECT_EQ(test, l.perms, p->perms);
	}
	KUNIT_EXPECT_EQ(test, zxhv_gpas_lookup_locked(f->gpas, MODEL_PAGES * P,
						      &l), ZX_ERR_OUT_OF_RANGE);
	zxhv_gpas_read_unlock(f->gpas);
}

/*
 * Mostly aims a protect at mapped pages, within what they may take, so
 * that it usually succeeds: from a mapped page at or after @gpa to a
 * random point of the mapped run that follows.
 */
static void aim_protect(struct rnd_state *rnd, const struct model *m,
			u64 *gpa, u64 *len, u32 *perms)
{
	u32 first = (*gpa / P) % MODEL_PAGES, last, i, max = RWX;

	if (prandom_u32_state(rnd) % 4 == 0)
		return;
	while (first < MODEL_PAGES && m->page[first].vmo < 0)
		first++;
	last = first;
	while (last < MODEL_PAGES && m->page[last].vmo >= 0)
		last++;
	if (first == last)
		return;
	last = first + 1 + prandom_u32_state(rnd) % (last - first);
	for (i = first; i < last; i++)
		max &= m->page[i].max_perms;
	*gpa = first * P;
	*len = (last - first) * P;
	*perms &= max;
}

/* A page count, mostly small, now and then out of bounds or unaligned. */
static u64 rand_bytes(struct rnd_state *rnd, u32 pages)
{
	u32 r = prandom_u32_state(rnd);
	u64 v = (r % pages) * P;

	if (r % 29 == 0)
		v += 512;
	return v;
}

static void gpas_random_vs_model(struct kunit *test)
{
	struct gpas_fake *f = fake_new(test, MODEL_PAGES * P);
	struct model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	/* Successful maps, unmaps, protects, and failed calls. */
	unsigned int done[4] = {};
	struct rnd_state rnd;
	unsigned int i, j;

	KUNIT_ASSERT_NOT_NULL(test, m);
	for (i = 0; i < MODEL_PAGES; i++)
		m->page[i].vmo = -1;
	prandom_seed_state(&rnd, 0x7a69726b6f6eULL);
	for (i = 0; i < 4000; i++) {
		u32 op = prandom_u32_state(&rnd) % 8;
		u64 gpa = rand_bytes(&rnd, MODEL_PAGES + 8);
		u64 len = rand_bytes(&rnd, op < 4 ? 12 : 24);
		u32 perms = prandom_u32_state(&rnd) & RWX;
		u32 extra = prandom_u32_state(&rnd) & RWX;
		bool fail = prandom_u32_state(&rnd) % 16 == 0;
		zx_status_t want, got;

		f->allocs_ok = fail ? 0 : -1;
		if (op < 4) {
			int vmo = prandom_u32_state(&rnd) % NR_VMOS;
			u64 off = (prandom_u32_state(&rnd) % 32) * P;
			zx_vm_option_t kind = op == 0 ? 0 : op == 1 ? OVER :
					      SPEC;

			if (!kind && prandom_u32_state(&rnd) % 4)
				gpa = 0;
			/* Rarely beyond max_perms. */
			if (prandom_u32_state(&rnd) % 8)
				extra |= perms;
			want = model_map(m, kind | perms, gpa, vmo, off, len,
					 extra, fail);
			got = zxhv_gpas_map(f->gpas, kind | perms, gpa,
					    vmo_of(f, vmo), off, len, extra,
					    NULL);
		} else if (op < 6) {
			want = model_range_ok(gpa, len) ?
			       fail ? ZX_ERR_NO_MEMORY : ZX_OK :
			       ZX_ERR_INVALID_ARGS;
			if (want == ZX_OK)
				model_unmap(m, gpa / P, len / P);
			got = zxhv_gpas_unmap(f->gpas, gpa, len);
		} else {
			aim_protect(&rnd, m, &gpa, &len, &perms);
			want = model_protect(m, gpa, len, perms, fail);
			got = zxhv_gpas_protect(f->gpas, gpa, len, perms);
		}
		KUNIT_ASSERT_EQ_MSG(test, got, want, "call %u op %u gpa %llx len %llx",
				    i, op, gpa, len);
		done[got != ZX_OK ? 3 : op < 4 ? 0 : op < 6 ? 1 : 2]++;
		model_check_inv(test, f, m);
		model_check_pages(test, f, m);
		if (test->status == KUNIT_FAILURE)
			break;
	}
	/* The mix exercised every path, not just the argument checks. */
	kunit_info(test, "ok: %u maps, %u unmaps, %u protects; %u failed\n",
		   done[0], done[1], done[2], done[3]);
	for (j = 0; j < ARRAY_SIZE(done); j++)
		KUNIT_EXPECT_GT(test, done[j], 300u);
	/*
	 * One reference per mapping, and a mapping spans at least a page:
	 * a VMO has at most as many references as pages mapping it, and
	 * none once no page does.
	 */
	for (j = 0; j < NR_VMOS; j++) {
		long pages = 0;

		for (i = 0; i < MODEL_PAGES; i++)
			pages += m->page[i].vmo == (int)j;
		KUNIT_EXPECT_LE(test, f->vmo[j].refs, pages);
		KUNIT_EXPECT_EQ(test, f->vmo[j].refs > 0, pages > 0);
	}
	fake_done(f);
}

static struct kunit_case gpas_cases[] = {
	KUNIT_CASE(gpas_map_lookup),
	KUNIT_CASE(gpas_map_args),
	KUNIT_CASE(gpas_overlap),
	KUNIT_CASE(gpas_overwrite),
	KUNIT_CASE(gpas_unmap_hole),
	KUNIT_CASE(gpas_unmap_across),
	KUNIT_CASE(gpas_protect_split),
	KUNIT_CASE(gpas_protect_errors),
	KUNIT_CASE(gpas_boundaries),
	KUNIT_CASE(gpas_anywhere),
	KUNIT_CASE(gpas_alloc_failure),
	KUNIT_CASE(gpas_random_vs_model),
	{}
};

static struct kunit_suite gpas_suite = {
	.name = "zxhv-gpas",
	.test_cases = gpas_cases,
};

kunit_test_suite(gpas_suite);
