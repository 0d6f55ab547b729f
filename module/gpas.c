// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest-physical address space (see gpas.h for the rules and statuses).
 *
 * Mappings live in a red-black tree ordered by start address.  They never
 * overlap, so their end addresses are ordered the same way, and "the first
 * mapping ending above X" is one descent.  Adjacent mappings are never
 * merged: each keeps its own VMO reference, offset and permissions.
 *
 * Every modifying call runs as a small transaction: it allocates the nodes
 * it may need (at most two: a split and a new mapping, or two splits)
 * before taking the lock, so nothing can fail once the tree starts to
 * change; removed nodes are collected and their VMO references dropped
 * after the lock is released; invalidations of contiguous ranges are
 * merged and reported before the lock is released.
 */
#include <linux/highmem.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/rbtree.h>
#include <linux/rwsem.h>
#include <linux/slab.h>

#include "gpas.h"

struct gpas_map {
	struct rb_node rb;		/* in zxhv_gpas.tree, under its lock */
	u64 start;			/* [start, end), page-aligned */
	u64 end;
	struct zxhv_vmo *vmo;		/* one reference per node */
	u64 vmo_offset;			/* offset in vmo of start */
	u32 perms;			/* ZX_VM_PERM_*, within max_perms */
	u32 max_perms;
	struct gpas_map *next;		/* spare or dead list, off the tree */
};

struct zxhv_gpas {
	struct rw_semaphore lock;	/* protects tree and every node in it */
	struct rb_root tree;		/* gpas_map, keyed by start */
	u64 size;			/* constant: the space is [0, size) */
	const struct zxhv_gpas_ops *ops;	/* constant */
	void *priv;			/* constant */
};

/* One modifying call. */
struct gpas_txn {
	struct gpas_map *spare;		/* preallocated, unused so far */
	struct gpas_map *dead;		/* removed from the tree */
	u64 inv_start;			/* pending invalidation; empty if */
	u64 inv_end;			/* inv_start == inv_end */
};

#define GPAS_MAP_OPTIONS \
	(ZXHV_GPAS_PERMS | ZX_VM_SPECIFIC | ZX_VM_SPECIFIC_OVERWRITE)

static struct gpas_map *gpas_entry(struct rb_node *rb)
{
	return rb ? rb_entry(rb, struct gpas_map, rb) : NULL;
}

static struct gpas_map *gpas_next(struct gpas_map *m)
{
	return gpas_entry(rb_next(&m->rb));
}

/* The lowest mapping with end > @addr: the one holding @addr, or the next. */
static struct gpas_map *gpas_first_after(struct zxhv_gpas *gpas, u64 addr)
{
	struct rb_node *rb = gpas->tree.rb_node;
	struct gpas_map *best = NULL;

	lockdep_assert_held(&gpas->lock);
	while (rb) {
		struct gpas_map *m = gpas_entry(rb);

		if (m->end > addr) {
			best = m;
			rb = rb->rb_left;
		} else {
			rb = rb->rb_right;
		}
	}
	return best;
}

static void gpas_insert(struct zxhv_gpas *gpas, struct gpas_map *new)
{
	struct rb_node **link = &gpas->tree.rb_node, *parent = NULL;

	lockdep_assert_held_write(&gpas->lock);
	while (*link) {
		parent = *link;
		if (new->start < gpas_entry(parent)->start)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&new->rb, parent, link);
	rb_insert_color(&new->rb, &gpas->tree);
}

static zx_status_t txn_begin(struct zxhv_gpas *gpas, struct gpas_txn *txn,
			     unsigned int nodes)
{
	txn->spare = NULL;
	txn->dead = NULL;
	txn->inv_start = 0;
	txn->inv_end = 0;
	while (nodes--) {
		struct gpas_map *m = NULL;

		if (!gpas->ops->fail_alloc || !gpas->ops->fail_alloc(gpas))
			m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
		if (!m) {
			while (txn->spare) {
				m = txn->spare;
				txn->spare = m->next;
				kfree(m);
			}
			return ZX_ERR_NO_MEMORY;
		}
		m->next = txn->spare;
		txn->spare = m;
	}
	return ZX_OK;
}

static struct gpas_map *txn_take(struct gpas_txn *txn)
{
	struct gpas_map *m = txn->spare;

	txn->spare = m->next;
	m->next = NULL;
	return m;
}

static void txn_flush(struct zxhv_gpas *gpas, struct gpas_txn *txn)
{
	lockdep_assert_held_write(&gpas->lock);
	if (txn->inv_start != txn->inv_end && gpas->ops->invalidate)
		gpas->ops->invalidate(gpas, txn->inv_start,
				      txn->inv_end - txn->inv_start);
	txn->inv_start = 0;
	txn->inv_end = 0;
}

