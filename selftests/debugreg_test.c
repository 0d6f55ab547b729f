// SPDX-License-Identifier: GPL-2.0-only
/*
 * Debug registers belong to whoever runs (issue 16, finding F5): MOV DR
 * exits and is emulated on the VCPU's own DR0-DR3, DR6 and DR7, and the
 * host's breakpoints (DR7, loaded by perf) and DEBUGCTL are back after
 * every exit.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * host_watchpoint_survives      a perf write watchpoint of this thread counts every
 *                               write made after a guest ran on the CPU
 * host_dr0_hidden               with that watchpoint armed (the host's DR0 holds its
 *                               address), the guest reads its own DR0 = 0
 * guest_dr_survive_exits        DR0 and DR7 the guest wrote read back the same after
 *                               an exit to userspace
 * data_breakpoint_dr6           a guest write breakpoint's #DB (which exits and is
 *                               given back) reaches the guest's handler with DR6.B0
 * db_loop_kickable              a real-mode guest whose #DB handler starts on an
 *                               execute breakpoint takes #DBs forever; each exits, so
 *                               a kick still ends zx_vcpu_enter (an emulated CPU that
 *                               loops inside hangs the host without: found by
 *                               guest_fuzz_test)
 * single_step_cpuid             a guest single-stepping (RFLAGS.TF) over CPUID, which
 *                               the module emulates, gets the #DB after it with DR6.BS
 *                               and the next instruction's RIP, as the CPU raises it
 * single_step_io                the same over an OUT that exits to the VMM as a packet
 * single_step_mov_dr            the same over MOV from DR7 (emulated in the module)
 * single_step_hlt               the same over HLT with no interrupt to come: the
 *                               #DB ends the halt at once (a VCPU that slept would
 *                               never wake)
 */
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "vcpu_guest.h"
#include "vcpu_vm.h"

/* Reports DR0 (low half), then DR7. */
GUEST_PROGRAM(g_dr_read,
	"mov %dr0, %rax\n out %eax, $0x10\n"
	"mov %dr7, %rax\n out %eax, $0x10\n"
	"1: jmp 1b");

/* DR0 = 0x12345678, DR7 = G0 (execute breakpoint, never hit); mark; read back. */
GUEST_PROGRAM(g_dr_write,
	"mov $0x12345678, %rax\n mov %rax, %dr0\n"
	"mov $0x402, %rax\n mov %rax, %dr7\n"
	"MARK $1\n"
	"mov %dr0, %rax\n out %eax, $0x10\n"
	"mov %dr7, %rax\n out %eax, $0x10\n"
	"1: jmp 1b");

/*
 * DR0 = GPA_DATA, DR7 = L0 with an 8-byte write breakpoint; a write there
 * traps into the #DB handler, which reports DR6, clears DR6 and DR7 and
 * returns; then mark 2.
 */
GUEST_PROGRAM(g_dr_data,
	"PROLOGUE\n"
	"GATE 1, 40f\n"
	"mov $GPA_DATA, %rax\n mov %rax, %dr0\n"
	"mov $0xd0401, %rax\n mov %rax, %dr7\n"
	"movq $1, GPA_DATA\n"
	"MARK $2\n"
	"1: jmp 1b\n"
	"40: mov %dr6, %rax\n out %eax, $0x10\n"
	"mov $0xffff0ff0, %eax\n mov %rax, %dr6\n"
	"mov $0x400, %eax\n mov %rax, %dr7\n"
	"iretq");

/*
 * A real-mode AP (CS = AP_GPA >> 4): IVT entry 1 and DR0 (an execute
 * breakpoint, DR7 = L0) both at label 7, the stack in its own 64 KiB
 * segment at 0x20000 (so the frames pushed forever overwrite nothing
 * else), mark 0x1111, then a jump to 7: every delivery of the #DB lands
 * on the breakpoint again.
 */
GUEST_PROGRAM(g_db_loop_ap,
	".code16\n"
	"movw $(7f - 0b), 0x4\n movw $" GUEST_STR(AP_GPA) " >> 4, 0x6\n"
	"mov $0x2000, %ax\n mov %ax, %ss\n xor %sp, %sp\n"
	"mov $(" GUEST_STR(AP_GPA) " + 7f - 0b), %eax\n mov %eax, %dr0\n"
	"mov $0x401, %eax\n mov %eax, %dr7\n"
	"mov $0x1111, %ax\n out %ax, $0x11\n"
	"jmp 7f\n"
	"7: mov $0x600d, %ax\n out %ax, $0x11\n"
	"8: jmp 8b\n");

/*
 * Single-stepping over one instruction the module emulates: TF is set by
 * POPFQ, so the instruction after it (at 1:) is the first stepped one;
 * R12 holds the address after it (2:).  The #DB handler reports the saved
 * RIP less R12 (0 when the trap came right after that instruction) and
 * DR6, clears DR6 and the frame's TF, and returns; then mark 2.
 */
#define STEP_OVER(insn)							\
	"PROLOGUE\n"							\
	"GATE 1, 40f\n"						\
	"xor %eax, %eax\n lea 2f(%rip), %r12\n"			\
	"pushfq\n orq $0x100, (%rsp)\n popfq\n"			\
	"1: " insn "\n"						\
	"2: MARK $2\n"							\
	"3: jmp 3b\n"							\
	"40: mov (%rsp), %rax\n sub %r12, %rax\n out %eax, $0x10\n"	\
	"mov %dr6, %rax\n out %eax, $0x10\n"				\
	"mov $0xffff0ff0, %eax\n mov %rax, %dr6\n"			\
	"andq $~0x100, 16(%rsp)\n"					\
	"iretq"

