// SPDX-License-Identifier: GPL-2.0-only
/*
 * zircon-hv: Fuchsia Zircon's hypervisor API on Intel VMX.
 *
 * This file is only the initialisation order; module_exit undoes it in
 * reverse.
 */

#include <linux/module.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>

#include "arch.h"
#include "debugfs.h"
#include "dev.h"
#include "genl.h"
#include "vmo_giant.h"

static void zxhv_report_probe(void)
{
	struct zxhv_vmx_probe p;

	zxhv_arch_probe(&p);
	if (p.result == ZXHV_VMX_READY)
		pr_info("%s (%u CPUs checked)\n",
			zxhv_arch_probe_explain(p.result), p.ncpus);
	else
		pr_warn("CPU %u: %s (IA32_FEATURE_CONTROL=%#llx)\n",
			p.cpu, zxhv_arch_probe_explain(p.result), p.feature_control);
}

static int __init zxhv_init(void)
{
	int ret;

	zxhv_report_probe();
	/* Before the device: guests put their entries in it. */
	zxhv_debugfs_init();
	zxhv_arch_debugfs_init(zxhv_debugfs_root());

	/* Before the device: objects report events to it. */
	ret = zxhv_genl_init();
	if (ret) {
		pr_err("cannot register the generic netlink family: %d\n", ret);
		goto err_genl;
	}
	/* The pool of 1 GiB blocks the module parameter asked for, if any. */
	zxhv_vmo_giant_init();
	ret = zxhv_dev_init();
	if (ret)
		goto err_dev;
	return 0;

err_dev:
	pr_err("cannot register /dev/%s: %d\n", ZXHV_DEVICE_NAME, ret);
	zxhv_vmo_giant_exit();
	zxhv_genl_exit();
err_genl:
	zxhv_debugfs_exit();
	return ret;
}

static void __exit zxhv_exit(void)
{
	zxhv_dev_exit();
	/* Every VMO is gone with the last open file: none gives a block back. */
	zxhv_vmo_giant_exit();
	zxhv_genl_exit();
	zxhv_debugfs_exit();
	/* RCU callbacks the objects queued (zxhv_arch_vcpu_destroy()). */
	rcu_barrier();
}

module_init(zxhv_init);
module_exit(zxhv_exit);

MODULE_DESCRIPTION("Fuchsia Zircon hypervisor API on Intel VMX");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1");
