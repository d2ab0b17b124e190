#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Conformance of sysdma's emulated floppy controller against QEMU's: boot
# the bare-metal kernel with the floppy command probe (reset, VERSION,
# DUMPREG, SPECIFY, SENSE DRIVE STATUS, RECALIBRATE, SEEK, READ ID, a DMA
# READ DATA, a failing read, an invalid command) on a random 1.44 MiB image,
# run the same probe on the emulated controller (sysdma emu-probe-fdc), and
# require the outputs to differ only as listed, with reasons, in
# probe-fdc.known-differences.
# usage: probe-fdc.sh SYSDMA_TOOL [WORK_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tool=$1
work=${2:-$(mktemp -d)}
mkdir -p "$work"
"$here/../../ports/x86-multiboot/build.sh" "$work" >/dev/null
head -c 1474560 /dev/urandom >"$work/fd.img"
timeout 30 qemu-system-i386 -kernel "$work/k.elf" -append "probe-fdc" -m 64 -display none \
  -monitor none -serial "file:$work/serial.txt" -device isa-debug-exit,iobase=0xf4,iosize=4 \
  -drive "file=$work/fd.img,if=floppy,format=raw" && rc=0 || rc=$?
if [ "$rc" -ne 1 ]; then
  echo "kernel did not exit with success (qemu status $rc)"; cat "$work/serial.txt"; exit 1
fi
tr -d '\r' <"$work/serial.txt" | sed -n '/^sysdma x86-multiboot kernel$/,$p' | tail -n +2 >"$work/qemu.txt"
"$tool" emu-probe-fdc "$work/fd.img" >"$work/emu.txt"
# The sector's first bytes come from the random image: the same on both sides.
diff "$work/qemu.txt" "$work/emu.txt" | grep -E "^[<>]" | sort >"$work/diff.txt" || true
grep -v -E "^(#|$)" "$here/probe-fdc.known-differences" | sort >"$work/known.txt"
if ! diff -u "$work/known.txt" "$work/diff.txt"; then
  echo "the emulated floppy controller and QEMU's differ other than as known (above: - known, + now)"
  exit 1
fi
echo "probe-fdc: $(wc -l <"$work/emu.txt") lines compared, $(grep -c '^<' "$work/diff.txt") known differences"
