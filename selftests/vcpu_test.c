// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCPUs through libzx: zx_vcpu_create/enter/kick/interrupt/read_state/
 * write_state (spec §1, §3), each behaviour with a small guest program
 * from vcpu_guest.h (memory layout and port conventions are described
 * there).
 *
 * Where VMX is missing (ZXHV_VM=qemu, or a host whose probe is not READY)
 * every test that needs a guest is skipped; the argument checks that need
 * no guest (options before the handle, BAD_HANDLE, WRONG_TYPE) run
 * everywhere.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * create_options_first          options != 0 -> INVALID_ARGS before the handle
 * create_bad_handle             bogus/closed/INVALID guest -> BAD_HANDLE
 * create_wrong_type             port or VMO as the guest -> WRONG_TYPE
 * calls_bad_handle_wrong_type   enter/kick/interrupt/read/write: BAD_HANDLE, WRONG_TYPE
 * create_rights                 guest without MANAGE_THREAD -> ACCESS_DENIED; with only
 *                               MANAGE_THREAD OK; options still checked first
 * create_entry_range            entry >= 2^48 -> INVALID_ARGS (before the per-thread rule)
 * create_one_per_thread         2nd VCPU on a thread -> BAD_STATE; OK after closing the 1st
 * create_63_limit               63 threads with one VCPU each; the 64th -> NO_RESOURCES;
 *                               a freed VPID can be used again
 * create_default_rights         ZX_INFO_HANDLE_BASIC: type VCPU, ZX_DEFAULT_VCPU_RIGHTS
 * create_bad_out                faulting/NULL out -> INVALID_ARGS, thread not left bound
 * vcpu_outlives_thread          bound thread exited: interrupt/kick/info/close work,
 *                               enter/read/write from others -> BAD_STATE
 * other_thread_bad_state        enter/read_state/write_state from another thread ->
 *                               BAD_STATE; kick/interrupt from another thread work
 * rights                        enter/kick without EXECUTE, interrupt without SIGNAL,
 *                               read without READ, write without WRITE -> ACCESS_DENIED
 * read_state_args               size != 136, unknown kind, ZX_VCPU_IO, bad buffer ->
 *                               INVALID_ARGS; kind before thread, thread before buffer
 * write_state_args              ZX_VCPU_IO access_size 0/3/8, size mismatch, unknown kind,
 *                               bad buffer -> INVALID_ARGS; access_size after the thread
 * state_round_trip              GPRs + RSP written and read back; the rflags rule; the
 *                               guest sees the values; read shows the guest's changes
 * enter_bad_packet              faulting packet pointer -> INVALID_ARGS
 * io_out                        OUT of 1/2/4 bytes (imm and %dx): packet fields, RIP
 *                               advanced, zeroed reserved fields
 * io_in                         IN of 1/2/4 bytes answered by ZX_VCPU_IO; only the low
 *                               bytes change, a 4-byte IN zero-extends RAX
 * io_untrapped                  OUT/IN on an untrapped port -> NOT_FOUND
 * io_string                     OUTSB / REP INSB -> NOT_SUPPORTED
 * mem_trap                      MEM packet: addr, cr3 = 0, rip, instruction_size,
 *                               default_operand_size 4; RIP advanced; load emulated
 * mem_unmapped                  unmapped untrapped GPA (read and write) -> NOT_FOUND
 * bell_trap                     N bell writes: N packets (key, addr) on the port while the
 *                               guest runs on to its next IO exit
 * bell_port_closed              BELL with the port closed -> BAD_STATE, re-entering continues
 * bell_read                     read of a BELL page -> NOT_SUPPORTED
 * memory_shared                 guest writes seen by the host mapping and vice versa
 * hlt_interrupt                 HLT woken by zx_vcpu_interrupt() from another thread
 * kick_sticky_and_info          kick before enter -> CANCELED once, coalescing;
 *                               ZX_INFO_VCPU_FLAG_KICKED while set
 * kick_running                  cross-thread kick of a spinning guest -> CANCELED
 * kick_wakes_hlt                kick ends a HLT with interrupts off -> CANCELED
 * interrupt_priority            NMI first, then the highest vector, one injection drops
 *                               pending exceptions; an exception alone is delivered
 * interrupt_reserved_vector     vectors 21..31 -> enter NOT_SUPPORTED
 * cpuid                         hypervisor + x2APIC bits, no VMX, APIC ID 0, SEP,
 *                               "KVMKVMKVM\0\0\0", 0x40000001 features
 * control_registers             CR0 reads PE|ET|WP|PG (NE hidden), CR4 hides VMXE
 * cr0_cd_nw_gp                  CR0 with CD=0 NW=1 -> #GP(0) in the guest
 * syscall_sysenter              guest's STAR/LSTAR/FMASK and SYSENTER MSRs work and
 *                               survive exits to userspace
 * msr_apic_base                 IA32_APIC_BASE = 0xFEE00D00 on the BSP; write rules
 * msr_unknown_gp                unknown RDMSR/WRMSR -> #GP(0) in the guest
 * fpu_isolation                 guest xmm/ymm and host ymm15 each keep their values
 * compat_and_16bit_code         compatibility mode and a 16-bit segment: IO exits, MEM
 *                               default_operand_size 4 and 2, back to 64-bit
 * ap_real_mode                  an AP starts in real mode at CS.base = entry, IP = 0;
 *                               APIC ID 1, APIC_BASE without the BSP bit
 * triple_fault                  enter returns BAD_STATE; the host and module carry on
 * close_vcpu_while_running      closing the VCPU from another thread ends enter with
 *                               an error
 * close_guest_while_running     guest/VMAR handles closed while running: the VCPU keeps
 *                               the guest alive; a kick ends enter
 * sigkill_during_enter          a child killed in enter dies and is reaped
 * fork_kill_cycles              200 fork + enter + SIGKILL cycles, then guests still run
 * signal_during_enter           a SIGUSR1 handler runs, enter continues; a kick ends it
 * pause_exit                    a PAUSE loop (pause-loop exiting) runs to its end in the
 *                               kernel: enter returns only the guest's next OUT
 * xsetbv                        XCR0 starts x87|SSE|AVX (x87|SSE without AVX); XSETBV of
 *                               x87|SSE is kept and CPUID.(0xD,0).EBX follows XCR0; a bad
 *                               value -> enter INVALID_ARGS, RIP not advanced, no #GP
 * vmcall                        KVM hypercalls: unknown -> -1000; CLOCK_PAIRING fills
 *                               {sec, nsec, tsc, flags} at the GPA; clock type 1 -> -95;
 *                               unmapped GPA -> -14; from CPL 3 -> -1
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "zxhv_vm.h"
#include "zxhv_filter.h"
#include "vcpu_guest.h"
#include "guest_vm.h"

#define BAD_PTR		((void *)8)
#define NOT_A_HANDLE	((zx_handle_t)0x12345678u)
#define KEY_MEM		0x2020u
#define KEY_BELL	0x3030u
#define GPA_LIMIT	(1ull << 48)
#define RFLAGS_USER	0x244DD5u
#define CR0_PE		(1u << 0)
#define CR0_ET		(1u << 4)
#define CR0_NE		(1u << 5)
#define CR0_WP		(1u << 16)
#define CR0_PG		(1u << 31)

#define NEED_VMX() do { if (!have_vmx()) SKIP(return, "no VMX here"); } while (0)

static zx_info_handle_basic_t basic(zx_handle_t h)
{
	zx_info_handle_basic_t info;

	memset(&info, 0, sizeof(info));
	zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL);
	return info;
}

