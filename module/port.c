// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ports: the packet FIFO behind zx_port_queue/zx_port_wait, and the arenas
 * through which kernel packet sources (BELL traps) queue without allocating.
 *
 * Locking: one spinlock per port (port->lock) protects the FIFO, the
 * user-packet count, the no-handles state, and the stack of free packets
 * of every arena of the port.  It is never held across a sleep, an
 * allocation or a user copy.  Two wait queues sit beside it: port->waiters
 * for zx_port_wait (exclusive: one waiter woken per queued packet) and
 * port->arena_waiters for kernel sources waiting for a free arena packet.
 * Both are woken after the state they wait for changed under port->lock,
 * and only if waitqueue_active() says so under that lock (port_enqueue()).
 *
 * Polling: before it sleeps, zx_port_wait spins for a packet for the
 * port's window (docs/design.md "Ports poll before they sleep"): a packet
 * that comes within it costs its source no wake-up.  The window adapts to
 * how long the waits last, up to the module parameter port_poll_ns.  A
 * kernel source that finds its arena full polls for a free packet the same
 * way, with a window per arena, so a waiter that frees one wakes nobody.
 *
 * Lifetime: handles and arenas each hold a reference on the port.  When the
 * last handle goes, the port drops every queued packet and refuses new ones
 * (nobody could ever dequeue them); the memory goes with the last reference.
 */
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/sched/stat.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>

#include "port.h"

struct zxhv_port_pkt {
	struct list_head node;		/* in port->queue (unlinked when free) */
	struct zxhv_port_arena *arena;	/* NULL for a user packet; fixed */
	zx_port_packet_t pkt;
};

struct zxhv_port {
	struct zxhv_object obj;
	spinlock_t lock;		/* see "Locking" above */
	struct list_head queue;		/* FIFO of zxhv_port_pkt; lock */
	unsigned int user_packets;	/* user packets in queue; lock */
	bool no_handles;		/* last handle closed; lock (WRITE_ONCE) */
	wait_queue_head_t waiters;	/* zx_port_wait callers */
	wait_queue_head_t arena_waiters;/* sources in zxhv_port_arena_wait */
	struct list_head arenas;	/* zxhv_port_arena.port_node; lock */
	u32 poll_ns;			/* polling window; READ/WRITE_ONCE */
	atomic_long_t poll_hits;	/* waits a packet ended while polling */
	atomic_long_t sleeps;		/* waits that slept */
	atomic_long_t arena_poll_hits;	/* waits for arena space ended polling */
	atomic_long_t arena_sleeps;	/* waits for arena space that slept */
};

struct zxhv_port_arena {
	struct zxhv_port *port;		/* holds a reference; fixed */
	u64 key;			/* fixed */
	unsigned int n;			/* fixed */
	unsigned int nfree;		/* free[0..nfree) unqueued; port->lock (WRITE_ONCE) */
	u32 poll_ns;			/* space polling window; READ/WRITE_ONCE */
	struct zxhv_port_pkt **free;	/* a stack: no list checks per packet; port->lock */
	struct list_head port_node;	/* in port->arenas; port->lock */
	struct zxhv_port_pkt pkts[];	/* then the @n pointers of @free */
};

/* The largest polling window of a port, ns; 0 turns polling off. */
static unsigned int port_poll_max_ns = 50000;
module_param_named(port_poll_ns, port_poll_max_ns, uint, 0644);
MODULE_PARM_DESC(port_poll_ns, "Longest spin of zx_port_wait for a packet before it sleeps, ns (0: none)");

/* The first window a port that waits briefly gets. */
#define PORT_POLL_START_NS	10000

u32 zxhv_port_poll_next(u32 cur, u64 waited_ns, u32 max_ns)
{
	if (waited_ns > max_ns)
		return 0;
	if (waited_ns <= cur)
		return min(cur, max_ns);
	if (!cur)
		return min_t(u32, PORT_POLL_START_NS, max_ns);
	return cur > max_ns / 2 ? max_ns : cur * 2;
}

