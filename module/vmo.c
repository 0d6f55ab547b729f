// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMOs: an xarray of pages, filled on first touch, in 2 MiB (or, with
 * budget, 1 GiB) physically contiguous blocks where the VMO's layout
 * allows it.
 */
#include <linux/bits.h>
#include <linux/gfp.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/xarray.h>
#include <zircon/errors.h>

#include "vmo.h"
#include "vmo_giant.h"

struct zxhv_vmo {
	struct zxhv_object obj;
	u64 size;		/* bytes, page multiple; immutable */
	u32 options;		/* ZX_VMO_*; immutable */
	/*
	 * Page index -> struct page *, every entry an order-0 page holding one
	 * reference owned by the VMO.  Entries are only ever added, under
	 * @commit_lock, and only removed by destroy, when nobody else holds
	 * the VMO; lookups are lockless (xa_load()).  The first index of a
	 * run whose 512 pages are one physically contiguous block carries
	 * ZXHV_VMO_BLOCK_MARK, the first of a 1 GiB range that is one giant
	 * block also ZXHV_VMO_GIANT_MARK.
	 */
	struct xarray pages;
	/*
	 * Serializes every addition to @pages (allocation included), so
	 * deciding that a run is empty and filling it is atomic against
	 * other committers.  Taken only on a miss, never while copying to
	 * or from user memory; nests inside mmap_lock (mapping faults).
	 */
	struct mutex commit_lock;
	/*
	 * Runs filled by a block and giant blocks taken so far (the budget
	 * destroy gives back); written under @commit_lock.
	 */
	unsigned long blocks;
	unsigned long giants;
};

/*
 * Pages belong to whoever touches them first: GFP_HIGHUSER as for any
 * user page, zeroed, and charged to the current task's memory cgroup.
 * A 2 MiB block is the same, but gives up at once rather than reclaim or
 * compact hard, and quietly: a single page is the fallback.
 */
#define ZXHV_VMO_PAGE_GFP	(GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT)
#define ZXHV_VMO_BLOCK_GFP	(ZXHV_VMO_PAGE_GFP | __GFP_NOWARN | __GFP_NORETRY)
#define ZXHV_VMO_RUN_PAGES	BIT(ZXHV_VMO_RUN_ORDER)
#define ZXHV_VMO_GIANT_PAGES	BIT(ZXHV_VMO_GIANT_ORDER)
#define ZXHV_VMO_BLOCK_MARK	XA_MARK_1
#define ZXHV_VMO_GIANT_MARK	XA_MARK_2
/* Pages stored per hold of the xarray's lock. */
#define ZXHV_VMO_STORE_BATCH	4096

/* Read with READ_ONCE(): root may change it through sysfs at any time. */
bool zxhv_vmo_contiguous = true;
module_param_named(vmo_contiguous, zxhv_vmo_contiguous, bool, 0644);
MODULE_PARM_DESC(vmo_contiguous,
		 "try 2 MiB physically contiguous blocks for VMO runs touched first (default: true)");

/*
 * Puts every page; a giant block (marked only once all its pages were
 * stored) may go back to the pool whole instead (vmo_giant.h).
 */
static void zxhv_vmo_destroy(struct zxhv_object *obj)
{
	struct zxhv_vmo *vmo = container_of(obj, struct zxhv_vmo, obj);
	unsigned long index = 0;
	struct page *page;

	while ((page = xa_find(&vmo->pages, &index, ULONG_MAX, XA_PRESENT))) {
		if (xa_get_mark(&vmo->pages, index, ZXHV_VMO_GIANT_MARK) &&
		    zxhv_vmo_giant_give_back(page)) {
			index += ZXHV_VMO_GIANT_PAGES;
			continue;
		}
		put_page(page);
		if (++index == 0)
			break;
	}
	xa_destroy(&vmo->pages);
	zxhv_vmo_giant_release(vmo->giants);
	mutex_destroy(&vmo->commit_lock);
	kfree(vmo);
}

static const struct zxhv_object_ops zxhv_vmo_ops = {
	.type = ZX_OBJ_TYPE_VMO,
	.destroy = zxhv_vmo_destroy,
};