/* A new handle to @h's object with @drop removed from its rights. */
static zx_handle_t without(zx_handle_t h, zx_rights_t drop)
{
	zx_handle_t out = ZX_HANDLE_INVALID;

	zx_handle_duplicate(h, basic(h).rights & ~drop, &out);
	return out;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* --- a guest with memory, traps and (later) a VCPU -------------------------- */

/*
 * A guest with GUEST_MEM_SIZE of memory at GPA 0 (executable), the layout
 * of vcpu_guest.h, @prog copied to GPA_CODE, the IO trap on
 * [PORT_BASE, +PORT_COUNT), a MEM trap page and a BELL trap page (on
 * vm->port).  No VCPU yet.
 */
static zx_status_t vm_create(struct vm *vm, const uint8_t *prog, const uint8_t *prog_end)
{
	zx_status_t s = vm_create_base(vm, prog, prog_end);

	if (s == ZX_OK)
		s = zx_port_create(0, &vm->port);
	if (s == ZX_OK)
		s = zx_guest_set_trap(vm->guest, ZX_GUEST_TRAP_MEM, GPA_MEM_TRAP, 4096,
				      ZX_HANDLE_INVALID, KEY_MEM);
	if (s == ZX_OK)
		s = zx_guest_set_trap(vm->guest, ZX_GUEST_TRAP_BELL, GPA_BELL_TRAP, 4096, vm->port,
				      KEY_BELL);
	if (s != ZX_OK)
		vm_close(vm);
	return s;
}

/* vm_create() and the BSP VCPU on this thread, entry GPA_CODE. */
#define VM_START(vm, prog) do {							\
	NEED_VMX();								\
	ASSERT_EQ(ZX_OK, vm_create(vm, prog, prog##_end));			\
	ASSERT_EQ(ZX_OK, zx_vcpu_create((vm)->guest, 0, GPA_CODE, &(vm)->vcpu));	\
} while (0)

/* Enters; the guest must stop at an OUT to @port of @size bytes: its data. */
static uint32_t next_out(struct __test_metadata *_metadata, struct vm *vm, uint16_t port,
			 uint8_t size, int line)
{
	zx_port_packet_t p;
	zx_status_t s;

	memset(&p, 0xa5, sizeof(p));
	s = zx_vcpu_enter(vm->vcpu, &p);
	if (s != ZX_OK)
		TH_LOG("line %d: zx_vcpu_enter: %s", line, zx_status_get_string(s));
	ASSERT_EQ(ZX_OK, s);
	if (p.type != ZX_PKT_TYPE_GUEST_IO || p.guest_io.port != port ||
	    p.guest_io.access_size != size || p.guest_io.input)
		TH_LOG("line %d: packet type %u port %#x size %u input %d data %#x; want IO OUT "
		       "port %#x size %u", line, p.type, p.guest_io.port, p.guest_io.access_size,
		       p.guest_io.input, p.guest_io.u32, port, size);
	ASSERT_EQ(ZX_PKT_TYPE_GUEST_IO, p.type);
	EXPECT_EQ(KEY_IO, p.key);
	EXPECT_EQ(ZX_OK, p.status);
	ASSERT_EQ(port, p.guest_io.port);
	ASSERT_EQ(size, p.guest_io.access_size);
	ASSERT_FALSE(p.guest_io.input);
	EXPECT_EQ(0u, p.guest_io.reserved0);
	EXPECT_EQ(0u, p.guest_io.reserved1);
	EXPECT_EQ(0u, p.guest_io.reserved2);
	if (size == 1)
		return p.guest_io.u8;
	if (size == 2)
		return p.guest_io.u16;
	return p.guest_io.u32;
}

#define NEXT_OUT(vm, port, size) next_out(_metadata, vm, port, size, __LINE__)
#define NEXT_VALUE(vm) NEXT_OUT(vm, PORT_VALUE, 4)
#define EXPECT_VALUE(vm, v) EXPECT_EQ((uint32_t)(v), NEXT_VALUE(vm))
#define EXPECT_MARK(vm, v) EXPECT_EQ((uint32_t)(v), NEXT_OUT(vm, PORT_MARK, 4))

static zx_status_t enter(struct vm *vm)
{
	zx_port_packet_t p;

	return zx_vcpu_enter(vm->vcpu, &p);
}

static zx_vcpu_state_t read_state(struct vm *vm)
{
	zx_vcpu_state_t st;

	memset(&st, 0xee, sizeof(st));
	zx_vcpu_read_state(vm->vcpu, ZX_VCPU_STATE, &st, sizeof(st));
	return st;
}

/* Runs @fn(@arg) on a new thread and waits for it. */
static void run_on_thread(void *(*fn)(void *), void *arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, fn, arg) == 0)
		pthread_join(t, NULL);
}

/* --- zx_vcpu_create: argument checks that need no guest ----------------------- */

TEST(create_options_first)
{
	zx_handle_t out = ZX_HANDLE_INVALID, p = ZX_HANDLE_INVALID;

	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_create(NOT_A_HANDLE, 1, GPA_CODE, &out));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_create(ZX_HANDLE_INVALID, 0x80000000u, 0, &out));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &p));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_create(p, 1, GPA_CODE, &out));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_create(NOT_A_HANDLE, 1, GPA_LIMIT, BAD_PTR));
	EXPECT_EQ(ZX_HANDLE_INVALID, out);
	zx_handle_close(p);
}

TEST(create_bad_handle)
{
	zx_handle_t out = ZX_HANDLE_INVALID, p = ZX_HANDLE_INVALID;

	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_vcpu_create(NOT_A_HANDLE, 0, GPA_CODE, &out));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_vcpu_create(ZX_HANDLE_INVALID, 0, GPA_CODE, &out));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &p));
	ASSERT_EQ(ZX_OK, zx_handle_close(p));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_vcpu_create(p, 0, GPA_CODE, &out));
	/* The handle is looked up before the entry and the out pointer. */
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_vcpu_create(NOT_A_HANDLE, 0, GPA_LIMIT, BAD_PTR));
	EXPECT_EQ(ZX_HANDLE_INVALID, out);
}

TEST(create_wrong_type)
{
	zx_handle_t out = ZX_HANDLE_INVALID, p = ZX_HANDLE_INVALID, v = ZX_HANDLE_INVALID;

	ASSERT_EQ(ZX_OK, zx_port_create(0, &p));
	ASSERT_EQ(ZX_OK, zx_vmo_create(4096, 0, &v));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE, zx_vcpu_create(p, 0, GPA_CODE, &out));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE, zx_vcpu_create(v, 0, GPA_CODE, &out));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE, zx_vcpu_create(p, 0, GPA_LIMIT, BAD_PTR));
	EXPECT_EQ(ZX_HANDLE_INVALID, out);
	zx_handle_close(p);
	zx_handle_close(v);
}

/* The other VCPU calls: BAD_HANDLE and WRONG_TYPE come before anything else. */
TEST(calls_bad_handle_wrong_type)
{
	zx_handle_t p = ZX_HANDLE_INVALID;
	zx_handle_t bad[] = { NOT_A_HANDLE, ZX_HANDLE_INVALID, 0 };
	zx_status_t want[] = { ZX_ERR_BAD_HANDLE, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE };
	zx_vcpu_state_t st;
	zx_vcpu_io_t io;
	zx_port_packet_t pkt;

	ASSERT_EQ(ZX_OK, zx_port_create(0, &p));
	bad[2] = p;
	memset(&st, 0, sizeof(st));
	memset(&io, 0, sizeof(io));
	io.access_size = 1;
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(want[i], zx_vcpu_enter(bad[i], &pkt));
		EXPECT_EQ(want[i], zx_vcpu_resume(bad[i], &pkt));
		EXPECT_EQ(want[i], zx_vcpu_kick(bad[i]));
		EXPECT_EQ(want[i], zx_vcpu_interrupt(bad[i], 32));
		EXPECT_EQ(want[i], zx_vcpu_read_state(bad[i], ZX_VCPU_STATE, &st, sizeof(st)));
		EXPECT_EQ(want[i], zx_vcpu_write_state(bad[i], ZX_VCPU_STATE, &st, sizeof(st)));
		EXPECT_EQ(want[i], zx_vcpu_write_state(bad[i], ZX_VCPU_IO, &io, sizeof(io)));
	}
	zx_handle_close(p);
}

/* --- zx_vcpu_create with a guest ------------------------------------------------ */

TEST(create_rights)
{
	zx_handle_t g, out = ZX_HANDLE_INVALID;
	struct vm vm;

	NEED_VMX();
	ASSERT_EQ(ZX_OK, vm_create(&vm, g_spin, g_spin_end));
	/*
	 * The default guest rights hold MANAGE_THREAD only; rights only ever
	 * shrink, so a handle with MANAGE_PROCESS and not MANAGE_THREAD cannot
	 * be made through the API.  Without both: ACCESS_DENIED.
	 */
	EXPECT_EQ(0u, basic(vm.guest).rights & ZX_RIGHT_MANAGE_PROCESS);
	g = without(vm.guest, ZX_RIGHT_MANAGE_THREAD | ZX_RIGHT_MANAGE_PROCESS);
	ASSERT_NE(ZX_HANDLE_INVALID, g);
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vcpu_create(g, 0, GPA_CODE, &out));
	/* options are checked before the rights. */
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_create(g, 1, GPA_CODE, &out));
	/* Rights are checked before the entry. */
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vcpu_create(g, 0, GPA_LIMIT, &out));
	EXPECT_EQ(ZX_HANDLE_INVALID, out);
	zx_handle_close(g);
	/* MANAGE_THREAD is the only right needed. */
	g = ZX_HANDLE_INVALID;
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(vm.guest, ZX_RIGHT_MANAGE_THREAD, &g));
	EXPECT_EQ(ZX_OK, zx_vcpu_create(g, 0, GPA_CODE, &out));
	EXPECT_EQ(ZX_OBJ_TYPE_VCPU, basic(out).type);
	zx_handle_close(out);
	zx_handle_close(g);
	vm_close(&vm);
}

