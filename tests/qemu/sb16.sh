#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The example SB16 driver — common-buffer system DMA with the 8237 in
# auto-initialize mode — on QEMU's own SB16 and i8257: the bare-metal kernel
# plays 0.4 s of a known waveform at 22050 Hz, 8-bit on DMA channel 1
# and 16-bit on channel 5, mono and stereo, through a two-half common buffer
# that wraps many times; QEMU records what the card played to a WAV file,
# which must hold every frame of the waveform, in order, unchanged.
# usage: sb16.sh [WORK_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
"$here/../../ports/x86-multiboot/build.sh" "$work" >/dev/null
cc -O2 -o "$work/wavcheck" "$here/wavcheck.c"
rate=22050
for fmt in "8 1" "8 2" "16 1" "16 2"; do
  set -- $fmt
  bits=$1 channels=$2
  format=$([ "$bits" = 16 ] && echo s16 || echo u8)
  rm -f "$work/out.wav"
  # QEMU's WAV output is stereo at the card's rate, so nothing is resampled.
  timeout 60 qemu-system-i386 -kernel "$work/k.elf" -append "sb16-play $bits $channels $rate 400" \
    -m 64 -display none -monitor none -serial "file:$work/serial.txt" \
    -device isa-debug-exit,iobase=0xf4,iosize=4 \
    -audiodev "wav,id=a,path=$work/out.wav,out.frequency=$rate,out.channels=2,out.format=$format" \
    -device sb16,audiodev=a && rc=0 || rc=$?
  tr -d '\r' <"$work/serial.txt" | sed -n '/^sysdma x86-multiboot kernel$/,$p' >"$work/out.txt"
  if [ "$rc" -ne 1 ]; then
    echo "sb16 $bits-bit x$channels: kernel failed (qemu status $rc)"; cat "$work/out.txt"; exit 1
  fi
  if ! "$work/wavcheck" "$work/out.wav" "$bits" "$channels" $((rate * 4 / 10)) 2; then
    cat "$work/out.txt"; exit 1
  fi
  # ReadDmaCounter, sampled at every block interrupt: the tracked position
  # never goes back, and the auto-init wraps match the blocks played (two
  # blocks per pass over the 8 KiB buffer).
  read -r position wraps backwards < <(awk '/^counter position/ {print $3, $5, $7}' "$work/out.txt")
  blocks=$(awk '/^played/ {gsub(",", ""); print $5}' "$work/out.txt")
  if [ "$backwards" != 0 ] || [ $((wraps)) -lt $((blocks / 2 - 1)) ] || [ $((wraps)) -gt $((blocks / 2 + 1)) ] ||
     [ $((position)) -lt $(((blocks - 1) * 4096)) ]; then
    echo "sb16 $bits-bit x$channels: counter position $position, wraps $wraps, backwards $backwards for $blocks blocks"
    exit 1
  fi
  echo "sb16 $bits-bit x$channels: $(grep '^played' "$work/out.txt"); $(grep '^counter' "$work/out.txt")"
done
