// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the exit-qualification decoders and the VM-entry
 * interruption-information builder (module/arch/x86/vmx/exit_qual.h),
 * against raw values laid out by hand from the Intel SDM tables.
 */
#include <kunit/test.h>

#include "../../module/arch/x86/vmx/exit_qual.h"

/* out %al, $0x80: 1 byte, OUT, immediate port 0x80 (Table 28-5). */
static void io_out_imm(struct kunit *test)
{
	struct exit_io io = exit_io_decode(0x00800040);

	KUNIT_EXPECT_EQ(test, io.size, 1);
	KUNIT_EXPECT_FALSE(test, io.in);
	KUNIT_EXPECT_FALSE(test, io.string);
	KUNIT_EXPECT_FALSE(test, io.rep);
	KUNIT_EXPECT_TRUE(test, io.imm);
	KUNIT_EXPECT_EQ(test, io.port, 0x80);
}

/* in %dx, %eax with DX = 0x3f8: 4 bytes, IN, port from DX. */
static void io_in_dx(struct kunit *test)
{
	struct exit_io io = exit_io_decode(0x03f8000b);

	KUNIT_EXPECT_EQ(test, io.size, 4);
	KUNIT_EXPECT_TRUE(test, io.in);
	KUNIT_EXPECT_FALSE(test, io.string);
	KUNIT_EXPECT_FALSE(test, io.rep);
	KUNIT_EXPECT_FALSE(test, io.imm);
	KUNIT_EXPECT_EQ(test, io.port, 0x3f8);
}

/* rep outsw to DX = 0xffff; upper bits of the qualification ignored. */
static void io_rep_outs(struct kunit *test)
{
	struct exit_io io = exit_io_decode(0xffffffff00000000ULL | 0xffff0031);

	KUNIT_EXPECT_EQ(test, io.size, 2);
	KUNIT_EXPECT_FALSE(test, io.in);
	KUNIT_EXPECT_TRUE(test, io.string);
	KUNIT_EXPECT_TRUE(test, io.rep);
	KUNIT_EXPECT_FALSE(test, io.imm);
	KUNIT_EXPECT_EQ(test, io.port, 0xffff);
}

/*
 * A data write to a page whose EPT entries allow only reads, through a
 * linear-address translation (Table 28-7): bits 1, 3, 7, 8.
 */
static void ept_write_readonly(struct kunit *test)
{
	struct exit_ept e = exit_ept_decode(0x18a);

	KUNIT_EXPECT_FALSE(test, e.read);
	KUNIT_EXPECT_TRUE(test, e.write);
	KUNIT_EXPECT_FALSE(test, e.fetch);
	KUNIT_EXPECT_EQ(test, e.perms, 1);
	KUNIT_EXPECT_TRUE(test, e.gla_valid);
	KUNIT_EXPECT_TRUE(test, e.gla_translation);
	KUNIT_EXPECT_FALSE(test, e.nmi_unblock);
}

/* An instruction fetch from an unmapped GPA, NMI unblocked by IRET. */
static void ept_fetch_unmapped(struct kunit *test)
{
	struct exit_ept e = exit_ept_decode(0x1004);

	KUNIT_EXPECT_FALSE(test, e.read);
	KUNIT_EXPECT_FALSE(test, e.write);
	KUNIT_EXPECT_TRUE(test, e.fetch);
	KUNIT_EXPECT_EQ(test, e.perms, 0);
	KUNIT_EXPECT_FALSE(test, e.gla_valid);
	KUNIT_EXPECT_TRUE(test, e.nmi_unblock);

	/* Read of a guest paging-structure entry on an RWX page. */
	e = exit_ept_decode(0xb9);
	KUNIT_EXPECT_TRUE(test, e.read);
	KUNIT_EXPECT_EQ(test, e.perms, 7);
	KUNIT_EXPECT_TRUE(test, e.gla_valid);
	KUNIT_EXPECT_FALSE(test, e.gla_translation);
}

