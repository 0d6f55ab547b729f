// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMX glue of the local APIC (lapic.h has the model): the RDMSR and
 * WRMSR exits of the x2APIC registers and IA32_TSC_DEADLINE, the APIC
 * timer on a host hrtimer, and ICR writes as GUEST_VCPU packets.
 *
 * The timer.  One hrtimer per VCPU on CLOCK_MONOTONIC serves all three
 * modes: one-shot and TSC-deadline fire once, periodic re-arms itself by
 * its period.  When it fires it raises the LVT vector in the VCPU's
 * irq_tracker, the one zx_vcpu_interrupt() uses, and pokes the bound
 * thread exactly as zx_vcpu_interrupt() does: a halted VCPU wakes, a
 * running guest exits and gets the vector injected at the next entry.  A
 * masked LVT keeps the timer counting without raising anything.  The
 * hrtimer is cancelled before the VCPU is freed.
 *
 * Every expiry, masked or not, first passes the host-wide cap (lapic.h,
 * lapic_timer_max_rate): one over it re-arms the hrtimer for when the cap
 * allows and raises nothing yet.  A periodic timer then goes on from that
 * late expiry (the periods missed meanwhile are not replayed); one-shot
 * and TSC-deadline timers fire late (IA32_TSC_DEADLINE reads the deadline
 * until then).
 *
 * A device model: the MSR call decides and returns an outcome; the exit
 * handler (vmexit.c) completes the exit.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <asm/msr.h>
#include <asm/trapnr.h>
#include <asm/tsc.h>
#include <zircon/errors.h>
#include <zircon/syscalls/port.h>

#include "irq_tracker.h"
#include "lapic.h"
#include "lapic_vmx.h"
#include "vcpu_priv.h"

/* Read with READ_ONCE(): root may change it through sysfs at any time. */
static unsigned int zxhv_lapic_timer_max_rate = ZXHV_LAPIC_DEFAULT_MAX_RATE;
module_param_named(lapic_timer_max_rate, zxhv_lapic_timer_max_rate, uint, 0644);
MODULE_PARM_DESC(lapic_timer_max_rate,
		 "APIC-timer expiries a second for all VCPUs of the host together; later ones wait (0: no cap, default: 100000)");

static struct zxhv_lapic_rate vmx_lapic_rate;

/* Over the cap: true, with the timer re-armed for when the cap allows. */
static bool vmx_lapic_over_cap(struct hrtimer *t)
{
	static DEFINE_RATELIMIT_STATE(rs, 60 * HZ, 1);
	u64 retry = zxhv_lapic_rate_take(&vmx_lapic_rate, ktime_to_ns(hrtimer_cb_get_time(t)),
					 READ_ONCE(zxhv_lapic_timer_max_rate));

	if (!retry)
		return false;
	if (__ratelimit(&rs))
		pr_info("APIC-timer expiries over lapic_timer_max_rate (%u a second): delayed\n",
			READ_ONCE(zxhv_lapic_timer_max_rate));
	hrtimer_set_expires(t, ns_to_ktime(retry));
	return true;
}