TEST(create_entry_range)
{
	zx_handle_t out = ZX_HANDLE_INVALID;
	struct vm vm;

	NEED_VMX();
	ASSERT_EQ(ZX_OK, vm_create(&vm, g_spin, g_spin_end));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_create(vm.guest, 0, GPA_LIMIT, &out));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_create(vm.guest, 0, UINT64_MAX, &out));
	EXPECT_EQ(ZX_HANDLE_INVALID, out);
	/* The largest entry is fine (never entered). */
	ASSERT_EQ(ZX_OK, zx_vcpu_create(vm.guest, 0, GPA_LIMIT - 16, &vm.vcpu));
	/* The entry check comes before the one-VCPU-per-thread check. */
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_create(vm.guest, 0, GPA_LIMIT, &out));
	EXPECT_EQ(ZX_ERR_BAD_STATE, zx_vcpu_create(vm.guest, 0, GPA_CODE, &out));
	EXPECT_EQ(ZX_HANDLE_INVALID, out);
	vm_close(&vm);
}

TEST(create_one_per_thread)
{
	zx_handle_t a = ZX_HANDLE_INVALID, b = ZX_HANDLE_INVALID;
	struct vm vm, other;

	NEED_VMX();
	ASSERT_EQ(ZX_OK, vm_create(&vm, g_done, g_done_end));
	ASSERT_EQ(ZX_OK, vm_create(&other, g_done, g_done_end));
	ASSERT_EQ(ZX_OK, zx_vcpu_create(vm.guest, 0, GPA_CODE, &a));
	EXPECT_EQ(ZX_ERR_BAD_STATE, zx_vcpu_create(vm.guest, 0, GPA_CODE, &b));
	/* Per thread, not per guest. */
	EXPECT_EQ(ZX_ERR_BAD_STATE, zx_vcpu_create(other.guest, 0, GPA_CODE, &b));
	EXPECT_EQ(ZX_HANDLE_INVALID, b);
	/* A duplicate keeps the VCPU (and the binding) alive. */
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(a, ZX_RIGHT_SAME_RIGHTS, &b));
	ASSERT_EQ(ZX_OK, zx_handle_close(a));
	EXPECT_EQ(ZX_ERR_BAD_STATE, zx_vcpu_create(vm.guest, 0, GPA_CODE, &a));
	ASSERT_EQ(ZX_OK, zx_handle_close(b));
	/*
	 * Destroyed: the thread may create another, and it runs.  A fresh
	 * guest: the refused creates above used (and released) VPID 1 of the
	 * other two, whose allocators rotate, so their next VCPU is an AP.
	 */
	vm_close(&other);
	ASSERT_EQ(ZX_OK, vm_create(&other, g_done, g_done_end));
	ASSERT_EQ(ZX_OK, zx_vcpu_create(other.guest, 0, GPA_CODE, &other.vcpu));
	EXPECT_MARK(&other, 0x600d);
	vm_close(&other);
	/*
	 * Again on the first guest: its VPID allocator rotates, so this VCPU
	 * gets VPID 2, an AP that starts in real mode; creating it is the test.
	 */
	ASSERT_EQ(ZX_OK, zx_vcpu_create(vm.guest, 0, GPA_CODE, &vm.vcpu));
	vm_close(&vm);
}

struct create_arg {
	zx_handle_t guest;
	zx_vaddr_t entry;
	zx_handle_t vcpu;
	zx_status_t status;
};

static void *create_thread(void *p)
{
	struct create_arg *a = p;

	a->vcpu = ZX_HANDLE_INVALID;
	a->status = zx_vcpu_create(a->guest, 0, a->entry, &a->vcpu);
	return NULL;
}

TEST(create_63_limit)
{
	struct create_arg a[65];
	struct vm vm, other;

	NEED_VMX();
	ASSERT_EQ(ZX_OK, vm_create(&vm, g_spin, g_spin_end));
	for (int i = 0; i < 65; i++) {
		a[i].guest = vm.guest;
		a[i].entry = GPA_CODE;
	}
	for (int i = 0; i < 63; i++) {
		run_on_thread(create_thread, &a[i]);
		if (a[i].status != ZX_OK)
			TH_LOG("VCPU %d: %s", i, zx_status_get_string(a[i].status));
		ASSERT_EQ(ZX_OK, a[i].status);
	}
	run_on_thread(create_thread, &a[63]);
	EXPECT_EQ(ZX_ERR_NO_RESOURCES, a[63].status);
	EXPECT_EQ(ZX_HANDLE_INVALID, a[63].vcpu);
	/* VPIDs are checked before the entry (spec §1 order). */
	a[63].entry = GPA_LIMIT;
	run_on_thread(create_thread, &a[63]);
	EXPECT_EQ(ZX_ERR_NO_RESOURCES, a[63].status);
	/* Another guest has its own 63. */
	ASSERT_EQ(ZX_OK, vm_create(&other, g_spin, g_spin_end));
	a[64].guest = other.guest;
	a[64].entry = GPA_CODE;
	run_on_thread(create_thread, &a[64]);
	EXPECT_EQ(ZX_OK, a[64].status);
	zx_handle_close(a[64].vcpu);
	vm_close(&other);
	/* A freed VPID serves again. */
	ASSERT_EQ(ZX_OK, zx_handle_close(a[10].vcpu));
	a[64].guest = vm.guest;
	run_on_thread(create_thread, &a[64]);
	EXPECT_EQ(ZX_OK, a[64].status);
	a[10].vcpu = a[64].vcpu;
	for (int i = 0; i < 63; i++)
		EXPECT_EQ(ZX_OK, zx_handle_close(a[i].vcpu));
	vm_close(&vm);
}

TEST(create_default_rights)
{
	zx_info_handle_basic_t info, ginfo;
	struct vm vm;

	VM_START(&vm, g_spin);
	info = basic(vm.vcpu);
	ginfo = basic(vm.guest);
	EXPECT_EQ(ZX_OBJ_TYPE_VCPU, info.type);
	EXPECT_EQ(ZX_DEFAULT_VCPU_RIGHTS, info.rights);
	EXPECT_EQ(0xD01Fu, info.rights);
	EXPECT_NE(0u, info.koid);
	EXPECT_NE(ginfo.koid, info.koid);
	vm_close(&vm);
}

TEST(create_bad_out)
{
	struct vm vm;

	NEED_VMX();
	ASSERT_EQ(ZX_OK, vm_create(&vm, g_done, g_done_end));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_create(vm.guest, 0, GPA_CODE, BAD_PTR));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_create(vm.guest, 0, GPA_CODE, NULL));
	/*
	 * Nothing was left bound to this thread.  The failed calls used VPIDs
	 * 1 and 2 and freed them; the allocator rotates, so this VCPU is an
	 * AP (real mode) and is not run.
	 */
	ASSERT_EQ(ZX_OK, zx_vcpu_create(vm.guest, 0, GPA_CODE, &vm.vcpu));
	vm_close(&vm);
}

/* --- thread binding and rights ----------------------------------------------------- */

struct other_arg {
	zx_handle_t vcpu;
	zx_status_t enter, read, write, write_io, kick, interrupt;
	zx_status_t read_bad_kind, read_bad_buf, write_bad_io_size;
};

static void *other_thread(void *p)
{
	struct other_arg *a = p;
	zx_port_packet_t pkt;
	zx_vcpu_state_t st;
	zx_vcpu_io_t io;

	memset(&st, 0, sizeof(st));
	memset(&io, 0, sizeof(io));
	io.access_size = 1;
	a->enter = zx_vcpu_enter(a->vcpu, &pkt);
	a->read = zx_vcpu_read_state(a->vcpu, ZX_VCPU_STATE, &st, sizeof(st));
	a->write = zx_vcpu_write_state(a->vcpu, ZX_VCPU_STATE, &st, sizeof(st));
	a->write_io = zx_vcpu_write_state(a->vcpu, ZX_VCPU_IO, &io, sizeof(io));
	/* Argument checks before the thread check; the buffer after it. */
	a->read_bad_kind = zx_vcpu_read_state(a->vcpu, 7, &st, sizeof(st));
	a->read_bad_buf = zx_vcpu_read_state(a->vcpu, ZX_VCPU_STATE, BAD_PTR, sizeof(st));
	io.access_size = 3;
	a->write_bad_io_size = zx_vcpu_write_state(a->vcpu, ZX_VCPU_IO, &io, sizeof(io));
	a->kick = zx_vcpu_kick(a->vcpu);
	a->interrupt = zx_vcpu_interrupt(a->vcpu, 32);
	return NULL;
}

