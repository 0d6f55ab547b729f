// SPDX-License-Identifier: GPL-2.0-only
/*
 * The in-kernel local APIC through libzx (docs/api.md §3.2, §3.6, §4 item 6):
 * x2APIC registers, the APIC timer in each mode, IPIs as GUEST_VCPU
 * packets, and an SMP guest brought up from STARTUP packets.  The guest
 * programs are in lapic_guest.h.  Everything needs VMX; without it every
 * test is skipped.
 *
 * Test                   What it proves
 * ---------------------  ----------------------------------------------------
 * apic_registers         ID 0, version 0x60015, SVR 0xff, LVT timer and LINT0
 *                        masked, ISR/TPR 0, APIC base; SELF_IPI is delivered
 * illegal_writes_gp      EOI/ESR != 0, upper-half TPR write, EOI read, ID write,
 *                        an unknown register: #GP(0); EOI = ESR = 0 accepted
 * timer_oneshot          masked: counts down, no interrupt; unmasked: one
 *                        interrupt wakes HLT, no second one
 * timer_periodic         5 interrupts wake HLT; a count of 0 stops them
 * timer_tsc_deadline     IA32_TSC_DEADLINE reads back, fires, reads 0; a past
 *                        deadline fires at once; the initial count is ignored
 * timer_reserved_mode    LVT timer mode 3 -> enter INVALID_ARGS; TSC_DEADLINE
 *                        outside TSC-deadline mode -> INVALID_ARGS
 * timer_close_armed      closing a halted VCPU whose periodic timer runs: enter
 *                        ends, the hrtimer dies with the VCPU (debug kernel: no
 *                        KASAN report)
 * ipi_destinations       from APIC ID 1: self, all, all-but-self, one, out of
 *                        range, broadcast masks; NMI (vector 2, sender bit
 *                        clear); INIT ignored; STARTUP id/entry; a logical
 *                        (cluster) destination -> the mask of its APIC IDs
 * smp_guest              the BSP's STARTUP packets answered by zx_vcpu_create on
 *                        3 host threads; 4 VCPUs count in shared memory; the
 *                        APs' IPIs routed by zx_vcpu_interrupt wake the BSP
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "zxhv_vm.h"
#include "lapic_guest.h"
#include "guest_vm.h"

#define SMP_APS		3

/*
 * A guest with GUEST_MEM_SIZE of memory at GPA 0, vcpu_guest.h's layout,
 * @prog at GPA_CODE, @ap (if any) at AP_GPA and the IO trap on
 * [PORT_BASE, +PORT_COUNT).  No VCPU.
 */
static zx_status_t vm_create(struct vm *vm, const uint8_t *prog, const uint8_t *prog_end,
			     const uint8_t *ap, const uint8_t *ap_end)
{
	zx_status_t s = vm_create_base(vm, prog, prog_end);

	if (s == ZX_OK && ap)
		memcpy(vm->mem + AP_GPA, ap, ap_end - ap);
	return s;
}

/* vm_create() and the BSP VCPU on this thread, entry GPA_CODE. */
#define VM_START(vm, prog, ap, ap_end) do {					\
	NEED_VMX();								\
	ASSERT_EQ(ZX_OK, vm_create(vm, prog, prog##_end, ap, ap_end));		\
	ASSERT_EQ(ZX_OK, zx_vcpu_create((vm)->guest, 0, GPA_CODE, &(vm)->vcpu));	\
} while (0)

static uint32_t guest_u32(const struct vm *vm, uint32_t gpa)
{
	uint32_t v;

	memcpy(&v, vm->mem + gpa, sizeof(v));
	return v;
}

/* Enters @vcpu; the guest must stop at an OUT to @port of @size bytes: its data. */
static uint32_t next_out(struct __test_metadata *_metadata, zx_handle_t vcpu, uint16_t port,
			 uint8_t size, int line)
{
	zx_port_packet_t p;
	zx_status_t s;

	memset(&p, 0xa5, sizeof(p));
	s = zx_vcpu_enter(vcpu, &p);
	if (s != ZX_OK)
		TH_LOG("line %d: zx_vcpu_enter: %s", line, zx_status_get_string(s));
	ASSERT_EQ(ZX_OK, s);
	if (p.type != ZX_PKT_TYPE_GUEST_IO || p.guest_io.port != port ||
	    p.guest_io.access_size != size)
		TH_LOG("line %d: packet type %u port %#x size %u data %#x; want port %#x size %u",
		       line, p.type, p.guest_io.port, p.guest_io.access_size, p.guest_io.u32,
		       port, size);
	ASSERT_EQ(ZX_PKT_TYPE_GUEST_IO, p.type);
	ASSERT_EQ(port, p.guest_io.port);
	ASSERT_EQ(size, p.guest_io.access_size);
	if (size == 2)
		return p.guest_io.u16;
	return p.guest_io.u32;
}

#define NEXT_VALUE(vm) next_out(_metadata, (vm)->vcpu, PORT_VALUE, 4, __LINE__)
#define EXPECT_VALUE(vm, v) EXPECT_EQ((uint32_t)(v), NEXT_VALUE(vm))
#define EXPECT_GP(vm) EXPECT_EQ(0u, next_out(_metadata, (vm)->vcpu, PORT_GP, 4, __LINE__))
#define EXPECT_MARK(vm, v) \
	EXPECT_EQ((uint32_t)(v), next_out(_metadata, (vm)->vcpu, PORT_MARK, 4, __LINE__))

/* Runs @fn(@arg) on a new thread and waits for it. */
static void run_on_thread(void *(*fn)(void *), void *arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, fn, arg) == 0)
		pthread_join(t, NULL);
}

