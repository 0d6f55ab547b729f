// SPDX-License-Identifier: BSD-2-Clause
/*
 * virtio-blk (virtio 1.x §5.2) on a raw image or block device, one request
 * queue.  A request is a chain: a 16-byte device-readable header (le32 type,
 * le32 reserved, le64 sector), the data (readable for writes, writable for
 * reads), and a final device-writable status byte.  Data moves straight
 * between the file and guest RAM with preadv/pwritev on the chain's buffers.
 *
 *   IN, OUT          512-byte sectors inside the disk, else IOERR
 *   FLUSH            fdatasync(2): completed means on the host's disk
 *   GET_ID           "zxhv-disk<N>", 20 bytes at most
 *   DISCARD          fallocate PUNCH_HOLE (regular files)   one segment, else
 *   WRITE_ZEROES     fallocate ZERO_RANGE, or written zeroes  UNSUPP (segments())
 *   anything else    UNSUPP
 *
 * A read-only disk (--disk PATH,ro) offers VIRTIO_BLK_F_RO and fails every
 * OUT, DISCARD and WRITE_ZEROES with IOERR.  A chain without room for the
 * header or the status byte is a malformed ring: DEVICE_NEEDS_RESET.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "virtio.h"

#define SECTOR			512ull
#define SEG_MAX			126
#define MAX_SEG_SECTORS		0x3fffffu

#define F_SEG_MAX		(1ull << 2)
#define F_RO			(1ull << 5)
#define F_FLUSH			(1ull << 9)
#define F_DISCARD		(1ull << 13)
#define F_WRITE_ZEROES		(1ull << 14)

#define T_IN			0
#define T_OUT			1
#define T_FLUSH			4
#define T_GET_ID		8
#define T_DISCARD		11
#define T_WRITE_ZEROES		13

#define S_OK			0
#define S_IOERR			1
#define S_UNSUPP		2

#define SEG_F_UNMAP		1u

struct blk {
	struct virtio_ops ops;
	const struct vmm_disk *disk;
	unsigned int index;
	int fd;
	uint64_t sectors;
	bool regular;
	unsigned long reads, writes, flushes, discards, zeroes, errors;
	struct iovec iov[VQ_MAX_BUFS];
};

static struct blk *disks[VMM_MAX_DISKS];
static unsigned int ndisks;

/* Gathers [off, off + len) of the chain's readable (or writable) bytes into iov. */
static int gather(const struct vq_chain *c, bool write, uint64_t off, uint64_t len,
		  struct iovec *iov)
{
	unsigned int from = write ? c->nread : 0, to = write ? c->nbufs : c->nread;
	int n = 0;

	for (unsigned int b = from; b < to && len; b++) {
		uint64_t take;

		if (off >= c->buf[b].len) {
			off -= c->buf[b].len;
			continue;
		}
		take = c->buf[b].len - off;
		if (take > len)
			take = len;
		iov[n].iov_base = c->buf[b].ptr + off;
		iov[n].iov_len = take;
		n++;
		len -= take;
		off = 0;
	}
	return n;
}

/* Moves len bytes between the file at pos and iov; false on an error or short transfer. */
static bool transfer(struct blk *k, bool out, struct iovec *iov, int n, uint64_t pos, uint64_t len)
{
	while (len) {
		ssize_t r = out ? pwritev(k->fd, iov, n, (off_t)pos) : preadv(k->fd, iov, n, (off_t)pos);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		pos += (uint64_t)r;
		len -= (uint64_t)r;
		while (n && (size_t)r >= iov->iov_len) {
			r -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n && r) {
			iov->iov_base = (uint8_t *)iov->iov_base + r;
			iov->iov_len -= (size_t)r;
		}
	}
	return true;
}

static bool in_disk(const struct blk *k, uint64_t sector, uint64_t count)
{
	return sector <= k->sectors && count <= k->sectors - sector;
}

static uint8_t zero_range(struct blk *k, uint64_t sector, uint64_t count, bool punch)
{
	static const uint8_t zeroes[65536];
	uint64_t pos = sector * SECTOR, len = count * SECTOR;
	int mode = punch ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE : FALLOC_FL_ZERO_RANGE;

	if (!in_disk(k, sector, count))
		return S_IOERR;
	if (k->regular && fallocate(k->fd, mode, (off_t)pos, (off_t)len) == 0)
		return S_OK;
	if (punch)
		return S_OK;		/* a discard may do nothing */
	while (len) {
		size_t n = len < sizeof(zeroes) ? (size_t)len : sizeof(zeroes);
		ssize_t w = pwrite(k->fd, zeroes, n, (off_t)pos);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return S_IOERR;
		pos += (uint64_t)w;
		len -= (uint64_t)w;
	}
	return S_OK;
}

/*
 * DISCARD and WRITE_ZEROES: one 16-byte segment (le64 sector, le32 count,
 * le32 flags), as max_discard_seg = max_write_zeroes_seg = 1 say; several
 * are UNSUPP, so a request costs one range whatever its length.  Flags
 * (virtio 1.2 §5.2.6.2): bit 0 is unmap, which only WRITE_ZEROES may set
 * (and which may be ignored: the range is zeroed either way); unmap on a
 * DISCARD or any other bit is UNSUPP.  discard_sector_alignment is a hint
 * to the driver: an unaligned range is done as asked.
 */
