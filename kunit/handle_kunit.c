// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: handle tables (module/handle.c), the borrowing lookup of a
 * call's fast path (handle.h) and the object core (object.c).
 */
#include <kunit/test.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <zircon/rights.h>

#include "../module/handle.h"
#include "../module/object.h"

struct fake_obj {
	struct zxhv_object obj;
	int *destroyed;		/* counters outlive the object */
	int zero_handles;	/* read only while the object lives */
};

static void fake_on_zero_handles(struct zxhv_object *obj)
{
	container_of(obj, struct fake_obj, obj)->zero_handles++;
}

static void fake_destroy(struct zxhv_object *obj)
{
	struct fake_obj *f = container_of(obj, struct fake_obj, obj);

	(*f->destroyed)++;
	kfree(f);
}

static const struct zxhv_object_ops fake_vmo_ops = {
	.type = ZX_OBJ_TYPE_VMO,
	.on_zero_handles = fake_on_zero_handles,
	.destroy = fake_destroy,
};

static const struct zxhv_object_ops fake_port_ops = {
	.type = ZX_OBJ_TYPE_PORT,
	.destroy = fake_destroy,
};

static struct fake_obj *fake_new(struct kunit *test, const struct zxhv_object_ops *ops,
				 int *destroyed)
{
	struct fake_obj *f = kzalloc(sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	zxhv_object_init(&f->obj, ops);
	f->destroyed = destroyed;
	return f;
}

/* A new table @t holding the one handle *@v (with @rights) to a new fake object. */
static struct fake_obj *table_with_one(struct kunit *test, struct zxhv_handle_table *t,
				       const struct zxhv_object_ops *ops, zx_rights_t rights,
				       int *destroyed, zx_handle_t *v)
{
	struct fake_obj *f;

	zxhv_handle_table_init(t);
	f = fake_new(test, ops, destroyed);
	KUNIT_ASSERT_EQ(test, zxhv_handle_add(t, &f->obj, rights, v), ZX_OK);
	zxhv_object_put(&f->obj);
	return f;
}

static void object_koids_unique(struct kunit *test)
{
	int destroyed = 0;
	struct fake_obj *a = fake_new(test, &fake_vmo_ops, &destroyed);
	struct fake_obj *b = fake_new(test, &fake_vmo_ops, &destroyed);

	KUNIT_EXPECT_GE(test, a->obj.koid, 1024ULL);
	KUNIT_EXPECT_GT(test, b->obj.koid, a->obj.koid);
	zxhv_object_put(&a->obj);
	zxhv_object_put(&b->obj);
	KUNIT_EXPECT_EQ(test, destroyed, 2);
}

static void table_values(struct kunit *test)
{
	struct zxhv_handle_table t;
	zx_handle_t v[64];
	int destroyed = 0;
	struct fake_obj *f;
	int i, j;

	zxhv_handle_table_init(&t);
	f = fake_new(test, &fake_vmo_ops, &destroyed);
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		KUNIT_ASSERT_EQ(test, zxhv_handle_add(&t, &f->obj, ZX_DEFAULT_VMO_RIGHTS, &v[i]),
				ZX_OK);
		KUNIT_EXPECT_NE(test, v[i], ZX_HANDLE_INVALID);
		KUNIT_EXPECT_EQ(test, v[i] & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE(test, v[i], v[j]);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&f->obj.handles), (int)ARRAY_SIZE(v));
	KUNIT_EXPECT_EQ(test, f->zero_handles, 0);
	zxhv_object_put(&f->obj);
	KUNIT_EXPECT_EQ(test, destroyed, 0);
	/* Teardown closes every handle: the last one frees the object. */
	zxhv_handle_table_destroy(&t);
	KUNIT_EXPECT_EQ(test, destroyed, 1);
}

