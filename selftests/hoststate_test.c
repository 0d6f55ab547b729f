// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host thread's state survives guests that try hard to change it
 * (issue 16, item 2; host_state.h lists what is compared and how).  The
 * guest g_disturb writes every piece of CPU state it can reach: CR2, DR0-DR3
 * (the addresses of host decoy words), DR6, DR7 (write breakpoints on
 * them), STAR/LSTAR/CSTAR/SFMASK/KERNEL_GS_BASE/FS_BASE/GS_BASE/SYSENTER/
 * TSC_AUX/SPEC_CTRL/DEBUGCTL/PAT by WRMSR, SWAPGS, WRFSBASE/WRGSBASE, XCR0,
 * WRPKRU and CR4.PKE, the x87 control word (all exceptions unmasked, one
 * flagged), MXCSR, ST0-7, XMM0-15 and the YMM upper halves, CR8.  Around
 * each of its exits the host compares a snapshot, checks its perf
 * watchpoints (DR0-DR3/DR7) count exactly and nothing traps, that its own
 * page faults report their address (CR2), and every zx_vcpu_enter() is a
 * raw syscall that must hand back a random FPU/SIMD pattern unchanged.
 * Where the CPU keeps it, the host's DEBUGCTL is made non-zero first (a VM
 * exit clears it).
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * io_exits                      12 rounds of the disturbance, each ending in an OUT
 *                               to userspace: host state unchanged after every exit;
 *                               the guest reads back its own CR2 and DR0
 * kick_exit                     the disturbance, then a spin ended by zx_vcpu_kick
 *                               from another thread (CANCELED): unchanged
 * hlt_interrupt                 the disturbance, then HLT, woken by zx_vcpu_interrupt
 *                               from another thread (the VCPU slept in the kernel):
 *                               unchanged
 * other_thread_guest            a disturbing guest on a second thread of the same
 *                               process, on the same CPU: this thread's state is
 *                               unchanged after each of its exits
 * guest_debug_exceptions        a guest whose DR7 enables nothing takes #DB inside
 *                               (single steps, ICEBP): the CPU writes DR6 for them, and
 *                               the host's DR6 must be back after the exit, or the
 *                               host's next watchpoint hit also reports a stray
 *                               single step (SIGTRAP).  Found by guest_fuzz_test.
 * selectors_and_io_bitmap       with DS, ES and GS loaded with the user data
 *                               selector and an I/O bitmap (ioperm), a guest with
 *                               CPUID exits (handled in the kernel) and OUTs to
 *                               userspace: after each enter the selectors are back
 *                               and an OUT the bitmap allows does not fault (a
 *                               VM exit zeroes them and cuts TR's limit to 0x67,
 *                               the bitmap off; the module puts them back when
 *                               it leaves the run loop, not after each exit)
 */
#include <sys/io.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "vcpu_guest.h"
#include "vcpu_vm.h"
#include "host_state.h"

#define CR2_MAGIC	0x5eed0000

/*
 * HS_TRY: the next instruction may fault (#GP, #UD): the handlers resume
 * at the label after it.
 */
__asm__(".macro HS_TRY insn:vararg\n"
	"	lea 7f(%rip), %r15\n"
	"	\\insn\n"
	"7:\n"
	".endm\n"
	".macro HS_WRMSR msr, lo, hi\n"
	"	mov \\msr, %ecx\n"
	"	mov \\lo, %eax\n"
	"	mov \\hi, %edx\n"
	"	HS_TRY wrmsr\n"
	".endm\n");

/*
 * Registers from the host: RBX != 0 when AVX is usable, R8-R11 the decoy
 * addresses, R13 the round number, R14: 0 = report by OUT, 1 = spin after
 * the disturbance, 2 = STI; HLT (a handler for vector 32 marks 2).
 * Rounds: disturb, MARK 1, report CR2 (CR2_MAGIC + round) and DR0 (low),
 * next round.
 */
