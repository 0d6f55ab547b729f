// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCPUs on more than one host CPU: the VMCS follows its thread (VMCLEAR on
 * the old CPU, VMPTRLD on the new one, per-CPU host state rewritten), and
 * kick, interrupt, close and process death reach a VCPU that runs, halts
 * or last ran on another CPU.
 *
 * Every test pins its threads to CPUs 0 and 1 with sched_setaffinity() and
 * skips when fewer than two CPUs are online (or without VMX), so the
 * binary costs nothing in the one-CPU boots.  Guest programs: vcpu_guest.h
 * (layout) and vcpu_smp_guest.h.
 *
 * Test                       What it proves
 * -------------------------  ----------------------------------------------------
 * migrate_between_exits      600 entries alternating between CPU 0 and 1: GPRs,
 *                            guest xmm, guest memory and the exit stream stay
 *                            exact; read_state/write_state right after each move
 * migrate_inside_guest       another thread moves the VCPU thread 20 times while
 *                            its guest spins inside one zx_vcpu_enter; the guest
 *                            keeps running on each new CPU; a kick ends enter
 * cpu_offline_while_running  the CPU the guest runs on goes offline (VMCLEAR and
 *                            VMXOFF there) and online again, 3 times inside one
 *                            zx_vcpu_enter: the guest runs on, on CPU 0 and again
 *                            on CPU 1; a new guest then runs on CPU 1
 * kick_from_other_cpu        kick of a running and of a halted VCPU from the
 *                            other CPU -> CANCELED, 10 times each
 * interrupt_from_other_cpu   zx_vcpu_interrupt from the other CPU reaches a
 *                            running guest (IF = 1) and a halted one, 10 times
 * close_from_other_cpu       the VCPU handle closed on the other CPU while the
 *                            guest runs, after it ran there, and after its thread
 *                            moved away; new VCPUs run afterwards
 * kill_from_other_cpu        a child process SIGKILLed from the other CPU while
 *                            its guest runs, and after it ran there; VMX released
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "zxhv_vm.h"
#include "vcpu_smp_guest.h"
#include "guest_vm.h"

#define WAIT_MS		60000	/* generous: Bochs time runs slow */

#define NEED_SMP() do {								\
	if (!have_vmx())							\
		SKIP(return, "no VMX here");					\
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)					\
		SKIP(return, "fewer than 2 CPUs online");			\
} while (0)

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pid_t gettid_(void)
{
	return syscall(SYS_gettid);
}

/* Pins thread @tid (0: the caller) to @cpu. */
static int pin(pid_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(tid, sizeof(set), &set);
}

/* Field 3 (state) and 39 (last CPU) of /proc/self/task/@tid/stat. */
static int task_stat(pid_t tid, char *state, int *cpu)
{
	char path[64], buf[1024], *p;
	FILE *f;
	int n, i;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')');		/* the command name may hold spaces */
	if (!p || sscanf(p + 2, "%c", state) != 1)
		return -1;
	/* After ")": field 3 is the 1st token, field 39 the 37th. */
	for (i = 0; i < 37 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%d", cpu) != 1)
		return -1;
	return 0;
}

/* --- a guest with memory and the IO trap (guest_vm.h) ----------------------- */