/* [start, end) lost access; ranges arrive in increasing address order. */
static void txn_invalidate(struct zxhv_gpas *gpas, struct gpas_txn *txn,
			   u64 start, u64 end)
{
	if (txn->inv_start != txn->inv_end && txn->inv_end == start) {
		txn->inv_end = end;
		return;
	}
	txn_flush(gpas, txn);
	txn->inv_start = start;
	txn->inv_end = end;
}

/* After the lock is released: drop what the call removed or did not use. */
static void txn_end(struct zxhv_gpas *gpas, struct gpas_txn *txn)
{
	struct gpas_map *m;

	while (txn->dead) {
		m = txn->dead;
		txn->dead = m->next;
		gpas->ops->vmo_put(m->vmo);
		kfree(m);
	}
	while (txn->spare) {
		m = txn->spare;
		txn->spare = m->next;
		kfree(m);
	}
}

/*
 * Splits @m at @at (strictly inside it): @m keeps [start, at), a spare node
 * with its own VMO reference takes [at, end) and is returned.
 */
static struct gpas_map *gpas_split(struct zxhv_gpas *gpas,
				   struct gpas_txn *txn, struct gpas_map *m,
				   u64 at)
{
	struct gpas_map *n = txn_take(txn);

	n->start = at;
	n->end = m->end;
	n->vmo = m->vmo;
	n->vmo_offset = m->vmo_offset + (at - m->start);
	n->perms = m->perms;
	n->max_perms = m->max_perms;
	gpas->ops->vmo_get(n->vmo);
	m->end = at;
	gpas_insert(gpas, n);
	return n;
}

/* Removes every mapped part of [start, end); needs one spare node. */
static void gpas_punch(struct zxhv_gpas *gpas, struct gpas_txn *txn,
		       u64 start, u64 end)
{
	struct gpas_map *m = gpas_first_after(gpas, start), *next;

	lockdep_assert_held_write(&gpas->lock);
	for (; m && m->start < end; m = next) {
		next = gpas_next(m);
		txn_invalidate(gpas, txn, max(m->start, start),
			       min(m->end, end));
		if (m->start < start && m->end > end) {
			/* A hole in the middle: keep both sides. */
			gpas_split(gpas, txn, m, end);
			m->end = start;
			return;
		}
		if (m->start < start) {
			m->end = start;
		} else if (m->end > end) {
			/* The order in the tree does not change. */
			m->vmo_offset += end - m->start;
			m->start = end;
		} else {
			rb_erase(&m->rb, &gpas->tree);
			m->next = txn->dead;
			txn->dead = m;
		}
	}
}

/* Lowest free range of @len bytes, first fit; false if there is none. */
static bool gpas_find_free(struct zxhv_gpas *gpas, u64 len, u64 *gpa)
{
	struct rb_node *rb;
	u64 cursor = 0;

	lockdep_assert_held(&gpas->lock);
	for (rb = rb_first(&gpas->tree); rb; rb = rb_next(rb)) {
		struct gpas_map *m = gpas_entry(rb);

		if (m->start - cursor >= len)
			break;
		cursor = m->end;
	}
	if (gpas->size - cursor < len)
		return false;
	*gpa = cursor;
	return true;
}

/* Page-aligned, non-empty and inside [0, size) without wrapping. */
static bool gpas_range_ok(const struct zxhv_gpas *gpas, u64 gpa, u64 len)
{
	return PAGE_ALIGNED(gpa) && PAGE_ALIGNED(len) && len &&
	       gpa < gpas->size && len <= gpas->size - gpa;
}

zx_status_t zxhv_gpas_create(u64 size, const struct zxhv_gpas_ops *ops,
			     void *priv, struct zxhv_gpas **out)
{
	struct zxhv_gpas *gpas;

	if (!size || !PAGE_ALIGNED(size) || !ops->vmo_get || !ops->vmo_put)
		return ZX_ERR_INVALID_ARGS;
	gpas = kzalloc(sizeof(*gpas), GFP_KERNEL_ACCOUNT);
	if (!gpas)
		return ZX_ERR_NO_MEMORY;
	init_rwsem(&gpas->lock);
	gpas->tree = RB_ROOT;
	gpas->size = size;
	gpas->ops = ops;
	gpas->priv = priv;
	*out = gpas;
	return ZX_OK;
}

