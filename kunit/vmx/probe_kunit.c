// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the VMX availability decision (module/arch/x86/vmx/probe.c), for
 * every combination that matters, and the live probe of this machine.
 */
#include <kunit/test.h>
#include <asm/processor.h>

#include "../../module/arch.h"
#include "../../module/arch/x86/vmx/probe.h"

#define VMX_BIT		BIT(5)
#define LOCKED		BIT_ULL(0)
#define VMXON_SMX	BIT_ULL(1)
#define VMXON		BIT_ULL(2)
#define VMXE		BIT(13)

struct classify_case {
	const char *name;
	struct vmx_cpu_facts facts;
	u32 want;
};

static const struct classify_case classify_cases[] = {
	{ "no-vmx", { 0, true, LOCKED | VMXON, 0 }, ZXHV_VMX_NO_CPU_SUPPORT },
	{ "no-vmx-wins-over-vmxe", { 0, false, 0, VMXE }, ZXHV_VMX_NO_CPU_SUPPORT },
	{ "locked-enabled", { VMX_BIT, true, LOCKED | VMXON, 0 }, ZXHV_VMX_READY },
	{ "unlocked-we-enable", { VMX_BIT, true, 0, 0 }, ZXHV_VMX_READY },
	{ "locked-disabled", { VMX_BIT, true, LOCKED, 0 }, ZXHV_VMX_DISABLED_BY_FIRMWARE },
	{ "locked-smx-only", { VMX_BIT, true, LOCKED | VMXON_SMX, 0 },
	  ZXHV_VMX_DISABLED_BY_FIRMWARE },
	{ "msr-unreadable", { VMX_BIT, false, 0, 0 }, ZXHV_VMX_DISABLED_BY_FIRMWARE },
	{ "firmware-wins-over-vmxe", { VMX_BIT, true, LOCKED, VMXE },
	  ZXHV_VMX_DISABLED_BY_FIRMWARE },
	{ "in-use", { VMX_BIT, true, LOCKED | VMXON, VMXE }, ZXHV_VMX_IN_USE },
	{ "other-ecx-bits-ignored", { ~0u & ~VMX_BIT, true, LOCKED | VMXON, 0 },
	  ZXHV_VMX_NO_CPU_SUPPORT },
};

static void classify_desc(const struct classify_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(classify, classify_cases, classify_desc);

static void vmx_classify_table(struct kunit *test)
{
	const struct classify_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, zxhv_vmx_probe_classify(&c->facts), c->want);
}

/* Every result has its own explanation, and unknown values are named so. */
static void vmx_explain_distinct(struct kunit *test)
{
	u32 a, b;

	for (a = ZXHV_VMX_READY; a <= ZXHV_VMX_IN_USE; a++) {
		KUNIT_EXPECT_NOT_NULL(test, strstr(zxhv_arch_probe_explain(a), " "));
		for (b = a + 1; b <= ZXHV_VMX_IN_USE; b++)
			KUNIT_EXPECT_STRNEQ(test, zxhv_arch_probe_explain(a),
					    zxhv_arch_probe_explain(b));
	}
	KUNIT_EXPECT_STREQ(test, zxhv_arch_probe_explain(1000), "unknown VMX probe result");
}

/* The live probe agrees with the raw CPUID of this machine. */
static void vmx_probe_live(struct kunit *test)
{
	struct zxhv_vmx_probe p;
	bool has_vmx = cpuid_ecx(1) & VMX_BIT;

	zxhv_arch_probe(&p);
	KUNIT_EXPECT_EQ(test, p.ncpus, num_online_cpus());
	KUNIT_EXPECT_LT(test, p.cpu, nr_cpu_ids);
	KUNIT_EXPECT_EQ(test, p.reserved, 0u);
	if (has_vmx)
		KUNIT_EXPECT_NE(test, p.result, (u32)ZXHV_VMX_NO_CPU_SUPPORT);
	else
		KUNIT_EXPECT_EQ(test, p.result, (u32)ZXHV_VMX_NO_CPU_SUPPORT);
}

static struct kunit_case vmx_probe_cases[] = {
	KUNIT_CASE_PARAM(vmx_classify_table, classify_gen_params),
	KUNIT_CASE(vmx_explain_distinct),
	KUNIT_CASE(vmx_probe_live),
	{}
};

static struct kunit_suite vmx_probe_suite = {
	.name = "zxhv-vmx-probe",
	.test_cases = vmx_probe_cases,
};

kunit_test_suite(vmx_probe_suite);
