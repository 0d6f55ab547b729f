// SPDX-License-Identifier: GPL-2.0-only
/*
 * blkio-bench: preadv/pwritev against io_uring (liburing) the way virtio-blk
 * in zxhv-vmm would serve a guest's requests, on the host, to choose between
 * them (docs/benchmarks.md, "virtio-blk: preadv or io_uring").
 *
 *   blkio-bench FILE SIZE_MIB SECONDS
 *
 * FILE is created (SIZE_MIB, filled) if shorter.  Each case runs SECONDS and
 * prints one line: engine, pattern, queue depth, cache state, MB/s, IOPS.
 *   engines   preadv: the device thread serves a kick's requests one after
 *             another (what virtio_blk.c does); uring: the requests of a kick
 *             go into one io_uring submission and stay QD in flight, each
 *             completion replaced by the next request
 *   patterns  rand4k: 4 KiB reads at random 4 KiB-aligned offsets;
 *             seq1m: 1 MiB reads in order, wrapping at the end;
 *             seqw1m: 1 MiB writes in order (fdatasync once at the end)
 *   QD        1 and 32 (Linux's virtio-blk keeps up to the queue size, 128,
 *             in flight; fio's iodepth=32 is the benchmark's setting)
 *   cache     warm: the file is in the page cache (read once first);
 *             cold: posix_fadvise(DONTNEED) on the file before the case
 *             (only this file's pages: the machine is shared)
 * Buffers are 4 KiB aligned, as guest pages are; the file is opened without
 * O_DIRECT, as zxhv-vmm opens its images.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAXQD	32

struct pattern {
	const char *name;
	size_t bs;
	bool random, write;
};

static const struct pattern patterns[] = {
	{ "rand4k", 4096, true, false },
	{ "seq1m", 1 << 20, false, false },
	{ "seqw1m", 1 << 20, false, true },
};

static int fd;
static uint64_t fsize, seq_pos, rng = 88172645463325252ull;
static uint8_t *bufs[MAXQD];

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static uint64_t next_off(const struct pattern *p)
{
	uint64_t off;

	if (p->random) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		return (rng % (fsize / p->bs)) * p->bs;
	}
	off = seq_pos;
	seq_pos += p->bs;
	if (seq_pos + p->bs > fsize)
		seq_pos = 0;
	return off;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "blkio-bench: %s: %s\n", what, strerror(err));
	exit(1);
}

/* One request, served synchronously (what virtio_blk.c's transfer() does). */
static void sync_io(const struct pattern *p, uint8_t *buf)
{
	struct iovec iov = { buf, p->bs };
	uint64_t off = next_off(p);
	ssize_t r = p->write ? pwritev(fd, &iov, 1, (off_t)off) : preadv(fd, &iov, 1, (off_t)off);

	if (r != (ssize_t)p->bs)
		die(p->write ? "pwritev" : "preadv", r < 0 ? errno : EIO);
}

static uint64_t run_preadv(const struct pattern *p, unsigned int qd, double secs)
{
	uint64_t ops = 0;
	double end = now() + secs;

	/* A kick brings qd requests; they are served one after another. */
	while (now() < end)
		for (unsigned int i = 0; i < qd; i++, ops++)
			sync_io(p, bufs[i]);
	return ops;
}

static void queue_one(struct io_uring *ring, const struct pattern *p, struct iovec *iov,
		      unsigned int slot)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	iov[slot].iov_base = bufs[slot];
	iov[slot].iov_len = p->bs;
	if (p->write)
		io_uring_prep_writev(sqe, fd, &iov[slot], 1, next_off(p));
	else
		io_uring_prep_readv(sqe, fd, &iov[slot], 1, next_off(p));
	io_uring_sqe_set_data64(sqe, slot);
}

static uint64_t run_uring(const struct pattern *p, unsigned int qd, double secs)
{
	struct io_uring ring;
	struct iovec iov[MAXQD];
	uint64_t ops = 0;
	double end = now() + secs;
	unsigned int inflight = qd;
	int r = io_uring_queue_init(MAXQD * 2, &ring, 0);

	if (r < 0)
		die("io_uring_queue_init", -r);
	for (unsigned int i = 0; i < qd; i++)
		queue_one(&ring, p, iov, i);
	io_uring_submit(&ring);
	while (inflight) {
		struct io_uring_cqe *cqe;
		bool more = now() < end;

		r = io_uring_wait_cqe(&ring, &cqe);
		if (r < 0)
			die("io_uring_wait_cqe", -r);
		if (cqe->res != (int)p->bs)
			die("io_uring request", cqe->res < 0 ? -cqe->res : EIO);
		ops++;
		if (more)
			queue_one(&ring, p, iov, (unsigned int)io_uring_cqe_get_data64(cqe));
		else
			inflight--;
		io_uring_cqe_seen(&ring, cqe);
		if (more)
			io_uring_submit(&ring);
	}
	io_uring_queue_exit(&ring);
	return ops;
}

static void fill(const char *path, uint64_t size)
{
	struct stat st;
	uint8_t *chunk;

	if (fstat(fd, &st) == 0 && (uint64_t)st.st_size >= size)
		return;
	chunk = malloc(1 << 20);
	if (!chunk)
		die("malloc", ENOMEM);
	for (uint64_t off = 0; off < size; off += 1 << 20) {
		memset(chunk, (int)(off >> 20), 1 << 20);
		if (pwrite(fd, chunk, 1 << 20, (off_t)off) != 1 << 20)
			die(path, errno);
	}
	fsync(fd);
	free(chunk);
}

static void warm(void)
{
	for (uint64_t off = 0; off < fsize; off += 1 << 20)
		if (pread(fd, bufs[0], 1 << 20, (off_t)off) < 0)
			die("pread", errno);
}

int main(int argc, char **argv)
{
	static const unsigned int qds[] = { 1, 32 };
	double secs;

	if (argc != 4) {
		fprintf(stderr, "usage: blkio-bench FILE SIZE_MIB SECONDS\n");
		return 2;
	}
	fsize = strtoull(argv[2], NULL, 0) << 20;
	secs = strtod(argv[3], NULL);
	fd = open(argv[1], O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || fsize < (2u << 20))
		die(argv[1], fd < 0 ? errno : EINVAL);
	for (int i = 0; i < MAXQD; i++)
		if (posix_memalign((void **)&bufs[i], 4096, 1 << 20))
			die("posix_memalign", ENOMEM);
	fill(argv[1], fsize);
	printf("%-7s %-7s %3s %-5s %10s %10s\n", "engine", "pattern", "qd", "cache", "MB/s", "IOPS");
	for (unsigned int pi = 0; pi < sizeof(patterns) / sizeof(patterns[0]); pi++) {
		const struct pattern *p = &patterns[pi];

		for (int cold = 0; cold < (p->write ? 1 : 2); cold++) {
			for (unsigned int qi = 0; qi < 2; qi++) {
				for (int e = 0; e < 2; e++) {
					double t0, dt;
					uint64_t ops;

					if (cold)
						posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
					else if (!p->write)
						warm();
					seq_pos = 0;
					t0 = now();
					ops = e ? run_uring(p, qds[qi], secs) : run_preadv(p, qds[qi], secs);
					if (p->write)
						fdatasync(fd);
					dt = now() - t0;
					printf("%-7s %-7s %3u %-5s %10.1f %10.0f\n", e ? "uring" : "preadv",
					       p->name, qds[qi], p->write ? "-" : cold ? "cold" : "warm",
					       (double)ops * p->bs / dt / 1e6, ops / dt);
					fflush(stdout);
				}
			}
		}
	}
	close(fd);
	return 0;
}
