// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/zircon-hv: the misc device, and the ioctl entry point that decodes
 * each request, copies its argument block in and out, and hands the zx
 * status back as the ioctl's non-negative return value.
 */
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "arch.h"
#include "dev.h"
#include "file.h"
#include "handle.h"
#include "status.h"
#include "syscalls.h"

static long zxhv_ioc_api_version(void __user *uarg)
{
	struct zxhv_api_version v = {
		.major = ZXHV_API_VERSION_MAJOR,
		.minor = ZXHV_API_VERSION_MINOR,
	};

	if (copy_to_user(uarg, &v, sizeof(v)))
		return -EFAULT;
	return zxhv_ioctl_ret(ZX_OK);
}

static long zxhv_ioc_vmx_probe(void __user *uarg)
{
	struct zxhv_vmx_probe p;

	zxhv_arch_probe(&p);
	if (copy_to_user(uarg, &p, sizeof(p)))
		return -EFAULT;
	return zxhv_ioctl_ret(ZX_OK);
}

static long zxhv_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case ZXHV_IOC_GET_API_VERSION:
		return zxhv_ioc_api_version(uarg);
	case ZXHV_IOC_VMX_PROBE:
		return zxhv_ioc_vmx_probe(uarg);
	default:
		return zxhv_syscall(file->private_data, cmd, uarg);
	}
}

/* Each open file gets an empty handle table owned by the opening process. */
static int zxhv_open(struct inode *inode, struct file *file)
{
	struct zxhv_file *zf = kzalloc(sizeof(*zf), GFP_KERNEL);

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
