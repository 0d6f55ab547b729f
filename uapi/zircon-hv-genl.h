/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * zircon-hv: the generic netlink family "zircon-hv" (docs/observability.md;
 * the attribute sets and operations, as a netlink spec:
 * docs/netlink/zircon-hv.yaml).
 *
 * Requests carry only the attributes their command's policy lists; any
 * other attribute, a wrong length or a value out of range is refused with
 * the netlink error and an extended-ack message.  Replies use the same
 * attribute space.  Counters are u64 with ZXHV_A_PAD for alignment.
 *
 * Who sees what: a caller with CAP_SYS_ADMIN sees every object; anyone
 * else only the objects created by a process with their effective uid
 * that is visible in their pid namespace.  A GET of an object the caller
 * may not see fails with ENOENT, as for an object that does not exist.
 *
 * Multicast group "events": ZXHV_CMD_EVENT messages carrying only
 * ZXHV_A_EVENT and ZXHV_A_KOID; a listener asks for details with a GET,
 * which applies the rule above.
 */
#ifndef ZIRCON_HV_GENL_H
#define ZIRCON_HV_GENL_H

#define ZXHV_GENL_NAME		"zircon-hv"
#define ZXHV_GENL_VERSION	1
#define ZXHV_GENL_MCGRP_EVENTS	"events"

enum zxhv_genl_cmd {
	ZXHV_CMD_UNSPEC,
	ZXHV_CMD_GUEST_GET,	/* do: ZXHV_A_KOID; dump: every visible guest */
	ZXHV_CMD_VCPU_GET,	/* do: ZXHV_A_KOID; dump: optional ZXHV_A_GUEST_KOID */
	ZXHV_CMD_PORT_GET,	/* do: ZXHV_A_KOID; dump: every visible port */
	ZXHV_CMD_PROBE_GET,	/* do: this host's VMX, as the module sees it */
	ZXHV_CMD_EVENT,		/* multicast only */
	__ZXHV_CMD_MAX
};
#define ZXHV_CMD_MAX (__ZXHV_CMD_MAX - 1)

enum zxhv_genl_attr {
	ZXHV_A_UNSPEC,
	ZXHV_A_PAD,
	ZXHV_A_KOID,		/* u64: the object */
	ZXHV_A_GUEST_KOID,	/* u64: a VCPU's guest; the VCPU dump's filter */
	ZXHV_A_OWNER_PID,	/* u32: creator's tgid in the caller's pid namespace (0: gone) */
	ZXHV_A_OWNER_UID,	/* u32: creator's euid in the caller's user namespace */
	ZXHV_A_OWNER_COMM,	/* string: creator's command name */
	ZXHV_A_CREATED_NS,	/* u64: CLOCK_REALTIME at creation, ns */
	ZXHV_A_VCPU_COUNT,	/* u32 */
	ZXHV_A_MEM_BYTES,	/* u64: guest-physical memory mapped */
	ZXHV_A_EPT_4K,		/* u64: EPT leaves of each size */
	ZXHV_A_EPT_2M,
	ZXHV_A_EPT_1G,
	ZXHV_A_TRAPS,		/* nest of ZXHV_A_TRAP */
	ZXHV_A_TRAP,		/* nest: enum zxhv_genl_trap_attr */
	ZXHV_A_VCPU_ID,		/* u32: the VPID (1 is the boot VCPU) */
	ZXHV_A_THREAD_TID,	/* u32: bound thread, caller's pid namespace (0: gone) */
	ZXHV_A_LAST_CPU,	/* u32: host CPU of the last entry */
	ZXHV_A_STATE,		/* u32: enum zxhv_genl_vcpu_state */
	ZXHV_A_GUEST_TIME_NS,	/* u64: time spent in the guest */
	ZXHV_A_ENTRIES,		/* u64: VM entries */
	ZXHV_A_EXITS_TOTAL,	/* u64: VM exits, all reasons */
	ZXHV_A_EXITS,		/* nest of ZXHV_A_EXIT (non-zero counters only) */
	ZXHV_A_EXIT,		/* nest: enum zxhv_genl_exit_attr */
	ZXHV_A_INJECTED,	/* u64: interrupts and exceptions injected */
	ZXHV_A_KICKS,		/* u64: zx_vcpu_kick calls */
	ZXHV_A_EPT_FAULTS,	/* u64: EPT violations resolved by faulting memory in */
	ZXHV_A_PACKETS,		/* u64: packets zx_vcpu_enter returned */
	ZXHV_A_PORT_QUEUED,	/* u32: packets queued on a port */
	ZXHV_A_PORT_USER_QUEUED,/* u32: of them, from zx_port_queue */
	ZXHV_A_PORT_ARENAS,	/* u32: BELL arenas reserved on the port */
	ZXHV_A_PORT_ARENA_SIZE,	/* u32: their packets, in all */
	ZXHV_A_PORT_ARENA_USED,	/* u32: of those, queued or being handled */
	ZXHV_A_PROBE_RESULT,	/* u32: enum zxhv_vmx_probe_result */
	ZXHV_A_PROBE_TEXT,	/* string: what it means */
	ZXHV_A_PROBE_CPU,	/* u32 */
	ZXHV_A_PROBE_NCPUS,	/* u32 */
	ZXHV_A_PROBE_FEATURE_CONTROL,	/* u64: IA32_FEATURE_CONTROL */
	ZXHV_A_VMX_BASIC,	/* u64: the capability MSRs (ready hosts only) */
	ZXHV_A_VMX_PINBASED,
	ZXHV_A_VMX_PROCBASED,
	ZXHV_A_VMX_PROCBASED2,
	ZXHV_A_VMX_EXIT_CTLS,
	ZXHV_A_VMX_ENTRY_CTLS,
	ZXHV_A_VMX_EPT_VPID_CAP,
	ZXHV_A_VMX_MISC,
	ZXHV_A_EVENT,		/* u32: enum zxhv_genl_event */
	ZXHV_A_PORT_POLL_NS,	/* u32: zx_port_wait's polling window now, ns */
	ZXHV_A_PORT_POLL_HITS,	/* u64: waits a packet ended while polling */
	ZXHV_A_PORT_SLEEPS,	/* u64: waits that slept */
	ZXHV_A_PORT_ARENA_POLL_HITS,	/* u64: waits for a full BELL arena ended polling */
	ZXHV_A_PORT_ARENA_SLEEPS,	/* u64: waits for a full BELL arena that slept */
	ZXHV_A_TRAPS_OMITTED,	/* u32: traps left out of ZXHV_A_TRAPS (no room) */
	__ZXHV_A_MAX
};
#define ZXHV_A_MAX (__ZXHV_A_MAX - 1)