static struct zxhv_port *to_port(struct zxhv_object *obj)
{
	return container_of(obj, struct zxhv_port, obj);
}

struct zxhv_object *zxhv_port_object(struct zxhv_port *port)
{
	return &port->obj;
}

struct zxhv_port *zxhv_port_from_object(struct zxhv_object *obj)
{
	WARN_ON_ONCE(zxhv_object_type(obj) != ZX_OBJ_TYPE_PORT);
	return to_port(obj);
}

/*
 * Unlinks @p from the queue.  A user packet moves to @done for the caller
 * to free after unlocking; an arena packet goes back to its arena.
 * Returns true if an arena packet was freed up.
 */
static bool port_unlink(struct zxhv_port *port, struct zxhv_port_pkt *p,
			struct list_head *done)
{
	lockdep_assert_held(&port->lock);
	if (!p->arena) {
		port->user_packets--;
		list_move_tail(&p->node, done);
		return false;
	}
	list_del(&p->node);
	p->arena->free[p->arena->nfree] = p;
	/* Read unlocked by arena_poll(). */
	WRITE_ONCE(p->arena->nfree, p->arena->nfree + 1);
	return true;
}

static void port_free_list(struct list_head *list)
{
	struct zxhv_port_pkt *p, *tmp;

	list_for_each_entry_safe(p, tmp, list, node) {
		list_del(&p->node);
		kfree(p);
	}
}

/*
 * Appends @p and wakes one waiter, if any sleeps.  A waiter joins
 * port->waiters before it looks at the queue under port->lock, so one that
 * found the queue empty is on port->waiters by the time this runs under the
 * same lock: waitqueue_active() cannot miss it.  When none sleeps (the
 * waiters are busy with earlier packets), queueing costs no wake-up.
 */
static void port_enqueue(struct zxhv_port *port, struct zxhv_port_pkt *p)
{
	lockdep_assert_held(&port->lock);
	list_add_tail(&p->node, &port->queue);
	/* Safe unlocked by the wait queue's lock: see above. */
	if (waitqueue_active(&port->waiters))
		wake_up(&port->waiters);
}

static void port_on_zero_handles(struct zxhv_object *obj)
{
	struct zxhv_port *port = to_port(obj);
	struct zxhv_port_pkt *p, *tmp;
	LIST_HEAD(done);

	spin_lock(&port->lock);
	/* Read unlocked by arena_poll(). */
	WRITE_ONCE(port->no_handles, true);
	list_for_each_entry_safe(p, tmp, &port->queue, node)
		port_unlink(port, p, &done);
	spin_unlock(&port->lock);
	/* Sources blocked on a full arena now learn BAD_HANDLE. */
	wake_up_all(&port->arena_waiters);
	port_free_list(&done);
}

static void port_destroy(struct zxhv_object *obj)
{
	struct zxhv_port *port = to_port(obj);
	struct zxhv_port_pkt *p, *tmp;

	/* Arenas hold references, so only user packets can be left. */
	list_for_each_entry_safe(p, tmp, &port->queue, node) {
		WARN_ON_ONCE(p->arena);
		list_del(&p->node);
		kfree(p);
	}
	kfree(port);
}

static const struct zxhv_object_ops port_ops = {
	.type = ZX_OBJ_TYPE_PORT,
	.on_zero_handles = port_on_zero_handles,
	.destroy = port_destroy,
};

struct zxhv_port *zxhv_port_create(void)
{
	struct zxhv_port *port;

	port = kzalloc(sizeof(*port), GFP_KERNEL_ACCOUNT);
	if (!port)
		return NULL;
	spin_lock_init(&port->lock);
	INIT_LIST_HEAD(&port->queue);
	init_waitqueue_head(&port->waiters);
	init_waitqueue_head(&port->arena_waiters);
	INIT_LIST_HEAD(&port->arenas);
	zxhv_object_init(&port->obj, &port_ops);
	return port;
}

