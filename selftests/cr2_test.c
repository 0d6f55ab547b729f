// SPDX-License-Identifier: GPL-2.0-only
/*
 * CR2 belongs to whoever runs (issue 16, finding F2): MOV from CR2 never
 * exits, so the module must load the guest's CR2 before every entry and
 * save it after every exit.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * host_fault_not_seen           after the host thread takes a page fault at a known
 *                               address, a new guest still reads CR2 = 0
 * guest_to_guest                a second guest does not read the CR2 another guest
 *                               wrote, and the first guest's CR2 survives host page
 *                               faults and the other guest between its exits
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "vcpu_guest.h"
#include "vcpu_vm.h"

/* Reports CR2, then spins. */
GUEST_PROGRAM(g_cr2_read,
	"mov %cr2, %rax\n out %eax, $0x10\n"
	"1: jmp 1b");

/* Writes CR2, marks, reports CR2 after the host ran, then spins. */
GUEST_PROGRAM(g_cr2_write_read,
	"mov $0x13579bdf, %rax\n mov %rax, %cr2\n"
	"MARK $1\n"
	"mov %cr2, %rax\n out %eax, $0x10\n"
	"1: jmp 1b");

/* A page fault of the host thread at @addr (a fresh anonymous page). */
static void host_fault_at(uintptr_t addr)
{
	uintptr_t page = addr & ~0xfffull;
	void *p = mmap((void *)page, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return;
	*(volatile uint8_t *)addr = 1;
	munmap(p, 4096);
}

TEST(host_fault_not_seen)
{
	struct vm vm;

	VM_START(&vm, g_cr2_read);
	host_fault_at(0x5a5a0123);
	EXPECT_EQ(0u, NEXT_VALUE(&vm));
	vm_close(&vm);
}

/* Guest b on its own thread (a thread binds one VCPU): what it read from CR2. */
struct other {
	zx_status_t status;
	uint32_t cr2;
};

static void *other_guest(void *arg)
{
	struct other *o = arg;
	zx_port_packet_t p;
	struct vm b;

	memset(&p, 0, sizeof(p));
	o->status = vm_create(&b, g_cr2_read, g_cr2_read_end);
	if (o->status == ZX_OK)
		o->status = zx_vcpu_create(b.guest, 0, GPA_CODE, &b.vcpu);
	if (o->status == ZX_OK)
		o->status = zx_vcpu_enter(b.vcpu, &p);
	if (o->status == ZX_OK && (p.type != ZX_PKT_TYPE_GUEST_IO || p.guest_io.port != PORT_VALUE))
		o->status = ZX_ERR_INTERNAL;
	o->cr2 = p.guest_io.u32;
	vm_close(&b);
	return NULL;
}

TEST(guest_to_guest)
{
	struct other o = { ZX_ERR_INTERNAL, 0xffffffff };
	struct vm a;

	VM_START(&a, g_cr2_write_read);
	EXPECT_MARK(&a, 1);
	host_fault_at(0x5a5b0456);
	run_on_thread(other_guest, &o);
	ASSERT_EQ(ZX_OK, o.status);
	EXPECT_EQ(0u, o.cr2);
	host_fault_at(0x5a5c0789);
	EXPECT_EQ(0x13579bdfu, NEXT_VALUE(&a));
	vm_close(&a);
}

TEST_HARNESS_MAIN
