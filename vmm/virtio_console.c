// SPDX-License-Identifier: BSD-2-Clause
/*
 * virtio-console (virtio 1.x §5.3) without MULTIPORT: port 0 only, queue 0
 * receives (host to guest), queue 1 transmits (guest to host).  Linux names
 * it hvc0.  Transmitted bytes go to the VMM's stdout as they arrive; the
 * host terminal's input (console.c, with --console virtio) is queued here
 * and copied into the receive buffers the driver has posted, so nothing is
 * lost while the guest has none posted: the terminal's reader waits for room.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "virtio.h"

#define INPUT_SIZE	4096

static struct {
	struct virtio_dev *dev;
	pthread_mutex_t lock;		/* the input queue; taken inside the device lock */
	pthread_cond_t room;
	uint8_t buf[INPUT_SIZE];
	unsigned int head, count;
} con = { .lock = PTHREAD_MUTEX_INITIALIZER, .room = PTHREAD_COND_INITIALIZER };

void virtio_console_receive(uint8_t byte)
{
	pthread_mutex_lock(&con.lock);
	while (con.count == INPUT_SIZE)
		pthread_cond_wait(&con.room, &con.lock);
	con.buf[(con.head + con.count++) % INPUT_SIZE] = byte;
	pthread_mutex_unlock(&con.lock);
	if (con.dev)
		virtio_wake(con.dev);
}

static void write_all(const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;			/* stdout gone: the output is dropped */
		p += w;
		n -= (size_t)w;
	}
}

static void transmit(struct virtio_dev *d)
{
	struct vq_chain *c = d->chain;
	char why[256];
	bool done = false;
	int r;

	while ((r = vq_pop(&d->q[1], &d->mem, c, why, sizeof(why))) > 0) {
		for (unsigned int b = 0; b < c->nread; b++)
			write_all(c->buf[b].ptr, c->buf[b].len);
		vq_push(&d->q[1], &d->mem, c->head, 0);
		done = true;
	}
	if (r < 0)
		virtio_needs_reset(d, "transmit queue: %s", why);
	else if (done)
		virtio_queue_interrupt(d, 1);
}

static void receive(struct virtio_dev *d)
{
	struct vq_chain *c = d->chain;
	char why[256];
	bool done = false;

	pthread_mutex_lock(&con.lock);
	while (con.count && virtio_queue_live(d, 0)) {
		uint32_t n = 0;
		int r = vq_pop(&d->q[0], &d->mem, c, why, sizeof(why));

		if (r < 0) {
			virtio_needs_reset(d, "receive queue: %s", why);
			break;
		}
		if (r == 0)
			break;
		while (con.count && n < c->write_len) {
			uint32_t run = INPUT_SIZE - con.head;

			if (run > con.count)
				run = con.count;
			if (run > c->write_len - n)
				run = (uint32_t)(c->write_len - n);
			vq_copy_to(c, n, con.buf + con.head, run);
			con.head = (con.head + run) % INPUT_SIZE;
			con.count -= run;
			n += run;
		}
		vq_push(&d->q[0], &d->mem, c->head, n);
		done = true;
	}
	pthread_cond_broadcast(&con.room);
	pthread_mutex_unlock(&con.lock);
	if (done)
		virtio_queue_interrupt(d, 0);
}

static void console_notify(struct virtio_dev *d, int q)
{
	/* q = -1: new input, or the driver just set DRIVER_OK. */
	if (q != 0 && virtio_queue_live(d, 1))
		transmit(d);
	if (q != 1)
		receive(d);
}

static void console_config(struct virtio_dev *d, uint8_t *buf)
{
	(void)d;
	memset(buf, 0, 12);		/* cols, rows, max_nr_ports, emerg_wr: unused */
}

static const struct virtio_ops console_ops = {
	.name = "console",
	.device_id = VIRTIO_ID_CONSOLE,
	.class_code = 0x078000,		/* communication controller, other */
	.nqueues = 2,
	.queue_size = 64,
	.config_len = 12,
	.config = console_config,
	.notify = console_notify,
};

void virtio_console_add(struct vmm *vm)
{
	con.dev = virtio_add(vm, &console_ops, NULL);
}
