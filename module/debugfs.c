// SPDX-License-Identifier: GPL-2.0-only
/* /sys/kernel/debug/zircon-hv; see debugfs.h. */
#include <linux/debugfs.h>

#include "debugfs.h"

static struct dentry *zxhv_debugfs_dir;

void zxhv_debugfs_init(void)
{
	zxhv_debugfs_dir = debugfs_create_dir("zircon-hv", NULL);
}

void zxhv_debugfs_exit(void)
{
	debugfs_remove(zxhv_debugfs_dir);
	zxhv_debugfs_dir = NULL;
}

struct dentry *zxhv_debugfs_root(void)
{
	return zxhv_debugfs_dir;
}
