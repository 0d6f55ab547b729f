// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interrupts and kicks (docs/api.md §1, §3.3, §4): zx_vcpu_interrupt waking a
 * HLT, the priority of pending NMIs, interrupts and exceptions, reserved
 * vectors; zx_vcpu_kick before and during enter, and ZX_INFO_VCPU's KICKED
 * flag.
 *
 * One of the vcpu_*_test programs, which split the VCPU tests by topic;
 * each behaviour runs a small guest program from vcpu_guest.h (memory
 * layout and port conventions are described there) in vcpu_vm.h's
 * fixture.  Where VMX is missing (ZXHV_VM=qemu, or a host whose probe is
 * not READY) every test that needs a guest is skipped.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * hlt_interrupt                 HLT woken by zx_vcpu_interrupt() from another thread
 * kick_sticky_and_info          kick before enter -> CANCELED once, coalescing;
 *                               ZX_INFO_VCPU_FLAG_KICKED while set
 * kick_running                  cross-thread kick of a spinning guest -> CANCELED
 * kick_wakes_hlt                kick ends a HLT with interrupts off -> CANCELED
 * interrupt_priority            NMI first, then the highest vector, one injection drops
 *                               pending exceptions; an exception alone is delivered
 * interrupt_reserved_vector     vectors 21..31 -> enter NOT_SUPPORTED
 * late_interrupt, late_kick,    an interrupt, kick or signal that lands after the run
 * late_signal                   loop's last look and before the entry acts at once, not
 *                               at the guest's next exit (test builds of the module)
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "vcpu_guest.h"
#include "vcpu_vm.h"

/* --- HLT, interrupts, kicks ------------------------------------------------------ */

TEST(hlt_interrupt)
{
	struct later l;
	struct vm vm;

	VM_START(&vm, g_hlt);
	EXPECT_MARK(&vm, 1);
	ASSERT_EQ(0, later(&l, vm.vcpu, 1, 32, 200));
	/* The guest halts; the interrupt wakes it and its handler reports. */
	EXPECT_VALUE(&vm, 32);
	pthread_join(l.thread, NULL);
	EXPECT_EQ(ZX_OK, l.status);
	EXPECT_MARK(&vm, 2);
	vm_close(&vm);
}

TEST(kick_sticky_and_info)
{
	zx_info_vcpu_t info;
	zx_handle_t p = ZX_HANDLE_INVALID;
	struct vm vm;

	VM_START(&vm, g_done);
	EXPECT_EQ(0u, vcpu_flags(vm.vcpu));
	ASSERT_EQ(ZX_OK, zx_vcpu_kick(vm.vcpu));
	EXPECT_EQ(ZX_INFO_VCPU_FLAG_KICKED, vcpu_flags(vm.vcpu));
	ASSERT_EQ(ZX_OK, zx_vcpu_kick(vm.vcpu));	/* coalesces */
	EXPECT_EQ(ZX_INFO_VCPU_FLAG_KICKED, vcpu_flags(vm.vcpu));
	EXPECT_EQ(ZX_ERR_CANCELED, enter(&vm));
	EXPECT_EQ(0u, vcpu_flags(vm.vcpu));
	/* Once: the next enter runs the guest. */
	EXPECT_MARK(&vm, 0x600d);
	/* ZX_INFO_VCPU on something else. */
	ASSERT_EQ(ZX_OK, zx_port_create(0, &p));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE, zx_object_get_info(p, ZX_INFO_VCPU, &info, sizeof(info),
							NULL, NULL));
	zx_handle_close(p);
	vm_close(&vm);
}

TEST(kick_running)
{
	struct later l;
	struct vm vm;

	VM_START(&vm, g_spin_count);
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, later(&l, vm.vcpu, 0, 0, 100));
		EXPECT_EQ(ZX_ERR_CANCELED, enter(&vm));
		pthread_join(l.thread, NULL);
		EXPECT_EQ(ZX_OK, l.status);
	}
	/* It was running. */
	EXPECT_NE(0u, *(volatile uint64_t *)(vm.mem + GPA_DATA));
	vm_close(&vm);
}

TEST(kick_wakes_hlt)
{
	struct later l;
	struct vm vm;

	VM_START(&vm, g_hlt_cli);
	ASSERT_EQ(0, later(&l, vm.vcpu, 0, 0, 200));
	EXPECT_EQ(ZX_ERR_CANCELED, enter(&vm));
	pthread_join(l.thread, NULL);
	vm_close(&vm);
}

/*
 * docs/api.md §4 item 5: NMI first, then the highest pending vector; external
 * interrupts wait for IF = 1; one injection discards the pending
 * exceptions.  See g_prio for the phases.
 */
TEST(interrupt_priority)
{
	struct vm vm;

	VM_START(&vm, g_prio);
	EXPECT_MARK(&vm, 1);
	ASSERT_EQ(ZX_OK, zx_vcpu_interrupt(vm.vcpu, 0));
	ASSERT_EQ(ZX_OK, zx_vcpu_interrupt(vm.vcpu, 0x40));
	ASSERT_EQ(ZX_OK, zx_vcpu_interrupt(vm.vcpu, 2));
	EXPECT_VALUE(&vm, 2);		/* the NMI, which drops the #DE */
	EXPECT_VALUE(&vm, 0x40);	/* once the guest enables interrupts */
	EXPECT_MARK(&vm, 2);		/* no #DE */
	ASSERT_EQ(ZX_OK, zx_vcpu_interrupt(vm.vcpu, 0x30));
	ASSERT_EQ(ZX_OK, zx_vcpu_interrupt(vm.vcpu, 0x50));
	EXPECT_VALUE(&vm, 0x50);
	EXPECT_VALUE(&vm, 0x30);
	EXPECT_MARK(&vm, 3);
	/* An exception alone is delivered, interrupts off or not. */
	ASSERT_EQ(ZX_OK, zx_vcpu_interrupt(vm.vcpu, 0));
	EXPECT_VALUE(&vm, 0);
	EXPECT_MARK(&vm, 4);
	vm_close(&vm);
}

