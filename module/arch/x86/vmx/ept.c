// SPDX-License-Identifier: GPL-2.0-only
/*
 * One guest's extended page tables; see ept.h for the contract.
 *
 * Entry layout (Intel SDM Vol. 3C §29.3.2): R/W/X in bits 0-2 (an entry is
 * present when any is set), memory type in 5:3 and ignore-PAT in 6 (leaves
 * only), page size in 7 (a PDPTE or PDE with it set is a 1G or 2M leaf),
 * accessed 8, dirty 9, the physical address in 51:12.  Non-leaf entries
 * grant R/W/X so that the leaf alone decides the permissions.
 */
#include <linux/bitfield.h>
#include <linux/gfp.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <asm/io.h>

#include "ept.h"

#define EPT_ENTRIES		512
#define EPT_ROOT_LEVEL		3	/* the PML4 */
#define EPT_HPA_LIMIT		BIT_ULL(52)
#define EPT_GPA_LIMIT		BIT_ULL(ZXHV_EPT_GPA_BITS)
/* A leaf keeps these through a split or a permission change. */
#define EPT_LEAF_ATTRS \
	(ZXHV_EPT_RWX | ZXHV_EPT_MEMTYPE | ZXHV_EPT_IGNORE_PAT)
/* Two range ends, each in a 1G leaf needing a PD and a PT: four tables. */
#define EPT_MAX_NEW_TABLES	4

static unsigned int level_shift(int level)
{
	return 12 + 9 * level;
}

static u64 level_size(int level)
{
	return 1ULL << level_shift(level);
}

static unsigned int ept_index(u64 gpa, int level)
{
	return (gpa >> level_shift(level)) & (EPT_ENTRIES - 1);
}

static bool ept_present(u64 e)
{
	return e & ZXHV_EPT_RWX;
}

static bool ept_is_leaf(u64 e, int level)
{
	return level == ZXHV_EPT_4K ||
	       (level <= ZXHV_EPT_1G && (e & ZXHV_EPT_LARGE));
}

static u64 *ept_table(u64 e)
{
	return phys_to_virt(e & ZXHV_EPT_ADDR);
}

static u64 *root_table(const struct zxhv_ept *ept)
{
	return page_address(ept->root);
}

static u64 leaf_entry(u64 hpa, u64 attrs, int level)
{
	return hpa | attrs | (level != ZXHV_EPT_4K ? ZXHV_EPT_LARGE : 0);
}

/* Host address bits of a leaf at @level. */
static u64 leaf_hpa(u64 e, int level)
{
	return e & ZXHV_EPT_ADDR & ~(level_size(level) - 1);
}

static bool perms_valid(u64 perms)
{
	return perms && !(perms & ~ZXHV_EPT_RWX) &&
	       !((perms & ZXHV_EPT_W) && !(perms & ZXHV_EPT_R));
}

/* Table pages allocated before a call changes anything. */
struct ept_cache {
	struct page *pages[EPT_MAX_NEW_TABLES];
	int n;
};

static zx_status_t cache_fill(struct zxhv_ept *ept, struct ept_cache *c,
			      int want)
{
	while (c->n < want) {
		struct page *p = NULL;

		if (!ept->test_ops || !ept->test_ops->fail_alloc ||
		    !ept->test_ops->fail_alloc(ept))
			p = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!p)
			return ZX_ERR_NO_MEMORY;
		c->pages[c->n++] = p;
	}
	return ZX_OK;
}

static void cache_drain(struct ept_cache *c)
{
	while (c->n)
		__free_page(c->pages[--c->n]);
}

/* A zeroed table from the cache, counted as held. */
static struct page *cache_take(struct zxhv_ept *ept, struct ept_cache *c)
{
	if (WARN_ON_ONCE(!c->n))
		return NULL;
	ept->nr_tables++;
	return c->pages[--c->n];
}

static void release_table(struct zxhv_ept *ept, struct page *page)
{
	ept->nr_tables--;
	if (ept->test_ops && ept->test_ops->table_freed)
		ept->test_ops->table_freed(ept, page);
	__free_page(page);
}

