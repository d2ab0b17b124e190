#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Conformance of sysdma's emulated 8237A pair against QEMU's i8257: boot the
# bare-metal kernel with the register probe, run the same probe on the
# emulator (sysdma emu-probe), and compare. The differences must be exactly
# the ones listed, with their reasons, in probe-8237.known-differences.
# usage: probe-8237.sh SYSDMA_TOOL [WORK_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tool=$1
work=${2:-$(mktemp -d)}
mkdir -p "$work"
"$here/../../ports/x86-multiboot/build.sh" "$work" >/dev/null
timeout 20 qemu-system-i386 -kernel "$work/k.elf" -append "probe-8237" -m 64 \
  -display none -monitor none -serial "file:$work/serial.txt" \
  -device isa-debug-exit,iobase=0xf4,iosize=4 && rc=0 || rc=$?
if [ "$rc" -ne 1 ]; then
  echo "kernel did not exit with success (qemu status $rc)"; cat "$work/serial.txt"; exit 1
fi
tr -d '\r' <"$work/serial.txt" | sed -n '/^sysdma x86-multiboot kernel$/,$p' | tail -n +2 >"$work/qemu.txt"
"$tool" emu-probe >"$work/emu.txt"
diff "$work/qemu.txt" "$work/emu.txt" | grep -E "^[<>]" | sort >"$work/diff.txt" || true
grep -v -E "^(#|$)" "$here/probe-8237.known-differences" | sort >"$work/known.txt"
if ! diff -u "$work/known.txt" "$work/diff.txt"; then
  echo "the emulated 8237 and QEMU's differ other than as known (above: - known, + now)"
  exit 1
fi
echo "probe-8237: $(wc -l <"$work/emu.txt") lines compared, $(grep -c '^<' "$work/diff.txt") known differences"
