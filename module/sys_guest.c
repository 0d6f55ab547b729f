// SPDX-License-Identifier: GPL-2.0-only
/* Guest calls: zx_guest_create and zx_guest_set_trap. */
#include <linux/uaccess.h>
#include <zircon/rights.h>

#include "guest_vmar.h"
#include "resource.h"
#include "sys_call.h"

/*
 * Resource first, then options (the newest kernel's order), then the
 * guest itself (NOT_SUPPORTED without VMX) and its VMAR.  Both handles go
 * into the table before either value is written out; a value that cannot
 * be written closes both, so a faulting pointer leaves nothing behind.
 */
ZXHV_SYSCALL_DEFINE(GUEST_CREATE, guest_create, zxhv_guest_create)
{
	zx_handle_t guest_h, vmar_h;
	struct zxhv_guest *guest;
	struct zxhv_object *res;
	struct zxhv_vmar *vmar;
	zx_status_t status;

	status = zxhv_sys_get(c, 0, a->resource, ZXHV_OBJ_TYPE_ANY, &res, NULL);
	if (status != ZX_OK)
		return status;
	status = zxhv_resource_validate_ranged(res, ZX_RSRC_KIND_SYSTEM,
					       ZX_RSRC_SYSTEM_HYPERVISOR_BASE, 1);
	zxhv_object_put(res);
	if (status != ZX_OK)
		return status;
	if (a->options != ZX_GUEST_OPT_NORMAL)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_guest_create(&guest);
	if (status != ZX_OK)
		return status;
	vmar = zxhv_guest_vmar_create(guest);
	if (!vmar) {
		status = ZX_ERR_NO_MEMORY;
		goto out_guest;
	}
	status = zxhv_handle_add(c->handles, zxhv_guest_object(guest), ZX_DEFAULT_GUEST_RIGHTS,
				 &guest_h);
	if (status != ZX_OK)
		goto out_put;
	status = zxhv_handle_add(c->handles, zxhv_vmar_object(vmar), ZXHV_GUEST_VMAR_RIGHTS,
				 &vmar_h);
	if (status != ZX_OK) {
		zxhv_handle_close(c->handles, guest_h);
		goto out_put;
	}
	if (put_user(guest_h, (zx_handle_t __user *)u64_to_user_ptr(a->guest_out)) ||
	    put_user(vmar_h, (zx_handle_t __user *)u64_to_user_ptr(a->vmar_out))) {
		zxhv_handle_close(c->handles, vmar_h);
		zxhv_handle_close(c->handles, guest_h);
		status = ZX_ERR_INVALID_ARGS;
	}
out_put:
	zxhv_object_put(zxhv_vmar_object(vmar));
out_guest:
	zxhv_object_put(zxhv_guest_object(guest));
	return status;
}

/* The guest needs WRITE; a port, if given, WRITE too; then guest.c decides. */
ZXHV_SYSCALL_DEFINE(GUEST_SET_TRAP, guest_set_trap, zxhv_guest_set_trap)
{
	struct zxhv_port *port = NULL;
	struct zxhv_guest *guest;
	zx_status_t status;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_sys_get_guest(c, 0, a->handle, &guest, NULL);
	if (status != ZX_OK)
		return status;
	if (a->port != ZX_HANDLE_INVALID) {
		status = zxhv_sys_get_port(c, 1, a->port, &port, NULL);
		if (status != ZX_OK)
			goto out_guest;
	}
	status = zxhv_guest_set_trap(guest, a->kind, a->addr, a->size, port, a->key);
	if (port)
		zxhv_object_put(zxhv_port_object(port));
out_guest:
	zxhv_object_put(zxhv_guest_object(guest));
	return status;
}
