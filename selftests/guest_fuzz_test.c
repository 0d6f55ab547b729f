// SPDX-License-Identifier: GPL-2.0-only
/*
 * A guest fuzzer (issue 16, item 4).  Each run builds a fresh guest in real,
 * protected or long mode (guest_fuzz_guest.h) running random code with
 * "interesting" instructions mixed in, random extra traps and unmappings,
 * random zx_vcpu_write_state values (GPRs, RSP, flags; IO completions of
 * random sizes), random interrupts before and between entries, and a
 * watchdog thread that kicks an enter that runs too long.  Every
 * zx_vcpu_enter is host_state.h's raw syscall (the FPU/SIMD pattern must
 * survive it) and must end with a status docs/api.md allows for it; after
 * every run the host thread's state must equal the snapshot taken before
 * the first (MSRs, PKRU, XCR0, FS/GS base, watchpoints, CR2 reports).  A
 * well-behaved guest on another thread of the process, pinned to the same
 * CPU, computes a known sequence throughout and must never see an error or
 * a wrong value.
 *
 * Deterministic by seed: run i uses a generator seeded from (seed, i), so
 *   ZXHV_GFUZZ_SEED=S ZXHV_GFUZZ_FIRST=i ZXHV_GFUZZ_RUNS=1 guest_fuzz_test
 * replays run i of a failure.  Environment: ZXHV_GFUZZ_SEED (default: from
 * the clock, printed), ZXHV_GFUZZ_RUNS (default 90: make check), ZXHV_GFUZZ_FIRST,
 * ZXHV_GFUZZ_PROGRESS=1 (a line before each run: a hang of the whole machine,
 * which no watchdog thread can report, then names its run).
 * At the end it prints the runs, the statuses seen per mode and the exits.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * fuzz                          the above: no status outside the contract, no host
 *                               state change, no hang, the other guest unharmed
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "vcpu_guest.h"
#include "vcpu_vm.h"
#include "host_state.h"
#include "guest_fuzz_guest.h"

#define FZ_ENTERS	10	/* enters per run at most */
#define FZ_KICK_MS	30	/* the watchdog kicks an enter running this long */
#define FZ_HANG_S	120	/* ... and declares a hang after this */
#define FZ_DRAIN_MAX	1024	/* BELL packets taken per look (each trap holds 256) */

static const char *const fz_mode_name[FZ_MODES] = { "real", "protected", "long" };

/* Statuses docs/api.md allows zx_vcpu_enter (INTERNAL, a failed VMLAUNCH, is a bug). */
static const zx_status_t fz_allowed[] = {
	ZX_OK, ZX_ERR_CANCELED, ZX_ERR_NOT_FOUND, ZX_ERR_ACCESS_DENIED, ZX_ERR_OUT_OF_RANGE,
	ZX_ERR_NOT_SUPPORTED, ZX_ERR_INVALID_ARGS, ZX_ERR_BAD_STATE,
};
#define FZ_NSTATUS	(sizeof(fz_allowed) / sizeof(fz_allowed[0]))

struct fz_stats {
	unsigned long runs[FZ_MODES];
	unsigned long status[FZ_MODES][FZ_NSTATUS];
	unsigned long pkt_io_out, pkt_io_in, pkt_mem, pkt_vcpu, pkt_other, bells;
	unsigned long kicks, interrupts, writes, traps_set, enters;
};

/* The watchdog: kicks the enter in progress after FZ_KICK_MS, drains bells. */
struct fz_dog {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	zx_handle_t vcpu, port;
	unsigned long gen;		/* odd while an enter runs */
	bool stop;
	unsigned long kicks, bells;
	uint64_t seed, run;
	pthread_t thread;
};

