/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * 1 GiB physically contiguous blocks for VMOs (docs/design.md, "VMO").
 *
 * The page allocator's buddy lists end at 4 MiB, so a 1 GiB block is a
 * range of page frames taken with alloc_contig_range(), which migrates
 * the movable pages out of it.  Such pages are not charged to a memory
 * cgroup (the kernel offers modules no call to charge them), so they come
 * from a budget root sets: the module parameter vmo_1g_blocks (uint,
 * 0644, default 0, the most blocks all VMOs together may hold at once).
 * The budget not in use is taken when it is set and kept zeroed in a
 * pool (vmo_1g_pooled, read-only, says how many blocks it holds).  With
 * the default nothing here runs.
 */
#ifndef ZXHV_VMO_GIANT_H
#define ZXHV_VMO_GIANT_H

#include <linux/types.h>

struct page;

/* A giant block: 1 GiB, 262144 pages (512 runs of 2 MiB, vmo.h). */
#define ZXHV_VMO_GIANT_ORDER	(30 - PAGE_SHIFT)

/* The module parameter vmo_1g_blocks: changed by zxhv_vmo_giant_set_limit(). */
extern unsigned int zxhv_vmo_giant_limit;

/*
 * Sets the budget to @n blocks and the pool to match: frees the blocks
 * beyond it, or takes and zeroes as many as can be found (no error when
 * none can: a VMO's first touch then looks again).  Sleeps, for seconds
 * per block on a loaded host.
 */
void zxhv_vmo_giant_set_limit(unsigned int n);

/* Blocks in the pool now. */
unsigned long zxhv_vmo_giant_pooled(void);

/* Module init and exit: the pool fills only between the two. */
void zxhv_vmo_giant_init(void);
void zxhv_vmo_giant_exit(void);

/*
 * Is there budget for another block?  A racy hint that spares the VMO the
 * search for an empty 1 GiB range; zxhv_vmo_giant_alloc() decides.
 */
bool zxhv_vmo_giant_wanted(void);

/*
 * A zeroed, 1 GiB-aligned block of 1 << ZXHV_VMO_GIANT_ORDER order-0
 * pages, each with one reference (put_page() frees it alone), charged to
 * the budget: from the pool, else taken now; NULL when the budget is
 * spent, no range could be taken, or a fatal signal is pending.  Sleeps
 * (migration, zeroing).
 */
struct page *zxhv_vmo_giant_alloc(void);

/*
 * A destroyed VMO's block, each page still holding the VMO's one
 * reference: true if the pool took it (zeroed; the pages are the VMO's no
 * more), false if the caller is to put its pages (the pool is full, a page
 * has another reference, or the caller may not sleep).  The budget is the
 * caller's to give back, either way.
 */
bool zxhv_vmo_giant_give_back(struct page *block);

/* Gives back @n blocks' budget once their pages are the VMO's no more. */
void zxhv_vmo_giant_release(unsigned long n);

/* Blocks charged to the budget now (tests, debug output). */
unsigned long zxhv_vmo_giant_in_use(void);

#endif /* ZXHV_VMO_GIANT_H */
