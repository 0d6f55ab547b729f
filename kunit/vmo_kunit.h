/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers of the VMO KUnit suites (vmo_kunit.c, vmo_giant_kunit.c). */
#ifndef ZXHV_KUNIT_VMO_KUNIT_H
#define ZXHV_KUNIT_VMO_KUNIT_H

#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/uio.h>
#include <zircon/errors.h>

#include "../module/vmo.h"

/* zxhv_vmo_rw() of @len bytes at @offset between the VMO and @buf. */
static inline zx_status_t vmo_io(struct zxhv_vmo *vmo, unsigned int dir, void *buf,
				 u64 offset, size_t len)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter iter;

	iov_iter_kvec(&iter, dir, &kv, 1, len);
	return zxhv_vmo_rw(vmo, offset, &iter);
}

/* zxhv_vmo_get_run() at @offset: its order, and the pfn in *@pfn. */
static inline unsigned int run_order(struct kunit *test, struct zxhv_vmo *vmo, u64 offset,
				     unsigned long *pfn)
{
	struct page *page = NULL;
	unsigned int order = ~0U;

	KUNIT_EXPECT_EQ(test, zxhv_vmo_get_run(vmo, offset, &page, &order), ZX_OK);
	if (!page)
		return ~0U;
	*pfn = page_to_pfn(page);
	put_page(page);
	return order;
}

#endif /* ZXHV_KUNIT_VMO_KUNIT_H */
