#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The VCD trace of `sysdma packet-demo --trace` is a well-formed Value Change
# Dump whose terminal-count pulses on the demo's channel match the transfers
# the demo reports, whose times never go back, and whose unit counter ends
# at the bytes the two passes moved.
# usage: vcd-trace.sh SYSDMA_TOOL WORK_DIR
set -euo pipefail
tool=$1
work=$2
mkdir -p "$work"
for args in "--channel 2 --bytes 100000 --placement scattered" "--channel 6 --bytes 70000 --placement low"; do
  # shellcheck disable=SC2086
  "$tool" packet-demo --quiet $args --trace "$work/t.vcd" >"$work/out.txt"
  ch=$(sed -E 's/.*--channel ([0-9]).*/\1/' <<<"$args")
  bytes=$(sed -E 's/.*--bytes ([0-9]+).*/\1/' <<<"$args")
  transfers=$(awk '/^transfers/ {print $2}' "$work/out.txt")
  awk -v ch="$ch" -v transfers="$transfers" -v bytes="$bytes" '
    /^\$var/ { ids[$5] = $4 }                       # name -> id
    /^\$enddefinitions/ { defs = 1; tc = ids["ch" ch "_tc"]; un = ids["ch" ch "_units"]; next }
    !defs { next }
    /^#/ { t = substr($0, 2) + 0; if (t < last) { print "time went back at " t; bad = 1 } last = t; next }
    /^\$/ { next }
    /^b/ { if ($2 == un) units = $1; next }
    { v = substr($0, 1, 1); id = substr($0, 2); if (id == tc && v == "1") edges++ }
    END {
      if (!defs) { print "no $enddefinitions"; exit 1 }
      if (edges != transfers) { print "tc edges " edges ", transfers " transfers; exit 1 }
      n = 0; for (i = 2; i <= length(units); i++) n = n * 2 + substr(units, i, 1)
      width = ch >= 4 ? 2 : 1
      if (n * width != 2 * bytes) { print "units " n " x" width ", want " 2 * bytes " bytes"; exit 1 }
      if (bad) exit 1
      print "vcd: channel " ch ": " edges " TC pulses = transfers, " n " units moved"
    }' "$work/t.vcd"
done
