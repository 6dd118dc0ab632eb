#!/usr/bin/env bash
# Installs what the benchmarks need beyond Python packages: the `wrk` load generator (Debian).
# Idempotent. Without root or apt-get, the benchmarks fall back to their Python load generator.
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "bench-deps: wrk not installed (needs root and apt-get); using the Python load generator"
  exit 0
fi
if ! apt-cache show wrk >/dev/null 2>&1; then
  apt-get update -qq
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
echo "bench-deps: installed wrk"
