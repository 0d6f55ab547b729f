// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the guest trap map (module/trap_map.c): the insertion rules of
 * zx_guest_set_trap (ranges, the IO bound, intersections per space, port
 * rules), lookups at every edge, BELL arenas and their cancellation when
 * the map is destroyed.
 */
#include <kunit/test.h>

#include "../module/object.h"
#include "../module/port.h"
#include "../module/trap_map.h"

#define BELL	ZX_GUEST_TRAP_BELL
#define MEM	ZX_GUEST_TRAP_MEM
#define IO	ZX_GUEST_TRAP_IO
#define PG	0x1000ull

static struct zxhv_port *new_port(struct kunit *test)
{
	struct zxhv_port *port = zxhv_port_create();

	KUNIT_ASSERT_NOT_NULL(test, port);
	zxhv_object_handle_added(zxhv_port_object(port));
	return port;
}

static void close_port(struct zxhv_port *port)
{
	zxhv_object_handle_removed(zxhv_port_object(port));
	zxhv_object_put(zxhv_port_object(port));
}

static void trap_map_ranges(struct kunit *test)
{
	struct zxhv_trap_map tm;

	zxhv_trap_map_init(&tm);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, MEM, PG, 0, NULL, 1), ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, IO, 0x60, 0, NULL, 1), ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, MEM, U64_MAX - PG + 1, 2 * PG, NULL, 1),
			ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, IO, U64_MAX, 2, NULL, 1),
			ZX_ERR_OUT_OF_RANGE);
	/* An end of exactly 2^64 wraps to 0: overflow too, as in Zircon. */
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, MEM, U64_MAX - PG + 1, PG, NULL, 1),
			ZX_ERR_OUT_OF_RANGE);
	/* The highest range that fits ends at 2^64 - 1. */
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, MEM, U64_MAX - PG, PG, NULL, 1), ZX_OK);
	KUNIT_EXPECT_NOT_NULL(test, zxhv_trap_map_lookup(&tm, MEM, U64_MAX - 1));
	KUNIT_EXPECT_PTR_EQ(test, zxhv_trap_map_lookup(&tm, MEM, U64_MAX - 1),
			    zxhv_trap_map_lookup(&tm, MEM, U64_MAX - PG));
	KUNIT_EXPECT_NULL(test, zxhv_trap_map_lookup(&tm, MEM, U64_MAX));
	KUNIT_EXPECT_NULL(test, zxhv_trap_map_lookup(&tm, MEM, U64_MAX - PG - 1));
	zxhv_trap_map_destroy(&tm);
}

static void trap_map_io_bound(struct kunit *test)
{
	struct zxhv_trap_map tm;

	zxhv_trap_map_init(&tm);
	/* addr + size may reach 0xFFFF, not beyond: port 0xFFFF is untrappable. */
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, IO, 0xFFFF, 1, NULL, 1),
			ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, IO, 0xFFF0, 0x10, NULL, 1),
			ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, IO, 0x10000, 1, NULL, 1),
			ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, IO, 0, 0x10000, NULL, 1),
			ZX_ERR_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, IO, 0xFFF0, 0xF, NULL, 2), ZX_OK);
	KUNIT_EXPECT_NULL(test, zxhv_trap_map_lookup(&tm, IO, 0xFFEF));
	KUNIT_EXPECT_NOT_NULL(test, zxhv_trap_map_lookup(&tm, IO, 0xFFF0));
	KUNIT_EXPECT_NOT_NULL(test, zxhv_trap_map_lookup(&tm, IO, 0xFFFE));
	KUNIT_EXPECT_NULL(test, zxhv_trap_map_lookup(&tm, IO, 0xFFFF));
	/* The same range is fine for MEM: another space, no 16-bit bound. */
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, MEM, 0xFFF0, 0x20, NULL, 3), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, IO, 0, 0xFFF0, NULL, 4), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_lookup(&tm, IO, 0)->key, 4ull);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_lookup(&tm, IO, 0xFFF0)->key, 2ull);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_lookup(&tm, MEM, 0xFFF0)->key, 3ull);
	zxhv_trap_map_destroy(&tm);
}

