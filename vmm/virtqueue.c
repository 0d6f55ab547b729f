// SPDX-License-Identifier: BSD-2-Clause
/*
 * The split-virtqueue walker (virtio 1.x §2.7).  Layout in guest RAM:
 *
 *   descriptor table  16 bytes each: le64 addr, le32 len, le16 flags, le16 next
 *   available ring    le16 flags, le16 idx, le16 ring[size], le16 used_event
 *   used ring         le16 flags, le16 idx, {le32 id, le32 len}[size], le16 avail_event
 *
 * The driver may change any of it at any time, so a descriptor is copied
 * once and only the copy is checked and used.  The rules enforced, each a
 * malformed ring when broken: the available index moves by at most the queue
 * size; a head and every `next` lie inside their table; a chain visits at
 * most as many descriptors as its table has (so a loop is caught when it
 * revisits one); an indirect table is only used when negotiated, is a whole
 * number of descriptors inside guest RAM, is not combined with NEXT and holds
 * no further indirect descriptor; device-writable buffers come after all
 * device-readable ones; every buffer lies entirely inside guest RAM.
 */
#include <stdio.h>
#include <string.h>

#include "virtqueue.h"

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* Is [gpa, gpa + len) inside guest RAM? */
static bool in_ram(const struct gmem *m, uint64_t gpa, uint64_t len)
{
	return gpa <= m->size && len <= m->size - gpa;
}

static uint16_t load16_acquire(const struct gmem *m, uint64_t gpa)
{
	return __atomic_load_n((const uint16_t *)(m->base + gpa), __ATOMIC_ACQUIRE);
}

static uint16_t load16(const struct gmem *m, uint64_t gpa)
{
	return __atomic_load_n((const uint16_t *)(m->base + gpa), __ATOMIC_RELAXED);
}

static void store16_release(const struct gmem *m, uint64_t gpa, uint16_t v)
{
	__atomic_store_n((uint16_t *)(m->base + gpa), v, __ATOMIC_RELEASE);
}

bool vq_check_layout(const struct vq *q, const struct gmem *m, char *why, size_t len)
{
	uint64_t n = q->size;

	if (n == 0 || n > VQ_MAX_SIZE || (n & (n - 1))) {
		snprintf(why, len, "queue size %llu is not a power of 2 in [1, %d]",
			 (unsigned long long)n, VQ_MAX_SIZE);
		return false;
	}
	if ((q->desc & 15) || (q->avail & 1) || (q->used & 3)) {
		snprintf(why, len, "misaligned ring (desc %#llx, avail %#llx, used %#llx)",
			 (unsigned long long)q->desc, (unsigned long long)q->avail,
			 (unsigned long long)q->used);
		return false;
	}
	if (!in_ram(m, q->desc, 16 * n) || !in_ram(m, q->avail, 6 + 2 * n) ||
	    !in_ram(m, q->used, 6 + 8 * n)) {
		snprintf(why, len, "ring outside guest RAM (desc %#llx, avail %#llx, used %#llx, "
			 "RAM ends at %#llx)", (unsigned long long)q->desc,
			 (unsigned long long)q->avail, (unsigned long long)q->used,
			 (unsigned long long)m->size);
		return false;
	}
	return true;
}

/* Walks the chain starting at head into c; false with a reason. */
static bool walk(const struct vq *q, const struct gmem *m, uint16_t head, struct vq_chain *c,
		 char *why, size_t len)
{
	uint64_t table = q->desc;
	uint32_t count = q->size, visited = 0;
	bool indirect = false, seen_write = false;
	uint32_t i = head;

	c->head = head;
	c->nbufs = c->nread = 0;
	c->read_len = c->write_len = 0;
	if (head >= q->size) {
		snprintf(why, len, "head %u outside the queue of %u", head, q->size);
		return false;
	}
	for (;;) {
		struct vring_desc d;

		if (++visited > count) {
			snprintf(why, len, "chain from head %u longer than its %s table of %u "
				 "(a loop?)", head, indirect ? "indirect" : "descriptor", count);
			return false;
		}
		memcpy(&d, m->base + table + 16ull * i, sizeof(d));
		__atomic_signal_fence(__ATOMIC_SEQ_CST);	/* one copy, then only the copy */
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (!q->indirect || indirect || (d.flags & VRING_DESC_F_NEXT)) {
				snprintf(why, len, "descriptor %u: %s", i,
					 !q->indirect ? "indirect descriptor not negotiated" :
					 indirect ? "indirect descriptor inside an indirect table" :
					 "INDIRECT together with NEXT");
				return false;
			}
			if (d.len == 0 || d.len % 16 || d.len / 16 > VQ_MAX_BUFS ||
			    !in_ram(m, d.addr, d.len)) {
				snprintf(why, len, "descriptor %u: bad indirect table (%#llx, %u bytes)",
					 i, (unsigned long long)d.addr, d.len);
				return false;
			}
			table = d.addr;
			count = d.len / 16;
			visited = 0;
			indirect = true;
			i = 0;
			continue;
		}
		if (!in_ram(m, d.addr, d.len)) {
			snprintf(why, len, "descriptor %u: buffer %#llx+%u outside guest RAM", i,
				 (unsigned long long)d.addr, d.len);
			return false;
		}
		if (d.flags & VRING_DESC_F_WRITE) {
			seen_write = true;
			c->write_len += d.len;
		} else if (seen_write) {
			snprintf(why, len, "descriptor %u: readable buffer after a writable one", i);
			return false;
		} else {
			c->nread++;
			c->read_len += d.len;
		}
		if (c->nbufs == VQ_MAX_BUFS) {
			snprintf(why, len, "chain from head %u has more than %d buffers", head,
				 VQ_MAX_BUFS);
			return false;
		}
		c->buf[c->nbufs].ptr = m->base + d.addr;
		c->buf[c->nbufs].len = d.len;
		c->buf[c->nbufs].write = (d.flags & VRING_DESC_F_WRITE) != 0;
		c->nbufs++;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return true;
		if (d.next >= count) {
			snprintf(why, len, "descriptor %u: next %u outside its table of %u", i, d.next,
				 count);
			return false;
		}
		i = d.next;
	}
}

