/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMARs.  Two kinds stand behind ZX_OBJ_TYPE_VMAR: the host VMAR
 * (module/vmar.c) and the guest-physical VMAR of zx_guest_create()
 * (module/guest_vmar.c).  Both embed struct zxhv_vmar, whose ops the
 * zx_vmar_* calls reach; this file also holds the checks both share.
 *
 * The host VMAR is the object zx_vmar_root_self() returns, standing for the
 * whole address space of the process that created it (base 0).  Mapping a
 * VMO into it creates a shared mapping (vm_mmap() of a per-mapping
 * anonymous-inode file) whose faults insert the VMO's own pages, so every
 * mapping is coherent with zx_vmo_read/write and with every other mapping.
 * Only the creating process can use its VMAR: vm_mmap()/vm_munmap() work
 * on the calling process's mm, so a VMAR handle imported by another
 * process gets ZX_ERR_NOT_SUPPORTED.
 */
#ifndef ZXHV_VMAR_H
#define ZXHV_VMAR_H

#include <linux/container_of.h>
#include <linux/types.h>
#include <zircon/rights.h>
#include <zircon/types.h>

#include "object.h"

struct zxhv_vmar;
struct zxhv_vmo;

/*
 * The zx_vmar_* calls after the handle lookups; @vmar_rights and
 * @vmo_rights are the rights of the handles.  Each kind documents its
 * statuses (vmar.h below for the host, guest_vmar.h for the guest).
 */
struct zxhv_vmar_ops {
	/* On ZX_OK the address is in *@mapped_addr. */
	zx_status_t (*map)(struct zxhv_vmar *vmar, zx_rights_t vmar_rights,
			   zx_vm_option_t options, u64 vmar_offset, struct zxhv_vmo *vmo,
			   zx_rights_t vmo_rights, u64 vmo_offset, u64 len, u64 *mapped_addr);
	zx_status_t (*unmap)(struct zxhv_vmar *vmar, u64 addr, u64 len);
	zx_status_t (*protect)(struct zxhv_vmar *vmar, zx_rights_t vmar_rights,
			       zx_vm_option_t options, u64 addr, u64 len);
};

/* The first member of every ZX_OBJ_TYPE_VMAR object; immutable. */
struct zxhv_vmar {
	struct zxhv_object obj;
	const struct zxhv_vmar_ops *ops;
};

/* One reference, no handles (zxhv_object_init()), and @ops. */
static inline void zxhv_vmar_init(struct zxhv_vmar *vmar, const struct zxhv_object_ops *obj_ops,
				  const struct zxhv_vmar_ops *ops)
{
	zxhv_object_init(&vmar->obj, obj_ops);
	vmar->ops = ops;
}

static inline struct zxhv_object *zxhv_vmar_object(struct zxhv_vmar *vmar)
{
	return &vmar->obj;
}

/* @obj must be a ZX_OBJ_TYPE_VMAR object. */
static inline struct zxhv_vmar *zxhv_vmar_from_object(struct zxhv_object *obj)
{
	return container_of(obj, struct zxhv_vmar, obj);
}

static inline zx_status_t zxhv_vmar_map(struct zxhv_vmar *vmar, zx_rights_t vmar_rights,
					zx_vm_option_t options, u64 vmar_offset,
					struct zxhv_vmo *vmo, zx_rights_t vmo_rights,
					u64 vmo_offset, u64 len, u64 *mapped_addr)
{
	return vmar->ops->map(vmar, vmar_rights, options, vmar_offset, vmo, vmo_rights,
			      vmo_offset, len, mapped_addr);
}

static inline zx_status_t zxhv_vmar_unmap(struct zxhv_vmar *vmar, u64 addr, u64 len)
{
	return vmar->ops->unmap(vmar, addr, len);
}

static inline zx_status_t zxhv_vmar_protect(struct zxhv_vmar *vmar, zx_rights_t vmar_rights,
					    zx_vm_option_t options, u64 addr, u64 len)
{
	return vmar->ops->protect(vmar, vmar_rights, options, addr, len);
}

/* The rights of a root VMAR handle, as Zircon's. */
#define ZXHV_ROOT_VMAR_RIGHTS \
	(ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE)

#define ZXHV_VM_PERMS	(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE)

/* The ZX_VM_PERM_* that the READ/WRITE/EXECUTE rights in @rights allow. */
u32 zxhv_vm_rights_to_perms(zx_rights_t rights);

/*
 * The checks zx_vmar_map() makes before it looks at addresses, in the
 * spec's order, shared by process and guest VMARs (the VMO handle's MAP
 * right was checked by the lookup): WRITE or EXECUTE without READ,
 * MAP_RANGE with SPECIFIC_OVERWRITE, CAN_MAP_* bits and unknown bits are
 * INVALID_ARGS; ALIGN_* and OFFSET_IS_UPPER_LIMIT are NOT_SUPPORTED; each
 * permission needs its right on both handles (ACCESS_DENIED).  On ZX_OK,
 * *@options has READ added for PERM_READ_IF_XOM_UNSUPPORTED (x86 has no
 * execute-only memory), *@perms holds the requested permissions and
 * *@max_perms what the two handles allow.
 */
zx_status_t zxhv_vmar_check_map(zx_vm_option_t *options, zx_rights_t vmo_rights,
				zx_rights_t vmar_rights, u32 *perms, u32 *max_perms);

/*
 * The VMO checks of zx_vmar_map(), shared by process and guest VMARs: a
 * resizable or discardable VMO without ALLOW_FAULTS, or a resizable one
 * with REQUIRE_NON_RESIZABLE, NOT_SUPPORTED; [@vmo_offset, +@len) past the
 * VMO's end BUFFER_TOO_SMALL.
 */
zx_status_t zxhv_vmar_check_vmo(struct zxhv_vmo *vmo, zx_vm_option_t options, u64 vmo_offset,
				u64 len);

/*
 * The option and rights checks of zx_vmar_protect(), shared by process and
 * guest VMARs: only PERM_* bits (and PERM_READ_IF_XOM_UNSUPPORTED, which
 * adds READ); WRITE or EXECUTE need READ (INVALID_ARGS); each permission
 * needs its right on the VMAR handle (ACCESS_DENIED).  The permissions go
 * to *@perms.
 */
zx_status_t zxhv_vmar_check_protect_options(zx_vm_option_t options, zx_rights_t vmar_rights,
					    u32 *perms);

/*
 * A host VMAR for the calling process (one reference, no handles), or
 * NULL.  Its map: Zircon's order of checks; see docs/design.md ("VMOs and
 * host VMARs") for the statuses.  Its unmap: like munmap(), of whatever is
 * mapped in the range.  Its protect: every page of the range must be
 * mapped by its map (else ZX_ERR_NOT_FOUND), within each mapping's maximum
 * permissions (else ZX_ERR_ACCESS_DENIED).
 */
struct zxhv_vmar *zxhv_vmar_create_root(void);

#endif /* ZXHV_VMAR_H */
