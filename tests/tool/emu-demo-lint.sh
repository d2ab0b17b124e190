#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `sysdma emu-demo --lint`: the demo still passes, and the hardware lint
# reports the two things the demo does on purpose that a real PC would not
# do as the emulator does (step 2's 128 KiB window wrap on channel 5, step
# 4's memory-to-memory copy), and nothing in steps 1 and 3. Without --lint
# there are no lint lines.
# usage: emu-demo-lint.sh SYSDMA_TOOL
set -euo pipefail
tool=$1
out=$("$tool" emu-demo --lint --quiet) || { echo "emu-demo --lint failed"; echo "$out"; exit 1; }
fail() { echo "emu-demo-lint: $*"; echo "$out"; exit 1; }
grep -q "all checks passed" <<<"$out" || fail "demo checks failed"
grep -q "lint: wrap, channel 5, port 0xD4, 0x3F800/0x7FF" <<<"$out" || fail "no wrap report for channel 5"
grep -q "lint: mem2mem, channel 0, port 0x08" <<<"$out" || fail "no mem2mem report"
before_step2=$(sed -n '/^1\./,/^2\./p' <<<"$out" | grep -c "lint:" || true)
[ "$before_step2" = 0 ] || fail "step 1 reported $before_step2 findings"
step3=$(sed -n '/^3\./,/^4\./p' <<<"$out" | grep -c "lint:" || true)
[ "$step3" = 0 ] || fail "step 3 reported $step3 findings"
total=$(grep -c "    lint:" <<<"$out")
grep -q "hardware lint: $total findings" <<<"$out" || fail "summary does not count $total findings"
plain=$("$tool" emu-demo --quiet)
if grep -q "lint" <<<"$plain"; then fail "lint lines without --lint"; fi
echo "emu-demo --lint: $total findings, as expected"
