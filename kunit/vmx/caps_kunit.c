// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: VMX capability MSRs -> zircon-hv's VMCS controls
 * (module/arch/x86/vmx/caps.c), on the capability MSRs of Bochs'
 * corei7_skylake_x (recorded in the test-bench notes) and on synthetic
 * CPUs derived from it.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <asm/trapnr.h>

#include "../../module/arch/x86/vmx/caps.h"

/* Bochs 2.7, cpu model corei7_skylake_x, read from the MSRs. */
static const struct vmx_caps skylake_x = {
	.basic = 0x00d810000000002bULL,
	.pinbased = 0x0000007f00000016ULL,
	.procbased = 0xf7f9fffe04006172ULL,
	.procbased2 = 0x02177fff00000000ULL,
	.exit = 0x007fffff00036dfbULL,
	.entry = 0x0000ffff000011fbULL,
	.ept_vpid_cap = 0x00000f0106334141ULL,
	.misc = 0x600401e0ULL,
	.cr0_fixed0 = 0x80000021ULL,
	.cr0_fixed1 = 0xffffffffULL,
	.cr4_fixed0 = 0x2000ULL,
	.cr4_fixed1 = 0x3727ffULL,
};

/* An allowed-1 bit of a control MSR. */
#define ALLOWED1(bit)	((u64)(bit) << 32)

static void caps_skylake_x(struct kunit *test)
{
	const char *missing = "unset";
	struct vmx_ctls c;

	KUNIT_ASSERT_EQ(test, zxhv_vmx_caps_compute_ctls(&skylake_x, &c, &missing), 0);
	KUNIT_EXPECT_NULL(test, missing);
	/* pin: ext-intr (0), NMI (3), virtual NMIs (5), plus allowed-0 bits 1, 2, 4 */
	KUNIT_EXPECT_EQ(test, c.pin, 0x3fu);
	/*
	 * primary: HLT, MWAIT, RDPMC, TPR shadow, MOV-DR, uncond IO, MSR
	 * bitmaps, MONITOR, secondary + forced
	 */
	KUNIT_EXPECT_EQ(test, c.proc, 0xb5a06df2u);
	KUNIT_EXPECT_FALSE(test, c.proc & CPU_BASED_INTR_WINDOW_EXITING);
	KUNIT_EXPECT_FALSE(test, c.proc & CPU_BASED_NMI_WINDOW_EXITING);
	KUNIT_EXPECT_FALSE(test, c.proc & (CPU_BASED_CR3_LOAD_EXITING |
					   CPU_BASED_CR3_STORE_EXITING |
					   CPU_BASED_CR8_LOAD_EXITING |
					   CPU_BASED_CR8_STORE_EXITING |
					   CPU_BASED_USE_IO_BITMAPS));
	/* secondary: EPT, RDTSCP, x2APIC, VPID, WBINVD, UG, PLE, INVPCID */
	KUNIT_EXPECT_EQ(test, c.proc2, 0x14fau);
	/* exit: save debug, 64-bit host, ack, PAT and EFER save/load, plus forced */
	KUNIT_EXPECT_EQ(test, c.exit, 0x3fefffu);
	/* entry: load debug, PAT and EFER load, plus forced; IA-32e mode is per VCPU */
	KUNIT_EXPECT_EQ(test, c.entry, 0xd1ffu);
	KUNIT_EXPECT_FALSE(test, c.entry & VM_ENTRY_IA32E_MODE);
	/* #MC exits for the host's handler, #DB and #AC to be given back; nothing else */
	KUNIT_EXPECT_EQ(test, c.exception_bitmap,
			(u32)(BIT(X86_TRAP_MC) | BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC)));
	KUNIT_EXPECT_TRUE(test, c.pause_loop_exiting);
	KUNIT_EXPECT_TRUE(test, c.invpcid);
	KUNIT_EXPECT_TRUE(test, c.ept_2m_pages);
	KUNIT_EXPECT_TRUE(test, c.ept_1g_pages);
}

struct missing_case {
	const char *name;
	u64 basic_clear, pin_clear, proc_clear, proc2_clear;
	u64 exit_clear, entry_clear, ept_clear, basic_set;
	const char *want;	/* substring of the reported feature */
};

