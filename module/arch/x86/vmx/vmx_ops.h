/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMX instructions: the only inline assembly for them in zircon-hv.
 *
 * Intel SDM Vol. 3C, 31.2 "Conventions": a VMX instruction either succeeds
 * (CF = ZF = 0), fails with VMfailInvalid (CF = 1: there is no current VMCS
 * to hold an error number) or fails with VMfailValid (ZF = 1: the error
 * number is in the current VMCS's VM-instruction error field, 31.4).  Each
 * wrapper returns that outcome as an enum vmx_insn_status; none of them
 * warns or BUGs, the caller decides.  An instruction that faults (#UD when
 * the CPU is not in VMX operation, e.g. after an emergency VMXOFF on
 * reboot; #GP for a bad operand) is caught through the exception table and
 * reported as VMX_INSN_FAULT, VMREAD included.
 *
 * Callers for which a failure is a bug use VMX_INSN_WARN() (vmcs.h), which
 * warns once per call site with the VM-instruction error.
 */
#ifndef ZXHV_VMX_OPS_H
#define ZXHV_VMX_OPS_H

#include <linux/types.h>
#include <asm/asm.h>

enum vmx_insn_status {
	VMX_INSN_OK = 0,
	VMX_INSN_FAIL_INVALID,	/* CF = 1: no current VMCS */
	VMX_INSN_FAIL_VALID,	/* ZF = 1: see VM_INSTRUCTION_ERROR */
	VMX_INSN_FAULT,		/* #UD or #GP, recovered by the exception table */
};

/*
 * After a VMX instruction at local label 1: VMfailInvalid and VMfailValid
 * branch to their labels, and a fault at label 1 is fixed up to label 2,
 * which jumps to the fault label.
 */
#define VMX_INSN_BRANCHES						\
	"jc %l[fail_invalid]\n\t"					\
	"jz %l[fail_valid]\n\t"					\
	"jmp 3f\n"							\
	"2:\tjmp %l[fault]\n"						\
	"3:\n\t"							\
	_ASM_EXTABLE(1b, 2b)

/*
 * DEFINE_VMX_INSN - define vmx_<insn>(params), which runs one VMX
 * instruction without outputs and returns its enum vmx_insn_status.
 * @insn: the mnemonic; @params: the parenthesized parameter list;
 * @operands: the operand template; @...: the asm inputs it names.
 */
#define DEFINE_VMX_INSN(insn, params, operands, ...)			\
static __always_inline enum vmx_insn_status vmx_##insn params		\
{									\
	asm goto("1: " #insn " " operands "\n\t" VMX_INSN_BRANCHES	\
		 : : __VA_ARGS__ : "cc", "memory"			\
		 : fail_invalid, fail_valid, fault);			\
	return VMX_INSN_OK;						\
fail_invalid:								\
	return VMX_INSN_FAIL_INVALID;					\
fail_valid:								\
	return VMX_INSN_FAIL_VALID;					\
fault:									\
	return VMX_INSN_FAULT;						\
}

/* The 128-bit descriptors of INVEPT and INVVPID (SDM Vol. 3C 31.3). */
struct vmx_invept_desc {
	u64 eptp;
	u64 reserved;
};

struct vmx_invvpid_desc {
	u64 vpid;	/* bits 15:0; the rest must be 0 */
	u64 gla;
};

/* vmx_vmxon(region_pa): VMXON with a VMXON region's address (4 KiB aligned). */
DEFINE_VMX_INSN(vmxon, (u64 region_pa), "%[pa]", [pa] "m"(region_pa))
/* vmx_vmxoff() */
DEFINE_VMX_INSN(vmxoff, (void), "")
/* vmx_vmclear(vmcs_pa), vmx_vmptrld(vmcs_pa) */
DEFINE_VMX_INSN(vmclear, (u64 vmcs_pa), "%[pa]", [pa] "m"(vmcs_pa))
DEFINE_VMX_INSN(vmptrld, (u64 vmcs_pa), "%[pa]", [pa] "m"(vmcs_pa))
/* vmx_vmwrite(field, value): a raw encoding; width checks live in vmcs.h. */
DEFINE_VMX_INSN(vmwrite, (unsigned long field, unsigned long value),
		"%[val], %[field]", [val] "rm"(value), [field] "r"(field))
/*
 * vmx_invept(type, eptp), vmx_invvpid(type, vpid, gla): the types are the
 * kernel's VMX_EPT_EXTENT_* and VMX_VPID_EXTENT_* (<asm/vmx.h>).
 */
DEFINE_VMX_INSN(invept, (unsigned long type, u64 eptp), "%[desc], %[type]",
		[desc] "m"((struct vmx_invept_desc){ .eptp = eptp }), [type] "r"(type))
DEFINE_VMX_INSN(invvpid, (unsigned long type, u16 vpid, u64 gla), "%[desc], %[type]",
		[desc] "m"((struct vmx_invvpid_desc){ .vpid = vpid, .gla = gla }),
		[type] "r"(type))

/*
 * VMREAD of a raw encoding into *value (left untouched on failure), the
 * one instruction with an output, so not DEFINE_VMX_INSN.  An asm goto
 * with an output (GCC 11+, Debian 12's GCC 12): the output is read only
 * when the instruction succeeded, so a fault (#UD after an emergency
 * VMXOFF by the reboot notifier or the crash callback) reaches the fault
 * label with nothing to fix up.
 */
static __always_inline enum vmx_insn_status
vmx_vmread(unsigned long field, unsigned long *value)
{
	unsigned long v;

	asm goto("1: vmread %[field], %[val]\n\t" VMX_INSN_BRANCHES
		 : [val] "=r"(v)
		 : [field] "r"(field)
		 : "cc", "memory" : fail_invalid, fail_valid, fault);
	*value = v;
	return VMX_INSN_OK;
fail_invalid:
	return VMX_INSN_FAIL_INVALID;
fail_valid:
	return VMX_INSN_FAIL_VALID;
fault:
	return VMX_INSN_FAULT;
}

/* Guest GPRs for zxhv_vmx_run(), indexed by x86 register number. */
enum vmx_gpr {
	VMX_GPR_RAX, VMX_GPR_RCX, VMX_GPR_RDX, VMX_GPR_RBX,
	VMX_GPR_RSP_UNUSED, VMX_GPR_RBP, VMX_GPR_RSI, VMX_GPR_RDI,
	VMX_GPR_R8, VMX_GPR_R9, VMX_GPR_R10, VMX_GPR_R11,
	VMX_GPR_R12, VMX_GPR_R13, VMX_GPR_R14, VMX_GPR_R15,
	VMX_GPR_COUNT
};

/*
 * vmenter.S: VMLAUNCH (bit 0 of @flags clear) or VMRESUME with @gprs
 * loaded, with the ZXHV_RUN_* mitigations of spec.h in the other bits;
 * returns 0 after a VM exit (guest GPRs stored back), 1 on a VM-fail.
 * The current VMCS's HOST_RIP must be zxhv_vmx_exit_point; interrupts off.
 */
int zxhv_vmx_run(u64 *gprs, unsigned int flags);
void zxhv_vmx_exit_point(void);

#endif /* ZXHV_VMX_OPS_H */