TEST(other_thread_bad_state)
{
	struct other_arg a;
	zx_info_vcpu_t info;
	struct vm vm;

	VM_START(&vm, g_done);
	memset(&a, 0, sizeof(a));
	a.vcpu = vm.vcpu;
	run_on_thread(other_thread, &a);
	EXPECT_EQ(ZX_ERR_BAD_STATE, a.enter);
	EXPECT_EQ(ZX_ERR_BAD_STATE, a.read);
	EXPECT_EQ(ZX_ERR_BAD_STATE, a.write);
	EXPECT_EQ(ZX_ERR_BAD_STATE, a.write_io);
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, a.read_bad_kind);
	EXPECT_EQ(ZX_ERR_BAD_STATE, a.read_bad_buf);
	EXPECT_EQ(ZX_ERR_BAD_STATE, a.write_bad_io_size);
	EXPECT_EQ(ZX_OK, a.kick);
	EXPECT_EQ(ZX_OK, a.interrupt);
	/* The other thread's kick is pending here. */
	memset(&info, 0, sizeof(info));
	EXPECT_EQ(ZX_OK, zx_object_get_info(vm.vcpu, ZX_INFO_VCPU, &info, sizeof(info), NULL,
					    NULL));
	EXPECT_EQ(ZX_INFO_VCPU_FLAG_KICKED, info.flags);
	EXPECT_EQ(ZX_ERR_CANCELED, enter(&vm));
	vm_close(&vm);
}

TEST(vcpu_outlives_thread)
{
	struct create_arg c;
	struct other_arg a;
	zx_info_vcpu_t info;
	struct vm vm;

	NEED_VMX();
	ASSERT_EQ(ZX_OK, vm_create(&vm, g_spin, g_spin_end));
	c.guest = vm.guest;
	c.entry = GPA_CODE;
	run_on_thread(create_thread, &c);
	ASSERT_EQ(ZX_OK, c.status);
	/* Its thread is gone: no thread is bound, this one is not it. */
	memset(&a, 0, sizeof(a));
	a.vcpu = c.vcpu;
	other_thread(&a);
	EXPECT_EQ(ZX_ERR_BAD_STATE, a.enter);
	EXPECT_EQ(ZX_ERR_BAD_STATE, a.read);
	EXPECT_EQ(ZX_ERR_BAD_STATE, a.write);
	EXPECT_EQ(ZX_OK, a.kick);
	EXPECT_EQ(ZX_OK, a.interrupt);
	memset(&info, 0, sizeof(info));
	EXPECT_EQ(ZX_OK, zx_object_get_info(c.vcpu, ZX_INFO_VCPU, &info, sizeof(info), NULL,
					    NULL));
	EXPECT_EQ(ZX_INFO_VCPU_FLAG_KICKED, info.flags);
	EXPECT_EQ(ZX_OK, zx_handle_close(c.vcpu));
	/* This thread never had a VCPU: it can create one. */
	ASSERT_EQ(ZX_OK, zx_vcpu_create(vm.guest, 0, GPA_CODE, &vm.vcpu));
	vm_close(&vm);
}

TEST(rights)
{
	zx_handle_t h;
	zx_port_packet_t pkt;
	zx_vcpu_state_t st;
	zx_vcpu_io_t io;
	struct vm vm;

	VM_START(&vm, g_done);
	memset(&st, 0, sizeof(st));
	memset(&io, 0, sizeof(io));
	io.access_size = 1;
	h = without(vm.vcpu, ZX_RIGHT_EXECUTE);
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vcpu_enter(h, &pkt));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vcpu_kick(h));
	EXPECT_EQ(ZX_OK, zx_vcpu_interrupt(h, 32));
	zx_handle_close(h);
	h = without(vm.vcpu, ZX_RIGHT_SIGNAL);
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vcpu_interrupt(h, 32));
	zx_handle_close(h);
	h = without(vm.vcpu, ZX_RIGHT_READ);
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vcpu_read_state(h, ZX_VCPU_STATE, &st, sizeof(st)));
	/* The right is checked before the arguments. */
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vcpu_read_state(h, 7, &st, 1));
	EXPECT_EQ(ZX_OK, zx_vcpu_write_state(h, ZX_VCPU_STATE, &st, sizeof(st)));
	zx_handle_close(h);
	h = without(vm.vcpu, ZX_RIGHT_WRITE);
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vcpu_write_state(h, ZX_VCPU_STATE, &st, sizeof(st)));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vcpu_write_state(h, ZX_VCPU_IO, &io, sizeof(io)));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vcpu_write_state(h, 7, &st, 1));
	EXPECT_EQ(ZX_OK, zx_vcpu_read_state(h, ZX_VCPU_STATE, &st, sizeof(st)));
	zx_handle_close(h);
	/* With every right the VCPU still runs normally. */
	EXPECT_MARK(&vm, 0x600d);
	vm_close(&vm);
}

TEST(read_state_args)
{
	uint8_t buf[sizeof(zx_vcpu_state_t) + 8];
	struct vm vm;

	VM_START(&vm, g_spin);
	EXPECT_EQ(136u, sizeof(zx_vcpu_state_t));
	EXPECT_EQ(ZX_OK, zx_vcpu_read_state(vm.vcpu, ZX_VCPU_STATE, buf, 136));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_read_state(vm.vcpu, ZX_VCPU_STATE, buf, 135));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_read_state(vm.vcpu, ZX_VCPU_STATE, buf, 137));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_read_state(vm.vcpu, ZX_VCPU_STATE, buf, 0));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_read_state(vm.vcpu, ZX_VCPU_IO, buf, 136));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_read_state(vm.vcpu, ZX_VCPU_IO, buf,
							  sizeof(zx_vcpu_io_t)));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_read_state(vm.vcpu, 2, buf, 136));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_read_state(vm.vcpu, 0xffffffffu, buf, 136));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_read_state(vm.vcpu, ZX_VCPU_STATE, BAD_PTR, 136));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_read_state(vm.vcpu, ZX_VCPU_STATE, NULL, 136));
	vm_close(&vm);
}

TEST(write_state_args)
{
	zx_vcpu_state_t st;
	zx_vcpu_io_t io;
	uint8_t sizes[] = { 0, 3, 8, 5, 255 };
	struct vm vm;

	VM_START(&vm, g_spin);
	memset(&st, 0, sizeof(st));
	memset(&io, 0, sizeof(io));
	for (size_t i = 0; i < sizeof(sizes); i++) {
		io.access_size = sizes[i];
		EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_write_state(vm.vcpu, ZX_VCPU_IO, &io,
								   sizeof(io)));
	}
	io.access_size = 1;
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_write_state(vm.vcpu, ZX_VCPU_IO, &io, 4));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_write_state(vm.vcpu, ZX_VCPU_IO, &st, sizeof(st)));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_write_state(vm.vcpu, ZX_VCPU_IO, BAD_PTR,
							   sizeof(io)));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_write_state(vm.vcpu, ZX_VCPU_STATE, &st, 135));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_write_state(vm.vcpu, ZX_VCPU_STATE, &io,
							   sizeof(io)));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_write_state(vm.vcpu, ZX_VCPU_STATE, BAD_PTR,
							   sizeof(st)));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_write_state(vm.vcpu, 2, &st, sizeof(st)));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_write_state(vm.vcpu, 0xffffffffu, &io, sizeof(io)));
	vm_close(&vm);
}

TEST(state_round_trip)
{
	zx_vcpu_state_t st, got;
	uint64_t *w = (uint64_t *)&st;
	struct vm vm;

	VM_START(&vm, g_state);
	/* Fresh BSP: GPRs and RSP 0, RFLAGS 0x2 (reads 0 through the mask). */
	got = read_state(&vm);
	for (int i = 0; i < 16; i++)
		EXPECT_EQ(0u, ((uint64_t *)&got)[i]);
	EXPECT_EQ(0u, got.rflags);

	for (int i = 0; i < 16; i++)
		w[i] = 0x0101010101010101ull * (i + 1) + i;
	st.rsp = STACK_TOP;
	st.rflags = 0;
	ASSERT_EQ(ZX_OK, zx_vcpu_write_state(vm.vcpu, ZX_VCPU_STATE, &st, sizeof(st)));
	got = read_state(&vm);
	EXPECT_EQ(0, memcmp(&st, &got, 16 * 8));
	EXPECT_EQ(0u, got.rflags);	/* rflags 0: unchanged */

	/* Bit 1 set: only the user bits are merged (IF is not one). */
	st.rflags = 0x240CC5u | 0x200u | 0x2u;
	ASSERT_EQ(ZX_OK, zx_vcpu_write_state(vm.vcpu, ZX_VCPU_STATE, &st, sizeof(st)));
	EXPECT_EQ(0x240CC5u, read_state(&vm).rflags);
	/* Bit 1 clear: ignored. */
	st.rflags = 0x1u;
	ASSERT_EQ(ZX_OK, zx_vcpu_write_state(vm.vcpu, ZX_VCPU_STATE, &st, sizeof(st)));
	got = read_state(&vm);
	EXPECT_EQ(0x240CC5u, got.rflags);
	EXPECT_EQ(0u, got.rflags & ~(uint64_t)RFLAGS_USER);

	/* The guest sees them. */
	EXPECT_VALUE(&vm, (uint32_t)st.rax);
	EXPECT_VALUE(&vm, (uint32_t)st.rbx);
	EXPECT_VALUE(&vm, (uint32_t)(st.r15 >> 32));
	EXPECT_VALUE(&vm, 0x240CC5u | 0x2u);	/* IF stayed clear */
	EXPECT_VALUE(&vm, STACK_TOP);
	EXPECT_VALUE(&vm, (uint32_t)st.rdi);
	EXPECT_MARK(&vm, 0x55);
	/* And the host sees the guest's changes. */
	got = read_state(&vm);
	EXPECT_EQ(0x7777777777ull, got.r9);
	EXPECT_EQ(0x55u, got.rax);
	EXPECT_EQ(st.rbx, got.rbx);
	EXPECT_EQ(st.r15, got.r15);
	EXPECT_EQ((uint64_t)STACK_TOP, got.rsp);
	vm_close(&vm);
}

