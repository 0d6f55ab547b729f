// SPDX-License-Identifier: GPL-2.0-only
/*
 * 1 GiB blocks for VMOs (vmo_giant.h).  A block is found by walking the
 * populated zones of the online nodes for a 1 GiB-aligned range of page
 * frames that are all online, in that one zone and not reserved (what
 * alloc_contig_range() needs; checked here because skipping a range is
 * cheaper than having it refused), and taken with alloc_contig_range(),
 * which refuses a range that holds an unmovable or pinned page: the walk
 * then goes on with the next range.  One walk at a time (a mutex): two
 * would only fight over the same ranges.
 */
#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "vmo_giant.h"

#define GIANT_PAGES	BIT(ZXHV_VMO_GIANT_ORDER)
/* alloc_contig_range()'s mask: may reclaim and migrate, quietly. */
#define GIANT_GFP	(GFP_KERNEL | __GFP_NOWARN)

/* Read with READ_ONCE(): root may change it through sysfs at any time. */
unsigned int zxhv_vmo_giant_limit;
module_param_named(vmo_1g_blocks, zxhv_vmo_giant_limit, uint, 0644);
MODULE_PARM_DESC(vmo_1g_blocks,
		 "most 1 GiB contiguous blocks all VMOs may hold at once, not charged to memory cgroups (default: 0)");

static atomic_long_t zxhv_vmo_giant_used = ATOMIC_LONG_INIT(0);
static DEFINE_MUTEX(zxhv_vmo_giant_lock);

bool zxhv_vmo_giant_wanted(void)
{
	return atomic_long_read(&zxhv_vmo_giant_used) < READ_ONCE(zxhv_vmo_giant_limit);
}

unsigned long zxhv_vmo_giant_in_use(void)
{
	return atomic_long_read(&zxhv_vmo_giant_used);
}

void zxhv_vmo_giant_release(unsigned long n)
{
	atomic_long_sub(n, &zxhv_vmo_giant_used);
}

/* Takes one block's budget; false if it is spent (root may have lowered it). */
static bool giant_charge(void)
{
	if (atomic_long_inc_return(&zxhv_vmo_giant_used) <= READ_ONCE(zxhv_vmo_giant_limit))
		return true;
	atomic_long_dec(&zxhv_vmo_giant_used);
	return false;
}

#ifdef CONFIG_CONTIG_ALLOC
/*
 * The first page frame of [@pfn, @pfn + GIANT_PAGES) that
 * alloc_contig_range() cannot take from @zone (offline, another zone's,
 * reserved), or @pfn + GIANT_PAGES if there is none.
 */
static unsigned long giant_range_bad(struct zone *zone, unsigned long pfn)
{
	unsigned long end = pfn + GIANT_PAGES;

	for (; pfn < end; pfn++) {
		struct page *page = pfn_to_online_page(pfn);

		if (!page || page_zone(page) != zone || PageReserved(page))
			return pfn;
		if (!(pfn % 4096))
			cond_resched();
	}
	return end;
}

/* A 1 GiB-aligned range taken from @zone, or NULL. */
static struct page *giant_take_from(struct zone *zone)
{
	unsigned long end = zone_end_pfn(zone);
	unsigned long pfn = ALIGN(zone->zone_start_pfn, GIANT_PAGES);

	while (pfn + GIANT_PAGES <= end && !fatal_signal_pending(current)) {
		unsigned long bad = giant_range_bad(zone, pfn);

		if (bad == pfn + GIANT_PAGES) {
			if (!alloc_contig_range(pfn, pfn + GIANT_PAGES, MIGRATE_MOVABLE,
						GIANT_GFP))
				return pfn_to_page(pfn);
			/* Unmovable, pinned or racing pages: try the next range. */
			bad = pfn;
		}
		pfn = ALIGN(bad + 1, GIANT_PAGES);
	}
	return NULL;
}
#else
/* Kernels without CONFIG_CONTIG_ALLOC (Debian's and the bench's have it). */
static struct page *giant_take_from(struct zone *zone)
{
	return NULL;
}
#endif

static struct page *giant_take(void)
{
	int nid;

	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);
		int z;

		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &pgdat->node_zones[z];
			struct page *block;

			if (!populated_zone(zone))
				continue;
			block = giant_take_from(zone);
			if (block)
				return block;
		}
	}
	return NULL;
}

/*
 * Did alloc_contig_range() hand the block over zeroed?  It passes every free
 * chunk of the range to post_alloc_hook() (6.1 with __GFP_MOVABLE, 6.12
 * with GIANT_GFP; neither has __GFP_ZERO), which zeroes it exactly when
 * init_on_alloc is on and init_on_free off: the default of Debian's kernels
 * (CONFIG_INIT_ON_ALLOC_DEFAULT_ON), where zeroing again doubled the cost
 * of a block (docs/benchmarks.md, op j).  paravirt_test's giant_leaf reads
 * a block taken from dirtied memory back as zeros either way.
 */
static bool giant_zeroed_by_kernel(void)
{
	return want_init_on_alloc(GIANT_GFP) && !want_init_on_free();
}

/*
 * Zeroes the block unless the kernel did; false (nothing else done) if a
 * fatal signal came first.
 */
static bool giant_zero(struct page *block)
{
	unsigned long i;

	if (giant_zeroed_by_kernel())
		return true;
	for (i = 0; i < GIANT_PAGES; i++) {
		clear_highpage(nth_page(block, i));
		if (i % 512 == 511) {
			if (fatal_signal_pending(current))
				return false;
			cond_resched();
		}
	}
	return true;
}

struct page *zxhv_vmo_giant_alloc(void)
{
	struct page *block;

	if (!giant_charge())
		return NULL;
	if (mutex_lock_killable(&zxhv_vmo_giant_lock)) {
		zxhv_vmo_giant_release(1);
		return NULL;
	}
	block = giant_take();
	mutex_unlock(&zxhv_vmo_giant_lock);
	if (block && !giant_zero(block)) {
		free_contig_range(page_to_pfn(block), GIANT_PAGES);
		block = NULL;
	}
	if (!block)
		zxhv_vmo_giant_release(1);
	return block;
}