/* --- registers ------------------------------------------------------------------ */

TEST(apic_registers)
{
	struct vm vm;

	VM_START(&vm, g_lapic_regs, NULL, NULL);
	EXPECT_VALUE(&vm, 0);			/* ID = VPID - 1 */
	EXPECT_VALUE(&vm, 0x15 | (6 << 16));	/* VERSION */
	EXPECT_VALUE(&vm, 0xff);		/* SVR */
	EXPECT_VALUE(&vm, 0x10000);		/* LVT timer: masked */
	EXPECT_VALUE(&vm, 0x10000);		/* LINT0: masked */
	EXPECT_VALUE(&vm, 0);			/* ISR */
	EXPECT_VALUE(&vm, 0);			/* TPR */
	EXPECT_VALUE(&vm, 0xfee00d00u);		/* IA32_APIC_BASE */
	EXPECT_VALUE(&vm, 1);			/* SELF_IPI taken */
	EXPECT_MARK(&vm, 1);
	vm_close(&vm);
}

TEST(illegal_writes_gp)
{
	struct vm vm;

	VM_START(&vm, g_lapic_gp, NULL, NULL);
	EXPECT_GP(&vm);				/* EOI = 1 */
	EXPECT_GP(&vm);				/* ESR = 1 */
	EXPECT_VALUE(&vm, 0x600d);		/* EOI = ESR = 0 */
	EXPECT_GP(&vm);				/* TPR upper half */
	EXPECT_GP(&vm);				/* read EOI */
	EXPECT_GP(&vm);				/* write ID */
	EXPECT_GP(&vm);				/* read 0x801 */
	EXPECT_MARK(&vm, 0xc3);
	vm_close(&vm);
}

/* --- the timer ------------------------------------------------------------------ */

TEST(timer_oneshot)
{
	uint32_t count;
	struct vm vm;

	VM_START(&vm, g_timer_oneshot, NULL, NULL);
	count = NEXT_VALUE(&vm);		/* current count after the load */
	EXPECT_GT(count, 0u);
	EXPECT_LE(count, ONESHOT_COUNT);
	EXPECT_VALUE(&vm, 0);			/* masked: expired, no interrupt */
	EXPECT_VALUE(&vm, 1);			/* unmasked: one interrupt */
	EXPECT_VALUE(&vm, 1);			/* and no other */
	EXPECT_VALUE(&vm, 0);			/* current count */
	EXPECT_MARK(&vm, 1);
	vm_close(&vm);
}

TEST(timer_periodic)
{
	uint32_t count;
	struct vm vm;

	VM_START(&vm, g_timer_periodic, NULL, NULL);
	count = NEXT_VALUE(&vm);
	EXPECT_LE(count, PERIODIC_COUNT);
	EXPECT_VALUE(&vm, 0);			/* none after the stop */
	EXPECT_MARK(&vm, 1);
	EXPECT_GE(guest_u32(&vm, GPA_TICKS), PERIODIC_TICKS);
	vm_close(&vm);
}

TEST(timer_tsc_deadline)
{
	struct vm vm;

	VM_START(&vm, g_timer_deadline, NULL, NULL);
	EXPECT_VALUE(&vm, 1);			/* the deadline reads back */
	EXPECT_VALUE(&vm, 0);			/* initial count ignored */
	EXPECT_VALUE(&vm, 0);			/* fired: reads 0 */
	EXPECT_VALUE(&vm, 1);
	EXPECT_VALUE(&vm, 2);			/* a past deadline fires */
	EXPECT_MARK(&vm, 1);
	vm_close(&vm);
}