static const struct missing_case missing_cases[] = {
	{ .name = "no-unrestricted-guest",
	  .proc2_clear = ALLOWED1(SECONDARY_EXEC_UNRESTRICTED_GUEST),
	  .want = "unrestricted guest" },
	{ .name = "no-ept", .proc2_clear = ALLOWED1(SECONDARY_EXEC_ENABLE_EPT),
	  .want = "enable EPT" },
	{ .name = "no-vpid", .proc2_clear = ALLOWED1(SECONDARY_EXEC_ENABLE_VPID),
	  .want = "enable VPID" },
	{ .name = "no-x2apic-mode",
	  .proc2_clear = ALLOWED1(SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE),
	  .want = "virtualize x2APIC mode" },
	{ .name = "no-secondary", .proc_clear = ALLOWED1(CPU_BASED_ACTIVATE_SECONDARY_CONTROLS),
	  .want = "activate secondary controls" },
	{ .name = "no-tpr-shadow", .proc_clear = ALLOWED1(CPU_BASED_TPR_SHADOW),
	  .want = "TPR shadow" },
	{ .name = "no-intr-window",
	  .proc_clear = ALLOWED1(CPU_BASED_INTR_WINDOW_EXITING),
	  .want = "interrupt-window exiting" },
	{ .name = "no-nmi-exiting", .pin_clear = ALLOWED1(PIN_BASED_NMI_EXITING),
	  .want = "NMI exiting" },
	{ .name = "no-ack-intr", .exit_clear = ALLOWED1(VM_EXIT_ACK_INTR_ON_EXIT),
	  .want = "acknowledge interrupt" },
	{ .name = "no-entry-load-efer", .entry_clear = ALLOWED1(VM_ENTRY_LOAD_IA32_EFER),
	  .want = "load IA32_EFER (entry" },
	{ .name = "no-ia32e-guest",
	  .entry_clear = ALLOWED1(VM_ENTRY_IA32E_MODE),
	  .want = "IA-32e mode guest" },
	{ .name = "no-io-exit-info", .basic_clear = VMX_BASIC_INOUT,
	  .want = "I/O exit information" },
	{ .name = "no-true-ctls", .basic_clear = VMX_BASIC_TRUE_CTLS,
	  .want = "true VMX controls" },
	{ .name = "vmcs-not-wb", .basic_clear = 0x4ULL << 50,	/* type 6 -> 2 */
	  .want = "write-back VMCS" },
	{ .name = "vmcs-too-big", .basic_set = 0x1fffULL << 32,
	  .want = "at most 4 KiB" },
	{ .name = "no-4-level-ept", .ept_clear = VMX_EPT_PAGE_WALK_4_BIT,
	  .want = "4-level EPT" },
	{ .name = "no-ept-wb", .ept_clear = VMX_EPTP_WB_BIT,
	  .want = "write-back EPT" },
	{ .name = "no-invept-single", .ept_clear = VMX_EPT_EXTENT_CONTEXT_BIT,
	  .want = "single-context INVEPT" },
	{ .name = "no-invept-all", .ept_clear = VMX_EPT_EXTENT_GLOBAL_BIT,
	  .want = "all-context INVEPT" },
	{ .name = "no-invvpid-addr",
	  .ept_clear = ZXHV_VPID_CAP(VMX_VPID_EXTENT_INDIVIDUAL_ADDR_BIT),
	  .want = "individual-address INVVPID" },
	{ .name = "no-invvpid-keep-globals",
	  .ept_clear = ZXHV_VPID_CAP(VMX_VPID_EXTENT_SINGLE_NON_GLOBAL_BIT),
	  .want = "retaining-globals INVVPID" },
};

static void missing_desc(const struct missing_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(missing, missing_cases, missing_desc);

/* A CPU lacking one required feature fails, naming that feature. */
static void caps_missing_feature(struct kunit *test)
{
	const struct missing_case *m = test->param_value;
	struct vmx_caps caps = skylake_x;
	const char *missing = NULL;
	struct vmx_ctls c;

	caps.basic = (caps.basic & ~m->basic_clear) | m->basic_set;
	caps.pinbased &= ~m->pin_clear;
	caps.procbased &= ~m->proc_clear;
	caps.procbased2 &= ~m->proc2_clear;
	caps.exit &= ~m->exit_clear;
	caps.entry &= ~m->entry_clear;
	caps.ept_vpid_cap &= ~m->ept_clear;

	KUNIT_EXPECT_EQ(test, zxhv_vmx_caps_compute_ctls(&caps, &c, &missing), -EOPNOTSUPP);
	KUNIT_ASSERT_NOT_NULL(test, missing);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(missing, m->want),
				  "reported \"%s\", wanted \"%s\"", missing, m->want);
}

/* PAUSE-loop exiting and INVPCID are optional: they drop out cleanly. */
static void caps_optional_drop_out(struct kunit *test)
{
	struct vmx_caps caps = skylake_x;
	const char *missing = NULL;
	struct vmx_ctls c;

	caps.procbased2 &= ~ALLOWED1(SECONDARY_EXEC_PAUSE_LOOP_EXITING |
				     SECONDARY_EXEC_ENABLE_INVPCID);
	caps.ept_vpid_cap &= ~(VMX_EPT_2MB_PAGE_BIT | VMX_EPT_1GB_PAGE_BIT);
	KUNIT_ASSERT_EQ(test, zxhv_vmx_caps_compute_ctls(&caps, &c, &missing), 0);
	KUNIT_EXPECT_EQ(test, c.proc2, 0xfau);
	KUNIT_EXPECT_FALSE(test, c.pause_loop_exiting);
	KUNIT_EXPECT_FALSE(test, c.invpcid);
	KUNIT_EXPECT_FALSE(test, c.ept_2m_pages);
	KUNIT_EXPECT_FALSE(test, c.ept_1g_pages);
	/* The rest is unchanged. */
	KUNIT_EXPECT_EQ(test, c.proc, 0xb5a06df2u);
	KUNIT_EXPECT_EQ(test, c.exit, 0x3fefffu);
}

