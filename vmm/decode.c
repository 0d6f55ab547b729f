// SPDX-License-Identifier: BSD-2-Clause
/*
 * MMIO instruction decode.  A MEM-trap packet carries the guest-physical
 * address, CR3, RIP, the instruction's length and the default operand size,
 * but not its bytes: walk the guest's 4-level page tables from CR3 to fetch
 * them, then decode the MOV forms compilers emit for readl()/writel() and
 * friends (SDM Vol. 2 "MOV", "MOVZX"):
 *
 *   88 /r  MOV r/m8, r8        8A /r  MOV r8, r/m8
 *   89 /r  MOV r/m, r          8B /r  MOV r, r/m
 *   C6 /0  MOV r/m8, imm8      C7 /0  MOV r/m, imm16/32
 *   0F B6  MOVZX r, r/m8       0F B7  MOVZX r, r/m16
 *
 * with 66, REX and segment/lock prefixes.  The address comes from the
 * packet, so ModRM only matters for the register; an immediate is always
 * the instruction's last bytes.
 */
#include <stdio.h>
#include <string.h>

#include "vmm.h"

#define PTE_P		0x1ull
#define PTE_PS		0x80ull
#define PTE_ADDR	0x000ffffffffff000ull

static bool read_gpa64(struct vmm *vm, uint64_t gpa, uint64_t *v)
{
	if (gpa > vm->mem_size - 8)
		return false;
	memcpy(v, vm->mem + gpa, 8);
	return true;
}

/* Guest-virtual to guest-physical through 4-level paging (no LA57). */
static bool translate(struct vmm *vm, uint64_t cr3, uint64_t gva, uint64_t *gpa)
{
	uint64_t table = cr3 & PTE_ADDR, e;

	for (int level = 4; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);

		if (!read_gpa64(vm, table + ((gva >> shift) & 511) * 8, &e) || !(e & PTE_P))
			return false;
		if ((level == 3 || level == 2) && (e & PTE_PS)) {
			uint64_t off = (1ull << shift) - 1;

			*gpa = (e & PTE_ADDR & ~off) | (gva & off);
			return true;
		}
		table = e & PTE_ADDR;
	}
	*gpa = table | (gva & 0xfff);
	return true;
}

static bool fetch(struct vmm *vm, uint64_t cr3, uint64_t rip, uint8_t *buf, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++) {
		uint64_t gpa;

		if (!translate(vm, cr3, rip + i, &gpa) || gpa >= vm->mem_size)
			return false;
		buf[i] = vm->mem[gpa];
	}
	return true;
}

static uint64_t reg_value(const zx_vcpu_state_t *st, int reg, unsigned int size, bool high)
{
	uint64_t r[16], v;

	memcpy(r, st, sizeof(r));		/* rax..r15 in hardware order */
	v = r[reg];

	if (high)
		return (v >> 8) & 0xff;
	return size == 8 ? v : v & ((1ull << (8 * size)) - 1);
}

bool decode_mmio(struct vmm *vm, zx_handle_t vcpu, const zx_packet_guest_mem_t *mem,
		 struct mmio_access *acc, char *why, size_t why_len)
{
	uint8_t insn[15];
	unsigned int len = mem->instruction_size, i = 0, opsize, modrm_reg;
	bool opsize_prefix = false, rex_seen = false;
	uint8_t rex = 0, op;

