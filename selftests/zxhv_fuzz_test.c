// SPDX-License-Identifier: GPL-2.0-only
/*
 * zxhv_fuzz_test: a coverage-guided fuzzer of every ioctl of /dev/zircon-hv.
 *
 * Several processes (each its own handle table) run several threads each.
 * A thread runs programs of a few calls; every argument comes from one
 * random word: handles from the process's live pool (right and wrong types
 * and rights), closed ones, 0 and garbage; buffers that are valid, NULL,
 * read-only, unmapped, straddling a guard page or in kernel space; sizes at
 * the boundaries.  Process actions race with the calls: fork (the child may
 * not use its parent's table and is SIGKILLed at a random point), handle
 * transfer to a sibling process (export, SCM_RIGHTS, import), and closes.
 * With KCOV (the debug kernel) a program that reaches new module PCs joins
 * the thread's corpus and is mutated later.  A thread's programs are a
 * function of ZXHV_FUZZ_SEED and of the coverage it sees.
 *
 * It fails on: a call that succeeds on a handle of the wrong type, lacking
 * the right the call needs, or on ZX_HANDLE_INVALID or a closed handle; a
 * status outside Zircon's list (or ZX_ERR_INTERNAL); a table call from a
 * non-owner process that is not refused with EACCES; a worker that dies; and
 * on the debug kernel, KCOV missing or no module PC seen.  The kernel's own
 * reports (KASAN, lockdep, UBSAN, oops) fail the run in tools/vmrun.
 *
 * Environment: ZXHV_FUZZ_CALLS (total calls), ZXHV_FUZZ_SECONDS (stop
 * earlier, 0: never), ZXHV_FUZZ_SEED, ZXHV_FUZZ_PROCS, ZXHV_FUZZ_THREADS,
 * ZXHV_FUZZ_KO (the module file, for the size of its .text).
 */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <zircon-hv.h>
#include <zircon/errors.h>
#include <zircon/rights.h>
#include <zircon/types.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/resource.h>

#include "zxhv_fuzz.h"

enum {
	OP_VERSION, OP_PROBE, OP_CLOSE, OP_CLOSE_MANY, OP_DUP, OP_REPLACE, OP_INFO, OP_RSRC,
	OP_HVRSRC, OP_EXPORT, OP_IMPORT, OP_PORT, OP_QUEUE, OP_WAIT, OP_VMO, OP_VMO_SIZE,
	OP_VMO_READ, OP_VMO_WRITE, OP_VMO_EXEC, OP_VMAR_ROOT, OP_MAP, OP_UNMAP, OP_PROTECT,
	OP_GUEST, OP_TRAP, OP_VCPU, OP_ENTER, OP_KICK, OP_IRQ, OP_RSTATE, OP_WSTATE, OP_RAW,
	OP_FORK, OP_SEND, OP_RECV, OP_FORK_KILL,
};

#define ANY 0xffffffffu	/* any object type */
#define NOCHECK 0xffffffffu	/* rights depend on other arguments */

