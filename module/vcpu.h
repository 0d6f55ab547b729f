/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VCPUs (zx_vcpu_*; docs/api.md §1, §3.1): the generic half.  A VCPU belongs to
 * one guest (it holds a reference) and is bound to the thread that created
 * it: only that thread may enter it or read and write its state (else
 * ZX_ERR_BAD_STATE), and a thread has at most one VCPU at a time, over all
 * guests and processes.  Kick, interrupt, ZX_INFO_VCPU and closing work
 * from any thread, also after the bound thread exited.  Everything that
 * touches the hardware lives behind module/arch.h.
 *
 * Closing the last handle of a VCPU whose thread is inside zx_vcpu_enter()
 * kicks it: that enter returns ZX_ERR_BAD_HANDLE (the handle it was called
 * with is gone), and the VCPU is destroyed when the call has returned.
 */
#ifndef ZXHV_VCPU_H
#define ZXHV_VCPU_H

#include <linux/hashtable.h>
#include <linux/types.h>
#include <zircon/syscalls/hypervisor.h>
#include <zircon/syscalls/port.h>
#include <zircon/types.h>

#include "object.h"

struct pid;
struct zxhv_arch_vcpu;
struct zxhv_guest;

struct zxhv_vcpu {
	struct zxhv_object obj;
	struct zxhv_guest *guest;	/* a reference; immutable */
	u16 vpid;			/* immutable */
	struct pid *thread;		/* the bound thread (a reference); immutable */
	struct hlist_node thread_node;	/* in the thread registry (vcpu.c) */
	struct zxhv_arch_vcpu *arch;	/* immutable */
	bool closed;			/* last handle gone; read racily by enter */
};

/*
 * zx_vcpu_create after the guest handle's rights check: @entry >= 2^48
 * INVALID_ARGS; no VPID left NO_RESOURCES; the calling thread already has a
 * VCPU BAD_STATE; then the arch statuses (NO_MEMORY, NOT_SUPPORTED,
 * BAD_STATE).  The VCPU has one reference and no handles.  Sleeps.
 */
zx_status_t zxhv_vcpu_create(struct zxhv_guest *guest, u64 entry, struct zxhv_vcpu **out);

static inline struct zxhv_object *zxhv_vcpu_object(struct zxhv_vcpu *vcpu)
{
	return &vcpu->obj;
}

/* @obj must be a ZX_OBJ_TYPE_VCPU object. */
static inline struct zxhv_vcpu *zxhv_vcpu_from_object(struct zxhv_object *obj)
{
	return container_of(obj, struct zxhv_vcpu, obj);
}

/* Is the calling thread the one the VCPU is bound to? */
bool zxhv_vcpu_is_bound_thread(const struct zxhv_vcpu *vcpu);

/* The calls, after the handle lookups; see module/arch.h for statuses. */
zx_status_t zxhv_vcpu_enter(struct zxhv_vcpu *vcpu, zx_port_packet_t *packet);
void zxhv_vcpu_kick(struct zxhv_vcpu *vcpu);
zx_status_t zxhv_vcpu_interrupt(struct zxhv_vcpu *vcpu, u32 vector);
u32 zxhv_vcpu_info_flags(struct zxhv_vcpu *vcpu);
/* Bound thread only (BAD_STATE otherwise); kind and size already checked. */
zx_status_t zxhv_vcpu_read_state(struct zxhv_vcpu *vcpu, zx_vcpu_state_t *state);
zx_status_t zxhv_vcpu_write_state(struct zxhv_vcpu *vcpu, const zx_vcpu_state_t *state);
zx_status_t zxhv_vcpu_write_io(struct zxhv_vcpu *vcpu, const zx_vcpu_io_t *io);

/* Counters and state for the netlink family (module/genl.c); any thread. */
struct zxhv_arch_vcpu_stats;
void zxhv_vcpu_stats(struct zxhv_vcpu *vcpu, struct zxhv_arch_vcpu_stats *out);

#endif /* ZXHV_VCPU_H */
