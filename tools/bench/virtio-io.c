// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-io: the measuring programs of the virtio benchmark
 * (tools/bench/virtio-bench.sh), one static binary for the guest and the
 * host side.  Each mode prints one line `NAME VALUE UNIT` per figure.
 *
 *   virtio-io disk DEV MIB OPS   sequential read and write of MIB MiB in
 *                                1 MiB requests (O_DIRECT, the write ends
 *                                with fsync), then OPS random 4 KiB reads
 *                                (O_DIRECT) one at a time (queue depth 1),
 *                                then 8 x OPS with 32 in flight (Linux AIO,
 *                                io_submit: fio's libaio engine at
 *                                iodepth=32)
 *   virtio-io notify PCIDEV N    N writes to queue 0's notification address
 *                                of the virtio-pci device PCIDEV (e.g.
 *                                0000:00:03.0), which no driver may hold:
 *                                this program drives it (setup_queue())
 *                                through /dev/mem
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MIB	(1u << 20)
#define QD	32

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "virtio-io: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void full(ssize_t r, size_t want, const char *what)
{
	if (r != (ssize_t)want) {
		if (r >= 0)
			errno = EIO;
		die(what);
	}
}

/* A random 4 KiB-aligned offset below @size (xorshift64). */
static off_t random_block(uint64_t *x, uint64_t size)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return (off_t)(*x % (size / 4096)) * 4096;
}

static void aio_read(struct iocb *cb, int fd, void *buf, off_t off)
{
	memset(cb, 0, sizeof(*cb));
	cb->aio_data = (uintptr_t)cb;
	cb->aio_lio_opcode = IOCB_CMD_PREAD;
	cb->aio_fildes = (uint32_t)fd;
	cb->aio_buf = (uintptr_t)buf;
	cb->aio_nbytes = 4096;
	cb->aio_offset = off;
}

/* @ops random 4 KiB O_DIRECT reads, QD of them in flight (Linux AIO). */
static void randread_qd(int fd, uint64_t size, unsigned long ops, uint64_t *x)
{
	static struct iocb cbs[QD];
	struct io_event ev[QD];
	aio_context_t ctx = 0;
	unsigned long sent = 0, done = 0;
	uint8_t *bufs;
	double t;

	if (syscall(SYS_io_setup, QD, &ctx) || posix_memalign((void **)&bufs, 4096, QD * 4096))
		die("io_setup");
	t = now();
	for (; sent < QD && sent < ops; sent++) {
		struct iocb *cb = &cbs[sent];

		aio_read(cb, fd, bufs + sent * 4096, random_block(x, size));
		if (syscall(SYS_io_submit, ctx, 1, &cb) != 1)
			die("io_submit");
	}
	while (done < ops) {
		long n = syscall(SYS_io_getevents, ctx, 1, QD, ev, NULL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("io_getevents");
		for (long i = 0; i < n; i++) {
			struct iocb *cb = (struct iocb *)(uintptr_t)ev[i].data;

			full((ssize_t)ev[i].res, 4096, "aio read");
			done++;
			if (sent == ops)
				continue;
			aio_read(cb, fd, (void *)(uintptr_t)cb->aio_buf, random_block(x, size));
			if (syscall(SYS_io_submit, ctx, 1, &cb) != 1)
				die("io_submit");
			sent++;
		}
	}
	printf("randread4k_qd%d %.0f IOPS\n", QD, ops / (now() - t));
	syscall(SYS_io_destroy, ctx);
	free(bufs);
}

static int disk(const char *dev, unsigned long mib, unsigned long ops)
{
	uint64_t size, x = 88172645463325252ull;
	uint8_t *buf;
	double t;
	int fd = open(dev, O_RDWR | O_DIRECT);

	if (fd < 0 || posix_memalign((void **)&buf, 4096, MIB))
		die(dev);
	size = (uint64_t)lseek(fd, 0, SEEK_END);
	if (size < (uint64_t)mib * MIB) {
		errno = ENOSPC;
		die(dev);
	}
	memset(buf, 0x5a, MIB);
	t = now();
	for (unsigned long i = 0; i < mib; i++)
		full(pwrite(fd, buf, MIB, (off_t)i * MIB), MIB, "write");
	if (fsync(fd))
		die("fsync");
	printf("seqwrite %.2f MB/s\n", mib * (double)MIB / (now() - t) / 1e6);
	t = now();
	for (unsigned long i = 0; i < mib; i++)
		full(pread(fd, buf, MIB, (off_t)i * MIB), MIB, "read");
	printf("seqread %.2f MB/s\n", mib * (double)MIB / (now() - t) / 1e6);
	t = now();
	for (unsigned long i = 0; i < ops; i++)
		full(pread(fd, buf, 4096, random_block(&x, size)), 4096, "read");
	printf("randread4k %.0f IOPS\n", ops / (now() - t));
	randread_qd(fd, size, 8 * ops, &x);
	close(fd);
	return 0;
}

static void *map_phys(uint64_t addr)
{
	uint8_t *p;
	int fd = open("/dev/mem", O_RDWR | O_SYNC);

	if (fd < 0)
		die("/dev/mem");
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)(addr & ~4095ull));
	if (p == MAP_FAILED)
		die("mmap /dev/mem");
	close(fd);
	return p + (addr & 4095);
}

