#!/usr/bin/env bash
# ./workbook solve NN --upto NN.n, for every TODO of every chapter: the file
# it writes keeps exactly the TODOs after NN.n (each as the stub has it),
# holds the reference's text for the others, and names no TODO it does not
# know. (That each file compiles was checked by hand when the script was
# written; the TODOs are what a room would see go wrong.)
# Usage: check_solve_upto.sh [WORKBOOK_ROOT]
set -euo pipefail
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
problems=0 checked=0
fail() { printf 'FAILED: %s\n' "$*"; problems=$((problems + 1)); }
for stub in "$root"/chapters/[0-9][0-9]_*/exercise.cpp; do
  chapter=$(basename "$(dirname "$stub")")
  reference=$root/solutions/$chapter/exercise.cpp
  [ -f "$reference" ] || continue
  mapfile -t todos < <(grep -oE 'TODO\([0-9]{2}\.[0-9]+\)' "$stub" | tr -d 'TOD()' | sort -uV)
  for ((i = 0; i < ${#todos[@]}; i++)); do
    id=${todos[$i]}
    if ! out=$(python3 "$root/runner/solve_upto.py" "$stub" "$reference" "$id" 2>&1); then
      fail "$chapter --upto $id: $out"
      continue
    fi
    left=$( (grep -oE 'TODO\([0-9]{2}\.[0-9]+\)' <<<"$out" || true) | tr -d 'TOD()' | sort -uV | tr '\n' ' ')
    want=''
    for later in "${todos[@]:$((i + 1))}"; do want+="$later "; done
    [ "$left" = "$want" ] || fail "$chapter --upto $id leaves TODOs \"$left\", not \"$want\""
    checked=$((checked + 1))
  done
  python3 "$root/runner/solve_upto.py" "$stub" "$reference" "${chapter:0:2}.99" >/dev/null 2>&1 \
    && fail "$chapter --upto ${chapter:0:2}.99 (no such TODO) did not fail"
done
[ "$problems" -eq 0 ] || exit 1
echo "solve --upto: $checked stopping points, each keeps exactly the TODOs after it"
