// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the guest CPUID edits of docs/api.md §3.6 (module/arch/x86/vmx/cpuid.c),
 * one row per edited leaf, with synthetic host values and bit-exact
 * expectations.
 */
#include <kunit/test.h>

#include "../../module/arch/x86/vmx/cpuid.h"

struct cpuid_case {
	const char *name;
	u32 leaf, subleaf, vpid;
	bool invpcid;
	u32 host[4];
	u32 want[4];
};

#define ALL	0xffffffff

static const struct zxhv_cpuid_ctx base_ctx = {
	.max_basic = 0x16,
	.max_ext = 0x80000008,
	.guest_xsave_size = 0x340,
};

static const struct cpuid_case cpuid_cases[] = {
	/* Leaf 1: APIC ID 4 (VPID 5), 64 logical IDs per package; sets
	 * ECX 31/24/21, EDX 28/11; clears ECX 15/8/7/6/5/4/3/2,
	 * EDX 29/22/21.
	 */
	{ "leaf1-all-ones", 1, 0, 5, false, { ALL, ALL, ALL, ALL },
	  { ALL, 0x0440ffff, 0xffff7e03, 0xdf9fffff } },
	{ "leaf1-all-zeros", 1, 0, 1, false, { 0, 0, 0, 0 },
	  { 0, 0x00400000, 0x81200000, 0x10000800 } },
	{ "leaf1-apic-id-replaced", 1, 0, 64, false,
	  { 0x000906ea, 0x2a100800, 0x7ffafbff, 0xbfebfbff },
	  { 0x000906ea, 0x3f400800, 0xfffa7a03, 0x9f8bfbff } },
	/* Leaf 4: L1/L2 per core, L3 per package, 64 cores; the end stays. */
	{ "leaf4-l1d", 4, 0, 1, false, { 0x1c004121, 0x1c0003f, 0x3f, 0 },
	  { 0xfc000121, 0x1c0003f, 0x3f, 0 } },
	{ "leaf4-l3", 4, 3, 1, false, { 0x1c03c163, 0x3c0003f, 0x1fff, 6 },
	  { 0xfc0fc163, 0x3c0003f, 0x1fff, 6 } },
	{ "leaf4-end", 4, 4, 1, false, { 0, 0, 0, 0 }, { 0, 0, 0, 0 } },
	/* Leaf 5 and 0xA: all zero. */
	{ "leaf5-zero", 5, 0, 1, false, { ALL, ALL, ALL, ALL }, { 0, 0, 0, 0 } },
	{ "leafA-zero", 0xa, 0, 1, false, { ALL, ALL, ALL, ALL }, { 0, 0, 0, 0 } },
	/* Leaf 6: only ARAT and the bits nobody hides survive. */
	{ "leaf6", 6, 0, 1, false, { ALL, ALL, ALL, ALL },
	  { 0xffe0302c, 0, 0xfffffff6, 0 } },
	/* Leaf 7.0 without and with INVPCID (cpuid.c lists what is hidden). */
	{ "leaf7-no-invpcid", 7, 0, 1, false, { ALL, ALL, ALL, ALL },
	  { ALL, 0x21dc2bf9, 0x1efe8715, 0x002bfef3 } },
	{ "leaf7-invpcid", 7, 0, 1, true, { 2, ALL, ALL, ALL },
	  { 2, 0x21dc2ff9, 0x1efe8715, 0x002bfef3 } },
	{ "leaf7-la57-hidden", 7, 0, 1, true, { 0, 0, 0x00010000, 0 },
	  { 0, 0, 0, 0 } },
	{ "leaf7-1-bf16", 7, 1, 1, false, { ALL, ALL, ALL, ALL },
	  { 0xffffffdf, ALL, ALL, ALL } },
	{ "leaf7-2-untouched", 7, 2, 1, false, { 1, 2, 3, 4 }, { 1, 2, 3, 4 } },
	/* Leaf 0xB: SMT level of 1 thread, core level of 6 bits, then end. */
	{ "leafB-0", 0xb, 0, 3, false, { 1, 2, 0x100, 7 }, { 0, 1, 0x100, 2 } },
	{ "leafB-1", 0xb, 1, 63, false, { 4, 8, 0x201, 7 },
	  { 6, 64, 0x201, 62 } },
	{ "leafB-2", 0xb, 2, 2, false, { 0, 0, 2, 7 }, { 0, 0, 2, 1 } },
	{ "leafB-9", 0xb, 9, 1, false, { ALL, ALL, ALL, ALL }, { 0, 0, 9, 0 } },
	/* Leaves of hidden features read as 0. */
	{ "leafF-zero", 0xf, 0, 1, false, { ALL, ALL, ALL, ALL }, { 0, 0, 0, 0 } },
	{ "leaf10-zero", 0x10, 1, 1, false, { ALL, ALL, ALL, ALL }, { 0, 0, 0, 0 } },
	{ "leaf12-zero", 0x12, 0, 1, false, { ALL, ALL, ALL, ALL }, { 0, 0, 0, 0 } },
	{ "leaf14-zero", 0x14, 0, 1, false, { ALL, ALL, ALL, ALL }, { 0, 0, 0, 0 } },
	/* Leaf 0xD. */
	{ "leafD-0", 0xd, 0, 1, false, { 0x2e7, 0x2440, 0x2440, 0 },
	  { 0x2e7, 0x340, 0x2440, 0 } },
	{ "leafD-1", 0xd, 1, 1, false, { 0x1f, 0x2440, 0x1900, 1 },
	  { 0x7, 0x2440, 0, 0 } },
	{ "leafD-2-untouched", 0xd, 2, 1, false, { 0x100, 0x240, 0, 0 },
	  { 0x100, 0x240, 0, 0 } },
	/* KVM leaves: "KVMKVMKVM\0\0\0", features 0|1|3. */
	{ "kvm-signature", 0x40000000, 0, 1, false, { ALL, ALL, ALL, ALL },
	  { 0x40000001, 0x4b4d564b, 0x564b4d56, 0x0000004d } },
	{ "kvm-features", 0x40000001, 0, 1, false, { ALL, ALL, ALL, ALL },
	  { 0x0000000b, 0, 0, 0 } },
	/* Untouched leaves pass through. */
	{ "leaf0-untouched", 0, 0, 1, false, { 0x16, 1, 2, 3 },
	  { 0x16, 1, 2, 3 } },
	{ "ext-untouched", 0x80000001, 0, 1, false, { 1, 2, 3, 4 },
	  { 1, 2, 3, 4 } },
};

