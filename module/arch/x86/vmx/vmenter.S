/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VM entry and exit: the only assembly file of zircon-hv.
 *
 * int zxhv_vmx_run(u64 *gprs, unsigned int flags)
 *   @gprs: the guest's general-purpose registers, indexed by x86 register
 *          number (VMX_GPR_* in vmx_ops.h; the RSP slot is unused: guest RSP
 *          lives in the VMCS).  Loaded before entry, stored after exit.
 *   @flags: ZXHV_RUN_* (spec.h): VMRESUME rather than VMLAUNCH, and the
 *          mitigations spec.c chose: L1D flush by IA32_FLUSH_CMD, VERW right
 *          before the entry, RSB stuffing before the first RET after exit.
 *   Returns 0 after a VM exit, 1 if the entry failed (VMfailInvalid or
 *   VMfailValid; the caller reads the VM-instruction error).
 *
 * The current VMCS's HOST_RIP must be zxhv_vmx_exit_point, and the caller
 * runs with preemption and interrupts disabled.  HOST_RSP is written here:
 * the stack pointer inside vmx_enter, whose return address leads back into
 * zxhv_vmx_run, with @flags right above it.  A VM exit "returns" from
 * vmx_enter through zxhv_vmx_exit_point with CF = ZF = 0, a VM-fail returns
 * from it with CF or ZF set; the flags tell the two apart.
 *
 * Order before the entry: the L1D flush (MSR) comes after the last host
 * data this function touches (the pushes, HOST_RSP); then only the guest's
 * own registers are loaded; VERW is the last instruction before STI and
 * VMLAUNCH/VMRESUME.  CF carries "resume" across the loads and VERW (which
 * changes only ZF).
 *
 * Only host callee-saved registers are preserved; guest values are left in
 * the others, which the C caller's ABI treats as clobbered.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>

#include "spec.h"
#include "vmx_compat.h"

#define GPR(n)	(8 * (n))

/* Guest GPRs from the array at %rdi; %rdi last.  No flags are changed. */
.macro LOAD_GUEST_GPRS
	mov GPR(0)(%rdi), %rax
	mov GPR(1)(%rdi), %rcx
	mov GPR(2)(%rdi), %rdx
	mov GPR(3)(%rdi), %rbx
	mov GPR(5)(%rdi), %rbp
	mov GPR(6)(%rdi), %rsi
	mov GPR(8)(%rdi), %r8
	mov GPR(9)(%rdi), %r9
	mov GPR(10)(%rdi), %r10
	mov GPR(11)(%rdi), %r11
	mov GPR(12)(%rdi), %r12
	mov GPR(13)(%rdi), %r13
	mov GPR(14)(%rdi), %r14
	mov GPR(15)(%rdi), %r15
	mov GPR(7)(%rdi), %rdi
.endm

SYM_FUNC_START(zxhv_vmx_run)
	push %rbp
	mov %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	push %rdi			/* gprs, for after the exit */
	push %rsi			/* flags, for zxhv_vmx_exit_point */

	/* HOST_RSP = %rsp inside vmx_enter, after the call pushed 8 bytes. */
	lea -8(%rsp), %rdx
	mov $ZXHV_VMCS_HOST_RSP, %eax
	vmwrite %rdx, %rax
	jbe .Lhost_rsp_failed

	bt $ZXHV_RUN_L1D_MSR_BIT, %esi
	jnc 1f
	mov $MSR_IA32_FLUSH_CMD, %ecx
	mov $L1D_FLUSH, %eax
	xor %edx, %edx
	wrmsr
1:
	bt $ZXHV_RUN_VERW_BIT, %esi
	jc .Lenter_verw
	bt $ZXHV_RUN_RESUME_BIT, %esi
	LOAD_GUEST_GPRS
	call vmx_enter
	jmp .Lafter_enter
.Lenter_verw:
	bt $ZXHV_RUN_RESUME_BIT, %esi
	LOAD_GUEST_GPRS
	call vmx_enter_verw
.Lafter_enter:

	/* Guest registers (or, after a VM-fail, junk) -> gprs; flags kept. */
	push %rdi
	mov 16(%rsp), %rdi
	mov %rax, GPR(0)(%rdi)
	mov %rcx, GPR(1)(%rdi)
	mov %rdx, GPR(2)(%rdi)
	mov %rbx, GPR(3)(%rdi)
	mov %rbp, GPR(5)(%rdi)
	mov %rsi, GPR(6)(%rdi)
	mov %r8, GPR(8)(%rdi)
	mov %r9, GPR(9)(%rdi)
	mov %r10, GPR(10)(%rdi)
	mov %r11, GPR(11)(%rdi)
	mov %r12, GPR(12)(%rdi)
	mov %r13, GPR(13)(%rdi)
	mov %r14, GPR(14)(%rdi)
	mov %r15, GPR(15)(%rdi)
	pop GPR(7)(%rdi)

	setbe %al
	movzbl %al, %eax
	jmp .Lout

.Lhost_rsp_failed:
	mov $1, %eax
.Lout:
	pop %rsi
	pop %rdi
	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	pop %rbp
	RET
SYM_FUNC_END(zxhv_vmx_run)

/*
 * Called with CF = resume and interrupts off.  Returns only on a VM-fail,
 * flags intact and interrupts off again.
 *
 * STI right before VMLAUNCH/VMRESUME: its interrupt shadow lasts until the
 * VMX instruction completes, so no host interrupt is taken before the entry
 * (one that arrives makes the guest exit at once: external-interrupt
 * exiting), and a VM exit clears RFLAGS.IF again.  On silicon this changes
 * nothing; emulators that recompute interrupt masking only when RFLAGS.IF
 * changes (Bochs 2.7) would otherwise keep host interrupts masked for a
 * guest that runs with IF = 0, and never exit for them.
 */
SYM_FUNC_START_LOCAL(vmx_enter)
	jc 1f
	sti
	vmlaunch
	cli
	RET
1:	sti
	vmresume
	cli
	RET
SYM_FUNC_END(vmx_enter)

/*
 * The same with VERW first: it overwrites the CPU buffers (MDS, TAA, RFDS)
 * on CPUs with MD_CLEAR microcode, and changes only ZF.  x86_verw_sel is
 * the host kernel's selector for this (exported for KVM).
 */
SYM_FUNC_START_LOCAL(vmx_enter_verw)
	verw x86_verw_sel(%rip)
	jc 1f
	sti
	vmlaunch
	cli
	RET
1:	sti
	vmresume
	cli
	RET
SYM_FUNC_END(vmx_enter_verw)

/*
 * HOST_RIP.  %rsp = HOST_RSP: the return address into zxhv_vmx_run is on
 * top, as at the entry of vmx_enter, and the flags word above it.  The RET
 * here is the first after the exit: the guest may have filled the RSB with
 * its own return targets, so the RSB is stuffed (or one CALL retired, for
 * eIBRS parts with PBRSB) before it.  One guest register is parked on the
 * stack for the loop counter.  CF = ZF = 0 on the way out marks an exit.
 */
SYM_FUNC_START(zxhv_vmx_exit_point)
	push %rcx
	btl $ZXHV_RUN_RSB_FULL_BIT, 16(%rsp)
	jnc 1f
	__FILL_RETURN_BUFFER(%rcx, RSB_CLEAR_LOOPS)
	jmp 2f
1:	btl $ZXHV_RUN_RSB_ONE_BIT, 16(%rsp)
	jnc 2f
	__FILL_ONE_RETURN
2:	pop %rcx
	test %rsp, %rsp
	RET
SYM_FUNC_END(zxhv_vmx_exit_point)
