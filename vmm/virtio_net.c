// SPDX-License-Identifier: BSD-2-Clause
/*
 * virtio-net (virtio 1.x §5.1) on a Linux TAP device (--net tap=NAME
 * [,mac=MAC]): queue 0 receives, queue 1 transmits, no control queue, no
 * multiqueue, no mergeable receive buffers.  The TAP is opened with
 * IFF_VNET_HDR and a 12-byte header, which is the layout of the virtio
 * header with num_buffers, so a frame goes between a chain and the TAP in
 * one readv/writev with no copy.  Offloads: the guest may send partial
 * checksums and TSO frames (CSUM, HOST_TSO4/6; the TAP takes them as they
 * are); when it accepts them (GUEST_CSUM, GUEST_TSO4/6) the TAP is told so
 * with TUNSETOFFLOAD.
 *
 * Receiving: a reader thread polls the TAP; when a frame is waiting it wakes
 * the device thread and waits until that thread has drained the TAP (or has
 * no receive buffers left: a receive kick restarts it).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/if_tun.h>

#include "virtio.h"

#define F_CSUM			(1ull << 0)
#define F_GUEST_CSUM		(1ull << 1)
#define F_MAC			(1ull << 5)
#define F_GUEST_TSO4		(1ull << 7)
#define F_GUEST_TSO6		(1ull << 8)
#define F_HOST_TSO4		(1ull << 11)
#define F_HOST_TSO6		(1ull << 12)
#define F_STATUS		(1ull << 16)
#define HDR_LEN			12

static struct {
	struct virtio_dev *dev;
	int fd;
	uint8_t mac[6];
	bool offloads_set;
	pthread_mutex_t lock;		/* rx_pending; taken inside the device lock */
	pthread_cond_t drained;
	bool rx_pending;
	unsigned long rx_frames, tx_frames, tx_errors;
	struct iovec iov[VQ_MAX_BUFS];
} net = { .fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER, .drained = PTHREAD_COND_INITIALIZER };

static int gather(const struct vq_chain *c, bool write)
{
	unsigned int from = write ? c->nread : 0, to = write ? c->nbufs : c->nread;
	int n = 0;

	for (unsigned int b = from; b < to; b++) {
		net.iov[n].iov_base = c->buf[b].ptr;
		net.iov[n].iov_len = c->buf[b].len;
		n++;
	}
	return n;
}

static void set_offloads(struct virtio_dev *d)
{
	unsigned int off = 0;

	if (d->driver_features & F_GUEST_CSUM) {
		off |= TUN_F_CSUM;
		if (d->driver_features & F_GUEST_TSO4)
			off |= TUN_F_TSO4;
		if (d->driver_features & F_GUEST_TSO6)
			off |= TUN_F_TSO6;
	}
	ioctl(net.fd, TUNSETOFFLOAD, off);	/* on failure the TAP sends plain frames */
	net.offloads_set = true;
}

/* Guest to TAP: the virtio header and the frame in one writev. */
static enum vq_result transmit(void *ctx, const struct vq_chain *c, uint32_t *written, char *why,
			       size_t len)
{
	(void)ctx;
	(void)written;
	if (c->read_len < HDR_LEN || c->nbufs != c->nread) {
		snprintf(why, len, "%llu readable bytes, %u writable buffers",
			 (unsigned long long)c->read_len, c->nbufs - c->nread);
		return VQ_MALFORMED;
	}
	if (writev(net.fd, net.iov, gather(c, false)) < 0)
		net.tx_errors++;	/* a full or downed TAP drops the frame */
	else
		net.tx_frames++;
	return VQ_SERVED;
}

/* TAP to guest: one frame per chain; net.lock held. */
static enum vq_result receive(void *ctx, const struct vq_chain *c, uint32_t *written, char *why,
			      size_t len)
{
	uint16_t one = 1;
	ssize_t n;

	(void)ctx;
	if (c->nread || c->write_len < HDR_LEN) {
		snprintf(why, len, "%u readable buffers, %llu writable bytes", c->nread,
			 (unsigned long long)c->write_len);
		return VQ_MALFORMED;
	}
	n = readv(net.fd, net.iov, gather(c, true));
	if (n < 0 && errno == EINTR)
		n = readv(net.fd, net.iov, gather(c, true));
	if (n < HDR_LEN) {
		net.rx_pending = false;	/* drained: the chain stays available */
		pthread_cond_broadcast(&net.drained);
		return VQ_LATER;
	}
	vq_copy_to(c, 10, &one, 2);	/* num_buffers */
	*written = (uint32_t)n;
	net.rx_frames++;
	return VQ_SERVED;
}