void zxhv_gpas_destroy(struct zxhv_gpas *gpas)
{
	struct gpas_map *m, *tmp;

	if (!gpas)
		return;
	rbtree_postorder_for_each_entry_safe(m, tmp, &gpas->tree, rb) {
		gpas->ops->vmo_put(m->vmo);
		kfree(m);
	}
	kfree(gpas);
}

u64 zxhv_gpas_size(const struct zxhv_gpas *gpas)
{
	return gpas->size;
}

void *zxhv_gpas_priv(const struct zxhv_gpas *gpas)
{
	return gpas->priv;
}

zx_status_t zxhv_gpas_map(struct zxhv_gpas *gpas, zx_vm_option_t options,
			  u64 gpa, struct zxhv_vmo *vmo, u64 vmo_offset,
			  u64 len, u32 max_perms, u64 *mapped_gpa)
{
	bool specific = options & (ZX_VM_SPECIFIC | ZX_VM_SPECIFIC_OVERWRITE);
	bool overwrite = options & ZX_VM_SPECIFIC_OVERWRITE;
	u32 perms = options & ZXHV_GPAS_PERMS;
	struct gpas_map *m;
	struct gpas_txn txn;
	zx_status_t status;

	if ((options & ~GPAS_MAP_OPTIONS) || (max_perms & ~ZXHV_GPAS_PERMS) ||
	    !vmo)
		return ZX_ERR_INVALID_ARGS;
	if (perms & ~max_perms)
		return ZX_ERR_ACCESS_DENIED;
	if (!PAGE_ALIGNED(vmo_offset) || vmo_offset + len < vmo_offset)
		return ZX_ERR_INVALID_ARGS;
	if (specific ? !gpas_range_ok(gpas, gpa, len) :
		       gpa || !len || !PAGE_ALIGNED(len))
		return ZX_ERR_INVALID_ARGS;

	status = txn_begin(gpas, &txn, overwrite ? 2 : 1);
	if (status != ZX_OK)
		return status;
	down_write(&gpas->lock);
	if (!specific) {
		if (!gpas_find_free(gpas, len, &gpa)) {
			status = ZX_ERR_NO_RESOURCES;
			goto out;
		}
	} else if (overwrite) {
		gpas_punch(gpas, &txn, gpa, gpa + len);
	} else {
		m = gpas_first_after(gpas, gpa);
		if (m && m->start < gpa + len) {
			status = ZX_ERR_NO_MEMORY;
			goto out;
		}
	}
	m = txn_take(&txn);
	m->start = gpa;
	m->end = gpa + len;
	m->vmo = vmo;
	m->vmo_offset = vmo_offset;
	m->perms = perms;
	m->max_perms = max_perms;
	gpas->ops->vmo_get(vmo);
	gpas_insert(gpas, m);
	if (mapped_gpa)
		*mapped_gpa = gpa;
out:
	txn_flush(gpas, &txn);
	up_write(&gpas->lock);
	txn_end(gpas, &txn);
	return status;
}

zx_status_t zxhv_gpas_unmap(struct zxhv_gpas *gpas, u64 gpa, u64 len)
{
	struct gpas_txn txn;
	zx_status_t status;

	if (!gpas_range_ok(gpas, gpa, len))
		return ZX_ERR_INVALID_ARGS;
	status = txn_begin(gpas, &txn, 1);
	if (status != ZX_OK)
		return status;
	down_write(&gpas->lock);
	gpas_punch(gpas, &txn, gpa, gpa + len);
	txn_flush(gpas, &txn);
	up_write(&gpas->lock);
	txn_end(gpas, &txn);
	return ZX_OK;
}

/* ZX_OK if every page of [start, end) is mapped and may take @perms. */
static zx_status_t gpas_check_protect(struct zxhv_gpas *gpas, u64 start,
				      u64 end, u32 perms)
{
	struct gpas_map *m = gpas_first_after(gpas, start);
	u64 cursor = start;

	while (cursor < end) {
		if (!m || m->start > cursor)
			return ZX_ERR_NOT_FOUND;
		if (perms & ~m->max_perms)
			return ZX_ERR_ACCESS_DENIED;
		cursor = m->end;
		m = gpas_next(m);
	}
	return ZX_OK;
}

