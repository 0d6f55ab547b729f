/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The function-call IPIs this machine has taken, for tests that a call
 * cannot be used to storm the other CPUs (killable_test, genl_test).
 */
#ifndef ZXHV_SELFTESTS_IPIS_H
#define ZXHV_SELFTESTS_IPIS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The CAL (function-call interrupts) line of /proc/interrupts, summed; -1 if none. */
static inline long zxhv_call_ipis(void)
{
	char line[4096];
	long total = -1;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line;

		while (*p == ' ')
			p++;
		if (strncmp(p, "CAL:", 4))
			continue;
		total = 0;
		for (p += 4;;) {
			char *end;
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			total += v;
			p = end;
		}
	}
	fclose(f);
	return total;
}

#endif /* ZXHV_SELFTESTS_IPIS_H */
