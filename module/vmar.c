// SPDX-License-Identifier: GPL-2.0-only
/*
 * The checks every VMAR kind shares, and the host VMAR: zx_vmar_map/unmap/
 * protect on the calling process's address space.  Each zx_vmar_map()
 * creates one anonymous-inode file that holds a VMO reference and the
 * mapping's maximum permissions, and vm_mmap()s it shared; the file lives
 * as long as any VMA made from it (splits, fork), and its release drops
 * the VMO.  Faults insert the VMO's page itself.
 */
#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <zircon/errors.h>
#include <zircon/rights.h>

#include "status.h"
#include "vmar.h"
#include "vmo.h"

struct zxhv_host_vmar {
	struct zxhv_vmar vmar;
	struct mm_struct *mm;	/* mmgrab()ed at creation; immutable */
};

static struct zxhv_host_vmar *zxhv_host_vmar(struct zxhv_vmar *vmar)
{
	return container_of(vmar, struct zxhv_host_vmar, vmar);
}

/* file->private_data of a mapping's file; immutable. */
struct zxhv_vmo_mapping {
	struct zxhv_vmo *vmo;	/* a reference */
	u32 max_perms;		/* ZX_VM_PERM_* the VMO and VMAR rights allow */
};

/* ZX_VM_PERM_* -> the VM_* access flags. */
static unsigned long zxhv_perms_to_vm_flags(u32 perms)
{
	return (perms & ZX_VM_PERM_READ ? VM_READ : 0) |
	       (perms & ZX_VM_PERM_WRITE ? VM_WRITE : 0) |
	       (perms & ZX_VM_PERM_EXECUTE ? VM_EXEC : 0);
}

static unsigned long zxhv_perms_to_prot(u32 perms)
{
	return (perms & ZX_VM_PERM_READ ? PROT_READ : 0) |
	       (perms & ZX_VM_PERM_WRITE ? PROT_WRITE : 0) |
	       (perms & ZX_VM_PERM_EXECUTE ? PROT_EXEC : 0);
}

u32 zxhv_vm_rights_to_perms(zx_rights_t rights)
{
	return (rights & ZX_RIGHT_READ ? ZX_VM_PERM_READ : 0) |
	       (rights & ZX_RIGHT_WRITE ? ZX_VM_PERM_WRITE : 0) |
	       (rights & ZX_RIGHT_EXECUTE ? ZX_VM_PERM_EXECUTE : 0);
}

/* Options zx_vmar_map() implements (ALIGN and OFFSET_IS_UPPER_LIMIT: not). */
#define ZXHV_VM_MAP_OPTIONS \
	(ZXHV_VM_PERMS | ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED | ZX_VM_COMPACT | \
	 ZX_VM_SPECIFIC | ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_MAP_RANGE | \
	 ZX_VM_REQUIRE_NON_RESIZABLE | ZX_VM_ALLOW_FAULTS)
#define ZXHV_VM_CAN_MAP \
	(ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | \
	 ZX_VM_CAN_MAP_EXECUTE)
/* The alignment field, n << ZX_VM_ALIGN_BASE: 2^n bytes for n = 10..32. */
#define ZXHV_VM_ALIGN_FIELD	(0xffu << ZX_VM_ALIGN_BASE)
#define ZXHV_VM_ALIGN_MIN	10
#define ZXHV_VM_ALIGN_MAX	32

zx_status_t zxhv_vmar_check_protect_options(zx_vm_option_t options, zx_rights_t vmar_rights,
					    u32 *perms)
{
	/* x86 has no execute-only memory: this option always adds READ. */
	if (options & ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED)
		options |= ZX_VM_PERM_READ;
	if (options & ~(ZXHV_VM_PERMS | ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED))
		return ZX_ERR_INVALID_ARGS;
	*perms = options & ZXHV_VM_PERMS;
	if ((*perms & (ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE)) && !(*perms & ZX_VM_PERM_READ))
		return ZX_ERR_INVALID_ARGS;
	if (*perms & ~zxhv_vm_rights_to_perms(vmar_rights))
		return ZX_ERR_ACCESS_DENIED;
	return ZX_OK;
}

