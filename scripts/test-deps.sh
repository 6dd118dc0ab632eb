#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages. Idempotent; safe to run often.
set -euo pipefail
cd "$(dirname "$0")/.."
# openssl: tests/notify makes a throwaway certificate to test SMTP with STARTTLS.
if ! command -v openssl >/dev/null 2>&1; then
  apt-get update -q && apt-get install -y -q openssl
fi
echo "test-deps: ok"
