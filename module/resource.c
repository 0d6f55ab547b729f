// SPDX-License-Identifier: GPL-2.0-only
/*
 * Resource objects and the privilege check for the hypervisor resource.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/kernel_read_file.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "resource.h"

static char *hypervisor_group = "zircon-hv";
module_param(hypervisor_group, charp, 0444);
MODULE_PARM_DESC(hypervisor_group,
		 "group (name from /etc/group, or a number) whose members may get the hypervisor resource; CAP_SYS_ADMIN always may (default: zircon-hv)");

/* Largest /etc/group the module reads. */
#define ZXHV_GROUP_FILE_MAX	SZ_1M

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
	struct zxhv_resource *res = kzalloc(sizeof(*res), GFP_KERNEL);

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

bool zxhv_group_find(const char *buf, size_t len, const char *name, u32 *gid)
{
	size_t nlen = strlen(name);
	const char *end = buf + len;

	while (buf < end) {
		const char *eol = memchr(buf, '\n', end - buf);
		const char *p, *colon;
		char num[11];

		if (!eol)
			eol = end;
		/* name ':' */
		if ((size_t)(eol - buf) > nlen && !memcmp(buf, name, nlen) && buf[nlen] == ':') {
			/* skip the password field */
			p = memchr(buf + nlen + 1, ':', eol - (buf + nlen + 1));
			if (p) {
				p++;
				colon = memchr(p, ':', eol - p);
				if (!colon)
					colon = eol;
				if (colon > p && (size_t)(colon - p) < sizeof(num)) {
					memcpy(num, p, colon - p);
					num[colon - p] = '\0';
					if (!kstrtou32(num, 10, gid))
						return true;
				}
			}
		}
		buf = eol + 1;
	}
	return false;
}

/* The gid hypervisor_group names, resolved now (the file may have changed). */
static bool zxhv_hypervisor_gid(kgid_t *kgid)
{
	void *buf = NULL;
	ssize_t len;
	bool found;
	u32 gid;

	if (!hypervisor_group || !*hypervisor_group)
		return false;
	if (!kstrtou32(hypervisor_group, 10, &gid)) {
		found = true;
	} else {
		len = kernel_read_file_from_path_initns("/etc/group", 0, &buf,
							ZXHV_GROUP_FILE_MAX, NULL,
							READING_UNKNOWN);
		if (len < 0)
			return false;
		found = zxhv_group_find(buf, len, hypervisor_group, &gid);
		vfree(buf);
	}
	if (!found)
		return false;
	*kgid = make_kgid(&init_user_ns, gid);
	return gid_valid(*kgid);
}

bool zxhv_hypervisor_resource_allowed(void)
{
	kgid_t gid;

	if (capable(CAP_SYS_ADMIN))
		return true;
	return zxhv_hypervisor_gid(&gid) && in_group_p(gid);
}
