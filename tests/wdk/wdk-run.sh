#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `sysdma wdk-run` with the test driver built as a module: a passing run
# (exit 0), the same scheduler trace twice, the VCD and SVG written, and
# the broken variants (chosen through its Parameters key) failing with the
# verifier's or the scheduler's report (exit 1); usage errors exit 2.
# A driver calling a kernel routine the shim lacks does not load (exit 2,
# the routine named).
# Usage: wdk-run.sh SYSDMA TESTDRV.so WORKDIR UNKNOWN_CALL.so
set -euo pipefail
tool=$1 drv=$2 work=$3 unknown=$4
fail() { echo "wdk-run test: $*" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"
script="open \\DosDevices\\SysdmaTest;read 0 16;ioctl 0x222000 0 4;ioctl 0x222777;expect invalid_device_request"

for n in 1 2; do
  "$tool" wdk-run -q --pnp testdev --name sysdmatest --run "$script" \
    --sched-trace "$work/sched$n.txt" --vcd "$work/run.vcd" --svg "$work/run.svg" "$drv" \
    >"$work/out$n.txt" 2>&1 || { cat "$work/out$n.txt"; fail "run $n failed"; }
done
grep -q '^3 request(s), 0 failed; 0 verifier report(s); 0 leak(s);' "$work/out1.txt" ||
  fail "unexpected summary: $(cat "$work/out1.txt")"
grep -q '^passed$' "$work/out1.txt" || fail "no 'passed' line"
cmp -s "$work/sched1.txt" "$work/sched2.txt" || fail "two runs gave different scheduler traces"
grep -q 'isr irq 10' "$work/sched1.txt" || fail "the trace shows no interrupt"
grep -q '^\$enddefinitions' "$work/run.vcd" || fail "no VCD header"
grep -q '<svg' "$work/run.svg" || fail "no SVG"

expect_fail() { # PARAM PATTERN
  local rc=0
  "$tool" wdk-run -q --pnp testdev --name sysdmatest --param "$1" --run "read 0 16" "$drv" \
    >"$work/bad.txt" 2>&1 || rc=$?
  [ "$rc" = 1 ] || { cat "$work/bad.txt"; fail "--param $1: exit $rc, want 1"; }
  grep -q "$2" "$work/bad.txt" || { cat "$work/bad.txt"; fail "--param $1: no '$2'"; }
}
expect_fail Bug=1 'FREE_CHANNEL_MAPPED'
expect_fail Bug=2 'FREE_CHANNEL_NOT_OWNER'
expect_fail Bug=3 'all threads waiting, no timer pending'

# a bare file name is taken from the current directory
cp "$drv" "$work/bare.so"
(cd "$work" && "$tool" wdk-run -q --pnp testdev --run "ioctl 0x222000 0 4" bare.so >/dev/null) ||
  fail "a driver named without a directory did not run"
rc=0
"$tool" wdk-run "$work/no-such-driver.so" >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "a missing driver: exit $rc, want 2"
rc=0
"$tool" wdk-run --run "read 1" "$drv" >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "a bad script line: exit $rc, want 2"
rc=0
"$tool" wdk-run "$unknown" >"$work/unknown.txt" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "a driver with an unknown kernel call: exit $rc, want 2"
grep -q 'IoWMIRegistrationControl' "$work/unknown.txt" || fail "the unknown call is not named: $(cat "$work/unknown.txt")"
echo "wdk-run test: ok"
