// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCPU creation and the checks every VCPU call makes before it acts
 * (docs/api.md §1, §3.1): zx_vcpu_create's argument order, rights, entry range,
 * one VCPU per thread and 63 per guest; the other calls' handle, type,
 * thread and rights checks.  The checks that need no guest (options
 * before the handle, BAD_HANDLE, WRONG_TYPE) run everywhere.
 *
 * One of the vcpu_*_test programs, which split the VCPU tests by topic;
 * each behaviour runs a small guest program from vcpu_guest.h (memory
 * layout and port conventions are described there) in vcpu_vm.h's
 * fixture.  Where VMX is missing (ZXHV_VM=qemu, or a host whose probe is
 * not READY) every test that needs a guest is skipped.
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
	/* VPIDs are checked before the entry (docs/api.md §1 order). */
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
	EXPECT_EQ(ZX_INFO_VCPU_FLAG_KICKED, vcpu_flags(vm.vcpu));
	EXPECT_EQ(ZX_ERR_CANCELED, enter(&vm));
	vm_close(&vm);
}

TEST(vcpu_outlives_thread)
{
	struct create_arg c;
	struct other_arg a;
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
	EXPECT_EQ(ZX_INFO_VCPU_FLAG_KICKED, vcpu_flags(c.vcpu));
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

TEST_HARNESS_MAIN