zx_status_t zxhv_gpas_protect(struct zxhv_gpas *gpas, u64 gpa, u64 len,
			      u32 perms)
{
	u64 end = gpa + len;
	struct gpas_map *m;
	struct gpas_txn txn;
	zx_status_t status;

	if ((perms & ~ZXHV_GPAS_PERMS) || !gpas_range_ok(gpas, gpa, len))
		return ZX_ERR_INVALID_ARGS;
	status = txn_begin(gpas, &txn, 2);
	if (status != ZX_OK)
		return status;
	down_write(&gpas->lock);
	status = gpas_check_protect(gpas, gpa, end, perms);
	if (status != ZX_OK)
		goto out;
	/* Mappings that already have @perms are left whole. */
	for (m = gpas_first_after(gpas, gpa); m && m->start < end;
	     m = gpas_next(m)) {
		if (m->perms == perms)
			continue;
		if (m->start < gpa)
			m = gpas_split(gpas, &txn, m, gpa);
		if (m->end > end)
			gpas_split(gpas, &txn, m, end);
		if (m->perms & ~perms)
			txn_invalidate(gpas, &txn, m->start, m->end);
		m->perms = perms;
	}
out:
	txn_flush(gpas, &txn);
	up_write(&gpas->lock);
	txn_end(gpas, &txn);
	return status;
}

u64 zxhv_gpas_mapped_bytes(struct zxhv_gpas *gpas)
{
	struct rb_node *rb;
	u64 n = 0;

	down_read(&gpas->lock);
	for (rb = rb_first(&gpas->tree); rb; rb = rb_next(rb))
		n += gpas_entry(rb)->end - gpas_entry(rb)->start;
	up_read(&gpas->lock);
	return n;
}

void zxhv_gpas_read_lock(struct zxhv_gpas *gpas)
{
	down_read(&gpas->lock);
}

void zxhv_gpas_read_unlock(struct zxhv_gpas *gpas)
{
	up_read(&gpas->lock);
}

zx_status_t zxhv_gpas_lookup_locked(struct zxhv_gpas *gpas, u64 gpa,
				    struct zxhv_gpas_lookup *out)
{
	struct gpas_map *m;

	lockdep_assert_held(&gpas->lock);
	if (gpa >= gpas->size)
		return ZX_ERR_OUT_OF_RANGE;
	m = gpas_first_after(gpas, gpa);
	if (!m || m->start > gpa)
		return ZX_ERR_NOT_FOUND;
	out->vmo = m->vmo;
	out->vmo_offset = m->vmo_offset + (gpa - m->start);
	out->perms = m->perms;
	out->map_start = m->start;
	out->map_end = m->end;
	return ZX_OK;
}

zx_status_t zxhv_gpas_lookup(struct zxhv_gpas *gpas, u64 gpa,
			     struct zxhv_gpas_lookup *out)
{
	zx_status_t status;

	down_read(&gpas->lock);
	status = zxhv_gpas_lookup_locked(gpas, gpa, out);
	if (status == ZX_OK)
		gpas->ops->vmo_get(out->vmo);
	up_read(&gpas->lock);
	return status;
}

zx_status_t zxhv_gpas_page_locked(struct zxhv_gpas *gpas, u64 gpa, u32 perms,
				  struct zxhv_gpas_lookup *l, struct page **page,
				  unsigned int *order)
{
	zx_status_t status;

	status = zxhv_gpas_lookup_locked(gpas, gpa, l);
	if (status != ZX_OK)
		return status;
	if ((l->perms & perms) != perms)
		return ZX_ERR_ACCESS_DENIED;
	return gpas->ops->vmo_page(l->vmo, round_down(l->vmo_offset, PAGE_SIZE), page, order);
}

zx_status_t zxhv_gpas_get_page(struct zxhv_gpas *gpas, u64 gpa, u32 perms,
			       struct page **page, unsigned int *offset)
{
	struct zxhv_gpas_lookup l;
	unsigned int order;
	zx_status_t status;

	down_read(&gpas->lock);
	status = zxhv_gpas_page_locked(gpas, gpa, perms, &l, page, &order);
	up_read(&gpas->lock);
	if (status == ZX_OK)
		*offset = offset_in_page(l.vmo_offset);
	return status;
}

zx_status_t zxhv_gpas_copy(struct zxhv_gpas *gpas, u64 gpa, void *buf, size_t len,
			   bool write)
{
	u32 perms = write ? ZX_VM_PERM_WRITE : ZX_VM_PERM_READ;
	u8 *p = buf;

	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - offset_in_page(gpa));
		unsigned int offset;
		struct page *page;
		zx_status_t status;
		u8 *va;

		status = zxhv_gpas_get_page(gpas, gpa, perms, &page, &offset);
		if (status != ZX_OK)
			return status;
		va = kmap_local_page(page);
		if (write)
			memcpy(va + offset, p, n);
		else
			memcpy(p, va + offset, n);
		kunmap_local(va);
		put_page(page);
		gpa += n;
		p += n;
		len -= n;
	}
	return ZX_OK;
}
