/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMCS field encodings (Intel SDM Vol. 3D, Appendix B) and the typed
 * accessors that are the only way zircon-hv reads and writes a VMCS.
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

#include "vmx_cpu.h"
#include "vmx_ops.h"

#define VMCS_WIDTH_16		0u
#define VMCS_WIDTH_64		1u
#define VMCS_WIDTH_32		2u
#define VMCS_WIDTH_NATURAL	3u
#define VMCS_FIELD_WIDTH(f)	(((f) >> 13) & 3u)
#define VMCS_FIELD_HIGH(f)	((f) & 1u)

enum vmcs_field {
	/* 16-bit control fields */
	VMCS_VPID				= 0x00000000,
	VMCS_POSTED_INTR_NOTIFICATION_VECTOR	= 0x00000002,
	VMCS_EPTP_INDEX				= 0x00000004,
	/* 16-bit guest-state fields */
	VMCS_GUEST_ES_SELECTOR			= 0x00000800,
	VMCS_GUEST_CS_SELECTOR			= 0x00000802,
	VMCS_GUEST_SS_SELECTOR			= 0x00000804,
	VMCS_GUEST_DS_SELECTOR			= 0x00000806,
	VMCS_GUEST_FS_SELECTOR			= 0x00000808,
	VMCS_GUEST_GS_SELECTOR			= 0x0000080a,
	VMCS_GUEST_LDTR_SELECTOR		= 0x0000080c,
	VMCS_GUEST_TR_SELECTOR			= 0x0000080e,
	VMCS_GUEST_INTR_STATUS			= 0x00000810,
	VMCS_GUEST_PML_INDEX			= 0x00000812,
	/* 16-bit host-state fields */
	VMCS_HOST_ES_SELECTOR			= 0x00000c00,
	VMCS_HOST_CS_SELECTOR			= 0x00000c02,
	VMCS_HOST_SS_SELECTOR			= 0x00000c04,
	VMCS_HOST_DS_SELECTOR			= 0x00000c06,
	VMCS_HOST_FS_SELECTOR			= 0x00000c08,
	VMCS_HOST_GS_SELECTOR			= 0x00000c0a,
	VMCS_HOST_TR_SELECTOR			= 0x00000c0c,

	/* 64-bit control fields */
	VMCS_IO_BITMAP_A			= 0x00002000,
	VMCS_IO_BITMAP_B			= 0x00002002,
	VMCS_MSR_BITMAP				= 0x00002004,
	VMCS_VM_EXIT_MSR_STORE_ADDR		= 0x00002006,
	VMCS_VM_EXIT_MSR_LOAD_ADDR		= 0x00002008,
	VMCS_VM_ENTRY_MSR_LOAD_ADDR		= 0x0000200a,
	VMCS_EXECUTIVE_VMCS_POINTER		= 0x0000200c,
	VMCS_PML_ADDRESS			= 0x0000200e,
	VMCS_TSC_OFFSET				= 0x00002010,
	VMCS_VIRTUAL_APIC_PAGE_ADDR		= 0x00002012,
	VMCS_APIC_ACCESS_ADDR			= 0x00002014,
	VMCS_POSTED_INTR_DESC_ADDR		= 0x00002016,
	VMCS_VM_FUNCTION_CONTROL		= 0x00002018,
	VMCS_EPT_POINTER			= 0x0000201a,
	VMCS_EOI_EXIT_BITMAP0			= 0x0000201c,
	VMCS_EOI_EXIT_BITMAP1			= 0x0000201e,
	VMCS_EOI_EXIT_BITMAP2			= 0x00002020,
	VMCS_EOI_EXIT_BITMAP3			= 0x00002022,
	VMCS_EPTP_LIST_ADDRESS			= 0x00002024,
	VMCS_VMREAD_BITMAP			= 0x00002026,
	VMCS_VMWRITE_BITMAP			= 0x00002028,
	VMCS_XSS_EXIT_BITMAP			= 0x0000202c,
	VMCS_TSC_MULTIPLIER			= 0x00002032,
	/* 64-bit read-only data field */
	VMCS_GUEST_PHYSICAL_ADDRESS		= 0x00002400,
	/* 64-bit guest-state fields */
	VMCS_VMCS_LINK_POINTER			= 0x00002800,
	VMCS_GUEST_IA32_DEBUGCTL		= 0x00002802,
	VMCS_GUEST_IA32_PAT			= 0x00002804,
	VMCS_GUEST_IA32_EFER			= 0x00002806,
	VMCS_GUEST_IA32_PERF_GLOBAL_CTRL	= 0x00002808,
	VMCS_GUEST_PDPTE0			= 0x0000280a,
	VMCS_GUEST_PDPTE1			= 0x0000280c,
	VMCS_GUEST_PDPTE2			= 0x0000280e,
	VMCS_GUEST_PDPTE3			= 0x00002810,
	VMCS_GUEST_IA32_BNDCFGS			= 0x00002812,
	/* 64-bit host-state fields */
	VMCS_HOST_IA32_PAT			= 0x00002c00,
	VMCS_HOST_IA32_EFER			= 0x00002c02,
	VMCS_HOST_IA32_PERF_GLOBAL_CTRL		= 0x00002c04,

