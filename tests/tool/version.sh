#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One version: include/sysdma/version.h, the newest release in CHANGELOG.md and
# `sysdma --version` name the same one.
# Usage: version.sh SOURCE_DIR SYSDMA_TOOL
set -euo pipefail
src=$1 tool=$2
header=$(sed -nE 's/^#define SYSDMA_VERSION_STRING "([0-9.]+)"$/\1/p' "$src/include/sysdma/version.h")
parts=$(sed -nE 's/^#define SYSDMA_VERSION_(MAJOR|MINOR|PATCH) ([0-9]+)$/\2/p' "$src/include/sysdma/version.h" | paste -sd.)
changelog=$(sed -nE 's/^## \[([0-9]+\.[0-9]+\.[0-9]+)\].*/\1/p' "$src/CHANGELOG.md" | head -n 1)
printed=$("$tool" --version)
echo "version.h: $header ($parts), CHANGELOG.md: $changelog, tool: $printed"
[ -n "$header" ] || { echo "no SYSDMA_VERSION_STRING"; exit 1; }
[ "$parts" = "$header" ] || { echo "MAJOR.MINOR.PATCH $parts differ from the string $header"; exit 1; }
[ "$changelog" = "$header" ] || { echo "CHANGELOG.md's newest release is $changelog"; exit 1; }
[ "$printed" = "sysdma $header" ] || { echo "sysdma --version printed '$printed'"; exit 1; }
