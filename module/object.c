// SPDX-License-Identifier: GPL-2.0-only
/*
 * The common object header: koids, references, handle counts.
 */
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/cred.h>
#include <linux/kref.h>
#include <linux/pid.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>

#include "object.h"

/*
 * Koids come from one global counter and are never reused.  Zircon reserves
 * the low values (ZX_KOID_INVALID is 0, a few are kernel-internal), so the
 * first object gets 1024.
 */
#define ZXHV_FIRST_KOID 1024

static atomic64_t zxhv_next_koid = ATOMIC64_INIT(ZXHV_FIRST_KOID);

/*
 * Every live object, in a tree ordered by type, then koid: a lookup or the
 * next object of a type is O(log n) whatever else lives, so an observer's
 * dump of one type is O(n log n) and never walks the others.  An object
 * leaves it when its last reference goes, before it is destroyed; lookups
 * take a reference only from objects whose count is not zero yet.
 */
static struct rb_root zxhv_objects = RB_ROOT;
static DEFINE_SPINLOCK(zxhv_objects_lock);

/* Does (@type, @koid) sort before (@type2, @koid2)? */
static bool zxhv_object_before(zx_obj_type_t type, zx_koid_t koid, zx_obj_type_t type2,
			       zx_koid_t koid2)
{
	return type < type2 || (type == type2 && koid < koid2);
}

static bool zxhv_object_less(struct rb_node *a, const struct rb_node *b)
{
	const struct zxhv_object *x = rb_entry(a, struct zxhv_object, registry);
	const struct zxhv_object *y = rb_entry(b, struct zxhv_object, registry);

	return zxhv_object_before(x->ops->type, x->koid, y->ops->type, y->koid);
}

void zxhv_object_init(struct zxhv_object *obj, const struct zxhv_object_ops *ops)
{
	kref_init(&obj->ref);
	atomic_set(&obj->handles, 0);
	obj->ops = ops;
	obj->owner = get_task_pid(current, PIDTYPE_TGID);
	obj->owner_euid = current_euid();
	get_task_comm(obj->owner_comm, current);
	obj->created_ns = ktime_get_real_ns();
	spin_lock(&zxhv_objects_lock);
	obj->koid = atomic64_fetch_inc(&zxhv_next_koid);
	rb_add(&obj->registry, &zxhv_objects, zxhv_object_less);
	spin_unlock(&zxhv_objects_lock);
}

static void zxhv_object_release(struct kref *ref)
{
	struct zxhv_object *obj = container_of(ref, struct zxhv_object, ref);

	WARN_ON_ONCE(atomic_read(&obj->handles));
	spin_lock(&zxhv_objects_lock);
	rb_erase(&obj->registry, &zxhv_objects);
	spin_unlock(&zxhv_objects_lock);
	put_pid(obj->owner);
	obj->ops->destroy(obj);
}

/* The first object of @type with a koid >= @koid, or NULL.  Caller holds the lock. */
static struct zxhv_object *zxhv_object_from(zx_koid_t koid, zx_obj_type_t type)
{
	struct rb_node *n = zxhv_objects.rb_node;
	struct zxhv_object *obj, *best = NULL;

	while (n) {
		obj = rb_entry(n, struct zxhv_object, registry);
		if (zxhv_object_before(obj->ops->type, obj->koid, type, koid)) {
			n = n->rb_right;
		} else {
			best = obj;
			n = n->rb_left;
		}
	}
	return best && best->ops->type == type ? best : NULL;
}

/* The object after @obj if it has @obj's type, or NULL.  Caller holds the lock. */
static struct zxhv_object *zxhv_object_next_of_type(struct zxhv_object *obj)
{
	struct rb_node *n = rb_next(&obj->registry);
	struct zxhv_object *next = n ? rb_entry(n, struct zxhv_object, registry) : NULL;

	return next && next->ops->type == obj->ops->type ? next : NULL;
}

static struct zxhv_object *zxhv_object_find(zx_koid_t koid, zx_obj_type_t type, bool exact)
{
	struct zxhv_object *obj;

	spin_lock(&zxhv_objects_lock);
	for (obj = zxhv_object_from(koid, type); obj; obj = zxhv_object_next_of_type(obj)) {
		if (exact && obj->koid != koid) {
			obj = NULL;
			break;
		}
		if (kref_get_unless_zero(&obj->ref))
			break;
		/* Its last reference is going: the next one, unless only @koid would do. */
		if (exact) {
			obj = NULL;
			break;
		}
	}
	spin_unlock(&zxhv_objects_lock);
	return obj;
}

struct zxhv_object *zxhv_object_get_next(zx_koid_t koid, zx_obj_type_t type)
{
	return zxhv_object_find(koid, type, false);
}

struct zxhv_object *zxhv_object_get_koid(zx_koid_t koid, zx_obj_type_t type)
{
	return zxhv_object_find(koid, type, true);
}

void zxhv_object_put(struct zxhv_object *obj)
{
	kref_put(&obj->ref, zxhv_object_release);
}

void zxhv_object_handle_added(struct zxhv_object *obj)
{
	zxhv_object_get(obj);
	atomic_inc(&obj->handles);
}

void zxhv_object_handle_removed(struct zxhv_object *obj)
{
	if (atomic_dec_and_test(&obj->handles) && obj->ops->on_zero_handles)
		obj->ops->on_zero_handles(obj);
	zxhv_object_put(obj);
}
