#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the bare-metal ARM kernel: ports/arm-versatilepb/build.sh OUT_DIR →
# OUT_DIR/k.elf. arm-none-eabi-gcc -ffreestanding for the ARM926EJ-S (ARMv5TE,
# ARM state), from the same core and controller sources as the user-space
# build; libgcc only for the compiler's own helpers (division).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/build-arm}
mkdir -p "$out"
cc=arm-none-eabi-gcc
arch=(-march=armv5te -mcpu=arm926ej-s -marm -mfloat-abi=soft)
cflags=("${arch[@]}" -std=c11 -ffreestanding -fno-builtin -fno-stack-protector -nostdinc
        -isystem "$($cc -print-file-name=include)" -O2 -Wall -Wextra -Werror
        -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
        -fno-unwind-tables -fno-asynchronous-unwind-tables
        -I"$top/include" -I"$top/tests/conformance" -I"$top/src/core" -I"$top/ports/common" -I"$here")
objs=()
$cc "${arch[@]}" -c "$here/boot.S" -o "$out/boot.o"
objs+=("$out/boot.o")
for src in "$here"/*.c "$top/ports/common/libc.c" "$top/ports/common/pages.c" "$top/tests/conformance/pl080_probe.c" \
           "$top"/src/core/*.c \
           "$top"/src/ctrl/*.c; do
  o="$out/$(basename "$(dirname "$src")")_$(basename "${src%.c}").o"
  $cc "${cflags[@]}" -c "$src" -o "$o"
  objs+=("$o")
done
$cc "${arch[@]}" -nostdlib -Wl,-z,noexecstack -T "$here/link.ld" -o "$out/k.elf" "${objs[@]}" -lgcc
echo "$out/k.elf"