static void lookup_precedence(struct kunit *test)
{
	struct zxhv_handle_table t;
	struct zxhv_object *obj;
	int destroyed = 0;
	zx_rights_t rights;
	struct fake_obj *f;
	zx_handle_t v;

	f = table_with_one(test, &t, &fake_vmo_ops, ZX_RIGHT_READ, &destroyed, &v);

	/* Bad handle beats wrong type beats missing rights. */
	KUNIT_EXPECT_EQ(test, zxhv_handle_lookup(&t, ZX_HANDLE_INVALID, ZX_OBJ_TYPE_PORT,
						 ZX_RIGHT_WRITE, &obj, NULL), ZX_ERR_BAD_HANDLE);
	KUNIT_EXPECT_EQ(test, zxhv_handle_lookup(&t, v & ~1u, ZX_OBJ_TYPE_VMO, 0, &obj, NULL),
			ZX_ERR_BAD_HANDLE);
	KUNIT_EXPECT_EQ(test, zxhv_handle_lookup(&t, v ^ 0x40000000u, ZX_OBJ_TYPE_VMO, 0,
						 &obj, NULL), ZX_ERR_BAD_HANDLE);
	KUNIT_EXPECT_EQ(test, zxhv_handle_lookup(&t, v, ZX_OBJ_TYPE_PORT, ZX_RIGHT_WRITE,
						 &obj, NULL), ZX_ERR_WRONG_TYPE);
	KUNIT_EXPECT_EQ(test, zxhv_handle_lookup(&t, v, ZX_OBJ_TYPE_VMO, ZX_RIGHT_WRITE,
						 &obj, NULL), ZX_ERR_ACCESS_DENIED);
	KUNIT_EXPECT_EQ(test, zxhv_handle_lookup(&t, v, ZXHV_OBJ_TYPE_ANY,
						 ZX_RIGHT_READ | ZX_RIGHT_WRITE, &obj, NULL),
			ZX_ERR_ACCESS_DENIED);
	KUNIT_ASSERT_EQ(test, zxhv_handle_lookup(&t, v, ZX_OBJ_TYPE_VMO, ZX_RIGHT_READ,
						 &obj, &rights), ZX_OK);
	KUNIT_EXPECT_PTR_EQ(test, obj, &f->obj);
	KUNIT_EXPECT_EQ(test, rights, ZX_RIGHT_READ);
	/* The lookup's reference outlives the handle. */
	KUNIT_EXPECT_EQ(test, zxhv_handle_close(&t, v), ZX_OK);
	KUNIT_EXPECT_EQ(test, f->zero_handles, 1);
	KUNIT_EXPECT_EQ(test, destroyed, 0);
	zxhv_object_put(obj);
	KUNIT_EXPECT_EQ(test, destroyed, 1);
	zxhv_handle_table_destroy(&t);
}

/* What a borrower saw: the object lent, under which lock, how often. */
struct borrowed {
	struct zxhv_handle_table *t;
	struct zxhv_object *obj;
	int calls;
};

static zx_status_t borrow_fn(struct zxhv_object *obj, void *arg)
{
	struct borrowed *b = arg;

	lockdep_assert_held(&b->t->lock);
	b->obj = obj;
	b->calls++;
	return ZX_ERR_SHOULD_WAIT;
}

