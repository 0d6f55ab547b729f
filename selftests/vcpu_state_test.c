// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCPU state through zx_vcpu_read_state/write_state (docs/api.md §1, §3.4):
 * their argument checks, the general registers and the RFLAGS rule in both
 * directions, enter's packet pointer, and the state an AP starts in.
 *
 * One of the vcpu_*_test programs, which split the VCPU tests by topic;
 * each behaviour runs a small guest program from vcpu_guest.h (memory
 * layout and port conventions are described there) in vcpu_vm.h's
 * fixture.  Where VMX is missing (ZXHV_VM=qemu, or a host whose probe is
 * not READY) every test that needs a guest is skipped.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * read_state_args               size != 136, unknown kind, ZX_VCPU_IO, bad buffer ->
 *                               INVALID_ARGS; kind before thread, thread before buffer
 * write_state_args              ZX_VCPU_IO access_size 0/3/8, size mismatch, unknown kind,
 *                               bad buffer -> INVALID_ARGS; access_size after the thread
 * state_round_trip              GPRs + RSP written and read back; the rflags rule; the
 *                               guest sees the values; read shows the guest's changes
 * enter_bad_packet              faulting packet pointer -> INVALID_ARGS
 * ap_real_mode                  an AP starts in real mode at CS.base = entry, IP = 0;
 *                               APIC ID 1, APIC_BASE without the BSP bit
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "vcpu_guest.h"
#include "vcpu_vm.h"

#define RFLAGS_USER	0x244DD5u

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

/* --- an AP ---------------------------------------------------------------------- */

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

TEST_HARNESS_MAIN
