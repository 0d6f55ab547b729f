// SPDX-License-Identifier: GPL-2.0-only
/*
 * What every handler in module/sys_<object>.c uses: the handle argument's
 * rule from the call's table row, the one typed lookup with that rule, and
 * publishing a new handle to userspace last (sys_call.h).  Below the
 * handlers and the table (docs/design.md, the ladder).
 */
#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/uaccess.h>
#include <zircon-hv.h>

#include "handle.h"
#include "object.h"
#include "sys_call.h"

const struct zxhv_rights_req *zxhv_sys_req(const struct zxhv_sys_ctx *c, unsigned int arg)
{
	/* No handle holds every bit (SAME_RIGHTS is no right): fails closed. */
	static const struct zxhv_rights_req impossible = { .rights = ~(zx_rights_t)0 };

	/* A handler asking for an argument its row does not describe is a bug. */
	if (WARN_ON_ONCE(arg >= ZXHV_SYS_MAX_HANDLES || !c->call->handle[arg].present))
		return &impossible;
	return &c->call->handle[arg].req;
}

zx_status_t zxhv_sys_get(const struct zxhv_sys_ctx *c, unsigned int arg, zx_handle_t value,
			 zx_obj_type_t type, struct zxhv_object **obj, zx_rights_t *rights)
{
	return zxhv_handle_lookup_req(c->handles, value, type, zxhv_sys_req(c, arg), obj,
				      rights);
}

zx_status_t zxhv_sys_take(const struct zxhv_sys_ctx *c, unsigned int arg, zx_handle_t value,
			  struct zxhv_handle **h)
{
	return zxhv_handle_take_req(c->handles, value, zxhv_sys_req(c, arg), h);
}

zx_status_t zxhv_sys_publish_handle(const struct zxhv_sys_ctx *c, struct zxhv_handle *h,
				    u64 uout)
{
	zx_handle_t __user *out = u64_to_user_ptr(uout);
	zx_handle_t value;
	zx_status_t status;

	status = zxhv_handle_insert(c->handles, h, &value);
	if (status != ZX_OK) {
		zxhv_handle_free(h);
		return status;
	}
	if (put_user(value, out)) {
		zxhv_handle_close(c->handles, value);
		return ZX_ERR_INVALID_ARGS;
	}
	return ZX_OK;
}

zx_status_t zxhv_sys_publish_object(const struct zxhv_sys_ctx *c, struct zxhv_object *obj,
				    zx_rights_t rights, u64 uout)
{
	struct zxhv_handle *h = zxhv_handle_new(obj, rights);

	if (!h)
		return ZX_ERR_NO_MEMORY;
	return zxhv_sys_publish_handle(c, h, uout);
}
