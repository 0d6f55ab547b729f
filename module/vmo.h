/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Virtual memory objects: a fixed-size, page-granular, zero-filled memory
 * object.  Pages are allocated on first touch (a write through
 * zxhv_vmo_write(), a fault through a mapping, or zxhv_vmo_get_page()) and
 * charged to the memory cgroup of the task that touched them; they stay
 * until the VMO is destroyed.  The first touch of a 2 MiB-aligned run that
 * lies wholly inside the VMO and has no page yet tries to fill the whole run
 * with one physically contiguous, 2 MiB-aligned block (falling back to a
 * single page), so the VMX engine can map it with a large EPT page; when
 * root has given the module a budget of 1 GiB blocks, the first touch of
 * a 1 GiB-aligned range that lies wholly inside and has no page yet tries
 * one of those first.  Every
 * user of a page (mappings, the VMX engine) gets the same struct page, so
 * all views of a VMO are coherent.
 *
 * A VMO's size never changes (this module offers no zx_vmo_set_size), so a
 * page, once in the VMO, stays there while the VMO lives: holding a VMO
 * reference is enough to use its pages (and all of a block), no lock is
 * needed.  Committing a page takes a per-VMO mutex (see vmo.c).
 */
#ifndef ZXHV_VMO_H
#define ZXHV_VMO_H

#include <linux/types.h>
#include <linux/uaccess.h>
#include <zircon/types.h>

#include "object.h"
#include "vmo_giant.h"	/* ZXHV_VMO_GIANT_ORDER */

struct page;
struct zxhv_vmo;

/* Largest VMO, in bytes: 64 GiB (a larger size is ZX_ERR_OUT_OF_RANGE). */
#define ZXHV_VMO_MAX_SIZE	(64ULL << 30)

/* A contiguous run: 2 MiB, 512 pages. */
#define ZXHV_VMO_RUN_ORDER	(21 - PAGE_SHIFT)

/*
 * Module parameter vmo_contiguous (bool, 0644, default true): whether a
 * first touch tries a contiguous block (2 MiB or 1 GiB) at all.  It
 * affects later touches only; runs already filled keep their pages.
 */
extern bool zxhv_vmo_contiguous;

/*
 * zx_vmo_create(): a new VMO of @size bytes rounded up to a page, with one
 * reference and no handles.  @options: ZX_VMO_RESIZABLE and
 * ZX_VMO_DISCARDABLE are recorded (they only affect zx_vmar_map's checks);
 * other bits ZX_ERR_INVALID_ARGS; a size above ZXHV_VMO_MAX_SIZE
 * ZX_ERR_OUT_OF_RANGE; ZX_ERR_NO_MEMORY.
 */
zx_status_t zxhv_vmo_create(u64 size, u32 options, struct zxhv_vmo **out);

struct zxhv_object *zxhv_vmo_object(struct zxhv_vmo *vmo);
/* @obj must be a ZX_OBJ_TYPE_VMO object. */
struct zxhv_vmo *zxhv_vmo_from_object(struct zxhv_object *obj);

static inline void zxhv_vmo_get(struct zxhv_vmo *vmo)
{
	zxhv_object_get(zxhv_vmo_object(vmo));
}

static inline void zxhv_vmo_put(struct zxhv_vmo *vmo)
{
	zxhv_object_put(zxhv_vmo_object(vmo));
}

/* The size in bytes (a multiple of PAGE_SIZE). */
u64 zxhv_vmo_size(const struct zxhv_vmo *vmo);
/* The zx_vmo_create() options. */
u32 zxhv_vmo_options(const struct zxhv_vmo *vmo);

/*
 * The page holding byte @offset, allocated (zero-filled) if it was not
 * yet, with a page reference the caller drops with put_page().
 * ZX_ERR_OUT_OF_RANGE if @offset >= size, ZX_ERR_NO_MEMORY.  May sleep.
 */
zx_status_t zxhv_vmo_get_page(struct zxhv_vmo *vmo, u64 offset, struct page **page);

/*
 * zxhv_vmo_get_page(), and in *@order the largest contiguous block around
 * @offset: ZXHV_VMO_GIANT_ORDER if the 1 GiB-aligned range around it is one
 * giant block, else ZXHV_VMO_RUN_ORDER if the 2 MiB-aligned run is one
 * block, else 0.  A block's first page is the one at pfn
 * page_to_pfn(*@page) minus the page index of @offset within the block,
 * and that pfn is aligned to the block's size.  The reference is on
 * *@page only; the rest of a block lives as long as the VMO does.  May sleep.
 */
zx_status_t zxhv_vmo_get_run(struct zxhv_vmo *vmo, u64 offset, struct page **page,
			     unsigned int *order);

/* Pages allocated so far (for tests and accounting). */
unsigned long zxhv_vmo_committed_pages(struct zxhv_vmo *vmo);
/*
 * Contiguous 2 MiB runs filled by a block so far, 512 for each giant block
 * (for tests and debug output).
 */
unsigned long zxhv_vmo_blocks(struct zxhv_vmo *vmo);
/* Giant blocks taken so far, whole or not (for tests and debug output). */
unsigned long zxhv_vmo_giants(struct zxhv_vmo *vmo);

/*
 * zx_vmo_read()/zx_vmo_write() between [@offset, @offset + @len) and a user
 * buffer.  Out of bounds (or overflowing): ZX_ERR_OUT_OF_RANGE, nothing
 * copied.  A faulting user buffer: ZX_ERR_INVALID_ARGS (bytes before the
 * fault may have been copied).  Reading a page never touched gives zeros
 * without allocating it; writing allocates.
 */
zx_status_t zxhv_vmo_read(struct zxhv_vmo *vmo, void __user *buf, u64 offset, u64 len);
zx_status_t zxhv_vmo_write(struct zxhv_vmo *vmo, const void __user *buf, u64 offset,
			   u64 len);

/*
 * The same for an iov_iter (a READ iterator receives VMO bytes, a WRITE
 * iterator is written into the VMO); [@offset, @offset + count) must lie
 * inside the VMO.  zxhv_vmo_read()/write() and KUnit use it.
 */
struct iov_iter;
zx_status_t zxhv_vmo_rw(struct zxhv_vmo *vmo, u64 offset, struct iov_iter *iter);

#endif /* ZXHV_VMO_H */
