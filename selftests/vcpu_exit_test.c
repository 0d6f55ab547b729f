// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exits zx_vcpu_enter returns to userspace (docs/api.md §3.2, §3.5): IO
 * packets (OUT and IN, untrapped and string instructions), MEM trap
 * packets, BELL packets on the trap's port, guest memory shared with the
 * host mapping, and IO and MEM exits from compatibility mode and a 16-bit
 * segment.
 *
 * One of the vcpu_*_test programs, which split the VCPU tests by topic;
 * each behaviour runs a small guest program from vcpu_guest.h (memory
 * layout and port conventions are described there) in vcpu_vm.h's
 * fixture.  Where VMX is missing (ZXHV_VM=qemu, or a host whose probe is
 * not READY) every test that needs a guest is skipped.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
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
 * bell_full_port               BELL_MANY (> 256) writes: the VCPU waits while the trap's 256
 *                               packets are queued, and runs on as a thread takes them; all
 *                               arrive in order
 * bell_full_kick                the VCPU waiting for packet space: a kick from another thread
 *                               ends the enter with CANCELED, the bell stays pending, and
 *                               re-entering delivers every packet in order
 * bell_full_close               ...closing the VCPU's handle there ends it with BAD_HANDLE
 * bell_port_closed              BELL with the port closed -> BAD_STATE, re-entering continues
 * bell_read                     read of a BELL page -> NOT_SUPPORTED
 * memory_shared                 guest writes seen by the host mapping and vice versa
 * compat_and_16bit_code         compatibility mode and a 16-bit segment: IO exits, MEM
 *                               default_operand_size 4 and 2, back to 64-bit
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "vcpu_guest.h"
#include "vcpu_vm.h"

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

struct bell_drain {
	zx_handle_t port;
	atomic_bool vcpu_done;		/* enter returned the guest's OUT */
	bool done_early;		/* ...before the thread took a packet */
	int got;			/* packets in order, with the right contents */
};

static void *bell_drain(void *arg)
{
	struct bell_drain *d = arg;
	zx_port_packet_t p;

	/* Far longer than 300 exits take: the VCPU must be waiting by now. */
	usleep(300 * 1000);
	d->done_early = atomic_load(&d->vcpu_done);
	for (int i = 0; i < BELL_MANY; i++) {
		if (zx_port_wait(d->port, ZX_TIME_INFINITE, &p) != ZX_OK ||
		    p.type != ZX_PKT_TYPE_GUEST_BELL || p.key != KEY_BELL ||
		    p.status != ZX_OK || p.guest_bell.addr != GPA_BELL_TRAP + 8u * i)
			break;
		d->got++;
	}
	return NULL;
}

TEST(bell_full_port)
{
	struct bell_drain d = { 0 };
	zx_port_packet_t p;
	struct vm vm;
	pthread_t t;

	VM_START(&vm, g_bell_many);
	d.port = vm.port;
	ASSERT_EQ(0, pthread_create(&t, NULL, bell_drain, &d));
	EXPECT_MARK(&vm, BELL_MANY);
	atomic_store(&d.vcpu_done, true);
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_FALSE(d.done_early);
	EXPECT_EQ(BELL_MANY, d.got);
	EXPECT_EQ(ZX_ERR_TIMED_OUT, zx_port_wait(vm.port, 0, &p));
	vm_close(&vm);
}

TEST(bell_full_kick)
{
	struct bell_drain d = { 0 };
	struct later l;
	zx_port_packet_t p;
	struct vm vm;
	pthread_t t;

	VM_START(&vm, g_bell_many);
	/* Nobody takes packets: the VCPU waits for space until the kick. */
	ASSERT_EQ(0, later(&l, vm.vcpu, 0, 0, 300));
	EXPECT_EQ(ZX_ERR_CANCELED, enter(&vm));
	ASSERT_EQ(0, pthread_join(l.thread, NULL));
	EXPECT_EQ(ZX_OK, l.status);
	EXPECT_EQ(0u, vcpu_flags(vm.vcpu) & ZX_INFO_VCPU_FLAG_KICKED);
	/* The pending bell goes out first when the enter resumes; none lost or doubled. */
	d.port = vm.port;
	ASSERT_EQ(0, pthread_create(&t, NULL, bell_drain, &d));
	EXPECT_MARK(&vm, BELL_MANY);
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(BELL_MANY, d.got);
	EXPECT_EQ(ZX_ERR_TIMED_OUT, zx_port_wait(vm.port, 0, &p));
	vm_close(&vm);
}

TEST(bell_full_close)
{
	struct later l;
	struct vm vm;

	VM_START(&vm, g_bell_many);
	ASSERT_EQ(0, later(&l, vm.vcpu, 2, 0, 300));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, enter(&vm));
	ASSERT_EQ(0, pthread_join(l.thread, NULL));
	EXPECT_EQ(ZX_OK, l.status);
	vm.vcpu = ZX_HANDLE_INVALID;
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

/* --- other modes ---------------------------------------------------------------- */

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

TEST_HARNESS_MAIN
