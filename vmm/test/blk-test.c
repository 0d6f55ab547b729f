// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host unit test of virtio-blk's DISCARD and WRITE_ZEROES requests
 * (vmm/virtio_blk.c) behind the fake transport, guest RAM and memfd disks of
 * test/fake-dev.c.  Each case fills the disk with a pattern, offers one
 * request chain (header, segment bytes, status byte), kicks the device and
 * checks the status byte and which disk bytes became zero.  Prints TAP.
 * make -C vmm test runs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake-dev.h"
#include "tap.h"

#define DISK_SIZE	(64u * 1024)
#define SECTORS		(DISK_SIZE / 512)
#define FILL		0xee

#define T_DISCARD	11
#define T_WRITE_ZEROES	13
#define S_OK		0
#define S_IOERR		1
#define S_UNSUPP	2
#define UNMAP		1u

#define HDR_GPA		FAKE_DATA_BASE
#define SEG_GPA		(FAKE_DATA_BASE + 0x100)
#define STATUS_GPA	(FAKE_DATA_BASE + 0x3000)
#define NO_STATUS	0xa5

static struct vmm vm;
static struct virtio_dev *rw, *ro;
static int rw_fd, ro_fd;

static void fill(int fd)
{
	static uint8_t pattern[DISK_SIZE];

	memset(pattern, FILL, sizeof(pattern));
	if (pwrite(fd, pattern, sizeof(pattern), 0) != (ssize_t)sizeof(pattern))
		abort();
}

/* Are the disk's bytes zero exactly in sectors [first, first + count)? */
static bool zeroed_exactly(int fd, uint64_t first, uint64_t count)
{
	static uint8_t disk[DISK_SIZE];

	if (pread(fd, disk, sizeof(disk), 0) != (ssize_t)sizeof(disk))
		abort();
	for (uint64_t i = 0; i < DISK_SIZE; i++) {
		bool inside = i / 512 >= first && i / 512 < first + count;

		if (disk[i] != (inside ? 0 : FILL))
			return false;
	}
	return true;
}

static void put_seg(unsigned int i, uint64_t sector, uint32_t count, uint32_t flags)
{
	uint8_t *p = fake_ram + SEG_GPA + 16 * i;

	memcpy(p, &sector, 8);
	memcpy(p + 8, &count, 4);
	memcpy(p + 12, &flags, 4);
}

/*
 * Offers header + seg_len bytes of segments at SEG_GPA (nseg_desc descriptors
 * each pointing at those same bytes) + a status byte, kicks the device and
 * returns the status byte it wrote (NO_STATUS if none; the used length must be 1).
 */
static uint8_t submit(struct virtio_dev *d, uint32_t type, uint32_t seg_len, unsigned int nseg_desc)
{
	uint64_t hdr[2] = { type, 0 };
	uint32_t used_len;
	uint16_t used_idx, i = 0;

	memcpy(fake_ram + HDR_GPA, hdr, sizeof(hdr));
	fake_ram[STATUS_GPA] = NO_STATUS;
	fake_put_desc(fake_qbase(0), i, HDR_GPA, 16, VRING_DESC_F_NEXT, (uint16_t)(i + 1));
	for (i = 1; i <= nseg_desc; i++)
		fake_put_desc(fake_qbase(0), i, SEG_GPA, seg_len, VRING_DESC_F_NEXT,
			      (uint16_t)(i + 1));
	fake_put_desc(fake_qbase(0), i, STATUS_GPA, 1, VRING_DESC_F_WRITE, 0);
	fake_offer(0, 0);
	d->ops->notify(d, 0);
	memcpy(&used_idx, fake_ram + fake_qbase(0) + 0x800 + 2, 2);
	memcpy(&used_len, fake_ram + fake_qbase(0) + 0x800 + 8, 4);
	if (d->status & FAKE_NEEDS_RESET)
		printf("# needs reset: %s\n", fake_reset_why);
	if (used_idx != 1 || used_len != 1 || (d->status & FAKE_NEEDS_RESET))
		return NO_STATUS;
	return fake_ram[STATUS_GPA];
}

