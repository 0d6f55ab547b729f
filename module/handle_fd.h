/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Handles crossing processes through file descriptors: a handle moved out
 * of a table into an anonymous-inode file, which can travel like any fd
 * (SCM_RIGHTS, inheritance across exec), and moved into another table.
 */
#ifndef ZXHV_HANDLE_FD_H
#define ZXHV_HANDLE_FD_H

#include <linux/compiler_types.h>
#include <linux/types.h>
#include <zircon/types.h>

struct zxhv_handle_table;
struct zxhv_rights_req;

/*
 * Moves handle @value, which must satisfy @req (the call's table asks for
 * ZX_RIGHT_TRANSFER), out of @t into a new O_CLOEXEC file descriptor
 * written to @fd_out.  BAD_HANDLE, ACCESS_DENIED (@req not met),
 * INVALID_ARGS (@fd_out not writable; the handle stays in @t),
 * NO_RESOURCES (no free descriptor).
 */
zx_status_t zxhv_handle_export(struct zxhv_handle_table *t, zx_handle_t value,
			       const struct zxhv_rights_req *req, int __user *fd_out);

/*
 * Moves the handle held by descriptor @fd into @t, with the same rights,
 * and writes its value to @out; @fd stays open but holds nothing.
 * BAD_HANDLE if @fd is not an exported handle or is already empty;
 * INVALID_ARGS if @out is not writable (the handle stays in @fd).
 */
zx_status_t zxhv_handle_import(struct zxhv_handle_table *t, int fd, zx_handle_t __user *out);

#endif /* ZXHV_HANDLE_FD_H */
