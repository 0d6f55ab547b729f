// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMAR calls: zx_vmar_root_self and zx_vmar_map/unmap/protect.  A handle
 * names either a host VMAR or a guest-physical one; both are reached
 * through their struct zxhv_vmar_ops (module/vmar.h), which also check the
 * ZX_VM_PERM_* rights.
 */
#include <linux/uaccess.h>

#include "sys_call.h"

ZXHV_SYSCALL_DEFINE(VMAR_ROOT_SELF, vmar_root_self, zxhv_vmar_root_self)
{
	struct zxhv_vmar *vmar;
	zx_status_t status;

	vmar = zxhv_vmar_create_root();
	if (!vmar)
		return ZX_ERR_NO_MEMORY;
	status = zxhv_sys_publish_object(c, zxhv_vmar_object(vmar), ZXHV_ROOT_VMAR_RIGHTS,
					 a->out);
	zxhv_object_put(zxhv_vmar_object(vmar));
	return status;
}

/* The VMAR is looked up first, then the VMO. */
ZXHV_SYSCALL_DEFINE(VMAR_MAP, vmar_map, zxhv_vmar_map)
{
	zx_rights_t vmar_rights, vmo_rights;
	struct zxhv_vmar *vmar;
	struct zxhv_vmo *vmo;
	zx_status_t status;
	u64 addr = 0;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_sys_get_vmar(c, 0, a->handle, &vmar, &vmar_rights);
	if (status != ZX_OK)
		return status;
	status = zxhv_sys_get_vmo(c, 1, a->vmo, &vmo, &vmo_rights);
	if (status != ZX_OK)
		goto out_vmar;
	status = zxhv_vmar_map(vmar, vmar_rights, a->options, a->vmar_offset, vmo, vmo_rights,
			       a->vmo_offset, a->len, &addr);
	/* A mapped address that cannot be reported is unmapped again. */
	if (status == ZX_OK &&
	    put_user(addr, (u64 __user *)u64_to_user_ptr(a->mapped_addr))) {
		zxhv_vmar_unmap(vmar, addr, a->len);
		status = ZX_ERR_INVALID_ARGS;
	}
	zxhv_vmo_put(vmo);
out_vmar:
	zxhv_object_put(zxhv_vmar_object(vmar));
	return status;
}

ZXHV_SYSCALL_DEFINE(VMAR_UNMAP, vmar_unmap, zxhv_vmar_range)
{
	struct zxhv_vmar *vmar;
	zx_status_t status;

	if (a->options)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_sys_get_vmar(c, 0, a->handle, &vmar, NULL);
	if (status != ZX_OK)
		return status;
	status = zxhv_vmar_unmap(vmar, a->addr, a->len);
	zxhv_object_put(zxhv_vmar_object(vmar));
	return status;
}

ZXHV_SYSCALL_DEFINE(VMAR_PROTECT, vmar_protect, zxhv_vmar_range)
{
	struct zxhv_vmar *vmar;
	zx_rights_t rights;
	zx_status_t status;

	status = zxhv_sys_get_vmar(c, 0, a->handle, &vmar, &rights);
	if (status != ZX_OK)
		return status;
	status = zxhv_vmar_protect(vmar, rights, a->options, a->addr, a->len);
	zxhv_object_put(zxhv_vmar_object(vmar));
	return status;
}