#define VM_START(vm, prog) do {							\
	ASSERT_EQ(ZX_OK, vm_create_base(vm, prog, prog##_end));			\
	ASSERT_EQ(ZX_OK, zx_vcpu_create((vm)->guest, 0, GPA_CODE, &(vm)->vcpu));	\
} while (0)

static volatile uint64_t *counter(struct vm *vm)
{
	return (volatile uint64_t *)(vm->mem + GPA_DATA);
}

static zx_status_t enter(struct vm *vm)
{
	zx_port_packet_t p;

	return zx_vcpu_enter(vm->vcpu, &p);
}

/* Enters; the guest must stop at a 4-byte OUT to @port: its data. */
static uint32_t next_out(struct __test_metadata *_metadata, struct vm *vm, uint16_t port,
			 int line)
{
	zx_port_packet_t p;
	zx_status_t s;

	memset(&p, 0xa5, sizeof(p));
	s = zx_vcpu_enter(vm->vcpu, &p);
	if (s != ZX_OK || p.type != ZX_PKT_TYPE_GUEST_IO || p.guest_io.port != port)
		TH_LOG("line %d: enter %s, packet type %u port %#x data %#x; want OUT to %#x",
		       line, zx_status_get_string(s), p.type, p.guest_io.port, p.guest_io.u32, port);
	ASSERT_EQ(ZX_OK, s);
	ASSERT_EQ(ZX_PKT_TYPE_GUEST_IO, p.type);
	ASSERT_EQ(port, p.guest_io.port);
	ASSERT_EQ(4, p.guest_io.access_size);
	ASSERT_FALSE(p.guest_io.input);
	return p.guest_io.u32;
}

#define NEXT_OUT(vm, port) next_out(_metadata, vm, port, __LINE__)
#define EXPECT_OUT(vm, port, v) EXPECT_EQ((uint32_t)(v), NEXT_OUT(vm, port))

/* Waits until the guest counter at GPA_DATA moved on from @from. */
static bool counter_moves(struct vm *vm, uint64_t from)
{
	long end = now_ms() + WAIT_MS;

	while (*counter(vm) == from) {
		if (now_ms() > end)
			return false;
		sched_yield();
	}
	return true;
}

/* --- a helper thread on the other CPU ------------------------------------- */

enum poke_what { POKE_KICK, POKE_INTERRUPT, POKE_CLOSE };
enum poke_when {
	WHEN_NOW,		/* at once */
	WHEN_RUNNING,		/* once the guest counter at GPA_DATA moved */
	WHEN_SLEEPING,		/* once the VCPU thread sleeps (a halted guest) */
};

struct poke {
	struct vm *vm;
	zx_handle_t vcpu;
	enum poke_what what;
	enum poke_when when;
	int cpu;		/* where the helper runs */
	pid_t vcpu_tid;		/* the VCPU thread */
	/* Results. */
	zx_status_t status;
	int ran_on;		/* sched_getcpu() when it acted */
	bool waited;		/* the condition was met (not a timeout) */
	pthread_t thread;
};

static void *poke_thread(void *arg)
{
	struct poke *k = arg;
	long end = now_ms() + WAIT_MS;
	uint64_t start;

	if (pin(0, k->cpu))
		return NULL;
	switch (k->when) {
	case WHEN_NOW:
		k->waited = true;
		break;
	case WHEN_RUNNING:
		start = *counter(k->vm);
		k->waited = counter_moves(k->vm, start);
		break;
	case WHEN_SLEEPING:
		while (now_ms() < end) {
			char state;
			int cpu;

			if (task_stat(k->vcpu_tid, &state, &cpu) == 0 && state == 'S') {
				k->waited = true;
				break;
			}
			sched_yield();
		}
		break;
	}
	k->ran_on = sched_getcpu();
	if (k->what == POKE_KICK)
		k->status = zx_vcpu_kick(k->vcpu);
	else if (k->what == POKE_INTERRUPT)
		k->status = zx_vcpu_interrupt(k->vcpu, SMP_VECTOR);
	else
		k->status = zx_handle_close(k->vcpu);
	return NULL;
}

/* Starts a helper on CPU 1 that does @what to @vm's VCPU @when. */
static int poke_start(struct poke *k, struct vm *vm, enum poke_what what, enum poke_when when)
{
	memset(k, 0, sizeof(*k));
	k->vm = vm;
	k->vcpu = vm->vcpu;
	k->what = what;
	k->when = when;
	k->cpu = 1;
	k->vcpu_tid = gettid_();
	k->status = ZX_ERR_INTERNAL;
	k->ran_on = -1;
	return pthread_create(&k->thread, NULL, poke_thread, k);
}

#define POKE_JOIN(k) do {							\
	pthread_join((k)->thread, NULL);					\
	EXPECT_TRUE((k)->waited);						\
	EXPECT_EQ(1, (k)->ran_on);						\
	EXPECT_EQ(ZX_OK, (k)->status);						\
} while (0)

