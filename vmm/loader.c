// SPDX-License-Identifier: BSD-2-Clause
/*
 * The kernel and initrd loader.
 *
 * Two kernel formats (Documentation/x86/boot.rst, "64-bit Boot Protocol"):
 *  - an uncompressed vmlinux ELF: each PT_LOAD segment goes to its physical
 *    address and the VCPU enters at e_entry (startup_64) with a zero page
 *    built from scratch; no decompressor runs;
 *  - a bzImage: the protected-mode part goes to a 2 MiB aligned address at or
 *    above 16 MiB, and the VCPU enters its 64-bit entry 0x200 bytes in; the
 *    decompressor then owns [load, load + init_size).
 * The initrd goes at the top of RAM (below the kernel's initrd_addr_max) and
 * above everything the kernel or its decompressor can write.
 *
 * Images go into guest memory with zx_vmo_write() rather than through the
 * VMM's own mapping: the kernel fills the VMO's pages without a page fault
 * per 4 KiB of the mapping (a vmlinux is ~60 MB: that was ~20 ms of a ~0.4 s
 * boot).  The VMO is new, so its pages read as zero: a segment's tail past
 * its file size needs no clearing, and neither do the image's own all-zero
 * pages (.bss and padding: 6,947 of a Debian 6.1 vmlinux's 14,571), which
 * are left out and stay uncommitted until the guest touches them.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zircon/status.h>

#include "vmm.h"

/* Setup-header offsets in a bzImage (= in the zero page). */
#define HDR_START		0x1f1
#define HDR_SETUP_SECTS		0x1f1
#define HDR_SYSSIZE		0x1f4
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP		0x200
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_LOADFLAGS		0x211
#define HDR_CODE32_START	0x214
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_CMDLINE_SIZE	0x238
#define HDR_XLOADFLAGS		0x236
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
#define HDR_END			(HDR_START + 0x80)

#define LOADED_HIGH		0x01
#define XLF_KERNEL_64		0x01
#define KERNEL_LOAD_MIN		(16ull << 20)
#define ELF_CMDLINE_MAX		2047	/* x86 COMMAND_LINE_SIZE - 1 */
#define ELF_INITRD_MAX		0x7fffffffull

static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static const uint8_t *map_file(const char *arg, const char *path, size_t *len)
{
	struct stat st;
	void *p;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		vmm_die_input(arg, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		vmm_die_input(arg, "%s: not a regular file", path);
	if (st.st_size == 0)
		vmm_die_input(arg, "%s: empty file", path);
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		vmm_die_input(arg, "%s: %s", path, strerror(errno));
	close(fd);
	*len = (size_t)st.st_size;
	return p;
}

/* Does the PT_NOTE segment at [off, off+len) hold a "Linux" or "Xen" note? */
static bool has_linux_note(const uint8_t *img, uint64_t off, uint64_t len)
{
	uint64_t p = off, end = off + len;

	while (p + 12 <= end) {
		uint32_t namesz = get32(img + p), descsz = get32(img + p + 4);
		uint64_t name = p + 12;
		uint64_t next = name + ((namesz + 3ull) & ~3ull) + ((descsz + 3ull) & ~3ull);

		if (next > end || next <= p)
			return false;
		if ((namesz == 6 && memcmp(img + name, "Linux", 6) == 0) ||
		    (namesz == 4 && memcmp(img + name, "Xen", 4) == 0))
			return true;
		p = next;
	}
	return false;
}

static void check_elf(const struct vmm_config *cfg, struct vmm_boot *b)
{
	const char *path = cfg->kernel;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)b->kimg;
	uint64_t lo = UINT64_MAX, hi = 0;
	bool linux_note = false;

	if (b->klen < sizeof(*eh))
		vmm_die_input("--kernel", "%s: truncated ELF header", path);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC)
		vmm_die_input("--kernel", "%s: not an x86-64 Linux vmlinux (ELF of another kind)",
			      path);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    eh->e_phoff > b->klen || (b->klen - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		vmm_die_input("--kernel", "%s: truncated or bad ELF program headers", path);

	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, b->kimg + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD && ph.p_type != PT_NOTE)
			continue;
		if (ph.p_offset > b->klen || b->klen - ph.p_offset < ph.p_filesz)
			vmm_die_input("--kernel", "%s: truncated (segment %u ends past the file)",
				      path, i);
		if (ph.p_type == PT_NOTE) {
			linux_note |= has_linux_note(b->kimg, ph.p_offset, ph.p_filesz);
			continue;
		}
		if (ph.p_filesz > ph.p_memsz || ph.p_paddr + ph.p_memsz < ph.p_paddr)
			vmm_die_input("--kernel", "%s: bad ELF segment %u", path, i);
		if (ph.p_memsz == 0)
			continue;
		lo = ph.p_paddr < lo ? ph.p_paddr : lo;
		hi = ph.p_paddr + ph.p_memsz > hi ? ph.p_paddr + ph.p_memsz : hi;
	}
	if (!linux_note)
		vmm_die_input("--kernel", "%s: an x86-64 ELF but not a Linux vmlinux (no Linux note)",
			      path);
	if (hi == 0)
		vmm_die_input("--kernel", "%s: no loadable segment", path);
	if (lo < GPA_HIGH || (lo & 0x1fffff))
		vmm_die_input("--kernel", "%s: loads at %#llx, not a 2 MiB aligned address above 1 MiB",
			      path, (unsigned long long)lo);
	if (hi > cfg->memory)
		vmm_die_input("--kernel", "%s: needs memory up to %llu MiB; --memory is %llu MiB",
			      path, (unsigned long long)(hi >> 20) + 1,
			      (unsigned long long)(cfg->memory >> 20));
	if (eh->e_entry < lo || eh->e_entry >= hi)
		vmm_die_input("--kernel", "%s: entry %#llx outside its segments", path,
			      (unsigned long long)eh->e_entry);

	b->is_elf = true;
	b->entry = eh->e_entry;
	b->kernel_start = lo;
	b->kernel_end = hi;
	b->cmdline_max = ELF_CMDLINE_MAX;
	b->initrd_max = ELF_INITRD_MAX + 1;

	/* A setup header from scratch: what a boot loader states (boot.rst). */
	b->setup_header_len = HDR_END - HDR_START;
	memset(b->setup_header, 0, sizeof(b->setup_header));
	put16(b->setup_header + HDR_BOOT_FLAG - HDR_START, 0xaa55);
	memcpy(b->setup_header + HDR_MAGIC - HDR_START, "HdrS", 4);
	put16(b->setup_header + HDR_VERSION - HDR_START, 0x020f);
	b->setup_header[HDR_LOADFLAGS - HDR_START] = LOADED_HIGH;
	put32(b->setup_header + HDR_KERNEL_ALIGNMENT - HDR_START, 0x200000);
	put32(b->setup_header + HDR_CMDLINE_SIZE - HDR_START, ELF_CMDLINE_MAX);
	put32(b->setup_header + HDR_INITRD_ADDR_MAX - HDR_START, (uint32_t)ELF_INITRD_MAX);
}