static void trap_map_kinds_and_ports(struct kunit *test)
{
	struct zxhv_port *port = new_port(test);
	struct zxhv_trap_map tm;

	zxhv_trap_map_init(&tm);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, 3, 0, PG, NULL, 1), ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, 3, 0, PG, port, 1), ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, BELL, 0, PG, NULL, 1),
			ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, MEM, 0, PG, port, 1), ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, IO, 0, 1, port, 1), ZX_ERR_INVALID_ARGS);
	KUNIT_EXPECT_NULL(test, zxhv_trap_map_lookup(&tm, 3, 0));
	KUNIT_EXPECT_NULL(test, zxhv_trap_map_lookup(&tm, MEM, 0));
	zxhv_trap_map_destroy(&tm);
	close_port(port);
}

/* BELL and MEM share a space; IO does not. */
static void trap_map_intersections(struct kunit *test)
{
	struct zxhv_port *port = new_port(test);
	const struct zxhv_trap *t;
	struct zxhv_trap_map tm;

	zxhv_trap_map_init(&tm);
	KUNIT_ASSERT_EQ(test, zxhv_trap_map_insert(&tm, MEM, 4 * PG, 2 * PG, NULL, 10), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, MEM, 4 * PG, 2 * PG, NULL, 11),
			ZX_ERR_ALREADY_EXISTS);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, BELL, 5 * PG, PG, port, 11),
			ZX_ERR_ALREADY_EXISTS);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, MEM, 3 * PG, 2 * PG, NULL, 11),
			ZX_ERR_ALREADY_EXISTS);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, BELL, 0, 16 * PG, port, 11),
			ZX_ERR_ALREADY_EXISTS);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, MEM, 5 * PG + 1, 1, NULL, 11),
			ZX_ERR_ALREADY_EXISTS);
	/* Touching at either end is not intersecting. */
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, BELL, 6 * PG, PG, port, 12), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, MEM, 3 * PG, PG, NULL, 13), ZX_OK);
	/* IO has its own space: the same numbers are free there. */
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, IO, 4 * PG, 2 * PG, NULL, 14), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_insert(&tm, IO, 5 * PG, 1, NULL, 15),
			ZX_ERR_ALREADY_EXISTS);

	t = zxhv_trap_map_lookup(&tm, MEM, 4 * PG);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_EXPECT_EQ(test, t->kind, MEM);
	KUNIT_EXPECT_EQ(test, t->key, 10ull);
	KUNIT_EXPECT_EQ(test, t->addr, 4 * PG);
	KUNIT_EXPECT_EQ(test, t->size, 2 * PG);
	KUNIT_EXPECT_NULL(test, t->arena);
	KUNIT_EXPECT_PTR_EQ(test, zxhv_trap_map_lookup(&tm, MEM, 6 * PG - 1), t);
	/* A BELL lookup searches the same space and finds the MEM trap. */
	KUNIT_EXPECT_PTR_EQ(test, zxhv_trap_map_lookup(&tm, BELL, 5 * PG), t);
	t = zxhv_trap_map_lookup(&tm, BELL, 6 * PG);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_EXPECT_EQ(test, t->kind, BELL);
	KUNIT_EXPECT_EQ(test, t->key, 12ull);
	KUNIT_EXPECT_NOT_NULL(test, t->arena);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_lookup(&tm, MEM, 3 * PG)->key, 13ull);
	KUNIT_EXPECT_NULL(test, zxhv_trap_map_lookup(&tm, MEM, 3 * PG - 1));
	KUNIT_EXPECT_NULL(test, zxhv_trap_map_lookup(&tm, MEM, 7 * PG));
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_lookup(&tm, IO, 4 * PG)->key, 14ull);
	KUNIT_EXPECT_EQ(test, zxhv_trap_map_lookup(&tm, IO, 4 * PG)->kind, IO);
	KUNIT_EXPECT_NULL(test, zxhv_trap_map_lookup(&tm, IO, 3 * PG));
	zxhv_trap_map_destroy(&tm);
	close_port(port);
}

