#!/usr/bin/env bash
# The fault matrix: every client chapter against every fault a server can
# inject, judged the way the chapter documents its failures.
#
#   fault-matrix.sh BUILD_DIR [--chapters "01 02 ..."] [--faults "401 ..."]
#                   [--table] [--jobs N] [--keep]
#
# Faults (the rows):
#   401 403 404 500 malformed truncated reset hang 301 301-loop
#               the GitHub stand-in's own faults, on one repository of the
#               twenty (nodejs/llhttp), the others answered in 5 ms. 301 is
#               a renamed repository (GitHub's 301 to /repositories/ID):
#               followed, as requests.get and aiohttp do, it is no failure,
#               and the cell passes when all twenty come back (exit 0).
#               301-loop redirects to itself: a failure, "too many redirects"
#   refused     WORKBOOK_GITHUB_API points at a port nobody listens on
#   killed      the stand-in is killed (SIGKILL) with one request in flight:
#               python/cpython answers only after 9 s, and the kill comes
#               once every request that can end before it has ended (the
#               stand-in's /_stats says which; see api_killed)
#   svc-refused the chapter's server (REDIS_URL, MEMCACHED_ADDR,
#               DATABASE_URL) points at a port nobody listens on
#   svc-killed  a private server of the cell's own (shared/scripts/services.sh)
#               is killed (SIGKILL; PostgreSQL with every backend) behind
#               kill_proxy.py once the demo has sent it a fixed number of
#               bytes: the same moment of the demo every run (see kill_at)
# Chapters (the columns): 01 02 03 04 07 08 fetch the twenty repositories;
# 12 puts memcached in front of the same API; 11 (Redis) and 13
# (PostgreSQL) have only the service rows. A cell that does not apply is
# "-", and is not counted.
#
# A cell passes when the demo ends on its own (never by the 60 s hard
# timeout; a refused or killed server must be noticed from the socket, well
# before the clients' 10 s timeouts), with the exit code the chapter
# documents (1: "N of 20 repositories failed"), an error that names the
# repository and says what happened, and every other result kept: printed,
# or for chapter 12 stored in memcached, where the next run finds it.
#
# Without --table: a line per cell, and for a cell that failed the reason
# and the demo's output. With --table: the matrix, then a total. Exit 1 if
# any cell failed, 2 on a bad argument. Cells run side by side, --jobs at a
# time (default 12: they mostly wait; the hang cells wait 10 s each).
# --keep leaves every cell's folder (the demo's out and err, the
# stand-in's and the servers' logs) and says where.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
scripts=$root/shared/scripts
# shellcheck source=shared/scripts/stand-in.sh
source "$scripts/stand-in.sh"
# shellcheck source=shared/scripts/ports.sh
source "$scripts/ports.sh"

usage='usage: fault-matrix.sh BUILD_DIR [--chapters "01 02 ..."] [--faults "401 ..."] [--table] [--jobs N] [--keep]'
all_faults=(401 403 404 500 malformed truncated reset hang 301 301-loop refused killed svc-refused svc-killed)
# Which chapters meet which faults, and where each service chapter's server
# is killed: from the one list of chapters (chapters/chapters.json,
# "fault_matrix"). Printed as three lines: every column, the API ones, the
# service ones; then "NN BYTES" per kill point.
matrix_of_chapters=$(python3 - "$root/chapters/chapters.json" <<'PY'
import json, sys
chapters = [c for c in json.load(open(sys.argv[1]))["chapters"] if "fault_matrix" in c]
kinds = lambda c: c["fault_matrix"]["faults"].split()
print(" ".join(c["number"] for c in chapters))
print(" ".join(c["number"] for c in chapters if "api" in kinds(c)))
print(" ".join(c["number"] for c in chapters if "service" in kinds(c)))
for c in chapters:
    if "kill_at" in c["fault_matrix"]:
        print(c["number"], c["fault_matrix"]["kill_at"])
PY
) || { echo "fault-matrix: cannot read chapters/chapters.json" >&2; exit 2; }
{
  read -r -a all_chapters
  read -r api_line
  read -r service_line
  declare -A kill_at=()
  while read -r nn bytes; do kill_at[$nn]=$bytes; done
} <<<"$matrix_of_chapters"
api_chapters=" $api_line "
service_chapters=" $service_line "
hard_timeout=60
# A refused or killed server is seen at once; this long means the demo
# waited for a timeout instead.
quick=9

