/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The extended page tables of one guest: a 4-level EPT (Intel SDM Vol. 3C
 * §29.3.2 "EPT Translation Mechanism", the revisions whose chapter 29 is
 * "VMX Support for Address Translation") mapping guest-physical addresses
 * below 2^48 to host-physical addresses with 4 KiB, 2 MiB or 1 GiB leaves.
 *
 * Pure bookkeeping: no INVEPT here.  Calls that remove or reduce a
 * translation report it in a struct zxhv_ept_change; the caller does a
 * single-context INVEPT of zxhv_ept_eptp() when change.flush is set and
 * only then calls zxhv_ept_change_finish(), which frees the tables the
 * call emptied (a CPU may still hold them in its paging-structure caches
 * until the INVEPT).  Adding a translation or permission never needs a
 * flush: not-present entries are not cached, and an EPT violation
 * invalidates the cached translations of the faulting address (§29.4.3).
 *
 * Table pages are never left empty: unmap frees every table it empties,
 * so a non-leaf entry always leads to at least one leaf.
 *
 * Locking: the caller serialises every call on one EPT (the guest's
 * address-space lock: lookups may share it, everything else needs it
 * exclusively).  The processor walks the tables concurrently, so entries
 * are written with WRITE_ONCE and a split installs a fully built table.
 * All calls but lookup and eptp may sleep (GFP_KERNEL allocations).
 */
#ifndef ZXHV_VMX_EPT_H
#define ZXHV_VMX_EPT_H

#include <linux/bits.h>
#include <linux/list.h>
#include <linux/types.h>
#include <zircon/types.h>

struct page;

/* EPT paging-structure entry (SDM §29.3.2, Tables 29-1 .. 29-6). */
#define ZXHV_EPT_R		BIT_ULL(0)
#define ZXHV_EPT_W		BIT_ULL(1)
#define ZXHV_EPT_X		BIT_ULL(2)
#define ZXHV_EPT_RWX		(ZXHV_EPT_R | ZXHV_EPT_W | ZXHV_EPT_X)
#define ZXHV_EPT_MEMTYPE	GENMASK_ULL(5, 3)	/* leaves only */
#define ZXHV_EPT_IGNORE_PAT	BIT_ULL(6)		/* leaves only */
#define ZXHV_EPT_LARGE		BIT_ULL(7)		/* PDPTE/PDE leaf */
#define ZXHV_EPT_ACCESSED	BIT_ULL(8)
#define ZXHV_EPT_DIRTY		BIT_ULL(9)		/* leaves only */
#define ZXHV_EPT_ADDR		GENMASK_ULL(51, 12)

/* Memory types (SDM §29.3.7): uncacheable 0, write-back 6. */
#define ZXHV_EPT_MT_UC		0
#define ZXHV_EPT_MT_WB		6

/* EPTP (SDM §25.6.11, Table 25-9). */
#define ZXHV_EPTP_MT		GENMASK_ULL(2, 0)	/* paging-structure memory type */
#define ZXHV_EPTP_WALK		GENMASK_ULL(5, 3)	/* walk length - 1 */
#define ZXHV_EPTP_AD		BIT_ULL(6)		/* accessed/dirty flags */

#define ZXHV_EPT_GPA_BITS	48

/* Leaf levels: a leaf at level L maps 2^(12 + 9L) bytes. */
enum zxhv_ept_level {
	ZXHV_EPT_4K = 0,
	ZXHV_EPT_2M = 1,
	ZXHV_EPT_1G = 2,
	ZXHV_EPT_LEAF_LEVELS = 3,
};

#define ZXHV_EPT_SIZE_4K	BIT_ULL(12)
#define ZXHV_EPT_SIZE_2M	BIT_ULL(21)
#define ZXHV_EPT_SIZE_1G	BIT_ULL(30)

struct zxhv_ept;

/* KUnit hooks; NULL in production. */
struct zxhv_ept_test_ops {
	/* Returning true makes this table allocation fail. */
	bool (*fail_alloc)(struct zxhv_ept *ept);
	/* Called for every table page freed, the root included. */
	void (*table_freed)(struct zxhv_ept *ept, struct page *page);
};

struct zxhv_ept {
	struct page *root;	/* the PML4; set by init, cleared by destroy */
	/* Table pages held, the root included. */
	unsigned long nr_tables;
	/* Leaves per size, indexed by enum zxhv_ept_level (issue 5 reports). */
	unsigned long nr_leaves[ZXHV_EPT_LEAF_LEVELS];
	const struct zxhv_ept_test_ops *test_ops;
	void *test_priv;
};

/* What a removing call did; see the comment at the top. */
struct zxhv_ept_change {
	bool flush;			/* a translation was removed/reduced */
	struct list_head free_tables;	/* emptied tables, page->lru */
};