TEST(enter_bad_packet)
{
	struct vm vm;

	VM_START(&vm, g_io_out);
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vcpu_enter(vm.vcpu, BAD_PTR));
	vm_close(&vm);
}

/* --- IO ------------------------------------------------------------------------ */

TEST(io_out)
{
	struct vm vm;

	VM_START(&vm, g_io_out);
	EXPECT_EQ(0x78u, NEXT_OUT(&vm, 0x10, 1));
	EXPECT_EQ(0x5678u, NEXT_OUT(&vm, 0x12, 2));
	EXPECT_EQ(0x12345678u, NEXT_OUT(&vm, 0x14, 4));
	EXPECT_EQ(0xf0u, NEXT_OUT(&vm, 0x16, 1));
	EXPECT_EQ(0xdef0u, NEXT_OUT(&vm, 0x16, 2));
	EXPECT_EQ(0x9abcdef0u, NEXT_OUT(&vm, 0x16, 4));
	EXPECT_MARK(&vm, 0xd0);
	vm_close(&vm);
}

/* Enters; the guest must stop at an IN from @port of @size bytes. */
static void expect_in(struct __test_metadata *_metadata, struct vm *vm, uint16_t port,
		      uint8_t size, uint32_t answer)
{
	zx_port_packet_t p;
	zx_vcpu_io_t io;

	memset(&p, 0xa5, sizeof(p));
	ASSERT_EQ(ZX_OK, zx_vcpu_enter(vm->vcpu, &p));
	ASSERT_EQ(ZX_PKT_TYPE_GUEST_IO, p.type);
	EXPECT_EQ(KEY_IO, p.key);
	EXPECT_EQ(port, p.guest_io.port);
	EXPECT_EQ(size, p.guest_io.access_size);
	EXPECT_TRUE(p.guest_io.input);
	memset(&io, 0, sizeof(io));
	io.access_size = size;
	io.u32 = answer;
	ASSERT_EQ(ZX_OK, zx_vcpu_write_state(vm->vcpu, ZX_VCPU_IO, &io, sizeof(io)));
}

TEST(io_in)
{
	struct vm vm;

	VM_START(&vm, g_io_in);
	expect_in(_metadata, &vm, 0x10, 1, 0xab);
	EXPECT_EQ(0x556677abu, NEXT_OUT(&vm, 0x18, 4));
	EXPECT_EQ(0x11223344556677abull, read_state(&vm).rax);
	expect_in(_metadata, &vm, 0x12, 2, 0xabcd);
	EXPECT_EQ(0x5566abcdu, NEXT_OUT(&vm, 0x18, 4));
	EXPECT_EQ(0x112233445566abcdull, read_state(&vm).rax);
	expect_in(_metadata, &vm, 0x14, 4, 0xdeadbeef);
	EXPECT_EQ(0xdeadbeefu, NEXT_OUT(&vm, 0x18, 4));
	EXPECT_EQ(0xdeadbeefull, read_state(&vm).rax);
	expect_in(_metadata, &vm, 0x16, 4, 0xfeedf00d);
	EXPECT_EQ(0xfeedf00du, NEXT_OUT(&vm, 0x18, 4));
	EXPECT_EQ(0xfeedf00dull, read_state(&vm).rax);
	EXPECT_MARK(&vm, 0xd1);
	vm_close(&vm);
}

/* A fresh guest running @prog: zx_vcpu_enter() must return @want. */
static void expect_enter_fails(struct __test_metadata *_metadata, const uint8_t *prog,
			       const uint8_t *end, zx_status_t want, const char *what)
{
	struct vm vm;
	zx_status_t s;

	ASSERT_EQ(ZX_OK, vm_create(&vm, prog, end));
	ASSERT_EQ(ZX_OK, zx_vcpu_create(vm.guest, 0, GPA_CODE, &vm.vcpu));
	s = enter(&vm);
	if (s != want)
		TH_LOG("%s: zx_vcpu_enter: %s, want %s", what, zx_status_get_string(s),
		       zx_status_get_string(want));
	EXPECT_EQ(want, s);
	vm_close(&vm);
}

