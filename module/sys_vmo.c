// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMO calls: zx_vmo_create, zx_vmo_get_size, zx_vmo_read/write,
 * zx_vmo_replace_as_executable.
 */
#include <linux/uaccess.h>
#include <zircon/rights.h>

#include "resource.h"
#include "sys_call.h"

ZXHV_SYSCALL_DEFINE(VMO_CREATE, vmo_create, zxhv_vmo_create)
{
	struct zxhv_vmo *vmo;
	zx_status_t status;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_vmo_create(a->size, a->options, &vmo);
	if (status != ZX_OK)
		return status;
	status = zxhv_sys_publish_object(c, zxhv_vmo_object(vmo), ZX_DEFAULT_VMO_RIGHTS, a->out);
	zxhv_vmo_put(vmo);
	return status;
}

ZXHV_SYSCALL_DEFINE(VMO_GET_SIZE, vmo_get_size, zxhv_vmo_get_size)
{
	struct zxhv_vmo *vmo;
	zx_status_t status;
	u64 size;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_sys_get_vmo(c, 0, a->handle, &vmo, NULL);
	if (status != ZX_OK)
		return status;
	size = zxhv_vmo_size(vmo);
	zxhv_vmo_put(vmo);
	if (put_user(size, (u64 __user *)u64_to_user_ptr(a->size)))
		return ZX_ERR_INVALID_ARGS;
	return ZX_OK;
}

/* zx_vmo_read/write: the table gives each its right (READ or WRITE). */
static zx_status_t zxhv_sys_vmo_rw(const struct zxhv_sys_ctx *c, struct zxhv_vmo_rw *a,
				   bool write)
{
	struct zxhv_vmo *vmo;
	zx_status_t status;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_sys_get_vmo(c, 0, a->handle, &vmo, NULL);
	if (status != ZX_OK)
		return status;
	if (write)
		status = zxhv_vmo_write(vmo, u64_to_user_ptr(a->buffer), a->offset,
					a->buffer_size);
	else
		status = zxhv_vmo_read(vmo, u64_to_user_ptr(a->buffer), a->offset,
				       a->buffer_size);
	zxhv_vmo_put(vmo);
	return status;
}

ZXHV_SYSCALL_DEFINE(VMO_READ, vmo_read, zxhv_vmo_rw)
{
	return zxhv_sys_vmo_rw(c, a, false);
}

ZXHV_SYSCALL_DEFINE(VMO_WRITE, vmo_write, zxhv_vmo_rw)
{
	return zxhv_sys_vmo_rw(c, a, true);
}

/*
 * The vmex resource is checked first but its verdict given only after the
 * source was found (and removed) and is a VMO: like zx_handle_replace, the
 * source is closed whatever happens after it was found.
 */
ZXHV_SYSCALL_DEFINE(VMO_REPLACE_AS_EXECUTABLE, vmo_replace_as_executable,
		    zxhv_vmo_replace_as_executable)
{
	zx_status_t vmex_status = ZX_OK;
	struct zxhv_object *vmex;
	struct zxhv_handle *h;
	zx_status_t status;

	if (a->vmex != ZX_HANDLE_INVALID) {
		vmex_status = zxhv_sys_get(c, 1, a->vmex, ZXHV_OBJ_TYPE_ANY, &vmex, NULL);
		if (vmex_status == ZX_OK) {
			vmex_status = zxhv_resource_validate_ranged(vmex, ZX_RSRC_KIND_SYSTEM,
								    ZX_RSRC_SYSTEM_VMEX_BASE, 1);
			zxhv_object_put(vmex);
		}
	}
	status = zxhv_sys_take(c, 0, a->handle, &h);
	if (status != ZX_OK)
		return status;
	if (zxhv_object_type(h->obj) != ZX_OBJ_TYPE_VMO)
		status = ZX_ERR_WRONG_TYPE;
	else
		status = vmex_status;
	if (status != ZX_OK) {
		zxhv_handle_free(h);
		return status;
	}
	h->rights |= ZX_RIGHT_EXECUTE;
	return zxhv_sys_publish_handle(c, h, a->out);
}
