// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host unit test of the IO APIC's destinations (vmm/ioapic.c), built with
 * UBSan that aborts on the first report: the guest programs a redirection
 * entry through IOREGSEL/IOWIN as Linux does, the input is raised, and the
 * VCPU mask that reaches vcpu_interrupt_mask() (faked here) is checked.
 * Prints TAP.  make -C vmm test runs it.
 */
#include <string.h>

#include "../vmm.h"
#include "tap.h"

#define PIN		3
#define VECTOR		0x31
#define LOGICAL		(1u << 11)
#define LOWEST		(1u << 8)
#define NMI		(4u << 8)
#define NONE		0xdeadull	/* no interrupt was sent */

static struct vmm vm;
static uint64_t sent_mask;
static uint8_t sent_vector;

void vcpu_interrupt_mask(struct vmm *v, uint64_t mask, uint8_t vector)
{
	(void)v;
	sent_mask = mask;
	sent_vector = vector;
}

static void reg_write(uint32_t reg, uint32_t val)
{
	ioapic_mmio(&vm, 0x00, true, &reg, 4);
	ioapic_mmio(&vm, 0x10, true, &val, 4);
}

/* Programs the pin's entry (unmasked, edge) with low bits mode and destination dest; raises it. */
static uint64_t raise_to(uint32_t mode, uint8_t dest)
{
	reg_write(0x10 + 2 * PIN + 1, (uint32_t)dest << 24);
	reg_write(0x10 + 2 * PIN, VECTOR | mode);
	sent_mask = NONE;
	sent_vector = 0;
	ioapic_raise(&vm, PIN);
	return sent_mask == NONE || sent_vector == VECTOR ? sent_mask : NONE - 1;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("TAP version 13\n1..12\n");
	tap_ok(raise_to(0, 0) == 1, "physical destination 0: CPU 0");
	tap_ok(raise_to(0, 5) == 1ull << 5, "physical destination 5: CPU 5");
	tap_ok(raise_to(0, 63) == 1ull << 63, "physical destination 63: CPU 63");
	tap_ok(raise_to(0, 64) == NONE, "physical destination 64: no CPU");
	tap_ok(raise_to(0, 200) == NONE, "physical destination 200: no CPU");
	tap_ok(raise_to(0, 254) == NONE, "physical destination 254: no CPU");
	tap_ok(raise_to(0, 0xff) == ~0ull, "physical destination 0xff: every CPU");
	tap_ok(raise_to(LOGICAL, 0x0c) == 0x0c, "logical destination 0x0c: CPUs 2 and 3");
	tap_ok(raise_to(LOGICAL | LOWEST, 0x0c) == 0x04,
	       "lowest priority, logical 0x0c: the first of them");
	tap_ok(raise_to(LOWEST, 0xff) == 1, "lowest priority, broadcast: CPU 0");
	/* An NMI entry sends vector 2; a fixed entry's vector 2 (or any below 16) nothing. */
	raise_to(NMI, 5);
	tap_ok(sent_mask == 1ull << 5 && sent_vector == 2, "NMI entry, destination 5: NMI to CPU 5");
	reg_write(0x10 + 2 * PIN, 2);
	sent_mask = NONE;
	ioapic_raise(&vm, PIN);
	tap_ok(sent_mask == NONE, "fixed entry with vector 2: nothing sent");
	return tap_status();
}
