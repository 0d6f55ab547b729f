// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: resources (module/resource.c): options, ranged validation, the
 * policy behind the hypervisor_gid parameter.
 */
#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uidgid.h>

#include "../module/resource.h"

static struct zxhv_resource *res_new(struct kunit *test, zx_rsrc_kind_t kind, u64 base,
				     u64 size, const char *name)
{
	struct zxhv_resource *res;

	KUNIT_ASSERT_EQ(test, zxhv_resource_create(kind, 0, base, size, name, &res), ZX_OK);
	return res;
}

static void options_parse(struct kunit *test)
{
	zx_rsrc_flags_t flags;
	zx_rsrc_kind_t kind;

	KUNIT_EXPECT_EQ(test, zxhv_resource_parse_options(ZX_RSRC_KIND_SYSTEM, &kind, &flags),
			ZX_OK);
	KUNIT_EXPECT_EQ(test, kind, ZX_RSRC_KIND_SYSTEM);
	KUNIT_EXPECT_EQ(test, flags, 0u);
	KUNIT_EXPECT_EQ(test, zxhv_resource_parse_options(ZX_RSRC_KIND_MMIO |
							  ZX_RSRC_FLAG_EXCLUSIVE, &kind, &flags),
			ZX_OK);
	KUNIT_EXPECT_EQ(test, flags, ZX_RSRC_FLAG_EXCLUSIVE);
	KUNIT_EXPECT_EQ(test, zxhv_resource_parse_options(ZX_RSRC_KIND_COUNT, &kind, &flags),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_resource_parse_options(0xffff, &kind, &flags),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_resource_parse_options(ZX_RSRC_KIND_SYSTEM | 0x20000,
							  &kind, &flags),
			ZX_ERR_INVALID_ARGS);
}

static void name_truncated(struct kunit *test)
{
	struct zxhv_resource *res = res_new(test, ZX_RSRC_KIND_SYSTEM, 0, 1,
					    "0123456789abcdef0123456789abcdefXYZ");

	KUNIT_EXPECT_EQ(test, strlen(res->name), ZX_MAX_NAME_LEN - 1);
	KUNIT_EXPECT_EQ(test, zxhv_object_type(&res->obj), ZX_OBJ_TYPE_RESOURCE);
	zxhv_object_put(&res->obj);
}

static void not_a_resource_destroy(struct zxhv_object *obj)
{
	kfree(obj);
}

static const struct zxhv_object_ops not_a_resource_ops = {
	.type = ZX_OBJ_TYPE_VMO,
	.destroy = not_a_resource_destroy,
};

static void validate_ranged_table(struct kunit *test)
{
	struct zxhv_resource *root = res_new(test, ZX_RSRC_KIND_ROOT, 0, 0, "root");
	struct zxhv_resource *hyp = res_new(test, ZX_RSRC_KIND_SYSTEM,
					    ZX_RSRC_SYSTEM_HYPERVISOR_BASE, 1, "hypervisor");
	struct zxhv_resource *vmex = res_new(test, ZX_RSRC_KIND_SYSTEM,
					     ZX_RSRC_SYSTEM_VMEX_BASE, 1, "vmex");
	struct zxhv_resource *sys = res_new(test, ZX_RSRC_KIND_SYSTEM, 0,
					    ZX_RSRC_SYSTEM_COUNT, "system");
	struct zxhv_resource *mmio = res_new(test, ZX_RSRC_KIND_MMIO, 0x1000, 0x1000, "mmio");
	struct zxhv_resource *top = res_new(test, ZX_RSRC_KIND_MMIO, U64_MAX - 0xfff,
					    0x1000, "top");
	const struct {
		const char *what;
		struct zxhv_resource *res;
		zx_rsrc_kind_t kind;
		u64 base, size;
		zx_status_t want;
	} cases[] = {
		{ "root covers everything", root, ZX_RSRC_KIND_SYSTEM, 0, 1, ZX_OK },
		{ "root, any kind", root, ZX_RSRC_KIND_MMIO, 0x1234, 99, ZX_OK },
		{ "hypervisor resource", hyp, ZX_RSRC_KIND_SYSTEM,
		  ZX_RSRC_SYSTEM_HYPERVISOR_BASE, 1, ZX_OK },
		{ "vmex is not hypervisor", vmex, ZX_RSRC_KIND_SYSTEM,
		  ZX_RSRC_SYSTEM_HYPERVISOR_BASE, 1, ZX_ERR_OUT_OF_RANGE },
		{ "hypervisor is not vmex", hyp, ZX_RSRC_KIND_SYSTEM,
		  ZX_RSRC_SYSTEM_VMEX_BASE, 1, ZX_ERR_OUT_OF_RANGE },
		{ "wider than parent", hyp, ZX_RSRC_KIND_SYSTEM, 0, 2, ZX_ERR_OUT_OF_RANGE },
		{ "whole system range", sys, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_VMEX_BASE, 1,
		  ZX_OK },
		{ "other kind", hyp, ZX_RSRC_KIND_MMIO, 0, 1, ZX_ERR_WRONG_TYPE },
		{ "mmio inside", mmio, ZX_RSRC_KIND_MMIO, 0x1800, 0x800, ZX_OK },
		{ "mmio below", mmio, ZX_RSRC_KIND_MMIO, 0xfff, 2, ZX_ERR_OUT_OF_RANGE },
		{ "mmio above", mmio, ZX_RSRC_KIND_MMIO, 0x1fff, 2, ZX_ERR_OUT_OF_RANGE },
		{ "overflow", mmio, ZX_RSRC_KIND_MMIO, 0x1000, U64_MAX, ZX_ERR_OUT_OF_RANGE },
		{ "parent at the top", top, ZX_RSRC_KIND_MMIO, U64_MAX - 0xfff, 0x1000, ZX_OK },
		{ "past the top", top, ZX_RSRC_KIND_MMIO, U64_MAX, 2, ZX_ERR_OUT_OF_RANGE },
	};
	struct zxhv_resource *all[] = { root, hyp, vmex, sys, mmio, top };
	struct zxhv_object *vmo;
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, zxhv_resource_validate_ranged(&cases[i].res->obj,
									cases[i].kind,
									cases[i].base,
									cases[i].size),
				    cases[i].want, "%s", cases[i].what);

	vmo = kzalloc(sizeof(*vmo), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vmo);
	zxhv_object_init(vmo, &not_a_resource_ops);
	KUNIT_EXPECT_EQ(test, zxhv_resource_validate_ranged(vmo, ZX_RSRC_KIND_SYSTEM, 0, 1),
			ZX_ERR_WRONG_TYPE);
	zxhv_object_put(vmo);
	for (i = 0; i < ARRAY_SIZE(all); i++)
		zxhv_object_put(&all[i]->obj);
}

