// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest traps: two red-black trees of non-overlapping ranges, ordered by
 * start address.  See trap_map.h for the rules.
 */
#include <linux/overflow.h>
#include <linux/slab.h>
#include <zircon/errors.h>

#include "port.h"
#include "trap_map.h"

void zxhv_trap_map_init(struct zxhv_trap_map *tm)
{
	spin_lock_init(&tm->lock);
	tm->mem = RB_ROOT;
	tm->io = RB_ROOT;
}

static void zxhv_trap_free(struct zxhv_trap *trap)
{
	if (trap->arena)
		zxhv_port_arena_destroy(trap->arena);
	kfree(trap);
}

static void zxhv_trap_tree_destroy(struct rb_root *root)
{
	struct zxhv_trap *trap, *next;

	rbtree_postorder_for_each_entry_safe(trap, next, root, node)
		zxhv_trap_free(trap);
	*root = RB_ROOT;
}

void zxhv_trap_map_destroy(struct zxhv_trap_map *tm)
{
	/* Nobody else can reach the map any more: no lock needed. */
	zxhv_trap_tree_destroy(&tm->mem);
	zxhv_trap_tree_destroy(&tm->io);
}

/* The tree of @kind's space, or NULL for an unknown kind. */
static struct rb_root *zxhv_trap_space(struct zxhv_trap_map *tm, zx_guest_trap_t kind)
{
	switch (kind) {
	case ZX_GUEST_TRAP_BELL:
	case ZX_GUEST_TRAP_MEM:
		return &tm->mem;
	case ZX_GUEST_TRAP_IO:
		return &tm->io;
	default:
		return NULL;
	}
}

/*
 * Links @new into @root unless it intersects a trap there (then
 * ALREADY_EXISTS).  Ranges in the tree never overlap, so the one place
 * @new would go decides: descending, a node entirely below @new sends the
 * search right, one entirely above sends it left, anything else overlaps.
 */
static zx_status_t zxhv_trap_link(struct rb_root *root, struct zxhv_trap *new)
{
	struct rb_node **link = &root->rb_node, *parent = NULL;
	u64 new_end = new->addr + new->size;

	while (*link) {
		struct zxhv_trap *t = rb_entry(*link, struct zxhv_trap, node);

		parent = *link;
		if (t->addr + t->size <= new->addr)
			link = &(*link)->rb_right;
		else if (new_end <= t->addr)
			link = &(*link)->rb_left;
		else
			return ZX_ERR_ALREADY_EXISTS;
	}
	rb_link_node(&new->node, parent, link);
	rb_insert_color(&new->node, root);
	return ZX_OK;
}

zx_status_t zxhv_trap_map_insert(struct zxhv_trap_map *tm, zx_guest_trap_t kind,
				 u64 addr, u64 size, struct zxhv_port *port, u64 key)
{
	struct rb_root *root = zxhv_trap_space(tm, kind);
	struct zxhv_trap *trap;
	zx_status_t status;
	u64 end;

	/* BELL needs a port, MEM and IO take none. */
	if (!root || (port ? kind != ZX_GUEST_TRAP_BELL : kind == ZX_GUEST_TRAP_BELL))
		return ZX_ERR_INVALID_ARGS;
	if (size == 0 || check_add_overflow(addr, size, &end))
		return ZX_ERR_OUT_OF_RANGE;
	if (kind == ZX_GUEST_TRAP_IO && end > ZXHV_TRAP_IO_LIMIT)
		return ZX_ERR_OUT_OF_RANGE;

	trap = kzalloc(sizeof(*trap), GFP_KERNEL_ACCOUNT);
	if (!trap)
		return ZX_ERR_NO_MEMORY;
	trap->kind = kind;
	trap->addr = addr;
	trap->size = size;
	trap->key = key;
	if (port) {
		trap->arena = zxhv_port_arena_create(port, ZXHV_TRAP_BELL_PACKETS, key);
		if (!trap->arena) {
			kfree(trap);
			return ZX_ERR_NO_MEMORY;
		}
	}

	spin_lock(&tm->lock);
	status = zxhv_trap_link(root, trap);
	spin_unlock(&tm->lock);
	if (status != ZX_OK)
		zxhv_trap_free(trap);
	return status;
}

const struct zxhv_trap *zxhv_trap_map_lookup(struct zxhv_trap_map *tm,
					     zx_guest_trap_t kind, u64 addr)
{
	struct rb_root *root = zxhv_trap_space(tm, kind);
	const struct zxhv_trap *found = NULL;
	struct rb_node *n;

	if (!root)
		return NULL;
	spin_lock(&tm->lock);
	for (n = root->rb_node; n;) {
		const struct zxhv_trap *t = rb_entry(n, struct zxhv_trap, node);

		if (addr < t->addr) {
			n = n->rb_left;
		} else if (addr - t->addr >= t->size) {
			n = n->rb_right;
		} else {
			found = t;
			break;
		}
	}
	spin_unlock(&tm->lock);
	return found;
}

static int zxhv_trap_tree_walk(struct rb_root *root, zxhv_trap_map_fn fn, void *arg)
{
	struct rb_node *rb;
	int ret;

	for (rb = rb_first(root); rb; rb = rb_next(rb)) {
		ret = fn(rb_entry(rb, struct zxhv_trap, node), arg);
		if (ret)
			return ret;
	}
	return 0;
}

int zxhv_trap_map_for_each(struct zxhv_trap_map *tm, zxhv_trap_map_fn fn, void *arg)
{
	int ret;

	spin_lock(&tm->lock);
	ret = zxhv_trap_tree_walk(&tm->mem, fn, arg);
	if (!ret)
		ret = zxhv_trap_tree_walk(&tm->io, fn, arg);
	spin_unlock(&tm->lock);
	return ret;
}