/* The borrowing lookup: the same checks, no reference, the lender's result. */
static void borrow_lends(struct kunit *test)
{
	const struct zxhv_rights_req rd = { .rights = ZX_RIGHT_READ };
	const struct zxhv_rights_req wr = { .rights = ZX_RIGHT_WRITE };
	struct zxhv_handle_table t;
	struct borrowed b = { .t = &t };
	int destroyed = 0;
	struct fake_obj *f;
	zx_handle_t v;

	f = table_with_one(test, &t, &fake_vmo_ops, ZX_RIGHT_READ, &destroyed, &v);

	KUNIT_EXPECT_EQ(test, zxhv_handle_borrow_req(&t, v ^ 0x40000000u, ZX_OBJ_TYPE_VMO, &rd,
						     borrow_fn, &b), ZX_ERR_BAD_HANDLE);
	KUNIT_EXPECT_EQ(test, zxhv_handle_borrow_req(&t, v, ZX_OBJ_TYPE_PORT, &wr, borrow_fn, &b),
			ZX_ERR_WRONG_TYPE);
	KUNIT_EXPECT_EQ(test, zxhv_handle_borrow_req(&t, v, ZX_OBJ_TYPE_VMO, &wr, borrow_fn, &b),
			ZX_ERR_ACCESS_DENIED);
	KUNIT_EXPECT_EQ(test, b.calls, 0);
	KUNIT_EXPECT_EQ(test, zxhv_handle_borrow_req(&t, v, ZX_OBJ_TYPE_VMO, &rd, borrow_fn, &b),
			ZX_ERR_SHOULD_WAIT);
	KUNIT_EXPECT_EQ(test, b.calls, 1);
	KUNIT_EXPECT_PTR_EQ(test, b.obj, &f->obj);
	/* No reference was left behind: the handle's close destroys the object. */
	KUNIT_EXPECT_EQ(test, zxhv_handle_close(&t, v), ZX_OK);
	KUNIT_EXPECT_EQ(test, destroyed, 1);
	zxhv_handle_table_destroy(&t);
}

static void close_and_take(struct kunit *test)
{
	struct zxhv_handle_table t;
	struct zxhv_handle *h;
	int destroyed = 0;
	zx_handle_t v;

	table_with_one(test, &t, &fake_port_ops, ZX_RIGHT_READ, &destroyed, &v);
	KUNIT_EXPECT_EQ(test, zxhv_handle_close(&t, ZX_HANDLE_INVALID), ZX_OK);
	/* A take that lacks rights leaves the handle where it was. */
	KUNIT_EXPECT_EQ(test, zxhv_handle_take(&t, v, ZX_RIGHT_TRANSFER, &h),
			ZX_ERR_ACCESS_DENIED);
	KUNIT_ASSERT_EQ(test, zxhv_handle_take(&t, v, ZX_RIGHT_READ, &h), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_handle_close(&t, v), ZX_ERR_BAD_HANDLE);
	KUNIT_ASSERT_EQ(test, zxhv_handle_insert(&t, h, &v), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_handle_close(&t, v), ZX_OK);
	KUNIT_EXPECT_EQ(test, destroyed, 1);
	KUNIT_EXPECT_EQ(test, zxhv_handle_close(&t, v), ZX_ERR_BAD_HANDLE);
	zxhv_handle_table_destroy(&t);
}

/*
 * A closed value does not come back for a long time, even when the rest of
 * the table's first page is held (the table grows rather than cycle one
 * free slot through its generations).
 */
static void values_not_reused(struct kunit *test)
{
	struct zxhv_handle_table t;
	zx_handle_t held[255];
	int destroyed = 0;
	struct fake_obj *f;
	zx_handle_t first, v;
	int i;

	zxhv_handle_table_init(&t);
	f = fake_new(test, &fake_vmo_ops, &destroyed);
	for (i = 0; i < ARRAY_SIZE(held); i++)
		KUNIT_ASSERT_EQ(test, zxhv_handle_add(&t, &f->obj, 0, &held[i]), ZX_OK);
	KUNIT_ASSERT_EQ(test, zxhv_handle_add(&t, &f->obj, 0, &first), ZX_OK);
	KUNIT_ASSERT_EQ(test, zxhv_handle_close(&t, first), ZX_OK);
	for (i = 0; i < 4096; i++) {
		KUNIT_ASSERT_EQ(test, zxhv_handle_add(&t, &f->obj, 0, &v), ZX_OK);
		KUNIT_ASSERT_NE_MSG(test, v, first, "cycle %d", i);
		KUNIT_ASSERT_EQ(test, zxhv_handle_close(&t, v), ZX_OK);
	}
	for (i = 0; i < ARRAY_SIZE(held); i++)
		KUNIT_ASSERT_EQ(test, zxhv_handle_close(&t, held[i]), ZX_OK);
	KUNIT_EXPECT_EQ(test, f->zero_handles, 1);
	zxhv_object_put(&f->obj);
	KUNIT_EXPECT_EQ(test, destroyed, 1);
	zxhv_handle_table_destroy(&t);
}

