/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Handle tables.  Each open file of /dev/zircon-hv owns one table, and the
 * table belongs to the process (thread group) that opened the file.  A
 * handle is (object reference, rights); its value follows Zircon: never
 * ZX_HANDLE_INVALID, the low two bits always set, and not reused soon after
 * it is closed.
 */
#ifndef ZXHV_HANDLE_H
#define ZXHV_HANDLE_H

#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/spinlock.h>
#include <zircon/types.h>

struct zxhv_object;

/* One handle.  Immutable while it is in a table or an exported file. */
struct zxhv_handle {
	struct zxhv_object *obj;	/* holds a reference and a handle count */
	zx_rights_t rights;
};

/* One slot of a table: a handle, or a free slot waiting in the free queue. */
struct zxhv_handle_slot {
	struct zxhv_handle *h;		/* NULL while the slot is free */
	u32 gen;			/* the value's upper index bits; +1 per free */
	u32 next;			/* the next free slot, while free */
};

/*
 * A table is an array of slots in pages of ZXHV_HANDLE_PAGE_SLOTS, found
 * through a directory (pages never move, so growing copies only the
 * directory).  A value names a slot and the slot's generation (handle.c).
 *
 * Locking: @lock protects everything but @salt and @owner, which are set at
 * init and never change.  Every check-then-remove is done under it, and no
 * handle is freed (which may call on_zero_handles() and sleep) while it is
 * held.  Nothing is allocated under it.
 */
struct zxhv_handle_table {
	spinlock_t lock;		/* the table: see above */
	struct zxhv_handle_slot **pages;	/* directory, @dir_size entries */
	u32 npages;			/* pages in the table */
	u32 dir_size;
	u32 nfree;			/* slots in the free queue */
	u32 free_head;			/* queue of free slots, oldest first */
	u32 free_tail;
	u32 salt;			/* XORed into values; low 2 bits clear */
	struct pid *owner;		/* thread group that opened the file */
};

/* Sets up an empty table owned by the calling thread group. */
void zxhv_handle_table_init(struct zxhv_handle_table *t);
/* Closes every handle and frees the table's resources. */
void zxhv_handle_table_destroy(struct zxhv_handle_table *t);
/* True if the caller's thread group owns @t (every call asks: inline). */
static inline bool zxhv_handle_table_is_owner(const struct zxhv_handle_table *t)
{
	return task_tgid(current) == t->owner;
}

/*
 * A new handle to @obj with @rights, not yet in any table (takes its own
 * reference and handle count).  NULL when out of memory.
 */
struct zxhv_handle *zxhv_handle_new(struct zxhv_object *obj, zx_rights_t rights);
/* Frees a handle that is in no table (drops its handle count and reference). */
void zxhv_handle_free(struct zxhv_handle *h);

/*
 * Inserts @h into @t and returns its value in @value.  On failure @h is
 * still the caller's.
 */
zx_status_t zxhv_handle_insert(struct zxhv_handle_table *t, struct zxhv_handle *h,
			       zx_handle_t *value);
/* zxhv_handle_new() + zxhv_handle_insert(); nothing is left behind on failure. */
zx_status_t zxhv_handle_add(struct zxhv_handle_table *t, struct zxhv_object *obj,
			    zx_rights_t rights, zx_handle_t *value);

/*
 * What a handle must hold for a call: every right in @rights, or with @any
 * at least one of them (zx_vcpu_create's MANAGE_PROCESS or MANAGE_THREAD).
 * @rights 0 asks for nothing.
 */
struct zxhv_rights_req {
	zx_rights_t rights;
	bool any;
};

/* True if a handle holding @have satisfies @req. */
static inline bool zxhv_rights_satisfy(zx_rights_t have, const struct zxhv_rights_req *req)
{
	if (req->any && req->rights)
		return have & req->rights;
	return (have & req->rights) == req->rights;
}