GUEST_PROGRAM(g_step_cpuid, STEP_OVER("cpuid"));
GUEST_PROGRAM(g_step_io, STEP_OVER("out %eax, $0x10"));
GUEST_PROGRAM(g_step_mov_dr, STEP_OVER("mov %dr7, %rax"));
GUEST_PROGRAM(g_step_hlt, STEP_OVER("hlt"));

static volatile uint64_t watched;

/* A perf write watchpoint on @watched for this thread, or -1. */
static int watch(void)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_BREAKPOINT;
	a.size = sizeof(a);
	a.bp_type = HW_BREAKPOINT_W;
	a.bp_addr = (uintptr_t)&watched;
	a.bp_len = HW_BREAKPOINT_LEN_8;
	a.sample_period = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static uint64_t hits(int fd)
{
	uint64_t n = 0;

	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return ~0ull;
	return n;
}

TEST(host_watchpoint_survives)
{
	struct vm vm;
	int fd, i;

	VM_START(&vm, g_dr_read);
	fd = watch();
	if (fd < 0)
		SKIP(vm_close(&vm); return, "no hardware breakpoints (perf_event_open)");
	watched = 1;
	ASSERT_EQ(1u, hits(fd));
	NEXT_VALUE(&vm);
	for (i = 0; i < 8; i++)
		watched = i;
	EXPECT_EQ(9u, hits(fd));
	close(fd);
	vm_close(&vm);
}

TEST(host_dr0_hidden)
{
	struct vm vm;
	int fd;

	VM_START(&vm, g_dr_read);
	fd = watch();
	if (fd < 0)
		SKIP(vm_close(&vm); return, "no hardware breakpoints (perf_event_open)");
	watched = 1;
	EXPECT_EQ(0u, NEXT_VALUE(&vm));
	EXPECT_EQ(0x400u, NEXT_VALUE(&vm));
	close(fd);
	vm_close(&vm);
}

TEST(guest_dr_survive_exits)
{
	struct vm vm;

	VM_START(&vm, g_dr_write);
	EXPECT_MARK(&vm, 1);
	EXPECT_EQ(0x12345678u, NEXT_VALUE(&vm));
	EXPECT_EQ(0x402u, NEXT_VALUE(&vm));
	vm_close(&vm);
}

TEST(data_breakpoint_dr6)
{
	struct vm vm;

	VM_START(&vm, g_dr_data);
	/* B0 and the bits that read as 1 (RTM, bit 16, is 1 outside RTM). */
	EXPECT_EQ(0xffff0ff1u, NEXT_VALUE(&vm));
	EXPECT_MARK(&vm, 2);
	vm_close(&vm);
}

struct db_loop {
	struct vm *vm;
	zx_status_t create, st[3], kick[2];
	uint32_t mark;
};

static void *db_loop_thread(void *arg)
{
	struct db_loop *d = arg;
	zx_handle_t vcpu = ZX_HANDLE_INVALID;
	zx_port_packet_t p;
	struct later l;

	d->create = zx_vcpu_create(d->vm->guest, 0, AP_GPA, &vcpu);
	if (d->create != ZX_OK)
		return NULL;
	memset(&p, 0, sizeof(p));
	d->st[0] = zx_vcpu_enter(vcpu, &p);
	d->mark = p.guest_io.u16;
	/* Twice: the loop goes on after the first kick. */
	for (int i = 0; i < 2 && d->st[0] == ZX_OK; i++) {
		if (later(&l, vcpu, 0, 0, 50))
			break;
		d->st[1 + i] = zx_vcpu_enter(vcpu, &p);
		pthread_join(l.thread, NULL);
		d->kick[i] = l.status;
	}
	zx_handle_close(vcpu);
	return NULL;
}

TEST(db_loop_kickable)
{
	struct db_loop d;
	struct vm vm;

	VM_START(&vm, g_spin);
	memcpy(vm.mem + AP_GPA, g_db_loop_ap, g_db_loop_ap_end - g_db_loop_ap);
	memset(&d, 0, sizeof(d));
	d.vm = &vm;
	run_on_thread(db_loop_thread, &d);
	ASSERT_EQ(ZX_OK, d.create);
	ASSERT_EQ(ZX_OK, d.st[0]);
	EXPECT_EQ(0x1111u, d.mark);
	for (int i = 0; i < 2; i++) {
		EXPECT_EQ(ZX_OK, d.kick[i]);
		EXPECT_EQ(ZX_ERR_CANCELED, d.st[1 + i]);
	}
	vm_close(&vm);
}

/* The #DB right after the stepped instruction: RIP of 2:, DR6 = BS. */
static void expect_step(struct __test_metadata *_metadata, struct vm *vm)
{
	EXPECT_EQ(0u, NEXT_VALUE(vm));
	/* BS and the bits that read as 1 (RTM, bit 16, is 1 outside RTM). */
	EXPECT_EQ(0xffff4ff0u, NEXT_VALUE(vm));
	EXPECT_MARK(vm, 2);
}

/* A test of one stepped instruction that reports nothing itself. */
#define STEP_TEST(name, prog)			\
	TEST(name)				\
	{					\
		struct vm vm;			\
						\
		VM_START(&vm, prog);		\
		expect_step(_metadata, &vm);	\
		vm_close(&vm);			\
	}

STEP_TEST(single_step_cpuid, g_step_cpuid)
STEP_TEST(single_step_mov_dr, g_step_mov_dr)
STEP_TEST(single_step_hlt, g_step_hlt)

TEST(single_step_io)
{
	struct vm vm;

	VM_START(&vm, g_step_io);
	EXPECT_EQ(0u, NEXT_VALUE(&vm));	/* the stepped OUT's own value */
	expect_step(_metadata, &vm);
	vm_close(&vm);
}

TEST_HARNESS_MAIN
