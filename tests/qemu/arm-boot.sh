#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot the bare-metal ARM kernel on qemu-system-arm -M versatilepb with one
# scenario and keep what it printed on UART0.
# usage: arm-boot.sh WORK_DIR SCENARIO...   (the kernel is WORK_DIR/k.elf)
# Writes WORK_DIR/serial.txt (raw) and WORK_DIR/out.txt (the lines after
# the kernel's banner, without carriage returns). Exit status: 0 when the
# kernel reported success through semihosting, 1 otherwise (its output is
# shown).
set -euo pipefail
work=$1
shift
printf '%s\n' "$*" >"$work/scenario.txt"
# QEMU gives a non-Linux ELF no command line: the scenario's name is a file
# loaded at 1 MiB. The board's sound card has no use here (QEMU_AUDIO_DRV).
QEMU_AUDIO_DRV=none timeout 20 qemu-system-arm -M versatilepb -m 128 -kernel "$work/k.elf" \
  -device "loader,file=$work/scenario.txt,addr=0x00100000,force-raw=on" \
  -semihosting-config enable=on,target=native \
  -display none -monitor none -serial "file:$work/serial.txt" && rc=0 || rc=$?
tr -d '\r' <"$work/serial.txt" | sed -n '/^sysdma arm-versatilepb kernel$/,$p' | tail -n +2 >"$work/out.txt"
if [ "$rc" -ne 0 ]; then
  echo "kernel did not exit with success (qemu status $rc; 1 = the kernel said failure, 124 = timeout)"
  cat "$work/serial.txt"
  exit 1
fi
