// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: ports (module/port.c) -- FIFO order, the user-packet limit, kernel
 * arenas (their own limit, cancellation, the no-handles state) and
 * deadlines.
 */
#include <kunit/test.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "../module/port.h"

static const atomic_t no_cancel = ATOMIC_INIT(0);

static zx_port_packet_t make_pkt(u64 key, zx_packet_type_t type, u64 payload)
{
	zx_port_packet_t pkt = {
		.key = key,
		.type = type,
		.status = ZX_ERR_INTERNAL,
	};

	pkt.user.u64[0] = payload;
	pkt.user.u64[3] = ~payload;
	return pkt;
}

static struct zxhv_port *new_port(struct kunit *test)
{
	struct zxhv_port *port = zxhv_port_create();

	KUNIT_ASSERT_NOT_NULL(test, port);
	/* One handle, as zx_port_create gives; the port's own ref stays too. */
	zxhv_object_handle_added(zxhv_port_object(port));
	return port;
}

static void close_port(struct zxhv_port *port)
{
	zxhv_object_handle_removed(zxhv_port_object(port));
	zxhv_object_put(zxhv_port_object(port));
}

/* Polls one packet (deadline 0) and checks its key. */
static void expect_next(struct kunit *test, struct zxhv_port *port, u64 key)
{
	zx_port_packet_t out;

	KUNIT_EXPECT_EQ(test, zxhv_port_wait(port, 0, &out), ZX_OK);
	KUNIT_EXPECT_EQ(test, out.key, key);
}

static void expect_empty(struct kunit *test, struct zxhv_port *port)
{
	zx_port_packet_t out;

	KUNIT_EXPECT_EQ(test, zxhv_port_wait(port, 0, &out), ZX_ERR_TIMED_OUT);
}

static void port_fifo_order_and_user_type(struct kunit *test)
{
	struct zxhv_port *port = new_port(test);
	zx_port_packet_t pkt, out;
	u64 i;

	for (i = 1; i <= 3; i++) {
		pkt = make_pkt(i, ZX_PKT_TYPE_GUEST_BELL, i * 100);
		KUNIT_EXPECT_EQ(test, zxhv_port_queue_user(port, &pkt), ZX_OK);
	}
	for (i = 1; i <= 3; i++) {
		KUNIT_EXPECT_EQ(test, zxhv_port_wait(port, 0, &out), ZX_OK);
		KUNIT_EXPECT_EQ(test, out.key, i);
		/* The type is forced to USER; everything else is copied. */
		KUNIT_EXPECT_EQ(test, out.type, ZX_PKT_TYPE_USER);
		KUNIT_EXPECT_EQ(test, out.status, ZX_ERR_INTERNAL);
		KUNIT_EXPECT_EQ(test, out.user.u64[0], i * 100);
		KUNIT_EXPECT_EQ(test, out.user.u64[3], ~(i * 100));
	}
	expect_empty(test, port);
	close_port(port);
}

static void port_user_limit(struct kunit *test)
{
	struct zxhv_port *port = new_port(test);
	zx_port_packet_t pkt = make_pkt(0, ZX_PKT_TYPE_USER, 0);
	unsigned int i;

	for (i = 0; i < ZXHV_PORT_MAX_USER_PACKETS; i++) {
		pkt.key = i;
		KUNIT_ASSERT_EQ(test, zxhv_port_queue_user(port, &pkt), ZX_OK);
	}
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_user(port, &pkt), ZX_ERR_SHOULD_WAIT);
	expect_next(test, port, 0);
	/* One dequeued: room for exactly one more. */
	pkt.key = 9999;
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_user(port, &pkt), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_user(port, &pkt), ZX_ERR_SHOULD_WAIT);
	/* Closing the port with 4096 packets queued frees them (kmemleak). */
	close_port(port);
}

static void port_arena_own_limit(struct kunit *test)
{
	struct zxhv_port *port = new_port(test);
	zx_port_packet_t pkt = make_pkt(0, ZX_PKT_TYPE_USER, 0);
	zx_port_packet_t bell = make_pkt(123, ZX_PKT_TYPE_GUEST_BELL, 0x1000);
	struct zxhv_port_arena *arena;
	zx_port_packet_t out;
	unsigned int i;

	arena = zxhv_port_arena_create(port, 4, 77);
	KUNIT_ASSERT_NOT_NULL(test, arena);

	/* The user limit is reached, yet the arena's packets still go in. */
	for (i = 0; i < ZXHV_PORT_MAX_USER_PACKETS; i++)
		KUNIT_ASSERT_EQ(test, zxhv_port_queue_user(port, &pkt), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_user(port, &pkt), ZX_ERR_SHOULD_WAIT);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, zxhv_port_queue_kernel(arena, &bell), ZX_OK);
	/* ...until the arena itself is exhausted at N. */
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_kernel(arena, &bell), ZX_ERR_SHOULD_WAIT);

	/* Drain the user packets; the kernel ones follow, stamped by the arena. */
	for (i = 0; i < ZXHV_PORT_MAX_USER_PACKETS; i++)
		KUNIT_ASSERT_EQ(test, zxhv_port_wait(port, 0, &out), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_port_wait(port, 0, &out), ZX_OK);
	KUNIT_EXPECT_EQ(test, out.key, 77ULL);
	KUNIT_EXPECT_EQ(test, out.type, ZX_PKT_TYPE_GUEST_BELL);
	KUNIT_EXPECT_EQ(test, out.status, ZX_OK);
	KUNIT_EXPECT_EQ(test, out.guest_bell.addr, 0x1000UL);

	/* One dequeued: the wait helper does not block, and one more fits. */
	KUNIT_EXPECT_EQ(test, zxhv_port_arena_wait(arena, &no_cancel), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_kernel(arena, &bell), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_kernel(arena, &bell), ZX_ERR_SHOULD_WAIT);

	/* Destroying the arena with packets queued cancels them. */
	zxhv_port_arena_destroy(arena);
	expect_empty(test, port);
	close_port(port);
}

