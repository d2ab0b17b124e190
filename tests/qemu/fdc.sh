#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The example floppy driver, through the sysdma core and the 8237 driver, on
# QEMU's own i8257 DMA controller and floppy controller: the bare-metal
# kernel reads a random 1.44 MiB image into buffers below 16 MiB, above
# 16 MiB, across 64 KiB boundaries, and scattered (virtually contiguous
# through the kernel's page tables, its pages alternately below and above
# 16 MiB) (every read's CRC-32 must equal the
# image's), then writes a pattern to sectors 100-199 from buffers in the
# same placements (the image file must hold exactly that pattern there, and
# be unchanged elsewhere).
# usage: fdc.sh [WORK_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
"$here/../../ports/x86-multiboot/build.sh" "$work" >/dev/null
head -c 1474560 /dev/urandom >"$work/fd.img"
crc_of() { gzip -c | tail -c8 | od -An -tx4 | awk 'NR==1 {print $1}'; }

boot() { # boot SCENARIO IMAGE → serial output in $work/serial.txt; exit status 1 = success
  timeout 60 qemu-system-i386 -kernel "$work/k.elf" -append "$1" -m 64 -display none \
    -monitor none -serial "file:$work/serial.txt" -device isa-debug-exit,iobase=0xf4,iosize=4 \
    -drive "file=$2,if=floppy,format=raw" && rc=0 || rc=$?
  tr -d '\r' <"$work/serial.txt" | sed -n '/^sysdma x86-multiboot kernel$/,$p' >"$work/out.txt"
  if [ "$rc" -ne 1 ]; then
    echo "fdc: '$1' failed (qemu status $rc)"; cat "$work/out.txt"; exit 1
  fi
}

want=$(crc_of <"$work/fd.img")
for placement in low high straddle64k scattered; do
  boot "fdc-read $placement" "$work/fd.img"
  got=$(awk '/^disk crc32/ {print $3}' "$work/out.txt")
  if [ "$got" != "$want" ]; then
    echo "fdc-read $placement: crc32 $got, image $want"; cat "$work/out.txt"; exit 1
  fi
  echo "fdc-read $placement: whole disk matches ($(grep '^transfers' "$work/out.txt"))"
done

for placement in low high straddle64k scattered; do
  cp "$work/fd.img" "$work/fd-w.img"
  boot "fdc-write $placement" "$work/fd-w.img"
  pattern=$(awk '/^pattern crc32/ {print $3}' "$work/out.txt")
  readback=$(awk '/^readback crc32/ {print $3}' "$work/out.txt")
  written=$(dd if="$work/fd-w.img" bs=512 skip=100 count=100 2>/dev/null | crc_of)
  if [ "$pattern" != "$readback" ] || [ "$pattern" != "$written" ]; then
    echo "fdc-write $placement: pattern $pattern, read back $readback, in the image file $written"; exit 1
  fi
  cmp -s <(head -c 51200 "$work/fd.img") <(head -c 51200 "$work/fd-w.img") ||
    { echo "fdc-write $placement: sectors before 100 changed"; exit 1; }
  cmp -s <(tail -c +102401 "$work/fd.img") <(tail -c +102401 "$work/fd-w.img") ||
    { echo "fdc-write $placement: sectors from 200 on changed"; exit 1; }
  echo "fdc-write $placement: sectors 100-199 hold the pattern, the rest of the image is unchanged"
done
