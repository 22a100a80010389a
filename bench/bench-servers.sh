# shellcheck shell=bash
# The servers ./workbook bench server and ./workbook bench c10k compare.
# Each answers GET / with {"message":"Hello World"} (the stand-in, which has
# no such page, a repository), on a free port of 127.0.0.1, pinned to the
# machine's last core where it has two (the load runs on the first), with
# its soft open-file limit raised to the hard one.
#
#   bench_server_available NAME     can NAME run here? (nginx, aiohttp: if installed)
#   bench_server_start NAME DIR     sets BENCH_SERVER_PID, BENCH_SERVER_PORT and
#                                   BENCH_SERVER_PATH (what to ask for); 1, with
#                                   its log shown, if it did not start
#   bench_server_stop PID
#
# NAME: floor chapter16 chapter09 stand-in chapter10 nginx aiohttp.
# The workbook's own are the release build's (build/release).

# The workbook's root, this file's folder's parent: its scripts are there.
bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=shared/scripts/ports.sh
source "$bench_root/shared/scripts/ports.sh"
# shellcheck source=shared/scripts/find-python.sh
source "$bench_root/shared/scripts/find-python.sh"

nginx_binary() {
  command -v nginx 2>/dev/null && return
  [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx
}

bench_server_available() {
  case $1 in
    nginx) [ -n "$(nginx_binary)" ] ;;
    aiohttp) python_with aiohttp >/dev/null ;;
    floor|chapter16|chapter09|stand-in|chapter10) return 0 ;;
    *) return 1 ;;
  esac
}

# nginx with one worker and the same JSON: one line of configuration does
# the work (the `location`); the rest keeps it in DIR and out of the
# system's folders, so it runs as any user.
write_nginx_conf() {
  local dir=$1 port=$2
  mkdir -p "$dir/temp"
  cat >"$dir/nginx.conf" <<CONF
daemon off;
master_process off;
worker_rlimit_nofile 20000;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 20000; }
http {
    access_log off;
    client_body_temp_path $dir/temp/body;
    proxy_temp_path $dir/temp/proxy;
    fastcgi_temp_path $dir/temp/fastcgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$port backlog=4096;
        location / { default_type "application/json; charset=utf-8"; return 200 '{"message":"Hello World"}'; }
    }
}
CONF
}

# Sets BENCH_COMMAND (an array) and BENCH_SERVER_PATH for NAME on PORT.
bench_server_command() {
  local name=$1 port=$2 dir=$3
  BENCH_SERVER_PATH=/
  case $name in
    floor) BENCH_COMMAND=(build/release/workbook-floor-server --port "$port") ;;
    chapter16) BENCH_COMMAND=(build/release/chapter16 --serve --port "$port") ;;
    chapter09) BENCH_COMMAND=(build/release/chapter09 --serve --port "$port") ;;
    chapter10) BENCH_COMMAND=(build/release/chapter10 --serve --port "$port") ;;
    stand-in)
      BENCH_COMMAND=(build/release/shared/fake-github --port "$port" --latency 0 --quiet)
      BENCH_SERVER_PATH=/repos/fmtlib/fmt ;;
    nginx)
      write_nginx_conf "$dir" "$port"
      BENCH_COMMAND=("$(nginx_binary)" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf") ;;
    aiohttp) BENCH_COMMAND=("$(python_with aiohttp)" chapters/09_asio_server/hello_server.py --serve --port "$port") ;;
    *) return 1 ;;
  esac
}

bench_server_start() {
  local name=$1 dir=$2 attempt pin=() tries
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)  # nginx reads its paths from its own folder
  if [ "$(nproc 2>/dev/null || echo 1)" -ge 2 ] && command -v taskset >/dev/null; then
    pin=(taskset -c "$(($(nproc) - 1))")
  fi
  for attempt in 1 2 3; do
    BENCH_SERVER_PORT=$(free_port) || { echo "no free port for $name" >&2; return 1; }
    bench_server_command "$name" "$BENCH_SERVER_PORT" "$dir" || { echo "no server called $name" >&2; return 1; }
    # exec: the server keeps the subshell's PID, which is what /proc is read for.
    (ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "${pin[@]}" "${BENCH_COMMAND[@]}") \
      </dev/null >"$dir/$name.log" 2>&1 &
    BENCH_SERVER_PID=$!
    for tries in $(seq 150); do
      listening "$BENCH_SERVER_PORT" && return 0
      kill -0 "$BENCH_SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$BENCH_SERVER_PID" 2>/dev/null; then
      bench_server_stop "$BENCH_SERVER_PID"
      echo "$name did not listen on port $BENCH_SERVER_PORT within 15 s: $dir/$name.log" >&2
      return 1
    fi
    # It ended. If another program took the port first, once more; if it
    # says why it cannot start, that is the answer.
    grep -qi "address already in use" "$dir/$name.log" || break
  done
  echo "$name did not start:" >&2
  cat "$dir/$name.log" >&2
  return 1
}

bench_server_stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
