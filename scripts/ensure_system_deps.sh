#!/usr/bin/env bash
# The browser the end-to-end tests drive: Debian's chromium (never a downloaded browser).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the end-to-end tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null
  exit 0
fi
echo "The end-to-end tests need Debian's chromium at /usr/bin/chromium:" >&2
echo "  sudo apt-get install chromium" >&2
exit 1