/* g_wrmsr with WRMSR of @value to @msr: the status of the first enter. */
static zx_status_t wrmsr_status(struct __test_metadata *_metadata, uint32_t msr, uint64_t value)
{
	zx_vcpu_state_t st;
	zx_port_packet_t p;
	zx_status_t s;
	struct vm vm;

	if (vm_create(&vm, g_wrmsr, g_wrmsr_end, NULL, NULL) != ZX_OK ||
	    zx_vcpu_create(vm.guest, 0, GPA_CODE, &vm.vcpu) != ZX_OK) {
		vm_close(&vm);
		return ZX_ERR_INTERNAL;
	}
	memset(&st, 0, sizeof(st));
	zx_vcpu_read_state(vm.vcpu, ZX_VCPU_STATE, &st, sizeof(st));
	st.rbx = msr;
	st.rsi = (uint32_t)value;
	st.rdi = value >> 32;
	s = zx_vcpu_write_state(vm.vcpu, ZX_VCPU_STATE, &st, sizeof(st));
	if (s == ZX_OK)
		s = zx_vcpu_enter(vm.vcpu, &p);
	if (s == ZX_OK && (p.type != ZX_PKT_TYPE_GUEST_IO || p.guest_io.port != PORT_MARK))
		s = ZX_ERR_INTERNAL;
	vm_close(&vm);
	return s;
}

TEST(timer_reserved_mode)
{
	NEED_VMX();
	/* Each mode but 3 is taken: the guest reaches its mark. */
	EXPECT_EQ(ZX_OK, wrmsr_status(_metadata, 0x832, 0x00040));
	EXPECT_EQ(ZX_OK, wrmsr_status(_metadata, 0x832, 0x20040));
	EXPECT_EQ(ZX_OK, wrmsr_status(_metadata, 0x832, 0x40040));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, wrmsr_status(_metadata, 0x832, 0x60040));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, wrmsr_status(_metadata, 0x832, 0x70040));
	/* IA32_TSC_DEADLINE in one-shot mode (the reset LVT). */
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, wrmsr_status(_metadata, 0x6e0, 12345));
}

struct close_arg {
	struct vm *vm;
	zx_status_t enter;
};

static void *enter_thread(void *p)
{
	struct close_arg *a = p;
	zx_port_packet_t pkt;

	a->enter = zx_vcpu_create(a->vm->guest, 0, GPA_CODE, &a->vm->vcpu);
	if (a->enter == ZX_OK)
		a->enter = zx_vcpu_enter(a->vm->vcpu, &pkt);
	return NULL;
}

TEST(timer_close_armed)
{
	struct close_arg a = { 0 };
	zx_handle_t vcpu;
	pthread_t t;
	struct vm vm;
	int i;

	NEED_VMX();
	ASSERT_EQ(ZX_OK, vm_create(&vm, g_timer_forever, g_timer_forever_end, NULL, NULL));
	a.vm = &vm;
	ASSERT_EQ(0, pthread_create(&t, NULL, enter_thread, &a));
	/* Wait until the timer has interrupted the halted guest a few times. */
	for (i = 0; i < 2000 && guest_u32(&vm, GPA_TICKS) < 3; i++)
		sleep_ms(5);
	EXPECT_GE(guest_u32(&vm, GPA_TICKS), 3u);
	vcpu = vm.vcpu;
	vm.vcpu = ZX_HANDLE_INVALID;
	EXPECT_EQ(ZX_OK, zx_handle_close(vcpu));
	pthread_join(t, NULL);
	EXPECT_NE(ZX_OK, a.enter);
	/* Time for a timer that outlived its VCPU to fire (KASAN would see it). */
	sleep_ms(100);
	vm_close(&vm);
}

/* --- IPIs ------------------------------------------------------------------------ */

#define IPI_PACKETS	9

struct ipi_arg {
	struct vm *vm;
	zx_status_t create;
	zx_status_t st[IPI_PACKETS + 2];
	zx_port_packet_t p[IPI_PACKETS + 2];
};

static void *ipi_thread(void *p)
{
	struct ipi_arg *a = p;
	zx_handle_t vcpu;

	a->create = zx_vcpu_create(a->vm->guest, 0, AP_GPA, &vcpu);
	if (a->create != ZX_OK)
		return NULL;
	for (int i = 0; i < IPI_PACKETS + 2; i++) {
		memset(&a->p[i], 0xa5, sizeof(a->p[i]));
		a->st[i] = zx_vcpu_enter(vcpu, &a->p[i]);
		if (a->st[i] != ZX_OK)
			break;
	}
	zx_handle_close(vcpu);
	return NULL;
}

