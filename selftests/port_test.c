// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ports through libzx: zx_port_create, zx_port_queue, zx_port_wait.  Every
 * error the spec lists for them (a table names each row), the raw ioctl
 * ABI's reserved fields, FIFO order across threads, blocked waiters,
 * signals during a wait, and a process killed while blocked in a wait
 * (the kmemleak scan after the run must stay clean).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>
#include <zircon-hv.h>

#include "kselftest_harness.h"

#define MSEC(n)		((zx_duration_t)(n) * 1000000)
#define USER_LIMIT	4096

static zx_port_packet_t user_pkt(uint64_t key, uint64_t payload)
{
	zx_port_packet_t p;

	memset(&p, 0, sizeof(p));
	p.key = key;
	p.type = ZX_PKT_TYPE_USER;
	p.user.u64[0] = payload;
	return p;
}

/* --- the error table ----------------------------------------------------------- */

/* Handles every row may use, made fresh for each row. */
struct handles {
	zx_handle_t port;		/* default rights */
	zx_handle_t closed;		/* a port handle already closed */
	zx_handle_t no_write;		/* the port without ZX_RIGHT_WRITE */
	zx_handle_t no_read;		/* the port without ZX_RIGHT_READ */
	zx_handle_t resource;		/* not a port */
};

struct error_row {
	const char *name;
	zx_status_t expected;
	zx_status_t (*call)(const struct handles *h);
};

static zx_status_t create_bad_options(const struct handles *h)
{
	zx_handle_t out;

	(void)h;
	return zx_port_create(2, &out);
}

static zx_status_t create_bad_out(const struct handles *h)
{
	(void)h;
	return zx_port_create(0, (zx_handle_t *)8);
}

static zx_status_t queue_invalid_handle(const struct handles *h)
{
	zx_port_packet_t p = user_pkt(1, 0);

	(void)h;
	return zx_port_queue(ZX_HANDLE_INVALID, &p);
}

static zx_status_t queue_closed_handle(const struct handles *h)
{
	zx_port_packet_t p = user_pkt(1, 0);

	return zx_port_queue(h->closed, &p);
}

static zx_status_t queue_wrong_type(const struct handles *h)
{
	zx_port_packet_t p = user_pkt(1, 0);

	return zx_port_queue(h->resource, &p);
}

static zx_status_t queue_no_write(const struct handles *h)
{
	zx_port_packet_t p = user_pkt(1, 0);

	return zx_port_queue(h->no_write, &p);
}

static zx_status_t queue_bad_packet(const struct handles *h)
{
	return zx_port_queue(h->port, (const zx_port_packet_t *)8);
}

static zx_status_t queue_null_packet(const struct handles *h)
{
	return zx_port_queue(h->port, NULL);
}

static zx_status_t queue_over_limit(const struct handles *h)
{
	zx_port_packet_t p = user_pkt(1, 0);
	zx_status_t st;
	int i;

	for (i = 0; i < USER_LIMIT; i++) {
		st = zx_port_queue(h->port, &p);
		if (st != ZX_OK)
			return st == ZX_ERR_SHOULD_WAIT ? ZX_ERR_INTERNAL : st;
	}
	return zx_port_queue(h->port, &p);
}

static zx_status_t wait_invalid_handle(const struct handles *h)
{
	zx_port_packet_t p;

	(void)h;
	return zx_port_wait(ZX_HANDLE_INVALID, 0, &p);
}

static zx_status_t wait_closed_handle(const struct handles *h)
{
	zx_port_packet_t p;

	return zx_port_wait(h->closed, 0, &p);
}

static zx_status_t wait_wrong_type(const struct handles *h)
{
	zx_port_packet_t p;

	return zx_port_wait(h->resource, 0, &p);
}

static zx_status_t wait_no_read(const struct handles *h)
{
	zx_port_packet_t p;

	return zx_port_wait(h->no_read, 0, &p);
}

static zx_status_t wait_bad_packet(const struct handles *h)
{
	zx_port_packet_t p = user_pkt(1, 0);
	zx_status_t st = zx_port_queue(h->port, &p);

	if (st != ZX_OK)
		return st;
	return zx_port_wait(h->port, ZX_TIME_INFINITE, (zx_port_packet_t *)8);
}

static zx_status_t wait_past_deadline(const struct handles *h)
{
	zx_port_packet_t p;

	return zx_port_wait(h->port, 0, &p);
}

