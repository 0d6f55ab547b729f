// SPDX-License-Identifier: GPL-2.0-only
/*
 * How a VCPU and its guest end: a triple fault, closing the
 * VCPU or the guest while the VCPU runs, a SIGKILL during enter (once and
 * 200 times over), and a signal handler running during enter; after each,
 * the host and the module carry on.
 *
 * One of the vcpu_*_test programs, which split the VCPU tests by topic;
 * each behaviour runs a small guest program from vcpu_guest.h (memory
 * layout and port conventions are described there) in vcpu_vm.h's
 * fixture.  Where VMX is missing (ZXHV_VM=qemu, or a host whose probe is
 * not READY) every test that needs a guest is skipped.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * triple_fault                  enter returns BAD_STATE; the host and module carry on
 * entry_failure_again           a VCPU whose state fails the VM-entry checks: every
 *                               enter returns BAD_STATE (VMLAUNCH again, not VMRESUME)
 * close_vcpu_while_running      closing the VCPU from another thread ends enter with
 *                               an error
 * close_guest_while_running     guest/VMAR handles closed while running: the VCPU keeps
 *                               the guest alive; a kick ends enter
 * sigkill_during_enter          a child killed in enter dies and is reaped
 * fork_kill_cycles              200 fork + enter + SIGKILL cycles, then guests still run
 *                               (ZXHV_FORK_KILL_CYCLES: another count, 1-10000; make
 *                               soak's two-CPU boot runs fewer, its CPUs being slow)
 * signal_during_enter           a SIGUSR1 handler runs, enter continues; a kick ends it
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "vcpu_guest.h"
#include "vcpu_vm.h"

TEST(triple_fault)
{
	zx_status_t s;
	struct vm vm;

	VM_START(&vm, g_triple_fault);
	s = enter(&vm);
	/*
	 * The choice: BAD_STATE, like a VM-entry failure (the guest's
	 * state is unusable).  The spec's exit table would give NOT_SUPPORTED
	 * to an exit it does not name.
	 */
	if (s != ZX_ERR_BAD_STATE)
		TH_LOG("triple fault: zx_vcpu_enter returned %s", zx_status_get_string(s));
	EXPECT_EQ(ZX_ERR_BAD_STATE, s);
	vm_close(&vm);
	/* The host and the module carry on. */
	VM_START(&vm, g_done);
	EXPECT_MARK(&vm, 0x600d);
	vm_close(&vm);
}

TEST(entry_failure_again)
{
	zx_handle_t bsp;
	struct vm vm;

	NEED_VMX();
	ASSERT_EQ(ZX_OK, vm_create(&vm, g_done, g_done_end));
	/* VPID 1 made and closed: the guest's VPIDs rotate, so the next is an AP. */
	ASSERT_EQ(ZX_OK, zx_vcpu_create(vm.guest, 0, GPA_CODE, &bsp));
	ASSERT_EQ(ZX_OK, zx_handle_close(bsp));
	/*
	 * An AP's CS.base is its entry; bits 63:32 of it fail the guest-state
	 * checks of every VM entry (SDM Vol. 3C 27.3.1.2).  A failed entry
	 * leaves the VMCS's launch state clear, so the next one must be a
	 * VMLAUNCH too: a VMRESUME would fail as an instruction (INTERNAL).
	 */
	ASSERT_EQ(ZX_OK, zx_vcpu_create(vm.guest, 0, 1ull << 32, &vm.vcpu));
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(ZX_ERR_BAD_STATE, enter(&vm));
	vm_close(&vm);
}

/* --- teardown races, signals, processes -------------------------------------------- */

TEST(close_vcpu_while_running)
{
	struct later l;
	zx_status_t s;
	struct vm vm;

	VM_START(&vm, g_spin_count);
	ASSERT_EQ(0, later(&l, vm.vcpu, 2, 0, 200));
	/* The spec names no status: enter must end, with an error. */
	s = enter(&vm);
	pthread_join(l.thread, NULL);
	TH_LOG("closed while running: zx_vcpu_enter returned %s", zx_status_get_string(s));
	EXPECT_NE(ZX_OK, s);
	EXPECT_EQ(ZX_OK, l.status);
	vm.vcpu = ZX_HANDLE_INVALID;
	/* The thread is free again. */
	EXPECT_EQ(ZX_OK, zx_vcpu_create(vm.guest, 0, GPA_CODE, &vm.vcpu));
	vm_close(&vm);
}

struct closer {
	struct vm *vm;
	uint64_t before, after;
	zx_status_t kick;
};

static void *close_guest_thread(void *p)
{
	struct closer *c = p;
	volatile uint64_t *counter = (volatile uint64_t *)(c->vm->mem + GPA_DATA);

	sleep_ms(100);
	zx_handle_close(c->vm->guest);
	zx_handle_close(c->vm->vmar);
	zx_handle_close(c->vm->port);
	c->before = *counter;
	sleep_ms(100);
	c->after = *counter;
	c->kick = zx_vcpu_kick(c->vm->vcpu);
	return NULL;
}