/* The fake caller zxhv_hypervisor_allowed() asks about. */
static struct {
	u32 member;		/* the one gid the caller is in */
	bool sys_admin;
	int in_group_calls;
	int privileged_calls;
	kgid_t asked;
} fake;

static bool fake_in_group(kgid_t gid)
{
	fake.in_group_calls++;
	fake.asked = gid;
	return __kgid_val(gid) == fake.member;
}

static bool fake_privileged(void)
{
	fake.privileged_calls++;
	return fake.sys_admin;
}

static void gid_policy(struct kunit *test)
{
	const struct {
		const char *what;
		int gid_param;
		u32 member;
		bool sys_admin;
		bool want;
		int group_calls;	/* times in_group and privileged are asked */
		int privileged_calls;
	} cases[] = {
		{ "no group, admin", -1, 4242, true, true, 0, 1 },
		{ "no group, member of 4242", -1, 4242, false, false, 0, 1 },
		{ "group, member", 4242, 4242, false, true, 1, 0 },
		{ "group, member and admin", 4242, 4242, true, true, 1, 0 },
		{ "group, not a member", 4242, 7, false, false, 1, 1 },
		{ "group, admin not a member", 4242, 7, true, true, 1, 1 },
		{ "group 0, member", 0, 0, false, true, 1, 0 },
		/* (gid_t)-2 is a valid kgid; a negative parameter must not reach it. */
		{ "negative, member of (u32)-2", -2, (u32)-2, false, false, 0, 1 },
		{ "INT_MIN", INT_MIN, (u32)INT_MIN, false, false, 0, 1 },
		{ "INT_MAX, member", INT_MAX, INT_MAX, false, true, 1, 0 },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&fake, 0, sizeof(fake));
		fake.member = cases[i].member;
		fake.sys_admin = cases[i].sys_admin;
		KUNIT_EXPECT_EQ_MSG(test, zxhv_hypervisor_allowed(cases[i].gid_param,
								  fake_in_group,
								  fake_privileged),
				    cases[i].want, "%s", cases[i].what);
		KUNIT_EXPECT_EQ_MSG(test, fake.in_group_calls, cases[i].group_calls,
				    "%s", cases[i].what);
		KUNIT_EXPECT_EQ_MSG(test, fake.privileged_calls, cases[i].privileged_calls,
				    "%s", cases[i].what);
		if (fake.in_group_calls)
			KUNIT_EXPECT_EQ_MSG(test, __kgid_val(fake.asked), (u32)cases[i].gid_param,
					    "%s", cases[i].what);
	}
}

static struct kunit_case resource_cases[] = {
	KUNIT_CASE(options_parse),
	KUNIT_CASE(name_truncated),
	KUNIT_CASE(validate_ranged_table),
	KUNIT_CASE(gid_policy),
	{}
};

static struct kunit_suite resource_suite = {
	.name = "zxhv-resource",
	.test_cases = resource_cases,
};

kunit_test_suite(resource_suite);
