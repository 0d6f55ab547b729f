// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exceptions injected into a real-mode VCPU carry no error code (issue 16,
 * finding F6; SDM Vol. 3C 27.2.1.3: "deliver error code" must be 0 when
 * the guest's CR0.PE is 0).  An AP starts in real mode; its handler for
 * #GP and #PF in the real-mode IVT reports on port 0x11.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * rdmsr_gp                      RDMSR of an unknown MSR in real mode: the #GP the
 *                               module injects reaches the IVT handler
 * vmm_interrupt_with_code       zx_vcpu_interrupt(13) and (14) on a real-mode VCPU reach
 *                               the IVT handler, and the VCPU runs on
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "vcpu_guest.h"
#include "vcpu_vm.h"

/*
 * Real mode at AP_GPA (CS = AP_GPA >> 4, IP = 0): IVT entries 13 and 14
 * point at the handler (it reports 0x600d on port 0x11 and returns), a
 * ready mark 0x1111, RDMSR of an unknown MSR, a mark 0x2222, then a loop
 * of marks 0x3333.  The handler skips the 2-byte RDMSR it returns to.
 */
GUEST_PROGRAM(g_rm_ap,
	".code16\n"
	"movw $(7f - 0b), 0x34\n movw $" GUEST_STR(AP_GPA) " >> 4, 0x36\n"
	"movw $(7f - 0b), 0x38\n movw $" GUEST_STR(AP_GPA) " >> 4, 0x3a\n"
	"mov $0x4000, %sp\n"
	"mov $0x1111, %ax\n out %ax, $0x11\n"
	"mov $0x12345, %ecx\n"
	"5: rdmsr\n"
	"mov $0x2222, %ax\n out %ax, $0x11\n"
	"6: mov $0x3333, %ax\n out %ax, $0x11\n jmp 6b\n"
	"7: mov $0x600d, %ax\n out %ax, $0x11\n"
	"mov %sp, %bx\n"
	"cmpw $(5b - 0b), %ss:(%bx)\n jne 8f\n"
	"addw $2, %ss:(%bx)\n"
	"8: iret\n");

struct rm_ap {
	struct vm *vm;
	int vector;		/* 0: the guest's RDMSR; else zx_vcpu_interrupt(@vector) */
	zx_status_t create;
	zx_status_t st[4];
	uint16_t mark[4];
	zx_status_t interrupt;
};

static void *rm_ap_thread(void *arg)
{
	struct rm_ap *a = arg;
	zx_handle_t vcpu = ZX_HANDLE_INVALID;
	zx_port_packet_t p;
	int i;

	a->create = zx_vcpu_create(a->vm->guest, 0, AP_GPA, &vcpu);
	if (a->create != ZX_OK)
		return NULL;
	for (i = 0; i < 4; i++) {
		memset(&p, 0, sizeof(p));
		a->st[i] = zx_vcpu_enter(vcpu, &p);
		if (a->st[i] != ZX_OK)
			break;
		a->mark[i] = p.guest_io.u16;
		if (i == 0 && a->vector)
			a->interrupt = zx_vcpu_interrupt(vcpu, a->vector);
	}
	zx_handle_close(vcpu);
	return NULL;
}

static void run_rm_ap(struct __test_metadata *_metadata, int vector, const uint16_t *want)
{
	struct rm_ap a;
	struct vm vm;
	int i;

	VM_START(&vm, g_spin);
	memcpy(vm.mem + AP_GPA, g_rm_ap, g_rm_ap_end - g_rm_ap);
	memset(&a, 0, sizeof(a));
	a.vm = &vm;
	a.vector = vector;
	run_on_thread(rm_ap_thread, &a);
	ASSERT_EQ(ZX_OK, a.create);
	if (vector)
		EXPECT_EQ(ZX_OK, a.interrupt);
	for (i = 0; i < 4; i++) {
		if (a.st[i] != ZX_OK)
			TH_LOG("enter #%d: %s", i + 1, zx_status_get_string(a.st[i]));
		ASSERT_EQ(ZX_OK, a.st[i]);
		EXPECT_EQ(want[i], a.mark[i]);
	}
	vm_close(&vm);
}

TEST(rdmsr_gp)
{
	static const uint16_t want[] = { 0x1111, 0x600d, 0x2222, 0x3333 };

	run_rm_ap(_metadata, 0, want);
}

TEST(vmm_interrupt_with_code)
{
	/* The interrupt lands before the RDMSR: handler, then RDMSR's #GP. */
	static const uint16_t want[] = { 0x1111, 0x600d, 0x600d, 0x2222 };

	run_rm_ap(_metadata, 13, want);
	run_rm_ap(_metadata, 14, want);
}

TEST_HARNESS_MAIN
