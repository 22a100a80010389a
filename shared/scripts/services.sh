#!/usr/bin/env bash
# Private Redis, memcached and PostgreSQL servers for the data-store
# chapters: the real servers from the system's packages, started on free
# loopback ports with their data in one folder, never on the default ports
# and never touching a system instance.
#
#   services.sh start DIR [redis] [memcached] [postgres]   (default: all three)
#   services.sh stop DIR
#   services.sh restart DIR [SERVICE...]   stop what DIR has (from a run that
#                                          was killed, say), then start
#   services.sh status DIR
#
# `start` writes DIR/services.env, the addresses as the chapters read them:
#   REDIS_URL=redis://127.0.0.1:PORT
#   MEMCACHED_ADDR=127.0.0.1:PORT
#   DATABASE_URL=postgresql://USER@127.0.0.1:PORT/postgres
# An address already set in the environment wins: that server is not
# started, and the env file carries the user's value.
#
# As root: memcached runs as `nobody`, and PostgreSQL (whose initdb and
# pg_ctl refuse root) as `postgres`, with its data in a folder of its own
# under /tmp, since one under /root is closed to it. A start that fails
# stops whatever it had started and says why; every server's output goes to
# a log in DIR.
set -uo pipefail

die() {
  printf 'services: %s\n' "$*" >&2
  exit 1
}

usage="usage: services.sh start|restart DIR [redis] [memcached] [postgres] | stop DIR | status DIR"
[ $# -ge 2 ] || die "$usage"
command=$1 dir=$2
shift 2

as_root() { [ "$(id -u)" = 0 ]; }

# The newest PostgreSQL server binaries the system has (Debian keeps them
# out of PATH, under /usr/lib/postgresql/VERSION/bin).
pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -n "$found" ]; then printf '%s\n' "$found"; return; fi
  found=$(command -v pg_ctl 2>/dev/null) && dirname "$found"
}

# free_port and wait_until.
# shellcheck source=shared/scripts/ports.sh
source "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

memcached_answers() {  # memcached_answers HOST PORT: "version" gets "VERSION ..."
  local reply
  exec 3<>"/dev/tcp/$1/$2" || return 1
  printf 'version\r\n' >&3
  IFS= read -r -t 2 reply <&3
  exec 3>&-
  [[ $reply == VERSION* ]]
}

redis_answers() {  # redis_answers HOST PORT: PING gets PONG
  [ "$(redis-cli -h "$1" -p "$2" ping 2>/dev/null)" = PONG ]
}