/* One case: a request with the segments put_seg() laid out; its status and the zeroed sectors. */
static void expect(const char *what, struct virtio_dev *d, int fd, uint32_t type, uint32_t seg_len,
		   unsigned int nseg_desc, uint8_t status, uint64_t first, uint64_t count)
{
	uint8_t st;

	fill(fd);
	fake_queues_ready(d, false, false);
	st = submit(d, type, seg_len, nseg_desc);
	if (st != status)
		printf("# status %u, expected %u\n", st, status);
	tap_ok(st == status && zeroed_exactly(fd, first, count), what);
	memset(fake_ram + SEG_GPA, 0, 0x100);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	fake_ram_init();
	rw_fd = fake_disk(&vm, false, DISK_SIZE, &rw);
	ro_fd = fake_disk(&vm, true, DISK_SIZE, &ro);
	printf("TAP version 13\n1..22\n");

	put_seg(0, 2, 3, 0);
	expect("discard of one segment zeroes its sectors", rw, rw_fd, T_DISCARD, 16, 1, S_OK, 2, 3);
	put_seg(0, 5, 8, 0);
	expect("write-zeroes of one segment zeroes its sectors", rw, rw_fd, T_WRITE_ZEROES, 16, 1,
	       S_OK, 5, 8);
	put_seg(0, 9, 1, UNMAP);
	expect("write-zeroes with the unmap flag zeroes its sectors", rw, rw_fd, T_WRITE_ZEROES,
	       16, 1, S_OK, 9, 1);
	put_seg(0, 1, 1, 0);
	expect("discard off discard_sector_alignment (advisory) is done", rw, rw_fd, T_DISCARD, 16,
	       1, S_OK, 1, 1);
	put_seg(0, SECTORS - 2, 2, 0);
	expect("discard of the disk's last sectors", rw, rw_fd, T_DISCARD, 16, 1, S_OK,
	       SECTORS - 2, 2);

	/* More segments than max_discard_seg = max_write_zeroes_seg = 1: UNSUPP, nothing done. */
	put_seg(0, 2, 1, 0);
	put_seg(1, 4, 1, 0);
	expect("discard of two segments: UNSUPP", rw, rw_fd, T_DISCARD, 32, 1, S_UNSUPP, 0, 0);
	put_seg(0, 2, 1, 0);
	put_seg(1, 4, 1, 0);
	expect("write-zeroes of two segments: UNSUPP", rw, rw_fd, T_WRITE_ZEROES, 32, 1, S_UNSUPP,
	       0, 0);
	put_seg(0, 0, SECTORS, 0);
	expect("40 descriptors on the same segment: UNSUPP", rw, rw_fd, T_WRITE_ZEROES, 16, 40,
	       S_UNSUPP, 0, 0);

	/* Flags (virtio 1.2 §5.2.6.2): unmap on a discard and any reserved bit are UNSUPP. */
	put_seg(0, 2, 1, UNMAP);
	expect("discard with the unmap flag: UNSUPP", rw, rw_fd, T_DISCARD, 16, 1, S_UNSUPP, 0, 0);
	put_seg(0, 2, 1, 2);
	expect("write-zeroes with a reserved flag: UNSUPP", rw, rw_fd, T_WRITE_ZEROES, 16, 1,
	       S_UNSUPP, 0, 0);
	put_seg(0, 2, 1, 0x80000000u);
	expect("discard with a reserved flag: UNSUPP", rw, rw_fd, T_DISCARD, 16, 1, S_UNSUPP, 0, 0);

	/* Malformed lengths and ranges: IOERR, nothing done. */
	expect("no segment bytes: IOERR", rw, rw_fd, T_DISCARD, 0, 0, S_IOERR, 0, 0);
	put_seg(0, 2, 1, 0);
	expect("an 8-byte segment: IOERR", rw, rw_fd, T_DISCARD, 8, 1, S_IOERR, 0, 0);
	put_seg(0, 2, 1, 0);
	expect("24 segment bytes: IOERR", rw, rw_fd, T_WRITE_ZEROES, 24, 1, S_IOERR, 0, 0);
	put_seg(0, SECTORS - 1, 2, 0);
	expect("a discard past the disk's end: IOERR", rw, rw_fd, T_DISCARD, 16, 1, S_IOERR, 0, 0);
	put_seg(0, SECTORS - 1, 2, 0);
	expect("a write-zeroes past the disk's end: IOERR", rw, rw_fd, T_WRITE_ZEROES, 16, 1,
	       S_IOERR, 0, 0);
	put_seg(0, UINT64_MAX, 1, 0);
	expect("sector 2^64-1: IOERR", rw, rw_fd, T_WRITE_ZEROES, 16, 1, S_IOERR, 0, 0);
	put_seg(0, 0, 0x400000, 0);
	expect("more than max_write_zeroes_sectors: IOERR", rw, rw_fd, T_WRITE_ZEROES, 16, 1,
	       S_IOERR, 0, 0);

	/* The read-only disk. */
	put_seg(0, 2, 1, 0);
	expect("discard on a read-only disk: IOERR", ro, ro_fd, T_DISCARD, 16, 1, S_IOERR, 0, 0);
	put_seg(0, 2, 1, 0);
	expect("write-zeroes on a read-only disk: IOERR", ro, ro_fd, T_WRITE_ZEROES, 16, 1,
	       S_IOERR, 0, 0);
	put_seg(0, 2, 1, 0);
	put_seg(1, 4, 1, 0);
	expect("two segments on a read-only disk: IOERR", ro, ro_fd, T_DISCARD, 32, 1, S_IOERR, 0,
	       0);
	put_seg(0, 0, 0, 0);
	expect("zero sectors: OK, nothing zeroed", rw, rw_fd, T_WRITE_ZEROES, 16, 1, S_OK, 0, 0);
	return tap_status();
}