	/* 32-bit control fields */
	VMCS_PIN_BASED_VM_EXEC_CONTROL		= 0x00004000,
	VMCS_CPU_BASED_VM_EXEC_CONTROL		= 0x00004002,
	VMCS_EXCEPTION_BITMAP			= 0x00004004,
	VMCS_PAGE_FAULT_ERROR_CODE_MASK		= 0x00004006,
	VMCS_PAGE_FAULT_ERROR_CODE_MATCH	= 0x00004008,
	VMCS_CR3_TARGET_COUNT			= 0x0000400a,
	VMCS_VM_EXIT_CONTROLS			= 0x0000400c,
	VMCS_VM_EXIT_MSR_STORE_COUNT		= 0x0000400e,
	VMCS_VM_EXIT_MSR_LOAD_COUNT		= 0x00004010,
	VMCS_VM_ENTRY_CONTROLS			= 0x00004012,
	VMCS_VM_ENTRY_MSR_LOAD_COUNT		= 0x00004014,
	VMCS_VM_ENTRY_INTR_INFO			= 0x00004016,
	VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE	= 0x00004018,
	VMCS_VM_ENTRY_INSTRUCTION_LEN		= 0x0000401a,
	VMCS_TPR_THRESHOLD			= 0x0000401c,
	VMCS_SECONDARY_VM_EXEC_CONTROL		= 0x0000401e,
	VMCS_PLE_GAP				= 0x00004020,
	VMCS_PLE_WINDOW				= 0x00004022,
	/* 32-bit read-only data fields */
	VMCS_VM_INSTRUCTION_ERROR		= 0x00004400,
	VMCS_VM_EXIT_REASON			= 0x00004402,
	VMCS_VM_EXIT_INTR_INFO			= 0x00004404,
	VMCS_VM_EXIT_INTR_ERROR_CODE		= 0x00004406,
	VMCS_IDT_VECTORING_INFO			= 0x00004408,
	VMCS_IDT_VECTORING_ERROR_CODE		= 0x0000440a,
	VMCS_VM_EXIT_INSTRUCTION_LEN		= 0x0000440c,
	VMCS_VMX_INSTRUCTION_INFO		= 0x0000440e,
	/* 32-bit guest-state fields */
	VMCS_GUEST_ES_LIMIT			= 0x00004800,
	VMCS_GUEST_CS_LIMIT			= 0x00004802,
	VMCS_GUEST_SS_LIMIT			= 0x00004804,
	VMCS_GUEST_DS_LIMIT			= 0x00004806,
	VMCS_GUEST_FS_LIMIT			= 0x00004808,
	VMCS_GUEST_GS_LIMIT			= 0x0000480a,
	VMCS_GUEST_LDTR_LIMIT			= 0x0000480c,
	VMCS_GUEST_TR_LIMIT			= 0x0000480e,
	VMCS_GUEST_GDTR_LIMIT			= 0x00004810,
	VMCS_GUEST_IDTR_LIMIT			= 0x00004812,
	VMCS_GUEST_ES_AR_BYTES			= 0x00004814,
	VMCS_GUEST_CS_AR_BYTES			= 0x00004816,
	VMCS_GUEST_SS_AR_BYTES			= 0x00004818,
	VMCS_GUEST_DS_AR_BYTES			= 0x0000481a,
	VMCS_GUEST_FS_AR_BYTES			= 0x0000481c,
	VMCS_GUEST_GS_AR_BYTES			= 0x0000481e,
	VMCS_GUEST_LDTR_AR_BYTES		= 0x00004820,
	VMCS_GUEST_TR_AR_BYTES			= 0x00004822,
	VMCS_GUEST_INTERRUPTIBILITY_INFO	= 0x00004824,
	VMCS_GUEST_ACTIVITY_STATE		= 0x00004826,
	VMCS_GUEST_SMBASE			= 0x00004828,
	VMCS_GUEST_SYSENTER_CS			= 0x0000482a,
	VMCS_VMX_PREEMPTION_TIMER_VALUE		= 0x0000482e,
	/* 32-bit host-state field */
	VMCS_HOST_IA32_SYSENTER_CS		= 0x00004c00,