static const struct fz_op {
	const char *name;
	unsigned long req;
	uint32_t type;		/* of the first handle; 0: the call takes none */
	uint32_t rights;	/* that handle needs all of them */
	int any;		/* ... or only one of them */
} ops[FZ_NOPS] = {
	[OP_VERSION] = { "get_api_version", ZXHV_IOC_GET_API_VERSION },
	[OP_PROBE] = { "vmx_probe", ZXHV_IOC_VMX_PROBE },
	[OP_CLOSE] = { "handle_close", ZXHV_IOC_HANDLE_CLOSE, ANY, 0 },
	[OP_CLOSE_MANY] = { "handle_close_many", ZXHV_IOC_HANDLE_CLOSE_MANY },
	[OP_DUP] = { "handle_duplicate", ZXHV_IOC_HANDLE_DUPLICATE, ANY, ZX_RIGHT_DUPLICATE },
	[OP_REPLACE] = { "handle_replace", ZXHV_IOC_HANDLE_REPLACE, ANY, 0 },
	[OP_INFO] = { "object_get_info", ZXHV_IOC_OBJECT_GET_INFO, ANY, NOCHECK },
	[OP_RSRC] = { "resource_create", ZXHV_IOC_RESOURCE_CREATE, ZX_OBJ_TYPE_RESOURCE,
		      ZX_RIGHT_WRITE },
	[OP_HVRSRC] = { "hypervisor_resource", ZXHV_IOC_HYPERVISOR_RESOURCE },
	[OP_EXPORT] = { "handle_export", ZXHV_IOC_HANDLE_EXPORT, ANY, ZX_RIGHT_TRANSFER },
	[OP_IMPORT] = { "handle_import", ZXHV_IOC_HANDLE_IMPORT },
	[OP_PORT] = { "port_create", ZXHV_IOC_PORT_CREATE },
	[OP_QUEUE] = { "port_queue", ZXHV_IOC_PORT_QUEUE, ZX_OBJ_TYPE_PORT, ZX_RIGHT_WRITE },
	[OP_WAIT] = { "port_wait", ZXHV_IOC_PORT_WAIT, ZX_OBJ_TYPE_PORT, ZX_RIGHT_READ },
	[OP_VMO] = { "vmo_create", ZXHV_IOC_VMO_CREATE },
	[OP_VMO_SIZE] = { "vmo_get_size", ZXHV_IOC_VMO_GET_SIZE, ZX_OBJ_TYPE_VMO, 0 },
	[OP_VMO_READ] = { "vmo_read", ZXHV_IOC_VMO_READ, ZX_OBJ_TYPE_VMO, ZX_RIGHT_READ },
	[OP_VMO_WRITE] = { "vmo_write", ZXHV_IOC_VMO_WRITE, ZX_OBJ_TYPE_VMO, ZX_RIGHT_WRITE },
	[OP_VMO_EXEC] = { "vmo_replace_as_executable", ZXHV_IOC_VMO_REPLACE_AS_EXECUTABLE,
			  ZX_OBJ_TYPE_VMO, 0 },
	[OP_VMAR_ROOT] = { "vmar_root_self", ZXHV_IOC_VMAR_ROOT_SELF },
	[OP_MAP] = { "vmar_map", ZXHV_IOC_VMAR_MAP, ZX_OBJ_TYPE_VMAR, 0 },
	[OP_UNMAP] = { "vmar_unmap", ZXHV_IOC_VMAR_UNMAP, ZX_OBJ_TYPE_VMAR, 0 },
	[OP_PROTECT] = { "vmar_protect", ZXHV_IOC_VMAR_PROTECT, ZX_OBJ_TYPE_VMAR, NOCHECK },
	[OP_GUEST] = { "guest_create", ZXHV_IOC_GUEST_CREATE, ZX_OBJ_TYPE_RESOURCE, 0 },
	[OP_TRAP] = { "guest_set_trap", ZXHV_IOC_GUEST_SET_TRAP, ZX_OBJ_TYPE_GUEST,
		      ZX_RIGHT_WRITE },
	[OP_VCPU] = { "vcpu_create", ZXHV_IOC_VCPU_CREATE, ZX_OBJ_TYPE_GUEST,
		      ZX_RIGHT_MANAGE_PROCESS | ZX_RIGHT_MANAGE_THREAD, 1 },
	[OP_ENTER] = { "vcpu_enter", ZXHV_IOC_VCPU_ENTER, ZX_OBJ_TYPE_VCPU, ZX_RIGHT_EXECUTE },
	[OP_KICK] = { "vcpu_kick", ZXHV_IOC_VCPU_KICK, ZX_OBJ_TYPE_VCPU, ZX_RIGHT_EXECUTE },
	[OP_IRQ] = { "vcpu_interrupt", ZXHV_IOC_VCPU_INTERRUPT, ZX_OBJ_TYPE_VCPU,
		     ZX_RIGHT_SIGNAL },
	[OP_RSTATE] = { "vcpu_read_state", ZXHV_IOC_VCPU_READ_STATE, ZX_OBJ_TYPE_VCPU,
			ZX_RIGHT_READ },
	[OP_WSTATE] = { "vcpu_write_state", ZXHV_IOC_VCPU_WRITE_STATE, ZX_OBJ_TYPE_VCPU,
			ZX_RIGHT_WRITE },
	[OP_RAW] = { "raw_ioctl" },
	[OP_FORK] = { "fork_child_calls" },
	[OP_SEND] = { "transfer_send" },
	[OP_RECV] = { "transfer_recv" },
	[OP_FORK_KILL] = { "fork_child_sigkill" },
};

#include "zxhv_fuzz_args.h"

/* --- one call -------------------------------------------------------------- */
struct fz_call {
	uint8_t op;
	uint64_t w[6];
};

/* run_call()'s answer for a process action that made no counted call. */
#define NOT_A_CALL LONG_MIN

static void check_result(const struct fz_call *c, long ret, const struct fz_pick *p)
{
	const struct fz_op *o = &ops[c->op];
	int slot;

	if (ret == NOT_A_CALL)
		return;
	slot = fz_stat_slot(ret, ret < 0 ? errno : 0);

	atomic_fetch_add(&fz->stat[c->op][slot], 1);
	atomic_fetch_add(&fz->calls, 1);
	if (slot == FZ_NSTAT - 1 || (ret > 0 && ret < 64 && ret != 2 && ret != 3 && ret != 4 &&
				     ret != 10 && ret != 11 && ret != 12 && ret != 13 &&
				     ret != 14 && ret != 15 && !(ret >= 20 && ret <= 28) &&
				     ret != 30))
		fz_failf("%s returned %ld (not a status the module may return)", o->name, ret);
	if (ret != 0 || !o->type || c->op == OP_RAW)
		return;
	/* zx_handle_close(ZX_HANDLE_INVALID) is ZX_OK. */
	if (c->op == OP_CLOSE && p->kind == P_INVALID)
		return;
	if (p->kind != P_LIVE)
		fz_failf("%s succeeded on handle %#x that is %s", o->name, p->h.h,
			 p->kind == P_DEAD ? "closed" : "not a handle");
	else if (o->type != ANY && p->h.type != o->type)
		fz_failf("%s succeeded on a handle of type %u", o->name, p->h.type);
	else if (o->rights != NOCHECK &&
		 (o->any ? !(p->h.rights & o->rights) : (p->h.rights & o->rights) != o->rights))
		fz_failf("%s succeeded without rights %#x (handle has %#x)", o->name, o->rights,
			 p->h.rights);
}

