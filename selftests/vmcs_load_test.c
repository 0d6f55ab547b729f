// SPDX-License-Identifier: GPL-2.0-only
/*
 * How often zx_vcpu_enter loads the VMCS, from the module's debugfs file
 * /sys/kernel/debug/zircon-hv/vmcs_loads ("loads N", "after_sleep N": all
 * loads of every VCPU, and those after a sleep inside enter).  The exit
 * handlers run with the VMCS loaded (module/arch/x86/vmx/vmexit.c), so an
 * enter loads it once, plus once after each sleep (an EPT fault-in, a
 * reschedule), however many exits the kernel handles.
 *
 * Test                What it proves
 * ------------------  ---------------------------------------------------------
 * one_load_per_enter  an enter through 400 CPUID and RDMSR exits handled in the
 *                     kernel, ending with one IO packet, loads the VMCS once
 *                     beyond its loads after sleeping
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "zxhv_vm.h"
#include "vcpu_guest.h"
#include "guest_vm.h"

#define LOOPS	200

/* MARK 1; LOOPS times CPUID and RDMSR of IA32_APIC_BASE; MARK 2. */
GUEST_PROGRAM(g_exits,
	"MARK $1\n"
	"mov $" GUEST_STR(LOOPS) ", %r8d\n"
	"1: xor %eax, %eax\n xor %ecx, %ecx\n cpuid\n"
	"mov $0x1b, %ecx\n rdmsr\n"
	"dec %r8d\n jnz 1b\n"
	"MARK $2\n"
	"2: jmp 2b");

struct loads {
	unsigned long long all, after_sleep;
};

static int read_loads(struct loads *l)
{
	return debugfs_counters("vmcs_loads", "loads %llu after_sleep %llu", &l->all,
				&l->after_sleep);
}

/* Enters once; the guest must stop at MARK @want. */
static void enter_to_mark(struct __test_metadata *_metadata, struct vm *vm, uint32_t want)
{
	zx_port_packet_t p;

	memset(&p, 0, sizeof(p));
	ASSERT_EQ(ZX_OK, zx_vcpu_enter(vm->vcpu, &p));
	ASSERT_EQ(ZX_PKT_TYPE_GUEST_IO, p.type);
	ASSERT_EQ(PORT_MARK, p.guest_io.port);
	ASSERT_EQ(4, p.guest_io.access_size);
	EXPECT_EQ(want, *(uint32_t *)p.guest_io.data);
}

TEST(one_load_per_enter)
{
	struct loads before, after;
	struct vm vm;

	if (!have_vmx())
		SKIP(return, "no VMX here");
	ASSERT_EQ(ZX_OK, vm_create_base(&vm, g_exits, g_exits_end));
	ASSERT_EQ(ZX_OK, zx_vcpu_create(vm.guest, 0, GPA_CODE, &vm.vcpu));
	/* The first enter faults the guest's pages in (after_sleep counts those). */
	enter_to_mark(_metadata, &vm, 1);
	ASSERT_EQ(0, read_loads(&before));
	enter_to_mark(_metadata, &vm, 2);
	ASSERT_EQ(0, read_loads(&after));
	TH_LOG("loads %llu, after a sleep %llu", after.all - before.all,
	       after.after_sleep - before.after_sleep);
	EXPECT_EQ(1, (after.all - before.all) - (after.after_sleep - before.after_sleep));
	vm_close(&vm);
}

TEST_HARNESS_MAIN