zx_status_t zxhv_ept_init(struct zxhv_ept *ept,
			  const struct zxhv_ept_test_ops *test_ops,
			  void *test_priv)
{
	struct ept_cache c = {};
	zx_status_t status;

	memset(ept, 0, sizeof(*ept));
	ept->test_ops = test_ops;
	ept->test_priv = test_priv;
	status = cache_fill(ept, &c, 1);
	if (status != ZX_OK) {
		cache_drain(&c);
		return status;
	}
	ept->root = cache_take(ept, &c);
	return ZX_OK;
}

static void free_tree(struct zxhv_ept *ept, struct page *page, int level)
{
	u64 *t = page_address(page);
	int i;

	for (i = 0; level > ZXHV_EPT_4K && i < EPT_ENTRIES; i++)
		if (ept_present(t[i]) && !ept_is_leaf(t[i], level))
			free_tree(ept, virt_to_page(ept_table(t[i])),
				  level - 1);
	release_table(ept, page);
}

void zxhv_ept_destroy(struct zxhv_ept *ept)
{
	int l;

	if (!ept->root)
		return;
	free_tree(ept, ept->root, EPT_ROOT_LEVEL);
	ept->root = NULL;
	for (l = 0; l < ZXHV_EPT_LEAF_LEVELS; l++)
		ept->nr_leaves[l] = 0;
	WARN_ON_ONCE(ept->nr_tables);
}

u64 zxhv_ept_eptp(const struct zxhv_ept *ept, bool ad)
{
	return page_to_phys(ept->root) |
	       FIELD_PREP(ZXHV_EPTP_MT, ZXHV_EPT_MT_WB) |
	       FIELD_PREP(ZXHV_EPTP_WALK, EPT_ROOT_LEVEL) |
	       (ad ? ZXHV_EPTP_AD : 0);
}

static int size_to_level(u64 size)
{
	switch (size) {
	case ZXHV_EPT_SIZE_4K:
		return ZXHV_EPT_4K;
	case ZXHV_EPT_SIZE_2M:
		return ZXHV_EPT_2M;
	case ZXHV_EPT_SIZE_1G:
		return ZXHV_EPT_1G;
	default:
		return -1;
	}
}

zx_status_t zxhv_ept_map(struct zxhv_ept *ept, u64 gpa, u64 hpa, u64 size,
			 u64 perms)
{
	int level = size_to_level(size);
	struct ept_cache c = {};
	zx_status_t status;
	int need = 0;
	u64 *t, e;
	int l;

	if (level < 0 || !perms_valid(perms) || (gpa & (size - 1)) ||
	    (hpa & (size - 1)) || hpa >= EPT_HPA_LIMIT ||
	    hpa + size > EPT_HPA_LIMIT)
		return ZX_ERR_INVALID_ARGS;
	if (gpa >= EPT_GPA_LIMIT || gpa + size > EPT_GPA_LIMIT)
		return ZX_ERR_OUT_OF_RANGE;

	/* Find what is there and how many tables are missing. */
	t = root_table(ept);
	for (l = EPT_ROOT_LEVEL; l > level; l--) {
		e = t[ept_index(gpa, l)];
		if (!ept_present(e)) {
			need = l - level;
			break;
		}
		if (ept_is_leaf(e, l))
			return ZX_ERR_ALREADY_EXISTS;
		t = ept_table(e);
	}
	/* Tables are never empty, so a present entry means a mapping. */
	if (!need && ept_present(t[ept_index(gpa, level)]))
		return ZX_ERR_ALREADY_EXISTS;

	status = cache_fill(ept, &c, need);
	if (status != ZX_OK) {
		cache_drain(&c);
		return status;
	}

	t = root_table(ept);
	for (l = EPT_ROOT_LEVEL; l > level; l--) {
		u64 *slot = &t[ept_index(gpa, l)];

		e = *slot;
		if (!ept_present(e)) {
			e = page_to_phys(cache_take(ept, &c)) | ZXHV_EPT_RWX;
			WRITE_ONCE(*slot, e);
		}
		t = ept_table(e);
	}
	WRITE_ONCE(t[ept_index(gpa, level)],
		   leaf_entry(hpa, perms | FIELD_PREP(ZXHV_EPT_MEMTYPE,
						      ZXHV_EPT_MT_WB),
			      level));
	ept->nr_leaves[level]++;
	WARN_ON_ONCE(c.n);
	return ZX_OK;
}