static void child_calls(struct fz_thread *t, const struct fz_call *c);

static long run_call(struct fz_thread *t, const struct fz_call *c, struct fz_pick *p)
{
	const uint64_t *w = c->w;
	uint8_t *b = t->buf;
	zx_handle_t out = 0, out2 = 0;
	long r = -1;
	int err = 0;
	union {
		struct zxhv_api_version v;
		struct zxhv_vmx_probe pr;
		struct zxhv_handle_close cl;
		struct zxhv_handle_close_many cm;
		struct zxhv_handle_derive d;
		struct zxhv_object_get_info i;
		struct zxhv_resource_create rc;
		struct zxhv_hypervisor_resource hr;
		struct zxhv_handle_export ex;
		struct zxhv_handle_import im;
		struct zxhv_port_create pc;
		struct zxhv_port_queue pq;
		struct zxhv_port_wait pw;
		struct zxhv_vmo_create vc;
		struct zxhv_vmo_get_size vs;
		struct zxhv_vmo_rw rw;
		struct zxhv_vmo_replace_as_executable vx;
		struct zxhv_vmar_root_self rs;
		struct zxhv_vmar_map m;
		struct zxhv_vmar_range vr;
		struct zxhv_guest_create gc;
		struct zxhv_guest_set_trap tr;
		struct zxhv_vcpu_create cc;
		struct zxhv_vcpu_enter en;
		struct zxhv_vcpu_signal sg;
		struct zxhv_vcpu_state_rw st;
		uint8_t raw[64];
	} a;
	/* Out pointers: where the handle goes, or (w[5] % 8 == 0) a hostile pointer. */
	uint64_t outp = w[5] % 8 ? (uintptr_t)&out : pick_ptr(t, w[5] >> 3, 4);

	memset(&a, 0, sizeof(a));
	p->kind = P_JUNK;
	p->h.h = 0;
	for (size_t i = 0; i < 2 * PAGE; i += 8)
		memcpy(b + i, &w[(i / 8) % 6], 8);
	switch (c->op) {
	case OP_VERSION:
	case OP_PROBE:
		r = fz_ioctl(ops[c->op].req, w[0] % 8 ? (void *)&a : (void *)pick_ptr(t, w[1], 24),
			     &err);
		break;
	case OP_CLOSE:
		a.cl.handle = pick_handle(w[0], p);
		a.cl.reserved = w[1] % 8 == 0;
		r = fz_ioctl(ops[c->op].req, &a, &err);
		if (r == 0)
			pool_forget(a.cl.handle, 1);
		break;
	case OP_CLOSE_MANY: {
		zx_handle_t *hs = (zx_handle_t *)b;
		struct fz_pick q;
		uint64_t n = w[1] % 6;

		for (uint64_t k = 0; k < n; k++)
			hs[k] = pick_handle(w[2] >> (k * 8), &q);
		a.cm.handles = w[3] % 8 ? (uintptr_t)hs : pick_ptr(t, w[3] >> 3, n * 4);
		a.cm.num_handles = w[4] % 8 ? n : pick_size(w[4]);
		r = fz_ioctl(ops[c->op].req, &a, &err);
		if (a.cm.handles == (uintptr_t)hs)
			for (uint64_t k = 0; k < n && k < a.cm.num_handles; k++)
				pool_forget(hs[k], r == 0);
		break;
	}
	case OP_DUP:
	case OP_REPLACE:
		a.d.handle = pick_handle(w[0], p);
		/* The same rights, one fewer (the usual way to a weak handle), or any. */
		a.d.rights = w[1] % 4 == 0 ? ZX_RIGHT_SAME_RIGHTS :
			     w[1] % 4 == 1 ? (uint32_t)(w[1] >> 2) :
			     p->h.rights & ~(1u << ((w[1] >> 2) % 23)) & ~(uint32_t)(w[1] >> 40);
		a.d.out = outp;
		r = fz_ioctl(ops[c->op].req, &a, &err);
		if (r == 0 && c->op == OP_REPLACE)
			pool_forget(a.d.handle, 1);
		if (r == 0 && a.d.out == (uintptr_t)&out)
			pool_add(out, p->h.host_vmar);
		break;
	case OP_INFO: {
		static const uint32_t topics[] = { 1, 2, 29, 32, 0, 3, 0xffffffffu };

		a.i.handle = pick_handle(w[0], p);
		a.i.topic = topics[w[1] % 7];
		a.i.buffer = w[2] % 4 ? (uintptr_t)b : pick_ptr(t, w[2] >> 2, 32);
		a.i.buffer_size = w[3] % 4 ? 32 : pick_size(w[3]);
		a.i.actual = w[4] % 4 ? (uintptr_t)(b + 64) : pick_ptr(t, w[4] >> 2, 8);
		a.i.avail = w[4] % 8 ? 0 : (uintptr_t)(b + 72);
		r = fz_ioctl(ops[c->op].req, &a, &err);
		break;
	}
	case OP_RSRC:
		a.rc.parent = pick_typed(w[0], ZX_OBJ_TYPE_RESOURCE, p);
		a.rc.options = w[1] % 4 ? ZX_RSRC_KIND_SYSTEM | (w[1] & 4 ? ZX_RSRC_FLAG_EXCLUSIVE : 0)
					: (uint32_t)(w[1] >> 2);
		a.rc.base = w[2] % 4 ? (w[2] >> 2) % ZX_RSRC_SYSTEM_COUNT : pick_size(w[2]);
		a.rc.size = w[3] % 4 ? 1 : pick_size(w[3]);
		a.rc.name = w[4] % 4 ? (uintptr_t)b : pick_ptr(t, w[4] >> 2, 32);
		a.rc.name_size = w[4] % 8 ? (w[4] >> 8) % 40 : pick_size(w[4] >> 3);
		a.rc.out = outp;
		r = fz_ioctl(ops[c->op].req, &a, &err);
		if (r == 0 && a.rc.out == (uintptr_t)&out)
			pool_add(out, 0);
		break;
	case OP_HVRSRC:
		a.hr.out = outp;
		r = fz_ioctl(ops[c->op].req, &a, &err);
		if (r == 0 && a.hr.out == (uintptr_t)&out)
			pool_add(out, 0);
		break;
	case OP_EXPORT:
	case OP_SEND: {
		int fd = -1;

		a.ex.handle = pick_handle(w[0], p);
		a.ex.reserved = w[1] % 16 == 0;
		a.ex.fd_out = w[2] % 8 ? (uintptr_t)&fd : pick_ptr(t, w[2] >> 3, 4);
		r = fz_ioctl(ZXHV_IOC_HANDLE_EXPORT, &a, &err);
		if (r == 0)
			pool_forget(a.ex.handle, 1);
		if (r == 0 && fd >= 0 && c->op == OP_SEND && sock_out >= 0) {
			char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
			struct iovec iov = { .iov_base = "h", .iov_len = 1 };
			struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
					     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
			struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &fd, sizeof(int));
			sendmsg(sock_out, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		} else if (r == 0 && fd >= 0 && w[3] % 2) {
			a.im.fd = fd;
			a.im.reserved = 0;
			a.im.out = (uintptr_t)&out;
			if (fz_ioctl(ZXHV_IOC_HANDLE_IMPORT, &a, &err) == 0)
				pool_add(out, 0);
		}
		if (fd >= 0 && a.ex.fd_out == (uintptr_t)&fd)
			close(fd);
		break;
	}
	case OP_IMPORT:
	case OP_RECV: {
		int fd = -1;
		char cbuf[CMSG_SPACE(sizeof(int))];
		char ch;
		struct iovec iov = { .iov_base = &ch, .iov_len = 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };

		if (sock_in >= 0 && recvmsg(sock_in, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) > 0 &&
		    CMSG_FIRSTHDR(&mh) && CMSG_FIRSTHDR(&mh)->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof(int));
		if (c->op == OP_RECV && fd < 0)
			return NOT_A_CALL;	/* nothing came */
		static const int junk[] = { -1, 0, 1, 2, 1 << 20 };
		a.im.fd = fd >= 0 ? fd : w[0] % 2 ? dev : junk[(w[0] >> 1) % 5];
		if (fd < 0 && w[0] % 7 == 0)
			a.im.fd = t->kcov.fd;
		a.im.reserved = w[1] % 16 == 0;
		a.im.out = outp;
		r = fz_ioctl(ZXHV_IOC_HANDLE_IMPORT, &a, &err);
		if (r == 0 && a.im.out == (uintptr_t)&out)
			pool_add(out, 0);
		if (fd >= 0)
			close(fd);
		break;
	}
	case OP_PORT:
		a.pc.options = w[0] % 4 ? 0 : (uint32_t)w[0];
		a.pc.out = outp;
		r = fz_ioctl(ops[c->op].req, &a, &err);
		if (r == 0 && a.pc.out == (uintptr_t)&out)
			pool_add(out, 0);
		break;
	case OP_QUEUE:
		a.pq.handle = pick_typed(w[0], ZX_OBJ_TYPE_PORT, p);
		a.pq.reserved = w[1] % 16 == 0;
		if (w[2] % 4)
			memset(b, 0, 8), memset(b + 8, 0, 8);	/* key, type USER, status */
		a.pq.packet = w[3] % 8 ? (uintptr_t)b : pick_ptr(t, w[3] >> 3, 48);
		r = fz_ioctl(ops[c->op].req, &a, &err);
		break;
	case OP_WAIT: {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		a.pw.handle = pick_typed(w[0], ZX_OBJ_TYPE_PORT, p);
		a.pw.reserved = w[1] % 16 == 0;
		a.pw.deadline = w[2] % 3 == 0 ? (int64_t)(w[2] % 2 ? 0 : -1) :
			ts.tv_sec * 1000000000ll + ts.tv_nsec + (int64_t)((w[2] >> 4) % 2000000);
		a.pw.packet = w[3] % 8 ? (uintptr_t)b : pick_ptr(t, w[3] >> 3, 48);
		r = fz_ioctl(ops[c->op].req, &a, &err);
		break;
	}
	case OP_VMO:
		a.vc.size = w[0] % 4 ? ((w[0] >> 2) % 64) * PAGE + (w[0] & 0x10 ? 0 : 123)
				     : pick_size(w[0]);
		if (a.vc.size > (64ull << 20) && a.vc.size < (1ull << 32))
			a.vc.size = 64ull << 20;
		a.vc.options = w[1] % 4 ? 0 : (uint32_t)(w[1] >> 2) & 0xf;
		a.vc.reserved = w[1] % 32 == 1;
		a.vc.out = outp;
		r = fz_ioctl(ops[c->op].req, &a, &err);
		if (r == 0 && a.vc.out == (uintptr_t)&out)
			pool_add(out, 0);
		break;
	case OP_VMO_SIZE:
		a.vs.handle = pick_typed(w[0], ZX_OBJ_TYPE_VMO, p);
		a.vs.size = w[1] % 8 ? (uintptr_t)b : pick_ptr(t, w[1] >> 3, 8);
		r = fz_ioctl(ops[c->op].req, &a, &err);
		break;
	case OP_VMO_READ:
	case OP_VMO_WRITE:
		a.rw.handle = pick_typed(w[0], ZX_OBJ_TYPE_VMO, p);
		a.rw.buffer_size = w[1] % 2 ? (w[1] >> 1) % (2 * PAGE) : pick_size(w[1] >> 1);
		a.rw.buffer = w[2] % 2 ? (uintptr_t)b : pick_ptr(t, w[2] >> 1, a.rw.buffer_size);
		a.rw.offset = w[3] % 2 ? (w[3] >> 1) % (70 * PAGE) : pick_size(w[3] >> 1);
		r = fz_ioctl(ops[c->op].req, &a, &err);
		break;
	case OP_VMO_EXEC:
		a.vx.handle = pick_typed(w[0], ZX_OBJ_TYPE_VMO, p);
		a.vx.vmex = w[1] % 2 ? ZX_HANDLE_INVALID : pick_typed(w[1] >> 1,
								     ZX_OBJ_TYPE_RESOURCE, &(struct fz_pick){});
		a.vx.out = outp;
		r = fz_ioctl(ops[c->op].req, &a, &err);
		if (r == 0)
			pool_forget(a.vx.handle, 1);
		if (r == 0 && a.vx.out == (uintptr_t)&out)
			pool_add(out, 0);
		break;
	case OP_VMAR_ROOT:
		a.rs.out = outp;
		r = fz_ioctl(ops[c->op].req, &a, &err);
		if (r == 0 && a.rs.out == (uintptr_t)&out)
			pool_add(out, 1);
		break;
	case OP_MAP: {
		static const uint32_t opts[] = {
			ZX_VM_PERM_READ, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, ZX_VM_PERM_EXECUTE,
			ZX_VM_PERM_READ | ZX_VM_SPECIFIC, ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE,
			ZX_VM_PERM_READ | ZX_VM_MAP_RANGE, ZX_VM_PERM_READ | ZX_VM_ALIGN_2MB, 0,
		};
		a.m.handle = pick_typed(w[0], ZX_OBJ_TYPE_VMAR, p);
		a.m.options = w[1] % 4 ? opts[(w[1] >> 2) % 8] : (uint32_t)(w[1] >> 2);
		a.m.vmar_offset = a.m.options & (ZX_VM_SPECIFIC | ZX_VM_SPECIFIC_OVERWRITE) ?
			pick_addr(w[2], p->kind != P_LIVE || p->h.host_vmar) : w[2] % 4 ? 0 : PAGE;
		a.m.vmo = pick_typed(w[3], ZX_OBJ_TYPE_VMO, &(struct fz_pick){});
		a.m.vmo_offset = w[4] % 2 ? 0 : pick_size(w[4]) & ~(w[4] & 2 ? 0 : PAGE - 1);
		a.m.len = w[5] % 2 ? PAGE * (1 + (w[5] >> 1) % 16) : pick_len(w[5] >> 1);
		a.m.mapped_addr = w[4] % 8 ? (uintptr_t)b : pick_ptr(t, w[4] >> 3, 8);
		r = fz_ioctl(ops[c->op].req, &a, &err);
		break;
	}
	case OP_UNMAP:
	case OP_PROTECT:
		a.vr.handle = pick_typed(w[0], ZX_OBJ_TYPE_VMAR, p);
		a.vr.options = c->op == OP_UNMAP ? (w[1] % 8 ? 0 : (uint32_t)w[1]) :
			       w[1] % 4 ? (uint32_t)(w[1] >> 2) & 7 : (uint32_t)(w[1] >> 2);
		a.vr.addr = pick_addr(w[2], p->kind != P_LIVE || p->h.host_vmar);
		a.vr.len = pick_len(w[3]);
		r = fz_ioctl(ops[c->op].req, &a, &err);
		if (r == 0 && c->op == OP_UNMAP && (p->kind != P_LIVE || p->h.host_vmar))
			/* Keep the arena reserved (nothing else may land there). */
			mmap(arena, ARENA_PAGES * PAGE, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
		break;
	case OP_GUEST:
		a.gc.resource = pick_typed(w[0], ZX_OBJ_TYPE_RESOURCE, p);
		a.gc.options = w[1] % 4 ? 0 : (uint32_t)w[1];
		a.gc.guest_out = outp;
		a.gc.vmar_out = w[2] % 8 ? (uintptr_t)&out2 : pick_ptr(t, w[2] >> 3, 4);
		r = fz_ioctl(ops[c->op].req, &a, &err);
		if (r == 0 && a.gc.guest_out == (uintptr_t)&out)
			pool_add(out, 0);
		if (r == 0 && a.gc.vmar_out == (uintptr_t)&out2)
			pool_add(out2, 0);
		break;
	case OP_TRAP:
		a.tr.handle = pick_typed(w[0], ZX_OBJ_TYPE_GUEST, p);
		a.tr.kind = (uint32_t)(w[1] % 4 ? w[1] % 3 : w[1]);
		a.tr.addr = pick_addr(w[2], 0);
		a.tr.size = w[3] % 2 ? (w[3] >> 1) % 0x10000 : pick_size(w[3]);
		a.tr.port = w[4] % 3 ? pick_typed(w[4], ZX_OBJ_TYPE_PORT, &(struct fz_pick){}) : 0;
		a.tr.key = w[5];
		r = fz_ioctl(ops[c->op].req, &a, &err);
		break;
	case OP_VCPU:
		a.cc.guest = pick_typed(w[0], ZX_OBJ_TYPE_GUEST, p);
		a.cc.options = w[1] % 4 ? 0 : (uint32_t)w[1];
		a.cc.entry = pick_addr(w[2], 0);
		a.cc.out = outp;
		r = fz_ioctl(ops[c->op].req, &a, &err);
		if (r == 0 && a.cc.out == (uintptr_t)&out)
			pool_add(out, 0);
		break;
	case OP_ENTER:
		a.en.handle = pick_typed(w[0], ZX_OBJ_TYPE_VCPU, p);
		a.en.reserved = w[1] % 16 == 0;
		a.en.packet = w[2] % 8 ? (uintptr_t)b : pick_ptr(t, w[2] >> 3, 48);
		r = fz_ioctl(ops[c->op].req, &a, &err);
		break;
	case OP_KICK:
	case OP_IRQ:
		a.sg.handle = pick_typed(w[0], ZX_OBJ_TYPE_VCPU, p);
		a.sg.arg = (uint32_t)(w[1] % 2 ? (w[1] >> 1) % 256 : w[1]);
		if (c->op == OP_KICK && w[2] % 4)
			a.sg.arg = 0;
		r = fz_ioctl(ops[c->op].req, &a, &err);
		break;
	case OP_RSTATE:
	case OP_WSTATE:
		a.st.handle = pick_typed(w[0], ZX_OBJ_TYPE_VCPU, p);
		a.st.kind = (uint32_t)(w[1] % 4 ? w[1] % 2 : w[1]);
		a.st.buffer_size = w[2] % 2 ? (a.st.kind ? 8 : 136) : pick_size(w[2] >> 1);
		a.st.buffer = w[3] % 4 ? (uintptr_t)b : pick_ptr(t, w[3] >> 2, a.st.buffer_size);
		r = fz_ioctl(ops[c->op].req, &a, &err);
		break;
	case OP_RAW: {
		/* Any number, direction and size under the magic: the dispatch must refuse. */
		unsigned long req = _IOC((w[0] >> 8) % 4, ZXHV_IOC_MAGIC, w[0] % 0x100,
					 (w[1] % 4 ? 8 * ((w[1] >> 2) % 8) : (w[1] >> 2) % 0x4000));

		memcpy(a.raw, b, sizeof(a.raw));
		r = fz_ioctl(req, w[2] % 4 ? (void *)&a : (void *)pick_ptr(t, w[2] >> 2, 64), &err);
		break;
	}
	case OP_FORK:
	case OP_FORK_KILL:
		child_calls(t, c);
		atomic_fetch_add(&fz->stat[c->op][0], 1);
		return NOT_A_CALL;
	}
	errno = err;
	return r;
}

/*
 * A forked child: the parent's table is not its own, so every table call on
 * the inherited descriptor must fail with EACCES.  OP_FORK_KILL's child
 * also opens its own table, makes objects and is SIGKILLed at a random point.
 */
static void child_calls(struct fz_thread *t, const struct fz_call *c)
{
	int st, killit = c->op == OP_FORK_KILL;
	pid_t pid = fork();

	if (pid < 0)
		return;
	if (pid == 0) {
		struct fz_pick p;

		/* Another thread may have held it at the fork; no KCOV here. */
		pthread_mutex_init(&pool.lock, NULL);
		t->kcov.cover = NULL;
		struct fz_call cc = *c;
		int err;

		for (int k = 0; k < 4; k++) {
			struct zxhv_vmo_get_size vs = { .handle = pick_handle(c->w[k], &p),
							.size = (uintptr_t)t->buf };
			long r = fz_ioctl(ZXHV_IOC_VMO_GET_SIZE, &vs, &err);

			if (r != -1 || err != EACCES)
				fz_failf("child: a parent's table call returned %ld errno %d", r, err);
		}
		if (killit) {
			dev = open(ZXHV_DEVICE_PATH, O_RDWR | O_CLOEXEC);
			pool.n = 0;
			pool.ndead = 0;
			for (uint64_t k = 0;; k++) {
				cc.op = (uint8_t)(fz_rand(&t->rng) % OP_RAW);
				if (cc.op == OP_ENTER || cc.op == OP_WAIT)
					continue;
				for (int j = 0; j < 6; j++)
					cc.w[j] = fz_rand(&t->rng);
				if (cc.op == OP_CLOSE || cc.op == OP_UNMAP)
					cc.w[0] |= 1;
				check_result(&cc, run_call(t, &cc, &p), &p);
			}
		}
		_exit(0);
	}
	if (killit) {
		struct timespec ts = { 0, (long)(c->w[5] % 3000000) };

		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
	}
	if (waitpid(pid, &st, 0) == pid && !(killit && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) &&
	    !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		fz_failf("child %s ended with status %#x", ops[c->op].name, st);
}

/* --- programs, the corpus, the loop ---------------------------------------------- */
#define MAXCALLS 8
#define CORPUS 128
struct fz_prog {
	int n;
	struct fz_call c[MAXCALLS];
};

static uint64_t budget_per_thread, deadline_ns;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void gen_call(uint64_t *rng, struct fz_call *c)
{
	c->op = (uint8_t)(fz_rand(rng) % FZ_NOPS);
	/* Forks are costly: one program in eight may keep one. */
	if ((c->op == OP_FORK || c->op == OP_FORK_KILL) && fz_rand(rng) % 8)
		c->op = (uint8_t)(fz_rand(rng) % OP_RAW);
	for (int j = 0; j < 6; j++)
		c->w[j] = fz_rand(rng);
}

static void *worker(void *arg)
{
	struct fz_thread *t = arg;
	static __thread struct fz_prog corpus[CORPUS];
	struct fz_prog prog;
	struct fz_pick p;
	int ncorpus = 0;
	uint64_t done = 0;

	fz_kcov_open(&t->kcov);
	while (done < budget_per_thread && !atomic_load(&fz->stop)) {
		uint64_t r = fz_rand(&t->rng);
		unsigned int fresh = 0;

		if (!ncorpus || r % 4 == 0) {
			prog.n = 1 + (int)(fz_rand(&t->rng) % MAXCALLS);
			for (int i = 0; i < prog.n; i++)
				gen_call(&t->rng, &prog.c[i]);
		} else {
			/* Mutate: one word, one call, or the length. */
			prog = corpus[(r >> 2) % ncorpus];
			for (int m = 1 + (int)(fz_rand(&t->rng) % 3); m > 0; m--) {
				struct fz_call *c = &prog.c[fz_rand(&t->rng) % prog.n];
				uint64_t k = fz_rand(&t->rng);

				if (k % 4 == 0)
					gen_call(&t->rng, c);
				else if (k % 4 == 1 && prog.n < MAXCALLS)
					gen_call(&t->rng, &prog.c[prog.n++]);
				else
					c->w[(k >> 2) % 6] ^= 1ull << ((k >> 8) % 64);
			}
		}
		for (int i = 0; i < prog.n; i++) {
			long ret;

			fz_kcov_reset(&t->kcov);
			ret = run_call(t, &prog.c[i], &p);
			fresh += fz_kcov_collect(&t->kcov);
			check_result(&prog.c[i], ret, &p);
			done++;
		}
		if (fresh) {
			atomic_fetch_add(&fz->corpus_adds, 1);
			corpus[ncorpus < CORPUS ? ncorpus++ : fz_rand(&t->rng) % CORPUS] = prog;
		}
		if (deadline_ns && now_ns() > deadline_ns)
			atomic_store(&fz->stop, 1);
	}
	return NULL;
}

/* Kicks every VCPU of the pool now and then, so that no vcpu_enter runs forever. */
static void *kicker(void *arg)
{
	(void)arg;
	for (;;) {
		struct zxhv_vcpu_signal s = { 0 };
		int err;

		usleep(20000);
		pthread_mutex_lock(&pool.lock);
		for (int i = 0; i < pool.n; i++) {
			if (pool.live[i].type == ZX_OBJ_TYPE_VCPU) {
				s.handle = pool.live[i].h;
				fz_ioctl(ZXHV_IOC_VCPU_KICK, &s, &err);
			}
		}
		pthread_mutex_unlock(&pool.lock);
	}
	return NULL;
}

static void process_main(int proc, int nthreads, uint64_t seed)
{
	pthread_t th[16], kt;
	struct fz_thread ts[16];

	dev = open(ZXHV_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		fz_failf("open %s: %s", ZXHV_DEVICE_PATH, strerror(errno));
		_exit(1);
	}
	arena = mmap(NULL, ARENA_PAGES * PAGE, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED)
		_exit(1);
	pthread_create(&kt, NULL, kicker, NULL);
	for (int i = 0; i < nthreads; i++) {
		ts[i].rng = (seed * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)(proc << 8 | i) + 1);
		ts[i].buf = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ts[i].ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ts[i].buf == MAP_FAILED || ts[i].ro == MAP_FAILED)
			_exit(1);
		mprotect(ts[i].buf + 2 * PAGE, PAGE, PROT_NONE);
		for (int k = 0; k < 8; k++)
			fz_rand(&ts[i].rng);
	}
	for (int i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, worker, &ts[i]);
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	_exit(0);
}

