// SPDX-License-Identifier: GPL-2.0-only
/*
 * The generic netlink family "zircon-hv" (uapi/zircon-hv-genl.h; the spec:
 * docs/netlink/zircon-hv.yaml): guests, VCPUs and ports, one by koid or
 * dumped, the VMX probe, and the multicast group of events.
 *
 * Requests are validated by the core against each command's policy
 * (strict: unknown attributes, wrong lengths and out-of-range values are
 * refused with an extended ack).  Nothing needs a GENL_*_PERM flag: those
 * test CAP_NET_ADMIN; this family applies its own rule per object
 * (genl_fill.h), so an unprivileged caller sees its own objects.  The
 * family is usable in every network namespace (objects are not network
 * objects; the pid namespace scopes what a caller sees) and runs its
 * handlers in parallel (the object registry has its own lock).
 */
#include <linux/module.h>
#include <linux/sched.h>
#include <net/genetlink.h>
#include <zircon/types.h>

#include "../uapi/zircon-hv-genl.h"
#include "genl.h"
#include "genl_fill.h"
#include "guest.h"
#include "notify.h"
#include "object.h"
#include "vcpu.h"

static struct genl_family zxhv_genl_family;

/*
 * A GET's reply buffer: a VCPU with every exit reason it can report named
 * (about 60 bytes each) or a guest with a few hundred traps fits.
 */
#define ZXHV_GENL_REPLY_SIZE	16384

/* The attributes of a dump request, on both kernels. */
static struct nlattr **dump_attrs(struct netlink_callback *cb)
{
#ifdef ZXHV_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/* A dump's state in cb->ctx: its caller, where to go on, its filter. */
struct zxhv_genl_dump {
	struct zxhv_genl_viewer viewer;
	zx_koid_t next;		/* the next koid to look at */
	zx_koid_t guest;	/* VCPU dump: only this guest's; 0: all */
};

static struct zxhv_genl_dump *dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct zxhv_genl_dump) > sizeof_field(struct netlink_callback, ctx));
	return (struct zxhv_genl_dump *)cb->ctx;
}

static zx_obj_type_t cmd_type(u8 cmd)
{
	switch (cmd) {
	case ZXHV_CMD_GUEST_GET:
		return ZX_OBJ_TYPE_GUEST;
	case ZXHV_CMD_VCPU_GET:
		return ZX_OBJ_TYPE_VCPU;
	default:
		return ZX_OBJ_TYPE_PORT;
	}
}

/* --- do: one object by koid ------------------------------------------------------ */

static int zxhv_genl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	u8 cmd = info->genlhdr->cmd;
	struct zxhv_genl_viewer viewer;
	struct zxhv_object *obj;
	struct sk_buff *msg;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, ZXHV_A_KOID))
		return -EINVAL;
	obj = zxhv_object_get_koid(nla_get_u64(info->attrs[ZXHV_A_KOID]), cmd_type(cmd));
	zxhv_genl_viewer_init(&viewer, skb);
	ret = -ENOENT;
	if (!obj || !zxhv_genl_viewer_sees(&viewer, obj)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ZXHV_A_KOID],
				    "no such object, or not visible to the caller");
		goto out;
	}
	ret = -ENOMEM;
	msg = genlmsg_new(ZXHV_GENL_REPLY_SIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	ret = zxhv_genl_fill_object(msg, &zxhv_genl_family, &viewer, obj, cmd,
				    info->snd_portid, info->snd_seq, 0, true);
	if (ret) {
		nlmsg_free(msg);
		goto out;
	}
	ret = genlmsg_reply(msg, info);
out:
	zxhv_genl_viewer_release(&viewer);
	if (obj)
		zxhv_object_put(obj);
	return ret;
}

/* --- dump: every visible object of the command's type ------------------------------ */

static int zxhv_genl_dump_start(struct netlink_callback *cb)
{
	const struct genlmsghdr *ghdr = nlmsg_data(cb->nlh);
	struct zxhv_genl_dump *d = dump_ctx(cb);
	/* Sized by the command's policy: only VCPU_GET's has GUEST_KOID. */
	struct nlattr **attrs = dump_attrs(cb);

	memset(d, 0, sizeof(*d));
	zxhv_genl_viewer_init(&d->viewer, cb->skb);
	if (ghdr->cmd == ZXHV_CMD_VCPU_GET && attrs && attrs[ZXHV_A_GUEST_KOID])
		d->guest = nla_get_u64(attrs[ZXHV_A_GUEST_KOID]);
	return 0;
}

static int zxhv_genl_dump_done(struct netlink_callback *cb)
{
	zxhv_genl_viewer_release(&dump_ctx(cb)->viewer);
	return 0;
}

/* Does a dump with @d's filter list @obj? */
static bool dump_wants(const struct zxhv_genl_dump *d, struct zxhv_object *obj)
{
	if (!zxhv_genl_viewer_sees(&d->viewer, obj))
		return false;
	if (d->guest && zxhv_object_type(obj) == ZX_OBJ_TYPE_VCPU)
		return zxhv_vcpu_from_object(obj)->guest->obj.koid == d->guest;
	return true;
}

