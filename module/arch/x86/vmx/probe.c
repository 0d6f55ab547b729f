// SPDX-License-Identifier: GPL-2.0-only
/*
 * Can this host run VMX guests?  Intel SDM Vol. 3C, 24.6 "Discovering
 * support for VMX" and 24.7 "Enabling and entering VMX operation": VMX
 * exists when CPUID.1:ECX.VMX[bit 5] = 1; VMXON outside SMX additionally
 * needs IA32_FEATURE_CONTROL bit 2 set whenever its lock bit 0 is set (an
 * unlocked MSR can still be enabled and locked by us); and a CPU whose
 * CR4.VMXE is already 1 is in use by another hypervisor, whose VMX state we
 * must not disturb.
 */
#include <linux/cpu.h>
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>

#include "arch.h"
#include "caps.h"
#include "probe.h"

#define CPUID1_ECX_VMX		BIT(5)
#define FEATURE_CONTROL_LOCKED	BIT_ULL(0)
#define FEATURE_CONTROL_VMXON	BIT_ULL(2)	/* VMXON outside SMX */
#define CR4_VMXE		BIT(13)

u32 zxhv_vmx_probe_classify(const struct vmx_cpu_facts *facts)
{
	if (!(facts->cpuid1_ecx & CPUID1_ECX_VMX))
		return ZXHV_VMX_NO_CPU_SUPPORT;
	if (!facts->feat_ctl_ok ||
	    ((facts->feat_ctl & FEATURE_CONTROL_LOCKED) &&
	     !(facts->feat_ctl & FEATURE_CONTROL_VMXON)))
		return ZXHV_VMX_DISABLED_BY_FIRMWARE;
	if (facts->cr4 & CR4_VMXE)
		return ZXHV_VMX_IN_USE;
	return ZXHV_VMX_READY;
}

static void vmx_gather_facts(void *arg)
{
	struct vmx_cpu_facts *facts = arg;

	facts->cpuid1_ecx = cpuid_ecx(1);
	facts->feat_ctl = 0;
	facts->feat_ctl_ok = false;
	/* The MSR exists only on CPUs with VMX or SMX; do not touch it otherwise. */
	if (facts->cpuid1_ecx & CPUID1_ECX_VMX)
		facts->feat_ctl_ok = !rdmsrl_safe(MSR_IA32_FEAT_CTL, &facts->feat_ctl);
	facts->cr4 = __read_cr4();
}

void zxhv_arch_probe(struct zxhv_vmx_probe *out)
{
	struct vmx_cpu_facts facts;
	unsigned int cpu;
	u32 result;

	memset(out, 0, sizeof(*out));
	out->result = ZXHV_VMX_READY;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		if (smp_call_function_single(cpu, vmx_gather_facts, &facts, 1))
			continue;	/* went offline meanwhile */
		out->ncpus++;
		result = zxhv_vmx_probe_classify(&facts);
		if (out->result != ZXHV_VMX_READY)
			continue;	/* keep the first failing CPU */
		out->result = result;
		out->cpu = cpu;
		out->feature_control = facts.feat_ctl;
	}
	cpus_read_unlock();
}

void zxhv_arch_probe_shared(struct zxhv_vmx_probe *out)
{
	static DEFINE_MUTEX(lock);
	static struct zxhv_vmx_probe cached;
	static unsigned long stamp;
	static bool valid;

	mutex_lock(&lock);
	if (!valid || time_after(jiffies, stamp + HZ)) {
		zxhv_arch_probe(&cached);
		stamp = jiffies;
		valid = true;
	}
	*out = cached;
	mutex_unlock(&lock);
}

static const char *const vmx_probe_explanations[] = {
	[ZXHV_VMX_READY] = "VMX is available: guests can run",
	[ZXHV_VMX_NO_CPU_SUPPORT] =
		"the CPU does not offer VMX (CPUID.1:ECX.VMX = 0): guests cannot run; use an Intel CPU with VT-x, or expose VMX to this virtual machine (nested virtualization)",
	[ZXHV_VMX_DISABLED_BY_FIRMWARE] =
		"the firmware locked IA32_FEATURE_CONTROL with VMX disabled: guests cannot run; enable Intel VT-x in the BIOS/UEFI setup and power-cycle",
	[ZXHV_VMX_IN_USE] =
		"another hypervisor has VMX enabled (CR4.VMXE = 1): guests cannot run; unload it (e.g. rmmod kvm_intel) or on Linux >= 6.12 load kvm with enable_virt_at_load=0",
};

const char *zxhv_arch_probe_explain(u32 result)
{
	if (result >= ARRAY_SIZE(vmx_probe_explanations))
		return "unknown VMX probe result";
	return vmx_probe_explanations[result];
}

void zxhv_arch_probe_caps(u64 out[ZXHV_ARCH_CAP_MSRS])
{
	struct vmx_caps c;

	zxhv_vmx_caps_read(&c);
	out[0] = c.basic;
	out[1] = c.pinbased;
	out[2] = c.procbased;
	out[3] = c.procbased2;
	out[4] = c.exit;
	out[5] = c.entry;
	out[6] = c.ept_vpid_cap;
	out[7] = c.misc;
}
