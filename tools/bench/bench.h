/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The part of zxhv-bench and kvm-bench that both share: the measurements
 * and their output, around the guest program of bench_guest.h.  Each tool
 * supplies a backend (struct backend) that creates a VM from the image,
 * enters it and reports the exits; everything that is measured runs through
 * the same driver code below, so both hypervisors run byte-identical guest
 * code and are timed at the same points.
 *
 * Times are RDTSC ticks read by the host program.  On real hardware they are
 * TSC cycles; under Bochs (clock: sync=none) the TSC advances by one per
 * emulated instruction, so the figures are path lengths in instructions.
 */
#ifndef ZXHV_TOOLS_BENCH_H
#define ZXHV_TOOLS_BENCH_H

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench_guest.h"

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* --- the backend interface --------------------------------------------------------- */

enum exit_kind { EXIT_IO, EXIT_IO_IN, EXIT_MEM, EXIT_OTHER };

struct exit_info {
	enum exit_kind kind;
	uint16_t port;		/* EXIT_IO (an OUT) and EXIT_IO_IN */
	uint32_t value;		/* OUT data */
	uint64_t addr;		/* MEM address */
};

struct bvm;

struct backend {
	const char *name;
	/*
	 * A VM with MEM_SIZE of RAM holding bench_image(), the MEM and BELL
	 * traps, IO traps on the ports above, @touch bytes at GPA_TOUCH (0:
	 * none) and one VCPU starting at @entry.  With @giant the touch
	 * region (1 GiB) is to be backed by one 1 GiB page: zircon-hv gets a
	 * budget of one 1 GiB VMO block (module parameter vmo_1g_blocks), KVM
	 * a 1 GiB hugetlbfs page (the pool of one is filled here, outside any
	 * timed window) mapped with MAP_HUGETLB; destroy() undoes either.
	 * Returns NULL on failure (after printing why).
	 */
	struct bvm *(*create)(uint64_t entry, uint64_t touch, bool giant);
	void (*destroy)(struct bvm *vm);
	uint8_t *(*mem)(struct bvm *vm);
	/* Runs the VCPU to its next exit to this program; 0 or -1. */
	int (*enter)(struct bvm *vm, struct exit_info *e);
	/* The byte the IN of the last exit (EXIT_IO_IN) reads; 0 or -1. */
	int (*answer_in)(struct bvm *vm, uint8_t value);
	/* Raises IRQ_VECTOR on the VCPU; called from another thread. */
	int (*interrupt)(struct bvm *vm);
	/*
	 * The doorbell drain of queue @q: drain() blocks until stop_drain()
	 * of the same queue, counting the guest writes to that queue's BELL
	 * page it consumed (returned).
	 */
	uint64_t (*drain)(struct bvm *vm, unsigned int q);
	void (*stop_drain)(struct bvm *vm, unsigned int q);
	/* guest TSC - host TSC; -1 if unknown. */
	int (*tsc_offset)(struct bvm *vm, int64_t *offset);
	/* EPT leaves installed now: 4k, 2m, 1g; -1 if the hypervisor does not say. */
	int (*ept_pages)(struct bvm *vm, uint64_t out[3]);
};

/* --- measuring ----------------------------------------------------------------------- */

struct bench_params {
	uint64_t warm, n;	/* ops a, b */
	uint64_t r, k;		/* ops c, d (R blocks of K) and e (R wake-ups) */
	uint64_t setups;	/* op f */
	uint64_t touch;		/* op g, bytes */
	unsigned int hlt_delay_us;
};

