/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The traps of one guest (zx_guest_set_trap, docs/api.md §1 and §3.5): ranges of
 * guest-physical memory (ZX_GUEST_TRAP_MEM, ZX_GUEST_TRAP_BELL) or of I/O
 * ports (ZX_GUEST_TRAP_IO) whose accesses leave the guest.  Arch-independent;
 * the exit path finds the trap of an address with zxhv_trap_map_lookup().
 *
 * Two address spaces: BELL and MEM share one (a GPA is either a doorbell or
 * an emulated device, never both), IO has its own.  Insertion rules, as
 * Zircon's kernel applies them (not as its docs state them):
 *  - @size == 0: ZX_ERR_OUT_OF_RANGE (the docs say INVALID_ARGS; the kernel,
 *    which the project's decisions follow, says OUT_OF_RANGE);
 *  - @addr + @size overflowing 64 bits: ZX_ERR_OUT_OF_RANGE;
 *  - IO with @addr + @size > 0xFFFF: ZX_ERR_OUT_OF_RANGE, so port 0xFFFF
 *    itself can never be trapped (Zircon's bound, kept as is);
 *  - any intersection with a trap of the same space: ZX_ERR_ALREADY_EXISTS;
 *  - a kind other than the three: ZX_ERR_INVALID_ARGS; BELL without a port,
 *    or MEM/IO with one: ZX_ERR_INVALID_ARGS (zx_guest_set_trap checks
 *    this first; repeated here so the map cannot hold a bad trap);
 *  - a BELL trap reserves ZXHV_TRAP_BELL_PACKETS packets on its port when
 *    it is inserted; failing that (or the trap's own allocation):
 *    ZX_ERR_NO_MEMORY.
 * Alignment and the unmapping of MEM/BELL ranges are the guest's business
 * (module/guest.c), not the map's.
 *
 * Traps are never removed: they live until zxhv_trap_map_destroy() (the
 * guest's destruction), which also cancels the BELL packets each trap left
 * queued on its port; other packets on that port, even with the same key,
 * stay.  A trap returned by lookup therefore stays valid, unchanged, for as
 * long as the caller holds a reference to the guest.
 *
 * Locking: one spinlock per map protects both trees; insert allocates
 * (and may sleep) before taking it, lookup never sleeps and may be called
 * with preemption disabled.
 */
#ifndef ZXHV_TRAP_MAP_H
#define ZXHV_TRAP_MAP_H

#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <zircon/syscalls/hypervisor.h>
#include <zircon/types.h>

struct zxhv_port;
struct zxhv_port_arena;

/* Packets each BELL trap reserves on its port (Zircon's kMaxPacketsPerRange). */
#define ZXHV_TRAP_BELL_PACKETS	256u

/* Highest I/O port address + 1 an IO trap may reach (exclusive end bound). */
#define ZXHV_TRAP_IO_LIMIT	0xFFFFull

/* One trap; every field is immutable once inserted. */
struct zxhv_trap {
	struct rb_node node;		/* in its space's tree, by @addr */
	zx_guest_trap_t kind;		/* ZX_GUEST_TRAP_* */
	u64 addr;			/* [addr, addr + size) */
	u64 size;
	u64 key;			/* zx_port_packet_t.key of its packets */
	struct zxhv_port_arena *arena;	/* BELL: the reserved packets; else NULL */
};

struct zxhv_trap_map {
	spinlock_t lock;		/* protects both trees */
	struct rb_root mem;		/* BELL and MEM traps */
	struct rb_root io;		/* IO traps */
};

void zxhv_trap_map_init(struct zxhv_trap_map *tm);

/* Frees every trap (destroying BELL arenas: their queued packets go). */
void zxhv_trap_map_destroy(struct zxhv_trap_map *tm);

/*
 * Inserts a trap of @kind over [@addr, @addr + @size) with @key; @port
 * (BELL only, else NULL) receives its packets.  Statuses above.  May
 * sleep.
 */
zx_status_t zxhv_trap_map_insert(struct zxhv_trap_map *tm, zx_guest_trap_t kind,
				 u64 addr, u64 size, struct zxhv_port *port, u64 key);

/*
 * The trap containing @addr in the space of @kind (BELL and MEM: the same
 * space, so the result's kind tells which), or NULL.  Never sleeps.
 */
const struct zxhv_trap *zxhv_trap_map_lookup(struct zxhv_trap_map *tm,
					     zx_guest_trap_t kind, u64 addr);

/*
 * Calls @fn on every trap (MEM and BELL by address, then IO), under the
 * map's spinlock (so @fn must not sleep), until it returns non-zero, which
 * is then returned.
 */
typedef int (*zxhv_trap_map_fn)(const struct zxhv_trap *trap, void *arg);
int zxhv_trap_map_for_each(struct zxhv_trap_map *tm, zxhv_trap_map_fn fn, void *arg);

#endif /* ZXHV_TRAP_MAP_H */