/* A table across many pages: every handle found, closed ones not. */
static void table_grows(struct kunit *test)
{
	const int n = 1000;
	struct zxhv_handle_table t;
	struct zxhv_object *obj;
	int destroyed = 0;
	struct fake_obj *f;
	zx_handle_t *v;
	int i;

	v = kunit_kcalloc(test, n, sizeof(*v), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v);
	zxhv_handle_table_init(&t);
	f = fake_new(test, &fake_vmo_ops, &destroyed);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, zxhv_handle_add(&t, &f->obj, i, &v[i]), ZX_OK);
	zxhv_object_put(&f->obj);
	for (i = 0; i < n; i += 2)
		KUNIT_ASSERT_EQ(test, zxhv_handle_close(&t, v[i]), ZX_OK);
	for (i = 0; i < n; i++) {
		zx_rights_t rights = ~0u;
		zx_status_t status = zxhv_handle_lookup(&t, v[i], ZX_OBJ_TYPE_VMO, 0, &obj,
							&rights);

		if (i % 2 == 0) {
			KUNIT_ASSERT_EQ_MSG(test, status, ZX_ERR_BAD_HANDLE, "handle %d", i);
			continue;
		}
		KUNIT_ASSERT_EQ_MSG(test, status, ZX_OK, "handle %d", i);
		KUNIT_EXPECT_EQ(test, rights, (zx_rights_t)i);
		zxhv_object_put(obj);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&f->obj.handles), n / 2);
	zxhv_handle_table_destroy(&t);
	KUNIT_EXPECT_EQ(test, destroyed, 1);
}

/*
 * A table holds 2^20 handles; the next is NO_RESOURCES, and a slot freed
 * in a full table is used again at once.  One handle struct is inserted
 * under every value and taken back out before it is freed.
 */
static void table_full(struct kunit *test)
{
	const u32 max = 1u << 20;
	struct zxhv_handle_table t;
	struct zxhv_handle *h, *out;
	int destroyed = 0;
	struct fake_obj *f;
	zx_handle_t *v;
	u32 i;

	v = kvmalloc_array(max, sizeof(*v), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v);
	zxhv_handle_table_init(&t);
	f = fake_new(test, &fake_vmo_ops, &destroyed);
	h = zxhv_handle_new(&f->obj, ZX_RIGHT_READ);
	zxhv_object_put(&f->obj);
	KUNIT_ASSERT_NOT_NULL(test, h);
	for (i = 0; i < max; i++)
		if (zxhv_handle_insert(&t, h, &v[i]) != ZX_OK)
			break;
	KUNIT_EXPECT_EQ(test, i, max);
	KUNIT_EXPECT_EQ(test, zxhv_handle_insert(&t, h, &v[0]), ZX_ERR_NO_RESOURCES);
	KUNIT_EXPECT_EQ(test, zxhv_handle_take(&t, v[7], 0, &out), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_handle_insert(&t, h, &v[7]), ZX_OK);
	for (i = 0; i < max; i++)
		if (zxhv_handle_take(&t, v[i], 0, &out) != ZX_OK || out != h)
			break;
	KUNIT_EXPECT_EQ(test, i, max);
	kvfree(v);
	zxhv_handle_free(h);
	KUNIT_EXPECT_EQ(test, destroyed, 1);
	zxhv_handle_table_destroy(&t);
}