TEST(close_guest_while_running)
{
	struct closer c;
	pthread_t t;
	struct vm vm;

	VM_START(&vm, g_spin_count);
	memset(&c, 0, sizeof(c));
	c.vm = &vm;
	ASSERT_EQ(0, pthread_create(&t, NULL, close_guest_thread, &c));
	/* The VCPU keeps the guest (and its memory) alive. */
	EXPECT_EQ(ZX_ERR_CANCELED, enter(&vm));
	pthread_join(t, NULL);
	EXPECT_EQ(ZX_OK, c.kick);
	EXPECT_LT(c.before, c.after);
	vm.guest = vm.vmar = vm.port = ZX_HANDLE_INVALID;
	vm_close(&vm);
}

/* fork_and_kill()'s child: runs a spinning guest after telling the parent. */
static void spin_child(int fd, void *arg)
{
	struct vm vm;

	if (vm_create(&vm, g_spin, g_spin_end) != ZX_OK ||
	    zx_vcpu_create(vm.guest, 0, GPA_CODE, &vm.vcpu) != ZX_OK)
		_exit(3);
	if (write(fd, "x", 1) != 1)
		_exit(4);
	enter(&vm);
	_exit(5);
}

TEST(sigkill_during_enter)
{
	struct vm vm;

	NEED_VMX();
	EXPECT_EQ(0, fork_and_kill(spin_child, NULL, true, 0));
	EXPECT_TRUE(vmx_released(100));
	VM_START(&vm, g_done);
	EXPECT_MARK(&vm, 0x600d);
	vm_close(&vm);
}

FIXTURE(long_running) {
	int unused;
};

FIXTURE_SETUP(long_running)
{
}

FIXTURE_TEARDOWN(long_running)
{
}

TEST_F_TIMEOUT(long_running, fork_kill_cycles, 900)
{
	const char *env = getenv("ZXHV_FORK_KILL_CYCLES");
	int cycles = env ? atoi(env) : 200;
	struct vm vm;

	ASSERT_TRUE(cycles >= 1 && cycles <= 10000)
		TH_LOG("ZXHV_FORK_KILL_CYCLES=%s: not a count from 1 to 10000", env);
	NEED_VMX();
	printf("# %d fork + enter + SIGKILL cycles\n", cycles);
	for (int i = 0; i < cycles; i++) {
		/* Every tenth child is killed wherever it is (often still setting up). */
		int r = fork_and_kill(spin_child, NULL, i % 10 != 0, i % 4);

		if (r)
			TH_LOG("cycle %d: %d", i, r);
		ASSERT_EQ(0, r);
	}
	EXPECT_TRUE(vmx_released(100));
	VM_START(&vm, g_done);
	EXPECT_MARK(&vm, 0x600d);
	vm_close(&vm);
}

static atomic_int usr1_count;

static void on_usr1(int sig)
{
	(void)sig;
	atomic_fetch_add(&usr1_count, 1);
}

struct signaller {
	pthread_t target;
	zx_handle_t vcpu;
	int sent;
	zx_status_t kick;
};

static void *signal_thread(void *p)
{
	struct signaller *s = p;

	sleep_ms(100);
	for (int i = 0; i < 5; i++) {
		pthread_kill(s->target, SIGUSR1);
		s->sent++;
		sleep_ms(50);
	}
	for (int i = 0; i < 250 && atomic_load(&usr1_count) < s->sent; i++)
		sleep_ms(20);
	sleep_ms(50);
	s->kick = zx_vcpu_kick(s->vcpu);
	return NULL;
}

TEST(signal_during_enter)
{
	struct sigaction sa;
	struct signaller s;
	pthread_t t;
	uint64_t before;
	struct vm vm;

	VM_START(&vm, g_spin_count);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;	/* no SA_RESTART: the restart is the module's */
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	memset(&s, 0, sizeof(s));
	s.target = pthread_self();
	s.vcpu = vm.vcpu;
	ASSERT_EQ(0, pthread_create(&t, NULL, signal_thread, &s));
	EXPECT_EQ(ZX_ERR_CANCELED, enter(&vm));
	pthread_join(t, NULL);
	EXPECT_EQ(5, atomic_load(&usr1_count));
	EXPECT_EQ(ZX_OK, s.kick);
	/* The guest ran, and runs on. */
	before = *(volatile uint64_t *)(vm.mem + GPA_DATA);
	EXPECT_NE(0u, before);
	ASSERT_EQ(ZX_OK, zx_vcpu_kick(vm.vcpu));
	EXPECT_EQ(ZX_ERR_CANCELED, enter(&vm));
	vm_close(&vm);
}

TEST_HARNESS_MAIN