static void port_cancel_only_that_arena(struct kunit *test)
{
	struct zxhv_port *port = new_port(test);
	zx_port_packet_t pkt = make_pkt(7, ZX_PKT_TYPE_USER, 0);
	struct zxhv_port_arena *a, *b;
	unsigned int i;

	a = zxhv_port_arena_create(port, 2, 7);
	KUNIT_ASSERT_NOT_NULL(test, a);
	b = zxhv_port_arena_create(port, 2, 8);
	if (!b)
		zxhv_port_arena_destroy(a);
	KUNIT_ASSERT_NOT_NULL(test, b);

	KUNIT_EXPECT_EQ(test, zxhv_port_queue_kernel(a, &pkt), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_user(port, &pkt), ZX_OK);	/* key 7 */
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_kernel(b, &pkt), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_kernel(a, &pkt), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_kernel(a, &pkt), ZX_ERR_SHOULD_WAIT);

	zxhv_port_cancel_arena(a);
	/* The user packet with the same key stays, and so does b's. */
	expect_next(test, port, 7);
	expect_next(test, port, 8);
	expect_empty(test, port);

	/* Cancelling gave a's packets back: it can queue N again. */
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_EQ(test, zxhv_port_queue_kernel(a, &pkt), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_kernel(a, &pkt), ZX_ERR_SHOULD_WAIT);

	zxhv_port_arena_destroy(a);
	zxhv_port_arena_destroy(b);
	close_port(port);
}

static void port_zero_handles_refuses_kernel_packets(struct kunit *test)
{
	struct zxhv_port *port = new_port(test);
	zx_port_packet_t pkt = make_pkt(1, ZX_PKT_TYPE_USER, 0);
	struct zxhv_port_arena *arena;

	arena = zxhv_port_arena_create(port, 1, 5);
	KUNIT_ASSERT_NOT_NULL(test, arena);
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_kernel(arena, &pkt), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_user(port, &pkt), ZX_OK);

	/* The last handle goes; the arena still holds the port. */
	zxhv_object_handle_removed(zxhv_port_object(port));
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_kernel(arena, &pkt), ZX_ERR_BAD_HANDLE);
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_user(port, &pkt), ZX_ERR_BAD_HANDLE);
	/* A source blocked on a full arena is released, then gets BAD_HANDLE. */
	KUNIT_EXPECT_EQ(test, zxhv_port_arena_wait(arena, &no_cancel), ZX_OK);
	/* Packets queued before were dropped. */
	expect_empty(test, port);

	zxhv_port_arena_destroy(arena);
	zxhv_object_put(zxhv_port_object(port));
}

struct arena_canceler {
	struct delayed_work work;
	struct zxhv_port_arena *arena;
	atomic_t cancel;
};

static void arena_cancel_fn(struct work_struct *work)
{
	struct arena_canceler *c = container_of(to_delayed_work(work), struct arena_canceler, work);

	atomic_set(&c->cancel, 1);
	smp_mb();	/* as zxhv_port_arena_wake() asks */
	zxhv_port_arena_wake(c->arena);
}

/* A wait for space ends with CANCELED when its flag is raised, not before. */
static void port_arena_wait_canceled(struct kunit *test)
{
	struct zxhv_port *port = new_port(test);
	zx_port_packet_t pkt = make_pkt(1, ZX_PKT_TYPE_USER, 0);
	struct arena_canceler c = { .cancel = ATOMIC_INIT(0) };
	zx_port_packet_t out;

	c.arena = zxhv_port_arena_create(port, 1, 9);
	KUNIT_ASSERT_NOT_NULL(test, c.arena);
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_kernel(c.arena, &pkt), ZX_OK);

	/* Full, and the flag raised 20 ms later by another thread: the wake ends the sleep. */
	INIT_DELAYED_WORK(&c.work, arena_cancel_fn);
	schedule_delayed_work(&c.work, msecs_to_jiffies(20));
	KUNIT_EXPECT_EQ(test, zxhv_port_arena_wait(c.arena, &c.cancel), ZX_ERR_CANCELED);
	flush_delayed_work(&c.work);
	/* Raised before the wait: at once. */
	KUNIT_EXPECT_EQ(test, zxhv_port_arena_wait(c.arena, &c.cancel), ZX_ERR_CANCELED);
	/* Space wins over the flag; the packet queued before is still there. */
	KUNIT_EXPECT_EQ(test, zxhv_port_wait(port, 0, &out), ZX_OK);
	KUNIT_EXPECT_EQ(test, out.key, 9ULL);
	KUNIT_EXPECT_EQ(test, zxhv_port_arena_wait(c.arena, &c.cancel), ZX_OK);

	zxhv_port_arena_destroy(c.arena);
	close_port(port);
}