static void cpuid_desc(const struct cpuid_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cpuid, cpuid_cases, cpuid_desc);

static void cpuid_edit_table(struct kunit *test)
{
	const struct cpuid_case *c = test->param_value;
	struct zxhv_cpuid_ctx ctx = base_ctx;
	u32 regs[4];
	int i;

	ctx.invpcid = c->invpcid;
	memcpy(regs, c->host, sizeof(regs));
	zxhv_cpuid_edit(c->leaf, c->subleaf, c->vpid, &ctx, regs);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ_MSG(test, regs[i], c->want[i], "register %d", i);
}

/* Which host leaf is queried for a guest leaf. */
static void cpuid_host_leaf(struct kunit *test)
{
	static const struct { u32 leaf, want; bool query; } rows[] = {
		{ 0, 0, true }, { 0x16, 0x16, true }, { 0x17, 0x16, true },
		{ 0x3fffffff, 0x16, true }, { 0x40000000, 0x40000000, false },
		{ 0x40000001, 0x40000001, false },
		{ 0x40000002, 0x16, true }, { 0x7fffffff, 0x16, true },
		{ 0x80000000, 0x80000000, true },
		{ 0x80000008, 0x80000008, true },
		{ 0x80000009, 0x16, true }, { ALL, 0x16, true },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		struct zxhv_cpuid_query q =
			zxhv_cpuid_host_leaf(rows[i].leaf, &base_ctx);

		KUNIT_EXPECT_EQ_MSG(test, q.leaf, rows[i].want, "leaf %#x",
				    rows[i].leaf);
		KUNIT_EXPECT_EQ_MSG(test, q.query, rows[i].query, "leaf %#x",
				    rows[i].leaf);
	}
}

