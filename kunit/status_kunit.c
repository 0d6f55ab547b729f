// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the boundary between the two error domains (module/status.h).
 */
#include <kunit/test.h>

#include "../module/status.h"
#include "../uapi/zircon-hv.h"

/* The ioctl return value round-trips every status through ZXHV_STATUS(). */
static void status_ioctl_roundtrip(struct kunit *test)
{
	static const zx_status_t all[] = {
		ZX_OK, ZX_ERR_INTERNAL, ZX_ERR_NOT_SUPPORTED, ZX_ERR_NO_RESOURCES,
		ZX_ERR_NO_MEMORY, ZX_ERR_INVALID_ARGS, ZX_ERR_BAD_HANDLE,
		ZX_ERR_WRONG_TYPE, ZX_ERR_OUT_OF_RANGE, ZX_ERR_BUFFER_TOO_SMALL,
		ZX_ERR_BAD_STATE, ZX_ERR_TIMED_OUT, ZX_ERR_SHOULD_WAIT,
		ZX_ERR_CANCELED, ZX_ERR_NOT_FOUND, ZX_ERR_ALREADY_EXISTS,
		ZX_ERR_ACCESS_DENIED,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(all); i++) {
		long ret = zxhv_ioctl_ret(all[i]);

		/* Never in the range the syscall layer treats as an errno. */
		KUNIT_EXPECT_GE(test, ret, 0L);
		KUNIT_EXPECT_EQ(test, ZXHV_STATUS(ret), all[i]);
	}
}

static void status_from_errno(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, zxhv_errno_to_status(0), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_errno_to_status(-ENOMEM), ZX_ERR_NO_MEMORY);
	KUNIT_EXPECT_EQ(test, zxhv_errno_to_status(-EFAULT), ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_errno_to_status(-EACCES), ZX_ERR_ACCESS_DENIED);
	KUNIT_EXPECT_EQ(test, zxhv_errno_to_status(-EMFILE), ZX_ERR_NO_RESOURCES);
	KUNIT_EXPECT_EQ(test, zxhv_errno_to_status(-EOPNOTSUPP), ZX_ERR_NOT_SUPPORTED);
	/* Unexpected kernel errors never masquerade as a specific Zircon error. */
	KUNIT_EXPECT_EQ(test, zxhv_errno_to_status(-EIO), ZX_ERR_INTERNAL);
}

static struct kunit_case status_cases[] = {
	KUNIT_CASE(status_ioctl_roundtrip),
	KUNIT_CASE(status_from_errno),
	{}
};

static struct kunit_suite status_suite = {
	.name = "zxhv-status",
	.test_cases = status_cases,
};

kunit_test_suite(status_suite);