zx_status_t zxhv_port_queue_user(struct zxhv_port *port, const zx_port_packet_t *pkt)
{
	struct zxhv_port_pkt *p;
	zx_status_t status;

	p = kmalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return ZX_ERR_NO_MEMORY;
	p->arena = NULL;
	p->pkt = *pkt;
	p->pkt.type = ZX_PKT_TYPE_USER;

	spin_lock(&port->lock);
	if (port->no_handles) {
		status = ZX_ERR_BAD_HANDLE;
	} else if (port->user_packets >= ZXHV_PORT_MAX_USER_PACKETS) {
		status = ZX_ERR_SHOULD_WAIT;
	} else {
		port->user_packets++;
		port_enqueue(port, p);
		p = NULL;
		status = ZX_OK;
	}
	spin_unlock(&port->lock);
	kfree(p);
	return status;
}

/*
 * Takes the oldest packet into @out.  Returns false if the queue is empty.
 * A user packet to free is handed back through @freed.
 */
static __always_inline bool port_try_dequeue(struct zxhv_port *port, zx_port_packet_t *out,
					     struct list_head *freed)
{
	struct zxhv_port_pkt *p;
	bool wake;

	spin_lock(&port->lock);
	p = list_first_entry_or_null(&port->queue, struct zxhv_port_pkt, node);
	if (!p) {
		spin_unlock(&port->lock);
		return false;
	}
	*out = p->pkt;
	/* As in port_enqueue(): a source waiting for a packet is on the queue by now. */
	wake = port_unlink(port, p, freed) && waitqueue_active(&port->arena_waiters);
	spin_unlock(&port->lock);
	if (wake)
		wake_up(&port->arena_waiters);
	return true;
}

static bool port_has_packets(struct zxhv_port *port)
{
	bool ret;

	spin_lock(&port->lock);
	ret = !list_empty(&port->queue);
	spin_unlock(&port->lock);
	return ret;
}

/*
 * Whether a spin that ends at @stop (ktime_get_ns()) may go on: while
 * nothing else wants this CPU (on a CPU shared with what the spinner waits
 * for it would only delay it) and no signal is pending.
 */
static bool poll_goes_on(u64 stop)
{
	return single_task_running() && !need_resched() && !signal_pending(current) &&
	       ktime_get_ns() < stop;
}

/*
 * Adapts a polling window (*@window_ns, READ/WRITE_ONCE) after a wait that
 * polled for @window ns from @start and got what it waited for (@got) or
 * not: zxhv_port_poll_next().
 */
static void poll_adapt(u32 *window_ns, u32 window, u64 start, bool got, u32 max_ns)
{
	WRITE_ONCE(*window_ns,
		   zxhv_port_poll_next(window, got ? ktime_get_ns() - start : U64_MAX, max_ns));
}

/* Spins for a packet until @stop while poll_goes_on(). */
static bool port_poll(struct zxhv_port *port, u64 stop, zx_port_packet_t *out,
		      struct list_head *freed)
{
	do {
		/* An unlocked look; the dequeue takes the lock. */
		if (!list_empty(&port->queue) && port_try_dequeue(port, out, freed))
			return true;
		cpu_relax();
	} while (poll_goes_on(stop));
	return false;
}

/* Takes the oldest packet into @out if there is one, without waiting. */
static bool port_take(struct zxhv_port *port, zx_port_packet_t *out)
{
	LIST_HEAD(freed);

	if (!port_try_dequeue(port, out, &freed))
		return false;
	/* A user packet to free; an arena's went back to it. */
	if (!list_empty(&freed))
		port_free_list(&freed);
	return true;
}

zx_status_t zxhv_port_take_object(struct zxhv_object *obj, void *out)
{
	return port_take(to_port(obj), out) ? ZX_OK : ZX_ERR_SHOULD_WAIT;
}