zx_status_t zxhv_vmar_check_map(zx_vm_option_t *options, zx_rights_t vmo_rights,
				zx_rights_t vmar_rights, u32 *perms, u32 *max_perms)
{
	zx_vm_option_t opts = *options;
	u32 align;

	/* x86 has no execute-only memory: this option always adds READ. */
	if (opts & ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED)
		opts |= ZX_VM_PERM_READ;
	*perms = opts & ZXHV_VM_PERMS;
	if ((*perms & (ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE)) && !(*perms & ZX_VM_PERM_READ))
		return ZX_ERR_INVALID_ARGS;
	if ((opts & ZX_VM_MAP_RANGE) && (opts & ZX_VM_SPECIFIC_OVERWRITE))
		return ZX_ERR_INVALID_ARGS;
	if (opts & ZXHV_VM_CAN_MAP)
		return ZX_ERR_INVALID_ARGS;
	align = (opts & ZXHV_VM_ALIGN_FIELD) >> ZX_VM_ALIGN_BASE;
	if (align && (align < ZXHV_VM_ALIGN_MIN || align > ZXHV_VM_ALIGN_MAX))
		return ZX_ERR_INVALID_ARGS;
	if (align || (opts & ZX_VM_OFFSET_IS_UPPER_LIMIT))
		return ZX_ERR_NOT_SUPPORTED;
	if (opts & ~(ZXHV_VM_MAP_OPTIONS | ZXHV_VM_ALIGN_FIELD))
		return ZX_ERR_INVALID_ARGS;
	*max_perms = zxhv_vm_rights_to_perms(vmo_rights) & zxhv_vm_rights_to_perms(vmar_rights);
	if (*perms & ~*max_perms)
		return ZX_ERR_ACCESS_DENIED;
	*options = opts;
	return ZX_OK;
}

zx_status_t zxhv_vmar_check_vmo(struct zxhv_vmo *vmo, zx_vm_option_t options, u64 vmo_offset,
				u64 len)
{
	if ((zxhv_vmo_options(vmo) & (ZX_VMO_RESIZABLE | ZX_VMO_DISCARDABLE)) &&
	    !(options & ZX_VM_ALLOW_FAULTS))
		return ZX_ERR_NOT_SUPPORTED;
	if ((zxhv_vmo_options(vmo) & ZX_VMO_RESIZABLE) && (options & ZX_VM_REQUIRE_NON_RESIZABLE))
		return ZX_ERR_NOT_SUPPORTED;
	if (vmo_offset > zxhv_vmo_size(vmo) || len > zxhv_vmo_size(vmo) - vmo_offset)
		return ZX_ERR_BUFFER_TOO_SMALL;
	return ZX_OK;
}

/* --- the mapping's file and VMAs ------------------------------------------ */

/* Installs the VMO's page; beyond the VMO's end (after mremap) SIGBUS. */
static vm_fault_t zxhv_vmo_vm_fault(struct vm_fault *vmf)
{
	struct zxhv_vmo_mapping *m = vmf->vma->vm_file->private_data;
	struct page *page;
	zx_status_t status;

	status = zxhv_vmo_get_page(m->vmo, (u64)vmf->pgoff << PAGE_SHIFT, &page);
	if (status == ZX_ERR_OUT_OF_RANGE)
		return VM_FAULT_SIGBUS;
	if (status != ZX_OK)
		return VM_FAULT_OOM;
	/* The page reference becomes the page table's. */
	vmf->page = page;
	return 0;
}

static void zxhv_vm_flags_clear(struct vm_area_struct *vma, unsigned long flags)
{
#ifdef ZXHV_HAVE_VM_FLAGS_CLEAR
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

static const struct vm_operations_struct zxhv_vmo_vm_ops = {
	.fault = zxhv_vmo_vm_fault,
};

static int zxhv_vmo_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct zxhv_vmo_mapping *m = file->private_data;
	unsigned long denied = (VM_READ | VM_WRITE | VM_EXEC) &
			       ~zxhv_perms_to_vm_flags(m->max_perms);

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_flags & denied)
		return -EACCES;
	/*
	 * What the handles did not grant, the mapping may never gain: not by
	 * mprotect(), nor by FOLL_FORCE access (ptrace, /proc/PID/mem), which
	 * checks VM_MAYREAD/VM_MAYWRITE rather than VM_READ/VM_WRITE.
	 */
	zxhv_vm_flags_clear(vma, (denied & VM_READ ? VM_MAYREAD : 0) |
				 (denied & VM_WRITE ? VM_MAYWRITE : 0) |
				 (denied & VM_EXEC ? VM_MAYEXEC : 0));
	vma->vm_ops = &zxhv_vmo_vm_ops;
	return 0;
}

static int zxhv_vmo_file_release(struct inode *inode, struct file *file)
{
	struct zxhv_vmo_mapping *m = file->private_data;

	zxhv_vmo_put(m->vmo);
	kfree(m);
	return 0;
}

static const struct file_operations zxhv_vmo_map_fops = {
	.owner = THIS_MODULE,
	.mmap = zxhv_vmo_file_mmap,
	.release = zxhv_vmo_file_release,
	.llseek = noop_llseek,
};

