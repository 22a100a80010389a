#!/usr/bin/env bash
# shared.tsan-summary: the summary `./workbook check NN --tsan` prints from
# ThreadSanitizer's reports names both accesses at the attendee's own file
# and line, says which held a lock, and shows a race seen twice once.
set -euo pipefail
root=$1
out=$(awk -f "$root/runner/tsan-in-your-code.awk" "$root/tests/data/tsan-race-chapter02.txt")
printf '%s\n' "$out"
expect() {
  grep -qF -- "$1" <<<"$out" || { echo "FAILED: the summary lacks: $1" >&2; exit 1; }
}
expect "write  chapters/02_threads/exercise.cpp:12  in chapter02::JobQueue::push(chapter02::Job)"
expect "read   chapters/02_threads/exercise.cpp:30  in chapter02::JobQueue::pop()"
expect "holding no lock"
expect "holding a lock"
[ "$(grep -c 'A data race' <<<"$out")" = 1 ] || { echo "FAILED: one race, seen twice, must be shown once" >&2; exit 1; }
# No race at all: nothing to show, and a non-zero exit.
if awk -f "$root/runner/tsan-in-your-code.awk" /dev/null; then
  echo "FAILED: a log without a race must exit non-zero" >&2; exit 1
fi