/* --- the tests ------------------------------------------------------------- */

#define MIGRATE_ROUNDS	200

/* Pins the caller to @cpu; counts the moves between CPUs. */
static int move_to(int cpu, int *last, int *moves)
{
	if (pin(0, cpu) || sched_getcpu() != cpu)
		return -1;
	*moves += *last >= 0 && *last != cpu;
	*last = cpu;
	return 0;
}

TEST(migrate_between_exits)
{
	int moves = 0, last = -1;
	uint64_t sum = 0;
	struct vm vm;

	NEED_SMP();
	ASSERT_EQ(0, move_to(0, &last, &moves));
	VM_START(&vm, g_smp_count);
	for (uint32_t i = 1; i <= MIGRATE_ROUNDS; i++) {
		zx_vcpu_state_t st;
		int cpu = i & 1;

		sum += i;
		/* Every call below on the other CPU than the call before. */
		ASSERT_EQ(0, move_to(cpu, &last, &moves));
		EXPECT_OUT(&vm, PORT_VALUE, i);
		ASSERT_EQ(i, *counter(&vm));

		ASSERT_EQ(0, move_to(!cpu, &last, &moves));
		EXPECT_OUT(&vm, PORT_SUM, (uint32_t)sum);

		/* The state calls load the VMCS on the CPU the thread moved to. */
		ASSERT_EQ(0, move_to(cpu, &last, &moves));
		memset(&st, 0xee, sizeof(st));
		ASSERT_EQ(ZX_OK, zx_vcpu_read_state(vm.vcpu, ZX_VCPU_STATE, &st, sizeof(st)));
		ASSERT_EQ(i, st.rbx);
		ASSERT_EQ(sum, st.r12);
		st.r14 = 0x5a000000u + i;
		ASSERT_EQ(0, move_to(!cpu, &last, &moves));
		ASSERT_EQ(ZX_OK, zx_vcpu_write_state(vm.vcpu, ZX_VCPU_STATE, &st, sizeof(st)));

		ASSERT_EQ(0, move_to(cpu, &last, &moves));
		EXPECT_OUT(&vm, PORT_ECHO, 0x5a000000u + i);
	}
	TH_LOG("%d rounds: %d entries, %d state calls, %d moves between CPUs", MIGRATE_ROUNDS,
	       3 * MIGRATE_ROUNDS, 2 * MIGRATE_ROUNDS, moves);
	EXPECT_EQ(5 * MIGRATE_ROUNDS, moves);
	vm_close(&vm);
}

struct mover {
	struct vm *vm;
	pid_t tid;
	int moves, ran_on_target;
	bool stalled;
	zx_status_t kick;
};

/* Moves the VCPU thread back and forth while its guest runs, then kicks. */
static void *mover_thread(void *arg)
{
	struct mover *m = arg;

	m->kick = ZX_ERR_INTERNAL;
	if (counter_moves(m->vm, 0)) {
		for (int i = 1; i <= 20; i++) {
			int target = i & 1, cpu = -1;
			uint64_t c;
			char state;

			/*
			 * Returns once the thread left the other CPU: a task
			 * running there is pushed off by the stopper thread,
			 * which needs the guest to exit.
			 */
			if (pin(m->tid, target))
				break;
			if (task_stat(m->tid, &state, &cpu) == 0 && cpu == target)
				m->ran_on_target++;
			c = *counter(m->vm);
			if (!counter_moves(m->vm, c)) {
				m->stalled = true;
				break;
			}
			m->moves++;
		}
	} else {
		m->stalled = true;
	}
	m->kick = zx_vcpu_kick(m->vm->vcpu);
	return NULL;
}

