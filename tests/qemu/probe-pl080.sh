#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Conformance of sysdma's emulated PL080 against QEMU's: boot the bare-metal
# ARM kernel with the register probe on qemu-system-arm -M versatilepb, run
# the same probe on the emulator (sysdma emu-probe-pl080), and compare. The
# differences must be exactly the ones listed, with their reasons, in
# probe-pl080.known-differences.
# usage: probe-pl080.sh SYSDMA_TOOL [WORK_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tool=$1
work=${2:-$(mktemp -d)}
mkdir -p "$work"
"$here/../../ports/arm-versatilepb/build.sh" "$work" >/dev/null
"$here/arm-boot.sh" "$work" probe-pl080
cp "$work/out.txt" "$work/qemu.txt"
"$tool" emu-probe-pl080 >"$work/emu.txt"
diff "$work/qemu.txt" "$work/emu.txt" | grep -E "^[<>]" | sort >"$work/diff.txt" || true
grep -v -E "^(#|$)" "$here/probe-pl080.known-differences" | sort >"$work/known.txt"
if ! diff -u "$work/known.txt" "$work/diff.txt"; then
  echo "the emulated PL080 and QEMU's differ other than as known (above: - known, + now)"
  exit 1
fi
echo "probe-pl080: $(wc -l <"$work/emu.txt") lines compared, $(grep -c '^<' "$work/diff.txt") known differences"