TEST(interrupt_reserved_vector)
{
	uint32_t vectors[] = { 21, 25, 31 };

	NEED_VMX();
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		struct vm vm;

		ASSERT_EQ(ZX_OK, vm_create(&vm, g_done, g_done_end));
		ASSERT_EQ(ZX_OK, zx_vcpu_create(vm.guest, 0, GPA_CODE, &vm.vcpu));
		EXPECT_EQ(ZX_OK, zx_vcpu_interrupt(vm.vcpu, vectors[i]));
		EXPECT_EQ(ZX_ERR_NOT_SUPPORTED, enter(&vm));
		vm_close(&vm);
	}
}

/* --- events after the run loop's last look ----------------------------------------- */

/*
 * The module's test hook (ZXHV_TEST_HOOKS, debug builds): the next entry
 * makes @what happen on its own VCPU after the run loop looked for events
 * and before interrupts go off, where another CPU's IPI would be absorbed.
 * Bit 8: raise the vector in bits 0-7; bit 9: kick; bit 10: SIGUSR1.
 */
#define LATE_PATH	"/sys/kernel/debug/zircon-hv/late_event"
#define LATE_RAISE	(1u << 8)
#define LATE_KICK	(1u << 9)
#define LATE_SIGNAL	(1u << 10)
/*
 * How many times g_late's loop may have counted when the event acts: 0
 * when the guest exits before its first instruction; a few if the self
 * IPI takes a moment.  Missed, the event waits for the guest's next exit:
 * the preemption-timer backstop's, thousands of iterations later, unless
 * a host interrupt happens to be pending at the entry (seen in Bochs about
 * one entry in three), hence several rounds.
 */
#define LATE_MAX_COUNT	64
#define LATE_ROUNDS	4

static int late_arm(uint32_t what)
{
	FILE *f = fopen(LATE_PATH, "w");
	int ok;

	if (!f)
		return -1;
	ok = fprintf(f, "%#x\n", what) > 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

#define LATE_START(vm) do {							\
	VM_START(vm, g_late);							\
	if (access(LATE_PATH, W_OK) != 0) {					\
		vm_close(vm);							\
		SKIP(return, "no late_event hook: not a test build of the module"); \
	}									\
	EXPECT_MARK(vm, 1);							\
} while (0)

static volatile uint64_t *late_count(struct vm *vm)
{
	return (volatile uint64_t *)(vm->mem + GPA_DATA);
}

TEST(late_interrupt)
{
	for (int i = 0; i < LATE_ROUNDS; i++) {
		struct vm vm;
		uint32_t seen;

		LATE_START(&vm);
		ASSERT_EQ(0, late_arm(LATE_RAISE | 0x40));
		seen = NEXT_VALUE(&vm);
		TH_LOG("round %d: the handler ran after %u iterations", i, seen);
		EXPECT_LE(seen, LATE_MAX_COUNT);
		vm_close(&vm);
	}
}

TEST(late_kick)
{
	for (int i = 0; i < LATE_ROUNDS; i++) {
		struct vm vm;
		uint64_t seen;

		LATE_START(&vm);
		ASSERT_EQ(0, late_arm(LATE_KICK));
		EXPECT_EQ(ZX_ERR_CANCELED, enter(&vm));
		seen = *late_count(&vm);
		TH_LOG("round %d: the kick acted after %llu iterations", i,
		       (unsigned long long)seen);
		EXPECT_LE(seen, LATE_MAX_COUNT);
		vm_close(&vm);
	}
}

/* The signal handler's view of the guest's count; it then ends the enter. */
static volatile uint64_t *late_sig_count;
static volatile uint64_t late_sig_seen;
static zx_handle_t late_sig_vcpu;

static void late_sig_handler(int sig)
{
	(void)sig;
	late_sig_seen = *late_sig_count;
	zx_vcpu_kick(late_sig_vcpu);
}

TEST(late_signal)
{
	struct sigaction sa = { .sa_handler = late_sig_handler }, old;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, &old));
	for (int i = 0; i < LATE_ROUNDS; i++) {
		struct vm vm;

		LATE_START(&vm);
		late_sig_count = late_count(&vm);
		late_sig_vcpu = vm.vcpu;
		late_sig_seen = UINT64_MAX;
		ASSERT_EQ(0, late_arm(LATE_SIGNAL));
		EXPECT_EQ(ZX_ERR_CANCELED, enter(&vm));
		TH_LOG("round %d: the signal acted after %llu iterations", i,
		       (unsigned long long)late_sig_seen);
		EXPECT_LE(late_sig_seen, LATE_MAX_COUNT);
		vm_close(&vm);
	}
	sigaction(SIGUSR1, &old, NULL);
}

TEST_HARNESS_MAIN
