// SPDX-License-Identifier: BSD-2-Clause
/*
 * zxhv-info: what /dev/zircon-hv says about this host: the module's ABI
 * version and whether guests can run here (and if not, what to do).
 * Exits 0 when guests can run, 1 when they cannot, 2 on other errors.
 */
#include <stdio.h>

#include <zircon/hv.h>
#include <zircon/status.h>

int main(void)
{
	zxhv_vmx_probe_t p;
	uint32_t major, minor;
	zx_status_t st;

	st = zxhv_api_version(&major, &minor);
	if (st != ZX_OK) {
		fprintf(stderr, "zxhv-info: cannot talk to /dev/zircon-hv: %s\n",
			zx_status_get_string(st));
		return 2;
	}
	printf("zircon-hv ABI %u.%u\n", major, minor);

	st = zxhv_vmx_probe(&p);
	if (st != ZX_OK) {
		fprintf(stderr, "zxhv-info: VMX probe failed: %s\n", zx_status_get_string(st));
		return 2;
	}
	printf("%u CPUs probed; CPU %u: %s\n", p.ncpus, p.cpu,
	       zxhv_vmx_probe_result_string(p.result));
	return p.result == ZXHV_VMX_READY ? 0 : 1;
}