/* A new mapping file for @vmo (a new VMO reference), or an ERR_PTR. */
static struct file *zxhv_vmo_map_file(struct zxhv_vmo *vmo, u32 max_perms)
{
	struct zxhv_vmo_mapping *m;
	struct file *file;

	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		return ERR_PTR(-ENOMEM);
	zxhv_vmo_get(vmo);
	m->vmo = vmo;
	m->max_perms = max_perms;
	file = anon_inode_getfile("[zircon-hv-vmo]", &zxhv_vmo_map_fops, m, O_RDWR);
	if (IS_ERR(file)) {
		zxhv_vmo_put(vmo);
		kfree(m);
	}
	return file;
}

/* vm_mmap()/vm_munmap() errors as zx statuses. */
static zx_status_t zxhv_mmap_error(long err)
{
	switch (err) {
	case -EEXIST:		/* MAP_FIXED_NOREPLACE found a mapping */
	case -ENOMEM:
		return ZX_ERR_NO_MEMORY;
	default:
		return zxhv_errno_to_status((int)err);
	}
}

/* [addr, addr + len): page aligned, not empty, inside the address space. */
static bool zxhv_vmar_range_ok(u64 addr, u64 len)
{
	return len && PAGE_ALIGNED(addr) && PAGE_ALIGNED(len) &&
	       addr < TASK_SIZE && len <= TASK_SIZE - addr;
}

/*
 * Is anything mapped in [addr, addr + len)?  Only an early answer for the
 * spec's order of checks; MAP_FIXED_NOREPLACE decides under the lock.
 */
static bool zxhv_vmar_occupied(struct mm_struct *mm, u64 addr, u64 len)
{
	struct vm_area_struct *vma;
	bool occupied;

	mmap_read_lock(mm);
	vma = find_vma(mm, addr);
	occupied = vma && vma->vm_start < addr + len;
	mmap_read_unlock(mm);
	return occupied;
}

static zx_status_t zxhv_host_vmar_map(struct zxhv_vmar *base, zx_rights_t vmar_rights,
				      zx_vm_option_t options, u64 vmar_offset,
				      struct zxhv_vmo *vmo, zx_rights_t vmo_rights,
				      u64 vmo_offset, u64 len, u64 *mapped_addr)
{
	struct zxhv_host_vmar *vmar = zxhv_host_vmar(base);
	bool specific = options & (ZX_VM_SPECIFIC | ZX_VM_SPECIFIC_OVERWRITE);
	unsigned long flags = MAP_SHARED;
	u32 perms, max_perms;
	zx_status_t status;
	struct file *file;
	unsigned long addr;

	status = zxhv_vmar_check_map(&options, vmo_rights, vmar_rights, &perms, &max_perms);
	if (status != ZX_OK)
		return status;
	if (!PAGE_ALIGNED(vmo_offset) || !PAGE_ALIGNED(vmar_offset) || !len ||
	    !PAGE_ALIGNED(len))
		return ZX_ERR_INVALID_ARGS;
	if (specific ? !zxhv_vmar_range_ok(vmar_offset, len) : vmar_offset != 0)
		return ZX_ERR_INVALID_ARGS;
	if (current->mm != vmar->mm)
		return ZX_ERR_NOT_SUPPORTED;
	if ((options & ZX_VM_SPECIFIC) && !(options & ZX_VM_SPECIFIC_OVERWRITE) &&
	    zxhv_vmar_occupied(vmar->mm, vmar_offset, len))
		return ZX_ERR_NO_MEMORY;
	status = zxhv_vmar_check_vmo(vmo, options, vmo_offset, len);
	if (status != ZX_OK)
		return status;

	if (options & ZX_VM_SPECIFIC_OVERWRITE)
		flags |= MAP_FIXED;
	else if (options & ZX_VM_SPECIFIC)
		flags |= MAP_FIXED_NOREPLACE;
	if (options & ZX_VM_MAP_RANGE)
		flags |= MAP_POPULATE;

	file = zxhv_vmo_map_file(vmo, max_perms);
	if (IS_ERR(file))
		return zxhv_errno_to_status(PTR_ERR(file));
	addr = vm_mmap(file, vmar_offset, len, zxhv_perms_to_prot(perms), flags, vmo_offset);
	/* The VMA holds its own reference to the file (none if it failed). */
	fput(file);
	if (IS_ERR_VALUE(addr))
		return zxhv_mmap_error((long)addr);
	*mapped_addr = addr;
	return ZX_OK;
}

static zx_status_t zxhv_host_vmar_unmap(struct zxhv_vmar *base, u64 addr, u64 len)
{
	struct zxhv_host_vmar *vmar = zxhv_host_vmar(base);
	int err;

	if (!zxhv_vmar_range_ok(addr, len))
		return ZX_ERR_INVALID_ARGS;
	if (current->mm != vmar->mm)
		return ZX_ERR_NOT_SUPPORTED;
	err = vm_munmap(addr, len);
	return err ? zxhv_mmap_error(err) : ZX_OK;
}

