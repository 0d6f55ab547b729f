/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decoders for the VM-exit fields whose bits exit handlers need, and the
 * builder of the VM-entry interruption-information field.  Handlers use the
 * structs below and never test raw bits.
 *
 * Table numbers are those of the Intel SDM Vol. 3C revisions in which
 * chapter 28 is "VM Exits" and chapter 25 "Virtual Machine Control
 * Structures" (2022-2024); older revisions number the same tables one
 * chapter lower (27-x, 24-x).  The section titles are stable.
 */
#ifndef ZXHV_VMX_EXIT_QUAL_H
#define ZXHV_VMX_EXIT_QUAL_H

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/types.h>

/*
 * I/O instructions: SDM §28.2.1, Table 28-5 "Exit Qualification for I/O
 * Instructions".
 *   2:0   size of access: 0 = 1 byte, 1 = 2 bytes, 3 = 4 bytes
 *   3     direction: 0 = OUT, 1 = IN
 *   4     string instruction (INS/OUTS)
 *   5     REP prefixed
 *   6     operand encoding: 0 = DX, 1 = immediate
 *   31:16 port number (whichever encoding was used)
 */
#define ZXHV_EXIT_IO_SIZE		GENMASK_ULL(2, 0)
#define ZXHV_EXIT_IO_IN		BIT_ULL(3)
#define ZXHV_EXIT_IO_STRING		BIT_ULL(4)
#define ZXHV_EXIT_IO_REP		BIT_ULL(5)
#define ZXHV_EXIT_IO_IMM		BIT_ULL(6)
#define ZXHV_EXIT_IO_PORT		GENMASK_ULL(31, 16)

struct exit_io {
	u8 size;		/* bytes: 1, 2 or 4 */
	bool in;		/* IN/INS (else OUT/OUTS) */
	bool string;
	bool rep;
	bool imm;		/* port was an immediate (else DX) */
	u16 port;
};

static inline struct exit_io exit_io_decode(u64 qual)
{
	struct exit_io io = {
		.size = FIELD_GET(ZXHV_EXIT_IO_SIZE, qual) + 1,
		.in = qual & ZXHV_EXIT_IO_IN,
		.string = qual & ZXHV_EXIT_IO_STRING,
		.rep = qual & ZXHV_EXIT_IO_REP,
		.imm = qual & ZXHV_EXIT_IO_IMM,
		.port = FIELD_GET(ZXHV_EXIT_IO_PORT, qual),
	};
	return io;
}

/*
 * EPT violations: SDM §28.2.1, Table 28-7 "Exit Qualification for EPT
 * Violations".
 *   0  the access was a data read      1  a data write
 *   2  an instruction fetch
 *   3  the GPA was readable            4  writable
 *   5  executable (supervisor-mode executable with mode-based execute
 *      control); 3-5 are the AND of those bits of every EPT entry walked
 *   7  the guest linear address field is valid
 *   8  (when 7 is set) 1: the access was to the translation of a linear
 *      address; 0: to a guest paging-structure entry
 *   12 NMI unblocking due to IRET
 */
#define ZXHV_EXIT_EPT_READ		BIT_ULL(0)
#define ZXHV_EXIT_EPT_WRITE		BIT_ULL(1)
#define ZXHV_EXIT_EPT_FETCH		BIT_ULL(2)
#define ZXHV_EXIT_EPT_READABLE	BIT_ULL(3)
#define ZXHV_EXIT_EPT_WRITABLE	BIT_ULL(4)
#define ZXHV_EXIT_EPT_EXECUTABLE	BIT_ULL(5)
#define ZXHV_EXIT_EPT_GLA_VALID	BIT_ULL(7)
#define ZXHV_EXIT_EPT_GLA_XLATE	BIT_ULL(8)
#define ZXHV_EXIT_EPT_NMI_UNBLOCK	BIT_ULL(12)

struct exit_ept {
	bool read, write, fetch;
	/* Permissions the walk found, EPT R/W/X layout (bits 0-2). */
	u8 perms;
	bool gla_valid;
	bool gla_translation;	/* only meaningful with gla_valid */
	bool nmi_unblock;
};