#define EXPECT_ENTER_FAILS(prog, want) \
	expect_enter_fails(_metadata, prog, prog##_end, want, #prog)

TEST(io_untrapped)
{
	NEED_VMX();
	EXPECT_ENTER_FAILS(g_out_untrapped, ZX_ERR_NOT_FOUND);
	EXPECT_ENTER_FAILS(g_in_untrapped, ZX_ERR_NOT_FOUND);
}

TEST(io_string)
{
	NEED_VMX();
	EXPECT_ENTER_FAILS(g_outsb, ZX_ERR_NOT_SUPPORTED);
	EXPECT_ENTER_FAILS(g_rep_insb, ZX_ERR_NOT_SUPPORTED);
}

/* --- memory traps --------------------------------------------------------------- */

/* Enters; the guest must stop at a MEM trap access of @addr by [start, end). */
static void expect_mem(struct __test_metadata *_metadata, struct vm *vm, uint64_t addr,
		       uint64_t start, uint64_t end, uint8_t operand_size)
{
	zx_port_packet_t p;

	memset(&p, 0xa5, sizeof(p));
	ASSERT_EQ(ZX_OK, zx_vcpu_enter(vm->vcpu, &p));
	if (p.type != ZX_PKT_TYPE_GUEST_MEM)
		TH_LOG("packet type %u (port %#x), want GUEST_MEM at %#lx", p.type,
		       p.guest_io.port, (unsigned long)addr);
	ASSERT_EQ(ZX_PKT_TYPE_GUEST_MEM, p.type);
	EXPECT_EQ(KEY_MEM, p.key);
	EXPECT_EQ(ZX_OK, p.status);
	EXPECT_EQ(addr, p.guest_mem.addr);
	EXPECT_EQ(0u, p.guest_mem.cr3);
	EXPECT_EQ(start, p.guest_mem.rip);
	EXPECT_EQ(end - start, p.guest_mem.instruction_size);
	EXPECT_EQ(operand_size, p.guest_mem.default_operand_size);
	for (int i = 0; i < 6; i++)
		EXPECT_EQ(0, p.guest_mem.reserved[i]);
}

TEST(mem_trap)
{
	zx_vcpu_state_t st;
	uint32_t a, b;
	struct vm vm;

	VM_START(&vm, g_mem);
	/* A 4-byte store (rip and instruction size reported by the guest first). */
	a = NEXT_VALUE(&vm);
	b = NEXT_VALUE(&vm);
	expect_mem(_metadata, &vm, GPA_MEM_TRAP + 0x10, a, b, 4);
	/* A load into %ebx: the VMM supplies the value; RIP is already past it. */
	a = NEXT_VALUE(&vm);
	b = NEXT_VALUE(&vm);
	expect_mem(_metadata, &vm, GPA_MEM_TRAP + 0x20, a, b, 4);
	st = read_state(&vm);
	st.rbx = 0x5678;
	st.rflags = 0;
	ASSERT_EQ(ZX_OK, zx_vcpu_write_state(vm.vcpu, ZX_VCPU_STATE, &st, sizeof(st)));
	EXPECT_VALUE(&vm, 0x5678);
	/* An 8-byte store: REX.W does not change the default operand size. */
	a = NEXT_VALUE(&vm);
	b = NEXT_VALUE(&vm);
	expect_mem(_metadata, &vm, GPA_MEM_TRAP + 0xff8, a, b, 4);
	EXPECT_MARK(&vm, 0xd2);
	vm_close(&vm);
}

TEST(mem_unmapped)
{
	NEED_VMX();
	EXPECT_ENTER_FAILS(g_read_unmapped, ZX_ERR_NOT_FOUND);
	EXPECT_ENTER_FAILS(g_write_unmapped, ZX_ERR_NOT_FOUND);
}

TEST(bell_trap)
{
	zx_port_packet_t p;
	struct vm vm;

	VM_START(&vm, g_bell);
	/* The guest ran through all the bell writes to its OUT. */
	EXPECT_MARK(&vm, BELL_WRITES);
	for (int i = 0; i < BELL_WRITES; i++) {
		memset(&p, 0xa5, sizeof(p));
		ASSERT_EQ(ZX_OK, zx_port_wait(vm.port, 0, &p));
		EXPECT_EQ(ZX_PKT_TYPE_GUEST_BELL, p.type);
		EXPECT_EQ(KEY_BELL, p.key);
		EXPECT_EQ(ZX_OK, p.status);
		EXPECT_EQ(GPA_BELL_TRAP + 8u * i, p.guest_bell.addr);
		EXPECT_EQ(0u, p.guest_bell.reserved0);
	}
	EXPECT_EQ(ZX_ERR_TIMED_OUT, zx_port_wait(vm.port, 0, &p));
	vm_close(&vm);
}

TEST(bell_port_closed)
{
	struct vm vm;

	VM_START(&vm, g_bell_once);
	ASSERT_EQ(ZX_OK, zx_handle_close(vm.port));
	vm.port = ZX_HANDLE_INVALID;
	EXPECT_EQ(ZX_ERR_BAD_STATE, enter(&vm));
	/* RIP was advanced past the write: re-entering continues. */
	EXPECT_MARK(&vm, 0xb0);
	vm_close(&vm);
}

TEST(bell_read)
{
	NEED_VMX();
	EXPECT_ENTER_FAILS(g_read_bell, ZX_ERR_NOT_SUPPORTED);
}

TEST(memory_shared)
{
	uint32_t v = 0xcafebabe;
	uint64_t q = 0;
	struct vm vm;

	VM_START(&vm, g_memory);
	memcpy(vm.mem + GPA_DATA, &v, 4);
	EXPECT_VALUE(&vm, 0xcafebabe);
	EXPECT_MARK(&vm, 1);
	memcpy(&v, vm.mem + GPA_DATA + 0xc, 4);
	EXPECT_EQ(0x12345678u, v);
	for (int i = 0; i < 4096; i++)
		if (vm.mem[0x7000 + i] != 0x5a)
			ASSERT_EQ(0x5a, vm.mem[0x7000 + i]);
	memcpy(&q, vm.mem + 0x150000, 8);
	EXPECT_EQ(0x1122334455667788ull, q);
	/* Written by the host after the guest touched the page. */
	v = 0xfeedf00d;
	memcpy(vm.mem + GPA_DATA + 0x10, &v, 4);
	EXPECT_VALUE(&vm, 0xfeedf00d);
	EXPECT_MARK(&vm, 2);
	vm_close(&vm);
}

/* --- HLT, interrupts, kicks ------------------------------------------------------ */

struct later {
	zx_handle_t vcpu;
	long delay_ms;
	int what;		/* 0: kick, 1: interrupt @vector, 2: close */
	uint32_t vector;
	zx_status_t status;
	pthread_t thread;
};

static void *later_thread(void *p)
{
	struct later *l = p;

	sleep_ms(l->delay_ms);
	if (l->what == 0)
		l->status = zx_vcpu_kick(l->vcpu);
	else if (l->what == 1)
		l->status = zx_vcpu_interrupt(l->vcpu, l->vector);
	else
		l->status = zx_handle_close(l->vcpu);
	return NULL;
}

/* Starts a thread that does @what to @vcpu after @delay_ms. */
static int later(struct later *l, zx_handle_t vcpu, int what, uint32_t vector, long delay_ms)
{
	l->vcpu = vcpu;
	l->what = what;
	l->vector = vector;
	l->delay_ms = delay_ms;
	l->status = ZX_ERR_INTERNAL;
	return pthread_create(&l->thread, NULL, later_thread, l);
}

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

static uint32_t vcpu_flags(zx_handle_t vcpu)
{
	zx_info_vcpu_t info;
	size_t actual = 0, avail = 0;

	memset(&info, 0xff, sizeof(info));
	if (zx_object_get_info(vcpu, ZX_INFO_VCPU, &info, sizeof(info), &actual, &avail) != ZX_OK)
		return 0xdead;
	return info.flags;
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
 * Spec §4 item 5: NMI first, then the highest pending vector; external
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

/* --- CPUID, control registers, MSRs ------------------------------------------------ */

TEST(cpuid)
{
	uint32_t ecx, ebx, edx, sig[3];
	struct vm vm;

	VM_START(&vm, g_cpuid);
	ecx = NEXT_VALUE(&vm);
	ebx = NEXT_VALUE(&vm);
	edx = NEXT_VALUE(&vm);
	EXPECT_NE(0u, ecx & (1u << 31));	/* hypervisor */
	EXPECT_NE(0u, ecx & (1u << 21));	/* x2APIC */
	EXPECT_EQ(0u, ecx & (1u << 5));		/* VMX */
	EXPECT_EQ(0u, ecx & (1u << 3));		/* MONITOR */
	EXPECT_EQ(0u, ebx >> 24);		/* APIC ID of the BSP */
	EXPECT_NE(0u, edx & (1u << 11));	/* SEP */
	EXPECT_EQ(0x40000001u, NEXT_VALUE(&vm));
	sig[0] = NEXT_VALUE(&vm);
	sig[1] = NEXT_VALUE(&vm);
	sig[2] = NEXT_VALUE(&vm);
	EXPECT_EQ(0, memcmp(sig, "KVMKVMKVM\0\0\0", 12));
	EXPECT_EQ((1u << 0) | (1u << 1) | (1u << 3), NEXT_VALUE(&vm));
	EXPECT_MARK(&vm, 0xc1);
	vm_close(&vm);
}

TEST(control_registers)
{
	uint32_t cr4;
	struct vm vm;

	VM_START(&vm, g_cr);
	EXPECT_EQ(CR0_PE | CR0_ET | CR0_WP | CR0_PG, NEXT_VALUE(&vm));
	cr4 = NEXT_VALUE(&vm);
	EXPECT_EQ(0u, cr4 & (1u << 13));	/* VMXE hidden */
	EXPECT_NE(0u, cr4 & (1u << 5));		/* PAE */
	EXPECT_EQ(CR0_PE | CR0_ET | CR0_WP | CR0_PG, NEXT_VALUE(&vm));
	EXPECT_MARK(&vm, 0xc0);
	vm_close(&vm);
}

TEST(cr0_cd_nw_gp)
{
	struct vm vm;

	VM_START(&vm, g_cr0_gp);
	EXPECT_EQ(0u, NEXT_OUT(&vm, PORT_GP, 4));	/* #GP(0) */
	EXPECT_EQ(CR0_PE | CR0_ET | CR0_WP | CR0_PG, NEXT_VALUE(&vm));
	EXPECT_MARK(&vm, 0xc2);
	vm_close(&vm);
}

TEST(syscall_sysenter)
{
	uint32_t rflags, r11, lstar;
	struct vm vm;

	VM_START(&vm, g_syscall);
	EXPECT_MARK(&vm, 1);
	/* The host made system calls between the exits (the test harness does). */
	rflags = NEXT_VALUE(&vm);
	r11 = NEXT_VALUE(&vm);
	EXPECT_EQ(0u, rflags & 0x200u);		/* FMASK cleared IF */
	EXPECT_NE(0u, r11 & 0x200u);		/* IF was set before */
	EXPECT_VALUE(&vm, 0x5c5c);
	lstar = NEXT_VALUE(&vm);
	EXPECT_VALUE(&vm, lstar);
	EXPECT_MARK(&vm, 2);
	EXPECT_VALUE(&vm, 0x1e0000);		/* SYSENTER_ESP */
	EXPECT_VALUE(&vm, 0x5e5e);
	EXPECT_MARK(&vm, 3);
	vm_close(&vm);
}

TEST(msr_apic_base)
{
	struct vm vm;

	VM_START(&vm, g_apic_base);
	EXPECT_VALUE(&vm, 0xfee00d00);
	EXPECT_VALUE(&vm, 0);
	/* The same value, and without the BSP bit, were accepted. */
	EXPECT_MARK(&vm, 1);
	/* Another base: the VMM cannot move the APIC. */
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, enter(&vm));
	vm_close(&vm);
}

TEST(msr_unknown_gp)
{
	struct vm vm;

	VM_START(&vm, g_msr_unknown);
	EXPECT_EQ(0u, NEXT_OUT(&vm, PORT_GP, 4));	/* RDMSR */
	EXPECT_EQ(0u, NEXT_OUT(&vm, PORT_GP, 4));	/* WRMSR */
	EXPECT_MARK(&vm, 0xc3);
	vm_close(&vm);
}

/* --- FPU, other modes, APs ------------------------------------------------------- */

static bool host_avx(void)
{
	uint32_t a, b, c, d;
	uint32_t xcr0_lo, xcr0_hi;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 28)) || !(c & (1u << 27)))	/* AVX, OSXSAVE */
		return false;
	__asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
	return (xcr0_lo & 6) == 6;
}

