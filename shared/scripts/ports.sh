# shellcheck shell=bash
# Sourced by services.sh and bench-servers.sh: picking a port, and waiting.

# A port nobody listens on, from a range clear of the defaults (6379,
# 11211, 5432), of the stand-in's 8700, and of the kernel's ephemeral ports
# (32768 up, usually): a load test leaves thousands of those in TIME_WAIT,
# and a server cannot bind one of them. The server may still lose a race
# for it; a caller whose server does not start tries another.
free_port() {
  local port i
  for i in $(seq 50); do
    port=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { printf '%s\n' "$port"; return 0; }
  done
  return 1
}

# wait_until SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds.
wait_until() {
  local tries=$(($1 * 10)) i
  shift
  for i in $(seq "$tries"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# listening PORT: something accepts connections on 127.0.0.1:PORT.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