static inline struct exit_ept exit_ept_decode(u64 qual)
{
	struct exit_ept e = {
		.read = qual & ZXHV_EXIT_EPT_READ,
		.write = qual & ZXHV_EXIT_EPT_WRITE,
		.fetch = qual & ZXHV_EXIT_EPT_FETCH,
		.perms = (qual >> 3) & 7,
		.gla_valid = qual & ZXHV_EXIT_EPT_GLA_VALID,
		.gla_translation = qual & ZXHV_EXIT_EPT_GLA_XLATE,
		.nmi_unblock = qual & ZXHV_EXIT_EPT_NMI_UNBLOCK,
	};
	return e;
}

/*
 * MOV DR: SDM Vol. 3C, Table 28-4 "Exit Qualification for MOV DR".
 *   2:0   debug register number
 *   4     direction: 0 = MOV to DR, 1 = MOV from DR
 *   11:8  general-purpose register (numbered as for MOV CR)
 */
#define ZXHV_EXIT_DR_NUM		GENMASK_ULL(2, 0)
#define ZXHV_EXIT_DR_FROM		BIT_ULL(4)
#define ZXHV_EXIT_DR_GPR		GENMASK_ULL(11, 8)

struct exit_dr {
	u8 dr;
	bool from;
	u8 gpr;
};

static inline struct exit_dr exit_dr_decode(u64 qual)
{
	struct exit_dr d = {
		.dr = FIELD_GET(ZXHV_EXIT_DR_NUM, qual),
		.from = qual & ZXHV_EXIT_DR_FROM,
		.gpr = FIELD_GET(ZXHV_EXIT_DR_GPR, qual),
	};
	return d;
}

/*
 * Control-register accesses: SDM §28.2.1, Table 28-3 "Exit Qualification
 * for Control-Register Accesses".
 *   3:0   control register number
 *   5:4   access type: 0 = MOV to CR, 1 = MOV from CR, 2 = CLTS, 3 = LMSW
 *   6     LMSW operand: 0 = register, 1 = memory
 *   11:8  general-purpose register of MOV CR: 0 RAX, 1 RCX, 2 RDX, 3 RBX,
 *         4 RSP, 5 RBP, 6 RSI, 7 RDI, 8-15 R8-R15
 *   31:16 LMSW source data
 */
#define ZXHV_EXIT_CR_NUM		GENMASK_ULL(3, 0)
#define ZXHV_EXIT_CR_TYPE		GENMASK_ULL(5, 4)
#define ZXHV_EXIT_CR_LMSW_MEM	BIT_ULL(6)
#define ZXHV_EXIT_CR_GPR		GENMASK_ULL(11, 8)
#define ZXHV_EXIT_CR_LMSW_DATA	GENMASK_ULL(31, 16)

enum exit_cr_type {
	ZXHV_EXIT_CR_MOV_TO = 0,
	ZXHV_EXIT_CR_MOV_FROM = 1,
	ZXHV_EXIT_CR_CLTS = 2,
	ZXHV_EXIT_CR_LMSW = 3,
};

struct exit_cr {
	u8 cr;
	enum exit_cr_type type;
	u8 gpr;			/* MOV CR only; SDM register numbering */
	bool lmsw_mem;		/* LMSW only */
	u16 lmsw_data;		/* LMSW only */
};

static inline struct exit_cr exit_cr_decode(u64 qual)
{
	struct exit_cr c = {
		.cr = FIELD_GET(ZXHV_EXIT_CR_NUM, qual),
		.type = FIELD_GET(ZXHV_EXIT_CR_TYPE, qual),
		.gpr = FIELD_GET(ZXHV_EXIT_CR_GPR, qual),
		.lmsw_mem = qual & ZXHV_EXIT_CR_LMSW_MEM,
		.lmsw_data = FIELD_GET(ZXHV_EXIT_CR_LMSW_DATA, qual),
	};
	return c;
}

/*
 * Debug exceptions (#DB): SDM §28.2.1, Table 28-1 "Exit Qualification for
 * Debug Exceptions"; the bits are those DR6 would have received, which the
 * CPU leaves unwritten for a #DB that exits.
 *   3:0   B0-B3: the breakpoint conditions met
 *   13    BD: a debug-register access was detected
 *   14    BS: single step
 *   16    RTM: the #DB came inside an RTM region (DR6 reports it as 0)
 */
