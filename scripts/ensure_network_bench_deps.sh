#!/usr/bin/env bash
# Debian packages the network benchmark (bench/network.py) needs: tshark, to compare against.
set -euo pipefail
command -v tshark >/dev/null && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing tshark (network benchmark)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tshark >/dev/null
  exit 0
fi
echo "The network benchmark needs the Debian package tshark:" >&2
echo "  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y tshark" >&2
exit 1