zx_status_t zxhv_vmo_create(u64 size, u32 options, struct zxhv_vmo **out)
{
	struct zxhv_vmo *vmo;

	if (options & ~(ZX_VMO_RESIZABLE | ZX_VMO_DISCARDABLE))
		return ZX_ERR_INVALID_ARGS;
	if (size > ZXHV_VMO_MAX_SIZE)
		return ZX_ERR_OUT_OF_RANGE;
	vmo = kzalloc(sizeof(*vmo), GFP_KERNEL_ACCOUNT);
	if (!vmo)
		return ZX_ERR_NO_MEMORY;
	zxhv_object_init(&vmo->obj, &zxhv_vmo_ops);
	vmo->size = PAGE_ALIGN(size);
	vmo->options = options;
	/* Nodes allocated under the xarray's lock are charged too. */
	xa_init_flags(&vmo->pages, XA_FLAGS_ACCOUNT);
	mutex_init(&vmo->commit_lock);
	*out = vmo;
	return ZX_OK;
}

struct zxhv_object *zxhv_vmo_object(struct zxhv_vmo *vmo)
{
	return &vmo->obj;
}

struct zxhv_vmo *zxhv_vmo_from_object(struct zxhv_object *obj)
{
	return container_of(obj, struct zxhv_vmo, obj);
}

u64 zxhv_vmo_size(const struct zxhv_vmo *vmo)
{
	return vmo->size;
}

u32 zxhv_vmo_options(const struct zxhv_vmo *vmo)
{
	return vmo->options;
}

/* Does the range of @n pages starting at page @base lie wholly inside? */
static bool zxhv_vmo_fits(const struct zxhv_vmo *vmo, unsigned long base, unsigned long n)
{
	return base + n <= vmo->size >> PAGE_SHIFT;
}

/* Has the range of @n pages starting at page @base no page yet? */
static bool zxhv_vmo_empty(struct zxhv_vmo *vmo, unsigned long base, unsigned long n)
{
	unsigned long i = base;

	return !xa_find(&vmo->pages, &i, base + n - 1, XA_PRESENT);
}

/*
 * Stores the @n order-0 pages of the contiguous @block (each with its own
 * reference) at indices @base onwards.  One walk of the xarray per
 * ZXHV_VMO_STORE_BATCH pages under its lock (one xa_store() per page
 * walked the tree from its root and took the lock each time: about half
 * of a 2 MiB block's commit).  A lockless reader may find a page as soon
 * as it is stored, so none is taken back: if the xarray cannot get memory
 * for a node, the pages stored so far stay, the rest are freed, and the
 * number stored is returned.  @commit_lock held.
 */
static unsigned long zxhv_vmo_store(struct zxhv_vmo *vmo, unsigned long base,
				    struct page *block, unsigned long n)
{
	XA_STATE(xas, &vmo->pages, base);
	unsigned long i, stored = 0;

	while (stored < n) {
		xas_set(&xas, base + stored);
		xas_lock(&xas);
		do {
			xas_store(&xas, nth_page(block, stored));
			if (xas_error(&xas))
				break;
			xas_next(&xas);
		} while (++stored < n && stored % ZXHV_VMO_STORE_BATCH);
		xas_unlock(&xas);
		if (xas_nomem(&xas, GFP_KERNEL_ACCOUNT))
			continue;
		if (xas_error(&xas))
			break;
		cond_resched();
	}
	for (i = stored; i < n; i++)
		__free_page(nth_page(block, i));
	return stored;
}

/*
 * Tries to fill the run of page @index (2 MiB-aligned, wholly inside the
 * VMO, empty) with one physically contiguous block.  True if pages were
 * stored (all of them, unless the xarray ran out of memory: then the run
 * is not marked as a block).  @commit_lock held.
 *
 * The block is split first, so each 4 KiB page has its own reference count
 * (and memcg charge) and is freed alone, exactly like a page allocated
 * singly.
 */