static uint8_t segments(struct blk *k, const struct vq_chain *c, uint32_t type)
{
	uint64_t n = c->read_len - 16, sector;
	uint32_t count, flags;
	uint8_t seg[16];

	if (k->disk->read_only || n == 0 || n % 16)
		return S_IOERR;
	if (n > 16)
		return S_UNSUPP;
	vq_copy_from(c, 16, seg, sizeof(seg));
	memcpy(&sector, seg, 8);
	memcpy(&count, seg + 8, 4);
	memcpy(&flags, seg + 12, 4);
	if (flags & ~(type == T_WRITE_ZEROES ? SEG_F_UNMAP : 0u))
		return S_UNSUPP;
	if (count > MAX_SEG_SECTORS)
		return S_IOERR;
	return zero_range(k, sector, count, type == T_DISCARD);
}

static uint8_t request(struct blk *k, const struct vq_chain *c, uint32_t type, uint64_t sector,
		       uint32_t *written)
{
	struct iovec *iov = k->iov;
	uint64_t len;
	int n;

	switch (type) {
	case T_IN:
	case T_OUT:
		len = type == T_IN ? c->write_len - 1 : c->read_len - 16;
		if (len % SECTOR || !in_disk(k, sector, len / SECTOR))
			return S_IOERR;
		if (type == T_OUT && k->disk->read_only)
			return S_IOERR;
		n = gather(c, type == T_IN, type == T_IN ? 0 : 16, len, iov);
		if (!transfer(k, type == T_OUT, iov, n, sector * SECTOR, len))
			return S_IOERR;
		if (type == T_IN) {
			*written += (uint32_t)len;
			k->reads++;
		} else {
			k->writes++;
		}
		return S_OK;
	case T_FLUSH:
		k->flushes++;
		return fdatasync(k->fd) == 0 ? S_OK : S_IOERR;
	case T_GET_ID: {
		char id[20];

		memset(id, 0, sizeof(id));
		snprintf(id, sizeof(id), "zxhv-disk%u", k->index);
		len = c->write_len - 1 < sizeof(id) ? c->write_len - 1 : sizeof(id);
		vq_copy_to(c, 0, id, len);
		*written += (uint32_t)len;
		return S_OK;
	}
	case T_DISCARD:
	case T_WRITE_ZEROES:
		if (type == T_DISCARD)
			k->discards++;
		else
			k->zeroes++;
		return segments(k, c, type);
	default:
		return S_UNSUPP;
	}
}

/* One request chain: header, data, status byte. */
static enum vq_result blk_request(void *ctx, const struct vq_chain *c, uint32_t *written,
				  char *why, size_t len)
{
	struct blk *k = ctx;
	uint8_t hdr[16], st;
	uint32_t type;
	uint64_t sector;

	if (c->read_len < 16 || c->write_len < 1) {
		snprintf(why, len, "no room for the header or the status (%llu readable, "
			 "%llu writable bytes)", (unsigned long long)c->read_len,
			 (unsigned long long)c->write_len);
		return VQ_MALFORMED;
	}
	vq_copy_from(c, 0, hdr, sizeof(hdr));
	memcpy(&type, hdr, 4);
	memcpy(&sector, hdr + 8, 8);
	*written = 1;
	st = request(k, c, type, sector, written);
	if (st != S_OK)
		k->errors++;
	vq_copy_to(c, c->write_len - 1, &st, 1);
	return VQ_SERVED;
}

static void blk_notify(struct virtio_dev *d, int q)
{
	if (q <= 0)			/* q = -1: the driver just set DRIVER_OK */
		virtio_serve_queue(d, 0, blk_request, d->priv);
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static void blk_config(struct virtio_dev *d, uint8_t *b)
{
	struct blk *k = d->priv;

	memcpy(b + 0, &k->sectors, 8);		/* capacity */
	put32(b + 12, SEG_MAX);			/* seg_max */
	put32(b + 36, MAX_SEG_SECTORS);		/* max_discard_sectors */
	put32(b + 40, 1);			/* max_discard_seg */
	put32(b + 44, 8);			/* discard_sector_alignment: 4 KiB */
	put32(b + 48, MAX_SEG_SECTORS);		/* max_write_zeroes_sectors */
	put32(b + 52, 1);			/* max_write_zeroes_seg */
}

void virtio_blk_add(struct vmm *vm, const struct vmm_disk *disk, unsigned int index)
{
	struct blk *k = calloc(1, sizeof(*k));
	struct stat st;
	off_t end;

	if (!k) {
		fprintf(stderr, "zxhv-vmm: out of memory\n");
		exit(EXIT_VM_FAILURE);
	}
	k->disk = disk;
	k->index = index;
	k->fd = open(disk->path, (disk->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (k->fd < 0 || fstat(k->fd, &st) != 0 || (end = lseek(k->fd, 0, SEEK_END)) < 0)
		vmm_die_input("--disk", "%s: %s", disk->path, strerror(errno));
	k->sectors = (uint64_t)end / SECTOR;
	k->regular = S_ISREG(st.st_mode);
	k->ops = (struct virtio_ops){
		.name = "blk",
		.device_id = VIRTIO_ID_BLOCK,
		.class_code = 0x018000,		/* mass storage, other */
		.features = F_SEG_MAX | F_FLUSH |
			    (disk->read_only ? F_RO : F_DISCARD | F_WRITE_ZEROES),
		.nqueues = 1,
		.queue_size = 128,
		.config_len = 60,
		.config = blk_config,
		.notify = blk_notify,
	};
	virtio_add(vm, &k->ops, k);
	disks[ndisks++] = k;
}

void virtio_blk_report(void)
{
	for (unsigned int i = 0; i < ndisks; i++) {
		struct blk *k = disks[i];

		fprintf(stderr, "zxhv-vmm: disk %u (%s%s): %lu reads, %lu writes, %lu flushes, "
			"%lu discards, %lu write-zeroes, %lu errors\n", k->index, k->disk->path,
			k->disk->read_only ? ",ro" : "", k->reads, k->writes, k->flushes,
			k->discards, k->zeroes, k->errors);
	}
}
