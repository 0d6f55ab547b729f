// SPDX-License-Identifier: BSD-2-Clause
/*
 * What a boot loader leaves for Linux's 64-bit entry (boot.rst, zero-page.rst):
 * identity page tables at GPA 0 (CR3 is 0 when the first VCPU starts), the
 * zero page with the setup header, the e820 map, the command line and the
 * initrd, and the BIOS data area words Linux reads for the EBDA.
 */
#include <string.h>

#include "vmm.h"

/* Zero-page offsets. */
#define BP_ACPI_RSDP_ADDR	0x070
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_SETUP_HEADER		0x1f1
#define BP_TYPE_OF_LOADER	0x210
#define BP_RAMDISK_IMAGE	0x218
#define BP_RAMDISK_SIZE		0x21c
#define BP_CMD_LINE_PTR		0x228
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128

#define E820_RAM		1
#define E820_RESERVED		2

/* BIOS data area: the EBDA segment and the base memory size in KiB. */
#define BDA_EBDA_SEGMENT	0x40e
#define BDA_BASE_MEM_KB		0x413

#define PTE_P			0x1ull
#define PTE_RW			0x2ull
#define PTE_PS			0x80ull

static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

/* Identity map of [0, 4 GiB) with 2 MiB pages (no 1 GiB pages: the guest may lack pdpe1gb). */
static void page_tables(uint8_t *mem)
{
	memset(mem + GPA_PML4, 0, 0x6000);
	put64(mem + GPA_PML4, GPA_PDPT | PTE_P | PTE_RW);
	for (uint64_t i = 0; i < 4; i++)
		put64(mem + GPA_PDPT + i * 8, (GPA_PD + i * 0x1000) | PTE_P | PTE_RW);
	for (uint64_t i = 0; i < 4 * 512; i++)
		put64(mem + GPA_PD + i * 8, (i << 21) | PTE_P | PTE_RW | PTE_PS);
}

static void e820_add(uint8_t *zp, uint64_t addr, uint64_t size, uint32_t type)
{
	uint8_t n = zp[BP_E820_ENTRIES];
	uint8_t *e = zp + BP_E820_TABLE + n * 20;

	put64(e, addr);
	put64(e + 8, size);
	put32(e + 16, type);
	zp[BP_E820_ENTRIES] = n + 1;
}

void bootparams_setup(struct vmm *vm, const struct vmm_boot *b)
{
	uint8_t *zp = vm->mem + GPA_ZERO_PAGE;
	size_t len = strlen(vm->cfg.cmdline);

	page_tables(vm->mem);

	put16(vm->mem + BDA_EBDA_SEGMENT, (uint16_t)(GPA_EBDA >> 4));
	put16(vm->mem + BDA_BASE_MEM_KB, (uint16_t)(GPA_EBDA >> 10));

	memset(zp, 0, 0x1000);
	memcpy(zp + BP_SETUP_HEADER, b->setup_header, b->setup_header_len);
	zp[BP_TYPE_OF_LOADER] = 0xff;	/* "undefined" boot loader */
	put64(zp + BP_ACPI_RSDP_ADDR, GPA_ACPI);

	memcpy(vm->mem + GPA_CMDLINE, vm->cfg.cmdline, len + 1);
	put32(zp + BP_CMD_LINE_PTR, (uint32_t)GPA_CMDLINE);
	put32(zp + BP_EXT_CMD_LINE_PTR, 0);

	if (b->initrd_size) {
		put32(zp + BP_RAMDISK_IMAGE, (uint32_t)b->initrd_gpa);
		put32(zp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(b->initrd_gpa >> 32));
		put32(zp + BP_RAMDISK_SIZE, (uint32_t)b->initrd_size);
		put32(zp + BP_EXT_RAMDISK_SIZE, (uint32_t)(b->initrd_size >> 32));
	}

	/* RAM below the EBDA (page tables, zero page, command line, AP trampoline), the
	 * BIOS area reserved, RAM from 1 MiB, and the two APICs' pages. */
	e820_add(zp, 0, GPA_EBDA, E820_RAM);
	e820_add(zp, GPA_EBDA, GPA_HIGH - GPA_EBDA, E820_RESERVED);
	e820_add(zp, GPA_HIGH, vm->mem_size - GPA_HIGH, E820_RAM);
	e820_add(zp, GPA_IOAPIC, 0x1000, E820_RESERVED);
	e820_add(zp, GPA_LAPIC, 0x1000, E820_RESERVED);
}