#define ZXHV_EXIT_DB_HITS		GENMASK_ULL(3, 0)
#define ZXHV_EXIT_DB_BD		BIT_ULL(13)
#define ZXHV_EXIT_DB_BS		BIT_ULL(14)
#define ZXHV_EXIT_DB_RTM		BIT_ULL(16)

struct exit_db {
	u8 hits;		/* B0-B3 */
	bool bd;
	bool bs;
	bool rtm;
};

static inline struct exit_db exit_db_decode(u64 qual)
{
	struct exit_db d = {
		.hits = FIELD_GET(ZXHV_EXIT_DB_HITS, qual),
		.bd = qual & ZXHV_EXIT_DB_BD,
		.bs = qual & ZXHV_EXIT_DB_BS,
		.rtm = qual & ZXHV_EXIT_DB_RTM,
	};
	return d;
}

/*
 * Interruption types shared by the VM-exit and the VM-entry
 * interruption-information fields (SDM §25.8.3 and §25.9.2).
 */
enum intr_type {
	ZXHV_INTR_TYPE_EXTERNAL = 0,
	ZXHV_INTR_TYPE_NMI = 2,
	ZXHV_INTR_TYPE_HW_EXCEPTION = 3,
	ZXHV_INTR_TYPE_SW_INTERRUPT = 4,
	ZXHV_INTR_TYPE_PRIV_SW_EXCEPTION = 5,
	ZXHV_INTR_TYPE_SW_EXCEPTION = 6,
	ZXHV_INTR_TYPE_OTHER = 7,
};

/*
 * VM-exit interruption information: SDM §25.9.2, Table 25-19 "Format of
 * the VM-Exit Interruption-Information Field".
 *   7:0   vector
 *   10:8  interruption type (enum intr_type; 1 and 7 not used on exit)
 *   11    error code valid (in the VM-exit interruption error code field)
 *   12    NMI unblocking due to IRET
 *   31    valid
 */
#define ZXHV_INTR_INFO_VECTOR	GENMASK(7, 0)
#define ZXHV_INTR_INFO_TYPE		GENMASK(10, 8)
#define ZXHV_INTR_INFO_ERROR_CODE	BIT(11)
#define ZXHV_INTR_INFO_NMI_UNBLOCK	BIT(12)
#define ZXHV_INTR_INFO_VALID		BIT(31)

struct exit_intr_info {
	bool valid;
	u8 vector;
	enum intr_type type;
	bool error_code;
	bool nmi_unblock;
};

static inline struct exit_intr_info exit_intr_info_decode(u32 info)
{
	struct exit_intr_info i = {
		.valid = info & ZXHV_INTR_INFO_VALID,
		.vector = FIELD_GET(ZXHV_INTR_INFO_VECTOR, info),
		.type = FIELD_GET(ZXHV_INTR_INFO_TYPE, info),
		.error_code = info & ZXHV_INTR_INFO_ERROR_CODE,
		.nmi_unblock = info & ZXHV_INTR_INFO_NMI_UNBLOCK,
	};
	return i;
}

/*
 * VM-entry interruption information: SDM §25.8.3, Table 25-17 "Format of
 * the VM-Entry Interruption-Information Field": vector in 7:0, type in
 * 10:8, deliver error code in 11 (the code itself goes into the VM-entry
 * exception error code field), valid in 31; 30:12 reserved (0).  Software
 * interrupts and exceptions (types 4-6) also need the VM-entry instruction
 * length field (§26.6.1.1).
 */
static inline u32 entry_intr_info(u8 vector, enum intr_type type,
				  bool error_code)
{
	return ZXHV_INTR_INFO_VALID | FIELD_PREP(ZXHV_INTR_INFO_VECTOR, vector) |
	       FIELD_PREP(ZXHV_INTR_INFO_TYPE, type) |
	       (error_code ? ZXHV_INTR_INFO_ERROR_CODE : 0);
}

#endif /* ZXHV_VMX_EXIT_QUAL_H */