int vq_pop(struct vq *q, const struct gmem *m, struct vq_chain *c, char *why, size_t len)
{
	uint16_t avail_idx = load16_acquire(m, q->avail + 2), head;

	if (avail_idx == q->last_avail) {
		if (!q->event_idx)
			return 0;
		/* Ask for a kick at the next entry, then look again (§2.7.10). */
		store16_release(m, q->used + 4 + 8ull * q->size, q->last_avail);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		avail_idx = load16_acquire(m, q->avail + 2);
		if (avail_idx == q->last_avail)
			return 0;
	}
	if ((uint16_t)(avail_idx - q->last_avail) > q->size) {
		snprintf(why, len, "available index %u is %u entries ahead of %u (queue size %u)",
			 avail_idx, (uint16_t)(avail_idx - q->last_avail), q->last_avail, q->size);
		return -1;
	}
	head = load16(m, q->avail + 4 + 2ull * (q->last_avail & (q->size - 1)));
	if (!walk(q, m, head, c, why, len))
		return -1;
	q->last_avail++;
	return 1;
}

void vq_unpop(struct vq *q)
{
	q->last_avail--;
}

void vq_push(struct vq *q, const struct gmem *m, uint16_t head, uint32_t written)
{
	uint64_t e = q->used + 4 + 8ull * (q->used_idx & (q->size - 1));
	uint32_t id = head;

	memcpy(m->base + e, &id, 4);
	memcpy(m->base + e + 4, &written, 4);
	q->used_idx++;
	store16_release(m, q->used + 2, q->used_idx);
}

bool vq_need_interrupt(struct vq *q, const struct gmem *m)
{
	uint16_t old = q->signalled_used, now = q->used_idx, event;
	bool valid = q->signalled_valid;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* used idx visible before we read the event */
	if (!q->event_idx)
		return !(load16(m, q->avail) & VRING_AVAIL_F_NO_INTERRUPT);
	q->signalled_used = now;
	q->signalled_valid = true;
	if (!valid)
		return true;
	event = load16(m, q->avail + 4 + 2ull * q->size);
	return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
}

int vq_serve(struct vq *q, const struct gmem *m, struct vq_chain *c, vq_handler fn, void *ctx,
	     char *why, size_t len)
{
	int served = 0, r;

	while ((r = vq_pop(q, m, c, why, len)) > 0) {
		uint32_t written = 0;
		enum vq_result v = fn(ctx, c, &written, why, len);

		if (v == VQ_MALFORMED) {
			char detail[192];

			snprintf(detail, sizeof(detail), "%s", why);
			snprintf(why, len, "request %u: %s", c->head, detail);
			return -1;
		}
		if (v == VQ_LATER) {
			vq_unpop(q);
			break;
		}
		vq_push(q, m, c->head, written);
		served++;
	}
	return r < 0 ? -1 : served;
}

/*
 * Copies @n bytes between @mem and the chain's buffers [@first, @last),
 * starting @off bytes into them; to the chain when @to_chain.  Returns the
 * bytes copied (fewer when the buffers end first).
 */
static size_t vq_copy(const struct vq_chain *c, unsigned int first, unsigned int last,
		      uint64_t off, uint8_t *mem, size_t n, bool to_chain)
{
	size_t done = 0;

	for (unsigned int b = first; b < last && done < n; b++) {
		size_t take;

		if (off >= c->buf[b].len) {
			off -= c->buf[b].len;
			continue;
		}
		take = c->buf[b].len - off;
		if (take > n - done)
			take = n - done;
		if (to_chain)
			memcpy(c->buf[b].ptr + off, mem + done, take);
		else
			memcpy(mem + done, c->buf[b].ptr + off, take);
		done += take;
		off = 0;
	}
	return done;
}

size_t vq_copy_from(const struct vq_chain *c, uint64_t off, void *dst, size_t n)
{
	return vq_copy(c, 0, c->nread, off, dst, n, false);
}

size_t vq_copy_to(const struct vq_chain *c, uint64_t off, const void *src, size_t n)
{
	return vq_copy(c, c->nread, c->nbufs, off, (uint8_t *)src, n, true);
}
