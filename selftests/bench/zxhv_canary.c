// SPDX-License-Identifier: GPL-2.0-only
/*
 * zxhv_canary: plants the failures the test bench must catch, so that
 * scripts/bench-selftest.sh can show each one is reported.  Never part of
 * zircon-hv itself.
 *   kunit_fail=1  one KUnit case fails
 *   kasan=1       a heap out-of-bounds read at load (KASAN must report it)
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>

static bool kunit_fail;
module_param(kunit_fail, bool, 0444);
static bool kasan;
module_param(kasan, bool, 0444);

static void canary_case(struct kunit *test)
{
	KUNIT_EXPECT_FALSE_MSG(test, kunit_fail, "planted failure");
}

static struct kunit_case canary_cases[] = {
	KUNIT_CASE(canary_case),
	{}
};

static struct kunit_suite canary_suite = {
	.name = "zxhv-canary",
	.test_cases = canary_cases,
};
kunit_test_suite(canary_suite);

static int __init canary_init(void)
{
	if (kasan) {
		volatile char *p = kmalloc(16, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		pr_info("zxhv_canary: read past a 16-byte object: %d\n", p[16]);
		kfree((void *)p);
	}
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_LICENSE("GPL");