# host_port URL: "HOST PORT" of redis://[user@]host:port[/db],
# postgresql://user@host:port/db or host:port.
host_port() {
  local rest=${1#*://}
  rest=${rest##*@}
  rest=${rest%%/*}
  printf '%s %s\n' "${rest%:*}" "${rest##*:}"
}

# Whether PID is a process that still runs (a zombie does not: in a
# container whose first process reaps nothing, a stopped server stays one).
alive() {
  if [ -r "/proc/$1/stat" ]; then
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
  else
    kill -0 "$1" 2>/dev/null
  fi
}

need() {  # need PROGRAM PACKAGE
  command -v "$1" >/dev/null 2>&1 ||
    die "$1 is not installed: ./workbook setup (or: sudo apt-get install $2)"
}

start_redis() {
  need redis-server redis-server
  need redis-cli redis-tools
  local port attempt
  for attempt in 1 2 3; do
    port=$(free_port) || die "no free port for Redis"
    rm -f "$dir/redis.pid"
    # --save '' and --appendonly no: nothing written to disk but the log.
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" \
      </dev/null >>"$dir/redis.log" 2>&1
    if wait_until 5 redis_answers 127.0.0.1 "$port"; then
      printf 'REDIS_URL=redis://127.0.0.1:%s\n' "$port" >>"$dir/services.env"
      printf '%s\n' "$port" >"$dir/redis.port"
      return 0
    fi
    stop_pid_file "$dir/redis.pid"
  done
  fail_start Redis "$dir/redis.log"
}

start_memcached() {
  need memcached memcached
  local port attempt user=()
  as_root && user=(-u nobody)  # memcached refuses to run as root
  for attempt in 1 2 3; do
    port=$(free_port) || die "no free port for memcached"
    # In the background with & (its -d with -u does not write the pid file).
    memcached -l 127.0.0.1 -p "$port" -U 0 -m 64 "${user[@]}" </dev/null >>"$dir/memcached.log" 2>&1 &
    printf '%s\n' "$!" >"$dir/memcached.pid"
    if wait_until 5 memcached_answers 127.0.0.1 "$port"; then
      printf 'MEMCACHED_ADDR=127.0.0.1:%s\n' "$port" >>"$dir/services.env"
      printf '%s\n' "$port" >"$dir/memcached.port"
      return 0
    fi
    stop_pid_file "$dir/memcached.pid"
  done
  fail_start memcached "$dir/memcached.log"
}

start_postgres() {
  local bin
  bin=$(pg_bin)
  [ -n "$bin" ] && [ -x "$bin/initdb" ] ||
    die "PostgreSQL's server is not installed: ./workbook setup (or: sudo apt-get install postgresql)"
  need pg_isready postgresql-client
  local data=$dir/postgres run=() user
  user=$(id -un)
  if as_root; then
    # initdb and pg_ctl refuse root: the postgres user runs them, on a folder
    # it owns and can reach.
    id postgres >/dev/null 2>&1 || die "running as root needs the postgres user (from the postgresql package)"
    data=$(mktemp -d /tmp/workbook-postgres.XXXXXX) || die "cannot make a folder for PostgreSQL under /tmp"
    chown postgres: "$data"
    run=(runuser -u postgres --)
    user=postgres
  fi
  printf '%s\n' "$data" >"$dir/postgres.data"
  if ! "${run[@]}" "$bin/initdb" -D "$data/cluster" -A trust -U "$user" --no-sync \
    </dev/null >>"$dir/postgres.log" 2>&1; then
    fail_start PostgreSQL "$dir/postgres.log"
  fi
  local port attempt
  for attempt in 1 2 3; do
    port=$(free_port) || die "no free port for PostgreSQL"
    # No Unix socket (a long path fails, and TCP on loopback is what the
    # chapters use); fsync off: the data is thrown away anyway.
    if "${run[@]}" "$bin/pg_ctl" -D "$data/cluster" -l "$data/server.log" -w -t 20 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories= -c fsync=off" \
      start </dev/null >>"$dir/postgres.log" 2>&1 &&
      wait_until 10 pg_isready -h 127.0.0.1 -p "$port"; then
      printf 'DATABASE_URL=postgresql://%s@127.0.0.1:%s/postgres\n' "$user" "$port" >>"$dir/services.env"
      printf '%s\n' "$port" >"$dir/postgres.port"
      return 0
    fi
    cat "$data/server.log" >>"$dir/postgres.log" 2>/dev/null
  done
  fail_start PostgreSQL "$dir/postgres.log"
}

# Stops what the pid file names and waits (up to 5 s) until it is gone.
stop_pid_file() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 0
  rm -f "$1"
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  local i
  for i in $(seq 50); do
    alive "$pid" || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

stop_postgres() {
  local data bin run=()
  data=$(cat "$dir/postgres.data" 2>/dev/null) || return 0
  bin=$(pg_bin)
  as_root && run=(runuser -u postgres --)
  if [ -f "$data/cluster/postmaster.pid" ] && [ -n "$bin" ]; then
    "${run[@]}" "$bin/pg_ctl" -D "$data/cluster" -m fast -w -t 20 stop </dev/null >>"$dir/postgres.log" 2>&1
  fi
  [ "$data" != "$dir/postgres" ] && rm -rf "$data"  # root's folder under /tmp
  rm -rf "$dir/postgres" "$dir/postgres.data"
}

stop_all() {
  stop_pid_file "$dir/redis.pid"
  stop_pid_file "$dir/memcached.pid"
  stop_postgres
  rm -f "$dir"/*.port "$dir/services.env"
}

# A server that did not start: everything started so far is stopped, and its
# log says why.
fail_start() {
  printf 'services: %s did not start; the end of %s:\n' "$1" "$2" >&2
  tail -n 15 "$2" >&2 2>/dev/null
  stop_all
  exit 1
}

if [ "$command" = restart ]; then
  if [ -d "$dir" ]; then
    dir=$(cd "$dir" && pwd)
    stop_all
  fi
  command=start
fi

case "$command" in
  start)
    mkdir -p "$dir" || die "cannot make $dir"
    dir=$(cd "$dir" && pwd)
    [ -f "$dir/services.env" ] && die "services already started in $dir (services.sh stop $dir first)"
    wanted=("$@")
    [ ${#wanted[@]} -gt 0 ] || wanted=(redis memcached postgres)
    : >"$dir/services.env"
    for service in "${wanted[@]}"; do
      case "$service" in
        redis)
          if [ -n "${REDIS_URL:-}" ]; then echo "REDIS_URL=$REDIS_URL" >>"$dir/services.env"; else start_redis; fi ;;
        memcached)
          if [ -n "${MEMCACHED_ADDR:-}" ]; then echo "MEMCACHED_ADDR=$MEMCACHED_ADDR" >>"$dir/services.env"; else start_memcached; fi ;;
        postgres)
          if [ -n "${DATABASE_URL:-}" ]; then echo "DATABASE_URL=$DATABASE_URL" >>"$dir/services.env"; else start_postgres; fi ;;
        *) stop_all; die "unknown service \"$service\" (redis, memcached, postgres). $usage" ;;
      esac
    done
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    dir=$(cd "$dir" && pwd)
    stop_all
    ;;
  status)
    [ -f "$dir/services.env" ] || { echo "no services started in $dir"; exit 1; }
    code=0
    while IFS='=' read -r name value; do
      read -r host port < <(host_port "$value")
      case "$name" in
        REDIS_URL) check=(redis_answers "$host" "$port") ;;
        MEMCACHED_ADDR) check=(memcached_answers "$host" "$port") ;;
        DATABASE_URL) check=(pg_isready -h "$host" -p "$port") ;;
        *) continue ;;
      esac
      if "${check[@]}" >/dev/null 2>&1; then
        printf '  %-15s %s  answers\n' "$name" "$value"
      else
        printf '  %-15s %s  does not answer\n' "$name" "$value"
        code=1
      fi
    done <"$dir/services.env"
    exit $code
    ;;
  *) die "$usage" ;;
esac