static zx_status_t wait_short_deadline(const struct handles *h)
{
	zx_port_packet_t p;

	return zx_port_wait(h->port, zx_deadline_after(MSEC(20)), &p);
}

static const struct error_row error_rows[] = {
	{ "create: options other than 0/1", ZX_ERR_INVALID_ARGS, create_bad_options },
	{ "create: faulting out pointer", ZX_ERR_INVALID_ARGS, create_bad_out },
	{ "queue: ZX_HANDLE_INVALID", ZX_ERR_BAD_HANDLE, queue_invalid_handle },
	{ "queue: closed handle", ZX_ERR_BAD_HANDLE, queue_closed_handle },
	{ "queue: not a port", ZX_ERR_WRONG_TYPE, queue_wrong_type },
	{ "queue: no ZX_RIGHT_WRITE", ZX_ERR_ACCESS_DENIED, queue_no_write },
	{ "queue: faulting packet", ZX_ERR_INVALID_ARGS, queue_bad_packet },
	{ "queue: NULL packet", ZX_ERR_INVALID_ARGS, queue_null_packet },
	{ "queue: 4097th user packet", ZX_ERR_SHOULD_WAIT, queue_over_limit },
	{ "wait: ZX_HANDLE_INVALID", ZX_ERR_BAD_HANDLE, wait_invalid_handle },
	{ "wait: closed handle", ZX_ERR_BAD_HANDLE, wait_closed_handle },
	{ "wait: not a port", ZX_ERR_WRONG_TYPE, wait_wrong_type },
	{ "wait: no ZX_RIGHT_READ", ZX_ERR_ACCESS_DENIED, wait_no_read },
	{ "wait: faulting packet", ZX_ERR_INVALID_ARGS, wait_bad_packet },
	{ "wait: deadline passed", ZX_ERR_TIMED_OUT, wait_past_deadline },
	{ "wait: deadline reached", ZX_ERR_TIMED_OUT, wait_short_deadline },
};

TEST(error_table)
{
	unsigned int i;

	for (i = 0; i < sizeof(error_rows) / sizeof(error_rows[0]); i++) {
		const struct error_row *row = &error_rows[i];
		struct handles h;

		ASSERT_EQ(ZX_OK, zx_port_create(0, &h.port));
		ASSERT_EQ(ZX_OK, zx_port_create(0, &h.closed));
		ASSERT_EQ(ZX_OK, zx_handle_close(h.closed));
		ASSERT_EQ(ZX_OK, zx_handle_duplicate(h.port,
						     ZX_DEFAULT_PORT_RIGHTS & ~ZX_RIGHT_WRITE,
						     &h.no_write));
		ASSERT_EQ(ZX_OK, zx_handle_duplicate(h.port,
						     ZX_DEFAULT_PORT_RIGHTS & ~ZX_RIGHT_READ,
						     &h.no_read));
		ASSERT_EQ(ZX_OK, zxhv_hypervisor_resource(&h.resource));

		TH_LOG("row %u: %s", i, row->name);
		EXPECT_EQ(row->expected, row->call(&h));

		EXPECT_EQ(ZX_OK, zx_handle_close(h.port));
		EXPECT_EQ(ZX_OK, zx_handle_close(h.no_write));
		EXPECT_EQ(ZX_OK, zx_handle_close(h.no_read));
		EXPECT_EQ(ZX_OK, zx_handle_close(h.resource));
	}
}

/* The rights a port needs are the only ones checked: READ alone can wait, WRITE alone queue. */
TEST(rights_are_exactly_read_and_write)
{
	zx_handle_t port, w, r;
	zx_port_packet_t p = user_pkt(5, 0), out;

	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(port, ZX_RIGHT_WRITE, &w));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(port, ZX_RIGHT_READ, &r));
	EXPECT_EQ(ZX_OK, zx_port_queue(w, &p));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_port_wait(w, 0, &out));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_port_queue(r, &p));
	EXPECT_EQ(ZX_OK, zx_port_wait(r, 0, &out));
	EXPECT_EQ(5, out.key);
	zx_handle_close(w);
	zx_handle_close(r);
	zx_handle_close(port);
}

TEST(create_options)
{
	zx_handle_t port;
	zx_port_packet_t p = user_pkt(1, 0), out;

	/* BIND_TO_INTERRUPT is accepted and the port works as any other. */
	ASSERT_EQ(ZX_OK, zx_port_create(ZX_PORT_BIND_TO_INTERRUPT, &port));
	EXPECT_EQ(ZX_OK, zx_port_queue(port, &p));
	EXPECT_EQ(ZX_OK, zx_port_wait(port, 0, &out));
	EXPECT_EQ(ZX_OK, zx_handle_close(port));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_port_create(0x80000000u, &port));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_port_create(0, NULL));
}

