// SPDX-License-Identifier: GPL-2.0-only
/*
 * Handle tables: value encoding, the one lookup, insertion and removal.
 */
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <zircon/rights.h>

#include "handle.h"
#include "object.h"

/*
 * A value is ((index << 2) | 3) ^ salt, and the 30-bit index is the slot's
 * generation (upper ZXHV_HANDLE_GEN_BITS) over the slot's number (lower
 * ZXHV_HANDLE_SLOT_BITS).  A lookup is a bounds check, two loads and a
 * compare.  Freed slots join the tail of a queue and new handles take its
 * head, and the table grows rather than let the queue fall below
 * ZXHV_HANDLE_MIN_FREE slots, so a slot comes back only after at least
 * that many other allocations and a value only after its slot has gone
 * round all 2^ZXHV_HANDLE_GEN_BITS generations: at least 65,536
 * allocations in the same table (fewer only in a table grown to its
 * limit).  The per-table salt (low two bits clear, so the fixed bits
 * survive) makes values differ between tables.
 */
#define ZXHV_HANDLE_SLOT_BITS	20
#define ZXHV_HANDLE_GEN_BITS	(30 - ZXHV_HANDLE_SLOT_BITS)
#define ZXHV_HANDLE_SLOT_MASK	((1u << ZXHV_HANDLE_SLOT_BITS) - 1)
#define ZXHV_HANDLE_GEN_MASK	((1u << ZXHV_HANDLE_GEN_BITS) - 1)
#define ZXHV_HANDLE_PAGE_SLOTS	256u	/* one 4 KiB page of 16-byte slots */
#define ZXHV_HANDLE_MAX_PAGES	((1u << ZXHV_HANDLE_SLOT_BITS) / ZXHV_HANDLE_PAGE_SLOTS)
#define ZXHV_HANDLE_MIN_FREE	64u
#define ZXHV_HANDLE_FIRST_DIR	8u

/*
 * Handles and the table's pages are charged to the caller's memory cgroup
 * (issue 16, F3); one that does not fit fails with ZX_ERR_NO_MEMORY
 * instead of calling the cgroup's OOM killer (__GFP_RETRY_MAYFAIL), as
 * Zircon refuses handles.
 */
#define ZXHV_HANDLE_GFP		(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL)

static_assert(sizeof(struct zxhv_handle_slot) * ZXHV_HANDLE_PAGE_SLOTS == 4096);

/* The value of @slot at generation @gen in @t. */
static zx_handle_t handle_encode(const struct zxhv_handle_table *t, u32 gen, u32 slot)
{
	return ((((gen << ZXHV_HANDLE_SLOT_BITS) | slot) << 2) | ZX_HANDLE_FIXED_BITS_MASK) ^
	       t->salt;
}

/* The 30-bit index (generation over slot) @value carries in @t. */
static u32 handle_index(const struct zxhv_handle_table *t, zx_handle_t value)
{
	return (value ^ t->salt) >> 2;
}

static struct zxhv_handle_slot *table_slot(const struct zxhv_handle_table *t, u32 slot)
{
	return &t->pages[slot / ZXHV_HANDLE_PAGE_SLOTS][slot % ZXHV_HANDLE_PAGE_SLOTS];
}

void zxhv_handle_table_init(struct zxhv_handle_table *t)
{
	spin_lock_init(&t->lock);
	t->pages = NULL;
	t->npages = 0;
	t->dir_size = 0;
	t->nfree = 0;
	t->free_head = 0;
	t->free_tail = 0;
	t->salt = get_random_u32() & ~ZX_HANDLE_FIXED_BITS_MASK;
	t->owner = get_pid(task_tgid(current));
}

void zxhv_handle_table_destroy(struct zxhv_handle_table *t)
{
	u32 p, i;

	/* Nobody else can reach the table any more: no lock needed. */
	for (p = 0; p < t->npages; p++) {
		for (i = 0; i < ZXHV_HANDLE_PAGE_SLOTS; i++)
			if (t->pages[p][i].h)
				zxhv_handle_free(t->pages[p][i].h);
		kfree(t->pages[p]);
	}
	kvfree(t->pages);
	t->pages = NULL;
	t->npages = 0;
	put_pid(t->owner);
	t->owner = NULL;
}

/*
 * Appends @n free slots, already linked from @first to @last, to the tail
 * of the free queue.  Caller holds the lock.
 */
static void table_queue_free(struct zxhv_handle_table *t, u32 first, u32 last, u32 n)
{
	if (t->nfree)
		table_slot(t, t->free_tail)->next = first;
	else
		t->free_head = first;
	t->free_tail = last;
	t->nfree += n;
}

