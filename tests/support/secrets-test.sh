#!/usr/bin/env bash
# The token never leaks: every chapter that talks to the GitHub API runs
# against a stand-in that requires a random token (--token), over HTTP and
# HTTPS with the right token and over HTTP with a wrong one, and the token
# (the whole of it, or its last 12 characters) must show up nowhere but in
# the Authorization header:
#   - not in what the program prints (stdout and stderr);
#   - not in any request path the stand-in logged (GET /_stats), nor in the
#     stand-in's own output (run with --verbose: every problem it saw);
#   - over HTTP the requests pass through kill_proxy.py --record, and every
#     line of them that holds the token is an Authorization header.
# And the token must arrive: with the right one, the stand-in answered
# every request 200 (it answers 401 to a request without it); with the
# wrong one, 401s, and the program says so and names GITHUB_TOKEN.
#
#   secrets-test.sh BUILD_DIR
#
# The programs: chapters 01 02 03 04 07 08 and 12 (memcached in front of
# the API: a private memcached is started for it), the C++ demos of
# BUILD_DIR and the chapters' Python programs where a Python 3 has their
# module (otherwise said and skipped). Chapter 15 starts a stand-in of its
# own in the process and never reads WORKBOOK_GITHUB_API: it runs once with
# the token in its environment, and only its output is checked. Chapter 16
# does not use the API.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
scripts=$root/shared/scripts
# shellcheck source=shared/scripts/stand-in.sh
source "$scripts/stand-in.sh"
# shellcheck source=shared/scripts/ports.sh
source "$scripts/ports.sh"
# shellcheck source=shared/scripts/find-python.sh
source "$scripts/find-python.sh"

