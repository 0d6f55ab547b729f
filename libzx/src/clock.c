// SPDX-License-Identifier: BSD-2-Clause
/*
 * The monotonic clock: zx_clock_get_monotonic() and zx_deadline_after().
 * ZX_CLOCK_MONOTONIC is Linux's CLOCK_MONOTONIC, the clock the module's
 * deadlines (zx_port_wait) are measured against (ktime_get_ns()).
 */
#include <stdint.h>
#include <time.h>

#include <zircon/syscalls.h>

#include "internal.h"

ZXHV_EXPORT zx_time_t zx_clock_get_monotonic(void)
{
	struct timespec ts;

	/* Cannot fail for CLOCK_MONOTONIC with a valid pointer. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (zx_time_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Now + @nanoseconds, saturating at ZX_TIME_INFINITE (and at INT64_MIN). */
ZXHV_EXPORT zx_time_t zx_deadline_after(zx_duration_t nanoseconds)
{
	zx_time_t now = zx_clock_get_monotonic();
	zx_time_t deadline;

	if (__builtin_add_overflow(now, nanoseconds, &deadline))
		return nanoseconds > 0 ? ZX_TIME_INFINITE : INT64_MIN;
	return deadline;
}
