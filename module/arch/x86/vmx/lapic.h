/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The in-kernel local APIC of a VCPU (docs/api.md §3.2, §3.6, §4 item 6): x2APIC
 * MSRs only, no xAPIC MMIO.  This header is its pure core, KUnit-tested
 * without VMX: the register file, the timer arithmetic and the decoding of
 * ICR writes.  lapic_vmx.c is the glue: it runs the timer on a host
 * hrtimer, delivers its vector through the VCPU's irq_tracker and turns
 * ICR writes into GUEST_VCPU packets.
 *
 * Every x2APIC MSR access exits: the secondary control "virtualize x2APIC
 * mode" is on (so MOV CR8 uses the TPR shadow in the virtual-APIC page),
 * but the MSR bitmap intercepts 0x800-0x8FF and APIC-register
 * virtualization is off, so the registers below are all emulated here.
 */
#ifndef ZXHV_VMX_LAPIC_H
#define ZXHV_VMX_LAPIC_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/types.h>

/* x2APIC register MSRs (SDM Vol. 3A Table 11-6). */
#define ZXHV_X2APIC_ID			0x802
#define ZXHV_X2APIC_VERSION		0x803
#define ZXHV_X2APIC_TPR			0x808
#define ZXHV_X2APIC_PPR			0x80a
#define ZXHV_X2APIC_EOI			0x80b
#define ZXHV_X2APIC_LDR			0x80d
#define ZXHV_X2APIC_SVR			0x80f
#define ZXHV_X2APIC_ISR0		0x810	/* ISR 0x810-0x817 */
#define ZXHV_X2APIC_TMR0		0x818	/* TMR 0x818-0x81f */
#define ZXHV_X2APIC_IRR0		0x820	/* IRR 0x820-0x827 */
#define ZXHV_X2APIC_IRR7		0x827
#define ZXHV_X2APIC_ESR			0x828
#define ZXHV_X2APIC_LVT_CMCI		0x82f
#define ZXHV_X2APIC_ICR			0x830
#define ZXHV_X2APIC_LVT_TIMER		0x832
#define ZXHV_X2APIC_LVT_THERMAL		0x833
#define ZXHV_X2APIC_LVT_MONITOR		0x834	/* performance-monitoring counters */
#define ZXHV_X2APIC_LVT_LINT0		0x835
#define ZXHV_X2APIC_LVT_LINT1		0x836
#define ZXHV_X2APIC_LVT_ERROR		0x837
#define ZXHV_X2APIC_INITIAL_COUNT	0x838
#define ZXHV_X2APIC_CURRENT_COUNT	0x839
#define ZXHV_X2APIC_DCR			0x83e
#define ZXHV_X2APIC_SELF_IPI		0x83f
#define ZXHV_MSR_TSC_DEADLINE		0x6e0

/* docs/api.md §3.6: version 0x15, seven LVT entries (max LVT entry 6). */
#define ZXHV_LAPIC_VERSION		(0x15 | (6 << 16))
#define ZXHV_LAPIC_SVR			0xff
#define ZXHV_LAPIC_LVT_MASKED		BIT(16)
#define ZXHV_LAPIC_LVT_VECTOR		0xffu
/* The LVT timer bits kept: vector, mask, timer mode (SDM Figure 11-8). */
#define ZXHV_LAPIC_LVT_TIMER_BITS	(0xffu | BIT(16) | (3u << 17))

enum zxhv_lapic_timer_mode {
	ZXHV_LAPIC_TIMER_ONESHOT = 0,
	ZXHV_LAPIC_TIMER_PERIODIC = 1,
	ZXHV_LAPIC_TIMER_TSC_DEADLINE = 2,
	ZXHV_LAPIC_TIMER_RESERVED = 3,
};

/*
 * A periodic timer never fires more often than this: a guest asking for a
 * tiny period would otherwise keep a host CPU in hrtimer interrupts.  200
 * µs (KVM's default floor too) caps each VCPU at 5000 expiries a second
 * whatever it programs (issue 16, F12; docs/api.md §3.6); one-shot and
 * TSC-deadline timers fire once per guest write, so each needs an exit.
 */
#define ZXHV_LAPIC_MIN_PERIOD_NS	200000ull

/*
 * The host-wide cap on APIC-timer expiries (issue 16, F12; docs/api.md
 * §3.6): the floor above bounds one VCPU, not how many there are, so all
 * the VCPUs of the host together get at most lapic_timer_max_rate
 * expiries a second (a module parameter, 0: no cap), with bursts of up
 * to ZXHV_LAPIC_RATE_BURST_NS worth of them.  An expiry over the cap is
 * postponed, not dropped: the timer fires again when the cap allows.
 *
 * The check is a generic cell-rate one on a single "theoretical arrival
 * time" shared by every VCPU (nanoseconds, the clock of @now_ns): an
 * expiry at @now_ns passes if that time is at most the burst ahead of
 * @now_ns, and moves it one interval (1 s / rate) on.
 */
#define ZXHV_LAPIC_DEFAULT_MAX_RATE	100000u
#define ZXHV_LAPIC_RATE_BURST_NS	10000000ull	/* 10 ms */

struct zxhv_lapic_rate {
	atomic64_t tat;
};

/*
 * 0: the expiry at @now_ns may go ahead (and counts against @rate a
 * second); else the time, later than @now_ns, at which to try again.
 * Lock-free, for any context (the hrtimer callbacks of all CPUs).
 */
