/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tracepoints of the VMX engine, trace system "zircon_hv" (docs/tracing.md):
 * VM entry and exit, trap packets, interrupt and exception injection, kicks,
 * EPT fault-in and guest failures.  Each costs one static branch while it is
 * disabled; callers that would read the VMCS only for an event test
 * trace_<event>_enabled() first.  Events name the VCPU by its VPID, which
 * the failure messages of the kernel log use too.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM zircon_hv

#if !defined(ZXHV_VMX_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define ZXHV_VMX_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(zxhv_entry,
	    TP_PROTO(u16 vpid, u64 rip),
	    TP_ARGS(vpid, rip),
	    TP_STRUCT__entry(__field(u16, vpid)
			     __field(u64, rip)),
	    TP_fast_assign(__entry->vpid = vpid;
			   __entry->rip = rip;),
	    TP_printk("vpid %u rip %#llx", __entry->vpid, __entry->rip)
);

/* An exit and where it happened: the exits, and the ones a VCPU fails on. */
DECLARE_EVENT_CLASS(zxhv_exit_class,
		    TP_PROTO(u16 vpid, u32 reason, u64 qual, u64 rip),
		    TP_ARGS(vpid, reason, qual, rip),
		    TP_STRUCT__entry(__field(u16, vpid)
				     __field(u32, reason)
				     __field(u64, qual)
				     __field(u64, rip)),
		    TP_fast_assign(__entry->vpid = vpid;
				   __entry->reason = reason;
				   __entry->qual = qual;
				   __entry->rip = rip;),
		    TP_printk("vpid %u reason %u qual %#llx rip %#llx", __entry->vpid,
			      __entry->reason, __entry->qual, __entry->rip)
);

DEFINE_EVENT(zxhv_exit_class, zxhv_exit,
	     TP_PROTO(u16 vpid, u32 reason, u64 qual, u64 rip),
	     TP_ARGS(vpid, reason, qual, rip));

/* A trap's packet: @kind is ZX_GUEST_TRAP_{BELL,MEM,IO}, @addr the GPA or port. */
TRACE_EVENT(zxhv_trap,
	    TP_PROTO(u16 vpid, u32 kind, u64 addr, u64 key),
	    TP_ARGS(vpid, kind, addr, key),
	    TP_STRUCT__entry(__field(u16, vpid)
			     __field(u32, kind)
			     __field(u64, addr)
			     __field(u64, key)),
	    TP_fast_assign(__entry->vpid = vpid;
			   __entry->kind = kind;
			   __entry->addr = addr;
			   __entry->key = key;),
	    TP_printk("vpid %u kind %s addr %#llx key %#llx", __entry->vpid,
		      __print_symbolic(__entry->kind, { 0, "BELL" }, { 1, "MEM" }, { 2, "IO" }),
		      __entry->addr, __entry->key)
);

/* An interrupt or exception written into the VM-entry interruption field. */
TRACE_EVENT(zxhv_inject,
	    TP_PROTO(u16 vpid, u32 vector, bool reinjected),
	    TP_ARGS(vpid, vector, reinjected),
	    TP_STRUCT__entry(__field(u16, vpid)
			     __field(u32, vector)
			     __field(bool, reinjected)),
	    TP_fast_assign(__entry->vpid = vpid;
			   __entry->vector = vector;
			   __entry->reinjected = reinjected;),
	    TP_printk("vpid %u vector %u%s", __entry->vpid, __entry->vector,
		      __entry->reinjected ? " (re-injected)" : "")
);

TRACE_EVENT(zxhv_kick,
	    TP_PROTO(u16 vpid),
	    TP_ARGS(vpid),
	    TP_STRUCT__entry(__field(u16, vpid)),
	    TP_fast_assign(__entry->vpid = vpid;),
	    TP_printk("vpid %u", __entry->vpid)
);

/* Guest memory faulted into the EPT: @perms are ZX_VM_PERM_*, @status the zx status. */
TRACE_EVENT(zxhv_ept_fault,
	    TP_PROTO(u16 vpid, u64 gpa, u32 perms, int status),
	    TP_ARGS(vpid, gpa, perms, status),
	    TP_STRUCT__entry(__field(u16, vpid)
			     __field(u64, gpa)
			     __field(u32, perms)
			     __field(int, status)),
	    TP_fast_assign(__entry->vpid = vpid;
			   __entry->gpa = gpa;
			   __entry->perms = perms;
			   __entry->status = status;),
	    TP_printk("vpid %u gpa %#llx perms %#x status %d", __entry->vpid, __entry->gpa,
		      __entry->perms, __entry->status)
);

/* The VCPU stops: what it did and where (the kernel log says more, rate-limited). */
DEFINE_EVENT(zxhv_exit_class, zxhv_guest_fail,
	     TP_PROTO(u16 vpid, u32 reason, u64 qual, u64 rip),
	     TP_ARGS(vpid, reason, qual, rip));

#endif /* ZXHV_VMX_TRACE_H */

/* Out of tree: define_trace.h finds this file through Kbuild's -I for trace.o. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
