/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host VMARs: the VMAR object zx_vmar_root_self() returns, standing for the
 * whole address space of the process that created it (base 0).  Mapping a
 * VMO into it creates a shared mapping (vm_mmap() of a per-mapping
 * anonymous-inode file) whose faults insert the VMO's own pages, so every
 * mapping is coherent with zx_vmo_read/write and with every other mapping.
 *
 * Only the creating process can use its VMAR: vm_mmap()/vm_munmap() work
 * on the calling process's mm, so a VMAR handle imported by another
 * process gets ZX_ERR_NOT_SUPPORTED.
 */
#ifndef ZXHV_VMAR_H
#define ZXHV_VMAR_H

#include <linux/types.h>
#include <zircon/types.h>

#include "object.h"

struct zxhv_vmar;
struct zxhv_vmo;

/* The rights of a root VMAR handle, as Zircon's. */
#define ZXHV_ROOT_VMAR_RIGHTS \
	(ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE)

#define ZXHV_VM_PERMS	(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE)

/* The ZX_VM_PERM_* that the READ/WRITE/EXECUTE rights in @rights allow. */
u32 zxhv_vm_rights_to_perms(zx_rights_t rights);

/*
 * The checks zx_vmar_map() makes before it looks at addresses, in the
 * spec's order, shared by process and guest VMARs: the VMO handle needs
 * MAP (ACCESS_DENIED); WRITE or EXECUTE without READ, MAP_RANGE with
 * SPECIFIC_OVERWRITE, CAN_MAP_* bits and unknown bits are INVALID_ARGS;
 * ALIGN_* and OFFSET_IS_UPPER_LIMIT are NOT_SUPPORTED; each permission
 * needs its right on both handles (ACCESS_DENIED).  On ZX_OK, *@options
 * has READ added for PERM_READ_IF_XOM_UNSUPPORTED (x86 has no execute-only
 * memory), *@perms holds the requested permissions and *@max_perms what
 * the two handles allow.
 */
zx_status_t zxhv_vmar_check_map(zx_vm_option_t *options, zx_rights_t vmo_rights,
				zx_rights_t vmar_rights, u32 *perms, u32 *max_perms);

/*
 * The option and rights checks of zx_vmar_protect(), shared by process and
 * guest VMARs: only PERM_* bits (and PERM_READ_IF_XOM_UNSUPPORTED, which
 * adds READ); WRITE or EXECUTE need READ (INVALID_ARGS); each permission
 * needs its right on the VMAR handle (ACCESS_DENIED).  The permissions go
 * to *@perms.
 */
zx_status_t zxhv_vmar_check_protect_options(zx_vm_option_t options, zx_rights_t vmar_rights,
					    u32 *perms);

/* A VMAR for the calling process (one reference, no handles), or NULL. */
struct zxhv_vmar *zxhv_vmar_create_root(void);

struct zxhv_object *zxhv_vmar_object(struct zxhv_vmar *vmar);
/* @obj must be a ZX_OBJ_TYPE_VMAR object. */
struct zxhv_vmar *zxhv_vmar_from_object(struct zxhv_object *obj);

/*
 * zx_vmar_map() after the handle lookups: @vmar_rights and @vmo_rights are
 * the rights of the two handles.  Zircon's order of checks; see
 * docs/design.md ("VMOs and host VMARs") for the statuses.  On ZX_OK the
 * address is in *@mapped_addr.
 */
zx_status_t zxhv_vmar_map(struct zxhv_vmar *vmar, zx_rights_t vmar_rights,
			  zx_vm_option_t options, u64 vmar_offset,
			  struct zxhv_vmo *vmo, zx_rights_t vmo_rights,
			  u64 vmo_offset, u64 len, u64 *mapped_addr);

/* zx_vmar_unmap(): like munmap(), of whatever is mapped in the range. */
zx_status_t zxhv_vmar_unmap(struct zxhv_vmar *vmar, u64 addr, u64 len);

/*
 * zx_vmar_protect(): every page of the range must be mapped by
 * zxhv_vmar_map() (else ZX_ERR_NOT_FOUND), within each mapping's maximum
 * permissions (else ZX_ERR_ACCESS_DENIED).
 */
zx_status_t zxhv_vmar_protect(struct zxhv_vmar *vmar, zx_rights_t vmar_rights,
			      zx_vm_option_t options, u64 addr, u64 len);

#endif /* ZXHV_VMAR_H */
