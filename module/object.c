// SPDX-License-Identifier: GPL-2.0-only
/*
 * The common object header: koids, references, handle counts.
 */
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/kref.h>

#include "object.h"

/*
 * Koids come from one global counter and are never reused.  Zircon reserves
 * the low values (ZX_KOID_INVALID is 0, a few are kernel-internal), so the
 * first object gets 1024.
 */
#define ZXHV_FIRST_KOID 1024

static atomic64_t zxhv_next_koid = ATOMIC64_INIT(ZXHV_FIRST_KOID);

void zxhv_object_init(struct zxhv_object *obj, const struct zxhv_object_ops *ops)
{
	kref_init(&obj->ref);
	atomic_set(&obj->handles, 0);
	obj->koid = atomic64_fetch_inc(&zxhv_next_koid);
	obj->ops = ops;
}

static void zxhv_object_release(struct kref *ref)
{
	struct zxhv_object *obj = container_of(ref, struct zxhv_object, ref);

	WARN_ON_ONCE(atomic_read(&obj->handles));
	obj->ops->destroy(obj);
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
