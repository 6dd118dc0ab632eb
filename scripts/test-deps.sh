#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages. Idempotent; safe to run often.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "test-deps: nothing beyond Python packages yet"
