#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `sysdma demo` with a fixed seed: its report holds the figures it must
# (each job checked, per-channel rows, pool, verifier with no findings), the
# disk image holds what was written, the WAV holds the tone, the VCD parses
# and its terminal-count pulses per channel match the report, the SVG is
# well-formed XML with one row per channel; usage errors exit 2.
# usage: demo.sh SYSDMA_TOOL DEMO_CHECK WORK_DIR
set -euo pipefail
tool=$1
check=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work"
fail() { echo "demo test: $*"; cat out.txt 2>/dev/null; exit 1; }

for bits in 16 8; do
  rm -f sysdma-demo.img
  "$tool" demo --seed 7 --seconds 0.4 --sb16-bits "$bits" --placement scattered \
    --trace t.vcd --timeline t.svg >out.txt || fail "demo exited $? (sb16 $bits-bit)"
  sb=$([ "$bits" = 16 ] && echo 5 || echo 1)
  grep -q "seed 7, DMA verifier on" out.txt || fail "no header"
  grep -Eq "floppy +ch 2 .*wrote 36 sectors at LBA [0-9]+, read them back: match" out.txt || fail "floppy line"
  grep -Eq "sb16 +ch $sb .*0\.40 s of a 440 Hz tone, $bits-bit .*: played" out.txt || fail "sb16 line"
  grep -Eq "s/g +ch 6 .*[1-9][0-9]* lists, [1-9][0-9]* elements: match" out.txt || fail "s/g line"
  grep -Eq "verifier: 0 findings" out.txt || fail "verifier findings"
  grep -Eq "map registers: pool [0-9]+ pages, high-water [1-9][0-9]*, bytes bounced [1-9]" out.txt || fail "pool line"
  grep -q "all checks passed" out.txt || fail "not passed"
  lba=$(sed -nE 's/.*at LBA ([0-9]+).*/\1/p' out.txt)
  "$check" image sysdma-demo.img 7 "$lba" 36
  "$check" wav sysdma-demo.wav 0.4 "$bits"
  # per-channel rows: channel bytes transfers terminal-counts waits
  for ch in 2 "$sb" 6; do
    row=$(awk -v ch="$ch" '$1 == ch && NF == 5' out.txt)
    [ -n "$row" ] || fail "no row for channel $ch"
    read -r _ bytes transfers tcs _ <<<"$row"
    [ "$bytes" -gt 0 ] || fail "channel $ch moved nothing"
    if [ "$ch" != "$sb" ] && [ "$transfers" != "$tcs" ]; then
      fail "channel $ch: $transfers transfers but $tcs terminal counts"
    fi
    vcd_tc=$(awk -v ch="$ch" '
      /^\$var/ { ids[$5] = $4 }
      /^\$enddefinitions/ { defs = 1; tc = ids["ch" ch "_tc"]; next }
      !defs || /^[#$b]/ { next }
      { if (substr($0, 2) == tc && substr($0, 1, 1) == "1") n++ }
      END { if (!defs) exit 1; print n + 0 }' t.vcd) || fail "VCD does not parse"
    [ "$vcd_tc" = "$tcs" ] || fail "channel $ch: VCD has $vcd_tc TC pulses, report $tcs"
  done
  xmllint --noout t.svg || fail "SVG is not well-formed"
  rows=$(grep -c '<g class="channel"' t.svg)
  [ "$rows" = 3 ] || fail "SVG has $rows channel rows, want 3"
  for ch in 2 "$sb" 6; do
    grep -q "data-channel=\"$ch\"" t.svg || fail "SVG has no row for channel $ch"
  done
  echo "demo ($bits-bit sound): report, image, WAV, VCD and SVG as expected"
done

# With the 8237 hardware lint on, the three drivers do nothing a real PC
# would not do as the emulator does: no findings, and the run passes.
"$tool" demo --seed 7 --seconds 0.3 --lint --image l.img --wav l.wav >lint.txt ||
  { cat lint.txt; fail "demo --lint exited $?"; }
grep -q "hardware lint: 0 findings" lint.txt || { cat lint.txt; fail "lint findings"; }
if grep -q "  lint: " lint.txt; then cat lint.txt; fail "lint lines"; fi

# The same seed gives the same report (simulated figures only).
"$tool" demo --seed 7 --seconds 0.4 --image b.img --wav b.wav >a1.txt
"$tool" demo --seed 7 --seconds 0.4 --image c.img --wav c.wav >a2.txt
diff <(grep -v -e 'host time' -e 'disk image' -e 'wav:' a1.txt) \
     <(grep -v -e 'host time' -e 'disk image' -e 'wav:' a2.txt) || fail "not deterministic"

# Usage errors: status 2 and one line.
for args in "--seconds x" "--placement nowhere" "--sb16-bits 12" "--bogus" "--seed"; do
  set +e
  # shellcheck disable=SC2086
  "$tool" demo $args >/dev/null 2>err.txt
  rc=$?
  set -e
  [ "$rc" = 2 ] || fail "'demo $args' exited $rc, want 2"
  [ "$(wc -l <err.txt)" = 1 ] || fail "'demo $args' printed $(wc -l <err.txt) lines"
done
"$tool" demo --help | grep -q "usage: sysdma demo" || fail "no --help"
echo "demo: usage errors exit 2 with one line"
