// SPDX-License-Identifier: GPL-2.0-only
/*
 * The common object header: koids, references, handle counts.
 */
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/cred.h>
#include <linux/kref.h>
#include <linux/pid.h>
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
 * Every live object, in koid order (koids are taken under the lock, so
 * appending keeps the order).  An object leaves it when its last reference
 * goes, before it is destroyed; lookups take a reference only from
 * objects whose count is not zero yet.
 */
static LIST_HEAD(zxhv_objects);
static DEFINE_SPINLOCK(zxhv_objects_lock);

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
	list_add_tail(&obj->registry, &zxhv_objects);
	spin_unlock(&zxhv_objects_lock);
}

static void zxhv_object_release(struct kref *ref)
{
	struct zxhv_object *obj = container_of(ref, struct zxhv_object, ref);

	WARN_ON_ONCE(atomic_read(&obj->handles));
	spin_lock(&zxhv_objects_lock);
	list_del(&obj->registry);
	spin_unlock(&zxhv_objects_lock);
	put_pid(obj->owner);
	obj->ops->destroy(obj);
}

static struct zxhv_object *zxhv_object_find(zx_koid_t koid, zx_obj_type_t type, bool exact)
{
	struct zxhv_object *obj, *found = NULL;

	spin_lock(&zxhv_objects_lock);
	list_for_each_entry(obj, &zxhv_objects, registry) {
		if (obj->koid < koid)
			continue;
		if (exact && obj->koid != koid)
			break;
		if ((!type || obj->ops->type == type) && kref_get_unless_zero(&obj->ref)) {
			found = obj;
			break;
		}
		if (exact)
			break;
	}
	spin_unlock(&zxhv_objects_lock);
	return found;
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