GUEST_PROGRAM(g_disturb,
	"PROLOGUE\n"
	"GATE 6, 40f\n"
	"GATE 13, 41f\n"
	"GATE 1, 40f\n"
	"GATE 16, 40f\n"
	"GATE 32, 42f\n"
	"1: lea " GUEST_STR(CR2_MAGIC) "(%r13), %rax\n mov %rax, %cr2\n"
	"mov %r8, %dr0\n mov %r9, %dr1\n mov %r10, %dr2\n mov %r11, %dr3\n"
	"mov $0xf, %eax\n mov %rax, %dr6\n"
	"mov $0x999907ff, %eax\n mov %rax, %dr7\n"
	"HS_WRMSR $0xc0000081, $0x12345678, $0x00330028\n"	/* STAR */
	"HS_WRMSR $0xc0000082, $0x0badc0de, $0xffff8000\n"	/* LSTAR */
	"HS_WRMSR $0xc0000083, $0x0badc0df, $0xffff8000\n"	/* CSTAR */
	"HS_WRMSR $0xc0000084, $0xffffffff, $0\n"		/* SFMASK */
	"HS_WRMSR $0xc0000100, $0x11110000, $0x1111\n"		/* FS_BASE */
	"HS_WRMSR $0xc0000101, $0x22220000, $0x2222\n"		/* GS_BASE */
	"HS_WRMSR $0xc0000102, $0x33330000, $0x3333\n"		/* KERNEL_GS_BASE */
	"HS_WRMSR $0xc0000103, $0x77, $0\n"			/* TSC_AUX */
	"HS_WRMSR $0x174, $0x10, $0\n"				/* SYSENTER_CS */
	"HS_WRMSR $0x175, $0x44440000, $0x4444\n"
	"HS_WRMSR $0x176, $0x55550000, $0x5555\n"
	"HS_WRMSR $0x48, $7, $0\n"				/* SPEC_CTRL */
	"HS_WRMSR $0x1d9, $0x3, $0\n"				/* DEBUGCTL */
	"HS_WRMSR $0x277, $0x00000000, $0\n"			/* PAT: all UC */
	"swapgs\n"
	"mov $0x6666000066660000, %rax\n HS_TRY wrfsbase %rax\n"
	"mov $0x0000777777770000, %rax\n HS_TRY wrgsbase %rax\n"
	"xor %ecx, %ecx\n xor %edx, %edx\n mov $0xc, %eax\n HS_TRY wrpkru\n"
	"mov %cr4, %rax\n bts $22, %rax\n HS_TRY mov %rax, %cr4\n"
	"mov $1, %eax\n mov %rax, %cr8\n"
	/* x87: ZE flagged while masked, then every exception unmasked. */
	"fninit\n fldz\n fld1\n fdiv %st(1), %st\n"
	"fldpi\n fldl2e\n fldln2\n fldlg2\n fld1\n fldz\n"
	"movw $0x0c40, GPA_DATA\n fldcw GPA_DATA\n"
	"movl $0x7f3f, GPA_DATA\n HS_TRY ldmxcsr GPA_DATA\n"
	"pcmpeqb %xmm0, %xmm0\n"
	"movdqa %xmm0, %xmm1\n movdqa %xmm0, %xmm2\n movdqa %xmm0, %xmm3\n"
	"movdqa %xmm0, %xmm4\n movdqa %xmm0, %xmm5\n movdqa %xmm0, %xmm6\n"
	"movdqa %xmm0, %xmm7\n movdqa %xmm0, %xmm8\n movdqa %xmm0, %xmm9\n"
	"movdqa %xmm0, %xmm10\n movdqa %xmm0, %xmm11\n movdqa %xmm0, %xmm12\n"
	"movdqa %xmm0, %xmm13\n movdqa %xmm0, %xmm14\n movdqa %xmm0, %xmm15\n"
	"test %rbx, %rbx\n jz 2f\n"
	"xor %ecx, %ecx\n xor %edx, %edx\n mov $7, %eax\n HS_TRY xsetbv\n"
	"vpcmpeqb %ymm0, %ymm0, %ymm0\n vmovdqa %ymm0, %ymm7\n vmovdqa %ymm0, %ymm15\n"
	"2: xor %ecx, %ecx\n xor %edx, %edx\n mov $3, %eax\n HS_TRY xsetbv\n"
	"xor %ecx, %ecx\n HS_TRY rdpmc\n"
	"cmp $1, %r14\n je 5f\n"
	"cmp $2, %r14\n je 6f\n"
	"MARK $1\n"
	"mov %cr2, %rax\n out %eax, $0x10\n"
	"mov %dr0, %rax\n out %eax, $0x10\n"
	"inc %r13\n"
	"jmp 1b\n"
	"5: jmp 5b\n"
	"6: sti\n hlt\n 8: jmp 8b\n"
	"40: mov %r15, (%rsp)\n iretq\n"
	"41: add $8, %rsp\n mov %r15, (%rsp)\n iretq\n"
	"42: MARK $2\n 9: jmp 9b\n");

