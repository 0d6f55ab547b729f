// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the VM entry/exit mitigation policy (module/arch/x86/vmx/spec.c),
 * a table of host settings and the choice each must give, and the text the
 * module parameter shows.
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <asm/vmx.h>

#include "../../module/arch/x86/vmx/spec.h"

/* An affected Skylake server with every mitigation on and microcode. */
static const struct vmx_spec_host host_all = {
	.bug_l1tf = true, .flush_l1d = true,
	.l1tf = L1TF_MITIGATION_FLUSH, .l1tf_vmx = VMENTER_L1D_FLUSH_AUTO,
	.clear_cpu_buf = true, .rsb_vmexit = true,
	.ibpb = true, .ibpb_exit_to_user = true,
};

enum change {
	NONE, OFF, NO_FLUSH_L1D, NO_BUG_L1TF, L1TF_OFF, L1TF_FULL, L1TF_FLUSH_NOSMT,
	VMX_NEVER, VMX_NOT_REQUIRED,
	VMX_EPT_DISABLED, VMX_COND, VMX_ALWAYS, SKIP_L1DFLUSH, NO_FLUSH_L1D_NO_VERW,
	NO_VERW, VERW_VM_ONLY, RSB_LITE, NO_RSB, NO_IBPB, IBPB_NOT_CHOSEN,
	IBPB_ON_VMEXIT,
};

struct spec_case {
	const char *name;
	enum change change;
	u32 want;
};

#define MSR	ZXHV_RUN_L1D_MSR
#define SW	ZXHV_SPEC_L1D_SW
#define VERW	ZXHV_RUN_VERW
#define FULL	ZXHV_RUN_RSB_FULL
#define ONE	ZXHV_RUN_RSB_ONE
#define IBPB	ZXHV_SPEC_IBPB
#define COND	ZXHV_SPEC_L1D_COND
#define CMV	(MSR | COND | VERW)

static const struct spec_case spec_cases[] = {
	/*
	 * KVM's default for l1tf=flush is "cond": the MSR flush when host code
	 * ran, VERW on the other entries (the MSR flush also clears buffers).
	 */
	{ "all on", NONE, CMV | FULL | IBPB },
	{ "mitigations=off", OFF, 0 },
	{ "no FLUSH_L1D: software flush and VERW", NO_FLUSH_L1D, SW | COND | VERW | FULL | IBPB },
	{ "not affected by L1TF", NO_BUG_L1TF, VERW | FULL | IBPB },
	{ "l1tf=off", L1TF_OFF, VERW | FULL | IBPB },
	{ "l1tf=full: flush before every entry", L1TF_FULL, MSR | FULL | IBPB },
	{ "l1tf=flush,nosmt", L1TF_FLUSH_NOSMT, CMV | FULL | IBPB },
	{ "vmentry_l1d_flush=never", VMX_NEVER, VERW | FULL | IBPB },
	{ "l1d flush not required", VMX_NOT_REQUIRED, VERW | FULL | IBPB },
	{ "EPT disabled", VMX_EPT_DISABLED, VERW | FULL | IBPB },
	{ "vmentry_l1d_flush=cond", VMX_COND, CMV | FULL | IBPB },
	{ "vmentry_l1d_flush=always", VMX_ALWAYS, MSR | FULL | IBPB },
	{ "ARCH_CAPABILITIES skip", SKIP_L1DFLUSH, VERW | FULL | IBPB },
	{ "software flush, host clears no buffers", NO_FLUSH_L1D_NO_VERW, SW | COND | FULL | IBPB },
	{ "host clears no buffers", NO_VERW, MSR | COND | FULL | IBPB },
	/* With l1tf=off, so that no MSR flush stands in for VERW. */
	{ "buffers cleared for guests only", VERW_VM_ONLY, VERW | FULL | IBPB },
	{ "eIBRS with PBRSB", RSB_LITE, CMV | ONE | IBPB },
	{ "no RSB fill", NO_RSB, CMV | IBPB },
	{ "no IBPB", NO_IBPB, CMV | FULL },
	{ "vmscape=off", IBPB_NOT_CHOSEN, CMV | FULL },
	{ "IBPB on VM exit", IBPB_ON_VMEXIT, CMV | FULL | IBPB },
};

