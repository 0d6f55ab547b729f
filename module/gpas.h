/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest-physical address space behind zx_guest_create()'s VMAR handle:
 * a set of non-overlapping, page-aligned mappings [gpa, gpa + len) of
 * backing objects (VMOs), each with permissions, inside [0, size).
 * Arch-independent: the VMX code installs EPT entries lazily from
 * zxhv_gpas_lookup*() and removes them from the invalidate callback.
 *
 * Statuses (Zircon's zx_vmar_map/unmap/protect, docs/api.md §1 "Supporting calls"):
 *  - gpa, len or vmo_offset not a multiple of PAGE_SIZE, len == 0, or a
 *    range that leaves [0, size) or wraps: ZX_ERR_INVALID_ARGS (Zircon's
 *    docs list exceeding the region bounds and offset overflow under
 *    INVALID_ARGS; OUT_OF_RANGE is kept for lookup of a GPA >= size, which
 *    the EPT violation path turns into zx_vcpu_enter's OUT_OF_RANGE, docs/api.md §3.5);
 *  - map over an existing mapping without ZX_VM_SPECIFIC_OVERWRITE:
 *    ZX_ERR_NO_MEMORY (Zircon's quirk); with it, the overlapped parts are
 *    unmapped first and the new mapping replaces them;
 *  - unmap punches a hole wherever it lands, splitting mappings at its
 *    edges; parts of the range with nothing mapped are skipped, so an
 *    unmap of an empty range returns ZX_OK (Zircon's kernel: the guest
 *    VMAR has no sub-VMARs, so "partial sub-VMAR overlap" never happens).
 *    zx_vmar_unmap and zx_guest_set_trap (MEM/BELL) use the same call;
 *  - protect needs every page of the range mapped (a hole: NOT_FOUND) and
 *    the new permissions within each mapping's max_perms (ACCESS_DENIED);
 *    the first offending page in address order decides; nothing changes
 *    on failure;
 *  - any call that modifies the tree may return ZX_ERR_NO_MEMORY: nodes are
 *    allocated before anything changes (at most two per call), so a
 *    failure leaves the address space as it was.
 *
 * Locking: one rw_semaphore per address space.  Modifications take it for
 * writing; lookups for reading.  The invalidate callback runs with it held
 * for writing, after the tree changed and before the removed mappings'
 * VMO references are dropped (those are dropped after the lock is
 * released).  An EPT fault that holds the read lock from
 * zxhv_gpas_lookup_locked() until its EPT entry is installed therefore
 * never installs a translation that an unmap or protect has revoked.
 * All calls sleep; none may be made from the callbacks.
 */
#ifndef ZXHV_GPAS_H
#define ZXHV_GPAS_H

#include <linux/types.h>
#include <zircon/errors.h>
#include <zircon/types.h>

struct page;
struct zxhv_gpas;
/* The backing object; opaque here (the VMO implementation owns it). */
struct zxhv_vmo;

/* Every permission bit a mapping can hold. */
#define ZXHV_GPAS_PERMS \
	(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE)

struct zxhv_gpas_ops {
	/* Required: take / drop one reference to @vmo (may not fail). */
	void (*vmo_get)(struct zxhv_vmo *vmo);
	void (*vmo_put)(struct zxhv_vmo *vmo);
	/*
	 * Required by the page and copy calls below: the page of @vmo at
	 * page-aligned @offset with a reference in *@page, and in *@order the
	 * order of the physically contiguous, aligned block around it that
	 * the VMO guarantees (0: just the page).  A zx_status_t.  May sleep.
	 */
	zx_status_t (*vmo_page)(struct zxhv_vmo *vmo, u64 offset, struct page **page,
				unsigned int *order);
	/*
	 * Optional: [gpa, gpa + len) lost some or all access (unmap, protect
	 * to fewer permissions, overwrite).  Called with the address space
	 * locked for writing; contiguous affected ranges of one call are
	 * reported once, as one range.  Never called for ranges that had
	 * nothing mapped or only gained permissions.
	 */
	void (*invalidate)(struct zxhv_gpas *gpas, u64 gpa, u64 len);
	/*
	 * Optional fault injection (KUnit): returning true makes the next
	 * node allocation fail as if the kernel were out of memory.
	 */
	bool (*fail_alloc)(struct zxhv_gpas *gpas);
};

/* What the EPT fault path needs to know about one GPA. */
struct zxhv_gpas_lookup {
	struct zxhv_vmo *vmo;
	u64 vmo_offset;		/* offset in @vmo of the looked-up GPA */
	u32 perms;		/* ZX_VM_PERM_* */
	u64 map_start;		/* the mapping holding it: [map_start, map_end) */
	u64 map_end;
};

/*
 * A new, empty address space covering [0, @size).  @size: a non-zero
 * multiple of PAGE_SIZE (2^48 for an x86 guest).  @priv is returned by
 * zxhv_gpas_priv() for the callbacks.
 */
zx_status_t zxhv_gpas_create(u64 size, const struct zxhv_gpas_ops *ops,
			     void *priv, struct zxhv_gpas **out);
/* Drops every mapping's VMO reference (no invalidate calls) and frees. */
void zxhv_gpas_destroy(struct zxhv_gpas *gpas);

u64 zxhv_gpas_size(const struct zxhv_gpas *gpas);
void *zxhv_gpas_priv(const struct zxhv_gpas *gpas);

/*
 * Maps [@vmo_offset, @vmo_offset + @len) of @vmo at a GPA, taking a new
 * reference to @vmo.  @options: ZX_VM_PERM_* of the mapping, plus
 * ZX_VM_SPECIFIC (map at @gpa, fail on overlap) or ZX_VM_SPECIFIC_OVERWRITE
 * (map at @gpa, replacing what is there); with neither, @gpa must be 0 and
 * the lowest free range is used (none: ZX_ERR_NO_RESOURCES).  Other option
 * bits: INVALID_ARGS (the syscall layer handles them).  @max_perms bounds
 * later protect calls; PERM bits outside it: ACCESS_DENIED.  Checking that
 * the range lies within the VMO is the caller's job.  On success the GPA
 * is stored in *@mapped_gpa if that is not NULL.
 */
zx_status_t zxhv_gpas_map(struct zxhv_gpas *gpas, zx_vm_option_t options,
			  u64 gpa, struct zxhv_vmo *vmo, u64 vmo_offset,
			  u64 len, u32 max_perms, u64 *mapped_gpa);
zx_status_t zxhv_gpas_unmap(struct zxhv_gpas *gpas, u64 gpa, u64 len);
/* @perms: any combination of ZX_VM_PERM_* (others: INVALID_ARGS). */
zx_status_t zxhv_gpas_protect(struct zxhv_gpas *gpas, u64 gpa, u64 len,
			      u32 perms);

/*
 * The mapping holding @gpa (any alignment): ZX_OK, ZX_ERR_NOT_FOUND if
 * nothing is mapped there, ZX_ERR_OUT_OF_RANGE if @gpa >= size.
 * zxhv_gpas_lookup_locked() needs the read (or write) lock and returns no
 * reference: out->vmo is valid until the lock is released.
 * zxhv_gpas_lookup() locks by itself and gives the caller a reference to
 * out->vmo (drop it with the VMO's put).
 */
/* Bytes mapped in the space now (whether faulted in or not).  Sleeps. */
u64 zxhv_gpas_mapped_bytes(struct zxhv_gpas *gpas);

void zxhv_gpas_read_lock(struct zxhv_gpas *gpas);
void zxhv_gpas_read_unlock(struct zxhv_gpas *gpas);
zx_status_t zxhv_gpas_lookup_locked(struct zxhv_gpas *gpas, u64 gpa,
				    struct zxhv_gpas_lookup *out);
zx_status_t zxhv_gpas_lookup(struct zxhv_gpas *gpas, u64 gpa,
			     struct zxhv_gpas_lookup *out);

/*
 * Guest-physical access, the one place every reader and writer of guest
 * memory goes through (the EPT fault path, instruction emulation,
 * kvmclock).  A GPA gives a page only where the mapping holding it grants
 * every permission in @perms (ZX_VM_PERM_*): ZX_OK; ZX_ERR_OUT_OF_RANGE or
 * ZX_ERR_NOT_FOUND as lookup; ZX_ERR_ACCESS_DENIED; or the VMO's status
 * (ZX_ERR_NO_MEMORY).  Callers convert these to what their guest sees
 * (#GP, a hypercall's error).
 *
 * zxhv_gpas_page_locked() - under the read lock: *@l as lookup, and the
 * page holding @gpa with a reference (put_page()) in *@page and its block
 * order (ops->vmo_page) in *@order.
 * zxhv_gpas_get_page() - locks by itself; *@offset is @gpa's offset in
 * the page.  The page outlives an unmap: it is the caller's to put.
 * zxhv_gpas_copy() - copies @len bytes between @buf and [@gpa, @gpa +
 * @len), to the guest when @write, page by page; the first page that fails
 * stops it with that page's status, and the pages before it were copied.
 * All sleep.
 */
zx_status_t zxhv_gpas_page_locked(struct zxhv_gpas *gpas, u64 gpa, u32 perms,
				  struct zxhv_gpas_lookup *l, struct page **page,
				  unsigned int *order);
zx_status_t zxhv_gpas_get_page(struct zxhv_gpas *gpas, u64 gpa, u32 perms,
			       struct page **page, unsigned int *offset);
zx_status_t zxhv_gpas_copy(struct zxhv_gpas *gpas, u64 gpa, void *buf, size_t len,
			   bool write);

#endif /* ZXHV_GPAS_H */
