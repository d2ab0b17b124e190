#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `sysdma bench` fails when a benchmark program fails: non-zero exit, the
# program named on stderr, no summary line; and succeeds (with the summary)
# when every program does. The programs are stand-ins in a directory given
# with --dir, each printing one JSON line and then exiting as told.
# usage: bench-fail.sh SYSDMA_TOOL WORK_DIR
set -euo pipefail
tool=$1
work=$2
rm -rf "$work"
mkdir -p "$work/bench"
fake() { # fake NAME EXIT_COMMAND
  printf '#!/bin/sh\necho '"'"'{"bench":"%s.figure","value":1,"unit":"x"}'"'"'\n%s\n' "$1" "$2" \
    >"$work/bench/bench_$1"
  chmod +x "$work/bench/bench_$1"
}
bad=0
expect() { # expect WHAT STATUS WANT_STATUS
  if [ "$2" -ne "$3" ]; then echo "FAIL: $1: exit status $2, want $3"; bad=1; fi
}
for p in emu core sg fdc sb16; do fake "$p" "exit 0"; done

set +e
"$tool" bench --dir "$work/bench" >"$work/out.txt" 2>"$work/err.txt"; rc=$?
set -e
expect "all succeed" "$rc" 0
grep -q '^5 figures, 0 goal(s) missed$' "$work/out.txt" || { echo "FAIL: no summary line"; bad=1; }

for how in "exit 3" "kill -SEGV \$\$"; do
  fake core "echo 'bench_core: sysdma_channel_free: E_NOT_OWNER' >&2; $how"
  for json in "" --json; do
    set +e
    "$tool" bench --dir "$work/bench" $json >"$work/out.txt" 2>"$work/err.txt"; rc=$?
    set -e
    expect "bench_core: $how $json" "$rc" 1
    grep -q 'figures,' "$work/out.txt" && { echo "FAIL: $how $json: summary line printed"; bad=1; }
    grep -q 'bench_core: sysdma_channel_free: E_NOT_OWNER' "$work/err.txt" ||
      { echo "FAIL: $how $json: the program's message was not passed on"; bad=1; }
    grep -q 'sysdma bench: .*bench_core' "$work/err.txt" ||
      { echo "FAIL: $how $json: the failed program is not named"; bad=1; }
    # the others still ran
    grep -q 'sb16.figure' "$work/out.txt" || { echo "FAIL: $how $json: stopped early"; bad=1; }
  done
done
if [ "$bad" -ne 0 ]; then
  echo "--- stdout"; cat "$work/out.txt"; echo "--- stderr"; cat "$work/err.txt"; exit 1
fi
echo "bench-fail: ok"