TEST(migrate_inside_guest)
{
	struct mover m;
	pthread_t t;
	struct vm vm;
	uint64_t c;

	NEED_SMP();
	ASSERT_EQ(0, pin(0, 0));
	VM_START(&vm, g_spin_count);
	memset(&m, 0, sizeof(m));
	m.vm = &vm;
	m.tid = gettid_();
	ASSERT_EQ(0, pthread_create(&t, NULL, mover_thread, &m));
	/* One zx_vcpu_enter for all the moves. */
	EXPECT_EQ(ZX_ERR_CANCELED, enter(&vm));
	pthread_join(t, NULL);
	EXPECT_FALSE(m.stalled);
	EXPECT_EQ(20, m.moves);
	EXPECT_EQ(20, m.ran_on_target);
	EXPECT_EQ(ZX_OK, m.kick);
	/* The last move was to CPU 0; the VCPU goes on there and on CPU 1. */
	EXPECT_EQ(0, sched_getcpu());
	c = *counter(&vm);
	EXPECT_NE(0u, c);
	ASSERT_EQ(0, pin(0, 1));
	ASSERT_EQ(ZX_OK, zx_vcpu_kick(vm.vcpu));
	EXPECT_EQ(ZX_ERR_CANCELED, enter(&vm));
	vm_close(&vm);
}

/* /sys/devices/system/cpu/cpu1/online: writes @on; 0 on success, else errno. */
static int cpu1_online(int on)
{
	int fd = open("/sys/devices/system/cpu/cpu1/online", O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, on ? "1" : "0", 1) != 1)
		err = errno;
	close(fd);
	return err;
}

struct plugger {
	struct vm *vm;
	pid_t tid;
	int cycles, err;
	bool stalled;
	zx_status_t kick;
};

/* The guest's counter moved (else the plugger records a stall). */
static bool plugger_moves(struct plugger *pl)
{
	pl->stalled = !counter_moves(pl->vm, *counter(pl->vm));
	return !pl->stalled;
}

/* Takes CPU 1 away from under the running guest and gives it back, then kicks. */
static void *plugger_thread(void *arg)
{
	struct plugger *pl = arg;
	int cpu = -1;
	char state;

	pl->kick = ZX_ERR_INTERNAL;
	for (int i = 0; i < 3; i++) {
		if (!plugger_moves(pl))
			break;
		/* Offline: the VCPU thread is pushed to CPU 0, its VMCS cleared. */
		pl->err = cpu1_online(0);
		if (pl->err || !plugger_moves(pl))
			break;
		/* Back to CPU 1 (VMXON again there), still inside the one enter. */
		pl->err = cpu1_online(1);
		if (!pl->err && pin(pl->tid, 1))
			pl->err = errno;
		if (pl->err || !plugger_moves(pl))
			break;
		if (task_stat(pl->tid, &state, &cpu) == 0 && cpu == 1)
			pl->cycles++;
	}
	cpu1_online(1);
	pl->kick = zx_vcpu_kick(pl->vm->vcpu);
	return NULL;
}

TEST(cpu_offline_while_running)
{
	struct plugger pl;
	pthread_t t;
	struct vm vm;

	NEED_SMP();
	if (access("/sys/devices/system/cpu/cpu1/online", W_OK))
		SKIP(return, "CPU 1 cannot go offline here");
	ASSERT_EQ(0, pin(0, 1));
	VM_START(&vm, g_spin_count);
	memset(&pl, 0, sizeof(pl));
	pl.vm = &vm;
	pl.tid = gettid_();
	ASSERT_EQ(0, pthread_create(&t, NULL, plugger_thread, &pl));
	EXPECT_EQ(ZX_ERR_CANCELED, enter(&vm));
	pthread_join(t, NULL);
	EXPECT_EQ(0, pl.err);
	EXPECT_FALSE(pl.stalled);
	EXPECT_EQ(3, pl.cycles);
	EXPECT_EQ(ZX_OK, pl.kick);
	vm_close(&vm);
	/* CPU 1 runs guests again: its VMX was turned back on. */
	ASSERT_EQ(0, pin(0, 1));
	VM_START(&vm, g_smp_irq);
	EXPECT_OUT(&vm, PORT_MARK, 1);
	vm_close(&vm);
}

