/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small client of the "zircon-hv" generic netlink family on libmnl:
 * resolve the family, send one request, run its replies through a
 * callback, keep the kernel's extended-ack message.  Used by zxhv
 * (tools/zxhv/zxhv.c) and the kselftest selftests/genl_test.c.
 */
#ifndef ZXHV_NL_H
#define ZXHV_NL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "zircon-hv-genl.h"

/* iproute2's dump buffer; libmnl 1.0.4 has no MNL_SOCKET_DUMP_SIZE. */
#define ZXHV_NL_BUFSIZE 32768

struct zxhv_nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;		/* the family's id */
	uint32_t events_group;		/* the "events" group's id, 0 if none */
	char extack[256];		/* the last error's message, or "" */
	int extack_offset;		/* the attribute it points at, or -1 */
};

/*
 * zxhv_nl_open - open a socket and resolve the family.  0, or -errno:
 * -ENOENT when there is no "zircon-hv" family (the module is not loaded).
 */
static inline int zxhv_nl_open(struct zxhv_nl *nl);
static inline void zxhv_nl_close(struct zxhv_nl *nl);

/*
 * zxhv_nl_msg - start a request of @cmd in @buf (ZXHV_NL_BUFSIZE bytes);
 * @dump adds NLM_F_DUMP (else NLM_F_ACK).  Add attributes with mnl_attr_put*.
 */
static inline struct nlmsghdr *zxhv_nl_msg(struct zxhv_nl *nl, char *buf, uint8_t cmd,
					   int dump);

/*
 * zxhv_nl_run - send @nlh and feed each reply message to @cb (NULL: none
 * expected) until the ack or the end of the dump.  0, or -errno (the
 * kernel's error, nl->extack its message).
 */
static inline int zxhv_nl_run(struct zxhv_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
			      void *data);

/* The attributes of one family message, by type (tb[ZXHV_A_MAX + 1]). */
static inline int zxhv_nl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb);
/* The attributes of a nest, tb[@max + 1]. */
static inline int zxhv_nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
				       int max);

static inline uint64_t zxhv_nl_u64(const struct nlattr *a)
{
	return a && mnl_attr_get_payload_len(a) == 8 ? mnl_attr_get_u64(a) : 0;
}

static inline uint32_t zxhv_nl_u32(const struct nlattr *a)
{
	return a && mnl_attr_get_payload_len(a) == 4 ? mnl_attr_get_u32(a) : 0;
}

/* --- implementation ----------------------------------------------------------------- */

struct zxhv_nl_tb {
	const struct nlattr **tb;
	int max;
};

static int zxhv_nl_attr_cb(const struct nlattr *attr, void *data)
{
	struct zxhv_nl_tb *t = data;
	int type = mnl_attr_get_type(attr);

	if (type > 0 && type <= t->max)
		t->tb[type] = attr;
	return MNL_CB_OK;
}

static inline int zxhv_nl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	struct zxhv_nl_tb t = { tb, ZXHV_A_MAX };

	memset(tb, 0, sizeof(*tb) * (ZXHV_A_MAX + 1));
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), zxhv_nl_attr_cb, &t);
}

static inline int zxhv_nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
				       int max)
{
	struct zxhv_nl_tb t = { tb, max };

	memset(tb, 0, sizeof(*tb) * (max + 1));
	return mnl_attr_parse_nested(nest, zxhv_nl_attr_cb, &t);
}

static inline struct nlmsghdr *zxhv_nl_msg(struct zxhv_nl *nl, char *buf, uint8_t cmd,
					   int dump)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = ZXHV_GENL_VERSION;
	return nlh;
}

/* NLMSG_ERROR (an ack when error is 0) and NLMSG_DONE, with their extended ack. */
static int zxhv_nl_ctl_cb(const struct nlmsghdr *nlh, void *data)
{
	struct zxhv_nl *nl = *(struct zxhv_nl **)data;
	const struct nlattr *a;
	size_t off;
	int err;

	if (nlh->nlmsg_type == NLMSG_DONE) {
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
			return MNL_CB_STOP;
		err = *(int *)mnl_nlmsg_get_payload(nlh);
		off = sizeof(int);
	} else {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
			errno = EBADMSG;
			return MNL_CB_ERROR;
		}
		err = e->error;
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	}
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		mnl_attr_for_each(a, nlh, off) {
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
			    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
				snprintf(nl->extack, sizeof(nl->extack), "%s", mnl_attr_get_str(a));
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_OFFS &&
			    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				nl->extack_offset = mnl_attr_get_u32(a);
		}
	}
	if (err) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

