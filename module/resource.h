/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Resource objects: a kind (ZX_RSRC_KIND_*), a range [base, base + size)
 * within that kind, flags and a name.  ZX_RSRC_KIND_ROOT covers everything.
 * On Linux the only way in is zxhv_hypervisor_resource() (a SYSTEM resource
 * over the hypervisor base, for privileged callers); zx_resource_create()
 * derives narrower resources from one.
 */
#ifndef ZXHV_RESOURCE_H
#define ZXHV_RESOURCE_H

#include <linux/types.h>
#include <linux/uidgid.h>
#include <zircon/syscalls/resource.h>
#include <zircon/types.h>

#include "object.h"

struct zxhv_resource {
	struct zxhv_object obj;
	/* All immutable after zxhv_resource_create(). */
	zx_rsrc_kind_t kind;
	zx_rsrc_flags_t flags;
	u64 base;
	u64 size;
	char name[ZX_MAX_NAME_LEN];
};

static inline struct zxhv_resource *zxhv_resource_from(struct zxhv_object *obj)
{
	return container_of(obj, struct zxhv_resource, obj);
}

/*
 * Splits zx_resource_create()'s options into kind and flags: an unknown
 * kind or a flag other than ZX_RSRC_FLAG_EXCLUSIVE is ZX_ERR_INVALID_ARGS.
 */
zx_status_t zxhv_resource_parse_options(u32 options, zx_rsrc_kind_t *kind,
					zx_rsrc_flags_t *flags);

/*
 * A new resource (one reference, no handles).  @name is copied, truncated
 * to ZX_MAX_NAME_LEN - 1 characters.  ZX_ERR_NO_MEMORY on failure.
 */
zx_status_t zxhv_resource_create(zx_rsrc_kind_t kind, zx_rsrc_flags_t flags,
				 u64 base, u64 size, const char *name,
				 struct zxhv_resource **out);

/*
 * Zircon's validate_ranged_resource(): ZX_OK if @obj is a ROOT resource, or
 * a resource of @kind whose range covers [base, base + size).
 * ZX_ERR_WRONG_TYPE if @obj is not a resource or is of another kind;
 * ZX_ERR_OUT_OF_RANGE if the range is not covered (or overflows).
 * Pure: reads immutable fields only.
 */
zx_status_t zxhv_resource_validate_ranged(struct zxhv_object *obj, zx_rsrc_kind_t kind,
					  u64 base, u64 size);

/*
 * The policy for the hypervisor resource: allowed if @gid_param (the module
 * parameter hypervisor_gid) is a gid >= 0 valid in the initial user
 * namespace and @in_group says the caller is in it, else if @privileged
 * says so.  A negative or unmappable @gid_param means no group.
 * @privileged is consulted only when group membership did not decide.
 * Pure apart from the two callbacks; exposed for KUnit.
 */
bool zxhv_hypervisor_allowed(int gid_param, bool (*in_group)(kgid_t gid),
			     bool (*privileged)(void));

/*
 * May the caller have the hypervisor resource?  zxhv_hypervisor_allowed()
 * with the current hypervisor_gid, in_group_p() and capable(CAP_SYS_ADMIN).
 */
bool zxhv_hypervisor_resource_allowed(void);

#endif /* ZXHV_RESOURCE_H */