static bool zxhv_vmo_install_block(struct zxhv_vmo *vmo, unsigned long index)
{
	unsigned long base = round_down(index, ZXHV_VMO_RUN_PAGES);
	struct page *block;

	lockdep_assert_held(&vmo->commit_lock);
	if (!zxhv_vmo_fits(vmo, base, ZXHV_VMO_RUN_PAGES) ||
	    !zxhv_vmo_empty(vmo, base, ZXHV_VMO_RUN_PAGES))
		return false;
	block = alloc_pages(ZXHV_VMO_BLOCK_GFP, ZXHV_VMO_RUN_ORDER);
	if (!block)
		return false;
	split_page(block, ZXHV_VMO_RUN_ORDER);
	if (zxhv_vmo_store(vmo, base, block, ZXHV_VMO_RUN_PAGES) < ZXHV_VMO_RUN_PAGES)
		return xa_load(&vmo->pages, base);
	xa_set_mark(&vmo->pages, base, ZXHV_VMO_BLOCK_MARK);
	WRITE_ONCE(vmo->blocks, vmo->blocks + 1);
	return true;
}

/*
 * The same for the 1 GiB range of page @index and a giant block
 * (vmo_giant.h), when there is budget for one: every run in it is marked
 * as a block, the range as a giant one.  The block's budget stays taken
 * until the VMO is destroyed, even if not all of it could be stored.
 */
static bool zxhv_vmo_install_giant(struct zxhv_vmo *vmo, unsigned long index)
{
	unsigned long base = round_down(index, ZXHV_VMO_GIANT_PAGES);
	struct page *block;
	unsigned long i;

	lockdep_assert_held(&vmo->commit_lock);
	if (!zxhv_vmo_giant_wanted() || !zxhv_vmo_fits(vmo, base, ZXHV_VMO_GIANT_PAGES) ||
	    !zxhv_vmo_empty(vmo, base, ZXHV_VMO_GIANT_PAGES))
		return false;
	block = zxhv_vmo_giant_alloc();
	if (!block)
		return false;
	WRITE_ONCE(vmo->giants, vmo->giants + 1);
	if (zxhv_vmo_store(vmo, base, block, ZXHV_VMO_GIANT_PAGES) < ZXHV_VMO_GIANT_PAGES)
		return xa_load(&vmo->pages, base);
	for (i = 0; i < ZXHV_VMO_GIANT_PAGES; i += ZXHV_VMO_RUN_PAGES)
		xa_set_mark(&vmo->pages, base + i, ZXHV_VMO_BLOCK_MARK);
	xa_set_mark(&vmo->pages, base, ZXHV_VMO_GIANT_MARK);
	WRITE_ONCE(vmo->blocks, vmo->blocks + ZXHV_VMO_GIANT_PAGES / ZXHV_VMO_RUN_PAGES);
	return true;
}

/* Commits the page at @index, absent so far; @commit_lock held. */
static zx_status_t zxhv_vmo_commit_locked(struct zxhv_vmo *vmo, unsigned long index,
					  struct page **out)
{
	struct page *page;

	if (READ_ONCE(zxhv_vmo_contiguous) &&
	    (zxhv_vmo_install_giant(vmo, index) || zxhv_vmo_install_block(vmo, index))) {
		page = xa_load(&vmo->pages, index);
		if (page)
			goto found;
		/* The xarray ran out of memory before this page was stored. */
	}
	page = alloc_page(ZXHV_VMO_PAGE_GFP);
	if (!page)
		return ZX_ERR_NO_MEMORY;
	if (xa_is_err(xa_store(&vmo->pages, index, page, GFP_KERNEL_ACCOUNT))) {
		__free_page(page);
		return ZX_ERR_NO_MEMORY;
	}
found:
	*out = page;
	return ZX_OK;
}

/* The page at @index, allocating it if absent; no page reference taken. */
static zx_status_t zxhv_vmo_commit(struct zxhv_vmo *vmo, unsigned long index,
				   struct page **out)
{
	zx_status_t status = ZX_OK;
	struct page *page;

	page = xa_load(&vmo->pages, index);
	if (page)
		goto found;
	mutex_lock(&vmo->commit_lock);
	/* Another committer may have filled the slot while we waited. */
	page = xa_load(&vmo->pages, index);
	if (!page)
		status = zxhv_vmo_commit_locked(vmo, index, &page);
	mutex_unlock(&vmo->commit_lock);
	if (status != ZX_OK)
		return status;
found:
	*out = page;
	return ZX_OK;
}

