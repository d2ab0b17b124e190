#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install sysdma into a temporary prefix, check what is there, then build the
# program outside.c against it four ways — pkg-config (a plain cc command) and
# find_package (the small project in this folder), each against the shared and
# the static libraries — and run each: a packet transfer on the simulated PC
# with the test device, every byte checked. The prefix is installed in one
# place and moved before anything is built, so nothing may depend on where it
# was installed.
# Usage: run.sh SOURCE_DIR BUILD_DIR WORK_DIR CC LIBDIR VERSION BENCH(ON|OFF) PKG_CONFIG CMAKE
#               [FLAGS...]   (FLAGS: compile and link flags the build's libraries need,
#                             e.g. the sanitizers they were built with)
set -euo pipefail
src=$1 build=$2 work=$3 cc=$4 libdir=$5 version=$6 bench=$7 pkg_config=$8 cmake=$9
shift 9
flags=("$@")
fail() { echo "install test: $*" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
"$cmake" --install "$build" --prefix "$work/staging" >"$work/install.log" ||
  fail "cmake --install failed (see $work/install.log)"
mv "$work/staging" "$work/prefix"
prefix=$work/prefix
lib=$prefix/$libdir
IFS=. read -r major minor _ <<<"$version"
soversion=$major.$minor
[ "$major" -eq 0 ] || soversion=$major

# What the prefix holds.
for f in include/sysdma/sysdma.h include/sysdma/sim.h include/sysdma/emu.h include/sysdma/wdm.h \
         include/sysdma-wdk/wdm.h include/sysdma-wdk/ntddk.h include/sysdma-wdk/csq.h \
         include/sysdma/version.h bin/sysdma share/doc/sysdma/LICENSE share/doc/sysdma/README.md \
         share/doc/sysdma/CHANGELOG.md share/doc/sysdma/docs/user-guide.md \
         "$libdir/cmake/sysdma/sysdmaConfig.cmake" \
         "$libdir/cmake/sysdma/sysdmaConfigVersion.cmake"; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
for l in sysdma sysdma-emu sysdma-sim sysdma-wdk; do
  [ -f "$lib/lib$l.a" ] || fail "not installed: lib$l.a"
  [ -f "$lib/lib$l.so.$version" ] || fail "not installed: lib$l.so.$version"
  [ "$(readlink "$lib/lib$l.so")" = "lib$l.so.$soversion" ] || fail "lib$l.so is not a link to lib$l.so.$soversion"
  soname=$(readelf -d "$lib/lib$l.so.$version" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
  [ "$soname" = "lib$l.so.$soversion" ] || fail "lib$l.so: SONAME '$soname', want lib$l.so.$soversion"
  if nm -D --defined-only "$lib/lib$l.so.$version" | grep -q ' sysdma__'; then
    fail "lib$l.so exports internal (sysdma__) symbols"
  fi
  missing=$(comm -23 \
    <(nm -g --defined-only "$lib/lib$l.a" | awk 'NF == 3 && $3 ~ /^sysdma_[^_]/ {print $3}' | sort -u) \
    <(nm -D --defined-only "$lib/lib$l.so.$version" | awk 'NF == 3 {print $3}' | sort -u))
  [ -z "$missing" ] || fail "lib$l.so does not export what lib$l.a defines: $missing"
  grep -qx "License: MIT" "$lib/pkgconfig/$l.pc" || fail "$l.pc does not name the MIT licence"
done
if [ "$bench" = ON ]; then
  ls "$prefix"/libexec/sysdma/bench_* >/dev/null 2>&1 || fail "no benchmark programs in libexec/sysdma"
fi
[ "$("$prefix/bin/sysdma" --version | grep -o '[0-9][0-9.]*' | head -n 1)" = "$version" ] ||
  fail "installed sysdma --version is not $version"

# pkg-config: versions, requirements, link order.
export PKG_CONFIG_PATH=$lib/pkgconfig
pc() { "$pkg_config" "$@"; }
for l in sysdma sysdma-emu sysdma-sim sysdma-wdk; do
  [ "$(pc --modversion "$l")" = "$version" ] || fail "$l.pc: version $(pc --modversion "$l"), want $version"
done
[ "$(pc --print-requires sysdma-sim | tr -d ' ')" = "sysdma-emu=$version" ] ||
  fail "sysdma-sim.pc must require sysdma-emu = $version"
libs=$(pc --static --libs-only-l sysdma-sim sysdma | xargs)
[ "$libs" = "-lsysdma-sim -lsysdma-emu -lsysdma" ] || fail "static link order: '$libs'"

run() {
  local exe=$1 out
  out=$("$exe" "$version") || fail "$(basename "$exe") failed: $out"
  grep -q ': ok$' <<<"$out" || fail "$(basename "$exe"): $out"
  echo "$(basename "$exe"): $out"
}
needs_sysdma() { readelf -d "$1" | grep -q "NEEDED.*\[libsysdma.so.$soversion\]"; }

# pkg-config, shared (the linker prefers lib*.so).
# shellcheck disable=SC2046
"$cc" "${flags[@]}" -std=c11 -Wall -Wextra -Werror "$src/tests/install/outside.c" -o "$work/pc-shared" \
  $(pc --cflags --libs sysdma-sim sysdma) -Wl,-rpath,"$lib" || fail "pkg-config shared build failed"
needs_sysdma "$work/pc-shared" || fail "pc-shared is not linked to libsysdma.so.$soversion"
run "$work/pc-shared"

# pkg-config, static: the libraries between -Bstatic and -Bdynamic, the rest as usual.
# shellcheck disable=SC2046
"$cc" "${flags[@]}" -std=c11 -Wall -Wextra -Werror "$src/tests/install/outside.c" -o "$work/pc-static" \
  $(pc --cflags sysdma-sim sysdma) -Wl,-Bstatic $(pc --static --libs-only-L --libs-only-l sysdma-sim sysdma) \
  -Wl,-Bdynamic $(pc --static --libs-only-other sysdma-sim sysdma) || fail "pkg-config static build failed"
needs_sysdma "$work/pc-static" && fail "pc-static needs libsysdma.so"
run "$work/pc-static"

# The WDK shim through pkg-config: a driver's own <wdm.h>, shared libraries.
# shellcheck disable=SC2046
"$cc" "${flags[@]}" -std=c11 -Wall -Wextra -Werror "$src/tests/install/outside_wdk.c" \
  -o "$work/pc-wdk" $(pc --cflags --libs sysdma-wdk) -Wl,-rpath,"$lib" ||
  fail "pkg-config sysdma-wdk build failed"
run "$work/pc-wdk"

# find_package, shared (the default) and static (sysdma_USE_STATIC_LIBS).
next_minor="$major.$((minor + 1))"
for kind in shared static; do
  static=OFF
  [ "$kind" = static ] && static=ON
  "$cmake" -S "$src/tests/install" -B "$work/fp-$kind" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="${flags[*]}" -DCMAKE_EXE_LINKER_FLAGS="${flags[*]}" \
    -Dsysdma_USE_STATIC_LIBS=$static -DSYSDMA_WANT="$major.$minor" -DSYSDMA_REFUSED="$next_minor" \
    >"$work/fp-$kind.log" 2>&1 || { cat "$work/fp-$kind.log"; fail "find_package project ($kind) did not configure"; }
  "$cmake" --build "$work/fp-$kind" >>"$work/fp-$kind.log" 2>&1 ||
    { cat "$work/fp-$kind.log"; fail "find_package project ($kind) did not build"; }
  cp "$work/fp-$kind/outside" "$work/fp-$kind-outside"
  if [ "$kind" = shared ]; then
    needs_sysdma "$work/fp-$kind-outside" || fail "fp-shared is not linked to libsysdma.so.$soversion"
  else
    needs_sysdma "$work/fp-$kind-outside" && fail "fp-static needs libsysdma.so"
  fi
  run "$work/fp-$kind-outside"
  cp "$work/fp-$kind/outside_wdk" "$work/fp-$kind-outside_wdk"
  run "$work/fp-$kind-outside_wdk"
done
echo "install test: headers, libraries, pkg-config files, CMake package, tool and docs installed;"
echo "              7 outside programs built and run (3 of them WDK drivers)"
