#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The project's docs stand alone: every relative link in its Markdown files
# and every docs file named in its sources resolves inside the tree, and
# nothing cites documents kept outside it (a spec's sections, a design or
# style file, a shared folder, "the seed", "the issue").
# usage: doc-refs.sh SOURCE_DIR
set -uo pipefail
src=$1
cd "$src" || exit 1
bad=0
mapfile -t files < <(git ls-files 2>/dev/null ||
  find . -type f -not -path './build*' -not -path './.git/*' | sed 's|^\./||')
mapfile -t md < <(printf '%s\n' "${files[@]}" | grep -E '\.md$')
mapfile -t checked < <(printf '%s\n' "${files[@]}" | grep -vE '^(CHANGELOG\.md|tests/tool/doc-refs\.sh)$')
# Relative Markdown links: [text](path) or [text](path#anchor), not URLs.
for f in "${md[@]}"; do
  dir=$(dirname "$f")
  while IFS= read -r target; do
    path=${target%%#*}
    [ -z "$path" ] && continue
    [ -e "$dir/$path" ] || { echo "$f: link to $target does not resolve"; bad=1; }
  done < <(grep -oE '\]\([^)]+\)' "$f" | sed -E 's/^\]\((.*)\)$/\1/' | grep -vE '^[a-z]+:')
done
# A docs file named anywhere in sources, scripts or docs.
while IFS=: read -r f ref; do
  [ -e "$ref" ] || { echo "$f: names $ref, which is not in the tree"; bad=1; }
done < <(grep -IoE 'docs/[A-Za-z0-9_-]+\.md' "${files[@]}" 2>/dev/null | sort -u)
# Documents that are not part of the tree.
if grep -InE 'SPEC §|SPEC\.md|DESIGN\.md|STYLE\.md|\.\./shared|/work/|the seed'"'"'s|the issue\b|its issue\b' \
  "${checked[@]}" 2>/dev/null; then
  echo "references to documents outside the tree (above)"
  bad=1
fi
[ "$bad" = 0 ] && echo "doc-refs: every reference resolves inside the tree"
exit "$bad"
