// SPDX-License-Identifier: GPL-2.0-only
/*
 * zxhv_canary: plants the failures the test bench must catch, so that
 * scripts/bench-selftest.sh can show each one is reported.  Never part of
 * zircon-hv itself.
 *   kasan=1       a heap out-of-bounds read at load (KASAN must report it)
 * Its sibling zxhv_canary_kfail.ko holds a KUnit case that always fails
 * (KUnit runs a module's suites before its parameters are parsed, so a
 * parameter cannot choose the outcome).
 */
#include <linux/module.h>
#include <linux/slab.h>

static bool kasan;
module_param(kasan, bool, 0444);

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