[ $# -ge 1 ] || { echo "$usage" >&2; exit 2; }
build=$(cd "$1" 2>/dev/null && pwd) || { echo "fault-matrix: no build folder $1" >&2; exit 2; }
shift
chapters=("${all_chapters[@]}") faults=("${all_faults[@]}") table='' jobs=12 keep=''
while [ $# -gt 0 ]; do
  case "$1" in
    --chapters) read -ra chapters <<<"$2"; shift 2 ;;
    --faults) read -ra faults <<<"$2"; shift 2 ;;
    --table) table=1; shift ;;
    --jobs) jobs=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
for f in "${faults[@]}"; do
  [[ " ${all_faults[*]} " == *" $f "* ]] || { echo "fault-matrix: unknown fault $f (${all_faults[*]})" >&2; exit 2; }
done
for c in "${chapters[@]}"; do
  [[ " ${all_chapters[*]} " == *" $c "* ]] || { echo "fault-matrix: chapter $c has no column (${all_chapters[*]})" >&2; exit 2; }
done

fake_github=$build/shared/fake-github
kill_proxy=$root/tests/support/kill_proxy.py
# workbook::repositories(), read from its source: the list it holds.
mapfile -t repos < <(sed -n '/const std::vector<std::string> repos = {/,/};/p' "$root/shared/github/src/github.cpp" |
  grep -o '"[^"]*"' | tr -d '"')