/* Reads (@write false) or writes the number in sysfs file @path; 0 or -1. */
static int sysfs_uint(const char *path, unsigned int *v, bool write)
{
	FILE *f = fopen(path, write ? "w" : "r");
	int ok;

	if (!f) {
		printf("# %s: %s\n", path, strerror(errno));
		return -1;
	}
	ok = write ? fprintf(f, "%u\n", *v) > 0 : fscanf(f, "%u", v) == 1;
	if (fclose(f) || !ok) {
		printf("# %s: cannot %s it\n", path, write ? "write" : "read");
		return -1;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * One result line, parsed by scripts/bench-table.py:
 *   result <op> <median> <min> <max> <samples>
 */
static void report(const char *op, uint64_t *v, size_t n)
{
	uint64_t med = median(v, n);

	printf("result %s %llu %llu %llu %zu\n", op, (unsigned long long)med,
	       (unsigned long long)v[0], (unsigned long long)v[n - 1], n);
	fflush(stdout);
}

static const char *bench_prog = "bench";

#define FAIL(...) do { fprintf(stderr, "%s: ", bench_prog); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); return -1; } while (0)

static int expect_io(const struct backend *be, struct bvm *vm, uint16_t port, int value)
{
	struct exit_info e;

	if (be->enter(vm, &e))
		return -1;
	if (e.kind != EXIT_IO || e.port != port || (value >= 0 && (e.value & 0xff) != (uint32_t)value))
		FAIL("want an OUT to port %#x (%#x), got exit kind %d port %#x value %#x addr %#llx",
		     port, value, e.kind, e.port, e.value, (unsigned long long)e.addr);
	return 0;
}

/*
 * Ops a, b and i: each sample is one enter -> exit round trip; for i (an
 * IN) also the answer to the previous IN before it (zircon-hv:
 * zx_vcpu_write_state(ZX_VCPU_IO); KVM: the byte in the run structure),
 * what a VMM pays per read of a device register.  The last IN is answered
 * after the samples.
 */
static int round_trips(const struct backend *be, struct bvm *vm, const struct bench_params *bp,
		       enum exit_kind kind, const char *op, uint64_t *median_out)
{
	uint64_t *v = calloc(bp->n, sizeof(*v));
	struct exit_info e;
	uint64_t i;

	if (!v)
		FAIL("out of memory");
	for (i = 0; i < bp->n; i++) {
		uint64_t t0 = rdtsc();

		if ((kind == EXIT_IO_IN && i > 0 && be->answer_in(vm, IN_ANSWER)) ||
		    be->enter(vm, &e)) {
			free(v);
			return -1;
		}
		v[i] = rdtsc() - t0;
		if (e.kind != kind || (kind == EXIT_MEM && e.addr != GPA_MEM_TRAP) ||
		    (kind != EXIT_MEM && e.port != PORT_IO)) {
			free(v);
			FAIL("%s: unexpected exit kind %d port %#x addr %#llx", op, e.kind, e.port,
			     (unsigned long long)e.addr);
		}
	}
	/* The first warm-up samples are dropped. */
	report(op, v + bp->warm, bp->n - bp->warm);
	*median_out = v[bp->warm + (bp->n - bp->warm) / 2];
	free(v);
	return kind == EXIT_IO_IN ? be->answer_in(vm, IN_ANSWER) : 0;
}

/*
 * Ops c, d and h: the time between two PORT_TICK exits, less one IO round
 * trip (op b's median), divided by K: the cost of one guest operation that
 * never reaches this program.  The first block is a warm-up.  For the
 * doorbells (@mean) a line `mean <op> <ticks>` follows the result: the
 * mean over all blocks, i.e. the inverse of the write rate.  Their blocks
 * are bimodal (whether a waiter preempted the VCPU thread in the block),
 * so the median jumps between the modes from run to run; the mean moves
 * only with the share of each.
 */
static int blocks(const struct backend *be, struct bvm *vm, const struct bench_params *bp,
		  uint64_t io_rt, const char *op, bool mean)
{
	uint64_t *v = calloc(bp->r, sizeof(*v));
	uint64_t t, prev = 0, i, sum = 0;

	if (!v)
		FAIL("out of memory");
	for (i = 0; i <= bp->r; i++) {
		if (expect_io(be, vm, PORT_TICK, -1)) {
			free(v);
			return -1;
		}
		t = rdtsc();
		if (i > 0) {
			uint64_t d = t - prev;

			v[i - 1] = (d > io_rt ? d - io_rt : 0) / bp->k;
			if (i > 1)
				sum += v[i - 1];
		}
		prev = t;
	}
	report(op, v + 1, bp->r - 1);
	if (mean) {
		printf("mean %s %llu\n", op, (unsigned long long)(sum / (bp->r - 1)));
		fflush(stdout);
	}
	free(v);
	return 0;
}

struct drainer {
	const struct backend *be;
	struct bvm *vm;
	unsigned int q;
	uint64_t drained;
};

static void *drain_thread(void *arg)
{
	struct drainer *d = arg;

	d->drained = d->be->drain(d->vm, d->q);
	return NULL;
}

/*
 * A VMM's doorbell waiters are long-lived threads, but the benchmark starts
 * them right before the writes, and the scheduler places a thread just
 * created a share of a period behind the running ones: until the writer
 * has run that long, a wake-up of the waiter does not preempt the writer,
 * and on one CPU the writes pile up unread.  Measured (mitigations=off,
 * one CPU): KVM's (c) read 1,189 ticks per write over 60 blocks with 1 + 3
 * context switches, and 7,939 over 600 blocks with ~64,000 of each kind.
 * So the VCPU thread spins for BELL_SETTLE_MS of CLOCK_MONOTONIC, the
 * waiters blocked, before the first block: the blocks then measure the
 * steady state for both backends.
 */
#define BELL_SETTLE_MS	50

static void bells_settle(void)
{
	struct timespec t0, t;
	int64_t ns;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		clock_gettime(CLOCK_MONOTONIC, &t);
		ns = (int64_t)(t.tv_sec - t0.tv_sec) * 1000000000 + (t.tv_nsec - t0.tv_nsec);
	} while (ns < (int64_t)BELL_SETTLE_MS * 1000000);
}

/*
 * Ops c and h: doorbell blocks over @queues queues, each drained by its
 * own thread; every write must reach its queue's waiter.
 */
static int bells(const struct backend *be, struct bvm *vm, const struct bench_params *bp,
		 uint64_t io_rt, unsigned int queues, const char *op)
{
	struct drainer dr[BELL_QUEUES];
	pthread_t th[BELL_QUEUES];
	struct rusage ru0, ru1;
	unsigned int q, started = 0;
	int ret = -1;

	for (q = 0; q < queues; q++) {
		dr[q] = (struct drainer){ be, vm, q, 0 };
		if (pthread_create(&th[q], NULL, drain_thread, &dr[q])) {
			fprintf(stderr, "%s: cannot start a drain thread\n", bench_prog);
			goto out;
		}
		started++;
	}
	bells_settle();
	getrusage(RUSAGE_SELF, &ru0);
	ret = blocks(be, vm, bp, io_rt, op, true);
	getrusage(RUSAGE_SELF, &ru1);
	/* How often the VCPU and the drain threads took turns on a CPU. */
	printf("# %s: %ld voluntary, %ld involuntary context switches in %llu writes\n", op,
	       ru1.ru_nvcsw - ru0.ru_nvcsw, ru1.ru_nivcsw - ru0.ru_nivcsw,
	       (unsigned long long)(bp->r * bp->k));
out:
	for (q = 0; q < started; q++) {
		/* Write i of a block went to queue i % queues. */
		uint64_t want = bp->r * (bp->k / queues + (q < bp->k % queues));

		be->stop_drain(vm, q);
		pthread_join(th[q], NULL);
		if (ret == 0 && dr[q].drained != want) {
			fprintf(stderr, "%s: %s: queue %u's drain thread saw %llu doorbell writes, "
				"want %llu\n", bench_prog, op, q, (unsigned long long)dr[q].drained,
				(unsigned long long)want);
			ret = -1;
		}
	}
	return ret;
}

struct waker {
	const struct backend *be;
	struct bvm *vm;
	sem_t ready, sent;
	uint64_t r;
	uint64_t *t0;		/* host TSC just before each interrupt */
	unsigned int delay_us;
	int status;
};

/*
 * Op e's host thread: each time the VCPU said "about to halt", give it
 * time to reach HLT, then read the TSC and raise the interrupt.
 */
static void *wake_thread(void *arg)
{
	struct waker *w = arg;
	uint64_t i;

	for (i = 0; i < w->r; i++) {
		sem_wait(&w->ready);
		if (w->delay_us)
			usleep(w->delay_us);
		w->t0[i] = rdtsc();
		if (w->be->interrupt(w->vm)) {
			w->status = -1;
			sem_post(&w->sent);
			return NULL;
		}
		sem_post(&w->sent);
	}
	return NULL;
}

static int hlt_wake(const struct backend *be, struct bvm *vm, const struct bench_params *bp)
{
	uint64_t *lat = calloc(bp->r, sizeof(*lat)), woke_in_hlt = 0, i, n = 0;
	uint8_t *mem = be->mem(vm);
	struct waker w;
	pthread_t th;
	int64_t off;
	int ret = 0;

	if (!lat)
		FAIL("out of memory");
	if (be->tsc_offset(vm, &off)) {
		free(lat);
		printf("# hlt_wake: the guest TSC offset is unknown; op e skipped\n");
		return 1;
	}
	memset(&w, 0, sizeof(w));
	w.be = be;
	w.vm = vm;
	w.r = bp->r;
	w.delay_us = bp->hlt_delay_us;
	w.t0 = calloc(bp->r, sizeof(uint64_t));
	if (!w.t0 || sem_init(&w.ready, 0, 0) || sem_init(&w.sent, 0, 0) ||
	    pthread_create(&th, NULL, wake_thread, &w)) {
		free(lat);
		free(w.t0);
		FAIL("cannot start the wake-up thread");
	}
	for (i = 0; i <= bp->r && ret == 0; i++) {
		if (expect_io(be, vm, PORT_READY, -1)) {
			ret = -1;
			break;
		}
		if (i > 0) {
			uint64_t g = get64(mem, GPA_DATA + D_IRQ_TSC) - (uint64_t)off;

			sem_wait(&w.sent);
			if (get64(mem, GPA_DATA + D_IRQ_RIP) == entry_gpa(bench_hlt_after)) {
				woke_in_hlt++;
				lat[n++] = g - w.t0[i - 1];
			}
		}
		if (i < bp->r)
			sem_post(&w.ready);
	}
	if (ret) {
		/* Let the thread finish: it waits for "ready" R times. */
		for (; i <= bp->r; i++)
			sem_post(&w.ready);
	}
	pthread_join(th, NULL);
	if (!ret && w.status)
		ret = -1;
	if (!ret && get64(mem, GPA_DATA + D_IRQ_COUNT) != bp->r) {
		fprintf(stderr, "%s: hlt_wake: %llu interrupts taken, want %llu\n", bench_prog,
			(unsigned long long)get64(mem, GPA_DATA + D_IRQ_COUNT),
			(unsigned long long)bp->r);
		ret = -1;
	}
	printf("# hlt_wake: %llu of %llu interrupts woke the VCPU from HLT\n",
	       (unsigned long long)woke_in_hlt, (unsigned long long)bp->r);
	if (!ret && n < 2) {
		fprintf(stderr, "%s: hlt_wake: too few wake-ups from HLT\n", bench_prog);
		ret = -1;
	}
	if (!ret)
		report("e_hlt_wake", lat + 1, n - 1);	/* the first one is a warm-up */
	free(lat);
	free(w.t0);
	return ret;
}

/*
 * Ops a-e, h and i on one VM, those named in @ops (op b also runs for c, d
 * and h, which subtract its round trip).
 */
static int run_main(const struct backend *be, const struct bench_params *bp, const char *ops)
{
	struct bvm *vm = be->create(entry_gpa(bench_main), 0, false);
	bool a = strchr(ops, 'a'), b = strpbrk(ops, "bcdh"), c = strchr(ops, 'c');
	bool d = strchr(ops, 'd'), e = strchr(ops, 'e'), h = strchr(ops, 'h');
	bool in = strchr(ops, 'i');
	uint64_t mem_rt = 0, io_rt = 0, in_rt = 0;
	uint8_t *mem;
	int ret = -1;

	if (!vm)
		return -1;
	mem = be->mem(vm);
	put64(mem, GPA_DATA + D_N_MEM, a ? bp->n : 0);
	put64(mem, GPA_DATA + D_N_IO, b ? bp->n : 0);
	put64(mem, GPA_DATA + D_R_BELL, c ? bp->r : 0);
	put64(mem, GPA_DATA + D_R_BELL4, h ? bp->r : 0);
	put64(mem, GPA_DATA + D_N_IN, in ? bp->n : 0);
	put64(mem, GPA_DATA + D_R_CPUID, d ? bp->r : 0);
	put64(mem, GPA_DATA + D_R_HLT, e ? bp->r : 0);
	put64(mem, GPA_DATA + D_K, bp->k);
	if (expect_io(be, vm, PORT_MARK, MARK_MEM) ||
	    (a && round_trips(be, vm, bp, EXIT_MEM, "a_mem_trap", &mem_rt)) ||
	    expect_io(be, vm, PORT_MARK, MARK_IO) ||
	    (b && round_trips(be, vm, bp, EXIT_IO, "b_io_trap", &io_rt)) ||
	    expect_io(be, vm, PORT_MARK, MARK_IN) ||
	    (in && round_trips(be, vm, bp, EXIT_IO_IN, "i_io_in", &in_rt)) ||
	    expect_io(be, vm, PORT_MARK, MARK_BELL))
		goto out;
	if (in && get64(mem, GPA_DATA + D_IN_SUM) != bp->n * IN_ANSWER) {
		fprintf(stderr, "%s: i_io_in: the guest read %llu in all, want %llu\n", bench_prog,
			(unsigned long long)get64(mem, GPA_DATA + D_IN_SUM),
			(unsigned long long)(bp->n * IN_ANSWER));
		goto out;
	}
	if ((c && bells(be, vm, bp, io_rt, 1, "c_bell")) ||
	    expect_io(be, vm, PORT_MARK, MARK_BELL4) ||
	    (h && bells(be, vm, bp, io_rt, BELL_QUEUES, "h_bell4")) ||
	    expect_io(be, vm, PORT_MARK, MARK_CPUID) ||
	    (d && blocks(be, vm, bp, io_rt, "d_cpuid", false)) ||
	    expect_io(be, vm, PORT_MARK, MARK_HLT))
		goto out;
	if ((e && hlt_wake(be, vm, bp) < 0) || expect_io(be, vm, PORT_MARK, MARK_END))
		goto out;
	ret = 0;
	(void)mem_rt;
	(void)in_rt;
out:
	be->destroy(vm);
	return ret;
}

/* Op f: VM + VCPU + 16 MiB + image + first exit, each sample a fresh VM. */
static int run_setup(const struct backend *be, const struct bench_params *bp)
{
	uint64_t *v = calloc(bp->setups, sizeof(*v)), i;

	if (!v)
		FAIL("out of memory");
	for (i = 0; i < bp->setups; i++) {
		uint64_t t0 = rdtsc();
		struct bvm *vm = be->create(entry_gpa(bench_setup), 0, false);

		if (!vm || expect_io(be, vm, PORT_MARK, MARK_SETUP)) {
			if (vm)
				be->destroy(vm);
			free(v);
			return -1;
		}
		v[i] = rdtsc() - t0;
		be->destroy(vm);
	}
	report("f_setup", v + 1, bp->setups - 1);	/* the first is a warm-up */
	free(v);
	return 0;
}

/*
 * Op g: first touch of the touch region, and the EPT leaves in place after
 * it ("ept" line).  Op j (@giant): the same for 1 GiB backed by one 1 GiB
 * page ("eptj" line).
 */
static int run_touch(const struct backend *be, const struct bench_params *bp, bool giant)
{
	uint64_t touch = giant ? TOUCH_MAX : bp->touch;
	struct bvm *vm = be->create(entry_gpa(bench_touch), touch, giant);
	uint64_t t0, t, pages[3];
	int ret = -1;

	if (!vm)
		return -1;
	put64(be->mem(vm), GPA_DATA + D_TOUCH_SIZE, touch);
	if (expect_io(be, vm, PORT_MARK, MARK_TOUCH0))
		goto out;
	t0 = rdtsc();
	if (expect_io(be, vm, PORT_MARK, MARK_TOUCH1))
		goto out;
	t = rdtsc() - t0;
	if (!giant)
		printf("# touch: %llu MiB\n", (unsigned long long)(touch >> 20));
	report(giant ? "j_touch1g" : "g_touch", &t, 1);
	if (be->ept_pages(vm, pages) == 0)
		printf("%s %llu %llu %llu\n", giant ? "eptj" : "ept", (unsigned long long)pages[0],
		       (unsigned long long)pages[1], (unsigned long long)pages[2]);
	else
		printf("%s n/a\n", giant ? "eptj" : "ept");
	ret = 0;
out:
	be->destroy(vm);
	return ret;
}

static void bench_usage(void)
{
	fprintf(stderr,
		"usage: %s [-n ROUND_TRIPS] [-w WARMUP] [-r BLOCKS] [-k PER_BLOCK] [-s SETUPS]\n"
		"          [-t TOUCH_MIB] [-d HLT_DELAY_US] [-o OPS]\n"
		"OPS: letters of the ops to run (default abcdefghij)\n",
		bench_prog);
}

/* Parses the options and runs the ops; the tools' main() calls this. */
static int bench_run(const struct backend *be, int argc, char **argv)
{
	struct bench_params bp = {
		.warm = 100, .n = 1000, .r = 60, .k = 200, .setups = 6,
		.touch = 256ull << 20, .hlt_delay_us = 1000,
	};
	const char *ops = "abcdefghij";
	int c;

	bench_prog = be->name;
	while ((c = getopt(argc, argv, "n:w:r:k:s:t:d:o:h")) != -1) {
		switch (c) {
		case 'n': bp.n = strtoull(optarg, NULL, 0); break;
		case 'w': bp.warm = strtoull(optarg, NULL, 0); break;
		case 'r': bp.r = strtoull(optarg, NULL, 0); break;
		case 'k': bp.k = strtoull(optarg, NULL, 0); break;
		case 's': bp.setups = strtoull(optarg, NULL, 0); break;
		case 't': bp.touch = strtoull(optarg, NULL, 0) << 20; break;
		case 'd': bp.hlt_delay_us = strtoul(optarg, NULL, 0); break;
		case 'o': ops = optarg; break;
		default: bench_usage(); return 2;
		}
	}
	bp.n += bp.warm;
	if (bp.n <= bp.warm || bp.r < 3 || bp.k < 1 || bp.setups < 2 || bp.touch == 0 ||
	    bp.touch > TOUCH_MAX || bp.touch % 4096) {
		bench_usage();
		return 2;
	}
	printf("# %s: RDTSC ticks per operation (under Bochs: emulated instructions, "
	       "i.e. path lengths)\n", be->name);
	printf("# round trips %llu (+%llu warm-up), %llu blocks of %llu, %llu setups\n",
	       (unsigned long long)(bp.n - bp.warm), (unsigned long long)bp.warm,
	       (unsigned long long)bp.r, (unsigned long long)bp.k,
	       (unsigned long long)bp.setups - 1);
	fflush(stdout);
	if (strpbrk(ops, "abcdehi") && run_main(be, &bp, ops))
		return 1;
	if (strchr(ops, 'f') && run_setup(be, &bp))
		return 1;
	if (strchr(ops, 'g') && run_touch(be, &bp, false))
		return 1;
	if (strchr(ops, 'j') && run_touch(be, &bp, true))
		return 1;
	printf("done %s\n", be->name);
	return 0;
}

#endif
