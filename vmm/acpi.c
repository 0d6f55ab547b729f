// SPDX-License-Identifier: BSD-2-Clause
/*
 * ACPI tables (ACPI 6.x layouts, revisions as noted), built in guest memory
 * at GPA_ACPI (0xe0000, inside the BIOS area Linux scans for the RSDP; the
 * zero page also gives its address):
 *
 *   RSDP (revision 2) -> XSDT -> FADT (revision 3) -> FACS, DSDT
 *                             -> MADT (one local x2APIC per VCPU, the IO APIC)
 *
 * The FADT gives PM1a event and control blocks at PM1_EVT_PORT/PM1_CNT_PORT,
 * so Linux's ACPI poweroff writes SLP_TYP|SLP_EN where legacy.c sees it; the
 * DSDT holds \_S5 (needed for acpi_power_off), hand-encoded AML, and the PCI
 * host bridge (pci_acpi.c); the
 * flag FORCE_APIC_PHYSICAL_DESTINATION_MODE makes Linux use x2APIC physical
 * destinations, the only ones zircon-hv routes.
 */
#include <string.h>

#include "vmm.h"

#define RSDP_ADDR		GPA_ACPI
#define XSDT_ADDR		(GPA_ACPI + 0x040)
#define FACS_ADDR		(GPA_ACPI + 0x100)	/* 64-byte aligned */
#define FADT_ADDR		(GPA_ACPI + 0x200)
#define DSDT_ADDR		(GPA_ACPI + 0x400)
#define MADT_ADDR		(GPA_ACPI + 0x500)
#define ACPI_END		(GPA_ACPI + 0x1000)

#define HDR_LEN			36
#define FADT_LEN		244	/* revision 3 */

/* FADT flags. */
#define FADT_WBINVD		(1u << 0)
#define FADT_PROC_C1		(1u << 2)
#define FADT_PWR_BUTTON		(1u << 4)	/* no fixed power button */
#define FADT_SLP_BUTTON		(1u << 5)	/* no fixed sleep button */
#define FADT_FIX_RTC		(1u << 6)	/* no RTC wake status */
#define FADT_APIC_PHYSICAL	(1u << 19)
/* IA-PC boot architecture flags. */
#define BOOT_VGA_NOT_PRESENT	(1u << 2)

/* MADT. */
#define MADT_PCAT_COMPAT	1u
#define MADT_IOAPIC		1
#define MADT_ISO		2
#define MADT_LOCAL_X2APIC	9
#define MADT_ENABLED		1u
#define ISO_ACTIVE_HIGH		0x1
#define ISO_LEVEL		0xc

static void put8(uint8_t *p, uint8_t v) { *p = v; }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return (uint8_t)-sum;
}

static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	put8(t + 8, rev);
	memcpy(t + 10, "ZXHV  ", 6);
	memcpy(t + 16, "ZXHVVMM ", 8);
	put32(t + 24, 1);
	memcpy(t + 28, "ZXHV", 4);
	put32(t + 32, 1);
}

static void finish(uint8_t *t)
{
	uint32_t len;

	memcpy(&len, t + 4, 4);
	t[9] = 0;
	t[9] = checksum(t, len);
}

static void build_facs(uint8_t *t)
{
	memcpy(t, "FACS", 4);
	put32(t + 4, 64);
	put8(t + 32, 2);		/* version */
}

/* Name (_S5, Package (4) { 5, 5, 0, 0 }): SLP_TYP 5 for PM1a and PM1b. */
static const uint8_t dsdt_aml[] = {
	0x08, '_', 'S', '5', '_',		/* NameOp "_S5_" */
	0x12, 0x08, 0x04,			/* PackageOp, PkgLength 8, 4 elements */
	0x0a, PM1_SLP_TYP_S5, 0x0a, PM1_SLP_TYP_S5,	/* BytePrefix 5, BytePrefix 5 */
	0x00, 0x00,				/* ZeroOp, ZeroOp */
};

static uint32_t build_dsdt(uint8_t *t)
{
	uint32_t len = HDR_LEN + sizeof(dsdt_aml);

	memcpy(t + HDR_LEN, dsdt_aml, sizeof(dsdt_aml));
	len += (uint32_t)pci_acpi_aml(t + len, MADT_ADDR - DSDT_ADDR - len);	/* \_SB.PCI0 */
	header(t, "DSDT", len, 2);
	finish(t);
	return len;
}

