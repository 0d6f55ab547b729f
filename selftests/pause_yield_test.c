// SPDX-License-Identifier: GPL-2.0-only
/*
 * The directed yield of a PAUSE-loop exit (module/arch/x86/vmx/vcpu.c): a
 * VCPU that spins in a PAUSE loop hands its host CPU to the thread of a
 * sibling VCPU of the same guest that waits for a CPU (inside zx_vcpu_enter
 * or in the VMM), and to nobody else.  Counted in the module's debugfs file
 * /sys/kernel/debug/zircon-hv/pause_yields ("yielded N": PAUSE-loop exits
 * that yielded to a sibling, "stayed N": those that entered again at once,
 * "napped N": yields the host scheduler refused, after which the spinner
 * slept instead; all VCPUs of all guests, so the tests read differences).
 *
 * Both VCPU threads of a test are pinned to CPU 0, so they share one host
 * CPU in the one- and the two-CPU boots alike.  The BSP (VPID 1) runs
 * 64-bit code at GPA_CODE, the AP (VPID 2) 16-bit code at AP_GPA.
 *
 * Test                  What it proves
 * --------------------  -----------------------------------------------------
 * ping_pong             BSP and AP take turns incrementing one counter,
 *                       PINGS times each, each spinning in a PAUSE loop
 *                       until it is its turn: the counter ends right, and
 *                       the spinner yielded to its sibling (yielded > 0)
 * ping_pong_vmm         the same with the AP's turns taken by its thread in
 *                       userspace (it never enters): the BSP yields to that
 *                       thread too (yielded > 0)
 * halted_sibling        the AP sleeps in HLT while the BSP runs PAUSE loops:
 *                       PAUSE-loop exits happen (stayed > 0) and none yields
 *                       (a sleeping sibling waits for no CPU)
 * refused_yield_naps    the BSP's thread slept while the AP's thread (in
 *                       userspace) used the CPU, then the BSP spins until that
 *                       thread releases it: the fair scheduler runs the
 *                       spinner again after its yields (the holder is ahead
 *                       in CPU time), so the spinner naps (napped > 0) and
 *                       the holder gets to release it
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "zxhv_vm.h"
#include "vcpu_guest.h"
#include "guest_vm.h"

#define PINGS		100	/* increments by each VCPU */
#define SPINS		200000	/* PAUSE loop iterations of halted_sibling */
#define BURN		1000000	/* the holder's loops after the spinner starts */
#define WAIT_MS		60000	/* generous: Bochs time runs slow */

/*
 * BSP: while the counter at GPA_DATA is below 2 * PINGS, increment it when
 * it is even and spin (PAUSE) while it is odd; then mark 1.
 */
GUEST_PROGRAM(g_ping_bsp,
	"1: mov GPA_DATA, %eax\n"
	"cmp $" GUEST_STR(2 * PINGS) ", %eax\n jae 3f\n"
	"test $1, %eax\n jnz 2f\n"
	"lock incl GPA_DATA\n jmp 1b\n"
	"2: pause\n jmp 1b\n"
	"3: MARK $1\n"
	"4: jmp 4b");

/* AP, 16-bit: the same with odd and even swapped; then marks 2. */
GUEST_PROGRAM(g_ping_ap,
	".code16\n"
	"1: movl GPA_DATA, %eax\n"
	"cmpl $" GUEST_STR(2 * PINGS) ", %eax\n jae 3f\n"
	"testl $1, %eax\n jz 2f\n"
	"lock incl GPA_DATA\n jmp 1b\n"
	"2: pause\n jmp 1b\n"
	"3: mov $2, %eax\n out %eax, $" GUEST_STR(PORT_MARK) "\n"
	"4: jmp 4b");

/* BSP: SPINS iterations of a PAUSE loop, then mark 1. */
GUEST_PROGRAM(g_spin_bsp,
	"mov $" GUEST_STR(SPINS) ", %ecx\n"
	"1: pause\n dec %ecx\n jnz 1b\n"
	"MARK $1\n"
	"2: jmp 2b");

/* BSP: a PAUSE loop until the word at GPA_DATA is not 0, then mark 1. */
GUEST_PROGRAM(g_wait_bsp,
	"1: cmpl $0, GPA_DATA\n jne 2f\n"
	"pause\n jmp 1b\n"
	"2: MARK $1\n"
	"3: jmp 3b");