[ ${#repos[@]} -eq 20 ] || { echo "fault-matrix: could not read the 20 repositories from shared/github/src/github.cpp" >&2; exit 2; }
faulty=nodejs/llhttp  # the repository a fault is put on
slow=python/cpython   # the one in flight when the stand-in is killed (the 10th)

# What an error about each fault must say (extended regex, any case): a word
# that fits, as the chapters word it.
declare -A says=(
  [401]='401|unauthori[sz]ed|token'
  [403]='403|rate limit'
  [404]='404|not found'
  [500]='500|server error'
  [malformed]='malformed|not valid JSON|JSON'
  [truncated]='truncated|ended early|broke off|end of file'
  [reset]='reset|broke off'
  [hang]='timed out|timeout|no answer'
  [301-loop]='redirect'
  [refused]='refused|cannot reach'
  [killed]='broke off|closed|reset|refused|cannot reach'
)
# ... and what it must not say: a server that hung did not close anything.
declare -A never_says=([hang]='server closed')

# svc-killed: the bytes the demo sends before its server is killed, and the
# lines it printed before then that must still be there. Measured with
# `kill_proxy.py --after 0` (which prints what the clients sent in all).
#   11: 67,150 bytes in all; the 1000 INCRs one by one are 33,000, the
#       pipelined thousand the next 33,000: 50,000 is half-way through it.
#   12: 5,432 in all; hello and the 20 deletes about 600, the cold pass's
#       gets and sets the next 3,000: 1,500 is in the cold pass. A cache
#       that dies makes lookups slower, never failed (the chapter's
#       README): both passes must still find all twenty.
#   13: 2,829 in all (as root; the user name in each of the 4 startup
#       packets shifts it a little); the six speakers are in by 900 and the
#       32 queries on the pool run from 915 to the end: 1,500 is among them.
# (kill_at, read above from chapters/chapters.json: 11 50000, 12 1500, 13 1500.)
# (The beginnings of lines, one a line.)
declare -A kept_before_kill=(
  [11]=$'GET key -> hello world\n1000 INCRs, each awaited before the next'
  [12]=$'get key -> hello world\n20 repositories, cold cache\n20 repositories, warm cache'
  [13]=$'{id: 1, name: "Ada Lovelace"}\n{id: 6, name: "Robert\'); DROP TABLE speakers;--"}'
)
declare -A service_of=([11]=redis [12]=memcached [13]=postgres)
declare -A service_var=([11]=REDIS_URL [12]=MEMCACHED_ADDR [13]=DATABASE_URL)
declare -A service_error=([11]='Redis' [12]='memcached' [13]='PostgreSQL')

# Run by hand against a ThreadSanitizer build, the suppressions its ctest
# preset gives (CMakePresets.json): libstdc++'s exception_ptr counts
# references with atomics TSan cannot see (chapter 04 under a fault).
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$root/shared/sanitizers/tsan.supp}

work=$(mktemp -d "${TMPDIR:-/tmp}/fault-matrix.XXXXXX")
# What a cell started is written down in its folder (stand-in.pid,
# proxy.pid, services/) until it is stopped: an interrupted matrix (Ctrl-C,
# ctest's TIMEOUT) stops whatever is still running, and nothing else.
cleanup() {
  local pids f d
  mapfile -t pids < <(jobs -p)
  [ ${#pids[@]} = 0 ] || { kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; }
  for f in "$work"/*/stand-in.pid "$work"/*/proxy.pid; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
  done
  for d in "$work"/*/services; do
    [ -f "$d/services.env" ] && bash "$scripts/services.sh" stop "$d" >/dev/null 2>&1
  done
  if [ -n "$keep" ]; then echo "the cells are in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

applies() {  # applies CH FAULT
  case "$2" in
    svc-*) [[ $service_chapters == *" $1 "* ]] ;;
    *) [[ $api_chapters == *" $1 "* ]] ;;
  esac
}

# The environment of every demo: nothing of the user's (their API, token or
# servers) leaks into a cell.
demo_env=(env -u WORKBOOK_GITHUB_API -u GITHUB_TOKEN -u REDIS_URL -u MEMCACHED_ADDR
  -u DATABASE_URL -u WORKBOOK_STEP -u WORKBOOK_CA_FILE)

# Times in microseconds, from bash itself: a fork costs milliseconds, and
# the matrix would spend more of its time on `date` than on the demos.
now_us() { printf -v "$1" '%s' "${EPOCHREALTIME/./}"; }   # now_us VAR
# (Set by run_demo and the end of the run, through printf -v.)
code=0 took=0 took_us=0 demo_end=0 started=0 finished=0 elapsed=0
tenths() { printf -v "$1" '%d.%d' $(($2 / 1000000)) $(($2 % 1000000 / 100000)); }  # tenths VAR US
slurp() { IFS= read -rd '' "$1" <"$2" || true; }           # slurp VAR FILE: the whole file

# The cell's verdict, in $cell/result: "ok|FAIL|n/a", the short text for the
# table, the long one for the line; then the details of a failure.
verdict() {  # verdict STATUS SHORT LONG
  printf '%s\n%s\n%s\n' "$1" "$2" "$3" >"$cell/result"
}
fail() {  # fail SHORT [WHY]: and the demo's output, to see what it did
  verdict FAIL "FAIL: $1" "FAIL: ${2:-$1}"
  {
    echo "  --- the demo's stdout"
    sed 's/^/  | /' "$cell/out" 2>/dev/null
    echo "  --- its stderr"
    sed 's/^/  | /' "$cell/err" 2>/dev/null
  } >>"$cell/result"
}

# run_demo CH VAR=VALUE...: the demo, under the hard timeout; sets code,
# took_us and took (seconds, for people).
run_demo() {
  local ch=$1; shift
  local start
  now_us start
  "${demo_env[@]}" "$@" timeout -k 5 "$hard_timeout" "$build/chapter$ch" >"$cell/out" 2>"$cell/err"
  code=$?
  now_us demo_end
  took_us=$((demo_end - start))
  tenths took "$took_us"
}
slow_to_end() { [ "$1" -gt $((quick * 1000000)) ]; }  # slow_to_end US

hung() { [ "$code" = 124 ] || [ "$code" = 137 ]; }

# lost: the names among ARGS the demo did not print as a result.
missing_from_stdout() {
  local name out
  slurp out "$cell/out"
  lost=''
  for name in "$@"; do
    [[ $out == *"full_name: \"$name\""* ]] || lost+="$name "
  done
}

# lost: the names among ARGS that chapter 12's memcached (ADDR) does not
# hold (its keys are chapter12::cache_key's, "repo:" and the name).
missing_from_cache() {
  local addr=$1; shift
  local name keys='' reply='' line
  for name in "$@"; do keys+=" repo:$name"; done
  lost=''
  exec 3<>"/dev/tcp/${addr%:*}/${addr##*:}" || { lost='all (memcached did not answer)'; return; }
  printf 'get%s\r\nquit\r\n' "$keys" >&3
  while IFS= read -r line; do reply+="${line%$'\r'}"$'\n'; done <&3
  exec 3>&-
  for name in "$@"; do
    [[ $reply == *"VALUE repo:$name "* ]] || lost+="$name "
  done
}

# error: how stderr speaks of REPO: "clear" when a line names it and says
# what the fault's regex says (and nothing its never_says regex says),
# "misleading" when it says what did not happen, "none" otherwise.
judge_error() {  # judge_error REPO FAULT
  local line
  error=none
  shopt -s nocasematch
  while IFS= read -r line; do
    [[ $line == *"$1"* && $line =~ ${says[$2]} ]] || continue
    if [[ -n ${never_says[$2]:-} && $line =~ ${never_says[$2]} ]]; then
      error=misleading
    else
      error=clear
      break
    fi
  done <"$cell/err"
  shopt -u nocasematch
}

# The cell's stand-in (stand-in.sh), its pid written down until it stops.
start_stand_in() {
  stand_in_start "$fake_github" "$cell/stand-in" "$@" 2>"$cell/stand-in.err" || return 1
  echo "$STAND_IN_PID" >"$cell/stand-in.pid"
}
stop_stand_in() {
  stand_in_stop
  rm -f "$cell/stand-in.pid"
}

start_memcached() {  # for chapter 12: a private memcached; sets MEMCACHED
  bash "$scripts/services.sh" start "$cell/services" memcached >"$cell/services.log" 2>&1 || return 1
  MEMCACHED=$(sed -n 's/^MEMCACHED_ADDR=//p' "$cell/services/services.env")
}

# A stand-in fault (or refused, or killed) against a GitHub chapter.
api_cell() {
  local ch=$1 fault=$2 extra=() others=() name
  for name in "${repos[@]}"; do [ "$name" = "$faulty" ] || others+=("$name"); done
  if [ "$ch" = 12 ]; then
    if ! start_memcached; then
      if grep -q 'not installed' "$cell/services.log"; then
        verdict n/a "n/a: no memcached" "n/a: $(grep -m1 'not installed' "$cell/services.log")"
      else
        verdict FAIL "FAIL: no memcached" "FAIL: services.sh could not start memcached: $(tail -3 "$cell/services.log")"
      fi
      return
    fi
    extra=("MEMCACHED_ADDR=$MEMCACHED")
  fi
  case "$fault" in
    refused) api_refused "$ch" "${extra[@]}"; return ;;
    killed) api_killed "$ch" "${extra[@]}"; return ;;
  esac
  # Chapter 12 stops at the first failure (task_group cancels the rest, as
  # asyncio.TaskGroup does): the faulty answer comes last, so that the 19
  # others are in the cache by then.
  local options=(--latency 5 --fault "$faulty=$fault")
  [ "$ch" = 12 ] && options+=(--latency-for "$faulty=500")
  start_stand_in "${options[@]}" ||
    { verdict FAIL "FAIL: no stand-in" "FAIL: the stand-in did not start: $(cat "$cell/stand-in.err")"; return; }
  run_demo "$ch" "WORKBOOK_GITHUB_API=http://127.0.0.1:$HTTP_PORT" "${extra[@]}"
  stop_stand_in
  local expect=1 lost err
  if hung; then fail "hung ${hard_timeout} s" "hung: still running after ${hard_timeout} s"; return; fi
  if [ "$fault" = 301 ]; then  # followed: all twenty, and no failure
    if [ "$code" != 0 ]; then fail "exit $code" "exit $code: a renamed repository's 301 must be followed (stderr: $(head -c 300 "$cell/err"))"; return; fi
    if [ "$ch" = 12 ]; then
      missing_from_cache "$MEMCACHED" "${repos[@]}"
    else
      missing_from_stdout "${repos[@]}"
    fi
    [ -z "$lost" ] || { fail "lost $(wc -w <<<"$lost")" "not fetched through the redirect: $lost"; return; }
    verdict ok "ok, 20 kept" "ok (exit 0, the redirect followed, all 20 kept; $took s)"
    return
  fi
  if [ "$code" != "$expect" ]; then fail "exit $code" "exit $code, where the chapter documents $expect"; return; fi
  judge_error "$faulty" "$fault"
  case "$error" in
    misleading)
      fail "misleading error" "the error about $faulty says /${never_says[$fault]}/, which is not what happened ($fault)"
      return ;;
    none) fail "no clear error" "no line on stderr names $faulty and matches /${says[$fault]}/"; return ;;
  esac
  if [ "$ch" = 12 ]; then
    missing_from_cache "$MEMCACHED" "${others[@]}"
    [ -z "$lost" ] || { fail "lost $(wc -w <<<"$lost")" "not in memcached after the run: $lost"; return; }
    verdict ok "ok, 19 cached" "ok (exit $code, the error named $faulty, the 19 others in memcached; $took s)"
    return
  fi
  slurp err "$cell/err"
  [[ $err == *$'\n'"1 of 20 repositories failed"* ]] || { fail "no summary" "no \"1 of 20 repositories failed\" line"; return; }
  missing_from_stdout "${others[@]}"
  [ -z "$lost" ] || { fail "lost $(wc -w <<<"$lost")" "results not printed: $lost"; return; }
  missing_from_stdout "$faulty"
  [ -n "$lost" ] || { fail "printed $faulty" "$faulty printed as a result"; return; }
  verdict ok "ok, 19 kept" "ok (exit $code, the error named $faulty, 19 kept; $took s)"
}

api_refused() {
  local ch=$1; shift
  local port
  port=$(free_port) || { verdict FAIL "FAIL: no free port" "FAIL: no free port"; return; }
  run_demo "$ch" "WORKBOOK_GITHUB_API=http://127.0.0.1:$port" "$@"
  if hung; then fail "hung ${hard_timeout} s"; return; fi
  [ "$code" != 0 ] || { fail "exit 0" "exit 0 with no server"; return; }
  slow_to_end "$took_us" && { fail "took $took s" "took $took s to see a refused connection"; return; }
  grep -Eiq "${says[refused]}" "$cell/err" || { fail "no clear error" "stderr does not match /${says[refused]}/"; return; }
  verdict ok "ok, exit $code" "ok (exit $code, says the connection was refused; $took s)"
}

# The stand-in killed with a request in flight. $slow answers only after
# 9 s (under the clients' 10 s timeout; a demo under ThreadSanitizer takes
# 2 s to start its requests, and the wait for the kill point counts from
# the start), every other repository in 5 ms; the kill comes once $slow is the one
# request in flight and no other has ended for 300 ms: every request that
# can end before it has then ended (the 9 before it for chapter 01, which
# asks one at a time; all 19 for chapters that ask side by side; 17 for
# chapter 03, whose workers are handed their repositories in turn, so two
# wait behind $slow). Which ones had ended is read from the stand-in itself
# (GET /_stats) just before the kill; they must all be printed.
api_killed() {
  local ch=$1; shift
  start_stand_in --latency 5 --latency-for "$slow=9000" ||
    { verdict FAIL "FAIL: no stand-in" "FAIL: the stand-in did not start: $(cat "$cell/stand-in.err")"; return; }
  local start t stats='' rest ended=-1 last=-1 still_since=0 in_flight=0 ready=''
  local in_flight_slow="\"path\":\"/repos/$slow\",\"start_us\":[0-9]+,\"status\":0"
  now_us start
  "${demo_env[@]}" "WORKBOOK_GITHUB_API=http://127.0.0.1:$HTTP_PORT" "$@" \
    timeout -k 5 "$hard_timeout" "$build/chapter$ch" >"$cell/out" 2>"$cell/err" &
  local demo=$!
  while :; do
    now_us t
    [ $((t - start)) -lt 8500000 ] || break  # $slow is about to be answered: too late
    stats=$(curl -s --max-time 2 "http://127.0.0.1:$HTTP_PORT/_stats") || stats=''
    rest=${stats//\"status\":200/}
    ended=$(((${#stats} - ${#rest}) / 12))  # 12: the length of "status":200
    [[ $stats =~ \"in_flight\":([0-9]+) ]] && in_flight=${BASH_REMATCH[1]}
    [ "$ended" = "$last" ] || { last=$ended; still_since=$t; }
    if [[ $stats =~ $in_flight_slow ]] && [ "$in_flight" = 1 ] && [ $((t - still_since)) -ge 300000 ]; then
      ready=1
      break
    fi
    sleep 0.05
  done
  local killed_at end
  now_us killed_at
  kill -9 "$STAND_IN_PID" 2>/dev/null
  stop_stand_in
  wait "$demo"
  code=$?
  now_us end
  local after_us=$((end - killed_at)) after
  tenths after "$after_us"
  if [ -z "$ready" ]; then
    fail "no kill point" "in 8.5 s the stand-in never had $slow as its one request in flight, the others still"
    return
  fi
  if hung; then fail "hung ${hard_timeout} s"; return; fi
  [ "$code" != 0 ] || { fail "exit 0" "exit 0 although $slow was never answered"; return; }
  slow_to_end "$after_us" && { fail "took $after s" "took $after s after the kill to end"; return; }
  judge_error "$slow" killed
  [ "$error" = clear ] || { fail "no clear error" "no line on stderr names $slow and matches /${says[killed]}/"; return; }
  local answered=() lost pattern='"path":"/repos/([^"]+)","start_us":[0-9]+,"status":200'
  rest=$stats
  while [[ $rest =~ $pattern ]]; do
    answered+=("${BASH_REMATCH[1]}")
    rest=${rest#*"${BASH_REMATCH[0]}"}
  done
  if [ "$ch" = 12 ]; then
    missing_from_cache "${1#MEMCACHED_ADDR=}" "${answered[@]}"
    [ -z "$lost" ] || { fail "lost $(wc -w <<<"$lost")" "answered before the kill, not in memcached: $lost"; return; }
    verdict ok "ok, ${#answered[@]} cached" "ok (exit $code, the error named $slow, the ${#answered[@]} answered before the kill in memcached; $after s after the kill)"
    return
  fi
  missing_from_stdout "${answered[@]}"
  [ -z "$lost" ] || { fail "lost $(wc -w <<<"$lost")" "answered before the kill, not printed: $lost"; return; }
  verdict ok "ok, ${#answered[@]} kept" "ok (exit $code, the error named $slow, the ${#answered[@]} answered before the kill printed; $after s after the kill)"
}

# The chapter's own server (Redis, memcached, PostgreSQL) refused or killed.
service_cell() {
  local ch=$1 fault=$2 var=${service_var[$1]} word=${service_error[$1]} port extra=()
  if [ "$ch" = 12 ]; then
    # Chapter 12 also needs the API: a healthy stand-in.
    start_stand_in --latency 5 ||
      { verdict FAIL "FAIL: no stand-in" "FAIL: the stand-in did not start: $(cat "$cell/stand-in.err")"; return; }
    extra=("WORKBOOK_GITHUB_API=http://127.0.0.1:$HTTP_PORT")
  fi
  if [ "$fault" = svc-refused ]; then
    port=$(free_port) || { verdict FAIL "FAIL: no free port" "FAIL: no free port"; stop_stand_in; return; }
    local address
    case "$ch" in
      11) address=redis://127.0.0.1:$port ;;
      12) address=127.0.0.1:$port ;;
      13) address=postgresql://$(id -un)@127.0.0.1:$port/postgres ;;
    esac
    run_demo "$ch" "$var=$address" "${extra[@]}"
    stop_stand_in
    if hung; then fail "hung ${hard_timeout} s"; return; fi
    [ "$code" != 0 ] || { fail "exit 0" "exit 0 with no $word"; return; }
    slow_to_end "$took_us" && { fail "took $took s" "took $took s to see a refused connection"; return; }
    if ! grep -Eiq "$word.*127\.0\.0\.1:$port.*refused" "$cell/err" || ! grep -q 'services start' "$cell/err"; then
      fail "no clear error" "stderr does not name $word at 127.0.0.1:$port, say refused, and say what to do"
      return
    fi
    verdict ok "ok, exit $code" "ok (exit $code, names $word at its address, says refused and what to do; $took s)"
    return
  fi
  # svc-killed: a private server, the demo through kill_proxy.py.
  local service=${service_of[$ch]}
  if ! command -v python3 >/dev/null; then
    stop_stand_in
    verdict n/a "n/a: no python3" "n/a: kill_proxy.py needs python3"
    return
  fi
  if ! bash "$scripts/services.sh" start "$cell/services" "$service" >"$cell/services.log" 2>&1; then
    stop_stand_in
    # A server that is not installed is the machine's, not the chapter's.
    if grep -q 'not installed' "$cell/services.log"; then
      verdict n/a "n/a: no $service" "n/a: $(grep -m1 'not installed' "$cell/services.log")"
    else
      verdict FAIL "FAIL: no $service" "FAIL: services.sh could not start $service: $(tail -3 "$cell/services.log")"
    fi
    return
  fi
  local address target pid tree=()
  address=$(sed -n "s/^$var=//p" "$cell/services/services.env")
  target=${address#*://}; target=${target##*@}; target=${target%%/*}
  case "$service" in
    redis) pid=$(cat "$cell/services/redis.pid") ;;
    memcached) pid=$(cat "$cell/services/memcached.pid") ;;
    postgres) pid=$(head -1 "$(cat "$cell/services/postgres.data")/cluster/postmaster.pid"); tree=(--tree) ;;
  esac
  python3 "$kill_proxy" --target "$target" --port-file "$cell/proxy.port" --after "${kill_at[$ch]}" \
    --kill "$pid" "${tree[@]}" --max-seconds $((hard_timeout + 10)) >"$cell/proxy.out" 2>&1 &
  local proxy=$!
  echo "$proxy" >"$cell/proxy.pid"
  wait_until 10 test -s "$cell/proxy.port"
  port=$(cat "$cell/proxy.port" 2>/dev/null)
  if [ -z "$port" ]; then
    kill "$proxy" 2>/dev/null; wait "$proxy" 2>/dev/null; rm -f "$cell/proxy.pid"
    stop_stand_in; bash "$scripts/services.sh" stop "$cell/services" >/dev/null 2>&1
    verdict FAIL "FAIL: no proxy" "FAIL: kill_proxy.py did not start: $(cat "$cell/proxy.out")"
    return
  fi
  address=${address/127.0.0.1:${target##*:}/127.0.0.1:$port}
  run_demo "$ch" "$var=$address" "${extra[@]}"
  kill "$proxy" 2>/dev/null; wait "$proxy" 2>/dev/null; rm -f "$cell/proxy.pid"
  stop_stand_in
  bash "$scripts/services.sh" stop "$cell/services" >/dev/null 2>&1
  local proxy_said killed_at after_us after
  slurp proxy_said "$cell/proxy.out"
  if ! [[ $proxy_said =~ killed\ .*\ at\ ([0-9]+) ]]; then
    fail "no kill" "the demo sent fewer than ${kill_at[$ch]} bytes (${proxy_said%$'\n'}): the kill point needs measuring again"
    return
  fi
  killed_at=${BASH_REMATCH[1]}
  if hung; then fail "hung ${hard_timeout} s"; return; fi
  # From the kill to the demo's end (the whole run may be slow: a thousand
  # round trips through the proxy on a busy machine).
  after_us=$((demo_end - killed_at))
  tenths after "$after_us"
  slow_to_end "$after_us" && { fail "took $after s" "took $after s after the kill to end: it waited for a timeout"; return; }
  local line out
  slurp out "$cell/out"
  while IFS= read -r line; do
    [[ $'\n'$out == *$'\n'"$line"* ]] || { fail "lost output" "printed before the kill, missing: \"$line\""; return; }
  done <<<"${kept_before_kill[$ch]}"
  if [ "$code" = 0 ]; then
    # Only chapter 12 may go on: its cache is a shortcut.
    [ "$ch" = 12 ] || { fail "exit 0" "exit 0 although $word was killed"; return; }
    verdict ok "ok, exit 0" "ok (exit 0, every lookup answered; $after s after the kill)"
    return
  fi
  grep -Eq "^error: .*$word" "$cell/err" || { fail "no clear error" "no \"error: ...$word...\" line on stderr"; return; }
  local text="ok, exit $code"
  [ "$ch" = 12 ] && text="ok, 20+20 found"
  verdict ok "$text" "ok (exit $code, an error naming $word, what it printed before the kill kept; $after s after the kill)"
}

run_cell() {  # run_cell CH FAULT, in a subshell of its own
  local ch=$1 fault=$2
  cell=$work/$ch.$fault
  mkdir -p "$cell"
  if [ ! -x "$build/chapter$ch" ] || [ ! -x "$fake_github" ]; then
    verdict FAIL "FAIL: not built" "FAIL: $build/chapter$ch or $fake_github is not built"
    return
  fi
  case "$fault" in
    svc-*) service_cell "$ch" "$fault" ;;
    *) api_cell "$ch" "$fault" ;;
  esac
  # Whatever a cell left running (each stop does nothing the second time).
  stop_stand_in
  [ -d "$cell/services" ] && bash "$scripts/services.sh" stop "$cell/services" >/dev/null 2>&1
  return 0
}

# The cells, the slow ones first: a hang costs the clients' 10 s timeout,
# a PostgreSQL of its own a few seconds.
cells=()
for fault in hang svc-killed "${faults[@]}"; do
  [[ " ${faults[*]} " == *" $fault "* ]] || continue
  for ch in "${chapters[@]}"; do
    applies "$ch" "$fault" || continue
    [[ " ${cells[*]} " == *" $ch.$fault "* ]] || cells+=("$ch.$fault")
  done
done

now_us started
running=0
for c in "${cells[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  (run_cell "${c%%.*}" "${c#*.}") &
  running=$((running + 1))
done
wait
now_us finished
tenths elapsed $((finished - started))

# Each cell's verdict: status, short text, long text, details.
declare -A status short long
ok=0 failed=0 na=0
for c in "${cells[@]}"; do
  lines=()
  [ -f "$work/$c/result" ] && mapfile -t -n 3 lines <"$work/$c/result"
  status[$c]=${lines[0]:-FAIL} short[$c]=${lines[1]:-FAIL: no verdict} long[$c]=${lines[2]:-FAIL: no verdict}
  case "${status[$c]}" in
    ok) ok=$((ok + 1)) ;;
    n/a) na=$((na + 1)) ;;
    *) failed=$((failed + 1)) ;;
  esac
done
total="${#cells[@]} cells: $ok ok, $failed failed, $na n/a, in $elapsed s"

if [ -n "$table" ]; then
  # Each column as wide as its widest cell.
  declare -A width
  for ch in "${chapters[@]}"; do
    width[$ch]=${#ch}
    for fault in "${faults[@]}"; do
      text=${short[$ch.$fault]:--}
      [ ${#text} -gt "${width[$ch]}" ] && width[$ch]=${#text}
    done
  done
  printf '%-12s' fault
  for ch in "${chapters[@]}"; do printf '  %-*s' "${width[$ch]}" "$ch"; done
  printf '\n'
  for fault in "${faults[@]}"; do
    printf '%-12s' "$fault"
    for ch in "${chapters[@]}"; do printf '  %-*s' "${width[$ch]}" "${short[$ch.$fault]:--}"; done
    printf '\n'
  done
  echo "$total"
  # Why each failed cell failed, under the table.
  for c in "${cells[@]}"; do
    [ "${status[$c]}" = FAIL ] && echo "chapter${c%%.*} ${c#*.}: ${long[$c]}"
  done
else
  for ch in "${chapters[@]}"; do
    for fault in "${faults[@]}"; do
      c=$ch.$fault
      [ -n "${status[$c]:-}" ] || continue
      echo "chapter$ch $fault: ${long[$c]}"
      [ "${status[$c]}" = FAIL ] && [ -f "$work/$c/result" ] && tail -n +4 "$work/$c/result"
    done
  done
  echo "$total"
fi
[ "$failed" = 0 ]