/*
 * Rounds of: TF set by POPF, two single-step #DBs (the handler clears TF
 * in the frame), an ICEBP #DB, MARK 1.  DR7 stays 0x400.
 */
GUEST_PROGRAM(g_dbstep,
	"PROLOGUE\n"
	"GATE 1, 40f\n"
	"1: pushfq\n orq $0x100, (%rsp)\n popfq\n"
	"nop\n nop\n"
	".byte 0xf1\n"
	"MARK $1\n"
	"jmp 1b\n"
	"40: andq $~0x100, 16(%rsp)\n iretq\n");

struct hs_ctx {
	struct hs_snap before;
	struct hs_watch watch;
	struct hs_fpu fpu;
	uint64_t debugctl_old;
	bool debugctl_set;
	int fd;
	int checks;
};

static void hs_ctx_start(struct __test_metadata *_metadata, struct hs_ctx *c)
{
	static bool once;

	if (!once) {
		hs_init();
		once = true;
	}
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	hs_fpu_init(&c->fpu, 0x9e3779b97f4a7c15ull);
	c->debugctl_set = hs_debugctl_set(&c->debugctl_old);
	hs_watch_arm(&c->watch);
	hs_snapshot(&c->before);
	TH_LOG("cpu %d: %d MSRs readable, %d watchpoints, PKU %d, XSAVE %d, AVX %d, "
	       "FSGSBASE %d, host DEBUGCTL %s", hs.cpu, hs_msrs_read(&c->before), c->watch.n,
	       hs.pku, hs.xsave, hs.avx, hs.fsgsbase,
	       c->debugctl_set ? "set to BTF" : "left as it is");
}

static void hs_ctx_end(struct hs_ctx *c)
{
	hs_watch_close(&c->watch);
	if (c->debugctl_set)
		hs_debugctl_put(c->debugctl_old);
}

/* Everything host_state.h compares, against the snapshot taken at the start. */
static void hs_check(struct __test_metadata *_metadata, struct hs_ctx *c, const char *where)
{
	struct hs_snap now;
	char why[1024];
	int bad;

	hs_snapshot(&now);
	if (hs_diff(&c->before, &now, why, sizeof(why)))
		TH_LOG("%s: host state changed: %s", where, why);
	EXPECT_EQ(0, hs_diff(&c->before, &now, why, sizeof(why)));
	bad = hs_watch_check(&c->watch, why, sizeof(why));
	if (bad)
		TH_LOG("%s: debug registers: %s", where, why);
	EXPECT_EQ(0, bad);
	EXPECT_TRUE(hs_cr2_probe(0x123 + c->checks * 8));
	c->checks++;
}

#define HS_CHECK(c, where) hs_check(_metadata, c, where)

/* Enter through hs_enter(); the FPU/SIMD pattern must survive. */
static zx_status_t hs_vm_enter(struct __test_metadata *_metadata, struct hs_ctx *c,
			       struct vm *vm, zx_port_packet_t *p)
{
	char why[128];
	bool bad;
	zx_status_t s;

	if (c->fd < 0)
		c->fd = hs_device_fd();
	memset(p, 0, sizeof(*p));
	s = hs_enter(&c->fpu, c->fd, vm->vcpu, p, &bad, why, sizeof(why));
	if (bad)
		TH_LOG("FPU/SIMD state changed across zx_vcpu_enter: %s", why);
	EXPECT_FALSE(bad);
	return s;
}

/* The registers g_disturb takes; @mode goes to R14. */
static void disturb_regs(zx_vcpu_state_t *st, uint64_t mode)
{
	st->rbx = hs.avx;
	for (int i = 0; i < 4; i++)
		(&st->r8)[i] = (uintptr_t)&hs_decoy[i];
	st->r13 = 0;
	st->r14 = mode;
	st->rflags = 0;
}