static void check_bzimage(const struct vmm_config *cfg, struct vmm_boot *b)
{
	const char *path = cfg->kernel;
	const uint8_t *k = b->kimg;
	unsigned int setup_sects, hdr_len;
	uint64_t pm_off, pm_len, align, load, init_size;
	uint16_t version;

	if (b->klen < HDR_END)
		vmm_die_input("--kernel", "%s: truncated (%zu bytes)", path, b->klen);
	version = get16(k + HDR_VERSION);
	if (version < 0x20c || !(k[HDR_LOADFLAGS] & LOADED_HIGH) ||
	    !(get16(k + HDR_XLOADFLAGS) & XLF_KERNEL_64))
		vmm_die_input("--kernel", "%s: a bzImage without the 64-bit entry (protocol %#x)",
			      path, version);
	setup_sects = k[HDR_SETUP_SECTS] ? k[HDR_SETUP_SECTS] : 4;
	pm_off = (setup_sects + 1ull) * 512;
	pm_len = get32(k + HDR_SYSSIZE) * 16ull;
	if (pm_len == 0 || pm_off > b->klen || b->klen - pm_off < pm_len)
		vmm_die_input("--kernel", "%s: truncated (the header promises %llu bytes, the file has %zu)",
			      path, (unsigned long long)(pm_off + pm_len), b->klen);

	align = get32(k + HDR_KERNEL_ALIGNMENT);
	if (align == 0 || (align & (align - 1)) || align > (1ull << 30))
		vmm_die_input("--kernel", "%s: bad kernel_alignment %#llx", path,
			      (unsigned long long)align);
	load = get64(k + HDR_PREF_ADDRESS);
	if (k[HDR_RELOCATABLE] && load < KERNEL_LOAD_MIN)
		load = KERNEL_LOAD_MIN;
	/* Below the memory's end (<= 3 GiB), neither the round-up nor load + init_size wraps. */
	if (load >= cfg->memory)
		vmm_die_input("--kernel", "%s: loads at %#llx, beyond the end of memory (--memory is "
			      "%llu MiB)", path, (unsigned long long)load,
			      (unsigned long long)(cfg->memory >> 20));
	if (k[HDR_RELOCATABLE])
		load = (load + align - 1) & ~(align - 1);
	if (load < GPA_HIGH)
		vmm_die_input("--kernel", "%s: a non-relocatable kernel for %#llx", path,
			      (unsigned long long)load);
	init_size = get32(k + HDR_INIT_SIZE);
	if (init_size < pm_len)
		init_size = pm_len;
	if (load > cfg->memory || init_size > cfg->memory - load)
		vmm_die_input("--kernel", "%s: needs memory up to %llu MiB; --memory is %llu MiB",
			      path, (unsigned long long)((load + init_size) >> 20) + 1,
			      (unsigned long long)(cfg->memory >> 20));

	b->is_elf = false;
	b->entry = load + 0x200;
	b->kernel_start = load;
	b->kernel_end = load + init_size;
	b->cmdline_max = version >= 0x206 ? get32(k + HDR_CMDLINE_SIZE) : 255;
	b->initrd_max = (uint64_t)get32(k + HDR_INITRD_ADDR_MAX) + 1;

	hdr_len = HDR_JUMP + 2 + k[HDR_JUMP + 1] - HDR_START;
	if (hdr_len > HDR_END - HDR_START)
		hdr_len = HDR_END - HDR_START;
	b->setup_header_len = hdr_len;
	memcpy(b->setup_header, k + HDR_START, hdr_len);
	put32(b->setup_header + HDR_CODE32_START - HDR_START, (uint32_t)load);
}

