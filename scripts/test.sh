#!/usr/bin/env bash
# The test command of the README and of CI: install what the tests need, then run them all.
#
# The browser tests drive Debian's chromium (playwright's own browser download is not used) and
# show Chinese text, so they need a CJK font. When either is missing, this script installs the
# Debian packages `chromium` and `fonts-noto-cjk` with apt-get if it runs as root; otherwise it
# names the packages and stops. Then it installs sim with its test extras and runs pytest
# (exit status 5, "no tests collected", counts as a failure).
set -uo pipefail
cd "$(dirname "$0")/.."

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
APT_GET="${APT_GET:-apt-get}"
PYTHON="${PYTHON:-$(command -v python || command -v python3)}"
PACKAGES="chromium fonts-noto-cjk"

have_cjk_font() {
  command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null)" ]
}

if [ ! -x "$CHROMIUM" ] || ! have_cjk_font; then
  if [ "$(id -u)" -eq 0 ] && command -v "$APT_GET" >/dev/null 2>&1; then
    echo "installing the browser tests' Debian packages: $PACKAGES" >&2
    export DEBIAN_FRONTEND=noninteractive
    "$APT_GET" update -qq && "$APT_GET" install -y -qq $PACKAGES >/dev/null || {
      echo "error: apt-get could not install $PACKAGES; install them, then run this again" >&2
      exit 1
    }
  else
    echo "error: the browser tests need the Debian packages $PACKAGES ($CHROMIUM and a CJK" \
      "font), and this script can install them only as root with apt-get. Run" \
      "'sudo apt-get install $PACKAGES' (or your system's equivalents), then run this again." >&2
    exit 1
  fi
fi

if [ -z "$PYTHON" ]; then
  echo "error: no python found; install Python 3.11 or set PYTHON=/path/to/python" >&2
  exit 1
fi
"$PYTHON" -m pip install -q -e ".[test]" || {
  echo "error: pip could not install sim with its test extras" >&2
  exit 1
}
"$PYTHON" -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "error: pytest collected no tests: failing" >&2
  exit 1
fi
exit "$rc"
