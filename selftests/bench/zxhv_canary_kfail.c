// SPDX-License-Identifier: GPL-2.0-only
/*
 * zxhv_canary_kfail: one KUnit suite with one planted failure, so that
 * scripts/bench-selftest.sh can show a failing KUnit case is counted.
 */
#include <kunit/test.h>
#include <linux/module.h>

static void canary_planted_failure(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, 1, 2, "planted failure");
}

static void canary_passes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1, 1);
}

static struct kunit_case canary_cases[] = {
	KUNIT_CASE(canary_passes),
	KUNIT_CASE(canary_planted_failure),
	{}
};

static struct kunit_suite canary_suite = {
	.name = "zxhv-canary",
	.test_cases = canary_cases,
};
kunit_test_suite(canary_suite);

MODULE_LICENSE("GPL");