/*
 * A leaf above the maximum gets the maximum basic leaf's edits: with a
 * host whose maximum is 0xD, leaf 0x20 subleaf 1 reads as 0xD.1.
 */
static void cpuid_above_max(struct kunit *test)
{
	struct zxhv_cpuid_ctx ctx = base_ctx;
	u32 regs[4] = { 0xf, 1, 2, 3 };

	ctx.max_basic = 0xd;
	KUNIT_EXPECT_EQ(test, zxhv_cpuid_host_leaf(0x20, &ctx).leaf, 0xdU);
	zxhv_cpuid_edit(0x20, 1, 1, &ctx, regs);
	KUNIT_EXPECT_EQ(test, regs[0], 0x7U);
	KUNIT_EXPECT_EQ(test, regs[1], 1U);
}

/*
 * Leaf 0x1F is leaf 0xB's twin on hosts that have it (a host's own 0x1F
 * would give the guest the host's APIC IDs); below it, it is the maximum
 * basic leaf.
 */
static void cpuid_topology_v2(struct kunit *test)
{
	struct zxhv_cpuid_ctx ctx = base_ctx;
	u32 b[4] = { 1, 2, 0x100, 7 }, v2[4] = { 1, 2, 0x100, 7 };
	unsigned int sub, i;

	ctx.max_basic = 0x20;
	for (sub = 0; sub < 3; sub++) {
		zxhv_cpuid_edit(0xb, sub, 9, &ctx, b);
		zxhv_cpuid_edit(0x1f, sub, 9, &ctx, v2);
		for (i = 0; i < 4; i++)
			KUNIT_EXPECT_EQ_MSG(test, v2[i], b[i], "subleaf %u reg %u", sub, i);
		KUNIT_EXPECT_EQ(test, v2[3], 8U);
	}
	KUNIT_EXPECT_EQ(test, zxhv_cpuid_host_leaf(0x1f, &base_ctx).leaf, 0x16U);
}

/* XSAVE size from a typical layout (AVX at 576 + 256, AVX-512 beyond). */
static void cpuid_xsave_size(struct kunit *test)
{
	u32 off[ZXHV_XSAVE_COMPONENTS] = { 0 }, size[ZXHV_XSAVE_COMPONENTS] = { 0 };

	off[2] = 576;
	size[2] = 256;
	off[5] = 1088;
	size[5] = 64;
	off[6] = 1152;
	size[6] = 512;
	off[7] = 1664;
	size[7] = 1024;
	KUNIT_EXPECT_EQ(test, zxhv_cpuid_xsave_size(0x3, off, size), 576U);
	KUNIT_EXPECT_EQ(test, zxhv_cpuid_xsave_size(0x7, off, size), 832U);
	KUNIT_EXPECT_EQ(test, zxhv_cpuid_xsave_size(0xe7, off, size), 2688U);
	KUNIT_EXPECT_EQ(test, zxhv_cpuid_xsave_size(0x27, off, size), 1152U);
	KUNIT_EXPECT_EQ(test, zxhv_cpuid_xsave_size(0x1, off, size), 576U);
}

static struct kunit_case cpuid_test_cases[] = {
	KUNIT_CASE_PARAM(cpuid_edit_table, cpuid_gen_params),
	KUNIT_CASE(cpuid_host_leaf),
	KUNIT_CASE(cpuid_above_max),
	KUNIT_CASE(cpuid_topology_v2),
	KUNIT_CASE(cpuid_xsave_size),
	{}
};

static struct kunit_suite cpuid_suite = {
	.name = "zxhv-vmx-cpuid",
	.test_cases = cpuid_test_cases,
};

kunit_test_suite(cpuid_suite);