struct zxhv_ept_walk {
	u64 hpa;		/* of the looked-up GPA itself */
	u64 perms;		/* ZXHV_EPT_R/W/X */
	enum zxhv_ept_level level;
	u64 entry;		/* the raw leaf entry */
};

/*
 * Allocates the root.  @test_ops may be NULL.  ZX_OK or
 * ZX_ERR_NO_MEMORY.
 */
zx_status_t zxhv_ept_init(struct zxhv_ept *ept,
			  const struct zxhv_ept_test_ops *test_ops,
			  void *test_priv);

/*
 * Frees every table.  The EPT must no longer be in use by any CPU (the
 * guest's VCPUs are gone and its EPTP was invalidated).  Idempotent.
 */
void zxhv_ept_destroy(struct zxhv_ept *ept);

/*
 * The EPTP for the VMCS: root address, write-back paging structures, walk
 * length 4 (encoded 3), accessed/dirty flags when @ad.
 */
u64 zxhv_ept_eptp(const struct zxhv_ept *ept, bool ad);

/*
 * Maps [@gpa, @gpa + @size) to [@hpa, @hpa + @size) with one leaf of
 * @size (4K, 2M or 1G), write-back memory type, permissions @perms
 * (ZXHV_EPT_R/W/X; W needs R, since write-only is an EPT
 * misconfiguration; execute-only needs the CPU's capability, which the
 * caller checks).  Statuses: INVALID_ARGS for a bad size, perms or
 * alignment of @gpa/@hpa, or @hpa beyond 52 bits; OUT_OF_RANGE if the range
 * leaves the 48-bit GPA space; ALREADY_EXISTS if any part of the range is
 * mapped (nothing changes); NO_MEMORY if a table could not be allocated
 * (tables are allocated before anything changes, so nothing did).
 * Never needs a flush.
 */
zx_status_t zxhv_ept_map(struct zxhv_ept *ept, u64 gpa, u64 hpa, u64 size,
			 u64 perms);

/* Starts a change record (flush = false, no tables). */
void zxhv_ept_change_init(struct zxhv_ept_change *chg);
/* After the caller's INVEPT (if chg->flush): frees the emptied tables. */
void zxhv_ept_change_finish(struct zxhv_ept *ept, struct zxhv_ept_change *chg);

/*
 * Removes every translation in [@gpa, @gpa + @len); holes are skipped.  A
 * 2M/1G leaf straddling an end of the range is split first into smaller
 * leaves with the same host addresses and attributes, so only the range
 * loses its translation.  Statuses: INVALID_ARGS for a misaligned or empty
 * range, OUT_OF_RANGE beyond 2^48, NO_MEMORY if split tables could not be
 * allocated (nothing changed).  Accumulates into @chg.
 */
zx_status_t zxhv_ept_unmap(struct zxhv_ept *ept, u64 gpa, u64 len,
			   struct zxhv_ept_change *chg);

/*
 * Sets the permissions of every translation in [@gpa, @gpa + @len) to
 * @perms, splitting straddling large leaves like unmap; holes stay holes.
 * @perms 0 is unmap.  Same statuses as unmap plus INVALID_ARGS for
 * write-without-read.
 */
zx_status_t zxhv_ept_protect(struct zxhv_ept *ept, u64 gpa, u64 len,
			     u64 perms, struct zxhv_ept_change *chg);

/*
 * Merges back what a split (or 4K/2M faults) left behind: when the
 * @level-aligned block around @gpa (@level ZXHV_EPT_2M or ZXHV_EPT_1G) is
 * one table of 512 leaves of the level below with the same permissions and
 * memory type, mapping one contiguous, @level-aligned host range, that
 * table is replaced by a single @level leaf and freed.  Break before make
 * (a translation changes its page size, which the SDM wants invalidated
 * in between, Vol. 3A 4.10.4.2): the entry is cleared, @flush(@arg) must
 * invalidate the EPT on every CPU (the caller's INVEPT; a VCPU touching the
 * block meanwhile takes an EPT violation and waits for the caller's locks),
 * then the leaf is written.  Returns true if it merged.  Allocates
 * nothing and cannot fail.
 */
bool zxhv_ept_merge(struct zxhv_ept *ept, u64 gpa, enum zxhv_ept_level level,
		    void (*flush)(void *arg), void *arg);

/*
 * The translation of @gpa: ZX_OK and *@out, ZX_ERR_NOT_FOUND if nothing
 * maps it, ZX_ERR_OUT_OF_RANGE for @gpa >= 2^48.
 */
zx_status_t zxhv_ept_lookup(const struct zxhv_ept *ept, u64 gpa,
			    struct zxhv_ept_walk *out);

#endif /* ZXHV_VMX_EPT_H */
