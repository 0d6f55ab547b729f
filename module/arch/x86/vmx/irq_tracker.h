/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The interrupts pending for one VCPU (docs/api.md §4 item 5, Zircon's
 * InterruptTracker<256>): a set of vectors, not a queue, so raising a
 * vector that is already pending is a no-op.
 *
 * Pop order: NMI (vector 2) first, then the highest pending vector, so an
 * external interrupt (>= 32) beats the exceptions (<= 20) the VMM raises.
 * Vectors 21..31 are accepted by zxhv_irq_raise() (zx_vcpu_interrupt
 * succeeds) and make the pop that reaches them return NOT_SUPPORTED, which
 * zx_vcpu_enter returns.  After a successful injection the caller calls
 * zxhv_irq_injected(), which discards every pending exception: the guest
 * handles at most one VMM-raised exception per injection.
 *
 * Locking: every call but zxhv_irq_pending() takes the tracker's spinlock
 * with interrupts saved and disabled, so any context may raise (the APIC timer's hrtimer, an IPI
 * from another VCPU's thread, zx_vcpu_interrupt).  There is no wait queue:
 * the VCPU code waits on its own event and checks zxhv_irq_pending() after
 * arming it; raising does not wake anything by itself.
 */
#ifndef ZXHV_VMX_IRQ_TRACKER_H
#define ZXHV_VMX_IRQ_TRACKER_H

#include <linux/bitmap.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <zircon/types.h>

#define ZXHV_IRQ_VECTORS	256
#define ZXHV_IRQ_NMI		2
/* Exceptions the VMM may raise: 0..20 (20 is #VE). */
#define ZXHV_IRQ_LAST_EXCEPTION	20
/* First vector delivered as an external interrupt. */
#define ZXHV_IRQ_FIRST_EXTERNAL	32

struct zxhv_irq_tracker {
	spinlock_t lock;		/* protects @pending */
	/* Pending vectors; written under @lock. */
	DECLARE_BITMAP(pending, ZXHV_IRQ_VECTORS);
};

void zxhv_irq_init(struct zxhv_irq_tracker *t);

/*
 * Marks @vector pending.  ZX_ERR_OUT_OF_RANGE for @vector >= 256 (nothing
 * changes); ZX_OK otherwise, including 21..31.
 */
zx_status_t zxhv_irq_raise(struct zxhv_irq_tracker *t, u32 vector);

/*
 * Removes and returns the vector to inject next (order above).
 * ZX_OK: *@vector was pending and is no longer.  ZX_ERR_NOT_SUPPORTED:
 * *@vector is in 21..31; it was removed and must not be injected.
 * ZX_ERR_SHOULD_WAIT: nothing is pending (*@vector untouched).  A caller
 * that cannot inject now (interrupts blocked) raises *@vector again and
 * asks for an interrupt window.
 */
zx_status_t zxhv_irq_pop(struct zxhv_irq_tracker *t, u32 *vector);

/*
 * zxhv_irq_pop(), except that with @nmi_blocked a pending NMI stays
 * pending and the next vector in order is returned: an NMI the guest
 * blocks (inside its NMI handler) holds back no external interrupt.
 */
zx_status_t zxhv_irq_pop_masked(struct zxhv_irq_tracker *t, bool nmi_blocked, u32 *vector);

/* Whether an NMI is pending. */
bool zxhv_irq_nmi_pending(struct zxhv_irq_tracker *t);

/* An injection happened: discard all pending exceptions (0..31 but NMI). */
void zxhv_irq_injected(struct zxhv_irq_tracker *t);

/*
 * Whether anything is pending, without the lock (the answer is a snapshot
 * either way): the run loop's check before each entry and HLT's wake-up
 * condition.  Every raiser pokes the VCPU after raising (its IPI makes a
 * running guest exit, its wake-up ends HLT), so the next look sees the
 * vector.  (A poke that lands between the run loop's look and the entry,
 * interrupts still on, is absorbed by the host; the run loop looks again
 * with interrupts off and makes the guest exit at once: run.c.)
 */
static inline bool zxhv_irq_pending(const struct zxhv_irq_tracker *t)
{
	unsigned long any = 0;

	/* Four loads ORed, no branch per word: this runs before every entry. */
	for (unsigned int i = 0; i < BITS_TO_LONGS(ZXHV_IRQ_VECTORS); i++)
		any |= READ_ONCE(t->pending[i]);
	return any;
}

/*
 * The VM-entry interruption-information value injecting @vector (SDM
 * §25.8.3), or 0 for vectors that cannot be injected (21..31, >= 256):
 * NMI for 2; software exception for #BP (3) and #OF (4) (these need the
 * VM-entry instruction length); hardware exception for the other
 * vectors <= 20, delivering an error code (which the caller sets to 0)
 * for #DF 8, #TS 10, #NP 11, #SS 12, #GP 13, #PF 14 and #AC 17; external
 * interrupt for >= 32.
 */
u32 zxhv_irq_entry_info(u32 vector);

#endif /* ZXHV_VMX_IRQ_TRACKER_H */
