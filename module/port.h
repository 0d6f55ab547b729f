/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Ports: a FIFO of zx_port_packet_t that threads wait on.
 *
 * Userspace queues ZX_PKT_TYPE_USER packets (zx_port_queue), at most
 * ZXHV_PORT_MAX_USER_PACKETS at a time per port.  Kernel packet sources
 * (BELL traps) queue from an arena of packets reserved when the source is
 * created, so they never allocate while queueing and never count against
 * the user limit.  zx_port_wait dequeues in FIFO order, waking one waiter
 * per packet.
 */
#ifndef ZXHV_PORT_H
#define ZXHV_PORT_H

#include <zircon/syscalls/port.h>
#include <zircon/types.h>

#include "object.h"

/* Queued user packets per port before zx_port_queue gives SHOULD_WAIT. */
#define ZXHV_PORT_MAX_USER_PACKETS	4096

struct zxhv_port;
struct zxhv_port_arena;

/* A new port with one reference and no handles; NULL if out of memory. */
struct zxhv_port *zxhv_port_create(void);

struct zxhv_object *zxhv_port_object(struct zxhv_port *port);
/* The port embedding @obj, which must have type ZX_OBJ_TYPE_PORT. */
struct zxhv_port *zxhv_port_from_object(struct zxhv_object *obj);

/*
 * zx_port_queue: copies @pkt with its type forced to ZX_PKT_TYPE_USER.
 * ZX_ERR_SHOULD_WAIT at the user-packet limit, ZX_ERR_NO_MEMORY, or
 * ZX_ERR_BAD_HANDLE once the port has no handles left.  May sleep.
 */
zx_status_t zxhv_port_queue_user(struct zxhv_port *port, const zx_port_packet_t *pkt);

/*
 * zx_port_wait: dequeues the oldest packet into @out.  @deadline is
 * absolute CLOCK_MONOTONIC nanoseconds (ktime_get_ns()), ZX_TIME_INFINITE
 * waits forever; a deadline already passed polls.  Returns ZX_OK,
 * ZX_ERR_TIMED_OUT, or ZX_ERR_INTERNAL_INTR_RETRY when a signal is pending
 * (the caller restarts the system call with the same deadline).  Sleeps.
 */
zx_status_t zxhv_port_wait(struct zxhv_port *port, zx_time_t deadline, zx_port_packet_t *out);

/*
 * zx_port_wait's fast path, as a borrower (zxhv_handle_borrow_req()) of an
 * object the lookup found to be a port: takes the oldest packet into
 * *(zx_port_packet_t *)@out (ZX_OK), or ZX_ERR_SHOULD_WAIT if none is
 * queued.  Never sleeps.
 */
zx_status_t zxhv_port_take_object(struct zxhv_object *obj, void *out);

/*
 * The polling window of a port's next zx_port_wait, ns, after a wait that
 * polled for @cur ns and got its packet @waited_ns after it began to poll
 * (U64_MAX: none came): kept when the packet came within the window, grown
 * (10 us, then doubled) up to @max_ns when it came later but within
 * @max_ns, 0 when it came later than that or not at all.
 */
u32 zxhv_port_poll_next(u32 cur, u64 waited_ns, u32 max_ns);

/*
 * Kernel packet sources.  An arena holds @n packets reserved for one
 * source, and a reference to its port.  Every packet queued through it
 * carries @key and status ZX_OK.  NULL if out of memory.  May sleep.
 */
struct zxhv_port_arena *zxhv_port_arena_create(struct zxhv_port *port, unsigned int n, u64 key);

/*
 * Cancels the arena's queued packets, then frees it and drops its port
 * reference.  Nobody may queue through or wait on the arena any more.
 */
void zxhv_port_arena_destroy(struct zxhv_port_arena *arena);

/*
 * Queues a copy of @pkt (key and status overwritten, see above).  Never
 * sleeps: callable with preemption disabled, not from hard IRQ context.
 * Returns ZX_OK, ZX_ERR_SHOULD_WAIT when all of the arena's packets are
 * queued, or ZX_ERR_BAD_HANDLE when the port has no handles left.
 */
zx_status_t zxhv_port_queue_kernel(struct zxhv_port_arena *arena, const zx_port_packet_t *pkt);

/*
 * Sleeps until the arena has a free packet or its port lost its last
 * handle: ZX_OK (then retry zxhv_port_queue_kernel).  Or until *@cancel is
 * non-zero: ZX_ERR_CANCELED; whoever sets it, then (after a full barrier)
 * calls zxhv_port_arena_wake().  ZX_ERR_INTERNAL_INTR_RETRY when a signal
 * is pending.
 */
zx_status_t zxhv_port_arena_wait(struct zxhv_port_arena *arena, const atomic_t *cancel);

/* Wakes the arena's waiters to look at their *cancel again. */
void zxhv_port_arena_wake(struct zxhv_port_arena *arena);

/* Removes this arena's queued packets; other packets, even with its key, stay. */
void zxhv_port_cancel_arena(struct zxhv_port_arena *arena);

/* What the netlink family reports of a port (module/genl.c). */
struct zxhv_port_stats {
	u32 queued;		/* packets in the queue */
	u32 user_queued;	/* of them, from zx_port_queue */
	u32 arenas;		/* BELL arenas reserved on the port */
	u32 arena_size;		/* their packets, in all */
	u32 arena_used;		/* of those, queued or being handled */
	u32 poll_ns;		/* zx_port_wait's polling window now */
	u64 poll_hits;		/* waits a packet ended while polling */
	u64 sleeps;		/* waits that slept */
	u64 arena_poll_hits;	/* sources' waits for a full arena that ended polling */
	u64 arena_sleeps;	/* sources' waits for a full arena that slept */
};

/* A snapshot; never sleeps. */
void zxhv_port_stats(struct zxhv_port *port, struct zxhv_port_stats *out);
/* The koid of the port an arena belongs to. */
zx_koid_t zxhv_port_arena_port_koid(const struct zxhv_port_arena *arena);

#endif /* ZXHV_PORT_H */
