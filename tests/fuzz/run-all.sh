#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build every libFuzzer target with clang + ASan/UBSan and run each for
# SECONDS (default 60). Exits non-zero on any finding.
# usage: tests/fuzz/run-all.sh [SECONDS] [BUILD_DIR]
# SYSDMA_FUZZ_FLAGS adds libFuzzer flags to every run, e.g.
# "-fork=1 -ignore_crashes=1" to keep going past a known finding (each
# crash is still written to BUILD_DIR as crash-*, and the run still fails).
# SYSDMA_FUZZ_TRACE=1 makes fuzz_core_api/fuzz_verifier print every step of
# an input they are given (to decode a crash: run the target on the file).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
build=${2:-$top/build-fuzz}
CC=clang cmake -S "$top" -B "$build" -DSYSDMA_FUZZ=ON -DSYSDMA_SANITIZE=ON \
  -DSYSDMA_TESTS=OFF -DSYSDMA_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
status=0
for t in "$build"/tests/fuzz/fuzz_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  corpus="$build/corpus/$name"
  mkdir -p "$corpus"
  seeds="$top/tests/fuzz/corpus/$name"
  dirs=("$corpus")
  [ -d "$seeds" ] && dirs+=("$seeds")
  t_secs=$secs
  # The verifier's fuzzer gets at least a minute.
  if [ "$name" = fuzz_verifier ] && [ "$t_secs" -lt 60 ]; then t_secs=60; fi
  echo "fuzz: $name for ${t_secs}s"
  # shellcheck disable=SC2086 # the flags are meant to split
  if ! (cd "$build" && "$t" -max_total_time="$t_secs" -max_len=4096 -timeout=10 \
          -print_final_stats=1 ${SYSDMA_FUZZ_FLAGS:-} "${dirs[@]}" 2>"$build/$name.log"); then
    echo "fuzz: $name FOUND A PROBLEM"; tail -n 60 "$build/$name.log"; status=1
  else
    grep -E 'stat::number_of_executed_units|cov:' "$build/$name.log" | tail -n 2
  fi
done
exit $status
