// SPDX-License-Identifier: GPL-2.0-only
/*
 * 1 GiB blocks for VMOs (vmo_giant.h).  A block is found by walking the
 * populated zones of the online nodes for a 1 GiB-aligned range of page
 * frames that are all online, in that one zone and not reserved (what
 * alloc_contig_range() needs; checked here because skipping a range is
 * cheaper than having it refused), and taken with alloc_contig_range(),
 * which refuses a range that holds an unmovable or pinned page: the walk
 * then goes on with the next range.
 *
 * The pool: what root budgets is taken when the budget is set, as the
 * kernel's pool of gigantic pages is (nr_hugepages), and kept zeroed, so a
 * VMO's first touch of a GiB only has to store the pages; a destroyed VMO
 * gives its blocks back zeroed while the budget wants them.  Blocks beyond
 * the budget are freed when it is lowered.  The pool's list links the
 * blocks through their first page's lru (the pages are the module's, on no
 * other list).  One mutex for the pool and the walk: two walks would only
 * fight over the same ranges.
 */
#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/kstrtox.h>
#include <linux/list.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sysfs.h>

#include "vmo_giant.h"

#define GIANT_PAGES	BIT(ZXHV_VMO_GIANT_ORDER)
/* alloc_contig_range()'s mask: may reclaim and migrate, quietly. */
#define GIANT_GFP	(GFP_KERNEL | __GFP_NOWARN)

/* Read with READ_ONCE(): root may change it through sysfs at any time. */
unsigned int zxhv_vmo_giant_limit;

static atomic_long_t zxhv_vmo_giant_used = ATOMIC_LONG_INIT(0);
static DEFINE_MUTEX(zxhv_vmo_giant_lock);
/* Under the lock: the pool, its length, and whether it may hold blocks. */
static LIST_HEAD(zxhv_vmo_giant_pool);
static unsigned long zxhv_vmo_giant_pool_len;
static bool zxhv_vmo_giant_live;

static int giant_limit_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int ret = kstrtouint(val, 0, &n);

	if (ret)
		return ret;
	zxhv_vmo_giant_set_limit(n);
	return 0;
}

static const struct kernel_param_ops giant_limit_ops = {
	.set = giant_limit_set,
	.get = param_get_uint,
};
module_param_cb(vmo_1g_blocks, &giant_limit_ops, &zxhv_vmo_giant_limit, 0644);
MODULE_PARM_DESC(vmo_1g_blocks,
		 "1 GiB contiguous blocks for VMOs, taken and zeroed when set, not charged to memory cgroups (default: 0)");

static int giant_pooled_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lu\n", zxhv_vmo_giant_pooled());
}

static const struct kernel_param_ops giant_pooled_ops = {
	.get = giant_pooled_get,
};
module_param_cb(vmo_1g_pooled, &giant_pooled_ops, NULL, 0444);
MODULE_PARM_DESC(vmo_1g_pooled, "1 GiB blocks taken and zeroed, ready for VMOs (read-only)");

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
 * Zeroes the block; false (nothing else done) if @killable and a fatal
 * signal came first.
 */
static bool giant_clear(struct page *block, bool killable)
{
	unsigned long i;

	for (i = 0; i < GIANT_PAGES; i++) {
		clear_highpage(nth_page(block, i));
		if (i % 512 == 511) {
			if (killable && fatal_signal_pending(current))
				return false;
			cond_resched();
		}
	}
	return true;
}

/*
 * A block giant_take() just returned, zeroed unless the kernel did; NULL
 * (the block freed) if a fatal signal came first.
 */
static struct page *giant_zero_taken(struct page *block)
{
	if (block && !giant_zeroed_by_kernel() && !giant_clear(block, true)) {
		free_contig_range(page_to_pfn(block), GIANT_PAGES);
		block = NULL;
	}
	return block;
}

/*
 * The budget less the blocks in use: negative once root lowered it below
 * them, and -1 outside module init and exit (the pool holds nothing then).
 */