/* Table 28-3. */
static void cr_accesses(struct kunit *test)
{
	struct exit_cr c;

	/* mov %rax, %cr0 */
	c = exit_cr_decode(0x0);
	KUNIT_EXPECT_EQ(test, c.cr, 0);
	KUNIT_EXPECT_EQ(test, c.type, ZXHV_EXIT_CR_MOV_TO);
	KUNIT_EXPECT_EQ(test, c.gpr, 0);

	/* mov %cr0, %rax */
	c = exit_cr_decode(0x10);
	KUNIT_EXPECT_EQ(test, c.cr, 0);
	KUNIT_EXPECT_EQ(test, c.type, ZXHV_EXIT_CR_MOV_FROM);
	KUNIT_EXPECT_EQ(test, c.gpr, 0);

	/* mov %r15, %cr4 */
	c = exit_cr_decode(0xf04);
	KUNIT_EXPECT_EQ(test, c.cr, 4);
	KUNIT_EXPECT_EQ(test, c.type, ZXHV_EXIT_CR_MOV_TO);
	KUNIT_EXPECT_EQ(test, c.gpr, 15);

	/* mov %cr8, %rbx */
	c = exit_cr_decode(0x318);
	KUNIT_EXPECT_EQ(test, c.cr, 8);
	KUNIT_EXPECT_EQ(test, c.type, ZXHV_EXIT_CR_MOV_FROM);
	KUNIT_EXPECT_EQ(test, c.gpr, 3);

	/* clts */
	c = exit_cr_decode(0x20);
	KUNIT_EXPECT_EQ(test, c.type, ZXHV_EXIT_CR_CLTS);

	/* lmsw (mem) with source 0x000b */
	c = exit_cr_decode(0x000b0070);
	KUNIT_EXPECT_EQ(test, c.cr, 0);
	KUNIT_EXPECT_EQ(test, c.type, ZXHV_EXIT_CR_LMSW);
	KUNIT_EXPECT_TRUE(test, c.lmsw_mem);
	KUNIT_EXPECT_EQ(test, c.lmsw_data, 0xb);
}

/* Table 25-19: #PF with an error code; an external interrupt; invalid. */
static void exit_intr(struct kunit *test)
{
	struct exit_intr_info i = exit_intr_info_decode(0x80000b0e);

	KUNIT_EXPECT_TRUE(test, i.valid);
	KUNIT_EXPECT_EQ(test, i.vector, 14);
	KUNIT_EXPECT_EQ(test, i.type, ZXHV_INTR_TYPE_HW_EXCEPTION);
	KUNIT_EXPECT_TRUE(test, i.error_code);
	KUNIT_EXPECT_FALSE(test, i.nmi_unblock);

	i = exit_intr_info_decode(0x800000ec);
	KUNIT_EXPECT_TRUE(test, i.valid);
	KUNIT_EXPECT_EQ(test, i.vector, 0xec);
	KUNIT_EXPECT_EQ(test, i.type, ZXHV_INTR_TYPE_EXTERNAL);
	KUNIT_EXPECT_FALSE(test, i.error_code);

	i = exit_intr_info_decode(0x80001202);
	KUNIT_EXPECT_EQ(test, i.type, ZXHV_INTR_TYPE_NMI);
	KUNIT_EXPECT_TRUE(test, i.nmi_unblock);

	KUNIT_EXPECT_FALSE(test, exit_intr_info_decode(0x0b0e).valid);
}