/* Allowed-0 bits are forced on, even ones we did not ask for. */
static void caps_allowed0_forced(struct kunit *test)
{
	struct vmx_caps caps = skylake_x;
	const char *missing = NULL;
	struct vmx_ctls c;

	caps.pinbased |= PIN_BASED_VMX_PREEMPTION_TIMER;
	caps.procbased |= CPU_BASED_CR3_LOAD_EXITING;	/* as without true ctls */
	caps.procbased2 |= SECONDARY_EXEC_DESC;
	caps.entry |= VM_ENTRY_IA32E_MODE;
	caps.exit |= VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL;
	KUNIT_ASSERT_EQ(test, zxhv_vmx_caps_compute_ctls(&caps, &c, &missing), 0);
	KUNIT_EXPECT_EQ(test, c.pin, 0x3fu | PIN_BASED_VMX_PREEMPTION_TIMER);
	KUNIT_EXPECT_EQ(test, c.proc, 0xb5a06df2u | CPU_BASED_CR3_LOAD_EXITING);
	KUNIT_EXPECT_EQ(test, c.proc2, 0x14fau | SECONDARY_EXEC_DESC);
	KUNIT_EXPECT_EQ(test, c.entry, 0xd1ffu | VM_ENTRY_IA32E_MODE);
	KUNIT_EXPECT_EQ(test, c.exit, 0x3fefffu | VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL);
}

struct adjust_case {
	const char *name;
	u32 required, optional;
	u64 cap;
	u32 want_value, want_lacking;
};

static const struct adjust_case adjust_cases[] = {
	{ "all-allowed", 0x5, 0x2, 0xffffffff00000000ULL, 0x7, 0 },
	{ "forced-on", 0x1, 0, 0xffffffff00000030ULL, 0x31, 0 },
	{ "optional-dropped", 0x1, 0x6, 0x0000000500000000ULL, 0x5, 0 },
	{ "required-missing", 0x3, 0, 0x0000000100000000ULL, 0x1, 0x2 },
	{ "nothing-wanted", 0, 0, 0x000000ff00000010ULL, 0x10, 0 },
	{ "high-bit", BIT(31), 0, 0x8000000000000000ULL, BIT(31), 0 },
};

static void adjust_desc(const struct adjust_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(adjust, adjust_cases, adjust_desc);

static void caps_ctl_adjust(struct kunit *test)
{
	const struct adjust_case *a = test->param_value;
	u32 value = 0xdeadbeef;

	KUNIT_EXPECT_EQ(test, zxhv_vmx_caps_ctl_adjust(a->required, a->optional, a->cap, &value),
			a->want_lacking);
	KUNIT_EXPECT_EQ(test, value, a->want_value);
}

/* CR0/CR4 against the FIXED MSRs, with a typical Linux host CR0/CR4. */
static void caps_check_cr(struct kunit *test)
{
	const unsigned long cr0 = 0x80050033;	/* PG|AM|WP|NE|ET|MP|PE */
	const unsigned long cr4 = 0x3706f0;	/* ...|OSXSAVE|FSGSBASE|... */
	const char *what;

	KUNIT_EXPECT_EQ(test, zxhv_vmx_caps_check_cr(&skylake_x, cr0, cr4 | BIT(13), &what), 0);
	KUNIT_EXPECT_EQ(test, zxhv_vmx_caps_check_cr(&skylake_x, cr0, cr4, &what), -EOPNOTSUPP);
	KUNIT_EXPECT_NOT_NULL(test, strstr(what, "CR4"));
	KUNIT_EXPECT_EQ(test, zxhv_vmx_caps_check_cr(&skylake_x, cr0 & ~BIT(31), cr4 | BIT(13),
						     &what), -EOPNOTSUPP);
	KUNIT_EXPECT_NOT_NULL(test, strstr(what, "CR0"));
	/* CR4 bit 23 (CET) is not in this CPU's FIXED1. */
	KUNIT_EXPECT_EQ(test, zxhv_vmx_caps_check_cr(&skylake_x, cr0, cr4 | BIT(13) | BIT(23),
						     &what), -EOPNOTSUPP);
	KUNIT_EXPECT_NOT_NULL(test, strstr(what, "CR4"));
}

static struct kunit_case vmx_caps_cases[] = {
	KUNIT_CASE(caps_skylake_x),
	KUNIT_CASE_PARAM(caps_missing_feature, missing_gen_params),
	KUNIT_CASE(caps_optional_drop_out),
	KUNIT_CASE(caps_allowed0_forced),
	KUNIT_CASE_PARAM(caps_ctl_adjust, adjust_gen_params),
	KUNIT_CASE(caps_check_cr),
	{}
};

static struct kunit_suite vmx_caps_suite = {
	.name = "zxhv-vmx-caps",
	.test_cases = vmx_caps_cases,
};

kunit_test_suite(vmx_caps_suite);
