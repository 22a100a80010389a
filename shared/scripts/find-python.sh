# shellcheck shell=bash
# Sourced by ./workbook and tests/support/demo-test.sh: which Python 3 can
# run a program of the workbook. Debian's python3-requests and
# python3-aiohttp are seen only by Debian's own /usr/bin/python3; a pyenv or
# venv python3 that comes first on PATH does not see them, so both are tried.

# python_with MODULE: prints the first Python 3 that can import MODULE (the
# python3 on PATH, else /usr/bin/python3); fails when none can.
python_with() {
  local candidate
  for candidate in python3 /usr/bin/python3; do
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c "import $1" >/dev/null 2>&1; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

# python_needs PROGRAM: prints "MODULE PACKAGE", read from the program's
# "# needs: MODULE (Debian package PACKAGE)" line; a program without one needs
# only the standard library ("asyncio python3").
python_needs() {
  local line
  line=$(sed -nE 's/^# needs: ([A-Za-z0-9_.]+) \(Debian package ([a-z0-9.+-]+)\).*/\1 \2/p' "$1" | head -1)
  printf '%s\n' "${line:-asyncio python3}"
}