static long giant_budget_left(void)
{
	if (!READ_ONCE(zxhv_vmo_giant_live))
		return -1;
	return (long)READ_ONCE(zxhv_vmo_giant_limit) - atomic_long_read(&zxhv_vmo_giant_used);
}

/* Blocks the pool should hold now. */
static unsigned long giant_pool_want(void)
{
	return max(giant_budget_left(), 0L);
}

/*
 * Has the pool room for a block a VMO gives back?  That block is still
 * counted as in use, so what the budget has left must cover the pool as
 * it is.
 */
static bool giant_pool_room(void)
{
	return (long)READ_ONCE(zxhv_vmo_giant_pool_len) <= giant_budget_left();
}

static void giant_pool_push(struct page *block)
{
	list_add(&block->lru, &zxhv_vmo_giant_pool);
	WRITE_ONCE(zxhv_vmo_giant_pool_len, zxhv_vmo_giant_pool_len + 1);
}

static struct page *giant_pool_pop(void)
{
	struct page *block = list_first_entry_or_null(&zxhv_vmo_giant_pool, struct page, lru);

	if (block) {
		list_del_init(&block->lru);
		WRITE_ONCE(zxhv_vmo_giant_pool_len, zxhv_vmo_giant_pool_len - 1);
	}
	return block;
}

/* Frees or fills the pool to what the budget wants; the lock held. */
static void giant_pool_adjust(void)
{
	struct page *block;

	lockdep_assert_held(&zxhv_vmo_giant_lock);
	while (zxhv_vmo_giant_pool_len > giant_pool_want()) {
		block = giant_pool_pop();
		free_contig_range(page_to_pfn(block), GIANT_PAGES);
	}
	while (zxhv_vmo_giant_pool_len < giant_pool_want() && !fatal_signal_pending(current)) {
		block = giant_zero_taken(giant_take());
		if (!block)
			break;
		giant_pool_push(block);
	}
}

void zxhv_vmo_giant_set_limit(unsigned int n)
{
	WRITE_ONCE(zxhv_vmo_giant_limit, n);
	mutex_lock(&zxhv_vmo_giant_lock);
	giant_pool_adjust();
	mutex_unlock(&zxhv_vmo_giant_lock);
}

unsigned long zxhv_vmo_giant_pooled(void)
{
	return READ_ONCE(zxhv_vmo_giant_pool_len);
}

void zxhv_vmo_giant_init(void)
{
	mutex_lock(&zxhv_vmo_giant_lock);
	WRITE_ONCE(zxhv_vmo_giant_live, true);
	giant_pool_adjust();
	mutex_unlock(&zxhv_vmo_giant_lock);
}

void zxhv_vmo_giant_exit(void)
{
	mutex_lock(&zxhv_vmo_giant_lock);
	WRITE_ONCE(zxhv_vmo_giant_live, false);
	giant_pool_adjust();
	mutex_unlock(&zxhv_vmo_giant_lock);
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
	block = giant_pool_pop();
	if (block) {
		mutex_unlock(&zxhv_vmo_giant_lock);
		return block;		/* pooled blocks are zeroed */
	}
	block = giant_take();
	mutex_unlock(&zxhv_vmo_giant_lock);
	/* Zeroed without holding the pool up. */
	block = giant_zero_taken(block);
	if (!block)
		zxhv_vmo_giant_release(1);
	return block;
}

bool zxhv_vmo_giant_give_back(struct page *block)
{
	unsigned long i;
	bool kept = false;

	/* From a context that may sleep, and only while the pool wants one. */
	if (!preemptible() || !giant_pool_room())
		return false;
	/* A page someone else still holds (a pin, a mapping) is not ours to reuse. */
	for (i = 0; i < GIANT_PAGES; i++) {
		if (page_ref_count(nth_page(block, i)) != 1)
			return false;
	}
	giant_clear(block, false);
	mutex_lock(&zxhv_vmo_giant_lock);
	if (giant_pool_room()) {
		giant_pool_push(block);
		kept = true;
	}
	mutex_unlock(&zxhv_vmo_giant_lock);
	return kept;
}
