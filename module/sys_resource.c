// SPDX-License-Identifier: GPL-2.0-only
/* Resource calls: zx_resource_create and zxhv_hypervisor_resource. */
#include <linux/minmax.h>
#include <linux/uaccess.h>
#include <zircon/rights.h>

#include "resource.h"
#include "sys_call.h"

ZXHV_SYSCALL_DEFINE(RESOURCE_CREATE, resource_create, zxhv_resource_create)
{
	char name[ZX_MAX_NAME_LEN] = "";
	struct zxhv_resource *res;
	struct zxhv_object *parent;
	zx_rsrc_flags_t flags;
	zx_rsrc_kind_t kind;
	zx_status_t status;
	size_t len;

	status = zxhv_sys_get(c, 0, a->parent, ZX_OBJ_TYPE_RESOURCE, &parent, NULL);
	if (status != ZX_OK)
		return status;
	status = zxhv_resource_parse_options(a->options, &kind, &flags);
	if (status != ZX_OK)
		goto out_put;
	/* The parent must be ROOT or cover the new range of the same kind. */
	if (zxhv_resource_validate_ranged(parent, kind, a->base, a->size) != ZX_OK) {
		status = ZX_ERR_ACCESS_DENIED;
		goto out_put;
	}
	len = min_t(u64, a->name_size, ZX_MAX_NAME_LEN - 1);
	if (len && copy_from_user(name, u64_to_user_ptr(a->name), len)) {
		status = ZX_ERR_INVALID_ARGS;
		goto out_put;
	}
	name[len] = '\0';
	status = zxhv_resource_create(kind, flags, a->base, a->size, name, &res);
	if (status != ZX_OK)
		goto out_put;
	status = zxhv_sys_publish_object(c, &res->obj, ZX_DEFAULT_RESOURCE_RIGHTS, a->out);
	zxhv_object_put(&res->obj);
out_put:
	zxhv_object_put(parent);
	return status;
}

ZXHV_SYSCALL_DEFINE(HYPERVISOR_RESOURCE, hypervisor_resource, zxhv_hypervisor_resource)
{
	struct zxhv_resource *res;
	zx_status_t status;

	if (!zxhv_hypervisor_resource_allowed())
		return ZX_ERR_ACCESS_DENIED;
	status = zxhv_resource_create(ZX_RSRC_KIND_SYSTEM, 0, ZX_RSRC_SYSTEM_HYPERVISOR_BASE, 1,
				      "hypervisor", &res);
	if (status != ZX_OK)
		return status;
	status = zxhv_sys_publish_object(c, &res->obj, ZX_DEFAULT_RESOURCE_RIGHTS, a->out);
	zxhv_object_put(&res->obj);
	return status;
}