/*
 * The one lookup.  Zircon's precedence: ZX_ERR_BAD_HANDLE if @value names
 * no handle, ZX_ERR_WRONG_TYPE if @type is not ZXHV_OBJ_TYPE_ANY and differs
 * from the object's type, ZX_ERR_ACCESS_DENIED if the handle's rights do
 * not satisfy @req.  On ZX_OK *@obj holds a new reference
 * (zxhv_object_put() it) and *@rights_out, if not NULL, the handle's rights.
 */
zx_status_t zxhv_handle_lookup_req(struct zxhv_handle_table *t, zx_handle_t value,
				   zx_obj_type_t type, const struct zxhv_rights_req *req,
				   struct zxhv_object **obj, zx_rights_t *rights_out);

/*
 * The lookup's checks, under @t->lock: the handle @value
 * names, or NULL with the failure in *@status (the precedence above).
 */
struct zxhv_handle *zxhv_handle_find_req(struct zxhv_handle_table *t, zx_handle_t value,
					 zx_obj_type_t type, const struct zxhv_rights_req *req,
					 zx_status_t *status);

/*
 * The lookup for a call's fast path, which lends the object instead of
 * referencing it: @fn(object, @arg) runs under the table's lock, where the
 * handle cannot be closed and so keeps the object alive.  @fn must not
 * sleep or keep the object.  Returns the lookup's failure or @fn's result.
 * Inlined, so that @fn is a direct call.
 */
static __always_inline zx_status_t
zxhv_handle_borrow_req(struct zxhv_handle_table *t, zx_handle_t value, zx_obj_type_t type,
		       const struct zxhv_rights_req *req,
		       zx_status_t (*fn)(struct zxhv_object *obj, void *arg), void *arg)
{
	struct zxhv_handle *h;
	zx_status_t status;

	spin_lock(&t->lock);
	h = zxhv_handle_find_req(t, value, type, req, &status);
	if (h)
		status = fn(h->obj, arg);
	spin_unlock(&t->lock);
	return status;
}

/* zxhv_handle_lookup_req() needing every right in @rights. */
static inline zx_status_t zxhv_handle_lookup(struct zxhv_handle_table *t, zx_handle_t value,
					     zx_obj_type_t type, zx_rights_t rights,
					     struct zxhv_object **obj, zx_rights_t *rights_out)
{
	const struct zxhv_rights_req req = { .rights = rights };

	return zxhv_handle_lookup_req(t, value, type, &req, obj, rights_out);
}

/*
 * Removes the handle @value from @t and gives it to the caller in *@h.  The
 * handle must satisfy @req: otherwise it stays in the table and the result
 * is ZX_ERR_ACCESS_DENIED.
 */
zx_status_t zxhv_handle_take_req(struct zxhv_handle_table *t, zx_handle_t value,
				 const struct zxhv_rights_req *req, struct zxhv_handle **h);

/* zxhv_handle_take_req() needing every right in @rights (0: none). */
static inline zx_status_t zxhv_handle_take(struct zxhv_handle_table *t, zx_handle_t value,
					   zx_rights_t rights, struct zxhv_handle **h)
{
	const struct zxhv_rights_req req = { .rights = rights };

	return zxhv_handle_take_req(t, value, &req, h);
}

/* zx_handle_close(): ZX_HANDLE_INVALID is ZX_OK, an unknown value BAD_HANDLE. */
zx_status_t zxhv_handle_close(struct zxhv_handle_table *t, zx_handle_t value);

/*
 * Rights arithmetic of zx_handle_duplicate()/zx_handle_replace(): @req is
 * ZX_RIGHT_SAME_RIGHTS (the result is @src) or a subset of @src (the result
 * is @req); anything else is ZX_ERR_INVALID_ARGS.
 */
zx_status_t zxhv_rights_derive(zx_rights_t src, zx_rights_t req, zx_rights_t *out);

/* zxhv_handle_lookup() @type that accepts any object. */
#define ZXHV_OBJ_TYPE_ANY ((zx_obj_type_t)0u)

#endif /* ZXHV_HANDLE_H */
