#!/usr/bin/env bash
# The smoke test of a chapter's demo: starts a private stand-in (HTTP and
# HTTPS, free ports), runs the demo against each, and checks that it exits 0,
# prints what it should, and never prints the token.
# Usage: demo-test.sh [--python] [--services DIR] FAKE_GITHUB EXPECT_REGEX DEMO
# With --python, DEMO is the chapter's Python program, run by the first
# Python 3 that has the module it needs; without one, the test is skipped
# (exit 77, the SKIP_RETURN_CODE of the chapterNN.python tests).
# With --services, the demo also gets the addresses of the private servers
# the `services` fixture started (DIR/services.env: REDIS_URL ...).
set -uo pipefail
# The project's own helper scripts, from the top of the workbook (two levels up).
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
scripts=$root/shared/scripts
# shellcheck source=shared/scripts/stand-in.sh
source "$scripts/stand-in.sh"
python=''
if [ "${1:-}" = --python ]; then python=1; shift; fi
if [ "${1:-}" = --services ]; then
  [ -f "$2/services.env" ] || { echo "FAILED: no $2/services.env: the services fixture did not start the servers"; exit 1; }
  set -a
  # shellcheck disable=SC1091
  source "$2/services.env"
  set +a
  shift 2
fi
fake_github=$1 expect=$2 demo=$3
run=("$demo")
if [ -n "$python" ]; then
  # shellcheck source=shared/scripts/find-python.sh
  source "$scripts/find-python.sh"
  read -r module package < <(python_needs "$demo")
  if ! py=$(python_with "$module"); then
    echo "SKIPPED: $(basename "$demo") needs Python 3 with $module (Debian package $package): ./workbook setup, or sudo apt-get install $package"
    exit 77
  fi
  run=("$py" "$demo")
  # The C++ demos know their build's CA; the Python program is told, as a
  # user would tell it for a CA of their own.
  export WORKBOOK_CA_FILE
  WORKBOOK_CA_FILE="$(cd "$(dirname "$fake_github")/.." && pwd)/certs/ca.pem"
fi
dir=$(mktemp -d)
trap 'stand_in_stop; rm -rf "$dir"' EXIT
stand_in_start "$fake_github" "$dir" --latency 20 || exit 1

status=0
# 15 s a run (times the sanitizers' slowdown): the longest demo, chapter
# 15's, ends both its runs in 8 s.
deadline=$((15 * ${WORKBOOK_TEST_SLOWDOWN:-1}))
for api in "http://127.0.0.1:$HTTP_PORT" "https://localhost:$HTTPS_PORT"; do
  echo "== $(basename "$demo") against $api"
  # A token in the environment must never show up in what the demo prints.
  token="demo-token-$RANDOM$RANDOM"
  # A deadline of its own, far inside ctest's: a demo that waits for ever
  # (an attendee's blocking call on the loop's thread) is stopped and named,
  # rather than ended by ctest's bare timeout.
  WORKBOOK_GITHUB_API=$api GITHUB_TOKEN=$token "${run[@]}" >"$dir/output" 2>&1 </dev/null &
  pid=$! waited=0 hung=''
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge $((deadline * 10)) ]; then
      kill -KILL "$pid" 2>/dev/null; hung=1; break
    fi
    sleep 0.1; waited=$((waited + 1))
  done
  wait "$pid"
  code=$?
  output=$(cat "$dir/output")
  echo "$output"
  if [ -n "$hung" ]; then
    echo "FAILED: the demo had not finished after $deadline s: something in it waits for ever (a blocking call on the event loop's thread? a slot or a lock never given back?); the chapter's tests name the likelier mistake"
    # Over HTTPS it would wait as long again, for the same reason.
    [ "${api%%:*}" = http ] && echo "(not run again over HTTPS: it would hang the same way)"
    status=1
    break
  elif [ $code -ne 0 ]; then
    echo "FAILED: the demo exited with $code"; status=1
  elif ! grep -Eq "$expect" <<<"$output"; then
    echo "FAILED: the output has no line matching: $expect"; status=1
  elif grep -qF "$token" <<<"$output"; then
    echo "FAILED: the demo printed the token"; status=1
  fi
done
exit $status
