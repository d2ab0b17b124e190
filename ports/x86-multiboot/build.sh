#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the bare-metal kernel: ports/x86-multiboot/build.sh OUT_DIR → OUT_DIR/k.elf
# gcc -m32 -ffreestanding and ld -m elf_i386, from the same sources as the
# user-space build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/build-x86}
mkdir -p "$out"
cflags=(-m32 -std=c11 -ffreestanding -fno-builtin -fno-stack-protector -fno-pie -nostdinc
        -isystem "$(gcc -print-file-name=include)" -O2 -Wall -Wextra -Werror
        -I"$top/include" -I"$top/tests/conformance" -I"$top/src/core" -I"$top/ports/common" -I"$here")
objs=()
gcc -m32 -c "$here/boot.S" -o "$out/boot.o"
objs+=("$out/boot.o")
for src in "$here/kmain.c" "$here/completions.c" "$here/platform.c" "$top/ports/common/libc.c" "$top/ports/common/pages.c" \
           "$top"/tests/conformance/*.c \
           "$top"/src/core/*.c "$top"/src/ctrl/*.c "$top"/examples/drivers/*.c; do
  o="$out/$(basename "$(dirname "$src")")_$(basename "${src%.c}").o"
  gcc "${cflags[@]}" -c "$src" -o "$o"
  objs+=("$o")
done
ld -m elf_i386 -T "$here/link.ld" -nostdlib -o "$out/k.elf" "${objs[@]}"
echo "$out/k.elf"
