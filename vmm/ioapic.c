// SPDX-License-Identifier: BSD-2-Clause
/*
 * The IO APIC (82093AA register model, version 0x20 with the EOI register),
 * a MEM trap at GPA_IOAPIC: IOREGSEL at +0x00, IOWIN at +0x10, EOI at +0x40;
 * 24 redirection entries.  An input raised on an unmasked entry goes to the
 * in-kernel x2APIC of each destination VCPU with zx_vcpu_interrupt(); an edge
 * on a masked entry is latched and delivered when the guest unmasks it.  The
 * devices here are edge-triggered (the ISA UART), so remote IRR never sets.
 */
#include <string.h>

#include "vmm.h"

#define IOAPIC_PINS		24
#define IOAPIC_VERSION		0x20
#define REG_ID			0x00
#define REG_VER			0x01
#define REG_ARB			0x02
#define REG_RTE			0x10

#define OFF_IOREGSEL		0x00
#define OFF_IOWIN		0x10
#define OFF_EOI			0x40

#define RTE_VECTOR		0xffull
#define RTE_DELMODE		(7ull << 8)
#define RTE_DELMODE_LOWEST	(1ull << 8)
#define RTE_DELMODE_NMI		(4ull << 8)
#define RTE_LOGICAL		(1ull << 11)
#define RTE_RO_BITS		((1ull << 12) | (1ull << 14))	/* delivery status, remote IRR */
#define RTE_MASKED		(1ull << 16)
#define RTE_WRITABLE_LOW	0x1afffull	/* vector, mode, dest mode, polarity, trigger, mask */

static struct {
	pthread_mutex_t lock;
	uint32_t id;
	uint32_t regsel;
	uint64_t rte[IOAPIC_PINS];
	bool pending[IOAPIC_PINS];
	bool ready;
} io = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void reset_locked(void)
{
	for (int i = 0; i < IOAPIC_PINS; i++)
		io.rte[i] = RTE_MASKED;
	io.ready = true;
}

uint64_t apic_dest_mask(uint8_t dest, bool logical, bool lowest)
{
	uint64_t mask;

	if (logical)
		mask = dest;				/* flat logical: one bit per CPU */
	else if (dest == 0xff)
		mask = ~0ull;
	else
		mask = dest < 64 ? 1ull << dest : 0;	/* no VCPU has an APIC ID >= 64 */
	if (lowest && mask)
		mask &= -mask;				/* lowest priority: the first CPU */
	return mask;
}

/*
 * The APIC ID mask an entry targets, and the vector: 2 for an NMI entry,
 * 0 (nothing sent) for vectors 0-15, which a local APIC refuses.
 */
static void target(uint64_t rte, uint64_t *mask, uint8_t *vector)
{
	*mask = apic_dest_mask((uint8_t)(rte >> 56), rte & RTE_LOGICAL,
			       (rte & RTE_DELMODE) == RTE_DELMODE_LOWEST);
	if ((rte & RTE_DELMODE) == RTE_DELMODE_NMI)
		*vector = 2;
	else
		*vector = (rte & RTE_VECTOR) >= 16 ? (uint8_t)(rte & RTE_VECTOR) : 0;
}

void ioapic_raise(struct vmm *vm, unsigned int gsi)
{
	uint64_t mask = 0;
	uint8_t vector = 0;

	if (gsi >= IOAPIC_PINS)
		return;
	pthread_mutex_lock(&io.lock);
	if (!io.ready)
		reset_locked();
	if (io.rte[gsi] & RTE_MASKED)
		io.pending[gsi] = true;
	else
		target(io.rte[gsi], &mask, &vector);
	pthread_mutex_unlock(&io.lock);
	if (mask && vector)
		vcpu_interrupt_mask(vm, mask, vector);
}

static uint32_t read_reg_locked(uint32_t reg)
{
	if (reg == REG_ID || reg == REG_ARB)
		return io.id << 24;
	if (reg == REG_VER)
		return ((IOAPIC_PINS - 1) << 16) | IOAPIC_VERSION;
	if (reg >= REG_RTE && reg < REG_RTE + 2 * IOAPIC_PINS) {
		uint64_t rte = io.rte[(reg - REG_RTE) / 2];

		return (reg & 1) ? (uint32_t)(rte >> 32) : (uint32_t)rte;
	}
	return 0;
}

/* Writes a register; returns the pin whose latched edge must now be delivered, or -1. */
static int write_reg_locked(uint32_t reg, uint32_t val)
{
	unsigned int pin;
	uint64_t rte;

	if (reg == REG_ID) {
		io.id = (val >> 24) & 0xf;
		return -1;
	}
	if (reg < REG_RTE || reg >= REG_RTE + 2 * IOAPIC_PINS)
		return -1;
	pin = (reg - REG_RTE) / 2;
	rte = io.rte[pin];
	if (reg & 1)
		rte = (rte & 0xffffffffull) | ((uint64_t)(val & 0xff000000u) << 32);
	else
		rte = (rte & ~RTE_WRITABLE_LOW & ~0xffffffffull) | (rte & RTE_RO_BITS) |
		      (val & RTE_WRITABLE_LOW);
	io.rte[pin] = rte;
	if (!(rte & RTE_MASKED) && io.pending[pin]) {
		io.pending[pin] = false;
		return (int)pin;
	}
	return -1;
}

void ioapic_mmio(struct vmm *vm, uint64_t off, bool write, uint32_t *val, unsigned int size)
{
	uint64_t mask = 0;
	uint8_t vector = 0;
	int deliver = -1;

	(void)size;
	pthread_mutex_lock(&io.lock);
	if (!io.ready)
		reset_locked();
	switch (off) {
	case OFF_IOREGSEL:
		if (write)
			io.regsel = *val & 0xff;
		else
			*val = io.regsel;
		break;
	case OFF_IOWIN:
		if (write)
			deliver = write_reg_locked(io.regsel, *val);
		else
			*val = read_reg_locked(io.regsel);
		break;
	default:
		/* EOI (+0x40) has nothing to clear for edge inputs; the rest reads 0. */
		if (!write)
			*val = 0;
		break;
	}
	if (deliver >= 0)
		target(io.rte[deliver], &mask, &vector);
	pthread_mutex_unlock(&io.lock);
	if (mask && vector)
		vcpu_interrupt_mask(vm, mask, vector);
}