/* AP, 16-bit: mark 3, then halt with interrupts off until kicked. */
GUEST_PROGRAM(g_halt_ap,
	".code16\n"
	"mov $3, %eax\n out %eax, $" GUEST_STR(PORT_MARK) "\n"
	"cli\n"
	"1: hlt\n jmp 1b");

struct yields {
	unsigned long long yielded, stayed, napped;
};

static int read_yields(struct yields *y)
{
	FILE *f = fopen("/sys/kernel/debug/zircon-hv/pause_yields", "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "yielded %llu stayed %llu napped %llu", &y->yielded, &y->stayed,
		   &y->napped);
	fclose(f);
	return n == 3 ? 0 : -1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int pin0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* State field of /proc/self/task/@tid/stat ('R', 'S', ...), 0 on error. */
static char task_state(pid_t tid)
{
	char path[64], buf[512], *p, state = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (p && p[1] == ' ')
		state = p[2];
	return state;
}

/* A VCPU thread on CPU 0: creates its VCPU, waits for @go, enters. */
struct runner {
	zx_handle_t guest, vcpu;
	uint64_t entry;
	atomic_int *go;
	atomic_int created;	/* 1: create done (see @create) */
	atomic_int entered;	/* enters that returned */
	pid_t tid;
	zx_status_t create, enter[2];
	zx_port_packet_t pkt[2];
	int enters;		/* how many enters to make (1 or 2) */
	pthread_t thread;
};

static void *runner_main(void *arg)
{
	struct runner *r = arg;

	r->tid = syscall(SYS_gettid);
	r->create = pin0() ? ZX_ERR_INTERNAL :
		    zx_vcpu_create(r->guest, 0, r->entry, &r->vcpu);
	atomic_store(&r->created, 1);
	if (r->create != ZX_OK)
		return NULL;
	while (!atomic_load(r->go))
		sched_yield();
	for (int i = 0; i < r->enters; i++) {
		r->enter[i] = zx_vcpu_enter(r->vcpu, &r->pkt[i]);
		atomic_store(&r->entered, i + 1);
	}
	return NULL;
}

/* Starts @r; returns once its VCPU is created (VPIDs follow creation). */
static zx_status_t runner_start(struct runner *r, struct vm *vm, uint64_t entry, int enters,
				atomic_int *go)
{
	memset(r, 0, sizeof(*r));
	r->guest = vm->guest;
	r->entry = entry;
	r->enters = enters;
	r->go = go;
	r->create = ZX_ERR_INTERNAL;
	if (pthread_create(&r->thread, NULL, runner_main, r))
		return ZX_ERR_INTERNAL;
	while (!atomic_load(&r->created))
		sched_yield();
	return r->create;
}

static void expect_mark(struct __test_metadata *_metadata, zx_status_t s,
			const zx_port_packet_t *p, uint32_t want)
{
	ASSERT_EQ(ZX_OK, s);
	ASSERT_EQ(ZX_PKT_TYPE_GUEST_IO, p->type);
	ASSERT_EQ(PORT_MARK, p->guest_io.port);
	EXPECT_EQ(want, p->guest_io.u32);
}

/* The guest of vm_create_base() with @ap copied to AP_GPA. */
static zx_status_t vm_two(struct vm *vm, const uint8_t *bsp, const uint8_t *bsp_end,
			  const uint8_t *ap, const uint8_t *ap_end)
{
	zx_status_t s = vm_create_base(vm, bsp, bsp_end);

	if (s == ZX_OK)
		memcpy(vm->mem + AP_GPA, ap, ap_end - ap);
	return s;
}

TEST(ping_pong)
{
	struct runner bsp, ap;
	struct yields before, after;
	atomic_int go = 0;
	struct vm vm;

	if (!have_vmx())
		SKIP(return, "no VMX here");
	ASSERT_EQ(ZX_OK, vm_two(&vm, g_ping_bsp, g_ping_bsp_end, g_ping_ap, g_ping_ap_end));
	*(volatile uint32_t *)(vm.mem + GPA_DATA) = 0;
	ASSERT_EQ(ZX_OK, runner_start(&bsp, &vm, GPA_CODE, 1, &go));
	ASSERT_EQ(ZX_OK, runner_start(&ap, &vm, AP_GPA, 1, &go));
	ASSERT_EQ(0, read_yields(&before));
	atomic_store(&go, 1);
	pthread_join(bsp.thread, NULL);
	pthread_join(ap.thread, NULL);
	ASSERT_EQ(0, read_yields(&after));
	expect_mark(_metadata, bsp.enter[0], &bsp.pkt[0], 1);
	expect_mark(_metadata, ap.enter[0], &ap.pkt[0], 2);
	EXPECT_EQ(2 * PINGS, *(volatile uint32_t *)(vm.mem + GPA_DATA));
	TH_LOG("%d turns: %llu PAUSE-loop exits yielded to the sibling, %llu stayed", 2 * PINGS,
	       after.yielded - before.yielded, after.stayed - before.stayed);
	EXPECT_LT(0ULL, after.yielded - before.yielded);
	zx_handle_close(bsp.vcpu);
	zx_handle_close(ap.vcpu);
	vm_close(&vm);
}

/*
 * The AP's thread of ping_pong_vmm, on CPU 0: makes the AP (VPID 2), never
 * enters it, and takes the AP's turns itself, sched_yield() between them.
 */
struct vmm_ap {
	struct vm *vm;
	atomic_int *go, created;
	zx_handle_t vcpu;
	zx_status_t create;
	pthread_t thread;
};

static void *vmm_ap_main(void *arg)
{
	struct vmm_ap *a = arg;
	volatile uint32_t *c = (volatile uint32_t *)(a->vm->mem + GPA_DATA);
	long end;
	uint32_t v;

	a->create = pin0() ? ZX_ERR_INTERNAL :
		    zx_vcpu_create(a->vm->guest, 0, AP_GPA, &a->vcpu);
	atomic_store(&a->created, 1);
	if (a->create != ZX_OK)
		return NULL;
	while (!atomic_load(a->go))
		sched_yield();
	end = now_ms() + WAIT_MS;
	while ((v = *c) < 2 * PINGS && now_ms() < end) {
		if (v & 1)
			__atomic_fetch_add(c, 1, __ATOMIC_SEQ_CST);
		else
			sched_yield();
	}
	return NULL;
}

TEST(ping_pong_vmm)
{
	struct yields before, after;
	struct vmm_ap ap = { 0 };
	atomic_int go = 0;
	struct runner bsp;
	struct vm vm;

	if (!have_vmx())
		SKIP(return, "no VMX here");
	ASSERT_EQ(ZX_OK, vm_two(&vm, g_ping_bsp, g_ping_bsp_end, g_ping_ap, g_ping_ap_end));
	*(volatile uint32_t *)(vm.mem + GPA_DATA) = 0;
	ASSERT_EQ(ZX_OK, runner_start(&bsp, &vm, GPA_CODE, 1, &go));
	ap.vm = &vm;
	ap.go = &go;
	ASSERT_EQ(0, pthread_create(&ap.thread, NULL, vmm_ap_main, &ap));
	while (!atomic_load(&ap.created))
		sched_yield();
	ASSERT_EQ(ZX_OK, ap.create);
	ASSERT_EQ(0, read_yields(&before));
	atomic_store(&go, 1);
	pthread_join(ap.thread, NULL);
	pthread_join(bsp.thread, NULL);
	ASSERT_EQ(0, read_yields(&after));
	expect_mark(_metadata, bsp.enter[0], &bsp.pkt[0], 1);
	EXPECT_EQ(2 * PINGS, *(volatile uint32_t *)(vm.mem + GPA_DATA));
	TH_LOG("%d turns: %llu PAUSE-loop exits yielded to the sibling's thread, %llu stayed",
	       2 * PINGS, after.yielded - before.yielded, after.stayed - before.stayed);
	EXPECT_LT(0ULL, after.yielded - before.yielded);
	zx_handle_close(bsp.vcpu);
	zx_handle_close(ap.vcpu);
	vm_close(&vm);
}

TEST(halted_sibling)
{
	struct runner ap;
	struct yields before, after;
	atomic_int go = 1;
	zx_port_packet_t p;
	zx_status_t s;
	struct vm vm;
	long end;

	if (!have_vmx())
		SKIP(return, "no VMX here");
	ASSERT_EQ(0, pin0());
	ASSERT_EQ(ZX_OK, vm_two(&vm, g_spin_bsp, g_spin_bsp_end, g_halt_ap, g_halt_ap_end));
	ASSERT_EQ(ZX_OK, zx_vcpu_create(vm.guest, 0, GPA_CODE, &vm.vcpu));
	/* The AP marks 3, then its second enter sleeps in HLT. */
	ASSERT_EQ(ZX_OK, runner_start(&ap, &vm, AP_GPA, 2, &go));
	end = now_ms() + WAIT_MS;
	while ((atomic_load(&ap.entered) < 1 || task_state(ap.tid) != 'S') && now_ms() < end)
		usleep(1000);
	ASSERT_EQ(1, atomic_load(&ap.entered));
	expect_mark(_metadata, ap.enter[0], &ap.pkt[0], 3);
	ASSERT_EQ('S', task_state(ap.tid));

	ASSERT_EQ(0, read_yields(&before));
	memset(&p, 0, sizeof(p));
	s = zx_vcpu_enter(vm.vcpu, &p);
	ASSERT_EQ(0, read_yields(&after));
	expect_mark(_metadata, s, &p, 1);
	TH_LOG("%d PAUSE iterations: %llu PAUSE-loop exits stayed, %llu yielded", SPINS,
	       after.stayed - before.stayed, after.yielded - before.yielded);
	EXPECT_LT(0ULL, after.stayed - before.stayed);
	EXPECT_EQ(0ULL, after.yielded - before.yielded);

	ASSERT_EQ(ZX_OK, zx_vcpu_kick(ap.vcpu));
	pthread_join(ap.thread, NULL);
	EXPECT_EQ(ZX_ERR_CANCELED, ap.enter[1]);
	zx_handle_close(ap.vcpu);
	vm_close(&vm);
}

/*
 * The holder of refused_yield_naps, on CPU 0: makes the AP (VPID 2) and
 * never enters it; uses the CPU in userspace until the spinner is about
 * to enter (its share of CPU time grows far ahead of the sleeping
 * spinner's), then BURN more loops, then releases the spinner.
 */
struct holder {
	struct vm *vm;
	atomic_int created, spinning;
	zx_handle_t vcpu;
	zx_status_t create;
	pthread_t thread;
};

static void *holder_main(void *arg)
{
	struct holder *h = arg;
	volatile unsigned long n = 0;

	h->create = pin0() ? ZX_ERR_INTERNAL :
		    zx_vcpu_create(h->vm->guest, 0, AP_GPA, &h->vcpu);
	atomic_store(&h->created, 1);
	if (h->create != ZX_OK)
		return NULL;
	while (!atomic_load(&h->spinning))
		n++;
	for (n = 0; n < BURN; n++)
		;
	*(volatile uint32_t *)(h->vm->mem + GPA_DATA) = 1;
	return NULL;
}

TEST(refused_yield_naps)
{
	struct yields before, after;
	struct holder h = { 0 };
	zx_port_packet_t p;
	zx_status_t s;
	struct vm vm;

	if (!have_vmx())
		SKIP(return, "no VMX here");
	ASSERT_EQ(0, pin0());
	ASSERT_EQ(ZX_OK, vm_two(&vm, g_wait_bsp, g_wait_bsp_end, g_halt_ap, g_halt_ap_end));
	*(volatile uint32_t *)(vm.mem + GPA_DATA) = 0;
	ASSERT_EQ(ZX_OK, zx_vcpu_create(vm.guest, 0, GPA_CODE, &vm.vcpu));
	h.vm = &vm;
	ASSERT_EQ(0, pthread_create(&h.thread, NULL, holder_main, &h));
	while (!atomic_load(&h.created))
		usleep(1000);
	ASSERT_EQ(ZX_OK, h.create);
	/* The holder alone on the CPU for a while: this thread sleeps. */
	usleep(100000);
	ASSERT_EQ(0, read_yields(&before));
	atomic_store(&h.spinning, 1);
	memset(&p, 0, sizeof(p));
	s = zx_vcpu_enter(vm.vcpu, &p);
	ASSERT_EQ(0, read_yields(&after));
	pthread_join(h.thread, NULL);
	expect_mark(_metadata, s, &p, 1);
	TH_LOG("PAUSE-loop exits: %llu yielded (%llu of them napped after), %llu stayed",
	       after.yielded - before.yielded, after.napped - before.napped,
	       after.stayed - before.stayed);
	EXPECT_LT(0ULL, after.napped - before.napped);
	zx_handle_close(h.vcpu);
	vm_close(&vm);
}

TEST_HARNESS_MAIN
