// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pending-interrupt set of one VCPU; see irq_tracker.h for the rules
 * (docs/api.md §4 item 5).
 */
#include <linux/bitops.h>

#include "exit_qual.h"
#include "irq_tracker.h"

/* The exceptions zxhv_irq_injected() discards: vectors 0..31 but NMI. */
#define EXCEPTION_VECTORS	ZXHV_IRQ_FIRST_EXTERNAL

/* Intel SDM Vol. 3A §6.15: exceptions that push an error code. */
#define ERROR_CODE_VECTORS \
	(BIT(8) | BIT(10) | BIT(11) | BIT(12) | BIT(13) | BIT(14) | BIT(17))
#define BP_VECTOR		3
#define OF_VECTOR		4

void zxhv_irq_init(struct zxhv_irq_tracker *t)
{
	spin_lock_init(&t->lock);
	bitmap_zero(t->pending, ZXHV_IRQ_VECTORS);
}

zx_status_t zxhv_irq_raise(struct zxhv_irq_tracker *t, u32 vector)
{
	unsigned long flags;

	if (vector >= ZXHV_IRQ_VECTORS)
		return ZX_ERR_OUT_OF_RANGE;
	spin_lock_irqsave(&t->lock, flags);
	__set_bit(vector, t->pending);
	spin_unlock_irqrestore(&t->lock, flags);
	return ZX_OK;
}

/* The highest set bit of the bitmap, or ZXHV_IRQ_VECTORS if none. */
static u32 highest_pending(const unsigned long *pending)
{
	int i;

	for (i = BITS_TO_LONGS(ZXHV_IRQ_VECTORS) - 1; i >= 0; i--)
		if (pending[i])
			return i * BITS_PER_LONG + __fls(pending[i]);
	return ZXHV_IRQ_VECTORS;
}

zx_status_t zxhv_irq_pop(struct zxhv_irq_tracker *t, u32 *vector)
{
	return zxhv_irq_pop_masked(t, false, vector);
}

zx_status_t zxhv_irq_pop_masked(struct zxhv_irq_tracker *t, bool nmi_blocked, u32 *vector)
{
	unsigned long flags;
	bool nmi;
	u32 v;

	spin_lock_irqsave(&t->lock, flags);
	nmi = test_bit(ZXHV_IRQ_NMI, t->pending);
	if (nmi && !nmi_blocked) {
		v = ZXHV_IRQ_NMI;
	} else {
		if (nmi)
			__clear_bit(ZXHV_IRQ_NMI, t->pending);
		v = highest_pending(t->pending);
		if (nmi)
			__set_bit(ZXHV_IRQ_NMI, t->pending);
	}
	if (v < ZXHV_IRQ_VECTORS)
		__clear_bit(v, t->pending);
	spin_unlock_irqrestore(&t->lock, flags);

	if (v >= ZXHV_IRQ_VECTORS)
		return ZX_ERR_SHOULD_WAIT;
	*vector = v;
	if (v > ZXHV_IRQ_LAST_EXCEPTION && v < ZXHV_IRQ_FIRST_EXTERNAL)
		return ZX_ERR_NOT_SUPPORTED;
	return ZX_OK;
}

void zxhv_irq_injected(struct zxhv_irq_tracker *t)
{
	unsigned long flags;
	bool nmi;

	spin_lock_irqsave(&t->lock, flags);
	nmi = test_bit(ZXHV_IRQ_NMI, t->pending);
	bitmap_clear(t->pending, 0, EXCEPTION_VECTORS);
	if (nmi)
		__set_bit(ZXHV_IRQ_NMI, t->pending);
	spin_unlock_irqrestore(&t->lock, flags);
}

bool zxhv_irq_nmi_pending(struct zxhv_irq_tracker *t)
{
	unsigned long flags;
	bool nmi;

	spin_lock_irqsave(&t->lock, flags);
	nmi = test_bit(ZXHV_IRQ_NMI, t->pending);
	spin_unlock_irqrestore(&t->lock, flags);
	return nmi;
}

u32 zxhv_irq_entry_info(u32 vector)
{
	if (vector >= ZXHV_IRQ_VECTORS)
		return 0;
	if (vector >= ZXHV_IRQ_FIRST_EXTERNAL)
		return entry_intr_info(vector, ZXHV_INTR_TYPE_EXTERNAL, false);
	if (vector > ZXHV_IRQ_LAST_EXCEPTION)
		return 0;
	if (vector == ZXHV_IRQ_NMI)
		return entry_intr_info(vector, ZXHV_INTR_TYPE_NMI, false);
	if (vector == BP_VECTOR || vector == OF_VECTOR)
		return entry_intr_info(vector, ZXHV_INTR_TYPE_SW_EXCEPTION,
				       false);
	return entry_intr_info(vector, ZXHV_INTR_TYPE_HW_EXCEPTION,
			       ERROR_CODE_VECTORS & BIT(vector));
}
