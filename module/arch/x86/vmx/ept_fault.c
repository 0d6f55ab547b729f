// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest memory into the EPT (docs/api.md §3.5): the fault-in of an EPT violation
 * that no trap claims.
 *
 * The address space's read lock is held from the lookup of the mapping
 * until its translation is in the EPT, so an unmap or protect (which hold
 * the write lock and remove translations) cannot be overtaken; concurrent
 * faults of several VCPUs serialise on the guest's fault mutex.  A
 * translation that exists with fewer permissions than the mapping now has
 * (zx_vmar_protect granting more) is raised to them.  A translation gets
 * the mapping's permissions, as the largest leaf the mapping covers
 * whole (aligned alike in the guest and the VMO) and the VMO backs with one
 * contiguous block: 1 GiB where the CPU offers such leaves and the VMO
 * has a giant block there (module parameter vmo_1g_blocks), 2 MiB, else
 * 4 KiB.  A leaf that completes a contiguous block of 512 (the last 4 KiB
 * page of a block an unmap or protect split, mapped again; the last 2 MiB
 * of a 1 GiB-aligned range the VMO backs contiguously) is merged into the
 * next larger leaf, 1 GiB ones only where the CPU offers them.
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <zircon/errors.h>

#include "ept.h"
#include "ept_fault.h"
#include "gpas.h"
#include "guest_priv.h"
#include "vmo.h"
#include "vmx_cpu.h"

static u64 vmx_ept_perms(u32 zx_perms)
{
	return (zx_perms & ZX_VM_PERM_READ ? ZXHV_EPT_R : 0) |
	       (zx_perms & ZX_VM_PERM_WRITE ? ZXHV_EPT_W : 0) |
	       (zx_perms & ZX_VM_PERM_EXECUTE ? ZXHV_EPT_X : 0);
}

/* zxhv_ept_merge()'s invalidation between clearing and refilling an entry. */
static void vmx_ept_merge_flush(void *arg)
{
	struct zxhv_arch_guest *ag = arg;

	zxhv_vmx_cpu_invept_all(ag->eptp);
}

/*
 * After a leaf went in at @gpa: fold the block around it into one larger
 * leaf where the EPT now holds a complete, contiguous set (zxhv_ept_merge()
 * checks): 4 KiB leaves into 2 MiB (@from 4K), then 2 MiB leaves into
 * 1 GiB when the CPU has 1 GiB EPT pages (IA32_VMX_EPT_VPID_CAP bit 17).
 */
static void vmx_ept_merge(struct zxhv_arch_guest *ag, u64 gpa, enum zxhv_ept_level from)
{
	const struct vmx_ctls *ctls = zxhv_vmx_cpu_ctls();

	if (from == ZXHV_EPT_4K &&
	    (!ctls->ept_2m_pages ||
	     !zxhv_ept_merge(&ag->ept, gpa, ZXHV_EPT_2M, vmx_ept_merge_flush, ag)))
		return;
	if (ctls->ept_1g_pages)
		zxhv_ept_merge(&ag->ept, gpa, ZXHV_EPT_1G, vmx_ept_merge_flush, ag);
}

/*
 * The translation of @gpa exists but the access faulted: the mapping was
 * given more permissions since (zx_vmar_protect only invalidates what
 * loses access), or another VCPU installed it first.  Give the leaf the
 * mapping's permissions: the whole leaf when the mapping covers it, else
 * this page, splitting the leaf.  Granting needs no INVEPT; a leaf that
 * had a permission the mapping lacks (not expected: losing one
 * invalidates) gets one.
 */
static zx_status_t vmx_ept_upgrade(struct zxhv_arch_guest *ag, u64 gpa,
				   const struct zxhv_gpas_lookup *l, u64 perms)
{
	struct zxhv_ept_change chg;
	struct zxhv_ept_walk w;
	zx_status_t status;
	u64 start, size;

	status = zxhv_ept_lookup(&ag->ept, gpa, &w);
	if (status != ZX_OK || w.perms == perms)
		return status;
	size = ZXHV_EPT_SIZE_4K << (9 * w.level);
	start = round_down(gpa, size);
	if (start < l->map_start || start + size > l->map_end) {
		start = round_down(gpa, ZXHV_EPT_SIZE_4K);
		size = ZXHV_EPT_SIZE_4K;
	}
	zxhv_ept_change_init(&chg);
	status = zxhv_ept_protect(&ag->ept, start, size, perms, &chg);
	if (chg.flush)
		zxhv_vmx_cpu_invept_all(ag->eptp);
	zxhv_ept_change_finish(&ag->ept, &chg);
	return status;
}