void zxhv_ept_change_init(struct zxhv_ept_change *chg)
{
	chg->flush = false;
	INIT_LIST_HEAD(&chg->free_tables);
}

void zxhv_ept_change_finish(struct zxhv_ept *ept, struct zxhv_ept_change *chg)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, &chg->free_tables, lru) {
		list_del(&page->lru);
		release_table(ept, page);
	}
	chg->flush = false;
}

/*
 * Tables needed to split the leaves around @a so that @a becomes a 4K
 * leaf boundary: one per level, from the leaf holding @a down, at which
 * @a is not aligned to the leaf size.
 */
static int split_need(const struct zxhv_ept *ept, u64 a)
{
	u64 *t = root_table(ept);
	int l, need = 0;

	if (a >= EPT_GPA_LIMIT)
		return 0;
	for (l = EPT_ROOT_LEVEL; l > ZXHV_EPT_4K; l--) {
		u64 e = t[ept_index(a, l)];

		if (!ept_present(e))
			return 0;
		if (ept_is_leaf(e, l))
			break;
		t = ept_table(e);
	}
	for (; l > ZXHV_EPT_4K && (a & (level_size(l) - 1)); l--)
		need++;
	return need;
}

struct ept_op {
	u64 perms;			/* 0: unmap */
	struct zxhv_ept_change *chg;
	struct ept_cache cache;
};

/* Replaces the large leaf in @slot by a table of 512 smaller leaves. */
static void split_leaf(struct zxhv_ept *ept, u64 *slot, int level,
		       struct ept_op *op)
{
	struct page *page = cache_take(ept, &op->cache);
	u64 e = *slot, hpa = leaf_hpa(e, level), attrs = e & EPT_LEAF_ATTRS;
	u64 *child = page_address(page);
	int i;

	for (i = 0; i < EPT_ENTRIES; i++)
		child[i] = leaf_entry(hpa + i * level_size(level - 1), attrs,
				      level - 1);
	/* Same translations as before: no flush needed for the split itself. */
	WRITE_ONCE(*slot, page_to_phys(page) | ZXHV_EPT_RWX);
	ept->nr_leaves[level]--;
	ept->nr_leaves[level - 1] += EPT_ENTRIES;
}

static void apply_leaf(struct zxhv_ept *ept, u64 *slot, int level,
		       struct ept_op *op)
{
	u64 e = *slot, old = e & ZXHV_EPT_RWX;

	if (!op->perms) {
		WRITE_ONCE(*slot, 0);
		ept->nr_leaves[level]--;
		op->chg->flush = true;
		return;
	}
	WRITE_ONCE(*slot, (e & ~ZXHV_EPT_RWX) | op->perms);
	if (old & ~op->perms)
		op->chg->flush = true;
}

static void ept_range(struct zxhv_ept *ept, u64 *t, int level, u64 start,
		      u64 end, struct ept_op *op)
{
	u64 size = level_size(level), addr, next;

	for (addr = start; addr < end; addr = next) {
		u64 base = addr & ~(size - 1);
		u64 *slot = &t[ept_index(addr, level)];
		u64 e = *slot, *child;

		next = min(base + size, end);
		if (!ept_present(e))
			continue;
		if (ept_is_leaf(e, level)) {
			if (op->perms && (e & ZXHV_EPT_RWX) == op->perms)
				continue;
			if (addr == base && next == base + size) {
				apply_leaf(ept, slot, level, op);
				continue;
			}
			split_leaf(ept, slot, level, op);
			e = *slot;
		}
		child = ept_table(e);
		ept_range(ept, child, level - 1, addr, next, op);
		if (!op->perms && !memchr_inv(child, 0, PAGE_SIZE)) {
			WRITE_ONCE(*slot, 0);
			list_add(&virt_to_page(child)->lru,
				 &op->chg->free_tables);
			op->chg->flush = true;
		}
	}
}

