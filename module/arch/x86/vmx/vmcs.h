/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The typed accessors that are the only way zircon-hv reads and writes a
 * VMCS.  The field encodings (Intel SDM Vol. 3D, Appendix B) are the
 * kernel's enum vmcs_field from <asm/vmx.h> (GUEST_RIP, VM_EXIT_REASON, ...;
 * see vmx_compat.h).
 *
 * An encoding's bits 14:13 give the field's width (24.11.2): 0 = 16-bit,
 * 1 = 64-bit, 2 = 32-bit, 3 = natural width; bit 0 of a 64-bit field
 * selects its high 32 bits ("high" access).  vmcs_read16/32/64/nat and
 * vmcs_write16/32/64/nat refuse at compile time an encoding of another
 * width (and, for a variable encoding, warn once at run time).
 *
 * The accessors expect a current VMCS on this CPU (preemption disabled).
 * A failure is a bug: they warn once per call site with the VM-instruction
 * error.  Writes return the enum vmx_insn_status so a sequence of writes
 * can be checked as one (err |= vmcs_write32(...)); reads return 0 on
 * failure.  Raw vmx_vmread()/vmx_vmwrite() (vmx_ops.h) do not warn, for
 * the callers that expect a failure.
 */
#ifndef ZXHV_VMX_VMCS_H
#define ZXHV_VMX_VMCS_H

#include <linux/build_bug.h>
#include <linux/bug.h>
#include <linux/types.h>

#include "vmx_compat.h"
#include "vmx_cpu.h"
#include "vmx_ops.h"

#define VMCS_WIDTH_16		0u
#define VMCS_WIDTH_64		1u
#define VMCS_WIDTH_32		2u
#define VMCS_WIDTH_NATURAL	3u
#define VMCS_FIELD_WIDTH(f)	(((f) >> 13) & 3u)
#define VMCS_FIELD_HIGH(f)	((f) & 1u)

/* The VM-instruction error of the current VMCS, or 0 if there is none. */
static __always_inline u32 vmx_insn_error(void)
{
	unsigned long err = 0;

	if (vmx_vmread(VM_INSTRUCTION_ERROR, &err) != VMX_INSN_OK)
		return 0;
	return (u32)err;
}

/*
 * Warn once per call site that a VMX instruction failed where it must not,
 * naming the instruction, its operand and the VM-instruction error (read
 * only for VMfailValid: otherwise there is no current VMCS to hold it).
 * A fault on a CPU that the reboot notifier or the crash callback took out
 * of VMX operation is expected, not a bug: the run loop notices it and
 * returns ZX_ERR_BAD_STATE, so it is not reported (no warning per site).
 */
#define VMX_INSN_WARN(status, insn, arg)				\
	({								\
		enum vmx_insn_status __st = (status);			\
									\
		WARN_ONCE(__st != VMX_INSN_OK &&			\
			  (__st != VMX_INSN_FAULT || zxhv_vmx_cpu_on()),	\
			  "zircon-hv: %s %#llx failed: status %d, VM-instruction error %u\n", \
			  (insn), (unsigned long long)(arg), (int)__st,	\
			  __st == VMX_INSN_FAIL_VALID ? vmx_insn_error() : 0u); \
	})

/* Refuse an encoding of another width: at compile time when constant. */
static __always_inline void __vmcs_check_width(u32 field, u32 width)
{
	BUILD_BUG_ON_MSG(__builtin_constant_p(field) &&
			 (VMCS_FIELD_WIDTH(field) != width ||
			  (width == VMCS_WIDTH_64 && VMCS_FIELD_HIGH(field))),
			 "VMCS field of another width");
	if (!__builtin_constant_p(field))
		WARN_ON_ONCE(VMCS_FIELD_WIDTH(field) != width);
}

static __always_inline unsigned long __vmcs_read(u32 field)
{
	unsigned long v = 0;
	enum vmx_insn_status st = vmx_vmread(field, &v);

	VMX_INSN_WARN(st, "vmread", field);
	return st == VMX_INSN_OK ? v : 0;
}

static __always_inline enum vmx_insn_status
__vmcs_write(u32 field, unsigned long value)
{
	enum vmx_insn_status st = vmx_vmwrite(field, value);

	VMX_INSN_WARN(st, "vmwrite", field);
	return st;
}

static __always_inline u16 vmcs_read16(u32 field)
{
	__vmcs_check_width(field, VMCS_WIDTH_16);
	return (u16)__vmcs_read(field);
}

static __always_inline u32 vmcs_read32(u32 field)
{
	__vmcs_check_width(field, VMCS_WIDTH_32);
	return (u32)__vmcs_read(field);
}

static __always_inline u64 vmcs_read64(u32 field)
{
	__vmcs_check_width(field, VMCS_WIDTH_64);
	return __vmcs_read(field);
}

static __always_inline unsigned long vmcs_readnat(u32 field)
{
	__vmcs_check_width(field, VMCS_WIDTH_NATURAL);
	return __vmcs_read(field);
}

static __always_inline enum vmx_insn_status vmcs_write16(u32 field, u16 value)
{
	__vmcs_check_width(field, VMCS_WIDTH_16);
	return __vmcs_write(field, value);
}

static __always_inline enum vmx_insn_status vmcs_write32(u32 field, u32 value)
{
	__vmcs_check_width(field, VMCS_WIDTH_32);
	return __vmcs_write(field, value);
}

static __always_inline enum vmx_insn_status vmcs_write64(u32 field, u64 value)
{
	__vmcs_check_width(field, VMCS_WIDTH_64);
	return __vmcs_write(field, value);
}

static __always_inline enum vmx_insn_status
vmcs_writenat(u32 field, unsigned long value)
{
	__vmcs_check_width(field, VMCS_WIDTH_NATURAL);
	return __vmcs_write(field, value);
}

#endif /* ZXHV_VMX_VMCS_H */
