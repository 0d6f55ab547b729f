/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Object events for observers: a guest or VCPU created or destroyed, a
 * trap set, a VCPU whose zx_vcpu_enter failed.  The objects report them
 * here with only the event and the koid; the netlink family
 * (module/genl.c) registers the one sink, which multicasts them.  Events
 * raised while no sink is registered are dropped.
 */
#ifndef ZXHV_NOTIFY_H
#define ZXHV_NOTIFY_H

#include <linux/types.h>
#include <zircon/types.h>

#include "../uapi/zircon-hv-genl.h"

struct zxhv_notify_sink {
	/* Under rcu_read_lock(): must not sleep. */
	void (*event)(enum zxhv_genl_event event, zx_koid_t koid);
};

/*
 * Installs @sink (NULL: removes it).  Removal waits until no call of the
 * old sink is in progress.  Module init and exit only.  Sleeps.
 */
void zxhv_notify_set_sink(const struct zxhv_notify_sink *sink);

/* Passes the event to the sink, if any.  Any context but hard IRQ; never sleeps. */
void zxhv_notify(enum zxhv_genl_event event, zx_koid_t koid);

#endif /* ZXHV_NOTIFY_H */
