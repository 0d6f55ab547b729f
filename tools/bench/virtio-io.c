// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-io: the measuring programs of the virtio benchmark
 * (tools/bench/virtio-bench.sh), one static binary for the guest and the
 * host side.  Each mode prints one line `NAME VALUE UNIT` per figure.
 *
 *   virtio-io disk DEV MIB OPS   sequential read and write of MIB MiB in
 *                                1 MiB requests (O_DIRECT, the write ends
 *                                with fsync), then OPS random 4 KiB reads
 *                                (O_DIRECT, one at a time: queue depth 1)
 *   virtio-io send ADDR PORT MIB  TCP: MIB MiB to ADDR:PORT, timed from
 *                                connect to the receiver's close (so every
 *                                byte has arrived)
 *   virtio-io sink PORT          TCP: accepts one connection, reads it to
 *                                its end, closes; prints the bytes received
 *   virtio-io notify PCIDEV N    N writes to queue 0's notification address
 *                                of the virtio-pci device PCIDEV (e.g.
 *                                0000:00:03.0), which no driver may hold:
 *                                this program drives it (setup_queue())
 *                                through /dev/mem
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MIB	(1u << 20)

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
	for (unsigned long i = 0; i < ops; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		full(pread(fd, buf, 4096, (off_t)(x % (size / 4096)) * 4096), 4096, "read");
	}
	printf("randread4k %.0f IOPS\n", ops / (now() - t));
	close(fd);
	return 0;
}

static int send_tcp(const char *addr, int port, unsigned long mib)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	static char buf[65536];
	double t;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || inet_pton(AF_INET, addr, &a.sin_addr) != 1)
		die("socket");
	memset(buf, 'z', sizeof(buf));
	t = now();
	if (connect(s, (struct sockaddr *)&a, sizeof(a)))
		die("connect");
	for (unsigned long i = 0; i < mib * (MIB / sizeof(buf)); i++)
		for (size_t off = 0; off < sizeof(buf);) {
			ssize_t w = write(s, buf + off, sizeof(buf) - off);

			if (w <= 0)
				die("write");
			off += (size_t)w;
		}
	shutdown(s, SHUT_WR);
	while (read(s, buf, sizeof(buf)) > 0)
		;
	printf("tcp %.2f MB/s\n", mib * (double)MIB / (now() - t) / 1e6);
	close(s);
	return 0;
}

static int sink(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	static char buf[65536];
	unsigned long long total = 0;
	ssize_t n;
	int one = 1, c, s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1))
		die("listen");
	c = accept(s, NULL, NULL);
	if (c < 0)
		die("accept");
	while ((n = read(c, buf, sizeof(buf))) > 0)
		total += (unsigned long long)n;
	close(c);
	printf("received %llu bytes\n", total);
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
	if (argc == 5 && !strcmp(argv[1], "send"))
		return send_tcp(argv[2], atoi(argv[3]), strtoul(argv[4], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "sink"))
		return sink(atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "notify"))
		return notify(argv[2], strtoul(argv[3], NULL, 0));
	fprintf(stderr, "usage: virtio-io disk DEV MIB OPS | send ADDR PORT MIB | sink PORT | "
		"notify PCIDEV N\n");
	return 2;
}
