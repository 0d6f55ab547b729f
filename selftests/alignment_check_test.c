// SPDX-License-Identifier: GPL-2.0-only
/*
 * Alignment-check exceptions (#AC) exit and are given back to the guest
 * (docs/api.md §3.4, §3.6): a guest whose #AC delivery raises #AC again
 * would otherwise loop inside the CPU, and on silicon without the exit
 * that loop never reaches an instruction boundary, so not even a host
 * interrupt ends it (the #AC counterpart of the #DB loop in
 * debugreg_test.c).
 *
 * The guest is an AP (it starts in real mode) that enters 32-bit protected
 * mode without paging, sets CR0.AM, and IRETs to CPL 3 with EFLAGS.AC and
 * IOPL 3 on a stack whose pointer the test chooses; there it makes a
 * misaligned 4-byte store.  IDT entry 17 is an interrupt gate to a DPL-3
 * code segment: the #AC is delivered at CPL 3, on that same stack.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * ac_reflected                  with an aligned stack the handler runs and finds the
 *                               error code 0 the CPU pushes
 * ac_loop_stops                 with a misaligned stack every delivery raises #AC
 *                               again: zx_vcpu_enter returns NOT_SUPPORTED, and again
 *                               on the next call, instead of the CPU looping
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "vcpu_guest.h"
#include "vcpu_vm.h"

/* The AP's tables, in the free page after GPA_DATA's. */
#define AC_GDT		0x7000u		/* 0x08 code 0x10 data (DPL 0), 0x1b code 0x23 data (DPL 3) */
#define AC_GDTR		0x7100u
#define AC_IDTR		0x7108u
#define AC_ESP3		0x7110u		/* the CPL-3 stack pointer, written by the test */
#define AC_IDT		0x7200u		/* 32 8-byte gates */

/*
 * Real mode at AP_GPA: GDT and IDT, CR0.PE and AM, far jump to 32-bit
 * code, the #AC gate (vector 17: a present 32-bit interrupt gate, DPL 3,
 * to 0x1b:label 7), mark 0x1111, IRET to CPL 3 (EFLAGS AC | IOPL 3, ESP
 * from AC_ESP3), mark 0x2222, DS = 0x23, a misaligned store.  The handler
 * (CPL 3) reports the error code it pops and marks 0x600d.
 */
GUEST_PROGRAM(g_ac_ap,
	".code16\n"
	"lgdtl " GUEST_STR(AC_GDTR) "\n"
	"lidtl " GUEST_STR(AC_IDTR) "\n"
	"mov %cr0, %eax\n or $0x40001, %eax\n mov %eax, %cr0\n"
	"ljmpl $0x08, $(" GUEST_STR(AP_GPA) " + 1f - 0b)\n"
	".code32\n"
	"1: mov $0x10, %eax\n mov %eax, %ds\n mov %eax, %es\n mov %eax, %ss\n"
	"mov $0x30000, %esp\n"
	"mov $(" GUEST_STR(AP_GPA) " + 7f - 0b), %eax\n"
	"mov %ax, " GUEST_STR(AC_IDT) " + 17 * 8\n"
	"movw $0x1b, " GUEST_STR(AC_IDT) " + 17 * 8 + 2\n"
	"movw $0xee00, " GUEST_STR(AC_IDT) " + 17 * 8 + 4\n"
	"shr $16, %eax\n mov %ax, " GUEST_STR(AC_IDT) " + 17 * 8 + 6\n"
	"mov $0x1111, %eax\n out %ax, $0x11\n"
	"pushl $0x23\n pushl " GUEST_STR(AC_ESP3) "\n pushl $0x43002\n"
	"pushl $0x1b\n pushl $(" GUEST_STR(AP_GPA) " + 2f - 0b)\n"
	"iret\n"
	"2: mov $0x2222, %eax\n out %ax, $0x11\n"
	"mov $0x23, %eax\n mov %eax, %ds\n"
	"mov %eax, " GUEST_STR(GPA_DATA) " + 1\n"
	"3: jmp 3b\n"
	"7: pop %eax\n out %eax, $0x10\n"
	"mov $0x600d, %eax\n out %ax, $0x11\n"
	"8: jmp 8b\n");