zx_status_t zxhv_port_wait(struct zxhv_port *port, zx_time_t deadline, zx_port_packet_t *out)
{
	u32 max_ns = READ_ONCE(port_poll_max_ns), window = 0;
	bool slept = false;
	DEFINE_WAIT(wait);
	LIST_HEAD(freed);
	zx_status_t status;
	ktime_t expires;
	u64 start = 0;

	/* A packet is there (a VMM draining doorbells): no wait queue to join. */
	if (port_take(port, out))
		return ZX_OK;
	if (max_ns && deadline > 0) {
		start = ktime_get_ns();
		window = min(READ_ONCE(port->poll_ns), max_ns);
		if (window && port_poll(port, min_t(u64, start + window, deadline), out, &freed)) {
			atomic_long_inc(&port->poll_hits);
			port_free_list(&freed);
			return ZX_OK;
		}
	}
	for (;;) {
		prepare_to_wait_exclusive(&port->waiters, &wait, TASK_INTERRUPTIBLE);
		if (port_try_dequeue(port, out, &freed)) {
			status = ZX_OK;
			break;
		}
		if (signal_pending(current)) {
			status = ZX_ERR_INTERNAL_INTR_RETRY;
			break;
		}
		if (deadline == ZX_TIME_INFINITE) {
			schedule();
			slept = true;
			continue;
		}
		if (deadline <= 0 || (u64)deadline <= ktime_get_ns()) {
			status = ZX_ERR_TIMED_OUT;
			break;
		}
		expires = ns_to_ktime(deadline);
		schedule_hrtimeout(&expires, HRTIMER_MODE_ABS);
		slept = true;
	}
	finish_wait(&port->waiters, &wait);
	port_free_list(&freed);
	if (slept)
		atomic_long_inc(&port->sleeps);
	/* A wait that polled or slept adapts the window (none after a bare timeout). */
	if (start && (window || slept))
		poll_adapt(&port->poll_ns, window, start, status == ZX_OK, max_ns);

	/*
	 * An exclusive wakeup meant for this thread may have arrived after it
	 * decided to leave without a packet: pass it on to the next waiter.
	 */
	if (status != ZX_OK && port_has_packets(port))
		wake_up(&port->waiters);
	return status;
}

struct zxhv_port_arena *zxhv_port_arena_create(struct zxhv_port *port, unsigned int n, u64 key)
{
	struct zxhv_port_arena *arena;
	unsigned int i;

	arena = kvzalloc(size_add(struct_size(arena, pkts, n), array_size(n, sizeof(*arena->free))),
			 GFP_KERNEL_ACCOUNT);
	if (!arena)
		return NULL;
	arena->port = port;
	arena->key = key;
	arena->n = n;
	arena->nfree = n;
	arena->free = (struct zxhv_port_pkt **)&arena->pkts[n];
	/* The first taken is pkts[0]. */
	for (i = 0; i < n; i++) {
		arena->pkts[i].arena = arena;
		arena->free[n - 1 - i] = &arena->pkts[i];
	}
	zxhv_object_get(&port->obj);
	spin_lock(&port->lock);
	list_add_tail(&arena->port_node, &port->arenas);
	spin_unlock(&port->lock);
	return arena;
}

void zxhv_port_arena_destroy(struct zxhv_port_arena *arena)
{
	struct zxhv_port *port = arena->port;

	zxhv_port_cancel_arena(arena);
	WARN_ON_ONCE(arena->nfree != arena->n);
	spin_lock(&port->lock);
	list_del(&arena->port_node);
	spin_unlock(&port->lock);
	kvfree(arena);
	zxhv_object_put(&port->obj);
}

zx_status_t zxhv_port_queue_kernel(struct zxhv_port_arena *arena, const zx_port_packet_t *pkt)
{
	struct zxhv_port *port = arena->port;
	struct zxhv_port_pkt *p;
	zx_status_t status;

	spin_lock(&port->lock);
	if (port->no_handles) {
		status = ZX_ERR_BAD_HANDLE;
	} else if (!arena->nfree) {
		status = ZX_ERR_SHOULD_WAIT;
	} else {
		WRITE_ONCE(arena->nfree, arena->nfree - 1);
		p = arena->free[arena->nfree];
		p->pkt = *pkt;
		p->pkt.key = arena->key;
		p->pkt.status = ZX_OK;
		port_enqueue(port, p);
		status = ZX_OK;
	}
	spin_unlock(&port->lock);
	return status;
}

