// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host unit test of the virtio PCI transport's DEVICE_NEEDS_RESET messages
 * (vmm/virtio_pci.c): the transport and the devices' own files are linked
 * with fakes for the kernel calls (a port that never delivers, traps that
 * always succeed) and for the rest of zxhv-vmm.  A guest loops on what
 * the review found could fill the host's log: reset the device, give its
 * queue a descriptor table outside RAM, enable it (DEVICE_NEEDS_RESET),
 * 1000 times, through the BAR as a VCPU's MMIO would.  stderr goes to a
 * temporary file that the test reads back.  Prints TAP.  make -C vmm test
 * runs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zircon/status.h>

#include "../virtio.h"
#include "tap.h"

#define ROUNDS		1000
#define MESSAGES	5	/* what virtio_pci.c prints per device before it only counts */
#define RAM		(64u * 1024)

/* --- what virtio_pci.c and the devices call elsewhere ------------------------------ */

zx_status_t zx_port_create(uint32_t options, zx_handle_t *out)
{
	(void)options;
	*out = 1;
	return ZX_OK;
}

zx_status_t zx_guest_set_trap(zx_handle_t handle, uint32_t kind, zx_vaddr_t addr, size_t size,
			      zx_handle_t port, uint64_t key)
{
	(void)handle;
	(void)kind;
	(void)addr;
	(void)size;
	(void)port;
	(void)key;
	return ZX_OK;
}

/* The device thread waits here for ever: the test is the only one to touch the device. */
zx_status_t zx_port_wait(zx_handle_t handle, zx_time_t deadline, zx_port_packet_t *packet)
{
	(void)handle;
	(void)deadline;
	(void)packet;
	for (;;)
		pause();
}

zx_status_t zx_port_queue(zx_handle_t handle, const zx_port_packet_t *packet)
{
	(void)handle;
	(void)packet;
	return ZX_OK;
}

const char *zx_status_get_string(zx_status_t status)
{
	(void)status;
	return "ZX_ERR_FAKE";
}

void pci_add_device(unsigned int slot, const struct pci_device *dev)
{
	(void)slot;
	(void)dev;
}

void vcpu_interrupt_mask(struct vmm *vm, uint64_t mask, uint8_t vector)
{
	(void)vm;
	(void)mask;
	(void)vector;
}

void vmm_stop(struct vmm *vm, enum vmm_exit why, const char *fmt, ...)
{
	(void)vm;
	(void)why;
	(void)fmt;
}

void vmm_die_input(const char *arg, const char *fmt, ...)
{
	(void)arg;
	(void)fmt;
	abort();
}

/* --- the guest --------------------------------------------------------------------- */

static struct vmm vm;

static void bar_write(const struct virtio_dev *d, unsigned int off, unsigned int size, uint64_t v)
{
	virtio_mmio(&vm, d->bar + off, true, &v, size);
}

static uint8_t device_status(const struct virtio_dev *d)
{
	uint64_t v = 0;

	virtio_mmio(&vm, d->bar + 0x14, false, &v, 1);
	return (uint8_t)v;
}

/* Counts the lines of f that contain s. */
static unsigned int lines_with(FILE *f, const char *s)
{
	char line[512];
	unsigned int n = 0;

	rewind(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, s) != NULL;
	return n;
}

int main(void)
{
	FILE *err = tmpfile();
	int saved = dup(STDERR_FILENO);
	struct virtio_dev *d;
	bool all_reset = true;
	char first[512] = "";

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("TAP version 13\n1..4\n");
	vm.mem = calloc(1, RAM);
	vm.mem_size = RAM;
	if (!err || saved < 0 || !vm.mem || dup2(fileno(err), STDERR_FILENO) < 0)
		return 1;
	d = virtio_add(&vm, &(struct virtio_ops){ .name = "test", .device_id = 4, .nqueues = 1,
						  .queue_size = 8 }, NULL);
	for (unsigned int i = 0; i < ROUNDS; i++) {
		bar_write(d, 0x14, 1, 0);			/* reset */
		bar_write(d, 0x14, 1, 0x0b);			/* ACK, DRIVER, FEATURES_OK */
		bar_write(d, 0x16, 2, 0);			/* queue_select */
		bar_write(d, 0x20, 4, 0xfffff000u);		/* queue_desc: outside RAM */
		bar_write(d, 0x1c, 2, 1);			/* queue_enable */
		all_reset &= (device_status(d) & 0x40) != 0;
	}
	fflush(stderr);
	tap_ok(lines_with(err, "needs reset") == MESSAGES,
	       "1000 rounds of reset and a bad queue enable: 5 NEEDS_RESET lines");
	rewind(err);
	if (!fgets(first, sizeof(first), err))
		first[0] = 0;
	tap_ok(strstr(first, "virtio-test at 00:01.0: queue 0: ") != NULL,
	       "each names the device and the reason");
	tap_ok(all_reset, "the device went to NEEDS_RESET every round");
	virtio_exit_report();
	fflush(stderr);
	tap_ok(lines_with(err, "virtio-test at 00:01.0: 995 more needs-reset messages suppressed")
	       == 1, "at exit, one line counts the 995 others");
	dup2(saved, STDERR_FILENO);
	return tap_status();
}
