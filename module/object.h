/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel objects (guest, VCPU, VMO, VMAR, port, resource): the common
 * header every object type embeds.  Objects are reference counted; handles
 * (module/handle.h) hold one reference each and also count separately, so
 * that an object can react when its last handle goes away (a port then
 * refuses kernel packets; a VCPU is destroyed) even while the kernel still
 * holds references.
 */
#ifndef ZXHV_OBJECT_H
#define ZXHV_OBJECT_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/uidgid.h>
#include <zircon/types.h>

struct pid;
struct zxhv_object;

struct zxhv_object_ops {
	/* ZX_OBJ_TYPE_* of every object with these ops. */
	zx_obj_type_t type;
	/*
	 * Optional.  Called once the handle count drops to zero, from the
	 * context that closed the last handle (process context, may sleep).
	 * The object may still be referenced by the kernel afterwards.
	 */
	void (*on_zero_handles)(struct zxhv_object *obj);
	/* Required.  Frees the object; called when the last reference goes. */
	void (*destroy)(struct zxhv_object *obj);
};

struct zxhv_object {
	struct kref ref;	/* handles + in-kernel users */
	atomic_t handles;	/* handles in any handle table or exported fd */
	zx_koid_t koid;		/* unique, never reused; set by zxhv_object_init() */
	const struct zxhv_object_ops *ops;
	/*
	 * Who made it, for the netlink family (module/genl.h): the creating
	 * process (a reference), its effective uid and command name, and
	 * CLOCK_REALTIME then.  Immutable.
	 */
	struct pid *owner;
	kuid_t owner_euid;
	char owner_comm[TASK_COMM_LEN];
	u64 created_ns;
	struct rb_node registry;	/* every live object, by type and koid; object.c */
};

/* Gives @obj one reference, no handles, and a fresh koid. */
void zxhv_object_init(struct zxhv_object *obj, const struct zxhv_object_ops *ops);

static inline void zxhv_object_get(struct zxhv_object *obj)
{
	kref_get(&obj->ref);
}

/* Drops a reference; the last one calls ops->destroy(). */
void zxhv_object_put(struct zxhv_object *obj);

/*
 * Handle-count bookkeeping, for module/handle.c only.  Adding a handle also
 * takes a reference; removing one calls ops->on_zero_handles() when it was
 * the last handle, then drops that reference.  Process context only.
 */
void zxhv_object_handle_added(struct zxhv_object *obj);
void zxhv_object_handle_removed(struct zxhv_object *obj);

/*
 * The registry of live objects, for observers (module/genl.c).  Both return
 * the first object of @type with a koid >= @koid that still has references,
 * with a new reference, or NULL; _koid returns only @koid itself.  O(log n)
 * in the number of live objects.  Any context but hard IRQ.
 */
struct zxhv_object *zxhv_object_get_next(zx_koid_t koid, zx_obj_type_t type);
struct zxhv_object *zxhv_object_get_koid(zx_koid_t koid, zx_obj_type_t type);

static inline zx_obj_type_t zxhv_object_type(const struct zxhv_object *obj)
{
	return obj->ops->type;
}

#endif /* ZXHV_OBJECT_H */
