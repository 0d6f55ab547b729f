/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The module's debugfs directory, /sys/kernel/debug/zircon-hv.  Objects put
 * their own entries under it (module/guest.c: guest-<koid>/ept).  Debugfs is
 * diagnostics only: when it is missing or a creation fails, nothing else
 * changes (the debugfs calls accept the error pointers they return).
 */
#ifndef ZXHV_DEBUGFS_H
#define ZXHV_DEBUGFS_H

struct dentry;

/* Creates the directory; module init, before any object exists. */
void zxhv_debugfs_init(void);
/* Removes it and whatever is left below it; module exit. */
void zxhv_debugfs_exit(void);
/* The directory (possibly an error pointer) for objects' entries. */
struct dentry *zxhv_debugfs_root(void);

#endif /* ZXHV_DEBUGFS_H */
