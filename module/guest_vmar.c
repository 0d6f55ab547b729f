// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest-physical VMAR: a VMAR object that forwards to its guest's
 * address space (module/gpas.h).  See guest_vmar.h.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <zircon/errors.h>

#include "gpas.h"
#include "guest.h"
#include "guest_vmar.h"
#include "vmar.h"
#include "vmo.h"

struct zxhv_guest_vmar {
	struct zxhv_vmar vmar;
	struct zxhv_guest *guest;	/* a reference; immutable */
};

static struct zxhv_guest *zxhv_guest_vmar_guest(struct zxhv_vmar *vmar)
{
	return container_of(vmar, struct zxhv_guest_vmar, vmar)->guest;
}

static zx_status_t zxhv_guest_vmar_map(struct zxhv_vmar *vmar, zx_rights_t vmar_rights,
				       zx_vm_option_t options, u64 gpa, struct zxhv_vmo *vmo,
				       zx_rights_t vmo_rights, u64 vmo_offset, u64 len,
				       u64 *mapped_gpa)
{
	u32 max_perms, perms;
	zx_status_t status;

	status = zxhv_vmar_check_map(&options, vmo_rights, vmar_rights, &perms, &max_perms);
	if (status != ZX_OK)
		return status;
	if (!PAGE_ALIGNED(vmo_offset) || !PAGE_ALIGNED(gpa) || !PAGE_ALIGNED(len) || !len)
		return ZX_ERR_INVALID_ARGS;
	if (!(options & (ZX_VM_SPECIFIC | ZX_VM_SPECIFIC_OVERWRITE)) && gpa)
		return ZX_ERR_INVALID_ARGS;
	if (gpa >= ZXHV_GUEST_PHYS_SIZE || len > ZXHV_GUEST_PHYS_SIZE - gpa)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_vmar_check_vmo(vmo, options, vmo_offset, len);
	if (status != ZX_OK)
		return status;
	options &= ZXHV_GPAS_PERMS | ZX_VM_SPECIFIC | ZX_VM_SPECIFIC_OVERWRITE;
	return zxhv_gpas_map(zxhv_guest_vmar_guest(vmar)->gpas, options, gpa, vmo, vmo_offset,
			     len, max_perms, mapped_gpa);
}

static zx_status_t zxhv_guest_vmar_unmap(struct zxhv_vmar *vmar, u64 gpa, u64 len)
{
	return zxhv_gpas_unmap(zxhv_guest_vmar_guest(vmar)->gpas, gpa, len);
}

static zx_status_t zxhv_guest_vmar_protect(struct zxhv_vmar *vmar, zx_rights_t vmar_rights,
					   zx_vm_option_t options, u64 gpa, u64 len)
{
	zx_status_t status;
	u32 perms;

	status = zxhv_vmar_check_protect_options(options, vmar_rights, &perms);
	if (status != ZX_OK)
		return status;
	return zxhv_gpas_protect(zxhv_guest_vmar_guest(vmar)->gpas, gpa, len, perms);
}

static void zxhv_guest_vmar_destroy(struct zxhv_object *obj)
{
	struct zxhv_guest_vmar *gv = container_of(obj, struct zxhv_guest_vmar, vmar.obj);

	zxhv_object_put(zxhv_guest_object(gv->guest));
	kfree(gv);
}

static const struct zxhv_object_ops zxhv_guest_vmar_object_ops = {
	.type = ZX_OBJ_TYPE_VMAR,
	.destroy = zxhv_guest_vmar_destroy,
};

static const struct zxhv_vmar_ops zxhv_guest_vmar_ops = {
	.map = zxhv_guest_vmar_map,
	.unmap = zxhv_guest_vmar_unmap,
	.protect = zxhv_guest_vmar_protect,
};

struct zxhv_vmar *zxhv_guest_vmar_create(struct zxhv_guest *guest)
{
	struct zxhv_guest_vmar *gv = kzalloc(sizeof(*gv), GFP_KERNEL_ACCOUNT);

	if (!gv)
		return NULL;
	zxhv_vmar_init(&gv->vmar, &zxhv_guest_vmar_object_ops, &zxhv_guest_vmar_ops);
	zxhv_object_get(zxhv_guest_object(guest));
	gv->guest = guest;
	return &gv->vmar;
}