/*
 * Installs @page as the table's next page, its slots at the tail of the
 * free queue, with @dir (of @dir_size entries) as the new directory if the
 * old one is full.  Returns the directory the caller frees after unlocking
 * (the old one, or @dir if unused), or ERR_PTR(-EAGAIN) if the old one is
 * full and @dir cannot replace it.  Caller holds the lock.
 */
static struct zxhv_handle_slot **table_install(struct zxhv_handle_table *t,
					       struct zxhv_handle_slot *page,
					       struct zxhv_handle_slot **dir, u32 dir_size)
{
	struct zxhv_handle_slot **spare = dir;
	u32 first, i;

	if (t->npages == t->dir_size) {
		if (dir_size <= t->dir_size)
			return ERR_PTR(-EAGAIN);
		if (t->npages)
			memcpy(dir, t->pages, t->npages * sizeof(*dir));
		spare = t->pages;
		t->pages = dir;
		t->dir_size = dir_size;
	}
	/* The new slots, in order, at the tail of the free queue. */
	first = t->npages * ZXHV_HANDLE_PAGE_SLOTS;
	for (i = 0; i + 1 < ZXHV_HANDLE_PAGE_SLOTS; i++)
		page[i].next = first + i + 1;
	t->pages[t->npages++] = page;
	table_queue_free(t, first, first + ZXHV_HANDLE_PAGE_SLOTS - 1, ZXHV_HANDLE_PAGE_SLOTS);
	return spare;
}

/*
 * Adds a page of free slots to @t.  Allocates without the lock, so a
 * concurrent caller may have grown the table meanwhile: that is harmless.
 * -EBUSY when the table is at its size limit, -ENOMEM.
 */
static int table_grow(struct zxhv_handle_table *t)
{
	struct zxhv_handle_slot **dir = NULL, **spare;
	struct zxhv_handle_slot *page;
	u32 dir_size = 0;

	page = kcalloc(ZXHV_HANDLE_PAGE_SLOTS, sizeof(*page), ZXHV_HANDLE_GFP);
	if (!page)
		return -ENOMEM;
	for (;;) {
		spin_lock(&t->lock);
		if (t->npages == ZXHV_HANDLE_MAX_PAGES) {
			spin_unlock(&t->lock);
			kvfree(dir);
			kfree(page);
			return -EBUSY;
		}
		spare = table_install(t, page, dir, dir_size);
		if (!IS_ERR(spare))
			break;
		dir_size = t->dir_size ? 2 * t->dir_size : ZXHV_HANDLE_FIRST_DIR;
		spin_unlock(&t->lock);
		kvfree(dir);
		dir = kvmalloc_array(dir_size, sizeof(*dir), ZXHV_HANDLE_GFP);
		if (!dir) {
			kfree(page);
			return -ENOMEM;
		}
	}
	spin_unlock(&t->lock);
	kvfree(spare);
	return 0;
}

struct zxhv_handle *zxhv_handle_new(struct zxhv_object *obj, zx_rights_t rights)
{
	struct zxhv_handle *h = kmalloc(sizeof(*h), ZXHV_HANDLE_GFP);

	if (!h)
		return NULL;
	h->obj = obj;
	h->rights = rights;
	zxhv_object_handle_added(obj);
	return h;
}

void zxhv_handle_free(struct zxhv_handle *h)
{
	zxhv_object_handle_removed(h->obj);
	kfree(h);
}

zx_status_t zxhv_handle_insert(struct zxhv_handle_table *t, struct zxhv_handle *h,
			       zx_handle_t *value)
{
	struct zxhv_handle_slot *s;
	int grow_err = 0;
	bool full;
	u32 slot;

	for (;;) {
		spin_lock(&t->lock);
		full = t->npages == ZXHV_HANDLE_MAX_PAGES;
		/* Below the minimum, a free slot is taken only if the table cannot grow. */
		if (t->nfree >= ZXHV_HANDLE_MIN_FREE || (t->nfree && (full || grow_err)))
			break;
		spin_unlock(&t->lock);
		if (full)
			return ZX_ERR_NO_RESOURCES;
		if (grow_err)
			return grow_err == -EBUSY ? ZX_ERR_NO_RESOURCES : ZX_ERR_NO_MEMORY;
		grow_err = table_grow(t);
	}
	slot = t->free_head;
	s = table_slot(t, slot);
	t->free_head = s->next;
	t->nfree--;
	s->h = h;
	*value = handle_encode(t, s->gen, slot);
	spin_unlock(&t->lock);
	return ZX_OK;
}