static enum hrtimer_restart vmx_lapic_timer_fn(struct hrtimer *t)
{
	struct zxhv_arch_vcpu *v = container_of(t, struct zxhv_arch_vcpu, lapic.timer);
	struct vmx_lapic *l = &v->lapic;
	u32 lvt = READ_ONCE(l->regs.lvt_timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;

	if (vmx_lapic_over_cap(t))
		return HRTIMER_RESTART;
	switch (zxhv_lapic_timer_mode(lvt)) {
	case ZXHV_LAPIC_TIMER_PERIODIC:
		hrtimer_forward_now(t, ns_to_ktime(l->period_ns));
		ret = HRTIMER_RESTART;
		break;
	case ZXHV_LAPIC_TIMER_TSC_DEADLINE:
		/* The MSR reads 0 once the deadline passed (SDM Vol. 3A 11.5.4.1). */
		WRITE_ONCE(l->deadline, 0);
		break;
	default:
		break;
	}
	if (!(lvt & ZXHV_LAPIC_LVT_MASKED) &&
	    zxhv_irq_raise(&v->irq, lvt & ZXHV_LAPIC_LVT_VECTOR) == ZX_OK)
		zxhv_vmx_vcpu_poke(v);
	return ret;
}

void zxhv_vmx_lapic_init(struct zxhv_arch_vcpu *v)
{
	zxhv_lapic_reset(&v->lapic.regs);
	hrtimer_init(&v->lapic.timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	v->lapic.timer.function = vmx_lapic_timer_fn;
}

void zxhv_vmx_lapic_destroy(struct zxhv_arch_vcpu *v)
{
	hrtimer_cancel(&v->lapic.timer);
}

/* Stop the timer; afterwards the callback neither runs nor is queued. */
static void vmx_lapic_stop(struct vmx_lapic *l)
{
	hrtimer_cancel(&l->timer);
	WRITE_ONCE(l->deadline, 0);
	l->period_ns = 0;
}

/* One-shot or periodic: load the initial count now. */
static void vmx_lapic_start_count(struct vmx_lapic *l)
{
	bool periodic = zxhv_lapic_timer_mode(l->regs.lvt_timer) == ZXHV_LAPIC_TIMER_PERIODIC;
	u32 divisor = zxhv_lapic_divisor(l->regs.dcr);
	u64 ns = zxhv_lapic_count_ns(l->regs.initial_count, divisor, tsc_khz, periodic);

	vmx_lapic_stop(l);
	l->start = ktime_get();
	l->divisor = divisor;
	l->period_ns = ns;
	hrtimer_start(&l->timer, ktime_add_ns(l->start, ns), HRTIMER_MODE_ABS);
}

/* TSC-deadline mode: arm at guest TSC @deadline (the host's), 0 disarms. */
static void vmx_lapic_arm_deadline(struct vmx_lapic *l, u64 deadline)
{
	ktime_t delta;

	vmx_lapic_stop(l);
	if (!deadline)
		return;
	/* A deadline centuries away saturates instead of wrapping. */
	delta = min_t(u64, zxhv_lapic_deadline_ns(deadline, rdtsc(), tsc_khz), KTIME_MAX);
	WRITE_ONCE(l->deadline, deadline);
	hrtimer_start(&l->timer, ktime_add_safe(ktime_get(), delta), HRTIMER_MODE_ABS);
}

static u32 vmx_lapic_current_count(struct vmx_lapic *l)
{
	const struct zxhv_lapic_regs *r = &l->regs;

	/* Never loaded, or stopped (count 0 written, or a mode change). */
	if (!l->period_ns)
		return 0;
	return zxhv_lapic_current_count(zxhv_lapic_timer_mode(r->lvt_timer), r->initial_count,
					l->divisor, tsc_khz,
					ktime_to_ns(ktime_sub(ktime_get(), l->start)));
}

/* An ICR write (docs/api.md §3.2): a packet, or nothing to do. */
static enum zxhv_emu_msr vmx_lapic_icr(struct zxhv_arch_vcpu *v, zx_port_packet_t *pkt)
{
	struct zxhv_lapic_ipi ipi;

	zxhv_lapic_icr_decode(v->lapic.regs.icr, v->vpid - 1, &ipi);
	switch (ipi.kind) {
	case ZXHV_LAPIC_IPI_INTERRUPT:
		pkt->type = ZX_PKT_TYPE_GUEST_VCPU;
		pkt->guest_vcpu.type = ZX_PKT_GUEST_VCPU_INTERRUPT;
		pkt->guest_vcpu.interrupt.mask = ipi.mask;
		pkt->guest_vcpu.interrupt.vector = ipi.vector;
		return ZXHV_EMU_MSR_PACKET;
	case ZXHV_LAPIC_IPI_STARTUP:
		pkt->type = ZX_PKT_TYPE_GUEST_VCPU;
		pkt->guest_vcpu.type = ZX_PKT_GUEST_VCPU_STARTUP;
		pkt->guest_vcpu.startup.id = ipi.id;
		pkt->guest_vcpu.startup.entry = ipi.entry;
		return ZXHV_EMU_MSR_PACKET;
	case ZXHV_LAPIC_IPI_IGNORE:
		return ZXHV_EMU_MSR_OK;
	default:
		return ZXHV_EMU_MSR_UNSUPPORTED;
	}
}

enum zxhv_emu_msr zxhv_vmx_lapic_msr(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				     u32 index, bool write, u64 *value,
				     zx_port_packet_t *pkt)
{
	struct vmx_lapic *l = &v->lapic;
	enum zxhv_lapic_result r;
	u64 val = 0;

	r = write ? zxhv_lapic_write(&l->regs, index, *value) :
		    zxhv_lapic_read(&l->regs, v->vpid, index, &val);
	switch (r) {
	case ZXHV_LAPIC_OK:
		break;
	case ZXHV_LAPIC_GP:
		return ZXHV_EMU_MSR_GP;
	case ZXHV_LAPIC_INVALID:
		zxhv_vmx_vcpu_report_failure(v, e, write && index == ZXHV_MSR_TSC_DEADLINE ?
					     "IA32_TSC_DEADLINE outside TSC-deadline mode" :
					     "reserved APIC timer mode");
		return ZXHV_EMU_MSR_INVALID;
	case ZXHV_LAPIC_TIMER_STOP:
		vmx_lapic_stop(l);
		break;
	case ZXHV_LAPIC_TIMER_START:
		vmx_lapic_start_count(l);
		break;
	case ZXHV_LAPIC_CURRENT_COUNT:
		val = vmx_lapic_current_count(l);
		break;
	case ZXHV_LAPIC_TSC_DEADLINE:
		if (write)
			vmx_lapic_arm_deadline(l, *value);
		else
			val = READ_ONCE(l->deadline);
		break;
	case ZXHV_LAPIC_ICR:
		return vmx_lapic_icr(v, pkt);
	case ZXHV_LAPIC_SELF_IPI:
		/* The bound thread itself: the next entry injects it. */
		zxhv_irq_raise(&v->irq, *value & ZXHV_LAPIC_LVT_VECTOR);
		break;
	}
	if (!write)
		*value = val;
	return ZXHV_EMU_MSR_OK;
}