	/* natural-width control fields */
	VMCS_CR0_GUEST_HOST_MASK		= 0x00006000,
	VMCS_CR4_GUEST_HOST_MASK		= 0x00006002,
	VMCS_CR0_READ_SHADOW			= 0x00006004,
	VMCS_CR4_READ_SHADOW			= 0x00006006,
	VMCS_CR3_TARGET_VALUE0			= 0x00006008,
	VMCS_CR3_TARGET_VALUE1			= 0x0000600a,
	VMCS_CR3_TARGET_VALUE2			= 0x0000600c,
	VMCS_CR3_TARGET_VALUE3			= 0x0000600e,
	/* natural-width read-only data fields */
	VMCS_EXIT_QUALIFICATION			= 0x00006400,
	VMCS_IO_RCX				= 0x00006402,
	VMCS_IO_RSI				= 0x00006404,
	VMCS_IO_RDI				= 0x00006406,
	VMCS_IO_RIP				= 0x00006408,
	VMCS_GUEST_LINEAR_ADDRESS		= 0x0000640a,
	/* natural-width guest-state fields */
	VMCS_GUEST_CR0				= 0x00006800,
	VMCS_GUEST_CR3				= 0x00006802,
	VMCS_GUEST_CR4				= 0x00006804,
	VMCS_GUEST_ES_BASE			= 0x00006806,
	VMCS_GUEST_CS_BASE			= 0x00006808,
	VMCS_GUEST_SS_BASE			= 0x0000680a,
	VMCS_GUEST_DS_BASE			= 0x0000680c,
	VMCS_GUEST_FS_BASE			= 0x0000680e,
	VMCS_GUEST_GS_BASE			= 0x00006810,
	VMCS_GUEST_LDTR_BASE			= 0x00006812,
	VMCS_GUEST_TR_BASE			= 0x00006814,
	VMCS_GUEST_GDTR_BASE			= 0x00006816,
	VMCS_GUEST_IDTR_BASE			= 0x00006818,
	VMCS_GUEST_DR7				= 0x0000681a,
	VMCS_GUEST_RSP				= 0x0000681c,
	VMCS_GUEST_RIP				= 0x0000681e,
	VMCS_GUEST_RFLAGS			= 0x00006820,
	VMCS_GUEST_PENDING_DBG_EXCEPTIONS	= 0x00006822,
	VMCS_GUEST_SYSENTER_ESP			= 0x00006824,
	VMCS_GUEST_SYSENTER_EIP			= 0x00006826,
	/* natural-width host-state fields */
	VMCS_HOST_CR0				= 0x00006c00,
	VMCS_HOST_CR3				= 0x00006c02,
	VMCS_HOST_CR4				= 0x00006c04,
	VMCS_HOST_FS_BASE			= 0x00006c06,
	VMCS_HOST_GS_BASE			= 0x00006c08,
	VMCS_HOST_TR_BASE			= 0x00006c0a,
	VMCS_HOST_GDTR_BASE			= 0x00006c0c,
	VMCS_HOST_IDTR_BASE			= 0x00006c0e,
	VMCS_HOST_IA32_SYSENTER_ESP		= 0x00006c10,
	VMCS_HOST_IA32_SYSENTER_EIP		= 0x00006c12,
	VMCS_HOST_RSP				= 0x00006c14,
	VMCS_HOST_RIP				= 0x00006c16,
};

/* VM-instruction error numbers, SDM Vol. 3C 31.4 (the ones we name). */
enum vmx_insn_error {
	VMXERR_VMCLEAR_INVALID_ADDRESS = 2,
	VMXERR_VMCLEAR_VMXON_POINTER = 3,
	VMXERR_VMLAUNCH_NONCLEAR_VMCS = 4,
	VMXERR_VMRESUME_NONLAUNCHED_VMCS = 5,
	VMXERR_ENTRY_INVALID_CONTROL_FIELD = 7,
	VMXERR_ENTRY_INVALID_HOST_STATE_FIELD = 8,
	VMXERR_VMPTRLD_INVALID_ADDRESS = 9,
	VMXERR_VMPTRLD_VMXON_POINTER = 10,
	VMXERR_VMPTRLD_INCORRECT_REVISION_ID = 11,
	VMXERR_UNSUPPORTED_VMCS_COMPONENT = 12,
	VMXERR_VMWRITE_READ_ONLY_COMPONENT = 13,
	VMXERR_VMXON_IN_VMX_ROOT_OPERATION = 15,
	VMXERR_INVALID_OPERAND_TO_INVEPT_INVVPID = 28,
};

/* The VM-instruction error of the current VMCS, or 0 if there is none. */
static __always_inline u32 vmx_insn_error(void)
{
	unsigned long err = 0;

	if (vmx_vmread(VMCS_VM_INSTRUCTION_ERROR, &err) != VMX_INSN_OK)
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
