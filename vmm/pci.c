// SPDX-License-Identifier: BSD-2-Clause
/*
 * PCI configuration mechanism #1 (PCI Local Bus 3.0 §3.2.2.3.2): the address
 * register CONFIG_ADDRESS at 0xcf8 (32-bit accesses only) and the data window
 * CONFIG_DATA at 0xcfc-0xcff.  Bus 0 holds one device: a host bridge at 00.0
 * (Intel, class 06/00/00, header type 0).  Every other function reads as all
 * ones (no device), which is how Linux's scan finds an empty slot.  Other
 * slots' function 0 can be claimed with pci_add_device() (the virtio devices).
 */
#include <string.h>

#include "vmm.h"

#define CONFIG_ADDRESS		0xcf8
#define CONFIG_DATA		0xcfc
#define ADDR_ENABLE		0x80000000u

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t address;
static struct pci_device slots[32];

void pci_add_device(unsigned int slot, const struct pci_device *dev)
{
	pthread_mutex_lock(&lock);
	if (slot > 0 && slot < 32)
		slots[slot] = *dev;
	pthread_mutex_unlock(&lock);
}

/* The host bridge's 256-byte configuration space. */
static uint8_t bridge[256] = {
	[0x00] = 0x86, [0x01] = 0x80,		/* vendor: Intel */
	[0x02] = 0xc0, [0x03] = 0x29,		/* device: 0x29c0 (DRAM controller/host bridge) */
	[0x04] = 0x06,				/* command: memory space, bus master */
	[0x06] = 0x00, [0x07] = 0x02,		/* status: medium DEVSEL timing */
	[0x08] = 0x02,				/* revision */
	[0x0a] = 0x00, [0x0b] = 0x06,		/* class: bridge, host bridge */
	[0x0e] = 0x00,				/* header type 0, single function */
};

/* Is the access for the host bridge's writable command register (the rest is read-only)? */
static void bridge_write(unsigned int off, unsigned int size, uint32_t val)
{
	for (unsigned int i = 0; i < size; i++) {
		unsigned int o = off + i;

		if (o == 0x04 || o == 0x05)
			bridge[o] = (uint8_t)(val >> (8 * i));
	}
}

bool pci_io(uint16_t port, bool in, unsigned int size, uint32_t *val)
{
	unsigned int bus, dev, fn, off;
	bool exists;

	if (port < CONFIG_ADDRESS || port >= CONFIG_DATA + 4)
		return false;
	pthread_mutex_lock(&lock);
	if (port < CONFIG_DATA) {
		/* Only a 32-bit access at 0xcf8 is CONFIG_ADDRESS; bytes there are other
		 * chipset registers (0xcf9 reset control), which this platform lacks. */
		if (port == CONFIG_ADDRESS && size == 4) {
			if (in)
				*val = address;
			else
				address = *val & 0x80fffffcu;
		} else if (in) {
			*val = 0xffffffffu >> (32 - 8 * size);
		}
		pthread_mutex_unlock(&lock);
		return true;
	}
	bus = (address >> 16) & 0xff;
	dev = (address >> 11) & 0x1f;
	fn = (address >> 8) & 7;
	off = (address & 0xfc) + (port - CONFIG_DATA);
	exists = (address & ADDR_ENABLE) && bus == 0 && dev == 0 && fn == 0;
	if ((address & ADDR_ENABLE) && bus == 0 && dev != 0 && fn == 0 && slots[dev].ctx &&
	    off + size <= 256) {
		if (in)
			slots[dev].read(slots[dev].ctx, off, size, val);
		else
			slots[dev].write(slots[dev].ctx, off, size, *val);
		pthread_mutex_unlock(&lock);
		return true;
	}
	if (in) {
		uint32_t v = 0;

		if (!exists || off + size > sizeof(bridge))
			v = 0xffffffffu;
		else
			memcpy(&v, bridge + off, size);
		*val = size == 4 ? v : v & ((1u << (8 * size)) - 1);
	} else if (exists && off + size <= sizeof(bridge)) {
		bridge_write(off, size, *val);
	}
	pthread_mutex_unlock(&lock);
	return true;
}
