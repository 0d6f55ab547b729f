// SPDX-License-Identifier: GPL-2.0-only
/* A kselftest with one planted failure, for scripts/bench-selftest.sh. */
#include "kselftest_harness.h"

TEST(passes)
{
	EXPECT_EQ(1, 1);
}

TEST(planted_failure)
{
	EXPECT_EQ(1, 2);
}

TEST_HARNESS_MAIN