[ $# -eq 1 ] || { echo "usage: secrets-test.sh BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" 2>/dev/null && pwd) || { echo "secrets-test: no build folder $1" >&2; exit 2; }
command -v python3 >/dev/null || { echo "FAILED: python3 is needed (tests/support/kill_proxy.py records the requests)"; exit 1; }
command -v curl >/dev/null || { echo "FAILED: curl is needed (it reads the stand-in's /_stats)"; exit 1; }

# Random and distinctive: 30 hex digits after "wb", found nowhere by chance.
random_token() { printf 'wb%s\n' "$(od -An -N15 -tx1 /dev/urandom | tr -d ' \n')"; }
token=$(random_token)
wrong=$(random_token)
needles=("$token" "${token: -12}" "$wrong" "${wrong: -12}")
# What each needle is, for the messages (which never show a token).
labels=("the token" "its last 12 characters" "the wrong token" "the wrong token's last 12 characters")

dir=$(mktemp -d "${TMPDIR:-/tmp}/secrets-test.XXXXXX")
proxy=''
# shellcheck disable=SC2317  # (run by the trap)
cleanup() {
  [ -n "$proxy" ] && { kill "$proxy" 2>/dev/null; wait "$proxy" 2>/dev/null; }
  stand_in_stop
  bash "$scripts/services.sh" stop "$dir/services" >/dev/null 2>&1
  rm -rf "$dir"
}
trap cleanup EXIT

failed=0
fail() {
  echo "FAILED: $*"
  failed=1
}

# leaks FILE: which of the needles FILE holds (empty: none).
leaks() {
  local i found=''
  for i in "${!needles[@]}"; do
    grep -qF -- "${needles[$i]}" "$1" && found+="${found:+, }${labels[$i]}"
  done
  printf '%s' "$found"
}

stand_in_start "$build/shared/fake-github" "$dir/stand-in" --latency 5 --token "$token" --verbose || exit 1
stats_url=http://127.0.0.1:$HTTP_PORT/_stats
python3 "$root/tests/support/kill_proxy.py" --target "127.0.0.1:$HTTP_PORT" --port-file "$dir/proxy.port" \
  --record "$dir/requests.raw" --max-seconds 900 >"$dir/proxy.log" 2>&1 &
proxy=$!
wait_until 10 test -s "$dir/proxy.port" || { echo "FAILED: kill_proxy.py did not start: $(cat "$dir/proxy.log")"; exit 1; }
proxy_port=$(cat "$dir/proxy.port")
bash "$scripts/services.sh" start "$dir/services" memcached >"$dir/services.log" 2>&1 ||
  { echo "FAILED: no memcached for chapter 12: $(tail -3 "$dir/services.log")"; exit 1; }
memcached=$(sed -n 's/^MEMCACHED_ADDR=//p' "$dir/services/services.env")

# The programs, as "NAME COMMAND...": the C++ demos, then the Python ones
# whose module some Python 3 has.
programs=()
for nn in 01 02 03 04 07 08 12; do
  if [ -x "$build/chapter$nn" ]; then
    programs+=("chapter$nn|$build/chapter$nn")
  else
    fail "chapter$nn is not built in $build"
  fi
done
for program in "$root"/chapters/{01,02,03,04,07,08,12}_*/*.py; do
  read -r module package < <(python_needs "$program")
  if py=$(python_with "$module"); then
    programs+=("$(basename "$program")|$py $program")
  else
    echo "skipped: $(basename "$program") needs Python 3 with $module (Debian package $package)"
  fi
done

run=0
# check_run NAME SCHEME WHICH COMMAND...: one run of a program, judged.
check_run() {
  local name=$1 scheme=$2 which=$3; shift 3
  local api key=$token what="$name $scheme, $which token"
  [ "$which" = wrong ] && key=$wrong
  case "$scheme" in
    http) api=http://127.0.0.1:$proxy_port ;;
    https) api=https://localhost:$HTTPS_PORT ;;
  esac
  run=$((run + 1))
  local out=$dir/out.$run stats=$dir/stats.$run
  curl -s -X POST "$stats_url/reset" >/dev/null || fail "$what: POST /_stats/reset failed"
  : >"$dir/requests.raw"
  # Only what this run needs in the environment: the user's own API, token
  # or servers never reach it.
  env -u WORKBOOK_GITHUB_API -u GITHUB_TOKEN -u MEMCACHED_ADDR -u WORKBOOK_STEP \
    WORKBOOK_GITHUB_API="$api" GITHUB_TOKEN="$key" MEMCACHED_ADDR="$memcached" \
    WORKBOOK_CA_FILE="$build/certs/ca.pem" timeout -k 5 120 "$@" >"$out" 2>&1
  local code=$?
  curl -s "$stats_url" >"$stats" || fail "$what: GET /_stats failed"
  local ok=1 found
  found=$(leaks "$out")
  [ -z "$found" ] || { fail "$what: the program printed the token ($found)"; ok=''; }
  # The paths the stand-in saw (the query is not logged: a token there is
  # caught by the recording below, and the stand-in refuses ?access_token=).
  grep -o '"path":"[^"]*"' "$stats" >"$stats.paths"
  found=$(leaks "$stats.paths")
  [ -z "$found" ] || { fail "$what: a request path holds the token ($found)"; ok=''; }
  local answered refused counted
  answered=$(grep -o '"status":200' "$stats" | wc -l)
  refused=$(grep -o '"status":401' "$stats" | wc -l)
  # Chapter 12 reads the stand-in's count itself, and resets it, after each
  # step ("20 request(s) to the API"): what /_stats still has then is the
  # last step's, and the program's own lines say what came before.
  counted=$(grep -o '[0-9]* request(s) to the API' "$out" | awk '{ n += $1 } END { print n + 0 }')
  [ "$counted" -gt "$answered" ] && answered=$counted
  if [ "$which" = right ]; then
    if [ "$code" != 0 ] || [ "$answered" -lt 20 ] || [ "$refused" != 0 ]; then
      fail "$what: exit $code, the stand-in answered $answered request(s) 200 and $refused 401: the token did not arrive in the Authorization header"
      ok=''
    fi
  else
    if [ "$code" = 0 ] || [ "$refused" -lt 1 ]; then
      fail "$what: exit $code, $refused request(s) answered 401: a wrong token must fail, and say so"
      ok=''
    elif ! grep -q '401' "$out" || ! grep -q 'GITHUB_TOKEN' "$out"; then
      fail "$what: no error says 401 and names GITHUB_TOKEN"
      ok=''
    fi
  fi
  if [ "$scheme" = http ]; then
    # Every line of the requests that holds a token (any of the needles) is
    # that run's Authorization header, whole; and there is one per request.
    local leaked headers
    leaked=$(tr -d '\r' <"$dir/requests.raw" | grep -aF -e "${needles[0]}" -e "${needles[1]}" -e "${needles[2]}" -e "${needles[3]}" |
      grep -avxE "Authorization: (token|Bearer) $key" | head -3)
    # (The lines shown with every token in them replaced.)
    leaked=${leaked//$token/<the token>}
    leaked=${leaked//$wrong/<the wrong token>}
    [ -z "$leaked" ] || { fail "$what: the token went out elsewhere than the Authorization header: $leaked"; ok=''; }
    # One header per request, whatever the stand-in's log kept (chapter 12
    # also asks the same origin for /_stats, token and all).
    local requests
    headers=$(tr -d '\r' <"$dir/requests.raw" | grep -acxE "Authorization: (token|Bearer) $key")
    requests=$(tr -d '\r' <"$dir/requests.raw" | grep -acE '^(GET|POST|HEAD|PUT|DELETE|PATCH) /[^ ]* HTTP/1\.[01]$')
    # (With a wrong token some programs stop at the first 401, as
    # asyncio.gather and chapter 12's task_group do: one request is enough.)
    local least=20
    [ "$which" = wrong ] && least=1
    if [ "$headers" != "$requests" ] || [ "$requests" -lt "$least" ]; then
      fail "$what: $headers Authorization header(s) for $requests request(s)"
      ok=''
    fi
  fi
  if [ -n "$ok" ]; then
    echo "ok: $what: exit $code, $answered answered 200 and $refused 401, the token in no output, path or other header"
  else
    # The output, with every token in it masked (the tokens are hex: no
    # character in them means anything to sed).
    sed -e "s/$token/<the token>/g; s/${token: -12}/<its last 12>/g" \
      -e "s/$wrong/<the wrong token>/g; s/${wrong: -12}/<its last 12>/g; s/^/  | /" "$out" | head -40
  fi
}

for entry in "${programs[@]}"; do
  name=${entry%%|*}
  read -ra command <<<"${entry#*|}"
  check_run "$name" http right "${command[@]}"
  check_run "$name" https right "${command[@]}"
  check_run "$name" http wrong "${command[@]}"
done

# Chapter 15: its own stand-in, the token only in its environment.
if [ -x "$build/chapter15" ]; then
  GITHUB_TOKEN=$token timeout -k 5 120 "$build/chapter15" >"$dir/out.15" 2>&1
  code=$?
  found=$(leaks "$dir/out.15")
  if [ -n "$found" ]; then
    fail "chapter15: printed the token ($found)"
  else
    echo "ok: chapter15 (its own stand-in; GITHUB_TOKEN set): exit $code, the token in no output"
  fi
else
  fail "chapter15 is not built in $build"
fi

# The stand-in's own output (every problem it saw, --verbose), and the
# proxy's.
stand_in_stop
found=$(leaks "$dir/stand-in/stand-in.log")
[ -z "$found" ] || fail "the stand-in's output holds the token ($found): $(head -3 "$dir/stand-in/stand-in.log")"
found=$(leaks "$dir/proxy.log")
[ -z "$found" ] || fail "kill_proxy.py's output holds the token ($found)"

if [ "$failed" = 0 ]; then
  echo "PASSED: $run runs of ${#programs[@]} programs (and chapter 15): the token travelled only in the Authorization header"
fi
exit $failed