static void fz_timespec_after(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/*
 * Takes the queued BELL packets, a bounded number: a guest that rings as
 * fast as this thread drains would otherwise keep it here, never reaching
 * its kick (seed 0x7a004361 run 1507: each enter ran seconds, not 30 ms).
 */
static void fz_drain(struct fz_dog *d)
{
	zx_port_packet_t p;

	for (int i = 0; i < FZ_DRAIN_MAX && d->port != ZX_HANDLE_INVALID &&
	     zx_port_wait(d->port, 0, &p) == ZX_OK; i++)
		d->bells++;
}

static void *fz_dog_thread(void *arg)
{
	struct fz_dog *d = arg;
	struct timespec ts;
	unsigned long gen;
	long waited;

	pthread_mutex_lock(&d->lock);
	while (!d->stop) {
		if (!(d->gen & 1)) {
			pthread_cond_wait(&d->cond, &d->lock);
			continue;
		}
		gen = d->gen;
		for (waited = 0; d->gen == gen && !d->stop; waited += 10) {
			fz_timespec_after(&ts, 10);
			pthread_cond_timedwait(&d->cond, &d->lock, &ts);
			fz_drain(d);
			if (d->gen != gen)
				break;
			if (waited == FZ_KICK_MS || (waited > FZ_KICK_MS && waited % 1000 == 0)) {
				zx_vcpu_kick(d->vcpu);
				d->kicks++;
			}
			if (waited > FZ_HANG_S * 1000L) {
				printf("# HANG: seed %#llx run %llu: zx_vcpu_enter did not return "
				       "%d s after a kick\n", (unsigned long long)d->seed,
				       (unsigned long long)d->run, FZ_HANG_S);
				fflush(stdout);
				_exit(1);
			}
		}
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

static void fz_dog_arm(struct fz_dog *d, zx_handle_t vcpu, zx_handle_t port)
{
	pthread_mutex_lock(&d->lock);
	d->vcpu = vcpu;
	d->port = port;
	d->gen++;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

static void fz_dog_disarm(struct fz_dog *d)
{
	pthread_mutex_lock(&d->lock);
	d->gen++;
	fz_drain(d);
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

/* --- the well-behaved guest on another thread ------------------------------ */

/* Reports 7 * k for k = 1, 2, 3, ... on PORT_VALUE, forever. */
GUEST_PROGRAM(g_fz_buddy,
	"xor %ebx, %ebx\n"
	"1: inc %ebx\n"
	"imul $7, %ebx, %eax\n"
	"out %eax, $0x10\n"
	"jmp 1b");

struct fz_buddy {
	volatile int stop;
	unsigned long values;
	zx_status_t status;
	uint32_t bad_value, want;
	char fpu_why[128];
	bool fpu_bad;
	pthread_t thread;
};

static void *fz_buddy_thread(void *arg)
{
	struct fz_buddy *b = arg;
	struct hs_fpu *fpu = aligned_alloc(64, sizeof(*fpu));	/* XRSTOR: 64-byte aligned */
	zx_port_packet_t p;
	struct vm vm;
	cpu_set_t set;
	int fd;

	CPU_ZERO(&set);
	CPU_SET(hs.cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	b->status = fpu ? vm_create(&vm, g_fz_buddy, g_fz_buddy_end) : ZX_ERR_NO_MEMORY;
	if (b->status == ZX_OK)
		b->status = zx_vcpu_create(vm.guest, 0, GPA_CODE, &vm.vcpu);
	if (b->status != ZX_OK) {
		free(fpu);
		return NULL;
	}
	hs_fpu_init(fpu, 0x1234567);
	fd = hs_device_fd();
	while (!b->stop) {
		memset(&p, 0, sizeof(p));
		b->status = hs_enter(fpu, fd, vm.vcpu, &p, &b->fpu_bad, b->fpu_why,
				     sizeof(b->fpu_why));
		if (b->status != ZX_OK || b->fpu_bad)
			break;
		b->want = 7 * (uint32_t)(b->values + 1);
		if (p.type != ZX_PKT_TYPE_GUEST_IO || p.guest_io.port != PORT_VALUE ||
		    p.guest_io.u32 != b->want) {
			b->bad_value = p.guest_io.u32;
			b->status = ZX_ERR_INTERNAL;
			break;
		}
		b->values++;
		sched_yield();
	}
	vm_close(&vm);
	free(fpu);
	return NULL;
}

/* --- one run ---------------------------------------------------------------- */

struct fz_ctx {
	struct hs_snap before;
	struct hs_watch watch;
	struct hs_fpu fpu;
	struct fz_dog dog;
	struct fz_stats st;
	int fd;
	uint64_t seed;
};

/* A BSP on another thread, so that this thread's VCPU is an AP (VPID 2). */
struct fz_bsp {
	struct vm *vm;
	zx_handle_t vcpu;
	zx_status_t status;
};

static void *fz_bsp_thread(void *arg)
{
	struct fz_bsp *b = arg;

	b->status = zx_vcpu_create(b->vm->guest, 0, GPA_CODE, &b->vcpu);
	return NULL;
}

static int fz_status_index(zx_status_t s)
{
	for (size_t i = 0; i < FZ_NSTATUS; i++) {
		if (fz_allowed[i] == s)
			return i;
	}
	return -1;
}

/* Random GPRs and RSP (and sometimes flags) into the VCPU. */
static void fz_write_state(struct __test_metadata *_metadata, struct fz_ctx *c,
			   struct fz_rng *r, struct vm *vm)
{
	zx_vcpu_state_t st;
	uint64_t *reg = (uint64_t *)&st;
	zx_status_t s;

	s = zx_vcpu_read_state(vm->vcpu, ZX_VCPU_STATE, &st, sizeof(st));
	EXPECT_EQ(ZX_OK, s);
	for (size_t i = 0; i < sizeof(st) / 8; i++) {
		if (fz_below(r, 3) == 0)
			reg[i] = fz_below(r, 2) ? fz_value(r) : fz_next(r);
	}
	st.rflags = fz_below(r, 2) ? 0 : (fz_next(r) | 2);
	s = zx_vcpu_write_state(vm->vcpu, ZX_VCPU_STATE, &st, sizeof(st));
	EXPECT_EQ(ZX_OK, s);
	c->st.writes++;
}

/* Random traps and holes in the fresh guest; their statuses are recorded only. */
static void fz_traps(struct fz_ctx *c, struct fz_rng *r, struct vm *vm)
{
	for (uint32_t n = fz_below(r, 4); n; n--) {
		uint32_t kind = fz_below(r, 3);
		uint64_t addr, size;

		if (kind == 0) {			/* IO */
			addr = fz_below(r, 2) ? 0x80 + fz_below(r, 0x80) : fz_below(r, 0x10000);
			size = 1 + fz_below(r, 8);
			zx_guest_set_trap(vm->guest, ZX_GUEST_TRAP_IO, addr, size,
					  ZX_HANDLE_INVALID, 0x40 + n);
		} else {
			addr = (fz_below(r, 2) ? 0x40000 + fz_below(r, 0x1c0) * 0x1000ull :
				fz_next(r) & 0xfffffffff000ull);
			size = 0x1000ull * (1 + fz_below(r, 2));
			zx_guest_set_trap(vm->guest, kind == 1 ? ZX_GUEST_TRAP_MEM :
					  ZX_GUEST_TRAP_BELL, addr, size,
					  kind == 1 ? ZX_HANDLE_INVALID : vm->port, 0x50 + n);
		}
		c->st.traps_set++;
	}
	if (fz_below(r, 4) == 0)
		zx_vmar_protect(vm->vmar, ZX_VM_PERM_READ, 0x30000 + fz_below(r, 0x100) * 0x1000ull,
				0x1000);
	if (fz_below(r, 4) == 0)
		zx_vmar_unmap(vm->vmar, 0x30000 + fz_below(r, 0x100) * 0x1000ull, 0x1000);
}

static void fz_packet(struct __test_metadata *_metadata, struct fz_ctx *c, struct fz_rng *r,
		      struct vm *vm, const zx_port_packet_t *p)
{
	zx_vcpu_io_t io;
	zx_status_t want;

	switch (p->type) {
	case ZX_PKT_TYPE_GUEST_IO:
		if (!p->guest_io.input) {
			c->st.pkt_io_out++;
			break;
		}
		c->st.pkt_io_in++;
		memset(&io, 0, sizeof(io));
		io.access_size = fz_below(r, 4) ? p->guest_io.access_size : fz_below(r, 9);
		io.u32 = (uint32_t)fz_next(r);
		want = io.access_size == 1 || io.access_size == 2 || io.access_size == 4 ?
			ZX_OK : ZX_ERR_INVALID_ARGS;
		EXPECT_EQ(want, zx_vcpu_write_state(vm->vcpu, ZX_VCPU_IO, &io, sizeof(io)));
		break;
	case ZX_PKT_TYPE_GUEST_MEM:
		c->st.pkt_mem++;
		break;
	case ZX_PKT_TYPE_GUEST_VCPU:
		c->st.pkt_vcpu++;
		break;
	default:
		c->st.pkt_other++;
		break;
	}
}

/* The host checks after a run: snapshot, watchpoints, CR2 reports. */
static void fz_host_check(struct __test_metadata *_metadata, struct fz_ctx *c, uint64_t run)
{
	struct hs_snap now;
	char why[1024];
	int bad;

	hs_snapshot(&now);
	bad = hs_diff(&c->before, &now, why, sizeof(why));
	if (bad)
		TH_LOG("seed %#llx run %llu: host state changed: %s",
		       (unsigned long long)c->seed, (unsigned long long)run, why);
	EXPECT_EQ(0, bad);
	bad = hs_watch_check(&c->watch, why, sizeof(why));
	if (bad)
		TH_LOG("seed %#llx run %llu: debug registers: %s",
		       (unsigned long long)c->seed, (unsigned long long)run, why);
	EXPECT_EQ(0, bad);
	EXPECT_TRUE(hs_cr2_probe((uint32_t)run * 8));
}

static void fz_run(struct __test_metadata *_metadata, struct fz_ctx *c, uint64_t run)
{
	struct fz_rng r = { c->seed ^ (run * 0xd1b54a32d192ed03ull) };
	enum fz_mode m = fz_below(&r, FZ_MODES);
	struct fz_bsp bsp = { 0 };
	zx_port_packet_t p;
	int errors = 0, idx;
	struct vm vm;
	char why[128];
	bool fpu_bad;
	zx_status_t s;

	fz_next(&r);
	ASSERT_EQ(ZX_OK, vm_create(&vm, m == FZ_LONG ? g_fz_long : g_spin,
				   m == FZ_LONG ? g_fz_long_end : g_spin_end));
	fz_tables(vm.mem, &r, m, fz_below(&r, 8) == 0 ? 1 + fz_below(&r, 2) : 0);
	if (m == FZ_LONG) {
		fz_pd2(vm.mem, &r);
		fz_code(&r, m, vm.mem + FZ_CODE, FZ_CODE_MAX);
	} else if (m == FZ_PROT) {
		memcpy(vm.mem + AP_GPA, g_fz_prot, g_fz_prot_end - g_fz_prot);
		fz_code(&r, m, vm.mem + FZ_CODE, FZ_CODE_MAX);
	} else {
		uint32_t n = fz_below(&r, 10) ? g_fz_real_end - g_fz_real : 0;

		memcpy(vm.mem + AP_GPA, g_fz_real, n);
		fz_code(&r, m, vm.mem + AP_GPA + n, FZ_CODE_MAX);
	}
	fz_traps(c, &r, &vm);
	if (m == FZ_LONG) {
		s = zx_vcpu_create(vm.guest, 0, GPA_CODE, &vm.vcpu);
	} else {
		bsp.vm = &vm;
		run_on_thread(fz_bsp_thread, &bsp);
		ASSERT_EQ(ZX_OK, bsp.status);
		s = zx_vcpu_create(vm.guest, 0, AP_GPA, &vm.vcpu);
	}
	ASSERT_EQ(ZX_OK, s);
	c->st.runs[m]++;
	if (fz_below(&r, 2))
		fz_write_state(_metadata, c, &r, &vm);
	for (int e = 0; e < FZ_ENTERS && errors < 3; e++) {
		if (fz_below(&r, 4) == 0) {
			uint32_t v = fz_below(&r, 8) ? fz_below(&r, 256) : 256 + fz_below(&r, 64);

			s = zx_vcpu_interrupt(vm.vcpu, v);
			EXPECT_EQ(v < 256 ? ZX_OK : ZX_ERR_OUT_OF_RANGE, s);
			c->st.interrupts++;
		}
		if (fz_below(&r, 16) == 0) {
			EXPECT_EQ(ZX_OK, zx_vcpu_kick(vm.vcpu));
			c->st.kicks++;
		}
		if (fz_below(&r, 6) == 0)
			fz_write_state(_metadata, c, &r, &vm);
		fz_dog_arm(&c->dog, vm.vcpu, vm.port);
		memset(&p, 0, sizeof(p));
		s = hs_enter(&c->fpu, c->fd, vm.vcpu, &p, &fpu_bad, why, sizeof(why));
		fz_dog_disarm(&c->dog);
		c->st.enters++;
		if (fpu_bad)
			TH_LOG("seed %#llx run %llu (%s) enter %d: FPU/SIMD state changed: %s",
			       (unsigned long long)c->seed, (unsigned long long)run,
			       fz_mode_name[m], e, why);
		EXPECT_FALSE(fpu_bad);
		idx = fz_status_index(s);
		if (idx < 0)
			TH_LOG("seed %#llx run %llu (%s) enter %d: status %d (%s) not allowed",
			       (unsigned long long)c->seed, (unsigned long long)run,
			       fz_mode_name[m], e, s, zx_status_get_string(s));
		ASSERT_LE(0, idx);
		c->st.status[m][idx]++;
		if (s == ZX_OK)
			fz_packet(_metadata, c, &r, &vm, &p);
		else if (s != ZX_ERR_CANCELED)
			errors++;
	}
	zx_handle_close(bsp.vcpu);
	vm_close(&vm);
	fz_host_check(_metadata, c, run);
}

static uint64_t fz_env(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

/* The run may be long (make soak): the harness's 30 s default is no bound here. */
FIXTURE(fz) {
	int unused;
};

FIXTURE_SETUP(fz)
{
}

FIXTURE_TEARDOWN(fz)
{
}

TEST_F_TIMEOUT(fz, fuzz, 7 * 24 * 3600)
{
	struct fz_buddy buddy;
	struct fz_ctx *c;
	uint64_t runs, first, progress;
	struct timespec t;

	NEED_VMX();
	c = aligned_alloc(64, sizeof(*c));	/* holds a struct hs_fpu */
	ASSERT_NE(NULL, c);
	memset(c, 0, sizeof(*c));
	clock_gettime(CLOCK_REALTIME, &t);
	c->seed = fz_env("ZXHV_GFUZZ_SEED", (uint64_t)t.tv_sec * 1000003 ^ t.tv_nsec);
	runs = fz_env("ZXHV_GFUZZ_RUNS", 90);
	first = fz_env("ZXHV_GFUZZ_FIRST", 0);
	progress = fz_env("ZXHV_GFUZZ_PROGRESS", 0);
	printf("# seed %#llx, runs %llu from %llu (replay: ZXHV_GFUZZ_SEED=%#llx "
	       "ZXHV_GFUZZ_FIRST=N ZXHV_GFUZZ_RUNS=1)\n", (unsigned long long)c->seed,
	       (unsigned long long)runs, (unsigned long long)first,
	       (unsigned long long)c->seed);
	fflush(stdout);

	hs_init();
	hs_fpu_init(&c->fpu, c->seed);
	hs_watch_arm(&c->watch);
	hs_snapshot(&c->before);
	TH_LOG("cpu %d: %d MSRs readable, %d watchpoints, PKU %d, XSAVE %d, AVX %d",
	       hs.cpu, hs_msrs_read(&c->before), c->watch.n, hs.pku, hs.xsave, hs.avx);

	memset(&buddy, 0, sizeof(buddy));
	ASSERT_EQ(0, pthread_create(&buddy.thread, NULL, fz_buddy_thread, &buddy));
	pthread_mutex_init(&c->dog.lock, NULL);
	pthread_cond_init(&c->dog.cond, NULL);
	c->dog.seed = c->seed;
	ASSERT_EQ(0, pthread_create(&c->dog.thread, NULL, fz_dog_thread, &c->dog));
	/* A first guest call opens the device; its descriptor is hs_enter()'s. */
	for (int i = 0; i < 100 && (c->fd = hs_device_fd()) < 0; i++)
		sleep_ms(10);
	ASSERT_LE(0, c->fd);

	for (uint64_t run = first; run < first + runs && _metadata->passed; run++) {
		c->dog.run = run;
		if (progress) {
			printf("# run %llu\n", (unsigned long long)run);
			fflush(stdout);
		}
		fz_run(_metadata, c, run);
		if (buddy.status != ZX_OK)
			break;
	}

	buddy.stop = 1;
	pthread_join(buddy.thread, NULL);
	pthread_mutex_lock(&c->dog.lock);
	c->dog.stop = true;
	pthread_cond_broadcast(&c->dog.cond);
	pthread_mutex_unlock(&c->dog.lock);
	pthread_join(c->dog.thread, NULL);
	hs_watch_close(&c->watch);

	printf("# runs: %lu real, %lu protected, %lu long; %lu enters\n", c->st.runs[FZ_REAL],
	       c->st.runs[FZ_PROT], c->st.runs[FZ_LONG], c->st.enters);
	for (int m = 0; m < FZ_MODES; m++) {
		printf("# statuses (%s):", fz_mode_name[m]);
		for (size_t i = 0; i < FZ_NSTATUS; i++) {
			if (c->st.status[m][i])
				printf(" %s %lu", zx_status_get_string(fz_allowed[i]),
				       c->st.status[m][i]);
		}
		printf("\n");
	}
	printf("# exits to userspace: IO out %lu, IO in %lu, MEM %lu, VCPU %lu, other %lu; "
	       "BELL packets %lu\n", c->st.pkt_io_out, c->st.pkt_io_in, c->st.pkt_mem,
	       c->st.pkt_vcpu, c->st.pkt_other, c->dog.bells);
	printf("# host: %lu interrupts, %lu kicks (+%lu by the watchdog), %lu state writes, "
	       "%lu traps tried; other guest: %lu right values\n", c->st.interrupts,
	       c->st.kicks, c->dog.kicks, c->st.writes, c->st.traps_set, buddy.values);
	if (buddy.status != ZX_OK || buddy.fpu_bad)
		TH_LOG("the other guest: %s, value %#x (want %#x), FPU %s",
		       zx_status_get_string(buddy.status), buddy.bad_value, buddy.want,
		       buddy.fpu_bad ? buddy.fpu_why : "ok");
	EXPECT_EQ(ZX_OK, buddy.status);
	EXPECT_FALSE(buddy.fpu_bad);
	EXPECT_LT(0ul, buddy.values);
	EXPECT_EQ(0ul, c->st.pkt_other);
	free(c);
}

TEST_HARNESS_MAIN
