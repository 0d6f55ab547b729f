/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TAP output for the host unit tests of vmm/ (one test program includes
 * it once): tap_ok() prints one numbered result, tap_status() is what main
 * returns.
 */
#ifndef ZXHV_TAP_H_
#define ZXHV_TAP_H_

#include <stdbool.h>
#include <stdio.h>

static int tap_n, tap_failed;

static inline void tap_ok(bool ok, const char *what)
{
	tap_n++;
	if (!ok)
		tap_failed++;
	printf("%sok %d - %s\n", ok ? "" : "not ", tap_n, what);
}

static inline int tap_status(void)
{
	return tap_failed ? 1 : 0;
}

#endif /* ZXHV_TAP_H_ */
