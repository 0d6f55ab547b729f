// SPDX-License-Identifier: GPL-2.0-only
/*
 * Resource objects and the privilege check for the hypervisor resource.
 */
#include <linux/capability.h>
#include <linux/compiler.h>
#include <linux/cred.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "resource.h"

/* Read with READ_ONCE(): root may change it through sysfs at any time. */
static int hypervisor_gid = -1;
module_param(hypervisor_gid, int, 0644);
MODULE_PARM_DESC(hypervisor_gid,
		 "gid (initial user namespace) whose members may get the hypervisor resource; CAP_SYS_ADMIN always may (default: -1, no group)");

static void zxhv_resource_destroy(struct zxhv_object *obj)
{
	kfree(zxhv_resource_from(obj));
}

static const struct zxhv_object_ops zxhv_resource_ops = {
	.type = ZX_OBJ_TYPE_RESOURCE,
	.destroy = zxhv_resource_destroy,
};

zx_status_t zxhv_resource_parse_options(u32 options, zx_rsrc_kind_t *kind,
					zx_rsrc_flags_t *flags)
{
	*kind = ZX_RSRC_EXTRACT_KIND(options);
	*flags = ZX_RSRC_EXTRACT_FLAGS(options);
	if (*kind >= ZX_RSRC_KIND_COUNT || (*flags & ~ZX_RSRC_FLAGS_MASK))
		return ZX_ERR_INVALID_ARGS;
	return ZX_OK;
}

zx_status_t zxhv_resource_create(zx_rsrc_kind_t kind, zx_rsrc_flags_t flags,
				 u64 base, u64 size, const char *name,
				 struct zxhv_resource **out)
{
	struct zxhv_resource *res = kzalloc(sizeof(*res), GFP_KERNEL_ACCOUNT);

	if (!res)
		return ZX_ERR_NO_MEMORY;
	zxhv_object_init(&res->obj, &zxhv_resource_ops);
	res->kind = kind;
	res->flags = flags;
	res->base = base;
	res->size = size;
	strscpy(res->name, name, sizeof(res->name));
	*out = res;
	return ZX_OK;
}

zx_status_t zxhv_resource_validate_ranged(struct zxhv_object *obj, zx_rsrc_kind_t kind,
					  u64 base, u64 size)
{
	struct zxhv_resource *res;
	u64 offset;

	if (zxhv_object_type(obj) != ZX_OBJ_TYPE_RESOURCE)
		return ZX_ERR_WRONG_TYPE;
	res = zxhv_resource_from(obj);
	if (res->kind == ZX_RSRC_KIND_ROOT)
		return ZX_OK;
	if (res->kind != kind)
		return ZX_ERR_WRONG_TYPE;
	/* [base, base + size) inside [res->base, res->base + res->size), without overflow. */
	if (base < res->base)
		return ZX_ERR_OUT_OF_RANGE;
	offset = base - res->base;
	if (offset > res->size || size > res->size - offset)
		return ZX_ERR_OUT_OF_RANGE;
	return ZX_OK;
}

bool zxhv_hypervisor_allowed(int gid_param, bool (*in_group)(kgid_t gid),
			     bool (*privileged)(void))
{
	kgid_t gid;

	/* Group first: a member never reaches capable() and its audit record. */
	if (gid_param >= 0) {
		gid = make_kgid(&init_user_ns, gid_param);
		if (gid_valid(gid) && in_group(gid))
			return true;
	}
	return privileged();
}

static bool zxhv_current_in_group(kgid_t gid)
{
	return in_group_p(gid);
}

static bool zxhv_current_sys_admin(void)
{
	return capable(CAP_SYS_ADMIN);
}

bool zxhv_hypervisor_resource_allowed(void)
{
	return zxhv_hypervisor_allowed(READ_ONCE(hypervisor_gid), zxhv_current_in_group,
				       zxhv_current_sys_admin);
}