/* The physical address of a locked, zeroed page of this process. */
static uint64_t phys_page(void)
{
	uint64_t ent;
	uint8_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (page == MAP_FAILED || mlock(page, 4096) || fd < 0)
		die("page");
	memset(page, 0, 4096);
	full(pread(fd, &ent, 8, (off_t)((uintptr_t)page / 4096 * 8)), 8, "pagemap");
	close(fd);
	if (!(ent & (1ull << 63)) || !(ent & ((1ull << 55) - 1))) {
		errno = EFAULT;
		die("pagemap entry");
	}
	return (ent & ((1ull << 55) - 1)) * 4096;
}

static void w32(volatile uint8_t *c, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(c + off) = v;
}

static void w16(volatile uint8_t *c, unsigned int off, uint16_t v)
{
	*(volatile uint16_t *)(c + off) = v;
}

/*
 * Drives a virtio-pci (1.x) device that no driver holds: VERSION_1, queue 0
 * of 8 with its three rings in one zeroed page of this process (so the
 * device always finds it empty), DRIVER_OK; returns queue 0's notification
 * address.  A device that is DRIVER_OK notifies the way a driven one does
 * (QEMU starts its ioeventfd then).
 */
static uint64_t setup_queue(const char *pcidev)
{
	uint8_t cfg[256];
	char path[256];
	uint64_t bars[6] = { 0 }, common = 0, notify = 0, ring = phys_page();
	uint32_t mult = 0;
	volatile uint8_t *c;
	uint16_t qoff;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", pcidev);
	fd = open(path, O_RDONLY);
	if (fd < 0 || read(fd, cfg, sizeof(cfg)) != (ssize_t)sizeof(cfg))
		die(path);
	close(fd);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", pcidev);
	f = fopen(path, "r");
	if (!f)
		die(path);
	for (int i = 0; i < 6; i++) {
		unsigned long long start, end, flags;

		if (fscanf(f, "%llx %llx %llx", &start, &end, &flags) == 3)
			bars[i] = start;
	}
	fclose(f);
	for (uint8_t p = cfg[0x34]; p && p < 0xec; p = cfg[p + 1]) {
		uint32_t off;

		if (cfg[p] != 0x09 || cfg[p + 4] > 5)	/* a virtio (vendor) capability */
			continue;
		memcpy(&off, cfg + p + 8, 4);
		if (cfg[p + 3] == 1)
			common = bars[cfg[p + 4]] + off;
		if (cfg[p + 3] == 2) {
			notify = bars[cfg[p + 4]] + off;
			memcpy(&mult, cfg + p + 16, 4);
		}
	}
	if (!common || !notify) {
		errno = ENODEV;
		die("virtio capabilities");
	}
	c = map_phys(common);
	c[0x14] = 0;					/* reset */
	while (c[0x14])
		;
	c[0x14] = 1 | 2;				/* ACKNOWLEDGE, DRIVER */
	w32(c, 0x08, 1);
	w32(c, 0x0c, 1);				/* VERSION_1 */
	w32(c, 0x08, 0);
	w32(c, 0x0c, 0);
	c[0x14] = 1 | 2 | 8;				/* FEATURES_OK */
	w16(c, 0x16, 0);				/* queue 0 */
	w16(c, 0x18, 8);
	w16(c, 0x1a, 0xffff);				/* no MSI-X vector */
	w32(c, 0x20, (uint32_t)ring);
	w32(c, 0x24, (uint32_t)(ring >> 32));
	w32(c, 0x28, (uint32_t)(ring + 0x100));
	w32(c, 0x2c, (uint32_t)((ring + 0x100) >> 32));
	w32(c, 0x30, (uint32_t)(ring + 0x200));
	w32(c, 0x34, (uint32_t)((ring + 0x200) >> 32));
	w16(c, 0x1c, 1);				/* enable */
	qoff = *(volatile uint16_t *)(c + 0x1e);
	c[0x14] = 1 | 2 | 8 | 4;			/* DRIVER_OK */
	if (c[0x14] != 15) {
		errno = EPROTO;
		die("device status");
	}
	return notify + (uint64_t)qoff * mult;
}

static int notify(const char *pcidev, unsigned long n)
{
	volatile uint16_t *p = map_phys(setup_queue(pcidev));
	double t = now();

	for (unsigned long i = 0; i < n; i++)
		*p = 0;
	printf("notify %.0f /s\n", n / (now() - t));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "disk"))
		return disk(argv[2], strtoul(argv[3], NULL, 0), strtoul(argv[4], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "notify"))
		return notify(argv[2], strtoul(argv[3], NULL, 0));
	fprintf(stderr, "usage: virtio-io disk DEV MIB OPS | notify PCIDEV N\n");
	return 2;
}