zx_status_t zxhv_vmo_get_page(struct zxhv_vmo *vmo, u64 offset, struct page **page)
{
	zx_status_t status;

	if (offset >= vmo->size)
		return ZX_ERR_OUT_OF_RANGE;
	status = zxhv_vmo_commit(vmo, offset >> PAGE_SHIFT, page);
	if (status == ZX_OK)
		get_page(*page);
	return status;
}

zx_status_t zxhv_vmo_get_run(struct zxhv_vmo *vmo, u64 offset, struct page **page,
			     unsigned int *order)
{
	unsigned long index = offset >> PAGE_SHIFT;
	zx_status_t status;

	status = zxhv_vmo_get_page(vmo, offset, page);
	if (status != ZX_OK)
		return status;
	/*
	 * The mark is set once all of the block's pages are published, and
	 * never cleared while the VMO lives.  A caller racing with the
	 * installation may see order 0: always a safe answer.
	 */
	if (xa_get_mark(&vmo->pages, round_down(index, ZXHV_VMO_GIANT_PAGES),
			ZXHV_VMO_GIANT_MARK))
		*order = ZXHV_VMO_GIANT_ORDER;
	else if (xa_get_mark(&vmo->pages, round_down(index, ZXHV_VMO_RUN_PAGES),
			     ZXHV_VMO_BLOCK_MARK))
		*order = ZXHV_VMO_RUN_ORDER;
	else
		*order = 0;
	return ZX_OK;
}

unsigned long zxhv_vmo_blocks(struct zxhv_vmo *vmo)
{
	return READ_ONCE(vmo->blocks);
}

unsigned long zxhv_vmo_giants(struct zxhv_vmo *vmo)
{
	return READ_ONCE(vmo->giants);
}

unsigned long zxhv_vmo_committed_pages(struct zxhv_vmo *vmo)
{
	struct page *page;
	unsigned long index, n = 0;

	xa_for_each(&vmo->pages, index, page)
		n++;
	return n;
}

static bool zxhv_vmo_range_ok(const struct zxhv_vmo *vmo, u64 offset, u64 len)
{
	return offset <= vmo->size && len <= vmo->size - offset;
}

/*
 * Copies between the VMO and @iter: a READ iterator receives the VMO's
 * bytes (pages never touched read as zeros and stay uncommitted), a WRITE
 * iterator is copied into the VMO (committing pages).
 */
zx_status_t zxhv_vmo_rw(struct zxhv_vmo *vmo, u64 offset, struct iov_iter *iter)
{
	bool to_vmo = iov_iter_rw(iter) == WRITE;
	u64 len = iov_iter_count(iter);

	if (!zxhv_vmo_range_ok(vmo, offset, len))
		return ZX_ERR_OUT_OF_RANGE;
	while (len) {
		size_t in_page = offset_in_page(offset);
		size_t n = min_t(u64, len, PAGE_SIZE - in_page);
		struct page *page;
		zx_status_t status;
		size_t done;

		if (to_vmo) {
			status = zxhv_vmo_commit(vmo, offset >> PAGE_SHIFT, &page);
			if (status != ZX_OK)
				return status;
			done = copy_page_from_iter(page, in_page, n, iter);
		} else {
			page = xa_load(&vmo->pages, offset >> PAGE_SHIFT);
			if (page)
				done = copy_page_to_iter(page, in_page, n, iter);
			else
				done = iov_iter_zero(n, iter);
		}
		if (done != n)
			return ZX_ERR_INVALID_ARGS;
		offset += n;
		len -= n;
		/* Up to 64 GiB: a dying process stops here (issue 16, F11). */
		if (len && fatal_signal_pending(current))
			return ZX_ERR_INTERNAL_INTR_KILLED;
		cond_resched();
	}
	return ZX_OK;
}

zx_status_t zxhv_vmo_read(struct zxhv_vmo *vmo, void __user *buf, u64 offset, u64 len)
{
	struct iov_iter iter;

	iov_iter_ubuf(&iter, READ, buf, len);
	return zxhv_vmo_rw(vmo, offset, &iter);
}

zx_status_t zxhv_vmo_write(struct zxhv_vmo *vmo, const void __user *buf, u64 offset,
			   u64 len)
{
	struct iov_iter iter;

	iov_iter_ubuf(&iter, WRITE, (void __user *)buf, len);
	return zxhv_vmo_rw(vmo, offset, &iter);
}
