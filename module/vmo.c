// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMOs: an xarray of pages, filled on first touch.
 */
#include <linux/gfp.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
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
	 * Page index -> struct page *.  An entry is only ever added (under the
	 * xarray's own lock, by compare-and-exchange against an empty slot)
	 * and only removed by destroy, when nobody else holds the VMO.
	 */
	struct xarray pages;
};

/*
 * Pages belong to whoever touches them first: GFP_HIGHUSER as for any
 * user page, zeroed, and charged to the current task's memory cgroup.
 */
#define ZXHV_VMO_PAGE_GFP	(GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT)

static void zxhv_vmo_destroy(struct zxhv_object *obj)
{
	struct zxhv_vmo *vmo = container_of(obj, struct zxhv_vmo, obj);
	struct page *page;
	unsigned long index;

	xa_for_each(&vmo->pages, index, page)
		put_page(page);
	xa_destroy(&vmo->pages);
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
	xa_init(&vmo->pages);
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

/* The page at @index, allocating it if absent; no page reference taken. */
static zx_status_t zxhv_vmo_commit(struct zxhv_vmo *vmo, unsigned long index,
				   struct page **out)
{
	struct page *page, *old;

	page = xa_load(&vmo->pages, index);
	if (page)
		goto found;
	page = alloc_page(ZXHV_VMO_PAGE_GFP);
	if (!page)
		return ZX_ERR_NO_MEMORY;
	old = xa_cmpxchg(&vmo->pages, index, NULL, page, GFP_KERNEL_ACCOUNT);
	if (xa_is_err(old)) {
		__free_page(page);
		return ZX_ERR_NO_MEMORY;
	}
	if (old) {
		/* Another thread committed the page first: use its page. */
		__free_page(page);
		page = old;
	}
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
