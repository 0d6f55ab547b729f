/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The netlink family's visibility rule and its messages (module/genl.c
 * owns the family; uapi/zircon-hv-genl.h the attributes).
 *
 * A viewer is the caller of one request, captured where the request
 * arrives (a doit, or a dump's start: later parts of a dump run in
 * whoever reads the socket).  It holds references on the caller's pid and
 * user namespaces.
 */
#ifndef ZXHV_GENL_FILL_H
#define ZXHV_GENL_FILL_H

#include <linux/types.h>
#include <linux/uidgid.h>
#include <zircon/types.h>

struct pid_namespace;
struct sk_buff;
struct user_namespace;
struct genl_family;
struct zxhv_object;

struct zxhv_genl_viewer {
	struct pid_namespace *pidns;
	struct user_namespace *userns;
	kuid_t euid;
	bool admin;		/* CAP_SYS_ADMIN (opener and sender) */
};

/* The caller of the request @skb carries, in process context. */
void zxhv_genl_viewer_init(struct zxhv_genl_viewer *v, struct sk_buff *skb);
void zxhv_genl_viewer_release(struct zxhv_genl_viewer *v);

/*
 * May @v see @obj?  Admins see everything; others the objects whose
 * creator had their effective uid and is visible in their pid namespace.
 */
bool zxhv_genl_viewer_sees(const struct zxhv_genl_viewer *v, const struct zxhv_object *obj);

/*
 * One message with command @cmd describing @obj (a guest, VCPU or port,
 * matching @cmd) as @v sees it.  0, or -EMSGSIZE with @skb unchanged.
 * @may_cut: a guest whose traps do not all fit lists those that do and
 * says how many it left out (ZXHV_A_TRAPS_OMITTED), rather than failing;
 * for a message that holds this object alone.  May sleep (guests: the
 * EPT counts).
 */
int zxhv_genl_fill_object(struct sk_buff *skb, const struct genl_family *family,
			  const struct zxhv_genl_viewer *v, struct zxhv_object *obj,
			  u8 cmd, u32 portid, u32 seq, int flags, bool may_cut);

/* The ZXHV_CMD_PROBE_GET reply.  0 or -EMSGSIZE.  Sleeps. */
int zxhv_genl_fill_probe(struct sk_buff *skb, const struct genl_family *family,
			 u32 portid, u32 seq);

#endif /* ZXHV_GENL_FILL_H */