/* A 32-bit GDTR/IDTR pseudo-descriptor: 16-bit limit, 32-bit base. */
static void put_table_reg(uint8_t *mem, uint32_t gpa, uint16_t limit, uint32_t base)
{
	memcpy(mem + gpa, &limit, 2);
	memcpy(mem + gpa + 2, &base, 4);
}

static void ac_tables(uint8_t *mem, uint32_t esp3)
{
	static const uint64_t gdt[] = {
		0,
		0x00cf9a000000ffffull,	/* 0x08: 32-bit code, DPL 0 */
		0x00cf92000000ffffull,	/* 0x10: data, DPL 0 */
		0x00cffa000000ffffull,	/* 0x18: 32-bit code, DPL 3 */
		0x00cff2000000ffffull,	/* 0x20: data, DPL 3 */
	};

	memcpy(mem + AC_GDT, gdt, sizeof(gdt));
	put_table_reg(mem, AC_GDTR, sizeof(gdt) - 1, AC_GDT);
	put_table_reg(mem, AC_IDTR, 32 * 8 - 1, AC_IDT);
	memcpy(mem + AC_ESP3, &esp3, 4);
}

struct ac_run {
	struct vm *vm;
	zx_status_t create, st[5];
	uint32_t port[5], data[5];
};

static void *ac_thread(void *arg)
{
	struct ac_run *a = arg;
	zx_handle_t vcpu = ZX_HANDLE_INVALID;
	zx_port_packet_t p;

	a->create = zx_vcpu_create(a->vm->guest, 0, AP_GPA, &vcpu);
	if (a->create != ZX_OK)
		return NULL;
	for (int i = 0; i < 5; i++) {
		memset(&p, 0, sizeof(p));
		a->st[i] = zx_vcpu_enter(vcpu, &p);
		a->port[i] = p.guest_io.port;
		a->data[i] = p.guest_io.u32;
		if (a->st[i] == ZX_OK && a->port[i] == 0x11 && a->data[i] == 0x600d)
			break;
	}
	zx_handle_close(vcpu);
	return NULL;
}

static void ac_run(struct __test_metadata *_metadata, struct ac_run *a, uint32_t esp3)
{
	struct vm vm;

	VM_START(&vm, g_spin);
	memcpy(vm.mem + AP_GPA, g_ac_ap, g_ac_ap_end - g_ac_ap);
	ac_tables(vm.mem, esp3);
	memset(a, 0, sizeof(*a));
	a->vm = &vm;
	run_on_thread(ac_thread, a);
	vm_close(&vm);
	ASSERT_EQ(ZX_OK, a->create);
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(ZX_OK, a->st[i]);
		EXPECT_EQ(0x11u, a->port[i]);
		EXPECT_EQ(i ? 0x2222u : 0x1111u, a->data[i] & 0xffff);
	}
}

TEST(ac_reflected)
{
	struct ac_run a;

	NEED_VMX();
	ac_run(_metadata, &a, 0x20000);
	ASSERT_EQ(ZX_OK, a.st[2]);
	EXPECT_EQ(0x10u, a.port[2]);
	EXPECT_EQ(0u, a.data[2]);		/* the error code */
	ASSERT_EQ(ZX_OK, a.st[3]);
	EXPECT_EQ(0x11u, a.port[3]);
	EXPECT_EQ(0x600du, a.data[3] & 0xffff);
}

TEST(ac_loop_stops)
{
	struct ac_run a;

	NEED_VMX();
	ac_run(_metadata, &a, 0x20002);
	EXPECT_EQ(ZX_ERR_NOT_SUPPORTED, a.st[2]);
	EXPECT_EQ(ZX_ERR_NOT_SUPPORTED, a.st[3]);
}

TEST_HARNESS_MAIN