void loader_check(const struct vmm_config *cfg, struct vmm_boot *b)
{
	uint64_t top;

	b->kimg = map_file("--kernel", cfg->kernel, &b->klen);
	if (b->klen >= 4 && memcmp(b->kimg, ELFMAG, SELFMAG) == 0)
		check_elf(cfg, b);
	else if (b->klen >= HDR_MAGIC + 4 && get16(b->kimg + HDR_BOOT_FLAG) == 0xaa55 &&
		 memcmp(b->kimg + HDR_MAGIC, "HdrS", 4) == 0)
		check_bzimage(cfg, b);
	else
		vmm_die_input("--kernel", "%s: not a Linux kernel (neither a vmlinux ELF nor a bzImage)",
			      cfg->kernel);

	if (strlen(cfg->cmdline) > b->cmdline_max)
		vmm_die_input("--cmdline", "%zu bytes, over the kernel's limit of %u",
			      strlen(cfg->cmdline), b->cmdline_max);

	if (!cfg->initrd)
		return;
	b->iimg = map_file("--initrd", cfg->initrd, &b->ilen);
	top = cfg->memory < b->initrd_max ? cfg->memory : b->initrd_max;
	b->initrd_size = b->ilen;
	if (b->ilen > top || ((top - b->ilen) & ~0xfffull) < b->kernel_end)
		vmm_die_input("--initrd", "%s: %zu bytes do not fit between the kernel's end (%llu MiB) "
			      "and the end of memory (%llu MiB)", cfg->initrd, b->ilen,
			      (unsigned long long)(b->kernel_end >> 20),
			      (unsigned long long)(top >> 20));
	b->initrd_gpa = (top - b->ilen) & ~0xfffull;
}

static void write_run(struct vmm *vm, uint64_t gpa, const uint8_t *src, size_t len,
		      const char *what)
{
	zx_status_t s = zx_vmo_write(vm->vmo, src, gpa, len);

	if (s != ZX_OK) {
		fprintf(stderr, "zxhv-vmm: placing the %s at %#llx (%zu bytes): %s\n", what,
			(unsigned long long)gpa, len, zx_status_get_string(s));
		exit(EXIT_VM_FAILURE);
	}
}

/* Copies an image into guest memory, leaving out its all-zero pages (see the top). */
static void place(struct vmm *vm, uint64_t gpa, const uint8_t *src, size_t len, const char *what)
{
	static const uint8_t zero[4096];
	size_t run = 0, off = 0;

	while (off < len) {
		size_t n = 4096 - (size_t)((gpa + off) & 4095);	/* to the next guest page */

		if (n > len - off)
			n = len - off;
		if (!memcmp(src + off, zero, n)) {
			if (off > run)
				write_run(vm, gpa + run, src + run, off - run, what);
			run = off + n;
		}
		off += n;
	}
	if (len > run)
		write_run(vm, gpa + run, src + run, len - run, what);
}

void loader_place(struct vmm *vm, const struct vmm_boot *b)
{
	if (b->is_elf) {
		const Elf64_Ehdr *eh = (const Elf64_Ehdr *)b->kimg;

		for (unsigned int i = 0; i < eh->e_phnum; i++) {
			Elf64_Phdr ph;

			memcpy(&ph, b->kimg + eh->e_phoff + i * sizeof(ph), sizeof(ph));
			if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
				continue;
			place(vm, ph.p_paddr, b->kimg + ph.p_offset, ph.p_filesz, "kernel");
		}
	} else {
		unsigned int setup_sects = b->kimg[HDR_SETUP_SECTS] ? b->kimg[HDR_SETUP_SECTS] : 4;
		uint64_t pm_off = (setup_sects + 1ull) * 512;

		place(vm, b->kernel_start, b->kimg + pm_off, get32(b->kimg + HDR_SYSSIZE) * 16ull,
		      "kernel");
	}
	if (b->iimg)
		place(vm, b->initrd_gpa, b->iimg, b->ilen, "initrd");
}
