#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Completions the way a PC delivers them, on QEMU's own i8257, floppy
# controller and SB16: the 8237 raises no interrupt; the devices' handlers
# ask the core to check their channel (sysdma_channel_check), which reads
# the 8237's status register and advances only what reached terminal count.
#  - The floppy driver's MapTransferEx path: whole-disk reads into buffers
#    above 16 MiB, across 64 KiB and scattered, writes of sectors 100-199
#    from such buffers; CRC-32s against the image; every piece completed
#    by its completion routine at a confirmed terminal count.
#  - The SB16's scattered single-cycle playback through the chained runner,
#    8-bit and 16-bit mono: QEMU's WAV holds the buffer's samples in order
#    (silence QEMU writes while the card is idle between two blocks is
#    allowed). QEMU's i8257 never latches the SB16's terminal count, so
#    there the card's own block count confirms each element (the kernel
#    says how many); stereo single-cycle blocks are not tried, as QEMU
#    counts their length in frames where a Sound Blaster 16 counts samples.
#  - Both at once: the floppy read track by track on channel 2 while the
#    SB16 plays on channel 1, both on DMA1 (each handler's check reads the
#    status register that holds the other's terminal count): no completion
#    of either is lost, the disk's CRC and the WAV are exact.
# usage: completions.sh [WORK_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
"$here/../../ports/x86-multiboot/build.sh" "$work" >/dev/null
cc -O2 -o "$work/wavcheck" "$here/wavcheck.c"
head -c 1474560 /dev/urandom >"$work/fd.img"
crc_of() { gzip -c | tail -c8 | od -An -tx4 | awk 'NR==1 {print $1}'; }
want=$(crc_of <"$work/fd.img")
rate=22050

boot() { # boot SCENARIO [qemu args...] → $work/out.txt; exit status 1 = success
  local sc=$1; shift
  timeout 60 qemu-system-i386 -kernel "$work/k.elf" -append "$sc" -m 64 -display none \
    -monitor none -serial "file:$work/serial.txt" -device isa-debug-exit,iobase=0xf4,iosize=4 \
    "$@" && rc=0 || rc=$?
  tr -d '\r' <"$work/serial.txt" | sed -n '/^sysdma x86-multiboot kernel$/,$p' >"$work/out.txt"
  if [ "$rc" -ne 1 ]; then
    echo "completions: '$sc' failed (qemu status $rc)"; cat "$work/out.txt"; exit 1
  fi
}
field() { awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) {gsub(",", "", $(i + 1)); print $(i + 1); exit}}' "$work/out.txt"; }
fail() { echo "completions: $1"; cat "$work/out.txt"; exit 1; }

# Every MapTransferEx piece completed at a confirmed terminal count.
check_ex() {
  local transfers completions
  transfers=$(field transfers) completions=$(field completions)
  [ "$completions" = "$transfers" ] && [ "$(field cancelled)" = 0 ] && [ "$(field unconfirmed)" = 0 ] ||
    fail "$1: $(grep '^transfers' "$work/out.txt"); $(grep '^completions' "$work/out.txt")"
}

for placement in high straddle64k scattered; do
  boot "fdc-ex-read $placement" -drive "file=$work/fd.img,if=floppy,format=raw"
  got=$(awk '/^disk crc32/ {print $3}' "$work/out.txt")
  [ "$got" = "$want" ] || fail "fdc-ex-read $placement: crc32 $got, image $want"
  check_ex "fdc-ex-read $placement"
  echo "fdc-ex-read $placement: whole disk matches; $(grep '^completions' "$work/out.txt")"
done

for placement in high scattered; do
  cp "$work/fd.img" "$work/fd-w.img"
  boot "fdc-ex-write $placement" -drive "file=$work/fd-w.img,if=floppy,format=raw"
  pattern=$(awk '/^pattern crc32/ {print $3}' "$work/out.txt")
  readback=$(awk '/^readback crc32/ {print $3}' "$work/out.txt")
  written=$(dd if="$work/fd-w.img" bs=512 skip=100 count=100 2>/dev/null | crc_of)
  [ "$pattern" = "$readback" ] && [ "$pattern" = "$written" ] ||
    fail "fdc-ex-write $placement: pattern $pattern, read back $readback, in the image file $written"
  cmp -s <(head -c 51200 "$work/fd.img") <(head -c 51200 "$work/fd-w.img") &&
    cmp -s <(tail -c +102401 "$work/fd.img") <(tail -c +102401 "$work/fd-w.img") ||
    fail "fdc-ex-write $placement: sectors outside 100-199 changed"
  check_ex "fdc-ex-write $placement"
  echo "fdc-ex-write $placement: sectors 100-199 hold the pattern; $(grep '^completions' "$work/out.txt")"
done

for bits in 8 16; do
  format=$([ "$bits" = 16 ] && echo s16 || echo u8)
  rm -f "$work/out.wav"
  boot "sb16-sg $bits 1 $rate 400" \
    -audiodev "wav,id=a,path=$work/out.wav,out.frequency=$rate,out.channels=2,out.format=$format" \
    -device sb16,audiodev=a
  elements=$(field elements) blocks=$(field blocks)
  [ "$elements" -gt 1 ] && [ "$blocks" = "$elements" ] && [ "$(field unconfirmed)" = 0 ] ||
    fail "sb16-sg $bits-bit: $(grep '^played' "$work/out.txt")"
  "$work/wavcheck" "$work/out.wav" "$bits" 1 $((rate * 4 / 10)) 2 gaps || fail "sb16-sg $bits-bit: WAV"
  echo "sb16-sg $bits-bit mono: $(grep '^played' "$work/out.txt")"
done

rm -f "$work/out.wav"
boot "both high" -drive "file=$work/fd.img,if=floppy,format=raw" \
  -audiodev "wav,id=a,path=$work/out.wav,out.frequency=$rate,out.channels=2,out.format=u8" \
  -device sb16,audiodev=a
got=$(awk '/^disk crc32/ {print $3}' "$work/out.txt")
[ "$got" = "$want" ] || fail "both: disk crc32 $got, image $want"
tracks=$(field tracks) completions=$(field completions) during=$(field playback)
[ "$completions" = "$tracks" ] && [ "$(field cancelled)" = 0 ] && [ "$during" -gt 0 ] ||
  fail "both: floppy $(grep '^tracks' "$work/out.txt")"
elements=$(field elements) blocks=$(field blocks)
[ "$elements" -gt 1 ] && [ "$blocks" = "$elements" ] || fail "both: SB16 $(grep '^played' "$work/out.txt")"
"$work/wavcheck" "$work/out.wav" 8 1 "$rate" 2 gaps || fail "both: WAV"
echo "both: disk matches, $(grep '^tracks' "$work/out.txt"); $(grep '^played' "$work/out.txt")"
