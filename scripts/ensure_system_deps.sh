#!/usr/bin/env bash
# System packages the tests need: Debian's chromium for the end-to-end tests (never a
# downloaded browser), Pango for WeasyPrint's PDFs, exiftool to check the photo readers against.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-liberation)
command -v exiftool >/dev/null || missing+=(libimage-exiftool-perl)
ldconfig -p | grep 'libpangoft2-1.0.so' >/dev/null || missing+=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} (browser tests, PDF rendering)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "The tests need Debian packages: ${missing[*]}" >&2
echo "  sudo apt-get install ${missing[*]}" >&2
exit 1