int main(void)
{
	const char *vm = getenv("ZXHV_VM"), *kernel = getenv("ZXHV_KERNEL");
	int bochs = vm && !strcmp(vm, "bochs"), debug = kernel && !strcmp(kernel, "debug");
	uint64_t calls = env_u64("ZXHV_FUZZ_CALLS", bochs ? 3000 : 40000);
	uint64_t secs = env_u64("ZXHV_FUZZ_SECONDS", 0), seed = env_u64("ZXHV_FUZZ_SEED", 1);
	int nproc = (int)env_u64("ZXHV_FUZZ_PROCS", 2), nthr = (int)env_u64("ZXHV_FUZZ_THREADS", 2);
	const char *ko = getenv("ZXHV_FUZZ_KO") ? getenv("ZXHV_FUZZ_KO") : "/zircon-hv.ko";
	uint64_t text_size = fz_ko_text_size(ko), start, pcs;
	int socks[16][2], ok = 1, kcov_ok;
	pid_t pids[16];
	char tmp[32];
	struct fz_kcov probe;

	if (nproc < 1 || nproc > 16 || nthr < 1 || nthr > 16)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	printf("TAP version 13\n1..1\n");
	fz = mmap(NULL, sizeof(*fz) + text_size / 8 + 1, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fz == MAP_FAILED)
		return 1;
	fz->text_start = fz_module_text_start();
	fz->text_size = fz->text_start ? text_size : 0;
	fz_kcov_open(&probe);
	kcov_ok = probe.cover != NULL;
	if (kcov_ok)
		close(probe.fd);
	printf("# seed %llu, %d processes x %d threads, %llu calls%s; kcov %s, module .text %#llx + %llu\n",
	       (unsigned long long)seed, nproc, nthr, (unsigned long long)calls,
	       secs ? " or the time limit" : "", kcov_ok ? "on" : "unavailable",
	       (unsigned long long)fz->text_start, (unsigned long long)fz->text_size);
	fflush(stdout);
	budget_per_thread = calls / (uint64_t)(nproc * nthr) + 1;
	start = now_ns();
	deadline_ns = secs ? start + secs * 1000000000ull : 0;
	for (int i = 0; i < nproc; i++)
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, socks[i]))
			return 1;
	for (int i = 0; i < nproc; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			sock_out = socks[i][0];
			sock_in = socks[(i + nproc - 1) % nproc][1];
			process_main(i, nthr, seed);
		}
	}
	for (int i = 0; i < nproc; i++) {
		int st;

		if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fz_failf("worker process %d ended with status %#x", i, st);
		}
	}
	pcs = fz_pcs_covered();
	printf("# %llu calls in %.1f s, %llu corpus additions\n",
	       (unsigned long long)atomic_load(&fz->calls), (double)(now_ns() - start) / 1e9,
	       (unsigned long long)atomic_load(&fz->corpus_adds));
	for (int o = 0; o < FZ_NOPS; o++) {
		printf("# %-26s", ops[o].name);
		for (int s = 0; s < FZ_NSTAT; s++)
			if (atomic_load(&fz->stat[o][s]))
				printf(" %s=%llu", status_name(s, tmp, sizeof(tmp)),
				       (unsigned long long)atomic_load(&fz->stat[o][s]));
		printf("\n");
	}
	printf("# module PCs covered: %llu (.text %llu bytes)\n", (unsigned long long)pcs,
	       (unsigned long long)fz->text_size);
	for (uint32_t i = 0; i < atomic_load(&fz->nfail) && i < FZ_MAXFAIL; i++)
		printf("# FAIL: %s\n", fz->fail[i]);
	if (atomic_load(&fz->nfail))
		ok = 0;
	if (debug && (!kcov_ok || !pcs)) {
		printf("# FAIL: the debug kernel's KCOV saw no module PC (kcov %s)\n",
		       kcov_ok ? "on" : "unavailable");
		ok = 0;
	}
	printf("%s 1 zxhv_fuzz: %llu calls, %llu module PCs\n", ok ? "ok" : "not ok",
	       (unsigned long long)atomic_load(&fz->calls), (unsigned long long)pcs);
	return ok ? 0 : 1;
}