static void net_notify(struct virtio_dev *d, int q)
{
	if (!net.offloads_set && (d->status & 4))
		set_offloads(d);
	if (q != 0)
		virtio_serve_queue(d, 1, transmit, NULL);
	if (q != 1) {
		pthread_mutex_lock(&net.lock);
		if (net.rx_pending)
			virtio_serve_queue(d, 0, receive, NULL);
		pthread_mutex_unlock(&net.lock);
	}
}

static void net_reset(struct virtio_dev *d)
{
	(void)d;
	net.offloads_set = false;
}

static void *reader(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd p = { .fd = net.fd, .events = POLLIN };

		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		pthread_mutex_lock(&net.lock);
		net.rx_pending = true;
		pthread_mutex_unlock(&net.lock);
		virtio_wake(net.dev);
		pthread_mutex_lock(&net.lock);
		while (net.rx_pending)
			pthread_cond_wait(&net.drained, &net.lock);
		pthread_mutex_unlock(&net.lock);
	}
}

static void net_config(struct virtio_dev *d, uint8_t *b)
{
	uint16_t status = 1;			/* VIRTIO_NET_S_LINK_UP */

	(void)d;
	memcpy(b, net.mac, 6);
	memcpy(b + 6, &status, 2);
}

static const struct virtio_ops net_ops = {
	.name = "net",
	.device_id = VIRTIO_ID_NET,
	.class_code = 0x020000,			/* Ethernet controller */
	.features = F_CSUM | F_GUEST_CSUM | F_MAC | F_GUEST_TSO4 | F_GUEST_TSO6 | F_HOST_TSO4 |
		    F_HOST_TSO6 | F_STATUS,
	.nqueues = 2,
	.queue_size = 256,
	.config_len = 8,
	.config = net_config,
	.notify = net_notify,
	.reset = net_reset,
};

/* --net tap=NAME[,mac=XX:XX:XX:XX:XX:XX] */
static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Six pairs of hex digits separated by ':', naming one station: the group
 * bit clear and not all zero (which Linux's driver replaces by a random one).
 */
static bool parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t m[6], any = 0;

	for (int i = 0; i < 6; i++, s += 3) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (lo < 0 || s[2] != (i < 5 ? ':' : '\0'))
			return false;
		m[i] = (uint8_t)(hi << 4 | lo);
		any |= m[i];
	}
	if ((m[0] & 1) || !any)
		return false;
	memcpy(mac, m, 6);
	return true;
}

void virtio_net_parse(struct vmm_config *cfg, char *arg)
{
	static const uint8_t default_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	char *save = NULL;

	bool mac_seen = false;

	memcpy(cfg->net_mac, default_mac, 6);
	for (char *opt = strtok_r(arg, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		if (strncmp(opt, "tap=", 4) == 0) {
			if (cfg->net_tap)
				vmm_die_input("--net", "tap= given more than once");
			if (!opt[4] || strlen(opt + 4) >= IFNAMSIZ)
				vmm_die_input("--net", "'%s': a TAP name of 1 to %d characters", opt,
					      IFNAMSIZ - 1);
			cfg->net_tap = opt + 4;
		} else if (strncmp(opt, "mac=", 4) == 0) {
			if (mac_seen)
				vmm_die_input("--net", "mac= given more than once");
			mac_seen = true;
			if (!parse_mac(opt + 4, cfg->net_mac))
				vmm_die_input("--net", "'%s' is not a unicast MAC address", opt + 4);
		} else {
			vmm_die_input("--net", "unknown option '%s' (tap=NAME, mac=MAC)", opt);
		}
	}
	if (!cfg->net_tap)
		vmm_die_input("--net", "tap=NAME is missing");
}

void virtio_net_add(struct vmm *vm)
{
	struct ifreq ifr;
	int hdr = HDR_LEN;
	pthread_t t;

	net.fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (net.fd < 0)
		vmm_die_input("--net", "/dev/net/tun: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", vm->cfg.net_tap);
	if (ioctl(net.fd, TUNSETIFF, &ifr) < 0 || ioctl(net.fd, TUNSETVNETHDRSZ, &hdr) < 0)
		vmm_die_input("--net", "TAP %s: %s", vm->cfg.net_tap, strerror(errno));
	memcpy(net.mac, vm->cfg.net_mac, 6);
	net.dev = virtio_add(vm, &net_ops, NULL);
	if (pthread_create(&t, NULL, reader, NULL) != 0) {
		fprintf(stderr, "zxhv-vmm: virtio-net: cannot start its reader\n");
		exit(EXIT_VM_FAILURE);
	}
	pthread_detach(t);
}

void virtio_net_report(void)
{
	if (net.dev)
		fprintf(stderr, "zxhv-vmm: net (%s): %lu frames received, %lu sent, %lu send errors\n",
			net.dev->vm->cfg.net_tap, net.rx_frames, net.tx_frames, net.tx_errors);
}
