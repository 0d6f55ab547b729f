// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/zircon-hv: the misc device.  Opening it makes a handle table; every
 * ioctl goes to the dispatch table (module/syscalls.c).
 */
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <zircon-hv.h>

#include "dev.h"
#include "file.h"
#include "handle.h"
#include "syscalls.h"

static long zxhv_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return zxhv_syscall(file->private_data, cmd, (void __user *)arg);
}

/* Each open file gets an empty handle table owned by the opening process. */
static int zxhv_open(struct inode *inode, struct file *file)
{
	struct zxhv_file *zf = kzalloc(sizeof(*zf), GFP_KERNEL_ACCOUNT);

	if (!zf)
		return -ENOMEM;
	zxhv_handle_table_init(&zf->handles);
	file->private_data = zf;
	return nonseekable_open(inode, file);
}

/* The last reference to the file is gone: close every handle. */
static int zxhv_release(struct inode *inode, struct file *file)
{
	struct zxhv_file *zf = file->private_data;

	zxhv_handle_table_destroy(&zf->handles);
	kfree(zf);
	return 0;
}

static const struct file_operations zxhv_fops = {
	.owner = THIS_MODULE,
	.open = zxhv_open,
	.release = zxhv_release,
	.unlocked_ioctl = zxhv_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice zxhv_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = ZXHV_DEVICE_NAME,
	.fops = &zxhv_fops,
	.mode = 0660,
};

int zxhv_dev_init(void)
{
	return misc_register(&zxhv_misc);
}

void zxhv_dev_exit(void)
{
	misc_deregister(&zxhv_misc);
}
