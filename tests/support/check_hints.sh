#!/usr/bin/env bash
# Every TODO(NN.n) of chapters/NN_*/exercise.cpp has its own "## NN.n title"
# section in that chapter's hints.md, with 2 or 3 levels ("### 1" ...), and
# no section is left over from a TODO that is gone. `./workbook hint NN.n`
# reads the same headings, so a file that passes here is one it can show.
# Usage: check_hints.sh [WORKBOOK_ROOT]
set -euo pipefail
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
problems=0
fail() { printf 'FAILED: %s\n' "$*"; problems=$((problems + 1)); }

checked=0
for exercise in "$root"/chapters/[0-9][0-9]_*/exercise.cpp; do
  [ -f "$exercise" ] || continue
  dir=$(dirname "$exercise")
  chapter=$(basename "$dir")
  hints=chapters/$chapter/hints.md
  todos=$(grep -oE 'TODO\([0-9]{2}\.[0-9]+\)' "$exercise" | tr -d 'TOD()' | sort -uV || true)
  [ -n "$todos" ] || continue
  if [ ! -f "$root/$hints" ]; then
    fail "$hints is missing; chapters/$chapter/exercise.cpp has TODOs $(tr "\n" " " <<<"$todos")"
    continue
  fi
  # One line per section: "NN.n LEVELS IN_ORDER HEADING", where IN_ORDER
  # says the levels are numbered 1, 2, 3 from the top.
  sections=$(awk '
    function flush() { if (id != "") print id, levels, ordered, heading }
    /^## / { flush(); id = $2; heading = $0; levels = 0; ordered = "yes"; next }
    /^### / && id != "" { levels++; if ($2 != levels) ordered = "no" }
    END { flush() }' "$root/$hints")
  for id in $todos; do
    line=$(awk -v id="$id" '$1 == id' <<<"$sections")
    if [ -z "$line" ]; then
      fail "$hints has no \"## $id\" section for TODO($id) of chapters/$chapter/exercise.cpp"
      continue
    fi
    [ "$(wc -l <<<"$line")" -eq 1 ] || { fail "$hints has more than one \"## $id\" section"; continue; }
    read -r _ levels ordered _ <<<"$line"
    if [ "$levels" -lt 2 ] || [ "$levels" -gt 3 ]; then
      fail "$hints: \"## $id\" has $levels level(s) (### 1 ...); it needs 2 or 3"
    elif [ "$ordered" != yes ]; then
      fail "$hints: the levels of \"## $id\" are not numbered ### 1, ### 2, ### 3 in order"
    fi
    checked=$((checked + 1))
  done
  while read -r id _ _ heading; do
    [ -n "$id" ] || continue
    if [[ ! $id =~ ^[0-9]{2}\.[0-9]+$ ]]; then
      fail "$hints: \"$heading\" is not a \"## NN.n title\" heading"
    elif ! grep -qxF "$id" <<<"$todos"; then
      fail "$hints has a \"## $id\" section, but chapters/$chapter/exercise.cpp has no TODO($id)"
    fi
  done <<<"$sections"
done

if [ "$problems" -gt 0 ]; then
  echo "$problems problem(s) in the hints. The format: \"## NN.n title\" per TODO, then \"### 1\", \"### 2\" (and \"### 3\")."
  exit 1
fi
echo "every TODO has its hints: $checked TODO(s), each with 2 or 3 levels"