static bool arena_ready(struct zxhv_port_arena *arena)
{
	struct zxhv_port *port = arena->port;
	bool ready;

	spin_lock(&port->lock);
	ready = port->no_handles || arena->nfree;
	spin_unlock(&port->lock);
	return ready;
}

/*
 * Spins until the arena has a free packet (or lost its port), *@cancel or
 * @stop, while poll_goes_on(): while the waiter is taking packets on
 * another CPU it costs the waiter no wake-up per packet.
 */
static bool arena_poll(struct zxhv_port_arena *arena, const atomic_t *cancel, u64 stop)
{
	do {
		/* Unlocked looks; the caller queues under the lock. */
		if (READ_ONCE(arena->nfree) || READ_ONCE(arena->port->no_handles) ||
		    atomic_read(cancel))
			return true;
		cpu_relax();
	} while (poll_goes_on(stop));
	return false;
}

zx_status_t zxhv_port_arena_wait(struct zxhv_port_arena *arena, const atomic_t *cancel)
{
	u32 max_ns = READ_ONCE(port_poll_max_ns), window = 0;
	zx_status_t status = ZX_OK;
	u64 start = 0;

	if (arena_ready(arena))
		return ZX_OK;
	if (atomic_read(cancel))
		return ZX_ERR_CANCELED;
	if (max_ns) {
		start = ktime_get_ns();
		window = min(READ_ONCE(arena->poll_ns), max_ns);
	}
	if (window && arena_poll(arena, cancel, start + window)) {
		atomic_long_inc(&arena->port->arena_poll_hits);
	} else {
		atomic_long_inc(&arena->port->arena_sleeps);
		if (wait_event_interruptible(arena->port->arena_waiters,
					     arena_ready(arena) || atomic_read(cancel)))
			status = ZX_ERR_INTERNAL_INTR_RETRY;
	}
	/* Space wins over a cancel that came with it: the packet goes first. */
	if (status == ZX_OK && !arena_ready(arena))
		status = ZX_ERR_CANCELED;
	/* As zxhv_port_wait() adapts its window, by how long the space took. */
	if (start)
		poll_adapt(&arena->poll_ns, window, start, status == ZX_OK, max_ns);
	return status;
}

void zxhv_port_arena_wake(struct zxhv_port_arena *arena)
{
	wake_up(&arena->port->arena_waiters);
}

void zxhv_port_cancel_arena(struct zxhv_port_arena *arena)
{
	struct zxhv_port *port = arena->port;
	struct zxhv_port_pkt *p, *tmp;
	bool freed = false;
	LIST_HEAD(none);

	spin_lock(&port->lock);
	list_for_each_entry_safe(p, tmp, &port->queue, node) {
		if (p->arena == arena)
			freed |= port_unlink(port, p, &none);
	}
	spin_unlock(&port->lock);
	if (freed)
		wake_up(&port->arena_waiters);
}

void zxhv_port_stats(struct zxhv_port *port, struct zxhv_port_stats *out)
{
	struct zxhv_port_arena *arena;
	struct zxhv_port_pkt *p;

	memset(out, 0, sizeof(*out));
	spin_lock(&port->lock);
	list_for_each_entry(p, &port->queue, node)
		out->queued++;
	out->user_queued = port->user_packets;
	list_for_each_entry(arena, &port->arenas, port_node) {
		out->arenas++;
		out->arena_size += arena->n;
		out->arena_used += arena->n - arena->nfree;
	}
	spin_unlock(&port->lock);
	out->poll_ns = READ_ONCE(port->poll_ns);
	out->poll_hits = atomic_long_read(&port->poll_hits);
	out->sleeps = atomic_long_read(&port->sleeps);
	out->arena_poll_hits = atomic_long_read(&port->arena_poll_hits);
	out->arena_sleeps = atomic_long_read(&port->arena_sleeps);
}

zx_koid_t zxhv_port_arena_port_koid(const struct zxhv_port_arena *arena)
{
	return arena->port->obj.koid;
}