/* Type forced to USER; key, status and payload copied. */
TEST(queue_forces_user_type)
{
	zx_handle_t port;
	zx_port_packet_t p, out;
	int i;

	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	memset(&p, 0, sizeof(p));
	p.key = 0x1122334455667788ull;
	p.type = ZX_PKT_TYPE_GUEST_BELL;
	p.status = ZX_ERR_CANCELED;
	for (i = 0; i < 32; i++)
		p.user.c8[i] = (char)(i + 1);
	ASSERT_EQ(ZX_OK, zx_port_queue(port, &p));
	memset(&out, 0xa5, sizeof(out));
	ASSERT_EQ(ZX_OK, zx_port_wait(port, ZX_TIME_INFINITE, &out));
	EXPECT_EQ(p.key, out.key);
	EXPECT_EQ(ZX_PKT_TYPE_USER, out.type);
	EXPECT_EQ(ZX_ERR_CANCELED, out.status);
	EXPECT_EQ(0, memcmp(&p.user, &out.user, sizeof(p.user)));
	zx_handle_close(port);
}

TEST(user_limit_then_room_again)
{
	zx_handle_t port;
	zx_port_packet_t p, out;
	int i;

	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	for (i = 0; i < USER_LIMIT; i++) {
		p = user_pkt(i, 0);
		ASSERT_EQ(ZX_OK, zx_port_queue(port, &p));
	}
	EXPECT_EQ(ZX_ERR_SHOULD_WAIT, zx_port_queue(port, &p));
	ASSERT_EQ(ZX_OK, zx_port_wait(port, 0, &out));
	EXPECT_EQ(0, out.key);
	EXPECT_EQ(ZX_OK, zx_port_queue(port, &p));
	EXPECT_EQ(ZX_ERR_SHOULD_WAIT, zx_port_queue(port, &p));
	/* Closed with 4096 packets queued: all freed (kmemleak). */
	EXPECT_EQ(ZX_OK, zx_handle_close(port));
}

/* --- the raw ioctl ABI: reserved fields ------------------------------------------ */