/*
 * Does mapping @l cover the aligned @size around @gpa, at the same offset
 * within @size in the guest as in the VMO (so a VMO block of that size
 * lines up with the leaf)?
 */
static bool vmx_ept_block_fits(u64 gpa, const struct zxhv_gpas_lookup *l, u64 size)
{
	u64 base = round_down(gpa, size);

	return base >= l->map_start && base + size <= l->map_end &&
	       (gpa & (size - 1)) == (l->vmo_offset & (size - 1));
}

/*
 * One @size leaf for the aligned @size around @gpa, onto the VMO block
 * holding @page (@gpa's page): zxhv_ept_map()'s status,
 * ZX_ERR_ALREADY_EXISTS if smaller leaves are there.
 */
static zx_status_t vmx_ept_map_block(struct zxhv_arch_guest *ag, u64 gpa,
				     const struct zxhv_gpas_lookup *l, struct page *page,
				     u64 size, u64 perms)
{
	u64 first = page_to_pfn(page) - ((l->vmo_offset & (size - 1)) >> PAGE_SHIFT);

	return zxhv_ept_map(&ag->ept, round_down(gpa, size), PFN_PHYS(first), size, perms);
}

/*
 * Install the translation of @gpa from mapping @l, whose VMO page there is
 * @page, part of a contiguous block of @order (zxhv_vmo_get_run()).
 * Address space read-locked, fault mutex held.
 */
static zx_status_t vmx_ept_install(struct zxhv_arch_guest *ag, u64 gpa,
				   const struct zxhv_gpas_lookup *l, struct page *page,
				   unsigned int order)
{
	const struct vmx_ctls *ctls = zxhv_vmx_cpu_ctls();
	u64 perms = vmx_ept_perms(l->perms);
	zx_status_t status;

	if (order == ZXHV_VMO_GIANT_ORDER && ctls->ept_1g_pages &&
	    vmx_ept_block_fits(gpa, l, ZXHV_EPT_SIZE_1G)) {
		status = vmx_ept_map_block(ag, gpa, l, page, ZXHV_EPT_SIZE_1G, perms);
		if (status != ZX_ERR_ALREADY_EXISTS)
			return status;
		/* Smaller leaves are there already: add this 2 MiB, or this page. */
	}
	if (order >= ZXHV_VMO_RUN_ORDER && ctls->ept_2m_pages &&
	    vmx_ept_block_fits(gpa, l, ZXHV_EPT_SIZE_2M)) {
		status = vmx_ept_map_block(ag, gpa, l, page, ZXHV_EPT_SIZE_2M, perms);
		if (status == ZX_OK)
			vmx_ept_merge(ag, gpa, ZXHV_EPT_2M);
		if (status != ZX_ERR_ALREADY_EXISTS)
			return status;
		/* Some 4 KiB leaves are there already: add this page alone. */
	}
	status = zxhv_ept_map(&ag->ept, round_down(gpa, PAGE_SIZE), page_to_phys(page),
			      ZXHV_EPT_SIZE_4K, perms);
	if (status == ZX_ERR_ALREADY_EXISTS)
		status = vmx_ept_upgrade(ag, gpa, l, perms);
	/* Only a contiguous run can complete a mergeable 2 MiB block. */
	if (status == ZX_OK && order >= ZXHV_VMO_RUN_ORDER)
		vmx_ept_merge(ag, gpa, ZXHV_EPT_4K);
	return status;
}

zx_status_t zxhv_vmx_ept_fault_in(struct zxhv_arch_guest *ag, struct zxhv_gpas *gpas, u64 gpa,
				  u32 perms)
{
	struct zxhv_gpas_lookup l;
	unsigned int order;
	struct page *page;
	zx_status_t status;

	zxhv_gpas_read_lock(gpas);
	status = zxhv_gpas_page_locked(gpas, gpa, perms, &l, &page, &order);
	if (status == ZX_OK) {
		mutex_lock(&ag->fault_lock);
		status = vmx_ept_install(ag, gpa, &l, page, order);
		mutex_unlock(&ag->fault_lock);
		put_page(page);
	}
	zxhv_gpas_read_unlock(gpas);
	return status;
}