TEST(kick_from_other_cpu)
{
	struct poke k;
	struct vm vm;

	NEED_SMP();
	ASSERT_EQ(0, pin(0, 0));
	VM_START(&vm, g_spin_count);
	for (int i = 0; i < 10; i++) {
		ASSERT_EQ(0, poke_start(&k, &vm, POKE_KICK, WHEN_RUNNING));
		EXPECT_EQ(ZX_ERR_CANCELED, enter(&vm));
		POKE_JOIN(&k);
		EXPECT_EQ(0, sched_getcpu());
	}
	vm_close(&vm);

	/* A halted guest (interrupts off: only a kick ends the HLT). */
	VM_START(&vm, g_hlt_cli);
	for (int i = 0; i < 10; i++) {
		ASSERT_EQ(0, poke_start(&k, &vm, POKE_KICK, WHEN_SLEEPING));
		EXPECT_EQ(ZX_ERR_CANCELED, enter(&vm));
		POKE_JOIN(&k);
	}
	vm_close(&vm);
}

TEST(interrupt_from_other_cpu)
{
	struct poke k;
	struct vm vm;

	NEED_SMP();
	ASSERT_EQ(0, pin(0, 0));
	VM_START(&vm, g_smp_irq);
	EXPECT_OUT(&vm, PORT_MARK, 1);
	for (int i = 0; i < 10; i++) {
		ASSERT_EQ(0, poke_start(&k, &vm, POKE_INTERRUPT, WHEN_RUNNING));
		EXPECT_OUT(&vm, PORT_VALUE, SMP_VECTOR);
		POKE_JOIN(&k);
	}
	vm_close(&vm);

	VM_START(&vm, g_smp_hlt_loop);
	EXPECT_OUT(&vm, PORT_MARK, 1);
	for (int i = 0; i < 10; i++) {
		ASSERT_EQ(0, poke_start(&k, &vm, POKE_INTERRUPT, WHEN_SLEEPING));
		EXPECT_OUT(&vm, PORT_VALUE, SMP_VECTOR);
		POKE_JOIN(&k);
		EXPECT_OUT(&vm, PORT_MARK, 2);
	}
	vm_close(&vm);
}

/*
 * Each VCPU on a guest of its own: a guest's first VCPU is its BSP (a
 * later one would be an AP starting in real mode).
 */
/*
 * The last guest's destruction turns VMX off, which unregisters the crash
 * callback (synchronize_rcu()): in a two-CPU Bochs each grace period takes
 * long enough that these tests, which create and destroy guests one after
 * another, need more than the harness's 30 s.
 */
FIXTURE(vmx_cycles) {
	int unused;
};

FIXTURE_SETUP(vmx_cycles)
{
}

FIXTURE_TEARDOWN(vmx_cycles)
{
}

