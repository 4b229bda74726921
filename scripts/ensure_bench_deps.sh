#!/usr/bin/env bash
# Debian packages the photo benchmark (bench/photos.py) compares Courseline against:
# exiftool (libimage-exiftool-perl) for scanning and cleaning, mat2 for cleaning.
# Installs what is missing when run as root with apt-get; otherwise prints the command.
set -euo pipefail
missing=()
command -v exiftool >/dev/null || missing+=(libimage-exiftool-perl)
command -v mat2 >/dev/null || missing+=(mat2)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} (photo benchmark)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "The photo benchmark needs Debian packages: ${missing[*]}" >&2
echo "  sudo apt-get install --no-install-recommends ${missing[*]}" >&2
exit 1
