// SPDX-License-Identifier: GPL-2.0-only
/*
 * Rotating id allocator; see id_alloc.h.
 */
#include <linux/bug.h>

#include "id_alloc.h"

void zxhv_id_alloc_init(struct zxhv_id_alloc *a, unsigned int first, unsigned int last)
{
	WARN_ON(first > last || last >= ZXHV_ID_ALLOC_MAX);
	spin_lock_init(&a->lock);
	bitmap_zero(a->used, ZXHV_ID_ALLOC_MAX);
	a->first = first;
	a->last = last;
	a->next = first;
}

int zxhv_id_alloc_get(struct zxhv_id_alloc *a)
{
	unsigned int end = a->last + 1, id;
	unsigned long flags;

	spin_lock_irqsave(&a->lock, flags);
	id = find_next_zero_bit(a->used, end, a->next);
	if (id >= end)
		id = find_next_zero_bit(a->used, end, a->first);
	if (id >= end) {
		spin_unlock_irqrestore(&a->lock, flags);
		return -1;
	}
	__set_bit(id, a->used);
	a->next = id + 1 > a->last ? a->first : id + 1;
	spin_unlock_irqrestore(&a->lock, flags);
	return id;
}

void zxhv_id_alloc_put(struct zxhv_id_alloc *a, unsigned int id)
{
	unsigned long flags;

	if (WARN_ON(id < a->first || id > a->last))
		return;
	spin_lock_irqsave(&a->lock, flags);
	WARN_ON(!__test_and_clear_bit(id, a->used));
	spin_unlock_irqrestore(&a->lock, flags);
}