static void spec_apply(struct vmx_spec_host *h, enum change c)
{
	*h = host_all;
	switch (c) {
	case NONE:
		break;
	case OFF:
		h->mitigations_off = true;
		break;
	case NO_FLUSH_L1D:
		h->flush_l1d = false;
		break;
	case NO_BUG_L1TF:
		h->bug_l1tf = false;
		break;
	case L1TF_OFF:
		h->l1tf = L1TF_MITIGATION_OFF;
		break;
	case L1TF_FULL:
		h->l1tf = L1TF_MITIGATION_FULL;
		break;
	case L1TF_FLUSH_NOSMT:
		h->l1tf = L1TF_MITIGATION_FLUSH_NOSMT;
		break;
	case VMX_NEVER:
		h->l1tf_vmx = VMENTER_L1D_FLUSH_NEVER;
		break;
	case VMX_NOT_REQUIRED:
		h->l1tf_vmx = VMENTER_L1D_FLUSH_NOT_REQUIRED;
		break;
	case VMX_EPT_DISABLED:
		h->l1tf_vmx = VMENTER_L1D_FLUSH_EPT_DISABLED;
		break;
	case VMX_COND:
		h->l1tf_vmx = VMENTER_L1D_FLUSH_COND;
		break;
	case VMX_ALWAYS:
		h->l1tf_vmx = VMENTER_L1D_FLUSH_ALWAYS;
		break;
	case SKIP_L1DFLUSH:
		h->skip_l1dflush = true;
		break;
	case NO_FLUSH_L1D_NO_VERW:
		h->flush_l1d = false;
		h->clear_cpu_buf = false;
		break;
	case NO_VERW:
		h->clear_cpu_buf = false;
		break;
	case VERW_VM_ONLY:
		h->clear_cpu_buf = false;
		h->clear_cpu_buf_vm = true;
		h->l1tf = L1TF_MITIGATION_OFF;
		break;
	case RSB_LITE:
		h->rsb_vmexit = false;
		h->rsb_vmexit_lite = true;
		break;
	case NO_RSB:
		h->rsb_vmexit = false;
		break;
	case NO_IBPB:
		h->ibpb = false;
		break;
	case IBPB_NOT_CHOSEN:
		h->ibpb_exit_to_user = false;
		break;
	case IBPB_ON_VMEXIT:
		h->ibpb_exit_to_user = false;
		h->ibpb_on_vmexit = true;
		break;
	}
}

static void spec_case_desc(const struct spec_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(spec, spec_cases, spec_case_desc);

static void spec_choose_table(struct kunit *test)
{
	const struct spec_case *c = test->param_value;
	struct vmx_spec_host h;

	spec_apply(&h, c->change);
	KUNIT_EXPECT_EQ_MSG(test, zxhv_vmx_spec_choose(&h), c->want, "%s", c->name);
}

static void spec_describe(struct kunit *test)
{
	char buf[64];

	zxhv_vmx_spec_describe(0, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "none");
	zxhv_vmx_spec_describe(SW | VERW | FULL | IBPB, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "l1d=sw verw rsb=full ibpb");
	zxhv_vmx_spec_describe(MSR | ONE, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "l1d=msr rsb=one");
	zxhv_vmx_spec_describe(CMV | FULL, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "l1d=msr cond verw rsb=full");
}

/* One entry's flags: the "cond" flush and VERW standing in for the MSR flush. */
static void spec_entry_flags(struct kunit *test)
{
	/* cond, MSR: flush (no VERW) after host code, else VERW alone. */
	KUNIT_EXPECT_EQ(test, zxhv_vmx_spec_entry_flags(CMV | FULL, true), MSR | COND | FULL);
	KUNIT_EXPECT_EQ(test, zxhv_vmx_spec_entry_flags(CMV | FULL, false), COND | VERW | FULL);
	/* cond, software flush: VERW on every entry. */
	KUNIT_EXPECT_EQ(test, zxhv_vmx_spec_entry_flags(SW | COND | VERW, true),
			SW | COND | VERW);
	KUNIT_EXPECT_EQ(test, zxhv_vmx_spec_entry_flags(SW | COND | VERW, false), COND | VERW);
	/* always: every entry flushes. */
	KUNIT_EXPECT_EQ(test, zxhv_vmx_spec_entry_flags(MSR | FULL, false), MSR | FULL);
	KUNIT_EXPECT_EQ(test, zxhv_vmx_spec_entry_flags(SW | VERW, false), SW | VERW);
	/* No L1D flush chosen: nothing changes. */
	KUNIT_EXPECT_EQ(test, zxhv_vmx_spec_entry_flags(VERW | ONE, false), VERW | ONE);
}

/* The choice in force is the table's answer for this host. */
static void spec_host_matches(struct kunit *test)
{
	struct vmx_spec_host h;

	zxhv_vmx_spec_read_host(&h);
	KUNIT_EXPECT_EQ(test, h.mitigations_off, cpu_mitigations_off());
	KUNIT_EXPECT_EQ(test, h.bug_l1tf, boot_cpu_has_bug(X86_BUG_L1TF));
	KUNIT_EXPECT_EQ(test, h.rsb_vmexit, boot_cpu_has(X86_FEATURE_RSB_VMEXIT));
	kunit_info(test, "this host: %#x", zxhv_vmx_spec_choose(&h));
}

static struct kunit_case spec_kunit_cases[] = {
	KUNIT_CASE_PARAM(spec_choose_table, spec_gen_params),
	KUNIT_CASE(spec_describe),
	KUNIT_CASE(spec_entry_flags),
	KUNIT_CASE(spec_host_matches),
	{}
};

static struct kunit_suite spec_kunit_suite = {
	.name = "zxhv-vmx-spec",
	.test_cases = spec_kunit_cases,
};

kunit_test_suite(spec_kunit_suite);
