// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest objects: creation (VMX, EPT, address space, trap map), traps, and
 * teardown in the reverse order.  See guest.h.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <zircon/errors.h>

#include "arch.h"
#include "gpas.h"
#include "guest.h"
#include "notify.h"
#include "vmo.h"

static void zxhv_guest_vmo_get(struct zxhv_vmo *vmo)
{
	zxhv_vmo_get(vmo);
}

static void zxhv_guest_vmo_put(struct zxhv_vmo *vmo)
{
	zxhv_vmo_put(vmo);
}

/* The address space lost access to a range: drop its EPT translations. */
static void zxhv_guest_invalidate(struct zxhv_gpas *gpas, u64 gpa, u64 len)
{
	struct zxhv_guest *guest = zxhv_gpas_priv(gpas);

	zxhv_arch_guest_invalidate(guest->arch, gpa, len);
}

static const struct zxhv_gpas_ops zxhv_guest_gpas_ops = {
	.vmo_get = zxhv_guest_vmo_get,
	.vmo_put = zxhv_guest_vmo_put,
	.vmo_page = zxhv_vmo_get_run,
	.invalidate = zxhv_guest_invalidate,
};

static void zxhv_guest_destroy(struct zxhv_object *obj)
{
	struct zxhv_guest *guest = zxhv_guest_from_object(obj);

	zxhv_notify(ZXHV_EVENT_GUEST_DESTROYED, obj->koid);
	zxhv_trap_map_destroy(&guest->traps);
	zxhv_gpas_destroy(guest->gpas);
	zxhv_arch_guest_destroy(guest->arch);
	kfree(guest);
}

static const struct zxhv_object_ops zxhv_guest_ops = {
	.type = ZX_OBJ_TYPE_GUEST,
	.destroy = zxhv_guest_destroy,
};

zx_status_t zxhv_guest_create(struct zxhv_guest **out)
{
	struct zxhv_guest *guest;
	zx_status_t status;

	guest = kzalloc(sizeof(*guest), GFP_KERNEL_ACCOUNT);
	if (!guest)
		return ZX_ERR_NO_MEMORY;
	/* VMX first: without it the answer is NOT_SUPPORTED, whatever else. */
	status = zxhv_arch_guest_create(&guest->arch);
	if (status != ZX_OK)
		goto err_free;
	status = zxhv_gpas_create(ZXHV_GUEST_PHYS_SIZE, &zxhv_guest_gpas_ops, guest,
				  &guest->gpas);
	if (status != ZX_OK)
		goto err_arch;
	zxhv_trap_map_init(&guest->traps);
	zxhv_id_alloc_init(&guest->vpids, ZXHV_GUEST_FIRST_VPID, ZXHV_GUEST_LAST_VPID);
	/* From here on the guest is whole: its destroy op undoes everything. */
	zxhv_object_init(&guest->obj, &zxhv_guest_ops);
	zxhv_notify(ZXHV_EVENT_GUEST_CREATED, guest->obj.koid);
	*out = guest;
	return ZX_OK;

err_arch:
	zxhv_arch_guest_destroy(guest->arch);
err_free:
	kfree(guest);
	return status;
}

zx_status_t zxhv_guest_set_trap(struct zxhv_guest *guest, zx_guest_trap_t kind, u64 addr,
				u64 size, struct zxhv_port *port, u64 key)
{
	zx_status_t status;

	switch (kind) {
	case ZX_GUEST_TRAP_MEM:
	case ZX_GUEST_TRAP_IO:
		if (port)
			return ZX_ERR_INVALID_ARGS;
		break;
	case ZX_GUEST_TRAP_BELL:
		if (!port)
			return ZX_ERR_INVALID_ARGS;
		break;
	default:
		return ZX_ERR_INVALID_ARGS;
	}
	if (kind != ZX_GUEST_TRAP_IO) {
		if (!IS_ALIGNED(addr, ZXHV_GUEST_TRAP_ALIGN) ||
		    !IS_ALIGNED(size, ZXHV_GUEST_TRAP_ALIGN))
			return ZX_ERR_INVALID_ARGS;
		/* Accesses must fault to reach the trap: punch a hole. */
		status = zxhv_gpas_unmap(guest->gpas, addr, size);
		if (status != ZX_OK)
			return status;
	}
	status = zxhv_trap_map_insert(&guest->traps, kind, addr, size, port, key);
	if (status == ZX_OK)
		zxhv_notify(ZXHV_EVENT_TRAP_SET, guest->obj.koid);
	return status;
}

void zxhv_guest_leaves(struct zxhv_guest *guest, u64 out[ZXHV_GUEST_LEAF_SIZES])
{
	unsigned long n[ZXHV_ARCH_LEAF_SIZES];

	BUILD_BUG_ON(ZXHV_GUEST_LEAF_SIZES != ZXHV_ARCH_LEAF_SIZES);
	zxhv_gpas_read_lock(guest->gpas);
	zxhv_arch_guest_leaves(guest->arch, n);
	zxhv_gpas_read_unlock(guest->gpas);
	out[0] = n[ZXHV_ARCH_LEAF_4K];
	out[1] = n[ZXHV_ARCH_LEAF_2M];
	out[2] = n[ZXHV_ARCH_LEAF_1G];
}

u64 zxhv_guest_mapped_bytes(struct zxhv_guest *guest)
{
	return zxhv_gpas_mapped_bytes(guest->gpas);
}
