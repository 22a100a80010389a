#!/usr/bin/env bash
# The chapter 09 server under a long load, twice: wrk with 1,000 keep-alive
# connections and, at the same time, 100 slowloris clients (slow_clients.py)
# that the head deadline must keep cutting off. Fails if a normal client
# sees an error, a slow client sees something other than the cut-off, the
# server dies, or its memory grows from the first run to the second by more
# than 2 MB: the same load twice should cost the same memory, and memory
# that grows is a leak (a connection, a buffer, a timer never freed).
# Usage: load-extended.sh CHAPTER09_BINARY [--seconds N]   (default 60)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
connections=1000 slow=100 rss_limit_kb=2048

usage() { echo "usage: load-extended.sh CHAPTER09_BINARY [--seconds N]" >&2; exit 2; }
[ $# -ge 1 ] || usage
binary=$1 seconds=60
shift
while [ $# -gt 0 ]; do
  case $1 in
    --seconds)
      [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage
      seconds=$2
      shift 2
      ;;
    *) usage ;;
  esac
done
[ -x "$binary" ] || { echo "FAILED: $binary is not an executable (build chapter09 first)"; exit 1; }
command -v wrk >/dev/null || { echo "FAILED: wrk is not installed (sudo apt-get install wrk)"; exit 1; }

# Every connection is a descriptor in wrk (1,000), in Python (100) and in the
# server (1,100 at once: it raises its own soft limit, but only as far as the
# hard limit we pass on). Raise the soft limit to the hard one; with a hard
# limit that low nothing can, so say how.
needed=1200
ulimit -n "$(ulimit -Hn)" 2>/dev/null
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$needed" ]; then
  echo "FAILED: the open-file limit is $(ulimit -n) (hard $(ulimit -Hn)); this test needs at least" \
    "$needed ($connections wrk connections + $slow slow clients, all held by the server at once)." \
    "Raise the hard limit as root (ulimit -Hn 4096 in this shell; '* hard nofile 4096' in" \
    "/etc/security/limits.conf for logins; docker run --ulimit nofile=4096:4096 in a container)."
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/load-extended.XXXXXX")
server_pid='' wrk_pid='' slow_pid=''
cleanup() {
  # Whatever ends the script (a failure, Ctrl-C), nothing it started survives it.
  local pid
  for pid in "$wrk_pid" "$slow_pid"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
  done
  if [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null; then
    # SIGTERM is its graceful stop (up to 2 s of grace); then no more waiting.
    for _ in $(seq 30); do server_alive || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null
  fi
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A dead child stays in /proc as a zombie until waited for, and kill -0
# still succeeds on it: its State says whether it really runs.
is_zombie() { grep -q '^State:[[:space:]]*Z' "/proc/$server_pid/status" 2>/dev/null; }
server_alive() { kill -0 "$server_pid" 2>/dev/null && ! is_zombie; }
server_log() { echo "--- server's output:"; cat "$tmp/server.out" "$tmp/server.err"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status"; }

# The server, on a free port, says its port on stdout.
"$binary" --serve --port 0 >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!
port=''
for _ in $(seq 100); do
  port=$(sed -n 's|^Serving on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/server.out")
  [ -n "$port" ] && break
  server_alive || break
  sleep 0.1
done
if [ -z "$port" ]; then
  server_alive && why="did not say its port within 10 s" || why="ended before it served"
  echo "FAILED: the chapter 09 server ($binary --serve --port 0) $why"
  server_log
  exit 1
fi

# Seconds to a number of milliseconds, from wrk's "12.34ms", "870.00us", "1.20s", "1.00m".
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
    if (f < 0) print "?"; else printf "%.1f", n * f }'
}

# A number from slow_clients.py's summary line: the one before $1.
num() { sed -n "s/.* \([0-9]*\) $1.*/\1/p" <<<"$summary"; }

declare -a rss
# What failed, said at the end (fail joins its words into one line).
failures=()
fail() { failures+=("$*"); }
for run in 1 2; do
  log_lines_before=$(wc -l <"$tmp/server.err")
  # The slow clients first, so they are in place when the flood starts;
  # both end after the same N seconds.
  python3 "$here/slow_clients.py" "$port" --clients "$slow" --seconds "$seconds" \
    >"$tmp/slow.$run" 2>&1 &
  slow_pid=$!
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$port/hello/load" \
    >"$tmp/wrk.$run" 2>&1 &
  wrk_pid=$!
  wait "$wrk_pid"
  wrk_rc=$?
  wrk_pid=''
  wait "$slow_pid"
  slow_rc=$?
  slow_pid=''

  if ! server_alive; then
    [ "${#failures[@]}" -eq 0 ] || printf 'FAILED: %s\n' "${failures[@]}"
    echo "FAILED: run $run: the server died under the load"
    cat "$tmp/wrk.$run" "$tmp/slow.$run"
    server_log
    exit 1
  fi
  # Closed connections are freed as the loop reaches them: a moment to settle,
  # so both runs are measured in the same state.
  sleep 2
  rss[run]=$(rss_kb)

  out=$(cat "$tmp/wrk.$run")
  requests=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' <<<"$out")
  if [ "$wrk_rc" -ne 0 ] || [ -z "$requests" ]; then
    echo "FAILED: run $run: wrk did not finish (exit $wrk_rc):"
    printf '%s\n' "$out"
    exit 1
  fi
  rate=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  max=$(to_ms "$(awk '$1 == "Latency" && NF == 5 { print $4 }' <<<"$out")")
  # wrk prints these two lines only when they are not zero. What wrk 4.1
  # counts: connect (the connect failed), read (the server closed or reset
  # a connection, or sent what is not HTTP), write, timeout (an answer that
  # came after 2 s, --timeout; it is left out of the latencies, so "max"
  # stays under 2 s), and "non-2xx" (a status of 400 or more). A request
  # still waiting when the time is up counts as nothing: wrk stopped waiting,
  # not the server. Everything it does count, a real client would have seen.
  read -r e_connect e_read e_write e_timeout < <(
    sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' <<<"$out"
  )
  non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: \([0-9]*\).*/\1/p' <<<"$out")
  errors=$((${e_connect:-0} + ${e_read:-0} + ${e_write:-0} + ${e_timeout:-0} + ${non2xx:-0}))
  # Errors do not stop the test: the second run and the memory figures
  # still say something, and the failures are listed at the end.
  if [ "$errors" -ne 0 ]; then
    fail "run $run: wrk's $connections normal clients saw $errors errors: connect ${e_connect:-0}," \
      "read ${e_read:-0}, write ${e_write:-0}, timeout (an answer after 2 s) ${e_timeout:-0}," \
      "non-2xx ${non2xx:-0}; latency p99 $p99 ms, max recorded $max ms"
  fi

  slow_out=$(cat "$tmp/slow.$run")
  summary=$(grep '^slow clients:' <<<"$slow_out")
  opened=$(num 'connections opened') cut=$(num 'cut off') answered=$(num answered)
  held=$(num 'held open') unexpected=$(num 'unexpected errors')
  if [ "$slow_rc" -ne 0 ] || [ -z "$opened" ]; then
    echo "FAILED: run $run: the slow clients did not finish (exit $slow_rc):"
    printf '%s\n' "$slow_out"
    exit 1
  fi
  # Slow clients, too, must meet only the deadline: an answer means the
  # deadline never fired (the request takes 37 s); an error (refused, garbage)
  # means the server failed a client it should have served or cut off.
  if [ "$answered" -ne 0 ] || [ "$unexpected" -ne 0 ]; then
    fail "run $run: the slow clients were not all cut off at the head deadline:" \
      "$answered answered, $unexpected unexpected errors"
    printf '%s\n' "$slow_out"
  fi
  when=$(sed -n 's/.*; \(after [0-9.-]* s\)).*/ \1/p' <<<"$summary")

  # What the server logged during the run (it logs connections that end
  # abnormally): shown, not judged; a count per kind of line.
  logged=$(tail -n +"$((log_lines_before + 1))" "$tmp/server.err" | sed 's/[0-9]\+/N/g' | sort | uniq -c |
    sort -rn | head -5 | sed 's/^/  /')

  echo "load: run $run: $requests requests, $rate/s, p99 $p99 ms, $errors errors; slow clients: $held held," \
    "$cut cut off at the head deadline$when; RSS ${rss[run]} KB"
  if [ -n "$logged" ]; then
    echo "  the server logged during run $run:"
    printf '%s\n' "$logged"
  fi
done

growth=$((rss[2] - rss[1]))
printf 'RSS growth from run 1 to run 2: %+d KB (limit %d KB)\n' "$growth" "$rss_limit_kb"
if [ "$growth" -gt "$rss_limit_kb" ]; then
  fail "the server's RSS grew by $growth KB from run 1 (${rss[1]} KB) to run 2" \
    "(${rss[2]} KB), more than $rss_limit_kb KB: the same load again should not cost more memory"
fi
[ "${#failures[@]}" -eq 0 ] || { printf 'FAILED: %s\n' "${failures[@]}"; exit 1; }
