#!/usr/bin/env bash
# Tests of shared/scripts/services.sh, the private Redis, memcached and
# PostgreSQL servers the data-store chapters use.
#
#   services-test.sh answer DIR   each server in DIR/services.env answers in
#                                 its own protocol: a value stored in Redis
#                                 and in memcached is read back, and
#                                 PostgreSQL runs a query with a parameter
#   services-test.sh edges        what must not go wrong: a missing server
#                                 binary names its package, an address the
#                                 user set wins, a failed start leaves no
#                                 server behind, stop frees every port
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
services=$root/shared/scripts/services.sh
failed=0
fail() {
  echo "FAILED: $*"
  failed=1
}

answer() {
  local env=$1/services.env
  [ -f "$env" ] || { echo "FAILED: no $env (did services.start run?)"; exit 1; }
  local REDIS_URL='' MEMCACHED_ADDR='' DATABASE_URL=''
  # shellcheck disable=SC1090
  source "$env"
  local host port reply
  # Redis: SET, then GET gives the value back.
  port=${REDIS_URL##*:}
  redis-cli -h 127.0.0.1 -p "$port" set workbook:test "a value" >/dev/null
  reply=$(redis-cli -h 127.0.0.1 -p "$port" get workbook:test)
  [ "$reply" = "a value" ] && echo "redis at $REDIS_URL: GET returned what SET stored" ||
    fail "redis at $REDIS_URL: GET returned \"$reply\""
  # memcached: the text protocol by hand, set then get.
  port=${MEMCACHED_ADDR##*:}
  exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "memcached at $MEMCACHED_ADDR: no connection"
  printf 'set workbook-test 0 60 5\r\nhello\r\nget workbook-test\r\nquit\r\n' >&3
  reply=$(tr -d '\r' <&3 | tr '\n' ' ')
  exec 3>&-
  [ "$reply" = "STORED VALUE workbook-test 0 5 hello END " ] &&
    echo "memcached at $MEMCACHED_ADDR: get returned what set stored" ||
    fail "memcached at $MEMCACHED_ADDR: \"$reply\""
  # PostgreSQL: a query whose value travels as a parameter, not in the SQL.
  reply=$(psql "$DATABASE_URL" -XAtq -v ON_ERROR_STOP=1 \
    -c "PREPARE q(text) AS SELECT upper(\$1)" -c "EXECUTE q('hello')" 2>&1)
  [ "$reply" = HELLO ] && echo "postgres at $DATABASE_URL: a prepared query answered" ||
    fail "postgres at $DATABASE_URL: \"$reply\""
  exit $failed
}

edges() {
  local dir
  dir=$(mktemp -d)
  trap 'bash "$services" stop "$dir/a" >/dev/null 2>&1; rm -rf "$dir"' EXIT

  # A missing server: every program of the system but redis-server.
  # (One ln per folder: a process per file would take a minute on a busy
  # machine. A name already linked from an earlier folder is kept.)
  mkdir "$dir/bin"
  local d
  for d in /usr/local/bin /usr/bin /bin; do ln -s "$d"/* "$dir/bin/" 2>/dev/null; done
  rm -f "$dir/bin/redis-server"
  local said
  said=$(PATH=$dir/bin bash "$services" start "$dir/a" redis 2>&1) &&
    fail "a start without redis-server succeeded"
  [[ $said == *"redis-server is not installed: ./workbook setup"* ]] &&
    echo "a missing redis-server: \"$said\"" || fail "a missing redis-server said: \"$said\""
  bash "$services" stop "$dir/a"

  # An address the user set wins: nothing is started for it.
  REDIS_URL=redis://127.0.0.1:1/0 bash "$services" start "$dir/a" redis ||
    fail "a start with REDIS_URL set failed"
  grep -qx 'REDIS_URL=redis://127.0.0.1:1/0' "$dir/a/services.env" &&
    [ ! -f "$dir/a/redis.pid" ] && echo "REDIS_URL set by the user: kept, no server started" ||
    fail "REDIS_URL set by the user was not kept as it was"
  bash "$services" status "$dir/a" >/dev/null && fail "status says a server on port 1 answers"
  bash "$services" stop "$dir/a"

  # A start that fails half-way stops what it had started: Redis started
  # first (its log says on which port), then an unknown service.
  rm -f "$dir/a/redis.log"
  bash "$services" start "$dir/a" redis nosuch 2>/dev/null && fail "an unknown service was accepted"
  local port
  port=$(grep -o 'port=[0-9]*' "$dir/a/redis.log" 2>/dev/null | tail -1)
  port=${port#port=}
  if [ -z "$port" ]; then
    fail "Redis did not start before the unknown service (no port in its log)"
  elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || [ -f "$dir/a/services.env" ]; then
    fail "a failed start left Redis on port $port or $dir/a/services.env"
  else
    echo "a failed start stopped the Redis it had started on port $port"
  fi

  # restart over servers a killed run left behind: they are stopped, new
  # ones started.
  bash "$services" start "$dir/a" redis || fail "start redis"
  local old_port new_port
  old_port=$(cat "$dir/a/redis.port")
  bash "$services" restart "$dir/a" redis || fail "restart over a running Redis"
  new_port=$(cat "$dir/a/redis.port")
  if (exec 3<>"/dev/tcp/127.0.0.1/$old_port") 2>/dev/null && [ "$old_port" != "$new_port" ]; then
    fail "restart left the old Redis on port $old_port"
  else
    echo "restart stopped the Redis left on port $old_port and started one on $new_port"
  fi
  bash "$services" stop "$dir/a"

  # Stop frees the ports.
  bash "$services" start "$dir/a" redis memcached || fail "start redis memcached"
  local ports
  ports=$(cat "$dir/a/redis.port" "$dir/a/memcached.port")
  bash "$services" stop "$dir/a"
  for port in $ports; do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && fail "port $port still answers after stop"
  done
  [ "$failed" = 0 ] && echo "stop closed ports $(echo $ports)"
  exit $failed
}

case "${1:-}" in
  answer) answer "$2" ;;
  edges) edges ;;
  *) echo "usage: services-test.sh answer DIR | edges" >&2; exit 2 ;;
esac
