// SPDX-License-Identifier: BSD-2-Clause
/*
 * The PCI host bridge as ACPI describes it, for the DSDT (acpi.c): with ACPI
 * on, Linux scans a PCI bus only under a PNP0A03 device, and with _CRS in
 * use (the default without a DMI BIOS date) it places and claims BARs only
 * inside the windows that _CRS lists.  Hand-encoded AML (ACPI 6.x §20.2,
 * resource descriptors §6.4):
 *
 *   Scope (\_SB) {
 *     Device (PCI0) {
 *       Name (_HID, EisaId ("PNP0A03"))
 *       Name (_CRS, ResourceTemplate () {
 *         WordBusNumber (0, 0)                              bus 0 only
 *         DWordMemory (PCI_WINDOW_BASE, PCI_WINDOW_END)     the BARs' window
 *       })
 *     }
 *   }
 *
 * No _PRT: a function's INTx then uses its Interrupt Line register as an ISA
 * IRQ (Linux's fallback), which is where the devices put their IO APIC input.
 */
#include <string.h>

#include "vmm.h"

#define AML_SCOPE		0x10
#define AML_NAME		0x08
#define AML_BUFFER		0x11
#define AML_BYTE		0x0a
#define AML_DWORD		0x0c
#define AML_EXT			0x5b
#define AML_DEVICE		0x82

struct aml {
	uint8_t *p;
	size_t len, max;
	bool overflow;
};

static void emit(struct aml *a, const void *src, size_t n)
{
	if (a->len + n > a->max) {
		a->overflow = true;
		return;
	}
	memcpy(a->p + a->len, src, n);
	a->len += n;
}

static void emit8(struct aml *a, uint8_t v) { emit(a, &v, 1); }
static void emit16(struct aml *a, uint16_t v) { emit(a, &v, 2); }
static void emit32(struct aml *a, uint32_t v) { emit(a, &v, 4); }

/* A PkgLength for a body of n bytes (its own 1 or 2 bytes included). */
static void pkglength(struct aml *a, size_t n)
{
	if (n + 1 < 0x40) {
		emit8(a, (uint8_t)(n + 1));
	} else {
		n += 2;
		emit8(a, (uint8_t)(0x40 | (n & 0xf)));
		emit8(a, (uint8_t)(n >> 4));
	}
}

static size_t resources(uint8_t *buf)
{
	struct aml a = { .p = buf, .max = 64 };

	/* Word Address Space Descriptor: bus numbers 0..0. */
	emit8(&a, 0x88);
	emit16(&a, 13);
	emit8(&a, 2);				/* bus number range */
	emit8(&a, 0x0c);			/* min and max fixed, producer */
	emit8(&a, 0);
	emit16(&a, 0);				/* granularity */
	emit16(&a, 0);				/* min */
	emit16(&a, 0);				/* max */
	emit16(&a, 0);				/* translation */
	emit16(&a, 1);				/* length */
	/* DWord Address Space Descriptor: the memory window. */
	emit8(&a, 0x87);
	emit16(&a, 23);
	emit8(&a, 0);				/* memory range */
	emit8(&a, 0x0c);			/* min and max fixed, producer */
	emit8(&a, 0x01);			/* read-write, non-cacheable */
	emit32(&a, 0);				/* granularity */
	emit32(&a, (uint32_t)PCI_WINDOW_BASE);
	emit32(&a, (uint32_t)PCI_WINDOW_END);
	emit32(&a, 0);				/* translation */
	emit32(&a, (uint32_t)(PCI_WINDOW_END - PCI_WINDOW_BASE + 1));
	emit8(&a, 0x79);			/* end tag */
	emit8(&a, 0);				/* checksum 0: none */
	return a.len;
}

size_t pci_acpi_aml(uint8_t *buf, size_t max)
{
	uint8_t res[64], crs[80], dev[160];
	struct aml c = { .p = crs, .max = sizeof(crs) }, d = { .p = dev, .max = sizeof(dev) };
	struct aml out = { .p = buf, .max = max };
	size_t rlen = resources(res);

	/* Name (_CRS, Buffer (rlen) { res }) */
	emit8(&c, AML_NAME);
	emit(&c, "_CRS", 4);
	emit8(&c, AML_BUFFER);
	pkglength(&c, 2 + rlen);
	emit8(&c, AML_BYTE);
	emit8(&c, (uint8_t)rlen);
	emit(&c, res, rlen);
	/* Device (PCI0) { Name (_HID, EisaId ("PNP0A03")) _CRS } */
	emit8(&d, AML_EXT);
	emit8(&d, AML_DEVICE);
	pkglength(&d, 4 + 10 + c.len);
	emit(&d, "PCI0", 4);
	emit8(&d, AML_NAME);
	emit(&d, "_HID", 4);
	emit8(&d, AML_DWORD);
	emit32(&d, 0x030ad041);			/* "PNP0A03" compressed */
	emit(&d, crs, c.len);
	/* Scope (\_SB) { ... } */
	emit8(&out, AML_SCOPE);
	pkglength(&out, 5 + d.len);
	emit(&out, "\\_SB_", 5);
	emit(&out, dev, d.len);
	return out.overflow || c.overflow || d.overflow ? 0 : out.len;
}
