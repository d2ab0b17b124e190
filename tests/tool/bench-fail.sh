#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `sysdma bench` fails when a benchmark program fails: non-zero exit, the
# program named on stderr, no summary line; and succeeds (with the summary)
# when every program does. The programs are stand-ins in a directory given
# with --dir, each printing one JSON line and then exiting as told.
# Without --dir it finds them beside the tool: in bench/ next to it (a build
# tree) or in ../libexec/sysdma/ from its directory (installed), from a copy
# of the tool anywhere; a missing program fails the run and is named.
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
for p in emu core sg fdc sb16 pl080; do fake "$p" "exit 0"; done

set +e
"$tool" bench --dir "$work/bench" >"$work/out.txt" 2>"$work/err.txt"; rc=$?
set -e
expect "all succeed" "$rc" 0
grep -q '^6 figures, 0 goal(s) missed$' "$work/out.txt" || { echo "FAIL: no summary line"; bad=1; }

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
# Where the programs are found: a copy of the tool in a build-tree layout and
# in an installed layout (bin/ + libexec/sysdma/), run by path and from PATH.
for p in emu core sg fdc sb16 pl080; do fake "$p" "exit 0"; done
mkdir -p "$work/tree/bench" "$work/inst/bin" "$work/inst/libexec/sysdma" "$work/none"
cp "$tool" "$work/tree/sysdma"
cp "$tool" "$work/inst/bin/sysdma"
cp "$tool" "$work/none/sysdma"
cp "$work"/bench/bench_* "$work/tree/bench/"
cp "$work"/bench/bench_* "$work/inst/libexec/sysdma/"
for how in "$work/tree/sysdma" "$work/inst/bin/sysdma" "PATH"; do
  set +e
  if [ "$how" = PATH ]; then
    (cd / && PATH="$work/inst/bin:$PATH" sysdma bench >"$work/out.txt" 2>"$work/err.txt"); rc=$?
  else
    (cd / && "$how" bench >"$work/out.txt" 2>"$work/err.txt"); rc=$?
  fi
  set -e
  expect "found from $how" "$rc" 0
  grep -q '^6 figures, 0 goal(s) missed$' "$work/out.txt" || { echo "FAIL: $how: no summary line"; bad=1; }
done
# No programs beside it: exit 1, saying where it looked.
set +e
"$work/none/sysdma" bench >"$work/out.txt" 2>"$work/err.txt"; rc=$?
set -e
expect "no programs" "$rc" 1
grep -q "no benchmark programs in $work/none/bench/ or $work/none/../libexec/sysdma/" "$work/err.txt" ||
  { echo "FAIL: no programs: $(cat "$work/err.txt")"; bad=1; }
# One missing: exit 1, named, the others still run.
rm "$work/inst/libexec/sysdma/bench_sg"
set +e
"$work/inst/bin/sysdma" bench >"$work/out.txt" 2>"$work/err.txt"; rc=$?
set -e
expect "bench_sg missing" "$rc" 1
grep -q "sysdma bench: $work/inst/bin/../libexec/sysdma/bench_sg is missing" "$work/err.txt" ||
  { echo "FAIL: bench_sg missing: $(cat "$work/err.txt")"; bad=1; }
grep -q 'sb16.figure' "$work/out.txt" || { echo "FAIL: bench_sg missing: stopped early"; bad=1; }
grep -q 'figures,' "$work/out.txt" && { echo "FAIL: bench_sg missing: summary line printed"; bad=1; }

if [ "$bad" -ne 0 ]; then
  echo "--- stdout"; cat "$work/out.txt"; echo "--- stderr"; cat "$work/err.txt"; exit 1
fi
echo "bench-fail: ok"
