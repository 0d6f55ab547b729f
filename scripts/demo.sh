#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make demo`: the project's main job.  It asks the module whether this host
# can run guests (examples/zxhv-info), then runs a guest: examples/hello-guest
# creates a guest and one VCPU, and the guest prints its greeting on an
# emulated serial port, rings a doorbell that a host thread answers, and
# exits with code 0.  Both run directly where /dev/zircon-hv exists;
# otherwise inside an emulated VMX machine (Bochs, Debian's stock kernel)
# through tools/vmrun.  The exit status is hello-guest's.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
make -s libzx examples
if [ -c /dev/zircon-hv ]; then
	build/examples/zxhv-info || true
	exec build/examples/hello-guest
fi
echo "demo: no /dev/zircon-hv here; booting an emulated VMX machine (Bochs, ~3 min)" >&2
exec tools/vmrun --vmx --kernel stock \
	--put build/examples/zxhv-info --put build/examples/hello-guest \
	-- sh -c './zxhv-info; ./hello-guest'