/* Many traps in random order: every lookup finds exactly its own. */
static void trap_map_many(struct kunit *test)
{
	struct zxhv_trap_map tm;
	unsigned int i, j;

	zxhv_trap_map_init(&tm);
	/* 0, 37, 74, ... mod 256: a permutation of the 256 slots. */
	for (i = 0; i < 256; i++) {
		j = (i * 37) % 256;
		KUNIT_ASSERT_EQ(test, zxhv_trap_map_insert(&tm, MEM, j * 2 * PG, PG, NULL, j),
				ZX_OK);
	}
	for (j = 0; j < 256; j++) {
		KUNIT_EXPECT_EQ(test, zxhv_trap_map_lookup(&tm, MEM, j * 2 * PG + 7)->key, (u64)j);
		KUNIT_EXPECT_NULL(test, zxhv_trap_map_lookup(&tm, MEM, (j * 2 + 1) * PG));
		KUNIT_EXPECT_EQ(test,
				zxhv_trap_map_insert(&tm, MEM, j * 2 * PG + PG - 1, 2, NULL, 0),
				ZX_ERR_ALREADY_EXISTS);
	}
	zxhv_trap_map_destroy(&tm);
}

/*
 * A BELL trap's packets come from its own arena of 256; destroying the map
 * cancels the queued ones but not user packets with the same key.
 */
static void trap_map_bell_arena(struct kunit *test)
{
	struct zxhv_port *port = new_port(test);
	zx_port_packet_t pkt = { .type = ZX_PKT_TYPE_GUEST_BELL }, out;
	const struct zxhv_trap *t;
	struct zxhv_trap_map tm;
	unsigned int i;

	zxhv_trap_map_init(&tm);
	KUNIT_ASSERT_EQ(test, zxhv_trap_map_insert(&tm, BELL, 8 * PG, PG, port, 99), ZX_OK);
	t = zxhv_trap_map_lookup(&tm, BELL, 8 * PG);
	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < ZXHV_TRAP_BELL_PACKETS; i++)
		KUNIT_ASSERT_EQ(test, zxhv_port_queue_kernel(t->arena, &pkt), ZX_OK);
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_kernel(t->arena, &pkt), ZX_ERR_SHOULD_WAIT);
	KUNIT_ASSERT_EQ(test, zxhv_port_wait(port, 0, &out), ZX_OK);
	KUNIT_EXPECT_EQ(test, out.key, 99ull);
	KUNIT_EXPECT_EQ(test, out.type, ZX_PKT_TYPE_GUEST_BELL);
	KUNIT_EXPECT_EQ(test, zxhv_port_queue_kernel(t->arena, &pkt), ZX_OK);

	memset(&pkt, 0, sizeof(pkt));
	pkt.key = 99;
	KUNIT_ASSERT_EQ(test, zxhv_port_queue_user(port, &pkt), ZX_OK);
	zxhv_trap_map_destroy(&tm);
	KUNIT_ASSERT_EQ(test, zxhv_port_wait(port, 0, &out), ZX_OK);
	KUNIT_EXPECT_EQ(test, out.type, ZX_PKT_TYPE_USER);
	KUNIT_EXPECT_EQ(test, out.key, 99ull);
	KUNIT_EXPECT_EQ(test, zxhv_port_wait(port, 0, &out), ZX_ERR_TIMED_OUT);
	close_port(port);
}

static struct kunit_case trap_map_cases[] = {
	KUNIT_CASE(trap_map_ranges),
	KUNIT_CASE(trap_map_io_bound),
	KUNIT_CASE(trap_map_kinds_and_ports),
	KUNIT_CASE(trap_map_intersections),
	KUNIT_CASE(trap_map_many),
	KUNIT_CASE(trap_map_bell_arena),
	{}
};

static struct kunit_suite trap_map_suite = {
	.name = "zxhv-trap-map",
	.test_cases = trap_map_cases,
};

kunit_test_suite(trap_map_suite);
