// SPDX-License-Identifier: GPL-2.0-only
/*
 * The netlink family's messages and its visibility rule; see genl_fill.h.
 */
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include <zircon/types.h>

#include "../uapi/zircon-hv-genl.h"
#include "arch.h"
#include "genl_fill.h"
#include "guest.h"
#include "object.h"
#include "port.h"
#include "trap_map.h"
#include "vcpu.h"

void zxhv_genl_viewer_init(struct zxhv_genl_viewer *v, struct sk_buff *skb)
{
	v->admin = netlink_capable(skb, CAP_SYS_ADMIN);
	v->euid = current_euid();
	v->pidns = get_pid_ns(task_active_pid_ns(current));
	v->userns = get_user_ns(current_user_ns());
}

void zxhv_genl_viewer_release(struct zxhv_genl_viewer *v)
{
	put_pid_ns(v->pidns);
	put_user_ns(v->userns);
}

bool zxhv_genl_viewer_sees(const struct zxhv_genl_viewer *v, const struct zxhv_object *obj)
{
	if (v->admin)
		return true;
	return uid_eq(obj->owner_euid, v->euid) && pid_nr_ns(obj->owner, v->pidns) != 0;
}

/*
 * @pid's number in @ns while a task still has it as @type, else 0: a pid
 * whose task exited keeps its number, which a new task may have taken.
 */
static u32 live_nr(struct pid *pid, enum pid_type type, struct pid_namespace *ns)
{
	u32 nr = 0;

	rcu_read_lock();
	if (pid_has_task(pid, type))
		nr = pid_nr_ns(pid, ns);
	rcu_read_unlock();
	return nr;
}

static int put_u64(struct sk_buff *skb, int type, u64 value)
{
	return nla_put_u64_64bit(skb, type, value, ZXHV_A_PAD);
}

/* What every object reports: koid and creator, in the viewer's namespaces. */
static int fill_owner(struct sk_buff *skb, const struct zxhv_genl_viewer *v,
		      const struct zxhv_object *obj)
{
	if (put_u64(skb, ZXHV_A_KOID, obj->koid) ||
	    nla_put_u32(skb, ZXHV_A_OWNER_PID, live_nr(obj->owner, PIDTYPE_TGID, v->pidns)) ||
	    nla_put_u32(skb, ZXHV_A_OWNER_UID, from_kuid_munged(v->userns, obj->owner_euid)) ||
	    nla_put_string(skb, ZXHV_A_OWNER_COMM, obj->owner_comm) ||
	    put_u64(skb, ZXHV_A_CREATED_NS, obj->created_ns))
		return -EMSGSIZE;
	return 0;
}

/*
 * Room one trap's nest takes at most (four u64s with their pads, a u32,
 * the nest), plus ZXHV_A_TRAPS_OMITTED after the list.
 */
#define ZXHV_GENL_TRAP_ROOM	(nla_total_size(0) + 4 * nla_total_size_64bit(8) + \
				 nla_total_size(4) + nla_total_size(4))

struct trap_fill {
	struct sk_buff *skb;
	bool may_cut;		/* list what fits, count the rest */
	u32 omitted;
};

