#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make demo`: the project's main job.  Until the first guest runs (the VMX
# engine), the demo asks the module whether this host can run guests.  It
# runs directly where /dev/zircon-hv exists; otherwise inside an emulated
# VMX machine (Bochs, Debian's stock kernel) through tools/vmrun.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
make -s libzx examples
if [ -c /dev/zircon-hv ]; then
	exec build/examples/zxhv-info
fi
echo "demo: no /dev/zircon-hv here; booting an emulated VMX machine (Bochs, ~2 min)" >&2
exec tools/vmrun --vmx --kernel stock --put build/examples/zxhv-info -- ./zxhv-info