zx_status_t zxhv_handle_add(struct zxhv_handle_table *t, struct zxhv_object *obj,
			    zx_rights_t rights, zx_handle_t *value)
{
	struct zxhv_handle *h = zxhv_handle_new(obj, rights);
	zx_status_t status;

	if (!h)
		return ZX_ERR_NO_MEMORY;
	status = zxhv_handle_insert(t, h, value);
	if (status != ZX_OK)
		zxhv_handle_free(h);
	return status;
}

/* The slot of the handle @value names, or NULL.  Caller holds the lock. */
static struct zxhv_handle_slot *zxhv_handle_find(struct zxhv_handle_table *t, zx_handle_t value)
{
	struct zxhv_handle_slot *s;
	u32 index, slot;

	lockdep_assert_held(&t->lock);
	if ((value & ZX_HANDLE_FIXED_BITS_MASK) != ZX_HANDLE_FIXED_BITS_MASK)
		return NULL;
	index = handle_index(t, value);
	slot = index & ZXHV_HANDLE_SLOT_MASK;
	if (slot >= t->npages * ZXHV_HANDLE_PAGE_SLOTS)
		return NULL;
	s = table_slot(t, slot);
	if (!s->h || s->gen != index >> ZXHV_HANDLE_SLOT_BITS)
		return NULL;
	return s;
}

struct zxhv_handle *zxhv_handle_find_req(struct zxhv_handle_table *t, zx_handle_t value,
					 zx_obj_type_t type, const struct zxhv_rights_req *req,
					 zx_status_t *status)
{
	struct zxhv_handle_slot *s = zxhv_handle_find(t, value);
	struct zxhv_handle *h = s ? s->h : NULL;

	if (!h)
		*status = ZX_ERR_BAD_HANDLE;
	else if (type != ZXHV_OBJ_TYPE_ANY && zxhv_object_type(h->obj) != type)
		*status = ZX_ERR_WRONG_TYPE;
	else if (!zxhv_rights_satisfy(h->rights, req))
		*status = ZX_ERR_ACCESS_DENIED;
	else
		return h;
	return NULL;
}

zx_status_t zxhv_handle_lookup_req(struct zxhv_handle_table *t, zx_handle_t value,
				   zx_obj_type_t type, const struct zxhv_rights_req *req,
				   struct zxhv_object **obj, zx_rights_t *rights_out)
{
	struct zxhv_handle *h;
	zx_status_t status;

	spin_lock(&t->lock);
	h = zxhv_handle_find_req(t, value, type, req, &status);
	if (h) {
		zxhv_object_get(h->obj);
		*obj = h->obj;
		if (rights_out)
			*rights_out = h->rights;
		status = ZX_OK;
	}
	spin_unlock(&t->lock);
	return status;
}

zx_status_t zxhv_handle_take_req(struct zxhv_handle_table *t, zx_handle_t value,
				 const struct zxhv_rights_req *req, struct zxhv_handle **out)
{
	struct zxhv_handle_slot *s;
	zx_status_t status = ZX_OK;
	u32 slot;

	spin_lock(&t->lock);
	s = zxhv_handle_find(t, value);
	if (!s) {
		status = ZX_ERR_BAD_HANDLE;
	} else if (!zxhv_rights_satisfy(s->h->rights, req)) {
		status = ZX_ERR_ACCESS_DENIED;
	} else {
		*out = s->h;
		s->h = NULL;
		s->gen = (s->gen + 1) & ZXHV_HANDLE_GEN_MASK;
		slot = handle_index(t, value) & ZXHV_HANDLE_SLOT_MASK;
		table_queue_free(t, slot, slot, 1);
	}
	spin_unlock(&t->lock);
	return status;
}

zx_status_t zxhv_handle_close(struct zxhv_handle_table *t, zx_handle_t value)
{
	struct zxhv_handle *h;
	zx_status_t status;

	if (value == ZX_HANDLE_INVALID)
		return ZX_OK;
	status = zxhv_handle_take(t, value, 0, &h);
	if (status == ZX_OK)
		zxhv_handle_free(h);
	return status;
}

zx_status_t zxhv_rights_derive(zx_rights_t src, zx_rights_t req, zx_rights_t *out)
{
	if (req == ZX_RIGHT_SAME_RIGHTS) {
		*out = src;
		return ZX_OK;
	}
	if (req & ~src)
		return ZX_ERR_INVALID_ARGS;
	*out = req;
	return ZX_OK;
}