u64 zxhv_lapic_rate_take(struct zxhv_lapic_rate *r, u64 now_ns, u32 rate);

/* The registers that hold state; all others read as fixed values. */
struct zxhv_lapic_regs {
	u32 lvt_timer;		/* written by the bound thread, read by the hrtimer */
	u32 initial_count;
	u32 dcr;
	u64 icr;		/* the last ICR written (reads return it) */
};

/* What an access needs besides the register file. */
enum zxhv_lapic_result {
	ZXHV_LAPIC_OK,		/* read: *val set; write: stored or ignored */
	ZXHV_LAPIC_GP,		/* inject #GP(0) */
	ZXHV_LAPIC_INVALID,	/* zx_vcpu_enter returns ZX_ERR_INVALID_ARGS */
	ZXHV_LAPIC_TIMER_STOP,	/* write stored: cancel the timer */
	ZXHV_LAPIC_TIMER_START,	/* write stored: (re)load the count, start it */
	ZXHV_LAPIC_CURRENT_COUNT, /* read: the glue computes it from the timer */
	ZXHV_LAPIC_TSC_DEADLINE, /* IA32_TSC_DEADLINE: read or arm (0: disarm) */
	ZXHV_LAPIC_ICR,		/* write stored in icr: decode it */
	ZXHV_LAPIC_SELF_IPI,	/* write: raise vector (val & 0xff) locally */
};

/* Reset state: LVT timer masked (docs/api.md §4 item 6), everything else 0. */
void zxhv_lapic_reset(struct zxhv_lapic_regs *r);

/* The x2APIC logical destination register (LDR) of APIC ID @apic_id. */
u32 zxhv_lapic_ldr(u32 apic_id);

/* RDMSR of x2APIC register @msr (or IA32_TSC_DEADLINE) of VCPU @vpid. */
enum zxhv_lapic_result zxhv_lapic_read(const struct zxhv_lapic_regs *r, u16 vpid,
				       u32 msr, u64 *val);
/* WRMSR of @val to @msr; the register file changes only when it says so. */
enum zxhv_lapic_result zxhv_lapic_write(struct zxhv_lapic_regs *r, u32 msr, u64 val);

/* --- timer arithmetic -------------------------------------------------- */

/*
 * The APIC timer counts down at the TSC rate divided by the DCR's
 * divisor: the guest sees one clock (its TSC, which is the host's) for
 * both the count-down modes and TSC-deadline, and CPUID does not report a
 * separate bus frequency.
 */
static inline enum zxhv_lapic_timer_mode zxhv_lapic_timer_mode(u32 lvt)
{
	return (lvt >> 17) & 3;
}

/* Divide configuration bits 3, 1:0 (SDM Figure 11-10): 1 .. 128. */
u32 zxhv_lapic_divisor(u32 dcr);

/*
 * Nanoseconds @count ticks take at @divisor and @tsc_khz; a periodic
 * timer's period is at least ZXHV_LAPIC_MIN_PERIOD_NS.
 */
u64 zxhv_lapic_count_ns(u32 count, u32 divisor, u32 tsc_khz, bool periodic);

/*
 * The current-count register @elapsed_ns after the count was loaded with
 * @initial in @mode: 0 once a one-shot expired, counting again from
 * @initial every period in periodic mode, 0 in TSC-deadline mode.
 */
u32 zxhv_lapic_current_count(enum zxhv_lapic_timer_mode mode, u32 initial, u32 divisor,
			     u32 tsc_khz, u64 elapsed_ns);

/* Nanoseconds from TSC @now until TSC @deadline (0 if it passed). */
u64 zxhv_lapic_deadline_ns(u64 deadline, u64 now, u32 tsc_khz);

/* --- ICR writes (docs/api.md §3.2) ------------------------------------------- */

enum zxhv_lapic_ipi_kind {
	ZXHV_LAPIC_IPI_INTERRUPT,	/* GUEST_VCPU INTERRUPT: mask, vector */
	ZXHV_LAPIC_IPI_STARTUP,		/* GUEST_VCPU STARTUP: id, entry */
	ZXHV_LAPIC_IPI_IGNORE,		/* INIT: skip the WRMSR */
	ZXHV_LAPIC_IPI_UNSUPPORTED,	/* zx_vcpu_enter returns NOT_SUPPORTED */
};

struct zxhv_lapic_ipi {
	enum zxhv_lapic_ipi_kind kind;
	u64 mask;		/* INTERRUPT: bit n = APIC ID n */
	u8 vector;		/* INTERRUPT: 2 for an NMI */
	u64 id;			/* STARTUP: destination APIC ID */
	u64 entry;		/* STARTUP: SIPI vector << 12 */
};

/*
 * The x2APIC ICR value @icr written by the VCPU with APIC ID @self.  FIXED
 * and NMI give an INTERRUPT with the mask of the destination: the
 * shorthand, or destination 0xFFFFFFFF = all, else in physical mode the
 * APIC ID (< 64, otherwise none), in logical mode the APIC IDs whose
 * zxhv_lapic_ldr() the destination selects (cluster 31:16, bits 15:0);
 * an NMI never targets its sender.  STARTUP takes a physical destination
 * only (the packet carries one APIC ID).
 */
void zxhv_lapic_icr_decode(u64 icr, u32 self, struct zxhv_lapic_ipi *ipi);

#endif /* ZXHV_VMX_LAPIC_H */