/* VM_START(g_disturb) and its registers. */
static void disturb_start(struct __test_metadata *_metadata, struct vm *vm, uint64_t mode)
{
	zx_vcpu_state_t st;

	VM_START(vm, g_disturb);
	st = read_state(vm);
	disturb_regs(&st, mode);
	ASSERT_EQ(ZX_OK, zx_vcpu_write_state(vm->vcpu, ZX_VCPU_STATE, &st, sizeof(st)));
}

/* The next exit must be an OUT of 4 bytes to @port: its value. */
static uint32_t hs_next_out(struct __test_metadata *_metadata, struct hs_ctx *c, struct vm *vm,
			    uint16_t port)
{
	zx_port_packet_t p;
	zx_status_t s = hs_vm_enter(_metadata, c, vm, &p);

	if (s != ZX_OK)
		TH_LOG("zx_vcpu_enter: %s", zx_status_get_string(s));
	EXPECT_EQ(ZX_OK, s);
	EXPECT_EQ(ZX_PKT_TYPE_GUEST_IO, p.type);
	EXPECT_EQ(port, p.guest_io.port);
	return p.guest_io.u32;
}

TEST(io_exits)
{
	struct hs_ctx c;
	struct vm vm;
	char where[32];

	NEED_VMX();
	hs_ctx_start(_metadata, &c);
	disturb_start(_metadata, &vm, 0);
	for (uint32_t round = 0; round < 12; round++) {
		snprintf(where, sizeof(where), "round %u", round);
		EXPECT_EQ(1u, hs_next_out(_metadata, &c, &vm, PORT_MARK));
		HS_CHECK(&c, where);
		EXPECT_EQ(CR2_MAGIC + round, hs_next_out(_metadata, &c, &vm, PORT_VALUE));
		EXPECT_EQ((uint32_t)(uintptr_t)&hs_decoy[0],
			  hs_next_out(_metadata, &c, &vm, PORT_VALUE));
		HS_CHECK(&c, where);
	}
	vm_close(&vm);
	HS_CHECK(&c, "after close");
	hs_ctx_end(&c);
}

/*
 * Three guests in @mode (1: spin, 2: HLT), each ended from another thread
 * by later(@what, vector 32) after a growing delay; the host checks after.
 */
static void from_other_thread(struct __test_metadata *_metadata, uint64_t mode, int what,
			      const char *where)
{
	zx_port_packet_t p;
	struct later l;
	struct hs_ctx c;
	struct vm vm;

	hs_ctx_start(_metadata, &c);
	for (int i = 0; i < 3; i++) {
		disturb_start(_metadata, &vm, mode);
		ASSERT_EQ(0, later(&l, vm.vcpu, what, 32, 20 + i * 30));
		if (mode == 1) {
			EXPECT_EQ(ZX_ERR_CANCELED, hs_vm_enter(_metadata, &c, &vm, &p));
		} else {
			EXPECT_EQ(2u, hs_next_out(_metadata, &c, &vm, PORT_MARK));
		}
		pthread_join(l.thread, NULL);
		EXPECT_EQ(ZX_OK, l.status);
		HS_CHECK(&c, where);
		vm_close(&vm);
	}
	hs_ctx_end(&c);
}

TEST(kick_exit)
{
	NEED_VMX();
	from_other_thread(_metadata, 1, 0, "after the kick");
}

TEST(hlt_interrupt)
{
	NEED_VMX();
	from_other_thread(_metadata, 2, 1, "after the HLT");
}

/* The second thread's guest: the disturbance in rounds, reported in @rounds. */
struct other {
	volatile int rounds;
	volatile int stop;
	zx_status_t status;
};