TEST(raw_reserved_fields_must_be_zero)
{
	int fd = open(ZXHV_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	struct zxhv_port_create c;
	struct zxhv_port_queue q;
	struct zxhv_port_wait w;
	zx_port_packet_t p = user_pkt(9, 0), out;
	zx_handle_t port = 0;

	ASSERT_GE(fd, 0);
	memset(&c, 0, sizeof(c));
	c.out = (uintptr_t)&port;
	c.reserved = 1;
	EXPECT_EQ(-ZX_ERR_INVALID_ARGS, ioctl(fd, ZXHV_IOC_PORT_CREATE, &c));
	c.reserved = 0;
	ASSERT_EQ(ZX_OK, ZXHV_STATUS(ioctl(fd, ZXHV_IOC_PORT_CREATE, &c)));

	memset(&q, 0, sizeof(q));
	q.handle = port;
	q.packet = (uintptr_t)&p;
	q.reserved = 1;
	EXPECT_EQ(-ZX_ERR_INVALID_ARGS, ioctl(fd, ZXHV_IOC_PORT_QUEUE, &q));
	q.reserved = 0;
	EXPECT_EQ(ZX_OK, ZXHV_STATUS(ioctl(fd, ZXHV_IOC_PORT_QUEUE, &q)));

	memset(&w, 0, sizeof(w));
	w.handle = port;
	w.packet = (uintptr_t)&out;
	w.reserved = 1;
	EXPECT_EQ(-ZX_ERR_INVALID_ARGS, ioctl(fd, ZXHV_IOC_PORT_WAIT, &w));
	w.reserved = 0;
	EXPECT_EQ(ZX_OK, ZXHV_STATUS(ioctl(fd, ZXHV_IOC_PORT_WAIT, &w)));
	EXPECT_EQ(9, out.key);

	/* The argument block itself faulting is a transport error. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, ZXHV_IOC_PORT_WAIT, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

/* --- deadlines ------------------------------------------------------------------- */

TEST(deadline_after_saturates)
{
	zx_time_t now = zx_clock_get_monotonic();
	struct timespec ts;

	ASSERT_EQ(0, clock_gettime(CLOCK_MONOTONIC, &ts));
	EXPECT_LE(now, (zx_time_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
	EXPECT_GT(now, 0);
	EXPECT_EQ(ZX_TIME_INFINITE, zx_deadline_after(ZX_TIME_INFINITE));
	EXPECT_EQ(ZX_TIME_INFINITE, zx_deadline_after(ZX_TIME_INFINITE - 1));
	EXPECT_GE(zx_deadline_after(MSEC(1)), now + MSEC(1));
}

TEST(timed_out_waits_until_deadline)
{
	zx_handle_t port;
	zx_port_packet_t out;
	zx_time_t deadline;

	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	deadline = zx_deadline_after(MSEC(50));
	EXPECT_EQ(ZX_ERR_TIMED_OUT, zx_port_wait(port, deadline, &out));
	EXPECT_GE(zx_clock_get_monotonic(), deadline);
	/* Negative and zero deadlines poll. */
	EXPECT_EQ(ZX_ERR_TIMED_OUT, zx_port_wait(port, -1, &out));
	EXPECT_EQ(ZX_ERR_TIMED_OUT, zx_port_wait(port, 0, &out));
	zx_handle_close(port);
}

/* --- threads ---------------------------------------------------------------------- */

#define PRODUCERS	4
#define PER_PRODUCER	1000

struct producer {
	zx_handle_t port;
	uint64_t id;
	zx_status_t status;
};

static void *produce(void *arg)
{
	struct producer *pr = arg;
	uint64_t i;

	pr->status = ZX_OK;
	for (i = 0; i < PER_PRODUCER; i++) {
		zx_port_packet_t p = user_pkt(pr->id, i);

		pr->status = zx_port_queue(pr->port, &p);
		if (pr->status != ZX_OK)
			break;
	}
	return NULL;
}

/* Each producer's packets come out in the order it queued them. */
TEST(fifo_across_threads)
{
	struct producer pr[PRODUCERS];
	pthread_t t[PRODUCERS];
	uint64_t next[PRODUCERS] = { 0 };
	zx_handle_t port;
	zx_port_packet_t out;
	int i, n;

	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	for (i = 0; i < PRODUCERS; i++) {
		pr[i].port = port;
		pr[i].id = i;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, produce, &pr[i]));
	}
	for (n = 0; n < PRODUCERS * PER_PRODUCER; n++) {
		ASSERT_EQ(ZX_OK, zx_port_wait(port, zx_deadline_after(MSEC(10000)), &out));
		ASSERT_LT(out.key, PRODUCERS);
		ASSERT_EQ(next[out.key], out.user.u64[0]);
		next[out.key]++;
	}
	for (i = 0; i < PRODUCERS; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(ZX_OK, pr[i].status);
	}
	EXPECT_EQ(ZX_ERR_TIMED_OUT, zx_port_wait(port, 0, &out));
	zx_handle_close(port);
}

struct waiter {
	zx_handle_t port;
	zx_time_t deadline;
	zx_status_t status;
	zx_port_packet_t pkt;
};

static void *wait_one(void *arg)
{
	struct waiter *w = arg;

	w->status = zx_port_wait(w->port, w->deadline, &w->pkt);
	return NULL;
}

TEST(blocked_waiter_woken_by_queue)
{
	struct waiter w = { .deadline = ZX_TIME_INFINITE };
	zx_port_packet_t p = user_pkt(42, 4242);
	pthread_t t;

	ASSERT_EQ(ZX_OK, zx_port_create(0, &w.port));
	ASSERT_EQ(0, pthread_create(&t, NULL, wait_one, &w));
	usleep(100 * 1000);
	ASSERT_EQ(ZX_OK, zx_port_queue(w.port, &p));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(ZX_OK, w.status);
	EXPECT_EQ(42, w.pkt.key);
	EXPECT_EQ(4242, w.pkt.user.u64[0]);
	zx_handle_close(w.port);
}

/* N waiters, N packets: each waiter gets exactly one, none is lost. */
TEST(one_waiter_per_packet)
{
	struct waiter w[4];
	pthread_t t[4];
	zx_handle_t port;
	uint64_t seen = 0;
	int i;

	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	for (i = 0; i < 4; i++) {
		w[i].port = port;
		w[i].deadline = zx_deadline_after(MSEC(10000));
		ASSERT_EQ(0, pthread_create(&t[i], NULL, wait_one, &w[i]));
	}
	usleep(100 * 1000);
	for (i = 0; i < 4; i++) {
		zx_port_packet_t p = user_pkt(i, 0);

		ASSERT_EQ(ZX_OK, zx_port_queue(port, &p));
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(ZX_OK, w[i].status);
		seen |= 1ull << w[i].pkt.key;
	}
	EXPECT_EQ(0xf, seen);
	zx_handle_close(port);
}

/* --- signals ---------------------------------------------------------------------- */

static atomic_int alarms;

static void on_alarm(int sig)
{
	(void)sig;
	atomic_fetch_add(&alarms, 1);
}

/* SIGALRM every @ms milliseconds, with a handler and without SA_RESTART. */
static int start_alarms(int ms)
{
	struct itimerval it = {
		.it_interval = { .tv_usec = ms * 1000 },
		.it_value = { .tv_usec = ms * 1000 },
	};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	if (sigaction(SIGALRM, &sa, NULL))
		return -1;
	atomic_store(&alarms, 0);
	return setitimer(ITIMER_REAL, &it, NULL);
}

static void stop_alarms(void)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
}

struct late_queue {
	zx_handle_t port;
	int delay_ms;
};

static void *queue_late(void *arg)
{
	struct late_queue *lq = arg;
	zx_port_packet_t p = user_pkt(77, 7777);

	usleep(lq->delay_ms * 1000);
	zx_port_queue(lq->port, &p);
	return NULL;
}

TEST(signal_restarts_wait_and_returns_packet)
{
	struct late_queue lq = { .delay_ms = 300 };
	zx_port_packet_t out;
	zx_status_t st;
	sigset_t set;
	pthread_t t;

	ASSERT_EQ(ZX_OK, zx_port_create(0, &lq.port));
	/* The queueing thread inherits SIGALRM blocked: it is for this thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	ASSERT_EQ(0, pthread_sigmask(SIG_BLOCK, &set, NULL));
	ASSERT_EQ(0, pthread_create(&t, NULL, queue_late, &lq));
	ASSERT_EQ(0, pthread_sigmask(SIG_UNBLOCK, &set, NULL));
	ASSERT_EQ(0, start_alarms(20));
	st = zx_port_wait(lq.port, ZX_TIME_INFINITE, &out);
	stop_alarms();
	pthread_join(t, NULL);
	EXPECT_EQ(ZX_OK, st);
	EXPECT_EQ(77, out.key);
	EXPECT_EQ(7777, out.user.u64[0]);
	/* The wait really was interrupted, several times. */
	EXPECT_GE(atomic_load(&alarms), 2);
	zx_handle_close(lq.port);
}

/* The restarted wait keeps the original absolute deadline. */
TEST(signal_keeps_deadline)
{
	zx_handle_t port;
	zx_port_packet_t out;
	zx_time_t deadline;
	zx_status_t st;

	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	ASSERT_EQ(0, start_alarms(10));
	deadline = zx_deadline_after(MSEC(200));
	st = zx_port_wait(port, deadline, &out);
	stop_alarms();
	EXPECT_EQ(ZX_ERR_TIMED_OUT, st);
	EXPECT_GE(zx_clock_get_monotonic(), deadline);
	EXPECT_LT(zx_clock_get_monotonic(), deadline + MSEC(2000));
	EXPECT_GE(atomic_load(&alarms), 2);
	zx_handle_close(port);
}

/* --- process death ------------------------------------------------------------------ */

/* Killed while blocked in zx_port_wait, with packets queued elsewhere: nothing leaks. */
TEST(killed_while_waiting_leaks_nothing)
{
	int ready[2];
	pid_t pid;
	int status;
	char c;

	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		zx_handle_t a, b, dup;
		zx_port_packet_t p = user_pkt(1, 0), out;
		int i;

		close(ready[0]);
		if (zx_port_create(0, &a) || zx_port_create(0, &b))
			_exit(2);
		for (i = 0; i < 100; i++)
			zx_port_queue(b, &p);
		if (zx_handle_duplicate(a, ZX_RIGHT_SAME_RIGHTS, &dup))
			_exit(3);
		if (write(ready[1], "r", 1) != 1)
			_exit(4);
		zx_port_wait(a, ZX_TIME_INFINITE, &out);
		_exit(5);
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	usleep(100 * 1000);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	close(ready[0]);
}

TEST(create_close_cycles)
{
	zx_port_packet_t p = user_pkt(1, 0);
	zx_handle_t port;
	int i;

	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
		ASSERT_EQ(ZX_OK, zx_port_queue(port, &p));
		ASSERT_EQ(ZX_OK, zx_handle_close(port));
	}
}

TEST_HARNESS_MAIN