struct zxhv_nl_call {
	struct zxhv_nl *nl;	/* first: zxhv_nl_ctl_cb's view */
	mnl_cb_t cb;
	void *data;
};

static int zxhv_nl_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct zxhv_nl_call *c = data;

	return c->cb ? c->cb(nlh, c->data) : MNL_CB_OK;
}

static inline int zxhv_nl_run(struct zxhv_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
			      void *data)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = zxhv_nl_ctl_cb,
		[NLMSG_DONE] = zxhv_nl_ctl_cb,
	};
	static char buf[ZXHV_NL_BUFSIZE];
	struct zxhv_nl_call c = { nl, cb, data };
	unsigned int seq = nlh->nlmsg_seq;
	ssize_t n;
	int ret;

	nl->extack[0] = '\0';
	nl->extack_offset = -1;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run2(buf, n, seq, nl->portid, zxhv_nl_data_cb, &c, ctl,
				  NLMSG_MIN_TYPE);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

/* CTRL_CMD_GETFAMILY's reply: the id and the events group. */
static int zxhv_nl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct zxhv_nl *nl = data;
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = { 0 };
	struct zxhv_nl_tb t = { tb, CTRL_ATTR_MAX };
	const struct nlattr *grp;

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), zxhv_nl_attr_cb, &t);
	if (tb[CTRL_ATTR_FAMILY_ID] && mnl_attr_validate(tb[CTRL_ATTR_FAMILY_ID], MNL_TYPE_U16) == 0)
		nl->family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return MNL_CB_OK;
	mnl_attr_for_each_nested(grp, tb[CTRL_ATTR_MCAST_GROUPS]) {
		const struct nlattr *g[CTRL_ATTR_MCAST_GRP_MAX + 1];

		zxhv_nl_parse_nested(grp, g, CTRL_ATTR_MCAST_GRP_MAX);
		if (g[CTRL_ATTR_MCAST_GRP_NAME] && g[CTRL_ATTR_MCAST_GRP_ID] &&
		    mnl_attr_validate(g[CTRL_ATTR_MCAST_GRP_NAME], MNL_TYPE_NUL_STRING) == 0 &&
		    !strcmp(mnl_attr_get_str(g[CTRL_ATTR_MCAST_GRP_NAME]), ZXHV_GENL_MCGRP_EVENTS))
			nl->events_group = zxhv_nl_u32(g[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return MNL_CB_OK;
}

static inline int zxhv_nl_open(struct zxhv_nl *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->seq = time(NULL);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		return -errno;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		zxhv_nl_close(nl);
		return ret;
	}
	/* The kernel's messages with errors; strict checking of dump requests. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, ZXHV_GENL_NAME);
	ret = zxhv_nl_run(nl, nlh, zxhv_nl_family_cb, nl);
	if (!ret && !nl->family)
		ret = -ENOENT;
	if (ret)
		zxhv_nl_close(nl);
	return ret;
}

static inline void zxhv_nl_close(struct zxhv_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

/* Join the events group (after zxhv_nl_open).  0 or -errno. */
static inline int zxhv_nl_subscribe(struct zxhv_nl *nl)
{
	int grp = nl->events_group;

	if (!grp)
		return -ENOENT;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0)
		return -errno;
	return 0;
}

static inline const char *zxhv_nl_event_name(uint32_t event)
{
	switch (event) {
	case ZXHV_EVENT_GUEST_CREATED: return "guest-created";
	case ZXHV_EVENT_GUEST_DESTROYED: return "guest-destroyed";
	case ZXHV_EVENT_VCPU_CREATED: return "vcpu-created";
	case ZXHV_EVENT_VCPU_DESTROYED: return "vcpu-destroyed";
	case ZXHV_EVENT_TRAP_SET: return "trap-set";
	case ZXHV_EVENT_VCPU_FAILED: return "vcpu-failed";
	default: return "unknown";
	}
}

#endif /* ZXHV_NL_H */
