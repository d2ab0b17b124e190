#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot the bare-metal ARM kernel (ports/arm-versatilepb) on qemu-system-arm
# -M versatilepb with one DMA scenario and check what it reports:
#   arm-dma.sh WORK_DIR uart-sg PAGES|max OFFSET
#       the bytes QEMU's PL011 received between "uart-data: " and the line
#       "uart-end" must be the buffer's bytes (the pattern below), in order;
#       one element per page, as few programs as the driver's fragments per
#       program allow (one hardware list when the pages fit), at least one
#       linked-list item per element (exactly one for a one-page list), a
#       dma_sync call at least per page, one done call, one interrupt per
#       program
#   arm-dma.sh WORK_DIR driver-uart PAGES OFFSET
#       the same buffer in ONE program of the driver (not through the core):
#       the bytes in order, one interrupt, at least one item per page
#   arm-dma.sh WORK_DIR driver-m2m-max
#       a program of exactly the driver's items per channel copies its
#       scattered source to a contiguous buffer (CRC-32, guard), one more
#       is refused
#   arm-dma.sh WORK_DIR m2m-packet PAGES
#   arm-dma.sh WORK_DIR m2m-sg PAGES
#       the three buffers' CRC-32s agree, every guard is intact, and two
#       MapTransferEx completions (two done calls, each list one program)
#       came
# Exit status 0: passed, 1: failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$1
shift
mkdir -p "$work"
"$here/../../ports/arm-versatilepb/build.sh" "$work" >/dev/null
"$here/arm-boot.sh" "$work" "$@"
out=$work/out.txt
fail() { echo "FAIL: $*"; cat "$out"; exit 1; }
field() { # field NAME LINE_PREFIX: the number after "NAME " on the line starting with LINE_PREFIX
  { grep "^$2" "$out" || true; } | head -n 1 | tr ' ' '\n' | { grep -A1 -x -- "$1" || true; } | tail -n 1
}
scenario=$1
check_uart_bytes() { # check_uart_bytes BYTES: the UART received the pattern's first BYTES bytes
  sed -n 's/^uart-data: //p' "$out" | tr -d '\n' >"$work/got.bin"
  # The kernel's pattern (scenarios.c): byte k = 33 + (7k + k div 251) mod 94.
  awk -v n="$1" 'BEGIN { for (k = 0; k < n; k++) printf "%c", 33 + (k * 7 + int(k / 251)) % 94 }' \
    >"$work/want.bin"
  cmp "$work/want.bin" "$work/got.bin" || fail "the UART did not receive the buffer's $1 bytes in order"
}
case $scenario in
driver-uart)
  bytes=$(field bytes "driver-uart:")
  pages=$(field pages "driver-uart:")
  check_uart_bytes "$bytes"
  [ "$(field fragments fragments)" = "$pages" ] || fail "expected one fragment per page ($pages)"
  [ "$(field interrupts fragments)" = 1 ] || fail "expected one terminal-count interrupt"
  items=$(field items fragments)
  [ "$items" -ge "$pages" ] || fail "fewer linked-list items ($items) than fragments"
  echo "driver-uart: $bytes bytes in order, $pages fragments in one program of $items items"
  ;;
driver-m2m-max)
  grep -q "^driver-m2m-max: .*list needs more elements.*, nothing moved$" "$out" ||
    fail "one item more than the channel has was not refused"
  [ "$(field items fragments)" = "$(field items-per-channel fragments)" ] ||
    fail "the program did not use every item of the channel"
  crc=$(grep "^crc32 source" "$out") || fail "no CRC line"
  set -- $crc
  [ "$3" = "$5" ] || fail "the destination's CRC-32 differs from the source's"
  grep -qx "guard intact" "$out" || fail "the guard after the destination was overwritten"
  echo "driver-m2m-max: $(field items fragments) items in one program, CRC-32 $3 both sides"
  ;;
uart-sg)
  bytes=$(field bytes "uart-sg:")
  pages=$(field pages "uart-sg:")
  check_uart_bytes "$bytes"
  [ "$(field elements elements)" = "$pages" ] || fail "expected one element per page ($pages)"
  [ "$(field done-calls elements)" = 1 ] || fail "expected one done call"
  fpp=$(field fragments-per-program "uart-sg:")
  [ "$(field programs elements)" = $(((pages + fpp - 1) / fpp)) ] ||
    fail "expected the list in $(((pages + fpp - 1) / fpp)) program(s) of at most $fpp fragments"
  [ "$(field interrupts elements)" = "$(field programs elements)" ] ||
    fail "expected one terminal-count interrupt per program"
  items=$(field items elements)
  [ "$items" -ge "$pages" ] || fail "fewer linked-list items ($items) than elements"
  [ "$pages" != 1 ] || [ "$items" = 1 ] || fail "a one-page list below the item capacity took $items items"
  # The platform's dma_sync (a no-op with caches off) is called for every page part of the list.
  [ "$(field syncs elements)" -ge "$pages" ] || fail "fewer dma_sync calls than pages"
  echo "uart-sg: $bytes bytes in order, $pages elements, $(field programs elements) program(s)," \
       "$items items, $(field interrupts elements) interrupt(s)"
  ;;
m2m-packet|m2m-sg)
  crc=$(grep "^crc32 source" "$out") || fail "no CRC line"
  set -- $crc
  [ "$3" = "$5" ] && [ "$5" = "$7" ] || fail "the CRC-32s differ"
  grep -qx "guards source intact middle intact destination intact" "$out" || fail "a guard was overwritten"
  if [ "$scenario" = m2m-packet ]; then n=$(field completions "m2m-packet:"); what=completions
  else n=$(field done-calls "m2m-sg:"); what=done-calls; fi
  [ "$n" = 2 ] || fail "expected 2 $what, saw $n"
  [ "$(field programs "$scenario:")" = 2 ] || fail "expected 2 programs (one per transfer)"
  echo "$(head -n 1 "$out")"
  ;;
*)
  fail "unknown scenario $scenario"
  ;;
esac
