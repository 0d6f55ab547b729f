// SPDX-License-Identifier: BSD-2-Clause
/*
 * virtio-console (virtio 1.x §5.3) without MULTIPORT: port 0 only, queue 0
 * receives (host to guest), queue 1 transmits (guest to host).  Linux names
 * it hvc0.  Transmitted bytes go to the VMM's stdout as they arrive; the
 * host terminal's input (console.c, with --console virtio) is queued here
 * (INPUT_SIZE bytes, console.c's backlog) and copied into the receive
 * buffers the driver has posted, whenever it posts them.
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

bool virtio_console_receive(uint8_t byte, bool wait)
{
	bool queued;

	pthread_mutex_lock(&con.lock);
	while (wait && con.count == INPUT_SIZE)
		pthread_cond_wait(&con.room, &con.lock);
	queued = con.count < INPUT_SIZE;
	if (queued)
		con.buf[(con.head + con.count++) % INPUT_SIZE] = byte;
	pthread_mutex_unlock(&con.lock);
	if (queued && con.dev)
		virtio_wake(con.dev);
	return queued;
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

/* Guest to host: the readable buffers go to stdout. */
static enum vq_result transmit(void *ctx, const struct vq_chain *c, uint32_t *written, char *why,
			       size_t len)
{
	(void)ctx;
	(void)written;
	(void)why;
	(void)len;
	for (unsigned int b = 0; b < c->nread; b++)
		write_all(c->buf[b].ptr, c->buf[b].len);
	return VQ_SERVED;
}

/* Host to guest: queued input into the writable buffers; con.lock held. */
static enum vq_result receive(void *ctx, const struct vq_chain *c, uint32_t *written, char *why,
			      size_t len)
{
	(void)ctx;
	(void)why;
	(void)len;
	if (!con.count)
		return VQ_LATER;
	while (con.count && *written < c->write_len) {
		uint32_t run = INPUT_SIZE - con.head;

		if (run > con.count)
			run = con.count;
		if (run > c->write_len - *written)
			run = (uint32_t)(c->write_len - *written);
		vq_copy_to(c, *written, con.buf + con.head, run);
		con.head = (con.head + run) % INPUT_SIZE;
		con.count -= run;
		*written += run;
	}
	return VQ_SERVED;
}

static void console_notify(struct virtio_dev *d, int q)
{
	/* q = -1: new input, or the driver just set DRIVER_OK. */
	if (q != 0)
		virtio_serve_queue(d, 1, transmit, NULL);
	if (q != 1) {
		pthread_mutex_lock(&con.lock);
		if (con.count)
			virtio_serve_queue(d, 0, receive, NULL);
		pthread_cond_broadcast(&con.room);
		pthread_mutex_unlock(&con.lock);
	}
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