/* Is every page of [start, end) in a zxhv mapping allowing @perms? */
static zx_status_t zxhv_vmar_check_protect(struct mm_struct *mm, u64 start, u64 end,
					   u32 perms)
{
	zx_status_t status = ZX_OK;
	struct vm_area_struct *vma;
	u64 cur;

	mmap_read_lock(mm);
	for (cur = start; cur < end; cur = vma->vm_end) {
		struct zxhv_vmo_mapping *m;

		vma = find_vma(mm, cur);
		if (!vma || vma->vm_start > cur || vma->vm_ops != &zxhv_vmo_vm_ops) {
			status = ZX_ERR_NOT_FOUND;
			break;
		}
		m = vma->vm_file->private_data;
		if (perms & ~m->max_perms) {
			status = ZX_ERR_ACCESS_DENIED;
			break;
		}
	}
	mmap_read_unlock(mm);
	return status;
}

/*
 * Remaps the mapping at @cur with @perms, up to @end or the end of its VMA,
 * whichever comes first, and stores where it stopped in *@next.  The pages
 * live in the VMO, so a new VMA over the same file and offset with other
 * permissions is exactly a protection change.
 */
static zx_status_t zxhv_vmar_reprotect_one(struct mm_struct *mm, u64 cur, u64 end,
					   u32 perms, u64 *next)
{
	struct vm_area_struct *vma;
	struct file *file;
	unsigned long addr;
	u64 stop, pgoff;

	mmap_read_lock(mm);
	vma = find_vma(mm, cur);
	if (!vma || vma->vm_start > cur || vma->vm_ops != &zxhv_vmo_vm_ops) {
		/* Another thread changed the range since it was checked. */
		mmap_read_unlock(mm);
		return ZX_ERR_BAD_STATE;
	}
	stop = min_t(u64, end, vma->vm_end);
	pgoff = vma->vm_pgoff + ((cur - vma->vm_start) >> PAGE_SHIFT);
	file = get_file(vma->vm_file);
	mmap_read_unlock(mm);

	addr = vm_mmap(file, cur, stop - cur, zxhv_perms_to_prot(perms), MAP_SHARED | MAP_FIXED,
		       pgoff << PAGE_SHIFT);
	fput(file);
	if (IS_ERR_VALUE(addr))
		return zxhv_mmap_error((long)addr);
	*next = stop;
	return ZX_OK;
}

static zx_status_t zxhv_host_vmar_protect(struct zxhv_vmar *base, zx_rights_t vmar_rights,
					  zx_vm_option_t options, u64 addr, u64 len)
{
	struct zxhv_host_vmar *vmar = zxhv_host_vmar(base);
	zx_status_t status;
	u64 cur, end;
	u32 perms;

	status = zxhv_vmar_check_protect_options(options, vmar_rights, &perms);
	if (status != ZX_OK)
		return status;
	if (!zxhv_vmar_range_ok(addr, len))
		return ZX_ERR_INVALID_ARGS;
	if (current->mm != vmar->mm)
		return ZX_ERR_NOT_SUPPORTED;
	end = addr + len;
	status = zxhv_vmar_check_protect(vmar->mm, addr, end, perms);
	for (cur = addr; status == ZX_OK && cur < end;)
		status = zxhv_vmar_reprotect_one(vmar->mm, cur, end, perms, &cur);
	return status;
}

/* --- the host VMAR object ---------------------------------------------------- */

static void zxhv_host_vmar_destroy(struct zxhv_object *obj)
{
	struct zxhv_host_vmar *vmar = zxhv_host_vmar(zxhv_vmar_from_object(obj));

	mmdrop(vmar->mm);
	kfree(vmar);
}

static const struct zxhv_object_ops zxhv_host_vmar_object_ops = {
	.type = ZX_OBJ_TYPE_VMAR,
	.destroy = zxhv_host_vmar_destroy,
};

static const struct zxhv_vmar_ops zxhv_host_vmar_ops = {
	.map = zxhv_host_vmar_map,
	.unmap = zxhv_host_vmar_unmap,
	.protect = zxhv_host_vmar_protect,
};

struct zxhv_vmar *zxhv_vmar_create_root(void)
{
	struct zxhv_host_vmar *vmar;

	if (!current->mm)
		return NULL;
	vmar = kzalloc(sizeof(*vmar), GFP_KERNEL_ACCOUNT);
	if (!vmar)
		return NULL;
	zxhv_vmar_init(&vmar->vmar, &zxhv_host_vmar_object_ops, &zxhv_host_vmar_ops);
	mmgrab(current->mm);
	vmar->mm = current->mm;
	return &vmar->vmar;
}
