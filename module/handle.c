// SPDX-License-Identifier: GPL-2.0-only
/*
 * Handle tables: value encoding, the one lookup, insertion and removal.
 */
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <zircon/rights.h>

#include "handle.h"
#include "object.h"

/*
 * A value is ((index << 2) | 3) ^ salt.  Indices come from a cyclic
 * allocator over 2^30 slots, so a closed value comes back only after about
 * a billion allocations in the same table; the per-table salt (low two bits
 * clear, so the fixed bits survive) makes values differ between tables.
 */
#define ZXHV_HANDLE_INDEX_BITS	30

/*
 * Handles are charged to the caller's memory cgroup (issue 16, F3); one
 * that does not fit fails with ZX_ERR_NO_MEMORY instead of calling the
 * cgroup's OOM killer (__GFP_RETRY_MAYFAIL), as Zircon refuses handles.
 */
#define ZXHV_HANDLE_GFP		(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL)
#define ZXHV_HANDLE_MAX_INDEX	((1u << ZXHV_HANDLE_INDEX_BITS) - 1)

static zx_handle_t zxhv_handle_encode(const struct zxhv_handle_table *t, u32 index)
{
	return ((index << 2) | ZX_HANDLE_FIXED_BITS_MASK) ^ t->salt;
}

static bool zxhv_handle_decode(const struct zxhv_handle_table *t, zx_handle_t value,
			       u32 *index)
{
	if ((value & ZX_HANDLE_FIXED_BITS_MASK) != ZX_HANDLE_FIXED_BITS_MASK)
		return false;
	*index = (value ^ t->salt) >> 2;
	return true;
}

void zxhv_handle_table_init(struct zxhv_handle_table *t)
{
	xa_init_flags(&t->handles, XA_FLAGS_ALLOC | XA_FLAGS_ACCOUNT);
	t->next = 0;
	t->salt = get_random_u32() & ~ZX_HANDLE_FIXED_BITS_MASK;
	t->owner = get_pid(task_tgid(current));
}

void zxhv_handle_table_destroy(struct zxhv_handle_table *t)
{
	struct zxhv_handle *h;
	unsigned long index;

	/* Nobody else can reach the table any more: no lock needed. */
	xa_for_each(&t->handles, index, h)
		zxhv_handle_free(h);
	xa_destroy(&t->handles);
	put_pid(t->owner);
	t->owner = NULL;
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
	u32 index;
	int ret;

	ret = xa_alloc_cyclic(&t->handles, &index, h, XA_LIMIT(0, ZXHV_HANDLE_MAX_INDEX),
			      &t->next, ZXHV_HANDLE_GFP);
	if (ret < 0)
		return ret == -EBUSY ? ZX_ERR_NO_RESOURCES : ZX_ERR_NO_MEMORY;
	*value = zxhv_handle_encode(t, index);
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

/* The handle @value names, or NULL.  Caller holds xa_lock. */
static struct zxhv_handle *zxhv_handle_find(struct zxhv_handle_table *t, zx_handle_t value)
{
	XA_STATE(xas, &t->handles, 0);
	void *entry;
	u32 index;

	lockdep_assert_held(&t->handles.xa_lock);
	if (!zxhv_handle_decode(t, value, &index))
		return NULL;
	/* The lock keeps the tree still: no RCU read section or retry (xa_load()). */
	xas_set(&xas, index);
	entry = xas_load(&xas);
	return xa_is_zero(entry) ? NULL : entry;
}

struct zxhv_handle *zxhv_handle_find_req(struct zxhv_handle_table *t, zx_handle_t value,
					 zx_obj_type_t type, const struct zxhv_rights_req *req,
					 zx_status_t *status)
{
	struct zxhv_handle *h = zxhv_handle_find(t, value);

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

	xa_lock(&t->handles);
	h = zxhv_handle_find_req(t, value, type, req, &status);
	if (h) {
		zxhv_object_get(h->obj);
		*obj = h->obj;
		if (rights_out)
			*rights_out = h->rights;
		status = ZX_OK;
	}
	xa_unlock(&t->handles);
	return status;
}

zx_status_t zxhv_handle_take_req(struct zxhv_handle_table *t, zx_handle_t value,
				 const struct zxhv_rights_req *req, struct zxhv_handle **out)
{
	struct zxhv_handle *h;
	zx_status_t status = ZX_OK;
	u32 index;

	xa_lock(&t->handles);
	h = zxhv_handle_find(t, value);
	if (!h) {
		status = ZX_ERR_BAD_HANDLE;
	} else if (!zxhv_rights_satisfy(h->rights, req)) {
		status = ZX_ERR_ACCESS_DENIED;
	} else {
		zxhv_handle_decode(t, value, &index);
		__xa_erase(&t->handles, index);
		*out = h;
	}
	xa_unlock(&t->handles);
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