static void tables_differ(struct kunit *test)
{
	struct zxhv_handle_table a, b;
	struct zxhv_object *obj;
	int destroyed = 0;
	struct fake_obj *f;
	zx_handle_t va, vb;
	int same = 0, i;

	/* Salts are random: two tables rarely agree; try a few pairs. */
	for (i = 0; i < 4; i++) {
		zxhv_handle_table_init(&a);
		zxhv_handle_table_init(&b);
		f = fake_new(test, &fake_vmo_ops, &destroyed);
		KUNIT_ASSERT_EQ(test, zxhv_handle_add(&a, &f->obj, 0, &va), ZX_OK);
		KUNIT_ASSERT_EQ(test, zxhv_handle_add(&b, &f->obj, 0, &vb), ZX_OK);
		zxhv_object_put(&f->obj);
		same += va == vb;
		if (va != vb)
			KUNIT_EXPECT_EQ(test, zxhv_handle_lookup(&b, va, ZXHV_OBJ_TYPE_ANY, 0,
								 &obj, NULL), ZX_ERR_BAD_HANDLE);
		zxhv_handle_table_destroy(&a);
		zxhv_handle_table_destroy(&b);
	}
	KUNIT_EXPECT_LT(test, same, 4);
	KUNIT_EXPECT_EQ(test, destroyed, 4);
}

static void owner_is_caller(struct kunit *test)
{
	struct zxhv_handle_table t;

	zxhv_handle_table_init(&t);
	KUNIT_EXPECT_TRUE(test, zxhv_handle_table_is_owner(&t));
	zxhv_handle_table_destroy(&t);
}

static void rights_arithmetic(struct kunit *test)
{
	static const struct {
		zx_rights_t src, req, want;
		zx_status_t status;
	} cases[] = {
		{ ZX_DEFAULT_VMO_RIGHTS, ZX_RIGHT_SAME_RIGHTS, ZX_DEFAULT_VMO_RIGHTS, ZX_OK },
		{ ZX_DEFAULT_VMO_RIGHTS, ZX_RIGHT_READ, ZX_RIGHT_READ, ZX_OK },
		{ ZX_DEFAULT_VMO_RIGHTS, ZX_RIGHT_NONE, ZX_RIGHT_NONE, ZX_OK },
		{ ZX_DEFAULT_VMO_RIGHTS, ZX_DEFAULT_VMO_RIGHTS, ZX_DEFAULT_VMO_RIGHTS, ZX_OK },
		{ ZX_DEFAULT_VMO_RIGHTS, ZX_RIGHT_EXECUTE, 0, ZX_ERR_INVALID_ARGS },
		{ ZX_RIGHT_READ, ZX_RIGHT_READ | ZX_RIGHT_WRITE, 0, ZX_ERR_INVALID_ARGS },
		{ ZX_RIGHT_NONE, ZX_RIGHT_SAME_RIGHTS, ZX_RIGHT_NONE, ZX_OK },
		/* SAME_RIGHTS with other bits is not SAME_RIGHTS. */
		{ ZX_RIGHT_READ, ZX_RIGHT_SAME_RIGHTS | ZX_RIGHT_READ, 0, ZX_ERR_INVALID_ARGS },
	};
	zx_rights_t out;
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		out = 0;
		KUNIT_EXPECT_EQ_MSG(test, zxhv_rights_derive(cases[i].src, cases[i].req, &out),
				    cases[i].status, "case %d", i);
		if (cases[i].status == ZX_OK)
			KUNIT_EXPECT_EQ_MSG(test, out, cases[i].want, "case %d", i);
	}
}

static struct kunit_case handle_cases[] = {
	KUNIT_CASE(object_koids_unique),
	KUNIT_CASE(table_values),
	KUNIT_CASE(lookup_precedence),
	KUNIT_CASE(borrow_lends),
	KUNIT_CASE(close_and_take),
	KUNIT_CASE(values_not_reused),
	KUNIT_CASE(table_grows),
	KUNIT_CASE(table_full),
	KUNIT_CASE(tables_differ),
	KUNIT_CASE(owner_is_caller),
	KUNIT_CASE(rights_arithmetic),
	{}
};

static struct kunit_suite handle_suite = {
	.name = "zxhv-handle",
	.test_cases = handle_cases,
};

kunit_test_suite(handle_suite);