static void build_fadt(uint8_t *t)
{
	header(t, "FACP", FADT_LEN, 3);
	put32(t + 36, (uint32_t)FACS_ADDR);
	put32(t + 40, (uint32_t)DSDT_ADDR);
	put16(t + 46, SCI_IRQ);
	put32(t + 48, 0);			/* SMI_CMD 0: always in ACPI mode */
	put32(t + 56, PM1_EVT_PORT);		/* PM1a_EVT_BLK */
	put32(t + 64, PM1_CNT_PORT);		/* PM1a_CNT_BLK */
	put8(t + 88, 4);			/* PM1_EVT_LEN */
	put8(t + 89, 2);			/* PM1_CNT_LEN */
	put16(t + 96, 101);			/* P_LVL2_LAT > 100: no C2 */
	put16(t + 98, 1001);			/* P_LVL3_LAT > 1000: no C3 */
	put8(t + 108, 0x32);			/* CMOS century register */
	put16(t + 109, BOOT_VGA_NOT_PRESENT);
	put32(t + 112, FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON |
		       FADT_FIX_RTC | FADT_APIC_PHYSICAL);
	finish(t);
}

static uint32_t build_madt(uint8_t *t, unsigned int cpus)
{
	uint8_t *e = t + HDR_LEN + 8;

	put32(t + HDR_LEN, (uint32_t)GPA_LAPIC);
	put32(t + HDR_LEN + 4, MADT_PCAT_COMPAT);

	/* Local x2APICs in APIC ID order: Linux starts CPUs in this order, and
	 * zircon-hv gives VCPUs APIC IDs in creation order. */
	for (unsigned int i = 0; i < cpus; i++, e += 16) {
		memset(e, 0, 16);
		put8(e, MADT_LOCAL_X2APIC);
		put8(e + 1, 16);
		put32(e + 4, i);		/* x2APIC ID */
		put32(e + 8, MADT_ENABLED);
		put32(e + 12, i);		/* ACPI processor UID */
	}

	put8(e, MADT_IOAPIC);
	put8(e + 1, 12);
	put8(e + 2, 0);				/* IO APIC ID */
	put8(e + 3, 0);
	put32(e + 4, (uint32_t)GPA_IOAPIC);
	put32(e + 8, 0);			/* GSI base */
	e += 12;

	/* The SCI: ISA IRQ 9, level-triggered, active high (as PC firmware states it). */
	put8(e, MADT_ISO);
	put8(e + 1, 10);
	put8(e + 2, 0);				/* ISA bus */
	put8(e + 3, SCI_IRQ);
	put32(e + 4, SCI_IRQ);
	put16(e + 8, ISO_ACTIVE_HIGH | ISO_LEVEL);
	e += 10;

	header(t, "APIC", (uint32_t)(e - t), 4);
	finish(t);
	return (uint32_t)(e - t);
}

static void build_xsdt(uint8_t *t)
{
	uint32_t len = HDR_LEN + 2 * 8;

	header(t, "XSDT", len, 1);
	put64(t + HDR_LEN, FADT_ADDR);
	put64(t + HDR_LEN + 8, MADT_ADDR);
	finish(t);
}

static void build_rsdp(uint8_t *t)
{
	memcpy(t, "RSD PTR ", 8);
	memcpy(t + 9, "ZXHV  ", 6);
	put8(t + 15, 2);			/* ACPI 2.0+: XSDT */
	put32(t + 16, 0);			/* no RSDT */
	put32(t + 20, 36);
	put64(t + 24, XSDT_ADDR);
	t[8] = checksum(t, 20);
	t[32] = checksum(t, 36);
}

void acpi_setup(struct vmm *vm)
{
	uint8_t *base = vm->mem;

	memset(base + GPA_ACPI, 0, ACPI_END - GPA_ACPI);
	build_facs(base + FACS_ADDR);
	build_dsdt(base + DSDT_ADDR);
	build_fadt(base + FADT_ADDR);
	build_madt(base + MADT_ADDR, vm->cfg.cpus);
	build_xsdt(base + XSDT_ADDR);
	build_rsdp(base + RSDP_ADDR);
}
