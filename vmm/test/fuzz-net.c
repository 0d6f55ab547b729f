// SPDX-License-Identifier: BSD-2-Clause
/*
 * virtio-net for dev-fuzz.c: its file compiled here, with a SOCK_SEQPACKET
 * socket pair standing in for the TAP (one frame a message, as a TAP reads
 * and writes them).  The device holds one end; the harness loops each frame
 * the guest transmits back into the device's receive side, so the frames the
 * receive path sees are fuzzer-built too.
 */
#include <sys/socket.h>

#include "../virtio_net.c"
#include "dev-fuzz.h"

static int peer = -1;

struct virtio_dev *fuzz_net_setup(struct vmm *vm)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	net.fd = sv[0];
	peer = sv[1];
	(void)vm;
	net.dev = virtio_add(vm, &net_ops, NULL);
	return net.dev;
}

static void drain(int fd)
{
	static uint8_t frame[65536 + HDR_LEN];

	while (recv(fd, frame, sizeof(frame), MSG_DONTWAIT) > 0)
		;
}

void fuzz_net_run(struct virtio_dev *d)
{
	static uint8_t frame[65536 + HDR_LEN];
	ssize_t n;

	net.offloads_set = false;	/* the offload ioctl fails on a socket: that path too */
	d->ops->notify(d, 1);
	while ((n = recv(peer, frame, sizeof(frame), MSG_DONTWAIT)) > 0)
		if (send(peer, frame, (size_t)n, MSG_DONTWAIT) < 0)
			break;
	pthread_mutex_lock(&net.lock);
	net.rx_pending = true;
	pthread_mutex_unlock(&net.lock);
	d->ops->notify(d, 0);
	net.rx_pending = false;
	drain(net.fd);
	drain(peer);
}
