// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMOs: an xarray of pages, filled on first touch, in 2 MiB physically
 * contiguous blocks where the VMO's layout allows it.
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
	 * ZXHV_VMO_BLOCK_MARK.
	 */
	struct xarray pages;
	/*
	 * Serializes every addition to @pages (allocation included), so
	 * deciding that a run is empty and filling it is atomic against
	 * other committers.  Taken only on a miss, never while copying to
	 * or from user memory; nests inside mmap_lock (mapping faults).
	 */
	struct mutex commit_lock;
	/* Contiguous blocks installed so far; written under @commit_lock. */
	unsigned long blocks;
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
#define ZXHV_VMO_BLOCK_MARK	XA_MARK_1

/* Read with READ_ONCE(): root may change it through sysfs at any time. */
bool zxhv_vmo_contiguous = true;
module_param_named(vmo_contiguous, zxhv_vmo_contiguous, bool, 0644);
MODULE_PARM_DESC(vmo_contiguous,
		 "try 2 MiB physically contiguous blocks for VMO runs touched first (default: true)");

static void zxhv_vmo_destroy(struct zxhv_object *obj)
{
	struct zxhv_vmo *vmo = container_of(obj, struct zxhv_vmo, obj);
	struct page *page;
	unsigned long index;

	xa_for_each(&vmo->pages, index, page)
		put_page(page);
	xa_destroy(&vmo->pages);
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

/*
 * Tries to fill the run starting at @base (a multiple of ZXHV_VMO_RUN_PAGES,
 * wholly inside the VMO) with one physically contiguous block.  False if
 * the run already has a page or no block is available: nothing changed.
 * Called with @commit_lock held.
 *
 * The block is split first, so each 4 KiB page has its own reference count
 * (and memcg charge) and is freed alone, exactly like a page allocated
 * singly; then one walk of the xarray under its lock stores the 512 pages
 * (one xa_store() per page walked the tree from its root and took the lock
 * 512 times: about half of a block's commit).  A lockless reader may find
 * a page as soon as it is stored, so none is taken back: if the xarray
 * cannot get memory for a node, the pages stored so far stay committed as
 * single pages, the rest are freed, and the run is not marked as a block.
 */
static bool zxhv_vmo_install_block(struct zxhv_vmo *vmo, unsigned long base)
{
	XA_STATE(xas, &vmo->pages, base);
	unsigned long i = base, stored;
	struct page *block;

	lockdep_assert_held(&vmo->commit_lock);
	if (xa_find(&vmo->pages, &i, base + ZXHV_VMO_RUN_PAGES - 1, XA_PRESENT))
		return false;
	block = alloc_pages(ZXHV_VMO_BLOCK_GFP, ZXHV_VMO_RUN_ORDER);
	if (!block)
		return false;
	split_page(block, ZXHV_VMO_RUN_ORDER);
	stored = 0;
	do {
		xas_lock(&xas);
		while (stored < ZXHV_VMO_RUN_PAGES) {
			xas_store(&xas, block + stored);
			if (xas_error(&xas))
				break;
			stored++;
			xas_next(&xas);
		}
		xas_unlock(&xas);
	} while (xas_nomem(&xas, GFP_KERNEL_ACCOUNT));
	if (stored < ZXHV_VMO_RUN_PAGES) {
		for (i = stored; i < ZXHV_VMO_RUN_PAGES; i++)
			__free_page(block + i);
		return stored > 0;
	}
	xa_set_mark(&vmo->pages, base, ZXHV_VMO_BLOCK_MARK);
	WRITE_ONCE(vmo->blocks, vmo->blocks + 1);
	return true;
}

/* Does the 2 MiB-aligned run starting at page @base lie wholly inside? */
static bool zxhv_vmo_run_fits(const struct zxhv_vmo *vmo, unsigned long base)
{
	return base + ZXHV_VMO_RUN_PAGES <= vmo->size >> PAGE_SHIFT;
}

/* Commits the page at @index, absent so far; @commit_lock held. */
static zx_status_t zxhv_vmo_commit_locked(struct zxhv_vmo *vmo, unsigned long index,
					  struct page **out)
{
	unsigned long base = round_down(index, ZXHV_VMO_RUN_PAGES);
	struct page *page;

	if (READ_ONCE(zxhv_vmo_contiguous) && zxhv_vmo_run_fits(vmo, base) &&
	    zxhv_vmo_install_block(vmo, base)) {
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
	if (xa_get_mark(&vmo->pages, round_down(index, ZXHV_VMO_RUN_PAGES),
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
