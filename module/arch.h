/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The contract between the generic zircon-hv code and the architecture
 * backend (today only Intel VMX, under arch/x86/vmx/).  Generic code calls
 * these functions and never includes a VMX header.
 */
#ifndef ZXHV_ARCH_H
#define ZXHV_ARCH_H

#include <linux/types.h>
#include <zircon/syscalls/hypervisor.h>
#include <zircon/syscalls/port.h>
#include <zircon/types.h>
#include "../uapi/zircon-hv.h"
#include "../uapi/zircon-hv-genl.h"

/*
 * zxhv_arch_probe - check on every online CPU whether guests can run.
 * @out: filled with the first CPU that cannot run guests, or with
 *       ZXHV_VMX_READY and the last CPU probed.
 *
 * Sleeps (takes the CPU hotplug lock and IPIs each CPU).
 */
void zxhv_arch_probe(struct zxhv_vmx_probe *out);

/*
 * zxhv_arch_probe_shared - zxhv_arch_probe()'s result shared by every
 * caller, at most a second old: any opener of the device (VMX_PROBE) and
 * any user of the netlink family (PROBE_GET) may ask, and a loop of calls
 * must not storm the other CPUs with IPIs.  Sleeps.
 */
void zxhv_arch_probe_shared(struct zxhv_vmx_probe *out);

/*
 * zxhv_arch_probe_explain - one line saying what a probe result means for
 * the user and what to do about it.  Never returns NULL.
 */
const char *zxhv_arch_probe_explain(u32 result);

/*
 * The hardware side of one guest: VMX operation held for it (the first
 * guest turns on VMX on every CPU, the last one's destruction turns it
 * off), its EPT, and the INVEPTs that keep the EPT coherent with the
 * guest-physical address space.  Opaque to generic code.
 */
struct zxhv_arch_guest;

/*
 * zxhv_arch_guest_create - ZX_OK, ZX_ERR_NOT_SUPPORTED (no VMX on some
 * CPU, or another hypervisor owns it; dmesg says which), or
 * ZX_ERR_NO_MEMORY.  Sleeps.
 */
zx_status_t zxhv_arch_guest_create(struct zxhv_arch_guest **out);

/* Frees the EPT and drops VMX operation.  No VCPU may use it any more. */
void zxhv_arch_guest_destroy(struct zxhv_arch_guest *ag);

/*
 * zxhv_arch_guest_invalidate - [@gpa, @gpa + @len) (page aligned, below
 * 2^48) lost some or all of its access: remove its translations (they
 * fault back in on demand) and flush them from every CPU.  Called with
 * the guest's address space locked for writing.  Sleeps; cannot fail.
 */
void zxhv_arch_guest_invalidate(struct zxhv_arch_guest *ag, u64 gpa, u64 len);

/* Sizes of the leaves zxhv_arch_guest_leaves() counts. */
enum {
	ZXHV_ARCH_LEAF_4K,
	ZXHV_ARCH_LEAF_2M,
	ZXHV_ARCH_LEAF_1G,
	ZXHV_ARCH_LEAF_SIZES
};

/*
 * zxhv_arch_guest_leaves - how many translations of each size the EPT
 * holds now, into @out[ZXHV_ARCH_LEAF_*] (the netlink family
 * reports them, module/guest.h).  Called with the guest's address space read-locked,
 * which keeps invalidation out; serialises with EPT violations itself.
 * Sleeps.
 */
void zxhv_arch_guest_leaves(struct zxhv_arch_guest *ag,
			    unsigned long out[ZXHV_ARCH_LEAF_SIZES]);

/*
 * The hardware side of one VCPU: its VMCS, guest register state, pending
 * interrupts and the run loop.  Opaque to generic code (module/vcpu.c),
 * which owns the thread binding and calls these only as documented.
 */
struct zxhv_arch_vcpu;
struct zxhv_gpas;
struct zxhv_trap_map;

/* What a VCPU uses of its guest; all of it outlives the VCPU. */
struct zxhv_arch_vcpu_guest {
	struct zxhv_arch_guest *ag;	/* from zxhv_arch_guest_create() */
	struct zxhv_gpas *gpas;		/* its guest-physical address space */
	struct zxhv_trap_map *traps;	/* its traps */
};

/*
 * zxhv_arch_vcpu_create - a VCPU of the guest @g describes, with @vpid
 * in [1, 64): VPID 1 starts in 64-bit mode at @entry with CR3 = 0, the
 * others in real mode with CS.base = @entry (docs/api.md §3.4).  ZX_OK,
 * ZX_ERR_NO_MEMORY, ZX_ERR_NOT_SUPPORTED, ZX_ERR_BAD_STATE.  Called by
 * the thread the VCPU is bound to; @vpid names no other live VCPU of the
 * guest.  Sleeps.
 */