static int zxhv_genl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genlmsghdr *ghdr = nlmsg_data(cb->nlh);
	struct zxhv_genl_dump *d = dump_ctx(cb);
	struct zxhv_object *obj;
	int ret = 0;

	while ((obj = zxhv_object_get_next(d->next, cmd_type(ghdr->cmd)))) {
		/* Whole, or, alone in the message, with its trap list cut to fit. */
		if (dump_wants(d, obj))
			ret = zxhv_genl_fill_object(skb, &zxhv_genl_family, &d->viewer, obj,
						    ghdr->cmd, NETLINK_CB(cb->skb).portid,
						    cb->nlh->nlmsg_seq, NLM_F_MULTI, !skb->len);
		if (!ret)
			d->next = obj->koid + 1;
		zxhv_object_put(obj);
		if (ret)
			break;
		/* Objects the caller may not see add nothing to the message: no limit there. */
		cond_resched();
	}
	/* A full message: go on in the next part; an object alone too big: fail. */
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret ? ret : skb->len;
}

/* --- the VMX probe ------------------------------------------------------------------ */

static int zxhv_genl_probe_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	int ret;

	if (!msg)
		return -ENOMEM;
	ret = zxhv_genl_fill_probe(msg, &zxhv_genl_family, info->snd_portid, info->snd_seq);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* --- the family ---------------------------------------------------------------------- */

/* Koids start at 1024 (module/object.c); 0 is ZX_KOID_INVALID. */
static const struct nla_policy zxhv_genl_koid_policy[ZXHV_A_KOID + 1] = {
	[ZXHV_A_KOID] = NLA_POLICY_MIN(NLA_U64, 1),
};

static const struct nla_policy zxhv_genl_vcpu_policy[ZXHV_A_GUEST_KOID + 1] = {
	[ZXHV_A_KOID] = NLA_POLICY_MIN(NLA_U64, 1),
	[ZXHV_A_GUEST_KOID] = NLA_POLICY_MIN(NLA_U64, 1),
};

static const struct genl_ops zxhv_genl_ops[] = {
	{
		.cmd = ZXHV_CMD_GUEST_GET,
		.doit = zxhv_genl_get_doit,
		.start = zxhv_genl_dump_start,
		.dumpit = zxhv_genl_get_dumpit,
		.done = zxhv_genl_dump_done,
		.policy = zxhv_genl_koid_policy,
		.maxattr = ZXHV_A_KOID,
	},
	{
		.cmd = ZXHV_CMD_VCPU_GET,
		.doit = zxhv_genl_get_doit,
		.start = zxhv_genl_dump_start,
		.dumpit = zxhv_genl_get_dumpit,
		.done = zxhv_genl_dump_done,
		.policy = zxhv_genl_vcpu_policy,
		.maxattr = ZXHV_A_GUEST_KOID,
	},
	{
		.cmd = ZXHV_CMD_PORT_GET,
		.doit = zxhv_genl_get_doit,
		.start = zxhv_genl_dump_start,
		.dumpit = zxhv_genl_get_dumpit,
		.done = zxhv_genl_dump_done,
		.policy = zxhv_genl_koid_policy,
		.maxattr = ZXHV_A_KOID,
	},
	{
		/* No policy: any attribute is refused. */
		.cmd = ZXHV_CMD_PROBE_GET,
		.doit = zxhv_genl_probe_doit,
	},
};

enum { ZXHV_GENL_GROUP_EVENTS };

static const struct genl_multicast_group zxhv_genl_groups[] = {
	[ZXHV_GENL_GROUP_EVENTS] = { .name = ZXHV_GENL_MCGRP_EVENTS },
};

static struct genl_family zxhv_genl_family __ro_after_init = {
	.name = ZXHV_GENL_NAME,
	.version = ZXHV_GENL_VERSION,
	.maxattr = ZXHV_A_MAX,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = zxhv_genl_ops,
	.n_ops = ARRAY_SIZE(zxhv_genl_ops),
	.resv_start_op = 0,
	.mcgrps = zxhv_genl_groups,
	.n_mcgrps = ARRAY_SIZE(zxhv_genl_groups),
};

/*
 * The notify.h sink: {event, koid} to the events group, in every network
 * namespace.  Under RCU, from any context that may allocate atomically.
 */
static void zxhv_genl_event(enum zxhv_genl_event event, zx_koid_t koid)
{
	struct sk_buff *skb = genlmsg_new(nla_total_size(sizeof(u32)) +
					  nla_total_size_64bit(sizeof(u64)), GFP_ATOMIC);
	void *hdr;

	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &zxhv_genl_family, 0, ZXHV_CMD_EVENT);
	if (!hdr || nla_put_u32(skb, ZXHV_A_EVENT, event) ||
	    nla_put_u64_64bit(skb, ZXHV_A_KOID, koid, ZXHV_A_PAD)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_allns(&zxhv_genl_family, skb, 0, ZXHV_GENL_GROUP_EVENTS);
}

static const struct zxhv_notify_sink zxhv_genl_sink = {
	.event = zxhv_genl_event,
};

int __init zxhv_genl_init(void)
{
	int ret = genl_register_family(&zxhv_genl_family);

	if (ret)
		return ret;
	zxhv_notify_set_sink(&zxhv_genl_sink);
	return 0;
}

void zxhv_genl_exit(void)
{
	zxhv_notify_set_sink(NULL);
	genl_unregister_family(&zxhv_genl_family);
}