static int fill_trap(const struct zxhv_trap *trap, void *arg)
{
	struct trap_fill *f = arg;
	struct sk_buff *skb = f->skb;
	struct nlattr *nest;

	if (f->omitted || (f->may_cut && skb_tailroom(skb) < ZXHV_GENL_TRAP_ROOM)) {
		f->omitted++;
		return 0;
	}
	nest = nla_nest_start(skb, ZXHV_A_TRAP);
	if (!nest ||
	    nla_put_u32(skb, ZXHV_TRAP_A_KIND, trap->kind) ||
	    nla_put_u64_64bit(skb, ZXHV_TRAP_A_ADDR, trap->addr, ZXHV_TRAP_A_PAD) ||
	    nla_put_u64_64bit(skb, ZXHV_TRAP_A_SIZE, trap->size, ZXHV_TRAP_A_PAD) ||
	    nla_put_u64_64bit(skb, ZXHV_TRAP_A_KEY, trap->key, ZXHV_TRAP_A_PAD) ||
	    (trap->arena &&
	     nla_put_u64_64bit(skb, ZXHV_TRAP_A_PORT_KOID,
			       zxhv_port_arena_port_koid(trap->arena), ZXHV_TRAP_A_PAD)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int fill_guest(struct sk_buff *skb, struct zxhv_guest *guest, bool may_cut)
{
	struct trap_fill f = { .skb = skb, .may_cut = may_cut };
	u64 leaves[ZXHV_GUEST_LEAF_SIZES];
	struct nlattr *traps;

	zxhv_guest_leaves(guest, leaves);
	if (nla_put_u32(skb, ZXHV_A_VCPU_COUNT, atomic_read(&guest->vcpus)) ||
	    put_u64(skb, ZXHV_A_MEM_BYTES, zxhv_guest_mapped_bytes(guest)) ||
	    put_u64(skb, ZXHV_A_EPT_4K, leaves[0]) ||
	    put_u64(skb, ZXHV_A_EPT_2M, leaves[1]) ||
	    put_u64(skb, ZXHV_A_EPT_1G, leaves[2]))
		return -EMSGSIZE;
	traps = nla_nest_start(skb, ZXHV_A_TRAPS);
	if (!traps || zxhv_trap_map_for_each(&guest->traps, fill_trap, &f))
		return -EMSGSIZE;
	nla_nest_end(skb, traps);
	if (f.omitted && nla_put_u32(skb, ZXHV_A_TRAPS_OMITTED, f.omitted))
		return -EMSGSIZE;
	return 0;
}

static int fill_exits(struct sk_buff *skb, const struct zxhv_arch_vcpu_stats *s)
{
	struct nlattr *exits = nla_nest_start(skb, ZXHV_A_EXITS);
	u64 total = s->exits_other;
	u32 r;

	if (!exits)
		return -EMSGSIZE;
	for (r = 0; r < ZXHV_ARCH_EXIT_REASONS; r++) {
		const char *name = zxhv_arch_vcpu_exit_name(r);
		struct nlattr *exit;

		total += s->exits[r];
		if (!s->exits[r])
			continue;
		exit = nla_nest_start(skb, ZXHV_A_EXIT);
		if (!exit ||
		    nla_put_u32(skb, ZXHV_EXIT_A_REASON, r) ||
		    (name && nla_put_string(skb, ZXHV_EXIT_A_NAME, name)) ||
		    nla_put_u64_64bit(skb, ZXHV_EXIT_A_COUNT, s->exits[r], ZXHV_EXIT_A_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, exit);
	}
	nla_nest_end(skb, exits);
	return put_u64(skb, ZXHV_A_EXITS_TOTAL, total);
}

static int fill_vcpu(struct sk_buff *skb, const struct zxhv_genl_viewer *v,
		     struct zxhv_vcpu *vcpu)
{
	struct zxhv_arch_vcpu_stats *s;
	int ret = -EMSGSIZE;

	/* About 700 bytes: not on the stack. */
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	zxhv_vcpu_stats(vcpu, s);
	if (put_u64(skb, ZXHV_A_GUEST_KOID, vcpu->guest->obj.koid) ||
	    nla_put_u32(skb, ZXHV_A_VCPU_ID, vcpu->vpid) ||
	    nla_put_u32(skb, ZXHV_A_THREAD_TID, live_nr(vcpu->thread, PIDTYPE_PID, v->pidns)) ||
	    nla_put_u32(skb, ZXHV_A_LAST_CPU, s->last_cpu) ||
	    nla_put_u32(skb, ZXHV_A_STATE, s->state) ||
	    put_u64(skb, ZXHV_A_GUEST_TIME_NS, s->guest_ns) ||
	    put_u64(skb, ZXHV_A_ENTRIES, s->entries) ||
	    put_u64(skb, ZXHV_A_INJECTED, s->injected) ||
	    put_u64(skb, ZXHV_A_KICKS, s->kicks) ||
	    put_u64(skb, ZXHV_A_EPT_FAULTS, s->ept_faults) ||
	    put_u64(skb, ZXHV_A_PACKETS, s->packets) ||
	    fill_exits(skb, s))
		goto out;
	ret = 0;
out:
	kfree(s);
	return ret;
}

static int fill_port(struct sk_buff *skb, struct zxhv_port *port)
{
	struct zxhv_port_stats s;

	zxhv_port_stats(port, &s);
	if (nla_put_u32(skb, ZXHV_A_PORT_QUEUED, s.queued) ||
	    nla_put_u32(skb, ZXHV_A_PORT_USER_QUEUED, s.user_queued) ||
	    nla_put_u32(skb, ZXHV_A_PORT_ARENAS, s.arenas) ||
	    nla_put_u32(skb, ZXHV_A_PORT_ARENA_SIZE, s.arena_size) ||
	    nla_put_u32(skb, ZXHV_A_PORT_ARENA_USED, s.arena_used) ||
	    nla_put_u32(skb, ZXHV_A_PORT_POLL_NS, s.poll_ns) ||
	    put_u64(skb, ZXHV_A_PORT_POLL_HITS, s.poll_hits) ||
	    put_u64(skb, ZXHV_A_PORT_SLEEPS, s.sleeps) ||
	    put_u64(skb, ZXHV_A_PORT_ARENA_POLL_HITS, s.arena_poll_hits) ||
	    put_u64(skb, ZXHV_A_PORT_ARENA_SLEEPS, s.arena_sleeps))
		return -EMSGSIZE;
	return 0;
}

int zxhv_genl_fill_object(struct sk_buff *skb, const struct genl_family *family,
			  const struct zxhv_genl_viewer *v, struct zxhv_object *obj,
			  u8 cmd, u32 portid, u32 seq, int flags, bool may_cut)
{
	void *hdr = genlmsg_put(skb, portid, seq, family, flags, cmd);
	int ret;

	if (!hdr)
		return -EMSGSIZE;
	ret = fill_owner(skb, v, obj);
	if (!ret) {
		switch (zxhv_object_type(obj)) {
		case ZX_OBJ_TYPE_GUEST:
			ret = fill_guest(skb, zxhv_guest_from_object(obj), may_cut);
			break;
		case ZX_OBJ_TYPE_VCPU:
			ret = fill_vcpu(skb, v, zxhv_vcpu_from_object(obj));
			break;
		case ZX_OBJ_TYPE_PORT:
			ret = fill_port(skb, zxhv_port_from_object(obj));
			break;
		default:
			ret = -EINVAL;
			break;
		}
	}
	if (ret) {
		genlmsg_cancel(skb, hdr);
		return ret;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int zxhv_genl_fill_probe(struct sk_buff *skb, const struct genl_family *family,
			 u32 portid, u32 seq)
{
	void *hdr = genlmsg_put(skb, portid, seq, family, 0, ZXHV_CMD_PROBE_GET);
	u64 caps[ZXHV_ARCH_CAP_MSRS];
	struct zxhv_vmx_probe p;
	int i;

	if (!hdr)
		return -EMSGSIZE;
	zxhv_arch_probe_shared(&p);
	if (nla_put_u32(skb, ZXHV_A_PROBE_RESULT, p.result) ||
	    nla_put_string(skb, ZXHV_A_PROBE_TEXT, zxhv_arch_probe_explain(p.result)) ||
	    nla_put_u32(skb, ZXHV_A_PROBE_CPU, p.cpu) ||
	    nla_put_u32(skb, ZXHV_A_PROBE_NCPUS, p.ncpus) ||
	    put_u64(skb, ZXHV_A_PROBE_FEATURE_CONTROL, p.feature_control))
		goto cancel;
	if (p.result == ZXHV_VMX_READY) {
		BUILD_BUG_ON(ZXHV_A_VMX_MISC - ZXHV_A_VMX_BASIC + 1 != ZXHV_ARCH_CAP_MSRS);
		zxhv_arch_probe_caps(caps);
		for (i = 0; i < ZXHV_ARCH_CAP_MSRS; i++)
			if (put_u64(skb, ZXHV_A_VMX_BASIC + i, caps[i]))
				goto cancel;
	}
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}