zx_status_t zxhv_arch_vcpu_create(const struct zxhv_arch_vcpu_guest *g, u16 vpid, u64 entry,
				  struct zxhv_arch_vcpu **out);

/*
 * Frees the VCPU, VMCLEARing its VMCS on the CPU where it is active.
 * From any thread; nobody runs or uses the VCPU any more.  Sleeps.  Part
 * of it is released by an RCU callback: module exit waits for those
 * (rcu_barrier()).
 */
void zxhv_arch_vcpu_destroy(struct zxhv_arch_vcpu *av);

/*
 * zx_vcpu_enter from the bound thread: runs the guest until an exit that
 * userspace handles.  ZX_OK with *@packet filled; ZX_ERR_CANCELED after a
 * kick; ZX_ERR_INTERNAL_INTR_RETRY when a signal is pending (the syscall
 * restarts); the error statuses of docs/api.md §1 otherwise.  Sleeps.
 */
zx_status_t zxhv_arch_vcpu_enter(struct zxhv_arch_vcpu *av, zx_port_packet_t *packet);

/* zx_vcpu_kick / zx_vcpu_interrupt, from any thread.  Never sleep. */
void zxhv_arch_vcpu_kick(struct zxhv_arch_vcpu *av);
zx_status_t zxhv_arch_vcpu_interrupt(struct zxhv_arch_vcpu *av, u32 vector);

/* ZX_INFO_VCPU flags (ZX_INFO_VCPU_FLAG_*), from any thread. */
u32 zxhv_arch_vcpu_info_flags(struct zxhv_arch_vcpu *av);

/*
 * zx_vcpu_read_state / zx_vcpu_write_state from the bound thread, after
 * the kind and size checks: ZX_VCPU_STATE (read and write) and ZX_VCPU_IO
 * (write; access_size 1, 2 or 4, else INVALID_ARGS).  Sleep.
 */
void zxhv_arch_vcpu_read_state(struct zxhv_arch_vcpu *av, zx_vcpu_state_t *state);
void zxhv_arch_vcpu_write_state(struct zxhv_arch_vcpu *av, const zx_vcpu_state_t *state);
zx_status_t zxhv_arch_vcpu_write_io(struct zxhv_arch_vcpu *av, const zx_vcpu_io_t *io);

/*
 * Counters and state of one VCPU, for observers (module/genl.c).  The bound
 * thread writes them (kicks: any thread); zxhv_arch_vcpu_stats() reads a
 * snapshot from any thread, each counter whole, never sleeps.
 */
#define ZXHV_ARCH_EXIT_REASONS	76	/* basic exit reasons 0..75 */

struct zxhv_arch_vcpu_stats {
	u64 exits[ZXHV_ARCH_EXIT_REASONS];	/* by basic exit reason */
	u64 exits_other;	/* reasons >= ZXHV_ARCH_EXIT_REASONS */
	u64 entries;		/* VM entries (launch or resume) */
	u64 guest_ns;		/* time between entry and exit */
	u64 injected;		/* interrupts and exceptions injected */
	u64 kicks;		/* zx_vcpu_kick and kicks on close */
	u64 ept_faults;		/* EPT violations that faulted memory in */
	u64 packets;		/* packets zx_vcpu_enter returned */
	u32 last_cpu;		/* host CPU of the last entry */
	u32 state;		/* enum zxhv_genl_vcpu_state */
};

void zxhv_arch_vcpu_stats(struct zxhv_arch_vcpu *av, struct zxhv_arch_vcpu_stats *out);

/* The kernel's name of a basic exit reason (<asm/vmx.h>), NULL if unnamed. */
const char *zxhv_arch_vcpu_exit_name(u32 reason);

/*
 * The VMX capability MSRs of this CPU, in this order: BASIC, the (TRUE_)
 * pin-based, primary processor-based, secondary, exit and entry controls,
 * EPT_VPID_CAP, MISC.  Only when zxhv_arch_probe() said READY.
 */
#define ZXHV_ARCH_CAP_MSRS	8
void zxhv_arch_probe_caps(u64 out[ZXHV_ARCH_CAP_MSRS]);

/*
 * zxhv_arch_debugfs_init - the arch's files in the module's debugfs
 * directory @dir (module/debugfs.h; diagnostics, errors ignored): VMX has
 * vmcs_loads, the VMCS loads of all VCPUs ("loads N") and those of them
 * after a sleep inside zx_vcpu_enter ("after_sleep N").  Module init.
 */
struct dentry;
void zxhv_arch_debugfs_init(struct dentry *dir);

#endif /* ZXHV_ARCH_H */
