/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The syscall fuzzer's arguments (zxhv_fuzz_test.c): the process's pool of
 * live handles (type and rights as the module reports them) and closed
 * ones, and the hostile pointers, sizes and addresses calls are made with.
 * Host VMAR calls only name addresses inside the process's arena (or ones
 * the module must refuse), so that a mapping never lands on the fuzzer.
 */
#ifndef ZXHV_FUZZ_ARGS_H
#define ZXHV_FUZZ_ARGS_H

#include <pthread.h>
#include <zircon-hv.h>
#include <zircon/syscalls/object.h>
#include <zircon/types.h>

#include "zxhv_fuzz.h"

/* --- the process's handle pool ------------------------------------------------- */
#define POOL 96
#define DEAD 32
struct fz_handle {
	zx_handle_t h;
	uint32_t type, rights;
	int host_vmar;
};
static struct {
	pthread_mutex_t lock;
	struct fz_handle live[POOL];
	int n;
	zx_handle_t dead[DEAD];
	int ndead;
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int dev = -1;		/* this process's /dev/zircon-hv */
static int sock_out = -1, sock_in = -1;	/* to the next worker process, from the previous */
static uint8_t *arena;		/* host VMAR calls stay inside it */
#define ARENA_PAGES 4096
#define PAGE 4096ul

static long fz_ioctl(unsigned long req, void *arg, int *err)
{
	long r;

	do {
		r = ioctl(dev, req, arg);
	} while (r < 0 && errno == EINTR);
	*err = r < 0 ? errno : 0;
	return r;
}

static void pool_forget(zx_handle_t h, int dead)
{
	pthread_mutex_lock(&pool.lock);
	for (int i = 0; i < pool.n; i++) {
		if (pool.live[i].h == h) {
			pool.live[i] = pool.live[--pool.n];
			break;
		}
	}
	if (dead && h != ZX_HANDLE_INVALID)
		pool.dead[pool.ndead++ % DEAD] = h;
	pthread_mutex_unlock(&pool.lock);
}

/* A new handle: its type and rights come from the module itself. */
static void pool_add(zx_handle_t h, int host_vmar)
{
	zx_info_handle_basic_t b;
	struct zxhv_object_get_info a = { .handle = h, .topic = ZX_INFO_HANDLE_BASIC,
					  .buffer = (uintptr_t)&b, .buffer_size = sizeof(b) };
	struct zxhv_handle_close c = { .handle = h };
	int err;

	if (fz_ioctl(ZXHV_IOC_OBJECT_GET_INFO, &a, &err) != 0)
		return;	/* closed meanwhile by another thread */
	pthread_mutex_lock(&pool.lock);
	if (pool.n == POOL) {
		/* Full: the oldest goes. */
		c.handle = pool.live[0].h;
		pool.live[0] = pool.live[--pool.n];
		pool.dead[pool.ndead++ % DEAD] = c.handle;
		fz_ioctl(ZXHV_IOC_HANDLE_CLOSE, &c, &err);
	}
	pool.live[pool.n++] = (struct fz_handle){ h, b.type, b.rights, host_vmar };
	pthread_mutex_unlock(&pool.lock);
}

/* A handle argument from one random word; *known says what it names. */
struct fz_pick {
	enum { P_LIVE, P_INVALID, P_DEAD, P_JUNK } kind;
	struct fz_handle h;
};

static zx_handle_t pick_handle(uint64_t w, struct fz_pick *p)
{
	pthread_mutex_lock(&pool.lock);
	switch (w % 16) {
	case 0:
		p->kind = P_INVALID;
		p->h.h = ZX_HANDLE_INVALID;
		break;
	case 1:
		p->kind = P_JUNK;
		p->h.h = (uint32_t)(w >> 8) | ((w >> 40) & 1 ? 0 : 3);
		break;
	case 2:
		if (pool.ndead) {
			p->kind = P_DEAD;
			p->h.h = pool.dead[(w >> 4) % (pool.ndead < DEAD ? pool.ndead : DEAD)];
			break;
		}
		/* fall through */
	default:
		if (!pool.n) {
			p->kind = P_JUNK;
			p->h.h = 0xffffffffu;
			break;
		}
		p->kind = P_LIVE;
		p->h = pool.live[(w >> 4) % pool.n];
	}
	pthread_mutex_unlock(&pool.lock);
	return p->h.h;
}

/* A live handle of @type if the pool has one (the first, when not picked). */
static zx_handle_t pick_typed(uint64_t w, uint32_t type, struct fz_pick *p)
{
	pthread_mutex_lock(&pool.lock);
	for (int k = 0; k < pool.n; k++) {
		struct fz_handle *e = &pool.live[((w >> 4) + k) % pool.n];

		if (e->type == type && w % 8) {
			p->kind = P_LIVE;
			p->h = *e;
			pthread_mutex_unlock(&pool.lock);
			return e->h;
		}
	}
	pthread_mutex_unlock(&pool.lock);
	return pick_handle(w, p);
}

/* --- buffers, pointers and sizes ------------------------------------------------ */
struct fz_thread {
	uint64_t rng;
	struct fz_kcov kcov;
	uint8_t *buf;		/* 2 read-write pages, then a PROT_NONE page */
	uint8_t *ro;		/* a read-only page */
};

#define KERNEL_PTR 0xffff888000000000ull

/* A pointer to @size bytes: mostly valid, otherwise hostile. */
static uint64_t pick_ptr(struct fz_thread *t, uint64_t w, uint64_t size)
{
	uint64_t fit = size < 2 * PAGE ? size : 2 * PAGE;

	switch (w % 16) {
	case 0: return 0;
	case 1: return (uintptr_t)(t->buf + 2 * PAGE);			/* guard page */
	case 2: return (uintptr_t)(t->buf + 2 * PAGE - fit / 2);		/* straddles it */
	case 3: return (uintptr_t)t->ro;
	case 4: return KERNEL_PTR + (w >> 8 & 0xfff);
	case 5: return (uintptr_t)(arena + ((w >> 8) % ARENA_PAGES) * PAGE);	/* maybe a VMO */
	case 6: return (uintptr_t)(t->buf + 1);				/* misaligned */
	default: return (uintptr_t)(t->buf + 2 * PAGE - fit);		/* ends at the guard */
	}
}

static uint64_t pick_size(uint64_t w)
{
	static const uint64_t sizes[] = {
		0, 1, 4, 7, 8, 24, 32, 48, 136, 4095, 4096, 4097, 8192, 65536, 1ull << 20,
		1ull << 32, 1ull << 63, ~0ull, ~0ull - 4095,
	};

	if (w % 4 == 0)
		return (w >> 8) % 20000;
	return sizes[(w >> 2) % (sizeof(sizes) / sizeof(sizes[0]))];
}

/* Host VMAR addresses: inside the arena, or values the module must refuse. */
static uint64_t pick_addr(uint64_t w, int host)
{
	static const uint64_t bad[] = { 0, 1, PAGE, 1ull << 47, (1ull << 47) + PAGE, KERNEL_PTR,
					~0ull & ~(PAGE - 1), 0x123 };

	if (w % 4 == 0)
		return bad[(w >> 2) % 8];
	if (!host)
		return ((w >> 8) % 0x100000) * (w & 16 ? PAGE : 1);
	return (uintptr_t)arena + ((w >> 8) % (ARENA_PAGES / 2)) * PAGE + (w & 16 ? 0 : 7);
}

static uint64_t pick_len(uint64_t w)
{
	static const uint64_t lens[] = { 0, 1, PAGE, 2 * PAGE, 16 * PAGE, (ARENA_PAGES / 2) * PAGE,
					 ~0ull & ~(PAGE - 1), 1ull << 63, PAGE + 1 };
	return lens[w % 9];
}

#endif /* ZXHV_FUZZ_ARGS_H */
