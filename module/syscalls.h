/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The zx_* calls: one handler per call (module/sys_<object>.c), reached
 * through one table indexed by ioctl number (module/syscalls.c).
 */
#ifndef ZXHV_SYSCALLS_H
#define ZXHV_SYSCALLS_H

#include <linux/compiler_types.h>

struct zxhv_file;

/*
 * Runs the handler of ioctl @cmd: -ENOTTY if there is none, -EACCES if the
 * call works on a handle table and the caller's process does not own
 * @zf's, -EFAULT if the argument block cannot be copied in or out (the
 * call's entry copies it, sys_call.h), -ERESTARTNOINTR to restart it;
 * otherwise the handler's status as the ioctl return value
 * (zxhv_ioctl_ret()).
 */
long zxhv_syscall(struct zxhv_file *zf, unsigned int cmd, void __user *uarg);

#endif /* ZXHV_SYSCALLS_H */