TEST(ipi_destinations)
{
	/* The AP has APIC ID 1 (VPID 2). */
	static const struct { uint64_t mask; uint8_t vector; } want[] = {
		{ 1ull << 1, 0x30 },		/* self */
		{ ~0ull, 0x31 },		/* all including self */
		{ ~(1ull << 1), 0x32 },		/* all excluding self */
		{ 1ull << 5, 0x33 },		/* one */
		{ 0, 0x34 },			/* destination 64: nobody */
		{ ~0ull, 0x35 },		/* broadcast 0xffffffff */
		{ ~(1ull << 1), 2 },		/* NMI to all: not the sender */
		{ 1ull << 0, 2 },		/* NMI to 0 */
	};
	struct ipi_arg a;
	struct vm vm;
	int i;

	VM_START(&vm, g_spin, g_ipi_ap, g_ipi_ap_end);
	memset(&a, 0, sizeof(a));
	a.vm = &vm;
	run_on_thread(ipi_thread, &a);
	ASSERT_EQ(ZX_OK, a.create);
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(ZX_OK, a.st[i]);
		ASSERT_EQ(ZX_PKT_TYPE_GUEST_VCPU, a.p[i].type);
		EXPECT_EQ(0u, a.p[i].key);
		EXPECT_EQ(ZX_PKT_GUEST_VCPU_INTERRUPT, a.p[i].guest_vcpu.type);
		if (a.p[i].guest_vcpu.interrupt.mask != want[i].mask)
			TH_LOG("packet %d: mask %#llx, want %#llx", i,
			       (unsigned long long)a.p[i].guest_vcpu.interrupt.mask,
			       (unsigned long long)want[i].mask);
		EXPECT_EQ(want[i].mask, a.p[i].guest_vcpu.interrupt.mask);
		EXPECT_EQ(want[i].vector, a.p[i].guest_vcpu.interrupt.vector);
	}
	/* INIT made no packet; STARTUP to APIC ID 3, vector 0x9a. */
	ASSERT_EQ(ZX_OK, a.st[8]);
	ASSERT_EQ(ZX_PKT_TYPE_GUEST_VCPU, a.p[8].type);
	EXPECT_EQ(ZX_PKT_GUEST_VCPU_STARTUP, a.p[8].guest_vcpu.type);
	EXPECT_EQ(3u, a.p[8].guest_vcpu.startup.id);
	EXPECT_EQ(0x9a000u, a.p[8].guest_vcpu.startup.entry);
	/* RIP moved past every WRMSR: the mark after them. */
	ASSERT_EQ(ZX_OK, a.st[9]);
	ASSERT_EQ(ZX_PKT_TYPE_GUEST_IO, a.p[9].type);
	EXPECT_EQ(PORT_MARK, a.p[9].guest_io.port);
	EXPECT_EQ(0x1234u, a.p[9].guest_io.u16);
	/* Logical destination 6 in cluster 0: APIC IDs 1 and 2. */
	ASSERT_EQ(ZX_OK, a.st[10]);
	ASSERT_EQ(ZX_PKT_TYPE_GUEST_VCPU, a.p[10].type);
	EXPECT_EQ(ZX_PKT_GUEST_VCPU_INTERRUPT, a.p[10].guest_vcpu.type);
	EXPECT_EQ(0x6ull, a.p[10].guest_vcpu.interrupt.mask);
	EXPECT_EQ(0x36u, a.p[10].guest_vcpu.interrupt.vector);
	vm_close(&vm);
}

/* --- an SMP guest ------------------------------------------------------------------ */

struct smp {
	struct vm *vm;
	/* VCPU handle by APIC ID; an AP's is set once its thread created it. */
	_Atomic zx_handle_t vcpus[SMP_APS + 1];
};

struct smp_ap {
	struct smp *smp;
	uint64_t id, entry;
	pthread_t thread;
	atomic_int created;	/* 1: created, -1: failed */
	zx_status_t status;
	uint32_t reported_id;
	int ipis;
};

/* The VMM's side of a GUEST_VCPU INTERRUPT packet. */
static zx_status_t smp_route(struct smp *smp, const zx_packet_guest_vcpu_t *gv)
{
	zx_status_t s = ZX_OK;

	for (int id = 0; id <= SMP_APS; id++) {
		zx_handle_t h = atomic_load(&smp->vcpus[id]);

		if ((gv->interrupt.mask & (1ull << id)) && h != ZX_HANDLE_INVALID)
			s = zx_vcpu_interrupt(h, gv->interrupt.vector);
		if (s != ZX_OK)
			return s;
	}
	return ZX_OK;
}