static void *other_thread(void *arg)
{
	struct other *o = arg;
	zx_port_packet_t p;
	zx_vcpu_state_t st;
	struct vm vm;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(hs.cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	o->status = vm_create(&vm, g_disturb, g_disturb_end);
	if (o->status == ZX_OK)
		o->status = zx_vcpu_create(vm.guest, 0, GPA_CODE, &vm.vcpu);
	if (o->status == ZX_OK)
		o->status = zx_vcpu_read_state(vm.vcpu, ZX_VCPU_STATE, &st, sizeof(st));
	if (o->status == ZX_OK) {
		disturb_regs(&st, 0);
		o->status = zx_vcpu_write_state(vm.vcpu, ZX_VCPU_STATE, &st, sizeof(st));
	}
	while (o->status == ZX_OK && !o->stop) {
		o->status = zx_vcpu_enter(vm.vcpu, &p);
		if (o->status == ZX_OK && p.guest_io.port == PORT_MARK)
			o->rounds++;
		sched_yield();
	}
	vm_close(&vm);
	return NULL;
}

TEST(other_thread_guest)
{
	struct other o = { 0, 0, ZX_OK };
	struct hs_ctx c;
	pthread_t t;
	int seen = 0;

	NEED_VMX();
	hs_ctx_start(_metadata, &c);
	ASSERT_EQ(0, pthread_create(&t, NULL, other_thread, &o));
	for (time_t end = time(NULL) + 300; time(NULL) < end && o.rounds < 20 &&
	     o.status == ZX_OK;) {
		if (o.rounds != seen) {
			seen = o.rounds;
			HS_CHECK(&c, "beside the other thread's guest");
		}
		sched_yield();
	}
	o.stop = 1;
	pthread_join(t, NULL);
	EXPECT_EQ(ZX_OK, o.status);
	TH_LOG("%d rounds of the other guest, %d checks", o.rounds, c.checks);
	EXPECT_GE(o.rounds, 20);
	EXPECT_GE(c.checks, 5);
	HS_CHECK(&c, "after the other thread's guest");
	hs_ctx_end(&c);
}

TEST(guest_debug_exceptions)
{
	struct hs_ctx c;
	struct vm vm;

	NEED_VMX();
	hs_ctx_start(_metadata, &c);
	VM_START(&vm, g_dbstep);
	for (int round = 0; round < 4; round++) {
		EXPECT_EQ(1u, hs_next_out(_metadata, &c, &vm, PORT_MARK));
		HS_CHECK(&c, "after guest #DBs");
	}
	vm_close(&vm);
	hs_ctx_end(&c);
}

static uint16_t hs_sel(int which)
{
	uint16_t v = 0;

	if (which == 0)
		__asm__ volatile("mov %%ds, %0" : "=r"(v));
	else if (which == 1)
		__asm__ volatile("mov %%es, %0" : "=r"(v));
	else
		__asm__ volatile("mov %%gs, %0" : "=r"(v));
	return v;
}

static void hs_load_sels(uint16_t v)
{
	__asm__ volatile("mov %0, %%ds\n mov %0, %%es\n mov %0, %%gs" : : "r"(v) : "memory");
}

#define HS_USER_DS	0x2b	/* GDT entry 5, RPL 3: Linux's __USER_DS */

TEST(selectors_and_io_bitmap)
{
	static const char *const name[] = { "DS", "ES", "GS" };
	uint16_t after[3][8];
	int outs = 0, bad = -1;
	struct vm vm;

	NEED_VMX();
	if (ioperm(0x80, 1, 1))
		SKIP(return, "ioperm: %s", strerror(errno));
	VM_START(&vm, g_cpuid);
	/* glibc keeps its TLS in FS's base: FS stays as it is. */
	hs_load_sels(HS_USER_DS);
	/* g_cpuid: three CPUIDs, seven OUTs of what they gave, a MARK. */
	for (; outs < 8; outs++) {
		zx_port_packet_t p = { .type = 0 };
		zx_status_t s = zx_vcpu_enter(vm.vcpu, &p);

		for (int i = 0; i < 3; i++)
			after[i][outs] = hs_sel(i);
		/* Faults (SIGSEGV) if TR's limit still hides the I/O bitmap. */
		outb(0, 0x80);
		if (s != ZX_OK || p.type != ZX_PKT_TYPE_GUEST_IO)
			break;
	}
	hs_load_sels(0);
	ioperm(0x80, 1, 0);
	EXPECT_EQ(8, outs);
	for (int o = 0; o < outs && bad < 0; o++)
		for (int i = 0; i < 3; i++)
			if (after[i][o] != HS_USER_DS) {
				TH_LOG("%s is %#x after enter %d", name[i], after[i][o], o);
				bad = o;
			}
	EXPECT_EQ(-1, bad);
	vm_close(&vm);
}

TEST_HARNESS_MAIN