/* Table 25-17, and decode(build(x)) == x for every vector and type. */
static void entry_intr_round_trip(struct kunit *test)
{
	static const enum intr_type types[] = {
		ZXHV_INTR_TYPE_EXTERNAL, ZXHV_INTR_TYPE_NMI,
		ZXHV_INTR_TYPE_HW_EXCEPTION, ZXHV_INTR_TYPE_SW_INTERRUPT,
		ZXHV_INTR_TYPE_PRIV_SW_EXCEPTION, ZXHV_INTR_TYPE_SW_EXCEPTION,
	};
	unsigned int v, t;

	KUNIT_EXPECT_EQ(test, entry_intr_info(13, ZXHV_INTR_TYPE_HW_EXCEPTION,
					      true), 0x80000b0dU);
	KUNIT_EXPECT_EQ(test, entry_intr_info(2, ZXHV_INTR_TYPE_NMI, false),
			0x80000202U);
	KUNIT_EXPECT_EQ(test, entry_intr_info(3, ZXHV_INTR_TYPE_SW_EXCEPTION,
					      false), 0x80000603U);
	KUNIT_EXPECT_EQ(test, entry_intr_info(0x20, ZXHV_INTR_TYPE_EXTERNAL,
					      false), 0x80000020U);

	for (v = 0; v < 256; v++) {
		for (t = 0; t < ARRAY_SIZE(types); t++) {
			u32 raw = entry_intr_info(v, types[t], v & 1);
			struct exit_intr_info i = exit_intr_info_decode(raw);

			KUNIT_EXPECT_TRUE(test, i.valid);
			KUNIT_EXPECT_EQ(test, i.vector, v);
			KUNIT_EXPECT_EQ(test, i.type, types[t]);
			KUNIT_EXPECT_EQ(test, i.error_code, (bool)(v & 1));
			KUNIT_EXPECT_EQ(test, raw & GENMASK(30, 12), 0U);
		}
	}
}

/* Every field of each qualification decodes independently. */
static void io_round_trip(struct kunit *test)
{
	static const u8 sizes[] = { 1, 2, 4 };
	unsigned int s, flags;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (flags = 0; flags < 16; flags++) {
			u16 port = 0x1234 + flags * 0x1111;
			u64 raw = (sizes[s] - 1) | (flags << 3) |
				  ((u64)port << 16);
			struct exit_io io = exit_io_decode(raw);

			KUNIT_EXPECT_EQ(test, io.size, sizes[s]);
			KUNIT_EXPECT_EQ(test, io.in, (bool)(flags & 1));
			KUNIT_EXPECT_EQ(test, io.string, (bool)(flags & 2));
			KUNIT_EXPECT_EQ(test, io.rep, (bool)(flags & 4));
			KUNIT_EXPECT_EQ(test, io.imm, (bool)(flags & 8));
			KUNIT_EXPECT_EQ(test, io.port, port);
		}
	}
}

/*
 * Debug exceptions (Table 28-1): B1 and B3 hit with BS (0x400a), BD
 * alone (0x2000), B0 inside an RTM region (0x10001); bits 11:4 and 15
 * are reserved and ignored.
 */
static void debug_exceptions(struct kunit *test)
{
	struct exit_db d = exit_db_decode(0x400a);

	KUNIT_EXPECT_EQ(test, d.hits, 0xa);
	KUNIT_EXPECT_TRUE(test, d.bs);
	KUNIT_EXPECT_FALSE(test, d.bd);
	KUNIT_EXPECT_FALSE(test, d.rtm);
	d = exit_db_decode(0x2000);
	KUNIT_EXPECT_EQ(test, d.hits, 0);
	KUNIT_EXPECT_TRUE(test, d.bd);
	KUNIT_EXPECT_FALSE(test, d.bs);
	d = exit_db_decode(0x10001 | 0x8ff0);
	KUNIT_EXPECT_EQ(test, d.hits, 1);
	KUNIT_EXPECT_TRUE(test, d.rtm);
	KUNIT_EXPECT_FALSE(test, d.bd);
	KUNIT_EXPECT_FALSE(test, d.bs);
}

static struct kunit_case exit_qual_cases[] = {
	KUNIT_CASE(io_out_imm),
	KUNIT_CASE(io_in_dx),
	KUNIT_CASE(io_rep_outs),
	KUNIT_CASE(io_round_trip),
	KUNIT_CASE(ept_write_readonly),
	KUNIT_CASE(ept_fetch_unmapped),
	KUNIT_CASE(cr_accesses),
	KUNIT_CASE(exit_intr),
	KUNIT_CASE(entry_intr_round_trip),
	KUNIT_CASE(debug_exceptions),
	{}
};

static struct kunit_suite exit_qual_suite = {
	.name = "zxhv-vmx-exit-qual",
	.test_cases = exit_qual_cases,
};

kunit_test_suite(exit_qual_suite);