	memset(acc, 0, sizeof(*acc));
	if (len == 0 || len > sizeof(insn)) {
		snprintf(why, why_len, "instruction length %u", len);
		return false;
	}
	if (!fetch(vm, mem->cr3, mem->rip, insn, len)) {
		snprintf(why, why_len, "cannot fetch the instruction at %#llx (cr3 %#llx)",
			 (unsigned long long)mem->rip, (unsigned long long)mem->cr3);
		return false;
	}
	for (; i < len; i++) {
		uint8_t b = insn[i];

		if (b == 0x66)
			opsize_prefix = true;
		else if (b == 0xf0 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x26 ||
			 b == 0x64 || b == 0x65 || b == 0x67)
			continue;
		else
			break;
	}
	if (i < len && (insn[i] & 0xf0) == 0x40) {
		rex = insn[i++];
		rex_seen = true;
	}
	opsize = mem->default_operand_size == 2 ? 2 : 4;
	if (opsize_prefix)
		opsize = opsize == 4 ? 2 : 4;
	if (rex & 0x8)
		opsize = 8;
	if (i + 1 >= len)
		goto unknown;
	op = insn[i++];
	if (op == 0x0f) {
		op = insn[i++];
		if ((op != 0xb6 && op != 0xb7) || i >= len)
			goto unknown;
		modrm_reg = ((insn[i] >> 3) & 7) | ((rex & 0x4) << 1);
		acc->size = op == 0xb6 ? 1 : 2;
		acc->reg = (int)modrm_reg;
		acc->dest_size = opsize;
		return true;
	}
	modrm_reg = ((insn[i] >> 3) & 7) | ((rex & 0x4) << 1);
	switch (op) {
	case 0x88:
	case 0x89:
	case 0x8a:
	case 0x8b: {
		unsigned int size = (op & 1) ? opsize : 1;
		bool high = size == 1 && !rex_seen && modrm_reg >= 4 && modrm_reg < 8;
		int reg = high ? (int)modrm_reg - 4 : (int)modrm_reg;

		acc->size = size;
		if (op == 0x88 || op == 0x89) {
			zx_vcpu_state_t st;
			zx_status_t s = zx_vcpu_read_state(vcpu, ZX_VCPU_STATE, &st, sizeof(st));

			if (s != ZX_OK) {
				snprintf(why, why_len, "zx_vcpu_read_state: %d", s);
				return false;
			}
			acc->write = true;
			acc->value = reg_value(&st, reg, size, high);
		} else {
			acc->reg = reg;
			acc->dest_size = size;
			acc->high_byte = high;
		}
		return true;
	}
	case 0xc6:
	case 0xc7: {
		unsigned int imm = op == 0xc6 ? 1 : (opsize == 2 ? 2 : 4);
		uint64_t v = 0;

		if ((modrm_reg & 7) != 0 || len < i + 1 + imm)
			goto unknown;
		memcpy(&v, insn + len - imm, imm);
		if (op == 0xc7 && opsize == 8 && (v & 0x80000000ull))
			v |= 0xffffffff00000000ull;	/* imm32 sign-extended */
		acc->write = true;
		acc->size = op == 0xc6 ? 1 : opsize;
		acc->value = v;
		return true;
	}
	default:
		break;
	}
unknown:
	{
		int n = snprintf(why, why_len, "unsupported MMIO instruction at %#llx:",
				 (unsigned long long)mem->rip);

		for (unsigned int k = 0; k < len && n > 0 && (size_t)n + 4 < why_len; k++)
			n += snprintf(why + n, why_len - (size_t)n, " %02x", insn[k]);
	}
	return false;
}

bool decode_complete_read(zx_handle_t vcpu, const struct mmio_access *acc, uint64_t value)
{
	zx_vcpu_state_t st;
	uint64_t r[16], mask;

	if (zx_vcpu_read_state(vcpu, ZX_VCPU_STATE, &st, sizeof(st)) != ZX_OK)
		return false;
	memcpy(r, &st, sizeof(r));
	if (acc->size < 8)
		value &= (1ull << (8 * acc->size)) - 1;
	if (acc->high_byte) {
		r[acc->reg] = (r[acc->reg] & ~0xff00ull) | (value << 8);
	} else if (acc->dest_size >= 4) {
		r[acc->reg] = acc->dest_size == 4 ? (uint32_t)value : value;
	} else {
		mask = (1ull << (8 * acc->dest_size)) - 1;
		r[acc->reg] = (r[acc->reg] & ~mask) | (value & mask);
	}
	memcpy(&st, r, sizeof(r));
	st.rflags = 0;				/* bit 1 clear: leave RFLAGS alone */
	return zx_vcpu_write_state(vcpu, ZX_VCPU_STATE, &st, sizeof(st)) == ZX_OK;
}