/* An AP: created from a STARTUP packet, runs until it reports its APIC ID. */
static void *smp_ap_thread(void *p)
{
	struct smp_ap *ap = p;
	zx_port_packet_t pkt;
	zx_handle_t vcpu;

	ap->status = zx_vcpu_create(ap->smp->vm->guest, 0, ap->entry, &vcpu);
	if (ap->status != ZX_OK) {
		atomic_store(&ap->created, -1);
		return NULL;
	}
	atomic_store(&ap->smp->vcpus[ap->id], vcpu);
	atomic_store(&ap->created, 1);
	for (;;) {
		ap->status = zx_vcpu_enter(vcpu, &pkt);
		if (ap->status != ZX_OK)
			break;
		if (pkt.type == ZX_PKT_TYPE_GUEST_VCPU &&
		    pkt.guest_vcpu.type == ZX_PKT_GUEST_VCPU_INTERRUPT) {
			ap->ipis++;
			ap->status = smp_route(ap->smp, &pkt.guest_vcpu);
			if (ap->status != ZX_OK)
				break;
			continue;
		}
		if (pkt.type == ZX_PKT_TYPE_GUEST_IO && pkt.guest_io.port == PORT_VALUE) {
			ap->reported_id = pkt.guest_io.u32;
			break;
		}
		ap->status = ZX_ERR_BAD_STATE;
		break;
	}
	return NULL;
}

TEST(smp_guest)
{
	struct smp_ap aps[SMP_APS];
	uint32_t values[2];
	int started = 0, nvalues = 0;
	zx_port_packet_t p;
	struct smp smp;
	zx_status_t s;
	struct vm vm;

	VM_START(&vm, g_smp_bsp, g_smp_ap, g_smp_ap_end);
	memset(aps, 0, sizeof(aps));
	memset(&smp, 0, sizeof(smp));
	smp.vm = &vm;
	atomic_store(&smp.vcpus[0], vm.vcpu);
	for (;;) {
		s = zx_vcpu_enter(vm.vcpu, &p);
		ASSERT_EQ(ZX_OK, s);
		if (p.type == ZX_PKT_TYPE_GUEST_VCPU &&
		    p.guest_vcpu.type == ZX_PKT_GUEST_VCPU_STARTUP) {
			struct smp_ap *ap = &aps[started];

			ASSERT_LT(started, SMP_APS);
			ASSERT_EQ((uint64_t)started + 1, p.guest_vcpu.startup.id);
			EXPECT_EQ(AP_GPA, p.guest_vcpu.startup.entry);
			ap->smp = &smp;
			ap->id = p.guest_vcpu.startup.id;
			ap->entry = p.guest_vcpu.startup.entry;
			ASSERT_EQ(0, pthread_create(&ap->thread, NULL, smp_ap_thread, ap));
			started++;
			/* One at a time, so that APIC ID n gets VPID n + 1. */
			while (!atomic_load(&ap->created))
				sleep_ms(1);
			ASSERT_EQ(1, atomic_load(&ap->created));
			continue;
		}
		ASSERT_EQ(ZX_PKT_TYPE_GUEST_IO, p.type);
		if (p.guest_io.port == PORT_MARK)
			break;
		ASSERT_EQ(PORT_VALUE, p.guest_io.port);
		ASSERT_LT(nvalues, 2);
		values[nvalues++] = p.guest_io.u32;
	}
	EXPECT_EQ(1u, p.guest_io.u32);
	ASSERT_EQ(SMP_APS, started);
	for (int i = 0; i < SMP_APS; i++) {
		pthread_join(aps[i].thread, NULL);
		EXPECT_EQ(ZX_OK, aps[i].status);
		EXPECT_EQ(aps[i].id, aps[i].reported_id);
		EXPECT_EQ(1, aps[i].ipis);
		zx_handle_close(atomic_load(&smp.vcpus[i + 1]));
	}
	ASSERT_EQ(2, nvalues);
	EXPECT_EQ(4u * SMP_COUNT, values[0]);
	EXPECT_EQ(3u, guest_u32(&vm, GPA_APS));
	/* IPIs raised while one is pending merge, as in an IRR: 1 to 3. */
	EXPECT_GE(values[1], 1u);
	EXPECT_LE(values[1], 3u);
	vm_close(&vm);
}

TEST_HARNESS_MAIN