TEST_F_TIMEOUT(vmx_cycles, close_from_other_cpu, 600)
{
	struct poke k;
	zx_status_t s;
	struct vm vm;

	NEED_SMP();
	ASSERT_EQ(0, pin(0, 0));
	VM_START(&vm, g_smp_irq);
	EXPECT_OUT(&vm, PORT_MARK, 1);
	/* While the guest runs on CPU 0. */
	ASSERT_EQ(0, poke_start(&k, &vm, POKE_CLOSE, WHEN_RUNNING));
	s = enter(&vm);
	POKE_JOIN(&k);
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, s);
	vm.vcpu = ZX_HANDLE_INVALID;
	vm_close(&vm);

	for (int i = 0; i < 10; i++) {
		/* Just ran on CPU 0 (its VMCS active there), closed on CPU 1. */
		ASSERT_EQ(0, pin(0, 0));
		VM_START(&vm, g_smp_irq);
		EXPECT_OUT(&vm, PORT_MARK, 1);
		ASSERT_EQ(0, poke_start(&k, &vm, POKE_CLOSE, WHEN_NOW));
		POKE_JOIN(&k);
		vm.vcpu = ZX_HANDLE_INVALID;
		vm_close(&vm);

		/* Just ran on CPU 1; the thread moved to CPU 0 and closes it. */
		ASSERT_EQ(0, pin(0, 1));
		VM_START(&vm, g_smp_irq);
		EXPECT_OUT(&vm, PORT_MARK, 1);
		ASSERT_EQ(0, pin(0, 0));
		EXPECT_EQ(ZX_OK, zx_handle_close(vm.vcpu));
		vm.vcpu = ZX_HANDLE_INVALID;
		vm_close(&vm);
	}
	/* VCPUs still run, on both CPUs. */
	for (int cpu = 0; cpu < 2; cpu++) {
		ASSERT_EQ(0, pin(0, cpu));
		VM_START(&vm, g_smp_irq);
		EXPECT_OUT(&vm, PORT_MARK, 1);
		ASSERT_EQ(0, poke_start(&k, &vm, POKE_KICK, WHEN_RUNNING));
		EXPECT_EQ(ZX_ERR_CANCELED, enter(&vm));
		POKE_JOIN(&k);
		vm_close(&vm);
	}
}

struct kill_arg {
	int run_cpu, wait_cpu;
	bool spin;
};

/* fork_and_kill()'s child: a guest that runs (and exits once first) on @arg's CPUs. */
static void kill_child(int fd, void *arg)
{
	struct kill_arg *a = arg;
	struct vm vm;

	if (pin(0, a->run_cpu))
		_exit(2);
	if (vm_create_base(&vm, g_smp_irq, g_smp_irq_end) != ZX_OK ||
	    zx_vcpu_create(vm.guest, 0, GPA_CODE, &vm.vcpu) != ZX_OK)
		_exit(3);
	/* The guest runs on run_cpu up to its first OUT. */
	if (enter(&vm) != ZX_OK)
		_exit(4);
	if (pin(0, a->wait_cpu))
		_exit(5);
	if (write(fd, "x", 1) != 1)
		_exit(6);
	if (a->spin)
		enter(&vm);
	else
		pause();
	_exit(7);
}

/* Forks kill_child(), SIGKILLs it from CPU 1; 0 when it died of SIGKILL. */
static int kill_on(int run_cpu, int wait_cpu, bool spin)
{
	struct kill_arg a = { run_cpu, wait_cpu, spin };

	return fork_and_kill(kill_child, &a, true, spin ? 20 : 1);
}

TEST_F_TIMEOUT(vmx_cycles, kill_from_other_cpu, 600)
{
	struct vm vm;

	NEED_SMP();
	ASSERT_EQ(0, pin(0, 1));
	for (int i = 0; i < 5; i++) {
		/* Guest running on CPU 0. */
		EXPECT_EQ(0, kill_on(0, 0, true));
		/* Loaded on CPU 0, the child dies on CPU 1 (VMCLEAR by IPI). */
		EXPECT_EQ(0, kill_on(0, 1, false));
		/* Loaded on CPU 1, the child dies on CPU 0. */
		EXPECT_EQ(0, kill_on(1, 0, false));
	}
	EXPECT_TRUE(vmx_released(500));
	/* Guests still run, on both CPUs. */
	for (int cpu = 0; cpu < 2; cpu++) {
		ASSERT_EQ(0, pin(0, cpu));
		VM_START(&vm, g_smp_irq);
		EXPECT_OUT(&vm, PORT_MARK, 1);
		vm_close(&vm);
	}
}

TEST_HARNESS_MAIN