TEST(fpu_isolation)
{
	static const uint8_t pattern[32] = {
		0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
		0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
		0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
		0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
	};
	uint8_t after[32];
	bool avx = host_avx();
	zx_vcpu_state_t st;
	zx_port_packet_t p;
	struct vm vm;

	VM_START(&vm, g_fpu);
	st = read_state(&vm);
	st.rbx = avx;
	st.rflags = 0;
	ASSERT_EQ(ZX_OK, zx_vcpu_write_state(vm.vcpu, ZX_VCPU_STATE, &st, sizeof(st)));
	if (!avx)
		TH_LOG("no AVX on this host: xmm only");
	EXPECT_MARK(&vm, 1);
	for (int round = 0; round < 4; round++) {
		zx_status_t s;

		memset(after, 0, sizeof(after));
		/* ymm15/xmm15 is not used by the code between these statements. */
		if (avx)
			__asm__ volatile("vmovdqu %0, %%ymm15" : : "m"(pattern) : "xmm15");
		else
			__asm__ volatile("movdqu %0, %%xmm15" : : "m"(pattern) : "xmm15");
		memset(&p, 0, sizeof(p));
		s = zx_vcpu_enter(vm.vcpu, &p);
		if (avx)
			__asm__ volatile("vmovdqu %%ymm15, %0" : "=m"(after));
		else
			__asm__ volatile("movdqu %%xmm15, %0" : "=m"(after));
		ASSERT_EQ(ZX_OK, s);
		ASSERT_EQ(ZX_PKT_TYPE_GUEST_IO, p.type);
		EXPECT_EQ(PORT_VALUE, p.guest_io.port);
		EXPECT_EQ(1u, p.guest_io.u32);		/* guest xmm0/ymm0 kept */
		EXPECT_EQ(0, memcmp(after, pattern, avx ? 32 : 16));
		EXPECT_VALUE(&vm, 1);			/* guest xmm15/ymm15 kept */
		EXPECT_MARK(&vm, 1);
	}
	vm_close(&vm);
}

TEST(compat_and_16bit_code)
{
	uint32_t s32, e32, s16, e16;
	struct vm vm;

	VM_START(&vm, g_compat);
	s32 = NEXT_VALUE(&vm);
	e32 = NEXT_VALUE(&vm);
	s16 = NEXT_VALUE(&vm);
	e16 = NEXT_VALUE(&vm);
	EXPECT_VALUE(&vm, 0xc0de32);			/* from compatibility mode */
	expect_mem(_metadata, &vm, GPA_MEM_TRAP, s32, e32, 4);
	EXPECT_EQ(0x1616u, NEXT_OUT(&vm, 0x12, 2));	/* from the 16-bit segment */
	/* RIP is the offset in CS (base GPA_CODE); operand size 16 bits. */
	expect_mem(_metadata, &vm, GPA_MEM_TRAP + 4, s16 - GPA_CODE, e16 - GPA_CODE, 2);
	EXPECT_MARK(&vm, 0x64);				/* back in 64-bit mode */
	vm_close(&vm);
}

struct ap_arg {
	struct vm *vm;
	zx_status_t create;
	zx_status_t st[6];
	zx_port_packet_t p[6];
};

static void *ap_thread(void *arg)
{
	struct ap_arg *a = arg;
	zx_handle_t vcpu = ZX_HANDLE_INVALID;

	a->create = zx_vcpu_create(a->vm->guest, 0, AP_GPA, &vcpu);
	if (a->create != ZX_OK)
		return NULL;
	for (int i = 0; i < 5; i++) {
		a->st[i] = zx_vcpu_enter(vcpu, &a->p[i]);
		if (a->st[i] != ZX_OK)
			break;
	}
	zx_handle_close(vcpu);
	return NULL;
}

TEST(ap_real_mode)
{
	static const struct { uint16_t port; uint8_t size; } want[] = {
		{ 0x10, 1 }, { 0x10, 4 }, { 0x10, 4 }, { 0x10, 4 }, { 0x11, 2 },
	};
	struct ap_arg a;
	struct vm vm;

	/* The BSP (VPID 1) first; it is never entered. */
	VM_START(&vm, g_spin);
	memcpy(vm.mem + AP_GPA, g_ap, g_ap_end - g_ap);
	memset(&a, 0, sizeof(a));
	a.vm = &vm;
	run_on_thread(ap_thread, &a);
	ASSERT_EQ(ZX_OK, a.create);
	for (int i = 0; i < 5; i++) {
		ASSERT_EQ(ZX_OK, a.st[i]);
		ASSERT_EQ(ZX_PKT_TYPE_GUEST_IO, a.p[i].type);
		EXPECT_EQ(want[i].port, a.p[i].guest_io.port);
		EXPECT_EQ(want[i].size, a.p[i].guest_io.access_size);
	}
	EXPECT_EQ(0xa9u, a.p[0].guest_io.u8);
	EXPECT_EQ(0u, a.p[1].guest_io.u32 & (CR0_PE | CR0_PG));	/* real mode */
	EXPECT_EQ(0u, a.p[1].guest_io.u32 & CR0_NE);		/* NE hidden */
	EXPECT_EQ(1u, a.p[2].guest_io.u32 >> 24);		/* APIC ID = VPID - 1 */
	EXPECT_EQ(0xfee00c00u, a.p[3].guest_io.u32);		/* no BSP bit */
	EXPECT_EQ(0xa9a9u, a.p[4].guest_io.u16);
	vm_close(&vm);
}

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

/* Child: runs a spinning guest after telling the parent through @fd. */
static void spin_child(int fd)
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

/* Forks a child into a spinning guest and SIGKILLs it; 0 when all went well. */
static int fork_and_kill(int i, bool wait_for_entry)
{
	int fds[2], status = 0;
	char c;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		spin_child(fds[1]);
	}
	close(fds[1]);
	if (wait_for_entry) {
		if (read(fds[0], &c, 1) != 1) {
			waitpid(pid, &status, 0);
			close(fds[0]);
			return WIFEXITED(status) ? 100 + WEXITSTATUS(status) : -2;
		}
		sleep_ms(i % 4);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(fds[0]);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? 0 : -3;
}

/* The module's VMX use has ended once every guest is gone: the probe says READY. */
static bool vmx_released(void)
{
	zxhv_vmx_probe_t p;

	for (int i = 0; i < 100; i++) {
		memset(&p, 0, sizeof(p));
		if (zxhv_vmx_probe(&p) == ZX_OK && p.result == ZXHV_VMX_READY)
			return true;
		sleep_ms(20);
	}
	return false;
}

