// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exported handles: an anonymous-inode file whose private_data is the
 * handle (struct zxhv_handle *) or NULL once imported.  private_data is
 * only ever swapped with xchg(), so two concurrent imports cannot both
 * get the handle.
 */
#include <linux/anon_inodes.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "handle.h"
#include "handle_fd.h"
#include "object.h"
#include "status.h"

static int zxhv_handle_fd_release(struct inode *inode, struct file *file)
{
	struct zxhv_handle *h = xchg(&file->private_data, NULL);

	if (h)
		zxhv_handle_free(h);
	return 0;
}

static const struct file_operations zxhv_handle_fops = {
	.owner = THIS_MODULE,
	.release = zxhv_handle_fd_release,
	.llseek = noop_llseek,
};

zx_status_t zxhv_handle_export(struct zxhv_handle_table *t, zx_handle_t value,
			       const struct zxhv_rights_req *req, int __user *fd_out)
{
	struct zxhv_object *obj;
	struct zxhv_handle *h;
	struct file *file;
	zx_status_t status;
	int fd;

	/* Check first, so that nothing is created for a call that must fail. */
	status = zxhv_handle_lookup_req(t, value, ZXHV_OBJ_TYPE_ANY, req, &obj, NULL);
	if (status != ZX_OK)
		return status;
	zxhv_object_put(obj);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return zxhv_errno_to_status(fd);
	file = anon_inode_getfile("[zircon-hv-handle]", &zxhv_handle_fops, NULL, O_RDWR);
	if (IS_ERR(file)) {
		status = zxhv_errno_to_status(PTR_ERR(file));
		goto err_fd;
	}
	if (put_user(fd, fd_out)) {
		status = ZX_ERR_INVALID_ARGS;
		goto err_file;
	}
	/* Another thread may have closed or moved the handle meanwhile. */
	status = zxhv_handle_take_req(t, value, req, &h);
	if (status != ZX_OK)
		goto err_file;
	file->private_data = h;
	fd_install(fd, file);
	return ZX_OK;

err_file:
	fput(file);
err_fd:
	put_unused_fd(fd);
	return status;
}

zx_status_t zxhv_handle_import(struct zxhv_handle_table *t, int fd, zx_handle_t __user *out)
{
	struct zxhv_handle *h;
	zx_status_t status;
	struct file *file;
	zx_handle_t value;

	file = fget(fd);
	if (!file)
		return ZX_ERR_BAD_HANDLE;
	if (file->f_op != &zxhv_handle_fops) {
		status = ZX_ERR_BAD_HANDLE;
		goto out_fput;
	}
	h = xchg(&file->private_data, NULL);
	if (!h) {
		status = ZX_ERR_BAD_HANDLE;
		goto out_fput;
	}
	status = zxhv_handle_insert(t, h, &value);
	if (status == ZX_OK) {
		if (!put_user(value, out))
			goto out_fput;
		status = ZX_ERR_INVALID_ARGS;
		/* Undo: take it back, unless another thread closed it already. */
		if (zxhv_handle_take(t, value, 0, &h) != ZX_OK)
			goto out_fput;
	}
	/* The import failed: the descriptor keeps the handle. */
	h = xchg(&file->private_data, h);
	WARN_ON_ONCE(h);
out_fput:
	fput(file);
	return status;
}