static void port_wait_deadlines(struct kunit *test)
{
	struct zxhv_port *port = new_port(test);
	zx_port_packet_t pkt = make_pkt(3, ZX_PKT_TYPE_USER, 0);
	struct zxhv_port_stats stats;
	zx_port_packet_t out;
	u64 start;

	/* Deadlines in the past (and negative ones) poll. */
	KUNIT_EXPECT_EQ(test, zxhv_port_wait(port, 0, &out), ZX_ERR_TIMED_OUT);
	KUNIT_EXPECT_EQ(test, zxhv_port_wait(port, -1, &out), ZX_ERR_TIMED_OUT);
	KUNIT_EXPECT_EQ(test, zxhv_port_wait(port, ktime_get_ns() - 1, &out),
			ZX_ERR_TIMED_OUT);
	/* ...and still return a queued packet. */
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_user(port, &pkt), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_port_wait(port, 0, &out), ZX_OK);
	KUNIT_EXPECT_EQ(test, out.key, 3ULL);
	/* A queued packet is returned at once even with an infinite deadline. */
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_user(port, &pkt), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_port_wait(port, ZX_TIME_INFINITE, &out), ZX_OK);

	/* A future deadline sleeps until then. */
	start = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, zxhv_port_wait(port, start + 2 * NSEC_PER_MSEC, &out),
			ZX_ERR_TIMED_OUT);
	KUNIT_EXPECT_GE(test, ktime_get_ns(), start + 2 * NSEC_PER_MSEC);
	/* It slept, and a wait that got nothing leaves no polling window. */
	zxhv_port_stats(port, &stats);
	KUNIT_EXPECT_EQ(test, stats.sleeps, 1ULL);
	KUNIT_EXPECT_EQ(test, stats.poll_hits, 0ULL);
	KUNIT_EXPECT_EQ(test, stats.poll_ns, 0U);
	close_port(port);
}

/* The polling window's adaptation (port.h, zxhv_port_poll_next()). */
static void port_poll_window(struct kunit *test)
{
	/* Polling off: no window, whatever the waits did. */
	KUNIT_EXPECT_EQ(test, zxhv_port_poll_next(0, 5, 0), 0U);
	KUNIT_EXPECT_EQ(test, zxhv_port_poll_next(40000, 5, 0), 0U);
	/* A short wait opens a window of 10 us (or the maximum if smaller)... */
	KUNIT_EXPECT_EQ(test, zxhv_port_poll_next(0, 3000, 50000), 10000U);
	KUNIT_EXPECT_EQ(test, zxhv_port_poll_next(0, 3000, 5000), 5000U);
	/* ...which doubles while packets come after it but within the maximum... */
	KUNIT_EXPECT_EQ(test, zxhv_port_poll_next(10000, 15000, 50000), 20000U);
	KUNIT_EXPECT_EQ(test, zxhv_port_poll_next(20000, 30000, 50000), 40000U);
	KUNIT_EXPECT_EQ(test, zxhv_port_poll_next(40000, 45000, 50000), 50000U);
	KUNIT_EXPECT_EQ(test, zxhv_port_poll_next(50000, 50000, 50000), 50000U);
	/* ...stays while they come within it (a lowered maximum caps it)... */
	KUNIT_EXPECT_EQ(test, zxhv_port_poll_next(20000, 5000, 50000), 20000U);
	KUNIT_EXPECT_EQ(test, zxhv_port_poll_next(40000, 5000, 20000), 20000U);
	/* ...and closes when a packet comes later than the maximum or never. */
	KUNIT_EXPECT_EQ(test, zxhv_port_poll_next(40000, 50001, 50000), 0U);
	KUNIT_EXPECT_EQ(test, zxhv_port_poll_next(40000, U64_MAX, 50000), 0U);
	/* No overflow near the top of the range. */
	KUNIT_EXPECT_EQ(test, zxhv_port_poll_next(U32_MAX - 1, U32_MAX, U32_MAX), U32_MAX);
}

static struct kunit_case port_cases[] = {
	KUNIT_CASE(port_fifo_order_and_user_type),
	KUNIT_CASE(port_user_limit),
	KUNIT_CASE(port_arena_own_limit),
	KUNIT_CASE(port_cancel_only_that_arena),
	KUNIT_CASE(port_zero_handles_refuses_kernel_packets),
	KUNIT_CASE(port_arena_wait_canceled),
	KUNIT_CASE(port_wait_deadlines),
	KUNIT_CASE(port_poll_window),
	{}
};

static struct kunit_suite port_suite = {
	.name = "zxhv-port",
	.test_cases = port_cases,
};

kunit_test_suite(port_suite);