TEST(sigkill_during_enter)
{
	struct vm vm;

	NEED_VMX();
	EXPECT_EQ(0, fork_and_kill(0, true));
	EXPECT_TRUE(vmx_released());
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
	struct vm vm;

	NEED_VMX();
	for (int i = 0; i < 200; i++) {
		/* Every tenth child is killed wherever it is (often still setting up). */
		int r = fork_and_kill(i, i % 10 != 0);

		if (r)
			TH_LOG("cycle %d: %d", i, r);
		ASSERT_EQ(0, r);
	}
	EXPECT_TRUE(vmx_released());
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

/* --- PAUSE, XSETBV, VMCALL -------------------------------------------------------- */

TEST(pause_exit)
{
	zx_port_packet_t p;
	struct vm vm;

	VM_START(&vm, g_pause);
	/* Every PAUSE exit stays in the kernel: the first packet is the OUT. */
	memset(&p, 0xa5, sizeof(p));
	ASSERT_EQ(ZX_OK, zx_vcpu_enter(vm.vcpu, &p));
	ASSERT_EQ(ZX_PKT_TYPE_GUEST_IO, p.type);
	EXPECT_EQ(KEY_IO, p.key);
	EXPECT_EQ(PORT_MARK, p.guest_io.port);
	EXPECT_EQ(4u, p.guest_io.access_size);
	EXPECT_FALSE(p.guest_io.input);
	/* Each PAUSE was skipped once: the loop ran all its iterations. */
	EXPECT_EQ((uint32_t)PAUSE_LOOPS, p.guest_io.u32);
	EXPECT_EQ(0u, read_state(&vm).rcx);
	vm_close(&vm);
}

#define XCR0_X87	(1u << 0)
#define XCR0_SSE	(1u << 1)
#define XCR0_AVX	(1u << 2)
#define XSAVE_SIZE_SSE	576u	/* legacy area + header */
#define XSAVE_SIZE_AVX	832u	/* + the 256-byte AVX component at 576 */

TEST(xsetbv)
{
	/*
	 * Each one refused: no x87, SSE without x87, AVX without x87 or SSE,
	 * AVX without SSE, bits CPUID 0xD does not offer, a high-half bit.
	 */
	static const uint64_t bad[] = { 0, 2, 4, 5, 0xe7, (1ull << 32) | 3 };
	uint32_t ecx, xcr0, size;
	zx_vcpu_state_t st;
	bool avx;
	struct vm vm;

	VM_START(&vm, g_xsetbv);
	ecx = NEXT_VALUE(&vm);
	if (!(ecx & (1u << 26))) {
		EXPECT_MARK(&vm, 0xe0);
		vm_close(&vm);
		SKIP(return, "no XSAVE in the guest's CPUID");
	}
	if (!(ecx & (1u << 27))) {
		/*
		 * The BSP starts with CR4.OSXSAVE only "with host XSAVE" (spec
		 * §3.4): a host kernel that turned XSAVE off (Bochs' CPU model
		 * fails Linux's XSAVE size check) leaves it clear, and the
		 * module then accepts no XCR0 at all.  The guest sets OSXSAVE
		 * itself; a bad value must still end enter with INVALID_ARGS.
		 */
		TH_LOG("guest CPUID has XSAVE%s but starts without CR4.OSXSAVE",
		       ecx & (1u << 28) ? " and AVX" : "");
		EXPECT_MARK(&vm, 0xe1);
		EXPECT_EQ(ZX_ERR_INVALID_ARGS, enter(&vm));
		vm_close(&vm);
		SKIP(return, "host without XSAVE: no valid XCR0 to test");
	}
	avx = ecx & (1u << 28);
	xcr0 = avx ? XCR0_X87 | XCR0_SSE | XCR0_AVX : XCR0_X87 | XCR0_SSE;
	size = avx ? XSAVE_SIZE_AVX : XSAVE_SIZE_SSE;
	TH_LOG("guest AVX: %s", avx ? "yes" : "no");
	EXPECT_VALUE(&vm, xcr0);		/* as the guest starts (spec §3.4) */
	EXPECT_VALUE(&vm, 0);
	EXPECT_VALUE(&vm, size);		/* CPUID.(0xD,0).EBX */
	/* XSETBV of x87|SSE is stored, and the size follows. */
	EXPECT_VALUE(&vm, XCR0_X87 | XCR0_SSE);
	EXPECT_VALUE(&vm, 0);
	EXPECT_VALUE(&vm, XSAVE_SIZE_SSE);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		zx_status_t s;

		if (i > 0) {
			st = read_state(&vm);
			st.rax = (uint32_t)bad[i];
			st.rdx = bad[i] >> 32;
			st.rflags = 0;		/* unchanged */
			ASSERT_EQ(ZX_OK, zx_vcpu_write_state(vm.vcpu, ZX_VCPU_STATE, &st,
							     sizeof(st)));
		}
		/* No #GP in the guest: enter fails (spec §3.6). */
		s = enter(&vm);
		if (s != ZX_ERR_INVALID_ARGS)
			TH_LOG("XSETBV %#llx: zx_vcpu_enter returned %s",
			       (unsigned long long)bad[i], zx_status_get_string(s));
		ASSERT_EQ(ZX_ERR_INVALID_ARGS, s);
	}
	/*
	 * A valid value then.  The XSETBV did not complete before (each retry
	 * failed again), and it runs once more now: with AVX, XCR0 goes from
	 * x87|SSE back to x87|SSE|AVX.
	 */
	st = read_state(&vm);
	st.rax = xcr0;
	st.rdx = 0;
	st.rcx = 0;
	st.rflags = 0;
	ASSERT_EQ(ZX_OK, zx_vcpu_write_state(vm.vcpu, ZX_VCPU_STATE, &st, sizeof(st)));
	EXPECT_VALUE(&vm, xcr0);
	EXPECT_VALUE(&vm, 0);
	EXPECT_VALUE(&vm, size);
	EXPECT_MARK(&vm, 0xe5);
	vm_close(&vm);
}

/* The hypercall result the guest just reported: low half in the OUT, all of RAX. */
static void expect_hc(struct __test_metadata *_metadata, struct vm *vm, int64_t want,
		      int line)
{
	uint32_t low = next_out(_metadata, vm, PORT_VALUE, 4, line);
	uint64_t rax = read_state(vm).rax;

	if (rax != (uint64_t)want)
		TH_LOG("line %d: hypercall returned %lld, want %lld", line, (long long)rax,
		       (long long)want);
	EXPECT_EQ((uint32_t)want, low);
	EXPECT_EQ((uint64_t)want, rax);
}

#define EXPECT_HC(vm, want) expect_hc(_metadata, vm, want, __LINE__)

/* @len bytes at GPA @gpa still hold 0xa5. */
static bool untouched(struct vm *vm, uint64_t gpa, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (vm->mem[gpa + i] != 0xa5)
			return false;
	return true;
}

TEST(vmcall)
{
	struct guest_clock_pairing cp;
	struct timespec before, after;
	zx_vcpu_state_t st;
	struct vm vm;

	VM_START(&vm, g_vmcall);
	guest_add_user_mode(vm.mem);
	memset(vm.mem + GPA_DATA, 0xa5, 0x200);
	/* (a) An unknown number: -KVM_ENOSYS, nothing written. */
	EXPECT_HC(&vm, KVM_ENOSYS_RET);
	EXPECT_TRUE(untouched(&vm, GPA_DATA, 0x200));
	/* (b) CLOCK_PAIRING with CLOCK_REALTIME (type 0). */
	ASSERT_EQ(0, clock_gettime(CLOCK_REALTIME, &before));
	EXPECT_HC(&vm, 0);
	ASSERT_EQ(0, clock_gettime(CLOCK_REALTIME, &after));
	memcpy(&cp, vm.mem + GPA_DATA, sizeof(cp));
	TH_LOG("clock pairing: sec %lld nsec %lld tsc %#llx flags %#x; host %lld..%lld",
	       (long long)cp.sec, (long long)cp.nsec, (unsigned long long)cp.tsc, cp.flags,
	       (long long)before.tv_sec, (long long)after.tv_sec);
	/* The emulators are slow: minutes of slack either side. */
	EXPECT_LE((int64_t)before.tv_sec - 300, cp.sec);
	EXPECT_GE((int64_t)after.tv_sec + 300, cp.sec);
	EXPECT_LE(0, cp.nsec);
	EXPECT_GT(1000000000ll, cp.nsec);
	EXPECT_NE(0u, cp.tsc);
	EXPECT_EQ(0u, cp.flags);
	for (int i = 0; i < 9; i++)
		EXPECT_EQ(0u, cp.pad[i]);
	EXPECT_TRUE(untouched(&vm, GPA_DATA + sizeof(cp), 0x200 - sizeof(cp)));
	/* The guest sees the host TSC (no offset): tsc is between its RDTSCs. */
	st = read_state(&vm);
	EXPECT_LE(st.r12, cp.tsc);
	EXPECT_GE(st.r13, cp.tsc);
	/* (c) Another clock type: -KVM_EOPNOTSUPP, nothing written. */
	EXPECT_HC(&vm, KVM_EOPNOTSUPP_RET);
	EXPECT_TRUE(untouched(&vm, GPA_DATA + 0x100, 0x100));
	/* (d) A GPA with no memory behind it: -KVM_EFAULT. */
	EXPECT_HC(&vm, KVM_EFAULT_RET);
	EXPECT_MARK(&vm, 0x7c);
	/* (e) From CPL 3: -KVM_EPERM, nothing written. */
	EXPECT_HC(&vm, KVM_EPERM_RET);
	EXPECT_VALUE(&vm, SEL_UCODE64 | 3);
	EXPECT_TRUE(untouched(&vm, GPA_DATA + 0x100, 0x100));
	EXPECT_MARK(&vm, 0x7d);
	vm_close(&vm);
}

/* ZXHV_VCPU_TEST_ONLY=xsetbv,fpu_isolation runs only those (zxhv_filter.h). */
int main(int argc, char **argv)
{
	zxhv_filter_tests("ZXHV_VCPU_TEST_ONLY");
	return test_harness_run(argc, argv);
}
