# The one launcher of the GitHub stand-in for bash: the runner and the demo
# smoke tests source it. (The C++ tests that need the stand-in as a process
# of their own start it with TestStandIn::Process in tests/support/test_stand_in.hpp,
# the same way: free ports written to files and waited for, the output in a
# log shown if it does not start.)
#
#   stand_in_start FAKE_GITHUB DIR [OPTIONS...]   sets STAND_IN_PID, HTTP_PORT,
#                                                 HTTPS_PORT; 1 if it did not start
#   stand_in_stop

STAND_IN_PID=''

stand_in_start() {
  local fake_github=$1 dir=$2; shift 2
  mkdir -p "$dir"; rm -f "$dir/http" "$dir/https"
  # All its descriptors redirected: a daemon left holding ctest's output
  # would make ctest wait for it.
  "$fake_github" --port 0 --port-file "$dir/http" --tls-port 0 --tls-port-file "$dir/https" \
    --quiet "$@" </dev/null >"$dir/stand-in.log" 2>&1 &
  STAND_IN_PID=$!
  local i
  for i in $(seq 100); do
    if [ -s "$dir/http" ] && [ -s "$dir/https" ]; then
      HTTP_PORT=$(cat "$dir/http") HTTPS_PORT=$(cat "$dir/https")
      return 0
    fi
    if ! kill -0 "$STAND_IN_PID" 2>/dev/null; then
      echo "the GitHub stand-in did not start:" >&2
      cat "$dir/stand-in.log" >&2
      STAND_IN_PID=''
      return 1
    fi
    sleep 0.1
  done
  echo "the GitHub stand-in did not write its ports within 10 s: $dir/stand-in.log" >&2
  stand_in_stop
  return 1
}

stand_in_stop() {
  if [ -n "$STAND_IN_PID" ]; then
    kill "$STAND_IN_PID" 2>/dev/null || true
    wait "$STAND_IN_PID" 2>/dev/null || true
    STAND_IN_PID=''
  fi
}
