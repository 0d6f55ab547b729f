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
