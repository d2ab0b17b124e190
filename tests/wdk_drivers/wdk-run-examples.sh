#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The example drivers (examples/wdk) built as modules and run by
# `sysdma wdk-run`: the floppy driver reads, writes and formats and the
# SB16 driver plays, each run passing (exit 0, "passed") with no verifier
# report and no leak; the disk written out after the floppy run holds the
# formatted track's filler bytes.
# Usage: wdk-run-examples.sh SYSDMA FLOPPY.so SB16.so WORKDIR
set -euo pipefail
tool=$1 floppy=$2 sb16=$3 work=$4
fail() { echo "wdk-run examples: $*" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"

"$tool" wdk-run -q --run "read 0 2880;write 0 2880;format 5 1;read 180 54;write 7 3" \
  --out "$work/disk.img" "$floppy" >"$work/floppy.txt" 2>&1 ||
  { cat "$work/floppy.txt"; fail "the floppy run failed"; }
grep -q '^5 request(s), 0 failed; 0 verifier report(s); 0 leak(s);' "$work/floppy.txt" ||
  fail "unexpected floppy summary: $(cat "$work/floppy.txt")"
grep -q '^passed$' "$work/floppy.txt" || fail "no 'passed' line for the floppy run"
[ "$(stat -c %s "$work/disk.img")" = 1474560 ] || fail "the disk written out is not 1.44 MB"
# Cylinder 5, head 1: 18 sectors of 0xF6 at byte (5 * 2 + 1) * 18 * 512.
od -An -v -tx1 -j $((11 * 18 * 512)) -N 9216 "$work/disk.img" | tr -s ' \n' '\n\n' |
  grep -v '^$' | sort -u >"$work/track.txt"
[ "$(cat "$work/track.txt")" = f6 ] || fail "the formatted track does not hold only 0xF6"

"$tool" wdk-run -q --run "play 500 22050 8;play 40 22050 8" "$sb16" >"$work/sb16.txt" 2>&1 ||
  { cat "$work/sb16.txt"; fail "the SB16 run failed"; }
grep -q '^2 request(s), 0 failed; 0 verifier report(s); 0 leak(s);' "$work/sb16.txt" ||
  fail "unexpected SB16 summary: $(cat "$work/sb16.txt")"
grep -q '^passed$' "$work/sb16.txt" || fail "no 'passed' line for the SB16 run"
echo "wdk-run examples: ok"