static zx_status_t ept_change_range(struct zxhv_ept *ept, u64 gpa, u64 len,
				    u64 perms, struct zxhv_ept_change *chg)
{
	struct ept_op op = { .perms = perms, .chg = chg };
	zx_status_t status;

	if (!len || (gpa | len) & (ZXHV_EPT_SIZE_4K - 1))
		return ZX_ERR_INVALID_ARGS;
	if (gpa >= EPT_GPA_LIMIT || len > EPT_GPA_LIMIT - gpa)
		return ZX_ERR_OUT_OF_RANGE;

	status = cache_fill(ept, &op.cache,
			    split_need(ept, gpa) + split_need(ept, gpa + len));
	if (status == ZX_OK)
		ept_range(ept, root_table(ept), EPT_ROOT_LEVEL, gpa, gpa + len,
			  &op);
	cache_drain(&op.cache);
	return status;
}

zx_status_t zxhv_ept_unmap(struct zxhv_ept *ept, u64 gpa, u64 len,
			   struct zxhv_ept_change *chg)
{
	return ept_change_range(ept, gpa, len, 0, chg);
}

zx_status_t zxhv_ept_protect(struct zxhv_ept *ept, u64 gpa, u64 len,
			     u64 perms, struct zxhv_ept_change *chg)
{
	if (perms && !perms_valid(perms))
		return ZX_ERR_INVALID_ARGS;
	return ept_change_range(ept, gpa, len, perms, chg);
}

bool zxhv_ept_merge(struct zxhv_ept *ept, u64 gpa, enum zxhv_ept_level level,
		    void (*flush)(void *arg), void *arg)
{
	u64 *t = root_table(ept), *slot = NULL, *child, first, e;
	int l, i;

	if ((level != ZXHV_EPT_2M && level != ZXHV_EPT_1G) ||
	    gpa >= EPT_GPA_LIMIT)
		return false;
	for (l = EPT_ROOT_LEVEL; l >= level; l--) {
		slot = &t[ept_index(gpa, l)];
		if (!ept_present(*slot) || ept_is_leaf(*slot, l))
			return false;
		t = ept_table(*slot);
	}
	/* @t is the table under @slot, holding level - 1 entries. */
	child = t;
	first = child[0];
	if (!ept_present(first) || !ept_is_leaf(first, level - 1) ||
	    (leaf_hpa(first, level - 1) & (level_size(level) - 1)))
		return false;
	for (i = 1; i < EPT_ENTRIES; i++) {
		e = child[i];
		if (!ept_present(e) || !ept_is_leaf(e, level - 1) ||
		    (e & EPT_LEAF_ATTRS) != (first & EPT_LEAF_ATTRS) ||
		    leaf_hpa(e, level - 1) !=
		    leaf_hpa(first, level - 1) + i * level_size(level - 1))
			return false;
	}
	WRITE_ONCE(*slot, 0);
	flush(arg);
	WRITE_ONCE(*slot, leaf_entry(leaf_hpa(first, level - 1),
				     first & EPT_LEAF_ATTRS, level));
	ept->nr_leaves[level - 1] -= EPT_ENTRIES;
	ept->nr_leaves[level]++;
	release_table(ept, virt_to_page(child));
	return true;
}

zx_status_t zxhv_ept_lookup(const struct zxhv_ept *ept, u64 gpa,
			    struct zxhv_ept_walk *out)
{
	u64 *t = root_table(ept);
	int l;

	if (gpa >= EPT_GPA_LIMIT)
		return ZX_ERR_OUT_OF_RANGE;
	for (l = EPT_ROOT_LEVEL; l >= ZXHV_EPT_4K; l--) {
		u64 e = READ_ONCE(t[ept_index(gpa, l)]);

		if (!ept_present(e))
			return ZX_ERR_NOT_FOUND;
		if (ept_is_leaf(e, l)) {
			out->hpa = leaf_hpa(e, l) | (gpa & (level_size(l) - 1));
			out->perms = e & ZXHV_EPT_RWX;
			out->level = l;
			out->entry = e;
			return ZX_OK;
		}
		t = ept_table(e);
	}
	return ZX_ERR_NOT_FOUND;	/* not reached: level 0 is a leaf */
}
