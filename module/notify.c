// SPDX-License-Identifier: GPL-2.0-only
/* Object events to the one registered sink; see notify.h. */
#include <linux/rcupdate.h>

#include "notify.h"

static const struct zxhv_notify_sink __rcu *zxhv_notify_sink;

void zxhv_notify_set_sink(const struct zxhv_notify_sink *sink)
{
	rcu_assign_pointer(zxhv_notify_sink, sink);
	if (!sink)
		synchronize_rcu();
}

void zxhv_notify(enum zxhv_genl_event event, zx_koid_t koid)
{
	const struct zxhv_notify_sink *sink;

	rcu_read_lock();
	sink = rcu_dereference(zxhv_notify_sink);
	if (sink)
		sink->event(event, koid);
	rcu_read_unlock();
}