enum zxhv_genl_trap_attr {
	ZXHV_TRAP_A_UNSPEC,
	ZXHV_TRAP_A_PAD,
	ZXHV_TRAP_A_KIND,	/* u32: ZX_GUEST_TRAP_BELL/MEM/IO */
	ZXHV_TRAP_A_ADDR,	/* u64 */
	ZXHV_TRAP_A_SIZE,	/* u64 */
	ZXHV_TRAP_A_KEY,	/* u64 */
	ZXHV_TRAP_A_PORT_KOID,	/* u64: BELL only */
	__ZXHV_TRAP_A_MAX
};
#define ZXHV_TRAP_A_MAX (__ZXHV_TRAP_A_MAX - 1)

enum zxhv_genl_exit_attr {
	ZXHV_EXIT_A_UNSPEC,
	ZXHV_EXIT_A_PAD,
	ZXHV_EXIT_A_REASON,	/* u32: basic exit reason (Intel SDM Vol. 3D, App. C) */
	ZXHV_EXIT_A_NAME,	/* string: the kernel's name of it (asm/vmx.h) */
	ZXHV_EXIT_A_COUNT,	/* u64 */
	__ZXHV_EXIT_A_MAX
};
#define ZXHV_EXIT_A_MAX (__ZXHV_EXIT_A_MAX - 1)

enum zxhv_genl_vcpu_state {
	ZXHV_VCPU_STATE_USERSPACE,	/* not inside zx_vcpu_enter */
	ZXHV_VCPU_STATE_RUNNING,	/* inside zx_vcpu_enter, running the guest */
	ZXHV_VCPU_STATE_HALTED,		/* inside zx_vcpu_enter, waiting after HLT */
	ZXHV_VCPU_STATE_KICKED,		/* a kick is pending */
};

enum zxhv_genl_event {
	ZXHV_EVENT_GUEST_CREATED = 1,
	ZXHV_EVENT_GUEST_DESTROYED,
	ZXHV_EVENT_VCPU_CREATED,
	ZXHV_EVENT_VCPU_DESTROYED,
	ZXHV_EVENT_TRAP_SET,		/* the koid is the guest's */
	ZXHV_EVENT_VCPU_FAILED,		/* zx_vcpu_enter returned an error */
};

#endif /* ZIRCON_HV_GENL_H */
