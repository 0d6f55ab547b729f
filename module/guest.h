/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests (zx_guest_create, zx_guest_set_trap; docs/api.md §1): a virtual machine's
 * guest-physical address space, its traps and its hardware state.
 *
 * A guest owns:
 *  - @gpas, the guest-physical address space [0, 2^48) that the VMAR handle
 *    of zx_guest_create() stands for (module/guest_vmar.h).  Mappings only
 *    change @gpas; the EPT is filled lazily on EPT violations, and every
 *    change that removes or reduces access removes the EPT translations of
 *    the range (zxhv_arch_guest_invalidate(), from @gpas's invalidate
 *    callback, under its write lock);
 *  - @traps (module/trap_map.h);
 *  - @arch: VMX operation for as long as the guest exists, and the EPT.
 *
 * Lifetime: the guest object is referenced by its handles, by its VMAR
 * object (whatever handles that has) and later by its VCPUs; it is
 * destroyed, its BELL packets cancelled and VMX released, when the last of
 * them is gone.
 */
#ifndef ZXHV_GUEST_H
#define ZXHV_GUEST_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/types.h>
#include <zircon/syscalls/hypervisor.h>
#include <zircon/types.h>

#include "id_alloc.h"
#include "object.h"
#include "trap_map.h"

struct zxhv_arch_guest;
struct zxhv_gpas;
struct zxhv_port;

/* Size of the guest-physical address space (Zircon's MMU_GUEST_SIZE_SHIFT 48 on x86). */
#define ZXHV_GUEST_PHYS_SIZE	BIT_ULL(48)

/* Alignment of MEM and BELL trap addresses and sizes. */
#define ZXHV_GUEST_TRAP_ALIGN	4096ull

/* VPIDs of a guest's VCPUs: [1, 63], so at most 63 VCPUs (docs/api.md §1). */
#define ZXHV_GUEST_FIRST_VPID	1
#define ZXHV_GUEST_LAST_VPID	63

/* All fields are set by zxhv_guest_create() and never change. */
struct zxhv_guest {
	struct zxhv_object obj;
	struct zxhv_gpas *gpas;		/* priv: this guest */
	struct zxhv_arch_guest *arch;
	struct zxhv_trap_map traps;	/* has its own lock */
	struct zxhv_id_alloc vpids;	/* has its own lock */
	atomic_t vcpus;			/* VCPUs alive (module/vcpu.c) */
};

/*
 * A new guest with one reference and no handles.  Statuses:
 * ZX_ERR_NOT_SUPPORTED (no usable VMX), ZX_ERR_NO_MEMORY.  Sleeps.  Its
 * VMAR (module/guest_vmar.h) is made by the caller.
 */
zx_status_t zxhv_guest_create(struct zxhv_guest **guest);

static inline struct zxhv_object *zxhv_guest_object(struct zxhv_guest *guest)
{
	return &guest->obj;
}

/* @obj must be a ZX_OBJ_TYPE_GUEST object. */
static inline struct zxhv_guest *zxhv_guest_from_object(struct zxhv_object *obj)
{
	return container_of(obj, struct zxhv_guest, obj);
}

/*
 * zx_guest_set_trap() after the handle lookups; @port is NULL for
 * ZX_HANDLE_INVALID.  In this order: MEM and IO with a port, BELL without
 * one, or another kind: ZX_ERR_INVALID_ARGS; MEM/BELL with @addr or @size
 * not 4096-aligned: ZX_ERR_INVALID_ARGS; MEM/BELL then unmap [@addr,
 * @addr + @size) from the address space and return that unmap's error as
 * is (size 0, a range leaving [0, 2^48) or wrapping: INVALID_ARGS;
 * NO_MEMORY); finally zxhv_trap_map_insert()'s statuses.  The unmap is not
 * undone when the insertion fails (Zircon's order).  Sleeps.
 */
zx_status_t zxhv_guest_set_trap(struct zxhv_guest *guest, zx_guest_trap_t kind, u64 addr,
				u64 size, struct zxhv_port *port, u64 key);

/* What the netlink family reports (module/genl.c).  Sleep. */
#define ZXHV_GUEST_LEAF_SIZES	3
/* The EPT leaves installed now: 4 KiB, 2 MiB, 1 GiB. */
void zxhv_guest_leaves(struct zxhv_guest *guest, u64 out[ZXHV_GUEST_LEAF_SIZES]);
/* Bytes of guest-physical memory mapped (not necessarily faulted in). */
u64 zxhv_guest_mapped_bytes(struct zxhv_guest *guest);

#endif /* ZXHV_GUEST_H */
