/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small allocator of integer ids in [first, last] (VPIDs: [1, 63]) that
 * rotates: each allocation starts searching after the id handed out last,
 * so an id just freed is not handed out again at once (Zircon's VPID
 * allocator does the same; a VMM must not expect VPID 1 after freeing it).
 */
#ifndef ZXHV_ID_ALLOC_H
#define ZXHV_ID_ALLOC_H

#include <linux/bitops.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#define ZXHV_ID_ALLOC_MAX	64	/* ids are < 64 */

struct zxhv_id_alloc {
	spinlock_t lock;		/* protects @used and @next */
	DECLARE_BITMAP(used, ZXHV_ID_ALLOC_MAX);
	unsigned int first, last;	/* immutable */
	unsigned int next;		/* where the next search starts */
};

/* [@first, @last], @last < ZXHV_ID_ALLOC_MAX. */
void zxhv_id_alloc_init(struct zxhv_id_alloc *a, unsigned int first, unsigned int last);

/* A free id, or -1 when all are in use.  Never sleeps. */
int zxhv_id_alloc_get(struct zxhv_id_alloc *a);

/* Frees @id (which must be allocated). */
void zxhv_id_alloc_put(struct zxhv_id_alloc *a, unsigned int id);

#endif /* ZXHV_ID_ALLOC_H */
